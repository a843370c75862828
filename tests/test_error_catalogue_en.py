"""Every error code the package can raise has an English explanation for ``--lang en``."""

from __future__ import annotations

import re
from pathlib import Path

from auditor.errors import AuditorError, ReadError, english_message

PACKAGE = Path(__file__).resolve().parents[1] / "auditor"


def _codes_in_source() -> set[str]:
    codes: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes.update(re.findall(r'\bcode\s*=\s*"([a-z][a-z-]+)"', text))
        codes.update(re.findall(r'\bcode\s*:\s*str\s*=\s*"([a-z][a-z-]+)"', text))
        codes.update(re.findall(r'\bcode\s*=\s*"([a-z][a-z-]+)"$', text, flags=re.M))
        codes.update(re.findall(r'"(corrupt-[a-z]+)"', text))  # built as f"corrupt-{fmt}"
    return codes


def test_every_raised_code_has_an_english_explanation() -> None:
    codes = _codes_in_source()
    assert len(codes) >= 30  # the scan finds the catalogue (a broken regex would find nothing)
    missing = sorted(c for c in codes if english_message(c) is None)
    assert missing == []


def test_english_message_keeps_the_chinese_details() -> None:
    error = ReadError("文件过大：12 MB，超过上限 10 MB", code="file-too-large")
    assert error.to_dict() == {"code": "file-too-large", "message": "文件过大：12 MB，超过上限 10 MB"}
    english = error.to_dict("en")
    assert english["code"] == "file-too-large"
    assert english["message"].startswith("The file is larger")
    assert not re.search(r"[\u4e00-\u9fff]", english["message"])
    assert english["message_zh"] == "文件过大：12 MB，超过上限 10 MB"


def test_a_code_without_an_english_text_keeps_its_chinese_message() -> None:
    error = AuditorError("某种新的错误", code="some-new-code")
    assert error.to_dict("en") == {"code": "some-new-code", "message": "某种新的错误"}


def test_a_batch_in_english_explains_its_errors_in_english(tmp_path: Path) -> None:
    from auditor.batch import run_batch

    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    batch = run_batch([tmp_path], jobs=1, progress=False)
    errors = {r.error.code: r.to_dict("en")["error"] for r in batch.reports if r.error}
    assert set(errors) == {"empty-file", "needs-ocr"}
    for error in errors.values():
        assert not re.search(r"[\u4e00-\u9fff]", error["message"])
        assert re.search(r"[\u4e00-\u9fff]", error["message_zh"])
    chinese = {r.error.code: r.to_dict()["error"] for r in batch.reports if r.error}
    assert all(set(e) == {"code", "message"} for e in chinese.values())
