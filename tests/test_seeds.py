"""The five real seed reports end to end: the findings each must produce and the traps each must not.

Expectations are written by hand from reading the seeds (see the issue notes); they are about what a
general rule must find, never recognised by the rules themselves.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from conftest import SEEDS, audit_seeds, by_rule


@pytest.fixture(scope="module")
def batch(seeds_dir):
    return audit_seeds(seeds_dir)


def test_five_reports_with_metadata(batch) -> None:
    """The unit is read whole: the place (one or two levels: 市, 区, 县 …) and the organ's full name, as
    printed in the seed; checked by shape, so no seed's unit name is copied here."""
    assert sorted(batch) == ["000", "001", "002", "003", "004"]
    expected = {  # (place levels, organ, year, kind)
        "000": (1, "人民代表大会常务委员会", 2024, "department"),
        "001": (2, "人民代表大会常务委员会", 2023, "department"),  # signed in 2024: cover date ignored
        "002": (1, "人民代表大会常务委员会办公室", 2022, "department"),
        "003": (1, "人民代表大会常务委员会办公室", 2024, "department"),  # no title: body and dominant year
        "004": (0, "区人大常委会办公室", 2021, "department"),  # table-only: 部门名称 cell, （2021年度）
    }
    for key, (levels, organ, year, kind) in expected.items():
        r = batch[key]
        assert r.error is None
        place = r"(?:[\u4e00-\u9fff]{1,4}?[省市州县区])" + f"{{{levels}}}"
        assert re.fullmatch(place + re.escape(organ), r.unit or ""), (key, r.unit)
        assert r.unit in r.document.text, key
        assert (r.year, r.kind) == (year, kind), key


def test_every_evidence_span_is_exact(batch) -> None:
    for r in batch.values():
        for f in r.findings:
            assert f.evidence
            for e in f.evidence:
                assert r.document.text[e.start:e.end] == e.text


def test_budget_sum_in_002(batch) -> None:
    [f] = by_rule(batch["002"], "AR101")
    assert f.values["stated_total"] == Decimal("1061.69")
    assert f.values["parts_sum"] == Decimal("1071.69")
    assert [e.text for e in f.evidence] == ["1061.69万元", "889.68万元", "182.01万元"]
    assert "1071.69" in f.message and "10" in f.message


def test_execution_rate_on_initial_budget_in_004(batch) -> None:
    [f] = by_rule(batch["004"], "AR102")
    assert f.severity == "high"
    assert f.values["stated_rate"] == 78 and f.values["computed_rate"] == 100
    assert f.values["rate_on_initial_budget"] == Decimal("78.12")
    assert "年初预算数" in f.message


def test_truncated_execution_rates_in_000(batch) -> None:
    found = by_rule(batch["000"], "AR102")
    assert sorted(f.evidence[0].text for f in found) == ["86.00%", "91.00%", "92.00%", "92.00%", "93.00%", "97.00%"]
    assert all(f.severity == "low" and f.values.get("truncated") for f in found)
    # the department form's 95.45% is 4152.71 / 4350.54 rounded: not a finding
    assert not any(f.evidence[0].text == "95.45%" for f in found)


def test_traps_stay_quiet(batch) -> None:
    # 003: 15.99+19.96+53.08+0.19+156.03 = 245.25 against a stated 245.26 is rounding; its only
    # AR101 finding is the staff count whose parts fall short while the 核定编制 breakdown beside it
    # adds up (see test_seeds_arithmetic)
    found = by_rule(batch["003"], "AR101")
    assert [f.values["stated_total"] for f in found] == [32]
    assert not any("245.26" in e.text for f in found for e in f.evidence)
    # 003: a count of 篇 whose "其中" list names only some of the items (national and provincial)
    # 002: 27名 = 20+4+3; 001: 69人 = 38+3+28 and 1389.01 = 1031.02+357.99
    assert by_rule(batch["001"], "AR101") == []
    assert len(by_rule(batch["002"], "AR101")) == 1
    # 004 project table: 155.41/165 = 94.19% stated as "94" is rounding
    assert len(by_rule(batch["004"], "AR102")) == 1
    # every score total in the seeds adds up, with or without the execution-rate score
    for r in batch.values():
        assert by_rule(r, "AR103") == []
    for r in batch.values():
        assert by_rule(r, "IN001") == []


def test_ranking_puts_the_worst_first(batch) -> None:
    ranked = sorted(batch.values(), key=lambda r: r.rank)
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5]
    scores = [r.risk_score for r in ranked]
    assert scores == sorted(scores, reverse=True)
    worst = {f.severity for f in ranked[0].findings}
    assert "high" in worst
    # a report whose only finding is medium never outranks one with a high finding
    for r in ranked:
        if any(f.severity == "high" for f in r.findings):
            assert r.rank < batch["002"].rank


def test_staff_breakdown_short_of_its_total_in_003(batch) -> None:
    """003 states 实有人数 and its 其中 parts one short (27+4 = 31 of 32), right after a 核定编制
    breakdown along the same categories that adds up: a parallel breakdown, so the short one is found."""
    (found,) = by_rule(batch["003"], "AR101")
    assert found.values["parts_sum"] == 31 and found.values["stated_total"] == 32
    assert [e.text for e in found.evidence] == ["32名", "27名", "4名"]
    assert found.severity == "medium" and found.confidence < 0.9
