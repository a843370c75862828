"""The number grammar is linear in its input (issue 13, item 7: a 20 KB line of digits took ~16 s).

Linearity is shown by construction, not by timing: every mask pattern that starts with an unbounded
repetition is anchored by a negative lookbehind on the same characters, so a long run is tried from
its first character only; an enumeration is read once for all its items. The long-line tests below
check the results on inputs that were quadratic before (they would take minutes, not milliseconds).
"""

from __future__ import annotations

import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

import pytest

from auditor.extract import numbers
from auditor.extract.numbers import find_numbers

LONG = 60_000


def _first_is_unbounded_run(pattern: str) -> bool:
    parsed = sre_parse.parse(pattern)
    if not len(parsed):
        return False
    op, av = parsed[0]
    return op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[1] == sre_constants.MAXREPEAT


def _first_is_lookbehind_guard(pattern: str) -> bool:
    parsed = sre_parse.parse(pattern)
    if not len(parsed):
        return False
    op, av = parsed[0]
    return op == sre_constants.ASSERT_NOT and av[0] == -1  # (?<!...)


@pytest.mark.parametrize("pattern", numbers._MASK_PATTERNS, ids=lambda p: p.pattern[:40])
def test_no_mask_pattern_restarts_inside_a_run(pattern: re.Pattern[str]) -> None:
    """A pattern may not begin with an unbounded run unless a lookbehind makes it start only where
    the run starts (otherwise each character of a long run restarts it: quadratic)."""
    assert not _first_is_unbounded_run(pattern.pattern), pattern.pattern
    if _first_is_lookbehind_guard(pattern.pattern):
        rest = sre_parse.parse(pattern.pattern)[1:]
        assert rest, pattern.pattern


def test_guard_detection_works_on_known_shapes() -> None:
    assert _first_is_unbounded_run(r"[0-9]+[A-Za-z]")
    assert not _first_is_unbounded_run(r"(?<![0-9])[0-9]+[A-Za-z]")
    assert _first_is_lookbehind_guard(r"(?<![0-9])[0-9]+[A-Za-z]")


@pytest.mark.parametrize("line", [
    "7" * LONG,                         # a bare digit run: a code, never a claim
    "7" * LONG + "x",                   # digits then a letter: the alphanumeric-code mask
    ("12" * LONG)[:LONG] + "+",         # digits then a plus: the slogan-chain mask
    "一二" * (LONG // 2),                # a run of Chinese digits is no number
    "4、" * (LONG // 2),                 # list numbers without a unit
    "x" * LONG + "1",                   # a letter run then a digit: one alphanumeric code
    "1+" * (LONG // 2) + "1",           # one long slogan chain
], ids=["digits", "digits-letter", "digits-plus", "cn-digits", "bare-enumeration", "letters-digit", "plus-chain"])
def test_long_runs_yield_no_claims(line: str) -> None:
    assert find_numbers(line) == []


def test_long_line_of_claims_is_read_in_full() -> None:
    sentence = "本月走访农户3次，"
    found = find_numbers(sentence * 20_000)
    assert len(found) == 20_000
    assert all(m.value == 3 and m.unit == "次" for m in found)
    assert found[-1].start == len(sentence) * 19_999 + sentence.index("3")


def test_long_enumeration_shares_its_unit_once_read() -> None:
    items = [str(k) for k in range(2200, 2200 + 15_000)]  # above the years 1900–2100
    text = "各乡镇分别完成" + "、".join(items) + "户。"
    found = find_numbers(text)
    assert [str(m.value) for m in found] == items
    assert {m.unit for m in found} == {"户"}
