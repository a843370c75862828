"""Indicator tables whose cells were run together on export (a document preview, a copy from a PDF).

    指标名称计量单位指标性质年初指标值…得分系数(%)指标权重(分)指标得分(分)是否核心指标
    资金拨付及时率%100%88.50%100%33是科普宣传活动场次次20次16次100%44是…

Under a header that names 得分系数, a weight column, a score column and the closing 是否核心指标 column,
each row is a name, its unit (%, 次, 篇 …), optionally 定量指标/定性指标, then its figures and 是/否.
A row is read only when its figures cut one way: two figures of the row's unit (年初指标值, 实际完成值),
the coefficient with its "%", and a run of digits that splits into equal halves (分值 = 得分, the
full-marks rows the target rules judge; "1010" is 10 | 10). Anything else is left alone.

Every cell is a span of the document's text, so evidence is exact.
"""

from __future__ import annotations

import re

from auditor.document import Cell, Document, Row, Table
from auditor.extract.views import reading_view

_HEADER = re.compile(r"得分系数.{0,12}?(指标)?权重.{0,12}?(指标)?得分.{0,12}?是否核心指标")
_UNITS = r"%|％|次|个|篇|份|人次|人|项|场|期|家|户|件|天|元|万元"
# name, unit, optional nature, the figures, 是/否
_ROW = re.compile(r"(?P<name>(?![是否])[\u4e00-\u9fff“”\"]{3,30}?)(?P<unit>" + _UNITS + r")(?P<nature>定量指标|定性指标)?"
                  r"(?P<figures>\d[0-9.%％\u4e00-\u9fff]{1,40}?)(?P<core>是|否)(?=[\u4e00-\u9fff“”\"\s]|$)")
_FIGURE = re.compile(r"(?:[1-9]\d*|0)(?:\.\d+)?")


def _cut(figures: str, unit: str) -> list[tuple[int, int, str]] | None:
    """(start, end, role) of target, actual, coefficient, weight, score within ``figures``, or None."""
    unit_re = re.escape(unit)
    m = re.fullmatch(rf"(?P<t>{_FIGURE.pattern}{unit_re})(?P<a>{_FIGURE.pattern}{unit_re})"
                     rf"(?P<c>{_FIGURE.pattern}[%％])(?P<ws>[1-9]\d*)", figures)
    if m is None:
        return None
    ws = m.group("ws")
    half = len(ws) // 2
    if len(ws) % 2 or ws[:half] != ws[half:]:
        return None  # 分值 ≠ 得分, or a run that does not split one way
    ws_start = m.start("ws")
    return [(m.start("t"), m.end("t"), "target"), (m.start("a"), m.end("a"), "actual"),
            (m.start("c"), m.end("c"), "coefficient"), (ws_start, ws_start + half, "weight"),
            (ws_start + half, m.end("ws"), "score")]


ROLES = ("indicator", "measure_unit", "target", "actual", "coefficient", "weight", "score")  # column order


def glued_indicator_tables(doc: Document, first_index: int) -> list[tuple[Table, list[dict[str, Cell]]]]:
    """Tables of glued indicator rows, each with its rows' cells by role (their columns in ``ROLES`` order)."""
    view = reading_view(doc.text)
    out: list[tuple[Table, list[dict[str, Cell]]]] = []
    for header in _HEADER.finditer(view):
        rows: list[dict[str, Cell]] = []
        for m in _ROW.finditer(view, header.end()):
            cut = _cut(m.group("figures"), m.group("unit"))
            if cut is None:
                continue
            base = m.start("figures")
            r = len(rows) + 1
            cells = {"indicator": Cell(start=m.start("name"), end=m.end("name"), row=r, col=0),
                     "measure_unit": Cell(start=m.start("unit"), end=m.end("unit"), row=r, col=1)}
            for col, (a, b, role) in enumerate(cut, start=2):
                cells[role] = Cell(start=base + a, end=base + b, row=r, col=col)
            rows.append(cells)
        if rows:
            table = Table(index=first_index + len(out), start=header.start(),
                          end=max(c.end for cells in rows for c in cells.values()), flattened="glued-indicators")
            table.rows = [Row(index=0, cells=[Cell(start=header.start(), end=header.end(), row=0, col=0)])]
            table.rows += [Row(index=k + 1, cells=sorted(cells.values(), key=lambda c: c.start))
                           for k, cells in enumerate(rows)]
            out.append((table, rows))
    return out
