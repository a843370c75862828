"""The batch runner: parallel isolated workers, store and resume, duplicate groups, progress."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.batch import (BatchReport, BatchUsageError, audit_task, run_batch, text_fingerprint)
from auditor.batch import audit

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DUPLICATE_FIELDS = ("duplicate_group", "duplicate_of", "duplicate_kind")


def report_text(unit: str, year: int, total: str, basic: str, project: str, meetings: int = 12) -> str:
    """A small synthetic department report; total != basic + project makes AR101 fire."""
    return (f"{year}年度{unit}部门整体支出绩效自评报告\n"
            "一、部门基本情况\n"
            f"本单位全年召开工作例会{meetings}次，组织业务培训6期，走访服务对象420人次。\n"
            "二、一般公共预算支出情况\n"
            f"全年预算数{total}万元，其中：基本支出{basic}万元，项目支出{project}万元。\n"
            "三、下一步工作\n"
            "继续加强预算管理，提高资金使用效益。\n"
            f"{unit}\n")


def write_corpus(folder: Path, count: int) -> list[Path]:
    """``count`` distinct reports, every third with a sum that does not add up."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        basic, project = 50 + i, 30 + i
        total = basic + project + (7 if i % 3 == 0 else 0)
        path = folder / f"r{i:03d}.txt"
        path.write_text(report_text(f"示例县第{i}档案馆", 2024, f"{total}.00", f"{basic}.00", f"{project}.00"),
                        encoding="utf-8")
        paths.append(path)
    return paths


def comparable(batch_dict: dict, drop_duplicates: bool = True) -> dict:
    data = json.loads(json.dumps(batch_dict, ensure_ascii=False))
    if drop_duplicates:
        for report in data["reports"]:
            for key in DUPLICATE_FIELDS:
                report.pop(key, None)
    return data


# ---------------------------------------------------------------- tasks run in the workers
# Top-level, so that they pickle by reference into the isolated workers.


def misbehaving_task(path: str, *args):
    """Audits normally, except files named hang* (never return), crash* (the process dies)
    and bomb* (allocate far beyond the memory limit)."""
    name = Path(path).name
    if name.startswith("hang"):
        time.sleep(600)
    if name.startswith("crash"):
        os._exit(3)
    if name.startswith("bomb"):
        hog = bytearray(8 * 1024**3)
        return hog
    return audit_task(path, *args)


def slow_task(path: str, *args):
    time.sleep(0.15)
    return audit_task(path, *args)


CALLS: list[str] = []


def counting_task(path: str, *args):
    CALLS.append(Path(path).name)
    return audit_task(path, *args)


# ---------------------------------------------------------------- same results as the engine


def test_process_pool_matches_the_single_process_engine(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 8)
    (tmp_path / "in" / "missing-link.txt").write_text("", encoding="utf-8")  # empty: an error report
    expected = audit([tmp_path / "in"])
    batch = run_batch([tmp_path / "in"], jobs=2)
    assert all(isinstance(r, BatchReport) for r in batch.reports)
    assert comparable(batch.to_dict()) == comparable(expected.to_dict())
    flagged = [r.path for r in batch.reports if any(f.rule == "AR101" for f in r.findings)]
    assert sorted(Path(p).name for p in flagged) == ["r000.txt", "r003.txt", "r006.txt"]
    errors = [r for r in batch.reports if r.error]
    assert [Path(r.path).name for r in errors] == ["missing-link.txt"]
    assert errors[0].rank == len(batch.reports)  # errors rank last, but are never dropped


def test_inline_engine_matches_process_engine(tmp_path: Path) -> None:
    write_corpus(tmp_path, 4)
    inline = run_batch([tmp_path], engine="inline")
    pooled = run_batch([tmp_path], jobs=2)
    assert comparable(inline.to_dict(), False) == comparable(pooled.to_dict(), False)


def test_rule_selection_is_applied_in_workers(tmp_path: Path) -> None:
    write_corpus(tmp_path, 3)
    only_ar103 = run_batch([tmp_path], jobs=1, rules=["AR103"])
    assert all(f.rule in {"AR103", "IN001"} for r in only_ar103.reports for f in r.findings)
    none_selected = run_batch([tmp_path], jobs=1, rules=["ZZ"])
    assert all(not r.findings for r in none_selected.reports)


# ---------------------------------------------------------------- isolation


def test_a_hanging_crashing_or_exploding_file_costs_that_file_only(tmp_path: Path) -> None:
    write_corpus(tmp_path, 4)
    for n, name in enumerate(("hang.txt", "crash.txt", "bomb.txt")):  # distinct bytes: no grouping
        (tmp_path / name).write_text(report_text(f"示例县坏文件{n}馆", 2024, "1.00", "1.00", "0.00"),
                                     encoding="utf-8")
    # 10 s per file: a worker's first file also pays the worker's imports
    batch = run_batch([tmp_path], jobs=2, task=misbehaving_task, timeout_s=10,
                      memory_bytes=1536 * 1024**2)
    by_name = {Path(r.path).name: r for r in batch.reports}
    assert len(by_name) == 7
    assert by_name["hang.txt"].error.code == "timeout"
    assert by_name["crash.txt"].error.code == "worker-crashed"
    assert by_name["bomb.txt"].error.code == "memory-limit"
    for name in ("hang.txt", "crash.txt", "bomb.txt"):
        assert by_name[name].error.message  # a Chinese explanation for the auditor
        assert by_name[name].to_dict()["error"]["code"] == by_name[name].error.code
    good = [r for name, r in by_name.items() if name.startswith("r")]
    assert all(r.error is None and r.unit for r in good)
    assert sum(1 for r in good for f in r.findings if f.rule == "AR101") == 2


