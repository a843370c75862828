"""Fit the stale-passage model from a labelled generated corpus and write the packaged artefact
auditor/reuse/stale_passage.joblib (package data: an installed auditor loads it from site-packages).

    .venv/bin/python models/train_stale.py            # default corpus: 80 units × 2021-2024, seed 11
    .venv/bin/python models/train_stale.py --units 40 --seed 5

Units are split 70/30 (by unit, so no unit's text is on both sides); the model (gradient boosting,
calibrated with isotonic regression, 3-fold) is fitted on the training units and evaluated on the
held-out units: AUROC, Brier score, expected calibration error (10 bins) and the reliability table
are written into the artefact and into models/stale_passage.metrics.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import joblib  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402
from sklearn.metrics import brier_score_loss, roc_auc_score  # noqa: E402

from auditor.reuse.corpus import labelled_rows  # noqa: E402
from auditor.reuse.features import FEATURE_NAMES  # noqa: E402
from auditor.reuse.model import DEFAULT_MODEL_PATH, MODEL_FORMAT  # noqa: E402


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> tuple[float, list[dict]]:
    edges = np.linspace(0, 1, bins + 1)
    table, ece = [], 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if not mask.any():
            continue
        mean_p, rate = float(p[mask].mean()), float(y[mask].mean())
        ece += mask.mean() * abs(mean_p - rate)
        table.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(mask.sum()), "mean_score": round(mean_p, 3),
                      "copied_rate": round(rate, 3)})
    return float(ece), table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=80)
    parser.add_argument("--years", type=int, nargs="+", default=[2021, 2022, 2023, 2024])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--copy-rate", type=float, default=0.5)
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_MODEL_PATH)
    args = parser.parse_args(argv)

    from corpora.generate import generate_corpus

    with tempfile.TemporaryDirectory() as tmp:
        generate_corpus(Path(tmp), n_units=args.units, years=args.years, seed=args.seed,
                        copy_rate=args.copy_rate, inject_errors=True)
        rows = labelled_rows(Path(tmp))
    units = sorted({r.unit + "|" + r.path.split("_")[0] for r in rows})
    random.Random(args.seed).shuffle(units)
    held = set(units[: int(len(units) * 0.3)])
    key = [r.unit + "|" + r.path.split("_")[0] for r in rows]
    X = np.array([r.features for r in rows], dtype=float)
    y = np.array([r.label for r in rows], dtype=int)
    test = np.array([k in held for k in key])
    base = GradientBoostingClassifier(n_estimators=150, max_depth=3, learning_rate=0.1, random_state=0)
    model = CalibratedClassifierCV(base, method="isotonic", cv=3)
    model.fit(X[~test], y[~test])
    p = model.predict_proba(X[test])[:, 1]
    ece, table = calibration_table(y[test], p)
    ys_mask = np.array([r.content in (None, "year_specific") for r in rows])[test]
    metrics = {
        "corpus": {"units": args.units, "years": args.years, "seed": args.seed, "copy_rate": args.copy_rate},
        "rows": {"train": int((~test).sum()), "test": int(test.sum()), "test_positive": int(y[test].sum())},
        "heldout_auroc": round(float(roc_auc_score(y[test], p)), 4),
        "heldout_auroc_year_specific_vs_unlabelled": round(float(roc_auc_score(y[test][ys_mask], p[ys_mask])), 4),
        "heldout_brier": round(float(brier_score_loss(y[test], p)), 4),
        "heldout_ece": round(ece, 4),
        "reliability": table,
    }
    # refit on everything for the shipped artefact (metrics above are from the held-out split)
    model.fit(X, y)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"format": MODEL_FORMAT, "features": FEATURE_NAMES, "model": model, "metrics": metrics},
                args.output, compress=3)
    (ROOT / "models" / "stale_passage.metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n",
                                                        encoding="utf-8")
    print(json.dumps({k: v for k, v in metrics.items() if k != "reliability"}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
