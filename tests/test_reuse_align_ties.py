"""The seed of an alignment does not depend on the interpreter's hash seed: two reference paragraphs
sharing as many n-grams with the report's paragraph are decided by their order, in every process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Two reference paragraphs, each sharing one half of the report's paragraph (the same number of 6-grams).
_PROBE = """
from auditor.readers.text import build_document
from auditor.reuse.align import SourceIndex, passage_grams
from auditor.reuse.text import passages
source = build_document("示例报告\\n一、情况\\n全年组织业务培训共计一十二期次。另有其他内容甲乙丙丁。\\n"
                        "全年走访服务对象四百二十人次。另有其他内容戊己庚辛。\\n", "source.txt", "txt")
report = build_document("示例报告\\n一、情况\\n全年组织业务培训共计一十二期次全年走访服务对象四百二十人次。\\n",
                        "report.txt", "txt")
index = SourceIndex(source)
target = [p for p in passages(report) if not p.is_heading][-1]
hit = index.best(target.key)
print(hit[0] if hit else None)
"""


def test_the_seed_paragraph_is_the_same_under_every_hash_seed() -> None:
    answers = set()
    for seed in ("1", "2", "3", "4", "5"):
        out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=ROOT, timeout=120,
                             env={**os.environ, "PYTHONHASHSEED": seed})
        assert out.returncode == 0, out.stderr
        answers.add(out.stdout.strip())
    assert len(answers) == 1 and answers != {"None"}


def _rows(table) -> set[tuple[int, str]]:
    """(key number, gram) of each row of a gram_table, the gram decoded from its code points."""
    key_of, high, low, _ = table
    rows = []
    for k, h, lo in zip(key_of.tolist(), high.tolist(), low.tolist()):
        fields = [(h >> 42) & 0x1FFFFF, (h >> 21) & 0x1FFFFF, h & 0x1FFFFF,
                  (lo >> 42) & 0x1FFFFF, (lo >> 21) & 0x1FFFFF, lo & 0x1FFFFF]
        rows.append((k, "".join(chr(c - 1) for c in fields if c)))
    assert len(rows) == len(set(rows)), "a (key, gram) row twice"
    return set(rows)


# keys of my own: repeated grams within a key, a key repeated, keys shorter than a gram, an empty key
_KEYS = ["全年开展业务培训十二期，业务培训覆盖全员", "预算执行率为98.5%", "全年开展业务培训十二期，业务培训覆盖全员",
         "短", "", "合计", "走访走访走访走访走访走访", "资金使用合规，资金使用合规"]


def test_gram_table_rows_are_each_keys_distinct_grams() -> None:
    from auditor.reuse.align import _grams, gram_table

    expected = {(k, g) for k, key in enumerate(_KEYS) for g in _grams(key)}
    assert _rows(gram_table(_KEYS)) == expected


def test_gram_table_sorts_exactly_when_two_rows_share_a_hash(monkeypatch) -> None:
    """Rows are made distinct by sorting one hash; when two different rows have the same hash (forced
    here: every gram hashes alike), the exact sort takes over and the rows are the same."""
    import numpy as np

    from auditor.reuse import align

    expected = align.gram_table(_KEYS)
    monkeypatch.setattr(align, "_mixed", lambda high, low: np.zeros(len(high), dtype=np.uint64))
    colliding = align.gram_table(_KEYS)
    assert _rows(colliding) == _rows(expected)


def test_gram_table_rows_come_sorted_by_hash(monkeypatch) -> None:
    """SourceIndex takes the rows as they come (its searches need them sorted by hash), and a query's
    sorted hashes are searched faster: sorted, with or without colliding hashes."""
    import numpy as np

    from auditor.reuse import align

    for table in (align.gram_table(_KEYS), align.gram_table(_KEYS * 3 + ["另一段不同的文字内容"])):
        assert np.all(table[3][1:] >= table[3][:-1])
    monkeypatch.setattr(align, "_mixed", lambda high, low: (high % np.uint64(3)).astype(np.uint64))
    colliding = align.gram_table(_KEYS)
    assert np.all(colliding[3][1:] >= colliding[3][:-1])
    assert _rows(colliding) == {(k, g) for k, key in enumerate(_KEYS) for g in align._grams(key)}
