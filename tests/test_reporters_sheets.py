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
from auditor.scoring import rank_batch
from report_factory import PATH_A24, PATH_BROKEN, evidence, finding, make_batch, report


@pytest.fixture()
def ranked():
    batch, _ = make_batch()
    return rank_batch(batch)


def n_findings(batch) -> int:
    return sum(len(r["findings"]) for r in batch["reports"])


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
    broken = rows[-1]
    assert broken[5] == PATH_BROKEN and broken[1] is None and broken[2] == "错误"
    assert broken[-1] == "read-failed：文件已损坏，无法读取<docx>"

    findings = workbook["发现"]
    assert [c.value for c in findings[1]] == list(FINDING_HEADERS)
    assert findings.freeze_panes == "A2"
    assert findings.auto_filter.ref is not None and findings.auto_filter.ref.startswith("A1:")
    frows = [[c.value for c in row] for row in findings.iter_rows(min_row=2)]
    assert len(frows) == n_findings(ranked)
    first = frows[0]
    source = ranked["reports"][0]["findings"][0]
    assert first[0] == PATH_A24 and first[3] == source["rule"] and first[5] == "高"
    assert first[6] == pytest.approx(source["confidence"]) and first[7] == source["message"]
    assert first[8] == "\n".join(e["text"] for e in source["evidence"])
    assert json.loads(first[10]) == source["values"]


def test_xlsx_column_widths_are_sensible(ranked, tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(ranked, path)
    sheet = openpyxl.load_workbook(path)["发现"]
    widths = {col: sheet.column_dimensions[col].width for col in "ABCDEFGHIJK"}
    assert all(6 <= w <= 60 for w in widths.values())
    assert widths["H"] > widths["D"]  # the message column is wider than the rule code column


def test_formula_like_text_stays_text(tmp_path):
    text = "=1+2 是文中的算式；-5 是负数"
    batch = {"reports": [report("in/x.txt", "单位", 2024, [
        finding("AR101", "sum-mismatch", "high", "=HYPERLINK(\"x\")",
                [evidence(text, "=1+2")], values={"v": 1})])]}
    batch = rank_batch(batch)
    xlsx = tmp_path / "f.xlsx"
    write_xlsx(batch, xlsx)
    cell = openpyxl.load_workbook(xlsx)["发现"]["H2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"x\")"
    out = tmp_path / "f.csv"
    write_csv(batch, out)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        row = list(csv.reader(handle))[1]
    assert row[7] == "'=HYPERLINK(\"x\")" and row[8] == "'=1+2"


def test_findings_csv_has_bom_and_round_trips(ranked, tmp_path):
    path = tmp_path / "findings.csv"
    write_csv(ranked, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(FINDING_HEADERS)
    assert len(rows) - 1 == n_findings(ranked)
    by_message = {r[7]: r for r in rows[1:]}
    for rep in ranked["reports"]:
        for f in rep["findings"]:
            row = by_message[f["message"]]
            assert row[0] == rep["path"] and row[3] == f["rule"] and row[4] == f["name"]
            assert float(row[6]) == pytest.approx(f["confidence"])
            assert row[8] == "\n".join(e["text"] for e in f["evidence"])
            assert (json.loads(row[10]) if row[10] else {}) == f["values"]


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
