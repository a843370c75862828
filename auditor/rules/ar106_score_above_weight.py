from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.arith import fmt, written
from auditor.extract.tables import cell_number
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR106", "score-above-weight", "high")
def score_above_weight(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """自评表中某项指标的得分高于该项的分值（权重）。

    What: in every indicator row, the 得分 is compared with the row's 分值 / 权重分值. A budget block's
    执行率得分 is compared with its 分值 too when the block states no 执行率 (with a stated rate the
    score is checked by AR108). A weight written "10%" in a points column is read as 10 points, as
    the column's other rows and its 总分 show.
    Why: a score can never exceed the points the indicator is worth; a score above its weight
    inflates the total score and the grade.
    Example: 指标“开展调研次数” 分值5, 得分6.
    Tolerance: the weight is exact (points are awarded against it); the score may be rounded to its
    stated decimals ("6" stands for 5.5–6.5), so only a score that exceeds the weight under every
    rounding is reported.
    Severity: high when the excess is 2 points or more, medium from 0.5 point, low below.
    """
    doc = analysis.doc
    for form in analysis.forms:
        for block in form.indicators:
            for row in block.rows:
                indicator = row.cells.get("indicator")
                name = doc.cell_text(indicator) if indicator is not None else row.level2
                finding = _check(doc, this, cell_number(doc, row.cells.get("weight")),
                                 cell_number(doc, row.cells.get("score")), f"指标“{name}”")
                if finding is not None:
                    yield finding
        for budget in form.budgets:
            line = budget.total_line
            if line is None or cell_number(doc, line.cells.get("rate")) is not None:
                continue
            finding = _check(doc, this, cell_number(doc, line.cells.get("rate_weight")),
                             cell_number(doc, line.cells.get("rate_score")), "预算执行率")
            if finding is not None:
                yield finding


def _check(doc, this, weight, score, what: str) -> Finding | None:
    if weight is None or score is None:
        return None
    excess = score.value - weight.value
    if score.value - score.tolerance <= weight.value:
        return None
    severity = band("AR106", excess)
    reading = "（分值栏以“%”填写，按分值点数读取）" if weight.unit == "%" else ""
    message = (f"自评表{what}得分{written(score, '分')}，高于其分值{fmt(weight.value)}分{reading}，"
               f"超出{fmt(excess)}分")
    message_en = f"{what}: score {fmt(score.value)} exceeds its weight {fmt(weight.value)} by {fmt(excess)}"
    return this.finding(severity=severity, confidence=0.9, message=message, message_en=message_en,
                        evidence=[Evidence.of(doc, score.start, score.end), Evidence.of(doc, weight.start, weight.end)],
                        values={"score": score.value, "weight": weight.value, "excess": excess})
