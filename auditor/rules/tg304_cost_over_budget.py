from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import fmt, written
from auditor.extract.indicators import MONEY_TO_WAN
from auditor.extract.tables import cell_number, cost_rows, form_amount
from auditor.findings import Evidence, Finding
from auditor.rules.registry import Rule, rule

# A cost target written without a unit is read in the budget's unit (万元) unless that would make it
# this many times the budget: then it must be in 元 ("3980000" beside a 288万元 budget is 398万元).
_YUAN_IF_RATIO = Decimal(1000)


@rule("TG304", "cost-target-over-budget", "medium", requires=("forms",))
def cost_target_over_budget(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """成本指标的年度指标值（金额）超过了同一张表中该项目的全年预算数。

    检查内容：每张表中，年度指标值为金额的成本指标行（一级或二级指标名称含“成本”），与该表自己的预算比较：年度
    资金总额行（或唯一预算行）的全年预算数，换算为万元。成本指标值超过预算数的予以报告；等于或低于预算数的没有问题。
    单位：带元/万元/亿元的金额换算。没有单位的数字按预算栏的单位理解（取其表头中的万元，否则为万元），除非这样理解
    会使它达到预算数的1000倍及以上，此时按元理解并在消息中说明（288万元预算旁的3980000指标值即398万元）。百分数
    （预算控制率 ≤100%）不是金额，不作判断。
    为何重要：超过项目全部资金的成本指标不可能是真实的指标；通常抄自其他项目或年度，使成本指标失去意义。
    示例：经济成本指标年度指标值74万元，全年预算数66.91万元。
    容差：两个数字的舍入（指标值可按其自身位数舍入）。
    级别：指标值超过预算数 20% 及以上为“高”，否则为“中”；指标值的单位系推定时最多为“中”。
    """
    doc = analysis.doc
    for form in analysis.forms:
        budget = form_amount(doc, form, "budget_full", MONEY_TO_WAN)
        if budget is None:
            continue
        budget_m, unit = budget
        for row in cost_rows(form):
            target = cell_number(doc, row.cells.get("target"))
            if target is None or target.qualifier not in ("none", "at_most"):
                continue
            if target.unit and target.unit not in MONEY_TO_WAN:
                continue  # a percentage (预算控制率) or a count is not an amount
            finding = _judge(doc, this, row, target, (budget_m, budget_m.value * MONEY_TO_WAN[unit], unit))
            if finding is not None:
                yield finding


def _judge(doc, this, row, target, budget) -> Finding | None:
    budget_m, budget_wan, budget_unit = budget
    note = ""
    if target.unit:
        target_wan = target.value * MONEY_TO_WAN[target.unit]
        tol = target.tolerance * MONEY_TO_WAN[target.unit]
    else:
        factor = MONEY_TO_WAN[budget_unit]
        if target.value * factor >= budget_wan * _YUAN_IF_RATIO:
            factor = MONEY_TO_WAN["元"]
            note = "（未注明单位，按元计）"
        else:
            note = f"（未注明单位，按{budget_unit}计）"
        target_wan = target.value * factor
        tol = target.tolerance * factor
    if target_wan - tol <= budget_wan:
        return None
    excess = target_wan - budget_wan
    relative = excess / budget_wan
    # a unit we had to assume is not certain enough for high
    severity = "high" if relative >= Decimal("0.2") and target.unit else "medium"
    label = doc.cell_text(row.cells["indicator"]) if "indicator" in row.cells else row.level2
    converted = "" if target.unit == "万元" else f"＝{fmt(target_wan)}万元"
    message = (f"成本指标“{label}”年度指标值{written(target)}{note}{converted}，"
               f"超过本表全年预算数{written(budget_m, budget_unit)}，高出{fmt(excess)}万元（{fmt(relative * 100, 1)}%）")
    message_en = (f"cost target '{label}' of {fmt(target_wan)} (10k yuan) exceeds the form's full-year budget "
                  f"{fmt(budget_wan)}")
    return this.finding(severity=severity, confidence=0.85 if target.unit else 0.65, message=message,
                        message_en=message_en,
                        evidence=[Evidence.of(doc, target.start, target.end),
                                  Evidence.of(doc, budget_m.start, budget_m.end)],
                        values={"indicator": label, "target": target.value, "target_unit": target.unit or None,
                                "target_wan": target_wan, "budget_full": budget_m.value, "budget_unit": budget_unit,
                                "excess_wan": excess, "unit_assumed": note or None})
