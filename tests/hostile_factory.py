"""Builders for broken and hostile submissions, made in code into a folder (``tmp_path``).

Every builder takes the target folder and returns the path it wrote. Nothing here is read
from disk fixtures, and no real report text is used: the Chinese text is synthetic.

The module also holds small top-level "hostile callables" (hang, allocate, crash …) used by
the isolation tests: a worker process must be able to import them by name, and this module is
cheap to import (python-docx is imported only inside the docx builders).
"""

from __future__ import annotations

import io
import os
import random
import struct
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

from auditor.errors import ReadError

GiB = 1024 * 1024 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

SYNTHETIC_PARAGRAPHS = (
    "一、单位基本情况：本单位年度共开展示范调研七次，组织培训两期。",
    "二、预算执行情况：全年预算数为一百二十万元，执行率为百分之九十八。",
    "三、绩效目标完成情况：各项产出指标均已完成，满意度达到预期。",
)

_CONTENT_TYPES_DOCX = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
_RELS_DOCX = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_W_NS = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --------------------------------------------------------------------------- valid inputs


def valid_docx(folder: Path, name: str = "valid.docx") -> Path:
    """A real .docx written by python-docx, with a paragraph per synthetic sentence and a table."""
    import docx  # python-docx; imported lazily to keep worker start-up light

    document = docx.Document()
    document.add_heading("某单位部门整体支出绩效自评报告（示例）", level=1)
    for paragraph in SYNTHETIC_PARAGRAPHS:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=2, cols=3)
    for column, text in enumerate(("指标", "指标值", "完成值")):
        table.cell(0, column).text = text
    for column, text in enumerate(("培训期数", "2期", "2期")):
        table.cell(1, column).text = text
    path = folder / name
    document.save(path)
    return path


def valid_xlsx(folder: Path, name: str = "valid.xlsx", sheet_xml: str | None = None) -> Path:
    """A minimal but well-formed .xlsx (one sheet, inline strings), written with zipfile;
    ``sheet_xml`` replaces the sheet."""
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="自评表" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml or _VALID_SHEET_XML)
    return path


_SHEET_ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>年初预算数</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>全年执行数</t></is></c></row>'
    '<row r="2"><c r="A2"><v>120</v></c><c r="B2"><v>117.6</v></c></row>'
)


def _sheet_xml(rows: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            f"{rows}</sheetData></worksheet>")


_VALID_SHEET_XML = _sheet_xml(_SHEET_ROWS)


def valid_text(folder: Path, name: str = "valid.txt", encoding: str = "utf-8") -> Path:
    """Synthetic report text in a table-export layout, in the given encoding (``utf-16``
    writes a BOM; ``utf-16-le`` does not)."""
    text = "\n".join(SYNTHETIC_PARAGRAPHS) + "\n\t指标\n\t指标值\n\n\t培训期数\n\t2期\n"
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def valid_pdf(folder: Path, name: str = "valid.pdf", junk_prefix: bytes = b"") -> Path:
    """The start of a PDF (header and one object). ``junk_prefix`` puts bytes before the
    ``%PDF-`` marker, as some mail gateways do; readers accept it within 1024 bytes."""
    path = folder / name
    path.write_bytes(
        junk_prefix + b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
    )
    return path


def valid_xls(folder: Path, name: str = "valid.xls") -> Path:
    """An OLE2 compound file header followed by a directory entry named ``Workbook``."""
    return _ole2_file(folder / name, stream_name="Workbook")


def valid_html(folder: Path, name: str = "valid.html") -> Path:
    path = folder / name
    body = "".join(f"<p>{p}</p>" for p in SYNTHETIC_PARAGRAPHS)
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}</body></html>", "utf-8")
    return path


# --------------------------------------------------------------------------- hostile inputs


def empty_file(folder: Path, name: str = "empty.docx") -> Path:
    path = folder / name
    path.write_bytes(b"")
    return path


def junk_docx(folder: Path, name: str = "junk.docx", size: int = 4096) -> Path:
    """Random bytes named .docx (no recognisable signature)."""
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(size))
    if data.startswith((b"PK", OLE2_MAGIC[:2], b"%PDF")):  # pragma: no cover - seed is fixed
        data = b"\x01" + data[1:]
    path = folder / name
    path.write_bytes(data)
    return path


