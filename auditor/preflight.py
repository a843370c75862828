"""Pre-flight checks that run on a submitted file BEFORE any parser sees it.

``preflight(path)`` returns the detected format ("txt", "docx", "xlsx", "xls", "pdf", "html", or
one that :mod:`auditor.readers.convert` turns into .docx/.xlsx with LibreOffice: "doc", "wps", "odt",
"rtf", "et", "ods") or raises :class:`auditor.errors.ReadError` with a stable code and a Chinese
message that tells the auditor why the file cannot be read and, where possible, what to do about it.

Codes raised here (stable; other tools key on them, see ``PREFLIGHT_CODES``):

========================  ==============================================================
``file-not-found``        the path does not exist
``not-a-file``            the path is a folder, a device, a socket …
``unreadable-file``       the operating system refused to read it (permissions, I/O)
``empty-file``            0 bytes
``file-too-large``        larger than ``Limits.max_file_bytes``; a .txt (.html) larger than
                          ``Limits.max_text_file_bytes`` (``max_html_file_bytes``)
``unsupported-format``    an extension the auditor does not read (.pptx, .zip, no extension …)
``needs-ocr``             an image (.jpg .jpeg .png .tif .tiff .bmp .gif): a scan or a photo,
                          whose text must first be recognised (OCR); the PDF reader raises
                          ``scanned-pdf`` for a PDF without a text layer
``format-mismatch``       the bytes are not what the extension says. The message names what
                          the file really is when it can tell (Word 97-2003 .doc, .xlsx, PDF,
                          an HTML page saved as .xls …). Decision: a .docx/.xlsx that is
                          *not a zip at all* is a format mismatch; a zip that is damaged is
                          ``corrupt-docx`` / ``corrupt-xlsx``.
``encrypted-file``        a password-protected Office file (OLE2 ``EncryptedPackage``, or
                          encrypted zip members)
``corrupt-docx``          a .docx zip that is truncated, has bad CRCs, inconsistent headers,
                          duplicate parts, compression methods Word never writes, or no
                          ``word/`` part
``corrupt-xlsx``          the same for .xlsx
``corrupt-odt``           the same for an OpenDocument .odt (.ods: ``corrupt-ods``), which
                          has no ``[Content_Types].xml`` but a ``mimetype`` or ``content.xml``
``converter-missing``     (raised by ``readers.convert``) a .doc/.wps/.odt/.rtf/.et/.ods while
                          LibreOffice is not installed: save it as .docx/.xlsx
``conversion-failed``     (``readers.convert``) LibreOffice could not open the file
``conversion-timeout``    (``readers.convert``) the conversion passed its time limit
``zip-bomb``              a zip container whose members, counted WHILE inflating, pass a
                          limit of :class:`Limits` (member count, bytes per member, total
                          bytes, inflate ratio) or whose members overlap
``xml-entity``            an OOXML XML part contains ``<!DOCTYPE`` or ``<!ENTITY`` (XXE,
                          billion laughs; Word and Excel never write one)
``xml-encoding``          an OOXML XML part declares a character encoding that cannot be
                          checked (unknown to Python, or EBCDIC), so the entity scan could
                          be bypassed
``binary-text``           a .txt/.html whose first 64 KiB are not text in UTF-8, UTF-16/32
                          (BOM or not), or GB18030 (NUL characters, many control characters,
                          or undecodable)
``mixed-encoding``        a .txt/.html whose lines are each UTF-8 or GB18030, but not all the
                          same one (pieces pasted together from two sources)
``unreadable-text``       the decoded text is not readable Chinese (raised by the readers'
                          common check :func:`auditor.readers.decode.check_readable`)
``text-too-large``        (raised by ``engine.read_document``) a rendered Document text above
                          ``Limits.max_document_chars``
``sheet-too-large``       (raised by the sheet reader) a sheet whose used range holds more than
                          ``Limits.max_sheet_cells``
``symlink-outside``       (folder search) a symlink whose target is outside the folder
``symlink-loop``          a symlink that points to itself, directly or through others
========================  ==============================================================

Why the zip members are inflated here by hand instead of through ``zipfile.open``: the
``ZipExtFile`` that ``zipfile.open`` returns stops at the uncompressed size declared in the
central directory, so a member that *lies* about its size is never seen at its real size (it
only fails later with a CRC error, or passes to a reader that does not stop there). This module
reads each member's raw deflate stream from its local header and counts the bytes that
``zlib`` actually produces, 256 KiB at a time, stopping as soon as a limit is passed. A 1 MB
document that inflates to 1 GiB is therefore rejected after ~100 MiB of inflation (about 0.1 s
on the development machine), and never held in memory.
"""

from __future__ import annotations

import codecs
import dataclasses
import errno
import os
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from auditor.errors import ReadError

__all__ = [
    "DEFAULT_LIMITS",
    "FORMAT_BY_EXTENSION",
    "Limits",
    "PREFLIGHT_CODES",
    "preflight",
]

