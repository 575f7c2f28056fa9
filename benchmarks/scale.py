"""Scaling, issue 10: articles/s of `presslens ingest` on one WARC file, in one run, with

    local, 1 worker      the process pool (--engine local --workers 1)
    local, 2 workers
    ray, 1 actor         a local Ray runtime started by ingest (--engine ray --workers 1)
    ray, 2 actors
    ray, 2 actors, up    the same, on a Ray node started before (--address): what a running
                         cluster costs, without the start and stop of a local runtime
    ray, 2 nodes         a simulated cluster: two Ray nodes on this machine (ray.cluster_utils),
                         one actor on each, the ingest connected with --address

    python benchmarks/scale.py                    # 300 articles, 6 paragraphs each
    python benchmarks/scale.py --articles 100     # quicker
    python benchmarks/scale.py --articles 2000 --small 200
                                                  # and each engine with 2 workers on 200
                                                  # articles: fixed cost and cost per article

With `--small N`, local and Ray with two workers also run on the first N articles; the two
sizes give each engine's fixed cost (start, model loads, the end of the run) and its cost per
article (the slope between them), and Ray's overhead on each.

Each configuration runs `presslens ingest` in its own process on the same CC-NEWS-like
`.warc.gz` (every article an HTML response after its request record, as CC-NEWS has them), into
a fresh corpus. The wall time covers everything: starting Ray, loading the model in each worker,
reading and extracting the WARC, analysis, shards and `load` (Ray), storing and indexing. Peak
memory per worker is the largest resident set of an analysis process (pool worker or Ray
actor), sampled every 0.25 s. Figures go to docs/scale.md; nothing here is asserted.
On a shared machine absolute rates move with the load: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import warc_builder as wb  # noqa: E402  (tests/warc_builder.py)
from ingest_speed import descendants, invented_article  # noqa: E402

PRESSLENS = str(Path(sys.executable).with_name("presslens"))


def write_warc(path: Path, n: int, paragraphs: int) -> int:
    records, chars = [], 0
    for i in range(n):
        a = invented_article(i, paragraphs)
        uri = f"https://www.outlet{i % 7}.example.com/{i}"
        records.append(wb.request(uri))
        records.append(wb.response(uri, wb.page(a["title"], a["text"], site=a["outlet"], published=a["published"])))
        chars += len(a["text"])
    wb.write(path, records)
    return chars


def _processes() -> dict[int, tuple[str, int]]:
    """pid -> (command line, RSS in kB) of every process on this machine."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/status") as f:
                rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            out[int(entry)] = (cmd, rss)
        except (OSError, StopIteration, ValueError):
            continue
    return out


