"""Parquet shards and `presslens load` (issue 10), without Ray: shards written by hand with the
functions the Ray actors use, loaded into a corpus: dedup by key, copies, skips, rejects, other
pipeline versions, a corpus written before WARC input."""

from __future__ import annotations

from presslens.corpus import Corpus, shards, store
from presslens.corpus.dedup import signature
from presslens.types import Article, Origin, Statement


def article_row(n: int, location: str, seq: int) -> dict:
    text = f"Story number {n}: the council met on Monday and the mayor said the bridge would open in spring {n}."
    a = Article(id=f"urn:uuid:{n}", text=text, outlet="example.com", published="2024-03-01", title=f"T{n}",
                url=f"https://example.com/{n}", model="en_core_web_sm-3.8.0",
                statements=[Statement("s1", [(40, 80)], [(30, 34)], [], None, "indirect", "vague")],
                origin=Origin("x.warc.gz", seq * 100, f"urn:uuid:{n}", "2024-03-02T10:15:00Z", "en")).to_dict()
    return shards.article_row(location, "x.warc.gz", seq, a, store.content_hash(text), signature(text))


def test_load_builds_a_corpus_and_loading_again_adds_nothing(tmp_path, run_cli):
    rows = [
        shards.row("skip", "x.warc.gz@0", "x.warc.gz", 0, reason="not-response", detail="request"),
        article_row(1, "x.warc.gz@100", 1),
        article_row(2, "x.warc.gz@200", 2),
        shards.row("reject", "x.warc.gz@300", "x.warc.gz", 3, reason="[E120] truncated"),
    ]
    copy = article_row(1, "y.warc.gz@100", 0)  # the same text read from another file
    copy = shards.row("copy", "y.warc.gz@100", "y.warc.gz", 0, content_hash=copy["content_hash"], record_id="c")
    shard_dir = tmp_path / "shards"
    first = shards.write_shard(rows, str(shard_dir))
    assert shards.write_shard(rows, str(shard_dir)) == first  # a retried batch replaces itself
    shards.write_shard([copy, article_row(2, "x.warc.gz@200", 2)], str(shard_dir))  # a duplicate row
    (shard_dir / "part-zz.parquet.ab12.tmp").write_bytes(b"half")  # a killed write: ignored
    db = tmp_path / "c.duckdb"
    result = run_cli("load", shard_dir, "--db", db, "-q")
    assert result.exit_code == 1  # one reject
    assert "2 added" in result.stderr and "1 exact duplicates" in result.stderr
    with Corpus(db, read_only=True) as corpus:
        assert corpus.stats()["articles"] == 2 and corpus.stats()["statements"] == 2
        assert corpus.skipped() == [{"reason": "not-response", "detail": "request", "records": 1}]
        assert [r["location"] for r in corpus.rejects()] == ["x.warc.gz@300"]
        assert corpus.quotes("bridge")  # the full-text index followed
        sources = corpus.article(article_row(1, "", 0)["article_id"])["corpus"]["sources"]
        assert sorted(s["location"] for s in sources) == ["x.warc.gz@100", "y.warc.gz@100"]
    with Corpus(db) as corpus:
        again = corpus.load([shard_dir], progress=False)
    assert (again.added, again.duplicates, again.rejected) == (0, 0, 0) and again.skipped == 5
    assert run_cli("skipped", "--db", db, "--format", "csv").stdout.splitlines()[1] == "not-response,request,1"


def test_rows_of_another_pipeline_version_are_not_loaded(tmp_path):
    row = article_row(7, "x.warc.gz@700", 7)
    row.update(pipeline_version="1999.1.1", key=shards.row_key(row["location"], row["content_hash"], "1999.1.1"))
    shards.write_shard([row], str(tmp_path / "s"))
    with Corpus(tmp_path / "c.duckdb") as corpus:
        report = corpus.load([tmp_path / "s"], progress=False)
    assert report.added == 0 and "pipeline version 1999.1.1" in report.errors[0]


def test_a_corpus_from_before_warc_input_reads(tmp_path):
    db = tmp_path / "old.duckdb"
    con = store.connect(db, read_only=False)
    con.execute("DROP TABLE skips")
    con.close()
    with Corpus(db, read_only=True) as corpus:
        assert corpus.stats()["skipped"] == 0 and corpus.skipped() == []
