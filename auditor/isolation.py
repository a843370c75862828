"""Run a parser in a disposable worker process, so a hanging, exploding or crashing parser
costs one file only and never the batch.

Two entry points:

``run_isolated(func, *args, timeout_s=..., memory_bytes=...)``
    Starts a fresh worker for one call (multiprocessing "forkserver" context on Linux, "spawn"
    elsewhere), sets ``RLIMIT_AS`` (address space) and ``RLIMIT_CORE=0`` in the child, calls
    ``func(*args)`` there and returns its result. ``func`` must be a picklable top-level
    function and its arguments and result must be picklable. Each call pays for a fork from
    the fork server plus the import of ``func``'s module in the child (measure with
    ``python -c "from auditor.isolation import measure_overhead as m; print(m())"``:
    about 7 ms per call for a no-op on the 2-core development machine, 0.04 ms with the pool).

``IsolatedPool(timeout_s=..., memory_bytes=...)``
    Keeps ONE worker alive and reuses it for successive calls, so imports are paid once;
    the worker is killed and replaced after a timeout, a crash or a memory error (its heap
    may be damaged), and recycled after ``max_calls`` calls (heap growth counts against
    ``RLIMIT_AS``). Use it as a context manager; it is not thread-safe (one caller at a time).
    ``submit`` and ``result`` split a call in two, so that the next call can wait in the worker's
    pipe while it works on the one before (``can_submit_ahead``): it starts the moment the worker
    sends its result, not after the caller has received it and sent another.

Failures become :class:`auditor.errors.ReadError` with these codes:

- ``timeout``: no answer within ``timeout_s`` seconds of wall-clock time; the worker is killed.
- ``memory-limit``: ``MemoryError`` in the worker (the address-space limit was hit).
- ``worker-killed``: the worker was killed by a SIGKILL or SIGTERM that we did not send (an
  operator, a supervisor, or the kernel's OOM killer when the whole machine ran short). It
  says nothing about the file, so ``--resume`` audits such a file again.
- ``worker-crashed``: the worker died any other way (segfault, abort, ``os._exit``).
- ``read-failed``: ``func`` raised an exception that is not an ``AuditorError`` (a bug in a
  reader); the child's traceback is kept in ``error.child_traceback``.
- any ``AuditorError`` raised by ``func`` is re-raised in the parent with the same class,
  code and message.

``memory_bytes`` limits ADDRESS SPACE, not resident memory: an interpreter with numpy or
OpenBLAS loaded maps a few hundred MB it never touches, so leave a generous margin (the
default is 2 GiB). Grandchildren started by ``func`` are not tracked.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from auditor.errors import AuditorError, ReadError

__all__ = [
    "DEFAULT_MEMORY_BYTES",
    "DEFAULT_TIMEOUT_S",
    "IsolatedPool",
    "measure_overhead",
    "run_isolated",
    "set_preload",
    "stop_fork_server",
]

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_BYTES = 2 * 1024**3

# Exit status a worker uses when it ran out of memory and could not even report it.
_EXIT_OUT_OF_MEMORY = 86
# How long to wait for a worker that has answered (or closed its pipe) to finish exiting.
_JOIN_GRACE_S = 5.0

_START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
_CONTEXT = multiprocessing.get_context(_START_METHOD)


def set_preload(modules: Sequence[str]) -> None:
    """Modules the fork server imports once, so that ``run_isolated`` children start with
    them loaded (e.g. ``["auditor.readers.docx"]``). Call before the first isolated call;
    affects every user of the "forkserver" context in this process. No-op with "spawn".

    This module always preloads itself (that alone cuts a call from ~14 ms to ~4 ms)."""
    if _START_METHOD == "forkserver":
        _CONTEXT.set_forkserver_preload(["__main__", "auditor.isolation", *modules])


set_preload([])


def stop_fork_server() -> bool:
    """Stop the fork server, if one runs (the next isolated call starts it again): a batch's server holds
    jieba's whole dictionary (~90 MB) that nothing reads once its workers are done. Returns whether
    one was stopped. Uses ``ForkServer._stop`` (CPython's own tests use it); where it is missing, a no-op."""
    if _START_METHOD != "forkserver":
        return False
    import multiprocessing.forkserver as forkserver

    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if stop is None or getattr(server, "_forkserver_pid", None) is None:
        return False
    try:
        stop()
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------- child side


def _limit_resources(memory_bytes: int) -> None:
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):  # pragma: no cover - some containers forbid it
        pass


