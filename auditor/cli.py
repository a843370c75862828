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
from typer.core import TyperGroup

from auditor._version import __version__
from auditor.cli_i18n import lang_of, use_language
from auditor.findings import SEVERITIES, severity_rank

use_language(lang_of(sys.argv[1:]))


class _LocalisedGroup(TyperGroup):
    """Speaks Chinese in click's own usage errors and help headings; ``--lang en`` gives English."""

    def main(self, args=None, *rest, **kwargs):  # noqa: ANN001, ANN201 - click's signature
        use_language(lang_of(sys.argv[1:] if args is None else args))
        return super().main(args, *rest, **kwargs)


SEVERITY_WORDS = {"高": "high", "中": "medium", "低": "low", "提示": "info"}
SEVERITY_ZH = {english: chinese for chinese, english in SEVERITY_WORDS.items()}


def severity_key(value: str | None) -> str | None:
    """high|medium|low|info from 高|中|低|提示 or the English word; None when neither."""
    if value is None:
        return None
    value = value.strip()
    return SEVERITY_WORDS.get(value) or (value.lower() if value.lower() in SEVERITIES else None)


app = typer.Typer(cls=_LocalisedGroup, add_completion=False, no_args_is_help=True,
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


def _usage_error(message: str, english: str | None = None) -> None:
    """Print a usage error (in English under ``--lang en`` when an English text is given) and exit 2."""
    from rich.markup import escape

    from auditor.cli_i18n import current_language
    from auditor.display import terminal_safe

    # soft_wrap: a long path is not cut by a line break at the console's width (it is copied from here)
    if english is not None and current_language() == "en":
        Console(stderr=True, soft_wrap=True).print(f"[bold red]Error: [/]{escape(terminal_safe(english))}")
    else:
        Console(stderr=True, soft_wrap=True).print(f"[bold red]错误：[/]{escape(terminal_safe(message))}")  # a "[x]" in a name is text
    raise typer.Exit(2)


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="报告文件或文件夹（递归查找）")],
    reference: Annotated[Optional[list[Path]], typer.Option("--reference", help="往年报告（文件或文件夹），仅作比对参考，不参与排名")] = None,
    index: Annotated[Optional[Path], typer.Option("--index", help="用 `auditor index build` 建立的参考索引")] = None,
    fmt: Annotated[Optional[CheckFormat], typer.Option("--format", help="输出格式（默认按 -o 的扩展名，否则 text；csv 与 -o 同用时，另写 *.ranking.csv：每个文件一行，含错误）")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出文件（默认标准输出）")] = None,
    fail_on: Annotated[Optional[str], typer.Option("--fail-on", help="存在该级别及以上问题时退出码为 1：高|中|低|提示（也可写 high|medium|low|info）")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="消息与命令行提示的语言（zh 中文，en 英文）")] = Lang.zh,
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
    review: Annotated[Optional[Path], typer.Option("--review", help="复核决定文件（CSV，见 `auditor review`）：已决定的发现标出其决定，误报不计入风险分")] = None,
    top: Annotated[Optional[int], typer.Option("--top", help="终端输出只列风险最高的 N 份报告", min=1)] = None,
    min_severity: Annotated[Optional[str], typer.Option("--min-severity", help="终端输出只列该级别及以上的发现：高|中|低|提示（也可写 high|medium|low|info）")] = None,
) -> None:
    """审核报告，输出发现的问题和风险排序。"""
    from auditor.batch import BatchUsageError
    from auditor.batch import audit
    from auditor.cli_progress import progress_bar
    from auditor.errors import AuditorError
    from auditor.scoring import load_config

    if fail_on is not None and severity_key(fail_on) is None:
        _usage_error(f"--fail-on 只能是 高|中|低|提示（或 {'|'.join(SEVERITIES)}），收到 {fail_on!r}",
                     f"--fail-on must be one of {'|'.join(SEVERITIES)} (or 高|中|低|提示), got {fail_on!r}")
    fail_on = severity_key(fail_on)
    if min_severity is not None and severity_key(min_severity) is None:
        _usage_error(f"--min-severity 只能是 高|中|低|提示（或 {'|'.join(SEVERITIES)}），收到 {min_severity!r}",
                     f"--min-severity must be one of {'|'.join(SEVERITIES)} (or 高|中|低|提示), got {min_severity!r}")
    decisions = _read_review_or_exit(review) if review is not None else None
    fmt = _output_format(fmt, output)
    missing = [str(p) for p in paths if not p.exists()]
    if missing and len(missing) == len(paths):
        _usage_error("找不到输入：" + "、".join(missing), "input not found: " + ", ".join(missing))
    if fmt in (CheckFormat.xlsx,) and output is None:
        _usage_error("xlsx 格式需要用 -o 指定输出文件", "the xlsx format needs an output file (-o)")
    missing_refs = [str(p) for p in (reference or []) + ([index] if index else []) if not p.exists()]
    if missing_refs:
        _usage_error("找不到参考报告或索引：" + "、".join(missing_refs),
                     "reference reports or index not found: " + ", ".join(missing_refs))
    if output is not None:
        problem = output_problem(output)
        if problem:
            _usage_error(problem)
    codes = [c.strip() for c in rules.split(",") if c.strip()] if rules else None
    if codes:
        from auditor.rules import all_rules

        unknown = [c for c in codes if not any(r.code.startswith(c.upper()) for r in all_rules())]
        if unknown:
            _usage_error(f"--rules 中有未知的规则代码：{'、'.join(unknown)}；用 `auditor rules` 查看全部规则",
                         f"unknown rule codes in --rules: {', '.join(unknown)}; `auditor rules` lists them")
    try:
        config = load_config(risk_config) if risk_config else None
        err = Console(stderr=True)
        batch = audit(paths, references=reference or [], index=index, rules=codes, risk_config=config, jobs=jobs,
                      engine=engine, scheduler=scheduler, store=store, resume=resume, timeout_s=timeout,
                      memory_bytes=memory_limit * 1024 * 1024, on_progress=progress_bar(err, progress),
                      retry_errors=retry_errors, keep_documents=fmt is CheckFormat.html, console=err)
    except BatchUsageError as exc:
        _usage_error(exc.message)
    except AuditorError as exc:  # an unusable store or risk configuration: the run cannot start
        _usage_error(f"[{exc.code}] {exc.message}")
    review_summary = _stamp_and_review(batch, decisions, review, config)
    from auditor.results import BatchResult

    result = BatchResult(batch.reports, review=review_summary)
    if review_summary is not None:
        if fmt is not CheckFormat.text or output is not None:
            Console(stderr=True).print(review_summary.sentence(lang.value), highlight=False)
    try:
        _write_check(result, batch, fmt, output, top=top, min_severity=severity_key(min_severity), lang=lang.value)
    except OSError as exc:
        from auditor.display import display_path

        from rich.markup import escape

        Console(stderr=True).print(f"[bold red]错误：[/]无法写入输出文件 {escape(display_path(output or '-'))}："
                                   f"{escape(str(exc.strerror or exc))}；原有文件（如有）保持不变")
        raise typer.Exit(2) from None
    if fail_on is not None:
        threshold = severity_rank(fail_on)
        if any(f.severity.rank >= threshold for r in result.reports for f in r.findings):
            raise typer.Exit(1)


