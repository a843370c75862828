"""The per-file shortcuts of the number grammar, the layout reader and the statement readers answer
exactly what the computations they skip would.

Each shortcut is a necessary condition checked before a pattern is tried (a character every match
holds, the characters a match can start with) or a computation done once instead of several times;
each is compared here with the plain computation, on the bundled sample corpus and on made-up text.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from auditor.document import span_back, span_forward
from auditor.extract import indicators, subjects
from auditor.extract import numbers as N
from auditor.readers.decode import decode_text
from auditor.readers.text import build_document, match_heading

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"

# made-up lines with every kind of masked numeral: document numbers, dates, phones, times, day names,
# list numbers, labels, page counters, contact numbers, quotes, titles, slogans, codes, masked values,
# row index numbers
MADE_UP = (
    "依据某办发〔2021〕7号文件，于2022-03-15、2022.4.1和2022、5、6召开会议，电话0731-8123456，"
    "时间09:30，在3·15前后组织（2）次培训，详见附件2、附表3：\n"
    "[4] [5] 邮编：410000，热线 400-1234，“1+2+N”模式，《某某纲要（2026—2030年）》，"
    "PM2.5浓度下降8%，5G基站12个，ISO9001认证，***，行次 1 2 3，两个确立，十四五期间完成80%。\n"
    "全年支出127.18万元，其中：基本支出100万元，项目支出27.18万元，覆盖率约95％，共3个批次。\n"
)


def _texts() -> list[str]:
    texts = [decode_text(p.read_bytes())[0] for p in sorted(SAMPLE.glob("*.txt"))]
    assert texts, "the sample corpus is missing"
    return [*texts, MADE_UP]


def _masks_directly(text: str, lo: int, hi: int) -> tuple[list[int], list[int]]:
    masks = N._Masks(text, lo, hi)
    spans = [m.span() for pat, *_ in N._masks_with_needles() for m in pat.finditer(text, lo, hi)]
    masks._merge(spans)
    return masks.starts, masks.ends


def test_every_mask_match_holds_a_trigger_character() -> None:
    for text in _texts():
        for pattern, triggers in N._masks_with_triggers():
            for m in pattern.finditer(text):
                assert set(m.group()) & triggers, (pattern.pattern[:40], m.group())


def test_short_spans_get_the_masks_of_every_pattern_tried() -> None:
    rng = random.Random(5)
    for text in _texts():
        for _ in range(400):
            lo = rng.randrange(len(text))
            hi = min(len(text), lo + rng.choice((2, 8, 25, 60, 200, 1000)))
            masks = N._Masks(text, lo, hi)
            masks._compute()
            assert (masks.starts, masks.ends) == _masks_directly(text, lo, hi), text[lo:hi]


def test_a_numeral_starts_with_a_character_of_the_start_class() -> None:
    # every character a match can start with, in every context the core pattern looks at
    # (百分之, 余/多 after 百千万, 近/约 before them)
    for code in range(0x20, 0x10000):
        c = chr(code)
        for text, at in ((c + "5", 0), (c + "分之5", 0), (c + "余人", 0), ("近" + c + "人", 1), (c, 0)):
            if N._CORE_RE.match(text, at):
                assert N._CORE_START_RE.match(text, at), repr(text)


def test_the_scan_finds_what_a_search_of_the_core_pattern_finds() -> None:
    for text in _texts():
        plain = []
        pos = 0
        while (m := N._CORE_RE.search(text, pos)) is not None:
            plain.append(m.span())
            pos = m.end()
        found = []
        pos = 0
        while (c := N._CORE_START_RE.search(text, pos)) is not None:
            m = N._CORE_RE.match(text, c.start())
            if m is None:
                pos = c.start() + 1
                continue
            found.append(m.span())
            pos = m.end()
        assert found == plain


@pytest.mark.parametrize("pattern, first", [
    (N._UNIT_RE, N._UNIT_FIRST),
    (N._RANGE_SEP_RE, N._RANGE_SEP_FIRST),
    (N._POST_QUALIFIER_RE, N._POST_QUALIFIER_FIRST),
])
def test_a_pattern_tried_only_after_its_first_characters_matches_nowhere_else(pattern, first) -> None:
    for text in _texts():
        for i in range(len(text)):
            if pattern.match(text, i):
                assert text[i] in first, text[i:i + 6]


def test_arabic_numerals_read_once_read_the_same() -> None:
    for raw in ("100", "1,234.50", "０．５", "12，345", "3.", "007"):
        assert N._arabic(raw) == N._read_arabic(raw)
        assert N._arabic(raw) == N._read_arabic(raw)  # the second answer comes from the memo


def test_statement_starts_are_those_of_span_back() -> None:
    rng = random.Random(9)
    for text in _texts():
        for _ in range(300):
            offset = rng.randrange(len(text) + 1)
            assert indicators._starts_before(text, offset) == (
                span_back(text, offset, indicators._CLAUSE_BREAKS),
                span_back(text, offset, indicators._SENTENCE_BREAKS),
                span_back(text, offset, indicators._CONTEXT_BREAKS))
            assert indicators._starts_before(text, offset, text[::-1]) == indicators._starts_before(text, offset)
            assert indicators._sentence_end(text, offset) == span_forward(text, offset, indicators._SENTENCE_BREAKS)


def test_left_context_stops_where_a_character_by_character_walk_stops() -> None:
    def walked(text: str, stop: int, end: int) -> int:
        i = end
        while i > stop and text[i - 1] not in subjects._LEFT_STOPS:
            i -= 1
        return i

    rng = random.Random(5)
    made = ["", "甲", "，", "调研6次执法检查4次", "（一）共计\n\t12"]
    for text in [*_texts(), *made]:
        for _ in range(300):
            end = rng.randrange(len(text) + 1)
            stop = max(0, end - rng.randrange(0, 60))
            assert subjects._after_last_stop(text, stop, end) == walked(text, stop, end), (stop, end)
            # the general helper gives the same stop (slower: one backward search a stop character)
            assert subjects._after_last_stop(text, stop, end) == span_back(text, end, "".join(subjects._LEFT_STOPS),
                                                                           floor=stop)


@pytest.mark.parametrize("words, needle", [
    (indicators._TARGET_WORDS, indicators._TARGET_WORDS_RE),
    (indicators._DONE_WORDS, indicators._DONE_WORDS_RE),
    (indicators._PLAN_HEADINGS, indicators._PLAN_HEADINGS_RE),
    (indicators._SCOPE_WORDS, indicators._SCOPE_WORDS_RE),
])
def test_word_lists_as_one_pattern(words, needle) -> None:
    for text in _texts():
        for line in text.splitlines():
            assert (needle.search(line) is not None) == any(w in line for w in words)


def test_places_and_periods_need_their_characters() -> None:
    for text in _texts():
        for m in indicators._PLACE_RE.finditer(text):
            assert indicators._PLACE_CHARS.search(m.group())
        for m in indicators._PERIOD_RE.finditer(text):
            assert indicators._PERIOD_CHARS.search(m.group())


def test_a_heading_starts_with_a_numeral_or_a_bracket() -> None:
    heading = re.compile(r"\S")
    for text in _texts():
        for line in text.splitlines():
            found = match_heading(line)
            if found is not None:
                first = heading.search(line).group()
                assert first in "一二三四五六七八九十（(①②③④⑤⑥⑦⑧⑨⑩" or first.isdecimal(), line


def test_layout_reader_keeps_cells_and_paragraphs_in_order() -> None:
    text = ("标题一行\n\t项目\n\t预算数\n\n\t合计\n\t100.00\n\n\n正文一段\n\t产出指标\n\n(30分)\n\t数量\n\n"
            "\u3000\u3000\n最后一段\n")
    doc = build_document(text, "made-up.txt")
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                assert text[cell.start - 1] == "\t"
    assert [text[p.start:p.end] for p in doc.paragraphs] == ["标题一行", "正文一段", "最后一段"]
    assert doc.tables[1].rows[0].cells[0].end == text.index("(30分)") + len("(30分)")


def test_set_phrases_match_as_the_pattern_with_glosses_everywhere() -> None:
    """The set phrases are searched with the plain pattern in a span that holds no pinyin gloss, and in
    a view of the span without its glosses where it does: the matches are those of always using the
    pattern with an optional gloss between every two characters, in every window, glossed phrases, a
    gloss cut by the window's edge, a gloss with no phrase, and runs of glosses included."""
    phrases = N._slogan_re()
    words = phrases.words
    always = re.compile("|".join((N._PHRASE_GLOSS + "?").join(re.escape(c) for c in w) for w in words))
    glossed = "".join(c + ("(xiàng)" if k == 0 else "") for k, c in enumerate(words[0]))  # a gloss after the first character
    texts = [*_texts(),
             f"推进{glossed}工作，完成{words[1]}建设，另见（wàn）元一项。\n{words[-1]}落实到位。",
             f"材料(abc)里有{words[2]}和{words[0]}。",
             # two glosses in a row part the characters (the pattern lets one sit between two), a gloss
             # before and after a phrase, a run of three, and glosses at the very start and end
             f"(ab)(cd){words[3][0]}(yi)(er){words[3][1:]}；{words[4][0]}(yi){words[4][1:]}(mo)(ab)(cd)",
             f"（lì）{words[5]}（lì），{words[6][:1]}(a){words[6][1:2]}(b){words[6][2:]}(c)(d)(e)"]
    rng = random.Random(11)
    seen_gloss = seen_plain = 0
    for text in texts:
        windows = [(0, len(text))] + [tuple(sorted(rng.sample(range(len(text) + 1), 2))) for _ in range(300)]
        for lo, hi in windows:
            got = [m.span() for m in phrases.finditer(text, lo, hi)]
            assert got == [m.span() for m in always.finditer(text, lo, hi)], (text[lo:hi],)
            if N._PHRASE_GLOSS_RE.search(text, lo, hi):
                seen_gloss += bool(got)
            else:
                seen_plain += bool(got)
    assert seen_gloss and seen_plain  # both ways were taken, with matches
    assert any(m.group() == glossed for m in phrases.finditer(texts[-4]))
    assert [m.span() for m in phrases.finditer(texts[-2])] == [m.span() for m in always.finditer(texts[-2])]
    assert [m.group() for m in phrases.finditer(texts[-1])][1:] == [
        f"{words[6][:1]}(a){words[6][1:2]}(b){words[6][2:]}"]  # glosses inside a phrase are its own text


