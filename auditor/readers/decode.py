"""Decoding of text files: BOM, then strict UTF-8, then strict GB18030. The decoded text is kept
unchanged (no normalisation, no stripping), so offsets index the file as Python reads it."""

from __future__ import annotations

import codecs

from auditor.errors import ReadError

# Endian-explicit codecs keep the BOM as a U+FEFF character, so offset 0 is the BOM for every encoding
# (the same text that ``open(path, encoding="utf-8", newline="").read()`` gives for UTF-8 files).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). Raises ReadError("decode-failed") when no encoding fits.

    A BOM is kept as U+FEFF and line endings are left as they are (no newline translation).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise ReadError(f"文件带有 {encoding} 字节序标记，但内容无法按该编码解码：{exc.reason}",
                                code="decode-failed") from exc
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ReadError("文件既不是 UTF-8 也不是 GBK/GB18030 编码的文本，无法解码", code="decode-failed")
