"""The batch runner: audit hundreds of files in parallel, each one isolated, with the results
written to a SQLite store as they finish, resumable, with identical submissions grouped.

``run_batch(paths, ...) -> Batch`` is the one entry point (``audit`` below and ``auditor check``
call it). What it does:

- **Parallel and isolated.** The files are audited by an executor named by ``engine``
  (:mod:`auditor.runner.executors`: one interface, ``run(tasks, args, work)`` yielding results as files
  finish). With ``engine="process"`` (the default) it runs ``jobs`` long-lived
  worker processes (default: all cores), each an :class:`auditor.isolation.IsolatedPool` with a
  per-file wall-clock timeout and an address-space limit. A file whose parser hangs, exhausts
  memory or crashes the worker becomes a report with ``error`` set (codes ``timeout``,
  ``memory-limit``, ``worker-crashed``, and ``worker-killed`` when something outside killed the
  worker); the worker is replaced and the batch goes on. The fork
  server that starts the workers imports the pipeline and warms its caches (jieba dictionary, rule
  registry) once (:mod:`auditor.worker_warm`), so every worker forks ready and serves many files. ``engine="dask"`` runs the same work on a Dask cluster
  (:mod:`auditor.dask_engine`); ``engine="inline"`` runs it in this process, unisolated.
- **Incremental store, resume.** With ``store=FILE`` every finished file is committed to the
  SQLite store at once (:mod:`auditor.store`). With ``resume=True`` a file whose key (absolute
  path, SHA-256 of its bytes, auditor version, selected rule codes) is already in the store is
  not audited again; its stored report is used — unless its worker timed out, ran out of memory
  or died (:data:`RETRYABLE_ERRORS`): such a file is audited again once (always with
  ``retry_errors``). A store write that fails mid-run is reported and the run goes on in memory.
- **Inputs that must not be opened.** Folders are searched without opening anything
  (:func:`auditor.engine.expand_inputs`); FIFOs, devices, sockets, symlinks that leave their
  folder and symlink loops get their own error row at once and never reach a worker, and the
  parent hashes a file only after ``fstat`` says it is a regular file (opened non-blocking).
  File names that are not UTF-8 are shown as :func:`auditor.display.display_path` writes them.
- **Identical submissions.** Files with the same bytes, or with the same text in two formats (a
  .docx and its .txt export: the same Document text once Unicode-normalised, with whitespace and
  export residue such as ``[bookmark: _GoBack]`` dropped), form a group. Every report is kept;
  each carries ``duplicate_group`` ("G1", "G2" … numbered in input order), ``duplicate_of`` (the
  path of the group's first file; None for that file itself) and ``duplicate_kind``
  ("same-bytes" or "same-text"). Files with the same bytes are audited once.
- **Cross-report phase.** With more than one file (or references), reports are compared with the
  same unit's reports of other years once every file is read (:func:`auditor.runner.cross.compare_with_references`).
  The workers prepare for it: each sends its Document with the passages and the index sketch
  (shingles, n-gram counts) already computed, while this process loads the stale-passage model;
  the comparisons then run in ``jobs`` forked processes.
- **Progress.** Reported to ``on_progress`` (a :class:`BatchProgress`: ``start(total, done)``,
  ``advance(count)``, ``stop()``), if given; this module draws nothing. The CLI passes a rich progress
  bar (:mod:`auditor.cli_progress`) when stderr is a terminal.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import os
import stat
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Protocol

from auditor._version import __version__
from auditor.display import display_path
from auditor.document import Document
from auditor.engine import Batch, Report, expand_inputs, score_batch
from auditor.errors import AuditorError
from auditor.isolation import DEFAULT_MEMORY_BYTES
from auditor.runner.executors import ENGINES, Task, make_executor
from auditor.runner.executors import isolated_reader as _isolated_reader  # noqa: F401 (re-exported)
from auditor.runner.executors import read_reference_task  # noqa: F401 (re-exported)
from auditor.runner.notices import say
from auditor.runner.worker import (  # noqa: F401  (the worker side, re-exported for callers)
    WorkResult,
    _prepare_worker,
    _rules_for,
    audit_task,
    failed_result,
    received,
    text_fingerprint,
)
from auditor.store import ResultKey, ResultStore, StoreError

__all__ = [
    "BatchProgress",
    "BatchReport",
    "BatchUsageError",
    "DEFAULT_TIMEOUT_S",
    "ENGINES",
    "WorkResult",
    "audit_task",
    "rules_key",
    "run_batch",
    "text_fingerprint",
]

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MAX_CALLS = 1000  # files per worker before it is recycled (heap growth counts against RLIMIT_AS)
_HASH_CHUNK = 1 << 20
# Failures that say nothing about the file itself (its worker died, ran out of time or memory):
# ``--resume`` audits such a file again, once (always with ``retry_errors``).
RETRYABLE_ERRORS = frozenset({"timeout", "memory-limit", "worker-crashed", "worker-killed"})


class BatchUsageError(AuditorError):
    """Options of a batch run that do not fit together (the CLI exits with code 2)."""

    code = "batch-usage"


@dataclass(slots=True)
class BatchReport(Report):
    """A Report of a batch run, with the grouping of identical submissions."""

    duplicate_group: str | None = None
    duplicate_of: str | None = None
    duplicate_kind: str | None = None  # same-bytes | same-text

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        data = Report.to_dict(self, lang)
        data.update(duplicate_group=self.duplicate_group, duplicate_of=self.duplicate_of,
                    duplicate_kind=self.duplicate_kind)
        return data


# --------------------------------------------------------------------------- keys and fingerprints



def file_sha256(path: Path, max_bytes: int | None = None) -> str | None:
    """SHA-256 of a regular file's bytes, or None when it cannot be read (it is reported later),
    is not a regular file, or is larger than ``max_bytes``. Never blocks: the file is opened
    non-blocking and checked with ``fstat`` before anything is read (a FIFO swapped in after
    the folder search, or a device, is never read)."""
    digest = hashlib.sha256()
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode) or (max_bytes is not None and st.st_size > max_bytes):
                return None
            while chunk := handle.read(_HASH_CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def selected_rule_codes(rules: Iterable[str] | None) -> tuple[str, ...]:
    """The codes of the rules a selection ("AR", "AR101" …; None = all) runs, sorted."""
    from auditor.rules.registry import select_rules

    codes = [c.strip() for c in rules if c.strip()] if rules is not None else None
    if codes is not None and not codes:
        return ()
    return tuple(sorted(r.code for r in select_rules(codes)))


def rules_key(codes: Sequence[str]) -> str:
    return ",".join(sorted(codes))


# --------------------------------------------------------------------------- reports <-> store


def report_record(report: Report, attempts: int = 1) -> dict[str, Any]:
    """The unscored report as stored: :meth:`Report.to_dict` with ``exact`` (everything except the
    Document; not the run's rank, risk or duplicate group). ``attempts``: how many runs have tried
    this file (a retried failure counts them)."""
    record = Report.to_dict(report, exact=True)
    for name in ("risk_score", "rank", "tier"):
        del record[name]
    if not report.structure_checked:
        del record["needs_review"]
    record["attempts"] = attempts
    return record


def should_retry(record: dict[str, Any], retry_errors: bool) -> bool:
    """Whether ``--resume`` audits a stored file again: its worker died, timed out or ran out
    of memory, and it was tried only once (or ``retry_errors``)."""
    error = record.get("error") or {}
    if error.get("code") not in RETRYABLE_ERRORS:
        return False
    return retry_errors or int(record.get("attempts") or 1) < 2


def report_from_record(record: dict[str, Any], path: str) -> BatchReport:
    report = BatchReport.from_dict({**record, "path": path, "kind": record.get("kind") or "unknown"})
    report.structure_checked = "needs_review" in record
    return report


def _as_batch_report(report: Report, path: str, *, copy_findings: bool) -> BatchReport:
    values = {f.name: getattr(report, f.name) for f in fields(Report) if f.init}
    values["path"] = path
    if copy_findings:
        values["findings"] = copy.deepcopy(report.findings)
    return BatchReport(**values)


# --------------------------------------------------------------------------- grouping


def _group_duplicates(reports: list[BatchReport], content_hashes: list[str | None],
                      text_hashes: list[str | None]) -> None:
    """Union files sharing bytes or normalised text; mark each group's members."""
    parent = list(range(len(reports)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for hashes in (content_hashes, text_hashes):
        first: dict[str, int] = {}
        for i, h in enumerate(hashes):
            if h is None:
                continue
            if h in first:
                a, b = find(first[h]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first[h] = i
    members: dict[int, list[int]] = {}
    for i in range(len(reports)):
        members.setdefault(find(i), []).append(i)
    number = 0
    for root in sorted(members):
        group = members[root]
        if len(group) < 2:
            continue
        number += 1
        head = group[0]
        for i in group:
            reports[i].duplicate_group = f"G{number}"
            if i == head:
                continue
            reports[i].duplicate_of = reports[head].path
            same_bytes = content_hashes[i] is not None and content_hashes[i] == content_hashes[head]
            reports[i].duplicate_kind = "same-bytes" if same_bytes else "same-text"
        reports[head].duplicate_kind = ("same-bytes" if all(
            content_hashes[i] is not None and content_hashes[i] == content_hashes[head] for i in group)
            else "same-text")


# --------------------------------------------------------------------------- progress


class BatchProgress(Protocol):
    """What ``run_batch(on_progress=...)`` reports to while the files are audited (the CLI draws a
    progress bar with it: :class:`auditor.cli_progress.ProgressBar`). Called from the calling thread."""

    def start(self, total: int, done: int) -> None:
        """The batch starts: ``total`` files, ``done`` of them already finished (resumed, refused)."""

    def advance(self, count: int) -> None:
        """``count`` more files finished (a file and its identical copies count together)."""

    def stop(self) -> None:
        """Every file is read (or the run stopped); the cross-report phase may follow."""


# --------------------------------------------------------------------------- the runner


@dataclass(slots=True)
class _Inputs:
    """What the run knows of each input file, in input order."""

    files: list[Path]
    shown: list[str]  # names that every output and the store can write
    suffixes: list[str]
    content_hashes: list[str | None]
    keys: list[ResultKey | None]
    reports: list[BatchReport | None]  # None until the file is audited (or found in the store)
    text_hashes: list[str | None]
    attempts: list[int]

    @classmethod
    def expand(cls, paths: list[str | Path], key_rules: str) -> _Inputs:
        """The files of ``paths`` (folders searched without opening anything); special files, symlinks
        leaving a folder and symlink loops get their error row at once and are never opened."""
        from auditor.preflight import DEFAULT_LIMITS

        inputs = expand_inputs(paths)
        files = [item.path for item in inputs]
        shown = [display_path(p) for p in files]
        content_hashes = [None if item.refusal is not None else file_sha256(item.path, DEFAULT_LIMITS.max_file_bytes)
                          for item in inputs]
        keys = [ResultKey(display_path(p.resolve()), h, __version__, key_rules) if h is not None else None
                for p, h in zip(files, content_hashes)]
        reports: list[BatchReport | None] = [None if item.refusal is None else BatchReport(path=shown[i], error=item.refusal)
                                             for i, item in enumerate(inputs)]
        return cls(files, shown, [p.suffix.lower() for p in files], content_hashes, keys, reports,
                   [None] * len(files), [1] * len(files))

    def __len__(self) -> int:
        return len(self.files)

    def resume_from(self, result_store: ResultStore, *, retry_errors: bool, want_documents: bool,
                    pack: bool = False) -> None:
        """Take the stored report of every file already in the store, except the failures to audit
        again (:func:`should_retry`, their attempts counted); with ``want_documents``, each resumed
        report gets its Document rebuilt from the stored text, with ``pack`` kept as the workers ship
        theirs for the cross-report phase (its reuse material computed, its structure packed)."""
        for i, key in enumerate(self.keys):
            stored = result_store.get(key) if key is not None else None
            if stored is None:
                continue
            if should_retry(stored.report, retry_errors):
                self.attempts[i] = int(stored.report.get("attempts") or 1) + 1
                continue
            report = self.reports[i] = report_from_record(stored.report, self.shown[i])
            self.text_hashes[i] = stored.text_hash
            if want_documents and stored.text is not None and report.format:
                from auditor.readers.text import build_document

                report.document = build_document(stored.text, self.shown[i], report.format)
                if pack:
                    _pack_like_a_worker(report.document)

    def tasks(self) -> tuple[list[Task], dict[int, list[int]]]:
        """The files still to audit, longest first (fewer stragglers at the end), and for each the
        files it stands for: same bytes with the same suffix (which decides the reader) are audited once."""
        waiting: dict[tuple, list[int]] = {}
        for i in range(len(self)):
            if self.reports[i] is None:
                group = (self.content_hashes[i], self.suffixes[i]) if self.content_hashes[i] else ("unhashed", i)
                waiting.setdefault(group, []).append(i)
        group_of = {members[0]: members for members in waiting.values()}
        todo = [Task(i, str(self.files[i]), _size(self.files[i])) for i in group_of]
        todo.sort(key=lambda t: -t.size)
        return todo, group_of

    def take(self, found: int, result: WorkResult, members: list[int]) -> list[int]:
        """Record a worker's result for file ``found`` and the files with the same bytes it stands for
        (``members``, ``found`` first; each gets its own report); return ``members``."""
        received(result)  # its Document takes back the reuse material shipped with it
        for i in members:
            self.reports[i] = _as_batch_report(result.report, self.shown[i], copy_findings=i != found)
            self.text_hashes[i] = result.text_hash
        return members

    def finished(self) -> int:
        return sum(r is not None for r in self.reports)


def _pack_like_a_worker(doc: Document) -> None:
    """Keep a Document rebuilt here as a worker ships one (:func:`auditor.runner.worker.audit_task`): its
    reuse material computed, every other cache dropped, its structure packed until it is checked again."""
    from auditor.reuse.material import adopt_reuse_material
    from auditor.runner.worker import cross_phase_material

    material = cross_phase_material(doc)
    doc.pack()
    adopt_reuse_material(doc, material)


def _store_report(result_store: ResultStore | None, key: ResultKey | None, report: BatchReport, attempts: int,
                  result: WorkResult, console: Any) -> ResultStore | None:
    """Commit one finished file to the store; the store, or None once a write failed (abandoned)."""
    if result_store is None or key is None:
        return result_store
    try:
        result_store.put(key, report_record(report, attempts), text=result.text, text_hash=result.text_hash,
                         seconds=result.seconds)
    except StoreError as exc:
        return _abandon_store(result_store, exc, console)
    return result_store


# Files audited in this run from which the per-file workers' server is stopped before the cross-report
# phase (its memory counts then); a smaller batch keeps it for the next run in the same process.
RELEASE_WORKERS_AT = 200
# Files from which each report's findings are packed as they arrive (Report.pack_findings) and kept so
# until the cross-report phase is done: its search is where a large batch's memory peaks. At 3,200
# reports this process held 223 MB instead of 263 MB when the search began; below 1,000 reports the
# findings are a few MB and packing them would only cost time (~0.1 ms a report).
PACK_FINDINGS_AT = 1_000


def run_batch(
    paths: Iterable[str | Path] | str | Path,
    *,
    rules: Iterable[str] | None = None,
    jobs: int | None = None,
    store: str | Path | None = None,
    resume: bool = False,
    engine: str = "process",
    scheduler: Any = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    max_calls: int = DEFAULT_MAX_CALLS,
    keep_documents: bool = False,
    progress: bool | None = None,
    on_progress: BatchProgress | None = None,
    console=None,
    risk_config=None,
    references: Iterable[str | Path] = (),
    index: str | Path | None = None,
    on_result: Callable[[BatchReport], None] | None = None,
    task: Callable[..., WorkResult] = audit_task,
    retry_errors: bool = False,
) -> Batch:
    """Audit files and folders as one batch; return the ranked :class:`~auditor.engine.Batch`
    whose reports are :class:`BatchReport` objects (see the module docstring).

    ``rules``: codes or prefixes ("AR", "AR101"), None for all. ``jobs``: worker processes
    (default: all cores). ``store``/``resume``: the SQLite store and whether to reuse its
    finished files. ``engine``: "process", "dask" (with ``scheduler``: an address such as
    "tcp://host:8786", a ``distributed.Client`` or a ``LocalCluster``) or "inline"
    (:func:`auditor.runner.executors.make_executor`).
    ``timeout_s``/``memory_bytes``: limits per file (process engine). ``keep_documents``: attach
    each report's Document (the HTML reporter needs the text; costs memory in large batches).
    ``references``/``index``: earlier reports and a persisted index for the cross-report phase
    (:func:`auditor.runner.cross.compare_with_references`), which runs after every file is read.
    ``on_progress``: a :class:`BatchProgress` told of the files as they finish (the CLI's progress
    bar); ``progress=False`` silences it (None or True: report to it when given). ``console``: a rich
    console for warnings (a store that cannot be written, unreadable references, Ctrl-C).
    ``on_result`` is called with each report as it finishes (unscored). ``task`` is the per-file
    function run in the workers (a picklable top-level function with :func:`audit_task`'s signature;
    tests use it to simulate files that hang or crash).

    ``retry_errors``: with ``resume``, audit again every stored file whose worker timed out, ran
    out of memory or died (without it, such a file is retried once). A store that cannot be
    written mid-run is abandoned with a warning on ``console``; the run goes on in memory.

    Raises :class:`BatchUsageError` for options that do not fit together."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    _check_options(engine, store, resume, scheduler)
    jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    if progress is False:
        on_progress = None

    codes = selected_rule_codes(rules)
    rule_codes = None if rules is None else codes
    state = _Inputs.expand(paths, rules_key(codes))
    n = len(state)
    cross_rules = [r for r in _rules_for(rule_codes) if r.uses_references]
    references = list(references)
    cross_phase = bool(cross_rules) and (n > 1 or bool(references) or index is not None)
    want_documents = keep_documents or cross_phase
    pack_findings = cross_phase and n >= PACK_FINDINGS_AT  # unpacked once the cross phase is done
    executor = make_executor(engine, jobs=jobs, scheduler=scheduler, timeout_s=timeout_s,
                             memory_bytes=memory_bytes, max_calls=max_calls)

    result_store = ResultStore(store) if store is not None else None
    warming: threading.Thread | None = None
    try:
        if result_store is not None and resume:
            state.resume_from(result_store, retry_errors=retry_errors, want_documents=want_documents,
                              pack=cross_phase)
            if pack_findings:
                for report in state.reports:
                    if report is not None:
                        report.pack_findings()  # as the reports audited now are
        todo, group_of = state.tasks()
        args = (rule_codes, result_store is not None, want_documents)
        stream = executor.run(todo, args, task)  # a lone file is forked now, before any other thread starts
        if cross_phase and executor.parent_is_idle and len(todo) > 1:
            # the parent is idle while the workers read: load what the cross-report phase needs meanwhile
            warming = threading.Thread(target=_warm_cross_phase, name="auditor-warm", daemon=True)
            warming.start()
        if on_progress is not None:
            on_progress.start(n, state.finished())
        try:
            for found, result in stream:
                for i in state.take(found, result, group_of[found]):
                    result_store = _store_report(result_store, state.keys[i], state.reports[i], state.attempts[i],
                                                 result, console)
                    if on_result is not None:
                        on_result(state.reports[i])
                    if pack_findings:
                        state.reports[i].pack_findings()
                if want_documents:
                    gc.freeze()  # the Documents received live until the end: the collector need not rescan them
                if on_progress is not None:
                    on_progress.advance(len(group_of[found]))
        finally:
            executor.close()
            if on_progress is not None:
                on_progress.stop()
    except KeyboardInterrupt:
        gc.unfreeze()
        _keep_interrupted(paths, store, state, console)
        raise
    except BaseException:
        gc.unfreeze()
        raise
    finally:
        if result_store is not None:
            result_store.close()

    finished: list[BatchReport] = [r for r in state.reports if r is not None]
    assert len(finished) == n, "every file must have a report"
    try:
        if cross_phase:
            if warming is not None:
                warming.join()  # no thread may be running when the cross-report phase forks
            if len(todo) >= RELEASE_WORKERS_AT:
                executor.release()  # a large batch: the per-file workers' memory goes before the cross phase
            _cross_phase(finished, cross_rules, references, index, executor, console)
        for report in finished:
            report.unpack_findings()
        _hand_over_documents(finished, keep_documents)
    except KeyboardInterrupt:
        gc.unfreeze()
        _keep_interrupted(paths, store, state, console)
        raise
    finally:
        gc.unfreeze()
    _group_duplicates(finished, state.content_hashes, state.text_hashes)
    return score_batch(finished, risk_config)


def _hand_over_documents(finished: list[BatchReport], keep_documents: bool) -> None:
    """With ``keep_documents`` the caller gets each Document whole (the workers ship them packed,
    :meth:`Document.pack`); without, the Documents the cross-report phase needed are let go."""
    for report in finished:
        if not keep_documents:
            report.document = None
        elif report.document is not None:
            report.document.unpack()


def _check_options(engine: str, store: str | Path | None, resume: bool, scheduler: Any) -> None:
    if engine not in ENGINES:
        raise BatchUsageError(f"未知的执行引擎 {engine!r}，可选：{'、'.join(ENGINES)}")
    if resume and store is None:
        raise BatchUsageError("--resume 需要同时用 --store 指定结果库文件")
    if engine == "dask" and scheduler is None:
        raise BatchUsageError("--engine dask 需要用 --scheduler 指定 Dask 调度器地址")


def _cross_phase(finished: list[BatchReport], cross_rules: list, references: list, index: str | Path | None,
                 executor: Any, console: Any) -> None:
    """Compare the reports with each other and the references, where the executor says it runs."""
    from auditor.runner.cross import compare_with_references

    plan = executor.cross_phase()
    for warning in compare_with_references(finished, cross_rules, references, index, jobs=plan.jobs,
                                           scheduler=plan.scheduler, read_reference=plan.read_reference):
        if console is not None:
            say(console, warning, style="yellow", lead="提示：")


def _keep_interrupted(paths: Sequence[Any], store: str | Path | None, state: _Inputs, console: Any = None) -> None:
    """Ctrl-C: without ``--store``, save the finished files to a new store in the user's cache
    folder (:mod:`auditor.runner.interrupt`); either way, say how to resume. Never raises."""
    from auditor.runner.interrupt import interrupted_store_path, resume_hint

    reports = state.reports
    finished = [i for i, r in enumerate(reports) if r is not None]
    try:
        for i in finished:
            reports[i].unpack_findings()  # packed while a large batch runs
        if store is not None:
            target, saved_now = Path(store), False
        else:
            items = [(state.keys[i], report_record(reports[i], state.attempts[i]),
                      reports[i].document.text if reports[i].document is not None else None, state.text_hashes[i])
                     for i in finished if state.keys[i] is not None]
            if not items:
                say(console, f"{len(reports)} 份中尚无完成的文件，未保存结果", style="bold yellow", lead="已中断：")
                return
            target, saved_now = interrupted_store_path(), True
            with ResultStore(target) as saved:
                saved.put_many(items)
        say(console, resume_hint(paths, target, len(finished), len(reports), saved_now), style="bold yellow",
            soft_wrap=True)
    except Exception as exc:  # noqa: BLE001 - the interrupt must still stop the run
        try:
            say(console, f"已中断，但已完成的结果未能保存：{exc}", style="bold red")
        except Exception:  # noqa: BLE001
            pass


def _abandon_store(result_store: ResultStore, error: StoreError, console: Any = None) -> None:
    """A store write failed (disk full, file removed, locked …): say so and go on in memory."""
    say(console, f"结果库 {display_path(result_store.path)} 写入失败（{error.message}）；"
        "本次运行继续，结果保留在内存中并照常输出；之后的文件不再写入结果库，用 --resume 续跑时它们会重新审核",
        style="bold yellow", lead="警告：")
    try:
        result_store.close()
    except Exception:  # noqa: BLE001 - already broken
        pass
    return None


def _warm_cross_phase() -> None:
    """Import and load what the cross-report phase uses (the index's numeric modules, the stale-passage
    model, the subject tokenizer), so that it starts warm and its forked processes inherit it all."""
    try:
        from auditor.runner.startup import import_jieba

        import_jieba()
        from auditor.extract.subjects import _get_tokenizer
        from auditor.reuse.model import load_model

        from auditor.runner.startup import import_scipy_sparse

        import_scipy_sparse()  # the index's matrices

        import auditor.reuse.references  # noqa: F401

        load_model()
        _get_tokenizer()
    except Exception:  # noqa: BLE001 - only a head start: the phase loads them itself otherwise
        pass


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def audit(paths: Iterable[str | Path] | str | Path, *, references: Iterable[str | Path] = (),
          index: str | Path | None = None, rules: Iterable[str] | None = None, risk_config=None,
          jobs: int | None = None, engine: str = "process", **batch_options) -> Batch:
    """Audit files and folders; return the ranked Batch (the objects the JSON serialises).

    Reports of the same unit from different years are references for each other; ``references``
    adds earlier reports (files or folders, read for comparison only, not ranked) and ``index`` a
    persisted reference index (``auditor index build``). ``rules`` selects rules by code or prefix
    ("AR", "AR101"); all by default. ``jobs``/``engine`` and ``batch_options`` (store, resume,
    timeout_s, memory_bytes, progress …) go to :func:`auditor.batch.run_batch`; each report keeps its
    Document (``report.document``)."""
    batch_options.setdefault("keep_documents", True)
    return run_batch(paths, rules=list(rules) if rules else None, references=references, index=index,
                     risk_config=risk_config, jobs=jobs, engine=engine, **batch_options)
