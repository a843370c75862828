from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.document import clean_text
from auditor.findings import Evidence, Finding
from auditor.rules.registry import Rule, rule


@rule("RU503", "duplicated-section", "medium",
      requires=("year_framings", "duplicate_headings", "duplicate_paragraphs"))
def duplicated_section(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """同一报告中同一标题出现两次，或同一段落重复出现。

    检查内容：（a）同一上级标题下，文字相同的两个章节标题（忽略序号：“七、存在的问题”与“8、存在的问题”视为
    同一标题）；（b）至少40字的正文段落在报告中出现两次，完全相同或几乎相同（rapidfuzz 相似度 ≥ 95），且分属
    两个不同章节。表格单元格不比较。不需要参考报告。
    为何重要：重复的标题或段落是粘贴的痕迹：从另一份报告（常是去年的）拷来一段插在已有标题下，或同一段文字交了两遍。
    示例：“七、存在的问题及原因分析”出现两次，第一次之下是一段2023年的工作总结。
    容差：少于4个字的标题（“一、”“其他”）和不同上级下重复的标题（每个项目自己的“（一）项目概况”）不比较；同一
    章节内印了两遍的段落（网页页头显示两次、粘贴了两遍）看不出来自另一份报告，不报告；只差范围词的两段（“全县…”
    与“县本级…”、“城市…”与“农村…”）是对两个范围的平行表述，不算重复。
    级别：重复的标题和100字及以上的重复段落为“中”，较短的重复段落为“低”。
    """
    doc = analysis.doc
    framed = {f.passage.start: f for f in analysis.year_framings if not f.inside}
    for dup in analysis.duplicate_headings:
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
    for dup in analysis.duplicate_paragraphs:
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
