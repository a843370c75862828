from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import finest_decimals, fmt, interval_sum, stated, written
from auditor.extract.sums import MONEY_SCALE, SumGroup, in_unit_of
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR101", "narrative-sum-mismatch", "medium", requires=("sum_groups",))
def narrative_sum_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文中的合计数与其分项之和不符（“X万元，其中：A万元，B万元”）。

    检查内容：正文所称的合计数与其后列出的分项——“其中：基本支出A万元，项目支出B万元”、合计数后括号内的分项，
    或“其中：”后的列举项——相加后与合计数比较。
    为何重要：预算分项加不出总数，说明其中某个数字有误，而复核人不回查账目就无法判断是哪一个。
    示例：全年预算数520.40万元，其中本年收入410.25万元，年初结转结余120.15万元（410.25+120.15=530.40）。
    容差：考虑四舍五入。每个数字代表其所写小数位允许的区间（182.01 → [182.005, 182.015]）；同组同单位中
    小数位少于其他数字的（43 与 43.8 并列），按组内最细的精度理解；人数、件数等纯计数（11人）是精确值。只有
    分项的任何舍入都凑不出合计数时才报告。分项之和超过合计数一律是矛盾；分项之和不足合计数，只在分项构成
    已知的完整分类（基本支出+项目支出、人员经费+公用经费、经济分类、本年收入+结转结余 …）时才算矛盾，因为
    “其中”可能只列出部分项目。
    级别：差额达到合计数的 5% 及以上为“高”，0.5% 起为“中”，以下为“低”。
    """
    doc = analysis.doc
    for group in analysis.sum_groups:
        finding = _judge(doc, this, group)
        if finding is not None:
            yield finding


_COMPLETENESS_NOTE = {
    "partition": "（这些分项构成完整的分类，应与总数相等）",
    "listed": "（“共计”“合计”总括前列各项，应与各项之和相等）",
    "announced": "（前文称共有这几类，所列分项应为全部）",
    "parallel": "（相邻的同类分项合计与其总数相符，此处分项应同样完整）",
    "near-miss": "（分项合计接近总数，疑有遗漏或数字有误）",
}
NEAR_MISS_SHARE = Decimal("0.97")
_SCALE_SLIPS = {Decimal(10_000), Decimal("0.0001")}  # 2089元 stated for 2089万元  # parts reaching this share of the total, yet short of it


def _odd_unit_note(group: SumGroup) -> str:
    """A money part written in another unit than all the others ("…1709.98元" among 万元 parts): what the
    parts would give read in the others' unit, when that comes within 1% of the total."""
    units = [p.unit for p in group.parts]
    for k, part in enumerate(group.parts):
        others = set(units[:k] + units[k + 1:])
        if part.unit not in MONEY_SCALE or len(others) != 1 or part.unit in others or others - set(MONEY_SCALE):
            continue
        unit = others.pop()
        total = group.total.value * in_unit_of(group.total, group.parts[k - 1 if k else 1])
        alt = sum((p.value for p in group.parts), Decimal(0))
        if total and abs(alt - total) / total < Decimal("0.01"):
            return f"（分项“{written(part)}”的单位与其他分项不同，若为{unit}则分项之和为{fmt(alt)}{unit}）"
    return ""


def _completeness(group: SumGroup, parts_sum, stated_total) -> str:
    """Why parts that fall short should still equal the total, or "" when they may be partial."""
    if group.shape == "trailing":
        return "listed"
    if group.exhaustive:
        return "partition"
    if group.announced == len(group.parts) > 1:
        return "announced"
    sibling = group.sibling
    if sibling is not None and len(group.parts) >= 2:
        s_parts = interval_sum([stated(p).scale(in_unit_of(p, sibling.total)) for p in sibling.parts])
        if s_parts.overlaps(stated(sibling.total)):
            return "parallel"
    if len(group.parts) >= 2 and parts_sum.hi >= stated_total.lo * NEAR_MISS_SHARE:
        return "near-miss"
    return ""


def _judge(doc, this, group: SumGroup) -> Finding | None:
    total = group.total
    figures = [total, *group.parts]
    finest = {unit: finest_decimals([m for m in figures if m.unit == unit]) for unit in {m.unit for m in figures}}
    parts = [stated(p, finest[p.unit]).scale(in_unit_of(p, total)) for p in group.parts]
    parts_sum = interval_sum(parts)
    stated_total = stated(total, finest[total.unit])
    if parts_sum.overlaps(stated_total):
        return None
    over = parts_sum.lo > stated_total.hi
    completeness = "" if over else _completeness(group, parts_sum, stated_total)
    if not over and not completeness:
        return None
    point_sum = sum((p.value * in_unit_of(p, total) for p in group.parts), Decimal(0))
    diff = point_sum - total.value
    relative = abs(diff) / total.value if total.value else Decimal(1)
    severity = band("AR101", relative)
    money = total.unit in MONEY_SCALE
    confidence = 0.9 if (money or group.exhaustive) else 0.6
    if not money and not group.exhaustive and severity == "high":
        severity = "medium"  # head counts may overlap (党员/女性): never certain enough for high
    if completeness == "parallel":
        confidence, severity = 0.7, "medium" if severity == "high" else severity
    elif completeness == "announced":
        confidence = min(confidence, 0.75)
    elif completeness == "near-miss":
        confidence, severity = 0.4, "low"
    unit = total.unit
    terms = "＋".join(f"{label}{written(p)}" for label, p in zip(group.labels, group.parts))
    relation = "超过" if over else "少于"
    message = (f"正文称{group.total_label}{written(total)}，但所列分项{terms}＝{fmt(point_sum)}{unit}，"
               f"{relation}总数{fmt(abs(diff))}{unit}")
    message += _COMPLETENESS_NOTE.get(completeness, "")
    if total.value and point_sum / total.value in _SCALE_SLIPS:
        message += "（分项之和与总数数字相同而单位相差一万倍，疑为“元”“万元”误写）"
    message += _odd_unit_note(group)
    message_en = (f"the narrative states a total of {fmt(total.value)}{unit}, but its parts add up to "
                  f"{fmt(point_sum)}{unit}, a difference of {fmt(abs(diff))}{unit}")
    evidence = [Evidence.of(doc, total.start, total.end)] + [Evidence.of(doc, p.start, p.end) for p in group.parts]
    return this.finding(
        severity=severity, confidence=confidence, message=message, message_en=message_en, evidence=evidence,
        values={"stated_total": total.value, "parts": [p.value for p in group.parts], "parts_sum": point_sum,
                "difference": diff, "unit": unit},
    )
