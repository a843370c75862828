from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.arith import fmt
from auditor.findings import Evidence, Finding
from auditor.reuse.prior import prior_mismatches, table_prior_mismatches
from auditor.reuse.references import same_unit
from auditor.rules.registry import Rule, rule


@rule("RU507", "prior-year-figure-mismatch", "medium", uses_references=True)
def prior_year_figure_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """本报告引用的上年数字与上年度报告所载不一致。

    What: needs the same unit's report of the previous year among the references (the batch,
    ``--reference`` files, or an index). The report's narrative figures for the previous year — stated
    ("2023年全年执行数1180.50万元", "上年决算数…") or implied by a change ("全年执行数1299.29万元，较上年增加
    118.79万元" states 1180.50 for last year) — are compared with the figure the previous year's report
    states for the same subject (the extractor's subject, year words dropped) in the same unit; the
    basic-data table's "2023年决算数" column with the previous report's own "2023年决算数" column.
    Why: last year's figures were already reported; restating them differently either misstates last
    year or hides a revision, and the auditor needs both reports' evidence side by side.
    Example: the 2024 report says "较上年增加118.79万元" after 1299.29万元, but the 2023 report states
    全年执行数1176.20万元.
    Tolerance: rounding-aware (half the last stated digit on each figure); a sentence that notes a
    revision (调整, 更正, 调增, 调减, 重述) is not compared; percentages, targets and ranges are not
    compared; subjects must be the same words. Basic-data table columns are compared when they name the
    year ("2023年决算数": same row label, kind and unit in both reports); a column headed "上年决算数"
    without a year is not read yet.
    Severity: medium.
    """
    doc = analysis.doc
    refs = getattr(analysis, "references", None)
    if refs is None or doc.meta.year is None:
        return
    for earlier in refs.candidates(doc):
        if earlier.meta.year != doc.meta.year - 1 or not same_unit(doc.meta.unit, earlier.meta.unit):
            continue
        for miss in prior_mismatches(doc, earlier):
            c, m = miss.claim, miss.earlier
            how = "由本年数和增减额推算的" if c.derived else ""
            message = (f"本报告{how}{earlier.meta.year}年{c.subject}为{fmt(c.value)}{c.unit}，"
                       f"而{earlier.meta.year}年度报告《{earlier.path.rsplit('/', 1)[-1]}》所载为{m.text}，"
                       f"相差{fmt(abs(c.value - m.value))}{c.unit}，且未说明调整")
            yield this.finding(
                confidence=0.75, message=message,
                message_en=f"last year's {c.subject} given as {fmt(c.value)}{c.unit}; {earlier.path} states {m.text}",
                evidence=[Evidence.of(doc, c.start, c.end),
                          Evidence.of(earlier, m.start, m.end, source=earlier.path)],
                values={"subject": c.subject, "unit": c.unit, "stated_prior": c.value, "earlier_report": m.value,
                        "derived": c.derived, "source": earlier.path, "source_year": earlier.meta.year})

        for miss in table_prior_mismatches(doc, earlier):
            unit = miss.unit or ""
            message = (f"本报告基础数据表“{miss.label}”的{miss.year}年{miss.kind}为{miss.this.text}{'' if miss.this.unit else unit}，"
                       f"而{earlier.meta.year}年度报告《{earlier.path.rsplit('/', 1)[-1]}》同一栏为{miss.earlier.text}"
                       f"{'' if miss.earlier.unit else unit}，相差{fmt(abs(miss.this.value - miss.earlier.value))}{unit}")
            yield this.finding(
                confidence=0.8, message=message,
                message_en=f"table row {miss.label}: {miss.year} {miss.kind} {miss.this.text}; {earlier.path} states {miss.earlier.text}",
                evidence=[Evidence.of(doc, miss.this.start, miss.this.end),
                          Evidence.of(earlier, miss.earlier.start, miss.earlier.end, source=earlier.path)],
                values={"subject": miss.label, "kind": miss.kind, "unit": unit, "stated_prior": miss.this.value,
                        "earlier_report": miss.earlier.value, "derived": False, "table": True,
                        "source": earlier.path, "source_year": earlier.meta.year})
