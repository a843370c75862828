"""Basic-data tables (部门整体支出绩效评价基础数据表): figures per row label and per year column.

The table comes in sections, each under a header row found by its content: a title cell
("经费控制情况（万元）", "财政供养人员情况（人）") followed by column labels that name a year and a kind
("2022年决算数 | 2023年预算数 | 2023年决算数") or a kind alone ("编制数 | 实际在职人数 | 控制率").
Each data row gives one :class:`BasicDataRecord` per column: (row label, year, kind, figure).

Rows form a hierarchy that the sum check needs:

- numbered rows ("1、公务用车购置和维护经费", "2、出国经费") are the parts of the nearest unnumbered row
  above them (三公经费, 项目支出). Numbered parts are the whole breakdown: exhaustive.
- a "其中：" row and the unnumbered rows that follow it are parts of the row above the "其中"
  (其中：公车购置 / 公车运行维护 under 1、公务用车…; 其中：办公经费 / 水费、电费、差旅费 under 公用经费).
  A 其中 list names only some items unless its labels form a known partition (购置 + 运行维护, or a
  partition of auditor/data/partitions.tsv): then it is exhaustive, else its sum may only stay below.
  The list ends at a numbered row or at a row whose label is a head item of these tables (三公经费,
  项目支出, 公用经费, 政府采购, 基本支出 …).
- template placeholders ("……") and blank or "——" cells hold no figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from auditor.document import Cell, Document, Row, Table
from auditor.extract.numbers import NumberMention
from auditor.extract.sums import is_exhaustive
from auditor.extract.tables import cell_number, clean_label, header_unit

_YEAR_KIND = re.compile(r"(?P<year>(19|20)\d{2})年(度)?(?P<kind>决算数|预算数|执行数|实际数|预算|决算|实际在职人数|实有人数)")
# "上年决算数", "本年预算数": a year named relative to the report's own
_RELATIVE_KIND = re.compile(r"^(?P<rel>上一?年度?|去年|本年度?|当年|今年)(?P<kind>决算数|预算数|执行数|实际数|预算|决算)$")
_RELATIVE_OFFSET = {"上": -1, "去": -1, "本": 0, "当": 0, "今": 0}
_KIND_ONLY = re.compile(r"^(?P<kind>编制数|核定编制数?|实际在职人数|实有人数|在职人数|控制率|预算数|决算数|执行数)$")
_NUMBERED = re.compile(r"^[（(]?\d{1,2}[）)、.．]")
_QIZHONG = re.compile(r"^其中[：:，,]?")
_PLACEHOLDER = re.compile(r"^[…．.。\s]+$")
_HEAD_ITEM = re.compile(r"^(三公经费|项目支出|公用经费|政府采购|部门基本支出|基本支出|人员经费|楼堂馆所|财政供养|经费控制|"
                        r"厉行节约|会议费|培训费)")
_HEAD_ITEM_EXCEPT = re.compile(r"^(会议费|培训费)")  # items of a 公用经费 其中 list, never heads
_EXHAUSTIVE_PAIRS = (("购置", "运行"),)


@dataclass(slots=True)
class BasicDataColumn:
    col: int
    label: str  # as written, whitespace removed ("2023年决算数")
    year: int | None
    kind: str  # 决算数 | 预算数 | 执行数 | 编制数 | 实际在职人数 | 控制率 …
    year_offset: int | None = None  # "上年决算数": -1 from the report's year


@dataclass(slots=True)
class BasicDataRow:
    row: Row
    label: str  # cleaned ("公务用车购置和维护经费")
    label_cell: Cell
    numbered: bool
    qizhong: bool
    values: dict[int, Cell]  # data column index -> cell
    parent: int | None = None  # index into BasicDataSection.rows


@dataclass(slots=True)
class BasicDataRecord:
    label: str
    year: int | None
    kind: str
    cell: Cell
    value: NumberMention | None


@dataclass(slots=True)
class BasicDataSection:
    table: Table
    header: Row
    title: str  # the header's first cell ("经费控制情况（万元）")
    unit: str | None  # from the title ("万元", "人")
    columns: list[BasicDataColumn]
    rows: list[BasicDataRow] = field(default_factory=list)

    def records(self, doc: Document) -> list[BasicDataRecord]:
        """One record per row label and column, blank cells included (value None)."""
        out = []
        for row in self.rows:
            for column in self.columns:
                cell = row.values.get(column.col)
                if cell is not None:
                    out.append(BasicDataRecord(label=row.label, year=_year_of(doc, column), kind=column.kind,
                                               cell=cell, value=cell_number(doc, cell)))
        return out

    def children(self, index: int) -> list[int]:
        return [k for k, r in enumerate(self.rows) if r.parent == index]

    def exhaustive(self, index: int) -> bool:
        """Whether the parts of row ``index`` are its whole breakdown (numbered parts, or a 其中 list
        that forms a known partition)."""
        kids = [self.rows[k] for k in self.children(index)]
        if not kids:
            return False
        if all(k.numbered for k in kids):
            return True
        labels = [k.label for k in kids]
        if is_exhaustive(labels):
            return True
        return any(len(labels) == len(pair) and all(any(p in lab for lab in labels) for p in pair)
                   for pair in _EXHAUSTIVE_PAIRS)


def _year_of(doc: Document, column: BasicDataColumn) -> int | None:
    if column.year is not None or column.year_offset is None or doc.meta.year is None:
        return column.year
    return doc.meta.year + column.year_offset


def _column(label: str, col: int) -> BasicDataColumn | None:
    parsed = _column_label(label)
    if parsed is None:
        return None
    key, year, kind = parsed
    relative = _RELATIVE_KIND.match(_BRACKETED.sub("", key))
    offset = _RELATIVE_OFFSET[relative.group("rel")[0]] if relative else None
    return BasicDataColumn(col=col, label=key, year=year, kind=kind, year_offset=offset)


_BRACKETED = re.compile(r"[（(].*?[）)]")  # an aside in brackets
_TRAILING_ASIDE = re.compile(r"[（(][^）)]*[）)]$")


@lru_cache(maxsize=4096)
def _column_label(label: str) -> tuple[str, int | None, str] | None:
    """(label without whitespace, year, kind) of a column label, or None (memoised: every cell of
    every row is tried as a header)."""
    key = "".join(label.split())  # every whitespace character out (what r"\s" matches)
    m = _YEAR_KIND.search(key)
    if m:
        return key, int(m.group("year")), _kind(m.group("kind"))
    bare = _BRACKETED.sub("", key)
    m = _KIND_ONLY.match(bare) or _RELATIVE_KIND.match(bare)
    if m:
        return key, None, _kind(m.group("kind"))
    return None


def _kind(word: str) -> str:
    return {"预算": "预算数", "决算": "决算数", "核定编制": "编制数", "核定编制数": "编制数"}.get(word, word)


def _header_columns(doc: Document, row: Row) -> list[BasicDataColumn] | None:
    columns = [c for k, text in enumerate(doc.row_texts(row)[1:], start=1) if (c := _column(text, k))]
    if len(columns) < 2 or any(cell_number(doc, c) for c in row.cells):
        return None
    return columns


def read_basic_data(doc: Document) -> list[BasicDataSection]:
    """The basic-data sections of every table in the document."""
    sections: list[BasicDataSection] = []
    for table in doc.tables:
        current: BasicDataSection | None = None
        for row in table.rows:
            columns = _header_columns(doc, row)
            if columns is not None:
                title = doc.cell_text(row.cells[0])
                current = BasicDataSection(table=table, header=row, title=title,
                                           unit=header_unit(doc.text[row.cells[0].start:row.cells[0].end]),
                                           columns=columns)
                sections.append(current)
                continue
            if current is None:
                continue
            if len(row.cells) != len(current.header.cells):
                current = None  # a differently shaped block (楼堂馆所 …) ends the section
                continue
            _add_row(doc, current, row)
    for section in sections:
        _link(section)
    return [s for s in sections if s.rows]


def _add_row(doc: Document, section: BasicDataSection, row: Row) -> None:
    raw = doc.cell_text(row.cells[0])
    if raw and _PLACEHOLDER.match(raw):
        return
    label = clean_label(_TRAILING_ASIDE.sub("", raw)) if raw else ""
    if not label:
        label = clean_label(re.sub(r"[（(][^）)]*[）)]", "", section.title).replace("情况", ""))
    values = {c.col: row.cells[c.col] for c in section.columns if c.col < len(row.cells)}
    section.rows.append(BasicDataRow(row=row, label=label, label_cell=row.cells[0],
                                     numbered=bool(_NUMBERED.match(raw)), qizhong=bool(_QIZHONG.match(raw)),
                                     values=values))


def _link(section: BasicDataSection) -> None:
    """Set each row's parent (see the module docstring)."""
    head: int | None = None  # the last unnumbered head row
    qizhong_parent: int | None = None
    for k, row in enumerate(section.rows):
        if row.numbered:
            row.parent = head
            qizhong_parent = None
        elif row.qizhong:
            above = k - 1 if k > 0 else None
            row.parent = above
            qizhong_parent = above
        elif qizhong_parent is not None and not (_HEAD_ITEM.match(row.label)
                                                 and not _HEAD_ITEM_EXCEPT.match(row.label)):
            row.parent = qizhong_parent
        else:
            head, qizhong_parent = k, None


# The kinds of column that give a year's final figure (not its budget).
FINAL_KINDS = ("决算数", "执行数", "实际数", "实际在职人数", "实有人数")


def final_records(doc: Document, sections: list[BasicDataSection]
                  ) -> dict[tuple[str, str, int, str | None], NumberMention]:
    """The final figures of the basic-data tables (a column of :data:`FINAL_KINDS` that names its year),
    by (row label, kind, year, section unit): the first cell of each."""
    out: dict[tuple[str, str, int, str | None], NumberMention] = {}
    for section in sections:
        for record in section.records(doc):
            if record.year is not None and record.kind in FINAL_KINDS and record.value is not None:
                out.setdefault((record.label, record.kind, record.year, section.unit), record.value)
    return out