def test_long_spans_get_the_masks_of_every_pattern_tried() -> None:
    """A span longer than ``_SMALL_SPAN`` (a whole report) skips the masks whose needles are absent and
    tries those whose needles lie near a match's start only there: the same masks as every pattern
    tried everywhere."""
    rng = random.Random(8)
    long_texts = [t for t in _texts() if len(t) > N._SMALL_SPAN] + [MADE_UP * 40]
    assert long_texts
    for text in long_texts:
        for lo, hi in [(0, len(text))] + [(k, k + N._SMALL_SPAN + rng.randrange(2000))
                                          for k in rng.sample(range(len(text) - N._SMALL_SPAN), 5)]:
            hi = min(hi, len(text))
            if hi - lo <= N._SMALL_SPAN:
                continue
            masks = N._Masks(text, lo, hi)
            masks._compute()
            assert (masks.starts, masks.ends) == _masks_directly(text, lo, hi)


def test_a_pattern_tried_near_its_needles_finds_what_its_search_finds() -> None:
    """``_matches_near``: times and page counters found from their colon or bracket, in text made of
    the characters around them (digits, colons, brackets, spaces), windows cut anywhere."""
    anchored = [(pat, needles, lead) for pat, needles, lead in N._masks_with_needles() if lead is not None]
    assert len(anchored) >= 4
    # characters and the label words the anchored patterns start with (contact, registry and row labels)
    pieces = [*"0123456789:：[［]］ *＊-（）|\n", "12:30", "邮编", "邮政编码", "电话", "热线", "ICP备", "ICP证", "IC",
              "凭证号", "凭证", "记账", "标识码", "行次", "栏次", "序号", "序", "话"]
    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30)))
        lo = rng.randrange(len(text))
        hi = rng.randrange(lo, len(text) + 1)
        for pat, needles, lead in anchored:
            assert [m.span() for m in N._matches_near(pat, text, lo, hi, needles, lead)] == \
                [m.span() for m in pat.finditer(text, lo, hi)], (pat.pattern, text, lo, hi)


