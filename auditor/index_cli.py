"""``auditor index build DIR -o INDEX``: persist a reference index of earlier reports.

Mounted by the main CLI as ``auditor index`` (``app.add_typer(index_app, name="index")``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

index_app = typer.Typer(add_completion=False, no_args_is_help=True,
                        help="参考报告索引：为往年报告建立相似度索引（MinHash LSH + TF-IDF）。")


@index_app.command("build")
def build(
    folders: Annotated[list[Path], typer.Argument(help="往年报告文件或文件夹（递归查找）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="索引文件")],
) -> None:
    """读取往年报告，建立参考索引，供 `auditor check --index` 使用。"""
    from auditor.engine import expand_paths, read_document
    from auditor.errors import AuditorError
    from auditor.reuse.index import ReuseIndex

    err = Console(stderr=True)
    missing = [str(p) for p in folders if not p.exists()]
    if missing:
        err.print("[bold red]错误：[/]找不到输入：" + "、".join(missing))
        raise typer.Exit(2)
    started = time.perf_counter()
    index = ReuseIndex()
    skipped = 0
    for path in expand_paths(folders):
        try:
            index.add(read_document(path))
        except AuditorError as exc:
            skipped += 1
            err.print(f"[yellow]跳过[/] {path}：[{exc.code}] {exc.message}")
    if not index.documents:
        err.print("[bold red]错误：[/]没有可读取的报告，未建立索引")
        raise typer.Exit(1)
    index.finalize()
    index.save(output)
    err.print(f"已建立索引 {output}：{len(index.documents)} 份报告，{len(index.paragraph_doc)} 个段落，"
              f"模板片段 {len(index.template_shingles)} 个，跳过 {skipped} 份，用时 {time.perf_counter() - started:.1f} 秒")


@index_app.callback()
def index_main() -> None:
    """参考报告索引。"""
