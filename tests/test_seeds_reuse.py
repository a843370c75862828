"""Seed expectations for the no-reference reuse rules (RU502-RU504), read by hand from the seeds."""

from __future__ import annotations

import pytest

from conftest import audit_seeds, by_rule


@pytest.fixture(scope="module")
def batch(seeds_dir):
    return audit_seeds(seeds_dir, ["RU502", "RU503", "RU504"])


def test_000_repeated_problems_section_with_2023_framing(batch) -> None:
    r = batch["000"]
    [framing] = by_rule(r, "RU502")
    assert framing.evidence[0].text.startswith("2023年，是")
    assert framing.values["framed_year"] == 2023 and framing.values["report_year"] == 2024
    assert framing.evidence[0].section == "七、存在的问题及原因分析"
    [dup] = by_rule(r, "RU503")
    assert [e.text for e in dup.evidence] == ["七、存在的问题及原因分析", "七、存在的问题及原因分析"]
    assert "2023年" in dup.message


def test_000_stale_figures_contradict_current_year(batch) -> None:
    conflicts = {(f.values["subject"], f.values["stale"], f.values["current"]) for f in by_rule(batch["000"], "RU504")}
    assert ("主任会议", 23, 17) in conflicts
    for f in by_rule(batch["000"], "RU504"):
        assert f.evidence[0].start > f.evidence[1].start  # the stale figure sits in the pasted section


def test_traps_are_not_flagged(batch) -> None:
    # traps: 003 reviews an earlier year's report by name, 002 evaluates an earlier year's projects,
    # 000 plans the next year, 001 (a 2023 report whose paragraphs open with "2023年") must stay quiet
    for key in ("001", "002", "003", "004"):
        assert [f.rule for f in batch[key].findings] == [], key
    texts = [e.text for f in batch["000"].findings for e in f.evidence]
    assert not any("2025" in t for t in texts)
