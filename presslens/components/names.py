"""presslens_names_v1: mends spaCy NER slips that hurt attribution.

Runs right after spaCy's `ner`. PERSON spans become the bare proper name (honorifics and
office titles stay outside, where `presslens_coref_v1` records them), Arabic name particles
are joined, a name once PERSON stays PERSON, bracketed acronyms take their name's label.
The rules live in `presslens.entities.repairs`; see docs/entities.md.
"""

from spacy.language import Language
from spacy.tokens import Doc

from ..entities.repairs import repair


@Language.component("presslens_names_v1", requires=["doc.ents", "token.tag"], assigns=["doc.ents"])
def names(doc: Doc) -> Doc:
    return repair(doc)


def make_names(nlp: Language, name: str):
    """The factory of the unversioned name `presslens_names` (now v1), for a user's own pipeline
    and the `spacy_factories` entry point."""
    return names


Language.factory("presslens_names", requires=["doc.ents", "token.tag"], assigns=["doc.ents"])(make_names)
