"""Errors that become a report's ``error`` field instead of a traceback."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


class AuditorError(Exception):
    """A failure that is reported to the auditor, with a stable code and a Chinese message.

    ``code`` is kebab-case and stable (tests and other tools key on it);
    ``message`` is the Chinese explanation shown to the auditor.
    """

    code: str = "auditor-error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def message_in(self, lang: str = "zh") -> str:
        """The message in ``lang``: the Chinese one, or the English explanation of the code
        (``auditor/data/error_messages_en.tsv``; the Chinese message when the code has none)."""
        if lang == "en":
            return english_message(self.code) or self.message
        return self.message

    def to_dict(self, lang: str = "zh") -> dict[str, str]:
        """``{"code", "message"}``; in English, the Chinese message (with the file's own details:
        sizes, names, limits) is kept as ``message_zh``."""
        if lang == "en" and english_message(self.code):
            return {"code": self.code, "message": self.message_in("en"), "message_zh": self.message}
        return {"code": self.code, "message": self.message}


@lru_cache(maxsize=1)
def _english_catalogue() -> dict[str, str]:
    path = Path(__file__).with_name("data") / "error_messages_en.tsv"
    rows = (line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#"))
    return {code.strip(): text.strip() for code, text in rows}


def english_message(code: str) -> str | None:
    """The English explanation of an error code, or None."""
    return _english_catalogue().get(code)


class ReadError(AuditorError):
    """A file that cannot be turned into a Document (empty, corrupt, hostile, unsupported)."""

    code = "read-failed"
