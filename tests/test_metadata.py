"""Metadata files beside the articles (issue 9, section 2): `--metadata` for analyze and ingest,
PolNeAR's metadata.tsv layout as it is, and ingest reading every input option analyze reads."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from presslens.cli import cli
from presslens.errors import UsageError
from presslens.inputs.metadata import ReadOptions, load_metadata, read_records
from presslens.types import Record

# PolNeAR's layout (invented rows): compartment, filename, ..., publisher, publication_date, ..., title
POLNEAR_TSV = (
    "compartment\tfilename\tlevel\tannotators\tpublisher\tpublication_date\tauthor\ttitle\ttrump_count\tcredit\n"
    "train\tgazette_2016-01-02_bridge-opens\t1\tab\tgazette\t2016-01-02\tA. Writer\tThe bridge opens\t0\tNone\n"
    "dev\tledger_2016-02-03_council-vote\t2\tcd\tledger\t2016-02-03\tNone\tCouncil votes\t1\tNone\n"
)


@pytest.fixture()
def folder(tmp_path):
    d = tmp_path / "text"
    d.mkdir()
    (d / "gazette_2016-01-02_bridge-opens.txt").write_text('"The bridge is open," Mayor Ann Cole said.\n')
    (d / "ledger_2016-02-03_council-vote.txt").write_text('"We voted," said council member Raj Patel.\n')
    (d / "unlisted.txt").write_text('"Nothing to add," said Tom Reed.\n')
    (tmp_path / "metadata.tsv").write_text(POLNEAR_TSV)
    return tmp_path


def test_polnear_layout_as_it_is(folder):
    meta = load_metadata(folder / "metadata.tsv")
    records = {r.id: r for r in read_records([str(folder / "text")], ReadOptions(metadata=str(folder / "metadata.tsv")))}
    assert isinstance(records["gazette_2016-01-02_bridge-opens"], Record)
    g = records["gazette_2016-01-02_bridge-opens"]
    assert (g.outlet, g.published, g.title) == ("gazette", "2016-01-02", "The bridge opens")
    assert records["ledger_2016-02-03_council-vote"].outlet == "ledger"
    assert records["unlisted"].outlet is None  # no row: the record as it was
    assert len(meta) >= 2


def test_csv_and_jsonl_keyed_by_id_or_file_name(tmp_path):
    src = tmp_path / "news.jsonl"
    src.write_text("\n".join(json.dumps({"id": f"n{i}", "text": f"Text {i}.", "outlet": "Old"}) for i in range(3)))
    (tmp_path / "meta.csv").write_text("id,outlet,published,url\nn0,New Outlet,2020-03-04,https://x.test/0\n"
                                       "n1,,2020-03-05,\n")
    (tmp_path / "meta.jsonl").write_text(json.dumps({"id": "n2", "source": "Wire", "date": "5 March 2020"}) + "\n")
    got = {r.id: r for r in read_records([str(src)], ReadOptions(metadata=str(tmp_path / "meta.csv")))}
    assert (got["n0"].outlet, got["n0"].published, got["n0"].url) == ("New Outlet", "2020-03-04", "https://x.test/0")
    assert got["n1"].outlet == "Old" and got["n1"].published == "2020-03-05"  # empty keeps the record's value
    got = {r.id: r for r in read_records([str(src)], ReadOptions(metadata=str(tmp_path / "meta.jsonl")))}
    assert (got["n2"].outlet, got["n2"].published) == ("Wire", "2020-03-05")


def test_bad_metadata_files_say_where(tmp_path):
    (tmp_path / "nokey.csv").write_text("outlet,published\nA,2020-01-01\n")
    with pytest.raises(UsageError, match=r"E031.*nokey.csv:2"):
        load_metadata(tmp_path / "nokey.csv")
    (tmp_path / "baddate.csv").write_text("id,published\na,2020-02-30\n")
    with pytest.raises(UsageError, match=r"E032.*baddate.csv:2"):
        load_metadata(tmp_path / "baddate.csv")
    with pytest.raises(UsageError, match="E030"):
        load_metadata(tmp_path / "missing.tsv")


@pytest.mark.model
def test_ingest_takes_metadata_field_and_input_format(tmp_path, folder):
    """ingest reads what analyze reads: --metadata, --field, --input-format; undated statements
    are counted when a date filter leaves them out."""
    runner = CliRunner()
    db = tmp_path / "c.duckdb"
    result = runner.invoke(cli, ["ingest", str(folder / "text"), "--db", str(db), "--workers", "0", "-q",
                                 "--metadata", str(folder / "metadata.tsv")])
    assert result.exit_code == 0, result.output
    csv_src = tmp_path / "export.data"
    csv_src.write_text('story,day,paper\n"""We will build it,"" said engineer Lena Ford.",2021-05-06,Ford Times\n')
    result = runner.invoke(cli, ["ingest", str(csv_src), "--db", str(db), "--workers", "0", "-q",
                                 "--input-format", "csv", "--field", "text=story", "--field", "published=day",
                                 "--field", "outlet=paper"])
    assert result.exit_code == 0, result.output
    from presslens.corpus import Corpus

    c = Corpus(db, read_only=True)
    outlets = {r["outlet"] for r in c.quotes(limit=None)}
    assert {"gazette", "ledger", "Ford Times"} <= outlets
    assert c.undated(since="2016-01-01") == len([q for q in c.quotes(limit=None) if q["published"] is None]) >= 1
    result = runner.invoke(cli, ["quotes", "--since", "2016-01-01", "--db", str(db), "--format", "jsonl"])
    assert result.exit_code == 0 and "undated statement" in result.output


@pytest.mark.model
def test_analyze_takes_metadata(tmp_path, folder):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["analyze", str(folder / "text"), "-o", str(out), "--metadata",
                                      str(folder / "metadata.tsv")])
    assert result.exit_code == 0, result.output
    docs = {d["id"]: d for d in map(json.loads, out.read_text().splitlines())}
    assert docs["ledger_2016-02-03_council-vote"]["outlet"] == "ledger"
    assert docs["ledger_2016-02-03_council-vote"]["published"] == "2016-02-03"


def test_polnear_metadata_tsv_as_it_is(polnear_root):
    """PolNeAR's own metadata.tsv dates and places every dev article (no NLP; skips without PolNeAR)."""
    meta = str(polnear_root / "data" / "metadata.tsv")
    records = [r for r in read_records([str(polnear_root / "data" / "dev" / "text")], ReadOptions(metadata=meta))
               if isinstance(r, Record)]
    assert len(records) == 84
    assert all(r.outlet and r.published and r.title for r in records)
    assert {r.outlet for r in records} <= {"breitbart", "huff-post", "nyt", "politico", "usa-today", "wash-post",
                                           "west-journal"}
