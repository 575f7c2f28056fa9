"""Token features for the attribution tagger.

One sequence per paragraph (a content span may run over several sentences, rarely over a
paragraph break). Features are cheap string features over the dependency parse: the token, its
neighbours, and - the strong signal - its relation to the nearest cue-word ancestor (subject of
a cue -> source, complement of a cue -> content).

Speed matters (the whole component must stay a small fraction of the parser's cost): token
attributes are read once per Doc into plain lists (`DocArrays`), never through Token objects
in the inner loops.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import DEP, ENT_TYPE, HEAD, IDX, IS_SPACE, IS_TITLE, LEMMA, LOWER, ORTH, POS, SENT_START, TAG
from spacy.tokens import Doc, Span

from ..annotations import sentence_bounds, token_strings, token_texts
from .encoder import LABELS
from .lexicon import Lexicon
from .quotes import quote_mark_tokens, single_quote_marks

_MAX_UP = 8  # ancestors walked to find a cue; deeper clauses are rare


class DocArrays:
    """Plain-list views of the token attributes the features read."""

    def __init__(self, doc: Doc, lex: Lexicon):
        n = len(doc)
        self.n = n
        # to_array calls instead of a Token object per attribute read (5x faster)
        self.text, self.lower, lemma, self.pos, self.tag, self.dep, self.ent = token_strings(
            doc, [ORTH, LOWER, LEMMA, POS, TAG, DEP, ENT_TYPE])
        num = doc.to_array([HEAD, IS_TITLE, SENT_START, IDX, IS_SPACE]).astype("int64").tolist()  # HEAD, SENT_START signed
        self.orth = list(self.text)  # the token texts as they are (`text` reads single quotes as ")
        self.is_space = [bool(r[4]) for r in num]
        self.lemma = [x.lower() for x in lemma]
        self.head = [i + r[0] for i, r in enumerate(num)]
        self.title = [bool(r[1]) for r in num]
        # whitespace after token i: a gap before the next token's offset
        ends = [r[3] + len(t) for r, t in zip(num, self.text)]
        # the text's length without building `doc.text` (a join over every token)
        end = doc[-1].idx + len(doc[-1].text_with_ws) if n else 0
        self.space = [ends[i] < (num[i + 1][3] if i + 1 < n else end) for i in range(n)]
        self.sent, self.sent_end = sentence_bounds([r[2] for r in num])
        self.cue = [_cue_kind(self.pos[i], self.lemma[i], lex) for i in range(n)]
        self.phrase = _phrase_marks(self.lower, lex)
        # British single quotes ('We will win,' he said, also curly) are read as quotation
        # marks in pairs (`presslens.pipeline.attribution.quotes`), and the tagger sees their marks as the double
        # marks it was trained on; an opening curly single mark no longer runs to the line end
        double = quote_marks([t if t != "\u2018" else "" for t in self.text], self.space)
        single = single_quote_marks(self.text, self.space, double)
        for i in quote_mark_tokens(single):
            self.text[i] = self.lower[i] = self.lemma[i] = '"'
        self.quoted = [d | q for d, q in zip(double, single)]


def paragraphs(doc: Doc, arrays: DocArrays | None = None) -> list[Span]:
    """Spans of tokens between newline tokens (the newline-only tokens themselves are left out);
    `arrays`: the doc's `DocArrays`, read instead of its Token objects when given."""
    return [doc[s:e] for s, e in paragraph_bounds(doc, arrays)]


def paragraph_bounds(doc: Doc, arrays: DocArrays | None = None) -> list[tuple[int, int]]:
    """(start, end) token offsets of `paragraphs(doc)`."""
    if arrays is None:
        text = token_texts(doc)[0]
        is_space = [t.isspace() for t in text]  # spaCy's is_space
    else:
        text, is_space = arrays.orth, arrays.is_space
    out, start = [], None
    for i, (t, sp) in enumerate(zip(text, is_space)):
        if sp and "\n" in t:
            if start is not None:
                out.append((start, i))
                start = None
        elif start is None:
            start = i
    if start is not None:
        out.append((start, len(text)))
    return out


def quote_marks(text: list[str], space: list[bool]) -> list[int]:
    """1 for tokens inside quotation marks (the marks included), else 0.

    Straight quotes toggle; curly quotes open and close; a paragraph break closes an unclosed
    quote (news style reopens it in the next paragraph when the quote runs on).
    """
    inside, out = False, []
    n = len(text)
    for i, t in enumerate(text):
        if "\n" in t:
            inside = False
            out.append(0)
            continue
        if t == '"':
            if inside:
                out.append(1)
                inside = False
                continue
            inside = True
        elif t == "\u201c":
            inside = True
        elif t == "\u201d" and inside:
            out.append(1)
            inside = False
            continue
        elif t == "\u2018" and not inside and i + 1 < n and not space[i] and text[i + 1][:1].isalpha() and (i == 0 or space[i - 1]):
            inside = True
        out.append(1 if inside else 0)
    return out


def _cue_kind(pos: str, lemma: str, lex: Lexicon) -> str | None:
    if pos in ("VERB", "AUX") and lemma in lex.verbs:
        return "V"
    if pos in ("NOUN", "PROPN") and lemma in lex.nouns:
        return "N"
    return None


def _phrase_marks(words: list[str], lex: Lexicon) -> list[bool]:
    marks = [False] * len(words)
    firsts = {ph[0] for ph in lex.phrases}
    for i, w in enumerate(words):
        if w not in firsts:
            continue
        for ph in lex.phrases:
            if tuple(words[i : i + len(ph)]) == ph:
                for k in range(i, i + len(ph)):
                    marks[k] = True
                break
    return marks


