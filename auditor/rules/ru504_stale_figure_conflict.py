from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.arith import fmt
from auditor.findings import Evidence, Finding
from auditor.reuse.detect import figure_conflicts, stale_scopes
from auditor.rules.registry import Rule, rule


@rule("RU504", "stale-figure-conflict", "medium", uses_references=True)
def stale_figure_conflict(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """往年内容中的数字与本年度同一指标的数字不一致。

    What: inside a stale passage (a paragraph framed in an earlier year, see RU502; with references,
    also a passage copied from an earlier report, see RU501) every figure is tied to what it counts
    (its subject, e.g. 主任会议) and compared with the first figure for the same subject and unit
    outside the stale passages: the narrative, or an indicator row's 实际完成值 whose name matches.
    Why: a stale passage states last year's results as this year's; where the report also gives this
    year's figure for the same indicator, the two disagree and one of them misleads the reader.
    Example: the current account says "主任会议17次" while the pasted 2023 passage says "主任会议23次".
    Tolerance: rounding-aware (a difference within half the last stated digit is ignored); targets
    (≥, 不少于, 以下) and ranges are not compared; figures without a unit are ignored.
    Severity: medium.
    """
    doc = analysis.doc
    scopes = stale_scopes(doc) + _copied_scopes(analysis)
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
