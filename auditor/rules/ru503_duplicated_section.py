from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.document import clean_text
from auditor.findings import Evidence, Finding
from auditor.reuse.detect import duplicate_headings, duplicate_paragraphs, wrong_year_framings
from auditor.rules.registry import Rule, rule


@rule("RU503", "duplicated-section", "medium")
def duplicated_section(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """同一报告中同一标题出现两次，或同一段落重复出现。

    What: (a) two section headings with the same words (section numbers ignored: "七、存在的问题" and
    "8、存在的问题" are the same heading) under the same parent; (b) a narrative paragraph of at least
    40 characters that occurs twice in the report, identical or nearly so (rapidfuzz ratio ≥ 95), in
    two different sections. Table cells are never compared. Needs no reference.
    Why: a repeated heading or paragraph is the trace of a paste: a block from another report (often
    last year's) inserted under an existing heading, or the same text submitted twice.
    Example: "七、存在的问题及原因分析" appears twice; under the first one is a 2023 work summary.
    Tolerance: headings of fewer than 4 characters ("一、", "其他") and headings repeated under different
    parents (each project's own "（一）项目概况") are not compared; a paragraph printed twice within one
    section (a web page's header block shown twice, a doubled paste) carries no trace of another
    report and is not reported.
    Severity: medium for a repeated heading and for a repeated paragraph of 100 characters or more,
    low for a shorter repeated paragraph.
    """
    doc = analysis.doc
    framed = {f.passage.start: f for f in wrong_year_framings(doc) if not f.inside}
    for dup in duplicate_headings(doc):
        places = "、".join(f"第{i}处在“{_previous_heading(doc, s)}”之后" for i, s in enumerate(dup.sections, 1))
        notes = []
        for i, sec in enumerate(dup.sections, 1):
            stale = [f for start, f in framed.items() if sec.start <= start < sec.end]
            if stale:
                notes.append(f"第{i}处标题下的内容以“{doc.text[stale[0].frame_start:stale[0].frame_end]}”开头，"
                             f"按{stale[0].year}年叙述，疑为往年报告内容误贴")
        note = "；" + "；".join(notes) if notes else ""
        message = f"标题“{dup.title}”在报告中出现{len(dup.sections)}次：{places}{note}"
        message_en = f"heading \"{dup.title}\" appears {len(dup.sections)} times"
        yield this.finding(severity="medium", confidence=0.85, message=message, message_en=message_en,
                           evidence=[Evidence.of(doc, s.heading.start, s.heading.end) for s in dup.sections],
                           values={"heading": dup.title, "occurrences": len(dup.sections)})
    for dup in duplicate_paragraphs(doc):
        if _section_of(doc, dup.first.start) == _section_of(doc, dup.second.start):
            continue  # printed twice in one place (a page header, a doubled paste): no second context
        length = len(dup.first.key)
        same = "完全相同" if dup.score >= 100 else f"几乎相同（相似度{dup.score:.0f}%）"
        opening = clean_text(doc.text[dup.first.start:dup.first.end])[:30]
        message = f"同一段落（{length}字）在报告中出现两次，两处{same}：“{opening}……”"
        yield this.finding(severity="medium" if length >= 100 else "low", confidence=0.8, message=message,
                           message_en=f"the same paragraph ({length} chars) appears twice",
                           evidence=[Evidence.of(doc, dup.first.start, dup.first.end),
                                     Evidence.of(doc, dup.second.start, dup.second.end)],
                           values={"characters": length, "similarity": round(dup.score, 1)})


def _section_of(doc, offset: int) -> int | None:
    """The start of the innermost section holding the offset (None before the first heading)."""
    path = doc.heading_path(offset)
    return path[-1].start if path else None


def _previous_heading(doc, section) -> str:
    """The heading just before ``section`` (where a repeated heading sits, without offsets)."""
    before = [s for s in doc.sections if s.heading.start < section.heading.start]
    if not before:
        return "报告开头"
    head = before[-1].heading
    return clean_text(doc.text[head.start:head.end])
