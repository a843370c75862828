"""XLSX / CSV reporters: sheets, filters, frozen headers, rows, BOM, round trips."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from auditor.reporters.sheets import (
    FINDING_HEADERS,
    RANKING_HEADERS,
    write_csv,
    write_ranking_csv,
    write_xlsx,
)
from auditor.results import rank_batch
from report_factory import PATH_A24, PATH_BROKEN, evidence, finding, make_batch, report


@pytest.fixture()
def ranked():
    batch, _ = make_batch()
    return rank_batch(batch)


def n_findings(batch) -> int:
    return sum(len(r["findings"]) for r in batch["reports"])


def n_rows(batch) -> int:
    """Findings-table rows: one per finding, one per report without findings."""
    return sum(max(1, len(r["findings"])) for r in batch["reports"])


def named(row, headers=FINDING_HEADERS) -> dict:
    return dict(zip(headers, row))


def test_xlsx_has_both_sheets_with_filters_freeze_and_rows(ranked, tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(ranked, path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["排名", "发现"]

    ranking = workbook["排名"]
    assert [c.value for c in ranking[1]] == list(RANKING_HEADERS)
    assert ranking.freeze_panes == "A2"
    assert ranking.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(RANKING_HEADERS))}{len(ranked['reports']) + 1}"
    rows = [[c.value for c in row] for row in ranking.iter_rows(min_row=2)]
    assert len(rows) == len(ranked["reports"])
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert rows[0][5] == PATH_A24 and rows[0][1] == ranked["reports"][0]["risk_score"]
    assert rows[0][2] == "高"
    assert rows[0][6:10] == [2, 2, 1, 1]  # high, medium, low, info
    broken = named(rows[-1], RANKING_HEADERS)
    assert broken["文件"] == PATH_BROKEN and broken["风险分"] is None and broken["风险等级"] == "错误"
    assert broken["错误"] == "read-failed：文件已损坏，无法读取<docx>"

    findings = workbook["发现"]
    assert [c.value for c in findings[1]] == list(FINDING_HEADERS)
    assert findings.freeze_panes == "A2"
    assert findings.auto_filter.ref is not None and findings.auto_filter.ref.startswith("A1:")
    frows = [named([c.value for c in row]) for row in findings.iter_rows(min_row=2)]
    assert len(frows) == n_rows(ranked)
    first = frows[0]
    source = ranked["reports"][0]["findings"][0]
    assert first["文件"] == PATH_A24 and first["规则"] == source["rule"] and first["严重程度"] == "高"
    assert first["严重度"] == 3 and first["排名"] == 1 and first["风险等级"] == "高"
    assert first["风险分"] == ranked["reports"][0]["risk_score"]
    assert first["置信度"] == pytest.approx(source["confidence"]) and first["说明"] == source["message"]
    assert first["证据"] == "\n".join(e["text"] for e in source["evidence"])
    assert json.loads(first["数值"]) == source["values"]
    broken_row = frows[-1]  # the report that could not be read has its row too
    assert broken_row["文件"] == PATH_BROKEN and broken_row["风险等级"] == "错误" and broken_row["规则"] is None
    assert broken_row["报告说明"].startswith("无法审核：read-failed")


def test_xlsx_column_widths_are_sensible(ranked, tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(ranked, path)
    sheet = openpyxl.load_workbook(path)["发现"]
    letter = {name: openpyxl.utils.get_column_letter(i + 1) for i, name in enumerate(FINDING_HEADERS)}
    widths = {name: sheet.column_dimensions[letter[name]].width for name in FINDING_HEADERS}
    assert all(6 <= w <= 60 for w in widths.values())
    assert widths["说明"] > widths["规则"]  # the message column is wider than the rule code column


def test_formula_like_text_stays_text(tmp_path):
    text = "=1+2 是文中的算式；-5 是负数"
    batch = {"reports": [report("in/x.txt", "单位", 2024, [
        finding("AR101", "sum-mismatch", "high", "=HYPERLINK(\"x\")",
                [evidence(text, "=1+2")], values={"v": 1})])]}
    batch = rank_batch(batch)
    xlsx = tmp_path / "f.xlsx"
    write_xlsx(batch, xlsx)
    message_column = openpyxl.utils.get_column_letter(FINDING_HEADERS.index("说明") + 1)
    cell = openpyxl.load_workbook(xlsx)["发现"][f"{message_column}2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"x\")"
    out = tmp_path / "f.csv"
    write_csv(batch, out)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        row = named(list(csv.reader(handle))[1])
    assert row["说明"] == "'=HYPERLINK(\"x\")" and row["证据"] == "'=1+2"


def test_findings_csv_has_bom_and_round_trips(ranked, tmp_path):
    path = tmp_path / "findings.csv"
    write_csv(ranked, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(FINDING_HEADERS)
    assert len(rows) - 1 == n_rows(ranked)
    rows = [named(r) for r in rows[1:]]
    by_message = {r["说明"]: r for r in rows if r["说明"]}
    for rep in ranked["reports"]:
        for f in rep["findings"]:
            row = by_message[f["message"]]
            assert row["文件"] == rep["path"] and row["规则"] == f["rule"] and row["名称"] == f["title"]  # the rule's Chinese title
            assert int(row["排名"]) == rep["rank"] and row["风险等级"] == rep["tier"]
            assert float(row["置信度"]) == pytest.approx(f["confidence"])
            assert row["证据"] == "\n".join(e["text"] for e in f["evidence"])
            assert (json.loads(row["数值"]) if row["数值"] else {}) == f["values"]
    assert {r["文件"] for r in rows} == {r["path"] for r in ranked["reports"]}  # every report, errors too


def test_ranking_csv_round_trips_and_keeps_errors(ranked, tmp_path):
    path = tmp_path / "ranking.csv"
    write_ranking_csv(ranked, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["文件"] for r in rows] == [r["path"] for r in ranked["reports"]]
    assert [int(r["排名"]) for r in rows] == [1, 2, 3, 4]
    assert float(rows[0]["风险分"]) == ranked["reports"][0]["risk_score"]
    assert rows[-1]["风险分"] == "" and rows[-1]["风险等级"] == "错误"
    assert rows[-1]["错误"].startswith("read-failed")


def test_empty_batch_still_writes_headers(tmp_path):
    write_xlsx({"reports": []}, tmp_path / "e.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "e.xlsx")
    assert workbook["排名"].max_row == 1 and workbook["发现"].max_row == 1
    write_csv({"reports": []}, tmp_path / "e.csv")
    assert (tmp_path / "e.csv").read_text(encoding="utf-8-sig").strip() == ",".join(FINDING_HEADERS)


def test_every_report_has_a_row_with_a_sortable_severity_and_its_duplicate_group(tmp_path):
    text = "全年预算100万元，执行95万元。"
    flagged = report("in/a.txt", "甲局", 2024, [
        finding("AR101", "sum-mismatch", "medium", "中等问题", [evidence(text, "100万元")]),
        finding("AR102", "rate-mismatch", "high", "严重问题", [evidence(text, "95万元")]),
        finding("AR104", "table-sum", "high", "又一严重问题", [evidence(text, "全年")]),
        finding("AR103", "score-total", "info", "提示", [evidence(text, "执行")])])
    clean = report("in/b.txt", "乙局", 2024, [])
    copy = dict(report("in/c.txt", "乙局", 2024, []), duplicate_group="G1", duplicate_of="in/b.txt")
    clean["duplicate_group"] = "G1"
    notice = dict(report("in/d.txt", None, None, []),
                  needs_review={"code": "no-figures", "message": "全文没有任何金额"})
    batch = rank_batch({"reports": [clean, copy, notice, flagged]})
    out = tmp_path / "all.csv"
    write_csv(batch, out)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = [named(r) for r in list(csv.reader(handle))[1:]]
    assert [r["文件"] for r in rows] == ["in/a.txt"] * 4 + ["in/d.txt", "in/b.txt", "in/c.txt"]
    assert rows[0]["风险等级"] == "高"  # 高 first, then 需人工确认, then the clean ones
    assert sorted(int(r["严重度"]) for r in rows if r["严重度"]) == [0, 2, 3, 3]
    assert {r["严重程度"]: r["严重度"] for r in rows if r["严重程度"]} == {"高": "3", "中": "2", "提示": "0"}
    by_file = {r["文件"]: r for r in rows}
    assert by_file["in/d.txt"]["风险等级"] == "需人工确认"
    assert by_file["in/d.txt"]["报告说明"] == "需人工确认：全文没有任何金额"
    assert by_file["in/b.txt"]["报告说明"] == "未发现问题" and by_file["in/b.txt"]["风险等级"] == "低"
    assert (by_file["in/c.txt"]["重复组"], by_file["in/c.txt"]["重复于"]) == ("G1", "in/b.txt")
    assert by_file["in/b.txt"]["重复组"] == "G1" and by_file["in/b.txt"]["重复于"] == ""
    xlsx = tmp_path / "all.xlsx"
    write_xlsx(batch, xlsx)
    workbook = openpyxl.load_workbook(xlsx)
    sheet_rows = [named([c.value for c in row]) for row in workbook["发现"].iter_rows(min_row=2)]
    assert all(isinstance(r["严重度"], int) for r in sheet_rows if r["严重程度"])  # a number, so it sorts
    ranking = [named([c.value for c in row], RANKING_HEADERS) for row in workbook["排名"].iter_rows(min_row=2)]
    assert [r["文件"] for r in ranking][:2] == ["in/a.txt", "in/d.txt"]
    assert ranking[1]["需人工确认原因"] == "全文没有任何金额" and ranking[3]["重复于"] == "in/b.txt"
