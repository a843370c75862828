"""The weights (分值) of a self-evaluation form's indicator rows, grouped by first-level indicator,
with the points each first-level label announces ("产出指标(50分)" → 50).

Read by AR109 through ``Analysis.form_weights``; the rule only compares the sums.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from auditor.document import Cell, Document
from auditor.extract.numbers import NumberMention
from auditor.extract.tables import TableForm, cell_number

# "（10分）" / "(50分)" written in a first-level indicator's label
_LEVEL_POINTS = re.compile(r"[（(](\d+(?:\.\d+)?)分[）)]")


def announced_points(label: str) -> Decimal | None:
    """The points a first-level indicator's label announces ("产出指标（50分）" → 50), or None."""
    m = _LEVEL_POINTS.search(label)
    return Decimal(m.group(1)) if m else None


def without_points(label: str) -> str:
    """The label without its announced points: "产出指标(50分)" → "产出指标"."""
    return _LEVEL_POINTS.sub("", label)


@dataclass(slots=True)
class LevelWeights:
    """The weights of the rows under one first-level indicator."""

    label: str  # the first-level label as written ("产出指标(50分)"; "" when the form has none)
    name: str  # the label without its announced points
    points: Decimal | None  # the points the label announces, None when it announces none
    weights: list[NumberMention] = field(default_factory=list)
    label_cell: Cell | None = None  # the cell holding the label (looked up when it announces points)


@dataclass(slots=True)
class FormWeights:
    """One form's indicator-row weights, in row order, and the same weights by first-level indicator."""

    form: TableForm
    weights: list[NumberMention]
    levels: list[LevelWeights]  # in order of first appearance


def form_weights(doc: Document, forms: list[TableForm]) -> list[FormWeights]:
    """One FormWeights per form, in the order of ``forms`` (rows without a weight figure left out)."""
    return [_form_weights(doc, form) for form in forms]


def _form_weights(doc: Document, form: TableForm) -> FormWeights:
    weights: list[NumberMention] = []
    by_level: dict[str, list[NumberMention]] = {}
    for block in form.indicators:
        for row in block.rows:
            w = cell_number(doc, row.cells.get("weight"))
            if w is None:
                continue
            weights.append(w)
            by_level.setdefault(row.level1, []).append(w)
    levels = []
    for label, level_weights in by_level.items():
        points = announced_points(label)
        cell = _level_cell(doc, form, label) if points is not None else None
        levels.append(LevelWeights(label, without_points(label), points, level_weights, cell))
    return FormWeights(form, weights, levels)


def _level_cell(doc: Document, form: TableForm, label: str) -> Cell | None:
    """The first first-level cell of the form whose text is ``label``."""
    for block in form.indicators:
        if block.columns.get("level1") is None:
            continue
        for row in block.rows:
            cell = row.cells.get("level1")
            if cell is not None and doc.cell_text(cell) == label:
                return cell
    return None
