"""Hostile input: escaped article text, parameterised queries, loopback-only Host, headers."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.model

HOSTILE_QUERIES = [
    "'; DROP TABLE statements; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "*", "?", "\\", "(", ")", "[", "]", "{", "}", "~", "^", ":",
    "AND OR NOT",
    '"unbalanced',
    "speaker:* OR outlet:*",
    "%_%",
    "é ü ß 漢字 😀",
    "\u202e\u200b",
    "a" * 500,
]


@pytest.fixture()
def hostile_id(article_ids):
    return article_ids[-1]


def test_hostile_article_is_escaped(client, hostile_id):
    r = client.get(f"/articles/{hostile_id}")
    assert r.status_code == 200
    html = r.text
    for raw in ["<script>alert", "<img src=x", "<iframe", "<b onmouseover", "onerror=alert(2)>"]:
        assert raw not in html
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_hostile_text_in_search_results_is_escaped(client):
    r = client.get("/search", params={"q": "favourite tag"})
    assert r.status_code == 200
    assert "<img src=x" not in r.text


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_hostile_search_strings(client, q):
    before = client.get("/api/overview").json()["stats"]
    for params in ({"q": q}, {"speaker": q[:300]}, {"outlet": q[:300]}):
        r = client.get("/api/search", params=params)
        assert r.status_code in (200, 400), r.text  # 400: a query the index cannot parse, said clearly
        if r.status_code == 200:
            assert isinstance(r.json()["results"], list)
        else:
            assert r.json()["error"]["message"]
        page = client.get("/search", params=params)
        assert page.status_code in (200, 400)
        assert "<script>alert(1)" not in page.text
    assert client.get("/api/overview").json()["stats"] == before


def test_user_strings_are_escaped_in_pages(client):
    evil = '"><script>alert(9)</script>'
    for url, params in [("/search", {"q": evil, "speaker": evil, "outlet": evil}),
                        ("/speakers", {"outlet": evil}), ("/articles/" + evil, None),
                        ("/speakers/" + evil, None)]:
        r = client.get(url, params=params)
        assert "<script>alert(9)" not in r.text, url


def test_analyze_escapes_pasted_html(client):
    r = client.post("/analyze", data={"text": '<script>alert(7)</script> "<b>hi</b>," said Ann Lee.'})
    assert r.status_code == 200
    assert "<script>alert(7)" not in r.text and "&lt;script&gt;alert(7)" in r.text


def test_security_headers(client):
    r = client.get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_only_loopback_host_names_are_served(client):
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200


def test_non_loopback_host_warns(monkeypatch, caplog, web_corpus):
    import uvicorn

    from presslens.web import serve

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    serve(web_corpus, host="0.0.0.0", port=1234)
    assert seen["host"] == "0.0.0.0" and seen["port"] == 1234
    assert "anyone who can reach" in caplog.text
    caplog.clear()
    serve(web_corpus)
    assert seen["host"] == "127.0.0.1" and "anyone" not in caplog.text
