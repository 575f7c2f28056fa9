"""Corpus commands: every export format, exit codes, and kill -9 in the middle of an ingest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from click.testing import CliRunner

from presslens.cli import cli
from presslens.corpus import store
from presslens.errors import UsageError

from test_corpus import counts, hand_corpus, invented_article, write_jsonl  # noqa: F401  (fixture)

COMMANDS = [
    ["quotes", "taxes"],
    ["quotes", "--speaker", "holloway", "--since", "2020-01-01"],
    ["speakers", "--by", "outlet"],
    ["relays"],
    ["timeline", "--speaker", "Jane Holloway"],
    ["rejects"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
@pytest.mark.parametrize("fmt", ["table", "csv", "jsonl", "parquet"])
def test_every_command_exports_every_format(hand_corpus, tmp_path, args, fmt):
    out = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(cli, [*args, "--db", str(hand_corpus), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    if fmt == "parquet":
        rows = duckdb.sql(f"SELECT * FROM '{out}'").fetchall()
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    elif fmt == "csv":
        rows = out.read_text().splitlines()[1:]
    else:
        rows = out.read_text().splitlines()[2:]
    assert len(rows) >= 1


def test_article_command(hand_corpus, tmp_path):
    runner = CliRunner()
    table = runner.invoke(cli, ["article", "h1", "--db", str(hand_corpus)])
    assert table.exit_code == 0 and "We will cut taxes" in table.output
    full = runner.invoke(cli, ["article", "h1", "--db", str(hand_corpus), "--format", "jsonl"])
    assert json.loads(full.output)["schema"] == "presslens/1"
    out = tmp_path / "a.parquet"
    assert runner.invoke(cli, ["article", "h1", "--db", str(hand_corpus), "--format", "parquet", "-o", str(out)]).exit_code == 0
    assert duckdb.sql(f"SELECT count(*) FROM '{out}'").fetchall()[0][0] == 2
    missing = runner.invoke(cli, ["article", "nope", "--db", str(hand_corpus)])
    assert missing.exit_code == 1 and "no article" in missing.output


def test_table_is_readable_and_unknown_options_are_usage_errors(hand_corpus):
    runner = CliRunner()
    result = runner.invoke(cli, ["speakers", "--db", str(hand_corpus)])
    lines = result.output.splitlines()
    assert lines[0].split() == ["speaker", "statements", "articles", "stories"]
    assert lines[2].split()[:2] == ["Jane", "Holloway"]
    assert runner.invoke(cli, ["quotes", "--kind", "shouted", "--db", str(hand_corpus)]).exit_code == 2


def _run_ingest(src, db, *extra):
    code = "from presslens.cli import main; main()"
    with open(f"{db}.log", "ab") as log:  # the child keeps its own copy of the handle
        return subprocess.Popen(
            [sys.executable, "-c", code, "ingest", str(src), "--db", str(db), "-q", *extra],
            stdout=subprocess.DEVNULL, stderr=log, env={**os.environ, "PYTHONPATH": os.getcwd()},
        )


def _articles(db) -> int:
    """Committed articles, 0 before the store exists; waits while the writer holds the file
    (a plain connect failed then and read 0, so a short run could finish unseen)."""
    if not os.path.exists(db):
        return 0
    try:
        con = store.connect(db, read_only=True, wait=2)
    except UsageError:
        return 0
    try:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    except duckdb.Error:  # created but not yet initialised
        return 0
    finally:
        con.close()


@pytest.mark.model
@pytest.mark.slow
def test_kill_9_mid_run_loses_nothing_and_resume_finishes(tmp_path):
    src = tmp_path / "news.jsonl"
    # Enough articles that the run outlasts the model load and a few polls on a fast machine
    # (with 48 and polls every 0.5 s the whole run once finished between two polls; 0.25 s is
    # about 6 articles here, and the run is killed from its fourth on; 60 once finished unseen
    # while the polls could not open the file the writer held).
    n = 90
    write_jsonl(src, [invented_article(i) for i in range(n)])
    db = tmp_path / "killed.duckdb"
    proc = _run_ingest(src, db, "--workers", "1", "--commit-every", "2")
    deadline = time.monotonic() + 300
    seen = 0
    while time.monotonic() < deadline and proc.poll() is None:
        seen = _articles(db)
        if seen >= 4:
            break
        time.sleep(0.25)  # polling opens the file too: leave the writer room to commit
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < _articles(db) < n, "the run should have been killed between the first and the last commit"
    # The resumed run in this process (the killed one had its worker pool)
    resumed = CliRunner().invoke(cli, ["ingest", str(src), "--db", str(db), "-q", "--workers", "0"])
    assert resumed.exit_code == 0, resumed.output

    # Every article once, with one place, and exactly the statement and entity rows of its own
    # stored analysis: nothing of a killed batch is half there, nothing is doubled.
    assert {k: counts(db)[k] for k in ("articles", "article_places", "rejects")} == {"articles": n, "article_places": n,
                                                                                     "rejects": 0}
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(DISTINCT record_id) FROM articles").fetchone()[0] == n
    assert con.execute("SELECT count(*) - count(DISTINCT (article_id, statement_id)) FROM statements").fetchone()[0] == 0
    for table in ("statements", "entities"):
        per_article = dict(con.execute(f"SELECT article_id, count(*) FROM {table} GROUP BY ALL").fetchall())
        for article_id, analysis in con.execute("SELECT article_id, analysis FROM articles").fetchall():
            assert per_article.get(article_id, 0) == len(json.loads(analysis)[table]), (table, article_id)
    con.close()
    # the full-text index caught up: every article's "winter" quote is found once
    from presslens.corpus import Corpus

    hits = Corpus(db, read_only=True).quotes("winter", limit=1000)
    assert len(hits) == len({h["article_id"] for h in hits}) == n


@pytest.mark.model
def test_ingest_reads_what_analyze_reads_with_field_and_input_format(tmp_path):
    """Issue 11: ingest uses the shared readers, so --field and --input-format work as in analyze."""
    src = tmp_path / "export.data"
    src.write_text('{"body": "\\"The harbour will reopen,\\" Jane Holloway said.", "date": "2020-05-01", '
                   '"key": "k1"}\n', encoding="utf-8")
    db = tmp_path / "f.duckdb"
    result = CliRunner().invoke(cli, ["ingest", str(src), "--db", str(db), "--workers", "0", "-q",
                                      "--input-format", "jsonl", "--field", "text=body",
                                      "--field", "published=date", "--field", "id=key"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT record_id, published::VARCHAR FROM articles").fetchall() == [("k1", "2020-05-01")]
    con.close()


@pytest.mark.model
def test_the_demo_ingests_every_sample_article(tmp_path):
    """`make demo`'s ingest: every sample article stored, none rejected (an ingest batch runs in
    a spaCy memory zone; a cached lemma that outlived its string once rejected 5 of the 36)."""
    from pathlib import Path

    samples = Path(__file__).resolve().parent.parent / "samples" / "news"
    db = tmp_path / "demo.duckdb"
    result = CliRunner().invoke(cli, ["ingest", str(samples), "--db", str(db), "--workers", "0", "-q"])
    assert result.exit_code == 0, result.output
    assert {k: counts(db)[k] for k in ("articles", "rejects")} == {"articles": 36, "rejects": 0}


def test_a_store_in_a_new_folder_is_made_and_a_file_that_is_not_one_says_so(tmp_path):
    db = tmp_path / "out" / "corpora" / "c.duckdb"  # `--db out/c.duckdb` in a fresh checkout
    store.connect(db, read_only=False).close()
    assert db.exists()
    bad = tmp_path / "notes.duckdb"
    bad.write_text("not a corpus\n" * 500, encoding="utf-8")
    for read_only in (True, False):
        with pytest.raises(UsageError, match=r"\[E315\] Cannot open .*notes\.duckdb") as err:
            store.connect(bad, read_only=read_only, wait=0.1)
        assert "Another process" not in str(err.value)  # E302 is for a store that is busy
    result = CliRunner().invoke(cli, ["quotes", "--db", str(bad)])
    assert result.exit_code == 2 and "E315" in result.output
    result = CliRunner().invoke(cli, ["ingest", str(bad), "--db", str(bad / "c.duckdb"), "--workers", "0", "-q"])
    assert result.exit_code == 2 and "E315" in result.output  # a file where the folder would go
