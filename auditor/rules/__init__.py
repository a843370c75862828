"""Built-in rules: one module per rule, registered on import (see registry.py)."""

from auditor.rules import (  # noqa: F401
    ar101_narrative_sum,
    ar102_execution_rate,
    ar103_score_total,
    in001_rule_crashed,
)
from auditor.rules.registry import Rule, all_rules, get_rule, rule, run_rules, select_rules

__all__ = ["Rule", "all_rules", "get_rule", "rule", "run_rules", "select_rules"]
