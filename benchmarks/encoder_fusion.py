#!/usr/bin/env python3
"""Is the shipped encoder faster with onnxruntime's transformer fusions? A measurement.

    python benchmarks/encoder_fusion.py [--weights accurate] [--rounds 2]

Rebuilds the float model from the shipped int8 graph (`encoder_train.from_onnx`), exports it
to ONNX as `presslens train` does, runs onnxruntime's BERT optimizer on it (SkipLayerNorm,
BiasGelu and, where its patterns match, Attention fusions), quantises the result to int8 the
same way, then times both graphs on every window of PolNeAR dev's paragraphs (one window per
run, one thread, as `EncoderTagger.marginals` runs them; CPU seconds, the two alternating for
`--rounds`) and compares their logits. Needs the `train` extra (torch, onnx). Nothing is
written outside a temporary folder; nothing of PolNeAR is kept.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from importlib import resources
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "data" / "dev" / "text"


def fused(src: Path, layers: int, out: Path) -> dict:
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    from presslens.pipeline.attribution import encoder_train

    model = encoder_train.from_onnx(src, layers)
    fp32 = out.with_suffix(".fp32.onnx")
    ids = torch.ones((1, 16), dtype=torch.long)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (ids,), str(fp32), input_names=["input_ids"], output_names=["logits"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}},
                          opset_version=17, dynamo=False)
    opt = optimize_model(str(fp32), model_type="bert", num_heads=model.bert.config.num_attention_heads,
                         hidden_size=model.bert.config.hidden_size)
    stats = {k: v for k, v in opt.get_fused_operator_statistics().items() if v}
    optimized = out.with_suffix(".opt.onnx")
    opt.save_model_to_file(str(optimized))
    # the optimizer's fused ops come from another domain, which the quantiser's type inference skips
    quantize_dynamic(str(optimized), str(out), weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", default="", help='the shipped set: "" (default, 3 layers) or "accurate"')
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import onnx
    import onnxruntime
    from tokenizers import Tokenizer

    from presslens.pipeline.attribution.encoder import windows, word_pieces
    from presslens.pipeline.attribution.lexicon import DATA

    with resources.as_file(resources.files(DATA)) as data, tempfile.TemporaryDirectory() as tmp:
        folder = Path(data) / args.weights
        shipped = folder / "encoder.onnx"
        layers = 1 + max(int(n.name.split("layer.")[1].split("/")[0]) for n in onnx.load(str(shipped)).graph.node
                         if "/encoder/layer." in n.name)
        candidate = Path(tmp) / "fused.onnx"
        stats = fused(shipped, layers, candidate)
        tokenizer = Tokenizer.from_file(str(folder / "encoder-tokenizer.json"))
        jobs = []
        for path in sorted(POLNEAR_DEV.glob("*.txt")):
            for para in path.read_text(encoding="utf-8").split("\n"):
                if para.split():
                    jobs.extend(w.ids for w in windows(word_pieces(tokenizer, para.split())))
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = opts.inter_op_num_threads = 1
        sessions = {name: onnxruntime.InferenceSession(str(p), opts, providers=["CPUExecutionProvider"])
                    for name, p in (("shipped", shipped), ("fused", candidate))}
        nodes = {name: len(onnx.load(str(p)).graph.node) for name, p in (("shipped", shipped), ("fused", candidate))}
        seconds = {name: [] for name in sessions}
        logits = {}
        for _ in range(args.rounds):
            for name, session in sessions.items():
                t = time.process_time()
                logits[name] = [session.run(None, {"input_ids": np.array([ids], dtype=np.int64)})[0][0] for ids in jobs]
                seconds[name].append(time.process_time() - t)
    print(f"{layers}-layer encoder ({args.weights or 'default'}), {len(jobs):,} PolNeAR dev windows, one thread; "
          f"fused operators: {stats}")
    for name in sessions:
        print(f"  {name:8s} {nodes[name]:4d} nodes  {min(seconds[name]):6.2f} s CPU (best of {args.rounds})")
    diff = max(float(np.abs(a - b).max()) for a, b in zip(logits["shipped"], logits["fused"]))
    agree = np.mean(np.concatenate([a.argmax(-1) == b.argmax(-1) for a, b in zip(logits["shipped"], logits["fused"])]))
    print(f"  logits: largest difference {diff:.3f}; same best label for {100 * agree:.2f}% of pieces")


if __name__ == "__main__":
    main()
