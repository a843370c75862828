"""Findings and their evidence: what every rule yields and every reporter renders.

One typed model from the rules to the reporters and the store: :class:`Severity`, :class:`Evidence`,
:class:`Alignment` (pairs of :class:`AlignedSpan`, :class:`AlignedPair`) and :class:`Finding`, with ONE
serialiser each (``to_dict`` / ``from_dict``). ``to_dict()`` is the findings JSON of DESIGN.md;
``to_dict(exact=True)`` is the store's form, which keeps everything (both languages, Decimals exact,
the unrounded confidence, the id and the review decision). ``from_dict`` reads both, and also the
store rows written before the alignment was kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from auditor.document import Document
from auditor.rule_titles import rule_title

SEVERITIES = ("info", "low", "medium", "high")


class Severity(StrEnum):
    """A finding's severity. A ``str``: ``Severity.HIGH == "high"`` and it is written as ``"high"``."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """info 0 … high 3."""
        return SEVERITIES.index(self.value)

    @property
    def label(self) -> str:
        """The Chinese label: 提示 / 低 / 中 / 高."""
        return _SEVERITY_LABELS[self.value]

    @classmethod
    def parse(cls, value: Any) -> Severity | None:
        """A severity from its code (``high``, any case) or its Chinese label (``高``); None if neither."""
        if isinstance(value, Severity):
            return value
        text = str(value).strip()
        for severity in cls:
            if text.lower() == severity.value or text == severity.label:
                return severity
        return None

    @classmethod
    def of(cls, value: Any) -> Severity:
        """Like :meth:`parse`, but an unknown severity is a ValueError."""
        severity = cls.parse(value)
        if severity is None:
            raise ValueError(f"未知的严重程度 {value!r}（应为 {'|'.join(SEVERITIES)} 或 高|中|低|提示）")
        return severity


_SEVERITY_LABELS = {"info": "提示", "low": "低", "medium": "中", "high": "高"}


def severity_rank(severity: str) -> int:
    return Severity.of(severity).rank


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

    @property
    def label(self) -> str:
        """Where a person finds it ("第3页", "表2 第4行第3列"), "" when the reader knows no place."""
        return str(self.location.get("label") or "") if isinstance(self.location, Mapping) else ""

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "where": self.where,
                "section": self.section, "source": self.source, "location": self.location}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(text=str(data.get("text") or ""), start=data.get("start"), end=data.get("end"),
                   where=str(data.get("where") or ""), section=data.get("section"), source=data.get("source"),
                   location=data.get("location") if isinstance(data.get("location"), Mapping) else None)


@dataclass(slots=True)
class AlignedSpan:
    """One side of an aligned pair: offsets into its document, and its text (for a reader without it)."""

    start: int | None = None
    end: int | None = None
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end}
        if self.text is not None:
            out["text"] = self.text
        return out


@dataclass(slots=True)
class AlignedPair:
    """A passage of the report (``left``) and its counterpart in the earlier report (``right``)."""

    left: AlignedSpan
    right: AlignedSpan
    score: float | None = None  # similarity 0..1

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"left": self.left.to_dict(), "right": self.right.to_dict()}
        if self.score is not None:
            out["score"] = self.score
        return out

    @classmethod
    def from_value(cls, pair: Any) -> AlignedPair | None:
        """A pair as written by the rules (``{"left": {start, end, text}, "right": …, "score"}``) or in
        the older shapes the HTML reporter accepted (``left_start``… keys, ``[[ls, le], [rs, re]]``,
        ``[ls, le, rs, re, score]``); None when it is none of them."""
        if isinstance(pair, Mapping):
            score = pair.get("score", pair.get("similarity"))
            for lk, rk in (("left", "right"), ("a", "b"), ("report", "source")):
                left, right = pair.get(lk), pair.get(rk)
                if isinstance(left, Mapping) and isinstance(right, Mapping):
                    return cls(_span(left.get("start"), left.get("end"), left.get("text")),
                               _span(right.get("start"), right.get("end"), right.get("text")), score)
            if "left_start" in pair or "left_text" in pair:
                return cls(_span(pair.get("left_start"), pair.get("left_end"), pair.get("left_text")),
                           _span(pair.get("right_start"), pair.get("right_end"), pair.get("right_text")), score)
            return None
        if isinstance(pair, (list, tuple)):
            if len(pair) >= 2 and all(isinstance(p, (list, tuple)) and len(p) >= 2 for p in pair[:2]):
                return cls(_span(*pair[0][:2]), _span(*pair[1][:2]), pair[2] if len(pair) > 2 else None)
            if len(pair) >= 4:
                return cls(_span(*pair[:2]), _span(*pair[2:4]), pair[4] if len(pair) > 4 else None)
        return None


def _span(start: Any, end: Any, text: Any = None) -> AlignedSpan:
    return AlignedSpan(start, end, text if isinstance(text, str) else None)


