"""Issue 9: every list of the web UI pages and downloads its whole result (CSV, JSON, JSON Lines),
with the counts of the page and of the CLI; the REST API declares its response models and its one
error shape in OpenAPI, and real answers conform to them; the overview chart shows months without
articles as gaps, on two axes. A corpus bigger than one page of every list, written without NLP."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_persons import article, write  # noqa: E402

from presslens.cli import cli  # noqa: E402
from presslens.corpus import Corpus, schemas  # noqa: E402
from presslens.web import charts, responses  # noqa: E402

from .conftest import Client  # noqa: E402

FIRST = ["Anna", "Boris", "Clara", "David", "Elena", "Farid", "Greta", "Hugo", "Irene", "Jonas", "Karin", "Lukas"]
LAST = [a + b for a in ("Bar", "Cor", "Dal", "Fen", "Gor", "Hal", "Jor", "Kel", "Lom", "Mar", "Nor", "Pel")
        for b in ("ston", "wick", "berg", "ford", "ley", "mont", "dahl", "sen", "holm", "vik", "ton", "ridge")]
OUTLETS = [f"Outlet {c}" for c in "ABCDEF"] + [None]
# 2021, without May and June (gaps on the chart), and some undated articles
MONTHS = [f"2021-{m:02d}" for m in (1, 2, 3, 4, 7, 8, 9, 10, 11, 12)]
ONE = "Vera Quist"  # quoted in every article: more statements than one speaker page
N_ARTICLES = 48


def big_articles() -> list[dict]:
    people = [f"{FIRST[i % len(FIRST)]} {LAST[i]}" for i in range(len(LAST))]  # 144 persons
    out = []
    for i in range(N_ARTICLES):
        published = None if i % 12 == 11 else f"{MONTHS[i % len(MONTHS)]}-{i % 27 + 1:02d}"
        quoted = [(ONE, [], [], [], 3)] + [(people[(3 * i + k) % len(people)], [], [], [], 1 + k % 2)
                                           for k in range(3)]
        a = article(f"b{i:02d}", OUTLETS[i % len(OUTLETS)], published, quoted)
        for j, st in enumerate(a["statements"]):
            st["according_to"] = [{"name": f"Agency {(i + j) % 23}", "span": None, "entity": None}]
        out.append(a)
    return out


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    from presslens.web import create_app

    db = tmp_path_factory.mktemp("web-lists") / "big.duckdb"
    write(db, big_articles())
    with Corpus(db) as c:
        c.link_speakers()
    return db, Client(create_app(db))


def cli_rows(db, *args) -> list[dict]:
    result = CliRunner().invoke(cli, [*args, "--db", str(db), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def downloaded(client, url: str, params: dict) -> dict[str, list]:
    """The whole list in each format, parsed."""
    got = {}
    for fmt in ("csv", "json", "jsonl"):
        r = client.get(url, params={**params, "download": fmt})
        assert r.status_code == 200, r.text
        assert "attachment" in r.headers["content-disposition"] and r.headers["content-disposition"].endswith(
            f'.{fmt}"')
        if fmt == "csv":
            assert r.headers["content-type"].startswith("text/csv")
            got[fmt] = list(csv.DictReader(io.StringIO(r.text)))
        elif fmt == "json":
            got[fmt] = r.json()
        else:
            got[fmt] = [json.loads(line) for line in r.text.splitlines()]
    return got


# (JSON twin, page parameters, key of the rows, HTML page, CLI arguments, key naming a row)
LISTS = [
    ("/api/search", {}, "results", "/search", ["quotes"], ("article_id", "statement_id")),
    ("/api/search", {"q": "quote"}, "results", "/search", ["quotes", "quote"], ("article_id", "statement_id")),
    ("/api/speakers", {}, "speakers", "/speakers", ["speakers"], ("person_id",)),
    ("/api/speakers", {"by": "outlet"}, "speakers", "/speakers", ["speakers", "--by", "outlet"],
     ("person_id", "outlet")),
    (f"/api/speakers/{ONE}", {}, "timeline", f"/speakers/{ONE}", ["timeline", "--speaker", ONE],
     ("article_id", "statement_id")),
    ("/api/relays", {}, "relays", "/relays", ["relays"], ("outlet", "relay")),
]


@pytest.mark.parametrize("api, params, key, html, cli_args, ident", LISTS,
                         ids=["search", "search-text", "speakers", "speakers-by-outlet", "timeline", "relays"])
def test_every_list_downloads_every_row(big, api, params, key, html, cli_args, ident):
    db, client = big
    first = client.get(api, params=params).json()
    total = first["total"]
    assert total > len(first[key]) > 0, "the corpus must be bigger than one page of this list"
    files = downloaded(client, api, params)
    from_cli = cli_rows(db, *cli_args)
    assert len(files["csv"]) == len(files["json"]) == len(files["jsonl"]) == len(from_cli) == total

    def ids(rows):
        return [tuple(r[k] or None for k in ident) for r in rows]

    assert ids(files["json"]) == ids(files["jsonl"]) == ids(files["csv"]) == ids(from_cli)
    assert len(set(ids(files["json"]))) == total  # every row once
    assert list(files["csv"][0]) == list(files["json"][0]) == list(from_cli[0])  # the CLI's columns
    # the page links to the three downloads, with its filters
    page = client.get(html, params=params).text
    for fmt in ("csv", "json", "jsonl"):
        assert f"download={fmt}" in page, fmt
    if params.get("by"):
        assert "by=outlet" in page.split("download=csv")[0].rsplit('href="', 1)[1]


@pytest.mark.parametrize("api, params, key, html, ident", [
    ("/api/search", {}, "results", "/search", ("article_id", "statement_id")),
    ("/api/speakers", {}, "speakers", "/speakers", ("person_id",)),
    ("/api/speakers", {"by": "outlet"}, "speakers", "/speakers", ("person_id", "outlet")),
    (f"/api/speakers/{ONE}", {}, "timeline", f"/speakers/{ONE}", ("article_id", "statement_id")),
    ("/api/relays", {}, "relays", "/relays", ("outlet", "relay")),
], ids=["search", "speakers", "speakers-by-outlet", "timeline", "relays"])
def test_every_list_pages_through_all_rows(big, api, params, key, html, ident):
    """Pages of 40 cover the download exactly, and each HTML page links to the next and the last."""
    _, client = big
    every = client.get(api, params={**params, "download": "json"}).json()
    seen, offset = [], 0
    while True:
        data = client.get(api, params={**params, "limit": 40, "offset": offset}).json()
        assert data["total"] == len(every)
        if not data[key]:
            break
        seen += data[key]
        offset += 40
    assert [tuple(r[k] for k in ident) for r in seen] == [tuple(r[k] for k in ident) for r in every]
    page = client.get(html, params={**params, "limit": 40}).text
    assert 'rel="next"' in page and 'rel="last"' in page and 'rel="prev"' not in page
    last = re.search(r'rel="last" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert f"offset={(len(every) - 1) // 40 * 40}" in last and "limit=40" in last
    end = client.get(last).text
    assert 'rel="next"' not in end and 'rel="prev"' in end and 'rel="first"' in end


def test_an_article_downloads_its_statements(big):
    db, client = big
    aid = client.get("/api/search").json()["results"][0]["article_id"]
    article = client.get(f"/api/articles/{aid}").json()
    files = downloaded(client, f"/api/articles/{aid}", {})
    result = CliRunner().invoke(cli, ["article", aid, "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0, result.output
    from_cli = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(files["csv"]) == len(files["json"]) == len(files["jsonl"]) == len(article["statements"]) > 1
    assert files["csv"] == from_cli
    assert files["json"][0]["content"].startswith("Quote 0 of")
    html = client.get(f"/articles/{aid}").text
    assert all(f"/api/articles/{aid}?download={fmt}" in html for fmt in ("csv", "json", "jsonl"))


def test_an_empty_csv_download_still_has_its_header(big):
    _, client = big
    r = client.get("/api/search", params={"outlet": "No Such Outlet", "download": "csv"})
    assert r.text.splitlines() == [",".join(c for c, _ in schemas.QUOTES)]
    assert client.get("/api/search", params={"outlet": "No Such Outlet", "download": "json"}).json() == []
    assert client.get("/api/search", params={"download": "xml"}).status_code == 422


def test_search_pages_keep_their_limit_and_stop_at_the_last(big):
    """The old pager dropped `limit` and offered "next" after a full last page."""
    _, client = big
    total = client.get("/api/search").json()["total"]
    html = client.get("/search", params={"limit": 7}).text
    assert 'rel="next" href="/search?limit=7&amp;offset=7"' in html
    full_last = client.get("/search", params={"limit": 8, "offset": total - 8}).text
    assert 'rel="next"' not in full_last and 'rel="prev"' in full_last


def test_overview_links_to_the_whole_lists(big):
    _, client = big
    html = client.get("/").text
    assert 'href="/speakers"' in html and 'href="/speakers?by=outlet"' in html
    assert "/api/speakers?download=csv" in html and "/api/speakers?by=outlet&amp;download=jsonl" in html


def test_overview_shows_each_outlets_own_most_quoted(big):
    """Each outlet's five most quoted, however many (person, outlet) pairs the corpus holds (the
    overview once cut the pairs at 1,000 before grouping them, so small outlets went missing)."""
    db, client = big
    overview = client.get("/api/overview").json()["top_speakers_by_outlet"]
    with Corpus(db, read_only=True) as corpus:
        pairs = corpus.speakers(by="outlet")
        top2 = corpus.speakers(by="outlet", per_outlet=2)
    outlets = {r["outlet"] for r in pairs if r["outlet"] is not None}
    assert set(overview) == outlets
    for name in outlets:
        own = [r for r in pairs if r["outlet"] == name]
        assert [r["person_id"] for r in overview[name]] == [r["person_id"] for r in own[:5]]
        assert [r["person_id"] for r in top2 if r["outlet"] == name] == [r["person_id"] for r in own[:2]]


def test_relays_table_shows_no_none(big):
    _, client = big
    html = client.get("/relays", params={"limit": 1000}).text
    assert "(no outlet)" in html and ">None<" not in html


# --- OpenAPI ---------------------------------------------------------------------------------
def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_openapi_declares_every_response_model_and_the_error_shape(big):
    _, client = big
    spec = client.get("/openapi.json").json()
    api = {(path, method): op for path, ops in spec["paths"].items() if path.startswith("/api/")
           for method, op in ops.items()}
    assert len(api) == 7
    for (path, method), op in api.items():
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert set(ok) == {"$ref"}, (path, ok)  # a model, not `{}` and not a merged string
        assert _resolve(spec, ok)["properties"], path
        statuses = {s for s in op["responses"] if s != "200"}
        assert "500" in statuses and ("422" in statuses) == bool(op.get("parameters") or op.get("requestBody")), path
        for status in statuses:
            schema = op["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (path, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]  # FastAPI's shape is never sent
    error = spec["components"]["schemas"]["ErrorDetail"]["properties"]
    assert set(error) == {"status", "message"}
    assert "404" in api[("/api/articles/{article_id}", "get")]["responses"]
    assert "404" in api[("/api/speakers/{name}", "get")]["responses"]
    assert {"413", "415"} <= set(api[("/api/analyze", "post")]["responses"])
    for path in ("/api/search", "/api/speakers", "/api/speakers/{name}", "/api/relays"):
        content = api[(path, "get")]["responses"]["200"]["content"]
        assert {"text/csv", "application/x-ndjson"} <= set(content), path
        assert any(p["name"] == "download" for p in api[(path, "get")]["parameters"])


def test_real_errors_have_the_declared_shape(big):
    """Every error an /api/ client can meet, the Host check included (Starlette's was plain text)."""
    _, client = big
    answers = [
        client.get("/api/articles/no-such-article"),
        client.get(f"/api/speakers/{ONE}", params={"until": "1900-01-01"}),
        client.get("/api/search", params={"since": "last tuesday"}),
        client.get("/api/speakers", params={"limit": 0}),
        client.get("/api/nothing-here"),
        client.post("/api/analyze", content=b"x", headers={"content-type": "text/plain"}),
        client.get("/api/overview", headers={"host": "evil.example"}),
    ]
    assert [r.status_code for r in answers] == [404, 404, 422, 422, 404, 415, 400]
    for r in answers:
        body = responses.Error.model_validate(r.json())
        assert body.error.status == r.status_code and body.error.message
    assert "evil.example" in answers[-1].json()["error"]["message"]
    html = client.get("/", headers={"host": "evil.example"})
    assert html.status_code == 400 and "text/html" in html.headers["content-type"]


def test_real_answers_conform_to_their_models(big):
    """FastAPI validates each answer against its response_model (a 500 if it did not conform);
    validated again here, and nothing the pages and the old tests read is filtered out."""
    _, client = big
    pid = client.get("/api/speakers").json()["speakers"][0]["person_id"]
    aid = client.get("/api/search").json()["results"][0]["article_id"]
    for url, model in [("/api/overview", responses.Overview), ("/api/search?q=quote", responses.Search),
                       ("/api/search?speaker=" + ONE, responses.Search), ("/api/speakers", responses.Speakers),
                       ("/api/speakers?by=outlet", responses.Speakers), (f"/api/speakers/{pid}", responses.SpeakerPage),
                       (f"/api/speakers/{ONE}?since=2021-03-01", responses.SpeakerPage),
                       ("/api/relays", responses.Relays), (f"/api/articles/{aid}", responses.Article)]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.text)
        model.model_validate(r.json())
    article = client.get(f"/api/articles/{aid}").json()
    assert {"schema", "text", "entities", "statements", "corpus"} <= set(article)
    assert article["statements"][0]["according_to"][0]["name"].startswith("Agency")
    row = client.get("/api/speakers").json()["speakers"][0]
    assert {"person_id", "speaker", "kind", "statements", "articles", "stories", "outlets", "aliases"} <= set(row)
    by_outlet = client.get("/api/speakers", params={"by": "outlet"}).json()["speakers"][0]
    assert "outlet" in by_outlet and "outlets" not in by_outlet
    overview = client.get("/api/overview").json()
    assert "skipped" in overview["stats"] and overview["top_speakers_by_outlet"]


