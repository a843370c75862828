"""Wrong-year framings: narrative sentences of one report that open in an earlier year than the
report's fiscal year ("2023年，…" in a 2024 report), and the stale scopes they mark.

Single-report extraction (no reference needed): plain records with spans into ``doc.text``, read by
RU502-RU504 through ``Analysis.year_framings`` and ``Analysis.stale_scopes``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor.document import Document
from auditor.reuse.text import Passage, passages, temporal_cues, years_in

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


def wrong_year_framings(doc: Document, paragraphs: Sequence[Passage] | None = None) -> list[Framing]:
    """Narrative sentences that open framed in an earlier year than the report's fiscal year: a
    paragraph's opening, or a sentence anywhere inside a paragraph ("…持续推进。2023年，本局…").

    Later years (plans: "2025年我单位将…") and years mentioned inside a sentence ("听取和审议2023年…")
    are never framings; nor is a sentence inside a paragraph that also names the report year or a
    later one (a comparison: "2023年，全县共有…，2024年增至…").

    ``paragraphs``: the document's passages (``auditor.reuse.text.passages``), computed when not given."""
    year = doc.meta.year
    if year is None:
        return []
    out = []
    for p in passages(doc) if paragraphs is None else paragraphs:
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


def stale_scopes(doc: Document, framings: Sequence[Framing] | None = None) -> list[tuple[int, int]]:
    """Spans that read as last year's account: each wrong-year-framed paragraph, or from a framed
    sentence inside a paragraph to the paragraph's end. ``framings``: the document's
    :func:`wrong_year_framings`, computed when not given."""
    out = []
    for f in wrong_year_framings(doc) if framings is None else framings:
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
