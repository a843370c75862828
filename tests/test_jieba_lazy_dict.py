"""jieba's dictionary read lazily from the on-disk index (auditor/nlp/jieba_dict.py) segments exactly
like the whole dictionary loaded in memory, and a missing, stale, corrupt or unwritable index only
means the whole load."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from auditor.extract import subjects
from auditor.nlp import jieba_dict
from auditor.nlp.jieba_dict import (INDEX_NAME, WORDS_NAME, LazyFreq, build_index, make_tokenizer, open_index,
                                    read_words, write_words)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
REAL = ROOT.parent / "shared" / "real"

# Written for this test: domain words of the user dictionary, synonyms, figures, mixed scripts.
OWN_SENTENCES = [
    "本年度共召开常委会会议六次、主任会议十一次，审议通过地方性法规草案三件。",
    "人代会期间收到代表建议批评和意见二百一十件，已全部按期办结，满意率为百分之九十七。",
    "项目支出预算执行率达到98.6%，较上年提高2.1个百分点，结余资金按规定收回财政。",
    "开展基层立法联系点调研走访，组织座谈会12场，听取群众意见建议460余条。",
    "绩效目标设定不够细化量化，部分指标如“群众满意度≥90%”缺少测算依据。",
    "年初预算数1,234.56万元，全年预算数1300万元，全年执行数1288.9万元。",
    "深入推进法治政府建设，完善重大行政决策程序，落实公平竞争审查制度。",
    "The office spent 42 万元 on IT运维 and 2024年 software licences (SaaS).",
    "下一步，我们将进一步加强预算绩效管理，提高财政资金使用效益。",
    "主任会审议了关于2025年度部门预算草案的报告",
]


def _texts(folder: Path, limit: int | None = None) -> list[str]:
    paths = sorted(folder.glob("*.txt"))[:limit] if folder.is_dir() else []
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths]


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory) -> Path:
    """An XDG cache home whose auditor folder holds jieba's cache and the index, built here once
    (the first tokenizer loads the whole dictionary and writes the index)."""
    home = tmp_path_factory.mktemp("xdg-cache")
    folder = home / "auditor"
    folder.mkdir()
    first = make_tokenizer(str(folder), lazy=True)
    assert isinstance(first.FREQ, dict)  # nothing to read lazily yet: the whole load
    assert (folder / INDEX_NAME).is_file()
    return home


@pytest.fixture(scope="module")
def folder(cache_home: Path) -> str:
    return str(cache_home / "auditor")


@pytest.fixture(scope="module")
def pair(folder: str):
    """(lazy, full) tokenizers built as the auditor builds its own (domain words added)."""
    saved = jieba_dict.FULL_AFTER_READS
    jieba_dict.FULL_AFTER_READS = None  # stays lazy whatever the volume (the switch is tested on its own)
    try:
        lazy = subjects._new_tokenizer(folder, lazy=True)
    finally:
        jieba_dict.FULL_AFTER_READS = saved
    assert isinstance(lazy.FREQ, LazyFreq)
    full = subjects._new_tokenizer(folder, lazy=False)
    assert isinstance(full.FREQ, dict)
    return lazy, full


def test_lazy_table_has_the_whole_dictionarys_total_and_entries(pair) -> None:
    lazy, full = pair
    assert lazy.total == full.total
    for word in ("常委会会议", "预算", "执行率", "人代会", "不在词典里的词ＸＹ"):
        assert (word in lazy.FREQ) == (word in full.FREQ)
        assert lazy.FREQ.get(word) == full.FREQ.get(word)
        assert lazy.FREQ.get(word, 1) == full.FREQ.get(word, 1)


@pytest.mark.parametrize("hmm", [False, True])
def test_own_sentences_and_seeds_segment_identically(pair, hmm: bool) -> None:
    lazy, full = pair
    texts = OWN_SENTENCES + _texts(SEEDS)
    for text in texts:
        assert lazy.lcut(text, HMM=hmm) == full.lcut(text, HMM=hmm)
    assert lazy.lcut_for_search(OWN_SENTENCES[0]) == full.lcut_for_search(OWN_SENTENCES[0])


def test_lazy_tokenizers_own_loops_give_jiebas_dag_and_route(pair) -> None:
    """The lazy tokenizer reads the table through its memo in its own get_DAG and calc: the DAG and the
    route (floats compared exactly) are those of jieba's code run on the same tokenizer."""
    import jieba

    lazy, _ = pair
    assert type(lazy).get_DAG is not jieba.Tokenizer.get_DAG  # the own loops are the ones tested here
    pieces = [text[start:start + width] for text in OWN_SENTENCES + _texts(SEEDS, 2)
              for start in range(0, len(text), 7) for width in (1, 5, 23)]
    pieces += ["", "ＸＹＺ不在词典", "人大常委会会议会议会议"]
    for piece in pieces:
        own_dag, jieba_dag = lazy.get_DAG(piece), jieba.Tokenizer.get_DAG(lazy, piece)
        assert own_dag == jieba_dag, piece
        own_route, jieba_route = {}, {}
        lazy.calc(piece, own_dag, own_route)
        jieba.Tokenizer.calc(lazy, piece, jieba_dag, jieba_route)
        assert own_route == jieba_route, piece


