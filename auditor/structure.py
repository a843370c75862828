"""Is this a report at all? A document without the structure of a performance self-evaluation
report (no unit, no year, almost no figures, a notice's title, a few characters) is not "clean":
the rules found nothing because there was nothing to check. Such a report is flagged 需人工确认
(``Report.needs_review``) with the reason; scoring gives it that tier and ranks it with the risky
reports, never among the clean ones.

The check prefers precision: it flags only what no report, nor a readable excerpt of one, looks like.
"""

from __future__ import annotations

import re

from auditor.document import Document, clean_text
from auditor.extract.numbers import NumberPass, find_numbers, number_pass

MIN_HAN = 30  # fewer Chinese characters than one sentence of a report
FEW_FIGURES = 5  # amounts, counts and rates (years, dates and list numbers are not figures)
_SCAN_CHARS = 20_000  # figures are counted in slices, and only until FEW_FIGURES are found
_HAN = re.compile(r"[\u4e00-\u9fff]")
# The title of a notice, a letter, minutes or a news item rather than a report.
_NOT_REPORT_TITLE = re.compile(r"(通知|通报|公告|函|纪要|请示|批复|讲话|新闻|简报|邀请函)$")
_HEAD_PARAGRAPHS = 5


def count_figures(doc: Document, enough: int = FEW_FIGURES) -> int:
    """The number of figures in ``doc``, counted up to ``enough``: from the document's one number pass
    (the checks made it already), else by scanning slices until ``enough`` are found."""
    if doc.derived(NumberPass).mentions is not None:
        return len(number_pass(doc))
    found = 0
    for start in range(0, len(doc.text), _SCAN_CHARS):
        found += len(find_numbers(doc.text, start, start + _SCAN_CHARS))
        if found >= enough:
            return found
    return found


def structure_problem(doc: Document) -> dict[str, str] | None:
    """``{"code", "message"}`` when ``doc`` shows no recognisable report structure, else None.

    Codes: ``too-little-text``, ``no-figures``, ``no-unit-year-figures``, ``notice-not-report``."""
    han = 0  # counted up to MIN_HAN only: the whole count is needed only when there are fewer
    for _ in _HAN.finditer(doc.text):
        han += 1
        if han >= MIN_HAN:
            break
    if han < MIN_HAN:
        return {"code": "too-little-text",
                "message": f"正文只有 {han} 个汉字，不像一份绩效自评报告（可能是空白模板、封面或误传的文件），请人工确认"}
    figures = count_figures(doc)
    if figures == 0:
        return {"code": "no-figures",
                "message": "全文没有任何金额、数量或比率，无从核对数字，不像一份绩效自评报告（可能是通知、说明或数字被删去的模板），请人工确认"}
    if figures >= FEW_FIGURES:
        return None
    meta = doc.meta
    if meta.unit is None and meta.year is None:
        return {"code": "no-unit-year-figures",
                "message": f"未识别出单位和年度，全文只有 {figures} 个数字，不像一份绩效自评报告（可能是新闻、通知或报告的片段），请人工确认"}
    title = _first_line(doc)
    if title and _NOT_REPORT_TITLE.search(title):
        return {"code": "notice-not-report",
                "message": f"标题「{title}」是通知/函件一类的公文，不是报告，全文只有 {figures} 个数字，请人工确认是否误传"}
    return None


def _first_line(doc: Document) -> str:
    """The first non-empty line among the first paragraphs (a spreadsheet's sheet name excluded)."""
    for para in doc.paragraphs[:_HEAD_PARAGRAPHS]:
        if doc.table_at(para.start) is not None:
            continue
        line = clean_text(doc.text[para.start:para.end])
        if line and len(line) <= 60:
            return line
    return ""
