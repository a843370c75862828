"""Ctrl-C keeps what finished: a batch interrupted without ``--store`` saves its finished files to a
store in the user's cache folder and says, in Chinese, how to resume from it."""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "interrupted_store_path", "resume_hint"]


def cache_dir() -> Path:
    """The auditor's folder in the user's cache (``$XDG_CACHE_HOME/auditor``, else ``~/.cache/auditor``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "auditor"


def interrupted_store_path() -> Path:
    """A new store file for an interrupted run: ``<cache>/interrupted/run-YYYYmmdd-HHMMSS-PID.sqlite``."""
    folder = cache_dir() / "interrupted"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.sqlite"


def resume_hint(paths: Sequence[Any], store: Path, finished: int, total: int, saved_now: bool) -> str:
    """The message printed on Ctrl-C: how many files finished, where they are, the command to resume."""
    from auditor.display import display_path

    command = " ".join(["auditor", "check", *(shlex.quote(display_path(p)) for p in paths),
                        "--store", shlex.quote(display_path(store)), "--resume"])
    where = "已保存到临时结果库" if saved_now else "已在结果库"
    return (f"已中断：{total} 份中已完成 {finished} 份，{where} {display_path(store)}。"
            f"续跑（已完成的不再重审），请在原来的参数后加上 --store 与 --resume：\n  {command}")
