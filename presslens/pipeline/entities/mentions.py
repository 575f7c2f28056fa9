"""Finding the mentions that coreference links: names (with their honorifics and titles),
role phrases, pronouns and groups, read off spaCy's NER and dependency parse.

Mention kinds (the `kind` of `DocMention`):
- `name`: a proper name, alone or after a courtesy honorific ("Qassem", "Sheikh Qassem",
  "Mr. Trump", "the UAE" is "UAE");
- `title`: a name after an office title ("President Donald Trump", "Sen. Elizabeth Warren",
  "Iranian Foreign Minister Mohammad Javad Zarif"); the span covers title and name;
- `role`: a noun phrase describing the person or organisation without naming it
  ("the Hezbollah official", "the deputy head of Lebanon's resistance movement Hezbollah");
- `pronoun`: he, him, his, himself, she, her, hers, herself; "it" as the subject of a speech
  verb, for organisations;
- `group`: a plural nationality or group name ("Palestinians").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.attrs import LEMMA, POS
from spacy.symbols import AUX, VERB
from spacy.tokens import Doc, Span, Token

from ..annotations import per_doc, token_texts
from ..attribution.quotes import single_quote_marks
from .lexicons import Lexicons
from .repairs import name_key

NAMED_TYPES = frozenset(("PERSON", "ORG", "GPE", "NORP"))
SUBJECT_DEPS = frozenset(("nsubj", "nsubjpass"))
PRONOUN_GENDER = {
    "he": "m", "him": "m", "his": "m", "himself": "m",
    "she": "f", "her": "f", "hers": "f", "herself": "f",
}
_ROLE_CUT_DEPS = frozenset(("relcl", "acl", "appos", "punct", "cc", "conj", "advcl"))
_FINITE = frozenset(("VBZ", "VBD", "VBP", "MD"))
_QUOTES = {"\u201c": 1, "\u201d": -1, '"': 0}


@dataclass
class Candidate:
    """A mention while the entity stage finds and links it (the Doc gets a `DocMention`, the
    output a `types.Mention`)."""

    span: Span
    kind: str  # name, title, role, pronoun, group
    head: Token  # the syntactic head, for salience and binding
    sent: int  # sentence number
    name: Span | None = None  # the NER span of a name or title mention
    label: str = ""  # NER label of the name
    honorific: str = ""  # "Sheikh", "Mr."
    title: str = ""  # "US President"
    role: str = ""  # role text without its determiner
    gender: str = "-"
    bound: Candidate | None = None  # the name an appositive role belongs to
    reported: bool = False  # inside quoted or reported content (`reported_tokens`)
    owner: int | None = None  # token of the possessor of "Clinton's campaign", "her supporters"
    entity: object = None  # set by `chains`
    extra: dict = field(default_factory=dict)

    @property
    def is_subject(self) -> bool:
        return self.head.dep_ in SUBJECT_DEPS


def sentence_index(doc: Doc) -> list[int]:
    index = [0] * len(doc)
    for n, sent in enumerate(doc.sents):
        for i in range(sent.start, sent.end):
            index[i] = n
    return index


@per_doc
def quoted_tokens(doc: Doc) -> list[bool]:
    """Whether each token lies inside quotation marks. Straight quotes toggle; curly ones
    open and close; a line break ends any quote left open (paragraph quotes restart)."""
    texts, spaces = token_texts(doc)
    inside, depth = [False] * len(doc), 0
    for i, text in enumerate(texts):
        if "\n" in text:
            depth = 0
        step = _QUOTES.get(text)
        if step is None:
            inside[i] = depth > 0
            continue
        depth = (0 if depth else 1) if step == 0 else max(0, depth + step)
    # British single quotes ('We will win,' he said), apostrophes left alone
    single = single_quote_marks(texts, spaces, [int(x) for x in inside])
    return [x or bool(q) for x, q in zip(inside, single)]


def reported_tokens(doc: Doc, lex: Lexicons, quoted: list[bool] | None = None) -> list[bool]:
    """Whether each token lies in what someone is reported to say: inside quotation marks, in
    the clausal complement of a reporting verb ("Warren said [Sanders was wrong]"), or in the
    clause that a parenthetical reporting verb interrupts ("[Sanders was wrong], Warren said").
    A name there is talked about, not talking: a later "he said" is not that person."""
    out = list(quoted) if quoted is not None else quoted_tokens(doc)
    strings = doc.vocab.strings
    rows = doc.to_array([POS, LEMMA]).tolist() if len(doc) else []  # Token objects only for verbs
    for i, (pos, lemma) in enumerate(rows):
        if pos not in (VERB, AUX) or strings[lemma].lower() not in lex.reporting_verbs:
            continue
        t = doc[i]
        for c in t.children:
            if c.dep_ in ("ccomp", "xcomp"):
                for k in range(c.left_edge.i, c.right_edge.i + 1):
                    out[k] = True
        if t.dep_ == "parataxis" and t.head.i != t.i:
            own = {k.i for k in t.subtree}
            for k in t.head.subtree:
                if k.i not in own and k.i != t.head.i:
                    out[k.i] = True
            out[t.head.i] = True
    return out


def speaks(t: Token, lex: Lexicons) -> bool:
    """The subject of a reporting verb: "he said", "said Qassem", "She told reporters"."""
    return t.dep_ == "nsubj" and t.head.lemma_.lower() in lex.reporting_verbs


def _title_before(doc: Doc, start: int, lex: Lexicons) -> tuple[int, int]:
    """The honorific and office title written just before a name at `start`, as token
    positions `(title_start, honorific_start)`; both equal `start` when there is none.

    "Iranian Foreign Minister Mohammad Javad Zarif": title from "Iranian"; "Sheikh Naim
    Qassem": honorific from "Sheikh"; "Hezbollah deputy chief Naim Qassem": title from
    "Hezbollah". A run counts as a title only if it holds a role noun ("Minister", "chief").
    """
    k = start
    # honorifics, one or two words ("Grand Ayatollah")
    if k >= 2 and f"{doc[k - 2].lower_} {doc[k - 1].lower_}" in lex.honorifics:
        k -= 2
    elif k >= 1 and doc[k - 1].lower_ in lex.honorifics and doc[k - 1].text[:1].isupper():
        k -= 1
    honorific = k
    j, has_head = k, False
    while j > 0:
        t = doc[j - 1]
        low = t.lower_
        if low in lex.titles or (low in lex.role_nouns and low not in lex.person_nouns):
            has_head = has_head or lex.role_key(low) in lex.role_nouns
            j -= 1
        elif t.ent_type_ in ("GPE", "NORP", "ORG") and t.ent_type_ != "PERSON":
            j -= 1
        elif low in ("'s", "\u2019s") and j >= 2 and doc[j - 2].ent_type_ in ("GPE", "ORG"):
            j -= 1
        elif t.text == "-" and not t.whitespace_ and j >= 2 and not doc[j - 2].whitespace_:
            j -= 1  # "Iran-backed"
        else:
            break
    # a title is part of the name's phrase, never a word of the previous one
    if not has_head or j == k:
        return honorific, honorific
    while j < k and (doc[j].text == "-" or doc[j].lower_ in ("'s", "\u2019s")):
        j += 1
    return j, honorific


def _role_text(span: Span) -> str:
    tokens = list(span)
    while tokens and (tokens[0].dep_ == "det" or tokens[0].pos_ in ("ADV", "CCONJ", "PUNCT")):
        tokens = tokens[1:]
    return "".join(t.text_with_ws for t in tokens).strip()


def role_span(noun: Token, stop: int | None = None) -> Span:
    """The noun phrase a role noun heads, without relative clauses, appositions and what
    follows a comma: "the deputy head of Lebanon's resistance movement Hezbollah"."""
    doc = noun.doc
    start, end = noun.left_edge.i, noun.i + 1
    for child in noun.rights:
        if child.dep_ in _ROLE_CUT_DEPS or doc[child.left_edge.i - 1].text == ",":
            break
        end = child.right_edge.i + 1
    # A clause the parser hung deeper inside the phrase ends it too: in "The deputy head of
    # Lebanon's resistance movement Hezbollah has denounced ..." "denounced" is parsed as a
    # relative clause of "movement", and a role phrase never holds a finite verb.
    for t in doc[noun.i + 1 : end]:
        if t.dep_ in ("relcl", "acl") or t.tag_ in _FINITE:
            end = max(t.left_edge.i if t.dep_ in ("relcl", "acl") else t.i, noun.i + 1)
            break
    if stop is not None:
        end = min(end, stop)
    elif end < len(doc) and doc[end - 1].pos_ == "NOUN" and doc[end].ent_iob_ == "B" and doc[end].ent_type_ in ("ORG", "GPE", "NORP"):
        # "movement Hezbollah": a name right after the phrase's last noun belongs to it even
        # when the parser made it the subject of what follows
        end += 1
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
    while end > start + 1 and (doc[end - 1].is_punct or doc[end - 1].lower_ in ("'s", "\u2019s")):
        end -= 1
    while start < noun.i and doc[start].is_punct:
        start += 1
    return doc[start:end]


def _reported(t: Token, lex: Lexicons) -> bool:
    """"it" that speaks ("it said") or is spoken of by a speaker ("the ministry said it would"),
    not the "it" of "it is clear"."""
    verb = t.head
    return verb.lemma_ in lex.reporting_verbs or (verb.dep_ == "ccomp" and verb.head.lemma_ in lex.reporting_verbs)


def _is_role_noun(t: Token, lex: Lexicons) -> bool:
    return t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() in lex.role_nouns and t.tag_ in ("NN", "NNP")


def find_mentions(doc: Doc, lex: Lexicons) -> list[Candidate]:
    """Every candidate mention of `doc`, in document order."""
    sent_of = sentence_index(doc)
    quoted = quoted_tokens(doc)
    mentions: list[Candidate] = []
    used = [False] * len(doc)

    for ent in doc.ents:
        if ent.label_ not in NAMED_TYPES:
            continue
        root = ent.root
        if ent.label_ == "NORP":
            # "Syrian President": an adjective, not a speaker; "the Massachusetts Democrat" is a role
            if root.dep_ in ("amod", "compound") or root.pos_ == "ADJ" or root.tag_ not in ("NNPS", "NNS"):
                continue
            mentions.append(Candidate(ent, "group", root, sent_of[ent.start], name=ent, label="NORP"))
            continue
        m = Candidate(ent, "name", root, sent_of[ent.start], name=ent, label=ent.label_)
        if ent.label_ == "PERSON":
            title_start, hon_start = _title_before(doc, ent.start, lex)
            if hon_start < ent.start:
                m.honorific = doc[hon_start : ent.start].text
                m.gender = lex.gender_of_honorific(m.honorific)
            if title_start < hon_start:
                m.title = doc[title_start:hon_start].text
                m.kind = "title"
                last = doc[hon_start - 1].lower_
                m.gender = m.gender if m.gender != "-" else lex.role_nouns.get(lex.role_key(last), "-")
            m.span = doc[title_start : ent.end]
            if m.gender == "-" and len(name_key(ent, lex)) > 1:
                m.gender = lex.first_names.get(ent[0].lower_, "-")
        if ent.label_ == "PERSON":
            # a person's name and title are no role phrase; organisation names inside a role
            # phrase ("the Hezbollah official") stay free
            for k in range(m.span.start, m.span.end):
                used[k] = True
        mentions.append(m)
        mentions.extend(_appositive_roles(m, lex, used))

    for t in doc:
        if used[t.i] or quoted[t.i]:
            continue
        low = t.lower_
        if low in PRONOUN_GENDER and t.tag_ in ("PRP", "PRP$"):
            mentions.append(Candidate(doc[t.i : t.i + 1], "pronoun", t, sent_of[t.i], gender=PRONOUN_GENDER[low]))
        elif low == "it" and t.dep_ in SUBJECT_DEPS and _reported(t, lex):
            mentions.append(Candidate(doc[t.i : t.i + 1], "pronoun", t, sent_of[t.i], extra={"org": True}))
        elif _is_role_noun(t, lex) or (t.pos_ == "NOUN" and t.lemma_ in lex.org_nouns and t.tag_ == "NN"):
            if not any(c.dep_ == "det" and c.lower_ == "the" for c in t.lefts) or _owner(t) is not None:
                continue  # no role phrase without "the"; "the Clinton campaign" is `_possessed`
            span = role_span(t)
            if any(used[k] for k in range(span.start, span.end)) or any(
                doc[k].ent_type_ == "PERSON" for k in range(span.start, span.end)
            ):
                continue
            is_org = t.lemma_ in lex.org_nouns and not _is_role_noun(t, lex)
            m = Candidate(span, "role", t, sent_of[t.i], role=_role_text(span),
                        gender=lex.role_nouns.get(t.lemma_.lower(), "-"), extra={"org": is_org})
            mentions.append(m)
    reported = reported_tokens(doc, lex, quoted)
    mentions.extend(_possessed(doc, lex, used, reported, sent_of))
    mentions.sort(key=lambda m: (m.span.start, -m.span.end))
    for m in mentions:
        m.reported = reported[m.head.i]
    return mentions


def _describes(noun: Token, label: str, lex: Lexicons) -> bool:
    """Whether an appositive noun reads as a description of a person (a role noun: "a doctor")
    or of an organisation ("the Iran-backed group"), never an amount ("the 15 percent threshold")."""
    if noun.pos_ != "NOUN" or any(t.like_num for t in noun.subtree):
        return False
    lemma = noun.lemma_.lower()
    if label == "PERSON":
        return lemma in lex.role_nouns
    return lemma in lex.org_nouns or (noun.tag_ == "NN" and any(c.dep_ == "det" for c in noun.lefts))


def _appositive_roles(m: Candidate, lex: Lexicons, used: list[bool]) -> list[Candidate]:
    """Role phrases in apposition to a name: "Qassem, the deputy head of Hezbollah," and
    "The deputy head of Hezbollah, Naim Qassem,"; also "Hezbollah, the Iran-backed group,"."""
    doc, root = m.span.doc, m.head
    out = []
    candidates = [c for c in root.rights if c.dep_ == "appos" and _describes(c, m.label, lex)]
    for noun in candidates:
        span = role_span(noun)
        if span.start > m.span.end:
            out.append(span)
    if root.dep_ == "appos" and _describes(root.head, m.label, lex) and root.head.i < m.span.start:
        noun = root.head
        span = role_span(noun, stop=m.span.start)
        out.append(span)
    roles = []
    for span in out:
        # a role may hold another person's name ("Trump's spokesman, Hogan Gidley"), but not
        # this one's, nor another role
        if not len(span) or span.start < m.span.end <= span.end or any(used[k] and doc[k].ent_type_ != "PERSON" for k in range(span.start, span.end)):
            continue
        head = span.root
        used[head.i] = True  # "the agency" inside "a spokeswoman for the agency" stays free
        roles.append(Candidate(span, "role", head, m.sent, role=_role_text(span), bound=m,
                             gender=lex.role_nouns.get(head.lemma_.lower(), "-")))
    return roles


def _owner(noun: Token) -> Token | None:
    """The possessor of a noun: "Clinton's campaign", "her supporters", "Donald Trump's son",
    or a person's name used as a modifier: "Trump aides", "the Clinton campaign"."""
    for c in noun.lefts:
        if c.dep_ == "poss" and (c.ent_type_ in NAMED_TYPES or c.lower_ in PRONOUN_GENDER):
            return c
        if c.dep_ == "compound" and c.ent_type_ == "PERSON":
            return c  # not "the Hezbollah official": a definite description of a person
    return None


