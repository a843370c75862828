"""A .docx with merged cells audited end to end: the same findings as its own text saved as .txt."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document as Docx
from typer.testing import CliRunner

from auditor.cli import app
from auditor.engine import audit_file


def build_report(path: Path) -> Path:
    d = Docx()
    d.add_paragraph("某县图书馆2023年度部门整体支出绩效自评报告")
    d.add_paragraph("一、预算执行情况")
    d.add_paragraph("2023年全年预算数为612.40万元，其中：基本支出402.10万元，项目支出220.30万元。")
    d.add_paragraph("附件：部门整体支出绩效自评表")
    t = d.add_table(rows=3, cols=7)
    t.style = "Table Grid"  # ruled, as real self-evaluation forms are (and as PDF table finders need)
    t.cell(0, 0).merge(t.cell(0, 6)).text = "部门整体支出绩效自评表"
    for col, text in enumerate(["资金情况（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]):
        t.cell(1, col).text = text
    for col, text in enumerate(["", "750.00", "612.40", "612.40", "10", "81.65%", "8.17"]):
        t.cell(2, col).text = text
    t.cell(1, 0).merge(t.cell(2, 0))  # vertical merge: "资金情况" spans two rows
    d.add_paragraph("二、绩效指标")
    ind = d.add_table(rows=4, cols=5)
    ind.style = "Table Grid"
    for col, text in enumerate(["一级指标", "三级指标", "实际完成值", "分值", "得分"]):
        ind.cell(0, col).text = text
    for row, (name, w, s) in enumerate([("借阅人次", "45", "45"), ("读者满意度", "45", "44")], start=1):
        for col, text in enumerate(["产出指标" if row == 1 else "", name, "达标", w, s]):
            ind.cell(row, col).text = text
    ind.cell(1, 0).merge(ind.cell(2, 0))
    ind.cell(3, 0).merge(ind.cell(3, 2)).text = "总分"
    ind.cell(3, 3).text = "100"
    ind.cell(3, 4).text = "99"
    d.save(path)
    return path


@pytest.fixture()
def docx_report(tmp_path: Path) -> Path:
    return build_report(tmp_path / "report.docx")


def test_docx_findings_match_its_text_export(docx_report: Path, tmp_path: Path) -> None:
    from_docx = audit_file(docx_report)
    assert from_docx.error is None and from_docx.format == "docx"
    assert (from_docx.unit, from_docx.year, from_docx.kind) == ("某县图书馆", 2023, "department")
    rules = sorted(f.rule for f in from_docx.findings)
    assert rules == ["AR101", "AR102", "AR103"]
    text = from_docx.document.text
    for f in from_docx.findings:
        for e in f.evidence:
            assert text[e.start:e.end] == e.text
    rate = next(f for f in from_docx.findings if f.rule == "AR102")
    assert rate.evidence[0].text == "81.65%" and "年初预算数" in rate.message
    total = next(f for f in from_docx.findings if f.rule == "AR103")
    assert str(total.values["computed_total"]) == "97.17"  # 45 + 44 + the execution score 8.17, against 99

    exported = tmp_path / "report.txt"
    exported.write_text(text, encoding="utf-8")
    from_txt = audit_file(exported)
    assert [f.to_dict() for f in from_txt.findings] == [f.to_dict() for f in from_docx.findings]


def test_text_command_prints_the_docx_document_text(docx_report: Path) -> None:
    result = CliRunner().invoke(app, ["text", str(docx_report)])
    assert result.exit_code == 0
    assert result.stdout == audit_file(docx_report).document.text
    assert "\t部门整体支出绩效自评表\n" in result.stdout
    assert result.stdout.count("资金情况（万元）") == 1  # merged text is not repeated
