"""The cross-report phase: once every file of a batch is read, each report is compared with the
same unit's reports of other years (and ``--reference`` files, the ``--index``), and the rules that
use references run again for the reports that have candidates — here, in forked processes, or on a
Dask cluster."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from auditor.document import Document
from auditor.engine import Report, sort_findings
from auditor.findings import Finding
from auditor.reuse.material import reuse_material
from auditor.rules.registry import Rule
from auditor.runner.worker import check_chunk


def compare_with_references(reports: list[Report], rules: list[Rule], references: Iterable[str | Path] = (),
                            index: str | Path | None = None, jobs: int = 1, scheduler: Any = None,
                            read_reference: Callable[[Path], Document] | None = None) -> list[str]:
    """The cross-report phase: with every report of the batch read, the same unit's reports of other
    years (plus ``references`` files and the ``index``) become references, and the rules that use
    references run again for each report that has candidates, replacing their first-phase findings.
    With ``jobs`` > 1 those reports are checked in that many forked processes (on Linux), which
    share the references without copying them; with a Dask ``scheduler`` they are checked on the
    cluster (:func:`auditor.dask_engine.cross_on_dask`). ``read_reference`` reads one ``references``
    file (default: here; the batch reads them in isolated workers). Returns warnings (references that
    could not be read)."""
    from auditor.reuse.references import ReferenceSet

    reference_rules = [r for r in rules if r.uses_references]
    documents = [r.document for r in reports if r.document is not None]
    references = list(references)
    if not reference_rules or not documents or (len(documents) < 2 and not references and index is None):
        return []
    refs = ReferenceSet.for_batch(documents, references, index, read=read_reference)
    if len(documents) > 1:
        refs.batch_index.compute_pair_cosines(jobs)  # the search's costliest part, in parallel
    todo = [r for r in reports if r.document is not None and refs.has_candidates(r.document)]
    refs.settle()  # every candidate is known: the index's search part is released before the checks
    codes = {r.code for r in reference_rules}
    for report, findings in zip(todo, _reference_findings([r.document for r in todo], reference_rules, refs, jobs,
                                                          scheduler)):
        report.unpack_findings()  # a large batch keeps them packed through the search (Report.pack_findings)
        kept = [f for f in report.findings if f.rule not in codes]
        report.findings = sort_findings(kept + findings)
    for report in reports:
        if report.document is not None:
            report.document.forget_derived()  # every cache: a batch holds hundreds of Documents
    return refs.warnings


# The work of the forked cross-phase processes: (references, documents, rules), set before the fork.
_FORKED: tuple | None = None


# Documents checked together: their aligned pairs are scored by the stale model in one call.
_SCORE_CHUNK = 16
# The cyclic collector's thresholds while the reference rules run (here and in the forked processes,
# which inherit them): a check allocates tens of thousands of containers that live until the end of
# their chunk (unpacked structures, alignments, cached figures), and the default thresholds (700, 10,
# 10) collect them again and again: at 3,200 reports the collector took 4.2 s of 24.9 s of the serial
# cross phase, 0.4 s with these. Cyclic garbage waits longer (at most ~50,000 containers, a few MB);
# the forked processes end with their wave.
_CROSS_GC_THRESHOLDS = (50_000, 20, 20)
# Chunks a forked cross-phase process checks before it is replaced by a fresh one (memory_profile.py:
# a child's private memory grows ~0.5-1 MB a chunk, more in larger batches, until it exits).
_CHUNKS_PER_CHILD = 12


# Share of distinct paragraph texts two reports with the same references must have in common to be
# checked as one group (near-identical: a copy with a line or two changed).
NEAR_IDENTICAL = 0.8
_GROUP_REPRESENTATIVES = 8  # representatives a report is compared with (bounds the grouping's cost)


def near_identical_groups(docs: list[Document], refs) -> list[list[int]]:
    """The indexes of ``docs`` in groups of near-identical submissions: the same candidates (the same
    unit's earlier reports and the index's; other units' candidates may differ, as two copies find
    each other there) and paragraph texts that are the same but for a few (Jaccard ≥
    ``NEAR_IDENTICAL``). Each group's first member is its representative; every document is in
    exactly one group. Grouping only orders the work: whatever the groups, the findings are those of
    checking each report alone."""
    from auditor.reuse.text import passages

    by_references: dict[tuple, list[int]] = {}
    for i, d in enumerate(docs):
        by_references.setdefault(tuple(c.path for c in refs.candidates(d)), []).append(i)
    groups: list[list[int]] = []
    for members in by_references.values():
        if len(members) == 1:
            groups.append(members)
            continue
        representatives: list[tuple[set[str], list[int]]] = []
        for i in members:
            table = reuse_material(docs[i]).passage_table
            texts = set(table.key_list(docs[i].text)) if table is not None else {p.key for p in passages(docs[i])}
            for rep_texts, group in representatives[-_GROUP_REPRESENTATIVES:]:
                if len(texts & rep_texts) >= NEAR_IDENTICAL * len(texts | rep_texts):
                    group.append(i)
                    break
            else:
                representatives.append((texts, [i]))
                groups.append(representatives[-1][1])
    return groups


def grouped_order(order: list[int], groups: list[list[int]]) -> list[int]:
    """``order`` with each group's members moved right after its first member in ``order``."""
    group_of = {i: g for g in groups for i in g}
    position = {i: k for k, i in enumerate(order)}
    placed: set[int] = set()
    out: list[int] = []
    for i in order:
        if i in placed:
            continue
        for j in sorted(group_of.get(i, [i]), key=lambda j: position.get(j, len(order))):
            if j not in placed and j in position:
                placed.add(j)
                out.append(j)
    return out


