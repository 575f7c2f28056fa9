"""Every test that needs PolNeAR dev analyzed, in one file: `make test` hands whole files to
its processes, so the session's analysis of dev (the `polnear_dev` fixture) is made once.
Skips without PolNeAR.

- issue 5's floor: fails when attribution-view e2e F1 on dev drops below the pinned figure
  (docs/evaluation.md keeps the full tables);
- issue 2: `presslens analyze` of dev gives 84 valid documents;
- the corpus stores real articles exactly once.
"""

from __future__ import annotations

import importlib.util
import json

import pytest
from test_corpus import Analyzed, counts

from presslens.corpus import ingest as ingest_module

pytestmark = [pytest.mark.model, pytest.mark.slow]

# Pinned a little under the measured figure in docs/evaluation.md, so noise does not trip it.
E2E_F1_FLOOR = 0.69  # dev e2e 70.5 with the default pipeline, 2026-12-02 (2026.12.10); was 0.655 at 68.0
DIRECT_CONTENT_EXACT_FLOOR = 0.95


def _scorer(polnear_root):
    path = polnear_root.parent.parent / "eval" / "attribution_score.py"
    if not path.exists():
        pytest.skip("the shared scorer is not available")
    spec = importlib.util.spec_from_file_location("attribution_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dev_e2e_floor(polnear_root, polnear_dev, tmp_path):
    S = _scorer(polnear_root)
    preds = polnear_dev["docs"]  # `presslens analyze` of dev, shared by the tests that need it
    views = {"attribution": [], "direct": []}
    for name, text, gold, direct, *_ in S.load_gold(str(polnear_root), "dev"):
        statements = preds[name]["statements"]
        views["attribution"].append((text, gold, statements))
        views["direct"].append((text, direct, [q for st in statements for q in S.quoted_segments(text, st)]))
    att, dq = S.score(views["attribution"]), S.score(views["direct"])
    (tmp_path / "scores.json").write_text(json.dumps({"attribution": att, "direct": dq}))
    assert att["e2e_f1"] >= E2E_F1_FLOOR, att
    assert dq["content_exact_f1"] >= DIRECT_CONTENT_EXACT_FLOOR, dq


def test_polnear_dev(polnear_dev, validate):
    """Issue 2, done when: 84 valid documents whose text equals each file."""
    folder, result = polnear_dev["folder"], polnear_dev["result"]
    assert result.exit_code == 0, result.stderr
    docs = [json.loads(line) for line in polnear_dev["output"].read_text(encoding="utf-8").splitlines()]
    assert len(docs) == 84
    for doc in docs:
        validate(doc)
        assert doc["text"] == (folder / f"{doc['id']}.txt").read_bytes().decode("utf-8")


def test_polnear_dev_twice_gives_the_same_counts(polnear_dev, tmp_path):
    """Exactly once on real articles, with the session's analysis of PolNeAR dev (worker
    processes are tested by test_process_workers)."""
    db = tmp_path / "polnear.duckdb"
    folder = [polnear_dev["folder"]]
    first = ingest_module.ingest(db, folder, executor=Analyzed(polnear_dev["docs"]), progress=False)
    after_first = counts(db)
    second = ingest_module.ingest(db, folder, executor=Analyzed(polnear_dev["docs"]), progress=False)
    assert first.added + first.duplicates == 84 and after_first["articles"] == first.added
    assert second.added == 0 and counts(db) == after_first
