"""Where a reported content starts: the candidate starts of a content, ranked by a trained model.

The mirror of `ends.py`. After the content-end ranker, more of the contents the taggers find on
PolNeAR dev have the wrong start than the wrong end: one word too early ("plans | to release
his own returns", "called | on people to protest", "asked | Clinton about her email"), or too
late ("which he said | were at his side", "it's supposed | to curb", "just | how swift").
Where a content can start is a small set (the sentence's start, after punctuation, after a cue
word, a conjunction, a subordinator or a preposition, at a subject or a subordinating word),
and which one is right is read off the parse: whether the words from there on hang together,
from the cue or from a word before the start, whether a quotation is left open.

`StartRanker` scores each candidate start of a content's first part with a LightGBM model
(`starts.lgb.txt`) trained on the *gold* contents of PolNeAR train and their spaCy parse
(`fit`); on its own it is no better than the taggers (their starts are mostly right), so the
choice is a judge's (`starts-judge.lgb.txt`), trained as the end ranker's is on the contents
held-out taggers found on train, with the tagger's own start and the encoder's content
probabilities among its features (`ends.Ranker`). Contents are re-started before they are re-ended:
the end ranker was trained on gold starts. Never re-started: a content that is wholly quoted,
runs over a sentence or a line break, or would grow into another statement's span or its own
cue or source.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from spacy.tokens import Doc

from .ends import _BREAKERS, _DASHES, _DEP_ID, _QUOTES, _SUBORD, _UPOS_ID, Ranker, Tokens, gold_parts, in_sentence

# a word that may open a content of its own ("that", "whether", "if", "how" ...): a candidate
# start on it and on the word after it (PolNeAR keeps the complementiser out of the content
# but a wh-word in)
_OPENERS = {"that", "whether", "if", "how", "why", "what", "when", "where", "who", "which"}

FEATURES = (
    "n_words", "from_lo", "is_lo", "to_end", "crossed",
    "prev_pos", "prev_dep", "prev_comma", "prev_colon", "prev_quote", "prev_dash", "prev_paren", "prev_that",
    "prev_opener", "prev_breaker", "prev_in_cue", "prev_is_cue_head", "prev_verb", "prev_prep", "prev_subord",
    "first_pos", "first_dep", "first_opener", "first_that", "first_head_in", "first_head_before", "first_head_is_cue",
    "first_is_subj", "first_upper",
    "root_dep", "root_pos", "root_head_is_cue", "root_head_before", "fragments", "cut_before", "root_left_cut",
    "subj_inside", "verb_inside", "cue_before", "cue_gap", "cue_inside", "cue_after", "cue_noun",
    "in_quote_first", "in_quote_prev", "open_quote", "prev_prev_pos",
)

# LightGBM settings of the ranker (binary: is this candidate the gold start)
PARAMS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 20,
          "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "seed": 7, "verbose": -1,
          "num_threads": 1}
ROUNDS = 300


def candidates(tk: Tokens, lo: int, end: int) -> list[int]:
    """The starts k (content = doc[k:end]) a content ending at `end` may have from `lo` on
    (inclusive bound: the sentence's start or the end of the span before it)."""
    word, lower, pos, dep = tk.word, tk.lower, tk.pos, tk.dep
    out = []
    for k in range(lo, end):
        if not word[k]:
            continue
        if k == lo or all(not word[j] for j in range(lo, k)):
            out.append(k)
            continue
        p = k - 1
        if (not word[p] or lower[p] in _BREAKERS or lower[p] in _OPENERS or pos[p] in ("VERB", "AUX")
                or lower[k] in _OPENERS or dep[k] in ("nsubj", "nsubjpass", "mark", "expl", "advmod")
                or (pos[k] in ("DET", "PRON", "PROPN") and pos[p] in ("NOUN", "PROPN", "PRON"))):
            out.append(k)
    return out


def features(tk: Tokens, lo: int, end: int, cue: list[tuple[int, int]], inq: list[int], cands: list[int]) -> list[list[float]]:
    """The facts about starting the content doc[k:end] at each k of `cands` (see FEATURES)."""
    cue_toks = {i for s, e in cue for i in range(s, e)}
    cue_head = next((i for s, e in cue for i in range(s, e) if tk.pos[i] in ("VERB", "NOUN")), None)
    cue_start = min((s for s, _ in cue), default=None)
    cue_end = max((e for _, e in cue), default=None)
    return [_facts(tk, lo, k, end, cue_toks, cue_head, cue_start, cue_end, inq, cands) for k in cands]


def _facts(tk, lo, k, end, cue_toks, cue_head, cue_start, cue_end, inq, cands) -> list[float]:
    text, word, lower, head, dep, pos = tk.text, tk.word, tk.lower, tk.head, tk.dep, tk.pos
    n_words = sum(1 for i in range(k, end) if word[i])
    p = k - 1 if k > 0 else None
    inside = range(k, end)
    r, fragments = tk.outside(k, end)
    root = r if r is not None else k
    plower, pt = (lower[p], text[p]) if p is not None else ("", "")
    quotes_in = sum(1 for i in inside if text[i] in _QUOTES)
    return [
        n_words, k - lo, float(k == lo), end - k, sum(1 for c in cands if c < k),
        _UPOS_ID.get(pos[p], -1) if p is not None else -1, _DEP_ID.get(dep[p], -1) if p is not None else -1,
        float(pt == ","), float(pt == ":"), float(pt in _QUOTES), float(pt in _DASHES), float(pt in ("(", ")", "[", "]")),
        float(plower == "that"), float(plower in _OPENERS), float(plower in _BREAKERS), float(k - 1 in cue_toks),
        float(cue_head is not None and p is not None and p == cue_head),
        float(p is not None and pos[p] in ("VERB", "AUX")), float(p is not None and dep[p] == "prep"),
        float(plower in _SUBORD or (p is not None and dep[p] == "mark")),
        _UPOS_ID.get(pos[k], -1), _DEP_ID.get(dep[k], -1), float(lower[k] in _OPENERS), float(lower[k] == "that"),
        float(k <= head[k] < end), float(head[k] < k), float(head[k] in cue_toks),
        float(dep[k] in ("nsubj", "nsubjpass", "expl")), float(text[k][:1].isupper()),
        _DEP_ID.get(dep[root], -1), _UPOS_ID.get(pos[root], -1), float(head[root] in cue_toks and head[root] != root),
        float(head[root] < k), fragments, sum(1 for i in inside if head[i] < k and head[i] not in cue_toks),
        k - tk.edges(root)[0],
        float(any(dep[i] in ("nsubj", "nsubjpass") and k <= head[i] < end for i in inside)),
        float(any(pos[i] in ("VERB", "AUX") for i in inside)),
        float(cue_end is not None and cue_end <= k), (k - cue_end) if cue_end is not None and cue_end <= k else -1,
        float(cue_start is not None and k <= cue_start < end), float(cue_start is not None and cue_start >= end),
        float(cue_head is not None and pos[cue_head] == "NOUN"),
        float(inq[k]) if inq else 0.0, float(inq[k - 1]) if inq and k > 0 else 0.0, float(quotes_in % 2),
        _UPOS_ID.get(pos[k - 2], -1) if k > 1 else -1,
    ]


def _part(tk: Tokens, start: int, end: int, inq: list[int], taken: Iterable[tuple[int, int]]):
    """(start, end, lo, candidates) of a content's first part doc[start:end] with its edge
    punctuation left out, or None when it is not re-started (`ends.in_sentence`), or already
    inside a span of `taken` (the spans it may not grow into, which also bound the candidates)."""
    found = in_sentence(tk, start, end, inq)
    if found is None:
        return None
    start, end, sent_start, _ = found
    # a line break inside the sentence starts it
    lo = next((i + 1 for i in range(start - 1, sent_start - 1, -1) if "\n" in tk.text[i]), sent_start)
    for _, e in taken:
        if lo < e <= start:
            lo = e
    if lo > start:
        return None
    cands = candidates(tk, lo, end)
    if start not in cands:
        cands = sorted([*cands, start])
    return (start, end, lo, cands) if len(cands) > 1 else None


class StartRanker(Ranker):
    ends = False

    def part(self, tk: Tokens, content: list[tuple[int, int]], inq: list[int], taken: Iterable[tuple[int, int]]):
        """`_part` of `content`'s first part (None: not re-started)."""
        return _part(tk, *content[0], inq, taken) if content else None

    def featured(self, tk: Tokens, part: tuple, cue: list[tuple[int, int]], inq: list[int]) -> np.ndarray:
        _, end, lo, cands = part
        return np.array(features(tk, lo, end, cue, inq, cands), dtype=np.float64)

    def _moved(self, content: list[tuple[int, int]], start: int, end: int, k: int) -> list[tuple[int, int]]:
        return [(k, end), *content[1:]]


# -- training (gold contents of PolNeAR train and their parse) -------------------------------
def examples(doc: Doc, article, inq: list[int]) -> tuple[list[list[float]], list[int]]:
    """Features and labels of every gold content's candidate starts in one article."""
    xs, ys, tk = [], [], Tokens(doc)
    for toks, taken in gold_parts(doc, article):
        part = _part(tk, *sorted(toks["content"])[0], inq, taken)
        if part is None:
            continue
        start, end, lo, cands = part
        if start not in candidates(tk, lo, end):
            continue  # not where a content may start (`rebound` adds the tagger's start; gold's would leak)
        xs += features(tk, lo, end, toks["cue"], inq, cands)
        ys += [int(k == start) for k in cands]
    return xs, ys


def fit(xs: list[list[float]], ys: list[int]):
    import lightgbm

    data = lightgbm.Dataset(np.array(xs, dtype=np.float64), np.array(ys), feature_name=list(FEATURES))
    return lightgbm.train(PARAMS, data, ROUNDS)
