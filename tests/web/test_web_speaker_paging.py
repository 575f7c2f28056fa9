"""The speaker page in pages: one page of statements, oldest first, links to the others, and
counts by month and outlet that stay exact over all of them (from the index's aggregations, or
DuckDB's without an index). A store written with SQL (no NLP): many statements of one speaker,
undated ones, statements without an outlet, more outlets than the chart shows."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil

import duckdb
import pytest

from presslens.corpus import queries, store
from presslens.corpus.search import Index

from .conftest import Client

SPEAKER = "Ann Lee"
OUTLETS = [f"Outlet {i:02d}" for i in range(25)] + [None]
DAYS = [dt.date(2020, 1, 1) + dt.timedelta(days=d) for d in (0, 0, 1, 40, 41, 400, 700)] + [None]
N = 437  # statements of SPEAKER: not a multiple of the page sizes tested


@pytest.fixture(scope="module")
def paged_store(tmp_path_factory):
    """(store with a full-text index, the same store without one)."""
    folder = tmp_path_factory.mktemp("paged")
    db = folder / "paged.duckdb"
    rng = random.Random(5)
    rows = []
    for seq in range(1, N + 200):
        speaker = SPEAKER if seq <= N else rng.choice(["Bo Lee", "Cy Ann", None])
        rows.append(store.StatementRow(
            seq=seq, article_id=f"a{seq:05d}", statement_id="s1", speaker_entity="e1", speaker=speaker,
            kind="direct", attribution="named", content=f"words {seq}", cue="said", according_to=[],
            confidence=0.9, published=rng.choice(DAYS), outlet=rng.choice(OUTLETS), story_id=f"a{seq:05d}",
            title=f"Title {seq}"))
    rng.shuffle(rows)  # seq order is not date order
    con = store.connect(db, read_only=False)
    store._insert(con, store.StatementRow, rows)
    Index(store.index_path(db)).reconcile(con, batch=101)  # several segments
    con.close()
    bare = folder / "bare.duckdb"
    shutil.copy(db, bare)  # no index beside it: every query takes the DuckDB path
    return db, bare


@pytest.fixture(scope="module", params=["index", "duckdb"])
def paged(request, paged_store):
    from presslens.web import create_app

    db = paged_store[0] if request.param == "index" else paged_store[1]
    return Client(create_app(db)), db


def truth(db, speaker: str) -> dict:
    """Counts straight from the statements table, with the SQL speaker filter."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        where = queries.SPEAKER_SQL
        param = [queries.speaker_pattern(speaker)]
        total = con.execute(f"SELECT count(*) FROM statements WHERE {where}", param).fetchone()[0]
        months = dict(con.execute(f"SELECT coalesce(strftime(published, '%Y-%m'), 'undated'), count(*) "
                                  f"FROM statements WHERE {where} GROUP BY 1", param).fetchall())
        outlets = dict(con.execute(f"SELECT outlet, count(*) FROM statements WHERE {where} GROUP BY 1",
                                   param).fetchall())
        rows = con.execute(f"SELECT article_id FROM statements WHERE {where} ORDER BY published NULLS LAST, seq",
                           param).fetchall()
    finally:
        con.close()
    return {"total": total, "months": months, "outlets": outlets, "order": [r[0] for r in rows]}


def test_counts_are_exact_over_every_statement(paged):
    client, db = paged
    want = truth(db, SPEAKER)
    data = client.get(f"/api/speakers/{SPEAKER}").json()
    assert data["statements"] == data["total"] == want["total"] == N
    assert data["limit"] == 100 and data["offset"] == 0 and len(data["timeline"]) == 100
    assert {m["month"]: m["statements"] for m in data["by_month"]} == want["months"]
    assert [m["month"] for m in data["by_month"]][-1] == "undated"
    assert [m["month"] for m in data["by_month"]][:-1] == sorted(m for m in want["months"] if m != "undated")
    assert {o["outlet"]: o["statements"] for o in data["by_outlet"]} == want["outlets"]
    assert len(data["by_outlet"]) == 26  # every outlet, and null for those without one
    counts = [o["statements"] for o in data["by_outlet"]]
    assert counts == sorted(counts, reverse=True)


