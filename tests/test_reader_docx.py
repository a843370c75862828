"""Tests of auditor.readers.docx: the flattened Document text of a .docx and its table grid."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.errors import ReadError
from auditor.readers.docx import docx_table_grid, read_docx, read_docx_with_grid

from docx_factory import (
    BUILDERS,
    FOOTER_TEXT,
    HEADER_TEXT,
    build_budget_report_docx,
    build_inline_markup_docx,
    build_merged_grid_docx,
    build_plain_paragraphs_docx,
)

# ------------------------------------------------------------------------------------------
# Golden texts
# ------------------------------------------------------------------------------------------

BUDGET_REPORT_TEXT = (
    "某区文化馆2023年度部门整体支出绩效自评报告\n"
    "一、部门基本情况\n"
    "（一）部门职能\n"
    "本馆核定编制25人，年末实有在职人员23人，全年组织公益展演46场，服务群众约1.2万人次。\n"
    "（二）预算执行情况\n"
    "2023年全年预算数为865.40万元，全年执行数为842.16万元，预算执行率97.31%。\n"
    "\n"
    "附件：部门整体支出绩效自评表\n"
    "\t部门整体支出绩效自评表（2023年度）\n"
    "\n"
    "\t资金情况（万元）\n\t年初预算数\n\t全年预算数\n\t全年执行数\n\t分值\n\t执行率\n\t得分\n"
    "\n"
    "\t\n\t812.00\n\t865.40\n\t842.16\n\t10\n\t97.31%\n\t9.73\n"
    "\n"
    "\n"
    "二、绩效指标完成情况\n"
    "\t一级指标\n\t二级指标\n\t三级指标\n\t年度指标值\n\t实际完成值\n\t分值\n\t得分\n\t偏差原因分析\n"
    "\n"
    "\t产出指标\n\n（50分）\n\t数量指标\n\t公益展演场次\n\t≥40场\n\t46场\n\t20\n\t20\n\t\n"
    "\n"
    "\t\n\t质量指标\n\t活动验收合格率\n\t100%\n\t100%\n\t15\n\t15\n\t\n"
    "\n"
    "\t\n\t时效指标\n\t资金支付及时率\n\t≥95%\n\t92%\n\t15\n\t13\n"
    "\t第四季度部分合同延期结算\n下年度提前安排支付计划\n"
    "\n"
    "\t效益指标\n\t社会效益指标\n\t群众参与人次\n\t≥1万人次\n\t1.2万人次\n\t20\n\t20\n\t\n"
    "\n"
    "\t\n\t可持续影响指标\n\t阵地开放天数\n\t≥300天\n\t306天\n\t10\n\t10\n\t\n"
    "\n"
    "\t满意度指标\n\t服务对象满意度\n\t群众满意度\n\t≥90%\n\t95%\n\t10\n\t10\n\t\n"
    "\n"
    "\t合计\n\t90\n\t88\n\t\n"
    "\n"
    "\n"
    "三、存在问题及改进措施\n"
    "部分项目资金支付进度偏慢，下一步将加强预算执行监控。\n"
)

BUDGET_REPORT_GRID = [
    [
        [(0, 7, False)],
        [(column, 1, False) for column in range(7)],
        [(0, 1, True)] + [(column, 1, False) for column in range(1, 7)],
    ],
    [
        [(column, 1, False) for column in range(8)],
        [(column, 1, False) for column in range(8)],
        [(0, 1, True)] + [(column, 1, False) for column in range(1, 8)],
        [(0, 1, True)] + [(column, 1, False) for column in range(1, 8)],
        [(column, 1, False) for column in range(8)],
        [(0, 1, True)] + [(column, 1, False) for column in range(1, 8)],
        [(column, 1, False) for column in range(8)],
        [(0, 5, False), (5, 1, False), (6, 1, False), (7, 1, False)],
    ],
]

MERGED_GRID_TEXT = (
    "表前段落：以下为合并单元格示例。\n"
    "项目 金额\n"
    " 以制表符开头的正文段落\n"
    "正文第一行\n"
    "正文第二行\n"
    "\t横向合并两格\n\t乙列标题\n\t丙列标题\n"
    "\n"
    "\t纵向合并两行\n\t第二行乙\n\t第一段文字\n第二段文字\n\t上半行\n下半行\n"
    "\n"
    "\t\n\t第三行乙\n\t空段之前\n\n空段之后\n\t 制表符开头的单元格\n"
    "\n"
    "\t外层单元格文字\n内表甲 内表乙\n内表丙 内表丁\n\t第四行乙\n\t第四行丙\n\t保留文字\n"
    "\n"
    "\t缺首列乙\n\t缺首列丙\n\t缺首列丁\n"
    "\n"
    "\t缺末列甲\n\t缺末列乙\n\t缺末列丙\n"
    "\n"
    "\n"
    "两表之间的段落。\n"
    "\t第二表左\n\t第二表右\n"
    "\n"
    "\n"
    "表后段落。\n"
)

MERGED_GRID_GRID = [
    [
        [(0, 2, False), (2, 1, False), (3, 1, False)],
        [(0, 1, False), (1, 1, False), (2, 1, False), (3, 1, False)],
        [(0, 1, True), (1, 1, False), (2, 1, False), (3, 1, False)],
        [(0, 1, False), (1, 1, False), (2, 1, False), (3, 1, False)],
        [(1, 1, False), (2, 1, False), (3, 1, False)],
        [(0, 1, False), (1, 1, False), (2, 1, False)],
    ],
    [[(0, 1, False), (1, 1, False)]],
]

INLINE_MARKUP_TEXT = (
    "详见附表一所列数据。\n"
    "全年完成32项检查。\n"
    "本报告共3页，编号BG-07。\n"
    "地点：城东街道（控件内文字）\n"
    "正文与文本框\n"
    "文本框内的说明\n"
    "分页前分页后\n"
    "书签所在段落\n"
    "块级控件中的段落\n"
    "最后一段\n"
)

PLAIN_PARAGRAPHS_TEXT = "一、总体情况\n全年召开会议12次。\n\n"


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------


def parse_flat_tables(text: str) -> tuple[list[str], list[list[list[str]]]]:
    """Read the flattened text back: (lines outside tables, tables as rows of cell texts).

    Uses the grammar the reader promises: a TAB line starts a cell; inside a cell a blank
    line is followed by text; a blank line followed by a TAB line ends a row; two blank
    lines end the table.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the text ends with "\n"
    outside: list[str] = []
    tables: list[list[list[str]]] = []
    rows: list[list[str]] | None = None
    row: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("\t"):
            if rows is None:
                rows, row = [], []
            row.append(line[1:])
        elif rows is None:
            outside.append(line)
        elif line == "":
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if following.startswith("\t"):
                rows.append(row)
                row = []
            elif following == "":
                rows.append(row)
                tables.append(rows)
                rows, row = None, []
                index += 1  # the table's closing blank line
            else:
                row[-1] += "\n"
        else:
            row[-1] += "\n" + line
        index += 1
    assert rows is None, "text ended inside a table"
    return outside, tables


