"""The Document keeps no untyped cache (no ``memo``): its own caches are declared private fields, the
extractors and the reuse checks keep typed objects (``Document.derived``), a pickled Document carries
none of them, and what a batch worker ships for the cross-report phase is an explicit field of its
result (``WorkResult.reuse``)."""

from __future__ import annotations

import ast
import pickle
from dataclasses import fields
from pathlib import Path

from auditor.document import Document
from auditor.readers.text import build_document
from auditor.reuse.index import document_sketch
from auditor.reuse.material import ReuseMaterial, reuse_material
from auditor.reuse.text import passages
from auditor.runner.worker import audit_task, received

PACKAGE = Path(__file__).resolve().parents[1] / "auditor"
SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"

TEXT = (
    "2024年度示例档案馆部门整体支出绩效自评报告\n"
    "一、基本情况\n"
    "本年度共整理档案1200卷，接待查阅群众300人次。\n"
    "二、预算执行\n"
    "\t项目\n\t预算数\n\t执行数\n\n"
    "\t合计\n\t50.00\n\t48.00\n\n"
)


def _memo_uses(source: str) -> list[int]:
    """Lines where ``something.memo`` is read or written, or a field named ``memo`` is declared."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "memo":
            lines.append(node.lineno)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "memo":
            lines.append(node.lineno)
    return lines


def test_no_module_of_the_package_uses_a_memo() -> None:
    found = {str(p.relative_to(PACKAGE)): lines for p in sorted(PACKAGE.rglob("*.py"))
             if (lines := _memo_uses(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_scan_sees_a_memo() -> None:
    assert _memo_uses("doc.memo.clear()\n") == [1]
    assert _memo_uses("class D:\n    memo: dict = {}\n") == [2]
    assert _memo_uses("memory = 1\ndoc.memory_limit = 2\n") == []


def test_the_document_declares_no_memo_and_no_public_cache() -> None:
    names = {f.name for f in fields(Document)}
    assert "memo" not in names
    # the private caches, and the packed structure of Document.pack (not a cache: the content, compressed)
    assert {f.name for f in fields(Document) if not f.compare} == {"_cell_texts", "_row_texts", "_locate_index",
                                                                    "_derived", "_packed", "_released"}
    assert not hasattr(build_document(TEXT, "a.txt", "txt"), "memo")


def test_a_pickled_document_carries_no_cache() -> None:
    doc = build_document(TEXT, "a.txt", "txt")
    cell = doc.tables[0].rows[1].cells[1]
    assert doc.cell_text(cell) == "50.00"
    assert doc.row_texts(doc.tables[0].rows[1])[1] == "50.00"
    doc.locate(cell.start)
    document_sketch(doc)
    assert reuse_material(doc).passages is not None
    copy = pickle.loads(pickle.dumps(doc))
    assert copy == doc and copy.text == doc.text
    assert copy._cell_texts == {} and copy._row_texts == {}
    assert reuse_material(copy).passages is None  # rebuilt on demand, not shipped inside the Document
    assert passages(copy) == passages(doc)
    assert copy.locate(cell.start) == doc.locate(cell.start)


def test_forgetting_drops_every_cache() -> None:
    doc = build_document(TEXT, "a.txt", "txt")
    cell = doc.tables[0].rows[1].cells[1]
    where = doc.locate(cell.start)
    material = reuse_material(doc)
    passages(doc)
    row = doc.tables[0].rows[1]
    assert doc.row_texts(row) == tuple(doc.cell_text(c) for c in row.cells)
    doc.forget_derived()
    assert doc._row_texts == {}
    assert reuse_material(doc) is not material and reuse_material(doc).passages is None
    assert doc.locate(cell.start) == where and doc.cell_text(cell) == "50.00"  # rebuilt on demand


def test_the_worker_ships_the_reuse_material_as_a_field_of_its_result() -> None:
    path = sorted(SAMPLE.glob("*.txt"))[0]
    result = audit_task(str(path), None, False, True)
    assert isinstance(result.reuse, ReuseMaterial)
    assert result.reuse.passage_table and result.reuse.sketch is not None
    assert result.reuse.grams is None and not result.reuse.figures and not result.reuse.facts  # not worth shipping
    arrived = pickle.loads(pickle.dumps(result))  # as the process pool sends it
    doc = arrived.report.document
    assert reuse_material(doc).passages is None  # nothing hidden in the Document
    assert received(arrived) is arrived.report
    assert reuse_material(doc) is arrived.reuse
    assert passages(doc) == passages(build_document(doc.text, doc.path, doc.format))


def test_without_the_document_nothing_is_shipped() -> None:
    path = sorted(SAMPLE.glob("*.txt"))[0]
    result = audit_task(str(path), None, False, False)
    assert result.report.document is None and result.reuse is None


def test_the_remote_cross_phase_gets_the_material_shipped_beside_the_documents() -> None:
    from auditor.runner.worker import adopt_shipped_material, shipped_material

    docs = [build_document(TEXT, "a.txt", "txt"), build_document(TEXT.replace("1200", "1300"), "b.txt", "txt")]
    for doc in docs:
        document_sketch(doc)
    arrived, material = pickle.loads(pickle.dumps((docs, shipped_material(docs))))
    assert not any(reuse_material(d).has_passages for d in arrived)
    own = reuse_material(arrived[1])
    own.passages = passages(build_document(arrived[1].text, "b.txt", "txt"))
    adopt_shipped_material(arrived, material)
    assert passages(arrived[0]) == passages(docs[0])
    assert reuse_material(arrived[0]).sketch is material[0].sketch
    assert reuse_material(arrived[1]) is own  # a document that has its passages keeps its own material


def test_the_batch_index_releases_the_sketches_it_was_built_from() -> None:
    import numpy as np

    from auditor.engine import read_document
    from auditor.reuse.index import ReuseIndex
    from auditor.reuse.references import ReferenceSet

    docs = [read_document(p) for p in sorted(SAMPLE.glob("*.txt"))]
    for doc in docs:
        document_sketch(doc)
    index = ReferenceSet(documents=docs).batch_index
    assert all(reuse_material(d).sketch is None for d in docs)  # the index keeps what it needs of them
    assert all(reuse_material(d).passages for d in docs)  # the alignment still needs the passages
    fresh = ReuseIndex.build([read_document(p) for p in sorted(SAMPLE.glob("*.txt"))])
    assert np.array_equal(index.signatures, fresh.signatures) and index.shared == fresh.shared
