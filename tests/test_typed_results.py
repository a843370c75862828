"""One typed result model from the rules to the reporters and the store: Severity, Alignment,
Finding/Report round trips through the one serialiser, and reporters that read attributes only."""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from pathlib import Path

import pytest

from auditor.batch import BatchReport, report_from_record, report_record
from auditor.engine import Report
from auditor.errors import ReadError
from auditor.findings import AlignedPair, AlignedSpan, Alignment, Evidence, Finding, Severity
from auditor.results import BatchResult
from auditor.store import ResultKey, ResultStore

PACKAGE = Path(__file__).resolve().parents[1] / "auditor"

# invented text, offsets exact by construction
THIS_TEXT = "本单位今年共举办培训班6期，培训人员320人次。"
SOURCE_TEXT = "本单位去年共举办培训班5期，培训人员300人次。"


def _alignment_dict() -> dict:
    """The shape the copied-passage rules build (auditor.reuse.align.AlignedPassage.alignment)."""
    return {"source": "往年/2023.txt", "pairs": [
        {"left": {"start": 0, "end": len(THIS_TEXT), "text": THIS_TEXT},
         "right": {"start": 0, "end": len(SOURCE_TEXT), "text": SOURCE_TEXT}, "score": 0.913}]}


def _finding(**changes) -> Finding:
    needle = "培训人员320人次"
    start = THIS_TEXT.index(needle)
    values = {"stated": Decimal("320"), "computed": Decimal("300.50"), "parts": [Decimal("1.10"), 2], "note": "合成"}
    fields = dict(rule="RU501", name="copied-from-earlier", severity="medium", confidence=0.87654,
                  message="本段与往年报告几乎相同", message_en="This passage repeats last year's report",
                  evidence=[Evidence(needle, start, start + len(needle), "narrative", "一、概况", None,
                                     {"paragraph": 1, "label": "第1段"})],
                  values=values, alignment=_alignment_dict(), id="RU501-0123456789",
                  review={"status": "待跟进", "reason": "核对", "by": "张", "at": "2026-11-30 10:00:00"})
    fields.update(changes)
    return Finding(**fields)


def test_severity_is_a_str_enum_with_rank_and_chinese_label() -> None:
    assert Severity.HIGH == "high" and json.dumps(Severity.HIGH) == '"high"' and f"{Severity.LOW}" == "low"
    assert [s.rank for s in (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH)] == [0, 1, 2, 3]
    assert [s.label for s in Severity] == ["提示", "低", "中", "高"]
    assert Severity.parse("高") is Severity.HIGH and Severity.parse("MEDIUM") is Severity.MEDIUM
    assert Severity.parse("严重") is None
    with pytest.raises(ValueError, match="未知的严重程度"):
        Severity.of("critical")


def test_a_rule_gives_strings_and_the_finding_holds_types() -> None:
    finding = _finding()
    assert type(finding.severity) is Severity and finding.severity is Severity.MEDIUM
    assert isinstance(finding.alignment, Alignment)
    pair = finding.alignment.pairs[0]
    assert pair == AlignedPair(AlignedSpan(0, len(THIS_TEXT), THIS_TEXT),
                               AlignedSpan(0, len(SOURCE_TEXT), SOURCE_TEXT), 0.913)
    assert finding.alignment.to_dict() == _alignment_dict()  # written back exactly as the rule built it


def test_finding_round_trips_through_the_store_form_with_every_field() -> None:
    finding = _finding()
    record = json.loads(json.dumps(finding.to_dict(exact=True), ensure_ascii=False))  # as SQLite keeps it
    again = Finding.from_dict(record)
    assert again == finding
    assert again.values["computed"] == Decimal("300.50") and str(again.values["parts"][0]) == "1.10"
    assert again.message_en == finding.message_en and again.confidence == 0.87654


