"""The word lists of the entity layer, read once from `presslens/data/lexicons/`."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parents[2] / "data" / "lexicons"


def _lines(name: str) -> list[str]:
    out = []
    for line in (LEXICON_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip() if not line.startswith("#") else ""
        if line:
            out.append(line)
    return out


def _pairs(name: str) -> dict[str, str]:
    return dict(line.split("\t", 1) for line in _lines(name))


@dataclass(frozen=True)
class Lexicons:
    honorifics: dict[str, str]  # lower-case honorific -> gender (m, f, -)
    titles: frozenset[str]  # lower-case words of office titles
    title_aliases: dict[str, str]  # "sen." -> "senator"
    role_nouns: dict[str, str]  # lower-case role noun -> gender
    generic_roles: frozenset[str]  # role nouns that fit any person ("official", "leader")
    person_nouns: frozenset[str]  # role nouns that never make an office title ("wife")
    org_nouns: frozenset[str]
    first_names: dict[str, str]  # lower-case first name -> gender
    particles: frozenset[str]
    reporting_verbs: frozenset[str]
    document_nouns: frozenset[str]  # "statement", "letter": speak for their author

    def gender_of_honorific(self, text: str) -> str:
        return self.honorifics.get(text.lower(), "-")

    def is_title_word(self, text: str) -> bool:
        low = text.lower()
        return low in self.titles or low in self.honorifics

    def role_key(self, word: str) -> str:
        """The role noun a title word stands for, so "Sen." matches "the senator"."""
        low = word.lower()
        return self.title_aliases.get(low, low.rstrip("."))


@functools.lru_cache(maxsize=1)
def load() -> Lexicons:
    roles = [line.split("\t") for line in _lines("role_nouns.tsv")]
    return Lexicons(
        honorifics=_pairs("honorifics.tsv"),
        titles=frozenset(_lines("titles.txt")),
        title_aliases=_pairs("title_aliases.tsv"),
        role_nouns={r[0]: r[1] for r in roles},
        generic_roles=frozenset(r[0] for r in roles if r[2] in ("generic", "person")),
        person_nouns=frozenset(r[0] for r in roles if r[2] == "person"),
        org_nouns=frozenset(_lines("org_nouns.txt")),
        first_names=_pairs("first_names.tsv"),
        particles=frozenset(_lines("name_particles.txt")),
        reporting_verbs=frozenset(_lines("reporting_verbs.txt")),
        document_nouns=frozenset(_lines("document_nouns.txt")),
    )
