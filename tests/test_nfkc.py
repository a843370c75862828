"""``auditor.nlp.nfkc.nfkc`` is ``unicodedata.normalize("NFKC", …)``, string for string: on our own
Chinese text, on characters that compose with their neighbours once normalised, on random strings of
every kind of character, and on the seeds and real excerpts when present."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from auditor.nlp.nfkc import _RANGES, nfkc

ROOT = Path(__file__).resolve().parents[1]
SHARED = [ROOT.parent / "shared" / "seeds", ROOT.parent / "shared" / "real"]

# Written for this test: full-width punctuation and digits, the ideographic space, circled numbers,
# squared units, an ellipsis, traditional script, half-width katakana with a sound mark (NFKC composes
# them into one character), a letter with a combining accent, Hangul jamo.
OWN = [
    "全年完成巡查１２６次，（较上年增加１２次）；满意度达到９６％。\u3000\u3000",
    "①年初预算85.60万元；②调整后90万元…改造面积1,200㎡，完成率℅",
    "本年度經費支出總額為壹佰萬元：其中人員經費６０萬元！",
    "ｶﾞｲﾄﾞ、ﾊﾟﾝﾌ ﾚｯﾄ，e\u0301te\u0301，Å，\u1100\u1161\u11a8，ﬁ，™",
    "（\u0301，\u3000\u0301\uff9e\uff9f",  # marks right after replaced characters
    "",
    "plain ascii 123",
]


def test_own_texts() -> None:
    for text in OWN:
        assert nfkc(text) == unicodedata.normalize("NFKC", text), text


def test_random_strings_of_every_kind_of_character() -> None:
    rng = random.Random(20261130)
    table_chars = [chr(c) for first, end in _RANGES for c in range(first, end)]
    combining = [chr(c) for c in range(0x0300, 0x0370)] + ["\u3099", "\u309a", "\uff9e", "\uff9f"]
    cjk = [chr(c) for c in range(0x4E00, 0x4E00 + 200)] + [chr(c) for c in range(0xF900, 0xF920)]
    hangul = [chr(c) for c in range(0x1100, 0x1120)] + [chr(c) for c in range(0x1161, 0x1170)] + \
        [chr(c) for c in range(0x11A8, 0x11B0)] + [chr(c) for c in range(0xAC00, 0xAC10)]
    pools = [table_chars, combining, cjk, hangul, [chr(c) for c in range(0x20, 0x7F)]]
    for _ in range(3000):
        text = "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 40)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)
    for _ in range(300):  # any code point of the BMP
        text = "".join(chr(rng.randint(0x20, 0xFFFD)) for _ in range(rng.randint(1, 60)))
        text = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
        assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)


def test_seeds_and_real_excerpts() -> None:
    paths = [p for folder in SHARED if folder.is_dir() for p in sorted(folder.glob("*.txt"))]
    if not paths:
        pytest.skip("../shared/seeds and ../shared/real are absent")
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert nfkc(text) == unicodedata.normalize("NFKC", text), path.name
