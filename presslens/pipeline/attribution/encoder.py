"""The encoder tagger at run time: per-token label marginals from a fine-tuned transformer.

A small BERT (the first layers of all-MiniLM-L6-v2, fine-tuned on PolNeAR train by
`presslens train attribution`, see `encoder_train.py`) reads each paragraph and gives every
spaCy token a distribution over the BIO labels of `tags` (source `S`, cue `C`, content `Q`).
It runs through onnxruntime (int8 weights, one thread: each worker owns a core), so inference
needs neither torch nor a GPU. `decode_bio` turns the marginals into a valid tag sequence; the
marginals also feed the statement judge.

Word pieces are aligned to spaCy tokens: a token is scored at its first piece; a paragraph
longer than one window is read in overlapping windows and each token keeps the window where it
sits farthest from an edge.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

LABELS = ("O", "B-S", "I-S", "B-C", "I-C", "B-Q", "I-Q")  # `decode_bio` is written for this order
MAX_PIECES = 256  # per window, [CLS] and [SEP] included
MAX_WORD_PIECES = 12  # a URL or a run of symbols keeps its first pieces only
OVERLAP = 64  # pieces shared by consecutive windows of a long paragraph
_CLS, _SEP = 101, 102


@dataclass
class Window:
    ids: list[int]  # piece ids, [CLS] ... [SEP]
    first: list[int]  # piece position of each word of the window (its first piece)
    words: range  # which words of the paragraph the window holds
    keep: range  # which of them take their labels from this window


def word_pieces(tokenizer, words: list[str]) -> list[list[int]]:
    """The piece ids of each word (empty words get [UNK])."""
    enc = tokenizer.encode(words, is_pretokenized=True, add_special_tokens=False)
    out: list[list[int]] = [[] for _ in words]
    for pid, w in zip(enc.ids, enc.word_ids):
        if w is not None and len(out[w]) < MAX_WORD_PIECES:
            out[w].append(pid)
    unk = tokenizer.token_to_id("[UNK]")
    return [p or [unk] for p in out]


def windows(pieces: list[list[int]]) -> list[Window]:
    """Cut a paragraph's words into windows of at most MAX_PIECES pieces, overlapping by about
    OVERLAP pieces; each word is kept from the window where it is farthest from an edge."""
    budget = MAX_PIECES - 2
    n = len(pieces)
    spans: list[tuple[int, int]] = []
    start = 0
    while start < n:
        end, used = start, 0
        while end < n and used + len(pieces[end]) <= budget:
            used += len(pieces[end])
            end += 1
        end = max(end, start + 1)
        spans.append((start, end))
        if end >= n:
            break
        back, nxt = 0, end
        while nxt > start + 1 and back + len(pieces[nxt - 1]) <= OVERLAP:
            nxt -= 1
            back += len(pieces[nxt])
        start = nxt
    out = []
    for k, (s, e) in enumerate(spans):
        # the overlap is split in the middle between neighbouring windows
        ks = s if k == 0 else (s + spans[k - 1][1]) // 2
        ke = e if k == len(spans) - 1 else (spans[k + 1][0] + e) // 2
        ids, first = [_CLS], []
        for w in range(s, e):
            first.append(len(ids))
            ids.extend(pieces[w])
        ids.append(_SEP)
        out.append(Window(ids, first, range(s, e), range(ks, max(ks, ke))))
    return out


def decode_bio(logp: np.ndarray) -> list[str]:
    """The most likely tag sequence that is valid BIO (an I-X follows B-X or I-X).

    Viterbi over Python floats, written for LABELS as they are (O, then B-X, I-X of each role):
    an O or a B-X follows the best label, an I-X the better of B-X and I-X; ties go to the
    first label, as numpy's argmax sends them. (numpy's per-call cost on seven labels a token
    was most of the time.)"""
    n = len(logp)
    if n == 0:
        return []
    rows = logp.tolist()
    first = rows[0]
    score = [first[0], first[1], -math.inf, first[3], -math.inf, first[5], -math.inf]  # no I-X first
    back = []
    for r in rows[1:]:
        _, s1, s2, s3, s4, s5, s6 = score
        m = max(score)
        top = score.index(m)
        ps, pc, pq = (1 if s1 >= s2 else 2), (3 if s3 >= s4 else 4), (5 if s5 >= s6 else 6)
        back.append((top, top, ps, top, pc, top, pq))
        score = [m + r[0], m + r[1], score[ps] + r[2], m + r[3], score[pc] + r[4], m + r[5], score[pq] + r[6]]
    best = [score.index(max(score))]
    for step in reversed(back):
        best.append(step[best[-1]])
    return [LABELS[i] for i in reversed(best)]


class EncoderTagger:
    """The shipped ONNX encoder and its tokenizer; `marginals` scores paragraphs of a Doc."""

    def __init__(self, session, tokenizer, meta: dict):
        self.session = session
        self.tokenizer = tokenizer
        self.meta = meta
        # models exported before 2026-12-04 also take an attention mask (all ones: no padding)
        self._masked = "attention_mask" in {i.name for i in session.get_inputs()}

    @classmethod
    def load(cls, folder: Path | None = None, threads: int = 1) -> EncoderTagger:
        import onnxruntime
        from tokenizers import Tokenizer

        if folder is None:
            from .lexicon import DATA

            with resources.as_file(resources.files(DATA)) as p:
                return cls.load(Path(p), threads)
        folder = Path(folder)
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(str(folder / "encoder.onnx"), opts, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(folder / "encoder-tokenizer.json"))
        meta_path = folder / "meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")).get("encoder", {}) if meta_path.exists() else {}
        return cls(session, tokenizer, meta)

    def marginals(self, paragraphs: list[list[str]]) -> list[np.ndarray]:
        """For each paragraph (a list of word strings), a [words x LABELS] probability array."""
        jobs = []  # (paragraph, window)
        for p, words in enumerate(paragraphs):
            if words:
                for w in windows(word_pieces(self.tokenizer, words)):
                    jobs.append((p, w))
        out = [np.zeros((len(words), len(LABELS)), dtype=np.float32) for words in paragraphs]
        # One window per run, no batches: measured on PolNeAR dev, padding a doc's windows of
        # mixed lengths into batches cost twice the time of running them one by one, and one
        # window alone is also exactly reproducible (int8 activations are quantised with one
        # scale per run, so a batch would make a window's result depend on its neighbours).
        for p, w in jobs:
            ids = np.array([w.ids], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)} if self._masked else {"input_ids": ids}
            logits = self.session.run(None, feed)[0][0]
            z = logits[w.first] - logits[w.first].max(axis=-1, keepdims=True)
            probs = np.exp(z)
            probs /= probs.sum(axis=-1, keepdims=True)
            lo = w.keep.start - w.words.start
            out[p][w.keep.start : w.keep.stop] = probs[lo : lo + len(w.keep)]
        return out