def truncated_docx(folder: Path, name: str = "truncated.docx") -> Path:
    """A valid python-docx document cut in half (the central directory is lost)."""
    full = valid_docx(folder, name="untruncated-source.docx")
    data = full.read_bytes()
    full.unlink()
    path = folder / name
    path.write_bytes(data[: len(data) // 2])
    return path


def renamed_doc(folder: Path, name: str = "old-format.docx", with_directory_name: bool = True) -> Path:
    """An OLE2 header plus junk, named .docx (a Word 97-2003 .doc that was renamed).

    With ``with_directory_name`` the junk carries the UTF-16 directory name ``WordDocument``
    as a real .doc does, so the message can say exactly what the file is.
    """
    return _ole2_file(folder / name, stream_name="WordDocument" if with_directory_name else None)


def encrypted_ooxml(folder: Path, name: str = "locked.docx") -> Path:
    """A password-protected Office file: OLE2 with an ``EncryptedPackage`` stream."""
    return _ole2_file(folder / name, stream_name="EncryptedPackage")


def _ole2_file(path: Path, stream_name: str | None) -> Path:
    rng = random.Random(11)
    header = OLE2_MAGIC + bytes(504)
    junk = bytearray(rng.randrange(256) for _ in range(3 * 512))
    if stream_name:
        entry = stream_name.encode("utf-16-le") + b"\x00\x00"
        junk[512 : 512 + len(entry)] = entry
    path.write_bytes(header + bytes(junk))
    return path


def docx_with_document_xml(
    folder: Path,
    name: str,
    document_xml: bytes,
    *,
    extra_members: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A minimal OOXML package whose ``word/document.xml`` is exactly ``document_xml``,
    plus ``extra_members`` (name → bytes), all written with ``compression``."""
    path = folder / name
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES_DOCX)
        archive.writestr("_rels/.rels", _RELS_DOCX)
        archive.writestr("word/document.xml", document_xml)
        for member_name, data in (extra_members or {}).items():
            archive.writestr(member_name, data)
    return path


def plain_document_xml(text: str = SYNTHETIC_PARAGRAPHS[0]) -> bytes:
    """A harmless word/document.xml with one paragraph of ``text`` (XML-escaped)."""
    from xml.sax.saxutils import escape

    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="' + _W_NS
        + b'"><w:body><w:p><w:r><w:t>' + escape(text).encode("utf-8") + b"</w:t></w:r></w:p></w:body></w:document>"
    )


def write_raw_zip(path: Path, entries: list[tuple[str, int, bytes, int, int]]) -> Path:
    """Write a zip by hand from (name, method, compressed bytes, crc32, uncompressed size)
    entries, so tests can put arbitrary (even malformed) streams in a member."""
    body = io.BytesIO()
    directory = io.BytesIO()
    for member_name, method, data, crc, usize in entries:
        encoded = member_name.encode("utf-8")
        offset = body.tell()
        body.write(_local_header(encoded, method, crc, len(data), usize) + data)
        directory.write(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), usize,
                        len(encoded), 0, 0, 0, 0, 0, offset) + encoded
        )
    directory_offset = body.tell()
    body.write(directory.getvalue())
    body.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                           len(directory.getvalue()), directory_offset, 0))
    path.write_bytes(body.getvalue())
    return path


def deflate_raw(data: bytes, empty_blocks_before: int = 0) -> bytes:
    """Raw deflate of ``data``, optionally preceded by empty stored blocks (which inflate to
    nothing, delaying the first output byte)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return b"\x00\x00\x00\xff\xff" * empty_blocks_before + compressor.compress(data) + compressor.flush()


def docx_with_raw_member(folder: Path, name: str, member_name: str, data: bytes, empty_blocks_before: int) -> Path:
    """A minimal docx plus one extra member whose deflate stream starts with empty blocks."""
    entries = [
        ("[Content_Types].xml", 8, deflate_raw(_CONTENT_TYPES_DOCX), zlib.crc32(_CONTENT_TYPES_DOCX), len(_CONTENT_TYPES_DOCX)),
        ("_rels/.rels", 8, deflate_raw(_RELS_DOCX), zlib.crc32(_RELS_DOCX), len(_RELS_DOCX)),
        ("word/document.xml", 8, deflate_raw(plain_document_xml()), zlib.crc32(plain_document_xml()), len(plain_document_xml())),
        (member_name, 8, deflate_raw(data, empty_blocks_before), zlib.crc32(data), len(data)),
    ]
    return write_raw_zip(folder / name, entries)


def quoted_overlap_docx(folder: Path, name: str = "quoted-overlap.docx") -> Path:
    """Two stored members where the first member's data CONTAINS the second member (local
    header and data): the "quoted overlap" of non-recursive zip bombs, at distinct offsets."""
    inner_name, outer_name = b"word/document.xml", b"word/wrapper.xml"
    inner_data = plain_document_xml()
    inner = _local_header(inner_name, 0, zlib.crc32(inner_data), len(inner_data), len(inner_data)) + inner_name + inner_data
    stored: list[tuple[bytes, bytes]] = [
        (b"[Content_Types].xml", _CONTENT_TYPES_DOCX),
        (b"_rels/.rels", _RELS_DOCX),
    ]
    body = io.BytesIO()
    entries = []
    for member_name, data in stored:
        entries.append((member_name, zlib.crc32(data), len(data), body.tell()))
        body.write(_local_header(member_name, 0, zlib.crc32(data), len(data), len(data)) + member_name + data)
    outer_offset = body.tell()
    outer_header = _local_header(outer_name, 0, zlib.crc32(inner), len(inner), len(inner)) + outer_name
    body.write(outer_header + inner)
    entries.append((outer_name, zlib.crc32(inner), len(inner), outer_offset))
    entries.append((inner_name, zlib.crc32(inner_data), len(inner_data), outer_offset + len(outer_header)))
    directory_offset = body.tell()
    central = b"".join(
        struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, crc, size, size,
                    len(member_name), 0, 0, 0, 0, 0, offset) + member_name
        for member_name, crc, size, offset in entries
    )
    body.write(central)
    body.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                           len(central), directory_offset, 0))
    path = folder / name
    path.write_bytes(body.getvalue())
    return path


