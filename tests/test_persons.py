"""Corpus-level persons (issue 9): each rule of presslens.corpus.identity on a small invented
corpus written by hand (no NLP), ids that do not depend on the order articles came in, merges and
splits kept across re-ingests, and counts that agree across every query."""

from __future__ import annotations

import pytest

from presslens.corpus import Corpus, persons, store
from presslens.corpus.dedup import signature
from presslens.corpus.names import parse_person
from presslens.corpus.search import Index
from presslens.errors import UsageError


def article(aid, outlet, published, people, *, extra_text=""):
    """A presslens/1 article: `people` is a list of (name, [mention texts], roles, titles, quotes)."""
    text, entities, statements = extra_text, [], []
    for n, (name, mentions, roles, titles, quotes) in enumerate(people, 1):
        eid = f"e{n}"
        ms = []
        for m in [name, *mentions]:
            start = len(text)
            text += m + " spoke on Tuesday, and then went home to rest.\n\n"
            kind = "pronoun" if m.lower() in ("he", "she", "his", "her") else "name"
            ms.append({"span": [start, start + len(m)], "kind": kind, "text": m})
        entities.append({"id": eid, "name": name, "type": "PERSON" if not name.startswith("ORG:") else "ORG",
                         "mentions": ms, "roles": roles, "titles": titles})
        if name.startswith("ORG:"):
            entities[-1]["name"] = name[4:]
        for q in range(quotes):
            start = len(text) + 1
            quote = f"Quote {q} of {name} in {aid}"
            text += f'"{quote}," {name} said, according to the local paper.\n\n'
            statements.append({"id": f"s{len(statements) + 1}", "content": [[start, start + len(quote)]], "cue": [],
                               "source": [], "speaker": eid, "kind": "direct", "attribution": "named",
                               "according_to": [], "confidence": 0.9})
    return {"schema": "presslens/1", "id": aid, "outlet": outlet, "published": published, "title": aid,
            "url": None, "text": text, "times": [], "warnings": [], "pipeline": {"version": "x", "model": "m"},
            "entities": entities, "statements": statements}


def corpus_articles():
    harbor, valley, city = "Harbor Gazette", "Valley Tribune", "City Ledger"
    return [
        article("a01", city, "2020-01-05", [("Daniel Halvorsen", ["Halvorsen"], [], ["president"], 3),
                                           ("Helena Brandt", ["she"], [], [], 2)]),
        article("a02", city, "2020-01-09", [("Daniel J. Halvorsen", [], [], [], 2),
                                           ("Walter Brandt", ["he"], ["former governor"], [], 1)]),
        article("a03", harbor, "2020-02-11", [("DANIEL HALVORSEN", [], [], [], 1),
                                             ("Helena Ruiz Brandt", [], [], [], 2)]),
        article("a04", valley, "2020-02-20", [("Mr. Halvorsen", [], [], ["mr"], 2),
                                             ("Daniel Halvorsen Jr.", [], ["son"], [], 2)]),
        article("a05", valley, "2020-03-02", [("President Halvorsen", [], [], ["president"], 1),
                                             ("Mrs. Brandt", ["she", "her"], [], ["mrs"], 2)]),
        article("a06", city, "2020-03-15", [("Sen. Rosa Lindqvist", ["Lindqvist"], ["senator"], ["senator"], 2),
                                           ("Daniel Halvorsen", [], [], [], 1)]),
        article("a07", harbor, "2020-04-01", [("Rosa Lindqvist", [], [], [], 1),
                                             ("Tom Archer", [], ["fisherman"], [], 2),
                                             ("ORG:Gloucester Fishermen's Association", [], [], [], 0)]),
        article("a08", valley, "2020-04-03", [("Tom Archer", [], ["finance director of Acme Corp"], [], 1),
                                             ("ORG:Acme Corp", [], [], [], 1)]),
        # a headline fragment: the entity's longest name has a headline word glued to it
        article("a09", city, "2020-05-01", [("Offensive Things Daniel Halvorsen", ["Halvorsen"], [], [], 1)],
                extra_text=""),
        article("a10", city, "2020-05-02", [("Absent Halvorsen", ["Halvorsen"], [], [], 1)],
                extra_text="The mayor was absent from the debate.\n\n"),
        article("a11", harbor, None, [("Daniel Halvorsen", [], [], [], 1)]),
    ]


