"""Totals and their stated parts in the narrative, and the shares and breakdowns built on them.

Shapes of a total with its parts (SumGroup.shape):

- qizhong: "X万元，其中：基本支出A万元，项目支出B万元", "X。其中：A；B；C", clause by clause: comparisons
  and reasons between parts are skipped ("比上年减少Y"), a subtotal restating the total, another quantity
  (现有 after 编制, 退休 after 在职) and a nested 其中 end or skip the list; the total may stand in the
  sentence before, or before a sentence announcing the categories ("分为以下三个部分：…"); a list of
  records stating the same measures per item (支出, 预算, 差值), the total being one of them, is no breakdown,
  nor is a change split into changes of opposite directions (a signed sum: "减少X，其中A减少…，B增加…");
- bracket: "X万元（公务接待费A万元、公务用车运行维护费B万元）";
- list: "…X万元。其中：" ending a paragraph, followed by list paragraphs "（1）…A万元";
- trailing: "A万元，B万元.C万元，共计X万元" (the total closes the list);
- lines: a form flattened one field per line ("年度预算资金总额: X" / "其中:中央补助 A" / "市级资金 B").

Also: cost shares between levels of government (ShareList), a share of a total stated before
(TotalShare) and a whole followed by its sub-programmes field by field (BlockBreakdown). Text is read
through the same-length view of auditor.extract.views (glosses blanked, traditional simplified).
The extractor only finds the structure; the arithmetic rules judge it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from auditor.document import SENTENCE_ENDS, Document, Paragraph, span_back
from auditor.extract.numbers import MentionsIn, NumberMention
from auditor.extract.views import clean as _clean
from auditor.extract.views import plain, reading_view

MONEY_SCALE = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_SAME_COUNT_UNITS = ({"人", "名"}, {"个", "家"})
_SENTENCE_END = re.compile(r"[。；;！？!?]")
_NEW_TOTAL = re.compile(r"决算数|预算数|总额|总计|共计|累计|全年|执行率|完成率")
_LIST_ITEM = re.compile(r"^[\s\u3000]*([（(]?\d{1,2}[）)、.．]|[（(][一二三四五六七八九十]+[）)]|[①-⑳])")
_MAX_LABEL = 24
_MAX_LIST_CHARS = 600
_CLAUSE_BREAK = "，,、；;"
# a clause that compares or comments on the figure before it, never a part of a breakdown
_COMPARISON = re.compile(r"(比|较|与|同比|环比|相比|增加|减少|增长|下降|降低|上升|提高|持平|占|主要|原因|调减|调增|核减|核增|追加)")
# figures per head, per month, per mu, or a standard: rates, which do not add up
_INTENSIVE = re.compile(r"人均|户均|平均|每人|每户|每月|每年|每亩|每天|每次|每平方|单价|/人|/月|/户|/亩|标准为|标准是|标准：|标准:")
_SUBTOTAL = re.compile(r"小计|合计|共计|总计")
# a clause that reports an activity on the total ("完成投资X", "支付劳务报酬X"), not a component of it
_ACTIVITY = re.compile(r"(完成|支付|发放|拨付|执行|实现|到位|下达|累计|新增|带动|吸纳|惠及|覆盖)")
_ORDINAL = re.compile(r"[一二三四五六七八九十]{1,3}|\d{1,2}")
_ACTUAL = re.compile(r"现有|实有|在职|在岗|实际")
_AUTHORISED = re.compile(r"编制|核定|批复")


@dataclass(slots=True)
class SumGroup:
    total: NumberMention
    parts: list[NumberMention]
    total_label: str
    labels: list[str]
    shape: str  # qizhong | bracket | list
    exhaustive: bool
    # a breakdown nearby along the same categories ("批复编制21名，其中行政编制16名，事业编制5名；
    # 实有21名，其中行政编制15名，事业编制5名"): if it adds up, this one is meant to be complete too
    sibling: SumGroup | None = None
    # each part's stated share of the total ("基本支出1843.60万元，占35.4%"), None where none is stated
    shares: list[NumberMention | None] = field(default_factory=list)
    announced: int = 0  # the number of categories the text announced before listing them ("三大类")


def compatible_units(a: NumberMention, b: NumberMention) -> bool:
    if a.unit in MONEY_SCALE and b.unit in MONEY_SCALE:
        return True
    if a.unit == b.unit:
        return bool(a.unit) and a.unit != "%"
    return any(a.unit in group and b.unit in group for group in _SAME_COUNT_UNITS)


def in_unit_of(m: NumberMention, reference: NumberMention) -> Decimal:
    """A money figure expressed in the unit of ``reference`` (元 / 万元 / 亿元)."""
    if m.unit in MONEY_SCALE and reference.unit in MONEY_SCALE:
        return MONEY_SCALE[m.unit] / MONEY_SCALE[reference.unit]
    return Decimal(1)


@lru_cache(maxsize=1)
def _partitions() -> tuple[tuple[str, ...], ...]:
    path = Path(__file__).resolve().parent.parent / "data" / "partitions.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(tuple(line.split("|")) for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def _category_dimensions() -> dict[str, str]:
    """Descriptive categories of people (女性, 残疾人, 老年人 …) → the dimension each belongs to."""
    path = Path(__file__).resolve().parent.parent / "data" / "overlapping_categories.tsv"
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            dimension, *words = line.split("|")
            out.update((w, dimension) for w in words)
    return out


def overlapping_categories(labels: list[str]) -> bool:
    """Parts that describe people along different dimensions (女性, 残疾人, 老年人) overlap: a person
    may be counted in several, so they do not add up to the total."""
    dims = _category_dimensions()
    found = [next((d for w, d in dims.items() if w in label), None) for label in labels]
    named = {d for d in found if d}
    return bool(named) and (len(named) > 1 or None in found)


def is_exhaustive(labels: list[str]) -> bool:
    """Every part names a different member of one known partition (基本支出|项目支出 …)."""
    if len(labels) < 2:
        return False
    for partition in _partitions():
        # the longest member a label contains ("其他事业单位" before "事业单位")
        members = [max((m for m in partition if m in label), key=len, default=None) for label in labels]
        if all(members) and len(set(members)) == len(members):
            return True
    return False


def _label(text: str) -> str:
    text = _ASIDE.sub("", text)  # "信息化运维（含软件租用）836.20元": the aside is not the name
    return _clean(_LABEL_LEAD.sub("", text)).strip("，,、：:（()）为是")


_ASIDE = re.compile(r"[（(][^（()）]{2,}[)）]")
_LABEL_LEAD = re.compile(r"^[，,、：:；;（(）)\s]*(其中)?[：:，,\s]*")  # punctuation and 其中 before a label


def find_sum_groups(doc: Document, paragraphs: list[Paragraph], mentions_in: MentionsIn) -> list[SumGroup]:
    """All total/parts groups in the given paragraphs. ``mentions_in(start, end)`` gives the number
    mentions of a span, in order."""
    groups: list[SumGroup] = []
    text = reading_view(doc.text)
    for k, para in enumerate(paragraphs):
        mentions = mentions_in(para.start, para.end)
        reach = None
        for q in _find_all(text, "其中", para.start, para.end):
            if reach is None:
                reach = mentions_in(para.start, min(len(text), para.end + _MAX_LIST_CHARS))
            group = None
            if not mentions or mentions[-1].start <= q:  # 其中 ends the paragraph's figures
                group = _list_group(doc, text, mentions, q, paragraphs[k + 1:], mentions_in)
            if group is None:
                group = _qizhong_group(text, reach, q, para.start)
            if group is not None:
                groups.append(group)
        groups.extend(_bracket_groups(text, mentions))
        if _TRAILING_CUE.search(text, para.start, para.end):
            groups.extend(_trailing_groups(text, mentions, para.start))
    groups.extend(_line_groups(doc, paragraphs, mentions_in))
    groups = [g for g in groups if _additive(g)]
    _link_siblings(groups)
    return groups


_FIGURE_LINE = re.compile(r"^[\s\u3000]*(?P<qz>其中[：:]?)?[\s\u3000]*(?P<label>[^\d\s：:][^：:]{0,30}?)[：:]?[\s\u3000]*$")


def _line_figure(text: str, para: Paragraph, mentions_in: MentionsIn) -> tuple[NumberMention, str, bool] | None:
    """(figure, label, opens with 其中) of a line that is a label followed by one figure ("县级资金 96.00"),
    or None."""
    ms = mentions_in(para.start, para.end)
    if len(ms) != 1 or text[ms[0].end:para.end].strip():
        return None
    m = _FIGURE_LINE.match(text[para.start:ms[0].start])
    if m is None:
        return None
    return ms[0], _clean(m.group("label")), bool(m.group("qz"))


def _line_groups(doc: Document, paragraphs: list[Paragraph], mentions_in: MentionsIn) -> list[SumGroup]:
    """A form flattened one field per line: "年度预算资金总额: 248.60" then "其中:中央补助 130.00",
    "县级资金 96.00", "本级资金 22.60" — the figures of the lines after the 其中 line are the parts."""
    text = reading_view(doc.text)
    lines = [_line_figure(text, p, mentions_in) for p in paragraphs]
    groups = []
    for k, line in enumerate(lines[:-1]):
        nxt = lines[k + 1]
        if line is None or line[2] or nxt is None or not nxt[2]:
            continue
        total, total_label, _ = line
        parts, labels = [], []
        for item in lines[k + 1:]:
            if item is None or (item[2] and parts):
                break
            figure, label, _ = item
            if not (compatible_units(total, figure) or (not total.unit and not figure.unit)):
                break
            parts.append(figure)
            labels.append(label)
        if len(parts) >= 2:
            groups.append(SumGroup(total=total, parts=parts, total_label=total_label, labels=labels,
                                   shape="lines", exhaustive=is_exhaustive(labels)))
    return groups


_SIBLING_REACH = 300


_CATEGORY_TAIL = re.compile(r"(人员|人数|的|数|额|资金|经费|支出)+$")


def _category_key(label: str) -> str:
    return _CATEGORY_TAIL.sub("", label)


def _link_siblings(groups: list[SumGroup]) -> None:
    ordered = sorted(groups, key=lambda g: g.total.start)
    starts = [g.total.start for g in ordered]
    keys = {id(g): {_category_key(x) for x in g.labels} for g in ordered}
    for group in ordered:
        lo = bisect.bisect_left(starts, group.total.start - _SIBLING_REACH)
        hi = bisect.bisect_right(starts, group.total.start + _SIBLING_REACH)
        near = [g for g in ordered[lo:hi] if g is not group and len(keys[id(group)] & keys[id(g)]) >= 2]
        if near:
            group.sibling = min(near, key=lambda g: abs(g.total.start - group.total.start))


def _additive(group: SumGroup) -> bool:
    """Parts that can add up to their total: not overlapping categories of people (女性, 残疾人),
    not rates per head or per month (人均, 每人每月, 补助标准)."""
    labels = [group.total_label, *group.labels]
    return not overlapping_categories(group.labels) and not any(_INTENSIVE.search(x) for x in labels)


def _find_all(text: str, needle: str, start: int, end: int) -> list[int]:
    out, pos = [], text.find(needle, start, end)
    while pos >= 0:
        out.append(pos)
        pos = text.find(needle, pos + len(needle), end)
    return out


def _clauses_before(text: str, start: int, q: int) -> Iterator[tuple[int, int]]:
    """The top-level clauses of text[start:q], nearest first: split at ，,；; outside brackets. A
    generator: callers stop at the clause they need, so a long run-on paragraph is not rescanned."""
    depth, end = 0, q
    for i in range(q - 1, start - 1, -1):
        ch = text[i]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            depth = max(0, depth - 1)
        elif depth == 0 and (ch in _CLAUSE_BREAK or (ch == "." and _is_stop(text, i))):
            yield i + 1, end
            end = i
    yield start, end


def _is_stop(text: str, i: int) -> bool:
    """A half-width full stop between two words ("…16万元.上年结余…"), not a decimal point."""
    return (text[i] == "." and 0 < i < len(text) - 1 and not text[i - 1].isdigit()
            and not text[i + 1].isdigit() and "\u4e00" <= text[i + 1] <= "\u9fff")


def _outside_brackets(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """text[start:end] without its bracketed runs, as spans."""
    spans, depth, run = [], 0, start
    for i in range(start, end):
        ch = text[i]
        if ch in "（(":
            if depth == 0 and i > run:
                spans.append((run, i))
            depth += 1
        elif ch in "）)" and depth:
            depth -= 1
            if depth == 0:
                run = i + 1
    if depth == 0 and run < end:
        spans.append((run, end))
    return spans


def _figures_in(mentions: list[NumberMention], spans: list[tuple[int, int]]) -> list[NumberMention]:
    """The mentions (sorted by start) lying wholly inside one of the spans (sorted, disjoint)."""
    if not spans:
        return []
    lo = bisect.bisect_left(mentions, spans[0][0], key=lambda m: m.start) if len(mentions) > 16 else 0
    out = []
    for m in mentions[lo:]:
        if m.start >= spans[-1][1]:
            break
        if any(a <= m.start and m.end <= b for a, b in spans):
            out.append(m)
    return out


def _total_before(text: str, mentions: list[NumberMention], q: int, floor: int) -> tuple[NumberMention | None, int]:
    """The total a "其中" breaks down: the figure of the nearest clause before it that states a
    quantity (not a comparison such as "较上年增加X", not a bracket's aside such as "（含临聘1名）").
    When 其中 opens a sentence ("…X万元。其中：A；B"), the previous sentence is searched; when that
    sentence only announces the categories ("分为以下三个部分：一是…"), the one before it, and the
    number of categories announced is returned with the total (0 when none is)."""
    if text[floor:q].rstrip(" \u3000").endswith(("；", ";")):
        return None, 0  # "…；其中…" after a run of figures: which one it breaks down is unclear
    announced = 0
    sentence = span_back(text, q, SENTENCE_ENDS, floor)
    if not text[sentence:q].strip(" \u3000：:，,"):
        prev_end = sentence - 1
        if prev_end < floor or text[prev_end] not in "。":
            return None, 0
        sentence, q = span_back(text, prev_end, SENTENCE_ENDS, floor), prev_end
        categories = _CATEGORY_COUNT.search(text, sentence, q)
        if categories and not [m for m in _figures_in(mentions, [(sentence, q)]) if m.unit not in _COUNTED_CATEGORY]:
            announced = _small_count(categories.group(1))
            prev_end = sentence - 1
            if prev_end < floor or text[prev_end] not in "。" or not announced:
                return None, 0
            sentence, q = span_back(text, prev_end, SENTENCE_ENDS, floor), prev_end
    for c_start, c_end in _clauses_before(text, sentence, q):
        clause = _clean(text[c_start:c_end])
        if not clause or _COMPARISON.match(clause.lstrip("，,、：: ")):
            continue
        visible = _outside_brackets(text, c_start, c_end)
        figures = _figures_in(mentions, visible)
        if figures:
            return figures[-1], announced
        if re.search(r"[\u4e00-\u9fff]{2}", clause):
            return None, 0  # a clause without a figure stands between: the 其中 is not about a figure
    return None, 0


# "分为以下三个部分", "包括四个方面": the categories a breakdown will list
_CATEGORY_COUNT = re.compile(r"(?:包括|分为|分成|涉及|用于|共有|共|有)([两二三四五六七八九十]|[2-9])(?:大类|类|个方面|个部分|部分|项)")
_COUNTED_CATEGORY = {"类", "大类", "个方面", "项", "部分", "个部分"}


def _small_count(word: str) -> int:
    return int(word) if word.isdigit() else "一两三四五六七八九十".index(word.replace("二", "两")) + 1


def _depth(text: str, start: int, end: int) -> int:
    d = 0
    for ch in text[start:end]:
        if ch in "（(":
            d += 1
        elif ch in "）)":
            d -= 1
    return d


def _clauses_after(text: str, start: int) -> list[tuple[int, int]]:
    """The top-level clauses after a 其中, up to the end of its sentence: split at ，,、；;：: outside
    brackets; a line break ends the list unless the line ended with a list separator (；:，)."""
    out, depth, run = [], 0, start
    end = min(len(text), start + _MAX_LIST_CHARS)
    i = start
    while i < end:
        ch = text[i]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            if depth == 0:
                break  # the bracket that held the list closed
            depth -= 1
        elif depth == 0 and ch in "。！？!?":
            break
        elif depth == 0 and ch == "\n":
            so_far = _clean(text[start:i]).strip()
            if so_far and not so_far.endswith(tuple(_CLAUSE_BREAK + "：:")):
                break
        if depth == 0 and ch in _CLAUSE_BREAK + "：:\n":
            if i > run:
                out.append((run, i))
            run = i + 1
        i += 1
    if i > run:
        out.append((run, i))
    return out


def _qizhong_group(text: str, mentions: list[NumberMention], q: int, floor: int) -> SumGroup | None:
    total, announced = _total_before(text, mentions, q, floor)
    if total is None or not total.unit or total.unit == "%":
        return None
    total_label = _label_before(text, total)
    parts: list[NumberMention] = []
    labels: list[str] = []
    shares: list[NumberMention | None] = []
    list_end, closed = q + 2, False
    for c_start, c_end in _clauses_after(text, q + 2):
        list_end = c_end
        raw = _clean(text[c_start:c_end]).strip()
        if not raw:
            continue
        if _ORDINAL.fullmatch(raw) and parts:
            break  # "…；三、…": the next item of an enclosing list
        visible = _outside_brackets(text, c_start, c_end)
        figures = _figures_in(mentions, visible)
        if "其中" in raw and parts:
            break  # a nested breakdown begins: the list of this total has ended
        if _COMPARISON.match(raw.lstrip("其中：:，, ")) or not figures:
            if parts and raw.startswith("占") and figures and figures[0].unit == "%" and shares[-1] is None \
                    and not _share_of_another_whole(raw, total_label):
                shares[-1] = figures[0]  # "，占38.2%": the share of the part before
            continue  # "较上年增加X", "占X%", a reason: said of the part before, not a part
        part = figures[0]
        if not compatible_units(total, part):
            continue
        share = next((m for m in figures[1:] if m.unit == "%" and text[part.end:m.start].strip(" ，,") in ("占", "占比")),
                     None)  # "…收入0万元占0%"
        label = _label(text[c_start:part.start])
        if len(label) > _MAX_LABEL or (parts and _NEW_TOTAL.search(label)):
            break
        if _followed_by_breakdown(text, part, c_end):
            break  # "在岗实有19人，其中…": a new total with its own breakdown
        if _SUBTOTAL.search(label) and part.value * in_unit_of(part, total) == total.value:
            continue  # "在职人数小计17人" restates the total; its own breakdown follows
        if _changes_status(total_label, label) or _sibling(total_label, label) or _ACTIVITY.match(label):
            break  # "批复编制40人，其中…，现有在编人员36人", "在职7人，其中…；退休3人": another quantity
        parts.append(part)
        labels.append(label)
        shares.append(share)
    else:
        closed = True  # the list ran to the end of its sentence
    if closed and len(parts) == 1 and not any(m.start > parts[0].end for m in mentions if m.start < list_end) \
            and _direction(text, total) == 0 and _direction(text, parts[0]) == 0:
        for part, label in _sibling_sentences(text, mentions, list_end, total, labels):
            parts.append(part)
            labels.append(label)
            shares.append(None)
    if not parts or _records(total_label, labels) or _mixed_changes(text, total, parts):
        return None
    return SumGroup(total=total, parts=parts, total_label=total_label, labels=labels, shape="qizhong",
                    exhaustive=is_exhaustive(labels), shares=shares, announced=announced)


_NAMED_WHOLE = re.compile(r"^占(?:比)?(?P<whole>[^\d%]*?)的?(?:比例|比重)?(?:为|是)?[\d.]")
_WHOLE_WORDS = re.compile(r"总额|总数|总计|合计|总量|全部|总支出|总收入|总预算")


def _share_of_another_whole(clause: str, total_label: str) -> bool:
    """"，占政府采购支出总额的6.7%" after a part of a total that is itself a part ("授予中小企业合同金额X，
    其中…"): the share names a grand total, not the figure this 其中 breaks down."""
    m = _NAMED_WHOLE.match(clause)
    whole = m.group("whole") if m else ""
    return bool(whole) and bool(_WHOLE_WORDS.search(whole)) and not _WHOLE_WORDS.search(total_label)


# the verbs of a stated change, shared with auditor.extract.changes; the first four are increases
CHANGE_VERBS = r"(增加|增长|上升|提高|减少|下降|降低|节约|节省)"
UP_VERBS = ("增加", "增长", "上升", "提高")
# the verb right before a change figure ("减少0.44万元", "增加了约12人")
CHANGE_CUE = re.compile(CHANGE_VERBS + r"了?(约|近)?\s*$")


def _direction(text: str, m: NumberMention) -> int:
    """+1 or -1 for a figure stated as a change ("减少1.25万元"), 0 for a level."""
    found = CHANGE_CUE.search(plain(text[max(0, m.start - 8):m.start]))
    return 0 if found is None else (1 if found.group(1) in UP_VERBS else -1)


def _mixed_changes(text: str, total: NumberMention, parts: list[NumberMention]) -> bool:
    """A change broken down into changes of opposite directions ("减少0.47万元，其中培训减少1.25万元，会议
    增加0.77万元"): a signed sum, not parts that add up as written."""
    directions = {_direction(text, m) for m in (total, *parts)}
    return len(directions - {0}) > 1


_MEMBER_TAIL = r"(经费|支出|费用|资金)?(为|是)?"
_NEXT_ITEM = re.compile(r"[。\s\u3000]*(?:[（(]?[一二三四五六七八九十\d]{1,2}[）)、.．]\s*)?")


def _sibling_sentences(text: str, mentions: list[NumberMention], end: int, total: NumberMention,
                       labels: list[str]) -> list[tuple[NumberMention, str]]:
    """The parts of a 其中 list of one part that goes on in the following sentences, one each, when every
    sentence opens with the bare name of another member of the partition the first part belongs to
    ("其中：人员经费A元，主要包括…。公用经费B元，主要包括…。")."""
    partition = next((p for p in _partitions() if all(any(m in label for m in p) for label in labels)), None)
    if partition is None:
        return []
    named = {max((m for m in partition if m in label), key=len) for label in labels}
    out: list[tuple[NumberMention, str]] = []
    while len(named) < len(partition):
        start = _NEXT_ITEM.match(text, end).end()
        figure = next((m for m in mentions if m.start >= start), None)
        if figure is None or not compatible_units(total, figure) or figure.start - start > _MAX_LABEL:
            break
        label = _label(text[start:figure.start])
        member = max((m for m in partition if m in label), key=len, default=None)
        if member is None or member in named or not re.fullmatch(re.escape(member) + _MEMBER_TAIL, label):
            break  # only a sentence opening with the member's bare name ("公用经费B元") goes on the list
        out.append((figure, label))
        named.add(member)
        sentence_end = _SENTENCE_END.search(text, figure.end)
        if sentence_end is None:
            break
        end = sentence_end.start()
    return out


def _records(total_label: str, labels: list[str]) -> bool:
    """The list after 其中 is a table of records, each item stating the same measures ("A支出X，预算Y，
    差值Z；B支出…，预算…，差值…"), and the total is one of those measures: its parts are not the figures
    listed, and their signs are not stated. Two measures repeat and the total's measure is one of them."""
    names = [_MEASURE_VERB.sub("", label) for label in labels]
    repeated = {name for name in names if name and names.count(name) >= 2}
    return len(repeated) >= 2 and _MEASURE_VERB.sub("", _clean(total_label)) in repeated


_MEASURE_VERB = re.compile(r"(为|是|达)$")  # "支出为": the verb after a measure's name
_BREAKDOWN_AFTER = re.compile(r"[\s，,：:]*(其中|包括)")


def _followed_by_breakdown(text: str, part: NumberMention, clause_end: int) -> bool:
    after = text[part.end : part.end + 6]
    return bool(_BREAKDOWN_AFTER.match(after))


def _sibling(total_label: str, label: str) -> bool:
    """The part names another member of a partition the total belongs to ("在职…" then "退休…")."""
    total_label = total_label.replace("离退休", "离休退休")
    for partition in _partitions():
        mine = next((m for m in partition if m in total_label), None)
        other = next((m for m in partition if m in label), None)
        if mine and other and other != mine and other not in total_label:
            return True
    return False


def _changes_status(total_label: str, label: str) -> bool:
    """The part counts the staff actually in post while the total counts authorised posts."""
    return bool(_ACTUAL.search(label)) and not _ACTUAL.search(total_label) and bool(_AUTHORISED.search(total_label))


def _list_group(doc: Document, text: str, mentions: list[NumberMention], q: int,
                following: list[Paragraph], mentions_in: MentionsIn) -> SumGroup | None:
    """"…项目支出186.40万元…。其中：" ending its paragraph, followed by list paragraphs, one figure each."""
    line_end = text.find("\n", q)
    rest = _clean(text[q + 2 : line_end if line_end >= 0 else len(text)])
    if rest.strip("：:"):
        return None  # 其中 does not end the paragraph
    before = [m for m in mentions if m.end <= q and m.unit and m.unit != "%"]
    if not before:
        return None
    total = before[-1]
    parts, labels = [], []
    for para in following:
        line = text[para.start : para.end]
        if not _LIST_ITEM.match(line):
            break
        ms = [m for m in mentions_in(para.start, para.end) if compatible_units(total, m)]
        if len(ms) != 1:
            break
        parts.append(ms[0])
        labels.append(_label(_LIST_ITEM.sub("", text[para.start : ms[0].start])))
    if len(parts) < 2:
        return None
    return SumGroup(total=total, parts=parts, total_label=_label_before(text, total), labels=labels,
                    shape="list", exhaustive=is_exhaustive(labels))


_TRAILING_CUE = re.compile(r"(共计|合计|总计|总共)")
_TRAILING_TOTAL = re.compile(r"[，,、；;]\s*(共计|合计|总计|总共)(为|是|达|达到)?[：:]?\s*$")


def _trailing_groups(text: str, mentions: list[NumberMention], floor: int) -> list[SumGroup]:
    """"县级拨付48万元，中央拨付21万元，上年结余3.15万元，共计72.15万元": the parts come first and the
    total closes the list; the parts are then the whole of it."""
    groups = []
    for i, total in enumerate(mentions):
        lead = text[max(floor, total.start - 8):total.start]
        if not total.unit or total.unit == "%" or not _TRAILING_TOTAL.search(lead):
            continue
        start = span_back(text, total.start, "。！？!?\n", floor)
        parts: list[NumberMention] = []
        labels: list[str] = []
        cue_start = total.start - len(lead) + _TRAILING_TOTAL.search(lead).start()
        for c_start, c_end in _clauses_before(text, start, cue_start):
            clause = _clean(text[c_start:c_end])
            figures = _figures_in(mentions[:i], _outside_brackets(text, c_start, c_end))
            if not clause:
                continue
            if _COMPARISON.match(clause) or not figures:
                if figures or re.search(r"[\u4e00-\u9fff]{6}", clause):
                    break  # prose between: the list has ended
                continue
            part = figures[0]
            if not compatible_units(total, part):
                break
            parts.insert(0, part)
            labels.insert(0, _label(text[c_start:part.start]))
        if len(parts) >= 2:
            groups.append(SumGroup(total=total, parts=parts, total_label=_TRAILING_TOTAL.search(lead).group(1),
                                   labels=labels, shape="trailing", exhaustive=True))
    return groups


def _bracket_groups(text: str, mentions: list[NumberMention]) -> list[SumGroup]:
    groups = []
    for i, total in enumerate(mentions):
        after = text[total.end : total.end + 2]
        if not after or after[0] not in "（(":
            continue
        open_at = total.end
        inner_start = open_at + 1
        if text[inner_start : inner_start + 2] == "其中":
            continue  # the 其中 shape handles it
        parts, labels, prev_end, depth = [], [], inner_start, 0
        for m in mentions[i + 1:]:
            depth += _depth(text, prev_end, m.start)
            if depth < 0:
                break
            if depth > 0:
                prev_end = m.end
                continue
            between = text[prev_end : m.start]
            if _SENTENCE_END.search(between) or not compatible_units(total, m):
                break
            parts.append(m)
            labels.append(_label(between))
            prev_end = m.end
        if len(parts) >= 2:
            groups.append(SumGroup(total=total, parts=parts, total_label=_label_before(text, total),
                                   labels=labels, shape="bracket", exhaustive=is_exhaustive(labels)))
    return groups


_LABEL_BREAK = re.compile(r"[，,。；;：:、（(）)\n]")


def _label_before(text: str, m: NumberMention, width: int = 20) -> str:
    """The words naming a figure: its clause, up to ``width`` characters (glosses not counted)."""
    chunk = plain(text[max(0, m.start - 3 * width) : m.start])
    chunk = _LABEL_BREAK.split(chunk)[-1]
    return _clean(chunk)[-width:]


# --- cost shares between levels of government ----------------------------------------------------

_LEVELS = ("中央", "省", "市", "县", "区", "乡", "镇", "地方")
_SHARE_VERB = re.compile(r"负担|承担|分担|配套|出资|补助|补贴")
_SHARE_CLAUSE = re.compile(r"(负担|承担|分担|配套|出资|补助|补贴)(比例)?(为|是|占)?\s*$")


@dataclass(slots=True)
class ShareList:
    """"中央承担六成即60%，省级承担25%，县级配套15%": one cost split between levels."""

    parts: list[NumberMention]
    labels: list[str]
    levels: frozenset[str]


def find_share_lists(doc: Document, paragraphs: list[Paragraph], mentions_in: MentionsIn) -> list[ShareList]:
    text = reading_view(doc.text)
    out: list[ShareList] = []
    for para in paragraphs:
        if not _SHARE_VERB.search(text, para.start, para.end) or "%" not in text[para.start:para.end]:
            continue
        for s_start, s_end in _sentences(text, para.start, para.end):
            visible = _outside_brackets(text, s_start, s_end)
            parts, labels, levels = [], [], set()
            prev = s_start
            for m in mentions_in(s_start, s_end):
                if m.unit != "%" or not any(a <= m.start and m.end <= b for a, b in visible):
                    continue
                lead = "".join(text[max(a, prev):min(b, m.start)] for a, b in visible if a < m.start and b > prev)
                clause = re.split(r"[，,；;]", lead)[-1]
                prev = m.end
                if m.qualifier != "none" or not _SHARE_CLAUSE.search(clause):
                    continue
                named = {level for level in _LEVELS if level in clause}
                if not named:
                    continue
                parts.append(m)
                labels.append(_clean(clause))
                levels |= named
            if len(parts) >= 2:
                out.append(ShareList(parts=parts, labels=labels, levels=frozenset(levels)))
    return out


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in re.finditer(r"[。！？!?]", text[start:end]):
        out.append((pos, start + m.end()))
        pos = start + m.end()
    if pos < end:
        out.append((pos, end))
    return out


# --- a whole and its sub-blocks, field by field ---------------------------------------------------


@dataclass(slots=True)
class BlockBreakdown:
    """A breakdown ("合计 926.50: 中央补助 512, 市级资金 301, 本级资金 113.50") followed by breakdowns
    of the same fields for each sub-programme ("640: 400, 180, 60", "286.50: 112, 122, 52.50")."""

    whole: SumGroup
    blocks: list[SumGroup]


def block_breakdowns(groups: list[SumGroup]) -> list[BlockBreakdown]:
    """Each group followed, within the next few groups, by at least two with the same field labels
    (whether their totals make up the whole is the judging rule's business)."""
    out = []
    keys = [[_category_key(x) for x in g.labels] for g in groups]
    for i, whole in enumerate(groups):
        if len(set(keys[i])) != len(keys[i]):
            continue
        # the sub-programmes follow the whole: its next groups with the same fields, a bounded run
        same = [g for g, k in zip(groups[i + 1:i + 1 + _MAX_BLOCKS], keys[i + 1:i + 1 + _MAX_BLOCKS]) if k == keys[i]]
        if len(same) >= 2:
            out.append(BlockBreakdown(whole=whole, blocks=same))
    return out


_MAX_BLOCKS = 12  # groups looked at after a whole for its sub-programmes


# --- "X起，占总数的Y%": a share of a total stated elsewhere ----------------------------------------

_OF_TOTAL = re.compile(r"^[\s,，、]*占(总数|总量|总额|全部|总计|全年总[^\d，,。；;]{0,6}?)的?(比例为|比重为)?$")
_TOTAL_WORDS = re.compile(r"共|总|全部|合计|全国|全省|全市|全县|全区|全年")
_SHARE_REACH = 3  # paragraphs searched back for the total


@dataclass(slots=True)
class TotalShare:
    """"其中农村地区发生火灾3.1万起，占总数的24.6%" with the total "全省共接报火灾12.6万起" stated before."""

    part: NumberMention
    share: NumberMention
    total: NumberMention


def find_total_shares(doc: Document, paragraphs: list[Paragraph], mentions_in: MentionsIn) -> list[TotalShare]:
    text = reading_view(doc.text)
    out: list[TotalShare] = []
    for k, para in enumerate(paragraphs):
        if "占" not in text[para.start:para.end]:
            continue
        mentions = mentions_in(para.start, para.end)
        for i in range(1, len(mentions)):
            share, part = mentions[i], mentions[i - 1]
            if share.unit != "%" or share.qualifier != "none" or not part.unit or part.unit == "%":
                continue
            if not _OF_TOTAL.match(text[part.end:share.number_start]):
                continue
            if re.search(r"(合计|共计|两者|二者|以上)[^，,。；;]*$", text[para.start:part.start][-12:]):
                continue  # "…合计占总数的70.7%": the share of a sum of figures
            total = _named_total(text, paragraphs[max(0, k - _SHARE_REACH):k + 1], part, mentions_in)
            if total is not None:
                out.append(TotalShare(part=part, share=share, total=total))
    return out


def _named_total(text: str, paragraphs: list[Paragraph], part: NumberMention,
                 mentions_in: MentionsIn) -> NumberMention | None:
    """The nearest earlier figure of the same unit, larger than the part, named as a whole (共, 总, 全国 …)
    and not itself stated as a share of something."""
    for para in reversed(paragraphs):
        ms = [m for m in mentions_in(para.start, para.end) if m.end <= part.start]
        for j in range(len(ms) - 1, -1, -1):
            m = ms[j]
            if m.unit != part.unit or m.value <= part.value or m.qualifier != "none":
                continue
            after = text[m.end:m.end + 12]
            if re.match(r"^[\s,，、]*占", after):
                continue  # a part itself
            label = _clean(re.split(r"[，,。；;：:]", text[max(para.start, m.start - 20):m.start])[-1])
            if _TOTAL_WORDS.search(label):
                return m
    return None
