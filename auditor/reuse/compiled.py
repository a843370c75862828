"""The stale-passage model as plain arrays, scored with numpy alone.

The model is fitted with scikit-learn (``models/train_stale.py``): a ``CalibratedClassifierCV`` of
``HistGradientBoostingClassifier`` s with isotonic calibration. Importing scikit-learn and unpickling
the fitted objects costs 1.5-2 s of CPU (scipy.stats, pandas), paid in every batch that compares
reports, while scoring the model is a few hundred shallow trees and one interpolation.
:func:`compile_calibrated` turns the fitted model into :class:`CalibratedTrees` (the trees' nodes and
the calibration curves as arrays, saved as one ``.npz`` file); :meth:`CalibratedTrees.predict_positive`
gives the same probabilities as ``model.predict_proba(X)[:, 1]``, to the last bit (the same operations
in the same order; ``tests/test_reuse_compiled.py`` checks it on every release of the artefact).

Supported: binary classification, numeric features (no categorical ones), ``method="isotonic"`` with
``out_of_bounds="clip"``: what the training script fits. :func:`compile_calibrated` refuses anything else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CalibratedTrees", "compile_calibrated", "COMPILED_FORMAT"]

COMPILED_FORMAT = 1
_NODE_FIELDS = ("feature", "threshold", "missing_left", "left", "right", "is_leaf", "value")


@dataclass(slots=True)
class _Member:
    """One calibrated classifier of the ensemble: its boosted trees and its isotonic curve."""

    baseline: float
    roots: np.ndarray  # int64: each tree's root in the node arrays, in boosting order
    feature: np.ndarray  # int64
    threshold: np.ndarray  # float64: go left when x <= threshold
    missing_left: np.ndarray  # bool: where a NaN goes
    left: np.ndarray  # int64 (absolute node index)
    right: np.ndarray  # int64
    is_leaf: np.ndarray  # bool
    value: np.ndarray  # float64: a leaf's raw score
    depth: int  # the deepest leaf (the number of steps down a tree)
    curve_x: np.ndarray  # float64: the isotonic curve's thresholds
    curve_y: np.ndarray  # float64
    clip: tuple[float, float]

    def raw(self, X: np.ndarray) -> np.ndarray:
        """The boosting's decision function: the baseline plus every tree's leaf, added in order."""
        rows = np.arange(X.shape[0])
        node = np.repeat(self.roots[:, None], X.shape[0], axis=1)  # (trees, rows)
        for _ in range(self.depth):
            x = X[rows[None, :], self.feature[node]]
            go_left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            node = np.where(self.is_leaf[node], node, np.where(go_left, self.left[node], self.right[node]))
        leaves = self.value[node]
        raw = np.zeros(X.shape[0], dtype=np.float64)
        raw += self.baseline
        for tree in leaves:  # one tree after the other, as scikit-learn accumulates them
            raw += tree
        return raw

    def positive(self, X: np.ndarray) -> np.ndarray:
        calibrated = np.interp(np.clip(self.raw(X), *self.clip), self.curve_x, self.curve_y)
        calibrated[(1.0 < calibrated) & (calibrated <= 1.0 + 1e-5)] = 1.0
        return calibrated


@dataclass(slots=True)
class CalibratedTrees:
    """A compiled stale-passage model (see the module docstring) and what was saved with it."""

    members: list[_Member]
    features: tuple[str, ...]
    meta: dict[str, Any]  # format, threshold, metrics … as the training script wrote them

    def predict_positive(self, X: np.ndarray) -> np.ndarray:
        """The probability of the positive class for each row of ``X`` (float64, one column per feature)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.features):
            raise ValueError(f"expected rows of {len(self.features)} features, got shape {X.shape}")
        # pair features repeat a lot (most are 0/1 flags): each distinct row is scored once. Rows are
        # told apart by their bytes (one sort of fixed-size records, ~3.5 times faster than
        # ``np.unique(axis=0)``, which compares column by column); a row's score does not depend on the others
        if len(X) > 1:
            X = np.ascontiguousarray(X)
            records = X.view(np.dtype((np.void, X.itemsize * X.shape[1]))).ravel()
            _, first, inverse = np.unique(records, return_index=True, return_inverse=True)
            distinct = X[first]
        else:
            distinct, inverse = X, np.zeros(len(X), int)
        total = np.zeros(distinct.shape[0], dtype=np.float64)
        for member in self.members:
            total += member.positive(distinct)
        total /= len(self.members)
        return total[inverse.reshape(-1)]

    def save(self, path: str | Path) -> None:
        arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(
            {"compiled_format": COMPILED_FORMAT, "features": list(self.features), **self.meta}, ensure_ascii=False))}
        for k, m in enumerate(self.members):
            arrays[f"m{k}_scalars"] = np.array([m.baseline, m.depth, *m.clip], dtype=np.float64)
            arrays[f"m{k}_roots"] = m.roots
            for name in _NODE_FIELDS:
                arrays[f"m{k}_{name}"] = getattr(m, name)
            arrays[f"m{k}_curve_x"], arrays[f"m{k}_curve_y"] = m.curve_x, m.curve_y
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> CalibratedTrees:
        """Read a saved model; raises ValueError (or OSError) when the file is not one."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"][()]))
            if meta.pop("compiled_format", None) != COMPILED_FORMAT:
                raise ValueError("not a compiled model of this format")
            features = tuple(meta.pop("features"))
            members = []
            k = 0
            while f"m{k}_scalars" in data:
                baseline, depth, lo, hi = data[f"m{k}_scalars"].tolist()
                members.append(_Member(baseline=baseline, roots=data[f"m{k}_roots"],
                                       **{name: data[f"m{k}_{name}"] for name in _NODE_FIELDS},
                                       depth=int(depth), curve_x=data[f"m{k}_curve_x"],
                                       curve_y=data[f"m{k}_curve_y"], clip=(lo, hi)))
                k += 1
        if not members:
            raise ValueError("a compiled model without trees")
        return cls(members, features, meta)


def compile_calibrated(model: Any, features: tuple[str, ...], meta: dict[str, Any]) -> CalibratedTrees:
    """The arrays of a fitted ``CalibratedClassifierCV`` of ``HistGradientBoostingClassifier`` s
    (isotonic, binary). Raises ValueError for any other kind of model."""
    if getattr(model, "method", None) != "isotonic" or len(getattr(model, "classes_", ())) != 2:
        raise ValueError("only a binary CalibratedClassifierCV with isotonic calibration can be compiled")
    members = []
    for calibrated in model.calibrated_classifiers_:
        booster = calibrated.estimator
        (calibrator,) = calibrated.calibrators
        if getattr(booster, "is_categorical_", None) is not None or calibrator.out_of_bounds != "clip":
            raise ValueError("categorical features and unclipped calibration are not supported")
        if len(calibrator.X_thresholds_) < 2:
            raise ValueError("a constant calibration curve is not supported")
        parts = {name: [] for name in _NODE_FIELDS}
        roots, offset, depth = [], 0, 0
        for (predictor,) in booster._predictors:  # one tree per iteration (binary)
            nodes = predictor.nodes
            roots.append(offset)
            parts["feature"].append(nodes["feature_idx"].astype(np.int64))
            parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
            parts["missing_left"].append(nodes["missing_go_to_left"].astype(bool))
            parts["left"].append(nodes["left"].astype(np.int64) + offset)
            parts["right"].append(nodes["right"].astype(np.int64) + offset)
            parts["is_leaf"].append(nodes["is_leaf"].astype(bool))
            parts["value"].append(nodes["value"].astype(np.float64))
            depth = max(depth, int(nodes["depth"].max()))
            offset += len(nodes)
        arrays = {name: np.concatenate(chunks) for name, chunks in parts.items()}
        arrays["feature"][arrays["is_leaf"]] = 0  # a leaf's feature is never read; keep it a valid column
        members.append(_Member(baseline=float(np.asarray(booster._baseline_prediction).ravel()[0]),
                               roots=np.asarray(roots, dtype=np.int64), **arrays, depth=depth,
                               curve_x=np.asarray(calibrator.X_thresholds_, dtype=np.float64),
                               curve_y=np.asarray(calibrator.y_thresholds_, dtype=np.float64),
                               clip=(float(calibrator.X_min_), float(calibrator.X_max_))))
    return CalibratedTrees(members, tuple(features), dict(meta))
