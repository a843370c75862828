from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import Interval, fmt, written
from auditor.extract.indicators import family_of
from auditor.extract.tables import IndicatorRow, cell_number
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule

# A plain target is a floor, except for a cost or a "lower is better" indicator, where it is a cap.
_CAP_WORDS = re.compile(r"成本|控制|不超过|超支|投诉|差错|事故|发生率|失误|违规|降低|压减|调整率|结余率|结转率|变动率")


@rule("TG301", "target-missed-full-marks", "medium")
def target_missed_full_marks(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """实际完成值未达到年度指标值（或超出上限），该指标却得了满分。

    What: in each indicator row with a numeric 年度指标值, a numeric 实际完成值, a 分值 and a 得分, the
    actual is compared with the target: a floor (≥, 不少于, ＞, or a plain figure) is missed when the
    actual is below it; a cap (≤, 不超过, or a plain figure in a 成本指标 row or a "lower is better"
    indicator such as 投诉率/差错率) is missed when the actual is above it. A missed target that still
    scores the full 分值 (得分 == 分值) is reported.
    Why: full marks for a missed target inflate the self-evaluation score; the 评分标准 asks for a
    deduction in proportion to the shortfall.
    Example: 年度指标值 ≥95%，实际完成值 92%，分值10，得分10.
    Tolerance: the actual stands for its rounding interval (94.96% is not below 95% if written as 95.0%);
    the target is exact. Units must agree (万元 and 元 are converted; 次 against 件 is not compared).
    An actual given as a range or bound is TG303's business. A weight written "10%" in the points
    column is read as 10 points.
    Severity: high when the shortfall is 10% of the target or more, medium otherwise.
    """
    doc = analysis.doc
    for form in analysis.forms:
        for block in form.indicators:
            for row in block.rows:
                finding = _check(doc, this, row)
                if finding is not None:
                    yield finding


def _check(doc, this, row: IndicatorRow) -> Finding | None:
    target = cell_number(doc, row.cells.get("target"))
    actual = cell_number(doc, row.cells.get("actual"))
    weight = cell_number(doc, row.cells.get("weight"))
    score = cell_number(doc, row.cells.get("score"))
    if None in (target, actual, weight, score) or actual.qualifier != "none":
        return None
    # a weight written "10%" in a points column is 10 points (as AR109 reads it)
    if score.unit == "%" or weight.value <= 0 or score.value != weight.value:
        return None
    unit_cell = row.cells.get("measure_unit")
    fallback = doc.cell_text(unit_cell) if unit_cell is not None else ""
    t_fam, a_fam = family_of(target.unit or fallback), family_of(actual.unit or fallback)
    if t_fam is None or a_fam is None or t_fam[0] != a_fam[0]:
        return None
    t_value = target.value * t_fam[1]
    a_iv = Interval.around(actual.value, actual.tolerance).scale(a_fam[1])
    label = doc.cell_text(row.cells["indicator"]) if "indicator" in row.cells else row.level2
    context = f"{row.level1}{row.level2}{label}"
    if target.qualifier == "at_most" or (target.qualifier == "none" and _CAP_WORDS.search(context)):
        missed, relation = a_iv.lo > t_value, "超出上限"
    elif target.qualifier in ("at_least", "none"):
        missed, relation = a_iv.hi < t_value, "未达到"
    else:
        return None
    if not missed:
        return None
    a_value = actual.value * a_fam[1]
    gap = abs(a_value - t_value)
    relative = gap / t_value if t_value else Decimal(1)
    severity = band("TG301", relative)
    unit = "万元" if t_fam[0] == "money" else (actual.unit or target.unit or fallback)
    gap_unit = "个百分点" if unit == "%" else unit
    message = (f"指标“{label}”实际完成值{written(actual, fallback)}{relation}年度指标值{written(target, fallback)}"
               f"（相差{fmt(gap)}{gap_unit}），但得分{written(score, '分')}等于分值{written(weight, '分')}，未按差距扣分")
    message_en = (f"indicator '{label}': actual {fmt(a_value)} misses the target {fmt(t_value)}, yet scores the full "
                  f"{fmt(weight.value)} points")
    evidence = [Evidence.of(doc, m.start, m.end) for m in (target, actual, weight, score)]
    return this.finding(severity=severity, confidence=0.8 if target.qualifier != "none" else 0.7, message=message,
                        message_en=message_en, evidence=evidence,
                        values={"indicator": label, "target": target.value, "target_qualifier": target.qualifier,
                                "actual": actual.value, "weight": weight.value, "score": score.value,
                                "gap": gap, "unit": unit})
