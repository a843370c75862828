"""Where the per-file work runs: the executors of a batch's first phase, behind one interface.

An :class:`Executor` takes the files to audit (:class:`Task`), the arguments of the per-file function
(``work``, :func:`auditor.runner.worker.audit_task` in a batch) and yields ``(index, result)`` as files
finish, in any order. A file whose worker hangs, runs out of memory or dies yields a failed
:class:`~auditor.runner.worker.WorkResult` (its report's ``error`` says why); the executor goes on.

- :class:`InlineExecutor`: in this process, one file after the other, unisolated.
- :class:`ProcessExecutor`: ``jobs`` long-lived isolated workers (:class:`auditor.isolation.IsolatedPool`,
  per-file timeout and memory limit), a lone file forked from this process.
- :class:`DaskExecutor`: on a Dask cluster (:mod:`auditor.dask_engine`).

Each also says how the cross-report phase that follows runs with it (:meth:`Executor.cross_phase`).
:func:`isolated_reader` reads one ``--reference`` (or index) file in an isolated worker.
"""

from __future__ import annotations

import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import SimpleQueue
from typing import Any

from auditor.errors import AuditorError, ReadError
from auditor.isolation import DEFAULT_MEMORY_BYTES, IsolatedPool
from auditor.runner.worker import _prepare_worker, audit_task, failed_result

__all__ = [
    "DaskExecutor",
    "ENGINES",
    "Executor",
    "InlineExecutor",
    "ProcessExecutor",
    "Task",
    "isolated_reader",
    "make_executor",
    "read_reference_task",
]

ENGINES = ("process", "dask", "inline")
Work = Callable[..., Any]  # a picklable top-level function with audit_task's signature


@dataclass(slots=True)
class Task:
    index: int  # position of the file in the input order
    path: str
    size: int


@dataclass(frozen=True, slots=True)
class CrossPhasePlan:
    """How the cross-report phase runs after this executor's phase: its forked processes, the Dask
    scheduler it runs on (None: locally) and the reader of ``--reference`` files (None: in this process)."""

    jobs: int
    scheduler: Any
    read_reference: Callable[[Path], Any] | None


class Executor(ABC):
    """Runs the per-file work of a batch; see the module docstring."""

    name: str = ""
    # whether this process has nothing to do while the files are audited (it may load what the
    # cross-report phase needs meanwhile)
    parent_is_idle: bool = False

    def __init__(self) -> None:
        self._streams: list[Iterator] = []

    def run(self, tasks: list[Task], args: tuple, work: Work = audit_task) -> Iterator[tuple[int, Any]]:
        """Yield ``(task.index, work(task.path, *args))`` for every task as it finishes."""
        stream = self._stream(tasks, args, work)
        self._streams.append(stream)
        return stream

    @abstractmethod
    def _stream(self, tasks: list[Task], args: tuple, work: Work) -> Iterator[tuple[int, Any]]:
        ...

    def cross_phase(self) -> CrossPhasePlan:
        return CrossPhasePlan(jobs=1, scheduler=None, read_reference=None)

    def release(self) -> None:
        """Every file has been read: let go of what only the per-file work needed (nothing by default)."""

    def close(self) -> None:
        """Stop what is still running (an interrupted batch): its workers are stopped and released."""
        streams, self._streams = self._streams, []
        for stream in streams:
            close = getattr(stream, "close", None)
            if close is not None:
                close()

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class InlineExecutor(Executor):
    """In this process, unisolated: a parser that hangs hangs the batch (tests, debugging)."""

    name = "inline"

    def _stream(self, tasks: list[Task], args: tuple, work: Work) -> Iterator[tuple[int, Any]]:
        for task in tasks:
            started = time.perf_counter()
            try:
                result = work(task.path, *args)
            except Exception as exc:  # noqa: BLE001 - one file only
                result = failed_result(task.path, ReadError(
                    f"审核时发生内部错误：{type(exc).__name__}: {exc}", code="reader-crashed"),
                    time.perf_counter() - started)
            yield task.index, result


