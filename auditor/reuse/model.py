"""The stale-passage model: a calibrated scikit-learn classifier loaded by path, with a fallback.

``models/stale_passage.joblib`` is written by ``models/train_stale.py`` as a dict
``{"format": MODEL_FORMAT, "features": FEATURE_NAMES, "model": estimator, "metrics": {...}}``.
``load_model()`` checks the format and the feature list; when the artefact is missing, unreadable or
of another version, ``StaleModel.fallback()`` is used instead: a hand-set logistic score over the
same features (documented in ``FALLBACK_WEIGHTS``), so the rules keep working and say so in
``model.source``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor.reuse.features import FEATURE_NAMES

MODEL_FORMAT = 1
DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "stale_passage.joblib"
MODEL_ENV = "AUDITOR_STALE_MODEL"
STALE_THRESHOLD = 0.5

# Fallback: logit = bias + Σ weight × feature. Copied year-specific text keeps its figures and its
# old year; template text is generic, sits in the template's sections and is shared by many units.
FALLBACK_BIAS = -4.0
FALLBACK_WEIGHTS: dict[str, float] = {
    "similarity": 3.0, "log_length": 0.0, "has_numbers": 0.0, "numbers_unchanged": 2.5, "old_year": 1.0,
    "current_year": -1.5, "old_year_frame": 2.5, "temporal_cues": 0.7, "is_heading": -3.0,
    "template_section": -2.0, "log_shared_units": -1.0,
}


@dataclass(slots=True)
class StaleModel:
    source: str  # path of the artefact, or "fallback"
    estimator: Any = None
    metrics: dict = field(default_factory=dict)

    @classmethod
    def fallback(cls) -> StaleModel:
        return cls(source="fallback")

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

        return [float(p) for p in self.estimator.predict_proba(np.asarray(rows, dtype=float))[:, 1]]


def model_path() -> Path:
    return Path(os.environ.get(MODEL_ENV) or DEFAULT_MODEL_PATH)


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> StaleModel:
    """The fitted model at ``path`` (default: models/stale_passage.joblib), or the fallback."""
    target = Path(path) if path else model_path()
    if not target.is_file():
        return StaleModel.fallback()
    try:
        import joblib

        state = joblib.load(target)
    except Exception:  # noqa: BLE001 - a broken artefact must not stop the audit
        return StaleModel.fallback()
    if (not isinstance(state, dict) or state.get("format") != MODEL_FORMAT
            or tuple(state.get("features", ())) != FEATURE_NAMES):
        return StaleModel.fallback()
    return StaleModel(source=str(target), estimator=state["model"], metrics=state.get("metrics", {}))
