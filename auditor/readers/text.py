"""The layout reader: text in the flattened form of a .docx export → Document.

Every reader ends here: .txt files directly, other formats after rendering themselves into the same
form. The form, as the seeds show it:

- narrative: one paragraph per line;
- a table cell: a line starting with a TAB; a multi-line cell continues on lines without a TAB;
- rows: separated by one blank line; a table ends at two or more blank lines or at a non-TAB line
  after a blank line;
- an empty cell stands for the continuation of a cell merged from above;
- a blank line can also sit inside a cell ("产出指标\\n\\n(50分)"): one blank line, then one short
  non-TAB line, then a TAB line of the same row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from operator import add

from auditor.document import Cell, Document, Paragraph, Row, Section, Span, Table, clean_text, for_matching

# A line inside a cell after a single blank line is a continuation only when it is this short.
_MAX_INNER_CONTINUATION = 24


@dataclass(slots=True)
class _Lines:
    """The text's lines, as parallel lists (a reader builds tens of thousands of them)."""

    starts: list[int]
    ends: list[int]  # without the line break
    raws: list[str]
    cells: list[bool]  # the line starts with a TAB: a table cell

    def is_blank(self, i: int) -> bool:
        """Truly empty (ASCII spaces at most). A line of full-width spaces is a paragraph or cell
        line of its own in Word exports, not a row separator."""
        return not self.raws[i].strip(" \r")

    def is_whitespace(self, i: int) -> bool:
        return not self.raws[i].strip()


def _split_lines(text: str) -> _Lines:
    pos = 1 if text.startswith("\ufeff") else 0  # a BOM is kept in the text but belongs to no line
    pieces = text[pos:].splitlines(keepends=True)
    raws = [raw.rstrip("\r\n") for raw in pieces]
    starts = list(accumulate(map(len, pieces), initial=pos))  # each line's start, then the text's end
    starts.pop()
    ends = list(map(add, starts, map(len, raws)))
    return _Lines(starts, ends, raws, [raw.startswith("\t") for raw in raws])


def build_document(text: str, path: str, fmt: str = "txt") -> Document:
    """Parse ``text`` (kept unchanged) into paragraphs, tables, sections and metadata. A reader's
    :class:`~auditor.document.LocatedText` gives the Document its anchors (pages, sheet cells)."""
    from auditor.extract.pipe_tables import find_flattened_tables
    from auditor.metadata import infer_metadata

    doc = Document(path=path, text=str(text), format=fmt, anchors=list(getattr(text, "anchors", ())))
    lines = _split_lines(text)
    _parse_blocks(doc, lines)
    _build_sections(doc)
    doc.finish()
    doc.tables.extend(find_flattened_tables(doc))  # "|" rows, one cell per line …: after the layout tables
    doc.meta = infer_metadata(doc)
    return doc