def test_pages_cover_the_timeline_in_date_order(paged):
    client, db = paged
    want = truth(db, SPEAKER)["order"]
    seen = []
    for offset in range(0, N, 150):
        data = client.get(f"/api/speakers/{SPEAKER}", params={"limit": 150, "offset": offset}).json()
        assert data["offset"] == offset and data["total"] == N
        seen += [r["article_id"] for r in data["timeline"]]
    assert seen == want
    rows = client.get(f"/api/speakers/{SPEAKER}", params={"limit": 1000}).json()["timeline"]
    dates = [r["published"] for r in rows]
    assert dates == sorted(d for d in dates if d) + [None] * dates.count(None)


def test_offset_past_the_end_is_an_empty_page_with_the_counts(paged):
    client, _ = paged
    data = client.get(f"/api/speakers/{SPEAKER}", params={"offset": 5000}).json()
    assert data["timeline"] == [] and data["total"] == N and data["by_month"]
    html = client.get(f"/speakers/{SPEAKER}", params={"offset": 5000}).text
    assert "No statements on this page" in html and 'rel="next"' not in html
    assert f'rel="prev" href="/speakers/Ann%20Lee?offset={(N - 1) // 100 * 100}"' in html  # back to the last page


def test_html_links_to_the_next_and_previous_pages(paged):
    client, _ = paged
    html = client.get(f"/speakers/{SPEAKER}").text
    assert "Statements 1–100 of 437" in html
    assert 'rel="next" href="/speakers/Ann%20Lee?offset=100"' in html
    assert 'rel="last" href="/speakers/Ann%20Lee?offset=400"' in html
    assert 'rel="prev"' not in html and 'rel="first"' not in html
    assert html.count('<li><span class="date">') == 100
    html = client.get(f"/speakers/{SPEAKER}", params={"limit": 50, "offset": 400}).text
    assert "Statements 401–437 of 437" in html and html.count('<li><span class="date">') == 37
    assert 'rel="prev" href="/speakers/Ann%20Lee?limit=50&amp;offset=350"' in html
    assert 'rel="next"' not in html and 'rel="last"' not in html
    assert '<ol class="timeline" start="401">' in html
    # 25 outlets and the outlet-less: 20 bars and one for the rest
    chart = html.split("By outlet")[1].split("</svg>")[0]
    assert chart.count("<rect") == 21 and re.search(r"\d+ other outlets", chart)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1001}, {"limit": "many"}, {"offset": -1},
                                    {"offset": 10_000_001}])
def test_bad_paging_is_422(paged, params):
    client, _ = paged
    r = client.get(f"/api/speakers/{SPEAKER}", params=params)
    assert r.status_code == 422 and list(params)[0] in r.json()["error"]["message"]
    assert client.get(f"/speakers/{SPEAKER}", params=params).status_code == 422


def test_filters_apply_to_the_page_and_the_counts(paged):
    client, db = paged
    data = client.get(f"/api/speakers/{SPEAKER}", params={"outlet": "outlet 03", "since": "2020-01-02"}).json()
    con = duckdb.connect(str(db), read_only=True)
    try:
        n = con.execute(f"SELECT count(*) FROM statements WHERE {queries.SPEAKER_SQL} AND lower(outlet) = ? "
                        "AND published >= DATE '2020-01-02'", [queries.speaker_pattern(SPEAKER), "outlet 03"]
                        ).fetchone()[0]
    finally:
        con.close()
    assert data["total"] == n == sum(m["statements"] for m in data["by_month"]) > 0
    assert [o["outlet"] for o in data["by_outlet"]] == ["Outlet 03"]
    assert all(r["outlet"] == "Outlet 03" and r["published"] >= "2020-01-02" for r in data["timeline"])
    assert client.get(f"/api/speakers/{SPEAKER}", params={"until": "1999-01-01"}).status_code == 404


def test_a_name_matches_whole_words_of_every_speaker_holding_it(paged):
    client, db = paged
    data = client.get("/api/speakers/lee").json()  # "Ann Lee" and "Bo Lee"
    assert data["total"] == truth(db, "lee")["total"] > N
