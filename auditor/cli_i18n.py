"""The command line's own words (typer's usage errors, help headings and usage line) in Chinese.

- Words typer looks up with ``gettext`` (``Missing command.``) and the headings it reads once at import
  (``Arguments``, ``Options``, ``Error`` …): ``auditor/data/cli_messages_zh.tsv``, an exact table.
- Usage errors typer writes itself (``Missing argument 'paths'.``): ``auditor/data/cli_errors_zh.tsv``,
  a regular expression per message, applied when the error is shown (our own error formatter).
- ``--lang en`` anywhere on the command line, or ``AUDITOR_LANG=en``, keeps typer's English.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Sequence

_TABLE = Path(__file__).resolve().parent / "data" / "cli_messages_zh.tsv"
_ERRORS = Path(__file__).resolve().parent / "data" / "cli_errors_zh.tsv"
_TYPER_HEADINGS = ("DEPRECATED_STRING", "DEFAULT_STRING", "ENVVAR_STRING", "REQUIRED_LONG_STRING",
                   "ARGUMENTS_PANEL_TITLE", "OPTIONS_PANEL_TITLE", "COMMANDS_PANEL_TITLE", "ERRORS_PANEL_TITLE",
                   "ABORTED_TEXT", "RICH_HELP")

_state = {"lang": "zh", "installed": False}
_english_headings: dict[str, str] = {}


@lru_cache(maxsize=1)
def messages_zh() -> dict[str, str]:
    """click/typer message id → Chinese."""
    table: dict[str, str] = {}
    for line in _TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        english, chinese = line.split("\t", 1)
        unescape = lambda s: s.replace("\\n", "\n").replace("\\t", "\t")  # noqa: E731
        table[unescape(english)] = unescape(chinese)
    return table


@lru_cache(maxsize=1)
def error_patterns() -> list[tuple[re.Pattern[str], str]]:
    """(pattern over the whole English message, Chinese replacement), in the file's order."""
    patterns = []
    for line in _ERRORS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            pattern, chinese = line.split("\t", 1)
            patterns.append((re.compile(pattern, re.S), chinese))
    return patterns


def translate_error(message: str, depth: int = 0) -> str:
    """A usage error of typer in Chinese (unchanged in English, or when no pattern matches)."""
    if _state["lang"] != "zh":
        return message
    stripped = message.strip()
    for pattern, chinese in error_patterns():
        found = pattern.fullmatch(stripped)
        if found:
            groups = [translate_error(g, depth + 1) if depth < 2 and g and i == found.re.groups else (g or "")
                      for i, g in enumerate(found.groups(), start=1)]
            return re.sub(r"\\(\d)", lambda m: groups[int(m.group(1)) - 1], chinese)
    return message


def translate(message: str) -> str:
    return messages_zh().get(message, message) if _state["lang"] == "zh" else message


def lang_of(args: Sequence[str]) -> str:
    """``en`` when the command line (or AUDITOR_LANG) asks for English, else ``zh``."""
    args = list(args)
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "zh"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "zh"
    return "en" if os.environ.get("AUDITOR_LANG", "").lower().startswith("en") else "zh"


def current_language() -> str:
    """The language set by :func:`use_language` (zh unless English was asked for)."""
    return _state.get("lang", "zh")


def use_language(lang: str) -> None:
    """Make typer's messages speak ``lang`` (zh or en) from now on. ``typer.rich_utils`` (help and error
    display; it pulls in rich.markdown) is not imported for this: it is patched when typer imports it."""
    if not _state["installed"]:
        _install_formatters()
        _state["installed"] = True
    _state["lang"] = "en" if lang == "en" else "zh"
    rich_utils = sys.modules.get("typer.rich_utils")
    if rich_utils is not None:
        _localise_rich_utils(rich_utils)


def _install_formatters() -> None:
    """typer's gettext lookups, help option and usage line with our words; its error display and
    headings once ``typer.rich_utils`` is imported."""
    import typer.core
    from typer._click import core as click_core
    from typer._click import formatting

    typer.core._ = translate
    if "typer.rich_utils" in sys.modules:
        _localise_rich_utils(sys.modules["typer.rich_utils"])
    else:
        sys.meta_path.insert(0, _RichUtilsHook())

    write_usage = formatting.HelpFormatter.write_usage

    def localised_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:  # noqa: ANN001
        write_usage(self, prog, args, translate("Usage: ") if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = localised_usage

    get_help_option = click_core.Command.get_help_option

    def localised_help_option(self, ctx):  # noqa: ANN001, ANN202
        option = get_help_option(self, ctx)
        if option is not None:
            english = getattr(option, "_english_help", None) or option.help
            option._english_help = english
            option.help = translate(english)
        return option

    click_core.Command.get_help_option = localised_help_option


def _localise_rich_utils(rich_utils: ModuleType) -> None:
    """Headings in the current language; errors shown through :func:`translate_error` (once)."""
    if not _english_headings:
        _english_headings.update({key: getattr(rich_utils, key) for key in _TYPER_HEADINGS})
        rich_utils._ = translate
        english_error = rich_utils.rich_format_error

        def rich_format_error(error) -> None:  # noqa: ANN001 - a click exception
            if _state["lang"] == "zh" and hasattr(error, "format_message"):
                original = error.format_message
                error.format_message = lambda: translate_error(original())
            english_error(error)

        rich_utils.rich_format_error = rich_format_error
    for key, english in _english_headings.items():
        setattr(rich_utils, key, translate(english))


class _RichUtilsHook(importlib.abc.MetaPathFinder):
    """Localises ``typer.rich_utils`` right after typer imports it (only when help or an error is shown)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name != "typer.rich_utils":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            load(module)
            _localise_rich_utils(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec
