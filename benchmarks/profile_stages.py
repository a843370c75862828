"""Per-file cost by stage, against jieba.lcut of the same text in the same process.

    .venv/bin/python benchmarks/profile_stages.py [PATH ...] [--repeat N] [--cprofile [--top K]]

PATH: files or folders (default: ../shared/seeds, ../shared/real and corpora/sample; add a generated
corpus, e.g. ``python -m corpora.generate /tmp/gen --units 40 --years 2022 2023 --seed 7 --inject-errors``).

The work a batch worker does for one file, in one process, timed by stage:

- ``read``: pre-flight, decoding, the readability check and the Document build (``read_document``);
- one line per Analysis field (``numbers``, ``forms``, ``claims`` …): its own time only, the fields
  it requires being timed on their own lines (the fields are computed lazily, when the rules ask);
- ``rules``: the rules' own work, every Analysis field excluded;
- ``structure``: the needs-review judgement (``structure_problem``);
- ``cross_material``: what the worker ships to the cross-report phase (index sketch, figure marks,
  number pass; the Analysis fields it keeps are timed on their own lines);
- ``pack``: the Document packed, and the text fingerprint.

Each file is run ``--repeat`` times and the fastest run is kept; times are the process's CPU time
(``--clock wall`` for wall-clock time). The baseline is ``jieba.lcut`` of the
same text (dictionary loaded before timing), also fastest of ``--repeat``. ``--cprofile`` adds a cProfile
of one more pass over every file (top functions by own time and by cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections import defaultdict
from functools import cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.analysis import Analysis  # noqa: E402
from auditor.engine import expand_paths, read_document, sort_findings  # noqa: E402
from auditor.errors import AuditorError  # noqa: E402
from auditor.rules import all_rules  # noqa: E402
from auditor.rules.registry import run_rules  # noqa: E402
from auditor.runner.startup import import_jieba  # noqa: E402
from auditor.runner.worker import cross_phase_material, text_fingerprint  # noqa: E402
from auditor.structure import structure_problem  # noqa: E402

# the clock of every timing: CPU time of this process (default; steadier on a shared machine) or wall time
_now = time.process_time

DEFAULT_PATHS = [ROOT.parent / "shared" / "seeds", ROOT.parent / "shared" / "real", ROOT / "corpora" / "sample"]


class _Clock:
    """Own time per Analysis field: a field's time minus that of the fields it computed inside."""

    def __init__(self) -> None:
        self.own: dict[str, float] = defaultdict(float)
        self._stack: list[list[float]] = []  # per open field: [started, time of nested fields]

    def wrap(self, name: str, fn):
        def timed(analysis):
            self._stack.append([_now(), 0.0])
            try:
                return fn(analysis)
            finally:
                started, nested = self._stack.pop()
                spent = _now() - started
                self.own[name] += spent - nested
                if self._stack:
                    self._stack[-1][1] += spent

        timed.__name__ = fn.__name__
        return timed


def _timed_analysis_class(clock: _Clock) -> type:
    """A subclass of Analysis whose fields (and private cached helpers) report their own time to ``clock``."""
    namespace = {}
    for name, value in vars(Analysis).items():
        if isinstance(value, cached_property):
            field = cached_property(clock.wrap(name, value.func))
            if hasattr(value, "requires"):
                field.requires = value.requires  # type: ignore[attr-defined]
            namespace[name] = field
    return type("TimedAnalysis", (Analysis,), namespace)


def audit_once(path: Path, rules: list) -> dict[str, float] | None:
    """One file through the worker's per-file work; seconds per stage (None: unreadable)."""
    clock = _Clock()
    timed_class = _timed_analysis_class(clock)
    stages: dict[str, float] = {}
    t0 = _now()
    try:
        doc = read_document(path)
    except AuditorError:
        return None
    t1 = _now()
    analysis = timed_class(doc)
    doc.adopt_derived(analysis, Analysis)  # as check_document does: the cross material keeps some of its fields
    sort_findings(run_rules(analysis, rules))
    t2 = _now()
    structure_problem(doc)
    t3 = _now()
    text = doc.text
    cross_phase_material(doc)
    t4 = _now()
    doc.pack()
    text_fingerprint(text)
    t5 = _now()
    stages["read"] = t1 - t0
    stages.update(clock.own)
    stages["rules"] = (t2 - t1) - sum(clock.own.values())
    stages["structure"] = t3 - t2
    stages["cross_material"] = t4 - t3
    stages["pack"] = t5 - t4
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="CPU time of this process (default) or wall-clock time")
    args = parser.parse_args()
    global _now
    _now = time.process_time if args.clock == "cpu" else time.perf_counter
    jieba = import_jieba()
    jieba.setLogLevel(60)
    paths = expand_paths(args.paths or DEFAULT_PATHS)
    rules = all_rules()
    jieba.lcut("预热：载入词典")
    for path in paths[:3]:  # warm-up: dictionaries, compiled patterns
        audit_once(path, rules)

    totals: dict[str, float] = defaultdict(float)
    audit_total = jieba_total = 0.0
    files = chars = 0
    for path in paths:
        best: dict[str, float] | None = None
        for _ in range(args.repeat):
            stages = audit_once(path, rules)
            if stages is None:
                break
            if best is None or sum(stages.values()) < sum(best.values()):
                best = stages
        if best is None:
            continue
        text = read_document(path).text
        jieba_best = float("inf")
        for _ in range(args.repeat):
            started = _now()
            jieba.lcut(text)
            jieba_best = min(jieba_best, _now() - started)
        files += 1
        chars += len(text)
        for name, seconds in best.items():
            totals[name] += seconds
        audit_total += sum(best.values())
        jieba_total += jieba_best

    print(f"{files} readable files of {len(paths)}, {chars} characters ({chars / max(files, 1):.0f}/file), "
          f"fastest of {args.repeat}, {args.clock} time")
    print(f"per-file work: {audit_total / files * 1000:.2f} ms/report; jieba.lcut: {jieba_total / files * 1000:.2f} "
          f"ms/report; ratio {audit_total / jieba_total:.2f}")
    print("stage                      ms/report   share")
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        if seconds / files * 1000 >= 0.005:
            print(f"  {name:24s} {seconds / files * 1000:9.3f}  {seconds / audit_total:6.1%}")

    if args.cprofile:
        profiler = cProfile.Profile()
        profiler.enable()
        for path in paths:
            audit_once(path, rules)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