def _parse_blocks(doc: Document, lines: _Lines) -> None:
    i, n = 0, len(lines.raws)
    starts, ends, is_cell = lines.starts, lines.ends, lines.cells
    table: Table | None = None
    row: Row | None = None
    cell: Cell | None = None
    blank_run = 0
    last_para_line: int | None = None  # index of the last paragraph's line

    def close_table() -> None:
        nonlocal table, row, cell
        if table is not None:
            table.rows = [r for r in table.rows if r.cells]
            last = table.rows[-1].cells[-1] if table.rows else None
            table.end = last.end if last else table.start
            doc.tables.append(table)
        table, row, cell = None, None, None

    while i < n:
        if is_cell[i]:
            if table is None or blank_run >= 2:
                close_table()
                table = Table(index=len(doc.tables), start=starts[i], end=ends[i])
                table.caption = _caption(doc, lines, last_para_line)
                row = None
            if row is None or blank_run >= 1:
                row = Row(index=len(table.rows))
                table.rows.append(row)
            cell = Cell(starts[i] + 1, ends[i], row.index, len(row.cells))
            row.cells.append(cell)
            blank_run = 0
            i += 1
            continue
        if lines.is_blank(i):
            inner = _inner_blank_run(lines, i) if table is not None and cell is not None and blank_run == 0 else 0
            if inner:
                # "产出指标\n\n(50分)": the blank line and the short lines after it belong to the cell.
                cell.end = ends[i + inner]
                i += inner + 1
                continue
            blank_run += 1
            i += 1
            continue
        # a non-TAB, non-blank line
        if table is not None and cell is not None and blank_run == 0:
            cell.end = ends[i]  # continuation line of a multi-line cell
            i += 1
            continue
        if lines.is_whitespace(i):  # full-width spaces only: no paragraph, but it separates like a blank
            blank_run += 1
            i += 1
            continue
        close_table()
        blank_run = 0
        para = Paragraph(start=starts[i], end=ends[i], index=len(doc.paragraphs))
        doc.paragraphs.append(para)
        last_para_line = i
        i += 1
    close_table()
    text = doc.text
    for table in doc.tables:
        _merge_orphan_label_rows(table)
        for r in table.rows:
            for c in r.cells:
                c.is_continuation = not text[c.start : c.end].strip()


def _inner_blank_run(lines: _Lines, i: int) -> int:
    """How many short non-TAB lines follow the single blank line ``i`` inside a cell (0: none).

    They must be directly followed by a TAB line, be at most three, and short in total."""
    n = len(lines.raws)
    j, chars = i + 1, 0
    while j < n and j - i <= 3 and not lines.cells[j] and not lines.is_blank(j):
        chars += len(lines.raws[j].strip())
        j += 1
    if j == i + 1 or j >= n or not lines.cells[j] or chars > _MAX_INNER_CONTINUATION:
        return 0
    return j - i - 1


def _merge_orphan_label_rows(table: Table) -> None:
    """A one-cell row whose cell ended with an empty paragraph ("绩\n效\n指\n标\n\n") looks like a row
    of its own in the export. When the next row is one cell short of the row after it, and that row
    starts with a merged continuation, the lone cell is the first cell of the next row."""
    rows = table.rows
    k = 0
    while k + 2 < len(rows):
        lone, nxt, after = rows[k], rows[k + 1], rows[k + 2]
        if (len(lone.cells) == 1 and len(nxt.cells) + 1 == len(after.cells) and after.cells
                and after.cells[0].start == after.cells[0].end):
            nxt.cells.insert(0, lone.cells[0])
            del rows[k]
            continue
        k += 1
    for r_index, r in enumerate(rows):
        r.index = r_index
        for c_index, c in enumerate(r.cells):
            c.row, c.col = r_index, c_index


def _caption(doc: Document, lines: _Lines, line: int | None) -> Span | None:
    if line is None or not doc.paragraphs:
        return None
    para = doc.paragraphs[-1]
    if para.start != lines.starts[line] or len(clean_text(lines.raws[line])) > 60:
        return None
    return Span(para.start, para.end)


# --- sections -------------------------------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}


