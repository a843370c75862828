from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import HUNDRED, Interval, fmt, ratio_percent, written
from auditor.document import Paragraph
from auditor.extract.numbers import NumberMention
from auditor.extract.rates import amount_subject, is_amount_spent
from auditor.extract.sums import MONEY_SCALE
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule



@rule("AR105", "narrative-rate-mismatch", "medium", requires=("money_statements", "narrative_rates", "budget_exceeded"))
def narrative_rate_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文中的执行率、支付率、完成率与同句（同段）所列金额算出的比率不符。

    检查内容：正文句子中所称的资金比率——“预算执行率为95%”“支付率80.00%”“完成预算数96.42%”“预算完成率
    91.37%”——用文中与之相关的金额重新计算：执行金额（决算数、执行数、实际支出、已支付、拨付 …）除以预算金额
    （预算数、批复、下达、安排 …），先在同一句中找，再在同一段中找。段中没有预算数时，到报告其他地方查找同一
    项目的预算：只谈预算的句子中标签相同（基本支出、项目支出 …）的数字。数字的类别取自其自身标签；没有标签的
    数字（“其中：基本支出412.06万元”）取其所分解数字的类别，或所在句子唯一涉及的类别。结转、结余、追加、收入
    既不算执行数也不算预算数。满意率等非资金比率不作判断。
    为何重要：正文中的比率与其自己列出的金额算不出来，要么是笔误，要么是用别的数字算的，复核人无从判断。
    示例：全年预算数300.00万元，全年执行数270.00万元，预算执行率为95%（270 ÷ 300 = 90%）。
    容差：考虑四舍五入。执行金额与预算金额的每一种配对都会尝试；只有任何配对在金额和比率的任何舍入下都得不出
    所称比率时才报告。所称100%而金额算出更高的，接受（执行率封顶）；但同一句又说决算数大于（超过）预算数的，
    所称的100%与这句话自相矛盾：能从执行金额和超出金额算出实际比率时按相差的百分点分级，否则为“低”。
    级别：相差 10 个百分点及以上为“高”，1 个百分点起为“中”，以下为“低”。
    预算数取自其他段落时，置信度较低。
    """
    doc = analysis.doc
    amounts_by_para = analysis.money_statements
    for para, rate, cue in analysis.narrative_rates:
        finding = (_full_but_exceeded(doc, this, para, rate, cue, amounts_by_para, analysis.budget_exceeded)
                   or _check(doc, this, para, (rate, cue), amounts_by_para))
        if finding is not None:
            yield finding


def _full_but_exceeded(doc, this, para: Paragraph, rate: NumberMention, cue: str, amounts_by_para,
                       exceeded_by_para) -> Finding | None:
    """"支出总计862.40万元…；完成年初预算100%，决算数大于预算数42.60万元": 100% stated beside an excess."""
    if rate.value != HUNDRED:
        return None
    sentences = amounts_by_para[para.index]
    span = next(((s, e) for (s, e), _ in sentences if s <= rate.start < e), None)
    exceeded = next((x for x in exceeded_by_para.get(para.index, []) if span and span[0] <= x.start < span[1]), None)
    if exceeded is None:
        return None
    spent = [a for _, amounts in sentences for a in amounts
             if a.mention.end <= rate.start and is_amount_spent(a)]
    evidence = [Evidence.of(doc, rate.start, rate.end), Evidence.of(doc, exceeded.start, exceeded.end)]
    if exceeded.excess is not None and spent:
        e, x = spent[-1].mention, exceeded.excess
        budget = e.value - x.value * _in_unit(x, e)
        if budget > 0:
            point = e.value / budget * HUNDRED
            gap = point - HUNDRED
            evidence += [Evidence.of(doc, x.start, x.end), Evidence.of(doc, e.start, e.end)]
            message = (f"正文称{cue}{written(rate)}，但同句又称决算数超出预算{written(x)}：按{written(e)}计，预算数为"
                       f"{fmt(budget)}{e.unit}，实际完成{fmt(point)}%（若100%是有意封顶的执行率，应予说明）")
            return this.finding(severity=band("AR105", gap), confidence=0.75, message=message,
                                message_en=f"{cue} stated as 100%, yet spending exceeded the budget by {fmt(x.value)}: "
                                           f"{fmt(e.value)} / {fmt(budget)} = {fmt(point)}%",
                                evidence=evidence,
                                values={"stated_rate": rate.value, "computed_rate": point.quantize(Decimal("0.01")),
                                        "executed": e.value, "excess": x.value, "budget": budget})
    message = f"正文称{cue}{written(rate)}，但同句又称决算数超过预算，完成比例应高于100%，两种说法矛盾"
    return this.finding(severity="low", confidence=0.6, message=message,
                        message_en=f"{cue} stated as 100%, yet the same sentence says spending exceeded the budget",
                        evidence=evidence, values={"stated_rate": rate.value})


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
