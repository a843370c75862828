"""Typed records from the self-evaluation tables: budget blocks, indicator blocks and their totals.

Header rows are found by their content, not their position. Columns are aligned between a header
and its data rows; when a header cell spans several data columns (a horizontally merged
"年初预算数" over "总数 | 其中：财政资金"), the sub-header row tells how many. A header split over
two rows ("年初" above "预算数") or written with a slash ("年初/预算数") is read as one label.

Inside a budget block, besides the lines aligned with the header (年度资金总额, 其中：当年财政拨款,
上年结转, 其他资金), the key-value cells of the "按收入性质分 / 按支出性质分" rows are read into
:class:`Breakdown` records, whether label and figure share a cell ("其中：一般公共预算：812.30") or
sit in neighbouring cells ("一般公共预算： | 3175.40"). Tables with a plain 合计/总计 row under
figure columns give :class:`ColumnTotal` records.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Container
from dataclasses import dataclass, field, replace
from functools import lru_cache

from auditor.document import Cell, Document, Row, Table
from auditor.extract.glued_indicators import ROLES as GLUED_ROLES
from auditor.extract.headers import (  # noqa: F401  (the header vocabulary, re-exported)
    BUDGET_ROLES,
    INDICATOR_ROLES,
    SELF_TOTAL_LABELS,
    TOTAL_LABELS,
    header_key,
    header_unit,
)
from auditor.extract.numbers import NumberMention, find_numbers_in_span


def _roles(doc: Document, row: Row, vocab: list[tuple[str, re.Pattern[str]]]) -> dict[str, int]:
    found: dict[str, int] = {}
    which = "budget" if vocab is BUDGET_ROLES else "indicator" if vocab is INDICATOR_ROLES else None
    for cell, text in zip(row.cells, doc.row_texts(row)):
        if which is not None:
            matching = _matching_roles(text, which)
        else:
            key = header_key(text)
            matching = tuple(role for role, pattern in vocab if pattern.search(key))
        # the first role of the vocabulary that the cell matches and the row has not given yet
        for role in matching:
            if role not in found:
                found[role] = cell.col
                break
    return found


@lru_cache(maxsize=8192)
def _matching_roles(text: str, which: str) -> tuple[str, ...]:
    """The roles of BUDGET_ROLES ("budget") or INDICATOR_ROLES ("indicator") whose pattern matches a
    cell's header key, in vocabulary order (memoised: every row is tried as a header)."""
    key = header_key(text)
    vocab = BUDGET_ROLES if which == "budget" else INDICATOR_ROLES
    return tuple(role for role, pattern in vocab if pattern.search(key))


# --- cell values ----------------------------------------------------------------------------------

@dataclass(slots=True)
class _CellFigures:
    """Per document (``doc.derived``): each cell's figure by (start, end), given by the number pass
    (:func:`take_cell_numbers`) or read on its own, and the cache of :func:`find_numbers_in_span`."""

    by_span: dict[tuple[int, int], NumberMention | None] = field(default_factory=dict)
    span_cache: dict = field(default_factory=dict)


def cell_number(doc: Document, cell: Cell | None) -> NumberMention | None:
    """The one figure a cell holds ("812.30", "　98", "95.45%", "≥12次"), or None."""
    if cell is None or cell.is_continuation:
        return None
    by_span = doc.derived(_CellFigures).by_span
    key = (cell.start, cell.end)
    found = by_span.get(key, _UNREAD)
    if found is _UNREAD:
        found = by_span[key] = _cell_number(doc, cell)
    return found


_UNREAD = object()  # a cell not read yet (None is a cell without a figure)


def _cell_number(doc: Document, cell: Cell) -> NumberMention | None:
    mentions = find_numbers_in_span(doc.text, cell.start, cell.end, doc.derived(_CellFigures).span_cache)
    return _the_figure(doc, cell, mentions)


