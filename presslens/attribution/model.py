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

import numpy as np
import pycrfsuite
from spacy.tokens import Doc, Span

from ..annotations import DocSource, DocStatement
from ..entities import lexicons as entity_lexicons
from ..entities.mentions import PRONOUN_GENDER, quoted_tokens, reported_tokens
from .decode import RELAY_LEMMAS, Linked, join_paragraph_quotes, link, speaks_through
from .features import DocArrays, para_features, paragraphs, worth_tagging
from .judge import statement_features
from .lexicon import DATA, Lexicon
from .tags import runs

_PRONOUNS = {"he", "she", "they", "we", "i", "you", "him", "her", "them", "us", "it"}
_PERSONAL = {"he": "PERSON", "she": "PERSON", "him": "PERSON", "her": "PERSON", "i": "PERSON"}
_GROUP_TYPES = {"ORG", "NORP", "GPE"}
_DEFINITE = {"the", "this", "that", "these", "those"}
_RELATIVE = {"who", "which", "that", "whom"}
_ENTITY_LEX = entity_lexicons.load()
_ORG_NOUNS = _ENTITY_LEX.org_nouns  # "the ministry said": an institution


@dataclass
class Attributor:
    tagger: pycrfsuite.Tagger
    lexicon: Lexicon
    meta: dict
    judge: object | None = None  # lightgbm.Booster (judge.py) or None
    raw: bool = False  # True: the tagger's own confidences, no judge (for training the judge)

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
        judge = None
        judge_path = path.with_name("judge.lgb.txt")
        if judge_path.exists():
            import lightgbm

            judge = lightgbm.Booster(model_file=str(judge_path))
        return cls(tagger, lexicon or Lexicon.load(), meta, judge)

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

    def linked(self, doc: Doc) -> tuple[list[Linked], list[float], list[int]]:
        tag_runs, probs, inq = self.tag(doc)
        stmts = [_unnest(doc, st, self.lexicon) for st in link(doc, tag_runs, inq)]

        def same_speaker(a: Linked, b: Linked) -> bool:  # "Maria Lopez" ... "she": one entity
            who = [_speaker(doc, [doc[s:e] for s, e in st.source], self.lexicon)[0] for st in (a, b)]
            return who[0] is not None and who[0] == who[1]

        return join_paragraph_quotes(doc, stmts, same_speaker), probs, inq

    def statements(self, doc: Doc) -> list[DocStatement]:
        linked, probs, inq = self.linked(doc)
        if not linked:
            return []
        if self.judge is not None and not self.raw:
            feats = [statement_features(doc, st, probs, inq, self.lexicon) for st in linked]
            # One thread: each ingest worker owns a core, and an OpenMP pool set up before a fork
            # (the forkserver loads the model) hangs the forked worker's first parallel predict.
            conf = self.judge.predict(np.array(feats), num_threads=1).tolist()
            keep = self.meta.get("judge", {}).get("threshold", 0.0)
            return [self._statement(doc, st, probs, inq, c) for st, c in zip(linked, conf) if c >= keep]
        return [self._statement(doc, st, probs, inq) for st in linked]

    # -- set annotations ---------------------------------------------------------------------
    def _statement(self, doc: Doc, st: Linked, probs: list[float], inq: list[int], conf: float | None = None) -> DocStatement:
        # spans without the quotation marks and commas at their edges: the scorer counts words
        # only, and readers want the words ("We will win", not '"We will win,"')
        content = [sp for sp in (_trim(doc, s, e) for s, e in st.content) if sp is not None]
        source = [sp for sp in (_trim(doc, s, e) for s, e in st.source) if sp is not None and not _passive_subject(sp, st.cue)]
        if not content:
            content = [doc[s:e] for s, e in st.content]
        cue = [doc[s:e] for s, e in st.cue]
        words = [t for sp in content for t in sp if not (t.is_punct or t.is_space)]
        quoted = sum(inq[t.i] for t in words)
        kind = "direct" if words and quoted == len(words) else "mixed" if quoted else "indirect"
        speaker, attribution = _speaker(doc, source, self.lexicon)
        if conf is None:  # no judge: the tagger's own marginals (overconfident, uncalibrated)
            toks = [t.i for sp in content for t in sp]
            conf = sum(probs[i] for i in toks) / len(toks) if toks else 0.0
            if st.cue:
                conf *= sum(probs[i] for s, e in st.cue for i in range(s, e)) / sum(e - s for s, e in st.cue)
        according = []
        for rs in st.relayed_by:
            ent, _ = _entity_at(doc, doc[rs[0] : rs[1]])
            according.append(DocSource(name=doc[rs[0] : rs[1]].text, span=doc[rs[0] : rs[1]], entity=ent.id if ent else None))
        return DocStatement(content=content, cue=cue, source=source, speaker=speaker, kind=kind,
                            attribution=attribution, according_to=according, confidence=round(conf, 3))


