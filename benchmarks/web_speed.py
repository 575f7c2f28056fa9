"""How fast `presslens serve` answers on a large corpus (a benchmark, never a test).

    python benchmarks/web_speed.py                      # generate a 1M-article store, then measure
    python benchmarks/web_speed.py --articles 100000    # a smaller one
    python benchmarks/web_speed.py --db big.duckdb      # measure an existing store

The generated store has the real schema and a real full-text index (written through
`presslens.corpus`), filled with synthetic articles: three attributed statements each, words
drawn from a Zipf-like vocabulary, 5,000 speakers, 40 outlets, 10 years of dates. No NLP runs;
only the store's size and shape matter here. The server runs under uvicorn on 127.0.0.1 in a
thread and is called over HTTP, so the figures include routing, rendering and the socket.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

SYLLABLES = ["ka", "lo", "mi", "ter", "an", "vel", "so", "ri", "den", "tu", "mar", "el", "po", "sen", "ni",
             "gar", "do", "li", "ven", "ta", "qu", "is", "ba", "ro"]
COMMON = ("the a of to and in that is for on it with as was we will not be are this have by they at from "
          "government minister said people country law vote budget water talks deal plan police court health "
          "election president war peace workers prices energy climate bridge schools").split()
OUTLETS = [f"{a} {b}" for a in ("Daily", "Evening", "Morning", "Weekly", "Valley", "Harbour", "City", "National")
           for b in ("Ledger", "Post", "Herald", "Wire", "Times")]
RELAYS = ["Reuters", "the Associated Press", "state media", "officials", "a spokesperson", "Press TV",
           "local police", "the ministry", "witnesses", "a leaked memo"]


def vocabulary(rng: random.Random, size: int = 8000) -> list[str]:
    words = set(COMMON)
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words, key=lambda w: (w not in COMMON, w))


def generate(db: Path, n_articles: int, *, seed: int = 7, chunk: int = 50_000) -> None:
    """Write `n_articles` synthetic articles into a new store at `db`, then build its index."""

    from presslens.corpus import store
    from presslens.corpus.search import Index

    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = [1 / (i + 1) for i in range(len(vocab))]  # Zipf-like
    first = ["Ann", "Omar", "Li", "Sara", "Jon", "Ines", "Ravi", "Mira", "Tom", "Eva", "Kofi", "Lena", "Ivan",
             "Noor", "Paul", "Yara", "Ben", "Dara", "Max", "Zoe"]
    speakers = [f"{rng.choice(first)} {w.capitalize()}" for w in rng.sample(vocab[200:], 5000)]
    epoch = dt.date(2015, 1, 1)
    con = store.connect(db, read_only=False)
    tmp = Path(tempfile.mkdtemp(prefix="presslens-bench-"))
    started = time.monotonic()
    for lo in range(0, n_articles, chunk):
        arts, stmts = tmp / "articles.jsonl", tmp / "statements.jsonl"
        with arts.open("w") as fa, stmts.open("w") as fs:
            for i in range(lo, min(lo + chunk, n_articles)):
                aid = f"{i:016x}"
                outlet = OUTLETS[i % len(OUTLETS)]
                published = (epoch + dt.timedelta(days=rng.randrange(3650))).isoformat()
                text, ents, sts, rows = "", [], [], []
                for j in range(3):
                    words = rng.choices(vocab, weights, k=rng.randint(8, 20))
                    quote = " ".join(words).capitalize()
                    speaker = speakers[min(int(rng.paretovariate(1.2)) - 1, len(speakers) - 1)
                                       if j == 0 else rng.randrange(len(speakers))]
                    relay = rng.choice(RELAYS) if j == 2 else None
                    text += ("" if j == 0 else " ") + '"'
                    start = len(text)
                    text += quote
                    end = len(text)
                    text += '," said '
                    ss = len(text)
                    text += speaker
                    se = len(text)
                    text += f", according to {relay}." if relay else "."
                    eid = f"e{j + 1}"
                    ents.append({"id": eid, "name": speaker, "type": "PERSON", "roles": [], "titles": [],
                                 "mentions": [{"span": [ss, se], "kind": "name", "text": speaker}]})
                    sts.append({"id": f"s{j + 1}", "content": [[start, end]], "cue": [[ss - 5, ss - 1]],
                                "source": [[ss, se]], "speaker": eid, "kind": "direct", "attribution": "named",
                                "according_to": [{"name": relay, "span": None, "entity": None}] if relay else [],
                                "confidence": 0.9})
                    rows.append({"seq": i * 3 + j + 1, "article_id": aid, "statement_id": f"s{j + 1}",
                                 "speaker_entity": eid, "speaker": speaker, "kind": "direct", "attribution": "named",
                                 "content": quote, "cue": "said", "according_to": [relay] if relay else [],
                                 "confidence": 0.9, "published": published, "outlet": outlet, "story_id": aid,
                                 "title": None})
                analysis = {"schema": "presslens/1", "id": aid, "outlet": outlet, "published": published,
                            "title": None, "url": None, "text": text, "entities": ents, "statements": sts,
                            "times": [], "warnings": [], "pipeline": {"version": "bench", "model": "synthetic"}}
                fa.write(json.dumps({"article_id": aid, "content_hash": aid * 4, "key": aid * 4,
                                     "pipeline_version": "bench", "record_id": aid, "outlet": outlet,
                                     "published": published, "title": None, "url": None, "story_id": aid,
                                     "n_statements": 3, "n_entities": 3, "chars": len(text),
                                     "analysis": json.dumps(analysis), "added_at": None, "run_id": "bench"}) + "\n")
                for r in rows:
                    fs.write(json.dumps(r) + "\n")
        con.execute(f"INSERT INTO articles SELECT * FROM read_json('{arts}', format='newline_delimited', "
                    "columns={article_id:'VARCHAR', content_hash:'VARCHAR', key:'VARCHAR', "
                    "pipeline_version:'VARCHAR', record_id:'VARCHAR', outlet:'VARCHAR', published:'DATE', "
                    "title:'VARCHAR', url:'VARCHAR', story_id:'VARCHAR', n_statements:'INTEGER', "
                    "n_entities:'INTEGER', chars:'INTEGER', analysis:'VARCHAR', added_at:'TIMESTAMP', "
                    "run_id:'VARCHAR'})")
        con.execute(f"INSERT INTO statements SELECT * FROM read_json('{stmts}', format='newline_delimited', "
                    "columns={seq:'BIGINT', article_id:'VARCHAR', statement_id:'VARCHAR', "
                    "speaker_entity:'VARCHAR', speaker:'VARCHAR', kind:'VARCHAR', attribution:'VARCHAR', "
                    "content:'VARCHAR', cue:'VARCHAR', according_to:'VARCHAR[]', confidence:'DOUBLE', "
                    "published:'DATE', outlet:'VARCHAR', story_id:'VARCHAR', title:'VARCHAR'})")
        done = min(lo + chunk, n_articles)
        print(f"  {done:,} articles stored ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    con.execute("INSERT INTO article_places SELECT article_id, 'bench:' || article_id, record_id, NULL, 'bench' "
                "FROM articles")
    print("  indexing ...", file=sys.stderr, flush=True)
    Index(store.index_path(db)).rebuild(con)
    con.close()
    print(f"  store ready in {time.monotonic() - started:.0f} s: {db}", file=sys.stderr, flush=True)


def serve(db: Path) -> tuple[str, object, object]:
    import uvicorn

    from presslens.web import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = create_app(db, query_timeout=60)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    server.thread = thread
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server, app


def measure(client, url: str, paths: list[str], before=None) -> dict:
    """Time each path once (after one warm-up request on the first); milliseconds. `before` runs
    ahead of each timed request (e.g. to drop a cache)."""
    client.get(url + paths[0])
    times = []
    for p in paths:
        if before is not None:
            before()
        start = time.perf_counter()
        r = client.get(url + p)
        times.append((time.perf_counter() - start) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"{p}: {r.status_code} {r.text[:200]}")
    times.sort()
    return {"n": len(times), "median": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))],
            "max": times[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="an existing store to measure")
    parser.add_argument("--articles", type=int, default=1_000_000, help="size of the generated store")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "presslens-bench",
                        help="where generated stores are kept (reused when already there)")
    parser.add_argument("--repeat", type=int, default=30, help="requests per measurement")
    parser.add_argument("--only", metavar="WORDS", help="measure only the requests whose name contains WORDS")
    args = parser.parse_args()

    import duckdb
    import httpx

    db = args.db
    if db is None:
        db = args.out / f"web-{args.articles}.duckdb"
        if not db.exists():
            args.out.mkdir(parents=True, exist_ok=True)
            print(f"generating {args.articles:,} articles into {db}", file=sys.stderr)
            generate(db, args.articles)
    with duckdb.connect(str(db), read_only=True) as con:
        n_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        n_statements = con.execute("SELECT count(*) FROM statements").fetchone()[0]
        ids = [r[0] for r in con.execute(f"SELECT article_id FROM articles USING SAMPLE {args.repeat} ROWS").fetchall()]
        top = con.execute(
            "SELECT speaker, count(*) FROM statements WHERE speaker IS NOT NULL GROUP BY speaker ORDER BY count(*) DESC "
            "LIMIT 200").fetchall()
        speakers = [r[0] for r in top]
    rng = random.Random(1)
    url, server, app = serve(db)
    words = ["government", "bridge", "talks", "water", "climate", "peace"]
    rare = [w for w in vocabulary(random.Random(7))[1000:1200]]
    cases = {
        "article page (HTML)": [f"/articles/{i}" for i in ids],
        "article (JSON)": [f"/api/articles/{i}" for i in ids],
        "search, common word (HTML, with facets)": [f"/search?q={rng.choice(words)}" for _ in range(args.repeat)],
        "search, common word (JSON)": [f"/api/search?q={rng.choice(words)}" for _ in range(args.repeat)],
        "search, rare word (HTML)": [f"/search?q={rng.choice(rare)}" for _ in range(args.repeat)],
        "search, two words + outlet (HTML)": [f"/search?q={rng.choice(words)}+{rng.choice(rare)}"
                                              f"&outlet={rng.choice(OUTLETS)}" for _ in range(args.repeat)],
        "search, speaker filter, no text (HTML)": [f"/search?speaker={rng.choice(speakers[50:])}"
                                                   for _ in range(args.repeat)],
        "speaker page (HTML)": [f"/speakers/{rng.choice(speakers[20:])}" for _ in range(min(args.repeat, 10))],
        f"speaker page, most quoted ({top[0][1]:,} statements; HTML)": [f"/speakers/{speakers[0]}"]
                                                                        * min(args.repeat, 10),
        "speaker page, most quoted, a deep page (HTML)": [f"/speakers/{speakers[0]}?offset={top[0][1] // 2}"]
                                                          * min(args.repeat, 10),
        "speaker page, most quoted, last page (JSON)": [f"/api/speakers/{speakers[0]}?offset={top[0][1] - 50}"]
                                                        * min(args.repeat, 10),
        "overview (HTML)": ["/"] * 3,
        "overview, first load after a change (HTML)": ["/"] * 3,
        "relays (HTML)": ["/relays"] * 3,
    }
    if args.only:
        cases = {name: paths for name, paths in cases.items() if args.only in name}
    results = {}
    with httpx.Client(timeout=120) as client:
        for name, paths in cases.items():
            drop = None
            if "first load" in name:  # the overview's aggregates are cached per corpus modification
                def drop():
                    if hasattr(app.state, "overview_cache"):
                        del app.state.overview_cache
            results[name] = measure(client, url, paths, drop)
            print(f"  {name}: median {results[name]['median']:.0f} ms", file=sys.stderr, flush=True)
    server.should_exit = True
    server.thread.join()
    app.state.corpus.close()  # what the app's lifespan does in `presslens serve` (off here)

    import presslens

    print(f"### {dt.date.today()}: {n_articles:,} articles, {n_statements:,} statements")
    print()
    print(f"presslens {presslens.__version__}, Python {platform.python_version()}, duckdb {duckdb.__version__}, "
          f"{platform.machine()}, {__import__('os').cpu_count()} CPUs; over HTTP on 127.0.0.1, one client.")
    print()
    print("| request | n | median ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['n']} | {r['median']:.0f} | {r['p95']:.0f} | {r['max']:.0f} |")


if __name__ == "__main__":
    main()
