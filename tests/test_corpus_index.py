"""The full-text index's fast paths (facets counted by tantivy, speaker filters and timelines
ordered by its `day` field) give exactly what the DuckDB/SQL paths give, and an index written in
an older format is rebuilt by a writer and still read by a reader. A store written with SQL
(no NLP): many ties on the date, undated statements, accented and punctuated names."""

from __future__ import annotations

import datetime as dt
import json
import random

import duckdb
import pytest
import tantivy

from presslens.corpus import Corpus, queries, search, store
from presslens.corpus.search import INDEX_VERSION, MARKER, Index

SPEAKERS = ["Jane Holloway", "Tom Briggs", "José Martí", "Ann-Marie O'Neil", "jane holloway", "Li Wei_Chen",
            "Maria Okafor", None]
OUTLETS = ["Daily Planet", "Morning Post", "daily planet", "Évening Star", None]
WORDS = "taxes bridge water school budget council harbour strike vaccine election".split()
DAYS = [dt.date(2020, 1, 5), dt.date(2020, 1, 6), dt.date(2020, 3, 1), dt.date(2021, 7, 9), None]


@pytest.fixture(scope="module")
def fast_store(tmp_path_factory):
    db = tmp_path_factory.mktemp("fast") / "fast.duckdb"
    rng = random.Random(3)
    rows = []
    for seq in range(1, 701):
        rows.append(store.StatementRow(
            seq=seq, article_id=f"a{seq // 3:05d}", statement_id=f"s{seq % 3 + 1}", speaker_entity="e1",
            speaker=rng.choice(SPEAKERS), kind=rng.choice(["direct", "mixed", "indirect", None]),
            attribution="named", content=" ".join(rng.choices(WORDS, k=6)), cue="said", according_to=[],
            confidence=0.9, published=rng.choice(DAYS), outlet=rng.choice(OUTLETS), story_id=f"a{seq // 3:05d}",
            title=None))
    con = store.connect(db, read_only=False)
    store._insert(con, store.StatementRow, rows)
    Index(store.index_path(db)).reconcile(con, batch=97)  # several segments
    con.close()
    return db


@pytest.fixture()
def sql_index(fast_store):
    """The same index, made to take the DuckDB paths (as for an index in an older format)."""
    index = Index(store.index_path(fast_store), create=False)
    assert index.current
    index.current = False
    return index


FILTERS = [{}, {"speaker": "holloway"}, {"speaker": "Jane Holloway"}, {"speaker": "josé"},
           {"speaker": "JOSÉ MARTÍ"}, {"speaker": "o'neil"}, {"speaker": "ann marie"}, {"speaker": "wei"},
           {"speaker": "nobody"}, {"speaker": "!!!"}, {"speaker": "holloway", "outlet": "daily planet"},
           {"speaker": "briggs", "kind": "direct", "since": "2020-01-06", "until": "2020-12-31"},
           {"speaker": "okafor", "since": "2020-03"}, {"outlet": "évening star"}, {"kind": "mixed"}]


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("text", [None, "taxes", "bridge water"])
def test_index_facets_equal_duckdb_counts(fast_store, sql_index, text, filters):
    corpus = Corpus(fast_store, read_only=True)
    con = duckdb.connect(str(fast_store), read_only=True)
    try:
        for top in (20, 3, None):  # 3 cuts through ties; None: every speaker and outlet
            expected = queries.quote_facets(con, sql_index, text, top=top, **filters)
            assert queries.quote_facets(con, corpus._search_index(), text, top=top, **filters) == expected
        assert corpus.quote_facets(text, **filters) == queries.quote_facets(con, sql_index, text, **filters)
    finally:
        con.close()


@pytest.fixture(params=["shallow", "deep"])
def skip_days(request, monkeypatch):
    """Both ways `Index.by_date` finds a page: sorting every hit before it, or first skipping the
    days wholly before it (which it does from `DEEP_PAGE` on; 0 here, so every page is "deep")."""
    if request.param == "deep":
        monkeypatch.setattr(search, "DEEP_PAGE", 0)


@pytest.mark.parametrize("filters", [f for f in FILTERS if f.get("speaker")])
def test_speaker_filter_without_text_pages_like_sql(fast_store, filters, skip_days):
    corpus = Corpus(fast_store, read_only=True)
    con = duckdb.connect(str(fast_store), read_only=True)
    try:
        everything = queries.quotes(con, None, None, limit=None, **filters)
        assert corpus.quotes(limit=None, **filters) == everything
        assert list(corpus.iter_quotes(**filters)) == everything
        for limit, offset in [(50, 0), (1, 0), (7, 3), (13, 26), (40, 80), (500, 0), (5, 1000)]:
            assert corpus.quotes(limit=limit, offset=offset, **filters) == everything[offset:offset + limit], \
                (limit, offset)
        timeline_filters = {k: v for k, v in filters.items() if k != "kind"}
        speaker = timeline_filters.pop("speaker")
        expected = list(queries.timeline(con, speaker, **timeline_filters))
        assert corpus.timeline(speaker, **timeline_filters) == expected
    finally:
        con.close()


TIMELINE_PAGES = [(None, 0), (None, 5), (50, 0), (1, 0), (1, 1), (7, 3), (13, 26), (40, 80), (500, 0), (5, 1000),
                  (0, 0), (3, 0), (30, 10)]


