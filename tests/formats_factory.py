"""Builders, in code, for the reader fixtures: PDF (via LibreOffice), xlsx, xls and html.

All text is synthetic. Nothing is downloaded; PDF conversion needs ``soffice``
(Debian: libreoffice-writer-nogui) and CJK fonts (fonts-noto-cjk).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# ---------------------------------------------------------------------------------------
# Synthetic report content shared by the docx → pdf fixtures
# ---------------------------------------------------------------------------------------

REPORT_TITLE = "某某区示范单位二〇二三年度部门整体支出绩效自评报告"
REPORT_PARAGRAPHS = [
    "一、部门基本情况",
    "本单位主要职责是组织开展示范性公共服务工作，年度内共举办培训班十二期，"
    "培训学员一千三百余人次，完成基础设施维护项目七个，群众满意率达到百分之九十六点五，"
    "各项工作均按照年初计划有序推进并取得预期成效。",
    "二、预算执行情况",
    "全年预算数为358.20万元，全年执行数为351.07万元，预算执行率为98.01%。",
    "（一）资金使用情况",
    "资金主要用于人员经费、日常公用经费和专项业务经费三个方面，未发现挤占挪用现象。",
]
# A budget table with a vertical merge (first column, rows 2-3) and a horizontal merge
# (header "资金情况（万元）" over two columns).
REPORT_TABLE: list[list[str]] = [
    ["项目名称", "资金情况（万元）", "", "执行率"],
    ["培训经费", "120.00", "118.50", "98.75%"],
    ["", "30.00", "29.00", "96.67%"],
    ["合计", "150.00", "147.50", "98.33%"],
]
REPORT_TABLE_MERGES = [((0, 1), (0, 2)), ((1, 0), (2, 0))]
REPORT_AFTER_TABLE = "三、下一步工作打算"


@dataclass
class TableSpec:
    """A docx table: rows of cell texts and merged ranges ((r0, c0), (r1, c1)), inclusive."""

    rows: Sequence[Sequence[str]]
    merges: Sequence[tuple[tuple[int, int], tuple[int, int]]] = ()
    col_widths_cm: Sequence[float] | None = None


@dataclass
class DocxSpec:
    """What goes into a synthetic .docx: paragraphs (str) and tables, in order."""

    blocks: Sequence[str | TableSpec] = field(default_factory=lambda: [
        REPORT_TITLE, *REPORT_PARAGRAPHS,
        TableSpec([list(r) for r in REPORT_TABLE], list(REPORT_TABLE_MERGES)),
        REPORT_AFTER_TABLE,
    ])
    indent_first_line: bool = True
    page_number_footer: bool = False


def _add_page_number_footer(doc: "object") -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    footer = doc.sections[0].footer  # type: ignore[attr-defined]
    para = footer.paragraphs[0]
    para.add_run("- ")
    para._p.append(parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    para.add_run(" -")


def build_docx(path: Path, spec: DocxSpec | None = None) -> Path:
    """Write a .docx with python-docx following ``spec`` (CJK font set for LibreOffice)."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    spec = spec or DocxSpec()
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.font.size = Pt(12)
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")
    if spec.page_number_footer:
        _add_page_number_footer(doc)
    for block in spec.blocks:
        if isinstance(block, str):
            para = doc.add_paragraph(block)
            if spec.indent_first_line and len(block) > 20:
                para.paragraph_format.first_line_indent = Pt(24)
            continue
        n_cols = max(len(r) for r in block.rows)
        table = doc.add_table(rows=len(block.rows), cols=n_cols)
        table.style = "Table Grid"
        for r, row in enumerate(block.rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
        for (r0, c0), (r1, c1) in block.merges:
            keep = block.rows[r0][c0]
            merged = table.cell(r0, c0).merge(table.cell(r1, c1))
            merged.text = keep
        if block.col_widths_cm:
            table.autofit = False
            for c, width in enumerate(block.col_widths_cm):
                for row in table.rows:
                    row.cells[c].width = Cm(width)
    doc.save(str(path))
    return path


def soffice_available() -> bool:
    """True when LibreOffice's ``soffice`` is on PATH."""
    return shutil.which("soffice") is not None


def docx_to_pdf(docx_paths: Sequence[Path], out_dir: Path, timeout: float = 180) -> list[Path]:
    """Convert .docx files to PDF with one headless LibreOffice run (private profile)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        cmd = [
            "soffice", f"-env:UserInstallation=file://{profile}", "--headless",
            "--convert-to", "pdf", "--outdir", str(out_dir), *[str(p) for p in docx_paths],
        ]
        env = dict(os.environ, HOME=profile)
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout, env=env)
    pdfs = [out_dir / (Path(p).stem + ".pdf") for p in docx_paths]
    missing = [p for p in pdfs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice produced no PDF for {missing}")
    return pdfs


def encrypt_pdf(src: Path, dst: Path, user_password: str = "secret-pw") -> Path:
    """Encrypt ``src`` with a user password (AES-256) using pypdf."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(src)))
    writer.encrypt(user_password=user_password, owner_password=user_password + "-owner",
                   algorithm="AES-256")
    with open(dst, "wb") as fh:
        writer.write(fh)
    return dst


def build_scanned_pdf(path: Path, pages: int = 2) -> Path:
    """An image-only PDF (no text layer), as a scanner produces: text drawn into a PNG."""
    from PIL import Image, ImageDraw

    images = []
    for n in range(pages):
        img = Image.new("RGB", (620, 877), "white")
        draw = ImageDraw.Draw(img)
        for i in range(20):
            draw.text((40, 40 + i * 36), f"SCANNED PAGE {n + 1} LINE {i + 1} 12345.67", fill="black")
        draw.rectangle((40, 800, 580, 840), outline="black")
        images.append(img)
    images[0].save(str(path), "PDF", resolution=72.0, save_all=True, append_images=images[1:])
    return path


def build_blank_pdf(path: Path) -> Path:
    """A PDF with one empty page: no text, no images."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def build_corrupt_file(path: Path, header: bytes = b"%PDF-1.7\n") -> Path:
    """A file that claims a format by its name/header but is garbage inside."""
    path.write_bytes(header + b"\x00garbage\xff\xfe not a real document " * 20)
    return path


# ---------------------------------------------------------------------------------------
# Spreadsheets
# ---------------------------------------------------------------------------------------

SHEET_ROWS: list[list[object]] = [
    ["绩效指标", "", "指标值", "完成值", "分值", "得分"],
    ["产出指标", "数量指标", "≥10次", "12次", 20, 20],
    ["", "质量指标", "合格", "合格", 10, 9.5],
    ["效益指标", "满意度", "≥90%", "96.5%", 10, 0.1 + 0.2],
    ["合计", "", "", "", 40, 29.8],
]
# (first_row, first_col, last_row, last_col), 0-based, inclusive
SHEET_MERGES = [(0, 0, 0, 1), (1, 0, 2, 0), (4, 0, 4, 3)]


def build_xlsx(path: Path, trailing_blank: bool = True) -> Path:
    """Two sheets: an indicator table with merges, and a small budget sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "项目自评表"
    for r, row in enumerate(SHEET_ROWS, start=1):
        for c, value in enumerate(row, start=1):
            if value != "":
                ws.cell(row=r, column=c, value=value)
    for r0, c0, r1, c1 in SHEET_MERGES:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    if trailing_blank:
        # Formatting far away without a value: must not create empty trailing rows/cols.
        ws.cell(row=40, column=12).number_format = "0.00"
        ws.cell(row=41, column=13, value="")
    ws2 = wb.create_sheet("资金情况")
    ws2.append(["年初预算数", "全年预算数", "全年执行数"])
    ws2.append([66.91, 70, 69.5])
    ws2.append(["多行\n单元格", 1234567.5, 0.0001])
    wb.create_sheet("空表")
    wb.save(str(path))
    return path


def build_xls(path: Path) -> Path:
    """A legacy .xls with the same indicator table and merges, written with xlwt."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("项目自评表")
    merged_anchor = {(r0, c0): (r0, c0, r1, c1) for r0, c0, r1, c1 in SHEET_MERGES}
    covered = {(r, c) for r0, c0, r1, c1 in SHEET_MERGES
               for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, row in enumerate(SHEET_ROWS):
        for c, value in enumerate(row):
            if (r, c) in merged_anchor:
                r0, c0, r1, c1 = merged_anchor[(r, c)]
                ws.write_merge(r0, r1, c0, c1, value)
            elif (r, c) not in covered and value != "":
                ws.write(r, c, value)
    wb.save(str(path))
    return path


# ---------------------------------------------------------------------------------------
# HTML pages
# ---------------------------------------------------------------------------------------

HTML_BODY = """
<h1>示范单位绩效自评公开</h1>
<p>本年度共开展专题
调研八次，形成报告五篇。</p>
<script>alert(1)</script>
<style>p { color: red }</style>
<noscript>请启用脚本</noscript>
<!-- 内部备注：不应出现 -->
<div>资金执行<b>情况</b>如下：<br>预算执行率为97.5%。</div>
<table border="1">
  <tr><th rowspan="2">指标</th><th colspan="2">数值</th><th>备注</th></tr>
  <tr><td>计划</td><td>完成</td><td>无</td></tr>
  <tr><td>培训人次</td><td>500</td><td>520<table><tr><td>其中线上</td><td>200</td></tr></table></td><td></td></tr>
</table>
<ul><li>第一项措施</li><li>第二项措施</li></ul>
<p>项目|预算|执行</p>
<p>培训|120|118.5</p>
"""


def html_page(body: str = HTML_BODY, charset: str | None = "utf-8", http_equiv: bool = False) -> str:
    """A complete HTML page with an optional charset declaration."""
    if charset is None:
        meta = ""
    elif http_equiv:
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    else:
        meta = f'<meta charset="{charset}">'
    return f"<!DOCTYPE html>\n<html><head>{meta}<title>公开页面</title></head><body>{body}</body></html>\n"


def build_html(path: Path, encoding: str = "utf-8", declared: str | None = "utf-8",
               http_equiv: bool = False, bom: bool = False, body: str = HTML_BODY) -> Path:
    """Write an HTML page encoded with ``encoding`` and declaring ``declared``."""
    data = html_page(body, declared, http_equiv).encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------
# A longer synthetic report: several pages, wrapped lines, narrow columns, a long table
# ---------------------------------------------------------------------------------------

_ACTIVITIES = ["专题培训", "走访调研", "业务督导", "设备巡检", "档案整理", "宣传活动", "志愿服务"]


def long_report_spec(indent_first_line: bool = True) -> DocxSpec:
    """Many paragraphs (several wrap onto 2–4 lines, one crosses a page break), headings,
    Latin words at line ends, a narrow-column table with wrapped headers and merges, and a
    table long enough to run over a page break."""
    blocks: list[str | TableSpec] = ["示范中心二〇二三年度项目支出绩效自评报告"]
    heading_numbers = "一二三四五六七八"
    for h in range(6):
        blocks.append(f"{heading_numbers[h]}、第{h + 1}部分工作情况")
        for k in range(3):
            act = _ACTIVITIES[(h + k) % len(_ACTIVITIES)]
            sentence = (
                f"本部分第{k + 1}项工作围绕{act}展开，全年累计组织{act}{12 + h * 3 + k}次，"
                f"覆盖服务对象{350 + 17 * h + k}人次，使用资金{(h + 1) * 10.25 + k:.2f}万元，"
                "相关台账资料完整，过程管理规范，APP platform 数据同步上报，"
            )
            blocks.append(sentence * (1 + (h + k) % 3) + "整体达到预期目标。")
        blocks.append(f"（{heading_numbers[h]}）存在问题")
        blocks.append("部分基层点位设备老化")
    blocks.append(TableSpec(
        rows=[
            ["一级指标", "二级指标", "年初预算数（万元）", "全年执行数（万元）", "执行率", "分值", "得分",
             "偏差原因分析及改进措施"],
            ["产出指标", "数量指标", "100.00", "98.00", "98.00%", "20", "19.60",
             "个别培训场次因天气原因顺延至次年一季度举办"],
            ["", "质量指标", "50.00", "50.00", "100.00%", "20", "20.00", "无"],
            ["效益指标", "社会效益", "30.00", "27.50", "91.67%", "10", "9.17", "采购价格下降形成结余"],
        ],
        merges=[((1, 0), (2, 0))],
        col_widths_cm=[2.0, 2.0, 1.8, 1.8, 1.8, 1.2, 1.4, 4.0],
    ))
    blocks.append("四、分项资金明细")
    rows = [["序号", "支出内容", "金额（万元）"]]
    for i in range(1, 46):
        rows.append([str(i), f"{_ACTIVITIES[i % len(_ACTIVITIES)]}第{i}批次支出", f"{i * 1.37:.2f}"])
    blocks.append(TableSpec(rows=rows))
    blocks.append("五、结论")
    blocks.append("综上，本年度项目总体完成情况良好，自评等级为优。")
    return DocxSpec(blocks=blocks, indent_first_line=indent_first_line, page_number_footer=True)


def spec_paragraphs_and_tables(spec: DocxSpec) -> tuple[list[str], list[list[str]]]:
    """The paragraphs and, per table, the visible cell texts in order, as put in the docx
    (merged-away slots dropped, vertical continuations as "")."""
    paragraphs: list[str] = []
    tables: list[list[str]] = []
    for block in spec.blocks:
        if isinstance(block, str):
            paragraphs.append(block)
            continue
        covered: set[tuple[int, int]] = set()
        continued: set[tuple[int, int]] = set()
        for (r0, c0), (r1, c1) in block.merges:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) == (r0, c0):
                        continue
                    (continued if c == c0 else covered).add((r, c))
        cells = []
        for r, row in enumerate(block.rows):
            for c, text in enumerate(row):
                if (r, c) in covered:
                    continue
                cells.append("" if (r, c) in continued else text)
        tables.append(cells)
    return paragraphs, tables


# ---------------------------------------------------------------------------------------
# Hand-written PDFs: glyphs without a Unicode mapping ("(cid:NN)")
# ---------------------------------------------------------------------------------------

_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
# A composite font with Identity-H encoding and no ToUnicode map: the extractor can only
# report its glyphs as "(cid:NN)".
_UNMAPPED_CID_FONT = (
    b"<< /Type /Font /Subtype /Type0 /BaseFont /NoMap /Encoding /Identity-H /DescendantFonts "
    b"[<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NoMap /CIDSystemInfo "
    b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>] >>"
)


def build_raw_pdf(path: Path, latin_lines: Sequence[str], cid_glyphs: int) -> Path:
    """A one-page PDF: ``latin_lines`` in Helvetica, then ``cid_glyphs`` unmappable glyphs."""
    ops = bytearray()
    y = 760
    for line in latin_lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops += b"BT /F1 11 Tf 72 %d Td (%s) Tj ET\n" % (y, escaped.encode("latin-1"))
        y -= 16
    if cid_glyphs:
        hexes = "".join(f"{17 + i % 200:04X}" for i in range(cid_glyphs))
        ops += b"BT /F2 11 Tf 72 %d Td <%s> Tj ET\n" % (y, hexes.encode("ascii"))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(ops) + bytes(ops) + b"\nendstream",
        _HELVETICA,
        _UNMAPPED_CID_FONT,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def build_formatted_xlsx(path: Path) -> Path:
    """An .xlsx whose numbers carry percent / decimal / literal number formats."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "执行率"
    ws.append(["项目", "预算数", "执行数", "执行率", "人数", "比例（原始）"])
    ws.append(["培训", 1234.5, 1200, 1200 / 1234.5, 35, 0.25])
    ws["B2"].number_format = "#,##0.00"
    ws["C2"].number_format = "0.00"
    ws["D2"].number_format = "0.00%"
    ws["E2"].number_format = '0"人"'
    wb.save(str(path))
    return path
