"""Where a reported content ends: the candidate ends of a content, ranked by a trained model.

The taggers bound a content token by token, and on PolNeAR dev a third of the contents they
find have the right start and the wrong end: "condemned North Korea's missile launch | as
Pyongyang fired three missiles", "said the timing was not intentional | ; they only learned on
Friday", or a content cut short before its last clause. Where a content can end is a small set
(the sentence's end, and before a comma, a semicolon, a dash, a conjunction, a subordinator, a
relative pronoun, a participle, a preposition), and which of them is right is read off the
parse around it: whether the words after it start a clause of their own, hang from the
content's words or from the cue, whether a quotation is left open.

`EndRanker` scores each candidate end of a content's last part with a small LightGBM model
(`ends.lgb.txt`), trained on the *gold* contents of PolNeAR train and their spaCy parse alone
(`fit`), so it never learnt any tagger's habits. Which candidate wins is then up to a judge
(`ends-judge.lgb.txt`, `fit_judge`) that also sees that score against the tagger's own end and
the encoder's content probabilities around each candidate: it is trained on the contents that
*held-out* taggers found on PolNeAR train (each half of train tagged by a stacked tagger that
never saw it), so it learns when the tagger's end is to be trusted. Without an encoder (the
`fast` pipeline) the tagger's end stays unless the parse-only model gives another candidate a
higher score by more than `margin` (`meta.json`, `choose_margin` on the contents that held-out
`crf` taggers found on train, each choice worth what the scorer counts: a content that matches a
gold one, and one that is exactly it).

Only a content that lies in one sentence and is not wholly quoted is re-ended (a quotation's
marks bound it already; a content over several sentences ends at a sentence's end); a content
never grows into the span of another statement, nor into its own cue or source.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from spacy.attrs import DEP, HEAD, IS_PUNCT, IS_SPACE, LOWER, ORTH, POS, SENT_START, TAG
from spacy.tokens import Doc

from ..annotations import sentence_bounds, token_strings
from .trees import TreeEnsemble

# The word after a content that can end there (besides punctuation, a sentence's end and
# the parse's cc/mark/prep/relcl heads): subordinators, relative words, participial links.
_BREAKERS = {
    "and", "but", "or", "nor", "so", "yet", "as", "while", "whereas", "because", "since", "when", "where", "after",
    "before", "if", "unless", "until", "though", "although", "despite", "including", "which", "who", "whom", "whose",
    "that", "according", "amid", "even", "than", "like", "without", "with", "for", "to", "in", "on", "at", "by", "from",
    "about", "over", "against", "during", "into", "of", "saying", "adding", "noting", "calling", "citing",
}
_RELATIVE = {"which", "who", "whom", "whose", "where"}
_SUBORD = {"as", "while", "whereas", "because", "since", "when", "after", "before", "if", "unless", "until", "though",
           "although", "despite", "even", "than"}
_DASHES = {"--", "—", "–", "-"}
_QUOTES = {'"', "“", "”", "''", "``", "'", "‘", "’"}
_UPOS = ["ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT", "SCONJ",
         "SYM", "VERB", "X", "SPACE"]
_DEPS = ["ROOT", "acl", "acomp", "advcl", "advmod", "amod", "appos", "attr", "aux", "auxpass", "cc", "ccomp", "conj",
         "dative", "dep", "det", "dobj", "mark", "neg", "nmod", "npadvmod", "nsubj", "nsubjpass", "nummod", "pcomp",
         "pobj", "poss", "prep", "punct", "relcl", "xcomp", "compound", "prt", "oprd", "agent", "expl", "csubj",
         "intj", "quantmod", "parataxis", "case", "preconj", "predet", "meta"]
_UPOS_ID = {p: k for k, p in enumerate(_UPOS)}
_DEP_ID = {d: k for k, d in enumerate(_DEPS)}

FEATURES = (
    "n_words", "frac", "to_sent_end", "is_sent_end", "is_stop", "crossed", "crossed_commas",
    "next_pos", "next_dep", "next_comma", "next_semi", "next_colon", "next_dash", "next_paren", "next_quote",
    "next_period", "next_cc", "next_subord", "next_relative", "next_that", "next_including", "next_according",
    "next_vbg", "next_prep", "next_head_in", "next_head_before", "next_head_is_cue",
    "after_pos", "after_dep", "after_verb", "after_pron_det", "subj_ahead", "verb_ahead",
    "last_pos", "last_dep", "last_punct", "root_cut", "fragments", "root_dep",
    "in_quote_last", "in_quote_next", "open_quote", "that_start", "cue_before", "cue_noun", "start_dep",
)

# LightGBM settings of the ranker (binary: is this candidate the gold end)
PARAMS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 20,
          "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "seed": 7, "verbose": -1,
          "num_threads": 1}
ROUNDS = 300


def _word(t) -> bool:
    return not (t.is_punct or t.is_space)


class Tokens:
    """What the rankers read of every token of a doc, as plain lists: read once per doc, not
    once per candidate (a Token object is made on every `doc[i]`, and the rankers read a few
    million token attributes over PolNeAR dev). `word`: neither punctuation nor whitespace;
    `sent`, `sent_end`: the bounds of each token's sentence. (spaCy's `whitespace_` is a space
    or nothing: a line break is always a token of its own.) Not the tagger's `DocArrays`: that
    reads British single quotes as double ones, and the rankers learnt spaCy's own values."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.text, self.lower, self.pos, self.tag, self.dep = token_strings(doc, [ORTH, LOWER, POS, TAG, DEP])
        num = doc.to_array([HEAD, SENT_START, IS_PUNCT, IS_SPACE]).astype("int64").tolist()  # relative heads are signed
        self.word = [not (r[2] or r[3]) for r in num]
        self.head = [i + r[0] for i, r in enumerate(num)]
        self.sent, self.sent_end = sentence_bounds([r[1] for r in num])
        self.depth = _depths(self.head)  # how many ancestors (`Token.ancestors`)
        self._edges: dict[int, tuple[int, int]] = {}

    @staticmethod
    def of(doc: Doc | Tokens) -> Tokens:
        return doc if isinstance(doc, Tokens) else Tokens(doc)

    def edges(self, i: int) -> tuple[int, int]:
        """(left_edge, right_edge) of token i, as the parser set them."""
        e = self._edges.get(i)
        if e is None:
            t = self.doc[i]
            e = self._edges[i] = (t.left_edge.i, t.right_edge.i)
        return e

    def outside(self, lo: int, hi: int) -> tuple[int | None, int]:
        """Of the tokens of doc[lo:hi] whose head lies outside it (or that are their own head):
        the one nearest the parse's root (the first of them on a tie; None when there is none),
        and how many they are."""
        head = self.head
        out = [i for i in range(lo, hi) if not (lo <= head[i] < hi) or head[i] == i]
        return (min(out, key=self.depth.__getitem__) if out else None), len(out)


