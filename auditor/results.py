"""What every reporter renders: the scored reports of a batch as typed objects, the auditor version
that produced them and what a decisions file changed (:class:`BatchResult`).

``BatchResult.to_dict`` is the JSON of ``auditor check --format json`` (DESIGN.md), built from the
one serialiser of each part (:meth:`auditor.engine.Report.to_dict`, :meth:`auditor.findings.Finding.to_dict`);
``BatchResult.from_dict`` reads that JSON back, so a saved result can be rendered again and the
reporters accept it as well.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor._version import __version__
from auditor.batch import BatchReport
from auditor.engine import Batch, Report
from auditor.review import ReviewSummary
from auditor.scoring import RiskConfig, rank_reports
from auditor.summary import batch_summary


@dataclass(slots=True)
class BatchResult:
    """The ranked reports of a run (typed down to each Finding), as every reporter receives them."""

    reports: list[Report] = field(default_factory=list)
    auditor_version: str = __version__
    review: ReviewSummary | None = None  # set when the run read a decisions file (--review)

    @property
    def summary(self) -> dict[str, int]:
        return batch_summary(self.reports)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The JSON of ``auditor check --format json`` (:meth:`auditor.engine.Batch.to_dict` and the review)."""
        data = Batch(self.reports).to_dict(lang)
        data["auditor_version"] = self.auditor_version
        if self.review is not None:
            data["review"] = self.review.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BatchResult:
        """The result of a JSON written by :meth:`to_dict` (a saved ``--format json`` output)."""
        review = data.get("review")
        fields = ("file", "new", "decided", "out_of_risk", "stale")
        return cls(reports=[_report_from_dict(r) for r in data.get("reports") or [] if isinstance(r, Mapping)],
                   auditor_version=str(data.get("auditor_version") or ""),
                   review=ReviewSummary(**{k: review[k] for k in fields if k in review})
                   if isinstance(review, Mapping) and "file" in review else None)

    @classmethod
    def of(cls, batch: BatchResult | Batch | Sequence[Report] | Mapping[str, Any]) -> BatchResult:
        """The result of a batch given in any of its forms: typed, a list of reports, or its JSON."""
        if isinstance(batch, BatchResult):
            return batch
        if isinstance(batch, Mapping):
            return cls.from_dict(batch)
        return cls(reports=list(batch.reports if isinstance(batch, Batch) else batch))


def _report_from_dict(data: Mapping[str, Any]) -> Report:
    """A report of a batch run (with its duplicate group) when the JSON has those fields, else a Report."""
    batch_run = any(name in data for name in ("duplicate_group", "duplicate_of", "duplicate_kind"))
    return (BatchReport if batch_run else Report).from_dict(data)


def needs_review_reason(report: Report) -> str:
    """Why a report is flagged 需人工确认 (the message of its ``needs_review``), "" when it is not."""
    review = report.needs_review
    if isinstance(review, Mapping):
        return str(review.get("message") or "")
    return str(review or "")


def rank_batch(batch: Mapping[str, Any], config: RiskConfig = RiskConfig()) -> dict[str, Any]:
    """Score and rank a batch given as JSON (the contract's shape); returns a new JSON batch (the
    input is not changed): :func:`auditor.scoring.rank_reports` over the typed reports."""
    result = BatchResult.from_dict(batch)
    result.reports = rank_reports(result.reports, config)
    ranked = {**batch, **result.to_dict()}
    if "auditor_version" not in batch:
        del ranked["auditor_version"]
    return ranked
