"""The reference index, alignment offsets, the stale model artefact and the index CLI."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from auditor.analysis import Analysis
from auditor.errors import AuditorError
from auditor.readers.text import build_document
from auditor.reuse.align import align
from auditor.reuse.index import SHINGLE, ReuseIndex, shingle_table, shingles, signature
from auditor.reuse.model import DEFAULT_MODEL_PATH, load_model
from auditor.reuse.references import ReferenceSet, attach, copied_passages

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"


def _doc(text: str, path: str):
    return build_document(text, path, "txt")


def _report(year: int, unit: str, results: str, problems: str = "（一）专业力量薄弱，财务人员兼职承担绩效工作，对评价方法掌握不够全面。") -> str:
    return (f"{year}年度{unit}部门整体支出绩效自评报告\n一、部门整体支出绩效情况\n{results}\n"
            f"二、存在的问题及原因分析\n{problems}\n")


COPIED = "2023年，本局组织开展安全检查37次，整改隐患112处，培训一线人员860人次，群众满意率97.5%。"


def test_alignment_offsets_index_both_documents() -> None:
    old = _doc(_report(2023, "宁川县应急管理局", COPIED), "old.txt")
    new = _doc(_report(2024, "宁川县应急管理局", "本年度新增内容，前置一句。" + COPIED), "new.txt")
    pairs = [p for p in align(new, old) if "安全检查" in new.text[p.this_start:p.this_end]]
    [pair] = pairs
    assert new.text[pair.this_start:pair.this_end] == COPIED
    assert old.text[pair.source_start:pair.source_end] == COPIED


def test_shingles_and_signatures_are_deterministic() -> None:
    a = signature(shingles("绩效管理专业力量薄弱，财务人员兼职"))
    b = signature(shingles("绩效管理专业力量薄弱，财务人员兼职"))
    assert (a == b).all() and len(a) == 64


def _rolling_shingles(text: str, k: int = SHINGLE) -> set[int]:
    """The shingle hash written out one window at a time (the reference for the vectorised version)."""
    out = set()
    for i in range(len(text) - k + 1):
        h = 0
        for ch in text[i:i + k]:
            h = (h * 1000003 + ord(ch)) & 0xFFFFFFFF
        out.add(h)
    return out


def test_shingle_table_matches_one_window_at_a_time() -> None:
    texts = ["绩效管理专业力量薄弱", "", "四个字吧", "五个字符了", "财务人员兼职承担绩效工作#次", "ABC𠀋𠀋𠀋汉字"]
    ids, hashes = shingle_table(texts)
    for i, text in enumerate(texts):
        assert set(hashes[ids == i].tolist()) == _rolling_shingles(text), text
        assert set(shingles(text).tolist()) == _rolling_shingles(text)
    assert (ids[:-1] <= ids[1:]).all()


def test_signatures_estimate_jaccard() -> None:
    a = np.arange(0, 3000, dtype=np.uint64)
    b = np.arange(1000, 4000, dtype=np.uint64)  # Jaccard 2000/4000 = 0.5
    c = np.arange(10_000, 13_000, dtype=np.uint64)  # disjoint from a
    agree = lambda x, y: float((signature(x) == signature(y)).mean())  # noqa: E731
    assert 0.3 <= agree(a, b) <= 0.7
    assert agree(a, c) <= 0.1
    assert agree(a, a.copy()) == 1.0


def test_self_join_finds_what_the_lsh_query_finds() -> None:
    """A batch's own documents get their votes from the sparse self-join of the bands; a document
    from outside the index queries datasketch's LSH. Both must find the same pairs."""
    from auditor.engine import read_document

    docs = [read_document(p) for p in sorted(SAMPLE.glob("*.txt"))]
    docs += [_doc(_report(2023 + i % 2, f"宁川县第{i % 3}局", COPIED + f"另完成专项任务{i}项。"), f"g{i}.txt")
             for i in range(6)]
    index = ReuseIndex.build(docs)
    votes = index.own_votes()
    assert votes.nnz > len(docs), "the corpus shares paragraphs: the self-join must find pairs"
    for i, doc in enumerate(docs):
        row = votes.getrow(i)
        assert dict(zip(row.indices.tolist(), row.data.tolist())) == dict(index._outside_votes(doc)), doc.path