def _the_figure(doc: Document, cell: Cell, mentions: list[NumberMention]) -> NumberMention | None:
    """The cell's one figure among the mentions found in it, or None."""
    if len(mentions) != 1:
        return None
    m = mentions[0]
    rest = doc.cell_text(cell).replace("".join(m.text.split()), "", 1)  # the figure's text, whitespace out
    if len(rest) > 2:  # a sentence that happens to contain one number is not a numeric cell
        return None
    return m


def take_cell_numbers(doc: Document, tables: list[Table], numbers: list[NumberMention]) -> int:
    """Give every cell of ``tables`` its figure from the whole-text number pass (``numbers``, in
    order): the same objects the text's other readers see. A cell whose edge cuts a mention of the
    pass (cells split out of a run of digits, "2655721.51%") is left to be read on its own. Returns
    how many cells were given their figure this way."""
    by_span = doc.derived(_CellFigures).by_span
    starts = [m.start for m in numbers]
    n_numbers = len(numbers)
    given = 0
    for table in tables:
        if table.flattened == "glued-indicators":
            continue  # cut out of glued text: the pass did not see its figures as figures
        for row in table.rows:
            for cell in row.cells:
                key = (cell.start, cell.end)
                if cell.is_continuation or key in by_span:
                    continue
                k = bisect.bisect_left(starts, cell.start)
                if k and numbers[k - 1].end > cell.start:
                    continue  # a mention that begins before the cell runs into it
                inside = []
                while k < n_numbers and numbers[k].start < cell.end:
                    inside.append(numbers[k])
                    k += 1
                if inside and inside[-1].end > cell.end:
                    continue  # a mention that runs past the cell
                by_span[key] = _the_figure(doc, cell, inside)
                given += 1
    return given


_KEY_VALUE = re.compile(r"^(?P<label>[^0-9０-９]{1,30}?)[：:]?$")
_LABEL_NOISE = re.compile(r"^其中[：:，,]?|[：:，,]+$")
_LIST_NUMBER = re.compile(r"^[（(]?\d{1,2}[）)、.．]\s*")  # "1、", "（2）" before a label
_ANY_DIGIT = re.compile(r"\d")


def clean_label(text: str) -> str:
    """A row or item label without "其中：", list numbers and trailing colons ("其中:基本支出：" → 基本支出)."""
    text = _LIST_NUMBER.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _LABEL_NOISE.sub("", text).strip()
    return text


def label_and_number(doc: Document, cell: Cell | None) -> tuple[str, NumberMention | None] | None:
    """A key-value cell: ("一般公共预算", 812.30) for "其中：一般公共预算：812.30", ("政府性基金拨款", None)
    for a label whose figure is left blank, None when the cell is not a label (a bare figure, a sentence)."""
    if cell is None or cell.is_continuation:
        return None
    text = doc.cell_text(cell)
    mentions = find_numbers_in_span(doc.text, cell.start, cell.end, doc.derived(_CellFigures).span_cache)
    if not mentions:
        m = _KEY_VALUE.match(text)
        return (clean_label(m.group("label")), None) if m and clean_label(m.group("label")) else None
    if len(mentions) != 1:
        return None
    figure = mentions[0]
    if doc.text[figure.end:cell.end].strip():
        return None  # the figure must close the cell
    label = clean_label("".join(doc.text[cell.start:figure.start].split()))  # what r"\s" matches, dropped
    if not label or len(label) > 30 or _ANY_DIGIT.search(label):
        return None
    return label, figure


# --- records --------------------------------------------------------------------------------------

@dataclass(slots=True)
class BudgetLine:
    """A row of a budget block: 年度资金总额, 其中：当年财政拨款, …"""

    row: Row
    label: str
    cells: dict[str, Cell]  # role -> cell
    decimals: int  # the row's precision: tables drop trailing zeros ("288" next to "248.05")


