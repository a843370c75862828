"""The pair features read the report's side through caches (template-section flags kept by the worker,
span features by span): the vectors are those computed from the Document directly, and a packed
Document is not unpacked to read its section titles."""

from __future__ import annotations

import pytest

from auditor.readers.text import build_document
from auditor.reuse import features
from auditor.reuse.align import align
from auditor.reuse.material import ReuseMaterial, adopt_reuse_material, reuse_material
from auditor.reuse.text import passages

# my own two reports of one unit: the later one keeps a paragraph of the earlier one (figures, year and
# all) in a template section ("存在的问题"), rewrites one in a section of its own, keeps a heading
_REPORT = """某某局{year}年度部门整体支出绩效自评报告
一、部门基本情况
{year}年，本局共组织业务培训{sessions}期，参训人员达到{people}人次，全年走访企业{firms}家。
二、绩效目标完成情况
今年全面完成年初确定的各项工作任务，预算执行率为{rate}%。
三、存在的问题
部分项目支出进度偏慢，2023年资金下达后开工准备不足，全年仍有3个项目未按时完工。
四、下一步改进措施
加强项目前期谋划，提高资金使用效率。
"""
_EARLIER = _REPORT.format(year=2023, sessions=12, people=860, firms=45, rate=96.2)
_LATER = _REPORT.format(year=2024, sessions=15, people=910, firms=52, rate=97.4)


def _documents():
    earlier = build_document(_EARLIER, "unit_2023.txt")
    later = build_document(_LATER, "unit_2024.txt")
    return earlier, later


def _uncached_features(doc, source, pair, shared_units: int = 0) -> list[float]:
    """The vector as pair_features computed it before its caches: every part from the Document."""
    import math

    this_text = doc.text[pair.this_start:pair.this_end]
    facts = features.pair_facts(doc, source, pair)
    year = doc.meta.year
    years = [y for y, _, _ in features._years(this_text, 0)]
    frame = features._FRAME_RE.match(doc.text[pair.this.start:pair.this.end])
    template = features._TEMPLATE_SECTION_RE.search(doc.section_title(pair.this.start) or "") is not None
    return [pair.ratio, 1.0 if facts.figures else 0.0,
            len(facts.unchanged) / facts.figures if facts.figures else 0.0,
            math.log1p(len(facts.unchanged)), math.log1p(facts.changed),
            1.0 if year is not None and any(y < year for y in years) else 0.0,
            1.0 if year is not None and year in years else 0.0,
            1.0 if facts.kept_years else 0.0, 1.0 if facts.updated_years else 0.0,
            1.0 if frame and year is not None and int(frame.group(1)) < year else 0.0,
            float(sum(1 for w in features.TEMPORAL_CUES if w in this_text)),
            1.0 if pair.this.is_heading else 0.0,
            1.0 if template and source.text[pair.source_start:pair.source_end] != "" else 0.0,
            math.log1p(shared_units)]


def test_the_template_flags_are_the_section_titles_verdicts() -> None:
    _, later = _documents()
    features.keep_template_flags(later)
    flags = reuse_material(later).template_flags
    mine = passages(later)
    assert len(flags) == len(mine)
    verdicts = [features._TEMPLATE_SECTION_RE.search(later.section_title(p.start) or "") is not None for p in mine]
    assert [f == 1 for f in flags] == verdicts
    assert any(verdicts) and not all(verdicts)  # the fixture has both kinds


@pytest.mark.parametrize("kept_flags", [True, False])
def test_pair_features_are_the_uncached_ones(kept_flags: bool) -> None:
    earlier, later = _documents()
    if kept_flags:
        features.keep_template_flags(later)
    pairs = align(later, earlier)
    assert len(pairs) >= 4
    expected = [_uncached_features(later, earlier, p, shared_units=k) for k, p in enumerate(pairs)]
    for _ in range(2):  # the second time from the span cache
        assert [features.pair_features(later, earlier, p, shared_units=k) for k, p in enumerate(pairs)] == expected
    assert len(reuse_material(later).span_features) == len({(p.this_start, p.this_end) for p in pairs})
    assert any(row[12] == 1.0 for row in expected) and any(row[12] == 0.0 for row in expected)


