"""preflight(): every broken or hostile input gets its own clear code; valid files pass."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.errors import ReadError
from auditor.preflight import DEFAULT_LIMITS, FORMAT_BY_EXTENSION, PREFLIGHT_CODES, Limits, preflight

import hostile_factory as hostile

MiB = 1024 * 1024
REGRESSIONS = Path(__file__).resolve().parent / "fuzz_regressions"


def code_of(path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    """The error code preflight raises for ``path`` (fails the test if it passes)."""
    with pytest.raises(ReadError) as info:
        preflight(path, limits=limits)
    assert info.value.code in PREFLIGHT_CODES, info.value.code
    assert info.value.message  # always a message for the auditor
    return info.value.code


def message_of(path: Path) -> str:
    with pytest.raises(ReadError) as info:
        preflight(path)
    return info.value.message


# --------------------------------------------------------------------------- valid inputs


def test_valid_docx_from_python_docx_passes(tmp_path):
    assert preflight(hostile.valid_docx(tmp_path)) == "docx"


def test_valid_xlsx_passes(tmp_path):
    assert preflight(hostile.valid_xlsx(tmp_path)) == "xlsx"


def test_xlsx_written_by_openpyxl_passes(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["项目名称", "年初预算数", "全年执行数", "执行率"])
    sheet.append(["示例项目", 120, 117.6, "98%"])
    path = tmp_path / "openpyxl.xlsx"
    workbook.save(path)
    assert preflight(path) == "xlsx"


def test_xls_written_by_xlwt_passes(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("自评表")
    sheet.write(0, 0, "得分")
    sheet.write(0, 1, 95)
    path = tmp_path / "xlwt.xls"
    workbook.save(str(path))
    assert preflight(path) == "xls"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_text_in_every_common_encoding_passes(tmp_path, encoding):
    assert preflight(hostile.valid_text(tmp_path, encoding=encoding)) == "txt"


def test_text_with_a_few_form_feeds_and_ctrl_z_passes(tmp_path):
    path = tmp_path / "page-breaks.txt"
    path.write_text(("第一页内容。\f" * 20) + "\x1a", "utf-8")
    assert preflight(path) == "txt"


def test_text_cut_inside_a_multibyte_character_at_the_probe_limit_passes(tmp_path):
    path = tmp_path / "long.txt"
    path.write_bytes(("预算执行率" * 20000).encode("utf-8")[: 64 * 1024 + 1] + "。".encode())
    assert preflight(path) == "txt"


def test_pdf_header_passes_even_after_some_leading_junk(tmp_path):
    assert preflight(hostile.valid_pdf(tmp_path)) == "pdf"
    assert preflight(hostile.valid_pdf(tmp_path, "prefixed.pdf", junk_prefix=b"\r\n" * 100)) == "pdf"


def test_xls_with_an_ole2_header_passes(tmp_path):
    assert preflight(hostile.valid_xls(tmp_path)) == "xls"


@pytest.mark.parametrize("name", ["page.html", "page.htm", "PAGE.HTML"])
def test_html_passes(tmp_path, name):
    assert preflight(hostile.valid_html(tmp_path, name)) == "html"


def test_extension_is_case_insensitive(tmp_path):
    assert preflight(hostile.valid_docx(tmp_path, "REPORT.DOCX")) == "docx"


def test_text_that_mentions_doctype_inside_a_paragraph_is_not_an_entity(tmp_path):
    xml = hostile.plain_document_xml("示例：<!DOCTYPE 与 <!ENTITY 是 XML 的声明。")
    assert b"&lt;!DOCTYPE" in xml
    assert preflight(hostile.docx_with_document_xml(tmp_path, "mentions.docx", xml)) == "docx"


def test_an_svg_image_with_a_doctype_is_not_an_xml_part(tmp_path):
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    path = hostile.docx_with_document_xml(
        tmp_path, "with-svg.docx", hostile.plain_document_xml(), extra_members={"word/media/image1.svg": svg}
    )
    assert preflight(path) == "docx"


def test_stored_members_pass(tmp_path):
    path = hostile.docx_with_document_xml(
        tmp_path, "stored.docx", hostile.plain_document_xml(), compression=zipfile.ZIP_STORED
    )
    assert preflight(path) == "docx"


# --------------------------------------------------------------------------- hostile inputs


HOSTILE_CASES = [
    ("empty", lambda d: hostile.empty_file(d), "empty-file"),
    ("junk named .docx", lambda d: hostile.junk_docx(d), "format-mismatch"),
    ("truncated docx", lambda d: hostile.truncated_docx(d), "corrupt-docx"),
    ("renamed .doc", lambda d: hostile.renamed_doc(d), "format-mismatch"),
    ("renamed OLE2 without names", lambda d: hostile.renamed_doc(d, with_directory_name=False), "format-mismatch"),
    ("encrypted office file", lambda d: hostile.encrypted_ooxml(d), "encrypted-file"),
    ("xxe", lambda d: hostile.xxe_docx(d), "xml-entity"),
    ("billion laughs", lambda d: hostile.billion_laughs_docx(d), "xml-entity"),
    ("utf-16 xxe", lambda d: hostile.utf16_xxe_docx(d), "xml-entity"),
    ("utf-7 xxe", lambda d: hostile.utf7_xxe_docx(d), "xml-entity"),
    ("same-offset overlap", lambda d: hostile.overlapping_zip_docx(d), "zip-bomb"),
    ("quoted overlap", lambda d: hostile.quoted_overlap_docx(d), "zip-bomb"),
    ("fake pdf", lambda d: hostile.fake_pdf(d), "format-mismatch"),
    ("binary txt", lambda d: hostile.binary_txt(d), "binary-text"),
]


@pytest.mark.parametrize("build, expected", [c[1:] for c in HOSTILE_CASES], ids=[c[0] for c in HOSTILE_CASES])
def test_each_hostile_input_gets_its_code(tmp_path, build, expected):
    assert code_of(build(tmp_path)) == expected


def test_empty_file_message(tmp_path):
    assert message_of(hostile.empty_file(tmp_path)) == "文件为空（0 字节）"


def test_renamed_doc_message_says_what_to_do(tmp_path):
    message = message_of(hostile.renamed_doc(tmp_path))
    assert "Word 97-2003" in message and ".doc" in message
    assert "另存为" in message and ".docx" in message


def test_fake_pdf_message(tmp_path):
    assert "不是有效的 PDF" in message_of(hostile.fake_pdf(tmp_path))


def test_pdf_marker_after_1024_bytes_is_not_accepted(tmp_path):
    assert code_of(hostile.valid_pdf(tmp_path, "late.pdf", junk_prefix=b" " * 1100)) == "format-mismatch"


@pytest.fixture(scope="module")
def bomb_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("bombs")


def test_one_gib_zip_bomb_is_rejected(bomb_folder):
    path = hostile.zip_bomb_docx(bomb_folder, "bomb.docx")
    assert path.stat().st_size < 2 * MiB
    assert code_of(path) == "zip-bomb"


def test_zip_bomb_whose_directory_lies_about_its_size_is_rejected(bomb_folder):
    path = hostile.zip_bomb_docx(bomb_folder, "liar.docx", declared_size=12_345)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("word/document.xml").file_size == 12_345
    assert code_of(path) == "zip-bomb"


def test_inflate_ratio_limit_catches_a_bomb_under_the_size_limits(tmp_path):
    path = hostile.zip_bomb_docx(tmp_path, "small-bomb.docx", inflated_bytes=32 * MiB)  # ~1000x
    assert code_of(path) == "zip-bomb"
    assert "解压比" in message_of(path)


def test_a_lie_below_the_limits_is_corruption_not_a_bomb(tmp_path):
    path = hostile.zip_bomb_docx(tmp_path, "small-liar.docx", inflated_bytes=2 * MiB, declared_size=1000)
    assert code_of(path) == "corrupt-docx"


def test_member_count_limit(tmp_path):
    members = {f"word/media/part{n}.xml": b"<a/>" for n in range(30)}
    path = hostile.docx_with_document_xml(tmp_path, "many.docx", hostile.plain_document_xml(), extra_members=members)
    assert preflight(path) == "docx"
    assert code_of(path, Limits(max_members=10)) == "zip-bomb"


def test_member_and_total_byte_limits_are_configurable(tmp_path):
    path = hostile.valid_docx(tmp_path)
    assert code_of(path, Limits(max_member_bytes=1000)) == "zip-bomb"
    assert code_of(path, Limits(max_total_bytes=10_000)) == "zip-bomb"


def test_file_size_limit(tmp_path):
    assert code_of(hostile.valid_text(tmp_path), Limits(max_file_bytes=100)) == "file-too-large"


def test_limits_must_be_positive():
    with pytest.raises(ValueError):
        Limits(max_ratio=0)


@pytest.mark.parametrize("padding", [256 * 1024 - 9, 256 * 1024 - 5, 256 * 1024 - 2, 256 * 1024, 64 * 1024 - 4])
def test_entity_declaration_split_across_chunks_is_found(tmp_path, padding):
    assert code_of(hostile.padded_xxe_docx(tmp_path, padding=padding)) == "xml-entity"


def test_entity_in_any_xml_part_is_found(tmp_path):
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY y "z">]><x>&y;</x>'
    path = hostile.docx_with_document_xml(
        tmp_path, "custom.docx", hostile.plain_document_xml(), extra_members={"customXml/item1.xml": evil}
    )
    assert code_of(path) == "xml-entity"


def test_entity_in_an_xml_part_with_an_unusual_name_is_found(tmp_path):
    evil = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY y "z">]><x>&y;</x>'
    path = hostile.docx_with_document_xml(
        tmp_path, "odd-name.docx", hostile.plain_document_xml(), extra_members={"word/part.dat": evil}
    )
    assert code_of(path) == "xml-entity"


def test_xml_part_sniffed_after_empty_deflate_blocks(tmp_path):
    evil = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY y "z">]><x>&y;</x>'
    path = hostile.docx_with_raw_member(tmp_path, "delayed.docx", "word/blob.bin", evil, empty_blocks_before=30_000)
    assert code_of(path) == "xml-entity"
    harmless = hostile.docx_with_raw_member(
        tmp_path, "delayed-ok.docx", "word/blob.bin", hostile.plain_document_xml(), empty_blocks_before=30_000
    )
    assert preflight(harmless) == "docx"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_entity_in_utf16_or_utf32_without_bom_and_with_leading_space_is_found(tmp_path, encoding):
    evil = ' <!DOCTYPE x [<!ENTITY y SYSTEM "file:///etc/passwd">]><x>&y;</x>'.encode(encoding)
    path = hostile.docx_with_document_xml(tmp_path, "nobom.docx", evil)
    assert code_of(path) == "xml-entity"


def test_unknown_declared_encoding_is_refused(tmp_path):
    xml = b'<?xml version="1.0" encoding="X-NO-SUCH-CHARSET"?><w:document/>'
    assert code_of(hostile.docx_with_document_xml(tmp_path, "enc.docx", xml)) == "xml-encoding"


def test_ebcdic_xml_part_is_refused(tmp_path):
    xml = '<?xml version="1.0" encoding="IBM037"?><w:document/>'.encode("cp037")
    assert code_of(hostile.docx_with_document_xml(tmp_path, "ebcdic.docx", xml)) == "xml-encoding"


def test_compression_method_word_never_uses_is_corruption(tmp_path):
    path = hostile.docx_with_document_xml(
        tmp_path, "bzip2.docx", hostile.plain_document_xml(), compression=zipfile.ZIP_BZIP2
    )
    assert code_of(path) == "corrupt-docx"


def test_bad_crc_is_corruption(tmp_path):
    path = hostile.docx_with_document_xml(
        tmp_path, "crc.docx", hostile.plain_document_xml(), compression=zipfile.ZIP_STORED
    )
    data = bytearray(path.read_bytes())
    at = data.index("一、".encode())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    assert code_of(path) == "corrupt-docx"


def test_truncated_xlsx_is_corrupt_xlsx(tmp_path):
    path = hostile.valid_xlsx(tmp_path)
    path.write_bytes(path.read_bytes()[:-30])
    assert code_of(path) == "corrupt-xlsx"


def test_zip_without_an_office_body_is_corrupt(tmp_path):
    path = tmp_path / "no-body.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("docProps/app.xml", "<Properties/>")
    assert code_of(path) == "corrupt-docx"


def test_plain_zip_named_docx_is_a_mismatch(tmp_path):
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("报告.txt", "内容")
    assert code_of(path) == "format-mismatch"


@pytest.mark.parametrize(
    "source, target, expected_words",
    [
        ("xlsx", "report.docx", "Excel"),
        ("docx", "sheet.xlsx", "Word"),
        ("docx", "report.txt", ".docx"),
        ("docx", "report.pdf", "Word"),
        ("docx", "sheet.xls", "改为 .docx"),
        ("xlsx", "sheet.xls", "改为 .xlsx"),
        ("pdf", "report.docx", "PDF"),
    ],
)
def test_renamed_files_say_what_they_really_are(tmp_path, source, target, expected_words):
    builders = {"xlsx": hostile.valid_xlsx, "docx": hostile.valid_docx, "pdf": hostile.valid_pdf}
    original = builders[source](tmp_path)
    renamed = original.rename(tmp_path / target)
    assert code_of(renamed) == "format-mismatch"
    assert expected_words in message_of(renamed)


def test_html_table_saved_as_xls_is_a_mismatch_with_advice(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>预算</td></tr></table></body></html>", "utf-8")
    assert code_of(path) == "format-mismatch"
    assert "网页" in message_of(path)


def test_junk_xls_is_a_mismatch(tmp_path):
    path = tmp_path / "junk.xls"
    path.write_bytes(bytes(range(256)) * 4)
    assert code_of(path) == "format-mismatch"


def test_word_doc_named_xls_is_a_mismatch(tmp_path):
    path = hostile.renamed_doc(tmp_path, name="wrong.xls")
    assert code_of(path) == "format-mismatch"


def test_text_full_of_control_characters_is_binary(tmp_path):
    path = tmp_path / "controls.txt"
    path.write_bytes(("正文\x02\x03\x04\x05" * 500).encode("utf-8"))
    assert code_of(path) == "binary-text"


def test_binary_html_is_binary(tmp_path):
    path = hostile.binary_txt(tmp_path, name="page.html")
    assert code_of(path) == "binary-text"


@pytest.mark.parametrize("name, advice", [("slides.pptx", "支持的格式"), ("old.docm", ".docx"), ("noext", "无扩展名")])
def test_unsupported_extensions(tmp_path, name, advice):
    path = tmp_path / name
    path.write_bytes(b"content")
    assert code_of(path) == "unsupported-format"
    assert advice in message_of(path)


@pytest.mark.parametrize("name", ["photo.jpg", "scan.JPEG", "page.png", "fax.tif", "fax.tiff", "img.bmp", "a.gif"])
def test_images_need_ocr(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\xff\xd8\xff\xe0 not really a picture")
    assert code_of(path) == "needs-ocr"
    assert "OCR" in message_of(path)


OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize("name, fmt", [("old.doc", "doc"), ("wps文字.wps", "wps"), ("表.et", "et")])
def test_legacy_office_files_pass_to_the_converter(tmp_path, name, fmt):
    path = tmp_path / name
    stream = "Workbook" if fmt == "et" else "WordDocument"
    path.write_bytes(OLE2_HEADER + bytes(504) + stream.encode("utf-16-le") + b"\x00\x00")
    assert preflight(path) == fmt


def test_a_doc_that_is_not_ole2_is_a_mismatch(tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(b"content")
    assert code_of(path) == "format-mismatch"
    assert ".docx" in message_of(path)
    pdf = tmp_path / "renamed.doc"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(100))
    assert code_of(pdf) == "format-mismatch" and "PDF" in message_of(pdf)


def test_a_doc_holding_a_workbook_or_a_password_is_refused(tmp_path):
    sheet = tmp_path / "sheet.doc"
    sheet.write_bytes(OLE2_HEADER + bytes(504) + "Workbook".encode("utf-16-le") + b"\x00\x00")
    assert code_of(sheet) == "format-mismatch"
    locked = tmp_path / "locked.wps"
    locked.write_bytes(OLE2_HEADER + bytes(504) + "EncryptedPackage".encode("utf-16-le") + b"\x00\x00")
    assert code_of(locked) == "encrypted-file"


def test_rtf_and_web_pages_saved_as_doc_pass(tmp_path):
    rtf = tmp_path / "a.rtf"
    rtf.write_bytes(b"{\\rtf1\\ansi hello}")
    assert preflight(rtf) == "rtf"
    page = tmp_path / "page.doc"
    page.write_bytes(b"<html><body>web page saved as .doc</body></html>")
    assert preflight(page) == "doc"
    not_rtf = tmp_path / "b.rtf"
    not_rtf.write_bytes(b"plain words")
    assert code_of(not_rtf) == "format-mismatch"


def test_odf_is_checked_like_a_zip_container(tmp_path):
    good = tmp_path / "a.odt"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<?xml version='1.0'?><office:document-content/>")
    assert preflight(good) == "odt"
    hostile_odf = tmp_path / "b.ods"
    with zipfile.ZipFile(hostile_odf, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x/>")
    assert code_of(hostile_odf) == "xml-entity"
    empty = tmp_path / "c.odt"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("other.txt", "x")
    assert code_of(empty) == "corrupt-odt"
    not_zip = tmp_path / "d.odt"
    not_zip.write_bytes(b"just text")
    assert code_of(not_zip) == "format-mismatch"


def test_missing_path_and_folder(tmp_path):
    assert code_of(tmp_path / "absent.docx") == "file-not-found"
    folder = tmp_path / "folder.docx"
    folder.mkdir()
    assert code_of(folder) == "not-a-file"


# --------------------------------------------------------------------------- properties


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096), extension=st.sampled_from(sorted(FORMAT_BY_EXTENSION)))
def test_arbitrary_bytes_only_ever_raise_read_error(tmp_path, data, extension):
    path = tmp_path / f"any{extension}"
    path.write_bytes(data)
    try:
        assert preflight(path) == FORMAT_BY_EXTENSION[extension]
    except ReadError as error:
        assert error.code in PREFLIGHT_CODES


@pytest.fixture(scope="module")
def docx_bytes(tmp_path_factory) -> bytes:
    return hostile.valid_docx(tmp_path_factory.mktemp("docx")).read_bytes()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.floats(0.01, 1)),
)
def test_damaged_docx_only_ever_raises_read_error(tmp_path, docx_bytes, edits, cut):
    data = bytearray(docx_bytes)
    for where, value in edits:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: max(1, int(cut * len(data)))]
    path = tmp_path / "damaged.docx"
    path.write_bytes(bytes(data))
    try:
        assert preflight(path) == "docx"
    except ReadError as error:
        assert error.code in PREFLIGHT_CODES


# --------------------------------------------------------------------------- fuzz regressions


def _regression_files() -> list[Path]:
    if not REGRESSIONS.is_dir():
        return []
    return sorted(p for p in REGRESSIONS.iterdir() if p.is_file() and p.suffix.lower() in FORMAT_BY_EXTENSION)


def _expected_outcome(path: Path) -> str | None:
    """``corpus-<outcome>-<hash>.<ext>`` pins an outcome; ``crash-*`` files pin none."""
    if not path.name.startswith("corpus-"):
        return None
    return path.stem[len("corpus-"):].rsplit("-", 1)[0]


@pytest.mark.parametrize("path", _regression_files(), ids=lambda p: p.name)
def test_fuzz_regressions(path):
    try:
        outcome = preflight(path)
        assert outcome == FORMAT_BY_EXTENSION[path.suffix.lower()]
    except ReadError as error:
        assert error.code in PREFLIGHT_CODES
        outcome = error.code
    expected = _expected_outcome(path)
    if expected is not None:
        assert outcome == expected


def test_there_are_regression_fixtures_to_replay():
    assert len(_regression_files()) >= 10
