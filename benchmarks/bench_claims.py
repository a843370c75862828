"""Throughput of the numeric-claim grammar, against jieba in the same process.

Run: .venv/bin/python benchmarks/bench_claims.py [--mb 5]

Concatenates the seed reports (../shared/seeds) until the text is at least ``--mb`` MB of
UTF-8, then measures, on the same text and in the same process:

* find_numbers                      (target >= 5 MB/s per core)
* find_numbers + subject_for        (target >= 2 MB/s)
* jieba.lcut                        (baseline; ratios are reported against it)

and the time to import the module and make the first call in a fresh interpreter
(target < 1 s).  Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
sys.path.insert(0, str(REPO))


def _corpus(min_mb: float) -> str:
    parts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    if not parts:
        raise SystemExit(f"no seeds in {SEEDS}")
    one = "\n".join(parts)
    size = len(one.encode("utf-8"))
    copies = max(1, int(min_mb * 1_000_000 // size) + 1)
    return "\n".join([one] * copies)


def _timed(fn, *args) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def _fresh(code: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0)
    args = parser.parse_args()

    text = _corpus(args.mb)
    mb = len(text.encode("utf-8")) / 1_000_000

    from auditor.extract.numbers import find_numbers
    from auditor.extract.subjects import subject_for

    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    import gc

    gc.collect()
    gc.freeze()  # as auditor.extract.subjects does after loading its tokenizer
    subject_for("召开会议8次", find_numbers("召开会议8次")[0])  # warm the tokenizer

    t_num, mentions = _timed(find_numbers, text)

    def numbers_and_subjects(t: str) -> int:
        return sum(1 for m in find_numbers(t) if subject_for(t, m) is not None)

    t_sub, _ = _timed(numbers_and_subjects, text)
    t_jieba, _ = _timed(jieba.lcut, text)

    plain = "import sys; sys.path.insert(0, '.'); "
    t_import_numbers = _fresh(plain + "from auditor.extract.numbers import find_numbers; "
                              "find_numbers('召开会议8次，满意率94.3%')")
    t_import_subjects = _fresh(plain + "from auditor.extract.numbers import find_numbers; "
                               "from auditor.extract.subjects import subject_for; "
                               "t='召开会议8次'; subject_for(t, find_numbers(t)[0])")
    t_python = _fresh("pass")

    rows = [
        ("find_numbers", t_num),
        ("find_numbers + subject_for", t_sub),
        ("jieba.lcut (baseline)", t_jieba),
    ]
    print(f"text: {mb:.2f} MB UTF-8, {len(text):,} characters, {len(mentions):,} mentions")
    print(f"{'measure':<30}{'seconds':>10}{'MB/s':>10}{'x jieba':>10}")
    for name, seconds in rows:
        print(f"{name:<30}{seconds:>10.3f}{mb / seconds:>10.2f}{t_jieba / seconds:>10.2f}")
    print()
    print(f"{'fresh interpreter (python -c pass)':<44}{t_python:>8.3f} s")
    print(f"{'import numbers + first call':<44}{t_import_numbers:>8.3f} s")
    print(f"{'import numbers+subjects + first subject':<44}{t_import_subjects:>8.3f} s")


if __name__ == "__main__":
    main()
