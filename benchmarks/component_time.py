#!/usr/bin/env python3
"""CPU seconds of each pipeline component on PolNeAR dev, against spaCy's own components.

    python benchmarks/component_time.py [--articles N] [--pipeline default|fast|encoder]

Tokenizes the first N dev articles, then runs each component's `pipe` over all of them in
turn, in one process, and prints its CPU time and its share of spaCy's components together.
Where the time goes, not the budget (benchmarks/analyze_speed.py times whole processes).
The components are those of presslens's pipeline: its `attribute_ruler` and `lemmatizer` rows
are the array versions of spaCy's (presslens/pipeline/rules.py), not spaCy's own.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "data" / "dev" / "text"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--pipeline", default="default")
    args = parser.parse_args()

    from presslens.pipeline import build

    nlp = build.load(pipeline=args.pipeline)
    texts = [p.read_text(encoding="utf-8") for p in sorted(POLNEAR_DEV.glob("*.txt"))[: args.articles]]
    t = time.process_time()
    docs = [build.make_doc(nlp, text) for text in texts]
    times = {"tokenizer": time.process_time() - t}
    for doc in docs:
        doc._.published = None
    for name, proc in nlp.pipeline:
        t = time.process_time()
        docs = list(proc.pipe(docs, batch_size=16)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
        times[name] = time.process_time() - t
    spacy_total = sum(v for k, v in times.items() if not k.startswith("presslens"))
    print(f"{len(texts)} PolNeAR dev articles, --pipeline {args.pipeline}; CPU seconds, share of spaCy's components")
    for name, seconds in times.items():
        print(f"  {name:26s} {seconds:6.2f} s  {seconds / spacy_total:5.2f}x")
    extra = sum(v for k, v in times.items() if k.startswith("presslens"))
    print(f"  spaCy {spacy_total:.2f} s, presslens {extra:.2f} s ({extra / spacy_total:.2f}x)")


if __name__ == "__main__":
    main()
