"""The cross-report phase of a batch: its index built from what the workers computed, its reports
checked in forked processes, and the same findings as one process computing everything."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np

import auditor.runner.cross as cross
from auditor.batch import run_batch
from auditor.engine import read_document
from auditor.reuse.index import ReuseIndex, document_sketch
from auditor.reuse.material import adopt_reuse_material
from auditor.runner.worker import cross_phase_material

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample"


def _findings(batch) -> dict[str, list]:
    return {Path(r.path).name: [f.to_dict() for f in r.findings] for r in batch.reports}


def test_forked_cross_phase_matches_one_process() -> None:
    one_process = run_batch([SAMPLE], engine="inline")  # the cross phase runs here, sequentially
    forked = run_batch([SAMPLE], jobs=2)  # the cross phase runs in 2 forked processes
    copied = [name for name, found in _findings(forked).items() if any(f["rule"] == "RU501" for f in found)]
    assert len(copied) >= 2, "the sample corpus has copies: the cross phase must have work to do"
    assert json.dumps(_findings(forked), ensure_ascii=False) == json.dumps(_findings(one_process), ensure_ascii=False)


def dying_check(i: int):
    os._exit(7)  # a forked process that dies without answering


def test_a_broken_cross_phase_pool_loses_nothing(monkeypatch) -> None:
    expected = _findings(run_batch([SAMPLE], engine="inline"))
    monkeypatch.setattr(cross, "_check_forked", dying_check)
    assert _findings(run_batch([SAMPLE], jobs=2)) == expected


def test_the_index_from_shipped_sketches_equals_the_index_from_fresh_documents() -> None:
    """Workers compute each Document's sketch and send it pickled beside the Document; the parent's
    index, built from the shipped sketches, must not differ."""
    fresh = [read_document(p) for p in sorted(SAMPLE.glob("*.txt"))]
    shipped, sketches = [], []
    for p in sorted(SAMPLE.glob("*.txt")):
        doc = read_document(p)
        document, material = pickle.loads(pickle.dumps((doc, cross_phase_material(doc))))
        assert material.sketch is not None and material.passage_table
        adopt_reuse_material(document, material)
        shipped.append(document)
        sketches.append(material.sketch)
    a, b = ReuseIndex.build(fresh), ReuseIndex.build(shipped)
    assert all(document_sketch(d) is s for d, s in zip(shipped, sketches))  # the shipped ones, not computed again
    assert np.array_equal(a.signatures, b.signatures) and np.array_equal(a.signature_ids, b.signature_ids)
    assert np.array_equal(a.template_shingles, b.template_shingles)
    assert a.shared == b.shared and a.paragraph_doc == b.paragraph_doc
    assert (a.own_votes() != b.own_votes()).nnz == 0
    assert abs(a.matrix - b.matrix).max() == 0


def test_workers_fork_warm_from_the_fork_server() -> None:
    """The module the fork server preloads leaves the pipeline ready (no warm-up left for a worker)."""
    code = "import auditor.worker_warm, auditor.runner.worker as b, auditor.extract.subjects as s; " \
           "print(b._worker_ready, s._tokenizer is not None)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]


def test_the_collector_is_left_as_it_was() -> None:
    """The batch freezes the Documents it receives for the garbage collector; it must unfreeze them."""
    import gc

    before = gc.get_freeze_count()
    run_batch([SAMPLE], jobs=2)
    assert gc.get_freeze_count() == before


def test_a_large_batch_stops_the_workers_server_before_the_cross_phase(monkeypatch) -> None:
    """The fork server holds jieba's whole dictionary: a large batch stops it once every file is read
    (the cross phase does not need it), and the next batch starts it again."""
    import multiprocessing.forkserver as forkserver

    import auditor.batch as batch_module

    expected = _findings(run_batch([SAMPLE], jobs=2))
    running_at_cross: list[bool] = []
    real_cross = batch_module._cross_phase

    def recording_cross(*args, **kwargs):
        running_at_cross.append(forkserver._forkserver._forkserver_pid is not None)
        return real_cross(*args, **kwargs)

    monkeypatch.setattr(batch_module, "_cross_phase", recording_cross)
    assert _findings(run_batch([SAMPLE], jobs=2)) == expected
    monkeypatch.setattr(batch_module, "RELEASE_WORKERS_AT", 1)
    assert _findings(run_batch([SAMPLE], jobs=2)) == expected
    assert _findings(run_batch([SAMPLE], jobs=2)) == expected  # the server is started again
    assert running_at_cross == [True, False, False]
