"""Run a batch on a Dask cluster (``auditor check DIR --engine dask --scheduler ADDRESS``).

The client reads each file and ships its bytes with the task, so the workers need no shared
filesystem, only the same ``auditor`` installed. A worker writes the bytes to a private
temporary file with the same name and audits it exactly as the process engine does (same code,
same rules), so the findings are the same.

Isolation on the workers: when a Dask worker process may start children (Dask's
``distributed.worker.daemon`` set to False), each worker thread drives its own long-lived
:class:`auditor.isolation.IsolatedPool`, so a hanging or exploding file costs one file with
the codes ``timeout`` / ``memory-limit`` / ``worker-crashed``, as locally. Dask's default
(daemonic workers) forbids children: the file is then audited in the worker itself, under the
worker's own memory limit (the Nanny restarts a worker that exceeds it, and the task is
reported as ``worker-crashed``) but without a per-file timeout.

The cross-report phase runs on the cluster too (:func:`cross_on_dask`): the references (the batch's
Documents with their sketches, the index, the stale model) are scattered once to every worker,
then chunks of documents are checked there, as the process engine's forked processes do.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from auditor.errors import AuditorError, ReadError

__all__ = ["cross_on_dask", "dask_audit", "run_on_dask", "worker_can_isolate"]

_local = threading.local()


def worker_can_isolate() -> bool:
    """True when this process may start child processes (it is not daemonic)."""
    return not multiprocessing.current_process().daemon


def _pool(timeout_s: float, memory_bytes: int, max_calls: int):
    from auditor.isolation import IsolatedPool

    pool = getattr(_local, "pool", None)
    if pool is None or (pool.timeout_s, pool.memory_bytes) != (timeout_s, memory_bytes):
        if pool is not None:
            pool.close()
        pool = _local.pool = IsolatedPool(timeout_s=timeout_s, memory_bytes=memory_bytes,
                                          max_calls=max_calls)
    return pool


def dask_audit(path: str, data: bytes, args: tuple, timeout_s: float, memory_bytes: int,
               max_calls: int, work: Callable[..., Any] | None = None):
    """Audit one file's bytes on a Dask worker; the report carries the client's ``path``."""
    from auditor.runner.worker import audit_task, failed_result

    work = work or audit_task
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="auditor-dask-") as tmp:
        local = Path(tmp) / (Path(path).name or "input")
        local.write_bytes(data)
        if worker_can_isolate():
            try:
                result = _pool(timeout_s, memory_bytes, max_calls).call(work, str(local), *args)
            except AuditorError as exc:
                result = failed_result(path, exc, time.perf_counter() - started)
        else:
            result = work(str(local), *args)
    result.report.path = path
    if result.report.document is not None:
        result.report.document.path = path
    return result


def _client(scheduler: Any):
    """(client, owned): a Client for an address, a LocalCluster-like object or a Client."""
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler, False
    if isinstance(scheduler, str):
        try:
            return Client(scheduler, timeout="30s"), True
        except (OSError, TimeoutError) as exc:
            raise AuditorError(f"无法连接 Dask 调度器 {scheduler}：{exc}", code="scheduler-unreachable") from exc
    if hasattr(scheduler, "scheduler_address"):
        return Client(scheduler), True
    raise AuditorError(f"无法识别的 Dask 调度器：{scheduler!r}", code="scheduler-unreachable")


def run_on_dask(tasks: list[tuple[int, str]], args: tuple, scheduler: Any, *,
                work: Callable[..., Any] | None = None, timeout_s: float, memory_bytes: int, max_calls: int) -> Iterator[tuple[int, Any]]:
    """Submit every file to the cluster; yield (index, WorkResult) as they finish."""
    from distributed import as_completed

    from auditor.runner.worker import audit_task, failed_result

    work = work or audit_task
    client, owned = _client(scheduler)
    run_id = uuid.uuid4().hex[:12]
    futures: dict[Any, tuple[int, str]] = {}
    try:
        for index, path in tasks:
            try:
                data = Path(path).read_bytes()
            except OSError:  # reported the usual way (preflight's message), here
                yield index, work(path, *args)
                continue
            future = client.submit(dask_audit, path, data, args, timeout_s, memory_bytes, max_calls, work,
                                   key=f"auditor-{run_id}-{index}", pure=False, retries=0)
            futures[future] = (index, path)
        for future in as_completed(list(futures)):
            index, path = futures.pop(future)
            started = time.perf_counter()
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - the worker died or the task failed
                result = failed_result(path, ReadError(
                    f"Dask 工作进程未能完成该文件（{type(exc).__name__}: {exc}），该文件已跳过，其余文件不受影响",
                    code="worker-crashed"), time.perf_counter() - started)
            yield index, result
    finally:
        for future in futures:
            future.cancel()
        if owned:
            client.close()


def _check_chunk_on_worker(state: tuple, chunk: list[int]) -> list[list]:
    """On a Dask worker: the reference rules' findings of the documents ``chunk`` (positions in the
    scattered document list), their aligned pairs scored together."""
    from auditor.runner.worker import _rules_for
    from auditor.runner.worker import adopt_shipped_material, check_chunk

    refs, docs, codes, material = state
    adopt_shipped_material(refs.documents, material)
    # packed Documents are unpacked for the chunk; caches cleared: the worker keeps them for every chunk
    return check_chunk(docs, chunk, _rules_for(codes), refs)


def cross_on_dask(docs: list, rules: list, refs: Any, scheduler: Any, chunk_size: int) -> list[list | None]:
    """The cross-report phase on the cluster: per document its reference rules' findings, or None
    where a worker failed (the caller checks those documents itself)."""
    from distributed import as_completed

    from auditor.reuse.model import load_model

    client, owned = _client(scheduler)
    results: list[list | None] = [None] * len(docs)
    try:
        refs.model = refs.model or load_model()
        from auditor.runner.worker import shipped_material

        state = client.scatter((refs, docs, tuple(sorted(r.code for r in rules)), shipped_material(refs.documents)),
                               broadcast=True, hash=False)
        run_id = uuid.uuid4().hex[:12]
        chunks = [list(range(k, min(k + chunk_size, len(docs)))) for k in range(0, len(docs), chunk_size)]
        futures = {client.submit(_check_chunk_on_worker, state, chunk, key=f"auditor-cross-{run_id}-{n}",
                                 pure=False, retries=0): chunk for n, chunk in enumerate(chunks)}
        for future in as_completed(list(futures)):
            chunk = futures[future]
            try:
                for i, found in zip(chunk, future.result()):
                    results[i] = found
            except Exception:  # noqa: BLE001 - a worker died: these documents are checked locally
                pass
    except Exception:  # noqa: BLE001 - the cluster could not take the work: everything is checked locally
        pass
    finally:
        if owned:
            client.close()
    return results
