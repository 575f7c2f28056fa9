"""What the default pipeline's two taggers propose before their judges, on PolNeAR dev.

For the stacked tagger and the encoder alone, every statement they link (no judge, no
boundary ranker) is matched to the gold attributions with the scorer's end-to-end matching
(content Jaccard >= 0.5, overlapping source; `judge.speaker_matches`). It prints the share of
gold each finds, the share either finds (the most any judge or combination of the two could
keep), and, of the gold neither finds, how many have each cue type (`evaluate.cue_type`).
Then the encoder alone as a tagger: exact F1 of the source, cue and content runs of its
decoded tags over every dev paragraph.

    python eval/raw_candidates.py [--polnear ../shared/data/polnear] [--model DIR]

`--model`: a folder of attribution weights (`presslens train attribution --out DIR`) instead
of the shipped ones. Nothing of PolNeAR is kept.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
from dev_scores import POLNEAR  # this folder is on sys.path when a script of it runs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--polnear", default=POLNEAR)
    ap.add_argument("--model", default=None, help="a folder of attribution weights (default: the shipped ones)")
    args = ap.parse_args(argv)

    from presslens.pipeline import build
    from presslens.pipeline.attribution import encoder_train
    from presslens.pipeline.attribution.encoder import decode_bio
    from presslens.pipeline.attribution.evaluate import cue_type
    from presslens.pipeline.attribution.judge import _TOKEN, _token_set, speaker_matches
    from presslens.pipeline.attribution.polnear import read_split
    from presslens.pipeline.attribution.tagger import Attributor
    from presslens.pipeline.attribution.tags import gold_tags, runs

    nlp = build.load()  # the Docs as the attribution stage gets them: entities and coreference first
    nlp.disable_pipe(next(name for name in nlp.pipe_names if name.startswith("presslens_attribution")))
    stacked = Attributor.load(Path(args.model) if args.model else None, tagger="stacked")
    taggers = {"stacked": replace(stacked, raw=True), "encoder": replace(stacked.second, raw=True)}
    articles = read_split(Path(args.polnear), "dev")
    found, missed, n_gold = Counter(), Counter(), 0
    tp, n_pred, n_true = Counter(), Counter(), Counter()
    for doc, art in zip(nlp.pipe(a.text for a in articles), articles):
        words = [m.span() for m in _TOKEN.finditer(art.text)]
        gold = [(_token_set(words, a.content), _token_set(words, a.source)) for a in art.attributions]
        either = [False] * len(gold)
        for name, tagger in taggers.items():
            linked, _, _ = tagger.linked(doc)
            pred = [(_token_set(words, [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for s, e in st.content]),
                     _token_set(words, [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for s, e in st.source]))
                    for st in linked]
            for i, g in enumerate(gold):  # any one of its statements, not the one-to-one matching
                either[i] |= any(speaker_matches([g], [p])[1][0] for p in pred)
            found[name] += sum(speaker_matches(gold, pred)[1])
        for ok, a in zip(either, art.attributions):
            found["either"] += ok
            if not ok:
                missed[cue_type([w.lower() for s, e in a.cue for w in _TOKEN.findall(art.text[s:e])])] += 1
        n_gold += len(gold)
        # the encoder alone as a tagger, over every paragraph
        tags, _ = gold_tags(doc, art.attributions)
        paras = [(idx, ws) for idx, ws in encoder_train.paragraph_words(doc) if ws]
        for (idx, _), m in zip(paras, taggers["encoder"].encoder.marginals([ws for _, ws in paras])):
            predicted = set(runs(decode_bio(np.log(np.maximum(m, 1e-9)))))
            true = set(runs([tags[i] for i in idx]))
            for role in "SCQ":
                p = {r for r in predicted if r[0] == role}
                t = {r for r in true if r[0] == role}
                tp[role] += len(p & t)
                n_pred[role] += len(p)
                n_true[role] += len(t)
    print(f"PolNeAR dev, {n_gold} gold attributions, found end to end by the raw statements of")
    for name in ("stacked", "encoder", "either"):
        print(f"  {name:8s} {100 * found[name] / n_gold:5.1f}%")
    print(f"found by neither: {sum(missed.values())}, by gold cue type: " + ", ".join(f"{k} {v}" for k, v in missed.most_common()))
    f1 = {r: 200 * tp[r] / max(1, n_pred[r] + n_true[r]) for r in "SCQ"}
    print(f"the encoder alone, exact F1 source / cue / content: {f1['S']:.1f} / {f1['C']:.1f} / {f1['Q']:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