@dataclass(slots=True)
class BudgetSource:
    """A funding-source row of a budget block (其中：当年财政拨款 / 上年结转 / 其他资金), kept even when
    its cells are blank: a blank amount in a budget form is a stated nothing."""

    row: Row
    label: str
    cells: dict[str, Cell]  # money role -> cell (possibly an empty continuation cell)


@dataclass(slots=True)
class BreakdownItem:
    label: str  # cleaned ("一般公共预算", "基本支出")
    label_cell: Cell
    value_cell: Cell | None  # the cell holding the figure: the label cell itself for "一般公共预算：812.30"
    value: NumberMention | None  # None when the form leaves the figure blank


@dataclass(slots=True)
class Breakdown:
    """The 按收入性质分 (kind "income") or 按支出性质分 (kind "spending") items of a budget block."""

    kind: str
    items: list[BreakdownItem] = field(default_factory=list)


@dataclass(slots=True)
class BudgetBlock:
    table: Table
    header: Row
    columns: dict[str, int]  # role -> data column index
    lines: list[BudgetLine] = field(default_factory=list)
    sources: list[BudgetSource] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)

    def breakdown(self, kind: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.kind == kind), None)

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
    partial: bool = False  # only the rows that could be read (glued cells): not to be summed


@dataclass(slots=True)
class ColumnTotal:
    """A 合计/总计 figure of a plain table and the figures of its column in the rows above it."""

    table: Table
    label: Cell
    total: Cell
    column: int  # data column index
    header: str  # the column's header text ("项目支出（万元）"), "" when none
    parts: list[tuple[str, Cell]]  # (row label, figure cell); blank cells are left out


@dataclass(slots=True)
class TableForm:
    """One self-evaluation form (one table): its budget and indicator blocks and stated totals."""

    table: Table
    budgets: list[BudgetBlock] = field(default_factory=list)
    indicators: list[IndicatorBlock] = field(default_factory=list)
    self_totals: list[tuple[Cell, Cell]] = field(default_factory=list)  # (label cell, value cell)
    column_totals: list[ColumnTotal] = field(default_factory=list)


def with_budget_forms(forms: list[TableForm]):
    """(form, the form holding its budget block): a form split over two tables has its budget block in
    the table directly before the indicators' table."""
    for i, form in enumerate(forms):
        budget_form = form
        if not form.budgets and i > 0 and forms[i - 1].budgets and not forms[i - 1].indicators:
            budget_form = forms[i - 1]
        yield form, budget_form


def read_forms(doc: Document) -> list[TableForm]:
    """One TableForm per table of the document: layout tables, then those that reached the text
    flattened; a run of glued indicator rows is a partial indicator block (auditor.extract.glued_indicators)."""
    forms = []
    for table in doc.tables:
        if table.flattened == "glued-indicators":  # its columns are known from the cut
            rows = [IndicatorRow(row=row, cells=dict(zip(GLUED_ROLES, row.cells))) for row in table.rows[1:]]
            columns = {role: col for col, role in enumerate(GLUED_ROLES)}
            block = IndicatorBlock(table=table, header=table.rows[0], columns=columns, partial=True, rows=rows)
            forms.append(TableForm(table=table, indicators=[block]))
        else:
            forms.append(_read_form(doc, table))
    return forms


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
        joined = _two_row_header(doc, table, i)
        if joined is not None:
            block, i = _read_budget(doc, table, i, labels=joined, header_rows=2)
            if block.lines:
                form.budgets.append(block)
            continue
        for label, value in zip(row.cells, row.cells[1:]):
            if SELF_TOTAL_LABELS.match(doc.cell_text(label)) and cell_number(doc, value):
                form.self_totals.append((label, value))
        i += 1
    if not form.indicators and not any(block.columns.keys() & _FORM_ROLES for block in form.budgets):
        form.column_totals = _column_totals(doc, table)  # a plain table of amounts, not a form
    return form


_MONEY_ROLES = ("budget_initial", "budget_full", "executed")
_FORM_ROLES = frozenset({"rate", "rate_weight", "rate_score"})


