"""Numeric mentions in Chinese report text: a character-level grammar, no NLP library.

A *mention* is a number together with the qualifier touching it (约, 不少于, ≥ …), its scale
word (万/亿) and its unit (次, 人次, 万元, %, ㎡ …).  ``find_numbers`` returns every mention
that states a quantity and leaves out the numerals that are not claims: years, dates and
times, document numbers, section and list numbers, ordinals, slogans and programme names,
phone numbers and codes, pollutant names, category brackets, formula constants.

Conventions (the claims contract in DESIGN.md):

* ``value`` is a :class:`~decimal.Decimal` as written ("1883.00" keeps its two decimals).
* Counts and measures fold 万/亿 into the value ("2万多人次" -> 20000, unit 人次, scale 10000).
* Money keeps 万元/亿元 in the unit ("3.05亿元" -> 3.05, unit 亿元, scale 1); a bare 万/亿 in a
  money context ("支出15.99万") becomes 万元/亿元.
* Percentages stay percentages (94.3, unit "%"; ％ and ℅ are "%"; 九成 is 90 "%").
* ``tolerance`` is half of the last stated digit in the value's units (0.5 * 10**-decimals);
  ``decimals`` counts digits after the point as written, minus the folded scale
  ("2万" -> -4, tolerance 5000).
* Traditional script is read through a one-for-one simplified view (data file
  ``traditional_simplified.tsv``): units come out simplified ("萬元" -> 万元, "畝" -> 亩), while
  ``text``, ``start`` and ``end`` always index the original text. Pinyin glosses inside words
  ("萬(wàn)元") are skipped.
* Real-text shapes: spaces inside numbers before a unit ("279 587 万元", "575. 48万元"), rate units
  ("元/人·月", "万元/年", a bare "500/年"), separators garbled in export ("7,00.0,77" -> 700.077),
  enumerations sharing a unit and a bounding qualifier ("57、106、43微克/立方米以下").
* Linear in the input: every mask pattern that starts with an unbounded run only starts where the
  run starts (a negative lookbehind), and an enumeration is read once for all its items.
"""

from __future__ import annotations

import bisect
import pickle
import re
import sys
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

__all__ = ["MentionsIn", "NumberMention", "find_numbers", "find_numbers_in_span", "parse_number", "simplified_view", "unit_named",
           "without_glosses", "load_lexicon", "QUALIFIERS"]

QUALIFIERS = ("approx_more", "approx_about", "at_least", "at_most", "range", "none")

_DATA = Path(__file__).resolve().parent.parent / "data"


# Not frozen, though never changed once made (tests/test_value_objects_unchanged.py): a frozen dataclass
# sets each of its 12 fields through ``object.__setattr__`` (1.7 µs a mention against 0.2 µs), and a
# report's number pass makes ~200 of them (again when the cross phase decodes it). Mentions are shared by
# every reader of the pass: make a changed copy with ``dataclasses.replace``, never assign to one.
# Hashed on its fields, as if frozen.
@dataclass(slots=True, unsafe_hash=True)
class NumberMention:
    """One numeric mention; every offset indexes the text given to :func:`find_numbers`."""

    start: int
    end: int
    text: str
    value: Decimal
    unit: str
    qualifier: str
    scale: int
    tolerance: Decimal
    decimals: int
    upper: Decimal | None
    number_start: int
    number_end: int


# the number mentions lying wholly inside text[start:end], in order (Analysis.numbers_in)
MentionsIn = Callable[[int, int], list[NumberMention]]


# ---------------------------------------------------------------------------------------
# Character classes and tables
# ---------------------------------------------------------------------------------------

_FW_DIGITS = "０１２３４５６７８９"
_TO_ASCII = str.maketrans({**{c: str(i) for i, c in enumerate(_FW_DIGITS)}, "．": ".",
                           "，": "", ",": ""})
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_SCALE_WORDS = {"万": 10_000, "亿": 100_000_000, "万亿": 10**12, "千万": 10**7, "百万": 10**6}

_CN_D = "零〇一二两三四五六七八九"
_CN_DEC = "零〇一二三四五六七八九"
_DIG = "0-9０-９"

# The numeric core.  Groups: pct (百分之/千分之 prefix), ar (Arabic), arscale, cn (Chinese),
# cnr (百/千/万 standing alone before 余/多: "百余人").
_CORE_RE = re.compile(
    rf"(?P<pct>百分之|千分之)?"
    rf"(?:(?P<ar>[{_DIG}]+(?:[,，][{_DIG}]{{3}}(?![{_DIG}]))*(?:[.．][{_DIG}]+)?)"
    rf"(?P<arscale>万亿|千万|百万|万|亿)?"
    rf"|(?P<cn>[{_CN_D}十][{_CN_D}十百千万亿]*(?:点[{_CN_DEC}]+)?(?:万|亿)?)"
    rf"|(?P<cnr>[百千万](?=[余多])|(?<=[近约])[百千万](?=[\u4e00-\u9fff])))"
)

# Every match of _CORE_RE starts with one of these (a digit, a Chinese numeral, 百/千 of 百分之/千分之, 百/千/万)
_CORE_START_RE = re.compile(rf"[{_DIG}{_CN_D}十百千万]")

_COUNT_UNITS = (
    "人次 件次 批次 户次 场次 架次 车次 项次 个工作日 工作日 个月 人 次 项 部 名 件 条 个 家 场 期 篇 户 所 册 "
    "盏 块 处 份 位 座 台 套 辆 间 张 本 株 棵 头 只 艘 支 队 组 宗 起 例 笔 栋 幢 门 把 根 箱 批 "
    "天 小时 分钟 倍 万人次 杆 尾 羽 顶 面 枚 粒 朵 首 集 轮 节 章 课时 学时 床 孔 眼 口 "
    "辆次 台套 家次 堂 架 种 大类 个批次 秒钟 秒"
).split()
_MEASURE_UNITS = (
    "平方公里 平方千米 平方米 立方米 千瓦时 公里 千米 公顷 亩 吨 千克 公斤 克 米 千瓦 兆瓦 升 "
    "微克 毫克 毫升 ㎡ ㎞ m² m2 m³ m3 km kg kW kWh kw KW kVA KVA MW mm cm m"
).split()
_MONEY_UNITS = "万亿元 千万元 百万元 亿元 万元 千元 元 亿美元 万美元 美元".split()
_PERCENT_UNITS = {"%": "%", "％": "%", "℅": "%", "‰": "‰", "个百分点": "个百分点", "百分点": "个百分点",
                  "个千分点": "个千分点", "千分点": "个千分点"}
_SCORE_UNITS = ["分"]

_ALL_UNITS = sorted(
    set(_COUNT_UNITS) | set(_MEASURE_UNITS) | set(_MONEY_UNITS) | set(_PERCENT_UNITS) | set(_SCORE_UNITS),
    key=len,
    reverse=True,
)
_UNIT_RE = re.compile("|".join(re.escape(u) for u in _ALL_UNITS))
_UNIT_FIRST = frozenset(u[0] for u in _ALL_UNITS)  # a unit starts with one of these
_UNIT_SET = frozenset(_ALL_UNITS)
_SHARE_UNITS = frozenset(_PERCENT_UNITS.values())
_LATIN_UNITS = frozenset(u for u in _ALL_UNITS if u[-1].isascii() and u[-1].isalpha())
_UNIT_ALIASES = {"大类": "类", "个批次": "批次"}
_COUNT_SET = frozenset(_COUNT_UNITS)
_MONEY_SET = frozenset(_MONEY_UNITS)
# A decimal in front of these units is impossible ("3.15个" at a list start is "3." + "15个").
_INTEGER_ONLY = frozenset(_COUNT_UNITS) - {"天", "小时", "分钟", "倍", "个月", "工作日", "个工作日"}

# What follows a number when it is a date, time, document or category rather than a quantity.
_NOT_QUANTITY_RE = re.compile(r"[ \u3000\u00a0]{0,2}(?:\n[ \u3000]{0,2}[年月日](?![度份初末底中内])|年|月|日|号|时|周年|周岁|岁|级|类|星|档|届|代|世纪|版|楼|层|栋号|点[0-9０-９一二三四五六七八九十]|:)")
# Same after a Chinese numeral only (Arabic "3期" is fine, Chinese "二期工程" is a phase name).
_CN_PHASE_RE = re.compile(r"期(?:工程|建设|项目|改造)|次(?:全会|全体会议)")

_SINGLE_YI_NOT_UNIT = frozenset("个种批些样套道步点起番下回阵片把头支门笔")
_YI_BLOCKERS = frozenset("每某同统唯之另任逐万单专上下这那哪是新")

