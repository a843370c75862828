from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import HUNDRED, Interval, fmt, ratio_percent, tolerance_for, written
from auditor.extract.tables import BudgetLine, cell_number
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule

# Budget tables keep amounts to 0.01万元 and drop trailing zeros: "288" beside "248.05" is 288.00.
_MIN_AMOUNT_DECIMALS = 2


@rule("AR102", "execution-rate-mismatch", "medium", requires=("forms",))
def execution_rate_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """自评表的预算执行率与“全年执行数÷全年预算数”不符。

    检查内容：在预算栏（年初预算数 / 全年预算数 / 全年执行数 / 执行率）中，把填报的执行率与
    全年执行数 ÷ 全年预算数 × 100% 比较。若填报的执行率恰好等于全年执行数 ÷ 年初预算数，发现中会说明：
    执行率用错了预算数。
    为何重要：执行率决定执行率得分，也是复核人最先看的数字。
    示例：全年预算数1519.94、全年执行数1519.94（100%），执行率却填为78%。
    容差：考虑四舍五入。填报的执行率代表其小数位允许的区间（95.45% → [95.445, 95.455]），金额亦然；预算表
    中的金额至少精确到0.01万元（表格常省略末尾的0）。执行率栏中不带“%”的数按百分数理解（“100”）；小数
    （“0.95”）按95%理解。
    级别：相差 10 个百分点及以上为“高”，1 个百分点起为“中”，以下为“低”。
    """
    doc = analysis.doc
    for form in analysis.forms:
        for block in form.budgets:
            for line in block.lines:
                finding = _check_line(doc, this, line)
                if finding is not None:
                    yield finding


def _amount(doc, line: BudgetLine, role: str) -> tuple[Interval, Decimal, object] | None:
    cell = line.cells.get(role)
    m = cell_number(doc, cell)
    if m is None:
        return None
    decimals = max(line.decimals, _MIN_AMOUNT_DECIMALS, m.decimals)
    return Interval.around(m.value, tolerance_for(decimals)), m.value, m


def _check_line(doc, this, line: BudgetLine) -> Finding | None:
    rate_m = cell_number(doc, line.cells.get("rate"))
    executed = _amount(doc, line, "executed")
    full = _amount(doc, line, "budget_full")
    if rate_m is None or executed is None or full is None or full[1] == 0:
        return None
    computed = ratio_percent(executed[0], full[0])
    if computed is None:
        return None
    rate_value, rate_tol = rate_m.value, rate_m.tolerance
    if rate_m.unit != "%" and rate_value <= Decimal("1.5") and computed.lo > 10:
        rate_value, rate_tol = rate_value * HUNDRED, rate_tol * HUNDRED  # written as a fraction
    stated = Interval.around(rate_value, rate_tol)
    if stated.overlaps(computed):
        return None
    point = executed[1] / full[1] * HUNDRED
    gap = abs(point - rate_value)
    severity = band("AR102", gap)
    evidence = [Evidence.of(doc, rate_m.start, rate_m.end), Evidence.of(doc, executed[2].start, executed[2].end),
                Evidence.of(doc, full[2].start, full[2].end)]
    values = {"stated_rate": rate_value, "computed_rate": point.quantize(Decimal("0.01")),
              "executed": executed[1], "budget_full": full[1]}
    rate_text = written(rate_m, "%")
    message = (f"自评表填报执行率{rate_text}，但全年执行数{written(executed[2], '万元')}÷全年预算数{written(full[2], '万元')}"
               f"＝{fmt(point)}%，相差{fmt(gap)}个百分点")
    message_en = (f"stated execution rate {fmt(rate_value)}%, but executed {fmt(executed[1])} / full-year budget "
                  f"{fmt(full[1])} = {fmt(point)}%")
    initial = _amount(doc, line, "budget_initial")
    if initial is not None and initial[1] != 0:
        alt = ratio_percent(executed[0], initial[0])
        if alt is not None and stated.overlaps(alt):
            alt_point = executed[1] / initial[1] * HUNDRED
            message += f"；填报值与全年执行数÷年初预算数{written(initial[2], '万元')}＝{fmt(alt_point)}%相符，疑似误用年初预算数计算"
            message_en += f"; the stated rate matches executed / initial budget {fmt(initial[1])} = {fmt(alt_point)}%"
            values["budget_initial"] = initial[1]
            values["rate_on_initial_budget"] = alt_point.quantize(Decimal("0.01"))
            evidence.append(Evidence.of(doc, initial[2].start, initial[2].end))
    if rate_m.decimals >= 0 and int(point) == int(rate_value) and rate_value == int(rate_value) and point > rate_value:
        message += "（填报值疑似将实际执行率截断取整）"
        values["truncated"] = True
    return this.finding(severity=severity, confidence=0.9, message=message, message_en=message_en,
                        evidence=evidence, values=values)
