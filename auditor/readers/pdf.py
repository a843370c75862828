"""Reader for text PDFs via pdfplumber: paragraphs and ruled tables, in reading order.

Per page, tables are found with ``page.find_tables()``; the text outside every table bbox
is grouped into lines, lines into paragraphs, and paragraphs and tables are emitted in
top-to-bottom order (single-column layout is assumed). Tables are rendered with
:func:`auditor.readers.render.render_table`: each cell's row/column span is measured from
its bbox against the table's row and column boundaries, so a slot under a merged cell
becomes ``"\\t"`` (vertical continuation) and a slot to its right is omitted (horizontal
merge). A table that runs on from the last item of one page to the first item of the next
with the same column boundaries is joined into one table.

Paragraph re-joining heuristic (a PDF has lines, not paragraphs). Line A and the next
line B belong to the same paragraph when ALL of:
1. A was wrapped by the layout: A's right edge plus the width of B's first unbreakable
   token (one CJK character with any closing punctuation glued to it, or a run of
   Latin/digit characters such as ``98.01%。``) would pass the text area's right edge
   (minus one character width of tolerance). A short line (a title, a heading, the last
   line of a paragraph) is therefore never joined to the next;
2. B is not a heading or list item (一、 （一） (1) 1. 第一章 ① 一是 …), and A is not one;
3. A does not end with sentence-final punctuation (。！？；：…), unless the page marks
   paragraphs by first-line indentation and B is not indented;
4. if the page uses first-line indentation, B is not indented (an indented B starts a
   new paragraph);
5. on the same page, the vertical gap between A and B is not larger than 1.6 × the body
   line pitch (paragraph spacing separates paragraphs).
Lines continue across a page break under rules 1–4. The same rules, with the cell's own
width, re-join the wrapped lines inside a table cell, so a header like ``年初预算数``
wrapped in a narrow column comes out whole. Joined CJK text gets no space; two Latin/digit
ends get one space. A space that the extractor put between two CJK characters (justified
lines) is removed. Page-number lines in the top/bottom margin (``- 3 -``, ``第3页 共9页``)
are dropped.

Errors (``ReadError`` codes): ``encrypted-pdf`` (a password is needed), ``scanned-pdf``
(pages with images and no text layer: OCR needed), ``empty-pdf`` (no text and no image),
``pdf-garbled`` (most glyphs unmappable, ``(cid:NN)``), ``corrupt-pdf``. Pages without a
text layer inside an otherwise text PDF, and stripped ``(cid:NN)`` glyphs, are reported as
warnings by :func:`extract_pdf`.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.document import Anchor, LocatedText
from auditor.errors import ReadError
from auditor.readers.anchors import cell_line_offsets, visible_slots
from auditor.readers.render import Block, SpanCell, Table, grid_from_spans, render_blocks

__all__ = ["read_pdf", "extract_pdf", "PdfExtraction", "join_wrapped_lines", "is_heading"]

_CID = re.compile(r"\(cid:\d+\)")
_SENTENCE_END = set("。！？；：!?;:…")
_CLOSING = set("，。、；：！？）》」』】〉”’,.;:!?)]}%％")
_OPENING = set("（《「『【〈“‘([{")
_HEADING = re.compile(
    r"^\s*(?:"
    r"[一二三四五六七八九十百零〇]+\s*[、．.]"
    r"|[（(]\s*[一二三四五六七八九十百零〇]+\s*[）)]"
    r"|[（(]\s*\d{1,3}\s*[）)]"
    r"|\d{1,3}\s*[、．]"
    r"|\d{1,3}\.(?!\d)"
    r"|\d{1,3}(?:\.\d{1,3}){1,3}\s+\S"
    r"|第\s*[一二三四五六七八九十百零〇\d]+\s*[章节条部分篇]"
    r"|[①-⑳]"
    r"|[一二三四五六七八九十]是"
    r"|附件\s*\d*\s*[:：]?\s*$"
    r")"
)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|\d{1,4}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$",
    re.IGNORECASE,
)
_CJK_RANGES = (
    (0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF),
)


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def is_heading(text: str) -> bool:
    """True when ``text`` starts like a heading or a list item (一、 （一） 1. ① 一是 …)."""
    return bool(_HEADING.match(text))


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    first_token_width: float
    char_width: float


@dataclass
class PdfExtraction:
    """The Document text of a PDF plus warnings about what could not be read."""

    text: str
    warnings: list[str] = field(default_factory=list)


def _clean_cjk_spaces(text: str) -> str:
    """Drop single spaces the extractor inserted between two CJK characters."""
    if " " not in text:
        return text
    out = []
    for i, ch in enumerate(text):
        if ch == " " and 0 < i < len(text) - 1 and _is_cjk(text[i - 1]) and _is_cjk(text[i + 1]):
            continue
        out.append(ch)
    return "".join(out)


def _first_token_width(chars: Sequence[dict[str, Any]]) -> float:
    """Width of the first unbreakable token of a line (see module docstring, rule 1)."""
    visible = [c for c in chars if c.get("text", "").strip()]
    if not visible:
        return 0.0
    first = visible[0]["text"]
    end = 1
    if first in _OPENING and len(visible) > 1:
        end = 2
    head = visible[end - 1]["text"]
    if _is_cjk(head) and head not in _OPENING:
        while end < len(visible) and visible[end]["text"] in _CLOSING:
            end += 1
        if end > 1 and visible[end - 1]["text"] in _CLOSING:
            # Some layout engines do not break between closing punctuation and Latin text
            # ("范，APP"): the Latin run glued to it travels with the token.
            while end < len(visible) and _is_latin(visible[end]["text"][:1]) and \
                    visible[end]["x0"] - visible[end - 1]["x1"] < 1.0:
                end += 1
    else:
        while end < len(visible) and not _is_cjk(visible[end]["text"]) and \
                visible[end]["x0"] - visible[end - 1]["x1"] < 1.0:
            end += 1
        while end < len(visible) and visible[end]["text"] in _CLOSING:
            end += 1
    return float(visible[end - 1]["x1"] - visible[0]["x0"])


def _to_lines(raw_lines: list[dict[str, Any]]) -> list[_Line]:
    lines = []
    for raw in raw_lines:
        text = _clean_cjk_spaces(_CID.sub("", raw.get("text", ""))).strip()
        if not text:
            continue
        chars = raw.get("chars", [])
        widths = [c["x1"] - c["x0"] for c in chars if c.get("text", "").strip()]
        sizes = [c.get("size", 0) for c in chars if c.get("text", "").strip()]
        char_width = statistics.median(sizes) if sizes else (statistics.median(widths) if widths else 10.0)
        lines.append(_Line(text, float(raw["x0"]), float(raw["x1"]), float(raw["top"]),
                           float(raw["bottom"]), _first_token_width(chars), float(char_width)))
    return lines


def _uses_indent(lines: Sequence[_Line], left: float) -> bool:
    """True when some lines start 1.5–4.5 characters right of the left edge (first-line indent)."""
    return any(1.5 * ln.char_width <= ln.x0 - left <= 4.5 * ln.char_width for ln in lines)


def _indented(line: _Line, left: float) -> bool:
    return line.x0 - left >= 1.5 * line.char_width


def _should_join(a: _Line, b: _Line, right: float, left: float, indent_marks_paragraphs: bool,
                 pitch: float | None) -> bool:
    if pitch is not None and b.top - a.top > 1.6 * pitch:
        return False
    if a.x1 + b.first_token_width < right - a.char_width:
        return False
    if is_heading(b.text) or is_heading(a.text) and len(a.text) <= 30:
        return False
    if indent_marks_paragraphs and _indented(b, left):
        return False
    if a.text[-1] in _SENTENCE_END or (len(a.text) > 1 and a.text[-1] in "”’」』" and a.text[-2] in _SENTENCE_END):
        return indent_marks_paragraphs
    return True


def _concat(a: str, b: str) -> str:
    if a and b and _is_latin(a[-1]) and _is_latin(b[0]):
        return a + " " + b
    return a + b


def join_wrapped_lines(lines: Sequence[_Line], right: float, left: float,
                       indent_marks_paragraphs: bool, same_page: bool = True,
                       groups: list[list[_Line]] | None = None) -> list[str]:
    """Group lines into paragraphs with the re-joining heuristic (module docstring). ``groups``,
    when given, receives the lines of each paragraph."""
    if not lines:
        return []
    pitches = [b.top - a.top for a, b in zip(lines, lines[1:]) if b.top > a.top]
    pitch = statistics.median(pitches) if (pitches and same_page) else None
    paragraphs = [lines[0].text]
    grouped = [[lines[0]]]
    for a, b in zip(lines, lines[1:]):
        if _should_join(a, b, right, left, indent_marks_paragraphs, pitch):
            paragraphs[-1] = _concat(paragraphs[-1], b.text)
            grouped[-1].append(b)
        else:
            paragraphs.append(b.text)
            grouped.append([b])
    if groups is not None:
        groups.extend(grouped)
    return paragraphs


# ---------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------

def _boundaries(values: list[float], tol: float = 1.5) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(bounds: list[float], value: float, tol: float = 1.5) -> int:
    best = min(range(len(bounds)), key=lambda i: abs(bounds[i] - value))
    return best if abs(bounds[best] - value) <= tol else -1


def _chars_in(page: Any, bbox: tuple[float, float, float, float]) -> Any:
    x0, top, x1, bottom = bbox

    def inside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return False
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return x0 <= cx < x1 and top <= cy < bottom

    return page.filter(inside)


def _cell_text(page: Any, bbox: tuple[float, float, float, float]) -> str:
    lines = _to_lines(_chars_in(page, bbox).extract_text_lines())
    if not lines:
        return ""
    x0, _top, x1, _bottom = bbox
    pad = min(min(ln.x0 - x0 for ln in lines), min(x1 - ln.x1 for ln in lines), 6.0)
    pad = max(pad, 0.0)
    right = x1 - pad
    left = x0 + pad
    return "\n".join(join_wrapped_lines(lines, right, left, indent_marks_paragraphs=False))


@dataclass
class _PdfTable:
    top: float
    bottom: float
    col_bounds: list[float]
    grid: list[list[Any]]


def _table_grid(page: Any, table: Any) -> _PdfTable:
    cells = [tuple(map(float, c)) for c in table.cells]
    xs = _boundaries([c[0] for c in cells] + [c[2] for c in cells])
    ys = _boundaries([c[1] for c in cells] + [c[3] for c in cells])
    spans = []
    for bbox in cells:
        c0, c1 = _index(xs, bbox[0]), _index(xs, bbox[2])
        r0, r1 = _index(ys, bbox[1]), _index(ys, bbox[3])
        if min(c0, c1, r0, r1) < 0 or c1 <= c0 or r1 <= r0:
            continue
        spans.append(SpanCell(r0, c0, _cell_text(page, bbox), rowspan=r1 - r0, colspan=c1 - c0))
    spans.sort(key=lambda s: (s.row, s.col))
    grid = grid_from_spans(spans, max(len(ys) - 1, 0), max(len(xs) - 1, 0))
    return _PdfTable(float(table.bbox[1]), float(table.bbox[3]), xs, grid)


# ---------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------

@dataclass
class _PageItems:
    lines: list[_Line]
    tables: list[_PdfTable]
    width: float


def _page_items(page: Any) -> _PageItems:
    tables = [t for t in page.find_tables() if t.cells]
    pdf_tables = [_table_grid(page, t) for t in tables]
    bboxes = [tuple(map(float, t.bbox)) for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in bboxes)

    raw = page.filter(outside).extract_text_lines()
    height = float(page.height)
    lines = [ln for ln in _to_lines(raw)
             if not (_PAGE_NUMBER.match(ln.text)
                     and (ln.top < 0.08 * height or ln.bottom > 0.90 * height))]
    return _PageItems(lines, pdf_tables, float(page.width))


def _same_columns(a: _PdfTable, b: _PdfTable) -> bool:
    return len(a.col_bounds) == len(b.col_bounds) and all(
        abs(x - y) <= 2.0 for x, y in zip(a.col_bounds, b.col_bounds))


def _assemble(pages: list[_PageItems]) -> LocatedText:
    # Right edge of the text area: the widest line, or the mirror of the left margin when
    # no line reaches that far (a page of short lines must not look "full").
    right = 0.0
    for page in pages:
        if page.lines:
            left_edge = min(ln.x0 for ln in page.lines)
            right = max(right, max(ln.x1 for ln in page.lines), page.width - left_edge)
    blocks: list[Block] = []
    # per block, where it came from: the lines of a paragraph, the page of each row of a table
    origins: list[list[_Line] | list[int]] = []
    line_page: dict[int, int] = {id(ln): number for number, page in enumerate(pages, start=1) for ln in page.lines}
    pending: list[_Line] = []  # lines of the current run (may cross a page break)
    pending_left = 0.0
    pending_indent = False

    def flush() -> None:
        nonlocal pending
        if pending:
            groups: list[list[_Line]] = []
            blocks.extend(join_wrapped_lines(pending, right, pending_left, pending_indent, groups=groups))
            origins.extend(groups)
        pending = []

    last_table: _PdfTable | None = None
    for number, page in enumerate(pages, start=1):
        left = min((ln.x0 for ln in page.lines), default=0.0)
        indent = _uses_indent(page.lines, left)
        items: list[tuple[float, int, Any]] = [(ln.top, 0, ln) for ln in page.lines]
        items += [(t.top, 1, t) for t in page.tables]
        items.sort(key=lambda it: (it[0], it[1]))
        for index, (_top, kind, item) in enumerate(items):
            if kind == 1:
                flush()
                if (index == 0 and last_table is not None and blocks
                        and isinstance(blocks[-1], Table) and _same_columns(last_table, item)):
                    blocks[-1].rows.extend(item.grid)
                    origins[-1].extend([number] * len(item.grid))
                else:
                    blocks.append(Table(list(item.grid)))
                    origins.append([number] * len(item.grid))
                last_table = item
            else:
                if not pending:
                    pending_left, pending_indent = left, indent
                pending.append(item)
                last_table = None
        if items and items[-1][1] == 0:
            last_table = None
    flush()
    return _render_with_pages(blocks, origins, line_page)


def _render_with_pages(blocks: list[Block], origins: list[Any], line_page: dict[int, int]) -> LocatedText:
    """``render_blocks(blocks)``, with an anchor wherever the page changes (inside a paragraph
    joined across a page break too)."""
    pieces: list[str] = []
    anchors: list[Anchor] = []
    offset = 0

    def mark(position: int, page: int) -> None:
        if not anchors or anchors[-1].page != page:
            anchors.append(Anchor(position, page=page))

    for block, origin in zip(blocks, origins):
        piece = render_blocks([block])
        if isinstance(block, Table):
            for line_offset, (r, _c) in zip(cell_line_offsets(piece), visible_slots(block.rows)):
                mark(offset + line_offset - 1, origin[r])
        elif piece == block + "\n":
            joined = ""
            for line in origin:
                joined = _concat(joined, line.text) if joined else line.text
                mark(offset + len(joined) - len(line.text), line_page[id(line)])
        elif origin:
            mark(offset, line_page[id(origin[0])])
        pieces.append(piece)
        offset += len(piece)
    return LocatedText("".join(pieces), anchors)


def _spans_pages(lines: Sequence[_Line]) -> bool:
    return any(b.top < a.top for a, b in zip(lines, lines[1:]))


def extract_pdf(path: Path) -> PdfExtraction:
    """Read a PDF into Document text plus warnings; raise ``ReadError`` on failure."""
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as exc:  # pragma: no cover - dependency is pinned
        raise ReadError("缺少 PDF 读取组件 pdfplumber，无法读取该文件", code="missing-dependency") from exc
    path = Path(path)
    if not path.exists():
        raise ReadError(f"文件不存在：{path}", code="file-not-found")
    warnings: list[str] = []
    try:
        with pdfplumber.open(str(path)) as pdf:
            pages_raw = list(pdf.pages)
            total_chars = cid_chars = 0
            image_pages: list[int] = []
            empty_pages: list[int] = []
            for number, page in enumerate(pages_raw, start=1):
                glyphs = [c for c in page.chars if c.get("text", "").strip()]
                cids = sum(1 for c in glyphs if _CID.fullmatch(c["text"]) or _is_private_use(c["text"]))
                total_chars += len(glyphs)
                cid_chars += cids
                if len(glyphs) == cids:
                    (image_pages if page.images else empty_pages).append(number)
            if total_chars == 0:
                if image_pages:
                    raise ReadError("PDF 无文字层（疑似扫描件），需要先做 OCR 识别后再审核",
                                    code="scanned-pdf")
                raise ReadError("PDF 中没有任何文字内容", code="empty-pdf")
            if cid_chars * 2 > total_chars:
                raise ReadError(
                    f"PDF 文字无法解码（{cid_chars}/{total_chars} 个字符为无法映射的字形，"
                    "字体缺少 Unicode 映射），请提供 Word 原件或先做 OCR 识别",
                    code="pdf-garbled")
            if cid_chars:
                warnings.append(f"已去除 {cid_chars} 个无法解码的字形（cid），相关文字可能缺失")
            if image_pages:
                warnings.append("以下页面没有文字层（可能是扫描页），其内容未被读取：第"
                                + "、".join(map(str, image_pages)) + "页")
            pages = [_page_items(page.filter(_not_garbage)) for page in pages_raw]
    except (ReadError, MemoryError):  # out of memory is not damage: the caller reports it
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ReadError("PDF 已加密，无法读取，请提供未加密的文件", code="encrypted-pdf") from exc
    except Exception as exc:
        if _is_password_error(exc):
            raise ReadError("PDF 已加密，无法读取，请提供未加密的文件", code="encrypted-pdf") from exc
        raise ReadError(f"PDF 文件已损坏或格式无效，无法读取（{type(exc).__name__}）",
                        code="corrupt-pdf") from exc
    text = _assemble(pages)
    if not text.strip():
        raise ReadError("PDF 中没有可读取的文字内容", code="empty-pdf")
    return PdfExtraction(text, warnings)


def _is_private_use(text: str) -> bool:
    return len(text) == 1 and 0xE000 <= ord(text) <= 0xF8FF


def _not_garbage(obj: dict[str, Any]) -> bool:
    if obj.get("object_type") != "char":
        return True
    text = obj.get("text", "")
    return not (_CID.fullmatch(text) or _is_private_use(text))


def _is_password_error(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = type(current).__name__
        if "Password" in name or "Encryption" in name:
            return True
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException) and _is_password_error(arg):
                return True
        current = current.__cause__ or current.__context__
    return False


def read_pdf(path: Path) -> str:
    """Read a text PDF into Document text (paragraph lines and TAB-led tables)."""
    return extract_pdf(path).text
