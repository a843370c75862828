"""Claims: number mentions tied to what they count, in the narrative and in table cells.

A narrative claim's subject comes from its clause (auditor.extract.subjects). A table cell's unit
comes from its column or row header ("资金情况(万元)" → 万元; 分值/得分 → 分; 执行率 → %), its subject
from the row (the 三级指标, or the budget line's label), and its role from the column (target,
actual, weight, score, budget_initial, budget_full, executed, rate, rate_weight, rate_score).

Tables that arrive as text are read the same way:

* "|"-separated rows (auditor.extract.pipe_tables): a bare figure takes the unit of its column header
  (aligned on the right), of a key cell ("自评总分： | 97.35"), of the first cell of its row or of a
  header row, or the unit stated above the table ("单位：万元"); header words name units too
  (data file ``claims_header_count_words.tsv``: 户数 → 户, 得分 → 分). A unit that cannot fit the
  figure (分 for 2,718,306.52) is not taken.
* one cell per line or figures between spaces: the nearest unit stated above ("单位：万元",
  "经费控制情况（万元）", a 分值 column word), until a sentence ends or a numbered section heading
  ("二、…情况") starts.
* cells run together: label-figure runs ("甲镇3乙镇1.5…"), rows cut where total = part + part
  ("东区2380015624900"), and amount|amount|rate cells cut where the rate fits ("250250100%").

Money keeps 万元/亿元 in the unit, counts fold 万/亿, percentages stay % (the claims contract).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

from auditor.document import Cell, Document, Table, clean_text
from auditor.extract.numbers import NumberMention, load_lexicon, simplified_view, unit_named, without_glosses
from auditor.extract.pipe_tables import rate_split as _rate_split
from auditor.extract.tables import TableForm, header_unit
from auditor.findings import _plain

_ROLE_UNITS = {"weight": "分", "score": "分", "rate_weight": "分", "rate_score": "分", "rate": "%",
               "coefficient": "%"}


@dataclass(slots=True)
class Claim:
    mention: NumberMention
    value: Decimal
    unit: str
    subject: str
    where: str
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        m = self.mention
        return {"text": m.text, "start": m.start, "end": m.end, "value": _plain(self.value), "unit": self.unit,
                "qualifier": m.qualifier, "scale": m.scale, "subject": self.subject, "where": self.where,
                "role": self.role}


def _cell_roles(doc: Document, forms: list[TableForm]) -> dict[int, tuple[str, str, str | None]]:
    """cell.start → (role, subject, unit from the header) for cells of recognised table blocks."""
    out: dict[int, tuple[str, str, str | None]] = {}
    for form in forms:
        for block in form.budgets:
            block_unit = next((u for c in block.header.cells if (u := header_unit(doc.text[c.start:c.end]))), None)
            for line in block.lines:
                for role, cell in line.cells.items():
                    unit = _ROLE_UNITS.get(role) or block_unit
                    out[cell.start] = (role, line.label or "预算资金", unit)
        for block in form.indicators:
            header_units = {role: header_unit(doc.text[block.header.cells[col].start:block.header.cells[col].end])
                            for role, col in block.columns.items() if col < len(block.header.cells)}
            for row in block.rows:
                subject_cell = row.cells.get("indicator")
                subject = doc.cell_text(subject_cell) if subject_cell else row.level2
                for role, cell in row.cells.items():
                    if role in ("indicator", "level1", "level2", "deviation", "criteria", "nature"):
                        continue
                    out[cell.start] = (role, subject, _ROLE_UNITS.get(role) or header_units.get(role))
            for total in block.totals:
                for k, cell in enumerate(total.figures):
                    role = "score" if k == len(total.figures) - 1 else "weight"
                    out[cell.start] = (f"total_{role}", doc.cell_text(total.label), "分")
    return out


def _header_unit(doc: Document, cell: Cell, table_index: int) -> str | None:
    """A unit stated by the cell's column header (a row above whose cell in this column says "（万元）")
    or by the first cell of its row or of a header row above ("经费控制情况（万元）")."""
    table = doc.tables[table_index]
    rows = table.rows[: cell.row + 1]
    width = len(table.rows[cell.row].cells)
    for row in reversed(rows[:-1]):
        if len(row.cells) >= width:
            # a shorter row ("合计 | 353.59") has merged cells on its left: align it on the right
            above = row.cells[cell.col + len(row.cells) - width]
            unit = header_unit(doc.text[above.start:above.end])
            if unit:
                return unit
    for row in reversed(rows):
        first = row.cells[0] if row.cells else None
        if first is not None and first is not cell:
            unit = header_unit(doc.text[first.start:first.end])
            if unit:
                return unit
    return None


@lru_cache(maxsize=8192)
def _declared_unit(header: str) -> str | None:
    """The unit a header cell states: "（万元）", "单位：万元", "(人次)", or 分 for 分值/得分 columns."""
    for m in _HEADER_UNIT_RE.finditer(without_glosses(simplified_view(header))):
        unit = unit_named(m.group("unit") or m.group("unit2"))
        if unit:
            return unit
    view = simplified_view(header)
    if _SCORE_HEADER_RE.search(view):
        return "分"
    bare = _BRACKETS_RE.sub("", "".join(view.split())).rstrip(":：")
    for word, unit in _count_words():
        if bare.endswith(word):
            return unit
    return None


_BRACKETS_RE = re.compile(r"[（(][^()（）]*[)）]")


@lru_cache(maxsize=1)
def _count_words() -> tuple[tuple[str, str], ...]:
    """(header word, unit) pairs from auditor/data/claims_header_count_words.tsv."""
    pairs = [tuple(line.split("\t")) for line in load_lexicon("claims_header_count_words.tsv")]
    return tuple(sorted(((w, u) for w, u in pairs), key=lambda p: len(p[0]), reverse=True))


class _PipeUnits:
    """Units of "|"-table cells, read from the rows above them. Each answer for a row builds on the
    answer for the row above (memoised), so a long table costs one pass, not one pass per cell."""

    def __init__(self, doc_text: str) -> None:
        self.text = doc_text
        self._filled: dict[tuple[int, int], list[Cell]] = {}
        self._section: dict[int, list[int]] = {}
        self._column: dict[tuple[int, int, int, int], tuple[str | None, bool]] = {}
        self._first: dict[tuple[int, int], str | None] = {}

    def filled(self, table: Table, r: int) -> list[Cell]:
        key = (id(table), r)
        cells = self._filled.get(key)
        if cells is None:
            cells = self._filled[key] = _filled(table.rows[r].cells)
        return cells

    def _section_start(self, table: Table, r: int) -> int:
        """First row of the section holding row ``r``: a numbered section heading starts a new table."""
        starts = self._section.get(id(table))
        if starts is None:
            starts, current = [], 0
            for k in range(len(table.rows)):
                starts.append(current)
                cells = self.filled(table, k)
                if len(cells) == 1 and _SECTION_HEADING_RE.search(
                        simplified_view(self.text[cells[0].start:cells[0].end])):
                    current = k + 1
            self._section[id(table)] = starts
        return starts[r]

    def _column_unit(self, table: Table, r: int, position: int, width: int) -> tuple[str | None, bool]:
        """(unit, whether a text header was seen) from the aligned cells of rows above row ``r``."""
        floor = self._section_start(table, r)
        pending: list[int] = []
        k = r
        result: tuple[str | None, bool] = (None, False)
        while k > floor:
            known = self._column.get((id(table), k, position, width))
            if known is not None:
                result = known
                break
            pending.append(k)
            k -= 1
        for k in reversed(pending):  # from the top down: row k - 1 is the nearest row above row k
            above = self.filled(table, k - 1)
            j = position + len(above) - width
            if 0 <= j < len(above):
                header = self.text[above[j].start:above[j].end]
                unit = _declared_unit(header)
                if unit:
                    result = (unit, True)
                else:
                    seen = len(above) == width and not any(ch.isdigit() for ch in header)
                    result = (result[0], result[1] or seen) if result[0] is None else result
            self._column[(id(table), k, position, width)] = result
        return result

    def _first_cell_unit(self, table: Table, r: int) -> str | None:
        """The unit named by the first cell of the nearest row above ``r`` that names one (not 分:
        a score word labels its own row only)."""
        floor = self._section_start(table, r)
        pending: list[int] = []
        k = r
        result: str | None = None
        while k > floor:
            key = (id(table), k)
            if key in self._first:
                result = self._first[key]
                break
            pending.append(k)
            k -= 1
        for k in reversed(pending):
            cells = table.rows[k - 1].cells
            unit = _declared_unit(self.text[cells[0].start:cells[0].end]) if cells else None
            if unit and unit != "分":
                result = unit
            self._first[(id(table), k)] = result
        return result

    def unit(self, table: Table, cell: Cell) -> tuple[str | None, bool]:
        """A cell's unit: from the key cell before it ("自评总分： | 97.35"), its column header (rows
        above, aligned on the right, as merged cells sit on the left), the first cell of its row or of
        a row above. Also says whether the column has a text header at all (then a unit stated
        elsewhere is not its unit)."""
        row_cells = self.filled(table, cell.row)
        position = row_cells.index(cell) if cell in row_cells else -1
        if position > 0:
            key = self.text[row_cells[position - 1].start:row_cells[position - 1].end].strip()
            if key.endswith((":", "：")):
                unit = _declared_unit(key)
                if unit:
                    return unit, False
        header_seen = False
        if position >= 0:
            unit, header_seen = self._column_unit(table, cell.row, position, len(row_cells))
            if unit:
                return unit, True
        own = table.rows[cell.row].cells
        if own and own[0] is not cell:
            unit = _declared_unit(self.text[own[0].start:own[0].end])
            if unit:
                return unit, header_seen
        return self._first_cell_unit(table, cell.row), header_seen


def _row_number(doc_text: str, table: Table, cell: Cell, m: NumberMention) -> bool:
    """A small whole number alone in the first cell of a row followed by a text cell is the row's
    序号 ("3 | 培训费"), not a figure."""
    row = _filled(table.rows[cell.row].cells)
    if not row or row[0] is not cell or len(row) < 2 or m.unit or m.decimals or not 0 < m.value < 1000:
        return False
    if doc_text[cell.start:cell.end].strip() != m.text:
        return False
    nxt = doc_text[row[1].start:row[1].end]
    return not any(ch.isdigit() for ch in nxt[:1]) and not nxt.strip().startswith(("-", "—"))


def _filled(cells: list[Cell]) -> list[Cell]:
    """Cells with text (a row's trailing "| | |" bars are no columns)."""
    return [c for c in cells if c.end > c.start]


class _LazyDeclarations:
    """:class:`_Declarations` built on first use (most documents never ask)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._found: _Declarations | None = None

    def unit_before(self, at: int, scores: bool = True) -> str | None:
        if self._found is None:
            self._found = _Declarations(self.text)
        return self._found.unit_before(at, scores=scores)


def _outside(claims: list[Claim], spans: list[tuple[int, int]]) -> list[Claim]:
    """The claims that overlap none of ``spans`` (figures a table-shape reader has read instead)."""
    return [c for c in claims if not any(a < c.mention.end and c.mention.start < b for a, b in spans)]


class _Declarations:
    """Units stated above a run of standalone figures ("单位：万元", a header "经费控制情况（万元）", a
    "分值" column): a figure standing alone on its line or between spaces takes the nearest one above,
    unless a sentence (a line with "。") lies between them."""

    def __init__(self, text: str) -> None:
        view = without_glosses(simplified_view(text))
        self.text = text
        self.starts: list[int] = []
        self.units: list[str | None] = []
        found: list[tuple[int, str | None]] = []
        for m in _BRACKET_UNIT_RE.finditer(view):
            unit = unit_named(m.group("unit"))
            if unit:
                found.append((m.end(), unit))
        for m in _UNIT_LINE_RE.finditer(view):
            unit = unit_named(m.group("unit"))
            if unit:
                found.append((m.end(), unit))
        for start, end in _score_words(view):
            found.append((end, "分"))
        for m in _SENTENCE_END_RE.finditer(view):
            found.append((m.end(), None))  # a sentence ends the scope of the unit above it
        for m in _SECTION_HEADING_RE.finditer(view):
            found.append((m.start(), None))  # so does a numbered section heading ("二、项目支出明细情况")
        found.sort(key=lambda x: x[0])
        self.not_score: list[int] = []  # index of the nearest entry at or before i that is no 分 word
        for pos, unit in found:
            self.starts.append(pos)
            self.units.append(unit)
            i = len(self.units) - 1
            self.not_score.append(i if unit != "分" else (self.not_score[-1] if self.not_score else -1))

    def unit_before(self, pos: int, scores: bool = True) -> str | None:
        """The unit declared nearest above ``pos`` (None after a sentence); a 分值/得分 column word
        counts only when ``scores``."""
        i = bisect.bisect_right(self.starts, pos) - 1
        if i >= 0 and not scores:
            i = self.not_score[i]
        return self.units[i] if i >= 0 else None


def _plausible(value: Decimal, unit: str) -> bool:
    """A unit read from a header fits the figure: no score above 100 points, no share above 1000 %."""
    if unit == "分":
        return value <= 100
    if unit == "%":
        return value <= 1000
    return True


def _scaled_header_unit(m: NumberMention, unit: str) -> str:
    """A header unit for a figure written with 万/亿 and no unit ("150万" under "（万元）"): money keeps
    the scale word in its unit; a count keeps the folded value; a score or a share takes no unit."""
    if unit in ("万元", "亿元", "元"):
        return {10_000: "万元", 100_000_000: "亿元"}.get(m.scale, "")
    return unit if unit not in ("分", "%") else ""


_YEARLIKE_RE = re.compile(r"(?:19|20)[0-9]{2}")
_BRACKET_POINTS_RE = re.compile(r"[（(][0-9.]{1,4}分[)）](?=[ \t\u3000|｜]|$)", re.M)


def _rubric_points(text: str, m: NumberMention, lines: dict[int, bool]) -> bool:
    """"(1分)" is a point of a scoring rubric when its line lists several such points, each after its
    criterion ("符合规划(1分) 程序合规(1分) 手续完备(2分)"); one "(15分)" after a heading is a weight.
    ``lines`` keeps the answer per line start, so a long line is read once."""
    if not (m.start > 0 and text[m.start - 1] in "(（" and m.end < len(text) and text[m.end] in ")）"):
        return False
    a = text.rfind("\n", 0, m.start) + 1
    known = lines.get(a)
    if known is None:
        b = text.find("\n", m.end)
        known = lines[a] = len(_BRACKET_POINTS_RE.findall(text, a, b if b >= 0 else len(text))) >= 2
    return known


def _standalone(text: str, m: NumberMention) -> bool:
    """The figure stands alone: a line (or cell) of its own, or between spaces in a row of figures."""
    before = text[m.start - 1] if m.start > 0 else "\n"
    after = text[m.end] if m.end < len(text) else "\n"
    return before in _CELL_EDGES and after in _CELL_EDGES


_CELL_EDGES = frozenset(" \t\u3000\u00a0\n\r|｜")
_UNIT_WORD = r"[^\s()（）:：|｜,，。;；]{1,16}"  # up to 5 characters, more with a blanked gloss inside
_HEADER_UNIT_RE = re.compile(rf"[（(]\s*(?:(?:金额)?单位\s*[:：]\s*)?(?P<unit>{_UNIT_WORD})\s*[)）]"
                             rf"|(?:金额)?单位\s*[:：]\s*(?P<unit2>{_UNIT_WORD})")
_SCORE_HEADER_RE = re.compile(r"^\s*(?:权重)?(?:分值|得分|分数|标准分|满分|指标得分|评分)\s*$")
# units stated above figures: "（万元）", "(单位：万元)", "单位：万元", a 分值/得分 column word
_BRACKET_UNIT_RE = re.compile(rf"[（(]\s*(?:(?:金额)?单位\s*[:：]\s*)?(?P<unit>{_UNIT_WORD})\s*[)）]")
_UNIT_LINE_RE = re.compile(rf"单位\s*[:：]\s*(?P<unit>{_UNIT_WORD})")
_SCORE_WORDS = ("权重分值", "分值", "得分", "分数", "标准分")


def _score_words(view: str) -> list[tuple[int, int]]:
    """Spans of 分值/得分 column words standing on their own (cell edges on both sides); found with
    plain substring searches, far cheaper than a regex tried at every position."""
    spans = []
    for word in _SCORE_WORDS:
        k = view.find(word)
        while k >= 0:
            end = k + len(word)
            if (k == 0 or view[k - 1] in _CELL_EDGES) and end < len(view) and view[end] in _CELL_EDGES:
                spans.append((k, end))
            k = view.find(word, end)
    return spans
_SENTENCE_END_RE = re.compile(r"。")
_SECTION_HEADING_RE = re.compile(r"^[ \t\u3000|｜]*[一二三四五六七八九十]{1,3}、[^\n\d]{0,30}(?:情况|明细|说明|分析)[ \t|｜]*$",
                                 re.M)


# A table row exported without cell boundaries: a label, then its figures run together
# ("东区2380015624900" under "核定全年 | 已提前下达 | 此次下达").
_GLUED_ROW_RE = re.compile(r"^[ \t\u3000]*([^\d\s|｜:：,，.。]{1,12}?)([0-9]{5,40}(?:-[0-9]{1,12})?)[ \t\u3000]*$", re.M)
_MIN_GLUED_ROWS = 3


def _sum_split(run: str) -> list[tuple[int, int]] | None:
    """The one way to cut ``run`` into three whole numbers a, b, c (no leading zeros; c may carry a
    minus sign) with a = b + c, as spans within ``run``; None if there is no such cut or several."""
    found: list[list[tuple[int, int]]] = []
    n = len(run)

    def whole(a: int, b: int) -> int | None:
        part = run[a:b]
        body = part[1:] if part.startswith("-") else part
        if not body.isdigit() or (len(body) > 1 and body[0] == "0"):
            return None
        return int(part)

    for i in range(1, n - 1):
        a = whole(0, i)
        if a is None:
            continue
        for j in range(i + 1, n):
            b, c = whole(i, j), whole(j, n)
            if b is not None and c is not None and a == b + c:
                found.append([(0, i), (i, j), (j, n)])
                if len(found) > 1:
                    return None
    return found[0] if found else None


def _glued_rows(text: str) -> list[tuple[str, int, int]]:
    """(row label, start, end) of every figure of glued rows that split one way into total = part +
    part, kept only when at least three such rows occur (a table, not a stray code)."""
    rows = []
    for m in _GLUED_ROW_RE.finditer(text):
        cut = _sum_split(m.group(2))
        if cut is not None:
            base = m.start(2)
            rows.append([(m.group(1), base + a, base + b) for a, b in cut])
    if len(rows) < _MIN_GLUED_ROWS:
        return []
    return [cell for row in rows for cell in row]


# A table flattened into label-figure pairs with nothing between them: "甲镇5乙镇1.5丙乡2丁乡0.5"
_DIGIT_RUN_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_PAIR_NUMBER_RE = re.compile(r"(?:[1-9][0-9]{0,5}|0)(?:\.[0-9]{1,4})?")
_NOT_LABEL_END = frozenset("年月日第")
_NOT_FIGURE_END = frozenset("年月日号时期届级")


_LABEL_RE = re.compile(r"[\u4e00-\u9fff]{2,8}")
# What a run of four label-figure pairs holds at least: four figures with 2–8 Chinese characters
# between each two (a report with none, most, has no run)
_FOUR_PAIRS_RE = re.compile(r"[0-9](?:[\u4e00-\u9fff]{2,8}[0-9][0-9.]*){2}[\u4e00-\u9fff]{2,8}[0-9]")


def _label_run_figures(text: str) -> list[tuple[str, int, int]]:
    """(label, start, end) of the figures of label-figure runs (four pairs at least): each figure has
    2–8 Chinese characters right before it (its label; the last one not 年/月/日/第) and is followed
    by the next label, not by 年/号/级 …  Found from the digit runs, not by a regex tried at every
    position of the text."""
    view = simplified_view(text)
    if _FOUR_PAIRS_RE.search(view) is None:
        return []  # no four figures with labels between them anywhere: no run
    n = len(view)
    out: list[tuple[str, int, int]] = []
    chain: list[tuple[int, int, int]] = []  # (label start, figure start, figure end)

    def close() -> None:
        if len(chain) >= 4:
            out.extend((text[a:s], s, e) for a, s, e in chain)
        chain.clear()

    for m in _DIGIT_RUN_RE.finditer(view):
        s, e = m.start(), m.end()
        ok = (s >= 2 and "\u4e00" <= view[s - 1] <= "\u9fff" and "\u4e00" <= view[s - 2] <= "\u9fff"
              and view[s - 1] not in _NOT_LABEL_END and not (e < n and view[e] in _NOT_FIGURE_END)
              and _PAIR_NUMBER_RE.fullmatch(view, s, e) is not None)
        if not ok:
            if chain:
                close()
            continue
        if chain:
            if _LABEL_RE.fullmatch(view, chain[-1][2], s) is not None:
                chain.append((chain[-1][2], s, e))
                continue
            close()
        a = s
        while a > s - 8 and a > 0 and "\u4e00" <= view[a - 1] <= "\u9fff":
            a -= 1
        chain.append((a, s, e))
    close()
    return out


# A budget row whose amounts and rate were exported without cell boundaries: "年度资金总额:250250100%"
# (预算数 250 | 执行数 250 | 执行率 100%). An impossible percentage (five digits before its point)
# is cut into amount | amount | rate where the rate is the second amount over the first.
_GLUED_RATE_RE = re.compile(r"([0-9]{5,30}(?:\.[0-9]{1,2})?)[%％]")  # the run's start is checked in code


def _glued_rates(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_rate) of the cells of glued amount-amount-rate runs."""
    out = []
    if not _five_digits_before_a_percent(text):
        return out  # no match anywhere (a report mostly has none): not scanned digit by digit
    for m in _GLUED_RATE_RE.finditer(text):
        if m.start() > 0 and text[m.start() - 1] in "0123456789.,":
            continue  # not the whole run
        cut = _rate_split(m.group(1))
        if cut is None:
            continue
        base = m.start(1)
        (a0, a1), (b0, b1), (r0, r1) = cut
        out += [(base + a0, base + a1, False), (base + b0, base + b1, False), (base + r0, m.end(), True)]
    return out


def _five_digits_before_a_percent(text: str) -> bool:
    """Whether a percent sign has five digits or more right before it, or before a point and one or
    two decimals right before it: what every match of ``_GLUED_RATE_RE`` holds. The signs are found
    by a string search (a few per report) and read backwards."""
    for sign in "%％":
        at = text.find(sign)
        while at >= 0:
            k = at
            while k > 0 and text[k - 1] in _ASCII_DIGITS:
                k -= 1
            if at - k >= 5:
                return True
            if 1 <= at - k <= 2 and k > 0 and text[k - 1] == ".":
                j = k - 1
                while j > 0 and text[j - 1] in _ASCII_DIGITS:
                    j -= 1
                if k - 1 - j >= 5:
                    return True
            at = text.find(sign, at + 1)
    return False


_ASCII_DIGITS = frozenset("0123456789")


def _glued_mention(text: str, start: int, end: int) -> NumberMention:
    """A figure read by a table-shape reader rather than the grammar (as written, no unit)."""
    raw = text[start:end]
    value = Decimal(raw)
    decimals = len(raw.split(".", 1)[1]) if "." in raw else 0
    return NumberMention(start=start, end=end, text=raw, value=value, unit="", qualifier="none",
                         scale=1, tolerance=Decimal("0.5") * Decimal(10) ** -decimals, decimals=decimals,
                         upper=None, number_start=start, number_end=end)


def extract_claims(doc: Document, numbers: list[NumberMention], forms: list[TableForm]) -> list[Claim]:
    """Every numeric claim of the document, in text order (the number pass and the table forms given)."""
    from auditor.extract.subjects import subject_for

    roles = _cell_roles(doc, forms)
    cells = sorted(((c.start, c.end, t.index, c) for t in doc.tables if not t.flattened
                    for r in t.rows for c in r.cells), key=lambda x: x[0])
    # tables that reached the text flattened ("|" rows …): their figures are read like the narrative's,
    # but take the unit of their column header
    pipe = sorted(((c.start, c.end, t, c) for form in forms if form.table.flattened
                   for t in (form.table,) for r in t.rows for c in r.cells), key=lambda x: x[0])
    declarations = _LazyDeclarations(doc.text)
    pipe_units = _PipeUnits(doc.text)
    rubric_lines: dict[int, bool] = {}
    claims: list[Claim] = []
    k = j = 0
    n_cells, n_pipe = len(cells), len(pipe)
    for m in numbers:
        while k < n_cells and cells[k][1] < m.start:
            k += 1
        cell = cells[k] if k < n_cells and cells[k][0] <= m.start < cells[k][1] + 1 else None
        if cell is None:
            unit = m.unit
            if not unit:
                while j < n_pipe and pipe[j][1] < m.start:
                    j += 1
                in_pipe = j < n_pipe and pipe[j][0] <= m.start < pipe[j][1] + 1
                if in_pipe and _row_number(doc.text, pipe[j][2], pipe[j][3], m):
                    continue
                header_seen = False
                if in_pipe:
                    role_unit = roles.get(pipe[j][0], (None, "", None))[2]
                    column_unit, header_seen = pipe_units.unit(pipe[j][2], pipe[j][3])
                    unit = role_unit or column_unit or ""
                if not unit and _standalone(doc.text, m):
                    # a column with a header of its own takes only a unit stated above the table
                    # ("单位：万元"), not one written in another column's header
                    at = pipe[j][2].start if header_seen else m.start
                    unit = declarations.unit_before(at, scores=not in_pipe) or ""
                if unit and m.scale != 1:
                    unit = _scaled_header_unit(m, unit)
                if unit and not m.unit and not _plausible(m.value, unit):
                    # a header's 分 or % cannot name 2,718,306.52: that header is not this cell's; take the
                    # money or count unit stated above instead, if any
                    fallback = declarations.unit_before(m.start, scores=False) or ""
                    unit = fallback if fallback != "%" and _plausible(m.value, fallback) else ""
            value = m.value
            if unit in ("万元", "亿元") and m.scale != 1 and not m.unit:
                value = m.value / m.scale  # "150万" under "（万元）": 150 万元
            if m.unit == "分" and _rubric_points(doc.text, m, rubric_lines):
                continue
            claims.append(Claim(m, value, unit, subject_for(doc.text, m), doc.where(m.start)))  # a flattened table's cell is "table"
            continue
        start, end, table_index, c = cell
        role, subject, unit = roles.get(start, (None, "", None))
        if not subject:
            row_label = doc.tables[table_index].rows[c.row].cells[0]
            subject = clean_text(doc.text[row_label.start:row_label.end]) if row_label is not c else ""
        if len(doc.cell_text(c)) > 30:  # a sentence in a cell: read it like narrative
            subject = subject_for(doc.text, m, clause_start=start)
        claim_unit = m.unit or unit or _header_unit(doc, c, table_index) or ""
        claims.append(Claim(m, m.value, claim_unit, subject, "table", role))
    taken = [(c.mention.start, c.mention.end) for c in claims]
    # a |-table cell holding a four-digit count such as 1990 or 2000 (the grammar reads a lone
    # 1900–2100 as a year): a figure when its column header states a unit
    taken_starts = {a for a, _ in taken}
    added = False
    for start, end, table, cell in pipe:
        raw = doc.text[start:end]
        if start in taken_starts or not _YEARLIKE_RE.fullmatch(raw):
            continue
        unit, _ = pipe_units.unit(table, cell)
        if unit and unit not in ("分", "%"):
            mention = _glued_mention(doc.text, start, end)
            claims.append(Claim(mention, mention.value, unit, subject_for(doc.text, mention), "table"))
            added = True
    if added:
        claims.sort(key=lambda c: c.mention.start)
        taken = [(c.mention.start, c.mention.end) for c in claims]
    paired = [f for f in _label_run_figures(doc.text) if not any(a < f[2] and f[1] < b for a, b in taken)]
    if paired:
        for label, start, end in paired:
            mention = _glued_mention(doc.text, start, end)
            unit = declarations.unit_before(start, scores=False) or ""
            claims.append(Claim(mention, mention.value, unit, label.strip(), "narrative"))
        claims.sort(key=lambda c: c.mention.start)
    rates = _glued_rates(doc.text)
    if rates:
        claims = _outside(claims, [(s, e) for s, e, _ in rates])
        for start, end, is_rate in rates:
            number_end = end - 1 if is_rate else end
            mention = _glued_mention(doc.text, start, number_end)
            if is_rate:
                mention = replace(mention, end=end, text=doc.text[start:end], unit="%")
                unit = "%"
            else:
                unit = declarations.unit_before(start, scores=False) or ""
            claims.append(Claim(mention, mention.value, unit, subject_for(doc.text, mention), "table"))
        claims.sort(key=lambda c: c.mention.start)
    glued = _glued_rows(doc.text)
    if glued:
        # the row's figures replace what the grammar read in the run ("5230602590" as one number)
        claims = _outside(claims, [(s, e) for _, s, e in glued])
        for label, start, end in glued:
            mention = _glued_mention(doc.text, start, end)
            unit = declarations.unit_before(start, scores=False) or ""
            claims.append(Claim(mention, mention.value, unit, label.strip(), "narrative"))
        claims.sort(key=lambda c: c.mention.start)
    return claims
