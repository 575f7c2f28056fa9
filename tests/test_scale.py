"""Issue 10: the Ray engine gives the local engine's results, through Parquet shards; WARC
ingests are resumable per record (kill -9 loses and doubles nothing; a resumed Ray run analyzes
only what no shard holds). Ray runs locally, started by the `ray_local` fixture."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import warc_builder as wb
from test_corpus import invented_article, write_jsonl
from test_warc import cc_news_records

from presslens import Options
from presslens.corpus import Corpus, store

pytestmark = [pytest.mark.model, pytest.mark.slow]

# Articles from each input of `both_engines`: enough for several shards per file (a shard is one
# block of BATCH_ARTICLES records), so that a resumed run has shards to lose and shards to keep.
HALF = 40
# `both_engines` and the WARC kill -9 test run the `fast` pipeline (the cheaper one: what they
# test is the engines and the store), the CC-NEWS test the default one (five articles): Ray's
# actors run each pipeline they are given.
FAST = "fast"


def stored(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "analyses": dict(con.execute("SELECT article_id, analysis FROM articles").fetchall()),
            "places": sorted(con.execute("SELECT article_id, location FROM article_places").fetchall()),
            "statements": sorted(con.execute(
                "SELECT article_id, statement_id, speaker, kind, content FROM statements").fetchall()),
            "skips": sorted(con.execute("SELECT location, reason, detail FROM skips").fetchall()),
            "rejects": sorted(con.execute("SELECT location, reason FROM rejects").fetchall()),
        }
    finally:
        con.close()


def news_warc(path: Path, numbers: range, *, requests: bool = True) -> None:
    """Invented articles as the HTML responses of a WARC, each after its request record."""
    records = []
    for i in numbers:
        a = invented_article(i)
        uri = f"https://www.{a['outlet'].lower().replace(' ', '')}.example.com/{i}"
        if requests:
            records.append(wb.request(uri))
        records.append(wb.response(uri, wb.page(a["title"], a["text"], site=a["outlet"], published=a["published"])))
    wb.write(path, records)


def test_kill_9_mid_warc_loses_and_doubles_nothing(tmp_path):
    """First in the file: it needs no Ray, which starts with the next test."""
    path = tmp_path / "news.warc.gz"
    news_warc(path, range(400, 480))  # 80 articles, 160 records (polled every 0.2 s: killed after 6 to 15)
    db = tmp_path / "c.duckdb"
    cmd = [str(Path(sys.executable).with_name("presslens")), "ingest", str(path), "--db", str(db), "--workers", "0",
           "--commit-every", "2", "--pipeline", FAST, "-q"]  # what is tested is the store, not the pipeline
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    log = open(tmp_path / "ingest.log", "wb")
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=log)
    try:
        committed = 0
        while committed < 6 and proc.poll() is None:
            time.sleep(0.2)
            if db.exists():
                try:
                    con = store.connect(db, read_only=True, wait=5)
                except Exception:  # noqa: BLE001  (created but not yet initialised)
                    continue
                try:
                    committed = con.execute("SELECT count(*) FROM articles").fetchone()[0]
                except duckdb.Error:
                    committed = 0
                finally:
                    con.close()
        assert proc.poll() is None, (tmp_path / "ingest.log").read_text()  # still running: killed mid-file
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()
    before = stored(db)
    assert 6 <= len(before["analyses"]) < 80
    with Corpus(db) as corpus:
        report = corpus.ingest([path], workers=0, progress=False, options=Options(pipeline=FAST))
    after = stored(db)
    assert len(after["analyses"]) == 80 and report.added == 80 - len(before["analyses"])
    locations = [loc for _aid, loc in after["places"]] + [s[0] for s in after["skips"]]
    assert len(locations) == len(set(locations)) == 160  # every record once: nothing lost or doubled
    assert {a for a, _ in after["places"]} == set(after["analyses"])
    assert len(after["statements"]) == len(set((s[0], s[1]) for s in after["statements"]))


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory, ray_local) -> dict:
    """The same 2 * HALF articles (HALF from JSON Lines, HALF from a WARC, five with `--metadata`)
    ingested with `--pipeline fast` by the local engine (in this process: the pool's own workers
    get the same articles in tests/test_library.py) and by Ray with two actors, through shards."""
    fast = Options(pipeline=FAST)
    tmp = tmp_path_factory.mktemp("engines")
    inputs = tmp / "in"
    inputs.mkdir()
    write_jsonl(inputs / "files.jsonl", [invented_article(i) for i in range(HALF)])
    news_warc(inputs / "CC-NEWS-test.warc.gz", range(100, 100 + HALF))
    (inputs / "notes.dat").write_bytes(b"\x00\x01")  # not an input: both engines count it as a skip
    meta = tmp / "meta.tsv"  # --metadata works on both engines: five records get another outlet and date
    meta.write_text("id\toutlet\tdate\n" + "".join(f"n{i}\tMetadata Wire\t2 January 2020\n" for i in range(5)))
    with Corpus(tmp / "local.duckdb") as corpus:
        local = corpus.ingest([inputs], workers=0, progress=False, metadata=meta, options=fast)
    with Corpus(tmp / "ray.duckdb") as corpus:
        ray = corpus.ingest([inputs], workers=2, engine="ray", shards=str(tmp / "shards"), progress=False,
                            metadata=meta, options=fast)
    return {"tmp": tmp, "inputs": inputs, "meta": meta, "local": local, "ray": ray, "options": fast}


def test_local_and_ray_give_identical_json(both_engines):
    tmp, local, ray = both_engines["tmp"], both_engines["local"], both_engines["ray"]
    assert (local.added, ray.added) == (2 * HALF, 2 * HALF) and local.analyzed == ray.analyzed == 2 * HALF
    assert local.skipped_by == ray.skipped_by == {"not-response": HALF, "not-input": 1}
    a, b = stored(tmp / "local.duckdb"), stored(tmp / "ray.duckdb")
    assert len(a["analyses"]) == 2 * HALF
    assert a["analyses"] == b["analyses"]  # the presslens/1 JSON, byte for byte
    assert a["statements"] == b["statements"] and a["places"] == b["places"] and a["skips"] == b["skips"]
    warc_docs = [json.loads(d) for d in a["analyses"].values() if "origin" in json.loads(d)]
    assert len(warc_docs) == HALF and all(d["origin"]["language"] == "en" for d in warc_docs)
    assert sum(len(json.loads(d)["statements"]) for d in a["analyses"].values()) == local.statements > 2 * HALF
    assert list((tmp / "shards").glob("*.parquet"))  # the distributed run went through shards
    from_meta = [d for d in map(json.loads, b["analyses"].values()) if d.get("outlet") == "Metadata Wire"]
    assert sorted(d["id"] for d in from_meta) == [f"n{i}" for i in range(5)]
    assert {d["published"] for d in from_meta} == {"2020-01-02"}


def test_resumed_ray_run_analyses_only_what_no_shard_holds(both_engines, tmp_path):
    """The Ray run of `both_engines`, as if killed before it wrote three of its shards: run again
    on the shards left, it analyzes only the records of the lost shards."""
    shards = tmp_path / "shards"
    shutil.copytree(both_engines["tmp"] / "shards", shards)
    files = sorted(shards.glob("*.parquet"))
    assert len(files) >= 4
    lost = files[:3]
    con = duckdb.connect()
    lost_rows = con.execute("SELECT count(*) FROM read_parquet(?) WHERE kind = 'article'",
                            [[str(f) for f in lost]]).fetchone()[0]
    for f in lost:
        f.unlink()
    (shards / "part-x.parquet.1234.tmp").write_bytes(b"half a shard")  # a killed write leaves this
    with Corpus(tmp_path / "again.duckdb") as corpus:
        again = corpus.ingest([both_engines["inputs"]], workers=1, engine="ray", shards=str(shards), progress=False,
                              metadata=both_engines["meta"], options=both_engines["options"])
    assert 0 < again.analyzed == lost_rows  # only the records of the lost shards were analyzed again
    assert again.added == 2 * HALF
    assert stored(tmp_path / "again.duckdb")["analyses"] == stored(both_engines["tmp"] / "ray.duckdb")["analyses"]
    with Corpus(tmp_path / "again.duckdb") as corpus:
        third = corpus.load([shards], pipeline=FAST, progress=False)  # the same shards again add nothing
    assert (third.added, third.duplicates) == (0, 0) and third.skipped == 3 * HALF + 1  # articles, requests, notes.dat


def test_cc_news_file_with_another_pipeline_gives_the_local_json_on_ray(tmp_path, ray_local):
    """A CC-NEWS file with the default pipeline (`both_engines` runs `--pipeline fast`): Ray's
    actors run that pipeline, encoder included, and the corpus holds what the local engine
    stores, every record accounted for."""
    path = tmp_path / "CC-NEWS-20240302.warc.gz"
    records = cc_news_records()
    offsets = wb.write(path, records, truncate_last=50)
    with Corpus(tmp_path / "local.duckdb") as corpus:
        local = corpus.ingest([path], workers=0, progress=False)
        skipped = corpus.skipped()
    with Corpus(tmp_path / "ray.duckdb") as corpus:
        ray = corpus.ingest([path], workers=1, engine="ray", progress=False)
    a, b = stored(tmp_path / "local.duckdb"), stored(tmp_path / "ray.duckdb")
    assert a["statements"] and a["statements"] == b["statements"] and a["analyses"] == b["analyses"]
    assert {json.loads(d)["pipeline"]["name"] for d in b["analyses"].values()} == {"default"}
    assert a["skips"] == b["skips"] and a["rejects"] == b["rejects"]
    # Every record accounted for, once, by reason: stored articles, skips, the one reject.
    places = [loc for _aid, loc in a["places"]] + [s[0] for s in a["skips"]] + [r[0] for r in a["rejects"]]
    assert sorted(places) == sorted(f"{path}@{o}" for o in offsets)
    assert (local.added, local.rejected, ray.added, ray.rejected) == (2, 1, 2, 1)  # the third is cut short
    assert local.skipped_by == ray.skipped_by == {"not-response": 3, "http-status": 1, "not-html": 1,
                                                  "language": 1, "no-article": 1}
    assert a["rejects"][0][1].startswith("[E120]") and a["rejects"][0][0] == f"{path}@{offsets[-1]}"
    assert {"reason": "language", "detail": "de", "records": 1} in skipped
    assert (tmp_path / "ray.duckdb.shards").is_dir()  # the default place of the shards


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([str(Path(__file__))]))
