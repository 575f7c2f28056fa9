"""The corpus: ingest (exactly once, duplicates, stories, rejects, re-analysis) with the real
model and real DuckDB/tantivy, and the queries and exports on a store built by hand."""

from __future__ import annotations

import json
import random

import duckdb
import pytest

from presslens.corpus import Corpus
from presslens.corpus import ingest as ingest_module
from presslens.corpus import store
from presslens.corpus.dedup import signature
from presslens.corpus.search import Index

WORDS = (
    "council budget harbour bridge school river tariff union strike vaccine clinic senator court ruling "
    "railway airport farmers drought wildfire election ballot museum festival police inquiry bank loan "
    "housing rent pension factory export import steel coal solar wind grid water sewage library hospital"
).split()
NAMES = ["Jane Holloway", "Tom Briggs", "Maria Okafor", "Liam Chen", "Sara Novak", "Omar Haddad"]


def invented_article(i: int) -> dict:
    """A short invented news article, distinct from every other `i` (no near-duplicates)."""
    rng = random.Random(i)
    name = NAMES[i % len(NAMES)]
    topic = " ".join(rng.sample(WORDS, 6))
    filler = " ".join(rng.choice(WORDS) for _ in range(25))
    text = (
        f"Officials met on Monday to discuss the {topic} plan number {i}. "
        f'"We will deliver the {rng.choice(WORDS)} project before winter," {name} said. '
        f"Residents raised concerns about {filler}. "
        f'"Nobody asked us about the {rng.choice(WORDS)} {rng.choice(WORDS)}," said one resident.'
    )
    return {"id": f"n{i}", "outlet": ["Daily Planet", "Morning Post"][i % 2],
            "published": f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}", "title": f"Story {i}", "text": text}


def write_jsonl(path, articles) -> None:
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")


def counts(db) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "article_places", "statements", "entities", "rejects")}
    finally:
        con.close()


@pytest.mark.model
def test_ingest_twice_adds_nothing(tmp_path, capsys):
    src = tmp_path / "news.jsonl"
    write_jsonl(src, [invented_article(i) for i in range(6)])
    db = tmp_path / "c.duckdb"
    with Corpus(db) as corpus:
        first = corpus.ingest([src], workers=0)
        after_first = counts(db)
        second = corpus.ingest([src], workers=0)
        assert counts(db) == after_first
        assert corpus.stats()["articles"] == 6
    assert (first.added, first.read, first.rejected) == (6, 6, 0)
    assert (second.added, second.skipped, second.duplicates) == (0, 6, 0)
    assert "presslens ingest: 6/6 articles" in capsys.readouterr().err  # log lines when not a terminal


@pytest.mark.model
def test_exact_duplicates_stored_once_with_every_place(tmp_path):
    a = invented_article(1)
    write_jsonl(tmp_path / "one.jsonl", [a])
    copy = dict(a, id="elsewhere", text="  " + a["text"].replace(" ", "  ") + "\n")  # same text, other spacing
    write_jsonl(tmp_path / "two.jsonl", [invented_article(2), copy])
    with Corpus(tmp_path / "c.duckdb") as corpus:
        report = corpus.ingest([tmp_path], workers=0)
        assert (report.added, report.duplicates) == (2, 1)
        stored = corpus.article("n1")
        places = sorted(s["location"] for s in stored["corpus"]["places"])
        assert [p.rsplit("/", 1)[-1] for p in places] == ["one.jsonl:1", "two.jsonl:2"]
        assert corpus.article("elsewhere")["corpus"]["article_id"] == stored["corpus"]["article_id"]


