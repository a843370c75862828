"""Evaluate copy detection (RU501) on generated corpora: PAN plagdet, the honest-reference check, and
precision/recall per kind of reuse.

    .venv/bin/python benchmarks/eval_reuse.py --units 40 --seed 101

Reuse pairs (``generate_corpus(..., reuse_pairs=True)``, units the model never saw: another seed than
models/train_stale.py's): every report written from the unit's previous one, paragraph by paragraph
an honest update (wording kept, every figure and the year updated, some clauses reworded), a partial
update (some figures or the year left as last year's), a verbatim copy, or afresh; plus the generic
问题/措施 text (template). A labelled paragraph counts as flagged when a high or medium finding's first
evidence covers half of it: by RU501 alone, and by any RU5 rule. Recall for the stale kinds, the
flagged share (a false-positive rate) for the others, precision over every high/medium RU501 finding.

Cross unit (RU506): one year's reports of different units, and the first of them made again under
every other unit's name and place: the copies found in a two-report batch and in the batch of all of
them, and RU506 in the honest batch (none expected).

plagdet (Potthast et al., PAN 2010): precision and recall over characters of both documents of a
case (the copied passage and its source), granularity = detections per detected case,
plagdet = F1 / log2(1 + granularity). Cases are the manifest's copies (this_offset/this_length,
source/source_offset/source_length); detections are RU501's passages with the batch as references.
Honest check: every report with no labelled copy is audited with only its unit's previous report as
reference; no RU50x finding may be high or medium.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.analysis import Analysis  # noqa: E402
from auditor.reuse.corpus import read_corpus  # noqa: E402
from auditor.reuse.references import ReferenceSet, attach, copied_passages  # noqa: E402
from auditor.rules import select_rules  # noqa: E402
from auditor.rules.registry import run_rules  # noqa: E402

Span = tuple[str, int, int, str, int, int]  # this path, start, end, source path, start, end


def _overlap(a: Span, b: Span) -> int:
    if a[0] != b[0] or a[3] != b[3]:
        return 0
    return max(0, min(a[2], b[2]) - max(a[1], b[1])) + max(0, min(a[5], b[5]) - max(a[4], b[4]))


def _size(a: Span) -> int:
    return (a[2] - a[1]) + (a[5] - a[4])


def _covered(target: Span, others: list[Span]) -> int:
    """Characters of ``target`` (both sides) covered by the union of ``others``."""
    this, src = set(), set()
    for o in others:
        if o[0] == target[0] and o[3] == target[3]:
            this.update(range(max(o[1], target[1]), min(o[2], target[2])))
            src.update(range(max(o[4], target[4]), min(o[5], target[5])))
    return len(this) + len(src)


def plagdet(cases: list[Span], detections: list[Span]) -> dict:
    prec = sum(_covered(r, cases) / _size(r) for r in detections) / len(detections) if detections else 0.0
    rec = sum(_covered(s, detections) / _size(s) for s in cases) / len(cases) if cases else 0.0
    detected = [s for s in cases if any(_overlap(s, r) for r in detections)]
    gran = (sum(sum(1 for r in detections if _overlap(s, r)) for s in detected) / len(detected)) if detected else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": round(prec, 4), "recall": round(rec, 4), "granularity": round(gran, 4),
            "plagdet": round(f1 / math.log2(1 + gran), 4), "cases": len(cases), "detections": len(detections)}


def evaluate(folder: Path) -> dict:
    docs, manifest = read_corpus(folder)
    by_path = {d.path: d for d in docs}
    refs = ReferenceSet(documents=docs)
    cases: list[Span] = []
    detections: list[Span] = []
    t0 = time.perf_counter()
    for doc, entry in zip(docs, manifest):
        for c in entry["copies"]:
            cases.append((doc.path, c["this_offset"], c["this_offset"] + c["this_length"],
                          str(folder / c["source"]), c["source_offset"], c["source_offset"] + c["source_length"]))
        analysis = Analysis(doc)
        attach(analysis, refs)
        for f in run_rules(analysis, select_rules(["RU501"])):
            if f.severity == "info":  # reuse with updated data: noted, not claimed as a copy
                continue
            this, src = f.evidence[0], f.evidence[-1]  # the report's passage first, the source's last
            detections.append((doc.path, this.start, this.end, src.source, src.start, src.end))
    elapsed = time.perf_counter() - t0
    result = plagdet(cases, detections)
    result["seconds_per_report"] = round(elapsed / max(1, len(docs)), 4)
    # honest prior-year reference
    by_unit: dict[str, list] = {}
    for doc, entry in zip(docs, manifest):
        by_unit.setdefault(entry["unit"] + entry["path"].split("_")[0], []).append((entry["year"], doc, entry))
    honest, bad = 0, []
    rules = select_rules(["RU5"])
    for items in by_unit.values():
        items.sort(key=lambda t: t[0])
        for (_, prev, _), (_, doc, entry) in zip(items, items[1:]):
            if entry["copies"]:
                continue
            honest += 1
            analysis = Analysis(doc)
            attach(analysis, ReferenceSet(documents=[doc, prev]))
            for f in run_rules(analysis, rules):
                if f.severity in ("high", "medium"):
                    bad.append((doc.path, f.rule, f.message))
    result["honest_reports"] = honest
    result["honest_high_or_medium_findings"] = len(bad)
    result["honest_examples"] = bad[:5]
    del by_path
    return result


STALE_KINDS = ("verbatim", "partial")


def _covered_by(label: dict, spans: list[tuple[int, int]]) -> bool:
    s, e = label["this_offset"], label["this_offset"] + label["this_length"]
    return any(max(0, min(e, fe) - max(s, fs)) >= 0.5 * max(1, min(e - s, fe - fs)) for fs, fe in spans)


def evaluate_reuse_pairs(folder: Path) -> dict:
    """Per kind of labelled paragraph: how many a high/medium finding flags (RU501; any RU5 rule)."""
    docs, manifest = read_corpus(folder)
    refs = ReferenceSet(documents=docs)
    rules = select_rules(["RU5"])
    per_kind: dict[str, dict] = {}
    ru501_findings = ru501_on_stale = 0
    honest_reports = honest_reports_flagged = ru506 = 0
    for doc, entry in zip(docs, manifest):
        labels = entry.get("reuse", [])
        if not labels:
            continue
        analysis = Analysis(doc)
        attach(analysis, refs)
        found = [f for f in run_rules(analysis, rules) if f.severity in ("high", "medium")]
        ru506 += sum(1 for f in found if f.rule == "RU506")
        ru501 = [(f.evidence[0].start, f.evidence[0].end) for f in found if f.rule == "RU501"]
        any_ru5 = [(f.evidence[0].start, f.evidence[0].end) for f in found]
        for label in labels:
            row = per_kind.setdefault(label["kind"], {"paragraphs": 0, "ru501": 0, "any_ru5": 0})
            row["paragraphs"] += 1
            row["ru501"] += _covered_by(label, ru501)
            row["any_ru5"] += _covered_by(label, any_ru5)
        stale = [lab for lab in labels if lab["stale"]]
        for span in ru501:
            ru501_findings += 1
            ru501_on_stale += any(_covered_by(lab, [span]) for lab in stale)
        if not stale:  # every reused paragraph honestly updated (or template): nothing may be high/medium
            honest_reports += 1
            honest_reports_flagged += bool(found)
    for kind, row in per_kind.items():
        for rule in ("ru501", "any_ru5"):
            share = round(row[rule] / row["paragraphs"], 4) if row["paragraphs"] else None
            row[f"{rule}_{'recall' if kind in STALE_KINDS else 'flagged_rate'}"] = share
    return {"per_kind": dict(sorted(per_kind.items())),
            "ru506_findings_no_cross_unit_copies_exist": ru506,
            "ru501_high_or_medium_findings": ru501_findings,
            "ru501_precision": round(ru501_on_stale / ru501_findings, 4) if ru501_findings else None,
            "reports_with_only_honest_reuse": honest_reports,
            "of_which_with_high_or_medium_ru5": honest_reports_flagged}


def evaluate_cross_unit(folder: Path, n_units: int) -> dict:
    """RU506 on renamed copies: every report of ``folder`` (one year, different units, no copies) made
    again from the first report with its unit's name and place put in. Measured: the copies found in a
    two-report batch and in the batch of all of them, and RU506 findings in the honest batch."""
    from auditor.batch import audit

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    first = manifest[0]
    text = (folder / first["path"]).read_text(encoding="utf-8")
    copies = folder / "renamed"
    copies.mkdir()
    paths = []
    for i, entry in enumerate(manifest[:n_units]):
        path = copies / f"copy{i:03d}.txt"
        path.write_text(text.replace(first["unit"], entry["unit"]).replace(first["county"], entry["county"]),
                        encoding="utf-8")
        paths.append(path)

    def flagged(batch) -> int:
        return sum(1 for r in batch.reports if any(f.rule == "RU506" for f in r.findings))

    honest = audit(sorted(folder.glob("u*.txt")), jobs=1, engine="inline")
    return {"two_report_batch_flagged": flagged(audit(paths[:2], jobs=1, engine="inline")),
            "renamed_batch": len(paths),
            "renamed_batch_flagged": flagged(audit(paths, jobs=1, engine="inline")),
            "honest_batch_reports": len(honest.reports),
            "honest_batch_ru506": flagged(honest)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--years", type=int, nargs="+", default=[2022, 2023, 2024])
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--copy-rate", type=float, default=0.4)
    args = parser.parse_args(argv)
    from corpora.generate import generate_corpus

    with tempfile.TemporaryDirectory() as tmp:
        generate_corpus(Path(tmp), n_units=args.units, years=args.years, seed=args.seed,
                        copy_rate=args.copy_rate, inject_errors=True)
        result = evaluate(Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        generate_corpus(Path(tmp), n_units=args.units, years=args.years, seed=args.seed,
                        inject_errors=True, reuse_pairs=True)
        result["reuse_pairs"] = evaluate_reuse_pairs(Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        generate_corpus(Path(tmp), n_units=args.units, years=[max(args.years)], seed=args.seed, inject_errors=True)
        result["cross_unit"] = evaluate_cross_unit(Path(tmp), args.units)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
