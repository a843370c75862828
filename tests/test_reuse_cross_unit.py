"""RU506: a report made from another unit's is found in a batch (both directions, 2 and 40 reports) and
against --reference; different units' honest reports gain nothing high or medium from the batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.batch import audit
from auditor.engine import audit_file
from auditor.reuse.crossunit import foreign_names, unit_names
from corpora.generate import generate_corpus


@pytest.fixture(scope="module")
def honest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("honest")
    generate_corpus(folder, n_units=12, years=[2024], seed=23, inject_errors=True)
    return folder


def _renamed(honest: Path, out: Path, count: int) -> list[Path]:
    """``count`` reports made from the first report by putting other units' names and places in."""
    manifest = json.loads((honest / "manifest.json").read_text(encoding="utf-8"))
    first = manifest[0]
    text = (honest / first["path"]).read_text(encoding="utf-8")
    out.mkdir()
    paths = []
    for i, entry in enumerate(manifest[:count]):
        path = out / f"copy{i:02d}.txt"
        path.write_text(text.replace(first["unit"], entry["unit"]).replace(first["county"], entry["county"]),
                        encoding="utf-8")
        paths.append(path)
    return paths


def _ru506(batch) -> dict[str, list]:
    return {Path(r.path).name: [f for f in r.findings if f.rule == "RU506"] for r in batch.reports}


def _check_evidence(batch) -> None:
    texts = {r.path: r.document.text for r in batch.reports}
    for r in batch.reports:
        for f in r.findings:
            for e in f.evidence:
                source = texts[e.source] if e.source else r.document.text
                assert source[e.start:e.end] == e.text


def test_two_report_batch_finds_the_copy_both_ways(honest: Path, tmp_path: Path) -> None:
    original = honest / json.loads((honest / "manifest.json").read_text(encoding="utf-8"))[0]["path"]
    [copy] = _renamed(honest, tmp_path / "b", 2)[1:]
    batch = audit([original, copy], jobs=1, engine="inline")
    found = _ru506(batch)
    assert found[original.name] and found[copy.name], "both reports of the pair carry the finding"
    assert found[original.name][0].values["source"] == str(copy)
    assert found[copy.name][0].values["source"] == str(original)
    assert found[copy.name][0].values["identical_figures"] >= 3
    _check_evidence(batch)


def test_forty_unit_batch_finds_every_copy(honest: Path, tmp_path: Path) -> None:
    generate_corpus(tmp_path / "many", n_units=40, years=[2024], seed=23)
    paths = _renamed(tmp_path / "many", tmp_path / "forty", 40)
    batch = audit(paths, jobs=1, engine="inline")
    found = _ru506(batch)
    assert all(found[p.name] for p in paths), [n for n, f in found.items() if not f]
    assert all(f[0].values["other_units_matching"] >= 1 for f in found.values())


def test_against_a_reference_file(honest: Path, tmp_path: Path) -> None:
    original = honest / json.loads((honest / "manifest.json").read_text(encoding="utf-8"))[0]["path"]
    [copy] = _renamed(honest, tmp_path / "r", 2)[1:]
    batch = audit([copy], references=[original], jobs=1, engine="inline")
    [finding] = _ru506(batch)[copy.name]
    assert finding.values["source"] == str(original)
    assert any(e.source == str(original) for e in finding.evidence)


def test_identical_reports_are_duplicates_not_ru506(honest: Path, tmp_path: Path) -> None:
    original = honest / json.loads((honest / "manifest.json").read_text(encoding="utf-8"))[0]["path"]
    twin = tmp_path / "twin.txt"
    twin.write_bytes(original.read_bytes())
    batch = audit([original, twin], jobs=1, engine="inline")
    assert not any(_ru506(batch).values())


