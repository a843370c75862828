"""What the reuse checks keep of one document: :class:`ReuseMaterial`, and the types it holds.

One object per Document, obtained with :func:`reuse_material`; each part is built on first use by the
module that owns it (``text.passages``, ``index.document_sketch``, ``align.passage_grams``,
``features.figure_spans`` and ``features.pair_facts``). A batch worker builds the passages and the index
sketch of the file it read and ships them as ``WorkResult.reuse`` (:meth:`ReuseMaterial.kept`): the
Document itself is pickled without any cache (``Document.__getstate__``).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditor.document import Document, clean_text

if TYPE_CHECKING:  # numpy is imported where the sketch is built
    import numpy as np


# Not frozen, though never changed once made (tests/test_value_objects_unchanged.py): a frozen
# dataclass's construction sets each field through ``object.__setattr__``, five times the cost, and the
# passages are rebuilt for every report the cross phase reads. Hashed on its fields, as if frozen.
@dataclass(slots=True, unsafe_hash=True)
class Passage:
    """One narrative paragraph of a Document (a heading when ``is_heading``)."""

    start: int
    end: int
    index: int  # position among the document's passages
    paragraph: int  # Paragraph.index
    is_heading: bool
    key: str  # meaning: cleaned, punctuation folded


_PUNCT_FOLD = (("，", ","), ("。", "."), ("；", ";"), ("：", ":"), ("（", "("), ("）", ")"), ("“", '"'),
               ("”", '"'), ("‘", "'"), ("’", "'"), ("！", "!"), ("？", "?"), ("、", ","))


def fold(text: str) -> str:
    """Cleaned text with full-width punctuation folded (the comparison key of a passage). One
    ``str.replace`` per mark present (faster than ``str.translate`` on Chinese text)."""
    text = clean_text(text)
    for wide, narrow in _PUNCT_FOLD:
        if wide in text:
            text = text.replace(wide, narrow)
    return text


class PassageTable:
    """A document's passages stored compactly: four integers per passage in one ``array`` (start,
    end, paragraph, heading flag). A key is not stored when it is what :func:`fold`
    makes of the passage's span of the text (nearly always): it is computed again from the text when
    the passages are rebuilt. A batch keeps one table per report through its cross phase: a few
    objects instead of a ``Passage`` and a key string per paragraph (less memory in the parent,
    fewer pages a forked child dirties by touching them)."""

    __slots__ = ("numbers", "keys")

    def __init__(self, passages: list[Passage], text: str | None = None, keys_are_folds: bool = False) -> None:
        """``keys_are_folds``: every key is known to be ``fold(text[start:end])`` (passages as
        ``text._passages`` makes them), so none is checked or stored."""
        self.numbers = array("i")
        self.keys: dict[int, str] = {}  # the keys that cannot be computed again from the text
        for n, p in enumerate(passages):
            self.numbers.extend((p.start, p.end, p.paragraph, 1 if p.is_heading else 0))
            if text is None or (not keys_are_folds and fold(text[p.start:p.end]) != p.key):
                self.keys[n] = p.key

    def __len__(self) -> int:
        return len(self.numbers) // 4

    def key_list(self, text: str) -> list[str]:
        """The passages' keys, in order (``text``: the document's text)."""
        numbers, keys = self.numbers, self.keys
        return [keys[n] if n in keys else fold(text[numbers[4 * n]:numbers[4 * n + 1]]) for n in range(len(self))]

    def passages(self, text: str) -> list[Passage]:
        """The ``Passage`` objects, as :func:`auditor.reuse.text.passages` built them (``text``: the
        document's text)."""
        numbers = self.numbers
        return [Passage(numbers[4 * n], numbers[4 * n + 1], n, numbers[4 * n + 2], bool(numbers[4 * n + 3]), key)
                for n, key in enumerate(self.key_list(text))]

    def __getstate__(self) -> tuple:
        return self.numbers, self.keys

    def __setstate__(self, state: tuple) -> None:
        self.numbers, self.keys = state


@dataclass(slots=True)
class DocumentSketch:
    """What the index needs of one document, computed from it alone (so batch workers compute it in
    parallel before the index is built). Paragraphs are the narrative passages without headings."""

    key_hashes: np.ndarray  # per paragraph: key_hash of its key (uint32)
    shingle_ids: np.ndarray  # paragraph number of each shingle (int32), as from shingle_table
    shingle_hashes: np.ndarray  # the shingles of the digit-masked keys (uint32)
    ngram_features: np.ndarray  # the document text's hashed character 2-3-grams (int32) …
    ngram_counts: np.ndarray  # … and their counts (uint8, uint16 or float32: see index.ngram_row)


@dataclass(slots=True)
class PairFacts:
    """The year-specific facts of the report's span of an aligned pair, and which were not updated."""

    figures: int = 0  # figures stated (years, targets and a bare "一项" excluded)
    unchanged: list[tuple[int, int]] = field(default_factory=list)  # spans of figures stated as in the source
    changed: int = 0  # figures the source states otherwise
    kept_years: list[tuple[int, int]] = field(default_factory=list)  # earlier-period years kept from the source
    updated_years: int = 0  # years the source's paragraph does not name
    old_frame: tuple[int, int] | None = None  # the opening "2023年，" of a paragraph framed in an earlier year

    @property
    def stale(self) -> bool:
        """Something year-specific was left as in the earlier report."""
        return bool(self.unchanged or self.kept_years or self.old_frame)

    @property
    def updated(self) -> bool:
        """Year-specific facts are stated and every one of them was updated."""
        return not self.stale and bool(self.changed or self.updated_years)


# (source path, this_start, this_end, source_start, source_end) of an aligned pair
PairKey = tuple[str, int, int, int, int]


@dataclass(slots=True, eq=False)
class ReuseMaterial:
    """The reuse checks' view of one document; None / empty until its owner builds it."""

    passages: list[Passage] | None = None  # the narrative paragraphs (text.passages), while in use
    # the same passages, compact: what a worker ships and a batch keeps (``passages`` is rebuilt from it)
    passage_table: PassageTable | None = None
    # what the reference index needs (index.document_sketch); released once the batch's index is built
    sketch: DocumentSketch | None = None
    grams: tuple | None = None  # character n-grams of each passage's key (align.passage_grams)
    memo_keys: list[tuple[str, str]] | None = None  # each passage's (text, key) (align._memo_keys)
    # start, end, start, end … of the document's figures in text order (features.figure_marks), from
    # the one number pass: built by the worker, kept (8 bytes a figure: two int32) so the pass is not run again
    figure_marks: array | None = None
    # the document's number pass (extract.numbers.encode_mentions, ~1 KB): built by the worker that read it,
    # kept through the cross phase, whose rules then do not run the number grammar over the text again
    number_pass: bytes | None = None
    # figures of a span, by (start, end): a paragraph is compared with every candidate (features.figure_spans)
    figures: dict[tuple[int, int], list[tuple[int, int, str]]] = field(default_factory=dict)
    facts: dict[PairKey, PairFacts] = field(default_factory=dict)  # per aligned pair (features.pair_facts)
    # per passage, by its start: the years it names, whether its section is a template one (features)
    years: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)
    template_sections: dict[int, bool] = field(default_factory=dict)
    # the same for every passage at once, one byte each in passage order (features.keep_template_flags):
    # built by the worker, kept, so the cross phase never unpacks a packed Document to read section titles
    template_flags: bytes | None = None
    # the features of an aligned pair that depend on the report's span alone, by (start, end) (features)
    span_features: dict[tuple[int, int], tuple] = field(default_factory=dict)
    # fields of the document's Analysis that the worker computed and the cross phase's rules read again
    # (costly to rebuild: runner.worker.KEPT_ANALYSIS_FIELDS), as one compressed pickle of {name: value}
    # (~0.5 KB a report: as objects, figures and all, they are ~6 KB, which a batch would hold for every
    # report until its cross phase); a new Analysis starts with them
    analysis_fields: bytes | None = None

    def kept(self, text: str | None = None) -> ReuseMaterial:
        """The part a worker ships and a batch keeps: the passages (as a :class:`PassageTable`; give
        the document's ``text`` so that their keys need not be stored), the sketch and the figure
        marks (the ``Passage`` objects, the n-grams and the per-span figure and fact caches are
        rebuilt on demand), the encoded number pass, the template-section flags and the kept analysis fields."""
        table = self.passage_table
        if table is None and self.passages is not None:
            # passages without a table were made by text._passages from the text: keys are its folds
            table = PassageTable(self.passages, text, keys_are_folds=True)
        return ReuseMaterial(passage_table=table, sketch=self.sketch, figure_marks=self.figure_marks,
                             number_pass=self.number_pass, template_flags=self.template_flags,
                             analysis_fields=self.analysis_fields)

    @property
    def has_passages(self) -> bool:
        """Whether the passages are known (as objects or compact)."""
        return self.passages is not None or self.passage_table is not None