# --- the overview chart ----------------------------------------------------------------------
def test_months_without_articles_are_gaps_on_the_axis():
    rows = [{"period": "2016-01", "articles": 3, "statements": 30}, {"period": "2016-04", "articles": 1,
                                                                       "statements": 2}]
    chart = charts.columns(rows, "period", ["articles", "statements"], right=["statements"], empty="no articles")
    assert [(s["label"], s["gap"]) for s in chart["slots"]] == [
        ("2016-01", False), ("2016-02", True), ("2016-03", True), ("2016-04", False)]
    assert [g["label"] for g in chart["gaps"]] == ["2016-02", "2016-03"]
    assert len(chart["bars"]) == 4  # no bar (and nothing drawn across) in a gap
    # two axes, each scaled to its own series: the articles are not slivers beside the statements
    assert chart["axes"]["left"]["title"] == "articles" and chart["axes"]["right"]["title"] == "statements"
    tallest = {b["series"]: b["h"] for b in chart["bars"] if b["title"].startswith("2016-01")}
    assert tallest[0] > 0.5 * tallest[1]


def test_month_labels_are_thinned_so_they_do_not_overlap():
    rows = [{"period": f"{2010 + m // 12}-{m % 12 + 1:02d}", "articles": 1, "statements": 2} for m in range(120)]
    chart = charts.columns(rows, "period", ["articles", "statements"], right=["statements"])
    xs = [label["x"] for label in chart["labels"]]
    assert 4 <= len(xs) < 120 and min(b - a for a, b in zip(xs, xs[1:])) >= charts.LABEL_W
    assert all(re.fullmatch(r"\d{4}-\d{2}", label["text"]) for label in chart["labels"])
    long = [{"period": "1990-01", "articles": 1, "statements": 1}, {"period": "2020-06", "articles": 2,
                                                                      "statements": 5}]
    years = charts.columns(long, "period", ["articles", "statements"])
    assert len(years["slots"]) == 31 and years["slots"][0]["label"] == "1990" and years["slots"][1]["gap"]


