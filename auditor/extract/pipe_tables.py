"""Tables that arrive as narrative paragraphs, turned into the same :class:`~auditor.document.Table`
objects that the layout reader builds, so that :func:`auditor.extract.tables.read_forms` reads them
into the same records. Four shapes:

- "|"-separated rows (published web pages): one table row per paragraph, cells separated by "|" (or
  "｜"), optionally with a leading and trailing bar ("| 年初预算数 | 全年预算数 |"); an empty cell
  between two bars is a merged continuation.
- one cell per line ("年度资金总额 |", "150万 |", a lone "|" for an empty cell): rows are the groups
  between lines of bars only ("|||||||"), or, with no such lines, the one row width that makes a
  header of labels followed by rows of a label and figures.
- space-separated rows (a PDF's text layer): a header line of three or more budget column names
  ("预算数(A) 执行数(B) 执行率(B/A) 得分", a bracket on the next line continuing the last name) and
  rows of a label followed by one figure per column.
- a form flattened into one run, cell boundaries lost: "年初预算数全年预算数全年执行数分值执行率得分"
  followed by "年度资金总额120.00120.00108.001090.00%9.00". Header words are cut by the budget
  vocabulary (read in simplified script, glosses dropped); a row's figure run is cut into as many
  figures as the header has columns, each of the shape its column allows (amounts with two decimals
  or none, a weight of 1–100 points, a rate of at most 100% with its "%" sign, a score). The run is
  split only when exactly one cut fits — or, for an amount | amount | rate row ("2655721.51%"), when
  exactly one cut gives a rate close to the second amount over the first. Not read: indicator tables
  and basic-data tables run together (their cells hold free text; see glued_indicators.py for the
  one indicator layout that can be cut).

Every cell is a span of the document's text, so evidence from these tables is exact. The reader
(:func:`auditor.readers.text.build_document`) adds them to ``Document.tables`` with ``flattened`` set,
after the layout tables: their cells are table cells everywhere (``Document.where``, locations).
"""
from __future__ import annotations

import re
from functools import lru_cache

from auditor.document import Cell, Document, Paragraph, Row, Table
from auditor.extract.glued_indicators import glued_indicator_tables
from auditor.extract.headers import BUDGET_ROLES, header_key
from auditor.extract.views import _JOINER, reading_view

_BARS = "|｜"
_MIN_BARS = 2

# --- "|"-separated rows ---------------------------------------------------------------------------


def _bar_cells(doc: Document, para: Paragraph, row_index: int) -> list[Cell]:
    text = doc.text
    cuts = [para.start - 1] + [k for k in range(para.start, para.end) if text[k] in _BARS] + [para.end]
    spans = [(a + 1, b) for a, b in zip(cuts, cuts[1:])]
    if spans and not text[spans[0][0]:spans[0][1]].strip():
        spans = spans[1:]  # "| a | b |": the bar before the first cell
    if spans and not text[spans[-1][0]:spans[-1][1]].strip():
        spans = spans[:-1]
    cells = []
    for col, (a, b) in enumerate(spans):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        cells.append(Cell(start=a, end=b, row=row_index, col=col, is_continuation=a == b))
    return cells


def _bars(doc: Document, para: Paragraph) -> int:
    body = doc.text[para.start:para.end]
    return sum(body.count(b) for b in _BARS)


def _is_bar_row(doc: Document, para: Paragraph) -> bool:
    """A row has at least one bar ("合计 | 353.59"); a table needs a row with two or more."""
    return _bars(doc, para) >= 1


def _bar_tables(doc: Document, first_index: int) -> list[Table]:
    tables: list[Table] = []
    run: list[Paragraph] = []

    def close() -> None:
        rows = _cell_line_rows(doc, run) if len(run) >= _MIN_CELL_LINES else None
        if rows is None and len(run) >= 2 and max(_bars(doc, p) for p in run) >= _MIN_BARS:
            rows = [_bar_cells(doc, para, 0) for para in run]
        if rows:
            table = Table(index=first_index + len(tables), start=run[0].start, end=run[-1].end)
            for cells in rows:
                r = len(table.rows)
                for c, cell in enumerate(cells):
                    cell.row, cell.col = r, c
                table.rows.append(Row(index=r, cells=cells))
            tables.append(table)
        run.clear()

    for para in doc.paragraphs:
        if _is_bar_row(doc, para):
            run.append(para)
        elif run:
            close()
    close()
    return tables


