"""Output contract: the presslens/1 schema, validation, writers and readable summaries."""

from __future__ import annotations

import io
import json

import pytest

from presslens import Article, Entity, Mention, Reject, Source, Statement, TimeExpression, UsageError
from presslens.output import RejectLog, Totals, Writer, format_summary, rejects_path, schema

TEXT = 'Prices rose. "This cannot go on," said John Smith, according to Radio X.'


def article() -> Article:
    return Article(
        id="a1",
        text=TEXT,
        outlet="Example News",
        published="2020-09-15",
        entities=[Entity("e1", "John Smith", "PERSON", [Mention(39, 49, "name", "John Smith")], ["farmer"], [])],
        statements=[
            Statement(
                "s1", [(14, 32)], [(34, 38)], [(39, 49)], "e1", "direct", "named",
                [Source("Radio X", (64, 71), None)], 0.87654,
            )
        ],
        times=[TimeExpression(0, 6, "Prices", None, None)],
        warnings=["[W001] example"],
        model="en_core_web_sm-3.8.0",
    )


def test_full_article_is_valid(validate):
    doc = article().to_dict()
    validate(doc)
    assert doc["schema"] == "presslens/1" and doc["statements"][0]["confidence"] == 0.8765
    assert TEXT[14:32] == "This cannot go on,"


def test_origin_of_a_warc_article_is_valid(validate):
    from dataclasses import replace

    from presslens.types import Origin

    origin = Origin("CC-NEWS-1.warc.gz", 1234, "urn:uuid:1", "2024-03-02T10:15:00Z", "en")
    doc = replace(article(), origin=origin).to_dict()
    validate(doc)
    assert doc["origin"] == {"file": "CC-NEWS-1.warc.gz", "offset": 1234, "record_id": "urn:uuid:1",
                             "crawled": "2024-03-02T10:15:00Z", "language": "en"}
    assert set(schema()["properties"]["origin"]["required"]) == set(doc["origin"])
    assert "origin" not in article().to_dict()  # other inputs: the output is as before


def test_schema_requires_exactly_the_fields_of_to_dict():
    s = schema()
    doc = article().to_dict()
    assert set(s["required"]) == set(doc)
    assert set(s["properties"]) == set(doc) | {"origin"}  # origin: only articles read from a WARC file
    defs = s["$defs"]
    assert set(defs["entity"]["required"]) == set(doc["entities"][0])
    assert set(defs["statement"]["required"]) == set(doc["statements"][0])
    assert set(defs["mention"]["required"]) == set(doc["entities"][0]["mentions"][0])
    assert set(defs["time"]["required"]) == set(doc["times"][0])
    assert set(defs["source"]["required"]) == set(doc["statements"][0]["according_to"][0])


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(schema="presslens/2"), "presslens/1"),
        (lambda d: d["statements"][0].update(kind="quoted"), "kind"),
        (lambda d: d["statements"][0].update(content=[[10, 500]]), "outside text"),
        (lambda d: d["statements"][0].update(speaker="e9"), "not an entity"),
        (lambda d: d["entities"][0]["mentions"][0].update(text="Jon Smith"), "differs"),
        (lambda d: d.update(published="2020-9-15"), "published"),
        (lambda d: d.update(extra=1), "extra"),
    ],
)
def test_invalid_documents_are_refused(validate, change, message):
    doc = article().to_dict()
    change(doc)
    with pytest.raises(ValueError, match=message):
        validate(doc)


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_json_writers_round_trip(validate, fmt):
    out = io.StringIO()
    with Writer(out, fmt) as w:
        w.write(article())
        w.write(article())
    docs = json.loads(out.getvalue()) if fmt == "json" else [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(docs) == 2
    for doc in docs:
        validate(doc)
        assert doc["text"] == TEXT


def test_empty_json_output_is_an_empty_array():
    out = io.StringIO()
    with Writer(out, "json"):
        pass
    assert json.loads(out.getvalue()) == []


def test_table_and_summary_are_readable():
    out = io.StringIO()
    with Writer(out, "table") as w:
        w.write(article())
    header, row = out.getvalue().splitlines()
    assert header.split() == ["ARTICLE", "SPEAKER", "KIND", "CONTENT"]
    assert "John Smith" in row and "direct" in row and "This cannot go on," in row
    summary = format_summary(article())
    assert summary.splitlines()[0] == "Example News · 2020-09-15 · a1"
    assert "John Smith (direct) (according to Radio X): “This cannot go on,”" in summary


def test_unknown_output_format():
    with pytest.raises(UsageError, match="E013"):
        Writer(io.StringIO(), "xml")


def test_reject_log_is_created_only_when_needed(tmp_path):
    path = rejects_path(str(tmp_path / "out.jsonl"))
    assert path.name == "out.jsonl.rejects.jsonl" and rejects_path(None).name == "presslens-rejects.jsonl"
    with RejectLog(path):
        pass
    assert not path.exists()
    for _ in range(2):  # appends across runs
        with RejectLog(path) as log:
            log.write(Reject("news.jsonl:2", "[E103] broken JSON", None))
    assert [json.loads(x)["location"] for x in path.read_text().splitlines()] == ["news.jsonl:2"] * 2


def test_totals():
    t = Totals()
    t.add(article())
    t.add(Reject("x", "y"))
    assert str(t) == "1 article, 1 statement, 1 reject"


@pytest.mark.model
def test_analysed_output_is_valid(analyze_text, validate):
    doc = analyze_text('Prices rose. "This cannot go on," said John Smith.', published="2020-09-15").to_dict()
    validate(doc)
    assert doc["pipeline"]["model"].endswith("3.8.0")


def test_the_example_in_docs_schema_is_valid(validate):
    import re

    from conftest import REPO

    page = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(\{\n.*?\n\})\n```", page, re.S).group(1)
    validate(json.loads(example))