def _two_row_header(doc: Document, table: Table, i: int) -> list[str] | None:
    """Labels of a header written over two rows of equal width ("年初 | 全年 | 全年" above
    "预算数 | 预算数 | 执行数"), or None."""
    if i + 1 >= len(table.rows):
        return None
    top, bottom = table.rows[i], table.rows[i + 1]
    if len(top.cells) != len(bottom.cells) or any(cell_number(doc, c) for c in [*top.cells, *bottom.cells]):
        return None
    labels = [doc.cell_text(a) + doc.cell_text(b) for a, b in zip(top.cells, bottom.cells)]
    found = set()
    for label in labels:
        key = header_key(label)
        found.update(role for role, pattern in BUDGET_ROLES if role in _MONEY_ROLES and pattern.search(key))
    return labels if len(found) >= 2 else None


_BLOCK_END_RE = re.compile(r"^(年度总体目标|绩效指标|总体目标|年度目标|预期目标)")


def _is_block_end(doc: Document, row: Row) -> bool:
    first = next((t for t in doc.row_texts(row) if t), "")
    return bool(_BLOCK_END_RE.match(first))


_SOURCE_LABEL = re.compile(r"财政拨款|财政资金|上年结转|结转|其他资金|其它资金|自筹|社会资金|其他收入")
_GROUP_HEADER = re.compile(r"按(收入|支出)性质分")
_SPENDING_ITEM = re.compile(r"基本支出|项目支出|人员经费|公用经费")
_INCOME_ITEM = re.compile(r"一般公共预算|政府性基金|国有资本经营|非税收入|专户|其他资金|其它资金|财政拨款|"
                          r"上年结转|事业收入|经营收入|其他收入")


def _read_budget(doc: Document, table: Table, start: int, labels: list[str] | None = None,
                 header_rows: int = 1) -> tuple[BudgetBlock, int]:
    header = table.rows[start]
    if labels is None:
        labels = list(doc.row_texts(header))
    block = BudgetBlock(table=table, header=header, columns={})
    sub_labels: list[str] | None = None
    i = start + header_rows
    while i < len(table.rows):
        row = table.rows[i]
        if _is_block_end(doc, row) or len(_roles(doc, row, BUDGET_ROLES)) >= 3:
            break
        texts = list(doc.row_texts(row))
        numeric = [c for c in row.cells if cell_number(doc, c) is not None]
        for cell in numeric:  # a budget block's bare "150万" is an amount
            _read_as_money(doc, cell)
        if not numeric and len(texts) > len(labels) and sum(1 for t in texts if t) >= 2:
            sub_labels = texts  # "总数 | 其中：财政资金" under merged headers
            i += 1
            continue
        columns = _align(labels, sub_labels, len(row.cells))
        if sub_labels is None and numeric and (columns is None or not _fits(doc, columns, row)):
            columns = _typed_shift(doc, labels, row)
        if columns is None and _read_breakdown_row(doc, block, row):
            i += 1
            continue
        if columns is not None:
            _read_source_row(doc, block, row, texts, columns)
        if columns is not None and numeric:
            roles = {role: row.cells[col] for role, col in _column_roles(doc, columns).items()
                     if col < len(row.cells)}
            roles = {r: c for r, c in roles.items() if cell_number(doc, c) is not None}
            if roles and "rate_score" in roles and "rate_weight" not in roles:
                weight = _weight_in_header(doc, header, _column_roles(doc, columns).get("rate_score"))
                if weight is not None:
                    roles["rate_weight"] = weight
            if roles:
                block.columns = _column_roles(doc, columns)
                label = next((t for c, t in zip(row.cells, texts) if t and cell_number(doc, c) is None), "")
                decimals = max((_decimals(cell_number(doc, c)) for r, c in roles.items()
                                if r in ("budget_initial", "budget_full", "executed")), default=0)
                block.lines.append(BudgetLine(row=row, label=label, cells=roles, decimals=decimals))
        i += 1
    return block, i


