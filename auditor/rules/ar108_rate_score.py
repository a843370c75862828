from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import HUNDRED, Interval, fmt, ratio_percent, tolerance_for, written
from auditor.extract.tables import BudgetLine, cell_number
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule

_MIN_AMOUNT_DECIMALS = 2


@rule("AR108", "rate-score-mismatch", "medium", requires=("forms",))
def rate_score_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """自评表的执行率得分不等于“执行率分值×执行率”。

    检查内容：预算栏填有分值、执行率和得分时，得分与用“所填”执行率算出的分值 × 执行率比较。执行率超过100%的
    得满分为止，不会更多：应得分为分值 × min(执行率, 100%)，这也是审核人对超支预算的做法。若得分恰好等于
    分值 × （全年执行数 ÷ 全年预算数），说明得分是对的、所填执行率是错的：那是 AR102 的发现，本规则不报告。若
    得分两者都不符且所填执行率本身也错，消息中一并说明，不另立一条发现。
    为何重要：执行率得分计入总分；与执行率对不上的得分会抬高或压低评价结果。
    示例：分值10，执行率80.00%，得分9.00（10 × 80% = 8）。
    容差：考虑四舍五入：执行率代表其小数位允许的区间（91.00% → 90.995%–91.005%），得分亦然（整数得分 ±0.5：
    表中常取整分，10 × 94% = 9.4 写作“9”可以接受）。
    级别：相差 2 分及以上为“高”，0.5 分起为“中”，以下为“低”。
    """
    doc = analysis.doc
    for form in analysis.forms:
        for block in form.budgets:
            line = block.total_line
            if line is not None:
                finding = _check(doc, this, line)
                if finding is not None:
                    yield finding


def _capped(iv: Interval) -> Interval:
    return Interval(min(iv.lo, HUNDRED), min(iv.hi, HUNDRED))


def _rate_from_amounts(doc, line: BudgetLine) -> tuple[Interval, Decimal] | None:
    executed = cell_number(doc, line.cells.get("executed"))
    full = cell_number(doc, line.cells.get("budget_full"))
    if executed is None or full is None or full.value == 0:
        return None
    decimals = max(line.decimals, _MIN_AMOUNT_DECIMALS)
    e_iv = Interval.around(executed.value, tolerance_for(max(decimals, executed.decimals)))
    f_iv = Interval.around(full.value, tolerance_for(max(decimals, full.decimals)))
    iv = ratio_percent(e_iv, f_iv)
    return (iv, executed.value / full.value * HUNDRED) if iv is not None else None


def _check(doc, this, line: BudgetLine) -> Finding | None:
    weight = cell_number(doc, line.cells.get("rate_weight"))
    rate = cell_number(doc, line.cells.get("rate"))
    score = cell_number(doc, line.cells.get("rate_score"))
    if weight is None or rate is None or score is None:
        return None
    rate_value, rate_tol = rate.value, rate.tolerance
    if rate.unit != "%" and rate_value <= Decimal("1.5"):
        rate_value, rate_tol = rate_value * HUNDRED, rate_tol * HUNDRED  # written as a fraction
    weight_factor = weight.value / HUNDRED
    stated_rate = Interval.around(rate_value, rate_tol)
    expected = _capped(stated_rate).scale(weight_factor)
    stated_score = Interval.around(score.value, score.tolerance)
    if expected.overlaps(stated_score):
        return None
    from_amounts = _rate_from_amounts(doc, line)
    if from_amounts is not None and _capped(from_amounts[0]).scale(weight_factor).overlaps(stated_score):
        return None  # the score follows the amounts: the stated rate is the wrong figure (AR102)
    point = weight.value * min(rate_value, HUNDRED) / HUNDRED
    gap = abs(score.value - point)
    severity = band("AR108", gap)
    capped = "（执行率超过100%按100%计）" if rate_value > HUNDRED else ""
    message = (f"自评表执行率得分{written(score, '分')}，但分值{fmt(weight.value)}分×执行率{written(rate, '%')}"
               f"＝{fmt(point)}分{capped}，相差{fmt(gap)}分")
    message_en = (f"execution score {fmt(score.value)}, but weight {fmt(weight.value)} × stated rate "
                  f"{fmt(rate_value)}% = {fmt(point)}")
    values = {"score": score.value, "weight": weight.value, "stated_rate": rate_value, "expected_score": point,
              "difference": score.value - point}
    evidence = [Evidence.of(doc, score.start, score.end), Evidence.of(doc, weight.start, weight.end),
                Evidence.of(doc, rate.start, rate.end)]
    if from_amounts is not None and not from_amounts[0].overlaps(stated_rate):
        actual = from_amounts[1]
        for role in ("executed", "budget_full"):
            m = cell_number(doc, line.cells.get(role))
            evidence.append(Evidence.of(doc, m.start, m.end))
        message += (f"；另，填报执行率本身与全年执行数÷全年预算数＝{fmt(actual)}%不符"
                    f"（按实际执行率应得{fmt(weight.value * min(actual, HUNDRED) / HUNDRED)}分）")
        values["rate_from_amounts"] = actual.quantize(Decimal("0.01"))
    return this.finding(severity=severity, confidence=0.85, message=message, message_en=message_en,
                        evidence=evidence, values=values)
