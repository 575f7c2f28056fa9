"""The entity stage's two spaCy components.

presslens_names_v1 runs right after spaCy's `ner` and mends its slips that hurt attribution:
PERSON spans become the bare proper name (honorifics and office titles stay outside, where
presslens_coref_v1 records them), Arabic name particles are joined, a name once PERSON stays
PERSON, bracketed acronyms take their name's label. The rules live in `repairs`.

presslens_coref_v1 writes `doc._.pl_entities`: one `DocEntity` per person, organisation, place
or group, ids `e1, e2, ...` in order of first mention, with its mentions (`name`, `title`,
`role`, `pronoun`, `group`), role phrases and titles. Mentions are found by `mentions` and
linked by the rules of `chains`; see docs/entities.md.
"""

from spacy.language import Language
from spacy.tokens import Doc

from ..annotations import DocEntity, DocMention
from . import lexicons
from .chains import Resolver, canonical_name
from .mentions import find_mentions
from .repairs import repair


@Language.component("presslens_names_v1", requires=["doc.ents", "token.tag"], assigns=["doc.ents"])
def names(doc: Doc) -> Doc:
    return repair(doc)


def make_names(nlp: Language, name: str):
    """The factory of the unversioned name `presslens_names` (now v1), for a user's own pipeline
    and the `spacy_factories` entry point."""
    return names


Language.factory("presslens_names", requires=["doc.ents", "token.tag"], assigns=["doc.ents"])(make_names)


@Language.factory(
    "presslens_coref_v1",
    requires=["doc.ents", "token.dep", "token.lemma"],
    assigns=["doc._.pl_entities"],
)
def make_coref(nlp: Language, name: str) -> "Coref":
    return Coref()


# The unversioned name for a user's own pipeline (and the `spacy_factories` entry point): now v1.
Language.factory("presslens_coref", requires=["doc.ents", "token.dep", "token.lemma"],
                 assigns=["doc._.pl_entities"])(make_coref)


class Coref:
    def __init__(self) -> None:
        self.lex = lexicons.load()

    def __call__(self, doc: Doc) -> Doc:
        chains = self.predict(doc)
        self.set_annotations(doc, chains)
        return doc

    def predict(self, doc: Doc):
        return Resolver(self.lex).run(find_mentions(doc, self.lex))

    def set_annotations(self, doc: Doc, chains) -> None:
        entities = []
        for chain in chains:
            mentions = sorted(chain.mentions, key=lambda m: (m.span.start, m.span.end))
            # entities are made from names; a possessed chain ("Clinton's campaign") from its
            # possessor's name
            if not mentions or not (chain.names or (chain.owner is not None and chain.owner.names)):
                continue
            entities.append((mentions, chain))
        entities.sort(key=lambda pair: pair[0][0].span.start)
        ids = {id(chain): f"e{n}" for n, (_, chain) in enumerate(entities, start=1)}
        doc._.pl_entities = [
            DocEntity(
                id=ids[id(chain)],
                name=canonical_name(chain, self.lex),
                type=chain.type,
                mentions=[DocMention(m.span, m.kind) for m in mentions],
                roles=list(chain.roles),
                titles=list(chain.titles),
                of=ids.get(id(chain.owner)) if chain.owner is not None else None,
            )
            for mentions, chain in entities
        ]
