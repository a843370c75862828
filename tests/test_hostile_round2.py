"""Issue 13, "hostile inputs, round two": every defect reproduced with an input built here, in code.

Special files and deep inputs are only ever touched in a subprocess or an isolated worker with a
timeout, so a regression fails the test instead of hanging the suite."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

import hostile_factory as hostile
from auditor.batch import file_sha256, run_batch
from auditor.cli import app
from auditor.display import display_path, path_bytes, terminal_safe, visible_controls
from auditor.engine import read_document
from auditor.errors import ReadError
from auditor.isolation import run_isolated
from auditor.preflight import PREFLIGHT_CODES, Limits, preflight
from auditor.readers.decode import decode_text
from auditor.readers.html import decode_html_bytes
from test_batch import comparable

# (Functions added by the fix are imported inside the tests that use them, so that this module
# also runs against the code before the fix and shows each test failing there.)

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SUBPROCESS_TIMEOUT = float(os.environ.get("AUDITOR_TEST_SUBPROCESS_TIMEOUT", 240))  # a hang fails here, never CI
GBK_NAME = "报告".encode("gbk")
SECRET = "SECRET-LINE-0d1f9c: 不属于本批的文件内容"


def _cli(*args: str, timeout: float = SUBPROCESS_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "auditor.cli", *args], capture_output=True,
                          timeout=timeout, cwd=ROOT)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _reports(json_path: Path) -> dict[str, dict]:
    return {Path(r["path"]).name: r for r in json.loads(json_path.read_text(encoding="utf-8"))["reports"]}


# ------------------------------------------------------------------ 1. names that are not UTF-8


def test_display_path_round_trips_gbk_bytes(tmp_path: Path) -> None:
    path = hostile.gbk_named_report(tmp_path)
    shown = display_path(path)
    assert shown.endswith("\\xb1\\xa8\\xb8\\xe6.txt")
    shown.encode("utf-8")  # writable anywhere
    assert path_bytes(shown) == os.fsencode(path)


@pytest.mark.parametrize("fmt", ["json", "html", "xlsx", "csv", "text"])
def test_gbk_file_name_is_written_by_every_writer(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    hostile.gbk_named_report(folder)
    out = tmp_path / f"out.{fmt}"
    out.write_text("the previous report", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(folder), "--format", fmt, "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    shown = "\\xb1\\xa8\\xb8\\xe6.txt"
    if fmt == "xlsx":
        from openpyxl import load_workbook

        cells = [c.value for row in load_workbook(out)["排名"].iter_rows() for c in row]
        assert any(isinstance(v, str) and v.endswith(shown) for v in cells)
    else:
        written = out.read_text(encoding="utf-8-sig")
        assert shown.replace("\\", "\\\\" if fmt == "json" else "\\") in written
    if fmt == "json":
        (report,) = json.loads(out.read_text(encoding="utf-8"))["reports"]
        assert report["error"] is None and report["findings"]  # audited like any other file
        assert path_bytes(report["path"]).endswith(GBK_NAME + b".txt")


def test_gbk_file_name_with_text_and_claims(tmp_path: Path) -> None:
    path = hostile.gbk_named_report(tmp_path)
    for args in (["text", str(path)], ["claims", str(path), "--format", "json"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (args, result.output, result.exception)
    assert json.loads(result.stdout)["path"].endswith("\\xb1\\xa8\\xb8\\xe6.txt")


def test_gbk_file_name_in_the_store_and_resume(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    hostile.gbk_named_report(folder)
    store = tmp_path / "run.sqlite"
    first = run_batch([folder], engine="inline", store=store)
    with sqlite3.connect(store) as db:
        (stored_path,) = db.execute("SELECT path FROM results").fetchone()
    assert stored_path.endswith("\\xb1\\xa8\\xb8\\xe6.txt")
    calls: list[str] = []
    resumed = run_batch([folder], engine="inline", store=store, resume=True,
                        on_result=lambda report: calls.append(report.path))
    assert calls == []  # found in the store, not audited again
    assert comparable(resumed.to_dict()) == comparable(first.to_dict())


# ------------------------------------------------------------------ 2. special files on the command line


def test_hashing_a_fifo_does_not_block(tmp_path: Path) -> None:
    pipe = hostile.fifo(tmp_path)
    result: list = []
    thread = threading.Thread(target=lambda: result.append(file_sha256(pipe)), daemon=True)
    thread.start()
    thread.join(20)
    assert not thread.is_alive(), "hashing a FIFO blocked"
    assert result == [None]


def test_unusual_names_in_usage_errors_are_shown_as_text(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(tmp_path / "[draft]\x1b[2J.txt")])
    assert result.exit_code == 2
    assert "[draft]␛[2J.txt" in result.output and "\x1b" not in result.output


def test_a_long_missing_path_is_printed_whole_at_any_console_width(tmp_path: Path) -> None:
    """A usage error names the path unbroken by line breaks, however narrow the console: the auditor
    copies it from there."""
    missing = tmp_path / ("很长的子目录名称" * 4) / "二〇二四年度部门整体支出绩效自评报告（修订稿）.txt"
    for columns in ("40", "80"):
        result = CliRunner().invoke(app, ["check", str(missing)], env={"COLUMNS": columns})
        assert result.exit_code == 2
        assert str(missing) in result.output, columns


def test_special_files_given_on_the_command_line_get_an_error_row(tmp_path: Path) -> None:
    pipe = hostile.fifo(tmp_path, "explicit-pipe.txt")
    device = hostile.symlink(tmp_path, "device-link.txt", "/dev/zero")
    loop = hostile.symlink(tmp_path, "explicit-loop.txt", "explicit-loop.txt")
    good = tmp_path / "good.txt"
    good.write_text(hostile.REPORT_TEXT, encoding="utf-8")
    out = tmp_path / "out.json"
    done = _cli("check", str(pipe), str(device), str(loop), str(good), "--format", "json", "-o", str(out),
                "--timeout", "30")
    assert done.returncode == 0, done.stderr.decode()
    reports = _reports(out)
    for name, what in (("explicit-pipe.txt", "命名管道"), ("device-link.txt", "设备文件")):
        assert reports[name]["error"]["code"] == "not-a-file"
        assert what in reports[name]["error"]["message"]
    assert reports["explicit-loop.txt"]["error"]["code"] == "symlink-loop"
    assert reports["good.txt"]["error"] is None


# ------------------------------------------------------------------ 3. symlinks inside a folder


def test_symlinks_in_a_folder_never_lead_outside_it(tmp_path: Path) -> None:
    from auditor.engine import expand_inputs

    outside = tmp_path / "elsewhere.txt"
    outside.write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(hostile.REPORT_TEXT, encoding="utf-8")
    hostile.symlink(folder, "passwd.txt", outside)
    hostile.symlink(folder, "loop.txt", "loop.txt")
    hostile.symlink(folder, "ping.txt", "pong.txt")
    hostile.symlink(folder, "pong.txt", "ping.txt")
    hostile.symlink(folder, "dangling.txt", "nowhere.txt")
    hostile.symlink(folder, "inside-link.txt", "good.txt")
    hostile.symlink(folder, "outside-dir", tmp_path)
    hostile.symlink(folder, "zero.txt", "/dev/zero")
    hostile.fifo(folder, "pipe.txt")
    hostile.symlink(folder, "pipe-link.txt", "pipe.txt")  # inside, but to a special file
    found = {item.path.name: item.refusal.code if item.refusal else None for item in expand_inputs([folder])}
    assert found == {"good.txt": None, "inside-link.txt": None, "passwd.txt": "symlink-outside",
                     "loop.txt": "symlink-loop", "ping.txt": "symlink-loop", "pong.txt": "symlink-loop",
                     "dangling.txt": "file-not-found", "outside-dir": "symlink-outside",
                     "zero.txt": "symlink-outside", "pipe.txt": "not-a-file", "pipe-link.txt": "not-a-file"}
    out = tmp_path / "out.html"
    done = _cli("check", str(folder), "--format", "html", "-o", str(out), "--timeout", "30")
    assert done.returncode == 0, done.stderr.decode()
    html = out.read_text(encoding="utf-8")
    assert "SECRET-LINE-0d1f9c" not in html
    for name in found:
        assert name in html  # every entry has its row


# ------------------------------------------------------------------ 4. control characters


def test_control_characters_in_names_and_titles_are_written_by_every_writer(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    hostile.control_char_report(folder)
    (folder / "bell\x07name.txt").write_text(hostile.REPORT_TEXT, encoding="utf-8")
    for fmt in ("xlsx", "csv", "html", "json", "text"):
        out = tmp_path / f"out.{fmt}"
        result = CliRunner().invoke(app, ["check", str(folder), "--format", fmt, "-o", str(out), "--jobs", "1"])
        assert result.exit_code == 0, (fmt, result.output, result.exception)
        if fmt == "xlsx":
            from openpyxl import load_workbook

            values = [str(c.value) for row in load_workbook(out)["排名"].iter_rows() for c in row]
            assert any("bell␇name.txt" in v for v in values)
            assert any("文化␇馆" in v for v in values)  # the unit, from the title
        elif fmt != "json":
            written = out.read_text(encoding="utf-8-sig")
            assert "\x07" not in written and "\x1b" not in written
            assert "bell␇name.txt" in written


def test_html_report_keeps_the_text_of_a_file_whose_name_has_controls() -> None:
    from auditor.reporters.html import render_html

    text = "一、情况\n正文含响铃\x07字符与独有句子甲乙丙。\n"
    start = text.index("独有句子")
    batch = {"reports": [{"path": "bell\x07.txt", "unit": None, "year": None, "kind": "unknown", "risk_score": 10.0,
                          "rank": 1, "tier": "低", "error": None, "findings": [{
                              "rule": "AR101", "name": "narrative-sum-mismatch", "severity": "low", "confidence": 0.9,
                              "message": "示例", "values": {}, "evidence": [{
                                  "text": text[start:start + 4], "start": start, "end": start + 4,
                                  "where": "narrative", "section": None, "source": None}]}]}]}
    page = render_html(batch, {"bell\x07.txt": text})
    assert "\x07" not in page and "bell␇.txt" in page
    assert "响铃␇字符" in page and "独有句子" in page


def test_visible_controls_keep_offsets() -> None:
    text = "a\x07b\x1bc\td\r\n\x7f"
    assert visible_controls(text) == "a␇b␛c\td\r\n␡"
    assert len(visible_controls(text)) == len(text)


# ------------------------------------------------------------------ 5. resume and killed workers


def test_an_external_kill_is_reported_as_such() -> None:
    with pytest.raises(ReadError) as info:
        run_isolated(hostile.kill_self, timeout_s=20)
    assert info.value.code == "worker-killed"
    assert "外部终止" in info.value.message and "恶意" not in info.value.message


def _kill_corpus(folder: Path) -> None:
    folder.mkdir()
    for n in range(3):
        (folder / f"r{n}.txt").write_text(hostile.REPORT_TEXT.replace("12期", f"{12 + n}期"), encoding="utf-8")
    (folder / "kill-me.txt").write_text(hostile.REPORT_TEXT.replace("8次", "9次"), encoding="utf-8")


def test_resume_after_an_external_kill_re_audits_and_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _kill_corpus(folder)
    store = tmp_path / "run.sqlite"
    killed = run_batch([folder], jobs=1, store=store, task=hostile.audit_then_die_once, timeout_s=60)
    errors = {Path(r.path).name: r.error.code for r in killed.reports if r.error}
    assert errors == {"kill-me.txt": "worker-killed"}
    audited: list[str] = []
    resumed = run_batch([folder], jobs=1, store=store, resume=True, timeout_s=60,
                        on_result=lambda report: audited.append(Path(report.path).name))
    assert audited == ["kill-me.txt"]  # only the killed file is audited again
    uninterrupted = run_batch([folder], jobs=1, timeout_s=60)
    assert comparable(resumed.to_dict()) == comparable(uninterrupted.to_dict())
    # the retried result is stored: a further resume audits nothing
    again: list[str] = []
    run_batch([folder], jobs=1, store=store, resume=True, on_result=lambda report: again.append(report.path))
    assert again == []


def test_a_worker_killed_from_outside_is_re_audited_on_resume(tmp_path: Path) -> None:
    """kill -9 of a live worker by another process, as an operator would do it."""
    import signal
    import time

    folder = tmp_path / "in"
    _kill_corpus(folder)
    (folder / "kill-me.txt").rename(folder / "victim.txt")
    store = tmp_path / "run.sqlite"
    outcome: list = []
    runner = threading.Thread(target=lambda: outcome.append(run_batch(
        [folder], jobs=1, store=store, task=hostile.wait_to_be_killed_task, timeout_s=120)), daemon=True)
    runner.start()
    pid_file = folder / ".victim.pid"
    deadline = time.monotonic() + 60
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # the pid is written; let the worker settle in its wait
    os.kill(int(pid_file.read_text(encoding="utf-8")), signal.SIGKILL)
    runner.join(120)
    assert not runner.is_alive() and outcome
    errors = {Path(r.path).name: r.error.code for r in outcome[0].reports if r.error}
    assert errors == {"victim.txt": "worker-killed"}
    audited: list[str] = []
    resumed = run_batch([folder], jobs=1, store=store, resume=True, timeout_s=60,
                        on_result=lambda report: audited.append(Path(report.path).name))
    assert audited == ["victim.txt"]
    assert comparable(resumed.to_dict()) == comparable(run_batch([folder], jobs=1, timeout_s=60).to_dict())


def test_resume_retries_a_dead_worker_once_unless_asked_for_more(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "always-die.txt").write_text(hostile.REPORT_TEXT, encoding="utf-8")
    store = tmp_path / "run.sqlite"
    attempts = folder / ".always-die.attempts"

    def run(**options) -> str:
        batch = run_batch([folder], jobs=1, store=store, task=hostile.always_die_task, timeout_s=60, **options)
        return batch.reports[0].error.code

    assert run() == "worker-killed" and attempts.read_text() == "x"
    assert run(resume=True) == "worker-killed" and attempts.read_text() == "xx"  # retried once
    assert run(resume=True) == "worker-killed" and attempts.read_text() == "xx"  # not again
    assert run(resume=True, retry_errors=True) == "worker-killed" and attempts.read_text() == "xxx"


def test_retry_errors_option_reaches_the_batch(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--help"])
    assert "--retry-errors" in result.output


# ------------------------------------------------------------------ 6. one decoding policy


def test_html_declaring_utf16_with_utf8_bytes_is_read_as_utf8(tmp_path: Path) -> None:
    path = hostile.html_declaring_utf16(tmp_path)
    text, codec = decode_html_bytes(path.read_bytes())
    assert codec == "utf-8" and "预算执行情况" in text
    doc = read_document(path)
    assert doc.meta.year == 2024 and "全年预算数100.00万元" in doc.text


def test_utf16le_text_without_bom_is_read_as_utf16(tmp_path: Path) -> None:
    path = hostile.utf16le_without_bom(tmp_path)
    assert preflight(path) == "txt"
    text, encoding = decode_text(path.read_bytes())
    assert encoding == "utf-16-le" and text == hostile.REPORT_TEXT


def test_a_mis_decoded_text_is_an_error_not_a_clean_report(tmp_path: Path) -> None:
    path = hostile.utf16le_without_bom_or_ascii(tmp_path)
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert info.value.code == "unreadable-text"
    assert "人工" in info.value.message
    batch = run_batch([path], engine="inline")
    assert batch.reports[0].error.code == "unreadable-text" and batch.reports[0].tier != "低"


def test_check_readable_accepts_real_report_text_and_refuses_garbage() -> None:
    from auditor.readers.decode import check_readable

    check_readable(hostile.REPORT_TEXT * 3)
    check_readable("\t项目\n\t年初预算数\n\n\t合计\n\t1,234.50\n\t98.6%\n\t≥95%\n\t㎡\n" * 20)
    garbage = hostile.REPORT_TEXT.encode("utf-8").decode("utf-16-le", "replace")
    with pytest.raises(ReadError) as info:
        check_readable(garbage * 3)
    assert info.value.code == "unreadable-text"
    with pytest.raises(ReadError):
        check_readable("This is an English page with no Chinese characters at all. " * 10)
    with pytest.raises(ReadError):
        check_readable("...")  # the three-byte file: not a report, never "clean"
    check_readable("")  # empty is the readers' own error (empty-file, empty-pdf)


def test_the_three_decoders_share_one_policy(tmp_path: Path) -> None:
    """The pre-flight probe, the .txt reader and the page reader accept and refuse the same bytes."""
    samples = {
        "utf8": hostile.REPORT_TEXT.encode("utf-8"),
        "gbk": hostile.REPORT_TEXT.encode("gbk"),
        "utf16-nobom": hostile.REPORT_TEXT.encode("utf-16-le"),
        "utf16-bom": hostile.REPORT_TEXT.encode("utf-16"),
    }
    for name, data in samples.items():
        txt = tmp_path / f"{name}.txt"
        txt.write_bytes(data)
        assert preflight(txt) == "txt", name
        as_text = decode_text(data)[0].lstrip("\ufeff")
        as_page = decode_html_bytes(data)[0]
        assert as_text == as_page == hostile.REPORT_TEXT, name


# ------------------------------------------------------------------ 8. output and store writes


def test_output_path_is_checked_before_the_batch_starts(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(hostile.REPORT_TEXT, encoding="utf-8")
    for target in (tmp_path / "no-such-folder" / "out.json", tmp_path):
        result = CliRunner().invoke(app, ["check", str(good), "--format", "json", "-o", str(target)])
        assert result.exit_code == 2, result.output
        assert "输出" in result.output


def test_a_failed_write_keeps_the_previous_report(tmp_path: Path, monkeypatch) -> None:
    good = tmp_path / "good.txt"
    good.write_text(hostile.REPORT_TEXT, encoding="utf-8")
    out = tmp_path / "out.json"
    out.write_text("the previous report", encoding="utf-8")
    import auditor.reporters.json as json_reporter

    real_chunks = json_reporter.json_chunks

    def disk_full(*args, **kwargs):  # the JSON is written a report at a time: the disk fills up midway
        yield next(iter(real_chunks(*args, **kwargs)))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(json_reporter, "json_chunks", disk_full)
    result = CliRunner().invoke(app, ["check", str(good), "--format", "json", "-o", str(out), "--engine", "inline"])
    monkeypatch.undo()
    assert result.exit_code == 2, result.output
    assert "无法写入输出文件" in result.output
    assert out.read_text(encoding="utf-8") == "the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.txt", "out.json"]  # no temporary left


def test_a_store_write_error_is_survived_in_memory(tmp_path: Path, monkeypatch) -> None:
    from rich.console import Console

    import io

    from auditor.store import ResultStore

    folder = tmp_path / "in"
    _kill_corpus(folder)
    real_put = ResultStore.put
    calls = []

    def failing_put(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            self._db.close()  # the database goes away mid-run (disk error, removed file …)
        return real_put(self, *args, **kwargs)

    monkeypatch.setattr(ResultStore, "put", failing_put)
    stderr = io.StringIO()
    batch = run_batch([folder], engine="inline", store=tmp_path / "run.sqlite",
                      console=Console(file=stderr, width=200))
    assert len(batch.reports) == 4 and all(r.error is None for r in batch.reports)
    assert len(calls) == 2  # no further writes after the failure
    assert "写入失败" in stderr.getvalue() and "内存" in stderr.getvalue()


# ------------------------------------------------------------------ 9. the entity scan by content


def test_entity_declaration_in_a_main_part_named_dat_is_refused(tmp_path: Path) -> None:
    path = hostile.docx_main_part_named_dat(tmp_path)
    with pytest.raises(ReadError) as info:
        preflight(path)
    assert info.value.code == "xml-entity"
    assert "document.dat" in info.value.message


# ------------------------------------------------------------------ 10. heavy but plausible files


def test_a_text_file_over_the_text_cap_is_refused_up_front(tmp_path: Path) -> None:
    page = hostile.deep_div_html(tmp_path, depth=40_000)  # ~440 KB of markup
    with pytest.raises(ReadError) as info:
        read_document(page, limits=Limits(max_html_file_bytes=128 * 1024))
    assert info.value.code == "file-too-large" and "网页" in info.value.message
    path = hostile.big_text(tmp_path, size=256 * 1024)
    with pytest.raises(ReadError) as info:
        read_document(path, limits=Limits(max_text_file_bytes=128 * 1024))
    assert info.value.code == "file-too-large" and "文本" in info.value.message
    with pytest.raises(ReadError) as info:
        read_document(path, limits=Limits(max_document_chars=50_000))
    assert info.value.code == "text-too-large"
    assert "50000" in info.value.message
    assert Limits().max_text_file_bytes < 60 * 1024 * 1024  # the 60 MB text is refused


def _read_text_isolated(path: Path, **limits) -> str:
    return read_document(path, limits=Limits(**limits) if limits else None).text


def test_a_stray_cell_in_the_last_row_is_read_in_time(tmp_path: Path) -> None:
    path = hostile.stray_cell_xlsx(tmp_path)
    text = run_isolated(_read_text_isolated, path, timeout_s=60, memory_bytes=2 * 1024**3)
    assert "年初预算数" in text and "117.6" in text
    assert len(text) < 1000  # not a million empty rows


def test_a_stray_cell_in_the_last_column_and_row_is_refused_by_size(tmp_path: Path) -> None:
    path = hostile.stray_cell_xlsx(tmp_path, name="far.xlsx", column="XFD")
    with pytest.raises(ReadError) as info:
        run_isolated(_read_text_isolated, path, timeout_s=60, memory_bytes=2 * 1024**3)
    assert info.value.code == "sheet-too-large"
    assert "XFD1048576" in info.value.message
    small = hostile.stray_cell_xlsx(tmp_path, name="near.xlsx", row=500, column="D")
    with pytest.raises(ReadError) as info:
        read_document(small, limits=Limits(max_sheet_cells=1000))
    assert info.value.code == "sheet-too-large"
    with pytest.raises(ReadError) as info:  # 5 values, each at least 3 characters: over a 12-character cap
        read_document(small, limits=Limits(max_document_chars=12))
    assert info.value.code == "sheet-too-large"


def test_deeply_nested_divs_are_read_in_time(tmp_path: Path) -> None:
    path = hostile.deep_div_html(tmp_path)
    text = run_isolated(_read_text_isolated, path, timeout_s=60, memory_bytes=2 * 1024**3)
    assert "全年预算数100.00万元" in text


def test_flatten_deep_nesting_keeps_text_and_shallow_pages() -> None:
    from auditor.readers.html import flatten_deep_nesting

    page = "<div>" * 5 + "<p>正文</p>" + "</div>" * 5
    assert flatten_deep_nesting(page, 100) is page
    assert flatten_deep_nesting(page, 2) == "<div>" * 2 + "<p>正文</p>" + "</div>" * 2


# ------------------------------------------------------------------ 11. error codes that mislead


def test_out_of_memory_in_a_reader_is_not_file_damage(tmp_path: Path) -> None:
    path = hostile.valid_xlsx(tmp_path)
    with pytest.raises(ReadError) as info:
        hostile.read_sheet_out_of_memory(str(path))
    assert info.value.code == "memory-limit"
    assert "损坏" in info.value.message and "并不表示文件损坏" in info.value.message


def test_mixed_gbk_and_utf8_text_is_not_binary(tmp_path: Path) -> None:
    path = hostile.mixed_gbk_utf8(tmp_path)
    with pytest.raises(ReadError) as info:
        preflight(path)
    assert info.value.code == "mixed-encoding"
    assert "UTF-8" in info.value.message and "GBK" in info.value.message
    with pytest.raises(ReadError) as info:
        decode_text(path.read_bytes())
    assert info.value.code == "mixed-encoding"


def test_terminal_escapes_in_a_file_name_are_never_printed_raw(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    hostile.terminal_escape_named_report(folder)
    result = CliRunner().invoke(app, ["check", str(folder), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "esc␛[2J␛[" in result.stdout  # shown, escaped
    assert terminal_safe("\x9b31m") == "\\x9b31m"


def test_new_error_codes_are_in_the_catalogue() -> None:
    for code in ("mixed-encoding", "unreadable-text", "text-too-large", "sheet-too-large",
                 "symlink-outside", "symlink-loop"):
        assert _has_chinese(PREFLIGHT_CODES[code])


# ------------------------------------------------------------------ every case in one folder, every format


def _every_case(tmp_path: Path) -> tuple[Path, dict[str, str | None], list[Path]]:
    """The folder holding every case above, what each file must get (an error code, or None:
    audited), and the special files to give explicitly on the command line too."""
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "every-case"
    folder.mkdir()
    (folder / "good.txt").write_text(hostile.REPORT_TEXT, encoding="utf-8")
    hostile.gbk_named_report(folder)
    pipe = hostile.fifo(folder, "pipe.txt")
    device = hostile.symlink(folder, "zero.txt", "/dev/zero")
    hostile.symlink(folder, "passwd.txt", outside)
    hostile.symlink(folder, "loop.txt", "loop.txt")
    hostile.control_char_report(folder)
    hostile.terminal_escape_named_report(folder)
    hostile.html_declaring_utf16(folder)
    hostile.utf16le_without_bom(folder)
    hostile.utf16le_without_bom_or_ascii(folder)
    hostile.mixed_gbk_utf8(folder)
    hostile.docx_main_part_named_dat(folder)
    hostile.stray_cell_xlsx(folder)
    hostile.stray_cell_xlsx(folder, name="far-stray-cell.xlsx", column="XFD")
    hostile.deep_div_html(folder)
    hostile.big_text(folder, size=9 * 1024 * 1024)  # over the 8 MiB text cap; the 60 MB is refused alike
    expected = {
        "good.txt": None, "\\xb1\\xa8\\xb8\\xe6.txt": None, "pipe.txt": "not-a-file",
        "zero.txt": "symlink-outside", "passwd.txt": "symlink-outside", "loop.txt": "symlink-loop",
        "title-bel.txt": None, "esc\x1b[2J\x1b[31mred.txt": None, "claims-utf16.html": None,
        "utf16-nobom.txt": None, "utf16-nobom-han.txt": "unreadable-text", "mixed.txt": "mixed-encoding",
        "dat-entity.docx": "xml-entity", "stray-cell.xlsx": None, "far-stray-cell.xlsx": "sheet-too-large",
        "deep-divs.html": None, "big.txt": "file-too-large",
    }
    return folder, expected, [pipe, device, Path("/dev/zero")]


def test_every_case_in_one_folder_in_every_format(tmp_path: Path) -> None:
    folder, expected, specials = _every_case(tmp_path)
    for fmt in ("json", "html", "xlsx", "csv"):
        out = tmp_path / f"out.{fmt}"
        done = _cli("check", str(folder), *map(str, specials), "--format", fmt, "-o", str(out),
                    "--timeout", "60", "--jobs", "2")
        assert done.returncode == 0, (fmt, done.stderr.decode("utf-8", "replace"))
        assert out.stat().st_size > 0
        if fmt == "json":
            reports = json.loads(out.read_text(encoding="utf-8"))["reports"]
            by_name = {Path(r["path"]).name: r for r in reports}
            assert len(reports) == len(expected) + 1  # + /dev/zero given explicitly
            assert by_name["zero"]["error"]["code"] == "not-a-file"
            for name, code in expected.items():
                report = by_name[name]
                assert (report["error"] or {}).get("code") == code, (name, report["error"])
                if code is not None:
                    assert _has_chinese(report["error"]["message"]), name
            written = out.read_text(encoding="utf-8")
        elif fmt == "xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(out)
            ranking = list(workbook["排名"].iter_rows(values_only=True))
            assert len(ranking) - 1 == len(expected) + 1  # one row per file
            written = "\n".join(str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True)
                                for v in row)
        elif fmt == "csv":
            from auditor.cli import ranking_csv_path

            with open(ranking_csv_path(out), encoding="utf-8-sig", newline="") as handle:
                ranking = list(csv.DictReader(handle))
            assert len(ranking) == len(expected) + 1  # one row per file, errors included
            assert {row["错误"].split("：")[0] for row in ranking} >= {c for c in expected.values() if c}
            written = out.read_text(encoding="utf-8-sig") + ranking_csv_path(out).read_text(encoding="utf-8-sig")
        else:
            written = out.read_text(encoding="utf-8")
            for name in expected:
                assert visible_controls(name) in written, name
        assert "SECRET-LINE-0d1f9c" not in written, fmt  # nothing from outside the folder leaks
        if fmt != "json":
            assert "\x1b" not in written and "\x07" not in written


def test_out_of_memory_while_parsing_word_xml_is_not_file_damage(tmp_path: Path, monkeypatch) -> None:
    from lxml import etree

    import auditor.readers.docx as docx_reader

    path = hostile.valid_docx(tmp_path)

    def out_of_memory(*args, **kwargs):
        raise etree.XMLSyntaxError("Memory allocation failed : building node", 2, 1, 1)

    monkeypatch.setattr(docx_reader.etree, "fromstring", out_of_memory)
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert info.value.code == "memory-limit"
