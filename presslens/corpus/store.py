"""The DuckDB store: schema, connections that wait for the lock, and the single writer.

DuckDB lets one process write a database file, and a process cannot open it at all (not even
read-only) while another holds it for writing. So the writer commits in batches and *closes*
its connection between batches, and every opener retries for a while when the file is locked:
readers (`presslens quotes`, the web server) get in between two batches, and the writer waits
for a reader's short query to finish. See docs/corpus.md, "Reading while ingesting".

The schema is the row types below: each is a dataclass whose fields are its table's columns, in
order, with their SQL types. `CREATE TABLE`, the inserts and the upgrade of an older store are
all made from them, so adding a column is one edit: a field (see docs/corpus.md, "Adding a
column"). Fields have no defaults, so a row built without the new column fails at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

import duckdb

from ..errors import Errors, UsageError
from .dedup import assign_stories

SCHEMA_VERSION = "1"
WRITER_MEMORY = 64 * 2**20  # bytes DuckDB may hold while committing an ordinary batch


def column(sql_type: str, constraint: str = "", doc: str = "") -> Any:
    """A column of a row type: its DuckDB type, a constraint (`PRIMARY KEY`, `NOT NULL`) and a
    note for readers of the schema."""
    return field(metadata={"type": sql_type, "constraint": constraint, "doc": doc})


class Row:
    """Base of the row types: `TABLE` names the table, the dataclass fields are its columns."""

    TABLE: ClassVar[str]
    KEY: ClassVar[str] = ""  # a table constraint, e.g. "PRIMARY KEY (location, reason)"

    @classmethod
    def columns(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def create_sql(cls) -> str:
        cols = [" ".join(x for x in (f.name, f.metadata["type"], f.metadata["constraint"]) if x)
                for f in dataclasses.fields(cls)]
        if cls.KEY:
            cols.append(cls.KEY)
        return f"CREATE TABLE IF NOT EXISTS {cls.TABLE} ({', '.join(cols)});"


def _row(cls):
    return dataclass(frozen=True, kw_only=True)(cls)


@_row
class MetaRow(Row):
    TABLE = "meta"
    key: str = column("VARCHAR", "PRIMARY KEY")
    value: str = column("VARCHAR")


@_row
class ArticleRow(Row):
    """One distinct text (exact copies are stored once)."""

    TABLE = "articles"
    article_id: str = column("VARCHAR", "PRIMARY KEY", "first 16 hex digits of content_hash: stable across versions")
    content_hash: str = column("VARCHAR", "NOT NULL", "sha256 of the normalized text")
    key: str = column("VARCHAR", "NOT NULL", "sha256(content_hash:pipeline_version)")
    pipeline_version: str = column("VARCHAR", "NOT NULL")
    record_id: str | None = column("VARCHAR", doc="the id of the first copy read")
    outlet: str | None = column("VARCHAR")
    published: str | date | None = column("DATE")
    title: str | None = column("VARCHAR")
    url: str | None = column("VARCHAR")
    story_id: str = column("VARCHAR", "NOT NULL", "near-duplicates share one story (the first article's id)")
    n_statements: int = column("INTEGER")
    n_entities: int = column("INTEGER")
    chars: int = column("INTEGER")
    analysis: str = column("VARCHAR", doc="the full presslens/1 JSON")
    added_at: datetime = column("TIMESTAMP")
    run_id: str = column("VARCHAR")


@_row
class PlaceRow(Row):
    """A place a copy of an article was read from; (article_id, location) is unique."""

    TABLE = "article_places"
    article_id: str = column("VARCHAR", "NOT NULL")
    location: str = column("VARCHAR", "NOT NULL", "file:line or file, as the reader names it")
    record_id: str | None = column("VARCHAR")
    seen_at: datetime = column("TIMESTAMP")
    run_id: str = column("VARCHAR")


@_row
class StatementRow(Row):
    """One statement, with the article fields the filters need copied beside it."""

    TABLE = "statements"
    seq: int = column("BIGINT", "PRIMARY KEY", "corpus-wide row number; the full-text index's key")
    article_id: str = column("VARCHAR", "NOT NULL")
    statement_id: str = column("VARCHAR", "NOT NULL")
    speaker_entity: str | None = column("VARCHAR")
    speaker: str | None = column("VARCHAR", doc="canonical entity name (pronouns resolved)")
    kind: str | None = column("VARCHAR")
    attribution: str | None = column("VARCHAR")
    content: str | None = column("VARCHAR")
    cue: str | None = column("VARCHAR")
    according_to: list[str] = column("VARCHAR[]")
    confidence: float | None = column("DOUBLE")
    published: str | date | None = column("DATE")
    outlet: str | None = column("VARCHAR")
    story_id: str | None = column("VARCHAR")
    title: str | None = column("VARCHAR")


@_row
class EntityRow(Row):
    TABLE = "entities"
    article_id: str = column("VARCHAR", "NOT NULL")
    entity_id: str = column("VARCHAR", "NOT NULL")
    name: str | None = column("VARCHAR")
    type: str | None = column("VARCHAR")
    mentions: int = column("INTEGER")


@_row
class SignatureRow(Row):
    TABLE = "minhashes"
    article_id: str = column("VARCHAR", "NOT NULL")
    signature: bytes = column("BLOB")


@_row
class BandRow(Row):
    """A MinHash LSH band of an article, for near-duplicate stories (dedup.py)."""

    TABLE = "lsh_bands"
    band: int = column("UTINYINT", "NOT NULL")
    key: int = column("BIGINT", "NOT NULL")
    article_id: str = column("VARCHAR", "NOT NULL")


@_row
class RejectRow(Row):
    TABLE = "rejects"
    KEY = "PRIMARY KEY (location, reason)"
    location: str = column("VARCHAR", "NOT NULL")
    reason: str = column("VARCHAR", "NOT NULL")
    record_id: str | None = column("VARCHAR")
    seen_at: datetime = column("TIMESTAMP")
    run_id: str = column("VARCHAR")


@_row
class SkipRow(Row):
    """An input record that is not an article (WARC: request, 404, PDF, other language, ...)."""

    TABLE = "skips"
    KEY = "PRIMARY KEY (location)"
    location: str = column("VARCHAR", "NOT NULL", "file@offset")
    reason: str = column("VARCHAR", "NOT NULL", "types.SKIP_REASONS: not-response, http-status, ...")
    detail: str | None = column("VARCHAR", "", "record type, HTTP status, content type or language")
    record_id: str | None = column("VARCHAR")
    seen_at: datetime = column("TIMESTAMP")
    run_id: str = column("VARCHAR")


@_row
class RunRow(Row):
    TABLE = "runs"
    run_id: str = column("VARCHAR", "PRIMARY KEY")
    started: datetime = column("TIMESTAMP")
    finished: datetime = column("TIMESTAMP")
    pipeline_version: str = column("VARCHAR")
    report: str = column("VARCHAR", doc="the run's IngestReport as JSON")


# Every table, in creation order. Keys only where reads need them: `articles` (article lookups)
# and `statements.seq` (fetching full-text hits: without it, a scan of every statement).
# Places and signatures are written once, with their article, by the one writer.
TABLES: tuple[type[Row], ...] = (MetaRow, ArticleRow, PlaceRow, StatementRow, EntityRow, SignatureRow,
                                 BandRow, RejectRow, SkipRow, RunRow)
SCHEMA_SQL = "\n".join(t.create_sql() for t in TABLES)


@dataclass
class PendingArticle:
    """An analyzed article on its way into the store (what ingest hands the writer)."""

    article: dict[str, Any]  # the presslens/1 document
    article_id: str
    content_hash: str
    location: str  # where this copy was read from
    signature: bytes | None = None  # MinHash (dedup.signature); None: a story of its own
    replace: bool = False  # an older analysis of the same text is superseded (--reanalyze)
    story_id: str | None = None  # None: assigned at commit, against the stored stories


_SPACES = re.compile(r"\s+")
_LOCKED = ("lock", "Conflicting lock", "already open")


def normalize(text: str) -> str:
    """The text that the content hash covers: NFC, whitespace runs collapsed, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def article_key(chash: str, pipeline_version: str) -> str:
    return hashlib.sha256(f"{chash}:{pipeline_version}".encode()).hexdigest()


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def index_path(db: str | Path) -> Path:
    """Where the full-text index of `db` lives: a folder beside it."""
    return Path(f"{db}.index")


