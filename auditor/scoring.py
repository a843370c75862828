"""Risk scoring: turn a report's findings into one 0–100 risk score and rank a batch.

Scoring reads the typed reports (:class:`auditor.engine.Report`) and their
findings (:class:`auditor.findings.Finding`): only ``severity``, ``confidence``, ``rule`` and the reviewer's
decision of each finding; it never drops a report: a report whose ``error`` is set gets ``risk_score``
``None``, tier ``"错误"`` and is ranked after every scored report.

Formula (also printed, in Chinese, by ``auditor explain risk``; see :data:`RISK_FORMULA_DOC`)::

    contribution(f) = weight[severity(f)] * confidence(f) * decay ** (k - 1)
        where k is f's position among the findings of the same rule in the same report,
        ordered by weight * confidence, largest first
    raw   = sum of contributions, where the completeness family (CP: attachments referred to but
            absent) adds at most ``completeness_cap`` in all, so that it never outranks an
            arithmetic contradiction
    risk  = 100 * (1 - exp(-raw / scale))            rounded to one decimal
    tier  = 高 if risk >= tier_high, 中 if risk >= tier_medium, else 低;
            需人工确认 whatever the risk when the report carries ``needs_review`` (no unit, no year,
            almost no figures …: see auditor.structure), ranked among the 高 reports by its risk
"""

from __future__ import annotations

import math
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Protocol, Sequence, TypeVar

from auditor.errors import AuditorError
from auditor.findings import Finding, Severity

TIER_HIGH = "高"
TIER_MEDIUM = "中"
TIER_LOW = "低"
TIER_ERROR = "错误"
TIER_REVIEW = "需人工确认"  # audited, but no recognisable report structure (report["needs_review"])

SEVERITIES: tuple[str, ...] = ("high", "medium", "low", "info")
SEVERITY_LABELS: Mapping[str, str] = MappingProxyType({s: Severity(s).label for s in SEVERITIES})

_DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"high": 30.0, "medium": 12.0, "low": 4.0, "info": 0.0}
)


COMPLETENESS_FAMILY = "CP"
R = TypeVar("R", bound="ScoredReport")


class ConfigError(AuditorError):
    """A risk configuration file that cannot be used."""

    code = "risk-config-invalid"


@dataclass(frozen=True)
class RiskConfig:
    """Parameters of the risk formula.

    Defaults: one certain high finding scores 45.1 (中), two certain high findings of different
    rules 69.9 (高), one certain medium finding 21.3 (低), one certain low finding 7.7 (低).
    ``unknown_severity_weight`` is used for a severity outside high/medium/low/info so that an
    unexpected severity still counts (as medium by default) instead of vanishing.
    """

    weights: Mapping[str, float] = field(default_factory=lambda: dict(_DEFAULT_WEIGHTS))
    decay: float = 0.5
    scale: float = 50.0
    tier_high: float = 60.0
    tier_medium: float = 25.0
    unknown_severity_weight: float = 12.0
    # what all completeness findings (CP…) of one report add at most: below one low contradiction
    # (4 × confidence ≥ 0.5), so a missing attachment never outranks a figure that does not add up
    completeness_cap: float = 1.5

    def __post_init__(self) -> None:
        merged = dict(_DEFAULT_WEIGHTS)
        merged.update({str(k): float(v) for k, v in dict(self.weights).items()})
        object.__setattr__(self, "weights", MappingProxyType(merged))
        problems: list[str] = []
        for name, weight in merged.items():
            if not math.isfinite(weight) or weight < 0:
                problems.append(f"严重程度 {name} 的权重必须是非负数，实为 {weight}")
        if not (0.0 < self.decay <= 1.0):
            problems.append(f"decay（同一规则的递减系数）必须在 (0, 1] 内，实为 {self.decay}")
        if not (self.scale > 0 and math.isfinite(self.scale)):
            problems.append(f"scale（饱和尺度）必须是正数，实为 {self.scale}")
        if not (0.0 <= self.tier_medium <= self.tier_high <= 100.0):
            problems.append(
                f"等级阈值须满足 0 ≤ tier_medium ≤ tier_high ≤ 100，实为 "
                f"tier_medium={self.tier_medium}, tier_high={self.tier_high}"
            )
        if self.unknown_severity_weight < 0:
            problems.append("unknown_severity_weight 必须是非负数")
        if not (self.completeness_cap >= 0 and math.isfinite(self.completeness_cap)):
            problems.append(f"completeness_cap（完整性类发现的封顶分）必须是非负数，实为 {self.completeness_cap}")
        if problems:
            raise ConfigError("风险评分配置无效：" + "；".join(problems))

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.weights.items())), self.decay, self.scale,
                     self.tier_high, self.tier_medium, self.unknown_severity_weight, self.completeness_cap))

    def weight_of(self, severity: str) -> float:
        """The weight of a severity; an unknown severity gets ``unknown_severity_weight``."""
        return self.weights.get(severity, self.unknown_severity_weight)