def test_every_real_report_segments_identically(pair) -> None:
    texts = _texts(REAL)
    if not texts:
        pytest.skip(f"{REAL} is absent: the real reports are not shipped with the repository")
    lazy, full = pair
    for text in texts:
        assert lazy.lcut(text, HMM=False) == full.lcut(text, HMM=False)


_CLAIM_SUBJECTS = """
import json, sys
from pathlib import Path
from auditor.nlp import jieba_dict
jieba_dict.FULL_AFTER_READS = None
jieba_dict.use_full_dictionary(sys.argv[1] == "full")
from auditor.analysis import Analysis
from auditor.engine import read_document
from auditor.extract import subjects
found = {p: [(c.mention.start, c.subject) for c in Analysis(read_document(Path(p))).claims] for p in sys.argv[2:]}
print(json.dumps({"freq": type(subjects._get_tokenizer().FREQ).__name__, "subjects": found}, ensure_ascii=False))
"""


def test_claim_subjects_are_identical_with_lazy_and_full_dictionary(cache_home: Path) -> None:
    """What `auditor claims` lists (Analysis(doc).claims), in two fresh processes: no cache of
    either tokenizer can leak into the other."""
    paths = [str(p) for p in sorted(SEEDS.glob("*.txt"))]
    if REAL.is_dir():
        paths += [str(p) for p in sorted(REAL.glob("*.txt"))]
    if not paths:
        pytest.skip(f"neither {SEEDS} nor {REAL} is present")
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    runs = {}
    for mode in ("lazy", "full"):
        done = subprocess.run([sys.executable, "-c", _CLAIM_SUBJECTS, mode, *paths], env=env, cwd=ROOT,
                              capture_output=True, text=True, check=True)
        runs[mode] = json.loads(done.stdout)
    assert runs["lazy"]["freq"] == "LazyFreq" and runs["full"]["freq"] == "dict"
    assert sum(len(v) for v in runs["full"]["subjects"].values()) > 0
    assert runs["lazy"]["subjects"] == runs["full"]["subjects"]


def test_user_words_added_later_go_to_the_overlay(pair, folder: str) -> None:
    lazy = make_tokenizer(folder, lazy=True)
    full = make_tokenizer(folder, lazy=False)
    sentence = "推进数字孪生治理平台建设"
    assert lazy.lcut(sentence, HMM=False) == full.lcut(sentence, HMM=False)
    for tok in (lazy, full):
        tok.add_word("数字孪生治理平台", 3000)
        tok.del_word("建设")
    assert lazy.lcut(sentence, HMM=False) == full.lcut(sentence, HMM=False)
    assert "数字孪生治理平台" in lazy.lcut(sentence, HMM=False)
    assert lazy.total == full.total
    assert lazy.FREQ["数字孪"] == full.FREQ["数字孪"] == 0  # a prefix of the new word
    # the overlay is part of the table: listing it gives the same entries as the full dict
    assert len(lazy.FREQ) == len(full.FREQ)


def test_many_reads_switch_to_the_whole_dictionary(folder: str) -> None:
    lazy = make_tokenizer(folder, lazy=True, full_after=200)
    full = make_tokenizer(folder, lazy=False)
    lazy.add_word("数字孪生治理平台", 3000)
    full.add_word("数字孪生治理平台", 3000)
    table = lazy.FREQ
    assert isinstance(table, LazyFreq)
    text = "".join(OWN_SENTENCES) + "推进数字孪生治理平台建设"
    assert lazy.lcut(text, HMM=False) == full.lcut(text, HMM=False)
    assert table.is_full and type(lazy.FREQ) is dict  # the tokenizer now holds the plain dict
    assert lazy.FREQ["数字孪生治理平台"] == 3000
    assert lazy.lcut(text, HMM=False) == full.lcut(text, HMM=False)
    assert table.get("数字孪生治理平台") == 3000