def _depths(head: list[int]) -> list[int]:
    depth = [-1] * len(head)
    for i in range(len(head)):
        path, j = [], i
        while depth[j] < 0 and head[j] != j:
            path.append(j)
            j = head[j]
        d = depth[j] = max(depth[j], 0)
        for k in reversed(path):
            d += 1
            depth[k] = d
    return depth


def candidates(tk: Tokens, start: int, stop: int) -> list[int]:
    """The ends k (content = doc[start:k]) a content starting at `start` may have before `stop`
    (exclusive bound: the sentence's end or the next span that is not this content's)."""
    word, lower, dep, tag = tk.word, tk.lower, tk.dep, tk.tag
    out = []
    for k in range(start + 1, stop + 1):
        if not word[k - 1]:
            continue  # the same end as the last word's: counted there
        if k == stop:
            out.append(k)
            continue
        if (not word[k] or lower[k] in _BREAKERS or dep[k] in ("cc", "mark", "prep", "relcl", "advcl", "acl")
                or tag[k] == "VBG"):
            out.append(k)
    return out


def features(tk: Tokens, start: int, stop: int, sent_end: int, cue: list[tuple[int, int]], inq: list[int],
             cands: list[int]) -> list[list[float]]:
    """The facts about ending the content doc[start:k] at each k of `cands` (see FEATURES)."""
    cue_toks = {i for s, e in cue for i in range(s, e)}
    cue_head = next((i for s, e in cue for i in range(s, e) if tk.pos[i] in ("VERB", "NOUN")), None)
    return [_facts(tk, start, k, stop, sent_end, cue, cue_toks, cue_head, inq, cands) for k in cands]


