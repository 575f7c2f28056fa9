"""The analysis pipeline: spaCy's English model, then one presslens stage after another.

    build         loads the spaCy model, patches its tokenizer, appends the components below
    entities/     presslens_names_v1 (NER repairs) and presslens_coref_v1 (entities, coreference)
    attribution/  presslens_attribution_v1/_v2: statements, speakers, source chains
    times/        presslens_times_v1: time expressions normalised against the article date
    annotations   what the components write on the Doc (`doc._.pl_*`)
    convert       the one boundary: Doc annotations to `presslens.types` dataclasses

Each stage is a package with its spaCy component in `component.py` and its internals beside it.
"""
