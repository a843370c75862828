"""Comparisons that a table can settle: "公务接待费支出5.21万元，与预算相比减少0.1万元" beside a table
whose 公务接待费 row gives the budget and the actual figure.

Two things are read:

- :class:`FigureRow`: a row of a two-figure table — a label, the figure of a 预算 / 上年 column (the
  basis) and the figure of a 决算 / 执行 / 实际 / 本年 column (the current one), from any table,
  layout or flattened (``|`` rows, one cell per line).
- :class:`StatedComparison`: a sentence giving an item's figure and its change against the budget or
  the previous year, "X支出A万元，与（…）预算相比，减少B万元" or "…相比无变化/持平/无增减" (a change of
  zero). The item is the label written right before the figure.

The extractor reads both and pairs them (:func:`matched_rows`); XC203 recomputes the change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from decimal import Decimal

from auditor.arith import Interval
from auditor.document import Cell, Document, Paragraph, Table
from auditor.extract.numbers import MentionsIn, NumberMention
from auditor.extract.sums import MONEY_SCALE
from auditor.extract.tables import cell_number
from auditor.extract.views import reading_view

# a column of the basis and of the current figure, by the comparison word the text uses
_BASIS_COLUMNS = {"预算": re.compile(r"预算"), "上年": re.compile(r"上年|上期")}
_CURRENT_COLUMN = re.compile(r"决算|执行|实际|支出数|本年|本期")
_MONEY = ("万元", "亿元", "元")
_LABEL_NOISE = re.compile(r"^其中[：:]?|\s+")

# "与2025年度预算相比，" / "比上年" / "较预算数": the comparison, then the change or its absence
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


_MIN_LABEL = 4  # characters of a row label that must end the text before the figure


def amount_in(m: NumberMention, unit: str) -> Decimal:
    """The mention's value in ``unit`` (a bare table figure is taken to be in it already)."""
    if not m.unit or m.unit == unit:
        return m.value
    return m.value * MONEY_SCALE[m.unit] / MONEY_SCALE[unit]


def amount_interval(m: NumberMention, unit: str) -> Interval:
    """The interval the mention stands for, in ``unit``."""
    factor = MONEY_SCALE[m.unit] / MONEY_SCALE[unit] if m.unit in MONEY_SCALE else Decimal(1)
    return Interval.around(amount_in(m, unit), m.tolerance * factor)


def matched_rows(stated: list[StatedComparison], rows: list[FigureRow]) -> list[tuple[StatedComparison, FigureRow]]:
    """Each stated comparison with the table row it speaks of (its label ends the text before the
    figure, its actual figure equals the stated one, and it has a column of the comparison's basis)."""
    out = []
    for s in stated:
        row = _row_for(s, rows)
        if row is not None and s.basis in row.basis:
            out.append((s, row))
    return out


def _row_for(stated: StatedComparison, rows: list[FigureRow]) -> FigureRow | None:
    unit = stated.current.unit
    fits = [row for row in rows if len(row.label) >= _MIN_LABEL and stated.lead.endswith(_strip_verb(row.label))
            and amount_interval(row.current, unit).overlaps(amount_interval(stated.current, unit))]
    if not fits:
        # "公务接待费支出5.21万元": the label, then a verb of spending
        fits = [row for row in rows if len(row.label) >= _MIN_LABEL
                and _strip_verb(stated.lead).endswith(row.label)
                and amount_interval(row.current, unit).overlaps(amount_interval(stated.current, unit))]
    return max(fits, key=lambda r: len(r.label)) if fits else None


_SPENDING = ("支出决算为", "支出决算", "支出预算为", "支出为", "决算为", "支出", "为")


def _strip_verb(text: str) -> str:
    for word in _SPENDING:
        if text.endswith(word):
            return text[: -len(word)]
    return text
