"""presslens_times_v1: time expressions normalised against the article date (scaffold: none yet)."""

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("presslens_times_v1", assigns=["doc._.pl_times"])
def times(doc: Doc) -> Doc:
    doc._.pl_times = []
    return doc
