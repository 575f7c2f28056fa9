"""`presslens train attribution`: retrain the attribution tagger on PolNeAR train.

Reproduces the shipped weights: parses PolNeAR's train split with the same spaCy pipeline
presslens runs (its tokenizer patches included), turns the gold attributions into token tags
and fits a linear-chain CRF (python-crfsuite) over `features.para_features`. Writes
`tagger.crfsuite` and `meta.json` (provenance) into `out`.
"""

from __future__ import annotations

import datetime
import json
import platform
from importlib import metadata as pkg_metadata
from pathlib import Path

import pycrfsuite

from .features import DocArrays, para_features, paragraphs
from .lexicon import Lexicon
from .polnear import read_split
from .tags import gold_tags

# L1 keeps the model small (most lexical features get zero weight); values picked on dev.
PARAMS = {"c1": 0.1, "c2": 0.01, "max_iterations": 150, "feature.minfreq": 2, "feature.possible_transitions": True}


def sequences(doc, attributions, lex: Lexicon):
    tags, _ = gold_tags(doc, attributions)
    arrays = DocArrays(doc, lex)
    for para in paragraphs(doc):
        yield para_features(arrays, para.start, para.end), tags[para.start : para.end]


def train_attribution(polnear: Path, out: Path, nlp=None, split: str = "train", log=print) -> dict:
    """Fit the tagger on PolNeAR `split` and write it with its provenance to `out`."""
    from .. import nlp as nlp_module

    nlp = nlp or nlp_module.load(components=())
    lex = Lexicon.load()
    articles = read_split(polnear, split)
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params(PARAMS)
    n_tokens = 0
    docs = nlp.pipe((a.text for a in articles), batch_size=16)
    for k, (article, doc) in enumerate(zip(articles, docs), 1):
        for xs, ys in sequences(doc, article.attributions, lex):
            trainer.append(xs, ys)
            n_tokens += len(ys)
        if k % 100 == 0:
            log(f"parsed {k}/{len(articles)} articles")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    log(f"training the CRF on {n_tokens} tokens ...")
    trainer.train(str(out / "tagger.crfsuite"))
    meta = provenance(polnear, split, len(articles), n_tokens, nlp)
    (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def provenance(polnear, split, n_articles, n_tokens, nlp) -> dict:
    versions = {p: pkg_metadata.version(p) for p in ("spacy", "python-crfsuite")}
    try:
        versions["presslens"] = pkg_metadata.version("presslens")
    except pkg_metadata.PackageNotFoundError:
        from ..about import __version__

        versions["presslens"] = __version__
    return {
        "name": "presslens attribution tagger",
        "kind": "linear-chain CRF (python-crfsuite), BIO tags S/C/Q per paragraph",
        "data": f"PolNeAR v1.0.0, {split} split ({n_articles} articles, {n_tokens} tokens), first-listed annotator as gold",
        "data_path": str(polnear),
        "params": PARAMS,
        "spacy_model": f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}",
        "versions": versions,
        "python": platform.python_version(),
        "trained": datetime.date.today().isoformat(),
        "command": f"presslens train attribution --polnear {polnear}",
        "license_note": "weights only; no PolNeAR text is stored",
    }
