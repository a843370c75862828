"""Stated changes: "比上年增加X万元，增长Y%", with the figures they compare.

A change statement is a figure introduced by a change verb (增加, 减少, 下降 …), optionally followed by
its rate ("增长13.36%"), and the figures it relates:

- ``previous``: the earlier figure when the text names it ("比2019年实际支出412.50万元，减少36.20万元");
- ``current``: the figure that changed — the nearest one before the comparison in the same sentence
  ("公务接待费支出2.36万元，与预算相比，减少0.44万元"), or, when the sentence opens with the change
  ("支出增加615.40万元，增长9.82%"), the nearest earlier figure of the paragraph (or the one before)
  whose label names the same subject ("支出总计3,482.16万元");
- in a sentence that opens with its comparison ("较年初预算数减少X万元，下降Y%"), the figure the sentence
  before compared ("支出3120.00万元，较上年决算数增加…。");
- both, when the sentence names the years it compares ("2024年度…较2023年度减少…，其中培训会议较上年减少
  1.25万元"): the figures named by the subject in the earlier sentences that speak of each of those years
  ("2024年度…培训会议3.27万元" / "2023年度…培训会议4.51万元").

The extractor only finds the structure; AR110 recomputes the change and the rate.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from auditor.document import SENTENCE_ENDS, Document, Paragraph, span_back
from auditor.extract.numbers import MentionsIn, NumberMention
from auditor.extract.sums import CHANGE_CUE, CHANGE_VERBS, UP_VERBS, compatible_units
from auditor.extract.views import clean as _clean
from auditor.extract.views import reading_view

_CLAUSE_ENDS = "，,；;。"
_SENTENCE_END_RE = re.compile("[" + re.escape(SENTENCE_ENDS) + "]")
_UP = UP_VERBS  # the other verbs of _VERB are decreases
_VERB = CHANGE_VERBS
_ANY_VERB = re.compile(_VERB)
_CHANGE_CUE = CHANGE_CUE  # the change figure: the verb right before it ("减少0.44万元", "增加了约12人")
# the rate right after the change figure: "，增长13.36%", "、下降15%", "，降幅为8.2%"
_RATE_CUE = re.compile(r"^[\s,，、;；]*(同比)?(" + _VERB[1:-1] + r"|增幅|降幅|减幅|涨幅)(了|为|幅度为|比例为)?\s*$")
# a comparison before the change: "比上年", "较2021年度", "与预算相比"
_COMPARED = re.compile(r"比|较|与.{0,16}相比|同比|环比")
# the words between a figure and its share ("，占支出总额的"), an aside before the figure's change
_SHARE_ASIDE = re.compile(r"[\s，,、]*占[^\d，,。；;]{0,16}?的?(?:比重|比例)?(?:为|是)?\s*")
# a sentence that opens with its comparison ("较年初预算数减少…") speaks of the figure the sentence before compared
_OPENS_WITH_COMPARISON = re.compile(r"^[\s，,]*(?:同时|另外)?[，,]?(?:比|较|与.{0,16}相比)")
_SUBJECT = re.compile(r"([\u4e00-\u9fff]{2,8}?)(总计|合计|总额|总数|共计)?$")
_REACH = 2  # paragraphs searched back for the subject's figure
_YEARS_REACH = 6  # … when each figure must also sit in a sentence of the year compared
# "收支较上年减少X" speaks of 收入总计 and 支出总计 at once (they are equal in a 决算)
_SUBJECT_EXPANSIONS = {"收支": ("收入", "支出")}


@dataclass(slots=True)
class ChangeStatement:
    change: NumberMention
    direction: int  # +1 increase, -1 decrease
    rate: NumberMention | None
    current: NumberMention | None
    previous: NumberMention | None
    subject: str
    # sentence | continued (a sentence opening with its comparison, about the figure the sentence before
    # compared) | paragraph | years (both figures found by label, each in a sentence of its year) | ""
    current_found_in: str
    # "比上年增加206.75万元，增加31.20万元": the same change stated just before with another figure
    restated: NumberMention | None = None


def find_changes(doc: Document, paragraphs: list[Paragraph], mentions_in: MentionsIn) -> list[ChangeStatement]:
    text = reading_view(doc.text)
    out: list[ChangeStatement] = []
    for k, para in enumerate(paragraphs):
        if not _ANY_VERB.search(text, para.start, para.end):
            continue
        mentions = mentions_in(para.start, para.end)
        ends = [e.end() for e in _SENTENCE_END_RE.finditer(text, para.start, para.end)]
        subject_figure: NumberMention | None = None  # the figure this paragraph's sentences compare
        for i, m in enumerate(mentions):
            if m.unit in ("", "%") or "百分点" in m.unit:
                continue
            k_end = bisect.bisect_right(ends, m.start)
            sentence_start = ends[k_end - 1] if k_end else para.start
            before = mentions[i - 1] if i and mentions[i - 1].end > sentence_start else None
            lead = text[before.end if before else sentence_start:m.start]
            cue = _CHANGE_CUE.search(lead)
            if cue is None:
                continue
            direction = 1 if cue.group(1) in _UP else -1
            rate = _rate_after(text, mentions, i)
            previous = current = restated = None
            found_in = ""
            if before is not None and before.unit == "%" and i >= 2 and mentions[i - 2].end > sentence_start \
                    and _SHARE_ASIDE.fullmatch(text[mentions[i - 2].end:before.start]):
                before = mentions[i - 2]  # "X元，占支出总预算10.73%，同比增加Y元": the share is an aside
            if before is not None and _is_change(text, mentions, i - 1, sentence_start):
                if compatible_units(before, m) and re.fullmatch(r"[\s,，、;；]*" + cue.group(0), lead) and \
                        _CHANGE_CUE.search(_lead(text, mentions, i - 1, sentence_start))[1] == cue.group(1):
                    restated = before  # nothing but the verb between the two figures
                before = None  # a change is neither of the figures compared
            if before is not None and compatible_units(before, m):
                if _COMPARED.search(text[span_back(text, before.start, _CLAUSE_ENDS, sentence_start):before.start]):
                    previous = before  # "比上年实际支出412.50万元，减少36.20万元"
                    # this year's figure: the nearest before it that is not itself a change
                    # ("决算数为7926.14万元，比预算数减少1485.38万元，比上年决算数8750.27万元减少824.13万元")
                    earlier = next((mentions[j] for j in range(i - 2, -1, -1)
                                    if mentions[j].end > sentence_start
                                    and not _is_change(text, mentions, j, sentence_start)), None)
                    if earlier is not None and compatible_units(earlier, m) and \
                            _COMPARED.search(text[earlier.end:before.start]):
                        current, found_in = earlier, "sentence"
                elif _COMPARED.search(lead[: cue.start()]) or _COMPARED.search(text[before.end:m.start]):
                    current, found_in = before, "sentence"  # "支出2.36万元，与预算相比，减少0.44万元"
            subject = _subject(lead[: cue.start()])
            if current is None and previous is None and before is None and subject_figure is not None \
                    and compatible_units(subject_figure, m) and _OPENS_WITH_COMPARISON.match(lead[: cue.start()]):
                current, found_in = subject_figure, "continued"  # "X万元，较上年增加…。较年初预算数减少…"
            if current is None and previous is None and subject and (before is None or restated is not None
                                                                     or not compatible_units(before, m)):
                years = _compared_years(text[sentence_start:m.start])
                dated = _figures_of_years(text, paragraphs, k, m, subject, mentions_in, years) if years else None
                if dated is not None:
                    (current, previous), found_in = dated, "years"
                else:
                    current = _figure_named(text, paragraphs, k, m, subject, mentions_in)
                    found_in = "paragraph" if current is not None else ""
            if found_in == "sentence" and current is not None:
                subject_figure = current
            if rate is None and (current is None or previous is None) and restated is None:
                continue  # nothing to recompute
            out.append(ChangeStatement(change=m, direction=direction, rate=rate, current=current,
                                       previous=previous, subject=subject, current_found_in=found_in,
                                       restated=restated))
    return out


def _lead(text: str, mentions: list[NumberMention], i: int, sentence_start: int) -> str:
    """The text between mention i and the mention (or sentence start) before it."""
    prev_end = mentions[i - 1].end if i and mentions[i - 1].end > sentence_start else sentence_start
    return text[prev_end:mentions[i].start]


def _is_change(text: str, mentions: list[NumberMention], i: int, sentence_start: int) -> bool:
    return mentions[i].unit not in ("", "%") and bool(_CHANGE_CUE.search(_lead(text, mentions, i, sentence_start)))


def _rate_after(text: str, mentions: list[NumberMention], i: int) -> NumberMention | None:
    if i + 1 >= len(mentions):
        return None
    nxt = mentions[i + 1]
    if nxt.unit != "%" or nxt.qualifier != "none":
        return None
    return nxt if _RATE_CUE.match(text[mentions[i].end:nxt.start]) else None


def _subject(lead: str) -> str:
    """"收入" of "…，收入增加": the words before the verb, without the comparison."""
    clause = re.split(r"[，,；;：:、]", lead)[-1]
    clause = _COMPARED.split(clause)[0]
    clause = re.sub(r"^(其中|同时|另外|全年|本年|当年|\d{4}年度?)", "", _clean(clause))
    found = _SUBJECT.search(clause)
    return found.group(1) if found else ""


_YEAR = r"(20\d{2})\s*年度?"
# "2024年度…支出较2023年度减少": the two years compared; "2022年…比上年": the year and the one before
_TWO_YEARS_RE = re.compile(_YEAR + r"[^。；;]{0,30}?(?:较|比|与)\s*" + _YEAR)
_YEAR_ON_LAST_RE = re.compile(_YEAR + r"[^。；;]{0,30}?(?:较|比)上年")
_SENTENCE_YEAR_RE = re.compile(_YEAR)


def _compared_years(before_change: str) -> tuple[int, int] | None:
    """The (current, previous) years a sentence compares before its change figure, if it names them."""
    m = _TWO_YEARS_RE.search(before_change)
    if m and int(m.group(1)) != int(m.group(2)):
        return int(m.group(1)), int(m.group(2))
    m = _YEAR_ON_LAST_RE.search(before_change)
    return (int(m.group(1)), int(m.group(1)) - 1) if m else None


def _figures_of_years(text: str, paragraphs: list[Paragraph], k: int, change: NumberMention, subject: str,
                      mentions_in: MentionsIn, years: tuple[int, int]
                      ) -> tuple[NumberMention, NumberMention] | None:
    """The figures named by the subject in the sentences before the change that open with the current
    and the earlier year ("2024年度…培训会议3.27万元" / "2023年度…培训会议4.51万元"): both, or None."""
    found: dict[int, NumberMention] = {}
    for para in reversed(paragraphs[max(0, k - _YEARS_REACH): k + 1]):
        for m in reversed(mentions_in(para.start, min(para.end, change.start))):
            if not compatible_units(m, change) or m.end > change.start or not _named(text, para, m, subject):
                continue
            head = text[para.start:m.start]
            ends = [e.end() for e in _SENTENCE_END_RE.finditer(head)]
            sentence = head[ends[-1] if ends else 0:]
            dates = _SENTENCE_YEAR_RE.findall(sentence)
            if len(set(dates)) == 1 and int(dates[0]) in years:
                found.setdefault(int(dates[0]), m)
    if years[0] in found and years[1] in found:
        return found[years[0]], found[years[1]]
    return None


def _named(text: str, para: Paragraph, m: NumberMention, subject: str) -> bool:
    """Whether the words just before ``m`` name the subject ("支出总计…" for 支出)."""
    label = re.split(r"[，,；;：:、。（(]", text[max(para.start, m.start - 12):m.start])[-1]
    label = re.sub(r"(为|是|达|达到)$", "", _clean(label))
    return any(re.search(re.escape(name) + r"(总计|合计|总额|总数|共计)?$", label)
               for name in _SUBJECT_EXPANSIONS.get(subject, (subject,)))


def _figure_named(text: str, paragraphs: list[Paragraph], k: int, change: NumberMention, subject: str,
                  mentions_in: MentionsIn) -> NumberMention | None:
    """The nearest figure before the change, in this paragraph or the ones just before, whose label
    names the subject ("支出总计3,482.16万元" for "支出增加…")."""
    for para in reversed(paragraphs[max(0, k - _REACH): k + 1]):
        for m in reversed(mentions_in(para.start, min(para.end, change.start))):
            if compatible_units(m, change) and m.end <= change.start and _named(text, para, m, subject):
                return m
    return None