def connect(path: str | Path, *, read_only: bool, wait: float = 30.0) -> duckdb.DuckDBPyConnection:
    """Open `path`, retrying while another process holds the file (see the module docstring)."""
    path = Path(path)
    if not read_only:  # `--db out/corpus.duckdb` in a fresh checkout: the folder is made, as the file is
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a file where a folder goes, no permission
            raise UsageError(Errors.E315.format(path=path, error=exc)) from exc
    con = _when_unlocked(lambda: duckdb.connect(str(path), read_only=read_only), path, read_only, wait)
    renamed_tables(con, read_only)
    if not read_only:
        con.execute(SCHEMA_SQL)
        _upgrade(con)
        con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
    return con


ATTACHED = "corpus"  # the catalog name of a store attached by `attach`


def attach(con: duckdb.DuckDBPyConnection, path: str | Path, *, wait: float = 30.0) -> None:
    """Attach the store `path` read-only to `con` (an in-memory DuckDB) as ATTACHED, retrying
    while another process writes it, as `connect` does. A reader attaches and detaches a store
    in about 2 ms on one DuckDB instance where opening a new instance for each call takes 14
    (DuckDB builds its catalog of functions for every instance); the file is held, as with
    `connect`, only while attached."""
    path = Path(path)
    _when_unlocked(lambda: con.execute(f"ATTACH ? AS {ATTACHED} (READ_ONLY)", [str(path)]), path, True, wait)


