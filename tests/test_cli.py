"""The command line, as the contract in DESIGN.md says: commands, formats, fields and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rules"
FLAG = FIXTURES / "AR101" / "flag_income_parts_exceed_total.txt"
PASS = FIXTURES / "AR101" / "pass_consistent_sums.txt"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_check_json_contract(tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    result = run("check", FLAG, PASS, bad, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"auditor_version", "reports"}
    assert len(data["reports"]) == 3  # nothing is lost: the empty file is a report with an error
    for r in data["reports"]:
        assert set(r) >= {"path", "unit", "year", "kind", "risk_score", "rank", "error", "findings"}
        assert r["kind"] in ("department", "project", "unknown")
        for f in r["findings"]:
            assert set(f) >= {"rule", "name", "severity", "confidence", "message", "evidence", "values"}
            assert f["severity"] in ("high", "medium", "low", "info")
            text = Path(r["path"]).read_text(encoding="utf-8")
            for e in f["evidence"]:
                assert set(e) >= {"text", "start", "end", "where", "section", "source"}
                assert text[e["start"]:e["end"]] == e["text"]
                assert e["where"] in ("narrative", "table")
    by_name = {Path(r["path"]).name: r for r in data["reports"]}
    assert by_name["empty.txt"]["error"]["code"] == "empty-file"
    assert by_name["empty.txt"]["risk_score"] is None
    assert by_name[FLAG.name]["findings"][0]["rule"] == "AR101"
    assert by_name[FLAG.name]["rank"] == 1
    assert by_name[PASS.name]["findings"] == []


def test_check_folder_is_recursive_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.txt").write_text(FLAG.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "a.txt").write_text(PASS.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a report format", encoding="utf-8")
    (tmp_path / "~$a.docx").write_bytes(b"office lock file")  # never a submission: no row
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00")
    data = json.loads(run("check", tmp_path, "--format", "json").stdout)
    assert sorted(Path(r["path"]).name for r in data["reports"]) == ["a.txt", "notes.md", "x.txt"]
    notes = next(r for r in data["reports"] if r["path"].endswith("notes.md"))
    assert notes["error"]["code"] == "unsupported-format"  # found, so it has its row


def test_fail_on_and_usage_errors() -> None:
    assert run("check", FLAG, "--fail-on", "medium", "--format", "json").exit_code == 1
    assert run("check", FLAG, "--fail-on", "high", "--format", "json").exit_code == 0
    assert run("check", PASS, "--fail-on", "low", "--format", "json").exit_code == 0
    assert run("check", FLAG, "--fail-on", "severe").exit_code == 2
    assert run("check", "/nonexistent/report.txt").exit_code == 2
    assert run("check", FLAG, "--format", "pdf").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_lang_en() -> None:
    data = json.loads(run("check", FLAG, "--format", "json", "--lang", "en").stdout)
    assert data["reports"][0]["findings"][0]["message"].startswith("the narrative states")


def test_text_output_is_chinese_and_shows_evidence() -> None:
    result = run("check", FLAG)
    assert result.exit_code == 0
    assert "风险排序" in result.stdout and "AR101" in result.stdout and "520.40万元" in result.stdout


def test_text_command_prints_document_text(tmp_path: Path) -> None:
    result = run("text", FLAG)
    assert result.stdout == FLAG.read_text(encoding="utf-8")


def test_claims_json_offsets() -> None:
    result = run("claims", FLAG, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    text = FLAG.read_text(encoding="utf-8")
    assert data["path"] == str(FLAG)
    values = {(c["text"], c["value"], c["unit"]) for c in data["claims"]}
    assert ("520.40万元", 520.4, "万元") in values and ("100%", 100, "%") in values
    assert not any("2023" in c["text"] for c in data["claims"])  # a year is not a claim
    for c in data["claims"]:
        assert text[c["start"]:c["end"]] == c["text"]
        assert c["qualifier"] in ("approx_more", "approx_about", "at_least", "at_most", "range", "none")
        assert c["where"] in ("narrative", "table")


def test_rules_and_explain() -> None:
    listing = run("rules").stdout
    for code in ("AR101", "AR102", "AR103", "IN001"):
        assert code in listing
    explained = run("explain", "AR102")
    assert explained.exit_code == 0 and "年初预算数" in explained.stdout and "容差：" in explained.stdout
    assert run("explain", "ZZ999").exit_code == 2
    risk = run("explain", "risk")
    assert risk.exit_code == 0 and "风险" in risk.stdout


@pytest.mark.parametrize("fmt,suffix", [("html", ".html"), ("xlsx", ".xlsx"), ("csv", ".csv")])
def test_other_formats_write_files(tmp_path: Path, fmt: str, suffix: str) -> None:
    out = tmp_path / f"report{suffix}"
    result = run("check", FLAG, "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


def test_check_with_reference_and_index(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "corpora" / "sample"
    this_year, last_year = sample / "u000_2024_department.txt", sample / "u000_2023_department.txt"
    index = tmp_path / "ref.idx"
    assert run("index", "build", sample, "-o", index).exit_code == 0 and index.stat().st_size > 0
    for extra in (["--reference", last_year], ["--index", index]):
        result = run("check", this_year, *extra, "--format", "json")
        assert result.exit_code == 0, result.output
        [report] = json.loads(result.stdout)["reports"]  # references are read, not ranked
        copied = [f for f in report["findings"] if f["rule"] == "RU501"]
        assert copied and all(f["evidence"][-1]["source"] == str(last_year) for f in copied)
        source_text = last_year.read_text(encoding="utf-8")
        for e in copied[0]["evidence"]:
            if e["source"]:
                assert source_text[e["start"]:e["end"]] == e["text"]  # offsets index the earlier report
        assert "alignment" in copied[0]
    assert run("check", this_year, "--reference", tmp_path / "missing.txt").exit_code == 2


def test_output_format_follows_the_extension_and_a_conflict_is_a_usage_error(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text("一、基本情况\n本年度支出总额300.00万元，其中：基本支出180.00万元，项目支出100.00万元。\n", encoding="utf-8")
    out = tmp_path / "结果.xlsx"
    done = runner.invoke(app, ["check", str(report), "-o", str(out), "--no-progress", "--jobs", "1"])
    assert done.exit_code == 0, done.output
    assert out.read_bytes()[:2] == b"PK"  # a real workbook, not terminal text
    as_json = tmp_path / "结果.json"
    assert runner.invoke(app, ["check", str(report), "-o", str(as_json), "--no-progress", "--jobs", "1"]).exit_code == 0
    assert json.loads(as_json.read_text(encoding="utf-8"))["reports"][0]["findings"]
    clash = runner.invoke(app, ["check", str(report), "-o", str(tmp_path / "x.xlsx"), "--format", "json"])
    assert clash.exit_code == 2 and "不一致" in clash.output


def test_unknown_rule_code_is_a_usage_error(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text("一、基本情况\n本年度支出总额300.00万元。\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(report), "--rules", "AR101,ZZ9"])
    assert result.exit_code == 2 and "ZZ9" in result.output
    assert runner.invoke(app, ["check", str(report), "--rules", "AR10", "--no-progress", "--jobs", "1"]).exit_code == 0
