"""Built-in rules: one module per rule, registered on import (see registry.py)."""

from auditor.rules import (  # noqa: F401
    ar101_narrative_sum,
    ar102_execution_rate,
    ar103_score_total,
    ar104_table_sum,
    ar105_narrative_rate,
    ar106_score_above_weight,
    ar107_score_coefficient,
    ar108_rate_score,
    ar109_weight_total,
    ar110_change_rate,
    ar111_impossible_share,
    ar112_place_breakdown,
    ar113_cost_shares,
    ar114_share_of_total,
    ar115_block_breakdown,
    cp401_missing_attachment,
    in001_rule_crashed,
    ru501_copied_from_earlier,
    ru502_wrong_year_framing,
    ru503_duplicated_section,
    ru504_stale_figure_conflict,
    ru505_template_text,
    ru506_copied_from_other_unit,
    ru507_prior_year_figure,
    tg301_target_missed,
    tg302_deduction_reason,
    tg303_actual_range,
    tg304_cost_over_budget,
    tg305_narrative_target_missed,
    tg306_cost_actual_over_spending,
    xc201_narrative_table,
    xc202_indicator_conflict,
)
from auditor.rules.registry import Rule, all_rules, get_rule, rule, run_rules, select_rules

__all__ = ["Rule", "all_rules", "get_rule", "rule", "run_rules", "select_rules"]
