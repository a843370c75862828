"""Error injection: break copies of real reports in known ways and measure what the checks catch.

For each report, injection sites are found from its own structure (the extractors' records, never
from knowing the document): narrative totals with their parts, budget lines with an execution rate,
score totals, indicator rows that met their target with full marks, and narrative figures that a
table restates. Each site yields one broken copy and one consistent copy:

- sum: one part of a consistent "其中" list changed      | consistent: the part and the total by the same amount
- rate: a stated execution rate changed by 5+ points     | consistent: executed amount and rate changed together
- score_total: a stated 总分 changed by 2 points          | consistent: one row's score and the total, together
- target: an actual set below its target, full marks kept | consistent: the actual raised further above the target
- figure: a narrative figure that a table restates changed | consistent: a neutral sentence with a new figure

A broken copy counts as detected when a finding that the original did not have cites a span
overlapping the edit. A consistent copy raises a false alarm when it gains any high or medium finding.

    python benchmarks/eval_injection.py [PATH ...]      # default: the seeds and corpora/sample
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from auditor.analysis import Analysis
from auditor.document import Document
from auditor.engine import check_document, expand_paths, read_document
from auditor.extract.numbers import NumberMention
from auditor.extract.tables import cell_number
from auditor.readers.text import build_document

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Edit:
    kind: str
    broken: bool
    replacements: tuple[tuple[int, int, str], ...]  # (start, end, new text) in the original text

    def apply(self, text: str) -> tuple[str, list[tuple[int, int]]]:
        """The edited text and the edited spans in it."""
        out, spans, shift = text, [], 0
        for start, end, new in sorted(self.replacements):
            out = out[: start + shift] + new + out[end + shift:]
            spans.append((start + shift, start + shift + len(new)))
            shift += len(new) - (end - start)
        return out, spans


def _number_text(m: NumberMention, value: Decimal) -> str:
    """``value`` written like the mention's number (same decimals), keeping its unit and qualifier."""
    decimals = max(m.decimals, 0)
    new = f"{value:.{decimals}f}"
    core = m.text[m.number_start - m.start: m.number_end - m.start]
    digits_end = len(core.rstrip("万亿"))
    return m.text[: m.number_start - m.start] + new + core[digits_end:] + m.text[m.number_end - m.start:]


def _replace(m: NumberMention, value: Decimal) -> tuple[int, int, str]:
    return (m.start, m.end, _number_text(m, value))


def _replace_decimals(m: NumberMention, value: Decimal, decimals: int) -> tuple[int, int, str]:
    text = f"{value.quantize(Decimal(10) ** -decimals):.{decimals}f}"
    core = m.text[m.number_start - m.start: m.number_end - m.start]
    return (m.number_start, m.number_start + len(core), text)


def _restated(a: Analysis, m: NumberMention) -> bool:
    """Whether the same figure is written elsewhere (a consistent edit would have to change it too)."""
    return any(o.start != m.start and o.value == m.value and o.unit == m.unit for o in a.numbers)


def _flagged(flagged: list[tuple[int, int]], *mentions: NumberMention) -> bool:
    return any(s < m.end and m.start < e for m in mentions for s, e in flagged)


def _sum_edits(a: Analysis, flagged: list[tuple[int, int]]) -> list[Edit]:
    edits = []
    for g in a.sum_groups:
        if len(g.parts) < 2 or g.total.unit in ("", "%") or g.total.scale != 1:
            continue
        if _flagged(flagged, g.total, *g.parts):
            continue  # already inconsistent: an edit could as well repair it
        part = max(g.parts, key=lambda p: p.value)
        step = max(g.total.value * Decimal("0.1"), Decimal(3))
        shortfall = max(g.total.value - sum((p.value for p in g.parts), Decimal(0)), Decimal(0))
        # a "其中" list may name only some items: only parts that exceed the total are an error for sure
        delta = (step + (0 if g.exhaustive else shortfall)).quantize(Decimal(1))
        edits.append(Edit("sum", True, (_replace(part, part.value + delta),)))
        # consistent only if nothing else restates, contains or derives from these figures
        paragraph_end = a.doc.text.find("\n", g.total.end)
        rates_after = any(m.unit == "%" for m in a.numbers_in(g.total.end, paragraph_end if paragraph_end > 0 else len(a.doc.text)))
        nested = any(o is not g and (o.total.start in (part.start, g.total.start)
                                     or any(p.start in (part.start, g.total.start) for p in o.parts))
                     for o in a.sum_groups)
        if not (rates_after or nested or _flagged(flagged, g.total, *g.parts)
                or _restated(a, part) or _restated(a, g.total)):
            edits.append(Edit("sum", False, (_replace(part, part.value + delta),
                                             _replace(g.total, g.total.value + delta))))
    return edits


