"""The reviewer's workflow: stable finding ids and a decisions file (the pattern of Ruff's baseline).

**Finding id.** ``RULE-xxxxxxxxxx``: the rule code and ten hex digits of a SHA-1 over the rule, the
report's unit and year, and the finding's evidence texts, normalised (NFKC, export residue and all
whitespace dropped). Offsets are not part of it, so the id stays the same when the report is re-run
or edited elsewhere; a changed figure in the evidence gives a new id. A report without a recognised
unit uses its file name instead of the unit. Two findings of one report with the same id (the same
rule on the same words twice) are told apart by ``-2``, ``-3`` … in the order they appear.

**Decisions file** (CSV, UTF-8 with BOM so that Excel and WPS open it): one row per finding id::

    编号,状态,理由,复核人,时间,规则,单位,年度,问题
    AR101-3f9a2c1b7e,误报,分项只列了一部分,张三,2026-11-30 09:12:00,AR101,某某局,2024,正文称……

``状态`` is 已复核 (checked, the finding stands), 误报 (false alarm) or 待跟进 (to follow up);
``规则``/``单位``/``年度``/``问题`` are context for the reader and are not read back. English headers
(id, status, reason, by, at) and statuses (reviewed, false-positive, follow-up) are accepted too.
A later row for the same id replaces an earlier one.

**Risk rule.** A finding decided 误报 no longer counts towards its report's risk score; 已复核 and
待跟进 findings still count (the defect is real or not yet settled). Every decided finding is still
shown, with its decision.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from auditor.errors import AuditorError
from auditor.nlp.nfkc import nfkc

REVIEWED, FALSE_ALARM, FOLLOW_UP = "已复核", "误报", "待跟进"
STATUSES: tuple[str, ...] = (REVIEWED, FALSE_ALARM, FOLLOW_UP)
STATUS_ALIASES: dict[str, str] = {
    "reviewed": REVIEWED, "checked": REVIEWED, "ok": REVIEWED, "复核": REVIEWED, "已核": REVIEWED,
    "false-positive": FALSE_ALARM, "false_positive": FALSE_ALARM, "fp": FALSE_ALARM, "false-alarm": FALSE_ALARM,
    "follow-up": FOLLOW_UP, "follow_up": FOLLOW_UP, "todo": FOLLOW_UP, "跟进": FOLLOW_UP,
}
STATUS_EN: dict[str, str] = {REVIEWED: "reviewed", FALSE_ALARM: "false-positive", FOLLOW_UP: "follow-up"}
# statuses whose findings leave the risk score (see the module docstring)
OUT_OF_RISK: frozenset[str] = frozenset({FALSE_ALARM})

COLUMNS: tuple[str, ...] = ("编号", "状态", "理由", "复核人", "时间", "规则", "单位", "年度", "问题")
_HEADER_ALIASES: dict[str, str] = {
    "编号": "id", "id": "id", "状态": "status", "status": "status", "理由": "reason", "reason": "reason",
    "复核人": "by", "by": "by", "时间": "at", "at": "at", "规则": "rule", "rule": "rule",
    "单位": "unit", "unit": "unit", "年度": "year", "year": "year", "问题": "message", "message": "message",
}
ID_PATTERN = re.compile(r"^(AR|XC|TG|RU|CP|IN)\d{3}-[0-9a-f]{10}(-\d+)?$")

_RESIDUE = re.compile(r"\[bookmark:[^\]]*\]")
_SPACE = re.compile(r"\s+")


RISK_RULE_ZH = """复核决定与风险分（auditor check --review 决定文件）
- 误报：该条发现不再计入风险分（仍在报告中列出，标明“误报”及理由）；
- 已复核：问题属实，照常计分；
- 待跟进：尚未定论，照常计分。"""


class ReviewFileError(AuditorError):
    """A decisions file that cannot be read or holds a row that cannot be used."""

    code = "review-file-invalid"


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    status: str
    reason: str = ""
    by: str = ""
    at: str = ""
    rule: str = ""
    unit: str = ""
    year: str = ""
    message: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"status": self.status, "reason": self.reason, "by": self.by, "at": self.at}


# --------------------------------------------------------------------------- ids


def normalise_evidence(text: str) -> str:
    """Evidence text as the id sees it: NFKC, ``[bookmark: …]`` residue and all whitespace dropped."""
    return _SPACE.sub("", _RESIDUE.sub("", nfkc(text)))


def finding_id(rule: str, unit: str | None, year: int | str | None, evidence_texts: Iterable[str],
               fallback: str = "") -> str:
    """The stable id of a finding: rule, unit, year and normalised evidence texts (never offsets).
    ``fallback`` (the message) stands in when a finding has no evidence."""
    texts = [normalise_evidence(t) for t in evidence_texts]
    if not any(texts):
        texts = [normalise_evidence(fallback)]
    key = "\x1f".join([rule, normalise_evidence(unit or ""), str(year or ""), *texts])
    return f"{rule}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:10]}"


def stamp_ids(reports: Iterable[Any]) -> None:
    """Give every finding of every report (engine Report objects) its stable id, in place."""
    for report in reports:
        unit = report.unit or Path(str(report.path)).name
        seen: dict[str, int] = {}
        ordered = sorted(report.findings, key=lambda f: min((e.start for e in f.evidence), default=0))
        for finding in ordered:
            base = finding_id(finding.rule, unit, report.year, (e.text for e in finding.evidence), finding.message)
            seen[base] = seen.get(base, 0) + 1
            finding.id = base if seen[base] == 1 else f"{base}-{seen[base]}"


# --------------------------------------------------------------------------- the decisions file


def normalise_status(value: str) -> str | None:
    """已复核 / 误报 / 待跟进 from the word given (English aliases accepted), or None."""
    value = (value or "").strip()
    if value in STATUSES:
        return value
    return STATUS_ALIASES.get(value.lower())


def read_decisions(path: str | Path) -> dict[str, Decision]:
    """The decisions of a file, by finding id (a later row for an id replaces an earlier one)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReviewFileError(f"无法读取复核决定文件 {path}：{exc.strerror or exc}") from None
    return parse_decisions(raw, str(path))


