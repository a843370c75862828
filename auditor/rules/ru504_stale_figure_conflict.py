from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.arith import fmt
from auditor.findings import Evidence, Finding
from auditor.reuse.detect import figure_conflicts
from auditor.rules.registry import Rule, rule


@rule("RU504", "stale-figure-conflict", "medium",
      requires=("references", "numbers", "indicator_actuals", "stale_scopes"), uses_references=True)
def stale_figure_conflict(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """往年内容中的数字与本年度同一指标的数字不一致。

    检查内容：在陈旧段落（以往年开头的段落，见 RU502；有参考报告时，还包括照抄往年报告的段落，见 RU501）中，
    每个数字都与其所计对象（如主任会议）对应，并与陈旧段落之外同一对象、同一单位的第一个数字比较：正文，或名称
    相符的指标行的实际完成值。
    为何重要：陈旧段落把去年的成绩当作今年的来报；报告中另有同一指标的本年数字时，两者不一致，其中一个会误导读者。
    示例：本年叙述称“主任会议17次”，粘贴来的2023年段落称“主任会议23次”。
    容差：考虑四舍五入（相差在所写末位的一半以内忽略）；指标值（≥、不少于、以下）和区间不比较；没有单位的数字忽略。
    级别：“中”。
    """
    doc = analysis.doc
    scopes = analysis.stale_scopes + _copied_scopes(analysis)
    for c in figure_conflicts(analysis, scopes):
        where = "自评表" if doc.where(c.current.start) == "table" else "正文"
        message = (f"往年内容中称{c.subject}{c.stale.text}，而本年度{where}中{c.subject}为{c.current.text}，"
                   f"两者相差{fmt(abs(c.stale.value - c.current.value))}{c.stale.unit}；前者疑为往年数据")
        message_en = (f"stale passage states {c.subject} {c.stale.text}; this year's figure is {c.current.text}")
        yield this.finding(confidence=0.75, message=message, message_en=message_en,
                           evidence=[Evidence.of(doc, c.stale.start, c.stale.end),
                                     Evidence.of(doc, c.current.start, c.current.end)],
                           values={"subject": c.subject, "stale": c.stale.value, "current": c.current.value,
                                   "unit": c.stale.unit})


def _copied_scopes(analysis) -> list[tuple[int, int]]:
    """Passages that the references show to be copied year-specific text (empty without references)."""
    from auditor.reuse.references import copied_passages

    return [(p.this_start, p.this_end) for p in copied_passages(analysis) if p.stale]
