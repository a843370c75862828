"""Findings and their evidence: what every rule yields and every reporter renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from auditor.document import Document
from auditor.rule_titles import rule_title

SEVERITIES = ("info", "low", "medium", "high")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(slots=True)
class Evidence:
    """A span of a document that a finding rests on. ``text == document_text[start:end]``."""

    text: str
    start: int
    end: int
    where: str  # narrative | table
    section: str | None = None
    source: str | None = None  # path of a reference document; None for the audited report
    # where a person finds it (Location.to_dict: paragraph, page, sheet, cell, table, row, column, label)
    location: dict[str, Any] | None = None

    @classmethod
    def of(cls, doc: Document, start: int, end: int, *, source: str | None = None) -> Evidence:
        return cls(text=doc.text[start:end], start=start, end=end, where=doc.where(start),
                   section=doc.location(start), source=source, location=doc.locate_span(start, end).to_dict())

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "where": self.where,
                "section": self.section, "source": self.source, "location": self.location}


@dataclass(slots=True)
class Finding:
    rule: str
    name: str
    severity: str
    confidence: float
    message: str  # Chinese, with both values and the computation
    evidence: list[Evidence] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    message_en: str | None = None
    # side by side with an earlier report: {"source": path, "pairs": [...]} (see reporters/html.py)
    alignment: dict[str, Any] | None = None
    # stable identity across runs (auditor.review.finding_id), stamped once the report's unit/year are known
    id: str | None = None
    # a reviewer's decision {"status": 已复核|误报|待跟进, "reason", "by", "at"} from a decisions file
    review: dict[str, Any] | None = None

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        message = self.message_en if lang == "en" and self.message_en else self.message
        out = {"rule": self.rule, "name": self.name, "severity": self.severity,
               "confidence": round(self.confidence, 3), "message": message,
               "evidence": [e.to_dict() for e in self.evidence], "values": _plain(self.values)}
        if self.alignment is not None:
            out["alignment"] = self.alignment
        out["title"] = rule_title(self.rule, self.name, lang)
        if self.id is not None:
            out["id"] = self.id
            out["review"] = self.review
        return out


def _plain(value: Any) -> Any:
    """Decimals become JSON numbers (ints when integral)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
