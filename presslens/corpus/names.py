"""Person names, parsed for corpus-level identity: what a name says about who it is.

`parse_person("President Donald J. Trump")` gives the display alias ("Donald J. Trump"), the
words that decide identity (first "donald", middles ("J",), last "trump", no suffix), the titles
taken off ("president") and any gender the honorific or first name tells. Pure functions over
the entity layer's word lists (presslens/data/lexicons/); presslens.corpus.persons clusters on
them.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..pipeline.entities.lexicons import Lexicons, load

SUFFIXES = {"jr": "jr", "jr.": "jr", "junior": "jr", "sr": "sr", "sr.": "sr", "senior": "sr",
            "ii": "ii", "iii": "iii", "iv": "iv", "2nd": "ii", "3rd": "iii"}
# Short forms of first names that name the same person ("Bill Clinton" is William Clinton). Only
# unambiguous pairs: a nickname maps to one full name.
NICKNAMES = {
    "bill": "william", "will": "william", "billy": "william", "bob": "robert", "bobby": "robert",
    "rob": "robert", "mike": "michael", "jim": "james", "jimmy": "james", "tom": "thomas",
    "tommy": "thomas", "dick": "richard", "rick": "richard", "chuck": "charles", "charlie": "charles",
    "joe": "joseph", "ted": "edward", "ed": "edward", "dan": "daniel", "danny": "daniel",
    "dave": "david", "steve": "stephen", "chris": "christopher", "tony": "anthony", "nick": "nicholas",
    "pat": "patrick", "liz": "elizabeth", "beth": "elizabeth", "kate": "katherine", "cathy": "catherine",
    "don": "donald", "ron": "ronald", "ken": "kenneth", "matt": "matthew", "andy": "andrew",
    "alex": "alexander", "sam": "samuel", "ben": "benjamin", "larry": "lawrence", "jerry": "gerald",
    "newt": "newton", "mitch": "mitchell", "bernie": "bernard", "hank": "henry", "jeff": "jeffrey",
}
PRONOUNS = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f",
            "herself": "f"}
_POSSESSIVE = re.compile(r"['’]s?$")
_INITIAL = re.compile(r"^[A-Za-z]\.?$|^(?:[A-Za-z]\.){2,}$")
_KEEP = re.compile(r"[^\w\s]")
_JUNK = re.compile(r"^[\W_]+|[\W_]+$")  # brackets, dashes, quotes around a word ("Hillary]", "-Donald")


def fold(text: str) -> str:
    """Lower case, accents off, punctuation off, one space between words: "José  Martí" -> "jose marti"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _KEEP.sub("", text.replace("-", " ").replace("’", "'")).lower()
    return " ".join(text.split())


def _is_initial(token: str) -> bool:
    return bool(_INITIAL.match(token))


@dataclass(frozen=True)
class PersonName:
    alias: str  # the name as shown: titles, possessive and headline words taken off, case repaired
    first: str  # folded first name with nicknames resolved ("" when the name is a surname alone)
    initial: str  # the first name's initial ("" when none)
    middles: tuple[str, ...]  # middle names and initials as written ("J", "Rodham")
    last: str  # folded surname with its particles ("al assad", "von der leyen")
    suffix: str  # "jr", "sr", "ii", ... or ""
    titles: tuple[str, ...] = ()  # folded title and honorific words taken off ("president", "mr")
    gender: str = "-"  # m, f or - (from an honorific, else the first name)
    dropped: str = ""  # leading words taken off as a headline fragment ("Offensive Things")

    @property
    def shape(self) -> str:
        """full (first and last name), initial ("J. Smith"), or surname (a surname alone)."""
        if self.first and len(self.first) > 1:
            return "full"
        return "initial" if self.initial else "surname"

    @property
    def middle_signature(self) -> tuple[tuple[str, bool], ...]:
        """Middle names as (initial letter, written in full), for telling George W. and George H. W. apart."""
        out: list[tuple[str, bool]] = []
        for m in self.middles:
            if _is_initial(m):
                out.extend((c.lower(), False) for c in m if c.isalpha())
            elif fold(m):
                out.append((fold(m)[:1], True))
        return tuple(out)


def _display(tokens: list[str]) -> str:
    text = " ".join(tokens)
    letters = [c for c in text if c.isalpha()]
    if len(letters) > 3 and all(c.isupper() for c in letters):  # "DONALD TRUMP" -> "Donald Trump"
        text = " ".join(t if _is_initial(t) else t[:1] + t[1:].lower() for t in tokens)
    return text


