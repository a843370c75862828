"""``display.scrubbed_json``: the JSON text of ``scrub(value)``, the value walked only when its dump holds a
lone surrogate (a file name that is not UTF-8, text read with ``surrogateescape``)."""

from __future__ import annotations

import json
import random

import pytest

from auditor.display import scrub, scrubbed_json


def _reference(value, **dumps) -> str:
    return json.dumps(scrub(value), ensure_ascii=False, **dumps)


CASES = [
    {"path": "报告/2024年度自评.txt", "findings": [{"rule": "AR101", "message": "合计不符：\t\"引号\"\\"}]},
    {"path": "bad\udcff name.txt", "findings": [{"message": "正文\ud800单独代理项"}]},  # lone surrogates
    {"键\udc80": ("元组", 1, 2.5, None, True)},  # a surrogate in a key; a tuple
    {"controls": "\x00\x1f\x7f", "emoji": "😀", "nan": float("nan")},
    [],
    "only a string \udfff",
]


@pytest.mark.parametrize("value", CASES)
@pytest.mark.parametrize("indent", [None, 2])
def test_the_text_is_that_of_the_scrubbed_value(value, indent) -> None:
    assert scrubbed_json(value, indent=indent) == _reference(value, indent=indent)


def test_random_strings_with_and_without_surrogates() -> None:
    rng = random.Random(11)
    alphabet = "年度预算执行率%，。\t\n\"\\" + "".join(chr(c) for c in (0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0x7F, 0x1F))
    for _ in range(500):
        words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(4)]
        value = {words[0]: [words[1], {"m": words[2]}], "k": words[3]}
        assert scrubbed_json(value) == _reference(value)


def test_a_value_json_cannot_write_fails_the_same_way() -> None:
    with pytest.raises(TypeError):
        scrubbed_json({"x": object()})
