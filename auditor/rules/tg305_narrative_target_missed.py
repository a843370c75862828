from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.arith import fmt, stated, written
from auditor.extract.indicators import family_of
from auditor.extract.targets import is_cap_indicator
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("TG305", "narrative-target-missed-claimed-met", "medium",
      requires=("completion_claims", "narrative_targets"))
def narrative_target_missed_claimed_met(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文写明某项指标实际完成值未达到年度指标值，却又称已完成全部目标。

    检查内容：比较正文中写出的指标值和实际值（“…培训人次目标值不少于240人次，实际完成215人次”）：下限
    （不低于、≥，或单写一个数）在实际值低于它时未达到；上限（不超过、≤，或成本类、“越低越好”指标单写的数）在
    实际值高于它时未达到。报告同时称已达成目标（“已按照计划完成目标”“全面完成年度绩效目标”“各项指标均已完成”；
    不含“基本完成”）时，报告未达到的指标。
    为何重要：报告自己的数字显示有指标未达到，就不可能“全部完成”；完成情况的表述以及据此给出的分数都夸大了结果。
    示例：年初指标值为不低于200人，全年实际完成值176人 … 该项目已全面完成年度绩效目标。
    容差：实际值代表其舍入区间；单位必须一致（万元与元换算）。
    级别：差距达到指标值的 10% 及以上为“高”，否则为“中”。
    """
    doc = analysis.doc
    for pair in analysis.narrative_targets:
        target, actual = pair.target, pair.actual
        t_fam, a_fam = family_of(target.unit), family_of(actual.unit)
        if t_fam is None or a_fam is None or t_fam[0] != a_fam[0] or actual.qualifier != "none":
            continue
        t_value = target.value * t_fam[1]
        a_iv = stated(actual).scale(a_fam[1])
        if target.qualifier == "at_most" or (target.qualifier == "none" and is_cap_indicator(pair.label)):
            missed, relation = a_iv.lo > t_value, "超出上限"
        elif target.qualifier in ("at_least", "none"):
            missed, relation = a_iv.hi < t_value, "未达到"
        else:
            continue
        if not missed or not analysis.completion_claims:
            continue
        claim_start, claim_end = analysis.completion_claims[0]
        a_value = actual.value * a_fam[1]
        gap = abs(actual.value - t_value / a_fam[1])  # in the actual's own unit
        severity = band("TG305", abs(a_value - t_value) / t_value) if t_value else "high"
        claim = doc.text[claim_start:claim_end]
        label = pair.label or "该指标"
        message = (f"正文称“{label}”实际完成值{written(actual)}{relation}年度指标值{written(target)}"
                   f"（相差{fmt(gap)}{'个百分点' if actual.unit == '%' else actual.unit}），却又称“{claim}”")
        message_en = (f"'{label}': actual {fmt(a_value)} misses the target {fmt(t_value)}, yet the report says "
                      f"the targets were met")
        evidence = [Evidence.of(doc, target.start, target.end), Evidence.of(doc, actual.start, actual.end),
                    Evidence.of(doc, claim_start, claim_end)]
        yield this.finding(severity=severity, confidence=0.8 if target.qualifier != "none" else 0.65,
                           message=message, message_en=message_en, evidence=evidence,
                           values={"indicator": label, "target": target.value, "actual": actual.value,
                                   "target_qualifier": target.qualifier, "gap": gap})
