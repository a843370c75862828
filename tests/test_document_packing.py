"""A batch keeps its Documents packed (``Document.pack``: the structure one compressed blob) between the
two phases: a packed Document is rebuilt identically when its structure is first read, travels packed,
and the parent holds no unpacked Document of a report while the cross-report phase runs nor after it
(unless asked for)."""

from __future__ import annotations

import pickle
from pathlib import Path

import auditor.runner.cross as cross
from auditor.batch import run_batch
from auditor.engine import read_document
from auditor.findings import Evidence
from auditor.reuse.material import adopt_reuse_material
from auditor.runner.worker import audit_task, received

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"


def _with_tables() -> Path:
    for path in sorted(SAMPLE.glob("*.txt")):
        if read_document(path).tables:
            return path
    raise AssertionError("the sample corpus has reports with tables")


def _released(doc) -> bool:
    """Whether the structure is really let go (not only marked packed)."""
    try:
        object.__getattribute__(doc, "tables")
    except AttributeError:
        return True
    return False


def test_a_packed_document_is_rebuilt_identically() -> None:
    path = _with_tables()
    fresh, doc = read_document(path), read_document(path)
    cell = fresh.tables[0].rows[-1].cells[-1]
    before = Evidence.of(fresh, cell.start, cell.end).to_dict()
    doc.pack()
    assert doc.packed and _released(doc)
    assert doc.text == fresh.text and doc.meta == fresh.meta  # what a reference is compared by stays
    assert doc.packed  # reading those unpacked nothing
    assert doc.tables == fresh.tables  # reading the structure brings it all back
    assert not doc.packed and not _released(doc) and doc == fresh
    doc.pack()
    doc.unpack()
    assert not doc.packed and doc == fresh
    assert Evidence.of(doc, cell.start, cell.end).to_dict() == before
    doc.pack()
    doc.pack()  # packing twice keeps the first blob
    doc.unpack()
    assert doc == fresh


def test_a_packed_document_travels_packed() -> None:
    path = _with_tables()
    doc = read_document(path)
    doc.pack()
    copy = pickle.loads(pickle.dumps(doc))
    assert copy.packed and _released(copy) and doc.packed  # pickling read nothing of the structure
    assert copy == read_document(path) and not copy.packed
    unpacked = pickle.loads(pickle.dumps(read_document(path)))
    assert not unpacked.packed and unpacked == read_document(path)


def test_a_worker_ships_its_document_packed() -> None:
    path = _with_tables()
    result = pickle.loads(pickle.dumps(audit_task(str(path), None, False, True)))
    report = received(result)
    assert report.document.packed and _released(report.document)
    assert report.document == read_document(path)


def test_the_parent_holds_no_unpacked_document_through_the_cross_phase(monkeypatch) -> None:
    seen: dict[str, list[bool]] = {}
    original = cross.compare_with_references

    def watched(reports, *args, **kwargs):
        seen["before"] = [r.document.packed for r in reports if r.document is not None]
        warnings = original(reports, *args, **kwargs)
        seen["after"] = [r.document.packed for r in reports if r.document is not None]
        return warnings

    monkeypatch.setattr(cross, "compare_with_references", watched)
    batch = run_batch([SAMPLE], engine="inline", keep_documents=True)
    count = len(list(SAMPLE.glob("*.txt")))
    assert seen["before"] == [True] * count and seen["after"] == [True] * count
    # the caller who keeps the Documents gets them whole
    kept = [r for r in batch.reports if r.document is not None]
    assert len(kept) == count
    for report in kept:
        assert not report.document.packed and report.document == read_document(Path(report.path))


def test_findings_do_not_depend_on_packing(monkeypatch) -> None:
    packed = {r.path: [f.to_dict() for f in r.findings] for r in run_batch([SAMPLE], engine="inline").reports}
    monkeypatch.setattr("auditor.document.Document.pack", lambda self: None)  # nothing released
    whole = {r.path: [f.to_dict() for f in r.findings] for r in run_batch([SAMPLE], engine="inline").reports}
    assert any(f["rule"] == "RU501" for found in whole.values() for f in found)
    assert packed == whole


