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
