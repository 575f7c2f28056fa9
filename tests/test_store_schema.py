"""Issue 11: the corpus write path is typed. Each table's columns are the fields of one row type;
the store, an upgraded older store and docs/corpus.md all agree with them."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import duckdb
import pytest

from presslens.corpus import store

REPO = Path(__file__).resolve().parent.parent


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def test_tables_are_the_row_types(tmp_path):
    con = store.connect(tmp_path / "s.duckdb", read_only=False)
    for row in store.TABLES:
        assert _columns(con, row.TABLE) == row.columns(), row.__name__
    con.close()


def test_an_older_store_gains_a_new_column(tmp_path, monkeypatch):
    """A field added to a row type reaches a store made before it, on its next writable open."""
    db = tmp_path / "old.duckdb"
    store.connect(db, read_only=False).close()

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Wider(store.StatementRow):
        paragraph: int | None = store.column("INTEGER")

    monkeypatch.setattr(store, "TABLES", tuple(Wider if t is store.StatementRow else t for t in store.TABLES))
    con = store.connect(db, read_only=False)
    assert _columns(con, "statements")[-1] == "paragraph"
    values = {**dict.fromkeys(store.StatementRow.columns()), "seq": 1, "article_id": "a", "statement_id": "s1",
              "according_to": []}
    store._insert(con, Wider, [Wider(**values, paragraph=3)])
    assert con.execute("SELECT paragraph FROM statements").fetchall() == [(3,)]
    con.close()


def test_an_older_store_keeps_its_places_under_the_new_table_name(tmp_path):
    """A store made when the places table was `article_sources` reads as `article_places`: through
    a view when opened read-only, renamed for good on its next writable open."""
    db = tmp_path / "old.duckdb"
    con = store.connect(db, read_only=False)
    con.execute("INSERT INTO article_places VALUES ('a1', 'news.jsonl:3', 'r1', now(), 'run')")
    con.execute("ALTER TABLE article_places RENAME TO article_sources")
    con.close()

    con = store.connect(db, read_only=True)
    assert con.execute("SELECT article_id, location FROM article_places").fetchall() == [("a1", "news.jsonl:3")]
    con.close()
    con = store.connect(db, read_only=False)
    tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "article_sources" not in tables
    assert con.execute("SELECT article_id, location FROM article_places").fetchall() == [("a1", "news.jsonl:3")]
    con.close()


def test_a_row_missing_a_column_fails():
    fields = {f: None for f in store.StatementRow.columns()}
    del fields["title"]
    with pytest.raises(TypeError):
        store.StatementRow(**fields)


def test_docs_list_every_column():
    doc = (REPO / "docs" / "corpus.md").read_text(encoding="utf-8")
    for row in store.TABLES:
        line = next(x for x in doc.splitlines() if x.startswith(f"| `{row.TABLE}` |"))
        documented = list(dict.fromkeys(re.findall(r"`(\w+)`", line.split("|")[3])))
        if row is store.MetaRow:
            documented.remove("schema_version")
        assert documented == row.columns(), row.TABLE


def test_insert_names_its_columns(tmp_path):
    """Rows go in by column name, so a table whose columns were added in another order still
    gets each value in its column."""
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    con.execute("CREATE TABLE rejects (reason VARCHAR, location VARCHAR, run_id VARCHAR, record_id VARCHAR, "
                "seen_at TIMESTAMP)")
    row = store.RejectRow(location="f:1", reason="[E106] empty text", record_id=None, seen_at=store.now(),
                          run_id="r")
    store._insert(con, store.RejectRow, [row])
    assert con.execute("SELECT location, reason FROM rejects").fetchall() == [("f:1", "[E106] empty text")]
