"""What presslens's spaCy components write on the Doc.

Components add their results to these Doc extensions (registered once, on import):

    doc._.published      str | None      the article's ISO date, set before the pipeline runs
    doc._.pl_entities    list[DocEntity]     written by presslens.coref
    doc._.pl_statements  list[DocStatement]  written by presslens.pipeline.attribution
    doc._.pl_times       list[DocTime]       written by presslens.times

They hold spaCy Spans, valid only while the Doc lives; `presslens.pipeline.convert` turns them into the
plain dataclasses of `presslens.types` at one boundary.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from spacy.attrs import ORTH, SPACY
from spacy.tokens import Doc, Span


@dataclass
class DocMention:
    span: Span
    kind: str  # name, title, role, pronoun, group


@dataclass
class DocEntity:
    id: str
    name: str
    type: str
    mentions: list[DocMention] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    of: str | None = None  # the possessor's id: "Clinton's campaign" is `of` Clinton


@dataclass
class DocRelay:
    name: str
    span: Span | None = None
    entity: str | None = None


@dataclass
class DocStatement:
    content: list[Span]
    cue: list[Span]
    source: list[Span]
    speaker: str | None
    kind: str  # direct, mixed, indirect
    attribution: str = "named"  # named, pronoun, group, vague, unattributed
    according_to: list[DocRelay] = field(default_factory=list)
    confidence: float = 1.0
    turn: bool = False  # a transcript's turn, read off the layout: no reading of the tags replaces it


@dataclass
class DocTime:
    span: Span
    value: str | None
    granularity: str | None


for _name, _default in (
    ("published", None),
    ("pl_entities", None),
    ("pl_statements", None),
    ("pl_times", None),
):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def per_doc(fn):
    """`fn(doc)` computed once per Doc: the last Doc's result is kept, for the next reader of the
    same Doc (several components and every speaker of an article ask for the quoted tokens, and
    each reading walks the whole Doc). The result is shared: readers must not change it."""
    last: list[tuple[Doc | None, object]] = [(None, None)]

    @functools.wraps(fn)
    def once(doc: Doc):
        held, value = last[0]  # one read: another thread may replace the pair meanwhile
        if held is not doc:
            value = fn(doc)
            last[0] = (doc, value)
        return value

    return once


def token_strings(doc: Doc, attrs: list[int]) -> list[list[str]]:
    """The strings of string-valued token attributes (ORTH, LOWER, LEMMA, POS, TAG, DEP,
    ENT_TYPE ...), one list per attribute of `attrs`, from one `to_array` call: each distinct
    value is looked up once (numpy's `unique`), instead of a Python int made of every cell's
    64-bit hash and a dict lookup per cell (most of the cost of reading a Doc into lists)."""
    if not len(doc):
        return [[] for _ in attrs]
    arr = doc.to_array(list(attrs)).reshape(len(doc), len(attrs))
    values, at = np.unique(arr, return_inverse=True)
    strings = doc.vocab.strings
    names = [strings[v] if v else "" for v in values.tolist()]
    return [[names[i] for i in column] for column in at.reshape(arr.shape).T.tolist()]


def sentence_bounds(sent_start: list[int]) -> tuple[list[int], list[int]]:
    """The first token and the end of each token's sentence, from the SENT_START values of a
    Doc's tokens (1: a sentence starts there; the first token always starts one)."""
    n = len(sent_start)
    first, end = [0] * n, [0] * n
    a = 0
    for i in range(1, n + 1):
        if i == n or sent_start[i] == 1:
            first[a:i], end[a:i] = [a] * (i - a), [i] * (i - a)
            a = i
    return first, end


@per_doc
def token_texts(doc: Doc) -> tuple[list[str], list[bool]]:
    """Each token's text and whether whitespace follows it, read from the Doc's arrays (one
    `to_array` call, where `[t.text for t in doc]` makes a Token object per token)."""
    return token_strings(doc, [ORTH])[0], [bool(sp) for sp in doc.to_array(SPACY).tolist()]
