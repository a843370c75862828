from __future__ import annotations

from collections.abc import Iterator

from auditor.findings import Evidence, Finding
from auditor.reuse.references import copied_passages
from auditor.rules.registry import rule

MIN_COPIED_CHARS = 30


@rule("RU501", "copied-from-earlier-report", "high", uses_references=True)
def copied_from_earlier_report(analysis) -> Iterator[Finding]:
    """正文段落与往年（或其他单位）报告的年度具体内容相同，疑为照抄。

    What: needs references (the same unit's reports of earlier years in the batch, ``--reference`` files,
    or an index built with ``auditor index build``). The report's paragraphs are aligned with each
    candidate (character n-gram seeds, boundaries refined with rapidfuzz); every aligned paragraph gets
    a stale-passage score from the fitted model (auditor/reuse/stale_passage.joblib, shipped in the package; a documented fallback
    when it is absent): similarity and length, the share of figures left unchanged, years older than
    the report year, the opening year frame, this-year cue words, the section, and how many other
    units share the text. Consecutive paragraphs judged stale become one finding, with the passage on
    both sides (the reference's evidence sets ``source``) and a side-by-side alignment.
    Why: a self-evaluation must report its own year. Year-specific content copied from last year
    (its activity counts, its "2023年，…" framing) states last year's results as this year's.
    Example: the 2024 report's 履职产出效益 section is last year's section word for word, with
    "举办讲座209场" unchanged.
    Tolerance: reused template text (headings, generic 存在的问题 / 改进措施 paragraphs, sentences that keep
    their wording but carry this year's figures) scores low and is not reported here (see RU505);
    passages shorter than 30 characters are ignored; only earlier years are sources.
    Severity: high when the score is at least 0.8 and the passage has 60 characters or more, else medium.
    """
    doc = analysis.doc
    this = copied_from_earlier_report.rule
    for passage in copied_passages(analysis):
        if not passage.stale or passage.this_end - passage.this_start < MIN_COPIED_CHARS:
            continue
        source = passage.source_doc
        length = passage.this_end - passage.this_start
        severity = "high" if passage.score >= 0.8 and length >= 60 else "medium"
        ratio = sum(p.ratio * (p.this_end - p.this_start) for p in passage.pairs) / max(1, length)
        src_year = f"{source.meta.year}年度" if source.meta.year else ""
        src_unit = source.meta.unit or ""
        message = (f"该段（{length}字）与{src_year}{src_unit}报告《{source.path.rsplit('/', 1)[-1]}》中的内容"
                   f"相似度{ratio:.0%}，疑为沿用往年报告的年度具体内容（照抄评分{passage.score:.2f}）")
        message_en = (f"{length} characters match the earlier report {source.path} ({ratio:.0%} similar, "
                      f"stale score {passage.score:.2f})")
        yield this.finding(
            severity=severity, confidence=round(passage.score, 3),
            message=message, message_en=message_en,
            evidence=[Evidence.of(doc, passage.this_start, passage.this_end),
                      Evidence.of(source, passage.source_start, passage.source_end, source=source.path)],
            values={"source": source.path, "source_year": source.meta.year, "similarity": round(ratio, 3),
                    "stale_score": round(passage.score, 3), "characters": length},
            alignment=passage.alignment(doc, source))
