"""Issue 9: the web counts persons, and every page agrees with every other and with the CLI:
overview "most quoted", the speaker list (paged, downloadable), speaker pages by person id or
name, search facets and totals."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_persons import corpus_articles, write  # noqa: E402

from presslens.cli import cli  # noqa: E402
from presslens.corpus import Corpus  # noqa: E402

from .conftest import Client  # noqa: E402


@pytest.fixture(scope="module")
def persons_app(tmp_path_factory):
    from presslens.web import create_app

    db = tmp_path_factory.mktemp("web-persons") / "p.duckdb"
    write(db, corpus_articles())
    with Corpus(db) as c:
        c.link_speakers()
    return db, Client(create_app(db))


def test_every_page_agrees_on_every_count(persons_app):
    db, client = persons_app
    listed = client.get("/api/speakers").json()
    assert listed["total"] == len(listed["speakers"]) == 8  # 7 persons and Acme Corp (no statements: not listed)
    overview = client.get("/api/overview").json()
    assert [(r["person_id"], r["statements"]) for r in overview["top_speakers"]] == [
        (r["person_id"], r["statements"]) for r in listed["speakers"]]
    assert overview["stats"]["speakers"] == listed["total"]
    cli_rows = json.loads("[" + ",".join(CliRunner().invoke(
        cli, ["speakers", "--db", str(db), "--format", "jsonl"]).output.splitlines()) + "]")
    assert [(r["person_id"], r["statements"]) for r in cli_rows] == [
        (r["person_id"], r["statements"]) for r in listed["speakers"]]
    facets = {f["person_id"]: f["count"] for f in client.get("/api/search").json()["facets"]["speaker"]}
    for row in listed["speakers"]:
        page = client.get(f"/api/speakers/{row['person_id']}").json()
        assert page["statements"] == page["total"] == row["statements"] == facets[row["person_id"]]
        assert page["person_id"] == row["person_id"] and page["speaker"] == row["speaker"]
        search = client.get("/api/search", params={"speaker": row["person_id"]}).json()
        assert search["total"] == row["statements"]
    # by name: the person, not a phrase (Daniel Halvorsen Jr. is not counted)
    by_name = client.get("/api/speakers/Daniel Halvorsen").json()
    assert by_name["statements"] == 13 and {a["alias"] for a in by_name["aliases"]} == {
        "Daniel Halvorsen", "Daniel J. Halvorsen", "Halvorsen"}


def test_speaker_list_pages_and_downloads(persons_app):
    _, client = persons_app
    every = client.get("/api/speakers").json()["speakers"]
    pages = [client.get("/api/speakers", params={"limit": 4, "offset": o}).json()["speakers"] for o in (0, 4, 8)]
    assert [r for p in pages for r in p] == every
    html = client.get("/speakers?limit=4").text
    assert 'rel="next"' in html and "Daniel J. Halvorsen" in html  # aliases shown
    got = client.get("/api/speakers", params={"download": "csv"})
    assert got.headers["content-type"].startswith("text/csv") and "attachment" in got.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [r["person_id"] for r in rows] == [r["person_id"] for r in every]
    lines = client.get("/api/search", params={"download": "jsonl"}).text.splitlines()
    assert len(lines) == client.get("/api/search").json()["total"]


def test_speaker_page_shows_aliases_and_roles(persons_app):
    _, client = persons_app
    pid = next(r["person_id"] for r in client.get("/api/speakers").json()["speakers"] if r["speaker"] == "Rosa Lindqvist")
    html = client.get(f"/speakers/{pid}").text
    assert "Lindqvist" in html and "senator" in html and pid in html
    assert "None" not in html
