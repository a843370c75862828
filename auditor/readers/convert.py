"""Convert the formats the readers do not parse (.doc, .wps, .odt, .rtf; .et, .ods) to .docx/.xlsx
with LibreOffice, so that the ordinary readers can read them.

``converted_copy(path, fmt)`` is a context manager yielding ``(converted_path, new_format)``; the
converted file and everything LibreOffice wrote live in a private temporary folder that is removed
on exit. It runs in the batch's isolated worker (it is called from ``engine.read_document``).

- Each conversion has its own LibreOffice profile (``-env:UserInstallation``) inside that folder,
  so parallel conversions never share (or lock) a profile, and nothing is left in ``$HOME``.
- The source is copied into the folder under a plain ASCII name first: the name LibreOffice sees
  and derives its output name from is always ``source.<ext>``.
- The conversion is bounded by :data:`CONVERT_TIMEOUT_S`; it runs under ``timeout(1)`` when
  available, in its own process group, so that even if the worker is killed, LibreOffice and its
  children are stopped when the limit passes.

Errors (``ReadError`` codes): ``converter-missing`` (LibreOffice, or the component the format
needs — Writer, Calc —, not installed: the advice is to save the file as .docx/.xlsx), ``conversion-failed`` (LibreOffice could not open the file: damaged,
password-protected, or not what its extension says), ``conversion-timeout``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from auditor.errors import ReadError

__all__ = ["CONVERT_TIMEOUT_S", "CONVERTED_FORMATS", "converted_copy", "find_soffice"]

# format (as preflight names it) → (target format, LibreOffice's --convert-to argument, Chinese name)
CONVERTED_FORMATS: dict[str, tuple[str, str, str]] = {
    "doc": ("docx", "docx:MS Word 2007 XML", "Word 97-2003 文档（.doc）"),
    "wps": ("docx", "docx:MS Word 2007 XML", "WPS 文字文档（.wps）"),
    "odt": ("docx", "docx:MS Word 2007 XML", "OpenDocument 文本（.odt）"),
    "rtf": ("docx", "docx:MS Word 2007 XML", "RTF 文档（.rtf）"),
    "et": ("xlsx", "xlsx:Calc MS Excel 2007 XML", "WPS 表格（.et）"),
    "ods": ("xlsx", "xlsx:Calc MS Excel 2007 XML", "OpenDocument 表格（.ods）"),
}
# The library of the LibreOffice component a target format needs (Linux layout): a distribution may
# install Writer without Calc (e.g. Debian's libreoffice-writer-nogui alone).
_COMPONENT_LIBRARY = {"docx": ("libswlo.so", "文字组件（Writer）"), "xlsx": ("libsclo.so", "表格组件（Calc）")}
CONVERT_TIMEOUT_S = 60.0  # a 100-page .doc converts in a few seconds; below the batch's 120 s per file
_KILL_GRACE_S = 5


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH (``soffice`` or ``libreoffice``), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def component_missing(soffice: str, target: str) -> str | None:
    """The Chinese name of the LibreOffice component converting to ``target`` when it is
    visibly not installed beside ``soffice`` (a Linux install without it), else None."""
    program = Path(os.path.realpath(soffice)).parent
    library, name = _COMPONENT_LIBRARY[target]
    try:
        shared = [p.name for p in program.glob("lib*.so")]
    except OSError:
        return None
    if shared and library not in shared:
        return name
    return None


def _missing_error(fmt: str, component: str | None = None) -> ReadError:
    target, _, name = CONVERTED_FORMATS[fmt]
    what = f"本机的 LibreOffice 未安装{component}" if component else "本机未安装 LibreOffice"
    return ReadError(f"这是{name}；{what}，无法自动转换：请另存为 .{target} 后重新提交",
                     code="converter-missing")


@contextmanager
def converted_copy(path: Path, fmt: str, timeout_s: float = CONVERT_TIMEOUT_S) -> Iterator[tuple[Path, str]]:
    """Convert ``path`` (of format ``fmt``, a key of :data:`CONVERTED_FORMATS`) and yield the
    converted file and its format; the temporary folder is removed afterwards, whatever happens."""
    target, convert_to, name = CONVERTED_FORMATS[fmt]
    soffice = find_soffice()
    if soffice is None:
        raise _missing_error(fmt)
    component = component_missing(soffice, target)
    if component is not None:
        raise _missing_error(fmt, component)
    work = Path(tempfile.mkdtemp(prefix="auditor-convert-"))
    try:
        source = work / f"source.{fmt}"
        shutil.copyfile(path, source)
        out = work / "out"
        out.mkdir()
        command = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--nodefault", "--convert-to", convert_to,
                   "--outdir", str(out), str(source)]
        limiter = shutil.which("timeout")
        if limiter is not None:  # stops LibreOffice's whole process group even if this worker dies
            command = [limiter, f"--kill-after={_KILL_GRACE_S}", str(int(timeout_s)), *command]
        env = dict(os.environ, HOME=str(work))
        _run(command, env, timeout_s, name)
        produced = out / f"source.{target}"
        if not produced.is_file() or produced.stat().st_size == 0:
            raise ReadError(f"LibreOffice 无法打开这份{name}（文件可能已损坏、设置了密码，或内容与扩展名不符），"
                            f"未审核：请用 Office/WPS 打开确认，并另存为 .{target} 后重新提交", code="conversion-failed")
        yield produced, target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(command: list[str], env: dict[str, str], timeout_s: float, name: str) -> None:
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        code = process.wait(timeout=timeout_s + _KILL_GRACE_S + 2)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        code = 124
    except BaseException:  # interrupted: never leave LibreOffice running
        _kill_group(process)
        raise
    if code in (124, 137):  # timeout(1)'s codes for "time limit reached" / "killed after the grace"
        raise ReadError(f"转换{name}超过 {int(timeout_s)} 秒仍未完成，已停止；未审核：请另存为 .docx/.xlsx 后重新提交",
                        code="conversion-timeout")


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        process.wait(timeout=_KILL_GRACE_S)
    except subprocess.TimeoutExpired:
        pass
