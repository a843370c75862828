"""Batch benchmark in instructions executed, against jieba.lcut of the same texts: the work of a batch
as a count that other load on the machine does not change.

    .venv/bin/python benchmarks/bench_instructions.py [--reports 400] [--jobs 2] [--seeds DIR] [--real DIR]

``bench_batch.py`` measures the target (wall-clock time against jieba's), but on a shared machine its
runs move by ±20% from one to the next, jieba's too, so that a change of a few percent cannot be seen
in it. This benchmark counts the instructions executed instead, with valgrind's callgrind, in every
process of the run: the same code on the same texts gives the same count to ~0.1%. A forked process
starts with its parent's counts: they are zeroed when it enters ``PyOS_AfterFork_Child``, so that each
process counts only its own work. It needs ``valgrind`` on the PATH and takes ~50-100 times the CPU
time of the runs it measures (400 reports: ~12 minutes on two cores).

The corpus is ``bench_batch.py``'s varied one (``make_varied``, same seed), made in a temporary folder.
Figures:

- ``batch_instructions``: ``run_batch`` with ``--jobs`` workers (no store), in every process (its own,
  the workers', the cross-report phase's), less a process that only imports ``auditor.batch`` (the
  imports are not in ``bench_batch.py``'s ``batch_s`` either). Split into ``batch_parent`` (the
  batch's own process: warm-up, receiving, the search, ranking) and ``batch_children`` (the per-file
  workers and the cross-report phase's processes); ``children_in_order`` gives each child's count in the
  order they were started (process ids): the ``--jobs`` per-file workers first, then the cross-report
  phase's processes.
- ``jieba_instructions``: ``jieba.lcut`` over the same texts (the files ``make_varied`` wrote, read
  back), less a process that loads jieba's dictionary (``jieba.initialize()``) and reads them only, as
  ``bench_batch.py`` times it.
- ``instruction_ratio``: batch / jieba: ``bench_batch.py``'s ``cpu_ratio_to_jieba_on_one_core`` as a
  count. On ``--jobs`` cores the wall-clock ratio is at best this divided by what ``--jobs`` processes
  gain over one there: on the 2-core machine of 2026-12 two processes running jieba.lcut each did
  1.6-1.9 times the work of one, not 2. The parent's serial parts (the start-up, the search) keep the
  ratio above that bound.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_batch import add_corpus_options, make_varied  # noqa: E402

_TOTALS_RE = re.compile(r"^totals:\s+(\d+)", re.MULTILINE)

_BATCH = """
import sys
sys.path.insert(0, {root!r})
from auditor.batch import run_batch
if {run!r}:
    run_batch([{folder!r}], jobs={jobs})
"""

_JIEBA = """
from pathlib import Path
import jieba
jieba.setLogLevel(60)
jieba.initialize()
texts = [path.read_text(encoding="utf-8") for path in sorted(Path({folder!r}).rglob("*.txt"))]
if {run!r}:
    for text in texts:
        jieba.lcut(text)
"""


def counted(script: str, out: Path) -> tuple[int, dict[int, int]]:
    """Instructions executed by ``python -c script`` and every process it forks, by process id, and the
    id of the script's own process (valgrind runs the program in the process it was started as)."""
    out.mkdir()
    process = subprocess.Popen(["valgrind", "--tool=callgrind", "--zero-before=PyOS_AfterFork_Child",
                                "--trace-children=yes", f"--callgrind-out-file={out}/cg.%p", sys.executable, "-c", script],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    if process.wait() != 0:
        raise SystemExit(f"the measured run failed (exit status {process.returncode})")
    counts = {}
    for path in out.glob("cg.*"):
        found = _TOTALS_RE.search(path.read_text(encoding="utf-8", errors="replace"))
        if found:
            counts[int(path.suffix[1:])] = int(found.group(1))
    return process.pid, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=400)
    parser.add_argument("--jobs", type=int, default=2)
    add_corpus_options(parser)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: this benchmark counts instructions with it")

    with tempfile.TemporaryDirectory(prefix="auditor-instructions-") as tmp:
        work = Path(tmp)
        folder = work / "reports"
        folder.mkdir()
        texts = make_varied(args.seeds, args.real, folder, args.reports, random.Random(args.seed))
        runs = {}
        for name, template in (("batch", _BATCH), ("jieba", _JIEBA)):
            for run in (False, True):
                script = template.format(root=str(ROOT), folder=str(folder), jobs=args.jobs, run=run)
                runs[name, run] = counted(script, work / f"{name}-{run}")

    (parent, batch), (_, batch_base) = runs["batch", True], runs["batch", False]
    batch_parent = batch[parent] - sum(batch_base.values())
    batch_children = sum(count for pid, count in batch.items() if pid != parent)
    jieba = sum(runs["jieba", True][1].values()) - sum(runs["jieba", False][1].values())
    figures = {
        "reports": args.reports, "jobs": args.jobs, "characters": sum(len(t) for t in texts),
        "batch_instructions": batch_parent + batch_children, "batch_parent": batch_parent,
        "batch_children": batch_children, "batch_processes": len(batch),
        "children_in_order": [count for pid, count in sorted(batch.items()) if pid != parent],
        "jieba_instructions": jieba,
        "instruction_ratio": round((batch_parent + batch_children) / jieba, 3),
        "children_ratio": round(batch_children / jieba, 3),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
