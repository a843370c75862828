"""The JSON reporter: the contract of ``auditor check --format json`` (see DESIGN.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from auditor.display import scrub
from auditor.results import BatchResult


def render_json(batch: BatchResult | Mapping[str, Any], lang: str = "zh") -> str:
    """The batch as JSON text (:meth:`BatchResult.to_dict`, messages in ``lang``). File names that are
    not UTF-8 appear as ``\\xNN`` (see :func:`auditor.display.display_path`); control characters are
    escaped by JSON itself."""
    return json.dumps(scrub(BatchResult.of(batch).to_dict(lang)), ensure_ascii=False, indent=2) + "\n"
