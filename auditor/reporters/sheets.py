"""XLSX and CSV reporters: the batch ranking and one row per finding.

Input is the typed result of a batch (:class:`auditor.results.BatchResult`, or its JSON), normally
ranked (``risk_score``, ``rank``, ``tier`` set); a missing ``tier`` is derived from ``risk_score``. Nothing is dropped: reports with an ``error`` appear in the
ranking with the error text, and every finding is one row. The findings table also has one row
for each report without findings (an error, 需人工确认 or clean: its 报告说明 says which), so that
it alone accounts for every file; every row carries the report's rank, risk and tier, its
duplicate group (重复组, 重复于), and each finding a numeric 严重度 (高 3, 中 2, 低 1, 提示 0)
that sorts where 高/中/低 sort by pinyin.

Headers and severity labels are Chinese (高/中/低/提示). CSV files are UTF-8 with a BOM so that
Excel opens Chinese text correctly. Control characters (illegal in XLSX, a hazard in CSV) are
shown as Control Pictures (BEL → ␇) and file names that are not UTF-8 as ``\\xNN``. Text that a spreadsheet would read as a formula (starting
with ``=``, ``+``, ``-`` or ``@`` after any leading blanks, and not a plain number) is stored
as text in XLSX and prefixed with an apostrophe in CSV (the usual guard against formula injection).
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from pathlib import Path
from collections import Counter
from typing import Any, Iterable, Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from auditor.display import scrub, visible_controls
from auditor.engine import Report
from auditor.errors import AuditorError
from auditor.findings import Evidence, plain_values
from auditor.results import BatchResult, needs_review_reason
from auditor.scoring import SEVERITIES, SEVERITY_LABELS, TIER_ERROR, tier_of

RANKING_HEADERS: tuple[str, ...] = (
    "排名", "风险分", "风险等级", "单位", "年度", "文件",
    *(f"{SEVERITY_LABELS[s]}（条）" for s in SEVERITIES), "错误",
    "需人工确认原因", "重复组", "重复于",
)
FINDING_HEADERS: tuple[str, ...] = (
    "排名", "风险分", "风险等级", "报告说明",
    "文件", "单位", "年度", "规则", "名称", "严重程度", "严重度", "置信度", "说明", "证据", "证据位置", "数值",
    "重复组", "重复于", "位置",
)
EVIDENCE_SEPARATOR = "\n"
MAX_COLUMN_WIDTH = 60
_FORMULA_START = ("=", "+", "-", "@")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?%?$")


def _error_text(error: AuditorError | None) -> str:
    if error is None:
        return ""
    return f"{error.code}：{error.message}" if error.code else str(error.message)


def _ordered_reports(batch: BatchResult) -> list[Report]:
    """Reports by rank (unranked last, in their given order)."""
    def key(item: tuple[int, Report]) -> tuple[bool, int, int]:
        position, report = item
        return (report.rank is None, report.rank or 0, position)

    return [r for _, r in sorted(enumerate(batch.reports), key=key)]


def ranking_rows(batch: BatchResult | Mapping[str, Any]) -> list[list[Any]]:
    """Rows of the ranking (without header): one per report, in rank order."""
    rows: list[list[Any]] = []
    for report in _ordered_reports(BatchResult.of(batch)):
        counts = Counter(f.severity for f in report.findings)
        rows.append([
            report.rank, report.risk_score, _tier(report), report.unit or "", report.year,
            report.path or "", *(counts[s] for s in SEVERITIES),
            _error_text(report.error), needs_review_reason(report), *_duplicates(report),
        ])
    return rows


def _tier(report: Report) -> str:
    return report.tier or (TIER_ERROR if report.error else tier_of(report.risk_score))


def _duplicates(report: Report) -> list[str]:
    """重复组 and 重复于 (a report of a batch run, :class:`auditor.batch.BatchReport`)."""
    return [getattr(report, "duplicate_group", None) or "", getattr(report, "duplicate_of", None) or ""]


def _report_note(report: Report) -> str:
    """What the report as a whole is: an error, 需人工确认 with its reason, or clean (no findings)."""
    if report.error:
        return f"无法审核：{_error_text(report.error)}"
    review = needs_review_reason(report)
    if review:
        return f"需人工确认：{review}"
    if not report.findings:
        return "未发现问题"
    return ""


def finding_rows(batch: BatchResult | Mapping[str, Any], lang: str = "zh") -> list[list[Any]]:
    """Rows of the findings table (without header): one per finding, and one for each report
    without findings (its 报告说明 says why), reports in rank order."""
    rows: list[list[Any]] = []
    for report in _ordered_reports(BatchResult.of(batch)):
        head = [report.rank, report.risk_score, _tier(report), _report_note(report)]
        tail = _duplicates(report)
        if not report.findings:
            rows.append([*head, report.path or "", report.unit or "", report.year,
                         "", "", "", None, None, "", "", "", "", *tail, ""])
        for finding in report.findings:
            evidence = finding.evidence
            values = plain_values(finding.values)
            rows.append([
                *head,
                report.path or "", report.unit or "", report.year,
                finding.rule, finding.title(lang) or finding.name,
                finding.severity.label, finding.severity.rank, round(float(finding.confidence), 3),
                finding.message_in(lang), EVIDENCE_SEPARATOR.join(e.text for e in evidence),
                EVIDENCE_SEPARATOR.join(_position(e) for e in evidence),
                json.dumps(values, ensure_ascii=False, sort_keys=True) if values else "",
                *tail,
                EVIDENCE_SEPARATOR.join(e.label for e in evidence),
            ])
    return rows


def _position(evidence: Evidence) -> str:
    where = f"{evidence.start}–{evidence.end}"
    return f"{evidence.source}：{where}" if evidence.source else where


# --------------------------------------------------------------------------- xlsx


def _display_width(value: Any) -> int:
    """Approximate width in Excel character units (wide CJK characters count 2)."""
    if value is None:
        return 0
    if isinstance(value, str):
        text = value
    else:
        text = f"{value:.1f}" if isinstance(value, float) else str(value)
    longest = 0
    for line in text.split("\n"):
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        longest = max(longest, width)
    return longest


def _needs_guard(value: Any) -> bool:
    """Text a spreadsheet could take for a formula: =, +, -, @ first (after leading blanks)."""
    if not isinstance(value, str):
        return False
    stripped = value.lstrip()
    return stripped.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(stripped)


def _write_sheet(ws: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                 wrap_columns: set[str]) -> None:
    ws.append(list(headers))
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for cell in ws[1]:
        cell.font = header_font
        cell.fill = header_fill
    widths = [_display_width(h) for h in headers]
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for row in rows:
        row = [_cell_value(v) for v in row]
        ws.append(row)
        excel_row = ws.max_row
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=excel_row, column=col)
            if _needs_guard(value):
                cell.value = value
                cell.data_type = "s"  # keep as text, never evaluated as a formula
            cell.alignment = wrap if headers[col - 1] in wrap_columns else top
            widths[col - 1] = max(widths[col - 1], _display_width(value))
    for col, width in enumerate(widths, start=1):
        column = get_column_letter(col)
        ws.column_dimensions[column].width = min(MAX_COLUMN_WIDTH, max(6, width + 2))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, ws.max_row)}"


def write_xlsx(batch: BatchResult | Mapping[str, Any], path: str | Path, *, lang: str = "zh") -> None:
    """Write a workbook with a 排名 sheet (one row per report) and a 发现 sheet (one per finding)."""
    workbook = Workbook()
    ranking = workbook.active
    ranking.title = "排名"
    _write_sheet(ranking, RANKING_HEADERS, ranking_rows(batch), wrap_columns={"错误", "需人工确认原因"})
    for row in ranking.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in row:
            cell.number_format = "0.0"
    findings = workbook.create_sheet("发现")
    _write_sheet(findings, FINDING_HEADERS, finding_rows(batch, lang),
                 wrap_columns={"报告说明", "说明", "证据", "证据位置", "数值", "位置"})
    for name, number_format in (("置信度", "0.00"), ("风险分", "0.0")):
        column = FINDING_HEADERS.index(name) + 1
        for row in findings.iter_rows(min_row=2, min_col=column, max_col=column):
            for cell in row:
                cell.number_format = number_format
    workbook.save(str(path))


# --------------------------------------------------------------------------- csv


def _cell_value(value: Any) -> Any:
    """A value a workbook cell accepts: text with C0 controls shown as Control Pictures (XLSX
    forbids them) and file names that are not UTF-8 as ``\\xNN``."""
    if isinstance(value, str):
        return visible_controls(scrub(value))
    return value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    value = _cell_value(value)
    if _needs_guard(value):
        return "'" + value
    return value


def _write_csv(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_value(v) for v in row])


def write_csv(batch: BatchResult | Mapping[str, Any], path: str | Path, *, lang: str = "zh") -> None:
    """Write the findings as CSV, UTF-8 with BOM: one row per finding and one per report without
    findings (errors, 需人工确认 and clean reports), each with rank, risk and tier."""
    _write_csv(path, FINDING_HEADERS, finding_rows(batch, lang))


def write_ranking_csv(batch: BatchResult | Mapping[str, Any], path: str | Path, *, lang: str = "zh") -> None:
    """Write the ranking (one row per report, errors included) as CSV, UTF-8 with BOM."""
    _write_csv(path, RANKING_HEADERS, ranking_rows(batch))
