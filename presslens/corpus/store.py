"""The DuckDB store: schema, connections that wait for the lock, and the single writer.

DuckDB lets one process write a database file, and a process cannot open it at all (not even
read-only) while another holds it for writing. So the writer commits in batches and *closes*
its connection between batches, and every opener retries for a while when the file is locked:
readers (`presslens quotes`, the web server) get in between two batches, and the writer waits
for a reader's short query to finish. See docs/corpus.md, "Reading while ingesting".
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from ..errors import UsageError
from .dedup import assign_stories

SCHEMA_VERSION = "1"
WRITER_MEMORY = 64 * 2**20  # bytes DuckDB may hold while committing an ordinary batch

# Run on every writable open (idempotent). Keys only where reads need them: `articles` (article
# lookups) and `statements.seq` (fetching full-text hits: without it, a scan of every statement).
# Places and signatures are written once, with their article, by the one writer.
SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR PRIMARY KEY,      -- first 16 hex digits of content_hash: stable across versions
    content_hash VARCHAR NOT NULL,       -- sha256 of the normalised text
    key VARCHAR NOT NULL,                -- sha256(content_hash:pipeline_version)
    pipeline_version VARCHAR NOT NULL,
    record_id VARCHAR,                   -- the id of the first copy read
    outlet VARCHAR,
    published DATE,
    title VARCHAR,
    url VARCHAR,
    story_id VARCHAR NOT NULL,           -- near-duplicates share one story (the first article's id)
    n_statements INTEGER,
    n_entities INTEGER,
    chars INTEGER,
    analysis VARCHAR,                    -- the full presslens/1 JSON
    added_at TIMESTAMP,
    run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS article_sources (
    article_id VARCHAR NOT NULL,
    location VARCHAR NOT NULL,           -- file:line or file, as the reader names it
    record_id VARCHAR,
    seen_at TIMESTAMP,
    run_id VARCHAR                       -- (article_id, location) is unique: ingest checks it
);
CREATE TABLE IF NOT EXISTS statements (
    seq BIGINT PRIMARY KEY,              -- corpus-wide row number; the full-text index's key
    article_id VARCHAR NOT NULL,
    statement_id VARCHAR NOT NULL,
    speaker_entity VARCHAR,
    speaker VARCHAR,                     -- canonical entity name (pronouns resolved)
    kind VARCHAR,
    attribution VARCHAR,
    content VARCHAR,
    cue VARCHAR,
    according_to VARCHAR[],
    confidence DOUBLE,
    published DATE,
    outlet VARCHAR,
    story_id VARCHAR,
    title VARCHAR
);
CREATE TABLE IF NOT EXISTS entities (
    article_id VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    name VARCHAR,
    type VARCHAR,
    mentions INTEGER
);
CREATE TABLE IF NOT EXISTS minhashes (
    article_id VARCHAR NOT NULL,
    signature BLOB
);
CREATE TABLE IF NOT EXISTS lsh_bands (      -- MinHash LSH bands, for near-duplicate stories
    band UTINYINT NOT NULL,
    key BIGINT NOT NULL,
    article_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS rejects (
    location VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    record_id VARCHAR,
    seen_at TIMESTAMP,
    run_id VARCHAR,
    PRIMARY KEY (location, reason)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    started TIMESTAMP,
    finished TIMESTAMP,
    pipeline_version VARCHAR,
    report VARCHAR
);
"""

_SPACES = re.compile(r"\s+")
_LOCKED = ("lock", "Conflicting lock", "already open")