def python_docx_first_lines(path: Path) -> list[list[list[str]]]:
    """Independent oracle from python-docx: per table, row and XML cell (w:tc, so merged cells
    once), the expected first line of the cell ("" for a vertical continuation)."""
    document = Document(str(path))
    tables: list[list[list[str]]] = []
    for table in document.tables:
        rows = []
        for row in table.rows:
            cells = []
            for tc in row._tr.tc_lst:
                tc_pr = tc.tcPr
                v_merge = tc_pr.find(qn("w:vMerge")) if tc_pr is not None else None
                if v_merge is not None and v_merge.get(qn("w:val"), "continue") != "restart":
                    cells.append("")
                    continue
                first = Paragraph(tc.findall(qn("w:p"))[0], None)
                cells.append(first.text.replace("\t", " "))
            rows.append(cells)
        tables.append(rows)
    return tables


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def lines_outside_tables(text: str) -> list[str]:
    return parse_flat_tables(text)[0]


# ------------------------------------------------------------------------------------------
# Golden output of every fixture
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "expected_text", "expected_grid"),
    [
        (build_budget_report_docx, BUDGET_REPORT_TEXT, BUDGET_REPORT_GRID),
        (build_merged_grid_docx, MERGED_GRID_TEXT, MERGED_GRID_GRID),
        (build_inline_markup_docx, INLINE_MARKUP_TEXT, []),
        (build_plain_paragraphs_docx, PLAIN_PARAGRAPHS_TEXT, []),
    ],
    ids=["budget_report", "merged_grid", "inline_markup", "plain_paragraphs"],
)
def test_golden_text_and_grid(builder, expected_text, expected_grid, tmp_path: Path) -> None:
    path = builder(tmp_path / "fixture.docx")
    assert read_docx(path) == expected_text
    assert docx_table_grid(path) == expected_grid
    assert read_docx_with_grid(path) == (expected_text, expected_grid)


