"""The terminal output at batch scale (issue 12 point 9) and the CLI in Chinese (point 8)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from auditor.cli import app
from auditor.reporters.text import quote, render_text
from test_review import REPORT

runner = CliRunner()


def _finding(rule: str, severity: str, message: str, text: str = "1071.69万元") -> dict:
    return {"rule": rule, "name": "narrative-sum-mismatch", "title": "正文合计与分项之和不符", "severity": severity,
            "confidence": 0.9, "message": message, "values": {}, "id": f"{rule}-0123456789", "review": None,
            "evidence": [{"text": text, "start": 100, "end": 100 + len(text), "where": "narrative",
                          "section": "一、基本情况", "source": None}]}


def _batch() -> dict:
    long_message = "正文称全年预算数为1071.69万元，但所列分项" + "基本支出与项目支出之和" * 6 + "为1234.56万元，相差162.87万元"
    return {
        "reports": [
            {"path": "甲.txt", "unit": "甲局", "year": 2024, "kind": "department", "risk_score": 70.0, "rank": 1,
             "tier": "高", "error": None,
             "findings": [_finding("AR101", "high", long_message), _finding("AR105", "low", "执行率相差0.8个百分点")]},
            {"path": "乙.txt", "unit": "乙局", "year": 2024, "kind": "department", "risk_score": 20.0, "rank": 2,
             "tier": "低", "error": None, "findings": [_finding("XC201", "medium", "正文称18次，表中为20次")]},
            {"path": "丙.doc", "unit": None, "year": None, "kind": "unknown", "risk_score": None, "rank": 3,
             "tier": "错误", "error": {"code": "unsupported-format", "message": "请另存为 .docx"}, "findings": []},
        ],
    }


def _render(width: int = 60, **options) -> list[str]:
    console = Console(width=width, record=True, no_color=True, file=open("/dev/null", "w"))
    render_text(_batch(), console, **options)
    return console.export_text().splitlines()


def test_summary_first_one_line_per_finding_and_a_totals_line() -> None:
    lines = _render()
    assert lines[0] == "共找到文件 3，已审核 2，出错 0，格式不支持 1，需人工确认 0"  # counted from the reports
    finding_lines = [line for line in lines if line.startswith("  [")]
    assert len(finding_lines) == 3  # one line each, however narrow the console
    long = next(line for line in finding_lines if "AR101" in line)
    assert "1071.69万元" in long and "1234.56万元" in long and "162.87万元" in long  # no number split
    assert "正文合计与分项之和不符" in long and "narrative-sum-mismatch" not in long
    assert "#AR101-0123456789" in long
    assert lines[-1] == ("合计：3 份报告（出错 0，格式不支持 1），发现 3 条（高 1，中 1，低 1，提示 0）；"
                         "风险等级 高 1，中 0，低 1")


def test_top_and_min_severity_filter_the_terminal_only() -> None:
    lines = _render(top=1, min_severity="medium")
    text = "\n".join(lines)
    assert "甲.txt" in text and "乙.txt" not in text and "丙.doc" not in text
    assert "AR101" in text and "AR105" not in text
    assert "另有 1 条低于“中”的发现未列出" in text
    assert lines[-1].endswith("；终端只列出风险最高的 1 份；按级别筛去 1 条")
    assert "共 3 份" in text  # the ranking says how many there are


def test_quote_never_cuts_inside_a_number() -> None:
    text = "甲" * 37 + "1071.69万元的其余文字" + "乙" * 20
    cut = quote(text, limit=40)
    assert "1071.69万元" in cut and cut.endswith("…")
    assert quote("短文字") == "短文字"


@pytest.fixture()
def two_reports(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(REPORT.replace("某市文化旅游局", "某县教育局").replace("广场演出5场", "广场演出2场"),
                                    encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("severity", ["高", "high"])
def test_check_min_severity_and_top_from_the_command_line(two_reports: Path, severity: str) -> None:
    result = runner.invoke(app, ["check", str(two_reports), "--engine", "inline", "--no-progress",
                                 "--min-severity", severity, "--top", "1"])
    assert result.exit_code == 0, result.output
    listed = [line for line in result.output.splitlines() if line.startswith("  [")]
    assert listed and all(line.startswith("  [高]") for line in listed)
    assert "终端只列出风险最高的 1 份" in result.output


def test_bad_min_severity_is_a_usage_error_in_chinese(two_reports: Path) -> None:
    result = runner.invoke(app, ["check", str(two_reports), "--min-severity", "severe"])
    assert result.exit_code == 2 and "--min-severity 只能是 高|中|低|提示" in result.output


def test_fail_on_accepts_chinese_levels(two_reports: Path) -> None:
    result = runner.invoke(app, ["check", str(two_reports), "--engine", "inline", "--no-progress", "--fail-on", "高"])
    assert result.exit_code == 1


def test_usage_errors_in_chinese_and_english_with_lang_en() -> None:
    zh = runner.invoke(app, ["check"])
    assert zh.exit_code == 2 and "缺少参数 'paths'" in zh.output and "用法：" in zh.output
    assert "Missing argument" not in zh.output
    en = runner.invoke(app, ["--lang", "en", "check"])
    assert en.exit_code == 2 and "Missing argument 'paths'" in en.output
    typo = runner.invoke(app, ["chek"])
    assert typo.exit_code == 2 and "没有命令 'chek'；是否想用 'check'？" in typo.output
    jobs = runner.invoke(app, ["check", "x.txt", "--jobs", "0"])
    assert jobs.exit_code == 2 and "的值无效：应不小于 1" in jobs.output


def test_help_and_defaults_speak_chinese() -> None:
    out = runner.invoke(app, ["check", "--help"], terminal_width=200).output
    assert "用法：" in out and "显示本帮助并退出" in out and "Show this message" not in out
    assert "高|中|低|提示" in out
    rules = runner.invoke(app, ["rules"], terminal_width=200).output
    assert re.search(r"AR101 .*正文合计与分项之和不符.*│ 中 ", rules)
    assert "medium" not in rules and "high" not in rules


def test_explain_is_chinese() -> None:
    out = runner.invoke(app, ["explain", "AR101"]).output
    assert out.startswith("AR101 正文合计与分项之和不符（narrative-sum-mismatch；默认级别：中）")
    risk = runner.invoke(app, ["explain", "risk"]).output
    assert "误报：该条发现不再计入风险分" in risk


def test_cli_prints_each_finding_whole_on_one_line(two_reports: Path) -> None:
    data = runner.invoke(app, ["check", str(two_reports), "--engine", "inline", "--no-progress", "--format", "json"])
    messages = [f["message"] for r in __import__("json").loads(data.stdout)["reports"] for f in r["findings"]]
    assert len(messages) >= 4
    text = runner.invoke(app, ["check", str(two_reports), "--engine", "inline", "--no-progress"]).output
    lines = text.splitlines()
    for message in messages:  # at 80 columns, each message (and every number in it) stays on its line
        assert any(message in line for line in lines), message
    assert lines[-1].startswith(f"合计：2 份报告（出错 0），发现 {len(messages)} 条")


def test_csv_shows_the_chinese_title(two_reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "结果.csv"
    result = runner.invoke(app, ["check", str(two_reports), "--engine", "inline", "--no-progress", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = out.read_text(encoding="utf-8-sig")
    assert "正文合计与分项之和不符" in table and "narrative-sum-mismatch" not in table


def test_a_report_to_confirm_and_a_duplicate_say_so_instead_of_clean() -> None:
    batch = {"reports": [
        {"path": "通知.txt", "unit": None, "year": 2024, "kind": "unknown", "risk_score": 0.0, "rank": 1,
         "tier": "需人工确认", "error": None, "findings": [],
         "needs_review": {"code": "not-a-report", "message": "标题是会议通知，不是报告"}},
        {"path": "乙（另存）.docx", "unit": "乙局", "year": 2024, "kind": "department", "risk_score": 0.0, "rank": 2,
         "tier": "低", "error": None, "findings": [], "duplicate_group": "G1", "duplicate_of": "乙.doc"}]}
    console = Console(width=100, record=True, no_color=True, file=open("/dev/null", "w"))
    render_text(batch, console)
    lines = console.export_text().splitlines()
    first = lines.index(next(line for line in lines if line.startswith("1. 通知.txt")))
    assert lines[first + 1] == "  需人工确认：标题是会议通知，不是报告"
    assert "  重复提交（G1），与 乙.doc 内容相同" in lines
    assert sum(1 for line in lines if "未发现问题" in line) == 1  # only the duplicate, which is clean


def test_the_cli_own_usage_errors_follow_lang(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere")
    zh = runner.invoke(app, ["check", missing])
    en = runner.invoke(app, ["check", missing, "--lang", "en"])
    assert zh.exit_code == en.exit_code == 2
    assert "找不到输入" in zh.output and "input not found" not in zh.output
    assert "input not found" in en.output and "找不到输入" not in en.output
