"""The RU5xx rules: no-reference checks on synthetic text, and RU501/RU505 with references."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from auditor.analysis import Analysis
from auditor.readers.text import build_document
from auditor.reuse.detect import duplicate_headings, figure_conflicts, wrong_year_framings
from auditor.reuse.references import ReferenceSet, attach, same_unit, unit_key
from auditor.reuse.text import strip_numbering

# RU502-RU504 need no reference: register them now so that tests/test_rule_fixtures.py runs their
# fixtures (auditor/rules/__init__.py imports them once the lead wires the modules).
import auditor.rules.ru502_wrong_year_framing  # noqa: E402,F401
import auditor.rules.ru503_duplicated_section  # noqa: E402,F401
import auditor.rules.ru504_stale_figure_conflict  # noqa: E402,F401

REUSE_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reuse"


def doc_of(text: str, path: str = "mem.txt"):
    return build_document(text, path, "txt")


def test_strip_numbering() -> None:
    assert strip_numbering("七、存在的问题及原因分析") == "存在的问题及原因分析"
    assert strip_numbering("8、 下一步改进措施") == "下一步改进措施"
    assert strip_numbering("（三）部门预算编制") == "部门预算编制"


def test_framing_ignores_later_years_and_mid_sentence_years() -> None:
    doc = doc_of("2024年度某局部门整体支出绩效自评报告\n一、情况\n2025年，本局将继续努力。\n"
                 "本局听取2023年度汇报。\n2023年以来，持续推进。\n2023年，本局召开会议3次。\n")
    found = wrong_year_framings(doc)
    assert [doc.text[f.frame_start:f.frame_end] for f in found] == ["2023年，本局召开会议3次"]


def test_no_year_means_no_framing() -> None:
    doc = doc_of("某局工作情况\n一、情况\n本局召开会议3次。\n")
    assert doc.meta.year is None or wrong_year_framings(doc) == []


def test_duplicate_headings_need_same_parent() -> None:
    doc = doc_of("2024年度某局报告\n一、项目甲\n（一）项目概况\n甲的内容。\n二、项目乙\n（一）项目概况\n乙的内容。\n")
    assert duplicate_headings(doc) == []


def test_unit_matching() -> None:
    assert unit_key("青禾县人民代表大会常务委员会办公室") == "青禾县人大常委会"
    assert same_unit("青禾县人民代表大会常务委员会", "青禾县人大常委会办公室")
    assert not same_unit("临川市人大常委会", "临川市东湖区人大常委会")


def _cases(code: str) -> list[Path]:
    return sorted((REUSE_FIXTURES / code).glob("*.txt"))


def _run_with_references(code: str, path: Path) -> list[dict]:
    from auditor.engine import read_document
    from auditor.rules import select_rules
    from auditor.rules.registry import run_rules

    doc = read_document(path)
    ref_paths = sorted((REUSE_FIXTURES / code / "references" / path.stem).glob("*.txt"))
    refs = ReferenceSet.for_batch([doc], ref_paths)
    analysis = Analysis(doc)
    attach(analysis, refs)
    findings = [f.to_dict() for f in run_rules(analysis, select_rules([code]))]
    texts = {d.path: d.text for d in refs.documents}
    for f in findings:
        assert f["rule"] == code
        for e in f["evidence"]:
            source_text = texts[e["source"]] if e["source"] else doc.text
            assert source_text[e["start"]:e["end"]] == e["text"]
    return findings


@pytest.mark.parametrize("code", ["RU501", "RU505", "RU506", "RU507"])
def test_reference_rule_fixtures(code: str) -> None:
    cases = _cases(code)
    assert any(p.stem.startswith("flag_") for p in cases) and any(p.stem.startswith("pass_") for p in cases)
    for path in cases:
        findings = _run_with_references(code, path)
        if path.stem.startswith("pass_"):  # honest reuse may be noted at info, never more
            assert all(f["severity"] == "info" for f in findings), f"{path.name}: {[f['message'] for f in findings]}"
        elif path.stem.startswith("low_"):  # reported, but as a doubt the report's own evidence weakens
            assert any(f["severity"] == "low" for f in findings), f"{path.name} must be flagged low by {code}"
            assert not any(f["severity"] in ("high", "medium") for f in findings), f"{path.name}: {findings}"
        elif code == "RU501":  # a copy with un-updated facts is more than a note
            assert any(f["severity"] in ("high", "medium") for f in findings), f"{path.name} must be flagged by {code}"
        else:
            assert findings, f"{path.name} must be flagged by {code}"
        snapshot = [{"rule": f["rule"], "severity": f["severity"], "message": f["message"],
                     "evidence": [[e["text"], Path(e["source"]).name if e["source"] else None] for e in f["evidence"]],
                     "alignment_pairs": len(f.get("alignment", {}).get("pairs", []))} for f in findings]
        expected = path.with_suffix(".expected.json")
        if os.environ.get("AUDITOR_UPDATE_SNAPSHOTS"):
            expected.write_text(json.dumps(snapshot, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        assert snapshot == json.loads(expected.read_text(encoding="utf-8"))


def test_prior_year_figures_are_checked_across_a_units_reports_in_one_batch(tmp_path: Path) -> None:
    from auditor.batch import audit

    case = REUSE_FIXTURES / "RU507"
    earlier = case / "references" / "flag_restated_differently" / "tongxi_2023.txt"
    for name, expected in (("flag_restated_differently", 2), ("pass_honest_restatement", 0), ("pass_revision_noted", 0)):
        batch = audit([case / f"{name}.txt", earlier], rules=["RU507"], jobs=1, engine="inline")
        found = {Path(r.path).name: [f for f in r.findings if f.rule == "RU507"] for r in batch.reports}
        assert len(found[f"{name}.txt"]) == expected, name
        assert found["tongxi_2023.txt"] == []  # the earlier report states no later year
        for f in found[f"{name}.txt"]:
            assert f.evidence[-1].source == str(earlier)
            assert earlier.read_text(encoding="utf-8")[f.evidence[-1].start:f.evidence[-1].end] == f.evidence[-1].text


_INDICATOR_TABLE = ("二、绩效指标完成情况\n"
                    "\t绩效指标\n\t一级指标\n\t二级指标\n\t三级指标\n\t年度指标值\n\t实际完成值\n\t分值\n\t得分\n\n"
                    "\t\n\t产出指标\n\t数量指标\n\t病虫害防治面积\n\t≥800亩\n\t850亩\n\t10\n\t10\n\n")
_STALE_REPORT = ("柳岸镇农业服务中心2024年度部门整体支出绩效自评报告\n一、基本情况\n"
                 "2024年，中心举办种植技术培训15期，发放宣传资料3000份。\n"
                 "2023年，中心举办种植技术培训12期，完成病虫害防治面积780亩。\n" + _INDICATOR_TABLE)


def test_stale_figures_are_compared_with_the_narrative_then_the_indicator_table() -> None:
    analysis = Analysis(doc_of(_STALE_REPORT))
    found = [(c.subject, c.stale.text, c.current.text) for c in figure_conflicts(analysis, analysis.stale_scopes)]
    assert found == [("中心种植技术培训", "12期", "15期"), ("病虫害防治面积", "780亩", "850亩")]  # the table's actual


def test_the_indicator_table_is_read_only_when_the_narrative_has_no_match() -> None:
    text = _STALE_REPORT.replace("完成病虫害防治面积780亩", "发放宣传资料2600份")
    analysis = Analysis(doc_of(text))
    found = [(c.subject, c.stale.text, c.current.text) for c in figure_conflicts(analysis, analysis.stale_scopes)]
    assert found == [("中心种植技术培训", "12期", "15期"), ("发放宣传资料", "2600份", "3000份")]
    assert "indicator_actuals" not in vars(analysis)  # the table forms were not read for this check


def test_current_figures_are_read_only_in_the_stale_figures_units(monkeypatch) -> None:
    """A current figure's subject is read only when a stale figure has its unit: the conflicts are the
    same as reading every figure's subject, and the figures in other units (元, 人次, 场) are never read."""
    import auditor.extract.subjects as subjects

    text = _STALE_REPORT.replace("发放宣传资料3000份。", "发放宣传资料3000份，接待群众420人次，举办展会6场，支出经费8.5万元。")
    expected = [("中心种植技术培训", "12期", "15期"), ("病虫害防治面积", "780亩", "850亩")]
    read: list[str] = []
    subject_for = subjects.subject_for

    def counting(doc_text, mention, **kwargs):
        read.append(mention.text)
        return subject_for(doc_text, mention, **kwargs)

    monkeypatch.setattr(subjects, "subject_for", counting)
    analysis = Analysis(doc_of(text))
    found = [(c.subject, c.stale.text, c.current.text) for c in figure_conflicts(analysis, analysis.stale_scopes)]
    assert found == expected
    assert "15期" in read and not {"420人次", "6场", "8.5万元", "3000份"} & set(read)


def test_stale_figures_equal_to_this_years_are_left_alone() -> None:
    """A stale paragraph whose figures equal this year's, in the narrative or the table (within rounding),
    states nothing that conflicts."""
    text = _STALE_REPORT.replace("培训12期", "培训15期").replace("防治面积780亩", "防治面积850.0亩")
    analysis = Analysis(doc_of(text))
    assert analysis.stale_scopes  # the 2023 paragraph is still read as stale
    assert figure_conflicts(analysis, analysis.stale_scopes) == []