def test_accepts_str_path(tmp_path: Path) -> None:
    path = build_plain_paragraphs_docx(tmp_path / "p.docx")
    assert read_docx(str(path)) == PLAIN_PARAGRAPHS_TEXT


def test_empty_document_gives_empty_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    Document().save(str(path))
    assert read_docx(path) == ""
    assert docx_table_grid(path) == []


# ------------------------------------------------------------------------------------------
# Merged cells
# ------------------------------------------------------------------------------------------


def test_merged_text_is_not_repeated(tmp_path: Path) -> None:
    budget = read_docx(build_budget_report_docx(tmp_path / "b.docx"))
    merged = read_docx(build_merged_grid_docx(tmp_path / "m.docx"))
    for text, cell_line in [
        (budget, "\t部门整体支出绩效自评表（2023年度）"),
        (budget, "\t资金情况（万元）"),
        (budget, "\t产出指标"),
        (budget, "\t效益指标"),
        (budget, "\t合计"),
        (merged, "\t横向合并两格"),
        (merged, "\t纵向合并两行"),
    ]:
        assert text.split("\n").count(cell_line) == 1, cell_line
    assert budget.count("资金情况（万元）") == 1
    assert merged.count("横向合并两格") == 1 and merged.count("纵向合并两行") == 1


def test_python_docx_row_cells_would_repeat_merged_text(tmp_path: Path) -> None:
    """Guards the premise: row.cells repeats merged cells, so the reader must not use it."""
    document = Document(str(build_merged_grid_docx(tmp_path / "m.docx")))
    first_row_texts = [cell.text for cell in document.tables[0].rows[0].cells]
    assert first_row_texts.count("横向合并两格") == 2


def test_vertical_continuation_is_an_empty_cell_line(tmp_path: Path) -> None:
    _outside, tables = parse_flat_tables(read_docx(build_budget_report_docx(tmp_path / "b.docx")))
    budget, indicators = tables
    assert budget[2][0] == ""
    assert [row[0] for row in indicators] == [
        "一级指标",
        "产出指标\n\n（50分）",
        "",
        "",
        "效益指标",
        "",
        "满意度指标",
        "合计",
    ]


def test_horizontal_span_appears_once_with_fewer_cell_lines(tmp_path: Path) -> None:
    _outside, tables = parse_flat_tables(read_docx(build_merged_grid_docx(tmp_path / "m.docx")))
    assert tables[0][0] == ["横向合并两格", "乙列标题", "丙列标题"]
    assert len(tables[0][1]) == 4


def test_grid_before_and_after_write_no_lines_but_keep_true_columns(tmp_path: Path) -> None:
    path = build_merged_grid_docx(tmp_path / "m.docx")
    _outside, tables = parse_flat_tables(read_docx(path))
    grid = docx_table_grid(path)
    assert tables[0][4] == ["缺首列乙", "缺首列丙", "缺首列丁"]
    assert [cell[0] for cell in grid[0][4]] == [1, 2, 3]
    assert tables[0][5] == ["缺末列甲", "缺末列乙", "缺末列丙"]
    assert [cell[0] for cell in grid[0][5]] == [0, 1, 2]
    assert "被移除" not in read_docx(path)


def test_legacy_horizontal_merge_appears_once(tmp_path: Path) -> None:
    document = Document()
    table = document.add_table(rows=1, cols=3)
    for column, text in enumerate(["横跨两列", "", "右侧"]):
        table.cell(0, column).text = text
    for tc, value in zip(table.rows[0]._tr.tc_lst[:2], ["restart", "continue"]):
        tc.get_or_add_tcPr().append(parse_xml(f'<w:hMerge {nsdecls("w")} w:val="{value}"/>'))
    path = tmp_path / "hmerge.docx"
    document.save(str(path))
    assert read_docx(path) == "\t横跨两列\n\t右侧\n\n\n"
    assert docx_table_grid(path) == [[[(0, 2, False), (2, 1, False)]]]


