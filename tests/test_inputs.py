"""Readers: every input format, encodings and the rejects of issue 2 §2, §5 and §6."""

from __future__ import annotations

import codecs
import io
import json
import sys
from pathlib import Path

import pytest

from presslens import Record, Reject, UsageError
from presslens.inputs import iter_records, normalize_date, parse_dateline, parse_mapping
from presslens.types import Skip


def records(items):
    return [r for r in items if isinstance(r, Record)]


def rejects(items):
    return [r for r in items if isinstance(r, Reject)]


def test_parse_dateline_outlet_with_spaces_and_first_separator():
    d = parse_dateline("date 2020-09-15 The Daily Example - Talks - and more - went on.")
    assert (d.published, d.outlet, d.text) == ("2020-09-15", "The Daily Example", "Talks - and more - went on.")
    assert parse_dateline("no header here") is None


def test_dateline_file(data_dir, read_records):
    items = read_records(data_dir / "wire.txt")
    assert [r.id for r in items] == ["wire:1", "wire:2"]
    first = items[0]
    assert first.outlet == "Meridian Wire" and first.published == "2020-03-12"
    assert first.text.startswith("Negotiators resumed talks") and not first.text.endswith("\n")
    assert first.location.endswith("wire.txt:1")


def test_dateline_impossible_date_and_missing_header_are_rejected(tmp_path, read_records):
    f = tmp_path / "d.txt"
    f.write_text("date 2020-03-12 A - one.\ndate 2020-02-30 B - two.\nnot a header\ndate 2020-03-14 C - four.\n")
    items = read_records(f)
    assert [r.id for r in records(items)] == ["d:1", "d:4"]
    bad = rejects(items)
    assert [r.location for r in bad] == [f"{f}:2", f"{f}:3"]
    assert "E107" in bad[0].reason and "2020-02-30" in bad[0].reason
    assert "E108" in bad[1].reason


def test_plain_txt_is_unchanged(tmp_path, read_records):
    text = "Title line\r\n\r\nA body with “curly” quotes and a trailing newline.\n"
    f = tmp_path / "some_article.txt"
    f.write_bytes(text.encode("utf-8"))
    (r,) = read_records(f)
    assert r.id == "some_article" and r.text == text and r.published is None


def test_plain_txt_with_dateline_header(tmp_path, read_records):
    f = tmp_path / "a.txt"
    f.write_text("date 2021-01-02 Some Outlet - First paragraph.\n\nSecond paragraph.\n")
    (r,) = read_records(f)
    assert (r.id, r.outlet, r.published) == ("a", "Some Outlet", "2021-01-02")
    assert r.text == "First paragraph.\n\nSecond paragraph.\n"


@pytest.mark.parametrize("debris", [" ", "\t  ", "\n\n", "\ufeff", "\ufeff\n \n  ", "\u200b"])
def test_dateline_header_after_whitespace_bom_or_blank_lines(tmp_path, read_records, debris):
    # issue 8 §3: " date 2020-09-15 Outlet - ..." with one leading space lost outlet, date and
    # with the date every relative time, silently
    body = "Talks resumed on Tuesday.\n\nThe mayor spoke yesterday.\n"
    f = tmp_path / "a.txt"
    f.write_bytes((debris + "date 2020-09-15 Harbour Gazette - " + body).encode("utf-8"))
    (r,) = read_records(f)
    assert (r.outlet, r.published, r.text) == ("Harbour Gazette", "2020-09-15", body)
    d = parse_dateline(debris + "date 2020-09-15 Harbour Gazette - Talks resumed.")
    assert (d.published, d.outlet, d.text) == ("2020-09-15", "Harbour Gazette", "Talks resumed.")
    assert parse_dateline(debris + "Talks resumed. date 2020-09-15 X - y") is None


def test_dateline_lines_with_leading_space(tmp_path, read_records):
    f = tmp_path / "wire.txt"
    f.write_text(" date 2020-03-12 A Wire - One.\n\tdate 2020-03-13 B Wire - Two.\n", encoding="utf-8")
    items = read_records(f)
    assert [(r.id, r.outlet, r.published, r.text) for r in items] == [
        ("wire:1", "A Wire", "2020-03-12", "One."), ("wire:2", "B Wire", "2020-03-13", "Two.")]


def test_analyze_text_with_a_spaced_dateline_header():
    from presslens.inputs import record_from_text

    r = record_from_text("\n  date 2020-09-15 Harbour Gazette - Talks resumed.")
    assert (r.outlet, r.published, r.text) == ("Harbour Gazette", "2020-09-15", "Talks resumed.")


