"""The target vocabulary is data, read in one place by every rule that needs it (TG301, TG302, TG305)."""

from __future__ import annotations

import ast
from pathlib import Path

from auditor.extract.targets import gives_no_reason, is_cap_indicator

RULES = Path(__file__).resolve().parents[1] / "auditor" / "rules"


def test_cap_indicators_are_read_from_the_word_list() -> None:
    assert is_cap_indicator("项目成本控制")
    assert is_cap_indicator("产出指标预算调整率")  # listed once, so TG305 knows it as well as TG301
    assert is_cap_indicator("群众投诉件数")
    assert not is_cap_indicator("培训人次")
    assert not is_cap_indicator("资金到位率")


def test_reason_cells_that_give_no_reason() -> None:
    for empty in ("", "无", "无偏差", "不适用", "/", "／", "—", "——", "-", "－－"):
        assert gives_no_reason(empty), empty
    for reason in ("因疫情推迟", "无人报名导致延期", "部分资金未到位"):
        assert not gives_no_reason(reason), reason


def test_no_rule_keeps_its_own_copy_of_the_target_vocabulary() -> None:
    for name in ("tg301_target_missed.py", "tg302_deduction_reason.py", "tg305_narrative_target_missed.py"):
        tree = ast.parse((RULES / name).read_text(encoding="utf-8"))
        compiled = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "compile"]
        assert compiled == [], name
