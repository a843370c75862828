"""The header vocabulary of the self-evaluation tables: column roles, total labels, and the key a
header cell is matched by (shared by the table reader and the readers of flattened tables)."""

from __future__ import annotations

import re
from functools import lru_cache

from auditor.extract.numbers import simplified_view, without_glosses

BUDGET_ROLES: list[tuple[str, re.Pattern[str]]] = [
    ("budget_initial", re.compile(r"^年初(预算|批复)(数|金额)?$")),
    ("budget_full", re.compile(r"^(全年|调整后|年度|全年[（(]调整[）)])?预算(数|金额)$")),
    ("executed", re.compile(r"^(全年)?执行数([（(].{0,8}[）)])?$|^(全年)?决算数$|^实际支出(数|金额)?$")),
    ("rate_weight", re.compile(r"^(执行率)?(权重)?分值$|^执行率权重")),
    ("rate", re.compile(r"^(预算)?执行率([（(]%[）)])?$")),
    ("rate_score", re.compile(r"^(执行率)?得分$")),
]
INDICATOR_ROLES: list[tuple[str, re.Pattern[str]]] = [
    ("level1", re.compile(r"^一级指标")),
    ("level2", re.compile(r"^二级指标")),
    ("indicator", re.compile(r"^三级指标")),
    ("measure_unit", re.compile(r"^度量单位")),
    ("nature", re.compile(r"^指标性质")),
    ("target", re.compile(r"^(年度)?(指标值|目标值)|^预期(指标)?值")),
    ("actual", re.compile(r"^实际(完成)?值|^完成值")),
    ("weight", re.compile(r"^(权重)?分值$|^权重(分值)?$")),
    ("coefficient", re.compile(r"^得分系数")),
    ("score", re.compile(r"^(指标)?得分$")),
    ("deviation", re.compile(r"偏差原因")),
    ("criteria", re.compile(r"评(扣)?分标准")),
]
TOTAL_LABELS = re.compile(r"^(总分|合计|总计|小计|绩效指标总分|自评总得分|自评得分|总得分)[：:]?$")
SELF_TOTAL_LABELS = re.compile(r"^(自评总得分|自评得分|总得分)[：:]?$")
_HEADER_UNIT = re.compile(r"[（(](万元|元|亿元|%|％|人|分)[）)]")
# the letters a form names its columns with, and formulas: "预算数(A)", "执行率(B/A×100%)", "得分(20分×执行率)"
_COLUMN_LETTERS = re.compile(r"[（(]([A-Za-z][A-Za-z/×*÷xX\d%％.\s]*|[^（()）]*[×*÷＊][^（()）]*)[）)]")
_HEADER_BREAK = re.compile(r"[/／\s]")


@lru_cache(maxsize=8192)
def header_key(text: str) -> str:
    """Header text for matching: units in brackets, line breaks and slashes removed
    ("年初\\n预算数（万元）", "年初/预算数"), in simplified script without pinyin glosses
    ("預(yù)算數" reads "预算数")."""
    key = _HEADER_BREAK.sub("", simplified_view(without_glosses(text)).replace("\u2060", ""))
    return _COLUMN_LETTERS.sub("", _HEADER_UNIT.sub("", key))


def header_unit(text: str) -> str | None:
    m = _HEADER_UNIT.search(text)
    return m.group(1).replace("％", "%") if m else None


