"""Ingest throughput against bare spaCy, and peak memory at two corpus sizes.

    python benchmarks/ingest_speed.py                         # 400 articles; 2k vs 20k for memory
    python benchmarks/ingest_speed.py --speed 200 --small 500 --large 5000   # quicker

1. Throughput, one run, same texts: `presslens ingest` with 2 workers (reading, hashing,
   MinHash, DuckDB writes, tantivy indexing included) against bare spaCy
   `nlp.pipe(texts, n_process=2)` over the same pipeline (spaCy + presslens components; a last
   component drops the Doc-level presslens annotations, which spaCy cannot send between
   processes). Both wall times include loading the model. Overhead = ingest / bare - 1.
2. Peak memory: ingest `--small` and then `--large` articles, each in a fresh process; peak RSS of
   the main process and of the largest worker.

Articles are invented here (sentences recombined with random names, places and numbers), so
each is distinct: no exact or near-duplicates are skipped. Figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = ["Jane", "Tom", "Maria", "Liam", "Sara", "Omar", "Elena", "David", "Aiko", "Pierre", "Grace", "Ivan"]
LAST = ["Holloway", "Briggs", "Okafor", "Chen", "Novak", "Haddad", "Rossi", "Keller", "Tanaka", "Dubois"]
ROLES = ["the mayor", "a council member", "the health minister", "a union leader", "the police chief",
         "an opposition senator", "the company's chief executive", "a local teacher"]
PLACES = ["Riverton", "Port Ellis", "Northgate", "Kingsbury", "Lakeview", "Ashford", "Milltown", "Westhaven"]
TOPICS = ["the new bridge", "school funding", "the water supply", "bus fares", "the hospital wing",
          "housing rents", "the steel plant", "flood defences", "the airport expansion", "farm subsidies"]
AGENCIES = ["Reuters", "the Associated Press", "AFP", "local radio", "the city's newspaper"]


def invented_article(i: int, paragraphs: int) -> dict:
    rng = random.Random(i)

    def person() -> str:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"

    place, topic = rng.choice(PLACES), rng.choice(TOPICS)
    parts = [f"{place} officials met on {rng.choice(['Monday', 'Tuesday', 'Friday'])} to discuss {topic} "
             f"after a {rng.randint(2, 40)} per cent rise in costs, according to {rng.choice(AGENCIES)}."]
    for _ in range(paragraphs):
        a, b = person(), person()
        n = rng.randint(3, 900)
        parts.append(rng.choice([
            f'"We cannot wait another {n} days for {topic}," said {a}, {rng.choice(ROLES)}. '
            f"{b} disagreed and said the plan would cost {n} million.",
            f"{a}, {rng.choice(ROLES)}, told reporters that {topic} would be finished by {2020 + n % 9}. "
            f'"This is the most important decision for {place} in {n} years," {a.split()[1]} added.',
            f'According to {rng.choice(AGENCIES)}, {a} warned that {topic} was {n} weeks behind schedule. '
            f'"Nobody told us," said {b}, who lives near the site.',
            f"Residents of {place} gathered at the town hall, where {n} people signed a petition about "
            f"{topic}. {a} said the council had ignored them.",
        ]))
    day = 1 + i % 28
    return {"id": f"bench-{i}", "outlet": f"Outlet {i % 7}", "published": f"2021-{1 + i % 12:02d}-{day:02d}",
            "title": f"{place}: {topic}", "text": "\n\n".join(parts)}


def write_inputs(path: Path, n: int, paragraphs: int) -> list[str]:
    texts = []
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            a = invented_article(i, paragraphs)
            texts.append(a["text"])
            f.write(json.dumps(a) + "\n")
    return texts


def bare_spacy(texts: list[str], n_process: int) -> float:
    from spacy.language import Language

    from presslens.pipeline import build

    @Language.component("bench_drop_presslens_annotations")
    def drop(doc):  # spaCy sends Docs between processes with msgpack: the presslens objects cannot go
        doc._.pl_entities = doc._.pl_statements = doc._.pl_times = None
        return doc

    t = time.perf_counter()
    nlp = build.load.__wrapped__()
    nlp.add_pipe("bench_drop_presslens_annotations")
    n = sum(1 for _ in nlp.pipe(texts, n_process=n_process, batch_size=16))
    assert n == len(texts)
    return time.perf_counter() - t


def ingest_once(src: Path, db: Path, workers: int) -> tuple[float, dict]:
    from presslens.corpus import Corpus

    t = time.perf_counter()
    with Corpus(db) as corpus:
        report = corpus.ingest([src], workers=workers, progress=False)
    return time.perf_counter() - t, report.to_dict()


def _rss_tree(root: int) -> dict[int, int]:
    """RSS (kB) of `root` and all its descendants (workers are children of the forkserver)."""
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/status") as f:
                rss[int(entry)] = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration, ValueError, IndexError):
            continue
    return {p: rss[p] for p in descendants(parents, root) if p in rss}


def descendants(parents: dict[int, int], root: int) -> set[int]:
    """`root` and every process below it, from a {pid: parent pid} map."""
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return tree


def rss_run(n: int, paragraphs: int, workers: int) -> None:
    """In a fresh process: ingest n articles, print peak RSS (MB) as JSON: this process, the
    largest other process of its tree (a worker or the forkserver), and the tree's total."""
    import threading

    peak = {"total": 0, "other": 0}
    stop = threading.Event()

    def sample() -> None:
        me = os.getpid()
        while not stop.wait(0.25):
            tree = _rss_tree(me)
            peak["total"] = max(peak["total"], sum(tree.values()))
            peak["other"] = max([peak["other"]] + [v for p, v in tree.items() if p != me])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        write_inputs(src, n, paragraphs)
        seconds, report = ingest_once(src, Path(tmp) / "c.duckdb", workers)
    stop.set()
    sampler.join()
    main_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"articles": n, "added": report["added"], "seconds": round(seconds, 1),
                      "main_mb": round(main_mb), "worker_mb": round(peak["other"] / 1024),
                      "total_mb": round(peak["total"] / 1024)}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--speed", type=int, default=400, help="articles for the throughput comparison")
    ap.add_argument("--small", type=int, default=2000, help="articles of the smaller memory run")
    ap.add_argument("--large", type=int, default=20000, help="articles of the larger memory run")
    ap.add_argument("--paragraphs", type=int, default=6, help="paragraphs per invented article")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--rss-run", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_run:
        rss_run(args.rss_run, args.paragraphs, args.workers)
        return
    import spacy

    print(f"python {platform.python_version()}, spaCy {spacy.__version__}, cpus {os.cpu_count()}, "
          f"workers {args.workers}", flush=True)
    if not args.skip_speed:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in.jsonl"
            texts = write_inputs(src, args.speed, args.paragraphs)
            chars = sum(map(len, texts))
            t_ingest, report = ingest_once(src, Path(tmp) / "c.duckdb", args.workers)
            t_bare = bare_spacy(texts, args.workers)
        print(f"throughput, {args.speed} articles ({chars / args.speed:,.0f} chars each, "
              f"{report['statements']} statements stored):")
        print(f"  bare spaCy nlp.pipe(n_process={args.workers}): {t_bare:7.1f} s  {args.speed / t_bare:6.1f} articles/s")
        print(f"  presslens ingest --workers {args.workers}:       {t_ingest:7.1f} s  {args.speed / t_ingest:6.1f} articles/s")
        print(f"  presslens overhead: {100 * (t_ingest / t_bare - 1):+.1f}% (target <= 30%)", flush=True)
    if not args.skip_memory:
        print("peak memory (fresh process per run):")
        figures = []
        for n in (args.small, args.large):
            out = subprocess.run(
                [sys.executable, __file__, "--rss-run", str(n), "--paragraphs", str(args.paragraphs),
                 "--workers", str(args.workers)], check=True, capture_output=True, text=True,
            ).stdout
            fig = json.loads(out.strip().splitlines()[-1])
            figures.append(fig)
            print(f"  {n:>6} articles in {fig['seconds']:7.1f} s: main {fig['main_mb']} MB, "
                  f"largest worker {fig['worker_mb']} MB, all processes {fig['total_mb']} MB", flush=True)
        small, large = figures
        print(f"  large / small peak: main {large['main_mb'] / small['main_mb']:.2f}x, "
              f"worker {large['worker_mb'] / small['worker_mb']:.2f}x, "
              f"all processes {large['total_mb'] / small['total_mb']:.2f}x (target <= 1.10x)")


if __name__ == "__main__":
    main()
