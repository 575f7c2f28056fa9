"""Query speed on a large generated corpus (rows written directly with DuckDB SQL, no NLP).

    python benchmarks/store_queries.py                      # 1M articles, 5M statements
    python benchmarks/store_queries.py --articles 100000    # smaller, faster

Builds the store (schema of presslens.corpus.store) and its tantivy index once under --dir
(reused when present; --rebuild forces it), then times, each the median of --repeat runs:
  speakers --by outlet for one year, a full-text quote search, an article lookup, the facets of a
  common word, a speaker filter without text and a speaker's timeline.
Each is timed through the library (`Corpus(read_only=True)`: opens the file per call, as the
CLI and web server do) and as the bare query on an open connection. Prints the figures; the
targets (0.5 s, 50 ms, 10 ms) are recorded in docs/performance.md, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402

from presslens.corpus import Corpus, queries, store  # noqa: E402
from presslens.corpus.search import Index  # noqa: E402

VOCAB = 3000


def build(db: Path, n_articles: int, per_article: int) -> None:
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    import shutil

    shutil.rmtree(store.index_path(db), ignore_errors=True)
    t0 = time.perf_counter()
    con = store.connect(db, read_only=False)
    con.execute(f"""
        CREATE TEMP TABLE words AS
        SELECT list(w ORDER BY i) AS w FROM (
            SELECT i, 'w' || i::VARCHAR || chr((97 + i % 26)::INTEGER) AS w FROM range({VOCAB}) t(i)
            UNION ALL SELECT {VOCAB} + i, w FROM (VALUES (0, 'election'), (1, 'taxes'), (2, 'border'),
                (3, 'economy'), (4, 'health'), (5, 'climate'), (6, 'vaccine'), (7, 'strike')) v(i, w))
    """)
    # Articles: 200 outlets, ten years of dates, stories of 1-3 articles.
    con.execute(f"""
        INSERT INTO articles
        SELECT printf('%016x', hash(i)) AS article_id, sha256(i::VARCHAR) AS content_hash,
               sha256(i::VARCHAR || ':bench') AS key, 'bench' AS pipeline_version, 'r' || i AS record_id,
               'Outlet ' || (hash(i * 7) % 200)::VARCHAR AS outlet,
               DATE '2015-01-01' + (hash(i * 13) % 3650)::INTEGER AS published,
               'Title of article ' || i AS title, 'https://example.org/' || i AS url,
               printf('%016x', hash(i - i % 3)) AS story_id, {per_article} AS n_statements, 4 AS n_entities,
               600 AS chars,
               '{{"schema": "presslens/1", "id": "r' || i || '", "text": "' || repeat('word ', 120)
                 || '", "entities": [], "statements": [], "times": []}}' AS analysis,
               now() AS added_at, 'bench' AS run_id
        FROM range({n_articles}) t(i)
    """)
    con.execute(f"""
        INSERT INTO statements
        SELECT row_number() OVER () AS seq, a.article_id, 's' || (j + 1)::VARCHAR, 'e' || (j + 1)::VARCHAR,
               'Speaker ' || (CASE WHEN hash(a.article_id, j) % 10 < 6 THEN hash(a.article_id, j) % 200
                                    ELSE hash(a.article_id, j) % 20000 END)::VARCHAR,
               ['direct', 'mixed', 'indirect'][1 + (hash(a.article_id, j, 1) % 3)::INTEGER],
               'named',
               array_to_string(list_transform(range(14),
                   lambda x: words.w[1 + (hash(a.article_id, j, x) % {VOCAB + 8})::INTEGER]), ' '),
               'said',
               CASE WHEN hash(a.article_id, j, 2) % 4 = 0 THEN ['Agency ' || (hash(a.article_id, j, 3) % 50)::VARCHAR]
                    ELSE []::VARCHAR[] END,
               0.9, a.published, a.outlet, a.story_id, a.title
        FROM articles a, range({per_article}) r(j), words
        ORDER BY a.rowid, j
    """)
    con.execute("CHECKPOINT")
    n = con.execute("SELECT count(*) FROM statements").fetchone()[0]
    t1 = time.perf_counter()
    print(f"built {n_articles:,} articles, {n:,} statements in DuckDB: {t1 - t0:.1f} s", flush=True)
    index = Index(store.index_path(db))
    index.heap, index.threads = 512_000_000, 2
    indexed = index.reconcile(con, batch=200_000)
    t2 = time.perf_counter()
    print(f"indexed {indexed:,} statements with tantivy: {t2 - t1:.1f} s", flush=True)
    con.close()


def timed(fn, repeat: int) -> tuple[float, object]:
    fn()  # warm up (page cache, tantivy segment readers)
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--statements-per-article", type=int, default=5)
    ap.add_argument("--dir", default="bench-store")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"store-{args.articles}x{args.statements_per_article}.duckdb"
    if args.rebuild or not db.exists() or not store.index_path(db).exists():
        build(db, args.articles, args.statements_per_article)
    elif not Index(store.index_path(db), create=False).current:  # an older index format
        t = time.perf_counter()
        with duckdb.connect(str(db)) as con:
            index = Index(store.index_path(db))
            index.heap, index.threads = 512_000_000, 2
            n = index.rebuild(con)
        print(f"re-indexed {n:,} statements (older index format): {time.perf_counter() - t:.1f} s", flush=True)
    print(f"store {db}: {db.stat().st_size / 1e6:,.0f} MB; python {platform.python_version()}, "
          f"duckdb {duckdb.__version__}, cpus {os.cpu_count()}", flush=True)

    corpus = Corpus(db, read_only=True)
    con = duckdb.connect(str(db), read_only=True)
    index = Index(store.index_path(db), create=False)
    aid = con.execute("SELECT article_id FROM articles LIMIT 1 OFFSET 123456 % (SELECT count(*) FROM articles)").fetchone()[0]
    year = dict(since="2020-01-01", until="2020-12-31")
    rows = [
        ("speakers --by outlet, one year", 0.5,
         lambda: corpus.speakers(by="outlet", **year),
         lambda: list(queries.speakers(con, by="outlet", **year))),
        ("full-text quote search 'election taxes' (top 50)", 0.050,
         lambda: corpus.quotes("election taxes", limit=50),
         lambda: queries.quotes(con, index, "election taxes", limit=50)),
        ("full-text search + speaker + year filters", 0.050,
         lambda: corpus.quotes("economy", speaker="Speaker 80", **year, limit=50),
         lambda: queries.quotes(con, index, "economy", speaker="Speaker 80", **year, limit=50)),
        ("article lookup", 0.010,
         lambda: corpus.article(aid),
         lambda: queries.article(con, aid)),
        ("facets of 'election' (every hit)", 0.200,
         lambda: corpus.quote_facets("election"),
         lambda: queries.quote_facets(con, index, "election")),
        ("speaker filter, no text (newest 50)", 0.200,
         lambda: corpus.quotes(speaker="Speaker 80", limit=50),
         lambda: queries.quotes(con, index, speaker="Speaker 80", limit=50)),
        ("timeline of a speaker (every statement)", 0.200,
         lambda: corpus.timeline("Speaker 80"),
         lambda: list(queries.timeline(con, "Speaker 80", index=index))),
    ]
    print(f"\n{'query':52} {'target':>8} {'library':>10} {'open conn':>10} rows")
    for name, target, lib, bare in rows:
        t_lib, res = timed(lib, args.repeat)
        t_bare, _ = timed(bare, args.repeat)
        n = len(res) if isinstance(res, list) else (1 if res else 0)
        print(f"{name:52} {target * 1000:>6.0f}ms {t_lib * 1000:>8.1f}ms {t_bare * 1000:>8.1f}ms {n}")
    con.close()


if __name__ == "__main__":
    main()