def worth_tagging(a: DocArrays, start: int, end: int) -> bool:
    """Could this token range hold an attribution? (a cue word, a cue phrase, a quote mark)"""
    return any(a.cue[start:end]) or any(a.phrase[start:end]) or any(a.quoted[start:end])


def para_features(a: DocArrays, start: int, end: int) -> list[list[str]]:
    lower, lemma, pos, dep, head, cue, inq, sent = a.lower, a.lemma, a.pos, a.dep, a.head, a.cue, a.quoted, a.sent
    sent_cue, sent_q = {}, {}
    cue_pos: dict[int, list[int]] = {}
    for i in range(start, end):
        s = sent[i]
        if cue[i] or a.phrase[i]:
            sent_cue[s] = 1
            cue_pos.setdefault(s, []).append(i)
        if inq[i]:
            sent_q[s] = 1
    children: dict[int, list[str]] = {}
    for i in range(start, end):
        if cue[head[i]] and head[i] != i:
            children.setdefault(head[i], []).append("cc=" + dep[i])
    feats = []
    for i in range(start, end):
        h = head[i]
        s = sent[i]
        f = [
            "w=" + lower[i],
            "l=" + lemma[i],
            "p=" + pos[i],
            "t=" + a.tag[i],
            "d=" + dep[i],
            "q=%d" % inq[i],
            "hd=" + dep[h] + "|" + dep[i],
            "hp=" + pos[h],
            "hl=" + lemma[h],
            "e=" + a.ent[i],
            "sc=%d%d" % (sent_cue.get(s, 0), sent_q.get(s, 0)),
        ]
        if i == s:
            f.append("BOS")
        if i + 1 == a.sent_end[i]:
            f.append("EOS")
        cps = cue_pos.get(s)
        if cps:
            f.append("cs=" + ("L" if cps[0] < i else "") + ("R" if cps[-1] > i else ""))
        if cue[i]:
            f.append("cue=" + cue[i])
            f.append("cuel=" + lemma[i])
            f.extend(children.get(i, ()))
        if a.phrase[i]:
            f.append("ph")
        # a cue just ahead or just behind: ", he said" ends a content, "said that" opens one
        for o in (1, 2, 3):
            j = i + o
            if j < end and (cue[j] or a.phrase[j]):
                f.append("nc%d=%s" % (o, lemma[j]))
                break
        for o in (1, 2, 3):
            j = i - o
            if j >= start and (cue[j] or a.phrase[j]):
                f.append("pc%d=%s" % (o, lemma[j]))
                break
        if i == s:
            f.append("BOSq=%d" % inq[i])
        if a.title[i]:
            f.append("title")
        # nearest cue ancestor: the relation of the child on the path, and how far it is
        cur, steps = i, 0
        while steps < _MAX_UP and head[cur] != cur:
            up = head[cur]
            steps += 1
            k = cue[up] if start <= up < end else None
            if k:
                f.append("ar=" + dep[cur] + k)
                f.append("arq=%s%s%d" % (dep[cur], k, inq[i]))
                f.append("al=" + lemma[up])
                f.append("arl=" + dep[cur] + "|" + lemma[up])
                f.append("ad=%d%s" % (min(steps, 4), "<" if i < up else ">"))
                break
            cur = up
        else:
            f.append("ar=none")
            if cps:  # the sentence's cue hangs below this token ("X, he said"): its relation
                c0 = min(cps, key=lambda c: abs(c - i))
                f.append("scd=%s%s" % (dep[c0], "<" if i < c0 else ">"))
        if head[h] != h:
            f.append("hh=" + dep[h] + "|" + pos[head[h]])
        for o in (-2, -1, 1, 2):
            j = i + o
            if start <= j < end:
                f.append("w%+d=%s" % (o, lower[j]))
                f.append("p%+d=%s" % (o, pos[j]))
                if o == -1 or o == 1:
                    f.append("q%+d=%d" % (o, inq[j]))
                    f.append("d%+d=%s" % (o, dep[j]))
                    if cue[j]:
                        f.append("cue%+d" % o)
            else:
                f.append("pad%+d" % o)
        feats.append(f)
    return feats


_ENC = ["enc=" + lab for lab in LABELS]
_ENC_PREV, _ENC_NEXT = ["enc-1=" + lab for lab in LABELS], ["enc+1=" + lab for lab in LABELS]
_ENC_BINS = [["enc%s=%d" % (r, k) for k in range(5)] for r in "SCQ"]


def add_encoder_features(feats: list[list[str]], marg) -> None:
    """The encoder's view as CRF features: its best label, and each role's probability binned
    (fifths, the last one closed)."""
    best = marg.argmax(axis=1).tolist()
    roles = np.stack([marg[:, 1] + marg[:, 2], marg[:, 3] + marg[:, 4], marg[:, 5] + marg[:, 6]], axis=1)
    bins = np.minimum(4, (roles * 5).astype(np.int64)).tolist()  # float32 products, truncated
    last = len(feats) - 1
    for i, f in enumerate(feats):
        b = bins[i]
        f += (_ENC[best[i]], _ENC_BINS[0][b[0]], _ENC_BINS[1][b[1]], _ENC_BINS[2][b[2]])
        if i > 0:
            f.append(_ENC_PREV[best[i - 1]])
        if i < last:
            f.append(_ENC_NEXT[best[i + 1]])
