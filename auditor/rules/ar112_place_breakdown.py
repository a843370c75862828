from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import fmt, interval_sum, stated, written
from auditor.extract.breakdowns import PlaceBreakdown
from auditor.extract.sums import in_unit_of
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule

MIN_MATCHING_MEASURES = 2  # other measures over the same places that add up: the places are complete


@rule("AR112", "place-breakdown-mismatch", "medium", requires=("place_breakdowns",))
def place_breakdown_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """分地区（县、区、乡镇）所列数字之和与正文所称的总数不符，而其他指标按同样的地区相加都相符。

    检查内容：正文先给出全域的数字（全市实施项目28个，总投资9650万元，吸纳务工1870人），再逐地列出同样的指标
    （甲县…乙县…丙县…）时，把每项指标的各地数字相加，与其总数比较。各地之和不足总数的，只在至少另有两项指标
    按同样的地区相加恰好相符时才报告（说明所列地区就是全部）；超过总数的，有一项这样的指标即可。
    为何重要：各县的投资、务工人数、项目数都加得出全市数字，唯独一项加不出，那这一个数字有误——错在总数或某个县。
    示例：全市完成投资7420万元；甲县1310万元，乙县2280万元，丙县1830万元（= 5420），而各县总投资和吸纳务工人数
    都加得出全市数字。
    容差：考虑四舍五入（每个数字代表其舍入区间；纯计数是精确值）。
    级别：差额达到总数的 5% 及以上为“高”，否则为“中”；置信度 0.75。
    """
    doc = analysis.doc
    groups: dict[frozenset[str], list[tuple[PlaceBreakdown, bool, bool]]] = defaultdict(list)
    for b in analysis.place_breakdowns:
        parts = interval_sum([stated(p.mention).scale(in_unit_of(p.mention, b.total.mention)) for p in b.parts])
        total = stated(b.total.mention)
        groups[b.places].append((b, parts.overlaps(total), parts.lo > total.hi))
    for places, judged in groups.items():
        matching = sum(1 for _, ok, _ in judged if ok)
        for b, ok, over in judged:
            if ok or matching < (1 if over else MIN_MATCHING_MEASURES):
                continue
            yield _finding(doc, this, b, over, matching)


def _finding(doc, this, b: PlaceBreakdown, over: bool, matching: int) -> Finding:
    total = b.total.mention
    point = sum((p.mention.value * in_unit_of(p.mention, total) for p in b.parts), Decimal(0))
    diff = point - total.value
    relative = abs(diff) / total.value if total.value else Decimal(1)
    terms = "＋".join(f"{next(iter(p.context[1]))}{written(p.mention)}" for p in b.parts)
    relation = "超过" if over else "少于"
    message = (f"正文称{b.total.label or b.measure}共{written(total)}，但分地区所列{terms}＝{fmt(point)}{total.unit}，"
               f"{relation}总数{fmt(abs(diff))}{total.unit}（另有{matching}项指标按同样的地区相加与总数相符）")
    message_en = (f"the places' figures for '{b.measure}' add up to {fmt(point)}, not the stated total "
                  f"{fmt(total.value)}, while {matching} other measures over the same places add up")
    evidence = [Evidence.of(doc, total.start, total.end)] + [Evidence.of(doc, p.start, p.end) for p in b.parts]
    return this.finding(severity=band("AR112", relative), confidence=0.75,
                        message=message, message_en=message_en, evidence=evidence,
                        values={"measure": b.measure, "stated_total": total.value,
                                "parts": [p.mention.value for p in b.parts], "parts_sum": point,
                                "matching_measures": matching})
