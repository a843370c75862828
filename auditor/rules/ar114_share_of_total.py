from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import finest_decimals, fmt, ratio_percent, stated, written
from auditor.extract.sums import in_unit_of
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR114", "share-of-total-mismatch", "medium", requires=("sum_groups", "total_shares"))
def share_of_total_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """分项后所称“占X%”与分项除以总数不符（“支出合计800万元，其中基本支出500万元，占60%”）。

    检查内容：在合计数的分项中（“本年支出合计5210.40万元，其中：基本支出1843.60万元，占35.4%；项目支出
    3366.80万元，占64.6%”），分项后所称的占比按“分项 ÷ 总数”重新计算；总数在前文作为整体给出的“占总数的…”
    也一样（“全省共接报火灾12.6万起 … 农村地区火灾3.1万起，占总数的24.6%”；总数取前文最近的、以共/总/全国
    限定的、同单位的更大数字，且其本身不是占比；置信度 0.7）。“合计占总数的…”（几个数字之和的占比）不读。
    为何重要：占比与其自身的分项和总数算不出来，说明三个数字中有一个是错的。
    示例：收入合计500.00万元，其中财政拨款收入420.00万元，占80.00%（420 ÷ 500 = 84%）。
    容差：考虑四舍五入：分项、总数和占比各自代表其小数位允许的区间（小数位少于同单位其他数字的，按所见最细精度
    理解），因此 1843.60 ÷ 5210.40 = 35.38% 写作 35.4% 不报告。
    级别：相差 5 个百分点及以上为“高”，0.5 个百分点起为“中”，以下为“低”。
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