def test_votes_counted_a_block_of_paragraphs_at_a_time_are_the_same(monkeypatch) -> None:
    """A large batch counts each paragraph's neighbour documents a block of paragraphs at a time (the
    whole product does not fit): any block size gives the same votes."""
    import auditor.reuse.index as index_module
    from auditor.engine import read_document

    docs = [read_document(p) for p in sorted(SAMPLE.glob("*.txt"))]
    docs += [_doc(_report(2022 + i % 3, f"宁川县第{i % 4}局", COPIED + f"另完成专项任务{i}项。"), f"g{i}.txt")
             for i in range(9)]
    whole = ReuseIndex.build(docs).own_votes()
    assert len(ReuseIndex.build(docs).signature_ids) > 7, "enough paragraphs for several blocks"
    for rows in (1, 3, 7):
        monkeypatch.setattr(index_module, "_VOTE_ROWS", rows)
        blocked = ReuseIndex.build(docs).own_votes()
        assert (blocked != whole).nnz == 0 and blocked.dtype == whole.dtype


def test_template_shingles_are_those_of_enough_units_whatever_the_block(monkeypatch) -> None:
    """The template shingles (held by the paragraphs of at least ``min_units`` distinct units) are
    counted in place a block at a time, a range of hash values at a time: any block and range size gives
    what counting every (shingle, unit) pair at once gives, including runs of one shingle split across
    blocks."""
    import auditor.reuse.index as index_module

    rng = np.random.default_rng(7)
    # spread over the 32-bit range (the ranges split it), long runs of the small values, short of the large
    hashes = (rng.geometric(0.03, size=600) * 40_000_003 % (1 << 32)).astype(np.uint32)
    ids = rng.integers(0, 90, size=600).astype(np.int32)
    units = rng.integers(0, 12, size=90).astype(np.uint64)
    for min_units in (3, 5, 8):
        pairs = {(int(h), int(units[i])) for h, i in zip(hashes, ids)}
        per_shingle: dict[int, int] = {}
        for h, _ in pairs:
            per_shingle[h] = per_shingle.get(h, 0) + 1
        expected = sorted(h for h, n in per_shingle.items() if n >= min_units)
        assert 0 < len(expected) < len(per_shingle), "some shingles are templates and some are not"
        for block, partition in ((1, 1 << 22), (2, 50), (7, 1), (64, 200), (1 << 20, 1 << 22)):
            monkeypatch.setattr(index_module, "_BLOCK", block)
            monkeypatch.setattr(index_module, "_PARTITION", partition)
            found = index_module._template_shingles(hashes, ids, units, min_units)
            assert found.dtype == np.uint64 and found.tolist() == expected, (min_units, block, partition)


def test_membership_through_the_low_bits_table_is_that_of_the_set(monkeypatch) -> None:
    """``_member`` passes a value whose low bits some member has and searches only those: the answer is
    Python's ``in`` for every value, the members, values that share a member's low bits (they pass the
    table and must still be told apart) and values that share none, for any block size and dtype."""
    import auditor.reuse.index as index_module

    rng = np.random.default_rng(3)
    members = np.unique(rng.integers(0, 1 << 32, size=300, dtype=np.uint64))
    look_alikes = (members[:100] ^ np.uint64(1 << 30)) | np.uint64(1 << 31)  # same low 24 bits, not members
    others = rng.integers(0, 1 << 32, size=500, dtype=np.uint64)
    values = rng.permutation(np.concatenate((members, look_alikes, others)))
    wanted = set(members.tolist())
    expected = [v in wanted for v in values.tolist()]
    assert 0 < sum(expected) < len(expected) and not wanted & set(look_alikes.tolist())
    for dtype in (np.uint32, np.uint64):
        for block in (1, 7, 1 << 20):
            monkeypatch.setattr(index_module, "_BLOCK", block)
            got = index_module._member(values.astype(dtype), members.astype(dtype))
            assert got.dtype == bool and got.tolist() == expected, (dtype, block)
    assert not index_module._member(values, members[:0]).any()


