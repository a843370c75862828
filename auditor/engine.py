"""The pipeline: file → reader → Document → extractors → rules → Findings → scoring.

``audit(paths)`` is the Python API; the CLI and every reporter use the objects it returns.
A file that cannot be read becomes a Report with ``error`` set; the batch always goes on.
"""

from __future__ import annotations

import gc
import importlib
import os
import pickle
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from auditor._version import __version__
from auditor.analysis import Analysis
from auditor.document import Document
from auditor.errors import AuditorError, ReadError
from auditor.findings import Finding, severity_rank
from auditor.readers.decode import decode_text
from auditor.readers.text import build_document
from auditor.rules.registry import Rule, run_rules, select_rules

if TYPE_CHECKING:
    from auditor.preflight import Limits

SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf", ".xlsx", ".xls", ".html", ".htm",
                      ".doc", ".wps", ".odt", ".rtf", ".et", ".ods")  # the last six via LibreOffice
# Found in a folder but never a submission: the system's and the office suites' own files.
_IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})

# format → (module, function) rendering the file into the TAB-led Document text
_RENDERERS = {
    "docx": ("auditor.readers.docx", "read_docx"),
    "pdf": ("auditor.readers.pdf", "read_pdf"),
    "xlsx": ("auditor.readers.sheet", "read_sheet"),
    "xls": ("auditor.readers.sheet", "read_sheet"),
    "html": ("auditor.readers.html", "read_html"),
}


@dataclass(slots=True)
class Report:
    path: str
    unit: str | None = None
    year: int | None = None
    kind: str = "unknown"
    findings: list[Finding] = field(default_factory=list)
    error: AuditorError | None = None
    risk_score: float | None = None
    rank: int | None = None
    tier: str | None = None
    format: str | None = None
    document: Document | None = field(default=None, repr=False)
    # {"code", "message"} when the document shows no report structure (auditor.structure): tier 需人工确认
    needs_review: dict[str, str] | None = None
    structure_checked: bool = field(default=False, repr=False)  # needs_review was judged (not restored)
    # the findings as one compressed pickle while a large batch's cross phase runs (pack_findings)
    packed_findings: bytes | None = field(default=None, init=False, repr=False, compare=False)

    def pack_findings(self) -> None:
        """Hold the findings as one compressed pickle until :meth:`unpack_findings`; ``findings`` is None
        meanwhile, so that a reader that forgets to unpack fails loudly. A large batch's process holds
        every report's findings through the cross-report phase, where its memory peaks: ~12 KB a report
        as objects, ~1 KB packed (a varied batch of 400; ~0.04 ms to pack a report's, ~0.06 ms to unpack)."""
        if self.packed_findings is None and self.findings is not None:
            self.packed_findings = zlib.compress(pickle.dumps(self.findings, protocol=pickle.HIGHEST_PROTOCOL), 1)
            self.findings = None  # type: ignore[assignment]

    def unpack_findings(self) -> None:
        """Bring back the findings held by :meth:`pack_findings` (nothing to do when they are there)."""
        if self.packed_findings is not None:
            self.findings = pickle.loads(zlib.decompress(self.packed_findings))
            self.packed_findings = None

    def to_dict(self, lang: str = "zh", *, exact: bool = False) -> dict[str, Any]:
        """The report as JSON: the contract's shape (DESIGN.md), or with ``exact`` the store's form
        (findings exact, the error's class kept; :meth:`from_dict` reads both)."""
        error = self.error.to_dict("zh" if exact else lang) if self.error else None  # the store keeps the Chinese
        if exact and self.error:
            error = {"class": type(self.error).__name__, **error}
        return {"path": self.path, "unit": self.unit, "year": self.year, "kind": self.kind,
                "risk_score": self.risk_score, "rank": self.rank, "tier": self.tier,
                "error": error, "format": self.format,
                "findings": [f.to_dict(lang, exact=exact) for f in self.findings], "needs_review": self.needs_review}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        """A report from its JSON (either form of :meth:`to_dict`; a subclass reads its own fields too)."""
        error = data.get("error")
        if isinstance(error, Mapping):
            kind = ReadError if error.get("class") == "ReadError" else AuditorError
            error = kind(str(error.get("message") or ""), code=str(error.get("code") or "auditor-error"))
        elif error:
            error = AuditorError(str(error))
        values = {f.name: data[f.name] for f in fields(cls) if f.init and f.name in data
                  and f.name not in ("findings", "error", "document")}
        return cls(**values, error=error or None,
                   findings=[Finding.from_dict(f) for f in data.get("findings") or [] if isinstance(f, Mapping)])


@dataclass(slots=True)
class Batch:
    reports: list[Report]

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        from auditor.summary import batch_summary

        return {"auditor_version": __version__, "summary": batch_summary(self.reports),
                "reports": [r.to_dict(lang) for r in self.reports]}