_MiB = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Limits:
    """Resource limits applied by :func:`preflight`.

    All byte counts are *actual* bytes (counted while reading or inflating), never the sizes
    a file declares about itself.

    - ``max_file_bytes`` (200 MiB): the file on disk. Real reports are a few MB at most.
    - ``max_members`` (2000): entries in a .docx/.xlsx zip. A long Word report with many
      images has a few hundred.
    - ``max_member_bytes`` (100 MiB): inflated bytes of one zip member (document.xml of a
      300-page report is a few MB; a 100k-row sheet XML some tens of MB).
    - ``max_total_bytes`` (300 MiB): inflated bytes of all members together.
    - ``max_ratio`` (200): inflated / compressed bytes, per member and for the whole file.
      Office XML compresses 5-30x; a zip bomb 1000x. Only enforced once more than
      ``ratio_grace_bytes`` have been inflated, so that tiny, very regular parts pass.
    - ``ratio_grace_bytes`` (10 MiB): see ``max_ratio``.
    - ``text_probe_bytes`` (64 KiB): how much of a .txt/.html is examined for binary content.
    - ``max_text_file_bytes`` (8 MiB): a .txt/.html file. The longest real report seen is ~80 KB
      of text; megabytes of text are not a report, and would only run into the per-file timeout.
    - ``max_html_file_bytes`` (32 MiB): an .html/.htm file (markup, inline styles and images
      weigh more than the text; the rendered text is bounded by ``max_document_chars``).
    - ``max_document_chars`` (1 million, ~30 times the longest real report): the text a reader
      renders, any format; checked before any rule runs.
    - ``max_sheet_cells`` (10 million): rows × columns of an .xlsx sheet's used range, counted
      from its XML before the sheet is laid out in memory (a stray value in XFD1048576 makes 17
      billion cells; one in A1048576 makes 2 million, which is read: empty rows are skipped).
    """

    max_file_bytes: int = 200 * _MiB
    max_members: int = 2000
    max_member_bytes: int = 100 * _MiB
    max_total_bytes: int = 300 * _MiB
    max_ratio: float = 200.0
    ratio_grace_bytes: int = 10 * _MiB
    text_probe_bytes: int = 64 * 1024
    max_text_file_bytes: int = 8 * _MiB
    max_html_file_bytes: int = 32 * _MiB
    max_document_chars: int = 1_000_000
    max_sheet_cells: int = 10_000_000

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not value > 0:
                raise ValueError(f"Limits.{field.name} must be positive, got {value!r}")


DEFAULT_LIMITS = Limits()

FORMAT_BY_EXTENSION: dict[str, str] = {
    ".txt": "txt",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".xls": "xls",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    # converted to .docx/.xlsx by LibreOffice in the worker (auditor.readers.convert)
    ".doc": "doc",
    ".wps": "wps",
    ".odt": "odt",
    ".rtf": "rtf",
    ".et": "et",
    ".ods": "ods",
}

# Pictures: a scanned page or a photo of one; the auditor reads text only.
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif"})

PREFLIGHT_CODES: dict[str, str] = {
    "file-not-found": "文件不存在",
    "not-a-file": "路径不是普通文件",
    "unreadable-file": "文件无法读取（权限或磁盘错误）",
    "empty-file": "文件为空（0 字节）",
    "file-too-large": "文件超过大小上限",
    "unsupported-format": "不支持的文件格式",
    "format-mismatch": "文件内容与扩展名不符",
    "encrypted-file": "文件已加密",
    "corrupt-docx": "Word 文档已损坏",
    "corrupt-xlsx": "Excel 工作簿已损坏",
    "corrupt-odt": "OpenDocument 文本已损坏",
    "corrupt-ods": "OpenDocument 表格已损坏",
    "needs-ocr": "图片文件，需先做 OCR 文字识别",
    "converter-missing": "未安装 LibreOffice，无法转换旧格式文档",
    "conversion-failed": "LibreOffice 无法转换该文档",
    "conversion-timeout": "文档转换超时",
    "zip-bomb": "压缩包解压后体积异常（疑似压缩炸弹）",
    "xml-entity": "文档内部 XML 含有实体/DOCTYPE 声明（疑似恶意构造）",
    "xml-encoding": "文档内部 XML 使用了无法检查的字符编码",
    "binary-text": "文本文件内容是二进制数据",
    "mixed-encoding": "文本文件混用了 UTF-8 与 GBK 两种编码",
    "unreadable-text": "文档文字无法辨认（编码错误或乱码），需人工查看",
    "text-too-large": "文本过长，超出单份报告的处理上限",
    "sheet-too-large": "表格范围过大，超出处理上限",
    "symlink-outside": "符号链接指向输入文件夹之外",
    "symlink-loop": "符号链接循环",
}

# Extensions people commonly submit that we do not read, with the advice to give.
_UNSUPPORTED_ADVICE: dict[str, str] = {
    ".doc": "这是 Word 97-2003 格式（.doc），请在 Word 中“另存为” .docx 后重新提交",
    ".wps": "这是 WPS 文字格式（.wps），请另存为 .docx 后重新提交",
    ".et": "这是 WPS 表格格式（.et），请另存为 .xlsx 后重新提交",
    ".rtf": "这是 RTF 格式，请在 Word 中另存为 .docx 后重新提交",
    ".mht": "这是单个网页文件（.mht），请另存为 .docx 或 .html 后重新提交",
    ".mhtml": "这是单个网页文件（.mhtml），请另存为 .docx 或 .html 后重新提交",
    ".docm": "这是启用宏的 Word 文档（.docm），请另存为 .docx 后重新提交",
    ".xlsm": "这是启用宏的 Excel 工作簿（.xlsm），请另存为 .xlsx 后重新提交",
    ".odt": "这是 OpenDocument 文本（.odt），请另存为 .docx 后重新提交",
    ".ods": "这是 OpenDocument 表格（.ods），请另存为 .xlsx 后重新提交",
}