# --- one cell per line ----------------------------------------------------------------------------
# A web table exported one cell per line: "年度资金总额 |", "150 |", "|" (an empty cell), rows
# separated by lines of bars only ("|||||||") or, without separators, by the row width alone.

_MIN_CELL_LINES = 6
_CELL_LINE_SHARE = 0.7
_MAX_WIDTH = 12
_FIGURE_CELL = re.compile(r"[-+]?\d[\d,，.]*\s*(万元|亿元|元|万|亿|%|％)?|[—－-]+")


def _line_cells(doc: Document, para: Paragraph) -> list[Cell]:
    """The non-empty cells of a line; a lone "|" is one empty cell."""
    cells = [c for c in _bar_cells(doc, para, 0) if c.end > c.start]
    if not cells and _bars(doc, para) == 1:
        bar = doc.text.index("|", para.start) if "|" in doc.text[para.start:para.end] else para.start
        cells = [Cell(start=bar, end=bar, row=0, col=0, is_continuation=True)]
    return cells


def _is_separator(doc: Document, para: Paragraph) -> bool:
    return _bars(doc, para) >= 2 and not doc.text[para.start:para.end].strip(" \t" + _BARS)


def _ends_row(doc: Document, para: Paragraph) -> bool:
    """"50.29 | ||||": one cell, then the empty rest of its row."""
    body = doc.text[para.start:para.end].rstrip()
    return len(body) - len(body.rstrip(" \t" + _BARS)) >= 3 and _bars(doc, para) >= 3


def _is_figure(doc: Document, cell: Cell) -> bool:
    return cell.end == cell.start or bool(_FIGURE_CELL.fullmatch(doc.text[cell.start:cell.end]))


def _cell_line_rows(doc: Document, run: list[Paragraph]) -> list[list[Cell]] | None:
    """Rows of a one-cell-per-line run, or None when the run is not of that shape: most of its lines
    hold exactly one cell, and its rows are marked by separator lines or follow from one width."""
    lines = [p for p in run if not _is_separator(doc, p)]
    single = sum(1 for p in lines if len(_line_cells(doc, p)) == 1)
    if len(lines) < _MIN_CELL_LINES or single < _CELL_LINE_SHARE * len(lines):
        return None
    if any(_is_separator(doc, p) for p in run):
        rows: list[list[Cell]] = []
        current: list[Cell] = []
        for para in run:
            if _is_separator(doc, para):
                if current:
                    rows.append(current)
                current = []
                continue
            current.extend(_line_cells(doc, para))
            if _ends_row(doc, para):
                rows.append(current)
                current = []
        if current:
            rows.append(current)
        return rows if len(rows) >= 2 else None
    if single != len(lines):
        return None
    cells = [_line_cells(doc, p)[0] for p in lines]
    width = _row_width(doc, cells)
    if width is None:
        return None
    return [cells[k:k + width] for k in range(0, len(cells), width)]


def _row_width(doc: Document, cells: list[Cell]) -> int | None:
    """The one width that makes a header row of labels, then rows of a label followed by figures
    (or empty cells), with at least two such rows."""
    figure = [_is_figure(doc, c) for c in cells]
    fits = []
    for width in range(2, _MAX_WIDTH + 1):
        body = [figure[k:k + width] for k in range(width, len(cells), width)]
        complete = [row for row in body if len(row) == width]
        if (len(complete) >= 2 and not any(figure[:width])
                and all(not row[0] and all(row[1:]) for row in complete)
                and any(any(row[1:]) for row in complete)
                and all(not row[0] for row in body)):
            fits.append(width)
    return fits[0] if len(fits) == 1 else None


