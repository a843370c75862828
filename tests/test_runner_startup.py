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
