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
    narrative = [p for p in passages(doc) if not p.is_heading]
    inside: list[tuple[str, NumberMention]] = []
    current: dict[tuple[str, str], NumberMention] = {}
    for p in narrative:
        for m in analysis.numbers_in(p.start, p.end):
            in_scope = any(s <= m.start < e for s, e in scopes)
            if m.qualifier in ("at_least", "at_most", "range") or not m.unit:
                continue
            subject = subject_for(doc.text, m)
            if not subject or len(subject) < 2:
                continue
            if in_scope:
                inside.append((subject, m))
            else:
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
