"""The compiled stale-passage model and the TF-IDF weights give scikit-learn's numbers exactly, and a
batch that compares reports does not import scikit-learn."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from auditor.reuse.compiled import CalibratedTrees, compile_calibrated
from auditor.reuse.features import FEATURE_NAMES
from auditor.reuse.model import FITTED_FILE, MODEL_FILE, compile_fitted, load_model, packaged_model_path

ROOT = Path(__file__).resolve().parents[1]


def _rows() -> np.ndarray:
    """Feature rows of the shapes the alignment produces (0/1 flags, small logs, similarities near 1)
    and arbitrary ones, a few with missing values."""
    rng = np.random.default_rng(7)
    n = len(FEATURE_NAMES)
    flags = np.array(list(itertools.islice(itertools.product((0.0, 1.0), repeat=n), 0, 1 << n, 7)))
    flags[:, 0] = rng.uniform(0.5, 1.0, len(flags))  # similarity
    arbitrary = rng.normal(0.0, 2.0, (3000, n))
    arbitrary[rng.random(arbitrary.shape) < 0.02] = np.nan
    return np.concatenate([flags, arbitrary, rng.integers(0, 4, (3000, n)).astype(float)])


def test_the_compiled_artefact_scores_exactly_as_the_fitted_one() -> None:
    import joblib

    fitted = joblib.load(packaged_model_path(FITTED_FILE))
    compiled = CalibratedTrees.load(packaged_model_path(MODEL_FILE))
    rows = _rows()
    expected = fitted["model"].predict_proba(rows)[:, 1]
    assert np.array_equal(compiled.predict_positive(rows), expected), \
        "stale_passage.npz is not the compiled stale_passage.joblib: run models/train_stale.py --compile-only"
    assert compiled.features == tuple(fitted["features"]) == FEATURE_NAMES
    assert compiled.meta["format"] == fitted["format"]
    assert compiled.meta["threshold"] == fitted["threshold"]
    assert compiled.meta["metrics"] == fitted["metrics"]


def test_scores_of_one_row_and_of_none() -> None:
    model = load_model(str(packaged_model_path(MODEL_FILE)))
    rows = _rows()[:5]
    one_by_one = [model.score([row.tolist()])[0] for row in rows]
    assert one_by_one == model.score(rows.tolist())
    assert model.score([]) == []


def test_a_fitted_artefact_is_compiled_when_loaded(tmp_path: Path) -> None:
    import joblib

    state = joblib.load(packaged_model_path(FITTED_FILE))
    target = tmp_path / "other.joblib"
    joblib.dump(state, target)
    model = load_model(str(target))
    assert model.source == str(target) and model.warning is None
    assert isinstance(model.estimator, CalibratedTrees)
    rows = _rows()[:200]
    assert model.score(rows.tolist()) == state["model"].predict_proba(rows)[:, 1].tolist()


def test_save_and_load_keep_every_score(tmp_path: Path) -> None:
    import joblib

    compiled = compile_fitted(joblib.load(packaged_model_path(FITTED_FILE)))
    compiled.save(tmp_path / "m.npz")
    again = CalibratedTrees.load(tmp_path / "m.npz")
    rows = _rows()
    assert np.array_equal(again.predict_positive(rows), compiled.predict_positive(rows))
    with pytest.raises(ValueError):
        again.predict_positive(rows[:, :3])


def test_only_isotonic_binary_models_compile() -> None:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(120, 3)), (rng.random(120) > 0.5).astype(int)
    sigmoid = CalibratedClassifierCV(HistGradientBoostingClassifier(max_iter=5), method="sigmoid", cv=2).fit(X, y)
    with pytest.raises(ValueError, match="isotonic"):
        compile_calibrated(sigmoid, ("a", "b", "c"), {})
    isotonic = CalibratedClassifierCV(HistGradientBoostingClassifier(max_iter=5, max_depth=4), method="isotonic",
                                      cv=2).fit(X, y)
    probe = rng.normal(size=(500, 3))
    compiled = compile_calibrated(isotonic, ("a", "b", "c"), {})
    assert np.array_equal(compiled.predict_positive(probe), isotonic.predict_proba(probe)[:, 1])


def test_a_broken_compiled_artefact_means_the_fallback(tmp_path: Path) -> None:
    from auditor.reuse.model import StaleModelWarning

    target = tmp_path / "broken.npz"
    target.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.warns(StaleModelWarning, match="FALLBACK_WEIGHTS"):
        assert load_model(str(target)).source == "fallback"


def test_tfidf_weights_are_scikit_learns() -> None:
    from sklearn.feature_extraction.text import TfidfTransformer

    from auditor.reuse.index import SublinearTfidf, ngram_counts, ngram_row

    rng = np.random.default_rng(3)
    alphabet = list("预算执行率项目资金支出完成培训会议单位年度绩效目标指标0123456789.%，。")
    texts = ["".join(rng.choice(alphabet, size=int(rng.integers(0, 3000)))) for _ in range(60)]
    counts = ngram_counts([ngram_row(t) for t in texts])
    ours, theirs = SublinearTfidf(), TfidfTransformer(sublinear_tf=True)
    ours_matrix, theirs_matrix = ours.fit_transform(counts), theirs.fit_transform(counts.copy())
    assert np.array_equal(ours.idf_, theirs.idf_)
    assert (ours_matrix != theirs_matrix).nnz == 0 and ours_matrix.dtype == theirs_matrix.dtype
    query = ngram_counts([ngram_row(texts[5][:400] + "新增的一句话")])
    assert (ours.transform(query) != theirs.transform(query.copy())).nnz == 0
    fresh = ngram_counts([ngram_row(t) for t in texts])
    assert np.array_equal(counts.data, fresh.data)  # transform (copy=True) left its input as it was
    in_place = SublinearTfidf().fit_transform(fresh, copy=False)
    assert in_place is fresh and (in_place != ours_matrix).nnz == 0  # copy=False: the same weights, in place


def test_a_comparing_batch_does_not_import_scikit_learn(tmp_path: Path) -> None:
    for year, figure in ((2023, "12"), (2024, "15")):
        (tmp_path / f"r{year}.txt").write_text(
            f"某县示范单位{year}年度部门整体支出绩效自评报告\n一、基本情况\n"
            f"本年度共组织业务培训{figure}期，覆盖基层人员约三百人次。\n"
            "二、资金使用\n年初预算数100.00万元，全年执行数95.00万元，执行率95.00%。\n", encoding="utf-8")
    probe = textwrap.dedent(f"""
        import sys
        from auditor.batch import run_batch
        batch = run_batch([{str(tmp_path)!r}], jobs=1, engine="inline")
        assert len(batch.reports) == 2
        compared = "auditor.reuse.compiled" in sys.modules and "auditor.reuse.references" in sys.modules
        print(compared, sorted(m for m in ("sklearn", "joblib", "pandas", "scipy.stats") if m in sys.modules))
    """)
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == "True []"  # the model was loaded, scikit-learn was not


def test_repeated_rows_are_scored_as_each_row_alone() -> None:
    """Distinct rows are scored once and their scores handed back to every copy, in the rows' order:
    copies, a -0.0 beside a 0.0 and missing values give what each row gives alone."""
    compiled = CalibratedTrees.load(packaged_model_path(MODEL_FILE))
    base = _rows()[::97]
    rows = np.concatenate([base, base[::-1], base[:5]])
    rows[0, 1], rows[len(base), 1] = -0.0, 0.0
    rows[1, 2] = np.nan
    alone = np.array([compiled.predict_positive(row[None, :])[0] for row in rows])
    together = compiled.predict_positive(rows)
    assert np.array_equal(together, alone)
    assert len(np.unique(together)) > 5
