"""Synthetic batches in the contract's JSON shape, with documents whose offsets are exact.

All text here is invented for tests (no sentence comes from a real report). Evidence is built
with :func:`evidence`, which locates the quoted text in the document, so
``evidence["text"] == documents[path][start:end]`` holds by construction.
"""

from __future__ import annotations

import copy
import random
from typing import Any

DOC_A_2024 = (
    "青禾县人大常委会2024年度部门整体支出绩效自评报告\n"
    "一、部门基本情况\n"
    "本年度共召开常委会会议12次，主任会议10次，组织专题调研8次。"
    "全年预算支出合计356.20万元，其中基本支出300.00万元，项目支出46.20万元。\n"
    "二、绩效目标完成情况\n"
    "代表满意率达到98%，履职培训覆盖率100%。\n"
    "\t指标\n\t完成值\n\n\t常委会会议\n\t10次\n\n\t专题调研\n\t8次\n\n"
    "三、存在问题\n"
    "部分项目资金执行进度偏慢，2023年度安排的调研任务尚未完成总结。\n"
)

DOC_A_2023 = (
    "青禾县人大常委会2023年度部门整体支出绩效自评报告\n"
    "一、部门基本情况\n"
    "本年度共召开常委会会议11次，主任会议10次，组织专题调研6次。"
    "全年预算支出合计331.50万元。\n"
    "三、存在问题\n"
    "部分项目资金执行进度偏慢，2022年度安排的调研任务尚未完成总结。\n"
)

DOC_B_2024 = (
    "白石镇人大主席团2024年度项目支出绩效自评表\n"
    "说明：系统导出时夹带了脚本片段<script>alert(1)</script>以及符号 & \"引号\" 'x'。\n"
    "项目名称：代表之家建设\n"
    "年初预算数20万元，全年执行数18.5万元，执行率为95%。\n"
    "\t产出指标\n\n(50分)\n\t得分\n\t52分\n"
)

DOC_C_2024 = "绿洲区人大常委会2024年度部门整体支出绩效自评报告\n本年度各项工作均按计划完成。\n"


