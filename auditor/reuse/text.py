"""Passages and the temporal vocabulary the reuse checks share.

A *passage* is one narrative paragraph (never a table cell), kept as a span of the Document; its
``key`` is the paragraph's meaning (residue and whitespace dropped, full-width punctuation folded)
used for exact comparisons. Offsets always index ``doc.text``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from auditor.document import Document, clean_text
from auditor.reuse.material import Passage, fold, reuse_material  # noqa: F401  (fold re-exported)

# Words that frame a passage as an account of "this year" (copied with an old year, they are stale).
TEMPORAL_CUES: tuple[str, ...] = ("今年", "一年来", "全年", "开局之年", "本年度", "年内", "过去一年", "这一年",
                                  "奋进之年", "关键之年", "攻坚之年", "收官之年", "起步之年")
YEAR_RE = re.compile(r"(?<![\d.])([2２][0０]\d{2})\s*年")
# Section or list numbering in front of a heading or paragraph: 七、 （一） (1) 1. ① 第一 一是
_NUMBERING_RE = re.compile(
    r"^[\s\u3000]*(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+(?:\.\d+)*[、.．]?(?!\d)"
    r"|[①-⑳]|第[一二三四五六七八九十]+[章节部分条]?[、，：:\s]?|[一二三四五六七八九十]+是)[\s\u3000]*"
)
MIN_PASSAGE_CHARS = 12


def strip_numbering(text: str) -> str:
    """A heading's words without its section number: "七、存在的问题" → "存在的问题"."""
    out = clean_text(text)
    prev = None
    while prev != out:
        prev = out
        out = _NUMBERING_RE.sub("", out, count=1)
    return out.rstrip("。.：:；;，,")


def passages(doc: Document) -> list[Passage]:
    """The narrative paragraphs of ``doc`` that carry text, in order (tables excluded; kept in its
    :class:`~auditor.reuse.material.ReuseMaterial`)."""
    material = reuse_material(doc)
    if material.passages is None:
        table = material.passage_table
        material.passages = table.passages(doc.text) if table is not None else _passages(doc)
    return material.passages


def _passages(doc: Document) -> list[Passage]:
    out: list[Passage] = []
    for para in doc.paragraphs:
        if doc.table_at(para.start) is not None:
            continue
        raw = doc.text[para.start:para.end]
        key_text = fold(raw)
        if not key_text:
            continue
        # trim the span to the visible text so that evidence starts and ends on a character; the key is
        # also the fold of the trimmed span (fold drops the trimmed blanks, and a residue marker starts
        # and ends on a visible character): a PassageTable need not store it
        lead = len(raw) - len(raw.lstrip(" \t\u3000\u00a0\r"))
        trail = len(raw) - len(raw.rstrip(" \t\u3000\u00a0\r"))
        out.append(Passage(para.start + lead, para.end - trail, len(out), para.index,
                           para.heading_level is not None, key_text))
    return out


def years_in(text: str) -> list[int]:
    """Calendar years written as "2023年" in ``text`` (dates included)."""
    return [int(m.group(1)) for m in YEAR_RE.finditer(text)]


def temporal_cues(text: str) -> list[str]:
    """The temporal cue words present in ``text``."""
    return [w for w in TEMPORAL_CUES if w in text]


@lru_cache(maxsize=4096)
def char_ngrams(text: str, n: int) -> frozenset[str]:
    return frozenset(text[i:i + n] for i in range(max(0, len(text) - n + 1)))
