"""Every input accounted for (issue 12 points 1, 5, 7): old office formats converted by LibreOffice
for real, pictures sent to OCR, every file of a folder a row, the summary counts, and documents
that are no report flagged 需人工确认 instead of looking clean."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.engine import audit_file, expand_inputs, read_document
from auditor.errors import ReadError
from auditor.readers import convert
from auditor.summary import batch_summary
from docx_factory import build_plain_paragraphs_docx

needs_soffice = pytest.mark.skipif(convert.find_soffice() is None,
                                   reason="LibreOffice (soffice) is not installed; CI installs it")

# A small self-evaluation report in our own words (a made-up unit).
REPORT_LINES = [
    "2024年度青石镇农业服务中心部门整体支出绩效自评报告",
    "一、部门基本情况",
    "本中心核定编制18人，年末实有在职人员16人，全年组织农技培训9期。",
    "二、预算执行情况",
    "全年预算数260.00万元，其中：基本支出180.00万元，项目支出80.00万元；全年执行数251.20万元，预算执行率96.6%。",
    "三、绩效目标完成情况",
    "推广良种面积3200亩，服务农户1450户，群众满意度达到93%。",
]
MEETING_NOTICE = (
    "关于召开2024年度部门整体支出绩效自评工作布置会的通知\n"
    "各科室、各下属单位：\n"
    "经研究，定于2024年3月12日上午9时在办公楼三楼会议室召开绩效自评工作布置会，请各单位分管负责人准时参加，"
    "每个单位限2人参加。会议将部署本年度自评工作的时间安排和材料要求，请提前做好准备。\n"
    "特此通知。\n"
)


def _soffice_convert(sources: list[Path], to: str, out_dir: Path) -> list[Path]:
    """Convert with LibreOffice itself (its own profile): how the test makes real .doc/.odt/.rtf."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="intake-lo-") as profile:
        subprocess.run([convert.find_soffice(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", to, "--outdir", str(out_dir), *map(str, sources)],
                       check=True, capture_output=True, timeout=180, env=dict(os.environ, HOME=profile))
    made = [out_dir / f"{p.stem}.{to}" for p in sources]
    assert all(p.is_file() for p in made), made
    return made


@pytest.fixture(scope="module")
def legacy_files(tmp_path_factory) -> dict[str, Path]:
    """A .docx and the .doc, .odt and .rtf LibreOffice makes of it, plus a .wps (a .doc under the
    WPS name: how WPS Office files of the Word kind are built)."""
    if convert.find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it")
    folder = tmp_path_factory.mktemp("legacy")
    source = build_plain_paragraphs_docx(folder / "report.docx", REPORT_LINES)
    files = {"docx": source}
    for fmt in ("doc", "odt", "rtf"):
        files[fmt] = _soffice_convert([source], fmt, folder / fmt)[0]
    files["wps"] = folder / "report.wps"
    shutil.copyfile(files["doc"], files["wps"])
    return files


@needs_soffice
@pytest.mark.parametrize("fmt", ["doc", "wps", "odt", "rtf"])
def test_old_formats_are_converted_and_audited(legacy_files, fmt):
    before = set(Path(tempfile.gettempdir()).glob("auditor-convert-*"))
    doc = read_document(legacy_files[fmt])
    assert doc.format == "docx"
    for line in REPORT_LINES:
        assert line in doc.text
    assert doc.meta.unit == "青石镇农业服务中心" and doc.meta.year == 2024
    assert set(Path(tempfile.gettempdir()).glob("auditor-convert-*")) == before  # cleaned up
    report = audit_file(legacy_files[fmt])
    assert report.error is None and report.needs_review is None


@needs_soffice
def test_a_damaged_doc_gets_an_error_row(tmp_path, legacy_files):
    data = legacy_files["doc"].read_bytes()
    damaged = tmp_path / "damaged.doc"
    damaged.write_bytes(data[:512] + bytes(range(256)) * 8)  # the OLE2 header, then garbage
    report = audit_file(damaged)
    assert report.error is not None and report.error.code == "conversion-failed"
    assert "另存为 .docx" in report.error.message


def test_a_doc_that_is_not_a_word_file_is_refused_before_conversion(tmp_path):
    fake = tmp_path / "notes.doc"
    fake.write_bytes(b"these are not the bytes of a Word file")
    report = audit_file(fake)
    assert report.error is not None and report.error.code == "format-mismatch"


def test_without_libreoffice_the_advice_is_to_save_as_docx(tmp_path, monkeypatch):
    monkeypatch.setattr(convert, "find_soffice", lambda: None)
    doc = tmp_path / "old.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "WordDocument".encode("utf-16-le") + b"\0\0")
    report = audit_file(doc)
    assert report.error.code == "converter-missing"
    assert "请另存为 .docx 后重新提交" in report.error.message
    sheet = tmp_path / "old.et"
    sheet.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "Workbook".encode("utf-16-le") + b"\0\0")
    assert "另存为 .xlsx" in audit_file(sheet).error.message


def test_a_conversion_that_hangs_is_stopped_and_cleaned_up(tmp_path, monkeypatch):
    """A stand-in for LibreOffice that never finishes: the time limit stops it and its children."""
    pid_file = tmp_path / "child.pid"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pid_file}\nwait\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(convert, "find_soffice", lambda: str(fake))
    source = tmp_path / "slow.rtf"
    source.write_bytes(b"{\\rtf1 slow}")
    before = set(Path(tempfile.gettempdir()).glob("auditor-convert-*"))
    with pytest.raises(ReadError) as caught:
        with convert.converted_copy(source, "rtf", timeout_s=1):
            pass
    assert caught.value.code == "conversion-timeout"
    assert set(Path(tempfile.gettempdir()).glob("auditor-convert-*")) == before
    child = int(pid_file.read_text())
    for _ in range(50):  # the grandchild (LibreOffice's own process) is gone too
        if not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the converter's child process is still running")


