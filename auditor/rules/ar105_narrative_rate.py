from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import HUNDRED, Interval, fmt, ratio_percent, written
from auditor.document import Paragraph
from auditor.extract.numbers import NumberMention
from auditor.extract.rates import amount_subject, money_amounts, narrative_rates
from auditor.extract.sums import MONEY_SCALE
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR105", "narrative-rate-mismatch", "medium")
def narrative_rate_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文中的执行率、支付率、完成率与同句（同段）所列金额算出的比率不符。

    What: a rate of money stated in a sentence — "预算执行率为95%", "支付率80.00%", "完成预算数97.68%",
    "预算完成率85.85%" — is recomputed from the amounts the text ties it to: an executed amount
    (决算数, 执行数, 实际支出, 已支付, 拨付 …) divided by a budget amount (预算数, 批复, 下达, 安排 …),
    looked for first in the same sentence, then in the same paragraph. When the paragraph names no
    budget, the budget of the same item is looked up elsewhere in the report: a figure with the same
    label (基本支出, 项目支出 …) in a sentence that speaks only of budgets. A figure's kind comes from its
    own label; a figure without one ("其中：基本支出540.38万元") takes the kind of the figure it breaks
    down, or the only kind its sentence speaks of. Carry-overs, additions and income (结转, 结余, 追加,
    收入) are neither. Satisfaction and other non-money rates are not judged.
    Why: a narrative rate that its own amounts do not give is either a typo or a rate computed on
    other figures than the ones reported, and the reviewer cannot tell which.
    Example: 全年预算数300.00万元，全年执行数270.00万元，预算执行率为95% (270 ÷ 300 = 90%).
    Tolerance: rounding-aware. Every pairing of an executed and a budget amount is tried; a finding
    needs that none of them, under any rounding of the amounts and of the rate, gives the stated
    rate. A stated 100% is accepted when the amounts give more (the rate is capped).
    Severity: high for a gap of 10 percentage points or more, medium from 1 point, low below.
    Confidence is lower when the budget came from another paragraph.
    """
    doc = analysis.doc
    paragraphs = [p for p in doc.paragraphs if doc.table_at(p.start) is None]
    amounts_by_para = {p.index: money_amounts(doc, analysis.numbers_in, p) for p in paragraphs}
    for para in paragraphs:
        for rate in narrative_rates(doc, analysis.numbers_in, para):
            finding = _check(doc, this, para, rate, amounts_by_para)
            if finding is not None:
                yield finding


def _in_unit(m: NumberMention, reference: NumberMention) -> Decimal:
    return MONEY_SCALE[m.unit] / MONEY_SCALE[reference.unit]


def _check(doc, this, para: Paragraph, rate_and_cue, amounts_by_para) -> Finding | None:
    rate, cue = rate_and_cue
    sentences = amounts_by_para[para.index]
    sentence = next((a for (s, e), a in sentences if s <= rate.start < e), [])
    in_para = [a for _, amounts in sentences for a in amounts]
    executed = [a for a in sentence if a.kind == "E" and a.mention.end <= rate.start] or \
        [a for a in sentence if a.kind == "E"]
    budgets = [a for a in sentence if a.kind == "B"]
    where = "sentence"
    if not executed:
        return None
    if not budgets:
        budgets = [a for a in in_para if a.kind == "B"]
        where = "paragraph"
    if not budgets:
        subjects = {amount_subject(a.label) for a in executed} - {""}
        budgets = [a for index, sents in amounts_by_para.items() if index != para.index
                   for _, amounts in sents for a in amounts
                   if a.kind == "B" and amount_subject(a.label) in subjects]
        where = "document"
    if not budgets:
        return None
    stated = Interval.around(rate.value, rate.tolerance)
    best = None
    for e in executed:
        for b in budgets:
            if b.mention.value == 0:
                continue
            scale = _in_unit(e.mention, b.mention)
            e_iv = Interval.around(e.mention.value, e.mention.tolerance).scale(scale)
            computed = ratio_percent(e_iv, Interval.around(b.mention.value, b.mention.tolerance))
            if computed is None:
                continue
            if stated.overlaps(computed) or (rate.value == HUNDRED and computed.hi >= HUNDRED):
                return None
            point = e.mention.value * scale / b.mention.value * HUNDRED
            gap = abs(point - rate.value)
            if best is None or gap < best[0]:
                best = (gap, point, e, b)
    if best is None:
        return None
    gap, point, e, b = best
    severity = band("AR105", gap)
    confidence = {"sentence": 0.85, "paragraph": 0.75, "document": 0.65}[where]
    e_label = e.label or "执行金额"
    b_label = b.label or "预算金额"
    message = (f"正文称{cue}{written(rate)}，但{e_label}{written(e.mention)}÷{b_label}{written(b.mention)}"
               f"＝{fmt(point)}%，相差{fmt(gap)}个百分点")
    if where == "document":
        section = doc.location(b.mention.start)
        message += f"（预算数取自{'“' + section + '”' if section else '报告其他段落'}中同一事项的预算金额）"
    message_en = (f"stated {cue} {fmt(rate.value)}%, but {fmt(e.mention.value)} / {fmt(b.mention.value)} = "
                  f"{fmt(point)}%")
    evidence = [Evidence.of(doc, rate.start, rate.end), Evidence.of(doc, e.mention.start, e.mention.end),
                Evidence.of(doc, b.mention.start, b.mention.end)]
    values = {"stated_rate": rate.value, "computed_rate": point.quantize(Decimal("0.01")),
              "executed": e.mention.value, "budget": b.mention.value, "executed_label": e_label,
              "budget_label": b_label, "budget_found_in": where}
    return this.finding(severity=severity, confidence=confidence, message=message, message_en=message_en,
                        evidence=evidence, values=values)
