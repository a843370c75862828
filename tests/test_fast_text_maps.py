"""The character maps done with ``str.replace`` (faster than ``str.translate`` on Chinese text) map
exactly as the translation tables they replaced: ``document.for_matching`` and ``material.fold``."""

from __future__ import annotations

import random

from auditor.document import clean_text, for_matching
from auditor.reuse.material import fold

MATCHING = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "％": "%", "．": "."})
PUNCT = str.maketrans({"，": ",", "。": ".", "；": ";", "：": ":", "（": "(", "）": ")", "“": '"', "”": '"',
                       "‘": "'", "’": "'", "！": "!", "？": "?", "、": ","})

# Written for this test: every mapped character, next to each other and to what is left alone.
OWN = [
    "２０２４年度预算执行率为９８．５％，较上年（２０２３年）提高１．２个百分点。",
    "“一是”：加强管理；‘二是’！完善制度？三、四、五，…… 100% 1.5 ＡＢＣ",
    "",
    "\t  \u3000 ",
    "０１２３４５６７８９％．，。；：（）“”‘’！？、",
]


def test_own_text() -> None:
    for text in OWN:
        assert for_matching(text) == text.translate(MATCHING)
        assert len(for_matching(text)) == len(text)  # one character for one
        assert fold(text) == clean_text(text).translate(PUNCT)


def test_random_strings() -> None:
    rng = random.Random(11)
    pool = list("０１２３４５６７８９％．，。；：（）“”‘’！？、0123456789%.,;:()\"'!? \t\n\u3000年度预算万元")
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        assert for_matching(text) == text.translate(MATCHING)
        assert fold(text) == clean_text(text).translate(PUNCT)


def _clean_by_pattern(raw: str) -> str:
    """clean_text's definition: residue removed, then every character of ``_BLANK_RE`` dropped."""
    from auditor.document import _BLANK_RE, RESIDUE_RE

    return _BLANK_RE.sub("", RESIDUE_RE.sub("", raw))


def test_clean_text_drops_exactly_the_blank_pattern() -> None:
    from auditor.document import _BLANK_RE

    every = [chr(c) for c in range(0x110000) if 0xD800 > c or c > 0xDFFF]
    blanks = [c for c in every if _BLANK_RE.fullmatch(c)]
    assert "\u3000" in blanks and "\ufeff" in blanks and "\u00a0" in blanks and len(blanks) >= 29
    assert all(clean_text(f"年{c}度") == "年度" for c in blanks)
    kept = "".join(c for c in every if not _BLANK_RE.fullmatch(c))
    assert clean_text(kept) == kept  # nothing else is dropped
    rng = random.Random(5)
    pool = blanks + list("预算执行率[bookmark: x] ]万元12") + ["[bookmark: _Toc1 ]"]
    for _ in range(3000):
        raw = "".join(rng.choice(pool) for _ in range(rng.randint(0, 20)))
        assert clean_text(raw) == _clean_by_pattern(raw)


def test_str_split_drops_exactly_what_the_whitespace_class_matches() -> None:
    """``"".join(s.split())`` for ``re.sub(r"\\s", "", s)`` (basic_data's column labels): the same
    characters, every code point checked."""
    import re

    blank = re.compile(r"\s")
    every = [chr(c) for c in range(0x110000) if 0xD800 > c or c > 0xDFFF]
    assert all(bool(blank.fullmatch(c)) == c.isspace() for c in every)
    label = "2023年\u3000决算\t数（万元）\x1c\u00a0"
    assert "".join(label.split()) == blank.sub("", label) == "2023年决算数（万元）"
