"""The JSON reporter: the contract of ``auditor check --format json`` (see DESIGN.md)."""

from __future__ import annotations

import json
from typing import Any


def render_json(batch_dict: dict[str, Any]) -> str:
    return json.dumps(batch_dict, ensure_ascii=False, indent=2) + "\n"
