"""Risk scoring: monotonic in severity and confidence, diminishing per rule, errors last."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.scoring import (
    RISK_FORMULA_DOC,
    TIER_ERROR,
    ConfigError,
    RiskConfig,
    explain_risk,
    load_config,
    tier_of,
)
from auditor.engine import Report
from auditor.findings import Finding
from auditor.results import rank_batch
from auditor.scoring import raw_risk as _raw_risk
from auditor.scoring import score_report as _score_report
from report_factory import make_batch, with_error_reports


def f(rule: str = "AR101", severity: str = "high", confidence: float = 1.0) -> dict:
    return {"rule": rule, "name": "x", "severity": severity, "confidence": confidence,
            "message": "合成", "evidence": [], "values": {}}


def score_report(report: dict, config: RiskConfig = RiskConfig()) -> float | None:
    """The score of a report written as JSON, read into the typed Report scoring takes."""
    return _score_report(Report.from_dict(report), config)


def raw_risk(findings: list[dict], config: RiskConfig = RiskConfig()) -> float:
    return _raw_risk([Finding.from_dict(x) for x in findings], config)


def rep(path: str, findings: list[dict], error: dict | None = None) -> dict:
    return {"path": path, "unit": "", "year": 2024, "kind": "unknown", "risk_score": None,
            "rank": None, "error": error, "findings": findings}


def test_no_findings_scores_zero_and_low_tier():
    assert score_report(rep("a", [])) == 0.0
    assert tier_of(0.0) == "低"


def test_severity_order_is_monotonic():
    scores = [score_report(rep("a", [f(severity=s)])) for s in ("info", "low", "medium", "high")]
    assert scores == sorted(scores)
    assert len(set(scores)) == 4


def test_info_findings_do_not_add_risk_by_default():
    assert score_report(rep("a", [f(severity="info")] * 5)) == 0.0


@given(st.floats(0, 1), st.floats(0, 1), st.sampled_from(["high", "medium", "low"]))
def test_confidence_is_monotonic(c1: float, c2: float, severity: str):
    low, high = sorted((c1, c2))
    assert score_report(rep("a", [f(severity=severity, confidence=low)])) <= score_report(
        rep("a", [f(severity=severity, confidence=high)]))


@given(st.lists(st.tuples(st.sampled_from(["R1", "R2", "R3"]),
                          st.sampled_from(["high", "medium", "low", "info"]),
                          st.floats(0, 1)), max_size=12),
       st.sampled_from(["R1", "R4"]), st.sampled_from(["high", "medium", "low"]))
@settings(max_examples=80)
def test_adding_a_finding_never_lowers_risk(existing, rule, severity):
    base = [f(r, s, c) for r, s, c in existing]
    before = score_report(rep("a", base))
    after = score_report(rep("a", base + [f(rule, severity, 1.0)]))
    assert after >= before
    assert 0.0 <= after <= 100.0


def test_same_rule_has_diminishing_returns():
    config = RiskConfig()
    one, two, three = (raw_risk([f("R1")] * n, config) for n in (1, 2, 3))
    assert math.isclose(two - one, 30 * 0.5)
    assert math.isclose(three - two, 30 * 0.25)
    different_rules = raw_risk([f("R1"), f("R2")], config)
    same_rule = raw_risk([f("R1"), f("R1")], config)
    assert different_rules > same_rule


def test_diminishing_order_does_not_depend_on_input_order():
    findings = [f("R1", "low"), f("R1", "high", 0.7), f("R1", "medium")]
    assert raw_risk(findings) == raw_risk(list(reversed(findings)))
    # largest contribution counts in full: 30*0.7 + 12*0.5 + 4*0.25
    assert math.isclose(raw_risk(findings), 21 + 6 + 1)


def test_saturating_map_stays_below_100():
    assert score_report(rep("a", [f(f"R{i}") for i in range(200)])) <= 100.0
    assert score_report(rep("a", [f("R1")])) == pytest.approx(100 * (1 - math.exp(-30 / 50)), abs=0.05)


def test_an_unknown_severity_is_refused_when_the_finding_is_made():
    """Severity is an enum: a finding cannot carry a severity scoring has no weight for."""
    with pytest.raises(ValueError, match="未知的严重程度"):
        Finding.from_dict(f(severity="critical"))
    assert score_report(rep("a", [f(severity="高")])) == score_report(rep("a", [f(severity="high")])) > 0


def test_bad_confidence_values_are_clamped_not_crashing():
    assert score_report(rep("a", [f(confidence=7)])) == score_report(rep("a", [f(confidence=1)]))
    assert score_report(rep("a", [f(confidence=-1)])) == 0.0
    finding = f()
    finding["confidence"] = None
    assert score_report(rep("a", [finding])) == score_report(rep("a", [f()]))


def test_tiers():
    assert tier_of(60.0) == "高" and tier_of(59.9) == "中"
    assert tier_of(25.0) == "中" and tier_of(24.9) == "低"
    assert tier_of(None) == TIER_ERROR


def test_error_report_has_no_score_and_is_ranked_last():
    batch = {"auditor_version": "x", "reports": [
        rep("z_bad", [f()], error={"code": "read-failed", "message": "坏"}),
        rep("b", []),
        rep("a", [f()]),
    ]}
    ranked = rank_batch(batch)
    paths = [r["path"] for r in ranked["reports"]]
    assert paths == ["a", "b", "z_bad"]
    assert [r["rank"] for r in ranked["reports"]] == [1, 2, 3]
    bad = ranked["reports"][-1]
    assert bad["risk_score"] is None and bad["tier"] == "错误"
    assert batch["reports"][2]["rank"] is None  # input untouched


def test_ties_are_broken_by_path_and_ranking_is_deterministic():
    batch = {"reports": [rep(p, [f()]) for p in ("c", "a", "b")]}
    ranked = rank_batch(batch)
    assert [r["path"] for r in ranked["reports"]] == ["a", "b", "c"]
    assert rank_batch(ranked) == ranked


def test_rank_batch_keeps_every_report_and_extra_fields():
    batch, _ = make_batch()
    batch = with_error_reports(batch, ["in/另一个坏文件.pdf"])
    ranked = rank_batch(batch)
    assert len(ranked["reports"]) == len(batch["reports"])
    assert ranked["auditor_version"] == batch["auditor_version"]
    assert {r["path"] for r in ranked["reports"]} == {r["path"] for r in batch["reports"]}
    scored = [r for r in ranked["reports"] if r["risk_score"] is not None]
    assert [r["risk_score"] for r in scored] == sorted((r["risk_score"] for r in scored), reverse=True)
    assert all(r["tier"] == "错误" for r in ranked["reports"][len(scored):])
    assert any("alignment" in f for r in ranked["reports"] for f in r["findings"])


def test_load_config_from_toml(tmp_path):
    path = tmp_path / "auditor.toml"
    path.write_text("[risk]\ndecay = 0.25\nscale = 80\ntier_high = 70\n[risk.weights]\nhigh = 40\n",
                    encoding="utf-8")
    config = load_config(path)
    assert config.decay == 0.25 and config.scale == 80 and config.tier_high == 70
    assert config.weights["high"] == 40 and config.weights["medium"] == 12  # default kept
    assert config.tier_medium == 25
    two = raw_risk([f("R1"), f("R1")], config)
    assert math.isclose(two, 40 + 40 * 0.25)
    assert tier_of(65.0, config) == "中"


def test_config_is_frozen_hashable_and_compares_by_value():
    assert RiskConfig() == RiskConfig(weights={"high": 30})
    assert hash(RiskConfig()) == hash(RiskConfig(weights={"high": 30}))
    with pytest.raises(AttributeError):
        RiskConfig().decay = 0.9  # type: ignore[misc]
    with pytest.raises(ConfigError):
        RiskConfig(decay=1.5)


def test_load_config_top_level_table(tmp_path):
    path = tmp_path / "risk.toml"
    path.write_text("scale = 30\n", encoding="utf-8")
    assert load_config(path).scale == 30


@pytest.mark.parametrize("content", [
    "[risk]\ndecay = 0\n",
    "[risk]\nscale = -1\n",
    "[risk]\ntier_high = 10\ntier_medium = 20\n",
    "[risk]\nunknown_key = 1\n",
    "[risk.weights]\ncritical = 50\n",
    "[risk.weights]\nhigh = -3\n",
    "[risk]\nscale = \"big\"\n",
    "not toml at all = = =",
])
def test_invalid_config_is_rejected_with_a_chinese_message(tmp_path, content):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.code == "risk-config-invalid"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError):
        load_config(tmp_path / "absent.toml")


def test_formula_doc_is_chinese_and_names_the_parameters():
    for needle in ("风险分", "100 × (1 − e^(−原始分 / 50))", "0.5^(k-1)", "高 30", "≥ 60", "≥ 25", "错误"):
        assert needle in RISK_FORMULA_DOC
    custom = explain_risk(RiskConfig(scale=80, decay=0.25))
    assert "原始分 / 80" in custom and "0.25^(k-1)" in custom


def test_missing_attachments_never_outrank_an_arithmetic_contradiction():
    """However many attachments a report lacks (even graded high), it ranks below a report with one
    low-severity contradiction of confidence 0.5; without the cap it would rank above."""
    missing = [f("CP401", "high", 1.0), f("CP402", "medium", 1.0), f("CP401", "high", 1.0)]
    ranked = rank_batch({"reports": [rep("a_missing.txt", missing), rep("b_sum.txt", [f("AR101", "low", 0.5)])]})
    assert [r["path"] for r in ranked["reports"]] == ["b_sum.txt", "a_missing.txt"]
    assert raw_risk(missing) == RiskConfig().completeness_cap
    assert raw_risk(missing, RiskConfig(completeness_cap=1000)) > raw_risk([f("AR101", "low", 0.5)])
