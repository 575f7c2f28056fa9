"""Could an NER head on the attribution encoder replace spaCy's `ner`? A measurement on PolNeAR.

spaCy's `ner` is about 45% of en_core_web_sm's time (benchmarks/component_time.py), and
issue 8 names an NER head on the encoder, trained on silver labels from sm's own NER, as the
way to free that budget for more encoder layers. This script trains such a head and says how
closely it reproduces sm's entities; nothing is shipped from it.

For every token of every paragraph (the encoder's own sentence chunks, whitespace left out) it
takes the hidden states of the chosen layers of the shipped encoder (`--weights`: "" the
default's 3 layers, "accurate" its 6; the ONNX graph is given those tensors as extra outputs),
optionally with what spaCy computes anyway before its `ner` (`doc.tensor` of the shared
tok2vec, the tagger's tag and the word's shape, each for the token and its two neighbours),
and the label sm's NER gives it (BIO over sm's 18 types). A one-hidden-layer MLP is fitted on
PolNeAR train, then decoded on dev with a BIO-constrained Viterbi; the entities are scored
against sm's on dev (exact span and type), overall and per type.

    python eval/ner_probe.py [--polnear ../shared/data/polnear] [--weights accurate]
                             [--layers 2,5] [--spacy-features] [--hidden 256] [--epochs 4]

Needs the `train` extra (torch, onnx). About 8 minutes on one core for train and dev with
`--spacy-features`. Nothing of PolNeAR is kept.
"""

from __future__ import annotations

import argparse
import time
from importlib import resources
from pathlib import Path

import numpy as np
from dev_scores import POLNEAR  # this folder is on sys.path when a script of it runs

SHAPES = 5  # title, upper, lower, has a digit, no letter or digit


def encoder_session(folder: Path, layers: list[int]):
    """The shipped encoder with the output of each layer in `layers` as an extra graph output."""
    import onnx
    import onnxruntime

    model = onnx.load(str(folder / "encoder.onnx"))
    for k in layers:
        name = f"/bert/encoder/layer.{k}/output/LayerNorm/LayerNormalization_output_0"
        model.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    opts = onnxruntime.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def features(nlp, articles, session, tokenizer, lexicon, spacy_features: bool, labels: dict[str, int]):
    """(features [tokens x dims] float16, label ids, article end offsets) over `articles`."""
    from presslens.pipeline.attribution.encoder import windows, word_pieces
    from presslens.pipeline.attribution.features import DocArrays, paragraph_bounds
    from presslens.pipeline.attribution.tagger import sentence_chunks

    tags = list(nlp.get_pipe("tagger").labels)
    tag_id = {t: i for i, t in enumerate(tags)}
    per_token = len(tags) + SHAPES
    xs, ys, ends = [], [], []
    for doc in nlp.pipe((a.text for a in articles), batch_size=16):
        arrays = DocArrays(doc, lexicon)
        for ps, pe in paragraph_bounds(doc, arrays):
            for s, e in sentence_chunks(arrays, ps, pe):
                rows = [i for i in range(s, e) if not arrays.is_space[i]]
                if not rows:
                    continue
                hidden = None
                for w in windows(word_pieces(tokenizer, [arrays.orth[i] for i in rows])):
                    outs = session.run(None, {"input_ids": np.array([w.ids], dtype=np.int64)})
                    h = np.concatenate([o[0][w.first] for o in outs[1:]], axis=1)
                    if hidden is None:
                        hidden = np.zeros((len(rows), h.shape[1]), dtype=np.float16)
                    lo = w.keep.start - w.words.start
                    hidden[w.keep.start : w.keep.stop] = h[lo : lo + len(w.keep)]
                parts = [hidden]
                if spacy_features:
                    extra = np.zeros((len(rows), doc.tensor.shape[1] + 3 * per_token), dtype=np.float16)
                    extra[:, : doc.tensor.shape[1]] = doc.tensor[rows]
                    for k in range(len(rows)):
                        for o, j in enumerate((k - 1, k, k + 1)):
                            if 0 <= j < len(rows):
                                t = doc[rows[j]]
                                base = doc.tensor.shape[1] + o * per_token
                                extra[k, base + tag_id.get(t.tag_, 0)] = 1
                                w = t.text
                                extra[k, base + len(tags) : base + per_token] = (
                                    w.istitle(), w.isupper(), w.islower(), any(c.isdigit() for c in w),
                                    not any(c.isalnum() for c in w))
                    parts.append(extra)
                xs.append(np.concatenate(parts, axis=1))
                for i in rows:
                    t = doc[i]
                    ys.append(labels.get("O" if t.ent_iob_ in ("O", "") else f"{t.ent_iob_}-{t.ent_type_}", 0))
        ends.append(len(ys))
    return np.concatenate(xs), np.array(ys, dtype=np.int64), ends


