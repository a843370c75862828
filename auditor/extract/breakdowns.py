"""Totals broken down by place in the narrative: a city's figures, then each county's.

"全市实施项目28个，总投资9650万元，吸纳务工1870人。甲县实施10个，总投资3420万元，吸纳务工705人。乙县…"
gives, for each measure (总投资, 吸纳务工 …), the aggregate figure and one figure per place. A measure
is keyed by its subject (or its label when the subject is empty) and unit family; the places come
from the sentence each figure stands in (auditor.extract.indicators). The extractor only groups;
AR112 adds the places up, using the measures that do add up as evidence that the places are all
the parts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from auditor.extract.indicators import Statement

_NOT_ADDITIVE = {"%"}


@dataclass(slots=True)
class PlaceBreakdown:
    measure: str
    total: Statement
    parts: list[Statement]  # one per place, in text order

    @property
    def places(self) -> frozenset[str]:
        return frozenset(next(iter(p.context[1])) for p in self.parts)


def _key(st: Statement) -> tuple[str, str, str]:
    return (st.subject or st.label, st.family, st.unit if st.family != "money" else "")


def _place(st: Statement) -> str | None:
    places = st.context[1] if st.context else frozenset()
    return next(iter(places)) if len(places) == 1 else None


def place_breakdowns(statements: list[Statement]) -> list[PlaceBreakdown]:
    """Totals over places followed by their per-place parts, from the indicator statements."""
    found = [s for s in statements if s.where == "narrative" and s.kind == "actual"
             and s.family not in _NOT_ADDITIVE and "/" not in s.unit  # rates per head or per month
             and s.mention.qualifier == "none" and (s.subject or s.label)]
    part_places = {p for s in found if (p := _place(s))}
    by_key: dict[tuple[str, str, str], list[Statement]] = defaultdict(list)
    for s in found:
        by_key[_key(s)].append(s)
    out: list[PlaceBreakdown] = []
    for key, run in by_key.items():
        total: Statement | None = None
        parts: list[Statement] = []
        for s in run + [None]:
            place = _place(s) if s is not None else None
            if s is not None and place is not None and total is not None and place not in {_place(p) for p in parts}:
                parts.append(s)
                continue
            if total is not None and len(parts) >= 2:
                out.append(PlaceBreakdown(measure=key[0], total=total, parts=parts))
            is_aggregate = s is not None and not (s.context[1] & part_places)
            total, parts = (s, []) if is_aggregate else (None, [])
    return out