def chinese_ordinal(s: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20 (small ordinals as used in headings)."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if "十" in s:
        left, _, right = s.partition("十")
        tens = _CN_DIGITS.get(left, None) if left else 1
        ones = _CN_DIGITS.get(right, None) if right else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    if len(s) == 1:
        return _CN_DIGITS.get(s)
    return None


_CN = "[一二三四五六七八九十]{1,3}"
# (style, family, pattern). Styles of one family are the same level in Word's numbering; the export
# styles ("1、 ", "（3） " followed by a space) are Word's automatic list numbers, which count
# independently of the hand-typed ones around them.
_HEADING_PATTERNS: list[tuple[str, str, re.Pattern[str]]] = [
    ("cn-dun", "dun", re.compile(rf"^(?P<n>{_CN})\s*[、.．]")),
    ("digit-dun-export", "dun", re.compile(r"^(?P<n>\d{1,2})、[ \u3000\u00a0]+")),
    ("paren-cn", "paren", re.compile(rf"^[（(](?P<n>{_CN})[）)]")),
    ("paren-digit-export", "paren", re.compile(r"^[（(](?P<n>\d{1,2})[）)][ \u3000\u00a0]+")),
    ("digit-dun", "digit", re.compile(r"^(?P<n>\d{1,2})、")),
    ("digit-dot", "digit-dot", re.compile(r"^(?P<n>\d{1,2})[.．](?!\d)")),
    ("paren-digit", "paren-digit", re.compile(r"^[（(](?P<n>\d{1,2})[）)]")),
    ("circled", "circled", re.compile(r"^(?P<n>[①②③④⑤⑥⑦⑧⑨⑩])")),
]
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_HEADING_FIRST = frozenset("一二三四五六七八九十（(" + _CIRCLED)  # what a heading pattern can start with
_MAX_HEADING_CHARS = 40


def match_heading(line: str) -> tuple[str, str, int] | None:
    """(style, family, ordinal) when the line looks like a numbered heading."""
    head = line.lstrip(" \u3000\u00a0")
    if not head or not (head[0] in _HEADING_FIRST or head[0].isdecimal()):
        return None  # every heading pattern starts with a numeral, a digit (\d: isdecimal) or a bracket
    stripped = for_matching(line).lstrip(" \u3000\u00a0")
    body = clean_text(stripped)
    if not body or len(body) > _MAX_HEADING_CHARS:
        return None
    # a heading is a title, not a sentence: no full stop inside it
    inner = body.rstrip("。；;：:")
    if "。" in inner:
        return None
    for style, family, pattern in _HEADING_PATTERNS:
        m = pattern.match(stripped)
        if not m:
            continue
        raw = m.group("n")
        n = _CIRCLED.index(raw) + 1 if style == "circled" else chinese_ordinal(raw)
        if n is None:
            continue
        rest = clean_text(stripped[m.end():])
        if not rest or rest[0].isdigit():
            return None
        return style, family, n
    return None


@dataclass(slots=True)
class _Open:
    section: int
    level: int
    families: set[str]
    ordinal: int


def _build_sections(doc: Document) -> None:
    stack: list[_Open] = []
    for para in doc.paragraphs:
        found = match_heading(doc.text[para.start : para.end])
        if found is None:
            continue
        _style, family, n = found
        level, families = _place(stack, family, n)
        while stack and stack[-1].level >= level:
            stack.pop()
        parent = stack[-1].section if stack else None
        para.heading_level = level
        for other in doc.sections:  # close open sections at this level or deeper
            if other.end == len(doc.text) and other.level >= level:
                other.end = para.start
        sec = Section(heading=para, level=level, start=para.start, end=len(doc.text), parent=parent,
                      index=len(doc.sections))
        doc.sections.append(sec)
        stack.append(_Open(section=sec.index, level=level, families=families | {family}, ordinal=n))


def _place(stack: list[_Open], family: str, n: int) -> tuple[int, set[str]]:
    """(level, families seen at that level) for a heading of ``family`` numbered ``n``.

    Hand-typed numbers and Word's automatic ones ("2、 ", "（3） ") share a family but count
    independently, so a heading continues whichever open heading of its family it follows.
    """
    same = [e for e in reversed(stack) if family in e.families]
    for entry in same:  # the next number of an open list: a sibling
        if entry.ordinal == n - 1:
            return entry.level, entry.families
    if n == 1:  # the first item of a new list: a child of the innermost heading
        return (stack[-1].level + 1 if stack else 1), set()
    for entry in same:  # a repeated number (e.g. a duplicated heading)
        if entry.ordinal == n:
            return entry.level, entry.families
    for entry in same:  # a skipped number
        if entry.ordinal < n:
            return entry.level, entry.families
    return (stack[-1].level + 1 if stack else 1), set()