_PRE_QUALIFIERS = [  # longest first
    ("不少于", "at_least"), ("不低于", "at_least"), ("不小于", "at_least"), ("大于等于", "at_least"),
    ("至少", "at_least"), ("超过", "at_least"), ("高于", "at_least"), ("多于", "at_least"),
    ("＞＝", "at_least"), (">=", "at_least"), ("≥", "at_least"), ("≧", "at_least"),
    ("＞", "at_least"), (">", "at_least"), ("逾", "at_least"), ("超", "at_least"),
    ("不超过", "at_most"), ("不高于", "at_most"), ("不大于", "at_most"), ("小于等于", "at_most"),
    ("不足", "at_most"), ("不到", "at_most"), ("突破", "at_least"), ("低于", "at_most"), ("最高", "at_most"), ("最多", "at_most"),
    ("＜＝", "at_most"), ("<=", "at_most"), ("≤", "at_most"), ("≦", "at_most"),
    ("＜", "at_most"), ("<", "at_most"),
    ("将近", "approx_about"), ("接近", "approx_about"), ("大约", "approx_about"),
    ("大概", "approx_about"), ("约", "approx_about"), ("近", "approx_about"),
    ("预计", "approx_about"),
]
_PRE_QUALIFIERS.sort(key=lambda p: len(p[0]), reverse=True)
_PRE_LAST_CHARS = frozenset(word[-1] for word, _ in _PRE_QUALIFIERS)
# "近" after these is part of a word (最近, 附近, 邻近), not "nearly".
_JIN_WORDS = ("最近", "附近", "邻近", "靠近", "就近", "亲近", "贴近", "临近", "走近", "拉近")
_POST_QUALIFIER_RE = re.compile(r"[ \u3000\u00a0]{0,2}(以上|以下|以内|左右|上下|之内|开外)")
_POST_QUALIFIER_FIRST = frozenset(" \u3000\u00a0以左上之开")  # what a match of _POST_QUALIFIER_RE starts with
_POST_QUALIFIER = {"以上": "at_least", "以下": "at_most", "以内": "at_most", "之内": "at_most",
                   "左右": "approx_about", "上下": "approx_about", "开外": "approx_more"}
_RANGE_SEP_RE = re.compile(r"[ \u3000\u00a0]{0,2}(?:-|－|–|—|―|~|～|〜|至|到)[ \u3000\u00a0]{0,2}")
_RANGE_SEP_FIRST = frozenset(" \u3000\u00a0-－–—―~～〜至到")  # what a match of _RANGE_SEP_RE starts with

_MONEY_WORDS = ("资金", "经费", "预算", "支出", "收入", "投资", "拨款", "结余", "结转", "金额",
                "费用", "决算", "执行数", "资产", "债券", "债务", "款", "元", "费", "补助", "成本",
                "基金", "税", "财政", "开支")
_CLAUSE_BREAKS = "，。；！？\n\t,;"

# Masks: spans whose numerals are never claims.
_MASK_PATTERNS = [
    # document numbers: 江编办发〔2026〕21号, 湘财绩〔2021〕5、12、33号, [2021]3号
    re.compile(rf"[〔\[［【(（]\s*(?:19|20)\d{{2}}\s*[〕\]］】)）]\s*第?\s*[{_DIG}]+(?:\s*[、,，]\s*[{_DIG}]+)*\s*号"),
    # full dates: 2023-12-31, 2023.12.31, 2023/12/31, 2023、12、31
    re.compile(rf"[12][09][0-9]{{2}}\s*[-－/.．、]\s*[01]?[0-9]\s*[-－/.．、]\s*[0-3]?[0-9](?![{_DIG}])"),
    # phone numbers with an area code: 0730-8123456, (0730)8123456
    re.compile(r"0\d{2,3}\s*[-－)）]\s*\d{7,8}(?!\d)"),
    # times 14:30
    re.compile(r"\d{1,2}:[0-5]\d(?::[0-5]\d)?(?!\d)"),
    # dotted day names: 4·25, 8·23
    re.compile(rf"[{_DIG}]{{1,2}}\s*[·•・]\s*[{_DIG}]{{1,2}}"),
    # bracketed list numbers: (1) （3） (一)
    re.compile(r"[（(]\s*(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]"),
    # labels: 指标1：, 目标2：, 附件1, 表-1
    re.compile(rf"(?:指标|目标|任务|附件|附表|图表|表|图|步骤|序号|编号|注)[ \u3000]*[-－]?[ \u3000]*[{_DIG}]{{1,3}}"
               rf"(?:[、,，和及][{_DIG}]{{1,3}}(?![{_DIG}.．]))*"
               rf"(?=[ \u3000]*(?:[：:、\n)）|｜。，,；;]|[.．](?![{_DIG}]))|[ \u3000]*$)"),
    # page counters and site chrome: [1] [2], 阅读：216次, 3048127次浏览, (精选6篇), 通用11篇
    re.compile(r"[\[［]\s{0,2}[0-9]{1,3}\s{0,2}[\]］]"),
    # contact and registry numbers after their label: 邮编：741020, 电话 | 85801577, 网站标识码, 热线 400-…
    re.compile(r"(?:邮编|邮政编码|电话|传真|热线|手机|标识码|备案号|ICP备|ICP证|记账|凭证号|凭证)"
               r"(?:[(（][^)）\n]{0,4}[)）])?[ :：|｜\n]{0,4}"
               r"[0-9](?:[0-9\-－]|[ ](?=[0-9])){0,20}"),
    # short quoted names and slogans: “1+3+X”, “两个确立”, “12345”
    re.compile(r"[“\"「『‘][^”\"」』’\n]{1,12}[”\"」』’]"),
    # book and document titles
    re.compile(r"《[^》\n]{1,120}》"),
    # slogan chains with plus signs: 1+3+X, 专题调研+代表视察
    # (every pattern whose first element is an unbounded run starts only where that run starts, so a
    # long run is tried once, not once per character: the scan stays linear in the input)
    re.compile(r"(?<![0-9A-Za-z一二三四五六七八九十])"
               r"[0-9A-Za-z一二三四五六七八九十]+(?:\s*[+＋]\s*[0-9A-Za-z一二三四五六七八九十]+)+"),
    # alphanumeric codes: PM2.5, P3.9, A12, 5G, ISO9001
    re.compile(r"(?<![A-Za-z])[A-Za-z]+[0-9][0-9.]*"),
    re.compile(r"(?<![0-9])[0-9]+(?!(?:km|kg|kw|kW|KW|kWh|kVA|KVA|MW|mm|cm|m)(?![0-9A-Za-z]))[A-Za-z][0-9A-Za-z]*"),
    # masked values
    re.compile(r"[*＊][*＊]+"),
    # row and column index numbers of a table: 行次 1 2 3, 栏次 | 1 | 2
    re.compile(r"(?:行次|栏次|列次|序号)[ \t\u3000|｜]*(?:[0-9]{1,2}[ \t\u3000|｜]+)*[0-9]{1,2}"),
]


def _needles(pattern: re.Pattern[str]) -> tuple[tuple[str, ...], int | None]:
    """Strings of which one must occur for ``pattern`` to match anywhere (none: always run it), and
    how many characters at most a match starts before the first of them it holds (None: anywhere).
    A mask whose needles are all absent from the text is skipped, and one whose needles lie near its
    start is tried only there: a substring search is far cheaper than a regex tried at every position."""
    src = pattern.pattern
    for head, needles, lead in _NEEDLE_HINTS:
        if src.startswith(head):
            return needles, lead
    return (), None


_NEEDLE_HINTS: list[tuple[str, tuple[str, ...], int | None]] = [
    (r"\d{1,2}:", (":",), 2),  # one or two digits, then the colon
    (rf"[{_DIG}]{{1,2}}\s*[·•・]", ("·", "•", "・"), None),
    (r"[\[［]", ("[", "［"), 0),
    # each label word starts with one of these: a match starts at one
    (r"(?:邮编|", ("邮编", "邮政编码", "电话", "传真", "热线", "手机", "标识码", "备案号", "ICP", "记账", "凭证"), 0),
    (r"(?:行次|", ("行次", "栏次", "列次", "序号"), 0),
    (r"[*＊]", ("*", "＊"), 0),
    (r"(?<![0-9A-Za-z一二三四五六七八九十])", ("+", "＋"), None),
]


