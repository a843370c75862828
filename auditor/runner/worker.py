"""The work a worker does for one file: read it, analyse it, check it (:func:`audit_task`), and the
per-document helpers the cross-report phase shares with the Dask workers. Imported by the executors
(auditor.batch, auditor.dask_engine, auditor.runner.cross); it imports none of them."""

from __future__ import annotations

import hashlib
import multiprocessing
import re
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from auditor.document import Document
from auditor.engine import Report, check_report, collector_paused, read_report
from auditor.errors import AuditorError
from auditor.nlp.nfkc import nfkc
from auditor.reuse.material import (
    ReuseMaterial,
    adopt_reuse_material,
    keep_analysis_fields,
    keep_number_pass,
    restore_number_pass,
    reuse_material,
)
from auditor.rules.registry import Rule


@dataclass(slots=True)
class WorkResult:
    """What a worker sends back for one file."""

    report: Report
    text: str | None  # the Document text (only when asked for: the store keeps it)
    text_hash: str | None  # text_fingerprint of the Document text; None when unreadable
    seconds: float
    # what the cross-report phase reads of report.document (its passages and index sketch), built
    # here, in parallel; None without a document. The Document itself travels without any cache, packed
    # (Document.pack: its structure one compressed blob, unpacked only when it is checked again).
    reuse: ReuseMaterial | None = None


def received(result: WorkResult) -> Report:
    """The report of a result received from a worker, its Document given the reuse material that was
    shipped with it."""
    if result.report.document is not None:
        adopt_reuse_material(result.report.document, result.reuse)
    return result.report


@dataclass(slots=True)
class ReadReference:
    """What a worker sends back for one ``--reference`` file: the Document and its reuse material."""

    document: Document
    reuse: ReuseMaterial

    def received(self) -> Document:
        """The Document, given the reuse material shipped with it."""
        adopt_reuse_material(self.document, self.reuse)
        return self.document


_RESIDUE = re.compile(r"\[bookmark:[^\]]*\]")


def text_fingerprint(text: str) -> str:
    """SHA-256 of the text as a reader sees it: NFKC, export residue and all whitespace dropped.

    The same report exported as .docx and as .txt gets the same fingerprint; a changed figure
    or character does not."""
    normal = nfkc(text)
    if "[bookmark:" in normal:
        normal = _RESIDUE.sub("", normal)
    normal = "".join(normal.split())  # every whitespace character: those of \s
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


_worker_lock = threading.Lock()
_worker_ready = False
_rules_cache: dict[tuple[str, ...], list] = {}

# A small synthetic report (narrative figures, a sum, one budget table) audited once per worker,
# so that every lazily built cache (jieba dictionary, rule registry, regexes) is ready before
# the first real file.
_WARM_UP_TEXT = (
    "2024年度示例单位部门整体支出绩效自评报告\n"
    "一、部门基本情况\n"
    "全年组织培训12期，走访群众350余人次，开展专题调研8次。\n"
    "二、一般公共预算支出情况\n"
    "全年预算数100.00万元，其中：基本支出60.00万元，项目支出40.00万元。\n"
    "\t项目\n\t年初预算数\n\t全年预算数\n\t全年执行数\n\t执行率\n\n"
    "\t年度资金总额\n\t100.00\n\t100.00\n\t95.00\n\t95%\n\n"
)


def _prepare_worker(warm: bool = True) -> None:
    """Once per worker process: ignore Ctrl-C (the parent handles it and stops the worker),
    import the pipeline and, with ``warm``, warm its caches by auditing a small text (worth it in
    the fork server, whose workers share the warmed pages; a one-file run skips it)."""
    global _worker_ready
    with _worker_lock:
        if _worker_ready:
            return
        # a worker process only: the inline engine runs this in the user's process, which must
        # keep Ctrl-C (and not pass an ignored SIGINT on to the programs it starts)
        if threading.current_thread() is threading.main_thread() and multiprocessing.parent_process() is not None:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        from auditor.runner.startup import import_jieba

        import_jieba()  # before the extractors import it
        if not warm:
            return
        _warm_pipeline()
        _worker_ready = True


