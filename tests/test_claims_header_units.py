"""Claims in tables that arrive as text: a figure takes its unit from the header that states it
(the claims contract in DESIGN.md). Every table here is written for this test."""

from __future__ import annotations

from decimal import Decimal

from auditor.analysis import Analysis
from auditor.extract.claims import _rate_split, _sum_split
from auditor.readers.text import build_document


def _claims(text: str) -> list[dict]:
    found = [c.to_dict() for c in Analysis(build_document(text, "t.txt")).claims]
    for c in found:
        assert c["text"] == text[c["start"]:c["end"]]
    return found


def _by_text(claims: list[dict]) -> dict[str, tuple[Decimal, str]]:
    return {c["text"]: (Decimal(str(c["value"])), c["unit"]) for c in claims}


def test_pipe_table_cells_take_their_column_header_unit() -> None:
    text = ("县区 | 救助对象(人) | 救助资金(万元) | 覆盖户数(户) |\n"
            "东城区 | 2315 | 418.26 | 1170 |\n"
            "西城区 | 1904 | 352.09 | 866 |\n")
    got = _by_text(_claims(text))
    assert got["2315"] == (Decimal("2315"), "人")
    assert got["418.26"] == (Decimal("418.26"), "万元")
    assert got["866"] == (Decimal("866"), "户")


def test_pipe_table_unit_from_the_header_row_label_and_score_columns() -> None:
    text = ("资金 (万元) | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |\n"
            "年度资金总额 | 860 | 860 | 817 | 10 | 95% | 9.5 |\n")
    got = _claims(text)
    units = [(c["text"], c["unit"]) for c in got]
    assert units == [("860", "万元"), ("860", "万元"), ("817", "万元"), ("10", "分"), ("95%", "%"),
                     ("9.5", "分")]


def test_pipe_row_numbers_are_not_figures() -> None:
    text = ("序号 | 项目 | 金额(万元) |\n"
            "1 | 设备购置 | 35.50 |\n"
            "2 | 人员培训 | 12.00 |\n")
    assert [c["text"] for c in _claims(text)] == ["35.50", "12.00"]


def test_one_cell_per_line_table_takes_the_unit_stated_above() -> None:
    text = ("附表\n单位:萬元\n項目\n合計\n基本支出\n412.08\n"
            "人员情况(人)\n编制数\n37\n")
    got = _by_text(_claims(text))
    assert got["412.08"] == (Decimal("412.08"), "万元")
    assert got["37"] == (Decimal("37"), "人")


def test_a_sentence_ends_the_scope_of_a_unit_stated_above() -> None:
    text = "单位：万元\n合计\n120.5\n以上数据已经审核。\n在册人数\n88\n"
    got = _by_text(_claims(text))
    assert got["120.5"] == (Decimal("120.5"), "万元")
    assert got["88"] == (Decimal("88"), "")


def test_figure_with_a_scale_word_under_a_money_header_keeps_it_in_the_unit() -> None:
    text = "资金情况(万元)\n预算数 200万\n"
    got = _by_text(_claims(text))
    assert got["200万"] == (Decimal("200"), "万元")


def test_glued_rows_split_where_total_equals_the_parts() -> None:
    text = ("单位:万元\n地区 合计 已下达 本次下达\n"
            "甲县45204008512\n乙县33062700606\n丙县68107010-200\n")
    got = [(c["text"], Decimal(str(c["value"])), c["unit"], c["subject"]) for c in _claims(text)]
    assert got == [("4520", Decimal(4520), "万元", "甲县"), ("4008", Decimal(4008), "万元", "甲县"),
                   ("512", Decimal(512), "万元", "甲县"), ("3306", Decimal(3306), "万元", "乙县"),
                   ("2700", Decimal(2700), "万元", "乙县"), ("606", Decimal(606), "万元", "乙县"),
                   ("6810", Decimal(6810), "万元", "丙县"), ("7010", Decimal(7010), "万元", "丙县"),
                   ("-200", Decimal(-200), "万元", "丙县")]


def test_glued_rows_need_a_table_of_them() -> None:
    """One or two runs that happen to add up are no table: they stay as the grammar reads them."""
    text = "单位:万元\n甲县45204008512\n乙县33062700606\n"
    assert all(c["text"] not in ("4520", "3306") for c in _claims(text))


def test_sum_split_is_unique_or_nothing() -> None:
    run = "33062700606"
    (a, b), (c, d), (e, f) = _sum_split(run)
    assert (run[a:b], run[c:d], run[e:f]) == ("3306", "2700", "606")
    assert _sum_split("123456") is None          # no cut adds up
    assert _sum_split("1000010000") is None      # no cut adds up either


def test_count_word_headers_name_the_unit_and_other_columns_units_do_not_leak() -> None:
    text = ("类别 | 标准 | 救助户数 | 救助人数 | 临时救助人次 | 支出 (万元) |\n"
            "城市 | 700元/人/月 | 410 | 655 | 38 | 61.22 |\n")
    got = [(c["text"], c["unit"]) for c in _claims(text)]
    assert got == [("700元/人/月", "元/人/月"), ("410", "户"), ("655", "人"), ("38", "人次"), ("61.22", "万元")]


