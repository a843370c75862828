"""Where a batch's peak memory is and what it is made of (a benchmark, not a test).

    .venv/bin/python benchmarks/memory_profile.py [--reports 400] [--jobs 2] [--seeds DIR] [--real DIR]

Makes the varied corpus of ``bench_batch.py`` (seed copies, real excerpts, generated reports of four
years per unit) and runs ``run_batch`` on it in a fresh process, as ``auditor check`` does. Prints:

- ``pss_mb``: the peak of the PSS summed over the batch's process and all its descendants (sampled every
  50 ms), separately for phase 1 (workers reading, results accumulating in the parent) and for the
  cross-report phase (from the moment ``compare_with_references`` starts: the index, the forked
  children), and the parent's own PSS at the start of the cross phase;
- ``parent_bytes_per_report``: what the parent holds per report when the cross phase starts, by kind
  (a deep ``sys.getsizeof`` walk; numpy arrays by ``nbytes``; objects shared between kinds counted once,
  in the first kind that reaches them), and the batch index's size per report once built.

Findings (varied corpus, 2 jobs, 2026-11-30; peak PSS from ``bench_batch.py --reports 400 1600 --repeat 1``):

- The peak is in the cross phase (forked children running), not in phase 1: at 1,600 reports phase 1
  peaks at ~445 MB, the cross phase at ~750-980 MB.
- On main (d522dd4) the parent held every report's full Document: per report at the start of the cross
  phase tables 47 KB, index sketch 40 KB (released once the batch index is built; the index then holds
  ~42-50 KB), passages 13 KB, findings 13 KB, text 9 KB, paragraphs 5 KB, sections 2 KB, figure marks
  2 KB (~133 KB in all). The forked children dirtied those pages (refcounts) and wrote into the parent's
  freed heap, so PSS counted them again: 575 MB at 400, 1,179 MB at 1,600 (~0.50 MB a report).
- Now the workers ship each Document packed (``Document.pack``: paragraphs, tables, sections and
  anchors one zlib-compressed pickle, ~3 KB a report) and the cross phase unpacks a chunk's documents
  and their references only while it checks them; before the fork the parent returns the C heap's
  free pages to the system (``malloc_trim``). Per report in the parent: ~82 KB (sketch 40 KB until the
  index is built, passages 13 KB, findings 13 KB, text 9 KB, packed structure 3 KB, figure marks 2 KB).
  Peak PSS 461 MB at 400, 741 MB at 1,600 (~0.23 MB a report; 1,779 MB at 6,400 with ``--peak-only``):
  ~2.6 GB extrapolated to 10,000, still above the 1 GB target.
- What still grows with the batch (probe of /proc/self/smaps_rollup in the parent at the start of the
  cross phase and in each child after every 10 chunks, 400 → 1,600 reports): the parent ~84 KB a
  report (the objects above), each cross-phase child's private dirty memory ~70 KB a report (85 → ~165
  MB; it is there after the first chunks, so it is pages of the parent's objects the child touches
  - passages, texts, Documents, the index's Python lists and dicts - not what the child accumulates).
  Next steps: passages and the index's per-paragraph lists as arrays (nothing for a child to dirty),
  fewer objects per finding.
- Issue 16, cross phase (same session, before = 6e0ec41, ``--reports 400`` and ``--reports 1600``): the
  passages are kept as a ``PassageTable`` (four int32 a passage; the keys are computed again from the
  text), the figure marks as int32, and the batch index releases its search part (TF-IDF vectors,
  signatures, self-join: ~50 KB a report at 400, ~42 KB at 1,600) once every report's candidates are
  known (``ReferenceSet.settle``): it keeps ~10 KB a report. Peak PSS in the cross phase 528 → 446 MB
  at 400, 839 → 614 MB at 1,600 (slope 0.26 → 0.14 MB a report; linear extrapolation to 10,000: ~3.0
  → ~1.8 GB); ``--peak-only`` at 6,400 after: 1,555 MB (phase 1: 714 MB), i.e. 0.20 MB a report
  from 1,600 to 6,400 and ~2.3 GB extrapolated to 10,000: still above 1 GB. What is left: the
  parent's findings (13 KB a report), texts (9 KB), the index sketches (40 KB a report until the index
  is built, when the index's own arrays and the TF-IDF copies exist at the same time) and the pages of
  the parent's objects that the children touch.
- Issue 16, 2026-11-30 (before = f00cddc; ``bench_batch.py --reports 400 1600 --repeat 3`` and
  ``--reports 400 6400 --repeat 1``). Three peaks, found by sampling the PSS of every process over time:
  (1) at 6,400 the parent's serial candidate search, when the batch index is built: the n-gram counts,
  their TF-IDF copies, the shingles as int64/uint64 with four temporaries each, and the self-join's
  (paragraphs x documents) product all at once (parent 487 -> 1,156 MB); (2) the workers' fork server
  alive through the whole cross phase (~90 MB: jieba's whole dictionary); (3) the forked children's
  private memory, ~45 MB after their first chunk, then growing with every chunk (to ~78 MB each at
  1,600). Now the index reads and releases the sketches as it goes, weights TF-IDF in place, keeps
  shingles in 32 bits, counts template shingles and the self-join a block at a time (parent peak at
  6,400: 1,188 -> 916 MB); a batch of 200 files or more stops the fork server before the cross
  phase; the cross phase forks fresh children every 12 chunks each. Peak PSS: 400: 372 -> 224 MB;
  1,600: 598 -> 316 MB; 6,400: 1,185 (after the first two changes) -> 947 MB; extrapolated to 10,000
  from 400 and 6,400: 1,381 MB, still above 1 GB. What grows now: the parent's objects at the start of
  the cross phase (~78 KB a report: sketch 40 KB, findings 13 KB, text 9 KB) and the index's own
  arrays while it is built. The sketches' n-gram counts then went to the smallest exact type (most
  often one byte): sketch 40.5 -> 31.4 KB, parent 68.1 -> 59.0 KB a report at 400.
- Issue 16, 2026-11-30 (second session; PSS of every process sampled every 0.1 s over a 6,400-report
  run, and the parent's RSS around each step of the index build). (1) The measured peak at 6,400
  (~900 MB) was not the cross phase but the benchmark's own end: it built the whole result as one dict
  and one JSON string (1,028 MB in the timeline). ``auditor check --format json`` and the benchmark now
  write the JSON a report at a time (``reporters.json.write_json``). (2) The index build held the
  sketches and the index's arrays at once, and the C heap kept what numpy freed: each sketch is now let
  go once copied and the heap's free pages returned (``heap.trim_heap``), template shingles are counted
  a hash range at a time, the shingle filters and the self-join's blocks work in place: parent peak in
  the serial search 859 -> 611 MB, parent before the fork 517 -> 314 MB. (3) The voted pairs' cosines
  are computed in threads before the queries (forked processes added ~120 MB PSS: they are not used).
  ``bench_batch.py --reports 400 6400``: peak PSS 220 and 636 MB (885 MB extrapolated to 10,000).
  Measured at 10,000 (the same PSS timeline): 985 MB, more than the extrapolation. The peak is now a
  plateau in the parent during the search before the cross phase (~630 MB when the cross phase starts,
  ~980 MB while the candidates are found): the next place to look.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_batch import add_corpus_options, make_varied  # noqa: E402

_CHILD = r"""
import json, os, sys, time
sys.path.insert(0, {root!r})
from array import array
from dataclasses import fields, is_dataclass
import auditor.runner.cross as cross
from auditor.batch import run_batch

