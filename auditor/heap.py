"""Giving freed memory back to the system.

CPython and numpy free small and middle-sized blocks into the C heap, which keeps their pages: a
batch that frees thousands of per-report arrays (the index sketches) and then allocates large ones
(the index) would hold both. :func:`trim_heap` returns the heap's free pages (glibc ``malloc_trim``)."""

from __future__ import annotations

__all__ = ["trim_heap"]

_libc = None


def trim_heap() -> None:
    """Return the C heap's free pages to the system (glibc ``malloc_trim``; nothing elsewhere)."""
    global _libc
    if _libc is False:
        return
    try:
        if _libc is None:
            import ctypes

            _libc = ctypes.CDLL("libc.so.6")
        _libc.malloc_trim(0)
    except (OSError, AttributeError):
        _libc = False  # not glibc: nothing to do, and nothing to try again
