"""Fit the stale-passage model from labelled generated corpora and write the packaged artefacts
auditor/reuse/stale_passage.joblib (the fitted scikit-learn model) and auditor/reuse/stale_passage.npz
(the same model compiled to arrays, what an installed auditor loads: auditor.reuse.compiled).

    .venv/bin/python models/train_stale.py            # 80 units × 2021-2024, seed 11, twice (below)
    .venv/bin/python models/train_stale.py --units 40 --seed 5
    .venv/bin/python models/train_stale.py --compile-only   # only rewrite the .npz from the .joblib

Two corpora of the same units' count and years: the copy corpus (``copy_rate``: whole sections or
paragraphs pasted from last year's report) and the reuse-pairs corpus (``reuse_pairs``: every report
written from last year's, paragraph by paragraph an honest update, a partial update, a verbatim copy,
or afresh; generic 问题/措施 template text). Units are split 70/30 (by unit, so no unit's text is on
both sides); the model (gradient boosting with monotonic constraints per feature, calibrated with isotonic
regression, 3-fold) is fitted on
the training units' pairs where something year-specific was left un-updated (the only pairs the rules
can call stale; the model tells copied content from facts that legitimately stay the same, such as a
staff count) and evaluated on the held-out units: AUROC, Brier score, expected calibration error
(10 bins), the reliability table, and precision and recall per kind of the stale verdict (score ≥ the
threshold chosen by F1 on out-of-fold predictions of the training units, and something left un-updated) are written into the artefact and into models/stale_passage.metrics.json.
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
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.metrics import brier_score_loss, roc_auc_score  # noqa: E402

from auditor.reuse.corpus import labelled_rows  # noqa: E402
from auditor.reuse.features import FEATURE_NAMES  # noqa: E402
from auditor.reuse.model import (FITTED_FILE, MODEL_FORMAT, STALE_THRESHOLD, compile_fitted,  # noqa: E402
                                 packaged_model_path)


# The direction in which each feature may move the score (+1 up, -1 down, 0 free). Generated text has
# regularities that real reports lack (this-year cue words only in budget sentences, two figures per
# paragraph …); the constraints keep the fitted model from learning them backwards. The span's length
# is no feature at all: generated paragraphs have about the same length, and a model that learnt it
# called every shorter real paragraph honest.
MONOTONIC: dict[str, int] = {
    "similarity": 1, "has_numbers": 0, "numbers_unchanged": 1, "log_unchanged": 1,
    "log_changed": -1, "old_year": 1, "current_year": -1, "kept_old_year": 1, "updated_year": -1,
    "old_year_frame": 1, "temporal_cues": 1, "is_heading": -1, "template_section": -1, "log_shared_units": -1,
}


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


def left_unupdated(x: np.ndarray) -> np.ndarray:
    """Rows where something year-specific was left as in the earlier report (PairFacts.stale, from the
    features: a figure unchanged, an earlier-period year kept, an earlier-year frame)."""
    f = {n: i for i, n in enumerate(FEATURE_NAMES)}
    return (x[:, f["log_unchanged"]] > 0) | (x[:, f["kept_old_year"]] > 0) | (x[:, f["old_year_frame"]] > 0)


def stale_verdict(x: np.ndarray, p: np.ndarray, threshold: float = STALE_THRESHOLD) -> np.ndarray:
    """The rules' verdict: score ≥ threshold and something left as last year's."""
    return (p >= threshold) & left_unupdated(x)


def choose_threshold(model, x: np.ndarray, y: np.ndarray) -> float:
    """The score threshold with the best F1 on out-of-fold predictions of the training units (never
    the held-out ones), among 0.30, 0.35 … 0.70."""
    from sklearn.base import clone
    from sklearn.metrics import f1_score
    from sklearn.model_selection import cross_val_predict

    p = cross_val_predict(clone(model), x, y, cv=3, method="predict_proba")[:, 1]
    grid = [round(0.3 + 0.05 * i, 2) for i in range(9)]
    return max(grid, key=lambda t: (f1_score(y, p >= t), -abs(t - STALE_THRESHOLD)))


def by_kind(rows: list, x: np.ndarray, p: np.ndarray, threshold: float = STALE_THRESHOLD) -> dict:
    """Per kind of pair: rows, how many the verdict calls stale, and precision/recall where they apply
    (recall for the stale kinds; for the others the share called stale is their false-positive rate)."""
    verdict = stale_verdict(x, p, threshold)
    kinds = [r.kind or ("copy" if r.label else "unlabelled") for r in rows]
    labels = np.array([r.label for r in rows], dtype=int)
    out = {}
    for kind in sorted(set(kinds)):
        mask = np.array([k == kind for k in kinds])
        out[kind] = {"rows": int(mask.sum()), "called_stale": int(verdict[mask].sum()),
                     "stale_label": int(labels[mask].sum())}
        if labels[mask].any():
            out[kind]["recall"] = round(float(verdict[mask & (labels == 1)].mean()), 4)
        else:
            out[kind]["false_positive_rate"] = round(float(verdict[mask].mean()), 4)
    called = verdict.sum()
    out["all"] = {"precision": round(float((verdict & (labels == 1)).sum() / called), 4) if called else None,
                  "recall": round(float(verdict[labels == 1].mean()), 4) if labels.any() else None}
    return out


def write_compiled(fitted: Path) -> Path:
    """Compile the fitted artefact into ``<same name>.npz`` (auditor.reuse.compiled)."""
    target = fitted.with_suffix(".npz")
    compile_fitted(joblib.load(fitted)).save(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=80)
    parser.add_argument("--years", type=int, nargs="+", default=[2021, 2022, 2023, 2024])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--copy-rate", type=float, default=0.5)
    parser.add_argument("-o", "--output", type=Path, default=packaged_model_path(FITTED_FILE),
                        help="the fitted artefact (.joblib); the compiled one is written beside it (.npz)")
    parser.add_argument("--compile-only", action="store_true", help="only compile the existing --output")
    args = parser.parse_args(argv)
    if args.compile_only:
        write_compiled(args.output)
        return 0

    from corpora.generate import generate_corpus

    rows = []
    for name, options in (("copy", {"copy_rate": args.copy_rate}), ("reuse", {"reuse_pairs": True})):
        with tempfile.TemporaryDirectory() as tmp:
            generate_corpus(Path(tmp), n_units=args.units, years=args.years, seed=args.seed,
                            inject_errors=True, **options)
            for r in labelled_rows(Path(tmp)):
                r.path = f"{name}/{r.path}"  # the two corpora share unit numbers and names
                rows.append(r)
    rows = [r for r in rows if r.label is not None]
    units = sorted({r.path.split("_")[0] for r in rows})
    random.Random(args.seed).shuffle(units)
    held = set(units[: int(len(units) * 0.3)])
    key = [r.path.split("_")[0] for r in rows]
    X = np.array([r.features for r in rows], dtype=float)
    y = np.array([r.label for r in rows], dtype=int)
    test = np.array([k in held for k in key])
    base = HistGradientBoostingClassifier(max_iter=150, max_depth=3, learning_rate=0.1, random_state=0,
                                          monotonic_cst=[MONOTONIC[n] for n in FEATURE_NAMES])
    model = CalibratedClassifierCV(base, method="isotonic", cv=3)
    # the model's domain: pairs where something year-specific was left as last year's (a figure, an
    # earlier-period year, an earlier-year frame); the others are never stale whatever the score
    left = left_unupdated(X)
    threshold = choose_threshold(model, X[~test & left], y[~test & left])
    model.fit(X[~test & left], y[~test & left])
    p = model.predict_proba(X[test])[:, 1]
    ece, table = calibration_table(y[test], p)
    ys_mask = np.array([r.content in (None, "year_specific") and r.kind is None for r in rows])[test]
    metrics = {
        "corpus": {"units": args.units, "years": args.years, "seed": args.seed, "copy_rate": args.copy_rate,
                   "corpora": ["copy", "reuse_pairs"]},
        "rows": {"train": int((~test & left).sum()), "test": int(test.sum()), "test_positive": int(y[test].sum()),
             "test_in_domain": int((test & left).sum()), "positives_outside_domain": int(y[~left].sum())},
        "heldout_auroc": round(float(roc_auc_score(y[test], p)), 4),
        "heldout_auroc_in_domain": round(float(roc_auc_score(y[test & left], p[left[test]])), 4),
        "heldout_auroc_year_specific_vs_unlabelled": round(float(roc_auc_score(y[test][ys_mask], p[ys_mask])), 4),
        "heldout_brier": round(float(brier_score_loss(y[test], p)), 4),
        "heldout_ece": round(ece, 4),
        "threshold": threshold,
        "heldout_by_kind": by_kind([r for r, t in zip(rows, test) if t], X[test], p, threshold),
        "reliability": table,
    }
    # refit on every unit for the shipped artefact (metrics above are from the held-out split)
    model.fit(X[left], y[left])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"format": MODEL_FORMAT, "features": FEATURE_NAMES, "model": model, "metrics": metrics,
                 "threshold": threshold},
                args.output, compress=3)
    write_compiled(args.output)
    (ROOT / "models" / "stale_passage.metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n",
                                                        encoding="utf-8")
    print(json.dumps({k: v for k, v in metrics.items() if k != "reliability"}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