class ProcessExecutor(Executor):
    """``jobs`` threads, each driving its own long-lived isolated worker process (per-file timeout and
    address-space limit; a worker that dies is replaced). A single file is audited in one process
    forked from this one (no fork server to start: it would import the pipeline and load jieba's
    dictionary a second time); it is forked when :meth:`run` is called, before any other thread starts.

    For several files, the first workers are forked from this process too, when :meth:`run` is called
    and no other thread runs here (``fork_workers_here``): this process warms the pipeline (it has
    imported it already) on jieba's lazy table and forks them (:func:`~auditor.runner.worker.prepare_to_fork_workers`).
    The fork server would start an interpreter, import the pipeline and load the whole dictionary
    before the first file (~0.5 s on two cores, while one core waits). Workers that replace them
    (after a timeout, a crash, ``max_calls``) come from the fork server, started then."""

    name = "process"
    parent_is_idle = True
    fork_workers_here = True  # tests turn it off to compare with fork-server workers

    def __init__(self, jobs: int, timeout_s: float, memory_bytes: int = DEFAULT_MEMORY_BYTES,
                 max_calls: int = 1000) -> None:
        super().__init__()
        self.jobs = max(1, jobs)
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self.max_calls = max_calls
        self._forked: list[IsolatedPool] = []  # workers forked by run(), not yet driven by a thread

    def run(self, tasks: list[Task], args: tuple, work: Work = audit_task) -> Iterator[tuple[int, Any]]:
        if len(tasks) == 1 and sys.platform.startswith("linux"):
            return iter([self._run_forked_once(tasks[0], args, work)])  # now: no other thread runs yet
        if (work is audit_task and len(tasks) > 1 and self.fork_workers_here and sys.platform.startswith("linux")
                and threading.active_count() == 1):
            self._forked = self._fork_workers(min(self.jobs, len(tasks)))  # now: no other thread runs yet
        return super().run(tasks, args, work)

    def _fork_workers(self, count: int) -> list[IsolatedPool]:
        """``count`` pool workers forked from this process, ready to audit (none if that fails: the
        fork server starts them instead)."""
        from auditor.runner.worker import prepare_to_fork_workers

        pools: list[IsolatedPool] = []
        try:
            let_go = prepare_to_fork_workers()
        except Exception:  # noqa: BLE001 - e.g. jieba's dictionary unreadable: each worker loads its own
            return pools
        try:
            for _ in range(count):
                pool = IsolatedPool(timeout_s=self.timeout_s, memory_bytes=self.memory_bytes, max_calls=self.max_calls)
                pools.append(pool)
                pool.start_forked()
        except Exception:  # noqa: BLE001 - e.g. fork refused (EAGAIN, ENOMEM): the fork server's workers
            for pool in pools:
                pool.close()
            pools = []
        finally:
            let_go()
        return pools

    def close(self) -> None:
        super().close()
        forked, self._forked = self._forked, []
        for pool in forked:  # forked but never given a file (the run stopped before it began)
            pool.close()

    def cross_phase(self) -> CrossPhasePlan:
        return CrossPhasePlan(jobs=self.jobs, scheduler=None,
                              read_reference=isolated_reader(self.timeout_s, self.memory_bytes))

    def release(self) -> None:
        """Stop the workers' fork server: it holds jieba's whole dictionary (~90 MB) through the
        cross-report phase otherwise. A later isolated read (a ``--reference`` file) starts it again."""
        from auditor.isolation import stop_fork_server

        stop_fork_server()

    def _run_forked_once(self, task: Task, args: tuple, work: Work) -> tuple[int, Any]:
        """One file in one isolated process forked from this one (same limits as the pool)."""
        from auditor.isolation import run_isolated

        started = time.perf_counter()
        try:
            return task.index, run_isolated(work, task.path, *args, timeout_s=self.timeout_s,
                                            memory_bytes=self.memory_bytes, start_method="fork")
        except AuditorError as exc:  # timeout, memory-limit, worker-crashed, read-failed
            return task.index, failed_result(task.path, exc, time.perf_counter() - started)

    def _stream(self, tasks: list[Task], args: tuple, work: Work) -> Iterator[tuple[int, Any]]:
        jobs = min(self.jobs, max(1, len(tasks)))
        if work is audit_task:
            from auditor.isolation import set_preload

            set_preload(["auditor.worker_warm"])  # workers fork warm (when the fork server starts here)
        forked, self._forked = self._forked, []
        pools: list[IsolatedPool] = list(forked)
        lock = threading.Lock()  # guards the queue of tasks, the pools and ``stopping``
        queue = iter(tasks)
        finished: SimpleQueue = SimpleQueue()  # (index, result), or (None, exception) from a driver
        stopping = False

        def next_task() -> Task | None:
            with lock:
                return None if stopping else next(queue, None)

        def drive() -> None:
            """One worker's files, taken from the queue as it goes: while the worker audits one, the next
            waits in its pipe (``IsolatedPool.submit``), so it never idles while this process receives."""
            with lock:
                pool = forked.pop() if forked else None
                if pool is None:
                    pool = IsolatedPool(timeout_s=self.timeout_s, memory_bytes=self.memory_bytes,
                                        max_calls=self.max_calls)
                    pools.append(pool)
            waiting: list[Task] = []  # submitted to the pool, oldest first
            try:
                while True:
                    if not waiting or pool.can_submit_ahead():
                        task = next_task()
                        if task is not None:
                            pool.submit(work, task.path, *args)
                            waiting.append(task)
                            continue
                    if not waiting or stopping:
                        return
                    task = waiting.pop(0)
                    started = time.perf_counter()
                    try:
                        result = pool.result()
                    except AuditorError as exc:  # timeout, memory-limit, worker-crashed, read-failed
                        result = failed_result(task.path, exc, time.perf_counter() - started)
                    finished.put((task.index, result))
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
                finished.put((None, exc))

        drivers = [threading.Thread(target=drive, name=f"auditor-batch-{i}", daemon=True) for i in range(jobs)]
        for driver in drivers:
            driver.start()
        finished_normally = False
        try:
            for _ in range(len(tasks)):
                index, result = finished.get()
                if index is None:
                    raise result
                yield index, result
            finished_normally = True
        finally:
            with lock:
                stopping = True
                if not finished_normally:
                    for pool in pools:
                        _kill_worker(pool)
            for driver in drivers:
                driver.join()
            for pool in pools:
                pool.close()


