"""The trained tagger at run time: Doc in, `DocStatement`s out.

`Attributor.statements(doc)` tags each paragraph that could hold an attribution (a cue word, a
cue phrase or a quotation mark), links the tag runs (`decode.link`) and fills in what the
statement schema asks for: kind, speaker, attribution class, `according_to` chains, confidence.

Three taggers, one interface (`TAGGERS`): `crf`, the linear-chain CRF over parse features
(the `fast` pipeline); `encoder`, the fine-tuned transformer of `encoder.py` decoded to valid
BIO; `stacked`, the CRF with the encoder's per-token marginals among its features. Each has its
own statement judge trained on held-out predictions of the same tagger.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np
import pycrfsuite
from spacy.tokens import Doc, Span

from ...errors import Errors, UsageError
from ..annotations import DocRelay, DocStatement, per_doc
from ..entities import lexicons as entity_lexicons
from ..entities.mentions import PRONOUN_GENDER, quoted_tokens, reported_tokens
from .decode import RELAY_LEMMAS, Linked, join_paragraph_quotes, link, parenthetical_fronts, parse_source, speaks_through
from .encoder import LABELS, EncoderTagger, decode_bio
from .ends import EndRanker, Tokens, trimmed
from .features import DocArrays, add_encoder_features, para_features, paragraphs, worth_tagging
from .judge import statement_features
from .lexicon import DATA, Lexicon
from .starts import StartRanker
from .tags import runs
from .trees import TreeEnsemble

_PRONOUNS = {"he", "she", "they", "we", "i", "you", "him", "her", "them", "us", "it"}
_PERSONAL = {"he": "PERSON", "she": "PERSON", "him": "PERSON", "her": "PERSON", "i": "PERSON"}
_GROUP_TYPES = {"ORG", "NORP", "GPE"}
_DEFINITE = {"the", "this", "that", "these", "those"}
_RELATIVE = {"who", "which", "that", "whom"}
_ENTITY_LEX = entity_lexicons.load()
_ORG_NOUNS = _ENTITY_LEX.org_nouns  # "the ministry said": an institution

ENDS_FILE = "ends.lgb.txt"  # the content-end ranker (ends.py), trained on gold contents
STARTS_FILE = "starts.lgb.txt"  # the content-start ranker (starts.py), trained on gold contents
BOUNDS_JUDGES = {"ends": "ends-judge.lgb.txt", "starts": "starts-judge.lgb.txt"}  # held-out trained (ends.Ranker)
_LABEL_INDEX = {lab: k for k, lab in enumerate(LABELS)}

# tagger name -> (CRF weights or None, judge weights, whether the encoder runs)
TAGGERS = {
    "crf": ("tagger.crfsuite", "judge.lgb.txt", False),
    "encoder": (None, "encoder-judge.lgb.txt", True),
    "stacked": ("stacked.crfsuite", "stacked-judge.lgb.txt", True),
}

# The shipped weight sets, each a folder under presslens/data/attribution/ ("" is the folder
# itself): the default 3-layer encoder with its CRFs, judges and rankers, and `accurate`, the
# same trained on the 6-layer encoder (`presslens train attribution --layers 6`; the `accurate`
# pipeline). Both read the one cue lexicon, cues.tsv at the top.
WEIGHTS = ("", "accurate")


@dataclass
class Prepared:
    """One doc ready for tagging (`Attributor.predict`)."""

    arrays: DocArrays
    paras: list[Span]
    marg: list[np.ndarray] | None = None  # the encoder's [tokens x LABELS] of each paragraph
    bounds: dict = field(default_factory=dict)  # the boundary rankers' choices (`Ranker.rebound_all`'s memo)
    tokens: Tokens | None = None  # what the boundary rankers read of the doc, made when first needed


ENCODER_CHUNK_WORDS = 80  # longer paragraphs reach the encoder in chunks of whole sentences

# The stacked tagger's second opinion: a statement the encoder alone finds, whose content no
# stacked statement touches, is added when the encoder's judge (calibrated: its confidence is
# the chance the statement is right end to end) gives it better than even odds. 0.5 is that
# rule, not a figure tuned on dev (docs/evaluation.md, 2026-12-02, shows the dev sweep). Where
# the encoder reads the words of stacked statements differently, the likelier reading wins.
SECOND_OPINION = 0.5
# The confidence of a transcript's turn ("PENCE: ..."), which the judges were not trained to
# read: the share of turns right end to end on the PolNeAR train articles with transcripts
# (10 of 14 turns in the 4 train articles whose paragraphs open with capitals and a colon).
TURN_CONFIDENCE = 0.7


def sentence_chunks(a: DocArrays, start: int, end: int, limit: int = ENCODER_CHUNK_WORDS) -> list[tuple[int, int]]:
    """Cut tokens `start:end` into runs of whole sentences of at most `limit` words (whitespace
    tokens do not count), cutting where no quotation is open when it can; a sentence longer than
    `limit` is a chunk of its own (the encoder reads it in overlapping windows)."""
    words = [0]
    for i in range(start, end):
        words.append(words[-1] + (not a.is_space[i]))
    if words[-1] <= limit:
        return [(start, end)]
    starts = [i for i in range(start + 1, end) if a.sent[i] == i]
    open_quote = {i for i in starts if a.quoted[i] and a.quoted[i - 1]}
    chunks, s = [], start
    while words[end - start] - words[s - start] > limit:
        later = [i for i in starts if i > s]
        if not later:  # the rest is one sentence
            break
        fits = [i for i in later if words[i - start] - words[s - start] <= limit]
        outside = [i for i in fits if i not in open_quote]
        cut = outside[-1] if outside else fits[-1] if fits else later[0]
        chunks.append((s, cut))
        s = cut
    chunks.append((s, end))
    return chunks


@dataclass
class Attributor:
    tagger: pycrfsuite.Tagger | None
    lexicon: Lexicon
    meta: dict
    judge: TreeEnsemble | None = None  # the statement judge (judge.py trains it) or None
    raw: bool = False  # True: the tagger's own confidences, no judge (for training the judge)
    encoder: EncoderTagger | None = None
    name: str = "crf"  # which of TAGGERS
    second: Attributor | None = None  # stacked: the encoder alone, for what the CRF left out
    ends: EndRanker | None = None  # re-ends the contents the judge keeps (ends.py)
    starts: StartRanker | None = None  # re-starts them, before they are re-ended (starts.py)

    @classmethod
    def load(cls, path: Path | None = None, lexicon: Lexicon | None = None, tagger: str = "crf",
             weights: str = "") -> Attributor:
        """The shipped `tagger` (one of TAGGERS), or the one in the folder `path`. `weights`: which
        shipped set (WEIGHTS): "" the default one, "accurate" the 6-layer encoder's."""
        if tagger not in TAGGERS:
            raise UsageError(Errors.E017.format(value=tagger, choices=", ".join(TAGGERS)))
        if weights not in WEIGHTS:
            raise UsageError(Errors.E017.format(value=weights, choices=", ".join(repr(w) for w in WEIGHTS)))
        if path is None:
            with resources.as_file(resources.files(DATA)) as folder:
                return cls._open(Path(folder) / weights, lexicon, tagger)
        return cls._open(Path(path), lexicon, tagger)

    @classmethod
    def _open(cls, folder: Path, lexicon: Lexicon | None, name: str) -> Attributor:
        crf_file, judge_file, uses_encoder = TAGGERS[name]
        tagger = None
        if crf_file:
            tagger = pycrfsuite.Tagger()
            tagger.open(str(folder / crf_file))
        meta_path = folder / "meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        judge = None
        if (folder / judge_file).exists():
            judge = TreeEnsemble.load(folder / judge_file)
        encoder = EncoderTagger.load(folder) if uses_encoder else None
        lexicon = lexicon or Lexicon.load()
        ends = _ranker(EndRanker, folder, ENDS_FILE, meta, "ends")
        starts = _ranker(StartRanker, folder, STARTS_FILE, meta, "starts")
        second = None
        if name == "stacked" and (folder / TAGGERS["encoder"][1]).exists():
            second = cls(None, lexicon, meta, TreeEnsemble.load(folder / TAGGERS["encoder"][1]), encoder=encoder,
                         name="encoder", ends=ends, starts=starts)
        return cls(tagger, lexicon, meta, judge, encoder=encoder, name=name, second=second, ends=ends, starts=starts)

    @property
    def threshold(self) -> float:
        key = "judge" if self.name == "crf" else f"{self.name}_judge"
        return self.meta.get(key, {}).get("threshold", 0.0)

    # -- predict -----------------------------------------------------------------------------
    def predict(self, docs: list[Doc]) -> list[Prepared]:
        """What tagging each doc needs: the token arrays, the paragraphs worth tagging and the
        encoder's marginals of them.

        The encoder reads each window on its own (`EncoderTagger.marginals`), so an article's
        result never depends on the articles that share its batch (nor on the engine).
        """
        prepared = []
        for doc in docs:
            arrays = DocArrays(doc, self.lexicon)
            prep = Prepared(arrays, _worth(doc, arrays))
            if self.encoder is not None:
                prep.marg = self.encoder_marginals(prep.paras, arrays)
            prepared.append(prep)
        return prepared

    def tag(self, doc: Doc, prep: Prepared | None = None) -> tuple[list[tuple[str, int, int]], list[float], list[int]]:
        """Tag runs of the doc, the marginal probability of each token's tag, and quote marks.
        `prep`: from `predict`, computed here when not given."""
        prep = prep or self.predict([doc])[0]
        probs = [1.0] * len(doc)
        arrays, marg = prep.arrays, prep.marg
        out = []
        for k, para in enumerate(prep.paras):
            if self.tagger is None:
                tags, p = _encoder_tags(arrays.is_space[para.start : para.end], marg[k])
            else:
                feats = para_features(arrays, para.start, para.end)
                if marg is not None:
                    add_encoder_features(feats, marg[k])
                self.tagger.set(feats)
                tags = self.tagger.tag()
                p = [self.tagger.marginal(t, i) if t != "O" else 1.0 for i, t in enumerate(tags)]
            for i, t in enumerate(tags):
                if t != "O":  # marginals only where confidence needs them
                    probs[para.start + i] = p[i]
            out.extend(runs(tags, offset=para.start))
        return out, probs, arrays.quoted

    def encoder_marginals(self, paras: list[Span], arrays: DocArrays | None = None) -> list[np.ndarray]:
        """[tokens x LABELS] of each paragraph; whitespace tokens get all their mass on O.
        `arrays`: the doc's `DocArrays`, read instead of its Token objects when given.

        A long paragraph is read in chunks of whole sentences (`sentence_chunks`): the encoder
        learnt from PolNeAR's paragraphs (95% under 90 words) and, on an article that comes as
        one line, lost the thread after about a hundred words, in every later window too."""
        if arrays is None and paras:
            arrays = DocArrays(paras[0].doc, self.lexicon)
        chunks = [(k, c) for k, p in enumerate(paras) for c in sentence_chunks(arrays, p.start, p.end)]
        rows = [[i for i in range(s, e) if not arrays.is_space[i]] for _, (s, e) in chunks]
        scored = self.encoder.marginals([[arrays.orth[i] for i in rs] for rs in rows])
        out = []
        for para in paras:
            full = np.zeros((len(para), len(LABELS)), dtype=np.float32)
            full[:, 0] = 1.0
            out.append(full)
        for (k, _), rs, m in zip(chunks, rows, scored):
            if rs:
                out[k][np.array(rs) - paras[k].start] = m
        return out

    def linked(self, doc: Doc, prep: Prepared | None = None) -> tuple[list[Linked], list[float], list[int]]:
        tag_runs, probs, inq = self.tag(doc, prep)
        stmts = [_unnest(doc, st, self.lexicon) for st in link(doc, tag_runs, inq)]

        def same_speaker(a: Linked, b: Linked) -> bool:  # "Maria Lopez" ... "she": one entity
            who = [_speaker(doc, [doc[s:e] for s, e in st.source], self.lexicon)[0] for st in (a, b)]
            return who[0] is not None and who[0] == who[1]

        return parenthetical_fronts(doc, join_paragraph_quotes(doc, stmts, same_speaker), inq), probs, inq

    def statements(self, doc: Doc, prep: Prepared | None = None) -> list[DocStatement]:
        prep = prep or self.predict([doc])[0]
        found = self._judged(doc, prep)
        if self.second is None or self.raw:
            return found
        # The encoder's reading of the same marginals: what it finds where no stacked statement's
        # content lies goes in (the encoder finds more, the CRF bounds better); where it reads the
        # words of stacked statements differently, its reading replaces them when it is likelier
        # (`_likelier`: both judges are calibrated, a confidence is the chance of being right end
        # to end). (`_judged` has already applied the encoder judge's own threshold)
        def words(st: DocStatement) -> set[int]:
            return {i for sp in st.content for i in range(sp.start, sp.end)}

        kept: list[DocStatement | None] = list(found)  # None: replaced by a likelier reading
        owner = {i: k for k, st in enumerate(kept) for i in words(st)}  # token -> its statement
        for st in self.second._judged(doc, prep):
            toks = words(st)
            hit = {owner[i] for i in toks if i in owner}
            if not hit and toks and st.confidence >= SECOND_OPINION:
                k = len(kept)
                kept.append(st)
            elif hit and not any(kept[h].turn for h in hit) and _likelier(st, [kept[h] for h in hit], prep.arrays.sent):
                for h in hit:
                    for i in words(kept[h]):
                        owner.pop(i, None)
                    kept[h] = None
                k = min(hit)
                kept[k] = st
            else:
                continue
            owner.update(dict.fromkeys(toks, k))
        return sorted((st for st in kept if st is not None), key=lambda st: st.content[0].start if st.content else 0)

    def _judged(self, doc: Doc, prep: Prepared) -> list[DocStatement]:
        """This tagger's statements that its judge keeps (all of them, raw, without a judge)."""
        linked, probs, inq = self.linked(doc, prep)
        if not linked:
            return []
        if self.judge is not None and not self.raw:
            feats = [statement_features(doc, st, probs, inq, self.lexicon) for st in linked]
            conf = self.judge.predict(np.array(feats)).tolist()
            keep = self.threshold
            # a transcript's turn is read off the layout, not the tags the judge was trained on
            conf = [max(c, TURN_CONFIDENCE) if st.turn else c for st, c in zip(linked, conf)]
            kept = [(st, c) for st, c in zip(linked, conf) if c >= keep]
            if self.ends is not None or self.starts is not None:  # the judge scored the tagger's reading
                kept = list(zip(self._rebounded(doc, [st for st, _ in kept], inq, prep), (c for _, c in kept)))
            return [self._statement(doc, st, probs, inq, c) for st, c in kept]
        return [self._statement(doc, st, probs, inq) for st in linked]

    def _rebounded(self, doc: Doc, linked: list[Linked], inq: list[int], prep: Prepared) -> list[Linked]:
        """`linked` with each content's start chosen by `self.starts`, then its end by
        `self.ends` (not a transcript's turn: its paragraphs bound it). A content never grows
        into another statement's words as the tagger read them, nor into its own cue or source."""
        todo = [n for n, st in enumerate(linked) if not st.turn and st.content]
        taken = {n: [sp for m, o in enumerate(linked) if m != n for sp in o.content + o.cue + o.source] + linked[n].cue + linked[n].source
                 for n in todo}
        contents = {n: linked[n].content for n in todo}
        probs = content_probs(prep)
        if prep.tokens is None and todo:
            prep.tokens = Tokens(doc)
        for ranker in (self.starts, self.ends):
            if ranker is None or not todo:
                continue
            items = [(contents[n], linked[n].cue, taken[n]) for n in todo]
            contents.update(zip(todo, ranker.rebound_all(prep.tokens, items, inq, probs, prep.bounds)))
        return [replace(st, content=contents[n]) if n in contents and contents[n] != st.content else st
                for n, st in enumerate(linked)]

    # -- set annotations ---------------------------------------------------------------------
    def _statement(self, doc: Doc, st: Linked, probs: list[float], inq: list[int], conf: float | None = None) -> DocStatement:
        # spans without the quotation marks and commas at their edges: the scorer counts words
        # only, and readers want the words ("We will win", not '"We will win,"')
        content = [sp for sp in (_trim(doc, s, e) for s, e in st.content) if sp is not None]
        source = [sp for sp in (_trim(doc, s, e) for s, e in st.source) if sp is not None and not _talked_about(sp, st.cue)]
        if not content:
            content = [doc[s:e] for s, e in st.content]
        if source and st.cue:
            source = _shared_subject(doc, source, st.cue[0], content)
        if source and all(_function_word(sp) for sp in source):
            # "the", "'s", "what": a tag run cut short; the parse's subject of the cue, if any
            span = _outside(doc, parse_source(doc, st.cue[0]) if st.cue else None, content)
            source = [span] if span is not None else []
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
            according.append(DocRelay(name=doc[rs[0] : rs[1]].text, span=doc[rs[0] : rs[1]], entity=ent.id if ent else None))
        return DocStatement(content=content, cue=cue, source=source, speaker=speaker, kind=kind,
                            attribution=attribution, according_to=according, confidence=round(conf, 3), turn=st.turn)


