from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import Interval, fmt, written
from auditor.extract.tables import TableForm, cell_number, with_budget_forms
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule

_LEVEL_POINTS = re.compile(r"[（(](\d+(?:\.\d+)?)分[）)]")
_CONVENTION = Decimal(100)
_MIN_ROWS_FOR_CONVENTION = 3
_CUT_SHORT = 30  # characters: a document ending this close after a table stops inside it


@rule("AR109", "weight-total-mismatch", "medium")
def weight_total_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """自评表各指标分值之和与表中填报的分值合计（或百分制）不符。

    What: the 分值 column of a self-evaluation form is added up and compared with (1) the weight total
    the form states — the first figure of a 总分 / 绩效指标总分 row that states two figures (分值 total,
    then 得分 total) — with and without the budget block's 执行率分值, since forms differ on whether the
    total includes it (a form split over two tables takes the 执行率分值 from the budget table just
    before the indicators' table, as AR103 does); (2) the points a first-level heading announces
    ("产出指标(50分)") against the weights of its rows; (3) when the form states no weight total, the 100-point convention:
    indicator weights plus the 执行率分值 make 100. A weight written "10%" in a points column is read
    as 10 points: the seeds' forms write "10%" in a 权重分值 column whose 绩效指标总分 row says 90 for
    nine such rows.
    Why: weights that do not add up to the total mean an indicator was dropped, added or re-weighted
    after the total was set, and the score total is then measured against the wrong scale.
    Example: weights 10 + 10 + 5 + 5 + 5 + 5 = 40 under "产出指标(50分)".
    Tolerance: weights are exact points; a stated total may be rounded to its decimals. The
    100-point convention is only applied to forms with at least three weighted rows, at a lower
    confidence, and not to a flattened web table the document ends in (it may be cut short). A 分值 of 100 on the
    funds row is the form's whole scale, not an execution-rate weight.
    Severity: high for a gap of 5 points or more, medium from 1 point, low below; a heading's points
    that disagree with its rows are at most medium (medium from 5 points, else low), since the scale
    the total is measured on is the rows', not the heading's.
    """
    doc = analysis.doc
    for form, budget_form in with_budget_forms(analysis.forms):
        yield from _check_form(doc, this, form, budget_form)


def _severity(gap: Decimal) -> str:
    return band("AR109", gap)


def _percent_note(weights) -> str:
    return "（分值栏以“%”填写，按分值点数读取）" if any(w.unit == "%" for w in weights) else ""


def _check_form(doc, this, form: TableForm, budget_form: TableForm) -> Iterator[Finding]:
    if any(block.partial for block in form.indicators):
        return  # only some rows could be read: their weights are not the form's
    weights, levels = [], {}
    for block in form.indicators:
        for row in block.rows:
            w = cell_number(doc, row.cells.get("weight"))
            if w is None:
                continue
            weights.append(w)
            levels.setdefault(row.level1, []).append(w)
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
    for level, level_weights in levels.items():
        announced = _LEVEL_POINTS.search(level)
        if not announced:
            continue
        points = Decimal(announced.group(1))
        level_sum = sum((w.value for w in level_weights), Decimal(0))
        if level_sum == points:
            continue
        gap = abs(level_sum - points)
        name = _LEVEL_POINTS.sub("", level)
        label_cell = _level_cell(doc, form, level)
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
    if form.table.index < len(doc.tables):
        return False  # a layout table is whole: a form is often the whole document
    rest = doc.text[form.table.end:].strip()
    return len(rest) < _CUT_SHORT and "。" not in rest


def _level_cell(doc, form: TableForm, level: str):
    for block in form.indicators:
        col = block.columns.get("level1")
        if col is None:
            continue
        for row in block.rows:
            cell = row.cells.get("level1")
            if cell is not None and doc.cell_text(cell) == level:
                return cell
    return None