def test_the_contract_form_reads_back_and_writes_the_same_json() -> None:
    data = _finding().to_dict("zh")
    assert data["severity"] == "medium" and data["confidence"] == 0.877 and data["values"]["computed"] == 300.5
    assert data["alignment"] == _alignment_dict() and data["title"]
    assert Finding.from_dict(data).to_dict("zh") == data


def test_report_round_trips_through_the_store(tmp_path: Path) -> None:
    report = BatchReport(path="甲/2024.txt", unit="甲局", year=2024, kind="department", format="txt",
                         findings=[_finding(), _finding(rule="AR101", name="sum", severity=Severity.HIGH,
                                                        alignment=None, id=None, review=None)],
                         needs_review={"code": "no-figures", "message": "几乎没有数字"}, structure_checked=True)
    key = ResultKey("/abs/甲/2024.txt", "0" * 64, "test", "AR101,RU501")
    with ResultStore(tmp_path / "r.db") as store:
        store.put(key, report_record(report), text=THIS_TEXT, text_hash="h")
    with ResultStore(tmp_path / "r.db") as store:
        stored = store.get(key)
    assert stored is not None and stored.text == THIS_TEXT
    again = report_from_record(stored.report, report.path)
    for name in ("path", "unit", "year", "kind", "format", "needs_review", "structure_checked", "findings"):
        assert getattr(again, name) == getattr(report, name), name
    assert again.findings[0].alignment == report.findings[0].alignment  # the store used to drop it


def test_packed_findings_come_back_equal_and_a_packed_report_is_not_written() -> None:
    """``pack_findings`` (a large batch's cross phase) keeps the findings as one compressed blob;
    ``unpack_findings`` gives them back equal, types and all; while packed, writing the report fails
    loudly instead of writing it without its findings."""
    findings = [_finding(), _finding(rule="AR101", name="sum", severity=Severity.HIGH, alignment=None,
                                     id=None, review=None)]
    report = BatchReport(path="甲/2024.txt", unit="甲局", year=2024, findings=list(findings))
    expected = report.to_dict()
    report.pack_findings()
    assert report.findings is None and report.packed_findings
    report.pack_findings()  # packing twice keeps the first blob
    with pytest.raises(TypeError):
        report.to_dict()
    report.unpack_findings()
    assert report.packed_findings is None and report.findings == findings
    assert type(report.findings[0].severity) is Severity and isinstance(report.findings[0].alignment, Alignment)
    assert report.to_dict() == expected
    report.unpack_findings()  # nothing packed: nothing changes
    assert report.findings == findings


def test_an_error_report_round_trips_through_the_store(tmp_path: Path) -> None:
    report = BatchReport(path="坏.docx", error=ReadError("文件已损坏", code="read-failed"))
    again = report_from_record(json.loads(json.dumps(report_record(report), ensure_ascii=False)), report.path)
    assert isinstance(again.error, ReadError) and (again.error.code, again.error.message) == ("read-failed", "文件已损坏")


def test_a_store_row_written_before_the_typed_model_still_loads() -> None:
    """The finding record of earlier versions: no alignment, id or review; exact values."""
    old = {"rule": "AR101", "name": "sum", "severity": "high", "confidence": 0.9, "message": "合计不符",
           "message_en": None, "evidence": [{"text": "6期", "start": 11, "end": 13, "where": "narrative",
                                             "section": None, "source": None, "location": None}],
           "values": {"stated": {"$decimal": "6"}}}
    finding = Finding.from_dict(old)
    assert finding.severity is Severity.HIGH and finding.alignment is None and finding.id is None
    assert finding.values == {"stated": Decimal("6")} and finding.evidence[0].text == THIS_TEXT[11:13]


