"""Comparisons that a table can settle: "公务接待费支出5.21万元，与预算相比减少0.1万元" beside a table
whose 公务接待费 row gives the budget and the actual figure.

Two things are read:

- :class:`FigureRow`: a row of a two-figure table — a label, the figure of a 预算 / 上年 column (the
  basis) and the figure of a 决算 / 执行 / 实际 / 本年 column (the current one), from any table,
  layout or flattened (``|`` rows, one cell per line).
- :class:`StatedComparison`: a sentence giving an item's figure and its change against the budget or
  the previous year, "X支出A万元，与（…）预算相比，减少B万元" or "…相比无变化/持平/无增减" (a change of
  zero). The item is the label written right before the figure.

The extractor only reads; XC203 matches the two and recomputes the change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.document import Cell, Document, Paragraph, Table
from auditor.extract.numbers import MentionsIn, NumberMention
from auditor.extract.tables import cell_number
from auditor.extract.views import reading_view

# a column of the basis and of the current figure, by the comparison word the text uses
_BASIS_COLUMNS = {"预算": re.compile(r"预算"), "上年": re.compile(r"上年|上期")}
_CURRENT_COLUMN = re.compile(r"决算|执行|实际|支出数|本年|本期")
_MONEY = ("万元", "亿元", "元")
_LABEL_NOISE = re.compile(r"^其中[：:]?|\s+")

# "与2021年度预算相比，" / "比上年" / "较预算数": the comparison, then the change or its absence
_COMPARISON = re.compile(
    r"[，,]?\s*(与|比|较)(?P<between>[^，,。；;]{0,16}?)(?P<basis>预算|上年)(数|决算数?|度|同期)?(相比|比较)?[，,]?\s*")
_CHANGE = re.compile(r"^(?P<verb>增加|增长|上升|减少|下降|降低|节约|节省)了?\s*$")
_NO_CHANGE = re.compile(r"(无变化|没有变化|持平|无增减|基本持平|未变化|不变)")
_UP = ("增加", "增长", "上升")
_LABEL_BEFORE = 40  # characters searched back for the item's label


@dataclass(slots=True)
class FigureRow:
    label: str  # normalised: simplified, no spaces, no 其中
    label_cell: Cell
    basis: dict[str, NumberMention]  # "预算" / "上年" -> the figure of that column
    current: NumberMention


@dataclass(slots=True)
class StatedComparison:
    current: NumberMention
    basis: str  # 预算 | 上年
    direction: int  # +1, -1, or 0 for "无变化"
    change: NumberMention | None  # None when the text says there was no change
    phrase_start: int
    phrase_end: int
    lead: str  # the text before the current figure, normalised (the item's label ends it)


def normalised_label(text: str) -> str:
    return _LABEL_NOISE.sub("", reading_view(text))


def figure_rows(doc: Document, tables: list[Table]) -> list[FigureRow]:
    view = reading_view(doc.text)
    rows: list[FigureRow] = []
    for table in tables:
        if not table.rows:
            continue
        header = [normalised_label(view[c.start:c.end]) for c in table.rows[0].cells]
        current_col = next((k for k, h in enumerate(header) if _CURRENT_COLUMN.search(h)), None)
        basis_cols = {word: k for word, pattern in _BASIS_COLUMNS.items()
                      for k, h in enumerate(header) if pattern.search(h) and not _CURRENT_COLUMN.search(h)}
        if current_col is None or not basis_cols:
            continue
        for row in table.rows[1:]:
            if len(row.cells) != len(header):
                continue
            label = normalised_label(view[row.cells[0].start:row.cells[0].end])
            current = cell_number(doc, row.cells[current_col])
            if not label or cell_number(doc, row.cells[0]) is not None or current is None:
                continue
            basis = {word: m for word, k in basis_cols.items() if (m := cell_number(doc, row.cells[k])) is not None}
            if basis and current.unit in ("", *_MONEY) and all(m.unit in ("", *_MONEY) for m in basis.values()):
                rows.append(FigureRow(label=label, label_cell=row.cells[0], basis=basis, current=current))
    return rows


def stated_comparisons(doc: Document, paragraphs: list[Paragraph], mentions_in: MentionsIn) -> list[StatedComparison]:
    view = reading_view(doc.text)
    out: list[StatedComparison] = []
    for para in paragraphs:
        if "相比" not in view[para.start:para.end] and "比" not in view[para.start:para.end]:
            continue
        mentions = mentions_in(para.start, para.end)
        for i, m in enumerate(mentions):
            if m.unit not in _MONEY:
                continue
            comparison = _COMPARISON.match(view, m.end, para.end)
            if comparison is None:
                continue
            after = comparison.end()
            nxt = mentions[i + 1] if i + 1 < len(mentions) else None
            lead = normalised_label(view[max(para.start, m.start - _LABEL_BEFORE):m.start])
            basis = comparison.group("basis")
            if _NO_CHANGE.match(view, after, para.end):
                end = _NO_CHANGE.match(view, after, para.end).end()
                out.append(StatedComparison(m, basis, 0, None, comparison.start(1), end, lead))
                continue
            if nxt is None or nxt.unit not in _MONEY:
                continue
            verb = _CHANGE.match(view[after:nxt.start])
            if verb is None:
                continue
            direction = 1 if verb.group("verb") in _UP else -1
            out.append(StatedComparison(m, basis, direction, nxt, comparison.start(1), nxt.end, lead))
    return out
