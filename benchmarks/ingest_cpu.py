"""Where the CPU of one `presslens ingest` goes, per process role, for each engine (issue 10).

    python benchmarks/ingest_cpu.py                  # 400 articles, local then ray, 2 workers
    python benchmarks/ingest_cpu.py --articles 1000 --engines ray

Runs `presslens ingest` on the CC-NEWS-like WARC of benchmarks/scale.py (same articles) into a
fresh corpus and samples, every 0.25 s, the CPU time (user + system, /proc/PID/stat) of every
process of its tree: the ingest process, the local pool's forkserver and workers, or Ray's
actors (`MapBatches`), reading tasks (`ray::`), GCS, raylet and helpers. A process's last
sample counts, so a process that lives less than 0.25 s is missed. Nothing here is asserted;
figures go to docs/scale.md.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest_speed import descendants  # noqa: E402
from scale import PRESSLENS, write_warc  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")
# first match wins, on the command line Ray gives a worker: "ray::MapWorker(MapBatches(Analyzer))..."
# for an actor, "ray::FlatMap(read_unit)" for a reading task, "ray::IDLE" for a worker waiting for work
ROLES = [("MapBatches", "ray actors (analysis)"), ("FlatMap(read_unit)", "ray tasks (reading)"),
         ("ray::", "ray's own workers (Ray Data's actors, agents, idle)"), ("raylet", "ray raylet, gcs"),
         ("gcs_server", "ray raylet, gcs"), ("ray", "ray's own workers (Ray Data's actors, agents, idle)"),
         ("forkserver", "local pool (forkserver, workers)"), ("multiprocessing", "local pool (forkserver, workers)")]


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / HZ


INGEST = "ingest process (reading, storing; Ray's driver and load)"
OTHER = "other"


def _role(pid: int, root: int) -> str:
    if pid == root:
        return INGEST
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return OTHER
    return next((role for key, role in ROLES if key in cmd), OTHER)


def _rank(role: str) -> int:
    """The most telling role a process ever showed wins: a Ray worker is IDLE before and after
    its task, and shows the raylet's command line until it execs."""
    roles = [INGEST] + [r for _, r in ROLES]
    return roles.index(role) if role in roles else len(roles)


def run(engine: str, warc: Path, tmp: Path, workers: int) -> tuple[float, dict[str, float]]:
    cmd = [PRESSLENS, "ingest", str(warc), "--db", str(tmp / f"{engine}.duckdb"), "-q", "--engine", engine,
           "--workers", str(workers)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last: dict[int, tuple[str, float]] = {}
    while proc.poll() is None:
        stats = {p: s for p in map(int, filter(str.isdigit, os.listdir("/proc"))) if (s := _stat(p))}
        for pid in descendants({p: s[0] for p, s in stats.items()}, proc.pid):
            role = _role(pid, proc.pid)
            if pid in last and _rank(last[pid][0]) < _rank(role):
                role = last[pid][0]
            last[pid] = (role, stats[pid][1])
        time.sleep(0.25)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode})")
    by_role: dict[str, float] = collections.Counter()
    for role, cpu in last.values():
        by_role[role] += cpu
    return wall, dict(by_role)


def _read_cpu(warc: Path) -> float:
    """CPU seconds of `distributed.read_unit` over `warc` in this process (a warm-up read first:
    the language model and the extractor load once)."""
    import numpy as np

    from presslens.corpus.distributed import read_unit

    unit = {"path": str(warc), "done": [], "cwd": os.getcwd(), "input_format": None, "mapping": {}}
    next(read_unit(unit, np.array([], dtype=np.uint64)))
    t0 = time.process_time()
    sum(1 for _ in read_unit(unit, np.array([], dtype=np.uint64)))
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--paragraphs", type=int, default=6)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--engines", default="local,ray")
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs, load average "
          f"{load[0]:.1f} at the start; {args.articles} articles, --workers {args.workers}")
    with tempfile.TemporaryDirectory(prefix="presslens-cpu-") as tmp:
        tmp = Path(tmp)
        warc = tmp / "CC-NEWS-bench.warc.gz"
        write_warc(warc, args.articles, args.paragraphs)
        print(f"read_unit in this process (a Ray reading task's work, without Ray): {_read_cpu(warc):.1f} CPU s")
        for engine in args.engines.split(","):
            wall, by_role = run(engine, warc, tmp, args.workers)
            print(f"{engine}: wall {wall:.1f} s, CPU {sum(by_role.values()):.1f} s")
            for role, cpu in sorted(by_role.items(), key=lambda kv: -kv[1]):
                print(f"  {cpu:7.1f} s  {role}")


if __name__ == "__main__":
    main()
