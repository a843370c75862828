"""The executors of a batch's first phase behind one interface (auditor/runner/executors.py): each
yields one (index, result) per task, a file that hangs or crashes becomes a failed result, and the
batch picks one by its engine name."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from auditor.batch import run_batch
from auditor.runner.executors import (DaskExecutor, Executor, InlineExecutor, ProcessExecutor, Task,
                                      make_executor)
from auditor.runner.worker import audit_task
from test_batch import misbehaving_task, write_corpus

ARGS = (None, False, False)  # every rule, no text back, no Document back


def _tasks(paths: list[Path]) -> list[Task]:
    return [Task(i, str(p), p.stat().st_size) for i, p in enumerate(paths)]


def marking_task(path: str, *args):
    """Leaves PATH.started behind, then audits slowly (to see what ran)."""
    Path(path + ".started").touch()
    time.sleep(0.3)
    return audit_task(path, *args)


def raising_task(path: str, *args):
    if Path(path).name.startswith("bug"):
        raise ValueError("a reader bug")
    return audit_task(path, *args)


def _findings(results: dict[int, object]) -> dict[int, list[tuple[str, str]]]:
    return {i: [(f.rule, f.message) for f in r.report.findings] for i, r in results.items()}


def test_engine_names_pick_their_executor() -> None:
    assert isinstance(make_executor("inline", jobs=2, timeout_s=5), InlineExecutor)
    assert isinstance(make_executor("process", jobs=2, timeout_s=5), ProcessExecutor)
    dask = make_executor("dask", jobs=2, scheduler="tcp://127.0.0.1:1", timeout_s=5)
    assert isinstance(dask, DaskExecutor) and dask.cross_phase().scheduler == "tcp://127.0.0.1:1"
    with pytest.raises(ValueError):
        make_executor("threads", jobs=1, timeout_s=5)
    assert all(isinstance(make_executor(n, jobs=1, timeout_s=5, scheduler="x"), Executor)
               for n in ("inline", "process", "dask"))


def test_where_the_cross_phase_runs_with_each_executor() -> None:
    inline = InlineExecutor().cross_phase()
    assert (inline.jobs, inline.scheduler, inline.read_reference) == (1, None, None)  # all in this process
    pooled = ProcessExecutor(3, timeout_s=5).cross_phase()
    assert pooled.jobs == 3 and pooled.scheduler is None and callable(pooled.read_reference)


def test_inline_and_process_executors_yield_the_same_results(tmp_path: Path) -> None:
    tasks = _tasks(write_corpus(tmp_path, 4))
    inline = dict(InlineExecutor().run(tasks, ARGS))
    with ProcessExecutor(2, timeout_s=60) as executor:
        pooled = dict(executor.run(tasks, ARGS))
    assert sorted(inline) == sorted(pooled) == [0, 1, 2, 3]
    assert _findings(inline) == _findings(pooled)
    assert any(_findings(inline).values())  # the corpus has sums that do not add up


def test_a_hanging_or_crashing_file_is_a_failed_result_and_the_rest_go_on(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path, 2)
    for name in ("hang.txt", "crash.txt"):
        (tmp_path / name).write_text(paths[0].read_text(encoding="utf-8"), encoding="utf-8")
    paths += [tmp_path / "hang.txt", tmp_path / "crash.txt"]
    with ProcessExecutor(2, timeout_s=8) as executor:  # a cold worker imports the pipeline within it
        results = dict(executor.run(_tasks(paths), ARGS, misbehaving_task))
    codes = {Path(r.report.path).name: r.report.error.code if r.report.error else None for r in results.values()}
    assert codes == {"r000.txt": None, "r001.txt": None, "hang.txt": "timeout", "crash.txt": "worker-crashed"}



def test_one_worker_with_files_waiting_behind_failures_audits_every_file_once(tmp_path: Path) -> None:
    """With one worker the next file always waits in its pipe: a file queued behind a crash, a hang or
    a bomb goes to the new worker, and is neither lost, repeated nor blamed."""
    paths = write_corpus(tmp_path, 5)
    text = paths[0].read_text(encoding="utf-8")
    for name in ("crash.txt", "hang.txt", "bomb.txt"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    order = [paths[0], tmp_path / "crash.txt", paths[1], tmp_path / "hang.txt", paths[2],
             tmp_path / "bomb.txt", paths[3], paths[4]]
    with ProcessExecutor(1, timeout_s=8, memory_bytes=2 * 1024**3) as executor:
        results = list(executor.run(_tasks(order), ARGS, misbehaving_task))
    assert sorted(i for i, _ in results) == list(range(len(order)))
    codes = {Path(r.report.path).name: r.report.error.code if r.report.error else None for _, r in results}
    assert codes == {"r000.txt": None, "crash.txt": "worker-crashed", "r001.txt": None, "hang.txt": "timeout",
                     "r002.txt": None, "bomb.txt": "memory-limit", "r003.txt": None, "r004.txt": None}

def test_the_inline_executor_turns_an_exception_into_a_failed_result(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path, 1)
    (tmp_path / "bug.txt").write_text("一、基本情况\n", encoding="utf-8")
    results = dict(InlineExecutor().run(_tasks([*paths, tmp_path / "bug.txt"]), ARGS, raising_task))
    assert results[0].report.error is None
    assert results[1].report.error.code == "reader-crashed" and "ValueError" in results[1].report.error.message


def test_a_lone_file_is_audited_when_run_is_called(tmp_path: Path) -> None:
    """Forked before the caller starts any thread (a progress bar, a warm-up): the work is done by run()."""
    [path] = write_corpus(tmp_path, 1)
    stream = ProcessExecutor(2, timeout_s=60).run(_tasks([path]), ARGS, marking_task)
    assert Path(str(path) + ".started").exists()
    [(index, result)] = list(stream)
    assert index == 0 and result.report.error is None


def test_closing_stops_what_is_still_queued(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path, 8)
    executor = ProcessExecutor(1, timeout_s=60)
    stream = executor.run(_tasks(paths), ARGS, marking_task)
    next(stream)
    executor.close()  # an interrupted batch: the worker is stopped, nothing more is submitted
    assert list(stream) == []
    assert len(list(tmp_path.glob("*.started"))) < len(paths)


def test_the_batch_json_is_the_same_on_every_local_executor(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 4)
    inline = run_batch([tmp_path / "in"], engine="inline")
    pooled = run_batch([tmp_path / "in"], engine="process", jobs=2)
    assert json.dumps(inline.to_dict(), ensure_ascii=False) == json.dumps(pooled.to_dict(), ensure_ascii=False)


# ---------------------------------------------------------------- documents rebuilt on --resume


def test_resumed_documents_are_kept_as_workers_ship_them_and_compared_the_same(tmp_path: Path) -> None:
    """On --resume the Documents rebuilt from the store take part in the cross-report phase packed, with
    their reuse material, as the ones workers send; the findings are those of the first run."""
    from auditor.batch import _Inputs, rules_key, selected_rule_codes
    from auditor.reuse.material import reuse_material
    from auditor.store import ResultStore
    from test_batch import report_text

    folder = tmp_path / "in"
    folder.mkdir()
    for year, total in ((2022, "80.00"), (2023, "85.00"), (2024, "90.00")):
        (folder / f"unit_{year}.txt").write_text(
            report_text("示例县水文监测站", year, total, "50.00", f"{float(total) - 50:.2f}", meetings=9),
            encoding="utf-8")
    store = tmp_path / "s.sqlite"
    first = run_batch([folder], jobs=2, store=store)
    resumed = run_batch([folder], engine="inline", store=store, resume=True)
    assert any(f.rule.startswith("RU") for r in first.reports for f in r.findings)  # the cross phase found something
    assert json.dumps(resumed.to_dict(), ensure_ascii=False) == json.dumps(first.to_dict(), ensure_ascii=False)

    state = _Inputs.expand([folder], rules_key(selected_rule_codes(None)))
    with ResultStore(store) as opened:
        state.resume_from(opened, retry_errors=False, want_documents=True, pack=True)
    docs = [r.document for r in state.reports]
    assert all(d is not None and d.packed and reuse_material(d).has_passages for d in docs)
    docs[0].unpack()
    assert docs[0].paragraphs  # the structure comes back


# ---------------------------------------------------------------- first workers forked from this process
# Each scenario runs in a fresh interpreter, as a user's `auditor check` does: a test process may hold
# threads of earlier tests (Dask's), and no worker is ever forked from a process where another thread runs.

_SCENARIO_HEAD = """
import json, os, signal, sys
sys.path[:0] = [{tests!r}, {root!r}]
from pathlib import Path
from auditor.runner.executors import ProcessExecutor, Task
from auditor.runner.worker import audit_task
from test_batch import misbehaving_task
ARGS = (None, False, False)
paths = sorted(Path({folder!r}).glob("*.txt"))
tasks = [Task(i, str(p), p.stat().st_size) for i, p in enumerate(paths)]
def started_by(pool):
    return type(pool._process._popen).__module__.rsplit(".", 1)[-1].replace("popen_", "")
