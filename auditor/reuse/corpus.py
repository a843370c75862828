"""Labelled aligned pairs from a generated corpus (corpora/generate.py): the stale model's data.

Each report of the corpus is aligned with its candidates exactly as at audit time (the batch's
ReferenceSet); every aligned paragraph pair becomes one row of FEATURE_NAMES with label 1 when at
least half of the pair's span lies inside a copy labelled in the manifest (PAN-style
this_offset/this_length), else 0 (reused template text, reworded sentences).
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
    label: int
    content: str | None  # year_specific | template | None (not a labelled copy)


def read_corpus(folder: Path) -> tuple[list[Document], list[dict]]:
    from auditor.engine import read_document

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    docs = [read_document(folder / entry["path"]) for entry in manifest]
    return docs, manifest


def copy_spans(entry: dict) -> list[tuple[int, int, str]]:
    return [(c["this_offset"], c["this_offset"] + c["this_length"], c["content"]) for c in entry["copies"]]


def labelled_rows(folder: Path) -> list[LabelledRow]:
    docs, manifest = read_corpus(folder)
    refs = ReferenceSet(documents=docs)
    rows: list[LabelledRow] = []
    for doc, entry in zip(docs, manifest):
        spans = copy_spans(entry)
        for cand in refs.candidates(doc):
            for pair in align(doc, refs.source(cand)):
                length = max(1, pair.this_end - pair.this_start)
                label, content = 0, None
                for s, e, kind in spans:
                    if max(0, min(e, pair.this_end) - max(s, pair.this_start)) >= 0.5 * length:
                        label, content = 1, kind
                rows.append(LabelledRow(entry["path"], entry["unit"],
                                        pair_features(doc, cand, pair, refs.shared_units(doc, pair.this.key)),
                                        label, content))
    return rows
