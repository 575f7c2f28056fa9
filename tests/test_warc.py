"""Reading WARC files (issue 10): every record accounted for by reason, truncated and corrupt
records rejected with file and byte offset, charsets, outlets, origins, resume. The WARC files
are written by tests/warc_builder.py, by hand from the WARC 1.0 format."""

from __future__ import annotations

import gzip
import zlib
from collections import Counter

import pytest
import warc_builder as wb

from presslens.errors import UsageError
from presslens.inputs import iter_records
from presslens.inputs.warc import iter_warc, looks_like_warc
from presslens.types import Record, Reject, Skip

STORY = ('"We will finish the bridge before winter," Mayor Jane Holloway said on Monday. The council '
         "voted seven to two to approve the plan, which costs forty million dollars. Residents said they "
         "had waited long enough for a new crossing over the river.\n\n"
         'Opposition leader Tom Briggs said the vote was rushed. "Nobody read the report," he told reporters.')
GERMAN = ("Der Bürgermeister sagte am Montag, dass die neue Brücke vor dem Winter fertig wird. Der Stadtrat "
          "stimmte mit sieben zu zwei Stimmen für den Plan. Die Anwohner warten seit Jahren auf die Verbindung.")


def cc_news_records() -> list[bytes]:
    """A CC-NEWS-like file: requests and responses of several outlets, a metadata record, a 404,
    a PDF, a German page, an empty page; the last record (an article) will be truncated."""
    a, b, c = "https://www.dailyplanet.com/2024/03/bridge", "https://news.example.co.uk/bridge", "https://metro.example.org/x"
    return [
        wb.request(a),
        wb.response(a, wb.page("Bridge vote", STORY, site="Daily Planet", published="2024-03-01")),
        wb.metadata(a),
        wb.request(b),
        wb.response(b, wb.page("Council backs bridge", STORY.replace("Monday", "Tuesday"))),
        wb.response("https://www.dailyplanet.com/missing", b"<html><body>Not found</body></html>", status=404),
        wb.response("https://www.dailyplanet.com/report.pdf", b"%PDF-1.4 binary", content_type="application/pdf"),
        wb.response("https://www.zeit.example.de/bruecke", wb.page("Brücke", GERMAN, lang="de")),
        wb.response("https://empty.example.com/", b"<!DOCTYPE html><html><body></body></html>"),
        wb.response(c, wb.page("Metro", STORY.replace("Monday", "Friday"), site="The Metro")),
    ]


def by_kind(items):
    return {
        "records": [i for i in items if isinstance(i, Record)],
        "skips": Counter((i.reason, i.detail) for i in items if isinstance(i, Skip)),
        "rejects": [i for i in items if isinstance(i, Reject)],
    }


def test_cc_news_style_file_every_record_accounted_for(tmp_path):
    path = tmp_path / "CC-NEWS-20240302.warc.gz"
    records = cc_news_records()
    offsets = wb.write(path, records, truncate_last=50)
    items = list(iter_records([str(path)]))
    assert len(items) == len(records)  # one result per record, none dropped
    assert [int(i.location.rsplit("@", 1)[1]) for i in items] == offsets
    got = by_kind(items)
    assert got["skips"] == Counter({("not-response", "request"): 2, ("not-response", "metadata"): 1,
                                    ("http-status", "404"): 1, ("not-html", "application/pdf"): 1,
                                    ("language", "de"): 1, ("no-article", None): 1})
    (reject,) = got["rejects"]
    assert reject.location == f"{path}@{offsets[-1]}" and reject.reason.startswith("[E120]")
    assert f"byte {offsets[-1]}" in reject.reason and str(path) in reject.reason
    first, second = got["records"]
    assert (first.url, first.outlet, first.published, first.title) == (
        "https://www.dailyplanet.com/2024/03/bridge", "Daily Planet", "2024-03-01", "Bridge vote")
    assert second.outlet == "example.co.uk"  # no site name on the page: the registered domain
    assert first.origin.file == str(path) and first.origin.offset == offsets[1]
    assert first.origin.crawled == wb.CRAWLED and first.origin.language == "en"
    assert first.origin.record_id.startswith("urn:uuid:") and first.id == first.origin.record_id
    assert "Mayor Jane Holloway" in first.text and "Home" not in first.text  # the article, not the menu


def test_plain_warc_and_a_folder_of_them(tmp_path):
    recs = cc_news_records()[:5]
    wb.write(tmp_path / "a.warc", recs, gz=False)
    (tmp_path / "sub").mkdir()
    wb.write(tmp_path / "sub" / "b.warc.gz", recs)
    items = list(iter_records([str(tmp_path)]))
    assert len(items) == 10 and len(by_kind(items)["records"]) == 4
    assert {i.location.rsplit("@", 1)[0] for i in items} == {str(tmp_path / "a.warc"), str(tmp_path / "sub" / "b.warc.gz")}
    assert len(list(iter_records([str(tmp_path / "*.warc")]))) == 5  # a glob