# ---------------------------------------------------------------- store and resume


def test_store_holds_every_finished_file_and_resume_redoes_nothing(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 5)
    store = tmp_path / "run.sqlite"
    first = run_batch([tmp_path / "in"], jobs=2, store=store)
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 5
    CALLS.clear()
    again = run_batch([tmp_path / "in"], engine="inline", store=store, resume=True, task=counting_task)
    assert CALLS == []
    assert comparable(again.to_dict(), False) == comparable(first.to_dict(), False)


def test_resume_redoes_changed_files_and_other_rule_selections(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "in", 4)
    store = tmp_path / "run.sqlite"
    run_batch([tmp_path / "in"], engine="inline", store=store)
    paths[1].write_text(report_text("示例县改动馆", 2024, "9.00", "4.00", "4.00"), encoding="utf-8")
    CALLS.clear()
    batch = run_batch([tmp_path / "in"], engine="inline", store=store, resume=True, task=counting_task)
    assert CALLS == ["r001.txt"]
    changed = next(r for r in batch.reports if r.path.endswith("r001.txt"))
    assert changed.unit == "示例县改动馆" and any(f.rule == "AR101" for f in changed.findings)
    CALLS.clear()
    run_batch([tmp_path / "in"], engine="inline", store=store, resume=True, rules=["AR101"],
              task=counting_task)
    assert sorted(CALLS) == ["r000.txt", "r001.txt", "r002.txt", "r003.txt"]


def test_without_resume_a_store_is_written_but_not_read(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 2)
    store = tmp_path / "run.sqlite"
    run_batch([tmp_path / "in"], engine="inline", store=store)
    CALLS.clear()
    run_batch([tmp_path / "in"], engine="inline", store=store, task=counting_task)
    assert sorted(CALLS) == ["r000.txt", "r001.txt"]


def test_resumed_reports_keep_values_messages_and_documents(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 3)
    store = tmp_path / "run.sqlite"
    fresh = run_batch([tmp_path / "in"], engine="inline", store=store, keep_documents=True)
    resumed = run_batch([tmp_path / "in"], engine="inline", store=store, resume=True, keep_documents=True)
    for a, b in zip(fresh.reports, resumed.reports):
        assert a.path == b.path
        assert a.findings == b.findings  # Decimal values and English messages included
        assert a.document.text == b.document.text
        assert comparable(a.to_dict("en"), False) == comparable(b.to_dict("en"), False)


_KILLED_RUN = """
import sys
sys.path[:0] = [{tests!r}, {root!r}]
from test_batch import slow_task
from auditor.batch import run_batch
run_batch([{folder!r}], jobs=1, store={store!r}, task=slow_task, rules=["AR"])
"""


def test_a_killed_run_resumes_and_loses_nothing(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 16)
    store = tmp_path / "run.sqlite"
    script = _KILLED_RUN.format(tests=str(TESTS), root=str(ROOT), folder=str(tmp_path / "in"), store=str(store))
    process = subprocess.Popen([sys.executable, "-c", script], start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        done = 0
        while done < 4 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            if store.exists():
                try:
                    with sqlite3.connect(store) as db:
                        done = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
                except sqlite3.OperationalError:
                    done = 0
        assert process.poll() is None, process.stderr.read().decode()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    with sqlite3.connect(store) as db:
        finished_before = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    assert 4 <= finished_before < 16
    CALLS.clear()
    # an explicit rule selection: other tests may register extra rules in this process
    resumed = run_batch([tmp_path / "in"], engine="inline", store=store, resume=True, task=counting_task,
                        rules=["AR"])
    assert len(CALLS) == 16 - finished_before
    uninterrupted = run_batch([tmp_path / "in"], engine="inline", rules=["AR"])
    assert comparable(resumed.to_dict(), False) == comparable(uninterrupted.to_dict(), False)


# ---------------------------------------------------------------- identical submissions


def _write_docx(path: Path, text: str) -> None:
    from docx import Document

    document = Document()
    for line in text.rstrip("\n").split("\n"):
        document.add_paragraph(line)
    document.save(str(path))


def test_identical_submissions_are_grouped_and_none_is_lost(tmp_path: Path) -> None:
    text = report_text("示例县方志馆", 2024, "100.00", "60.00", "50.00")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "report.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b" / "same-bytes.txt").write_text(text, encoding="utf-8")
    _write_docx(tmp_path / "b" / "as-word.docx", text)
    (tmp_path / "b" / "one-digit-changed.txt").write_text(text.replace("420人次", "421人次"), encoding="utf-8")
    (tmp_path / "b" / "other.txt").write_text(report_text("示例县图书馆", 2024, "9.00", "5.00", "4.00"),
                                              encoding="utf-8")
    CALLS.clear()
    batch = run_batch([tmp_path / "a", tmp_path / "b"], engine="inline", task=counting_task)
    assert sorted(CALLS) == ["as-word.docx", "one-digit-changed.txt", "other.txt", "report.txt"]
    by_name = {Path(r.path).name: r for r in batch.reports}
    assert len(by_name) == 5
    head, copy_, word = by_name["report.txt"], by_name["same-bytes.txt"], by_name["as-word.docx"]
    assert head.duplicate_group == copy_.duplicate_group == word.duplicate_group == "G1"
    assert head.duplicate_of is None
    assert copy_.duplicate_of == word.duplicate_of == head.path
    assert copy_.duplicate_kind == "same-bytes" and word.duplicate_kind == "same-text"
    for name in ("one-digit-changed.txt", "other.txt"):
        assert by_name[name].duplicate_group is None and by_name[name].duplicate_of is None
    # every member keeps its own full report, under its own path
    assert [f.rule for f in copy_.findings] == [f.rule for f in head.findings] == ["AR101"]
    assert copy_.findings is not head.findings
    assert word.format == "docx" and any(f.rule == "AR101" for f in word.findings)
    as_json = {Path(r["path"]).name: r for r in batch.to_dict()["reports"]}
    assert as_json["same-bytes.txt"]["duplicate_of"] == head.path
    assert as_json["other.txt"]["duplicate_group"] is None


