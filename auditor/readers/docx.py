"""Read a .docx into the Document text of auditor.

The text has the same flattened form as the plain-text exports in the seeds, so that one
table reader (``auditor/readers/text.py``) serves both .txt and .docx input:

* body paragraphs and tables in document order, one line per paragraph (empty paragraphs
  give empty lines); a line outside a table NEVER starts with a TAB, because a leading TAB
  means "table cell" (TAB characters inside text become a space);
* a table row gives one line ``"\\t" + text`` per grid cell, the further lines of that cell
  (more paragraphs, soft line breaks, nested tables, text boxes) on following lines without
  a leading TAB, then one blank line; after the table one more blank line. Inside a cell a
  run of empty paragraphs gives one empty line and trailing empty paragraphs give none, so
  a blank line inside a cell is always followed by text, never by a TAB line or a blank;
* a table nested in a cell (or in a text box) gives one line per row, its cells' text joined
  by spaces, as continuation lines of the outer cell;
* rows that start or end with missing grid columns (``w:gridBefore`` / ``w:gridAfter``)
  give no lines for the missing columns; tracked-deleted rows and rows without cells give
  nothing;
* merged cells are read from the XML grid, never from python-docx's ``row.cells`` (which
  repeats merged text): a horizontally merged cell (``w:gridSpan``, legacy ``w:hMerge``)
  appears once, a vertical continuation (``w:vMerge`` without ``val="restart"``) is an
  empty cell line ``"\\t"``.

Every line, including the last, ends with ``"\\n"``. ``docx_table_grid`` gives, for every
rendered top-level table, row and cell line, where the cell sits in the table grid.

Only ``word/document.xml`` (the main part) is read: headers, footers, footnotes and
comments are not part of the body. Tracked changes are shown as accepted: deleted text
(``w:del``, ``w:moveFrom``) is skipped, inserted text (``w:ins``, ``w:moveTo``) is kept.
Bookmarks are not rendered (the seeds' ``[bookmark: _GoBack]`` residue is an artefact of
their export tool, not of the documents).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Iterator

from lxml import etree

from auditor.errors import ReadError

__all__ = [
    "CellGrid",
    "TableGrid",
    "docx_table_grid",
    "read_docx",
    "read_docx_with_grid",
]

CellGrid = tuple[int, int, bool]
"""(grid_col, grid_span, is_vertical_continuation) of one rendered cell line."""

TableGrid = list[list[CellGrid]]
"""Rows of one table, each a list of CellGrid in the order of the rendered cell lines."""

CORRUPT_CODE = "corrupt-docx"

_TRANSITIONAL_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_MATH_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_OFFICE_DOCUMENT_REL_TYPES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
)
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DEFAULT_MAIN_PART = "word/document.xml"

# Characters that end a line inside text (a literal newline inside w:t, or a Unicode line or
# paragraph separator): they become line breaks so that no line can hide a leading TAB.
_LINE_BREAK_RE = re.compile("\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


class _Tags:
    """Clark-notation tag names for one WordprocessingML namespace (transitional or strict)."""

    def __init__(self, ns: str) -> None:
        w = "{%s}" % ns
        self.w = w
        self.body = w + "body"
        self.p = w + "p"
        self.r = w + "r"
        self.t = w + "t"
        self.tab = w + "tab"
        self.ptab = w + "ptab"
        self.br = w + "br"
        self.cr = w + "cr"
        self.no_break_hyphen = w + "noBreakHyphen"
        self.tbl = w + "tbl"
        self.tr = w + "tr"
        self.tc = w + "tc"
        self.tr_pr = w + "trPr"
        self.tc_pr = w + "tcPr"
        self.p_pr = w + "pPr"
        self.r_pr = w + "rPr"
        self.grid_before = w + "gridBefore"
        self.grid_span = w + "gridSpan"
        self.v_merge = w + "vMerge"
        self.h_merge = w + "hMerge"
        self.deleted = w + "del"
        self.sdt = w + "sdt"
        self.sdt_content = w + "sdtContent"
        self.custom_xml = w + "customXml"
        self.txbx_content = w + "txbxContent"
        self.val = w + "val"
        self.type = w + "type"
        # Inline containers whose runs are part of the paragraph text.
        self.inline_containers = frozenset(
            w + name
            for name in ("hyperlink", "ins", "moveTo", "smartTag", "customXml", "fldSimple", "dir", "bdo")
        )
        # Run children that may hold a text box (drawing, VML picture, embedded object).
        self.textbox_hosts = frozenset((w + "drawing", w + "pict", w + "object", _ALTERNATE))
        # Block containers whose children are paragraphs and tables.
        self.block_containers = frozenset((self.custom_xml,))


_ALTERNATE = "{%s}AlternateContent" % _MC_NS
_MATH_ELEMENTS = frozenset(("{%s}oMath" % _MATH_NS, "{%s}oMathPara" % _MATH_NS))
_MATH_TEXT = "{%s}t" % _MATH_NS


def _corrupt(reason: str) -> ReadError:
    return ReadError(f"文件不是有效的 .docx（{reason}）", code=CORRUPT_CODE)


# --------------------------------------------------------------------------------------------
# Opening the package
# --------------------------------------------------------------------------------------------


def _main_part_name(archive: zipfile.ZipFile) -> str:
    """Name of the main document part, from ``_rels/.rels``; ``word/document.xml`` by default."""
    try:
        rels_bytes = archive.read("_rels/.rels")
    except KeyError:
        return _DEFAULT_MAIN_PART
    try:
        rels = etree.fromstring(rels_bytes, _parser())
    except etree.XMLSyntaxError:
        return _DEFAULT_MAIN_PART
    for rel in rels.iter("{%s}Relationship" % _RELS_NS):
        if rel.get("Type") in _OFFICE_DOCUMENT_REL_TYPES and rel.get("TargetMode") != "External":
            target = (rel.get("Target") or "").strip()
            if not target:
                continue
            name = str(PurePosixPath(target.lstrip("/")))
            if name in set(archive.namelist()):
                return name
    return _DEFAULT_MAIN_PART


def _load_body(path: Path) -> tuple[etree._Element, _Tags]:
    """Open the .docx at ``path`` and return its ``w:body`` element, or raise ReadError."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_OLE_MAGIC))
    except OSError as error:
        raise ReadError(f"无法读取文件：{path}（{error.strerror or error}）") from error
    if head == _OLE_MAGIC:
        raise _corrupt("这是旧版 .doc 或加密的 Word 文件，不是 ZIP 结构的 .docx，请另存为 .docx 后再提交")
    try:
        with zipfile.ZipFile(path) as archive:
            part_name = _main_part_name(archive)
            try:
                xml_bytes = archive.read(part_name)
            except KeyError:
                raise _corrupt(f"缺少正文部件 {part_name}") from None
    except ReadError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise _corrupt("ZIP 结构损坏") from error
    except NotImplementedError as error:
        raise _corrupt("ZIP 使用了不支持的压缩或加密方式") from error
    except (ValueError, RuntimeError) as error:  # e.g. encrypted members, bad header fields
        raise _corrupt("ZIP 结构损坏") from error
    except OSError as error:
        raise ReadError(f"无法读取文件：{path}（{error.strerror or error}）") from error

    try:
        root = etree.fromstring(xml_bytes, _parser())
    except etree.XMLSyntaxError as error:
        if "memory" in str(error).lower():  # libxml2 ran out of memory: not a damaged file
            raise MemoryError(str(error)) from error
        line = getattr(error, "lineno", None)
        where = f"第 {line} 行" if line else "位置不明"
        raise _corrupt(f"{part_name} 的 XML 语法错误，{where}") from error
    except ValueError as error:  # e.g. a document that declares an unsupported encoding
        raise _corrupt(f"{part_name} 无法解析为 XML") from error

    namespace = etree.QName(root).namespace
    if namespace not in (_TRANSITIONAL_NS, _STRICT_NS):
        raise _corrupt(f"{part_name} 不是 Word 正文（根元素为 {etree.QName(root).localname}）")
    tags = _Tags(namespace)
    body = root.find(tags.body)
    if body is None:
        raise _corrupt(f"{part_name} 中没有正文 w:body")
    return body, tags


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


