"""Score predictions on the second development set: PTC train articles annotated by hand.

The gold (`eval/ptc-dev/<id>.json`) is standoff: offsets, kinds and speaker names, never the
texts; the texts are read from the PTC corpus and checked against the stored sha256. Scoring
reuses the shared scorer's own functions (`score`, `score_components`, `quoted_segments`,
`line`), imported from the path given, with the gold adapted into the structures its
`load_gold` yields for PolNeAR, so the figures mean exactly what they mean on PolNeAR dev.

    python -m presslens.pipeline.attribution.ptc_eval --ptc ../shared/data/ptc --gold eval/ptc-dev \\
        --pred out/ptc-dev.jsonl --scorer ../shared/eval/attribution_score.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

from presslens.pipeline.attribution.evaluate import load_scorer

KINDS = ("direct", "mixed", "indirect")


class GoldError(ValueError):
    """A gold file that does not fit its text (wrong hash, span outside the text)."""


def record_id(gold_id: str) -> str:
    """presslens names a record after its file without `.txt`: `article<ID>`."""
    return f"article{gold_id}"


def load_gold(gold_dir: str | Path, ptc_root: str | Path) -> list[dict]:
    """Every gold file with its text; raises GoldError when a text's hash or length differs."""
    out = []
    files = sorted(Path(gold_dir).glob("*.json"))
    if not files:
        raise GoldError(f"no gold files (*.json) in {gold_dir}")
    for path in files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        text_path = Path(ptc_root) / "train-articles" / gold["file"]
        if not text_path.exists():
            raise GoldError(f"{path}: its text {text_path} is missing (is --ptc the PTC root?)")
        data = text_path.read_bytes()
        if hashlib.sha256(data).hexdigest() != gold["sha256"]:
            raise GoldError(f"{path}: {text_path} has another sha256 than the one annotated; "
                            "the offsets do not apply to this text")
        text = data.decode("utf-8")
        if len(text) != gold["chars"]:
            raise GoldError(f"{path}: {text_path} has {len(text)} characters, gold says {gold['chars']}")
        for n, att in enumerate(gold["attributions"]):
            for role in ("source", "cue", "content"):
                for s, e in att[role]:
                    if not 0 <= s < e <= len(text):
                        raise GoldError(f"{path}: attribution {n} {role} span [{s}, {e}] lies outside the text")
        gold["text"] = text
        out.append(gold)
    return out


def adapt(S, gold: dict) -> tuple[list, list, dict]:
    """One gold article as the shared scorer's load_gold yields a PolNeAR one: the attribution
    view, the direct view and the per-role component spans."""
    text = gold["text"]
    attribution, direct = [], []
    components = {"source": [], "cue": [], "content": []}
    for att in gold["attributions"]:
        for role in components:
            if att[role]:
                components[role].append([tuple(x) for x in att[role]])
        parts = {"source": [tuple(x) for x in att["source"]], "content": [tuple(x) for x in att["content"]]}
        if not parts["content"]:
            continue
        attribution.append(parts)
        direct.extend(S.quoted_segments(text, parts))
    return attribution, direct, components


def quoted_regions(text: str) -> list[tuple[int, int]]:
    """Quotation-mark regions for the kind of a statement; unlike the scorer's one-line regex,
    a region may run over line breaks (PTC keeps one sentence per line) and a straight quote at
    a line start opens a new region (a quotation reopened at each paragraph)."""
    out, start = [], None
    for i, ch in enumerate(text):
        if ch == "\n" and start is not None and text.startswith("\n\n", i):
            out.append((start, i))
            start = None
        elif ch == "\u201c" or (ch == '"' and (start is None or i == 0 or text[i - 1] == "\n")):
            if start is not None:
                out.append((start, i))
            start = i
        elif ch in "\u201d\"" and start is not None:
            out.append((start, i + 1))
            start = None
    if start is not None:
        out.append((start, len(text)))
    return out


def kind_of(S, text: str, content: list) -> str:
    """direct / mixed / indirect, the rule the gold files' `kind` was computed with."""
    toks = S.word_tokens(text)
    words = S.token_set(toks, content)
    inside = len(words & S.token_set(toks, quoted_regions(text)))
    if words and inside == len(words):
        return "direct"
    return "mixed" if inside else "indirect"


def read_predictions(path: str | Path) -> dict[str, dict]:
    preds = {}
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
                preds[str(obj["id"])] = obj
            except (ValueError, KeyError, TypeError) as e:
                raise GoldError(f"{path}:{n}: not a prediction object ({e})") from e
    return preds


def evaluate(ptc_root, gold_dir, pred_path, scorer) -> dict:
    """The scorer's result object (attribution, direct, components, problems) plus `kind`."""
    S = load_scorer(str(scorer))
    golds = load_gold(gold_dir, ptc_root)
    preds = read_predictions(pred_path)
    views = {"attribution": [], "direct": []}
    components, problems = [], Counter()
    by_kind = {k: [] for k in KINDS}
    for gold in golds:
        text = gold["text"]
        attribution, direct, gold_components = adapt(S, gold)
        obj = preds.pop(record_id(gold["id"]), None) or preds.pop(gold["id"], None)
        if obj is None:
            problems["missing articles"] += 1
            statements = []
        elif "text" in obj and obj["text"] != text:
            problems["text differs from the article (offsets unusable)"] += 1
            statements = []
        else:
            statements = obj.get("statements") or []
        views["attribution"].append((text, attribution, statements))
        views["direct"].append((text, direct, [q for st in statements for q in S.quoted_segments(text, st)]))
        components.append((text, gold_components, statements))
        for k in KINDS:
            g = [{"content": a["content"], "source": a["source"]} for a in gold["attributions"] if a["kind"] == k]
            p = [st for st in statements if kind_of(S, text, st.get("content") or []) == k]
            by_kind[k].append((text, g, p))
    if preds:
        problems["ids not in this set"] += len(preds)
    result = {view: S.score(docs) for view, docs in views.items()}
    result["components"] = S.score_components(components)
    result["kind"] = {k: S.score(docs) for k, docs in by_kind.items()}
    result["problems"] = dict(problems)
    result["articles"] = len(golds)
    return result


def report(S, result: dict) -> str:
    """The scorer's own lines (attribution, direct, components), then one line per kind."""
    lines = [S.line(view, result[view]) for view in ("attribution", "direct")]
    m = result["components"]
    lines.append("components  exact F1 " + " | ".join(
        f"{role} {100 * m[role + '_f1']:5.1f} (P {100 * m[role + '_p']:5.1f} R {100 * m[role + '_r']:5.1f}, gold {m[role + '_gold']})"
        for role in ("source", "cue", "content")))
    for k in KINDS:
        lines.append(S.line(f"  {k}", result["kind"][k]))
    for what, n in result["problems"].items():
        lines.append(f"warning: {n} {what}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ptc", required=True, help="PTC root (holds train-articles/)")
    ap.add_argument("--gold", default="eval/ptc-dev", help="folder of the standoff gold files")
    ap.add_argument("--pred", required=True, help="presslens JSON Lines output for the gold articles")
    ap.add_argument("--scorer", required=True, help="path to attribution_score.py")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = ap.parse_args(argv)
    try:
        result = evaluate(args.ptc, args.gold, args.pred, args.scorer)
    except (GoldError, OSError) as e:
        print(f"ptc_eval: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=1, sort_keys=True))
    else:
        print(f"PTC development set ({result['articles']} PTC train articles, {args.gold})")
        print(report(load_scorer(args.scorer), result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
