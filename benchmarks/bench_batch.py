"""Batch benchmark: reports per second on N cores, the ratio to jieba.lcut alone, peak memory
of the whole run, and a kill-and-resume check.

    .venv/bin/python benchmarks/bench_batch.py [--reports 400] [--jobs 2] [--seeds DIR]

The reports are generated at run time in a temporary folder by copying the seed reports' text
(../shared/seeds) and changing a few digits in each copy, so every copy has different bytes
and different text (no duplicate grouping shortcuts) but the seeds' size and layout. Nothing
of the seeds is written anywhere else.

Every batch runs in a fresh process, as a user's ``auditor check`` does: nothing is imported or
warm when it starts (the fork server, the workers and the cross-report phase all start cold).

Figures:
- ``batch_s`` / ``reports_per_s``: wall-clock time of ``run_batch`` with ``--jobs`` worker
  processes (starting the workers, reading, the cross-report phase, writing the SQLite store,
  ranking); the median of ``--repeat`` runs interleaved with the baseline (the machine may be
  shared). ``process_s``: the child's whole life, interpreter start and imports included.
- ``audit_ms_per_report_in_worker``: the time a worker spends on one file (from the store),
  to compare with ``jieba_ms_per_report``: it shows how much is the pipeline itself.
- ``ratio_to_jieba``: ``batch_s`` divided by the time this process takes to run only
  ``jieba.lcut`` over the same texts (dictionary already loaded). Target <= 1.0.
  ``ratio_process_to_jieba`` uses ``process_s`` instead.
- ``peak_total_pss_mb``: the memory of the whole run: the largest sum, at one instant, of the
  proportional set size of the batch's process and all its descendants (workers, the fork
  server, the cross-report phase's forked processes), sampled every 50 ms, in one more run of
  its own (sampling costs CPU; the timed runs are not sampled). Target < 1 GB. ``peak_workers_rss_mb`` is the largest sum of their resident memory (shared pages
  counted in each process) and ``largest_process_maxrss_mb`` the largest single peak RSS.
- ``resume``: a batch started in a subprocess is killed with SIGKILL midway, resumed with
  ``resume=True``; the result is compared with an uninterrupted run (``lost`` must be 0).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.batch import run_batch  # noqa: E402

DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"
_DIGIT = re.compile(r"\d")


def make_reports(seeds: Path, folder: Path, count: int, rng: random.Random) -> list[str]:
    """``count`` perturbed copies of the seed texts (a few digits changed in each)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    if not texts:
        raise SystemExit(f"no seed reports in {seeds}")
    made = []
    for i in range(count):
        text = texts[i % len(texts)]
        positions = [m.start() for m in _DIGIT.finditer(text)]
        chars = list(text)
        for pos in rng.sample(positions, min(4, len(positions))):
            chars[pos] = str((int(chars[pos]) + rng.randint(1, 9)) % 10)
        text = "".join(chars)
        (folder / f"report_{i:04d}.txt").write_text(text, encoding="utf-8")
        made.append(text)
    return made


def jieba_baseline(texts: list[str]) -> float:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    start = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    return time.perf_counter() - start


class DescendantMemory:
    """Samples memory in a background thread: the summed RSS of all descendant processes, and their
    summed PSS (proportional set size: a page shared by n processes counts 1/n in each, so pages a
    forked process shares with its parent are not counted twice) at the same instant: with the batch
    run in a child process, the memory the whole run occupies."""

    def __init__(self, interval_s: float = 0.05) -> None:
        import psutil

        self._me = psutil.Process()
        self._psutil = psutil
        self.interval_s = interval_s
        self.peak_bytes = 0
        self.peak_processes = 0
        self.peak_total_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _pss(self, process) -> int:
        """PSS from /proc/PID/smaps_rollup (summed by the kernel; psutil's full scan of smaps costs
        enough CPU to slow the run it measures), else psutil."""
        try:
            with open(f"/proc/{process.pid}/smaps_rollup", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        try:
            return process.memory_full_info().pss
        except (self._psutil.Error, AttributeError):
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            total, alive = 0, 0
            children = self._me.children(recursive=True)
            for child in children:
                try:
                    total += child.memory_info().rss
                    alive += 1
                except self._psutil.Error:
                    pass
            if total > self.peak_bytes:
                self.peak_bytes, self.peak_processes = total, alive
            pss = sum(self._pss(c) for c in children)
            self.peak_total_pss = max(self.peak_total_pss, pss)
            self._stop.wait(self.interval_s)

    def __enter__(self) -> DescendantMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


_COLD_RUN = """
import json, sys, time
started = time.perf_counter()
sys.path.insert(0, {root!r})
from auditor.batch import run_batch
imported = time.perf_counter()
batch = run_batch([{folder!r}], jobs={jobs}, store={store!r})
finished = time.perf_counter()
with open({out!r}, "w", encoding="utf-8") as handle:
    json.dump({{"batch_s": finished - imported, "in_process_s": finished - started,
               "errors": sum(1 for r in batch.reports if r.error),
               "result": json.dumps(batch.to_dict(), ensure_ascii=False, sort_keys=True)}}, handle)
"""


def cold_run(folder: Path, work: Path, jobs: int, run: int) -> dict:
    """One batch in a fresh process, as a user's ``auditor check`` runs it: nothing imported or warm.
    ``batch_s`` times ``run_batch`` (the imports before it are ``in_process_s`` - ``batch_s``);
    ``process_s`` is the child's whole life, interpreter start included."""
    store, out = work / f"bench{run}.sqlite", work / f"bench{run}.json"
    script = _COLD_RUN.format(root=str(ROOT), folder=str(folder), jobs=jobs, store=str(store), out=str(out))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script], check=True)
    figures = json.loads(out.read_text(encoding="utf-8"))
    figures["process_s"] = time.perf_counter() - started
    with sqlite3.connect(store) as db:
        figures["worker_s"] = db.execute("SELECT SUM(seconds) FROM results").fetchone()[0]
    return figures


