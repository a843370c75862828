from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from auditor.arith import HUNDRED, Interval, fmt, ratio_percent, written
from auditor.document import Paragraph, clean_text
from auditor.extract.numbers import NumberMention
from auditor.findings import Evidence, Finding
from auditor.rules.registry import rule
from auditor.policy import band

# A rate of money: the cue just before the figure ("预算执行率为", "支付率", "完成预算数", "完成年初预算").
_RATE_CUE = re.compile(r"(执行率|支付率|预算完成率|资金完成率|完成率|完成预算数?|完成年初预算数?|完成全年预算数?|"
                       r"执行进度|支出进度|占预算的?比例)(为|是|达到|达|约为?)?[：:]?\s*$")
_EXECUTED = re.compile(r"决算|执行数|实际支出|支出数|实际使用|已支付|支付|拨付|实际完成|使用资金|已使用|实际到位")
_BUDGET = re.compile(r"预算|批复|下达|安排|计划投资|总投资|合同金额")
_NEITHER = re.compile(r"结转|结余|追加|调增|调减|收入|节约|差额|余额")
_RATE_WORDS = re.compile(r"执行率|支付率|完成率|执行进度|支出进度")
_SENTENCE = re.compile(r"[。；;！？!?]")
_LABEL_CUT = re.compile(r"[，,、；;：:（(）)。\s]")
_MONEY = {"万元", "元", "亿元"}
_SCALE = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_MAX_CUE_GAP = 12


@dataclass(slots=True)
class _Amount:
    mention: NumberMention
    label: str  # the words just before the figure ("支出决算数", "其中：基本支出")
    kind: str | None  # "E" executed, "B" budget, None
    where: str  # sentence | paragraph | document


@rule("AR105", "narrative-rate-mismatch", "medium")
def narrative_rate_mismatch(analysis) -> Iterator[Finding]:
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
    this = narrative_rate_mismatch.rule
    paragraphs = [p for p in doc.paragraphs if doc.table_at(p.start) is None]
    amounts_by_para = {p.index: _amounts(doc, analysis, p) for p in paragraphs}
    for para in paragraphs:
        for rate in _rates(doc, analysis, para):
            finding = _check(doc, this, para, rate, amounts_by_para)
            if finding is not None:
                yield finding


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in _SENTENCE.finditer(text, start, end):
        out.append((pos, m.end()))
        pos = m.end()
    if pos < end:
        out.append((pos, end))
    return out


def _rates(doc, analysis, para: Paragraph) -> list[tuple[NumberMention, str]]:
    out = []
    for m in analysis.numbers_in(para.start, para.end):
        if m.unit != "%" or m.qualifier not in ("none",):
            continue
        before = doc.text[max(para.start, m.start - _MAX_CUE_GAP - 8):m.start]
        cue = _RATE_CUE.search(before)
        if cue and not re.search(r"\d", before[cue.start():]):
            out.append((m, clean_text(cue.group(0)).rstrip("：:")))
    return out


def _label(text: str, lo: int, m: NumberMention) -> str:
    chunk = text[lo:m.start]
    parts = _LABEL_CUT.split(chunk)
    return clean_text(next((p for p in reversed(parts) if p.strip()), ""))


def _own_kind(label: str) -> str | None:
    if _NEITHER.search(label):
        return "X"
    if _EXECUTED.search(label):
        return "E"
    if _BUDGET.search(label):
        return "B"
    return None


def _amounts(doc, analysis, para: Paragraph) -> list[tuple[tuple[int, int], list[_Amount]]]:
    """Per sentence of the paragraph: its money amounts with their kinds."""
    text = doc.text
    out = []
    for s, e in _sentences(text, para.start, para.end):
        mentions = [m for m in analysis.numbers_in(s, e) if m.unit in _MONEY]
        sentence_text = _RATE_WORDS.sub("", text[s:e])
        has_e = bool(_EXECUTED.search(sentence_text))
        has_b = bool(_BUDGET.search(sentence_text))
        amounts: list[_Amount] = []
        prev_end = s
        for m in mentions:
            label = _label(text, prev_end, m)
            kind = _own_kind(label)
            if kind is None:
                anchor = next((a for a in reversed(amounts) if a.kind in ("E", "B")), None)
                between = text[anchor.mention.end:m.start] if anchor is not None else ""
                if anchor is not None and ("其中" in between or "（" in between or "(" in between):
                    kind = anchor.kind
                elif has_e != has_b:
                    kind = "E" if has_e else "B"
            amounts.append(_Amount(mention=m, label=label, kind=kind if kind != "X" else None, where="sentence"))
            prev_end = m.end
        out.append(((s, e), amounts))
    return out


def _subject(label: str) -> str:
    subject = re.sub(r"^其中", "", label)
    if len(subject) < 2 or re.search(r"\d", subject) or _EXECUTED.search(subject) or _BUDGET.search(subject):
        return ""
    return subject


def _in_unit(m: NumberMention, reference: NumberMention) -> Decimal:
    return _SCALE[m.unit] / _SCALE[reference.unit]


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
        subjects = {_subject(a.label) for a in executed} - {""}
        budgets = [a for index, sents in amounts_by_para.items() if index != para.index
                   for _, amounts in sents for a in amounts
                   if a.kind == "B" and _subject(a.label) in subjects]
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