marker, out = {marker!r}, {out!r}
sizes = {{}}
walk = {walk!r}


def deep_size(obj, seen):
    import numpy as np
    stack, total = [obj], 0
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        if isinstance(o, np.ndarray):
            total += o.nbytes + 112
            continue
        total += sys.getsizeof(o)
        if isinstance(o, (str, bytes, int, float, bool, type(None), array)):
            continue
        if isinstance(o, dict):
            stack.extend(o.keys()); stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)):
            stack.extend(o)
        elif is_dataclass(o):
            stack.extend(getattr(o, f.name) for f in fields(o) if hasattr(o, f.name))
        elif hasattr(o, "__dict__"):
            stack.extend(vars(o).values())
        elif hasattr(o, "__slots__"):  # e.g. the compact PassageTable
            stack.extend(getattr(o, name) for name in o.__slots__ if hasattr(o, name))
    return total


def own_pss():
    with open("/proc/self/smaps_rollup") as handle:
        for line in handle:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


original = cross.compare_with_references


def profiled(reports, rules, *args, **kwargs):
    with open(marker, "w") as handle:
        handle.write(str(time.time()))
    if not walk:  # the walk's own memory (its set of ids) would count in the peak
        return original(reports, rules, *args, **kwargs)
    docs = [r.document for r in reports if r.document is not None]
    seen = set()
    kinds = {{}}
    def add(kind, obj):
        kinds[kind] = kinds.get(kind, 0) + deep_size(obj, seen)
    for r in reports:
        add("findings", r.findings)
    holder = getattr(docs[0], "_full", None) if docs else None
    for d in docs:
        add("text", d.text)
        add("paragraphs", d.paragraphs)
        add("tables", d.tables)
        add("sections", d.sections)
        add("anchors+meta", [d.anchors, d.meta, d._section_starts])
        for kind, view in d._derived.items():
            if kind.__name__ == "ReuseMaterial":
                add("passages", view.passages)
                add("passages", view.passage_table)
                add("figure_marks", view.figure_marks)
                add("index sketch", view.sketch)
                add("reuse caches", [view.grams, view.figures, view.facts])
            else:
                add("derived " + kind.__name__, view)
        for name in ("_packed",):
            if getattr(d, name, None) is not None:
                add("packed structure", getattr(d, name))
    n = max(1, len(reports))
    sizes["parent_bytes_per_report"] = {{k: round(v / n) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])}}
    sizes["parent_bytes_per_report_total"] = round(sum(kinds.values()) / n)
    sizes["parent_pss_mb_at_cross_start"] = round(own_pss() / 2**20, 1)
    sizes["reports"] = len(reports)
    from auditor.reuse import index as index_module
    build = index_module.ReuseIndex.build.__func__

    def measured_build(cls, documents, *a, **k):
        built = build(cls, documents, *a, **k)
        sizes["index_bytes_per_report"] = round(deep_size(built, set(map(id, documents))) / max(1, len(documents)))
        return built

    from auditor.reuse import references as references_module
    settle = references_module.ReferenceSet.settle

    def measured_settle(self):
        settle(self)
        if self._shared_index is not None:
            kept = deep_size(self._shared_index, set(map(id, self.documents)))
            sizes["index_bytes_per_report_after_settle"] = round(kept / max(1, len(self.documents)))

    index_module.ReuseIndex.build = classmethod(measured_build)
    references_module.ReferenceSet.settle = measured_settle
    try:
        return original(reports, rules, *args, **kwargs)
    finally:
        index_module.ReuseIndex.build = classmethod(build)
        references_module.ReferenceSet.settle = settle
        sizes["parent_pss_mb_at_cross_end"] = round(own_pss() / 2**20, 1)


