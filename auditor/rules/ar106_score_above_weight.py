from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.arith import fmt, written
from auditor.extract.tables import cell_number
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR106", "score-above-weight", "high", requires=("forms",))
def score_above_weight(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """自评表中某项指标的得分高于该项的分值（权重）。

    检查内容：每个指标行的得分与该行的分值 / 权重分值比较。预算栏未填执行率时，其执行率得分也与分值比较（填了
    执行率的，由 AR108 检查得分）。分数栏中写作“10%”的权重按10分理解，该栏其他行及总分可以印证。
    为何重要：得分不可能超过该指标的分值；得分高于分值会抬高总分和评价等级。
    示例：指标“开展调研次数”分值5，得分6。
    容差：分值是精确值（按分值评分）；得分可按其小数位舍入（“6”代表5.5–6.5），因此只报告在任何舍入下都超过
    分值的得分。
    级别：超出 2 分及以上为“高”，0.5 分起为“中”，以下为“低”。
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
