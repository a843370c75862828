from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import Interval, fmt, interval_sum, tolerance_for, written
from auditor.extract.basic_data import BasicDataSection, read_basic_data
from auditor.extract.numbers import NumberMention
from auditor.extract.tables import BudgetBlock, ColumnTotal, cell_number, header_unit
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule

_COLUMN_NAMES = {"budget_initial": "年初预算数", "budget_full": "全年预算数", "executed": "全年执行数"}
_MONEY_UNITS = {"万元", "元", "亿元"}
# Budget tables keep amounts to 0.01万元 and drop trailing zeros: "288" beside "248.05" is 288.00.
_MIN_MONEY_DECIMALS = 2


@rule("AR104", "table-sum-mismatch", "medium")
def table_sum_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """表格中的合计数与其分项之和不符（资金来源、收入/支出性质、基础数据表的“其中”项、合计行）。

    What: totals in the tables are compared with the sum of their parts:
    (1) a budget block's 年度资金总额 against 当年财政拨款 + 上年结转 + 其他资金, column by column
    (年初预算数, 全年预算数, 全年执行数); (2) the 按收入性质分 items (一般公共预算 + 政府性基金 + 非税收入 +
    其他资金) and the 按支出性质分 items (基本支出 + 项目支出) against 年度资金总额 — income against 全年预算数,
    spending against 全年执行数; the form does not say which column a breakdown splits, so a sum
    that equals any of the line's amounts is accepted; (3) basic-data rows with parts, per year
    column: 三公经费 = 公务用车 + 出国 + 公务接待, 项目支出 = its numbered items, and a "其中" list (公用经费:
    办公经费, 水电差旅, 会议培训) that may name only some items must stay at or below its head;
    (4) a plain table's 合计/总计 row against the figures of its column.
    Why: a total that is not the sum of its parts means one of the figures in the table is wrong.
    Example: 年度资金总额 全年预算数 120.00, but 当年财政拨款 100.00 + 上年结转 30.00 + 其他资金 0 = 130.00.
    Tolerance: rounding-aware (XBRL Calculations 1.1). Each figure stands for the interval its
    decimals allow, where money in these tables counts to at least 0.01万元 (tables drop trailing
    zeros); a blank part is a stated nothing (0), but a column whose parts are all blank is not
    judged. A finding needs that no rounding of the parts reaches the total: 4282.96 + 0.0 + 0.0 +
    67.57 = 4350.53 against 4350.54 is rounding. Parts that fall short of the total are a finding
    only for a complete breakdown (funding sources, income or spending classes, numbered items, a
    known partition, a 合计 row); an incomplete "其中" list is only flagged when it exceeds its head.
    Severity: high when the gap is 5% of the total or more, medium from 0.5%, low below.
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
    for section in read_basic_data(doc):
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