def _warm_pipeline() -> None:
    """Import what auditing a file imports on first use and build every lazily built cache (jieba's
    dictionary, the rule registry, compiled patterns, numpy for the index sketch) on a small text."""
    import auditor.preflight  # noqa: F401 - what reading a file imports on first use
    import auditor.readers.convert  # noqa: F401
    import auditor.structure  # noqa: F401
    from auditor.engine import check_document
    from auditor.readers.text import build_document
    from auditor.rules import all_rules

    document = build_document(_WARM_UP_TEXT, "<warm-up>", "txt")
    check_document(document, all_rules(), keep_analysis=True)
    cross_phase_material(document)  # numpy and the index sketch: every file of a batch ships them
    document.pack()
    text_fingerprint(document.text)


def prepare_to_fork_workers() -> Callable[[], None]:
    """Make this process ready for batch workers to be forked from it (instead of from the fork
    server, see :class:`auditor.runner.executors.ProcessExecutor`): the pipeline warmed, jieba's
    dictionary as this process reads it, and the collector's objects frozen (the workers' collections
    then leave them alone). Returns the function to call once the workers are forked.

    The dictionary stays lazy (:class:`auditor.nlp.jieba_dict.LazyFreq`) when its index is in the cache
    folder: the workers segment short phrases only, a few thousand distinct words per worker, read
    from the index in ~0.03 s, while loading all ~500,000 entries here costs ~0.2-0.3 s before any
    worker can start. A first run, with no index yet, loads it whole (and writes the index); the
    returned function then lets it go here: the workers keep their copy, and this process reads
    lazily from the index in the cross-report phase."""
    global _worker_ready
    import gc

    from auditor.extract.subjects import _get_tokenizer, swap_tokenizer, tokenizer_is_whole
    from auditor.nlp.jieba_dict import lazy_wanted
    from auditor.runner.startup import import_jieba

    with _worker_lock:
        import_jieba()
        if not _worker_ready:
            _warm_pipeline()
            _worker_ready = True
    tokenizer = _get_tokenizer()  # also when the pipeline was warm already
    gc.collect()
    gc.freeze()

    def let_go() -> None:
        if lazy_wanted() and tokenizer_is_whole(tokenizer):
            swap_tokenizer(None)  # built again, lazily, when this process next needs one

    return let_go


def _rules_for(codes: tuple[str, ...] | None) -> list:
    from auditor.rules import all_rules

    key = codes if codes is not None else ("*",)
    if key not in _rules_cache:
        everything = all_rules()
        _rules_cache[key] = everything if codes is None else [r for r in everything if r.code in set(codes)]
    return _rules_cache[key]


# Python's cyclic collector is off while a worker checks a file, from the checks until their Analysis is
# let go: the rules' analysis of a report allocates tens of thousands of objects that stay alive until
# then and make no reference cycles (freed by reference counting: tests/test_reference_cycles.py), so
# the collections they set off found nothing, and one run after the checks would still see them all.
# Over the 400-report benchmark batch the workers' collections took 0.10 s with it on, 0.013 s off.
# Reading stays collected: a reader's library (pdfplumber) may leave cycles page after page.
def audit_task(path: str, rule_codes: tuple[str, ...] | None, want_text: bool,
               keep_document: bool) -> WorkResult:
    """Audit one file (in a worker). ``rule_codes`` None runs every rule."""
    _prepare_worker(warm=False)  # the fork server warmed the pool's workers; a lone file needs no warm-up
    started = time.perf_counter()
    report = read_report(Path(path))
    text = report.document.text if report.document is not None else None
    shipped: ReuseMaterial | None = None
    if report.document is not None:
        with collector_paused():  # from the checks until their Analysis is let go (see above)
            check_report(report, _rules_for(rule_codes), keep_analysis=keep_document)
            if not keep_document:
                report.document = None
            else:
                shipped = cross_phase_material(report.document)
                report.document.pack()  # the parent keeps it compact; it is unpacked only to be checked again
    return WorkResult(report=report, text=text if want_text else None,
                      text_hash=text_fingerprint(text) if text is not None else None,
                      seconds=time.perf_counter() - started, reuse=shipped)


