"""Reuse benchmarks: index build and query throughput, scaling, per-report latency.

    .venv/bin/python benchmarks/bench_reuse.py --paragraphs 10000 30000 100000

For each size, a generated corpus (corpora/generate.py) with about that many narrative paragraphs is
indexed (ReuseIndex: shingles, template masking, MinHash LSH, TF-IDF) and queried with 50 reports.
Per-report latency: one report aligned with its prior-year report plus 5 index candidates and scored
(RU501-RU505 run), reported per 30k characters. Figures are wall-clock on this machine; the ratio
column compares ms/paragraph with the smallest size (near-linear scaling keeps it near 1).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.analysis import Analysis  # noqa: E402
from auditor.engine import read_document  # noqa: E402
from auditor.reuse.index import ReuseIndex  # noqa: E402
from auditor.reuse.references import ReferenceSet, attach  # noqa: E402
from auditor.reuse.text import passages  # noqa: E402
from auditor.rules import select_rules  # noqa: E402
from auditor.rules.registry import run_rules  # noqa: E402


def corpus(folder: Path, paragraphs: int, seed: int) -> list:
    from corpora.generate import generate_corpus

    years = [2022, 2023, 2024]
    per_report = 30  # about 30 narrative paragraphs per generated report
    units = max(2, paragraphs // (per_report * len(years)))
    generate_corpus(folder, n_units=units, years=years, seed=seed, copy_rate=0.3, inject_errors=False)
    return [read_document(p) for p in sorted(folder.glob("*.txt"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paragraphs", type=int, nargs="+", default=[10000, 30000, 100000])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rules = select_rules(["RU5"])
    base = None
    print(f"{'paragraphs':>10} {'reports':>8} {'build s':>8} {'ms/para':>8} {'ratio':>6} {'query ms/report':>16}")
    for size in args.paragraphs:
        with tempfile.TemporaryDirectory() as tmp:
            docs = corpus(Path(tmp), size, args.seed)
            n_par = sum(1 for d in docs for p in passages(d) if not p.is_heading)
            t0 = time.perf_counter()
            index = ReuseIndex.build(docs)
            build = time.perf_counter() - t0
            probe = docs[:: max(1, len(docs) // 50)][:50]
            t0 = time.perf_counter()
            for d in probe:
                index.query(d, k=5)
            query_ms = (time.perf_counter() - t0) * 1000 / len(probe)
            per_par = build * 1000 / n_par
            base = base or per_par
            print(f"{n_par:>10} {len(docs):>8} {build:>8.2f} {per_par:>8.3f} {per_par / base:>6.2f} {query_ms:>16.2f}")
            if size == args.paragraphs[-1]:
                # per-report latency: prior year + 5 candidates from the index
                latencies, chars = [], 0
                by_path = {d.path: d for d in docs}
                run_rules(Analysis(docs[0]), rules)  # warm-up: jieba's dictionary loads once per process
                for d in [x for x in docs if "_2024_" in x.path][:20]:
                    prior = by_path.get(d.path.replace("_2024_", "_2023_"))
                    refs = ReferenceSet(documents=[d] + ([prior] if prior else []), index=index)
                    refs.batch_index  # built once per batch, not per report
                    analysis = Analysis(d)
                    attach(analysis, refs)
                    t0 = time.perf_counter()
                    run_rules(analysis, rules)
                    latencies.append(time.perf_counter() - t0)
                    chars += len(d.text)
                if latencies:
                    total = sum(latencies)
                    print(f"per-report latency (prior year + 5 index candidates, RU501-RU505): "
                          f"{total / len(latencies) * 1000:.1f} ms/report, "
                          f"{total / chars * 30000 * 1000:.1f} ms per 30k characters "
                          f"(mean report {chars // len(latencies)} chars)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
