from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.findings import Evidence, Finding
from auditor.reuse.align import AlignedPassage
from auditor.reuse.crossunit import MIN_MASKED_RATIO, MIN_SHARED_FIGURES, unit_copies
from auditor.rules.registry import Rule, rule

HIGH_SHARE = 0.5


@rule("RU506", "copied-from-other-unit", "medium", uses_references=True)
def copied_from_other_unit(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """报告正文与其他单位同年度或往年报告的年度内容（连同数字）相同，疑为套用其他单位报告。

    What: needs references (the batch, ``--reference`` files, or an index built with ``auditor index
    build``). The indexes name the other units' reports closest to this one (any year; never the same
    unit, see RU501). Each is aligned paragraph by paragraph; with both units' names and places masked,
    a paragraph that is nearly the same (ratio ≥ 0.85) *and* states most of its figures (60 %) identically
    counts as copied. With at least 2 such paragraphs holding 3 identical figures, one finding names the other
    unit's report (the closest, with how many more match), with both sides' passages as evidence, the
    identical figures, the other unit's place or name where it stands in a sentence about this unit's
    own work ("我局……宁山县……"), and a side-by-side alignment. Both reports of a pair get a finding.
    Why: a report made from another unit's by replacing the names states that unit's activity counts and
    amounts as this unit's results.
    Example: 阳城县水利局's report repeats 宁山县水利局's 履职 paragraphs with "宁山县" replaced, "开展河道巡查
    126次" included.
    Tolerance: template text that many units share with their own figures is RU505's (a few equal figures
    in it, such as an office count or a rate, are coincidence: no finding); reports with identical text are grouped as duplicates by the batch, not reported here;
    reports without a unit name are not compared.
    Severity: medium; high when the copied paragraphs are half of the report's narrative or more, or the
    other unit's name stands in a sentence about this unit's own work.
    """
    doc = analysis.doc
    copies = unit_copies(analysis)
    if not copies:
        return
    best = copies[0]
    source = best.source
    severity = "high" if best.share >= HIGH_SHARE or best.names else "medium"
    year = doc.meta.year
    when = ("同年度" if source.meta.year == year else
            f"{source.meta.year}年度" if source.meta.year else "")
    direction = ("（对方报告年度较晚，也可能是对方沿用本报告）"
                 if year is not None and source.meta.year is not None and source.meta.year > year else "")
    figures = "、".join(dict.fromkeys(doc.text[s:e] for s, e in best.figures[:8]))
    names = f"；正文叙述本单位工作时出现对方单位名称“{doc.text[best.names[0][0]:best.names[0][1]]}”" if best.names else ""
    more = f"；另有{len(copies) - 1}个其他单位的报告也有相同内容" if len(copies) > 1 else ""
    message = (f"报告有{len(best.pairs)}段（共{best.characters}字，占正文{best.share:.0%}）与其他单位"
               f"{source.meta.unit}{when}报告《{source.path.rsplit('/', 1)[-1]}》{direction}除单位名称外基本相同，"
               f"且{len(best.figures)}个数字完全相同（{figures}）{names}{more}，疑为套用其他单位报告")
    message_en = (f"{len(best.pairs)} paragraphs ({best.characters} chars) match {source.meta.unit}'s report "
                  f"{source.path} with the names replaced, {len(best.figures)} figures identical")
    evidence = []
    for pair in best.pairs:
        evidence.append(Evidence.of(doc, pair.this.start, pair.this.end))
    evidence += [Evidence.of(doc, s, e) for s, e in best.names]
    for pair in best.pairs:
        evidence.append(Evidence.of(source, pair.source.start, pair.source.end, source=source.path))
    yield this.finding(
        severity=severity, confidence=0.9 if best.names else 0.8, message=message, message_en=message_en,
        evidence=evidence,
        values={"source": source.path, "source_unit": source.meta.unit, "source_year": source.meta.year,
                "paragraphs": len(best.pairs), "characters": best.characters, "share": round(best.share, 3),
                "identical_figures": len(best.figures), "foreign_names": len(best.names),
                "other_units_matching": len(copies) - 1, "min_masked_ratio": MIN_MASKED_RATIO,
                "min_identical_figures": MIN_SHARED_FIGURES},
        alignment=AlignedPassage(source.path, best.pairs).alignment(doc, source))
