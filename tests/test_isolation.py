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


def test_a_call_submitted_ahead_waits_its_turn_in_the_same_worker():
    with IsolatedPool(timeout_s=20.0, memory_bytes=LIMIT) as pool:
        assert not pool.can_submit_ahead()  # nothing is pending: the next call goes out as a plain one
        pool.submit(hostile.sleep_then_return, 0.3, "第一")
        assert pool.can_submit_ahead()
        pool.submit(hostile.pid)
        assert not pool.can_submit_ahead()  # one waits already
        assert pool.result() == "第一"
        second = pool.result()
        assert second != os.getpid() and pool.call(hostile.pid) == second
        assert pool.workers_started == 1


@pytest.mark.parametrize(("failing_call", "code"), [
    ((hostile.sleep_forever,), "timeout"),
    ((hostile.segfault,), "worker-crashed"),
    ((hostile.exit_abruptly, 5), "worker-crashed"),
    ((hostile.allocate, 4 * GiB), "memory-limit"),
])
def test_a_call_waiting_behind_a_failing_one_goes_to_a_new_worker_and_is_not_blamed(failing_call, code):
    with IsolatedPool(timeout_s=1.0, memory_bytes=LIMIT) as pool:
        first = pool.call(hostile.pid)
        pool.submit(*failing_call)
        pool.submit(hostile.pid)
        with pytest.raises(ReadError) as info:
            pool.result()
        assert info.value.code == code
        replacement = pool.result()  # answered, by a worker that is not the one let go
        assert replacement not in (first, os.getpid())
        assert pool.workers_started == 2
        assert pool.call(hostile.return_value, "之后") == "之后"


def test_submitting_ahead_respects_max_calls():
    with IsolatedPool(timeout_s=20.0, memory_bytes=LIMIT, max_calls=2) as pool:
        pool.submit(hostile.pid)
        assert pool.can_submit_ahead()
        pool.submit(hostile.pid)
        first = pool.result()
        assert pool.result() == first
        pool.submit(hostile.pid)  # the worker has had its two calls: a new one takes the third
        assert pool.result() != first
        assert pool.workers_started == 2
    with IsolatedPool(timeout_s=20.0, memory_bytes=LIMIT, max_calls=1) as pool:
        pool.submit(hostile.pid)
        assert not pool.can_submit_ahead()
        assert pool.result() != pool.call(hostile.pid)


def test_dropped_waiting_calls_are_not_answered_and_the_worker_is_not_reused():
    with IsolatedPool(timeout_s=20.0, memory_bytes=LIMIT) as pool:
        pool.submit(hostile.sleep_then_return, 0.3, "当前")
        pool.submit(hostile.return_value, "被放弃")
        pool.drop_waiting()
        assert pool.result() == "当前"
        # the dropped call is still in the old worker's pipe: the next call must not get its answer
        assert pool.call(hostile.return_value, "下一个") == "下一个"
        assert pool.workers_started == 2


def test_closing_with_a_call_pending_stops_the_worker_at_once():
    import signal

    pool = IsolatedPool(timeout_s=20.0, memory_bytes=LIMIT)
    pool.submit(hostile.sleep_then_return, 0.5, "不再需要")
    worker = pool._process
    pool.close()
    # killed, not asked to stop: a polite stop would let it finish the call (0.5 s) and exit with 0
    assert worker.exitcode == -signal.SIGKILL
    assert pool.call(hostile.return_value, "重新开始") == "重新开始"
    pool.close()
