"""presslens_names_v1: mends spaCy NER slips that hurt attribution (scaffold: no-op for now)."""

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("presslens_names_v1", requires=["doc.ents"], assigns=["doc.ents"])
def names(doc: Doc) -> Doc:
    return doc
