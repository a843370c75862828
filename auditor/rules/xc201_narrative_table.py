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
    subject_match,
)
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("XC201", "narrative-table-mismatch", "medium", requires=("indicator_statements",))
def narrative_table_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文所述的完成数与自评表（或基础数据表）中同一指标的实际完成值不一致。

    检查内容：表格中每个说明完成情况的数字——指标行的实际完成值，或数据表中报告年度的决算数/执行数/实际栏下的
    单元格——与正文中同一指标的表述（正文段落，以及实际完成情况单元格中的句子）比较。表格单元格中说明完成情况的
    句子（实际完成值单元格中的“…215件建议均按期办复，满意率96.1%”）也与正文段落比较，但只限对象完全相同、两边都
    是不带限定词的数字。
    指标按核心对象匹配（“开展专题调研次数” ~ “专题调研”；同义词见 auditor/data/indicator_synonyms.tsv；相近写法用
    rapidfuzz 匹配，置信度较低）。
    只比较同类：实际值对实际值（从不与指标值、计划或“计划/预计”分句比较），同一单位类别（万元与元换算），同一年度，
    同一范围词（全市/本级/县/镇）。列有多项活动的表格行（“主任会、常委会 18次”；“受理群众来信、来访、网上留言等 60件”）
    从不与其中单独一项比较：当正文某一句的数字涵盖该行的每一项活动时（“共受理来信8件，来访和网上留言56件”
    合计47），与这些数字之和比较，置信度 0.7。项目自己的表可能只统计部门总数的一部分，所以项目数字低于正文数字不算
    矛盾；高于则算。
    为何重要：表格是财政部门打分的依据，正文是读者相信的内容。两者不一致，必有一个是错的。
    示例：正文称专题调研18次，自评表实际完成值为20次。
    容差：两个不带限定词的数字按较粗的精度相等即为一致（113.2 ~ 113.21）；480余 涵盖 480–490，约800 为 ±10%，
    ≥400 涵盖400以上的一切。标题重复出现的（粘贴自往年报告的）段落交给 XC202，由它报告一次。
    级别：差额达到表中数值的 10% 及以上为“高”，1% 起为“中”，以下为“低”。
    置信度：核心对象相同时为 0.85，模糊匹配为 0.6；与项目表比较时再低 0.1。
    """
    doc = analysis.doc
    found = analysis.indicator_statements
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
    """A row naming several activities ("受理群众来信、来访、网上留言等 60件") against one narrative sentence
    that counts each of them ("共受理来信8件，来访和网上留言56件"): reported only when the sentence's
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