def test_building_the_index_lets_each_sketch_go_once_copied() -> None:
    """The index copies the sketches' n-grams and shingles into its own arrays and drops each sketch as
    it goes (a large batch must not hold both): the list it reads is left empty of sketches, and the
    index is the one built from sketches that were all kept."""
    from auditor.reuse.index import _take_ngram_counts, _take_shingles, document_sketch, ngram_counts

    docs = [_doc(_report(2022 + i % 3, f"宁川县第{i % 4}局", COPIED + f"另完成专项任务{i}项。"), f"g{i}.txt")
            for i in range(6)]
    kept = [document_sketch(d) for d in docs]
    sketches = list(kept)
    counts = _take_ngram_counts(sketches)
    assert (counts != ngram_counts([(s.ngram_features, s.ngram_counts) for s in kept])).nnz == 0
    assert all(len(s.ngram_features) == 0 and s.shingle_hashes is k.shingle_hashes for s, k in zip(sketches, kept))
    key_hashes, ids, hashes = _take_shingles(sketches)
    assert sketches == [None] * len(kept)
    assert key_hashes.tolist() == np.concatenate([k.key_hashes for k in kept]).tolist()
    offsets = np.cumsum([0] + [len(k.key_hashes) for k in kept])
    assert ids.dtype == np.int32 and ids.tolist() == np.concatenate(
        [k.shingle_ids + o for k, o in zip(kept, offsets)]).tolist()
    assert hashes.tolist() == np.concatenate([k.shingle_hashes for k in kept]).tolist()


def test_index_round_trip_and_query(tmp_path: Path) -> None:
    docs = [_doc(_report(2023, f"宁川县第{i}局", f"2023年，本局完成专项任务{i}项，走访企业{i * 7}家，办结事项{i * 3}件。"), f"r{i}.txt")
            for i in range(1, 6)]
    index = ReuseIndex.build(docs)
    path = tmp_path / "refs.idx"
    index.save(path)
    loaded = ReuseIndex.load(path)
    query = _doc(_report(2024, "宁川县第3局", "2023年，本局完成专项任务3项，走访企业21家，办结事项9件。"), "q.txt")
    hits = loaded.query(query, k=3)
    assert hits and loaded.documents[hits[0][0]].path == "r3.txt"


def test_index_version_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "old.idx"
    path.write_bytes(pickle.dumps({"version": 0}))
    with pytest.raises(AuditorError) as info:
        ReuseIndex.load(path)
    assert info.value.code == "index-version"


def test_model_artefact_has_heldout_metrics() -> None:
    model = load_model(str(DEFAULT_MODEL_PATH))
    assert model.source != "fallback", "auditor/reuse/stale_passage.joblib should be committed"
    assert model.metrics["heldout_auroc"] >= 0.95


def test_sample_corpus_copy_is_found_with_batch_references() -> None:
    import json

    from auditor.engine import read_document

    manifest = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
    docs = {e["path"]: read_document(SAMPLE / e["path"]) for e in manifest}
    refs = ReferenceSet(documents=list(docs.values()))
    for entry in manifest:
        analysis = Analysis(docs[entry["path"]])
        attach(analysis, refs)
        stale = [p for p in copied_passages(analysis) if p.stale]
        for copy in entry["copies"]:
            start, end = copy["this_offset"], copy["this_offset"] + copy["this_length"]
            assert any(p.this_start <= start and end <= p.this_end for p in stale), (entry["path"], copy)
        if not entry["copies"]:
            assert all(p.this_end - p.this_start < 30 for p in stale), entry["path"]


