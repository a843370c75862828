"""Validate the hand-annotated gold claims (tests/gold/claims_NNN.jsonl).

Each gold file ``claims_NNN.jsonl`` annotates the seed ``NNN_*.txt`` found in
``../shared/seeds`` relative to the repository root (override with ``--seeds``).
For every line it checks: valid JSON object, required fields and types,
``text == seed_text[start:end]``, qualifier and where in their enums, value a
plain decimal string, the span not cutting a number in half, lines sorted by
start and spans not overlapping.  It prints counts per file and exits 1 on any
error (0 otherwise).

Usage: ``.venv/bin/python tests/gold/check_gold.py [--seeds DIR] [FILE ...]``
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent
DEFAULT_SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

QUALIFIERS = {"approx_more", "approx_about", "at_least", "at_most", "range", "none"}
WHERE = {"narrative", "table"}
REQUIRED = {
    "start": int,
    "end": int,
    "text": str,
    "value": str,
    "unit": str,
    "qualifier": str,
    "subject": str,
    "where": str,
}
OPTIONAL = {"note": str}
PLAIN_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
GOLD_NAME = re.compile(r"^claims_(\d+)\.jsonl$")
NUMBER_CHARS = set("0123456789.")


def seed_for(gold_path: Path, seeds_dir: Path) -> Path | None:
    """Return the seed file a gold file annotates (``claims_001`` → ``001_*.txt``)."""
    match = GOLD_NAME.match(gold_path.name)
    if not match:
        return None
    candidates = sorted(seeds_dir.glob(f"{match.group(1)}_*.txt"))
    return candidates[0] if len(candidates) == 1 else None


def check_record(record: object, text: str, lineno: int) -> list[str]:
    """Return the error messages for one gold record (empty when it is valid)."""
    errors: list[str] = []
    if not isinstance(record, dict):
        return [f"line {lineno}: not a JSON object"]
    for key, kind in REQUIRED.items():
        if key not in record:
            errors.append(f"line {lineno}: missing field {key!r}")
        elif not isinstance(record[key], kind) or isinstance(record[key], bool):
            errors.append(f"line {lineno}: field {key!r} must be {kind.__name__}")
    for key in record:
        if key not in REQUIRED and key not in OPTIONAL:
            errors.append(f"line {lineno}: unknown field {key!r}")
    if "note" in record and not isinstance(record["note"], str):
        errors.append(f"line {lineno}: field 'note' must be str")
    if errors:
        return errors

    start, end = record["start"], record["end"]
    if not 0 <= start < end <= len(text):
        errors.append(f"line {lineno}: bad span {start}..{end} (text length {len(text)})")
    elif text[start:end] != record["text"]:
        errors.append(
            f"line {lineno}: text {record['text']!r} != file[{start}:{end}] {text[start:end]!r}"
        )
    else:
        if start > 0 and text[start - 1] in NUMBER_CHARS and record["text"][0].isdigit():
            errors.append(f"line {lineno}: span starts inside a number")
        if end < len(text) and text[end] in NUMBER_CHARS and record["text"][-1].isdigit():
            errors.append(f"line {lineno}: span ends inside a number")
    if record["qualifier"] not in QUALIFIERS:
        errors.append(f"line {lineno}: qualifier {record['qualifier']!r} not in {sorted(QUALIFIERS)}")
    if record["where"] not in WHERE:
        errors.append(f"line {lineno}: where {record['where']!r} not in {sorted(WHERE)}")
    if not PLAIN_DECIMAL.match(record["value"]):
        errors.append(f"line {lineno}: value {record['value']!r} is not a plain decimal")
    else:
        try:
            Decimal(record["value"])
        except InvalidOperation:
            errors.append(f"line {lineno}: value {record['value']!r} does not parse as Decimal")
    if not record["unit"].strip():
        errors.append(f"line {lineno}: empty unit")
    if not record["subject"].strip():
        errors.append(f"line {lineno}: empty subject")
    return errors


def check_file(gold_path: Path, seeds_dir: Path) -> tuple[list[str], list[dict]]:
    """Validate one gold file; return (errors, parsed records)."""
    seed = seed_for(gold_path, seeds_dir)
    if seed is None:
        return [f"{gold_path.name}: no unique seed for it in {seeds_dir}"], []
    text = seed.read_text(encoding="utf-8")
    errors: list[str] = []
    records: list[dict] = []
    for lineno, line in enumerate(gold_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            errors.append(f"line {lineno}: blank line")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {lineno}: invalid JSON ({exc})")
            continue
        record_errors = check_record(record, text, lineno)
        errors.extend(record_errors)
        if not record_errors:
            records.append(record)
    for prev, cur in zip(records, records[1:]):
        if cur["start"] < prev["start"]:
            errors.append(f"not sorted by start: {prev['start']} then {cur['start']}")
        elif cur["start"] < prev["end"]:
            errors.append(
                f"overlapping spans: {prev['text']!r}@{prev['start']} and {cur['text']!r}@{cur['start']}"
            )
    return [f"{gold_path.name}: {e}" for e in errors], records


def summarise(name: str, records: list[dict]) -> str:
    """One-paragraph count summary for a gold file."""
    where = Counter(r["where"] for r in records)
    qualifiers = Counter(r["qualifier"] for r in records)
    units = Counter(r["unit"] for r in records)
    return (
        f"{name}: {len(records)} claims "
        f"(narrative {where['narrative']}, table {where['table']})\n"
        f"  qualifiers: {dict(sorted(qualifiers.items()))}\n"
        f"  units: {dict(units.most_common())}"
    )


def main(argv: list[str] | None = None) -> int:
    """Validate the gold files; print counts; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="gold files (default: all claims_*.jsonl)")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder of seed .txt files")
    args = parser.parse_args(argv)
    files = args.files or sorted(GOLD_DIR.glob("claims_*.jsonl"))
    if not files:
        print("no gold files found", file=sys.stderr)
        return 1
    all_errors: list[str] = []
    total = 0
    for path in files:
        errors, records = check_file(path, args.seeds)
        all_errors.extend(errors)
        total += len(records)
        print(summarise(path.name, records))
    print(f"total: {total} claims in {len(files)} files")
    for error in all_errors:
        print("ERROR " + error, file=sys.stderr)
    return 1 if all_errors else 0


if __name__ == "__main__":
    sys.exit(main())
