from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.document import clean_text
from auditor.findings import Evidence, Finding
from auditor.rules.registry import Rule, rule

@rule("CP401", "missing-attachment", "low")
def missing_attachment(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文提到的附件或附表（“附件1 …”“见附表”）在文档中不存在。

    What: attachment titles (a line starting with 附件N / 附表N, usually followed by the attachment's
    name) and references in running text (见附件2, 详见附表, （附件1）) are collected. A titled attachment
    is present when a table (or the attachment's own text) follows its title before the next attachment
    title; a reference without a title is present when the document has such a title followed by
    content, or (for a bare "见附表") any table at all. Each missing attachment is reported once, with
    every line that names it as evidence.
    Why: the 基础数据表 and 自评表 carry the figures the narrative summarises; without them the report
    cannot be checked, and a reviewer may score a form that was never submitted.
    Example: the report ends with "附件1.…基础数据表 / 附件2.…自评表" but contains no table.
    Tolerance: the attachment may have been filed as a separate document in the batch (a .pdf or
    .xlsx beside the report); the message says so, and the confidence is below that of arithmetic
    findings.
    Severity: low; info for a bare reference to "附表" with no number. A completeness finding never
    outranks an arithmetic contradiction: the risk score caps the CP family (``auditor explain risk``).
    """
    doc = analysis.doc
    titles = analysis.attachment_titles
    refs = analysis.attachment_references
    keys: dict[str, list[tuple[int, int]]] = {}
    present: dict[str, bool] = {}
    for key, start, end, has_content in titles:
        keys.setdefault(key, []).append((start, end))
        present[key] = present.get(key, False) or has_content
    for key, start, end in refs:
        keys.setdefault(key, []).append((start, end))
        if key not in present:
            present[key] = bool(doc.tables) if key in ("附表", "附件") else False
    for key, spans in keys.items():
        if present.get(key):
            continue
        if key in ("附表", "附件") and not any(present.values()) and doc.tables:
            continue
        titled = any(k == key for k, *_ in titles)
        where = "文末列出了该附件的标题" if titled else "正文提到了该附件"
        first = spans[0]
        name = clean_text(doc.text[first[0]:first[1]])
        message = (f"{where}“{name}”，但文档中没有对应的附件内容（表格）"
                   f"{'；文档中没有任何表格' if not doc.tables else ''}。如附件另行报送，请核对是否齐全")
        yield this.finding(
            severity="info" if key in ("附表", "附件") else "low", confidence=0.6 if not doc.tables else 0.5,
            message=message, message_en=f"the report refers to {key} but does not contain it",
            evidence=[Evidence.of(doc, s, e) for s, e in spans],
            values={"attachment": key, "mentions": len(spans), "tables_in_document": len(doc.tables)})