# --- runs with lost cell boundaries ---------------------------------------------------------------

_HEADER_WORDS: dict[str, str] = {  # header word -> figure shape of its column
    "年初预算数": "amount", "全年预算数": "amount", "调整后预算数": "amount", "全年执行数": "amount",
    "执行率权重分值": "weight", "分值": "weight", "预算执行率": "rate", "执行率": "rate", "得分": "score",
}
_AMOUNTS_AND_RATE = ["amount", "amount", "rate"]
_UNIT_GAP = re.compile(r"^\s*([（(][^）)]{0,4}[）)])?\s*$")  # "（%）" between two header words
_ROW_LABEL = re.compile(r"(年度资金总额|(其中[：:]?)?当年财政拨款|上年结转(资金|金额)?|其[他它]资金"
                        r"|(其中[：:]?)?(中央|省级?|市级?|县级?|地方)(财政)?(补助)?资金)[：:]?")
_SHAPES = {
    "amount": re.compile(r"(0|[1-9]\d{0,8})(\.\d{2})?"),
    "weight": re.compile(r"100|[1-9]\d?"),
    "rate": re.compile(r"(100(\.0{1,2})?|[1-9]?\d(\.\d{1,2})?)[%％]"),
    "score": re.compile(r"(100|[1-9]?\d)(\.\d{1,2})?"),
}


