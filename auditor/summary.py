"""The batch's summary counts: every file found is counted once, in exactly one of audited, errors
or unsupported (``files == audited + errors + unsupported``); ``needs_review`` counts the audited
reports flagged 需人工确认 (no recognisable report structure), a part of ``audited``.

- unsupported: the file's format is one the auditor cannot read as text (:data:`UNSUPPORTED_CODES`:
  an unknown extension, a picture or a scanned PDF that needs OCR, an old format while LibreOffice
  is not installed);
- errors: every other file with an ``error`` (damaged, encrypted, empty, timed out …).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

UNSUPPORTED_CODES = frozenset({"unsupported-format", "needs-ocr", "scanned-pdf", "converter-missing"})


def batch_summary(reports: Iterable[Any]) -> dict[str, int]:
    """``{"files", "audited", "errors", "unsupported", "needs_review"}`` of the reports
    (:class:`auditor.engine.Report`: ``error`` an AuditorError or None, ``needs_review``)."""
    counts = {"files": 0, "audited": 0, "errors": 0, "unsupported": 0, "needs_review": 0}
    for report in reports:
        counts["files"] += 1
        if report.error is not None:
            counts["unsupported" if report.error.code in UNSUPPORTED_CODES else "errors"] += 1
            continue
        counts["audited"] += 1
        if report.needs_review:
            counts["needs_review"] += 1
    return counts