def _trim(doc: Doc, s: int, e: int) -> Span | None:
    while s < e and (doc[s].is_punct or doc[s].is_space):
        s += 1
    while e > s and (doc[e - 1].is_punct or doc[e - 1].is_space):
        e -= 1
    return doc[s:e] if e > s else None


def _passive_subject(span: Span, cue: list[tuple[int, int]]) -> bool:
    """"The visit has been widely observed as a political stunt", "was called a fraud": the
    passive subject of a describing cue is what is talked about, not who talks (no agent: the
    statement is unattributed). Not "X was quoted as saying" or "can be heard yelling", whose
    subject speaks."""
    root = span.root
    verb = root.head
    if root.dep_ != "nsubjpass" or not any(s <= verb.i < e for s, e in cue):
        return False
    if speaks_through(verb):
        return False
    return any((c.dep_ == "prep" and c.lower_ == "as") or c.dep_ == "oprd" for c in verb.children)


def _entity_at(doc: Doc, span: Span):
    """The entity the span names: the widest mention holding the span's head ("The NTSB
    chairman" is the chairman, not the NTSB), else, when the head is a proper name the parse
    split off, the first mention it overlaps. A common noun outside every mention is someone
    unnamed: "Crowds in Deir Ezzor" are not the place, "Clinton's aides" not Clinton."""
    head, best, first = span.root.i, None, None
    for ent in doc._.pl_entities or []:
        for m in ent.mentions:
            if m.span.start < span.end and span.start < m.span.end:
                if first is None:
                    first = (ent, m)
                if m.span.start <= head < m.span.end and (best is None or len(m.span) > len(best[1].span)):
                    best = (ent, m)
    if best is None and span.root.pos_ not in ("PROPN", "PRON"):
        # "Clinton's opponent, Donald Trump": the name in apposition is who the noun is
        for c in span.root.children:
            if c.dep_ == "appos" and span.start <= c.i < span.end:
                hit = _entity_at(doc, doc[c.left_edge.i : c.right_edge.i + 1])
                if hit[0] is not None and hit[0].type == "PERSON":
                    return hit
        first = None
    return best or first or (None, None)


def _gender(ent) -> str:
    """m, f or - for a person entity: its pronouns, else its honorific or first name."""
    for m in ent.mentions:
        if m.kind == "pronoun" and m.span.root.lower_ in PRONOUN_GENDER:
            return PRONOUN_GENDER[m.span.root.lower_]
    for m in ent.mentions:
        if m.kind in ("name", "title") and len(m.span) > 1:
            for t in m.span[:-1]:  # "Mrs. Amal Haddad", "Mayor Maria Lopez": not the surname
                g = _ENTITY_LEX.gender_of_honorific(t.text)
                if g == "-":
                    g = _ENTITY_LEX.first_names.get(t.lower_, "-")
                if g != "-":
                    return g
    return "-"


def _last_person_before(doc: Doc, pronoun: Span):
    """Fallback when coreference left a pronoun unresolved: the closest earlier person named
    outside quoted and reported content, whose gender does not clash with the pronoun's."""
    reported = reported_tokens(doc, _ENTITY_LEX)
    gender = PRONOUN_GENDER.get(pronoun.root.lower_, "-")
    best, where = None, -1
    for ent in doc._.pl_entities or []:
        if ent.type != "PERSON" or (gender != "-" and _gender(ent) not in ("-", gender)):
            continue
        for m in ent.mentions:
            if m.kind != "pronoun" and where < m.span.end <= pronoun.start and not reported[m.span.root.i]:
                best, where = ent, m.span.end
    return best


