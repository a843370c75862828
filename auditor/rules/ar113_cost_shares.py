from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.analysis import Analysis
from auditor.arith import HUNDRED, fmt, interval_sum, stated, written
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule

_LOCAL = frozenset({"省", "市", "县", "区", "乡", "镇", "地方"})


@rule("AR113", "cost-shares-not-whole", "medium", requires=("share_lists",))
def cost_shares_not_whole(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """各级财政分担的比例相加不等于100%（“中央负担50%，省级负担20%，市县承担20%”）。

    检查内容：把一项费用在各级政府之间分担的句子——“中央负担六成即60%，省级承担25%，县级配套15%”——
    中的比例相加。合计超过100%的一律报告；不足100%的，只在所列层级从中央一直到地方（分担应当完整）时报告。括号内
    的比例（“（原则上县级承担不低于15%）”）是对某一份额的附加条件，不是另一份额；“不低于”之类的界限不相加。
    为何重要：一项费用的各份额凑不满整体，就有一部分无人出钱，或被重复出钱；标准或份额写错了。
    示例：补助资金由中央承担70%，省级承担20%，县级配套5%。
    容差：考虑四舍五入（每个比例代表其舍入区间）。
    级别：“中”；各比例之和与100%相差 10 个百分点及以上为“高”。
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
