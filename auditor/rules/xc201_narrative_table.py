from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import fmt, written
from auditor.extract.indicators import (
    MATCH_THRESHOLD,
    Statement,
    comparable,
    compound_words,
    consistent,
    statements,
    subject_match,
)
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("XC201", "narrative-table-mismatch", "medium")
def narrative_table_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文所述的完成数与自评表（或基础数据表）中同一指标的实际完成值不一致。

    What: every figure in a table that states what was done — an indicator row's 实际完成值, or a cell of
    a data table under a 决算数/执行数/实际 column of the report's year — is compared with the narrative's
    statements of the same indicator (narrative paragraphs, and sentences in 实际完成情况 cells). A
    sentence in a table cell that states what was done ("…215件建议均按期办复，满意率96.1%" in a 实际完成值
    cell) is compared with the narrative paragraphs too, but only for exactly the same subject and
    plain (unqualified) figures on both sides.
    Indicators are matched by their core subject ("开展专题调研次数" ~ "专题调研"; synonyms from
    auditor/data/indicator_synonyms.tsv; rapidfuzz for near spellings, with lower confidence).
    Only like is compared with like: actual with actual (never a target, a plan or a 计划/预计 clause),
    the same unit family (万元 and 元 converted), the same year and the same scope words (全市/本级/县/镇).
    A table row naming several activities ("主任会、常委会 18次"; "办理代表议案、建议、意见等 40件") is never
    compared with one of them alone: it is compared with the sum of one narrative sentence's figures
    when those name every activity of the row ("代表所提5件议案，42件建议、批评和意见" gives 47), at
    confidence 0.7. A project's own table may count a part of the
    department's total, so a project figure below the narrative's is not a conflict; above it, it is.
    Why: the table is what the finance bureau scores; the narrative is what readers believe. When they
    differ, one of them is wrong.
    Example: 正文称专题调研18次，自评表实际完成值为20次.
    Tolerance: two plain figures agree when equal at the coarser precision (113.2 ~ 113.21);
    480余 covers 480–490, 约800 ±10%, ≥400 everything from 400. Passages in a block whose heading
    repeats (pasted from an earlier report) are left to XC202, which reports them once.
    Severity: high when the gap is 10% of the table value or more, medium from 1%, low below.
    Confidence 0.85 for the same core subject, 0.6 for a fuzzy match; 0.1 less against a project table.
    """
    doc = analysis.doc
    found = statements(analysis)
    texts = [s for s in found if s.origin in ("paragraph", "cell_text") and s.kind == "actual" and s.stale is None
             and s.closed]
    paragraphs = [s for s in texts if s.origin == "paragraph"]
    for table_st in found:
        if table_st.where == "table" and table_st.kind == "actual" and table_st.parts:
            finding = _judge_compound(doc, this, table_st, found)
            if finding is not None:
                yield finding
            continue
        if table_st.where != "table" or table_st.kind != "actual":
            continue
        if table_st.origin in ("indicator", "data"):
            finding = _judge(doc, this, table_st, texts)
        elif table_st.origin == "cell_text" and table_st.stale is None and table_st.closed and not table_st.approximate:
            # a sentence in an 实际完成值 / 实际完成情况 cell against the narrative: same subject exactly
            finding = _judge(doc, this, table_st, paragraphs, exact=True)
        else:
            continue
        if finding is not None:
            yield finding


def _judge(doc, this, table_st: Statement, texts: list[Statement], exact: bool = False) -> Finding | None:
    conflicts: list[tuple[Statement, float]] = []
    agreeing = 0
    for st in texts:
        if exact and (st.approximate or st.subject != table_st.subject):
            continue
        if st.cell is not None and st.cell.row == table_st.cell.row and st.table == table_st.table:
            continue
        if st.origin == "cell_text" and st.scope.startswith("project:") and st.scope != table_st.scope:
            continue  # a sentence in another project's form speaks for that project
        if not comparable(table_st, st):
            continue
        strength = subject_match(table_st.subject, st.subject)
        if strength < MATCH_THRESHOLD:
            continue
        if consistent(table_st, st):
            agreeing += 1
            continue
        if table_st.scope.startswith("project:") and st.scope != table_st.scope and table_st.value < st.value:
            continue  # a project's figure may be a part of the department's total
        conflicts.append((st, strength))
    if not conflicts:
        return None
    conflicts.sort(key=lambda c: (-c[1], c[0].start))
    first, strength = conflicts[0]
    unit = table_st.unit or first.unit
    diff = first.value - table_st.value
    relative = abs(diff) / abs(table_st.value) if table_st.value else Decimal(1)
    severity = band("XC201", relative)
    confidence = 0.85 if strength >= 1.0 else 0.6
    if table_st.scope != first.scope:
        confidence -= 0.1
    if agreeing:
        confidence -= 0.1  # the narrative also says the table's figure somewhere
    source = _where_said(first)
    table_name = "基础数据表" if table_st.origin == "data" else "自评表"
    where_table = doc.location(table_st.start) or ""
    column = "实际完成值" if table_st.origin == "indicator" else f"“{table_st.column}”栏"
    message = (f"{source}称{first.label}{written(first.mention)}，{table_name}{column}为"
               f"{written(table_st.mention, table_st.unit)}")
    detail = f"（表中指标“{table_st.label}”"
    if where_table:
        detail += f"，见{where_table}"
    detail += f"），相差{fmt(abs(diff))}{_unit_text(table_st, unit)}"
    others = conflicts[1:]
    if others:
        detail += "；另见" + "、".join(_where_said(o) + f"{o.label}{written(o.mention)}" for o, _ in others[:3])
    message += detail
    message_en = (f"the narrative states {fmt(first.value)} for '{first.subject}', the table's actual value is "
                  f"{fmt(table_st.value)}")
    evidence = [Evidence.of(doc, first.start, first.end), Evidence.of(doc, table_st.start, table_st.end)]
    evidence += [Evidence.of(doc, o.start, o.end) for o, _ in others]
    values = {"stated": first.value, "table": table_st.value, "difference": diff, "unit": _unit_text(table_st, unit),
              "subject": first.subject, "match": strength}
    return this.finding(severity=severity, confidence=round(confidence, 2), message=message, message_en=message_en,
                        evidence=evidence, values=values)


def _judge_compound(doc, this, row: Statement, found: list[Statement]) -> Finding | None:
    """A row naming several activities ("办理代表议案、建议、意见等 40件") against one narrative sentence
    that counts each of them ("代表所提5件议案，42件建议、批评和意见"): reported only when the sentence's
    figures cover every activity the row names and add up to something else."""
    words = compound_words(row.label)
    if len(words) < 2 or row.approximate:
        return None
    sentences: dict[tuple[int, int], list[Statement]] = {}
    for st in found:
        if st.origin == "paragraph" and st.kind == "actual" and st.stale is None and comparable(row, st) \
                and not st.approximate:
            sentences.setdefault(st.sentence, []).append(st)
    conflicting: list[tuple[list[Statement], Decimal]] = []
    for members in sentences.values():
        named = [(st, [w for w in words if _names(st, w)]) for st in members]
        named = [(st, ws) for st, ws in named if ws]
        covered = {w for _, ws in named for w in ws}
        if len(named) < 2 or covered != set(words):
            continue
        parts = [st for st, _ in named]
        total = sum((st.value for st in parts), Decimal(0))
        if total == row.value:
            return None  # some sentence gives the row's figure
        conflicting.append((parts, total))
    for parts, total in conflicting[:1]:
        diff = total - row.value
        relative = abs(diff) / abs(row.value) if row.value else Decimal(1)
        severity = band("XC201", relative)
        terms = "＋".join(f"{written(st.mention)}{st.counted or st.label}" for st in parts)
        message = (f"正文称{terms}＝{fmt(total)}{row.unit}，自评表实际完成值为{written(row.mention, row.unit)}"
                   f"（表中指标“{row.label}”），相差{fmt(abs(diff))}{row.unit}")
        message_en = (f"the narrative's figures for the activities of '{row.label}' add up to {fmt(total)}, the table "
                      f"says {fmt(row.value)}")
        evidence = [Evidence.of(doc, st.start, st.end) for st in parts] + [Evidence.of(doc, row.start, row.end)]
        return this.finding(severity=severity, confidence=0.7, message=message, message_en=message_en,
                            evidence=evidence, values={"stated": [st.value for st in parts], "stated_sum": total,
                                                       "table": row.value, "difference": diff, "subject": row.label})
    return None


def _names(st: Statement, word: str) -> bool:
    """Whether a narrative figure counts this activity: the activity's name in the words the figure
    counts ("42件建议、批评和意见" names 建议 and 意见), or the figure's own subject contains it."""
    said = st.counted or st.label
    return bool(said) and (word in said or (len(said) >= 2 and said in word))


def _where_said(st: Statement) -> str:
    return "正文" if st.origin == "paragraph" else f"表中“{st.column}”栏"


def _unit_text(st: Statement, fallback: str) -> str:
    return "万元" if st.family == "money" else (st.unit or fallback)


__all__ = ["narrative_table_mismatch"]
