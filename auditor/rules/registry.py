"""The rule registry: stable codes, kebab-case names, severities, docstrings as documentation.

A rule is a function ``check(analysis, this) -> Iterable[Finding]`` registered with ``@rule``; the
runner passes the rule itself as ``this`` (its code, name and default severity stamp the findings). Codes are a
family prefix and three digits (AR arithmetic, XC cross-check, TG targets, RU reuse, CP completeness,
IN internal) and never change meaning once published.
"""

from __future__ import annotations

import inspect
import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.findings import SEVERITIES, Finding
from auditor.rule_titles import rule_title, rule_titles  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    from auditor.analysis import Analysis

_CODE_RE = re.compile(r"^(AR|XC|TG|RU|CP|IN)\d{3}$")
_NAME_RE = re.compile(r"^[a-z]+(-[a-z0-9]+)+$")

CheckFn = Callable[["Analysis", "Rule"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: str  # the default severity; a finding may grade itself up or down by the size of the gap
    check: CheckFn
    uses_references: bool = False  # reads analysis.references (earlier reports): re-run once they are known
    requires: tuple[str, ...] = ()  # the Analysis fields the rule reads (besides its Document)

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def title(self) -> str:
        """The rule's short Chinese title (auditor/data/rule_titles.tsv), shown instead of the name."""
        return rule_title(self.code, self.name)

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else ""

    def run(self, analysis: Analysis) -> Iterable[Finding]:
        """The rule's findings for one report."""
        return self.check(analysis, self)

    def finding(self, **kwargs) -> Finding:
        """A Finding stamped with this rule's code and name (severity defaults to the rule's)."""
        kwargs.setdefault("severity", self.severity)
        return Finding(rule=self.code, name=self.name, **kwargs)


_REGISTRY: dict[str, Rule] = {}
def rule(code: str, name: str, severity: str, *, requires: tuple[str, ...] = (),
         uses_references: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register a check under a stable code. ``requires``: the Analysis fields the rule reads (checked
    against the code by tests/test_analysis_graph.py). ``uses_references``: the rule compares the
    report with earlier reports (``analysis.references``); the engine runs it again once a batch's
    references are known."""
    if not _CODE_RE.match(code):
        raise ValueError(f"bad rule code {code!r}")
    if not _NAME_RE.match(name):
        raise ValueError(f"rule name must be kebab-case: {name!r}")
    if severity not in SEVERITIES:
        raise ValueError(f"bad severity {severity!r}")

    def register(fn: CheckFn) -> CheckFn:
        if code in _REGISTRY and _REGISTRY[code].check is not fn:
            raise ValueError(f"rule code {code} registered twice")
        if not (fn.__doc__ or "").strip():
            raise ValueError(f"rule {code} needs a docstring: it is the rule's documentation")
        _REGISTRY[code] = Rule(code, name, severity, fn, uses_references, tuple(requires))
        return fn

    return register


def all_rules() -> list[Rule]:
    return sorted(_REGISTRY.values(), key=lambda r: r.code)


def get_rule(code: str) -> Rule | None:
    return _REGISTRY.get(code.upper())


def select_rules(codes: Iterable[str] | None) -> list[Rule]:
    """All rules, or those whose code starts with one of ``codes`` ("AR", "AR101")."""
    rules = all_rules()
    if not codes:
        return rules
    prefixes = tuple(c.upper() for c in codes)
    return [r for r in rules if r.code.startswith(prefixes)]


def run_rules(analysis: Analysis, rules: Iterable[Rule]) -> list[Finding]:
    """Run each rule; a rule that raises becomes one internal finding, never a crash."""
    findings: list[Finding] = []
    for r in rules:
        try:
            findings.extend(r.run(analysis))
        except Exception as exc:  # noqa: BLE001 - isolation of a faulty rule is the point
            tb = traceback.extract_tb(exc.__traceback__)
            where = f"{tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else "?"
            findings.append(Finding(
                rule="IN001", name="rule-crashed", severity="info", confidence=1.0,
                message=f"规则 {r.code}（{r.name}）运行出错，已跳过：{type(exc).__name__}: {exc}（{where}）",
                message_en=f"rule {r.code} ({r.name}) failed and was skipped: {type(exc).__name__}: {exc}",
                values={"rule": r.code, "error": f"{type(exc).__name__}: {exc}"},
            ))
    return findings