def test_speaker_chart_keeps_undated_last():
    rows = [{"month": "2020-01", "statements": 2}, {"month": "2020-03", "statements": 1},
            {"month": "undated", "statements": 4}]
    chart = charts.columns(rows, "month", ["statements"])
    assert [s["label"] for s in chart["slots"]] == ["2020-01", "2020-02", "2020-03", "undated"]
    assert chart["axes"]["right"] is None and chart["labels"][-1]["text"] == "undated"
    many = [{"month": f"{2000 + m // 12}-{m % 12 + 1:02d}", "statements": 1} for m in range(200)]
    labels = charts.columns([*many, {"month": "undated", "statements": 3}], "month", ["statements"])["labels"]
    assert labels[-1]["text"] == "undated" and min(b["x"] - a["x"] for a, b in zip(labels, labels[1:])) >= charts.LABEL_W


def test_overview_chart_markup_has_gaps_and_two_axes(big):
    _, client = big
    html = client.get("/").text
    svg = html.split('<svg class="chart columns"')[1].split("</svg>")[0]
    assert re.findall(r'data-gap="([^"]+)"', svg) == ["2021-05", "2021-06"]
    assert "<title>2021-05: no articles</title>" in svg
    assert 'data-axis="left"' in svg and 'data-axis="right"' in svg
    assert re.search(r'class="axis-title series0"[^>]*>articles<', svg)
    assert re.search(r'class="axis-title series1"[^>]*>statements<', svg)
    labels = re.findall(r'class="tick label-x"[^>]*>([^<]+)<', svg)
    assert labels[0] == "2021-01" and all(re.fullmatch(r"\d{4}-\d{2}", t) for t in labels)


def test_a_store_without_persons_pages_downloads_and_conforms(tmp_path):
    """Rows by speaker name (no person ids): the same lists, counts and models, nulls where a
    store with persons has ids."""
    from presslens.web import create_app

    db = tmp_path / "bare.duckdb"
    write(db, big_articles()[:20])  # never linked: no persons
    client = Client(create_app(db))
    for params in ({}, {"by": "outlet"}):
        data = client.get("/api/speakers", params={**params, "limit": 10}).json()
        responses.Speakers.model_validate(data)
        assert data["speakers"][0]["person_id"] is None and data["total"] > 10
        rows = client.get("/api/speakers", params={**params, "download": "jsonl"}).text.splitlines()
        assert len(rows) == data["total"] == len(cli_rows(db, "speakers", *(["--by", "outlet"] if params else [])))
    page = client.get(f"/api/speakers/{ONE}").json()
    responses.SpeakerPage.model_validate(page)
    assert page["person_id"] is None and page["aliases"] == [] and page["total"] == 60
    responses.Search.model_validate(client.get("/api/search", params={"speaker": ONE}).json())
    responses.Overview.model_validate(client.get("/api/overview").json())
