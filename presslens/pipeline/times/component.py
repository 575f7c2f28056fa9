"""presslens_times_v1: time expressions normalised against the article date.

Candidates are spaCy's DATE entities, TIME entities that name a day ("Tuesday night", "this
morning"), and the spans `timex.find` recognises where the small model's NER misses them.
Durations, ages and frequencies ("three years", "56 years old", "annual") are not points in
time and are dropped. Each remaining span is normalised by `timex.normalize` on its own text,
with the tense of the verb that governs it; overlapping candidates keep the resolved one, then
the longest. Writes `doc._.pl_times` (list of `DocTime`, in text order).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..annotations import DocTime
from . import timex

# Leading/trailing tokens that are not part of the expression: "on Tuesday", "her last week"
# (an NER slip), "Tuesday's".
_TRIM_POS = {"ADP", "PRON", "PUNCT", "CCONJ", "SCONJ", "PART", "VERB", "AUX", "SYM"}
_KEEP_LEADING = {"in"}  # "in two weeks" is an offset only with its "in"
_TRIM_WORDS = {"least", "most", "about", "around", "roughly", "nearly", "almost", "approximately", "just",
               "only", "some", "since", "until", "by"}
_NOT_TIME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"}

_FUTURE_AUX = {"will", "'ll", "shall", "wo"}
# Verbs and adjectives that make what follows scheduled: "is scheduled for May 5", "is due on
# Tuesday", "plans to vote in November", "is going to meet on Friday".
_FUTURE_LEMMAS = {"schedule", "slate", "due", "plan", "expect", "set", "go", "intend", "upcoming",
                  "poise", "prepare", "aim", "reschedule", "postpone", "delay"}


def tense_of(span: Span) -> str | None:
    """`past`, `future`, `present` or None: the tense of the verb that governs `span`."""
    token: Token = span.root
    path = []
    for _ in range(12):
        if token.pos_ in ("VERB", "AUX") and not span.start <= token.i < span.end:
            break
        path.append(token)
        if token.head is token:
            return None
        token = token.head
    else:
        return None
    verb = token
    if any(t.lemma_.lower() in _FUTURE_LEMMAS and t.pos_ == "ADJ" for t in path):
        return "future"
    for _ in range(3):
        auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
        words = {c.lower_ for c in auxes}
        if words & _FUTURE_AUX:
            return "future"
        lemma = verb.lemma_.lower()
        if lemma in _FUTURE_LEMMAS and (verb.tag_ in ("VBN", "VBG", "JJ") or verb.lower_ == "going"):
            if not any(c.tag_ == "VBD" for c in auxes) or lemma in ("schedule", "slate", "due", "set"):
                return "future"
        if verb.tag_ == "VBD" or any(c.tag_ == "VBD" for c in auxes):
            return "past"
        if verb.tag_ == "VBN" and (words & {"has", "have", "'ve", "'s"} or (not auxes and verb.dep_ == "acl")):
            return "past"  # "has said", and reduced relatives: "the report, published Sept. 15"
        if "to" in words and verb.dep_ in ("xcomp", "advcl") and verb.head is not verb:
            # "plans to meet on Tuesday", "is going to vote": the tense of the verb above
            head = verb.head
            if head.lemma_.lower() in _FUTURE_LEMMAS:
                return "future"
            verb = head
            continue
        if verb.tag_ in ("VBZ", "VBP") or any(c.tag_ in ("VBZ", "VBP") for c in auxes):
            return "present"
        return None
    return None


def _trim(span: Span) -> Span | None:
    start, end = span.start, span.end
    while start < end and (
        (span.doc[start].pos_ in _TRIM_POS or span.doc[start].lower_ in _TRIM_WORDS)
        and span.doc[start].lower_ not in _KEEP_LEADING
    ):
        start += 1
    while end > start and (span.doc[end - 1].pos_ in _TRIM_POS or span.doc[end - 1].lower_ in ("'s", "\u2019s")):
        end -= 1
    return span.doc[start:end] if end > start else None


# Named days that are not the weekday they contain: "Super Tuesday", "Black Friday".
_DAY_NAMES = {"super", "black", "good", "cyber", "ash", "bloody", "holy", "palm", "easter", "maundy",
              "shrove", "fat", "giving", "spy", "manic", "blue"}


def _is_word_not_date(span: Span) -> bool:
    """A capitalised month or weekday that is not a date here.

    "May" the modal and "March" the verb (tagger), a bare month name that no preposition
    introduces ("March on Washington", the same rule `timex.find` applies), "Super Tuesday".
    """
    doc = span.doc
    if span.start > 0 and doc[span.start - 1].lower_ in _DAY_NAMES and doc[span.start - 1].is_title:
        return True
    if len(span) != 1:
        return False
    token = span[0]
    if token.tag_ == "MD" or token.pos_ in ("VERB", "AUX"):
        return True
    return timex.is_bare_month(token.text) and not timex.month_context(doc.text[: token.idx])


def _candidates(doc: Doc) -> list[Span]:
    spans: list[Span] = []
    for ent in doc.ents:
        if ent.label_ == "DATE" or (ent.label_ == "TIME" and timex.mentions_day(ent.text)):
            span = _trim(ent)
            if span is not None:
                spans.append(span)
    for start, end, kind in timex.find(doc.text):
        span = doc.char_span(start, end, alignment_mode="contract")
        if span is None or not len(span):
            continue
        if kind == "in" and doc[span.start].lower_ != "in":
            continue
        if any(t.ent_type_ in _NOT_TIME_LABELS for t in span):
            continue  # "Sunday Times", "Super Tuesday", "June Smith"
        spans.append(span)
    return spans


@Language.component(
    "presslens_times_v1",
    requires=["doc.ents", "token.dep", "token.tag"],
    assigns=["doc._.pl_times"],
)
def times(doc: Doc) -> Doc:
    anchor = timex.parse_anchor(doc._.published)
    scored = []
    seen = set()
    for span in _candidates(doc):
        key = (span.start, span.end)
        if key in seen or _is_word_not_date(span):
            continue
        seen.add(key)
        tense = tense_of(span)
        if not timex.is_temporal(span.text) or timex.is_duration(span.text, tense):
            continue
        value, granularity = timex.normalize(span.text, anchor, tense)
        resolvable = value is not None or timex.normalize(span.text, _PROBE, tense)[0] is not None
        scored.append(((resolvable, len(span.text)), span, value, granularity))
    taken: list[DocTime] = []
    used: set[int] = set()
    for _, span, value, granularity in sorted(scored, key=lambda s: s[0], reverse=True):
        if used.isdisjoint(range(span.start, span.end)):
            used.update(range(span.start, span.end))
            taken.append(DocTime(span, value, granularity))
    doc._.pl_times = sorted(taken, key=lambda t: t.span.start)
    return doc


# With no anchor, relative expressions resolve to None; to rank overlapping candidates the same
# way with and without one, we ask whether the expression would resolve against any date.
_PROBE = timex.parse_anchor("2000-06-15")


def make_times(nlp: Language, name: str):
    """The factory of the unversioned name `presslens_times` (now v1), for a user's own pipeline
    and the `spacy_factories` entry point."""
    return times


Language.factory("presslens_times", requires=["doc.ents", "token.dep", "token.tag"],
                 assigns=["doc._.pl_times"])(make_times)