def _rate_edits(a: Analysis, flagged: list[tuple[int, int]]) -> list[Edit]:
    doc, edits = a.doc, []
    for form in a.forms:
        for block in form.budgets:
            for line in block.lines:
                rate = cell_number(doc, line.cells.get("rate"))
                executed = cell_number(doc, line.cells.get("executed"))
                full = cell_number(doc, line.cells.get("budget_full"))
                if None in (rate, executed, full) or full.value == 0 or rate.value < 20 or _flagged(flagged, rate):
                    continue
                edits.append(Edit("rate", True, (_replace(rate, rate.value - 8),)))
                if rate.decimals >= 1 and not _flagged(flagged, rate, executed, full):
                    # the same rate, correctly rounded to one decimal fewer
                    exact = executed.value / full.value * 100
                    edits.append(Edit("rate", False, (_replace_decimals(rate, exact, rate.decimals - 1),)))
    return edits


def _score_edits(a: Analysis, flagged: list[tuple[int, int]]) -> list[Edit]:
    doc, edits = a.doc, []
    for form in a.forms:
        scored = [r for b in form.indicators for r in b.rows if cell_number(doc, r.cells.get("score")) is not None
                  and "coefficient" not in r.cells]
        totals = [cell_number(doc, t.figures[-1]) for b in form.indicators for t in b.totals if t.figures]
        totals += [cell_number(doc, value) for _label, value in form.self_totals]
        if not scored or not totals or _flagged(flagged, *totals):
            continue
        edits.append(Edit("score_total", True, (_replace(totals[0], totals[0].value + 2),)))
        score = cell_number(doc, scored[0].cells["score"])
        if score.value >= 1 and not _flagged(flagged, score, *totals):
            # one deduction more, carried into every stated total (and a reason for it)
            edits.append(Edit("score_total", False, (_replace(score, score.value - 1),
                                                     *(_replace(t, t.value - 1) for t in totals))))
    return edits


def _target_edits(a: Analysis, flagged: list[tuple[int, int]]) -> list[Edit]:
    doc, edits = a.doc, []
    for form in a.forms:
        for block in form.indicators:
            for row in block.rows:
                target, actual = (cell_number(doc, row.cells.get(k)) for k in ("target", "actual"))
                weight, score = (cell_number(doc, row.cells.get(k)) for k in ("weight", "score"))
                if None in (target, actual, weight, score) or score.value != weight.value:
                    continue
                if target.qualifier not in ("at_least", "none") or actual.qualifier != "none" or target.unit in ("", "万元"):
                    continue
                if (target.value < 4 or actual.value < target.value or target.unit != actual.unit
                        or _flagged(flagged, actual, score)):
                    continue
                low = (target.value * Decimal("0.7")).quantize(Decimal(10) ** -max(actual.decimals, 0))
                edits.append(Edit("target", True, (_replace(actual, low),)))
                high = (actual.value + max(target.value * Decimal("0.1"), 1)).quantize(Decimal(10) ** -max(actual.decimals, 0))
                if (target.unit != "%" or high <= 100) and not _restated(a, actual) and not _flagged(flagged, actual):
                    edits.append(Edit("target", False, (_replace(actual, high),)))
    return edits


