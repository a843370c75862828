"""Typed records from the self-evaluation tables: budget blocks, indicator blocks and their totals.

Header rows are found by their content, not their position. Columns are aligned between a header
and its data rows; when a header cell spans several data columns (a horizontally merged
"年初预算数" over "总数 | 其中：财政资金"), the sub-header row tells how many.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.document import Cell, Document, Row, Table
from auditor.extract.numbers import NumberMention, find_numbers

# --- header vocabulary (on cell text with whitespace removed) -------------------------------------

BUDGET_ROLES: list[tuple[str, re.Pattern[str]]] = [
    ("budget_initial", re.compile(r"^年初(预算|批复)(数|金额)?$")),
    ("budget_full", re.compile(r"^(全年|调整后|年度|全年[（(]调整[）)])预算(数|金额)$")),
    ("executed", re.compile(r"^(全年)?执行数([（(].{0,8}[）)])?$|^(全年)?决算数$|^实际支出(数|金额)?$")),
    ("rate_weight", re.compile(r"^(执行率)?(权重)?分值$|^执行率权重")),
    ("rate", re.compile(r"^执行率([（(]%[）)])?$")),
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


def header_key(text: str) -> str:
    """Header text for matching: units in brackets and whitespace removed ("年初\\n预算数（万元）")."""
    return _HEADER_UNIT.sub("", text)


def header_unit(text: str) -> str | None:
    m = _HEADER_UNIT.search(text)
    return m.group(1).replace("％", "%") if m else None


def _roles(doc: Document, row: Row, vocab: list[tuple[str, re.Pattern[str]]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for cell in row.cells:
        key = header_key(doc.cell_text(cell))
        for role, pattern in vocab:
            if role not in found and pattern.search(key):
                found[role] = cell.col
                break
    return found


# --- cell values ----------------------------------------------------------------------------------

def cell_number(doc: Document, cell: Cell | None) -> NumberMention | None:
    """The one figure a cell holds ("1389.01", "　98", "95.45%", "≥12次"), or None."""
    if cell is None or cell.is_continuation:
        return None
    mentions = find_numbers(doc.text, cell.start, cell.end)
    if len(mentions) != 1:
        return None
    m = mentions[0]
    rest = doc.cell_text(cell).replace(re.sub(r"\s", "", m.text), "", 1)
    if len(rest) > 2:  # a sentence that happens to contain one number is not a numeric cell
        return None
    return m


# --- records --------------------------------------------------------------------------------------

@dataclass(slots=True)
class BudgetLine:
    """A row of a budget block: 年度资金总额, 其中：当年财政拨款, …"""

    row: Row
    label: str
    cells: dict[str, Cell]  # role -> cell
    decimals: int  # the row's precision: tables drop trailing zeros ("288" next to "248.05")


@dataclass(slots=True)
class BudgetBlock:
    table: Table
    header: Row
    columns: dict[str, int]  # role -> data column index
    lines: list[BudgetLine] = field(default_factory=list)

    @property
    def total_line(self) -> BudgetLine | None:
        """The line that carries the execution rate (年度资金总额, or the only line)."""
        with_rate = [ln for ln in self.lines if "rate" in ln.cells]
        for line in with_rate:
            if "总额" in line.label or "合计" in line.label or "总数" in line.label:
                return line
        return with_rate[0] if with_rate else None


@dataclass(slots=True)
class IndicatorRow:
    row: Row
    cells: dict[str, Cell]
    level1: str = ""
    level2: str = ""


@dataclass(slots=True)
class TotalRow:
    row: Row
    label: Cell
    figures: list[Cell]  # numeric cells after the label, in order


@dataclass(slots=True)
class IndicatorBlock:
    table: Table
    header: Row
    columns: dict[str, int]
    rows: list[IndicatorRow] = field(default_factory=list)
    totals: list[TotalRow] = field(default_factory=list)


@dataclass(slots=True)
class TableForm:
    """One self-evaluation form (one table): its budget and indicator blocks and stated totals."""

    table: Table
    budgets: list[BudgetBlock] = field(default_factory=list)
    indicators: list[IndicatorBlock] = field(default_factory=list)
    self_totals: list[tuple[Cell, Cell]] = field(default_factory=list)  # (label cell, value cell)


def read_forms(doc: Document) -> list[TableForm]:
    return [_read_form(doc, table) for table in doc.tables]


def _read_form(doc: Document, table: Table) -> TableForm:
    form = TableForm(table=table)
    rows = table.rows
    i = 0
    while i < len(rows):
        row = rows[i]
        budget_roles = _roles(doc, row, BUDGET_ROLES)
        indicator_roles = _roles(doc, row, INDICATOR_ROLES)
        if "indicator" in indicator_roles and ("score" in indicator_roles or "weight" in indicator_roles):
            block, i = _read_indicators(doc, table, i, indicator_roles)
            form.indicators.append(block)
            continue
        money = {"budget_initial", "budget_full", "executed"} & budget_roles.keys()
        if len(money) >= 2:
            block, i = _read_budget(doc, table, i)
            if block.lines:
                form.budgets.append(block)
            continue
        for label, value in zip(row.cells, row.cells[1:]):
            if SELF_TOTAL_LABELS.match(doc.cell_text(label)) and cell_number(doc, value):
                form.self_totals.append((label, value))
        i += 1
    return form


def _is_block_end(doc: Document, row: Row) -> bool:
    first = next((doc.cell_text(c) for c in row.cells if doc.cell_text(c)), "")
    return bool(re.match(r"^(年度总体目标|绩效指标|总体目标|年度目标|预期目标)", first))


def _read_budget(doc: Document, table: Table, start: int) -> tuple[BudgetBlock, int]:
    header = table.rows[start]
    labels = [doc.cell_text(c) for c in header.cells]
    block = BudgetBlock(table=table, header=header, columns={})
    sub_labels: list[str] | None = None
    i = start + 1
    while i < len(table.rows):
        row = table.rows[i]
        if _is_block_end(doc, row) or len(_roles(doc, row, BUDGET_ROLES)) >= 3:
            break
        texts = [doc.cell_text(c) for c in row.cells]
        numeric = [c for c in row.cells if cell_number(doc, c) is not None]
        if not numeric and len(texts) > len(labels) and sum(1 for t in texts if t) >= 2:
            sub_labels = texts  # "总数 | 其中：财政资金" under merged headers
            i += 1
            continue
        columns = _align(labels, sub_labels, len(row.cells))
        if columns is not None and numeric:
            roles = {role: row.cells[col] for role, col in _column_roles(doc, columns).items()
                     if col < len(row.cells)}
            roles = {r: c for r, c in roles.items() if cell_number(doc, c) is not None}
            if roles:
                block.columns = _column_roles(doc, columns)
                label = next((t for c, t in zip(row.cells, texts) if t and cell_number(doc, c) is None), "")
                decimals = max((_decimals(cell_number(doc, c)) for r, c in roles.items()
                                if r in ("budget_initial", "budget_full", "executed")), default=0)
                block.lines.append(BudgetLine(row=row, label=label, cells=roles, decimals=decimals))
        i += 1
    return block, i


def _decimals(m: NumberMention | None) -> int:
    return max(m.decimals, 0) if m is not None else 0


def _align(labels: list[str], sub_labels: list[str] | None, width: int) -> list[str] | None:
    """Header labels per data column, or None when the row cannot be aligned with the header."""
    if width == len(labels):
        return labels
    if sub_labels is None or len(sub_labels) != width:
        return None
    empties = sum(1 for s in sub_labels if not s)
    spanning = len(labels) - empties
    filled = width - empties
    if spanning <= 0 or filled % spanning:
        return None
    span = filled // spanning
    out: list[str] = []
    h = 0
    k = 0
    while k < width and h < len(labels):
        if not sub_labels[k]:
            out.append(labels[h])
            h += 1
            k += 1
        else:
            # the first sub-column (总数) carries the header's role; the rest are breakdowns
            out.append(labels[h])
            out.extend(f"{labels[h]}·{sub_labels[k + j]}" for j in range(1, span))
            h += 1
            k += span
    return out if len(out) == width else None


def _column_roles(doc: Document, columns: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for col, label in enumerate(columns):
        if "·" in label:
            continue
        key = header_key(label)
        for role, pattern in BUDGET_ROLES:
            if role not in roles and pattern.search(key):
                roles[role] = col
                break
    return roles


def _read_indicators(doc: Document, table: Table, start: int,
                     roles: dict[str, int]) -> tuple[IndicatorBlock, int]:
    header = table.rows[start]
    block = IndicatorBlock(table=table, header=header, columns=roles)
    width = len(header.cells)
    level1 = level2 = ""
    i = start + 1
    while i < len(table.rows):
        row = table.rows[i]
        texts = [doc.cell_text(c) for c in row.cells]
        label_index = next((k for k, t in enumerate(texts) if t), None)
        if label_index is not None and TOTAL_LABELS.match(texts[label_index]):
            figures = [c for c in row.cells[label_index + 1:] if cell_number(doc, c) is not None]
            block.totals.append(TotalRow(row=row, label=row.cells[label_index], figures=figures))
            i += 1
            continue
        if _roles(doc, row, INDICATOR_ROLES).get("indicator") is not None:
            break  # the next indicator block
        if len(row.cells) != width:
            if any(texts) and not any(cell_number(doc, c) for c in row.cells):
                pass  # a title or note row inside the block
            i += 1
            continue
        cells = {role: row.cells[col] for role, col in roles.items()}
        if "level1" in cells and texts[roles["level1"]]:
            level1, level2 = texts[roles["level1"]], ""
        if "level2" in cells and texts[roles["level2"]]:
            level2 = texts[roles["level2"]]
        if any(texts):
            block.rows.append(IndicatorRow(row=row, cells=cells, level1=level1, level2=level2))
        i += 1
    return block, i