def parse_decisions(raw: bytes | str, name: str = "复核决定文件") -> dict[str, Decision]:
    """Parse the CSV text of a decisions file (what :func:`write_decisions` and the HTML export write)."""
    if isinstance(raw, bytes):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ReviewFileError(f"{name} 的编码无法识别，请保存为 UTF-8 的 CSV")
    else:
        text = raw.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    while rows and not any(cell.strip() for cell in rows[0]):
        rows.pop(0)
    if not rows:
        return {}
    header = [_HEADER_ALIASES.get(cell.strip().lower(), _HEADER_ALIASES.get(cell.strip(), "")) for cell in rows[0]]
    if "id" not in header or "status" not in header:
        raise ReviewFileError(f"{name} 的第一行须是表头，至少含“编号”和“状态”两列（实为：{'，'.join(rows[0])}）")
    decisions: dict[str, Decision] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {key: (row[i].strip() if i < len(row) else "") for i, key in enumerate(header) if key}
        fid = cells.get("id", "")
        if not ID_PATTERN.match(fid):
            raise ReviewFileError(f"{name} 第 {number} 行：编号 {fid!r} 的格式不对（应如 AR101-3f9a2c1b7e）")
        status = normalise_status(cells.get("status", ""))
        if status is None:
            raise ReviewFileError(f"{name} 第 {number} 行：状态 {cells.get('status', '')!r} 无法识别，"
                                  f"只能是 {'、'.join(STATUSES)}")
        decisions[fid] = Decision(id=fid, status=status, reason=cells.get("reason", ""), by=cells.get("by", ""),
                                  at=cells.get("at", ""), rule=cells.get("rule", ""), unit=cells.get("unit", ""),
                                  year=cells.get("year", ""), message=cells.get("message", ""))
    return decisions


def format_decisions(decisions: Iterable[Decision]) -> str:
    """The CSV text of a decisions file (without BOM; :func:`write_decisions` adds it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for d in decisions:
        writer.writerow([d.id, d.status, d.reason, d.by, d.at, d.rule or d.id.split("-")[0], d.unit, d.year,
                         d.message])
    return out.getvalue()


def write_decisions(path: str | Path, decisions: Iterable[Decision]) -> None:
    """Write the file through a temporary file and a rename: a failed write never truncates it."""
    from auditor.files import atomic_write

    text = "\ufeff" + format_decisions(decisions)
    atomic_write(Path(path), lambda target: target.write_text(text, encoding="utf-8", newline=""))


def record_decision(path: str | Path, decision: Decision) -> dict[str, Decision]:
    """Add or replace one decision in the file (created when missing); returns all decisions."""
    path = Path(path)
    decisions = read_decisions(path) if path.exists() else {}
    old = decisions.get(decision.id)
    if old is not None:  # keep the context columns the earlier row had
        decision = Decision(decision.id, decision.status, decision.reason, decision.by, decision.at,
                            decision.rule or old.rule, decision.unit or old.unit, decision.year or old.year,
                            decision.message or old.message)
    decisions[decision.id] = decision
    write_decisions(path, decisions.values())
    return decisions


def now_text() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


# --------------------------------------------------------------------------- applying decisions


@dataclass(slots=True)
class ReviewSummary:
    """What a run says about the decisions file: findings new since it, decided, and stale rows."""

    file: str
    new: int = 0
    decided: int = 0
    out_of_risk: int = 0
    stale: int = 0  # decisions whose finding no longer appears in this run

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "new": self.new, "decided": self.decided, "out_of_risk": self.out_of_risk,
                "stale": self.stale}

    def sentence(self, lang: str = "zh") -> str:
        if lang == "en":
            text = f"{self.new} new findings, {self.decided} decided ({self.out_of_risk} false alarms left out of risk)"
            return text + (f"; {self.stale} decisions match no finding any more" if self.stale else "")
        text = f"新发现 {self.new} 条，已决定 {self.decided} 条（其中误报 {self.out_of_risk} 条不计入风险分）"
        return text + (f"；另有 {self.stale} 条决定已找不到对应的发现（可能已改正）" if self.stale else "")


def apply_decisions(reports: Iterable[Any], decisions: dict[str, Decision], file: str) -> ReviewSummary:
    """Set ``finding.review`` from the decisions (ids must be stamped); count new and decided."""
    from auditor.findings import ReviewMark

    summary = ReviewSummary(file=file)
    matched: set[str] = set()
    for report in reports:
        for finding in report.findings:
            decision = decisions.get(finding.id or "")
            if decision is None:
                finding.review = None
                summary.new += 1
                continue
            finding.review = ReviewMark(decision.status, decision.reason, decision.by, decision.at)
            matched.add(decision.id)
            summary.decided += 1
            summary.out_of_risk += decision.status in OUT_OF_RISK
    summary.stale = len(set(decisions) - matched)
    return summary
