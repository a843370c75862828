"""The one decoding policy for text bytes (.txt files, .html pages, and the pre-flight probe), and
the check that a decoded text is readable Chinese.

Order (the first that gives plain text wins; every decoding is strict):

1. a byte-order mark: UTF-32, UTF-8, UTF-16 (LE/BE);
2. a declared charset (an HTML ``<meta charset>``), when it can be right: a UTF-16/32 label on a
   page whose declaration was readable as ASCII is ignored (the page is not UTF-16; browsers do
   the same and read it as UTF-8), and a single-byte Western label on a page with non-ASCII
   bytes is a common mislabel of Chinese pages and is ignored; GB2312/GBK labels mean GB18030;
3. UTF-8;
4. UTF-16 without a BOM, when NUL bytes sit mostly at odd (LE) or even (BE) positions — GBK text
   never contains a NUL byte;
5. GB18030.

"Plain text" means no NUL characters and at most 5 % other control characters, so a UTF-16 file
read as UTF-8 (ASCII with NULs between) is never accepted. No encoding → ``decode-failed``,
or ``mixed-encoding`` when every line is UTF-8 or GB18030 but not all the same one.

:func:`check_readable` then refuses a text that no person could read as Chinese (a wrong
decoding that happened to be valid: UTF-8 bytes read as UTF-16, UTF-16 without NULs read as
GB18030): ``unreadable-text``, so that a mis-decoded document is never audited as clean.
"""

from __future__ import annotations

import codecs
import re

from auditor.errors import ReadError

__all__ = ["check_readable", "declared_charset", "decode_bytes", "decode_text", "detect_encoding", "is_plain_text",
           "looks_mixed", "normalize_charset"]

# Endian-explicit codecs keep the BOM as a U+FEFF character, so offset 0 is the BOM for every encoding
# (the same text that ``open(path, encoding="utf-8", newline="").read()`` gives for UTF-8 files).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GB_LABELS = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "chinese", "csgb2312", "gb18030", "iso-ir-58",
              "euc-cn", "cp936", "ms936", "windows-936"}
