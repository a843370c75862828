"""Issue 4's evaluation, as a regression test: errors injected into copies of the seeds and of the
sample corpus are detected, and consistent edits stay quiet (benchmarks/eval_injection.py)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import eval_injection  # noqa: E402


def test_injected_errors_are_detected_and_consistent_edits_stay_quiet(seeds_dir) -> None:
    summary = eval_injection.evaluate([seeds_dir, ROOT / "corpora" / "sample"])
    print(f"\ninjected {summary['injected']}, detected {summary['detected']} ({summary['detection_rate']:.1%}); "
          f"consistent {summary['consistent']}, false alarms {summary['false_alarms']}; {summary['by_kind']}")
    for kind in ("sum", "rate", "score_total", "target", "figure"):
        counts = summary["by_kind"][kind]
        assert counts["injected"] >= 5 and counts["consistent"] >= 5, (kind, counts)
    assert summary["detection_rate"] >= 0.95
    assert summary["false_alarms"] == 0, summary["alarms"]
