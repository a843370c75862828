"""The JSON reporter: the contract of ``auditor check --format json`` (see DESIGN.md)."""

from __future__ import annotations

import json
from typing import Any

from auditor.display import scrub


def render_json(batch_dict: dict[str, Any]) -> str:
    """The batch as JSON text. File names that are not UTF-8 appear as ``\\xNN`` (see
    :func:`auditor.display.display_path`); control characters are escaped by JSON itself."""
    return json.dumps(scrub(batch_dict), ensure_ascii=False, indent=2) + "\n"
