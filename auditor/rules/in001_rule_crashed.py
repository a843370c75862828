from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.findings import Finding
from auditor.rules.registry import Rule, rule


@rule("IN001", "rule-crashed", "info")
def rule_crashed(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """一条规则运行出错：该规则对本报告的检查被跳过，其余规则照常运行。

    What: an internal finding that the engine emits when a rule raises on a report. The report still
    comes out with every other rule's findings; this finding names the rule and the error, so a
    silent gap in coverage is never mistaken for a clean report.
    Why: one faulty rule must not cost a batch, nor hide that a check did not run.
    Tolerance: none; it is never produced by this function itself, only by the rule runner.
    """
    return iter(())
