"""AR104–AR109 beyond their fixtures: the rounding trap, the quiet cases, and tables given as
"|" paragraphs running through the same rules."""

from __future__ import annotations

from decimal import Decimal

from auditor.analysis import Analysis
from auditor.readers.text import build_document
from auditor.rules import select_rules
from auditor.rules.registry import run_rules

CODES = ["AR104", "AR105", "AR106", "AR107", "AR108", "AR109"]


def table(rows: list[list[str]]) -> str:
    return "\n\n".join("\n".join("\t" + c for c in row) for row in rows) + "\n\n\n"


def findings(text: str, code: str):
    doc = build_document(text, "synthetic.txt")
    found = run_rules(Analysis(doc), select_rules([code]))
    for f in found:
        for e in f.evidence:
            assert doc.text[e.start:e.end] == e.text
    return found


def test_rules_are_registered_with_documentation() -> None:
    rules = {r.code: r for r in select_rules(CODES)}
    assert sorted(rules) == CODES
    for r in rules.values():
        for part in ("检查内容：", "为何重要：", "示例：", "容差：", "级别："):
            assert part in r.doc, (r.code, part)


BUDGET_HEADER = ["年度预算申请(万元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]


def _income_form(total_full: str, parts: list[str]) -> str:
    return table([BUDGET_HEADER, ["", "年度资金总额：", "3000.00", total_full, "4000.00", "10", "92%", "9.2"],
                  ["", "按收入性质分：", "按支出性质分："],
                  ["", "一般公共预算：", parts[0], "其中:基本支出：", "2500.00"],
                  ["", "政府性基金拨款：", parts[1], "", ""],
                  ["", "纳入专户管理的非税收入拨款：", parts[2], "项目支出：", "1500.00"],
                  ["", "其他资金", parts[3], "", ""]])


def test_rounding_of_many_parts_is_not_a_finding() -> None:
    # the parts' roundings add up: 4282.96 + 0.0 + 0.0 + 67.57 = 4350.53 against 4350.54
    assert findings(_income_form("4350.54", ["4282.96", "0.0", "0.0", "67.57"]), "AR104") == []
    [f] = findings(_income_form("4350.54", ["4282.96", "0.0", "0.0", "57.57"]), "AR104")
    assert f.values["parts_sum"] == Decimal("4340.53") and f.severity == "low"


def test_income_breakdown_may_split_any_amount_column() -> None:
    # the parts equal 全年执行数 rather than 全年预算数: accepted, the form does not say which it splits
    assert findings(_income_form("4350.54", ["4000.00", "0", "0", "0"]), "AR104") == []


def test_rate_score_quiet_when_the_score_follows_the_amounts() -> None:
    rows = [["项目资金（万元）", "资金来源", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            ["", "年度资金总额", "100.00", "100.00", "90.00", "10", "85.00%", "9.00"]]
    # 9.00 = 10 × 90%: the stated 85% is the wrong figure, which is AR102's finding, not AR108's
    assert findings(table(rows), "AR108") == []
    assert len(findings(table(rows), "AR102")) == 1


def test_capped_rate_earns_the_full_weight_only() -> None:
    rows = [["项目资金（万元）", "资金来源", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            ["", "年度资金总额", "100.00", "100.00", "110.00", "10", "110.00%", "{}"]]
    ok = table([rows[0], rows[1][:-1] + ["10"]])
    over = table([rows[0], rows[1][:-1] + ["11"]])
    assert findings(ok, "AR108") == []
    [f] = findings(over, "AR108")
    assert f.values["expected_score"] == 10


def test_narrative_rate_ignores_non_money_rates_and_unpaired_amounts() -> None:
    text = ("满意率为85%，代表建议办结率100%。\n"
            "本年预算追加数为50.00万元，预算完成率88.00%。\n"
            "拨款600.00万元，其中：基本支出400.00万元，项目支出200.00万元，完成年初预算91.00%。\n")
    assert findings(text, "AR105") == []


def test_pipe_table_runs_through_the_same_rules() -> None:
    text = ("项目资金情况：\n"
            "| 项目资金（万元） | 资金来源 | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |\n"
            "| | 年度资金总额 | 100.00 | 120.00 | 108.00 | 10 | 80.00% | 8.00 |\n"
            "| | 其中：当年财政拨款 | 100.00 | 100.00 | 90.00 | | | |\n"
            "| | 上年结转资金 | 0 | 30.00 | 18.00 | | | |\n")
    [sums] = findings(text, "AR104")
    assert sums.values["column"] == "全年预算数" and sums.values["parts_sum"] == Decimal("130.00")
    [rate] = findings(text, "AR102")
    assert rate.values["computed_rate"] == 90