_UNTRUSTED_WESTERN = {"latin_1", "iso8859-1", "cp1252", "ascii"}
_WIDE = {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"}

# Control characters (category Cc) that plain text does not contain; TAB, LF, VT, FF, CR, SUB
# (DOS end-of-file) and ESC are tolerated.
_BAD_CONTROLS = re.compile("[\x00-\x08\x0e-\x19\x1c-\x1f\x7f-\x9f]")
_MAX_CONTROL_RATIO = 0.05


def normalize_charset(label: str) -> str | None:
    """A charset label (as HTML writes it) → a Python codec name; GBK family → gb18030."""
    label = label.strip().lower()
    if label in _GB_LABELS:
        return "gb18030"
    if label in {"unicode", "utf-16", "ucs-2"}:
        return "utf-16"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def is_plain_text(text: str) -> bool:
    """No NUL character and at most 5 % other control characters."""
    if not text:
        return True
    if "\x00" in text:
        return False
    return len(_BAD_CONTROLS.findall(text)) <= _MAX_CONTROL_RATIO * len(text)


def _candidates(data: bytes, declared: str | None) -> list[str]:
    out: list[str] = []
    if declared:
        codec = normalize_charset(declared)
        if codec in _WIDE:
            codec = None  # a UTF-16/32 label found by an ASCII scan: the bytes are not UTF-16
        if codec in _UNTRUSTED_WESTERN and not data.isascii():
            codec = None
        if codec:
            out.append(codec)
    out.append("utf-8")
    nul_even, nul_odd = data[0::2].count(0), data[1::2].count(0)
    if nul_odd > 4 * nul_even:
        out.append("utf-16-le")
    elif nul_even > 4 * nul_odd:
        out.append("utf-16-be")
    out.append("gb18030")
    return list(dict.fromkeys(out))


def detect_encoding(data: bytes, declared: str | None = None, *, final: bool = True) -> str | None:
    """The codec under which ``data`` reads as plain text (see the module docstring), or None.
    With ``final`` False, ``data`` is a prefix of the file (a sequence cut at its end is allowed)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec if _decodes(data, codec, final) else None
    for codec in _candidates(data, declared):
        if _decodes(data, codec, final):
            if codec == "gb18030" and looks_mixed(data):
                return None  # UTF-8 lines that happen to be valid GB18030: garbage, not text
            return codec
    return None


def _decodes(data: bytes, codec: str, final: bool) -> bool:
    try:
        text = codecs.getincrementaldecoder(codec)(errors="strict").decode(data, final=final)
    except (UnicodeDecodeError, UnicodeError, LookupError):
        return False
    return is_plain_text(text)


def looks_mixed(data: bytes) -> bool:
    """Every line is UTF-8 or GB18030, some are only UTF-8 and some only GB18030: two sources
    pasted into one file. (The last line may be cut if ``data`` is a prefix.)"""
    only_utf8 = only_gb = False
    lines = data.split(b"\n")
    for n, line in enumerate(lines):
        utf8 = _strict(line, "utf-8")
        gb = _strict(line, "gb18030")
        if not utf8 and not gb:
            if n == len(lines) - 1 and n > 0:
                break  # a cut last line
            return False
        only_utf8 |= utf8 and not gb
        only_gb |= gb and not utf8
    return only_utf8 and only_gb


def _strict(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def decode_bytes(data: bytes, declared: str | None = None, *, keep_bom: bool = True,
                 kind: str = "文本文件") -> tuple[str, str]:
    """Decode a whole file by the policy above; return (text, codec).

    ``keep_bom``: keep a BOM as U+FEFF (the .txt contract: offsets index the file as Python reads
    it); a page drops it. Raises ReadError ``decode-failed`` or ``mixed-encoding``."""
    codec = detect_encoding(data, declared)
    if codec is None:
        for bom, bom_codec in _BOMS:
            if data.startswith(bom):
                raise ReadError(f"{kind}带有 {bom_codec} 字节序标记，但内容无法按该编码解码", code="decode-failed")
        raise undecodable_error(data, kind)
    text = data.decode(codec)
    if not keep_bom and text.startswith("\ufeff"):
        text = text[1:]
    return text, codec


def undecodable_error(data: bytes, kind: str = "文本文件") -> ReadError:
    """The error for bytes no encoding of the policy reads: mixed encodings, or undecodable."""
    if looks_mixed(data):
        return ReadError(f"{kind}混用了 UTF-8 与 GBK 两种编码（部分段落来自不同来源的复制粘贴），无法按同一种编码读取；"
                         "请在文本编辑器中统一另存为 UTF-8 后重新提交", code="mixed-encoding")
    return ReadError(f"{kind}既不是 UTF-8、UTF-16，也不是 GBK/GB18030 编码的文本，无法解码", code="decode-failed")


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) of a .txt file's bytes. A BOM is kept as U+FEFF and line endings
    are left as they are (no newline translation). Raises ReadError (decode-failed, mixed-encoding)."""
    return decode_bytes(data)


# --------------------------------------------------------------------------- readable Chinese

# Characters a Chinese report is written in: ASCII, Latin-1 letters and signs, Greek, general
# punctuation, letterlike and number forms, arrows, maths, enclosed numbers, box drawing and
# shapes, CJK punctuation, enclosed CJK, CJK compatibility (㎡), CJK ideographs and their
# compatibility forms, Kangxi radicals (OCR), full-width forms, the BOM.
_READABLE = re.compile(
    "[\t\n\r\x0b\x0c\x20-\x7e\u00a0-\u024f\u0370-\u03ff\u2000-\u2bff\u2e80-\u2fdf\u3000-\u303f"
    "\u3200-\u33ff\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\ufeff\uff00-\uffef]"
)
_READABLE_RUNS = re.compile(_READABLE.pattern + "+")  # removed a run at a time, not a character at a time
_HAN = re.compile("[\u4e00-\u9fff]")
_MIN_CHARS = 40  # shorter texts are too small to judge
_MAX_UNREADABLE_RATIO = 0.10
_MIN_CHARS_WITHOUT_HAN = 1  # a report without a single Chinese character is not one


def check_readable(text: str, kind: str = "文档") -> None:
    """Raise ReadError ``unreadable-text`` when ``text`` cannot be Chinese a person wrote: more
    than 10 % of its characters outside the scripts and symbols reports use (Hangul, kana,
    private-use, rare ideograph extensions, controls — the signature of a wrong decoding; judged
    from 40 visible characters on), or no Chinese character at all."""
    visible = len(text) - sum(text.count(ch) for ch in " \t\n\r\u3000")
    if visible >= _MIN_CHARS_WITHOUT_HAN and not _HAN.search(text):
        raise ReadError(
            f"{kind}中没有任何汉字（共 {visible} 个字符），不像中文绩效报告，也可能是编码错误；"
            "未审核，请人工查看", code="unreadable-text")
    if visible < _MIN_CHARS:
        return
    odd = len(_READABLE_RUNS.sub("", text))
    if odd > _MAX_UNREADABLE_RATIO * visible:
        sample = "".join(ch for ch in text[:2000] if not _READABLE.match(ch))[:8]
        raise ReadError(
            f"{kind}文字大量无法辨认：{visible} 个字符中有 {odd} 个不是中文报告会用的字符（如「{_printable(sample)}」），"
            "很可能是文件编码被判断错误（例如网页声明的编码与实际不符、UTF-16 文本缺少字节序标记）或文件已损坏；"
            "未审核，请人工查看原文件，或另存为 UTF-8 后重新提交", code="unreadable-text")


def _printable(sample: str) -> str:
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
                   for ch in sample)


# --------------------------------------------------------------------------- declared charsets

_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` of its first 4 KiB, as written, or None."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return match.group(1).decode("ascii", "replace") if match else None
