"""Start-up costs of a run, paid once and only where needed.

``import_jieba()`` imports jieba without ``pkg_resources``: jieba 0.42 imports it only to locate its
own data files and falls back to a plain path when it is missing, and importing it costs ~0.1 s
(setuptools' whole vendored tree) on every run and in every fork server.

``import_scipy_sparse()`` imports ``scipy.sparse`` (the reuse index's matrices) with numpy's
``f2py``, ``testing``, ``ma`` and ``polynomial`` loaded lazily: scipy's array-API layer copies every
attribute of numpy at import, which imports those four (~0.09 s of the ~0.16 s the import takes, with
``unittest``, ``email`` and ``charset_normalizer`` behind them), and nothing the auditor calls uses them.
A lazy module (``importlib.util.LazyLoader``) is loaded in full when one of its attributes is first
read, so whatever uses one still gets it whole."""

from __future__ import annotations

import importlib.util
import sys

__all__ = ["import_jieba", "import_scipy_sparse"]

# numpy's submodules that importing scipy.sparse touches but does not use
_DEFERRED_NUMPY_MODULES = ("f2py", "testing", "ma", "polynomial")


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


def import_scipy_sparse():
    """Import ``scipy.sparse`` (once) with :data:`_DEFERRED_NUMPY_MODULES` loaded lazily; return it."""
    module = sys.modules.get("scipy.sparse")
    if module is not None:
        return module
    import numpy

    for name in _DEFERRED_NUMPY_MODULES:
        full = f"numpy.{name}"
        if full in sys.modules:
            continue  # imported already: nothing to defer
        spec = importlib.util.find_spec(full)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            continue
        spec.loader = importlib.util.LazyLoader(spec.loader)
        lazy = importlib.util.module_from_spec(spec)
        sys.modules[full] = lazy
        spec.loader.exec_module(lazy)
        setattr(numpy, name, lazy)  # as an import sets it: numpy's own __getattr__ is not asked again
    import scipy.sparse

    return scipy.sparse
