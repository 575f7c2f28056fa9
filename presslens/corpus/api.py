"""`Corpus`: the library face of the store. CLI commands and web routes call these methods."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from ..errors import Errors, UsageError
from ..options import Options
from . import persons, profiles, queries, store
from .ingest import IngestReport
from .ingest import ingest as _ingest
from .search import Index


class Corpus:
    """A corpus of analyzed articles in a DuckDB file (and a full-text index beside it).

        >>> with Corpus("news.duckdb") as corpus:
        ...     corpus.ingest(["samples/news"])
        ...     corpus.quotes("election", speaker="Trump", limit=10)

    `read_only=True` opens the file only while a call runs, so an ingest running in another
    process can keep writing between calls (and a reader waits for the writer's commit, up to
    `wait` seconds): the store is attached to one in-memory DuckDB of the reader when the first
    of its running calls begins and detached when the last ends, each call on a cursor of its
    own. A writable corpus holds its connection until `close()`.
    """

    def __init__(self, path: str | Path = "presslens.duckdb", *, read_only: bool = False, wait: float = 30.0):
        self.path = Path(path)
        self.read_only = read_only
        self.wait = wait
        self._con: duckdb.DuckDBPyConnection | None = None
        self._index: Index | None = None
        self._running: dict[int, duckdb.DuckDBPyConnection] = {}  # thread id -> its connection in use
        self._lock = threading.Lock()
        self._reader: duckdb.DuckDBPyConnection | None = None  # read-only: the store attached to it
        self._readers = 0  # calls running on the attached store
        self._attach_lock = threading.Lock()
        if read_only:
            with self._connection():  # fail early: no such corpus, not a store
                pass
        else:
            self._con = store.connect(self.path, read_only=False, wait=wait)
            persons.update(self._con)  # articles a killed ingest stored but did not link yet

    # -- life cycle ------------------------------------------------------------------------
    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        if self._index is not None:
            self._index.close()
            self._index = None
        if self._reader is not None:
            with self._attach_lock:
                if self._readers == 0:
                    self._reader.close()
                    self._reader = None

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def interrupt(self, thread: int | None = None) -> None:
        """Stop the query running in `thread` (a `threading.get_ident()`), or every running
        query: it raises `duckdb.InterruptException` in its caller. The web server calls this
        when a query runs past its time limit, so the query stops instead of running on."""
        with self._lock:
            running = [con for t, con in self._running.items() if thread is None or t == thread]
        for con in running:
            con.interrupt()

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if not self.read_only:
            if self._con is None:
                self._con = store.connect(self.path, read_only=False, wait=self.wait)
            with self._in_use(self._con):
                yield self._con
            return
        with self._attach_lock:
            if self._reader is None:
                self._reader = duckdb.connect(":memory:")
            if self._readers == 0:
                store.attach(self._reader, self.path, wait=self.wait)
            self._readers += 1
            con = self._reader.cursor()
        try:
            con.execute(f"USE {store.ATTACHED}")
            store.renamed_tables(con, read_only=True)
            with self._in_use(con):
                yield con
        finally:
            con.close()
            with self._attach_lock:
                self._readers -= 1
                if self._readers == 0:
                    self._reader.execute(f"DETACH {store.ATTACHED}")

    @contextmanager
    def _in_use(self, con: duckdb.DuckDBPyConnection) -> Iterator[None]:
        me = threading.get_ident()
        with self._lock:
            self._running[me] = con
        try:
            yield
        finally:
            with self._lock:
                self._running.pop(me, None)

    def _stream(self, make) -> Iterator[dict[str, Any]]:
        """Yield a query's rows while keeping its connection open, closing it at the end."""
        with self._connection() as con:
            yield from make(con)

    def _search_index(self) -> Index | None:
        path = store.index_path(self.path)
        if self._index is not None and not self._index.current and self._index.rebuilt():
            self._index = None  # a writer has rebuilt the older index this reader held: reopen it
        if self._index is None:
            if self.read_only and not (path / "meta.json").exists():
                return None  # no index (or an empty folder): text search says so ([E305])
            self._index = Index(path, create=not self.read_only)
            if not self.read_only:
                self._index.reconcile(self._con)
        self._index.reload()
        return self._index

    # -- writing ---------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], *, workers: int | None = None, reanalyze: bool = False,
               options: Options | None = None, progress: bool = True, commit_every: int = 64,
               input_format: str | None = None, mapping: Mapping[str, str] | None = None,
               engine: str = "local", address: str | None = None, shards: str | None = None,
               metadata: str | Path | None = None) -> IngestReport:
        """Analyze and store every article of `paths` not yet stored (see presslens.corpus.ingest);
        `input_format` and `mapping` as for `presslens.iter_records`, `metadata` a file of outlets,
        dates, urls and titles (presslens.inputs.metadata); then link the new speakers to the corpus's
        persons (presslens.corpus.persons).

        `engine="ray"` runs the analysis on Ray (`address`; `workers` actors) through Parquet
        `shards` (default `<path>.shards/`), then loads them."""
        if self.read_only:
            raise UsageError(Errors.E312.format(path=self.path, action="ingest"))
        self.close()  # the writer opens and closes its own connections, batch by batch
        report = _ingest(self.path, [str(p) for p in paths], workers=workers, reanalyze=reanalyze,
                         options=options, progress=progress, commit_every=commit_every,
                         input_format=input_format, mapping=mapping, engine=engine, address=address,
                         shards=shards, metadata=metadata)
        self._link_new_speakers()
        return report

    def load(self, shards: Iterable[str | Path], *, pipeline: str = "default", reanalyze: bool = False,
             progress: bool = True) -> IngestReport:
        """Store the records of Parquet shards written by a distributed ingest (files, folders,
        globs, fsspec URLs) with `pipeline` (`--pipeline` of that ingest): dedup, stories and
        full-text index as for `ingest`; then link the new speakers to the corpus's persons."""
        if self.read_only:
            raise UsageError(Errors.E312.format(path=self.path, action="load shards"))
        from .shards import load

        self.close()
        report = load(self.path, [str(s) for s in shards], pipeline=pipeline, reanalyze=reanalyze, progress=progress)
        self._link_new_speakers()
        return report

    def _link_new_speakers(self) -> None:
        con = store.connect(self.path, read_only=False, wait=300.0)  # closed again, as the writer's are
        try:
            persons.update(con)
        finally:
            con.close()

    def link_speakers(self) -> dict[str, int]:
        """Link the speakers of articles not linked yet to the corpus's persons (ingest does it)."""
        self._writable("link speakers")
        with self._connection() as con:
            return persons.update(con)

    def merge_speakers(self, into: str, other: str) -> dict[str, Any]:
        """Make `other` (a person id or name) part of `into`; kept across re-ingests."""
        self._writable("merge speakers")
        with self._connection() as con:
            return persons.merge(con, into, other)

    def split_speakers(self, ref: str, aliases: Iterable[str]) -> list[dict[str, Any]]:
        """Take `aliases` out of person `ref` into persons of their own; kept across re-ingests."""
        self._writable("split speakers")
        with self._connection() as con:
            return persons.split(con, ref, aliases)

    def _writable(self, what: str) -> None:
        if self.read_only:
            raise UsageError(Errors.E312.format(path=self.path, action=what))

    def reindex(self) -> int:
        """Rebuild the full-text index from the store; return how many statements it holds."""
        with self._connection() as con:
            index = self._search_index() or Index(store.index_path(self.path))
            return index.rebuild(con)

    def check(self, *, repair: bool = False) -> dict[str, Any]:
        """Compare the full-text index with the store, and the store's places with themselves:
        statements the index lacks (`missing`), holds but the store does not (`stale`) or holds
        twice (`doubled`), and places stored twice (`doubled_places`). With `repair`, fix them
        (the index is rebuilt when it is absent or in an older format). `ok` is True when nothing
        is (or, after repair, remains) wrong."""
        if repair and self.read_only:
            raise UsageError(Errors.E312.format(path=self.path, action="repair it"))
        path = store.index_path(self.path)
        with self._connection() as con:
            statements = con.execute("SELECT count(*) FROM statements").fetchone()[0]
            places = con.execute("SELECT count(*) - count(DISTINCT (article_id, location)) "
                                 "FROM article_places").fetchone()[0]
            report: dict[str, Any] = {"db": str(self.path), "index": str(path), "statements": statements,
                                      "doubled_places": places}
            if not (path / "meta.json").exists():
                state, drift = "absent", {"missing": [], "stale": [], "doubled": []}
            else:
                index = Index(path, create=False)
                state = "current" if index.current else "older format"
                drift = index.drift(con) if index.current else {"missing": [], "stale": [], "doubled": []}
            report["index_state"] = state
            report.update({k: len(v) for k, v in drift.items()})
            report["examples"] = {k: v[:10] for k, v in drift.items() if v}
            problems = state != "current" and statements > 0 or places > 0 or any(drift.values())
            report["repaired"] = False
            if repair and problems:
                if self._index is not None:
                    self._index.close()
                    self._index = None
                if state != "current":
                    Index(path).rebuild(con)
                else:
                    Index(path).repair(con, drift)
                if places:
                    con.execute("DELETE FROM article_places WHERE rowid NOT IN "
                                "(SELECT min(rowid) FROM article_places GROUP BY article_id, location)")
                report["repaired"] = True
                after = Index(path, create=False).drift(con)
                problems = any(after.values())
            report["ok"] = not problems
            return report

    # -- reading ---------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        with self._connection() as con:
            return queries.stats(con)

    def quotes(self, text: str | None = None, *, speaker: str | None = None, outlet: str | None = None,
               since: str | None = None, until: str | None = None, kind: str | None = None,
               limit: int | None = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Statements matching `text` (BM25 over the statement content, best first) and the filters."""
        queries._where(speaker=speaker, outlet=outlet, since=since, until=until, kind=kind)  # validate
        with self._connection() as con:
            return queries.quotes(con, self._search_index(), text, limit=limit, offset=offset, speaker=speaker,
                                  outlet=outlet, since=since, until=until, kind=kind)

    def iter_quotes(self, text: str | None = None, *, limit: int | None = None, offset: int = 0,
                    **filters) -> Iterator[dict[str, Any]]:
        """Like `quotes`, every match (or `limit`), streamed (for exports)."""
        queries._where(**filters)
        return self._stream(lambda con: queries.iter_quotes(con, self._search_index(), text, limit=limit,
                                                            offset=offset, **filters))

    def quote_facets(self, text: str | None = None, *, top: int | None = 20,
                     **filters) -> dict[str, list[dict[str, Any]]]:
        """Counts of matching statements by `speaker`, `outlet`, `kind` and `month` (the top `top`
        speakers and outlets; every one with `top=None`)."""
        queries._where(**filters)
        with self._connection() as con:
            return queries.quote_facets(con, self._search_index(), text, top=top, **filters)

    def count_quotes(self, text: str | None = None, **filters) -> int:
        """How many statements `iter_quotes(text, **filters)` gives (for paging)."""
        queries._where(**filters)
        with self._connection() as con:
            return queries.count_quotes(con, self._search_index(), text, **filters)

    def search_counts(self, text: str | None = None, **filters) -> dict[str, int]:
        """`{"total": count_quotes(...), "undated": undated(...)}` in one call."""
        return {"total": self.count_quotes(text, **filters), "undated": self.undated(text, **filters)}

    def undated(self, text: str | None = None, **filters) -> int:
        """Statements matching `text` and the filters except `since`/`until` that have no date, so
        a date filter leaves them out (0 without a date filter). The CLI and the web say so."""
        queries._where(**filters)
        with self._connection() as con:
            return queries.undated(con, self._search_index(), text, **filters)

    def speakers(self, *, by: str | None = None, since=None, until=None, outlet=None,
                 limit: int | None = None, offset: int = 0, per_outlet: int | None = None) -> list[dict[str, Any]]:
        """Persons by statements, most first: `person_id`, `speaker` (canonical name), `kind`,
        `statements`, `articles`, `stories`, `outlets`, `aliases`; per outlet with `by="outlet"`
        (each outlet's `per_outlet` most quoted only, when given)."""
        return list(self.iter_speakers(by=by, since=since, until=until, outlet=outlet, limit=limit, offset=offset,
                                       per_outlet=per_outlet))

    def iter_speakers(self, **kw) -> Iterator[dict[str, Any]]:
        queries._where(outlet=kw.get("outlet"), since=kw.get("since"), until=kw.get("until"))  # validate
        return self._stream(lambda con: queries.speakers(con, **kw))

    def count_speakers(self, *, by: str | None = None, since=None, until=None, outlet=None) -> int:
        """How many rows `speakers()` gives for these filters (for paging)."""
        queries._where(outlet=outlet, since=since, until=until)
        with self._connection() as con:
            return queries.count_speakers(con, by=by, since=since, until=until, outlet=outlet)

    def speakers_page(self, *, limit: int = 100, offset: int = 0, **filters) -> dict[str, Any]:
        """One page of `speakers()` and the count of all of them: `{"total": N, "speakers": [...]}`."""
        return {"total": self.count_speakers(**filters),
                "speakers": self.speakers(limit=limit, offset=offset, **filters)}

    def speaker_or_none(self, ref: str, **filters) -> dict[str, Any] | None:
        """`speaker(ref)`, or None when the corpus has no persons or none by that name."""
        try:
            return self.speaker(ref, **filters)
        except UsageError:
            return None

    def speaker(self, ref: str, *, outlet=None, since=None, until=None) -> dict[str, Any]:
        """One person's profile (presslens.corpus.profiles): aliases, roles and titles over time,
        statements by month and outlet, how its aliases were linked. `ref`: a person id or a name."""
        queries._where(outlet=outlet, since=since, until=until)
        with self._connection() as con:
            if not persons.has_persons(con):
                raise UsageError(Errors.E353.format(path=self.path))
            return profiles.profile(con, ref, outlet=outlet, since=since, until=until)

    def relays(self, *, since=None, until=None) -> list[dict[str, Any]]:
        return list(self.iter_relays(since=since, until=until))

    def iter_relays(self, **kw) -> Iterator[dict[str, Any]]:
        return self._stream(lambda con: queries.relays(con, **kw))

    def timeline(self, speaker: str, *, outlet=None, since=None, until=None, limit: int | None = None,
                 offset: int = 0) -> list[dict[str, Any]]:
        """`speaker`'s statements, oldest first (undated last): every one, or `limit` from `offset`."""
        return list(self.iter_timeline(speaker, outlet=outlet, since=since, until=until, limit=limit,
                                       offset=offset))

    def iter_timeline(self, speaker: str, *, limit: int | None = None, offset: int = 0,
                      **kw) -> Iterator[dict[str, Any]]:
        """Like `timeline`, streamed (for exports)."""
        queries._where(speaker=speaker, **kw)
        return self._stream(lambda con: queries.timeline(con, speaker, index=self._search_index(), limit=limit,
                                                         offset=offset, **kw))

    def article(self, article_id: str) -> dict[str, Any] | None:
        with self._connection() as con:
            return queries.article(con, article_id)

    def counts_over_time(self, *, by: str = "month") -> list[dict[str, Any]]:
        with self._connection() as con:
            return queries.counts_over_time(con, by=by)

    def rejects(self) -> list[dict[str, Any]]:
        return list(self.iter_rejects())

    def iter_rejects(self) -> Iterator[dict[str, Any]]:
        return self._stream(queries.rejects)

    def skipped(self) -> list[dict[str, Any]]:
        """Input records that are not articles (WARC requests, 404s, PDFs, other languages, ...),
        counted by reason and detail."""
        return list(self._stream(queries.skipped))
