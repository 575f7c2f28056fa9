"""What a process pays before its first article: importing presslens and loading a pipeline.

Every `presslens` command, every ingest worker (its forkserver) and every Ray actor pays it, so
it sets how fast a small job or a fresh actor starts. Each round runs one fresh interpreter per
pipeline, alternating, and reports the median of the rounds, with the heavy libraries the load
imported (a library imported for nothing shows up here).

    python benchmarks/load_time.py [--pipelines fast,default] [--rounds 5]

Run it with each install's own python (a runtime install, `pip install presslens`, imports
less than a development one: torch and scikit-learn are there only with the train extra).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from presslens.pipeline import build
t1 = time.perf_counter()
build.load(pipeline=sys.argv[1])
t2 = time.perf_counter()
heavy = [m for m in ("torch", "sklearn", "lightgbm", "scipy", "onnxruntime", "pycrfsuite") if m in sys.modules]
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "heavy": heavy}))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pipelines", default="fast,default")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    pipelines = args.pipelines.split(",")
    runs: dict[str, list[dict]] = {p: [] for p in pipelines}
    for _ in range(args.rounds):
        for p in pipelines:
            out = subprocess.run([sys.executable, "-c", CHILD, p], capture_output=True, text=True, check=True,
                                 env={**os.environ, "PYTHONWARNINGS": "ignore"})
            runs[p].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"python {sys.version.split()[0]}; {os.cpu_count()} CPUs; median of {args.rounds} fresh processes; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'pipeline':10} {'import s':>9} {'load s':>7} {'total s':>8}  imported")
    for p, rs in runs.items():
        imp, load = statistics.median(r["import"] for r in rs), statistics.median(r["load"] for r in rs)
        total = statistics.median(r["import"] + r["load"] for r in rs)
        print(f"{p:10} {imp:9.2f} {load:7.2f} {total:8.2f}  {', '.join(rs[-1]['heavy'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
