#!/usr/bin/env python3
"""Words per second of presslens against bare spaCy on the same texts, with peak memory.

    python benchmarks/analyze_speed.py [PATH ...] [--model NAME] [--batch-size N]

Default texts: the PolNeAR dev articles (../shared/data/polnear/data/dev/text) when present,
else samples/news. Each side runs in its own subprocess, so peak memory (max RSS) is its own:

  bare       spacy.load(model) and `nlp.pipe(texts, batch_size)`: the floor
  presslens  what `presslens analyze PATH -o FILE` does: read the inputs, `analyze_many`
             (tokenizer patch, presslens components, conversion) and write jsonl

Load time is reported apart and excluded from words/s. The sides alternate for `--rounds`
rounds and the fastest run of each is kept, so that other work on the machine disturbs the
ratio less. The figures go to docs/performance.md.
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
    from presslens.models import Record

    return [r.text for r in iter_records(paths) if isinstance(r, Record)]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child(side: str, paths: list[str], model: str | None, batch_size: int) -> dict:
    texts = _texts(paths)
    words = sum(len(_WORD.findall(t)) for t in texts)
    started = time.perf_counter()
    if side == "bare":
        import spacy

        from presslens.nlp import default_model

        nlp = spacy.load(model or default_model())
        loaded = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass
    else:
        from presslens.analyze import Options, analyze_many
        from presslens.inputs import iter_records
        from presslens.nlp import load
        from presslens.output import Writer

        options = Options(model=model, batch_size=batch_size)
        nlp = load(options.model)
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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--model", default=None)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs per side; the fastest counts")
    parser.add_argument("--child", choices=["bare", "presslens"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    paths = args.paths or [str(POLNEAR_DEV if POLNEAR_DEV.exists() else ROOT / "samples" / "news")]
    if args.child:
        print(json.dumps(child(args.child, paths, args.model, args.batch_size)))
        return 0
    results: dict[str, dict] = {}
    for side in ("bare", "presslens") * args.rounds:
        cmd = [sys.executable, __file__, "--child", side, "--batch-size", str(args.batch_size), *paths]
        if args.model:
            cmd += ["--model", args.model]
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
        result = json.loads(out.strip().splitlines()[-1])
        if side not in results or result["run_s"] < results[side]["run_s"]:
            results[side] = result
    bare, ours = results["bare"], results["presslens"]
    import spacy

    from presslens import __version__

    print(f"texts: {', '.join(paths)} ({bare['texts']} articles, {bare['words']:,} words)")
    print(f"model: {bare['model']}; batch size {args.batch_size}; spaCy {spacy.__version__}; presslens {__version__}; "
          f"Python {platform.python_version()}; {os.cpu_count()} CPUs; best of {args.rounds} alternating runs")
    print(f"{'':10} {'words/s':>9} {'run s':>7} {'load s':>7} {'peak MiB':>9}")
    for r in (bare, ours):
        print(f"{r['side']:10} {r['words_per_s']:>9,} {r['run_s']:>7} {r['load_s']:>7} {r['peak_mib']:>9}")
    ratio = ours["run_s"] / bare["run_s"]
    print(f"presslens costs {ratio:.2f}x bare spaCy (target: at most 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
