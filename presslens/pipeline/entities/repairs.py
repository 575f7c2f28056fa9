"""Repairs of spaCy NER slips that hurt attribution, as plain functions over a Doc.

en_core_web_sm often leaves an honorific inside or outside a PERSON span ("Mrs Clinton"),
breaks or mislabels Arabic names ("Al-Assad" as ORG), labels a surname ORG when it is a
possessive ("Trump's spokesman"), misses a surname it found earlier, and keeps datelines or
"the" inside spans. The rules here make the spans consistent for linking:

- a PERSON span is the proper name only, without honorific or office title and without a
  possessive "'s"; the title is found again by `presslens.pipeline.entities.mentions`;
- a span never starts with "the" or ends with "'s";
- a short proper name opening with a known first name is PERSON ("Paul Renard" as ORG);
- a name seen as PERSON anywhere in the article is PERSON everywhere in it;
- an acronym in brackets right after a name gets that name's label ("the United Arab
  Emirates (UAE)").

Each rule works on a list of `[start, end, label]` token ranges; `repair` applies them in order
and writes `doc.ents` once.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from .lexicons import Lexicons, load

Ent = list  # [start, end, label]: a token range and its label, mutable while repairing

_PROPN_TAGS = frozenset(("NNP", "NNPS"))
_DASHES = frozenset(("-", "\u2013", "\u2014", "--"))
_POSSESSIVE = frozenset(("'s", "\u2019s", "'", "\u2019"))
_DETERMINERS = frozenset(("the",))
# Labels that a name seen elsewhere as PERSON may override; dates included because "May",
# "June" are surnames too ("Prime Minister Theresa May").
_RELABELABLE = frozenset(("ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "LOC", "EVENT", "DATE", "LAW"))
_NAME_LABELS = frozenset(("PERSON", "ORG", "GPE", "NORP"))
# Closing brackets that end an acronym in brackets.
_OPEN, _CLOSE = frozenset(("(", "[")), frozenset((")", "]"))
_STOP_INITIALS = frozenset(("of", "the", "and", "for", "&", "de", "on", "in", "for"))


def name_key(tokens, lex: Lexicons) -> tuple[str, ...]:
    """The words of a name that matter for matching: lower case, without particles, hyphens
    and possessives ("Bashar al-Assad's" -> ("bashar", "assad"))."""
    out = []
    for t in tokens:
        text = t.lower_ if isinstance(t, Token) else t.lower()
        if text in lex.particles or text in _POSSESSIVE or not any(c.isalnum() for c in text):
            continue
        out.append(text)
    return tuple(out)


def initials(tokens) -> str:
    """Initials of the capitalised words of a name ("United Arab Emirates" -> "UAE")."""
    return "".join(t.text[0].upper() for t in tokens if t.text[:1].isupper() and t.lower_ not in _STOP_INITIALS)


def is_acronym(token: Token) -> bool:
    text = token.text.replace(".", "")
    return 2 <= len(text) <= 8 and text.isalpha() and text.isupper()


def _is_name_token(token: Token, lex: Lexicons) -> bool:
    return token.tag_ in _PROPN_TAGS and token.text[:1].isupper() and token.text not in _DASHES


def _propn_run(doc: Doc, i: int, lex: Lexicons) -> int:
    """End (exclusive) of the run of proper-name tokens starting at `i`, particles and the
    hyphens of "al-Assad" included; `i` itself when there is none."""
    j = i
    while j < len(doc):
        t = doc[j]
        if _is_name_token(t, lex) and not lex.is_title_word(t.text) and t.lower_ not in lex.particles:
            j += 1
        elif t.lower_ in lex.particles and j + 1 < len(doc) and (
            _is_name_token(doc[j + 1], lex) or (doc[j + 1].text == "-" and not t.whitespace_)
        ):
            j += 1
        elif t.text == "-" and j > i and not doc[j - 1].whitespace_ and doc[j - 1].lower_ in lex.particles:
            j += 1
        else:
            break
    # never end on a particle or hyphen
    while j > i and (doc[j - 1].lower_ in lex.particles or doc[j - 1].text == "-"):
        j -= 1
    return j


def _is_dateline(doc: Doc, start: int, end: int) -> bool:
    """An upper-case name opening the text, before a dash, a bracket or a comma."""
    nxt = doc[end].text if end < len(doc) else ""
    return start < 3 and doc[start:end].text.isupper() and (nxt in _DASHES or nxt in _OPEN or nxt == ",")


def split_datelines(doc: Doc, ents: list[Ent]) -> list[Ent]:
    """'DAMASCUS - Syrian' is two things: the dateline city (GPE) and what follows the dash.
    A lone upper-case ORG at the very start ("BEIRUT (Reuters)") is the dateline city too."""
    out = []
    for start, end, label in ents:
        dash = next((i for i in range(start + 1, end - 1) if doc[i].text in _DASHES and doc[i - 1].whitespace_), None)
        if dash is not None:
            before = doc[start:dash]
            if before.text.isupper():
                out.append([start, dash, "GPE"])
            out.append([dash + 1, end, label])
            continue
        if end - start == 1 and label in ("ORG", "NORP", "PERSON") and _is_dateline(doc, start, end):
            label = "GPE"
        out.append([start, end, label])
    return out


def trim(doc: Doc, ents: list[Ent], lex: Lexicons) -> list[Ent]:
    """Drop a leading "the", a trailing possessive, and, from PERSON spans, leading honorifics
    and title words ("Mrs Clinton" -> "Clinton", "President Trump" -> "Trump")."""
    out = []
    for start, end, label in ents:
        # "World Health Organization (WHO": the name and its acronym, two spans
        bracket = next((i for i in range(start + 1, end) if doc[i].text in _OPEN), None)
        if bracket is not None:
            if bracket + 1 < end and is_acronym(doc[bracket + 1]):
                out.append([bracket + 1, bracket + 2, label])
            end = bracket
        while end - start > 1 and doc[start].lower_ in _DETERMINERS:
            start += 1
        while end - start > 1 and (doc[end - 1].lower_ in _POSSESSIVE or doc[end - 1].is_punct):
            end -= 1
        if label == "PERSON":
            while end - start > 1 and lex.is_title_word(doc[start].text) and doc[start].text[:1].isupper():
                start += 1
        if doc[start].lower_ in _DETERMINERS or doc[start].lower_ in _POSSESSIVE:
            continue
        if not any(t.text[:1].isupper() or t.text[:1].isdigit() for t in doc[start:end]) and label in _NAME_LABELS:
            continue  # "secretary of state": no capital, no name
        out.append([start, end, label])
    return sorted(out)


def join_particles(doc: Doc, ents: list[Ent], lex: Lexicons) -> list[Ent]:
    """Grow PERSON spans over the particles of Arabic and European names that NER left out
    ("Bashar al-" + "Assad", "Osama bin" + "Laden")."""
    for ent in ents:
        if ent[2] != "PERSON":
            continue
        # left: "al - Assad" where NER took only "Assad"
        s = ent[0]
        while s > 0 and (doc[s - 1].lower_ in lex.particles or (doc[s - 1].text == "-" and not doc[s - 1].whitespace_)):
            s -= 1
        if s < ent[0] and doc[s].lower_ in lex.particles:
            ent[0] = s
        # right: the span stops at the particles of a longer name ("Osama bin" + "Laden"); only
        # then, so that "Donald Trump Tuesday" does not take the weekday
        end = ent[1]
        if end < len(doc) and (doc[end].lower_ in lex.particles or doc[end - 1].lower_ in lex.particles):
            ent[1] = max(end, _propn_run(doc, ent[0], lex))
    return _drop_overlaps(ents, prefer_first=True)


def honorific_names(doc: Doc, ents: list[Ent], lex: Lexicons) -> list[Ent]:
    """An honorific or office title followed by proper names makes a PERSON ("Sheikh Qassem",
    "Mr. Trump" with Trump as ORG, "Prime Minister Theresa May" with May as DATE)."""
    covered = _coverage(doc, ents)
    added = []
    for t in doc:
        low = t.lower_
        if not t.text[:1].isupper():
            continue
        is_honorific = low in lex.honorifics
        is_title_head = lex.role_key(low) in lex.role_nouns and low in lex.titles
        if not (is_honorific or is_title_head) or t.i + 1 >= len(doc):
            continue
        start = t.i + 1
        end = _propn_run(doc, start, lex)
        if end == start or any(lex.role_key(doc[k].lower_) in lex.org_nouns for k in range(start, end)):
            continue
        labels = {covered[k][2] for k in range(start, end) if covered[k] is not None}
        if "PERSON" in labels or not labels <= _RELABELABLE:
            continue
        added.append([start, end, "PERSON"])
    return _drop_overlaps(added + ents, prefer_first=True)


def first_name_persons(doc: Doc, ents: list[Ent], lex: Lexicons) -> list[Ent]:
    """A short proper name that opens with a known first name is a person, whatever label NER
    gave it ("Paul Renard" as ORG), unless a word of it names an organisation ("Paul Allen
    Foundation")."""
    for ent in ents:
        start, end, label = ent
        if label not in _RELABELABLE or not 2 <= end - start <= 3:
            continue
        tokens = doc[start:end]
        if (tokens[0].lower_ in lex.first_names and all(t.tag_ in _PROPN_TAGS and t.is_title for t in tokens)
                and not any(t.lower_ in lex.org_nouns for t in tokens)):
            ent[2] = "PERSON"
    return ents


def person_consistency(doc: Doc, ents: list[Ent], lex: Lexicons) -> list[Ent]:
    """A name that is PERSON once is PERSON throughout the article: relabel other spans with
    the same words ("Al-Assad" ORG after "Bashar al-Assad"), and label proper-name runs NER
    missed when they repeat a known surname or full name."""
    # The dateline city is a place throughout ("NORTHFIELD - The Northfield town council"),
    # even where NER took the name for a person.
    places = {name_key(doc[start:end], lex) for start, end, label in ents if label == "GPE" and _is_dateline(doc, start, end)}
    for ent in ents:
        if ent[2] == "PERSON" and name_key(doc[ent[0] : ent[1]], lex) in places:
            ent[2] = "GPE"
    keys: set[tuple[str, ...]] = set()
    for start, end, label in ents:
        if label == "PERSON":
            key = name_key(doc[start:end], lex)
            if key:
                keys.add(key)
                keys.add(key[-1:])
    keys -= places
    if not keys:
        return ents
    for ent in ents:
        if ent[2] in _RELABELABLE and name_key(doc[ent[0] : ent[1]], lex) in keys:
            ent[2] = "PERSON"
    covered = _coverage(doc, ents)
    added = []
    i = 0
    while i < len(doc):
        t = doc[i]
        if covered[i] is None and t.dep_ == "compound" and t.tag_ == "NN" and t.text[:1].isupper() and (
                name_key(doc[i : i + 1], lex) in keys) and t.head.pos_ == "NOUN":
            # "Trump aides said": the tagger takes a known surname before a noun for a noun
            added.append([i, i + 1, "PERSON"])
            i += 1
            continue
        if covered[i] is None and _is_name_token(doc[i], lex) or (doc[i].lower_ in lex.particles and covered[i] is None):
            end = _propn_run(doc, i, lex)
            key = name_key(doc[i:end], lex)
            # the whole run, so that "Ivanka Trump" after "Donald Trump" stays one name
            if end > i and all(covered[k] is None for k in range(i, end)) and key and key[-1:] in keys:
                added.append([i, end, "PERSON"])
                i = end
                continue
        i += 1
    return sorted(ents + added)


def bracket_acronyms(doc: Doc, ents: list[Ent]) -> list[Ent]:
    """ "the United Arab Emirates (UAE)": the acronym takes the label of the name before it,
    whether NER labelled it differently or not at all."""
    by_end = {e[1]: e for e in ents}
    covered = _coverage(doc, ents)
    added = []
    aliases: dict[str, str] = {}
    for t in doc:
        if t.text not in _OPEN or t.i + 2 >= len(doc) or doc[t.i + 2].text not in _CLOSE:
            continue
        acr, name = doc[t.i + 1], by_end.get(t.i)
        if name is None or not is_acronym(acr) or initials(doc[name[0] : name[1]]) != acr.text.replace(".", ""):
            continue
        if covered[acr.i] is not None:
            covered[acr.i][2] = name[2]
        else:
            added.append([acr.i, acr.i + 1, name[2]])
        aliases[acr.text] = name[2]
    # later mentions of the acronym ("The UAE said", "WHO chief Tedros") take the same label
    for ent in ents:
        if ent[1] - ent[0] == 1 and doc[ent[0]].text in aliases:
            ent[2] = aliases[doc[ent[0]].text]
    if aliases:
        taken = {e[0] for e in added}
        for t in doc:
            if covered[t.i] is None and t.i not in taken and t.text in aliases:
                added.append([t.i, t.i + 1, aliases[t.text]])
    return sorted(ents + added)


def _coverage(doc: Doc, ents: list[Ent]) -> list[Ent | None]:
    covered: list[Ent | None] = [None] * len(doc)
    for ent in ents:
        for k in range(ent[0], ent[1]):
            covered[k] = ent
    return covered


def _drop_overlaps(ents: list[Ent], prefer_first: bool) -> list[Ent]:
    """Keep non-overlapping spans, earlier entries of `ents` winning when `prefer_first`."""
    taken: set[int] = set()
    kept = []
    for ent in ents if prefer_first else sorted(ents, key=lambda e: e[0] - e[1]):
        span = set(range(ent[0], ent[1]))
        if span & taken or not span:
            continue
        taken |= span
        kept.append(ent)
    return sorted(kept)


def repair(doc: Doc) -> Doc:
    """Apply every repair to `doc.ents`, in order."""
    lex = load()
    ents = [[e.start, e.end, e.label_] for e in doc.ents]
    ents = split_datelines(doc, ents)
    ents = trim(doc, ents, lex)
    ents = join_particles(doc, ents, lex)
    ents = honorific_names(doc, ents, lex)
    ents = first_name_persons(doc, ents, lex)
    ents = person_consistency(doc, ents, lex)
    ents = bracket_acronyms(doc, ents)
    ents = _drop_overlaps(ents, prefer_first=True)
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
    return doc
