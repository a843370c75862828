"""Progress goes through a callback: run_batch reports files done to a BatchProgress and draws nothing;
the CLI's rich bar (auditor/cli_progress.py) is one such listener, shown only on a terminal."""

from __future__ import annotations

import ast
import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from auditor.batch import run_batch
from auditor.cli import app
from auditor.cli_progress import ProgressBar, progress_bar
from test_batch import write_corpus

ROOT = Path(__file__).resolve().parents[1]


class Recorder:
    """A BatchProgress that writes down every call."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def start(self, total: int, done: int) -> None:
        self.calls.append(("start", total, done))

    def advance(self, count: int) -> None:
        self.calls.append(("advance", count))

    def stop(self) -> None:
        self.calls.append(("stop",))


def test_the_callback_hears_start_each_file_and_stop(tmp_path: Path) -> None:
    write_corpus(tmp_path, 3)
    seen = Recorder()
    finished: list[str] = []
    run_batch([tmp_path], engine="inline", on_progress=seen,
              on_result=lambda report: finished.append(Path(report.path).name))
    assert seen.calls[0] == ("start", 3, 0)
    assert seen.calls[1:] == [("advance", 1)] * 3 + [("stop",)]
    assert len(finished) == 3


def test_identical_copies_advance_together_and_resumed_files_count_as_done(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "in", 2)
    shutil.copy(paths[0], tmp_path / "in" / "copy.txt")  # same bytes: audited once, counted twice
    store = tmp_path / "s.sqlite"
    first = Recorder()
    run_batch([tmp_path / "in"], jobs=2, store=store, on_progress=first)
    assert first.calls[0] == ("start", 3, 0)
    assert sorted(c[1] for c in first.calls if c[0] == "advance") == [1, 2]

    write_corpus(tmp_path / "in", 3)  # one new file
    again = Recorder()
    run_batch([tmp_path / "in"], engine="inline", store=store, resume=True, on_progress=again)
    assert again.calls == [("start", 4, 3), ("advance", 1), ("stop",)]


def test_progress_false_silences_the_callback(tmp_path: Path) -> None:
    write_corpus(tmp_path, 2)
    seen = Recorder()
    run_batch([tmp_path], engine="inline", progress=False, on_progress=seen)
    assert seen.calls == []


def test_the_callback_is_stopped_when_the_run_fails(tmp_path: Path) -> None:
    write_corpus(tmp_path, 2)
    seen = Recorder()

    def explode(report) -> None:
        raise RuntimeError("caller's bug")

    with pytest.raises(RuntimeError):
        run_batch([tmp_path], engine="inline", on_progress=seen, on_result=explode)
    assert seen.calls[0] == ("start", 2, 0) and seen.calls[-1] == ("stop",)


def test_the_bar_on_a_terminal_and_nothing_on_a_pipe(tmp_path: Path) -> None:
    write_corpus(tmp_path, 3)
    assert progress_bar(Console(file=io.StringIO())) is None  # a pipe or a file: no bar
    terminal = io.StringIO()
    bar = progress_bar(Console(file=terminal, force_terminal=True, width=120))
    assert isinstance(bar, ProgressBar)
    run_batch([tmp_path], engine="inline", on_progress=bar)
    shown = terminal.getvalue()
    assert "审核报告" in shown and "3/3" in shown and "份/秒" in shown
    assert progress_bar(Console(file=io.StringIO(), force_terminal=True), enabled=False) is None


def test_the_cli_bar_follows_progress_options(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 2)
    runner = CliRunner()
    forced = runner.invoke(app, ["check", str(tmp_path / "in"), "--format", "json", "--jobs", "1", "--progress"])
    assert forced.exit_code == 0, forced.output
    assert "审核报告" in forced.stderr and "2/2" in forced.stderr
    assert len(json.loads(forced.stdout)["reports"]) == 2
    quiet = runner.invoke(app, ["check", str(tmp_path / "in"), "--format", "json", "--jobs", "1", "--no-progress"])
    assert quiet.exit_code == 0 and "审核报告" not in quiet.stderr


def test_the_batch_module_draws_nothing_itself() -> None:
    """batch.py imports no rich (the display is the CLI's; the runner's messages are in runner/notices.py)."""
    tree = ast.parse((ROOT / "auditor" / "batch.py").read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "auditor.runner.executors" in imported  # the walk sees batch's imports
    assert not {m for m in imported if m == "rich" or m.startswith("rich.")}
