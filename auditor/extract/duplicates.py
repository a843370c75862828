"""Repeated headings and paragraphs inside one report (a pasted section, a doubled paste).

Single-report extraction (no reference needed), read by RU503 through ``Analysis.duplicate_headings``
and ``Analysis.duplicate_paragraphs``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from auditor.document import Document, Section
from auditor.reuse.text import Passage, passages, strip_numbering

MIN_DUPLICATE_CHARS = 40
NEAR_DUPLICATE_SCORE = 95.0
MIN_HEADING_CHARS = 4
# words that set a statement's scope: "全区…" and "区本级…" paragraphs alike in every other word are
# parallel statements about two scopes, not a doubled paste
_SCOPE_RE = re.compile(r"全省|全市|全州|全县|全区|全旗|全乡|全镇|[省市州县区旗]本级|机关本级|本级|城市|农村|城镇|城乡")


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


def duplicate_paragraphs(doc: Document, paragraphs: Sequence[Passage] | None = None) -> list[DuplicateParagraph]:
    """Narrative paragraphs (≥ 40 characters) that occur twice, identical or nearly so (≥ 95 %); nearly
    identical ones that name different scopes (全区 / 区本级, 城市 / 农村) are parallel statements, not copies.
    ``paragraphs``: the document's passages (``auditor.reuse.text.passages``), computed when not given."""
    if paragraphs is None:
        paragraphs = passages(doc)
    long = [p for p in paragraphs if not p.is_heading and len(p.key) >= MIN_DUPLICATE_CHARS]
    lengths = [len(p.key) for p in long]
    scopes: list[list[str] | None] = [None] * len(long)  # each paragraph's scope words, read once

    def scope_words(k: int) -> list[str]:
        words = scopes[k]
        if words is None:
            words = scopes[k] = _SCOPE_RE.findall(long[k].key)
        return words

    out: list[DuplicateParagraph] = []
    seen: set[int] = set()
    for i, a in enumerate(long):
        if a.index in seen:
            continue
        for j in range(i + 1, len(long)):
            b = long[j]
            if b.index in seen:
                continue
            shorter, longer = (lengths[i], lengths[j]) if lengths[i] <= lengths[j] else (lengths[j], lengths[i])
            if shorter < 0.9 * longer:
                continue
            if a.key != b.key and scope_words(i) != scope_words(j):
                continue  # the same sentence about another scope
            score = 100.0 if a.key == b.key else fuzz.ratio(a.key, b.key, score_cutoff=NEAR_DUPLICATE_SCORE)
            if score:
                out.append(DuplicateParagraph(a, b, float(score)))
                seen.add(b.index)
    return out