class _Renderer:
    """Walks the body once and collects the text lines and the grid of every top-level table."""

    def __init__(self, tags: _Tags) -> None:
        self.tags = tags
        self.lines: list[str] = []
        self.grids: list[TableGrid] = []

    # ---- blocks ------------------------------------------------------------------------

    def _block_children(self, container: etree._Element) -> Iterator[etree._Element]:
        """Paragraphs and tables of a block container, looking through sdt/customXml wrappers."""
        tags = self.tags
        for child in container:
            tag = child.tag
            if tag == tags.p or tag == tags.tbl:
                yield child
            elif tag == tags.sdt:
                content = child.find(tags.sdt_content)
                if content is not None:
                    yield from self._block_children(content)
            elif tag in tags.block_containers:
                yield from self._block_children(child)
            elif tag == _ALTERNATE:
                branch = _choose_branch(child)
                if branch is not None:
                    yield from self._block_children(branch)

    def render_body(self, body: etree._Element) -> None:
        for block in self._block_children(body):
            if block.tag == self.tags.p:
                self.lines.extend(self.paragraph_lines(block))
            else:
                self.render_table(block)

    # ---- top-level tables --------------------------------------------------------------

    def _rows(self, tbl: etree._Element) -> Iterator[etree._Element]:
        tags = self.tags
        for child in _flatten_wrappers(tbl, tags.tr, tags):
            tr_pr = child.find(tags.tr_pr)
            if tr_pr is not None and tr_pr.find(tags.deleted) is not None:
                continue  # a tracked-deleted row is not part of the accepted document
            yield child

    def _cells(self, tr: etree._Element) -> Iterator[etree._Element]:
        return _flatten_wrappers(tr, self.tags.tc, self.tags)

    def _cell_geometry(self, tc: etree._Element) -> tuple[int, bool, bool]:
        """(grid_span, is_vertical_continuation, is_horizontal_continuation) of a cell."""
        tags = self.tags
        tc_pr = tc.find(tags.tc_pr)
        if tc_pr is None:
            return 1, False, False
        span = _int_val(tc_pr.find(tags.grid_span), tags, default=1, minimum=1)
        v_merge = tc_pr.find(tags.v_merge)
        v_continue = v_merge is not None and v_merge.get(tags.val, "continue") != "restart"
        h_merge = tc_pr.find(tags.h_merge)
        h_continue = h_merge is not None and h_merge.get(tags.val, "continue") != "restart"
        return span, v_continue, h_continue

    def render_table(self, tbl: etree._Element) -> None:
        tags = self.tags
        table_lines: list[str] = []
        table_grid: TableGrid = []
        for tr in self._rows(tbl):
            tr_pr = tr.find(tags.tr_pr)
            # w:gridBefore / w:gridAfter: grid columns the row does not cover. The seeds' export
            # writes no line for them, so neither do we; the grid column of every rendered
            # cell (docx_table_grid) still says where the row really starts.
            grid_col = 0
            if tr_pr is not None:
                grid_col = _int_val(tr_pr.find(tags.grid_before), tags, default=0, minimum=0)
            row_grid: list[CellGrid] = []
            row_lines: list[str] = []
            for tc in self._cells(tr):
                span, v_continue, h_continue = self._cell_geometry(tc)
                if h_continue and row_grid:
                    # Legacy horizontal merge: this cell widens the previous one, which is
                    # rendered once (its own text already came from the first cell).
                    first_col, first_span, first_v = row_grid[-1]
                    row_grid[-1] = (first_col, first_span + span, first_v)
                    grid_col += span
                    continue
                if v_continue:
                    row_lines.append("\t")
                else:
                    cell_lines = self.cell_lines(tc)
                    row_lines.append("\t" + cell_lines[0])
                    row_lines.extend(cell_lines[1:])
                row_grid.append((grid_col, span, v_continue))
                grid_col += span
            if not row_grid:
                # A row without cells would be a lone blank line, which reads as the end of
                # the table: leave it out of both the text and the grid.
                continue
            table_lines.extend(row_lines)
            table_lines.append("")
            table_grid.append(row_grid)
        if not table_grid:
            return  # no rows: nothing visible, and no grid entry that no text table matches
        table_lines.append("")
        self.lines.extend(table_lines)
        self.grids.append(table_grid)

    def cell_lines(self, tc: etree._Element) -> list[str]:
        """Lines of one cell's content (at least one line, possibly empty).

        Inside a cell, a run of empty lines becomes one empty line and trailing empty lines
        are dropped (Word ends every cell, and every nested table, with a paragraph). So a
        blank line inside a cell is always followed by a line of text without a TAB, while the
        blank line that ends a row is followed by a TAB line or by another blank line: the
        flattened table can be read back without guessing.
        """
        raw: list[str] = []
        for block in self._block_children(tc):
            if block.tag == self.tags.p:
                raw.extend(self.paragraph_lines(block))
            else:
                raw.extend(self.nested_table_lines(block))
        lines: list[str] = []
        for index, line in enumerate(raw):
            if line == "" and index > 0 and raw[index - 1] == "":
                continue
            lines.append(line)
        while len(lines) > 1 and lines[-1] == "":
            lines.pop()
        return lines or [""]

    # ---- nested tables (inside cells and text boxes) ------------------------------------

    def nested_table_lines(self, tbl: etree._Element) -> list[str]:
        """A table inside a cell or text box: one line per row, its cells' text joined by spaces.

        Vertical and horizontal continuation cells add nothing; rows without text give no line.
        """
        lines: list[str] = []
        for tr in self._rows(tbl):
            texts: list[str] = []
            for tc in self._cells(tr):
                _span, v_continue, h_continue = self._cell_geometry(tc)
                if v_continue or h_continue:
                    continue
                cell_text = " ".join(line.strip() for line in self.cell_lines(tc) if line.strip())
                if cell_text:
                    texts.append(cell_text)
            if texts:
                lines.append(" ".join(texts))
        return lines

    # ---- paragraphs --------------------------------------------------------------------

    def paragraph_lines(self, p: etree._Element) -> list[str]:
        """Lines of one paragraph: its text (split at soft breaks), then any text-box lines."""
        collector = _ParagraphCollector(self)
        collector.walk(p)
        lines = collector.finish()
        if lines == [""] and self._paragraph_mark_deleted(p):
            return []  # a whole paragraph removed with tracked changes
        return lines

    def _paragraph_mark_deleted(self, p: etree._Element) -> bool:
        tags = self.tags
        p_pr = p.find(tags.p_pr)
        if p_pr is None:
            return False
        r_pr = p_pr.find(tags.r_pr)
        return r_pr is not None and r_pr.find(tags.deleted) is not None

    def textbox_lines(self, host: etree._Element) -> list[str]:
        """Lines of the text boxes found under ``host`` (a drawing, VML picture or object)."""
        tags = self.tags
        if host.tag == _ALTERNATE:
            branch = _choose_branch(host)
            return self.textbox_lines(branch) if branch is not None else []
        lines: list[str] = []
        for child in host:
            if not isinstance(child.tag, str):
                continue
            if child.tag == tags.txbx_content:
                for block in self._block_children(child):
                    if block.tag == tags.p:
                        lines.extend(self.paragraph_lines(block))
                    else:
                        lines.extend(self.nested_table_lines(block))
            else:
                lines.extend(self.textbox_lines(child))
        return lines


