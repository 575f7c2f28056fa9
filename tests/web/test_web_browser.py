"""End to end in headless Chromium: Debian's /usr/bin/chromium driven by Playwright (never a
browser download; see ../../../shared/BROWSER-TESTS.md)."""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.model]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def server_url(web_app):
    """The app under uvicorn on 127.0.0.1, an ephemeral port, in a thread."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(web_app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="session")
def base_url(server_url):
    """Replaces pytest-base-url's fixture, whose definition warns under pytest 9 (warnings are errors)."""
    return server_url


@pytest.fixture()
def dialogs(page):
    """Every JavaScript dialog (alert, confirm, prompt) the page opens: must stay empty."""
    seen = []

    def on_dialog(dialog):
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


def test_overview_shows_counts(page, server_url, dialogs):
    page.goto(server_url + "/")
    assert page.locator("h1").inner_text() == "Overview"
    assert int(page.locator('[data-count="articles"]').inner_text().replace(",", "")) == 4
    assert int(page.locator('[data-count="statements"]').inner_text().replace(",", "")) >= 4
    assert page.locator("svg.chart.columns rect").count() >= 2
    # articles on the left axis, statements on the right, each titled in its series' colour
    left = page.locator("svg.chart.columns [data-axis=left] .axis-title")
    right = page.locator("svg.chart.columns [data-axis=right] .axis-title")
    assert left.text_content() == "articles" and right.text_content() == "statements"  # SVG: no inner_text
    bars = page.locator("svg.chart.columns rect.series1").first
    assert right.evaluate("el => getComputedStyle(el).fill") == bars.evaluate("el => getComputedStyle(el).fill")
    labels = page.locator("svg.chart.columns .label-x").all_text_contents()
    assert labels and all(len(t) == 7 and t[4] == "-" for t in labels)  # 2024-03, not a date or a number
    assert not dialogs


