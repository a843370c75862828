from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import Interval, fmt, written
from auditor.extract.category_tables import CategoryCell, NarrativeMention
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("XC204", "category-figure-mismatch", "medium", requires=("category_pairs",))
def category_figure_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文所列某类经费的金额，与本报告同一张分类表（如“三公”经费表）中该类的数字不一致。

    检查内容：按类别列出金额、只有一行数字的表（一行或两行表头，拆分的类别以“小计”代表该类别本身）给出每一类的
    数字；正文中紧跟同一类别名称写出的数字（“其中：公务用车运行费36万元”“接待费预算安排7万元”）与之比较。
    两个类别的数字在正文与表中互换的，合为一条。
    不比较：句中数字之前写有与表格不同年度，或写有上年/去年/同期（同一类别另一时期的数字）。
    为何重要：正文是对表格的说明；把某类写成另一类的金额或写成别的数，会让读者误解钱花在了哪里。
    示例：表中公务用车购置费30、公务用车运行费18；正文“公务用车运行费30万元……公务用车购置费18万元”。
    容差：按小数位舍入区间比较；表中不带单位的数字按句中单位理解。
    级别：差额达到表中数字的 5% 及以上为“高”，0.5% 起为“中”，以下为“低”。
    """
    doc = analysis.doc
    mismatches = [(mention, cell) for mention, cell in analysis.category_pairs if not _agree(mention, cell)]
    used: set[int] = set()
    for i, (mention, cell) in enumerate(mismatches):
        if i in used:
            continue
        partner = next((j for j, (m2, c2) in enumerate(mismatches) if j > i and j not in used
                        and c2.table is cell.table and _agree(m2, cell) and _agree(mention, c2)), None)
        if partner is not None:
            used.add(partner)
            yield _swapped(doc, this, mention, cell, *mismatches[partner])
        else:
            yield _differs(doc, this, mention, cell)


def _agree(mention: NarrativeMention, cell: CategoryCell) -> bool:
    said = Interval.around(mention.value.value, mention.value.tolerance)
    table = Interval.around(cell.value.value, cell.value.tolerance)
    return said.overlaps(table)


def _severity(gap: Decimal, base: Decimal) -> str:
    return band("XC204", gap / abs(base) if base else Decimal(1))


def _differs(doc, this: Rule, mention: NarrativeMention, cell: CategoryCell) -> Finding:
    gap = abs(mention.value.value - cell.value.value)
    unit = mention.value.unit
    message = (f"正文称“{mention.label}”{written(mention.value)}，但本报告的分类表中该项为"
               f"{written(cell.value, unit)}，相差{fmt(gap)}{unit}")
    return this.finding(
        severity=_severity(gap, cell.value.value), confidence=0.8, message=message,
        message_en=f"the text gives {mention.label} as {fmt(mention.value.value)}, the table as {fmt(cell.value.value)}",
        evidence=[Evidence.of(doc, mention.label_start, mention.value.end), Evidence.of(doc, cell.cell.start, cell.cell.end)],
        values={"category": mention.label, "stated": mention.value.value, "table": cell.value.value})


def _swapped(doc, this: Rule, m1: NarrativeMention, c1: CategoryCell, m2: NarrativeMention,
             c2: CategoryCell) -> Finding:
    unit = m1.value.unit
    gap = abs(m1.value.value - c1.value.value)
    message = (f"正文称“{m1.label}”{written(m1.value)}、“{m2.label}”{written(m2.value)}，但本报告的分类表中"
               f"“{c1.label}”为{written(c1.value, unit)}、“{c2.label}”为{written(c2.value, unit)}："
               f"两项数字在正文与表中互换")
    return this.finding(
        severity=_severity(gap, c1.value.value), confidence=0.85, message=message,
        message_en=f"{m1.label} and {m2.label} have their figures exchanged between the text and the table",
        evidence=[Evidence.of(doc, m1.label_start, m1.value.end), Evidence.of(doc, m2.label_start, m2.value.end),
                  Evidence.of(doc, c1.cell.start, c1.cell.end), Evidence.of(doc, c2.cell.start, c2.cell.end)],
        values={"categories": [m1.label, m2.label], "stated": [m1.value.value, m2.value.value],
                "table": [c1.value.value, c2.value.value], "swapped": True})
