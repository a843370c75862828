"""What the cross-report phase keeps per report: passages as one compact table, and the batch index
without its search part once every candidate is known (nothing lost: the same passages, the same
candidates, the same units sharing a paragraph)."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from auditor.engine import read_document
from auditor.reuse.material import PassageTable, reuse_material
from auditor.reuse.references import ReferenceSet
from auditor.reuse.text import passages
from auditor.runner.worker import audit_task, received

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"


def _deep_size(obj) -> int:
    seen, stack, total = set(), [obj], 0
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        total += sys.getsizeof(o)
        if isinstance(o, (list, tuple)):
            stack.extend(o)
        elif isinstance(o, dict):
            stack.extend(o.values())
        elif hasattr(o, "__slots__") and not isinstance(o, (str, bytes)):
            stack.extend(getattr(o, name) for name in o.__slots__ if hasattr(o, name))
    return total


def test_the_passage_table_gives_back_the_same_passages_in_a_fraction_of_the_memory() -> None:
    doc = read_document(sorted(SAMPLE.glob("*.txt"))[0])
    listed = passages(doc)
    table = PassageTable(listed, doc.text)
    assert len(listed) > 10
    assert table.passages(doc.text) == listed and len(table) == len(listed)
    assert table.key_list(doc.text) == [p.key for p in listed]
    assert pickle.loads(pickle.dumps(table)).passages(doc.text) == listed
    # a handful of objects instead of a Passage and a key string per paragraph: the keys come from the text
    assert not table.keys
    assert _deep_size(table) * 4 < _deep_size(listed)
    # a key that is not what the span makes (none such is built by text.passages) is kept as it is
    odd = [listed[0].__class__(p.start, p.end, p.index, p.paragraph, p.is_heading, p.key + "#") for p in listed[:3]]
    assert PassageTable(odd, doc.text).passages(doc.text) == odd
    assert PassageTable(listed).passages(doc.text) == listed  # without the text: every key kept


def test_every_passage_key_is_the_fold_of_its_trimmed_span() -> None:
    """``kept()`` stores no key for passages text.passages made (keys_are_folds): the key of the whole
    paragraph is also the fold of the span trimmed to its visible text. Written for this test: blanks
    of every kind around paragraphs, export residue at either end, punctuation that fold changes."""
    from auditor.readers.text import build_document

    text = ("\u3000\u3000一、基本情况\n"
            " \t全年完成巡查126次，（较上年增加12次）；群众满意度达到96%。\u00a0\u3000\n"
            "[bookmark: _Toc1]二、预算执行 \n"
            "\u3000年度预算85.60万元，执行率96.14%。[bookmark: _Toc2]\r\n"
            "“三”是：继续推进！\u00a0\n")
    doc = build_document(text, "示例.txt")
    listed = passages(doc)
    assert len(listed) == 5
    assert all(text[p.start] not in " \t\u3000\u00a0" and text[p.end - 1] not in " \t\u3000\u00a0\r"
               for p in listed)  # spans were trimmed
    assert not PassageTable(listed, text).keys  # the check finds every key equal to its span's fold
    assert PassageTable(listed, text, keys_are_folds=True).passages(text) == listed
    assert reuse_material(doc).kept(text).passage_table.passages(text) == listed


def test_a_worker_ships_only_the_compact_passages_and_they_come_back_whole() -> None:
    path = sorted(SAMPLE.glob("*.txt"))[0]
    result = pickle.loads(pickle.dumps(audit_task(str(path), None, False, True)))
    assert result.reuse.passages is None and isinstance(result.reuse.passage_table, PassageTable)
    doc = received(result).document
    assert passages(doc) == passages(read_document(path))


def test_settle_releases_the_search_and_keeps_what_the_rules_read() -> None:
    docs = [read_document(p) for p in sorted(SAMPLE.glob("*.txt"))]
    refs = ReferenceSet.for_batch(docs)
    for doc in docs:
        refs.has_candidates(doc)
    found = {d.path: ([c.path for c in refs.candidates(d)], [c.path for c in refs.other_unit_candidates(d)])
             for d in docs}
    keys = [p.key for d in docs for p in passages(d) if not p.is_heading]
    shared = [refs.shared_units(docs[0], k) for k in keys]
    index = refs.batch_index
    refs.settle()
    assert not index.searchable and index.matrix is None and len(index.signatures) == 0
    # the cached candidates are kept, and the units sharing a paragraph are still known
    assert {d.path: ([c.path for c in refs.candidates(d)], [c.path for c in refs.other_unit_candidates(d)])
            for d in docs} == found
    refs._shared_counts.clear()
    assert [refs.shared_units(docs[0], k) for k in keys] == shared
    assert any(shared)
    # a document asked for afterwards: the index is built again, with the same answers
    refs._candidates.clear()
    refs._other_units.clear()
    assert [c.path for c in refs.candidates(docs[1])] == found[docs[1].path][0]
    assert refs.batch_index.searchable
    for doc in docs:
        assert reuse_material(doc).sketch is None  # the index keeps what it needs of the sketches