# What a file really is (as _describe_head / _describe_zip_names name it) → what the submitter should do.
_MISMATCH_ADVICE: dict[str, str] = {
    "docx": "请把扩展名改为 .docx",
    "xlsx": "请把扩展名改为 .xlsx",
    "pdf": "请把扩展名改为 .pdf",
    "pptx": "请提交 Word 或 Excel 文件",
    "doc": "请在 Word 中打开并“另存为” .docx 格式后重新提交",
    "xls": "请在 Excel 中打开并“另存为” .xlsx 格式后重新提交",
    "ole2": "请用 Office 或 WPS 打开并另存为 .docx/.xlsx 后重新提交",
    "rtf": "请在 Word 中另存为 .docx",
    "html": "这是导出为网页的文件，请在 Word/Excel 中另存为 .docx/.xlsx，或把扩展名改为 .html",
    "mhtml": "请在 Word 或 Excel 中另存为 .docx/.xlsx",
    "wordml": "请在 Word 中另存为 .docx",
    "spreadsheetml": "请在 Excel 中另存为 .xlsx",
    "encrypted": "请去除密码并另存为 .docx",
}


def _format_mismatch(fmt: str, kind: str, description: str, note: str = "") -> ReadError:
    """The error for a file whose extension says ``fmt`` but whose content is ``kind``."""
    advice = _MISMATCH_ADVICE.get(kind, "请确认提交了正确的文件")
    return ReadError(f"文件扩展名为 .{fmt}，但实际是{description}{note}：{advice}", code="format-mismatch")

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_PDF_MAGIC = b"%PDF-"
_PDF_SEARCH_BYTES = 1024
_HEAD_BYTES = 64 * 1024
# How much of an OLE2 file is searched for directory names (only used to word messages).
_OLE2_NAME_SCAN_BYTES = 8 * _MiB

_READ_CHUNK = 64 * 1024  # compressed bytes read from disk per step
_INFLATE_CHUNK = 256 * 1024  # maximum inflated bytes produced per step

_ZIP_STORED = 0
_ZIP_DEFLATED = 8
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"

_ENTITY_PATTERN_BYTES = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)
_ENTITY_PATTERN_TEXT = re.compile(r"<!\s*(?:doctype|entity)", re.IGNORECASE)
_ENTITY_ONLY_BYTES = re.compile(rb"<!\s*entity", re.IGNORECASE)
_ENTITY_ONLY_TEXT = re.compile(r"<!\s*entity", re.IGNORECASE)
_XML_SPACE_BYTES = (b" ", b"\t", b"\r", b"\n")
_ENTITY_CARRY = 32  # bytes/characters kept between chunks so a split declaration is seen
_XML_DECL_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']"""
)
# Encodings in which "<!DOCTYPE"/"<!ENTITY" can only appear as those ASCII bytes, so the raw
# byte scan is enough (the byte scan runs for every part anyway).
_ASCII_SAFE_CODECS = frozenset(
    {"utf-8", "ascii", "latin-1", "iso8859-1", "cp1252", "gbk", "gb2312", "gb18030", "big5"}
)



# --------------------------------------------------------------------------- public API


def preflight(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """Check ``path`` before parsing; return its format or raise :class:`ReadError`.

    The returned format is one of ``"txt", "docx", "xlsx", "xls", "pdf", "html"`` or a format
    :mod:`auditor.readers.convert` converts (``"doc", "wps", "odt", "rtf", "et", "ods"``). Only
    ``ReadError`` is ever raised; nothing is parsed with an XML, PDF or Office parser, and
    no more than a bounded amount of memory is used whatever the file contains.
    """
    path = Path(path)
    name = path.name
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ReadError(f"文件不存在：{name}", code="file-not-found") from None
    except OSError as exc:
        raise ReadError(f"无法读取文件 {name}：{exc.strerror or exc}", code="unreadable-file") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadError(f"{name} 是文件夹，不是文件", code="not-a-file")
    if not stat.S_ISREG(st.st_mode):
        raise _special_error(name, st.st_mode)
    size = st.st_size
    if size == 0:
        raise ReadError("文件为空（0 字节）", code="empty-file")
    if size > limits.max_file_bytes:
        raise ReadError(
            f"文件过大：{_human_bytes(size)}，超过上限 {_human_bytes(limits.max_file_bytes)}",
            code="file-too-large",
        )

    extension = path.suffix.lower()
    fmt = FORMAT_BY_EXTENSION.get(extension)
    if extension in IMAGE_EXTENSIONS:
        raise ReadError(f"这是图片文件（{extension}），可能是扫描件或照片；本工具只读取文字，"
                        "需先做 OCR 文字识别并另存为 .docx 或 .txt 后重新提交（或提交原始的 Word/PDF 文件）",
                        code="needs-ocr")
    if fmt is None:
        advice = _UNSUPPORTED_ADVICE.get(extension)
        supported = "、".join(sorted({e for e in FORMAT_BY_EXTENSION}))
        shown = extension or "（无扩展名）"
        message = f"不支持的文件格式 {shown}；支持的格式：{supported}"
        if advice:
            message = f"不支持的文件格式 {shown}：{advice}"
        raise ReadError(message, code="unsupported-format")

    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD_BYTES)
            if fmt in ("docx", "xlsx"):
                _check_ooxml(handle, head, size, fmt, limits)
            elif fmt == "xls":
                _check_xls(handle, head, size)
            elif fmt == "pdf":
                _check_pdf(handle, head, size)
            elif fmt in ("doc", "wps", "et"):
                _check_legacy_office(handle, head, size, fmt)
            elif fmt == "rtf":
                _check_rtf(handle, head, size)
            elif fmt in ("odt", "ods"):
                _check_odf(handle, head, size, fmt, limits)
            else:  # txt, html
                _check_text(handle, head, size, fmt, limits)
    except ReadError:
        raise
    except OSError as exc:
        raise ReadError(f"无法读取文件 {name}：{exc.strerror or exc}", code="unreadable-file") from None
    return fmt


def _kind_of_special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISSOCK(mode):
        return "套接字（socket）"
    return "特殊文件"


def _special_error(name: str, mode: int) -> ReadError:
    return ReadError(f"{name} 是{_kind_of_special(mode)}，不是普通文件；为免读取时卡住，未打开、未审核",
                     code="not-a-file")