def _check_forked(chunk: list[int]) -> list[list[Finding]]:
    refs, docs, rules = _FORKED
    return check_chunk(docs, chunk, rules, refs)


def check_order(docs: list[Document], refs) -> list[int]:
    """The order in which ``docs`` are checked: a unit's reports one after another (their references
    are the same: the cached n-gram indexes are reused), the units with the costliest reports first
    (candidates × length, so that parallel processes finish together), and the members of a group of
    near-identical submissions right after its representative (their shared paragraphs are aligned
    with their common references once, ``align.SourceIndex.aligned``)."""
    from auditor.reuse.references import unit_key

    cost = [len(refs.candidates(d)) * len(d.text) for d in docs]
    by_unit: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        by_unit.setdefault(unit_key(d.meta.unit) or f"#{i}", []).append(i)
    order = [i for members in sorted(by_unit.values(), key=lambda m: -max(cost[i] for i in m))
             for i in sorted(members, key=lambda i: docs[i].meta.year or 0)]
    return grouped_order(order, near_identical_groups(docs, refs))


def _reference_findings(docs: list[Document], rules: list[Rule], refs, jobs: int,
                        scheduler: Any = None) -> list[list[Finding]]:
    """The reference rules' findings for each document, in order; on the Dask cluster of
    ``scheduler``, or in ``jobs`` forked processes when that pays (several documents, on Linux),
    else here. A process pool or a cluster that breaks (a worker killed) costs nothing: the
    documents it did not finish are checked here. The collector runs less often meanwhile
    (:data:`_CROSS_GC_THRESHOLDS`)."""
    import gc

    thresholds = gc.get_threshold()
    gc.set_threshold(*_CROSS_GC_THRESHOLDS)
    try:
        return _checked(docs, rules, refs, jobs, scheduler)
    finally:
        gc.set_threshold(*thresholds)


def _checked(docs: list[Document], rules: list[Rule], refs, jobs: int, scheduler: Any) -> list[list[Finding]]:
    """:func:`_reference_findings`, with the collector's thresholds set."""
    import gc
    import multiprocessing
    import sys

    from auditor.heap import trim_heap

    results: list[list[Finding] | None] = [None] * len(docs)
    order = check_order(docs, refs)
    if scheduler is not None and docs:
        from auditor.dask_engine import cross_on_dask

        ordered = cross_on_dask([docs[i] for i in order], rules, refs, scheduler, _SCORE_CHUNK)
        for i, found in zip(order, ordered):
            results[i] = found
    elif jobs > 1 and len(docs) > 1 and sys.platform.startswith("linux"):  # fork is safe on Linux only
        from concurrent.futures import ProcessPoolExecutor

        from auditor.reuse.model import load_model

        global _FORKED
        refs.model = refs.model or load_model()  # loaded once, before the fork
        _FORKED = (refs, docs, rules)
        size = max(1, min(_SCORE_CHUNK, len(order) // (4 * jobs)))  # enough chunks to balance the processes
        chunks = [order[k:k + size] for k in range(0, len(order), size)]
        wave = _CHUNKS_PER_CHILD * jobs
        try:
            # in waves of fresh children: a child's private memory grows with every chunk it checks
            # (it writes into pages it shares with this process), and it is returned when the child exits
            for first in range(0, len(chunks), wave):
                trim_heap()  # freed memory goes back to the system: the children would write into it
                gc.freeze()  # the collector leaves the parent's objects alone in the children: fewer copied pages
                try:
                    with ProcessPoolExecutor(max_workers=min(jobs, len(docs)),
                                             mp_context=multiprocessing.get_context("fork")) as pool:
                        futures = {pool.submit(_check_forked, chunk): chunk for chunk in chunks[first:first + wave]}
                        for future, chunk in futures.items():
                            try:
                                for i, found in zip(chunk, future.result()):
                                    results[i] = found
                            except Exception:  # noqa: BLE001 - a broken pool: these documents are checked below
                                pass
                except Exception:  # noqa: BLE001 - e.g. the pool could not start: checked below
                    pass
        finally:
            _FORKED = None
            gc.unfreeze()
    left = [i for i in order if results[i] is None]
    for k in range(0, len(left), _SCORE_CHUNK):
        chunk = left[k:k + _SCORE_CHUNK]
        for i, found in zip(chunk, check_chunk(docs, chunk, rules, refs)):
            results[i] = found
    return results