@dataclass(slots=True)
class Alignment:
    """A finding side by side with an earlier report (RU5xx): the source's path and the aligned pairs.
    A pair that could not be read from a hand-written input is None (the HTML report says so)."""

    source: str
    pairs: list[AlignedPair | None] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "pairs": [p.to_dict() if p is not None else None for p in self.pairs]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Alignment:
        return cls(source=str(data.get("source") or ""),
                   pairs=[AlignedPair.from_value(p) for p in data.get("pairs") or []])


@dataclass(slots=True)
class ReviewMark:
    """A reviewer's decision on a finding, from a decisions file (:mod:`auditor.review`)."""

    status: str  # 已复核 | 误报 | 待跟进
    reason: str = ""
    by: str = ""
    at: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"status": self.status, "reason": self.reason, "by": self.by, "at": self.at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReviewMark:
        return cls(**{name: str(data.get(name) or "") for name in ("status", "reason", "by", "at")})


@dataclass(slots=True)
class Finding:
    """One problem a rule found. ``severity`` may be given as a string ("high", "高"); ``alignment``
    as the dict the rules build: both become their types here."""

    rule: str
    name: str
    severity: Severity
    confidence: float
    message: str  # Chinese, with both values and the computation
    evidence: list[Evidence] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    message_en: str | None = None
    # side by side with an earlier report (see reporters/html.py)
    alignment: Alignment | None = None
    # stable identity across runs (auditor.review.finding_id), stamped once the report's unit/year are known
    id: str | None = None
    # a reviewer's decision from a decisions file
    review: ReviewMark | None = None

    def __post_init__(self) -> None:
        if type(self.severity) is not Severity:
            self.severity = Severity.of(self.severity)
        if isinstance(self.alignment, Mapping):
            self.alignment = Alignment.from_dict(self.alignment)
        if isinstance(self.review, Mapping):
            self.review = ReviewMark.from_dict(self.review)

    def message_in(self, lang: str = "zh") -> str:
        """The message in ``lang`` (the Chinese one when there is no English)."""
        return self.message_en if lang == "en" and self.message_en else self.message

    def title(self, lang: str = "zh") -> str:
        return rule_title(self.rule, self.name, lang)

    @property
    def decision(self) -> str | None:
        """The reviewer's status (已复核 | 误报 | 待跟进), None when undecided."""
        return self.review.status if self.review is not None else None

    def to_dict(self, lang: str = "zh", *, exact: bool = False) -> dict[str, Any]:
        """The finding as JSON. By default the contract's shape (DESIGN.md) with the message in ``lang``;
        ``exact``: the store's form, which :meth:`from_dict` turns back into an equal Finding."""
        out: dict[str, Any] = {"rule": self.rule, "name": self.name, "severity": self.severity.value,
                               "confidence": self.confidence if exact else round(self.confidence, 3),
                               "message": self.message if exact else self.message_in(lang)}
        if exact:
            out["message_en"] = self.message_en
        out["evidence"] = [e.to_dict() for e in self.evidence]
        out["values"] = _exact(self.values) if exact else plain_values(self.values)
        if self.alignment is not None:
            out["alignment"] = self.alignment.to_dict()
        if exact:
            out.update(id=self.id, review=self.review.to_dict() if self.review is not None else None)
            return out
        out["title"] = self.title(lang)
        if self.id is not None:
            out["id"] = self.id
            out["review"] = self.review.to_dict() if self.review is not None else None
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """A Finding from either form of :meth:`to_dict` (a store row of an earlier version too)."""
        evidence = [Evidence.from_dict(e) for e in data.get("evidence") or [] if isinstance(e, Mapping)]
        alignment = data.get("alignment")
        review = data.get("review")
        confidence = data.get("confidence")
        return cls(rule=str(data.get("rule") or ""), name=str(data.get("name") or ""),
                   severity=Severity.of(data.get("severity")),
                   confidence=confidence if isinstance(confidence, (int, float)) else 1.0,
                   message=str(data.get("message") or ""), evidence=evidence,
                   values=_from_exact(data.get("values") or {}), message_en=data.get("message_en"),
                   alignment=Alignment.from_dict(alignment) if isinstance(alignment, Mapping) else None,
                   id=data.get("id"), review=ReviewMark.from_dict(review) if isinstance(review, Mapping) else None)


def plain_values(value: Any) -> Any:
    """Decimals become JSON numbers (ints when integral)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain_values(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_values(v) for v in value]
    return value


def _exact(value: Any) -> Any:
    """JSON-safe, keeping Decimals exact (``{"$decimal": "12.30"}``)."""
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dict):
        return {str(k): _exact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_exact(v) for v in value]
    return value


def _from_exact(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$decimal"}:
            return Decimal(value["$decimal"])
        return {k: _from_exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_exact(v) for v in value]
    return value


_plain = plain_values  # the name extract/claims.py imports
