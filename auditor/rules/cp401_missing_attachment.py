from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.document import Document, clean_text
from auditor.findings import Evidence, Finding
from auditor.rules.registry import rule

_NUM = r"[0-9０-９一二三四五六七八九十]{1,3}"
# "附件1.某县…自评表", "附件2 2023年度…", "附件：" at the start of a line: an attachment's title.
_TITLE_RE = re.compile(rf"^\s*(附件|附表)\s*(?P<num>{_NUM})?\s*[.．、:：\s]?\s*(?P<title>.*)$")
# "见附件1", "详见附表", "（附件2）": a reference in running text.
_REF_RE = re.compile(rf"(?:详见|参见|见)\s*(?P<kind>附件|附表)\s*(?P<num>{_NUM})?|[（(](?P<kind2>附件|附表)\s*(?P<num2>{_NUM})?[）)]")
_MIN_TITLE_CONTENT = 2  # rows a table needs to be the attachment (not a one-line caption table)


@rule("CP401", "missing-attachment", "low")
def missing_attachment(analysis) -> Iterator[Finding]:
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
    this = missing_attachment.rule
    titles = _titles(doc)
    refs = _references(doc, {t[0] for t in titles})
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


def _key(kind: str, num: str | None) -> str:
    return f"{kind}{num}" if num else kind


def _titles(doc: Document) -> list[tuple[str, int, int, bool]]:
    """(key, start, end, followed by content) for each attachment-title line in the narrative."""
    lines = []
    for para in doc.paragraphs:
        raw = doc.text[para.start:para.end]
        m = _TITLE_RE.match(raw)
        if m is None or len(raw.strip()) > 80:
            continue
        title = m.group("title") or ""
        if "见" in title[:3]:
            continue
        start = para.start + len(raw) - len(raw.lstrip())
        end = para.start + len(raw.rstrip())
        lines.append((_key(m.group(1), m.group("num")), start, end))
    out = []
    for k, (key, start, end) in enumerate(lines):
        limit = lines[k + 1][1] if k + 1 < len(lines) else len(doc.text)
        has_table = any(start < t.start < limit and len(t.rows) >= _MIN_TITLE_CONTENT for t in doc.tables)
        has_text = sum(1 for p in doc.paragraphs if end < p.start < limit and clean_text(doc.text[p.start:p.end])) >= 3
        out.append((key, start, end, has_table or has_text))
    return out


def _references(doc: Document, titled: set[str]) -> list[tuple[str, int, int]]:
    out = []
    for para in doc.paragraphs:
        raw = doc.text[para.start:para.end]
        if _TITLE_RE.match(raw):
            continue
        for m in _REF_RE.finditer(raw):
            kind = m.group("kind") or m.group("kind2")
            num = m.group("num") or m.group("num2")
            out.append((_key(kind, num), para.start + m.start(), para.start + m.end()))
    return out
