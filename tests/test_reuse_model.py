"""The stale-passage model ships inside the package and is never replaced silently."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import textwrap
import warnings
from pathlib import Path

import pytest

from auditor.reuse.model import (DEFAULT_MODEL_PATH, MODEL_FILE, StaleModel, StaleModelWarning, load_model,
                                 packaged_model_path)
from auditor.reuse.references import ReferenceSet

ROOT = Path(__file__).resolve().parents[1]


def test_packaged_model_loads() -> None:
    assert packaged_model_path() == DEFAULT_MODEL_PATH
    assert DEFAULT_MODEL_PATH.parent.name == "reuse" and DEFAULT_MODEL_PATH.name == MODEL_FILE
    model = load_model(str(DEFAULT_MODEL_PATH))
    assert model.source == str(DEFAULT_MODEL_PATH) and model.warning is None
    assert model.estimator is not None


@pytest.mark.parametrize("content", [None, b"not a model"])
def test_missing_or_broken_model_warns_and_names_the_fallback(tmp_path: Path, content: bytes | None) -> None:
    target = tmp_path / "stale.joblib"
    if content is not None:
        target.write_bytes(content)
    with pytest.warns(StaleModelWarning, match="FALLBACK_WEIGHTS"):
        model = load_model(str(target))
    assert model.source == "fallback" and model.estimator is None
    assert model.warning and str(target) in model.warning and "备用" in model.warning


def test_incompatible_model_format_warns(tmp_path: Path) -> None:
    import joblib

    target = tmp_path / "old.joblib"
    joblib.dump({"format": -1, "features": (), "model": None}, target)
    with pytest.warns(StaleModelWarning, match="格式版本"):
        assert load_model(str(target)).source == "fallback"


def test_batch_prints_the_fallback_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDITOR_STALE_MODEL", str(tmp_path / "absent.joblib"))
    load_model.cache_clear()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StaleModelWarning)
            refs = ReferenceSet.for_batch([])
        assert refs.model is not None and refs.model.source == "fallback"
        assert any("FALLBACK_WEIGHTS" in w for w in refs.warnings)
    finally:
        monkeypatch.delenv("AUDITOR_STALE_MODEL")
        load_model.cache_clear()
    assert not ReferenceSet.for_batch([]).warnings


def test_fallback_scores_copied_figures_above_template() -> None:
    from auditor.reuse.features import FEATURE_NAMES

    copied = dict.fromkeys(FEATURE_NAMES, 0.0) | {"similarity": 1, "has_numbers": 1,
                                                   "numbers_unchanged": 1, "old_year": 1, "old_year_frame": 1,
                                                   "temporal_cues": 1}
    template = dict.fromkeys(FEATURE_NAMES, 0.0) | {"similarity": 1, "template_section": 1}
    fallback = StaleModel.fallback()
    assert fallback.score([[copied[n] for n in FEATURE_NAMES]])[0] > 0.5
    assert fallback.score([[template[n] for n in FEATURE_NAMES]])[0] < 0.5


def _site_packages() -> str:
    return sysconfig.get_paths()["purelib"]


def test_non_editable_install_loads_the_model_from_site_packages(tmp_path: Path) -> None:
    """``pip install .`` (not editable) into a fresh venv: the model comes from its site-packages."""
    import importlib.util

    # the build runs without isolation (offline): setuptools needs bdist_wheel (built in from 70.1, else `wheel`)
    if importlib.util.find_spec("setuptools") is None or (
            importlib.util.find_spec("wheel") is None
            and importlib.util.find_spec("setuptools.command.bdist_wheel") is None):
        pytest.skip("setuptools or wheel is not installed (pip install -e '.[test]'): cannot build offline")
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "auditor", source / "auditor", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot create a venv here: {made.stderr.strip()[:200]}")
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # the dependencies come from this environment's site-packages (offline, bounded); only the
    # directory is added, so this environment's editable-install hook is not run
    (site / "deps.pth").write_text(_site_packages() + "\n", encoding="utf-8")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", str(source)], capture_output=True, text=True, cwd=tmp_path)
    if installed.returncode != 0:
        pytest.skip(f"pip cannot build the package offline here: {installed.stderr.strip()[-300:]}")
    assert (site / "auditor" / "reuse" / MODEL_FILE).is_file(), "the model is not in the wheel's package data"
    probe = textwrap.dedent("""
        import json, warnings
        warnings.simplefilter("error")
        import auditor
        from auditor.reuse.model import load_model
        model = load_model()
        print(json.dumps({"package": auditor.__file__, "source": model.source, "warning": model.warning}))
    """)
    run = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr[-2000:]
    import json

    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["package"].startswith(str(site)), found
    assert found["source"] == str(site / "auditor" / "reuse" / MODEL_FILE), found
    assert found["warning"] is None
