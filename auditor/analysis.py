"""The extractors' output for one Document, computed lazily and once, shared by all rules."""

from __future__ import annotations

import bisect
from functools import cached_property

from auditor.document import Document, Paragraph
from auditor.extract.attachments import attachment_references, attachment_titles
from auditor.extract.category_tables import CategoryCell, NarrativeMention, category_cells, narrative_mentions
from auditor.extract.changes import ChangeStatement, find_changes
from auditor.extract.comparisons import FigureRow, StatedComparison, figure_rows, stated_comparisons
from auditor.extract.rates import NamedShare, named_shares
from auditor.extract.targets import NarrativeTarget, completion_claims, find_narrative_targets
from auditor.extract.numbers import NumberMention, find_numbers
from auditor.extract.sums import ShareList, SumGroup, TotalShare, find_share_lists, find_sum_groups, find_total_shares
from auditor.extract.tables import TableForm, read_forms


class Analysis:
    """A Document plus what the extractors found in it (numbers, sums, table forms)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    @cached_property
    def numbers(self) -> list[NumberMention]:
        return find_numbers(self.doc.text)

    @cached_property
    def _number_starts(self) -> list[int]:
        return [m.start for m in self.numbers]

    def numbers_in(self, start: int, end: int) -> list[NumberMention]:
        """Number mentions lying wholly inside text[start:end], in order."""
        i = bisect.bisect_left(self._number_starts, start)
        out = []
        while i < len(self.numbers) and self.numbers[i].start < end:
            if self.numbers[i].end <= end:
                out.append(self.numbers[i])
            i += 1
        return out

    @cached_property
    def narrative(self) -> list[Paragraph]:
        return [p for p in self.doc.paragraphs]

    @cached_property
    def sum_groups(self) -> list[SumGroup]:
        return find_sum_groups(self.doc, self.narrative, self.numbers_in)

    @cached_property
    def prose(self) -> list[Paragraph]:
        """Paragraphs outside tables."""
        return [p for p in self.narrative if self.doc.table_at(p.start) is None]

    @cached_property
    def changes(self) -> list[ChangeStatement]:
        return find_changes(self.doc, self.prose, self.numbers_in)

    @cached_property
    def figure_rows(self) -> list[FigureRow]:
        """Rows of the budget-against-actual tables (layout and flattened)."""
        return figure_rows(self.doc, [form.table for form in self.forms])

    @cached_property
    def category_cells(self) -> list[CategoryCell]:
        """Figures of one-row tables of amounts by category, with their column's label."""
        return category_cells(self.doc, [form.table for form in self.forms])

    @cached_property
    def category_mentions(self) -> list[NarrativeMention]:
        """Narrative figures written right after a category label of those tables."""
        labels = {c.label for c in self.category_cells}
        return narrative_mentions(self.doc, self.prose, labels, self.numbers_in) if labels else []

    @cached_property
    def stated_comparisons(self) -> list[StatedComparison]:
        return stated_comparisons(self.doc, self.prose, self.numbers_in)

    @cached_property
    def share_lists(self) -> list[ShareList]:
        return find_share_lists(self.doc, self.prose, self.numbers_in)

    @cached_property
    def named_shares(self) -> list[NamedShare]:
        """Percentages named as a share of a whole (发放比例, 覆盖率 …)."""
        return named_shares(self.doc.text, self.numbers)

    @cached_property
    def total_shares(self) -> list[TotalShare]:
        return find_total_shares(self.doc, self.prose, self.numbers_in)

    @cached_property
    def narrative_targets(self) -> list[NarrativeTarget]:
        return find_narrative_targets(self.doc, self.prose, self.numbers_in)

    @cached_property
    def completion_claims(self) -> list[tuple[int, int]]:
        return completion_claims(self.doc, self.prose)

    @cached_property
    def attachment_titles(self) -> list[tuple[str, int, int, bool]]:
        """(key, start, end, followed by content) of each attachment title line."""
        return attachment_titles(self.doc)

    @cached_property
    def attachment_references(self) -> list[tuple[str, int, int]]:
        """(key, start, end) of each reference to an attachment in running text."""
        return attachment_references(self.doc, {t[0] for t in self.attachment_titles})

    @cached_property
    def forms(self) -> list[TableForm]:
        return read_forms(self.doc)
