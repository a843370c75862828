"""The Document: one text string, and every structure as a span (start, end) into it.

Readers build Documents; extractors and rules only read them. Like spaCy's Doc, the Document owns the
text and everything else (sections, paragraphs, tables, cells) is a view over offsets, so evidence
and highlighting always satisfy ``doc.text[start:end] == span text``.
"""

from __future__ import annotations

import bisect
import operator
import pickle
import re
import zlib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from itertools import starmap
from typing import Any, TypeVar

View = TypeVar("View")
Kind = TypeVar("Kind")

# Export residue that Word/WPS text exports leave in the text: kept in the text (offsets must index
# the file), ignored when a cell or paragraph is read for its meaning.
RESIDUE_RE = re.compile(r"\[bookmark: [^\]]*\]")
_BLANK_RE = re.compile(r"[\s\u3000\u00a0\ufeff]+")


_MATCHING = tuple({**{chr(0xFF10 + i): str(i) for i in range(10)}, "％": "%", "．": "."}.items())


def for_matching(text: str) -> str:
    """Full-width digits, ％ and ． as ASCII. One character for one, so offsets are unchanged.
    (``str.replace`` per character present: ``str.translate`` looks every character of a Chinese
    text up in its table, ~60 ns each, 0.7 ms for a whole report.)"""
    for wide, narrow in _MATCHING:
        if wide in text:
            text = text.replace(wide, narrow)
    return text


def clean_text(raw: str) -> str:
    """The meaning of a piece of text: residue removed and all whitespace (incl. full-width) dropped.
    (``str.split`` drops the characters ``\\s`` matches; with U+FEFF those are ``_BLANK_RE``'s: half
    the time of ``_BLANK_RE.sub`` on a table cell, read ~500 times a report.)"""
    if "[bookmark: " in raw:
        raw = RESIDUE_RE.sub("", raw)
    kept = "".join(raw.split())
    return kept.replace("\ufeff", "") if "\ufeff" in kept else kept


