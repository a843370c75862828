"""Targets and actuals written in the narrative, and claims that every target was met.

- :class:`NarrativeTarget`: "…培训人次目标值不少于240人次，实际完成215人次" — an indicator's
  target and its actual in one sentence, with the indicator's name from the words before the target.
- :func:`completion_claims`: sentences that say the targets were all met ("已按照计划完成目标",
  "全面完成年度绩效目标", "各项指标均已完成"), not negated or hedged ("基本完成", "未完成").

The extractor only finds the structure; TG305 judges whether an actual misses its target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from auditor.document import Document, Paragraph
from auditor.extract.numbers import MentionsIn, NumberMention, load_lexicon
from auditor.extract.views import clean as _clean
from auditor.extract.views import holding, reading_view

@lru_cache(maxsize=1)
def _cap_words() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, load_lexicon("cap_indicator_words.txt"))))


def is_cap_indicator(name: str) -> bool:
    """Whether an indicator named ``name`` has a ceiling for its plain target ("成本", "投诉", "调整率" …,
    auditor/data/cap_indicator_words.txt): an actual above the target misses it."""
    return _cap_words().search(name) is not None


@lru_cache(maxsize=1)
def _no_reason() -> re.Pattern[str]:
    words = "|".join(map(re.escape, load_lexicon("no_reason_words.txt")))
    return re.compile(rf"^({words}|[/／]|[—\-－]+)?$")


def gives_no_reason(cell_text: str) -> bool:
    """Whether a reason cell (偏差原因, 未完成原因), whitespace removed, states no reason: empty, "无",
    "不适用", a dash or a slash (auditor/data/no_reason_words.txt)."""
    return _no_reason().match(cell_text) is not None


_TARGET_CUE = re.compile(r"(年初指标值|年度指标值|年度目标值|指标值|目标值|预期目标值?|计划数|计划值)"
                         r"(为|是|：|:)?\s*$")
_ANY_TARGET = re.compile(r"指标值|目标值|计划数|计划值|预期目标")
_ACTUAL_CUE = re.compile(r"(实际完成值|实际完成|完成值|实际值|实际达到|实际为)(为|是|：|:|达到)?\s*$")
_SENTENCE_END = re.compile(r"[。；;！？!?\n]")
_LABEL_CUT = re.compile(r"[，,。；;：:！？!?\n]|第[一二三四五六七八九十]+")
_CUE_REACH = 14
# "已按照计划完成目标", "全面完成年度绩效目标", "各项指标均已完成", "圆满完成全年各项任务"
_CLAIM = re.compile(r"(已按照?计划完成(了)?(绩效)?目标|(全面|圆满|全部|均已|已全部|顺利)完成(了)?(年度|全年|各项|预期|既定)?"
                    r"(绩效)?(目标|任务|指标)|各项(绩效)?(目标|指标)(均已|全部|均)(完成|实现|达到)|"
                    r"(绩效)?目标(均已|全部|均)(完成|实现|达成))")
# one of these is in every match of _CLAIM: 计划完成; 全面/圆满/全部/均已/顺利 + 完成 (已全部完成 holds
# 全部完成); (目标|指标) + (均已|全部|均) holds 标均 or 标全部
_CLAIM_WORDS = ("计划完成", "全面完成", "圆满完成", "全部完成", "均已完成", "顺利完成", "标均", "标全部")
_HEDGE = re.compile(r"(基本|大部分|部分|未|没有|尚未|未能|未全部)")


@dataclass(slots=True)
class NarrativeTarget:
    label: str
    target: NumberMention
    actual: NumberMention


def find_narrative_targets(doc: Document, paragraphs: list[Paragraph], mentions_in: MentionsIn) -> list[NarrativeTarget]:
    text = reading_view(doc.text)
    out: list[NarrativeTarget] = []
    for para in paragraphs:
        if not _ANY_TARGET.search(text, para.start, para.end):
            continue
        mentions = mentions_in(para.start, para.end)
        for i, target in enumerate(mentions):
            lead = text[max(para.start, target.start - _CUE_REACH):target.number_start]
            cue = _TARGET_CUE.search(_strip_qualifier(lead))
            if cue is None:
                continue
            actual = _actual_after(text, mentions, i)
            if actual is None:
                continue
            before = text[para.start:target.number_start - len(lead) + cue.start()]
            label = _clean(_LABEL_CUT.split(before)[-1]).strip("、 ")
            out.append(NarrativeTarget(label=label, target=target, actual=actual))
    return out


def _strip_qualifier(lead: str) -> str:
    return re.sub(r"(不低于|不少于|不高于|不超过|大于等于|小于等于|达到|≥|≤|>=|<=|＞|＜|>|<)\s*$", "", lead)


def _actual_after(text: str, mentions: list[NumberMention], i: int) -> NumberMention | None:
    target = mentions[i]
    for nxt in mentions[i + 1:i + 3]:
        between = text[target.end:nxt.start]
        if _SENTENCE_END.search(between):
            return None
        if _ACTUAL_CUE.search(text[max(target.end, nxt.start - _CUE_REACH):nxt.number_start]):
            return nxt
    return None


def completion_claims(doc: Document, paragraphs: list[Paragraph]) -> list[tuple[int, int]]:
    """Spans of "all targets met" claims in the given paragraphs."""
    text = reading_view(doc.text)
    out = []
    for para in holding(text, _CLAIM_WORDS, paragraphs):
        for m in _CLAIM.finditer(text, para.start, para.end):
            if not _HEDGE.search(text[max(para.start, m.start() - 4):m.start()]):
                out.append((m.start(), m.end()))
    return out
