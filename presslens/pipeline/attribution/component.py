"""presslens_attribution_v1 and _v2: statements, their speakers and their source chains.

v1 tags sources, cues and contents with a linear-chain CRF over the dependency parse; v2 with
the fine-tuned encoder (`config={"tagger": "encoder"}`, or `"stacked"`: the CRF reading the
encoder's marginals). Both link the tags into statements with the same rules and resolve
speakers through `doc._.pl_entities` (coreference). Weights and the cue lexicon ship in
`presslens/data/attribution/` (provenance in its `meta.json`); `config={"weights": "accurate"}`
reads the set trained on the 6-layer encoder, in its `accurate/` folder. `presslens train
attribution` rebuilds them (`--layers 6 --out presslens/data/attribution/accurate` the latter).
"""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .tagger import Attributor


class AttributionComponent:
    def __init__(self, nlp: Language, name: str, tagger: str = "crf", weights: str = ""):
        self.name = name
        self.tagger = tagger
        self.weights = weights
        # Loaded here rather than in initialize(): presslens pipelines are assembled from a
        # packaged model with add_pipe and never go through nlp.initialize().
        self.attributor = Attributor.load(tagger=tagger, weights=weights)

    def initialize(self, get_examples=None, nlp=None) -> None:
        self.attributor = Attributor.load(tagger=self.tagger, weights=self.weights)

    def __call__(self, doc: Doc) -> Doc:
        doc._.pl_statements = self.attributor.statements(doc)
        return doc

    def pipe(self, docs, batch_size: int = 128):
        # predict for a batch, then annotate (spaCy's predict / set_annotations split)
        for batch in spacy.util.minibatch(docs, size=batch_size):
            for doc, prep in zip(batch, self.attributor.predict(batch)):
                doc._.pl_statements = self.attributor.statements(doc, prep)
                yield doc


@Language.factory(
    "presslens_attribution_v1",
    requires=["doc._.pl_entities", "token.dep", "token.lemma"],
    assigns=["doc._.pl_statements"],
)
def make_attribution(nlp: Language, name: str) -> AttributionComponent:
    return AttributionComponent(nlp, name, "crf")


@Language.factory(
    "presslens_attribution_v2",
    requires=["doc._.pl_entities", "token.dep", "token.lemma"],
    assigns=["doc._.pl_statements"],
    default_config={"tagger": "stacked", "weights": ""},
)
def make_attribution_v2(nlp: Language, name: str, tagger: str, weights: str) -> AttributionComponent:
    return AttributionComponent(nlp, name, tagger, weights)


# The unversioned name, for a user's own pipeline (`nlp.add_pipe("presslens_attribution")`, also
# found through the `spacy_factories` entry point): the current version, now v2 (the default
# pipeline's stacked tagger; config {"tagger": "crf"} for the fast one).
Language.factory("presslens_attribution", requires=["doc._.pl_entities", "token.dep", "token.lemma"],
                 assigns=["doc._.pl_statements"], default_config={"tagger": "stacked", "weights": ""})(make_attribution_v2)