def test_honest_batch_of_different_units_adds_nothing_high_or_medium(honest: Path) -> None:
    batch = audit([honest], jobs=1, engine="inline")
    assert not any(_ru506(batch).values())

    def serious(findings) -> set:
        return {(f.rule, f.severity, f.message) for f in findings if f.severity in ("high", "medium")}

    for report in batch.reports:
        alone = audit_file(Path(report.path))
        assert serious(report.findings) <= serious(alone.findings), report.path


def test_foreign_name_only_in_sentences_about_own_work() -> None:
    from auditor.readers.text import build_document

    assert unit_names("宁山县水利局")[:2] == ["宁山县水利局", "宁山县"] or "宁山县" in unit_names("宁山县水利局")
    doc = build_document("2024年度阳城县水利局部门整体支出绩效自评报告\n一、情况\n本局在宁山县完成巡查12次。\n"
                         "宁山县水利局来我县交流。\n", "a.txt", "txt")
    other = build_document("2024年度宁山县水利局部门整体支出绩效自评报告\n一、情况\n本局完成巡查12次。\n", "b.txt", "txt")
    spans = foreign_names(doc, other)
    assert [doc.text[s:e] for s, e in spans] == ["宁山县"]
    assert spans[0][0] == doc.text.index("宁山县")


def test_aligning_only_paragraphs_with_shared_figures_finds_the_same(honest: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """copy_from aligns only the paragraphs stating a figure the other report states too: every pair of a
    batch with copies and honest reports gives what aligning every paragraph gives."""
    from auditor.engine import read_document
    from auditor.reuse import crossunit
    from auditor.reuse.align import align
    from auditor.reuse.text import passages

    copies = _renamed(honest, tmp_path / "c", 3)
    docs = [read_document(p) for p in [*copies, *sorted(honest.glob("*.txt"))[:6]]]

    def described(found):
        return None if found is None else (found.source.path, [(p.this_start, p.this_end, p.source_start,
                                                               p.source_end) for p in found.pairs],
                                           found.figures, found.names, found.characters)

    pairs = [(a, b) for a in docs for b in docs if a is not b]
    fast = [described(crossunit.copy_from(a, b)) for a, b in pairs]
    monkeypatch.setattr(crossunit, "ONLY_SHARED_FIGURES", False)
    every = [described(crossunit.copy_from(a, b)) for a, b in pairs]
    assert fast == every
    assert sum(f is not None for f in fast) >= 6  # the copies find each other
    assert sum(f is None for f in fast) >= 30  # and honest reports nothing

    # a copy whose paragraphs state one figure each: every one of them must still be aligned
    body = (
        "{unit}2024年度部门整体支出绩效自评报告\n一、部门基本情况\n"
        "{unit}负责全县河道巡查与堤防养护工作，本年度共组织汛前隐患排查行动37次，覆盖辖区全部重点河段。\n"
        "二、绩效目标完成情况\n"
        "围绕防汛物资储备目标，{unit}新购置编织袋与救生衣等物资共计4260件，已全部登记入库并定期盘点。\n"
        "在基层队伍建设方面，{unit}举办抢险技能轮训班，累计培训乡镇巡堤人员815人次，考核合格率较高。\n"
        "围绕信息化建设任务，{unit}在重点闸站新装视频监测点位29处，实现汛期全天候远程值守。\n"
        "三、存在的问题\n部分项目前期论证不够充分，资金拨付进度偏慢，下一步将加强预算执行的日常监控。\n")
    from auditor.readers.text import build_document

    one, other = (build_document(body.format(unit=u), f"{u}.txt", "txt") for u in ("东岭县水利局", "西川县水务局"))
    monkeypatch.setattr(crossunit, "ONLY_SHARED_FIGURES", True)
    found = crossunit.copy_from(one, other)
    assert found is not None and len(found.pairs) == 4 and len(found.figures) == 4

    # align(only=...) gives the pairs of those paragraphs exactly as aligning them all does
    doc, source = docs[0], docs[4]
    some = {p.index for p in passages(doc)[::2]}
    assert align(doc, source, only=some) == [p for p in align(doc, source) if p.this.index in some]
