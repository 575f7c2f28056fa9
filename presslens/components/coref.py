"""presslens_coref_v1: in-article entities and coreference (scaffold: one entity per PERSON/ORG name)."""

from spacy.language import Language
from spacy.tokens import Doc

from ..annotations import DocEntity, DocMention


@Language.component("presslens_coref_v1", requires=["doc.ents"], assigns=["doc._.pl_entities"])
def coref(doc: Doc) -> Doc:
    by_name: dict[str, DocEntity] = {}
    for ent in doc.ents:
        if ent.label_ not in ("PERSON", "ORG"):
            continue
        entity = by_name.get(ent.text)
        if entity is None:
            entity = by_name[ent.text] = DocEntity(id=f"e{len(by_name) + 1}", name=ent.text, type=ent.label_)
        entity.mentions.append(DocMention(ent, "name"))
    doc._.pl_entities = list(by_name.values())
    return doc
