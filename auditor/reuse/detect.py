"""Reuse checks that need no reference: stale figures (a figure of a stale passage against the current one).

The single-report extraction they build on lives in ``auditor.extract``: wrong-year framings and stale
scopes in :mod:`auditor.extract.framings`, repeated headings and paragraphs in
:mod:`auditor.extract.duplicates` (re-exported here for existing callers). Functions return plain
records with spans into ``doc.text``; the RU50x rules turn them into Findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from auditor.extract.duplicates import (  # noqa: F401  (moved; re-exported)
    DuplicateHeading,
    DuplicateParagraph,
    duplicate_headings,
    duplicate_paragraphs,
)
from auditor.extract.framings import Framing, stale_scopes, wrong_year_framings  # noqa: F401  (moved; re-exported)
from auditor.extract.indicators import match_indicator
from auditor.extract.numbers import NumberMention
from auditor.reuse.text import passages

# ----------------------------------------------------------------------------- stale figures


@dataclass(slots=True)
class FigureConflict:
    """A figure in a stale passage and the current figure for the same indicator."""

    subject: str
    stale: NumberMention
    current: NumberMention


def figure_conflicts(analysis, scopes: list[tuple[int, int]]) -> list[FigureConflict]:
    """Figures inside ``scopes`` whose subject and unit match a figure outside every scope but whose
    value differs beyond rounding. The first current mention in text order is the one compared."""
    from auditor.extract.subjects import subject_for

    if not scopes:
        return []
    doc = analysis.doc
    in_scopes: list[NumberMention] = []
    outside: list[NumberMention] = []
    for p in passages(doc):
        if p.is_heading:
            continue
        for m in analysis.numbers_in(p.start, p.end):
            if m.qualifier in ("at_least", "at_most", "range") or not m.unit:
                continue
            (in_scopes if any(s <= m.start < e for s, e in scopes) else outside).append(m)
    inside: list[tuple[str, NumberMention]] = []
    for m in in_scopes:
        subject = subject_for(doc.text, m)
        if subject and len(subject) >= 2:
            inside.append((subject, m))
    # the current figures, first in text order for each (subject, unit); a subject is read only for a
    # figure in a unit that some stale figure has (the others are never looked up)
    units = {m.unit for _, m in inside}
    current: dict[tuple[str, str], NumberMention] = {}
    for m in outside:
        if m.unit not in units:
            continue
        subject = subject_for(doc.text, m)
        if subject and len(subject) >= 2:
            current.setdefault((subject, m.unit), m)
    table = None  # the indicator rows' actuals: read (table forms and all) only when the narrative has no match
    out = []
    for subject, m in inside:
        cur = current.get((subject, m.unit))
        if cur is None:
            if table is None:
                table = analysis.indicator_actuals
            cur = match_indicator(subject, m.unit, table)
        if cur is None:
            continue
        if abs(cur.value - m.value) <= max(cur.tolerance, m.tolerance, Decimal(0)):
            continue
        out.append(FigureConflict(subject, m, cur))
    return out
