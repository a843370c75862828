"""Prior-year figures against last year's report.

A report often restates figures of the previous year: "2023年全年执行数1180.50万元", "上年决算数…",
"全年执行数1299.29万元，较上年增加118.79万元" (so last year's was 1180.50), or a basic-data table column
"2023年决算数" (the extractor's basic-data records: row label, year, kind). When the same unit's report of
that previous year is among the references, what it stated for the same subject must match. Subjects
are compared exactly (the extractor's normalised subject, year words dropped), units must agree, and
the comparison is rounding-aware. A sentence that says the figure was revised (调整, 更正, 调增, 调减,
重述) is a genuine revision, not a mismatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from auditor.document import Document
from auditor.extract.numbers import NumberMention, numbers_within
from auditor.reuse.text import passages

_PRIOR_MARK = re.compile(r"上一?年度?|去年")
_CHANGE_RE = re.compile(r"(?:较|比|同比)(?:上一?年度?|去年)(?:同期)?(?:相比)?(增加|增长|多|减少|下降|少)了?$")
_REVISION_RE = re.compile(r"调整|更正|调增|调减|重述|追溯")
_CLAUSE_BREAKS = "，,。；;：:\n！？!?"
_SENTENCE_BREAKS = "。；;！？!?\n"
_YEAR_WORDS = re.compile(r"^(?:上一?年度?|去年|[2２][0０]\d{2}\s*年度?)")
_SKIP_QUALIFIERS = ("at_least", "at_most", "range")


@dataclass(slots=True)
class PriorClaim:
    """A figure the report states for the previous year (directly, or as current minus a change)."""

    subject: str
    unit: str
    value: Decimal
    tolerance: Decimal
    start: int  # evidence span: the stated figure, or the current figure and its change
    end: int
    derived: bool  # computed from a change ("较上年增加X")


@dataclass(slots=True)
class PriorMismatch:
    claim: PriorClaim
    earlier: NumberMention


def _clause_start(text: str, pos: int, floor: int) -> int:
    i = pos
    while i > floor and text[i - 1] not in _CLAUSE_BREAKS:
        i -= 1
    return i


def _sentence(text: str, pos: int, lo: int, hi: int) -> str:
    a = pos
    while a > lo and text[a - 1] not in _SENTENCE_BREAKS:
        a -= 1
    b = pos
    while b < hi and text[b] not in _SENTENCE_BREAKS:
        b += 1
    return text[a:b]


def _subject(text: str, m: NumberMention, clause: int) -> str:
    from auditor.extract.subjects import subject_for

    return _YEAR_WORDS.sub("", subject_for(text, m, clause_start=clause))


def _names_previous_year(text: str, start: int, end: int, previous: re.Pattern) -> bool:
    """Whether ``text[start:end]`` names the previous year (上年, 去年, or its number): every clause that
    states a prior claim does, a change against it included (``_CHANGE_RE`` holds ``_PRIOR_MARK``), so a
    paragraph without it is not read further."""
    return bool(_PRIOR_MARK.search(text, start, end) or previous.search(text, start, end))


def prior_claims(doc: Document) -> list[PriorClaim]:
    """The previous year's figures that ``doc`` states in its narrative (revisions left out)."""
    year = doc.meta.year
    if year is None:
        return []
    previous = re.compile(rf"(?:{year - 1}|{str(year - 1).translate(str.maketrans('0123456789', '０１２３４５６７８９'))})\s*年")
    out: list[PriorClaim] = []
    for p in passages(doc):
        if p.is_heading:
            continue
        if not _names_previous_year(doc.text, p.start, p.end, previous):
            continue
        mentions = [m for m in numbers_within(doc, p.start, p.end)
                    if m.unit and m.unit != "%" and m.qualifier not in _SKIP_QUALIFIERS]
        for i, m in enumerate(mentions):
            clause = _clause_start(doc.text, m.start, p.start)
            left = doc.text[clause:m.start]
            if _REVISION_RE.search(_sentence(doc.text, m.start, p.start, p.end)):
                continue
            change = _CHANGE_RE.search(left)
            if change and i > 0:
                current = mentions[i - 1]
                if current.unit != m.unit or _PRIOR_MARK.search(doc.text[_clause_start(doc.text, current.start, p.start):current.start]):
                    continue
                subject = _subject(doc.text, current, _clause_start(doc.text, current.start, p.start))
                sign = -1 if change.group(1) in ("增加", "增长", "多") else 1
                if subject:
                    out.append(PriorClaim(subject, m.unit, current.value + sign * m.value,
                                          current.tolerance + m.tolerance, current.start, m.end, True))
                continue
            if (_PRIOR_MARK.search(left) or previous.search(left)) and not re.search(rf"{year}\s*年", left):
                subject = _subject(doc.text, m, clause)
                if subject and not _CHANGE_RE.search(left):
                    out.append(PriorClaim(subject, m.unit, m.value, m.tolerance, m.start, m.end, False))
    return out


