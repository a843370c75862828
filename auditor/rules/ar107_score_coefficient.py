from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import HUNDRED, Interval, fmt, written
from auditor.extract.tables import cell_number
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR107", "score-coefficient-mismatch", "medium", requires=("forms",))
def score_coefficient_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """自评表中指标得分不等于“分值×得分系数”。

    检查内容：指标表有得分系数栏时，每行得分与分值 × 得分系数比较。写作百分数（“80%”）或整数（“80”）的系数按
    百分数理解；写作小数（“0.8”）的按小数理解。分数栏中写作“10%”的分值按10分理解。
    为何重要：得分系数是评价人对该指标的判断；得分与系数对不上，说明得分被手工改过或抄自其他行。
    示例：分值10，得分系数80%，得分10（10 × 80% = 8）。
    容差：考虑四舍五入：系数代表其小数位允许的区间（80% → 79.5%–80.5%），得分亦然（整数得分 ±0.5），因此四舍
    五入到整分的得分可以接受。
    级别：相差 2 分及以上为“高”，0.5 分起为“中”，以下为“低”。
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
