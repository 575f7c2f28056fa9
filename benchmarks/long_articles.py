#!/usr/bin/env python3
"""Analysis time against article length: is the work per character flat as an article grows?

    python benchmarks/long_articles.py [--sizes 500,1000,2000,4000] [--pipeline default] [--patterns pronoun,named]

Each pattern is one invented sentence (or paragraph) repeated N times into one article, which
`analyze_many` analyzes alone, in one process, with the CPU time of the whole call measured
(`time.process_time`). The patterns stress what grows with an article: speakers with no
antecedent ("He said ..."), named speakers, role nouns ("the Hezbollah official"), relays,
partial quotes, one paragraph per sentence, and quotations never closed. Printed per pattern:
the CPU seconds at each size and the ratio of the largest size's time per sentence to the
smallest's (1.0: linear; a quadratic step doubles it at each doubling of N). Long articles are
analyzed in parts of `--max-chars` (100,000), as `presslens analyze` does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

PATTERNS = {
    "pronoun": "He said the plan works. ",
    "named": "Senator John Smith{i} told reporters that taxes were too high. ",
    "role": "The Hezbollah official, he added, said the talks failed. ",
    "relay": "The minister said the deal was dead, according to Press TV. ",
    "partial": 'She denounced it as "a betrayal of Palestine" on Tuesday. ',
    "paragraphs": "He said the plan works.\n\n",
    "open quote": '"We will win, ',
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="500,1000,2000,4000", help="sentences per article, comma-separated")
    parser.add_argument("--pipeline", default="default")
    parser.add_argument("--max-chars", type=int, default=100_000)
    parser.add_argument("--patterns", default=",".join(PATTERNS), help="which patterns, comma-separated")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    patterns = {name: PATTERNS[name] for name in args.patterns.split(",")}

    from presslens import Options, Record, analyze_many
    from presslens.pipeline import build

    nlp = build.load(pipeline=args.pipeline)
    options = Options(pipeline=args.pipeline, max_chars=args.max_chars, time_budget=None)
    next(analyze_many([Record(id="warm", text=PATTERNS["named"].format(i=0))], options, nlp=nlp))
    print(f"pipeline {args.pipeline}; CPU seconds of analyze_many per article of N sentences; "
          f"parts of at most {args.max_chars:,} characters")
    print(f"{'pattern':12s}" + "".join(f"{'N=' + format(n, ','):>10s}" for n in sizes) + f"{'chars at max':>14s}"
          + f"{'per-sentence ratio':>20s}")
    for name, pattern in patterns.items():
        row = []
        for n in sizes:
            text = "".join(pattern.format(i=i) for i in range(n))
            started = time.process_time()
            article = next(analyze_many([Record(id=name, text=text)], options, nlp=nlp))
            row.append(time.process_time() - started)
            assert article.text == text
        ratio = (row[-1] / sizes[-1]) / (row[0] / sizes[0])
        print(f"{name:12s}" + "".join(f"{t:10.2f}" for t in row) + f"{len(text):14,d}" + f"{ratio:20.2f}")


if __name__ == "__main__":
    main()
