"""``ReferenceSet.shared_units``: how many other units' reports hold a paragraph (a feature of the stale
score). The units that count as the report's own are found for every unit name at once
(``_units_like``); the count must be what asking name by name gives (``_same_unit_cached``)."""

from __future__ import annotations

from auditor.readers.text import build_document
from auditor.reuse.index import key_hash
from auditor.reuse.references import ReferenceSet, _same_unit_cached
from auditor.reuse.text import passages

# invented unit names: the same unit written several ways, near misses (another county, another
# district), names that differ in one character of many, and one that folds to almost nothing
UNITS = [
    "青禾县人民代表大会常务委员会", "青禾县人大常委会办公室", "青禾县人大常委会", "青禾市人大常委会",
    "临川市东湖区人大常委会", "临川市西湖区人大常委会", "临川市人大常委会机关", "临川市人大常委会",
    "白石镇人民政府", "白石镇政府办公室", "白石乡人民政府", "办公室", None,
    "远山县农业农村局畜牧兽医服务中心", "远山县农业农村局畜牧兽医服务站",
]

_TEMPLATE = ("一、部门基本情况\n本单位主要职责是依法履行各项法定职责，全年工作有序推进。\n"
             "二、预算执行情况\n年度预算{budget}万元，全年支出{spent}万元，执行率{rate}%。\n"
             "三、绩效目标完成情况\n全年召开会议{meetings}次，开展专题调研{visits}次，群众满意度{sat}%。\n"
             "四、存在的问题\n部分绩效指标设置不够细化，成本控制仍需加强。\n"
             "五、下一步改进措施\n进一步完善预算绩效管理制度，提高资金使用效益。\n")


def _documents() -> list:
    docs = []
    for i, unit in enumerate(UNITS):
        for year in (2023, 2024):
            text = (f"{unit or '某单位'}{year}年度部门整体支出绩效自评报告\n"
                    + _TEMPLATE.format(budget=100 + i, spent=90 + i, rate=90, meetings=10 + i % 3,
                                       visits=5 + i % 4, sat=95 + i % 2))
            if i % 3 == 0:  # a paragraph only some units write
                text += "六、其他需要说明的情况\n本年度无其他需要说明的事项。\n"
            doc = build_document(text, f"u{i:02d}_{year}.txt", "txt")
            doc.meta.unit, doc.meta.year = unit, year
            docs.append(doc)
    return docs


def _shared_units_name_by_name(refs: ReferenceSet, doc, key: str) -> int:
    """The count as defined: every sharing unit's name asked about on its own."""
    own = doc.meta.unit
    units = set()
    for index in refs._sharing_indexes():
        for name in index.sharing_unit_names_of(key_hash(key)):
            if name and not (own and _same_unit_cached(name, own)):
                units.add(name)
    return len(units)


def test_units_like_agrees_with_asking_name_by_name() -> None:
    refs = ReferenceSet.for_batch(_documents())
    names = list(refs.batch_index.unit_ids)
    assert len(names) >= 10
    for own in [u for u in UNITS if u] + ["青禾县人大常委会办公室", "临川市人大常委会本级"]:
        expected = frozenset(n for n in names if _same_unit_cached(n, own))
        assert refs._units_like(own) == expected, own
    # the fuzzy match is there: one character of a long name does not make another unit
    like = refs._units_like("远山县农业农村局畜牧兽医服务中心")
    assert any("服务站" in n for n in like)
    assert not any(n.startswith("青禾市") for n in refs._units_like("青禾县人大常委会"))


def test_shared_units_counts_as_asking_name_by_name() -> None:
    docs = _documents()
    refs = ReferenceSet.for_batch(docs)
    keys = sorted({p.key for d in docs for p in passages(d) if not p.is_heading})
    counts = []
    for doc in docs:
        for key in keys:
            count = refs.shared_units(doc, key)
            assert count == _shared_units_name_by_name(refs, doc, key), (doc.meta.unit, key)
            counts.append(count)
    assert max(counts) >= 5 and 0 in counts  # template paragraphs are widely shared, some are not
