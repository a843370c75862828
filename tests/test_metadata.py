"""Unit, fiscal year and kind of a report."""

from __future__ import annotations

import pytest

from auditor.readers.text import build_document


def meta(text: str):
    m = build_document(text, "t.txt").meta
    return m.unit, m.year, m.kind


@pytest.mark.parametrize("text,expected", [
    ("部门（单位）名称：（盖章）\n2025年3月10日\n\n2024年度某某县教育局整体支出绩效自评报告\n一、基本情况\n2025年工作计划。\n",
     ("某某县教育局", 2024, "department")),
    ("2023年度某市水利局\n部门（单位）整体支出绩效自评报告\n一、部门概况\n", ("某市水利局", 2023, "department")),
    ("某县卫生健康局\n2022年度整体支出绩效自评报告\n一、资金情况\n", ("某县卫生健康局", 2022, "department")),
    ("2024年度乡村学校营养餐项目支出绩效自评报告\n一、项目概况\n", (None, 2024, "project")),
])
def test_title(text, expected) -> None:
    assert meta(text) == expected


def test_no_title_uses_body_organisation_and_dominant_year() -> None:
    text = ("一、单位概况\n某县农业农村局（加挂某某牌子）设内设机构5个。\n二、部门整体支出绩效情况\n"
            "2023年完成任务。2023年支出决算。2022年同期对比。报告日期2024年1月5日。2024年1月8日。\n")
    assert meta(text) == ("某县农业农村局", 2023, "department")


def test_table_only_report_uses_name_cell_and_year_line() -> None:
    text = "附件：\n\t项目资金绩效目标自评表\n\n\t（2022年度）\n\n\t项目名称\n\t乡村道路养护\n\t主管部门\n\t某县交通运输局\n\n\n"
    unit, year, kind = meta(text)
    assert (unit, year, kind) == ("某县交通运输局", 2022, "project")


def test_unknown_when_nothing_says() -> None:
    assert meta("会议纪要\n大家讨论了工作。\n") == (None, None, "unknown")


@pytest.mark.parametrize("text,expected", [
    # a budget disclosure names the unit before its topic
    ("石门县文化馆2023年“三公”经费预算情况说明\n“三公”经费包括因公出国（境）费等。2023年预算6.5万元。\n",
     ("石门县文化馆", 2023)),
    ("关于石门县档案馆财政拨款“三公”经费决算2022年情况的说明\n一、总体情况\n2022年决算3.2万元。\n",
     ("石门县档案馆", 2022)),
    # traditional script with pinyin glosses inside the words, as some mirrored pages print it
    ("2021年石門縣各民主黨派部門預(yù)算公開說(shuō)明\n支出合計4.3萬元。\n",
     ("石门县各民主党派", 2021)),  # read in simplified characters
])
def test_budget_disclosure_title_names_the_unit(text, expected) -> None:
    unit, year, _kind = meta(text)
    assert (unit, year) == expected


def test_a_report_title_is_still_preferred_to_a_disclosure_line() -> None:
    text = "2024年度某县司法局整体支出绩效自评报告\n某县财政局2024年预算情况说明\n一、基本情况\n"
    assert meta(text)[:2] == ("某县司法局", 2024)