def test_unit_stated_above_a_table_reaches_columns_with_plain_headers() -> None:
    text = ("单位：万元\n"
            "科目 | 年初预算 | 调整预算 | 决算 |\n"
            "一般公共服务 | 75 | 79 | 78.5 |\n")
    got = [(c["text"], c["unit"]) for c in _claims(text)]
    assert got == [("75", "万元"), ("79", "万元"), ("78.5", "万元")]


def test_label_figure_runs_are_read_as_a_flattened_table() -> None:
    text = "附表 各乡奖补资金(万元)备注东岭镇3西岭镇1.5南坪乡2北坪乡0.5全县合计7注:按户数分配"
    got = [(c["text"], c["unit"], c["subject"]) for c in _claims(text)]
    assert got == [("3", "万元", "备注东岭镇"), ("1.5", "万元", "西岭镇"), ("2", "万元", "南坪乡"),
                   ("0.5", "万元", "北坪乡"), ("7", "万元", "全县合计")]


def test_years_in_prose_are_no_label_figure_run() -> None:
    text = "收入由2016年的842万元增加到2021年的1377万元，支出由2016年的705万元增加到2021年的1268万元。"
    assert all(c["unit"] == "万元" for c in _claims(text))


def test_glued_amount_amount_rate_cells_are_cut_where_the_rate_fits() -> None:
    text = ("资金投入情况(万元)全年预算数(A)全年执行数(B)执行率(B/A×100%)"
            "年度资金总额:25020080.00%其中:中央资金600600100%")
    got = [(c["text"], c["unit"]) for c in _claims(text)]
    assert ("250", "万元") in got and ("200", "万元") in got and ("80.00%", "%") in got
    assert got[3:] == [("600", "万元"), ("600", "万元"), ("100%", "%")]
    assert all(c["text"] != "25020080.00%" for c in _claims(text))
    assert _rate_split("12345") is None      # no cut gives a fitting rate


def test_a_rate_that_fits_no_cut_stays_as_written() -> None:
    text = "满意度20230%，"   # ≥ read as 2 by OCR: kept as written, as the gold rules ask
    got = [(c["text"], Decimal(str(c["value"]))) for c in _claims(text)]
    assert got == [("20230%", Decimal(20230))]


def test_a_unit_header_with_a_pinyin_gloss_inside_its_brackets() -> None:
    text = "經費安排數(萬(wàn)元)\n合計\n56.5\n"
    got = _by_text(_claims(text))
    assert got["56.5"] == (Decimal("56.5"), "万元")


def test_rubric_points_listed_after_their_criteria_are_not_claims() -> None:
    text = ("决策依据 (6分) |\n"
            "依据充分(2分) 符合规划(2分) 程序合规(2分) |\n")
    got = [c["text"] for c in _claims(text)]
    assert got == ["6分"]


def test_a_numbered_section_heading_starts_a_new_table() -> None:
    text = ("年度安排經費 (萬元) |\n120 |\n"
            "三、經費使用明細 |\n開支內容 |\n實際開支數 |\n印刷費 |\n36,000.00 |\n")
    got = [(c["text"], c["unit"]) for c in _claims(text)]
    assert got == [("120", "万元"), ("36,000.00", "")]


def test_key_value_cells_take_the_unit_of_their_key() -> None:
    text = ("项目名称: | 城区绿化 | 自评总分: | 92.5 | |\n"
            "联系人: | 张三 | 编制人数: | 12 | |\n")
    got = [(c["text"], c["unit"]) for c in _claims(text)]
    assert got == [("92.5", "分"), ("12", "人")]


def test_a_four_digit_count_in_a_column_with_a_unit_is_a_figure_not_a_year() -> None:
    text = ("地区 | 救助人数(人) | 资金(万元) |\n"
            "东区 | 1985 | 201.5 |\n"
            "西区 | 2024 | 188.0 |\n")
    got = [(c["text"], c["unit"]) for c in _claims(text)]
    assert got == [("1985", "人"), ("201.5", "万元"), ("2024", "人"), ("188.0", "万元")]


def test_a_score_or_share_header_cannot_name_an_amount() -> None:
    """Misaligned headers: 分 for 461,445.31 is impossible, so the cell takes the unit stated above
    the table, or none."""
    text = ("年初预算数 | 全年预算数 | 全年执行数 | 执行率 | 权重 | 得分 |\n"
            "年度总金额 | 372,405.00 | 476,445.31 | 461,445.31 |\n")
    got = [(c["text"], c["unit"]) for c in _claims(text)]
    assert all(unit not in ("分", "%") for _, unit in got)
    text = "资金情况(万元)\n年初预算数 全年预算数 得分\n年度资金 86 85.42 9.5\n"
    got = _by_text(_claims(text))
    assert got["86"] == (Decimal("86"), "万元") and got["9.5"] == (Decimal("9.5"), "分")
