"""Attachments a report names: title lines ("附件1.…基础数据表") and references ("详见附件2", "（附表）").

A titled attachment is present when a table (of two rows or more) or three lines of text follow its
title before the next title. CP401 judges what is missing.
"""

from __future__ import annotations

import bisect
import re

from auditor.document import Document, Table, clean_text

_NUM = r"[0-9０-９一二三四五六七八九十]{1,3}"
# "附件1.某县…自评表", "附件2 2023年度…", "附件：" at the start of a line: an attachment's title.
_TITLE_RE = re.compile(rf"^\s*(附件|附表)\s*(?P<num>{_NUM})?\s*[.．、:：\s]?\s*(?P<title>.*)$")
# "见附件1", "详见附表", "（附件2）": a reference in running text.
_REF_RE = re.compile(rf"(?:详见|参见|见)\s*(?P<kind>附件|附表)\s*(?P<num>{_NUM})?|[（(](?P<kind2>附件|附表)\s*(?P<num2>{_NUM})?[）)]")
_MIN_TITLE_CONTENT = 2  # rows a table needs to be the attachment (not a one-line caption table)
# an issued document's number ("X财农〔2025〕12号"), alone on its line near the top
_DOC_NUMBER_RE = re.compile(r"^[\u4e00-\u9fff]{1,12}[〔［\[（(]\s*(?:19|20)\d{2}\s*[〕］\]）)]\s*第?\d{1,4}\s*号$")
# the title of an issued notice, approval or letter ("关于下达…资金的通知")
_NOTICE_TITLE_RE = re.compile(r"(?:通知|批复|复函|的函|决定)$")
_NOTICE_HEAD_LINES = 8


def _key(kind: str, num: str | None) -> str:
    return f"{kind}{num}" if num else kind


def attachment_titles(doc: Document, tables: list[Table] | None = None) -> list[tuple[str, int, int, bool]]:
    """(key, start, end, followed by content) for each attachment-title line in the narrative
    (``tables``: the document's :func:`content_tables`, computed here when not given)."""
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
    out: list[tuple[str, int, int, bool]] = []
    if not lines:
        return out
    if tables is None:
        tables = content_tables(doc)
    # the starts of the paragraphs with text (in order): the ones between two titles are counted by bisection
    filled = [p.start for p in doc.paragraphs if clean_text(doc.text[p.start:p.end])]
    for k, (key, start, end) in enumerate(lines):
        limit = lines[k + 1][1] if k + 1 < len(lines) else len(doc.text)
        has_table = any(start < t.start < limit for t in tables)
        has_text = bisect.bisect_left(filled, limit) - bisect.bisect_right(filled, end) >= 3
        out.append((key, start, end, has_table or has_text))
    return out


def is_issued_notice(doc: Document) -> bool:
    """Whether the document is an issued notice, approval or letter (公文): a title line ending in 通知 / 批复 /
    函 and a document number line ("〔2025〕12号") among its first lines. Such a document's attachments
    (附件1. …审批表) are separate documents by the rules of official documents, not part of its text."""
    lines = [clean_text(doc.text[p.start:p.end]) for p in doc.paragraphs[:_NOTICE_HEAD_LINES]]
    numbered = [i for i, line in enumerate(lines) if _DOC_NUMBER_RE.match(line)]
    if not numbered:
        return False
    return any(_NOTICE_TITLE_RE.search(line) and len(line) <= 60 for line in lines[:numbered[0] + 1])


def content_tables(doc: Document) -> list[Table]:
    """The tables that hold content: two rows or more with two filled cells each (not a page's
    breadcrumb "您当前的位置: | 首页 |" flattened into a one-row table)."""
    return [t for t in doc.tables
            if sum(1 for row in t.rows if sum(1 for text in doc.row_texts(row) if text) >= 2) >= _MIN_TITLE_CONTENT]


def attachment_references(doc: Document, titled: set[str]) -> list[tuple[str, int, int]]:
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
