"""Ingest: read inputs, skip what the store already has, analyze the rest in workers, and write
the results through the one writer. Exactly once and resumable:

- an article's key is the sha256 of its normalized text plus the pipeline version; what the
  store holds under the current version is never analyzed again (`--reanalyze` re-runs
  articles analyzed by an older version);
- results are committed in transactions of `commit_every` articles; a run killed at any moment
  keeps every committed batch, and the next run reads the store, skips those articles and
  finishes the rest. Inserts are keyed (`INSERT OR IGNORE`), so nothing is ever doubled.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..about import pipeline_version
from ..errors import Errors, UsageError
from ..inputs.metadata import apply_metadata, load_metadata
from ..inputs.readers import iter_records
from ..options import Options
from ..progress import Progress
from ..types import Record, Reject, Skip
from . import store
from .executor import Executor, make_executor
from .search import Index


@dataclass
class IngestReport:
    """What one ingest run did. `read` counts every record met, rejects included."""

    read: int = 0
    added: int = 0  # articles analyzed and stored (new texts)
    analyzed: int = 0  # articles this run analyzed (a resumed distributed run: only what no shard held)
    reanalyzed: int = 0  # stored articles analyzed again under the current pipeline version
    duplicates: int = 0  # exact copies from a new place: stored once, the place recorded
    near_duplicates: int = 0  # added articles that joined an existing story
    stories: int = 0  # new stories started by added articles
    rejected: int = 0
    skipped: int = 0  # already stored from the same place (or by an older version, no --reanalyze)
    skipped_by: dict[str, int] = field(default_factory=dict)  # records that are not articles (WARC), by reason
    statements: int = 0  # statements written
    seconds: float = 0.0
    run_id: str = ""
    db: str = ""
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"{self.read} read, {self.added} added ({self.near_duplicates} near-duplicates, "
            f"{self.stories} new stories), {self.reanalyzed} re-analyzed, {self.duplicates} exact duplicates, "
            f"{self.skipped} skipped, {self.rejected} rejected, {self.statements} statements "
            f"in {self.seconds:.1f} s -> {self.db}" + self.skip_summary()
        )

    def skip_summary(self) -> str:
        from ..output import skip_counts

        if not self.skipped_by:
            return ""
        return f"; not articles: {sum(self.skipped_by.values())} ({skip_counts(self.skipped_by)})"

    def count_skip(self, reason: str) -> None:
        self.skipped_by[reason] = self.skipped_by.get(reason, 0) + 1


class Everything:
    """A container that holds every location: a counting pass skips all WARC records cheaply."""

    def __contains__(self, item: object) -> bool:
        return True


class _State:
    """What the store already holds, read once at the start of a run (hashes and places only:
    the near-duplicate bands stay in the store)."""

    def __init__(self, con):
        self.articles: dict[str, str] = dict(  # content_hash -> pipeline_version
            con.execute("SELECT content_hash, pipeline_version FROM articles").fetchall()
        )
        self.places = set(con.execute("SELECT article_id, location FROM article_places").fetchall())
        # Every place already accounted for (stored, rejected or skipped): a WARC record there is
        # not extracted again.
        self.done = {loc for _aid, loc in self.places}
        self.done.update(r[0] for r in con.execute("SELECT location FROM rejects UNION SELECT location FROM skips").fetchall())


def commit_indexed(writer: store.Writer, index: Index) -> None:
    """Write what `writer` holds in one transaction, then put its statements in the full-text
    index (articles it replaced lose their old ones there); the local ingest and `load` both."""
    rows = writer.flush()
    replaced = [item.article_id for item in writer.committed if item.replace]
    if rows or replaced:
        index.add(rows, replace_articles=replaced)
        index.commit()
    writer.committed = []


def ingest(
    db: str | Path,
    paths: Iterable[str],
    *,
    workers: int | None = None,
    reanalyze: bool = False,
    options: Options | None = None,
    progress: bool = True,
    commit_every: int = 64,
    commit_seconds: float = 5.0,
    executor: Executor | None = None,
    input_format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    engine: str = "local",
    address: str | None = None,
    shards: str | None = None,
    metadata: str | Path | None = None,
) -> IngestReport:
    """Analyze every article of `paths` not yet in the corpus at `db` and store it.

    `paths`, `input_format` and `mapping` are read as `presslens.iter_records` reads them, with
    the outlets, dates, urls and titles of the `metadata` file (presslens.inputs.metadata).
    `engine="local"`: a pool of `workers` processes on this machine, writing the store directly.
    `engine="ray"`: a Ray cluster (`address`, e.g. "auto" or "ray://head:10001"; None starts a
    local runtime) with `workers` actors, writing Parquet shards to `shards` (default
    `<db>.shards/`) that are then loaded into `db` (see presslens.corpus.distributed).
    """
    options = options or Options()
    paths = [str(p) for p in paths]
    iter_records(paths, input_format, mapping)  # a bad path, format or field fails here, before any work
    meta = load_metadata(metadata) if metadata else None  # and a bad metadata file
    if engine == "ray":
        from .distributed import ingest_ray

        return ingest_ray(db, paths, options=options, address=address, actors=workers or None, shard_dir=shards,
                          reanalyze=reanalyze, progress=progress, commit_every=max(commit_every, 64),
                          input_format=input_format, mapping=mapping, metadata=meta)
    if engine != "local":
        raise UsageError(Errors.E332.format(value=engine))

    def read(done=frozenset()) -> Iterator[Record | Reject | Skip]:
        records = iter_records(paths, input_format, mapping, done=done)
        return apply_metadata(records, meta) if meta is not None else records

    version = pipeline_version(options.pipeline)
    report = IngestReport(run_id=uuid.uuid4().hex[:12], db=str(db))
    started, t0 = store.now(), time.monotonic()
    con = store.connect(db, read_only=False, wait=300.0)
    owned = executor is None
    executor = executor or make_executor(options, workers)  # workers start loading now
    try:
        index = Index(store.index_path(db))
        index.reconcile(con)
        state = _State(con)
    except BaseException:
        if owned:
            executor.close()
        raise
    finally:
        con.close()
    writer = store.Writer(db, report.run_id, version)

    def wanted(h: str) -> bool:
        held = state.articles.get(h)
        return held is None or (reanalyze and held != version)

    total = None
    if "-" not in paths:  # a first, cheap pass (no NLP) so the bar has a total and an ETA
        seen: set[str] = set()
        total = 0
        try:
            for r in read(Everything()):
                if isinstance(r, Skip):  # a web archive: its articles are known only once extracted
                    total = None
                    break
                if isinstance(r, Record):
                    h = store.content_hash(r.text)
                    if h not in seen and wanted(h):
                        total += 1
                    seen.add(h)
        except BaseException:
            if owned:
                executor.close()
            raise
        del seen
    bar = Progress(total, progress)
    scheduled: set[str] = set()

    def records() -> Iterator[Record]:
        for r in read(state.done):
            report.read += 1
            if isinstance(r, Skip):
                if r.reason == "stored":
                    report.skipped += 1
                else:
                    report.count_skip(r.reason)
                    writer.add_skip(r.location, r.reason, r.detail, r.id)
                    state.done.add(r.location)
                bar.update(0, skips=1)
                continue
            if isinstance(r, Reject):
                report.rejected += 1
                writer.add_reject(r.location, r.reason, r.id)
                bar.update(0, rejects=1)
                continue
            if not store.normalize(r.text):
                report.rejected += 1
                writer.add_reject(r.location or r.id, "empty text", r.id)
                bar.update(0, rejects=1)
                continue
            h = store.content_hash(r.text)
            aid = h[:16]
            if h in scheduled or not wanted(h):
                if (aid, r.location) in state.places:
                    report.skipped += 1
                else:
                    report.duplicates += 1
                    state.places.add((aid, r.location))
                    writer.add_place(aid, r.location, r.id)
                continue
            scheduled.add(h)
            if h in state.articles and (aid, r.location) not in state.places:
                writer.add_place(aid, r.location, r.id)  # re-analyzed, and read from a new place
            state.places.add((aid, r.location))
            yield r

    def batches(size: int) -> Iterator[list[Record]]:
        batch: list[Record] = []
        for r in records():
            batch.append(r)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    last_commit = time.monotonic()
    pending_articles = 0

    def commit() -> None:
        nonlocal last_commit, pending_articles
        commit_indexed(writer, index)
        last_commit, pending_articles = time.monotonic(), 0

    try:
        for results in executor.map(batches(8)):
            for res in results:
                rec: Record = res["record"]
                if "reject" in res:
                    report.rejected += 1
                    writer.add_reject(rec.location or rec.id, res["reject"], rec.id)
                    bar.update(1, rejects=1)
                    continue
                h = store.content_hash(rec.text)
                aid = h[:16]
                held = state.articles.get(h)
                if held is not None:  # re-analysis: the writer keeps the article's story
                    report.reanalyzed += 1
                else:
                    report.added += 1
                report.statements += len(res["article"]["statements"])
                report.analyzed += 1
                writer.add_article(store.PendingArticle(
                    article=res["article"], article_id=aid, content_hash=h, signature=res["signature"],
                    location=rec.location or rec.id, replace=held is not None,
                ))
                pending_articles += 1
                bar.update(1)
            if pending_articles >= commit_every or time.monotonic() - last_commit >= commit_seconds:
                commit()
        commit()
    finally:
        if owned:
            executor.close()
        bar.close()
        index.close()
    report.near_duplicates, report.stories = writer.near_duplicates, writer.new_stories
    report.seconds = round(time.monotonic() - t0, 3)
    writer.finish_run(started, report.to_dict())
    return report