def _when_unlocked(open_store, path: Path, read_only: bool, wait: float):
    """`open_store()`, tried again while the file is locked by another process, up to `wait` s."""
    if read_only and not path.exists():
        raise UsageError(Errors.E301.format(path=path))
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            return open_store()
        except duckdb.IOException as exc:
            if not any(s in str(exc) for s in _LOCKED):  # not busy: unreadable, not a store, ...
                raise UsageError(Errors.E315.format(path=path, error=exc)) from exc
            if time.monotonic() > deadline:
                raise UsageError(Errors.E302.format(path=path, error=exc)) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5 if read_only else 0.05)  # the writer must not starve behind readers


# Tables an older store has under another name: old -> new.
RENAMED_TABLES = {"article_sources": "article_places"}


def renamed_tables(con: duckdb.DuckDBPyConnection, read_only: bool) -> None:
    """Give an older store's tables their current names: renamed when writing, and a view of the
    old table under the new name when reading (a read-only file cannot be changed)."""
    held = {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    for old, new in RENAMED_TABLES.items():
        if old in held and new not in held:
            if read_only:
                con.execute(f"CREATE TEMP VIEW {new} AS SELECT * FROM {old}")
            else:
                con.execute(f"ALTER TABLE {old} RENAME TO {new}")


def _upgrade(con: duckdb.DuckDBPyConnection) -> None:
    """Add the columns a row type has and an older store lacks (NULL in its existing rows)."""
    held: dict[str, set[str]] = {}
    for table, name in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database()"
    ).fetchall():
        held.setdefault(table, set()).add(name)
    for row in TABLES:
        for f in dataclasses.fields(row):
            if f.name not in held.get(row.TABLE, {f.name}):
                con.execute(f"ALTER TABLE {row.TABLE} ADD COLUMN {f.name} {f.metadata['type']}")


def _joined(text: str, spans: list, sep: str) -> str:
    return sep.join(text[s:e] for s, e in spans)


def statement_rows(article: dict[str, Any], article_id: str, story_id: str, first_seq: int) -> list[StatementRow]:
    """The `statements` rows of one presslens/1 article, numbered from `first_seq`."""
    text = article["text"]
    names = {e["id"]: e["name"] for e in article.get("entities", [])}
    return [
        StatementRow(
            seq=first_seq + i,
            article_id=article_id,
            statement_id=s["id"],
            speaker_entity=s.get("speaker"),
            speaker=names.get(s.get("speaker")),
            kind=s.get("kind"),
            attribution=s.get("attribution"),
            content=_joined(text, s.get("content", []), " ... "),
            cue=_joined(text, s.get("cue", []), " "),
            according_to=[a["name"] for a in s.get("according_to", []) if a.get("name")],
            confidence=s.get("confidence"),
            published=article.get("published"),
            outlet=article.get("outlet"),
            story_id=story_id,
            title=article.get("title"),
        )
        for i, s in enumerate(article.get("statements", []))
    ]


