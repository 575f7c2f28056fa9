"""Gold attributions as token tags (training) and tag sequences back to spans (prediction).

Labels: `S` source, `C` cue, `Q` content, BIO-encoded; `O` elsewhere. PolNeAR is univocal (a
token has at most one role in at most one attribution), so one tag per token loses nothing but
the links, which `decode` rebuilds.
"""

from __future__ import annotations

from spacy.tokens import Doc

ROLE = {"source": "S", "cue": "C", "content": "Q"}


def gold_tags(doc: Doc, attributions) -> tuple[list[str], list[int]]:
    """Per-token BIO tags and the index of the attribution each tagged token belongs to (-1)."""
    tags = ["O"] * len(doc)
    owner = [-1] * len(doc)
    for k, att in enumerate(attributions):
        for role, label in ROLE.items():
            for s, e in getattr(att, role):
                first = True
                span = doc.char_span(s, e, alignment_mode="expand")
                if span is None:
                    continue
                for tok in span:
                    if tok.is_space or tags[tok.i] != "O":
                        first = True
                        continue
                    tags[tok.i] = ("B-" if first else "I-") + label
                    owner[tok.i] = k
                    first = False
    # a role span continuing across tokens we skipped (spaces) keeps I- only if same owner
    for i in range(1, len(doc)):
        if tags[i].startswith("I-") and (owner[i - 1] != owner[i] or tags[i - 1][2:] != tags[i][2:]):
            j = i - 1
            while j >= 0 and doc[j].is_space:
                j -= 1
            if j < 0 or owner[j] != owner[i] or tags[j][2:] != tags[i][2:]:
                tags[i] = "B-" + tags[i][2:]
    return tags, owner


def runs(tags: list[str], offset: int = 0) -> list[tuple[str, int, int]]:
    """(label, start, end) token runs of a BIO sequence, end exclusive, shifted by `offset`."""
    out: list[list] = []
    for i, t in enumerate(tags):
        if t == "O":
            continue
        label = t[2:]
        if t.startswith("I-") and out and out[-1][0] == label and out[-1][2] == i + offset:
            out[-1][2] = i + offset + 1
        else:
            out.append([label, i + offset, i + offset + 1])
    return [tuple(r) for r in out]