def test_the_structure_pickles_compactly_and_keeps_shared_objects() -> None:
    path = _with_tables()
    fresh = read_document(path)
    shared = [any(s.heading is p for p in fresh.paragraphs) for s in fresh.sections]
    assert fresh.sections and all(shared)  # a section's heading is the paragraph itself
    doc = read_document(path)
    doc.pack()
    assert doc == fresh and not doc.packed
    assert all(any(s.heading is p for p in doc.paragraphs) for s in doc.sections)  # still the same objects
    table = fresh.tables[0]
    # pickled as calls of the classes: no field names per object (a worker packs thousands of them)
    assert b"start" not in pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(pickle.dumps(table)) == table


def test_a_reference_is_aligned_and_scored_without_unpacking_it() -> None:
    from auditor.readers.text import build_document
    from auditor.reuse.references import ReferenceSet, align_with_references
    from auditor.runner.worker import cross_phase_material

    body = ("一、基本情况\n2023年，站里开展河道巡查96次，清理漂浮物42吨，受理群众反映问题18件。\n"
            "二、存在的问题\n巡查设备老化，夜间巡查力量不足。\n")
    earlier = build_document("白沙河道管理站2023年度部门整体支出绩效自评报告\n" + body, "白沙_2023.txt")
    later = build_document("白沙河道管理站2024年度部门整体支出绩效自评报告\n" + body, "白沙_2024.txt")
    for doc in (earlier, later):  # as the batch holds them: material shipped, structure packed
        material = cross_phase_material(doc)
        doc.pack()
        adopt_reuse_material(doc, material)
    passages = align_with_references(later, ReferenceSet(documents=[earlier, later]))
    assert any(p.stale and p.source_path == "白沙_2023.txt" for p in passages)  # "2023年，" and its figures kept
    assert earlier.packed  # its passages, figures and years came from its material, not its structure


def test_every_part_of_the_structure_comes_back_from_its_columns() -> None:
    """Packing writes the structure as columns of field values (not as pickled objects): a caption, a
    flattened table, a continuation cell, anchors, and a section whose heading is not one of the
    paragraphs all come back equal; a heading that is one of them comes back as that same object."""
    from auditor.document import Anchor, Cell, Document, Paragraph, Row, Section, Span, Table

    text = "甲表\n\t项目\t金额\n\t合计\t12\n第一部分\n正文一行\n"
    paragraphs = [Paragraph(0, 2, 0), Paragraph(17, 21, 1, heading_level=1), Paragraph(22, 26, 2)]
    cells = [[Cell(4, 6, 0, 0), Cell(7, 9, 0, 1)], [Cell(11, 13, 1, 0), Cell(14, 16, 1, 1, is_continuation=True)]]
    table = Table(0, 3, 16, [Row(0, cells[0]), Row(1, cells[1])], caption=Span(0, 2), flattened="bars")
    sections = [Section(paragraphs[1], 1, 17, 26, None, 0),
                Section(Paragraph(22, 26, 9, heading_level=2), 2, 22, 26, 0, 1)]  # a heading of its own
    doc = Document(path="a.txt", text=text, paragraphs=paragraphs, tables=[table], sections=sections,
                   anchors=[Anchor(0, page=1), Anchor(17, sheet="表1", cell="B2")])
    doc.finish()
    whole = pickle.loads(pickle.dumps(doc))
    doc.pack()
    assert _released(doc)
    doc.unpack()
    assert doc == whole
    assert doc.sections[0].heading is doc.paragraphs[1]
    assert all(doc.sections[1].heading is not p for p in doc.paragraphs)
    assert doc.tables[0].caption == Span(0, 2) and doc.tables[0].rows[1].cells[1].is_continuation
    assert doc.anchors == [Anchor(0, page=1), Anchor(17, sheet="表1", cell="B2")]
