"""Text shapes of real published reports that the number grammar must read, and look-alikes it must
leave alone (issue 11 §3). Every sentence here is written for this test, in the shapes seen in
public reports: traditional script, pinyin glosses, spaces inside numbers, table cells …"""

from __future__ import annotations

from decimal import Decimal

import pytest

from auditor.extract.numbers import find_numbers

# (sentence, surface, value, unit, qualifier)
MUST_EXTRACT = [
    # traditional script: units come out simplified, the surface stays as written
    ("本年度撥付補助資金86.5萬元。", "86.5萬元", "86.5", "万元", "none"),
    ("全縣共有參保人員3.2萬人。", "3.2萬人", "32000", "人", "none"),
    ("新增造林面積0.8億畝。", "0.8億畝", "80000000", "亩", "none"),
    ("下設科室兩個。", "兩個", "2", "个", "none"),
    ("購置執法車輛12輛。", "12輛", "12", "辆", "none"),
    ("項目結餘約80余萬元。", "約80余萬元", "80", "万元", "approx_more"),
    # pinyin glosses printed inside a word by mirror sites
    ("全年支出358.12萬(wàn)元，", "358.12萬(wàn)元", "358.12", "万元", "none"),
    ("年末結轉0 萬(wàn)元。", "0 萬(wàn)元", "0", "万元", "none"),
    ("服務群眾26.4萬(wàn)人次。", "26.4萬(wàn)人次", "264000", "人次", "none"),
    # big Chinese numerals: money keeps 万元/亿元, counts fold
    ("累計投入二億三千零五十萬元。", "二億三千零五十萬元", "23050", "万元", "none"),
    ("培訓三萬八千名學員。", "三萬八千名", "38000", "名", "none"),
    # spaces inside and around numbers
    ("項目支出0.46 萬元，", "0.46 萬元", "0.46", "万元", "none"),
    ("全年一般公共预算收入318 406 万元，", "318 406 万元", "318406", "万元", "none"),
    ("其中基本支出2 745万元。", "2 745万元", "2745", "万元", "none"),
    ("专项资金412. 36万元已拨付。", "412. 36万元", "412.36", "万元", "none"),
    ("结余资金2.07 万，", "2.07 万", "2.07", "万元", "none"),
    ("惠及群众4.2 万人。", "4.2 万人", "42000", "人", "none"),
    # units beyond the seeds
    ("新建步道860m，", "860m", "860", "m", "none"),
    ("新增装机容量245.5kw。", "245.5kw", "245.5", "kw", "none"),
    ("开设专题讲座12堂。", "12堂", "12", "堂", "none"),
    ("出动无人机4架，", "4架", "4", "架", "none"),
    ("检查车辆23.5万辆次。", "23.5万辆次", "235000", "辆次", "none"),
    ("购置农机具7台套。", "7台套", "7", "台套", "none"),
    ("出口额达215亿美元。", "215亿美元", "215", "亿美元", "none"),
    ("比上年下降0.125个千分点。", "0.125个千分点", "0.125", "个千分点", "none"),
    # rates written as a compound unit
    ("护理补贴标准为每人95元/人·月。", "95元/人·月", "95", "元/人·月", "none"),
    ("租金按8.20元/平方米/月收取，", "8.20元/平方米/月", "8.20", "元/平方米/月", "none"),
    ("人均住房面积不超过13平方米/人。", "不超过13平方米/人", "13", "平方米/人", "at_most"),
    ("奖励标准不低于3.6万元/年。", "不低于3.6万元/年", "3.6", "万元/年", "at_least"),
    ("标准为720 元/人/ 月。", "720 元/人/ 月", "720", "元/人/月", "none"),
    ("检测费用不超过800/年，", "不超过800/年", "800", "/年", "at_most"),
    # a label word that is not a contact label: the figure after it is a count
    ("下设政务服务中心和便民热线办公室2个直属单位。", "2个", "2", "个", "none"),
    ("分类推进七大类部件的普查。", "七大类", "7", "类", "none"),
    ("总额 88 87.6 99.5 19\n年度目标", "19", "19", "", "none"),
    # OCR / export garble of separators: kept as written, commas dropped
    ("县财政 |\n3,05.2,14 |", "3,05.2,14", "305.214", "", "none"),
    # a cell between spaces in a flattened table
    ("产出指标 30 效益指标 20", "30", "30", "", "none"),
    # a length of time bounded by a comparator
    ("设备使用年限≥8年，", "≥8年", "8", "年", "at_least"),
    ("连续服务三年以上的志愿者", "三年以上", "3", "年", "at_least"),
    # a figure followed by a year is no range
    ("从2012年860亿元增加到2020年的1.2万亿元", "860亿元", "860", "亿元", "none"),
    # an enumeration shares its unit, rate unit and bounding qualifier
    ("三项浓度分别控制在61、98、37微克/立方米以下。", "98", "98", "微克/立方米", "at_most"),
    ("三项浓度分别控制在61、98、37微克/立方米以下。", "37微克/立方米以下", "37", "微克/立方米", "at_most"),
    # qualifiers 不到 / 突破
    ("平均响应时间不到9秒钟。", "不到9秒钟", "9", "秒钟", "at_most"),
    ("全年产值突破860亿元。", "突破860亿元", "860", "亿元", "at_least"),
    ("公众号推文不少于600篇 600篇 8\n", "8", "8", "", "none"),   # 篇 then a cell, no title
    # a bare 万/亿 figure before the people it counts is a count, even next to money words
    ("资助金额3.2亿元;共有120万在校生享受贴息", "120万", "1200000", "", "none"),
    ("资助资金8.6亿元，惠及0.45亿学生", "0.45亿", "45000000", "", "none"),
    # a round hundred or thousand after 近/约, batches counted with 个
    ("全村存栏近百头。", "近百头", "100", "头", "approx_about"),
    ("资金分3个批次拨付。", "3个批次", "3", "批次", "none"),
    # a row of figures separated by spaces (a flattened score table)
    ("分值 6 4 8 得分", "4", "4", "", "none"),
]


