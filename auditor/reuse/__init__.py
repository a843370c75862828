"""Reuse: passages copied from earlier years, wrong-year framing, repeated sections, template text.

- :mod:`auditor.reuse.text` — passages (narrative paragraphs as spans), years and temporal cues.
- :mod:`auditor.reuse.detect` — stale figures that contradict the current year's (RU504). The
  single-report extraction the RU rules read (wrong-year framing, stale scopes, duplicated headings and
  paragraphs) is in :mod:`auditor.extract.framings` and :mod:`auditor.extract.duplicates`, as Analysis fields.
- :mod:`auditor.reuse.material` — what the cross-report phase reads of each document, shipped by the worker.
- :mod:`auditor.reuse.align` — passage alignment between a report and a reference (PAN offsets).
- :mod:`auditor.reuse.index` — the persisted reference index (MinHash LSH + TF-IDF char n-grams).
- :mod:`auditor.reuse.features` / :mod:`auditor.reuse.model` — the stale-passage score.
- :mod:`auditor.reuse.references` — the references of a batch, attached to each Analysis.
"""