def write(db, articles):
    writer = store.Writer(db, "test", "x")
    for a in articles:
        chash = store.content_hash(a["text"])
        writer.add_article(store.PendingArticle(article=a, article_id=chash[:16], content_hash=chash,
                                                story_id=chash[:16], signature=signature(a["text"]),
                                                location=f"hand:{a['id']}"))
    rows = writer.flush()
    index = Index(store.index_path(db))
    index.add(rows)
    index.commit()
    index.close()


@pytest.fixture()
def persons_db(tmp_path):
    db = tmp_path / "p.duckdb"
    write(db, corpus_articles())
    with Corpus(db) as c:  # a writable open links what is new
        c.link_speakers()
    return db


def by_name(corpus) -> dict[str, dict]:
    return {r["speaker"]: r for r in corpus.speakers()}


def test_name_parts():
    p = parse_person("President Donald J. Trump")
    assert (p.alias, p.first, p.last, p.middles, p.titles) == ("Donald J. Trump", "donald", "trump", ("J.",),
                                                              ("president",))
    assert parse_person("DONALD TRUMP").alias == "Donald Trump"
    assert parse_person("Donald Trump Jr.").suffix == "jr"
    assert parse_person("Mrs. Clinton").gender == "f" and parse_person("Mrs. Clinton").shape == "surname"
    assert parse_person("Offensive Things Donald Trump").alias == "Donald Trump"
    assert parse_person("Sen. Bernie Sanders").first == "bernard"  # nicknames resolved
    assert parse_person("Osama bin Laden").last == "bin laden"
    assert parse_person("Mr.") is None


def test_variants_merge_and_different_people_stay_apart(persons_db):
    c = Corpus(persons_db, read_only=True)
    rows = by_name(c)
    victor = rows["Daniel Halvorsen"]
    # middle initial, case, honorific, title, surname alone, headline fragments: one person
    assert set(victor["aliases"]) == {"Daniel Halvorsen", "Daniel J. Halvorsen", "Halvorsen"}
    assert victor["statements"] == 3 + 2 + 1 + 2 + 1 + 1 + 1 + 1 + 1
    # Jr. is another person
    assert rows["Daniel Halvorsen Jr."]["statements"] == 2
    # maiden name and Mrs. merge; Walter (Mr., he) and Helena (Mrs., she) stay apart
    assert set(rows["Helena Brandt"]["aliases"]) == {"Helena Brandt", "Helena Ruiz Brandt", "Brandt"}
    assert rows["Helena Brandt"]["statements"] == 6
    assert rows["Walter Brandt"]["statements"] == 1
    # title and surname: Sen. Rosa Lindqvist is Rosa Lindqvist
    assert rows["Rosa Lindqvist"]["statements"] == 3
    # two Tom Archers, unrelated: other outlet, other roles, no shared names around them
    archers = [r for r in c.speakers() if r["speaker"] == "Tom Archer"]
    assert sorted(r["statements"] for r in archers) == [1, 2]
    assert len({r["person_id"] for r in archers}) == 2
    # headline fragments are never persons
    assert not any("Offensive" in r["speaker"] or "Absent" in r["speaker"] for r in c.speakers())


def test_evidence_and_confidence_are_recorded(persons_db):
    c = Corpus(persons_db, read_only=True)
    profile = c.speaker("Daniel Halvorsen")
    rules = {link["rule"]: link for link in profile["links"]}
    assert {"name", "middle", "surname"} <= set(rules)
    assert all(0 < link["confidence"] <= 1 and link["example"] for link in profile["links"])
    archer = [r for r in c.speakers() if r["speaker"] == "Tom Archer"]
    second = c.speaker(archer[1]["person_id"])
    assert any(link["rule"] == "context" for link in second["links"]) or any(
        link["rule"] == "context" for link in c.speaker(archer[0]["person_id"])["links"])


def test_speaker_filter_matches_the_person_not_a_phrase(persons_db):
    c = Corpus(persons_db, read_only=True)
    victor = c.speaker("Daniel Halvorsen")
    quotes = c.quotes(speaker="Daniel Halvorsen", limit=None)
    assert len(quotes) == victor["statements"] == 13
    assert {q["person_id"] for q in quotes} == {victor["person_id"]}  # not Daniel Halvorsen Jr.
    assert c.quotes(speaker=victor["person_id"], limit=None) == quotes
    assert len(c.quotes(speaker="halvorsen", limit=None)) == 13  # a surname finds the most quoted person
    assert len(c.quotes(speaker="Daniel Halvorsen Jr.", limit=None)) == 2
    assert len(c.timeline("DANIEL J. HALVORSEN")) == 13
    assert c.quotes(speaker="nobody at all", limit=None) == []
    with pytest.raises(UsageError, match="E350"):
        c.speaker("Danel Halvorson")


