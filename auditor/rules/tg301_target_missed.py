from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import Interval, fmt, written
from auditor.extract.indicators import family_of
from auditor.extract.tables import IndicatorRow, cell_number
from auditor.extract.targets import is_cap_indicator
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("TG301", "target-missed-full-marks", "medium", requires=("forms",))
def target_missed_full_marks(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """实际完成值未达到年度指标值（或超出上限），该指标却得了满分。

    检查内容：每个年度指标值、实际完成值为数字且有分值和得分的指标行，把实际值与指标值比较：下限（≥、不少于、
    ＞，或单写一个数）在实际值低于它时未达到；上限（≤、不超过，或成本指标行、投诉率/差错率等“越低越好”指标中
    单写的数）在实际值高于它时未达到。未达到指标却仍得满分（得分 == 分值）的，予以报告。
    为何重要：未达标却得满分会抬高自评分数；评分标准要求按差距比例扣分。
    示例：年度指标值 ≥95%，实际完成值 92%，分值10，得分10。
    容差：实际值代表其舍入区间（写作 95.0% 的 94.96% 不算低于 95%）；指标值是精确值。单位必须一致（万元与元换算；
    次与件不比较）。实际值填为区间或上下限的，归 TG303。分数栏中写作“10%”的分值按10分理解。
    级别：差距达到指标值的 10% 及以上为“高”，否则为“中”。
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
    if target.qualifier == "at_most" or (target.qualifier == "none" and is_cap_indicator(context)):
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