@pytest.mark.model
def test_light_edit_joins_the_same_story(tmp_path):
    a = invented_article(3)
    wire = dict(a, id="wire", outlet="Morning Post",
                text=a["text"].replace("Officials met on Monday", "Officials met on Monday, Reuters reported,"))
    write_jsonl(tmp_path / "n.jsonl", [a, wire, invented_article(4)])
    with Corpus(tmp_path / "c.duckdb") as corpus:
        report = corpus.ingest([tmp_path / "n.jsonl"], workers=0)
        assert (report.added, report.near_duplicates, report.stories) == (3, 1, 2)
        assert corpus.stats()["stories"] == 2
        assert corpus.article("wire")["corpus"]["story_id"] == corpus.article("n3")["corpus"]["story_id"]


@pytest.mark.model
def test_rejects_are_listed_with_place_and_reason(tmp_path):
    (tmp_path / "n.jsonl").write_text(json.dumps(invented_article(5)) + "\n{not json\n", encoding="utf-8")
    with Corpus(tmp_path / "c.duckdb") as corpus:
        report = corpus.ingest([tmp_path / "n.jsonl"], workers=0)
        assert report.rejected == 1
        corpus.ingest([tmp_path / "n.jsonl"], workers=0)
        rejects = corpus.rejects()
    assert len(rejects) == 1 and rejects[0]["location"].endswith("n.jsonl:2") and rejects[0]["reason"]


@pytest.mark.model
def test_reanalyze_runs_articles_of_an_older_pipeline_version(tmp_path, monkeypatch):
    src = tmp_path / "n.jsonl"
    write_jsonl(src, [invented_article(i) for i in range(3)])
    db = tmp_path / "c.duckdb"
    with Corpus(db) as corpus:
        corpus.ingest([src], workers=0)
        before = counts(db)
        monkeypatch.setattr(ingest_module, "pipeline_version", lambda pipeline="default": "9999.1.1")
        stale = corpus.ingest([src], workers=0)
        assert (stale.added, stale.reanalyzed, stale.skipped) == (0, 0, 3)
        again = corpus.ingest([src], workers=0, reanalyze=True)
        assert again.reanalyzed == 3
        assert counts(db) == before
        con = duckdb.connect(str(db), read_only=True)
        versions = con.execute("SELECT DISTINCT pipeline_version FROM articles").fetchall()
        con.close()
        assert versions == [("9999.1.1",)]
        # the index holds each statement once, old ones replaced
        hits = corpus.quotes("winter", limit=100)
        assert len(hits) == len({(h["article_id"], h["statement_id"]) for h in hits}) == 3


@pytest.mark.model
@pytest.mark.slow
def test_process_workers(tmp_path):
    src = tmp_path / "n.jsonl"
    write_jsonl(src, [invented_article(i) for i in range(10)])
    with Corpus(tmp_path / "c.duckdb") as corpus:
        report = corpus.ingest([src], workers=2, progress=False, commit_every=3)
        assert report.added == 10
        assert corpus.stats()["articles"] == 10


# -- queries and exports on a store written by hand (no NLP) -------------------------------------

def hand_article(id, outlet, published, sentences, title=None):
    """A presslens/1 article from `sentences`: (speaker name or None, quote, kind, according_to)."""
    text, entities, statements = "", {}, []
    for n, (speaker, quote, kind, according) in enumerate(sentences, 1):
        start = len(text) + 1
        text += f'"{quote}" '
        content = [[start, start + len(quote)]]
        if speaker:
            eid = entities.setdefault(speaker, f"e{len(entities) + 1}")
            text += f"{speaker} said. "
        else:
            eid = None
            text += "someone said. "
        statements.append({"id": f"s{n}", "content": content, "cue": [], "source": [], "speaker": eid,
                           "kind": kind, "attribution": "named" if eid else "unattributed",
                           "according_to": [{"name": a, "span": None, "entity": None} for a in according],
                           "confidence": 0.9})
    return {"schema": "presslens/1", "id": id, "outlet": outlet, "published": published, "title": title or id,
            "url": None, "text": text, "times": [], "warnings": [], "pipeline": {"version": "x", "model": "m"},
            "entities": [{"id": e, "name": n, "type": "PERSON", "mentions": [], "roles": [], "titles": []}
                         for n, e in entities.items()],
            "statements": statements}


