from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import finest_decimals, fmt, interval_sum, stated, written
from auditor.extract.sums import BlockBreakdown, in_unit_of
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR115", "block-breakdown-mismatch", "medium", requires=("block_breakdowns",))
def block_breakdown_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """总表某一栏不等于各分项目同一栏之和，而总额等于各分项目总额之和。

    检查内容：先按栏目分解整体（“资金总额926.50：其中中央补助512.00，市级资金301.00，本级资金113.50”），再对
    每个子项目给出同样的分解（“763.00：502.00，208.00，53.00”；“321.25：166.00，136.00，20.25”）。各子项目总额
    相加等于整体总额时（说明子项目就是全部），整体的每一栏都必须等于各子项目该栏之和。
    为何重要：总额对得上而某一栏对不上，说明这一栏在整体或某个子项目中填错了，归于该资金来源的钱总有一处不对。
    示例：整体中市级资金301.00，而两个子项目为 180.00 + 122.00 = 302.00，同时 640.00 + 286.50 = 926.50。
    容差：考虑四舍五入（每个数字代表其舍入区间，按数字所见的最细精度理解）。
    级别：差额达到该栏的 5% 及以上为“高”，0.5% 起为“中”，以下为“低”。
    """
    doc = analysis.doc
    reported: set[int] = set()
    for b in analysis.block_breakdowns:
        for finding in _judge(doc, this, b):
            if finding.evidence[0].start not in reported:
                reported.add(finding.evidence[0].start)
                yield finding


def _sum(figures, reference) -> tuple:
    finest = finest_decimals(figures)
    iv = interval_sum([stated(f, finest).scale(in_unit_of(f, reference)) for f in figures])
    point = sum((f.value * in_unit_of(f, reference) for f in figures), Decimal(0))
    return iv, point


def _judge(doc, this, b: BlockBreakdown) -> Iterator[Finding]:
    whole = b.whole
    totals, _ = _sum([g.total for g in b.blocks], whole.total)
    if not totals.overlaps(stated(whole.total, finest_decimals([whole.total, *[g.total for g in b.blocks]]))):
        return  # the sub-blocks are not all of the whole
    for k, (label, field) in enumerate(zip(whole.labels, whole.parts)):
        parts = [g.parts[k] for g in b.blocks]
        iv, point = _sum(parts, field)
        if iv.overlaps(stated(field, finest_decimals([field, *parts]))):
            continue
        diff = point - field.value
        relative = abs(diff) / field.value if field.value else Decimal(1)
        terms = "＋".join(written(p) for p in parts)
        message = (f"{label}在合计中为{written(field)}，但各分项目的{label}{terms}＝{fmt(point)}，"
                   f"{'超过' if diff > 0 else '少于'}合计{fmt(abs(diff))}（各分项目总额之和与合计总额相符）")
        message_en = f"the whole's {label} is {fmt(field.value)}, but the sub-programmes' add up to {fmt(point)}"
        yield this.finding(severity=band("AR115", relative), confidence=0.75, message=message,
                           message_en=message_en,
                           evidence=[Evidence.of(doc, field.start, field.end)] +
                                    [Evidence.of(doc, p.start, p.end) for p in parts],
                           values={"field": label, "stated": field.value, "parts": [p.value for p in parts],
                                   "parts_sum": point})