_WEIGHT_FORMULA = re.compile(r"(\d+(?:\.\d+)?)分\s*[×*xX＊]")


def _weight_in_header(doc: Document, header: Row, col: int | None) -> Cell | None:
    """The weight a score column's header states as a formula ("得分(20分×执行率)"): the "20分" span."""
    if col is None or col >= len(header.cells):
        return None
    cell = header.cells[col]
    m = _WEIGHT_FORMULA.search(doc.text, cell.start, cell.end)
    return Cell(start=m.start(), end=m.start(1) + len(m.group(1)) + 1, row=cell.row, col=cell.col) if m else None


_SCALE_UNITS = {10_000: "万元", 100_000_000: "亿元"}


def _read_as_money(doc: Document, cell: Cell) -> None:
    """A bare "150万" in a budget block or a cost row is 150万元 (web forms drop the 元): the cell's figure is
    re-read once, and every reader of the cell sees the amount."""
    m = cell_number(doc, cell)
    unit = _SCALE_UNITS.get(m.scale) if m is not None and not m.unit else None
    if unit is None:
        return
    doc.derived(_CellFigures).by_span[(cell.start, cell.end)] = replace(
        m, value=m.value / m.scale, unit=unit, scale=1, tolerance=m.tolerance / m.scale,
        decimals=m.decimals + len(str(m.scale)) - 1, upper=None if m.upper is None else m.upper / m.scale)


def _read_source_row(doc: Document, block: BudgetBlock, row: Row, texts: list[str], columns: list[str]) -> None:
    label = next((t for c, t in zip(row.cells, texts) if t and cell_number(doc, c) is None), "")
    if not _SOURCE_LABEL.search(label) or "总额" in label or "合计" in label:
        return
    cells = {role: row.cells[col] for role, col in _column_roles(doc, columns).items()
             if role in _MONEY_ROLES and col < len(row.cells)}
    block.sources.append(BudgetSource(row=row, label=label, cells=cells))


def _read_breakdown_row(doc: Document, block: BudgetBlock, row: Row) -> bool:
    """Read the key-value cells of a 按收入性质分 / 按支出性质分 row; True when the row was one."""
    cells = row.cells
    items: list[BreakdownItem] = []
    is_group_row = False
    k = 0
    while k < len(cells):
        cell = cells[k]
        text = doc.cell_text(cell)
        if _GROUP_HEADER.search(text):
            is_group_row = True
            k += 1
            continue
        read = label_and_number(doc, cell)
        if read is None:
            k += 1
            continue
        label, value = read
        value_cell = cell if value is not None else None
        if value is None and k + 1 < len(cells) and cell_number(doc, cells[k + 1]) is not None:
            value_cell, value = cells[k + 1], cell_number(doc, cells[k + 1])
            k += 1
        if _SPENDING_ITEM.search(label) or _INCOME_ITEM.search(label):
            items.append(BreakdownItem(label=label, label_cell=cell, value_cell=value_cell, value=value))
        k += 1
    for item in items:
        kind = "spending" if _SPENDING_ITEM.search(item.label) else "income"
        breakdown = block.breakdown(kind)
        if breakdown is None:
            breakdown = Breakdown(kind=kind)
            block.breakdowns.append(breakdown)
        breakdown.items.append(item)
    return is_group_row or bool(items)


_TOTAL_LABEL = re.compile(r"^(合计|总计)[：:]?$")
_SUBTOTAL_LABEL = re.compile(r"^(其中|小计)")


