"""The Dask engine on a LocalCluster (2 worker processes): the same findings as the process pool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

from auditor.batch import run_batch  # noqa: E402
from auditor.dask_engine import worker_can_isolate  # noqa: E402
from test_batch import misbehaving_task, report_text, write_corpus  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    # Non-daemonic workers may start the isolated per-file worker processes.
    with dask.config.set({"distributed.worker.daemon": False}):
        local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                         memory_limit="768MiB", dashboard_address=None)
    try:
        yield local
    finally:
        local.close()


def refusing_task(path: str, *args):
    """Stands in for the audit on a resumed run: any file redone gets this error."""
    from auditor.errors import ReadError

    raise ReadError("不应重做已完成的文件", code="redone")


def timing_free(batch_dict: dict) -> str:
    """The batch JSON; there are no timing fields in it, so it must match byte for byte."""
    return json.dumps(batch_dict, ensure_ascii=False, sort_keys=True)


def test_dask_results_match_the_process_pool(tmp_path: Path, cluster) -> None:
    write_corpus(tmp_path / "in", 6)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "copy.txt").write_bytes((tmp_path / "in" / "r000.txt").read_bytes())
    on_dask = run_batch([tmp_path / "in"], engine="dask", scheduler=cluster)
    pooled = run_batch([tmp_path / "in"], jobs=2)
    assert timing_free(on_dask.to_dict()) == timing_free(pooled.to_dict())
    assert len(on_dask.reports) == 8
    assert any(r.error for r in on_dask.reports)
    assert any(r.duplicate_of for r in on_dask.reports)


def test_dask_workers_isolate_each_file(tmp_path: Path, cluster) -> None:
    with distributed.Client(cluster) as client:
        assert all(client.run(worker_can_isolate).values())
    write_corpus(tmp_path, 2)
    (tmp_path / "crash.txt").write_text(report_text("示例县崩溃馆", 2024, "1.00", "1.00", "0.00"), encoding="utf-8")
    batch = run_batch([tmp_path], engine="dask", scheduler=cluster, task=misbehaving_task)
    by_name = {Path(r.path).name: r for r in batch.reports}
    assert by_name["crash.txt"].error.code == "worker-crashed"
    assert by_name["r000.txt"].error is None and by_name["r000.txt"].findings


def test_dask_results_go_to_the_store_and_resume(tmp_path: Path, cluster) -> None:
    write_corpus(tmp_path / "in", 3)
    store = tmp_path / "s.sqlite"
    first = run_batch([tmp_path / "in"], engine="dask", scheduler=cluster, store=store)
    again = run_batch([tmp_path / "in"], engine="dask", scheduler=cluster, store=store, resume=True,
                      task=refusing_task)
    assert timing_free(first.to_dict()) == timing_free(again.to_dict())
