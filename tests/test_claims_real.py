"""The claims extractor on the hand-annotated real excerpts (../shared/real/claims, 172 files, 2,732
claims), scored by benchmarks/eval_claims_real.py with the gold-set rules of its README.

The floors are issue 11's targets: F1 >= 0.97 and value accuracy >= 0.99 (measured 0.9702 and 0.9967).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "real"

FLOOR_F1 = 0.97                # issue 11's target (measured 0.9702)
FLOOR_VALUE_ACCURACY = 0.99    # issue 11's target (measured 0.9967)

pytestmark = pytest.mark.skipif(not (REAL / "claims").is_dir(), reason=f"real excerpts absent: {REAL}/claims")


@pytest.fixture(scope="module")
def scores():
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from eval_claims_real import evaluate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return evaluate(REAL)


def test_every_gold_file_is_scored(scores) -> None:
    total, files = scores
    assert len(files) == len(list((REAL / "claims").glob("*.tsv")))
    assert total.gold == sum(f.gold for f in files) > 0


def test_claims_f1_on_real_excerpts(scores) -> None:
    total, _ = scores
    print(f"\nreal claims: P {total.precision:.4f} R {total.recall:.4f} F1 {total.f1:.4f} "
          f"value accuracy {total.accuracy(total.value_ok):.4f}")
    assert total.f1 >= FLOOR_F1


def test_claims_value_accuracy_on_real_excerpts(scores) -> None:
    total, _ = scores
    assert total.accuracy(total.value_ok) >= FLOOR_VALUE_ACCURACY
