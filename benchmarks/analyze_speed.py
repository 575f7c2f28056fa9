#!/usr/bin/env python3
"""Words per second of presslens against bare spaCy on the same texts, with peak memory.

    python benchmarks/analyze_speed.py [PATH ...] [--model NAME] [--batch-size N] [--pipelines fast,default]

Default texts: the PolNeAR dev articles (../shared/data/polnear/data/dev/text) when present,
else samples/news. Each side runs in its own subprocess, so peak memory (max RSS) is its own:

  bare       spacy.load(model) and `nlp.pipe(texts, batch_size)`: the floor
  fast, default, accurate, encoder
             what `presslens analyze PATH -o FILE --pipeline P` does: read the inputs,
             `analyze_many` (tokenizer patch, presslens components, conversion), write jsonl

Two ratios against bare spaCy: `whole` compares the wall time of the whole processes (start,
load, run, exit: what a user waits for), `run` the analysis alone (load time excluded). The
sides alternate for `--rounds` rounds and the median of each is kept, so that other work on
the machine disturbs the ratio less. The figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "data" / "dev" / "text"
_WORD = re.compile(r"\w+")
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def _texts(paths: list[str]) -> list[str]:
    from presslens.inputs import iter_records
    from presslens.types import Record

    return [r.text for r in iter_records(paths) if isinstance(r, Record)]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child(side: str, paths: list[str], model: str | None, batch_size: int) -> dict:
    started = time.perf_counter()
    texts = _texts(paths)
    words = sum(len(_WORD.findall(t)) for t in texts)
    if side == "bare":
        import spacy

        from presslens.pipeline.build import default_model

        nlp = spacy.load(model or default_model())
        loaded = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass
    else:
        from presslens.analyze import Options, analyze_many
        from presslens.inputs import iter_records
        from presslens.output import Writer
        from presslens.pipeline.build import load

        options = Options(model=model, batch_size=batch_size, pipeline=side)
        nlp = load(options.model, pipeline=side)
        loaded = time.perf_counter()
        with open(os.devnull, "w", encoding="utf-8") as sink, Writer(sink, "jsonl") as writer:
            for article in analyze_many(iter_records(paths), options, nlp):
                writer.write(article)
    done = time.perf_counter()
    return {
        "side": side,
        "texts": len(texts),
        "words": words,
        "load_s": round(loaded - started, 2),
        "run_s": round(done - loaded, 2),
        "words_per_s": round(words / (done - loaded)),
        "peak_mib": round(_peak_mib()),
        "model": f"{nlp.meta['lang']}_{nlp.meta['name']}-{nlp.meta['version']}",
    }


def main() -> int:
    import statistics

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--model", default=None)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per side; the median counts")
    parser.add_argument("--pipelines", default="fast,default,accurate,encoder", help="presslens pipelines to time, comma-separated")
    parser.add_argument("--child", choices=["bare", "fast", "default", "accurate", "encoder"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    paths = args.paths or [str(POLNEAR_DEV if POLNEAR_DEV.exists() else ROOT / "samples" / "news")]
    if args.child:
        print(json.dumps(child(args.child, paths, args.model, args.batch_size)))
        return 0
    sides = ["bare", *args.pipelines.split(",")]
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    for _ in range(args.rounds):
        for side in sides:
            cmd = [sys.executable, __file__, "--child", side, "--batch-size", str(args.batch_size), *paths]
            if args.model:
                cmd += ["--model", args.model]
            env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
            t0 = time.perf_counter()
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
            result = json.loads(out.strip().splitlines()[-1])
            result["whole_s"] = time.perf_counter() - t0
            runs[side].append(result)
    med = {side: dict(rs[0]) | {k: statistics.median(r[k] for r in rs) for k in ("whole_s", "run_s", "load_s", "peak_mib")}
           for side, rs in runs.items()}
    import spacy

    from presslens import __version__

    bare = med["bare"]
    print(f"texts: {', '.join(paths)} ({bare['texts']} articles, {bare['words']:,} words)")
    print(f"model: {bare['model']}; batch size {args.batch_size}; spaCy {spacy.__version__}; presslens {__version__}; "
          f"Python {platform.python_version()}; {os.cpu_count()} CPUs; median of {args.rounds} alternating runs; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'':10} {'whole s':>8} {'run s':>7} {'load s':>7} {'words/s':>9} {'peak MiB':>9} {'whole x':>8} {'run x':>6}")
    for side in sides:
        r = med[side]
        print(f"{side:10} {r['whole_s']:>8.2f} {r['run_s']:>7.2f} {r['load_s']:>7.2f} {round(r['words'] / r['run_s']):>9,} "
              f"{round(r['peak_mib']):>9} {r['whole_s'] / bare['whole_s']:>7.2f}x {r['run_s'] / bare['run_s']:>5.2f}x")
    print("target: the default pipeline at most 1.5x bare spaCy (whole processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
