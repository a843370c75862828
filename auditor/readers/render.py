"""Render paragraphs and table grids to auditor's flattened, TAB-led Document text.

Every reader (docx, pdf, xlsx/xls, html) produces the same text form as the seeds, so one
table parser serves all formats:

- a paragraph is one line, never starting with a TAB;
- a table is rendered row by row: each cell is a line ``"\\t" + first line of the cell``,
  further lines of the same cell follow WITHOUT a leading TAB; one blank line ends each row;
  one extra blank line ends the table;
- a horizontally merged cell appears ONCE (the covered grid slots are ``None`` and omitted);
- a vertically merged continuation cell appears as an empty cell line ``"\\t"``
  (``Cell.continued()``); a slot covered both vertically and horizontally is ``None``.

Blank lines inside a cell are dropped (a blank line means "end of row" to the parser) and
every line is stripped of surrounding whitespace, so no cell or paragraph line can start
with a TAB by accident.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "Cell",
    "SpanCell",
    "Table",
    "Block",
    "grid_from_spans",
    "render_table",
    "render_blocks",
    "clean_lines",
]


@dataclass(frozen=True)
class Cell:
    """One visible cell of a table grid.

    ``continuation`` marks the slot below a vertically merged cell: rendered as ``"\\t"``.
    """

    text: str = ""
    continuation: bool = False

    @classmethod
    def continued(cls) -> "Cell":
        """The empty cell that stands where a vertically merged cell continues."""
        return cls("", continuation=True)


@dataclass(frozen=True)
class SpanCell:
    """A cell placed on a grid with its spans (0-based row/col of its top-left slot)."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Table:
    """A table block for :func:`render_blocks`: a grid of rows of ``Cell | None``."""

    rows: list[list[Cell | None]]


Block = str | Table


def clean_lines(text: str) -> list[str]:
    """Split ``text`` into stripped, non-empty lines (no line starts with whitespace)."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if line:
            lines.append(line)
    return lines


def grid_from_spans(cells: Iterable[SpanCell], n_rows: int | None = None,
                    n_cols: int | None = None) -> list[list[Cell | None]]:
    """Build a ``Cell | None`` grid from cells with row/col spans.

    The anchor slot gets the text; slots to its right in the same row are ``None``
    (horizontal merge, omitted); the slot directly below the anchor's first column in each
    further row is ``Cell.continued()``; other covered slots are ``None``. Spans reaching
    beyond ``n_rows``/``n_cols`` are clipped. Slots covered by no cell are empty cells.
    Later cells never overwrite a slot already taken by an earlier one.
    """
    cell_list = list(cells)
    if n_rows is None:
        n_rows = max((c.row + max(c.rowspan, 1) for c in cell_list), default=0)
    if n_cols is None:
        n_cols = max((c.col + max(c.colspan, 1) for c in cell_list), default=0)
    grid: list[list[Cell | None]] = [[Cell("") for _ in range(n_cols)] for _ in range(n_rows)]
    taken = [[False] * n_cols for _ in range(n_rows)]
    for cell in cell_list:
        if not (0 <= cell.row < n_rows and 0 <= cell.col < n_cols) or taken[cell.row][cell.col]:
            continue
        last_row = min(cell.row + max(cell.rowspan, 1), n_rows)
        last_col = min(cell.col + max(cell.colspan, 1), n_cols)
        for r in range(cell.row, last_row):
            for c in range(cell.col, last_col):
                if taken[r][c]:
                    continue
                taken[r][c] = True
                if r == cell.row and c == cell.col:
                    grid[r][c] = Cell(cell.text)
                elif c == cell.col:
                    grid[r][c] = Cell.continued()
                else:
                    grid[r][c] = None
    return grid


def _render_cell(cell: Cell) -> list[str]:
    if cell.continuation:
        return ["\t"]
    lines = clean_lines(cell.text)
    if not lines:
        return ["\t"]
    return ["\t" + lines[0], *lines[1:]]


def render_table(rows: Sequence[Sequence[Cell | str | None]]) -> str:
    """Render one table grid: TAB-led cell lines, a blank line per row, one more at the end.

    ``None`` slots are covered by a horizontal merge and omitted; a plain ``str`` is taken
    as ``Cell(text)``. A row whose slots are all ``None`` (wholly covered) is skipped.
    An empty table renders as the empty string.
    """
    out: list[str] = []
    for row in rows:
        row_lines: list[str] = []
        for slot in row:
            if slot is None:
                continue
            cell = Cell(slot) if isinstance(slot, str) else slot
            row_lines.extend(_render_cell(cell))
        if not row_lines:
            continue
        out.extend(row_lines)
        out.append("")
    if not out:
        return ""
    out.append("")
    return "\n".join(out) + "\n"


def render_blocks(blocks: Iterable[Block]) -> str:
    """Render paragraphs (``str``) and tables (``Table`` or a grid list) in order.

    A paragraph string holding line breaks becomes several paragraph lines; empty
    paragraphs are dropped. Each paragraph line ends with a newline.
    """
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            for line in clean_lines(block):
                parts.append(line + "\n")
        elif isinstance(block, Table):
            parts.append(render_table(block.rows))
        else:
            parts.append(render_table(block))
    return "".join(parts)
