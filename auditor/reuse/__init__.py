"""Reuse: passages copied from earlier years, wrong-year framing, repeated sections, template text.

- :mod:`auditor.reuse.text` — passages (narrative paragraphs as spans), years and temporal cues.
- :mod:`auditor.reuse.detect` — checks that need no reference (wrong-year framing, duplicates,
  stale figures that contradict the current year's).
- :mod:`auditor.reuse.align` — passage alignment between a report and a reference (PAN offsets).
- :mod:`auditor.reuse.index` — the persisted reference index (MinHash LSH + TF-IDF char n-grams).
- :mod:`auditor.reuse.features` / :mod:`auditor.reuse.model` — the stale-passage score.
- :mod:`auditor.reuse.references` — the references of a batch, attached to each Analysis.
"""

RULE_MODULES: tuple[str, ...] = (
    "auditor.rules.ru501_copied_from_earlier",
    "auditor.rules.ru502_wrong_year_framing",
    "auditor.rules.ru503_duplicated_section",
    "auditor.rules.ru504_stale_figure_conflict",
    "auditor.rules.ru505_template_text",
)


def register_rules() -> None:
    """Import the RU5xx rule modules (auditor/rules/__init__.py imports them once the lead wires them)."""
    import importlib

    for name in RULE_MODULES:
        importlib.import_module(name)
