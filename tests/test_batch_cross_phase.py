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
    (the cross phase does not need it); a smaller batch keeps it for the next run in the same process.
    The server is started here before each batch: a batch forks its first workers from its own process
    and starts the server only to replace one, so whether it runs would depend on earlier tests."""
    import multiprocessing.forkserver as forkserver

    import auditor.batch as batch_module
    from auditor.isolation import _noop, run_isolated

    expected = _findings(run_batch([SAMPLE], jobs=2))
    running_at_cross: list[bool] = []
    real_cross = batch_module._cross_phase

    def recording_cross(*args, **kwargs):
        running_at_cross.append(forkserver._forkserver._forkserver_pid is not None)
        return real_cross(*args, **kwargs)

    monkeypatch.setattr(batch_module, "_cross_phase", recording_cross)
    run_isolated(_noop, 0, timeout_s=60)  # the fork server runs
    assert _findings(run_batch([SAMPLE], jobs=2)) == expected
    monkeypatch.setattr(batch_module, "RELEASE_WORKERS_AT", 1)
    for _ in range(2):
        run_isolated(_noop, 0, timeout_s=60)
        assert _findings(run_batch([SAMPLE], jobs=2)) == expected
    assert running_at_cross == [True, False, False]


def _record_packing_at_cross(monkeypatch) -> list[list[bool]]:
    """For each cross phase from now on: whether each report's findings were packed when it began."""
    packed_at_cross: list[list[bool]] = []
    real_compare = cross.compare_with_references

    def recording_compare(reports, *args, **kwargs):
        packed_at_cross.append([r.findings is None and r.packed_findings is not None for r in reports])
        return real_compare(reports, *args, **kwargs)

    monkeypatch.setattr(cross, "compare_with_references", recording_compare)
    return packed_at_cross


def test_a_large_batch_keeps_its_findings_packed_through_the_search(monkeypatch) -> None:
    """From ``PACK_FINDINGS_AT`` files each report's findings are packed as they arrive and stay so
    while the cross phase searches (where a large batch's memory peaks); the findings are those of a
    batch that never packs them, and a smaller batch does not pack them."""
    import auditor.batch as batch_module

    packed_at_cross = _record_packing_at_cross(monkeypatch)
    expected = _findings(run_batch([SAMPLE], jobs=2))
    monkeypatch.setattr(batch_module, "PACK_FINDINGS_AT", 1)
    packed = run_batch([SAMPLE], jobs=2)
    assert _findings(packed) == expected and any(expected.values())
    assert all(r.packed_findings is None for r in packed.reports)  # every one unpacked at the end
    assert len(packed_at_cross) == 2 and len(packed_at_cross[1]) >= 2
    assert not any(packed_at_cross[0]) and all(packed_at_cross[1])


def test_a_resumed_large_batch_packs_the_stored_findings_too(monkeypatch, tmp_path: Path) -> None:
    """Reports taken from the store on ``resume`` are packed like those audited now, and the resumed
    batch finds what the first one found."""
    import auditor.batch as batch_module

    store = tmp_path / "results.sqlite"
    expected = _findings(run_batch([SAMPLE], jobs=2, store=store))
    packed_at_cross = _record_packing_at_cross(monkeypatch)
    monkeypatch.setattr(batch_module, "PACK_FINDINGS_AT", 1)
    assert _findings(run_batch([SAMPLE], jobs=2, store=store, resume=True)) == expected
    assert len(packed_at_cross) == 1 and len(packed_at_cross[0]) >= 2 and all(packed_at_cross[0])


def test_a_batch_interrupted_with_its_findings_packed_saves_them(monkeypatch, tmp_path: Path) -> None:
    """Ctrl-C in the cross phase of a batch whose findings are packed: the finished files are saved
    with their findings (unpacked first), as the first phase found them."""
    import auditor.batch as batch_module
    import auditor.runner.interrupt as interrupt
    from auditor.store import ResultStore

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    first_phase = _findings(run_batch([SAMPLE], jobs=2, rules=["AR", "XC", "TG", "CP"]))  # no cross phase
    saved = tmp_path / "interrupted.sqlite"
    monkeypatch.setattr(batch_module, "PACK_FINDINGS_AT", 1)
    monkeypatch.setattr(cross, "compare_with_references", interrupted)
    monkeypatch.setattr(interrupt, "interrupted_store_path", lambda: saved)
    try:
        run_batch([SAMPLE], jobs=2)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the interrupt must reach the caller")
    with ResultStore(saved) as store:
        records = {Path(key.path).name: store.get(key).report for key in store.keys()}
    assert sorted(records) == sorted(first_phase)
    for name, record in records.items():
        rules = [f["rule"] for f in record["findings"]]
        assert [r for r in rules if not r.startswith("RU")] == [f["rule"] for f in first_phase[name]]
