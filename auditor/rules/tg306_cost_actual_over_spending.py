from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.arith import fmt, stated, written
from auditor.extract.indicators import MONEY_TO_WAN
from auditor.extract.tables import cell_number, cost_rows, form_amount
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("TG306", "cost-actual-over-spending", "medium", requires=("forms",))
def cost_actual_over_spending(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """成本指标的实际完成值（金额）超过了同一张表中该项目的全年执行数。

    检查内容：每张表中，实际完成值为带货币单位（元/万元/亿元）金额的成本指标行（一级或二级指标名称含“成本”），
    与该表自己的支出比较：年度资金总额行（或唯一预算行）的全年执行数。成本，无论整体还是部分，都不可能超过项目
    实际花出的钱。
    为何重要：实际成本高于实际支出，说明成本指标填的是计划数（或去年的数），而不是实际发生的，而且它通常得了本不
    应得的满分。
    示例：成本指标运行维护费实际完成值150万元，全年执行数125.25万元。
    容差：两个数字的舍入；没有单位的数字不作判断。
    级别：实际值超过执行数 5% 及以上为“高”，否则为“中”。
    """
    doc = analysis.doc
    for form in analysis.forms:
        spent = form_amount(doc, form, "executed", MONEY_TO_WAN)
        if spent is None:
            continue
        for row in cost_rows(form):
            actual = cell_number(doc, row.cells.get("actual"))
            if actual is None or actual.qualifier != "none" or actual.unit not in MONEY_TO_WAN:
                continue
            finding = _judge(doc, this, row, actual, spent)
            if finding is not None:
                yield finding


def _judge(doc, this, row, actual, spent) -> Finding | None:
    spent_m, spent_unit = spent
    actual_iv = stated(actual).scale(MONEY_TO_WAN[actual.unit])
    spent_iv = stated(spent_m).scale(MONEY_TO_WAN[spent_unit])
    if actual_iv.lo <= spent_iv.hi:
        return None
    actual_wan = actual.value * MONEY_TO_WAN[actual.unit]
    spent_wan = spent_m.value * MONEY_TO_WAN[spent_unit]
    excess = actual_wan - spent_wan
    label = doc.cell_text(row.cells["indicator"]) if "indicator" in row.cells else row.level2
    message = (f"成本指标“{label}”实际完成值{written(actual)}，超过本表全年执行数{written(spent_m, spent_unit)}，"
               f"高出{fmt(excess)}万元：实际成本不可能多于实际支出")
    message_en = f"cost indicator '{label}': actual {fmt(actual_wan)} exceeds the spending {fmt(spent_wan)} (10k yuan)"
    return this.finding(severity=band("TG306", excess / spent_wan), confidence=0.8, message=message,
                        message_en=message_en,
                        evidence=[Evidence.of(doc, actual.start, actual.end), Evidence.of(doc, spent_m.start, spent_m.end)],
                        values={"indicator": label, "actual": actual.value, "actual_unit": actual.unit,
                                "executed": spent_m.value, "executed_unit": spent_unit, "excess_wan": excess})