# Analysis fields the cross phase's rules read that are small and costly to compute again (table forms,
# claims and indicator statements behind them): RU504's indicator actuals, RU501's own-table
# confirmations, RU507's basic-data final figures, RU504's stale scopes (the year framings of every
# passage). The worker has computed what they are made of.
KEPT_ANALYSIS_FIELDS = ("indicator_actuals", "table_confirmed", "final_records", "stale_scopes")


def cross_phase_material(doc: Document) -> ReuseMaterial:
    """What the cross-report phase reads of ``doc`` (its passages, index sketch, figure marks, number
    pass, template-section flags and :data:`KEPT_ANALYSIS_FIELDS`, computed here, in parallel, from what the checks made), taken
    out of it: every other cache of ``doc`` is dropped (rebuilt on demand, not worth shipping or keeping)."""
    from auditor.analysis import Analysis
    from auditor.reuse.features import figure_marks, keep_template_flags
    from auditor.reuse.index import document_sketch

    document_sketch(doc)
    figure_marks(doc)
    keep_template_flags(doc)
    keep_number_pass(doc)
    analysis = doc.derived_view(Analysis) or Analysis(doc)
    keep_analysis_fields(doc, analysis, KEPT_ANALYSIS_FIELDS)
    material = reuse_material(doc).kept(doc.text)
    doc.forget_derived()
    return material


def failed_result(path: str, error: AuditorError, seconds: float) -> WorkResult:
    """The result of a file whose worker timed out, ran out of memory or crashed."""
    return WorkResult(report=Report(path=path, error=error), text=None, text_hash=None, seconds=seconds)


def _clear_extractor_caches(doc: Document) -> None:
    """Drop a checked document's caches (a batch holds hundreds of Documents), keeping what the
    documents that take it as a reference will ask for again (its passages)."""
    kept = reuse_material(doc).kept(doc.text)
    doc.forget_derived()
    adopt_reuse_material(doc, kept)


def shipped_material(docs: list[Document]) -> list[ReuseMaterial]:
    """What the cross phase's remote workers need of ``docs`` besides the Documents (which are pickled
    without caches): their passages and index sketches, in order."""
    return [reuse_material(d).kept(d.text) for d in docs]


def adopt_shipped_material(docs: list[Document], material: list[ReuseMaterial]) -> None:
    """On a remote worker: give each of ``docs`` its shipped material, unless it has its passages already
    (a worker checks several chunks with the same documents)."""
    for doc, shipped in zip(docs, material):
        if not reuse_material(doc).has_passages:
            adopt_reuse_material(doc, shipped.kept(doc.text))


def check_chunk(docs: list[Document], chunk: list[int], rules: list[Rule], refs) -> list[list]:
    """The reference rules' findings of ``docs[i]`` for each ``i`` of ``chunk``, their aligned pairs
    scored together. Packed Documents (:meth:`Document.pack`) among them and their references are
    unpacked when a check reads their structure (a reference is mostly read through its reuse material,
    not its structure) and packed again after the chunk, so a process holds a chunk's structure at a time."""
    from auditor.engine import check_document
    from auditor.reuse.references import prescore

    opened: dict[int, Document] = {}  # packed ones, by id
    for i in chunk:
        for doc in (docs[i], *refs.candidates(docs[i]), *refs.other_unit_candidates(docs[i])):
            if doc.packed:
                opened[id(doc)] = doc
            restore_number_pass(doc)
    try:
        if _aligns(rules):
            prescore([docs[i] for i in chunk], refs)
        return [check_document(docs[i], rules, refs) for i in chunk]
    finally:
        # the caches go at the end of the chunk, not after each document: a unit's reports are
        # checked together and are each other's references (their number passes are read again)
        for doc in {id(d): d for d in (*(docs[i] for i in chunk), *opened.values())}.values():
            _clear_extractor_caches(doc)  # a process checks hundreds of documents
        for doc in opened.values():
            doc.pack()  # released again if it was read (caches built on the structure go with it)


def _aligns(rules: list[Rule]) -> bool:
    """Whether some of ``rules`` read the scored alignment with the references (copied passages)."""
    return any(r.code in ("RU501", "RU504", "RU505") for r in rules)