def _facts(tk, start, k, stop, sent_end, cue, cue_toks, cue_head, inq, cands) -> list[float]:
    text, word, pos, dep, head = tk.text, tk.word, tk.pos, tk.dep, tk.head
    n = len(text)
    word_at = [i for i in range(start, k) if word[i]]
    t = k < n  # a token after the content
    after = next((j for j in range(k, min(stop + 3, n)) if word[j]), None) if t else None
    inside = range(start, k)
    r, fragments = tk.outside(start, k)
    root = r if r is not None else start
    last = word_at[-1] if word_at else k - 1
    ahead = range(k, min(stop, k + 8))
    quotes_in = sum(1 for i in inside if text[i] in _QUOTES)
    lower, tt = (tk.lower[k], text[k]) if t else ("", "")
    tpos, tdep = (pos[k], dep[k]) if t else ("", "")
    return [
        len(word_at), (k - start) / max(1, sent_end - start), sent_end - k, float(k >= sent_end or all(not word[j] for j in range(k, sent_end))),
        float(k == stop), sum(1 for c in cands if c < k), sum(1 for i in inside if text[i] == ","),
        _UPOS_ID.get(tpos, -1) if t else -1, _DEP_ID.get(tdep, -1) if t else -1,
        *(float(t and tt == x) for x in (",", ";", ":")), float(t and tt in _DASHES), float(t and tt in "()[]"),
        float(t and tt in _QUOTES), float(t and tt in (".", "!", "?")),
        float(t and (tdep == "cc" or tpos == "CCONJ")), float(lower in _SUBORD or (t and tdep == "mark")),
        float(lower in _RELATIVE), float(lower == "that"), float(lower == "including"), float(lower == "according"),
        float(t and tk.tag[k] == "VBG"), float(t and tdep == "prep"),
        float(t and start <= head[k] < k), float(t and head[k] < start),
        float(t and head[k] in cue_toks),
        _UPOS_ID.get(pos[after], -1) if after is not None else -1, _DEP_ID.get(dep[after], -1) if after is not None else -1,
        float(after is not None and pos[after] in ("VERB", "AUX")), float(after is not None and pos[after] in ("PRON", "DET")),
        float(any(dep[j] in ("nsubj", "nsubjpass") and head[j] >= k for j in ahead)),
        float(any(pos[j] == "VERB" for j in ahead)),
        _UPOS_ID.get(pos[last], -1), _DEP_ID.get(dep[last], -1), float(not word[k - 1]),
        tk.edges(root)[1] + 1 - k, fragments, _DEP_ID.get(dep[root], -1),
        float(inq[last]) if inq else 0.0, float(inq[k]) if inq and k < len(inq) else 0.0, float(quotes_in % 2),
        float(tk.lower[start] == "that"), float(bool(cue) and cue[0][0] < start),
        float(cue_head is not None and pos[cue_head] == "NOUN"), _DEP_ID.get(dep[start], -1),
    ]


def trimmed(doc: Doc | Tokens, start: int, end: int) -> tuple[int, int]:
    """doc[start:end] without the punctuation and spaces at its edges (start == end: none left)."""
    word = doc.word.__getitem__ if isinstance(doc, Tokens) else (lambda i: _word(doc[i]))
    while start < end and not word(start):
        start += 1
    while end > start and not word(end - 1):
        end -= 1
    return start, end


