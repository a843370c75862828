"""Totals and their stated parts in the narrative.

Three shapes are recognised:

- "X万元，其中：基本支出A万元，项目支出B万元" — a total followed by 其中 and a list of parts;
- "X万元（公务接待费A万元、公务用车运行维护费B万元）" — parts in brackets after a total;
- "…X万元。其中：" at the end of a paragraph, followed by list paragraphs "（1）…A万元".

The extractor only finds the structure; the arithmetic rule judges it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from auditor.document import Document, Paragraph, clean_text
from auditor.extract.numbers import NumberMention

MONEY_SCALE = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_SAME_COUNT_UNITS = ({"人", "名"}, {"个", "家"})
_SENTENCE_END = re.compile(r"[。；;！？!?]")
_NEW_TOTAL = re.compile(r"决算数|预算数|总额|总计|共计|累计|全年|执行率|完成率")
_LIST_ITEM = re.compile(r"^[\s\u3000]*([（(]?\d{1,2}[）)、.．]|[（(][一二三四五六七八九十]+[）)]|[①-⑳])")
_MAX_LABEL = 24
_MAX_TOTAL_GAP = 4


@dataclass(slots=True)
class SumGroup:
    total: NumberMention
    parts: list[NumberMention]
    total_label: str
    labels: list[str]
    shape: str  # qizhong | bracket | list
    exhaustive: bool


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


def is_exhaustive(labels: list[str]) -> bool:
    """Every part names a different member of one known partition (基本支出|项目支出 …)."""
    if len(labels) < 2:
        return False
    for partition in _partitions():
        members = [next((m for m in partition if m in label), None) for label in labels]
        if all(members) and len(set(members)) == len(members):
            return True
    return False


def _label(text: str) -> str:
    return clean_text(re.sub(r"^[，,、：:；;（(）)\s]*(其中)?[：:，,\s]*", "", text)).strip("，,、：:（()）为是")


MentionsIn = Callable[[int, int], list[NumberMention]]


def find_sum_groups(doc: Document, paragraphs: list[Paragraph], mentions_in: MentionsIn) -> list[SumGroup]:
    """All total/parts groups in the given paragraphs. ``mentions_in(start, end)`` gives the number
    mentions of a span, in order."""
    groups: list[SumGroup] = []
    text = doc.text
    for k, para in enumerate(paragraphs):
        mentions = mentions_in(para.start, para.end)
        for q in _find_all(text, "其中", para.start, para.end):
            group = _qizhong_group(text, mentions, q)
            if group is None and not [m for m in mentions if m.start > q]:
                group = _list_group(doc, text, mentions, q, paragraphs[k + 1:], mentions_in)
            if group is not None:
                groups.append(group)
        groups.extend(_bracket_groups(text, mentions))
    return groups


def _find_all(text: str, needle: str, start: int, end: int) -> list[int]:
    out, pos = [], text.find(needle, start, end)
    while pos >= 0:
        out.append(pos)
        pos = text.find(needle, pos + len(needle), end)
    return out


def _total_before(text: str, mentions: list[NumberMention], q: int) -> NumberMention | None:
    before = [m for m in mentions if m.end <= q]
    if not before:
        return None
    total = before[-1]
    gap = text[total.end : q]
    if len(gap.strip()) > _MAX_TOTAL_GAP or _SENTENCE_END.search(gap) or re.search(r"[\u4e00-\u9fff]", gap):
        return None
    return total


def _depth(text: str, start: int, end: int) -> int:
    d = 0
    for ch in text[start:end]:
        if ch in "（(":
            d += 1
        elif ch in "）)":
            d -= 1
    return d


def _qizhong_group(text: str, mentions: list[NumberMention], q: int) -> SumGroup | None:
    total = _total_before(text, mentions, q)
    if total is None:
        return None
    parts: list[NumberMention] = []
    labels: list[str] = []
    prev_end = q
    depth = 0
    for m in (m for m in mentions if m.start >= q + 2):
        between = text[prev_end : m.start]
        if _SENTENCE_END.search(between) or ("其中" in between and prev_end != q):
            break
        depth += _depth(text, prev_end, m.start)
        if depth < 0:
            break  # the bracket that held the list closed
        if depth > 0:
            prev_end = m.end  # a breakdown of the previous part, in brackets: not a part itself
            continue
        label = _label(between)
        if not compatible_units(total, m) or len(label) > _MAX_LABEL or (parts and _NEW_TOTAL.search(label)):
            break
        parts.append(m)
        labels.append(label)
        prev_end = m.end
    if not parts:
        return None
    return SumGroup(total=total, parts=parts, total_label=_label_before(text, total), labels=labels,
                    shape="qizhong", exhaustive=is_exhaustive(labels))


def _list_group(doc: Document, text: str, mentions: list[NumberMention], q: int,
                following: list[Paragraph], mentions_in: MentionsIn) -> SumGroup | None:
    """"…项目支出245.26万元…。其中：" ending its paragraph, followed by list paragraphs, one figure each."""
    line_end = text.find("\n", q)
    rest = clean_text(text[q + 2 : line_end if line_end >= 0 else len(text)])
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


def _label_before(text: str, m: NumberMention, width: int = 12) -> str:
    start = max(0, m.start - width)
    chunk = text[start : m.start]
    chunk = re.split(r"[，,。；;：:、（(）)\n]", chunk)[-1]
    return clean_text(chunk)