def _matches_near(pattern: re.Pattern[str], text: str, lo: int, hi: int, needles: tuple[str, ...],
                  lead: int) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text, lo, hi)`` for a pattern every match of which starts at most ``lead``
    characters before one of ``needles`` it holds: tried only at those starts, in order, each after the
    previous match (a match cannot start anywhere else: the matches are the same)."""
    starts: set[int] = set()
    for needle in needles:
        at = text.find(needle, lo, hi)
        while at >= 0:
            starts.update(range(max(lo, at - lead), at + 1))
            at = text.find(needle, at + 1, hi)
    end = lo
    match = pattern.match
    for start in sorted(starts):
        if start < end:
            continue
        m = match(text, start, hi)
        if m is not None:
            yield m
            end = m.end()


def load_lexicon(name: str) -> list[str]:
    """Lines of a lexicon file under auditor/data/ ('#' starts a comment, blank lines skipped)."""
    lines = []
    for raw in (_DATA / name).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


# a mirror's pinyin gloss, which may sit between any two characters of a set phrase: 三項(xiàng)獎(jiǎng)勵
_PHRASE_GLOSS = r"(?:[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,7}[)）])"
_PHRASE_GLOSS_RE = re.compile(_PHRASE_GLOSS)


class _SetPhrases:
    """The set phrases whose numerals state no figure (``numbers_not_claims.txt``), longest first,
    searched with ``finditer`` like a compiled pattern: the matches are those of the pattern that lets
    one :data:`_PHRASE_GLOSS` sit between any two characters of a phrase. That pattern is the gloss a
    thousand times over and takes 60-80 ms to compile (in every worker), so it is never compiled: a span
    with no gloss is searched with the plain phrases (every optional gloss can only be empty there), and
    a span with glosses as :meth:`_without_glosses` gives it, the plain phrases' matches mapped back."""

    __slots__ = ("words", "plain")

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.plain = re.compile("|".join(re.escape(w) for w in words))

    @property
    def pattern(self) -> str:
        return self.plain.pattern

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        if not _holds_gloss(text, pos, endpos):
            return self.plain.finditer(text, pos, endpos)
        return self._glossed_finditer(text, pos, min(endpos, len(text)))

    def _glossed_finditer(self, text: str, pos: int, endpos: int) -> Iterator[_PhraseMatch]:
        view, starts, offsets = self._without_glosses(text, pos, endpos)
        for m in self.plain.finditer(view):
            first, last = m.start(), m.end() - 1  # the phrase's first and last characters, in the view
            a, b = bisect.bisect_right(offsets, first) - 1, bisect.bisect_right(offsets, last) - 1
            yield _PhraseMatch(text, starts[a] + first - offsets[a], starts[b] + last - offsets[b] + 1)

    @staticmethod
    def _without_glosses(text: str, pos: int, endpos: int) -> tuple[str, list[int], list[int]]:
        """``text[pos:endpos]`` with each gloss taken out but one that follows another right away (the
        pattern lets only one sit between two characters: the second still parts them), as (the view,
        where each piece of it starts in ``text``, where it starts in the view). A gloss holds no
        character of a phrase, so the view's phrases are those of the span, glosses skipped."""
        pieces: list[str] = []
        starts: list[int] = []
        offsets: list[int] = []
        kept_from = pos  # the span's text from here on is kept, up to the next gloss taken out
        length = 0
        previous_end = -1
        for gloss in _PHRASE_GLOSS_RE.finditer(text, pos, endpos):
            start, end = gloss.span()
            adjacent = start == previous_end
            previous_end = end
            if adjacent:
                continue
            pieces.append(text[kept_from:start])
            starts.append(kept_from)
            offsets.append(length)
            length += start - kept_from
            kept_from = end
        pieces.append(text[kept_from:endpos])
        starts.append(kept_from)
        offsets.append(length)
        return "".join(pieces), starts, offsets


class _PhraseMatch:
    """A set phrase found through :meth:`_SetPhrases._without_glosses`: what callers read of a match."""

    __slots__ = ("_text", "_start", "_end")

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text, self._start, self._end = text, start, end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self) -> str:
        return self._text[self._start:self._end]


def _holds_gloss(text: str, pos: int, endpos: int) -> bool:
    """Whether ``text[pos:endpos]`` holds a :data:`_PHRASE_GLOSS`, tried at each bracket (a string
    search finds them several times faster than the pattern's own scan of every character)."""
    match = _PHRASE_GLOSS_RE.match
    for bracket in "(（":
        at = text.find(bracket, pos, endpos)
        while at >= 0:
            if match(text, at, endpos) is not None:
                return True
            at = text.find(bracket, at + 1, endpos)
    return False


@lru_cache(maxsize=1)
def _slogan_re() -> _SetPhrases:
    return _SetPhrases(sorted(load_lexicon("numbers_not_claims.txt"), key=len, reverse=True))


@lru_cache(maxsize=1)
def _traditional() -> tuple[dict[int, str], re.Pattern[str]]:
    """(str.translate table, a pattern finding any traditional character) from the data file."""
    table: dict[int, str] = {}
    for line in load_lexicon("traditional_simplified.tsv"):
        trad, simp = line.split("\t")
        table[ord(trad)] = simp
    chars = "".join(sorted(chr(c) for c in table))
    return table, re.compile(f"[{re.escape(chars)}]")


# The last answers of simplified_view: for a short text (a cell, a header) and for a long one (a
# document's text, against which its cells are read one by one, between which the extractors ask for
# headers and cells on their own: one slot for both searched a whole report again ~3 times a report).
_last_view: tuple[str, str] = ("", "")
_last_long_view: tuple[str, str] = ("", "")
_LONG_VIEW = 512  # characters from which a text takes the long slot


def simplified_view(text: str) -> str:
    """``text`` with traditional characters replaced one for one by simplified ones (so every offset
    still indexes ``text``); ``text`` itself when it has none. The last answer is kept, for a short and
    for a long text: a document's cells are read one by one against the same text."""
    global _last_view, _last_long_view
    long = len(text) >= _LONG_VIEW
    last_text, last_view = _last_long_view if long else _last_view
    if last_text is text:
        return last_view
    table, finder = _traditional()
    view = text.translate(table) if finder.search(text) else text
    if long:
        _last_long_view = (text, view)
    else:
        _last_view = (text, view)
    return view


def unit_named(word: str) -> str | None:
    """The unit a header names ("万元", "萬元", "％", "人次"), normalised; None if the grammar knows no
    such unit. Units with a folded scale word ("万人") are not header units: their cells are counts
    written in 万, which the claims contract would fold."""
    word = word.replace("\u2060", "").strip().translate(_traditional()[0])
    if word in _PERCENT_UNITS:
        return _PERCENT_UNITS[word]
    return word if word in _UNIT_SET else None


# A pinyin gloss printed inside a word by some mirrors: 萬(wàn)元, 會(huì)
_GLOSS_RE = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,7}[1-5]?[)）]")


def without_glosses(text: str) -> str:
    """``text`` with every pinyin gloss blanked out by word joiners (U+2060), same length."""
    if "(" not in text and "（" not in text:
        return text
    return _GLOSS_RE.sub(lambda g: "\u2060" * len(g.group()), text)


def _skip_gloss(text: str, pos: int, hi: int) -> int:
    if pos < hi and text[pos] in "(（":
        g = _GLOSS_RE.match(text, pos, hi)
        if g is not None:
            return g.end()
    return pos


_SMALL_SPAN = 4096  # below this many characters, masks are tried directly (no needle or run pre-pass)
# the alphanumeric-code masks (PM2.5, A12, 5G, ISO9001) and the runs they can match within
_CODE_PATTERNS = frozenset(_MASK_PATTERNS[i] for i, p in enumerate(_MASK_PATTERNS)
                           if p.pattern.startswith(("(?<![A-Za-z])[A-Za-z]+[0-9]", "(?<![0-9])[0-9]+(?!")))
_LETTERS_RE = re.compile(r"[A-Za-z]+")
_ALNUM_DOT = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")


