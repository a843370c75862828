"""The extractors' output for one Document, computed lazily and once, shared by all rules.

Each field is an extractor declared with what it requires (the model is spaCy's requires/assigns):
``@extractor("numbers", "forms")`` computes the field from the Document and those fields only, and
rules declare which fields they read (``@rule(..., requires=("forms",))``). ``tests/test_analysis_graph.py``
checks both declarations against the code, so the dependency graph printed by
:meth:`Analysis.extractors` is the real one. Extractor modules never import this one: they take their
inputs as arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, partial
from typing import Any

from auditor.document import Document, Paragraph, Table
from auditor.extract.attachments import attachment_references, attachment_titles, content_tables, is_issued_notice
from auditor.extract.basic_data import BasicDataSection, final_records, read_basic_data
from auditor.extract.breakdowns import PlaceBreakdown, place_breakdowns
from auditor.extract.category_tables import (
    CategoryCell,
    NarrativeMention,
    category_cells,
    category_pairs,
    narrative_mentions,
)
from auditor.extract.changes import ChangeStatement, find_changes
from auditor.extract.claims import Claim, extract_claims
from auditor.extract.comparisons import FigureRow, StatedComparison, figure_rows, matched_rows, stated_comparisons
from auditor.extract.duplicates import DuplicateHeading, DuplicateParagraph, duplicate_headings, duplicate_paragraphs
from auditor.extract.framings import Framing, stale_scopes, wrong_year_framings
from auditor.extract.indicators import Statement, collect_statements, indicator_actuals, table_confirmed
from auditor.extract.numbers import MentionsIn, NumberMention, number_pass, numbers_within
from auditor.extract.rates import NamedShare, named_shares
from auditor.extract.rates import BudgetExceeded, ParagraphAmounts, budget_exceeded, narrative_rates
from auditor.extract.sums import (
    BlockBreakdown,
    ShareList,
    SumGroup,
    TotalShare,
    block_breakdowns,
    find_share_lists,
    find_sum_groups,
    find_total_shares,
)
from auditor.extract.tables import TableForm, read_forms, take_cell_numbers
from auditor.extract.targets import NarrativeTarget, completion_claims, find_narrative_targets
from auditor.extract.weights import FormWeights, form_weights
from auditor.reuse.text import Passage, passages


def extractor(*requires: str) -> Callable[[Callable[..., Any]], cached_property]:
    """An Analysis field computed once, on first access, from the Document and the fields named."""

    def wrap(fn: Callable[..., Any]) -> cached_property:
        field = cached_property(fn)
        field.requires = requires  # type: ignore[attr-defined]
        return field

    return wrap


class Analysis:
    """A Document plus what the extractors found in it (numbers, sums, table forms, claims …)."""

    # set by the engine for the cross-report rules (auditor.reuse.references.attach)
    references: Any = None

    def __init__(self, doc: Document, known: dict[str, Any] | None = None) -> None:
        """``known``: fields already computed for this Document, by name (an earlier Analysis of it kept
        them: :func:`auditor.reuse.material.keep_analysis_fields`); they are not computed again."""
        self.doc = doc
        if known:
            fields = self.extractors()
            for name, value in known.items():
                if name not in fields:
                    raise ValueError(f"not an Analysis field: {name}")
                self.__dict__[name] = value

    @classmethod
    def extractors(cls) -> dict[str, tuple[str, ...]]:
        """Every field and the fields it requires, in declaration order."""
        return {name: value.requires for name, value in vars(cls).items()
                if isinstance(value, cached_property) and hasattr(value, "requires")}

    # --- the number pass and the paragraphs -------------------------------------------------------

    @extractor()
    def numbers(self) -> list[NumberMention]:
        """Every number mention of the text, in order: the one pass of the number grammar (kept with
        the Document, so that the reuse checks read the same mentions)."""
        return number_pass(self.doc)

    def numbers_in(self, start: int, end: int) -> list[NumberMention]:
        """Number mentions lying wholly inside text[start:end], in order (a view of ``numbers``)."""
        return self._mentions_in(start, end)

    @cached_property
    def _mentions_in(self) -> MentionsIn:
        """:meth:`numbers_in` as a function of the Document (:func:`numbers_within`), not of this Analysis: a
        result that keeps it (:class:`ParagraphAmounts`) makes no reference cycle with the Analysis, so the
        Analysis and its Document are freed when they are let go, not left to the cyclic collector (a
        worker's collections took ~5% of its time on ~1,000 such objects a report)."""
        return partial(numbers_within, self.doc)

    @extractor()
    def narrative(self) -> list[Paragraph]:
        return [p for p in self.doc.paragraphs]

    @extractor("narrative")
    def prose(self) -> list[Paragraph]:
        """Paragraphs outside tables."""
        return [p for p in self.narrative if self.doc.table_at(p.start) is None]

    # --- tables ------------------------------------------------------------------------------------

    @extractor("numbers")
    def cell_numbers(self) -> int:
        """Every table cell's figure taken from the one number pass over the text (cells that cut a
        figure of the text, glued runs, are read on their own); the count of cells so given."""
        return take_cell_numbers(self.doc, self.doc.tables, self.numbers)

    @extractor("cell_numbers")
    def forms(self) -> list[TableForm]:
        """One form per table (layout, "|"-separated, one cell per line, space-separated, glued)."""
        self.cell_numbers
        return read_forms(self.doc)

    @extractor("cell_numbers")
    def basic_data(self) -> list[BasicDataSection]:
        """The sections of the basic-data tables (部门整体支出绩效评价基础数据表)."""
        self.cell_numbers
        return read_basic_data(self.doc)

    @extractor("forms")
    def indicator_actuals(self) -> list[tuple[str, NumberMention]]:
        """(indicator words, this year's 实际完成值) of the indicator rows with a unit."""
        return indicator_actuals(self.doc, self.forms)

    @extractor("basic_data")
    def final_records(self) -> dict[tuple[str, str, int, str | None], NumberMention]:
        """The basic-data tables' final figures (决算数, 执行数 …) of a named year, by (row label, kind,
        year, unit)."""
        return final_records(self.doc, self.basic_data)

    @extractor("forms")
    def figure_rows(self) -> list[FigureRow]:
        """Rows of the budget-against-actual tables (layout and flattened)."""
        return figure_rows(self.doc, [form.table for form in self.forms])

    @extractor("forms")
    def category_cells(self) -> list[CategoryCell]:
        """Figures of one-row tables of amounts by category, with their column's label."""
        return category_cells(self.doc, [form.table for form in self.forms])

    # --- claims and the relations between them -------------------------------------------------------

    @extractor("numbers", "forms")
    def claims(self) -> list[Claim]:
        """Every numeric claim, with its unit, qualifier, subject and role."""
        return extract_claims(self.doc, self.numbers, self.forms)

    @extractor("claims", "forms")
    def indicator_statements(self) -> list[Statement]:
        """Every figure that states an indicator's value (target, actual …), narrative and table."""
        return collect_statements(self.doc, self.claims, self.forms)

    @extractor("indicator_statements")
    def table_confirmed(self) -> frozenset[int]:
        """Starts of this year's narrative indicator figures that an actual of the report's own table
        states again (same indicator, same value)."""
        return table_confirmed(self.indicator_statements)

    @extractor("indicator_statements")
    def place_breakdowns(self) -> list[PlaceBreakdown]:
        return place_breakdowns(self.indicator_statements)

    @extractor("narrative", "numbers")
    def sum_groups(self) -> list[SumGroup]:
        return find_sum_groups(self.doc, self.narrative, self.numbers_in)

    @extractor("sum_groups")
    def block_breakdowns(self) -> list[BlockBreakdown]:
        """Sum groups followed by groups with the same field labels (a whole and its blocks)."""
        return block_breakdowns(self.sum_groups)

    @extractor("prose", "numbers")
    def changes(self) -> list[ChangeStatement]:
        return find_changes(self.doc, self.prose, self.numbers_in)

    @extractor("prose", "numbers")
    def stated_comparisons(self) -> list[StatedComparison]:
        return stated_comparisons(self.doc, self.prose, self.numbers_in)

    @extractor("figure_rows", "stated_comparisons")
    def table_comparisons(self) -> list[tuple[StatedComparison, FigureRow]]:
        """Stated changes against the budget or the previous year, each with the table row it names."""
        return matched_rows(self.stated_comparisons, self.figure_rows)

    @extractor("category_cells", "prose", "numbers")
    def category_mentions(self) -> list[NarrativeMention]:
        """Narrative figures written right after a category label of those tables."""
        labels = {c.label for c in self.category_cells}
        return narrative_mentions(self.doc, self.prose, labels, self.numbers_in) if labels else []

    @extractor("category_cells", "category_mentions")
    def category_pairs(self) -> list[tuple[NarrativeMention, CategoryCell]]:
        """Each category mention with the table cell of the same category and period."""
        return category_pairs(self.doc, self.category_cells, self.category_mentions)

    @extractor("prose", "numbers")
    def share_lists(self) -> list[ShareList]:
        return find_share_lists(self.doc, self.prose, self.numbers_in)

    @extractor("numbers")
    def named_shares(self) -> list[NamedShare]:
        """Percentages named as a share of a whole (发放比例, 覆盖率 …)."""
        return named_shares(self.doc.text, self.numbers)

    @extractor("prose", "numbers")
    def total_shares(self) -> list[TotalShare]:
        return find_total_shares(self.doc, self.prose, self.numbers_in)

    @extractor("prose", "numbers")
    def narrative_targets(self) -> list[NarrativeTarget]:
        return find_narrative_targets(self.doc, self.prose, self.numbers_in)

    @extractor("prose")
    def completion_claims(self) -> list[tuple[int, int]]:
        return completion_claims(self.doc, self.prose)

    @extractor("content_tables")
    def attachment_titles(self) -> list[tuple[str, int, int, bool]]:
        """(key, start, end, followed by content) of each attachment title line."""
        return attachment_titles(self.doc, self.content_tables)

    @extractor()
    def content_tables(self) -> list[Table]:
        """The tables with two or more filled rows (layout or flattened), where an attachment can be."""
        return content_tables(self.doc)

    @extractor()
    def issued_notice(self) -> bool:
        """Whether the document is an issued notice or approval (公文) whose attachments are separate documents."""
        return is_issued_notice(self.doc)

    @extractor("attachment_titles")
    def attachment_references(self) -> list[tuple[str, int, int]]:
        """(key, start, end) of each reference to an attachment in running text."""
        return attachment_references(self.doc, {t[0] for t in self.attachment_titles})

    # --- fund rates in the narrative, indicator weights ----------------------------------------------

    @extractor("prose", "numbers")
    def money_statements(self) -> ParagraphAmounts:
        """Per prose paragraph (by Paragraph.index), per sentence (its span): the money amounts, each
        with its label and kind (executed or budget); a paragraph is read when first asked for."""
        return ParagraphAmounts(self.doc, self._mentions_in, self.prose)

    @extractor("prose", "numbers")
    def narrative_rates(self) -> list[tuple[Paragraph, NumberMention, str]]:
        """Fund rates stated in prose ("预算执行率为95%"): (paragraph, the rate, its name), in text order."""
        return [(p, m, cue) for p in self.prose for m, cue in narrative_rates(self.doc, self.numbers_in, p)]

    @extractor("prose", "numbers")
    def budget_exceeded(self) -> dict[int, list[BudgetExceeded]]:
        """Per prose paragraph (by Paragraph.index): the clauses saying spending exceeded the budget."""
        return budget_exceeded(self.doc, self.numbers_in, self.prose)

    @extractor("forms")
    def form_weights(self) -> list[FormWeights]:
        """Per form (same order as ``forms``): its indicator weights, by first-level indicator with the
        points each first-level label announces ("产出指标(50分)")."""
        return form_weights(self.doc, self.forms)

    # --- single-report reuse evidence: passages, wrong-year framings, repeated sections ----------------

    @extractor()
    def passages(self) -> list[Passage]:
        """The narrative paragraphs as passages (auditor.reuse.text; kept in the document's ReuseMaterial,
        which a batch worker ships to the cross-report phase)."""
        return passages(self.doc)

    @extractor("passages")
    def year_framings(self) -> list[Framing]:
        """Sentences framed in a year earlier than the report's ("2023年，…" in a 2024 report)."""
        return wrong_year_framings(self.doc, self.passages)

    @extractor("year_framings")
    def stale_scopes(self) -> list[tuple[int, int]]:
        """(start, end) of the text that reads as an earlier year's account, from the year framings."""
        return stale_scopes(self.doc, self.year_framings)

    @extractor()
    def duplicate_headings(self) -> list[DuplicateHeading]:
        """Headings with the same words (numbering ignored) under the same parent section."""
        return duplicate_headings(self.doc)

    @extractor("passages")
    def duplicate_paragraphs(self) -> list[DuplicateParagraph]:
        """Narrative paragraphs written twice, identical or nearly so."""
        return duplicate_paragraphs(self.doc, self.passages)
