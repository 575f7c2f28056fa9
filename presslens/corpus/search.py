"""The full-text index of statements: tantivy (BM25), in a folder beside the DuckDB file.

DuckDB is the truth; the index follows it. Each indexed statement carries its `seq` (the
statements table's key). The writer commits DuckDB first, then the index, so after a crash the
index can only lag: `reconcile()` finds the highest `seq` in the index and indexes the rest
from DuckDB. Hits are always joined back to DuckDB by `seq`, so a stale hit (a statement
replaced by `--reanalyze` whose index deletion was lost) simply drops out.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import tantivy

EPOCH = date(1970, 1, 1)
_TOKEN = re.compile(r"\w+")
# The query language's operators; used only for the fallback when lenient parsing fails.
_SYNTAX = re.compile(r"[^\w\s]+")
WRITER_HEAP = 64_000_000


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("seq", stored=True, indexed=True, fast=True)
    b.add_text_field("article_id", stored=False, tokenizer_name="raw")
    b.add_text_field("content", stored=False, tokenizer_name="en_stem")
    b.add_text_field("speaker", stored=False, tokenizer_name="default")
    b.add_text_field("outlet", stored=False, tokenizer_name="raw")  # lowercased
    b.add_text_field("kind", stored=False, tokenizer_name="raw")
    b.add_integer_field("day", stored=False, indexed=True, fast=True)  # days since 1970-01-01
    return b.build()


def day_number(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return (value - EPOCH).days


def words(text: str) -> list[str]:
    """Tokens as tantivy's default tokenizer makes them (lowercased word characters)."""
    return [w.lower() for w in _TOKEN.findall(text)]


class Index:
    """A tantivy index of statements at `path`."""

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        self.schema = _schema()
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        self._writer = None
        self.heap, self.threads = WRITER_HEAP, 1  # bulk loads raise these

    # -- writing ---------------------------------------------------------------------------
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(heap_size=self.heap, num_threads=self.threads)
        return self._writer

    def add(self, rows: Iterable[dict[str, Any]], *, replace_articles: Iterable[str] = ()) -> int:
        w = self.writer()
        for aid in replace_articles:
            w.delete_documents_by_term("article_id", aid)
        n = 0
        for r in rows:
            doc = tantivy.Document()
            doc.add_integer("seq", int(r["seq"]))
            doc.add_text("article_id", r["article_id"])
            doc.add_text("content", r.get("content") or "")
            if r.get("speaker"):
                doc.add_text("speaker", r["speaker"])
            if r.get("outlet"):
                doc.add_text("outlet", r["outlet"].lower())
            if r.get("kind"):
                doc.add_text("kind", r["kind"])
            day = day_number(r.get("published"))
            if day is not None:
                doc.add_integer("day", day)
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
        self.index.reload()
        searcher = self.index.searcher()
        if searcher.num_docs == 0:
            return 0
        hits = searcher.search(tantivy.Query.all_query(), 1, count=False, order_by_field="seq").hits
        return int(hits[0][0]) if hits else 0

    def reconcile(self, con, *, batch: int = 50_000) -> int:
        """Index the statements DuckDB has and the index lacks; return how many."""
        start = self.max_seq()
        total = 0
        cols = ["seq", "article_id", "speaker", "kind", "content", "published", "outlet"]
        cur = con.execute(
            f"SELECT {', '.join(cols)} FROM statements WHERE seq > ? ORDER BY seq", [start]
        )
        while chunk := cur.fetchmany(batch):
            rows = [dict(zip(cols, r)) for r in chunk]
            # These articles may have older statements in the index (a lost --reanalyze delete).
            total += self.add(rows, replace_articles=sorted({r["article_id"] for r in rows}) if start else ())
            self.commit()
        return total

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
        text: str,
        *,
        speaker: str | None = None,
        outlet: str | None = None,
        kind: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> tantivy.Query:
        """A query for `text` (tantivy's query language, parsed leniently) and the filters."""
        parts = [(tantivy.Occur.Must, self._text_query(text))]
        if speaker:
            toks = words(speaker)
            if toks:
                q = (tantivy.Query.term_query(self.schema, "speaker", toks[0]) if len(toks) == 1
                     else tantivy.Query.phrase_query(self.schema, "speaker", toks))
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
