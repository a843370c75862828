"""The references of a batch and the hook that gives them to the rules.

In a batch, the reports of the same unit (fuzzy match of unit names, rapidfuzz ≥ ``UNIT_MATCH``) from
earlier years are references for each other automatically; ``--reference`` files and a persisted
index (``auditor index build``) add more. The engine calls :func:`attach` once per report; the rules
RU501, RU504 and RU505 then call :func:`copied_passages`, which aligns the report with its candidates
(the same unit's earlier reports, at most ``MAX_SAME_UNIT`` of them, plus at most ``MAX_CANDIDATES`` found by
the indexes: never all pairs),
scores every aligned paragraph with the stale model and caches the result on the Analysis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from auditor.document import Document
from auditor.reuse.align import AlignedPair, AlignedPassage, SourceIndex, align, merge_pairs
from auditor.reuse.features import FEATURE_NAMES, PairFacts, pair_facts, pair_features
from auditor.reuse.model import STALE_THRESHOLD, StaleModel, load_model
from auditor.reuse.text import passages
from auditor.reuse.units import UNIT_MATCH, same_unit, unit_key  # noqa: F401  (re-exported)

if TYPE_CHECKING:  # imported where used: numpy is not needed to audit one report
    from auditor.reuse.index import ReuseIndex

MAX_CANDIDATES = 5
MAX_SOURCES = 64  # reference n-gram indexes kept (the same unit's reports are checked one after another)
MAX_SAME_UNIT = 8  # the same unit's earlier reports aligned at most: the most recent years, most shared first
@lru_cache(maxsize=65536)
def _same_unit_cached(name: str, own: str) -> bool:
    return name == unit_key(own) or same_unit(name, own)


@dataclass(slots=True)
class ReferenceSet:
    """Reference documents (the batch itself and ``--reference`` files) and an optional persisted index."""

    documents: list[Document] = field(default_factory=list)
    index: ReuseIndex | None = None
    model: StaleModel | None = None
    max_candidates: int = MAX_CANDIDATES
    warnings: list[str] = field(default_factory=list)
    _batch_index: ReuseIndex | None = None
    _sources: dict[str, SourceIndex] = field(default_factory=dict)
    _candidates: dict[str, tuple[Document, list[Document]]] = field(default_factory=dict)
    _other_units: dict[str, tuple[Document, list[Document]]] = field(default_factory=dict)
    _by_unit: dict[str, list[tuple[int, Document]]] | None = None
    _unit_matches: dict[str, list[str]] = field(default_factory=dict)
    _shared_counts: dict[tuple[int, str | None], int] = field(default_factory=dict)
    _like_units: dict[str, frozenset[str]] = field(default_factory=dict)  # own unit → names counted as it
    _unit_name_keys: dict[str, str] | None = None  # the indexes' unit names → their unit_key
    _scored: dict[str, tuple] = field(default_factory=dict)  # prescore(): path → (doc, pairs, scores)
    _shared_index: ReuseIndex | None = None  # the batch index once settle() released its search part

    @classmethod
    def for_batch(cls, documents: Iterable[Document], reference_paths: Iterable[str | Path] = (),
                  index_path: str | Path | None = None, read: Callable[[Path], Document] | None = None
                  ) -> ReferenceSet:
        """The batch's documents plus the files given with ``--reference`` (folders are searched) and the
        index at ``index_path``. A reference that cannot be read is skipped with a warning.

        ``read`` reads one reference (default: :func:`auditor.engine.read_document` in this process;
        the batch passes one that reads in an isolated worker with the per-file time and memory limits)."""
        from auditor.engine import expand_paths, read_document
        from auditor.errors import AuditorError

        read = read or read_document
        docs = list(documents)
        warnings = []
        seen = {d.path for d in docs}
        for path in expand_paths(list(reference_paths)):
            if str(path) in seen:
                continue
            try:
                docs.append(read(path))
                seen.add(str(path))
            except AuditorError as exc:
                warnings.append(f"参考报告 {path} 无法读取，已跳过：{exc.message}")
        from auditor.reuse.index import ReuseIndex

        index = ReuseIndex.load(index_path) if index_path else None
        model = load_model()
        if model.warning:  # the fallback scores: the auditor must know
            warnings.append(model.warning)
        return cls(documents=docs, index=index, model=model, warnings=warnings)

    @property
    def batch_index(self) -> ReuseIndex:
        if self._batch_index is None or not self._batch_index.searchable:
            from auditor.reuse.index import ReuseIndex

            # the index holds what it needs of the sketches: they are released as it reads them
            self._batch_index = ReuseIndex.build(self.documents, release_sketches=True)
        return self._batch_index

    def settle(self) -> None:
        """Every batch document's candidates have been asked for (and are cached): release what only the
        search reads (the batch index's vectors, signatures and self-join, ~40 KB a report), keeping what
        the rules read of it. A search asked for afterwards builds the index again."""
        if self._batch_index is not None and self._batch_index.searchable:
            shared = self._batch_index
            shared.release_search()
            self._shared_index = shared

    def source(self, doc: Document) -> SourceIndex:
        """The n-gram index of a reference document (the most recently used ``MAX_SOURCES`` are kept:
        one per document of a large batch would hold every document's n-grams at once)."""
        hit = self._sources.get(doc.path)
        if hit is None or hit.doc is not doc:
            hit = SourceIndex(doc)
        else:
            del self._sources[doc.path]
        self._sources[doc.path] = hit  # most recently used last
        while len(self._sources) > MAX_SOURCES:
            del self._sources[next(iter(self._sources))]
        return hit

    def candidates(self, doc: Document) -> list[Document]:
        """The same unit's earlier reports, then up to ``max_candidates`` more found by the indexes."""
        year = doc.meta.year
        out: list[Document] = []
        paths = {doc.path}

        def earlier(other: Document) -> bool:
            return year is None or other.meta.year is None or other.meta.year < year

        cached = self._candidates.get(doc.path)
        if cached is not None and cached[0] is doc:
            return cached[1]
        same = [d for d in self._same_unit_documents(doc.meta.unit)
                if d.path not in paths and earlier(d) and d.meta.year != year]
        same.sort(key=lambda d: -(d.meta.year or 0))
        if len(same) > MAX_SAME_UNIT:  # many reports of one unit: never align with all of them
            shared = self._shared_paragraphs(doc)
            same.sort(key=lambda d: (-(d.meta.year or 0), -shared.get(d.path, 0)))
            del same[MAX_SAME_UNIT:]
        for d in same:
            out.append(d)
            paths.add(d.path)
        found: list[tuple[float, Document]] = []
        indexes = [self.batch_index] if len(self.documents) > 1 else []
        if self.index is not None:
            indexes.append(self.index)
        for index in indexes:
            for doc_id, score in index.query(doc, k=self.max_candidates, exclude=paths,
                                             max_year=(year - 1) if year is not None else None):
                other = index.document(doc_id)
                if other.path not in paths and earlier(other):
                    found.append((score, other))
        found.sort(key=lambda t: -t[0])
        for _, d in found:
            if d.path not in paths and len(out) < len(same) + self.max_candidates:
                out.append(d)
                paths.add(d.path)
        self._candidates[doc.path] = (doc, out)
        return out

    def other_unit_candidates(self, doc: Document) -> list[Document]:
        """Other units' reports (any year) that the indexes rank closest to ``doc``: at most
        ``crossunit.MAX_OTHER_UNITS`` (RU506). Reports without a unit name are never compared."""
        from auditor.reuse.crossunit import MAX_OTHER_UNITS

        cached = self._other_units.get(doc.path)
        if cached is not None and cached[0] is doc:
            return cached[1]
        out: list[Document] = []
        own = doc.meta.unit
        if own and len(self.documents) + (1 if self.index is not None else 0) > 1:
            found: list[tuple[float, Document]] = []
            indexes = [self.batch_index] if len(self.documents) > 1 else []
            if self.index is not None:
                indexes.append(self.index)
            for index in indexes:
                for doc_id, score in index.query(doc, k=MAX_OTHER_UNITS * 3, exclude={doc.path}):
                    other = index.document(doc_id)
                    if other.meta.unit and not _same_unit_cached(unit_key(other.meta.unit), own):
                        found.append((score, other))
            found.sort(key=lambda t: -t[0])
            paths: set[str] = set()
            for _, other in found:
                if other.path not in paths and len(out) < MAX_OTHER_UNITS:
                    out.append(other)
                    paths.add(other.path)
        self._other_units[doc.path] = (doc, out)
        return out

    def has_candidates(self, doc: Document) -> bool:
        """Whether the cross-report phase has anything to compare ``doc`` with (both kinds of candidates
        are found and cached: :meth:`settle` may release the search afterwards)."""
        same, others = self.candidates(doc), self.other_unit_candidates(doc)
        return bool(same) or bool(others)

    def _shared_paragraphs(self, doc: Document) -> dict[str, int]:
        """Per document of the batch: how many paragraphs of ``doc`` share an LSH band with it."""
        if len(self.documents) < 2:
            return {}
        index = self.batch_index
        own = index._own_id(doc)
        if own is None:
            return {}
        row = index.own_votes().getrow(own)
        return {index.documents[j].path: int(v) for j, v in zip(row.indices.tolist(), row.data.tolist())}

    def _same_unit_documents(self, unit: str | None) -> list[Document]:
        """The documents whose unit is the same as ``unit`` (see :func:`same_unit`), in input order."""
        own = unit_key(unit)
        if not own:
            return []
        if self._by_unit is None:
            self._by_unit = {}
            for position, d in enumerate(self.documents):
                self._by_unit.setdefault(unit_key(d.meta.unit), []).append((position, d))
        keys = self._unit_matches.get(own)
        if keys is None:
            keys = self._unit_matches[own] = _matching_keys(own, list(self._by_unit))
        return [d for _, d in sorted(item for k in keys for item in self._by_unit[k])]

    def shared_units(self, doc: Document, key: str) -> int:
        """How many other units' reports hold the same digit-masked paragraph (counted once per
        masked paragraph and unit: a template paragraph is shared by every unit of a large batch,
        and each of its aligned pairs asks again)."""
        from auditor.reuse.index import key_hash

        own = doc.meta.unit
        masked = key_hash(key)
        cache_key = (masked, own)
        hit = self._shared_counts.get(cache_key)
        if hit is not None:
            return hit
        units: set[str] = set()
        for index in self._sharing_indexes():
            units.update(index.sharing_unit_names_of(masked))
        if own:
            units.difference_update(self._units_like(own))
        self._shared_counts[cache_key] = len(units)
        return len(units)

    def _sharing_indexes(self) -> list[ReuseIndex]:
        batch = [self._shared_index or self.batch_index] if self.documents else []
        return batch + ([self.index] if self.index else [])

    def _units_like(self, own: str) -> frozenset[str]:
        """The unit names of the indexes that count as ``own``'s unit (``_same_unit_cached``), found for
        every name at once (:func:`_matching_keys`, rapidfuzz's C loop): a large batch's units are
        hundreds, and asking name by name for each unit would fill any cache of the pairs."""
        hit = self._like_units.get(own)
        if hit is not None:
            return hit
        names = self._unit_name_keys
        if names is None:
            names = self._unit_name_keys = {}
            for index in self._sharing_indexes():
                for name in index.unit_ids:
                    if name not in names:
                        names[name] = unit_key(name)
        own_key = unit_key(own)
        matching = set(_matching_keys(own_key, list(dict.fromkeys(names.values())))) if own_key else set()
        hit = self._like_units[own] = frozenset(
            name for name, key in names.items() if name == own_key or key in matching)
        return hit


def _matching_keys(own: str, keys: list[str]) -> list[str]:
    """The unit keys equal to ``own`` or within ``UNIT_MATCH`` of it, in the order of ``keys``
    (rapidfuzz's C loop over every key, not a Python one)."""
    from rapidfuzz import process

    hits = {i for _, _, i in process.extract(own, keys, scorer=fuzz.ratio, score_cutoff=UNIT_MATCH, limit=None)}
    return [k for i, k in enumerate(keys) if k and (k == own or i in hits)]


def attach(analysis, references: ReferenceSet | None) -> None:
    """The engine's hook: give the rules of one report its batch's references."""
    analysis.references = references


@dataclass(slots=True)
class ScoredPair:
    pair: AlignedPair
    source: Document
    score: float
    features: list[float]
    facts: PairFacts
    threshold: float = STALE_THRESHOLD

    @property
    def stale(self) -> bool:
        """Copied year-specific content: the model says so, and something was not updated."""
        return self.score >= self.threshold and self.facts.stale


def copied_passages(analysis) -> list[AlignedPassage]:
    """The report's passages aligned with its references, scored and merged (cached per Analysis).

    ``stale`` passages (score ≥ the model's threshold and a figure, an earlier-period year or an earlier-year
    frame left as in the reference) are copied year-specific content (RU501); the others are reused
    text: template (RU505) or prose whose facts were updated (RU501 at info). Without references, an
    empty list."""
    cached = getattr(analysis, "_reuse_passages", None)
    if cached is not None:
        return cached
    refs: ReferenceSet | None = getattr(analysis, "references", None)
    result = align_with_references(analysis.doc, refs) if refs is not None else []
    analysis._reuse_passages = result
    return result


def _aligned_rows(doc: Document, refs: ReferenceSet) -> list[tuple[AlignedPair, Document, list[float]]]:
    """The aligned pairs of ``doc`` with its candidates that may be chosen as the source of their paragraph,
    in order, each with its feature row. The source is the most alike pair, then the most recent
    (:func:`_preference`): a pair less alike or older than another of the same paragraph is never chosen,
    so it is neither described nor scored (most paragraphs are aligned with several years' reports).
    Hence a paragraph that a candidate of the latest year holds unchanged (likeness (1.00, that year),
    the most there is) is not aligned with the older candidates at all: their pairs could not be chosen."""
    candidates = refs.candidates(doc)
    years = [cand.meta.year or 0 for cand in candidates]
    latest = max(years, default=0)
    found: dict[int, list[AlignedPair]] = {}
    settled: set[int] = set()  # paragraphs whose best pair is already (1.00, latest)
    for k, (cand, year) in enumerate(zip(candidates, years)):
        if year == latest:
            found[k] = align(doc, refs.source(cand))
            settled.update(p.this.index for p in found[k] if round(p.ratio, 2) == 1.0)
    unsettled = set(range(len(passages(doc)))) - settled if settled else None
    pairs = []
    for k, (cand, year) in enumerate(zip(candidates, years)):
        aligned = found.get(k)
        if aligned is None:
            aligned = align(doc, refs.source(cand), only=unsettled) if unsettled is None or unsettled else []
        pairs.extend((p, cand, (round(p.ratio, 2), year)) for p in aligned)  # _likeness, the year read once
    best: dict[int, tuple[float, int]] = {}
    for p, _, likeness in pairs:
        if likeness > best.get(p.this.index, (-1.0, -1)):
            best[p.this.index] = likeness
    shared: dict[int, int] = {}  # per paragraph (most are aligned with several candidates)
    rows = []
    for p, cand, likeness in pairs:
        if likeness == best[p.this.index]:
            units = shared.get(p.this.index)
            if units is None:
                units = shared[p.this.index] = refs.shared_units(doc, p.this.key)
            rows.append((p, cand, pair_features(doc, cand, p, units)))
    return rows


def prescore(docs: Sequence[Document], refs: ReferenceSet) -> None:
    """Align several documents with their references and score all their pairs in ONE call of the
    model (a call costs ~20 ms of fixed overhead in scikit-learn, per document otherwise); the
    rules of each document then take its scored pairs from ``refs`` (each row is scored alone by
    the model, so the scores are the same as document by document)."""
    model = refs.model or load_model()
    work = [(doc, _aligned_rows(doc, refs)) for doc in docs if doc.path not in refs._scored]
    scores = iter(model.score([row for _, aligned in work for _, _, row in aligned]))
    for doc, aligned in work:
        refs._scored[doc.path] = (doc, aligned, [next(scores) for _ in aligned])


def align_with_references(doc: Document, refs: ReferenceSet) -> list[AlignedPassage]:
    model = refs.model or load_model()
    ready = refs._scored.pop(doc.path, None)
    if ready is not None and ready[0] is doc:
        _, aligned, scores = ready
    else:
        aligned = _aligned_rows(doc, refs)
        scores = model.score([row for _, _, row in aligned])
    best: dict[int, ScoredPair] = {}
    for (p, cand, row), score in zip(aligned, scores):
        prev = best.get(p.this.index)
        sp = ScoredPair(p, cand, score, row, pair_facts(doc, cand, p), model.threshold)
        # the source of a paragraph is the report it is most like (the most recent of equals): a
        # paragraph updated from last year's is not stale because an older report shares a figure
        # (measured: most-recent-first instead flags 1 of 63 honest updates, finds 4 more of 41 partial)
        if prev is None or _preference(sp) > _preference(prev):
            best[p.this.index] = sp
    return merge_scored([best[i] for i in sorted(best)])


def _likeness(pair: AlignedPair, source: Document) -> tuple[float, int]:
    """How a paragraph's source is chosen first: the most alike, then the most recent."""
    return (round(pair.ratio, 2), source.meta.year or 0)


def _preference(sp: ScoredPair) -> tuple:
    return (*_likeness(sp.pair, sp.source), sp.stale, sp.score)


def merge_scored(scored: Sequence[ScoredPair]) -> list[AlignedPassage]:
    """Consecutive pairs from the same source with the same verdict (stale or not) become one passage."""
    out: list[AlignedPassage] = []
    for sp in scored:
        stale = sp.stale
        last = out[-1] if out else None
        if (last is not None and last.stale == stale and last.source_path == sp.source.path
                and sp.pair.this.index == last.pairs[-1].this.index + 1
                and sp.pair.source.index == last.pairs[-1].source.index + 1):
            last.pairs.append(sp.pair)
            last.score = max(last.score, sp.score)
            last.features.setdefault("scores", []).append(sp.score)
            last.features["shared_units"] = max(last.features.get("shared_units", 0), _units(sp.features))
            last.features["pair_units"].append(_units(sp.features))
            last.features["facts"].append(sp.facts)
        else:
            passage = merge_pairs(sp.source.path, [sp.pair])[0]
            passage.score, passage.stale = sp.score, stale
            passage.features = {"scores": [sp.score], "first": sp.features, "shared_units": _units(sp.features),
                                "pair_units": [_units(sp.features)], "facts": [sp.facts]}
            passage.source_doc = sp.source
            out.append(passage)
    return out


def _units(row: list[float]) -> int:
    """Other units sharing the paragraph, back from the log feature."""
    import math

    return round(math.expm1(row[FEATURE_NAMES.index("log_shared_units")]))