class _ParagraphCollector:
    """Collects the text of one paragraph, line by line."""

    def __init__(self, renderer: _Renderer) -> None:
        self.renderer = renderer
        self.tags = renderer.tags
        self.lines: list[str] = []
        self.current: list[str] = []
        self.textbox_lines: list[str] = []

    def _newline(self) -> None:
        self.lines.append("".join(self.current))
        self.current = []

    def _add_text(self, text: str | None) -> None:
        if not text:
            return
        text = text.replace("\t", " ")
        pieces = _LINE_BREAK_RE.split(text)
        self.current.append(pieces[0])
        for piece in pieces[1:]:
            self._newline()
            self.current.append(piece)

    def walk(self, element: etree._Element) -> None:
        tags = self.tags
        for child in element:
            tag = child.tag
            if tag == tags.r:
                self._run(child)
            elif tag in tags.inline_containers:
                self.walk(child)
            elif tag == tags.sdt:
                content = child.find(tags.sdt_content)
                if content is not None:
                    self.walk(content)
            elif tag == _ALTERNATE:
                branch = _choose_branch(child)
                if branch is not None:
                    self.walk(branch)
            elif tag in _MATH_ELEMENTS:
                self._add_text("".join(t.text or "" for t in child.iter(_MATH_TEXT)))
            # Everything else is skipped: w:pPr, w:del / w:moveFrom (deleted text),
            # bookmarks, proofing marks, comment ranges.

    def _run(self, run: etree._Element) -> None:
        tags = self.tags
        for child in run:
            tag = child.tag
            if tag == tags.t:
                self._add_text(child.text)
            elif tag == tags.tab or tag == tags.ptab:
                self.current.append(" ")
            elif tag == tags.br:
                # A text-wrapping break (the default) starts a new line; page and column
                # breaks carry no text (as in python-docx).
                if child.get(tags.type, "textWrapping") == "textWrapping":
                    self._newline()
            elif tag == tags.cr:
                self._newline()
            elif tag == tags.no_break_hyphen:
                self.current.append("-")
            elif tag in tags.textbox_hosts:
                self.textbox_lines.extend(self.renderer.textbox_lines(child))
            # w:rPr, w:delText, w:instrText (field codes), w:fldChar, w:softHyphen … carry no text.

    def finish(self) -> list[str]:
        self._newline()
        return self.lines + self.textbox_lines


