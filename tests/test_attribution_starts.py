"""Where a content may start (`attribution/starts.py`): the candidate starts, what is never
re-started, gold labelling. Texts written for the project."""

from __future__ import annotations

from presslens.pipeline.attribution import ends, starts
from presslens.pipeline.attribution.features import DocArrays
from presslens.pipeline.attribution.lexicon import Lexicon
from presslens.pipeline.attribution.polnear import GoldArticle, GoldAttribution


def _tok(doc, word: str, nth: int = 0) -> int:
    return [t.i for t in doc if t.text == word][nth]


def _inq(doc):
    return DocArrays(doc, Lexicon.load()).quoted


def test_candidate_starts_follow_the_cue_a_complementiser_or_a_break(nlp):
    doc = nlp("The mayor told reporters that the new plan would cut costs.")
    lo, end = _tok(doc, "told") + 1, _tok(doc, "costs") + 1
    cands = {doc[k].text for k in starts.candidates(ends.Tokens(doc), lo, end)}
    assert {"reporters", "that"} <= cands  # right after the cue, on the complementiser
    assert doc[_tok(doc, "that") + 1].i in starts.candidates(ends.Tokens(doc), lo, end)  # and after it ("the new plan ...")
    assert "new" not in cands and "mayor" not in cands  # never after a determiner, never before the cue


def test_what_is_never_re_started(nlp):
    quoted = nlp('She said, "We will cut costs, and we will do it fast."')
    a, b = _tok(quoted, "We"), _tok(quoted, "fast") + 1
    assert starts._part(ends.Tokens(quoted), a, b, _inq(quoted), []) is None  # a quotation: its marks bound it
    two = nlp("The mayor said costs would fall. Unions disagreed with him.")
    a, b = _tok(two, "costs"), _tok(two, "him") + 1
    assert starts._part(ends.Tokens(two), a, b, _inq(two), []) is None  # over a sentence's end
    doc = nlp("The union said, as the mayor warned, that costs would fall in the spring.")
    a, b = _tok(doc, "costs"), _tok(doc, "spring") + 1
    cue = (_tok(doc, "warned"), _tok(doc, "warned") + 1)
    _, _, lo, cands = starts._part(ends.Tokens(doc), a, b, _inq(doc), [cue])
    assert lo == cue[1] and min(cands) >= cue[1]  # never grows back into another statement's words


def test_gold_examples_label_one_start_per_content(nlp):
    text = "The mayor told reporters that the plan would cut costs."
    doc = nlp(text)
    a, b = text.index("the plan"), text.index(".")
    cue = (text.index("told"), text.index("told") + 4)
    article = GoldArticle("t", "p", text, [GoldAttribution(source=[(0, 9)], cue=[cue], content=[(a, b)])])
    xs, ys = starts.examples(doc, article, _inq(doc))
    assert sum(ys) == 1 and len(ys) >= 2 and len(xs[0]) == len(starts.FEATURES)
    lo = _tok(doc, "told") + 1
    assert doc[[k for k, y in zip(starts.candidates(ends.Tokens(doc), lo, len(doc) - 1), ys) if y][0]].text == "the"