def _letter_runs(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Maximal runs of letters, digits and points that hold a letter, found from the letters (rare in
    Chinese text) outwards; each character is looked at a bounded number of times."""
    runs: list[tuple[int, int]] = []
    last_end = lo
    for letters in _LETTERS_RE.finditer(text, lo, hi):
        p = letters.start()
        if p < last_end:
            continue
        a = p
        while a > last_end and text[a - 1] in _ALNUM_DOT:
            a -= 1
        b = letters.end()
        while b < hi and text[b] in _ALNUM_DOT:
            b += 1
        runs.append((a, b))
        last_end = b
    return runs
_CHAIN_PATTERN = next(p for p in _MASK_PATTERNS if p.pattern.startswith("(?<![0-9A-Za-z一二三四五六七八九十])"))
_CHAIN_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz一二三四五六七八九十")
_PLUS_RE = re.compile(r"[+＋]")


@lru_cache(maxsize=1)
def _masks_with_needles() -> tuple[tuple[re.Pattern[str], tuple[str, ...], int | None], ...]:
    return tuple((pat, *_needles(pat)) for pat in (*_MASK_PATTERNS, _slogan_re()))


# Characters of which every match of a mask pattern holds one (its first, mostly): a pattern none of
# whose characters occurs in a span cannot match there. Same order as _MASK_PATTERNS.
_ASCII_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_MASK_TRIGGERS = (
    "号",  # document numbers end with 号
    "-－/.．、",  # full dates: two separators
    "-－)）",  # phone numbers: the area code's separator
    ":",  # times
    "·•・",  # dotted day names
    "(（",  # bracketed list numbers
    "指目任附图表步序编注",  # labels: the first characters of the label words
    "[［",  # page counters
    "邮电传热手标备I记凭",  # contact and registry labels: their first characters
    "“\"「『‘",  # short quoted names
    "《",  # book titles
    "+＋",  # slogan chains
    _ASCII_LETTERS,  # codes: a letter
    _ASCII_LETTERS,  # codes: a letter after the digits
    "*＊",  # masked values
    "行栏列序",  # row and column index labels
)
assert len(_MASK_TRIGGERS) == len(_MASK_PATTERNS)


@lru_cache(maxsize=1)
def _masks_with_triggers() -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    """Each mask pattern with its trigger characters (the slogans: the first character of each)."""
    slogans = frozenset(w[0] for w in load_lexicon("numbers_not_claims.txt"))
    return tuple(zip((*_MASK_PATTERNS, _slogan_re()), (*map(frozenset, _MASK_TRIGGERS), slogans)))


@lru_cache(maxsize=1)
def _trigger_re() -> re.Pattern[str]:
    chars = frozenset().union(*(t for _, t in _masks_with_triggers()))
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


@lru_cache(maxsize=1)
def _count_nouns() -> tuple[str, ...]:
    return tuple(sorted(load_lexicon("numbers_count_nouns.txt"), key=len, reverse=True))


def _count_noun_after(text: str, pos: int, hi: int) -> bool:
    """A noun of people or households right after a bare 万/亿 figure: "320万在校生" counts pupils."""
    return pos < hi and text.startswith(_count_nouns(), pos)


@lru_cache(maxsize=1)
def _unit_breakers() -> frozenset[str]:
    return frozenset(load_lexicon("numbers_unit_breakers.txt"))


# ---------------------------------------------------------------------------------------
# Parsing of one numeral
# ---------------------------------------------------------------------------------------

def _cn_integer(s: str) -> int | None:
    """Value of a Chinese integer numeral, or None if malformed (十四五, 三四, 百)."""
    if not s:
        return None
    if all(c in _CN_DIGIT for c in s):
        if len(s) == 1:
            return _CN_DIGIT[s]
        if 3 <= len(s) <= 20 and "两" not in s:  # 二〇二三 style, digit by digit (bounded: a run is no number)
            return int("".join(str(_CN_DIGIT[c]) for c in s))
        return None
    total = 0
    section = 0
    pending: int | None = None
    last_small = 10**9
    last_big = 10**18
    for i, ch in enumerate(s):
        if ch in _CN_DIGIT:
            if pending is not None and pending != 0:
                return None
            pending = _CN_DIGIT[ch]
        elif ch in _CN_SMALL:
            mult = _CN_SMALL[ch]
            if pending is None:
                if mult == 10 and section == 0 and (i == 0 or s[i - 1] in _CN_BIG):
                    pending = 1
                else:
                    return None
            if pending == 0 or mult >= last_small:
                return None
            section += pending * mult
            pending = None
            last_small = mult
        elif ch in _CN_BIG:
            mult = _CN_BIG[ch]
            if pending:
                section += pending
            pending = None
            if mult == 100_000_000:
                if total == 0 and section == 0:
                    return None
                if mult >= last_big:
                    return None
                total = (total + section) * mult
                last_big = mult
            else:
                if section == 0:
                    return None
                total += section * mult
            section = 0
            last_small = 10**9
        else:
            return None
    if pending:
        section += pending
    return total + section


def _cn_number(core: str) -> tuple[Decimal, int] | None:
    """(value, decimals) for a Chinese numeral with an optional 点 fraction."""
    if "点" in core:
        int_part, frac = core.split("点", 1)
        ip = _cn_integer(int_part)
        if ip is None or not frac or any(c not in _CN_DIGIT or c == "两" for c in frac):
            return None
        digits = "".join(str(_CN_DIGIT[c]) for c in frac)
        return Decimal(f"{ip}.{digits}"), len(digits)
    ip = _cn_integer(core)
    if ip is None:
        return None
    return Decimal(ip), 0


def _arabic(core: str) -> tuple[Decimal, int] | None:
    known = _ARABIC_READ.get(core, _UNREAD)
    if known is not _UNREAD:
        return known
    if len(_ARABIC_READ) >= 65536:
        _ARABIC_READ.clear()
    parsed = _ARABIC_READ[core] = _read_arabic(core)
    return parsed


_ARABIC_READ: dict[str, tuple[Decimal, int] | None] = {}  # the same numerals recur ("100", "2023", "95%")
_UNREAD = object()


def _read_arabic(core: str) -> tuple[Decimal, int] | None:
    plain = core.translate(_TO_ASCII)
    try:
        value = Decimal(plain)
    except InvalidOperation:
        return None
    decimals = len(plain.split(".", 1)[1]) if "." in plain else 0
    return value, decimals


def _split_cn_scale(cn: str) -> tuple[str, int]:
    """Separate a trailing scale word from a Chinese numeral: 一千三百八十九点零一万 -> (…, 10000)."""
    if len(cn) > 1 and cn[-1] in _CN_BIG and ("点" in cn or "亿" not in cn[:-1]):
        body = cn[:-1]
        if "点" in body or (body and body[-1] not in _CN_BIG):
            return body, _CN_BIG[cn[-1]]
    return cn, 1


def parse_number(s: str) -> Decimal | None:
    """Parse one number written in Arabic, Chinese, full-width or mixed form.

    "一千三百八十九点零一" -> 1389.01, "1,389.01" -> 1389.01, "２万" -> 20000,
    "3.05亿" -> 305000000, "百余" -> 100; None if ``s`` is not a number.
    """
    s = s.strip()
    if not s:
        return None
    negative = s[0] in "-－"
    if negative:
        s = s[1:]
    rounded = s.endswith(("余", "多")) and len(s) > 1
    if rounded:
        s = s[:-1]
    if rounded and s in ("百", "千", "万", "亿"):
        value = Decimal({"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}[s])
        return -value if negative else value
    m = _CORE_RE.fullmatch(s)
    if m is None or m.group("pct") or m.group("cnr"):
        return None
    if m.group("ar") is not None:
        if "，" in m.group("ar") and not any(c in _FW_DIGITS for c in m.group("ar")):
            return None
        parsed = _arabic(m.group("ar"))
        scale = _SCALE_WORDS.get(m.group("arscale") or "", 1)
    else:
        body, scale = _split_cn_scale(m.group("cn"))
        parsed = _cn_number(body)
    if parsed is None:
        return None
    value = parsed[0] * scale if scale != 1 else parsed[0]
    return -value if negative else value


# ---------------------------------------------------------------------------------------
# Scanner
# ---------------------------------------------------------------------------------------

class _Masks:
    """Sorted, merged spans inside which no numeral is a claim (computed on the first query: most
    table cells hold no numeral that needs the check)."""

    __slots__ = ("starts", "ends", "_text", "_lo", "_hi", "enumeration")

    def __init__(self, text: str, lo: int, hi: int) -> None:
        self.starts: list[int] | None = None
        self.ends: list[int] = []
        # the last enumeration read ("12、15、20次"): (its first 、, its end, its unit), so that every
        # item of a long enumeration does not read the rest of it again (linear, not quadratic)
        self.enumeration: tuple[int, int, str | None, str] = (-1, -1, None, "none")
        self._text = text
        self._lo = lo
        self._hi = hi

    def _compute(self) -> None:
        text, lo, hi = self._text, self._lo, self._hi
        spans: list[tuple[int, int]] = []
        if hi - lo <= _SMALL_SPAN:
            # a table cell or a short paragraph: every pattern whose trigger characters occur in the
            # span is tried directly (one character-class scan tells which occur)
            present = _trigger_re().findall(text, lo, hi)
            if present:
                present_set = frozenset(present)
                for pat, triggers in _masks_with_triggers():
                    if triggers.isdisjoint(present_set):
                        continue
                    for m in pat.finditer(text, lo, hi):
                        spans.append(m.span())
            self._merge(spans)
            return
        code_runs: list[tuple[int, int]] | None = None
        for pat, needles, lead in _masks_with_needles():
            if needles and not any(text.find(needle, max(0, lo - 2), hi) >= 0 for needle in needles):
                continue
            if lead is not None:
                spans.extend(m.span() for m in _matches_near(pat, text, lo, hi, needles, lead))
                continue
            if pat is _CHAIN_PATTERN:
                # a chain needs a plus sign: try it only from the run just before each plus sign
                end = lo
                for plus in _PLUS_RE.finditer(text, lo, hi):
                    if plus.start() < end:
                        continue
                    k = plus.start()
                    while k > lo and text[k - 1].isspace():
                        k -= 1
                    while k > lo and text[k - 1] in _CHAIN_CHARS:
                        k -= 1
                    if k < end:
                        continue
                    m = pat.match(text, k, hi)
                    if m is not None:
                        spans.append(m.span())
                        end = m.end()
                continue
            if pat in _CODE_PATTERNS:
                # a code mixes letters and digits: try the pattern only inside such runs (few), not at
                # every position of the text
                if code_runs is None:
                    code_runs = _letter_runs(text, lo, hi)
                for a, b in code_runs:
                    for m in pat.finditer(text, a, b):
                        spans.append(m.span())
                continue
            for m in pat.finditer(text, lo, hi):
                spans.append(m.span())
        self._merge(spans)

    def _merge(self, spans: list[tuple[int, int]]) -> None:
        spans.sort()
        starts: list[int] = []
        ends: list[int] = []
        for s, e in spans:
            if starts and s <= ends[-1]:
                if e > ends[-1]:
                    ends[-1] = e
            else:
                starts.append(s)
                ends.append(e)
        self.starts = starts
        self.ends = ends

    def hits(self, s: int, e: int) -> bool:
        """True if [s, e) overlaps a masked span."""
        if self.starts is None:
            self._compute()
        i = bisect.bisect_right(self.starts, e - 1) - 1
        return i >= 0 and self.ends[i] > s


def _skip_spaces(text: str, pos: int, hi: int, limit: int = 2) -> int:
    n = 0
    while pos < hi and n < limit and text[pos] in " \u3000\u00a0":
        pos += 1
        n += 1
    return pos


def _prev_char(text: str, pos: int) -> str:
    return text[pos - 1] if pos > 0 else ""


def _at_line_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \u3000\t\u00a0":
        i -= 1
    return i < 0 or text[i] == "\n"


def _money_context(text: str, s: int, e: int, lo: int, hi: int) -> bool:
    a = s
    while a > lo and a > s - 60 and text[a - 1] not in _CLAUSE_BREAKS:
        a -= 1
    b = e
    while b < hi and b < e + 30 and text[b] not in _CLAUSE_BREAKS:
        b += 1
    clause = text[a:b]
    if any(w in clause for w in _MONEY_WORDS):
        return True
    window = text[max(lo, s - 120):s]
    return "万元" in window or "亿元" in window


_TERMINATORS = frozenset("，。；：、）)]】」』”’！？!?,;…\n\t\r \u3000|｜")


@dataclass(slots=True)
class _Num:
    """Intermediate parse of one number + scale + unit, before qualifiers and ranges."""

    core_start: int
    core_end: int
    end: int            # after scale, 多/余 and unit
    value: Decimal
    decimals: int
    scale: int          # scale word written (万 -> 10000), not yet applied
    unit: str
    approx_more: bool
    chinese: bool
    percent_prefix: str  # "%"/"‰" when written 百分之/千分之
    after_list_number: bool = False


# "per" units after a unit: 元/人/月, 元/人·月, 元/户˙月, 元/人月, 平方米/人, 元每平方米, 株/栋
_PER_WORDS = sorted(("人 户 年 月 日 天 周 季度 学期 小时 次 人次 辆 台 栋 株 头 只 亩 公顷 平方米 立方米 公里 "
                     "千米 吨 间 套 件 个 家 所 床 批").split(), key=len, reverse=True)
_PER_WORD = "(?:" + "|".join(_PER_WORDS) + ")"
_PER_RE = re.compile(rf"(?:[ ]?(?:[/／]|每)[ ]?{_PER_WORD}(?:[·˙•・]?(?:月|年|日|天)(?![0-9]))?)+")
_PER_SPACES = re.compile(r"[ ]")


# Spaces inside a number, read only when a unit follows it: "279 587 万元" (space thousands),
# "575. 48万元" (a space after the decimal point).
_SPACED_RE = re.compile(r"[0-9]{1,3}(?:[ \u00a0][0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+\.[ \u00a0][0-9]+")
_SCALE_AFTER_RE = re.compile(r"[ \u00a0]?(万亿|千万|百万|万|亿)?")


_CELL_EDGE = frozenset(" \t\n\r\u3000|｜")
_GARBLED_RE = re.compile(r"(?<![0-9,.])[0-9]+(?:[,.][0-9]+){3,}(?![0-9,.])")


def _spaced_number(text: str, start: int, end: int, hi: int) -> tuple[int, tuple[Decimal, int], int] | None:
    """(core end, (value, decimals), scale) of a number written with spaces inside, or None."""
    if end >= hi or text[end] not in " \u00a0.":
        return None
    sm = _SPACED_RE.match(text, start, hi)
    if sm is None or sm.end() <= end:
        return None
    decimal_gap = "." in sm.group() and not _SPACED_RE.fullmatch(sm.group().split(".", 1)[0])
    after = _SCALE_AFTER_RE.match(text, sm.end(), hi)
    scale_word = after.group(1) if after else None
    unit_at = after.end() if after else sm.end()
    um = _UNIT_RE.match(text, unit_at + (1 if unit_at < hi and text[unit_at] == " " else 0), hi)
    if um is None:
        return None
    if decimal_gap and not (um.group() in _MONEY_SET or um.group() in _PERCENT_UNITS or scale_word):
        return None  # "1. 2章" is a list number and a figure; "575. 48万元" is one amount
    parsed = _arabic(sm.group().replace(" ", "").replace("\u00a0", ""))
    if parsed is None:
        return None
    if scale_word and not text.startswith("元", unit_at):
        return unit_at, parsed, _SCALE_WORDS[scale_word]
    return sm.end(), parsed, 1


def _read_number(text: str, m: re.Match[str], hi: int) -> _Num | None:
    """Parse the core match, then 多/余, a scale word and a unit after it."""
    pct, ar, arscale, cn, cnr = m.groups()  # the groups of _CORE_RE, in order
    chinese = ar is None
    pct = pct or ""
    core_start = m.start(2) if not chinese else (m.start(4) if cn else m.start(5))
    core_end = m.end()
    scale = 1
    if not chinese:
        if "，" in ar and not any(c in _FW_DIGITS for c in ar):
            # the Chinese comma is a thousands separator only between full-width digits
            ar = ar.split("，", 1)[0]
            core_end = core_start + len(ar)
            parsed = _arabic(ar)
        else:
            parsed = _arabic(ar)
            if arscale:
                scale = _SCALE_WORDS[arscale]
            spaced = _spaced_number(text, core_start, core_end, hi) \
                if core_end < hi and text[core_end] in " \u00a0." else None
            if spaced is not None:
                core_end, parsed, scale = spaced
            elif core_end < hi and text[core_end] in ",.":
                garbled = _GARBLED_RE.match(text, core_start, hi)
                if garbled is not None and garbled.group().count(".") == 1 and garbled.group().count(",") >= 2 \
                        and (core_start == 0 or text[core_start - 1] in _CELL_EDGE) \
                        and (garbled.end() >= hi or text[garbled.end()] in _CELL_EDGE):
                    # "7,00.0,77": separators garbled in export; kept as written, commas dropped
                    core_end = garbled.end()
                    parsed = _arabic(garbled.group().replace(",", ""))
                    scale = 1
    elif cnr:
        parsed = (Decimal(_CN_SMALL.get(cnr, 0) or _CN_BIG[cnr]), 0)
    else:
        body, scale = _split_cn_scale(cn)
        parsed = _cn_number(body)
    if parsed is None:
        return None
    value, decimals = parsed
    pos = core_end
    if scale != 1:
        pos = _skip_gloss(text, pos, hi)  # 萬(wàn)元: a pinyin gloss after the scale word
    elif not chinese and pos < hi and text[pos] in " \u3000\u00a0万亿":
        p = _skip_spaces(text, pos, hi, limit=1)
        if p < hi and text[p] in "万亿" and _skip_gloss(text, p + 1, hi) > p + 1:
            scale = _CN_BIG[text[p]]  # "0 萬(wàn)元"
            pos = _skip_gloss(text, p + 1, hi)
        elif p > pos and p < hi and text[p] in "万亿" and not text.startswith("元", p + 1) and (
                p + 1 >= hi or text[p + 1] in _TERMINATORS or _UNIT_RE.match(text, p + 1, hi)):
            scale = _CN_BIG[text[p]]  # "1.05 万", "1.5 万人"
            pos = p + 1
    approx_more = False
    if pos < hi and text[pos] in "多余":
        approx_more = True
        pos += 1
    elif pos + 1 < hi and text[pos] in "+＋" and _UNIT_RE.match(text, pos + 1, hi):
        approx_more = True  # "300+人次"
        pos += 1
        if scale == 1 and pos < hi and text[pos] in "万亿" and not text.startswith("万元", pos) \
                and not text.startswith("亿元", pos):
            scale = _CN_BIG[text[pos]]
            pos += 1
    unit = ""
    if pct:
        unit = "%" if pct == "百分之" else "‰"
    elif chinese and pos < hi and text[pos] == "成" and cn and scale == 1:
        # 九成 = 90%, 九成五 = 95%
        if value > 10 or decimals:
            return None
        value = value * 10
        decimals = -1
        pos += 1
        if pos < hi and text[pos] in _CN_DIGIT and text[pos] != "两":
            value += _CN_DIGIT[text[pos]]
            decimals = 0
            pos += 1
        unit = "%"
    else:
        upos = _skip_spaces(text, pos, hi) if pos < hi and text[pos] in " \u3000\u00a0" else pos
        um = _UNIT_RE.match(text, upos, hi) if upos < hi and text[upos] in _UNIT_FIRST else None
        if um is not None:
            u = um.group()
            breakers = _unit_breakers()
            if text[um.start():um.start() + 2] in breakers and len(u) == 1:
                um = None
            elif u in _LATIN_UNITS and um.end() < hi and text[um.end()].isascii() and text[um.end()].isalnum():
                um = None  # "5min", "3mg": a Latin unit must end its word
            elif u in _COUNT_SET and um.end() < hi and text[um.start():um.end() + 1] in breakers:
                um = None
        if um is not None:
            u = um.group()
            if u in _PERCENT_UNITS:
                u = _PERCENT_UNITS[u]
            elif u in _UNIT_ALIASES:
                u = _UNIT_ALIASES[u]  # 七大类: seven categories; 4个批次: four batches
            elif u == "万人次":
                if scale == 1:
                    scale = 10_000
                u = "人次"
            elif u in ("万元", "亿元", "万亿元", "千万元", "百万元", "万美元") and scale != 1:
                return None  # "3万万元": malformed
            elif chinese and u == "元" and scale == 1 and cn and cn[-1] in _CN_BIG and value:
                # 一亿五千两百零七万元: money keeps its scale word in the unit (15207 万元)
                big = _CN_BIG[cn[-1]]
                value = value / big
                u = "万元" if big == 10_000 else "亿元"
            elif u == "美元" and scale in (10_000, 100_000_000):
                u = "万美元" if scale == 10_000 else "亿美元"  # money keeps its scale word
                scale = 1
            elif u == "元" and scale != 1:
                u = {10_000: "万元", 100_000_000: "亿元", 10**12: "万亿元",
                     10**7: "千万元", 10**6: "百万元"}[scale]
                scale = 1
            unit = u
            pos = um.end()
            if not approx_more and pos < hi and text[pos] in "多余" and u in _COUNT_SET:
                approx_more = True  # "20次多" (rare) — the 多 touches the unit
                pos += 1
        if not chinese and pos < hi and text[pos] in " /／每" and unit not in _SHARE_UNITS:
            per = _PER_RE.match(text, pos, hi)
            if per is not None:  # a rate: 元/人·月, 平方米/人, 万元/年, 元每平方米, a bare "500/年"
                unit += _PER_SPACES.sub("", per.group())
                pos = per.end()
    return _Num(core_start, core_end, pos, value, decimals, scale, unit, approx_more, chinese,
                pct)


def _finish_units(n: _Num, money: bool) -> tuple[Decimal, str, int, int]:
    """Apply the scale: fold for counts, 万元/亿元 for money. Returns value, unit, scale, decimals."""
    if n.scale == 1:
        return n.value, n.unit, 1, n.decimals
    if n.unit == "" and money:
        unit = {10_000: "万元", 100_000_000: "亿元", 10**12: "万亿元", 10**7: "千万元",
                10**6: "百万元"}[n.scale]
        return n.value, unit, 1, n.decimals
    exp = {10_000: 4, 100_000_000: 8, 10**12: 12, 10**7: 7, 10**6: 6}[n.scale]
    value = n.value.scaleb(exp)
    decimals = n.decimals - exp
    value = value.quantize(Decimal(1).scaleb(-max(decimals, 0)))
    return value, n.unit, n.scale, decimals


def _pre_qualifier(text: str, pos: int, lo: int) -> tuple[int, str]:
    """Qualifier written right before ``pos`` (spaces allowed): (its start, qualifier)."""
    p = pos
    while p > lo and text[p - 1] in " \u3000":
        p -= 1
    if p <= lo or text[p - 1] not in _PRE_LAST_CHARS:
        return pos, "none"
    window = text[max(0, p - 4):p]
    for word, qual in _PRE_QUALIFIERS:
        if window.endswith(word) and p - len(word) >= lo:
            if word == "近" and text[max(0, p - 2):p] in _JIN_WORDS:
                continue
            if word == "超" and text[max(0, p - 2):p] in ("赶超", "高超"):
                continue
            if word == "约" and text[max(0, p - 2):p] in ("节约", "制约", "契约", "约约", "预约", "相约"):
                continue
            return p - len(word), qual
    return pos, "none"


def _is_year(n: _Num) -> bool:
    return (not n.chinese and n.decimals == 0 and n.scale == 1 and 1900 <= n.value <= 2100
            and n.core_end - n.core_start == 4)


def find_numbers(text: str, start: int = 0, end: int | None = None) -> list[NumberMention]:
    """All number mentions in ``text[start:end]`` with absolute offsets, non-claims excluded.

    Traditional script is read through :func:`simplified_view` (units come out simplified: 萬元 → 万元);
    every mention's ``text`` is the original ``text[start:end]``."""
    hi = len(text) if end is None else min(end, len(text))
    lo = max(0, start)
    if lo >= hi:
        return []
    view = simplified_view(text)
    if view is text:
        return _scan(text, lo, hi)
    return [_with_text(m, text[m.start:m.end]) for m in _scan(view, lo, hi)]


def _with_text(m: NumberMention, surface: str) -> NumberMention:
    return NumberMention(m.start, m.end, surface, m.value, m.unit, m.qualifier, m.scale, m.tolerance,
                         m.decimals, m.upper, m.number_start, m.number_end)


def _scan(text: str, lo: int, hi: int) -> list[NumberMention]:
    masks = _Masks(text, lo, hi)
    out: list[NumberMention] = []
    pos = lo
    # _CORE_RE.search, found faster: the next character that can start a numeral, then a match there
    find_start = _CORE_START_RE.search
    match = _CORE_RE.match
    while True:
        c = find_start(text, pos, hi)
        if c is None:
            break
        m = match(text, c.start(), hi)
        if m is None:
            pos = c.start() + 1
            continue
        pos = m.end()
        n = _read_number(text, m, hi)
        if n is None:
            continue
        if n.decimals > 0 and not n.chinese and n.scale == 1 and n.unit in _INTEGER_ONLY:  # _line_start_list's own test
            n = _line_start_list(text, n, hi) or n
        mention, consumed = _build(text, n, masks, lo, hi)
        if consumed > pos:
            pos = consumed
        if mention is not None:
            out.append(mention)
    return out


# Spans read again and again (table cells: "100%", "10", "≥95%" recur within a report) are memoised
# on what the grammar can see of them. find_numbers(text, lo, hi) reads text[lo:hi] (masks, numerals,
# units, qualifiers, ranges), up to two characters after hi (text.startswith("万元"/"会议") at a
# position <= hi), and before lo only: text[lo-1] (the previous character: 第, 届, a minus sign, a
# letter, the 近/超/约 words), text[lo-2] (whether it is a digit: 1.2 version numbers), text[lo-3:lo]
# (届 / 人大 / 大会 before 二次会议) and whether lo is at a line start (the whitespace run before lo
# ends at a newline). The key keeps exactly that; offsets are stored relative to lo.
_KEPT_BEFORE = frozenset("届人大会")


def _context_before(text: str, lo: int) -> str:
    """text[lo-3:lo] as find_numbers can tell it apart: text[lo-1] as is; before it only 届/人/大/会
    and whether a character is a digit matter."""
    before = text[max(0, lo - 3):lo]
    if len(before) <= 1:
        return before
    head = "".join(c if c in _KEPT_BEFORE else ("0" if c.isdigit() else "x") for c in before[:-1])
    return head + before[-1]


def _shifted(m: NumberMention, delta: int, text: str) -> NumberMention:
    return NumberMention(m.start + delta, m.end + delta, text[m.start + delta:m.end + delta], m.value, m.unit, m.qualifier, m.scale,
                         m.tolerance, m.decimals, m.upper, m.number_start + delta, m.number_end + delta)


class NumberPass:
    """The one pass of the number grammar over a document's whole text (kept with the Document,
    ``Document.derived``): the Analysis and the reuse checks read the same mentions."""

    __slots__ = ("mentions", "starts", "encoded")

    def __init__(self) -> None:
        self.mentions: list[NumberMention] | None = None
        self.starts: list[int] = []
        self.encoded: bytes | None = None  # the pass made elsewhere (encode_mentions), decoded on first use


def number_pass(doc) -> list[NumberMention]:
    """Every number mention of ``doc.text`` in order, computed once per document (or decoded from the
    pass its batch worker made, :func:`lend_number_pass`)."""
    found = doc.derived(NumberPass)
    if found.mentions is None:
        found.mentions = decode_mentions(doc.text, found.encoded) if found.encoded is not None else find_numbers(doc.text)
        found.starts = [m.start for m in found.mentions]
    return found.mentions


def numbers_within(doc, start: int, end: int) -> list[NumberMention]:
    """The mentions of the document's number pass lying wholly inside ``doc.text[start:end]``: the
    same as ``find_numbers(doc.text, start, end)`` for a paragraph (checked on the seeds, the real
    corpus and generated reports), without reading it again."""
    mentions = number_pass(doc)
    starts = doc.derived(NumberPass).starts
    out = []
    i, n = bisect.bisect_left(starts, start), len(mentions)
    while i < n and mentions[i].start < end:
        if mentions[i].end <= end:
            out.append(mentions[i])
        i += 1
    return out


def lend_number_pass(doc, encoded: bytes) -> None:
    """Give ``doc`` its number pass made elsewhere (:func:`encode_mentions` of the same text), decoded
    when it is first read: decoding costs a fraction of reading the text again."""
    found = doc.derived(NumberPass)
    if found.mentions is None:
        found.encoded = encoded


def encode_mentions(text: str, mentions: list[NumberMention]) -> bytes | None:
    """The number pass of ``text`` in a compact form (~1 KB for a report of 200 figures):
    :func:`decode_mentions` makes the same mentions of it, field for field. None when a mention is not
    what the grammar makes (its ``text`` not ``text[start:end]``, its tolerance not that of its decimals),
    so that a mention is never given back changed."""
    kinds: dict[tuple, int] = {}
    offsets = array("i")
    values: list[str] = []
    for m in mentions:
        tolerance = _tolerance(m.decimals)
        if m.text != text[m.start:m.end] or (m.tolerance is not tolerance and (
                m.tolerance != tolerance or str(m.tolerance) != str(tolerance))):
            return None
        kind = kinds.setdefault((m.unit, m.qualifier, m.scale, m.decimals, m.upper is not None), len(kinds))
        offsets.extend((m.start, m.end, m.number_start, m.number_end, kind))
        values.append(str(m.value))
        if m.upper is not None:
            values.append(str(m.upper))
    return zlib.compress(pickle.dumps((offsets, list(kinds), "\n".join(values)), pickle.HIGHEST_PROTOCOL), 1)


def decode_mentions(text: str, encoded: bytes) -> list[NumberMention]:
    """The mentions :func:`encode_mentions` stored, for the same ``text``."""
    offsets, kinds, joined = pickle.loads(zlib.decompress(encoded))
    written = joined.split("\n") if joined else []
    parsed = {v: Decimal(v) for v in set(written)}  # one object per distinct value (they recur: 100, 95 …)
    values = iter([parsed[v] for v in written])
    kinds = [(unit, qualifier, scale, _tolerance(decimals), decimals, ranged)
             for unit, qualifier, scale, decimals, ranged in kinds]
    out = []
    it = iter(offsets)
    for start, end, number_start, number_end, kind in zip(it, it, it, it, it):
        unit, qualifier, scale, tolerance, decimals, ranged = kinds[kind]
        value = next(values)
        out.append(NumberMention(start, end, text[start:end], value, unit, qualifier, scale, tolerance,
                                 decimals, next(values) if ranged else None, number_start, number_end))
    return out


def find_numbers_in_span(text: str, start: int, end: int, cache: dict) -> list[NumberMention]:
    """``find_numbers(text, start, end)`` for a span that may recur (a table cell), memoised in
    ``cache`` (a dict the caller keeps per text): the same mentions, as new objects, at the same offsets."""
    hi = min(end, len(text))
    lo = max(0, start)
    if lo >= hi:
        return []
    key = _span_key(text, lo, hi)
    cached = cache.get(key)
    if cached is not None:
        base, mentions = cached
        delta = lo - base
        return [_shifted(m, delta, text) for m in mentions]
    found = find_numbers(text, lo, hi)
    cache[key] = (lo, found)
    return [_shifted(m, 0, text) for m in found]


def _span_key(text: str, lo: int, hi: int) -> tuple:
    """What :func:`find_numbers` can see of ``text[lo:hi]`` (see :data:`_KEPT_BEFORE`): two spans with
    the same key have the same mentions, at the same offsets from their start."""
    view = simplified_view(text)
    return _context_before(view, lo), _at_line_start(view, lo), view[lo:hi + 2], hi - lo


_LAST_ENDS: dict[tuple, int | None] = {}  # last_number_end's answers, by span key, in this process
_LAST_ENDS_MAX = 20_000  # answers kept before they are let go (a worker audits thousands of files)


def last_number_end(text: str, start: int, end: int) -> int | None:
    """Where the last mention of ``find_numbers(text, start, end)`` ends (None: no mention), memoised
    in this process on what the grammar can see of the span: a short window before a figure (the
    previous figure and its unit) recurs within and across the reports of a batch."""
    hi = min(end, len(text))
    lo = max(0, start)
    if lo >= hi:
        return None
    key = _span_key(text, lo, hi)
    found = _LAST_ENDS.get(key, _UNKNOWN)
    if found is _UNKNOWN:
        mentions = find_numbers(text, lo, hi)
        found = mentions[-1].end - lo if mentions else None
        if len(_LAST_ENDS) >= _LAST_ENDS_MAX:
            _LAST_ENDS.clear()
        _LAST_ENDS[key] = found
    return None if found is None else lo + found


_UNKNOWN = object()


def _line_start_list(text: str, n: _Num, hi: int) -> _Num | None:
    """"3.15个乡镇" at a list start is item "3." followed by "15个乡镇"."""
    if n.chinese or n.decimals <= 0 or n.unit not in _INTEGER_ONLY or n.scale != 1:
        return None
    raw = text[n.core_start:n.core_end]
    head, _, tail = raw.translate(str.maketrans("．", ".")).partition(".")
    if len(head) > 2 or not _at_line_start(text, n.core_start):
        return None
    m = _CORE_RE.match(text, n.core_start + len(head) + 1, hi)
    if m is None:
        return None
    split = _read_number(text, m, hi)
    if split is not None:
        split.after_list_number = True
    return split


def _range_partner(text: str, n: _Num, hi: int) -> _Num | None:
    """The Y of "X-Y", "X至Y", "X～Y" written right after ``n`` (same script), or None."""
    if n.approx_more or n.percent_prefix:
        return None
    rm = _RANGE_SEP_RE.match(text, n.end, hi) if n.end < hi and text[n.end] in _RANGE_SEP_FIRST else None
    if rm is None:
        return None
    m2 = _CORE_RE.match(text, rm.end(), hi)
    if m2 is None or m2.group("pct") or (m2.group("ar") is None) != n.chinese:
        return None
    return _read_number(text, m2, hi)


def _adopt_unit(n: _Num, n2: _Num) -> None:
    """Share the unit written once after a range: "3-5万元", "3万-5万元", "3-5万人", "十至十五次"."""
    if n2.unit in _MONEY_SET:
        n.unit = n2.unit
        if n.scale != 1 and n2.unit in ("万元", "亿元"):
            if n.scale != {"万元": 10_000, "亿元": 100_000_000}[n2.unit]:
                n.unit = ""
            n.scale = 1
    else:
        n.unit = n2.unit
        if n.scale == 1 and n2.scale != 1:
            n.scale = n2.scale


def _build(text: str, n: _Num, masks: _Masks, lo: int, hi: int) -> tuple[NumberMention | None, int]:
    """Decide whether ``n`` is a claim; attach qualifiers and ranges. Returns (mention, resume)."""
    # _range_partner's first test inlined: most figures have no separator after them
    n2 = _range_partner(text, n, hi) if n.end < hi and text[n.end] in _RANGE_SEP_FIRST else None
    resume = n2.end if n2 is not None else n.end
    reject = (None, resume)
    core_start = n.core_start
    if masks.hits(core_start, n.core_end):
        return reject
    prev = text[core_start - 1] if core_start > 0 else ""
    # ordinals, session numbers, codes, formulas
    if prev and (prev in "第届#№" or prev in "+＋*＊×÷/／^"):
        return reject
    if prev and prev in ".．" and not n.after_list_number and core_start >= 2 and text[core_start - 2].isdigit():
        return reject  # version numbers 1.2.3
    if prev.isascii() and prev.isalpha():
        return reject
    last = n2 if n2 is not None else n
    nxt_pos = last.end
    nxt = text[nxt_pos] if nxt_pos < hi else ""
    if (prev in _CHROME_PREV or nxt in _CHROME_AFTER_FIRST) and _site_chrome(text, n, last, lo, hi):
        return reject
    if nxt and nxt in "+＋*＊×÷^":
        return reject  # "1+3" is a slogan, "20分*执行率" a formula constant
    if nxt and nxt in "/／" and nxt_pos + 1 < hi and text[nxt_pos + 1].isdigit():
        return reject  # fractions and dates 12/31
    if nxt and nxt in ".．" and nxt_pos + 1 < hi and text[nxt_pos + 1].isdigit():
        return None, resume + 2  # 1.2.3 versions, dotted codes
    # years, dates, times, document numbers, categories (also for either end of a range)
    if not n.unit and not n.percent_prefix and _NOT_QUANTITY_RE.match(text, n.core_end, hi):
        duration = _duration_years(text, n, lo, hi)
        if duration is None:
            return reject
        n.unit, n.end = "年", duration  # ≥15年, 两年以上: a length of time, not a year
    if n2 is not None and not n2.unit and _NOT_QUANTITY_RE.match(text, n2.core_end, hi):
        if not n.unit:
            return reject  # 1-12月, 2026-2040年, 3-5级, 0-3岁
        n2 = None  # "4090亿元到2016年": a figure, then a year, no range
        resume = n.end
        reject = (None, resume)
    if n2 is not None:
        if not n.unit and n2.unit:
            _adopt_unit(n, n2)
        if (n.unit or n2.unit) and n.unit != n2.unit:
            n2 = None  # "8次-3人": not a range
    if n.unit == "分" and prev and prev in "时点":
        return reject  # 14时30分
    if n.unit == "分" and _RUBRIC_BEFORE_RE.search(text, max(lo, _pre_qualifier(text, core_start, lo)[0] - 2),
                                                _pre_qualifier(text, core_start, lo)[0]):
        return reject  # 扣2分, 扣2-5分, 加1分: a constant of the scoring rubric
    if n.chinese and n.unit == "分" and n.end < hi and _is_cjk(text[n.end]):
        return reject  # 十分重要: an adverb
    if n.chinese:
        if not n.unit:
            return reject
        if _CN_PHASE_RE.match(text, n.end - len(n.unit), hi):
            return reject
        raw = text[core_start:n.core_end]
        if raw == "一" and ((prev and prev in _YI_BLOCKERS) or n.unit in _SINGLE_YI_NOT_UNIT):
            return reject
        if n.unit == "次" and text.startswith("会议", n.end):
            back = text[max(0, core_start - 3):core_start]
            if "届" in back or "人大" in back or "大会" in back:
                return reject  # 人大二次会议: the 2nd session
    money = n.unit in _MONEY_SET or (n.unit == "" and n.scale != 1 and not _count_noun_after(text, n.end, hi)
                                     and (n.decimals >= 2 or _money_context(text, core_start, n.end, lo, hi)))
    if n.scale == 1:  # nothing to apply (most figures)
        value, unit, scale, decimals = n.value, n.unit, 1, n.decimals
    else:
        value, unit, scale, decimals = _finish_units(n, money)
    mention_end = n.end
    number_end = n.core_end
    qualifier = "approx_more" if n.approx_more else "none"
    upper: Decimal | None = None
    if n2 is not None:
        v2 = _finish_units(n2, money)[0]
        if v2 >= value:
            upper = v2
            qualifier = "range"
            mention_end = n2.end
            number_end = n2.core_end
        else:
            resume = n.end
    if qualifier != "range":
        if not unit:
            verdict = _bare_number_verdict(text, n, hi, masks)
            if verdict is False:
                return None, n.end
            if isinstance(verdict, str):
                unit = verdict
                first, end, _, shared = masks.enumeration
                if first <= n.end <= end and shared != "none":
                    qualifier = _merge_qualifier(qualifier, shared)
        # 以上 / 以下 / 左右
        pq = _POST_QUALIFIER_RE.match(text, mention_end, hi) \
            if mention_end < hi and text[mention_end] in _POST_QUALIFIER_FIRST else None
        if pq is not None:
            qualifier = _merge_qualifier(qualifier, _POST_QUALIFIER[pq.group(1)])
            mention_end = pq.end()
    number_start = core_start - (3 if n.percent_prefix else 0)
    # _pre_qualifier's first test inlined: most figures have no qualifier word or space before them
    before = text[number_start - 1] if number_start > lo else ""
    start_pos, pre_q = _pre_qualifier(text, number_start, lo) if before and (
        before in _PRE_LAST_CHARS or before in " \u3000") else (number_start, "none")
    if pre_q != "none" and qualifier != "range":
        qualifier = pre_q if qualifier == "none" or pre_q in ("at_least", "at_most") else qualifier
    if start_pos == number_start and start_pos > lo:
        c = text[start_pos - 1]
        if c in "¥￥" and unit in ("", "元"):
            start_pos -= 1
            unit = "元"
        elif c in "-－" and _negative_sign(text, start_pos - 1, lo):
            start_pos -= 1
            value = -value
            if upper is not None:
                upper = None if upper < value else upper
    tolerance = _TOLERANCES.get(decimals)
    mention = NumberMention(start_pos, mention_end, text[start_pos:mention_end], value, unit, qualifier, scale,
                            tolerance if tolerance is not None else _tolerance(decimals), decimals, upper,
                            number_start, number_end)
    return mention, resume if resume > mention_end else mention_end


_TOLERANCES: dict[int, Decimal] = {}  # half a unit of the last digit, by decimals (a handful of values)


def _tolerance(decimals: int) -> Decimal:
    """Half a unit of the last stated digit: 0.5 * 10**-decimals (one object per ``decimals``)."""
    tolerance = _TOLERANCES.get(decimals)
    if tolerance is None:
        tolerance = _TOLERANCES[decimals] = Decimal("0.5") * Decimal(10) ** -decimals
    return tolerance


_RUBRIC_BEFORE_RE = re.compile(r"(?:扣|加|减)(?:除)?$")
_YEAR_MONTH_RE = re.compile(r"(?:19|20)[0-9]{2}\.(?:0[1-9]|1[0-2])")


def _duration_years(text: str, n: _Num, lo: int, hi: int) -> int | None:
    """End of "年" when "N年" is a length of time bounded by a comparator (≥15年, 不少于3年, 两年以上)."""
    if n.decimals or n.scale != 1 or n.value > 100 or n.percent_prefix:
        return None
    p = n.core_end
    if not text.startswith("年", p):
        return None
    if text.startswith(("以上", "以下", "以内"), p + 1):
        return p + 1
    start, qualifier = _pre_qualifier(text, n.core_start, lo)
    return p + 1 if qualifier in ("at_least", "at_most") and start < n.core_start else None


# Site chrome around a number (checked per number, cheaper than a mask over the whole text):
# view counters "阅读：216次", "3048127次浏览", "(精选6篇)"; the current page after "[4] [5]"; a number
# closing a title line "范文 篇1", "自评报告 1".
_CHROME_BEFORE_RE = re.compile(r"(?:(?:阅读|浏览|查看|评论|点击|访问)(?:次数|量|数)?[ \u3000]{0,2}[:：]?[ \u3000]{0,2}"
                               r"|(?:通用|精选|汇总|范文)[ \u3000]{0,2})$")
_CHROME_AFTER_RE = re.compile(r"[ \u3000]{0,2}(?:浏览|阅读|点击)")
_PAGE_BEFORE_RE = re.compile(r"[\]］][ \u3000]{1,2}$")
_TITLE_BEFORE_RE = re.compile(r"(?:篇|(?:报(?:[(（][a-zàáǎā]{1,6}[)）])?告|范文)[ \u3000]?)$")
_LINE_END_RE = re.compile(r"[ \u3000]*(?:\n|$)")
_CELL_END_RE = re.compile(r"[ \u3000]*(?:[|｜\n]|$)")


_CHROME_BEFORE_LAST = frozenset(":： \u3000读览看论击问数量用选总文")
_CHROME_GAP = frozenset(":： \u3000")
_CHROME_WORD_LAST = frozenset("读览看论击问数量用选总文")
_CHROME_AFTER_FIRST = frozenset(" \u3000浏阅点")
_PAGE_TITLE_BEFORE_LAST = frozenset(" \u3000篇告文)）")
_CHROME_PREV = _CHROME_BEFORE_LAST | _PAGE_TITLE_BEFORE_LAST


def _site_chrome(text: str, n: _Num, last: _Num, lo: int, hi: int) -> bool:
    start = n.core_start
    before = text[start - 1] if start > lo else ""
    k = start - 1
    while k > lo and k > start - 5 and text[k] in _CHROME_GAP:
        k -= 1  # back over "：" and spaces to the word before them
    if k >= lo and text[k] in _CHROME_WORD_LAST and \
            _CHROME_BEFORE_RE.search(text, start - 9 if start - 9 > lo else lo, start) is not None:
        return True
    if last.end < hi and text[last.end] in _CHROME_AFTER_FIRST and _CHROME_AFTER_RE.match(text, last.end, hi):
        return True
    if n.unit or n.decimals or not before or before not in _PAGE_TITLE_BEFORE_LAST:
        return False
    if n.core_end - start <= 3 and _PAGE_BEFORE_RE.search(text, max(lo, start - 3), start) is not None \
            and _CELL_END_RE.match(text, n.end, hi) is not None:
        return True
    return (n.core_end - start <= 2 and _TITLE_BEFORE_RE.search(text, max(lo, start - 12), start) is not None
            and _LINE_END_RE.match(text, n.end, hi) is not None)


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _negative_sign(text: str, minus_pos: int, lo: int) -> bool:
    """A minus in front of a number is a sign only at a cell/line start or after 为/：/（."""
    if minus_pos <= lo:
        return True
    c = text[minus_pos - 1]
    return c in "\t\n \u3000（(：:，,为是=" or c == "\r"


def _bare_number_verdict(text: str, n: _Num, hi: int, masks: _Masks) -> bool | str:
    """A number without a unit is a claim only when it stands alone (a table cell,
    "预算：812.30"). Returns False (not a claim), True, or the unit of an enumeration."""
    if n.chinese or n.percent_prefix:
        return False
    if _is_year(n):
        return False
    raw = text[n.core_start:n.core_end].translate(_TO_ASCII)
    if len(raw) == 7 and raw[4] == "." and _YEAR_MONTH_RE.fullmatch(raw):
        return False  # 2017.03: a year and month in a schedule
    if len(raw) >= 11 and "." not in raw:
        return False  # phone numbers, codes
    if len(raw) > 1 and raw[0] == "0" and raw[1] != ".":
        return False  # 0730, 007: codes
    p = _skip_spaces(text, n.end, hi, limit=3)
    c = text[p] if p < hi else ""
    if n.scale != 1 and _count_noun_after(text, n.end, hi):
        return True  # "1.3亿学生": a count of the noun that follows
    before = text[n.core_start - 1] if n.core_start > 0 else ""
    if before in "年月" and n.value <= 31 and not n.decimals:
        return False  # 2016年4月26: a date that lost its 日
    if not c:
        # a figure that ends the whole text right after a word is cut off ("调减12" at the excerpt's end)
        return not (hi >= len(text) and not text[n.end:].strip() and (_is_cjk(before) or before in "，,"))
    if p > n.end and (c.isdigit() or c in "-－"):
        return True  # a row of figures separated by spaces: "分值 4 3 5 2"
    if p > n.end and n.core_start > 0 and text[n.core_start - 1] in " \u3000\u00a0\t":
        return True  # a cell between spaces: "项目决策 15 资金管理 6"
    if c in "：:":
        return False  # labels: 目标2：
    if c in ".．":
        return False  # list numbers: 1. 2．
    if c == "、":
        shared = _enumeration_unit(text, p, hi, masks)
        return shared if shared is not None else False  # 1、 is a list number
    if c in _TERMINATORS:
        return True
    return bool(_POST_QUALIFIER_RE.match(text, n.end, hi))


def _merge_qualifier(current: str, new: str) -> str:
    if current in ("none", "approx_more", "approx_about"):
        return new if current == "none" or new in ("at_least", "at_most") else current
    return current


_ENUM_RE = re.compile(rf"(?:、\s?[{_DIG}]+(?:[.．][{_DIG}]+)?)+")


def _enumeration_unit(text: str, pos: int, hi: int, masks: _Masks) -> str | None:
    """Unit shared by an enumeration "12、15、20次" whose items start at ``pos`` (on the 、)."""
    first, end, unit, _ = masks.enumeration
    if first <= pos < end:
        return unit
    m = _ENUM_RE.match(text, pos, hi)
    if m is None:
        return None
    um = _UNIT_RE.match(text, m.end(), hi)
    unit = None if um is None else _PERCENT_UNITS.get(um.group(), um.group())
    qualifier = "none"
    if um is not None:
        after = um.end()
        per = _PER_RE.match(text, after, hi) if unit not in ("%", "‰") else None
        if per is not None:  # 57、106、43微克/立方米: the rate unit is shared too
            unit += _PER_SPACES.sub("", per.group())
            after = per.end()
        pq = _POST_QUALIFIER_RE.match(text, after, hi)
        if pq is not None:  # 分别控制在57、106、43微克/立方米以下: 以下 bounds every member
            qualifier = _POST_QUALIFIER[pq.group(1)]
    masks.enumeration = (pos, m.end(), unit, qualifier)
    return unit
