"""Start-up benchmark: the wall-clock time of ``auditor check one.txt`` on one small report, in a
fresh process each time, against a process that only imports jieba and segments the same text.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 7] [--chars 3000] [--seeds DIR] [--bytecode]

The report is made at run time in a temporary folder from the first ``--chars`` characters of the
first seed report (../shared/seeds); nothing of it is written anywhere else. Both commands run
interleaved (the machine may be shared) and the medians are reported:

- ``auditor_s``: ``auditor check one.txt --no-progress`` (interpreter start, imports, the isolated
  worker, jieba's dictionary, the audit, the terminal output). Target < 1 s.
- ``jieba_s``: ``python -c "import jieba; jieba.lcut(text)"`` (interpreter start, jieba's import
  and its cached dictionary: the floor of any run that segments Chinese with jieba).
- ``ratio_to_jieba``: ``auditor_s / jieba_s``.
- ``auditor_cpu_s`` / ``jieba_cpu_s``: user + system CPU of the process and its children (less
  sensitive to other load on a shared machine than the wall-clock figures).
- ``bytecode``: whether the commands ran with Python's bytecode cache. Both inherit this process's
  environment; with ``PYTHONDONTWRITEBYTECODE=1`` set (as in some sandboxes) auditor's own modules
  are compiled from source on every start, which an installed package never does: ``--bytecode``
  runs both commands with the cache on, kept in a temporary folder (``PYTHONPYCACHEPREFIX``).

The first, unmeasured run builds what a first run on a machine builds once (jieba's parsed
dictionary and its lazily read index in ``~/.cache/auditor``, and with ``--bytecode`` the bytecode).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"

_JIEBA = ("import jieba, logging, sys; jieba.setLogLevel(logging.WARNING); "
          "jieba.lcut(open(sys.argv[1], encoding='utf-8').read())")


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, children included) of one command."""
    before = os.times()
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def auditor_command() -> list[str]:
    script = Path(sys.executable).with_name("auditor")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from auditor.cli import app; app()"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--chars", type=int, default=3000)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--bytecode", action="store_true",
                        help="run both commands with the bytecode cache on (in a temporary folder)")
    args = parser.parse_args()

    seeds = sorted(args.seeds.glob("*.txt"))
    if not seeds:
        raise SystemExit(f"no seed reports in {args.seeds}")
    with tempfile.TemporaryDirectory(prefix="auditor-startup-") as tmp:
        one = Path(tmp) / "one.txt"
        one.write_text(seeds[0].read_text(encoding="utf-8")[: args.chars], encoding="utf-8")
        auditor = [*auditor_command(), "check", str(one), "--no-progress"]
        jieba = [sys.executable, "-c", _JIEBA, str(one)]
        env = dict(os.environ)
        if args.bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        bytecode = "cached" if not env.get("PYTHONDONTWRITEBYTECODE") else "off (PYTHONDONTWRITEBYTECODE)"
        timed(auditor, env)  # the first run may build jieba's caches (and the bytecode): not measured
        timed(jieba, env)
        runs, baseline = [], []
        for _ in range(args.repeat):
            runs.append(timed(auditor, env))
            baseline.append(timed(jieba, env))
        size = one.stat().st_size
    auditor_s = statistics.median(w for w, _ in runs)
    jieba_s = statistics.median(w for w, _ in baseline)
    figures = {
        "file_bytes": size, "repeat": args.repeat, "bytecode": bytecode,
        "auditor_s": round(auditor_s, 3), "jieba_s": round(jieba_s, 3),
        "ratio_to_jieba": round(auditor_s / jieba_s, 2),
        "auditor_cpu_s": round(statistics.median(c for _, c in runs), 3),
        "jieba_cpu_s": round(statistics.median(c for _, c in baseline), 3),
        "auditor_runs_s": [round(w, 2) for w, _ in runs], "jieba_runs_s": [round(w, 2) for w, _ in baseline],
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"one small file: {figures['auditor_s']} s wall (target < 1 s): "
          + ("OK" if auditor_s < 1.0 else "MISSED"))


if __name__ == "__main__":
    main()
