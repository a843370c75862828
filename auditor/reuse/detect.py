"""Reuse checks that need no reference: stale figures (a figure of a stale passage against the current one).

The single-report extraction they build on lives in ``auditor.extract``: wrong-year framings and stale
scopes in :mod:`auditor.extract.framings`, repeated headings and paragraphs in
:mod:`auditor.extract.duplicates` (re-exported here for existing callers). Functions return plain
records with spans into ``doc.text``; the RU50x rules turn them into Findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from auditor.extract.duplicates import (  # noqa: F401  (moved; re-exported)
    DuplicateHeading,
    DuplicateParagraph,
    duplicate_headings,
    duplicate_paragraphs,
)
from auditor.extract.framings import Framing, stale_scopes, wrong_year_framings  # noqa: F401  (moved; re-exported)
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
    table = _table_actuals(analysis)
    out = []
    for subject, m in inside:
        cur = current.get((subject, m.unit)) or _match_table(subject, m.unit, table)
        if cur is None:
            continue
        if abs(cur.value - m.value) <= max(cur.tolerance, m.tolerance, Decimal(0)):
            continue
        out.append(FigureConflict(subject, m, cur))
    return out


_INDICATOR_SUFFIX = re.compile(r"(?:次数|场次|人次数|人数|数量|个数|件数|项数|数)$")


def _table_actuals(analysis) -> list[tuple[str, NumberMention]]:
    """(indicator words, 实际完成值 figure) of the report's indicator rows: the current year's figures."""
    from auditor.extract.tables import cell_number

    doc = analysis.doc
    out = []
    for form in analysis.forms:
        for block in form.indicators:
            for row in block.rows:
                name_cell, actual_cell = row.cells.get("indicator"), row.cells.get("actual")
                m = cell_number(doc, actual_cell)
                if name_cell is None or m is None or not m.unit or m.qualifier != "none":
                    continue
                name = _INDICATOR_SUFFIX.sub("", doc.cell_text(name_cell))
                if len(name) >= 3:
                    out.append((name, m))
    return out


def _match_table(subject: str, unit: str, table: list[tuple[str, NumberMention]]) -> NumberMention | None:
    """The table figure whose indicator names the same thing (one contains the other) in the same unit."""
    for name, m in table:
        if m.unit == unit and (name in subject or (len(subject) >= 3 and subject in name)):
            return m
    return None