def own_year_figures(doc: Document) -> dict[tuple[str, str], NumberMention]:
    """(subject, unit) → the first narrative figure the report states for its own year (clauses that
    speak of another year or of a change left out)."""
    year = doc.meta.year
    out: dict[tuple[str, str], NumberMention] = {}
    for p in passages(doc):
        if p.is_heading:
            continue
        for m in numbers_within(doc, p.start, p.end):
            if not m.unit or m.unit == "%" or m.qualifier in _SKIP_QUALIFIERS:
                continue
            clause = _clause_start(doc.text, m.start, p.start)
            left = doc.text[clause:m.start]
            years = [int(y) for y in re.findall(r"([2２][0０]\d{2})\s*年", left)]
            if _PRIOR_MARK.search(left) or _CHANGE_RE.search(left) or any(y != year for y in years):
                continue
            subject = _subject(doc.text, m, clause)
            if subject:
                out.setdefault((subject, m.unit), m)
    return out


def prior_mismatches(doc: Document, earlier: Document) -> list[PriorMismatch]:
    """``doc``'s figures for the previous year that ``earlier`` (that year's report) states otherwise."""
    if doc.meta.year is None or earlier.meta.year != doc.meta.year - 1:
        return []
    claims = prior_claims(doc)
    if not claims:
        return []  # most reports state no previous-year figure: the earlier report's are not read
    stated = own_year_figures(earlier)
    out = []
    for claim in claims:
        m = stated.get((claim.subject, claim.unit))
        if m is None:
            continue
        if abs(m.value - claim.value) <= claim.tolerance + m.tolerance:
            continue
        out.append(PriorMismatch(claim, m))
    return out


@dataclass(slots=True)
class TableMismatch:
    """A basic-data cell for the previous year that last year's report states otherwise."""

    label: str
    kind: str
    year: int
    unit: str | None
    this: NumberMention
    earlier: NumberMention


def _table_records(doc: Document, year: int) -> dict[tuple[str, str, int, str | None], NumberMention]:
    """The basic-data final figures of ``doc`` for ``year``: as the worker that read it kept them (the
    analysis field ``final_records``), else read now."""
    from auditor.extract.basic_data import final_records, read_basic_data
    from auditor.reuse.material import kept_analysis_field

    records = kept_analysis_field(doc, "final_records")
    if records is None:
        records = final_records(doc, read_basic_data(doc))
    return {key: value for key, value in records.items() if key[2] == year}


def table_prior_mismatches(doc: Document, earlier: Document) -> list[TableMismatch]:
    """Basic-data cells of ``doc`` for the previous year's 决算数 (执行数, 实际数 …) that ``earlier`` (that
    year's report) states otherwise in its own basic-data table, row by row (same label, kind and unit)."""
    if doc.meta.year is None or earlier.meta.year != doc.meta.year - 1:
        return []
    year = earlier.meta.year
    records = _table_records(doc, year)
    if not records:
        return []  # no basic-data figure for that year: the earlier report's table is not read
    theirs = _table_records(earlier, year)
    out = []
    for (label, kind, y, unit), mine in records.items():
        m = theirs.get((label, kind, y, unit))
        if m is None or abs(m.value - mine.value) <= m.tolerance + mine.tolerance:
            continue
        out.append(TableMismatch(label, kind, y, unit, mine, m))
    return out