class ScoredReport(Protocol):
    """What scoring reads and sets on a report (:class:`auditor.engine.Report`)."""

    path: str
    error: Any
    findings: Sequence[Finding]
    needs_review: Any
    risk_score: float | None
    tier: str | None
    rank: int | None


def _confidence(value: Any) -> float:
    """A finding's confidence clamped to [0, 1]; missing or unreadable counts as 1."""
    if value is None or isinstance(value, bool):
        return 1.0
    try:
        conf = float(value)
    except (TypeError, ValueError):
        return 1.0
    if math.isnan(conf):
        return 1.0
    return min(1.0, max(0.0, conf))


def raw_risk(findings: Iterable[Finding], config: RiskConfig = RiskConfig()) -> float:
    """Sum of finding contributions with diminishing returns per rule (before saturation)."""
    by_rule: dict[str, list[float]] = defaultdict(list)
    for finding in findings:
        if finding.decision == "误报":  # a reviewer's false alarm leaves the risk
            continue
        by_rule[finding.rule].append(config.weight_of(finding.severity) * _confidence(finding.confidence))
    total = completeness = 0.0
    for code, bases in by_rule.items():
        part = sum(base * config.decay**k for k, base in enumerate(sorted(bases, reverse=True)))
        if code.startswith(COMPLETENESS_FAMILY):
            completeness += part
        else:
            total += part
    return total + min(completeness, config.completeness_cap)


def saturate(raw: float, config: RiskConfig = RiskConfig()) -> float:
    """Map a raw sum (≥ 0) to 0..100, rounded to one decimal."""
    return round(100.0 * (1.0 - math.exp(-max(0.0, raw) / config.scale)), 1)


def score_report(report: ScoredReport, config: RiskConfig = RiskConfig()) -> float | None:
    """Risk score 0..100 of one report, or ``None`` when the report has an ``error``."""
    if report.error:
        return None
    return saturate(raw_risk(report.findings, config), config)


def tier_of(risk: float | None, config: RiskConfig = RiskConfig()) -> str:
    """Tier label: 高 / 中 / 低, or 错误 for a report without a score."""
    if risk is None:
        return TIER_ERROR
    if risk >= config.tier_high:
        return TIER_HIGH
    if risk >= config.tier_medium:
        return TIER_MEDIUM
    return TIER_LOW


def rank_reports(reports: Iterable[R], config: RiskConfig = RiskConfig()) -> list[R]:
    """Score and rank every report: each gets ``risk_score``, ``tier`` and ``rank`` (1..n, no gaps);
    returned in rank order: the 高 reports and those flagged 需人工确认 (``needs_review``) first, by
    risk; then the others by risk; ties broken by path; reports with an error come last (ordered by
    path) and are never dropped."""
    reports = list(reports)
    for report in reports:
        report.risk_score = score_report(report, config)
        report.tier = tier_of(report.risk_score, config)
        if report.risk_score is not None and report.needs_review:
            report.tier = TIER_REVIEW

    def order(report: ScoredReport) -> tuple[int, float, str]:
        risk = report.risk_score
        group = 2 if risk is None else 0 if report.tier in (TIER_HIGH, TIER_REVIEW) else 1
        return (group, -(risk or 0.0), str(report.path or ""))

    reports.sort(key=order)
    for position, report in enumerate(reports, start=1):
        report.rank = position
    return reports


_CONFIG_KEYS = {f.name for f in fields(RiskConfig)}


