from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import HUNDRED, fmt, interval_sum, stated, written
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule

_LOCAL = frozenset({"省", "市", "县", "区", "乡", "镇", "地方"})


@rule("AR113", "cost-shares-not-whole", "medium")
def cost_shares_not_whole(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """各级财政分担的比例相加不等于100%（“中央负担50%，省级负担20%，市县承担20%”）。

    What: a sentence that splits one cost between levels of government — "中央财政负担50%，省级财政负担
    20%，市、县财政承担30%" — has its shares added up. Shares above 100% in total are always reported;
    shares below 100% are reported when the levels named run from 中央 down to a local level (the split is
    meant to be complete). Shares in brackets ("（原则上市级承担不低于10%）") are conditions on one share,
    not further shares, and bounds ("不低于") are not added.
    Why: shares of one cost that do not make up the whole leave part of it unfunded or fund it twice;
    the standard or the shares are misstated.
    Example: 补助资金由中央财政负担60%，省级财政负担20%，市、县财政承担10%.
    Tolerance: rounding-aware (each share stands for its rounding interval).
    Severity: medium; high when the shares miss 100% by 10 points or more.
    """
    doc = analysis.doc
    for shares in analysis.share_lists:
        total = interval_sum([stated(p) for p in shares.parts])
        if total.lo <= HUNDRED <= total.hi:
            continue
        over = total.lo > HUNDRED
        if not over and not ("中央" in shares.levels and shares.levels & _LOCAL):
            continue
        point = sum((p.value for p in shares.parts), Decimal(0))
        gap = abs(point - HUNDRED)
        terms = "＋".join(f"{label}{written(p)}" for label, p in zip(shares.labels, shares.parts))
        message = f"各级分担比例{terms}＝{fmt(point)}%，{'超过' if over else '不足'}100%（相差{fmt(gap)}个百分点）"
        message_en = f"the shares of the levels of government add up to {fmt(point)}%, not 100%"
        yield this.finding(severity=band("AR113", gap), confidence=0.8, message=message,
                           message_en=message_en,
                           evidence=[Evidence.of(doc, p.start, p.end) for p in shares.parts],
                           values={"shares": [p.value for p in shares.parts], "sum": point})