@pytest.mark.parametrize("sentence,surface,value,unit,qualifier", MUST_EXTRACT,
                         ids=[row[1] for row in MUST_EXTRACT])
def test_must_extract(sentence: str, surface: str, value: str, unit: str, qualifier: str) -> None:
    found = find_numbers(sentence)
    hits = [m for m in found if m.text == surface]
    assert hits, f"{surface!r} not found in {sentence!r}: {[m.text for m in found]}"
    m = hits[0]
    assert m.text == sentence[m.start:m.end]
    assert (m.value, m.unit, m.qualifier) == (Decimal(value), unit, qualifier)


# (sentence, a numeral that must not become a claim)
MUST_NOT_EXTRACT = [
    ("會(huì)議於2023年3月召開。", "2023"),
    ("第 3. 4 节", "3."),                      # a list number, not the amount 3.4
    ("栏次 1 2 3 4 5", "3"),                   # column index numbers of a table
    ("运行时长12min，", "12"),                 # a Latin unit the grammar does not know
    # programme names and fixed phrases (also with a mirror's pinyin gloss inside)
    ("做好困难群众两项补贴发放。", "两项"),
    ("發放困難群眾兩項(xiàng)補貼。", "兩項"),
    ("严格落实中央八项规定精神。", "八项"),
    ("发放一次性生活补助。", "一次"),
    ("乡村治理是一项长期的任务。", "一项"),
    ("启动新一轮营造林试点。", "一轮"),
    ("防汛任务十分艰巨。", "十分"),
    # rubric constants in scoring criteria
    ("资金挪用扣3-6分，超标准开支扣2分。", "3-6分"),
    ("资金挪用扣3-6分，超标准开支扣2分。", "2分"),
    # site chrome, counters, contact numbers
    ("自评报告范文(精选7篇)", "7篇"),
    ("发布人：办公室  阅读：328次", "328"),
    ("1234567次浏览", "1234567"),
    ("上一页 [4] [5] [6] 下一页", "5"),
    ("地址：东风路8号 邮编：410011", "410011"),
    ("联系电话： | 84561234 |", "84561234"),
    ("服务热线：400-800-1234", "400"),
    ("郵編 |\n410011 |", "410011"),                # traditional label, the code on the next line
    ("2021年03月记账 12 |\n", "12"),             # a voucher number
    ("上一页 [4] [5] [6] 7 |\n", "7"),            # the current page of a counter
    ("项目支出绩效自评报告范文 篇2\n", "2"),        # a number closing a title line
    ("整体支出绩效评價報(bào)告 1\n", "1"),
    # dates that lost their 年/月 or sit in a schedule
    ("完成时间 2019.04 2019.09\n", "2019.04"),
    ("某某单位\n2018\n年6\n月3\n日", "6"),
    # a date that lost its 日, a figure cut off at the end of the excerpt, a year "以上"
    ("评价时间：2019年5月14\n", "14"),
    ("全年项目支出较上年减少", "减少"),
    ("各项资金按计划拨付，调增35", "35"),
    ("自2015年以上述标准执行", "2015"),
    ("附近百姓纷纷点赞", "百"),                     # 百 inside a word
    # labels and references
    ("（详见附件1、2）", "2"),
    ("项目安排如下表3-1所示。", "1"),
]


