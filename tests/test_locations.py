"""Evidence locations a person can find: page (PDF), sheet!cell (xlsx/xls), table/row/column (docx
tables and "|" tables in text), paragraph number — built from real files of each format."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from auditor.document import Anchor, LocatedText
from auditor.engine import read_document
from auditor.findings import Evidence
from formats_factory import docx_to_pdf, soffice_available


def _label(doc, figure: str, occurrence: int = 0) -> str:
    start = -1
    for _ in range(occurrence + 1):
        start = doc.text.index(figure, start + 1)
    evidence = Evidence.of(doc, start, start + len(figure))
    assert evidence.text == figure
    return evidence.to_dict()["location"]["label"]


def _docx_with_table(path: Path, page_break: bool = False) -> Path:
    from docx import Document

    document = Document()
    document.add_paragraph("某某中心二〇二三年度部门整体支出绩效自评报告")
    document.add_paragraph("一、基本情况")
    document.add_paragraph("本中心年初预算为两百万元，全年组织巡查六十一次。")
    if page_break:
        document.add_page_break()
    document.add_paragraph("二、预算执行")
    document.add_paragraph("全年执行数为 865.12 万元，执行率为 93.4%。")
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"  # ruled, so the PDF reader sees a table
    for r, row in enumerate([["项目", "预算数", "执行数"], ["设备购置", "310.50", "297.25"],
                             ["合计", "926.30", "865.12"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("三、下一步打算")
    document.save(str(path))
    return path


def test_docx_table_cell_and_paragraph(tmp_path):
    doc = read_document(_docx_with_table(tmp_path / "r.docx"))
    assert _label(doc, "865.12") == "第5段"  # the narrative sentence (5th non-empty paragraph)
    assert _label(doc, "865.12", 1) == "表1 第3行第3列"
    assert _label(doc, "297.25") == "表1 第2行第3列"
    location = Evidence.of(doc, doc.text.index("310.50"), doc.text.index("310.50") + 6).location
    assert (location["table"], location["row"], location["column"], location["paragraph"]) == (1, 2, 2, None)


def test_pipe_table_in_text(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("某某站二〇二三年度项目支出绩效自评报告\n一、资金情况\n本年度资金安排如下。\n"
                    "| 项目 | 预算数 | 执行数 |\n| 培训 | 40.00 | 38.20 |\n| 维修 | 12.00 | 11.75 |\n"
                    "二、绩效目标\n全年完成检修任务十八项。\n", encoding="utf-8")
    doc = read_document(path)
    assert _label(doc, "11.75") == "表1 第3行第3列"
    assert _label(doc, "38.20") == "表1 第2行第3列"
    assert _label(doc, "十八项") == "第8段"  # the pipe rows count as paragraphs 4–6


def test_xlsx_sheet_and_cell(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "说明"
    sheet["A1"] = "本表为示例单位的自评附表"
    form = workbook.create_sheet("自评表")
    form["B2"] = "某某所项目支出绩效自评表"
    form.merge_cells("B2:E2")
    for r, row in enumerate([["指标", "年度指标值", "实际完成值", "得分"], ["培训人次", "500", "472", "9"]],
                            start=4):
        for c, value in enumerate(row, start=2):
            form.cell(row=r, column=c, value=value)
    form["D7"] = 1408.6
    path = tmp_path / "自评.xlsx"
    workbook.save(str(path))
    doc = read_document(path)
    assert _label(doc, "472") == "自评表!D5"
    assert _label(doc, "1408.6") == "自评表!D7"
    assert _label(doc, "示例单位") == "说明!A1"
    location = Evidence.of(doc, doc.text.index("472"), doc.text.index("472") + 3).location
    assert (location["sheet"], location["cell"]) == ("自评表", "D5")


def test_xls_sheet_and_cell(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("资金表")
    for r, row in enumerate([["项目", "执行数"], ["培训", "77.70"], ["合计", "93.10"]], start=2):
        for c, value in enumerate(row, start=1):
            sheet.write(r, c, value)
    path = tmp_path / "资金.xls"
    workbook.save(str(path))
    doc = read_document(path)
    assert _label(doc, "93.10") == "资金表!C5"


@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed: PDF fixtures need it")
def test_pdf_pages(tmp_path):
    source = _docx_with_table(tmp_path / "两页.docx", page_break=True)
    (pdf,) = docx_to_pdf([source], tmp_path / "pdf")
    doc = read_document(pdf)
    assert _label(doc, "六十一次") == "第1页"
    assert _label(doc, "93.4%") == "第2页"
    assert _label(doc, "297.25") == "第2页 表1 第2行第3列"
    assert [a.page for a in doc.anchors] == [1, 2]


def test_located_text_survives_pickling_and_plain_text_has_no_anchors(tmp_path):
    text = LocatedText("甲\n乙\n", [Anchor(0, page=1), Anchor(2, page=2)])
    again = pickle.loads(pickle.dumps(text))
    assert again == "甲\n乙\n" and again.anchors == text.anchors
    path = tmp_path / "a.txt"
    path.write_text("某某局二〇二三年度部门整体支出绩效自评报告\n全年执行数为12.5万元。\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.anchors == [] and type(doc.text) is str
    assert _label(doc, "12.5") == "第2段"


def test_findings_json_carries_locations(tmp_path):
    """End to end: a sum that does not add up in a "|" table; every evidence item has its label."""
    from typer.testing import CliRunner

    from auditor.cli import app

    path = tmp_path / "r.txt"
    path.write_text("某某站二〇二三年度部门整体支出绩效自评报告\n一、预算执行情况\n"
                    "全年预算数为 500.00 万元，其中基本支出 300.00 万元，项目支出 150.00 万元。\n", encoding="utf-8")
    out = tmp_path / "out.json"
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json", "-o", str(out), "--no-progress"])
    assert result.exit_code in (0, 1), result.output
    reports = json.loads(out.read_text(encoding="utf-8"))["reports"]
    evidence = [e for f in reports[0]["findings"] for e in f["evidence"]]
    assert evidence, "the sum mismatch should be found"
    for item in evidence:
        assert item["location"]["label"] == "第3段"
        assert item["location"]["paragraph"] == 3


def _page(html: str):
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from test_reporters_html import parse

    return parse(html)


def _one_finding_batch(doc, spans: list[tuple[int, int]]) -> dict:
    return {"auditor_version": "test", "reports": [{
        "path": doc.path, "unit": None, "year": None, "kind": "unknown", "error": None, "format": doc.format,
        "risk_score": 1.0, "rank": 1, "tier": "低", "findings": [{
            "rule": "AR101", "name": "sum-mismatch", "severity": "medium", "confidence": 0.9, "message": "合计不符",
            "values": {}, "evidence": [Evidence.of(doc, a, b).to_dict() for a, b in spans]}]}]}


def test_html_draws_pipe_table_as_grid_and_keeps_the_text_whole(tmp_path):
    from auditor.reporters.html import render_html

    path = tmp_path / "r.txt"
    text = ("某某站二〇二三年度项目支出绩效自评报告\n本年度资金安排如下。\n"
            "| 项目 | 预算数 | 执行数 |\n| 培训 | 40.00 | 38.20 |\n| 合计 | 52.00 | 51.75 |\n全年完成检修任务十八项。\n")
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    start = doc.text.index("51.75")
    html = render_html(_one_finding_batch(doc, [(start, start + 5)]), {doc.path: doc.text})  # a text: read again
    page = _page(html)
    assert page.doc_text["r-1"] == doc.text  # bars and line breaks are kept, hidden
    assert page.ev_text["r1-f0-e0"] == "51.75"
    assert html.count('<table class="docgrid">') == 1 and html.count("<tr>") >= 3
    assert '<td class="hit sev-medium" title="表1 第3行第3列">' in html
    assert '<span class="loc" title="在原文件中的位置">表1 第3行第3列</span>' in html


def test_html_grid_cells_of_a_sheet_are_titled_with_their_address(tmp_path):
    from openpyxl import Workbook

    from auditor.reporters.html import render_html

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "自评表"
    for r, row in enumerate([["指标", "完成值"], ["培训人次", "472"]], start=3):
        for c, value in enumerate(row, start=2):
            sheet.cell(row=r, column=c, value=value)
    workbook.save(str(tmp_path / "a.xlsx"))
    doc = read_document(tmp_path / "a.xlsx")
    start = doc.text.index("472")
    html = render_html(_one_finding_batch(doc, [(start, start + 3)]), {doc.path: doc})
    assert '<td class="hit sev-medium" title="自评表!C4">' in html
    assert _page(html).doc_text["r-1"] == doc.text


def test_cli_terminal_and_csv_show_the_label(tmp_path):
    import csv

    from typer.testing import CliRunner

    from auditor.cli import app

    path = tmp_path / "r.txt"
    path.write_text("某某站二〇二三年度部门整体支出绩效自评报告\n一、预算执行情况\n"
                    "全年预算数为 500.00 万元，其中基本支出 300.00 万元，项目支出 150.00 万元。\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path), "--no-progress"])
    assert "第3段" in result.output
    out = tmp_path / "out.csv"
    CliRunner().invoke(app, ["check", str(path), "--format", "csv", "-o", str(out), "--no-progress"])
    rows = [row for row in csv.DictReader(out.open(encoding="utf-8-sig")) if row.get("证据")]
    assert rows and all(set(row["位置"].split("\n")) == {"第3段"} for row in rows)
