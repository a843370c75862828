"""Each rule against its fixtures, run with only that rule on (Ruff style).

tests/fixtures/rules/<CODE>/flag_*.txt must produce findings of that rule; pass_*.txt must produce
none; low_*.txt must produce findings, every one of them low or info (a doubt, never an alarm). Each fixture's findings are compared with its hand-checked snapshot <name>.expected.json.
Regenerate snapshots with AUDITOR_UPDATE_SNAPSHOTS=1 and review the diff by hand.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from auditor.engine import audit_file
from auditor.rules import select_rules

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rules"
CASES = sorted(FIXTURES.glob("*/*.txt"))


def _snapshot(findings: list[dict]) -> list[dict]:
    return [{"rule": f["rule"], "name": f["name"], "severity": f["severity"], "message": f["message"],
             "evidence": [e["text"] for e in f["evidence"]], "values": f["values"]} for f in findings]


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_rule_fixture(path: Path) -> None:
    code = path.parent.name
    report = audit_file(path, select_rules([code]))
    assert report.error is None
    doc = report.document
    findings = [f.to_dict() for f in report.findings]
    for f in findings:
        assert f["rule"] == code
        for e in f["evidence"]:
            assert doc.text[e["start"]:e["end"]] == e["text"]
    if path.stem.startswith("pass_"):
        assert findings == [], f"{path.name} must not be flagged: {[f['message'] for f in findings]}"
    elif path.stem.startswith("low_"):
        assert findings, f"{path.name} must be noted by {code}"
        assert all(f["severity"] in ("low", "info") for f in findings), f"{path.name}: only low or info"
    else:
        assert path.stem.startswith("flag_")
        assert findings, f"{path.name} must be flagged by {code}"
    expected_path = path.with_suffix(".expected.json")
    actual = _snapshot(findings)
    if os.environ.get("AUDITOR_UPDATE_SNAPSHOTS"):
        expected_path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert expected_path.exists(), f"missing snapshot {expected_path.name}"
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))


def test_every_rule_has_flag_and_pass_fixtures() -> None:
    from auditor.rules import all_rules

    for r in all_rules():
        if r.code.startswith("IN"):
            continue
        names = [p.stem for p in (FIXTURES / r.code).glob("*.txt")]
        # rules that compare with earlier reports keep their fixtures, with references, in fixtures/reuse
        names += [p.name for p in (FIXTURES.parent / "reuse" / r.code).glob("*") if p.is_dir() or p.suffix == ".txt"]
        assert any(n.startswith("flag_") for n in names), f"{r.code} has no must-flag fixture"
        assert any(n.startswith("pass_") for n in names), f"{r.code} has no must-not-flag fixture"
