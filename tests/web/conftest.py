"""Fixtures of the web tests: a tiny corpus with one hostile article, the app, a client."""

from __future__ import annotations

import concurrent.futures
import time

import pytest

ARTICLES = [
    'date 2024-03-04 Daily Ledger - Angela Merkel arrived in Paris on Monday. "We will rebuild the bridge '
    'before winter," she said. Emmanuel Macron welcomed the plan. "France stands ready to help," '
    'Macron told reporters, according to Reuters.',
    'date 2024-03-05 Evening Post - Emmanuel Macron spoke in Lyon. "The budget is balanced," he said on '
    'Tuesday. Critics disagreed, Reuters reported.',
    'date 2024-04-10 Daily Ledger - Angela Merkel returned to Berlin. "The talks were productive," '
    'Merkel said, adding that more work remained.',
]
HOSTILE = (
    'date 2024-04-11 Daily Ledger - <script>alert("pwned")</script> Hacker Joe spoke. '
    '"<img src=x onerror=alert(2)> is my favourite tag," Hacker Joe said. '
    '<b onmouseover="alert(3)">bold</b> <iframe src="javascript:alert(4)"></iframe> '
    '"</span></div><script>alert(5)</script>" he wrote.'
)


@pytest.fixture(scope="session")
def corpus_path(tmp_path_factory):
    """A corpus built by `Corpus.ingest` from the articles above, one .txt file each."""
    from presslens.corpus import Corpus

    folder = tmp_path_factory.mktemp("web-news")
    for i, text in enumerate([*ARTICLES, HOSTILE], 1):
        (folder / f"a{i}.txt").write_text(text, encoding="utf-8")
    path = tmp_path_factory.mktemp("web-corpus") / "corpus.duckdb"
    with Corpus(path) as corpus:
        report = corpus.ingest([folder], workers=0, progress=False)
    assert report.added == len(ARTICLES) + 1, report.summary()
    return path


@pytest.fixture(scope="session")
def article_ids(web_corpus) -> list[str]:
    """Corpus ids of ARTICLES + [HOSTILE], in that order (found by the record ids the reader gave)."""
    return [web_corpus.article(f"a{i}:1")["corpus"]["article_id"] for i in range(1, len(ARTICLES) + 2)]


@pytest.fixture(scope="session")
def web_corpus(corpus_path):
    from presslens.corpus import Corpus

    with Corpus(corpus_path, read_only=True) as corpus:
        yield corpus


@pytest.fixture(scope="session")
def web_app(corpus_path):
    from presslens.web import create_app

    return create_app(corpus_path)


class Client:
    """Requests to the app in-process through httpx's ASGI transport (no socket, no server)."""

    def __init__(self, app):
        self.app = app

    def request(self, method: str, url: str, **kwargs):
        import anyio
        import httpx

        async def send():
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
                start = time.monotonic()
                response = await c.request(method, url, **kwargs)
                self.seconds = time.monotonic() - start  # before anyio.run waits for abandoned threads
                return response

        # In a thread of its own: Playwright's sync API keeps an event loop in this one.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(anyio.run, send).result()

    def get(self, url: str, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.request("POST", url, **kwargs)


@pytest.fixture()
def client(web_app):
    return Client(web_app)