@pytest.mark.parametrize("filters", [f for f in FILTERS if f.get("speaker")])
def test_timeline_pages_like_sql(fast_store, sql_index, filters, skip_days):
    """Every page of a timeline through the index is the same rows, in the same order, as the SQL
    path's page and as the slice of the whole timeline (many ties on a date, undated ones last)."""
    corpus = Corpus(fast_store, read_only=True)
    con = duckdb.connect(str(fast_store), read_only=True)
    try:
        filters = {k: v for k, v in filters.items() if k != "kind"}
        speaker = filters.pop("speaker")
        everything = list(queries.timeline(con, speaker, index=sql_index, **filters))
        dates = [r["published"] for r in everything]
        assert dates == sorted((d for d in dates if d), key=str) + [None] * dates.count(None)
        for limit, offset in TIMELINE_PAGES:
            want = everything[offset:] if limit is None else everything[offset:offset + limit]
            sql = list(queries.timeline(con, speaker, index=sql_index, limit=limit, offset=offset, **filters))
            fast = list(queries.timeline(con, speaker, index=corpus._search_index(), limit=limit, offset=offset,
                                         **filters))
            assert sql == want and fast == want, (limit, offset)
            assert corpus.timeline(speaker, limit=limit, offset=offset, **filters) == want, (limit, offset)
        # every page in turn covers the timeline exactly once
        pages = [corpus.timeline(speaker, limit=9, offset=o, **filters) for o in range(0, len(everything) + 9, 9)]
        assert [r for p in pages for r in p] == everything
    finally:
        con.close()


def test_timeline_refuses_a_negative_page(fast_store):
    from presslens.errors import UsageError

    corpus = Corpus(fast_store, read_only=True)
    for kw in ({"limit": -1}, {"offset": -1}):
        with pytest.raises(UsageError, match="E313"):
            corpus.timeline("holloway", **kw)
    with pytest.raises(UsageError, match="E309"):
        corpus.quote_facets(speaker="holloway", top=-1)


def test_speaker_filter_finds_accented_names_as_the_index_does(fast_store):
    corpus = Corpus(fast_store, read_only=True)
    assert {q["speaker"] for q in corpus.quotes(speaker="josé", limit=None)} == {"José Martí"}
    assert {q["speaker"] for q in corpus.quotes(speaker="wei", limit=None)} == {"Li Wei_Chen"}  # "_" splits


def _old_index(path, con) -> None:
    """Write the index as presslens wrote it before INDEX_VERSION 2 (no facet fields, no marker)."""
    b = tantivy.SchemaBuilder()
    b.add_integer_field("seq", stored=True, indexed=True, fast=True)
    b.add_text_field("article_id", stored=False, tokenizer_name="raw")
    b.add_text_field("content", stored=False, tokenizer_name="en_stem")
    b.add_text_field("speaker", stored=False, tokenizer_name="default")
    b.add_text_field("outlet", stored=False, tokenizer_name="raw")
    b.add_text_field("kind", stored=False, tokenizer_name="raw")
    b.add_integer_field("day", stored=False, indexed=True, fast=True)
    path.mkdir()
    index = tantivy.Index(b.build(), path=str(path))
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    for seq, aid, content, speaker, outlet, kind, published in con.execute(
            "SELECT seq, article_id, content, speaker, outlet, kind, published FROM statements").fetchall():
        doc = tantivy.Document()
        doc.add_integer("seq", seq)
        doc.add_text("article_id", aid)
        doc.add_text("content", content)
        if speaker:
            doc.add_text("speaker", speaker)
        if outlet:
            doc.add_text("outlet", outlet.lower())
        if kind:
            doc.add_text("kind", kind)
        if published:
            doc.add_integer("day", (published - dt.date(1970, 1, 1)).days)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()


def test_old_index_is_read_by_a_reader_and_rebuilt_by_a_writer(fast_store, tmp_path):
    db = tmp_path / "old.duckdb"
    con = store.connect(db, read_only=False)
    con.execute(f"ATTACH '{fast_store}' AS src (READ_ONLY)")
    con.execute("INSERT INTO statements SELECT * FROM src.statements")
    con.execute("DETACH src")
    _old_index(store.index_path(db), con)
    con.close()
    fresh = Corpus(fast_store, read_only=True)
    reader = Corpus(db, read_only=True)
    assert not reader._search_index().current
    assert not (store.index_path(db) / MARKER).exists()  # a reader leaves the index alone
    for text, filters in [("taxes", {}), ("taxes", {"speaker": "holloway"}), (None, {"speaker": "josé"})]:
        assert reader.quote_facets(text, **filters) == fresh.quote_facets(text, **filters)
        # Equal scores may come in another order from another segment layout.
        assert _unordered(reader.quotes(text, limit=None, **filters)) == _unordered(
            fresh.quotes(text, limit=None, **filters))
    assert reader.quotes(speaker="josé") == fresh.quotes(speaker="josé")  # no text: newest first, then seq
    assert reader.timeline("holloway") == fresh.timeline("holloway")
    with Corpus(db) as writer:  # a writable open rebuilds it in the current format
        index = writer._search_index()
        assert index.current and index.index.searcher().num_docs == 700
        assert writer.quote_facets("taxes") == fresh.quote_facets("taxes")
    marker = json.loads((store.index_path(db) / MARKER).read_text())
    assert marker == {"version": INDEX_VERSION}
    assert Corpus(db, read_only=True)._search_index().current
    assert reader._search_index().current  # the reader that held the old one reopens it
    assert reader.quotes(speaker="josé") == fresh.quotes(speaker="josé")


def _unordered(rows: list[dict]) -> list[tuple]:
    return sorted((r["article_id"], r["statement_id"], r["score"]) for r in rows)


def test_rebuild_keeps_the_current_format(fast_store, tmp_path):
    import shutil

    db = tmp_path / "copy.duckdb"
    shutil.copy(fast_store, db)
    with Corpus(db) as corpus:
        assert corpus.reindex() == 700
        assert corpus._search_index().current
        assert json.loads((store.index_path(db) / MARKER).read_text())["version"] == INDEX_VERSION
