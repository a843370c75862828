"""Ctrl-C keeps what finished: a real SIGINT to a batch running in a subprocess, without --store."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from auditor.batch import run_batch
from test_batch import comparable, write_corpus

TESTS = Path(__file__).resolve().parent

_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from rich.console import Console
from auditor.batch import run_batch
from test_batch import slow_task
run_batch([{folder!r}], jobs=2, task=slow_task, progress=False, console=Console(stderr=True, width=400),
          on_result=lambda r: print("done", r.path, flush=True))
"""


def test_ctrl_c_without_store_keeps_what_finished_and_says_how_to_resume(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    write_corpus(folder, 40)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    script = _SCRIPT.format(tests=str(TESTS), folder=str(folder))
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    done = 0
    deadline = time.monotonic() + 120
    while done < 4 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        done += line.startswith("done ")
    assert done >= 4, process.stderr.read()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0  # interrupted, not finished
    assert "已中断" in stderr and "--resume" in stderr, stderr
    stores = list((tmp_path / "cache" / "auditor" / "interrupted").glob("*.sqlite"))
    assert len(stores) == 1 and str(stores[0]) in stderr.replace("\n", "")
    with sqlite3.connect(stores[0]) as db:
        saved = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    assert 4 <= saved < 40

    redone: list[str] = []
    resumed = run_batch([folder], jobs=2, store=stores[0], resume=True, on_result=lambda r: redone.append(r.path))
    assert len(redone) == 40 - saved  # the finished files are not audited again
    assert comparable(resumed.to_dict()) == comparable(run_batch([folder], jobs=2).to_dict())


def test_the_resume_hint_names_the_inputs_and_the_store(tmp_path: Path) -> None:
    from auditor.runner.interrupt import resume_hint

    hint = resume_hint([tmp_path / "甲 乙"], tmp_path / "s.sqlite", 3, 10, True)
    assert re.search(r"10 份中已完成 3 份", hint)
    assert "--store" in hint and "--resume" in hint and "'" in hint  # a path with a space is quoted


def test_the_inline_engine_leaves_ctrl_c_to_the_calling_process(tmp_path: Path) -> None:
    write_corpus(tmp_path, 1)
    before = signal.getsignal(signal.SIGINT)
    run_batch([tmp_path], engine="inline")
    assert signal.getsignal(signal.SIGINT) is before