def config_from_mapping(data: Mapping[str, Any]) -> RiskConfig:
    """Build a :class:`RiskConfig` from a mapping (the ``[risk]`` table of a TOML file)."""
    unknown = sorted(set(data) - _CONFIG_KEYS)
    if unknown:
        raise ConfigError(
            "风险评分配置中有无法识别的项：" + "、".join(unknown)
            + "（可用项：" + "、".join(sorted(_CONFIG_KEYS)) + "）"
        )
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key == "weights":
            if not isinstance(value, Mapping):
                raise ConfigError("风险评分配置的 weights 必须是表，例如 weights = {high = 30}")
            bad = sorted(set(value) - set(SEVERITIES))
            if bad:
                raise ConfigError("weights 中有未知的严重程度：" + "、".join(bad))
            kwargs[key] = dict(value)
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"风险评分配置项 {key} 必须是数字，实为 {value!r}")
            kwargs[key] = float(value)
    try:
        return RiskConfig(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"风险评分配置无效：{exc}") from exc


def load_config(path: str | Path) -> RiskConfig:
    """Read a :class:`RiskConfig` from a TOML file.

    The parameters may sit at the top level or under a ``[risk]`` table::

        [risk]
        decay = 0.5
        scale = 50
        tier_high = 60
        tier_medium = 25
        [risk.weights]
        high = 30
        medium = 12

    Missing keys keep their defaults. Raises :class:`ConfigError` (code
    ``risk-config-invalid``) for an unreadable file, bad TOML, unknown keys or bad values.
    """
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"无法读取风险评分配置文件 {path}：{exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"风险评分配置文件 {path} 不是有效的 TOML：{exc}") from exc
    table = data.get("risk", data)
    if not isinstance(table, Mapping):
        raise ConfigError(f"风险评分配置文件 {path} 中的 [risk] 必须是表")
    return config_from_mapping(table)


def explain_risk(config: RiskConfig = RiskConfig()) -> str:
    """The Chinese explanation of the risk formula with the given parameters filled in."""
    w = config.weights

    def example(*contribs: float) -> str:
        return f"{saturate(sum(contribs), config):.1f}"

    return f"""风险评分说明
============
每份报告的风险分在 0 到 100 之间，分越高越应优先审阅。计算分三步：

1. 单条发现的分量 = 严重程度权重 × 置信度 × 递减系数^(k-1)
   - 严重程度权重：高 {w['high']:g}，中 {w['medium']:g}，低 {w['low']:g}，提示 {w['info']:g}；
     未知的严重程度按 {config.unknown_severity_weight:g} 计（不会被忽略）。
   - 置信度取 0 到 1（缺失时按 1 计）。
   - 同一份报告中同一条规则的多条发现按分量从大到小排列，第 k 条乘以
     {config.decay:g}^(k-1)，即递减计分：同类问题重复出现会加分，但不会无限累加。
2. 原始分 = 全部发现分量之和；其中完整性类发现（CP，如正文提到而未附的附件）合计最多计
   {config.completeness_cap:g} 分，低于一条“低”级计算矛盾，因此缺附件不会排在数字对不上的报告之前。
3. 风险分 = 100 × (1 − e^(−原始分 / {config.scale:g}))，保留一位小数。
   这是饱和映射：原始分越大，风险分越接近 100，但不会超过 100。

风险等级：风险分 ≥ {config.tier_high:g} 为“高”，≥ {config.tier_medium:g} 为“中”，其余为“低”。
看不出报告结构的文件（未识别出单位和年度且几乎没有数字、全文没有数字、只有几个字、标题是通知等）
等级为“需人工确认”，并注明原因；它们与“高”等级的报告排在一起（按风险分），不会混在“低”等级中显得没有问题。
无法读取或处理出错的报告没有风险分，等级为“错误”，排在所有已评分报告之后，不会被遗漏。
批次排名：按风险分从高到低排列，分数相同时按文件路径排序，保证结果稳定可复现。

示例（置信度均为 1）：
- 一条“高”发现：{example(w['high'])}
- 两条不同规则的“高”发现：{example(w['high'], w['high'])}
- 同一规则的三条“高”发现：{example(w['high'], w['high'] * config.decay, w['high'] * config.decay ** 2)}
- 一条“中”发现：{example(w['medium'])}；一条“低”发现：{example(w['low'])}

以上参数可在 TOML 配置文件的 [risk] 表中修改（weights、decay、scale、tier_high、tier_medium、
completeness_cap）。
"""


RISK_FORMULA_DOC: str = explain_risk()
"""The Chinese explanation of the default risk formula (printed by ``auditor explain risk``)."""
