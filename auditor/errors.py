"""Errors that become a report's ``error`` field instead of a traceback."""

from __future__ import annotations


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

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class ReadError(AuditorError):
    """A file that cannot be turned into a Document (empty, corrupt, hostile, unsupported)."""

    code = "read-failed"