def _call(func: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    """Run ``func`` and describe the outcome as a picklable (kind, payload) pair."""
    try:
        return "ok", func(*args)
    except MemoryError:
        return "memory", None
    except AuditorError as exc:
        return "auditor", exc
    except BaseException as exc:  # a reader bug; reported, never fatal to the batch
        return "error", (type(exc).__name__, str(exc), traceback.format_exc())


def _send(conn: multiprocessing.connection.Connection, outcome: tuple[str, Any]) -> None:
    try:
        conn.send(outcome)
    except MemoryError:
        os._exit(_EXIT_OUT_OF_MEMORY)
    except Exception as exc:  # unpicklable result or exception
        kind, payload = outcome
        if kind == "auditor":  # keep code and message even if the subclass does not pickle
            conn.send(("auditor-plain", (payload.code, payload.message)))
        else:
            conn.send(("error", (type(exc).__name__, f"结果无法传回主进程：{exc}", "")))


def _single_call_main(
    conn: multiprocessing.connection.Connection,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    memory_bytes: int,
) -> None:
    _limit_resources(memory_bytes)
    _send(conn, _call(func, args))
    conn.close()


def _pool_worker_main(conn: multiprocessing.connection.Connection, memory_bytes: int,
                      ignore_interrupt: bool = False) -> None:
    if ignore_interrupt:  # forked from the caller, which handles Ctrl-C and stops its workers
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_resources(memory_bytes)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        func, args = request
        _send(conn, _call(func, args))


# --------------------------------------------------------------------------- parent side


def _human_bytes(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GiB"
    return f"{n / 1024**2:.0f} MiB"


def _timeout_error(timeout_s: float) -> ReadError:
    return ReadError(
        f"读取超时：超过 {timeout_s:g} 秒仍未完成，已终止该文件的读取（文件可能过于复杂或被恶意构造）",
        code="timeout",
    )


def _memory_error(memory_bytes: int) -> ReadError:
    return ReadError(
        f"读取时内存占用超过上限 {_human_bytes(memory_bytes)}，已终止该文件的读取（文件可能被恶意构造）",
        code="memory-limit",
    )


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "进程状态未知"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"信号 {-exitcode}"
        return f"被信号 {name} 终止"
    return f"退出码 {exitcode}"


def _error_for_dead_worker(exitcode: int | None, memory_bytes: int) -> ReadError:
    if exitcode == _EXIT_OUT_OF_MEMORY:
        return _memory_error(memory_bytes)
    if exitcode in (-signal.SIGKILL, -signal.SIGTERM):
        return ReadError(
            f"读取进程被外部终止（{_describe_exit(exitcode)}：操作人员、进程管理程序，或整机内存不足时"
            "系统的 OOM 机制），与文件本身无关；该文件未审核，用 --resume 续跑时会重新审核",
            code="worker-killed",
        )
    return ReadError(
        f"读取进程意外崩溃（{_describe_exit(exitcode)}），该文件已跳过，其余文件不受影响",
        code="worker-crashed",
    )


def _unpack(outcome: tuple[str, Any], memory_bytes: int) -> Any:
    kind, payload = outcome
    if kind == "ok":
        return payload
    if kind == "memory":
        raise _memory_error(memory_bytes)
    if kind == "auditor":
        raise payload
    if kind == "auditor-plain":
        code, message = payload
        raise ReadError(message, code=code)
    name, text, child_traceback = payload
    error = ReadError(f"读取程序内部错误：{name}: {text}", code="read-failed")
    error.child_traceback = child_traceback  # type: ignore[attr-defined]
    raise error


def _kill(process: multiprocessing.process.BaseProcess) -> None:
    if process.is_alive():
        process.kill()
    process.join(_JOIN_GRACE_S)


def run_isolated(
    func: Callable[..., Any],
    *args: Any,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    start_method: str | None = None,
) -> Any:
    """Call ``func(*args)`` in a fresh worker process with a wall-clock timeout and an
    address-space limit; return its result or raise :class:`ReadError` (see module doc).

    ``start_method="fork"`` forks this process directly instead of asking the fork server (Linux
    only; call it from the main thread): cheaper for a single call when this process has already
    imported what ``func`` needs."""
    context = multiprocessing.get_context(start_method) if start_method else _CONTEXT
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_single_call_main, args=(sender, func, args, memory_bytes), daemon=True
    )
    try:
        process.start()
        sender.close()
        if not receiver.poll(timeout_s):
            _kill(process)
            raise _timeout_error(timeout_s)
        try:
            outcome = receiver.recv()
        except (EOFError, OSError):
            process.join(_JOIN_GRACE_S)
            raise _error_for_dead_worker(process.exitcode, memory_bytes) from None
        process.join(_JOIN_GRACE_S)
        return _unpack(outcome, memory_bytes)
    finally:
        receiver.close()
        if process.is_alive():
            _kill(process)


class IsolatedPool:
    """One reusable worker process; see the module docstring.

    >>> with IsolatedPool(timeout_s=30, memory_bytes=2 * 1024**3) as pool:  # doctest: +SKIP
    ...     document = pool.call(read_docx, path)
    """

    def __init__(
        self,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        memory_bytes: int = DEFAULT_MEMORY_BYTES,
        max_calls: int = 200,
    ) -> None:
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self.max_calls = max_calls
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: multiprocessing.connection.Connection | None = None
        self._calls = 0
        # the calls sent to the current worker and not yet answered, oldest first: the worker takes them
        # in this order, so the oldest is the one it works on
        self._pending: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self.workers_started = 0

    def __enter__(self) -> IsolatedPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _start(self, context: Any = None) -> None:
        context = context or _CONTEXT
        parent_end, child_end = context.Pipe(duplex=True)
        process = context.Process(
            target=_pool_worker_main, args=(child_end, self.memory_bytes, context is not _CONTEXT), daemon=True
        )
        process.start()
        child_end.close()
        self._process, self._conn, self._calls = process, parent_end, 0
        self.workers_started += 1

    def _discard(self) -> None:
        """Kill the current worker (if any); the next call starts a new one."""
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            _kill(self._process)
        self._process, self._conn = None, None

    def start_forked(self) -> None:
        """Start the worker now by forking this process (Linux), instead of from the fork server: it
        begins with everything this process has loaded, without an interpreter of its own to start and
        import. Only while no other thread runs here (a fork copies no thread, and a lock another
        thread holds would stay locked in the child). Later workers (after a timeout, a crash or
        ``max_calls``) come from the fork server as usual."""
        self._discard()
        self._start(multiprocessing.get_context("fork"))

    def close(self) -> None:
        """Stop the worker politely, or kill it if it does not stop; at once if it has calls pending
        (they are dropped)."""
        busy = bool(self._pending)
        self._pending.clear()
        if not busy and self._conn is not None and self._process is not None and self._process.is_alive():
            try:
                self._conn.send(None)
                self._process.join(1.0)
            except OSError:
                pass
        self._discard()

    def call(self, func: Callable[..., Any], *args: Any) -> Any:
        """Like :func:`run_isolated`, in the pool's worker."""
        self.submit(func, *args)
        return self.result()

    def can_submit_ahead(self) -> bool:
        """Whether one more call may be sent now, to wait behind the one the worker is working on: one
        call is pending, and the worker may take another before ``max_calls``."""
        return len(self._pending) == 1 and self._calls < self.max_calls and self._conn is not None

    def submit(self, func: Callable[..., Any], *args: Any) -> None:
        """Send a call to the worker (started or replaced first when no call is pending); its outcome
        is what :meth:`result` returns or raises once the calls sent before it are answered."""
        if not self._pending and (self._process is None or not self._process.is_alive()
                                  or self._calls >= self.max_calls):
            self._discard()
            self._start()
        assert self._conn is not None
        self._pending.append((func, args))
        self._calls += 1
        try:
            self._conn.send((func, args))
        except (BrokenPipeError, ConnectionResetError):
            if len(self._pending) == 1:  # the worker died while idle: once more, in a new one
                self._discard()
                self._start()
                self._calls += 1
                self._conn.send((func, args))
            # else it died working on an earlier call: result() says so for that call and sends this one again

    def result(self) -> Any:
        """The outcome of the oldest pending call (:func:`run_isolated`'s errors raised for it; its
        ``timeout_s`` counted from now). The calls behind it, which the worker had not begun, go to a new
        worker when this one is let go (a timeout, a crash, a memory error): neither lost nor blamed."""
        conn, process = self._conn, self._process
        assert conn is not None and process is not None and self._pending
        try:
            ready = conn.poll(self.timeout_s)
        except BaseException:
            self._pending.clear()
            self._discard()
            raise
        if not ready:
            self._pending.popleft()
            self._resend_waiting()
            raise _timeout_error(self.timeout_s)
        try:
            outcome = conn.recv()
        except (EOFError, OSError):
            process.join(_JOIN_GRACE_S)
            exitcode = process.exitcode
            self._pending.popleft()
            self._resend_waiting()
            raise _error_for_dead_worker(exitcode, self.memory_bytes) from None
        self._pending.popleft()
        if outcome[0] == "memory":
            self._resend_waiting()  # its heap may be fragmented or half-initialised
        return _unpack(outcome, self.memory_bytes)

    def drop_waiting(self) -> None:
        """Forget the calls waiting behind the current one (the caller is stopping): a worker let go is
        then not replaced for them, and this worker, which still has them in its pipe, is given no other
        call (the next one starts a new worker). Safe from another thread than the caller's."""
        dropped = False
        while len(self._pending) > 1:
            self._pending.pop()
            dropped = True
        if dropped:
            self._calls = self.max_calls

    def _resend_waiting(self) -> None:
        """Let the worker go; the calls sent to it behind the one just answered go to a new worker."""
        waiting = list(self._pending)
        self._pending.clear()
        self._discard()
        for func, args in waiting:
            self.submit(func, *args)


# --------------------------------------------------------------------------- measurement


def _noop(value: int) -> int:
    return value


def measure_overhead(calls: int = 20) -> dict[str, float]:
    """Seconds per call of a no-op: direct, ``run_isolated`` and ``IsolatedPool``."""
    start = time.perf_counter()
    for n in range(calls):
        _noop(n)
    direct = (time.perf_counter() - start) / calls
    run_isolated(_noop, 0, timeout_s=30)  # start the fork server outside the measurement
    start = time.perf_counter()
    for n in range(calls):
        run_isolated(_noop, n, timeout_s=30)
    isolated = (time.perf_counter() - start) / calls
    with IsolatedPool(timeout_s=30) as pool:
        pool.call(_noop, 0)
        start = time.perf_counter()
        for n in range(calls):
            pool.call(_noop, n)
        pooled = (time.perf_counter() - start) / calls
    return {"direct_s": direct, "run_isolated_s": isolated, "pool_s": pooled}
