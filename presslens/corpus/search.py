"""The full-text index of statements: tantivy (BM25), in a folder beside the DuckDB file.

DuckDB is the truth; the index follows it. Each indexed statement carries its `seq` (the
statements table's key). The writer commits DuckDB first, then the index, so after a crash the
index can only lag: `reconcile()` finds the highest `seq` in the index and indexes the rest
from DuckDB. Hits are always joined back to DuckDB by `seq`, so a stale hit (a statement
replaced by `--reanalyze` whose index deletion was lost) simply drops out.
"""

from __future__ import annotations

import json
import re
import os
import shutil
import tempfile
import time
import weakref
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import tantivy

from ..errors import Errors, UsageError
from .store import StatementRow, read_rows

EPOCH = date(1970, 1, 1)
# Word characters without "_": tantivy's default tokenizer splits on anything not alphanumeric.
_TOKEN = re.compile(r"[^\W_]+")
# The query language's operators; used only for the fallback when lenient parsing fails.
_SYNTAX = re.compile(r"[^\w\s]+")
# `name:` addresses a field in tantivy's query language; text search is over the content only.
_FIELD = re.compile(r"(\w+)\s*:")
WRITER_HEAP = 64_000_000
# 2: fast facet fields (speaker_name, outlet_name, kind, month). Version 1 had no marker file.
INDEX_VERSION = 2
MARKER = "presslens-index.json"
# Every bucket of a terms aggregation, so counts and tie order are exact (sorted here, as in SQL).
ALL_BUCKETS = 1_000_000_000
# From this offset on, `by_date` first keeps only the days the page falls in (counted by an
# aggregation) instead of fetching and sorting every hit before the page.
DEEP_PAGE = 2_000


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("seq", stored=True, indexed=True, fast=True)
    b.add_text_field("article_id", stored=False, tokenizer_name="raw")
    b.add_text_field("content", stored=False, tokenizer_name="en_stem")
    b.add_text_field("speaker", stored=False, tokenizer_name="default")
    b.add_text_field("outlet", stored=False, tokenizer_name="raw")  # lowercased
    b.add_text_field("kind", stored=False, fast=True, tokenizer_name="raw")
    b.add_integer_field("day", stored=False, indexed=True, fast=True)  # days since 1970-01-01
    # Facet values exactly as DuckDB holds them (version 2).
    b.add_text_field("speaker_name", stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("outlet_name", stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("month", stored=False, fast=True, tokenizer_name="raw", index_option="basic")  # YYYY-MM
    return b.build()


def day_number(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return (value - EPOCH).days


def month(value: Any) -> str | None:
    """`YYYY-MM`, as DuckDB's `strftime(published, '%Y-%m')` writes it."""
    if value is None:
        return None
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.year:04d}-{value.month:02d}"


def _undated(query: tantivy.Query) -> tantivy.Query:
    """The hits of `query` without a date."""
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, query),
                                        (tantivy.Occur.MustNot, tantivy.Query.exists_query("day"))])


class _ReadOnlyView:
    """A folder of links to the files of an index the reader may not write to (a read-only mount,
    another user's corpus). tantivy takes a lock file in the index folder even to read; here it
    takes it in the view, and the segment files are read through the links."""

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        self.path = Path(tempfile.mkdtemp(prefix="presslens-index-view-"))
        weakref.finalize(self, shutil.rmtree, str(self.path), True)
        self.refresh()

    @classmethod
    def of(cls, index_dir: Path) -> _ReadOnlyView | None:
        """A view when `index_dir` cannot be written to, else None."""
        locks = [index_dir / name for name in (".tantivy-meta.lock", ".tantivy-writer.lock")]
        if os.access(index_dir, os.W_OK) and all(os.access(p, os.W_OK) for p in locks if p.exists()):
            return None
        return cls(index_dir)

    def refresh(self) -> None:
        """Link the files a writer added since, drop those it removed."""
        have = {p.name for p in self.path.iterdir() if not p.name.startswith(".tantivy-")}
        there = {p.name for p in self.index_dir.iterdir() if not p.name.startswith(".tantivy-")}
        for name in have - there:
            (self.path / name).unlink()
        for name in there - have:
            (self.path / name).symlink_to(self.index_dir.resolve() / name)


def words(text: str) -> list[str]:
    """Tokens as tantivy's default tokenizer makes them (lowercased word characters)."""
    return [w.lower() for w in _TOKEN.findall(text)]


