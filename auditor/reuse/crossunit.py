"""Copying between units: a report whose body matches another unit's report beyond shared template text.

Template text (the same 存在的问题 boilerplate, the form's standard sentences) is shared by many units with
their own figures; a copied report shares the other unit's *figures* too. So a paragraph pair counts
as copied when, with both units' names and places masked, the two paragraphs are nearly the same
(rapidfuzz ratio ≥ ``MIN_MASKED_RATIO``) and most of its figures (``MIN_SHARED_SHARE``) are stated
identically (a few equal figures in template text are coincidence); a report is a copy of
another unit's when at least ``MIN_COPIED_PARAGRAPHS`` such paragraphs hold ``MIN_SHARED_FIGURES``
identical figures. The other unit's place or name left in a sentence about the report's own work
("我局…宁山县…") is further evidence. Reports with identical text are the batch's duplicate grouping,
not compared here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from auditor.document import Document
from auditor.reuse.align import AlignedPair, SourceIndex, align
from auditor.reuse.features import figure_spans, figure_texts, pair_facts
from auditor.reuse.text import passages

MIN_MASKED_RATIO = 0.85
MIN_SHARED_FIGURES = 3
MIN_SHARED_SHARE = 0.6  # of a copied paragraph's figures, stated as in the other unit's report
MIN_COPIED_PARAGRAPHS = 2
MAX_OTHER_UNITS = 3  # other units' reports compared per report (the index's best candidates)
# Whether only the paragraphs that state a figure the other report also states are aligned with it (the
# others cannot hold copied figures); off, every paragraph is (the tests compare both ways).
ONLY_SHARED_FIGURES = True
_PLACE_RE = re.compile(r"^(.{2,12}?(?:自治州|自治县|新区|省|市|州|盟|县|区|旗))")
_OWN_WORK_RE = re.compile(r"我单位|本单位|我局|本局|我委|本委|我院|本院|我办|本办|我馆|本馆|我站|本站|我中心|本中心"
                          r"|本机关|我机关|常委会机关|本部门|我部门")
_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
MASK = "□"


def unit_names(unit: str | None) -> list[str]:
    """The names by which a unit's report names itself or its place: the unit name, its short form,
    and its place ("宁山县教育局" → "宁山县教育局", "宁山县"), longest first."""
    from auditor.reuse.units import unit_key

    if not unit:
        return []
    names = {unit, unit_key(unit)}
    place = _PLACE_RE.match(unit_key(unit))
    if place and len(place.group(1)) >= 3:
        names.add(place.group(1))
    return sorted((n for n in names if len(n) >= 2), key=len, reverse=True)


def masked(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, MASK)
    return text


@dataclass(slots=True)
class UnitCopy:
    """``doc``'s paragraphs that match another unit's report (``source``) figures and all."""

    source: Document
    pairs: list[AlignedPair] = field(default_factory=list)
    figures: list[tuple[int, int]] = field(default_factory=list)  # identical figures, spans in doc
    names: list[tuple[int, int]] = field(default_factory=list)  # the other unit's name in own-work sentences
    characters: int = 0
    narrative: int = 1  # characters of doc's narrative paragraphs

    @property
    def share(self) -> float:
        return self.characters / max(1, self.narrative)


def copy_from(doc: Document, source: Document, index_of: Callable[[Document], SourceIndex] | None = None
              ) -> UnitCopy | None:
    """What ``doc`` copied from ``source`` (another unit's report), or None below the thresholds.
    ``index_of`` gives ``source``'s n-gram index (a ReferenceSet's cached one), asked for only when the
    paragraphs are aligned: most candidates share too few figures to be aligned at all."""
    if source.text == doc.text or not doc.meta.unit or not source.meta.unit:
        return None
    open_to_copy = None
    if ONLY_SHARED_FIGURES:
        # a paragraph holds figures copied from the other report only if it states one that report states
        theirs = set(figure_texts(source))
        open_to_copy = {p.index for p in passages(doc) if not p.is_heading
                        and any(t in theirs for _, _, t in figure_spans(doc, p.start, p.end))}
        if len(open_to_copy) < MIN_COPIED_PARAGRAPHS:
            return None
    names = unit_names(doc.meta.unit) + unit_names(source.meta.unit)
    names = sorted(set(names), key=len, reverse=True)
    found = UnitCopy(source, narrative=sum(p.end - p.start for p in passages(doc) if not p.is_heading) or 1)
    for pair in align(doc, index_of(source) if index_of is not None else source, only=open_to_copy):
        if pair.this.is_heading:
            continue
        a = masked(doc.text[pair.this.start:pair.this.end], names)
        b = masked(source.text[pair.source.start:pair.source.end], names)
        if fuzz.ratio(a, b) < 100 * MIN_MASKED_RATIO:
            continue
        facts = pair_facts(doc, source, pair)
        # the same wording with other figures is template text (RU505); a few equal figures in it
        # (an office count, a rate) are coincidence: most of the paragraph's figures must be the other's
        if not facts.unchanged or len(facts.unchanged) < MIN_SHARED_SHARE * facts.figures:
            continue
        found.pairs.append(pair)
        found.figures += facts.unchanged
        found.characters += pair.this.end - pair.this.start
    if len(found.pairs) < MIN_COPIED_PARAGRAPHS or len(found.figures) < MIN_SHARED_FIGURES:
        return None
    found.names = foreign_names(doc, source)
    return found


def foreign_names(doc: Document, other: Document) -> list[tuple[int, int]]:
    """Where ``other``'s unit or place name (not also part of ``doc``'s own) stands in a sentence of
    ``doc`` that speaks of the report's own work (我局/本单位/常委会机关 …)."""
    own = unit_names(doc.meta.unit)
    theirs = [n for n in unit_names(other.meta.unit) if not any(n in o for o in own)]
    out: list[tuple[int, int]] = []
    if not theirs:
        return out
    for p in passages(doc):
        for s in _SENTENCE_RE.finditer(doc.text, p.start, p.end):
            sentence = s.group(0)
            if not _OWN_WORK_RE.search(sentence):
                continue
            for name in theirs:
                at = sentence.find(name)
                if at >= 0:
                    out.append((s.start() + at, s.start() + at + len(name)))
                    break
    return out


def unit_copies(analysis) -> list[UnitCopy]:
    """The other units' reports that ``analysis.doc`` matches beyond template text, best first (cached)."""
    cached = getattr(analysis, "_unit_copies", None)
    if cached is not None:
        return cached
    refs = getattr(analysis, "references", None)
    out: list[UnitCopy] = []
    if refs is not None:
        for other in refs.other_unit_candidates(analysis.doc):
            found = copy_from(analysis.doc, other, refs.source)
            if found is not None:
                out.append(found)
    out.sort(key=lambda c: (-len(c.figures), -c.characters))
    analysis._unit_copies = out
    return out