def xxe_docx(folder: Path, name: str = "xxe.docx") -> Path:
    """document.xml declares an external entity that would read a local file."""
    xml = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        b'<!DOCTYPE w:document [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>\n'
        b'<w:document xmlns:w="' + _W_NS + b'"><w:body><w:p><w:r><w:t>&secret;</w:t>'
        b"</w:r></w:p></w:body></w:document>"
    )
    return docx_with_document_xml(folder, name, xml)


def billion_laughs_docx(folder: Path, name: str = "laughs.docx") -> Path:
    """document.xml with nested internal entities that expand to 10^9 copies of a word."""
    entities = [b'<!ENTITY lol0 "lol">']
    for level in range(1, 10):
        entities.append(b"<!ENTITY lol%d \"%s\">" % (level, (b"&lol%d;" % (level - 1)) * 10))
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE w:document [\n'
        + b"\n".join(entities)
        + b'\n]>\n<w:document xmlns:w="' + _W_NS + b'"><w:body><w:p><w:r><w:t>&lol9;</w:t>'
        b"</w:r></w:p></w:body></w:document>"
    )
    return docx_with_document_xml(folder, name, xml)


def utf16_xxe_docx(folder: Path, name: str = "xxe-utf16.docx", split_at: int | None = None) -> Path:
    """An XXE document.xml encoded as UTF-16LE with a BOM (no ASCII ``<!DOCTYPE`` bytes)."""
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<!DOCTYPE w:document [ <!ENTITY x SYSTEM "file:///etc/hostname"> ]>\n'
        f'<w:document xmlns:w="{_W_NS.decode()}"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    return docx_with_document_xml(folder, name, "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"))


def padded_xxe_docx(folder: Path, name: str = "xxe-padded.docx", padding: int = 256 * 1024 - 3) -> Path:
    """The DOCTYPE comes after ``padding`` bytes of whitespace-free comment, so that the
    declaration straddles the boundary between two inflated chunks."""
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!--' + b"x" * padding + b"-->"
        b'<!DOCTYPE w:document [ <!ENTITY e "boom"> ]><w:document xmlns:w="' + _W_NS + b'"/>'
    )
    return docx_with_document_xml(folder, name, xml)


def utf7_xxe_docx(folder: Path, name: str = "xxe-utf7.docx") -> Path:
    """An XXE hidden by a declared UTF-7 encoding (``<!`` becomes ``+ADwAIQ-``)."""
    decl = b'<?xml version="1.0" encoding="UTF-7"?>\n'
    body = '<!DOCTYPE w:document [ <!ENTITY e SYSTEM "file:///etc/passwd"> ]><w:document/>'
    return docx_with_document_xml(folder, name, decl + body.encode("utf-7"))


