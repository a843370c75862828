from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.findings import Evidence, Finding
from auditor.reuse.align import AlignedPassage
from auditor.reuse.crossunit import MIN_MASKED_RATIO, MIN_SHARED_FIGURES, unit_copies
from auditor.rules.registry import Rule, rule

HIGH_SHARE = 0.5


@rule("RU506", "copied-from-other-unit", "medium", requires=("references",), uses_references=True)
def copied_from_other_unit(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """报告正文与其他单位同年度或往年报告的年度内容（连同数字）相同，疑为套用其他单位报告。

    检查内容：需要参考报告（批次、``--reference`` 指定的文件，或 ``auditor index build`` 建立的索引）。索引给出与
    本报告最接近的其他单位报告（任何年度；从不包括同一单位，见 RU501）。逐段对齐；遮蔽两个单位的名称和地名后，
    几乎相同（相似度 ≥ 0.85）“并且”大部分数字（60 %）完全相同的段落算作照抄。至少有2个这样的段落、共含3个相同
    数字时，生成一条发现，指明其他单位的报告（最接近的一份，并说明另有几份相符），附两边的段落作为证据，以及相同
    的数字、出现在讲本单位自身工作的句子里的其他单位地名或名称（“我局……宁山县……”）和并排比对。一对报告两边各
    得一条发现。
    为何重要：把其他单位的报告换掉名称做成的报告，把那个单位的活动次数和金额当作本单位的成绩来报。
    示例：阳城县水利局的报告重复了宁山县水利局的履职段落，只把“宁山县”换掉，连“开展河道巡查126次”也在内。
    容差：许多单位各填自己数字的共用模板文字归 RU505（其中少数相同的数字，如科室数或某个比率，属于巧合：不报告）；
    文字完全相同的报告由批次归为重复件，不在此报告；未识别单位名称的报告不比较。
    级别：“中”；照抄段落占报告正文一半及以上，或其他单位的名称出现在讲本单位自身工作的句子里，为“高”。
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
