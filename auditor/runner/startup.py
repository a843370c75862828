"""Start-up costs of a run, paid once and only where needed.

``import_jieba()`` imports jieba without ``pkg_resources``: jieba 0.42 imports it only to locate its
own data files and falls back to a plain path when it is missing, and importing it costs ~0.1 s
(setuptools' whole vendored tree) on every run and in every fork server."""

from __future__ import annotations

import sys

__all__ = ["import_jieba"]


def import_jieba():
    """Import jieba (once) with ``pkg_resources`` hidden; return the module."""
    module = sys.modules.get("jieba")
    if module is not None:
        return module
    missing = object()
    saved = sys.modules.get("pkg_resources", missing)
    if saved is missing:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment] - makes `import pkg_resources` fail
    try:
        import jieba
    finally:
        if saved is missing and sys.modules.get("pkg_resources") is None:
            del sys.modules["pkg_resources"]
    return jieba
