"""The default pipeline's second opinion, cut by cut, on PolNeAR dev.

The stacked tagger adds a statement that the encoder alone finds when none of its own touches
that content and the encoder's judge gives it at least `tagger.SECOND_OPINION` (0.5). This
script analyzes dev twice: the stacked tagger without the second opinion, and `--pipeline
encoder`. It then adds the encoder's statements to the stacked ones at each cut, as the engine
does, and scores every union with the shared scorer:

    python eval/second_opinion.py [--polnear ../shared/data/polnear] [--cuts 0,0.4,0.5,0.6,0.7]

The engine tests overlap on content tokens and this script on characters. At 0.5 it gives
`make eval`'s figures for `default`. Nothing of PolNeAR is kept: the files go to a temporary
folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from dev_scores import POLNEAR, SCORER, print_scores  # this folder is on sys.path when a script of it runs


def _chars(statement: dict) -> set[int]:
    return {i for s, e in statement["content"] for i in range(s, e)}


def union(stacked: dict, encoder: dict, cut: float) -> tuple[dict, int]:
    """`stacked` with each of `encoder`'s statements at confidence >= `cut` whose content no
    statement taken so far touches; and how many were added."""
    taken = set().union(*map(_chars, stacked["statements"])) if stacked["statements"] else set()
    extra = []
    for st in encoder["statements"]:
        chars = _chars(st)
        if st["confidence"] >= cut and not chars & taken:
            extra.append(st)
            taken |= chars
    return {**stacked, "statements": stacked["statements"] + extra}, len(extra)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--polnear", default=POLNEAR)
    ap.add_argument("--scorer", default=SCORER)
    ap.add_argument("--cuts", default="0,0.4,0.5,0.6,0.7")
    args = ap.parse_args(argv)

    from presslens import Options, Record, analyze_many
    from presslens.pipeline import build

    files = sorted((Path(args.polnear) / "data" / "dev" / "text").glob("*.txt"))
    records = [Record(id=f.stem, text=f.read_text(encoding="utf-8")) for f in files]
    outputs = {}
    for name in ("default", "encoder"):
        nlp = build.load(pipeline=name)
        attributor = nlp.get_pipe("presslens_attribution_v2").attributor
        second, attributor.second = attributor.second, None  # the stacked tagger alone
        try:
            outputs[name] = {a.id: a.to_dict() for a in analyze_many(records, Options(pipeline=name), nlp=nlp)}
        finally:
            attributor.second = second
    tmp = Path(tempfile.mkdtemp())
    runs = [("none (the stacked tagger alone)", outputs["default"], 0)]
    for cut in (float(c) for c in args.cuts.split(",")):
        pairs = [union(outputs["default"][k], outputs["encoder"][k], cut) for k in outputs["default"]]
        runs.append((f"cut {cut}", {d["id"]: d for d, _ in pairs}, sum(n for _, n in pairs)))
    for k, (name, docs, added) in enumerate(runs):
        pred = tmp / f"run{k}.jsonl"
        pred.write_text("".join(json.dumps(d) + "\n" for d in docs.values()), encoding="utf-8")
        print_scores(f"{name}: {added} statements added", pred, scorer=args.scorer, polnear=args.polnear)
    return 0


if __name__ == "__main__":
    sys.exit(main())
