"""Exports keep one declared schema (issue 9, section 3): the Parquet columns and types are the
same for an empty corpus and a full one, whatever is empty in it."""

from __future__ import annotations

import duckdb
import pytest
from click.testing import CliRunner

from presslens.cli import cli
from presslens.corpus import Corpus, schemas, store
from presslens.corpus.export import export


def parquet_schema(path) -> list[tuple[str, str]]:
    con = duckdb.connect()
    try:
        return [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()]
    finally:
        con.close()


@pytest.mark.parametrize("schema", [schemas.QUOTES, schemas.SPEAKERS, schemas.TIMELINE, schemas.RELAYS,
                                    schemas.REJECTS, schemas.ALIASES])
def test_declared_schema_whatever_the_rows(tmp_path, schema):
    empty, sparse = tmp_path / "empty.parquet", tmp_path / "sparse.parquet"
    export([], "parquet", str(empty), schema=schema)
    # every value null or an empty list: inferred types would be NULL / JSON[]
    export([{c: ([] if t.endswith("[]") else None) for c, t in schema}], "parquet", str(sparse), schema=schema)
    assert parquet_schema(empty) == parquet_schema(sparse) == [(c, t) for c, t in schema]


def test_cli_parquet_identical_for_empty_and_filled_corpus(tmp_path):
    from test_persons import corpus_articles, write

    filled, empty = tmp_path / "filled.duckdb", tmp_path / "empty.duckdb"
    write(filled, corpus_articles())
    with Corpus(filled) as c:
        c.link_speakers()
    store.connect(empty, read_only=False).close()
    runner = CliRunner()
    for command in (["quotes"], ["speakers"], ["speakers", "--by", "outlet"], ["relays"], ["rejects"],
                    ["timeline", "--speaker", "Daniel Halvorsen"]):
        shapes = []
        for db in (filled, empty):
            out = tmp_path / f"{db.stem}-{'-'.join(command)}.parquet"
            result = runner.invoke(cli, [*command, "--db", str(db), "--format", "parquet", "-o", str(out)])
            assert result.exit_code == 0, result.output
            shapes.append(parquet_schema(out))
        assert shapes[0] == shapes[1], command


def test_table_fits_the_terminal_and_hides_internal_columns(monkeypatch):
    import io
    import shutil

    from presslens.corpus.export import write_table

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(shutil, "get_terminal_size", lambda *a, **k: shutil.os.terminal_size((60, 20)))
    rows = [{"speaker": "Daniel Halvorsen", "speaker_entity": "e1", "content": "word " * 40, "outlet": "City Ledger"}]
    out = Terminal()
    write_table(iter(rows), out)
    lines = out.getvalue().splitlines()
    assert "speaker_entity" not in lines[0]
    assert max(len(line) for line in lines) <= 60
    piped = io.StringIO()  # not a terminal: full width
    write_table(iter(rows), piped)
    assert max(len(line) for line in piped.getvalue().splitlines()) > 60


def test_serve_takes_db_like_every_command(monkeypatch, tmp_path):
    import presslens.web as web

    db = tmp_path / "c.duckdb"
    store.connect(db, read_only=False).close()
    seen = {}
    monkeypatch.setattr(web, "serve", lambda path, **kw: seen.setdefault("path", path))
    runner = CliRunner()
    assert runner.invoke(cli, ["serve", "--db", str(db)]).exit_code == 0
    assert seen["path"] == str(db)
    seen.clear()
    assert runner.invoke(cli, ["serve", str(db)]).exit_code == 0 and seen["path"] == str(db)
    assert runner.invoke(cli, ["serve", "--db", str(tmp_path / "missing.duckdb")]).exit_code == 2
