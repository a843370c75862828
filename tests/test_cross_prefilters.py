"""Shortcuts of the cross-report checks, each a necessary condition: the checks give what they gave
without them (the sample corpus and made-up reports, with cases on both sides of each condition)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.readers.decode import decode_text
from auditor.readers.text import build_document
from auditor.reuse import prior

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"

# made-up 2024 reports: previous-year figures named by 上年, 去年, 上一年度, the year's number (half- and
# full-width), a change against last year, a revision; and paragraphs naming no previous year
MADE_UP_2024 = (
    "某某局2024年度部门整体支出绩效自评报告\n"
    "一、基本情况\n"
    "2023年完成专项培训12期，本年完成培训15期。\n"
    "上年开展入户调研8次，今年开展调研9次。\n"
    "去年受理群众来信214件。\n"
    "上一年度支出总额326.5万元。\n"
    "２０２３年新建便民服务点6个。\n"
    "本年发放补助资金88.2万元，较上年增加6.4万元。\n"
    "本年培训人数300人，比去年减少20人。\n"
    "经调整，2023年决算数更正为301.2万元。\n"
    "二、绩效情况\n"
    "本年完成专项培训15期，开展调研9次，新建服务点7个。\n"
    "全年发放补助资金88.2万元，惠及农户1200户。\n"
)
MADE_UP_2023 = (
    "某某局2023年度部门整体支出绩效自评报告\n"
    "一、基本情况\n"
    "本年完成专项培训10期，开展入户调研8次，受理群众来信214件。\n"
    "全年发放补助资金81.8万元，新建便民服务点6个。\n"
)


def _documents() -> list:
    texts = [decode_text(p.read_bytes())[0] for p in sorted(SAMPLE.glob("*.txt"))]
    assert texts, "the sample corpus is missing"
    return [build_document(t, f"t{k}.txt", "txt") for k, t in enumerate([*texts, MADE_UP_2024, MADE_UP_2023])]


def test_prior_claims_read_only_paragraphs_naming_the_previous_year(monkeypatch: pytest.MonkeyPatch) -> None:
    """``prior._names_previous_year``: a paragraph that names neither 上年/去年 nor the previous year's
    number states no prior claim; skipping it gives the claims that reading every paragraph gives.
    Each way of naming the year has its own paragraph, so a condition that forgot one would fail."""
    documents = _documents()
    fast = [prior.prior_claims(d) for d in documents]
    monkeypatch.setattr(prior, "_names_previous_year", lambda *args: True)
    full = [prior.prior_claims(d) for d in documents]
    assert fast == full
    made = full[-2]
    stated = sorted((c.value, c.derived) for c in made)
    # 12 (2023年), 8 (上年), 214 (去年), 326.5 (上一年度), 6 (２０２３年), 88.2 - 6.4, 300 + 20; not the revision
    assert [float(v) for v, _ in stated] == [6, 8, 12, 81.8, 214, 320, 326.5]
    assert sum(derived for _, derived in stated) == 2


def test_the_earlier_report_is_read_only_for_a_report_with_prior_claims(monkeypatch: pytest.MonkeyPatch) -> None:
    """``prior_mismatches`` reads the earlier report's own figures only when the report states one of
    the previous year's: a report without such a figure gives none, and the earlier one is not read."""
    *_, later, earlier = _documents()
    mismatches = prior.prior_mismatches(later, earlier)
    assert [(m.claim.subject, float(m.claim.value), float(m.earlier.value)) for m in mismatches] == [
        ("专项培训", 12.0, 10.0)]

    def unread(doc):
        raise AssertionError("the earlier report was read")

    monkeypatch.setattr(prior, "own_year_figures", unread)
    plain = build_document("某某局2024年度部门整体支出绩效自评报告\n一、基本情况\n本年完成专项培训15期。\n",
                           "plain.txt", "txt")
    assert prior.prior_mismatches(plain, earlier) == []
    with pytest.raises(AssertionError):
        prior.prior_mismatches(later, earlier)


