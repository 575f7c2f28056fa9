"""In-article coreference: grouping the mentions of `presslens.pipeline.entities.mentions` into one
chain per person, organisation, place or group, with rules over names, the parse and lexicons.

One pass over the mentions in document order; each mention either joins a chain or starts one:
1. names join the most recent chain whose names they agree with (token subsets for people,
   "Qassem" ~ "Naim Qassem", "Assad" ~ "Bashar al-Assad"; exact words or initials for
   organisations and places, "UAE" ~ "United Arab Emirates");
2. appositive roles join the name they are apposed to;
3. definite role phrases ("the Hezbollah official", "the senator") join the most recent
   person whose titles and roles share their words, else the person who was the subject of
   the previous sentence, else, as a last resort, the new person named in the next sentence
   (news leads: "The deputy head of Hezbollah said ... Sheikh Naim Qassem told ...");
4. pronouns join the most salient compatible chain of the last three sentences: same sentence
   first, then subjects, then the most recent; gender from honorifics, first names, gendered
   role nouns and earlier pronouns; "him" never binds to the subject of its own verb.
Uncertain cases are left out rather than guessed: precision matters more to attribution.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from .lexicons import Lexicons
from .mentions import SUBJECT_DEPS, Mention, speaks
from .repairs import initials, name_key

PRONOUN_WINDOW = 3  # sentences back that a pronoun looks for its antecedent
_NON_BINDING = frozenset(("his", "her", "hers", "himself", "herself"))


@dataclass(eq=False)
class Chain:
    type: str
    mentions: list[Mention] = field(default_factory=list)
    keys: list[tuple[str, ...]] = field(default_factory=list)
    names: list[Span] = field(default_factory=list)
    gender: str = "-"
    roles: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    words: set[str] = field(default_factory=set)  # words of titles and roles, for role matching
    owner: Chain | None = None  # "Clinton's campaign": the chain of Clinton

    def describe(self, text: str, lex: Lexicons) -> None:
        for word in text.replace("\u2019", "'").split():
            word = word.removesuffix("'s").lower().strip(",")
            if word and word not in ("of", "the", "and", "a", "an"):
                self.words.add(lex.role_key(word))

    def agree_gender(self, gender: str) -> bool:
        return gender == "-" or self.gender in ("-", gender)


@dataclass
class _Event:
    pos: int
    sent: int
    chain: Chain
    subject: bool
    head: Token
    reported: bool = False  # the mention is inside quoted or reported content
    speaker: bool = False  # the mention is the subject of a reporting verb


class Resolver:
    def __init__(self, lex: Lexicons):
        self.lex = lex
        self.chains: list[Chain] = []
        self.history: list[_Event] = []
        self.pending: list[Mention] = []  # role phrases waiting for the person named next

    def run(self, mentions: list[Mention]) -> list[Chain]:
        bound: list[Mention] = []  # appositive roles waiting for their name to be resolved
        owned: list[tuple[Mention, Mention]] = []  # possessed roles waiting for their possessor
        owners = {}
        for m in mentions:
            if m.owner is None and m.kind in ("name", "title", "pronoun"):
                for k in range(m.span.start, m.span.end):
                    owners.setdefault(k, m)
        for m in mentions:
            if m.owner is not None:
                if m.owner in owners:
                    owned.append((m, owners[m.owner]))
            elif m.kind in ("name", "title", "group"):
                self._name(m)
            elif m.bound is not None:
                bound.append(m)
            elif m.kind == "role":
                self._role(m)
            elif m.kind == "pronoun":
                self._pronoun(m)
            # as soon as the name is known, so that a later "the mayor" finds the words of
            # "The mayor of Port Ainsley, Mr. Victor Lunde"
            for b in [b for b in bound if b.bound.entity is not None]:
                self._add(b.bound.entity, b)
                bound.remove(b)
            for pair in [p for p in owned if p[1].entity is not None]:
                self._owned(*pair)
                owned.remove(pair)
        return self.chains

    def _owned(self, m: Mention, owner: Mention) -> None:
        """ "Clinton's campaign", "Trump aides", "her supporters", "Donald Trump's son": a chain
        of its own, linked to the possessor's chain, so that it speaks for itself."""
        type_ = "ORG" if m.extra.get("org") else "NORP" if m.extra.get("group") else "PERSON"
        chain = Chain(type_, owner=owner.entity)
        self.chains.append(chain)
        self._add(chain, m)

    # -- adding -------------------------------------------------------------------------------
    def _add(self, chain: Chain, m: Mention) -> None:
        m.entity = chain
        chain.mentions.append(m)
        if m.gender != "-" and chain.gender == "-":
            chain.gender = m.gender
        for text in (m.honorific, m.title):
            if text and text not in chain.titles:
                chain.titles.append(text)
                chain.describe(text, self.lex)
        if m.kind == "role" and m.role:
            if m.role not in chain.roles:
                chain.roles.append(m.role)
            chain.describe(m.role, self.lex)
        if m.name is not None:
            chain.names.append(m.name)
            key = name_key(m.name, self.lex)
            if key and key not in chain.keys:
                chain.keys.append(key)
        self.history.append(_Event(m.head.i, m.sent, chain, m.head.dep_ in SUBJECT_DEPS, m.head,
                                   m.reported, speaks(m.head, self.lex)))

    def _last_pos(self, chain: Chain) -> int:
        return max(m.span.start for m in chain.mentions)

    # -- names --------------------------------------------------------------------------------
    def _name(self, m: Mention) -> None:
        key = name_key(m.name, self.lex)
        if m.label == "PERSON":
            chain = self._match_person(key, m)
        else:
            chain = self._match_other(key, m)
        if chain is None:
            chain = Chain(m.label)
            self.chains.append(chain)
            if m.label == "PERSON":
                for role in self.pending:
                    # the next sentence only: a new name in the role's own sentence is someone
                    # else ("The deputy head of the authority said the Tell Abyad dam ...")
                    if role.sent == m.sent - 1 and chain.agree_gender(role.gender):
                        self._add(chain, role)
        if m.label == "PERSON":  # roles of this sentence still wait for the next one
            self.pending = [role for role in self.pending if role.sent == m.sent]
        self._add(chain, m)

    def _match_person(self, key: tuple[str, ...], m: Mention) -> Chain | None:
        if not key:
            return None
        words = set(key)
        best = None
        for chain in self.chains:
            if chain.type != "PERSON" or not chain.agree_gender(m.gender):
                continue
            # every name of the chain must agree: "Ivanka Trump" is not "Donald Trump"
            if all(words <= set(k) or set(k) <= words for k in chain.keys):
                if best is None or self._last_pos(chain) > self._last_pos(best):
                    best = chain
        return best

    def _match_other(self, key: tuple[str, ...], m: Mention) -> Chain | None:
        if not key:
            return None
        acronym = m.name.text.replace(".", "") if len(m.name) == 1 and m.name.text.isupper() else ""
        mine = initials(m.name)
        best = None
        for chain in self.chains:
            if chain.type == "PERSON" or (chain.type == "NORP") != (m.label == "NORP"):
                continue
            hit = key in chain.keys or (acronym and any(initials(n) == acronym for n in chain.names)) or (
                len(m.name) > 1 and any(len(n) == 1 and n.text.replace(".", "") == mine for n in chain.names)
            )
            if hit and (best is None or self._last_pos(chain) > self._last_pos(best)):
                best = chain
        return best

    # -- role phrases -------------------------------------------------------------------------
    def _role(self, m: Mention) -> None:
        if m.extra.get("org"):
            chain = self._org_role(m)
            if chain is not None:
                self._add(chain, m)
            return
        chain = self._person_role(m)
        if chain is not None:
            self._add(chain, m)
        elif (m.is_subject or m.head.dep_ == "ROOT") and not m.reported:
            # the parser makes some lead subjects ROOT; a role someone is reported to talk
            # about ("aides said the president would not resign") introduces nobody
            self.pending.append(m)

    def _org_role(self, m: Mention) -> Chain | None:
        noun = m.head.lemma_.lower()
        # noun modifiers must agree: "the appeals court" is not the Supreme Court
        nouns = {t.lower_ for t in m.span if t.dep_ == "compound" and t.pos_ == "NOUN"}
        best = None
        for chain in self.chains:
            if chain.type not in ("ORG", "GPE"):
                continue
            words = chain.words.union(*map(set, chain.keys))
            if noun in words and nouns <= words:
                if best is None or self._last_pos(chain) > self._last_pos(best):
                    best = chain
        # "The World Health Organization said ... The agency urged governments to act"
        return best or self._introduced_before(m, "ORG")

    def _person_role(self, m: Mention) -> Chain | None:
        lex = self.lex
        head = lex.role_key(m.head.lemma_.lower())
        generic = head in lex.generic_roles
        mods, proper = set(), set()
        for t in m.span:
            if t.i == m.head.i or t.dep_ == "det" or t.is_punct or t.lower_ in ("of", "'s", "\u2019s", "the"):
                continue
            mods.add(lex.role_key(t.lower_))
            if t.ent_type_ in ("GPE", "NORP", "ORG"):
                proper.add(t.lower_)
        best, best_key = None, None
        seen = set()
        for ev in reversed(self.history):
            chain = ev.chain
            if chain in seen or chain.type != "PERSON" or ev.pos >= m.span.start:
                continue
            seen.add(chain)
            if not chain.agree_gender(m.gender) or self._office_conflict(chain, head, generic):
                continue
            score = (2 if head in chain.words else 0) + len(mods & chain.words)
            score -= 2 * len(proper - chain.words) if chain.words else 0
            if score <= 0:
                continue
            key = (score, ev.pos)
            if best_key is None or key > best_key:
                best, best_key = chain, key
        if best is not None:
            return best
        # a person introduced in the previous sentence, described next: "Sen. Elizabeth Warren
        # accused ... The Massachusetts Democrat said"
        chain = self._introduced_before(m, "PERSON")
        if chain is not None and chain.agree_gender(m.gender) and not self._office_conflict(chain, head, generic):
            return chain
        return None

    def _introduced_before(self, m: Mention, type_: str) -> Chain | None:
        """The chain that was introduced in the sentence before `m` as its main subject, when
        `m` is itself the subject of its sentence's main verb: the news pattern of naming
        someone, then describing them. Anything less certain gives None."""
        if not m.is_subject or m.head.head.dep_ != "ROOT":
            return None
        for ev in reversed(self.history):
            if ev.sent < m.sent - 1:
                break
            if ev.sent != m.sent - 1 or not ev.subject or ev.head.head.dep_ != "ROOT":
                continue
            chain = ev.chain
            first = min(x.sent for x in chain.mentions)
            return chain if chain.type == type_ and first == m.sent - 1 else None
        return None

    def _office_conflict(self, chain: Chain, head: str, generic: bool) -> bool:
        """ "the senator" cannot be someone known only as "President": an office role noun
        must be among the person's offices when any is known."""
        if generic:
            return False
        offices = {w for w in chain.words if w in self.lex.role_nouns and w not in self.lex.generic_roles}
        return bool(offices) and head not in offices

    # -- pronouns -----------------------------------------------------------------------------
    def _pronoun(self, m: Mention) -> None:
        org = m.extra.get("org", False)
        window = 1 if org else PRONOUN_WINDOW
        pron = m.head
        # "Trump praised him": an object pronoun is not its own verb's subject
        bound = set()
        if pron.lower_ not in _NON_BINDING and pron.dep_ not in SUBJECT_DEPS:
            bound = {ev.chain for ev in self.history[-20:] if ev.subject and ev.head.head == pron.head}
        # "he said" never names someone he is reported to talk about ("Lopez said Harris would
        # lose. He said ..." is not Harris), and within a sentence the one who speaks comes first
        speaker = speaks(pron, self.lex)
        best, best_key = None, None
        for ev in reversed(self.history):
            if ev.sent < m.sent - window:
                break
            if ev.pos >= pron.i or (speaker and ev.reported and not ev.speaker):
                continue
            chain = ev.chain
            if org:
                if chain.type not in ("ORG", "GPE"):
                    continue
            elif chain.type != "PERSON" or not chain.agree_gender(m.gender):
                continue
            if chain in bound:
                continue
            key = (m.sent - ev.sent, 0 if ev.speaker else 1, 0 if ev.subject else 1, -ev.pos)
            if best_key is None or key < best_key:
                best, best_key = chain, key
        if best is not None:
            self._add(best, m)


def canonical_name(chain: Chain, lex: Lexicons) -> str:
    """The longest proper name of the chain, without honorific or title; for people, among those
    ending in the most frequent surname (so a stray "Obama Speech" does not name Barack Obama).
    A possessed chain without a name of its own is named after its possessor: "Hillary
    Clinton's campaign"."""
    if not chain.names and chain.owner is not None and chain.roles:
        return f"{canonical_name(chain.owner, lex)}'s {chain.roles[0]}"
    if not chain.names:
        return chain.roles[0] if chain.roles else ""
    keys = [(name, name_key(name, lex)) for name in chain.names]
    lasts = Counter(key[-1] for _, key in keys if key) if chain.type == "PERSON" else None
    names = [n for n, key in keys if key and key[-1] == lasts.most_common(1)[0][0]] if lasts else chain.names
    best = max(names or chain.names, key=lambda n: (len(name_key(n, lex)), len(n.text)))
    return best.text