def test_batch_result_json_is_what_batch_to_dict_writes() -> None:
    reports = [Report(path="a.txt", unit="甲", year=2024, findings=[_finding()], risk_score=50.0, rank=1, tier="中"),
               Report(path="b.docx", error=ReadError("扫描件", code="needs-ocr"), rank=2, tier="错误")]
    result = BatchResult(reports)
    data = result.to_dict()
    assert data["summary"] == {"files": 2, "audited": 1, "errors": 0, "unsupported": 1, "needs_review": 0}
    again = BatchResult.from_dict(json.loads(json.dumps(data, ensure_ascii=False)))
    assert again.to_dict() == data
    assert type(again.reports[0].findings[0].severity) is Severity


# names of fields of a report, a finding, its evidence and alignment: a reporter or the scoring that
# reads one of them as a dict key has been handed a dict instead of the typed result
_RESULT_KEYS = {"rule", "name", "severity", "confidence", "message", "message_en", "evidence", "values",
                "alignment", "pairs", "left", "right", "score", "title", "id", "review", "text", "start",
                "end", "where", "section", "source", "location", "path", "unit", "year", "kind", "findings",
                "error", "risk_score", "rank", "tier", "format", "needs_review", "duplicate_group",
                "duplicate_of", "duplicate_kind", "reports", "summary", "auditor_version", "code"}


def _dict_reads(path: Path) -> list[str]:
    """``x["severity"]`` and ``x.get("severity")`` with a result field's name, as ``line: key``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        key = None
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) \
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            key = node.slice.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            key = node.args[0].value
        if key in _RESULT_KEYS:
            found.append(f"{path.name}:{node.lineno}: {key}")
    return found


def test_the_scan_finds_dict_reads(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('def f(x):\n    return x["severity"], x.get("findings"), x["other"], x.get("label")\n',
                      encoding="utf-8")
    assert _dict_reads(sample) == ["sample.py:2: severity", "sample.py:2: findings"]


def test_reporters_and_scoring_read_typed_results_not_dicts() -> None:
    files = sorted((PACKAGE / "reporters").glob("*.py")) + [PACKAGE / "scoring.py", PACKAGE / "summary.py"]
    assert len(files) >= 6
    assert [hit for f in files for hit in _dict_reads(f)] == []


def test_the_json_reporter_writes_a_report_at_a_time_the_text_of_the_whole() -> None:
    """``--format json`` is written a report at a time (a large batch is never one dict or one string);
    the text is exactly ``json.dumps`` of the whole result: several reports, an error, a duplicate, a
    file name that is not UTF-8, a review summary, and no reports at all."""
    import io

    from auditor.display import scrub
    from auditor.reporters.json import json_chunks, render_json, write_json
    from auditor.review import ReviewSummary

    copy = BatchReport(path="乙/副本.txt", unit="甲", year=2024, findings=[_finding()], risk_score=50.0, rank=2,
                       tier="中")
    copy.duplicate_group, copy.duplicate_of, copy.duplicate_kind = 1, "a.txt", "identical"
    reports = [Report(path="a.txt", unit="甲", year=2024, findings=[_finding(), _finding(rule="AR101")],
                      risk_score=50.0, rank=1, tier="中"),
               copy,
               Report(path="b\udcb3.docx", error=ReadError("扫描件", code="needs-ocr"), rank=3, tier="错误")]
    review = ReviewSummary(file="决定.csv", new=1, decided=2, out_of_risk=1, stale=0)
    for result in (BatchResult(reports), BatchResult(reports, review=review), BatchResult([]),
                   BatchResult(reports[:1])):
        whole = json.dumps(scrub(result.to_dict("zh")), ensure_ascii=False, indent=2) + "\n"
        assert render_json(result) == whole
        assert len(list(json_chunks(result))) == (len(result.reports) + 2 if result.reports else 1)
        written = io.StringIO()
        write_json(result, written, lang="en")
        assert written.getvalue() == json.dumps(scrub(result.to_dict("en")), ensure_ascii=False, indent=2) + "\n"
    assert json.loads(render_json(BatchResult(reports)))["reports"][1]["duplicate_of"] == "a.txt"
