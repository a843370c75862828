"""Self-contained HTML report of a batch: ranking, charts, highlighted documents, findings.

``render_html(batch, documents)`` takes the typed result of a batch (:class:`auditor.results.BatchResult`;
its JSON, DESIGN.md "Contract: JSON of auditor check --format json", is read into it) and the Document texts that evidence offsets
index (``documents[path]``; evidence with ``source`` set indexes ``documents[source]``). It
returns ONE HTML file: inline CSS and JS, charts as inline SVG computed here, no external URL,
and a Content-Security-Policy that forbids loading anything from outside the file.

Every piece of document-derived text is escaped: Jinja2 runs with autoescape on, and the few
fragments built in Python (highlighted document text, number diffs) go through
:func:`markupsafe.escape` segment by segment.

Per report, every evidence span is highlighted in place with ``<mark>``; overlapping spans are
split into elementary segments, each carrying the ids of all findings and evidence items that
cover it (``data-finding`` / ``data-ev``, space separated), so concatenating the marks of one
evidence id gives back exactly ``documents[path][start:end]``. Evidence whose offsets do not
match the text is not highlighted (never at a wrong place) and is flagged in the sidebar.
The document's tables are drawn as ``<table>`` grids, the cell holding evidence outlined; the
TABs, bars and line breaks between cells stay in the page as hidden text, so the page's text is
still the whole document. Each evidence item shows its location label ("表2 第4行第3列").

An optional ``alignment`` on a finding (:class:`auditor.findings.Alignment`: the source's path and
its aligned pairs; the older pair shapes of a JSON input are read by ``AlignedPair.from_value``) is
rendered as a side-by-side block (left: this report, right: the source) with changed numbers marked.
Offsets index ``documents[report path]`` (left) and ``documents[alignment source]`` (right); given
texts are used when a document is missing.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Iterable, Mapping, Sequence

import jinja2
from markupsafe import Markup, escape

from auditor.display import same_length_text, scrub, visible_controls
from auditor.engine import Report
from auditor.findings import Alignment, Evidence, Severity, plain_values
from auditor.results import BatchResult, needs_review_reason
from auditor.scoring import SEVERITIES, SEVERITY_LABELS, TIER_ERROR, tier_of

SEVERITY_ORDER: Mapping[str, int] = {s.value: s.rank for s in Severity}
KIND_LABELS: Mapping[str, str] = {"department": "部门整体", "project": "项目", "unknown": "未识别"}
SOURCE_CONTEXT_CHARS = 60
CHART_TOP_N = 20

_TEMPLATES = resources.files("auditor.reporters").joinpath("templates")


def _read_asset(name: str) -> str:
    return _TEMPLATES.joinpath(name).read_text(encoding="utf-8")


_ENV = jinja2.Environment(
    loader=jinja2.FunctionLoader(lambda name: _read_asset(name)),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# --------------------------------------------------------------------------- view model


@dataclass
class EvidenceView:
    """One evidence item as shown in the sidebar."""

    key: str
    text: str
    start: int | None
    end: int | None
    where: str
    section: str
    source: str | None
    highlighted: bool = False
    problem: str = ""
    snippet: Markup | None = None
    label: str = ""  # where a person finds it: "第3页", "表2 第4行第3列", "自评表!D7", "第12段"


@dataclass
class AlignmentPairView:
    left: Markup
    right: Markup
    score: str
    changed_numbers: int


@dataclass
class AlignmentView:
    anchor: str
    source: str
    pairs: list[AlignmentPairView]
    problems: list[str]


@dataclass
class FindingView:
    """One finding of one report, with its evidence and optional alignment."""

    id: str
    rule: str
    name: str
    severity: str
    severity_label: str
    confidence: str
    message: str
    values: list[tuple[str, str]]
    evidence: list[EvidenceView]
    alignment: AlignmentView | None = None

    @property
    def has_target(self) -> bool:
        return any(ev.highlighted or ev.snippet is not None for ev in self.evidence)


@dataclass
class ReportView:
    """One report section of the page."""

    anchor: str
    path: str
    unit: str
    year: str
    kind: str
    risk: float | None
    risk_text: str
    tier: str
    rank: int | None
    counts: dict[str, int]
    error: dict[str, str] | None
    findings: list[FindingView]
    text_html: Markup | None
    text_chars: int
    notes: list[str] = field(default_factory=list)
    prev_anchor: str | None = None
    next_anchor: str | None = None


# --------------------------------------------------------------------------- highlighting


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    finding_id: str
    evidence_key: str
    severity: str
    title: str


def highlight_text(text: str, spans: Sequence[_Span], context_chars: int | None = None) -> Markup:
    """Escape ``text`` and wrap every span in ``<mark>``, splitting overlaps into segments.

    With ``context_chars`` set, only the stretches within that many characters of a span are
    kept; the rest is replaced by a marker saying how many characters were left out.
    """
    n = len(text)
    valid = [s for s in spans if 0 <= s.start < s.end <= n]
    boundaries = {0, n}
    for s in valid:
        boundaries.add(s.start)
        boundaries.add(s.end)
    keep: list[tuple[int, int]] | None = None
    if context_chars is not None:
        keep = _merge_intervals(
            (max(0, s.start - context_chars), min(n, s.end + context_chars)) for s in valid
        )
        for a, b in keep:
            boundaries.add(a)
            boundaries.add(b)
    points = sorted(boundaries)
    starts_at: dict[int, list[_Span]] = {}
    for s in valid:
        starts_at.setdefault(s.start, []).append(s)
    active: list[_Span] = []
    out: list[str] = []
    keep_index = 0
    skipped = 0
    for a, b in zip(points, points[1:]):
        active = [s for s in active if s.end > a]
        active.extend(starts_at.get(a, ()))
        if keep is not None:
            while keep_index < len(keep) and keep[keep_index][1] <= a:
                keep_index += 1
            inside = keep_index < len(keep) and keep[keep_index][0] <= a
            if not inside:
                skipped += b - a
                continue
            if skipped:
                out.append(_gap_marker(skipped))
                skipped = 0
        piece = escape(text[a:b])
        if not active:
            out.append(piece)
            continue
        severity = max((s.severity for s in active), key=lambda sev: SEVERITY_ORDER.get(sev, 2))
        classes = f"hl sev-{_css_token(severity)}" + (" overlap" if len(active) > 1 else "")
        findings = " ".join(dict.fromkeys(s.finding_id for s in active))
        keys = " ".join(s.evidence_key for s in active)
        title = "；".join(dict.fromkeys(s.title for s in active))
        out.append(
            f'<mark class="{classes}" data-finding="{findings}" data-ev="{keys}" '
            f'title="{escape(title)}">{piece}</mark>'
        )
    if skipped:
        out.append(_gap_marker(skipped))
    return Markup("".join(out))


def _shifted(spans: Sequence[_Span], a: int, b: int) -> list[_Span]:
    """The parts of ``spans`` inside [a, b), with offsets relative to ``a``."""
    return [_Span(max(s.start, a) - a, min(s.end, b) - a, s.finding_id, s.evidence_key, s.severity, s.title)
            for s in spans if s.start < b and s.end > a]


def _grid_tables(layout: Any) -> list[Any]:
    """The tables shown as grids: the Document's TAB tables and its "|" tables, in text order,
    each with its cells in text order and no two overlapping (any other is shown as text)."""
    text = layout.text
    candidates = [t for t in layout.tables if not t.flattened or any(bar in text[t.start:t.end] for bar in "|｜")]
    tables: list[Any] = []
    for table in sorted(candidates, key=lambda t: t.start):
        cells = [c for row in table.rows for c in row.cells]
        ordered = all(x.end <= y.start for x, y in zip(cells, cells[1:]))
        if cells and ordered and (not tables or tables[-1].end <= table.start) \
                and table.start <= cells[0].start and cells[-1].end <= table.end:
            tables.append(table)
    return tables


def _layout(document: Any, path: str) -> Any:
    """The Document whose tables are drawn: the one given, or the text read again (readers' layout)."""
    if isinstance(document, str):
        from auditor.readers.text import build_document

        return build_document(document, path)
    return document


def highlight_with_grids(text: str, spans: Sequence[_Span], layout: Any) -> Markup:
    """Like :func:`highlight_text`, but each table of ``layout`` (a Document over ``text``) is a
    real ``<table>``: one cell per table cell, the cell holding evidence marked ``hit``. The TABs,
    bars and line breaks between cells are kept in hidden ``<span class="sep">``, so the page's
    text is still the whole document and every evidence id's marks still join to its slice."""
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    out: list[str] = []
    position = 0
    for table in _grid_tables(layout):
        start = table.start - 1 if table.start > 0 and text[table.start - 1] == "\n" else table.start
        end = table.end
        while end < len(text) and text[end] in "\r\n":
            end += 1
        if start < position:
            continue
        out.append(highlight_text(text[position:start], _shifted(valid, position, start)))
        number = layout.locate(table.rows[0].cells[0].start).table if table.rows and table.rows[0].cells else None
        out.append(f'<table class="docgrid"><caption data-label="表{number or ""}"></caption>')
        cursor = start
        last = [c for row in table.rows for c in row.cells][-1]
        for row in table.rows:
            out.append("<tr>")
            for cell in row.cells:
                hits = _shifted(valid, cell.start, cell.end)
                classes = "hit sev-" + _css_token(max((h.severity for h in hits),
                                                      key=lambda sev: SEVERITY_ORDER.get(sev, 2))) if hits else ""
                label = layout.locate(cell.start).label
                out.append(f'<td class="{classes}" title="{escape(label)}">' if classes else f'<td title="{escape(label)}">')
                if cursor < cell.start:
                    out.append(f'<span class="sep">{highlight_text(text[cursor:cell.start], _shifted(valid, cursor, cell.start))}</span>')
                out.append(highlight_text(text[cell.start:cell.end], hits))
                cursor = cell.end
                if cell is last and cursor < end:  # the line breaks after the table, hidden
                    out.append(f'<span class="sep">{highlight_text(text[cursor:end], _shifted(valid, cursor, end))}</span>')
                    cursor = end
                out.append("</td>")
            out.append("</tr>")
        out.append("</table>")
        position = end
    out.append(highlight_text(text[position:], _shifted(valid, position, len(text))))
    return Markup("".join(out))


def _gap_marker(count: int) -> str:
    return f'<span class="gap">……（此处省略 {count} 字）……</span>'


def _merge_intervals(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _css_token(value: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", value.lower()) or "unknown"


# --------------------------------------------------------------------------- number diff

_NUMBER_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[\s\S]")


def diff_numbers(left: str, right: str) -> tuple[Markup, Markup, int]:
    """Render two aligned passages with differences marked.

    Numbers are compared as whole tokens: a number that differs between the passages is wrapped
    in ``<mark class="num-changed">``; other changed characters get ``<span class="diff">``.
    Returns (left html, right html, count of changed numbers on the left).
    """
    ltoks = _NUMBER_TOKEN.findall(left)
    rtoks = _NUMBER_TOKEN.findall(right)
    matcher = difflib.SequenceMatcher(None, ltoks, rtoks, autojunk=False)
    lout: list[str] = []
    rout: list[str] = []
    changed = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            lout.append(escape("".join(ltoks[i1:i2])))
            rout.append(escape("".join(rtoks[j1:j2])))
            continue
        for tok in ltoks[i1:i2]:
            lout.append(_diff_token(tok))
            changed += tok[0].isdigit()
        for tok in rtoks[j1:j2]:
            rout.append(_diff_token(tok))
    return Markup("".join(lout)), Markup("".join(rout)), changed


def _diff_token(token: str) -> str:
    if token[0].isdigit():
        return f'<mark class="num-changed">{escape(token)}</mark>'
    if token.isspace():
        return str(escape(token))
    return f'<span class="diff">{escape(token)}</span>'


# --------------------------------------------------------------------------- building views


def _format_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _evidence_view(
    ev: Evidence,
    key: str,
    report_path: str,
    documents: Mapping[str, str],
) -> tuple[EvidenceView, bool]:
    """Build the view of one evidence item; the bool says it indexes the report's own text."""
    start = _int_or_none(ev.start)
    end = _int_or_none(ev.end)
    view = EvidenceView(
        key=key,
        text=str(ev.text or ""),
        start=start,
        end=end,
        where=str(ev.where or ""),
        section=str(ev.section or ""),
        source=str(ev.source) if ev.source else None,
        label=ev.label,
    )
    target_path = view.source or report_path
    doc = documents.get(target_path)
    if doc is None:
        view.problem = "未提供来源文档的正文，无法定位" if view.source else "未提供正文，无法在原文中标出"
        return view, False
    if start is None or end is None or not (0 <= start < end <= len(doc)):
        view.problem = f"证据位置无效（{ev.start!r}–{ev.end!r}），未在原文中标出"
        return view, False
    if view.text and doc[start:end] != view.text:
        view.problem = "证据文字与原文该位置不一致，未在原文中标出"
        return view, False
    if not view.text:
        view.text = doc[start:end]
    if view.source:
        return view, False
    view.highlighted = True
    return view, True


def _source_snippet(
    doc: str, start: int, end: int, finding_id: str, key: str, severity: str
) -> Markup:
    a = max(0, start - SOURCE_CONTEXT_CHARS)
    b = min(len(doc), end + SOURCE_CONTEXT_CHARS)
    before = ("…" if a > 0 else "") + doc[a:start]
    after = doc[end:b] + ("…" if b < len(doc) else "")
    return Markup(
        f'{escape(before)}<mark class="hl sev-{_css_token(severity)}" data-finding="{finding_id}" '
        f'data-ev="{key}" data-source="1">{escape(doc[start:end])}</mark>{escape(after)}'
    )


def _resolve_passage(doc: str | None, start: Any, end: Any, given: Any) -> str | None:
    s, e = _int_or_none(start), _int_or_none(end)
    if doc is not None and s is not None and e is not None and 0 <= s <= e <= len(doc):
        return doc[s:e]
    if isinstance(given, str):
        return given
    return None


def _alignment_view(
    alignment: Alignment | None, anchor: str, report_path: str, documents: Mapping[str, str]
) -> AlignmentView | None:
    if alignment is None:
        return None
    source = alignment.source
    view = AlignmentView(anchor=anchor, source=source, pairs=[], problems=[])
    for index, pair in enumerate(alignment.pairs, start=1):
        if pair is None:
            view.problems.append(f"第 {index} 对比对数据格式无法识别")
            continue
        left = _resolve_passage(documents.get(report_path), pair.left.start, pair.left.end, pair.left.text)
        right = _resolve_passage(documents.get(source), pair.right.start, pair.right.end, pair.right.text)
        if left is None or right is None:
            view.problems.append(f"第 {index} 对比对缺少原文或位置无效，无法显示")
            continue
        lhtml, rhtml, changed = diff_numbers(left, right)
        score = pair.score
        score_text = ""
        if isinstance(score, (int, float)) and not isinstance(score, bool) and math.isfinite(score):
            score_text = f"{score:.0%}" if score <= 1 else f"{score:.1f}"
        view.pairs.append(AlignmentPairView(lhtml, rhtml, score_text, changed))
    return view


def _sidebar_order(view: FindingView) -> tuple[int, int, int]:
    """Most severe first, then by the position of the first highlight in the text."""
    first = min((ev.start for ev in view.evidence if ev.highlighted and ev.start is not None),
                default=1 << 60)
    index = int(view.id.rsplit("-f", 1)[1])
    return (-SEVERITY_ORDER.get(view.severity, 2), first, index)


def _report_view(
    report: Report, index: int, documents: Mapping[str, str], context_chars: int | None,
    layouts: Mapping[str, Any] | None = None, lang: str = "zh",
) -> ReportView:
    path = str(report.path or f"（未命名报告 {index}）")
    anchor = f"r-{index}"
    findings_out: list[FindingView] = []
    spans: list[_Span] = []
    counts = Counter()
    for fi, finding in enumerate(report.findings):
        fid = f"r{index}-f{fi}"
        severity = finding.severity
        counts[severity] += 1
        rule = finding.rule
        name = finding.title(lang) or finding.name  # the Chinese title when known
        evidence_views = []
        for ei, ev in enumerate(finding.evidence):
            key = f"{fid}-e{ei}"
            view, in_main = _evidence_view(ev, key, path, documents)
            if in_main:
                assert view.start is not None and view.end is not None
                title = f"{rule} {name}".strip()
                spans.append(_Span(view.start, view.end, fid, key, severity, title))
            elif view.source and not view.problem:
                assert view.start is not None and view.end is not None
                view.snippet = _source_snippet(documents[view.source], view.start, view.end,
                                               fid, key, severity)
            evidence_views.append(view)
        value_items = [(value_label(str(k)), _format_value(v)) for k, v in plain_values(finding.values).items()]
        findings_out.append(
            FindingView(
                id=fid,
                rule=rule,
                name=name,
                severity=severity,
                severity_label=severity.label,
                confidence=f"{round(float(finding.confidence), 3):.2f}",
                message=finding.message_in(lang),
                values=value_items,
                evidence=evidence_views,
                alignment=_alignment_view(finding.alignment, f"{fid}-align", path, documents),
            )
        )
    findings_out.sort(key=_sidebar_order)
    text = documents.get(path)
    notes: list[str] = []
    if text is None:
        text_html = None
        if not report.error:
            notes.append("未提供本报告的正文，证据只能以文字列出。")
    elif context_chars is None and (layouts or {}).get(path) is not None:
        text_html = highlight_with_grids(text, spans, _layout(layouts[path], path))
    else:
        text_html = highlight_text(text, spans, context_chars)
        if context_chars is not None:
            notes.append(f"为控制文件大小，只显示证据前后 {context_chars} 字以内的正文。")
    reason = needs_review_reason(report)
    if reason:
        notes.insert(0, f"需人工确认：{reason}")
    group = getattr(report, "duplicate_group", None)  # a report of a batch run (BatchReport)
    if group:
        twin = getattr(report, "duplicate_of", None)
        notes.append(f"重复提交（{group}）：" + (f"与 {twin} 内容相同" if twin else "同组其他文件与本文件内容相同"))
    risk_value = report.risk_score
    tier = str(report.tier or (TIER_ERROR if report.error else tier_of(risk_value)))
    error = report.error
    error_view = {"code": str(error.code or ""), "message": str(error.message or "")} if error else None
    return ReportView(
        anchor=anchor,
        path=path,
        unit=str(report.unit or ""),
        year="" if report.year is None else str(report.year),
        kind=KIND_LABELS.get(str(report.kind or ""), str(report.kind or "")),
        risk=risk_value,
        risk_text="—" if risk_value is None else f"{risk_value:.1f}",
        tier=tier,
        rank=_int_or_none(report.rank),
        counts={sev: counts.get(sev, 0) for sev in SEVERITIES},
        error=error_view,
        findings=findings_out,
        text_html=text_html,
        text_chars=0 if text is None else len(text),
        notes=notes,
    )


# --------------------------------------------------------------------------- charts


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"
    css: str = ""
    title: str = ""


@dataclass
class Chart:
    """Geometry of one inline SVG chart (rendered by the template)."""

    title: str
    width: int
    height: int
    bars: list[Bar]
    labels: list[Label]
    lines: list[tuple[float, float, float, float]]
    note: str = ""
    empty: str = ""
    legend: bool = False


def _tier_css(tier: str) -> str:
    return {"高": "tier-high", "中": "tier-medium", "低": "tier-low"}.get(tier, "tier-error")


def risk_histogram(reports: Sequence[ReportView]) -> Chart:
    """Histogram of risk scores in ten bins of width 10 (100 falls in the last bin)."""
    bins = [0] * 10
    for r in reports:
        if r.risk is not None:
            bins[min(9, max(0, int(r.risk // 10)))] += 1
    errors = sum(1 for r in reports if r.risk is None)
    width, height, left, bottom, top = 560, 240, 44, 40, 24
    plot_w, plot_h = width - left - 16, height - bottom - top
    peak = max(bins) or 1
    bar_w = plot_w / 10
    bars: list[Bar] = []
    labels: list[Label] = []
    for i, count in enumerate(bins):
        h = plot_h * count / peak
        x = left + i * bar_w
        tier = tier_of(i * 10.0)
        bars.append(Bar(x + 3, top + plot_h - h, bar_w - 6, h, _tier_css(tier),
                        f"风险分 {i * 10}–{i * 10 + 10}：{count} 份报告"))
        if count:
            labels.append(Label(x + bar_w / 2, top + plot_h - h - 4, str(count), css="count"))
        bin_label = f"{i * 10}–{i * 10 + 10}"
        labels.append(Label(x + bar_w / 2, top + plot_h + 16, bin_label, css="axis"))
    labels.append(Label(left + plot_w / 2, height - 4, "风险分", css="axis-title"))
    labels.append(Label(12, top + plot_h / 2, "报告数", css="axis-title vertical"))
    labels.append(Label(left - 6, top + 4, str(peak), anchor="end", css="axis"))
    labels.append(Label(left - 6, top + plot_h, "0", anchor="end", css="axis"))
    lines = [(left, top + plot_h, left + plot_w, top + plot_h), (left, top, left, top + plot_h)]
    note = f"另有 {errors} 份报告处理出错，未评分。" if errors else ""
    scored = len(reports) - errors
    return Chart("风险分布", width, height, bars, labels, lines, note,
                 "" if scored else "没有已评分的报告。")


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def severity_bars(
    title: str, rows: Sequence[tuple[str, Counter]], total_rows: int, what: str
) -> Chart:
    """Horizontal bars, one per row, stacked by severity (high → info)."""
    label_w, width, row_h, top = 230, 620, 22, 8
    plot_w = width - label_w - 50
    peak = max((sum(c.values()) for _, c in rows), default=0) or 1
    bars: list[Bar] = []
    labels: list[Label] = []
    for i, (label, counter) in enumerate(rows):
        y = top + i * row_h
        x = float(label_w)
        labels.append(Label(label_w - 8, y + row_h * 0.68, _truncate(label, 22), anchor="end",
                            css="row-label", title=label))
        order = list(SEVERITIES) + sorted(k for k in counter if k not in SEVERITIES)
        for sev in order:
            count = counter.get(sev, 0)
            if not count:
                continue
            w = plot_w * count / peak
            bars.append(Bar(x, y + 3, w, row_h - 6, f"sev-{_css_token(sev)}",
                            f"{label}：{SEVERITY_LABELS.get(sev, sev)} {count} 条"))
            x += w
        labels.append(Label(x + 6, y + row_h * 0.68, str(sum(counter.values())), anchor="start",
                            css="count"))
    height = top + max(1, len(rows)) * row_h + 10
    note = ""
    if total_rows > len(rows):
        note = f"只显示发现最多的 {len(rows)} 个{what}，共 {total_rows} 个。"
    lines = [(label_w, top, label_w, height - 10)]
    return Chart(title, width, height, bars, labels, lines, note, "" if rows else "没有发现。",
                 legend=True)


def findings_by_rule(reports: Sequence[ReportView]) -> Chart:
    """Findings counted per rule (stacked by severity), most frequent first."""
    per_rule: dict[str, Counter] = {}
    for r in reports:
        for f in r.findings:
            label = f"{f.rule} {f.name}".strip() or "（未命名规则）"
            per_rule.setdefault(label, Counter())[f.severity] += 1
    rows = sorted(per_rule.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    return severity_bars("各规则发现数", rows[:CHART_TOP_N], len(rows), "规则")


def findings_by_unit(reports: Sequence[ReportView]) -> Chart:
    """Findings counted per unit (stacked by severity), most frequent first."""
    per_unit: dict[str, Counter] = {}
    for r in reports:
        counter = per_unit.setdefault(r.unit or "（未识别单位）", Counter())
        for f in r.findings:
            counter[f.severity] += 1
    rows = sorted(((u, c) for u, c in per_unit.items() if c),
                  key=lambda kv: (-sum(kv[1].values()), kv[0]))
    return severity_bars("各单位发现数", rows[:CHART_TOP_N], len(rows), "单位")


# --------------------------------------------------------------------------- entry point


def _ordered(reports: Sequence[Report]) -> list[Report]:
    """Reports by rank when ranks are present (unranked last), else in the given order."""
    def key(item: tuple[int, Report]) -> tuple[int, int, int]:
        pos, report = item
        rank = _int_or_none(report.rank)
        return (rank is None, rank or 0, pos)

    return [r for _, r in sorted(enumerate(reports), key=key)]


def render_html(
    batch: BatchResult | Mapping[str, Any],
    documents: Mapping[str, Any],
    *,
    context_chars: int | None = None,
    title: str = "绩效自评报告审核结果",
    lang: str = "zh",
) -> str:
    """Render a batch (:class:`auditor.results.BatchResult`, or its JSON) as one self-contained HTML page.

    ``documents`` maps a path to the Document (or its text) that evidence offsets index; its
    tables are shown as grids (:func:`highlight_with_grids`; from a text they are read again). With
    ``context_chars`` set, each report shows only the text within that many characters of its
    highlighted evidence (a smaller file for very large batches); by default the whole text.
    Control characters are shown as Control Pictures (␇, ␛) and file names that are not UTF-8
    as ``\\xNN`` (:mod:`auditor.display`); the page is always valid UTF-8.
    """
    batch = scrub(BatchResult.of(batch), visible_controls)
    layouts = {scrub(path, visible_controls): doc for path, doc in documents.items()}
    documents = {path: same_length_text(doc if isinstance(doc, str) else doc.text) for path, doc in layouts.items()}
    reports = _ordered(batch.reports)
    views = [_report_view(r, i, documents, context_chars, layouts, lang) for i, r in enumerate(reports, start=1)]
    for prev, nxt in zip(views, views[1:]):
        prev.next_anchor = nxt.anchor
        nxt.prev_anchor = prev.anchor
    totals = Counter()
    for v in views:
        for f in v.findings:
            totals[f.severity] += 1
    tiers = Counter(v.tier for v in views)
    template = _ENV.get_template("report.html.j2")
    return template.render(
        title=title,
        version=str(batch.auditor_version or ""),
        reports=views,
        errors=[v for v in views if v.error],
        totals={sev: totals.get(sev, 0) for sev in SEVERITIES},
        total_findings=sum(totals.values()),
        tiers=tiers,
        charts=[risk_histogram(views), findings_by_rule(views), findings_by_unit(views)],
        severity_labels=SEVERITY_LABELS,
        severities=SEVERITIES,
        tier_css=_tier_css,
        css=Markup(_read_asset("style.css")),
        js=Markup(review_script(reports, lang) + _read_asset("script.js")),
    )


# --------------------------------------------------------------------------- review marks


def value_labels() -> dict[str, str]:
    """Chinese labels of ``values`` keys (auditor/data/value_labels.tsv), read once."""
    if not _VALUE_LABEL_CACHE:
        from pathlib import Path

        path = Path(__file__).resolve().parents[1] / "data" / "value_labels.tsv"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#") and "\t" in line:
                key, label = line.split("\t", 1)
                _VALUE_LABEL_CACHE[key.strip()] = label.strip()
    return _VALUE_LABEL_CACHE


_VALUE_LABEL_CACHE: dict[str, str] = {}


def value_label(key: str) -> str:
    """A ``values`` key as a reader sees it (``stated_total`` → 所称合计数); unknown keys unchanged."""
    return value_labels().get(key, key)


def review_data(reports: Sequence[Report], lang: str = "zh") -> dict[str, Any]:
    """What the page's review marks need: per finding card (``r{i}-f{j}``, as :func:`_report_view`
    numbers them) its stable id, rule, unit, year, message and the decision already on file, and the
    columns of the decisions file the export writes (:mod:`auditor.review`)."""
    from auditor.review import COLUMNS, STATUSES

    cards: dict[str, Any] = {}
    for index, report in enumerate(reports, start=1):
        for fi, finding in enumerate(report.findings):
            if not finding.id:
                continue
            cards[f"r{index}-f{fi}"] = {
                "id": str(finding.id), "rule": finding.rule,
                "unit": str(report.unit or ""), "year": "" if report.year is None else str(report.year),
                "message": finding.message_in(lang),
                "review": finding.review.to_dict() if finding.review is not None else None,
            }
    return {"columns": list(COLUMNS), "statuses": list(STATUSES), "findings": cards}


def review_script(reports: Sequence[Report], lang: str = "zh") -> str:
    """``window.AUDITOR_REVIEW = {...};`` for script.js; every ``<`` is escaped so that no text from a
    report can close the script element."""
    payload = json.dumps(review_data(reports, lang), ensure_ascii=False).replace("<", "\\u003c")
    payload = payload.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.AUDITOR_REVIEW = {payload};\n"
