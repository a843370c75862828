"""Score the claims extractor on the hand-annotated real excerpts (../shared/real/claims/).

    .venv/bin/python benchmarks/eval_claims_real.py [--dir ../shared/real] [--misses] [--files 001,017]

Same code path as ``auditor claims FILE --format json``: the .txt is read into a Document
(auditor.engine.read_document) and its Analysis gives the claims (Analysis.claims).

Gold rules (../shared/real/README.md): every row of ``claims/NNN.tsv`` is located in ``NNN.txt``
sequentially (each surface is searched from the end of the previous one), so a repeated figure maps
to its own occurrence. Predicted claims are aligned one-to-one to gold rows by span overlap (largest
overlap first, then document order). An aligned pair counts for precision/recall/F1 when value (exact
decimal) and unit are equal. Value accuracy is exact decimal equality among aligned pairs; unit and
qualifier accuracy likewise.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "real"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@dataclass(slots=True)
class GoldClaim:
    surface: str
    start: int
    end: int
    value: Decimal
    unit: str
    qualifier: str


@dataclass(slots=True)
class FileScore:
    name: str
    gold: int = 0
    predicted: int = 0
    aligned: int = 0
    matched: int = 0          # aligned with equal value and unit
    value_ok: int = 0
    unit_ok: int = 0
    qualifier_ok: int = 0
    false_negatives: list[str] = field(default_factory=list)   # gold rows not matched (with reason)
    false_positives: list[str] = field(default_factory=list)   # predicted claims overlapping no gold row

    def add(self, other: FileScore) -> None:
        for name in ("gold", "predicted", "aligned", "matched", "value_ok", "unit_ok", "qualifier_ok"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, ok: int) -> float:
        return ok / self.aligned if self.aligned else 1.0


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"gold value is not a decimal: {text!r}") from exc


def load_gold(text: str, tsv: Path) -> list[GoldClaim]:
    """Gold rows of one file with their offsets, located sequentially in ``text``."""
    rows: list[GoldClaim] = []
    pos = 0
    with tsv.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            surface = row["surface"]
            start = text.find(surface, pos)
            if start < 0:
                raise ValueError(f"{tsv.name}: surface {surface!r} not found after offset {pos}")
            end = start + len(surface)
            pos = end
            rows.append(GoldClaim(surface, start, end, _decimal(row["value"]), row["unit"], row["qualifier"]))
    return rows


def predict(path: Path) -> tuple[str, list[dict]]:
    """(document text, claims as ``auditor claims --format json`` prints them)."""
    from auditor.analysis import Analysis
    from auditor.engine import read_document

    doc = read_document(path)
    return doc.text, [c.to_dict() for c in Analysis(doc).claims]


def _align(gold: list[GoldClaim], claims: list[dict]) -> dict[int, int]:
    """gold index → claim index, one-to-one, largest overlap first (ties in document order)."""
    pairs = []
    for gi, g in enumerate(gold):
        for ci, c in enumerate(claims):
            overlap = min(g.end, c["end"]) - max(g.start, c["start"])
            if overlap > 0:
                pairs.append((-overlap, gi, ci))
    pairs.sort()
    by_gold: dict[int, int] = {}
    used: set[int] = set()
    for _, gi, ci in pairs:
        if gi in by_gold or ci in used:
            continue
        by_gold[gi] = ci
        used.add(ci)
    return by_gold


def score_file(txt: Path, tsv: Path) -> FileScore:
    text, claims = predict(txt)
    gold = load_gold(text, tsv)
    score = FileScore(txt.stem, gold=len(gold), predicted=len(claims))
    by_gold = _align(gold, claims)
    for gi, g in enumerate(gold):
        ci = by_gold.get(gi)
        if ci is None:
            score.false_negatives.append(f"{g.surface!r} @{g.start}: missed (gold {g.value} {g.unit})")
            continue
        c = claims[ci]
        score.aligned += 1
        value_ok = Decimal(str(c["value"])) == g.value
        unit_ok = c["unit"] == g.unit
        score.value_ok += value_ok
        score.unit_ok += unit_ok
        score.qualifier_ok += c["qualifier"] == g.qualifier
        if value_ok and unit_ok:
            score.matched += 1
        else:
            score.false_negatives.append(
                f"{g.surface!r} @{g.start}: got {c['text']!r} {c['value']} {c['unit']!r}, gold {g.value} {g.unit!r}")
        if c["qualifier"] != g.qualifier and value_ok and unit_ok:
            score.false_negatives.append(
                f"{g.surface!r} @{g.start}: qualifier {c['qualifier']} vs gold {g.qualifier} (counts as match)")
    used = set(by_gold.values())
    for ci, c in enumerate(claims):
        if ci not in used:
            context = text[max(0, c["start"] - 8):c["end"] + 6].replace("\n", "⏎")
            score.false_positives.append(f"{c['text']!r} @{c['start']}: {c['value']} {c['unit']!r}  …{context}…")
    return score


def evaluate(real_dir: Path = REAL, only: set[str] | None = None) -> tuple[FileScore, list[FileScore]]:
    """(overall score, per-file scores) over every ``claims/NNN.tsv`` with its ``NNN.txt``."""
    files = []
    total = FileScore("overall")
    for tsv in sorted((real_dir / "claims").glob("*.tsv")):
        if only and tsv.stem not in only:
            continue
        s = score_file(real_dir / f"{tsv.stem}.txt", tsv)
        files.append(s)
        total.add(s)
    return total, files


def _line(s: FileScore) -> str:
    return (f"{s.name:<8}{s.gold:>6}{s.predicted:>6}{s.matched:>6}{s.precision:>8.3f}{s.recall:>8.3f}"
            f"{s.f1:>8.3f}{s.accuracy(s.value_ok):>8.3f}{s.accuracy(s.unit_ok):>8.3f}{s.accuracy(s.qualifier_ok):>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=REAL)
    parser.add_argument("--misses", action="store_true", help="list false negatives and false positives")
    parser.add_argument("--files", default="", help="comma-separated file numbers (001,017)")
    parser.add_argument("--quiet", action="store_true", help="overall line only")
    args = parser.parse_args()
    if not (args.dir / "claims").is_dir():
        raise SystemExit(f"no claims/ in {args.dir}")
    only = {f.strip() for f in args.files.split(",") if f.strip()} or None
    total, files = evaluate(args.dir, only)
    header = f"{'file':<8}{'gold':>6}{'pred':>6}{'match':>6}{'P':>8}{'R':>8}{'F1':>8}{'value':>8}{'unit':>8}{'qual':>8}"
    print(header)
    for s in files:
        if not args.quiet:
            print(_line(s))
        if args.misses:
            for item in s.false_negatives:
                print(f"    FN {item}")
            for item in s.false_positives:
                print(f"    FP {item}")
    print(_line(total))
    print(f"overall: P {total.precision:.4f} R {total.recall:.4f} F1 {total.f1:.4f} "
          f"value accuracy {total.accuracy(total.value_ok):.4f} unit accuracy {total.accuracy(total.unit_ok):.4f} "
          f"qualifier accuracy {total.accuracy(total.qualifier_ok):.4f} "
          f"(gold {total.gold}, predicted {total.predicted}, aligned {total.aligned}, matched {total.matched})")


if __name__ == "__main__":
    main()
