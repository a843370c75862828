"""The Chinese title of each rule (``auditor/data/rule_titles.tsv``), shown instead of its kebab-case name."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_TITLES_PATH = Path(__file__).resolve().parent / "data" / "rule_titles.tsv"


@lru_cache(maxsize=1)
def rule_titles() -> dict[str, str]:
    """Rule code → Chinese title, from ``auditor/data/rule_titles.tsv`` (code, name, title a line)."""
    titles: dict[str, str] = {}
    for line in _TITLES_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            code, _name, title = line.split("\t")[:3]
            titles[code.strip()] = title.strip()
    return titles


def rule_title(code: str, name: str = "", lang: str = "zh") -> str:
    """What a person reads for a rule: its Chinese title; in English (or when no title is on file) the
    kebab-case name as words ("narrative-sum-mismatch" → "Narrative sum mismatch")."""
    title = rule_titles().get(code)
    if lang == "en" or not title:
        words = name.replace("-", " ").strip()
        return words[:1].upper() + words[1:] if words else (title or code)
    return title
