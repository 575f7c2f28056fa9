"""The statement judge at run time: a LightGBM model file read into arrays and evaluated here.

Why not `lightgbm.Booster`: importing lightgbm costs 0.5 s of every process that loads the
pipeline, and 2 s where scikit-learn is installed (lightgbm then imports it for its scikit-learn
API, which the judge never uses); every `presslens` command, ingest worker and Ray actor paid it,
for a few hundred small trees. Training (`judge.py`) still uses lightgbm (the `train` extra).

The arithmetic is LightGBM's own (`Tree::NumericalDecision` and `GBDT::PredictRaw`): float64
features; a NaN counts as 0.0 unless the split sends missing values one way; `x <= threshold`
goes left; leaf values are added tree by tree in file order, then the binary objective's
sigmoid. So the confidences are the same numbers as `Booster.predict`, to the last bit
(tests/test_attribution_judge.py compares them on the shipped judges).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

_DEFAULT_LEFT = 2  # decision_type bits (LightGBM's tree.h): 1 categorical, 2 default left,
_ZERO, _NAN = 1, 2  # bits 2-3 the missing type: 0 none, 1 zero, 2 NaN
_ZERO_THRESHOLD = float(np.float32(1e-35))  # kZeroThreshold, a float in LightGBM


class TreeEnsemble:
    """A binary LightGBM model: `predict(X)` gives what `lightgbm.Booster.predict(X)` gives.

    Every tree is a row of node arrays: its internal nodes first, then its leaves, which point
    to themselves, so all rows and all trees descend together for the deepest tree's depth."""

    def __init__(self, trees: list[dict[str, np.ndarray]], sigmoid: float, features: list[str]):
        self.sigmoid, self.feature_names = sigmoid, features
        width = max(len(t["value"]) for t in trees)
        shape = (len(trees), width)
        self.feature = np.zeros(shape, dtype=np.intp)
        self.threshold = np.full(shape, np.inf)
        self.default_left = np.zeros(shape, dtype=bool)
        self.missing = np.zeros(shape, dtype=np.int8)
        self.left = np.tile(np.arange(width, dtype=np.intp), (len(trees), 1))
        self.right = self.left.copy()
        self.value = np.zeros(shape)
        self.depth = 0
        for k, t in enumerate(trees):
            n = len(t["feature"])
            self.feature[k, :n] = t["feature"]
            self.threshold[k, :n] = t["threshold"]
            self.default_left[k, :n] = (t["decision"] & _DEFAULT_LEFT) != 0
            self.missing[k, :n] = (t["decision"] >> 2) & 3
            self.left[k, :n], self.right[k, :n] = t["left"], t["right"]
            self.value[k, : len(t["value"])] = t["value"]
            self.depth = max(self.depth, t["depth"])
        # the same nodes as flat arrays for `raw`: node n of tree k is k * width + n, and its
        # children are child[2 * node] (right) and child[2 * node + 1] (left)
        base = (np.arange(len(trees)) * width)[:, None]
        # `raw` walks the trees shallowest first, and at each level only those still descending:
        # the deepest tree is about twice as deep as the mean (shipped rankers: 19 against 10.6)
        depths = np.array([t["depth"] for t in trees], dtype=np.intp)
        order = np.argsort(depths, kind="stable")
        self._base = base.ravel()[order]
        self._unorder = np.argsort(order)  # back to file order for the sum
        self._descending = np.searchsorted(depths[order], np.arange(self.depth), side="right")  # first tree per level
        self._child = np.stack([self.right + base, self.left + base], axis=-1).ravel()
        self._feature, self._threshold, self._value = self.feature.ravel(), self.threshold.ravel(), self.value.ravel()
        self._missing, self._default_left = self.missing.ravel(), self.default_left.ravel()
        self._plain = not self.missing.any()  # no split treats missing values apart (every shipped model)

    @classmethod
    def load(cls, path: str | Path) -> TreeEnsemble:
        return cls.from_string(Path(path).read_text(encoding="utf-8"), str(path))

    @classmethod
    def from_string(cls, text: str, name: str = "<model>") -> TreeEnsemble:
        head, _, rest = text.partition("\nTree=")
        header = dict(line.split("=", 1) for line in head.splitlines() if "=" in line)
        objective = header.get("objective", "").split()
        if not objective or objective[0] != "binary" or header.get("num_tree_per_iteration", "1") != "1":
            raise ValueError(f"{name}: not a binary LightGBM model (objective {header.get('objective')!r})")
        sigmoid = next((float(o.split(":")[1]) for o in objective[1:] if o.startswith("sigmoid:")), 1.0)
        trees = []
        for k, block in enumerate(rest.split("\nend of trees", 1)[0].split("\nTree=")):
            fields = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
            if fields.get("num_cat", "0") != "0" or fields.get("is_linear", "0") != "0":
                raise ValueError(f"{name}: tree {k}: categorical or linear trees are not supported")
            trees.append(_tree(fields))
        return cls(trees, sigmoid, header.get("feature_names", "").split())

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The sum of the trees' leaf values for each row of `x` (rows x features)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or (x.shape[1] <= self.feature.max()):
            raise ValueError(f"expected rows of {self.feature.max() + 1} features, got shape {x.shape}")
        # LightGBM reads a dense row as sparse pairs, dropping values within kZeroThreshold of 0
        # (c_api.cpp, RowFunctionFromDenseMatric): 1e-36 is 0.0 to it, whatever the split
        x = np.where(np.abs(x) <= _ZERO_THRESHOLD, 0.0, x)
        if not len(x):
            return np.zeros(0)
        if self._plain:  # a NaN is 0.0 at every split: replaced once, not per node and level
            x = np.where(np.isnan(x), 0.0, x)
        flat_x = x.ravel()
        row_base = (np.arange(len(x)) * x.shape[1])[:, None]
        node = np.tile(self._base, (len(x), 1))  # one column per tree, shallowest first
        for first in self._descending.tolist():  # flat node indices: one gather per array and level
            cur = node[:, first:]  # the trees deep enough to have a split at this level
            value = np.take(flat_x, row_base + np.take(self._feature, cur))
            threshold = np.take(self._threshold, cur)
            if self._plain:
                go_left = value <= threshold
            else:
                miss = np.take(self._missing, cur)
                nan = np.isnan(value)
                value = np.where(nan & (miss != _NAN), 0.0, value)
                to_default = ((miss == _ZERO) & (value == 0.0)) | ((miss == _NAN) & nan)
                go_left = np.where(to_default, np.take(self._default_left, cur), value <= threshold)
            node[:, first:] = np.take(self._child, 2 * cur + go_left)
        # cumsum adds in order, as LightGBM does (np.sum would add pairwise: other last bits)
        return np.cumsum(np.take(self._value, node)[:, self._unorder], axis=1)[:, -1]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The probability of each row (the sigmoid of `raw`; `math.exp` is the C library's
        `exp`, as in LightGBM)."""
        return np.array([1.0 / (1.0 + math.exp(-self.sigmoid * r)) for r in self.raw(x).tolist()])


def _tree(fields: dict[str, str]) -> dict:
    """One tree's nodes: internal nodes 0..L-2, then leaf j as node L-1+j."""
    leaves = int(fields["num_leaves"])
    value = np.array(fields["leaf_value"].split(), dtype=np.float64)
    inner = leaves - 1
    if inner == 0:
        empty = np.zeros(0, dtype=np.intp)
        return {"feature": empty, "threshold": np.zeros(0), "decision": empty, "left": empty, "right": empty,
                "value": value, "depth": 0}

    def node(children: str) -> np.ndarray:
        c = np.array(children.split(), dtype=np.intp)
        return np.where(c >= 0, c, inner + ~c)

    left, right = node(fields["left_child"]), node(fields["right_child"])
    depth, level = 0, [0]
    while level:
        depth += 1
        level = [c for n in level for c in (left[n], right[n]) if c < inner]
    return {"feature": np.array(fields["split_feature"].split(), dtype=np.intp),
            "threshold": np.array(fields["threshold"].split(), dtype=np.float64),
            "decision": np.array(fields["decision_type"].split(), dtype=np.intp),
            "left": left, "right": right,
            "value": np.concatenate([np.zeros(inner), value]), "depth": depth}