def reuse_material(doc: Document) -> ReuseMaterial:
    """The :class:`ReuseMaterial` of ``doc`` (an empty one on first use)."""
    return doc.derived(ReuseMaterial)


def adopt_reuse_material(doc: Document, material: ReuseMaterial | None) -> None:
    """Give ``doc`` the material a worker built for it (``WorkResult.reuse``); None leaves it as it is."""
    if material is not None:
        doc.adopt_derived(material)


def keep_number_pass(doc: Document) -> None:
    """Store ``doc``'s number pass (computed now if it is not) in its material, encoded."""
    from auditor.extract.numbers import encode_mentions, number_pass

    reuse_material(doc).number_pass = encode_mentions(doc.text, number_pass(doc))


def restore_number_pass(doc: Document) -> None:
    """Give ``doc`` back the number pass kept in its material (:func:`keep_number_pass`), to be decoded
    if a check reads it, instead of reading the text again."""
    from auditor.extract.numbers import lend_number_pass

    encoded = reuse_material(doc).number_pass
    if encoded is not None:
        lend_number_pass(doc, encoded)


def keep_analysis_fields(doc: Document, analysis: Any, names: tuple[str, ...]) -> None:
    """Store the fields ``names`` of ``analysis`` (an Analysis of ``doc``; computed now if they are not) in
    ``doc``'s material, pickled and compressed, for the cross phase (:func:`kept_analysis_fields`)."""
    import pickle
    import zlib

    fields = {name: getattr(analysis, name) for name in names}
    reuse_material(doc).analysis_fields = zlib.compress(pickle.dumps(fields, pickle.HIGHEST_PROTOCOL), 1)


def kept_analysis_fields(doc: Document) -> dict[str, Any]:
    """The Analysis fields of ``doc`` that the worker that read it kept (:func:`keep_analysis_fields`),
    unpickled (new objects on every call)."""
    import pickle
    import zlib

    kept = reuse_material(doc).analysis_fields
    return pickle.loads(zlib.decompress(kept)) if kept is not None else {}


def kept_analysis_field(doc: Document, name: str) -> Any | None:
    """One kept Analysis field of ``doc`` (unpickled), or None when it was not kept."""
    return kept_analysis_fields(doc).get(name)
