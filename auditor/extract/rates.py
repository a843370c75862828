"""Shares named as parts of a whole ("发放比例达到10150%"; AR111), rates of money in the narrative ("预算执行率为95%", "完成预算数96.42%") and the money amounts of each
sentence with their kinds: executed (决算数, 执行数, 已支付 …), budget (预算数, 批复, 下达 …) or neither
(结转, 结余, 收入 …). AR105 recomputes each rate from the amounts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from auditor.document import Document, Paragraph
from auditor.extract.numbers import MentionsIn, NumberMention
from auditor.extract.sums import MONEY_SCALE
from auditor.extract.views import clean as clean_view
from auditor.extract.views import gapped, holding, reading_view


# A rate of money: the cue just before the figure ("预算执行率为", "支付率", "完成预算数", "完成年初预算").
_RATE_CUE = gapped(r"(执行率|支付率|预算完成率|资金完成率|完成率|完成预算数?|完成年初预算数?|完成全年预算数?|"
                   r"执行进度|支出进度|占预算的?比例)(为|是|达到|达|约为?)?[：:]?\s*$")
_EXECUTED = re.compile(r"决算|执行数|实际支出|支出数|实际使用|已支付|支付|拨付|实际完成|使用资金|已使用|实际到位")
_BUDGET = re.compile(r"预算|批复|下达|安排|计划投资|总投资|合同金额")
_NEITHER = re.compile(r"结转|结余|追加|调增|调减|收入|节约|差额|余额")
# "决算数大于预算数", "实际支出超出年初预算": spending stated to exceed the budget
_EXCEEDS = gapped(r"(?:决算数?|支出数|执行数|实际支出)(?:大于|超过|超出|高于)(?:年初|全年)?预算数?")
_EXCEEDS_WORDS = ("大于", "超过", "超出", "高于")  # one is in every match of _EXCEEDS
_RATE_WORDS = re.compile(r"执行率|支付率|完成率|执行进度|支出进度")
_SENTENCE = re.compile(r"[。；;！？!?]")
_LABEL_CUT = re.compile(r"[，,、；;：:（(）)。\s]")
_MAX_CUE_GAP = 12


@dataclass(slots=True)
class Amount:
    mention: NumberMention
    label: str  # the words just before the figure ("支出决算数", "其中：基本支出")
    kind: str | None  # "E" executed, "B" budget, None
    where: str  # sentence | paragraph | document


_ANY_DIGIT = re.compile(r"\d")


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in _SENTENCE.finditer(text, start, end):
        out.append((pos, m.end()))
        pos = m.end()
    if pos < end:
        out.append((pos, end))
    return out


def narrative_rates(doc: Document, numbers_in: MentionsIn, para: Paragraph) -> list[tuple[NumberMention, str]]:
    text = reading_view(doc.text)
    out = []
    for m in numbers_in(para.start, para.end):
        if m.unit != "%" or m.qualifier not in ("none",):
            continue
        before = text[max(para.start, m.start - _MAX_CUE_GAP - 8):m.start]
        cue = _RATE_CUE.search(before)
        if cue and not _ANY_DIGIT.search(before[cue.start():]):
            out.append((m, clean_view(cue.group(0)).rstrip("：:")))
    return out


@dataclass(slots=True)
class BudgetExceeded:
    """"决算数大于预算数42.60万元": a sentence saying the amount spent exceeded the budget, and by how much."""

    start: int
    end: int
    excess: NumberMention | None


def budget_exceeded(doc: Document, numbers_in: MentionsIn,
                    paragraphs: list[Paragraph]) -> dict[int, list[BudgetExceeded]]:
    """Per paragraph (by Paragraph.index) that has some: the clauses saying spending exceeded the budget.
    Only the paragraphs holding a comparison word are read (a report mostly has none)."""
    text = reading_view(doc.text)
    return {p.index: found for p in holding(text, _EXCEEDS_WORDS, paragraphs)
            if (found := _budget_exceeded(text, numbers_in, p))}


def _budget_exceeded(text: str, numbers_in: MentionsIn, para: Paragraph) -> list[BudgetExceeded]:
    out = []
    for m in _EXCEEDS.finditer(text, para.start, para.end):
        after = [n for n in numbers_in(m.end(), para.end) if n.unit in MONEY_SCALE and n.start <= m.end() + 2]
        out.append(BudgetExceeded(m.start(), m.end(), after[0] if after else None))
    return out


def _label(text: str, lo: int, m: NumberMention) -> str:
    chunk = text[lo:m.start]
    parts = _LABEL_CUT.split(chunk)
    return clean_view(next((p for p in reversed(parts) if p.strip()), ""))


# the names of the budget's funds: "一般公共预算财政拨款支出" is an amount spent, not a budget
_FUND_NAMES = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算|社会保险基金预算")


def _own_kind(label: str) -> str | None:
    label = _FUND_NAMES.sub("", label)
    if _NEITHER.search(label):
        return "X"
    if _EXECUTED.search(label):
        return "E"
    if _BUDGET.search(label):
        return "B"
    return None


def money_amounts(doc: Document, numbers_in: MentionsIn, para: Paragraph) -> list[tuple[tuple[int, int], list[Amount]]]:
    """Per sentence of the paragraph: its money amounts with their kinds (read in simplified characters)."""
    text = reading_view(doc.text)
    out = []
    for s, e in _sentences(text, para.start, para.end):
        mentions = [m for m in numbers_in(s, e) if m.unit in MONEY_SCALE]
        if not mentions:
            out.append(((s, e), []))
            continue
        sentence_text = _RATE_WORDS.sub("", text[s:e])
        has_e = bool(_EXECUTED.search(sentence_text))
        has_b = bool(_BUDGET.search(sentence_text))
        amounts: list[Amount] = []
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
            amounts.append(Amount(mention=m, label=label, kind=kind if kind != "X" else None, where="sentence"))
            prev_end = m.end
        out.append(((s, e), amounts))
    return out


SentenceAmounts = list[tuple[tuple[int, int], list[Amount]]]


class ParagraphAmounts(Mapping[int, SentenceAmounts]):
    """:func:`money_amounts` of each of the paragraphs, by ``Paragraph.index`` (in their order), each read
    when first asked for: AR105 reads the paragraphs where a fund rate is stated, and all of them only
    to look for a budget elsewhere (a report without a rate has none read)."""

    def __init__(self, doc: Document, numbers_in: MentionsIn, paragraphs: list[Paragraph]) -> None:
        self._doc = doc
        self._numbers_in = numbers_in
        self._paragraphs = {p.index: p for p in paragraphs}
        self._read: dict[int, SentenceAmounts] = {}

    def __getitem__(self, index: int) -> SentenceAmounts:
        found = self._read.get(index)
        if found is None:
            found = self._read[index] = money_amounts(self._doc, self._numbers_in, self._paragraphs[index])
        return found

    def __iter__(self) -> Iterator[int]:
        return iter(self._paragraphs)

    def __len__(self) -> int:
        return len(self._paragraphs)


_SPENT_LABEL = re.compile(r"支出(总计|合计|总额)?$|决算数?$")
_CHANGE_LABEL = re.compile(r"增加|减少|增长|下降|降低|节约|超出|超过|大于|高于")


def is_amount_spent(amount: Amount) -> bool:
    """An amount spent as a level ("支出总计X", "决算数X", or of the executed kind), not a change of it
    ("比上年减少X", "决算数大于预算数X")."""
    return (amount.kind == "E" or bool(_SPENT_LABEL.search(amount.label))) and not _CHANGE_LABEL.search(amount.label)


def amount_subject(label: str) -> str:
    subject = label[2:] if label.startswith("其中") else label
    if len(subject) < 2 or _ANY_DIGIT.search(subject) or _EXECUTED.search(subject) or _BUDGET.search(subject):
        return ""
    return subject


# --- shares of a whole, named by the words before them ----------------------------------------------

_BOUNDED = Path(__file__).resolve().parent.parent / "data" / "bounded_rates.txt"
_CUE_REACH = 10  # characters before the figure searched for the rate's name
_LINK = r"(为|是|达|达到|到达|超过|约|仅)?[：:]?\s*"


@lru_cache(maxsize=1)
def _cue() -> re.Pattern[str]:
    words = [w.strip() for w in _BOUNDED.read_text(encoding="utf-8").splitlines() if w.strip() and not w.startswith("#")]
    return re.compile("(" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + ")" + _LINK + "$")


@dataclass(slots=True)
class NamedShare:
    """A percentage named as a share of a whole ("发放比例达到10150%"): the name and where it starts."""

    mention: NumberMention
    name: str
    name_start: int


def named_shares(text: str, numbers: list[NumberMention]) -> list[NamedShare]:
    """Percentages whose name, just before them, is one of auditor/data/bounded_rates.txt."""
    cue = _cue()
    out = []
    for m in numbers:
        if m.unit != "%":
            continue
        before = text[max(0, m.start - _CUE_REACH):m.start]
        found = cue.search(before)
        if found is not None:
            out.append(NamedShare(m, found.group(1), m.start - len(before) + found.start()))
    return out
