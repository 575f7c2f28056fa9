"""The overview's aggregates are computed once per corpus modification (they read the whole
store): a second load asks the corpus nothing, a commit by a writer makes the next load recount."""

from __future__ import annotations

from presslens.corpus import Corpus, store
from presslens.corpus.dedup import signature

from .conftest import Client


def _article(i: int) -> dict:
    text = f'"Plan number {i} will work," Jane Holloway said.'
    return {"schema": "presslens/1", "id": f"c{i}", "outlet": "Daily Planet", "published": "2020-03-01",
            "title": f"T{i}", "url": None, "text": text, "times": [], "warnings": [],
            "pipeline": {"version": "x", "model": "m"},
            "entities": [{"id": "e1", "name": "Jane Holloway", "type": "PERSON", "mentions": [], "roles": [],
                          "titles": []}],
            "statements": [{"id": "s1", "content": [[1, len(text) - 22]], "cue": [], "source": [], "speaker": "e1",
                            "kind": "direct", "attribution": "named", "according_to": [], "confidence": 0.9}]}


def _store(db, i: int) -> None:
    a = _article(i)
    chash = store.content_hash(a["text"])
    writer = store.Writer(db, f"run{i}", "x")
    writer.add_article(store.PendingArticle(article=a, article_id=chash[:16], content_hash=chash,
                                            story_id=chash[:16], signature=signature(a["text"]),
                                            location=f"cache:{i}"))
    writer.flush()


def test_overview_is_cached_until_the_corpus_changes(tmp_path):
    from presslens.web import create_app

    db = tmp_path / "cache.duckdb"
    _store(db, 1)
    corpus = Corpus(db, read_only=True)
    calls = []
    stats = corpus.stats
    corpus.stats = lambda: calls.append(1) or stats()
    client = Client(create_app(corpus))
    first = client.get("/api/overview").json()
    assert first["stats"]["articles"] == 1 and len(calls) == 1
    assert client.get("/").status_code == 200
    assert client.get("/api/overview").json() == first and len(calls) == 1
    _store(db, 2)  # another process's ingest commits
    assert client.get("/api/overview").json()["stats"]["articles"] == 2 and len(calls) == 2
    assert client.get("/api/overview").json()["stats"]["articles"] == 2 and len(calls) == 2
