"""`presslens train attribution`: retrain the attribution models on PolNeAR train.

Reproduces the shipped weights in three steps:
1. parse PolNeAR's train split with the same spaCy pipeline presslens runs (tokenizer patches
   included) and turn the gold attributions into token tags;
2. fit the tagger, a linear-chain CRF (python-crfsuite) over `features.para_features`, on all
   of train -> `tagger.crfsuite`;
3. fit two more taggers, each on one half of train, let each predict the other half, label
   those held-out statements with the scorer's matching and fit the statement judge
   (LightGBM, `judge.py`) on them -> `judge.lgb.txt`, with its threshold in `meta.json`.
`meta.json` also records the data, parameters, versions and the command (provenance).
"""

from __future__ import annotations

import datetime
import json
import platform
import tempfile
from importlib import metadata as pkg_metadata
from pathlib import Path

import pycrfsuite

from . import judge
from .features import DocArrays, para_features, paragraphs
from .lexicon import Lexicon
from .polnear import read_split
from .tags import gold_tags

# L1 keeps the model small (most lexical features get zero weight). Values picked on dev
# (docs/evaluation.md, 2026-12-01): stronger L1 and L2 than (0.1, 0.01) generalise better.
PARAMS = {"c1": 0.2, "c2": 0.2, "max_iterations": 150, "feature.minfreq": 2, "feature.possible_transitions": True}


def sequences(doc, attributions, lex: Lexicon):
    tags, _ = gold_tags(doc, attributions)
    arrays = DocArrays(doc, lex)
    for para in paragraphs(doc):
        yield para_features(arrays, para.start, para.end), tags[para.start : para.end]


def fit_tagger(docs, articles, lex: Lexicon, path: Path) -> int:
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params(PARAMS)
    n = 0
    for doc, article in zip(docs, articles):
        for xs, ys in sequences(doc, article.attributions, lex):
            trainer.append(xs, ys)
            n += len(ys)
    trainer.train(str(path))
    return n


def train_attribution(polnear: Path, out: Path, nlp=None, split: str = "train", log=print) -> dict:
    """Fit the tagger and the judge on PolNeAR `split`; write them with provenance to `out`."""
    from .. import nlp as nlp_module
    from .model import Attributor

    nlp = nlp or nlp_module.load(components=())
    lex = Lexicon.load()
    articles = read_split(polnear, split)
    log(f"parsing {len(articles)} articles ...")
    docs = list(nlp.pipe((a.text for a in articles), batch_size=16))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    log("training the tagger on all of them ...")
    n_tokens = fit_tagger(docs, articles, lex, out / "tagger.crfsuite")
    xs, ys, groups, n_gold = [], [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for k in (0, 1):
            log(f"training the held-out tagger {k + 1}/2 for the judge ...")
            path = Path(tmp) / f"fold{k}.crfsuite"
            fit_tagger([d for i, d in enumerate(docs) if i % 2 != k], [a for i, a in enumerate(articles) if i % 2 != k], lex, path)
            tagger = pycrfsuite.Tagger()
            tagger.open(str(path))
            held_out = Attributor(tagger, lex, {}, None, raw=True)
            for i, (doc, article) in enumerate(zip(docs, articles)):
                if i % 2 != k:
                    continue
                doc._.pl_entities = []
                x, y = judge.collect(held_out, doc, article)
                xs += x
                ys += y
                groups += [(i // 2) % 2] * len(y)
                n_gold += len(article.attributions)
    log(f"training the judge on {len(xs)} held-out statements ...")
    booster, threshold, f1, _ = judge.fit(xs, ys, n_gold, groups)
    booster.save_model(str(out / "judge.lgb.txt"))
    meta = provenance(polnear, split, len(articles), n_tokens, nlp)
    meta["judge"] = {"threshold": threshold, "held_out_statements": len(xs), "cross_fitted_e2e_f1_on_train": round(f1, 4),
                     "params": judge.PARAMS, "rounds": judge.ROUNDS}
    (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def provenance(polnear, split, n_articles, n_tokens, nlp) -> dict:
    versions = {p: pkg_metadata.version(p) for p in ("spacy", "python-crfsuite", "lightgbm")}
    from ..about import __version__

    versions["presslens"] = __version__
    return {
        "name": "presslens attribution tagger and statement judge",
        "kind": "linear-chain CRF (python-crfsuite), BIO tags S/C/Q per paragraph; LightGBM statement judge",
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
