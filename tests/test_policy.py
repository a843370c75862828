"""Severity bands are data (auditor/data/policy.toml): every band belongs to a rule, grades as its
docstring says, and `auditor explain` prints the live values."""

from __future__ import annotations

import re
from decimal import Decimal

from typer.testing import CliRunner

from auditor.cli import app
from auditor.policy import band, policies, threshold_text
from auditor.rules import get_rule


def _severity_paragraph(doc: str) -> str:
    found = re.search(r"(?:Severity:|级别：)(.*?)(?:\n\s*\n|\n[A-Z][a-z]+:|\n[\u4e00-\u9fff]{2,4}：|\Z)", doc, re.S)
    assert found, "the docstring has a Severity: (级别：) paragraph"
    return " ".join(found.group(1).split())


def test_every_band_belongs_to_a_rule_whose_docstring_states_its_thresholds() -> None:
    for key, p in policies().items():
        rule = get_rule(key.split("-")[0])
        assert rule is not None, key
        text = _severity_paragraph(rule.doc)
        wanted = [p["high"]] + ([p["medium"]] if p.get("below", "low") == "low" else [])
        for value in wanted:
            assert threshold_text(p["measure"], value) in text, (key, threshold_text(p["measure"], value), text)


def test_band_grades_at_the_thresholds() -> None:
    assert band("AR101", Decimal("0.05")) == "high"
    assert band("AR101", Decimal("0.0499")) == "medium"
    assert band("AR101", Decimal("0.004")) == "low"
    assert band("AR112", Decimal("0.001")) == "medium"  # below = medium: never low


def test_explain_prints_the_live_bands() -> None:
    out = CliRunner().invoke(app, ["explain", "AR110"]).output
    assert "policy.toml" in out and "≥ 0.3 为“中”" in out and "≥ 5% 为“高”" in out