def _column_totals(doc: Document, table: Table) -> list[ColumnTotal]:
    """合计/总计 rows of a plain table against the figures above them, columns aligned on the right
    (a total row's label cell may be merged over several columns: "合计 | 353.59")."""
    out: list[ColumnTotal] = []
    rows = table.rows
    for r, row in enumerate(rows):
        texts = doc.row_texts(row)
        if not texts or not _TOTAL_LABEL.match(texts[0]):
            continue
        # the data rows: back up to the nearest row without figures (the header)
        body: list[Row] = []
        for above in reversed(rows[:r]):
            if not any(cell_number(doc, c) for c in above.cells):
                header = above
                break
            body.insert(0, above)
        else:
            header = None
        if len(body) < 2:
            continue
        width = max(len(b.cells) for b in body)
        labels = [clean_label(next((doc.cell_text(c) for c in reversed(b.cells[:-1])
                                    if doc.cell_text(c) and cell_number(doc, c) is None), "")) for b in body]
        if any(_SUBTOTAL_LABEL.match(doc.cell_text(c)) for b in body for c in b.cells):
            continue  # sub-totals inside: parts are not a flat list
        if _mixed_columns(doc, body):
            continue  # words and figures in one column: cells have shifted (empty cells collapsed)
        for k, cell in enumerate(row.cells[1:], start=1):
            if cell_number(doc, cell) is None:
                continue
            col = width - (len(row.cells) - k)
            parts = []
            for b, label in zip(body, labels):
                if len(b.cells) != width:
                    parts = []
                    break
                if cell_number(doc, b.cells[col]) is not None:
                    parts.append((label, b.cells[col]))
            head = ""
            if header is not None and len(header.cells) == width:
                head = doc.cell_text(header.cells[col])
            if len(parts) >= 2:
                out.append(ColumnTotal(table=table, label=row.cells[0], total=cell, column=col, header=head,
                                       parts=parts))
    return out


_FIGURE_START = re.compile(r"^[-−+＋≥≤<>约近]?[0-9０-９.]")  # "注1" is a note mark, not a figure


def _mixed_columns(doc: Document, body: list[Row]) -> bool:
    """Whether a column holds figures in some rows and words in others ("654.67" above "注1"): the
    sign of a row whose empty cell was dropped, so that its later cells moved one column left."""
    width = max(len(b.cells) for b in body)
    for col in range(1, width):
        kinds = set()
        for b in body:
            if col < len(b.cells) and (text := doc.cell_text(b.cells[col])):
                kinds.add(cell_number(doc, b.cells[col]) is not None and bool(_FIGURE_START.match(text)))
        if len(kinds) == 2:
            return True
    return False


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


_SHIFTS = range(-3, 4)
_MONEY_ROLE_SET = frozenset(_MONEY_ROLES)
_POINT_ROLES = frozenset({"rate_weight", "rate_score"})


def _role_of(label: str) -> str | None:
    key = header_key(label)
    return next((role for role, pattern in BUDGET_ROLES if pattern.search(key)), None) if key else None


def _fits(doc: Document, columns: list[str], row: Row, at_least: int = 1) -> bool:
    """Whether each cell of the row has the shape its column allows: a label in no figure column,
    figures only under figure headers, no "%" in an amount column, a rate with "%" or under 300,
    points of at most 100."""
    placed = 0
    for cell, label in zip(row.cells, columns):
        text = doc.cell_text(cell)
        if not text:
            continue
        role = _role_of(label)
        m = cell_number(doc, cell)
        if m is None:
            if role is not None:
                return False  # words under a figure header
            continue
        if role is None:
            return False  # a figure under no figure header
        percent = m.unit == "%"
        if role in _MONEY_ROLE_SET and percent:
            return False
        if role == "rate" and not percent and abs(m.value) > 300:
            return False
        if role in _POINT_ROLES and (percent or abs(m.value) > 100):
            return False
        placed += 1
    return placed >= at_least


