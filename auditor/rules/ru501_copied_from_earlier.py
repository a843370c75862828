from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.findings import Evidence, Finding
from auditor.reuse.references import copied_passages, same_unit
from auditor.rules.registry import Rule, rule

MIN_COPIED_CHARS = 30
MIN_REUSED_SIMILARITY = 0.6  # below this, a reused paragraph is rewritten, not reused wording
MIN_OTHER_UNITS = 2  # shared with this many other units: template text (RU505), not listed here


@rule("RU501", "copied-from-earlier-report", "high", uses_references=True)
def copied_from_earlier_report(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文段落沿用往年报告且年度数据未更新（与往年相同的数字、往年的年份或“2023年，……”表述），疑为照抄。

    What: needs references (the same unit's reports of earlier years in the batch, ``--reference`` files,
    or an index built with ``auditor index build``). The report's paragraphs are aligned with each
    candidate (character n-gram seeds, boundaries refined with rapidfuzz). A copied passage is reported
    by what was *not updated*: figures stated exactly as in the earlier report, years of the earlier
    period kept from it, an opening framed in an earlier year. Every aligned paragraph also gets a
    stale-passage score from the fitted model (auditor/reuse/stale_passage.joblib, shipped in the
    package; a documented fallback with a printed warning when it cannot be used), trained on honest
    updates, partial updates, verbatim copies and template text. A paragraph is stale when the score is
    at least 0.5 and something was left un-updated; consecutive stale paragraphs become one finding,
    with the passage on both sides (the reference's evidence sets ``source``), the un-updated figures
    and years as evidence, and a side-by-side alignment.
    Why: most departments write each year's report from last year's file, so reused wording is normal;
    year-specific content that was not updated (last year's counts, its "2023年，…" framing) states last
    year's results as this year's.
    Example: the 2024 report's 履职产出效益 paragraph keeps "举办讲座209场" and "2023年，" from the 2023 report.
    Tolerance: reused wording whose figures and years were all updated is listed once per earlier report
    at ``info`` ("沿用往年文字，数据已更新"); reused text without figures or years, and template text shared
    with other units (RU505), is not reported here; targets (不少于, ≥) are not compared; passages shorter
    than 30 characters are ignored; only the same unit's earlier reports are sources (another unit's
    report: RU506; a report without a unit name is compared with every candidate).
    Severity: high when the score is at least 0.8, the passage has 60 characters or more and a figure was
    left unchanged; medium otherwise; info for reuse with updated data.
    """
    doc = analysis.doc
    updated: dict[str, list] = {}
    for passage in copied_passages(analysis):
        length = passage.this_end - passage.this_start
        if length < MIN_COPIED_CHARS:
            continue
        other_unit = passage.source_doc.meta.unit
        if doc.meta.unit and other_unit and not same_unit(doc.meta.unit, other_unit):
            continue  # another unit's report: copying between units is RU506's, shared template RU505's
        if not passage.stale:
            units = passage.features.get("pair_units", [0] * len(passage.pairs))
            for pair, facts, shared in zip(passage.pairs, passage.features.get("facts", []), units):
                if (facts.updated and not pair.this.is_heading and shared < MIN_OTHER_UNITS
                        and pair.ratio >= MIN_REUSED_SIMILARITY and pair.this_end - pair.this_start >= MIN_COPIED_CHARS):
                    updated.setdefault(passage.source_path, []).append((pair, passage.source_doc))
            continue
        yield _stale_finding(this, doc, passage, length)
    for pairs in updated.values():
        yield _updated_finding(this, doc, pairs)


def _stale_finding(this, doc, passage, length: int) -> Finding:
    source = passage.source_doc
    facts = passage.features.get("facts", [])
    unchanged = [span for f in facts for span in f.unchanged]
    kept_years = [span for f in facts for span in f.kept_years]
    frames = [f.old_frame for f in facts if f.old_frame]
    figures = sum(f.figures for f in facts)
    severity = "high" if passage.score >= 0.8 and length >= 60 and unchanged else "medium"
    ratio = sum(p.ratio * (p.this_end - p.this_start) for p in passage.pairs) / max(1, length)
    src_year = f"{source.meta.year}年度" if source.meta.year else ""
    src_unit = source.meta.unit or ""
    left = []
    if unchanged:
        texts = "、".join(dict.fromkeys(doc.text[s:e] for s, e in unchanged))
        left.append(f"{len(unchanged)}个数字与往年报告完全相同（{texts}）" if len(unchanged) < figures or not figures
                    else f"全部{len(unchanged)}个数字与往年报告完全相同（{texts}）")
    years = [doc.text[s:e] for s, e in kept_years if not any(fs <= s < fe for fs, fe in frames)]
    if frames:
        left.append(f"仍以“{doc.text[frames[0][0]:frames[0][1]]}”开头叙述")
    if years:
        left.append(f"仍写“{'、'.join(dict.fromkeys(years))}”")
    what = "，".join(left) or "年度内容未更新"
    message = (f"该段（{length}字）沿用{src_year}{src_unit}报告《{source.path.rsplit('/', 1)[-1]}》"
               f"（相似度{ratio:.0%}），且年度数据未更新：{what}，疑为照抄往年内容（照抄评分{passage.score:.2f}）")
    message_en = (f"{length} characters reuse the earlier report {source.path} ({ratio:.0%} similar) without updating "
                  f"its year-specific content: {len(unchanged)} figures unchanged, {len(kept_years)} earlier years kept "
                  f"(stale score {passage.score:.2f})")
    # the passage, what was not updated in it, then the earlier report's passage (``source`` set)
    evidence = [Evidence.of(doc, passage.this_start, passage.this_end)]
    evidence += [Evidence.of(doc, s, e) for s, e in unchanged + kept_years]
    evidence.append(Evidence.of(source, passage.source_start, passage.source_end, source=source.path))
    return this.finding(
        severity=severity, confidence=round(passage.score, 3), message=message, message_en=message_en,
        evidence=evidence,
        values={"source": source.path, "source_year": source.meta.year, "similarity": round(ratio, 3),
                "stale_score": round(passage.score, 3), "characters": length,
                "figures": figures, "unchanged_figures": len(unchanged), "kept_years": len(kept_years),
                "old_frame": bool(frames)},
        alignment=passage.alignment(doc, source))


def _updated_finding(this, doc, pairs: list) -> Finding:
    """One info finding per earlier report: paragraphs that keep its wording with updated figures and years."""
    source = pairs[0][1]
    total = sum(p.this.end - p.this.start for p, _ in pairs)
    src_year = f"{source.meta.year}年度" if source.meta.year else "往年"
    message = (f"沿用往年文字，数据已更新：{len(pairs)}段（共{total}字）沿用{src_year}报告"
               f"《{source.path.rsplit('/', 1)[-1]}》的表述，其中的数字和年份均已更新，不计为照抄")
    evidence = []
    for p, _ in pairs:  # whole paragraphs: the updated year often sits just outside the aligned span
        evidence += [Evidence.of(doc, p.this.start, p.this.end),
                     Evidence.of(source, p.source.start, p.source.end, source=source.path)]
    from auditor.reuse.align import AlignedPassage

    alignment = AlignedPassage(source.path, [p for p, _ in pairs]).alignment(doc, source)
    return this.finding(
        severity="info", confidence=0.6, message=message,
        message_en=f"{len(pairs)} paragraphs ({total} chars) reuse the wording of {source.path} with updated figures",
        evidence=evidence,
        values={"source": source.path, "source_year": source.meta.year, "paragraphs": len(pairs),
                "characters": total, "updated": True},
        alignment=alignment)
