"""``auditor index build`` reads its files as ``--reference`` files are read: in isolated workers with a
per-file time and memory limit. A file that hangs, crashes its worker or cannot be read is skipped with
its error code and Chinese message; the index is built from the others."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from typer.testing import CliRunner

from auditor.engine import read_document
from auditor.index_cli import build_index, index_app
from auditor.reuse.index import ReuseIndex
from auditor.runner.executors import read_reference_task
from test_batch import report_text


def hanging_reference_task(path: str):
    """Reads normally, except files named hang* (never return) and crash* (the worker dies)."""
    name = Path(path).name
    if name.startswith("hang"):
        time.sleep(600)
    if name.startswith("crash"):
        os._exit(3)
    return read_reference_task(path)


def _earlier_reports(folder: Path, count: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"u{i}_2023.txt"
        path.write_text(report_text(f"示例县第{i}气象站", 2023, f"{90 + i}.00", "50.00", f"{40 + i}.00",
                                    meetings=10 + i), encoding="utf-8")
        paths.append(path)
    return paths


def test_a_hanging_or_crashing_file_is_skipped_and_the_index_is_built(tmp_path: Path) -> None:
    good = _earlier_reports(tmp_path)
    for name in ("hang_2023.txt", "crash_2023.txt"):
        (tmp_path / name).write_text(good[0].read_text(encoding="utf-8"), encoding="utf-8")
    out = io.StringIO()
    index, skipped = build_index([tmp_path], jobs=2, timeout_s=10, task=hanging_reference_task,
                                 console=Console(file=out, width=400))
    assert skipped == 2
    assert sorted(Path(d.path).name for d in index.documents) == sorted(p.name for p in good)
    said = out.getvalue()
    assert "hang_2023.txt：[timeout] 读取超时" in said
    assert "crash_2023.txt：[worker-crashed] 读取进程意外崩溃" in said


def test_the_cli_skips_an_unreadable_file_with_its_code_and_goes_on(tmp_path: Path) -> None:
    good = _earlier_reports(tmp_path / "in")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    out = tmp_path / "ref.idx"
    result = CliRunner().invoke(index_app, ["build", str(tmp_path / "in"), "-o", str(out), "--jobs", "2",
                                            "--timeout", "60"])
    assert result.exit_code == 0, result.output
    said = result.stderr.replace("\n", "")  # the summary line may wrap
    assert "empty.txt：[empty-file] 文件为空" in said and "跳过 1 份" in said
    assert len(ReuseIndex.load(out).documents) == len(good)


def test_nothing_readable_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(index_app, ["build", str(tmp_path), "-o", str(tmp_path / "x.idx")])
    assert result.exit_code == 1 and "没有可读取的报告" in result.stderr
    assert not (tmp_path / "x.idx").exists()


def test_the_index_read_in_workers_equals_the_index_read_here(tmp_path: Path) -> None:
    paths = _earlier_reports(tmp_path, 4)
    pooled, skipped = build_index([tmp_path], jobs=2, console=Console(file=io.StringIO()))
    here = ReuseIndex()
    for path in sorted(paths):
        here.add(read_document(path))
    here.finalize()
    assert skipped == 0
    assert [(d.path, d.unit, d.year, d.text) for d in pooled.documents] == \
        [(d.path, d.unit, d.year, d.text) for d in here.documents]
    assert pooled.paragraph_doc == here.paragraph_doc
    assert np.array_equal(pooled.template_shingles, here.template_shingles)
    assert np.array_equal(pooled.signatures, here.signatures)
    assert (pooled.matrix != here.matrix).nnz == 0