def test_tracked_deleted_row_and_cellless_row_are_left_out(tmp_path: Path) -> None:
    document = Document()
    table = document.add_table(rows=4, cols=2)
    for row, texts in enumerate([["甲", "乙"], ["删行左", "删行右"], ["空行", ""], ["丙", "丁"]]):
        for column, text in enumerate(texts):
            table.cell(row, column).text = text
    deleted_tr = table.rows[1]._tr
    deleted_tr.get_or_add_trPr().append(
        parse_xml(f'<w:del {nsdecls("w")} w:id="9" w:author="甲" w:date="2024-01-01T00:00:00Z"/>')
    )
    cellless_tr = table.rows[2]._tr
    for tc in list(cellless_tr.tc_lst):
        cellless_tr.remove(tc)
    path = tmp_path / "rows.docx"
    document.save(str(path))
    assert read_docx(path) == "\t甲\n\t乙\n\n\t丙\n\t丁\n\n\n"
    assert docx_table_grid(path) == [[[(0, 1, False), (1, 1, False)]] * 2]


def test_cell_blank_lines_are_collapsed_and_trailing_ones_dropped(tmp_path: Path) -> None:
    document = Document()
    table = document.add_table(rows=1, cols=2)
    cell = table.cell(0, 0)
    cell.text = "上"
    for text in ["", "", "下", "", ""]:
        cell.add_paragraph(text)
    table.cell(0, 1).text = "右"
    path = tmp_path / "blank.docx"
    document.save(str(path))
    assert read_docx(path) == "\t上\n\n下\n\t右\n\n\n"


def test_table_inside_a_block_content_control_is_a_table(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("控件前")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "控件表左"
    table.cell(0, 1).text = "控件表右"
    sdt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent/></w:sdt>")
    table._tbl.addprevious(sdt)
    sdt[1].append(table._tbl)
    document.add_paragraph("控件后")
    path = tmp_path / "sdt_table.docx"
    document.save(str(path))
    assert read_docx(path) == "控件前\n\t控件表左\n\t控件表右\n\n\n控件后\n"
    assert docx_table_grid(path) == [[[(0, 1, False), (1, 1, False)]]]


def test_nested_table_text_stays_inside_its_cell(tmp_path: Path) -> None:
    path = build_merged_grid_docx(tmp_path / "m.docx")
    _outside, tables = parse_flat_tables(read_docx(path))
    assert tables[0][3][0] == "外层单元格文字\n内表甲 内表乙\n内表丙 内表丁"
    assert len(docx_table_grid(path)) == 2  # the nested table has no grid of its own


# ------------------------------------------------------------------------------------------
# Body order, TAB safety, skipped parts
# ------------------------------------------------------------------------------------------


def test_body_order_of_paragraphs_and_tables_is_preserved(tmp_path: Path) -> None:
    lines = read_docx(build_merged_grid_docx(tmp_path / "m.docx")).split("\n")
    before = lines.index("表前段落：以下为合并单元格示例。")
    first_table = lines.index("\t横向合并两格")
    between = lines.index("两表之间的段落。")
    second_table = lines.index("\t第二表左")
    after = lines.index("表后段落。")
    assert before < first_table < between < second_table < after

    budget_lines = read_docx(build_budget_report_docx(tmp_path / "b.docx")).split("\n")
    assert (
        budget_lines.index("附件：部门整体支出绩效自评表")
        < budget_lines.index("\t年初预算数")
        < budget_lines.index("二、绩效指标完成情况")
        < budget_lines.index("\t一级指标")
        < budget_lines.index("三、存在问题及改进措施")
    )


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_no_line_outside_tables_starts_with_tab(name: str, tmp_path: Path) -> None:
    text = read_docx(BUILDERS[name](tmp_path / f"{name}.docx"))
    for line in lines_outside_tables(text):
        assert not line.startswith("\t")
    for line in text.split("\n"):
        assert not line.startswith("\t\t")  # no cell line may carry a second TAB


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    paragraphs=st.lists(
        st.text(alphabet=st.sampled_from("\t\n 甲乙1２,。"), max_size=12),
        min_size=1,
        max_size=6,
    )
)
def test_tabs_and_breaks_in_paragraphs_never_lead_a_line(paragraphs: list[str], tmp_path: Path) -> None:
    path = build_plain_paragraphs_docx(tmp_path / "generated.docx", paragraphs)
    text = read_docx(path)
    assert "\t" not in text
    expected_lines = [piece.replace("\t", " ") for para in paragraphs for piece in para.split("\n")]
    assert text == "".join(line + "\n" for line in expected_lines)