_EXTENSION_FORMATS = {".json": CheckFormat.json, ".html": CheckFormat.html, ".htm": CheckFormat.html,
                      ".xlsx": CheckFormat.xlsx, ".csv": CheckFormat.csv, ".txt": CheckFormat.text}


def _output_format(fmt: CheckFormat | None, output: Path | None) -> CheckFormat:
    """The format asked for, else the one the -o file's extension names, else text; a --format that
    contradicts the extension (-o 结果.xlsx --format json) is a usage error."""
    implied = _EXTENSION_FORMATS.get(output.suffix.lower()) if output is not None else None
    if fmt is not None and implied is not None and fmt is not implied:
        _usage_error(f"--format {fmt.value} 与输出文件扩展名 {output.suffix} 不一致；请改用一致的扩展名或去掉 --format",
                     f"--format {fmt.value} contradicts the output file's extension {output.suffix}")
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
    from auditor.files import atomic_write

    atomic_write(output, write)


def _read_review_or_exit(path: Path):
    """The decisions of ``--review FILE``, read before the batch starts (a bad file is a usage error)."""
    from auditor.review import ReviewFileError, read_decisions

    if not path.is_file():
        _usage_error(f"找不到复核决定文件：{path}（用 `auditor review {path} --id 编号 --status 误报 --reason 理由` 新建）",
                     f"decisions file not found: {path} (`auditor review {path} --id ID --status 误报 --reason ...` creates it)")
    try:
        return read_decisions(path)
    except ReviewFileError as exc:
        _usage_error(exc.message)


