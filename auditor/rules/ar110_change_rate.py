from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_DOWN, Decimal

from auditor.analysis import Analysis
from auditor.arith import HUNDRED, Interval, finest_decimals, fmt, ratio_percent, stated, written
from auditor.extract.changes import ChangeStatement
from auditor.extract.sums import in_unit_of
from auditor.findings import Evidence, Finding
from auditor.policy import band
from auditor.rules.registry import Rule, rule


@rule("AR110", "change-rate-mismatch", "medium", requires=("changes",))
def change_rate_mismatch(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文所称的增减额、增减幅度与所比较的两个数不符（“比上年增加X万元，增长Y%”）。

    检查内容：正文所称的增减——“比上年增加615.40万元，增长9.82%”“与预算相比，减少0.44万元，下降16%”
    “比2019年实际支出412.50万元，减少36.20万元，降低8.78%”——用所比较的数字重新计算。增减幅度是增减额除以
    较早的数（增长以基数计，而不是以本年数计）；较早的数取文中所称的，或用本年数减去增减额。两个数都写明时，
    其差必须等于所称增减额。
    为何重要：用错基数算出的增长率，或与自身数字对不上的增减额，说明其中某个数字有误，而复核人无从判断是哪一个。
    示例：支出总计700.00万元，比上年增加100.00万元，增长16.67%（100 ÷ 600 = 16.67%；÷ 700 则为 14.29%）。
    容差：考虑四舍五入：每个数字代表其小数位允许的区间，小数位少于其他数字的按所见最细精度理解。只在这一
    理解下才相符、按文中所写数字直接计算却不符的（“减少0.47万元，下降14%”而基数为3.20万元：14.69%，应为15%），
    报“低”，置信度0.45：撰写者可能是用未取整的数算的。所称幅度像是截去尾数而非四舍五入所得的（15.8397%
    写作15.83%），消息中说明。以比较开头的句子（“较年初预算数减少X，下降Y%”）说的是上一句所比较的数。
    级别：增减幅度相差 5 个百分点及以上为“高”，0.3 个百分点起为“中”；增减额相差 5% 及以上为“高”，0.5% 起为
    “中”；以下为“低”；同一增减额两处说法不一的为“中”。本年数只能在段中其他地方凭标签找到时（“支出总计…。
    …支出增加X，增长Y%”），它可能是任一年度的数：只有两种理解都得不出所称幅度时才报告，置信度较低。基数为零
    时所称的增长率（增加额等于本年数）为“低”：此时不存在增长率。
    """
    doc = analysis.doc
    for statement in analysis.changes:
        finding = (_check_restated(doc, this, statement) or _check_change(doc, this, statement)
                   or _check_rate(doc, this, statement))
        if finding is not None:
            yield finding


def _intervals(statement: ChangeStatement):
    figures = [m for m in (statement.change, statement.current, statement.previous) if m is not None]
    finest = finest_decimals([m for m in figures if m.unit == statement.change.unit])

    def iv(m) -> Interval:
        return stated(m, finest if m.unit == statement.change.unit else None).scale(in_unit_of(m, statement.change))

    return iv


def _zero_base(doc, this, s: ChangeStatement) -> Finding:
    """"收支总计86.4万元，较上年增加86.4万元，增长100.0%": the earlier figure was nil, no rate exists."""
    message = (f"正文称增加{written(s.change)}、增长{written(s.rate)}，但增加额与本期数{written(s.current)}相同，"
               f"上年基数为零，增长率无从计算")
    message_en = "the change equals this year's figure, so the base is zero and no growth rate exists"
    evidence = [Evidence.of(doc, m.start, m.end) for m in (s.rate, s.change, s.current)]
    return this.finding(severity="low", confidence=0.6, message=message, message_en=message_en,
                        evidence=evidence, values={"stated_rate": s.rate.value, "change": s.change.value,
                                                   "current": s.current.value})


def _check_restated(doc, this, s: ChangeStatement) -> Finding | None:
    """"比上年增加206.75万元，增加31.20万元": one change, two different figures."""
    first = s.restated
    if first is None:
        return None
    iv = _intervals(s)
    if iv(first).overlaps(iv(s.change)):
        return None
    verb = "增加" if s.direction > 0 else "减少"
    message = (f"同一句中对同一变动先称{verb}{written(first)}，又称{verb}{written(s.change)}，两数不一致"
               f"{'；后者可能是误写了单位的增幅' if s.rate is None else ''}")
    message_en = f"the same change is stated twice with different values: {fmt(first.value)} and {fmt(s.change.value)}"
    evidence = [Evidence.of(doc, first.start, first.end), Evidence.of(doc, s.change.start, s.change.end)]
    return this.finding(severity="medium", confidence=0.75, message=message, message_en=message_en,
                        evidence=evidence, values={"first": first.value, "second": s.change.value})


def _check_change(doc, this, s: ChangeStatement) -> Finding | None:
    if s.current is None or s.previous is None:
        return None
    iv = _intervals(s)
    difference = iv(s.current) - iv(s.previous)
    change = iv(s.change).scale(Decimal(s.direction))
    if difference.overlaps(change):
        return _change_at_rounding_edge(doc, this, s)
    point, stated_change = _difference(s)
    gap = abs(point - stated_change)
    relative = gap / abs(s.change.value) if s.change.value else Decimal(1)
    severity = band("AR110-change", relative)
    verb = "增加" if s.direction > 0 else "减少"
    message = (f"正文称{written(s.current)}比{written(s.previous)}{verb}{written(s.change)}，"
               f"但两数之差为{fmt(point)}{s.change.unit}，相差{fmt(gap)}{s.change.unit}")
    message_en = (f"the stated change {fmt(stated_change)} does not match {fmt(s.current.value)} - "
                  f"{fmt(s.previous.value)} = {fmt(point)}")
    return this.finding(severity=severity, confidence=0.85, message=message, message_en=message_en,
                        evidence=_change_evidence(doc, s), values=_change_values(s, point, stated_change))


def _difference(s: ChangeStatement) -> tuple[Decimal, Decimal]:
    """(current − previous in the change's unit, the stated change with its sign)."""
    point = s.current.value * in_unit_of(s.current, s.change) - s.previous.value * in_unit_of(s.previous, s.change)
    return point, s.change.value * s.direction


def _change_evidence(doc, s: ChangeStatement) -> list[Evidence]:
    return [Evidence.of(doc, m.start, m.end) for m in (s.change, s.current, s.previous)]


def _change_values(s: ChangeStatement, point: Decimal, stated_change: Decimal) -> dict:
    return {"stated_change": stated_change, "computed_change": point, "current": s.current.value,
            "previous": s.previous.value}


def _check_rate(doc, this, s: ChangeStatement) -> Finding | None:
    if s.rate is None or (s.current is None and s.previous is None):
        return None
    iv = _intervals(s)
    if s.previous is not None:
        base = iv(s.previous)
        base_point = s.previous.value * in_unit_of(s.previous, s.change)
        base_words = f"比较的基数{written(s.previous)}"
    else:
        base = iv(s.current) - iv(s.change).scale(Decimal(s.direction))
        base_point = s.current.value * in_unit_of(s.current, s.change) - s.direction * s.change.value
        verb = "减去" if s.direction > 0 else "加上"
        base_words = f"基数（{written(s.current)}{verb}{written(s.change)}＝{fmt(base_point)}{s.change.unit}）"
    stated_rate = stated(s.rate)
    if s.previous is None and base.lo <= 0 <= base.hi and s.rate.value != 0:
        return _zero_base(doc, this, s)
    computed = ratio_percent(iv(s.change), base)
    if computed is None or base_point <= 0:
        return None
    if stated_rate.overlaps(computed):
        return _rate_at_rounding_edge(doc, this, s, stated_rate, computed, base_point, base_words)
    if s.current_found_in == "paragraph":
        # found by its label only: it may be the earlier year's figure; quiet if that reading fits
        as_previous = ratio_percent(iv(s.change), iv(s.current))
        if as_previous is None or stated_rate.overlaps(as_previous):
            return None
    point = s.change.value / base_point * HUNDRED
    gap = abs(point - s.rate.value)
    severity = band("AR110-rate", gap)
    confidence = 0.85 if s.previous is not None or s.current_found_in in ("sentence", "continued") else 0.7
    message = (f"正文称变动{written(s.change)}、幅度{written(s.rate)}，但{written(s.change)}÷{base_words}"
               f"＝{fmt(point)}%，相差{fmt(gap)}个百分点")
    if s.previous is None and s.current is not None:
        on_current = s.change.value / (s.current.value * in_unit_of(s.current, s.change)) * HUNDRED
        if abs(on_current - s.rate.value) < Decimal("0.06"):
            message += f"（所称幅度是以本期数为基数算得的{fmt(on_current)}%）"
    if _truncated(point, s.rate):
        message += f"（按文中数字算得{fmt(point, 4)}%，所称幅度是截去尾数而非四舍五入所得）"
    message_en = f"stated rate {fmt(s.rate.value)}%, but {fmt(s.change.value)} / {fmt(base_point)} = {fmt(point)}%"
    evidence = [Evidence.of(doc, s.rate.start, s.rate.end), Evidence.of(doc, s.change.start, s.change.end)]
    evidence += [Evidence.of(doc, m.start, m.end) for m in (s.current, s.previous) if m is not None]
    return this.finding(severity=severity, confidence=confidence, message=message, message_en=message_en,
                        evidence=evidence, values={"stated_rate": s.rate.value,
                                                   "computed_rate": point.quantize(Decimal("0.01")),
                                                   "change": s.change.value, "base": base_point})


def _rate_at_rounding_edge(doc, this, s: ChangeStatement, stated_rate: Interval, computed: Interval,
                           base_point: Decimal, base_words: str) -> Finding | None:
    """The rate fits only if the figures it is computed from are themselves rounded: divided as written,
    they give a rate the stated one is not a rounding of ("减少0.47万元，下降14%" from a base of 3.20:
    14.69%). Reported low: the writer may have divided unrounded figures. Only when the written figures
    are precise enough to decide the rate's last digit: "减少237万元，下降7.81%" from whole 万元 cannot
    (237 ÷ 3038 lies anywhere from 7.78% to 7.82% as those figures round)."""
    if s.previous is None and s.current_found_in not in ("sentence", "continued"):
        return None  # a base found by its label elsewhere is not certain enough for an edge case
    if computed.hi - computed.lo > stated_rate.hi - stated_rate.lo:
        return None  # the figures are coarser than the rate: its last digit came from finer ones
    point = s.change.value / base_point * HUNDRED
    if stated_rate.lo <= point <= stated_rate.hi:
        return None
    places = max(s.rate.decimals, 0)
    rounded = point.quantize(Decimal(1).scaleb(-places))
    message = (f"正文称变动{written(s.change)}、幅度{written(s.rate)}；按文中数字计算，{written(s.change)}÷{base_words}"
               f"＝{fmt(point, places + 2)}%，四舍五入应为{rounded:.{places}f}%"
               f"{'（所称幅度像是截去尾数所得）' if _truncated(point, s.rate) else ''}。"
               f"只有文中数字本身是取整后的数时两者才可能相符，请核对")
    message_en = (f"stated rate {fmt(s.rate.value)}%, but the figures as written give {fmt(s.change.value)} / "
                  f"{fmt(base_point)} = {fmt(point)}%; it fits only if those figures are themselves rounded")
    evidence = [Evidence.of(doc, s.rate.start, s.rate.end), Evidence.of(doc, s.change.start, s.change.end)]
    evidence += [Evidence.of(doc, m.start, m.end) for m in (s.current, s.previous) if m is not None]
    return this.finding(severity="low", confidence=0.45, message=message, message_en=message_en,
                        evidence=evidence, values={"stated_rate": s.rate.value,
                                                   "computed_rate": point.quantize(Decimal("0.01")),
                                                   "change": s.change.value, "base": base_point,
                                                   "rounding_edge": True})


def _change_at_rounding_edge(doc, this, s: ChangeStatement) -> Finding | None:
    """The stated change fits only if the two figures are themselves rounded: subtracted as written they
    differ from it by more than its own last digit ("3.27 … 4.51 … 减少1.25": 1.24). Reported low."""
    point, stated_change = _difference(s)
    own = stated(s.change)
    if own.lo <= point * s.direction <= own.hi:
        return None
    verb = "增加" if s.direction > 0 else "减少"
    message = (f"正文称{written(s.current)}比{written(s.previous)}{verb}{written(s.change)}；按文中数字两数之差为"
               f"{fmt(abs(point))}{s.change.unit}。只有文中数字本身是取整后的数时两者才可能相符，请核对")
    message_en = (f"the stated change {fmt(stated_change)} differs from {fmt(s.current.value)} - {fmt(s.previous.value)}"
                  f" = {fmt(point)} as written; it fits only if those figures are themselves rounded")
    return this.finding(severity="low", confidence=0.45, message=message, message_en=message_en,
                        evidence=_change_evidence(doc, s),
                        values={**_change_values(s, point, stated_change), "rounding_edge": True})


def _truncated(point: Decimal, rate) -> bool:
    """Whether the stated rate is the computed one with its tail cut off (15.8658% written 15.86%)."""
    places = max(rate.decimals, 0)
    return point.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN) == rate.value != \
        point.quantize(Decimal(1).scaleb(-places))
