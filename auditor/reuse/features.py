"""Features of an aligned paragraph pair for the stale-passage score.

The score separates legitimate reuse of the yearly template (the same headings, generic
"存在的问题" text, sentences that keep their wording but carry this year's figures) from copied
year-specific content (last year's figures, last year's framing).
"""

from __future__ import annotations

import math
import re
from collections import Counter

from auditor.document import Document
from auditor.extract.numbers import find_numbers
from auditor.reuse.align import AlignedPair
from auditor.reuse.text import TEMPORAL_CUES, years_in

FEATURE_NAMES: tuple[str, ...] = (
    "similarity",        # rapidfuzz ratio of the two spans, 0..1
    "log_length",        # log(1 + characters of the report's span)
    "has_numbers",       # the span states figures (years excluded)
    "numbers_unchanged",  # share of the span's figures that the reference states identically
    "old_year",          # the span names a year before the report year
    "current_year",      # the span names the report year
    "old_year_frame",    # the paragraph opens framed in an earlier year ("2023年，…")
    "temporal_cues",     # count of this-year cue words (今年, 一年来, 全年, 开局之年 …)
    "is_heading",        # the paragraph is a heading
    "template_section",  # the section is one of the yearly template's (问题, 措施, 公开, 其他 …)
    "log_shared_units",  # log(1 + other units whose reports hold the same digit-masked paragraph)
)
_TEMPLATE_SECTION_RE = re.compile(r"问题|措施|改进|建议|公开|应用|其他|说明|经验|做法|主要职责|职能|机构设置")
_FRAME_RE = re.compile(r"(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*)?([2２][0０]\d{2})\s*年度?(?:[，,]|是|内|全年|里)")


def number_texts(doc: Document, start: int, end: int) -> list[str]:
    """The figures stated in ``doc.text[start:end]`` (cached in ``doc.memo``: a paragraph is aligned
    with every candidate, and a reference paragraph with every report that copies it)."""
    memo = doc.memo.setdefault("reuse_numbers", {})
    hit = memo.get((start, end))
    if hit is None:
        hit = memo[(start, end)] = [m.text for m in find_numbers(doc.text, start, end)]
    return hit


def pair_features(doc: Document, source: Document, pair: AlignedPair, shared_units: int = 0) -> list[float]:
    """The FEATURE_NAMES vector of one aligned pair."""
    this_text = doc.text[pair.this_start:pair.this_end]
    src_text = source.text[pair.source_start:pair.source_end]
    this_numbers = number_texts(doc, pair.this_start, pair.this_end)
    src_numbers = Counter(number_texts(source, pair.source_start, pair.source_end))
    unchanged = 0
    for t in this_numbers:
        if src_numbers[t] > 0:
            src_numbers[t] -= 1
            unchanged += 1
    year = doc.meta.year
    years = years_in(this_text)
    paragraph_text = doc.text[pair.this.start:pair.this.end]
    frame = _FRAME_RE.match(paragraph_text)
    section = doc.section_title(pair.this.start) or ""
    return [
        pair.ratio,
        math.log1p(len(this_text)),
        1.0 if this_numbers else 0.0,
        unchanged / len(this_numbers) if this_numbers else 0.0,
        1.0 if year is not None and any(y < year for y in years) else 0.0,
        1.0 if year is not None and year in years else 0.0,
        1.0 if frame and year is not None and int(frame.group(1)) < year else 0.0,
        float(sum(1 for w in TEMPORAL_CUES if w in this_text)),
        1.0 if pair.this.is_heading else 0.0,
        1.0 if _TEMPLATE_SECTION_RE.search(section) and not src_text == "" else 0.0,
        math.log1p(shared_units),
    ]
