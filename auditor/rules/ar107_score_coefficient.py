from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import HUNDRED, Interval, fmt, written
from auditor.extract.tables import cell_number
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR107", "score-coefficient-mismatch", "medium")
def score_coefficient_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """自评表中指标得分不等于“分值×得分系数”。

    What: where an indicator table states a 得分系数 column, each row's 得分 is compared with
    分值 × 得分系数. A coefficient written as a percent ("80%") or a plain number ("80") is a percent;
    one written as a fraction ("0.8") is read as such. A weight written "10%" in a points column is
    10 points.
    Why: the coefficient is the evaluator's judgement of the indicator; a score that does not follow
    from it was changed by hand or copied from another row.
    Example: 分值10, 得分系数80%, 得分10 (10 × 80% = 8).
    Tolerance: rounding-aware: the coefficient stands for the interval its decimals allow (80% →
    79.5%–80.5%) and the score for its own (a whole-number score for ±0.5), so a score rounded to
    whole points is accepted.
    Severity: high for a gap of 2 points or more, medium from 0.5 point, low below.
    """
    doc = analysis.doc
    for form in analysis.forms:
        for block in form.indicators:
            if "coefficient" not in block.columns:
                continue
            for row in block.rows:
                weight = cell_number(doc, row.cells.get("weight"))
                coefficient = cell_number(doc, row.cells.get("coefficient"))
                score = cell_number(doc, row.cells.get("score"))
                if weight is None or coefficient is None or score is None:
                    continue
                fraction = coefficient.unit != "%" and coefficient.value <= Decimal("1.5")
                factor = Decimal(1) if fraction else Decimal(1) / HUNDRED
                coef_iv = Interval.around(coefficient.value, coefficient.tolerance).scale(factor)
                expected = coef_iv.scale(weight.value)
                stated = Interval.around(score.value, score.tolerance)
                if expected.overlaps(stated):
                    continue
                point = weight.value * coefficient.value * factor
                gap = abs(score.value - point)
                severity = band("AR107", gap)
                indicator = row.cells.get("indicator")
                name = doc.cell_text(indicator) if indicator is not None else row.level2
                message = (f"自评表指标“{name}”得分{written(score, '分')}，但分值{fmt(weight.value)}分×得分系数"
                           f"{written(coefficient)}＝{fmt(point)}分，相差{fmt(gap)}分")
                message_en = (f"indicator {name}: score {fmt(score.value)}, but weight {fmt(weight.value)} × "
                              f"coefficient {fmt(coefficient.value)} = {fmt(point)}")
                yield this.finding(
                    severity=severity, confidence=0.85, message=message, message_en=message_en,
                    evidence=[Evidence.of(doc, score.start, score.end), Evidence.of(doc, weight.start, weight.end),
                              Evidence.of(doc, coefficient.start, coefficient.end)],
                    values={"score": score.value, "weight": weight.value, "coefficient": coefficient.value,
                            "expected_score": point, "difference": score.value - point})
