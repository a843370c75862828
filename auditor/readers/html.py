"""Reader for saved web pages (.html/.htm) via selectolax (lexbor backend).

Text only: nothing in the page is ever executed; ``<script>``, ``<style>``, ``<noscript>``,
``<template>``, ``<head>`` and comments are dropped.

Decoding (we decode the bytes ourselves, the parser only sees ``str``) follows the one policy of
:mod:`auditor.readers.decode`, with the charset a ``<meta charset=…>`` or ``<meta http-equiv=
"Content-Type" content="…; charset=…">`` declares in the first 4 KiB as a candidate (GB2312/GBK
labels mean GB18030; a UTF-16 label on a page whose declaration reads as ASCII, and a Western
single-byte label on a page with non-ASCII bytes, are not trusted); the BOM is dropped.

Layout: block elements (p, div, h1–h6, li, tr, br, …) end a line; inline text is joined
with HTML whitespace collapsing, except that a source line break between two CJK
characters is dropped (browsers' CJK segment-break rule). ``<pre>`` keeps its lines.

Tables: a data table (two or more columns somewhere) is rendered with
:func:`auditor.readers.render.render_table`, honouring rowspan/colspan; a table nested in a
data-table cell is flattened into that cell, one line per nested row (cells joined with a
space). A single-column table (typically a layout table wrapping the article) is not a data
table: its cells are read as ordinary page flow. Paragraphs holding ``|``-separated rows
are left as paragraphs (the table layer parses them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import ReadError
from auditor.readers.decode import decode_bytes, declared_charset
from auditor.readers.render import (
    Block,
    SpanCell,
    Table,
    clean_lines,
    grid_from_spans,
    render_blocks,
)

__all__ = ["read_html", "decode_html_bytes", "html_to_text"]

_MAX_SPAN = 1000
_MAX_DEPTH = 300

_DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "head", "title", "meta", "link",
    "iframe", "object", "embed", "svg", "math", "canvas", "audio", "video", "select",
    "input", "textarea", "button",
})
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend",
    "li", "main", "menu", "nav", "ol", "p", "section", "summary", "ul", "tr", "td", "th",
    "caption", "thead", "tbody", "tfoot", "option", "frameset", "noframes",
})
_CJK_RANGES = (
    (0x2E80, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF),
)
_WHITESPACE_RUN = re.compile(r"[ \t\n\r\f]+")


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def decode_html_bytes(data: bytes) -> tuple[str, str]:
    """Decode page bytes; return ``(text, codec used)``. Raises ``ReadError`` (decode-failed,
    mixed-encoding); see :mod:`auditor.readers.decode`."""
    return decode_bytes(data, declared_charset(data), keep_bom=False, kind="网页文件")


def _collapse(text: str) -> str:
    """HTML whitespace collapsing; a line break between two CJK characters disappears."""

    def repl(match: re.Match[str]) -> str:
        start, end = match.span()
        if "\n" in match.group(0) or "\r" in match.group(0):
            before = text[start - 1] if start > 0 else ""
            after = text[end] if end < len(text) else ""
            if before and after and _is_cjk(before) and _is_cjk(after):
                return ""
        return " "

    collapsed = _WHITESPACE_RUN.sub(repl, text)
    return collapsed.replace("\xa0", " ").strip()


@dataclass
class _Flow:
    """Collects blocks: inline text is buffered until a block boundary flushes it."""

    flatten_tables: bool = False
    blocks: list[Block] = field(default_factory=list)
    buffer: list[str] = field(default_factory=list)

    def text(self, text: str) -> None:
        self.buffer.append(text)

    def flush(self) -> None:
        if self.buffer:
            line = _collapse("".join(self.buffer))
            self.buffer.clear()
            if line:
                self.blocks.append(line)

    def line(self, text: str) -> None:
        self.flush()
        if text.strip():
            self.blocks.append(text.strip())

    def table(self, grid: list[list[Any]]) -> None:
        self.flush()
        if not self.flatten_tables:
            self.blocks.append(Table(grid))
            return
        for row in grid:
            parts = [" ".join(clean_lines(slot.text)) for slot in row
                     if slot is not None and not slot.continuation]
            line = " ".join(p for p in parts if p)
            if line:
                self.blocks.append(line)

    def lines(self) -> list[str]:
        self.flush()
        return [b for b in self.blocks if isinstance(b, str)]


def _children(node: Any) -> list[Any]:
    out = []
    child = node.child
    while child is not None:
        out.append(child)
        child = child.next
    return out


def _span_attr(node: Any, name: str) -> int:
    raw = (node.attributes or {}).get(name)
    if raw is None:
        return 1
    match = re.match(r"\s*(\d+)", raw)
    if not match:
        return 1
    return min(int(match.group(1)), _MAX_SPAN)


def _table_rows(table: Any) -> list[Any]:
    rows = []
    for child in _children(table):
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in _children(child) if c.tag == "tr")
    return rows


def _walk(node: Any, flow: _Flow, depth: int = 0) -> None:
    for child in _children(node):
        tag = child.tag
        if tag == "-text":
            flow.text(child.text(deep=False) or "")
        elif tag is None or tag.startswith("-") or tag.startswith("!") or tag in _DROP_TAGS:
            continue
        elif depth >= _MAX_DEPTH:
            flow.line(child.text(deep=True, separator=" ") or "")
        elif tag == "br":
            flow.flush()
        elif tag == "table":
            _table(child, flow, depth)
        elif tag == "pre":
            flow.flush()
            for line in (child.text(deep=True) or "").splitlines():
                flow.line(line)
        elif tag in _BLOCK_TAGS:
            flow.flush()
            _walk(child, flow, depth + 1)
            flow.flush()
        else:
            _walk(child, flow, depth + 1)


def _cell_text(cell: Any, depth: int) -> str:
    inner = _Flow(flatten_tables=True)
    _walk(cell, inner, depth + 1)
    return "\n".join(inner.lines())


def _table(table: Any, flow: _Flow, depth: int) -> None:
    flow.flush()
    for child in _children(table):
        if child.tag == "caption":
            _walk(child, flow, depth + 1)
            flow.flush()
    rows = _table_rows(table)
    row_cells = [[c for c in _children(tr) if c.tag in ("td", "th")] for tr in rows]
    if max((len(cells) for cells in row_cells), default=0) <= 1:
        # Single-column (layout) table: read the cells as ordinary page flow.
        for cells in row_cells:
            for cell in cells:
                _walk(cell, flow, depth + 1)
                flow.flush()
        return
    spans: list[SpanCell] = []
    occupied: set[tuple[int, int]] = set()
    n_rows = len(row_cells)
    for r, cells in enumerate(row_cells):
        c = 0
        for cell in cells:
            while (r, c) in occupied:
                c += 1
            rowspan = _span_attr(cell, "rowspan")
            colspan = max(_span_attr(cell, "colspan"), 1)
            if rowspan == 0:  # HTML: span to the end of the table section
                rowspan = n_rows - r
            rowspan = max(min(rowspan, n_rows - r), 1)
            spans.append(SpanCell(r, c, _cell_text(cell, depth), rowspan, colspan))
            for rr in range(r, r + rowspan):
                for cc in range(c, c + colspan):
                    occupied.add((rr, cc))
            c += colspan
    n_cols = max((cc + 1 for _, cc in occupied), default=0)
    if n_rows and n_cols:
        flow.table(grid_from_spans(spans, n_rows, n_cols))


# Deeper element nesting than this is flattened before parsing: the parser's time grows with the
# square of the nesting depth (200,000 nested <div> take minutes); real pages stay under 100.
MAX_NESTING = 1000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]{0,4000}?(/?)>")  # bounded: linear in the page
# Elements that never hold others (void) or close themselves (optional end tags): no depth.
_NO_DEPTH = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option",
    "optgroup", "rb", "rt", "rp", "colgroup", "caption", "html", "head", "body",
})


def flatten_deep_nesting(html: str, max_depth: int = MAX_NESTING) -> str:
    """``html`` with the tags nested deeper than ``max_depth`` removed (their text kept), so that
    parsing stays linear. A page within the limit is returned unchanged."""
    depth = 0
    cuts: list[tuple[int, int]] = []
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name in _NO_DEPTH or self_closing:
            continue
        if closing:
            if depth > max_depth:
                cuts.append(match.span())
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > max_depth:
                cuts.append(match.span())
    if not cuts:
        return html
    pieces, at = [], 0
    for start, end in cuts:
        pieces.append(html[at:start])
        at = end
    pieces.append(html[at:])
    return "".join(pieces)


def html_to_text(html: str) -> str:
    """Turn decoded HTML into Document text (paragraph lines and TAB-led tables)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(flatten_deep_nesting(html))
    root = tree.root
    flow = _Flow()
    if root is not None:
        body = tree.body
        if body is not None:
            _walk(body, flow)
        else:
            _walk(root, flow)
    flow.flush()
    return render_blocks(flow.blocks)


def read_html(path: Path) -> str:
    """Read an .html/.htm file into Document text."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise ReadError(f"文件不存在：{path}", code="file-not-found") from exc
    except OSError as exc:
        raise ReadError(f"无法打开网页文件：{exc.strerror or exc}", code="read-failed") from exc
    text, _codec = decode_html_bytes(data)
    try:
        return html_to_text(text)
    except (ReadError, MemoryError):  # out of memory is not damage: the caller reports it
        raise
    except Exception as exc:  # the parser itself should not fail, but never leak a traceback
        raise ReadError(f"网页解析失败（{type(exc).__name__}）", code="html-parse-failed") from exc
