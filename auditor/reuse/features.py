"""What an aligned paragraph pair left un-updated, and the features of the stale-passage score.

Most departments write each year's report from last year's file: prose reuse is normal. What matters
is year-specific content that was *not* updated. :func:`pair_facts` finds it: figures stated exactly
as in the earlier report, years of the earlier period kept from it, an opening framed in an earlier
year. The score separates that from legitimate reuse (the same headings, generic "存在的问题" text,
sentences that keep their wording but carry this year's figures and year).
"""

from __future__ import annotations

import bisect
import math
import re
from array import array

from auditor.document import Document
from auditor.extract.numbers import number_pass
from auditor.reuse.align import AlignedPair
from auditor.reuse.material import PairFacts, reuse_material
from auditor.reuse.text import TEMPORAL_CUES, YEAR_RE, passages

FEATURE_NAMES: tuple[str, ...] = (
    "similarity",        # rapidfuzz ratio of the two spans, 0..1
    "has_numbers",       # the span states figures (years and targets excluded)
    "numbers_unchanged",  # share of the span's figures that the reference states identically
    "log_unchanged",     # log(1 + figures stated identically)
    "log_changed",       # log(1 + figures the reference states otherwise: updated)
    "old_year",          # the span names a year before the report year
    "current_year",      # the span names the report year
    "kept_old_year",     # a year before the report year, kept from the reference's paragraph
    "updated_year",      # a year the reference's paragraph does not name (the year was updated)
    "old_year_frame",    # the paragraph opens framed in an earlier year ("2023年，…")
    "temporal_cues",     # count of this-year cue words (今年, 一年来, 全年, 开局之年 …)
    "is_heading",        # the paragraph is a heading
    "template_section",  # the section is one of the yearly template's (问题, 措施, 公开, 其他 …)
    "log_shared_units",  # log(1 + other units whose reports hold the same digit-masked paragraph)
)
_TEMPLATE_SECTION_RE = re.compile(r"问题|措施|改进|建议|公开|应用|其他|说明|经验|做法|主要职责|职能|机构设置")
_FRAME_RE = re.compile(r"(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*)?([2２][0０]\d{2})\s*年度?(?:[，,]|是|内|全年|里)")
_TARGET_QUALIFIERS = ("at_least", "at_most", "range")


def figure_marks(doc: Document) -> array:
    """The document's figures as start, end, start, end … in text order (targets, ranges and set
    phrases such as "一项" left out), from the one number pass; kept in its ReuseMaterial."""
    material = reuse_material(doc)
    if material.figure_marks is None:
        marks = array("i")  # text offsets: 4 bytes each
        for m in number_pass(doc):
            if m.qualifier not in _TARGET_QUALIFIERS and not _idiom_one(m):
                marks.extend((m.start, m.end))
        material.figure_marks = marks
    return material.figure_marks


def figure_spans(doc: Document, start: int, end: int) -> list[tuple[int, int, str]]:
    """The figures stated in ``doc.text[start:end]`` as (start, end, text), targets and ranges left out
    (kept in its ReuseMaterial: a paragraph is aligned with every candidate, and a reference paragraph
    with every report that copies it)."""
    figures = reuse_material(doc).figures
    hit = figures.get((start, end))
    if hit is None:
        marks, text = figure_marks(doc), doc.text
        i = bisect.bisect_left(marks, start)
        i -= i % 2  # an end mark: step back to its figure's start
        hit = []
        while i < len(marks) and marks[i] < end:
            if marks[i] >= start and marks[i + 1] <= end:
                hit.append((marks[i], marks[i + 1], text[marks[i]:marks[i + 1]]))
            i += 2
        figures[(start, end)] = hit
    return hit


def figure_texts(doc: Document) -> list[str]:
    """The text of every figure of ``doc`` (:func:`figure_marks`), in text order."""
    marks, text = figure_marks(doc), doc.text
    return [text[marks[i]:marks[i + 1]] for i in range(0, len(marks), 2)]


def _idiom_one(m) -> bool:
    """"一项"/"一次" in set phrases ("完成一项、销号一项") state no count of the year."""
    return m.value <= 1 and not any(c.isdigit() for c in m.text)


def figures_within(doc: Document, passage, start: int, end: int) -> list[tuple[int, int, str]]:
    """The figures of ``passage`` (read whole, so that a span boundary never cuts a number into a
    phantom figure: "得分9|6.82") that lie entirely inside ``doc.text[start:end]``."""
    return [f for f in figure_spans(doc, passage.start, passage.end) if start <= f[0] and f[1] <= end]


def _years(text: str, offset: int) -> list[tuple[int, int, int]]:
    return [(int(m.group(1)), offset + m.start(1), offset + m.end(1) + 1) for m in YEAR_RE.finditer(text)]


def _paragraph_years(doc: Document, passage) -> list[tuple[int, int, int]]:
    """The years a passage names, with their spans (kept in its ReuseMaterial: a paragraph is aligned
    with every candidate, and a reference paragraph with every report that copies it)."""
    known = reuse_material(doc).years
    hit = known.get(passage.start)
    if hit is None:
        hit = known[passage.start] = _years(doc.text[passage.start:passage.end], passage.start)
    return hit