def test_label_figure_runs_are_looked_for_only_where_four_pairs_can_be(monkeypatch: pytest.MonkeyPatch) -> None:
    """``_label_run_figures`` gives up at once on a text without four figures with 2–8 Chinese characters
    between each two: on the sample corpus and on made-up texts (with and without such runs), what it
    finds is what the full scan finds."""
    from auditor.extract import claims as C

    rng = random.Random(12)
    labels = ["人数", "户数", "里程", "面积较上年", "年末", "第", "月", "收入", "支出合计"]
    made = []
    for _ in range(1500):
        parts = []
        for _ in range(rng.randrange(1, 14)):
            parts.append(rng.choice(labels))
            parts.append(rng.choice(["12", "3.5", "100", "2023", "0", "07", "1.25", "8号", "，", "。\n"]))
        made.append("".join(parts))
    texts = [*_texts(), *made]
    fast = [C._label_run_figures(t) for t in texts]
    monkeypatch.setattr(C, "_FOUR_PAIRS_RE", re.compile(""))  # matches every text: the full scan
    full = [C._label_run_figures(t) for t in texts]
    assert fast == full
    assert sum(1 for f in full if f) >= 20 and sum(1 for f in full if not f) >= 20  # both kinds tried


def test_glued_rates_are_looked_for_only_after_five_digits_and_a_percent_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    """``_glued_rates`` gives up at once on a text where no percent sign has five digits before it (with
    or without one or two decimals): on the sample corpus and on made-up runs of digits, points, commas
    and percent signs, what it finds is what the full scan finds."""
    from auditor.extract import claims as C

    rng = random.Random(21)
    made = ["".join(rng.choice("0123456789..%％,甲 ") for _ in range(rng.randrange(1, 30))) for _ in range(4000)]
    made += ["年度资金总额:250250100%", "合计100.00%", "执行率 9999.5%", "12345.678%", "x123456.78％",
             "甲55100%", "55100.0%", "乙55100.00％"]  # five digits exactly, with and without decimals
    texts = [*_texts(), *made]
    assert sum(1 for t in texts if C._five_digits_before_a_percent(t)) >= 50
    fast = [C._glued_rates(t) for t in texts]
    monkeypatch.setattr(C, "_five_digits_before_a_percent", lambda text: True)  # the full scan
    full = [C._glued_rates(t) for t in texts]
    assert fast == full
    assert sum(1 for f in full if f) >= 4