def _ranker(cls, folder: Path, model_file: str, meta: dict, key: str):
    """The boundary ranker `cls` shipped in `folder`, with its judge when there is one; None
    when the folder has no such ranker."""
    if not (folder / model_file).exists() or key not in meta:
        return None
    judge = folder / BOUNDS_JUDGES[key]
    return cls(TreeEnsemble.load(folder / model_file), meta[key]["margin"], TreeEnsemble.load(judge) if judge.exists() else None)


def content_probs(prep: Prepared) -> np.ndarray | None:
    """[tokens x 2]: the encoder's P(content) and P(a content starts here) of each token (0
    outside the paragraphs it read), or None without an encoder (`ends.content_near`)."""
    if prep.marg is None:
        return None
    out = np.zeros((len(prep.arrays.orth), 2), dtype=np.float32)
    for para, m in zip(prep.paras, prep.marg):
        out[para.start : para.end, 0] = m[:, _LABEL_INDEX["B-Q"]] + m[:, _LABEL_INDEX["I-Q"]]
        out[para.start : para.end, 1] = m[:, _LABEL_INDEX["B-Q"]]
    return out


def _likelier(new: DocStatement, old: list[DocStatement], sent: list[int]) -> bool:
    """Whether `new` is a likelier reading of the statements `old` whose words it reads: a
    higher confidence than each, a source where they have one (the judge scores a statement
    before the speaker rules may drop its source), and no word in a sentence that they have no
    part in (a reading that runs on into the next sentence's quotation is another statement).
    `sent`: the first token of each token's sentence (`DocArrays.sent`)."""
    if any(new.confidence <= o.confidence or (o.source and not new.source) for o in old):
        return False
    sents = {sent[i] for o in old for sp in o.content + o.cue + o.source for i in range(sp.start, sp.end)}
    return all(sent[i] in sents for sp in new.content for i in range(sp.start, sp.end))