def test_a_packed_report_is_not_unpacked_for_its_template_sections() -> None:
    earlier, later = _documents()
    expected = [_uncached_features(later, earlier, p) for p in align(later, earlier)]
    features.keep_template_flags(later)
    features.figure_marks(later)
    kept = reuse_material(later).kept(later.text)
    assert kept.template_flags is not None
    later.forget_derived()
    later.pack()
    adopt_reuse_material(later, kept)
    pairs = align(later, earlier)
    assert later.packed
    assert [features.pair_features(later, earlier, p) for p in pairs] == expected
    assert later.packed, "the structure was unpacked to read section titles"


def test_kept_material_carries_the_flags_and_drops_the_span_cache() -> None:
    material = ReuseMaterial(template_flags=b"\x00\x01", span_features={(1, 2): (0.0,) * 6})
    kept = material.kept()
    assert kept.template_flags == b"\x00\x01"
    assert kept.span_features == {}


def test_spans_of_one_paragraph_are_cached_apart() -> None:
    """Two spans starting at the same place, one naming an earlier year and one not, keep their own
    features (a cache keyed by the paragraph or the start alone would give the second the first's)."""
    from dataclasses import replace

    earlier, later = _documents()
    whole = next(p for p in align(later, earlier) if "项目未按时完工" in later.text[p.this_start:p.this_end])
    year_at = later.text.index("2023年", whole.this_start)
    assert whole.this_start < year_at < whole.this_end
    shorter = replace(whole, this_end=year_at)  # the same start, ending before the year
    long_row = features.pair_features(later, earlier, whole)
    short_row = features.pair_features(later, earlier, shorter)
    assert long_row == _uncached_features(later, earlier, whole)
    assert short_row == _uncached_features(later, earlier, shorter)
    assert long_row[5] == 1.0 and short_row[5] == 0.0  # old_year


def test_other_units_sharing_a_paragraph_are_counted_once_per_paragraph(monkeypatch) -> None:
    """A paragraph aligned with several candidates asks once how many other units share it; the rows
    are those of asking for every row."""
    from auditor.reuse import references
    from auditor.reuse.references import ReferenceSet

    earlier, later = _documents()
    middle = build_document(_EARLIER.replace("12期", "10期"), "unit_2023_filed_again.txt")  # the same year
    asked: list[str] = []
    real = ReferenceSet.shared_units

    def counting(self, doc, key):
        asked.append(key)
        return real(self, doc, key)

    refs = ReferenceSet(documents=[middle, earlier, later])
    monkeypatch.setattr(ReferenceSet, "shared_units", counting)
    rows = references._aligned_rows(later, refs)
    paragraphs = [p.this.index for p, _, _ in rows]
    assert len(set(paragraphs)) < len(paragraphs)  # some paragraph has rows from two candidates
    assert len(asked) == len(set(paragraphs))
    for p, cand, row in rows:
        assert row == features.pair_features(later, cand, p, real(refs, later, p.this.key))


def test_the_memo_keys_of_a_report_are_its_passages_text_and_key() -> None:
    """align() reads each passage's (text, key) from the report's material, made once, and the kept
    material drops them with the passages."""
    from auditor.reuse.align import SourceIndex, _memo_keys

    earlier, later = _documents()
    mine = passages(later)
    keys = _memo_keys(later, mine)
    assert keys == [(later.text[p.start:p.end], p.key) for p in mine]
    assert _memo_keys(later, mine) is keys
    first = align(later, SourceIndex(earlier))
    assert align(later, SourceIndex(earlier)) == first  # the same pairs, the keys read again
    assert reuse_material(later).kept(later.text).memo_keys is None


