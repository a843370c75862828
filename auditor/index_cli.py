"""``auditor index build DIR -o INDEX``: persist a reference index of earlier reports.

Mounted by the main CLI as ``auditor index`` (``app.add_typer(index_app, name="index")``). The reports
are read as ``--reference`` files are (:func:`auditor.runner.executors.read_reference_task`), in
isolated workers with a per-file time and memory limit: a file that hangs, explodes or cannot be read is
skipped with its error code and message, and the index is built from the others.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape

index_app = typer.Typer(add_completion=False, no_args_is_help=True,
                        help="参考报告索引：为往年报告建立相似度索引（MinHash LSH + TF-IDF）。")


def read_for_index(paths: list[Path], *, jobs: int, timeout_s: float, memory_bytes: int,
                   task: Callable[[str], Any] | None = None) -> list[tuple[Path, Any]]:
    """Each of ``paths`` read in an isolated worker, in input order: (path, Document) or, for a file that
    failed (timeout, memory-limit, worker-crashed, or the reader's own error), (path, AuditorError).
    ``task``: the function run in the workers (default :func:`read_reference_task`; tests use it to
    simulate files that hang)."""
    from auditor.runner.executors import ProcessExecutor, Task, read_reference_task
    from auditor.runner.worker import ReadReference

    tasks = [Task(i, str(p), 0) for i, p in enumerate(paths)]
    read: dict[int, Any] = {}
    with ProcessExecutor(jobs, timeout_s, memory_bytes) as executor:
        stream = executor.run(tasks, (), task or read_reference_task)  # a lone file is read now, before any thread
        # this process waits while the workers read: it imports what finalizing the index needs meanwhile
        warming = threading.Thread(target=_import_index_builder, name="auditor-warm", daemon=True)
        warming.start()
        for i, result in stream:
            # a file that failed comes back as a failed WorkResult: its report carries the error
            read[i] = result.received() if isinstance(result, ReadReference) else result.report.error
    warming.join()
    return [(p, read[i]) for i, p in enumerate(paths)]


def _import_index_builder() -> None:
    try:
        import sklearn.feature_extraction.text  # noqa: F401 - the index's TF-IDF (ReuseIndex.finalize)
    except Exception:  # noqa: BLE001 - only a head start: finalize imports it itself otherwise
        pass


def build_index(folders: Iterable[Path], *, jobs: int | None = None, timeout_s: float = 120.0,
                memory_bytes: int = 2048 * 1024 * 1024, console: Any = None,
                task: Callable[[str], Any] | None = None) -> tuple[Any, int]:
    """The finalized :class:`~auditor.reuse.index.ReuseIndex` of the reports in ``folders`` and the number
    of files skipped (each announced on ``console`` with its error code and message)."""
    import os

    from auditor.display import display_path
    from auditor.engine import expand_paths
    from auditor.errors import AuditorError
    from auditor.reuse.index import ReuseIndex

    err = console or Console(stderr=True)
    index = ReuseIndex()
    skipped = 0
    paths = expand_paths(folders)
    jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    for path, read in read_for_index(paths, jobs=jobs, timeout_s=timeout_s, memory_bytes=memory_bytes, task=task):
        if isinstance(read, AuditorError):
            skipped += 1
            err.print(f"[yellow]跳过[/] {escape(display_path(path))}：{escape(f'[{read.code}] {read.message}')}",
                      soft_wrap=True)
        else:
            index.add(read)
    if index.documents:
        index.finalize()
    return index, skipped


@index_app.command("build")
def build(
    folders: Annotated[list[Path], typer.Argument(help="往年报告文件或文件夹（递归查找）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="索引文件")],
    jobs: Annotated[Optional[int], typer.Option("-j", "--jobs", help="并行进程数（默认全部 CPU 核）", min=1)] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="单个文件的时间上限（秒）", min=1)] = 120.0,
    memory_limit: Annotated[int, typer.Option("--memory-limit", help="单个文件的内存上限（MB）", min=64)] = 2048,
) -> None:
    """读取往年报告，建立参考索引，供 `auditor check --index` 使用。"""
    err = Console(stderr=True)
    missing = [str(p) for p in folders if not p.exists()]
    if missing:
        err.print("[bold red]错误：[/]找不到输入：" + escape("、".join(missing)))
        raise typer.Exit(2)
    started = time.perf_counter()
    index, skipped = build_index(folders, jobs=jobs, timeout_s=timeout, memory_bytes=memory_limit * 1024 * 1024,
                                 console=err)
    if not index.documents:
        err.print("[bold red]错误：[/]没有可读取的报告，未建立索引")
        raise typer.Exit(1)
    index.save(output)
    err.print(f"已建立索引 {escape(str(output))}：{len(index.documents)} 份报告，{len(index.paragraph_doc)} 个段落，"
              f"模板片段 {len(index.template_shingles)} 个，跳过 {skipped} 份，用时 {time.perf_counter() - started:.1f} 秒")


@index_app.callback()
def index_main() -> None:
    """参考报告索引。"""
