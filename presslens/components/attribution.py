"""presslens_attribution_v1: statements, their speakers and their source chains.

A linear-chain CRF trained on PolNeAR train tags sources, cues and contents over the
dependency parse (`presslens.attribution`); rules link them into statements and resolve
speakers through `doc._.pl_entities` (coreference). The weights and the cue lexicon ship in
`presslens/data/attribution/` (provenance in its `meta.json`); `presslens train attribution`
rebuilds them.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..attribution.model import Attributor


class AttributionComponent:
    def __init__(self, nlp: Language, name: str):
        self.name = name
        # Loaded here rather than in initialize(): presslens pipelines are assembled from a
        # packaged model with add_pipe and never go through nlp.initialize().
        self.model = Attributor.load()

    def initialize(self, get_examples=None, nlp=None) -> None:
        self.model = Attributor.load()

    def __call__(self, doc: Doc) -> Doc:
        doc._.pl_statements = self.model.statements(doc)
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)


@Language.factory(
    "presslens_attribution_v1",
    requires=["doc._.pl_entities", "token.dep", "token.lemma"],
    assigns=["doc._.pl_statements"],
)
def make_attribution(nlp: Language, name: str) -> AttributionComponent:
    return AttributionComponent(nlp, name)


# The unversioned name, for a user's own pipeline (`nlp.add_pipe("presslens_attribution")`, also
# found through the `spacy_factories` entry point): the current version, now v1.
Language.factory("presslens_attribution", requires=["doc._.pl_entities", "token.dep", "token.lemma"],
                 assigns=["doc._.pl_statements"])(make_attribution)