def entity_rows(article: dict[str, Any], article_id: str) -> list[EntityRow]:
    return [
        EntityRow(article_id=article_id, entity_id=e["id"], name=e.get("name"), type=e.get("type"),
                  mentions=len(e.get("mentions", [])))
        for e in article.get("entities", [])
    ]


def article_row(item: PendingArticle, pipeline_version: str, stamp: datetime, run_id: str) -> ArticleRow:
    a = item.article
    return ArticleRow(
        article_id=item.article_id, content_hash=item.content_hash,
        key=article_key(item.content_hash, pipeline_version), pipeline_version=pipeline_version,
        record_id=a["id"], outlet=a.get("outlet"), published=a.get("published"), title=a.get("title"),
        url=a.get("url"), story_id=item.story_id, n_statements=len(a.get("statements", [])),
        n_entities=len(a.get("entities", [])), chars=len(a["text"]), analysis=json.dumps(a, ensure_ascii=False),
        added_at=stamp, run_id=run_id,
    )


class Writer:
    """The one writer: buffers rows and writes them in one transaction per `flush()`.

    Every write path of the corpus goes through here, so a batch is all-or-nothing: a process
    killed mid-batch leaves the store as it was after the previous commit. Several writers (two
    ingest processes) may interleave their batches: statement numbers and the articles and
    places already stored are read inside each transaction, never remembered across one.
    """

    def __init__(self, path: str | Path, run_id: str, pipeline_version: str):
        self.path = Path(path)
        self.run_id = run_id
        self.pipeline_version = pipeline_version
        self._open().close()  # creates the store, or fails early
        self._articles: list[PendingArticle] = []
        self._places: list[PlaceRow] = []
        self._rejects: list[RejectRow] = []
        self._skips: list[SkipRow] = []
        self.committed: list[PendingArticle] = []  # articles of the last flush, for the index
        self.near_duplicates = 0  # committed articles that joined an existing story
        self.new_stories = 0

    def _open(self) -> duckdb.DuckDBPyConnection:
        return connect(self.path, read_only=False, wait=300.0)

    def __len__(self) -> int:
        return len(self._articles) + len(self._places) + len(self._rejects) + len(self._skips)

    def add_article(self, item: PendingArticle) -> None:
        self._articles.append(item)
        if not item.replace:  # a re-analyzed article's places are stored already
            self.add_place(item.article_id, item.location, item.article["id"])

    def add_place(self, article_id: str, location: str, record_id: str | None) -> None:
        self._places.append(PlaceRow(article_id=article_id, location=location, record_id=record_id,
                                       seen_at=now(), run_id=self.run_id))

    def add_reject(self, location: str, reason: str, record_id: str | None) -> None:
        self._rejects.append(RejectRow(location=location, reason=reason, record_id=record_id, seen_at=now(),
                                       run_id=self.run_id))

    def add_skip(self, location: str, reason: str, detail: str | None, record_id: str | None) -> None:
        self._skips.append(SkipRow(location=location, reason=reason, detail=detail, record_id=record_id,
                                   seen_at=now(), run_id=self.run_id))

    def flush(self) -> list[StatementRow]:
        """Write everything buffered in one transaction; return the statement rows written so
        the full-text index can follow."""
        if not len(self):
            return []
        con = self._open()
        try:
            con.execute(f"SET memory_limit = '{self._memory_budget() // 2**20}MiB'")
            con.execute("BEGIN")
            indexed = self._write(con)
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            raise
        finally:
            con.close()
        self._articles, self._places, self._rejects, self._skips = [], [], [], []
        return indexed

    def _memory_budget(self) -> int:
        """DuckDB's memory limit for one commit: a floor for the usual batch, more for a batch of
        very long articles. Left at DuckDB's default (80% of RAM), the checkpoint after a commit
        rewrites the last, partly filled row group of each table in memory, so the writer's peak
        grew with the store until the row group filled (measured on 20,000 invented articles
        with a stub analyzer: peak 525 MB, against 431 MB with this budget)."""
        text = sum(len(item.article["text"]) for item in self._articles)
        return max(WRITER_MEMORY, 16 * text)

    def _write(self, con: duckdb.DuckDBPyConnection) -> list[StatementRow]:
        stamp = now()
        replaced = [item.article_id for item in self._articles if item.replace]
        if replaced:  # a re-analyzed article keeps its story
            stories = dict(con.execute(
                "SELECT article_id, story_id FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                [replaced]).fetchall())
            for item in self._articles:
                if item.replace:
                    item.story_id = stories.get(item.article_id, item.article_id)
            for table in (StatementRow, EntityRow, SignatureRow, BandRow, ArticleRow):
                con.execute(f"DELETE FROM {table.TABLE} WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                            [replaced])
        # A second ingest process racing this one may have stored some of these already:
        # drop them here, inside the transaction, so statements are never doubled.
        fresh = [item.article_id for item in self._articles if not item.replace]
        present = set()
        if fresh:
            present = {r[0] for r in con.execute(
                "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [fresh]
            ).fetchall()}
        self._articles = [i for i in self._articles if i.replace or i.article_id not in present]
        near, bands = assign_stories(con, self._articles)
        _insert(con, BandRow, [BandRow(band=b, key=k, article_id=a) for b, k, a in bands])
        fresh_count = sum(1 for i in self._articles if not i.replace)
        self.near_duplicates += near
        self.new_stories += fresh_count - near
        next_seq = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM statements").fetchone()[0]
        articles, statements, entities, signatures = [], [], [], []
        for item in self._articles:
            articles.append(article_row(item, self.pipeline_version, stamp, self.run_id))
            rows = statement_rows(item.article, item.article_id, item.story_id, next_seq)
            next_seq += len(rows)
            statements.extend(rows)
            entities.extend(entity_rows(item.article, item.article_id))
            if item.signature is not None:
                signatures.append(SignatureRow(article_id=item.article_id, signature=item.signature))
        _insert(con, ArticleRow, articles, or_ignore=True)
        _insert(con, StatementRow, statements)
        _insert(con, EntityRow, entities)
        _insert(con, SignatureRow, signatures)
        _insert(con, PlaceRow, _new_places(con, self._places))
        _insert(con, RejectRow, self._rejects, or_ignore=True)
        _insert(con, SkipRow, self._skips, or_ignore=True)
        self.committed = self._articles
        return statements

    def finish_run(self, started: datetime, report: dict[str, Any]) -> None:
        con = self._open()
        try:
            _insert(con, RunRow, [RunRow(run_id=self.run_id, started=started, finished=now(),
                                         pipeline_version=self.pipeline_version, report=json.dumps(report))],
                    or_replace=True)
        finally:
            con.close()


def _new_places(con: duckdb.DuckDBPyConnection, rows: list[PlaceRow]) -> list[PlaceRow]:
    """`rows` without the places already stored (another process may have stored them since this
    one read the store) and without repeats."""
    if not rows:
        return []
    held = set(con.execute(
        "SELECT article_id, location FROM article_places WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [sorted({r.article_id for r in rows})]).fetchall())
    out = []
    for r in rows:
        if (r.article_id, r.location) not in held:
            held.add((r.article_id, r.location))
            out.append(r)
    return out


def _insert(con: duckdb.DuckDBPyConnection, table: type[Row], rows: Sequence[Row], *,
            or_ignore: bool = False, or_replace: bool = False) -> None:
    """Insert `rows` (instances of the row type `table`) with one statement: each column goes in
    as one list parameter and is unnested (executemany runs one statement per row: 0.5 ms a row,
    the main cost of a commit)."""
    if not rows:
        return
    fields = dataclasses.fields(table)
    names = [f.name for f in fields]
    columns = [[getattr(r, name) for r in rows] for name in names]
    select = ", ".join(f"unnest(?::{f.metadata['type']}[])" for f in fields)
    verb = "INSERT OR IGNORE" if or_ignore else "INSERT OR REPLACE" if or_replace else "INSERT"
    con.execute(f"{verb} INTO {table.TABLE} ({', '.join(names)}) SELECT {select}", columns)


def read_rows(cur: duckdb.DuckDBPyConnection, table: type[Row], *, size: int = 10_000) -> Iterable[list[Row]]:
    """Chunks of rows of `table` from a cursor that selected `table.columns()`, in order."""
    names = table.columns()
    while chunk := cur.fetchmany(size):
        yield [table(**dict(zip(names, r))) for r in chunk]
