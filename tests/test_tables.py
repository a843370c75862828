"""Table understanding: budget breakdowns, funding sources, headers found by content, column totals,
basic-data records and their hierarchy, and tables that arrive as "|" paragraphs or flattened runs."""

from __future__ import annotations

from decimal import Decimal

from auditor.extract.basic_data import read_basic_data
from auditor.extract.pipe_tables import split_run
from auditor.extract.tables import cell_number, clean_label, header_key, label_and_number, read_forms
from auditor.readers.text import build_document


def table(rows: list[list[str]]) -> str:
    return "\n\n".join("\n".join("\t" + c for c in row) for row in rows) + "\n\n\n"


def doc_of(text: str):
    return build_document(text, "synthetic.txt")


def _values(doc, cells):
    return {role: doc.cell_text(c) for role, c in cells.items()}


DEPT = [
    ["年度预算申请(万元)", "", "年初预算数(万元)", "全年预算数（万元）", "全年执行数（万元）", "分值", "执行率", "得分"],
    ["", "年度资金总额：", "300.00", "420.00", "400.00", "10", "95.24%", "9.52"],
    ["", "按收入性质分：", "按支出性质分："],
]


def test_breakdown_in_neighbouring_cells() -> None:
    doc = doc_of("说明\n" + table(DEPT + [
        ["", "一般公共预算：", "400.00", "其中:基本支出：", "250.00"],
        ["", "政府性基金拨款：", "0.0", "", ""],
        ["", "纳入专户管理的非税收入拨款：", "0.0", "项目支出：", "150.00"],
        ["", "其他资金", "20.00", "", ""],
        ["年度总体目标", "预期目标", "实际完成情况"]]))
    [block] = read_forms(doc)[0].budgets
    income = block.breakdown("income")
    spending = block.breakdown("spending")
    assert [(i.label, i.value.value) for i in income.items] == [
        ("一般公共预算", Decimal("400.00")), ("政府性基金拨款", Decimal("0.0")),
        ("纳入专户管理的非税收入拨款", Decimal("0.0")), ("其他资金", Decimal("20.00"))]
    assert [(i.label, i.value.value) for i in spending.items] == [("基本支出", Decimal("250.00")),
                                                                  ("项目支出", Decimal("150.00"))]
    assert len(block.lines) == 1  # the breakdown rows are not budget lines


def test_breakdown_in_key_value_cells_with_blanks() -> None:
    doc = doc_of("说明\n" + table(DEPT + [
        ["", "其中：一般公共预算：420.00", "其中：基本支出：250.00"],
        ["", "政府性基金拨款：", "项目支出：150.00"],
        ["", "其他资金：", ""]]))
    [block] = read_forms(doc)[0].budgets
    income = block.breakdown("income")
    assert [(i.label, i.value.value if i.value else None) for i in income.items] == [
        ("一般公共预算", Decimal("420.00")), ("政府性基金拨款", None), ("其他资金", None)]
    item = income.items[0]
    assert item.value_cell is item.label_cell  # label and figure share the cell
    assert doc.text[item.value.start:item.value.end] == "420.00"


