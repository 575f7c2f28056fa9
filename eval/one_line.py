"""PolNeAR dev as web pages often give it: every article on one line.

Each dev article's line breaks (and the spaces around them) become one space, presslens
analyzes that text, and the statements' offsets are mapped back onto the original text, so the
shared scorer grades them against the same gold as the paragraphed articles:

    python eval/one_line.py --pipeline default [--polnear ../shared/data/polnear] [-o out/one-line.jsonl]

It prints the scorer's report for the paragraphed articles and for the one-line ones, from the
same run. Nothing of PolNeAR is kept: the output goes to `-o` (default: a temporary file).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

from dev_scores import POLNEAR, SCORER, print_scores  # this folder is on sys.path when a script of it runs

BREAK = re.compile(r"[ \t]*\n\s*")


def one_line(text: str) -> tuple[str, list[int]]:
    """The text with each line break run made one space, and for each of its characters (and its
    end) the offset of that character in `text`."""
    out, where, last = [], [], 0
    for m in BREAK.finditer(text):
        out.append(text[last:m.start()])
        where.extend(range(last, m.start()))
        if m.end() < len(text) and m.start() > 0:
            out.append(" ")
            where.append(m.start())
        last = m.end()
    out.append(text[last:])
    where.extend(range(last, len(text)))
    where.append(len(text))
    return "".join(out), where


def remap(doc: dict, where: list[int], original: str) -> dict:
    def spans(pairs):
        return [[where[s], where[e - 1] + 1] for s, e in pairs if e > s]

    statements = [{**st, **{k: spans(st[k]) for k in ("content", "source", "cue") if k in st}}
                  for st in doc["statements"]]
    return {"id": doc["id"], "text": original, "statements": statements}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--polnear", default=POLNEAR)
    ap.add_argument("--scorer", default=SCORER)
    ap.add_argument("--pipeline", default="default")
    ap.add_argument("-o", "--output", help="the one-line predictions, offsets on the original texts")
    args = ap.parse_args(argv)

    from presslens import Options, Record, analyze_many

    folder = Path(args.polnear) / "data" / "dev" / "text"
    files = sorted(folder.glob("*.txt"))
    texts = {f.stem: f.read_text(encoding="utf-8") for f in files}
    lines = {k: one_line(t) for k, t in texts.items()}
    tmp = Path(tempfile.mkdtemp())
    paragraphed, flat = tmp / "paragraphed.jsonl", Path(args.output) if args.output else tmp / "one-line.jsonl"
    options = Options(pipeline=args.pipeline)
    with paragraphed.open("w", encoding="utf-8") as out:
        for art in analyze_many([Record(id=k, text=t) for k, t in texts.items()], options):
            out.write(json.dumps({"id": art.id, "statements": art.to_dict()["statements"]}) + "\n")
    with flat.open("w", encoding="utf-8") as out:
        for art in analyze_many([Record(id=k, text=lines[k][0]) for k in texts], options):
            out.write(json.dumps(remap(art.to_dict(), lines[art.id][1], texts[art.id])) + "\n")
    for name, pred in (("paragraphed", paragraphed), ("one line", flat)):
        print_scores(f"PolNeAR dev, {name}, --pipeline {args.pipeline}", pred, scorer=args.scorer, polnear=args.polnear)
    return 0


if __name__ == "__main__":
    sys.exit(main())