def _worth(doc: Doc, arrays: DocArrays) -> list[Span]:
    """The paragraphs the tagger reads: nothing could introduce an attribution in the others (a
    cue word, a cue phrase or a quotation mark), so they are skipped (speed)."""
    return [p for p in paragraphs(doc, arrays) if worth_tagging(arrays, p.start, p.end)]


def _encoder_tags(is_space: list[bool], marg: np.ndarray) -> tuple[list[str], list[float]]:
    """Valid BIO tags from the marginals of a paragraph's tokens (`is_space`: which are
    whitespace); a whitespace token inside a run continues it."""
    tags = decode_bio(np.log(np.clip(marg, 1e-9, 1.0)))
    for i, space in enumerate(is_space):
        if space and tags[i] == "O" and 0 < i < len(is_space) - 1 and tags[i + 1].startswith("I-"):
            tags[i] = "I-" + tags[i + 1][2:]
    # a run that restarts right where one of the same role ends is one run: the encoder scores
    # tokens one by one and splits names ("Mr." | "Quiros"); PolNeAR's spans of one role
    # from two attributions never touch
    for i in range(1, len(tags)):
        if tags[i].startswith("B-") and tags[i - 1] != "O" and tags[i - 1][2:] == tags[i][2:]:
            tags[i] = "I-" + tags[i][2:]
    return tags, [float(marg[i, _LABEL_INDEX[t]]) if not is_space[i] else 1.0 for i, t in enumerate(tags)]


