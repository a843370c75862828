from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.findings import Evidence, Finding
from auditor.reuse.references import copied_passages, same_unit
from auditor.rules.registry import Rule, rule

MIN_COPIED_CHARS = 30
MIN_REUSED_SIMILARITY = 0.6  # below this, a reused paragraph is rewritten, not reused wording
MIN_OTHER_UNITS = 2  # shared with this many other units: template text (RU505), not listed here


@rule("RU501", "copied-from-earlier-report", "high", requires=("references", "table_confirmed"),
      uses_references=True)
def copied_from_earlier_report(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """正文段落沿用往年报告且年度数据未更新（与往年相同的数字、往年的年份或“2023年，……”表述），疑为照抄。

    检查内容：需要参考报告（批次中同一单位往年的报告、``--reference`` 指定的文件，或 ``auditor index build``
    建立的索引）。报告的段落与每个候选报告对齐（字符 n-gram 定位，再用 rapidfuzz 精修边界）。照抄的段落按
    “未更新的内容”报告：与往年报告完全相同的数字、沿用的往年年份、以往年开头的表述。每个对齐的段落还由训练好的
    模型（auditor/reuse/stale_passage.npz，由 stale_passage.joblib 编译而来，随包提供；无法使用时改用有文档说明的后备规则并打印警告）给出一个
    “陈旧段落”分数，模型用如实更新、部分更新、原文照抄和模板文字训练。分数至少 0.5 且有内容未更新的段落视为
    陈旧；相邻的陈旧段落合为一条发现，附两边的段落（参考报告一侧的证据带 ``source``）、未更新的数字和年份作为
    证据，以及并排比对。
    为何重要：多数部门照着上一年的文件写本年报告，沿用措辞很正常；但年度性的内容没有更新（上一年的次数、
    “2023年，…”的开头），就是把去年的成绩当作今年的来报。
    示例：2024年报告的履职产出效益段落保留了2023年报告中的“举办讲座209场”和“2023年，”。
    容差：沿用措辞但数字和年份都已更新的，每份往年报告列一条“提示”（“沿用往年文字，数据已更新”）；不含数字或
    年份的沿用文字，以及与其他单位共用的模板文字（RU505），不在此报告；指标值（不少于、≥）不比较；少于30字的
    段落不计；只以同一单位的往年报告为来源（其他单位的报告见 RU506；未识别单位名称的报告与每个候选比较）。
    级别：分数至少 0.8、段落在60字及以上且有数字未更新的为“高”；其余为“中”；未更新的只是数字、且每个都由本报告
    自评表的本年实际完成值再次写明（同一指标、同一数值：可能确与上年持平）的为“低”；数据已更新的沿用为“提示”。
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
        yield _stale_finding(this, doc, passage, length, _confirmed_by_own_table(analysis, passage))
    for pairs in updated.values():
        yield _updated_finding(this, doc, pairs)


def _stale_finding(this, doc, passage, length: int, confirmed: bool) -> Finding:
    source = passage.source_doc
    facts = passage.features.get("facts", [])
    unchanged = [span for f in facts for span in f.unchanged]
    kept_years = [span for f in facts for span in f.kept_years]
    frames = [f.old_frame for f in facts if f.old_frame]
    figures = sum(f.figures for f in facts)
    severity = "high" if passage.score >= 0.8 and length >= 60 and unchanged else "medium"
    if confirmed and not kept_years and not frames:
        severity = "low"  # the report's own indicator table states the same figures for this year
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
    if severity == "low":
        message += "；但本报告自评表的本年实际完成值与这些数字相同，可能确与上年持平，请核对"
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


def _confirmed_by_own_table(analysis: Analysis, passage) -> bool:
    """Whether every figure the passage kept from the earlier report is stated again, for this year, by
    the report's own table (an actual of an indicator naming the same thing, with the same value):
    equal to last year's, but confirmed as this year's."""
    spans = [span for f in passage.features.get("facts", []) for span in f.unchanged]
    if not spans:
        return False
    confirmed = analysis.table_confirmed
    return all(start in confirmed for start, _end in spans)


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