@lru_cache(maxsize=1)
def _header_re() -> re.Pattern[str]:
    words = sorted(_HEADER_WORDS, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


def _header_run(body: str, offset: int) -> list[tuple[int, int, str]] | None:
    """(start, end, word) of header words written back to back, at least three, or None."""
    found = []
    pos = None
    for m in _header_re().finditer(body):
        if pos is not None and not _UNIT_GAP.match(body[pos:m.start()]):
            if len(found) >= 3:
                break
            found = []
        found.append((offset + m.start(), offset + m.end(), m.group()))
        pos = m.end()
    return found if len(found) >= 3 else None


def split_run(run: str, shapes: list[str]) -> list[tuple[int, int]] | None:
    """The one way to cut ``run`` into figures of the given shapes, as (start, end) offsets in ``run``;
    None when no cut or more than one cut fits."""
    solutions: list[list[tuple[int, int]]] = []

    def walk(pos: int, k: int, acc: list[tuple[int, int]]) -> None:
        if len(solutions) > 1:
            return
        if k == len(shapes):
            if pos == len(run):
                solutions.append(list(acc))
            return
        pattern = _SHAPES[shapes[k]]
        for end in range(len(run), pos, -1):
            if pattern.fullmatch(run, pos, end):
                acc.append((pos, end))
                walk(end, k + 1, acc)
                acc.pop()

    walk(0, 0, [])
    return solutions[0] if len(solutions) == 1 else None


def rate_split(run: str) -> list[tuple[int, int]] | None:
    """The best cut of ``run`` into whole a | whole b | rate r with r close to 100·b/a; None if none is
    close (within half a point or 2 % of r) or two cuts are equally close."""
    best: list[tuple[tuple[bool, float], list[tuple[int, int]]]] = []
    n = len(run)
    point = run.find(".")
    for i in range(1, n):
        for j in range(i + 1, n):
            a, b, r = run[:i], run[i:j], run[j:]
            if "." in a or "." in b or (point >= 0 and j > point) or r.startswith("."):
                continue
            if any(len(x) > 1 and x[0] == "0" for x in (a, b)) or (len(r.split(".")[0]) > 1 and r[0] == "0"):
                continue
            va, vb, vr = int(a), int(b), float(r)
            if va == 0 or vr > 200 or (vr == 0) != (vb == 0):
                continue
            gap = abs(100.0 * vb / va - vr)
            if gap <= max(0.5, 0.02 * vr):
                # a cut with nothing executed (b = 0, r = 0) fits any first amount: least telling
                best.append(((vb == 0 and vr == 0, gap), [(0, i), (i, j), (j, n)]))
    if not best:
        return None
    best.sort(key=lambda x: x[0])
    if len(best) > 1 and best[1][0] == best[0][0]:
        return None
    return best[0][1]


def _compact(view: str, start: int, end: int) -> tuple[str, list[int]]:
    """``view[start:end]`` without the joiners that blank a gloss ("预(yù)算" reads "预算"), and the
    offset in the document of each of its characters (plus one past the end)."""
    if view.find(_JOINER, start, end) < 0:  # no gloss blanked (the usual case): the span as it is
        return view[start:end], [*range(start, end), end]
    keep = [k for k in range(start, end) if view[k] != _JOINER]
    return "".join(view[k] for k in keep), keep + [end]


def _run_tables(doc: Document, first_index: int) -> list[Table]:
    tables: list[Table] = []
    view = reading_view(doc.text)  # simplified, glosses blanked, same offsets
    paragraphs = [p for p in doc.paragraphs if doc.table_at(p.start) is None]
    for k, para in enumerate(paragraphs):
        if "算" not in view[para.start:para.end]:
            continue  # every header run names a 预算数 column
        body, where = _compact(view, para.start, para.end)
        header = _header_run(body, 0)
        if header is None:
            continue
        shapes = [_HEADER_WORDS[w] for _, _, w in header]
        # the rows may follow in the same paragraph (after the header) or in the next ones
        candidates = [(body, where, header[-1][1])] + [
            (*_compact(view, p.start, p.end), 0) for p in paragraphs[k + 1:k + 5]]
        data_rows: list[list[Cell]] = []
        for text, offsets, lo in candidates:
            for m in _ROW_LABEL.finditer(text, lo):
                run_start = m.end()
                run_end = run_start
                while run_end < len(text) and (text[run_end].isdigit() or text[run_end] in ".%％"):
                    run_end += 1
                run = text[run_start:run_end]
                cut = split_run(run, shapes)
                if cut is None and shapes == _AMOUNTS_AND_RATE and run[-1:] in "%％":
                    # "2655721.51%": the one cut whose rate is close to 执行数 ÷ 预算数
                    cut = rate_split(run[:-1])
                    cut = cut[:2] + [(cut[2][0], len(run))] if cut is not None else None
                if cut is None:
                    continue
                r = len(data_rows) + 1
                cells = [Cell(start=offsets[m.start()], end=offsets[m.end() - 1] + 1, row=r, col=0)]
                cells += [Cell(start=offsets[run_start + a], end=offsets[run_start + b - 1] + 1, row=r, col=c + 1)
                          for c, (a, b) in enumerate(cut)]
                data_rows.append(cells)
        if not data_rows:
            continue
        title_end = where[header[0][0]]
        header_cells = [Cell(start=para.start, end=title_end, row=0, col=0,
                             is_continuation=not view[para.start:title_end].strip())]
        header_cells += [Cell(start=where[a], end=where[b - 1] + 1, row=0, col=c + 1)
                         for c, (a, b, _) in enumerate(header)]
        table = Table(index=first_index + len(tables), start=para.start,
                      end=max(c.end for row in data_rows for c in row))
        table.rows = [Row(index=0, cells=header_cells)] + [Row(index=i + 1, cells=cells)
                                                          for i, cells in enumerate(data_rows)]
        tables.append(table)
    return tables


# --- space-separated rows -------------------------------------------------------------------------
# A PDF or web form whose cells became words on a line: a header of column names
# ("预算数(A) 执行数(B) 执行率(B/A) 得分", a bracket on the next line continuing the last name) and rows
# of a label followed by one figure per column ("年度财政资金总额 86 85.10 98.95 10").

_TOKEN = re.compile(r"\S+")
_FIGURE_TOKEN = re.compile(r"[-+]?\d[\d,.]*[%％]?")
_MAX_SPACE_ROWS = 8


def _tokens(view: str, para: Paragraph) -> list[tuple[int, int]]:
    body, where = _compact(view, para.start, para.end)
    return [(where[m.start()], where[m.end() - 1] + 1) for m in _TOKEN.finditer(body)]


def _space_header(view: str, tokens: list[tuple[int, int]]) -> bool:
    roles = [next((r for r, pattern in BUDGET_ROLES if pattern.search(header_key(view[a:b]))), None)
             for a, b in tokens]
    money = {"budget_initial", "budget_full", "executed"} & set(roles)
    return len(tokens) >= 3 and None not in roles and len(money) >= 2


def _space_tables(doc: Document, first_index: int) -> list[Table]:
    view = reading_view(doc.text)
    paragraphs = [p for p in doc.paragraphs if doc.table_at(p.start) is None]
    tables: list[Table] = []
    for k, para in enumerate(paragraphs):
        line = view[para.start:para.end]
        if "算" not in line or len(line.split()) < 3:
            continue  # a header names a 预算/决算 column among three or more
        header = _tokens(view, para)
        if not _space_header(view, header):
            continue
        nxt = k + 1
        if nxt < len(paragraphs) and view[paragraphs[nxt].start:paragraphs[nxt].end].strip()[:1] in "(（":
            header[-1] = (header[-1][0], paragraphs[nxt].end)  # "得分" + "(20分*执行率)"
            nxt += 1
        width = len(header)
        rows: list[list[Cell]] = []
        for row_para in paragraphs[nxt:nxt + _MAX_SPACE_ROWS]:
            tokens = _tokens(view, row_para)
            figures = tokens[-width:]
            if len(tokens) <= width or not all(_FIGURE_TOKEN.fullmatch(view, a, b) for a, b in figures) \
                    or _FIGURE_TOKEN.fullmatch(view, *tokens[-width - 1]):
                break
            r = len(rows) + 1
            label = (tokens[0][0], tokens[-width - 1][1])
            rows.append([Cell(start=label[0], end=label[1], row=r, col=0)]
                        + [Cell(start=a, end=b, row=r, col=c + 1) for c, (a, b) in enumerate(figures)])
        if not rows:
            continue
        header_cells = [Cell(start=para.start, end=para.start, row=0, col=0, is_continuation=True)]
        header_cells += [Cell(start=a, end=b, row=0, col=c + 1) for c, (a, b) in enumerate(header)]
        table = Table(index=first_index + len(tables), start=para.start, end=rows[-1][-1].end)
        table.rows = [Row(index=0, cells=header_cells)] + [Row(index=i + 1, cells=cells)
                                                          for i, cells in enumerate(rows)]
        tables.append(table)
    return tables


def find_flattened_tables(doc: Document) -> list[Table]:
    """Tables given as paragraphs: "|"-separated rows and one cell per line ("bars"), space-separated
    rows ("spaced"), budget rows whose cell boundaries were lost ("run"), and glued indicator rows
    ("glued-indicators", auditor.extract.glued_indicators), each marked with its shape in
    ``Table.flattened``. Their ``index`` continues after the layout tables (``doc.tables`` as the
    reader built it)."""
    first = len(doc.tables)
    bar = _bar_tables(doc, first)
    runs = [t for t in _run_tables(doc, first + len(bar)) if not _read_by(t, bar)]
    spaced = [t for t in _space_tables(doc, first + len(bar) + len(runs))
              if not any(o.start <= t.start < o.end for o in bar + runs)]
    for tables, shape in ((bar, "bars"), (runs, "run"), (spaced, "spaced")):
        for table in tables:
            table.flattened = shape
    found = bar + runs + spaced
    found += [table for table, _rows in glued_indicator_tables(doc, first + len(found))]
    return found


def _read_by(run: Table, bar: list[Table]) -> bool:
    """Whether a "|" table already reads the run's figures: the run lies in a "|" table and is not
    glued inside one of its cells (a whole form exported into one cell of a page's table)."""
    header = run.rows[0].cells[-1]
    for table in bar:
        if table.start <= run.start < table.end:
            return not any(c.start <= header.start and header.end <= c.end and c.start <= run.end <= c.end
                           for row in table.rows for c in row.cells)
    return False
