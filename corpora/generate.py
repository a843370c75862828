"""Deterministic generator of labelled synthetic performance self-evaluation reports.

Every report is built from numbers drawn with a seeded RNG (no clock, no network), so the same
arguments always give byte-identical files. While the text is assembled, every figure is
recorded with its character offset, so the manifest can say exactly where each figure, each
injected inconsistency and each copied passage sits in the file.

Usage::

    python -m corpora.generate --sample
    python -m corpora.generate OUT_DIR --units 50 --years 2022 2023 2024 --seed 7 \
        --copy-rate 0.3 --inject-errors
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Sequence, Union

if __package__ in (None, ""):  # run as a script: python corpora/generate.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpora import vocab  # noqa: E402
from corpora.vocab import Activity, Department, Project  # noqa: E402

GENERATOR_VERSION = "1"
ERROR_KINDS: tuple[str, ...] = (
    "narrative_sum",
    "table_rate",
    "score_total",
    "narrative_table_mismatch",
    "missed_target_full_marks",
)
COPY_MODES: tuple[str, ...] = ("section", "paragraphs", "template")
SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
SAMPLE_SEED = 20240611
RATE_WEIGHT = 10

CENT = Decimal("0.01")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
ORDINALS = "一二三四五六七八九十"


# ----------------------------------------------------------------------------- numbers

def money(cents: int) -> str:
    """Format an amount held in hundredths of 万元 as '1389.01'."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def dec_money(cents: int) -> Decimal:
    """An amount in hundredths of 万元 as a Decimal in 万元."""
    return (Decimal(cents) / 100).quantize(CENT)


