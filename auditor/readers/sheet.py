"""Reader for spreadsheet attachments (.xlsx, .xlsm, .xls, .ods) via python-calamine.

Every non-empty sheet becomes a paragraph line with the sheet name followed by the sheet
as one table (see :mod:`auditor.readers.render`). Merged ranges are honoured: the top-left
cell carries the text, the rest of its first column continues as ``"\\t"`` and the other
covered slots are omitted. Empty trailing rows and columns are trimmed (merged ranges count
as content). Numbers are rendered as the sheet shows them where we can know it: for .xlsx/.xlsm the
cell's number format is read from the workbook XML (lxml) and percent and fixed-decimal
formats are applied (``0.00%`` → ``91.74%``, ``#,##0.00`` → ``1,234.50``, half-up rounding
as Excel does); every other number is shown as "General" does: 15 significant digits (so
0.1+0.2 shows as ``0.3``), no exponent, integers without ``.0``. For .xls/.ods the number
formats are not available (calamine does not expose them) and General is used.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any

from auditor.document import Anchor, LocatedText
from auditor.errors import ReadError
from auditor.preflight import DEFAULT_LIMITS
from auditor.readers.anchors import cell_line_offsets, column_letters, visible_slots
from auditor.readers.render import SpanCell, Table, grid_from_spans, render_blocks

__all__ = ["read_sheet", "read_xlsx", "read_xls", "format_cell_value", "format_number"]


def format_cell_value(value: Any) -> str:
    """Render one calamine cell value as a spreadsheet shows it in General format."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_float(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def _format_float(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    try:
        dec = Decimal(format(value, ".15g"))
    except InvalidOperation:  # pragma: no cover - format(.15g) of a finite float is valid
        return repr(value)
    text = format(dec, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_BUILTIN_FORMATS = {1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
                    37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)",
                    40: "#,##0.00;[Red](#,##0.00)"}
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def format_number(value: float | int, number_format: str) -> str:
    """Apply a percent or fixed-decimal number format; anything else falls back to General."""
    section = number_format.split(";")[0]
    plain = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", section)
    if not re.fullmatch(r"[#0,.%\s]*0[#0,.%\s]*", plain):
        return format_cell_value(value)
    decimals = len(plain.split(".", 1)[1].replace("%", "").strip().rstrip(",")) if "." in plain else 0
    number = Decimal(format(float(value), ".15g"))
    suffix = ""
    if "%" in plain:
        number *= 100
        suffix = "%"
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)
    grouped = "," in plain.split(".")[0]
    text = format(number, f"{',' if grouped else ''}.{decimals}f")
    first_digit = re.search(r"[#0]", section)
    last_digit = max(section.rfind("0"), section.rfind("#"), section.rfind("%"))
    prefix = _literals(section[:first_digit.start()]) if first_digit else ""
    return prefix + text + suffix + _literals(section[last_digit + 1:])


def _literals(fragment: str) -> str:
    """The literal text of a number-format fragment ("万元", \\元)."""
    return "".join(m.group(1) if m.group(1) is not None else m.group(2)
                   for m in re.finditer(r'"([^"]*)"|\\(.)', fragment))


