"""Build .docx test fixtures in code, with python-docx (plus a little raw XML where python-docx
has no API: gridBefore/gridAfter, tracked changes, fields, content controls, text boxes).

All text is synthetic. Every builder takes the output path, writes the file and returns the path,
so other test modules can do ``build_budget_report_docx(tmp_path / "r.docx")``.

``BUILDERS`` maps a short name to every builder, for tests that run over all of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph

__all__ = [
    "BUILDERS",
    "HEADER_TEXT",
    "FOOTER_TEXT",
    "build_budget_report_docx",
    "build_merged_grid_docx",
    "build_inline_markup_docx",
    "build_plain_paragraphs_docx",
]

HEADER_TEXT = "页眉：内部测试资料请勿外传"
FOOTER_TEXT = "页脚：第一页共一页"

_REVISION_ATTRS = 'w:author="审核员" w:date="2024-03-01T09:00:00Z"'
_next_revision_id = [100]


def _revision_id() -> int:
    _next_revision_id[0] += 1
    return _next_revision_id[0]


def _add_header_footer(document: DocumentObject) -> None:
    section = document.sections[0]
    section.header.paragraphs[0].text = HEADER_TEXT
    section.footer.paragraphs[0].text = FOOTER_TEXT


def _add_deleted_run(paragraph: Paragraph, text: str) -> None:
    """Append a tracked deletion (w:del/w:r/w:delText) to ``paragraph``."""
    paragraph._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="{_revision_id()}" {_REVISION_ATTRS}>'
            f'<w:r><w:delText xml:space="preserve">{escape(text)}</w:delText></w:r></w:del>'
        )
    )


def _add_inserted_run(paragraph: Paragraph, text: str) -> None:
    """Append a tracked insertion (w:ins/w:r/w:t) to ``paragraph``."""
    paragraph._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="{_revision_id()}" {_REVISION_ATTRS}>'
            f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:ins>'
        )
    )


def _set_row_grid_before(row: _Row, columns: int) -> None:
    """Make ``row`` start ``columns`` grid columns late: add w:gridBefore, drop its first cells."""
    tr = row._tr
    tr_pr = tr.get_or_add_trPr()
    tr_pr.insert(0, parse_xml(f'<w:gridBefore {nsdecls("w")} w:val="{columns}"/>'))
    for tc in tr.tc_lst[:columns]:
        tr.remove(tc)


def _set_row_grid_after(row: _Row, columns: int) -> None:
    """Make ``row`` end ``columns`` grid columns early: add w:gridAfter, drop its last cells."""
    tr = row._tr
    tr_pr = tr.get_or_add_trPr()
    grid_after = parse_xml(f'<w:gridAfter {nsdecls("w")} w:val="{columns}"/>')
    grid_before = tr_pr.find(qn("w:gridBefore"))
    if grid_before is not None:
        grid_before.addnext(grid_after)
    else:
        tr_pr.insert(0, grid_after)
    for tc in tr.tc_lst[-columns:]:
        tr.remove(tc)


def _fill_row(table: Table, row_index: int, texts: list[str | None]) -> None:
    """Set the text of the cells of a row; None leaves a cell untouched."""
    for column, text in enumerate(texts):
        if text is not None:
            table.cell(row_index, column).text = text


def _set_cell_paragraphs(table: Table, row: int, column: int, paragraphs: list[str]) -> None:
    """Give a cell several paragraphs (the first replaces the cell's existing text)."""
    cell = table.cell(row, column)
    cell.text = paragraphs[0]
    for text in paragraphs[1:]:
        cell.add_paragraph(text)


# ------------------------------------------------------------------------------------------
# Builders
# ------------------------------------------------------------------------------------------


def build_budget_report_docx(path: Path) -> Path:
    """A 部门整体支出绩效自评报告 with a budget table and an indicator table.

    Budget table: a title row spanning all 7 columns (gridSpan), a 资金情况 label merged down
    two rows (vMerge), 年初预算数/全年预算数/全年执行数/分值/执行率/得分.
    Indicator table: 一级指标 cells merged down (vMerge), a multi-paragraph 一级指标 cell with an
    empty paragraph ("产出指标", "", "（50分）"), a two-paragraph 偏差原因分析 cell and a 合计 row
    spanning five columns. A tracked deletion in the closing narrative, header and footer text.
    """
    document = Document()
    _add_header_footer(document)
    document.add_paragraph("某区文化馆2023年度部门整体支出绩效自评报告")
    document.add_heading("一、部门基本情况", level=1)
    document.add_heading("（一）部门职能", level=2)
    document.add_paragraph(
        "本馆核定编制25人，年末实有在职人员23人，全年组织公益展演46场，服务群众约1.2万人次。"
    )
    document.add_heading("（二）预算执行情况", level=2)
    document.add_paragraph("2023年全年预算数为865.40万元，全年执行数为842.16万元，预算执行率97.31%。")
    document.add_paragraph("")
    document.add_paragraph("附件：部门整体支出绩效自评表")

    budget = document.add_table(rows=3, cols=7)
    title = budget.cell(0, 0).merge(budget.cell(0, 6))
    title.text = "部门整体支出绩效自评表（2023年度）"
    label = budget.cell(1, 0).merge(budget.cell(2, 0))
    label.text = "资金情况（万元）"
    _fill_row(budget, 1, [None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    _fill_row(budget, 2, [None, "812.00", "865.40", "842.16", "10", "97.31%", "9.73"])

    document.add_heading("二、绩效指标完成情况", level=1)
    indicators = document.add_table(rows=8, cols=8)
    _fill_row(
        indicators,
        0,
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析"],
    )
    output = indicators.cell(1, 0).merge(indicators.cell(3, 0))
    output.text = "产出指标"
    output.add_paragraph("")
    output.add_paragraph("（50分）")
    _fill_row(indicators, 1, [None, "数量指标", "公益展演场次", "≥40场", "46场", "20", "20", ""])
    _fill_row(indicators, 2, [None, "质量指标", "活动验收合格率", "100%", "100%", "15", "15", ""])
    _fill_row(indicators, 3, [None, "时效指标", "资金支付及时率", "≥95%", "92%", "15", "13", None])
    _set_cell_paragraphs(indicators, 3, 7, ["第四季度部分合同延期结算", "下年度提前安排支付计划"])
    benefit = indicators.cell(4, 0).merge(indicators.cell(5, 0))
    benefit.text = "效益指标"
    _fill_row(indicators, 4, [None, "社会效益指标", "群众参与人次", "≥1万人次", "1.2万人次", "20", "20", ""])
    _fill_row(indicators, 5, [None, "可持续影响指标", "阵地开放天数", "≥300天", "306天", "10", "10", ""])
    _fill_row(indicators, 6, ["满意度指标", "服务对象满意度", "群众满意度", "≥90%", "95%", "10", "10", ""])
    total = indicators.cell(7, 0).merge(indicators.cell(7, 4))
    total.text = "合计"
    _fill_row(indicators, 7, [None, None, None, None, None, "90", "88", ""])

    document.add_heading("三、存在问题及改进措施", level=1)
    closing = document.add_paragraph("部分项目资金支付进度偏慢")
    _add_deleted_run(closing, "，已于年底前全部整改到位")
    closing.add_run("，下一步将加强预算执行监控。")
    document.save(path)
    return path


def build_merged_grid_docx(path: Path) -> Path:
    """A 4-column table exercising the grid: gridSpan, vMerge, gridBefore, gridAfter,
    multi-paragraph cells, an empty paragraph inside a cell, soft line breaks, tab characters,
    a nested table and a tracked deletion inside a cell; then a second small table, and
    paragraphs before, between and after (with tabs and a soft break in the body).
    """
    document = Document()
    _add_header_footer(document)
    document.add_paragraph("表前段落：以下为合并单元格示例。")
    document.add_paragraph("项目\t金额")
    document.add_paragraph("\t以制表符开头的正文段落")
    document.add_paragraph("正文第一行\n正文第二行")

    table = document.add_table(rows=6, cols=4)
    wide = table.cell(0, 0).merge(table.cell(0, 1))
    wide.text = "横向合并两格"
    _fill_row(table, 0, [None, None, "乙列标题", "丙列标题"])

    tall = table.cell(1, 0).merge(table.cell(2, 0))
    tall.text = "纵向合并两行"
    _fill_row(table, 1, [None, "第二行乙", None, None])
    _set_cell_paragraphs(table, 1, 2, ["第一段文字", "第二段文字"])
    table.cell(1, 3).text = "上半行\n下半行"
    _fill_row(table, 2, [None, "第三行乙", None, "\t制表符开头的单元格"])
    _set_cell_paragraphs(table, 2, 2, ["空段之前", "", "空段之后"])

    nested_host = table.cell(3, 0)
    nested_host.text = "外层单元格文字"
    inner = nested_host.add_table(rows=2, cols=2)
    _fill_row(inner, 0, ["内表甲", "内表乙"])
    _fill_row(inner, 1, ["内表丙", "内表丁"])
    _fill_row(table, 3, [None, "第四行乙", "第四行丙", None])
    keep = table.cell(3, 3).paragraphs[0]
    keep.add_run("保留文字")
    _add_deleted_run(keep, "被删除的文字")

    # Fill both rows first: python-docx's cell lookup does not understand gridBefore.
    _fill_row(table, 4, ["被移除的首格", "缺首列乙", "缺首列丙", "缺首列丁"])
    _fill_row(table, 5, ["缺末列甲", "缺末列乙", "缺末列丙", "被移除的末格"])
    _set_row_grid_before(table.rows[4], 1)
    _set_row_grid_after(table.rows[5], 1)

    document.add_paragraph("两表之间的段落。")
    second = document.add_table(rows=1, cols=2)
    _fill_row(second, 0, ["第二表左", "第二表右"])
    document.add_paragraph("表后段落。")
    document.save(path)
    return path


_TEXTBOX_NAMESPACES = " ".join(
    f'xmlns:{prefix}="{uri}"'
    for prefix, uri in (
        ("w", "http://schemas.openxmlformats.org/wordprocessingml/2006/main"),
        ("mc", "http://schemas.openxmlformats.org/markup-compatibility/2006"),
        ("wp", "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"),
        ("a", "http://schemas.openxmlformats.org/drawingml/2006/main"),
        ("wps", "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"),
        ("v", "urn:schemas-microsoft-com:vml"),
    )
)

_TEXTBOX_RUN = """
<w:r {ns}>
  <mc:AlternateContent>
    <mc:Choice Requires="wps">
      <w:drawing>
        <wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1"
                   behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">
          <wp:simplePos x="0" y="0"/>
          <wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>
          <wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>
          <wp:extent cx="914400" cy="457200"/>
          <wp:wrapNone/>
          <wp:docPr id="7" name="文本框 7"/>
          <a:graphic>
            <a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
              <wps:wsp>
                <wps:txbx>
                  <w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>
                </wps:txbx>
                <wps:bodyPr/>
              </wps:wsp>
            </a:graphicData>
          </a:graphic>
        </wp:anchor>
      </w:drawing>
    </mc:Choice>
    <mc:Fallback>
      <w:pict>
        <v:shape id="文本框7" style="width:72pt;height:36pt">
          <v:textbox>
            <w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>
          </v:textbox>
        </v:shape>
      </w:pict>
    </mc:Fallback>
  </mc:AlternateContent>
</w:r>
"""


def build_inline_markup_docx(path: Path) -> Path:
    """Paragraph markup that hides text from a naive reader: hyperlink, tracked insertion,
    deletion and move, a simple field and a complex field (whose code must not show), a
    smart tag, inline and block content controls (w:sdt), a text box written twice
    (DrawingML choice and VML fallback; it must appear once), a page break, a bookmark and
    a whole paragraph deleted with tracked changes.
    """
    document = Document()
    _add_header_footer(document)
    w = nsdecls("w")
    r_ns = nsdecls("r")

    link = document.add_paragraph("详见")
    link._p.append(
        parse_xml(
            f'<w:hyperlink {w} {r_ns} w:anchor="附表一"><w:r><w:t>附表一</w:t></w:r></w:hyperlink>'
        )
    )
    link.add_run("所列数据。")

    tracked = document.add_paragraph("全年完成")
    _add_deleted_run(tracked, "30")
    _add_inserted_run(tracked, "32")
    tracked.add_run("项检查")
    tracked._p.append(
        parse_xml(
            f'<w:moveFrom {w} w:id="{_revision_id()}" {_REVISION_ATTRS}>'
            f"<w:r><w:t>移走的文字</w:t></w:r></w:moveFrom>"
        )
    )
    tracked.add_run("。")

    fields = document.add_paragraph("本报告共")
    fields._p.append(
        parse_xml(
            f'<w:fldSimple {w} w:instr=" NUMPAGES "><w:r><w:t>3</w:t></w:r></w:fldSimple>'
        )
    )
    fields.add_run("页，编号")
    for fragment in (
        '<w:r {w}><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r {w}><w:instrText xml:space="preserve"> DOCPROPERTY 编号 </w:instrText></w:r>',
        '<w:r {w}><w:fldChar w:fldCharType="separate"/></w:r>',
        "<w:r {w}><w:t>BG-07</w:t></w:r>",
        '<w:r {w}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        fields._p.append(parse_xml(fragment.format(w=w)))
    fields.add_run("。")

    tagged = document.add_paragraph("地点：")
    tagged._p.append(
        parse_xml(
            f'<w:smartTag {w} w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="place">'
            f"<w:r><w:t>城东街道</w:t></w:r></w:smartTag>"
        )
    )
    tagged._p.append(
        parse_xml(
            f"<w:sdt {w}><w:sdtPr/><w:sdtContent><w:r><w:t>（控件内文字）</w:t></w:r>"
            f"</w:sdtContent></w:sdt>"
        )
    )

    boxed = document.add_paragraph("正文与文本框")
    boxed._p.append(
        parse_xml(
            _TEXTBOX_RUN.format(
                ns=_TEXTBOX_NAMESPACES,
                text="文本框内的说明",
            )
        )
    )

    page = document.add_paragraph("分页前")
    page._p.append(parse_xml(f'<w:r {w}><w:br w:type="page"/></w:r>'))
    page.add_run("分页后")

    marked = document.add_paragraph()
    marked._p.append(parse_xml(f'<w:bookmarkStart {w} w:id="0" w:name="_GoBack"/>'))
    marked.add_run("书签所在段落")
    marked._p.append(parse_xml(f'<w:bookmarkEnd {w} w:id="0"/>'))

    removed = document.add_paragraph()
    removed._p.get_or_add_pPr().append(
        parse_xml(
            f'<w:rPr {w}><w:del w:id="{_revision_id()}" {_REVISION_ATTRS}/></w:rPr>'
        )
    )
    _add_deleted_run(removed, "整段删除的文字")

    body = document.element.body
    block_sdt = parse_xml(
        f"<w:sdt {w}><w:sdtPr/><w:sdtContent>"
        f"<w:p><w:r><w:t>块级控件中的段落</w:t></w:r></w:p>"
        f"</w:sdtContent></w:sdt>"
    )
    body.insert(len(body) - 1, block_sdt)  # before the final w:sectPr
    document.add_paragraph("最后一段")
    document.save(path)
    return path


def build_plain_paragraphs_docx(path: Path, paragraphs: list[str] | None = None) -> Path:
    """Body paragraphs only (default: a short synthetic narrative), no tables."""
    document = Document()
    for text in paragraphs if paragraphs is not None else ["一、总体情况", "全年召开会议12次。", ""]:
        document.add_paragraph(text)
    document.save(path)
    return path


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "budget_report": build_budget_report_docx,
    "merged_grid": build_merged_grid_docx,
    "inline_markup": build_inline_markup_docx,
    "plain_paragraphs": build_plain_paragraphs_docx,
}