def viterbi(logp: np.ndarray, trans: np.ndarray, first: np.ndarray) -> list[int]:
    score, back = logp[0] + first, []
    for row in logp[1:]:
        m = score[:, None] + trans
        back.append(m.argmax(0))
        score = m.max(0) + row
    best = [int(score.argmax())]
    for b in reversed(back):
        best.append(int(b[best[-1]]))
    return best[::-1]


def entities(seq, names: list[str]) -> set[tuple[int, int, str]]:
    out, cur = set(), None
    for i, y in enumerate([*seq, 0]):
        lab = names[y]
        if cur is not None and not (lab.startswith("I-") and lab[2:] == cur[1]):
            out.add((cur[0], i, cur[1]))
            cur = None
        if lab.startswith("B-"):
            cur = (i, lab[2:])
    return out


def f1(gold: set, pred: set) -> tuple[float, float, float]:
    tp = len(gold & pred)
    p, r = tp / max(len(pred), 1), tp / max(len(gold), 1)
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--polnear", default=POLNEAR)
    ap.add_argument("--weights", default="accurate", help='which shipped attribution set: "" or "accurate"')
    ap.add_argument("--layers", default="2,5", help="encoder layers (0-based) whose outputs the head reads")
    ap.add_argument("--spacy-features", action="store_true", help="add doc.tensor, tags and shapes")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    import torch

    from presslens.pipeline import build
    from presslens.pipeline.attribution.lexicon import DATA
    from presslens.pipeline.attribution.polnear import read_split
    from presslens.pipeline.attribution.tagger import Attributor

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    layers = [int(x) for x in args.layers.split(",")]
    nlp = build.load(components=())  # spaCy's pipeline, its NER the teacher
    names = ["O"] + [f"{p}-{t}" for t in sorted(nlp.get_pipe("ner").labels) for p in "BI"]
    labels = {n: i for i, n in enumerate(names)}
    attributor = Attributor.load(tagger="stacked", weights=args.weights)
    with resources.as_file(resources.files(DATA)) as data:
        session = encoder_session(Path(data) / args.weights, layers)
    t0 = time.process_time()
    data = {}
    for split in ("train", "dev"):
        data[split] = features(nlp, read_split(Path(args.polnear), split), session, attributor.encoder.tokenizer,
                               attributor.lexicon, args.spacy_features, labels)
    print(f"features: {time.process_time() - t0:.0f} s CPU; train {len(data['train'][1]):,} tokens, "
          f"dev {len(data['dev'][1]):,}, {data['train'][0].shape[1]} dims")

    x, y = torch.from_numpy(data["train"][0].astype(np.float32)), torch.from_numpy(data["train"][1])
    head = torch.nn.Sequential(torch.nn.Linear(x.shape[1], args.hidden), torch.nn.GELU(),
                               torch.nn.Linear(args.hidden, len(names)))
    opt = torch.optim.Adam(head.parameters(), lr=1e-3)
    for _epoch in range(args.epochs):
        for batch in torch.randperm(len(x)).split(512):
            loss = torch.nn.functional.cross_entropy(head(x[batch]), y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        logp = torch.log_softmax(head(torch.from_numpy(data["dev"][0].astype(np.float32))), -1).numpy()

    inside = np.array([n.startswith("I-") for n in names])
    trans = np.array([[0.0 if not b.startswith("I-") or (a != "O" and a[2:] == b[2:]) else -1e9 for b in names]
                      for a in names])
    gold_seq, ends = data["dev"][1], data["dev"][2]
    pred_seq, start = [], 0
    for end in ends:  # one article at a time
        if end > start:
            pred_seq.extend(viterbi(logp[start:end], trans, np.where(inside, -1e9, 0.0)))
        start = end
    gold, pred = entities(gold_seq, names), entities(pred_seq, names)
    features_used = f"layers {args.layers} of the {args.weights or 'default'} encoder" + (
        " + spaCy's tensor, tags and shapes" if args.spacy_features else "")
    print(f"\nAn NER head ({features_used}) against en_core_web_sm's NER on PolNeAR dev, exact spans and types:\n")
    print("| type | sm's entities | F1 | P | R |\n|---|---|---|---|---|")
    overall = f1(gold, pred)
    print(f"| all | {len(gold)} | {100 * overall[0]:.1f} | {100 * overall[1]:.1f} | {100 * overall[2]:.1f} |")
    for t in sorted({e[2] for e in gold}, key=lambda t: -sum(e[2] == t for e in gold)):
        g, p = {e for e in gold if e[2] == t}, {e for e in pred if e[2] == t}
        s = f1(g, p)
        print(f"| {t} | {len(g)} | {100 * s[0]:.1f} | {100 * s[1]:.1f} | {100 * s[2]:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
