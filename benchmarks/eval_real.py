"""Detection on the real development corpus: required items found, traps hit, unexplained alarms.

Run: .venv/bin/python benchmarks/eval_real.py [--corpus ../shared/real] [--jobs 2] [--all]

Audits every ``NNN.txt`` of the corpus as one batch (as ``auditor check DIR`` does) and scores the
findings against ``gold.json`` with the corpus README's rules:

* a finding **matches** an item when one of its evidence spans (offsets into that file, not into a
  reference) overlaps one of the item's anchors (the ``occurrence``-th match of the anchor text);
* a finding that overlaps a **trap** and matches no item is a trap hit (a false alarm);
* a high or medium finding that matches no item and overlaps no trap is **unexplained**: listed with
  file, rule and message, to be reviewed by hand.

Prints, per kind and overall: required found, optional found, traps hit; then every trap hit and
every unexplained high/medium finding. ``--all`` also lists low/info findings that match nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "real"
sys.path.insert(0, str(REPO))

SERIOUS = ("high", "medium")


@dataclass
class Scored:
    """The outcome of one evaluation run."""

    found: dict[str, list[str]] = field(default_factory=dict)  # class → item ids found
    missed_required: list[str] = field(default_factory=list)
    trap_hits: list[tuple[str, str, str, str]] = field(default_factory=list)  # file, rule, severity, message
    unexplained: list[tuple[str, str, str, str]] = field(default_factory=list)  # high/medium only
    unexplained_minor: list[tuple[str, str, str, str]] = field(default_factory=list)
    per_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    required_total: int = 0
    optional_total: int = 0

    @property
    def required_found(self) -> int:
        return len(self.found.get("required", []))

    @property
    def optional_found(self) -> int:
        return len(self.found.get("optional", []))


def _occurrence(text: str, needle: str, occurrence: int) -> tuple[int, int] | None:
    start = -1
    for _ in range(occurrence):
        start = text.find(needle, start + 1)
        if start < 0:
            return None
    return start, start + len(needle)


def _all_occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    out, start = [], text.find(needle)
    while start >= 0:
        out.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return out


def _overlaps(spans: list[tuple[int, int]], others: list[tuple[int, int]]) -> bool:
    return any(a < d and c < b for a, b in spans for c, d in others)


def score(reports: list[dict], corpus: Path = CORPUS) -> Scored:
    """Score reports (dicts as in the findings JSON contract, ``path`` naming the corpus file)."""
    gold = json.loads((corpus / "gold.json").read_text(encoding="utf-8"))
    texts = {p.name: p.read_text(encoding="utf-8") for p in corpus.glob("*.txt")}
    items_by_file: dict[str, list[tuple[dict, list[tuple[int, int]]]]] = defaultdict(list)
    for item in gold["items"]:
        text = texts[item["file"]]
        anchors = [span for needle, k in item["anchors"] if (span := _occurrence(text, needle, k))]
        items_by_file[item["file"]].append((item, anchors))
    traps_by_file: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for trap in gold["traps"]:
        traps_by_file[trap["file"]].extend(_all_occurrences(texts[trap["file"]], trap["text"]))

    out = Scored()
    out.required_total = sum(1 for i in gold["items"] if i["class"] == "required")
    out.optional_total = len(gold["items"]) - out.required_total
    found_ids: set[str] = set()
    for report in reports:
        name = Path(report["path"]).name
        for finding in report.get("findings", []):
            spans = [(e["start"], e["end"]) for e in finding.get("evidence", []) if not e.get("source")]
            matched = [item for item, anchors in items_by_file.get(name, []) if _overlaps(spans, anchors)]
            row = (name, finding["rule"], finding["severity"], finding["message"])
            if matched:
                found_ids.update(item["id"] for item in matched)
            elif _overlaps(spans, traps_by_file.get(name, [])):
                out.trap_hits.append(row)
            elif finding["severity"] in SERIOUS:
                out.unexplained.append(row)
            else:
                out.unexplained_minor.append(row)
    per_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in gold["items"]:
        kind = per_kind[item["kind"]]
        kind[f"{item['class']}_total"] += 1
        if item["id"] in found_ids:
            out.found.setdefault(item["class"], []).append(item["id"])
            kind[f"{item['class']}_found"] += 1
        elif item["class"] == "required":
            out.missed_required.append(item["id"])
    out.per_kind = {k: dict(v) for k, v in per_kind.items()}
    return out


def audit_corpus(corpus: Path = CORPUS, jobs: int = 2) -> list[dict]:
    """Every ``NNN.txt`` of the corpus audited as one batch; the reports as contract dicts."""
    from auditor.batch import audit

    paths = sorted(corpus.glob("[0-9][0-9][0-9].txt"))
    batch = audit(paths, jobs=jobs, keep_documents=False)
    return [r.to_dict() for r in batch.reports]


def _print(scored: Scored, show_minor: bool) -> None:
    print(f"{'kind':<18} {'required':>10} {'optional':>10}")
    for kind, c in sorted(scored.per_kind.items()):
        req = f"{c.get('required_found', 0)}/{c.get('required_total', 0)}"
        opt = f"{c.get('optional_found', 0)}/{c.get('optional_total', 0)}"
        print(f"{kind:<18} {req:>10} {opt:>10}")
    print(f"{'overall':<18} {scored.required_found:>7}/{scored.required_total:<2} "
          f"{scored.optional_found:>7}/{scored.optional_total:<2}")
    print(f"traps hit: {len(scored.trap_hits)}   unexplained high/medium: {len(scored.unexplained)}   "
          f"unexplained low/info: {len(scored.unexplained_minor)}")
    print("\nmissed required: " + (", ".join(scored.missed_required) or "none"))
    for title, rows in (("trap hits", scored.trap_hits), ("unexplained high/medium", scored.unexplained),
                        ("unexplained low/info", scored.unexplained_minor if show_minor else [])):
        if rows:
            print(f"\n{title}:")
            for name, rule, severity, message in rows:
                print(f"  {name} {rule} [{severity}] {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--all", action="store_true", help="also list low/info findings that match nothing")
    parser.add_argument("--json", type=Path, help="score this findings JSON instead of auditing")
    args = parser.parse_args()
    if not (args.corpus / "gold.json").exists():
        raise SystemExit(f"no gold.json in {args.corpus}")
    reports = (json.loads(args.json.read_text(encoding="utf-8"))["reports"] if args.json
               else audit_corpus(args.corpus, args.jobs))
    _print(score(reports, args.corpus), args.all)


if __name__ == "__main__":
    main()