def _quoted_or_place(doc: Doc, span: Span, ent) -> bool:
    """A source that is a phrase inside quotation marks ('the crowd chanted "Omar Farouk"'),
    or a "person" whose name the article also gives a place (NER's "Tell" of Tell Abyad)."""
    words = [t for t in span if not (t.is_punct or t.is_space)]
    quoted = quoted_tokens(doc)
    if words and all(quoted[t.i] for t in words):
        return True
    if ent.titles:
        return False
    places = {e.text.lower() for e in doc.ents if e.label_ in ("GPE", "LOC", "FAC")}
    names = {m.span.text.lower() for m in ent.mentions if m.kind == "name"}
    # every name of it is a place's name elsewhere ("George Washington" is not "Washington")
    return bool(names) and names <= places


def _speaker(doc: Doc, source: list[Span], lex: Lexicon) -> tuple[str | None, str]:
    if not source:
        return None, "unattributed"
    span = max(source, key=len)
    head = span.root
    if head.lower_ in _RELATIVE and head.head.dep_ == "relcl" and head.head.head.i < head.i:
        # "Sen. Warren, who said ...": PolNeAR marks "who" as the source; the speaker is the
        # noun the relative clause hangs on
        noun = head.head.head
        return _speaker(doc, [doc[noun.left_edge.i : noun.i + 1]], lex)
    ent, mention = _entity_at(doc, span)
    if head.lower_ in _PRONOUNS and len(span) <= 2:
        if ent is None and head.lower_ in _PERSONAL:
            ent = _last_person_before(doc, span)
        return (ent.id if ent else None), "pronoun"
    if ent is not None and ent.type == "PERSON" and _quoted_or_place(doc, span, ent):
        return None, "vague"  # a quoted phrase or a place is no person speaking
    if ent is not None and mention is not None and mention.kind != "group" and ent.type == "PERSON":
        return ent.id, "named"
    if ent is not None and ent.of is not None:  # "her supporters", "Clinton's campaign": theirs
        return ent.id, "group"
    if head.lemma_.lower() in lex.vague or head.lower_ in lex.vague:
        # "critics", "sources", "some": nobody in particular; keep it findable as vague
        return None, "vague"
    if ent is not None:
        return ent.id, "group" if ent.type in _GROUP_TYPES or mention.kind == "group" else "named"
    if head.tag_ in ("NNS", "NNPS") or head.ent_type_ in _GROUP_TYPES or head.lemma_.lower() in _ORG_NOUNS:
        return None, "group"
    # "a spokesman", "one driver": somebody the article does not name; "the Democratic
    # senator", "his lawyer": a definite person that coreference left unresolved
    definite = head.pos_ == "PROPN" or any(
        c.dep_ == "poss" or (c.dep_ == "det" and c.lower_ in _DEFINITE) for c in head.children)
    return None, "named" if definite else "vague"


def _unnest(doc: Doc, st: Linked, lex: Lexicon) -> Linked:
    """ "Reuters reported that X said Y": a relay cue whose content opens with another speaker's
    cue becomes X's statement Y, `according_to` Reuters (PolNeAR tags only the outer layer)."""
    if len(st.content) != 1 or not st.cue or not st.source:
        return st
    if not any(doc[i].lemma_.lower() in RELAY_LEMMAS for s, e in st.cue for i in range(s, e)):
        return st
    s, e = st.content[0]
    for t in doc[s : min(e, s + 12)]:
        if t.pos_ == "VERB" and t.lemma_.lower() in lex.verbs:
            subj = [c for c in t.children if c.dep_ == "nsubj"]
            comp = [c for c in t.children if c.dep_ == "ccomp"]
            if subj and comp and s <= subj[0].left_edge.i:
                inner = Linked(cue=[(t.i, t.i + 1)], source=[(subj[0].left_edge.i, subj[0].i + 1)],
                               content=[(comp[0].left_edge.i, comp[0].right_edge.i + 1)])
                inner.relayed_by = list(st.source)
                return inner
            break
    return st

