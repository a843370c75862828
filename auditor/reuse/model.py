"""The stale-passage model: a calibrated scikit-learn classifier shipped inside the package.

``models/train_stale.py`` fits it and writes two files into ``auditor/reuse`` (package data, so
``pip install .`` carries them):

- ``stale_passage.joblib``: the fitted scikit-learn objects, as a dict ``{"format": MODEL_FORMAT,
  "features": FEATURE_NAMES, "model": estimator, "metrics": {...}, "threshold": ...}``;
- ``stale_passage.npz``: the same model compiled to arrays (:mod:`auditor.reuse.compiled`), with the
  same format, features, metrics and threshold. It gives the same scores to the last bit and loads in
  milliseconds without importing scikit-learn (1.5-2 s of CPU otherwise); this is what runs.

Both are read with ``importlib.resources`` from the installed package. ``AUDITOR_STALE_MODEL`` (or
``load_model(path)``) points at another artefact of either kind (a ``.joblib`` is compiled when loaded).

``load_model()`` checks the format and the feature list. A missing, unreadable or incompatible artefact
is never silent: the hand-set fallback (``FALLBACK_WEIGHTS``) is used, ``StaleModel.warning`` says why
and names the fallback, a ``StaleModelWarning`` is emitted, and the batch prints the warning
(``ReferenceSet.for_batch``).
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.reuse.features import FEATURE_NAMES

if TYPE_CHECKING:
    from auditor.reuse.compiled import CalibratedTrees

MODEL_FORMAT = 2
MODEL_FILE = "stale_passage.npz"  # what runs; FITTED_FILE is what it was compiled from
FITTED_FILE = "stale_passage.joblib"
MODEL_ENV = "AUDITOR_STALE_MODEL"
STALE_THRESHOLD = 0.5  # the fallback's; a fitted model carries the threshold chosen when it was trained


def packaged_model_path(name: str = MODEL_FILE) -> Path:
    """Where a shipped artefact is: inside the installed ``auditor.reuse`` package."""
    return Path(str(resources.files("auditor.reuse").joinpath(name)))


DEFAULT_MODEL_PATH = packaged_model_path()


class StaleModelWarning(UserWarning):
    """The fitted stale-passage model could not be used; the hand-set fallback scores instead."""

# Fallback: logit = bias + Σ weight × feature. Copied year-specific text keeps its figures and its
# old year; template text is generic, sits in the template's sections and is shared by many units.
FALLBACK_BIAS = -4.0
FALLBACK_WEIGHTS: dict[str, float] = {
    "similarity": 3.0, "has_numbers": 0.0, "numbers_unchanged": 2.5, "log_unchanged": 1.0,
    "log_changed": -1.0, "old_year": 1.0, "current_year": -1.5, "kept_old_year": 1.5, "updated_year": -1.0,
    "old_year_frame": 2.5, "temporal_cues": 0.7, "is_heading": -3.0, "template_section": -2.0,
    "log_shared_units": -1.0,
}


@dataclass(slots=True)
class StaleModel:
    source: str  # path of the artefact, or "fallback"
    estimator: CalibratedTrees | None = None
    metrics: dict = field(default_factory=dict)
    warning: str | None = None  # why the fallback is used (None for the fitted model)
    threshold: float = STALE_THRESHOLD  # score at which a pair with un-updated facts is stale

    @classmethod
    def fallback(cls, reason: str | None = None) -> StaleModel:
        return cls(source="fallback", warning=reason)

    def score(self, rows: list[list[float]]) -> list[float]:
        """Probability (0..1) that each aligned pair is copied year-specific content."""
        if not rows:
            return []
        if self.estimator is None:
            out = []
            for row in rows:
                z = FALLBACK_BIAS + sum(FALLBACK_WEIGHTS[n] * v for n, v in zip(FEATURE_NAMES, row))
                out.append(1.0 / (1.0 + math.exp(-z)))
            return out
        import numpy as np

        return self.estimator.predict_positive(np.asarray(rows, dtype=np.float64)).tolist()


def model_path() -> Path:
    return Path(os.environ.get(MODEL_ENV) or packaged_model_path())


def _fallback(target: Path, why: str) -> StaleModel:
    message = (f"照抄评分模型 {target} {why}，改用备用的手工权重（FALLBACK_WEIGHTS）评分，"
               f"照抄判断的准确度低于基准评测所述")
    warnings.warn(message, StaleModelWarning, stacklevel=3)
    return StaleModel.fallback(message)


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> StaleModel:
    """The fitted model at ``path`` (default: the compiled artefact shipped in the package, or
    ``$AUDITOR_STALE_MODEL``; a ``.npz`` compiled model or a ``.joblib`` fitted one); the fallback,
    with a warning, when it cannot be used."""
    target = Path(path) if path else model_path()
    if not target.is_file():
        return _fallback(target, "不存在")
    try:
        state = _read_compiled(target) if target.suffix == ".npz" else _read_fitted(target)
    except Exception as exc:  # noqa: BLE001 - a broken artefact must not stop the audit
        return _fallback(target, f"无法读取（{type(exc).__name__}）")
    if not isinstance(state, dict) or state.get("format") != MODEL_FORMAT:
        found = state.get("format") if isinstance(state, dict) else None
        return _fallback(target, f"格式版本为 {found}，本程序需要 {MODEL_FORMAT}")
    if tuple(state.get("features", ())) != FEATURE_NAMES:
        return _fallback(target, "的特征与本程序不一致")
    try:
        estimator = state["model"] if target.suffix == ".npz" else compile_fitted(state)
    except Exception as exc:  # noqa: BLE001 - a model of another kind
        return _fallback(target, f"无法使用（{type(exc).__name__}: {exc}）")
    return StaleModel(source=str(target), estimator=estimator, metrics=state.get("metrics", {}),
                      threshold=float(state.get("threshold", STALE_THRESHOLD)))


def _read_compiled(target: Path) -> dict:
    from auditor.reuse.compiled import CalibratedTrees

    compiled = CalibratedTrees.load(target)
    return {**compiled.meta, "features": compiled.features, "model": compiled}


def _read_fitted(target: Path) -> dict:
    import joblib

    return joblib.load(target)


def compile_fitted(state: dict) -> CalibratedTrees:
    """The compiled form of a fitted artefact's model (``state`` as ``stale_passage.joblib`` holds it)."""
    from auditor.reuse.compiled import compile_calibrated

    meta = {"format": state.get("format"), "threshold": state.get("threshold", STALE_THRESHOLD),
            "metrics": state.get("metrics", {})}
    return compile_calibrated(state["model"], tuple(state["features"]), meta)