HAND = [
    hand_article("h1", "Daily Planet", "2020-03-01", [
        ("Jane Holloway", "We will cut taxes for every family", "direct", []),
        ("Tom Briggs", "The tax plan does not add up", "direct", ["Reuters"]),
    ]),
    hand_article("h2", "Morning Post", "2020-05-10", [
        ("Jane Holloway", "The bridge will open in spring", "indirect", ["AP"]),
        (None, "Taxes are too high already", "direct", []),
    ]),
    hand_article("h3", "Morning Post", "2021-01-20", [
        ("Jane Holloway", "Taxes on fuel will rise", "mixed", ["Reuters"]),
    ]),
]


@pytest.fixture(scope="module")
def hand_corpus(tmp_path_factory):
    """The hand-made store, built once per module: its tests only read it (a test that writes
    builds its own with `hand_store`)."""
    return hand_store(tmp_path_factory.mktemp("hand") / "hand.duckdb")


def hand_store(db):
    writer = store.Writer(db, "test", "x")
    for a in HAND:
        chash = store.content_hash(a["text"])
        writer.add_article(store.PendingArticle(article=a, article_id=chash[:16], content_hash=chash,
                                                story_id=chash[:16], signature=signature(a["text"]),
                                                location=f"hand:{a['id']}"))
    writer.add_reject("hand:9", "empty text", None)
    rows = writer.flush()
    index = Index(store.index_path(db))
    index.add(rows)
    index.commit()
    return db


def test_quotes_full_text_ranks_and_filters(hand_corpus):
    corpus = Corpus(hand_corpus, read_only=True)
    hits = corpus.quotes("taxes")
    assert {h["content"] for h in hits} == {"We will cut taxes for every family", "Taxes are too high already",
                                           "Taxes on fuel will rise", "The tax plan does not add up"}  # stemmed
    assert hits == sorted(hits, key=lambda h: -h["score"])
    assert set(hits[0]) == {"article_id", "statement_id", "outlet", "published", "title", "speaker", "person_id",
                            "speaker_entity", "kind", "attribution", "content", "cue", "according_to",
                            "confidence", "score"}
    assert [h["content"] for h in corpus.quotes("taxes", speaker="holloway", since="2020-04-01")] == [
        "Taxes on fuel will rise"]
    assert [h["outlet"] for h in corpus.quotes("taxes", outlet="morning post", kind="direct")] == ["Morning Post"]
    assert len(corpus.quotes(speaker="Jane Holloway")) == 3  # no text: filters only, newest first
    assert corpus.quotes(speaker="Jane Holloway")[0]["published"] == "2021-01-20"
    assert len(corpus.quotes("taxes", limit=1, offset=1)) == 1
    assert corpus.quotes("taxes", speaker="Holloway")[0]["according_to"] in (["Reuters"], [])


@pytest.mark.parametrize("text", ['"unbalanced', "a:b", "(((", ")", "OR", "AND NOT", "*", "tax*", "x^2",
                                  "[1 TO", "content:", "\\", "'", "-", "~~", "title:(x OR", "taxes OR"])
def test_hostile_search_strings_never_crash(hand_corpus, text):
    corpus = Corpus(hand_corpus, read_only=True)
    assert isinstance(corpus.quotes(text), list)
    assert isinstance(corpus.quote_facets(text), dict)


