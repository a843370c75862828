"""Property tests for the number grammar (hypothesis, bounded to run in a few seconds)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.extract.numbers import find_numbers, parse_number

_DIGITS = "零一二三四五六七八九"
_SMALL_UNITS = ["", "十", "百", "千"]
_BIG_UNITS = ["", "万", "亿"]


def _section(n: int, use_liang: bool) -> str:
    """1..9999 in Chinese, with 零 for inner gaps (independent of the code under test)."""
    out = ""
    gap = False
    for power in range(3, -1, -1):
        digit = n // 10**power % 10
        if digit == 0:
            gap = bool(out)
            continue
        if gap:
            out += "零"
            gap = False
        word = _DIGITS[digit]
        if use_liang and digit == 2 and power >= 2 and not out:
            word = "两"
        out += word + _SMALL_UNITS[power]
    return out


def to_chinese(n: int, *, short_ten: bool = True, use_liang: bool = False) -> str:
    """Write 0 <= n < 10**12 in Chinese numerals: 1389 -> 一千三百八十九, 15 -> 十五."""
    if n == 0:
        return "零"
    sections = []
    while n:
        sections.append(n % 10_000)
        n //= 10_000
    out = ""
    need_zero = False
    for index in range(len(sections) - 1, -1, -1):
        value = sections[index]
        if value == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or value < 1000):
            out += "零"
        out += _section(value, use_liang and not out) + _BIG_UNITS[index]
        need_zero = False
    if short_ten and out.startswith("一十"):
        out = out[1:]
    return out


_FULL = str.maketrans("0123456789.", "０１２３４５６７８９．")


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


decimals_st = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**12 - 1), st.booleans(), st.booleans())
def test_chinese_integers_round_trip(n: int, short_ten: bool, use_liang: bool) -> None:
    written = to_chinese(n, short_ten=short_ten, use_liang=use_liang)
    assert parse_number(written) == n, written


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**8), st.text(alphabet="0123456789", min_size=1, max_size=3))
def test_chinese_decimals_round_trip(n: int, frac: str) -> None:
    written = to_chinese(n) + "点" + "".join(_DIGITS[int(c)] for c in frac)
    assert parse_number(written) == Decimal(f"{n}.{frac}"), written


@settings(max_examples=200, deadline=None)
@given(decimals_st, st.booleans(), st.booleans())
def test_arabic_full_width_and_grouped_round_trip(value: Decimal, full_width: bool, grouped: bool) -> None:
    int_part, _, frac = f"{value:f}".partition(".")
    if grouped:
        int_part = _group(int_part, "，" if full_width else ",")
    written = int_part + ("." + frac if frac else "")
    if full_width:
        written = written.translate(_FULL)
    assert parse_number(written) == value, written


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["万", "亿"]))
def test_mixed_scale_round_trip(value: Decimal, scale_word: str) -> None:
    written = f"{value:f}{scale_word}"
    scale = 10_000 if scale_word == "万" else 100_000_000
    assert parse_number(written) == value * scale, written


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), st.booleans())
def test_counts_in_a_sentence_are_found(n: int, chinese: bool) -> None:
    written = to_chinese(n) if chinese else str(n)
    text = f"全年召开会议{written}次，"
    found = find_numbers(text)
    assert len(found) == 1, (text, [m.text for m in found])
    m = found[0]
    assert (m.value, m.unit, m.qualifier) == (n, "次", "none")
    assert m.text == f"{written}次"


@settings(max_examples=200, deadline=None)
@given(decimals_st)
def test_money_in_a_sentence_is_found(value: Decimal) -> None:
    text = f"全年支出{value:f}万元。"
    (m,) = find_numbers(text)
    assert (m.value, m.unit, m.scale) == (value, "万元", 1)


_NUMERIC_ALPHABET = (
    "0123456789０１２３４５６７８９.,，．、-~至多余万亿十百千零一二两三四五六七八九点成"
    "次人项件个元%％℅‰年月日号第（）()“”《》+*×≥≤约近不少于以上以下左右　 \t\n分亩㎡级岁"
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=80), st.text(alphabet=_NUMERIC_ALPHABET, max_size=80)))
def test_mentions_are_exact_slices_without_overlap(text: str) -> None:
    mentions = find_numbers(text)
    previous_end = 0
    for m in mentions:
        assert text[m.start:m.end] == m.text
        assert 0 <= m.start <= m.number_start < m.number_end <= m.end <= len(text)
        assert m.start >= previous_end
        previous_end = m.end
        assert m.qualifier in {"approx_more", "approx_about", "at_least", "at_most", "range", "none"}
        assert m.tolerance > 0


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=_NUMERIC_ALPHABET, max_size=60), st.integers(0, 60), st.integers(0, 60))
def test_window_results_stay_inside_the_window(text: str, a: int, b: int) -> None:
    lo, hi = min(a, b), max(a, b)
    for m in find_numbers(text, lo, hi):
        assert lo <= m.start and m.end <= min(hi, len(text))
        assert text[m.start:m.end] == m.text