def _stamp_and_review(batch, decisions, review_file: Path | None, config):
    """Stable ids on every finding; with a decisions file, each decided finding carries its decision
    and the reports are scored again (a 误报 leaves the risk score). Returns the review summary."""
    from auditor.review import apply_decisions, stamp_ids

    stamp_ids(batch.reports)
    if decisions is None:
        return None
    from auditor.display import display_path

    summary = apply_decisions(batch.reports, decisions, display_path(review_file))
    if summary.out_of_risk:
        from auditor.engine import score_batch

        batch.reports = score_batch(batch.reports, config).reports
    return summary


def _write_check(result, batch, fmt: CheckFormat, output: Path | None, *, top: int | None = None,
                 min_severity: str | None = None, lang: str = "zh") -> None:
    if fmt is CheckFormat.json:
        from auditor.reporters.json import write_json

        # a report at a time: a batch of thousands is never held as one dict or one string
        if output is None:
            write_json(result, sys.stdout, lang)
        else:
            def write(target: Path) -> None:
                with target.open("w", encoding="utf-8") as handle:
                    write_json(result, handle, lang)

            _atomic_output(output, write)
    elif fmt is CheckFormat.html:
        from auditor.reporters.html import render_html

        documents = {r.path: r.document for r in batch.reports if r.document is not None}  # tables drawn as grids
        _emit(render_html(result, documents, lang=lang), output)
    elif fmt is CheckFormat.xlsx:
        from auditor.reporters.sheets import write_xlsx

        _atomic_output(output, lambda target: write_xlsx(result, target, lang=lang))
    elif fmt is CheckFormat.csv:
        from auditor.reporters.sheets import write_csv, write_ranking_csv

        if output is None:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / "findings.csv"
                write_csv(result, target, lang=lang)
                sys.stdout.write(target.read_text(encoding="utf-8-sig"))
        else:  # the findings, and beside them the ranking: one row per file, errors included
            _atomic_output(output, lambda target: write_csv(result, target, lang=lang))
            _atomic_output(ranking_csv_path(output), lambda target: write_ranking_csv(result, target, lang=lang))
    else:
        from auditor.reporters.text import render_text

        options = {"top": top, "min_severity": min_severity, "lang": lang}
        if output is None:
            render_text(result, Console(), **options)
        else:
            def write_text(target: Path) -> None:
                with target.open("w", encoding="utf-8") as handle:
                    render_text(result, Console(file=handle, width=120, no_color=True), **options)

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
        _usage_error(f"找不到文件：{path}", f"file not found: {path}")
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

    if fmt is ClaimsFormat.spacy:
        if output is None or not output.parent.is_dir():
            _usage_error("spacy 格式是二进制文件，请用 -o 指定输出文件，且其所在文件夹须已存在（如 -o 断言.spacy）",
                         "the spacy format is a binary file: give -o FILE.spacy in an existing folder")
        doc = _read_or_exit(path)
        from auditor.nlp.spacy_component import claims_docbin  # spaCy is imported only here

        docbin = claims_docbin([doc.text])
        _atomic_output(output, lambda target: docbin.to_disk(target))
        return
    if output is not None:
        _usage_error("-o 只用于 --format spacy；text 与 json 格式输出到终端（可用 > 重定向）",
                     "-o is for --format spacy only; text and json go to the terminal (redirect with >)")
    doc = _read_or_exit(path)
    found = Analysis(doc).claims
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
    for column in ("代码", "标题", "名称（JSON 中的 name）", "默认级别", "说明"):
        table.add_column(column, no_wrap=column in ("代码", "标题", "默认级别"), overflow="fold")
    for r in all_rules():
        table.add_row(r.code, r.title, r.name, SEVERITY_ZH.get(r.severity, r.severity), r.summary)
    Console().print(table)


@app.command()
def explain(code: Annotated[str, typer.Argument(help="规则代码（如 AR101），或 risk 查看风险评分公式")]) -> None:
    """打印一条规则的完整说明，或风险评分公式（explain risk）。"""
    if code.lower() == "risk":
        from auditor.scoring import explain_risk

        from auditor.review import RISK_RULE_ZH

        sys.stdout.write(explain_risk() + "\n" + RISK_RULE_ZH + "\n")
        return
    from auditor.rules import get_rule

    found = get_rule(code)
    if found is None:
        _usage_error(f"没有代码为 {code} 的规则；用 `auditor rules` 查看全部规则", f"no rule {code}; `auditor rules` lists them")
    from auditor.policy import describe

    severity = SEVERITY_ZH.get(found.severity, found.severity)
    sys.stdout.write(f"{found.code} {found.title}（{found.name}；默认级别：{severity}）\n\n{found.doc}\n{describe(found.code)}")