def in_sentence(tk: Tokens, start: int, end: int, inq: list[int]) -> tuple[int, int, int, int] | None:
    """(start, end, its sentence's start and end) of a content part doc[start:end] with its
    edge punctuation left out, or None when neither of its boundaries is re-chosen: wholly
    quoted (the marks bound it), over a sentence's end or a line break."""
    start, end = trimmed(tk, start, end)
    if end <= start or all(inq[i] for i in range(start, end) if tk.word[i]):
        return None
    if end > tk.sent_end[start] or any("\n" in tk.text[i] for i in range(start, end)):
        return None
    return start, end, tk.sent[start], tk.sent_end[start]


def _part(tk: Tokens, start: int, end: int, inq: list[int], taken: Iterable[tuple[int, int]]):
    """(start, end, stop, sentence end, candidates) of a content part doc[start:end] with its
    edge punctuation left out, or None when it is not re-ended (`in_sentence`), or already
    inside a span of `taken` (the spans it may not grow into, which also bound the candidates)."""
    found = in_sentence(tk, start, end, inq)
    if found is None:
        return None
    start, end, _, sent_end = found
    stop = next((i for i in range(end - 1, sent_end) if "\n" in tk.text[i]), sent_end)  # a line break ends the sentence
    for s, _ in taken:
        if end <= s < stop:
            stop = s
    if stop < end:
        return None
    cands = candidates(tk, start, stop)
    if end not in cands:
        cands = sorted([*cands, end])
    return (start, end, stop, sent_end, cands) if len(cands) > 1 else None


# What the rankers' judges add to the parse features of a candidate: its parse-only score, how
# far it is from the tagger's own boundary, and the encoder's content probabilities around it
# and around the tagger's boundary (`near`)
TAGGER_FEATURES = ("score", "over_tagger", "is_tagger", "rank_offset", "token_offset",
                   "near_0", "near_1", "near_2", "tagger_near_0", "tagger_near_1")


def with_tagger(x: np.ndarray, scores: np.ndarray, here: int, cands: list[int], near: list[tuple[float, ...]]) -> np.ndarray:
    """The judge's rows: `x` (parse features of each candidate) and TAGGER_FEATURES; `here`:
    the index of the tagger's boundary among `cands`."""
    extra = [[s, s - scores[here], float(j == here), j - here, k - cands[here], *near[j], near[here][0], near[here][1]]
             for j, (s, k) in enumerate(zip(scores.tolist(), cands))]
    return np.hstack([x, np.array(extra, dtype=np.float64).reshape(len(cands), len(TAGGER_FEATURES))])