def _choose_branch(alternate: etree._Element) -> etree._Element | None:
    """The mc:Choice or mc:Fallback to read: the first that has any text (they duplicate it)."""
    for branch in alternate:
        if not isinstance(branch.tag, str):
            continue
        for node in branch.iter():
            tag = node.tag
            if isinstance(tag, str) and (tag.endswith("}t") or tag.endswith("}txbxContent")):
                return branch
    return None


def _flatten_wrappers(parent: etree._Element, wanted: str, tags: _Tags) -> Iterator[etree._Element]:
    """Children of ``parent`` with tag ``wanted``, looking through w:sdt and w:customXml."""
    for child in parent:
        tag = child.tag
        if tag == wanted:
            yield child
        elif tag == tags.sdt:
            content = child.find(tags.sdt_content)
            if content is not None:
                yield from _flatten_wrappers(content, wanted, tags)
        elif tag == tags.custom_xml:
            yield from _flatten_wrappers(child, wanted, tags)


def _int_val(element: etree._Element | None, tags: _Tags, *, default: int, minimum: int) -> int:
    if element is None:
        return default
    try:
        value = int(element.get(tags.val, ""))
    except ValueError:
        return default
    return max(value, minimum)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def read_docx_with_grid(path: Path | str) -> tuple[str, list[TableGrid]]:
    """Render a .docx once: its Document text and the grid of each top-level table.

    Raises ReadError (code ``corrupt-docx``) when the file is not a valid .docx.
    """
    body, tags = _load_body(Path(path))
    renderer = _Renderer(tags)
    renderer.render_body(body)
    text = "".join(line + "\n" for line in renderer.lines)
    return text, renderer.grids


def read_docx(path: Path | str) -> str:
    """The Document text of a .docx: paragraphs and flattened tables in body order.

    Raises ReadError (code ``corrupt-docx``) when the file is not a valid .docx.
    """
    return read_docx_with_grid(path)[0]


def docx_table_grid(path: Path | str) -> list[TableGrid]:
    """For each rendered table, row and cell line: (grid_col, grid_span, is_vertical_continuation).

    The cells are in the order of the ``"\\t"`` cell lines of ``read_docx``; tables nested in
    cells or text boxes are part of their cell's text and have no entry of their own.
    """
    return read_docx_with_grid(path)[1]
