"""Tests for auditor.readers.pdf: golden text, merges, round trip docx → PDF, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import formats_factory as ff
from auditor.errors import ReadError
from auditor.readers.pdf import _Line, extract_pdf, is_heading, join_wrapped_lines, read_pdf

needs_soffice = pytest.mark.skipif(
    not ff.soffice_available(),
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui fonts-noto-cjk",
)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """docx fixtures and their PDFs, converted with a single LibreOffice run."""
    if not ff.soffice_available():
        pytest.skip("LibreOffice (soffice) is not installed")
    root = tmp_path_factory.mktemp("pdf")
    specs = {
        "report": ff.DocxSpec(),
        "long": ff.long_report_spec(indent_first_line=True),
        "long_noindent": ff.long_report_spec(indent_first_line=False),
    }
    docx = {name: ff.build_docx(root / f"{name}.docx", spec) for name, spec in specs.items()}
    pdfs = ff.docx_to_pdf(list(docx.values()), root / "out")
    files: dict[str, Path] = {}
    for name, pdf in zip(docx, pdfs):
        files[name] = pdf
        files[name + ".docx"] = docx[name]
    return files


def _split(text: str) -> tuple[list[str], list[list[str]]]:
    """Paragraph lines and, per table, the cell texts (whitespace removed), in order."""
    paragraphs: list[str] = []
    tables: list[list[str]] = []
    in_table = False
    blank_run = 0
    for line in text.split("\n"):
        if line.startswith("\t"):
            if not in_table:
                tables.append([])
                in_table = True
            tables[-1].append(re.sub(r"\s+", "", line))
            blank_run = 0
        elif line == "":
            blank_run += 1
            if blank_run >= 2:
                in_table = False
        elif in_table and blank_run == 0:
            tables[-1][-1] += re.sub(r"\s+", "", line)  # continuation line of a cell
        else:
            in_table = False
            blank_run = 0
            paragraphs.append(re.sub(r"\s+", "", line))
    return paragraphs, tables


# --------------------------------------------------------------------------------------
# Golden text and round trips
# --------------------------------------------------------------------------------------

@needs_soffice
def test_report_pdf_golden(converted: dict[str, Path]) -> None:
    expected = (
        "\n".join([ff.REPORT_TITLE, *ff.REPORT_PARAGRAPHS]) + "\n"
        "\t项目名称\n\t资金情况（万元）\n\t执行率\n\n"
        "\t培训经费\n\t120.00\n\t118.50\n\t98.75%\n\n"
        "\t\n\t30.00\n\t29.00\n\t96.67%\n\n"
        "\t合计\n\t150.00\n\t147.50\n\t98.33%\n\n\n"
        + ff.REPORT_AFTER_TABLE + "\n"
    )
    assert read_pdf(converted["report"]) == expected


@needs_soffice
@pytest.mark.parametrize("name", ["report", "long", "long_noindent"])
def test_round_trip_matches_spec(converted: dict[str, Path], name: str) -> None:
    spec = {"report": ff.DocxSpec(), "long": ff.long_report_spec(True),
            "long_noindent": ff.long_report_spec(False)}[name]
    want_paragraphs, want_tables = ff.spec_paragraphs_and_tables(spec)
    got_paragraphs, got_tables = _split(read_pdf(converted[name]))
    norm = [re.sub(r"\s+", "", p) for p in want_paragraphs]
    assert got_paragraphs == norm
    assert got_tables == [[re.sub(r"\s+", "", c) for c in t] for t in want_tables]


@needs_soffice
@pytest.mark.parametrize("name", ["report", "long", "long_noindent"])
def test_round_trip_matches_docx_reader(converted: dict[str, Path], name: str) -> None:
    docx_reader = pytest.importorskip("auditor.readers.docx")
    assert _split(read_pdf(converted[name])) == _split(docx_reader.read_docx(converted[name + ".docx"]))


@needs_soffice
def test_pdf_text_is_real_cjk_not_garbled(converted: dict[str, Path]) -> None:
    result = extract_pdf(converted["report"])
    assert "部门基本情况" in result.text
    assert "(cid:" not in result.text
    assert result.warnings == []


@needs_soffice
def test_wrapped_lines_rejoined_and_headings_kept(converted: dict[str, Path]) -> None:
    lines = read_pdf(converted["long"]).split("\n")
    # A paragraph wrapped over several PDF lines is one line again.
    long_paragraphs = [ln for ln in lines if ln.startswith("本部分第") and ln.endswith("整体达到预期目标。")]
    assert len(long_paragraphs) == 18
    # Headings and short lines stay on their own line (not glued to neighbours).
    assert "一、第1部分工作情况" in lines
    assert "（一）存在问题" in lines
    assert lines.count("部分基层点位设备老化") == 6
    # Latin words wrapped at a line end keep their space.
    assert all("APP platform" in p for p in long_paragraphs)


@needs_soffice
def test_page_numbers_dropped_and_table_joined_across_pages(converted: dict[str, Path]) -> None:
    text = read_pdf(converted["long"])
    assert not re.search(r"^-\s*\d+\s*-$", text, re.M)
    _paragraphs, tables = _split(text)
    assert len(tables) == 2  # the 46-row table crosses a page break but is one table
    serials = [c for c in tables[1][3::3]]
    assert serials == [str(i) for i in range(1, 46)]


@needs_soffice
def test_narrow_column_headers_rejoined_and_merge_continuation(converted: dict[str, Path]) -> None:
    text = read_pdf(converted["long"])
    assert "\t年初预算数（万元）\n\t全年执行数（万元）\n" in text
    # Vertical merge: the row under 产出指标 starts with an empty continuation cell.
    assert "\t\n\t质量指标\n\t50.00\n" in text


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------

@needs_soffice
def test_encrypted_pdf(converted: dict[str, Path], tmp_path: Path) -> None:
    locked = ff.encrypt_pdf(converted["report"], tmp_path / "locked.pdf")
    with pytest.raises(ReadError) as info:
        read_pdf(locked)
    assert info.value.code == "encrypted-pdf"
    assert "加密" in info.value.message


def test_scanned_pdf_needs_ocr(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_pdf(ff.build_scanned_pdf(tmp_path / "scan.pdf"))
    assert info.value.code == "scanned-pdf"
    assert "OCR" in info.value.message


def test_blank_pdf_is_an_error_not_an_empty_report(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_pdf(ff.build_blank_pdf(tmp_path / "blank.pdf"))
    assert info.value.code == "empty-pdf"


def test_corrupt_pdf(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_pdf(ff.build_corrupt_file(tmp_path / "bad.pdf"))
    assert info.value.code == "corrupt-pdf"


def test_missing_pdf(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_pdf(tmp_path / "nope.pdf")
    assert info.value.code == "file-not-found"


def test_mostly_cid_garbage_is_reported(tmp_path: Path) -> None:
    path = ff.build_raw_pdf(tmp_path / "garbled.pdf", ["Budget 12.5"], cid_glyphs=60)
    with pytest.raises(ReadError) as info:
        read_pdf(path)
    assert info.value.code == "pdf-garbled"


def test_some_cid_garbage_is_stripped_with_a_warning(tmp_path: Path) -> None:
    lines = [f"Line {i} of the budget table reads 100.{i:02d}" for i in range(12)]
    result = extract_pdf(ff.build_raw_pdf(tmp_path / "mixed.pdf", lines, cid_glyphs=5))
    assert "(cid:" not in result.text
    assert "Line 0 of the budget table reads 100.00" in result.text.split("\n")
    assert any("cid" in w for w in result.warnings)


# --------------------------------------------------------------------------------------
# The re-joining heuristic on synthetic lines
# --------------------------------------------------------------------------------------

def _line(text: str, x0: float, x1: float, top: float, token: float = 12.0) -> _Line:
    return _Line(text, x0, x1, top, top + 12, token, 12.0)


RIGHT, LEFT = 520.0, 90.0


def test_join_wrapped_line_without_punctuation() -> None:
    lines = [_line("资金主要用于人员经费和日常公用", 90, 518, 100), _line("经费。", 90, 126, 120)]
    assert join_wrapped_lines(lines, RIGHT, LEFT, False) == ["资金主要用于人员经费和日常公用经费。"]


def test_no_join_after_short_line() -> None:
    lines = [_line("部分设备老化", 90, 162, 100), _line("需要更新换代", 90, 162, 120)]
    assert join_wrapped_lines(lines, RIGHT, LEFT, False) == ["部分设备老化", "需要更新换代"]


def test_no_join_before_heading() -> None:
    lines = [_line("全年工作情况良好各项任务均已完成并", 90, 518, 100), _line("二、存在问题", 90, 162, 120)]
    assert join_wrapped_lines(lines, RIGHT, LEFT, False) == [
        "全年工作情况良好各项任务均已完成并", "二、存在问题"]


def test_no_join_after_sentence_end_without_indent_signal() -> None:
    lines = [_line("全年工作情况良好各项任务均已完成。", 90, 518, 100), _line("下一步继续努力", 90, 174, 120)]
    assert join_wrapped_lines(lines, RIGHT, LEFT, False) == [
        "全年工作情况良好各项任务均已完成。", "下一步继续努力"]


def test_indent_decides_after_sentence_end() -> None:
    full = _line("全年工作情况良好各项任务均已完成。", 90, 518, 100)
    continuing = _line("下一步继续努力", 90, 174, 120)
    new_paragraph = _line("下一步继续努力", 114, 198, 120)
    assert join_wrapped_lines([full, continuing], RIGHT, LEFT, True) == [
        "全年工作情况良好各项任务均已完成。下一步继续努力"]
    assert len(join_wrapped_lines([full, new_paragraph], RIGHT, LEFT, True)) == 2


def test_no_join_over_paragraph_gap() -> None:
    lines = [_line("第一行文字没有标点并且排满整行", 90, 518, 100),
             _line("第二行", 90, 126, 120), _line("第三行", 90, 126, 140),
             _line("隔了很大的段间距", 90, 186, 200)]
    assert join_wrapped_lines(lines, RIGHT, LEFT, False)[-1] == "隔了很大的段间距"


def test_latin_words_joined_with_space() -> None:
    lines = [_line("系统名称为 Budget", 90, 518, 100), _line("Platform 二期", 90, 200, 120, token=50)]
    assert join_wrapped_lines(lines, RIGHT, LEFT, False) == ["系统名称为 Budget Platform 二期"]


@pytest.mark.parametrize("text", ["一、基本情况", "（二）项目管理", "(3)资金", "2.绩效目标", "第三章 总则",
                                  "①产出", "一是加强管理", "3、其他"])
def test_headings_recognised(text: str) -> None:
    assert is_heading(text)


@pytest.mark.parametrize("text", ["3.15个乡镇开展活动", "2023年完成", "98.01%。", "一般性支出", "（万元）"])
def test_non_headings(text: str) -> None:
    assert not is_heading(text)


@needs_soffice
def test_scanned_page_inside_text_pdf_is_warned(converted: dict[str, Path], tmp_path: Path) -> None:
    from pypdf import PdfWriter

    scan = ff.build_scanned_pdf(tmp_path / "scan.pdf", pages=1)
    writer = PdfWriter()
    writer.append(str(converted["report"]))
    writer.append(str(scan))
    mixed = tmp_path / "mixed.pdf"
    with open(mixed, "wb") as fh:
        writer.write(fh)
    result = extract_pdf(mixed)
    assert ff.REPORT_AFTER_TABLE in result.text
    assert any("第2页" in w and "文字层" in w for w in result.warnings)