def zip_bomb_docx(
    folder: Path,
    name: str = "bomb.docx",
    inflated_bytes: int = GiB,
    declared_size: int | None = None,
) -> Path:
    """A .docx whose ``word/document.xml`` inflates to ``inflated_bytes`` of repeated bytes.

    The deflate stream is built by repeating one fully-flushed compressed segment, so the file
    stays about 1 MB per GiB on disk and is built in well under a second. ``declared_size``
    makes the central directory (and local header) LIE about the uncompressed size.
    """
    segment_plain = b"A" * (1024 * 1024)
    if inflated_bytes % len(segment_plain):
        raise ValueError("inflated_bytes must be a multiple of 1 MiB")
    repeats = inflated_bytes // len(segment_plain)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(segment_plain) + compressor.flush(zlib.Z_FULL_FLUSH)
    segment = compressor.compress(segment_plain) + compressor.flush(zlib.Z_FULL_FLUSH)
    ending = compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(repeats):  # ~0.3 s per GiB in C
        crc = zlib.crc32(segment_plain, crc)
    compressed_len = len(first) + len(segment) * (repeats - 1) + len(ending)
    declared = inflated_bytes if declared_size is None else declared_size

    members: list[tuple[bytes, int, int, int, int, bytes | None]] = []  # name, method, crc, csize, usize, data
    for member_name, data in (("[Content_Types].xml", _CONTENT_TYPES_DOCX), ("_rels/.rels", _RELS_DOCX)):
        packed = zlib.compressobj(9, zlib.DEFLATED, -15)
        body = packed.compress(data) + packed.flush()
        members.append((member_name.encode(), 8, zlib.crc32(data), len(body), len(data), body))

    path = folder / name
    central = io.BytesIO()
    with open(path, "wb") as out:
        entries = []
        for member_name, method, member_crc, csize, usize, body in members:
            offset = out.tell()
            out.write(_local_header(member_name, method, member_crc, csize, usize))
            out.write(body)
            entries.append((member_name, method, member_crc, csize, usize, offset))
        offset = out.tell()
        bomb_name = b"word/document.xml"
        out.write(_local_header(bomb_name, 8, crc, compressed_len, declared))
        out.write(first)
        for _ in range(repeats - 1):
            out.write(segment)
        out.write(ending)
        entries.append((bomb_name, 8, crc, compressed_len, declared, offset))
        directory_offset = out.tell()
        for member_name, method, member_crc, csize, usize, member_offset in entries:
            central.write(
                struct.pack(
                    "<4s6H3L5H2L",
                    b"PK\x01\x02", 20, 20, 0, method, 0, 0x21,
                    member_crc, csize, usize, len(member_name), 0, 0, 0, 0, 0, member_offset,
                )
                + member_name
            )
        out.write(central.getvalue())
        out.write(
            struct.pack(
                "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                len(central.getvalue()), directory_offset, 0,
            )
        )
    return path


def _local_header(name: bytes, method: int, crc: int, csize: int, usize: int) -> bytes:
    return struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, csize, usize, len(name), 0) + name


def overlapping_zip_docx(folder: Path, name: str = "overlap.docx", copies: int = 50) -> Path:
    """A "non-recursive" zip bomb: many directory entries pointing at ONE compressed stream."""
    path = zip_bomb_docx(folder, name="overlap-source.docx", inflated_bytes=8 * 1024 * 1024)
    source = path.read_bytes()
    path.unlink()
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        bomb = archive.getinfo("word/document.xml")
        infos = archive.infolist()
    directory_offset = struct.unpack_from("<L", source, source.rfind(b"PK\x05\x06") + 16)[0]
    body = source[:directory_offset]
    central = io.BytesIO()
    entries = [(i.filename.encode(), i.CRC, i.compress_size, i.file_size, i.header_offset) for i in infos]
    entries += [
        (f"word/media/copy{n}.xml".encode(), bomb.CRC, bomb.compress_size, bomb.file_size, bomb.header_offset)
        for n in range(copies)
    ]
    for member_name, member_crc, csize, usize, offset in entries:
        central.write(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21,
                        member_crc, csize, usize, len(member_name), 0, 0, 0, 0, 0, offset)
            + member_name
        )
    path = folder / name
    path.write_bytes(
        body + central.getvalue()
        + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                      len(central.getvalue()), directory_offset, 0)
    )
    return path


def fake_pdf(folder: Path, name: str = "fake.pdf") -> Path:
    """Plain text saved with a .pdf name."""
    path = folder / name
    path.write_text("这不是PDF文件，只是改了扩展名的文本。\n" * 20, "utf-8")
    return path