@pytest.mark.parametrize("name", ["scan.jpg", "page.PNG", "fax.tiff"])
def test_pictures_say_they_need_ocr(tmp_path, name):
    picture = tmp_path / name
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    report = audit_file(picture)
    assert report.error.code == "needs-ocr" and "OCR" in report.error.message


def test_every_file_of_a_folder_is_an_input_except_system_files(tmp_path):
    for name in ("a.txt", "b.pptx", "c.jpg", "d", "sub/e.doc", "~$a.docx", ".DS_Store", "Thumbs.db",
                 "desktop.ini", ".hidden/f.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    found = sorted(item.path.relative_to(tmp_path).as_posix() for item in expand_inputs([tmp_path]))
    assert found == ["a.txt", "b.pptx", "c.jpg", "d", "sub/e.doc"]
    # references and indexes read only the formats the auditor reads
    from auditor.engine import expand_paths

    readable = sorted(p.relative_to(tmp_path).as_posix() for p in expand_paths([tmp_path]))
    assert readable == ["a.txt", "sub/e.doc"]


def test_a_folder_of_pictures_only_is_not_an_empty_silent_run(tmp_path):
    (tmp_path / "p1.jpg").write_bytes(b"\xff\xd8\xff" + bytes(32))
    (tmp_path / "p2.png").write_bytes(b"\x89PNG" + bytes(32))
    result = CliRunner().invoke(app, ["check", str(tmp_path), "--format", "json", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"] == {"files": 2, "audited": 0, "errors": 0, "unsupported": 2, "needs_review": 0}
    assert [r["error"]["code"] for r in data["reports"]] == ["needs-ocr", "needs-ocr"]


def test_an_unreadable_sub_folder_has_its_row(tmp_path, monkeypatch):
    import auditor.engine as engine

    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("x", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(folder):  # what a folder without read permission does (root would read it anyway)
        if Path(folder) == locked:
            raise PermissionError(13, "Permission denied")
        return real_scandir(folder)

    monkeypatch.setattr(engine.os, "scandir", scandir)
    found = {item.path.name: item.refusal for item in expand_inputs([tmp_path])}
    assert list(found) == ["locked"] and found["locked"].code == "unreadable-file"
    assert "未审核" in found["locked"].message


@needs_soffice
def test_a_mixed_folder_gives_every_file_a_row_and_the_summary(tmp_path, legacy_files):
    folder = tmp_path / "submissions"
    folder.mkdir()
    for fmt in ("doc", "wps", "odt", "docx"):
        shutil.copyfile(legacy_files[fmt], folder / f"report-{fmt}.{fmt}")
    (folder / "notice.txt").write_text(MEETING_NOTICE, encoding="utf-8")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff" + bytes(64))
    (folder / "~$report-docx.docx").write_bytes(b"lock")
    out = tmp_path / "out.json"
    result = CliRunner().invoke(app, ["check", str(folder), "-o", str(out), "--jobs", "2", "--no-progress"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    rows = {Path(r["path"]).name: r for r in data["reports"]}
    assert set(rows) == {"report-doc.doc", "report-wps.wps", "report-odt.odt", "report-docx.docx",
                         "notice.txt", "photo.jpg"}
    for name in ("report-doc.doc", "report-wps.wps", "report-odt.odt", "report-docx.docx"):
        assert rows[name]["error"] is None and rows[name]["unit"] == "青石镇农业服务中心"
    assert rows["photo.jpg"]["error"]["code"] == "needs-ocr"
    assert rows["notice.txt"]["tier"] == "需人工确认"
    assert rows["notice.txt"]["needs_review"]["code"] == "notice-not-report"
    assert data["summary"] == {"files": 6, "audited": 5, "errors": 0, "unsupported": 1, "needs_review": 1}
    # the four renderings of one report have the same text: one duplicate group
    groups = {rows[n]["duplicate_group"] for n in rows if n.startswith("report-")}
    assert len(groups) == 1 and None not in groups


# --------------------------------------------------------------------------- not a report


def _audit_text(tmp_path: Path, text: str, name: str = "doc.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return audit_file(path)


def test_a_report_is_not_flagged(tmp_path):
    report = _audit_text(tmp_path, "\n".join(REPORT_LINES) + "\n")
    assert report.error is None and report.needs_review is None


def test_a_meeting_notice_needs_review(tmp_path):
    report = _audit_text(tmp_path, MEETING_NOTICE)
    assert report.error is None
    assert report.needs_review["code"] == "notice-not-report"
    assert "通知" in report.needs_review["message"]


def test_a_few_characters_need_review(tmp_path):
    report = _audit_text(tmp_path, "自评报告\n")
    assert report.needs_review["code"] == "too-little-text"


def test_no_unit_no_year_and_almost_no_figures_need_review(tmp_path):
    text = ("据了解，这项帮扶活动开展以来受到了社会各界的广泛关注，许多热心人士纷纷伸出援手，"
            "为困难家庭的孩子送去了书包和文具，共有3所学校参与其中。活动还将继续举办下去，让更多的孩子受益。\n")
    report = _audit_text(tmp_path, text)
    assert report.needs_review["code"] == "no-unit-year-figures"


def test_a_text_without_any_figure_needs_review(tmp_path):
    text = ("2024年度青石镇农业服务中心部门整体支出绩效自评报告\n一、部门基本情况\n"
            "本中心认真履行职责，各项工作有序推进，预算执行总体良好，绩效目标基本完成，群众较为满意。\n")
    report = _audit_text(tmp_path, text)
    assert report.needs_review["code"] == "no-figures"


def test_needs_review_is_never_tier_low_and_ranks_with_the_risky(tmp_path):
    from auditor.engine import score_batch

    clean = _audit_text(tmp_path, "\n".join(REPORT_LINES) + "\n", "clean.txt")
    notice = _audit_text(tmp_path, MEETING_NOTICE, "notice.txt")
    batch = score_batch([clean, notice])
    assert [Path(r.path).name for r in batch.reports] == ["notice.txt", "clean.txt"]
    assert batch.reports[0].tier == "需人工确认" and batch.reports[1].tier == "低"
    data = batch.to_dict()
    assert data["reports"][0]["needs_review"]["message"]
    assert data["summary"]["needs_review"] == 1


def test_a_spreadsheet_title_row_names_the_unit(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["西岭区文化馆2023年度部门整体支出绩效自评表"])
    sheet.merge_cells("A1:E1")
    sheet.append(["项目", "年初预算数", "全年预算数", "全年执行数", "执行率"])
    sheet.append(["年度资金总额", 120, 130, 117, "90%"])
    path = tmp_path / "form.xlsx"
    workbook.save(path)
    meta = read_document(path).meta
    assert (meta.unit, meta.year) == ("西岭区文化馆", 2023)

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["绩效自评表"])
    sheet.append(["填报单位（盖章）：东川县档案馆", None, "填报日期：2024年2月1日"])
    sheet.append(["项目", "年初预算数", "全年执行数"])
    sheet.append(["年度资金总额", 50, 48])
    path = tmp_path / "form2.xlsx"
    workbook.save(path)
    assert read_document(path).meta.unit == "东川县档案馆"


# --------------------------------------------------------------------------- summary


def test_summary_partitions_the_files():
    from auditor.engine import Report

    reports = [Report.from_dict({"path": str(i), **r}) for i, r in enumerate([
        {"error": None, "findings": []},
        {"error": None, "findings": [], "needs_review": {"code": "no-figures", "message": "…"}},
        {"error": {"code": "needs-ocr", "message": "…"}},
        {"error": {"code": "scanned-pdf", "message": "…"}},
        {"error": {"code": "unsupported-format", "message": "…"}},
        {"error": {"code": "corrupt-docx", "message": "…"}},
        {"error": {"code": "timeout", "message": "…"}},
    ])]
    summary = batch_summary(reports)
    assert summary == {"files": 7, "audited": 2, "errors": 2, "unsupported": 3, "needs_review": 1}
    assert summary["audited"] + summary["errors"] + summary["unsupported"] == summary["files"]


def test_html_shows_the_needs_review_reason_and_the_duplicate_group():
    from auditor.reporters.html import render_html
    from auditor.results import rank_batch

    base = {"unit": None, "year": None, "kind": "unknown", "error": None, "findings": []}
    batch = rank_batch({"reports": [
        dict(base, path="in/notice.txt", needs_review={"code": "no-figures", "message": "全文没有任何金额或数量"}),
        dict(base, path="in/a.txt", duplicate_group="G1"),
        dict(base, path="in/a-copy.txt", duplicate_group="G1", duplicate_of="in/a.txt"),
    ]})
    page = render_html(batch, {})
    assert "需人工确认：全文没有任何金额或数量" in page
    assert "重复提交（G1）：与 in/a.txt 内容相同" in page


def _calc_missing() -> bool:
    soffice = convert.find_soffice()
    return soffice is None or convert.component_missing(soffice, "xlsx") is not None


@pytest.mark.skipif(_calc_missing(), reason="LibreOffice Calc is not installed (Writer alone converts no sheet)")
@pytest.mark.parametrize("fmt", ["ods", "et"])
def test_spreadsheets_of_other_suites_are_converted(tmp_path, fmt):
    """.ods (LibreOffice) and .et (WPS: an Excel 97-2003 workbook under its own name)."""
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["北岸街道办事处2024年度部门整体支出绩效自评表"])
    sheet.append(["项目", "年初预算数", "全年预算数", "全年执行数", "执行率"])
    sheet.append(["年度资金总额", 210, 220, 209, "95%"])
    source = tmp_path / "form.xlsx"
    workbook.save(source)
    made = _soffice_convert([source], "ods" if fmt == "ods" else "xls", tmp_path / "made")[0]
    target = tmp_path / f"form.{fmt}"
    shutil.copyfile(made, target)
    doc = read_document(target)
    assert doc.format == "xlsx" and "年度资金总额" in doc.text and "209" in doc.text
    assert doc.meta.unit == "北岸街道办事处"


def test_a_missing_libreoffice_component_is_named(tmp_path, monkeypatch):
    program = tmp_path / "program"
    program.mkdir()
    (program / "libswlo.so").write_bytes(b"")  # Writer present, Calc absent
    fake = program / "soffice"
    fake.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(convert, "find_soffice", lambda: str(fake))
    sheet = tmp_path / "old.et"
    sheet.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "Workbook".encode("utf-16-le") + b"\0\0")
    report = audit_file(sheet)
    assert report.error.code == "converter-missing"
    assert "Calc" in report.error.message and "另存为 .xlsx" in report.error.message
    assert convert.component_missing(str(fake), "docx") is None


def test_the_chinese_characters_are_counted_exactly_below_the_threshold():
    from auditor.readers.text import build_document
    from auditor.structure import MIN_HAN, structure_problem

    short = "某" * (MIN_HAN - 1) + "：12，3.5%。\n"
    problem = structure_problem(build_document(short, "短.txt"))
    assert problem["code"] == "too-little-text" and f"正文只有 {MIN_HAN - 1} 个汉字" in problem["message"]
    enough = "某" * MIN_HAN + "：12，3.5%。\n"
    assert (structure_problem(build_document(enough, "够.txt")) or {}).get("code") != "too-little-text"