def test_literal_tabs_and_newlines_inside_text_elements(tmp_path: Path) -> None:
    """w:t may hold literal TAB / newline characters (python-docx never writes them, other
    producers do): they must not create a line that starts with a TAB."""
    w = nsdecls("w")
    runs = (
        f'<w:r {w}><w:t xml:space="preserve">\t开头&#10;\t第二行&#13;第三行\u2028第四行</w:t>'
        f"<w:cr/><w:t>第五行</w:t><w:noBreakHyphen/><w:t>尾</w:t></w:r>"
    )
    document = Document()
    document.add_paragraph()._p.append(parse_xml(runs))
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).paragraphs[0]._p.append(parse_xml(runs))
    path = tmp_path / "literal.docx"
    document.save(str(path))
    lines = " 开头\n 第二行\n第三行\n第四行\n第五行-尾\n"
    assert read_docx(path) == lines + "\t" + lines + "\n\n"


def test_header_footer_and_deleted_text_are_not_rendered(tmp_path: Path) -> None:
    for name, builder in BUILDERS.items():
        text = read_docx(builder(tmp_path / f"{name}.docx"))
        assert HEADER_TEXT not in text and FOOTER_TEXT not in text
    budget = read_docx(build_budget_report_docx(tmp_path / "b.docx"))
    assert "已于年底前全部整改到位" not in budget
    merged = read_docx(build_merged_grid_docx(tmp_path / "m.docx"))
    assert "被删除的文字" not in merged and "保留文字" in merged
    inline = read_docx(build_inline_markup_docx(tmp_path / "i.docx"))
    for hidden in ["30项", "移走的文字", "DOCPROPERTY", "整段删除的文字", "_GoBack"]:
        assert hidden not in inline
    assert inline.count("文本框内的说明") == 1


def test_every_builder_renders_python_docx_cell_lines_in_order(tmp_path: Path) -> None:
    """"\\t" + first line of each XML cell, as python-docx sees it, appears in order."""
    for name, builder in BUILDERS.items():
        path = builder(tmp_path / f"{name}.docx")
        lines = read_docx(path).split("\n")
        expected = [
            "\t" + cell.split("\n")[0]
            for table in python_docx_first_lines(path)
            for row in table
            for cell in row
        ]
        position = 0
        for wanted in expected:
            while position < len(lines) and lines[position] != wanted:
                position += 1
            assert position < len(lines), f"{name}: {wanted!r} missing or out of order"
            position += 1
        assert sum(line.startswith("\t") for line in lines) == len(expected), name


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_grid_matches_rendered_cells(name: str, tmp_path: Path) -> None:
    text, grid = read_docx_with_grid(BUILDERS[name](tmp_path / f"{name}.docx"))
    _outside, tables = parse_flat_tables(text)
    assert [[len(row) for row in table] for table in tables] == [
        [len(row) for row in table] for table in grid
    ]
    for table in grid:
        for row in table:
            columns = [column for column, _span, _v in row]
            assert columns == sorted(columns)
            for (column, span, _v), following in zip(row, row[1:]):
                assert column + span == following[0]


def test_grid_marks_exactly_the_empty_continuation_lines(tmp_path: Path) -> None:
    text, grid = read_docx_with_grid(build_budget_report_docx(tmp_path / "b.docx"))
    _outside, tables = parse_flat_tables(text)
    for table_cells, table_grid in zip(tables, grid):
        for row_cells, row_grid in zip(table_cells, table_grid):
            for cell, (_column, _span, continuation) in zip(row_cells, row_grid):
                if continuation:
                    assert cell == ""


# ------------------------------------------------------------------------------------------
# Package variants
# ------------------------------------------------------------------------------------------


def test_main_part_found_through_package_relationships(tmp_path: Path) -> None:
    source = build_plain_paragraphs_docx(tmp_path / "p.docx")
    members = zip_members(source)
    members["word/main.xml"] = members.pop("word/document.xml")
    members["_rels/.rels"] = members["_rels/.rels"].replace(b"word/document.xml", b"word/main.xml")
    renamed = write_zip(tmp_path / "renamed.docx", members)
    assert read_docx(renamed) == PLAIN_PARAGRAPHS_TEXT


def test_strict_ooxml_namespace_is_read(tmp_path: Path) -> None:
    source = build_merged_grid_docx(tmp_path / "m.docx")
    members = zip_members(source)
    members["word/document.xml"] = members["word/document.xml"].replace(
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        b"http://purl.oclc.org/ooxml/wordprocessingml/main",
    )
    strict = write_zip(tmp_path / "strict.docx", members)
    assert read_docx(strict) == MERGED_GRID_TEXT


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("不应出现的机密", encoding="utf-8")
    source = build_plain_paragraphs_docx(tmp_path / "p.docx", ["前&amp;后"])
    members = zip_members(source)
    xml = members["word/document.xml"].decode("utf-8")
    declaration_end = xml.index("?>") + 2
    doctype = (
        f'<!DOCTYPE w:document [<!ENTITY inner "内部展开"><!ENTITY outer SYSTEM "file://{secret}">]>'
    )
    xml = xml[:declaration_end] + doctype + xml[declaration_end:]
    xml = xml.replace("前&amp;amp;后", "前&inner;&outer;后")
    members["word/document.xml"] = xml.encode("utf-8")
    hostile = write_zip(tmp_path / "entity.docx", members)
    text = read_docx(hostile)
    assert "不应出现的机密" not in text
    assert "内部展开" not in text
    assert text.startswith("前")