def test_jsonl_fields_mapping_and_rejects(tmp_path, read_records):
    f = tmp_path / "news.jsonl"
    lines = [
        json.dumps({"id": "a1", "url": "http://x", "outlet": "X", "published": "2020-09-15T10:00:00Z", "title": "T", "text": "Hello."}),
        "{broken json",
        json.dumps({"id": "a3", "text": "   "}),
        json.dumps({"id": "a4", "published": "2020-13-01", "text": "x"}),
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"text": "No id here."}),
        json.dumps({"id": "a8", "body": "no text key"}),
    ]
    f.write_text("\n".join(lines) + "\n")
    items = read_records(f)
    good = records(items)
    assert [r.id for r in good] == ["a1", "news:7"]
    assert good[0] == Record("a1", "Hello.", "X", "2020-09-15", "T", "http://x", f"{f}:1")
    reasons = {r.location.rsplit(":", 1)[1]: r.reason for r in rejects(items)}
    assert sorted(reasons) == ["2", "3", "4", "5", "8"]
    assert "E103" in reasons["2"] and "E106" in reasons["3"] and "E107" in reasons["4"]
    assert "E104" in reasons["5"] and "E105" in reasons["8"]
    mapped = records(read_records(f, mapping={"text": "body"}))
    assert [r.id for r in mapped] == ["a8"]


def test_json_array_and_object(tmp_path, read_records):
    f = tmp_path / "arr.json"
    f.write_text(json.dumps([{"id": "x", "text": "One."}, {"id": "y", "text": ""}]))
    items = read_records(f)
    assert [r.id for r in records(items)] == ["x"]
    assert rejects(items)[0].location == f"{f}#2"
    g = tmp_path / "obj.json"
    g.write_text(json.dumps({"id": "z", "text": "Two.", "published": "15 September 2020"}))
    assert records(read_records(g))[0].published == "2020-09-15"


def test_csv_multiline_mapping_and_row_without_text(tmp_path, read_records):
    f = tmp_path / "news.csv"
    f.write_text('id,date,body\nc1,2020-01-02,"Line one\nline two, with comma"\nc2,2020-01-03,\nc3,2020-01-04,Third.\n')
    items = read_records(f, mapping={"published": "date", "text": "body"})
    good = records(items)
    assert [(r.id, r.published) for r in good] == [("c1", "2020-01-02"), ("c3", "2020-01-04")]
    assert good[0].text == "Line one\nline two, with comma"
    (bad,) = rejects(items)
    assert bad.location == f"{f}:4" and "E106" in bad.reason and bad.id == "c2"
    missing = read_records(f)  # no `text` column without the mapping: one clear reject
    assert len(missing) == 1 and "E105" in missing[0].reason and "--field text=" in missing[0].reason


def test_csv_field_longer_than_the_csv_module_default(tmp_path, read_records):
    text = "A long article. " * 20_000  # 320,000 characters, over csv's default 131,072
    f = tmp_path / "long.csv"
    f.write_text(f'id,text\nlong,"{text}"\n')
    (r,) = read_records(f)
    assert isinstance(r, Record) and r.text == text


def test_tsv(tmp_path, read_records):
    f = tmp_path / "news.tsv"
    f.write_text("id\ttext\nt1\tHello, world.\n")
    assert records(read_records(f))[0].text == "Hello, world."


def test_html_with_metadata(data_dir, read_records):
    (r,) = read_records(data_dir / "page.html")
    assert r.id == "page" and r.title == "Talks resume on the river"
    assert r.outlet == "Meridian Wire" and r.published == "2020-03-12"
    assert "We will not give up" in r.text and "<p>" not in r.text


def test_html_without_text_is_rejected(tmp_path, read_records):
    f = tmp_path / "empty.html"
    f.write_text("<html><head><title>Nothing</title><script>var x = 1;</script></head><body></body></html>")
    (r,) = read_records(f)
    assert isinstance(r, Reject) and "E109" in r.reason


def test_folder_is_walked_recursively_in_order(tmp_path, read_records):
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.txt").write_text("Bee.")
    (tmp_path / "a.txt").write_text("Ay.")
    (tmp_path / "sub" / "c.txt").write_text("See.")
    (tmp_path / "notes.md").write_text("not an input")
    (tmp_path / ".hidden.txt").write_text("hidden")
    (tmp_path / "sub" / "photo").write_bytes(b"\x89PNG\r\n")
    items = read_records(tmp_path)
    assert [r.id for r in items if isinstance(r, Record)] == ["a", "b", "c"]
    # a file presslens does not read is passed over, counted as a skip that names it, never
    # dropped silently; hidden files are left out
    skips = [(Path(r.location).name, r.reason, r.detail) for r in items if isinstance(r, Skip)]
    assert skips == [("notes.md", "not-input", ".md"), ("photo", "not-input", "no extension")]


