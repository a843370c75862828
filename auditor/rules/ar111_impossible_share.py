from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.arith import HUNDRED, fmt, written
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR111", "impossible-share", "medium")
def impossible_share(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """占比、覆盖率、发放比例等“部分占整体”的比率超过100%，数值不可能成立。

    What: a percentage named as a share of a whole — 发放比例, 覆盖率, 参保率, 合格率, 满意率, 占比,
    比重, 到位率, "占总数的" … (auditor/data/bounded_rates.txt) — is checked against the ceiling of 100%.
    Rates that may exceed 100% (执行率, 完成率, 增长, "为年度计划任务的105%") are not named there.
    Why: a share above 100% cannot be true; the figure is mistyped (a lost decimal point, a ≥ read
    as 2), and whatever was computed from it is wrong too.
    Example: 全年困难群众救助资金发放比例达到10150%.
    Tolerance: none beyond the figure's own rounding (100.4% written as 100% is accepted).
    Severity: medium; high from 200% (no rounding or definition explains it).
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