def _trim(doc: Doc, s: int, e: int) -> Span | None:
    s, e = trimmed(doc, s, e)
    return doc[s:e] if e > s else None


# "He seems to have", "it appeared that": the subject of a raising verb is not speaking
_RAISING = {"seem", "appear"}
# "The minister has faced questions about", "the company came under criticism for": the target
_UNDERGO = {"face", "draw", "receive", "attract", "come"}


def _talked_about(span: Span, cue: list[tuple[int, int]]) -> bool:
    """Whether a source span is the subject of its cue but what is talked about, not who talks
    (the statement is then unattributed, or attributed to the agent):
    - the passive subject ("The visit has been widely observed as a political stunt", "The
      authority has been accused of", "Clara Voss was asked whether"); not "X was quoted as
      saying" or "can be heard yelling", whose subject speaks;
    - the subject of "seem" or "appear" ("He seems sure that");
    - the subject of a cue that undergoes a noun ("has faced sharp criticism for");
    - the subject that a passive participle cue describes ("Asked about the bridge, Cole said
      ...": she was asked; the asker is not named)."""
    root = span.root
    while root.dep_ in ("compound", "flat") and root.head.i != root.i:  # "Ruiz" of "Maria Ruiz Gomez"
        root = root.head
    verb = root.head
    cue_tokens = [t for s, e in cue for t in span.doc[s:e]]
    if root.dep_ in ("nsubj", "nsubjpass") and any(
            t.tag_ == "VBN" and t.dep_ == "advcl" and t.head.i == verb.i
            and not any(c.dep_ in ("aux", "auxpass", "nsubj") for c in t.children) for t in cue_tokens):
        return True
    if not any(s <= verb.i < e for s, e in cue):
        return False
    lemma = verb.lemma_.lower()
    if root.dep_ in ("nsubj", "expl") and lemma in _RAISING:
        # not "seems to believe": the believer speaks
        return not any(t.pos_ == "VERB" and t.lemma_.lower() not in _RAISING for t in cue_tokens)
    if root.dep_ == "nsubj" and lemma in _UNDERGO:
        return any(t.pos_ == "NOUN" for t in cue_tokens)
    return root.dep_ == "nsubjpass" and not speaks_through(verb)