def test_prose_patterns_are_tried_only_in_paragraphs_holding_their_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """``views.holding``: the completion claims and the budget-exceeded clauses are looked for only in
    the paragraphs holding one of their patterns' words, all of them where a gloss was blanked (a
    word may be split by a joiner there): on the sample corpus and on made-up reports, with and without
    glosses, the same as trying every paragraph."""
    from auditor.analysis import Analysis
    from auditor.extract import rates, targets, views

    made = [
        "一、总体情况\n本年度全面完成年度绩效目标，各项指标均已完成。\n决算数大于预算数12.5万元。\n",
        "二、目标完成\n基本完成各项任务，部分指标未全部完成。\n支出数超(chāo)过预算数3万元，执行率103%。\n",
        "三、说明\n已按照计划完成目标；目标全部实现。实际支出高于年初预算数。\n圆满完成任务。\n",
        "四、其他\n本年度未发生超支。各项目标均达到预期。决算数超出全年预算数8.00万元。\n",
        # one claim to a paragraph, each holding one of the words only
        "五、逐条\n已按计划完成了绩效目标。\n全面完成全年任务。\n圆满完成预期目标。\n已全部完成各项指标。\n"
        "均已完成既定任务。\n顺利完成了年度绩效任务。\n各项指标均达到。\n绩效目标全部达成。\n"
        "执行数大于预算数。\n支出数超过预算。\n实际支出超出年初预算数。\n决算高于全年预算数。\n",
    ]
    texts = [*_texts(), *made, "".join(made)]
    analyses = [Analysis(build_document(t, f"t{k}.txt", "txt")) for k, t in enumerate(texts)]

    def both():
        return [(targets.completion_claims(a.doc, a.prose), rates.budget_exceeded(a.doc, a.numbers_in, a.prose))
                for a in analyses]

    fast = both()
    monkeypatch.setattr(targets, "holding", lambda view, words, paragraphs: list(paragraphs))
    monkeypatch.setattr(rates, "holding", lambda view, words, paragraphs: list(paragraphs))
    full = both()
    assert fast == full
    assert sum(len(c) for c, _ in full) >= 5 and sum(len(x) for _, x in full) >= 3
    glossed = analyses[len(_texts()) + 1]
    assert views.holding(views.reading_view(glossed.doc.text), ("超过",), glossed.prose) == glossed.prose


def test_money_statements_read_a_paragraph_when_first_asked_and_as_all_at_once() -> None:
    """``Analysis.money_statements`` reads a paragraph's amounts when it is first asked for (AR105 asks for
    the paragraphs stating a fund rate): each paragraph's, and all of them in order, are those of reading
    every paragraph at once."""
    from auditor.analysis import Analysis
    from auditor.extract.rates import money_amounts

    for k, text in enumerate(_texts()):
        analysis = Analysis(build_document(text, f"m{k}.txt", "txt"))
        lazy = analysis.money_statements
        assert lazy._read == {}
        if analysis.prose:
            middle = analysis.prose[len(analysis.prose) // 2]
            assert lazy[middle.index] == money_amounts(analysis.doc, analysis.numbers_in, middle)
            assert set(lazy._read) == {middle.index}
        eager = {p.index: money_amounts(analysis.doc, analysis.numbers_in, p) for p in analysis.prose}
        assert list(lazy.items()) == list(eager.items()) and lazy == eager and len(lazy) == len(eager)
    with pytest.raises(KeyError):
        lazy[-1]
