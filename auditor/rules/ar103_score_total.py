from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import Interval, fmt, interval_sum, written
from auditor.extract.tables import TableForm, cell_number, with_budget_forms
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR103", "score-total-mismatch", "medium", requires=("forms",))
def score_total_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """自评表的总分与各项得分之和不符。

    检查内容：自评表中填报的总分 / 绩效指标总分 / 自评总得分，与各指标行得分之和比较，分别按含与不含预算栏
    的执行率得分计算（各地表样对总分是否含执行率得分做法不一，两种理解都接受）。总分行写有两个数时，前者为
    分值合计、后者为得分合计；只有一个数且等于分值合计的，不作判断。
    为何重要：总分决定评价等级（优/良/中/差）；总分不是各项之和，就会高估或低估结果。
    分成两张表的自评表（预算栏一张表，紧接着指标一张表）按一张表处理。
    示例：各指标得分合计88分，执行率得分10分，总分却填为99分。
    容差：考虑四舍五入。带小数的得分代表其小数位允许的区间（9.55 → ±0.005）；整数得分是整分评定，按精确值；
    填报的总分可按其自身小数位舍入（98 → ±0.5，98.60 → ±0.005）。
    级别：相差 5 分及以上为“高”，1 分起为“中”，以下为“低”。
    """
    doc = analysis.doc
    for form, budget_form in with_budget_forms(analysis.forms):
        yield from _check_form(doc, this, form, budget_form)


def _score_sum(doc, form: TableForm) -> tuple[Interval, Decimal, int, Interval, Decimal, list] | None:
    """(score interval, score point sum, rows counted, weight interval, weight point sum, score mentions)."""
    scores, weights = [], []
    if any(block.partial for block in form.indicators):
        return None  # only some rows could be read: their scores are not the form's
    for block in form.indicators:
        for row in block.rows:
            s = cell_number(doc, row.cells.get("score"))
            if s is not None:
                scores.append(s)
            w = cell_number(doc, row.cells.get("weight"))
            if w is not None and w.unit != "%":
                weights.append(w)
    if not scores:
        return None
    return (interval_sum([awarded(s) for s in scores]),
            sum((s.value for s in scores), Decimal(0)), len(scores),
            interval_sum([awarded(w) for w in weights]),
            sum((w.value for w in weights), Decimal(0)), scores)


def awarded(m) -> Interval:
    """Points as awarded: whole points are exact, decimals stand for their rounding interval."""
    return Interval.around(m.value, m.tolerance if m.decimals > 0 else Decimal(0))


def _execution_score(doc, form: TableForm):
    for block in form.budgets:
        line = block.total_line
        if line is not None:
            m = cell_number(doc, line.cells.get("rate_score"))
            if m is not None:
                return m
    return None


def _check_form(doc, this, form: TableForm, budget_form: TableForm) -> Iterator[Finding]:
    summed = _score_sum(doc, form)
    if summed is None:
        return
    score_iv, score_pt, count, weight_iv, weight_pt, score_mentions = summed
    exec_m = _execution_score(doc, budget_form)
    exec_iv = awarded(exec_m) if exec_m is not None else None
    stated_totals = []
    for block in form.indicators:
        for total in block.totals:
            if total.figures:
                stated_totals.append((total.label, total.figures[-1], len(total.figures)))
    for label, value in form.self_totals:
        stated_totals.append((label, value, 1))
    for label_cell, value_cell, n_figures in stated_totals:
        m = cell_number(doc, value_cell)
        stated = Interval.around(m.value, m.tolerance)
        readings = [score_iv] + ([score_iv + exec_iv] if exec_iv is not None else [])
        if any(stated.overlaps(r) for r in readings):
            continue
        if n_figures == 1 and weight_pt and (stated.overlaps(weight_iv) or m.value == 100):
            continue  # a lone figure that is the 分值 total, not the 得分 total
        best = min(readings, key=lambda r: r.gap(stated))
        with_exec = exec_iv is not None and best is not readings[0]
        point = score_pt + (exec_m.value if with_exec else 0)
        gap = abs(point - m.value)
        severity = band("AR103", gap)
        label = doc.cell_text(label_cell)
        computation = f"{count}项指标得分合计{fmt(score_pt)}分"
        if with_exec:
            computation += f"＋执行率得分{fmt(exec_m.value)}分＝{fmt(point)}分"
        message = f"自评表“{label}”填报{written(m, '分')}，但{computation}，相差{fmt(gap)}分"
        message_en = (f"stated {label} {fmt(m.value)}, but the {count} indicator scores add up to {fmt(score_pt)}"
                      + (f" + execution score {fmt(exec_m.value)} = {fmt(point)}" if with_exec else ""))
        evidence = [Evidence.of(doc, m.start, m.end)]
        if with_exec:
            evidence.append(Evidence.of(doc, exec_m.start, exec_m.end))
        evidence.extend(Evidence.of(doc, s.start, s.end) for s in score_mentions)
        yield this.finding(severity=severity, confidence=0.85, message=message, message_en=message_en,
                           evidence=evidence,
                           values={"stated_total": m.value, "indicator_score_sum": score_pt,
                                   "execution_score": exec_m.value if exec_m is not None else None,
                                   "computed_total": point, "indicator_rows": count})
