"""Text that is safe to write anywhere: file names that are not UTF-8, and control characters.

- A file name made of bytes that are not UTF-8 (GBK bytes as ``unzip`` leaves them from an
  archive made on Chinese Windows) reaches Python as a ``str`` holding lone surrogates
  (``surrogateescape``); no UTF-8 writer, SQLite included, accepts those. :func:`display_path`
  shows each such byte as ``\\xNN`` (``报告`` in GBK → ``\\xb1\\xa8\\xb8\\xe6``), so the name is
  written everywhere and gives back the original bytes (:func:`path_bytes`). A UTF-8 name is
  returned unchanged.
- C0 control characters (BEL, ESC …) are illegal in XLSX cells and dangerous on a terminal
  (``ESC [`` sequences). :func:`visible_controls` replaces each by its Control Pictures symbol
  (U+2400 + code: BEL → ␇, ESC → ␛, DEL → ␡), one character for one, so text offsets stay valid.
  TAB, LF and CR are kept. :func:`terminal_safe` also shows C1 controls (U+0080–U+009F) as
  ``\\xNN``; a terminal takes U+009B as ``ESC [``.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, Callable

from auditor.errors import AuditorError

__all__ = ["display_path", "path_bytes", "same_length_text", "scrub", "terminal_safe", "visible_controls"]

_ANY_SURROGATE = re.compile("[\ud800-\udfff]")
_C0 = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]")
_C1 = re.compile("[\x80-\x9f]")


def display_path(path: str | Path) -> str:
    """``path`` as text every writer accepts: bytes that were not UTF-8 become ``\\xNN``."""
    text = os.fspath(path)
    if not _ANY_SURROGATE.search(text):
        return text
    try:
        raw = os.fsencode(text)
    except UnicodeEncodeError:  # surrogates that are not escaped bytes: show their code points
        return _ANY_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return raw.decode("utf-8", errors="backslashreplace")


def path_bytes(shown: str) -> bytes:
    """The file name's bytes again from a :func:`display_path` text (``\\xNN`` → the byte).
    (A name that itself contains a backslash, ``x`` and two hex digits is ambiguous here.)"""
    out = bytearray()
    for piece in re.split(r"(\\x[0-9a-f]{2})", shown):
        if re.fullmatch(r"\\x[0-9a-f]{2}", piece):
            out.append(int(piece[2:], 16))
        else:
            out += piece.encode("utf-8")
    return bytes(out)


def visible_controls(text: str) -> str:
    """C0 control characters (except TAB, LF, CR) and DEL as Control Pictures (same length)."""
    if not _C0.search(text):
        return text
    return _C0.sub(lambda m: "\u2421" if m.group() == "\x7f" else chr(0x2400 + ord(m.group())), text)


def terminal_safe(text: str) -> str:
    """Text that cannot drive a terminal: C0 controls as Control Pictures, C1 as ``\\xNN``."""
    text = visible_controls(_ANY_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
    return _C1.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def same_length_text(text: str) -> str:
    """Document text for a writer: lone surrogates as U+FFFD and C0 controls as Control Pictures,
    one character for one, so that evidence offsets still index it."""
    return visible_controls(_ANY_SURROGATE.sub("\ufffd", text))


def scrub(value: Any, clean: Callable[[str], str] | None = None) -> Any:
    """A copy of a JSON-like value whose strings every UTF-8 writer accepts (lone surrogates
    shown as ``\\xNN`` / ``\\uNNNN``), each string then passed through ``clean`` if given
    (:func:`visible_controls`, :func:`terminal_safe`)."""
    if isinstance(value, str):
        if _ANY_SURROGATE.search(value):
            value = display_path(value)
        return clean(value) if clean is not None else value
    if isinstance(value, dict):
        return {scrub(k, clean): scrub(v, clean) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v, clean) for v in value]
    if is_dataclass(value) and not isinstance(value, type):  # a typed result (Report, Finding …): a scrubbed copy
        return _scrub_fields(value, clean)
    if isinstance(value, AuditorError):
        copied = copy.copy(value)
        copied.message, copied.code = scrub(value.message, clean), scrub(value.code, clean)
        return copied
    return value


def scrubbed_json(value: Any, **dumps: Any) -> str:
    """``json.dumps(scrub(value), ensure_ascii=False, **dumps)``. The value is walked only when its
    dump holds a lone surrogate: without one, every string is already as ``scrub`` leaves it (the
    dump writes each string's characters as they are), and the two texts are the same."""
    import json

    text = json.dumps(value, ensure_ascii=False, **dumps)
    if _ANY_SURROGATE.search(text):
        text = json.dumps(scrub(value), ensure_ascii=False, **dumps)
    return text


def _scrub_fields(value: Any, clean: Callable[[str], str] | None) -> Any:
    """A copy of a dataclass with every shown field scrubbed; a field left out of its repr (the
    Document a report carries for the HTML page, internal flags) is carried over as it is."""
    kwargs, later = {}, {}
    for f in fields(value):
        item = getattr(value, f.name)
        (kwargs if f.init else later)[f.name] = scrub(item, clean) if f.repr else item
    copied = type(value)(**kwargs)
    for name, item in later.items():
        setattr(copied, name, item)
    return copied
