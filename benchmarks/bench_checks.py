"""Cost of the checks per report, and per rule, against jieba.lcut over the same text in the same process.

    python benchmarks/bench_checks.py [--repeat N]

Reads the seeds (../shared/seeds) and the sample corpus; times reading (layout + metadata), the
extractors, and every rule on its own, per report, and reports the ratio of the whole audit to
jieba.lcut of the same text (the baseline, run in the same process after a warm-up), in wall-clock
time and in the process's CPU time (steadier when other work shares the machine). Stage by stage:
``benchmarks/profile_stages.py``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from pathlib import Path

import jieba

from auditor.analysis import Analysis
from auditor.engine import expand_paths
from auditor.readers.decode import decode_text
from auditor.readers.text import build_document
from auditor.rules import all_rules

ROOT = Path(__file__).resolve().parents[1]


def _time(fn, repeat: int, clock=time.perf_counter) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = clock()
        fn()
        best = min(best, clock() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    jieba.setLogLevel(60)
    paths = expand_paths([ROOT.parent / "shared" / "seeds", ROOT / "corpora" / "sample"])
    texts = [(p, decode_text(p.read_bytes())[0]) for p in paths]
    rules = all_rules()
    jieba.lcut(texts[0][1])  # warm-up: dictionary load
    Analysis(build_document(texts[0][1], "warm")).forms  # warm-up: subjects dictionary, caches
    per_rule: dict[str, list[float]] = defaultdict(list)
    audit_times, jieba_times, chars = [], [], 0
    audit_cpu, jieba_cpu = [], []  # the same in CPU time of this process (steadier on a shared machine)
    for path, text in texts:
        chars += len(text)

        def full_audit() -> None:
            analysis = Analysis(build_document(text, str(path)))
            for r in rules:
                list(r.run(analysis))

        audit_times.append(_time(full_audit, args.repeat))
        jieba_times.append(_time(lambda: jieba.lcut(text), args.repeat))
        audit_cpu.append(_time(full_audit, args.repeat, time.process_time))
        jieba_cpu.append(_time(lambda: jieba.lcut(text), args.repeat, time.process_time))
        for r in rules:
            def one_rule(r=r) -> None:
                list(r.run(analysis))
            analysis = Analysis(build_document(text, str(path)))
            list(r.run(analysis))  # extractors computed once, outside the timing
            per_rule[r.code].append(_time(one_rule, args.repeat))
    total_audit, total_jieba = sum(audit_times), sum(jieba_times)
    print(f"{len(texts)} reports, {chars} characters, best of {args.repeat}")
    print(f"audit (read + extract + all {len(rules)} rules): {total_audit / len(texts) * 1000:.1f} ms/report, "
          f"median {statistics.median(audit_times) * 1000:.1f} ms, {chars / total_audit / 1e6 * 3:.2f} MB/s (UTF-8)")
    print(f"jieba.lcut of the same text: {total_jieba / len(texts) * 1000:.1f} ms/report")
    print(f"ratio audit / jieba.lcut: {total_audit / total_jieba:.2f}")
    print(f"in CPU time: audit {sum(audit_cpu) / len(texts) * 1000:.1f} ms/report, jieba.lcut "
          f"{sum(jieba_cpu) / len(texts) * 1000:.1f} ms/report, ratio {sum(audit_cpu) / sum(jieba_cpu):.2f}")
    print("rule cost on top of the shared extractors (ms/report):")
    for code, times in sorted(per_rule.items(), key=lambda kv: -sum(kv[1])):
        print(f"  {code}  {sum(times) / len(times) * 1000:7.2f}")


if __name__ == "__main__":
    main()
