"""Rule policy as data: the severity bands of every rule, from ``auditor/data/policy.toml``.

``band(key, value)`` grades a measured gap; ``describe(code)`` says the live bands in Chinese for
``auditor explain``. A rule keeps one band per measure it grades ("AR110-change", "AR110-rate").
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

_PATH = Path(__file__).resolve().parent / "data" / "policy.toml"
_MEASURE_WORDS = {"relative": "差额占所称数的比例", "points": "相差的百分点或分数", "ratio": "所称比率本身"}


@lru_cache(maxsize=1)
def policies() -> dict[str, dict[str, Any]]:
    with _PATH.open("rb") as f:
        return tomllib.load(f)


def band(key: str, value: Decimal | float) -> str:
    """The severity a measured value earns under the rule's bands (``key`` is a code or code-part)."""
    p = policies()[key]
    value = Decimal(str(value))
    if value >= Decimal(str(p["high"])):
        return "high"
    if value >= Decimal(str(p["medium"])) and p.get("below", "low") != "medium":
        return "medium"
    return p.get("below", "low")


def threshold_text(measure: str, value: float) -> str:
    """A threshold as the rule's docstring writes it: 5% for a relative gap, 0.3 for points."""
    if measure == "relative":
        return f"{Decimal(str(value)) * 100:f}".rstrip("0").rstrip(".") + "%"
    return f"{Decimal(str(value)):f}".rstrip("0").rstrip(".") if "." in str(value) else str(value)


def describe(code: str) -> str:
    """The live severity bands of a rule, in Chinese ("" when the rule has none in the policy)."""
    lines = []
    for key, p in policies().items():
        if key != code and not key.startswith(code + "-"):
            continue
        what = _MEASURE_WORDS.get(p["measure"], p["measure"])
        part = key[len(code) + 1:] if key != code else ""
        head = f"{part}：" if part else ""
        below = {"low": "低", "medium": "中"}[p.get("below", "low")]
        medium = f"，≥ {threshold_text(p['measure'], p['medium'])} 为“中”" if p.get("below", "low") == "low" else ""
        lines.append(f"  {head}按{what}分级：≥ {threshold_text(p['measure'], p['high'])} 为“高”{medium}，其余为“{below}”")
    return ("\n现行分级（auditor/data/policy.toml）：\n" + "\n".join(lines) + "\n") if lines else ""
