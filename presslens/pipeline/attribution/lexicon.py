"""The cue lexicon: which lemmas and phrases introduce attributed content.

The lexicon is data, not code: `presslens/data/attribution/cues.tsv` (one cue a line:
`lemma<TAB>kind`, kind `verb | noun | phrase | source`; `#` starts a comment). Extend it by
adding lines, or pass another file to `Lexicon.load`. See the file's header for provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ...errors import Errors

DATA = "presslens.data.attribution"


@dataclass(frozen=True)
class Lexicon:
    verbs: frozenset[str]
    nouns: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]  # lower-cased word sequences, e.g. ("according", "to")
    vague: frozenset[str]  # source heads that name nobody in particular ("critics", "sources")

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        text = Path(path).read_text(encoding="utf-8") if path else resources.files(DATA).joinpath("cues.tsv").read_text(encoding="utf-8")
        kinds: dict[str, set[str]] = {"verb": set(), "noun": set(), "phrase": set(), "vague": set()}
        for n, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 2 or parts[1] not in kinds:
                raise ValueError(Errors.E020.format(resource="cues.tsv", line=n,
                                                   problem=f"expected 'lemma<TAB>verb|noun|phrase|vague', got {line!r}"))
            kinds[parts[1]].add(parts[0].lower())
        phrases = tuple(sorted((tuple(p.split()) for p in kinds["phrase"]), key=len, reverse=True))
        return cls(frozenset(kinds["verb"]), frozenset(kinds["noun"]), phrases, frozenset(kinds["vague"]))