def _basic_data_report(year: int, columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> str:
    """A made-up report with a basic-data table in the tab-separated shape of a .docx export."""
    lines = [f"某某中心{year}年度部门整体支出绩效自评报告", "一、支出情况", f"{year}年支出情况见附表。",
             f"附件1 {year}年度部门整体支出绩效评价基础数据表", "\t经费控制情况（万元）", *(f"\t{c}" for c in columns), ""]
    for row in rows:
        lines += [f"\t{cell}" for cell in row] + [""]
    return "\n".join(lines) + "\n"


def test_the_earlier_basic_data_table_is_read_only_for_a_report_with_that_years_figures(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``table_prior_mismatches`` reads the earlier report's basic-data table only when the report's own
    table gives a final figure for that year: one that does is compared row by row, one that does not
    gives none without the earlier table being read."""
    earlier = build_document(_basic_data_report(2023, ("2022年决算数", "2023年预算数", "2023年决算数"),
                                                (("人员经费", "300.10", "310.00", "318.20"),
                                                 ("公用经费", "50.00", "52.00", "51.30"))), "e.txt", "txt")
    later = build_document(_basic_data_report(2024, ("2023年决算数", "2024年预算数", "2024年决算数"),
                                              (("人员经费", "318.20", "330.00", "329.50"),
                                               ("公用经费", "55.30", "54.00", "53.90"))), "l.txt", "txt")
    budget_only = build_document(_basic_data_report(2024, ("2024年预算数", "2024年决算数"),
                                                    (("人员经费", "330.00", "329.50"),)), "b.txt", "txt")
    read: list[str] = []
    records = prior._table_records

    def tracked(doc, year):
        read.append(doc.path)
        return records(doc, year)

    monkeypatch.setattr(prior, "_table_records", tracked)
    found = prior.table_prior_mismatches(later, earlier)
    assert [(m.label, float(m.this.value), float(m.earlier.value)) for m in found] == [("公用经费", 55.3, 51.3)]
    assert read == ["l.txt", "e.txt"]
    read.clear()
    assert prior.table_prior_mismatches(budget_only, earlier) == []
    assert read == ["b.txt"]


def test_another_units_report_is_indexed_only_when_its_paragraphs_are_aligned() -> None:
    """``crossunit.copy_from`` asks for the other report's n-gram index only once the report states
    enough of that report's figures to be aligned with it: a candidate sharing no figure is not
    indexed, and a copy gives the same pairs with the cached index as with its own."""
    from auditor.reuse import crossunit
    from auditor.reuse.align import SourceIndex

    body = ("{unit}2024年度部门整体支出绩效自评报告\n一、基本情况\n"
            "{unit}负责辖区内公园绿地的日常养护，本年度修剪行道树{a}株，补植草坪{b}平方米。\n"
            "二、绩效目标完成情况\n"
            "{unit}组织园林病虫害统防统治{c}次，受理市民绿化投诉{d}件，全部按期办结。\n"
            "全年开展绿化科普进社区活动{e}场，发放宣传资料{f}份，群众满意度较高。\n")
    copied = dict(a=1280, b=5600, c=14, d=63, e=9, f=2400)
    own = dict(a=731, b=2250, c=6, d=18, e=4, f=950)
    one = build_document(body.format(unit="南岸区园林局", **copied), "one.txt", "txt")
    other = build_document(body.format(unit="北岭区绿化处", **copied), "other.txt", "txt")
    honest = build_document(body.format(unit="东湖区园林处", **own), "honest.txt", "txt")
    asked: list[str] = []

    def index_of(doc):
        asked.append(doc.path)
        return SourceIndex(doc)

    def described(found):
        return None if found is None else ([(p.this_start, p.this_end, p.source_start, p.source_end)
                                            for p in found.pairs], found.figures, found.characters)

    assert crossunit.copy_from(honest, other, index_of) is None
    assert asked == []
    found = crossunit.copy_from(one, other, index_of)
    assert asked == ["other.txt"]
    assert found is not None and len(found.pairs) == 3
    assert described(found) == described(crossunit.copy_from(one, other))
