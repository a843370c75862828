from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import Interval, fmt, written
from auditor.extract.tables import TableForm, cell_number, with_budget_forms
from auditor.extract.weights import FormWeights
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule

_CONVENTION = Decimal(100)
_MIN_ROWS_FOR_CONVENTION = 3
_CUT_SHORT = 30  # characters: a document ending this close after a table stops inside it


@rule("AR109", "weight-total-mismatch", "medium", requires=("forms", "form_weights"))
def weight_total_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """自评表各指标分值之和与表中填报的分值合计（或百分制）不符。

    检查内容：自评表的分值栏相加后比较：（1）与表中填报的分值合计比较——总分 / 绩效指标总分行写有两个数时取
    前一个（先分值合计、后得分合计）——分别按含与不含预算栏的执行率分值计算，因为各地表样对合计是否含执行率
    分值做法不一（分成两张表的自评表，执行率分值取自指标表之前的预算表，与 AR103 相同）；（2）一级指标标题所称
    分数（“产出指标(50分)”）与其下各行分值比较；（3）表中未填分值合计时，按百分制惯例：各指标分值加执行率分值
    应为100。分数栏中写作“10%”的分值按10分理解：种子报告的表样在权重分值栏写“10%”，九个这样的行在绩效指标
    总分行合计为90。
    为何重要：分值加不出合计，说明有指标在定好合计后被删除、增加或改了权重，得分合计也就用错了标尺。
    示例：“产出指标(50分)”下分值 10 + 10 + 5 + 5 + 5 + 5 = 40。
    容差：分值是精确的分数；填报的合计可按其小数位舍入。百分制惯例只用于至少有三个带分值行的表，置信度较低；
    文档在其中结束的网页导出表（可能被截断）不用百分制惯例。预算栏的“分值 100”是整张表的满分，不是执行率分值；
    只读出部分行的表（单元格粘连）不相加。
    级别：相差 5 分及以上为“高”，1 分起为“中”，以下为“低”；一级指标标题所称分数与其下各行不符的，最多为“中”
    （相差5分起为“中”，否则为“低”），因为合计所用的标尺是各行的，而不是标题的。
    """
    doc = analysis.doc
    pairs = with_budget_forms(analysis.forms)
    for (form, budget_form), weights in zip(pairs, analysis.form_weights, strict=True):
        yield from _check_form(doc, this, form, budget_form, weights)


def _severity(gap: Decimal) -> str:
    return band("AR109", gap)


def _percent_note(weights) -> str:
    return "（分值栏以“%”填写，按分值点数读取）" if any(w.unit == "%" for w in weights) else ""


def _check_form(doc, this, form: TableForm, budget_form: TableForm, form_weights: FormWeights) -> Iterator[Finding]:
    if any(block.partial for block in form.indicators):
        return  # only some rows could be read: their weights are not the form's
    weights = form_weights.weights
    if not weights:
        return
    total = sum((w.value for w in weights), Decimal(0))
    exec_weight = None
    for block in budget_form.budgets:
        line = block.total_line
        m = cell_number(doc, line.cells.get("rate_weight")) if line is not None else None
        if m is not None and m.value < _CONVENTION:  # "分值 100" on the funds row is the form's whole scale
            exec_weight = m
            break
    readings = [total] + ([total + exec_weight.value] if exec_weight is not None else [])
    note = _percent_note(weights)
    stated_totals = [t.figures[0] for block in form.indicators for t in block.totals if len(t.figures) >= 2]
    for cell in stated_totals:
        m = cell_number(doc, cell)
        stated = Interval.around(m.value, m.tolerance if m.decimals > 0 else Decimal(0))
        if any(stated.overlaps(Interval.exact(r)) for r in readings):
            continue
        best = min(readings, key=lambda r: abs(r - m.value))
        with_exec = exec_weight is not None and best != total
        gap = abs(best - m.value)
        computation = f"{len(weights)}项指标分值合计{fmt(total)}分"
        if with_exec:
            computation += f"＋执行率分值{fmt(exec_weight.value)}分＝{fmt(best)}分"
        message = f"自评表填报分值合计{written(m, '分')}，但{computation}{note}，相差{fmt(gap)}分"
        evidence = [Evidence.of(doc, m.start, m.end)] + [Evidence.of(doc, w.start, w.end) for w in weights]
        if with_exec:
            evidence.insert(1, Evidence.of(doc, exec_weight.start, exec_weight.end))
        yield this.finding(severity=_severity(gap), confidence=0.85, message=message,
                           message_en=f"stated weight total {fmt(m.value)}, but the weights add up to {fmt(best)}",
                           evidence=evidence,
                           values={"stated_total": m.value, "weight_sum": total,
                                   "execution_weight": exec_weight.value if exec_weight is not None else None,
                                   "computed_total": best, "indicator_rows": len(weights)})
    for lw in form_weights.levels:
        if lw.points is None:
            continue
        level, level_weights, points, name, label_cell = lw.label, lw.weights, lw.points, lw.name, lw.label_cell
        level_sum = sum((w.value for w in level_weights), Decimal(0))
        if level_sum == points:
            continue
        gap = abs(level_sum - points)
        message = (f"自评表一级指标“{level}”标明{fmt(points)}分，但其下{len(level_weights)}项指标分值合计"
                   f"{fmt(level_sum)}分{_percent_note(level_weights)}，相差{fmt(gap)}分")
        evidence = ([Evidence.of(doc, label_cell.start, label_cell.end)] if label_cell is not None else []) + \
            [Evidence.of(doc, w.start, w.end) for w in level_weights]
        severity = "medium" if gap >= 5 else "low"  # a heading's label, not the scale the total uses
        yield this.finding(severity=severity, confidence=0.8, message=message,
                           message_en=f"first-level indicator {name} announces {fmt(points)} points, "
                                      f"but its weights add up to {fmt(level_sum)}",
                           evidence=evidence,
                           values={"level": name, "announced_points": points, "weight_sum": level_sum,
                                   "indicator_rows": len(level_weights)})
    if stated_totals or len(weights) < _MIN_ROWS_FOR_CONVENTION or _runs_to_the_end(doc, form):
        return
    full = readings[-1]
    if full == _CONVENTION:
        return
    gap = abs(full - _CONVENTION)
    computation = f"{len(weights)}项指标分值合计{fmt(total)}分"
    if exec_weight is not None:
        computation += f"＋执行率分值{fmt(exec_weight.value)}分＝{fmt(full)}分"
    message = f"自评表未填报分值合计，{computation}{note}，不是百分制的100分，相差{fmt(gap)}分"
    evidence = [Evidence.of(doc, w.start, w.end) for w in weights]
    if exec_weight is not None:
        evidence.insert(0, Evidence.of(doc, exec_weight.start, exec_weight.end))
    yield this.finding(severity=_severity(gap), confidence=0.6, message=message,
                       message_en=f"the weights add up to {fmt(full)}, not the 100-point scale",
                       evidence=evidence,
                       values={"convention": _CONVENTION, "weight_sum": total,
                               "execution_weight": exec_weight.value if exec_weight is not None else None,
                               "computed_total": full, "indicator_rows": len(weights)})


def _runs_to_the_end(doc, form: TableForm) -> bool:
    """Whether the form's table, flattened into text, is the last thing in the document (at most a
    fragment of a line follows it): a web export or an excerpt that stops inside the table may have lost rows, so its weights cannot be held to a whole-form total."""
    if not form.table.flattened:
        return False  # a layout table is whole: a form is often the whole document
    rest = doc.text[form.table.end:].strip()
    return len(rest) < _CUT_SHORT and "。" not in rest
