from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.arith import written
from auditor.extract.tables import cell_number
from auditor.findings import Evidence, Finding
from auditor.rules.registry import Rule, rule

_WHAT = {"at_least": "下限（≥/不低于/以上）", "at_most": "上限（≤/不超过/以下）", "range": "区间",
         "approx_more": "约数（多/余/+）", "approx_about": "约数（约/近/左右）"}


@rule("TG303", "actual-as-range", "low", requires=("forms",))
def actual_as_range(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """实际完成值填写为区间、上下限或约数（如“≥90%”“≦100%”“300+人次”），而不是实际达到的数值。

    检查内容：每个指标行只含一个数字的实际完成值单元格，按数字语法读取；其中带有比较符（≥ ≧ > 不低于 以上；≤ ≦
    不超过 以下）、区间（90%–95%）或约数（多/余/+、约/近/左右）的，予以报告。
    为何重要：实际完成值必须是实际达到的数；写“≥90%”等于照抄指标值，无法检查是否达标、得分是否应得。
    示例：年度指标值 ≥90%，实际完成值 ≥90%。
    容差：无；单写一个数、文字（“已完成”）或空单元格不作判断。
    级别：上下限或区间为“中”（实际值不得而知），约数为“低”。
    """
    doc = analysis.doc
    for form in analysis.forms:
        for block in form.indicators:
            for row in block.rows:
                actual = cell_number(doc, row.cells.get("actual"))
                if actual is None or actual.qualifier not in _WHAT:
                    continue
                label = doc.cell_text(row.cells["indicator"]) if "indicator" in row.cells else row.level2
                target = cell_number(doc, row.cells.get("target"))
                message = f"指标“{label}”的实际完成值填为“{written(actual)}”，是{_WHAT[actual.qualifier]}而非实际完成的数值"
                evidence = [Evidence.of(doc, actual.start, actual.end)]
                if target is not None:
                    message += f"（年度指标值为“{written(target)}”）"
                    evidence.append(Evidence.of(doc, target.start, target.end))
                severity = "low" if actual.qualifier.startswith("approx") else "medium"
                yield this.finding(
                    severity=severity, confidence=0.9, message=message, evidence=evidence,
                    message_en=f"indicator '{label}': the actual value is given as '{written(actual)}', not a value",
                    values={"indicator": label, "qualifier": actual.qualifier, "value": actual.value,
                            "upper": actual.upper, "unit": actual.unit,
                            "target": target.value if target is not None else None,
                            "target_qualifier": target.qualifier if target is not None else None})
