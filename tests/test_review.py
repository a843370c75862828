"""The reviewer's workflow (issue 12 point 3): stable finding ids, the decisions file, `auditor review`,
`check --review`, the risk rule, and the decisions file format the HTML export writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.review import (COLUMNS, Decision, ReviewFileError, finding_id, format_decisions, parse_decisions,
                            read_decisions)

runner = CliRunner()

# a small report of my own: an over-full breakdown of money, a rate that does not follow from its
# amounts, and an over-full breakdown of counts (three findings)
REPORT = """某市文化旅游局2024年度部门整体支出绩效自评报告

一、部门基本情况
2024年全年预算数200万元，其中基本支出120万元，项目支出90万元。
本年全年预算数200万元，全年执行数180万元，预算执行率为95%。
二、绩效目标完成情况
全年组织文艺演出30场，其中送戏下乡12场，城区演出16场，广场演出5场。
"""


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def check_json(*args: object) -> dict:
    result = run("check", *args, "--format", "json", "--engine", "inline", "--no-progress")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def findings_of(data: dict) -> list[dict]:
    return [f for r in data["reports"] for f in r["findings"]]


@pytest.fixture()
def report(tmp_path: Path) -> Path:
    path = tmp_path / "文旅局.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


def test_every_finding_has_an_id_and_a_chinese_title(report: Path) -> None:
    found = findings_of(check_json(report))
    assert len(found) == 3
    for f in found:
        assert re.fullmatch(rf"{f['rule']}-[0-9a-f]{{10}}", f["id"]), f["id"]
        assert f["review"] is None
        assert re.search(r"[\u4e00-\u9fff]", f["title"]) and f["name"] != f["title"]
    assert len({f["id"] for f in found}) == 3


def test_ids_survive_a_rerun_and_an_edit_elsewhere_but_not_a_changed_figure(report: Path, tmp_path: Path) -> None:
    first = {f["message"]: f for f in findings_of(check_json(report))}
    again = {f["message"]: f["id"] for f in findings_of(check_json(report))}
    assert again == {m: f["id"] for m, f in first.items()}

    shifted = tmp_path / "shifted.txt"  # a paragraph added at the top: every offset moves
    shifted.write_text(REPORT.replace("一、部门基本情况\n", "一、部门基本情况\n本局共有内设机构五个，编制人员四十名。\n"),
                       encoding="utf-8")
    moved = {f["message"]: f for f in findings_of(check_json(shifted))}
    assert moved.keys() == first.keys()
    for message, f in moved.items():
        assert f["evidence"][0]["start"] != first[message]["evidence"][0]["start"]
        assert f["id"] == first[message]["id"]

    changed = tmp_path / "changed.txt"  # one figure of the first breakdown changes
    changed.write_text(REPORT.replace("项目支出90万元", "项目支出95万元"), encoding="utf-8")
    ids = {f["rule"] + f["message"][-12:]: f["id"] for f in findings_of(check_json(changed))}
    old_ids = {f["id"] for f in first.values()}
    money = [i for key, i in ids.items() if key.startswith("AR101") and "万元" in key]
    assert money and money[0] not in old_ids  # the changed finding is a new one
    assert len(old_ids & set(ids.values())) == 2  # the two untouched findings keep their ids


def test_finding_id_normalises_whitespace_and_width_but_not_figures() -> None:
    base = finding_id("AR101", "某局", 2024, ["200万元", "120万元"])
    assert finding_id("AR101", "某局", 2024, ["200 万元", "１２０万元"]) == base
    assert finding_id("AR101", "某局", 2024, ["200万元", "121万元"]) != base
    assert finding_id("AR101", "某局", 2023, ["200万元", "120万元"]) != base
    assert finding_id("AR101", "另一局", 2024, ["200万元", "120万元"]) != base
    assert finding_id("AR105", "某局", 2024, ["200万元", "120万元"]) != base


def test_review_command_then_check_review_round_trip(report: Path, tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    data = check_json(report)
    results.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    by_rule = {f["rule"] + ("-count" if "场" in f["message"] else ""): f for f in findings_of(data)}
    high = by_rule["AR101"]
    decisions = tmp_path / "决定.csv"

    done = run("review", decisions, "--id", high["id"], "--status", "误报", "--reason", "分项含上年结转",
               "--by", "张三", "--from", results)
    assert done.exit_code == 0, done.output
    done = run("review", decisions, "--id", by_rule["AR105"]["id"], "--status", "reviewed", "--by", "李四")
    assert done.exit_code == 0, done.output
    stored = read_decisions(decisions)
    assert stored[high["id"]].status == "误报" and stored[high["id"]].by == "张三"
    assert stored[high["id"]].unit == "某市文化旅游局" and stored[high["id"]].message == high["message"]
    assert stored[by_rule["AR105"]["id"]].status == "已复核"
    assert decisions.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel and WPS read it as UTF-8

    listing = run("review", decisions)
    assert listing.exit_code == 0 and "分项含上年结转" in listing.output and "已复核" in listing.output

    before = data["reports"][0]["risk_score"]
    reviewed = check_json(report, "--review", decisions)
    after = {f["id"]: f for f in findings_of(reviewed)}
    assert after[high["id"]]["review"]["status"] == "误报"
    assert after[high["id"]]["review"]["reason"] == "分项含上年结转"
    assert after[by_rule["AR105"]["id"]]["review"]["status"] == "已复核"
    assert after[by_rule["AR101-count"]["id"]]["review"] is None
    assert len(after) == 3  # decided findings are shown, not hidden
    assert reviewed["review"] == {"file": str(decisions), "new": 1, "decided": 2, "out_of_risk": 1, "stale": 0}
    # 误报 leaves the risk score: the report now scores as with its two other findings only
    assert reviewed["reports"][0]["risk_score"] < before
    only_reviewed = tmp_path / "only_reviewed.csv"
    only_reviewed.write_text(format_decisions([Decision(high["id"], "已复核")]), encoding="utf-8")
    assert check_json(report, "--review", only_reviewed)["reports"][0]["risk_score"] == before

    text = run("check", report, "--review", decisions, "--engine", "inline", "--no-progress")
    assert text.exit_code == 0, text.output
    assert "新发现 1 条，已决定 2 条" in text.output
    assert "[误报：分项含上年结转（张三）]" in text.output


def test_a_later_decision_replaces_an_earlier_one(tmp_path: Path) -> None:
    decisions = tmp_path / "d.csv"
    for status in ("待跟进", "已复核"):
        assert run("review", decisions, "--id", "AR101-0123456789", "--status", status).exit_code == 0
    stored = read_decisions(decisions)
    assert list(stored) == ["AR101-0123456789"] and stored["AR101-0123456789"].status == "已复核"


@pytest.mark.parametrize("args, words", [
    (["--id", "AR101-0123456789", "--status", "算了"], "--status 只能是"),
    (["--id", "AR101-0123456789", "--status", "误报"], "--reason"),
    (["--id", "第三条", "--status", "已复核"], "编号格式不对"),
])
def test_review_command_refuses_bad_input_in_chinese(tmp_path: Path, args: list[str], words: str) -> None:
    result = run("review", tmp_path / "d.csv", *args)
    assert result.exit_code == 2 and words in result.output
    assert not (tmp_path / "d.csv").exists()


def test_check_review_refuses_a_missing_or_broken_file_before_the_batch(report: Path, tmp_path: Path) -> None:
    missing = run("check", report, "--review", tmp_path / "nope.csv")
    assert missing.exit_code == 2 and "找不到复核决定文件" in missing.output
    broken = tmp_path / "broken.csv"
    broken.write_text("编号,状态\nAR101-0123456789,随便\n", encoding="utf-8")
    result = run("check", report, "--review", broken)
    assert result.exit_code == 2 and "第 2 行" in result.output and "随便" in result.output


def test_decisions_file_reads_english_headers_and_gbk() -> None:
    english = "id,status,reason,by,at\nXC201-00000000ff,false-positive,wrong table,Li,2026-01-01\n"
    assert parse_decisions(english)["XC201-00000000ff"].status == "误报"
    gbk = "编号,状态,理由\nTG301-00000000aa,待跟进,问单位\n".encode("gb18030")
    assert parse_decisions(gbk)["TG301-00000000aa"].reason == "问单位"
    with pytest.raises(ReviewFileError):
        parse_decisions("规则,单位\nAR101,某局\n")


def test_html_carries_the_review_contract_the_export_writes(report: Path) -> None:
    """The page's review marks read ``window.AUDITOR_REVIEW``: the decisions file's columns, the
    statuses, and per finding card its stable id and the decision on file."""
    from auditor.reporters.html import render_html

    data = check_json(report)
    target = findings_of(data)[0]
    target["review"] = {"status": "待跟进", "reason": "问<script>单位", "by": "王五", "at": "2026-01-02 10:00:00"}
    page = render_html(data, {data["reports"][0]["path"]: REPORT})
    found = re.search(r"window\.AUDITOR_REVIEW = (\{.*?\});\n", page)
    assert found
    contract = json.loads(found.group(1))
    assert contract["columns"] == list(COLUMNS) and contract["statuses"] == ["已复核", "误报", "待跟进"]
    cards = contract["findings"]
    assert {c["id"] for c in cards.values()} == {f["id"] for f in findings_of(data)}
    for card_id in cards:
        assert f'data-goto="{card_id}"' in page
    decided = [c for c in cards.values() if c["review"]]
    assert decided == [{"id": target["id"], "rule": target["rule"], "unit": "某市文化旅游局", "year": "2024",
                        "message": target["message"], "review": target["review"]}]
    assert "问<script>单位" not in page  # report text never closes the script element
    # values keys shown with Chinese labels in the panel
    assert "<dt>所称合计数</dt>" in page and "<dt>所称比率</dt>" in page and "<dt>算得的比率</dt>" in page
    assert "<dt>stated_total</dt>" not in page and "<dt>stated_rate</dt>" not in page
