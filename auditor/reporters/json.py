"""The JSON reporter: the contract of ``auditor check --format json`` (see DESIGN.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, TextIO

from auditor.display import scrub, scrubbed_json
from auditor.results import BatchResult

_INDENT = 2
_NO_REPORTS = '"reports": []'


def render_json(batch: BatchResult | Mapping[str, Any], lang: str = "zh") -> str:
    """The batch as JSON text (:meth:`BatchResult.to_dict`, messages in ``lang``). File names that are
    not UTF-8 appear as ``\\xNN`` (see :func:`auditor.display.display_path`); control characters are
    escaped by JSON itself."""
    return "".join(json_chunks(batch, lang))


def write_json(batch: BatchResult | Mapping[str, Any], handle: TextIO, lang: str = "zh") -> None:
    """:func:`render_json`'s text written to ``handle`` a report at a time."""
    for chunk in json_chunks(batch, lang):
        handle.write(chunk)


def json_chunks(batch: BatchResult | Mapping[str, Any], lang: str = "zh") -> Iterator[str]:
    """:func:`render_json`'s text in pieces, one report's JSON at a time: a batch of thousands of
    reports is never held as one dict or one string (at 6,400 reports those were most of the run's
    peak memory). The text is the same as ``json.dumps`` of the whole :meth:`BatchResult.to_dict`."""
    result = BatchResult.of(batch)
    frame = scrub(BatchResult(reports=[], auditor_version=result.auditor_version, review=result.review).to_dict(lang))
    frame["summary"] = scrub(result.summary)
    head = json.dumps(frame, ensure_ascii=False, indent=_INDENT)
    if not result.reports or head.count(_NO_REPORTS) != 1:
        yield scrubbed_json(result.to_dict(lang), indent=_INDENT) + "\n"
        return
    before, after = head.split(_NO_REPORTS)
    yield before + '"reports": ['
    pad = "\n" + " " * (2 * _INDENT)  # a report is an item of a list in the top-level object
    for i, report in enumerate(result.reports):
        text = scrubbed_json(report.to_dict(lang), indent=_INDENT)
        yield ("," if i else "") + pad + text.replace("\n", pad)
    yield "\n" + " " * _INDENT + "]" + after + "\n"
