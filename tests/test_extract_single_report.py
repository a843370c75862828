"""Single-report extraction read by rules through the Analysis: wrong-year framings and stale scopes,
repeated headings and paragraphs, the level points of a form's weights, and the fund rates and money
statements of the narrative. Each field is computed once and is what the extractor function returns."""

from __future__ import annotations

from decimal import Decimal

from auditor.analysis import Analysis
from auditor.extract.duplicates import duplicate_headings, duplicate_paragraphs
from auditor.extract.framings import stale_scopes, wrong_year_framings
from auditor.extract.weights import announced_points, without_points
from auditor.readers.text import build_document
from auditor.reuse import detect
from auditor.reuse.material import reuse_material
from auditor.rules import select_rules
from auditor.rules.registry import run_rules


def doc_of(text: str):
    return build_document(text, "synthetic.txt")


def table(rows: list[list[str]]) -> str:
    """A layout table as the text reader sees it: one tab-indented cell per line, a blank line per row."""
    return "\n\n".join("\n".join("\t" + c for c in row) for row in rows) + "\n\n\n"


# --- wrong-year framings and stale scopes ------------------------------------------------------------

FRAMED = ("2025年度某中心部门整体支出绩效自评报告\n一、工作开展情况\n"
          "2024年，中心共举办讲座9场，接待来访群众120人次。\n"
          "本年度中心举办讲座12场。2024年，中心完成档案整理300卷，全年运转平稳。今年起改为季度通报。\n"
          "2026年中心将继续扩大服务范围。\n")


def test_year_framings_field_is_the_extractor_output_and_is_computed_once() -> None:
    doc = doc_of(FRAMED)
    analysis = Analysis(doc)
    framings = analysis.year_framings
    assert framings is analysis.year_framings
    openings = [(doc.text[f.frame_start:f.frame_end], f.year, f.inside) for f in framings]
    assert openings == [("2024年，中心共举办讲座9场", 2024, False), ("2024年，中心完成档案整理300卷", 2024, True)]
    assert [(f.frame_start, f.frame_end) for f in wrong_year_framings(doc)] == \
        [(f.frame_start, f.frame_end) for f in framings]


def test_stale_scopes_run_from_the_framing_to_the_paragraph_end() -> None:
    doc = doc_of(FRAMED)
    analysis = Analysis(doc)
    scopes = [doc.text[s:e] for s, e in analysis.stale_scopes]
    assert scopes == ["2024年，中心共举办讲座9场，接待来访群众120人次。",
                      "2024年，中心完成档案整理300卷，全年运转平稳。今年起改为季度通报。"]
    assert stale_scopes(doc) == analysis.stale_scopes  # computed from the framings when not given


def test_the_passages_field_is_the_list_kept_for_the_cross_report_phase() -> None:
    doc = doc_of(FRAMED)
    analysis = Analysis(doc)
    assert analysis.passages is reuse_material(doc).passages
    assert all(doc.text[p.start:p.end].strip() for p in analysis.passages)


# --- repeated headings and paragraphs ----------------------------------------------------------------

REPEATED = ("2025年度某站部门整体支出绩效自评报告\n"
            "一、基本情况\n本站负责辖区内河道水位监测和汛期预警信息发布，配有监测人员六名，设备三十余台套。\n"
            "二、存在的问题\n部分监测设备老化严重，数据传输偶有中断，汛期人员轮换压力较大，需要补充编制。\n"
            "三、存在的问题\n本站负责辖区内河道水位监测和汛期预警信息发布，配有监测人员六名，设备三十余台套。\n")


def test_duplicate_fields_find_the_repeated_heading_and_paragraph() -> None:
    doc = doc_of(REPEATED)
    analysis = Analysis(doc)
    [heading] = analysis.duplicate_headings
    assert heading.title == "存在的问题" and len(heading.sections) == 2
    [paragraph] = analysis.duplicate_paragraphs
    assert paragraph.score == 100.0
    assert doc.text[paragraph.first.start:paragraph.first.end] == doc.text[paragraph.second.start:paragraph.second.end]
    assert paragraph.first.start < paragraph.second.start
    assert [d.title for d in duplicate_headings(doc)] == ["存在的问题"]
    assert len(duplicate_paragraphs(doc)) == 1


