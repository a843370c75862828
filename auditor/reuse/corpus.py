"""Labelled aligned pairs from a generated corpus (corpora/generate.py): the stale model's data.

Each report of the corpus is aligned with its candidates exactly as at audit time (the batch's
ReferenceSet); every aligned paragraph pair becomes one row of FEATURE_NAMES. Its label:

- in a reuse-pairs corpus (``generate_corpus(..., reuse_pairs=True)``), the manifest's ``reuse`` label
  that covers at least half of the pair's span: 1 for stale kinds (``verbatim``, ``partial``: a figure
  or the year left as last year's), 0 for ``honest`` updates (wording kept, every figure and year
  updated) and ``template`` text; ``honest_coincident`` (an honest update whose count happens to equal
  last year's) is ambiguous and gets no label (``label`` None, left out of training);
- else 1 when at least half of the span lies inside a copy labelled in the manifest (PAN-style
  this_offset/this_length), else 0 (reused template text, reworded sentences).

A labelled span aligned with another report than the one it names as its source gets no label (an
older report may or may not state the same facts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from auditor.document import Document
from auditor.reuse.align import align
from auditor.reuse.features import pair_features
from auditor.reuse.references import ReferenceSet


@dataclass(slots=True)
class LabelledRow:
    path: str
    unit: str
    features: list[float]
    label: int | None
    content: str | None  # year_specific | template | None (not a labelled copy)
    kind: str | None = None  # reuse-pairs kind: verbatim | partial | honest | honest_coincident | template


def read_corpus(folder: Path) -> tuple[list[Document], list[dict]]:
    from auditor.engine import read_document

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    docs = [read_document(folder / entry["path"]) for entry in manifest]
    return docs, manifest


def copy_spans(entry: dict) -> list[tuple[int, int, str, str]]:
    return [(c["this_offset"], c["this_offset"] + c["this_length"], c["content"], c["source"])
            for c in entry["copies"]]


def reuse_spans(entry: dict) -> list[tuple[int, int, str, bool, str]]:
    return [(c["this_offset"], c["this_offset"] + c["this_length"], c["kind"], c["stale"], c["source"])
            for c in entry.get("reuse", ())]


def _covers(start: int, end: int, s: int, e: int) -> bool:
    return max(0, min(e, end) - max(s, start)) >= 0.5 * max(1, end - start)


def labelled_rows(folder: Path) -> list[LabelledRow]:
    docs, manifest = read_corpus(folder)
    refs = ReferenceSet(documents=docs)
    rows: list[LabelledRow] = []
    for doc, entry in zip(docs, manifest):
        spans = copy_spans(entry)
        reused = reuse_spans(entry)
        for cand in refs.candidates(doc):
            name = Path(cand.path).name  # labels hold only when aligned with the report they name
            for pair in align(doc, refs.source(cand)):
                label: int | None = 0
                content = kind = None
                for s, e, what, source in spans:
                    if _covers(pair.this_start, pair.this_end, s, e):
                        label, content = (1 if source == name else None), what
                for s, e, what, stale, source in reused:
                    if _covers(pair.this_start, pair.this_end, s, e):
                        kind = what
                        label = None if what == "honest_coincident" or source != name else int(stale)
                rows.append(LabelledRow(entry["path"], entry["unit"],
                                        pair_features(doc, cand, pair, refs.shared_units(doc, pair.this.key)),
                                        label, content, kind))
    return rows