cross.compare_with_references = profiled
run_batch([{folder!r}], jobs={jobs}, progress=False)
with open(out, "w") as handle:
    json.dump(sizes, handle)
"""


def sampled_pss(pid: int) -> int:
    import psutil

    total = 0
    try:
        processes = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return 0
    for process in processes:
        try:
            with open(f"/proc/{process.pid}/smaps_rollup", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            pass
    return total


def profile(folder: Path, work: Path, jobs: int, walk: bool = True) -> dict:
    marker, out = work / "cross_started", work / "sizes.json"
    marker.unlink(missing_ok=True)
    script = _CHILD.format(root=str(ROOT), folder=str(folder), jobs=jobs, marker=str(marker), out=str(out),
                           walk=walk)
    child = subprocess.Popen([sys.executable, "-c", script])
    peaks = {"phase1": 0, "cross": 0}
    while child.poll() is None:
        pss = sampled_pss(child.pid)
        phase = "cross" if marker.exists() else "phase1"
        peaks[phase] = max(peaks[phase], pss)
        time.sleep(0.05)
    if child.returncode:
        raise SystemExit(f"batch failed ({child.returncode})")
    figures = json.loads(out.read_text(encoding="utf-8"))
    figures["peak_pss_mb_phase1"] = round(peaks["phase1"] / 2**20, 1)
    figures["peak_pss_mb_cross"] = round(peaks["cross"] / 2**20, 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=400)
    parser.add_argument("--jobs", type=int, default=2)
    add_corpus_options(parser, seed=1)
    parser.add_argument("--peak-only", action="store_true",
                        help="only the PSS peaks (no size walk: its own memory would count in them)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="auditor_memory_") as tmp:
        folder, work = Path(tmp) / "reports", Path(tmp) / "work"
        folder.mkdir()
        work.mkdir()
        make_varied(args.seeds, args.real, folder, args.reports, random.Random(args.seed))
        print(json.dumps(profile(folder, work, args.jobs, walk=not args.peak_only), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
