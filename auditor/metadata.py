"""Report metadata: the unit, the fiscal year and the kind of report.

- fiscal year: the year in the title ("2023年度…报告", "（2021年度）"); otherwise the dominant year of
  the body. Dates ("2024年6月25日", the cover's signing date) never count: a 2023 report is signed in 2024.
- unit: the organisation named in the title, without the year or the report-type words; otherwise
  the value of a 部门名称 / 单位名称 / 填报单位 cell (the next cell, or "填报单位：…" in one cell or
  line); otherwise the organisation named in a title row of a form (a spreadsheet's merged first
  row "XX局2023年度部门整体支出绩效自评表"); otherwise the organisation that opens the body. A budget
  or final-accounts disclosure with no report title ("XX馆2023年“三公”经费预算情况说明") names its unit
  before the topic; that title is read in simplified characters without pinyin glosses.
- kind: department (整体支出) or project (项目支出), from the title and the tables.
"""

from __future__ import annotations

import re
from collections import Counter

from auditor.document import Document, Metadata, Span, clean_text, for_matching

_YEAR_RE = re.compile(r"(?<!\d)(20\d{2})\s*年(?!\s*\d{1,2}\s*月)(度)?")
_TITLE_WORDS = re.compile(r"(绩效|自评|评价|报告|自评表)")
# a budget or final-accounts disclosure ("XX局2022年“三公”经费预算情况说明"): its title names the unit
# before the topic; read only when no report title is found
_DISCLOSURE_WORDS = re.compile(r"三公|预算|决算")
_DISCLOSURE_TOPIC = re.compile(r"(?:财政拨款|一般公共预算|部门预算|部门决算|部门收支|[“\"]?三公[”\"]?经费|预算|决算)")
_REPORT_SUFFIX = re.compile(
    r"(?:部门[（(]单位[）)]|部门|单位)?(?:整体支出|项目支出|整体|项目)?(?:绩效)?(?:目标)?(?:自评|评价)?"
    r"(?:报告|表)$"
)
_ORG_SUFFIX = ("常务委员会办公室", "民主党派", "常务委员会", "常委会办公室", "委员会", "办公室", "人民政府", "政府", "局", "院",
               "中心", "委", "厅", "部", "会", "站", "所", "学校", "医院", "大学", "学院", "处", "队", "馆", "团",
               "人大", "社", "室")
_ORG_RE = re.compile(
    r"^([\u4e00-\u9fff]{2,30}?(?:人民代表大会常务委员会办公室|人民代表大会常务委员会|常务委员会办公室|"
    r"委员会办公室|委员会|办公室|人民政府|局|院|中心|学校|医院))"
)
_UNIT_LABELS = ("预算部门名称", "市级预算部门名称", "部门名称", "单位名称", "部门（单位）名称", "主管部门", "实施单位",
                "填报单位", "填报单位（盖章）", "填报单位(盖章)", "单位（盖章）", "单位(盖章)")
# "填报单位（盖章）：XX局" in one cell or line
_INLINE_UNIT = re.compile(r"^(?:预算部门名称|部门名称|单位名称|部门（单位）名称|填报单位)(?:[（(]盖章[）)])?[:：]"
                          r"([\u4e00-\u9fff（）()]{3,40}?)(?:[（(]盖章[）)])?(?:填报日期|填报时间|日期|$)")
_TITLE_ROWS = 3  # rows of a form searched for its title
_HEAD_LINES = 12


def infer_metadata(doc: Document) -> Metadata:
    title_span, title = _title(doc)
    title = for_matching(title)
    unit = _unit(doc, title, title_span)
    if title_span is None:
        disclosure_span, disclosure = _title(doc, _DISCLOSURE_WORDS, view=True)
        if disclosure_span is not None:
            title_span, title = disclosure_span, for_matching(disclosure)
            unit = _unit_before_topic(title) or unit
    return Metadata(unit=unit, year=_year(doc, title), kind=_kind(doc, title), title=title_span)


def _unit_before_topic(title: str) -> str | None:
    """"关于XX馆2024年部门预算公开的说明" → XX馆: the organisation named before the topic."""
    m = _DISCLOSURE_TOPIC.search(_strip_year(title))
    if m is None:
        return None
    unit = _strip_year(title)[: m.start()].removeprefix("关于").strip()
    return unit if len(unit) >= 3 and unit.endswith(_ORG_SUFFIX) else None