def read_document(path: Path, limits: Limits | None = None) -> Document:
    """Pre-flight the file, render it with its format's reader, check that the text is readable
    Chinese of a plausible length, and build the Document (whose ``path`` is the name as every
    output can write it, :func:`auditor.display.display_path`).

    A .doc/.wps/.odt/.rtf (.et/.ods) is converted to .docx (.xlsx) by LibreOffice first
    (:mod:`auditor.readers.convert`); its Document's format is the converted one.

    Raises ReadError: the pre-flight and conversion codes; ``memory-limit`` when a reader runs out of memory
    (not "damaged": the file may be fine, only too big for the limit); ``text-too-large`` above
    ``limits.max_document_chars``; ``unreadable-text`` for a mis-decoded or non-Chinese text."""
    from auditor.display import display_path
    from auditor.preflight import DEFAULT_LIMITS, preflight
    from auditor.readers.convert import CONVERTED_FORMATS, converted_copy
    from auditor.readers.decode import check_readable

    path = Path(path)
    limits = limits or DEFAULT_LIMITS
    fmt = preflight(path, limits=limits)
    if fmt in CONVERTED_FORMATS:  # .doc .wps .odt .rtf .et .ods: LibreOffice makes a .docx/.xlsx
        with converted_copy(path, fmt) as (converted, fmt):
            preflight(converted, limits=limits)  # the converted file passes the same checks
            text = _render(converted, fmt, limits)
    else:
        text = _render(path, fmt, limits)
    if len(text) > limits.max_document_chars:
        raise ReadError(f"文档文字过长：{len(text)} 个字符，超过单份报告的处理上限 {limits.max_document_chars} 个字符"
                        "（最长的真实报告约 3 万字）；未审核，请确认提交的是报告本身，或拆分后重新提交", code="text-too-large")
    check_readable(text)
    return build_document(text, display_path(path), fmt)