def test_a_lookup_that_fails_in_use_falls_back_to_the_whole_dictionary(folder: str) -> None:
    lazy = make_tokenizer(folder, lazy=True)
    full = make_tokenizer(folder, lazy=False)
    table = lazy.FREQ

    def broken(word: str) -> int | None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    table._lookup = broken
    assert lazy.lcut(OWN_SENTENCES[2], HMM=False) == full.lcut(OWN_SENTENCES[2], HMM=False)
    assert table.is_full and lazy.total == full.total


def _segment_in_child(tokenizer, text: str, queue) -> None:
    queue.put(tokenizer.lcut(text, HMM=False))


def test_a_forked_child_reads_the_index_on_its_own_connection(pair) -> None:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    lazy, full = pair
    lazy.lcut(OWN_SENTENCES[0], HMM=False)  # the parent's connection is open
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_segment_in_child, args=(lazy, OWN_SENTENCES[5], queue))
    child.start()
    tokens = queue.get(timeout=60)
    child.join(60)
    assert child.exitcode == 0
    assert tokens == full.lcut(OWN_SENTENCES[5], HMM=False)


# --- the index file: rebuilt when stale, ignored when damaged, never an error --------------------

@pytest.fixture()
def own_folder(tmp_path: Path, folder: str) -> Path:
    """A cache folder of this test's own, with the shared folder's jieba cache (a quick whole load)."""
    (tmp_path / "jieba.cache").write_bytes((Path(folder) / "jieba.cache").read_bytes())
    return tmp_path


def _tokens_match_full(tokenizer, folder: str) -> None:
    full = make_tokenizer(folder, lazy=False)
    for text in OWN_SENTENCES:
        assert tokenizer.lcut(text, HMM=False) == full.lcut(text, HMM=False)


def test_missing_index_is_built_then_used(own_folder: Path, folder: str) -> None:
    first = make_tokenizer(str(own_folder), lazy=True)
    assert isinstance(first.FREQ, dict) and (own_folder / INDEX_NAME).is_file()
    second = make_tokenizer(str(own_folder), lazy=True)
    assert isinstance(second.FREQ, LazyFreq)
    _tokens_match_full(second, folder)
    assert not [p.name for p in own_folder.iterdir() if p.name.endswith(".tmp")]


def test_index_is_rebuilt_when_jiebas_dictionary_changes(own_folder: Path, monkeypatch) -> None:
    make_tokenizer(str(own_folder), lazy=True)  # builds the index
    index = own_folder / INDEX_NAME
    built = index.stat().st_ino
    real_key = jieba_dict.dictionary_key()
    changed = dict(real_key, dict_size=str(int(real_key["dict_size"]) + 1))
    assert open_index(str(index), real_key) is not None
    assert open_index(str(index), changed) is None  # stale: another dictionary file
    monkeypatch.setattr(jieba_dict, "dictionary_key", lambda: changed)
    rebuilt = make_tokenizer(str(own_folder), lazy=True)
    assert isinstance(rebuilt.FREQ, dict)  # the whole load, and a new index
    assert index.stat().st_ino != built
    assert open_index(str(index), changed) is not None
    assert isinstance(make_tokenizer(str(own_folder), lazy=True).FREQ, LazyFreq)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other_table"])
def test_corrupt_index_means_the_whole_load_and_a_new_index(own_folder: Path, folder: str, damage: str) -> None:
    make_tokenizer(str(own_folder), lazy=True)
    index = own_folder / INDEX_NAME
    data = index.read_bytes()
    if damage == "garbage":
        index.write_bytes(b"\x00not an index\xff" * 1000)
    elif damage == "truncated":
        index.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        index.write_bytes(b"")
    else:
        index.unlink()
        with sqlite3.connect(index) as connection:
            connection.execute("CREATE TABLE meta (k TEXT, v TEXT)")
        connection.close()
    assert open_index(str(index), jieba_dict.dictionary_key()) is None
    tokenizer = make_tokenizer(str(own_folder), lazy=True)
    assert isinstance(tokenizer.FREQ, dict)
    _tokens_match_full(tokenizer, folder)
    assert open_index(str(index), jieba_dict.dictionary_key()) is not None  # rebuilt


def test_unwritable_cache_folder_means_the_whole_load(own_folder: Path, folder: str, monkeypatch) -> None:
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)  # as in a read-only folder (root ignores chmod)
    tokenizer = make_tokenizer(str(own_folder), lazy=True)
    assert isinstance(tokenizer.FREQ, dict)
    assert not (own_folder / INDEX_NAME).exists()
    _tokens_match_full(tokenizer, folder)
    # and no cache folder at all (subjects gives None when ~/.cache/auditor cannot be written)
    assert isinstance(make_tokenizer(None, lazy=True).FREQ, dict)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_cache_folder_means_the_whole_load(own_folder: Path, folder: str) -> None:
    own_folder.chmod(0o555)
    try:
        tokenizer = make_tokenizer(str(own_folder), lazy=True)
        assert isinstance(tokenizer.FREQ, dict)
        assert not (own_folder / INDEX_NAME).exists()
        _tokens_match_full(tokenizer, folder)
    finally:
        own_folder.chmod(0o755)