_SAY = {"say", "tell", "add", "write", "note", "explain", "argue", "insist", "claim"}


def _shared_subject(doc: Doc, source: list[Span], cue: tuple[int, int], content: list[Span]) -> list[Span]:
    """", arguing that ...", "... and called it": a participle or a second verb with no subject
    of its own shares its clause's subject ("Lopez said she did not trust it, arguing that"
    is Lopez arguing; "Analysts said the factors helped, citing" is the analysts citing), not a
    pronoun or the subject of the clause before it."""
    if len(source) != 1:
        return source
    verbs = [t for t in doc[cue[0] : cue[1]] if t.pos_ == "VERB" and not (cue[0] <= t.head.i < cue[1])]
    if not verbs or verbs[0].dep_ not in ("advcl", "conj") or any(
            c.dep_ in ("nsubj", "nsubjpass") for c in verbs[0].children):
        return source
    subject, verb = source[0].root, verbs[0]
    alone = len(source[0]) == 1 and subject.tag_ == "PRP"  # "he", "she", "they"
    head = verb.head
    if subject.head.i == head.i and (alone or subject.dep_ == "nsubj"):
        # "X said he didn't believe it, arguing that": the parse hangs the participle on the
        # reported clause; after a comma it goes with the reporting verb (PolNeAR reads it so)
        outer = head.head
        if not (head.dep_ == "ccomp" and outer.i != head.i and outer.lemma_.lower() in _SAY
                and verb.i > 0 and doc[verb.i - 1].text == ","):
            return source
        subj = [c for c in outer.children if c.dep_ == "nsubj"]
        if not subj:
            return source
        found = (subj[0].left_edge.i, subj[0].right_edge.i + 1)
    elif alone:
        found = parse_source(doc, cue)
    else:
        return source
    span = _outside(doc, found, content)
    if span is None or subject.i in range(span.start, span.end):
        return source
    return [span]


