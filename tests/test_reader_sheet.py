"""Tests for auditor.readers.sheet (.xlsx/.xls via python-calamine)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import formats_factory as ff
from auditor.errors import ReadError
from auditor.readers.render import Cell, SpanCell, grid_from_spans, render_blocks, render_table
from auditor.readers.sheet import format_cell_value, read_sheet, read_xls, read_xlsx

INDICATOR_TABLE = (
    "\t绩效指标\n\t指标值\n\t完成值\n\t分值\n\t得分\n\n"
    "\t产出指标\n\t数量指标\n\t≥10次\n\t12次\n\t20\n\t20\n\n"
    "\t\n\t质量指标\n\t合格\n\t合格\n\t10\n\t9.5\n\n"
    "\t效益指标\n\t满意度\n\t≥90%\n\t96.5%\n\t10\n\t0.3\n\n"
    "\t合计\n\t40\n\t29.8\n\n\n"
)


def test_xlsx_golden(tmp_path: Path) -> None:
    text = read_xlsx(ff.build_xlsx(tmp_path / "t.xlsx"))
    assert text == (
        "项目自评表\n" + INDICATOR_TABLE
        + "资金情况\n"
        "\t年初预算数\n\t全年预算数\n\t全年执行数\n\n"
        "\t66.91\n\t70\n\t69.5\n\n"
        "\t多行\n单元格\n\t1234567.5\n\t0.0001\n\n\n"
    )


def test_xls_golden(tmp_path: Path) -> None:
    assert read_xls(ff.build_xls(tmp_path / "t.xls")) == "项目自评表\n" + INDICATOR_TABLE


def test_merges_and_trimming(tmp_path: Path) -> None:
    text = read_sheet(ff.build_xlsx(tmp_path / "t.xlsx"))
    first_table = text.split("\n\n\n")[0]
    rows = [r for r in first_table.split("\n\n")]
    cells_per_row = [r.count("\t") for r in rows]
    # 6 columns; row 0 loses one slot to a horizontal merge, the last row three.
    assert cells_per_row == [5, 6, 6, 6, 3]
    # Formatting far right/below the data creates no empty rows or columns.
    assert "\t\n\t\n\t\n" not in first_table
    # An empty sheet produces nothing, not even its name.
    assert "空表" not in text


def test_unmerged_blank_cells_are_kept(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "表1"
    ws.append(["名称", None, "金额"])
    ws.append(["甲", None, 5])
    wb.save(tmp_path / "gap.xlsx")
    assert read_sheet(tmp_path / "gap.xlsx") == "表1\n\t名称\n\t\n\t金额\n\n\t甲\n\t\n\t5\n\n\n"


@pytest.mark.parametrize("value, shown", [
    (0.1 + 0.2, "0.3"),
    (66.91, "66.91"),
    (20.0, "20"),
    (1234567.5, "1234567.5"),
    (0.0001, "0.0001"),
    (1e-7, "0.0000001"),
    (1e16, "10000000000000000"),
    (-0.0, "0"),
    (98.33333333333333, "98.3333333333333"),
    (7, "7"),
    (True, "TRUE"),
    (None, ""),
    (dt.datetime(2023, 12, 31), "2023-12-31"),
    (dt.datetime(2023, 12, 31, 8, 30), "2023-12-31 08:30:00"),
    (dt.date(2024, 1, 5), "2024-01-05"),
    ("文本", "文本"),
])
def test_format_cell_value(value: object, shown: str) -> None:
    assert format_cell_value(value) == shown


def test_corrupt_xlsx(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_xlsx(ff.build_corrupt_file(tmp_path / "bad.xlsx", header=b"PK\x03\x04"))
    assert info.value.code == "corrupt-xlsx"


def test_corrupt_xls(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_xls(ff.build_corrupt_file(tmp_path / "bad.xls", header=b"\xd0\xcf\x11\xe0"))
    assert info.value.code == "corrupt-xlsx"


def test_missing_sheet_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_sheet(tmp_path / "none.xlsx")
    assert info.value.code == "file-not-found"


# --------------------------------------------------------------------------------------
# The shared renderer
# --------------------------------------------------------------------------------------

def test_render_table_form() -> None:
    grid = [[Cell("甲"), Cell("乙\n\n第二行"), None], [Cell.continued(), Cell(""), Cell("\t丙 ")]]
    assert render_table(grid) == "\t甲\n\t乙\n第二行\n\n\t\n\t\n\t丙\n\n\n"


def test_render_empty_table_and_paragraphs() -> None:
    assert render_table([]) == ""
    assert render_blocks(["\t前导制表符", "", "两行\n文字"]) == "前导制表符\n两行\n文字\n"


def test_grid_from_spans_block_merge() -> None:
    grid = grid_from_spans([SpanCell(0, 0, "合并", rowspan=2, colspan=2), SpanCell(0, 2, "右"),
                            SpanCell(1, 2, "下")])
    assert grid == [[Cell("合并"), None, Cell("右")], [Cell.continued(), None, Cell("下")]]
    assert render_table(grid) == "\t合并\n\t右\n\n\t\n\t下\n\n\n"


def test_grid_from_spans_clips_and_ignores_overlap() -> None:
    grid = grid_from_spans([SpanCell(0, 0, "大", rowspan=9, colspan=9), SpanCell(0, 1, "被覆盖")],
                           n_rows=2, n_cols=2)
    assert grid == [[Cell("大"), None], [Cell.continued(), None]]


def test_xlsx_number_formats_shown_as_in_the_sheet(tmp_path: Path) -> None:
    text = read_xlsx(ff.build_formatted_xlsx(tmp_path / "fmt.xlsx"))
    assert text == (
        "执行率\n\t项目\n\t预算数\n\t执行数\n\t执行率\n\t人数\n\t比例（原始）\n\n"
        "\t培训\n\t1,234.50\n\t1200.00\n\t97.21%\n\t35人\n\t0.25\n\n\n"
    )


@pytest.mark.parametrize("value, number_format, shown", [
    (0.9174, "0.00%", "91.74%"),
    (0.915, "0%", "92%"),
    (66.905, "0.00", "66.91"),
    (1234.5, "#,##0.00", "1,234.50"),
    (1.0, '0.00"万元"', "1.00万元"),
    (-3.456, "0.0;[Red]-0.0", "-3.5"),
    (45000, "yyyy-mm-dd", "45000"),
    (0.5, "General", "0.5"),
])
def test_format_number(value: float, number_format: str, shown: str) -> None:
    from auditor.readers.sheet import format_number

    assert format_number(value, number_format) == shown
