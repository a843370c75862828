"""Start-up of a run: what importing the CLI costs, and a lone file audited in one forked process
with the same isolation as the pool (the wall-clock time is measured in benchmarks/bench_startup.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor.batch import run_batch
from test_batch import misbehaving_task, report_text

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sklearn", "scipy", "dask", "distributed", "numpy", "pandas", "jinja2", "openpyxl", "pkg_resources")


def _loaded_after(code: str) -> list[str]:
    probe = (f"import sys; {code}; "
             f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_importing_the_cli_and_the_runner_loads_no_heavy_library() -> None:
    assert _loaded_after("import auditor.cli, auditor.batch, auditor.engine") == []


def test_jieba_is_imported_without_pkg_resources_and_still_segments() -> None:
    code = ("from auditor.runner.startup import import_jieba; j = import_jieba(); "
            "assert j.lcut('全年预算数100万元')[:2] == ['全年', '预算']")
    assert _loaded_after(code) == []


def test_scipy_sparse_is_imported_with_numpy_extras_loaded_only_when_used() -> None:
    """``import_scipy_sparse`` leaves numpy's f2py, testing, ma and polynomial unloaded (lazy) through
    scipy.sparse's import and the index's use of it; the first read of one of their attributes loads it
    whole."""
    code = "\n".join([
        "import sys",
        "from auditor.runner.startup import import_scipy_sparse",
        "sparse = import_scipy_sparse()",
        "from auditor.reuse.index import SublinearTfidf",
        "m = sparse.csr_matrix(([1.0, 2.0], [0, 1], [0, 1, 2]), shape=(2, 3))",
        "assert (m @ m.T).toarray().tolist() == [[1.0, 0.0], [0.0, 4.0]]",
        "SublinearTfidf().fit_transform(m)",
        "deferred = ('f2py', 'testing', 'ma', 'polynomial')",
        "assert all(type(sys.modules['numpy.' + n]).__name__ == '_LazyModule' for n in deferred), "
        "[type(sys.modules['numpy.' + n]).__name__ for n in deferred]",
        "assert 'unittest' not in sys.modules and 'charset_normalizer' not in sys.modules",
        "import numpy",
        "numpy.testing.assert_array_equal(numpy.arange(3), [0, 1, 2])",
        "assert numpy.ma.masked_array([1, 2], mask=[0, 1]).sum() == 1",
        "assert type(sys.modules['numpy.testing']).__name__ == 'module' and 'unittest' in sys.modules",
        "print('ok')",
    ])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


@pytest.mark.parametrize(("name", "code"), [("hang.txt", "timeout"), ("crash.txt", "worker-crashed"),
                                            ("bomb.txt", "memory-limit")])
def test_a_lone_file_is_isolated_like_a_file_of_the_pool(tmp_path: Path, name: str, code: str) -> None:
    (tmp_path / name).write_text(report_text("示例县单独文件馆", 2024, "1.00", "1.00", "0.00"), encoding="utf-8")
    batch = run_batch([tmp_path / name], jobs=2, task=misbehaving_task, timeout_s=3,
                      memory_bytes=1536 * 1024**2)
    assert [r.error.code if r.error else None for r in batch.reports] == [code]


def test_a_lone_good_file_gets_the_same_findings_as_the_inline_engine(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text(report_text("示例县单独文件馆", 2024, "90.00", "50.00", "30.00"), encoding="utf-8")
    forked = run_batch([path], jobs=2).to_dict()
    inline = run_batch([path], engine="inline").to_dict()
    assert forked == inline
    assert [f["rule"] for f in forked["reports"][0]["findings"]].count("AR101") == 1
