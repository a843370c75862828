"""Coverage-guided fuzzing of ``auditor.preflight.preflight`` and of the readers (atheris).

Any exception that is not an ``auditor.errors.AuditorError`` is a crash: a reader must turn
every broken input into a ``ReadError`` with a code, never a traceback.

Set-up (pinned; atheris ships manylinux wheels with libFuzzer inside)::

    .venv/bin/pip install atheris==3.0.0

Usage (from the repository root)::

    # seeds: valid docx/xlsx/txt/pdf/xls/html plus the hostile fixtures, one file each
    .venv/bin/python benchmarks/fuzz_readers.py --make-seeds /tmp/fuzz-corpus
    # fuzz preflight + every reader that exists; libFuzzer flags pass through
    .venv/bin/python benchmarks/fuzz_readers.py -atheris_runs=100000 /tmp/fuzz-corpus
    # only preflight, for a fixed time
    .venv/bin/python benchmarks/fuzz_readers.py --only-preflight -max_total_time=300 /tmp/fuzz-corpus
    # turn a crash file written by libFuzzer into a regression fixture
    .venv/bin/python benchmarks/fuzz_readers.py --export-crash crash-1234abcd tests/fuzz_regressions

An input is one selector byte (which extension the file gets: .txt .docx .xlsx .xls .pdf .html)
followed by the file's bytes. The file is written to a temporary folder and checked with
``preflight``; when preflight accepts it, the readers for that format are run on it too.

Readers are imported lazily by name and skipped when missing (see ``READER_SPECS`` and
``load_readers``): ``auditor.readers.docx.read_docx`` / ``read_docx_with_grid``,
``auditor.readers.sheet.read_xlsx`` / ``read_xls``, ``auditor.readers.pdf.read_pdf``,
``auditor.readers.html.read_html``, and for .txt the public ``read_*`` functions of
``auditor.readers.text`` plus ``decode.decode_text`` + ``text.build_document``. A reader that
fails to import (a dependency not installed) is skipped and named on start-up.

Regression fixtures in ``tests/fuzz_regressions/`` are replayed by ``tests/test_preflight.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import inspect
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXTENSIONS = (".txt", ".docx", ".xlsx", ".xls", ".pdf", ".html")
FORMAT_OF_EXTENSION = {".txt": "txt", ".docx": "docx", ".xlsx": "xlsx", ".xls": "xls", ".pdf": "pdf", ".html": "html"}
# (format, module, function): each is called as function(path). Missing ones are skipped.
READER_SPECS: tuple[tuple[str, str, str], ...] = (
    ("docx", "auditor.readers.docx", "read_docx"),
    ("docx", "auditor.readers.docx", "read_docx_with_grid"),
    ("xlsx", "auditor.readers.sheet", "read_xlsx"),
    ("xls", "auditor.readers.sheet", "read_xls"),
    ("pdf", "auditor.readers.pdf", "read_pdf"),
    ("html", "auditor.readers.html", "read_html"),
)
TEXT_MODULE = "auditor.readers.text"
SKIPPED: list[str] = []  # readers that could not be imported (filled by load_readers)


def _resolve(module_name: str, name: str) -> Callable[..., object] | None:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    func = getattr(module, name, None)
    return func if callable(func) else None


def load_readers() -> dict[str, list[Callable[[Path], object]]]:
    """The reader functions that exist, by format (missing modules/functions are skipped).

    For .txt: every public ``read_*`` function of ``auditor.readers.text`` that takes a path,
    and, when both exist, ``auditor.readers.decode.decode_text`` (bytes -> (text, encoding))
    followed by ``auditor.readers.text.build_document(text, path)``.
    """
    readers: dict[str, list[Callable[[Path], object]]] = {}
    for fmt, module_name, name in READER_SPECS:
        func = _resolve(module_name, name)
        if func is not None:
            readers.setdefault(fmt, []).append(func)
        else:
            SKIPPED.append(f"{module_name}.{name}")
    try:
        text_module = importlib.import_module(TEXT_MODULE)
    except ImportError:
        text_module = None
    if text_module is not None:
        for name, obj in vars(text_module).items():
            if name.startswith("read_") and inspect.isfunction(obj) and obj.__module__ == TEXT_MODULE:
                readers.setdefault("txt", []).append(obj)
    decode_text = _resolve("auditor.readers.decode", "decode_text")
    build_document = _resolve(TEXT_MODULE, "build_document")
    if decode_text is not None and build_document is not None:

        def decode_and_build(path: Path) -> object:
            text, _encoding = decode_text(path.read_bytes())  # type: ignore[misc]
            return build_document(text, str(path))

        decode_and_build.__qualname__ = decode_and_build.__name__ = "decode_text+build_document"
        decode_and_build.__module__ = TEXT_MODULE
        readers.setdefault("txt", []).append(decode_and_build)
    return readers


def split_input(data: bytes) -> tuple[str, bytes]:
    """(extension, file bytes) of one fuzz input."""
    if not data:
        return ".txt", b""
    return EXTENSIONS[data[0] % len(EXTENSIONS)], data[1:]


def make_seeds(folder: Path) -> int:
    """Write one fuzz input per valid and hostile fixture of tests/hostile_factory.py."""
    sys.path.insert(0, str(ROOT / "tests"))
    import hostile_factory as hostile

    folder.mkdir(parents=True, exist_ok=True)
    builders = [
        hostile.valid_docx, hostile.valid_xlsx, hostile.valid_text, hostile.valid_pdf, hostile.valid_xls,
        hostile.valid_html, hostile.junk_docx, hostile.truncated_docx, hostile.renamed_doc,
        hostile.encrypted_ooxml, hostile.xxe_docx, hostile.billion_laughs_docx, hostile.utf16_xxe_docx,
        hostile.utf7_xxe_docx, hostile.quoted_overlap_docx, hostile.fake_pdf, hostile.binary_txt,
        lambda d: hostile.docx_with_document_xml(d, "stored.docx", hostile.plain_document_xml(), compression=0),
        lambda d: hostile.valid_text(d, "gb.txt", encoding="gb18030"),
        lambda d: hostile.valid_text(d, "u16.txt", encoding="utf-16"),
    ]
    count = 0
    with tempfile.TemporaryDirectory() as scratch:
        for build in builders:
            path = build(Path(scratch))
            selector = EXTENSIONS.index(path.suffix.lower())
            data = bytes([selector]) + path.read_bytes()
            (folder / f"seed-{path.stem}-{hashlib.sha1(data).hexdigest()[:8]}").write_bytes(data)
            count += 1
    return count


def export_crash(crash_file: Path, folder: Path) -> Path:
    """Turn a libFuzzer crash input into ``<folder>/<sha1>.<ext>`` (a regression fixture)."""
    extension, content = split_input(crash_file.read_bytes())
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"crash-{hashlib.sha1(content).hexdigest()[:12]}{extension}"
    target.write_bytes(content)
    return target


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], add_help=True)
    parser.add_argument("--only-preflight", action="store_true", help="do not run the readers")
    parser.add_argument("--make-seeds", metavar="DIR", type=Path, help="write a seed corpus and exit")
    parser.add_argument("--export-crash", nargs=2, metavar=("CRASH", "DIR"), help="crash file to fixture and exit")
    options, fuzzer_args = parser.parse_known_args(argv[1:])

    if options.make_seeds:
        print(f"{make_seeds(options.make_seeds)} seeds written to {options.make_seeds}")
        return
    if options.export_crash:
        print(export_crash(Path(options.export_crash[0]), Path(options.export_crash[1])))
        return

    import atheris

    with atheris.instrument_imports(include=["auditor", "zipfile", "codecs", "encodings"]):
        import zipfile  # noqa: F401  (instrumented for coverage of the zip paths)

        from auditor.errors import AuditorError
        from auditor.preflight import preflight

        readers = {} if options.only_preflight else load_readers()
    print(
        "fuzzing preflight" + "".join(f" + {f.__module__}.{f.__name__}" for fs in readers.values() for f in fs),
        file=sys.stderr,
    )
    if SKIPPED:
        print("skipped (not importable): " + ", ".join(SKIPPED), file=sys.stderr)
    scratch = Path(tempfile.mkdtemp(prefix="fuzz-readers-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))

    def test_one_input(data: bytes) -> None:
        extension, content = split_input(data)
        path = scratch / f"input{extension}"
        path.write_bytes(content)
        try:
            fmt = preflight(path)
        except AuditorError:
            return
        for reader in readers.get(fmt, []):
            try:
                reader(path)
            except AuditorError:
                pass

    atheris.Setup([argv[0], *fuzzer_args], test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