def test_text_fingerprint_ignores_layout_but_not_content() -> None:
    base = "一、基本情况\n全年预算数100万元。\n\t项目\n\t金额\n\n"
    assert text_fingerprint(base) == text_fingerprint(base.replace("\n", "\r\n") + "[bookmark: _GoBack]\n")
    assert text_fingerprint(base) == text_fingerprint("一、基本情况 全年预算数１００万元。项目 金额")
    assert text_fingerprint(base) != text_fingerprint(base.replace("100", "101"))


def test_text_fingerprint_is_its_definition() -> None:
    """The fingerprint keys stored results (resume, duplicates): it stays SHA-256 of the text NFKC-normalised,
    residue and every whitespace character (``\\s``) dropped, however it is computed."""
    import hashlib
    import random
    import re
    import unicodedata

    def by_definition(text: str) -> str:
        normal = unicodedata.normalize("NFKC", text)
        normal = re.sub(r"\s+", "", re.sub(r"\[bookmark:[^\]]*\]", "", normal))
        return hashlib.sha256(normal.encode("utf-8")).hexdigest()

    blanks = [chr(c) for c in range(0x110000) if re.fullmatch(r"\s", chr(c))]
    pool = blanks + list("一、基本情况全年预算数１００万元，。（）：％100[bookmark: _Toc1]ｶﾞ①㎡")
    rng = random.Random(5)
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 60))) for _ in range(500)]
    texts += ["[bookmark:x]正文", "正文[bookmark: 未闭合", "\u3000\u00a0\u2028\x1c全年\x85"]
    for text in texts:
        assert text_fingerprint(text) == by_definition(text), ascii(text)


# ---------------------------------------------------------------- progress and options


def test_quiet_by_default_when_stderr_is_not_a_terminal(tmp_path: Path, capfd) -> None:
    write_corpus(tmp_path, 2)
    run_batch([tmp_path], engine="inline")
    assert capfd.readouterr().err == ""


def test_options_that_do_not_fit_together() -> None:
    with pytest.raises(BatchUsageError, match="--store"):
        run_batch(["x"], resume=True)
    with pytest.raises(BatchUsageError, match="--scheduler"):
        run_batch(["x"], engine="dask")
    with pytest.raises(BatchUsageError, match="引擎"):
        run_batch(["x"], engine="threads")


def test_a_missing_path_is_a_report_not_a_crash(tmp_path: Path) -> None:
    write_corpus(tmp_path, 1)
    batch = run_batch([tmp_path / "r000.txt", tmp_path / "nope.txt"], jobs=2, store=tmp_path / "s.sqlite")
    errors = {Path(r.path).name: r.error for r in batch.reports}
    assert errors["r000.txt"] is None and errors["nope.txt"] is not None


def test_a_report_to_confirm_by_hand_keeps_its_judgement_in_the_store(tmp_path: Path) -> None:
    """The 需人工确认 judgement is stored with the report: a resumed run does not need the text again."""
    from auditor.batch import report_from_record, report_record
    from auditor.engine import audit_file

    notice = tmp_path / "通知.txt"
    notice.write_text("关于召开年度工作会议的通知\n请各科室派员参加。\n", encoding="utf-8")
    report = audit_file(notice)
    assert report.needs_review
    restored = report_from_record(json.loads(json.dumps(report_record(report))), report.path)
    assert restored.needs_review == report.needs_review and restored.structure_checked
    assert restored.document is None  # judged without the text
