"""Rebuild docs/img/article-page.png: the article page of the sample corpus in headless Chromium.

    python docs/screenshot.py            # after `make install`; needs Debian's chromium

Builds a throwaway corpus from samples/news, serves it on 127.0.0.1 in a thread, and
photographs the article with the most statements. Rerun it whenever the pipeline's output or
the page's look changes.
"""

from __future__ import annotations

import json
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "img" / "article-page.png"


def build_corpus(folder: Path) -> Path:
    from presslens.corpus import Corpus
    from presslens.inputs import parse_dateline

    records = folder / "samples.jsonl"
    with records.open("w", encoding="utf-8") as f:
        for path in sorted((REPO / "samples" / "news").glob("*.txt")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                dated = parse_dateline(line)
                if dated:
                    f.write(json.dumps({"id": f"{path.stem}-{n}", "text": dated.text, "outlet": dated.outlet,
                                        "published": dated.published}) + "\n")
    db = folder / "demo.duckdb"
    with Corpus(db) as corpus:
        corpus.ingest([records], workers=0, progress=False)
    return db


def main() -> None:
    import uvicorn
    from playwright.sync_api import sync_playwright

    from presslens.corpus import Corpus
    from presslens.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        db = build_corpus(Path(tmp))
        with Corpus(db, read_only=True) as corpus:
            rows = corpus.quotes(limit=10_000)
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["article_id"]] = counts.get(r["article_id"], 0) + 1 + (r["speaker"] is not None)
        article_id = max(counts, key=counts.get)

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(create_app(db), log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/articles/{article_id}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            pronoun = page.locator("#article-text .m-pronoun")
            if pronoun.count():
                pronoun.first.hover()  # show one resolved-pronoun tooltip in the picture
            page.screenshot(path=str(OUT))
            browser.close()
        server.should_exit = True
        thread.join(timeout=10)
    print(f"wrote {OUT.relative_to(REPO)} ({url})", file=sys.stderr)


if __name__ == "__main__":
    main()