def _outside(doc: Doc, found: tuple[int, int] | None, content: list[Span]) -> Span | None:
    """A source found in the parse, trimmed, when none of its words is in the content."""
    span = _trim(doc, *found) if found else None
    taken = {t.i for sp in content for t in sp}
    return None if span is None or any(t.i in taken for t in span) else span


def _function_word(span: Span) -> bool:
    """A source of one determiner, possessive ending or question word ("the", "'s", "what"),
    never a relative pronoun that stands for its noun ("a company that had declared")."""
    if len(span) != 1:
        return False
    t = span[0]
    if t.tag_ in ("WP", "WDT") and t.head.dep_ == "relcl":
        return False
    return t.tag_ in ("DT", "POS", "WP", "WDT", "PDT")


def _index_mentions(doc: Doc) -> tuple[list | None, list[list[tuple]]]:
    """Per token, the `(order, entity, mention)` of each mention holding it, with the entities
    list it was read from."""
    entities = doc._.pl_entities
    index: list[list[tuple]] = [[] for _ in range(len(doc))]
    order = 0
    for ent in entities or []:
        for m in ent.mentions:
            for k in range(m.span.start, m.span.end):
                index[k].append((order, ent, m))
            order += 1
    return entities, index


@per_doc
def _mentions_by_token(doc: Doc) -> tuple[list | None, list[list[tuple]]]:
    """`_index_mentions`, once per doc: every speaker looks its span up (a scan of all mentions
    per speaker made long articles quadratic)."""
    return _index_mentions(doc)


