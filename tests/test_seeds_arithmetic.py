"""AR104–AR109 over the five seed reports: the real inconsistencies they must find, and silence on
the traps (rounding in 000 and 003, 004's "10%" weights, rates that follow their amounts)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import audit_seeds, by_rule
from auditor.extract.rates import narrative_rates

CODES = ["AR104", "AR105", "AR106", "AR107", "AR108", "AR109"]


@pytest.fixture(scope="module")
def batch(seeds_dir):
    return audit_seeds(seeds_dir, CODES)


def test_level_points_disagree_with_weights_in_001_project_form(batch) -> None:
    found = by_rule(batch["001"], "AR109")
    assert sorted((f.values["level"], f.values["announced_points"], f.values["weight_sum"]) for f in found) == [
        ("产出指标", Decimal(50), Decimal(40)), ("效益指标", Decimal(30), Decimal(40))]
    assert all(f.evidence[0].where == "table" and "项目支出" in (f.evidence[0].section or "") for f in found)


def test_no_other_arithmetic_findings_in_the_seeds(batch) -> None:
    for key, report in batch.items():
        assert report.error is None
        others = [f for f in report.findings if not (key == "001" and f.rule == "AR109")]
        assert others == [], (key, [f.message for f in others])


def test_traps_are_evaluated_not_skipped(seeds_dir) -> None:
    """The rounding trap in 000 and the narrative rates of 003 are actually read and judged."""
    from auditor.analysis import Analysis
    from auditor.engine import read_document
    from conftest import seed_path

    doc = read_document(seed_path("000"))
    dept = [b for f in Analysis(doc).forms for b in f.budgets if b.breakdowns]
    assert len(dept) == 1
    income = dept[0].breakdown("income")
    assert sum(i.value.value for i in income.items if i.value) == Decimal("4350.53")
    doc3 = read_document(seed_path("003"))
    a3 = Analysis(doc3)
    rates = [r.text for p in doc3.paragraphs for r, _ in narrative_rates(doc3, a3.numbers_in, p)]
    assert "97.68℅" in rates and "67.76℅" in rates and "91.67%" in rates