def _pickled_by_fields(cls: type[Kind]) -> type[Kind]:
    """Pickle instances as a call of the class with their fields, in order. The dataclasses' own
    pickling of slots classes runs Python code per object on both sides (``fields()``, a
    ``__setstate__`` loop); a Document's structure is thousands of such objects, packed by every batch
    worker and unpacked in the cross phase."""
    if any(not f.init for f in fields(cls)):
        raise TypeError(f"{cls.__name__}: every field must be an argument of the class to pickle it so")
    get = operator.attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self):
        return cls, get(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    return cls


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


@_pickled_by_fields
@dataclass(slots=True)
class Paragraph:
    """One line of narrative text (a heading is a paragraph too, with ``heading_level`` set)."""

    start: int
    end: int
    index: int
    heading_level: int | None = None


@_pickled_by_fields
@dataclass(slots=True)
class Cell:
    """A table cell. ``start``/``end`` cover its text (after the leading TAB, continuation lines
    included). ``is_continuation`` is true for an empty cell that stands for a merged cell above."""

    start: int
    end: int
    row: int
    col: int
    is_continuation: bool = False


@_pickled_by_fields
@dataclass(slots=True)
class Row:
    index: int
    cells: list[Cell] = field(default_factory=list)


@_pickled_by_fields
@dataclass(slots=True)
class Table:
    index: int
    start: int
    end: int
    rows: list[Row] = field(default_factory=list)
    caption: Span | None = None  # the nearest short line above the table, e.g. "2023年度项目支出绩效自评表"
    # None for a layout table; else the shape in which it reached the text flattened ("bars", "lines",
    # "spaced", "run", "glued-indicators"): its cells lie in lines that read as paragraphs
    # (auditor.extract.pipe_tables finds such tables for the reader)
    flattened: str | None = None


@_pickled_by_fields
@dataclass(slots=True)
class Section:
    """A heading and the text it governs, up to the next heading of the same or a higher level."""

    heading: Paragraph
    level: int
    start: int
    end: int
    parent: int | None  # index into Document.sections
    index: int = 0


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Anchor:
    """Where the text from ``start`` on came from, as the reader knows it: a PDF page, a sheet and
    its cell. It holds until the next anchor (``Document.anchors`` is sorted by ``start``)."""

    start: int
    page: int | None = None
    sheet: str | None = None
    cell: str | None = None  # "C7"


class LocatedText(str):
    """Document text as a reader rendered it, carrying the anchors it recorded on the way.

    A ``str`` in every other respect, so a reader's callers need not know about locations;
    :func:`auditor.readers.text.build_document` moves the anchors onto the Document."""

    anchors: list[Anchor]

    def __new__(cls, text: str, anchors: list[Anchor]) -> LocatedText:
        self = super().__new__(cls, text)
        self.anchors = anchors
        return self

    def __reduce__(self):  # pickles (worker → parent) with its anchors
        return (LocatedText, (str(self), self.anchors))


@dataclass(slots=True)
class Location:
    """Where an offset is, as a person finds it in Word, Acrobat or Excel (numbers count from 1)."""

    paragraph: int | None = None  # the n-th non-empty paragraph line (narrative text only)
    page: int | None = None
    sheet: str | None = None
    cell: str | None = None
    table: int | None = None
    row: int | None = None
    column: int | None = None

    @property
    def label(self) -> str:
        """A short Chinese label: "第3页", "表2 第4行第3列", "自评表!D7", "第12段"."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        parts = []
        if self.page is not None:
            parts.append(f"第{self.page}页")
        elif self.sheet:
            parts.append(self.sheet)
        if self.table is not None:
            parts.append(f"表{self.table} 第{self.row}行第{self.column}列")
        elif self.paragraph is not None and self.page is None:
            parts.append(f"第{self.paragraph}段")
        return " ".join(parts)

    def to_dict(self) -> dict:
        return {"paragraph": self.paragraph, "page": self.page, "sheet": self.sheet, "cell": self.cell,
                "table": self.table, "row": self.row, "column": self.column, "label": self.label}


@dataclass(slots=True)
class Metadata:
    unit: str | None = None
    year: int | None = None
    kind: str = "unknown"  # department | project | unknown
    title: Span | None = None


@dataclass(slots=True)
class Document:
    path: str
    text: str
    format: str = "txt"
    paragraphs: list[Paragraph] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    meta: Metadata = field(default_factory=Metadata)
    _section_starts: list[int] = field(default_factory=list, repr=False)
    # where the text came from, sorted by start (recorded by readers that know pages, sheets, cells)
    anchors: list[Anchor] = field(default_factory=list, repr=False)
    # caches of views computed from the text (never compared, shown or pickled: rebuilt on demand)
    _cell_texts: dict[tuple[int, int], str] = field(default_factory=dict, init=False, repr=False, compare=False)
    # row_texts: by the row's id, the row itself (so that the id stays its own) and its cells' texts
    _row_texts: dict[int, tuple[Row, tuple[str, ...]]] = field(default_factory=dict, init=False, repr=False,
                                                              compare=False)
    _locate_index: _LocateIndex | None = field(default=None, init=False, repr=False, compare=False)
    # one object per type that a module outside the Document keeps for it (an extractor's per-document
    # caches, the reuse checks' ReuseMaterial): see :meth:`derived`
    _derived: dict[type, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    # the structure (_PACKED_FIELDS) as one compressed pickle once :meth:`pack` was called, and whether
    # the fields are released (empty) now: a batch keeps hundreds of Documents through its cross phase
    _packed: bytes | None = field(default=None, init=False, repr=False, compare=False)
    _released: bool = field(default=False, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without its caches: what a worker ships besides the Document is explicit. A packed
        Document travels packed (its blob with it)."""
        released = self._released
        state = {f.name: getattr(self, f.name) for f in fields(self)
                 if f.init and not (released and f.name in _PACKED_FIELDS)}
        if self._packed is not None:
            state.update(_packed=self._packed, _released=released)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._packed, self._released = None, False
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self._cell_texts, self._row_texts, self._locate_index, self._derived = {}, {}, None, {}

    def __getattr__(self, name: str) -> Any:
        """A released part of the structure (:meth:`pack`) is brought back when it is first read."""
        if name in _PACKED_FIELDS and object.__getattribute__(self, "_released"):
            self.unpack()
            return object.__getattribute__(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def pack(self) -> None:
        """Release the structure (paragraphs, tables, sections, anchors), kept as one compressed pickle:
        the text, path, format, meta and derived views stay. Reading a part of the structure brings it
        all back (:meth:`unpack`), identical: a Document packed is read like any other, and only what
        is read is unpacked."""
        if self._released:
            return
        if self._packed is None:
            self._packed = zlib.compress(pickle.dumps(_structure_columns(self), protocol=pickle.HIGHEST_PROTOCOL), 1)
        for name in _PACKED_FIELDS:
            object.__delattr__(self, name)
        self._cell_texts, self._row_texts, self._locate_index = {}, {}, None
        self._released = True

    def unpack(self) -> None:
        """Bring back the structure released by :meth:`pack` (nothing to do when it is there)."""
        if not self._released:
            return
        for name, value in zip(_PACKED_FIELDS, _structure_of(pickle.loads(zlib.decompress(self._packed)))):
            setattr(self, name, value)
        self._cell_texts, self._row_texts, self._locate_index = {}, {}, None
        self._released = False

    @property
    def packed(self) -> bool:
        """Whether the structure is released (:meth:`pack`): it is unpacked when it is first read."""
        return self._released

    def derived(self, kind: type[View]) -> View:
        """The object of type ``kind`` that its owner keeps for this document (``kind()`` on first use):
        typed per-document caches of the modules that read the Document, dropped by :meth:`forget_derived`."""
        view = self._derived.get(kind)
        if view is None:
            view = self._derived[kind] = kind()
        return view  # typed by ``kind`` (no typing.cast call: this is read ~1,000 times a report)

    def derived_view(self, kind: type[View]) -> View | None:
        """The object of type ``kind`` the document keeps, if any (none is made)."""
        return self._derived.get(kind)

    def adopt_derived(self, view: object, kind: type | None = None) -> None:
        """Give the document a view built elsewhere (by the worker that read it), replacing its own; kept
        as of type ``kind`` (default: its own type; a subclass may stand for its base)."""
        self._derived[kind or type(view)] = view

    def forget_derived(self) -> None:
        """Drop every cached view (a batch holds hundreds of Documents): they are rebuilt on demand."""
        self._cell_texts, self._row_texts, self._locate_index, self._derived = {}, {}, None, {}

    def span_text(self, start: int, end: int) -> str:
        return self.text[start:end]

    def cell_text(self, cell: Cell) -> str:
        """The cell's meaning: residue and whitespace removed (computed once per cell span)."""
        key = (cell.start, cell.end)
        text = self._cell_texts.get(key)
        if text is None:
            text = self._cell_texts[key] = clean_text(self.text[cell.start : cell.end])
        return text

    def row_texts(self, row: Row) -> tuple[str, ...]:
        """:meth:`cell_text` of each of ``row``'s cells, in order (computed once per row: the extractors
        read every row of every table several times, each cell's text in turn)."""
        hit = self._row_texts.get(id(row))
        if hit is not None and hit[0] is row:
            return hit[1]
        known, text, out = self._cell_texts, self.text, []
        for c in row.cells:  # cell_text's lookup, inlined (a report's rows hold thousands of cells)
            key = (c.start, c.end)
            cell_text = known.get(key)
            if cell_text is None:
                cell_text = known[key] = clean_text(text[c.start : c.end])
            out.append(cell_text)
        texts = tuple(out)
        self._row_texts[id(row)] = (row, texts)
        return texts

    def paragraph_text(self, paragraph: Paragraph) -> str:
        return self.text[paragraph.start : paragraph.end]

    def heading_path(self, offset: int) -> list[Section]:
        """The sections enclosing ``offset``, outermost first."""
        i = bisect.bisect_right(self._section_starts, offset) - 1
        path: list[Section] = []
        while i >= 0:
            sec = self.sections[i]
            if sec.start <= offset < sec.end:
                path.append(sec)
                i = sec.parent if sec.parent is not None else -1
            else:
                i = sec.parent if sec.parent is not None and sec.parent < i else i - 1
        return list(reversed(path))

    def section_title(self, offset: int) -> str | None:
        """The heading text of the innermost section containing ``offset`` (for evidence)."""
        path = self.heading_path(offset)
        if not path:
            return None
        head = path[-1].heading
        return clean_text(self.text[head.start : head.end]) or None

    def table_at(self, offset: int) -> Table | None:
        for table in self.tables:
            if table.start <= offset < table.end:
                return table
        return None

    def where(self, offset: int) -> str:
        """"table" when the offset lies inside a table, else "narrative"."""
        return "table" if self.table_at(offset) is not None else "narrative"

    def table_title(self, table: Table) -> str | None:
        """The table's name: a caption line naming a 表, a one-cell title row, or "项目名称：…"."""
        caption = clean_text(self.text[table.caption.start : table.caption.end]) if table.caption else ""
        if "表" in caption:
            return caption
        for row in table.rows[:3]:
            texts = self.row_texts(row)
            if len(texts) == 1 and "表" in texts[0]:
                return texts[0]
            if len(texts) >= 2 and texts[0].endswith("名称") and texts[1]:
                return f"{texts[0]}：{texts[1]}"
        return None

    def location(self, offset: int) -> str | None:
        """Where an offset is, for evidence: the table's title inside a table, else the section heading."""
        table = self.table_at(offset)
        if table is not None:
            title = self.table_title(table)
            if title:
                return title
        return self.section_title(offset)

    def locate(self, offset: int) -> Location:
        """Where ``offset`` is: the reader's anchor (page, sheet!cell) before it, the table, row and
        column of the cell holding it (TAB tables, then "|" tables), else its paragraph number."""
        found = Location()
        index = self._locate_index
        if index is None:
            index = self._locate_index = _LocateIndex(self)
        k = bisect.bisect_right(index.anchor_starts, offset) - 1
        if k >= 0:
            anchor = self.anchors[k]
            found.page, found.sheet, found.cell = anchor.page, anchor.sheet, anchor.cell
        cell = index.cell_at(offset)
        if cell is not None:
            found.table, found.row, found.column = cell
        k = bisect.bisect_right(index.paragraph_starts, offset) - 1
        if k >= 0 and offset <= self.paragraphs[k].end:
            found.paragraph = k + 1
        return found

    def locate_span(self, start: int, end: int) -> Location:
        """Where a span is: the location of its first visible character (a span that starts with
        a cell's TAB or a line break is where its text is)."""
        text = self.text
        while start < end - 1 and text[start].isspace():
            start += 1
        return self.locate(start)

    def finish(self) -> None:
        """Index the sections once the reader has filled them in."""
        self._section_starts = [s.start for s in self.sections]


# the Document fields that :meth:`Document.pack` releases (everything but the text, path, format and meta)
_PACKED_FIELDS = ("paragraphs", "tables", "sections", "anchors", "_section_starts")

# Each class's fields in order, read at once (C code: no Python call per object).
_PARAGRAPH_FIELDS = operator.attrgetter(*(f.name for f in fields(Paragraph)))
_CELL_FIELDS = operator.attrgetter(*(f.name for f in fields(Cell)))
_ANCHOR_FIELDS = operator.attrgetter(*(f.name for f in fields(Anchor)))


def _structure_columns(doc: Document) -> tuple:
    """The Document's structure (:data:`_PACKED_FIELDS`) as tuples of its fields' values: pickled by C
    code, where pickling the objects calls their ``__reduce__`` once each (a report has hundreds of
    cells). A section's heading, the paragraph itself, is written as that paragraph's position, so
    that :func:`_structure_of` gives back one object for both, as pickling the objects would."""
    paragraphs = doc.paragraphs
    position = {id(p): k for k, p in enumerate(paragraphs)}
    tables = [(t.index, t.start, t.end, None if t.caption is None else (t.caption.start, t.caption.end), t.flattened,
               [(r.index, list(map(_CELL_FIELDS, r.cells))) for r in t.rows]) for t in doc.tables]
    sections = [(position.get(id(s.heading), _PARAGRAPH_FIELDS(s.heading)), s.level, s.start, s.end, s.parent, s.index)
                for s in doc.sections]
    return (list(map(_PARAGRAPH_FIELDS, paragraphs)), tables, sections, list(map(_ANCHOR_FIELDS, doc.anchors)),
            doc._section_starts)


def _structure_of(columns: tuple) -> tuple:
    """The values of :data:`_PACKED_FIELDS` that :func:`_structure_columns` wrote, as new objects."""
    paragraph_rows, table_rows, section_rows, anchor_rows, section_starts = columns
    paragraphs = list(starmap(Paragraph, paragraph_rows))
    tables = [Table(index, start, end, [Row(r, list(starmap(Cell, cells))) for r, cells in rows],
                    None if caption is None else Span(*caption), flattened)
              for index, start, end, caption, flattened, rows in table_rows]
    sections = [Section(paragraphs[heading] if isinstance(heading, int) else Paragraph(*heading), level, start, end,
                        parent, index)
                for heading, level, start, end, parent, index in section_rows]
    return paragraphs, tables, sections, list(starmap(Anchor, anchor_rows)), section_starts


class _LocateIndex:
    """The Document's cells and paragraphs sorted by start, for :meth:`Document.locate`."""

    def __init__(self, doc: Document) -> None:
        self.anchor_starts = [a.start for a in doc.anchors]
        self.paragraph_starts = [p.start for p in doc.paragraphs]
        # (start, end, table number, row index, column), sorted by start then end (stable; the key in C):
        # built again whenever a packed Document is located, and a long report's cells are thousands
        cells = [(cell.start, cell.end, number, row.index, cell.col)
                 for number, table in enumerate(doc.tables, start=1) for row in table.rows for cell in row.cells]
        cells.sort(key=_START_END)
        self.cells = cells
        self.cell_starts = [c[0] for c in cells]

    def cell_at(self, offset: int) -> tuple[int, int, int] | None:
        """(table, row, column), each counted from 1, of the cell holding ``offset``."""
        k = bisect.bisect_right(self.cell_starts, offset) - 1
        if k >= 0 and offset <= self.cells[k][1]:
            _, _, number, row, column = self.cells[k]
            return number, row + 1, column + 1
        return None


_START_END = operator.itemgetter(0, 1)


# --- sentence and clause bounds: one implementation for every extractor --------------------------

SENTENCE_ENDS = "。！？!?\n"
CLAUSE_BREAKS = "，,；;。！？!?\n"


def span_back(text: str, end: int, breaks: str, floor: int = 0) -> int:
    """Just after the last break character before ``end`` (``floor`` when there is none): the newline
    is looked up first, so the other characters are searched for within one line only."""
    i = floor
    if end <= i:
        return end
    for c in _newline_first(breaks):
        k = text.rfind(c, i, end)
        if k >= 0:
            i = k + 1
    return i


def span_forward(text: str, start: int, breaks: str) -> int:
    """The first break character at or after ``start`` (the text's end when there is none)."""
    j = len(text)
    if start >= j:
        return start
    for c in _newline_first(breaks):
        k = text.find(c, start, j)
        if k >= 0:
            j = k
    return j


@lru_cache(maxsize=16)
def _newline_first(breaks: str) -> str:
    return "".join(sorted(breaks, key=lambda c: c != "\n"))
