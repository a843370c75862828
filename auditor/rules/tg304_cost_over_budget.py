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


@rule("TG304", "cost-target-over-budget", "medium")
def cost_target_over_budget(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """成本指标的年度指标值（金额）超过了同一张表中该项目的全年预算数。

    What: in each form, the 成本指标 rows (一级 or 二级 指标 naming 成本) whose 年度指标值 is an amount
    are compared with the form's own budget: the 全年预算数 of its 年度资金总额 line (or of the only
    budget line), converted to 万元. A cost target above the budget is reported; a target equal to or
    below it is fine.
    Units: an amount with 元/万元/亿元 is converted. A bare figure is read in the budget block's unit
    (万元 from its header, else 万元), unless that would make it 1000 times the budget or more, in
    which case it is read as 元 and the message says so (a 3980000 target beside a 288万元 budget is
    398万元). Percentages (预算控制率 ≤100%) are not amounts and are not judged.
    Why: a cost target above the money the project has cannot be a real target; it is usually copied
    from another project or year, and it makes the cost indicator meaningless.
    Example: 经济成本指标 年度指标值 74万元，全年预算数 66.91万元.
    Tolerance: rounding of the two figures (the target may be rounded to its own digits).
    Severity: high when the target exceeds the budget by 20% or more, medium otherwise; at most medium
    when the target's unit had to be assumed.
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
