"""Reading PolNeAR (BRAT standoff) gold for training and evaluation.

Only offsets and labels are read from the annotation files; PolNeAR's texts never leave the
corpus folder (they are not redistributable), so nothing here writes them anywhere.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

_ANN_SPAN = re.compile(r"^(T\d+)\t(\S+) ([\d ;]+)\t")
_ANN_EVENT = re.compile(r"^(E\d+)\t(.*)$")


@dataclass
class GoldAttribution:
    source: list[tuple[int, int]] = field(default_factory=list)
    cue: list[tuple[int, int]] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class GoldArticle:
    name: str
    publisher: str
    text: str
    attributions: list[GoldAttribution]


def parse_ann(text: str) -> list[GoldAttribution]:
    """The attributions of one .ann file (same reading as ../shared/eval/attribution_score.py)."""
    spans, events = {}, []
    for line in text.split("\n"):
        m = _ANN_SPAN.match(line)
        if m:
            tid, label, offsets = m.groups()
            spans[tid] = (label, [tuple(int(x) for x in part.split()) for part in offsets.split(";")])
            continue
        m = _ANN_EVENT.match(line)
        if m:
            events.append([tuple(x.split(":", 1)) for x in m.group(2).split()])
    out = []
    for args in events:
        att = GoldAttribution()
        for role, tid in args:
            role = role.rstrip("0123456789").lower()
            if role in ("source", "cue", "content") and tid in spans:
                getattr(att, role).extend(spans[tid][1])
        if att.content:
            out.append(att)
    return out


def metadata(root: Path, split: str) -> list[dict]:
    with open(Path(root) / "data" / "metadata.tsv", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f, delimiter="\t") if r["compartment"] == split]


def read_split(root: Path, split: str) -> list[GoldArticle]:
    """Every article of `split` with the gold (first-listed) annotator's attributions, by name."""
    root = Path(root)
    out = []
    for row in sorted(metadata(root, split), key=lambda r: r["filename"]):
        name, annotator = row["filename"], row["annotators"].split("|")[0]
        text = (root / "data" / split / "text" / f"{name}.txt").read_text(encoding="utf-8")
        ann = (root / "data" / split / "attributions" / f"{name}_{annotator}.ann").read_text(encoding="utf-8")
        out.append(GoldArticle(name, row["publisher"], text, parse_ann(ann)))
    return out
