"""The per-file speed-ups give exactly what the plain computations give.

Memoised number spans (table cells), cached cell texts, table roles and column headers, the span
scans of statements, and XC202's grouping of candidate pairs are each compared with the direct
computation they replace, on the seeds and on synthetic text built to catch a cache key that is too
coarse.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.analysis import Analysis
from auditor.document import clean_text
from auditor.extract import indicators
from auditor.extract.numbers import find_numbers, find_numbers_in_span, last_number_end
from auditor.extract.tables import (
    BUDGET_ROLES,
    INDICATOR_ROLES,
    _roles,
    cell_number,
    header_key,
    label_and_number,
)
from auditor.readers.decode import decode_text
from auditor.readers.text import build_document
from auditor.rules.registry import get_rule

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"
# the seeds when they are beside the repository, and always the bundled sample corpus (reports with
# budget and indicator tables), so that no test here passes on an empty list
SEED_FILES = sorted(SEEDS.glob("*.txt")) + sorted(SAMPLE.glob("*.txt"))


def _seed_docs():
    assert SEED_FILES, "no reports to compare on"
    for path in SEED_FILES:
        yield build_document(decode_text(path.read_bytes())[0], str(path))


def _spans_of(found):
    return [(m.start, m.end, m.text, m.value, m.unit, m.qualifier, m.scale, m.tolerance, m.decimals, m.upper,
             m.number_start, m.number_end) for m in found]


# --- memoised number spans --------------------------------------------------------------------------

@pytest.mark.parametrize("text_a, text_b, span", [
    # 届 three characters before the cell: "二次会议" is a session, not a count
    ("第十五届\n\t二次会议\n", "第十五期\n\t二次会议\n", "二次会议"),
    # a digit before ".5万元": a version number vs a figure after a letter and a point
    ("1.5万元\n", "a.5万元\n", "5万元"),
    # same three characters before, but only one is at a line start ("3.15个" = item 3. + 15个)
    ("\n  3.15个乡镇\n", "a  3.15个乡镇\n", "3.15个乡镇"),
    # 近 after 最 is part of a word, not "nearly"
    ("最近50人\n", "将近50人\n", "近50人"),
])
def test_span_cache_tells_contexts_apart(text_a: str, text_b: str, span: str) -> None:
    """Two spans with the same content but a different context the grammar reads: each gets its own
    result, whichever is computed first."""
    def bounds(text: str) -> tuple[int, int]:
        lo = text.index(span)
        return lo, lo + len(span)

    for first, second in ((text_a, text_b), (text_b, text_a)):
        cache: dict = {}
        for text in (first, second):
            lo, hi = bounds(text)
            assert _spans_of(find_numbers_in_span(text, lo, hi, cache)) == _spans_of(find_numbers(text, lo, hi))
    relative = [[r[2:10] for r in _spans_of(find_numbers(t, *bounds(t)))] for t in (text_a, text_b)]
    assert relative[0] != relative[1], "the fixture must show that the context changes the result"


def test_span_cache_reads_two_characters_after_the_span() -> None:
    """"二次" followed by 会议 after 届 is a session; followed by 活动 it is a count."""
    cache: dict = {}
    for tail in ("会议", "活动", "会议"):
        text = f"届\n\t二次{tail}\n"
        lo = text.index("二")
        hi = lo + 2
        assert _spans_of(find_numbers_in_span(text, lo, hi, cache)) == _spans_of(find_numbers(text, lo, hi))
    assert find_numbers("届\n\t二次会议\n", 3, 5) != find_numbers("届\n\t二次活动\n", 3, 5)


def test_span_cache_returns_new_objects_at_the_right_offsets() -> None:
    text = "甲\n\t95%\n\n\t95%\n\n"
    cache: dict = {}
    first = find_numbers_in_span(text, 3, 6, cache)
    second = find_numbers_in_span(text, 9, 12, cache)
    again = find_numbers_in_span(text, 3, 6, cache)
    assert len(cache) == 1  # one key for both cells
    assert [(m.start, m.end, m.number_start, m.number_end) for m in second] == [(9, 12, 9, 11)]
    assert first == again and first[0] is not again[0]
    assert text[second[0].start:second[0].end] == "95%"


def test_span_cache_equals_find_numbers_on_every_seed_cell_and_line() -> None:
    for doc in _seed_docs():
        cache: dict = {}
        spans = [(c.start, c.end) for t in doc.tables for r in t.rows for c in r.cells]
        spans += [(p.start, p.end) for p in doc.paragraphs]
        for lo, hi in spans + spans:  # the second round is served from the cache
            assert _spans_of(find_numbers_in_span(doc.text, lo, hi, cache)) == \
                _spans_of(find_numbers(doc.text, lo, hi)), (doc.path, lo, hi)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="届人大会近最将超约第一二三次会议万元人%.．-0123456789 \t\n|、，", min_size=1, max_size=40),
       st.data())
def test_span_cache_equals_find_numbers_on_random_text(text: str, data) -> None:
    cache: dict = {}
    for _ in range(4):
        lo = data.draw(st.integers(0, len(text)))
        hi = data.draw(st.integers(lo, len(text)))
        assert _spans_of(find_numbers_in_span(text, lo, hi, cache)) == _spans_of(find_numbers(text, lo, hi))


def _last_end(text: str, lo: int, hi: int) -> int | None:
    found = find_numbers(text, lo, hi)
    return found[-1].end if found else None


@pytest.mark.parametrize("text_a, text_b, span", [
    ("第十五届\n\t二次会议\n", "第十五期\n\t二次会议\n", "二次会议"),
    ("1.5万元\n", "a.5万元\n", "5万元"),
    ("\n  3.15个乡镇\n", "a  3.15个乡镇\n", "3.15个乡镇"),
    ("届\n\t二次会议\n", "届\n\t二次活动\n", "二次"),
])
def test_last_number_end_is_memoised_across_texts_on_what_the_grammar_sees(text_a: str, text_b: str,
                                                                        span: str) -> None:
    """``last_number_end`` keeps its answers for the whole process, across reports: a span with the same
    characters in another context, before it or two characters after it, gets its own answer."""
    for first, second in ((text_a, text_b), (text_b, text_a), (text_a, text_a)):
        for text in (first, second):
            lo = text.index(span)
            assert last_number_end(text, lo, lo + len(span)) == _last_end(text, lo, lo + len(span)), text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="届人大会近最将超约第一二三次会议万元人%.．-0123456789 \t\n|、，", min_size=1, max_size=40),
       st.data())
def test_last_number_end_equals_that_of_find_numbers_on_random_text(text: str, data) -> None:
    for _ in range(4):
        lo = data.draw(st.integers(0, len(text)))
        hi = data.draw(st.integers(lo, len(text)))
        assert last_number_end(text, lo, hi) == _last_end(text, lo, hi)


# --- cells and tables -----------------------------------------------------------------------------

def test_cell_text_and_cell_values_match_the_direct_computation() -> None:
    for doc in _seed_docs():
        for table in doc.tables:
            for row in table.rows:
                for cell in row.cells:
                    raw = doc.text[cell.start:cell.end]
                    assert doc.cell_text(cell) == clean_text(raw)
                    assert doc.cell_text(cell) == clean_text(raw)  # served from the cache
                    number = cell_number(doc, cell)
                    direct = find_numbers(doc.text, cell.start, cell.end)
                    if cell.is_continuation or len(direct) != 1:
                        assert number is None
                    elif number is not None:
                        assert _spans_of([number]) == _spans_of(direct)
                    read = label_and_number(doc, cell)
                    if read is not None and read[1] is not None:
                        assert _spans_of([read[1]]) == _spans_of(direct[-1:])


def _roles_direct(doc, row, vocab) -> dict[str, int]:
    found: dict[str, int] = {}
    for cell in row.cells:
        key = header_key(clean_text(doc.text[cell.start:cell.end]))
        for role, pattern in vocab:
            if role not in found and pattern.search(key):
                found[role] = cell.col
                break
    return found


def test_header_roles_match_the_direct_scan() -> None:
    checked = 0
    for doc in _seed_docs():
        for table in doc.tables:
            for row in table.rows:
                for vocab in (BUDGET_ROLES, INDICATOR_ROLES):
                    assert _roles(doc, row, vocab) == _roles_direct(doc, row, vocab)
                    checked += bool(_roles_direct(doc, row, vocab))
    assert checked > 0


def test_table_scope_and_column_header_are_stable() -> None:
    for doc in _seed_docs():
        for table in doc.tables:
            assert indicators.table_scope(doc, table) == indicators._table_scope(doc, table)
            for row in table.rows:
                for cell in row.cells:
                    assert indicators._column_header(doc, table, cell) == \
                        indicators._find_column_header(doc, table, cell)



def _column_header_directly(doc, table, cell) -> str:
    """_find_column_header as it was written first: every row above asked anew for its figures."""
    width = len(table.rows[cell.row].cells)
    for row in reversed(table.rows[:cell.row]):
        if len(row.cells) != width or any(cell_number(doc, c) is not None for c in row.cells):
            continue
        text = doc.cell_text(row.cells[cell.col]) if cell.col < len(row.cells) else ""
        if text:
            return text
    return ""


# my own indicator table: a header, a sub-heading row as wide as the data, data rows, a narrower row
_INDICATOR_TABLE = ("\t一级指标\n\t二级指标\n\t年度指标值\n\t实际完成值\n\n"
                    "\t产出指标\n\t数量指标\n\t培训人次\n\t到户走访\n\n"
                    "\t\n\t培训人数\n\t≥500人次\n\t620人次\n\n"
                    "\t\n\t走访户数\n\t≥120户\n\t135户\n\n"
                    "\t合计得分\n\t96分\n\n"
                    "\t\n\t满意度\n\t≥90%\n\t95%\n")


def test_a_column_header_is_the_nearest_row_above_without_figures_each_row_read_once(monkeypatch) -> None:
    """_find_column_header reads whether a row holds a figure once per row (not once per cell below it)
    and finds what reading every row anew finds, on the seeds and the sample and on a table of my own
    (a wide sub-heading row, a narrower total row in between)."""
    docs = [*_seed_docs(), build_document("绩效指标完成情况表\n" + _INDICATOR_TABLE, "own.txt")]
    own = docs[-1]
    table = own.tables[0]
    headers = [[indicators._find_column_header(own, table, c) for c in row.cells] for row in table.rows]
    assert headers[2] == headers[5] == ["产出指标", "数量指标", "培训人次", "到户走访"]  # the narrower row skipped
    assert headers[1] == ["一级指标", "二级指标", "年度指标值", "实际完成值"] and headers[0] == ["", "", "", ""]
    for doc in docs:
        for table in doc.tables:
            for row in table.rows:
                for cell in row.cells:
                    assert indicators._find_column_header(doc, table, cell) == _column_header_directly(doc, table, cell)
    asked: list[tuple[int, int]] = []
    real = indicators.cell_number

    def counting(doc, cell):
        asked.append((cell.start, cell.end))
        return real(doc, cell)

    fresh = build_document("绩效指标完成情况表\n" + _INDICATOR_TABLE, "own_again.txt")
    monkeypatch.setattr(indicators, "cell_number", counting)
    table = fresh.tables[0]
    for row in table.rows:
        for cell in row.cells:
            indicators._find_column_header(fresh, table, cell)
    assert asked and len(asked) == len(set(asked))  # each cell of a row read once at most


# --- span scans -------------------------------------------------------------------------------------

def _back_direct(text: str, end: int, breaks: str, floor: int = 0) -> int:
    i = end
    while i > floor and text[i - 1] not in breaks:
        i -= 1
    return i


def _forward_direct(text: str, start: int, breaks: str) -> int:
    j = start
    while j < len(text) and text[j] not in breaks:
        j += 1
    return j


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="甲乙，。；\n\t：!", max_size=30), st.data())
def test_span_scans_match_the_character_loops(text: str, data) -> None:
    end = data.draw(st.integers(0, len(text)))
    floor = data.draw(st.integers(0, len(text)))
    for breaks in (indicators._CLAUSE_BREAKS, indicators._SENTENCE_BREAKS):
        assert indicators._span_back(text, end, breaks, floor) == _back_direct(text, end, breaks, floor)
        assert indicators._span_back(text, end, breaks) == _back_direct(text, end, breaks)
        assert indicators._span_forward(text, end, breaks) == _forward_direct(text, end, breaks)


# --- XC202 pairs ------------------------------------------------------------------------------------

def test_xc202_groups_give_the_pairs_of_the_full_scan() -> None:
    """Every pair the full O(n²) scan accepts lies in one group, in the same order."""
    xc202 = get_rule("XC202")
    module = __import__(xc202.check.__module__, fromlist=["_pair_strength"])
    fixtures = sorted((Path(__file__).resolve().parent / "fixtures" / "rules" / "XC202").glob("*.txt"))
    docs = [*_seed_docs(), *(build_document(decode_text(p.read_bytes())[0], str(p)) for p in fixtures)]
    total = 0
    for doc in docs:
        analysis = Analysis(doc)
        found = [s for s in analysis.indicator_statements if s.kind == "actual" and s.subject and s.stale is None]
        full = [(i, j) for i, a in enumerate(found) for j, b in enumerate(found)
                if j > i and module._pair_strength(a, b) is not None]
        for i, j in full:
            assert module._pair_key(found[i]) == module._pair_key(found[j])
        total += len(full)
        assert len(list(xc202.run(analysis))) == len({found[i].subject for i, _ in full})
    assert total > 0, "the fixtures hold at least one conflicting pair"
