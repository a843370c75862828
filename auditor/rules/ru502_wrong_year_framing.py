from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.findings import Evidence, Finding
from auditor.reuse.detect import wrong_year_framings
from auditor.rules.registry import Rule, rule


@rule("RU502", "wrong-year-framing", "medium")
def wrong_year_framing(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文段落或段中句子以往年开头叙述（如2024年度报告中的“2023年，是……”），疑为沿用往年报告内容。

    What: a narrative paragraph, or a sentence anywhere inside one (after 。！？；), that opens by framing
    itself in a year earlier than the report's fiscal year: "2023年，…", "2023年是…", "2023年度，…",
    "2023年内，…", "2023年全年…" (a list number in front is allowed). The report year comes from the
    metadata (title, else the dominant year). Needs no reference.
    Why: a self-evaluation reports on its own year; a paragraph that opens as an account of the previous
    year was almost always pasted from last year's report, and its figures are last year's.
    Example: in a 2024 report, section 七 opens "2023年，是……开局之年……召开主任会议23次".
    Tolerance: only the opening of a paragraph or of a sentence counts. A framed sentence inside a
    paragraph that also names the report year or a later one is a comparison, not a paste ("2023年，共有
    12家，2024年增至15家"). Earlier years mentioned inside a sentence
    ("审议2023年度环境状况报告", "对上年度为民办实事项目开展满意度测评"), "2023年以来" (since), later years
    ("2025年我单位将…", a plan) and headings or table captions are never flagged.
    Severity: medium; high when the paragraph also uses a this-year cue (一年来, 全年, 开局之年, 今年 …),
    which makes it an account of a whole year.
    """
    doc = analysis.doc
    for f in wrong_year_framings(doc):
        severity = "high" if f.cues else "medium"
        opening = doc.text[f.frame_start:f.frame_end]
        cue_note = f"，并使用“{'、'.join(f.cues)}”等表述把它当作本年度情况叙述" if f.cues else ""
        where = "该段中的一句" if f.inside else "该段"
        message = (f"本报告为{f.report_year}年度报告，但{where}以“{opening}”开头，按{f.year}年叙述{cue_note}，"
                   f"疑为沿用{f.year}年度报告的内容，其中的数字可能是往年数据")
        message_en = (f"a {f.report_year} report, but this paragraph opens framed in {f.year} "
                      f"(\"{opening}\"): probably pasted from the {f.year} report")
        yield this.finding(severity=severity, confidence=0.8 if f.cues else 0.7, message=message,
                           message_en=message_en,
                           evidence=[Evidence.of(doc, f.frame_start, f.frame_end)],
                           values={"report_year": f.report_year, "framed_year": f.year, "cues": f.cues,
                                   "inside_paragraph": f.inside})
