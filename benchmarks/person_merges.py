"""Pairwise precision and recall of the corpus's person merges against a hand-checked list.

    python benchmarks/person_merges.py --db out/polnear.duckdb --gold benchmarks/data/polnear_persons.tsv

The gold list (`person<TAB>alias`, one line per alias that belongs to that person, names only)
covers the most-quoted persons of the corpus. Every statement whose speaker was linked is an
item: its gold person is the one listing the speaker's alias (as stored in `person_mentions`),
its predicted person the corpus's `person_id`. Items are the statements with a listed alias
plus every statement the corpus gives to the persons that hold the listed ones (so a wrong merge
into a listed person counts against precision); an unlisted alias is a person of its own.

Pairwise: a pair of items is predicted together when both have the same `person_id`, truly
together when both have the same gold person. Precision = pairs right together / pairs predicted
together; recall = pairs right together / pairs truly together. Also by alias occurrence
(`mentions`: each linked entity of an article, not weighted by its statements).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

import duckdb


def read_gold(path: Path) -> dict[str, str]:
    gold: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.reader((line for line in f if line.strip() and not line.startswith("#")), delimiter="\t"):
            person, alias = row[0].strip(), row[1].strip()
            if alias in gold and gold[alias] != person:
                sys.exit(f"{path}: alias {alias!r} listed for {gold[alias]!r} and {person!r}")
            gold[alias] = person
    return gold


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def score(items: list[tuple[str, str]]) -> dict[str, float]:
    """items: (gold, predicted) per item."""
    cells = Counter(items)
    by_gold = Counter(g for g, _ in items)
    by_pred = Counter(p for _, p in items)
    tp = sum(pairs(n) for n in cells.values())
    pred = sum(pairs(n) for n in by_pred.values())
    true = sum(pairs(n) for n in by_gold.values())
    return {"items": len(items), "precision": tp / pred if pred else 1.0, "recall": tp / true if true else 1.0}


def evaluate(db: Path, gold: dict[str, str]) -> dict[str, dict]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT m.alias, l.person_id, count(s.seq) AS statements, any_value(e.name) AS raw FROM person_mentions m "
        "JOIN person_links l USING (article_id, entity_id) "
        "LEFT JOIN entities e ON e.article_id = m.article_id AND e.entity_id = m.entity_id "
        "LEFT JOIN statements s ON s.article_id = m.article_id AND s.speaker_entity = m.entity_id "
        "GROUP BY m.article_id, m.entity_id, m.alias, l.person_id").fetchall()
    con.close()
    # the predicted persons that hold each gold person's statements
    held: dict[str, Counter] = defaultdict(Counter)
    for alias, pid, n, _raw in rows:
        if alias in gold:
            held[gold[alias]][pid] += n
    listed = {pid for counts in held.values() for pid in counts}
    out = {}
    for unit in ("statements", "mentions"):
        items, baseline = [], []
        for alias, pid, n, raw in rows:
            if alias not in gold and pid not in listed:
                continue
            weight = n if unit == "statements" else 1
            items.extend([(gold.get(alias, f"other:{alias}"), pid)] * weight)
            # the trivial baseline: one speaker per exact name string, as before persons
            baseline.extend([(gold.get(alias, f"other:{alias}"), raw)] * weight)
        out[unit] = score(items)
        out[unit + "_baseline"] = score(baseline)
    out["persons"] = {"gold": len(set(gold.values())), "aliases": len(gold)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--gold", required=True, type=Path)
    args = ap.parse_args()
    result = evaluate(args.db, read_gold(args.gold))
    print(f"gold: {result['persons']['gold']} persons, {result['persons']['aliases']} aliases")
    print("| unit | items | pairwise precision | pairwise recall | baseline (one speaker per name string) P / R |")
    print("|---|---|---|---|---|")
    for unit in ("statements", "mentions"):
        r, b = result[unit], result[unit + "_baseline"]
        print(f"| {unit} | {r['items']:,} | {r['precision']:.4f} | {r['recall']:.4f} | "
              f"{b['precision']:.4f} / {b['recall']:.4f} |")


if __name__ == "__main__":
    main()
