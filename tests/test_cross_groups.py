"""Near-identical submissions in the cross-report phase: grouped, their shared paragraphs aligned with
each reference once (``align.SourceIndex.aligned``), and findings identical to checking every
member on its own."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from auditor.reuse import align as align_module
from auditor.rules import all_rules
from auditor.runner.cross import compare_with_references, grouped_order, near_identical_groups
from auditor.runner.worker import audit_task, received
from corpora.generate import generate_corpus

# Invented reports of one unit (two years) in our own words; the batch gets near-identical copies of them.
_OWN_2022 = (
    "松石镇文化服务中心2022年度部门整体支出绩效自评报告\n"
    "一、部门基本情况\n"
    "2022年，中心组织送戏下乡演出36场，举办农民书画培训14期，接待群众阅览2100人次。\n"
    "全年预算数88.40万元，其中：基本支出52.10万元，项目支出36.30万元。\n"
    "二、绩效目标完成情况\n"
    "2022年完成村级文化室提升改造5个，群众满意度达到96%。\n"
    "三、存在的问题\n"
    "部分村级文化室设备老化，专业文艺骨干数量不足。\n"
    "四、下一步改进措施\n"
    "加强文艺骨干培养，逐步更新村级文化室设备。\n"
)
_OWN_2023 = (
    "松石镇文化服务中心2023年度部门整体支出绩效自评报告\n"
    "一、部门基本情况\n"
    "2023年，中心组织送戏下乡演出36场，举办农民书画培训16期，接待群众阅览2100人次。\n"
    "全年预算数91.20万元，其中：基本支出53.00万元，项目支出38.20万元。\n"
    "二、绩效目标完成情况\n"
    "2022年完成村级文化室提升改造5个，群众满意度达到96%。\n"
    "三、存在的问题\n"
    "部分村级文化室设备老化，专业文艺骨干数量不足。\n"
    "四、下一步改进措施\n"
    "加强文艺骨干培养，逐步更新村级文化室设备。\n"
)


def _with_line(text: str, line: str) -> str:
    """``text`` with one line of its own inserted after the title (a copy filed again, one line changed)."""
    title, rest = text.split("\n", 1)
    return f"{title}\n{line}\n{rest}"


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> list:
    """Phase 1 of a batch (as a worker ships it): generated reports of 40 units for 2022 and 2023 with
    errors injected, near-identical copies of four of their 2023 reports, and the invented unit's two
    years with two near-identical copies of its 2023 report."""
    folder = tmp_path_factory.mktemp("groups")
    generate_corpus(folder, n_units=40, years=[2022, 2023], seed=7, inject_errors=True)
    (folder / "manifest.json").unlink(missing_ok=True)
    latest = sorted(p for p in folder.glob("*.txt") if "2023" in p.read_text(encoding="utf-8").split("\n", 1)[0])
    for n, path in enumerate(latest[:4]):
        copy = _with_line(path.read_text(encoding="utf-8"), f"（本件为第{n + 2}次报送，内容未作改动）")
        (folder / f"zz_copy_{n}.txt").write_text(copy, encoding="utf-8")
    (folder / "own_2022.txt").write_text(_OWN_2022, encoding="utf-8")
    (folder / "own_2023.txt").write_text(_OWN_2023, encoding="utf-8")
    (folder / "own_2023_again.txt").write_text(_with_line(_OWN_2023, "（重新报送）"), encoding="utf-8")
    (folder / "own_2023_third.txt").write_text(
        _OWN_2023.replace("接待群众阅览2100人次", "接待群众阅览2150人次"), encoding="utf-8")
    results = [audit_task(str(p), None, False, True) for p in sorted(folder.glob("*.txt"))]
    return pickle.dumps(results)


def _cross(batch: bytes, share: bool, jobs: int, monkeypatch) -> tuple[list, list]:
    """The batch's findings after the cross phase (every field, as the exact JSON has them), and the
    documents, with the alignment memo on or off."""
    monkeypatch.setattr(align_module, "SHARE_ALIGNMENTS", share)
    reports = [received(r) for r in pickle.loads(batch)]
    compare_with_references(reports, all_rules(), jobs=jobs)
    findings = [(r.path, [f.to_dict(exact=True) for f in r.findings]) for r in reports]
    return findings, [r.document for r in reports]


def test_shared_alignments_give_the_findings_of_checking_each_member_alone(batch, monkeypatch) -> None:
    reused: list[align_module.SourceIndex] = []
    real_init = align_module.SourceIndex.__init__

    def recording_init(self, source) -> None:
        real_init(self, source)
        reused.append(self)

    monkeypatch.setattr(align_module.SourceIndex, "__init__", recording_init)
    alone, _ = _cross(batch, share=False, jobs=1, monkeypatch=monkeypatch)
    assert sum(s.reused for s in reused) == 0
    reused.clear()
    shared, docs = _cross(batch, share=True, jobs=1, monkeypatch=monkeypatch)
    assert sum(s.reused for s in reused) > 0  # the copies' paragraphs were taken, not aligned again
    assert shared == alone
    # the copies are flagged (RU5xx findings with their earlier report), evidence exact in their own
    # text (and in the earlier report's for the evidence quoted from it)
    texts = {d.path: d.text for d in docs}
    copied = [(path, f) for path, found in shared for f in found
              if f["rule"].startswith("RU5") and Path(path).name.startswith(("zz_copy_", "own_2023"))]
    assert copied
    for path, f in copied:
        for e in f["evidence"]:
            assert texts[e["source"] or path][e["start"]:e["end"]] == e["text"]


def test_forked_grouped_checks_give_the_findings_of_checking_each_member_alone(batch, monkeypatch) -> None:
    alone, _ = _cross(batch, share=False, jobs=1, monkeypatch=monkeypatch)
    forked, _ = _cross(batch, share=True, jobs=2, monkeypatch=monkeypatch)
    assert forked == alone


def test_children_replaced_in_waves_give_the_same_findings(batch, monkeypatch, tmp_path: Path) -> None:
    """The forked cross-phase processes are replaced by fresh ones every few chunks (their private
    memory grows with every chunk); how the chunks fall into waves changes no finding."""
    import os

    import auditor.runner.cross as cross

    log = tmp_path / "children.txt"
    real_check = cross.check_chunk

    def recording_check(*args):
        with open(log, "a", encoding="ascii") as handle:  # each child appends its process id
            handle.write(f"{os.getpid()}\n")
        return real_check(*args)

    alone, _ = _cross(batch, share=True, jobs=1, monkeypatch=monkeypatch)
    monkeypatch.setattr(cross, "check_chunk", recording_check)
    monkeypatch.setattr(cross, "_SCORE_CHUNK", 2)
    monkeypatch.setattr(cross, "_CHUNKS_PER_CHILD", 1)
    waves, _ = _cross(batch, share=True, jobs=2, monkeypatch=monkeypatch)
    chunks = log.read_text(encoding="ascii").split()
    assert os.getpid() not in map(int, chunks)  # every chunk was checked in a child
    assert len(chunks) > 4 and len(set(chunks)) == len(chunks)  # one chunk per child: a fresh one each time
    assert waves == alone
    log.unlink()
    monkeypatch.setattr(cross, "_CHUNKS_PER_CHILD", 1000)
    one_wave, _ = _cross(batch, share=True, jobs=2, monkeypatch=monkeypatch)
    children = log.read_text(encoding="ascii").split()
    assert len(children) > 4 and len(set(children)) == 2  # two children for every chunk
    assert one_wave == alone


def test_the_checks_run_with_the_cross_phase_collector_thresholds(batch, monkeypatch, tmp_path: Path) -> None:
    """The reference rules run with the collector's thresholds raised, here and in the forked
    processes (which inherit them); they are given back afterwards, and no finding depends on them."""
    import gc
    import os

    import auditor.runner.cross as cross

    log = tmp_path / "thresholds.txt"
    real_check = cross.check_chunk

    def recording_check(*args):
        with open(log, "a", encoding="ascii") as handle:
            handle.write(f"{os.getpid()} {' '.join(map(str, gc.get_threshold()))}\n")
        return real_check(*args)

    before = gc.get_threshold()
    monkeypatch.setattr(cross, "_CROSS_GC_THRESHOLDS", before)
    defaults, _ = _cross(batch, share=True, jobs=1, monkeypatch=monkeypatch)
    monkeypatch.setattr(cross, "_CROSS_GC_THRESHOLDS", (50_000, 20, 20))
    monkeypatch.setattr(cross, "check_chunk", recording_check)
    for jobs in (1, 2):
        raised, _ = _cross(batch, share=True, jobs=jobs, monkeypatch=monkeypatch)
        assert raised == defaults
        assert gc.get_threshold() == before
    lines = [line.split() for line in log.read_text(encoding="ascii").splitlines()]
    assert {tuple(map(int, line[1:])) for line in lines} == {(50_000, 20, 20)}
    assert {int(line[0]) == os.getpid() for line in lines} == {True, False}  # here and in the children


def test_near_identical_copies_form_one_group(batch) -> None:
    from auditor.reuse.references import ReferenceSet

    reports = [received(r) for r in pickle.loads(batch)]
    docs = [r.document for r in reports]
    refs = ReferenceSet.for_batch(docs)
    groups = near_identical_groups(docs, refs)
    assert sorted(i for g in groups for i in g) == list(range(len(docs)))  # each document once
    names = [[Path(docs[i].path).name for i in g] for g in groups]
    own = next(g for g in names if "own_2023.txt" in g)
    assert sorted(own) == ["own_2023.txt", "own_2023_again.txt", "own_2023_third.txt"]
    assert all(len(g) == 2 for g in names if any(n.startswith("zz_copy_") for n in g))
    assert not any("own_2022.txt" in g and len(g) > 1 for g in names)  # an earlier year is no copy


def test_grouped_order_moves_members_after_their_first_member() -> None:
    assert grouped_order([5, 1, 4, 0, 3, 2], [[0, 5], [1], [2, 4], [3]]) == [5, 0, 1, 4, 2, 3]


def _best_by_string_sets(index, key: str) -> tuple[int, float] | None:
    """The seed search as sets of n-gram strings and a vote count (the definition the arrays implement)."""
    from collections import Counter

    same = index.exact.get(key)
    if same is not None:
        return same, 1.0
    grams = align_module._grams(key)
    votes = Counter(j for j, p in enumerate(index.passages) for _ in grams & align_module._grams(p.key))
    if not votes:
        return None
    shared = max(votes.values())
    share = shared / max(1, len(grams))
    return (min(j for j, v in votes.items() if v == shared), share) if share >= align_module.MIN_SEED_SHARE else None


def test_the_array_seed_search_finds_what_the_string_sets_find(batch) -> None:
    from auditor.reuse.text import passages

    docs = [received(r).document for r in pickle.loads(batch)]
    for doc in docs:
        doc.unpack()
    checked = 0
    for k, source in enumerate(docs[::7]):
        index = align_module.SourceIndex(source)
        for doc in docs[k::11]:
            mine = passages(doc)
            found = index.best_many(align_module.passage_grams(doc), list(range(len(mine))))
            some = list(range(1, len(mine), 3))  # a part of the keys (the others aligned before)
            assert index.best_many(align_module.passage_grams(doc), some) == {n: found[n] for n in some}
            for n, p in enumerate(mine):
                expected = _best_by_string_sets(index, p.key)
                got = index.best(p.key)
                assert got == expected, (doc.path, source.path, p.key)
                if p.key not in index.exact:
                    assert found[n] == expected
                checked += 1
    assert checked > 1000
    # short keys (one gram, the key itself) and characters beyond the BMP are encoded exactly
    short = align_module.SourceIndex(docs[0])
    for key in ("短句", "𠀀𠀁𠀂𠀃𠀄𠀅𠀆", "a", "全年组织培训"):
        assert short.best(key) == _best_by_string_sets(short, key)
