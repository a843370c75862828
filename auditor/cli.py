"""Command line: ``auditor check | text | claims | rules | explain`` (the contract in DESIGN.md).

Exit codes: 0 when the run completed (whatever was found); 1 with ``--fail-on SEVERITY`` when a
finding at or above it exists; 2 for usage errors (unknown option, missing path, bad format, an
output path that cannot be written, checked before the batch starts) and when the output could not
be written (the previous file at that path is then left as it was).
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer
from rich.console import Console

from auditor import __version__
from auditor.findings import SEVERITIES, severity_rank

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="绩效自评报告一致性审核工具：找出数字矛盾、加总错误、执行率与得分问题，并按风险排序。")


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    html = "html"
    xlsx = "xlsx"
    csv = "csv"


class ClaimsFormat(str, Enum):
    text = "text"
    json = "json"
    spacy = "spacy"  # a spaCy DocBin (auditor.nlp.spacy_component), written to -o


class Lang(str, Enum):
    zh = "zh"
    en = "en"


def _usage_error(message: str) -> None:
    from rich.markup import escape

    from auditor.display import terminal_safe

    Console(stderr=True).print(f"[bold red]错误：[/]{escape(terminal_safe(message))}")  # a "[x]" in a name is text
    raise typer.Exit(2)


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="报告文件或文件夹（递归查找）")],
    reference: Annotated[Optional[list[Path]], typer.Option("--reference", help="往年报告（文件或文件夹），仅作比对参考，不参与排名")] = None,
    index: Annotated[Optional[Path], typer.Option("--index", help="用 `auditor index build` 建立的参考索引")] = None,
    fmt: Annotated[Optional[CheckFormat], typer.Option("--format", help="输出格式（默认按 -o 的扩展名，否则 text；csv 与 -o 同用时，另写 *.ranking.csv：每个文件一行，含错误）")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出文件（默认标准输出）")] = None,
    fail_on: Annotated[Optional[str], typer.Option("--fail-on", help="存在该级别及以上问题时退出码为 1：high|medium|low|info")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="消息语言")] = Lang.zh,
    rules: Annotated[Optional[str], typer.Option("--rules", help="只运行这些规则，逗号分隔的代码或前缀，如 AR101,AR")] = None,
    risk_config: Annotated[Optional[Path], typer.Option("--risk-config", help="风险评分参数（TOML）")] = None,
    jobs: Annotated[Optional[int], typer.Option("-j", "--jobs", help="并行进程数（默认全部 CPU 核）", min=1)] = None,
    store: Annotated[Optional[Path], typer.Option("--store", help="SQLite 结果库：每完成一份即写入")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="从 --store 结果库续跑，已完成的文件不再重审")] = False,
    engine: Annotated[str, typer.Option("--engine", help="执行引擎：process（多进程，默认）| dask | inline")] = "process",
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Dask 调度器地址，如 tcp://host:8786")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="单个文件的时间上限（秒）", min=1)] = 120.0,
    memory_limit: Annotated[int, typer.Option("--memory-limit", help="单个文件的内存上限（MB）", min=64)] = 2048,
    progress: Annotated[Optional[bool], typer.Option("--progress/--no-progress", help="显示进度条（默认：终端上显示）")] = None,
    retry_errors: Annotated[bool, typer.Option("--retry-errors", help="续跑时重审所有超时、超内存或进程中断的文件（默认只重试一次）")] = False,
) -> None:
    """审核报告，输出发现的问题和风险排序。"""
    from auditor.batch import BatchUsageError
    from auditor.engine import audit
    from auditor.errors import AuditorError
    from auditor.scoring import load_config

    if fail_on is not None and fail_on not in SEVERITIES:
        _usage_error(f"--fail-on 只能是 {'|'.join(SEVERITIES)}，收到 {fail_on!r}")
    fmt = _output_format(fmt, output)
    missing = [str(p) for p in paths if not p.exists()]
    if missing and len(missing) == len(paths):
        _usage_error("找不到输入：" + "、".join(missing))
    if fmt in (CheckFormat.xlsx,) and output is None:
        _usage_error("xlsx 格式需要用 -o 指定输出文件")
    missing_refs = [str(p) for p in (reference or []) + ([index] if index else []) if not p.exists()]
    if missing_refs:
        _usage_error("找不到参考报告或索引：" + "、".join(missing_refs))
    if output is not None:
        problem = output_problem(output)
        if problem:
            _usage_error(problem)
    codes = [c.strip() for c in rules.split(",") if c.strip()] if rules else None
    if codes:
        from auditor.rules import all_rules

        unknown = [c for c in codes if not any(r.code.startswith(c.upper()) for r in all_rules())]
        if unknown:
            _usage_error(f"--rules 中有未知的规则代码：{'、'.join(unknown)}；用 `auditor rules` 查看全部规则")
    try:
        config = load_config(risk_config) if risk_config else None
        batch = audit(paths, references=reference or [], index=index, rules=codes, risk_config=config, jobs=jobs,
                      engine=engine, scheduler=scheduler, store=store, resume=resume, timeout_s=timeout,
                      memory_bytes=memory_limit * 1024 * 1024, progress=progress, retry_errors=retry_errors,
                      keep_documents=fmt is CheckFormat.html, console=Console(stderr=True))
    except BatchUsageError as exc:
        _usage_error(exc.message)
    except AuditorError as exc:  # an unusable store or risk configuration: the run cannot start
        _usage_error(f"[{exc.code}] {exc.message}")
    result = batch.to_dict(lang.value)
    try:
        _write_check(result, batch, fmt, output)
    except OSError as exc:
        from auditor.display import display_path

        from rich.markup import escape

        Console(stderr=True).print(f"[bold red]错误：[/]无法写入输出文件 {escape(display_path(output or '-'))}："
                                   f"{escape(str(exc.strerror or exc))}；原有文件（如有）保持不变")
        raise typer.Exit(2) from None
    if fail_on is not None:
        threshold = severity_rank(fail_on)
        if any(severity_rank(f["severity"]) >= threshold for r in result["reports"] for f in r["findings"]):
            raise typer.Exit(1)


_EXTENSION_FORMATS = {".json": CheckFormat.json, ".html": CheckFormat.html, ".htm": CheckFormat.html,
                      ".xlsx": CheckFormat.xlsx, ".csv": CheckFormat.csv, ".txt": CheckFormat.text}


def _output_format(fmt: CheckFormat | None, output: Path | None) -> CheckFormat:
    """The format asked for, else the one the -o file's extension names, else text; a --format that
    contradicts the extension (-o 结果.xlsx --format json) is a usage error."""
    implied = _EXTENSION_FORMATS.get(output.suffix.lower()) if output is not None else None
    if fmt is not None and implied is not None and fmt is not implied:
        _usage_error(f"--format {fmt.value} 与输出文件扩展名 {output.suffix} 不一致；请改用一致的扩展名或去掉 --format")
    return fmt or implied or CheckFormat.text


def output_problem(output: Path) -> str | None:
    """Why ``-o OUTPUT`` cannot be written (checked before the batch starts), or None.

    A probe file is created and removed in the target folder, which catches a missing folder,
    missing permissions and a read-only file system alike."""
    import tempfile

    from auditor.display import display_path

    shown = display_path(output)
    if output.is_dir():
        return f"输出路径 {shown} 是一个文件夹，请用 -o 指定文件名"
    folder = output.parent
    if not folder.is_dir():
        return f"输出文件所在的文件夹不存在：{display_path(folder)}"
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".auditor-probe-", delete=True):
            pass
    except OSError as exc:
        return f"无法在 {display_path(folder)} 中写入输出文件 {shown}：{exc.strerror or exc}"
    return None


def ranking_csv_path(output: Path) -> Path:
    """Where ``--format csv -o OUT.csv`` writes its ranking: ``OUT.ranking.csv``."""
    return output.with_name(f"{output.stem}.ranking{output.suffix or '.csv'}")


def _atomic_output(output: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file in the same folder, then rename it over ``output``: a
    failed write leaves the previous report untouched, never a truncated one."""
    import os
    import tempfile

    fd, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(temporary))
        try:
            mode = output.stat().st_mode & 0o7777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, output)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _write_check(result: dict, batch, fmt: CheckFormat, output: Path | None) -> None:
    if fmt is CheckFormat.json:
        from auditor.reporters.json import render_json

        _emit(render_json(result), output)
    elif fmt is CheckFormat.html:
        from auditor.reporters.html import render_html

        documents = {r.path: r.document for r in batch.reports if r.document is not None}  # tables drawn as grids
        _emit(render_html(result, documents), output)
    elif fmt is CheckFormat.xlsx:
        from auditor.reporters.sheets import write_xlsx

        _atomic_output(output, lambda target: write_xlsx(result, target))
    elif fmt is CheckFormat.csv:
        from auditor.reporters.sheets import write_csv, write_ranking_csv

        if output is None:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / "findings.csv"
                write_csv(result, target)
                sys.stdout.write(target.read_text(encoding="utf-8-sig"))
        else:  # the findings, and beside them the ranking: one row per file, errors included
            _atomic_output(output, lambda target: write_csv(result, target))
            _atomic_output(ranking_csv_path(output), lambda target: write_ranking_csv(result, target))
    else:
        from auditor.reporters.text import render_text

        if output is None:
            render_text(result, Console())
        else:
            def write_text(target: Path) -> None:
                with target.open("w", encoding="utf-8") as handle:
                    render_text(result, Console(file=handle, width=120, no_color=True))

            _atomic_output(output, write_text)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        _atomic_output(output, lambda target: target.write_text(text, encoding="utf-8"))