def _entity_at(doc: Doc, span: Span):
    """The entity the span names: the widest mention holding the span's head ("The NTSB
    chairman" is the chairman, not the NTSB), else, when the head is a proper name the parse
    split off, the first mention it overlaps. A common noun outside every mention is someone
    unnamed: "Crowds in Deir Ezzor" are not the place, "Clinton's aides" not Clinton."""
    head, best, first = span.root.i, None, None
    at = _mentions_by_token(doc)
    if at[0] is not doc._.pl_entities:  # the entities changed since (training resets them)
        at = _index_mentions(doc)
    hits = sorted({order: hit for k in range(span.start, span.end) for order, *hit in at[1][k]}.items())
    for _, (ent, m) in hits:  # in entity, then mention order, as the entities list them
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


@per_doc
def _reported(doc: Doc) -> list[bool]:
    """`reported_tokens` of the doc, once per doc: every unresolved pronoun speaker asks, and
    each reading walks the whole doc (an article of 2,000 "he said" ran in quadratic time)."""
    return reported_tokens(doc, _ENTITY_LEX, quoted_tokens(doc))


def _last_person_before(doc: Doc, pronoun: Span):
    """Fallback when coreference left a pronoun unresolved: the closest earlier person named
    outside quoted and reported content, whose gender does not clash with the pronoun's."""
    reported = _reported(doc)
    gender = PRONOUN_GENDER.get(pronoun.root.lower_, "-")
    best, where = None, -1
    for ent in doc._.pl_entities or []:
        if ent.type != "PERSON" or (gender != "-" and _gender(ent) not in ("-", gender)):
            continue
        for m in ent.mentions:
            if m.kind != "pronoun" and where < m.span.end <= pronoun.start and not reported[m.span.root.i]:
                best, where = ent, m.span.end
    return best