def test_counts_agree_everywhere(persons_db):
    c = Corpus(persons_db, read_only=True)
    listed = c.speakers()
    for row in listed:
        pid = row["person_id"]
        profile = c.speaker(pid)
        facets = c.quote_facets(speaker=pid, top=None)
        assert profile["statements"] == row["statements"] == sum(f["count"] for f in facets["speaker"])
        assert [f["person_id"] for f in facets["speaker"]] == [pid]
        assert len(c.timeline(pid)) == row["statements"] == len(c.quotes(speaker=pid, limit=None))
        assert profile["articles"] == row["articles"]
        assert sum(o["statements"] for o in profile["outlets"]) + profile["no_outlet"] == row["statements"]
        assert sum(m["statements"] for m in profile["by_month"]) + profile["undated"] == row["statements"]
    assert c.stats()["speakers"] == len(listed)
    assert sum(r["statements"] for r in listed) == c.stats()["statements"]
    assert c.quote_facets(top=None)["speaker"] == [
        {"value": r["speaker"], "person_id": r["person_id"], "count": r["statements"]} for r in listed]
    by_outlet = c.speakers(by="outlet")
    for row in listed:
        assert sum(r["statements"] for r in by_outlet if r["person_id"] == row["person_id"]) == row["statements"]


def test_ids_do_not_depend_on_order_or_batches(tmp_path, persons_db):
    expected = {(r["person_id"], r["speaker"], r["statements"]) for r in Corpus(persons_db, read_only=True).speakers()}
    arts = corpus_articles()
    db = tmp_path / "inc.duckdb"
    for chunk in (list(reversed(arts))[:4], list(reversed(arts))[4:7], list(reversed(arts))[7:]):
        write(db, chunk)  # three ingests, newest first, linked after each
        with Corpus(db) as c:
            c.link_speakers()
    got = {(r["person_id"], r["speaker"], r["statements"]) for r in Corpus(db, read_only=True).speakers()}
    assert got == expected


def test_merge_and_split_are_kept_across_ingests(persons_db):
    with Corpus(persons_db) as c:
        archers = [r["person_id"] for r in c.speakers() if r["speaker"] == "Tom Archer"]
        c.merge_speakers(archers[0], archers[1])
        assert [r["statements"] for r in c.speakers() if r["speaker"] == "Tom Archer"] == [3]
        new = c.split_speakers("Daniel Halvorsen", ["Halvorsen"])
        assert new[0]["alias"] == "Halvorsen"
        assert c.speaker("Daniel Halvorsen")["statements"] == 13 - 2 - 1 - 1  # Mr., President, Absent Halvorsen
        with pytest.raises(UsageError, match="E352"):
            c.split_speakers("Daniel Halvorsen", ["Nobody"])
        with pytest.raises(UsageError, match="E351"):
            c.merge_speakers("Tom Archer", archers[0])
    # a later ingest that touches both families re-clusters them: the corrections hold
    write(persons_db, [article("a12", "City Ledger", "2020-06-01",
                               [("Daniel Halvorsen", ["Halvorsen"], [], [], 1), ("Tom Archer", [], ["fisherman"], [], 1)])])
    with Corpus(persons_db) as c:
        c.link_speakers()
        assert [r["statements"] for r in c.speakers() if r["speaker"] == "Tom Archer"] == [4]
        assert c.speaker("Daniel Halvorsen")["statements"] == 9 + 1
        assert len(c.speaker(new[0]["person_id"])["aliases"]) == 1
        assert [x["action"] for x in persons.corrections(c._con)] == ["join", "merge", "split"]


def test_read_only_store_without_persons_matches_words(tmp_path):
    """A store written before persons existed is read as before: speaker names matched as words."""
    db = tmp_path / "old.duckdb"
    write(db, corpus_articles()[:2])
    c = Corpus(db, read_only=True)
    assert {q["speaker"] for q in c.quotes(speaker="halvorsen", limit=None)} == {"Daniel Halvorsen",
                                                                                "Daniel J. Halvorsen"}
    with pytest.raises(UsageError, match="E353"):
        c.speaker("Daniel Halvorsen")
