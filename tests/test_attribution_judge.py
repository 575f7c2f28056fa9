"""The statement judge's trees evaluated by presslens (`attribution/trees.py`) give LightGBM's
own numbers, to the last bit: on the shipped judges and content-end ranker, and on models whose
splits send missing values (NaN, zero) one way."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from presslens.pipeline.attribution.trees import TreeEnsemble

DATA = Path(str(resources.files("presslens.data.attribution")))


@pytest.fixture(scope="module")
def lightgbm():
    """LightGBM (the train extra, in the test extra), imported by the tests that run, not when
    the suite is collected: it imports scikit-learn, SciPy and pandas (about 1.4 s in each of
    `make test`'s processes)."""
    return pytest.importorskip("lightgbm")


def hard_rows(model: TreeEnsemble, n: int, seed: int = 0) -> np.ndarray:
    """Rows made of the model's own thresholds, values just above them, 0, 1, NaN, tiny and
    large numbers: where `<=`, the missing-value rules and rounding would show a difference."""
    rng = np.random.default_rng(seed)
    thresholds = model.threshold[np.isfinite(model.threshold)]
    values = np.concatenate([thresholds, np.nextafter(thresholds, np.inf), [0.0, -0.0, 1.0, -1.0, np.nan, 1e-36,
                                                                          -1e-36, 5.0, 1e6]])
    width = int(model.feature.max()) + 1
    return np.concatenate([rng.choice(values, size=(n, width)), rng.random((n, width)) * 100])


@pytest.mark.parametrize("name", ["judge", "encoder-judge", "stacked-judge", "ends", "ends-judge", "starts", "starts-judge"])
def test_shipped_judges_score_as_lightgbm_does(name, lightgbm):
    path = DATA / f"{name}.lgb.txt"
    ours, theirs = TreeEnsemble.load(path), lightgbm.Booster(model_file=str(path))
    rows = hard_rows(ours, 5000)
    assert np.array_equal(ours.predict(rows), theirs.predict(rows, num_threads=1))
    assert ours.feature_names == theirs.feature_name()
    for few in (rows[:1], rows[:7], rows[:0]):
        assert np.array_equal(ours.predict(few), theirs.predict(few, num_threads=1)) if len(few) else \
            ours.predict(few).shape == (0,)


@pytest.mark.parametrize("params, missing", [({"use_missing": True}, 2), ({"zero_as_missing": True}, 1),
                                             ({"use_missing": False}, 0)], ids=["nan", "zero", "none"])
def test_missing_values_go_where_lightgbm_sends_them(params, missing, lightgbm):
    rng = np.random.default_rng(1)
    x = rng.random((600, 4))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[rng.random(x.shape) < 0.2] = 0.0
    y = ((np.nan_to_num(x[:, 0], nan=0.7) + x[:, 1].clip(0, 1) * 0.3) > 0.6).astype(int)
    booster = lightgbm.train({"objective": "binary", "num_leaves": 7, "min_data_in_leaf": 5, "verbose": -1,
                              "seed": 1, **params}, lightgbm.Dataset(x, y), 30)
    ours = TreeEnsemble.from_string(booster.model_to_string())
    inner = np.isfinite(ours.threshold)
    assert set(np.unique(ours.missing[inner])) == {missing}  # the kind of split this case is about
    rows = np.concatenate([x, hard_rows(ours, 500)])
    assert np.array_equal(ours.predict(rows), booster.predict(rows, num_threads=1))


def test_a_model_of_one_leaf_and_other_objectives(lightgbm):
    x, y = np.zeros((50, 2)), np.r_[np.zeros(25), np.ones(25)]
    stump = lightgbm.train({"objective": "binary", "verbose": -1, "min_data_in_leaf": 100}, lightgbm.Dataset(x, y), 3)
    ours = TreeEnsemble.from_string(stump.model_to_string())
    assert np.array_equal(ours.predict(x[:3]), stump.predict(x[:3]))
    regression = lightgbm.train({"objective": "regression", "verbose": -1}, lightgbm.Dataset(x, y), 2)
    with pytest.raises(ValueError, match="not a binary LightGBM model"):
        TreeEnsemble.from_string(regression.model_to_string())
    with pytest.raises(ValueError, match="expected rows of"):
        TreeEnsemble.load(DATA / "judge.lgb.txt").predict(np.zeros((2, 3)))
