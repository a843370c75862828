from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import fmt, written
from auditor.extract.indicators import (
    MATCH_THRESHOLD,
    Statement,
    comparable,
    consistent,
    subject_match,
)
from auditor.findings import Evidence, Finding
from auditor.rules.registry import Rule, rule

# Amounts and rates in the narrative belong to many scopes at once (基本支出 vs 项目支出 决算数, one
# project's 年初预算数 after another's): between two narrative passages only counts are compared.
_NARRATIVE_FAMILIES_SKIPPED = {"money", "%"}


@rule("XC202", "indicator-value-conflict", "medium", requires=("indicator_statements",))
def indicator_value_conflict(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """同一指标在正文中两处（或在两张表中）填报的数值不一致。

    检查内容：说明完成情况的表述两两比较：两处正文（段落，或表中实际完成情况单元格里的句子），或同一范围的两张表
    （同一项目的表，或两张部门级的表）。正文对表格归 XC201。匹配和“只比较同类”的做法与 XC201 相同：实际值对实际值，
    同一单位类别，同一年度，同一范围词（全市/本级/县级/镇级），同一张表；同一句中的数字是对不同事物的列举，从不配对。
    两处正文的数字还必须语境相同：所在章节的主题和段首标签（“一、城市低保”与“二、农村低保”，或“城市低保：…”与
    “农村低保：…”，计的是不同的人），以及句中所说的地方（舒城县对全市总数）和时段（一季度、夏季对全年）。两处正文
    之间只比较计数（那里的金额和比率属于许多不同的范围：基本支出和项目支出决算数、一个又一个项目），也从不比较按人
    或按月的标准（元/人·月），因为它们因类别而异。
    标题在后文再次出现的文字块（粘贴自往年报告的章节）不参与比较：其中的数字是去年的，由 RU504（stale-figure-conflict）
    作为陈旧数字报告。
    为何重要：一份报告一处说主任会议17次、另一处说23次，不可能两处都对。
    示例：正文“六、部门整体支出绩效情况”称主任会议17次，“七、存在的问题及原因分析”称主任会议23次。
    容差：同 XC201（按较粗精度；多/余/约 等约数涵盖其范围）。
    级别：“中”；两个数值相差达到较大者的一半及以上为“高”。置信度：核心对象相同时为 0.7，模糊匹配为 0.5。
    """
    doc = analysis.doc
    found = [s for s in analysis.indicator_statements if s.kind == "actual" and s.subject]
    found = [s for s in found if s.stale is None]  # pasted from an earlier report: RU504's business
    clusters: dict[str, list[tuple[Statement, Statement, float]]] = {}
    # Only statements that agree on everything _pair_strength requires to be equal can pair; visiting
    # each statement's later partners within its group keeps the pairs in the order of the full scan.
    groups: dict[tuple, list[Statement]] = {}
    places: list[tuple[list[Statement], int]] = []
    for st in found:
        group = groups.setdefault(_pair_key(st), [])
        group.append(st)
        places.append((group, len(group)))
    for a, (group, after) in zip(found, places):
        for b in group[after:]:
            strength = _pair_strength(a, b)
            if strength is not None:
                clusters.setdefault(a.subject, []).append((a, b, strength))
    for subject, pairs in clusters.items():
        yield _conflict(doc, this, subject, pairs)


def _pair_key(st: Statement) -> tuple:
    """What two statements must share to pair at all: narrative or table side, scope, comparable()'s
    family, year and scope words, and the core subject (only the very same subject, strength 1.0,
    is compared outside pasted blocks, and pasted blocks are left out)."""
    return (_narrative_like(st), st.scope, st.family, st.year, st.markers, st.subject, st.context)


def _narrative_like(st: Statement) -> bool:
    return st.origin in ("paragraph", "cell_text")


def _pair_strength(a: Statement, b: Statement) -> float | None:
    if _narrative_like(a) != _narrative_like(b):
        return None  # narrative against table: XC201
    if _narrative_like(a) and (a.family in _NARRATIVE_FAMILIES_SKIPPED or "/" in a.unit):
        return None  # amounts, rates and standards per head or month (元/人·月) differ by category
    if not _narrative_like(a):
        if a.table == b.table or a.parts or b.parts or a.family == "%":
            return None
    if a.scope != b.scope or a.block == b.block or not comparable(a, b):
        return None  # one paragraph or cell contrasts its figures on purpose (核定25名 … 实有27名)
    if _narrative_like(a) and a.context != b.context:
        return None  # different section topics, places or periods: different things counted
    if _narrative_like(a) and not (a.closed and b.closed):
        return None  # "8个专门委员会": what is counted follows the figure
    if a.cell is not None and b.cell is not None and a.cell is b.cell:
        return None
    strength = subject_match(a.subject, b.subject)
    stale = bool(a.stale or b.stale)
    if strength < MATCH_THRESHOLD or (not stale and strength < 1.0):
        return None  # outside a pasted block only the very same indicator is compared
    if not stale and (a.approximate or b.approximate):
        return None  # "200多条" against "98条": an estimate is no firm second statement
    if consistent(a, b):
        return None
    return strength


def _said(doc, st: Statement) -> str:
    where = doc.location(st.start) or ("正文" if st.where == "narrative" else "表格")
    return f"{st.label}{written(st.mention, st.unit)}（{where}）"


def _conflict(doc, this, subject: str, pairs: list[tuple[Statement, Statement, float]]) -> Finding:
    members: list[Statement] = []
    for a, b, _ in pairs:
        for st in (a, b):
            if all(st is not m for m in members):
                members.append(st)
    members.sort(key=lambda s: s.start)
    strength = min(s for _, _, s in pairs)
    values = sorted({m.value for m in members})
    low, high = values[0], values[-1]
    severity = "high" if high and (high - low) / high >= Decimal("0.5") else "medium"
    place = "正文" if all(_narrative_like(m) for m in members) else "表格"
    listing = "；".join(_said(doc, m) for m in members[:6])
    message = f"同一指标“{members[0].label}”在{place}中数值不一致：{listing}"
    message_en = f"the indicator '{subject}' is stated with different values: " + ", ".join(fmt(v) for v in values)
    return this.finding(severity=severity, confidence=0.7 if strength >= 1.0 else 0.5, message=message,
                        message_en=message_en, evidence=[Evidence.of(doc, m.start, m.end) for m in members],
                        values={"subject": subject, "values": values, "unit": members[0].unit,
                                "stated": [m.value for m in members]})


