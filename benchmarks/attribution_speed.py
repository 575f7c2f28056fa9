"""Speed of `presslens analyze` with attribution on, against bare spaCy `nlp.pipe`.

Same model, same texts, one process, measured in one run (the ratio is what counts: absolute
figures move with the machine), in CPU seconds of the process; run with OMP_NUM_THREADS=1.
Texts: PolNeAR dev when present (never copied anywhere), else the bundled samples. Prints words/s for each system and the ratios.

    PYTHONPATH=. python benchmarks/attribution_speed.py [--repeat 2] [--pipelines fast,default,accurate,encoder]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import spacy

from presslens import Options, Record, analyze_many
from presslens.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "data" / "dev" / "text"
WORD = re.compile(r"\w+")


def texts() -> list[str]:
    folder = POLNEAR_DEV if POLNEAR_DEV.exists() else ROOT / "samples" / "news"
    return [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.txt"))]


def timed(fn, repeat: int) -> float:
    """Best CPU seconds of this process over `repeat` runs. CPU time, not wall time: on a shared
    machine other jobs stretch wall time unevenly, while the CPU time a pass needs is stable."""
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=2, help="runs per system; the fastest counts")
    ap.add_argument("--pipelines", default="fast,default,accurate,encoder", help="presslens pipelines to time, comma-separated")
    args = ap.parse_args()
    docs = texts()
    words = sum(len(WORD.findall(t)) for t in docs)
    model = build.default_model()
    bare = spacy.load(model)
    no_attr = build.load(model, tuple(f for f, _ in build.COMPONENTS if f != "presslens_attribution_v1"))
    records = [Record(id=str(i), text=t) for i, t in enumerate(docs)]
    results = {
        "bare spaCy nlp.pipe": timed(lambda: list(bare.pipe(docs, batch_size=16)), args.repeat),
        "presslens analyze, attribution off": timed(lambda: list(analyze_many(records, Options(), nlp=no_attr)), args.repeat),
    }
    for pipeline in args.pipelines.split(","):
        full = build.load(model, pipeline=pipeline)
        results[f"presslens analyze --pipeline {pipeline}"] = timed(
            lambda: list(analyze_many(records, Options(pipeline=pipeline), nlp=full)), args.repeat)
    base = results["bare spaCy nlp.pipe"]
    print(f"{len(docs)} texts, {words} words, model {model}")
    for name, sec in results.items():
        print(f"{name:42s} {sec:7.2f} CPU s  {words / sec:8,.0f} words/CPU s  x{sec / base:.2f}")
    for pipeline in args.pipelines.split(","):
        attr_only = results[f"presslens analyze --pipeline {pipeline}"] - results["presslens analyze, attribution off"]
        print(f"{'attribution component alone, ' + pipeline:42s} {attr_only:7.2f} CPU s  x{attr_only / base:.2f} of bare spaCy")


if __name__ == "__main__":
    main()