def rate_percent(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator × 100, rounded half-up to 2 decimals (0 when denominator is 0)."""
    if denominator == 0:
        return Decimal("0.00")
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(CENT, ROUND_HALF_UP)


def rate_score(rate: Decimal, weight: int = RATE_WEIGHT) -> Decimal:
    """分值 × 执行率 (the stated 2-decimal rate), rounded half-up to 2 decimals, capped at 分值."""
    score = (Decimal(weight) * rate / 100).quantize(CENT, ROUND_HALF_UP)
    return min(score, Decimal(weight).quantize(CENT))


def fmt_score(value: Decimal) -> str:
    """'10' for whole numbers, otherwise up to two decimals without trailing zeros ('9.5', '9.55')."""
    value = value.quantize(CENT, ROUND_HALF_UP)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def dec_str(value: Decimal | int) -> str:
    """Canonical string of a value for the manifest ('1389.01', '18', '95.45')."""
    if isinstance(value, int):
        return str(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


# ----------------------------------------------------------------------------- text builder

@dataclass(frozen=True)
class Fig:
    """A figure to write: its semantic key, its value and the text that states it."""

    key: str
    value: str
    text: str


Cell = Union[None, str, Fig, Sequence[Union[str, Fig]]]


@dataclass
class Mention:
    """A figure as written in the file."""

    key: str
    value: str
    text: str
    offset: int
    length: int
    where: str  # narrative | table
    table: int | None = None
    stale: bool = False  # inside a passage copied from an earlier report

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value, "text": self.text, "offset": self.offset,
                "length": self.length, "where": self.where, "table": self.table,
                "stale": self.stale}


class Doc:
    """Append-only text with recorded figure mentions, section spans and table spans."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.mentions: list[Mention] = []
        self.sections: dict[str, tuple[int, int]] = {}
        self.tables: list[dict[str, Any]] = []
        self._open: dict[str, int] = {}

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += len(text)

    def fig(self, fig: Fig, where: str = "narrative", table: int | None = None) -> None:
        self.mentions.append(Mention(fig.key, fig.value, fig.text, self.pos, len(fig.text),
                                     where, table))
        self.add(fig.text)

    def say(self, template: str, **figs: Fig | str) -> None:
        """Write ``template``; ``{name}`` placeholders are figures (recorded) or plain strings."""
        for index, piece in enumerate(re.split(r"\{(\w+)\}", template)):
            if index % 2 == 0:
                self.add(piece)
            else:
                value = figs[piece]
                if isinstance(value, Fig):
                    self.fig(value)
                else:
                    self.add(value)

    def line(self, template: str = "", **figs: Fig | str) -> None:
        self.say(template, **figs)
        self.add("\n")

    def begin(self, name: str) -> None:
        self._open[name] = self.pos

    def end(self, name: str, trailing: int = 0) -> None:
        """Close section ``name``; ``trailing`` characters at the end are left out."""
        self.sections[name] = (self._open.pop(name), self.pos - trailing)

    def paste(self, source: "Doc", span: tuple[int, int]) -> tuple[int, int]:
        """Copy source text in ``span`` verbatim, with its mentions marked stale."""
        start, end = span
        text = source.text()[start:end]
        offset = self.pos
        for mention in source.mentions:
            if start <= mention.offset and mention.offset + mention.length <= end:
                self.mentions.append(Mention(mention.key, mention.value, mention.text,
                                             mention.offset - start + offset, mention.length,
                                             mention.where, None, True))
        self.add(text)
        return offset, len(text)

    def table(self, title: str, rows: list[list[Cell]]) -> None:
        """Write a table flattened like a .docx export: one TAB-led line per cell, a blank line
        between rows, an empty TAB cell where a merged cell continues, two blank lines after."""
        index = len(self.tables)
        start = self.pos
        for row_index, row in enumerate(rows):
            if row_index:
                self.add("\n")
            for cell in row:
                self.add("\t")
                if cell is None:
                    pass
                elif isinstance(cell, str):
                    self.add(cell)
                elif isinstance(cell, Fig):
                    self.fig(cell, "table", index)
                else:
                    for part in cell:
                        if isinstance(part, Fig):
                            self.fig(part, "table", index)
                        else:
                            self.add(part)
                self.add("\n")
        self.tables.append({"title": title, "offset": start, "length": self.pos - start,
                            "rows": len(rows), "cells_per_row": [len(r) for r in rows]})
        self.add("\n\n")

    def text(self) -> str:
        joined = "".join(self.parts)
        self.parts = [joined]
        return joined


# ----------------------------------------------------------------------------- plans

@dataclass
class UnitPlan:
    """Who writes the reports: fixed over the years."""

    index: int
    county: str
    department: Department
    kind: str  # department | project
    activities: list[Activity]
    projects: list[Project]
    project_tables: int  # department reports: how many 项目支出绩效自评表 to attach
    problems: list[str]
    measures: list[str]
    basic_scale: int  # cents
    staff_scale: int

    @property
    def name(self) -> str:
        return f"{self.county}{self.department.name}"


@dataclass
class Forced:
    """Sample-only override: exactly these errors and copy modes."""

    errors: list[str] = field(default_factory=list)
    copy: tuple[str, ...] = ()  # any of "section" | "paragraphs" (exclusive), "template"


@dataclass
class Indicator:
    level1: str
    level2: str
    name: str
    kind: str  # quantity | percent | time | cost | qualitative
    unit: str
    target: Decimal | None
    actual: Decimal | None
    target_text: str
    actual_text: str
    weight: int
    score: Decimal
    reason: str
    key: str  # key of the actual value (activity.X, satisfaction, budget.executed ...)
    target_key: str = ""
    phrase: str = ""  # activity phrase with {n}

    @property
    def met(self) -> bool:
        if self.target is None or self.actual is None:
            return True
        if self.kind == "cost":
            return self.actual <= self.target
        return self.actual >= self.target

    def as_dict(self) -> dict[str, Any]:
        return {"level1": self.level1, "level2": self.level2, "name": self.name,
                "kind": self.kind, "unit": self.unit,
                "target": None if self.target is None else dec_str(self.target),
                "actual": None if self.actual is None else dec_str(self.actual),
                "target_text": self.target_text, "actual_text": self.actual_text,
                "weight": self.weight, "score": dec_str(self.score), "met": self.met,
                "reason": self.reason, "key": self.key}


def _pick(rng: random.Random, items: Sequence[Any]) -> Any:
    return items[rng.randrange(len(items))]


def _amount(rng: random.Random, low: int, high: int) -> int:
    """A random amount in cents between low and high 万元."""
    return rng.randrange(low * 100, high * 100)


def _counties(seed: int, count: int) -> list[str]:
    rng = random.Random(f"{seed}|counties")
    names: list[str] = []
    while len(names) < count:
        name = (_pick(rng, vocab.PLACE_FIRST) + _pick(rng, vocab.PLACE_SECOND)
                + _pick(rng, vocab.PLACE_SUFFIX))
        if name[0] != name[1] and all(name[:2] != other[:2] for other in names):
            names.append(name)
    return names


def plan_units(seed: int, n_units: int, project_share: float = 0.25) -> list[UnitPlan]:
    """Draw ``n_units`` distinct reporting units (county + department, or a project)."""
    counties = _counties(seed, max(3, (n_units + 2) // 3))
    used: set[str] = set()
    plans: list[UnitPlan] = []
    for index in range(n_units):
        rng = random.Random(f"{seed}|unit|{index}")
        kind = "project" if rng.random() < project_share else "department"
        for _attempt in range(1000):
            county = _pick(rng, counties)
            department = _pick(rng, vocab.DEPARTMENTS)
            projects = list(department.projects)
            rng.shuffle(projects)
            identity = f"{county}{department.name}" + (f"|{projects[0].name}"
                                                       if kind == "project" else "")
            if identity not in used:
                break
        else:  # more units than combinations: extend the county list deterministically
            county = f"{_pick(rng, counties)[:2]}{index}县"
            identity = f"{county}{department.name}|{kind}"
        used.add(identity)
        plans.append(_unit_plan(rng, index, county, department, kind, projects))
    return plans


def _unit_plan(rng: random.Random, index: int, county: str, department: Department,
               kind: str, projects: list[Project]) -> UnitPlan:
    n_activities = rng.choice((4, 5)) if len(department.activities) >= 5 else 4
    activities = rng.sample(list(department.activities), n_activities)
    problems = sorted(rng.sample(range(len(vocab.PROBLEMS)), 3))
    measures = sorted(rng.sample(range(len(vocab.MEASURES)), 3))
    return UnitPlan(
        index=index, county=county, department=department, kind=kind,
        activities=activities, projects=projects,
        project_tables=rng.choice((0, 1, 1, 2)) if kind == "department" else 1,
        problems=[vocab.PROBLEMS[i] for i in problems],
        measures=[vocab.MEASURES[i] for i in measures],
        basic_scale=_amount(rng, department.basic_low, department.basic_high),
        staff_scale=rng.randrange(18, 120),
    )


# ----------------------------------------------------------------------------- report numbers

@dataclass
class ProjectNumbers:
    name: str
    purpose: str
    beneficiary: str
    initial: int
    adjusted: int
    executed: int
    carryover: int
    activities: list[tuple[Activity, int]]
    indicators: list[Indicator]
    rate: Decimal = Decimal(0)
    rate_score: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    upper: int = 0  # 上级补助资金 (project reports)
    local: int = 0  # 本级财政资金
    use_main: int = 0
    use_other: int = 0

    def finish(self) -> None:
        self.rate = rate_percent(self.executed, self.adjusted)
        self.rate_score = rate_score(self.rate)
        self.total = sum((i.score for i in self.indicators), Decimal(0)) + self.rate_score

    def report_dict(self) -> dict[str, Any]:
        """The manifest ``numbers`` of a project report (same layout as a department's)."""
        data = self.as_dict()
        satisfaction = next(i.actual for i in self.indicators if i.key == "satisfaction")
        return {
            "budget": {k: data[k] for k in ("initial", "adjusted", "executed", "carryover",
                                            "upper", "local", "use_main", "use_other", "rate",
                                            "rate_weight", "rate_score")},
            "staff": None, "projects": [], "indicators": data["indicators"],
            "activities": {a.indicator: n for a, n in self.activities},
            "satisfaction": dec_str(satisfaction or Decimal(0)),
            "total_score": data["total_score"]}

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "initial": money(self.initial),
                "adjusted": money(self.adjusted), "executed": money(self.executed),
                "carryover": money(self.carryover), "upper": money(self.upper),
                "local": money(self.local), "use_main": money(self.use_main),
                "use_other": money(self.use_other), "rate": dec_str(self.rate),
                "rate_weight": RATE_WEIGHT, "rate_score": dec_str(self.rate_score),
                "indicators": [i.as_dict() for i in self.indicators],
                "total_score": dec_str(self.total)}


def _count_pair(rng: random.Random, activity: Activity) -> tuple[int, int]:
    """(target, actual) for an activity; the target is met."""
    actual = rng.randint(activity.low, activity.high)
    target = max(1, int(actual * rng.uniform(0.72, 0.97)))
    if target >= 100:
        target = target // 10 * 10
    return target, actual


def _miss(rng: random.Random, target: int) -> int:
    """An actual value clearly below target (at least 3% and 1 unit short)."""
    short = max(1, int(target * rng.uniform(0.05, 0.25)))
    return max(0, target - short)


def _percent_pair(rng: random.Random, quality: vocab.Quality) -> tuple[Decimal, Decimal]:
    target = Decimal(quality.target)
    if quality.low == quality.high:
        return target, Decimal(quality.target)
    actual = Decimal(str(round(rng.uniform(quality.low, quality.high), 1)))
    return target, max(actual, target)


def _weights(rows: int, total: int) -> list[int]:
    """Integer weights summing to ``total`` over ``rows`` rows, larger ones first."""
    if rows * 5 > total:
        base = [total // rows] * rows
        base[0] += total - sum(base)
        return base
    weights = [5] * rows
    extra = total - 5 * rows
    index = 0
    while extra > 0:
        step = min(5, extra)
        weights[index % rows] += step
        extra -= step
        index += 1
    return sorted(weights, reverse=True)


def _quantity_indicator(rng: random.Random, activity: Activity, key: str, level1: str,
                        allow_miss: bool) -> Indicator:
    """A 数量指标 row for an activity; sometimes (allow_miss) the target is missed and the
    row is scored proportionally with a 偏差原因."""
    target, actual = _count_pair(rng, activity)
    reason = ""
    if allow_miss and rng.random() < 0.12:
        actual = _miss(rng, target)
        reason = _pick(rng, vocab.DEVIATION_REASONS)
    comparator = rng.choice(("≥", "≥", "不少于"))
    return Indicator(
        level1=level1, level2="数量指标", name=activity.indicator, kind="quantity",
        unit=activity.unit, target=Decimal(target), actual=Decimal(actual),
        target_text=f"{comparator}{target}{activity.unit}", actual_text=f"{actual}{activity.unit}",
        weight=0, score=Decimal(0), reason=reason, key=key, phrase=activity.phrase)


def _build_indicators(rng: random.Random, *, scope: str, level1_out: str,
                      activities: list[Activity], qualities: list[vocab.Quality], year: int,
                      adjusted: int, executed: int, budget_key: str,
                      benefits: list[tuple[str, str, str]], benefit_weights: list[int],
                      satisfaction_name: str, satisfaction: Decimal,
                      allow_miss: bool) -> list[Indicator]:
    rows: list[Indicator] = []
    for activity in activities:
        rows.append(_quantity_indicator(rng, activity, f"{scope}activity.{activity.indicator}",
                                        level1_out, allow_miss))
    for quality in qualities:
        target, actual = _percent_pair(rng, quality)
        rows.append(Indicator(
            level1=level1_out, level2="质量指标", name=quality.name, kind="percent", unit="%",
            target=target, actual=actual,
            target_text=("100%" if target == 100 else f"≥{dec_str(target)}%"),
            actual_text=f"{dec_str(actual)}%", weight=0, score=Decimal(0), reason="",
            key=f"{scope}quality.{quality.name}"))
    rows.append(Indicator(
        level1=level1_out, level2="时效指标", name=rng.choice(("任务按期完成", "资金支付及时性")),
        kind="time", unit="", target=None, actual=None,
        target_text=f"{year}年12月31日前", actual_text=rng.choice(("按期完成", "已按时完成")),
        weight=0, score=Decimal(0), reason="", key="time"))
    rows.append(Indicator(
        level1=level1_out, level2="成本指标", name=rng.choice(("支出控制在预算以内",
                                                               "成本不超过全年预算")),
        kind="cost", unit="万元", target=dec_money(adjusted), actual=dec_money(executed),
        target_text=f"≤{money(adjusted)}万元", actual_text=f"{money(executed)}万元",
        weight=0, score=Decimal(0), reason="", key=f"{budget_key}.executed",
        target_key=f"{budget_key}.adjusted"))
    for weight, row in zip(_weights(len(rows), 50), rows):
        row.weight = weight
    deducted_quality = False
    for level2, name, outcome in benefits:
        rows.append(Indicator(
            level1="效益指标", level2=level2, name=name, kind="qualitative", unit="",
            target=None, actual=None, target_text=rng.choice(("效果明显", "有效提升", "定性")),
            actual_text=outcome, weight=0, score=Decimal(0), reason="", key="benefit"))
    for weight, row in zip(benefit_weights, rows[-len(benefits):]):
        row.weight = weight
    rows.append(Indicator(
        level1="满意度指标", level2="服务对象满意度指标", name=satisfaction_name,
        kind="percent", unit="%", target=Decimal(90), actual=satisfaction,
        target_text="≥90%", actual_text=f"{dec_str(satisfaction)}%", weight=10,
        score=Decimal(0), reason="", key=f"{scope}satisfaction"))
    for row in rows:
        if row.met:
            row.score = Decimal(row.weight)
        else:
            assert row.target is not None and row.actual is not None
            row.score = (Decimal(row.weight) * row.actual / row.target).quantize(
                CENT, ROUND_HALF_UP)
        if row.kind == "qualitative" and not deducted_quality and rng.random() < 0.15:
            row.score = Decimal(row.weight - 1)
            row.reason = _pick(rng, vocab.QUAL_DEDUCTION_REASONS)
            deducted_quality = True
    return rows


def _satisfaction(rng: random.Random) -> Decimal:
    return Decimal(str(round(rng.uniform(91.0, 99.6), 1)))


def _project_numbers(rng: random.Random, project: Project, year: int, department: Department,
                     scope: str, budget_key: str) -> ProjectNumbers:
    """Budget, activities and indicators of one project; keys are prefixed with ``scope``."""
    adjusted = _amount(rng, project.budget_low, project.budget_high)
    initial = adjusted if rng.random() < 0.4 else int(adjusted * rng.uniform(0.55, 0.98))
    executed = adjusted if rng.random() < 0.45 else int(adjusted * rng.uniform(0.62, 0.995))
    carryover = 0 if rng.random() < 0.6 else min(executed, int(adjusted * rng.uniform(0.05, 0.3)))
    activities = list(project.activities[:2])
    qualities = [project.quality[0], vocab.Quality("资金拨付及时率", "100", 100, 100)]
    benefits = rng.sample(list(department.benefits), 2)
    indicators = _build_indicators(
        rng, scope=scope, level1_out="产出指标", activities=activities,
        qualities=qualities, year=year, adjusted=adjusted, executed=executed,
        budget_key=budget_key, benefits=benefits, benefit_weights=[15, 15],
        satisfaction_name=f"{project.beneficiary}满意度", satisfaction=_satisfaction(rng),
        allow_miss=True)
    counts = [(a, int(i.actual)) for a, i in zip(activities, indicators) if i.actual is not None]
    numbers = ProjectNumbers(project.name, project.purpose, project.beneficiary, initial,
                             adjusted, executed, carryover, counts, indicators)
    numbers.upper = int(adjusted * rng.uniform(0.3, 0.8))
    numbers.local = adjusted - numbers.upper
    numbers.use_main = int(executed * rng.uniform(0.6, 0.9))
    numbers.use_other = executed - numbers.use_main
    numbers.finish()
    return numbers


@dataclass
class DeptNumbers:
    basic_initial: int
    basic: int
    basic_exec: int
    personnel: int
    public: int
    projects: list[ProjectNumbers]
    staff: dict[str, int]
    activity_counts: list[tuple[Activity, int]]
    indicators: list[Indicator]
    satisfaction: Decimal
    rate: Decimal = Decimal(0)
    rate_score: Decimal = Decimal(0)
    total: Decimal = Decimal(0)

    @property
    def project_budget(self) -> int:
        return sum(p.adjusted for p in self.projects)

    @property
    def project_exec(self) -> int:
        return sum(p.executed for p in self.projects)

    @property
    def initial(self) -> int:
        return self.basic_initial + sum(p.initial for p in self.projects)

    @property
    def adjusted(self) -> int:
        return self.basic + self.project_budget

    @property
    def executed(self) -> int:
        return self.basic_exec + self.project_exec

    def finish(self) -> None:
        self.rate = rate_percent(self.executed, self.adjusted)
        self.rate_score = rate_score(self.rate)
        self.total = sum((i.score for i in self.indicators), Decimal(0)) + self.rate_score

    def as_dict(self) -> dict[str, Any]:
        return {
            "budget": {"initial": money(self.initial), "adjusted": money(self.adjusted),
                       "executed": money(self.executed), "basic_initial": money(self.basic_initial),
                       "basic": money(self.basic), "project": money(self.project_budget),
                       "basic_exec": money(self.basic_exec),
                       "project_exec": money(self.project_exec),
                       "personnel": money(self.personnel), "public": money(self.public),
                       "rate": dec_str(self.rate), "rate_weight": RATE_WEIGHT,
                       "rate_score": dec_str(self.rate_score)},
            "staff": dict(self.staff),
            "projects": [p.as_dict() for p in self.projects],
            "indicators": [i.as_dict() for i in self.indicators],
            "activities": {a.indicator: n for a, n in self.activity_counts},
            "satisfaction": dec_str(self.satisfaction),
            "total_score": dec_str(self.total),
        }


def _dept_numbers(rng: random.Random, unit: UnitPlan, year: int) -> DeptNumbers:
    department = unit.department
    drift = rng.uniform(0.9, 1.15) * (1 + 0.04 * (year - 2020))
    basic = int(unit.basic_scale * drift)
    basic_initial = basic if rng.random() < 0.3 else int(basic * rng.uniform(0.86, 0.99))
    basic_exec = basic if rng.random() < 0.55 else int(basic * rng.uniform(0.93, 0.999))
    personnel = int(basic_exec * rng.uniform(0.72, 0.9))
    n_projects = rng.choice((2, 3)) if len(unit.projects) >= 3 else 2
    projects = [_project_numbers(rng, p, year, department, f"project.{i}.", f"project.{i}")
                for i, p in enumerate(unit.projects[:n_projects])]
    staff_active = max(8, int(unit.staff_scale * rng.uniform(0.92, 1.08)))
    institution = rng.randint(0, max(1, staff_active // 4))
    staff = {"admin": staff_active - institution, "institution": institution,
             "retired": rng.randint(staff_active // 5, staff_active // 2 + 2)}
    staff["total"] = staff["admin"] + staff["institution"] + staff["retired"]
    satisfaction = _satisfaction(rng)
    n_quantity = min(4, len(unit.activities))
    indicators = _build_indicators(
        rng, scope="", level1_out="产出指标", activities=unit.activities[:n_quantity],
        qualities=list(department.quality), year=year,
        adjusted=basic + sum(p.adjusted for p in projects),
        executed=basic_exec + sum(p.executed for p in projects), budget_key="budget",
        benefits=list(department.benefits), benefit_weights=[10, 10, 10],
        satisfaction_name=department.satisfaction, satisfaction=satisfaction, allow_miss=True)
    counts: list[tuple[Activity, int]] = []
    for position, activity in enumerate(unit.activities):
        if position < n_quantity:
            actual = indicators[position].actual
            assert actual is not None
            counts.append((activity, int(actual)))
        else:
            counts.append((activity, rng.randint(activity.low, activity.high)))
    numbers = DeptNumbers(basic_initial, basic, basic_exec, personnel, basic_exec - personnel,
                          projects, staff, counts, indicators, satisfaction)
    numbers.finish()
    return numbers


# ----------------------------------------------------------------------------- errors

@dataclass
class ErrorPlan:
    """What an injected error changes in the written text (stated values by mention key)."""

    kind: str
    keys: list[str]  # mention keys whose mentions are the labelled figures
    stated: dict[str, Fig] = field(default_factory=dict)  # key -> replacement figure
    expected: str = ""
    stated_value: str = ""
    variant: str = ""
    message: str = ""
    where: str = "any"  # narrative | table | any: which mentions the replacement applies to


def _plan_error(rng: random.Random, kind: str, numbers: DeptNumbers | ProjectNumbers,
                is_project: bool, stale_keys: set[str]) -> ErrorPlan | None:
    """Decide how to inject ``kind``; may change ``numbers`` (missed targets)."""
    indicators = numbers.indicators
    if kind == "narrative_sum":
        if is_project:
            assert isinstance(numbers, ProjectNumbers)
            delta = rng.choice((-1, 1)) * rng.randint(300, 6000)
            wrong = numbers.upper + delta
            if wrong <= 0:
                wrong = numbers.upper + abs(delta)
            return ErrorPlan(
                kind, ["budget.adjusted", "budget.upper", "budget.local"],
                {"budget.upper": Fig("budget.upper", money(wrong), money(wrong))},
                expected=money(numbers.adjusted - numbers.local), stated_value=money(wrong),
                variant="funding_split", where="narrative",
                message="上级补助资金与本级财政资金之和不等于全年预算数")
        assert isinstance(numbers, DeptNumbers)
        if rng.random() < 0.5:
            part = rng.choice(("admin", "retired"))
            wrong = numbers.staff[part] + rng.choice((-1, 1)) * rng.randint(2, 7)
            if wrong <= 0:
                wrong = numbers.staff[part] + 3
            return ErrorPlan(
                kind, ["staff.total", "staff.admin", "staff.institution", "staff.retired"],
                {f"staff.{part}": Fig(f"staff.{part}", str(wrong), str(wrong))},
                expected=str(numbers.staff[part]), stated_value=str(wrong), variant="staff",
                where="narrative", message="人员分项之和不等于共有人数")
        delta = rng.choice((-1, 1)) * rng.randint(500, 4000)
        wrong = max(100, numbers.personnel + delta)
        return ErrorPlan(
            kind, ["budget.basic_exec", "budget.personnel", "budget.public"],
            {"budget.personnel": Fig("budget.personnel", money(wrong), money(wrong))},
            expected=money(numbers.personnel), stated_value=money(wrong),
            variant="basic_split", where="narrative",
            message="人员经费与公用经费之和不等于基本支出")
    if kind == "table_rate":
        true_rate = numbers.rate
        executed, adjusted = numbers.executed, numbers.adjusted
        initial = numbers.initial
        options: list[tuple[str, Decimal]] = []
        on_initial = rate_percent(executed, initial)
        if abs(on_initial - true_rate) >= 1:
            options.append(("on_initial_budget", on_initial))
        truncated = true_rate.quantize(Decimal(1), ROUND_FLOOR)
        if true_rate - truncated >= Decimal("0.5"):
            options.append(("truncated", truncated))
        if not options:
            options.append(("miscalculated", true_rate - Decimal(rng.randint(150, 600)) / 100))
        variant, wrong = _pick(rng, options)
        text = dec_str(wrong) if variant == "truncated" else f"{wrong:.2f}"
        return ErrorPlan(
            kind, ["budget.rate", "budget.adjusted", "budget.executed"],
            {"budget.rate": Fig("budget.rate", dec_str(wrong), text)},
            expected=dec_str(true_rate), stated_value=dec_str(wrong), variant=variant,
            message="自评表执行率与全年执行数/全年预算数不符")
    if kind == "score_total":
        delta = Decimal(rng.choice((-1, 1)) * rng.randint(1, 4))
        if rng.random() < 0.4:
            delta += Decimal(rng.choice((-1, 1))) * Decimal("0.5")
        wrong = numbers.total + delta
        if wrong > 100:
            wrong = numbers.total - abs(delta)
        return ErrorPlan(
            kind, ["score.total"],
            {"score.total": Fig("score.total", dec_str(wrong), fmt_score(wrong))},
            expected=dec_str(numbers.total), stated_value=dec_str(wrong),
            message="总分不等于各项指标得分与执行率得分之和")
    if kind == "narrative_table_mismatch":
        candidates = [i for i in indicators if i.kind == "quantity" and i.key not in stale_keys
                      and i.key.startswith("activity.")]
        if rng.random() < 0.3 or not candidates:
            satisfaction = next(i for i in indicators if i.key == "satisfaction")
            assert satisfaction.actual is not None
            wrong = satisfaction.actual - Decimal(rng.randint(8, 40)) / 10
            return ErrorPlan(
                kind, ["satisfaction"],
                {"satisfaction": Fig("satisfaction", dec_str(wrong), dec_str(wrong))},
                expected=dec_str(satisfaction.actual), stated_value=dec_str(wrong),
                variant="satisfaction", where="narrative",
                message="正文满意率与自评表实际完成值不一致")
        row = _pick(rng, candidates)
        assert row.actual is not None
        actual = int(row.actual)
        delta = max(1, int(actual * rng.uniform(0.05, 0.3)))
        wrong = actual + rng.choice((-1, 1)) * delta
        if wrong <= 0:
            wrong = actual + delta
        return ErrorPlan(
            kind, [row.key],
            {row.key: Fig(row.key, str(wrong), str(wrong))},
            expected=str(actual), stated_value=str(wrong), variant="activity",
            where="narrative", message=f"正文所述{row.name}与自评表实际完成值不一致")
    if kind == "missed_target_full_marks":
        candidates = [i for i in indicators if i.kind == "quantity" and i.met]
        if not candidates:
            return None
        row = _pick(rng, candidates)
        assert row.target is not None
        row.actual = Decimal(_miss(rng, int(row.target)))
        row.actual_text = f"{dec_str(row.actual)}{row.unit}"
        row.score = Decimal(row.weight)
        row.reason = ""
        expected = (Decimal(row.weight) * row.actual / row.target).quantize(CENT, ROUND_HALF_UP)
        return ErrorPlan(
            kind, [row.key, f"ind.{row.name}.target", f"ind.{row.name}.score"],
            expected=dec_str(expected), stated_value=str(row.weight),
            message=f"{row.name}未达到年度指标值却得满分")
    raise ValueError(f"unknown error kind {kind}")


def _sync_counts(numbers: DeptNumbers | ProjectNumbers) -> None:
    """After a missed target was forced, keep the activity counts equal to the table."""
    by_key = {i.key: i for i in numbers.indicators}
    prefix = "activity."
    counts = numbers.activity_counts if isinstance(numbers, DeptNumbers) else numbers.activities
    for position, (activity, _count) in enumerate(counts):
        row = by_key.get(prefix + activity.indicator)
        if row is not None and row.actual is not None:
            counts[position] = (activity, int(row.actual))


# ----------------------------------------------------------------------------- rendering

def paragraph_groups(counts: list[tuple[Activity, int]]) -> list[list[tuple[Activity, int]]]:
    """Activities grouped two by two into narrative paragraphs."""
    return [counts[i:i + 2] for i in range(0, len(counts), 2)]


def _activity_fig(activity: Activity, count: int, key: str) -> tuple[str, Fig]:
    prefix = activity.phrase.split("{n}")[0]
    return prefix, Fig(key, str(count), f"{count}{activity.unit}")


class Writer:
    """Renders one report into a Doc, applying stated-value overrides from error plans."""

    def __init__(self, rng: random.Random, unit: UnitPlan, year: int,
                 overrides: dict[tuple[str, str], Fig]) -> None:
        self.rng = rng
        self.unit = unit
        self.year = year
        self.doc = Doc()
        self.overrides = overrides
        self.self_name = _pick(rng, unit.department.self_names)
        # per year-specific paragraph: (opener suffix, lead, detail, outcome) and its activity counts,
        # kept so that next year's report can reuse the wording (the reuse-pairs corpus)
        self.perf_choices: dict[int, tuple[str, str, str, str]] = {}
        self.perf_counts: dict[int, list[int]] = {}

    def f(self, key: str, value: str, text: str, where: str = "narrative") -> Fig:
        """A figure; when an injected error targets (key, where) the number in ``text`` is
        replaced by the injected one (the override's text is the bare number)."""
        for scope in (where, "any"):
            override = self.overrides.get((key, scope))
            if override is not None:
                new_text = NUMBER.sub(lambda _m: override.text, text, count=1)
                return Fig(key, override.value, new_text)
        return Fig(key, value, text)

    def fm(self, key: str, cents: int, where: str = "narrative", suffix: str = "万元") -> Fig:
        return self.f(key, money(cents), f"{money(cents)}{suffix}", where)

    def fill(self, template: str, **extra: str) -> str:
        """Substitute year, previous year, unit and self-name; ``extra`` keeps placeholders."""
        return template.format(year=self.year, prev=self.year - 1, unit=self.unit.name,
                               self=self.self_name, **extra)

    # -- narrative pieces shared by both kinds

    def closing(self, problems_heading: str, measures_heading: str, use_heading: str,
                other_heading: str | None) -> None:
        doc = self.doc
        doc.line(problems_heading)
        doc.begin("problems")
        for number, problem in enumerate(self.unit.problems):
            doc.line(f"（{ORDINALS[number]}）{problem}")
        doc.end("problems", trailing=1)
        doc.line(measures_heading)
        doc.begin("measures")
        for number, measure in enumerate(self.unit.measures):
            doc.line(f"（{ORDINALS[number]}）{measure}")
        doc.end("measures", trailing=1)
        doc.line(use_heading)
        doc.line(self.fill(_pick(self.rng, vocab.RESULT_USE)))
        if other_heading:
            doc.line(other_heading)
            doc.line("无。")
        doc.line()
        doc.line(self.unit.name)
        doc.line(f"{self.year + 1}年{self.rng.randint(1, 6)}月{self.rng.randint(1, 28)}日")
        doc.line()

    def paste(self, copy: "CopyPlan", name: str) -> bool:
        """Paste the section ``name`` of the copy's source report here, recorded as copied
        year-specific text; False when the source has no such section."""
        assert copy.source is not None
        span = copy.source.doc.sections.get(name)
        if span is None:
            return False
        offset, length = self.doc.paste(copy.source.doc, span)
        copy.record(offset, length, span, "year_specific")
        self.doc.sections[name] = (offset, offset + length)
        self.doc.add("\n")
        return True

    def performance_paragraphs(self, counts: list[tuple[Activity, int]], key_prefix: str,
                               copy: "CopyPlan | None") -> None:
        """The year-specific narrative: one paragraph per pair of activities (the grouping is
        the same every year, so paragraph k of two years speaks of the same activities)."""
        doc = self.doc
        groups = paragraph_groups(counts)
        leads = self.rng.sample(list(vocab.THEME_LEADS), len(groups))
        outcomes = self.rng.sample(list(vocab.THEME_OUTCOMES), len(groups))
        doc.begin("perf")
        for number, group in enumerate(groups):
            name = f"perf.p{number}"
            if copy and copy.mode == "paragraphs" and number in copy.paragraphs and self.paste(copy, name):
                continue
            if copy and copy.mode == "reuse" and number in copy.reuse and self.reuse(copy, number, group,
                                                                                    key_prefix):
                continue
            doc.begin(name)
            if number == 0:
                opener = f"{self.year}年，"
            else:
                opener = self.rng.choice((f"{self.year}年，", f"{self.year}年度，",
                                          f"{self.year}年内，"))
            detail = _pick(self.rng, vocab.THEME_DETAILS)
            self.perf_choices[number] = (opener[4:], leads[number], detail, outcomes[number])
            self.perf_counts[number] = [count for _, count in group]
            doc.add(f"{opener}{self.fill(leads[number])}，{detail}，")
            for activity, count in group:
                prefix, fig = _activity_fig(activity, count, key_prefix + activity.indicator)
                doc.add(prefix)
                doc.fig(self.f(fig.key, fig.value, fig.text))
                doc.add("，")
            doc.add(f"{outcomes[number]}。")
            doc.end(name)
            doc.add("\n")
        doc.end("perf", trailing=1)  # without the final line break

    def reuse(self, copy: "CopyPlan", number: int, group: list[tuple[Activity, int]], key_prefix: str) -> bool:
        """Paragraph ``number`` written from last year's paragraph (the reuse-pairs corpus):
        verbatim (pasted), partial (last year's wording with some of last year's figures, sometimes
        last year's opening year) or honest (last year's wording, every figure and the year updated,
        some clauses reworded). Labelled in ``copy.reuse_labels``; False when last year's report has
        no such paragraph."""
        source = copy.source
        assert source is not None
        name = f"perf.p{number}"
        span = source.doc.sections.get(name)
        choice = source.perf_choices.get(number)
        if span is None or choice is None:
            return False
        kind = copy.reuse[number]
        doc = self.doc
        start = doc.pos
        if kind == "verbatim":
            self.paste(copy, name)
            self.perf_choices[number] = choice
            self.perf_counts[number] = list(source.perf_counts[number])
            copy.reuse_label("verbatim", True, start, doc.pos - 1 - start, span)
            return True
        suffix, lead, detail, outcome = choice
        kept = copy.kept.get(number, set()) if kind == "partial" else set()
        year = self.year - 1 if kind == "partial" and number in copy.stale_year else self.year
        if kind == "honest":  # an honest writer rewords a clause now and then
            if self.rng.random() < 0.4:
                detail = self.rng.choice([d for d in vocab.THEME_DETAILS if d != detail])
            if self.rng.random() < 0.3:
                outcome = self.rng.choice([o for o in vocab.THEME_OUTCOMES if o != outcome])
        doc.begin(name)
        doc.add(f"{year}{suffix}{self.fill(lead)}，{detail}，")
        previous = source.perf_counts[number]
        counts = []
        coincident = 0
        for position, (activity, count) in enumerate(group):
            if position in kept and position < len(previous):
                count = previous[position]
            prefix, fig = _activity_fig(activity, count, key_prefix + activity.indicator)
            if position not in kept:
                fig = self.f(fig.key, fig.value, fig.text)  # an injected error may restate it
                if position < len(previous) and fig.value == str(previous[position]):
                    coincident += 1  # this year's count happens to equal last year's
            doc.add(prefix)
            doc.fig(fig)
            if position in kept:
                doc.mentions[-1].stale = True
            doc.add("，")
            counts.append(count)
        doc.add(f"{outcome}。")
        doc.end(name)
        doc.add("\n")
        self.perf_choices[number] = (suffix, lead, detail, outcome)
        self.perf_counts[number] = counts
        stale = bool(kept) or year != self.year
        label = kind if stale or kind == "honest" else "honest"
        if label == "partial" and not stale:
            label = "honest"
        if label == "honest" and coincident:
            label = "honest_coincident"
        copy.reuse_label(label, stale, start, doc.pos - 1 - start, span)
        return True

    def budget_management(self, copy: "CopyPlan | None") -> None:
        doc = self.doc
        if copy and copy.template:
            source = copy.source
            assert source is not None
            span = source.doc.sections["budget_mgmt"]
            offset, length = doc.paste(source.doc, span)
            copy.record(offset, length, span, "template", kind="paragraphs")
            doc.sections["budget_mgmt"] = (offset, offset + length)
            doc.add("\n")
            return
        doc.begin("budget_mgmt")
        text = self.fill(_pick(self.rng, vocab.BUDGET_MANAGEMENT))
        if self.rng.random() < 0.5:
            text += self.fill(_pick(self.rng, vocab.PREV_YEAR_REFERENCES))
        doc.line(text)
        doc.end("budget_mgmt", trailing=1)

    # -- tables

    def indicator_rows(self, indicators: list[Indicator], scope: str,
                       multiline: bool) -> list[list[Cell]]:
        rows: list[list[Cell]] = []
        previous_level1 = previous_level2 = ""
        level1_weights: dict[str, int] = {}
        for row in indicators:
            level1_weights[row.level1] = level1_weights.get(row.level1, 0) + row.weight
        for row in indicators:
            level1: Cell = None
            if row.level1 != previous_level1:
                weight = level1_weights[row.level1]
                level1 = (f"{row.level1}\n\n({weight}分)" if multiline
                          else f"{row.level1}（{weight}分）")
            level2: Cell = None if (row.level2 == previous_level2
                                    and row.level1 == previous_level1) else row.level2
            previous_level1, previous_level2 = row.level1, row.level2
            name = row.name
            if row.target is not None and row.kind != "cost":
                target: Cell = self.f(f"{scope}ind.{name}.target", dec_str(row.target),
                                      row.target_text, "table")
            elif row.kind == "cost":
                target = self.f(row.target_key, dec_str(row.target or 0), row.target_text, "table")
            else:
                target = row.target_text
            actual: Cell = (self.f(row.key, dec_str(row.actual), row.actual_text, "table")
                            if row.actual is not None else row.actual_text)
            reason = row.reason or self.rng.choice(("", "", "　", "无偏差"))
            rows.append([None, level1, level2, name, target, actual,
                         self.f(f"{scope}ind.{name}.weight", str(row.weight), str(row.weight),
                                "table"),
                         self.f(f"{scope}ind.{name}.score", dec_str(row.score),
                                fmt_score(row.score), "table"),
                         reason])
        return rows

    def indicator_header(self) -> list[Cell]:
        target = "年度\n指标值" if self.rng.random() < 0.3 else "年度指标值"
        return ["绩效指标", "一级指标", "二级指标", "三级指标", target, "实际完成值", "分值",
                "得分", "偏差原因分析及改进措施"]

    def total_row(self, total: Decimal, scope: str = "") -> list[Cell]:
        return ["总分", Fig(f"{scope}score.weight_total", "100", "100"),
                self.f(f"{scope}score.total", dec_str(total), fmt_score(total), "table"), "　"]

    def rate_text(self, rate: Decimal) -> str:
        if rate == 100 and self.rng.random() < 0.5:
            return "100%"
        return f"{rate:.2f}%"

    def project_table(self, project: ProjectNumbers, prefix: str, scope: str) -> None:
        """A 项目支出绩效自评表 for ``project``; budget keys are ``prefix.*``, the other keys
        start with ``scope``."""
        current = (project.initial, project.adjusted - project.carryover,
                   project.executed - project.carryover)
        carry = (0, project.carryover, project.carryover)
        rows: list[list[Cell]] = [
            ["项目名称", project.name],
            ["主管部门", self.unit.name, "实施单位", self.unit.name],
            ["项目资金\n（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
             "得分"],
            [None, "年度资金总额",
             self.f(f"{prefix}.initial", money(project.initial), money(project.initial), "table"),
             self.f(f"{prefix}.adjusted", money(project.adjusted), money(project.adjusted),
                    "table"),
             self.f(f"{prefix}.executed", money(project.executed), money(project.executed),
                    "table"),
             str(RATE_WEIGHT),
             self.f(f"{prefix}.rate", dec_str(project.rate), self.rate_text(project.rate),
                    "table"),
             self.f(f"{prefix}.rate_score", dec_str(project.rate_score),
                    fmt_score(project.rate_score), "table")],
            [None, "其中：当年财政拨款"] + [Fig(f"{prefix}.current.{c}", money(v), money(v))
                                      for c, v in zip(("initial", "adjusted", "executed"),
                                                      current)] + ["", "", ""],
            [None, "上年结转资金"] + [Fig(f"{prefix}.carryover.{c}", money(v), money(v))
                                  for c, v in zip(("initial", "adjusted", "executed"), carry)]
            + ["", "", ""],
            [None, "其他资金", "0.00", "0.00", "0.00", "", "", ""],
            ["年度总体目标", "预期目标", "实际完成情况"],
        ]
        achievement: list[str | Fig] = ["完成"]
        for position, (activity, count) in enumerate(project.activities):
            text_prefix, fig = _activity_fig(activity, count,
                                             f"{scope}activity.{activity.indicator}")
            achievement += [("，" if position else "") + text_prefix,
                            Fig(fig.key, fig.value, fig.text)]
        achievement.append("，项目资金按规定用途使用。")
        rows.append([None, f"{project.purpose}，按期完成年度建设和服务任务。", achievement])
        rows.append(self.indicator_header())
        rows += self.indicator_rows(project.indicators, scope, self.rng.random() < 0.5)
        rows.append(self.total_row(project.total, scope))
        self.doc.line(f"{self.year}年度项目支出绩效自评表")
        self.doc.table("项目支出绩效自评表", rows)


# ----------------------------------------------------------------------------- copy plans

@dataclass
class Built:
    """A finished report, kept for copying into the next year's report of the same unit."""

    path: str
    year: int
    doc: Doc
    perf_choices: dict[int, tuple[str, str, str, str]] = field(default_factory=dict)
    perf_counts: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class CopyPlan:
    """What this report copies from the same unit's previous report."""

    mode: str | None  # year-specific copy: "section" | "paragraphs" | "reuse" | None
    template: bool  # also copy the previous year's generic budget-management paragraph
    source: Built | None
    paragraphs: list[int] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    # mode "reuse": paragraph → verbatim | partial | honest; for partial, the activity positions
    # that keep last year's figure and the paragraphs that keep last year's opening year
    reuse: dict[int, str] = field(default_factory=dict)
    kept: dict[int, set[int]] = field(default_factory=dict)
    stale_year: set[int] = field(default_factory=set)
    reuse_labels: list[dict[str, Any]] = field(default_factory=list)

    def reuse_label(self, kind: str, stale: bool, offset: int, length: int, span: tuple[int, int]) -> None:
        """One paragraph of the reuse-pairs corpus: its kind and whether it states stale facts."""
        assert self.source is not None
        self.reuse_labels.append({
            "kind": kind, "stale": stale, "this_offset": offset, "this_length": length,
            "source": self.source.path, "source_year": self.source.year,
            "source_offset": span[0], "source_length": span[1] - span[0]})

    def record(self, offset: int, length: int, span: tuple[int, int], content: str,
               kind: str | None = None) -> None:
        assert self.source is not None
        self.labels.append({
            "kind": kind or self.mode, "content": content,
            "this_offset": offset, "this_length": length,
            "source": self.source.path, "source_year": self.source.year,
            "source_offset": span[0], "source_length": span[1] - span[0]})


# ----------------------------------------------------------------------------- reports

def _department_report(writer: Writer, numbers: DeptNumbers, copy: CopyPlan | None) -> None:
    doc, unit, year, rng = writer.doc, writer.unit, writer.year, writer.rng
    f, fm = writer.f, writer.fm
    me = writer.self_name
    doc.line(f"{year}年度{unit.name}部门整体支出绩效自评报告")
    doc.line()
    doc.line("一、部门基本情况")
    doc.line("（一）主要职责")
    duties = list(unit.department.duties)
    doc.line(f"{unit.name}的主要职责是：{'；'.join(duties)}。")
    doc.line("（二）机构设置及人员情况")
    offices = unit.department.offices
    staff = numbers.staff
    doc.line(f"{me}内设{len(offices)}个股室（中心）：{'、'.join(offices)}。截至{year}年底，"
             "{me}共有人数{total}，其中：行政编制人员{admin}、事业编制人员{inst}、离退休人员{ret}。",
             me=me,
             total=f("staff.total", str(staff["total"]), f"{staff['total']}人"),
             admin=f("staff.admin", str(staff["admin"]), f"{staff['admin']}人"),
             inst=f("staff.institution", str(staff["institution"]), f"{staff['institution']}人"),
             ret=f("staff.retired", str(staff["retired"]), f"{staff['retired']}人"))
    doc.line("（三）年度绩效目标")
    doc.say(f"{year}年，{me}的主要绩效目标是：")
    quantity = [i for i in numbers.indicators if i.kind == "quantity"]
    for position, row in enumerate(quantity):
        assert row.target is not None
        prefix = row.phrase.split("{n}")[0]
        doc.add(("，" if position else "") + prefix + "不少于")
        doc.fig(Fig(f"ind.{row.name}.target", dec_str(row.target),
                    f"{dec_str(row.target)}{row.unit}"))
    doc.line("，部门预算执行率力争达到95%以上。")

    doc.line("二、一般公共预算支出情况")
    doc.line(f"{year}年年初预算数{{initial}}，全年预算数{{adjusted}}，其中：基本支出{{basic}}，"
             "项目支出{project}。全年执行数{executed}，其中：基本支出{basic_exec}，项目支出"
             "{project_exec}，预算执行率{rate}。",
             initial=fm("budget.initial", numbers.initial),
             adjusted=fm("budget.adjusted", numbers.adjusted),
             basic=fm("budget.basic", numbers.basic),
             project=fm("budget.project", numbers.project_budget),
             executed=fm("budget.executed", numbers.executed),
             basic_exec=fm("budget.basic_exec", numbers.basic_exec),
             project_exec=fm("budget.project_exec", numbers.project_exec),
             rate=f("budget.rate", dec_str(numbers.rate), writer.rate_text(numbers.rate)))
    doc.line("（一）基本支出情况")
    doc.line(f"{year}年基本支出{{basic_exec}}，其中：人员经费{{personnel}}，公用经费{{public}}。"
             + _pick(rng, vocab.BASIC_EXPLANATION),
             basic_exec=fm("budget.basic_exec", numbers.basic_exec),
             personnel=fm("budget.personnel", numbers.personnel),
             public=fm("budget.public", numbers.public))
    doc.line("（二）项目支出情况")
    doc.say(f"{year}年项目支出{{project_exec}}。" + _pick(rng, vocab.PROJECT_EXPLANATION),
            project_exec=fm("budget.project_exec", numbers.project_exec))
    for position, project in enumerate(numbers.projects):
        doc.add(("；" if position else "") + project.name)
        doc.fig(fm(f"project.{position}.executed", project.executed))
    doc.line("。")
    for number, heading in (("三", "政府性基金预算支出情况"), ("四", "国有资本经营预算支出情况"),
                            ("五", "社会保险基金预算支出情况")):
        doc.line(f"{number}、{heading}")
        doc.line(writer.fill(_pick(rng, vocab.NO_FUND_TEXT)))

    doc.line("六、部门整体支出绩效情况")
    doc.line(writer.fill(_pick(rng, vocab.SELF_SCORE), score="{score}")
             + "经问卷调查，服务对象满意率{sat}。",
             score=f("score.total", dec_str(numbers.total), f"{fmt_score(numbers.total)}分"),
             sat=f("satisfaction", dec_str(numbers.satisfaction),
                   f"{dec_str(numbers.satisfaction)}%"))
    doc.line("（一）预算财务管理方面")
    writer.budget_management(copy)
    doc.line("（二）履职产出效益方面")
    if not (copy and copy.mode == "section" and writer.paste(copy, "perf")):
        writer.performance_paragraphs(numbers.activity_counts, "activity.", copy)
    writer.closing("七、存在的问题及原因分析", "八、下一步改进措施",
                   "九、部门整体支出绩效自评结果应用及公开情况", "十、其他需要说明的情况")

    # 部门整体支出绩效自评表
    doc.line("附件")
    doc.line(f"{year}年度部门整体支出绩效自评表")
    goal = _pick(rng, vocab.GOAL_TEXTS)
    if rng.random() < 0.3:
        goal = "[bookmark: _GoBack]" + goal
    achievement: list[str | Fig] = [_pick(rng, vocab.ACHIEVEMENT_OPENERS)]
    for position, (activity, count) in enumerate(numbers.activity_counts[:3]):
        prefix, fig = _activity_fig(activity, count, "activity." + activity.indicator)
        achievement += [("，" if position else "") + prefix, Fig(fig.key, fig.value, fig.text)]
    achievement.append("，年度目标任务全面完成。")
    rows: list[list[Cell]] = [
        ["预算部门名称", unit.name],
        ["年度预算申请\n（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
         "得分"],
        [None, "年度资金总额",
         f("budget.initial", money(numbers.initial), money(numbers.initial), "table"),
         f("budget.adjusted", money(numbers.adjusted), money(numbers.adjusted), "table"),
         f("budget.executed", money(numbers.executed), money(numbers.executed), "table"),
         Fig("budget.rate_weight", str(RATE_WEIGHT), str(RATE_WEIGHT)),
         f("budget.rate", dec_str(numbers.rate), writer.rate_text(numbers.rate), "table"),
         f("budget.rate_score", dec_str(numbers.rate_score), fmt_score(numbers.rate_score),
           "table")],
        [None, "按收入性质分：", "按支出性质分："],
        [None, ["一般公共预算：", f("budget.adjusted", money(numbers.adjusted),
                                      money(numbers.adjusted), "table")],
         ["其中：基本支出：", f("budget.basic", money(numbers.basic), money(numbers.basic),
                               "table")]],
        [None, "政府性基金拨款：0", ["项目支出：", f("budget.project", money(numbers.project_budget),
                                                    money(numbers.project_budget), "table")]],
        [None, "其他资金：0", ""],
        ["年度总体目标", "预期目标", "实际完成情况"],
        [None, goal, achievement],
        writer.indicator_header(),
    ]
    rows += writer.indicator_rows(numbers.indicators, "", rng.random() < 0.5)
    rows.append(writer.total_row(numbers.total))
    doc.table("部门整体支出绩效自评表", rows)
    for position in range(min(unit.project_tables, len(numbers.projects))):
        writer.project_table(numbers.projects[position], f"project.{position}",
                             f"project.{position}.")


def _project_report(writer: Writer, numbers: ProjectNumbers, copy: CopyPlan | None) -> None:
    doc, unit, year, rng = writer.doc, writer.unit, writer.year, writer.rng
    f, fm = writer.f, writer.fm
    doc.line(f"{year}年度{unit.name}{numbers.name}项目支出绩效自评报告")
    doc.line()
    doc.line("一、项目基本情况")
    doc.line("（一）项目概况")
    doc.say(f"{numbers.name}由{unit.name}组织实施，主要用于{numbers.purpose}。{year}年项目绩效目标为：")
    quantity = [i for i in numbers.indicators if i.kind == "quantity"]
    for position, row in enumerate(quantity):
        assert row.target is not None
        doc.add(("，" if position else "") + row.phrase.split("{n}")[0] + "不少于")
        doc.fig(Fig(f"ind.{row.name}.target", dec_str(row.target),
                    f"{dec_str(row.target)}{row.unit}"))
    doc.line("。")
    doc.line("（二）项目资金安排情况")
    doc.line(f"{year}年项目年初预算数{{initial}}，全年预算数{{adjusted}}，其中：上级补助资金"
             "{upper}，本级财政资金{local}。",
             initial=fm("budget.initial", numbers.initial),
             adjusted=fm("budget.adjusted", numbers.adjusted),
             upper=fm("budget.upper", numbers.upper), local=fm("budget.local", numbers.local))
    doc.line("二、项目资金使用及管理情况")
    doc.line(f"截至{year}年12月31日，项目全年执行数{{executed}}，预算执行率{{rate}}。其中："
             "直接用于项目实施{main}，其他相关支出{other}。",
             executed=fm("budget.executed", numbers.executed),
             rate=f("budget.rate", dec_str(numbers.rate), writer.rate_text(numbers.rate)),
             main=fm("budget.use_main", numbers.use_main),
             other=fm("budget.use_other", numbers.use_other))
    writer.budget_management(copy)
    doc.line("三、项目绩效目标完成情况")
    doc.line("（一）产出完成情况")
    if not (copy and copy.mode == "section" and writer.paste(copy, "perf")):
        writer.performance_paragraphs(numbers.activities, "activity.", copy)
    doc.line("（二）效益实现情况")
    satisfaction = next(i for i in numbers.indicators if i.key == "satisfaction")
    benefits = [i for i in numbers.indicators if i.kind == "qualitative"]
    doc.line(f"项目实施后，{benefits[0].name}{benefits[0].actual_text}，"
             f"{benefits[1].name}{benefits[1].actual_text}。经抽样调查，{numbers.beneficiary}满意率"
             "{sat}。",
             sat=f("satisfaction", dec_str(satisfaction.actual or 0),
                   f"{dec_str(satisfaction.actual or 0)}%"))
    doc.line("四、项目绩效自评结论")
    doc.line(f"对照项目绩效目标逐项评分，{numbers.name}{year}年度自评得分{{score}}。",
             score=f("score.total", dec_str(numbers.total), f"{fmt_score(numbers.total)}分"))
    writer.closing("五、存在的问题及原因分析", "六、下一步改进措施", "七、自评结果应用情况", None)
    doc.line("附件")
    writer.project_table(numbers, "budget", "")


# ----------------------------------------------------------------------------- orchestration

def _choose_errors(rng: random.Random, inject: bool, forced: Forced | None) -> list[str]:
    if forced is not None:
        return list(forced.errors)
    if not inject or rng.random() >= 0.6:
        return []
    count = 1 if rng.random() < 0.7 else 2
    return rng.sample(list(ERROR_KINDS), count)


# Kinds of paragraph in the reuse-pairs corpus and their shares (the rest is written afresh).
REUSE_KINDS: tuple[tuple[str, float], ...] = (("honest", 0.45), ("partial", 0.2), ("verbatim", 0.15))


def _choose_reuse(rng: random.Random, previous: Built) -> CopyPlan:
    """Every year-specific paragraph of last year's report reused one way or another (or not)."""
    plan = CopyPlan("reuse", False, previous)
    for number in sorted(previous.perf_choices):
        draw, kind = rng.random(), None
        for name, share in REUSE_KINDS:
            if draw < share:
                kind = name
                break
            draw -= share
        if kind is None:
            continue
        plan.reuse[number] = kind
        if kind == "partial":
            size = len(previous.perf_counts[number])
            plan.kept[number] = set(rng.sample(range(size), rng.randint(1, size))) if rng.random() < 0.8 else set()
            if not plan.kept[number] or rng.random() < 0.3:
                plan.stale_year.add(number)
    return plan


def _choose_copy(rng: random.Random, copy_rate: float, previous: Built | None,
                 forced: Forced | None, reuse: bool = False) -> CopyPlan | None:
    if previous is None:
        return None
    if reuse:
        return _choose_reuse(rng, previous)
    if forced is not None:
        mode = next((m for m in forced.copy if m in ("section", "paragraphs")), None)
        template = "template" in forced.copy
    elif copy_rate > 0 and rng.random() < copy_rate:
        mode = "section" if rng.random() < 0.55 else "paragraphs"
        template = rng.random() < 0.4
    else:
        mode, template = None, False
    if mode is None and not template:
        return None
    plan = CopyPlan(mode, template, previous)
    if mode == "paragraphs":
        available = sorted(int(name.split(".p")[1]) for name in previous.doc.sections
                           if name.startswith("perf.p"))
        plan.paragraphs = sorted(rng.sample(available, min(len(available),
                                                           rng.choice((1, 1, 2)))))
    return plan


def _stale_keys(copy: CopyPlan | None, numbers: DeptNumbers | ProjectNumbers) -> set[str]:
    """Activity keys whose narrative mention will come from the copied text."""
    if copy is None or copy.mode is None:
        return set()
    counts = numbers.activity_counts if isinstance(numbers, DeptNumbers) else numbers.activities
    if copy.mode == "reuse":
        groups = paragraph_groups(counts)
        return {"activity." + a.indicator for index, kind in copy.reuse.items() if index < len(groups)
                for position, (a, _) in enumerate(groups[index])
                if kind == "verbatim" or position in copy.kept.get(index, ())}
    if copy.mode == "section":
        return {"activity." + a.indicator for a, _ in counts}
    groups = paragraph_groups(counts)
    return {"activity." + a.indicator for index in copy.paragraphs if index < len(groups)
            for a, _ in groups[index]}


def _reuse_labels(copy: CopyPlan | None, doc: Doc) -> list[dict[str, Any]]:
    """The reuse-pairs labels: the year-specific paragraphs, plus the generic 问题/措施 sections that
    every year repeats (kind "template", never stale)."""
    if copy is None:
        return []
    labels = list(copy.reuse_labels)
    assert copy.source is not None
    for name in ("problems", "measures"):
        here, there = doc.sections.get(name), copy.source.doc.sections.get(name)
        if here and there:
            copy.reuse_label("template", False, here[0], here[1] - here[0], there)
            labels.append(copy.reuse_labels.pop())
    return labels


def _label_errors(plans: list[ErrorPlan], doc: Doc) -> list[dict[str, Any]]:
    labels = []
    for plan in plans:
        figures = []
        seen_amounts: set[str] = set()
        for mention in doc.mentions:
            if mention.stale or mention.key not in plan.keys:
                continue
            if plan.kind == "table_rate" and mention.key in ("budget.adjusted", "budget.executed"):
                # the amounts the rate is computed from: the 年度资金总额 row of the table
                if mention.table != 0 or mention.key in seen_amounts:
                    continue
                seen_amounts.add(mention.key)
            figures.append({"role": _role(plan, mention), **mention.as_dict()})
        labels.append({"kind": plan.kind, "variant": plan.variant, "message": plan.message,
                       "stated": plan.stated_value, "expected": plan.expected,
                       "figures": figures})
    return labels


def _role(plan: ErrorPlan, mention: Mention) -> str:
    if mention.key in plan.stated and mention.value == plan.stated_value:
        return "wrong"
    if plan.kind == "missed_target_full_marks":
        if mention.key.endswith(".target"):
            return "target"
        if mention.key.endswith(".score"):
            return "score"
        return "actual"
    return "reference"


def _write_report(unit: UnitPlan, year: int, seed: int, copy_rate: float, inject: bool,
                  previous: Built | None, forced: Forced | None, reuse: bool = False
                  ) -> tuple[Built, dict[str, Any]]:
    numbers_rng = random.Random(f"{seed}|{unit.index}|{year}|numbers")
    text_rng = random.Random(f"{seed}|{unit.index}|{year}|text")
    inject_rng = random.Random(f"{seed}|{unit.index}|{year}|inject")
    numbers: DeptNumbers | ProjectNumbers
    if unit.kind == "department":
        numbers = _dept_numbers(numbers_rng, unit, year)
    else:
        project = unit.projects[0]
        numbers = _project_numbers(numbers_rng, project, year, unit.department, "", "budget")
    copy = _choose_copy(inject_rng, copy_rate, previous, forced, reuse)
    stale = _stale_keys(copy, numbers)
    error_plans: list[ErrorPlan] = []
    for kind in _choose_errors(inject_rng, inject, forced):
        plan = _plan_error(inject_rng, kind, numbers, unit.kind == "project", stale)
        if plan is not None:
            error_plans.append(plan)
            if kind == "missed_target_full_marks":
                _sync_counts(numbers)
                numbers.finish()
    # score_total / table_rate are planned against the final numbers
    for plan in error_plans:
        if plan.kind == "score_total":
            plan.expected = dec_str(numbers.total)
    overrides: dict[tuple[str, str], Fig] = {}
    for plan in error_plans:
        for key, fig in plan.stated.items():
            overrides[(key, plan.where)] = fig
    writer = Writer(text_rng, unit, year, overrides)
    if isinstance(numbers, DeptNumbers):
        _department_report(writer, numbers, copy)
    else:
        _project_report(writer, numbers, copy)
    doc = writer.doc
    path = f"u{unit.index:03d}_{year}_{unit.kind}.txt"
    built = Built(path, year, doc, writer.perf_choices, writer.perf_counts)
    entry: dict[str, Any] = {
        "path": path,
        "unit": unit.name,
        "county": unit.county,
        "department": unit.department.name,
        "project": numbers.name if isinstance(numbers, ProjectNumbers) else None,
        "year": year,
        "kind": unit.kind,
        "errors": _label_errors(error_plans, doc),
        "copies": copy.labels if copy else [],
        **({"reuse": _reuse_labels(copy, doc)} if reuse else {}),
        "numbers": numbers.as_dict() if isinstance(numbers, DeptNumbers) else
        numbers.report_dict(),
        "sections": {name: {"offset": s, "length": e - s}
                     for name, (s, e) in sorted(doc.sections.items())},
        "tables": doc.tables,
        "figures": [m.as_dict() for m in doc.mentions],
    }
    return built, entry


def dump_json(value: Any, depth: int = 0) -> str:
    """JSON with one line per flat object (a figure, a label), indented above that."""
    flat = isinstance(value, dict) and all(not isinstance(v, (dict, list)) or not v
                                           for v in value.values())
    if not isinstance(value, (dict, list)) or not value or flat or depth >= 4:
        return json.dumps(value, ensure_ascii=False)
    pad = " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {dump_json(v, depth + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    items = [pad + dump_json(v, depth + 1) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * depth + "]"


def _generate(out_dir: Path, units: list[tuple[UnitPlan, list[int]]], *, seed: int,
              copy_rate: float, inject_errors: bool,
              forced: dict[tuple[int, int], Forced] | None = None, reuse: bool = False) -> list[dict[str, Any]]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest: list[dict[str, Any]] = []
    for unit, years in units:
        previous: Built | None = None
        for year in sorted(years):
            built, entry = _write_report(unit, year, seed, copy_rate, inject_errors, previous,
                                         (forced or {}).get((unit.index, year)), reuse)
            text = built.doc.text()
            (out_dir / built.path).write_bytes(text.encode("utf-8"))
            manifest.append(entry)
            previous = built
    (out_dir / "manifest.json").write_bytes((dump_json(manifest) + "\n").encode("utf-8"))
    return manifest


def generate_corpus(out_dir: Path, *, n_units: int, years: list[int], seed: int,
                    copy_rate: float = 0.0, inject_errors: bool = False,
                    reuse_pairs: bool = False) -> list[dict[str, Any]]:
    """Write one report per unit and year into ``out_dir`` plus ``manifest.json``; return the
    manifest (one entry per file, with error and copy labels). Deterministic in its arguments.

    ``reuse_pairs``: every report after a unit's first is written from its previous report, the
    way departments really work: each year-specific paragraph is reused honestly (last year's
    wording, every figure and the year updated, some clauses reworded), partially updated (some
    of last year's figures or its year left in), pasted verbatim, or written afresh; the manifest's
    ``reuse`` labels each such paragraph (and the generic 问题/措施 sections, kind "template") with
    its kind and whether it states stale facts. ``copy_rate`` is ignored then."""
    if n_units < 1:
        raise ValueError("n_units must be at least 1")
    if not years:
        raise ValueError("years must not be empty")
    if not 0.0 <= copy_rate <= 1.0:
        raise ValueError("copy_rate must be between 0 and 1")
    plans = plan_units(seed, n_units)
    return _generate(out_dir, [(unit, list(years)) for unit in plans], seed=seed,
                     copy_rate=copy_rate, inject_errors=inject_errors, reuse=reuse_pairs)


def build_sample(out_dir: Path = SAMPLE_DIR) -> list[dict[str, Any]]:
    """The bundled sample: 2 units × 2 years + 2 single reports, covering every injected error
    kind and every copy mode, plus clean reports; old sample files are replaced."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        for old in sorted(out_dir.glob("u*_*.txt")):
            old.unlink()
    rng = random.Random(f"{SAMPLE_SEED}|sample")
    departments = {d.name: d for d in vocab.DEPARTMENTS}
    counties = _counties(SAMPLE_SEED, 3)
    picks = [(counties[0], "人大常委会", "department", 2),
             (counties[1], "教育局", "department", 1),
             (counties[0], "水利局", "department", 2),
             (counties[2], "卫生健康局", "project", 1)]
    units: list[tuple[UnitPlan, list[int]]] = []
    for index, (county, name, kind, tables) in enumerate(picks):
        department = departments[name]
        plan = _unit_plan(rng, index, county, department, kind, list(department.projects))
        plan.project_tables = tables
        units.append((plan, [2023, 2024] if index < 2 else [2024]))
    forced = {
        (0, 2023): Forced(),
        (0, 2024): Forced(["narrative_sum", "missed_target_full_marks"], ("section", "template")),
        (1, 2023): Forced(["table_rate"]),
        (1, 2024): Forced(["score_total"], ("paragraphs",)),
        (2, 2024): Forced(["narrative_table_mismatch", "table_rate"]),
        (3, 2024): Forced(),
    }
    return _generate(out_dir, units, seed=SAMPLE_SEED, copy_rate=0.0, inject_errors=True,
                     forced=forced)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m corpora.generate",
        description="生成带标注的合成绩效自评报告语料（确定性，可重复）。")
    parser.add_argument("out_dir", nargs="?", type=Path, help="输出目录")
    parser.add_argument("--sample", action="store_true", help="重新生成 corpora/sample/")
    parser.add_argument("--units", type=int, default=20, help="单位数")
    parser.add_argument("--years", type=int, nargs="+", default=[2023, 2024], help="年度")
    parser.add_argument("--seed", type=int, default=7, help="随机种子")
    parser.add_argument("--copy-rate", type=float, default=0.0, help="抄袭上年内容的比例 0–1")
    parser.add_argument("--inject-errors", action="store_true", help="注入带标注的不一致")
    parser.add_argument("--reuse-pairs", action="store_true",
                        help="按上年报告改写：如实更新、部分未更新、原样照抄（标注于 manifest 的 reuse）")
    args = parser.parse_args(argv)
    if args.sample:
        manifest = build_sample(args.out_dir or SAMPLE_DIR)
        target = args.out_dir or SAMPLE_DIR
    else:
        if args.out_dir is None:
            parser.error("需要输出目录 OUT_DIR，或使用 --sample")
        try:
            manifest = generate_corpus(args.out_dir, n_units=args.units, years=args.years,
                                       seed=args.seed, copy_rate=args.copy_rate,
                                       inject_errors=args.inject_errors, reuse_pairs=args.reuse_pairs)
        except ValueError as error:
            parser.error(str(error))
        target = args.out_dir
    errors = sum(len(e["errors"]) for e in manifest)
    copies = sum(len(e["copies"]) for e in manifest)
    print(f"已生成 {len(manifest)} 份报告到 {target}（注入错误 {errors} 处，抄袭段落 {copies} 处）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
