from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.findings import Evidence, Finding
from auditor.reuse.references import copied_passages
from auditor.reuse.text import passages
from auditor.rules.registry import Rule, rule

MIN_TEMPLATE_CHARS = 30
MIN_OTHER_UNITS = 2


@rule("RU505", "template-text", "info", uses_references=True)
def template_text(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """多个单位报告中相同的模板性文字（提示，不计为照抄）。

    What: needs references. Among the passages that the reference alignment judged to be reused
    template text (not stale, see RU501), those of 30 characters or more whose wording (figures
    masked) is also found in the reports of at least 2 other units are listed in one finding per
    report, each passage as evidence.
    Why: text that many units share ("存在的问题" boilerplate, standard phrases of the form) says
    nothing about this unit's year; the auditor should know it is template, and not read it as copying.
    Example: "（一）绩效管理专业力量薄弱……" in the reports of four different bureaus.
    Tolerance: passages shared only with the unit's own earlier reports are not listed.
    Severity: info; low when template passages make up more than half of the report's narrative.
    """
    doc = analysis.doc
    shared = []
    for passage in copied_passages(analysis):
        if passage.stale:
            continue
        pair_units = passage.features.get("pair_units", [0] * len(passage.pairs))
        for pair, units in zip(passage.pairs, pair_units):  # headings are template by nature: not listed
            if (units >= MIN_OTHER_UNITS and not pair.this.is_heading
                    and pair.this_end - pair.this_start >= MIN_TEMPLATE_CHARS):
                shared.append((pair, units))
    if not shared:
        return
    total = sum(p.this_end - p.this_start for p, _ in shared)
    narrative = sum(p.end - p.start for p in passages(doc)) or 1
    severity = "low" if total > narrative / 2 else "info"
    most = max(u for _, u in shared)
    message = (f"报告中有{len(shared)}段文字（共{total}字）与其他单位报告相同（最多与{most}个其他单位相同），"
               f"属模板性文字，未计为照抄")
    yield this.finding(severity=severity, confidence=0.7, message=message,
                       message_en=f"{len(shared)} passages ({total} chars) are template text shared with other units",
                       evidence=[Evidence.of(doc, p.this_start, p.this_end) for p, _ in shared],
                       values={"passages": len(shared), "characters": total, "max_other_units": most})
