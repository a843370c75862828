"""``--reference`` files are read in isolated workers with the batch's per-file limits: a reference
that cannot be read within them becomes a warning, never a hung or crashed batch."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from auditor.batch import _isolated_reader, run_batch
from auditor.engine import read_document
from auditor.errors import ReadError
from auditor.reuse.material import reuse_material
from auditor.reuse.references import ReferenceSet
from auditor.reuse.text import passages
from test_batch import report_text


def _write(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    earlier = folder / "earlier.txt"
    earlier.write_text(report_text("示例县参考档案馆", 2023, "80.00", "50.00", "30.00", meetings=12), encoding="utf-8")
    current = folder / "current.txt"
    current.write_text(report_text("示例县参考档案馆", 2024, "90.00", "55.00", "35.00", meetings=12), encoding="utf-8")
    return earlier, current


def test_a_reference_is_read_in_a_worker_and_comes_back_whole(tmp_path: Path) -> None:
    earlier, _ = _write(tmp_path)
    doc = _isolated_reader(60, 2 * 1024**3)(earlier)
    assert doc.text == read_document(earlier).text
    material = reuse_material(doc)  # shipped beside the Document, which travels without caches
    assert material.passage_table.passages(doc.text) == passages(read_document(earlier))
    assert material.sketch is not None  # the index sketch was computed in the worker


def test_a_reference_beyond_the_memory_limit_is_a_warning(tmp_path: Path) -> None:
    earlier, _ = _write(tmp_path)
    # a long report (~1 MB): its bytes alone need fresh memory, which a warm worker has none of to spare
    earlier.write_text(earlier.read_text(encoding="utf-8") * 150, encoding="utf-8")
    read = _isolated_reader(60, 64 * 1024**2)  # far below what the interpreter maps
    try:
        read(earlier)
    except ReadError as exc:  # the worker runs out of memory, in an allocation or in an import
        assert exc.code in ("memory-limit", "read-failed", "worker-crashed")
    else:
        raise AssertionError("a 64 MB address space cannot read a report")
    refs = ReferenceSet.for_batch([], [earlier], read=read)
    assert refs.documents == [] and any("earlier.txt" in w for w in refs.warnings)


def test_the_batch_with_references_matches_the_inline_engine(tmp_path: Path) -> None:
    earlier, current = _write(tmp_path / "in")
    out = io.StringIO()
    pooled = run_batch([current], references=[earlier], jobs=2, console=Console(file=out))
    inline = run_batch([current], references=[earlier], engine="inline")

    assert json.dumps(pooled.to_dict(), ensure_ascii=False) == json.dumps(inline.to_dict(), ensure_ascii=False)
    assert "无法读取" not in out.getvalue()
