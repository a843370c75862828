"""Helpers for readers that record where their text came from (:class:`auditor.document.Anchor`).

A reader renders its blocks one at a time (``render_blocks([block])``: the pieces join to exactly
the text ``render_blocks(blocks)`` gives) and notes, at each piece's offset, the page or sheet it
came from; inside a table, every visible grid slot is one TAB-led line of the piece
(:mod:`auditor.readers.render`), so the slots and the TAB lines pair up in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def cell_line_offsets(piece: str) -> list[int]:
    """Offsets in ``piece`` just after the TAB of each TAB-led line (one per visible cell)."""
    offsets = []
    position = 0
    for line in piece.splitlines(keepends=True):
        if line.startswith("\t"):
            offsets.append(position + 1)
        position += len(line)
    return offsets


def visible_slots(rows: Sequence[Sequence[Any]]) -> list[tuple[int, int]]:
    """(row, column) of every slot of a ``Cell | None`` grid that is rendered, in rendering order."""
    return [(r, c) for r, row in enumerate(rows) for c, slot in enumerate(row) if slot is not None]


def column_letters(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA" (spreadsheet column names)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
