"""The attribution stage: statements, their speakers and their source chains.

    component     the spaCy components presslens_attribution_v1 and _v2
    tagger        `Attributor`: the taggers (crf, encoder, stacked), their judges, `predict`
    features      per-token features of the CRF; `quotes` pairs quotation marks
    encoder       the fine-tuned encoder at run time (ONNX); `encoder_train` fine-tunes it (torch)
    tags, decode  BIO tags to spans, spans to linked statements
    judge         the statement judge's features and its training (LightGBM, the `train` extra);
                  `trees` evaluates the trained judge at run time (`confidence`), without LightGBM
    lexicon       the cue lexicon (presslens/data/attribution/cues.tsv)
    train         `presslens train attribution`; `polnear`, `evaluate`, `ptc_eval` read and score
                  the development sets
"""