def test_index_cli_builds(tmp_path: Path) -> None:
    from auditor.index_cli import index_app

    out = tmp_path / "sample.idx"
    result = CliRunner().invoke(index_app, ["build", str(SAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(ReuseIndex.load(out).documents) == 6
    result = CliRunner().invoke(index_app, ["build", str(tmp_path / "nope"), "-o", str(out)])
    assert result.exit_code == 2


_ACTIVITIES = ["组织防汛演练", "修缮乡村道路", "开展普法宣传", "培训基层干部", "检查食品安全", "整治河道垃圾",
               "走访困难群众", "推进档案数字化", "维护办公设备", "更新公共图书", "巡查森林防火", "调解邻里纠纷",
               "建设智慧平台", "采购应急物资"]


def test_many_reports_of_one_unit_are_capped_and_the_copy_still_found() -> None:
    """Twenty-one earlier reports of the same unit: only MAX_SAME_UNIT of them (chosen by year and by the
    paragraphs they share, so the one the new report copies is among them even when it comes last) plus
    the index's few best are aligned."""
    from auditor.reuse.references import MAX_SAME_UNIT

    unit = "宁川县应急管理局"
    earlier = [_doc(_report(2023, unit, f"2023年，本局{a}工作扎实推进，{_ACTIVITIES[(i + 3) % 14]}共计完成若干批次，"
                                        f"{_ACTIVITIES[(i + 7) % 14]}得到群众普遍认可。"), f"old{i}.txt")
               for i, a in enumerate(_ACTIVITIES + _ACTIVITIES[:6])]
    earlier.append(_doc(_report(2023, unit, COPIED), "copied_from.txt"))
    new = _doc(_report(2024, unit, "本年度工作概述如下。\n" + COPIED), "new.txt")
    refs = ReferenceSet(documents=[new, *earlier])
    candidates = refs.candidates(new)
    assert len(candidates) <= MAX_SAME_UNIT + refs.max_candidates
    assert len(candidates) < len(earlier)
    assert "copied_from.txt" in [d.path for d in candidates[:MAX_SAME_UNIT]]
    analysis = Analysis(new)
    attach(analysis, refs)
    stale = [p for p in copied_passages(analysis) if p.stale]
    assert [p.source_path for p in stale] == ["copied_from.txt"]


def test_lsh_bands_are_those_datasketch_chooses() -> None:
    from datasketch import MinHashLSH

    from auditor.reuse.index import LSH_BANDS, LSH_THRESHOLD, NUM_PERM

    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    assert LSH_BANDS == (lsh.b, lsh.r)


def test_pair_cosines_computed_beforehand_in_threads_are_those_the_queries_compute(tmp_path: Path,
                                                                                  monkeypatch) -> None:
    """``compute_pair_cosines(jobs)`` computes every voted pair's cosine in threads before the queries:
    the values are bit for bit those the queries compute one document after another, every query gives
    the same candidates, and the products ran in other threads than this one. Threads that run out of
    memory leave the cosines to the queries, with the same results."""
    import threading

    from corpora.generate import generate_corpus

    import auditor.reuse.index as index_module
    from auditor.engine import read_document

    generate_corpus(tmp_path, n_units=20, years=[2022, 2023, 2024], seed=3, reuse_pairs=True)
    docs = [read_document(p) for p in sorted(tmp_path.glob("*.txt"))]
    lazy = ReuseIndex.build(docs)
    expected = [lazy.query(d, k=6, exclude={d.path}) for d in docs]
    lazy_cosines, _ = lazy._pair_cosines(lazy.own_votes())

    monkeypatch.setattr(index_module, "_PARALLEL_PAIRS", 1)
    threads: set[int] = set()
    real_products, real_pair_products = index_module._row_products, index_module._pair_products

    def traced_products(*args):
        threads.add(threading.get_ident())
        return real_products(*args)

    def traced_pair_products(*args):
        threads.add(threading.get_ident())
        return real_pair_products(*args)

    monkeypatch.setattr(index_module, "_row_products", traced_products)
    monkeypatch.setattr(index_module, "_pair_products", traced_pair_products)
    eager = ReuseIndex.build(docs)
    eager.compute_pair_cosines(jobs=2)
    assert threads and threading.get_ident() not in threads, "computed in other threads"
    votes = eager.own_votes()
    cosines, _ = eager._pair_cosines(votes)
    rows = np.repeat(np.arange(votes.shape[0]), np.diff(votes.indptr))
    assert not np.isnan(cosines[votes.indices != rows]).any(), "every pair of two documents computed"
    computed = ~np.isnan(cosines)
    assert np.array_equal(cosines[computed].view(np.uint32), lazy_cosines[computed].view(np.uint32))
    threads.clear()
    assert [eager.query(d, k=6, exclude={d.path}) for d in docs] == expected
    assert not threads, "the queries only read the cosines"
    taken: list = []
    real_getitem = type(eager.matrix).__getitem__

    def counted_getitem(matrix, key):
        taken.append(key)
        return real_getitem(matrix, key)

    monkeypatch.setattr(type(eager.matrix), "__getitem__", counted_getitem)
    assert [eager.query(d, k=6, exclude={d.path}) for d in docs] == expected
    assert not taken, "nor do they take a document's TF-IDF row"

    def out_of_memory(*args):
        if threading.get_ident() != main_thread:
            raise MemoryError
        return real_products(*args)

    def pairs_out_of_memory(*args):
        if threading.get_ident() != main_thread:
            raise MemoryError
        return real_pair_products(*args)

    main_thread = threading.get_ident()
    monkeypatch.setattr(index_module, "_row_products", out_of_memory)
    monkeypatch.setattr(index_module, "_pair_products", pairs_out_of_memory)
    short = ReuseIndex.build(docs)
    short.compute_pair_cosines(jobs=2)  # the threads run out of memory: the queries compute the cosines
    assert [short.query(d, k=6, exclude={d.path}) for d in docs] == expected


def test_each_pair_cosine_is_computed_once_and_found_from_both_sides(tmp_path: Path) -> None:
    """A large batch ranks a document's voted documents by TF-IDF cosine. The self-join is symmetric,
    so a pair's cosine, computed when the first of the two is queried, is kept for the second."""
    from corpora.generate import generate_corpus

    from auditor.engine import read_document
    from auditor.reuse.index import _FULL_COSINE_MAX, _dense

    generate_corpus(tmp_path, n_units=20, years=[2022, 2023, 2024], seed=3, reuse_pairs=True)
    docs = [read_document(p) for p in sorted(tmp_path.glob("*.txt"))]
    assert len(docs) > _FULL_COSINE_MAX
    index = ReuseIndex.build(docs)
    votes = index.own_votes()
    pattern = votes.copy()
    pattern.data[:] = 1
    assert (pattern != pattern.T).nnz == 0, "the self-join is symmetric"
    computed_rows = 0
    real_getitem = type(index.matrix).__getitem__

    def counting_getitem(matrix, key):
        nonlocal computed_rows
        if isinstance(key, np.ndarray):
            computed_rows += len(key)
        return real_getitem(matrix, key)

    type(index.matrix).__getitem__ = counting_getitem
    try:
        for own in range(len(docs)):
            pool = np.sort(votes.indices[votes.indptr[own]:votes.indptr[own + 1]].astype(np.int64))
            expected = real_getitem(index.matrix, pool) @ _dense(real_getitem(index.matrix, own)).copy()
            found = index._own_cosines(own, real_getitem(index.matrix, own), pool)
            assert np.allclose(found, expected, rtol=1e-5, atol=1e-6), docs[own].path
    finally:
        type(index.matrix).__getitem__ = real_getitem
    pairs_off_diagonal = (votes.nnz - len(docs)) // 2
    assert pairs_off_diagonal > 0, "the reports share paragraphs"
    assert computed_rows <= votes.nnz - pairs_off_diagonal  # each pair once, and each document with itself
    cosines, _ = index._pair_cosines(votes)
    assert not np.isnan(cosines).any()


def test_a_batch_document_is_ranked_among_its_voted_ones_as_by_the_merge_of_votes_and_cosines(tmp_path: Path) -> None:
    """A batch document's query ranks its voted documents on arrays aligned with its self-join row: the
    same candidates and scores as merging the votes with the cosine of the ``2k`` nearest in
    :func:`_ranked`, for every document, several ``k``, with and without a year bound."""
    from corpora.generate import generate_corpus

    from auditor.engine import read_document
    from auditor.reuse.index import _FULL_COSINE_MAX, _ranked

    generate_corpus(tmp_path, n_units=20, years=[2022, 2023, 2024], seed=5, reuse_pairs=True)
    docs = [read_document(p) for p in sorted(tmp_path.glob("*.txt"))]
    assert len(docs) > _FULL_COSINE_MAX
    index = ReuseIndex.build(docs)
    votes = index.own_votes()
    ranked_any = 0
    for own, doc in enumerate(docs):
        for k, max_year in ((3, None), (6, 2023), (1, 2022)):
            ids = votes.indices[votes.indptr[own]:votes.indptr[own + 1]].astype(np.int64)
            counts = votes.data[votes.indptr[own]:votes.indptr[own + 1]]
            wanted = index._wanted(ids, doc, {doc.path}, max_year)
            voted, voted_counts = ids[wanted], counts[wanted]
            pool = np.sort(voted)
            sims = index._own_cosines(own, None, pool)
            cosine = {int(pool[j]): float(sims[j]) for j in np.argsort(-sims, kind="stable")[: k * 2]}
            expected = _ranked(voted, voted_counts, cosine, k)
            assert index.query(doc, k=k, exclude={doc.path}, max_year=max_year) == expected, (doc.path, k)
            ranked_any += len(expected) > 1
    assert ranked_any  # some queries had several candidates to order


def test_ranking_on_arrays_is_the_ranking_of_the_definition() -> None:
    """Votes plus cosine, then document id; a document without a vote needs a cosine of 0.5."""
    from auditor.reuse.index import _ranked

    rng = np.random.default_rng(11)
    for _ in range(300):
        voted = rng.choice(500, size=int(rng.integers(0, 30)), replace=False).astype(np.int64)
        counts = rng.integers(1, 5, len(voted)).astype(np.int32)
        pool = rng.choice(500, size=int(rng.integers(0, 12)), replace=False)
        cosine = {int(j): float(np.float32(rng.random())) for j in pool if j not in set(voted.tolist())}
        cosine.update({int(j): float(np.float32(rng.random())) for j in voted[: int(rng.integers(0, 4))]})
        k = int(rng.integers(1, 8))
        votes = dict(zip(voted.tolist(), counts.tolist()))
        expected = []
        for doc_id in set(votes) | set(cosine):
            if votes.get(doc_id, 0) == 0 and cosine.get(doc_id, 0.0) < 0.5:
                continue
            expected.append((doc_id, votes.get(doc_id, 0) + cosine.get(doc_id, 0.0)))
        expected.sort(key=lambda t: (-t[1], t[0]))
        assert _ranked(voted, counts, cosine, k) == expected[:k]


def test_ngram_counts_are_kept_small_and_read_back_exactly() -> None:
    """A batch holds every report's n-gram counts until its index is built: they are stored in the
    smallest unsigned type that holds them, and the count matrix is the same as from float counts."""
    from auditor.reuse.index import ngram_counts, ngram_row

    plain = "本单位全年开展业务培训十二期。" * 3
    repeated = "经费" * 300 + "结余"  # one bigram 300 times: more than a byte holds
    rows = [ngram_row(plain), ngram_row(repeated), ngram_row("")]
    assert rows[0][1].dtype == np.uint8 and rows[1][1].dtype == np.uint16
    assert int(rows[1][1].max()) == 300
    matrix = ngram_counts(rows)
    as_float = ngram_counts([(f, c.astype(np.float32)) for f, c in rows])
    assert matrix.dtype == np.float32 and (matrix != as_float).nnz == 0
    assert matrix.sum() == sum(float(c.sum()) for _, c in rows)


def test_row_products_in_blocks_are_the_whole_products_bit_for_bit() -> None:
    """``_row_products`` copies ``_PRODUCT_ROWS`` rows at a time (a bounded temporary); each row's
    product is the same float32 as in one product over all the rows asked for, whatever the block."""
    from scipy import sparse

    from auditor.reuse import index as index_module

    rng = np.random.default_rng(7)
    matrix = sparse.random(3 * index_module._PRODUCT_ROWS + 5, 2_000, density=0.05, format="csr",
                           dtype=np.float32, random_state=rng)
    dense = rng.random(2_000, dtype=np.float32)
    rows = rng.permutation(matrix.shape[0])[: 2 * index_module._PRODUCT_ROWS + 17].astype(np.int64)
    blocked = index_module._row_products(matrix, rows, dense)
    whole = matrix[rows] @ dense
    assert len(rows) > index_module._PRODUCT_ROWS  # the blocked path
    assert blocked.dtype == whole.dtype == np.float32
    assert blocked.tobytes() == whole.tobytes()


def test_pair_products_of_several_documents_are_their_row_products_bit_for_bit() -> None:
    """``_pair_products`` computes the pairs of several documents at once, over a dense block of only the
    columns they use: each pair is the same float32 as ``_row_products`` gives for the partner's row and
    the document's whole vector, with partners asked for twice, by several documents, or sharing no
    column with them, an empty row on either side, more partners than ``_PRODUCT_ROWS``, and matrices
    narrower and wider than the index's (the column table grows to the widest)."""
    from scipy import sparse

    from auditor.reuse import index as index_module

    rng = np.random.default_rng(5)
    n_rows = 2 * index_module._PRODUCT_ROWS + 40
    for width in (2_000, index_module.NGRAM_FEATURES, index_module.NGRAM_FEATURES + 4_096):
        matrix = sparse.random(n_rows, width, density=0.002 if width < 100_000 else 0.0004, format="csr",
                               dtype=np.float32, random_state=rng)
        holders = np.arange(0, n_rows, 2)  # a column half the rows hold (the first of a block's columns)
        first_column = sparse.csr_matrix((rng.random(len(holders), dtype=np.float32),
                                          (holders, np.zeros(len(holders)))), shape=matrix.shape)
        matrix = sparse.vstack([matrix + first_column, sparse.csr_matrix((1, width), dtype=np.float32)]).tocsr()
        empty = n_rows  # the last row holds nothing
        owner = np.r_[np.repeat([4, 7, 12], 60), [empty] * 5, [4, 4]].astype(np.int32)
        partner = np.r_[rng.integers(0, n_rows, 180), rng.integers(0, n_rows, 5), [empty, 9]].astype(np.int32)
        found = index_module._pair_products(matrix, owner, partner)
        expected = np.array([index_module._row_products(matrix, np.array([p], dtype=np.int64),
                                                        matrix[int(o)].toarray().ravel())[0]
                             for o, p in zip(owner, partner)], dtype=np.float32)
        assert len(np.unique(partner)) > index_module._PRODUCT_ROWS  # partner rows in several copies
        assert found.dtype == np.float32 and found.shape == expected.shape
        assert (expected != 0).sum() > 10 and (expected == 0).sum() > 10, width  # shared columns and none
        assert found.tobytes() == expected.tobytes(), width
        table = index_module._COLUMNS.table
        assert len(table) >= width and (table == -1).all(), "the column table is left empty for the next block"


def test_the_reused_dense_vector_holds_only_the_row_asked_for() -> None:
    """``_dense`` writes each row into one buffer kept for the thread and clears only the entries the
    row before it wrote: whatever came before, it is the row's ``toarray()``."""
    import threading

    from scipy import sparse

    from auditor.reuse import index as index_module

    rng = np.random.default_rng(11)
    rows = sparse.random(6, index_module.NGRAM_FEATURES, density=0.002, format="csr", dtype=np.float32,
                         random_state=rng)
    rows = sparse.vstack([rows, sparse.csr_matrix((1, index_module.NGRAM_FEATURES), dtype=np.float32)]).tocsr()
    seen = []

    def run() -> None:
        for i in (0, 1, 6, 2, 2, 5):  # overlapping rows, an empty one, the same one twice
            seen.append((i, index_module._dense(rows[i]).copy()))

    thread = threading.Thread(target=run)  # a fresh thread: its own buffer, made by the first call
    thread.start()
    thread.join()
    assert len(seen) == 6
    for i, vector in seen:
        assert np.array_equal(vector, rows[i].toarray().ravel())


def test_a_query_leaves_out_its_own_and_the_excluded_documents_however_many(tmp_path: Path) -> None:
    """``_wanted`` bars the querying document and the excluded paths (compared one by one when they are
    few, with np.isin when many) and keeps the years asked for: the mask of a plain reading, both ways."""
    from corpora.generate import generate_corpus

    from auditor.engine import read_document

    generate_corpus(tmp_path, n_units=4, years=[2022, 2023, 2024], seed=5, reuse_pairs=True)
    docs = [read_document(p) for p in sorted(tmp_path.glob("*.txt"))]
    index = ReuseIndex.build(docs)
    ids = np.arange(len(index.documents), dtype=np.int64)
    paths = [d.path for d in docs]
    for doc in docs:
        for excluded in (set(), set(paths[:2]), set(paths[3:9])):
            for max_year in (None, 2023):
                mask = index._wanted(ids, doc, excluded, max_year)
                expected = [index.documents[i].path not in excluded | {doc.path}
                            and (max_year is None or index.documents[i].year is None
                                 or index.documents[i].year <= max_year) for i in ids.tolist()]
                assert mask.tolist() == expected
    assert len(set(paths[3:9])) > 4  # the np.isin branch is taken


def test_signatures_computed_in_threads_are_those_of_one_thread(monkeypatch) -> None:
    """``signature_table`` in several threads, in chunks of whole groups of any size, gives the table of
    one thread bit for bit; the threads are used when there are chunks to share."""
    import threading

    import auditor.reuse.index as index_module

    rng = np.random.default_rng(4)
    ids = np.sort(rng.integers(0, 700, 20_000))
    hashes = rng.integers(0, 2**32, 20_000, dtype=np.uint64).astype(np.uint32)
    expected_ids, expected = index_module.signature_table(ids, hashes)
    seen: set[int] = set()
    real_reduceat = np.minimum.reduceat

    class Traced:
        @staticmethod
        def reduceat(*args, **kwargs):
            seen.add(threading.get_ident())
            return real_reduceat(*args, **kwargs)

    for chunk in (1 << 21, 3_000, 1):  # one chunk a thread, several, one group each
        monkeypatch.setattr(index_module, "_CHUNK", chunk)
        for threads in (1, 2, 3):
            got_ids, got = index_module.signature_table(ids, hashes, threads=threads)
            assert np.array_equal(got_ids, expected_ids) and np.array_equal(got, expected), (chunk, threads)
    monkeypatch.setattr(index_module.np, "minimum", Traced)
    index_module.signature_table(ids, hashes, threads=2)
    assert seen and threading.get_ident() not in seen