def _parents() -> dict[int, int]:
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    out[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    return out


def _workers(root: int) -> dict[int, int]:
    """RSS (kB) of the analysis processes: Ray actors anywhere, or pool workers below `root`."""
    procs = _processes()
    actors = {p: rss for p, (cmd, rss) in procs.items() if "MapWorker" in cmd or "Analyzer" in cmd}
    if actors:
        return actors
    tree = descendants(_parents(), root)
    # Pool workers are the processes of the tree that loaded the model (the forkserver too: it
    # preloads it, and workers are its forks); the ingest process itself is left out.
    return {p: procs[p][1] for p in tree if p != root and p in procs}


def run(name: str, args: list[str], warc: Path, tmp: Path, n: int) -> dict:
    db = tmp / f"{name.replace(' ', '-').replace(',', '')}.duckdb"
    cmd = [PRESSLENS, "ingest", str(warc), "--db", str(db), "-q", *args]
    peak = {"worker": 0}
    stop = threading.Event()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def sample() -> None:
        while not stop.wait(0.25):
            peak["worker"] = max([peak["worker"], *_workers(proc.pid).values()])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - t0
    stop.set()
    sampler.join()
    summary = [line for line in err.splitlines() if " read, " in line]
    if proc.returncode != 0 or not summary:
        raise SystemExit(f"{name}: {' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    added = int(summary[-1].split(" read, ")[1].split(" added")[0])
    if added != n:
        raise SystemExit(f"{name}: {added} articles stored, expected {n}:\n{summary[-1]}")
    return {"name": name, "seconds": round(seconds, 1), "rate": n / seconds, "worker_mb": round(peak["worker"] / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--paragraphs", type=int, default=6)
    ap.add_argument("--skip-cluster", action="store_true", help="leave out the simulated two-node run")
    ap.add_argument("--small", type=int, default=0, help="also run 2 workers on this many articles (fixed cost)")
    args = ap.parse_args()
    import ray
    import spacy

    load = os.getloadavg()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; python {platform.python_version()}, "
          f"spaCy {spacy.__version__}, Ray {ray.__version__}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="presslens-scale-") as tmp:
        tmp = Path(tmp)
        warc = tmp / "CC-NEWS-bench.warc.gz"
        chars = write_warc(warc, args.articles, args.paragraphs)
        print(f"input: {warc.name}, {args.articles} articles ({chars / args.articles:,.0f} characters each) "
              f"and {args.articles} request records, {warc.stat().st_size / 2**20:.1f} MiB", flush=True)
        configs = [
            ("local, 1 worker", ["--engine", "local", "--workers", "1"]),
            ("local, 2 workers", ["--engine", "local", "--workers", "2"]),
            ("ray, 1 actor", ["--engine", "ray", "--workers", "1"]),
            ("ray, 2 actors", ["--engine", "ray", "--workers", "2"]),
        ]
        for name, extra in configs:
            rows.append(run(name, extra, warc, tmp, args.articles))
            print(f"  {name:<18} {rows[-1]['seconds']:7.1f} s  {rows[-1]['rate']:6.2f} articles/s  "
                  f"worker peak {rows[-1]['worker_mb']} MB", flush=True)
        from ray.cluster_utils import Cluster

        from presslens.corpus.distributed import SYSTEM_CONFIG

        # (name, CPUs of each node): one node as ingest's own runtime has it (2 actors + 2 for
        # reading), then two nodes of 2
        clusters = [("ray, 2 actors, up", [4])] + ([] if args.skip_cluster else [("ray, 2 nodes", [2, 2])])
        for name, cpus in clusters:
            cluster = Cluster(initialize_head=True, head_node_args={
                "num_cpus": cpus[0], "include_dashboard": False, "object_store_memory": 512 * 2**20,
                "_system_config": SYSTEM_CONFIG})
            try:
                for n_cpus in cpus[1:]:
                    cluster.add_node(num_cpus=n_cpus, object_store_memory=512 * 2**20)
                cluster.wait_for_nodes()
                rows.append(run(name, ["--engine", "ray", "--workers", "2", "--address", cluster.address],
                                warc, tmp, args.articles))
                print(f"  {name:<18} {rows[-1]['seconds']:7.1f} s  {rows[-1]['rate']:6.2f} articles/s  "
                      f"worker peak {rows[-1]['worker_mb']} MB" + ("  (one actor per node)" if len(cpus) > 1 else ""),
                      flush=True)
            finally:
                cluster.shutdown()
        small = []
        if args.small:
            warc_small = tmp / "CC-NEWS-bench-small.warc.gz"
            write_warc(warc_small, args.small, args.paragraphs)
            for name, extra in configs[1::2]:  # 2 workers, 2 actors
                small.append(run(f"{name}, small", extra, warc_small, tmp, args.small))
                print(f"  {name + f', {args.small}':<18} {small[-1]['seconds']:7.1f} s  {small[-1]['rate']:6.2f} articles/s",
                      flush=True)
    by = {r["name"]: r["rate"] for r in rows}
    print("ratios (same run):")
    print(f"  local 2 workers / 1 worker:  {by['local, 2 workers'] / by['local, 1 worker']:.2f}x")
    print(f"  ray 2 actors / 1 actor:      {by['ray, 2 actors'] / by['ray, 1 actor']:.2f}x")
    print(f"  ray overhead, 1 actor:       {100 * (by['local, 1 worker'] / by['ray, 1 actor'] - 1):+.0f}%")
    print(f"  ray overhead, 2 actors:      {100 * (by['local, 2 workers'] / by['ray, 2 actors'] - 1):+.0f}%")
    print(f"  ray overhead, 2 actors, up:  {100 * (by['local, 2 workers'] / by['ray, 2 actors, up'] - 1):+.0f}%"
          "  (a running node: no runtime start and stop)")
    if small:
        seconds = {r["name"]: r["seconds"] for r in rows + small}
        print(f"fixed cost and cost per article ({args.small} and {args.articles} articles, 2 workers):")
        slopes = {}
        for name in ("local, 2 workers", "ray, 2 actors"):
            per = (seconds[name] - seconds[f"{name}, small"]) / (args.articles - args.small)
            slopes[name] = per
            fixed = seconds[f"{name}, small"] - per * args.small
            print(f"  {name:<18} fixed {fixed:5.1f} s  {1000 * per:6.1f} ms/article")
        print(f"  ray overhead per article:    {100 * (slopes['ray, 2 actors'] / slopes['local, 2 workers'] - 1):+.0f}%")
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end")
    print(json.dumps(rows + small))


if __name__ == "__main__":
    main()