# ------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------


def _corrupt_files(tmp_path: Path) -> dict[str, Path]:
    valid = build_budget_report_docx(tmp_path / "valid.docx")
    data = valid.read_bytes()
    files: dict[str, Path] = {}

    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(data[: len(data) // 2])
    files["truncated"] = truncated

    rng = random.Random(20240301)
    random_bytes = tmp_path / "random.docx"
    random_bytes.write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    files["random"] = random_bytes

    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    files["empty"] = empty

    members = zip_members(valid)
    del members["word/document.xml"]
    files["no_document_xml"] = write_zip(tmp_path / "no_document.docx", members)

    members = zip_members(valid)
    members["word/document.xml"] = members["word/document.xml"][:-40]
    files["xml_syntax_error"] = write_zip(tmp_path / "bad_xml.docx", members)

    members = zip_members(valid)
    members["word/document.xml"] = b'<?xml version="1.0"?><html><body>not word</body></html>'
    files["wrong_root"] = write_zip(tmp_path / "wrong_root.docx", members)

    members = zip_members(valid)
    members["word/document.xml"] = (
        b'<?xml version="1.0"?><w:document xmlns:w="'
        b'http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
    )
    files["no_body"] = write_zip(tmp_path / "no_body.docx", members)

    ole = tmp_path / "legacy.docx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    files["ole_doc"] = ole

    corrupted_member = bytearray(data)
    start = data.index(b"word/document.xml") + len("word/document.xml") + 40
    for offset in range(start, start + 64):
        corrupted_member[offset] ^= 0xFF
    crc = tmp_path / "crc.docx"
    crc.write_bytes(bytes(corrupted_member))
    files["damaged_member"] = crc
    return files


def test_corrupt_files_raise_read_error_with_code(tmp_path: Path) -> None:
    for name, path in _corrupt_files(tmp_path).items():
        with pytest.raises(ReadError) as caught:
            read_docx(path)
        error = caught.value
        assert error.code == "corrupt-docx", name
        assert error.message.startswith("文件不是有效的 .docx（"), name
        assert error.to_dict() == {"code": "corrupt-docx", "message": error.message}
        with pytest.raises(ReadError):
            docx_table_grid(path)


def test_corrupt_messages_say_what_is_wrong(tmp_path: Path) -> None:
    files = _corrupt_files(tmp_path)
    expectations = {
        "truncated": "ZIP 结构损坏",
        "random": "ZIP 结构损坏",
        "no_document_xml": "word/document.xml",
        "xml_syntax_error": "XML 语法错误",
        "wrong_root": "不是 Word 正文",
        "no_body": "没有正文",
        "ole_doc": "旧版 .doc",
    }
    for name, fragment in expectations.items():
        with pytest.raises(ReadError) as caught:
            read_docx(files[name])
        assert fragment in caught.value.message, (name, caught.value.message)


def test_missing_file_is_a_read_error_not_corrupt(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as caught:
        read_docx(tmp_path / "does-not-exist.docx")
    assert caught.value.code == "read-failed"
    assert "无法读取文件" in caught.value.message


def test_valid_file_is_not_reported_corrupt(tmp_path: Path) -> None:
    """The corrupt fixtures start from this file: it must read cleanly."""
    assert read_docx(build_budget_report_docx(tmp_path / "valid.docx")) == BUDGET_REPORT_TEXT


# ------------------------------------------------------------------------------------------
# Seeds: the format the reader imitates
# ------------------------------------------------------------------------------------------

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed exports not available")
def test_seed_exports_use_the_same_cell_line_conventions() -> None:
    """Sanity check of the target format: the seeds have TAB cell lines, empty "\\t" cells
    and never two TABs at the start of a line, like the reader's output."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    assert texts
    joined = "\n".join(texts)
    assert "\n\t\n" in joined
    assert not any(line.startswith("\t\t") for line in joined.split("\n"))
