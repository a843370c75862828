"""The progress bar of ``auditor check`` (files done, rate, time left) on standard error, fed by the
batch runner's progress callback (:class:`auditor.batch.BatchProgress`)."""

from __future__ import annotations

from typing import Any

__all__ = ["ProgressBar", "progress_bar"]


class ProgressBar:
    """A rich progress bar that follows a batch: ``start(total, done)``, ``advance(count)``, ``stop()``."""

    def __init__(self, console: Any) -> None:
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn,
                                   TextColumn, TimeElapsedColumn, TimeRemainingColumn)
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task) -> Text:  # noqa: ANN001 - rich's Task
                speed = task.finished_speed or task.speed
                return Text("— 份/秒" if speed is None else f"{speed:.1f} 份/秒", style="cyan")

        self._progress = Progress(TextColumn("审核报告"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                                  TextColumn("已用"), TimeElapsedColumn(), TextColumn("剩余"),
                                  TimeRemainingColumn(), console=console, transient=False)
        self._task: Any = None

    def start(self, total: int, done: int) -> None:
        self._task = self._progress.add_task("审核报告", total=total, completed=done)
        self._progress.start()

    def advance(self, count: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, count)

    def stop(self) -> None:
        self._progress.stop()


def progress_bar(console: Any = None, enabled: bool | None = None) -> ProgressBar | None:
    """The bar for ``console`` (default: standard error), or None when it should stay quiet:
    ``enabled`` None shows it only when the console is a terminal (not a pipe or a file)."""
    from rich.console import Console

    console = console or Console(stderr=True)
    if enabled is None:
        enabled = console.is_terminal
    return ProgressBar(console) if enabled else None
