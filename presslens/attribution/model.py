"""The trained tagger at run time: Doc in, `DocStatement`s out.

`Attributor.statements(doc)` tags each paragraph that could hold an attribution (a cue word, a
cue phrase or a quotation mark), links the tag runs (`decode.link`) and fills in what the
statement schema asks for: kind, speaker, attribution class, `according_to` chains, confidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pycrfsuite
from spacy.tokens import Doc, Span

from ..annotations import DocSource, DocStatement
from .decode import Linked, link
from .features import DocArrays, para_features, paragraphs, worth_tagging
from .lexicon import DATA, Lexicon
from .tags import runs

_PRONOUNS = {"he", "she", "they", "we", "i", "you", "him", "her", "them", "us", "it"}
_PERSONAL = {"he": "PERSON", "she": "PERSON", "him": "PERSON", "her": "PERSON", "i": "PERSON"}
_GROUP_TYPES = {"ORG", "NORP", "GPE"}
# cues that pass content on rather than originate it: "according to Z", "Z reported that ..."
_RELAY_CUES = {"according", "report", "cite", "quote", "per"}


@dataclass
class Attributor:
    tagger: pycrfsuite.Tagger
    lexicon: Lexicon
    meta: dict

    @classmethod
    def load(cls, path: Path | None = None, lexicon: Lexicon | None = None) -> Attributor:
        if path is None:
            with resources.as_file(resources.files(DATA).joinpath("tagger.crfsuite")) as p:
                path = Path(p)
                meta_path = path.with_name("meta.json")
                return cls._open(path, meta_path, lexicon)
        return cls._open(Path(path), Path(path).with_name("meta.json"), lexicon)

    @classmethod
    def _open(cls, path: Path, meta_path: Path, lexicon: Lexicon | None) -> Attributor:
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        return cls(tagger, lexicon or Lexicon.load(), meta)

    # -- predict -----------------------------------------------------------------------------
    def tag(self, doc: Doc) -> tuple[list[tuple[str, int, int]], list[float], list[int]]:
        """Tag runs of the doc, the marginal probability of each token's tag, and quote marks."""
        probs = [1.0] * len(doc)
        arrays = DocArrays(doc, self.lexicon)
        out = []
        for para in paragraphs(doc):
            if not worth_tagging(arrays, para.start, para.end):
                continue  # nothing could introduce an attribution here: skip the tagger (speed)
            self.tagger.set(para_features(arrays, para.start, para.end))
            tags = self.tagger.tag()
            for i, t in enumerate(tags):
                if t != "O":  # marginals only where confidence needs them
                    probs[para.start + i] = self.tagger.marginal(t, i)
            out.extend(runs(tags, offset=para.start))
        return out, probs, arrays.quoted

    def statements(self, doc: Doc) -> list[DocStatement]:
        tag_runs, probs, inq = self.tag(doc)
        linked = link(doc, tag_runs, inq)
        out = [self._statement(doc, st, probs, inq) for st in linked]
        _relay_chains(doc, out, tag_runs, linked)
        return out

    # -- set annotations ---------------------------------------------------------------------
    def _statement(self, doc: Doc, st: Linked, probs: list[float], inq: list[int]) -> DocStatement:
        content = [doc[s:e] for s, e in st.content]
        source = [doc[s:e] for s, e in st.source]
        cue = [doc[s:e] for s, e in st.cue]
        words = [t for sp in content for t in sp if not (t.is_punct or t.is_space)]
        quoted = sum(inq[t.i] for t in words)
        kind = "direct" if words and quoted == len(words) else "mixed" if quoted else "indirect"
        speaker, attribution = _speaker(doc, source, self.lexicon)
        toks = [t.i for sp in content for t in sp]
        conf = sum(probs[i] for i in toks) / len(toks) if toks else 0.0
        if st.cue:
            conf *= sum(probs[i] for s, e in st.cue for i in range(s, e)) / sum(e - s for s, e in st.cue)
        if st.floating:
            conf *= 0.5
        return DocStatement(content=content, cue=cue, source=source, speaker=speaker, kind=kind,
                            attribution=attribution, according_to=[], confidence=round(conf, 3))


def _entity_at(doc: Doc, span: Span):
    for ent in doc._.pl_entities or []:
        for m in ent.mentions:
            if m.span.start < span.end and span.start < m.span.end:
                return ent, m
    return None, None


def _last_person_before(doc: Doc, i: int):
    """Fallback when coreference left a pronoun unresolved: the closest earlier person."""
    best, where = None, -1
    for ent in doc._.pl_entities or []:
        if ent.type != "PERSON":
            continue
        for m in ent.mentions:
            if m.kind != "pronoun" and where < m.span.end <= i:
                best, where = ent, m.span.end
    return best


def _speaker(doc: Doc, source: list[Span], lex: Lexicon) -> tuple[str | None, str]:
    if not source:
        return None, "unattributed"
    span = max(source, key=len)
    head = span.root
    ent, mention = _entity_at(doc, span)
    if head.lower_ in _PRONOUNS and len(span) <= 2:
        if ent is None and head.lower_ in _PERSONAL:
            ent = _last_person_before(doc, span.start)
        return (ent.id if ent else None), "pronoun"
    if ent is not None and mention is not None and mention.kind != "group" and ent.type == "PERSON":
        return ent.id, "named"
    if head.lemma_.lower() in lex.vague or head.lower_ in lex.vague:
        # "critics", "sources", "some": nobody in particular; keep it findable as vague
        return None, "vague"
    if ent is not None:
        return ent.id, "group" if ent.type in _GROUP_TYPES or mention.kind == "group" else "named"
    if head.tag_ in ("NNS", "NNPS") or head.ent_type_ in _GROUP_TYPES:
        return None, "group"
    return None, "named"


def _relay_chains(doc: Doc, statements: list[DocStatement], tag_runs, linked) -> None:
    """`according_to`: a relay cue ("according to Press TV", "Reuters reported") in the sentence
    of a statement, left without content of its own, adds its source to that statement's chain."""
    used = {s for st in linked for s in st.cue}
    by_sent: dict[int, list[DocStatement]] = {}
    for st in statements:
        if st.cue:
            by_sent.setdefault(st.cue[0].sent.start, []).append(st)
    for lab, s, e in tag_runs:
        if lab != "C" or (s, e) in used:
            continue
        cue = doc[s:e]
        if not any(t.lemma_.lower() in _RELAY_CUES for t in cue):
            continue
        targets = by_sent.get(cue.sent.start)
        if not targets:
            continue
        target = min(targets, key=lambda st: abs(st.cue[0].start - s))
        src = _relay_source(cue)
        if src is not None:
            ent, _ = _entity_at(doc, src)
            target.according_to.append(DocSource(name=src.text, span=src, entity=ent.id if ent else None))


def _relay_source(cue: Span) -> Span | None:
    """The source named by a relay cue: the object of "according to", the subject of "reported"."""
    doc = cue.doc
    for t in cue:
        if t.lower_ == "to" or t.lower_ == "per":
            for c in t.children:
                if c.dep_ == "pobj":
                    return doc[c.left_edge.i : c.right_edge.i + 1]
        for c in t.children:
            if c.dep_ in ("nsubj", "nsubjpass") and c.i not in range(cue.start, cue.end):
                return doc[c.left_edge.i : c.right_edge.i + 1]
    return None
