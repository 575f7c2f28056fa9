"""Breakdowns of a PolNeAR evaluation: per publisher, per kind, per cue type, and calibration.

The headline figures come from `../shared/eval/attribution_score.py` itself (`make eval`); this
module imports that scorer (path given) so every breakdown uses the very same matching.

    python -m presslens.pipeline.attribution.evaluate --polnear ../shared/data/polnear --split dev \\
        --pred out/polnear-dev.jsonl --scorer ../shared/eval/attribution_score.py
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from collections import defaultdict

from .judge import speaker_matches

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


# Cue types, read off the gold cue's words (a word-list heuristic: PolNeAR does not label them).
# The first matching type wins, in this order.
_IRREGULAR = {"said": "say", "told": "tell", "wrote": "write", "written": "write", "spoke": "speak", "thought": "think",
              "felt": "feel", "knew": "know", "known": "know", "saw": "see", "seen": "see", "understood": "understand",
              "found": "find", "sang": "sing", "sung": "sing", "learnt": "learn", "put": "put", "laid": "lay"}
CUE_TYPES = {
    "according-to": {"according", "per"},
    "say-verb": {"say", "tell", "add", "state", "write", "ask", "note", "explain", "speak", "reply", "respond", "tweet",
                 "post", "quote", "report", "announce", "declare", "testify", "remark", "comment", "answer", "recall",
                 "cite", "mention", "continue", "discuss", "reveal", "disclose", "release", "publish", "detail",
                 "reference", "document", "sing", "chant", "put", "lay", "present", "address"},
    "speech act": {"urge", "warn", "deny", "accuse", "call", "insist", "argue", "claim", "suggest", "admit", "promise",
                   "vow", "threaten", "praise", "criticize", "criticise", "slam", "blast", "blame", "complain", "demand",
                   "confirm", "describe", "predict", "acknowledge", "concede", "reject", "dismiss", "defend", "question",
                   "charge", "allege", "recommend", "assert", "contend", "maintain", "attack", "mock", "joke", "boast",
                   "brag", "pledge", "propose", "point", "stress", "emphasize", "emphasise", "hint", "order", "label",
                   "dub", "brand", "rip", "hammer", "lament", "decry", "condemn", "denounce", "applaud", "welcome",
                   "decline", "refuse", "endorse", "encourage", "echo", "liken", "dispute", "offer", "back", "promote",
                   "rule", "unleash", "seek", "allow"},
    "attitude": {"believe", "think", "hope", "fear", "feel", "want", "expect", "worry", "know", "agree", "doubt",
                 "wonder", "see", "consider", "view", "prefer", "like", "trust", "suspect", "assume", "understand",
                 "realize", "realise", "recognize", "recognise", "intend", "plan", "wish", "support", "oppose", "find",
                 "conclude", "estimate", "show", "indicate", "mean", "seem", "decide", "learn", "rate", "sure",
                 "illustrate", "imply", "implication", "presumably", "outlook"},
    "noun": {"statement", "poll", "survey", "remarks", "view", "belief", "warning", "accusation", "allegation",
             "speech", "interview", "announcement", "letter", "message", "memo", "study", "analysis", "data",
             "criticism", "argument", "opinion", "assessment", "findings", "testimony", "concern", "idea", "notion",
             "position", "stance", "view", "suggestion", "question", "response", "reply", "comment", "comments",
             "claim", "claims", "fears", "hopes", "report", "reports", "tweet", "tweets", "rhetoric", "message"},
}


def _base(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for cut, add in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""), ("d", "")):
        if word.endswith(cut) and len(word) > len(cut) + 2:
            stem = word[: -len(cut)] + add
            if any(stem in v for v in CUE_TYPES.values()):
                return stem
    return word


def cue_type(words: list[str]) -> str:
    """The cue type of a gold cue from its lower-cased words ("according to" first, then verbs
    by kind, then nouns); "other" when no list knows it."""
    if any(w in CUE_TYPES["according-to"] for w in words):
        return "according-to"
    bases = [_base(w) for w in words]
    for kind in ("say-verb", "speech act", "attitude"):
        # a noun cue ("his statement") is found below; verbs are the words that are not nouns
        if any(b in CUE_TYPES[kind] and not (w in CUE_TYPES["noun"] and b == w) for w, b in zip(words, bases)):
            return kind
    if any(w in CUE_TYPES["noun"] or b in CUE_TYPES["noun"] for w, b in zip(words, bases)):
        return "noun"
    return "other"


def e2e_correct(S, text, gold, pred) -> list[bool]:
    """For each prediction: does it match a gold statement (partial) with the right speaker?
    Same greedy one-to-one matching as the scorer."""
    return _matches(S, text, gold, pred)[0]


def gold_found(S, text, gold, pred) -> list[bool]:
    """For each gold statement: is it matched (partial) by a prediction with the right speaker?"""
    return _matches(S, text, gold, pred)[1]


def _matches(S, text, gold, pred) -> tuple[list[bool], list[bool]]:
    toks = S.word_tokens(text)
    g = [(S.token_set(toks, q["content"]), S.token_set(toks, q.get("source") or [])) for q in gold]
    p = [(S.token_set(toks, q["content"]), S.token_set(toks, q.get("source") or [])) for q in pred]
    return speaker_matches(g, p)


def read_predictions(pred_path: str) -> dict[str, list]:
    """{article id: its statements} of a `presslens analyze` JSON Lines file."""
    preds = {}
    with open(pred_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                o = json.loads(line)
                preds[str(o["id"])] = o.get("statements") or []
    return preds


def calibration_data(polnear: str, split: str, pred_path: str, scorer: str):
    """(raw confidence, e2e correct) for every predicted statement."""
    S = load_scorer(scorer)
    preds = read_predictions(pred_path)
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

    from .polnear import read_split

    # the gold cue of each attribution, by its content (the scorer's view keeps no cues)
    cues = {}
    for art in read_split(polnear, split):
        for att in art.attributions:
            words = [w.lower() for s, e in att.cue for w in S._TOKEN.findall(art.text[s:e])]
            cues[(art.name, tuple(sorted(att.content)))] = cue_type(words)
    by_cue = defaultdict(lambda: [0, 0])  # gold, found end to end
    components = []
    with open(os.path.join(polnear, "data", "metadata.tsv"), encoding="utf-8") as f:
        publisher = {r["filename"]: r["publisher"] for r in csv.DictReader(f, delimiter="\t")}
    preds = read_predictions(pred_path)
    by_pub, by_kind = defaultdict(list), defaultdict(list)
    bins = defaultdict(lambda: [0, 0, 0.0])  # statements, e2e correct, sum of confidence
    brier = []
    for name, text, gold, _direct, gold_components in S.load_gold(polnear, split):
        pred = preds.get(name, [])
        by_pub[publisher.get(name, "?")].append((text, gold, pred))
        components.append((text, gold_components, pred))
        for q, ok in zip(gold, gold_found(S, text, gold, pred)):
            t = cues.get((name, tuple(sorted(tuple(x) for x in q["content"]))), "other")
            by_cue[t][0] += 1
            by_cue[t][1] += ok
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
        "cue": {k: {"gold": n, "e2e_recall": ok / n} for k, (n, ok) in sorted(by_cue.items(), key=lambda kv: -kv[1][0])},
        "components": S.score_components(components),
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
    print("\n| gold cue type | gold | e2e recall |")
    print("|---|---|---|")
    for k, v in out["cue"].items():
        print(f"| {k} | {v['gold']} | {pct(v['e2e_recall'])} |")
    m = out["components"]
    print("\n| component (exact) | P | R | F1 |")
    print("|---|---|---|---|")
    for role in ("source", "cue", "content"):
        print(f"| {role} | {pct(m[role + '_p'])} | {pct(m[role + '_r'])} | {pct(m[role + '_f1'])} |")
    pubs = [m["e2e_f1"] for m in out["publisher"].values()]
    print(f"\npublisher spread (e2e F1, max - min): {100 * (max(pubs) - min(pubs)):.1f} points")
    print("\n| confidence | statements | mean confidence | e2e precision |")
    print("|---|---|---|---|")
    for k, v in out["calibration"].items():
        print(f"| {k} | {v['n']} | {v['mean_confidence']:.2f} | {pct(v['e2e_precision'])} |")
    print(f"\nexpected calibration error {out['ece']:.3f} (10 bins), Brier score {out['brier']:.3f}")


if __name__ == "__main__":
    main()