def _kill_worker(pool: IsolatedPool) -> None:
    """Stop a pool's worker at once, even while another thread waits on it (interrupts): the calls
    waiting behind its current one are dropped, not sent to a new worker."""
    pool.drop_waiting()
    process = getattr(pool, "_process", None)
    if process is not None and process.is_alive():
        process.kill()


class DaskExecutor(Executor):
    """On a Dask cluster (``scheduler``: an address such as "tcp://host:8786", a ``distributed.Client``
    or a ``LocalCluster``); see :mod:`auditor.dask_engine`. The cross-report phase runs there too."""

    name = "dask"

    def __init__(self, scheduler: Any, timeout_s: float, memory_bytes: int = DEFAULT_MEMORY_BYTES,
                 max_calls: int = 1000) -> None:
        super().__init__()
        self.scheduler = scheduler
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self.max_calls = max_calls

    def _stream(self, tasks: list[Task], args: tuple, work: Work) -> Iterator[tuple[int, Any]]:
        from auditor.dask_engine import run_on_dask

        return run_on_dask([(t.index, t.path) for t in tasks], args, self.scheduler, work=work,
                           timeout_s=self.timeout_s, memory_bytes=self.memory_bytes, max_calls=self.max_calls)

    def cross_phase(self) -> CrossPhasePlan:
        return CrossPhasePlan(jobs=1, scheduler=self.scheduler,
                              read_reference=isolated_reader(self.timeout_s, self.memory_bytes))


def make_executor(engine: str, *, jobs: int, scheduler: Any = None, timeout_s: float,
                  memory_bytes: int = DEFAULT_MEMORY_BYTES, max_calls: int = 1000) -> Executor:
    """The executor an engine name ("process", "dask", "inline") stands for."""
    if engine == "inline":
        return InlineExecutor()
    if engine == "dask":
        return DaskExecutor(scheduler, timeout_s, memory_bytes, max_calls)
    if engine == "process":
        return ProcessExecutor(jobs, timeout_s, memory_bytes, max_calls)
    raise ValueError(f"unknown engine {engine!r}")


# --------------------------------------------------------------------------- reference files


def read_reference_task(path: str):
    """Read one ``--reference`` (or index) file in an isolated worker: its Document, and its passages and
    index sketch computed there (``ReadReference``)."""
    from auditor.engine import read_document
    from auditor.runner.worker import ReadReference, cross_phase_material

    _prepare_worker(warm=False)
    doc = read_document(Path(path))
    return ReadReference(doc, cross_phase_material(doc))


def isolated_reader(timeout_s: float, memory_bytes: int,
                    task: Callable[[str], Any] = read_reference_task) -> Callable[[Path], Any]:
    """A reader of ``--reference`` files with the batch's per-file limits: each file is read in an
    isolated worker, so a reference that hangs or explodes raises a ReadError (``timeout``,
    ``memory-limit``, ``worker-crashed``) instead of hanging or crashing the caller. ``task``: the
    function run in the worker (tests use it to simulate files that hang)."""
    from auditor.isolation import run_isolated

    def read(path: Path):
        return run_isolated(task, str(path), timeout_s=timeout_s, memory_bytes=memory_bytes).received()

    return read
