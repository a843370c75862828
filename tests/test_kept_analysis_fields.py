"""Analysis fields a batch worker keeps for the cross phase: the fields the reference rules read again
(RU504's indicator actuals and stale scopes, RU501's own-table confirmations, RU507's basic-data final
figures) travel
with the report's ReuseMaterial, and the cross phase's Analysis starts with them instead of reading the
tables, claims and indicator statements again."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest

import auditor.analysis as analysis_module
import auditor.extract.basic_data as basic_data_module
from auditor.analysis import Analysis
from auditor.engine import check_document
from auditor.readers.text import build_document
from auditor.reuse import prior
from auditor.reuse.material import adopt_reuse_material, kept_analysis_fields
from auditor.rules import select_rules
from auditor.runner.worker import KEPT_ANALYSIS_FIELDS, cross_phase_material
from test_crosscheck_rules import DEPT_HEAD, form, table

# Written for this test: a water station's 2024 report. The narrative states three counts; the form's
# actuals confirm the first (same indicator, same value), not the second (another value), and the
# third is framed in 2023 (not this year's figure, whatever the table says).
REPORT = (
    "示例水务站2024年度部门整体支出绩效自评报告\n"
    "一、工作完成情况\n"
    "全年开展河道巡查42次，组织防汛演练6次。\n"
    "2023年开展水质抽检18次。\n"
    "二、支出情况\n"
    "2024年基本支出210.40万元，其中人员经费180.10万元，公用经费30.30万元。\n"
    "部门整体绩效目标自评表\n"
    + form(DEPT_HEAD, ("300", "300", "300", "10", "100%", "10"), [
        ("产出指标", "数量指标", "开展河道巡查次数", "≥40次", "42次", "20", "20", ""),
        ("", "", "组织防汛演练次数", "≥5次", "7次", "20", "20", ""),
        ("", "", "开展水质抽检次数", "≥15次", "18次", "20", "20", ""),
    ])
    + "附件1 2024年度部门整体支出绩效评价基础数据表\n"
    + table([
        ["经费控制情况（万元）", "2023年决算数", "2024年预算数", "2024年决算数"],
        ["人员经费", "171.00", "180.10", "180.10"],
        ["公用经费", "28.75", "30.30", "30.30"],
    ])
)


def _start(doc, words: str, figure: str) -> int:
    return doc.text.index(figure, doc.text.index(words))


def test_own_table_confirms_only_this_years_figure_with_the_same_value() -> None:
    doc = build_document(REPORT, "示例水务站2024.txt")
    confirmed = Analysis(doc).table_confirmed
    assert _start(doc, "全年开展河道巡查", "42") in confirmed  # the form's actual: 42次
    assert _start(doc, "组织防汛演练", "6") not in confirmed  # the form says 7次
    assert _start(doc, "2023年开展水质抽检", "18") not in confirmed  # framed in another year
    # the basic-data table's 2024 final column states the two parts again; the total is in no table
    assert confirmed == {_start(doc, "全年开展河道巡查", "42"), _start(doc, "其中人员经费", "180.10"),
                         _start(doc, "公用经费", "30.30")}


def test_final_records_are_the_final_columns_by_year() -> None:
    doc = build_document(REPORT, "示例水务站2024.txt")
    records = Analysis(doc).final_records
    values = {(label, kind, year): m.value for (label, kind, year, _unit), m in records.items()}
    assert values == {("人员经费", "决算数", 2023): Decimal("171.00"), ("公用经费", "决算数", 2023): Decimal("28.75"),
                      ("人员经费", "决算数", 2024): Decimal("180.10"), ("公用经费", "决算数", 2024): Decimal("30.30")}
    for (_label, _kind, _year, _unit), m in records.items():
        assert doc.text[m.start:m.end] == m.text  # exact evidence


def _shipped(text: str, path: str):
    """A report as the cross phase gets it: checked by a worker, then pickled with its material."""
    doc = build_document(text, path)
    check_document(doc, select_rules(None), keep_analysis=True)
    material = cross_phase_material(doc)
    received = pickle.loads(pickle.dumps(doc))
    adopt_reuse_material(received, pickle.loads(pickle.dumps(material)))
    return doc, material, received


def test_the_worker_keeps_the_fields_the_cross_phase_reads() -> None:
    doc, material, received = _shipped(REPORT, "示例水务站2024.txt")
    assert set(kept_analysis_fields(received)) == set(KEPT_ANALYSIS_FIELDS)
    # kept as one compressed pickle: a batch holds every report's material until its cross phase (as
    # objects they are ~10x larger)
    assert isinstance(material.analysis_fields, bytes) and len(material.analysis_fields) < 2000
    fresh = Analysis(build_document(REPORT, "示例水务站2024.txt"))
    for name in KEPT_ANALYSIS_FIELDS:
        assert kept_analysis_fields(received)[name] == getattr(fresh, name)
    assert doc.derived_view(Analysis) is None  # the worker dropped its Analysis with the other caches


def test_the_worker_reuses_the_checks_analysis_and_a_plain_check_keeps_none(monkeypatch) -> None:
    plain = build_document(REPORT, "示例水务站2024.txt")
    check_document(plain, select_rules(None))
    assert plain.derived_view(Analysis) is None  # a caller holding many reports does not hold their Analysis
    doc = build_document(REPORT, "示例水务站2024.txt")
    check_document(doc, select_rules(None), keep_analysis=True)
    assert doc.derived_view(Analysis) is not None

    def no_second_reading(*args, **kwargs):
        raise AssertionError("read again for the cross material")

    monkeypatch.setattr(analysis_module, "read_forms", no_second_reading)
    monkeypatch.setattr(analysis_module, "collect_statements", no_second_reading)
    monkeypatch.setattr(analysis_module, "read_basic_data", no_second_reading)
    assert cross_phase_material(doc).analysis_fields  # from the checks' own Analysis


def test_the_cross_phase_reads_no_table_again(monkeypatch) -> None:
    _doc, _material, received = _shipped(REPORT, "示例水务站2024.txt")

    def no_second_reading(*args, **kwargs):
        raise AssertionError("read again in the cross phase")

    monkeypatch.setattr(analysis_module, "read_forms", no_second_reading)
    monkeypatch.setattr(analysis_module, "collect_statements", no_second_reading)
    monkeypatch.setattr(basic_data_module, "read_basic_data", no_second_reading)
    monkeypatch.setattr(analysis_module, "wrong_year_framings", no_second_reading)
    analysis = Analysis(received, kept_analysis_fields(received))
    assert analysis.table_confirmed and analysis.indicator_actuals
    assert analysis.stale_scopes == []  # "2023年开展…" states a year, it is not framed in it ("2023年，…")
    assert prior._table_records(received, 2024)  # RU507's read of the basic-data table
    with pytest.raises(AssertionError, match="read again"):
        Analysis(received).forms  # without the kept fields, the tables are read


def test_without_kept_fields_the_records_are_read_and_the_same() -> None:
    _doc, _material, received = _shipped(REPORT, "示例水务站2024.txt")
    plain = build_document(REPORT, "示例水务站2024.txt")  # an index or --reference document: nothing kept
    for year in (2023, 2024, 2025):
        assert prior._table_records(plain, year) == prior._table_records(received, year)
    assert prior._table_records(plain, 2025) == {}


def test_an_unknown_field_is_refused() -> None:
    doc = build_document(REPORT, "示例水务站2024.txt")
    with pytest.raises(ValueError, match="not an Analysis field"):
        Analysis(doc, {"no_such_field": 1})


EARLIER = (
    "示例水务站2023年度部门整体支出绩效自评报告\n"
    "一、工作完成情况\n"
    "全年开展河道巡查38次。\n"
    "附件1 2023年度部门整体支出绩效评价基础数据表\n"
    + table([
        ["经费控制情况（万元）", "2022年决算数", "2023年预算数", "2023年决算数"],
        ["人员经费", "165.20", "171.00", "171.00"],
        ["公用经费", "27.10", "29.00", "29.40"],
    ])
)


@pytest.mark.parametrize("engine", ["inline", "process"])
def test_a_batch_compares_last_years_final_column_from_the_kept_records(tmp_path, engine: str) -> None:
    """RU507 end to end: the 2024 table restates 2023's 公用经费 as 28.75, the 2023 report's own table
    says 29.40; 人员经费 agrees (171.00)."""
    from auditor.batch import audit

    (tmp_path / "示例水务站2024.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "示例水务站2023.txt").write_text(EARLIER, encoding="utf-8")
    batch = audit([tmp_path], rules=["RU507"], jobs=2, engine=engine)
    found = {r.path.rsplit("/", 1)[-1]: r.findings for r in batch.reports}
    assert found["示例水务站2023.txt"] == []
    (finding,) = found["示例水务站2024.txt"]
    assert finding.values["table"] and finding.values["subject"] == "公用经费"
    assert [e.text for e in finding.evidence] == ["28.75", "29.40"]
    assert finding.values["stated_prior"] == Decimal("28.75") and finding.values["earlier_report"] == Decimal("29.40")


def test_the_stale_scopes_travel_with_the_report(monkeypatch) -> None:
    """RU504's stale scopes (the text framed in an earlier year) are kept: the cross phase does not read
    the year framings again, and the scopes are those of a fresh reading."""
    framed = REPORT.replace("2023年开展水质抽检18次。", "2023年，本站开展水质抽检18次，完成管网检修4次。")
    expected = Analysis(build_document(framed, "示例水务站2024.txt")).stale_scopes
    assert expected  # the framed paragraph
    _doc, _material, received = _shipped(framed, "示例水务站2024.txt")

    def no_second_reading(*args, **kwargs):
        raise AssertionError("read again in the cross phase")

    monkeypatch.setattr(analysis_module, "wrong_year_framings", no_second_reading)
    assert Analysis(received, kept_analysis_fields(received)).stale_scopes == expected
    with pytest.raises(AssertionError, match="read again"):
        Analysis(received).stale_scopes
