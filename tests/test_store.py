"""The SQLite result store: exact keys, lossless round trip, clear errors for bad files."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from auditor.engine import Report
from auditor.errors import AuditorError, ReadError
from auditor.findings import Evidence, Finding
from auditor.store import ResultKey, ResultStore, StoreError

KEY = ResultKey("/data/a.txt", "ab" * 32, "0.1.0", "AR101,AR102")


def sample_finding() -> Finding:
    return Finding(rule="AR101", name="narrative-sum-mismatch", severity="high", confidence=0.8512345,
                   message="正文称合计100万元，分项之和为110万元", message_en="stated 100, parts add to 110",
                   evidence=[Evidence("合计100万元", 3, 10, "narrative", "一、基本情况", None)],
                   values={"stated": Decimal("100.00"), "parts": [Decimal("60"), Decimal("50.0")],
                           "note": "x", "count": 2})


def test_put_then_get_returns_the_same_record(tmp_path: Path) -> None:
    record = {"path": "a.txt", "findings": [sample_finding().to_dict(exact=True)], "error": None}
    with ResultStore(tmp_path / "s.sqlite") as store:
        store.put(KEY, record, text="全文\n\t表格", text_hash="h1", seconds=0.25)
        got = store.get(KEY)
        assert store.count() == 1 and store.keys() == [KEY]
    assert got.report == record and got.text == "全文\n\t表格" and got.text_hash == "h1" and got.seconds == 0.25


def test_any_part_of_the_key_changing_misses(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "s.sqlite") as store:
        store.put(KEY, {"path": "a.txt"})
        for changed in (ResultKey("/data/b.txt", KEY.content_hash, KEY.auditor_version, KEY.rules_key),
                        ResultKey(KEY.path, "cd" * 32, KEY.auditor_version, KEY.rules_key),
                        ResultKey(KEY.path, KEY.content_hash, "0.2.0", KEY.rules_key),
                        ResultKey(KEY.path, KEY.content_hash, KEY.auditor_version, "AR101")):
            assert store.get(changed) is None
        assert store.get(KEY) is not None


def test_put_replaces_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with ResultStore(path) as store:
        store.put(KEY, {"v": 1})
        store.put(KEY, {"v": 2})
    with ResultStore(path) as store:
        assert store.count() == 1 and store.get(KEY).report == {"v": 2}


def test_findings_round_trip_exactly_with_decimals() -> None:
    finding = sample_finding()
    again = Finding.from_dict(finding.to_dict(exact=True))
    assert again == finding
    assert isinstance(again.values["stated"], Decimal) and str(again.values["parts"][1]) == "50.0"
    assert again.to_dict("en") == finding.to_dict("en")


def _error_again(error: AuditorError | None) -> AuditorError | None:
    return Report.from_dict(Report(path="a.txt", error=error).to_dict(exact=True)).error


def test_errors_round_trip_with_class_code_and_message() -> None:
    read = _error_again(ReadError("文件为空", code="empty-file"))
    assert type(read) is ReadError and (read.code, read.message) == ("empty-file", "文件为空")
    other = _error_again(AuditorError("超时", code="timeout"))
    assert type(other) is AuditorError and other.code == "timeout"
    assert _error_again(None) is None


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "notes.sqlite"
    bad.write_text("这不是数据库" * 200, encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        ResultStore(bad)
    assert caught.value.code == "store-invalid" and "结果库" in caught.value.message


def test_a_store_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    ResultStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value='999' WHERE key='schema'")
    with pytest.raises(StoreError, match="999"):
        ResultStore(path)