def refuse_special(path: Path) -> ReadError | None:
    """The error for a path given explicitly that must not be opened (a FIFO, a device, a socket,
    or a symlink to one), else None. Uses ``stat`` only: never blocks."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _loop_error(_shown(path))
        return None  # missing or unreadable: preflight reports it in the worker
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return None
    return _special_error(_shown(path), st.st_mode)


def _loop_error(name: str) -> ReadError:
    return ReadError(f"{name} 是循环的符号链接（指向自身或相互指向），无法读取", code="symlink-loop")


def refuse_folder_entry(path: Path, real_root: str, supported: bool) -> ReadError | bool:
    """For an entry of a searched folder that is a symlink or a special file: True to read it
    (a symlink to a file inside the folder), False to skip it (not a report: an unsupported
    suffix, or a symlink to a folder inside, which the search covers), or the error of its row."""
    name = _shown(path)
    try:
        link = os.lstat(path)
    except OSError as exc:
        return ReadError(f"无法读取文件 {name}：{exc.strerror or exc}", code="unreadable-file")
    if not stat.S_ISLNK(link.st_mode):
        return _special_error(name, link.st_mode)  # a FIFO, device or socket in the folder
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _loop_error(name)
        if not supported:
            return False
        return ReadError(f"{name} 是符号链接，但它指向的文件不存在", code="file-not-found")
    target = os.path.realpath(path)
    inside = os.path.commonpath([real_root, target]) == real_root
    if not inside:
        if supported or not stat.S_ISREG(st.st_mode):
            return ReadError(f"{name} 是指向输入文件夹之外（{_shown(target)}）的符号链接；"
                             "为免读入本批之外的文件，未打开、未审核", code="symlink-outside")
        return False
    if stat.S_ISDIR(st.st_mode):
        return False
    if not stat.S_ISREG(st.st_mode):
        return _special_error(name, st.st_mode)
    return supported


def _shown(path: str | Path) -> str:
    from auditor.display import display_path

    return display_path(path)


# --------------------------------------------------------------------------- sniffing


def _human_bytes(n: float) -> str:
    for unit in ("字节", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "字节" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover


def _ole2_stream_names(handle: BinaryIO, size: int) -> set[str]:
    """Directory names found in an OLE2 file (a cheap substring search, used for messages)."""
    handle.seek(0)
    if size <= _OLE2_NAME_SCAN_BYTES:
        data = handle.read(size)
    else:
        half = _OLE2_NAME_SCAN_BYTES // 2
        data = handle.read(half)
        handle.seek(size - half)
        data += handle.read(half)
    found = set()
    for stream in ("EncryptedPackage", "WordDocument", "Workbook", "Book", "PowerPoint Document"):
        if stream.encode("utf-16-le") + b"\x00\x00" in data:
            found.add(stream)
    return found


def _describe_ole2(handle: BinaryIO, size: int) -> tuple[str, str]:
    """(kind, Chinese description) of an OLE2 compound file."""
    names = _ole2_stream_names(handle, size)
    if "EncryptedPackage" in names:
        return "encrypted", "设置了打开密码的加密 Office 文档"
    if "WordDocument" in names:
        return "doc", "Word 97-2003 文档（.doc）"
    if "Workbook" in names or "Book" in names:
        return "xls", "Excel 97-2003 工作簿（.xls）"
    if "PowerPoint Document" in names:
        return "ppt", "PowerPoint 97-2003 演示文稿（.ppt）"
    return "ole2", "旧版 Office / WPS 复合文档"


def _zip_names(handle: BinaryIO) -> list[str] | None:
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            return archive.namelist()
    except Exception:  # only used to word a message; any failure means "unknown zip"
        return None


def _describe_zip_names(names: list[str] | None) -> tuple[str, str]:
    if names is None:
        return "zip", "ZIP 压缩包"
    if any(n.startswith("word/") for n in names):
        return "docx", "Word 文档（.docx）"
    if any(n.startswith("xl/") for n in names):
        return "xlsx", "Excel 工作簿（.xlsx）"
    if any(n.startswith("ppt/") for n in names):
        return "pptx", "PowerPoint 演示文稿（.pptx）"
    if "mimetype" in names:
        return "odf", "OpenDocument（.odt/.ods）文档"
    return "zip", "普通 ZIP 压缩包"


def _describe_head(handle: BinaryIO, head: bytes, size: int) -> tuple[str, str] | None:
    """(kind, Chinese description) of what the bytes really are, or None if unknown."""
    if head.startswith(_OLE2_MAGIC):
        return _describe_ole2(handle, size)
    if head.startswith(_ZIP_MAGICS):
        return _describe_zip_names(_zip_names(handle))
    if head.startswith(_PDF_MAGIC):
        return "pdf", "PDF 文件"
    if head.startswith(b"{\\rtf"):
        return "rtf", "RTF 文档"
    for magic, kind, description in (
        (b"\x89PNG\r\n\x1a\n", "png", "PNG 图片"),
        (b"\xff\xd8\xff", "jpeg", "JPEG 图片"),
        (b"GIF8", "gif", "GIF 图片"),
        (b"Rar!\x1a\x07", "rar", "RAR 压缩包"),
        (b"7z\xbc\xaf\x27\x1c", "7z", "7z 压缩包"),
        (b"\x1f\x8b", "gzip", "gzip 压缩包"),
        (b"\x7fELF", "elf", "可执行程序"),
        (b"MZ", "exe", "Windows 可执行程序"),
    ):
        if head.startswith(magic):
            return kind, description
    probe = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith(b"mime-version:") or b"\nmime-version:" in probe[:512]:
        return "mhtml", "单个网页文件（MHTML，Word 另存为“单个文件网页”产生）"
    if probe.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
            return "spreadsheetml", "Excel 2003 XML 表格"
        if b"schemas.microsoft.com/office/word/2003/wordml" in head:
            return "wordml", "Word 2003 XML 文档"
        return "xml", "XML 文件"
    if probe.startswith((b"<!doctype html", b"<html")) or b"<html" in probe[:1024]:
        return "html", "HTML 网页"
    return None


# --------------------------------------------------------------------------- per format


def _check_pdf(handle: BinaryIO, head: bytes, size: int) -> None:
    if _PDF_MAGIC in head[:_PDF_SEARCH_BYTES]:
        return
    actual = _describe_head(handle, head, size)
    detail = f"，实际是{actual[1]}" if actual else "（开头 1024 字节内没有 %PDF- 标记）"
    raise ReadError(f"文件扩展名为 .pdf，但不是有效的 PDF{detail}", code="format-mismatch")


def _check_xls(handle: BinaryIO, head: bytes, size: int) -> None:
    if head.startswith(_OLE2_MAGIC):
        kind, description = _describe_ole2(handle, size)
        if kind == "encrypted":
            raise ReadError("工作簿设置了打开密码（已加密），请去除密码后重新提交", code="encrypted-file")
        if kind in ("doc", "ppt"):
            raise ReadError(f"文件扩展名为 .xls，但实际是{description}", code="format-mismatch")
        return
    actual = _describe_head(handle, head, size)
    if actual is None:
        raise ReadError(
            "文件扩展名为 .xls，但不是 Excel 97-2003 工作簿（缺少 OLE2 文件头），可能已损坏或被改名",
            code="format-mismatch",
        )
    kind, description = actual
    raise _format_mismatch("xls", kind, description)


_LEGACY_LABELS = {"doc": "Word 97-2003 文档", "wps": "WPS 文字文档", "et": "WPS 表格"}
# What a legacy file's OLE2 directory may say it holds, per extension (a WPS file may name none).
_LEGACY_KINDS = {"doc": ("doc", "ole2"), "wps": ("doc", "ole2"), "et": ("xls", "ole2")}
# Not OLE2, but what Word/WPS also save under a .doc/.wps name and LibreOffice opens by content.
_LEGACY_TEXT_KINDS = ("rtf", "html", "mhtml", "wordml")


def _check_legacy_office(handle: BinaryIO, head: bytes, size: int, fmt: str) -> None:
    """A .doc/.wps/.et: an OLE2 compound file of the right kind (converted by LibreOffice), or for
    .doc/.wps an RTF, web page or Word XML saved under that name (LibreOffice opens those too)."""
    label = _LEGACY_LABELS[fmt]
    if head.startswith(_OLE2_MAGIC):
        kind, description = _describe_ole2(handle, size)
        if kind == "encrypted":
            raise ReadError(f"{label}设置了打开密码（已加密），请去除密码后重新提交", code="encrypted-file")
        if kind not in _LEGACY_KINDS[fmt]:
            raise ReadError(f"文件扩展名为 .{fmt}，但实际是{description}，请确认提交了正确的文件",
                            code="format-mismatch")
        return
    actual = _describe_head(handle, head, size)
    if actual is not None and fmt != "et" and actual[0] in _LEGACY_TEXT_KINDS:
        return
    if actual is None:
        raise ReadError(f"文件扩展名为 .{fmt}，但不是{label}（缺少 OLE2 文件头），可能已损坏或被改名；"
                        "请用 Office/WPS 打开确认，另存为 .docx/.xlsx 后重新提交", code="format-mismatch")
    kind, description = actual
    raise _format_mismatch(fmt, kind, description)


def _check_rtf(handle: BinaryIO, head: bytes, size: int) -> None:
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return
    actual = _describe_head(handle, head, size)
    if actual is None:
        raise ReadError("文件扩展名为 .rtf，但不是 RTF 文档（缺少 {\\rtf 开头），可能已损坏或被改名",
                        code="format-mismatch")
    if actual[0] == "doc":  # a .doc renamed .rtf: LibreOffice opens it by content all the same
        return
    raise _format_mismatch("rtf", *actual)


def _check_odf(handle: BinaryIO, head: bytes, size: int, fmt: str, limits: Limits) -> None:
    """An OpenDocument .odt/.ods: a zip, held to the same limits and scans as a .docx."""
    if not head.startswith(_ZIP_MAGICS):
        actual = _describe_head(handle, head, size)
        label = _label(fmt)
        if actual is None:
            raise ReadError(f"文件扩展名为 .{fmt}，但内容不是{label}（不是 ZIP 结构），可能已损坏或被改名",
                            code="format-mismatch")
        kind, description = actual
        if kind == "encrypted":
            raise ReadError(f"{label}设置了打开密码（已加密），请去除密码后重新提交", code="encrypted-file")
        raise _format_mismatch(fmt, kind, description)
    _check_zip_container(handle, size, fmt, limits)


def _check_text(handle: BinaryIO, head: bytes, size: int, fmt: str, limits: Limits) -> None:
    from auditor.readers.decode import declared_charset, detect_encoding, looks_mixed

    cap = limits.max_html_file_bytes if fmt == "html" else limits.max_text_file_bytes
    if size > cap:
        kind = "网页文件" if fmt == "html" else "文本文件"
        raise ReadError(
            f"{kind}过大：{_human_bytes(size)}，超过{kind}的处理上限 {_human_bytes(cap)}"
            "（一份报告的文字通常不足 1 MiB）；未审核，请确认提交的是报告本身", code="file-too-large")
    probe = head[: limits.text_probe_bytes]
    if len(probe) < limits.text_probe_bytes and len(head) < size:
        handle.seek(0)
        probe = handle.read(limits.text_probe_bytes)
    actual = _describe_head(handle, probe, size)
    if actual is not None and actual[0] not in ("html", "xml", "mhtml"):
        kind, description = actual
        raise _format_mismatch(fmt, kind, description)
    whole = len(probe) >= size
    declared = declared_charset(probe) if fmt == "html" else None
    if detect_encoding(probe, declared, final=whole) is None:
        if looks_mixed(probe):
            raise ReadError(
                f"文件扩展名为 .{fmt}，内容是文本，但混用了 UTF-8 与 GBK 两种编码（部分段落来自不同来源的复制粘贴），"
                "无法按同一种编码读取；请在文本编辑器中统一另存为 UTF-8 后重新提交", code="mixed-encoding")
        raise ReadError(
            f"文件扩展名为 .{fmt}，但内容是二进制数据而非文本（含空字符或大量控制字符，"
            "且无法按 UTF-8、UTF-16 或 GB18030 解码）",
            code="binary-text",
        )


# --------------------------------------------------------------------------- OOXML


def _check_ooxml(handle: BinaryIO, head: bytes, size: int, fmt: str, limits: Limits) -> None:
    if not head.startswith(_ZIP_MAGICS):
        _raise_not_a_zip(handle, head, size, fmt)

    _check_zip_container(handle, size, fmt, limits)


def _check_zip_container(handle: BinaryIO, size: int, fmt: str, limits: Limits) -> None:
    corrupt = f"corrupt-{fmt}"
    label = _label(fmt)
    handle.seek(0)
    _precheck_member_count(handle, size, limits)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, struct.error,
            UnicodeDecodeError, NotImplementedError, OverflowError) as exc:
        raise ReadError(
            f"{label}已损坏：无法打开其压缩结构（文件可能被截断或未完整下载）。详情：{exc}", code=corrupt
        ) from None
    with archive:
        infos = archive.infolist()
        ranges = _check_structure(handle, infos, size, fmt, limits)
        _stream_members(handle, infos, ranges, size, fmt, limits)


def _raise_not_a_zip(handle: BinaryIO, head: bytes, size: int, fmt: str) -> None:
    actual = _describe_head(handle, head, size)
    expected = "Word 文档（.docx）" if fmt == "docx" else "Excel 工作簿（.xlsx）"
    if actual is None:
        raise ReadError(
            f"文件扩展名为 .{fmt}，但内容不是{expected}（不是 ZIP 结构），可能已损坏或被改名",
            code="format-mismatch",
        )
    kind, description = actual
    if kind == "encrypted":
        raise ReadError(f"{expected}设置了打开密码（已加密），请去除密码后重新提交", code="encrypted-file")
    raise _format_mismatch(fmt, kind, description, note=f"，并非真正的 .{fmt}")


def _precheck_member_count(handle: BinaryIO, size: int, limits: Limits) -> None:
    """Read the entry count of the end-of-central-directory record before zipfile parses
    the whole directory (a directory with millions of entries costs time and memory)."""
    tail_len = min(size, 22 + 65535)
    handle.seek(size - tail_len)
    tail = handle.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return  # zipfile will report the damage
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    if entries != 0xFFFF and entries > limits.max_members:
        raise ReadError(_too_many_members_message(entries, limits), code="zip-bomb")


def _too_many_members_message(count: int, limits: Limits) -> str:
    return f"压缩包内有 {count} 个部件，超过上限 {limits.max_members} 个（疑似压缩炸弹）"


def _check_structure(
    handle: BinaryIO, infos: list[zipfile.ZipInfo], size: int, fmt: str, limits: Limits
) -> dict[str, tuple[int, int]]:
    """Member count, names, encryption, compression methods, overlaps and OOXML layout.

    Returns each member's (data offset, compressed length) as found in its local header.
    """
    corrupt = f"corrupt-{fmt}"
    label = _label(fmt)
    if len(infos) > limits.max_members:
        raise ReadError(_too_many_members_message(len(infos), limits), code="zip-bomb")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise ReadError(f"{label}已损坏：压缩包内有重名部件", code=corrupt)
    for info in infos:
        if info.flag_bits & 0x41:  # traditional or strong encryption
            raise ReadError(f"{label}已加密（压缩包部件设置了密码），请去除密码后重新提交", code="encrypted-file")
        if info.compress_type not in (_ZIP_STORED, _ZIP_DEFLATED):
            raise ReadError(
                f"{label}已损坏或被改造：部件 {info.filename} 使用了 Office 不会使用的压缩方式"
                f"（编号 {info.compress_type}）",
                code=corrupt,
            )
    # Overlapping members are how "non-recursive" zip bombs reuse one compressed stream
    # thousands of times; Office never writes them.
    offsets = [info.header_offset for info in infos]
    if len(set(offsets)) != len(offsets):
        raise ReadError("压缩包内多个部件指向同一份压缩数据（疑似压缩炸弹）", code="zip-bomb")
    ranges = {info.filename: _member_data_range(handle, info, size, fmt) for info in infos}
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for before, after in zip(ordered, ordered[1:]):
        data_start, compressed = ranges[before.filename]
        if after.header_offset < data_start + compressed:
            raise ReadError(
                f"压缩包部件 {before.filename} 与 {after.filename} 的数据相互重叠（疑似压缩炸弹）",
                code="zip-bomb",
            )

    if fmt in ("odt", "ods"):
        if "mimetype" not in names and "content.xml" not in names:
            kind, description = _describe_zip_names(names)
            if kind in ("docx", "xlsx", "pptx"):
                raise _format_mismatch(fmt, kind, description)
            raise ReadError(f"{label}已损坏：缺少 content.xml", code=corrupt)
        return ranges
    if "[Content_Types].xml" not in names:
        kind, description = _describe_zip_names(names)
        if kind in ("odf", "zip"):
            raise ReadError(
                f"文件扩展名为 .{fmt}，但实际是{description}，不是 Office Open XML 文档",
                code="format-mismatch",
            )
        raise ReadError(f"{label}已损坏：缺少 [Content_Types].xml", code=corrupt)
    own_prefix = "word/" if fmt == "docx" else "xl/"
    if not any(n.startswith(own_prefix) for n in names):
        kind, description = _describe_zip_names(names)
        if kind in ("docx", "xlsx", "pptx"):
            raise _format_mismatch(fmt, kind, description)
        raise ReadError(f"{label}已损坏：缺少 {own_prefix} 下的正文部件", code=corrupt)
    return ranges


class _EntityScanner:
    """Finds ``<!DOCTYPE``/``<!ENTITY`` in a streamed zip member, across chunk boundaries and
    in whatever encoding the member uses.

    Every member is scanned, whatever its name (a main part named ``word/document.dat`` that
    starts with spaces is XML all the same): its raw bytes, the bytes with NULs removed (UTF-16
    and UTF-32 in either byte order), and, when its head declares another encoding, the decoded
    text. An ``.svg`` image may carry a harmless ``<!DOCTYPE svg …>``; there only ``<!ENTITY``
    is refused."""

    def __init__(self, part_name: str, fmt: str) -> None:
        self.part_name = part_name
        self.fmt = fmt
        svg = part_name.lower().endswith(".svg")
        self.bytes_pattern = _ENTITY_ONLY_BYTES if svg else _ENTITY_PATTERN_BYTES
        self.text_pattern = _ENTITY_ONLY_TEXT if svg else _ENTITY_PATTERN_TEXT
        self.head = bytearray()
        self.decoder: codecs.IncrementalDecoder | None = None
        self.decided = False
        self.byte_carry = b""
        self.text_carry = ""

    def feed(self, data: bytes, *, final: bool) -> None:
        self._scan_bytes(data)
        if not self.decided:
            self.head += data
            if len(self.head) < 1024 and not final:
                return
            self._choose_decoder(bytes(self.head))
            self.decided = True
            data = bytes(self.head)
            self.head = bytearray()
        if self.decoder is not None:
            text = self.decoder.decode(data, final=final)
            window = self.text_carry + text
            if self.text_pattern.search(window):
                self._raise()
            self.text_carry = window[-_ENTITY_CARRY:]

    def _scan_bytes(self, data: bytes) -> None:
        # The window is also searched with NUL bytes removed, which turns UTF-16 and UTF-32
        # (with or without BOM, either byte order) into ASCII for the characters we look for.
        window = self.byte_carry + data
        if self.bytes_pattern.search(window) or self.bytes_pattern.search(window.replace(b"\x00", b"")):
            self._raise()
        self.byte_carry = window[-4 * _ENTITY_CARRY:]

    def _choose_decoder(self, head: bytes) -> None:
        encoding: str | None
        if head[:1] in _XML_SPACE_BYTES and head[1:2] != b"\x00" and head[:2] != b"\x00\x00":
            head = head.lstrip(b" \t\r\n")  # leading blanks of an 8-bit part
        if head.startswith(codecs.BOM_UTF8):
            encoding = None  # ASCII-safe: the byte scan covers it
        elif head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or head[:4] in (
            b"\x00\x00\x00<", b"<\x00\x00\x00"
        ):
            encoding = "utf-32-be" if head.startswith((codecs.BOM_UTF32_BE, b"\x00\x00\x00<")) else "utf-32-le"
        elif head.startswith(codecs.BOM_UTF16_LE) or head[:2] in (b"<\x00", b" \x00", b"\t\x00", b"\r\x00", b"\n\x00"):
            encoding = "utf-16-le"
        elif head.startswith(codecs.BOM_UTF16_BE) or head[:2] in (b"\x00<", b"\x00 ", b"\x00\t", b"\x00\r", b"\x00\n"):
            encoding = "utf-16-be"
        elif head[:4] == b"\x4c\x6f\xa7\x94":
            raise ReadError(
                f"文档部件 {self.part_name} 使用 EBCDIC 编码，Office 从不这样写，无法安全检查",
                code="xml-encoding",
            )
        else:
            match = _XML_DECL_ENCODING.match(head)
            encoding = None
            if match:
                declared = match.group(1).decode("ascii")
                try:
                    canonical = codecs.lookup(declared).name
                except LookupError:
                    raise ReadError(
                        f"文档部件 {self.part_name} 声明了无法识别的字符编码 {declared}，无法安全检查",
                        code="xml-encoding",
                    ) from None
                if canonical not in _ASCII_SAFE_CODECS:
                    encoding = canonical
        if encoding is not None:
            try:
                self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
            except (LookupError, TypeError):  # a codec without an incremental decoder
                raise ReadError(
                    f"文档部件 {self.part_name} 声明的字符编码 {encoding} 无法安全检查",
                    code="xml-encoding",
                ) from None

    def _raise(self) -> None:
        label = {"docx": "Word", "xlsx": "Excel"}.get(self.fmt, "办公软件")
        raise ReadError(
            f"文档部件 {self.part_name} 含有 <!DOCTYPE 或 <!ENTITY 声明；{label} 从不写入这类声明，"
            "疑似 XXE/实体膨胀攻击文件，已拒绝读取",
            code="xml-entity",
        )


class _MemberInflation:
    """Counts, checksums and entity-scans the inflated bytes of one member as they arrive."""

    def __init__(self, info: zipfile.ZipInfo, compressed: int, budget: _Budget) -> None:
        self.info = info
        self.compressed = compressed
        self.budget = budget
        self.count = 0
        self.crc = 0
        self.scanner = _EntityScanner(info.filename, budget.fmt)  # every member, by content

    def emit(self, piece: bytes, *, final: bool) -> None:
        limits, info = self.budget.limits, self.info
        self.count += len(piece)
        self.budget.total += len(piece)
        if self.count > limits.max_member_bytes:
            raise ReadError(
                f"压缩包部件 {info.filename} 解压后超过 {_human_bytes(limits.max_member_bytes)}"
                f"（压缩数据仅 {_human_bytes(self.compressed)}），疑似压缩炸弹",
                code="zip-bomb",
            )
        if self.budget.total > limits.max_total_bytes:
            raise ReadError(
                f"压缩包解压后总量超过 {_human_bytes(limits.max_total_bytes)}"
                f"（文件仅 {_human_bytes(self.budget.file_size)}），疑似压缩炸弹",
                code="zip-bomb",
            )
        if self.count > limits.ratio_grace_bytes and self.count > limits.max_ratio * max(self.compressed, 1):
            raise ReadError(
                f"压缩包部件 {info.filename} 的解压比超过 {limits.max_ratio:.0f} 倍"
                f"（{_human_bytes(self.compressed)} 解压出超过 {_human_bytes(self.count)}），疑似压缩炸弹",
                code="zip-bomb",
            )
        if self.budget.total > limits.ratio_grace_bytes and self.budget.total > limits.max_ratio * self.budget.file_size:
            raise ReadError(f"压缩包整体解压比超过 {limits.max_ratio:.0f} 倍，疑似压缩炸弹", code="zip-bomb")
        self.crc = zlib.crc32(piece, self.crc)
        self.scanner.feed(piece, final=final)


@dataclasses.dataclass
class _Budget:
    limits: Limits
    fmt: str
    file_size: int
    total: int = 0


def _stream_members(
    handle: BinaryIO,
    infos: list[zipfile.ZipInfo],
    ranges: dict[str, tuple[int, int]],
    size: int,
    fmt: str,
    limits: Limits,
) -> None:
    """Inflate every member from its raw bytes, enforcing the limits and the entity scan."""
    corrupt = f"corrupt-{fmt}"
    label = _label(fmt)
    budget = _Budget(limits=limits, fmt=fmt, file_size=size)
    for info in infos:
        data_start, compressed = ranges[info.filename]
        handle.seek(data_start)
        member = _MemberInflation(info, compressed, budget)
        remaining = compressed
        try:
            if info.compress_type == _ZIP_STORED:
                while remaining > 0:
                    raw = handle.read(min(_READ_CHUNK, remaining))
                    if not raw:
                        break
                    remaining -= len(raw)
                    member.emit(raw, final=False)
                member.emit(b"", final=True)
            else:
                decompressor = zlib.decompressobj(-15)
                while remaining > 0 and not decompressor.eof:
                    raw = handle.read(min(_READ_CHUNK, remaining))
                    if not raw:
                        break
                    remaining -= len(raw)
                    member.emit(decompressor.decompress(raw, _INFLATE_CHUNK), final=False)
                    while decompressor.unconsumed_tail and not decompressor.eof:
                        tail = decompressor.unconsumed_tail
                        member.emit(decompressor.decompress(tail, _INFLATE_CHUNK), final=False)
                if not decompressor.eof:
                    raise ReadError(
                        f"{label}已损坏：部件 {info.filename} 的压缩数据不完整（文件可能被截断）",
                        code=corrupt,
                    )
                member.emit(b"", final=True)
        except zlib.error as exc:
            raise ReadError(f"{label}已损坏：部件 {info.filename} 无法解压（{exc}）", code=corrupt) from None

        if member.count != info.file_size:
            raise ReadError(
                f"{label}已损坏：部件 {info.filename} 声明大小 {info.file_size} 字节，"
                f"实际解压得到 {member.count} 字节",
                code=corrupt,
            )
        if member.crc != info.CRC:
            raise ReadError(f"{label}已损坏：部件 {info.filename} 校验和（CRC）不符", code=corrupt)


def _label(fmt: str) -> str:
    return {"docx": "Word 文档", "odt": "OpenDocument 文本", "ods": "OpenDocument 表格"}.get(fmt, "Excel 工作簿")


def _member_data_range(handle: BinaryIO, info: zipfile.ZipInfo, size: int, fmt: str) -> tuple[int, int]:
    """(offset of the member's compressed data, number of compressed bytes)."""
    corrupt = f"corrupt-{fmt}"
    label = _label(fmt)
    offset = info.header_offset
    if offset < 0 or offset + _LOCAL_HEADER.size > size:
        raise ReadError(f"{label}已损坏：部件 {info.filename} 的位置超出文件末尾（文件可能被截断）", code=corrupt)
    handle.seek(offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        raise ReadError(f"{label}已损坏：部件 {info.filename} 的头部不完整", code=corrupt)
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_HEADER_SIGNATURE:
        raise ReadError(f"{label}已损坏：部件 {info.filename} 的头部签名错误", code=corrupt)
    name_len, extra_len = fields[9], fields[10]
    local_name = handle.read(name_len)
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    if local_name.decode(encoding, "replace") != info.orig_filename:
        raise ReadError(f"{label}已损坏：部件 {info.filename} 的本地头与目录记录不一致", code=corrupt)
    data_start = offset + _LOCAL_HEADER.size + name_len + extra_len
    compressed = info.compress_size
    if data_start + compressed > size:
        raise ReadError(
            f"{label}已损坏：部件 {info.filename} 的数据超出文件末尾（文件可能被截断或未完整下载）",
            code=corrupt,
        )
    return data_start, compressed