def _col_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _xlsx_number_formats(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet name, the number format of each styled cell that has a percent/decimal format.

    Best effort: any problem reading the XML gives no formats (General is used)."""
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names or "xl/styles.xml" not in names:
                return {}
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            styles = etree.fromstring(archive.read("xl/styles.xml"), parser)
            custom = {int(n.get("numFmtId")): n.get("formatCode", "")
                      for n in styles.iter(f"{{{_MAIN_NS}}}numFmt")}
            xfs_parent = styles.find(f"{{{_MAIN_NS}}}cellXfs")
            style_formats: dict[int, str] = {}
            if xfs_parent is not None:
                for index, xf in enumerate(xfs_parent.findall(f"{{{_MAIN_NS}}}xf")):
                    fmt_id = int(xf.get("numFmtId", "0"))
                    code = custom.get(fmt_id) or _BUILTIN_FORMATS.get(fmt_id)
                    if code and ("%" in code or "0" in code):
                        style_formats[index] = code
            if not style_formats:
                return {}
            workbook = etree.fromstring(archive.read("xl/workbook.xml"), parser)
            rels_name = "xl/_rels/workbook.xml.rels"
            rels = etree.fromstring(archive.read(rels_name), parser) if rels_name in names else None
            targets = {}
            if rels is not None:
                for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship"):
                    target = rel.get("Target", "")
                    full = target.lstrip("/") if target.startswith("/") else \
                        str(PurePosixPath("xl") / target)
                    targets[rel.get("Id")] = full
            result: dict[str, dict[tuple[int, int], str]] = {}
            for sheet in workbook.iter(f"{{{_MAIN_NS}}}sheet"):
                part = targets.get(sheet.get(f"{{{_REL_NS}}}id"))
                if not part or part not in names:
                    continue
                cells: dict[tuple[int, int], str] = {}
                with archive.open(part) as stream:
                    for _event, cell in etree.iterparse(stream, tag=f"{{{_MAIN_NS}}}c",
                                                        resolve_entities=False, no_network=True):
                        style = cell.get("s")
                        ref = _CELL_REF.fullmatch(cell.get("r", ""))
                        if style is not None and ref and int(style) in style_formats:
                            cells[(int(ref.group(2)) - 1, _col_index(ref.group(1)))] = \
                                style_formats[int(style)]
                        cell.clear()
                result[sheet.get("name", "")] = cells
            return result
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - formats are a refinement; the values are still read
        return {}


# A run of more empty rows than this inside a sheet is left out of its table (a stray cell in
# row 1,048,576 would otherwise lay out a million empty rows); shorter runs are kept as they are.
MAX_EMPTY_ROW_RUN = 50


def _sheet_table(sheet: Any, formats: dict[tuple[int, int], str] | None = None,
                 kept_rows: list[int] | None = None) -> list[list[Any]] | None:
    """The sheet's table grid (``Cell | None`` rows), or None when the sheet holds nothing.

    Rows are streamed (``iter_rows``) and only rows with content are kept, so the cost follows
    the content, not the used range; runs of more than :data:`MAX_EMPTY_ROW_RUN` empty rows are
    dropped from the layout. ``kept_rows``, when given, receives the sheet row (0-based) of each
    grid row; a grid column is the sheet column."""
    formats = formats or {}
    start_col = (sheet.start or (0, 0))[1]
    width = sheet.width
    texts: dict[int, list[str]] = {}  # absolute row → texts by absolute column
    for r, row in enumerate(sheet.iter_rows()):
        if all(v is None or v == "" for v in row):
            continue
        offset = start_col if len(row) == width else 0  # iter_rows starts at the range's first column
        cells = [""] * offset
        for c, v in enumerate(row, start=offset):
            if (r, c) in formats and isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(format_number(v, formats[(r, c)]))
            else:
                cells.append(format_cell_value(v))
        texts[r] = cells
    merges = sheet.merged_cell_ranges or []

    def text_at(r: int, c: int) -> str:
        row = texts.get(r)
        return row[c] if row is not None and c < len(row) else ""

    # Extent: last row/col with text, or covered by a merged range whose anchor has text.
    n_rows = n_cols = 0
    busy: set[int] = set()  # rows that hold text or belong to a merged range with text
    for r, row in texts.items():
        for c, text in enumerate(row):
            if text.strip():
                n_rows, n_cols = max(n_rows, r + 1), max(n_cols, c + 1)
                busy.add(r)
    for (r0, c0), (r1, c1) in merges:
        if text_at(r0, c0).strip():
            n_rows, n_cols = max(n_rows, r1 + 1), max(n_cols, c1 + 1)
            busy.update(range(r0, r1 + 1))
    if n_rows == 0 or n_cols == 0:
        return None
    # Keep every row except those in long empty runs; renumber the kept ones.
    kept: list[int] = []
    previous = -1
    for r in sorted(busy):
        if r - previous - 1 <= MAX_EMPTY_ROW_RUN:
            kept.extend(range(previous + 1, r))
        kept.append(r)
        previous = r
    new_index = {r: i for i, r in enumerate(kept)}
    if kept_rows is not None:
        kept_rows.extend(kept)
    spans: list[SpanCell] = []
    merged_slots: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in merges:
        rows = [r for r in range(r0, r1 + 1) if r in new_index]
        if not rows:
            continue
        spans.append(SpanCell(new_index[rows[0]], c0, text_at(r0, c0), rowspan=len(rows), colspan=c1 - c0 + 1))
        for r in rows:
            for c in range(c0, c1 + 1):
                merged_slots.add((r, c))
    for r in kept:
        for c in range(n_cols):
            if (r, c) not in merged_slots:
                spans.append(SpanCell(new_index[r], c, text_at(r, c)))
    # Merged ranges first so their anchors win over the (empty) values they cover.
    return grid_from_spans(spans, len(kept), n_cols)


DEFAULT_MAX_SHEET_CELLS = DEFAULT_LIMITS.max_sheet_cells


DEFAULT_MAX_VALUES = DEFAULT_LIMITS.max_document_chars // 3  # each value renders as ≥ 3 characters


def check_xlsx_extent(path: Path, max_cells: int = DEFAULT_MAX_SHEET_CELLS,
                      max_values: int = DEFAULT_MAX_VALUES) -> None:
    """Refuse (``sheet-too-large``) an .xlsx whose sheet's used range (rows × columns up to its
    farthest cell with a value) exceeds ``max_cells``, BEFORE calamine lays the range out in
    memory (a stray value in XFD1048576 makes 17 billion cells), or whose cells with a value
    exceed ``max_values`` (their text could only pass the document cap). Streams the XML."""
    from lxml import etree

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # the reader reports it
    with archive:
        for part in archive.namelist():
            if not (part.startswith("xl/worksheets/") and part.endswith(".xml")):
                continue
            max_row = max_col = values = 0
            farthest = ""
            with archive.open(part) as stream:
                for _event, cell in etree.iterparse(stream, tag=f"{{{_MAIN_NS}}}c", resolve_entities=False,
                                                    no_network=True, huge_tree=False):
                    ref = _CELL_REF.fullmatch(cell.get("r", ""))
                    if len(cell):
                        values += 1
                    if ref is not None and len(cell):
                        row, col = int(ref.group(2)), _col_index(ref.group(1)) + 1
                        if row > max_row or col > max_col:
                            farthest = ref.group(0)
                        max_row, max_col = max(max_row, row), max(max_col, col)
                    cell.clear()
                    if values > max_values:
                        raise ReadError(
                            f"工作表部件 {part} 含超过 {max_values} 个有内容的单元格，排版后的文字远超单份报告的处理上限；"
                            "未审核，请确认提交的是报告附表本身，或拆分后重新提交", code="sheet-too-large")
            if max_row * max_col > max_cells:
                raise ReadError(
                    f"工作表部件 {part} 的使用范围达 {max_row} 行 × {max_col} 列（{max_row * max_col} 个单元格），"
                    f"超过处理上限 {max_cells} 个；多半是远处的零星单元格（最远的在 {farthest}），"
                    "请在 Excel 中删除多余的行和列后重新提交", code="sheet-too-large")


def read_sheet(path: Path, max_sheet_cells: int = DEFAULT_MAX_SHEET_CELLS,
               max_sheet_values: int = DEFAULT_MAX_VALUES) -> str:
    """Read every sheet of a workbook into Document text (sheet name line + table).

    An .xlsx whose used range exceeds ``max_sheet_cells`` is refused first (:func:`check_xlsx_extent`)."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError as exc:  # pragma: no cover - dependency is pinned
        raise ReadError("缺少表格读取组件 python-calamine，无法读取该文件", code="missing-dependency") from exc
    code = "corrupt-xlsx"
    if not Path(path).is_file():
        raise ReadError(f"文件不存在：{path}", code="file-not-found")
    if zipfile.is_zipfile(path):
        try:
            check_xlsx_extent(Path(path), max_sheet_cells, max_sheet_values)
        except ReadError:
            raise
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - damaged XML: calamine below reports it
            pass
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except FileNotFoundError as exc:
        raise ReadError(f"文件不存在：{path}", code="file-not-found") from exc
    except MemoryError:
        raise
    except Exception as exc:  # calamine raises several error types for damaged files
        if type(exc).__name__ == "PasswordError":
            raise ReadError("表格文件已加密，无法读取，请提供未加密的文件", code="encrypted-sheet") from exc
        raise ReadError(f"表格文件已损坏或不是有效的 Excel 文件，无法读取（{type(exc).__name__}）",
                        code=code) from exc
    pieces: list[str] = []
    anchors: list[Anchor] = []  # the sheet of each name line, the sheet!cell of each cell line
    offset = 0
    formats = _xlsx_number_formats(Path(path)) if zipfile.is_zipfile(path) else {}
    try:
        with workbook:
            for name in workbook.sheet_names:
                kept_rows: list[int] = []
                grid = _sheet_table(workbook.get_sheet_by_name(name), formats.get(name), kept_rows)
                if grid is None:
                    continue
                title, table = render_blocks([name]), render_blocks([Table(grid)])
                anchors.append(Anchor(offset, sheet=name))
                offset += len(title)
                for line_offset, (r, c) in zip(cell_line_offsets(table), visible_slots(grid)):
                    anchors.append(Anchor(offset + line_offset, sheet=name,
                                          cell=f"{column_letters(c)}{kept_rows[r] + 1}"))
                pieces += [title, table]
                offset += len(table)
    except (ReadError, MemoryError):  # out of memory is not damage: the caller reports it
        raise
    except Exception as exc:
        raise ReadError(f"表格文件已损坏，读取工作表时出错（{type(exc).__name__}）", code=code) from exc
    return LocatedText("".join(pieces), anchors)


def read_xlsx(path: Path) -> str:
    """Read an .xlsx/.xlsm workbook (alias of :func:`read_sheet`)."""
    return read_sheet(path)


def read_xls(path: Path) -> str:
    """Read a legacy .xls workbook (alias of :func:`read_sheet`)."""
    return read_sheet(path)