def parse_person(name: str, lex: Lexicons | None = None) -> PersonName | None:
    """The parts of a person's name; None when nothing of a name is left (a title alone)."""
    lex = lex or load()
    text = unicodedata.normalize("NFKC", name).replace("’", "'").strip()
    text = _POSSESSIVE.sub("", text).strip(" ,;:")
    tokens = []
    for t in text.split():
        if t.startswith("@"):  # a social-media handle is no part of a name
            continue
        end = "." if t.endswith(".") and _is_initial(t.rstrip(",")) or t.lower().rstrip(",") in SUFFIXES else ""
        t = _JUNK.sub("", t)
        if t:
            tokens.append(t + end if not t.endswith(".") and end else t)
    # Names begin with a capital: leading lower-case words ("a Donald Trump", "pro-Jeb Bush") go,
    # particles excepted ("bin Laden").
    while len(tokens) > 1 and not tokens[0][:1].isupper() and tokens[0].lower() not in lex.particles:
        first = tokens.pop(0)
        if "-" in first:  # "pro-Jeb": the capitalised part after the hyphen is the name
            tail = first.split("-")[-1]
            if tail[:1].isupper():
                tokens.insert(0, tail)
    titles: list[str] = []
    gender = "-"
    while len(tokens) > 1 and (lex.is_title_word(tokens[0]) or lex.is_title_word(tokens[0].rstrip("."))):
        low = tokens[0].lower()
        g = lex.gender_of_honorific(low)
        if g != "-":
            gender = g
        titles.append(lex.role_key(low))
        tokens.pop(0)
    suffix, written = "", []
    while len(tokens) > 1 and tokens[-1].lower() in SUFFIXES:
        written.insert(0, tokens.pop())
        suffix = SUFFIXES[written[0].lower()]
    if not tokens or (len(tokens) == 1 and lex.is_title_word(tokens[0].rstrip(".")) or lex.is_title_word(tokens[0])
                      and len(tokens) == 1):
        return None
    dropped: list[str] = []
    # A headline or title-case run before the name ("Offensive Things Donald Trump", "Real Donald
    # Trump"): words that are no first name, no initial and no particle, before a known first name.
    if len(tokens) >= 3 and tokens[0].lower() not in lex.first_names:
        for i in range(1, len(tokens) - 1):
            if tokens[i].lower() in lex.first_names:
                head = tokens[:i]
                if not any(_is_initial(t) or t.lower() in lex.particles for t in head):
                    dropped, tokens = head, tokens[i:]
                break
    # The surname takes the particles before it ("Osama bin Laden", "Ursula von der Leyen").
    # A capitalised particle that would leave no given name is a first name ("Ben Carson", "Van Jones").
    k = len(tokens) - 1
    while k > 0 and tokens[k - 1].lower() in lex.particles and (k > 1 or not tokens[k - 1][:1].isupper()):
        k -= 1
    last_tokens, given = tokens[k:], tokens[:k]
    last = fold(" ".join(last_tokens))
    if not last:
        return None
    first = initial = ""
    middles: tuple[str, ...] = ()
    if given:
        head = fold(given[0])
        initial = head[:1]
        first = "" if _is_initial(given[0]) else NICKNAMES.get(head.split()[0] if head else "", head)
        middles = tuple(given[1:])
        if gender == "-" and head:
            gender = lex.first_names.get(head.split()[0], "-")
            if gender not in ("m", "f"):
                gender = "-"
    return PersonName(alias=_display(tokens + written),
                      first=first, initial=initial, middles=middles, last=last, suffix=suffix,
                      titles=tuple(t for t in titles if t), gender=gender, dropped=" ".join(dropped))


def org_key(name: str) -> str:
    """The folded name of an organisation or group: "the White House's" -> "white house"."""
    text = _POSSESSIVE.sub("", unicodedata.normalize("NFKC", name).strip())
    words = fold(text).split()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


def pronoun_gender(texts: list[str]) -> str:
    """m or f when the pronouns of an entity agree two to one, else -."""
    m = sum(1 for t in texts if PRONOUNS.get(t.lower()) == "m")
    f = sum(1 for t in texts if PRONOUNS.get(t.lower()) == "f")
    if m >= 2 * f and m:
        return "m"
    if f >= 2 * m and f:
        return "f"
    return "-"


@functools.lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Adjectives, adverbs and verbs of English (the WordNet-derived lemma index the English
    pipeline's lemmatizer ships), and irregular verb forms. Nouns are left out: too many names
    are nouns too (Taylor, Davis, Kelly). Empty when the pipeline's tables cannot be found."""
    from spacy.lookups import Lookups

    from ..pipeline.build import default_model

    try:
        spec = importlib.util.find_spec(default_model())
    except Exception:  # no English pipeline: no word list, the rule simply never fires
        return frozenset()
    if spec is None or spec.origin is None:
        return frozenset()
    found = sorted(Path(spec.origin).parent.glob("*/lemmatizer/lookups/lookups.bin"))
    if not found:
        return frozenset()
    lookups = Lookups().from_disk(found[0].parent)
    index, exc = lookups.get_table("lemma_index"), lookups.get_table("lemma_exc")
    words: set[str] = set()
    for pos in ("adj", "adv", "verb"):
        words.update(index.get(pos, []))
        words.update(exc.get(pos, {}).keys() if pos == "verb" else ())
    return frozenset(words)


_VERB_ENDINGS = (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""))


def common_word(word: str) -> bool:
    """Whether `word` is an English adjective, adverb or verb (any inflection): "Absent",
    "Asserting", "Still", "Crooked". Such a word before a surname is a headline fragment."""
    low = word.lower()
    words = _english_words()
    if low in words:
        return True
    for ending, stem in _VERB_ENDINGS:
        if low.endswith(ending) and len(low) > len(ending) + 2:
            base = low[: -len(ending)]
            if base + stem in words or (len(base) > 2 and base[-1] == base[-2] and base[:-1] in words):
                return True
    return False
