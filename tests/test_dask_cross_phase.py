"""The cross-report phase on a Dask LocalCluster: the same JSON, byte for byte, as the process pool,
and the comparisons run on the cluster, not in the calling process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

import auditor.engine as engine  # noqa: E402
from auditor.batch import run_batch  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"


@pytest.fixture(scope="module")
def cluster():
    with dask.config.set({"distributed.worker.daemon": False}):
        local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                         memory_limit="1GiB", dashboard_address=None)
    try:
        yield local
    finally:
        local.close()


def test_both_phases_on_dask_give_the_process_pools_json(cluster, monkeypatch) -> None:
    pooled = json.dumps(run_batch([SAMPLE], jobs=2).to_dict(), ensure_ascii=False, sort_keys=True)
    checked_here: list[str] = []
    real_check = engine.check_document

    def check_here(doc, *args, **kwargs):
        checked_here.append(doc.path)
        return real_check(doc, *args, **kwargs)

    monkeypatch.setattr(engine, "check_document", check_here)  # this process only: not the cluster's
    on_dask = run_batch([SAMPLE], engine="dask", scheduler=cluster)
    assert json.dumps(on_dask.to_dict(), ensure_ascii=False, sort_keys=True) == pooled
    assert any(f.rule == "RU501" for r in on_dask.reports for f in r.findings)  # the cross phase had work
    assert checked_here == []  # every comparison ran on the cluster