def test_a_list_downloads_in_the_browser(page, server_url, dialogs, web_corpus):
    """Clicking "CSV" on the speaker list saves every speaker, not one page of them."""
    import csv

    page.goto(server_url + "/speakers?limit=1")
    with page.expect_download() as info:
        page.click("p.summary .downloads a:text('CSV')")
    download = info.value
    assert download.suggested_filename == "speakers.csv"
    with open(download.path(), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(web_corpus.speakers()) >= 2
    assert not dialogs


def test_search_a_quote_and_open_the_article(page, server_url, dialogs):
    page.goto(server_url + "/")
    page.fill("header .quick input[name=q]", "rebuild the bridge")
    page.press("header .quick input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    result = page.locator("li.result").first
    assert "rebuild the bridge" in result.locator("blockquote").inner_text()
    assert page.locator('.facet[data-facet="outlet"] li').count() >= 1
    result.locator("a.article").click()
    page.wait_for_url("**/articles/**")
    highlighted = page.locator("#article-text .stmt")
    assert highlighted.count() >= 2
    target = page.locator("#article-text .stmt:target")  # the link jumps to the statement found
    assert "rebuild the bridge" in target.inner_text()
    assert not dialogs


def test_article_highlights_and_side_panel(page, server_url, dialogs, article_ids):
    page.goto(f"{server_url}/articles/{article_ids[0]}")
    stmts = page.locator("#article-text .stmt")
    assert stmts.count() >= 2
    colour = stmts.first.evaluate("el => getComputedStyle(el).borderBottomColor")
    assert colour not in ("", "rgba(0, 0, 0, 0)")
    classes = stmts.first.get_attribute("class").split()
    assert any(c.startswith("sp") for c in classes)
    panel = page.locator("aside.panel .said")
    assert panel.count() == page.locator("#article-text [id^=stmt-]").count()
    first = panel.first
    quoted = first.locator("q").inner_text()
    assert quoted and quoted.rstrip("…") in page.locator("#article-text").inner_text()
    # the panel entry and its highlight share the speaker's colour class
    colour_class = next(c for c in first.get_attribute("class").split() if c.startswith("sp"))
    sid = first.get_attribute("data-statement")
    assert colour_class in page.locator(f"#stmt-{sid}").get_attribute("class").split()
    assert not dialogs


def _pronoun_article(server_url) -> str | None:
    """The id of a corpus article with a resolved pronoun, if the pipeline resolves any."""
    import httpx

    for hit in httpx.get(server_url + "/api/search").json()["results"]:
        article = httpx.get(f"{server_url}/api/articles/{hit['article_id']}").json()
        if any(m["kind"] == "pronoun" for e in article["entities"] for m in e["mentions"]):
            return hit["article_id"]
    return None


def test_hovering_a_pronoun_shows_its_speaker(page, server_url, dialogs):
    article_id = _pronoun_article(server_url)
    if article_id is not None:
        page.goto(f"{server_url}/articles/{article_id}")
    else:
        # The pipeline resolves no pronoun yet: draw a hand-made article with the real template
        # and stylesheet, served from the same origin, so the hover behaviour is still checked.
        from presslens.web.deps import templates
        from presslens.web.render import article_view

        from .test_web_render import ARTICLE

        html = templates.get_template("article.html").render(
            article={**ARTICLE, "id": "hand-made"}, view=article_view(ARTICLE), stored=False, json_url=None)
        page.route("**/hand-made-article", lambda route: route.fulfill(body=html, content_type="text/html"))
        page.goto(server_url + "/hand-made-article")
    pronoun = page.locator("#article-text .m-pronoun").first
    tip = pronoun.locator(".tip")
    assert not tip.is_visible()
    resolved = pronoun.get_attribute("data-resolved")
    assert resolved
    pronoun.hover()
    tip.wait_for(state="visible", timeout=2000)
    assert tip.inner_text() == resolved
    assert not dialogs


def test_hostile_article_renders_as_text(page, server_url, dialogs, article_ids):
    page.goto(f"{server_url}/articles/{article_ids[-1]}")
    text = page.locator("#article-text").inner_text()
    assert '<script>alert("pwned")</script>' in text
    assert "<img src=x onerror=alert(2)>" in text
    assert page.locator("#article-text script, #article-text img, #article-text iframe, #article-text b").count() == 0
    page.locator("#article-text").hover()
    page.mouse.move(10, 10)
    page.wait_for_timeout(300)
    assert not dialogs


def test_hostile_search_string_is_shown_not_run(page, server_url, dialogs):
    page.goto(server_url + "/search?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E%3Cimg+src%3Dx+onerror%3Dalert(2)%3E")
    assert page.locator("form.search input[name=q]").input_value() == '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    page.wait_for_timeout(300)
    assert not dialogs


def test_analyze_page(page, server_url, dialogs):
    page.goto(server_url + "/analyze")
    page.fill("textarea[name=text]", 'date 2024-05-01 Pasted Post - "We start today," said Mayor Ann Lee.')
    page.click("form.analyze button[type=submit]")
    page.wait_for_selector("#article-text")
    assert "not stored" in page.locator(".meta").inner_text()
    assert "Pasted Post" in page.locator(".meta").inner_text()
    assert page.locator("#article-text .stmt").count() >= 1
    assert not dialogs


def test_every_page_loads_without_errors(page, server_url, dialogs, article_ids):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    for path in ["/", "/search", "/speakers", "/relays", "/analyze", f"/articles/{article_ids[1]}"]:
        response = page.goto(server_url + path)
        assert response.status == 200, path
    page.goto(server_url + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=10_000)  # Swagger UI ran, from local files
    assert page.locator(".opblock-summary-path", has_text="/api/analyze").count() == 1
    assert not errors and not dialogs


def test_speaker_page_steps_through_its_pages(page, server_url, dialogs, web_corpus):
    speakers = [r for r in web_corpus.speakers() if r["statements"] >= 2]
    assert speakers, "the pipeline attributes no speaker twice in the web corpus"
    name, total = speakers[0]["speaker"], speakers[0]["statements"]
    page.goto(f"{server_url}/speakers/{name}?limit=1")
    assert page.locator("p.summary").inner_text().startswith(f"Statements 1–1 of {total}")
    first = page.locator("ol.timeline blockquote").inner_text()
    page.click("a[rel=next]")
    assert page.locator("p.summary").inner_text().startswith(f"Statements 2–2 of {total}")
    assert page.locator("ol.timeline blockquote").inner_text() != first
    page.click("a[rel=prev]")
    assert page.locator("ol.timeline blockquote").inner_text() == first
    assert page.locator("a[rel=prev]").count() == 0
    assert not dialogs
