from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import Interval, fmt, interval_sum, tolerance_for, written
from auditor.extract.basic_data import BasicDataSection
from auditor.extract.numbers import NumberMention
from auditor.extract.tables import BudgetBlock, ColumnTotal, cell_number, header_unit
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule

_COLUMN_NAMES = {"budget_initial": "年初预算数", "budget_full": "全年预算数", "executed": "全年执行数"}
_MONEY_UNITS = {"万元", "元", "亿元"}
# Budget tables keep amounts to 0.01万元 and drop trailing zeros: "288" beside "248.05" is 288.00.
_MIN_MONEY_DECIMALS = 2


@rule("AR104", "table-sum-mismatch", "medium", requires=("forms", "basic_data"))
def table_sum_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """表格中的合计数与其分项之和不符（资金来源、收入/支出性质、基础数据表的“其中”项、合计行）。

    检查内容：表格中的合计数与其分项之和比较：
    （1）预算栏的年度资金总额与当年财政拨款 + 上年结转 + 其他资金，逐栏（年初预算数、全年预算数、全年执行数）
    比较；（2）按收入性质分（一般公共预算 + 政府性基金 + 非税收入 + 其他资金）与按支出性质分（基本支出 +
    项目支出）的各项与年度资金总额比较——收入对全年预算数，支出对全年执行数；表中未说明分项拆分的是哪一栏，
    所以分项之和等于该行任一金额即可；（3）基础数据表中带分项的行，逐个年度栏比较：三公经费 = 公务用车 + 出国
    + 公务接待，项目支出 = 其编号各项；可能只列出部分项目的“其中”（公用经费：办公经费、水电差旅、会议培训）
    不得超过其上级数；（4）普通表格的合计/总计行与该栏各数比较。
    为何重要：合计数不等于分项之和，说明表中某个数字有误。
    示例：年度资金总额全年预算数120.00，而当年财政拨款100.00 + 上年结转30.00 + 其他资金0 = 130.00。
    容差：考虑四舍五入（参照 XBRL Calculations 1.1）。每个数字代表其小数位允许的区间，这类表格中的金额至少
    精确到0.01万元（表格常省略末尾的0）；空白的分项视为填报了0，但一栏分项全为空白的不作判断。只有分项的任何
    舍入都凑不出合计数时才报告：4282.96 + 0.0 + 0.0 + 67.57 = 4350.53 对 4350.54 属于舍入。分项之和不足合计数，
    只对完整的分类（资金来源、收入或支出性质、编号各项、已知分类、合计行）报告；不完整的“其中”只在超过其上级数
    时才报告。
    级别：差额达到合计数的 5% 及以上为“高”，0.5% 起为“中”，以下为“低”。
    """
    doc = analysis.doc
    for form in analysis.forms:
        for block in form.budgets:
            yield from _sources(doc, this, block)
            yield from _breakdowns(doc, this, block)
        for total in form.column_totals:
            finding = _column_total(doc, this, total)
            if finding is not None:
                yield finding
    for section in analysis.basic_data:
        yield from _basic_data(doc, this, section)


def _interval(m: NumberMention, money: bool) -> Interval:
    decimals = max(m.decimals, _MIN_MONEY_DECIMALS) if money else max(m.decimals, 0)
    return Interval.around(m.value, tolerance_for(decimals))


def _judge(doc, this, *, what: str, total: NumberMention, parts: list[tuple[str, NumberMention | None]],
           exhaustive: bool, unit: str, alternatives: tuple[NumberMention, ...] = (),
           confidence: float = 0.9, extra: dict | None = None, parts_name: str = "分项") -> Finding | None:
    """A finding when no rounding of the stated parts reaches the total (nor an alternative total)."""
    stated = [(label, m) for label, m in parts if m is not None]
    if not stated:
        return None
    money = unit in _MONEY_UNITS
    parts_sum = interval_sum([_interval(m, money) for _, m in stated])
    target = _interval(total, money)
    if parts_sum.overlaps(target) or any(parts_sum.overlaps(_interval(a, money)) for a in alternatives):
        return None
    over = parts_sum.lo > target.hi
    if not over and not exhaustive:
        return None
    point = sum((m.value for _, m in stated), Decimal(0))
    diff = point - total.value
    relative = abs(diff) / abs(total.value) if total.value else Decimal(1)
    severity = band("AR104", relative)
    terms = "＋".join(f"{label}{written(m)}" for label, m in stated)
    relation = "超过" if over else "少于"
    blanks = [label for label, m in parts if m is None]
    message = f"{what}为{written(total, unit)}，但{parts_name}{terms}＝{fmt(point)}{unit}，{relation}合计数{fmt(abs(diff))}{unit}"
    if blanks:
        message += f"（{'、'.join(blanks)}未填，按0计）"
    if not over:
        message += "（分项构成完整的分类，应与合计数相等）"
    message_en = (f"{what}: stated total {fmt(total.value)}{unit}, but the parts add up to {fmt(point)}{unit} "
                  f"(difference {fmt(abs(diff))}{unit})")
    evidence = [Evidence.of(doc, total.start, total.end)] + [Evidence.of(doc, m.start, m.end) for _, m in stated]
    values = {"stated_total": total.value, "parts": [m.value for _, m in stated], "parts_sum": point,
              "difference": diff, "unit": unit}
    values.update(extra or {})
    return this.finding(severity=severity, confidence=confidence, message=message, message_en=message_en,
                        evidence=evidence, values=values)