# my own reports of one testing centre over three years: a paragraph kept in every year, one that the
# latest report takes back from two years before (changed in between), one rewritten every year
_CENTRE = """某某检测中心{year}年度部门整体支出绩效自评报告
一、部门基本情况
本中心主要承担全县农产品质量安全抽检工作，内设综合科、检测科和质量科三个科室。
二、绩效目标完成情况
全年完成农产品抽检样品{samples}批次，抽检合格率为{rate}%，较上年有所提高。
三、存在的问题
{problem}
"""


def _centre(year: int, samples: int, rate: str, problem: str, name: str = ""):
    text = _CENTRE.format(year=year, samples=samples, rate=rate, problem=problem)
    return build_document(text, name or f"centre_{year}.txt")


def _rows_from_every_pair(doc, refs) -> list[tuple]:
    """What _aligned_rows keeps, computed the long way: the report aligned with every candidate, whole,
    and the most alike, most recent pairs of each paragraph kept."""
    from auditor.reuse.align import SourceIndex

    pairs = [(p, cand, (round(p.ratio, 2), cand.meta.year or 0))
             for cand in refs.candidates(doc) for p in align(doc, SourceIndex(cand))]
    best: dict[int, tuple] = {}
    for p, _, likeness in pairs:
        best[p.this.index] = max(best.get(p.this.index, (-1.0, -1)), likeness)
    return [(p.this.index, p.this_start, p.this_end, cand.path, p.source_start, p.source_end,
             features.pair_features(doc, cand, p, refs.shared_units(doc, p.this.key)))
            for p, cand, likeness in pairs if likeness == best[p.this.index]]


def test_paragraphs_kept_unchanged_from_the_latest_year_are_not_aligned_with_older_years(monkeypatch) -> None:
    """A paragraph that the latest candidate holds unchanged has its best pair there (likeness 1.00, the
    latest year): it is not aligned with the older candidates, and the rows are those of aligning every
    paragraph with every candidate (ties of the latest year kept, a paragraph taken back from an older
    year still found there)."""
    from auditor.reuse import align as align_module
    from auditor.reuse import references
    from auditor.reuse.references import ReferenceSet

    first = _centre(2022, 1200, "98.5", "个别检测设备老化，检测周期偏长。")
    middle = _centre(2023, 1350, "98.9", "检测人员数量不足，部分样品送检不及时。")
    filed_again = _centre(2023, 1350, "98.9", "检测人员数量不足，部分样品送检不及时。", "centre_2023_again.txt")
    latest = _centre(2024, 1200, "98.5", "个别检测设备老化，检测周期偏长。")  # figures and problem of 2022
    refs = ReferenceSet(documents=[first, middle, filed_again, latest])
    assert [d.meta.year for d in refs.candidates(latest)] == [2023, 2023, 2022]
    expected = _rows_from_every_pair(latest, ReferenceSet(documents=[first, middle, filed_again, latest]))

    asked: list[tuple[str, object]] = []
    real_align = align_module.align

    def recording(doc, source, only=None):
        asked.append((source.doc.path, only))
        return real_align(doc, source, only)

    monkeypatch.setattr(references, "align", recording)
    rows = [(p.this.index, p.this_start, p.this_end, cand.path, p.source_start, p.source_end, row)
            for p, cand, row in references._aligned_rows(latest, refs)]
    assert rows == expected
    by_source = dict(asked)
    assert by_source["centre_2023.txt"] is None and by_source["centre_2023_again.txt"] is None  # the latest: whole
    older = by_source["centre_2022.txt"]
    kept = {p.this.index for p in real_align(latest, align_module.SourceIndex(middle)) if round(p.ratio, 2) == 1.0}
    assert kept and older is not None and not (kept & set(older))  # settled paragraphs left out
    assert {index for index, _, _, path, *_ in rows if path == "centre_2022.txt"}  # the problem taken back from 2022
