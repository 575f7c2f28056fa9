#!/usr/bin/env python3
"""The encoder's cost, and two ways of cutting it that were measured (docs/evaluation.md).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/encoder_speed.py [--articles 30]

On the first N PolNeAR dev articles (else the bundled samples), in CPU seconds of this process:
1. the shipped int8 encoder over the paragraphs the tagger reads, run one window at a time
   (what presslens does), padded into batches of up to 4,096 pieces per article, or across all
   articles at once; against bare spaCy `nlp.pipe` on the same texts;
2. the share of those paragraphs' words that sit in sentences with a cue word, a cue phrase or
   a quotation mark (what gating the encoder to such sentences could skip).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import spacy

from presslens.pipeline import build
from presslens.pipeline.attribution.encoder import EncoderTagger, windows, word_pieces
from presslens.pipeline.attribution.features import DocArrays, paragraphs, worth_tagging
from presslens.pipeline.attribution.lexicon import Lexicon

ROOT = Path(__file__).resolve().parent.parent
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "data" / "dev" / "text"


def _run(session, batch: list[list[int]]) -> None:
    width = max(len(x) for x in batch)
    ids = np.zeros((len(batch), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for r, x in enumerate(batch):
        ids[r, : len(x)] = x
        mask[r, : len(x)] = 1
    masked = "attention_mask" in {i.name for i in session.get_inputs()}
    # the shipped graph takes no mask (it reads one window a run): a padded batch costs the same
    # arithmetic without one, which is what this times
    session.run(None, {"input_ids": ids, "attention_mask": mask} if masked else {"input_ids": ids})


def _padded(jobs: list[list[int]], cap: int = 4096) -> list[list[list[int]]]:
    jobs, out, i = sorted(jobs, key=len), [], 0
    while i < len(jobs):
        j = i
        while j < len(jobs) and (j - i + 1) * len(jobs[j]) <= cap:
            j += 1
        j = max(j, i + 1)
        out.append(jobs[i:j])
        i = j
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=30)
    args = ap.parse_args()
    folder = POLNEAR_DEV if POLNEAR_DEV.exists() else ROOT / "samples" / "news"
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.txt"))[: args.articles]]
    nlp = spacy.load(build.default_model())
    t = time.process_time()
    docs = list(nlp.pipe(texts, batch_size=16))
    spacy_s = time.process_time() - t
    lex, tagger = Lexicon.load(), EncoderTagger.load()
    per_doc, words, in_cued = [], 0, 0
    for doc in docs:
        arrays = DocArrays(doc, lex)
        paras = [p for p in paragraphs(doc) if worth_tagging(arrays, p.start, p.end)]
        per_doc.append([w.ids for p in paras for w in windows(word_pieces(tagger.tokenizer, [t.text for t in p if not t.is_space]))])
        for p in paras:
            for s in p.sents:
                n = sum(1 for t in s if not t.is_space)
                words += n
                in_cued += n * worth_tagging(arrays, max(s.start, p.start), min(s.end, p.end))
    ways = {
        "one window per run (shipped)": lambda: [_run(tagger.session, [j]) for js in per_doc for j in js],
        "padded batches, per article": lambda: [_run(tagger.session, b) for js in per_doc for b in _padded(js)],
        "padded batches, all articles": lambda: [_run(tagger.session, b) for b in _padded([j for js in per_doc for j in js])],
    }
    print(f"{len(texts)} articles, {words:,} words in the paragraphs the tagger reads")
    print(f"{'bare spaCy nlp.pipe':32s} {spacy_s:6.2f} CPU s")
    for name, fn in ways.items():
        t = time.process_time()
        fn()
        sec = time.process_time() - t
        print(f"{'encoder, ' + name:32s} {sec:6.2f} CPU s  {words / sec:8,.0f} words/CPU s  x{sec / spacy_s:.2f} of bare spaCy")
    print(f"words in sentences with a cue or a quotation mark: {in_cued / words:.1%}")


if __name__ == "__main__":
    main()