@per_doc
def _places(doc: Doc) -> set[str]:
    """The lowercased names of the doc's places (GPE, LOC, FAC entities)."""
    return {e.text.lower() for e in doc.ents if e.label_ in ("GPE", "LOC", "FAC")}


def _quoted_or_place(doc: Doc, span: Span, ent) -> bool:
    """A source that is a phrase inside quotation marks ('the crowd chanted "Omar Farouk"'),
    or a "person" whose name the article also gives a place (NER's "Tell" of Tell Abyad)."""
    words = [t for t in span if not (t.is_punct or t.is_space)]
    quoted = quoted_tokens(doc)
    if words and all(quoted[t.i] for t in words):
        return True
    if ent.titles:
        return False
    names = {m.span.text.lower() for m in ent.mentions if m.kind == "name"}
    # every name of it is a place's name elsewhere ("George Washington" is not "Washington")
    return bool(names) and names <= _places(doc)


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
    if ent is None and (named := _named_in_capitals(doc, span)) is not None:
        return named.id, "named"  # "PENCE: Well, look, ...": a transcript's turn
    author = _author(span) if ent is None else None
    if author is not None:  # "Ms. Park's statement said", "a letter from the ministry said"
        return _speaker(doc, [author], lex)
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


def _named_in_capitals(doc: Doc, span: Span):
    """The person a source in capitals names by last name ("PENCE", "SEN. CRUZ": a transcript's
    speaker label), when the article names one person so; else None."""
    words = [t.lower_ for t in span if t.is_alpha]
    if not words or not span.text.isupper():
        return None
    found = {ent.id: ent for ent in doc._.pl_entities or [] if ent.type == "PERSON"
             and any(m.kind in ("name", "title") and m.span[-1].lower_ == words[-1] for m in ent.mentions)}
    return next(iter(found.values())) if len(found) == 1 else None


def _author(span: Span) -> Span | None:
    """The author of a document noun that is the source ("Ms. Park's statement", "a letter
    from the ministry", "the report by the agency"): the possessor, or the object of "from" or
    "by", inside the span. None for any other head."""
    head = span.root
    if head.lemma_.lower() not in _ENTITY_LEX.document_nouns:
        return None
    doc = span.doc
    for c in head.children:
        if not span.start <= c.i < span.end:
            continue
        if c.dep_ == "poss":
            return doc[c.left_edge.i : c.i + 1]
        if c.dep_ == "prep" and c.lower_ in ("from", "by"):
            obj = [g for g in c.children if g.dep_ == "pobj" and g.i < span.end]
            if obj:
                return doc[obj[0].left_edge.i : min(obj[0].right_edge.i + 1, span.end)]
    return None


def _unnest(doc: Doc, st: Linked, lex: Lexicon) -> Linked:
    """ "Reuters reported that X said Y", '"Y," X told reporters, according to Reuters': a relay
    cue whose content holds another speaker's cue with its subject and its reported clause
    becomes X's statement Y, `according_to` Reuters (PolNeAR tags only the outer layer)."""
    if len(st.content) != 1 or not st.cue or not st.source:
        return st
    if not any(doc[i].lemma_.lower() in RELAY_LEMMAS for s, e in st.cue for i in range(s, e)):
        return st
    s, e = st.content[0]
    for t in doc[s:e]:  # the first cue verb that reports a clause ("stands ready" is no report)
        if t.pos_ == "VERB" and t.lemma_.lower() in lex.verbs:
            subj = [c for c in t.children if c.dep_ == "nsubj"]
            comp = [c for c in t.children if c.dep_ == "ccomp"]
            if subj and comp and s <= subj[0].left_edge.i and subj[0].i < e and s <= comp[0].left_edge.i \
                    and comp[0].right_edge.i < e:
                inner = Linked(cue=[(t.i, t.i + 1)], source=[(subj[0].left_edge.i, subj[0].i + 1)],
                               content=[(comp[0].left_edge.i, comp[0].right_edge.i + 1)])
                inner.relayed_by = list(st.source)
                return inner
    return st

