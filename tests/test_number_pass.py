"""One pass of the number grammar per document: the Analysis and the reuse checks read the same
mentions, and what the cross-report phase needs of them (the figure marks, the pass itself encoded) is
shipped by the worker, so the phase never reads a report's numbers again."""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal
from pathlib import Path

import pytest

from auditor.analysis import Analysis
import auditor.extract.numbers as numbers_module
from auditor.extract.numbers import (
    NumberPass,
    decode_mentions,
    encode_mentions,
    find_numbers,
    number_pass,
    numbers_within,
)
from auditor.readers.text import build_document
from auditor.reuse.features import figure_spans
from auditor.reuse.material import adopt_reuse_material, restore_number_pass, reuse_material
from auditor.reuse.text import passages
from auditor.runner.worker import cross_phase_material

TEXT = (
    "2024年度示例水务站部门整体支出绩效自评报告\n"
    "一、基本情况\n"
    "全年巡查河道126公里，比上年增加12.5公里，增长11.0%；完成一项专项整治，受理投诉不少于30件。\n"
    "二、预算执行\n"
    "年度预算数85.60万元，实际支出82.30万元，执行率96.14%，其中公用经费12.4万元、项目支出69.9万元。\n"
    "三、下一步计划\n"
    "2025年计划巡查河道不少于130公里，力争投诉办结率达到100%。\n"
)


def _paragraph_figures(doc, start: int, end: int) -> list[tuple[int, int, str]]:
    """What the reuse checks read before the one pass: the grammar run on the paragraph alone."""
    return [(m.start, m.end, m.text) for m in find_numbers(doc.text, start, end)
            if m.qualifier not in ("at_least", "at_most", "range") and not (m.value <= 1 and not any(c.isdigit() for c in m.text))]


def _documents(seeds_dir: Path | None) -> list:
    docs = [build_document(TEXT, "示例.txt")]
    if seeds_dir is not None:
        docs += [build_document(p.read_text(encoding="utf-8"), p.name) for p in sorted(seeds_dir.glob("*.txt"))]
    real = Path(__file__).resolve().parents[2] / "shared" / "real"
    docs += [build_document(p.read_text(encoding="utf-8"), p.name) for p in sorted(real.glob("*.txt"))[:60]]
    return docs


def test_the_analysis_reads_the_documents_one_pass() -> None:
    doc = build_document(TEXT, "示例.txt")
    analysis = Analysis(doc)
    assert analysis.numbers is number_pass(doc)
    [inside] = [m for m in numbers_within(doc, TEXT.index("年度预算"), TEXT.index("三、")) if m.text == "82.30万元"]
    assert any(m is inside for m in analysis.numbers)  # the same objects, not a second reading


def test_paragraph_figures_from_the_one_pass_equal_a_reading_of_the_paragraph(request) -> None:
    try:
        seeds_dir = request.getfixturevalue("seeds_dir")
    except pytest.skip.Exception:
        seeds_dir = None
    checked = 0
    for doc in _documents(seeds_dir):
        for p in passages(doc):
            assert figure_spans(doc, p.start, p.end) == _paragraph_figures(doc, p.start, p.end), (doc.path, p.start)
            checked += 1
    assert checked >= 7


def test_the_worker_ships_the_figure_marks_and_the_pass_is_not_run_again() -> None:
    doc = build_document(TEXT, "示例.txt")
    Analysis(doc).claims  # phase 1: the checks made the pass
    material = cross_phase_material(doc)
    assert material.figure_marks is not None and len(material.figure_marks) % 2 == 0
    received = pickle.loads(pickle.dumps(doc))  # what the parent gets: no caches
    adopt_reuse_material(received, pickle.loads(pickle.dumps(material)))
    para = next(p for p in passages(received) if "巡查河道126" in received.text[p.start:p.end])
    texts = [t for _, _, t in figure_spans(received, para.start, para.end)]
    assert texts == ["126公里", "12.5公里", "11.0%"]  # "一项" and the "不少于30件" target left out
    assert received.derived(NumberPass).mentions is None  # read from the marks, not from a new pass


# shapes of the grammar the encoded pass must give back as they were: a range, 九成 (decimals -1), a folded
# 万 (decimals -4), 亿元, a negative change, ≥ and 约 qualifiers, full-width digits, traditional script (the
# mention's text is the original, its unit simplified), a rate unit
SHAPES = (
    "2024年度示例农技站部门整体支出绩效自评报告\n"
    "全年培训农户3-5期，覆盖率达九成，带动就业2万人次，争取资金3.05亿元。\n"
    "结余变动为-5.2%，满意度≥95%，约120人参加，发放补贴１２３.５０万元，人均补助300元/人·月。\n"
    "全年經費支出128.40萬元，檢查農戶四十二戶。\n"
)


def _same_mentions(decoded: list, mentions: list) -> bool:
    return decoded == mentions and all(
        (str(a.value), str(a.tolerance), str(a.upper), a.text) == (str(b.value), str(b.tolerance), str(b.upper), b.text)
        for a, b in zip(decoded, mentions))


def test_the_encoded_pass_decodes_to_the_same_mentions(request) -> None:
    try:
        seeds_dir = request.getfixturevalue("seeds_dir")
    except pytest.skip.Exception:
        seeds_dir = None
    shapes = build_document(SHAPES, "形态.txt")
    found = number_pass(shapes)
    assert {m.qualifier for m in found} >= {"range", "at_least", "approx_about"}
    assert {m.decimals for m in found} >= {-1, -4, 2} and any(m.value < 0 for m in found)
    assert any(m.text == "128.40萬元" and m.unit == "万元" for m in found)
    checked = 0
    for doc in [shapes, *_documents(seeds_dir)]:
        mentions = find_numbers(doc.text)
        encoded = encode_mentions(doc.text, mentions)
        assert encoded is not None, doc.path
        assert _same_mentions(decode_mentions(doc.text, encoded), mentions), doc.path
        checked += len(mentions)
    assert checked >= 20  # our two texts alone (the seeds and real excerpts add theirs where present)
    assert decode_mentions("无数字", encode_mentions("无数字", [])) == []


def test_a_mention_that_could_not_be_given_back_is_not_encoded() -> None:
    mentions = find_numbers(SHAPES)
    moved = dataclasses.replace(mentions[0], text=mentions[0].text + "x")
    assert encode_mentions(SHAPES, [moved, *mentions[1:]]) is None
    loose = dataclasses.replace(mentions[0], tolerance=Decimal("0.05"))
    assert encode_mentions(SHAPES, [loose, *mentions[1:]]) is None
    assert encode_mentions(SHAPES, mentions) is not None


def test_the_cross_phase_decodes_the_shipped_pass_instead_of_reading_the_text(monkeypatch) -> None:
    doc = build_document(TEXT, "示例.txt")
    Analysis(doc).claims  # phase 1: the checks made the pass
    expected = list(number_pass(doc))
    material = cross_phase_material(doc)
    assert material.number_pass is not None
    received = pickle.loads(pickle.dumps(doc))  # what the parent gets: no caches
    adopt_reuse_material(received, pickle.loads(pickle.dumps(material)))
    received.pack()
    received.unpack()
    restore_number_pass(received)

    def no_second_reading(*args, **kwargs):
        raise AssertionError("the number grammar ran again")

    monkeypatch.setattr(numbers_module, "find_numbers", no_second_reading)
    assert received.derived(NumberPass).mentions is None  # decoded only when read
    assert _same_mentions(Analysis(received).numbers, expected)
    # kept through the cross phase's cache clearing, which drops the decoded mentions
    assert reuse_material(received).kept(received.text).number_pass == material.number_pass