@app.command("review")
def review_command(
    file: Annotated[Path, typer.Argument(help="复核决定文件（CSV；不存在时新建）")],
    ids: Annotated[Optional[list[str]], typer.Option("--id", help="发现的编号（见 JSON 的 id 或终端输出的 #编号），可重复")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="已复核 | 误报 | 待跟进（也可写 reviewed | false-positive | follow-up）")] = None,
    reason: Annotated[str, typer.Option("--reason", help="理由（标为误报时必填）")] = "",
    by: Annotated[Optional[str], typer.Option("--by", help="复核人（默认当前系统用户名）")] = None,
    results: Annotated[Optional[Path], typer.Option("--from", help="`auditor check --format json` 的结果文件：补上规则、单位、年度和问题，便于阅读")] = None,
) -> None:
    """记录复核决定（已复核 / 误报 / 待跟进），或不带 --id 时列出文件中的全部决定。"""
    from auditor.review import Decision, ReviewFileError, normalise_status, now_text, record_decision

    if not ids:
        if status is not None:
            _usage_error("用 --status 记录决定时须同时给出 --id 编号", "--status needs --id")
        decisions = _read_review_or_exit(file)
        _print_decisions(list(decisions.values()))
        return
    chosen = normalise_status(status or "")
    if chosen is None:
        _usage_error(f"--status 只能是 已复核、误报、待跟进（收到 {status!r}）",
                     f"--status must be 已复核, 误报 or 待跟进 (reviewed, false-positive, follow-up), got {status!r}")
    if chosen == "误报" and not reason.strip():
        _usage_error("标为误报时请用 --reason 写明理由", "a false positive (误报) needs --reason")
    from auditor.review import ID_PATTERN

    bad = [i for i in ids if not ID_PATTERN.match(i)]
    if bad:
        _usage_error(f"编号格式不对：{'、'.join(bad)}（应如 AR101-3f9a2c1b7e，见 JSON 的 id 或终端输出的 #编号）",
                     f"malformed finding ids: {', '.join(bad)} (like AR101-3f9a2c1b7e: the JSON id or the terminal's #ID)")
    if file.exists() and not file.is_file():
        _usage_error(f"{file} 不是文件", f"{file} is not a file")
    context = _finding_context(results) if results is not None else {}
    who = by or _user_name()
    try:
        for fid in ids:
            extra = context.get(fid, {})
            record_decision(file, Decision(fid, chosen, reason.strip(), who, now_text(), **extra))
    except ReviewFileError as exc:
        _usage_error(exc.message)
    except OSError as exc:
        _usage_error(f"无法写入复核决定文件 {file}：{exc.strerror or exc}", f"cannot write the decisions file {file}: {exc.strerror or exc}")
    unknown = [fid for fid in ids if context and fid not in context]
    sys.stdout.write(f"已记录 {len(ids)} 条决定（{chosen}）到 {file}\n")
    if unknown:
        sys.stdout.write(f"注意：结果文件中没有这些编号：{'、'.join(unknown)}\n")


def _user_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on this system: leave it blank
        return ""


def _finding_context(results: Path) -> dict[str, dict[str, str]]:
    """id → rule, unit, year and message, from a `check --format json` result file."""
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _usage_error(f"无法读取结果文件 {results}：{exc}", f"cannot read the results file {results}: {exc}")
    context: dict[str, dict[str, str]] = {}
    for report in data.get("reports") or []:
        for f in report.get("findings") or []:
            if f.get("id"):
                context[f["id"]] = {"rule": str(f.get("rule") or ""), "unit": str(report.get("unit") or ""),
                                    "year": str(report.get("year") or ""), "message": str(f.get("message") or "")}
    return context


def _print_decisions(decisions: list) -> None:
    """One decision per line: 编号  状态  理由  复核人 时间  单位 年度  问题."""
    from auditor.display import terminal_safe

    if not decisions:
        sys.stdout.write("文件中还没有复核决定。\n")
        return
    sys.stdout.write(f"复核决定 {len(decisions)} 条（编号  状态  理由  复核人 时间  单位 年度  问题）：\n")
    for d in decisions:
        context = "  ".join(part for part in (f"{d.unit} {d.year}".strip(), d.message) if part)
        line = f"{d.id}  {d.status}  {d.reason or '—'}  {d.by} {d.at}".rstrip() + (f"  {context}" if context else "")
        sys.stdout.write(terminal_safe(line) + "\n")


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
    lang: Annotated[Lang, typer.Option("--lang", help="命令行提示的语言（zh 中文，en 英文）")] = Lang.zh,
) -> None:
    """绩效自评报告一致性审核工具。"""


if __name__ == "__main__":
    app()