class Index:
    """A tantivy index of statements at `path`."""

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        self.schema = _schema()
        self.current = True  # in the format of INDEX_VERSION: fast facets and timelines
        held = self._version()
        if create:
            if held is not None and held != INDEX_VERSION:
                shutil.rmtree(self.path)  # an older format: start afresh, reconcile() refills it
                held = None
            self.path.mkdir(parents=True, exist_ok=True)
            if held is None:  # the marker first: a reader never sees a new index without it
                (self.path / MARKER).write_text(json.dumps({"version": INDEX_VERSION}) + "\n")
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        else:
            if held is None:  # never an empty index in its place: the reader would find nothing
                raise UsageError(Errors.E305)
            self._view = _ReadOnlyView.of(self.path)
            where = str(self._view.path if self._view else self.path)
            if held == INDEX_VERSION:
                self.index = tantivy.Index(self.schema, path=where, reuse=True)
            else:
                # A reader must not rewrite the index: use it in its own schema (the searchable
                # fields are the same) and let the queries count and sort in DuckDB.
                self.index = tantivy.Index.open(where)
                self.schema = self.index.schema
                self.current = False
        self._writer = None
        self.heap, self.threads = WRITER_HEAP, 1  # bulk loads raise these

    _view: _ReadOnlyView | None = None

    def reload(self) -> None:
        """See the latest commit (of another process)."""
        if self._view is not None:
            self._view.refresh()
        self.index.reload()

    def _version(self) -> int | None:
        """The format of the index at `path`; None when there is none yet."""
        if not (self.path / "meta.json").exists():
            return None
        try:
            return int(json.loads((self.path / MARKER).read_text())["version"])
        except FileNotFoundError:
            return 1
        except (ValueError, KeyError, TypeError):
            return 0  # an unreadable marker: treat as outdated

    def rebuilt(self) -> bool:
        """Whether the folder now holds an index in the current format (for a reader of an older one)."""
        return self._version() == INDEX_VERSION

    # -- writing ---------------------------------------------------------------------------
    def writer(self, *, wait: float = 300.0) -> tantivy.IndexWriter:
        """The index's writer, waiting up to `wait` seconds while another process (a second
        ingest) holds it: each holds it only from one batch's first document to its commit."""
        deadline = time.monotonic() + wait
        delay = 0.02
        while self._writer is None:
            try:
                self._writer = self.index.writer(heap_size=self.heap, num_threads=self.threads)
            except ValueError as exc:
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise UsageError(Errors.E314.format(path=self.path)) from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        return self._writer

    def add(self, rows: Iterable[StatementRow], *, replace_articles: Iterable[str] = ()) -> int:
        w = self.writer()
        for aid in replace_articles:
            w.delete_documents_by_term("article_id", aid)
        n = 0
        for r in rows:
            doc = tantivy.Document()
            doc.add_integer("seq", int(r.seq))
            doc.add_text("article_id", r.article_id)
            doc.add_text("content", r.content or "")
            speaker, outlet, kind = r.speaker, r.outlet, r.kind
            if speaker:
                doc.add_text("speaker", speaker)
            if speaker is not None:
                doc.add_text("speaker_name", speaker)
            if outlet:
                doc.add_text("outlet", outlet.lower())
            if outlet is not None:
                doc.add_text("outlet_name", outlet)
            if kind is not None:
                doc.add_text("kind", kind)
            day = day_number(r.published)
            if day is not None:
                doc.add_integer("day", day)
                doc.add_text("month", month(r.published))
            w.add_document(doc)
            n += 1
        return n

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        self.index.reload()

    def max_seq(self) -> int:
        self.reload()
        searcher = self.index.searcher()
        if searcher.num_docs == 0:
            return 0
        hits = searcher.search(tantivy.Query.all_query(), 1, count=False, order_by_field="seq").hits
        return int(hits[0][0]) if hits else 0

    def reconcile(self, con, *, batch: int = 50_000) -> int:
        """Index the statements DuckDB has and the index lacks; return how many were added.

        The index's highest `seq` is a watermark: every statement up to it is indexed. Past it,
        whole articles are indexed in `seq` order, a commit never ending inside an article, so a
        build killed at any moment and resumed loses nothing. When resuming, each article with a
        statement past the watermark is first deleted from the index and then added whole: it
        may have older statements there (a lost `--reanalyze` delete) or, from an older version
        that split articles across commits, only some of its own.
        """
        start = self.max_seq()
        cols = ", ".join(StatementRow.columns())
        if start:
            cur = con.execute(
                f"SELECT {cols} FROM statements WHERE article_id IN "
                "(SELECT DISTINCT article_id FROM statements WHERE seq > ?) ORDER BY seq", [start])
        else:
            cur = con.execute(f"SELECT {cols} FROM statements ORDER BY seq")
        total = 0
        pending: list[StatementRow] = []

        def commit(rows: list[StatementRow]) -> None:
            nonlocal total
            total += self.add(rows, replace_articles=sorted({r.article_id for r in rows}) if start else ())
            self.commit()

        for rows in read_rows(cur, StatementRow, size=batch):
            for row in rows:
                if len(pending) >= batch and row.article_id != pending[-1].article_id:
                    commit(pending)
                    pending = []
                pending.append(row)
        if pending:
            commit(pending)
        return total

    def drift(self, con) -> dict[str, list[int]]:
        """How the index differs from the store: `missing` (stored statements it lacks), `stale`
        (documents of statements no longer stored) and `doubled` (statements it holds twice)."""
        stored = {r[0] for r in con.execute("SELECT seq FROM statements").fetchall()}
        self.reload()
        held: dict[int, int] = {}
        for seq in self.seqs(tantivy.Query.all_query()):
            held[seq] = held.get(seq, 0) + 1
        return {"missing": sorted(stored - held.keys()), "stale": sorted(held.keys() - stored),
                "doubled": sorted(s for s, n in held.items() if n > 1 and s in stored)}

    def repair(self, con, drift: dict[str, list[int]], *, batch: int = 50_000) -> int:
        """Make the index hold each stored statement once: delete the stale and doubled documents,
        add the missing and doubled statements. Returns how many documents were added."""
        w = self.writer()
        for seq in (*drift["stale"], *drift["doubled"]):
            w.delete_documents_by_term("seq", seq)
        todo = sorted({*drift["missing"], *drift["doubled"]})
        added = 0
        for i in range(0, len(todo), batch):
            cur = con.execute(f"SELECT {', '.join(StatementRow.columns())} FROM statements "
                              "WHERE seq IN (SELECT unnest(?::BIGINT[])) ORDER BY seq", [todo[i:i + batch]])
            for rows in read_rows(cur, StatementRow, size=batch):
                added += self.add(rows)
        self.commit()
        return added

    def rebuild(self, con) -> int:
        self.close()
        shutil.rmtree(self.path, ignore_errors=True)
        self.__init__(self.path)
        return self.reconcile(con)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    # -- searching -------------------------------------------------------------------------
    def query(
        self,
        text: str | None,
        *,
        speaker: str | None = None,
        outlet: str | None = None,
        kind: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> tantivy.Query:
        """A query for `text` (tantivy's query language, parsed leniently; every statement when
        None or blank) and the filters. `since`/`until`: ISO dates or `date`s."""
        base = self._text_query(text) if text and text.strip() else tantivy.Query.all_query()
        parts = [(tantivy.Occur.Must, base)]
        if speaker:
            toks = words(speaker)
            if not toks:  # no word to match, as the SQL filter matches nothing
                q = tantivy.Query.empty_query()
            elif len(toks) == 1:
                q = tantivy.Query.term_query(self.schema, "speaker", toks[0])
            else:
                q = tantivy.Query.phrase_query(self.schema, "speaker", toks)
            parts.append((tantivy.Occur.Must, q))
        if outlet:
            parts.append((tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "outlet", outlet.lower())))
        if kind:
            parts.append((tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "kind", kind)))
        if since or until:
            parts.append((tantivy.Occur.Must, tantivy.Query.range_query(
                self.schema, "day", tantivy.FieldType.Integer, day_number(since), day_number(until))))
        return parts[0][1] if len(parts) == 1 else tantivy.Query.boolean_query(parts)

    def _text_query(self, text: str) -> tantivy.Query:
        text = _FIELD.sub(r"\1 ", text)  # the content only: `speaker:x` or `article_id:y` is two words
        try:
            q, _errors = self.index.parse_query_lenient(text, ["content"])
            return q
        except ValueError:
            # Lenient parsing still refuses a few inputs: search the plain words instead.
            q, _errors = self.index.parse_query_lenient(_SYNTAX.sub(" ", text), ["content"])
            return q

    def search(self, query: tantivy.Query, *, limit: int, offset: int = 0) -> list[tuple[int, float]]:
        """(seq, score) of the best hits, best first."""
        searcher = self.index.searcher()
        if limit <= 0:
            return []
        res = searcher.search(query, limit, count=False, offset=offset)
        seqs = searcher.fast_field_values("seq", [addr for _, addr in res.hits])
        return [(int(seq), float(score)) for seq, (score, _) in zip(seqs, res.hits)]

    def count(self, query: tantivy.Query) -> int:
        return self.index.searcher().search(query, 1, count=True).count

    def iter_hits(self, query: tantivy.Query, *, page: int = 10_000) -> Iterator[tuple[int, float]]:
        """Every hit, best first, a page at a time (no cap)."""
        offset = 0
        while True:
            hits = self.search(query, limit=page, offset=offset)
            yield from hits
            if len(hits) < page:
                return
            offset += page

    def facets(self, query: tantivy.Query, fields: dict[str, str]) -> dict[str, list[tuple[str, int]]]:
        """`{name: [(value, count), ...]}` over every hit of `query`, for `fields`
        (`{name: fast field}`), counted by tantivy; every value, in no particular order."""
        aggs = {name: {"terms": {"field": field, "size": ALL_BUCKETS, "segment_size": ALL_BUCKETS}}
                for name, field in fields.items()}
        result = self.index.searcher().aggregate(query, aggs)
        return {name: [(b["key"], int(b["doc_count"])) for b in result[name]["buckets"]] for name in fields}

    def _dated(self, searcher, query: tantivy.Query, limit: int, newest_first: bool) -> list[tuple[Any, Any]]:
        order = tantivy.Order.Desc if newest_first else tantivy.Order.Asc
        return searcher.search(query, limit, count=False, order_by_field="day", order=order).hits

    def by_date(self, query: tantivy.Query, *, limit: int, offset: int = 0,
                newest_first: bool = True) -> list[int]:
        """The `seq`s of `query`'s hits ordered by date (undated last), ties by `seq`, as SQL's
        `ORDER BY published [DESC] NULLS LAST, seq`: the page `offset`, `offset + limit`.

        tantivy orders by `day` exactly but breaks ties by its own document order, so the hits
        sharing the last day of the page are all fetched (one more query) and sorted here."""
        if limit <= 0:
            return []
        searcher = self.index.searcher()
        if offset >= DEEP_PAGE:
            query, offset = self._skip_days(searcher, query, offset, limit, newest_first)
        want = offset + limit
        hits = self._dated(searcher, query, want, newest_first)
        if len(hits) == want:
            last = hits[-1][0]
            hits = [h for h in hits if h[0] != last]
            if last is None:
                tie = _undated(query)
            else:
                tie = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must,
                                                   tantivy.Query.range_query(self.schema, "day",
                                                                             tantivy.FieldType.Integer, last, last))])
            n = searcher.search(tie, 1, count=True).count
            hits += [(last, addr) for _, addr in searcher.search(tie, max(n, 1), count=False).hits]
        seqs = searcher.fast_field_values("seq", [addr for _, addr in hits])
        sign = -1 if newest_first else 1
        keyed = sorted(((day is None, 0 if day is None else sign * day, int(seq))
                        for (day, _), seq in zip(hits, seqs)))
        return [seq for _, _, seq in keyed[offset:want]]

    def _skip_days(self, searcher, query: tantivy.Query, offset: int, limit: int,
                   newest_first: bool) -> tuple[tantivy.Query, int]:
        """A narrower query and a smaller offset that give the same page: the hits are counted per
        day (a terms aggregation on `day`) and only the whole days the page falls in are kept (and
        the undated hits when it reaches them), so a deep page does not fetch and order every
        hit around it."""
        counted = searcher.aggregate(query, {"days": {"terms": {"field": "day", "size": ALL_BUCKETS,
                                                                "segment_size": ALL_BUCKETS}}})
        days = sorted(((int(b["key"]), int(b["doc_count"])) for b in counted["days"]["buckets"]),
                      reverse=newest_first)
        skipped, seen, first, last = 0, 0, None, None
        for day, n in days:
            if first is None and seen + n <= offset:
                skipped += n
            elif first is None:
                first = day
            seen += n
            if seen >= offset + limit:
                last = day
                break
        if first is None:
            return _undated(query), offset - skipped  # the page lies among the undated hits, which come last
        lo, hi = (last, first) if newest_first else (first, last)  # None: up to the end, and the undated
        rest = tantivy.Query.range_query(self.schema, "day", tantivy.FieldType.Integer, lo, hi)
        if last is None:
            rest = tantivy.Query.boolean_query([(tantivy.Occur.Should, rest),
                                                (tantivy.Occur.Should, _undated(tantivy.Query.all_query()))])
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, rest)]), offset - skipped

    def seqs(self, query: tantivy.Query) -> list[int]:
        """The `seq` of every hit, in no particular order."""
        searcher = self.index.searcher()
        n = searcher.search(query, 1, count=True).count
        if n == 0:
            return []
        hits = searcher.search(query, n, count=False, order_by_field="seq", order=tantivy.Order.Asc).hits
        return [int(seq) for seq, _ in hits]
