from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.findings import Evidence, Finding
from auditor.rules.registry import Rule, rule


@rule("RU502", "wrong-year-framing", "medium", requires=("year_framings",))
def wrong_year_framing(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文段落或段中句子以往年开头叙述（如2024年度报告中的“2023年，是……”），疑为沿用往年报告内容。

    检查内容：正文段落，或段中任何一句（在 。！？； 之后），以早于报告所属年度的年份开头叙述：“2023年，…”
    “2023年是…”“2023年度，…”“2023年内，…”“2023年全年…”（前面可以有序号）。报告年度取自元数据（标题，
    否则为文中出现最多的年份）。不需要参考报告。
    为何重要：自评报告讲的是本年度；以上一年度开头叙述的段落几乎总是从去年的报告粘贴来的，其中的数字也是去年的。
    示例：2024年报告中，第七部分开头是“2023年，是……开局之年……召开主任会议23次”。
    容差：只看段落或句子的开头。段中以往年开头的句子若同时写到报告年度或更晚的年份，是比较而不是粘贴（“2023年，
    共有12家，2024年增至15家”）。句中提到的往年（“审议2023年度环境状况报告”“对上年度为民办实事项目开展满意度
    测评”）、“2023年以来”、更晚的年份（“2025年我单位将…”，属于计划）以及标题、表名，一概不报告。
    级别：“中”；段落同时使用表示本年的词语（一年来、全年、开局之年、今年 …），即把它当作整年情况叙述的，为“高”。
    """
    doc = analysis.doc
    for f in analysis.year_framings:
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
