"""benchmarks/bench_instructions.py counts each process's own instructions: a forked process does not
count again what its parent executed before the fork (valgrind gives it its parent's counts)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")

_FORKING = """
import os
def spin(n):
    total = 0
    for i in range(n):
        total += i * i
    return total
spin({before})
pid = os.fork()
if pid == 0:
    spin({child})
    os._exit(0)
os.waitpid(pid, 0)
"""


def _counts(tmp_path: Path, name: str, before: int, child: int) -> tuple[int, int]:
    """(the script's own process, its forked child) instructions."""
    from benchmarks.bench_instructions import counted

    parent, counts = counted(_FORKING.format(before=before, child=child), tmp_path / name)
    assert parent in counts and len(counts) == 2
    (forked,) = [count for pid, count in counts.items() if pid != parent]
    return counts[parent], forked


def test_a_forked_process_counts_only_what_it_executes(tmp_path: Path) -> None:
    busy_parent, idle_child = _counts(tmp_path, "busy-parent", before=300_000, child=0)
    idle_parent, busy_child = _counts(tmp_path, "busy-child", before=0, child=300_000)
    loop = busy_parent - idle_parent  # the loop's instructions, counted in the process that ran it
    assert loop > 10_000_000
    assert idle_child < loop / 10  # the parent's loop before the fork is not the child's
    assert busy_child - idle_child == pytest.approx(loop, rel=0.05)  # the same loop in the child