def test_corrupt_member_in_the_middle_is_rejected_and_reading_goes_on(tmp_path):
    recs = cc_news_records()
    members = [gzip.compress(r, mtime=0) for r in recs]
    broken = members[4][: len(members[4]) // 2]  # half a gzip member, then the rest of the file
    path = tmp_path / "broken.warc.gz"
    path.write_bytes(b"".join(members[:4]) + broken + b"".join(members[5:]))
    items = list(iter_warc(str(path)))
    bad = sum(len(m) for m in members[:4])
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [r.location for r in rejects] == [f"{path}@{bad}"] and rejects[0].reason.startswith("[E121]")
    assert len(items) == len(recs)  # the broken record is the one reject; every other one is read
    assert len(by_kind(items)["records"]) == 2


def test_wrong_content_length_rejects_that_record_only(tmp_path):
    recs = cc_news_records()[:5]
    bad = recs[1].replace(b"Content-Length: ", b"Content-Length: 9", 1)  # longer than the block
    path = tmp_path / "long.warc"
    path.write_bytes(recs[0] + bad + b"".join(recs[2:]))
    items = list(iter_warc(str(path)))
    assert [type(i).__name__ for i in items][:2] == ["Skip", "Reject"]
    assert items[1].location == f"{path}@{len(recs[0])}"
    assert {i.location for i in items[2:]} >= {f"{path}@{len(recs[0]) + len(bad) + len(recs[2])}"}
    assert sum(isinstance(i, Record) for i in items) == 1  # the record after the bad one is read


def test_charsets_encodings_and_outlets(tmp_path):
    latin = wb.page("Café", STORY.replace("Mayor", "Maire Élodie"), charset="latin-1")
    recs = [
        wb.response("https://a.example.com/1", latin, content_type="text/html; charset=iso-8859-1"),
        wb.response("https://b.example.com/2", latin, content_type="text/html"),  # the page's <meta charset>
        wb.response("https://c.example.com/3", gzip.compress(wb.page("Z", STORY), mtime=0),
                    headers=("Content-Encoding: gzip",)),
        wb.response("https://d.example.com/4", b"5\r\n<html\r\n0\r\n\r\n", headers=("Transfer-Encoding: chunked",)),
        wb.response("https://e.example.com/5", zlib.compress(b"x"), headers=("Content-Encoding: br",)),
    ]
    path = tmp_path / "enc.warc.gz"
    wb.write(path, recs)
    items = list(iter_warc(str(path)))
    assert "Maire Élodie" in items[0].text and "Maire Élodie" in items[1].text
    assert items[0].outlet == "example.com"
    assert "Mayor Jane Holloway" in items[2].text
    assert isinstance(items[3], Skip) and items[3].reason == "no-article"  # dechunked: "<html" only
    assert isinstance(items[4], Reject) and items[4].reason.startswith("[E123]")


def test_done_locations_are_not_extracted_again(tmp_path):
    path = tmp_path / "x.warc.gz"
    offsets = wb.write(path, cc_news_records())
    done = {f"{path}@{offsets[1]}", f"{path}@{offsets[5]}"}
    items = list(iter_records([str(path)], done=done))
    stored = [i.location for i in items if isinstance(i, Skip) and i.reason == "stored"]
    assert set(stored) == done and len(items) == len(offsets)


def test_sniffed_without_the_extension_and_bad_paths(tmp_path):
    path = tmp_path / "crawl.bin"
    wb.write(path, cc_news_records()[:2])
    assert looks_like_warc(path.read_bytes()[:64])
    assert len(list(iter_records([str(path)]))) == 2
    with pytest.raises(UsageError, match=r"\[E016\].*matches no file"):
        iter_records([str(tmp_path / "*.warc.gz")])
    with pytest.raises(UsageError, match=r"\[E015\]"):
        iter_records(["https://example.com/page.html"])


@pytest.mark.model
def test_analyze_command_counts_skips_by_reason(tmp_path, run_cli, validate):
    path = tmp_path / "CC-NEWS.warc.gz"
    wb.write(path, cc_news_records(), truncate_last=50)
    out = tmp_path / "out.jsonl"
    result = run_cli("analyze", path, "-o", out)
    assert result.exit_code == 1  # the truncated record is a reject
    assert "2 articles" in result.stderr and "1 reject" in result.stderr
    assert "7 skipped (not-response 3, http-status 1, not-html 1, no-article 1, language 1)" in result.stderr
    from conftest import read_jsonl

    docs = read_jsonl(out)
    for doc in docs:
        validate(doc)
    assert [d["origin"]["language"] for d in docs] == ["en", "en"]
    assert any(s["speaker"] for s in docs[0]["statements"])
