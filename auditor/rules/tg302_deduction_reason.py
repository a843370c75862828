from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.arith import fmt, written
from auditor.extract.tables import IndicatorBlock, IndicatorRow, cell_number
from auditor.extract.targets import gives_no_reason
from auditor.findings import Evidence, Finding
from auditor.rules.registry import Rule, rule


@rule("TG302", "deduction-without-reason", "low", requires=("forms",))
def deduction_without_reason(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """指标得分低于分值（有扣分），但“偏差原因分析及改进措施”栏为空或只写“无”。

    检查内容：在有偏差原因分析栏的指标表中，得分低于分值的每一行都必须在该栏说明原因。单元格为空，或只写 无 /
    无偏差 / — / /，予以报告。因上方合并的原因单元格覆盖（纵向合并）而为空的单元格，若同一表内该栏上方最近的非空
    单元格写有原因，视为已说明。
    为何重要：自评办法要求说明每一项偏差的原因和改进措施；扣了分却不说明，无法复核，也掩盖了问题所在。
    示例：分值10，得分9，偏差原因分析栏空白。
    容差：得分与分值相差在0.005以内的不算扣分。分值写作百分数（“10%”）的行跳过（其分数与得分不可比）。
    不适用于以文本形式展开的表格（“|”分隔或每格一行）：其中的空白单元格可能是导出时丢失的，不是原表的。
    级别：“低”；扣分达到2分及以上为“中”。
    """
    doc = analysis.doc
    for form in analysis.forms:
        if form.table.flattened:
            continue  # a web table flattened into text: an empty cell may be an export loss
        for block in form.indicators:
            if "deviation" not in block.columns:
                continue
            for k, row in enumerate(block.rows):
                finding = _check(doc, this, block, k, row)
                if finding is not None:
                    yield finding


def _reason(doc, block: IndicatorBlock, k: int) -> str:
    cell = block.rows[k].cells.get("deviation")
    if cell is None:
        return ""
    text = doc.cell_text(cell)
    if text or not cell.is_continuation:
        return text
    for above in reversed(block.rows[:k]):  # a vertically merged reason above
        upper = above.cells.get("deviation")
        if upper is not None and doc.cell_text(upper):
            text = doc.cell_text(upper)
            return "" if gives_no_reason(text) else text
    return ""


def _check(doc, this, block: IndicatorBlock, k: int, row: IndicatorRow):
    weight = cell_number(doc, row.cells.get("weight"))
    score = cell_number(doc, row.cells.get("score"))
    if weight is None or score is None or weight.unit == "%" or score.unit == "%":
        return None
    deducted = weight.value - score.value
    if deducted <= 0 or deducted < 0.005:
        return None
    reason = _reason(doc, block, k)
    if not gives_no_reason(reason):
        return None
    label = doc.cell_text(row.cells["indicator"]) if "indicator" in row.cells else row.level2
    said = f"只填写了“{reason}”" if reason else "为空"
    message = (f"指标“{label}”分值{written(weight, '分')}、得分{written(score, '分')}，扣{fmt(deducted)}分，"
               f"但偏差原因分析及改进措施栏{said}")
    message_en = f"indicator '{label}' loses {fmt(deducted)} points but gives no reason for the deviation"
    evidence = [Evidence.of(doc, weight.start, weight.end), Evidence.of(doc, score.start, score.end)]
    dev = row.cells.get("deviation")
    if dev is not None and reason and dev.end > dev.start:
        evidence.append(Evidence.of(doc, dev.start, dev.end))
    return this.finding(severity="medium" if deducted >= 2 else "low", confidence=0.8 if not reason else 0.7,
                        message=message, message_en=message_en, evidence=evidence,
                        values={"indicator": label, "weight": weight.value, "score": score.value,
                                "deducted": deducted, "reason": reason})
