"""The entity stage: NER repairs (`repairs`), mention finding (`mentions`) and in-article
coreference (`chains`), over spaCy's parse and NER, with their lexicons (`lexicons`). The spaCy
components that run them, presslens_names_v1 and presslens_coref_v1, are in `component`; see
docs/entities.md.
"""