def _speaks_here(t: Token) -> bool:
    """A noun in a speaker's place: a subject, "according to X", "denounced by X". Only there
    does a possessed noun need to be an entity ("her father" as an object is not)."""
    if t.dep_ in SUBJECT_DEPS:
        return True
    return t.dep_ == "pobj" and (t.head.lower_ == "by" or (t.head.lower_ == "to" and t.head.head.lower_ == "according"))


def _possessed(doc: Doc, lex: Lexicons, used: list[bool], reported: list[bool], sent_of: list[int]) -> list[Candidate]:
    """Role and organisation nouns that belong to someone named: "Clinton's campaign said" is
    the campaign speaking, not Clinton; "her supporters", "Trump aides", "Donald Trump's son".
    The chain links them to the possessor (`Chain.owner`), never into the possessor's chain."""
    out = []
    for t in doc:
        if used[t.i] or reported[t.i] or t.pos_ != "NOUN":
            continue  # not in what someone is reported to say: there it is talked about
        lemma = t.lemma_.lower()
        if lemma not in lex.role_nouns and lemma not in lex.org_nouns:
            continue
        owner = _owner(t)
        if owner is None or not _speaks_here(t):
            continue
        span = role_span(t)
        if any(used[k] and doc[k].ent_type_ != "PERSON" for k in range(span.start, span.end)):
            continue
        if any(doc[k].ent_type_ == "PERSON" and not (owner.left_edge.i <= k <= owner.i) for k in range(span.start, span.end)):
            continue  # "Trump's spokesman Hogan Gidley": the name is the role's own person
        group = t.tag_ == "NNS" or lemma in lex.org_nouns
        gender = "-" if group else lex.role_nouns.get(lemma, "-")
        own = {k.i for k in owner.subtree}
        noun = "".join(k.text_with_ws for k in span if k.i not in own and k.dep_ != "det").strip()
        out.append(Candidate(span, "role", t, sent_of[t.i], role=noun, gender=gender, owner=owner.i,
                           extra={"org": lemma in lex.org_nouns, "group": group}))
    return out