def findings(results):
    return {{str(i): [[f.rule, f.message] for f in r.report.findings] + ([r.report.error.code] if r.report.error else [])
            for i, r in results.items()}}
out = {{}}
"""


def _scenario(folder: Path, body: str) -> dict:
    """Run ``body`` (which fills ``out``) in a fresh interpreter on the .txt files of ``folder``."""
    import subprocess
    import sys
    import textwrap

    tests = Path(__file__).resolve().parent
    script = _SCENARIO_HEAD.format(tests=str(tests), root=str(tests.parent), folder=str(folder))
    script += textwrap.dedent(body) + "\nprint(json.dumps(out))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_first_workers_are_forked_from_this_process_and_find_the_same(tmp_path: Path) -> None:
    """With no other thread running, run() warms the pipeline here and forks the workers from this
    process; jieba's whole dictionary is not loaded here for them (they read it lazily from its index,
    as this process does); the findings are those of fork-server workers (whole dictionary)."""
    write_corpus(tmp_path, 4)
    out = _scenario(tmp_path, """
        from auditor.extract import subjects
        with ProcessExecutor(2, timeout_s=60) as executor:
            stream = executor.run(tasks, ARGS)
            out["started_by"] = [started_by(p) for p in executor._forked]
            out["alive"] = all(p._process.is_alive() for p in executor._forked)
            out["whole_here"] = subjects._tokenizer is not None and subjects.tokenizer_is_whole(subjects._tokenizer)
            out["forked"] = findings(dict(stream))
        served = ProcessExecutor(2, timeout_s=60)
        served.fork_workers_here = False
        with served:
            stream = served.run(tasks, ARGS)
            out["served_forked"] = len(served._forked)
            out["served"] = findings(dict(stream))
    """)
    assert out["started_by"] == ["fork", "fork"] and out["alive"]
    assert not out["whole_here"]  # read lazily here (the index exists after the first run), or let go
    assert out["served_forked"] == 0
    assert sorted(out["forked"]) == ["0", "1", "2", "3"]
    assert out["forked"] == out["served"] and any(out["forked"].values())


def test_the_workers_are_forked_without_loading_the_whole_dictionary_here(tmp_path: Path) -> None:
    """With jieba's index in the cache folder, this process warms the pipeline on the lazy table and
    forks the workers without loading the whole dictionary (~0.2-0.3 s before any worker could start);
    without an index (a first run) it loads it whole once, writes the index, and lets it go after the fork."""
    from auditor.nlp import jieba_dict

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_corpus(corpus, 3)
    cache = tmp_path / "cache"
    body = f"""
        os.environ["XDG_CACHE_HOME"] = {str(cache)!r}
        from auditor.extract import subjects
        from auditor.nlp import jieba_dict
        loads = []
        whole = jieba_dict._full_tokenizer
        jieba_dict._full_tokenizer = lambda folder: loads.append(folder) or whole(folder)
        with ProcessExecutor(2, timeout_s=60) as executor:
            stream = executor.run(tasks, ARGS)
            out["forked"] = len(executor._forked)
            out["loads"] = len(loads)
            out["whole_here"] = subjects._tokenizer is not None and subjects.tokenizer_is_whole(subjects._tokenizer)
            out["audited"] = sorted(i for i, r in dict(stream).items() if r.report.error is None)
    """
    first = _scenario(corpus, body)  # no index yet: one whole load, the index written
    assert first["forked"] == 2 and first["loads"] == 1 and not first["whole_here"]
    assert (cache / "auditor" / jieba_dict.INDEX_NAME).is_file()
    second = _scenario(corpus, body)
    assert second["forked"] == 2 and second["loads"] == 0 and not second["whole_here"]
    assert first["audited"] == second["audited"] == [0, 1, 2]


def test_no_worker_is_forked_here_while_another_thread_runs(tmp_path: Path) -> None:
    import threading

    tasks = _tasks(write_corpus(tmp_path, 3))
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        with ProcessExecutor(2, timeout_s=60) as executor:
            stream = executor.run(tasks, ARGS)
            assert executor._forked == []  # a fork would copy a lock the other thread may hold
            results = dict(stream)
    finally:
        release.set()
        other.join()
    assert sorted(results) == [0, 1, 2] and all(r.report.error is None for r in results.values())


def test_a_worker_forked_here_that_dies_is_replaced_from_the_fork_server(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path, 2)
    (tmp_path / "crash.txt").write_text(paths[0].read_text(encoding="utf-8"), encoding="utf-8")
    out = _scenario(tmp_path, """
        tasks.sort(key=lambda t: not t.path.endswith("crash.txt"))
        with ProcessExecutor(1, timeout_s=60) as executor:
            stream = executor.run(tasks, ARGS)
            [pool] = executor._forked
            executor._forked = []  # driven here, by hand, one call after the other
            out["first"] = started_by(pool)
            out["good"] = pool.call(misbehaving_task, tasks[1].path, *ARGS).report.error is None
            try:
                pool.call(misbehaving_task, tasks[0].path, *ARGS)
            except Exception as exc:
                out["crashed"] = getattr(exc, "code", repr(exc))
            out["after"] = pool.call(audit_task, tasks[2].path, *ARGS).report.error is None
            out["then"] = started_by(pool)
            pool.close()
    """)
    assert out == {"first": "fork", "good": True, "crashed": "worker-crashed", "after": True, "then": "forkserver"}


def test_a_worker_forked_here_ignores_ctrl_c(tmp_path: Path) -> None:
    """Ctrl-C reaches every process of the terminal's group: the batch handles it and stops its workers."""
    write_corpus(tmp_path, 2)
    out = _scenario(tmp_path, """
        with ProcessExecutor(1, timeout_s=60) as executor:
            stream = executor.run(tasks, ARGS)
            [pool] = executor._forked
            out["started_by"] = started_by(pool)
            results = dict([next(stream)])  # the worker has begun: it set its handler before its first file
            os.kill(pool._process.pid, signal.SIGINT)
            import time
            time.sleep(0.5)
            out["alive"] = pool._process.is_alive()
            results.update(stream)
            out["results"] = findings(results)
            out["workers_started"] = pool.workers_started
    """)
    assert out["started_by"] == "fork"
    assert out["alive"] and out["workers_started"] == 1  # the same worker audited every file
    assert sorted(out["results"]) == ["0", "1"]
    assert not any(isinstance(item, str) for found in out["results"].values() for item in found)  # no error


def test_workers_forked_here_are_stopped_when_the_run_stops_before_it_begins(tmp_path: Path) -> None:
    """An interrupt between run() and the first file: the forked workers are stopped, none is left behind."""
    write_corpus(tmp_path, 3)
    out = _scenario(tmp_path, """
        executor = ProcessExecutor(2, timeout_s=60)
        stream = executor.run(tasks, ARGS)
        processes = [p._process for p in executor._forked]
        out["forked"] = len(processes)
        executor.close()
        for process in processes:
            process.join(5)
        out["alive"] = [process.is_alive() for process in processes]
        out["rest"] = list(stream)
    """)
    assert out == {"forked": 2, "alive": [False, False], "rest": []}
