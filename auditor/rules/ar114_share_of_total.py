from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import finest_decimals, fmt, ratio_percent, stated, written
from auditor.extract.sums import in_unit_of
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR114", "share-of-total-mismatch", "medium")
def share_of_total_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """分项后所称“占X%”与分项除以总数不符（“支出合计800万元，其中基本支出500万元，占60%”）。

    What: in a total's breakdown ("本年支出合计6954.57万元，其中：基本支出2657.28万元，占38.2%；项目支出
    4297.28万元，占61.8%"), each share stated after a part is recomputed as part ÷ total; so is a share
    "占总数的…" whose total was stated before as a whole ("全国共接报火灾17.6万起 … 非建筑物火灾6.6万起，占
    总数的38.9%"; the nearest earlier larger figure of the unit named with 共/总/全国 that is not itself
    a share; confidence 0.7). "合计占总数的…" (a share of a sum of figures) is not read.
    Why: a share that its own part and total do not give means one of the three figures is wrong.
    Example: 收入合计500.00万元，其中财政拨款收入420.00万元，占80.00% (420 ÷ 500 = 84%).
    Tolerance: rounding-aware: the part, the total and the share each stand for the interval their
    stated decimals allow (a figure written with fewer decimals than the others of its unit is read at
    the finest precision shown), so 2657.28 ÷ 6954.57 = 38.21% written 38.2% is quiet.
    Severity: high for a gap of 5 percentage points or more, medium from 0.5, low below.
    """
    doc = analysis.doc
    for group in analysis.sum_groups:
        for part, share in zip(group.parts, group.shares):
            if share is not None:
                finding = _check(doc, this, group.total, [group.total, *group.parts], part, share, 0.85)
                if finding is not None:
                    yield finding
    for found in analysis.total_shares:
        finding = _check(doc, this, found.total, [found.total, found.part], found.part, found.share, 0.7)
        if finding is not None:
            yield finding


def _check(doc, this, total, figures, part, share, confidence: float) -> Finding | None:
    if not total.value:
        return None
    finest = finest_decimals([m for m in figures if m.unit == total.unit])
    computed = ratio_percent(stated(part, finest).scale(in_unit_of(part, total)), stated(total, finest))
    if computed is None or computed.overlaps(stated(share)):
        return None
    point = part.value * in_unit_of(part, total) / total.value * 100
    if point > 100 >= share.value:
        return None  # the part exceeds its total: the total is wrong, which AR101 reports
    gap = abs(point - share.value)
    severity = band("AR114", gap)
    message = (f"正文称{written(part)}占{written(share)}，但{written(part)}÷总数{written(total)}＝{fmt(point)}%，"
               f"相差{fmt(gap)}个百分点")
    message_en = f"a share stated as {fmt(share.value)}%, but {fmt(part.value)} / {fmt(total.value)} = {fmt(point)}%"
    evidence = [Evidence.of(doc, m.start, m.end) for m in (share, part, total)]
    return this.finding(severity=severity, confidence=confidence, message=message, message_en=message_en,
                        evidence=evidence, values={"stated_share": share.value,
                                                   "computed_share": point.quantize(Decimal("0.01")),
                                                   "part": part.value, "total": total.value})