def _render(path: Path, fmt: str, limits: Limits) -> str:
    """The TAB-led Document text of a file of a format the readers parse."""
    try:
        if fmt == "txt":
            text, _encoding = decode_text(path.read_bytes())
        else:
            module, function = _RENDERERS[fmt]
            try:
                render = getattr(importlib.import_module(module), function)
            except (ImportError, AttributeError) as exc:
                raise ReadError(f"本机未安装 {fmt} 格式的读取组件：{exc}", code="reader-unavailable") from exc
            if fmt in ("xlsx", "xls"):
                text = render(path, max_sheet_cells=limits.max_sheet_cells,
                              max_sheet_values=limits.max_document_chars // 3)
            else:
                text = render(path)
    except MemoryError:
        raise ReadError("读取时内存不足（超过单个文件的内存上限），已停止读取该文件；这并不表示文件损坏，"
                        "可能是文件过大或结构过于复杂，可拆分后重新提交或提高 --memory-limit", code="memory-limit") from None
    return text


def check_document(doc: Document, rules: list[Rule] | None = None, references=None,
                   keep_analysis: bool = False) -> list[Finding]:
    """Run the rules over one Document; findings come out most severe first, then in text order.

    ``references`` (an :class:`auditor.reuse.references.ReferenceSet`) gives the rules that compare
    with earlier reports their candidates; without it they see the report alone. With it, the Analysis
    starts with the fields the batch worker kept (:func:`auditor.reuse.material.keep_analysis_fields`).
    ``keep_analysis``: the Analysis is kept with the Document until ``forget_derived`` (a batch worker
    keeps a few of its fields for the cross phase, then drops it)."""
    from auditor.reuse.material import kept_analysis_fields

    analysis = Analysis(doc, kept_analysis_fields(doc) if references is not None else None)
    analysis.references = references
    if keep_analysis:
        doc.adopt_derived(analysis, Analysis)
    findings = run_rules(analysis, rules if rules is not None else select_rules(None))
    return sort_findings(findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    findings.sort(key=lambda f: (-severity_rank(f.severity), f.evidence[0].start if f.evidence else -1, f.rule))
    return findings


def audit_file(path: Path, rules: list[Rule] | None = None, keep_analysis: bool = False) -> Report:
    """Audit one file. Never raises for a bad file: the Report carries the error instead.
    ``keep_analysis``: see :func:`check_document`."""
    report = read_report(path)
    if report.document is not None:
        check_report(report, rules, keep_analysis=keep_analysis)
    return report


def read_report(path: Path) -> Report:
    """The first half of :func:`audit_file`: the Report of one file read, with its Document (and
    what its metadata say), or with the error that stopped the reading. Never raises for a bad file."""
    report = Report(path=str(path))
    try:
        doc = read_document(path)
    except AuditorError as exc:
        report.error = exc
        return report
    except Exception as exc:  # noqa: BLE001 - a reader bug costs this file only
        report.error = ReadError(f"读取文件时发生内部错误：{type(exc).__name__}: {exc}", code="reader-crashed")
        return report
    report.document = doc
    report.format = doc.format
    report.unit, report.year, report.kind = doc.meta.unit, doc.meta.year, doc.meta.kind
    return report


def check_report(report: Report, rules: list[Rule] | None = None, keep_analysis: bool = False) -> None:
    """The second half of :func:`audit_file`: the findings of a report read (:func:`read_report`), and
    whether its structure needs a person's review."""
    from auditor.structure import structure_problem

    doc = report.document
    assert doc is not None, "a report whose file could not be read has nothing to check"
    report.findings = check_document(doc, rules, keep_analysis=keep_analysis)
    report.needs_review, report.structure_checked = structure_problem(doc), True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic collector off for the block (back as it was after; a collection may follow)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass(slots=True)
class InputFile:
    """A file of the batch, and why it must not be opened (``refusal``), if so: a special file
    (FIFO, device, socket), a symlink that leaves the folder it was found in, or a symlink loop."""

    path: Path
    refusal: ReadError | None = None


def expand_inputs(paths: Iterable[str | Path]) -> list[InputFile]:
    """Files as given, and folders searched recursively, in a stable order: every file found is
    an input (one the readers cannot read gets its error row), except :func:`is_ignored_name`'s.

    Nothing is opened: only ``stat`` is used, so a FIFO or a device can never block. A path that
    does not exist is kept (it is reported as an error rather than skipped). Inside a folder,
    symlinks to directories are not followed; a symlink to a file is read only when its target is
    inside the folder; symlinks that leave the folder, symlink loops and special files get a
    refusal (their own error row) and are never read."""
    from auditor.preflight import refuse_folder_entry, refuse_special

    out: list[InputFile] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = _walk_folder(p, refuse_folder_entry)
        else:
            found = [InputFile(p, refuse_special(p))]
        for item in found:
            if item.path not in seen:
                seen.add(item.path)
                out.append(item)
    return out


def _walk_folder(root: Path, refuse: Callable[[Path, str, bool], ReadError | bool]) -> list[InputFile]:
    real_root = os.path.realpath(root)
    found: list[InputFile] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            found.append(InputFile(folder, ReadError(
                f"无法读取文件夹 {display_name(folder)}：{exc.strerror or exc}，其中的文件未审核",
                code="unreadable-file")))
            continue
        for entry in entries:
            if is_ignored_name(entry.name):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                    continue
                if entry.is_file(follow_symlinks=False):
                    found.append(InputFile(path))  # any suffix: an unreadable one gets its error row
                    continue
            except OSError:
                pass
            # a symlink or a special file: read it (True), skip it (False) or give it an error row
            verdict = refuse(path, real_root, True)
            if verdict is True:
                found.append(InputFile(path))
            elif verdict is not False:
                found.append(InputFile(path, verdict))
    found.sort(key=lambda item: item.path)
    return found


def is_ignored_name(name: str) -> bool:
    """Entries of a searched folder that are never submissions and get no row: hidden files and
    folders (.DS_Store, .git), Office/WPS lock files (~$报告.docx), Thumbs.db and desktop.ini."""
    return name.startswith((".", "~$")) or name.lower() in _IGNORED_NAMES


def display_name(path: str | Path) -> str:
    from auditor.display import display_path

    return display_path(path)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The files :func:`expand_inputs` finds that may be opened (refused ones left out) and, inside
    folders, are of a format the auditor reads (SUPPORTED_SUFFIXES): what references and indexes read."""
    paths = [Path(p) for p in paths]
    given = set(paths)
    return [item.path for item in expand_inputs(paths) if item.refusal is None
            and (item.path in given or item.path.suffix.lower() in SUPPORTED_SUFFIXES)]


def iter_audit(paths: Iterable[str | Path], rules: list[Rule] | None = None) -> Iterator[Report]:
    for item in expand_inputs(paths):
        if item.refusal is not None:
            yield Report(path=display_name(item.path), error=item.refusal)
        else:
            yield audit_file(item.path, rules)


def score_batch(reports: list[Report], risk_config=None) -> Batch:
    """Risk score, tier and rank for every report (reports with an error are ranked last; those
    flagged 需人工确认 with the 高 ones)."""
    from auditor.scoring import RiskConfig, rank_reports
    from auditor.structure import structure_problem

    config = risk_config or RiskConfig()
    for r in reports:  # a report restored from a store (--resume) with its Document: judge it again
        if r.error is None and not r.structure_checked and r.document is not None:
            r.needs_review, r.structure_checked = structure_problem(r.document), True
    ordered = rank_reports(reports, config)
    return Batch(reports=ordered)
