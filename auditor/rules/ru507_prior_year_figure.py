from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.arith import fmt
from auditor.findings import Evidence, Finding
from auditor.reuse.prior import prior_mismatches, table_prior_mismatches
from auditor.reuse.references import same_unit
from auditor.rules.registry import Rule, rule


@rule("RU507", "prior-year-figure-mismatch", "medium", requires=("references",), uses_references=True)
def prior_year_figure_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """本报告引用的上年数字与上年度报告所载不一致。

    检查内容：需要参考报告中有同一单位上一年度的报告（批次、``--reference`` 指定的文件，或索引）。报告正文中上一
    年度的数字——直接写明的（“2023年全年执行数1180.50万元”“上年决算数…”）或由增减推出的（“全年执行数
    1299.29万元，较上年增加118.79万元”即称上年为1180.50）——与上年报告中同一对象（抽取器给出的对象，去掉年份
    词）、同一单位的数字比较；基础数据表的“2023年决算数”栏与上年报告自己的“2023年决算数”栏比较。
    为何重要：上年的数字已经报过；再报时说法不同，要么是把上年报错了，要么隐瞒了一次调整，审核人需要把两份报告
    的证据并排来看。
    示例：2024年报告在1299.29万元之后称“较上年增加118.79万元”，而2023年报告所载全年执行数为1176.20万元。
    容差：考虑四舍五入（每个数字所写末位的一半）；说明了调整的句子（调整、更正、调增、调减、重述）不比较；百分数、
    指标值和区间不比较；对象的词语必须相同。基础数据表各栏写明年份时才比较（“2023年决算数”：两份报告中行名、
    类别和单位都相同）；不写年份的“上年决算数”栏暂不读取。
    级别：“中”。
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
