"""The statement judge: how likely a linked statement is right end to end.

A small LightGBM classifier over statement-level facts (tagger marginals, cue lemma, source
shape, kind, how the statement was built). It is trained on *held-out* predictions: PolNeAR
train is cut in two halves, a tagger is trained on each half and predicts the other, and each
predicted statement is labelled by the shared scorer's matching (content partial match with
the right source). Its probability is the statement's `confidence`, so confidence is
calibrated by construction; statements under `THRESHOLD` (chosen on the same held-out
predictions for the best e2e F1) are dropped.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from .decode import Linked
from .lexicon import Lexicon

FEATURES = (
    "raw", "content_p", "content_min", "cue_p", "source_p", "n_content_tok", "n_runs", "has_source",
    "source_len", "source_pron", "source_propn", "source_person", "source_org", "has_cue", "cue_verb",
    "cue_say", "cue_according", "cue_noun", "quoted_frac", "parsed", "floating", "cue_before",
    "gap", "that_start", "cue_len", "same_sent",
)
# Not a feature: whether the statement has an according_to chain. PolNeAR annotates only one
# layer of "X said, according to Z", so the judge would learn to reject exactly the chains the
# output is meant to show.
_SAY = {"say", "tell", "add", "state", "claim", "write", "ask", "note"}
_PRONOUNS = {"he", "she", "they", "we", "i", "you", "it", "who"}


def statement_features(doc: Doc, st: Linked, probs: list[float], inq: list[int], lex: Lexicon) -> list[float]:
    ctoks = [i for s, e in st.content for i in range(s, e)]
    cp = [probs[i] for i in ctoks] or [0.0]
    cue_p = [probs[i] for s, e in st.cue for i in range(s, e)] or [0.0]
    src_p = [probs[i] for s, e in st.source for i in range(s, e)] or [0.0]
    raw = sum(cp) / len(cp) * (sum(cue_p) / len(cue_p) if st.cue else 1.0)
    src = [doc[i] for s, e in st.source for i in range(s, e)]
    cue = [doc[i] for s, e in st.cue for i in range(s, e)]
    cue_head = cue[0] if cue else None
    for t in cue:
        if t.pos_ in ("VERB", "NOUN"):
            cue_head = t
            break
    words = [i for i in ctoks if not (doc[i].is_punct or doc[i].is_space)]
    first = st.content[0][0]
    gap = min(abs(st.cue[0][0] - s) for s, _ in st.content) if st.cue else 99
    return [
        raw,
        sum(cp) / len(cp),
        min(cp),
        sum(cue_p) / len(cue_p),
        sum(src_p) / len(src_p),
        len(ctoks),
        len(st.content),
        float(bool(st.source)),
        len(src),
        float(any(t.lower_ in _PRONOUNS for t in src) and len(src) <= 2),
        float(any(t.pos_ == "PROPN" for t in src)),
        float(any(t.ent_type_ == "PERSON" for t in src)),
        float(any(t.ent_type_ in ("ORG", "NORP", "GPE") for t in src)),
        float(bool(st.cue)),
        float(bool(cue_head is not None and cue_head.lemma_.lower() in lex.verbs)),
        float(bool(cue_head is not None and cue_head.lemma_.lower() in _SAY)),
        float(any(t.lower_ == "according" for t in cue)),
        float(bool(cue_head is not None and cue_head.pos_ == "NOUN")),
        sum(inq[i] for i in words) / len(words) if words else 0.0,
        float(st.parsed),
        float(st.floating),
        float(bool(st.cue) and st.cue[0][0] < first),
        float(gap),
        float(doc[first].lower_ == "that"),
        float(len(cue)),
        float(bool(st.cue) and doc[st.cue[0][0]].sent.start == doc[first].sent.start),
    ]


# -- training (presslens train attribution) ------------------------------------------------------
# Labels use the shared scorer's definitions (../shared/eval/attribution_score.py): word tokens
# are \w+ runs; a prediction is right when its content has token Jaccard >= 0.5 with a gold
# content (greedy one-to-one) and its source tokens overlap the gold source (or both are empty).
_TOKEN = re.compile(r"\w+(?:['\u2019]\w+)*")

PARAMS = {"objective": "binary", "num_leaves": 15, "learning_rate": 0.05, "min_data_in_leaf": 40,
          "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "verbose": -1,
          "num_threads": 1, "seed": 7}
ROUNDS = 200


def _token_set(starts_ends, spans):
    out = set()
    for a, b in spans:
        for i, (s, e) in enumerate(starts_ends):
            if s >= b:
                break
            if e > a:
                out.add(i)
    return frozenset(out)


def labels(text: str, gold, pred) -> list[int]:
    """gold: [(content spans, source spans)], pred: the same, character offsets."""
    toks = [m.span() for m in _TOKEN.finditer(text)]
    g = [(_token_set(toks, c), _token_set(toks, s)) for c, s in gold]
    p = [(_token_set(toks, c), _token_set(toks, s)) for c, s in pred]
    return [int(ok) for ok in speaker_matches(g, p)[0]]


def speaker_matches(gold, pred) -> tuple[list[bool], list[bool]]:
    """The scorer's end-to-end matching over (content tokens, source tokens) pairs: greedy
    one-to-one by content overlap (Jaccard >= 0.5), right when the sources overlap (or both are
    empty). Returns (each prediction right, each gold statement found)."""
    pairs = []
    for i, (gc, _) in enumerate(gold):
        for j, (pc, _) in enumerate(pred):
            inter = len(gc & pc)
            if gc and pc and inter and inter / len(gc | pc) >= 0.5:
                pairs.append((inter / len(gc | pc), i, j))
    pairs.sort(reverse=True)
    used_g, used_p = set(), set()
    right, found = [False] * len(pred), [False] * len(gold)
    for _, i, j in pairs:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        gs, ps = gold[i][1], pred[j][1]
        right[j] = found[i] = (not gs and not ps) or bool(gs & ps)
    return right, found


def collect(attributor, doc, article) -> tuple[list[list[float]], list[int]]:
    """Features and labels of the statements `attributor` (raw) links in one gold article."""
    linked, probs, inq = attributor.linked(doc)
    feats = [statement_features(doc, st, probs, inq, attributor.lexicon) for st in linked]
    pred = [([(doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for s, e in st.content],
             [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for s, e in st.source]) for st in linked]
    gold = [(a.content, a.source) for a in article.attributions]
    return feats, labels(article.text, gold, pred)


def fit(xs: list[list[float]], ys: list[int], n_gold: int, groups: list[int]):
    """The booster (all data), and the threshold with the best e2e F1, chosen on 2-fold
    cross-fitted scores (`groups`: 0/1 per statement, by article) so it is not optimistic."""
    import lightgbm
    import numpy as np

    def train(idx):
        idx = list(idx)
        data = lightgbm.Dataset(np.array([xs[i] for i in idx]), np.array([ys[i] for i in idx]), feature_name=list(FEATURES))
        return lightgbm.train(PARAMS, data, ROUNDS)

    scores = [0.0] * len(xs)
    for k in (0, 1):
        held = [i for i, g in enumerate(groups) if g == k]
        model = train([i for i, g in enumerate(groups) if g != k])
        for i, sc in zip(held, model.predict(np.array([xs[i] for i in held])).tolist()):
            scores[i] = sc
    best = (0.0, 0.0)
    for k in range(0, 60):
        t = k / 100
        kept = [y for sc, y in zip(scores, ys) if sc >= t]
        f1 = 2 * sum(kept) / (len(kept) + n_gold) if kept else 0.0
        best = max(best, (f1, t))
    return train(range(len(xs))), best[1], best[0], scores
