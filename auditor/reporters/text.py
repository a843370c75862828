"""The terminal reporter (rich): a summary, the ranking, each report's findings one per line, totals.

- **Summary first**: the files found, audited, with errors, unsupported and needing a person's check
  (the batch's ``summary``), and what the decisions file changed (``review``).
- **One finding per line**: severity, rule code, Chinese title, message, its first evidence with where
  to find it, and its id (``#AR101-3f9a2c1b7e``, for ``auditor review``). A line is printed whole
  (rich's ``soft_wrap``): rich never breaks it, so a number is never split (``1071.⏎69万元``); a narrow
  terminal wraps the whole line itself.
- **Filters** (terminal only): ``top`` keeps the N highest-ranked reports, ``min_severity`` the findings at
  or above a severity; what is left out is counted.
- **Totals line** last, over the whole batch.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.display import scrub, terminal_safe
from auditor.engine import Report
from auditor.summary import batch_summary
from auditor.findings import Evidence, Finding, Severity
from auditor.results import BatchResult, needs_review_reason

_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
_SEVERITY_ZH = {s.value: s.label for s in Severity}
_SEVERITY_ORDER = ("high", "medium", "low", "info")
_REVIEW_STYLE = {"误报": "dim strike", "已复核": "green", "待跟进": "magenta"}
EVIDENCE_CHARS = 40  # an evidence quote longer than this is cut (never inside a number)
_NUMBER_TAIL = re.compile(r"[\d.,，%％万亿元]*")


def severity_level(severity: str) -> int:
    """high 3 … info 0; an unknown severity counts as medium."""
    known = Severity.parse(severity)
    return known.rank if known is not None else 2


def render_text(batch: BatchResult | Mapping[str, Any], console: Console, *, top: int | None = None,
                min_severity: str | None = None, lang: str = "zh") -> None:
    """Print the summary, the ranking and the findings. Every string is made terminal-safe first: a
    file name or a title carrying ``ESC [`` sequences is shown as ␛[…, never sent to the terminal raw."""
    batch = scrub(BatchResult.of(batch), terminal_safe)
    reports = sorted(batch.reports, key=lambda r: (r.rank is None, r.rank or 0))
    shown = reports[:top] if top else reports
    floor = severity_level(min_severity) if min_severity else 0
    _print_summary(batch, console, lang)
    _print_ranking(shown, len(reports), console)
    hidden = 0
    for r in shown:
        console.print()
        head = Text(f"{r.rank}. {r.path}", style="bold")
        if r.error:
            cannot = "cannot be read" if lang == "en" else "无法读取"
            head.append(f"  {cannot}：[{r.error.code}] {r.error.message_in(lang)}", style="bold red")
            console.print(head, soft_wrap=True)
            continue
        head.append(f"  {r.unit or '（未识别单位）'} {r.year or ''}年度  风险 {r.risk_score}")
        console.print(head, soft_wrap=True)
        review = r.needs_review
        if review:
            console.print(Text(f"  需人工确认：{needs_review_reason(r)}", style="bold yellow"), soft_wrap=True)
        group = getattr(r, "duplicate_group", None)
        if group:
            twin = getattr(r, "duplicate_of", None)
            same = f"，与 {twin} 内容相同" if twin else ""
            console.print(Text(f"  重复提交（{group}）{same}", style="yellow"), soft_wrap=True)
        findings = sorted(r.findings, key=lambda f: -f.severity.rank)
        listed = [f for f in findings if f.severity.rank >= floor]
        hidden += len(findings) - len(listed)
        if not findings and not review:
            console.print("  未发现问题。", style="green")
        for f in listed:
            console.print(finding_line(f, lang), soft_wrap=True)
        if len(listed) < len(findings):
            console.print(f"  （另有 {len(findings) - len(listed)} 条低于“{_SEVERITY_ZH[min_severity]}”的发现未列出）",
                          style="dim", soft_wrap=True)
    console.print()
    console.print(totals_line(batch, len(shown), hidden), style="bold", soft_wrap=True, highlight=False)


def finding_line(f: Finding, lang: str = "zh") -> Text:
    """One finding on one line: [级别] CODE 标题：message 「evidence」（where） #id  [decision]."""
    line = Text("  ")
    line.append(f"[{f.severity.label}] ", style=_SEVERITY_STYLE.get(f.severity, ""))
    line.append(f"{f.rule} {f.title(lang) or f.name}：", style="bold")
    line.append(f.message_in(lang))
    if f.evidence:
        e = f.evidence[0]
        more = f" 等 {len(f.evidence)} 处" if len(f.evidence) > 1 else ""
        line.append(f"  「{quote(e.text)}」（{evidence_place(e)}{more}）", style="dim")
    if f.id:
        line.append(f"  #{f.id}", style="dim")
    if f.review is not None and f.review.status:
        reason = f"：{f.review.reason}" if f.review.reason else ""
        who = f"（{f.review.by}）" if f.review.by else ""
        line.append(f"  [{f.review.status}{reason}{who}]", style=_REVIEW_STYLE.get(f.review.status, ""))
    return line


def quote(text: str, limit: int = EVIDENCE_CHARS) -> str:
    """The evidence on one line, cut after ``limit`` characters but never inside a number."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    inside_number = text[limit - 1].isdigit() or text[limit].isdigit()
    end = _NUMBER_TAIL.match(text, limit).end() if inside_number else limit
    return text[:end] + ("…" if end < len(text) else "")


def evidence_place(e: Evidence) -> str:
    """Where a person finds the evidence: its location label when the reader knows one, else the
    section and the character offsets."""
    if e.label:
        place = e.label
    else:
        where = "表格" if e.where == "table" else "正文"
        section = f"｜{e.section}" if e.section else ""
        place = f"{where}{section} 第{e.start}–{e.end}字"
    return place + (f"｜来源 {e.source}" if e.source else "")


def totals_line(batch: BatchResult, shown: int, hidden: int) -> str:
    """合计 over the whole batch: reports, errors, findings by severity, decisions, tiers."""
    reports = batch.reports
    counts = Counter(f.severity for r in reports for f in r.findings)
    decided = sum(1 for r in reports for f in r.findings if f.review is not None)
    tiers = Counter(r.tier for r in reports)
    unreadable = batch_summary(reports)  # counted as the summary line counts them
    errors, unsupported = unreadable.get("errors", 0), unreadable.get("unsupported", 0)
    unsupported_part = f"，格式不支持 {unsupported}" if unsupported else ""
    parts = "，".join(f"{_SEVERITY_ZH[s]} {counts.get(s, 0)}" for s in _SEVERITY_ORDER)
    text = (f"合计：{len(reports)} 份报告（出错 {errors}{unsupported_part}），发现 {sum(counts.values())} 条（{parts}）；"
            f"风险等级 高 {tiers.get('高', 0)}，中 {tiers.get('中', 0)}，低 {tiers.get('低', 0)}")
    if batch.review is not None:
        text += f"；已决定 {decided} 条"
    if shown < len(reports):
        text += f"；终端只列出风险最高的 {shown} 份"
    if hidden:
        text += f"；按级别筛去 {hidden} 条"
    return text


def _print_summary(batch: BatchResult, console: Console, lang: str) -> None:
    summary = batch.summary
    labels = (("files", "共找到文件"), ("audited", "已审核"), ("errors", "出错"),
              ("unsupported", "格式不支持"), ("needs_review", "需人工确认"))
    parts = [f"{label} {summary[key]}" for key, label in labels if summary.get(key) is not None]
    if parts:
        console.print("，".join(parts), style="bold", soft_wrap=True, highlight=False)
    if batch.review is not None:
        console.print(f"复核决定（{batch.review.file}）：" + batch.review.sentence(lang),
                      soft_wrap=True, highlight=False)


def _print_ranking(reports: list[Report], total: int, console: Console) -> None:
    title = f"风险排序（{total} 份报告）" if len(reports) == total else f"风险排序（前 {len(reports)} 份，共 {total} 份）"
    ranking = Table(title=title, show_lines=False)
    for column in ("排名", "风险", "等级", "单位", "年度", "高", "中", "低", "文件"):
        numeric = column not in ("单位", "文件")
        ranking.add_column(column, overflow="fold", no_wrap=numeric)
    for r in reports:
        counts = Counter(f.severity for f in r.findings)
        risk = "—" if r.risk_score is None else f"{r.risk_score:.1f}"
        cells = (str(r.rank), risk, r.tier or "", r.unit or "（未识别）", str(r.year or "—"),
                 str(counts[Severity.HIGH]), str(counts[Severity.MEDIUM]), str(counts[Severity.LOW]), r.path)
        ranking.add_row(*(Text(cell) for cell in cells))  # Text: a "[red]" in a name is not markup
    console.print(ranking)
