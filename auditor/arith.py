"""Rounding-aware arithmetic: every stated figure is an interval of the values it could round from.

As in statcheck and XBRL Calculations 1.1, a computation is inconsistent only when no rounding of
its inputs explains the stated result: "4350.53" against "4350.54" is rounding; a stated 91.00%
against a computed 91.74% is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, getcontext
from functools import lru_cache
from pathlib import Path

getcontext().prec = 28

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Interval:
    lo: Decimal
    hi: Decimal

    @classmethod
    def around(cls, value: Decimal, tolerance: Decimal) -> Interval:
        return cls(value - tolerance, value + tolerance)

    @classmethod
    def exact(cls, value: Decimal) -> Interval:
        return cls(value, value)

    @property
    def mid(self) -> Decimal:
        return (self.lo + self.hi) / 2

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(self.lo - other.hi, self.hi - other.lo)

    def scale(self, factor: Decimal) -> Interval:
        a, b = self.lo * factor, self.hi * factor
        return Interval(min(a, b), max(a, b))

    def overlaps(self, other: Interval) -> bool:
        return self.lo <= other.hi and other.lo <= self.hi

    def gap(self, other: Interval) -> Decimal:
        """Distance between the intervals; 0 when they overlap."""
        if self.overlaps(other):
            return Decimal(0)
        return other.lo - self.hi if self.hi < other.lo else self.lo - other.hi


def interval_sum(parts: list[Interval]) -> Interval:
    total = Interval.exact(Decimal(0))
    for part in parts:
        total = total + part
    return total


def ratio_percent(numerator: Interval, denominator: Interval) -> Interval | None:
    """numerator / denominator × 100 over all roundings; None when the denominator may be zero."""
    if denominator.lo <= 0:
        return None
    lo = max(numerator.lo, Decimal(0)) / denominator.hi * HUNDRED
    hi = numerator.hi / denominator.lo * HUNDRED
    return Interval(lo, hi)


def tolerance_for(decimals: int) -> Decimal:
    """Half a unit of the last stated digit."""
    return Decimal(5) * Decimal(10) ** (-(decimals + 1))


def fmt(value: Decimal, places: int = 2) -> str:
    """A figure for a message: at most ``places`` decimals, trailing zeros dropped."""
    q = value.quantize(Decimal(10) ** -places)
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def written(mention, unit: str = "") -> str:
    """A stated figure as the report wrote it ("86.00%", "1061.69万元", "≥12次"), whitespace removed;
    ``unit`` is appended when the mention itself carries none (a table cell under a "(万元)" header)."""
    text = "".join(mention.text.split())
    return text if mention.unit else text + unit


@lru_cache(maxsize=1)
def count_units() -> frozenset[str]:
    """Units of things counted one by one (人, 个, 件 …): a plain integer of them is exact."""
    path = Path(__file__).resolve().parent / "data" / "count_units.txt"
    return frozenset(w for line in path.read_text(encoding="utf-8").splitlines()
                     if (w := line.strip()) and not w.startswith("#"))


def is_exact_count(mention) -> bool:
    """"11人", "3个": a count written as a plain integer, not scaled (1.2万人) nor hedged (约, 余)."""
    return (mention.unit in count_units() and mention.decimals <= 0 and mention.scale == 1
            and mention.qualifier == "none")


def stated(mention, finest_decimals: int | None = None) -> Interval:
    """The values a stated figure may stand for. A plain count is exact. ``finest_decimals``: the
    most decimals written by any figure of the same relation; a figure written with fewer (43 beside
    43.8) is read at that precision, since the writer showed decimals where there were any."""
    if is_exact_count(mention):
        return Interval.exact(mention.value)
    tolerance = mention.tolerance
    if finest_decimals is not None and mention.decimals >= 0 and finest_decimals > mention.decimals:
        tolerance = tolerance_for(finest_decimals)
    return Interval.around(mention.value, tolerance)


def finest_decimals(mentions: Sequence) -> int:
    return max((m.decimals for m in mentions), default=0)