def test_concurrent_builders_leave_one_whole_index(own_folder: Path) -> None:
    base = make_tokenizer(str(own_folder), lazy=False)
    key = jieba_dict.dictionary_key()
    path = str(own_folder / INDEX_NAME)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(build_index(path, base.FREQ, base.total, key)))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True, True, True]
    assert open_index(path, key) is not None
    assert sorted(p.name for p in own_folder.iterdir() if p.name != "jieba.cache") == [INDEX_NAME, WORDS_NAME]


def test_a_build_killed_midway_leaves_nothing_for_long(own_folder: Path) -> None:
    abandoned = own_folder / ".jieba_freq-killed.tmp"
    recent = own_folder / ".jieba_freq-running.tmp"
    abandoned.write_bytes(b"half an index")
    recent.write_bytes(b"another builder, still writing")
    os.utime(abandoned, (0, 0))
    base = make_tokenizer(str(own_folder), lazy=False)
    assert build_index(str(own_folder / INDEX_NAME), base.FREQ, base.total, jieba_dict.dictionary_key())
    assert not abandoned.exists() and recent.exists()


def test_full_dictionary_when_asked(folder: str) -> None:
    try:
        jieba_dict.use_full_dictionary()
        assert not jieba_dict.lazy_wanted()
        assert isinstance(make_tokenizer(folder).FREQ, dict)
    finally:
        jieba_dict.use_full_dictionary(False)
    assert jieba_dict.lazy_wanted()
    assert isinstance(make_tokenizer(folder).FREQ, LazyFreq)


# --- the word file: jieba's whole dictionary, loaded quickly ---------------------------------------

def _jiebas_own_load(folder: str):
    from auditor.runner.startup import import_jieba

    tokenizer = import_jieba().Tokenizer()
    tokenizer.tmp_dir = folder
    tokenizer.initialize()
    return tokenizer


def test_whole_load_writes_the_word_file_then_reads_it_identically(own_folder: Path) -> None:
    first = make_tokenizer(str(own_folder), lazy=False)  # jieba's own load, which writes the file
    assert (own_folder / WORDS_NAME).is_file()
    (own_folder / "jieba.cache").unlink()  # the second load can only come from the word file
    second = make_tokenizer(str(own_folder), lazy=False)
    assert not (own_folder / "jieba.cache").exists()
    jiebas = _jiebas_own_load(str(own_folder))
    assert second.initialized and second.total == jiebas.total == first.total
    assert list(second.FREQ.items()) == list(jiebas.FREQ.items())  # the same entries, in the same order
    for text in OWN_SENTENCES:
        assert second.lcut(text, HMM=False) == jiebas.lcut(text, HMM=False)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "longer", "empty", "stale", "count"])
def test_a_damaged_or_stale_word_file_is_ignored_and_rewritten(own_folder: Path, damage: str) -> None:
    make_tokenizer(str(own_folder), lazy=False)
    path = own_folder / WORDS_NAME
    key = jieba_dict.dictionary_key()
    data = path.read_bytes()
    head, _, body = data.partition(b"\n")
    header = json.loads(head)
    if damage == "garbage":
        path.write_bytes(b"\x00not a word file\xff" * 100)
    elif damage == "truncated":
        path.write_bytes(data[: len(data) - 8])
    elif damage == "longer":
        path.write_bytes(data + b"\x00" * 8)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "stale":
        header["dict_size"] = str(int(header["dict_size"]) + 1)
        path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    else:  # a header whose count disagrees with the words (the sizes still add up)
        header["count"] += 1
        header["words_bytes"] -= 8
        path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    assert read_words(str(path), key) is None
    tokenizer = make_tokenizer(str(own_folder), lazy=False)
    assert tokenizer.FREQ == _jiebas_own_load(str(own_folder)).FREQ
    assert read_words(str(path), key) is not None  # rewritten by the whole load


def test_word_file_refuses_a_word_with_a_line_break(tmp_path: Path) -> None:
    key = jieba_dict.dictionary_key()
    path = tmp_path / WORDS_NAME
    assert not write_words(str(path), {"预算": 3, "执行\n率": 1}, 4, key)
    assert not path.exists() and not list(tmp_path.iterdir())
    assert write_words(str(path), {"预算": 3, "预": 0, "执行率": 1}, 4, key)
    assert read_words(str(path), key) == ({"预算": 3, "预": 0, "执行率": 1}, 4)