def test_speakers_sources_timeline_article(hand_corpus):
    corpus = Corpus(hand_corpus, read_only=True)
    top = corpus.speakers()
    assert top[0] == {"speaker": "Jane Holloway", "statements": 3, "articles": 3, "stories": 3}
    by_outlet = corpus.speakers(by="outlet", since="2020-01-01", until="2020-12-31")
    assert {(r["speaker"], r["outlet"], r["statements"]) for r in by_outlet} == {
        ("Jane Holloway", "Daily Planet", 1), ("Tom Briggs", "Daily Planet", 1), ("Jane Holloway", "Morning Post", 1)}
    assert {(r["outlet"], r["relay"], r["statements"]) for r in corpus.relays()} == {
        ("Daily Planet", "Reuters", 1), ("Morning Post", "AP", 1), ("Morning Post", "Reuters", 1)}
    line = corpus.timeline("holloway")
    assert [r["published"] for r in line] == ["2020-03-01", "2020-05-10", "2021-01-20"]
    assert {"published", "article_id", "outlet", "title", "statement_id", "kind", "content"} <= set(line[0])
    one = corpus.article(line[0]["article_id"])
    assert one["schema"] == "presslens/1" and one["id"] == "h1" and len(one["statements"]) == 2
    assert corpus.article("h2")["id"] == "h2" and corpus.article("nope") is None
    assert corpus.stats() == {"articles": 3, "stories": 3, "statements": 5, "speakers": 2, "outlets": 2,
                              "rejects": 1, "skipped": 0, "first_published": "2020-03-01",
                              "last_published": "2021-01-20"}
    assert corpus.counts_over_time(by="year") == [{"period": "2020", "articles": 2, "statements": 4},
                                                  {"period": "2021", "articles": 1, "statements": 1}]
    facets = corpus.quote_facets("taxes")
    assert {f["value"]: f["count"] for f in facets["outlet"]} == {"Morning Post": 2, "Daily Planet": 2}
    assert [f["value"] for f in facets["month"]] == ["2020-03", "2020-05", "2021-01"]
    assert corpus.rejects()[0]["reason"] == "empty text"


def test_read_only_open_of_a_missing_corpus_says_what_to_do(tmp_path):
    from presslens import UsageError

    with pytest.raises(UsageError, match="presslens ingest"):
        Corpus(tmp_path / "none.duckdb", read_only=True)


def test_a_reader_holds_the_file_only_while_a_call_runs(tmp_path):
    """A read-only Corpus attaches the store to its own DuckDB for its running calls only: after
    a call (or many at once, from threads) another process can open the file for writing; while
    a call runs it cannot (DuckDB's lock), and the reader's next call sees what was written."""
    import concurrent.futures
    import subprocess
    import sys

    db = hand_store(tmp_path / "hand.duckdb")

    def write(key: str) -> subprocess.CompletedProcess:  # another process writes a row of meta
        code = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); c.execute('INSERT INTO meta VALUES (?, 1)', [sys.argv[2]])"
        return subprocess.run([sys.executable, "-c", code, str(db), key], capture_output=True, text=True)

    reader = Corpus(db, read_only=True)
    try:
        assert write("first").returncode == 0  # opened, not held
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            found = list(pool.map(lambda _: len(reader.quotes("taxes")), range(16)))
        assert found == [4] * 16
        with reader._connection() as con:  # a call running
            assert con.execute("SELECT value FROM meta WHERE key = 'first'").fetchone() == ("1",)
            busy = write("second")
            assert busy.returncode != 0 and "lock" in busy.stderr
        assert write("second").returncode == 0  # the call ended: free again
        assert reader.stats()["statements"] == 5
    finally:
        reader.close()


def test_index_rebuilds_from_the_store_when_it_lags(tmp_path):
    import shutil

    hand_corpus = hand_store(tmp_path / "hand.duckdb")
    shutil.rmtree(store.index_path(hand_corpus))  # as if killed before the index committed
    with Corpus(hand_corpus) as corpus:  # a writable open reconciles
        assert len(corpus.quotes("taxes")) == 4
        assert corpus.reindex() == 5
        assert len(corpus.quotes("taxes")) == 4


class Analyzed:
    """An executor that answers with analyses made before (the session's PolNeAR dev run)."""

    def __init__(self, docs: dict):
        self.docs = docs

    def map(self, batches):
        for batch in batches:
            yield [{"record": r, "article": self.docs[r.id], "signature": signature(self.docs[r.id]["text"])}
                   for r in batch]

    def close(self) -> None:
        pass


