"""Parquet shards: what a distributed run writes, and `load()`, which builds a corpus from them.

A distributed ingest (`presslens ingest --engine ray`) does not write the DuckDB file from many
machines at once: every actor writes each batch it analyzed as one Parquet file (a *shard*) in a
folder or bucket, and `load` then stores the shards in the corpus through the one writer, with
the same dedup, stories and full-text index as a local ingest.

One row per input record, keyed by (origin, content hash, pipeline version): `key` is their
sha256, so a batch written twice (a retried task) or a shard loaded twice stores nothing twice.
The columns are the corpus's `articles` table, as `presslens ... --format parquet` exports it
(`article_id, content_hash, pipeline_version, record_id, outlet, published, title, url,
n_statements, n_entities, chars, analysis`), plus what `load` needs:

    kind       article (analyzed), copy (an exact copy of a stored text: only its place is new),
               reject, skip
    key        sha256 of location, content hash and pipeline version
    location   the record's origin: file@offset (WARC) or file:line
    input_file the input file, and seq the record's number in it: load keeps input order
               (shards written before this column was renamed call it `source`: load reads both)
    signature  the MinHash signature (near-duplicate stories)
    reason     why a record was rejected or skipped; detail: the skip's status, type or language

A shard is written to a temporary name and renamed, so a killed run leaves only whole shards;
a resumed run reads the locations they hold and does not analyze those records again.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb

from ..about import PIPELINE_VERSION, pipeline_version
from ..errors import Errors, UsageError
from . import store

COLUMNS: tuple[tuple[str, str], ...] = (  # name, DuckDB type (pyarrow types in arrow_schema)
    ("kind", "VARCHAR"), ("key", "VARCHAR"), ("location", "VARCHAR"), ("input_file", "VARCHAR"), ("seq", "BIGINT"),
    ("article_id", "VARCHAR"), ("content_hash", "VARCHAR"), ("pipeline_version", "VARCHAR"),
    ("record_id", "VARCHAR"), ("outlet", "VARCHAR"), ("published", "VARCHAR"), ("title", "VARCHAR"),
    ("url", "VARCHAR"), ("n_statements", "INTEGER"), ("n_entities", "INTEGER"), ("chars", "INTEGER"),
    ("analysis", "VARCHAR"), ("signature", "BLOB"), ("reason", "VARCHAR"), ("detail", "VARCHAR"),
)
KINDS = ("article", "copy", "reject", "skip")
OLDER_NAMES = {"input_file": "source"}  # column -> its name in shards written before it was renamed


def row_key(location: str, content_hash: str | None, version: str = PIPELINE_VERSION) -> str:
    return hashlib.sha256(f"{location}\0{content_hash or ''}\0{version}".encode()).hexdigest()


def row(kind: str, location: str, input_file: str, seq: int, **fields: Any) -> dict[str, Any]:
    """One shard row; the columns not given are null."""
    out = dict.fromkeys(name for name, _ in COLUMNS)
    out.update(fields, kind=kind, location=location, input_file=input_file, seq=seq)
    out.setdefault("pipeline_version", PIPELINE_VERSION)
    out["pipeline_version"] = out["pipeline_version"] or PIPELINE_VERSION
    out["key"] = row_key(location, out.get("content_hash"), out["pipeline_version"])
    return out


def article_row(location: str, input_file: str, seq: int, article: dict[str, Any], content_hash: str,
                signature: bytes | None, version: str = PIPELINE_VERSION) -> dict[str, Any]:
    return row(
        "article", location, input_file, seq, pipeline_version=version, article_id=content_hash[:16],
        content_hash=content_hash,
        record_id=article["id"], outlet=article.get("outlet"), published=article.get("published"),
        title=article.get("title"), url=article.get("url"), n_statements=len(article.get("statements", [])),
        n_entities=len(article.get("entities", [])), chars=len(article["text"]),
        analysis=json.dumps(article, ensure_ascii=False), signature=signature,
    )


def arrow_schema():
    import pyarrow as pa

    types = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "INTEGER": pa.int32(), "BLOB": pa.binary()}
    return pa.schema([(name, types[t]) for name, t in COLUMNS])


def _fs(where: str):
    import fsspec

    return fsspec.core.url_to_fs(where)


def write_shard(rows: list[dict[str, Any]], shard_dir: str) -> str | None:
    """Write `rows` as one Parquet shard in `shard_dir` (a folder or fsspec URL); return its path.

    The name is a hash of the rows' keys, so a batch written again replaces itself; the file is
    written under a temporary name and renamed, so readers never see half a shard."""
    if not rows:
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq

    fs, root = _fs(shard_dir)
    fs.makedirs(root, exist_ok=True)
    digest = hashlib.sha256("\n".join(sorted(r["key"] for r in rows)).encode()).hexdigest()[:24]
    final = f"{root.rstrip('/')}/part-{digest}.parquet"
    tmp = f"{final}.{uuid.uuid4().hex[:8]}.tmp"
    table = pa.Table.from_pylist(rows, schema=arrow_schema())
    with fs.open(tmp, "wb") as f:
        pq.write_table(table, f, compression="zstd")
    fs.mv(tmp, final)
    return final


def shard_files(paths: Iterable[str]) -> list[str]:
    """The shard files named by `paths`: files, folders (every *.parquet below) and globs, local
    or fsspec URLs. Temporary files of a killed run are left out."""
    out: list[str] = []
    for path in paths:
        path = str(path)
        if "://" not in path and not any(c in path for c in "*?["):
            p = Path(path)
            if p.is_dir():
                out.extend(sorted(str(f) for f in p.rglob("*.parquet")))
            elif p.is_file():
                out.append(path)
            else:
                raise UsageError(Errors.E320.format(path=path))
            continue
        fs, root = _fs(path)
        if any(c in root for c in "*?["):
            found = fs.glob(root)
        elif fs.isdir(root):
            found = fs.glob(f"{root.rstrip('/')}/**/*.parquet")
        else:
            found = [root] if fs.exists(root) else []
        unstrip = "://" in path
        out.extend(sorted(fs.unstrip_protocol(f) if unstrip else f for f in found if f.endswith(".parquet")))
    return out


def _connection(files: list[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    protocols = {f.split("://", 1)[0] for f in files if "://" in f}
    for protocol in protocols:  # DuckDB reads fsspec filesystems (s3fs, gcsfs, ...) when registered
        import fsspec

        con.register_filesystem(fsspec.filesystem(protocol))
    return con


def held(files: list[str], version: str = PIPELINE_VERSION) -> tuple[set[str], set[str]]:
    """(locations, content hashes of the analyzed articles) in the rows of pipeline `version` of the
    shards `files`: a run with another `--pipeline` analyzes those records again."""
    if not files:
        return set(), set()
    con = _connection(files)
    try:
        locations = {r[0] for r in con.execute("SELECT location FROM read_parquet(?, union_by_name=true) "
                                               "WHERE pipeline_version = ?", [files, version]).fetchall()}
        hashes = {r[0] for r in con.execute(
            "SELECT DISTINCT content_hash FROM read_parquet(?, union_by_name=true) "
            "WHERE kind = 'article' AND pipeline_version = ?", [files, version]).fetchall()}
        return locations, hashes
    finally:
        con.close()


def iter_rows(files: list[str], batch: int = 512) -> Iterator[dict[str, Any]]:
    """Every row of the shards once per key, in input order (by input file and record number)."""
    if not files:
        return
    con = _connection(files)
    try:
        held = {r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?, union_by_name=true)", [files]).fetchall()}
        names = []
        for name, _ in COLUMNS:
            old = OLDER_NAMES.get(name)
            if old in held:  # older shards hold it under its former name, alone or beside newer ones
                name = f"coalesce({name}, {old}) AS {name}" if name in held else f"{old} AS {name}"
            names.append(name)
        names = ", ".join(names)
        cur = con.execute(
            f"SELECT {names} FROM read_parquet(?, union_by_name=true) "
            "QUALIFY row_number() OVER (PARTITION BY key ORDER BY location) = 1 ORDER BY input_file, seq, location",
            [files])
        cols = [d[0] for d in cur.description]
        while rows := cur.fetchmany(batch):
            for r in rows:
                yield dict(zip(cols, r))
    finally:
        con.close()


def load(db: str | Path, shards: Iterable[str], *, pipeline: str = "default", reanalyze: bool = False,
         progress: bool = True, commit_every: int = 256, report=None):
    """Store the shards' records in the corpus at `db` (created if missing): articles not yet
    stored, the places of exact copies, rejects and skipped records; near-duplicates join their
    stories and the full-text index follows. Loading the same shards again adds nothing.
    Articles of `pipeline` (its version) are loaded; rows of other versions are counted in the
    report's errors. Returns an `IngestReport`."""
    from ..pipeline.build import PIPELINES
    from .ingest import IngestReport, Progress, _State, commit_indexed
    from .search import Index

    files = shard_files(shards)
    report = report or IngestReport(run_id=uuid.uuid4().hex[:12], db=str(db))
    started, t0 = store.now(), time.monotonic()
    con = store.connect(db, read_only=False, wait=300.0)
    try:
        index = Index(store.index_path(db))
        index.reconcile(con)
        state = _State(con)
    finally:
        con.close()
    version = pipeline_version(pipeline)
    writer = store.Writer(db, report.run_id, version)
    bar = Progress(None, progress, label="load")
    scheduled: set[str] = set()
    old_versions: dict[str, int] = {}
    pending = 0

    def commit() -> None:
        commit_indexed(writer, index)

    try:
        for r in iter_rows(files):
            report.read += 1
            loc, kind = r["location"], r["kind"]
            if kind in ("skip", "reject"):
                if loc in state.done:
                    report.skipped += 1
                elif kind == "skip":
                    report.count_skip(r["reason"])
                    writer.add_skip(loc, r["reason"], r["detail"], r["record_id"])
                else:
                    report.rejected += 1
                    writer.add_reject(loc, r["reason"], r["record_id"])
                state.done.add(loc)
                bar.update(0, rejects=kind == "reject", skips=kind == "skip")
                continue
            if r["pipeline_version"] != version:
                old_versions[r["pipeline_version"]] = old_versions.get(r["pipeline_version"], 0) + 1
                continue
            h = r["content_hash"]
            aid = h[:16]
            stored = state.articles.get(h)
            fresh = kind == "article" and h not in scheduled and (
                stored is None or (reanalyze and stored != version))
            if not fresh:
                if (aid, loc) in state.places:
                    report.skipped += 1
                elif stored is None and h not in scheduled:  # a copy of an article this corpus lacks
                    report.errors.append(f"{loc}: copy of article {aid}, which is in neither {db} nor the shards")
                    continue
                else:
                    report.duplicates += 1
                    writer.add_place(aid, loc, r["record_id"])
                state.places.add((aid, loc))
                state.done.add(loc)
                continue
            scheduled.add(h)
            article = json.loads(r["analysis"])
            replace = stored is not None
            if replace:
                report.reanalyzed += 1
                if (aid, loc) not in state.places:
                    writer.add_place(aid, loc, r["record_id"])
            else:
                report.added += 1
            report.statements += r["n_statements"] or 0
            writer.add_article(store.PendingArticle(article=article, article_id=aid, content_hash=h,
                                                    signature=r["signature"], location=loc, replace=replace))
            state.places.add((aid, loc))
            state.done.add(loc)
            pending += 1
            bar.update(1)
            if pending >= commit_every:
                commit()
                pending = 0
        commit()
    finally:
        bar.close()
        index.close()
    current = {pipeline_version(p): p for p in PIPELINES}
    for other, n in old_versions.items():
        hint = (f"load them with --pipeline {current[other]}" if other in current
                else "an older presslens wrote them: ingest the inputs again")
        report.errors.append(f"{n} shard rows of pipeline version {other} not loaded: this load is for {version}; {hint}")
    report.near_duplicates += writer.near_duplicates
    report.stories += writer.new_stories
    report.seconds = round(report.seconds + time.monotonic() - t0, 3)
    writer.finish_run(started, report.to_dict())
    return report