def _block_unit(doc, block: BudgetBlock) -> str:
    for cell in block.header.cells:
        unit = header_unit(doc.text[cell.start:cell.end])
        if unit:
            return unit
    return "万元"  # budget forms state their amounts in 万元


def _sources(doc, this, block: BudgetBlock) -> Iterator[Finding]:
    line = block.total_line
    if line is None or not block.sources:
        return
    labels = "".join(s.label for s in block.sources)
    exhaustive = len(block.sources) >= 2 and ("财政" in labels) and ("结转" in labels or "其" in labels)
    unit = _block_unit(doc, block)
    for role, name in _COLUMN_NAMES.items():
        total = cell_number(doc, line.cells.get(role))
        if total is None:
            continue
        parts = [(s.label.replace("其中:", "").replace("其中：", ""), cell_number(doc, s.cells.get(role)))
                 for s in block.sources]
        finding = _judge(doc, this, what=f"自评表“{line.label.rstrip('：:')}”{name}", total=total, parts=parts,
                         exhaustive=exhaustive, unit=unit, extra={"column": name})
        if finding is not None:
            yield finding


def _breakdowns(doc, this, block: BudgetBlock) -> Iterator[Finding]:
    line = block.total_line
    if line is None:
        return
    unit = _block_unit(doc, block)
    amounts = {role: cell_number(doc, line.cells.get(role)) for role in _COLUMN_NAMES}
    for breakdown in block.breakdowns:
        primary = "budget_full" if breakdown.kind == "income" else "executed"
        total = amounts.get(primary)
        if total is None:
            continue
        alternatives = tuple(m for role, m in amounts.items() if role != primary and m is not None)
        kind = "按收入性质分" if breakdown.kind == "income" else "按支出性质分"
        parts = [(item.label, item.value) for item in breakdown.items]
        finding = _judge(doc, this, what=f"自评表“{line.label.rstrip('：:')}”{_COLUMN_NAMES[primary]}",
                         parts_name=f"{kind}各项", total=total, parts=parts, exhaustive=True, unit=unit, alternatives=alternatives,
                         confidence=0.8, extra={"column": _COLUMN_NAMES[primary], "breakdown": breakdown.kind})
        if finding is not None:
            yield finding


def _column_total(doc, this, total: ColumnTotal) -> Finding | None:
    m = cell_number(doc, total.total)
    if m is None:
        return None
    unit = header_unit(total.header) or m.unit or ""
    parts = [(label, cell_number(doc, cell)) for label, cell in total.parts]
    head = f"“{total.header}”列" if total.header else ""
    return _judge(doc, this, what=f"表格{head}“{doc.cell_text(total.label)}”行", total=m, parts=parts,
                  exhaustive=True, unit=unit, confidence=0.85)


def _basic_data(doc, this, section: BasicDataSection) -> Iterator[Finding]:
    unit = section.unit or ""
    for k, row in enumerate(section.rows):
        kids = [section.rows[c] for c in section.children(k)]
        if not kids:
            continue
        exhaustive = section.exhaustive(k)
        for column in section.columns:
            total = cell_number(doc, row.values.get(column.col))
            if total is None:
                continue
            parts = [(kid.label, cell_number(doc, kid.values.get(column.col))) for kid in kids]
            label = column.label
            finding = _judge(doc, this, what=f"基础数据表“{row.label}”{label}", total=total, parts=parts,
                             exhaustive=exhaustive, unit=unit, confidence=0.85 if exhaustive else 0.7,
                             extra={"column": label, "year": column.year, "kind": column.kind,
                                    "complete_breakdown": exhaustive})
            if finding is not None:
                yield finding