def test_moved_names_stay_importable_from_reuse_detect() -> None:
    assert detect.wrong_year_framings is wrong_year_framings
    assert detect.stale_scopes is stale_scopes
    assert detect.duplicate_headings is duplicate_headings
    assert detect.duplicate_paragraphs is duplicate_paragraphs


# --- level points of a form's weights (AR109) ----------------------------------------------------------

def test_announced_points_read_both_bracket_widths_and_decimals() -> None:
    assert announced_points("产出指标（40分）") == Decimal(40)
    assert announced_points("效果指标(12.5分)") == Decimal("12.5")
    assert announced_points("满意度指标") is None
    assert announced_points("成本指标（万元）") is None
    assert without_points("效果指标(12.5分)") == "效果指标"


WEIGHTS_FORM = table([
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ["产出指标（40分）", "数量指标", "新建监测站点数量", "≥3个", "3个", "25", "25"],
    ["", "时效指标", "站点完工及时率", "100%", "100%", "10", "10"],
    ["效果指标(30.5分)", "社会效益指标", "群众预警知晓率", "≥80%", "85%", "30.5", "30"],
    ["满意度指标", "服务对象满意度指标", "沿河居民满意度", "≥90%", "93%", "20", "20"],
])


def test_form_weights_group_the_weights_under_their_level_with_its_points() -> None:
    doc = doc_of(WEIGHTS_FORM)
    analysis = Analysis(doc)
    assert len(analysis.form_weights) == len(analysis.forms)
    [fw] = [w for w in analysis.form_weights if w.weights]
    assert fw.form is analysis.forms[analysis.form_weights.index(fw)]
    assert [w.value for w in fw.weights] == [Decimal(25), Decimal(10), Decimal("30.5"), Decimal(20)]
    levels = [(lv.name, lv.points, [w.value for w in lv.weights]) for lv in fw.levels]
    assert levels == [("产出指标", Decimal(40), [Decimal(25), Decimal(10)]),
                      ("效果指标", Decimal("30.5"), [Decimal("30.5")]),
                      ("满意度指标", None, [Decimal(20)])]
    cells = [doc.cell_text(lv.label_cell) if lv.label_cell is not None else None for lv in fw.levels]
    assert cells == ["产出指标（40分）", "效果指标(30.5分)", None]


def test_ar109_judges_the_extracted_level_points() -> None:
    doc = doc_of(WEIGHTS_FORM)
    found = [f for f in run_rules(Analysis(doc), select_rules(["AR109"])) if "level" in f.values]
    assert [(f.values["level"], f.values["announced_points"], f.values["weight_sum"]) for f in found] == \
        [("产出指标", Decimal(40), Decimal(35))]
    assert found[0].evidence[0].text == "产出指标（40分）"


# --- fund rates and money statements of the narrative (AR105) -----------------------------------------

RATES = ("一、预算执行情况\n"
         "本年度项目预算数为200.00万元，实际支出180.00万元，预算执行率为95%。\n\n"
         + table([["项目", "预算数", "执行数", "执行率为"], ["设备购置", "50.00万元", "40.00万元", "70%"]])
         + "群众满意率为98%。\n")


def test_narrative_rates_and_money_statements_cover_prose_only() -> None:
    doc = doc_of(RATES)
    analysis = Analysis(doc)
    [(para, rate, cue)] = analysis.narrative_rates
    assert rate.value == Decimal(95) and cue == "执行率为"
    assert para.start <= rate.start < para.end
    assert set(analysis.money_statements) == {p.index for p in analysis.prose}
    amounts = [a for sentences in analysis.money_statements.values() for _, found in sentences for a in found]
    assert [(a.mention.value, a.kind) for a in amounts] == [(Decimal(200), "B"), (Decimal(180), "E")]
    assert len(doc.tables) == 1  # the table's amounts and rate are cells, not narrative statements


def test_ar105_judges_the_extracted_rate() -> None:
    [f] = run_rules(Analysis(doc_of(RATES)), select_rules(["AR105"]))
    assert f.values["stated_rate"] == Decimal(95) and f.values["computed_rate"] == Decimal("90.00")
