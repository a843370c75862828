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
    statements,
    subject_match,
)
from auditor.findings import Evidence, Finding
from auditor.rules.registry import Rule, rule

# Amounts and rates in the narrative belong to many scopes at once (基本支出 vs 项目支出 决算数, one
# project's 年初预算数 after another's): between two narrative passages only counts are compared.
_NARRATIVE_FAMILIES_SKIPPED = {"money", "%"}


@rule("XC202", "indicator-value-conflict", "medium")
def indicator_value_conflict(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """同一指标在正文中两处（或在两张表中）填报的数值不一致。

    What: statements of what was done are compared pairwise: two narrative passages (paragraphs, or a
    sentence in a form's 实际完成情况 cell), or two tables of the same scope (the same project's form, or
    two department-level tables). Narrative against table is XC201's business. Matching and "like with
    like" are those of XC201: actual with actual, same unit family, same year, same scope words
    (全市/本级/县级/镇级), same form; figures in one sentence are an enumeration of different things
    and are never paired. Two narrative figures must also share their context: the topic of their
    sections and of a label opening their paragraph ("一、城市低保" and "二、农村低保", or "城市低保：…"
    and "农村低保：…", count different people), and the places (舒城县 against a
    city total) and periods (一季度, 夏季 against the year) their sentences name. Between narrative passages only counts are compared (amounts and rates
    there belong to many scopes: 基本支出 and 项目支出 决算数, one project after another), and never
    standards per head or per month (元/人·月), which differ by category.
    A block of text whose heading appears again later (a section pasted from an earlier report) is
    left out: its figures are last year's, and RU504 (stale-figure-conflict) reports them as such.
    Why: a report that says 主任会议17次 in one place and 23次 in another cannot be right twice.
    Example: 正文“六、部门整体支出绩效情况”称主任会议17次，“七、存在的问题及原因分析”称主任会议23次.
    Tolerance: as XC201 (coarser precision; 多/余/约 approximations cover their range).
    Severity: medium; high when the two values differ by half the larger one or more. Confidence 0.7 for
    the same core subject, 0.5 for a fuzzy match.
    """
    doc = analysis.doc
    found = [s for s in statements(analysis) if s.kind == "actual" and s.subject]
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