def binary_txt(folder: Path, name: str = "binary.txt", size: int = 8192) -> Path:
    """Random bytes with NULs, named .txt."""
    rng = random.Random(3)
    data = bytearray(rng.randrange(256) for _ in range(size))
    data[::97] = bytes(len(data[::97]))  # make sure there are NULs
    data[:4] = b"\x01\x02\x00\x03"
    path = folder / name
    path.write_bytes(bytes(data))
    return path


# --------------------------------------------------------------------------- hostile callables


def return_value(value: Any) -> Any:
    """Behaves: returns its argument."""
    return value


def sleep_forever() -> None:
    """Hangs (like a parser stuck in a loop)."""
    while True:
        time.sleep(3600)


def allocate(n_bytes: int) -> int:
    """Allocates ``n_bytes`` at once (like a parser expanding a bomb)."""
    block = bytearray(n_bytes)
    return len(block)


def exit_abruptly(status: int = 3) -> None:
    """Leaves the process without cleanup (like a C library calling exit())."""
    os._exit(status)


def segfault() -> None:
    """Reads address 0 (like a crashing C extension)."""
    import ctypes

    ctypes.string_at(0)


def raise_read_error(message: str, code: str) -> None:
    raise ReadError(message, code=code)


def raise_value_error(text: str) -> None:
    raise ValueError(text)


def pid() -> int:
    """The worker's process id (to see whether a pool reuses its worker)."""
    return os.getpid()


# --------------------------------------------------------------------------- round two (issue 13)

REPORT_TEXT = (
    "2024年度示例单位部门整体支出绩效自评报告\n"
    "一、部门基本情况\n"
    "本单位全年组织培训12期，走访群众350余人次，开展专题调研8次。\n"
    "二、预算执行情况\n"
    "全年预算数100.00万元，其中：基本支出60.00万元，项目支出50.00万元。\n"
)


def gbk_named_report(folder: Path, stem: str = "报告") -> Path:
    """A good report whose file NAME is GBK bytes (as unzip leaves names from Chinese Windows)."""
    raw = os.fsencode(folder) + b"/" + stem.encode("gbk") + b".txt"
    with open(raw, "wb") as handle:
        handle.write(REPORT_TEXT.encode("utf-8"))
    return Path(os.fsdecode(raw))


def fifo(folder: Path, name: str = "pipe.txt") -> Path:
    """A named pipe with a report's name: opening it for reading blocks until a writer comes."""
    path = folder / name
    os.mkfifo(path)
    return path


def symlink(folder: Path, name: str, target: str | Path) -> Path:
    path = folder / name
    os.symlink(target, path)
    return path


def control_char_report(folder: Path, name: str = "title-bel.txt") -> Path:
    """A report whose title (which becomes the unit) holds a BEL, and whose body an ESC sequence."""
    path = folder / name
    body = REPORT_TEXT.split("\n", 1)[1].replace("走访群众", "走访\x1b[31m群众")
    path.write_text("2024年度示例县文化\x07馆部门整体支出绩效自评报告\n" + body, encoding="utf-8")
    return path


def html_declaring_utf16(folder: Path, name: str = "claims-utf16.html") -> Path:
    """A page that declares charset=utf-16 but whose bytes are UTF-8 (a common template bug)."""
    body = "".join(f"<p>{line}</p>" for line in REPORT_TEXT.splitlines())
    page = f'<html><head><meta charset="utf-16"></head><body>{body}</body></html>'
    path = folder / name
    data = page.encode("utf-8")
    path.write_bytes(data + (b" " if len(data) % 2 else b""))  # even length: UTF-16 "decodes"
    return path


def utf16le_without_bom(folder: Path, name: str = "utf16-nobom.txt") -> Path:
    path = folder / name
    path.write_bytes(REPORT_TEXT.encode("utf-16-le"))
    return path


def utf16le_without_bom_or_ascii(folder: Path, name: str = "utf16-nobom-han.txt") -> Path:
    """UTF-16LE without BOM and without any ASCII character (so no NUL byte): valid GB18030
    bytes, which decode to kana and rare ideographs."""
    text = "".join(ch for ch in REPORT_TEXT if ord(ch) > 0x2000) * 3
    path = folder / name
    path.write_bytes(text.encode("utf-16-le"))
    return path


def mixed_gbk_utf8(folder: Path, name: str = "mixed.txt") -> Path:
    """Lines pasted from two sources: some GBK, some UTF-8."""
    lines = REPORT_TEXT.splitlines()
    data = b"\n".join(line.encode("gbk" if n % 2 else "utf-8") for n, line in enumerate(lines)) + b"\n"
    path = folder / name
    path.write_bytes(data)
    return path


