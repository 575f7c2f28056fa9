"""presslens_attribution_v1: statements and their speakers (scaffold: quotation marks only)."""

import re

from spacy.language import Language
from spacy.tokens import Doc

from ..annotations import DocStatement

_QUOTE = re.compile(r"\u201c[^\u201c\u201d]+\u201d|\"[^\"\n]+\"")


@Language.component("presslens_attribution_v1", requires=["doc._.pl_entities"], assigns=["doc._.pl_statements"])
def attribution(doc: Doc) -> Doc:
    statements = []
    for m in _QUOTE.finditer(doc.text):
        span = doc.char_span(m.start() + 1, m.end() - 1, alignment_mode="expand")
        if span is not None and len(span) > 1:
            statements.append(DocStatement(content=[span], cue=[], source=[], speaker=None, kind="direct",
                                           attribution="unattributed", confidence=0.5))
    doc._.pl_statements = statements
    return doc
