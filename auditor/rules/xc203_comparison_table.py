from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import Interval, fmt, written
from auditor.extract.comparisons import FigureRow, StatedComparison, amount_in, amount_interval
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("XC203", "comparison-contradicts-table", "medium", requires=("table_comparisons",))
def comparison_contradicts_table(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文所述某项与预算（或上年）相比的增减额，与本报告表格中该项的预算数、决算数之差不符。

    检查内容：写明某项数字及其与预算或上年相比增减额的句子（“X支出A万元，与预算相比减少B万元”“……与预算相比
    无变化”），与“预算数—决算数”类表格中同名的行比较：该行标签须紧接在句中数字之前，且该行决算数等于A。表中给出
    的增减（决算数 − 基准数）与所述增减比较；“无变化”“持平”视为增减为零。
    为何重要：表中明明远低于预算，正文却说“无变化”或“减少0.1万元”，是沿用旧句或没有更新，读者得到的是错的说法。
    示例：表中公务用车运行维护费预算数15、决算数2.48；正文“支出2.48万元，与预算相比无变化”。
    容差：按小数位舍入区间比较；表中不带单位的数字，只在其决算数与句中数字相等时按句中单位理解。
    级别：差额达到表中增减额的 5% 及以上为“高”，0.5% 起为“中”，以下为“低”。
    """
    doc = analysis.doc
    for stated, row in analysis.table_comparisons:
        finding = _judge(doc, this, stated, row)
        if finding is not None:
            yield finding


def _judge(doc, this: Rule, stated: StatedComparison, row: FigureRow) -> Finding | None:
    unit = stated.current.unit
    basis = row.basis[stated.basis]
    table_change = amount_interval(row.current, unit) - amount_interval(basis, unit)
    if stated.change is None:
        said = Interval.exact(Decimal(0))
        said_text = "无变化"
    else:
        said = amount_interval(stated.change, unit).scale(Decimal(stated.direction))
        said_text = ("增加" if stated.direction > 0 else "减少") + written(stated.change)
    if said.overlaps(table_change):
        return None
    expected = amount_in(row.current, unit) - amount_in(basis, unit)
    gap = said.gap(table_change)
    measure = gap / abs(expected) if expected else Decimal(1)
    direction = "增加" if expected > 0 else "减少"
    basis_word = "预算数" if stated.basis == "预算" else "上年数"
    message = (f"正文称“{row.label}”{written(stated.current)}，与{stated.basis}相比{said_text}；但表中该项"
               f"{basis_word}{written(basis, unit)}、决算数{written(row.current, unit)}，实际{direction}"
               f"{fmt(abs(expected))}{unit}")
    evidence = [Evidence.of(doc, stated.phrase_start, stated.phrase_end),
                Evidence.of(doc, row.label_cell.start, row.label_cell.end),
                Evidence.of(doc, basis.start, basis.end), Evidence.of(doc, row.current.start, row.current.end)]
    return this.finding(
        severity=band("XC203", measure), confidence=0.8, message=message,
        message_en=f"the text says {row.label} changed by {fmt(said.mid)} against the {stated.basis}, "
                   f"the table gives {fmt(expected)}",
        evidence=evidence,
        values={"item": row.label, "basis": stated.basis, "stated_change": said.mid, "table_change": expected,
                "table_basis": basis.value, "table_actual": row.current.value})