@pytest.mark.parametrize("sentence,numeral", MUST_NOT_EXTRACT, ids=[row[1] for row in MUST_NOT_EXTRACT])
def test_must_not_extract(sentence: str, numeral: str) -> None:
    start = sentence.index(numeral)
    end = start + len(numeral)
    overlapping = [m.text for m in find_numbers(sentence) if m.start < end and start < m.end]
    assert not overlapping, f"{numeral!r} in {sentence!r} read as {overlapping}"


def test_offsets_index_the_original_traditional_text() -> None:
    text = "一、基本情況\n本單位編制人數45人，實有人數43人，年度預算資金1,234.50萬元。"
    for m in find_numbers(text):
        assert m.text == text[m.start:m.end]
    assert [m.unit for m in find_numbers(text)] == ["人", "人", "万元"]


def test_an_enumeration_with_half_width_commas_is_no_garbled_number() -> None:
    found = [(m.text, m.value) for m in find_numbers("得分分别为1,2.5,3。")]
    assert found == [("1", Decimal(1)), ("2.5", Decimal("2.5")), ("3", Decimal(3))]


def test_a_documents_simplified_view_is_kept_while_its_cells_and_headers_are_read(monkeypatch) -> None:
    """simplified_view keeps its last answer for a long text (a document's) and for a short one (a cell,
    a header) apart: reading a header between two cells of a document does not search the whole document
    for traditional characters again. The answers are those of computing each anew."""
    from auditor.extract import numbers as N

    document = "本局全年開展專項檢查12次，" * 60 + "\n預算執行率為95.5%。\n"
    plain = "本局全年开展专项检查12次，" * 60
    searched: list[int] = []
    table, finder = N._traditional()

    class CountingFinder:
        def search(self, text):
            searched.append(len(text))
            return finder.search(text)

    monkeypatch.setattr(N, "_traditional", lambda: (table, CountingFinder()))
    monkeypatch.setattr(N, "_last_view", ("", ""))
    monkeypatch.setattr(N, "_last_long_view", ("", ""))
    view = N.simplified_view(document)
    assert view == document.translate(table) and len(view) == len(document) and "专项检查" in view
    assert N.simplified_view("萬元") == "万元"  # a header between two cells
    assert N.simplified_view(document) is view
    assert N.simplified_view(plain) is plain  # another document, with no traditional character
    assert N.simplified_view("萬元") == "万元"
    assert searched == [len(document), 2, len(plain)]
