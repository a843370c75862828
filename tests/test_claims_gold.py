"""The claims extractor scored against the hand-annotated gold set (tests/gold, see its README).

Prints precision, recall and F1 on value+unit, and the share of gold claims whose full tuple
(value, unit, qualifier) is right. The floors are set at what the extractor reaches, so a change
that makes extraction worse fails here.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from auditor.analysis import Analysis
from auditor.engine import read_document
from conftest import seed_path

GOLD = Path(__file__).resolve().parent / "gold"
FLOOR_F1 = 0.98
FLOOR_TUPLE = 0.98


def _score(prefix: str) -> dict:
    gold = [json.loads(line) for line in (GOLD / f"claims_{prefix}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    claims = [c.to_dict() for c in Analysis(read_document(seed_path(prefix))).claims]
    used: set[int] = set()
    value_unit = tuple_ok = 0
    misses, wrong = [], []
    for g in gold:
        match = next((i for i, c in enumerate(claims) if i not in used
                      and c["start"] < g["end"] and g["start"] < c["end"]), None)
        if match is None:
            misses.append(g["text"])
            continue
        used.add(match)
        c = claims[match]
        if Decimal(str(c["value"])) == Decimal(g["value"]) and c["unit"] == g["unit"]:
            value_unit += 1
            if c["qualifier"] == g["qualifier"]:
                tuple_ok += 1
            else:
                wrong.append((g["text"], "qualifier", c["qualifier"], g["qualifier"]))
        else:
            wrong.append((g["text"], "value/unit", (c["value"], c["unit"]), (g["value"], g["unit"])))
    extra = [c["text"] for i, c in enumerate(claims) if i not in used]
    precision = value_unit / len(claims) if claims else 0.0
    recall = value_unit / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"gold": len(gold), "predicted": len(claims), "precision": precision, "recall": recall, "f1": f1,
            "tuple": tuple_ok / len(gold), "misses": misses, "wrong": wrong, "extra": extra}


@pytest.mark.parametrize("prefix", ["001", "002"])
def test_claims_against_gold(prefix: str, seeds_dir) -> None:
    s = _score(prefix)
    print(f"\nseed {prefix}: gold {s['gold']} predicted {s['predicted']} precision {s['precision']:.3f} "
          f"recall {s['recall']:.3f} F1 {s['f1']:.3f} tuple {s['tuple']:.3f}")
    for label in ("misses", "wrong", "extra"):
        if s[label]:
            print(f"  {label}: {s[label][:30]}")
    assert s["f1"] >= FLOOR_F1
    assert s["tuple"] >= FLOOR_TUPLE


def test_claims_on_generated_reports_of_other_departments() -> None:
    """Every figure the generator wrote (education, health, water … reports, labelled by the
    generator, not by the extractor) is extracted with its value."""
    root = Path(__file__).resolve().parents[1] / "corpora" / "sample"
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    total = found = 0
    missed = []
    for entry in manifest:
        doc = read_document(root / Path(entry["path"]).name)
        claims = [c.to_dict() for c in Analysis(doc).claims]
        for fig in entry["figures"]:
            total += 1
            start, end = fig["offset"], fig["offset"] + fig["length"]
            claim = next((c for c in claims if c["start"] < end and start < c["end"]), None)
            if claim is not None and Decimal(str(claim["value"])) == Decimal(fig["value"]):
                found += 1
            else:
                missed.append(fig["text"])
    print(f"\ngenerated reports: {found}/{total} labelled figures extracted with their value; missed {missed[:20]}")
    assert found / total >= 0.995