def docx_main_part_named_dat(folder: Path, name: str = "dat-entity.docx", padding: int = 100) -> Path:
    """A .docx whose main part is ``word/document.dat`` (the content types say so) and starts
    with spaces before an entity declaration: only a scan by content sees it."""
    body = (b" " * padding + b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<!DOCTYPE w:document [<!ENTITY e "x">]>'
            b'<w:document xmlns:w="' + _W_NS + b'"><w:body><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:body></w:document>')
    types = _CONTENT_TYPES_DOCX.replace(b"/word/document.xml", b"/word/document.dat")
    rels = _RELS_DOCX.replace(b"word/document.xml", b"word/document.dat")
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.dat", body)
    return path


def stray_cell_xlsx(folder: Path, name: str = "stray-cell.xlsx", row: int = 1_048_576,
                    column: str = "A") -> Path:
    """A real little sheet plus one stray cell far below it (row 1,048,576 is Excel's last)."""
    stray = f'<row r="{row}"><c r="{column}{row}"><v>1</v></c></row>'
    return valid_xlsx(folder, name, sheet_xml=_sheet_xml(_SHEET_ROWS + stray))


def deep_div_html(folder: Path, name: str = "deep-divs.html", depth: int = 200_000) -> Path:
    path = folder / name
    path.write_text("<html><body>" + "<div>" * depth + "<p>" + REPORT_TEXT.replace("\n", "<br>") + "</p>"
                    + "</div>" * depth + "</body></html>", encoding="utf-8")
    return path


def big_text(folder: Path, name: str = "big.txt", size: int = 1024 * 1024) -> Path:
    """A plausible but heavy report text of about ``size`` bytes (the report repeated)."""
    unit = REPORT_TEXT.encode("utf-8")
    path = folder / name
    path.write_bytes(unit * max(1, size // len(unit)))
    return path


def terminal_escape_named_report(folder: Path) -> Path:
    path = folder / "esc\x1b[2J\x1b[31mred.txt"
    path.write_text(REPORT_TEXT, encoding="utf-8")
    return path


def audit_then_die_once(path: str, *args: Any) -> Any:
    """A batch task that kills its own worker with SIGKILL (as an operator or the OOM killer
    would) the first time it sees a file named ``kill-me*``; a hidden marker file next to it
    remembers (hidden: a folder search gives every other file a row)."""
    import signal

    from auditor.batch import audit_task

    marker = Path(path).parent / f".{Path(path).name}.killed"
    if Path(path).name.startswith("kill-me") and not marker.exists():
        marker.write_text("killed once", encoding="utf-8")
        os.kill(os.getpid(), signal.SIGKILL)
    return audit_task(path, *args)


def read_sheet_out_of_memory(path: str) -> None:
    """Run the sheet reader with calamine's reader raising MemoryError (as under the limit)."""
    from unittest import mock

    from auditor.engine import read_document

    with mock.patch("python_calamine.CalamineWorkbook.from_path", side_effect=MemoryError):
        read_document(Path(path))


def kill_self() -> None:
    """The worker is killed with SIGKILL, as an operator's ``kill -9`` would."""
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def always_die_task(path: str, *args: Any) -> Any:
    """A batch task whose worker is killed every time it reads a file named ``always-die*``;
    each attempt is counted in a ``.attempts`` file next to it."""
    import signal

    from auditor.batch import audit_task

    if Path(path).name.startswith("always-die"):
        counter = Path(path).parent / f".{Path(path).stem}.attempts"  # hidden: not an input
        with open(counter, "a", encoding="utf-8") as handle:
            handle.write("x")
        os.kill(os.getpid(), signal.SIGKILL)
    return audit_task(path, *args)


def wait_to_be_killed_task(path: str, *args: Any) -> Any:
    """A batch task that, for a file named ``victim*``, writes its worker's pid to ``<file>.pid``
    and waits (up to 60 s) for someone outside to kill it; other files are audited normally."""
    from auditor.batch import audit_task

    if Path(path).name.startswith("victim"):
        (Path(path).parent / f".{Path(path).stem}.pid").write_text(str(os.getpid()), encoding="utf-8")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.05)
    return audit_task(path, *args)


def sleep_then_return(seconds: float, value: Any) -> Any:
    """Works for a while, then behaves (to keep a worker busy while another call waits behind it)."""
    time.sleep(seconds)
    return value