def _read_or_exit(path: Path):
    from auditor.engine import read_document
    from auditor.errors import AuditorError

    if not path.exists():
        _usage_error(f"找不到文件：{path}")
    try:
        return read_document(path)
    except AuditorError as exc:
        from rich.markup import escape

        from auditor.display import display_path, terminal_safe

        Console(stderr=True).print(f"[bold red]无法读取 {escape(terminal_safe(display_path(path)))}：[/]"
                                   f"{escape(terminal_safe(f'[{exc.code}] {exc.message}'))}")
        raise typer.Exit(1) from None


@app.command()
def text(path: Annotated[Path, typer.Argument(help="报告文件")]) -> None:
    """打印文档文本：所有偏移量（start/end）都指向这段文本。"""
    doc = _read_or_exit(path)
    sys.stdout.write(doc.text)


@app.command()
def claims(
    path: Annotated[Path, typer.Argument(help="报告文件")],
    fmt: Annotated[ClaimsFormat, typer.Option("--format", help="输出格式；spacy：spaCy 的 DocBin 文件（需 -o）")] = ClaimsFormat.text,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="spacy 格式的输出文件（.spacy）")] = None,
) -> None:
    """列出抽取到的数字断言（数值、单位、限定词、所计对象）。"""
    from auditor.analysis import Analysis
    from auditor.extract.claims import extract_claims

    if fmt is ClaimsFormat.spacy:
        if output is None or not output.parent.is_dir():
            _usage_error("spacy 格式是二进制文件，请用 -o 指定输出文件，且其所在文件夹须已存在（如 -o 断言.spacy）")
        doc = _read_or_exit(path)
        from auditor.nlp.spacy_component import claims_docbin  # spaCy is imported only here

        docbin = claims_docbin([doc.text])
        _atomic_output(output, lambda target: docbin.to_disk(target))
        return
    if output is not None:
        _usage_error("-o 只用于 --format spacy；text 与 json 格式输出到终端（可用 > 重定向）")
    doc = _read_or_exit(path)
    found = extract_claims(Analysis(doc))
    if fmt is ClaimsFormat.json:
        from auditor.display import display_path

        payload = {"path": display_path(path), "claims": [c.to_dict() for c in found]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    console = Console()
    for c in found:
        d = c.to_dict()
        console.print(f"{d['start']:>6}-{d['end']:<6} {d['where']:<9} {d['text']:<16} "
                      f"{d['value']} {d['unit']} {d['qualifier']}  {d['subject']}", highlight=False)


@app.command("rules")
def list_rules() -> None:
    """列出全部规则：代码、名称、级别、说明。"""
    from rich.table import Table

    from auditor.rules import all_rules

    table = Table(title="规则")
    for column in ("代码", "名称", "默认级别", "说明"):
        table.add_column(column)
    for r in all_rules():
        table.add_row(r.code, r.name, r.severity, r.summary)
    Console().print(table)


@app.command()
def explain(code: Annotated[str, typer.Argument(help="规则代码（如 AR101），或 risk 查看风险评分公式")]) -> None:
    """打印一条规则的完整说明，或风险评分公式（explain risk）。"""
    if code.lower() == "risk":
        from auditor.scoring import explain_risk

        sys.stdout.write(explain_risk() + "\n")
        return
    from auditor.rules import get_rule

    found = get_rule(code)
    if found is None:
        _usage_error(f"没有代码为 {code} 的规则；用 `auditor rules` 查看全部规则")
    from auditor.policy import describe

    sys.stdout.write(f"{found.code} {found.name}（默认级别：{found.severity}）\n\n{found.doc}\n{describe(found.code)}")


def _mount_index() -> None:
    from auditor.index_cli import index_app

    app.add_typer(index_app, name="index")


_mount_index()


def version_callback(value: bool) -> None:
    if value:
        sys.stdout.write(f"auditor {__version__}\n")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[Optional[bool], typer.Option("--version", callback=version_callback, is_eager=True,
                                                    help="显示版本")] = None,
) -> None:
    """绩效自评报告一致性审核工具。"""


if __name__ == "__main__":
    app()
