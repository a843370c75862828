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


@rule("AR102", "execution-rate-mismatch", "medium")
def execution_rate_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """自评表的预算执行率与“全年执行数÷全年预算数”不符。

    What: in a budget block (年初预算数 / 全年预算数 / 全年执行数 / 执行率), the stated 执行率 is compared
    with 全年执行数 ÷ 全年预算数 × 100%. When the stated rate instead equals 全年执行数 ÷ 年初预算数, the
    finding says so: the rate was computed on the wrong budget.
    Why: the execution rate drives the 执行率得分 and is the first figure a reviewer reads.
    Example: 全年预算数1519.94、全年执行数1519.94 (100%) but 执行率 stated as 78%.
    Tolerance: rounding-aware. The stated rate stands for the interval its decimals allow (95.45% →
    [95.445, 95.455]); the amounts for theirs, where a budget table's amounts count to at least
    0.01万元 (tables drop trailing zeros). A rate written without "%" in the 执行率 column is a percent
    ("100"); a fraction ("0.95") is read as 95%.
    Severity: high for a gap of 10 percentage points or more, medium from 1 point, low below.
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
