"""Indicators across a report: the same thing counted in the narrative and in the tables.

Every numeric claim (auditor.extract.claims) that counts something becomes a :class:`Statement`:
its value in a comparable unit, its subject folded to a *core* ("开展专题调研次数" → "专题调研",
"指标1：主任会议召开次数" → "主任会议"), whether it states what was done (``actual``) or what was
planned (``target``), which year and which scope (全市/本级/县/镇, a project's own table) it speaks
of, and whether it lies in a block pasted from another year (a heading that repeats).

The rules XC201/XC202 compare statements with :func:`comparable`, :func:`subject_match` and
:func:`consistent`; a table row that names several activities ("主任会、常委会 18次") is checked as a
sum of the narrative's figures (:func:`sum_explanation`).
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from auditor.arith import Interval
from auditor.document import Cell, Document, Table, clean_text
from auditor.document import span_back as _span_back
from auditor.document import span_forward as _span_forward
from auditor.extract.claims import Claim
from auditor.extract.numbers import NumberMention
from auditor.extract.subjects import _get_tokenizer, _strip, normalise_subject, subject_for
from auditor.extract.tables import TableForm, cell_number

__all__ = ["Statement", "collect_statements", "subject_core", "subject_parts", "subject_match", "comparable",
           "consistent", "value_interval", "stale_blocks", "sum_explanation", "table_scope", "MATCH_THRESHOLD",
           "STRONG_MATCH", "family_of", "MONEY_TO_WAN", "compound_words", "indicator_actuals", "match_indicator",
           "table_confirmed"]

_DATA = Path(__file__).resolve().parent.parent / "data"

# A subject match below this is no match at all; 1.0 is the same core subject.
MATCH_THRESHOLD = 0.85
STRONG_MATCH = 1.0
# A core shorter than this ("率", "建议") says too little to identify an indicator.
MIN_SUBJECT = 3

# Money is compared in 万元; other units only with themselves (人/名/位 are one family).
MONEY_TO_WAN = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal(1), "百万元": Decimal(100),
                "千万元": Decimal(1000), "亿元": Decimal(10000), "万亿元": Decimal(100000000)}
_PEOPLE = {"人": "人", "名": "人", "位": "人"}
_NOT_INDICATORS = {"分", "", "个百分点", "‰"}  # scores belong to the score rules; bare figures have no unit

_TARGET_WORDS = ("计划", "预计", "力争", "争取", "拟", "将", "目标", "确保", "预期", "要求", "指标值", "任务数")
_DONE_WORDS = ("圆满完成", "全面完成", "已完成", "完成了", "实际完成", "顺利完成")
_PLAN_LEAD_IN = re.compile(r"(计划|目标|预期|任务|打算)[:：]")
# an aim that opens a sentence and governs the figures after it (not "按计划完成", "计划内")
_SENTENCE_AIM = re.compile(r"(?<!按)(?<!按照)(力争|争取|计划(?![内的])|预计|目标(?!值)|预期)")
_PLAN_HEADINGS = ("下一步", "计划", "打算", "思路", "改进措施", "工作安排")
_SCOPE_WORDS = ("市本级", "县本级", "区本级", "本级", "全市", "市级", "全县", "县级", "全区", "区级", "全镇", "镇级",
                "乡镇", "乡级", "村级", "全省", "省级", "全国", "国家级", "全州", "州级", "街道")
_SCOPE_WORDS_RE = re.compile("|".join(map(re.escape, _SCOPE_WORDS)))
_TARGET_WORDS_RE = re.compile("|".join(map(re.escape, _TARGET_WORDS)))  # any(w in text for w in _TARGET_WORDS)
_DONE_WORDS_RE = re.compile("|".join(map(re.escape, _DONE_WORDS)))
_PLAN_HEADINGS_RE = re.compile("|".join(map(re.escape, _PLAN_HEADINGS)))
_CLAUSE_BREAKS = "，,。；;！？!?\n\t：:"
_SENTENCE_BREAKS = "。；;！？!?\n\t"
_CONTEXT_BREAKS = "。！？!?\n"  # the sentence of a figure's context (places, periods)
_YEAR_RE = re.compile(r"(?<![0-9])(19[89][0-9]|20[0-9]{2})\s*年(?!度?[0-9])")
_PREVIOUS_YEAR_RE = re.compile(r"上年|去年|上一年")
_COMPOUND_SPLIT = re.compile(r"[、.．/／＋+]")
_ADVERBS = ("高标准", "高质量", "积极", "认真", "依法", "扎实", "深入", "切实", "持续", "不断", "及时")
_SUFFIXES = re.compile(r"(的)?(次数|数量|个数|件数|份数|人数|篇数|期数|场次)$")

_HEADER_ACTUAL = re.compile(r"决算|执行数|实际|完成")
_HEADER_TARGET = re.compile(r"预算|计划|目标|指标值|预期")


@dataclass(slots=True)
class Statement:
    """One figure that states the value of an indicator, wherever it is written."""

    mention: NumberMention
    value: Decimal  # in the family's unit (万元 for money)
    unit: str  # as written or taken from the header
    family: str  # "money", "%", "人", or the count/measure unit itself
    subject: str  # the core subject compared across the report
    label: str  # the subject as the report words it (for messages)
    parts: tuple[str, ...]  # the cores of a compound subject ("主任会、常委会"); () when single
    where: str  # narrative | table
    origin: str  # paragraph | cell_text (a sentence in a cell) | indicator (a figure cell) | data
    kind: str  # actual | target | unknown
    scope: str  # "department", "project:<name>" (tables), "document"
    markers: frozenset[str] = frozenset()  # scope words around it (全市, 本级, 县级 …)
    year: int | None = None  # the year it is framed in; None: the report's own year
    table: int | None = None  # table index
    cell: Cell | None = None
    column: str = ""  # the column header of a table figure
    stale: str | None = None  # heading of the repeated-heading block it lies in
    sentence: tuple[int, int] = (0, 0)  # the sentence (or cell) holding it
    block: tuple[int, int] = (0, 0)  # the paragraph or cell holding it
    closed: bool = True  # False when a noun follows the figure ("8个专门委员会"): the subject is on its right
    # narrative only: the section's topic ("农村低保"), places and periods named in the sentence
    # ("舒城县", "一季度"): two figures of different contexts count different things
    context: tuple = ()
    # narrative only, when the noun follows the figure ("5件议案", "42件建议、批评和意见"): the words
    # it counts, as written up to the end of the clause
    counted: str = ""

    @property
    def start(self) -> int:
        return self.mention.start

    @property
    def end(self) -> int:
        return self.mention.end

    @property
    def approximate(self) -> bool:
        return self.mention.qualifier != "none"


# --- vocabulary -----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _fillers() -> frozenset[str]:
    words = set()
    for name in ("subjects_fillers.txt", "indicator_fillers.txt"):
        for raw in (_DATA / name).read_text(encoding="utf-8").splitlines():
            word = raw.split("#", 1)[0].strip()
            if word:
                words.add(word)
    return frozenset(words)


@lru_cache(maxsize=65536)
def subject_core(phrase: str) -> str:
    """The part of a subject that names what is counted: verbs, adverbs, fillers and measure words
    dropped, synonyms folded ("高标准召开主任会" → "主任会议", "开展专题调研次数" → "专题调研")."""
    stripped = _strip(phrase)
    if not stripped:
        return ""
    fillers = _fillers()
    kept = []
    for token in _get_tokenizer().lcut(stripped, HMM=False):
        if token in fillers:
            continue
        adverb = next((a for a in _ADVERBS if token.startswith(a) and token[len(a):] in fillers), None)
        if adverb:
            continue
        kept.append(token)
    core = normalise_subject("".join(kept))
    core = _SUFFIXES.sub("", core)
    return core if len(core) >= MIN_SUBJECT else ""


@lru_cache(maxsize=65536)
def subject_parts(phrase: str) -> tuple[str, ...]:
    """The cores of a subject naming several activities ("主任会、常委会" → 主任会议, 常委会会议); () if one."""
    text = clean_text(phrase)
    if "，" in text or "," in text:
        return ("",)  # a sentence-like row name: several clauses, never one indicator
    pieces = [p for p in _COMPOUND_SPLIT.split(text) if p.strip()]
    if len(pieces) < 2:
        return ()
    return tuple(subject_core(p) for p in pieces)


def table_confirmed(statements: list[Statement]) -> frozenset[int]:
    """The starts of the narrative statements of the report's own year (no other year named) that a table
    states again: an actual of the same family and value whose subject matches (the report's own table
    confirms the figure as this year's). Of several statements at one start, the last is taken."""
    actuals: dict[tuple[str, Decimal], list[str]] = {}
    for s in statements:
        if s.where == "table" and s.kind == "actual":
            actuals.setdefault((s.family, s.value), []).append(s.subject)
    by_start = {s.mention.start: s for s in statements}
    return frozenset(start for start, s in by_start.items()
                     if s.where == "narrative" and s.year is None
                     and any(subject_match(subject, s.subject) >= MATCH_THRESHOLD
                             for subject in actuals.get((s.family, s.value), ())))


def subject_match(a: str, b: str) -> float:
    """How surely two core subjects name the same indicator: 1.0 the same; about 0.9 when one
    contains the other or they differ by a character; 0 below :data:`MATCH_THRESHOLD`."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 4 and short in long_ and len(short) / len(long_) >= 0.6:
        return 0.9
    if len(short) >= 4:
        ratio = fuzz.ratio(a, b) / 100
        if ratio >= 0.9:
            return round(ratio * 0.95, 3)
    return 0.0


# --- values ---------------------------------------------------------------------------------------

def family_of(unit: str) -> tuple[str, Decimal] | None:
    """(family, factor to the family's unit) or None when the unit is not an indicator's."""
    if unit in _NOT_INDICATORS:
        return None
    if unit in MONEY_TO_WAN:
        return "money", MONEY_TO_WAN[unit]
    if unit == "%":
        return "%", Decimal(1)
    return _PEOPLE.get(unit, unit), Decimal(1)


def _step(value: Decimal) -> Decimal:
    """One unit of the last non-zero digit of a whole number (480 → 10, 1400 → 100, 18 → 1)."""
    if value != value.to_integral_value() or value == 0:
        return Decimal(1)
    n = int(value)
    step = 1
    while n % 10 == 0:
        n //= 10
        step *= 10
    return Decimal(step)


def value_interval(st: Statement) -> Interval:
    """The values a statement allows: its rounding for a plain figure; 480余 → [480, 490];
    约800 → ±10%; ≥400 → [400, ∞); a range → [lower, upper]."""
    m = st.mention
    factor = st.value / m.value if m.value else Decimal(1)
    v = st.value
    big = Decimal("1e30")
    if m.qualifier == "approx_more":
        return Interval(v, v + _step(m.value) * factor)
    if m.qualifier == "approx_about":
        return Interval(v * Decimal("0.9"), v * Decimal("1.1"))
    if m.qualifier == "at_least":
        return Interval(v, big)
    if m.qualifier == "at_most":
        return Interval(-big, v)
    if m.qualifier == "range" and m.upper is not None:
        return Interval(v, m.upper * factor)
    return Interval.around(v, m.tolerance * factor)


def _round_to(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(10) ** -max(decimals, 0), rounding="ROUND_HALF_UP")


def consistent(a: Statement, b: Statement) -> bool:
    """Whether two statements of one indicator can both be true. Two plain figures agree when they
    are equal at the coarser precision (113.2 and 113.21 agree; 113.22 and 113.21 do not); an
    approximation or a bound agrees with every value it allows."""
    if a.mention.qualifier == "none" and b.mention.qualifier == "none":
        decimals = min(max(a.mention.decimals, 0), max(b.mention.decimals, 0))
        if a.family == "money":  # amounts in 万元 and 元 compared at the coarser of the two
            decimals = min(_decimals_in_family(a), _decimals_in_family(b))
        return _round_to(a.value, decimals) == _round_to(b.value, decimals)
    return value_interval(a).overlaps(value_interval(b))


def _decimals_in_family(st: Statement) -> int:
    factor = family_of(st.unit)[1] if family_of(st.unit) else Decimal(1)
    shift = -factor.adjusted() if factor else 0  # 元 → 万元 adds four decimals
    return max(st.mention.decimals, 0) + shift


# --- scope, year, kind ----------------------------------------------------------------------------

@lru_cache(maxsize=16384)
def _markers(text: str) -> frozenset[str]:
    if _SCOPE_WORDS_RE.search(text) is None:
        return frozenset()  # no scope word at all (most clauses)
    found = set()
    rest = text
    for word in _SCOPE_WORDS:  # longest words first in the list where they overlap (市本级 before 本级)
        if word in rest:
            found.add(word)
            rest = rest.replace(word, "")
    return frozenset(found)


def _year(clause: str, sentence_before: str, report_year: int | None) -> int | None:
    """The year a figure is framed in: the last year named in its clause, else a year that opens its
    sentence ("2023年，…"); None when that is the report's own year or none is named."""
    years = [int(y) for y in _YEAR_RE.findall(clause)] or [int(y) for y in _YEAR_RE.findall(sentence_before[:8])]
    text = clause
    if years:
        year = years[-1]
        return None if year == report_year else year
    if _PREVIOUS_YEAR_RE.search(text) and report_year:
        return report_year - 1
    return None


def _narrative_kind(doc: Document, m: NumberMention, clause: str, sentence_before: str, sentence: str) -> str:
    if _TARGET_WORDS_RE.search(clause):
        return "target"
    aim = None
    for aim in _SENTENCE_AIM.finditer(sentence_before):
        pass
    if aim is not None and not _DONE_WORDS_RE.search(sentence):
        return "target"  # "力争全年新建绿道120公里，改造公园8处": the aim governs the whole list
    if _PLAN_LEAD_IN.search(sentence_before) and not _DONE_WORDS_RE.search(sentence):
        return "target"
    plan_headings = doc.derived(_StatementCaches).plan_headings
    for section in doc.heading_path(m.start):
        plan = plan_headings.get(section.heading.start)
        if plan is None:
            heading = clean_text(doc.text[section.heading.start:section.heading.end])
            plan = plan_headings[section.heading.start] = _PLAN_HEADINGS_RE.search(heading) is not None
        if plan:
            return "target"
    return "actual"


@dataclass(slots=True)
class _StatementCaches:
    """Per document (``doc.derived``): what the statement readers look up again and again."""

    table_scopes: dict[tuple[int, int, int], str] = field(default_factory=dict)  # by (index, start, end)
    column_headers: dict[tuple[int, int, int, int, int, int], str] = field(default_factory=dict)
    sentence_contexts: dict[int, tuple] = field(default_factory=dict)  # by the sentence's start
    plan_headings: dict[int, bool] = field(default_factory=dict)  # a heading names a plan, by its start
    # per table (index, start): whether each row holds a figure (None: not read yet)
    rows_with_figures: dict[tuple[int, int], list[bool | None]] = field(default_factory=dict)


def table_scope(doc: Document, table: Table) -> str:
    """"project:<name>" for a project's form, else "department"."""
    scopes = doc.derived(_StatementCaches).table_scopes
    key = (table.index, table.start, table.end)
    scope = scopes.get(key)
    if scope is None:
        scope = scopes[key] = _table_scope(doc, table)
    return scope


def _table_scope(doc: Document, table: Table) -> str:
    for row in table.rows[:4]:
        texts = doc.row_texts(row)
        for label, value in zip(texts, texts[1:]):
            if label.startswith("项目") and label.endswith("名称") and value:
                return f"project:{value}"
    title = doc.table_title(table) or ""
    if "项目" in title and "名称" in title:
        return "project:" + title.split("：", 1)[-1]
    return "department"


def _column_header(doc: Document, table: Table, cell: Cell) -> str:
    """The nearest text above ``cell`` in its column, in a row as wide as the cell's row and with no
    figure in it (a header row)."""
    headers = doc.derived(_StatementCaches).column_headers
    key = (table.index, table.start, cell.start, cell.end, cell.row, cell.col)
    header = headers.get(key)
    if header is None:
        header = headers[key] = _find_column_header(doc, table, cell)
    return header


def _find_column_header(doc: Document, table: Table, cell: Cell) -> str:
    width = len(table.rows[cell.row].cells)
    # whether a row holds a figure, read once per row of the table (every cell below it asks)
    figured = doc.derived(_StatementCaches).rows_with_figures.setdefault((table.index, table.start),
                                                                          [None] * len(table.rows))
    for r in range(cell.row - 1, -1, -1):
        row = table.rows[r]
        if len(row.cells) != width:
            continue
        has_figure = figured[r]
        if has_figure is None:
            has_figure = figured[r] = any(cell_number(doc, c) is not None for c in row.cells)
        if has_figure:
            continue
        text = doc.cell_text(row.cells[cell.col]) if cell.col < len(row.cells) else ""
        if text:
            return text
    return ""


_HEADING_NUMBER = re.compile(r"^[0-9一二三四五六七八九十]+[、.．\s]*")  # "三、" before a heading


def stale_blocks(doc: Document) -> list[tuple[int, int, str]]:
    """Text blocks that begin at a heading which appears again later: (start, end, heading).

    A section pasted from an earlier report keeps its heading, so the heading shows up twice; the
    block runs from the first occurrence to the second."""
    blocks = []
    seen: dict[str, int] = {}
    for section in doc.sections:
        heading = clean_text(doc.text[section.heading.start:section.heading.end])
        key = _HEADING_NUMBER.sub("", heading)
        if len(key) < 4:
            continue
        if (key, section.level) in seen:
            first = seen[(key, section.level)]
            blocks.append((doc.sections[first].start, section.start, heading))
        else:
            seen[(key, section.level)] = section.index
    return blocks


# --- collecting statements ------------------------------------------------------------------------

def _cells_by_start(doc: Document) -> dict[int, tuple[Table, Cell]]:
    return {c.start: (t, c) for t in doc.tables for r in t.rows for c in r.cells}


def collect_statements(doc: Document, claims: list[Claim], forms: list[TableForm]) -> list[Statement]:
    """Every figure in the report that states an indicator's value (from its claims), in text order."""
    report_year = doc.meta.year
    cells = _cells_by_start(doc)
    cell_starts = sorted(cells)
    stale = stale_blocks(doc)
    measure_units = _measure_units(doc, forms)
    doc_scope = "department" if doc.meta.kind == "department" else "document"
    out: list[Statement] = []
    paragraph_starts = [p.start for p in doc.paragraphs]
    reverse = doc.text[::-1]  # the narrative statements' clause and sentence starts (_starts_before)
    for claim in claims:
        m = claim.mention
        unit = claim.unit
        if claim.where == "table":
            k = bisect.bisect_right(cell_starts, m.start) - 1
            if k < 0:
                continue
            table, cell = cells[cell_starts[k]]
            if not unit and cell.start in measure_units:
                unit = measure_units[cell.start]
            st = _table_statement(doc, claim, table, cell, unit, report_year)
        else:
            st = _narrative_statement(doc, claim, unit, report_year, doc_scope, paragraph_starts, reverse)
        if st is None:
            continue
        for start, end, heading in stale:
            if start <= m.start < end:
                st.stale = heading
                break
        out.append(st)
    return out


def _measure_units(doc: Document, forms: list[TableForm]) -> dict[int, str]:
    """Unit cells of indicator rows (度量单位 "次") for the target and actual cells of the row."""
    out = {}
    for form in forms:
        for block in form.indicators:
            for row in block.rows:
                unit_cell = row.cells.get("measure_unit")
                unit = doc.cell_text(unit_cell) if unit_cell is not None else ""
                if unit and len(unit) <= 3:
                    for role in ("target", "actual"):
                        if role in row.cells:
                            out[row.cells[role].start] = unit
    return out


def _base(m: NumberMention, unit: str) -> tuple[Decimal, str] | None:
    fam = family_of(unit)
    if fam is None:
        return None
    family, factor = fam
    return m.value * factor, family


def _closed(text: str, m: NumberMention) -> bool:
    """Whether the figure ends its phrase ("主任会议17次，" yes; "8个专门委员会" no: what it counts
    follows it, and the subject read from the left may belong to another figure)."""
    if m.end >= len(text):
        return True
    nxt = text[m.end]
    return not ("\u4e00" <= nxt <= "\u9fff") or nxt in "等均全共的"


def _break_class(breaks: str) -> re.Pattern:
    """One character of ``breaks`` other than the newline (a line's start is found on its own)."""
    return re.compile("[" + re.escape(breaks.replace("\n", "")) + "]")


_CLAUSE_BREAK_RE = _break_class(_CLAUSE_BREAKS)
_SENTENCE_BREAK_RE = _break_class(_SENTENCE_BREAKS)
_CONTEXT_BREAK_RE = _break_class(_CONTEXT_BREAKS)
_SENTENCE_END_RE = re.compile("[" + re.escape(_SENTENCE_BREAKS) + "]")


def _starts_before(text: str, offset: int, reverse: str | None = None) -> tuple[int, int, int]:
    """``_span_back(text, offset, breaks)`` for the clause, sentence and context breaks at once: each is
    just after the last of its break characters before ``offset`` on the line (the line's start when none).
    The last one is the first match in ``reverse`` (``text[::-1]``): one scan that stops there, where
    looking each break character up backwards scans the whole line for every figure of a long line."""
    if reverse is None:
        reverse = text[::-1]
    line_start = text.rfind("\n", 0, offset) + 1
    n = len(text)
    lo, hi = n - offset, n - line_start  # text[line_start:offset], reversed

    def after_last(pattern: re.Pattern) -> int:
        found = pattern.search(reverse, lo, hi)
        return line_start if found is None else n - found.start()

    return after_last(_CLAUSE_BREAK_RE), after_last(_SENTENCE_BREAK_RE), after_last(_CONTEXT_BREAK_RE)


def _sentence_end(text: str, start: int) -> int:
    """``_span_forward(text, start, _SENTENCE_BREAKS)`` in one scan."""
    found = _SENTENCE_END_RE.search(text, start)
    return len(text) if found is None else found.start()


def _paragraph_span(doc: Document, starts: list[int], offset: int) -> tuple[int, int]:
    k = bisect.bisect_right(starts, offset) - 1
    if k >= 0:
        para = doc.paragraphs[k]
        if para.start <= offset <= para.end:
            return para.start, para.end
    return offset, offset


def _narrative_statement(doc: Document, claim: Claim, unit: str, report_year: int | None,
                         scope: str, paragraph_starts: list[int], reverse: str) -> Statement | None:
    m = claim.mention
    based = _base(m, unit)
    if based is None or not claim.subject:
        return None
    value, family = based
    text = doc.text
    clause_start, sentence_start, context_start = _starts_before(text, m.start, reverse)
    sentence_end = _sentence_end(text, m.end)
    clause = text[clause_start:m.start]
    sentence_before = text[sentence_start:m.start]
    kind = _narrative_kind(doc, m, clause, sentence_before, text[sentence_start:sentence_end])
    context = _context(doc, m.start, context_start)
    return Statement(mention=m, value=value, unit=unit, family=family, subject=subject_core(claim.subject),
                     label=claim.subject, parts=(), where="narrative", origin="paragraph", kind=kind, scope=scope,
                     markers=_markers(clause), year=_year(clause, sentence_before, report_year),
                     sentence=(sentence_start, sentence_end), block=_paragraph_span(doc, paragraph_starts, m.start),
                     closed=_closed(text, m), context=context, counted=_counted(text, m))


def _counted(text: str, m: NumberMention) -> str:
    """The noun phrase right after a figure that does not end its phrase ("5件议案，" → "议案")."""
    if _closed(text, m):
        return ""
    end = _span_forward(text, m.end, "，,。；;！？!?\n\t：:（(")
    return clean_text(text[m.end:min(end, m.end + 16)])


_TRAILING_DENG = re.compile(r"(等|等等)$")
_LEADING_VERB = re.compile(r"^.*(办理|召开|开展|组织|完成|举办|审议|听取|提出|答复)")


def compound_words(label: str) -> tuple[str, ...]:
    """The activities a table row names, as written ("按时受理群众来信、来访、留言等" → 来信, 来访,
    意见), with a leading verb phrase and a trailing 等 removed; () when the row names one activity."""
    pieces = [clean_text(p) for p in _COMPOUND_SPLIT.split(clean_text(label)) if p.strip()]
    if len(pieces) < 2 or any("，" in p or "," in p for p in pieces):
        return ()
    pieces[-1] = _TRAILING_DENG.sub("", pieces[-1])
    pieces[0] = _LEADING_VERB.sub("", pieces[0]) or pieces[0]
    return tuple(pieces)


_PLACE_RE = re.compile(r"(?<![全本该各我此])[\u4e00-\u9fff]{2,8}?(?:省|市|县|区|旗|镇|乡|街道)(?![级长委政府人财])")
# words that run into a place name from the left ("记者从海东市", "共下达海东市")
_PLACE_LEAD = re.compile(r"^.*(?:从|在|向|对|于|为|由|到|给|下达|共|和|与|及|据|经)")
_PERIOD_RE = re.compile(r"第?[一二三四1-4]季度|前三季度|上半年|下半年|[春夏秋冬]季|\d{1,2}\s*(?:[-—~至]\s*\d{1,2}\s*)?月份?"
                        r"|[一二三四五六七八九十]{1,3}(?:[-—~至][一二三四五六七八九十]{1,3})?月份?|寒假|暑假|春节|汛期|节假日")


_PLACE_CHARS = re.compile("[省市县区旗镇乡街]")  # one of them ends every match of _PLACE_RE
_PERIOD_CHARS = re.compile("[季半月假节汛]")  # one of them is in every match of _PERIOD_RE


@lru_cache(maxsize=1)
def _generic_places() -> tuple[str, ...]:
    lines = (_DATA / "generic_place_words.txt").read_text(encoding="utf-8").splitlines()
    return tuple(w for w in lines if w and not w.startswith("#"))


def _places(text: str) -> frozenset[str]:
    if _PLACE_CHARS.search(text) is None:
        return frozenset()  # no place suffix: no place
    found = (_PLACE_LEAD.sub("", p) for p in _PLACE_RE.findall(text))
    return frozenset(p for p in found if len(p) >= 3 and p[-2] not in "全本各该我此"  # not "本年度全市"
                     and not p.endswith(_generic_places()))


def _periods(text: str) -> frozenset[str]:
    if _PERIOD_CHARS.search(text) is None:
        return frozenset()  # every period names a 季, 半年, 月, 假, 节 or 汛
    return frozenset("".join(p.split()) for p in _PERIOD_RE.findall(text))  # what r"\s" matches, dropped


@lru_cache(maxsize=1)
def _generic_heading_words() -> tuple[str, ...]:
    words = (_DATA / "generic_heading_words.txt").read_text(encoding="utf-8").splitlines()
    return tuple(sorted((w for w in words if w and not w.startswith("#")), key=len, reverse=True))


_TOPIC_NUMBER = re.compile(r"^[\s（(]*[0-9一二三四五六七八九十]+[）)、.．\s]*")
_TOPIC_NOISE = re.compile(r"[\d\s，,、：:；;（）()“”\"'《》.．-]")


@lru_cache(maxsize=4096)
def section_topic(heading: str) -> str:
    """What a heading is about once numbering and generic report words are removed ("二、农村低保" →
    "农村低保"; "六、部门整体支出绩效情况" → "")."""
    text = _TOPIC_NUMBER.sub("", clean_text(heading))
    text = _TOPIC_NOISE.sub("", text)
    for word in _generic_heading_words():
        text = text.replace(word, "")
    return text


def _context(doc: Document, offset: int, start: int | None = None) -> tuple:
    """(section topic, places, periods) of a narrative figure's sentence, computed once per sentence
    (``start``: where the sentence starts, ``_span_back(text, offset, _CONTEXT_BREAKS)``, when known)."""
    text = doc.text
    if start is None:
        start = _span_back(text, offset, _CONTEXT_BREAKS)
    cache = doc.derived(_StatementCaches).sentence_contexts
    if start not in cache:
        sentence = text[start:_span_forward(text, offset, _CONTEXT_BREAKS)]
        cache[start] = (_section_topic(doc, offset), _places(sentence), _periods(sentence))
    return cache[start]


_LEAD_LABEL = re.compile(r"[\s\u3000]*([^\s，,。；;：:]{2,10})[：:]")  # matched at the line start


def _section_topic(doc: Document, offset: int) -> str:
    """The topic of the heading above the offset, and of a label that opens its paragraph
    ("城市低保：…", "农村低保：…")."""
    path = doc.heading_path(offset)
    topic = section_topic(doc.text[path[-1].heading.start:path[-1].heading.end]) if path else ""
    line_start = doc.text.rfind("\n", 0, offset) + 1
    lead = _LEAD_LABEL.match(doc.text, line_start, offset)
    if lead:
        topic += "|" + section_topic(lead.group(1))
    return topic


_ROW_LABEL_LEAD = re.compile(r"^[0-9]+[、.．]\s*|^其中[：:]")  # a row number or 其中 before a label


def _table_statement(doc: Document, claim: Claim, table: Table, cell: Cell, unit: str,
                     report_year: int | None) -> Statement | None:
    m = claim.mention
    based = _base(m, unit)
    if based is None:
        return None
    value, family = based
    scope = table_scope(doc, table)
    role = claim.role
    pure = cell_number(doc, cell) is not None
    if not pure:
        # a sentence in a cell: its own subject, the column tells actual or target
        subject = subject_for(doc.text, m, clause_start=cell.start)
        if not subject:
            return None
        header = _column_header(doc, table, cell)
        kind = ("actual" if role == "actual" or _HEADER_ACTUAL.search(header) else
                "target" if role == "target" or _HEADER_TARGET.search(header) else "unknown")
        sentence_start = _span_back(doc.text, m.start, _SENTENCE_BREAKS, floor=cell.start)
        sentence_end = min(_span_forward(doc.text, m.end, _SENTENCE_BREAKS), cell.end)
        clause_start = _span_back(doc.text, m.start, _CLAUSE_BREAKS, floor=cell.start)
        return Statement(mention=m, value=value, unit=unit, family=family, subject=subject_core(subject),
                         label=subject, parts=(), where="table", origin="cell_text", kind=kind, scope=scope,
                         markers=_markers(doc.text[clause_start:m.start]),
                         year=_year(doc.text[clause_start:m.start], doc.text[sentence_start:m.start], report_year),
                         table=table.index, cell=cell,
                         column=header, sentence=(sentence_start, sentence_end), block=(cell.start, cell.end),
                         closed=_closed(doc.text, m))
    if role in ("actual", "target"):
        label = claim.subject
        column = "实际完成值" if role == "actual" else "年度指标值"
        return Statement(mention=m, value=value, unit=unit, family=family, subject=subject_core(label),
                         label=label, parts=subject_parts(label), where="table", origin="indicator", kind=role,
                         scope=scope, markers=_markers(label), table=table.index, cell=cell, column=column,
                         sentence=(cell.start, cell.end), block=(cell.start, cell.end))
    if role is not None:
        return None  # budget blocks, weights, scores: the arithmetic rules' business
    label = claim.subject
    header = _column_header(doc, table, cell)
    if not label or not header or cell.col == 0:
        return None
    kind = "actual" if _HEADER_ACTUAL.search(header) else "target" if _HEADER_TARGET.search(header) else "unknown"
    label_clean = _ROW_LABEL_LEAD.sub("", label).rstrip("：:")
    return Statement(mention=m, value=value, unit=unit, family=family, subject=subject_core(label_clean),
                     label=label_clean, parts=subject_parts(label_clean), where="table", origin="data", kind=kind,
                     scope=scope, markers=_markers(label_clean), year=_year(header, header, report_year),
                     table=table.index, cell=cell, column=header, sentence=(cell.start, cell.end),
                     block=(cell.start, cell.end))


# --- comparing ------------------------------------------------------------------------------------

def comparable(a: Statement, b: Statement) -> bool:
    """Like with like: both actual, same unit family, same year, same scope words."""
    return (a.kind == "actual" and b.kind == "actual" and a.family == b.family and a.year == b.year
            and a.markers == b.markers)


def sum_explanation(compound: Statement, candidates: list[Statement]) -> list[Statement] | None:
    """Narrative figures whose sum gives a compound row's value, or None.

    Each part of the row ("主任会、常委会") is looked up among ``candidates``; the figures found for the
    first part, together with the figures written next to it in the same sentence with the same unit
    ("集中培训9次、现场观摩3次"), are tried as the parts of the sum."""
    if not compound.parts or "" in compound.parts:
        return None
    k = len(compound.parts)
    per_part: list[list[Statement]] = []
    for part in compound.parts:
        found = [c for c in candidates if comparable(compound, c) and subject_match(part, c.subject) >= MATCH_THRESHOLD]
        per_part.append(found)
    options: list[tuple[Statement, ...]] = []
    if all(per_part) and len(per_part) == k:
        options.extend(itertools.islice(itertools.product(*per_part), 200))
    for first in per_part[0] if per_part else []:
        same_sentence = [c for c in candidates if c.sentence == first.sentence and c.start > first.start
                         and c.family == first.family]
        same_sentence.sort(key=lambda c: c.start)
        if len(same_sentence) >= k - 1:
            options.append((first, *same_sentence[:k - 1]))
    for combo in options:
        total = sum((c.value for c in combo), Decimal(0))
        if any(c.approximate for c in combo):
            continue
        if total == compound.value:
            return list(combo)
    return None


# --- this year's indicator actuals ------------------------------------------------------------------

_INDICATOR_SUFFIX = re.compile(r"(?:次数|场次|人次数|人数|数量|个数|件数|项数|数)$")


def indicator_actuals(doc: Document, forms: list[TableForm]) -> list[tuple[str, NumberMention]]:
    """(indicator words, 实际完成值 figure) of the report's indicator rows: the current year's figures
    ("召开主任会议次数" → "召开主任会议"), those with a unit and no qualifier."""
    out = []
    for form in forms:
        for block in form.indicators:
            for row in block.rows:
                name_cell, actual_cell = row.cells.get("indicator"), row.cells.get("actual")
                m = cell_number(doc, actual_cell)
                if name_cell is None or m is None or not m.unit or m.qualifier != "none":
                    continue
                name = _INDICATOR_SUFFIX.sub("", doc.cell_text(name_cell))
                if len(name) >= 3:
                    out.append((name, m))
    return out


def match_indicator(subject: str, unit: str, actuals: list[tuple[str, NumberMention]]) -> NumberMention | None:
    """The indicator actual whose name names the same thing as ``subject`` (one contains the other) in
    the same unit, or None."""
    for name, m in actuals:
        if m.unit == unit and (name in subject or (len(subject) >= 3 and subject in name)):
            return m
    return None
