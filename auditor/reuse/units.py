"""Unit names compared across reports: folded ("XX县人民代表大会常务委员会办公室" → "XX县人大常委会")
and matched fuzzily (rapidfuzz ≥ ``UNIT_MATCH``)."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

UNIT_MATCH = 90.0
_UNIT_FOLDS = (("人民代表大会常务委员会", "人大常委会"), ("常务委员会", "常委会"), ("人民政府", "政府"))
_UNIT_TRAILERS = re.compile(r"(?:办公室|机关|本级)$")


@lru_cache(maxsize=8192)  # a batch names a few hundred units, asked for again and again by its search
def unit_key(unit: str | None) -> str:
    """A unit name folded for comparison: "XX县人民代表大会常务委员会办公室" → "XX县人大常委会"."""
    if not unit:
        return ""
    out = re.sub(r"\s", "", unit)
    for long, short in _UNIT_FOLDS:
        out = out.replace(long, short)
    return _UNIT_TRAILERS.sub("", out)


def same_unit(a: str | None, b: str | None) -> bool:
    ka, kb = unit_key(a), unit_key(b)
    return bool(ka and kb) and (ka == kb or fuzz.ratio(ka, kb) >= UNIT_MATCH)
