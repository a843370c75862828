from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.arith import Interval, fmt, interval_sum, written
from auditor.extract.sums import MONEY_SCALE, SumGroup, in_unit_of
from auditor.findings import Evidence, Finding
from auditor.rules.registry import rule


@rule("AR101", "narrative-sum-mismatch", "medium")
def narrative_sum_mismatch(analysis) -> Iterator[Finding]:
    """正文中的合计数与其分项之和不符（“X万元，其中：A万元，B万元”）。

    What: a total stated in the narrative and the parts listed after it — "其中：基本支出A万元，项目支出B万元",
    parts in brackets after the total, or a "其中：" followed by list items — are added up and compared
    with the total.
    Why: a budget whose parts do not add up means one of the figures is wrong, and the reviewer cannot
    tell which without going back to the accounts.
    Example: 全年预算数520.40万元，其中本年收入410.25万元，年初结转结余120.15万元 (410.25+120.15=530.40).
    Tolerance: rounding-aware. Each figure stands for the interval its stated decimals allow
    (182.01 → [182.005, 182.015]); a finding is raised only when no rounding of the parts reaches the
    total. Parts that exceed the total are always a contradiction. Parts that fall short are one only
    when they form a known exhaustive breakdown (基本支出+项目支出, 人员经费+公用经费, the economic
    classes, 本年收入+结转结余 …), because a "其中" list may name only some of the items.
    Severity: high when the gap is 5% of the total or more, medium from 0.5%, low below.
    """
    doc = analysis.doc
    this = narrative_sum_mismatch.rule
    for group in analysis.sum_groups:
        finding = _judge(doc, this, group)
        if finding is not None:
            yield finding


def _judge(doc, this, group: SumGroup) -> Finding | None:
    total = group.total
    parts = [Interval.around(p.value, p.tolerance).scale(in_unit_of(p, total)) for p in group.parts]
    parts_sum = interval_sum(parts)
    stated = Interval.around(total.value, total.tolerance)
    if parts_sum.overlaps(stated):
        return None
    over = parts_sum.lo > stated.hi
    if not over and not group.exhaustive:
        return None
    point_sum = sum((p.value * in_unit_of(p, total) for p in group.parts), Decimal(0))
    diff = point_sum - total.value
    relative = abs(diff) / total.value if total.value else Decimal(1)
    severity = "high" if relative >= Decimal("0.05") else "medium" if relative >= Decimal("0.005") else "low"
    money = total.unit in MONEY_SCALE
    confidence = 0.9 if (money or group.exhaustive) else 0.6
    if not money and not group.exhaustive and severity == "high":
        severity = "medium"  # head counts may overlap (党员/女性): never certain enough for high
    unit = total.unit
    terms = "＋".join(f"{label}{written(p)}" for label, p in zip(group.labels, group.parts))
    relation = "超过" if over else "少于"
    message = (f"正文称{group.total_label}{written(total)}，但所列分项{terms}＝{fmt(point_sum)}{unit}，"
               f"{relation}总数{fmt(abs(diff))}{unit}")
    if not over:
        message += "（这些分项构成完整的分类，应与总数相等）"
    message_en = (f"the narrative states a total of {fmt(total.value)}{unit}, but its parts add up to "
                  f"{fmt(point_sum)}{unit}, a difference of {fmt(abs(diff))}{unit}")
    evidence = [Evidence.of(doc, total.start, total.end)] + [Evidence.of(doc, p.start, p.end) for p in group.parts]
    return this.finding(
        severity=severity, confidence=confidence, message=message, message_en=message_en, evidence=evidence,
        values={"stated_total": total.value, "parts": [p.value for p in group.parts], "parts_sum": point_sum,
                "difference": diff, "unit": unit},
    )
