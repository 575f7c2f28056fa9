"""Issue 8, section 4: the second development set (PTC train articles, annotated by hand and
kept as offsets only in eval/ptc-dev/). The gold must fit its texts exactly, and the adapter
onto the shared scorer must give gold against itself 100. Skips without ../shared/data/ptc."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from presslens.pipeline.attribution import ptc_eval

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "eval" / "ptc-dev"
SCORER = REPO.parent / "shared" / "eval" / "attribution_score.py"
_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")  # the shared scorer's word tokens
KEYS = {"id", "file", "sha256", "chars", "attributions"}
ROLES = ("source", "cue", "content")


def _golds():
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.json"))]


def test_gold_files_are_standoff_only():
    golds = _golds()
    assert len(golds) >= 12
    for g in golds:
        assert set(g) == KEYS, g["id"]
        assert g["file"] == f"article{g['id']}.txt"
        for att in g["attributions"]:
            assert set(att) == {*ROLES, "speaker", "kind"}, g["id"]
            assert att["kind"] in ptc_eval.KINDS
            assert att["content"], g["id"]
            assert att["speaker"] is None or isinstance(att["speaker"], str)
            for role in ROLES:
                assert all(isinstance(x, int) for span in att[role] for x in span)


def test_gold_fits_its_texts(ptc_root):
    for g in _golds():
        data = (ptc_root / "train-articles" / g["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == g["sha256"], g["file"]
        text = data.decode("utf-8")
        assert len(text) == g["chars"], g["file"]
        tokens = [m.span() for m in _WORD.finditer(text)]
        for n, att in enumerate(g["attributions"]):
            for role in ROLES:
                for s, e in att[role]:
                    where = f"{g['file']} attribution {n} {role} [{s}, {e}]"
                    assert 0 <= s < e <= len(text), where
                    # no span starts or ends inside a word token
                    assert not any(ts < s < te or ts < e < te for ts, te in tokens), where
                    assert text[s:e] == text[s:e].strip(), where


def test_gold_kinds_follow_the_quotation_marks(ptc_root):
    S = ptc_eval.load_scorer(str(SCORER)) if SCORER.exists() else pytest.skip("no shared scorer")
    for g in ptc_eval.load_gold(GOLD, ptc_root):
        for att in g["attributions"]:
            assert att["kind"] == ptc_eval.kind_of(S, g["text"], att["content"]), g["id"]


def test_gold_against_itself_scores_100(ptc_root, tmp_path):
    if not SCORER.exists():
        pytest.skip("the shared scorer is not available at ../shared/eval")
    pred = tmp_path / "gold.jsonl"
    with pred.open("w", encoding="utf-8") as f:
        for g in ptc_eval.load_gold(GOLD, ptc_root):
            statements = [{role: att[role] for role in ROLES} for att in g["attributions"]]
            f.write(json.dumps({"id": ptc_eval.record_id(g["id"]), "text": g["text"], "statements": statements}) + "\n")
    result = ptc_eval.evaluate(ptc_root, GOLD, pred, SCORER)
    assert result["problems"] == {}
    for view in ("attribution", "direct"):
        for metric in ("e2e_f1", "content_exact_f1", "content_partial_f1", "speaker_acc"):
            assert result[view][metric] == 1.0, (view, metric)
    for role in ROLES:
        assert result["components"][role + "_f1"] == 1.0, role


def test_a_changed_text_is_refused(ptc_root, tmp_path):
    g = _golds()[0]
    (tmp_path / "train-articles").mkdir()
    text = (ptc_root / "train-articles" / g["file"]).read_text(encoding="utf-8")
    (tmp_path / "train-articles" / g["file"]).write_text(text + " ", encoding="utf-8")
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / f"{g['id']}.json").write_text(json.dumps(g), encoding="utf-8")
    with pytest.raises(ptc_eval.GoldError, match="sha256"):
        ptc_eval.load_gold(tmp_path / "gold", tmp_path)
