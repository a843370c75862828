"""One-row tables of amounts by category, and the narrative figures that name the same categories.

The "三公" table of a budget or final-accounts disclosure is a row of amounts under category headers,
often with a second header row that splits one category:

    会议培训费合计 | 外事会议费     | 培训及差旅费               | 工作会议费
                   |               | 小计 | 培训费 | 差旅费      |
    58             | 0             | 41   | 26     | 15          | 17

:func:`category_cells` gives each figure its column's label (the split category's 小计 takes the
category's own label). :func:`narrative_mentions` finds, in the paragraphs outside tables, a figure
written right after one of those labels ("其中：车辆运行费24万元", "接待费预算安排5万元").
They are paired by :func:`category_pairs`; XC204 compares the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.document import Cell, Document, Paragraph, Table
from auditor.extract.numbers import MentionsIn, NumberMention
from auditor.extract.tables import cell_number
from auditor.extract.views import reading_view

_SUBTOTAL = re.compile(r"^(小计|合计)$")
_LABEL_NOISE = re.compile(r"[\s\u2060“”\"'‘’]|^其中[：:]?")
_MIN_LABEL = 4
# between a label and its figure: "支出", "预算", "决算", "为", "是", "：" and nothing else
_JOIN = re.compile(r"^(支出|经费)?(预算|决算)?(数)?(为|是|[：:])?\s*$")
_MONEY = ("万元", "亿元", "元")


@dataclass(slots=True)
class CategoryCell:
    label: str  # normalised
    cell: Cell
    value: NumberMention
    table: Table


@dataclass(slots=True)
class NarrativeMention:
    label: str
    label_start: int
    value: NumberMention


def normalised(text: str) -> str:
    return _LABEL_NOISE.sub("", reading_view(text) if text else text)


def category_cells(doc: Document, tables: list[Table]) -> list[CategoryCell]:
    out: list[CategoryCell] = []
    for table in tables:
        columns = _columns(doc, table)
        if columns is None:
            continue
        values = table.rows[-1].cells
        for label, cell in zip(columns, values):
            m = cell_number(doc, cell)
            if m is not None and len(label) >= _MIN_LABEL and m.unit in ("", *_MONEY):
                out.append(CategoryCell(label=label, cell=cell, value=m, table=table))
    return out


def _columns(doc: Document, table: Table) -> list[str] | None:
    """Column labels of a table whose last row holds only figures under one or two header rows."""
    if len(table.rows) not in (2, 3):
        return None
    values = table.rows[-1].cells
    if len(values) < 3 or not all(cell_number(doc, c) is not None for c in values):
        return None
    headers = [[normalised(doc.text[c.start:c.end]) for c in row.cells if doc.text[c.start:c.end].strip()]
               for row in table.rows[:-1]]
    if any(not row or any(cell_number(doc, c) is not None for c in table.rows[k].cells)
           for k, row in enumerate(table.rows[:-1])):
        return None
    if len(headers) == 1:
        return headers[0] if len(headers[0]) == len(values) else None
    top, sub = headers
    if len(top) - 1 + len(sub) != len(values) or not _SUBTOTAL.match(sub[0]):
        return None
    # the split category: the top label that shares most characters with the sub-labels
    parent = max(range(len(top)), key=lambda k: sum(len(set(top[k]) & set(s)) for s in sub[1:]))
    return top[:parent] + [top[parent]] + sub[1:] + top[parent + 1:]


def narrative_mentions(doc: Document, paragraphs: list[Paragraph], labels: set[str],
                       mentions_in: MentionsIn) -> list[NarrativeMention]:
    view = reading_view(doc.text)
    out: list[NarrativeMention] = []
    for para in paragraphs:
        body = view[para.start:para.end]
        found = sorted(((label, k) for label in labels for k in _find_all(body, label)), key=lambda x: (x[1], x[0]))
        if not found:
            continue
        mentions = mentions_in(para.start, para.end)
        for label, k in found:
            end = para.start + k + len(label)
            nxt = next((m for m in mentions if m.start >= end), None)
            if nxt is None or nxt.unit not in _MONEY or not _JOIN.match(view[end:nxt.start]):
                continue
            out.append(NarrativeMention(label=label, label_start=para.start + k, value=nxt))
    return out


def _find_all(body: str, label: str) -> list[int]:
    out, k = [], body.find(label)
    while k >= 0:
        out.append(k)
        k = body.find(label, k + 1)
    return out


_YEAR = re.compile(r"(19|20)\d{2}(?=\s*年)")
_EARLIER = re.compile(r"上年|去年|上一年|同期")
_YEAR_BEFORE_TABLE = 200  # characters searched before a table for the year its title names


def category_pairs(doc: Document, cells: list[CategoryCell],
                   mentions: list[NarrativeMention]) -> list[tuple[NarrativeMention, CategoryCell]]:
    """Each narrative mention with the one table cell of its category that speaks of the same period."""
    by_label: dict[str, list[CategoryCell]] = {}
    for c in cells:
        by_label.setdefault(c.label, []).append(c)
    out = []
    for mention in mentions:
        candidates = [c for c in by_label.get(mention.label, []) if _same_period(doc.text, mention, c)]
        if len(candidates) == 1:
            out.append((mention, candidates[0]))
    return out


def _same_period(text: str, mention: NarrativeMention, cell: CategoryCell) -> bool:
    sentence_start = max(text.rfind(p, 0, mention.label_start) for p in "。；;\n") + 1
    before = text[sentence_start:mention.value.start]
    if _EARLIER.search(before):
        return False
    said = {m.group(0) for m in _YEAR.finditer(before)}
    title = text[max(0, cell.table.start - _YEAR_BEFORE_TABLE):cell.table.start]
    table_years = {m.group(0) for m in _YEAR.finditer(title)}
    return not said or not table_years or bool(said & table_years)
