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

from auditor.errors import ReadError
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
    except Exception:  # noqa: BLE001 - formats are a refinement; the values are still read
        return {}


def _sheet_table(sheet: Any, formats: dict[tuple[int, int], str] | None = None
                 ) -> list[list[Any]] | None:
    """The sheet's table grid (``Cell | None`` rows), or None when the sheet holds nothing."""
    values = sheet.to_python(skip_empty_area=False)
    formats = formats or {}
    texts = [[format_number(v, formats[(r, c)])
              if (r, c) in formats and isinstance(v, (int, float)) and not isinstance(v, bool)
              else format_cell_value(v) for c, v in enumerate(row)]
             for r, row in enumerate(values)]
    merges = sheet.merged_cell_ranges or []
    # Extent: last row/col with text, or covered by a merged range whose anchor has text.
    n_rows = 0
    n_cols = 0
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            if text.strip():
                n_rows = max(n_rows, r + 1)
                n_cols = max(n_cols, c + 1)
    spans: list[SpanCell] = []
    merged_slots: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in merges:
        anchor = texts[r0][c0] if r0 < len(texts) and c0 < len(texts[r0]) else ""
        if anchor.strip():
            n_rows = max(n_rows, r1 + 1)
            n_cols = max(n_cols, c1 + 1)
        spans.append(SpanCell(r0, c0, anchor, rowspan=r1 - r0 + 1, colspan=c1 - c0 + 1))
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                merged_slots.add((r, c))
    if n_rows == 0 or n_cols == 0:
        return None
    for r in range(min(n_rows, len(texts))):
        for c in range(min(n_cols, len(texts[r]))):
            if (r, c) not in merged_slots:
                spans.append(SpanCell(r, c, texts[r][c]))
    # Merged ranges first so their anchors win over the (empty) values they cover.
    return grid_from_spans(spans, n_rows, n_cols)


def read_sheet(path: Path) -> str:
    """Read every sheet of a workbook into Document text (sheet name line + table)."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError as exc:  # pragma: no cover - dependency is pinned
        raise ReadError("缺少表格读取组件 python-calamine，无法读取该文件", code="missing-dependency") from exc
    code = "corrupt-xlsx"
    if not Path(path).is_file():
        raise ReadError(f"文件不存在：{path}", code="file-not-found")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except FileNotFoundError as exc:
        raise ReadError(f"文件不存在：{path}", code="file-not-found") from exc
    except Exception as exc:  # calamine raises several error types for damaged files
        if type(exc).__name__ == "PasswordError":
            raise ReadError("表格文件已加密，无法读取，请提供未加密的文件", code="encrypted-sheet") from exc
        raise ReadError(f"表格文件已损坏或不是有效的 Excel 文件，无法读取（{type(exc).__name__}）",
                        code=code) from exc
    blocks: list[str | Table] = []
    formats = _xlsx_number_formats(Path(path)) if zipfile.is_zipfile(path) else {}
    try:
        with workbook:
            for name in workbook.sheet_names:
                grid = _sheet_table(workbook.get_sheet_by_name(name), formats.get(name))
                if grid is None:
                    continue
                blocks.append(name)
                blocks.append(Table(grid))
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"表格文件已损坏，读取工作表时出错（{type(exc).__name__}）", code=code) from exc
    return render_blocks(blocks)


def read_xlsx(path: Path) -> str:
    """Read an .xlsx/.xlsm workbook (alias of :func:`read_sheet`)."""
    return read_sheet(path)


def read_xls(path: Path) -> str:
    """Read a legacy .xls workbook (alias of :func:`read_sheet`)."""
    return read_sheet(path)
