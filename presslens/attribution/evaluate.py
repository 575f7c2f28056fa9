"""Breakdowns of a PolNeAR evaluation: per publisher, per kind, and confidence calibration.

The headline figures come from `../shared/eval/attribution_score.py` itself (`make eval`); this
module imports that scorer (path given) so every breakdown uses the very same matching.

    python -m presslens.attribution.evaluate --polnear ../shared/data/polnear --split dev \\
        --pred out/polnear-dev.jsonl --scorer ../shared/eval/attribution_score.py
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from collections import defaultdict

_QUOTES = "\"\u201c\u201d"


def load_scorer(path: str):
    spec = importlib.util.spec_from_file_location("attribution_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kind_of(text: str, content: list, S) -> str:
    """direct / mixed / indirect from the quotation marks around the content's words."""
    toks = S.word_tokens(text)
    words = S.token_set(toks, content)
    quoted = set()
    for m in S._QUOTED.finditer(text):
        quoted |= S.token_set(toks, [m.span()])
    inside = len(words & quoted)
    if words and inside == len(words):
        return "direct"
    return "mixed" if inside else "indirect"


def e2e_correct(S, text, gold, pred) -> list[bool]:
    """For each prediction: does it match a gold statement (partial) with the right speaker?
    Same greedy one-to-one matching as the scorer."""
    toks = S.word_tokens(text)
    g = [(S.token_set(toks, q["content"]), S.token_set(toks, q.get("source") or [])) for q in gold]
    p = [(S.token_set(toks, q["content"]), S.token_set(toks, q.get("source") or [])) for q in pred]
    pairs = []
    for i, (gc, _) in enumerate(g):
        for j, (pc, _) in enumerate(p):
            inter = len(gc & pc)
            if gc and pc and inter and inter / len(gc | pc) >= 0.5:
                pairs.append((inter / len(gc | pc), i, j))
    pairs.sort(reverse=True)
    used_g, out = set(), [False] * len(p)
    used_p = set()
    for _, i, j in pairs:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        gs, ps = g[i][1], p[j][1]
        out[j] = (not gs and not ps) or bool(gs & ps)
    return out


def calibration_data(polnear: str, split: str, pred_path: str, scorer: str):
    """(raw confidence, e2e correct) for every predicted statement."""
    S = load_scorer(scorer)
    preds = {}
    with open(pred_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                o = json.loads(line)
                preds[str(o["id"])] = o.get("statements") or []
    xs, ys, names = [], [], []
    for name, text, gold, _direct, *_ in S.load_gold(polnear, split):
        pred = preds.get(name, [])
        for st, ok in zip(pred, e2e_correct(S, text, gold, pred)):
            xs.append(float(st.get("confidence", 1.0)))
            ys.append(int(ok))
            names.append(name)
    return xs, ys, names


def breakdowns(polnear: str, split: str, pred_path: str, scorer: str) -> dict:
    S = load_scorer(scorer)
    import csv
    import os

    with open(os.path.join(polnear, "data", "metadata.tsv"), encoding="utf-8") as f:
        publisher = {r["filename"]: r["publisher"] for r in csv.DictReader(f, delimiter="\t")}
    preds = {}
    with open(pred_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                o = json.loads(line)
                preds[str(o["id"])] = o.get("statements") or []
    by_pub, by_kind = defaultdict(list), defaultdict(list)
    bins = defaultdict(lambda: [0, 0, 0.0])  # statements, e2e correct, sum of confidence
    brier = []
    for name, text, gold, _direct, *_ in S.load_gold(polnear, split):
        pred = preds.get(name, [])
        by_pub[publisher.get(name, "?")].append((text, gold, pred))
        for k in ("direct", "mixed", "indirect"):
            by_kind[k].append((text, [q for q in gold if kind_of(text, q["content"], S) == k],
                               [q for q in pred if kind_of(text, q["content"], S) == k]))
        for st, ok in zip(pred, e2e_correct(S, text, gold, pred)):
            conf = float(st.get("confidence", 1.0))
            b = min(int(conf * 10), 9)
            bins[b][0] += 1
            bins[b][1] += ok
            bins[b][2] += conf
            brier.append((conf - ok) ** 2)
    total = sum(n for n, _, _ in bins.values()) or 1
    return {
        "publisher": {k: S.score(v) for k, v in sorted(by_pub.items())},
        "kind": {k: S.score(v) for k, v in by_kind.items()},
        "calibration": {f"{b / 10:.1f}-{(b + 1) / 10:.1f}": {"n": n, "mean_confidence": c / n, "e2e_precision": ok / n}
                        for b, (n, ok, c) in sorted(bins.items())},
        # expected calibration error over the 10 bins, and the Brier score of `confidence`
        "ece": sum(abs(c / n - ok / n) * n / total for n, ok, c in bins.values()),
        "brier": sum(brier) / len(brier) if brier else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--polnear", required=True)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--pred", required=True)
    ap.add_argument("--scorer", required=True, help="path to attribution_score.py")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out = breakdowns(args.polnear, args.split, args.pred, args.scorer)
    if args.json:
        print(json.dumps(out, indent=1))
        return
    pct = lambda x: f"{100 * x:5.1f}"  # noqa: E731
    print("| group | gold | pred | content partial F1 | content exact F1 | speaker acc | e2e F1 |")
    print("|---|---|---|---|---|---|---|")
    for section in ("publisher", "kind"):
        for k, m in out[section].items():
            print(f"| {section}: {k} | {m['gold']} | {m['pred']} | {pct(m['content_partial_f1'])} | "
                  f"{pct(m['content_exact_f1'])} | {pct(m['speaker_acc'])} | {pct(m['e2e_f1'])} |")
    print("\n| confidence | statements | mean confidence | e2e precision |")
    print("|---|---|---|---|")
    for k, v in out["calibration"].items():
        print(f"| {k} | {v['n']} | {v['mean_confidence']:.2f} | {pct(v['e2e_precision'])} |")
    print(f"\nexpected calibration error {out['ece']:.3f} (10 bins), Brier score {out['brier']:.3f}")


if __name__ == "__main__":
    main()