def _typed_shift(doc: Document, labels: list[str], row: Row) -> list[str] | None:
    """The header moved left or right so that every cell fits its column (a web table whose header
    lacks the label column, a row that lost a leading empty cell); None unless exactly one shift fits
    two figures or more (a key-value row "政府性基金拨款： | 0.0" is a breakdown, not a budget line)."""
    width = len(row.cells)
    fits = []
    for shift in _SHIFTS:
        columns = [labels[i - shift] if 0 <= i - shift < len(labels) else "" for i in range(width)]
        if _fits(doc, columns, row, at_least=2):
            fits.append(columns)
    return fits[0] if len(fits) == 1 else None


def _column_roles(doc: Document, columns: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for col, label in enumerate(columns):
        if "·" in label:
            continue
        for role in _matching_roles(label, "budget"):  # the first matching role not given yet
            if role not in roles:
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
        texts = doc.row_texts(row)
        label_index = next((k for k, t in enumerate(texts) if t), None)
        if label_index is not None and TOTAL_LABELS.match(texts[label_index]):
            figures = [c for c in row.cells[label_index + 1:] if cell_number(doc, c) is not None]
            block.totals.append(TotalRow(row=row, label=row.cells[label_index], figures=figures))
            i += 1
            continue
        if _roles(doc, row, INDICATOR_ROLES).get("indicator") is not None:
            break  # the next indicator block
        if len(row.cells) != width:
            cells = _right_aligned(doc, row, roles, width)
            if cells is None:  # a title or note row inside the block, or a row that cannot be placed
                i += 1
                continue
            texts = doc.row_texts(row)
        else:
            cells = {role: row.cells[col] for role, col in roles.items()}
        if "level1" in cells and doc.cell_text(cells["level1"]):
            level1, level2 = doc.cell_text(cells["level1"]), ""
        if "level2" in cells and doc.cell_text(cells["level2"]):
            level2 = doc.cell_text(cells["level2"])
        if any(texts):
            if "成本" in level1 + level2:  # a cost's bare "150万" is an amount
                for role in ("target", "actual"):
                    if role in cells:
                        _read_as_money(doc, cells[role])
            block.rows.append(IndicatorRow(row=row, cells=cells, level1=level1, level2=level2))
        i += 1
    return block, i


def _right_aligned(doc: Document, row: Row, roles: dict[str, int], width: int) -> dict[str, Cell] | None:
    """The cells of a row that lost its leading merged cells (a web table omits a row-spanning
    一级/二级指标 cell instead of repeating it), aligned on the header's right end; None unless the
    row is shorter than the header, names an indicator in words, and holds points where the header
    has 分值 and 得分."""
    offset = width - len(row.cells)
    if offset <= 0 or roles.get("indicator", -1) - offset < 0:
        return None
    cells = {role: row.cells[col - offset] for role, col in roles.items() if col - offset >= 0}
    name = doc.cell_text(cells["indicator"])
    if not name or cell_number(doc, cells["indicator"]) is not None:
        return None
    for role in ("weight", "score"):
        if role in roles:
            m = cell_number(doc, cells.get(role))
            if m is None or m.unit == "%" or not 0 <= m.value <= 100:
                return None
    return cells


def cost_rows(form: TableForm) -> list[IndicatorRow]:
    """The 成本指标 rows of a form (一级 or 二级 指标 naming 成本)."""
    return [row for block in form.indicators for row in block.rows if "成本" in row.level1 + row.level2]


def form_amount(doc: Document, form: TableForm, role: str,
                money_units: Container[str]) -> tuple[NumberMention, str] | None:
    """A form's own amount for a budget role (budget_full, executed) on its 年度资金总额 line, or its
    only budget line, with the unit written on it or in the block's header (万元 when none is);
    None when the form has no such positive money amount."""
    for block in form.budgets:
        line = block.total_line or (block.lines[0] if len(block.lines) == 1 else None)
        m = cell_number(doc, line.cells.get(role)) if line is not None else None
        if m is None or m.value <= 0:
            continue
        unit = m.unit or next((u for c in block.header.cells if (u := header_unit(doc.text[c.start:c.end]))), "万元")
        if unit in money_units:
            return m, unit
    return None
