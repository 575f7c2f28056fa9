"""Issue 11, section 3: the faults that fault and fuzz testing found. Each test failed before its
fix (the issue names the symptom) and guards it since."""

from __future__ import annotations

import duckdb
import pytest
import tantivy

from presslens.corpus import Corpus, store
from presslens.corpus.dedup import signature
from presslens.corpus.search import Index


def synthetic_article(i: int, statements: int = 3) -> dict:
    """A presslens/1 article with `statements` statements, made without NLP."""
    sentences = [f"Speaker {i} said point {j} of plan {i}." for j in range(statements)]
    text = " ".join(sentences)
    stmts, at = [], 0
    for j, s in enumerate(sentences):
        stmts.append({"id": f"s{j + 1}", "content": [[at, at + len(s)]], "cue": [], "source": [], "speaker": "e1",
                      "kind": "indirect", "attribution": "named", "according_to": [], "confidence": 0.5})
        at += len(s) + 1
    return {"schema": "presslens/1", "id": f"syn{i}", "outlet": "Wire", "published": "2020-01-02", "title": None,
            "url": None, "text": text, "times": [], "warnings": [], "pipeline": {"version": "x", "model": "m"},
            "entities": [{"id": "e1", "name": f"Speaker {i}", "type": "PERSON", "mentions": [], "roles": [],
                          "titles": []}],
            "statements": stmts}


def pending(a: dict, location: str | None = None) -> store.PendingArticle:
    chash = store.content_hash(a["text"])
    return store.PendingArticle(article=a, article_id=chash[:16], content_hash=chash, signature=signature(a["text"]),
                                location=location or f"syn:{a['id']}")


def store_seqs(db) -> list[int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT seq FROM statements ORDER BY seq").fetchall()]
    finally:
        con.close()


def index_seqs(db) -> list[int]:
    index = Index(store.index_path(db), create=False)
    return sorted(index.seqs(tantivy.Query.all_query()))


@pytest.fixture()
def synthetic_store(tmp_path):
    """40 articles of 3 statements in the store, none in the index yet."""
    db = tmp_path / "syn.duckdb"
    writer = store.Writer(db, "run", "x")
    for i in range(40):
        writer.add_article(pending(synthetic_article(i)))
    writer.flush()
    return db


# -- 1. resuming an index build ------------------------------------------------------------------
def test_resumed_index_build_loses_no_statement(synthetic_store, monkeypatch):
    """11.3.1: a rebuild killed after its first chunk, then resumed, indexes every statement (each
    chunk used to delete the earlier statements of an article that crossed the chunk boundary)."""
    db = synthetic_store
    commits = []
    real_commit = Index.commit

    def dying_commit(self):
        real_commit(self)
        commits.append(1)
        if len(commits) == 2:
            raise KeyboardInterrupt  # killed after two chunks were committed

    monkeypatch.setattr(Index, "commit", dying_commit)
    con = store.connect(db, read_only=False)
    with pytest.raises(KeyboardInterrupt):
        Index(store.index_path(db)).reconcile(con, batch=7)  # 7: chunks end inside articles
    monkeypatch.setattr(Index, "commit", real_commit)
    Index(store.index_path(db)).reconcile(con, batch=7)
    con.close()
    assert index_seqs(db) == store_seqs(db)


def test_reconcile_in_chunks_keeps_every_statement(synthetic_store):
    """11.3.1: an index that lags (a lost commit) catches up in chunks without losing any."""
    db = synthetic_store
    con = store.connect(db, read_only=False)
    index = Index(store.index_path(db))
    index.add(store.StatementRow(**dict(zip(store.StatementRow.columns(), r)))
              for r in con.execute(f"SELECT {', '.join(store.StatementRow.columns())} FROM statements "
                                   "WHERE seq <= 10").fetchall())
    index.commit()
    index.reconcile(con, batch=5)
    con.close()
    assert index_seqs(db) == store_seqs(db)


def test_check_reports_and_repairs_index_drift(synthetic_store):
    """11.3.1: `presslens check --db` finds missing, stale and doubled index documents and
    places stored twice, and --repair fixes them."""
    from click.testing import CliRunner

    from presslens.cli import cli

    db = synthetic_store
    con = store.connect(db, read_only=False)
    Index(store.index_path(db)).reconcile(con)
    index = Index(store.index_path(db))
    w = index.writer()
    w.delete_documents_by_term("seq", 5)  # missing
    index.add([store.StatementRow(**{**dict.fromkeys(store.StatementRow.columns()), "seq": 7, "article_id": "x",
                                     "statement_id": "s1", "according_to": []}),  # doubled
               store.StatementRow(**{**dict.fromkeys(store.StatementRow.columns()), "seq": 999, "article_id": "x",
                                     "statement_id": "s1", "according_to": []})])  # stale
    index.commit()
    place = con.execute("SELECT * FROM article_sources LIMIT 1").fetchall()
    con.execute("INSERT INTO article_sources SELECT * FROM article_sources LIMIT 1")
    con.close()
    assert place
    result = CliRunner().invoke(cli, ["check", "--db", str(db)])
    assert result.exit_code == 1, result.output
    assert "1 missing, 1 stale, 1 doubled; 1 places stored twice" in result.output
    fixed = CliRunner().invoke(cli, ["check", "--db", str(db), "--repair"])
    assert fixed.exit_code == 0 and "now agree" in fixed.output, fixed.output
    again = Corpus(db, read_only=True).check()
    assert again["ok"] and (again["missing"], again["stale"], again["doubled"], again["doubled_places"]) == (0, 0, 0, 0)
    index_docs = Index(store.index_path(db), create=False).seqs(tantivy.Query.all_query())
    assert sorted(index_docs) == store_seqs(db)