def test_funding_source_rows_kept_even_when_blank() -> None:
    rows = [["项目资金（万元）", "资金来源", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            ["", "年度资金总额", "50", "50", "45", "10", "90%", "9"],
            ["", "其中：当年财政拨款", "50", "50", "45", "", "", ""],
            ["", "上年结转资金", "", "", "", "", "", ""],
            ["", "其他资金", "", "", "", "", "", ""]]
    doc = doc_of(table(rows))
    [block] = read_forms(doc)[0].budgets
    assert [s.label for s in block.sources] == ["其中：当年财政拨款", "上年结转资金", "其他资金"]
    assert _values(doc, block.sources[1].cells) == {"budget_initial": "", "budget_full": "", "executed": ""}
    assert block.total_line.label == "年度资金总额"


def test_header_found_by_content_over_two_rows_and_with_slashes() -> None:
    two_rows = [["项目资金（万元）", "年初", "全年", "全年", "执行率"],
                ["", "预算数", "预算数", "执行数", ""],
                ["年度资金总额", "80.00", "90.00", "72.00", "80.00%"]]
    [block] = read_forms(doc_of("某表\n" + table(two_rows)))[0].budgets
    assert set(block.columns) >= {"budget_initial", "budget_full", "executed", "rate"}
    assert header_key("年初/预算数（万元）") == "年初预算数"
    slashed = [["项目资金", "年初/预算数", "全年/预算数", "全年/执行数", "执行率"],
               ["年度资金总额", "80.00", "90.00", "72.00", "80.00%"]]
    doc = doc_of(table(slashed))
    [block] = read_forms(doc)[0].budgets
    assert _values(doc, block.lines[0].cells)["budget_full"] == "90.00"


def test_column_totals_align_on_the_right() -> None:
    doc = doc_of(table([["类别", "名称", "金额（万元）"], ["甲类", "培训经费", "10.5"], ["甲类", "调研经费", "4"],
                        ["合计", "14.5"]]))
    [total] = read_forms(doc)[0].column_totals
    assert doc.cell_text(total.total) == "14.5" and total.header == "金额（万元）"
    assert [(label, doc.cell_text(c)) for label, c in total.parts] == [("培训经费", "10.5"), ("调研经费", "4")]


def test_label_helpers() -> None:
    doc = doc_of(table([["其中：基本支出：12.50", "政府性基金拨款：", "12.50", "完成培训3次共计5万元"]]))
    cells = doc.tables[0].rows[0].cells
    assert label_and_number(doc, cells[0])[0] == "基本支出"
    assert label_and_number(doc, cells[1]) == ("政府性基金拨款", None)
    assert label_and_number(doc, cells[2]) is None
    assert label_and_number(doc, cells[3]) is None
    assert clean_label("2、出国经费") == "出国经费" and clean_label("其他资金") == "其他资金"


BASIC = [["财政供养人员情况（人）", "编制数", "2023年实际在职人数", "控制率"], ["", "30", "28", "93.33%"],
         ["经费控制情况（万元）", "2022年决算数", "2023年预算数", "2023年决算数"],
         ["三公经费", "4.20", "6", "4.60"],
         ["1、公务用车购置和维护经费", "2.00", "3", "2.00"],
         ["其中：公车购置", "0", "0", "0"],
         ["公车运行维护", "2.00", "3", "2.00"],
         ["2、出国经费", "0", "0", "0"],
         ["3、公务接待", "2.20", "3", "2.60"],
         ["项目支出：", "80.00", "95.50", "95.50"],
         ["1、业务工作经费", "", "60.50", "60.50"],
         ["……", "", "", ""],
         ["公用经费", "40.10", "42.30", "42.30"],
         ["其中：办公经费", "12.00", "13.00", "13.00"],
         ["水费、电费、差旅费", "3.10", "4.20", "4.20"],
         ["政府采购金额", "——", "20.00", "20.00"],
         ["楼堂馆所控制情况", "批复规模（㎡）", "实际规模（㎡）", "规模控制率", "预算投资（万元）"]]


def test_basic_data_records_per_row_and_year_column() -> None:
    doc = doc_of("附件1\n" + table(BASIC))
    staff, money = read_basic_data(doc)
    assert staff.unit == "人" and [(c.year, c.kind) for c in staff.columns] == [
        (None, "编制数"), (2023, "实际在职人数"), (None, "控制率")]
    assert staff.rows[0].label == "财政供养人员"
    assert money.unit == "万元"
    records = {(r.label, r.year, r.kind): r.value.value if r.value else None for r in money.records(doc)}
    assert records[("三公经费", 2022, "决算数")] == Decimal("4.20")
    assert records[("公务接待", 2023, "预算数")] == Decimal("3")
    assert records[("业务工作经费", 2022, "决算数")] is None
    assert records[("政府采购金额", 2022, "决算数")] is None  # "——"
    assert "……" not in {r.label for r in money.rows}
    assert "楼堂馆所控制情况" not in {r.label for r in money.rows}


def test_basic_data_hierarchy() -> None:
    doc = doc_of("附件1\n" + table(BASIC))
    money = read_basic_data(doc)[1]
    labels = [r.label for r in money.rows]

    def kids(label):
        return [labels[k] for k in money.children(labels.index(label))]

    assert kids("三公经费") == ["公务用车购置和维护经费", "出国经费", "公务接待"]
    assert kids("公务用车购置和维护经费") == ["公车购置", "公车运行维护"]
    assert kids("项目支出") == ["业务工作经费"]
    assert kids("公用经费") == ["办公经费", "水费、电费、差旅费"]  # 政府采购金额 is a head of its own
    assert money.exhaustive(labels.index("三公经费"))
    assert money.exhaustive(labels.index("公务用车购置和维护经费"))
    assert not money.exhaustive(labels.index("公用经费"))


def test_pipe_paragraphs_become_a_budget_form() -> None:
    text = ("项目资金情况如下：\n"
            "| 项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |\n"
            "| 年度资金总额 | 100.00 | 120.00 | 108.00 | 10 | 80.00% | 8.00 |\n"
            "| 其中：当年财政拨款 | 100.00 | 100.00 | 90.00 | | | |\n"
            "| 上年结转资金 | 0 | 20.00 | 18.00 | | | |\n"
            "以上为资金情况。\n")
    doc = doc_of(text)
    [t] = doc.tables  # the reader puts the "|" rows into the Document's tables
    assert t.flattened == "bars"
    assert [len(r.cells) for r in t.rows] == [7, 7, 7, 7]
    executed = t.rows[1].cells[3]
    assert doc.where(executed.start) == "table"  # evidence from its cells says so
    assert (doc.locate(executed.start).table, doc.locate(executed.start).row, doc.locate(executed.start).column) == (1, 2, 4)
    assert doc.where(text.index("以上为")) == "narrative"
    forms = read_forms(doc)
    [block] = forms[0].budgets
    assert _values(doc, block.total_line.cells)["executed"] == "108.00"
    assert [s.label for s in block.sources] == ["其中：当年财政拨款", "上年结转资金"]
    assert block.sources[1].cells["budget_initial"].is_continuation is False
    assert all(doc.text[c.start:c.end] == doc.cell_text(c) for r in t.rows for c in r.cells)


def test_flattened_run_is_cut_when_only_one_cut_fits() -> None:
    text = ("项目资金（万元）年初预算数全年预算数全年执行数分值执行率得分\n"
            "年度资金总额120.00120.00108.001090.00%9.00\n")
    doc = doc_of(text)
    [t] = [t for t in doc.tables if t.flattened]
    assert [doc.cell_text(c) for c in t.rows[1].cells] == ["年度资金总额", "120.00", "120.00", "108.00", "10",
                                                          "90.00%", "9.00"]
    [block] = read_forms(doc)[0].budgets
    assert cell_number(doc, block.total_line.cells["rate"]).value == Decimal("90.00")


def test_split_run_refuses_ambiguous_cuts() -> None:
    assert split_run("120.00120.00108.00", ["amount"] * 3) == [(0, 6), (6, 12), (12, 18)]
    assert split_run("355355317.42", ["amount"] * 3) is None  # 355|355|317.42 or 3553|55|317.42 …
    assert split_run("10100%10", ["weight", "rate", "score"]) == [(0, 2), (2, 6), (6, 8)]


def test_web_row_under_a_header_without_label_column_is_shifted_by_cell_shapes() -> None:
    """A web table whose header row lacks the label column: the amounts of "资金总额" land one column
    to the left of their headers; only the shift that puts the label under no figure header, amounts
    under amount headers and the rate under the rate header is taken."""
    text = ("资金情况\n"
            "| 年初预算数 | 全年预算数 | 全年执行数 | 执行率 | 执行率权重 | 执行率得分 | | |\n"
            "| 资金总额 | 1,200,000.00 | 1,350,000.00 | 1,296,000.00 | | | | |\n"
            "| 其中：财政拨款 | 1,200,000.00 | 1,350,000.00 | 1,296,000.00 | 96.00 | 10.00 | 9.60 | |\n")
    doc = doc_of(text)
    [block] = [b for f in read_forms(doc) for b in f.budgets]
    first = _values(doc, block.lines[0].cells)
    assert first["budget_initial"] == "1,200,000.00" and first["executed"] == "1,296,000.00"
    assert "rate" not in first  # the executed amount is never read as a rate
    assert _values(doc, block.lines[1].cells)["rate"] == "96.00"


def test_short_row_aligned_only_when_one_shift_fits() -> None:
    """A row that lost a cell ("| 40.5 | 39.2 | 10 | 96.79% | 9 |" under six headers) is aligned on
    the only shift where the "%" falls in the rate column and the points stay under 100; a row of
    figures that fits several shifts is left alone."""
    header = "| 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |\n"
    doc = doc_of("资金\n" + header + "| 资金总额 |\n| 40.5 | 39.2 | 10 | 96.79% | 9 |\n")
    [block] = [b for f in read_forms(doc) for b in f.budgets]
    line = _values(doc, block.lines[0].cells)
    assert line["executed"] == "39.2" and line["rate"] == "96.79%" and line["rate_score"] == "9"
    ambiguous = doc_of("资金\n" + header + "| 资金总额 |\n| 40.5 | 39.2 |\n")
    assert [b.lines for f in read_forms(ambiguous) for b in f.budgets] in ([], [[]])


def test_column_totals_skipped_when_a_row_lost_an_empty_cell() -> None:
    """A web table whose empty cells collapsed: in one row a note mark ("注2") sits where other rows
    hold an amount, so the columns cannot be trusted and no column total is read; the same table with
    its cells in place gives its totals."""
    header = "| 序号 | 项目 | 预算额度 | 调整额度 | 实际额度 | 备注 |\n"
    shifted = ("| 1 | 甲 | 80.00 | 80.00 | | |\n| 2 | 乙 | 300.00 | 20.00 | 320.00 | 注1 |\n"
               "| 3 | 丙 | 150.00 | 150.00 | 注2 | |\n| 合计 | 530.00 | 20.00 | 550.00 | |\n")
    doc = doc_of("表1 安排情况\n" + header + shifted)
    assert [t for f in read_forms(doc) for t in f.column_totals] == []
    aligned = ("| 1 | 甲 | 80.00 | | 80.00 | |\n| 2 | 乙 | 300.00 | 20.00 | 320.00 | 注1 |\n"
               "| 3 | 丙 | 150.00 | | 150.00 | 注2 |\n| 合计 | | 530.00 | 20.00 | 550.00 | |\n")
    doc = doc_of("表1 安排情况\n" + header + aligned)
    assert [doc.cell_text(t.total) for f in read_forms(doc) for t in f.column_totals] == ["530.00", "550.00"]


def _grid(doc, table) -> list[list[str]]:
    return [[doc.text[c.start:c.end] for c in row.cells] for row in table.rows]


def test_one_cell_per_line_rows_follow_separator_lines() -> None:
    doc = doc_of("标题\n||||\n项目 |\n|\n预算数 |\n决算数 |\n|||\n办公费 |\n12.5 |\n10 |\n|||\n"
                 "差旅费 |\n3 |\n|\n|||\n说明文字。")
    [t] = [t for t in doc.tables if t.flattened]
    assert _grid(doc, t) == [["项目", "", "预算数", "决算数"], ["办公费", "12.5", "10"], ["差旅费", "3", ""]]
    assert all(doc.text[c.start:c.end] == doc.cell_text(c) or c.is_continuation for r in t.rows for c in r.cells)


def test_one_cell_per_line_rows_follow_the_one_width_that_fits() -> None:
    doc = doc_of("单位:万元\n项目 |\n预算数 |\n决算数 |\n合计 |\n20 |\n7.5 |\n会议费 |\n8 |\n|\n"
                 "培训费 |\n12 |\n7.5 |\n其他费用 |\n二、说明")
    [t] = [t for t in doc.tables if t.flattened]
    assert _grid(doc, t)[:4] == [["项目", "预算数", "决算数"], ["合计", "20", "7.5"], ["会议费", "8", ""],
                                 ["培训费", "12", "7.5"]]


def test_one_cell_per_line_without_a_width_is_not_a_table() -> None:
    # labels and figures that no single width arranges into rows
    doc = doc_of("甲 |\n乙 |\n1 |\n丙 |\n2 |\n3 |\n丁 |\n戊 |\n己 |\n4 |")
    assert not any(t.flattened for t in doc.tables)


def test_indicator_rows_that_lost_their_merged_cells_align_on_the_right() -> None:
    doc = doc_of("||||\n一级指标 |\n二级指标 |\n三级指标 |\n指标值 |\n实际完成值 |\n分值 |\n得分 |\n|||\n"
                 "产出指标 |\n数量指标 |\n培训班次 |\n4次 |\n4次 |\n20 |\n20 |\n|||\n"
                 "受训人数 |\n200人 |\n180人 |\n20 |\n18 |\n|||\n"
                 "成本指标 |\n培训成本 |\n30万 |\n28万 |\n20 |\n20 |\n|||\n说明。")
    [form] = read_forms(doc)
    rows = form.indicators[0].rows
    assert [(r.level1, r.level2, doc.cell_text(r.cells["indicator"]), doc.cell_text(r.cells["score"]))
            for r in rows] == [("产出指标", "数量指标", "培训班次", "20"), ("产出指标", "数量指标", "受训人数", "18"),
                               ("产出指标", "成本指标", "培训成本", "20")]
    cost = cell_number(doc, rows[2].cells["actual"])
    assert (cost.value, cost.unit) == (Decimal(28), "万元")  # a cost's bare 万 is 万元


def test_glued_budget_rows_cut_by_their_rate_inside_a_page_cell() -> None:
    # a whole form exported into one cell of a page's "|" table, header words and rows run together;
    # several cuts have the shapes, one gives a rate near 执行数 ÷ 预算数
    doc = doc_of("信息名称 | 某项目自评表 | 内容概述 | 自评表资金投入情况(万元)全年预算数(A)全年执行数(B)"
                 "预算执行率(B/A×100%)年度资金总额:2406025.00%其中:中央财政资金1503020%地方资金903033.33% |\n"
                 "发布机构 | 某局 | 发文日期 | 2024-05-20 |")
    [form] = [f for f in read_forms(doc) if f.budgets]
    lines = form.budgets[0].lines
    assert [(_values(doc, line.cells)) for line in lines] == [
        {"budget_full": "240", "executed": "60", "rate": "25.00%"},
        {"budget_full": "150", "executed": "30", "rate": "20%"},
        {"budget_full": "90", "executed": "30", "rate": "33.33%"}]


def test_header_words_in_traditional_script_with_glosses_are_recognised() -> None:
    assert header_key("全年預算數(shù)") == "全年预算数"
    doc = doc_of("項目 | 全年預算數(shù) | 全年執行數(shù) | 執(zhí)行率 |\n年度資金總額 | 100.00 | 90.00 | 90% |")
    [form] = read_forms(doc)
    assert form.budgets[0].columns == {"budget_full": 1, "executed": 2, "rate": 3}


def test_space_separated_form_rows_and_the_weight_in_a_score_header() -> None:
    doc = doc_of("预算执行情况(万元)\n  预算数(A) 执行数(B) 执行率(B/A) 得分\n(10分×执行率)\n"
                 "年度财政资金总额 80 72 90 9\n年度绩效目标 一级指标 二级指标\n")
    [form] = read_forms(doc)
    [line] = form.budgets[0].lines
    assert _values(doc, line.cells) == {"budget_full": "80", "executed": "72", "rate": "90", "rate_score": "9",
                                        "rate_weight": "10分"}
    assert header_key("执行率(B/A×100%)") == "执行率" and header_key("得分（10分×执行率）") == "得分"


def test_space_separated_lines_without_a_budget_header_are_not_a_table() -> None:
    doc = doc_of("分值 得分 备注\n培训 10 9\n宣传 5 5\n")
    assert not any(t.flattened for t in doc.tables)


def test_glued_indicator_rows_read_only_when_their_figures_cut_one_way() -> None:
    doc = doc_of("部门整体绩效自评表 指标名称计量单位指标性质年初指标值全年完成值得分系数(%)指标权重(分)指标得分(分)"
                 "是否核心指标项目按期完工率%定量指标95%88%100%33是培训覆盖人次人次500人次520人次100%1010否"
                 "信息公开及时性好好100%22否预算调整率%5%0100%22否评分高于满分率%80%70%90%43否")
    [form] = [f for f in read_forms(doc) if f.indicators]
    block = form.indicators[0]
    assert block.partial  # qualitative and unreadable rows are left out: the rows are not the whole form
    got = [{role: doc.cell_text(c) for role, c in row.cells.items() if role != "measure_unit"} for row in block.rows]
    assert got == [
        {"indicator": "项目按期完工率", "target": "95%", "actual": "88%", "coefficient": "100%", "weight": "3", "score": "3"},
        {"indicator": "培训覆盖人次", "target": "500人次", "actual": "520人次", "coefficient": "100%", "weight": "10",
         "score": "10"}]


def test_cells_take_their_figures_from_the_one_number_pass() -> None:
    from auditor.analysis import Analysis

    doc = doc_of("项目 | 全年预算数 | 全年执行数 | 执行率 |\n年度资金总额 | 120.00 | 108.00 | 90% |\n"
                 "年初预算数全年预算数全年执行数执行率\n年度资金总额1201089000%\n")
    analysis = Analysis(doc)
    [bar_form, *_] = analysis.forms
    line = bar_form.budgets[0].lines[0]
    whole = {id(m) for m in analysis.numbers}
    assert all(id(cell_number(doc, c)) in whole for c in line.cells.values())  # the same objects
    assert analysis.cell_numbers >= 8
