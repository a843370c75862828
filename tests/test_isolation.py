"""run_isolated / IsolatedPool: a hanging, exploding or crashing call costs one file only."""

from __future__ import annotations

import os

import pytest

from auditor.errors import AuditorError, ReadError
from auditor.isolation import IsolatedPool, run_isolated

import hostile_factory as hostile

GiB = 1024**3
LIMIT = 1 * GiB  # address space for the workers in these tests


def isolated(func, *args, timeout_s: float = 20.0):
    return run_isolated(func, *args, timeout_s=timeout_s, memory_bytes=LIMIT)


def test_returns_the_value():
    assert isolated(hostile.return_value, {"年份": 2024, "值": [1.5, "两"]}) == {"年份": 2024, "值": [1.5, "两"]}


def test_runs_in_another_process():
    assert isolated(hostile.pid) != os.getpid()


def test_sleeping_forever_times_out():
    with pytest.raises(ReadError) as info:
        isolated(hostile.sleep_forever, timeout_s=1.0)
    assert info.value.code == "timeout"
    assert "1 秒" in info.value.message


def test_allocating_4_gib_hits_the_memory_limit():
    with pytest.raises(ReadError) as info:
        isolated(hostile.allocate, 4 * GiB)
    assert info.value.code == "memory-limit"
    assert "1.0 GiB" in info.value.message


def test_a_modest_allocation_is_allowed():
    assert isolated(hostile.allocate, 64 * 1024 * 1024) == 64 * 1024 * 1024


def test_os_exit_is_a_worker_crash():
    with pytest.raises(ReadError) as info:
        isolated(hostile.exit_abruptly, 3)
    assert info.value.code == "worker-crashed"
    assert "退出码 3" in info.value.message


def test_segfault_is_a_worker_crash():
    with pytest.raises(ReadError) as info:
        isolated(hostile.segfault)
    assert info.value.code == "worker-crashed"
    assert "SIGSEGV" in info.value.message


def test_read_error_keeps_its_code_and_message():
    with pytest.raises(ReadError) as info:
        isolated(hostile.raise_read_error, "文件已加密，无法读取", "encrypted-file")
    assert info.value.code == "encrypted-file"
    assert info.value.message == "文件已加密，无法读取"


def test_other_exceptions_become_read_failed_with_the_child_traceback():
    with pytest.raises(ReadError) as info:
        isolated(hostile.raise_value_error, "表格列数不一致")
    assert info.value.code == "read-failed"
    assert "ValueError: 表格列数不一致" in info.value.message
    assert "raise_value_error" in info.value.child_traceback


def test_a_failure_does_not_prevent_the_next_call():
    with pytest.raises(AuditorError):
        isolated(hostile.exit_abruptly, 1)
    assert isolated(hostile.return_value, 42) == 42


def test_pool_reuses_its_worker_until_it_fails():
    with IsolatedPool(timeout_s=20.0, memory_bytes=LIMIT) as pool:
        first = pool.call(hostile.pid)
        assert pool.call(hostile.pid) == first
        assert pool.call(hostile.return_value, "正常") == "正常"
        with pytest.raises(ReadError) as info:
            pool.call(hostile.raise_read_error, "格式不符", "format-mismatch")
        assert info.value.code == "format-mismatch"
        assert pool.call(hostile.pid) == first  # an AuditorError does not cost the worker
        assert pool.workers_started == 1

        with pytest.raises(ReadError) as info:
            pool.call(hostile.segfault)
        assert info.value.code == "worker-crashed"
        second = pool.call(hostile.pid)
        assert second != first
        assert pool.workers_started == 2


def test_pool_timeout_and_memory_limit_replace_the_worker():
    with IsolatedPool(timeout_s=1.0, memory_bytes=LIMIT) as pool:
        first = pool.call(hostile.pid)
        with pytest.raises(ReadError) as info:
            pool.call(hostile.sleep_forever)
        assert info.value.code == "timeout"
        after_timeout = pool.call(hostile.pid)
        assert after_timeout != first
        with pytest.raises(ReadError) as info:
            pool.call(hostile.allocate, 4 * GiB)
        assert info.value.code == "memory-limit"
        assert pool.call(hostile.pid) not in (first, after_timeout)


def test_pool_recycles_after_max_calls():
    with IsolatedPool(timeout_s=20.0, memory_bytes=LIMIT, max_calls=2) as pool:
        pids = [pool.call(hostile.pid) for _ in range(4)]
    assert pids[0] == pids[1] != pids[2] == pids[3]


def test_the_fork_server_can_be_stopped_and_starts_again():
    from auditor import isolation
    from auditor.isolation import stop_fork_server

    if isolation._START_METHOD != "forkserver":
        pytest.skip("no fork server where processes are spawned")
    first = isolated(hostile.pid)
    assert stop_fork_server() is True
    assert stop_fork_server() is False  # nothing runs any more
    assert isolated(hostile.pid) not in (first, os.getpid())  # started again on demand