def _template_section(doc: Document, passage) -> bool:
    """Whether the passage's section is one of the yearly template's (kept in its ReuseMaterial)."""
    material = reuse_material(doc)
    if material.template_flags is not None:
        return material.template_flags[passage.index] == 1
    known = material.template_sections
    hit = known.get(passage.start)
    if hit is None:
        hit = known[passage.start] = _in_template_section(doc, passage.start)
    return hit


def _in_template_section(doc: Document, offset: int) -> bool:
    return _TEMPLATE_SECTION_RE.search(doc.section_title(offset) or "") is not None


def keep_template_flags(doc: Document) -> None:
    """Store in ``doc``'s material whether each passage's section is a template one (one byte a passage,
    in order), read from the section titles while the structure is at hand: a packed Document would be
    unpacked whole to read them again (in a batch's cross phase, that was most of its unpacking)."""
    verdicts: dict[int, bool] = {}  # by innermost section (its id): most passages share one
    flags = bytearray()
    for p in passages(doc):
        path = doc.heading_path(p.start)
        if not path:
            flags.append(0)
            continue
        verdict = verdicts.get(id(path[-1]))
        if verdict is None:
            verdict = verdicts[id(path[-1])] = _in_template_section(doc, p.start)
        flags.append(verdict)
    reuse_material(doc).template_flags = bytes(flags)


def _counts(items) -> dict:
    """How many times each item occurs (a plain dict: ``Counter``'s constructor costs more than the
    handful of figures of a paragraph)."""
    counts: dict = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


def pair_facts(doc: Document, source: Document, pair: AlignedPair) -> PairFacts:
    """What the report's span of ``pair`` states that the source's span states identically."""
    known = reuse_material(doc).facts
    key = (source.path, pair.this_start, pair.this_end, pair.source_start, pair.source_end)
    hit = known.get(key)
    if hit is not None:
        return hit
    facts = PairFacts()
    src_numbers = _counts(t for _, _, t in figures_within(source, pair.source, pair.source_start, pair.source_end))
    for s, e, t in figures_within(doc, pair.this, pair.this_start, pair.this_end):
        facts.figures += 1
        if src_numbers.get(t, 0) > 0:
            src_numbers[t] -= 1
            facts.unchanged.append((s, e))
        else:
            facts.changed += 1
    # years compared paragraph with paragraph: an updated year often sits just outside the aligned span
    year = doc.meta.year
    src_years = _counts(y for y, _, _ in _paragraph_years(source, pair.source))
    for y, s, e in _paragraph_years(doc, pair.this):
        if src_years.get(y, 0) > 0:
            src_years[y] -= 1
            if year is not None and y < year:
                facts.kept_years.append((s, e))
        else:
            facts.updated_years += 1
    frame = _FRAME_RE.match(doc.text, pair.this.start, pair.this.end)
    if frame and year is not None and int(frame.group(1)) < year and pair.this_start <= frame.start(1):
        facts.old_frame = (frame.start(1), frame.end())
    known[key] = facts
    return facts


def _span_features(doc: Document, pair: AlignedPair) -> tuple[float, float, float, float, float, bool]:
    """What :func:`pair_features` reads of the report's side alone: old_year, current_year,
    old_year_frame, temporal_cues, is_heading and whether the section is a template one (kept in its
    ReuseMaterial by span: a paragraph is aligned with several candidates, mostly over the same span)."""
    known = reuse_material(doc).span_features
    key = (pair.this_start, pair.this_end)
    hit = known.get(key)
    if hit is None:
        this_text = doc.text[pair.this_start:pair.this_end]
        year = doc.meta.year
        years = [y for y, _, _ in _years(this_text, 0)]
        frame = _FRAME_RE.match(doc.text[pair.this.start:pair.this.end])
        hit = known[key] = (
            1.0 if year is not None and any(y < year for y in years) else 0.0,
            1.0 if year is not None and year in years else 0.0,
            1.0 if frame and year is not None and int(frame.group(1)) < year else 0.0,
            float(sum(1 for w in TEMPORAL_CUES if w in this_text)),
            1.0 if pair.this.is_heading else 0.0,
            _template_section(doc, pair.this))
    return hit


def pair_features(doc: Document, source: Document, pair: AlignedPair, shared_units: int = 0) -> list[float]:
    """The FEATURE_NAMES vector of one aligned pair."""
    facts = pair_facts(doc, source, pair)
    old_year, current_year, old_year_frame, temporal_cues, is_heading, template_section = _span_features(doc, pair)
    return [
        pair.ratio,
        1.0 if facts.figures else 0.0,
        len(facts.unchanged) / facts.figures if facts.figures else 0.0,
        math.log1p(len(facts.unchanged)),
        math.log1p(facts.changed),
        old_year,
        current_year,
        1.0 if facts.kept_years else 0.0,
        1.0 if facts.updated_years else 0.0,
        old_year_frame,
        temporal_cues,
        is_heading,
        1.0 if template_section and source.text[pair.source_start:pair.source_end] != "" else 0.0,
        math.log1p(shared_units),
    ]
