from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.document import clean_text
from auditor.findings import Evidence, Finding
from auditor.rules.registry import Rule, rule

@rule("CP401", "missing-attachment", "low", requires=("attachment_references", "attachment_titles", "content_tables",
                                                                "issued_notice"))
def missing_attachment(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文提到的附件或附表（“附件1 …”“见附表”）在文档中不存在。

    检查内容：收集附件标题（以附件N / 附表N 开头的一行，通常后接附件名称）和正文中的引用（见附件2、详见附表、
    （附件1））。有标题的附件，在其标题之后、下一个附件标题之前有表格（或附件自身的文字）即视为存在；没有标题的
    引用，文档中有这样的标题并且后有内容即视为存在，单说“见附表”的，文档中有任何表格即可。每个缺失的附件只报告
    一次，提到它的每一行都作为证据。
    为何重要：基础数据表和自评表载有正文所概述的数字；缺了它们，报告无法核对，复核人还可能给一张从未提交的表打分。
    示例：报告末尾写有“附件1.…基础数据表 / 附件2.…自评表”，但文中没有任何表格。
    容差：附件可能作为批次中的另一个文件提交（报告旁的 .pdf 或 .xlsx）；消息会说明这一点，置信度也低于计算类
    发现。有发文字号（“〔2025〕12号”）的通知、批复或函不检查：按公文惯例，其附件是另行印发的文件。
    级别：“低”；单说“附表”而无编号的为“提示”。完整性类发现永远排不到计算矛盾之前：风险分对 CP 类封顶
    （``auditor explain risk``）。
    """
    doc = analysis.doc
    if analysis.issued_notice:
        return
    titles = analysis.attachment_titles
    refs = analysis.attachment_references
    tables = analysis.content_tables
    keys: dict[str, list[tuple[int, int]]] = {}
    present: dict[str, bool] = {}
    for key, start, end, has_content in titles:
        keys.setdefault(key, []).append((start, end))
        present[key] = present.get(key, False) or has_content
    for key, start, end in refs:
        keys.setdefault(key, []).append((start, end))
        if key not in present:
            present[key] = bool(tables) if key in ("附表", "附件") else False
    for key, spans in keys.items():
        if present.get(key):
            continue
        if key in ("附表", "附件") and not any(present.values()) and tables:
            continue
        titled = any(k == key for k, *_ in titles)
        where = "文末列出了该附件的标题" if titled else "正文提到了该附件"
        first = spans[0]
        name = clean_text(doc.text[first[0]:first[1]])
        message = (f"{where}“{name}”，但文档中没有对应的附件内容（表格）"
                   f"{'；文档中没有任何表格' if not tables else ''}。如附件另行报送，请核对是否齐全")
        yield this.finding(
            severity="info" if key in ("附表", "附件") else "low", confidence=0.6 if not tables else 0.5,
            message=message, message_en=f"the report refers to {key} but does not contain it",
            evidence=[Evidence.of(doc, s, e) for s, e in spans],
            values={"attachment": key, "mentions": len(spans), "tables_in_document": len(tables)})
