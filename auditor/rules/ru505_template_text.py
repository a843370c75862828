from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.findings import Evidence, Finding
from auditor.reuse.references import copied_passages
from auditor.rules.registry import Rule, rule

MIN_TEMPLATE_CHARS = 30
MIN_OTHER_UNITS = 2


@rule("RU505", "template-text", "info", requires=("references", "passages"), uses_references=True)
def template_text(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """多个单位报告中相同的模板性文字（提示，不计为照抄）。

    检查内容：需要参考报告。在参考比对判定为沿用模板文字（非陈旧，见 RU501）的段落中，30字及以上、且措辞（数字
    遮蔽后）也出现在至少另外2个单位报告中的，每份报告列为一条发现，每段作为一条证据。
    为何重要：许多单位共用的文字（“存在的问题”套话、表样的标准用语）说明不了本单位本年度的情况；审核人应当知道
    它是模板，不要当作照抄。
    示例：“（一）绩效管理专业力量薄弱……”出现在四个不同局的报告中。
    容差：只与本单位往年报告共用的段落不列出。
    级别：“提示”；模板段落占报告正文一半以上时为“低”。
    """
    doc = analysis.doc
    shared = []
    for passage in copied_passages(analysis):
        if passage.stale:
            continue
        pair_units = passage.features.get("pair_units", [0] * len(passage.pairs))
        for pair, units in zip(passage.pairs, pair_units):  # headings are template by nature: not listed
            if (units >= MIN_OTHER_UNITS and not pair.this.is_heading
                    and pair.this_end - pair.this_start >= MIN_TEMPLATE_CHARS):
                shared.append((pair, units))
    if not shared:
        return
    total = sum(p.this_end - p.this_start for p, _ in shared)
    narrative = sum(p.end - p.start for p in analysis.passages) or 1
    severity = "low" if total > narrative / 2 else "info"
    most = max(u for _, u in shared)
    message = (f"报告中有{len(shared)}段文字（共{total}字）与其他单位报告相同（最多与{most}个其他单位相同），"
               f"属模板性文字，未计为照抄")
    yield this.finding(severity=severity, confidence=0.7, message=message,
                       message_en=f"{len(shared)} passages ({total} chars) are template text shared with other units",
                       evidence=[Evidence.of(doc, p.this_start, p.this_end) for p, _ in shared],
                       values={"passages": len(shared), "characters": total, "max_other_units": most})
