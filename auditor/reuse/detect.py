"""Reuse checks that need no reference: wrong-year framing, repeated sections, stale figures.

All functions take a Document (and, for figures, its Analysis) and return plain records with
spans into ``doc.text``; the RU50x rules turn them into Findings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz

from auditor.document import Document, Section
from auditor.extract.numbers import NumberMention
from auditor.reuse.text import Passage, passages, strip_numbering, temporal_cues, years_in

# A paragraph that opens by framing itself in a year: "2023年，…", "2023年是…", "2023年度，…",
# "2023年内，…", "2023年全年…" (optionally after a list number). "2023年以来" (since) is not a frame.
_FRAME_RE = re.compile(
    r"(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*)?"
    r"(?P<year>[2２][0０]\d{2})\s*年(?P<du>度)?(?P<tail>[，,]|是|内|全年|里|上半年|下半年)"
)
# A sentence that opens with a year and compares with the year before ("2017年本单位…支出合计13.78万元，
# 比上年减少15万元"): it reports that year as the current one, whatever follows the year.
_YEAR_OPENING = re.compile(r"(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*)?(?P<year>[2２][0０]\d{2})\s*年(?P<du>度)?")
_AGAINST_LAST_YEAR = re.compile(r"(比|较|与)(上年|去年|上一年|上年度)")
_SENTENCE_END = "。；;！？!?\n"
MIN_DUPLICATE_CHARS = 40
NEAR_DUPLICATE_SCORE = 95.0
MIN_HEADING_CHARS = 4


@dataclass(slots=True)
class Framing:
    """A sentence (a paragraph's opening, or a sentence inside it) framed in ``year`` (< the report year)."""

    passage: Passage
    year: int
    report_year: int
    frame_start: int  # the opening clause, for evidence
    frame_end: int
    cues: list[str] = field(default_factory=list)
    inside: bool = False  # the framed sentence sits inside the paragraph, not at its opening


_SENTENCE_STARTS = re.compile(r"[。！？!?；;]\s*")


def wrong_year_framings(doc: Document) -> list[Framing]:
    """Narrative sentences that open framed in an earlier year than the report's fiscal year: a
    paragraph's opening, or a sentence anywhere inside a paragraph ("…持续推进。2023年，本局…").

    Later years (plans: "2025年我单位将…") and years mentioned inside a sentence ("听取和审议2023年…")
    are never framings; nor is a sentence inside a paragraph that also names the report year or a
    later one (a comparison: "2023年，全县共有…，2024年增至…")."""
    year = doc.meta.year
    if year is None:
        return []
    out = []
    for p in passages(doc):
        if p.is_heading and len(p.key) < 20:
            continue
        m = _FRAME_RE.match(doc.text, p.start, p.end) or _framed_by_comparison(doc.text, p.start, p.end, year)
        if m is not None and int(m.group("year")) < year:
            clause_end = _clause_end(doc.text, m.end(), p.end)
            out.append(Framing(p, int(m.group("year")), year, p.start, clause_end,
                               temporal_cues(doc.text[p.start:p.end])))
        if p.is_heading:
            continue
        for boundary in _SENTENCE_STARTS.finditer(doc.text, p.start, p.end):
            at = boundary.end()
            m = _FRAME_RE.match(doc.text, at, p.end) or _framed_by_comparison(doc.text, at, p.end, year)
            if m is None or int(m.group("year")) >= year:
                continue
            sentence_end = _sentence_end(doc.text, m.end(), p.end)
            sentence = doc.text[at:sentence_end]
            if any(y >= year for y in years_in(sentence[m.end() - at:])):
                continue
            clause_end = _clause_end(doc.text, m.end(), p.end)
            out.append(Framing(p, int(m.group("year")), year, at, clause_end, temporal_cues(sentence), inside=True))
    return out


def _framed_by_comparison(text: str, start: int, limit: int, report_year: int) -> re.Match | None:
    """A sentence opening with an earlier year, naming no later one, that compares with the year
    before that ("2017年…支出合计13.78万元，比上年减少15万元" in a 2018 report)."""
    m = _YEAR_OPENING.match(text, start, limit)
    if m is None or int(m.group("year")) >= report_year:
        return None
    sentence = text[m.end():_sentence_end(text, m.end(), limit)]
    if not _AGAINST_LAST_YEAR.search(sentence) or any(y >= report_year for y in years_in(sentence)):
        return None
    return m


def _sentence_end(text: str, start: int, limit: int) -> int:
    """End of the sentence that runs from ``start`` (its closing mark included), at most ``limit``."""
    for i in range(start, limit):
        if text[i] in "。！？!?":
            return i + 1
    return limit


def _clause_end(text: str, start: int, limit: int, max_chars: int = 40) -> int:
    """End of the opening clause: the first sentence end or second comma, at most ``max_chars`` on."""
    commas = 0
    end = min(limit, start + max_chars)
    for i in range(start, end):
        ch = text[i]
        if ch in _SENTENCE_END:
            return i
        if ch in "，,":
            commas += 1
            if commas == 1 and i - start >= 4:
                return i
    return end


def stale_scopes(doc: Document) -> list[tuple[int, int]]:
    """Spans that read as last year's account: each wrong-year-framed paragraph, or from a framed
    sentence inside a paragraph to the paragraph's end."""
    out = []
    for f in wrong_year_framings(doc):
        if not f.inside:
            out.append((f.passage.start, f.passage.end))
            continue
        end = f.passage.end  # up to the first later sentence that speaks of the report year (or later)
        for boundary in _SENTENCE_STARTS.finditer(doc.text, f.frame_end, f.passage.end):
            if any(y >= f.report_year for y in years_in(doc.text[boundary.end():_sentence_end(
                    doc.text, boundary.end(), f.passage.end)])):
                end = boundary.start() + 1
                break
        out.append((f.frame_start, end))
    return out


# ----------------------------------------------------------------------------- duplicates


@dataclass(slots=True)
class DuplicateHeading:
    title: str
    sections: list[Section]


@dataclass(slots=True)
class DuplicateParagraph:
    first: Passage
    second: Passage
    score: float  # 100 for identical text


def duplicate_headings(doc: Document) -> list[DuplicateHeading]:
    """Headings with the same words (numbering ignored) under the same parent section."""
    groups: dict[tuple[int | None, str], list[Section]] = defaultdict(list)
    for sec in doc.sections:
        title = strip_numbering(doc.text[sec.heading.start:sec.heading.end])
        if len(title) < MIN_HEADING_CHARS:
            continue
        groups[(sec.parent, title)].append(sec)
    return [DuplicateHeading(title, secs) for (_, title), secs in groups.items() if len(secs) > 1]


def duplicate_paragraphs(doc: Document) -> list[DuplicateParagraph]:
    """Narrative paragraphs (≥ 40 characters) that occur twice, identical or nearly so (≥ 95 %)."""
    long = [p for p in passages(doc) if not p.is_heading and len(p.key) >= MIN_DUPLICATE_CHARS]
    out: list[DuplicateParagraph] = []
    seen: set[int] = set()
    for i, a in enumerate(long):
        if a.index in seen:
            continue
        for b in long[i + 1:]:
            if b.index in seen:
                continue
            shorter, longer = sorted((len(a.key), len(b.key)))
            if shorter < 0.9 * longer:
                continue
            score = 100.0 if a.key == b.key else fuzz.ratio(a.key, b.key, score_cutoff=NEAR_DUPLICATE_SCORE)
            if score:
                out.append(DuplicateParagraph(a, b, float(score)))
                seen.add(b.index)
    return out


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
