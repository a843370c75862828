"""The five seed reports under the cross-check, target and completeness rules: the real findings each
must produce and the traps each must not. Expectations come from reading the seeds by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from auditor.analysis import Analysis
from conftest import audit_seeds, by_rule
from auditor.extract.indicators import sum_explanation

CODES = ["XC201", "XC202", "TG301", "TG302", "TG303", "TG304", "CP401"]


@pytest.fixture(scope="module")
def batch(seeds_dir):
    return audit_seeds(seeds_dir, CODES)


def test_every_evidence_span_is_exact(batch) -> None:
    for r in batch.values():
        assert r.error is None
        for f in r.findings:
            assert f.evidence and f.message
            for e in f.evidence:
                assert r.document.text[e.start:e.end] == e.text


def test_001_special_investigations_narrative_vs_project_table(batch) -> None:
    found = by_rule(batch["001"], "XC201")
    [f] = [f for f in found if f.values["subject"] == "专题调研"]
    assert f.message.startswith("正文称专题调研18次，自评表实际完成值为20次")
    assert f.values["stated"] == 18 and f.values["table"] == 20
    assert {e.where for e in f.evidence} == {"narrative", "table"}


def test_001_public_funds_narrative_vs_basic_data_table(batch) -> None:
    [f] = [f for f in by_rule(batch["001"], "XC201") if f.values["subject"] == "公用经费"]
    assert f.values["stated"] == Decimal("113.22") and f.values["table"] == Decimal("113.21")
    assert f.severity == "low"
    assert [e.text for e in f.evidence] == ["113.22万元", "113.21"]


def test_001_only_the_three_real_mismatches(batch) -> None:
    # traps: a table row of 18次 that is two narrative counts 9 + 9; a row of 16次 = 12 + 4;
    # 480余人次 in the narrative against 480人次 in the table
    found = by_rule(batch["001"], "XC201")
    assert len(found) == 3
    assert by_rule(batch["001"], "XC202") == []
    # a compound row (one label naming three kinds of items, 40件) against the narrative's 5件 + 42件
    (compound,) = [f for f in found if "stated_sum" in f.values]
    assert compound.values["stated_sum"] == 47 and compound.values["table"] == 40
    assert [e.text for e in compound.evidence] == ["5件", "42件", "40件"]


def test_001_compound_rows_are_sums_of_the_narrative(batch) -> None:
    analysis = Analysis(batch["001"].document)
    found = analysis.indicator_statements
    texts = [s for s in found if s.where == "narrative" and s.kind == "actual"]
    # the compound rows, found by their actual value and unit: 18次 (two kinds of meeting), 16次
    rows = {(s.value, s.unit): s for s in found if s.origin == "indicator" and s.kind == "actual" and s.parts}
    meetings = sum_explanation(rows[(18, "次")], texts)
    assert meetings is not None and sorted(s.value for s in meetings) == [9, 9]
    study = sum_explanation(rows[(16, "次")], texts)
    assert study is not None and sorted(s.value for s in study) == [4, 12]


def test_000_pasted_section_left_to_the_reuse_rules(batch) -> None:
    # its figures are last year's: RU504 reports them (tests/test_seeds_reuse.py), not the cross-checks
    assert by_rule(batch["000"], "XC202") == []
    assert by_rule(batch["000"], "XC201") == []


def test_000_cost_targets_above_project_budgets(batch) -> None:
    found = by_rule(batch["000"], "TG304")
    pairs = sorted((f.values["target_wan"], f.values["budget_full"]) for f in found)
    assert pairs == [(70, 46), (74, Decimal("66.91")), (142, 134), (262, 252), (Decimal("290.8"), 268),
                     (340, 166), (398, 288)]
    [yuan] = [f for f in found if f.values["target_unit"] is None]
    assert yuan.values["target"] == 3980000 and "按元计" in yuan.message


def test_actuals_written_as_bounds(batch) -> None:
    assert sorted(f.evidence[0].text for f in by_rule(batch["001"], "TG303")) == ["≥90%", "≦100%", "≧98%"]
    assert sorted(f.evidence[0].text for f in by_rule(batch["000"], "TG303")) == ["300+人次", "不少于10次"]


def test_001_deductions_without_reason(batch) -> None:
    found = by_rule(batch["001"], "TG302")
    assert len(found) == 2 and all(f.values["deducted"] == 1 for f in found)
    # the project form's 8/10 row gives a reason ("进一步提高经济效益"): not reported


def test_003_attachments_listed_but_absent(batch) -> None:
    found = by_rule(batch["003"], "CP401")
    assert sorted(f.values["attachment"] for f in found) == ["附件1", "附件2"]
    # 001 and 004 carry their attachments as tables
    assert by_rule(batch["001"], "CP401") == [] and by_rule(batch["004"], "CP401") == []


def test_traps_stay_quiet(batch) -> None:
    # 002: a satisfaction survey of the previous year's projects (prior-year mention), per-project 年初预算数 figures
    assert batch["002"].findings == []
    # 003: 核定 vs 实有 编制 in one paragraph; 2023年环境状况 in a 2024 report; 245.25 vs 245.26
    assert [f.rule for f in batch["003"].findings] == ["CP401", "CP401"]
    # 004: the department and project forms agree (常委会 13次 in both); no range actuals
    assert batch["004"].findings == []
    assert by_rule(batch["001"], "TG301") == [] and by_rule(batch["000"], "TG301") == []