def _title(doc: Document, words: re.Pattern = _TITLE_WORDS, *, view: bool = False) -> tuple[Span | None, str]:
    """The report title: the first short line(s) before the first section heading that name a report
    (``words``). ``view``: read lines in simplified characters without pinyin glosses."""
    first_heading = min((p.start for p in doc.paragraphs if p.heading_level is not None), default=len(doc.text))
    paras = [p for p in doc.paragraphs[:_HEAD_LINES] if p.start < first_heading]
    if view:
        from auditor.extract.views import clean as clean_view
        from auditor.extract.views import reading_view

        source, read = reading_view(doc.text), clean_view
    else:
        source, read = doc.text, clean_text
    for i, para in enumerate(paras):
        line = read(source[para.start : para.end])
        if not line or len(line) > 80 or not words.search(line) or "：" in line or ":" in line:
            continue
        start = para.start
        if i > 0:  # a title broken over two lines: "2024年度XX委员会" / "部门整体支出绩效自评报告"
            prev = read(source[paras[i - 1].start : paras[i - 1].end])
            if prev and len(prev) <= 40 and not words.search(prev) and "：" not in prev and "盖章" not in prev:
                if _ORG_RE.match(_strip_year(prev)) or _YEAR_RE.search(prev):
                    start = paras[i - 1].start
                    line = prev + line
        return Span(start, para.end), line
    return None, ""


_DEPARTMENT_WORDS = re.compile(r"整体支出|部门整体|整体绩效")
_PROJECT_WORDS = re.compile(r"项目支出绩效|项目资金绩效|项目绩效")
_TITLE_YEAR = re.compile(r"[（(]?(20\d{2})\s*年度?[）)]?")


def _strip_year(s: str) -> str:
    return _TITLE_YEAR.sub("", s)


def _year(doc: Document, title: str) -> int | None:
    m = _YEAR_RE.search(title)
    if m:
        return int(m.group(1))
    # "（2021年度）" in a short line or a cell near the top
    text = for_matching(doc.text)
    for m in _YEAR_RE.finditer(text[:3000]):
        if m.group(2):
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.end())
            line = clean_text(text[line_start : line_end if line_end >= 0 else len(text)])
            if len(line) <= 30:
                return int(m.group(1))
    counts = Counter(int(m.group(1)) for m in _YEAR_RE.finditer(text))
    if not counts:
        return None
    (year, _), *_ = counts.most_common(1)
    return year


def _unit(doc: Document, title: str, title_span: Span | None) -> str | None:
    if title:
        unit = _REPORT_SUFFIX.sub("", _strip_year(title)).strip()
        if unit.endswith(_ORG_SUFFIX) and len(unit) >= 3:
            return unit
    for table in doc.tables:
        for row in table.rows:
            for cell, nxt in zip(row.cells, row.cells[1:]):
                label = doc.cell_text(cell).rstrip("：:")
                value = doc.cell_text(nxt)
                if label in _UNIT_LABELS and value and len(value) <= 40:
                    return value
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                m = _INLINE_UNIT.match(doc.cell_text(cell))
                if m and m.group(1).endswith(_ORG_SUFFIX):
                    return m.group(1)
    for table in doc.tables[:2]:  # a form's title row: "XX局2023年度部门整体支出绩效自评表"
        for row in table.rows[:_TITLE_ROWS]:
            for cell in row.cells:
                line = for_matching(doc.cell_text(cell))
                if len(line) > 80 or not _TITLE_WORDS.search(line) or "：" in line or ":" in line:
                    continue
                unit = _REPORT_SUFFIX.sub("", _strip_year(line)).strip()
                if unit.endswith(_ORG_SUFFIX) and len(unit) >= 3:
                    return unit
    for para in doc.paragraphs[:20]:
        if title_span is not None and title_span.start <= para.start < title_span.end:
            continue  # a project report's title names the project, not the unit
        line = clean_text(doc.text[para.start : para.end])
        m = _ORG_RE.match(_strip_year(line))
        if m and "名称" not in m.group(1):
            return m.group(1)
        m = _INLINE_UNIT.match(line)
        if m and m.group(1).endswith(_ORG_SUFFIX):
            return m.group(1)
    return None


def _kind(doc: Document, title: str) -> str:
    """department for 整体支出 reports (which may also carry project forms), project for a project's own
    report; decided by the title when there is one, else by the body."""
    for text in (title, clean_text(doc.text)):
        if not text:
            continue
        if _DEPARTMENT_WORDS.search(text):
            return "department"
        if _PROJECT_WORDS.search(text):
            return "project"
    return "unknown"