def test_a_folder_with_files_presslens_does_not_read_says_so(tmp_path, run_cli):
    (tmp_path / "a.txt").write_text('date 2020-09-15 Example News - "We will win," she said.')
    (tmp_path / "bin.dat").write_bytes(bytes(range(256)))
    result = run_cli("analyze", tmp_path, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 0
    assert "1 article" in result.stderr and "1 skipped (not-input 1)" in result.stderr


@pytest.mark.parametrize(
    "content, fmt_id",
    [
        (b'{"id": "s1", "text": "From a pipe."}\n', "s1"),
        (b"date 2020-01-01 Pipe News - From a pipe.\ndate 2020-01-02 Pipe News - Again.\n", "stdin:1"),
        (b"Just some text from a pipe.\n", "stdin"),
        (b"id,text\nq1,From a pipe.\n", "q1"),
    ],
)
def test_stdin_is_sniffed(monkeypatch, content, fmt_id):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(content)))
    items = list(iter_records(["-"]))
    assert items[0].id == fmt_id and isinstance(items[0], Record)


def test_input_format_overrides_sniffing(tmp_path, read_records):
    f = tmp_path / "x.data"
    f.write_text('{"id": "j", "text": "json text"}\n')
    assert read_records(f)[0].id == "j"
    assert read_records(f, input_format="txt")[0].text == f.read_text()


@pytest.mark.parametrize(
    "data, expected",
    [
        (codecs.BOM_UTF8 + "Café “quoted”.".encode("utf-8"), "Café “quoted”."),
        ("Café “quoted”.".encode("utf-16"), "Café “quoted”."),
    ],
)
def test_unicode_encodings(tmp_path, read_records, data, expected):
    f = tmp_path / "enc.txt"
    f.write_bytes(data)
    (r,) = read_records(f)
    assert r.text == expected and r.warnings == ()


def test_cp1252_is_decoded_with_a_warning(tmp_path, read_records):
    f = tmp_path / "legacy.txt"
    f.write_bytes("He said \u201cno\u201d to the caf\u00e9.".encode("cp1252"))
    (r,) = read_records(f)
    assert r.text == "He said \u201cno\u201d to the caf\u00e9." and "W002" in r.warnings[0]


def test_undecodable_text_is_rejected(tmp_path, read_records):
    f = tmp_path / "bad.txt"
    f.write_bytes(b"caf\xc3 and \x81\x8d bytes")
    (r,) = read_records(f)
    assert isinstance(r, Reject) and "E101" in r.reason and "UTF-8" in r.reason
    g = tmp_path / "bad.jsonl"
    g.write_bytes(b'{"id": "ok", "text": "fine"}\n{"id": "no", "text": "\x81\x8d"}\n')
    items = read_records(g)
    assert [type(x).__name__ for x in items] == ["Record", "Reject"] and items[1].location == f"{g}:2"


def test_binary_file_is_rejected(tmp_path, read_records):
    f = tmp_path / "image.txt"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (r,) = read_records(f)
    assert isinstance(r, Reject) and "E102" in r.reason and r.location == str(f)


def test_usage_errors_come_before_reading(tmp_path):
    with pytest.raises(UsageError, match="E010"):
        iter_records([str(tmp_path / "missing.txt")])
    with pytest.raises(UsageError, match="E011"):
        iter_records([str(tmp_path)], input_format="xml")
    with pytest.raises(UsageError, match="E012"):
        parse_mapping(["body"])
    with pytest.raises(UsageError, match="E012"):
        parse_mapping(["author=byline"])
    assert parse_mapping(["text=body", "published = date"]) == {"text": "body", "published": "date"}


@pytest.mark.parametrize(
    "value, iso",
    [("2020-09-15", "2020-09-15"), ("2020-09-15T23:59:00+02:00", "2020-09-15"), ("2020/09/15", "2020-09-15"),
     ("September 15, 2020", "2020-09-15"), ("", None), (None, None)],
)
def test_normalize_date(value, iso):
    assert normalize_date(value) == iso


@pytest.mark.parametrize("value, message", [("2020-02-30", "impossible"), ("yesterday", "YYYY-MM-DD")])
def test_normalize_date_refuses(value, message):
    with pytest.raises(ValueError, match=message):
        normalize_date(value)


def test_polnear_dev_texts_read_unchanged(polnear_root, read_records):
    folder = polnear_root / "data" / "dev" / "text"
    items = read_records(folder)
    assert len(items) == 84 and all(isinstance(r, Record) for r in items)
    for r in items:
        assert r.text == (folder / f"{r.id}.txt").read_bytes().decode("utf-8")
