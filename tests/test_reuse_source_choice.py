"""The source of a copied paragraph is chosen among its aligned pairs (the most alike, then the most
recent, then stale and score): pairs that cannot be chosen are neither described nor scored, and what the
rules read is exactly what scoring every pair gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.readers.text import build_document
from auditor.reuse import references as references_module
from auditor.reuse.align import align
from auditor.reuse.features import pair_facts, pair_features
from auditor.reuse.references import ReferenceSet, ScoredPair, align_with_references, merge_scored, prescore
from corpora.generate import generate_corpus

# One invented unit over three years, in our own words: the 2024 report keeps a paragraph of both
# earlier years word for word (equally alike: the more recent is the source), one of 2022 only, and
# updates another.
_TITLE = "青溪街道社区服务中心{year}年度部门整体支出绩效自评报告\n"
_SHARED = "中心围绕居家养老开展上门探访服务，全年组织志愿者探访独居老人420人次，建立关爱台账一户一档。\n"
_OLD_ONLY = "2022年，中心开办老年课堂12期，参加学员共计360人次，课程覆盖书法、合唱和防诈骗知识。\n"
_UPDATED = "{year}年，中心完成社区食堂改造{n}处，日均就餐老人{m}人，群众满意度达到{s}%。\n"


def _report(year: int, *parts: str) -> str:
    return _TITLE.format(year=year) + "一、基本情况\n" + "".join(parts) + "二、存在的问题\n部分志愿者服务技能不足，台账更新不够及时。\n"


def _unit_documents() -> list:
    texts = {
        2022: _report(2022, _SHARED, _OLD_ONLY, _UPDATED.format(year=2022, n=2, m=85, s=95)),
        2023: _report(2023, _SHARED, _UPDATED.format(year=2023, n=3, m=96, s=96)),
        2024: _report(2024, _SHARED, _OLD_ONLY, _UPDATED.format(year=2024, n=4, m=110, s=97)),
    }
    return [build_document(text, f"青溪_{year}.txt") for year, text in texts.items()]


def _scoring_every_pair(doc, refs: ReferenceSet) -> list:
    """What align_with_references gave before pairs were left out: every pair described and scored."""
    model = refs.model
    rows = [(p, cand, pair_features(doc, cand, p, refs.shared_units(doc, p.this.key)))
            for cand in refs.candidates(doc) for p in align(doc, refs.source(cand))]
    scores = model.score([row for _, _, row in rows])
    best: dict[int, ScoredPair] = {}
    for (p, cand, row), score in zip(rows, scores):
        sp = ScoredPair(p, cand, score, row, pair_facts(doc, cand, p), model.threshold)
        prev = best.get(p.this.index)
        if prev is None or references_module._preference(sp) > references_module._preference(prev):
            best[p.this.index] = sp
    return merge_scored([best[i] for i in sorted(best)]), len(rows)


def _described(passages: list) -> list:
    return [(p.this_start, p.this_end, p.source_path, p.source_start, p.source_end, p.stale, p.score,
             [(q.this_start, q.this_end, q.ratio) for q in p.pairs]) for p in passages]


def _compare(docs: list) -> tuple[int, int]:
    """(pairs described by the auditor, pairs there are) over ``docs``, each checked against scoring every pair."""
    described = every = 0
    for doc in docs:
        fresh = ReferenceSet(documents=docs)
        fresh.model = fresh.model or references_module.load_model()
        expected, count = _scoring_every_pair(doc, fresh)
        every += count
        refs = ReferenceSet(documents=docs)
        prescore([doc], refs)
        described += len(refs._scored[doc.path][1])
        assert _described(align_with_references(doc, refs)) == _described(expected), doc.path
    return described, every


def test_the_source_is_the_most_alike_then_the_most_recent_and_the_others_are_not_scored() -> None:
    docs = _unit_documents()
    latest = docs[-1]
    refs = ReferenceSet(documents=docs)
    shared_at = latest.text.index(_SHARED[:10])
    old_at = latest.text.index(_OLD_ONLY[:10])
    sources = {p.this_start: p.source_path for p in align_with_references(latest, refs)}
    assert sources[shared_at] == "青溪_2023.txt"  # in both years word for word: the more recent
    assert sources[old_at] == "青溪_2022.txt"  # only 2022 has it
    described, every = _compare(docs)
    assert described < every  # the shared paragraph's 2022 pair, among others, was left out


def test_leaving_pairs_out_changes_nothing_on_generated_reports(tmp_path: Path) -> None:
    generate_corpus(tmp_path, n_units=6, years=[2021, 2022, 2023], seed=11, inject_errors=True)
    docs = [build_document(p.read_text(encoding="utf-8"), p.name) for p in sorted(tmp_path.glob("*.txt"))]
    if len(docs) < 12:
        pytest.fail(f"the generator made {len(docs)} reports")
    described, every = _compare(docs)
    assert 0 < described < every