def _figure_edits(a: Analysis, baseline: set) -> list[Edit]:
    """A narrative figure a table restates (found by the cross-check's own statements)."""
    from auditor.extract.indicators import comparable, consistent, subject_match

    doc = a.doc
    sts = a.indicator_statements
    narrative = [s for s in sts if s.where == "narrative" and not s.parts and s.stale is None]
    # a project's form may count a part of the department's figure: compare within one scope only
    table = [s for s in sts if s.where == "table" and not s.parts and not s.scope.startswith("project:")]
    edits, used = [], set()
    for n in narrative:
        for t in table:
            if (n.mention.start in used or not comparable(n, t) or not consistent(n, t)
                    or subject_match(n.subject, t.subject) < 0.95 or n.mention.qualifier != "none"):
                continue
            used.add(n.mention.start)
            m = n.mention
            edits.append(Edit("figure", True, (_replace(m, m.value + max(m.value // 5, 2)),)))
            line_end = doc.text.find("\n", m.end)
            insert_at = line_end if line_end >= 0 else len(doc.text)
            edits.append(Edit("figure", False, ((insert_at, insert_at, "另开展走访慰问活动3次。"),)))
            break
    return edits


def _signature(findings) -> Counter:
    return Counter((f.rule, f.message) for f in findings)


def evaluate_document(doc: Document) -> list[dict]:
    base = check_document(doc)
    base_sig = _signature(base)
    a = Analysis(doc)
    flagged = [(e.start, e.end) for f in base for e in f.evidence]
    edits = (_sum_edits(a, flagged) + _rate_edits(a, flagged) + _score_edits(a, flagged)
             + _target_edits(a, flagged) + _figure_edits(a, set(base_sig)))
    results = []
    for edit in edits:
        text, spans = edit.apply(doc.text)
        edited = build_document(text, doc.path, doc.format)
        new = [f for f in check_document(edited) if _signature([f]) - base_sig]
        touching = [f for f in new if any(e.start < s_end and s_start < e.end
                                          for e in f.evidence for s_start, s_end in spans)]
        alarms = [f for f in new if f.severity in ("high", "medium")]
        results.append({"path": doc.path, "kind": edit.kind, "broken": edit.broken,
                        "detected": bool(touching) if edit.broken else None,
                        "rules": sorted({f.rule for f in (touching if edit.broken else alarms)}),
                        "false_alarm": bool(alarms) if not edit.broken else None,
                        "edit": [text[s:e] for s, e in spans]})
    return results


def evaluate(paths: list[Path]) -> dict:
    rows = []
    for path in expand_paths(paths):
        rows.extend(evaluate_document(read_document(path)))
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: Counter())
    for r in rows:
        k = by_kind[r["kind"]]
        if r["broken"]:
            k["injected"] += 1
            k["detected"] += r["detected"]
        else:
            k["consistent"] += 1
            k["false_alarms"] += r["false_alarm"]
    injected = sum(k["injected"] for k in by_kind.values())
    detected = sum(k["detected"] for k in by_kind.values())
    consistent = sum(k["consistent"] for k in by_kind.values())
    alarms = sum(k["false_alarms"] for k in by_kind.values())
    return {"injected": injected, "detected": detected, "detection_rate": detected / injected if injected else None,
            "consistent": consistent, "false_alarms": alarms, "by_kind": {k: dict(v) for k, v in by_kind.items()},
            "misses": [r for r in rows if r["broken"] and not r["detected"]],
            "alarms": [r for r in rows if not r["broken"] and r["false_alarm"]]}


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or [ROOT.parent / "shared" / "seeds", ROOT / "corpora" / "sample"]
    summary = evaluate(paths)
    print(f"injected {summary['injected']}, detected {summary['detected']} "
          f"({summary['detection_rate']:.1%}); consistent edits {summary['consistent']}, "
          f"with a new high/medium finding {summary['false_alarms']}")
    for kind, counts in sorted(summary["by_kind"].items()):
        print(f"  {kind:<12} {json.dumps(counts, ensure_ascii=False)}")
    for label in ("misses", "alarms"):
        for r in summary[label][:20]:
            print(f"  {label[:-2]}: {r['kind']} {Path(r['path']).name} {r['edit']} {r['rules']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