def span_of(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """Offsets of the ``occurrence``-th appearance of ``needle`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.find(needle, start + 1)
        if start < 0:
            raise ValueError(f"{needle!r} not found in document")
    return start, start + len(needle)


def evidence(
    text: str,
    needle: str,
    occurrence: int = 0,
    *,
    where: str = "narrative",
    section: str = "",
    source: str | None = None,
) -> dict[str, Any]:
    """An evidence item whose offsets are exact by construction."""
    start, end = span_of(text, needle, occurrence)
    return {"text": needle, "start": start, "end": end, "where": where,
            "section": section, "source": source}


def finding(
    rule: str,
    name: str,
    severity: str,
    message: str,
    evidence_items: list[dict[str, Any]],
    *,
    confidence: float = 0.9,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {"rule": rule, "name": name, "severity": severity, "confidence": confidence,
            "message": message, "evidence": evidence_items, "values": values or {}}


def report(
    path: str,
    unit: str,
    year: int | None,
    findings: list[dict[str, Any]],
    *,
    kind: str = "department",
    error: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {"path": path, "unit": unit, "year": year, "kind": kind, "risk_score": None,
            "rank": None, "error": error, "findings": findings}


PATH_A24 = "in/青禾县/2024部门整体自评.txt"
PATH_A23 = "ref/青禾县/2023部门整体自评.txt"
PATH_B24 = "in/白石镇/2024项目自评.txt"
PATH_C24 = "in/绿洲区/2024部门整体自评.txt"
PATH_BROKEN = "in/损坏文件.docx"


def make_batch() -> tuple[dict[str, Any], dict[str, str]]:
    """A small batch covering every rendering case, and its documents.

    - A (2024): narrative vs table mismatch (two evidence items), two OVERLAPPING findings on the
      budget sentence, a copied passage with evidence in the 2023 source and an ``alignment``,
      a finding without evidence, and a finding whose offsets do not match the text.
    - B: a hostile document (``<script>``, quotes, ampersand) and a message with markup.
    - C: no findings.  Broken: ``error`` set, no document.
    - The 2023 reference document is in ``documents`` but not a report of the batch.
    """
    a, a23, b = DOC_A_2024, DOC_A_2023, DOC_B_2024
    budget_sentence = "全年预算支出合计356.20万元，其中基本支出300.00万元，项目支出46.20万元。"
    copied_left = "部分项目资金执行进度偏慢，2023年度安排的调研任务尚未完成总结。"
    copied_right = "部分项目资金执行进度偏慢，2022年度安排的调研任务尚未完成总结。"
    ls, le = span_of(a, copied_left)
    rs, re_ = span_of(a23, copied_right)
    broken_offsets = evidence(a, "代表满意率达到98%")
    broken_offsets["start"] += 1  # text no longer equals documents[path][start:end]
    broken_offsets["end"] += 1
    findings_a = [
        finding("XC201", "narrative-table-mismatch", "high",
                "正文称召开常委会会议12次，自评表完成值为10次，两者相差2次",
                [evidence(a, "召开常委会会议12次", section="一、部门基本情况"),
                 evidence(a, "\t10次", where="table", section="二、绩效目标完成情况")],
                confidence=0.95, values={"stated": 12, "table": 10}),
        finding("AR101", "sum-mismatch", "medium",
                "支出合计356.20万元，但基本支出300.00万元+项目支出46.20万元=346.20万元，相差10.00万元",
                [evidence(a, budget_sentence, section="一、部门基本情况")],
                confidence=0.9, values={"stated": 356.2, "computed": 346.2,
                                        "formula": "300.00+46.20"}),
        finding("AR102", "total-figure-check", "low",
                "合计金额356.20万元需与决算表核对",
                [evidence(a, "合计356.20万元", section="一、部门基本情况")],
                confidence=0.5, values={"stated": 356.2}),
        finding("RU301", "copied-passage", "high",
                "本段与2023年度报告几乎相同，仅年份由2022改为2023",
                [evidence(a, copied_left, section="三、存在问题"),
                 evidence(a23, copied_right, section="三、存在问题", source=PATH_A23)],
                confidence=0.8, values={"similarity": 0.96}),
        finding("CP501", "missing-attachment", "info",
                "报告提及附表但批次中没有对应附件", [], confidence=0.6),
        finding("XC202", "indicator-restated", "medium",
                "满意率在两处表述不一致", [broken_offsets], confidence=0.7,
                values={"first": 98, "second": 96}),
    ]
    findings_a[3]["alignment"] = {
        "source": PATH_A23,
        "pairs": [{"left": {"start": ls, "end": le}, "right": {"start": rs, "end": re_},
                   "score": 0.96}],
    }
    findings_b = [
        finding("AR110", "execution-rate-mismatch", "high",
                "执行率应为18.5÷20=92.5%，报告填写95%<b>（偏差2.5个百分点）</b>",
                [evidence(b, "执行率为95%", section="项目名称：代表之家建设")],
                confidence=1.0, values={"stated": 95, "computed": 92.5, "note": "<i>x</i>"}),
        finding("TG401", "score-above-weight", "high",
                "产出指标满分50分，得分52分超过分值",
                [evidence(b, "\t52分", where="table")], confidence=0.9,
                values={"weight": 50, "score": 52}),
        finding("XS999", "script-in-text", "low",
                "文中出现<script>alert(1)</script>片段",
                [evidence(b, "<script>alert(1)</script>")], confidence=0.4),
    ]
    batch = {
        "auditor_version": "0.3.0",
        "reports": [
            report(PATH_A24, "青禾县人民代表大会常务委员会", 2024, findings_a),
            report(PATH_B24, "白石镇人大主席团", 2024, findings_b, kind="project"),
            report(PATH_C24, "绿洲区人民代表大会常务委员会", 2024, []),
            report(PATH_BROKEN, "", None, [], kind="unknown",
                   error={"code": "read-failed", "message": "文件已损坏，无法读取<docx>"}),
        ],
    }
    documents = {PATH_A24: a, PATH_A23: a23, PATH_B24: b, PATH_C24: DOC_C_2024}
    return batch, documents


_UNITS = ["青禾县", "白石镇", "绿洲区", "南岭乡", "东湖街道", "北川县", "西坪镇", "云溪区"]
_SENTENCES = [
    "本年度组织代表视察活动{n}次，形成视察报告{m}篇。",
    "全年收到代表建议{n}件，已办结{m}件，办结率{p}%。",
    "开展执法检查{n}项，提出整改意见{m}条。",
    "年初预算数{n}.{m}万元，全年执行数{k}.{m}万元，执行率{p}%。",
    "举办履职培训{n}期，参训人员{m}人次。",
    "听取和审议专题报告{n}个，作出决议决定{m}项。",
]
_RULES = [("AR101", "sum-mismatch", "medium"), ("XC201", "narrative-table-mismatch", "high"),
          ("TG401", "score-above-weight", "high"), ("RU301", "copied-passage", "high"),
          ("AR110", "execution-rate-mismatch", "medium"), ("CP501", "missing-attachment", "low"),
          ("TG402", "deduction-without-reason", "info")]


def make_large_batch(
    n_reports: int, chars_per_report: int, findings_per_report: int = 12, seed: int = 7
) -> tuple[dict[str, Any], dict[str, str]]:
    """A batch of ``n_reports`` synthetic documents of about ``chars_per_report`` characters."""
    rng = random.Random(seed)
    reports: list[dict[str, Any]] = []
    documents: dict[str, str] = {}
    for i in range(n_reports):
        unit = _UNITS[i % len(_UNITS)] + f"第{i // len(_UNITS) + 1}单位"
        path = f"in/{unit}/{2021 + i % 4}自评报告.txt"
        parts: list[str] = [f"{unit}{2021 + i % 4}年度绩效自评报告\n"]
        length = len(parts[0])
        while length < chars_per_report:
            sentence = rng.choice(_SENTENCES).format(
                n=rng.randint(2, 400), m=rng.randint(1, 99), k=rng.randint(2, 400),
                p=rng.randint(60, 100))
            if rng.random() < 0.1:
                sentence += "\n"
            parts.append(sentence)
            length += len(sentence)
        text = "".join(parts)
        documents[path] = text
        findings = []
        for j in range(findings_per_report):
            rule, name, severity = rng.choice(_RULES)
            start = rng.randrange(0, max(1, len(text) - 40))
            end = start + rng.randint(4, 30)
            findings.append(finding(rule, name, severity, f"第{j + 1}处数字前后不一致（合成数据）",
                                    [{"text": text[start:end], "start": start, "end": end,
                                      "where": "narrative", "section": "", "source": None}],
                                    confidence=round(rng.uniform(0.3, 1.0), 2),
                                    values={"stated": rng.randint(1, 99), "computed": rng.randint(1, 99)}))
        reports.append(report(path, unit, 2021 + i % 4, findings))
    return {"auditor_version": "0.3.0", "reports": reports}, documents


def with_error_reports(batch: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """A copy of ``batch`` with an error report added for each path."""
    result = copy.deepcopy(batch)
    for path in paths:
        result["reports"].append(report(path, "", None, [], kind="unknown",
                                         error={"code": "read-failed", "message": "无法读取"}))
    return result