class Ranker:
    """Chooses one of a content boundary's candidates. With a `judge` (trained on the contents
    that held-out taggers found on PolNeAR train, `train.fit_bounds`) and the encoder's
    content probabilities, the judge's likeliest candidate; otherwise (no encoder: `fast`) the
    parse-only model's, when it beats the tagger's boundary by more than `margin`.

    A subclass says which boundary it moves: `ends`, `part` (the content part it moves, as
    (tagged start, tagged end, bound, ..., candidates)), `featured` (the candidates' parse
    features) and `_moved` (the content with that boundary at k)."""

    ends: bool

    def __init__(self, model: TreeEnsemble, margin: float, judge: TreeEnsemble | None = None):
        self.model, self.margin, self.judge = model, margin, judge

    def choose(self, x: np.ndarray, here: int, cands: list[int], near: list[tuple[float, ...]] | None) -> int:
        return self.choose_all([(x, here, cands, near)])[0]

    def choose_all(self, found: list[tuple[np.ndarray, int, list[int], list[tuple[float, ...]] | None]]) -> list[int]:
        """`choose` for many (x, here, cands, near) at once: one call of each model (a call of
        a few hundred trees costs far more than its rows)."""
        if not found:
            return []
        bounds = np.cumsum([0, *(len(c) for _, _, c, _ in found)])
        scores = self.model.predict(np.vstack([x for x, _, _, _ in found]))
        scores = [scores[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        margins = [self.margin] * len(found)
        judged = [i for i, (_, _, _, near) in enumerate(found) if near is not None] if self.judge is not None else []
        if judged:  # the judge's chances replace the parse-only scores, its likeliest wins
            p = self.judge.predict(np.vstack([with_tagger(found[i][0], scores[i], *found[i][1:]) for i in judged]))
            at = 0
            for i in judged:
                n = len(found[i][2])
                scores[i], margins[i] = p[at : at + n], 0.0
                at += n
        out = []
        for (_, here, cands, _), sc, margin in zip(found, scores, margins):
            best = int(np.argmax(sc))
            out.append(cands[best] if sc[best] > sc[here] + margin else cands[here])
        return out

    def rebound(self, doc: Doc | Tokens, content: list[tuple[int, int]], cue: list[tuple[int, int]], inq: list[int],
                taken: Iterable[tuple[int, int]], probs: np.ndarray | None = None) -> list[tuple[int, int]]:
        """`content` with its boundary moved to the likeliest candidate (`taken`: the token
        spans a content may not grow into; `probs`: see `content_near`). `doc`: the doc, or its
        `Tokens` (made here otherwise)."""
        return self.rebound_all(doc, [(content, cue, taken)], inq, probs)[0]

    def rebound_all(self, doc: Doc | Tokens, items: list[tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]],
                    inq: list[int], probs: np.ndarray | None = None, memo: dict | None = None) -> list[list[tuple[int, int]]]:
        """`rebound` of each (content, cue, taken) of one doc, the models called once. `memo`:
        the choices already made in this doc (with the same `inq` and `probs`), filled here; the
        stacked tagger and its second opinion read many of the same contents."""
        memo, tk = ({} if memo is None else memo), Tokens.of(doc)
        parts = {n: p for n, (content, _, taken) in enumerate(items) if (p := self.part(tk, content, inq, taken))}
        # a part's first three fields and the cue determine its candidates and their features
        keys = {n: (self, *p[:3], tuple(items[n][1])) for n, p in parts.items()}
        new = {keys[n]: n for n in parts if keys[n] not in memo}
        here = lambda n: parts[n][1] if self.ends else parts[n][0]  # noqa: E731
        found = []
        for n in new.values():
            cands = parts[n][-1]
            found.append((self.featured(tk, parts[n], items[n][1], inq), cands.index(here(n)), cands,
                          content_near(probs, cands, self.ends)))
        memo.update(zip(new, self.choose_all(found)))
        out = [content for content, _, _ in items]
        for n, p in parts.items():
            if (k := memo[keys[n]]) != here(n):
                out[n] = self._moved(out[n], *p[:2], k)
        return out

    def scored(self, doc: Doc | Tokens, content: list[tuple[int, int]], cue: list[tuple[int, int]], inq: list[int],
               taken: Iterable[tuple[int, int]]) -> tuple[int, int, list[int], np.ndarray] | None:
        """(tagged start, tagged end, candidates, their parse features) of the content part
        whose boundary this ranker moves, or None when it is not moved (see `part`)."""
        tk = Tokens.of(doc)
        part = self.part(tk, content, inq, taken)
        if part is None:
            return None
        return part[0], part[1], part[-1], self.featured(tk, part, cue, inq)


def content_near(probs: np.ndarray | None, cands: list[int], ends: bool) -> list[tuple[float, ...]] | None:
    """The encoder's content probabilities around each candidate boundary (`probs`: per token,
    P(content) and P(content starts here)): for an end k, at k-1 and k and a start at k; for a
    start k, at k, a start at k, and at k-1."""
    if probs is None:
        return None
    n = len(probs)
    at = lambda i, c: float(probs[i, c]) if 0 <= i < n else 0.0  # noqa: E731
    if ends:
        return [(at(k - 1, 0), at(k, 0), at(k, 1)) for k in cands]
    return [(at(k, 0), at(k, 1), at(k - 1, 0)) for k in cands]


class EndRanker(Ranker):
    ends = True

    def part(self, tk: Tokens, content: list[tuple[int, int]], inq: list[int], taken: Iterable[tuple[int, int]]):
        """`_part` of `content`'s last part (None: not re-ended)."""
        return _part(tk, *content[-1], inq, taken) if content else None

    def featured(self, tk: Tokens, part: tuple, cue: list[tuple[int, int]], inq: list[int]) -> np.ndarray:
        start, _, stop, sent_end, cands = part
        return np.array(features(tk, start, stop, sent_end, cue, inq, cands), dtype=np.float64)

    def _moved(self, content: list[tuple[int, int]], start: int, end: int, k: int) -> list[tuple[int, int]]:
        return [*content[:-1], (start, k)]


def choose_margin(groups: list[tuple[list[float], int, list[float]]]) -> tuple[float, float]:
    """The margin whose choices are worth most, and their mean worth: `groups` are (scores,
    index of the tagger's boundary, the worth of choosing each candidate) of predicted
    contents. A margin of 1 never moves a boundary (the scores are probabilities)."""
    best = (-1.0, 0.0)
    for m in [k / 20 for k in range(0, 21)]:
        worth = 0.0
        for scores, here, values in groups:
            b = int(np.argmax(scores))
            worth += values[b if scores[b] > scores[here] + m else here]
        best = max(best, (worth / max(1, len(groups)), -m))
    return -best[1], best[0]


# -- training (gold contents of PolNeAR train and their parse) -------------------------------
def token_span(doc: Doc, a: int, b: int) -> tuple[int, int] | None:
    span = doc.char_span(a, b, alignment_mode="expand")
    return (span.start, span.end) if span is not None and len(span) else None


def gold_parts(doc: Doc, article):
    """(token spans of each role, the spans its content may not grow into) of each gold
    attribution of `article` with a content."""
    parts = [{role: [s for s in (token_span(doc, a, b) for a, b in getattr(att, role)) if s] for role in ("source", "cue", "content")}
             for att in article.attributions]
    for n, toks in enumerate(parts):
        if toks["content"]:
            yield toks, [sp for m, other in enumerate(parts) for role, spans in other.items() if m != n or role != "content" for sp in spans]


def examples(doc: Doc, article, inq: list[int]) -> tuple[list[list[float]], list[int]]:
    """Features and labels of every gold content's candidate ends in one article."""
    xs, ys, tk = [], [], Tokens(doc)
    for toks, taken in gold_parts(doc, article):
        part = _part(tk, *sorted(toks["content"])[-1], inq, taken)
        if part is None:
            continue
        start, end, stop, sent_end, cands = part
        if end not in candidates(tk, start, stop):
            continue  # not where a content may end (`rebound` adds the tagger's end; gold's would leak)
        xs += features(tk, start, stop, sent_end, toks["cue"], inq, cands)
        ys += [int(k == end) for k in cands]
    return xs, ys


def fit(xs: list[list[float]], ys: list[int]):
    import lightgbm

    data = lightgbm.Dataset(np.array(xs, dtype=np.float64), np.array(ys), feature_name=list(FEATURES))
    return lightgbm.train(PARAMS, data, ROUNDS)


JUDGE_PARAMS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 40,
                "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "seed": 7, "verbose": -1,
                "num_threads": 1}
JUDGE_ROUNDS = 200


def fit_judge(groups: list[tuple[np.ndarray, np.ndarray, int, int, list[int], list[tuple[float, ...]]]], names: tuple[str, ...]):
    """The judge of one boundary (`Ranker.judge`): `groups` are (parse features, parse-only
    scores, index of the tagger's boundary, index of the gold one, candidates, `content_near`)
    of held-out contents; `names`: the parse features' names."""
    import lightgbm

    x = np.vstack([with_tagger(f, sc, here, cands, near) for f, sc, here, _, cands, near in groups])
    y = np.concatenate([np.arange(len(cands)) == gold for _, _, _, gold, cands, _ in groups]).astype(int)
    data = lightgbm.Dataset(x, y, feature_name=[*names, *TAGGER_FEATURES])
    return lightgbm.train(JUDGE_PARAMS, data, JUDGE_ROUNDS)
