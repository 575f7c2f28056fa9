"""The entity layer: NER repairs (`repairs`), mention finding (`mentions`) and in-article
coreference (`chains`), over spaCy's parse and NER. The spaCy components that run them are
`presslens.components.names` and `presslens.components.coref`; see docs/entities.md.
"""
