"""The rule registry: stable codes, names, docs, and isolation of a rule that raises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.analysis import Analysis
from auditor.readers.text import build_document
from auditor.rules import all_rules, get_rule, run_rules, select_rules
from auditor.rules.registry import Rule, rule


def test_codes_names_and_docs() -> None:
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    for r in rules:
        assert re.match(r"^(AR|XC|TG|RU|CP|IN)\d{3}$", r.code)
        assert re.match(r"^[a-z]+(-[a-z0-9]+)+$", r.name)
        assert r.severity in ("info", "low", "medium", "high")
        assert r.summary and "容差：" in r.doc and "级别：" in r.doc or r.code == "IN001"


def test_one_module_per_rule() -> None:
    folder = Path(__file__).resolve().parents[1] / "auditor" / "rules"
    modules = {p.stem.split("_")[0].upper() for p in folder.glob("[a-z][a-z][0-9][0-9][0-9]_*.py")}
    assert modules == {r.code for r in all_rules()}


def test_select_by_prefix() -> None:
    assert [r.code for r in select_rules(["AR10"])] == [f"AR10{i}" for i in range(1, 10)]
    assert {r.code[:2] for r in select_rules(["XC", "TG"])} == {"XC", "TG"}
    assert get_rule("ar101").name == "narrative-sum-mismatch"


def test_registration_validates() -> None:
    with pytest.raises(ValueError):
        rule("X1", "bad", "high")
    with pytest.raises(ValueError):
        rule("AR999", "NotKebab", "high")
    with pytest.raises(ValueError):
        rule("AR998", "no-doc", "high")(lambda a: [])


def test_a_rule_that_raises_becomes_an_internal_finding() -> None:
    def explode(analysis, this):
        """Always fails. Tolerance: none."""
        raise ZeroDivisionError("boom")

    broken = Rule("AR990", "always-explodes", "high", explode)
    doc = build_document("2023年预算100万元，其中基本支出60万元，项目支出50万元。\n", "t.txt")
    findings = run_rules(Analysis(doc), [broken, get_rule("AR101")])
    assert [f.rule for f in findings] == ["IN001", "AR101"]
    assert "AR990" in findings[0].message and "ZeroDivisionError" in findings[0].message


def test_every_rule_has_a_chinese_title() -> None:
    from auditor.rules.registry import rule_title, rule_titles

    titles = rule_titles()
    assert set(titles) == {r.code for r in all_rules()}
    for r in all_rules():
        assert re.search(r"[\u4e00-\u9fff]", r.title), r.code
        assert r.title != r.name
    assert rule_title("AR101", "narrative-sum-mismatch", "en") == "Narrative sum mismatch"
    assert rule_title("ZZ999", "made-up-rule") == "Made up rule"
