from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.arith import HUNDRED, fmt, written
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR111", "impossible-share", "medium", requires=("named_shares",))
def impossible_share(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """占比、覆盖率、发放比例等“部分占整体”的比率超过100%，数值不可能成立。

    检查内容：称为整体之一部分的百分数——发放比例、覆盖率、参保率、合格率、满意率、占比、比重、到位率、
    “占总数的” …（auditor/data/bounded_rates.txt）——以100%为上限检查。可能超过100%的比率（执行率、完成率、
    增长、“为年度计划任务的112%”）不在其列。
    为何重要：占比超过100%不可能成立；数字录错了（丢了小数点、把 ≥ 看成了 2），由它算出的一切也都错了。
    示例：全年困难群众救助资金发放比例达到10150%。
    容差：只考虑数字本身的舍入（100.4% 写作 100% 可以接受）。
    级别：“中”；达到 200% 起为“高”（任何舍入或口径都解释不了）。
    """
    doc = analysis.doc
    for share in analysis.named_shares:
        m = share.mention
        if m.qualifier not in ("none", "at_least") or m.value - m.tolerance <= HUNDRED:
            continue
        message = f"{share.name}{written(m)}超过100%：部分占整体的比率不可能大于100%，数字疑有录入错误"
        message_en = f"{share.name} is stated as {fmt(m.value)}%, but a share of a whole cannot exceed 100%"
        yield this.finding(severity=band("AR111", m.value), confidence=0.9, message=message, message_en=message_en,
                           evidence=[Evidence.of(doc, share.name_start, m.end)],
                           values={"rate": m.value, "name": share.name})