def normalise(text: str) -> str:
    """The text that the content hash covers: NFC, whitespace runs collapsed, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


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
    if read_only and not path.exists():
        raise UsageError(f"[E301] No corpus at {path}: run `presslens ingest PATH... --db {path}` first.")
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not any(s in str(exc) for s in _LOCKED) or time.monotonic() > deadline:
                raise UsageError(
                    f"[E302] Cannot open {path}: {exc}. Another process is writing it; "
                    f"wait for it to finish (or for its next commit) and try again."
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5 if read_only else 0.05)  # the writer must not starve behind readers
    if not read_only:
        con.execute(SCHEMA_SQL)
        con.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
        )
    return con


def _joined(text: str, spans: list, sep: str) -> str:
    return sep.join(text[s:e] for s, e in spans)


def statement_rows(article: dict[str, Any], article_id: str, story_id: str, first_seq: int) -> list[tuple]:
    """The `statements` rows of one presslens/1 article, numbered from `first_seq`."""
    text = article["text"]
    names = {e["id"]: e["name"] for e in article.get("entities", [])}
    rows = []
    for i, s in enumerate(article.get("statements", [])):
        rows.append((
            first_seq + i,
            article_id,
            s["id"],
            s.get("speaker"),
            names.get(s.get("speaker")),
            s.get("kind"),
            s.get("attribution"),
            _joined(text, s.get("content", []), " ... "),
            _joined(text, s.get("cue", []), " "),
            [a["name"] for a in s.get("according_to", []) if a.get("name")],
            s.get("confidence"),
            article.get("published"),
            article.get("outlet"),
            story_id,
            article.get("title"),
        ))
    return rows


def entity_rows(article: dict[str, Any], article_id: str) -> list[tuple]:
    return [
        (article_id, e["id"], e.get("name"), e.get("type"), len(e.get("mentions", [])))
        for e in article.get("entities", [])
    ]


class Writer:
    """The one writer: buffers rows and writes them in one transaction per `flush()`.

    Every write path of the corpus goes through here, so a batch is all-or-nothing: a process
    killed mid-batch leaves the store as it was after the previous commit.
    """

    def __init__(self, path: str | Path, run_id: str, pipeline_version: str):
        self.path = Path(path)
        self.run_id = run_id
        self.pipeline_version = pipeline_version
        with self._open() as con:
            self.next_seq = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM statements").fetchone()[0]
        self._articles: list[dict[str, Any]] = []
        self._sources: list[tuple] = []
        self._rejects: list[tuple] = []
        self.committed: list[dict[str, Any]] = []  # articles of the last flush, for the index
        self.near_duplicates = 0  # committed articles that joined an existing story
        self.new_stories = 0

    def _open(self) -> duckdb.DuckDBPyConnection:
        return connect(self.path, read_only=False, wait=300.0)

    def __len__(self) -> int:
        return len(self._articles) + len(self._sources) + len(self._rejects)

    def add_article(self, item: dict[str, Any]) -> None:
        """`item`: article (presslens/1 dict), article_id, content_hash, signature, location,
        replace (True when an older analysis of the same text is superseded), and story_id
        (None: assigned at commit, against the stored stories)."""
        self._articles.append(item)
        if not item.get("replace"):  # a re-analysed article's places are stored already
            self.add_source(item["article_id"], item["location"], item["article"]["id"])

    def add_source(self, article_id: str, location: str, record_id: str | None) -> None:
        self._sources.append((article_id, location, record_id, now(), self.run_id))

    def add_reject(self, location: str, reason: str, record_id: str | None) -> None:
        self._rejects.append((location, reason, record_id, now(), self.run_id))

    def flush(self) -> list[dict[str, Any]]:
        """Write everything buffered in one transaction; return the statement rows written
        (as dicts with `seq`) so the full-text index can follow."""
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
        self._articles, self._sources, self._rejects = [], [], []
        return indexed

    def _memory_budget(self) -> int:
        """DuckDB's memory limit for one commit: a floor for the usual batch, more for a batch of
        very long articles. Left at DuckDB's default (80% of RAM), the checkpoint after a commit
        rewrites the last, partly filled row group of each table in memory, so the writer's peak
        grew with the store until the row group filled (measured on 20,000 invented articles
        with a stub analyser: peak 525 MB, against 431 MB with this budget)."""
        text = sum(len(item["article"]["text"]) for item in self._articles)
        return max(WRITER_MEMORY, 16 * text)

    def _write(self, con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
        stamp = now()
        replaced = [item["article_id"] for item in self._articles if item.get("replace")]
        if replaced:  # a re-analysed article keeps its story
            stories = dict(con.execute(
                "SELECT article_id, story_id FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                [replaced]).fetchall())
            for item in self._articles:
                if item.get("replace"):
                    item["story_id"] = stories.get(item["article_id"], item["article_id"])
            for table in ("statements", "entities", "minhashes", "lsh_bands", "articles"):
                con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [replaced])
        # A second ingest process racing this one may have stored some of these already:
        # drop them here, inside the transaction, so statements are never doubled.
        fresh = [item["article_id"] for item in self._articles if not item.get("replace")]
        present = set()
        if fresh:
            present = {r[0] for r in con.execute(
                "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [fresh]
            ).fetchall()}
        self._articles = [i for i in self._articles if i.get("replace") or i["article_id"] not in present]
        near = assign_stories(con, self._articles)
        fresh_count = sum(1 for i in self._articles if not i.get("replace"))
        self.near_duplicates += near
        self.new_stories += fresh_count - near
        article_rows, stmt_rows, ent_rows, sig_rows, indexed = [], [], [], [], []
        for item in self._articles:
            a = item["article"]
            aid = item["article_id"]
            article_rows.append((
                aid, item["content_hash"], article_key(item["content_hash"], self.pipeline_version),
                self.pipeline_version, a["id"], a.get("outlet"), a.get("published"), a.get("title"),
                a.get("url"), item["story_id"], len(a.get("statements", [])), len(a.get("entities", [])),
                len(a["text"]), json.dumps(a, ensure_ascii=False), stamp, self.run_id,
            ))
            rows = statement_rows(a, aid, item["story_id"], self.next_seq)
            self.next_seq += len(rows)
            stmt_rows.extend(rows)
            ent_rows.extend(entity_rows(a, aid))
            if item.get("signature") is not None:
                sig_rows.append((aid, item["signature"]))
            indexed.extend(
                {"seq": r[0], "article_id": aid, "speaker": r[4], "kind": r[5], "content": r[7],
                 "published": r[11], "outlet": r[12]}
                for r in rows
            )
        _insert(con, "INSERT OR IGNORE INTO articles VALUES (" + ",".join("?" * 16) + ")", article_rows)
        _insert(con, "INSERT INTO statements VALUES (" + ",".join("?" * 15) + ")", stmt_rows)
        _insert(con, "INSERT INTO entities VALUES (?,?,?,?,?)", ent_rows)
        _insert(con, "INSERT INTO minhashes VALUES (?,?)", sig_rows)
        _insert(con, "INSERT INTO article_sources VALUES (?,?,?,?,?)", self._sources)
        _insert(con, "INSERT OR IGNORE INTO rejects VALUES (?,?,?,?,?)", self._rejects)
        self.committed = self._articles
        return indexed

    def finish_run(self, started: datetime, report: dict[str, Any]) -> None:
        con = self._open()
        try:
            con.execute(
                "INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?)",
                [self.run_id, started, now(), self.pipeline_version, json.dumps(report)],
            )
        finally:
            con.close()


_TYPES: dict[str, list[str]] = {}


def _insert(con: duckdb.DuckDBPyConnection, sql: str, rows: Iterable[tuple]) -> None:
    """Insert `rows` with one statement: each column goes in as one list parameter and is
    unnested (executemany runs one statement per row: 0.5 ms a row, the main cost of a commit)."""
    rows = list(rows)
    if not rows:
        return
    head, table = sql.split(" VALUES")[0], sql.split("INTO ")[1].split()[0]
    if table not in _TYPES:
        _TYPES[table] = [r[1] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    types = _TYPES[table]
    columns = [list(col) for col in zip(*rows)]
    select = ", ".join(f"unnest(?::{t}[])" for t in types)
    con.execute(f"{head} SELECT {select}", columns)
