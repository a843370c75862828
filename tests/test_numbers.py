"""Numeric-mention grammar: table-driven fixtures (synthetic sentences) and seed-wide checks."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from auditor.extract.numbers import NumberMention, find_numbers, parse_number

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def _one(sentence: str, surface: str) -> NumberMention:
    hits = [m for m in find_numbers(sentence) if m.text == surface]
    assert hits, f"{surface!r} not found in {sentence!r}: {[m.text for m in find_numbers(sentence)]}"
    return hits[0]


# (sentence, surface, value, unit, qualifier)
MUST_EXTRACT = [
    # people's congress style
    ("本年度共召开常委会会议11次，主任会议15次。", "11次", "11", "次", "none"),
    ("本年度共召开常委会会议11次，主任会议15次。", "15次", "15", "次", "none"),
    ("组织代表参加视察1500多人次，成效明显。", "1500多人次", "1500", "人次", "approx_more"),
    ("接待来访群众3万多人次。", "3万多人次", "30000", "人次", "approx_more"),
    ("组织培训450余人，覆盖全部乡镇。", "450余人", "450", "人", "approx_more"),
    ("共办理代表建议276件，办结率100%。", "276件", "276", "件", "none"),
    ("共办理代表建议276件，办结率100%。", "100%", "100", "%", "none"),
    ("群众满意率96.7%，较上年提高。", "96.7%", "96.7", "%", "none"),
    ("建议答复满意率为98.5％。", "98.5％", "98.5", "%", "none"),
    ("完成预算数的88.31℅。", "88.31℅", "88.31", "%", "none"),
    ("差错率控制在3‰以内。", "3‰以内", "3", "‰", "at_most"),
    ("县级民生实事项目总投资4.18亿元。", "4.18亿元", "4.18", "亿元", "none"),
    ("全年项目支出共计612.37万元。", "612.37万元", "612.37", "万元", "none"),
    ("其中会议费支出12.5万，培训费8.6万。", "12.5万", "12.5", "万元", "none"),
    ("下达专项资金1,234.56万元。", "1,234.56万元", "1234.56", "万元", "none"),
    ("全年预算一千三百八十九点零一万元。", "一千三百八十九点零一万元", "1389.01", "万元", "none"),
    ("召开全体代表大会两次。", "两次", "2", "次", "none"),
    ("开展专题调研十二次。", "十二次", "12", "次", "none"),
    ("满意度达百分之九十四点三。", "百分之九十四点三", "94.3", "%", "none"),
    ("九成以上的代表参加了培训。", "九成以上", "90", "%", "at_least"),
    ("联系群众百余人。", "百余人", "100", "人", "approx_more"),
    ("受理来信两千余件。", "两千余件", "2000", "件", "approx_more"),
    ("捐赠款物20余万元。", "20余万元", "20", "万元", "approx_more"),
    # qualifiers
    ("开展执法检查不少于6次。", "不少于6次", "6", "次", "at_least"),
    ("培训覆盖率不低于90%。", "不低于90%", "90", "%", "at_least"),
    ("座谈会每季度至少4次。", "至少4次", "4", "次", "at_least"),
    ("参与群众超过2000人。", "超过2000人", "2000", "人", "at_least"),
    ("参会人员逾300人。", "逾300人", "300", "人", "at_least"),
    ("种植面积近800亩。", "近800亩", "800", "亩", "approx_about"),
    ("覆盖将近5000户。", "将近5000户", "5000", "户", "approx_about"),
    ("改造面积约800㎡。", "约800㎡", "800", "㎡", "approx_about"),
    ("预计300人次参加。", "预计300人次", "300", "人次", "approx_about"),
    ("年度指标值≥12次", "≥12次", "12", "次", "at_least"),
    ("年度指标值≧15000亩", "≧15000亩", "15000", "亩", "at_least"),
    ("年度指标值>=95%", ">=95%", "95", "%", "at_least"),
    ("年度指标值≥ 30件", "≥ 30件", "30", "件", "at_least"),
    ("成本控制≤1276.45万元", "≤1276.45万元", "1276.45", "万元", "at_most"),
    ("差旅费≦5万元", "≦5万元", "5", "万元", "at_most"),
    ("单次会议费用不超过3万元。", "不超过3万元", "3", "万元", "at_most"),
    ("每期最高50人。", "最高50人", "50", "人", "at_most"),
    ("参加培训1次以上。", "1次以上", "1", "次", "at_least"),
    ("出错率5%以下。", "5%以下", "5", "%", "at_most"),
    ("参与人数300人左右。", "300人左右", "300", "人", "approx_about"),
    ("接待来访300+人次", "300+人次", "300", "人次", "approx_more"),
    # ranges
    ("每年开展10-15次专题调研。", "10-15次", "10", "次", "range"),
    ("每年开展十至十五次专题调研。", "十至十五次", "10", "次", "range"),
    ("单个项目补助3万-5万元。", "3万-5万元", "3", "万元", "range"),
    ("单个项目补助3～5万元。", "3～5万元", "3", "万元", "range"),
    ("预计参加人数200~300人。", "200~300人", "200", "人", "range"),
    ("新建道路2至3公里。", "2至3公里", "2", "公里", "range"),
    # other departments
    ("公务接待费1.86万元，公务用车运行维护费0万元。", "1.86万元", "1.86", "万元", "none"),
    ("公务接待费1.86万元，公务用车运行维护费0万元。", "0万元", "0", "万元", "none"),
    ("发放学生资助1,234人次。", "1,234人次", "1234", "人次", "none"),
    ("集中式饮用水水源水质达标率≥95%。", "≥95%", "95", "%", "at_least"),
    ("新建堤防3.5公里，加固2.8千米。", "3.5公里", "3.5", "公里", "none"),
    ("新建堤防3.5公里，加固2.8千米。", "2.8千米", "2.8", "千米", "none"),
    ("新增绿化面积1.2万平方米。", "1.2万平方米", "12000", "平方米", "none"),
    ("清运垃圾3.6万吨。", "3.6万吨", "36000", "吨", "none"),
    ("新建学校3所，改造校舍12栋。", "3所", "3", "所", "none"),
    ("为全县适龄妇女免费筛查5,600人。", "5,600人", "5600", "人", "none"),
    ("全年门诊量12.3万人次。", "12.3万人次", "123000", "人次", "none"),
    ("安装路灯260盏，修复标识牌45块。", "260盏", "260", "盏", "none"),
    ("考核得分92.5分。", "92.5分", "92.5", "分", "none"),
    ("全年发放补贴资金２，３４５．６万元。", "２，３４５．６万元", "2345.6", "万元", "none"),
    ("年度开展义诊活动１２场。", "１２场", "12", "场", "none"),
    ("支付资金￥12,000", "￥12,000", "12000", "元", "none"),
    ("结余为-12.5万元", "-12.5万元", "-12.5", "万元", "none"),
    ("\t-3.5\n", "-3.5", "-3.5", "", "none"),
    # table cells: a number standing alone in a cell is a mention with an empty unit
    ("\t年度资金总额\n\t1276.45\n\t10\n\t93.27%\n", "1276.45", "1276.45", "", "none"),
    ("\t年度资金总额\n\t1276.45\n\t10\n\t93.27%\n", "10", "10", "", "none"),
    ("\t年度资金总额\n\t1276.45\n\t10\n\t93.27%\n", "93.27%", "93.27", "%", "none"),
    ("\t1883.00\n", "1883.00", "1883.00", "", "none"),
    ("其中：一般公共预算：2456.78\n", "2456.78", "2456.78", "", "none"),
    # enumerations share the unit written once
    ("分别提出12、15、20条建议。", "12", "12", "条", "none"),
    # "3.15个乡镇" at a list start: item "3." then "15个乡镇"
    ("3.15个乡镇完成了代表联络站建设。", "15个", "15", "个", "none"),
]


@pytest.mark.parametrize(("sentence", "surface", "value", "unit", "qualifier"), MUST_EXTRACT)
def test_must_extract(sentence: str, surface: str, value: str, unit: str, qualifier: str) -> None:
    m = _one(sentence, surface)
    assert m.value == Decimal(value)
    assert m.unit == unit
    assert m.qualifier == qualifier
    assert sentence[m.start:m.end] == m.text
    assert m.start <= m.number_start < m.number_end <= m.end


# (sentence, substring that must not be (part of) any mention)
MUST_NOT_EXTRACT = [
    # years, dates and times
    ("2023年全年完成各项任务。", "2023"),
    ("截至2023年12月31日，全部完成。", "12"),
    ("截至2023年12月31日，全部完成。", "31"),
    ("\t2024、6、30\n", "2024、6、30"),
    ("\t2023.12.31\n", "2023.12.31"),
    ("\t2023-12-31\n", "2023-12-31"),
    ("时效指标：2025年3-11月。", "3-11"),
    ("时效指标：1-12月。", "1-12"),
    ("今年11月14日入选名单。", "11"),
    ("今年11月14日入选名单。", "14"),
    ("审议城乡供水专项规划（2024-2030年）。", "2024-2030"),
    ("会议于14时30分开始。", "30"),
    ("会议于9:30开始。", "9:30"),
    ("成立75周年座谈会。", "75"),
    ("\t2024\n", "2024"),
    # document numbers
    ("根据青编发〔2022〕37号文件精神。", "37"),
    ("根据湘财绩〔2021〕5、12、33号文件。", "5、12、33"),
    ("根据某财预[2022]8号文件。", "8"),
    # section and list numbers
    ("一、基本情况", "一"),
    ("（1）预算执行情况", "1"),
    ("(2)资金使用情况", "2"),
    ("（3）　绩效目标", "3"),
    ("1. 办公室负责综合协调。", "1"),
    ("1、坚持党的领导。\n2、推进法治建设。", "2"),
    ("①常委会办事机构", "①"),
    ("第一，加强学习。", "一"),
    ("一是强化思想引领。二是健全工作机制。", "二"),
    ("\t指标1：召开会议次数\n", "1"),
    ("目标2：提升审议质量。", "2"),
    ("附件1\n部门整体支出绩效评价基础数据表", "1"),
    ("3.15个乡镇完成了代表联络站建设。", "3."),
    ("存在的问题：1、宣传力度不够；2信息公开的渠道较为单一。", "2"),
    # slogans and programme names
    ("对接全县“2+4+N”特色产业布局。", "2"),
    ("落实县委2468总体思路。", "2468"),
    ("编制“十五五”规划纲要。", "十五五"),
    ("深刻领悟两个确立的决定性意义。", "两个"),
    ("增强四个意识。", "四个"),
    ("构建一核两翼三区格局。", "三区"),
    ("严格控制三公经费开支。", "三"),
    ("对“一法一条例”贯彻情况开展视察。", "一条"),
    ("开展安全生产一法一条例执法检查。", "一条"),
    ("听取一府一委两院工作报告。", "两院"),
    ("开展五行一月活动。", "一月"),
    ("开展“5·12”主题宣传。", "12"),
    ("组织一月一课一片一实践主题党日活动。", "一课"),
    ("推行一件事一次办改革。", "一次"),
    ("贯彻落实中央八项规定精神。", "八项"),
    # phones and codes
    ("\t联系电话\n\t18874650213\n", "18874650213"),
    ("用好12345热线。", "12345"),
    ("拨打“12345”热线反映诉求。", "12345"),
    ("\t0730-8123456\n", "0730"),
    ("采购型号P3.9显示屏。", "3.9"),
    ("监测PM2.5浓度。", "2.5"),
    ("建设5G基站。", "5"),
    ("升级到2.0版。", "2.0"),
    ("版本号1.2.3已发布。", "1.2"),
    # category brackets
    ("评定3-5级风险点。", "3-5"),
    ("关爱0-3岁婴幼儿。", "0-3"),
    ("五级人大代表参加活动。", "五级"),
    # formula constants and masked values
    ("得分=20分*执行率。", "20"),
    ("得分=分值×得分系数×100。", "100"),
    ("实际支出**万元。", "万元"),
    # ordinals
    ("入选第三批省级美丽乡村示范村。", "三批"),
    ("编纂出版首部志书。", "首部"),
    ("省委第六巡回督导组。", "六"),
    ("召开第八届人民代表大会第三次会议。", "三次"),
    ("县十七届人大三次会议审议通过。", "三次"),
    ("学习省委十二届七次八次全会精神。", "七次"),
    ("学习省委十二届七次八次全会精神。", "八次"),
    ("推进二期工程建设。", "二期"),
    # words containing numerals
    ("一年来，各项工作稳步推进。", "一"),
    ("系统把握、一体落实。", "一"),
    ("深入基层一线走访。", "一"),
    ("做到统一安排。", "一"),
    ("一批建议转化为政策措施。", "一批"),
    ("这是唯一的选择。", "一"),
    ("坚持全市一盘棋。", "一"),
    ("打造万家坡社区实践基地。", "万家"),
    ("推进十大民生工程建设。", "十"),
    ("落实三会一课制度。", "一课"),
    ("评议双减一规工作。", "一"),
    ("践行四下基层制度。", "四"),
    ("发挥一微一网一刊作用。", "一"),
    ("让每一个来访群众都能得到及时答复。", "一个"),
    ("下一次科学编制预算。", "一次"),
    ("推动老百姓住有所居。", "百"),
    ("千方百计完成任务。", "千"),
    ("《2024年6件重点建议的督办报告》", "6件"),
    ("选择一个完整系统。", "一个"),
]


@pytest.mark.parametrize(("sentence", "forbidden"), MUST_NOT_EXTRACT)
def test_must_not_extract(sentence: str, forbidden: str) -> None:
    at = sentence.index(forbidden)
    span = (at, at + len(forbidden))
    for m in find_numbers(sentence):
        overlap = m.number_start < span[1] and span[0] < m.number_end
        assert not overlap, f"{m.text!r} extracted from {sentence!r}"


def test_offsets_are_absolute_with_start_and_end() -> None:
    text = "前言部分。召开会议8次，培训人员120人。后记"
    lo = text.index("召")
    hi = text.index("后")
    found = find_numbers(text, lo, hi)
    assert [m.text for m in found] == ["8次", "120人"]
    for m in found:
        assert text[m.start:m.end] == m.text
        assert lo <= m.start and m.end <= hi
    # a window that ends inside a mention never returns text beyond the window
    for m in find_numbers(text, lo, text.index("次")):
        assert m.end <= text.index("次")
    assert [m.text for m in find_numbers(text, 0, text.index("，"))] == ["8次"]


def test_tolerance_and_decimals() -> None:
    cases = {
        "\t1389.01\n": ("0.005", 2, 1),
        "满意率94.3%。": ("0.05", 1, 1),
        "开展12次。": ("0.5", 0, 1),
        "接待2万人次。": ("5000", -4, 10000),
        "清运2.5万吨。": ("500", -3, 10000),
        "投资3.05亿元。": ("0.005", 2, 1),
        "九成代表参加。": ("5", -1, 1),
    }
    for text, (tol, dec, scale) in cases.items():
        (m,) = find_numbers(text)
        assert m.tolerance == Decimal(tol), text
        assert m.decimals == dec, text
        assert m.scale == scale, text


def test_value_keeps_written_decimals() -> None:
    (m,) = find_numbers("\t1883.00\n")
    assert str(m.value) == "1883.00"
    assert m.value == Decimal(1883)


def test_range_has_upper_bound() -> None:
    (m,) = find_numbers("每年开展10-15次专题调研。")
    assert (m.value, m.upper, m.qualifier) == (Decimal(10), Decimal(15), "range")
    (m,) = find_numbers("开展专题调研12次。")
    assert m.upper is None


def test_money_context_turns_bare_wan_into_wanyuan() -> None:
    (m,) = find_numbers("其中人大会议经费15.9万。")
    assert (m.value, m.unit, m.scale) == (Decimal("15.9"), "万元", 1)
    (m,) = find_numbers("联系群众2万，覆盖全县。")
    assert (m.value, m.unit, m.scale) == (Decimal(20000), "", 10000)


def test_number_span_is_the_numeric_core() -> None:
    text = "参会人员不少于300人次。"
    (m,) = find_numbers(text)
    assert text[m.number_start:m.number_end] == "300"
    assert m.text == "不少于300人次"


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("一千三百八十九点零一", "1389.01"),
        ("1,389.01", "1389.01"),
        ("２万", "20000"),
        ("3.05亿", "305000000"),
        ("百余", "100"),
        ("两千", "2000"),
        ("十", "10"),
        ("十五", "15"),
        ("一百零五", "105"),
        ("三万五千", "35000"),
        ("三亿五千万", "350000000"),
        ("二〇二三", "2023"),
        ("１２３．４５", "123.45"),
        ("1883.00", "1883.00"),
    ],
)
def test_parse_number(written: str, value: str) -> None:
    assert parse_number(written) == Decimal(value)


@pytest.mark.parametrize("written", ["", "十四五", "三四", "百", "abc", "万万", "一点", "1.2.3"])
def test_parse_number_rejects(written: str) -> None:
    assert parse_number(written) is None


# ---------------------------------------------------------------------------------------
# Seeds: nothing that is a year, a date, a document number or a list number, ever.
# ---------------------------------------------------------------------------------------

def _seed_texts() -> list[tuple[str, str]]:
    files = sorted(SEEDS.glob("*.txt"))
    if not files:
        pytest.skip("seed reports not available")
    return [(f.name, f.read_text(encoding="utf-8")) for f in files]


_FORBIDDEN_SPANS = [
    re.compile(r"(?:19|20)\d{2}(?=\s*年)"),                                   # years
    re.compile(r"\d{1,2}(?=\s*[月日])"),                                      # months and days
    re.compile(r"(?:19|20)\d{2}\s*[、.\-/]\s*\d{1,2}\s*[、.\-/]\s*\d{1,2}"),     # full dates
    re.compile(r"[〔\[]\d{4}[〕\]]\d+(?:、\d+)*号"),                             # document numbers
    re.compile(r"(?m)^[ \t\u3000]*\d{1,2}(?=\s*[、.．](?!\d))"),                  # list numbers 1、 1.
    re.compile(r"[（(]\s*\d{1,2}\s*[)）]"),                                     # (1) （2）
    re.compile(r"(?:指标|目标|任务|附件)\d{1,2}"),                                # labels
    re.compile(r"\d{1,2}(?=\s*周年)"),                                         # anniversaries
]


def test_seeds_never_yield_dates_doc_or_list_numbers() -> None:
    for name, text in _seed_texts():
        mentions = find_numbers(text)
        assert mentions, name
        forbidden = [m.span() for pat in _FORBIDDEN_SPANS for m in pat.finditer(text)]
        forbidden.sort()
        for m in mentions:
            assert text[m.start:m.end] == m.text
            for s, e in forbidden:
                assert not (m.number_start < e and s < m.number_end), (
                    f"{name}: {m.text!r} at {m.start} overlaps non-claim {text[s:e]!r}")


def test_seed_mentions_do_not_overlap_and_are_ordered() -> None:
    for name, text in _seed_texts():
        mentions = find_numbers(text)
        for a, b in zip(mentions, mentions[1:]):
            assert a.end <= b.start, (name, a.text, b.text)


def _mentions_with(text: str, surface: str) -> list[NumberMention]:
    return [m for m in find_numbers(text) if m.text == surface]


@pytest.mark.parametrize(
    ("surface", "value", "unit", "qualifier"),
    [
        ("318件", "318", "件", "none"),
        ("94.3%", "94.3", "%", "none"),
        ("2万多人次", "20000", "人次", "approx_more"),
        ("1400多人次", "1400", "人次", "approx_more"),
        ("3.05亿元", "3.05", "亿元", "none"),
        ("97.68℅", "97.68", "%", "none"),
        ("近1000亩", "1000", "亩", "approx_about"),
        ("≥ 30件", "30", "件", "at_least"),
        ("15.99万", "15.99", "万元", "none"),
        ("两次", "2", "次", "none"),
        ("300+人次", "300", "人次", "approx_more"),
        ("1389.01万元", "1389.01", "万元", "none"),
        ("≧95%", "95", "%", "at_least"),
    ],
)
def test_seed_spot_checks(surface: str, value: str, unit: str, qualifier: str) -> None:
    found = []
    for _name, text in _seed_texts():
        found.extend(_mentions_with(text, surface))
    assert found, surface
    m = found[0]
    assert (m.value, m.unit, m.qualifier) == (Decimal(value), unit, qualifier)


def test_seed_phone_number_and_slogans_absent() -> None:
    """Found by shape, not by the seeds' own figures: a mobile number, and digits that name a slogan
    or a hotline (right before 总体思路 or 热线, a closing quote allowed between)."""
    texts = [text for _name, text in _seed_texts()]
    phone = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
    slogan = re.compile(r"\d+”?(?=总体思路|热线)")
    assert any(phone.search(t) for t in texts) and any(slogan.search(t) for t in texts)  # the seeds have both
    for text in texts:
        for m in find_numbers(text):
            core = text[m.number_start:m.number_end]
            assert not phone.fullmatch(core), core
            assert not slogan.match(text, m.number_start), text[m.start:m.number_end + 5]
            assert "+" not in m.text or m.text.endswith(("+人次", "+人", "+次", "+件")), m.text