_KILLED_RUN = """
import sys
sys.path.insert(0, {root!r})
from auditor.batch import run_batch
run_batch([{folder!r}], jobs={jobs}, store={store!r})
"""


def comparable(batch) -> str:
    return json.dumps(batch.to_dict(), ensure_ascii=False, sort_keys=True)


def kill_and_resume(folder: Path, work: Path, jobs: int, total: int, reference: str) -> dict:
    """Kill a batch midway, resume it, compare with the uninterrupted result."""
    store = work / "killed.sqlite"
    script = _KILLED_RUN.format(root=str(ROOT), folder=str(folder), jobs=jobs, store=str(store))
    process = subprocess.Popen([sys.executable, "-c", script], start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target = total // 3
    done = 0
    deadline = time.monotonic() + 300
    while done < target and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        if store.exists():
            try:
                with sqlite3.connect(store) as db:
                    done = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
            except sqlite3.OperationalError:
                pass
    killed_midway = process.poll() is None
    if killed_midway:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    with sqlite3.connect(store) as db:
        finished_before = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    redone: list[str] = []
    resumed = run_batch([folder], jobs=jobs, store=store, resume=True, on_result=lambda r: redone.append(r.path))
    same = comparable(resumed) == reference
    return {"killed_midway": killed_midway, "finished_before_kill": finished_before,
            "redone_after_resume": len(redone), "reports_after_resume": len(resumed.reports),
            "lost": total - len(resumed.reports), "identical_to_uninterrupted": same}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=400)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs; medians are reported")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="auditor-bench-") as tmp:
        work = Path(tmp)
        folder = work / "reports"
        folder.mkdir()
        texts = make_reports(args.seeds, folder, args.reports, random.Random(args.seed))
        characters = sum(len(t) for t in texts)

        runs, jieba_runs = [], []
        for run in range(args.repeat):  # interleaved, medians: the machine may be shared
            runs.append(cold_run(folder, work, args.jobs, run))
            jieba_runs.append(jieba_baseline(texts))
        # memory in a run of its own: sampling costs CPU, so the timed runs are not sampled
        with DescendantMemory() as memory:
            memory_run = cold_run(folder, work, args.jobs, args.repeat)
        peak_bytes, peak_processes, peak_pss = memory.peak_bytes, memory.peak_processes, memory.peak_total_pss
        batch_runs = [r["batch_s"] for r in runs]
        process_runs = [r["process_s"] for r in runs]
        errors = runs[-1]["errors"]
        batch_s, jieba_s = statistics.median(batch_runs), statistics.median(jieba_runs)
        process_s = statistics.median(process_runs)
        resume = kill_and_resume(folder, work, args.jobs, args.reports, runs[0]["result"])

    figures = {
        "reports": args.reports, "jobs": args.jobs, "cpu_count": os.cpu_count(),
        "mean_report_chars": round(characters / args.reports),
        "repeats": args.repeat, "memory_run_batch_s": round(memory_run["batch_s"], 3),
        "batch_s": round(batch_s, 3), "reports_per_s": round(args.reports / batch_s, 1),
        "jieba_lcut_s": round(jieba_s, 3), "ratio_to_jieba": round(batch_s / jieba_s, 3),
        "batch_runs_s": [round(x, 2) for x in batch_runs], "jieba_runs_s": [round(x, 2) for x in jieba_runs],
        "process_s": round(process_s, 3), "ratio_process_to_jieba": round(process_s / jieba_s, 3),
        "audit_ms_per_report_in_worker": round(1000 * statistics.median(r["worker_s"] for r in runs) / args.reports, 2),
        "jieba_ms_per_report": round(1000 * jieba_s / args.reports, 2),
        "peak_total_pss_mb": round(peak_pss / 2**20, 1),
        "peak_workers_rss_mb": round(peak_bytes / 2**20, 1),
        "peak_processes": peak_processes,
        "largest_process_maxrss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "reports_with_error": errors,
        "resume": resume,
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    verdict = [
        f"ratio to jieba.lcut {figures['ratio_to_jieba']} (target <= 1.0, aim <= 0.5): "
        + ("OK" if figures["ratio_to_jieba"] <= 1.0 else "MISSED"),
        f"peak memory of the whole run (PSS of all its processes) {figures['peak_total_pss_mb']} MB (target < 1024): "
        + ("OK" if 0 < figures["peak_total_pss_mb"] < 1024 else "MISSED"),
        "kill + resume: " + ("OK" if resume["lost"] == 0 and resume["identical_to_uninterrupted"]
                             and resume["killed_midway"] else "FAILED"),
    ]
    print("\n".join(verdict))


if __name__ == "__main__":
    main()
