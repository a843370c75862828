"""A same-length reading view of a document's text for the relation extractors.

Mirrors print traditional script with pinyin glosses inside words ("撥款數(shù)48萬元，其中用於…").
The view blanks every gloss with word joiners (U+2060) and maps traditional characters to simplified
ones one for one, so that the vocabularies (其中, 较上年, 减少, 行政单位 …) match while every offset
still indexes the original text. Labels read from the view drop the joiners (:func:`plain`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from auditor.document import Paragraph, clean_text
from auditor.extract.numbers import simplified_view, without_glosses

_JOINER = "\u2060"
_last: tuple[str, str] = ("", "")


def reading_view(text: str) -> str:
    """``text`` without glosses and in simplified characters, same length (the last answer is kept)."""
    global _last
    if _last[0] is text:
        return _last[1]
    view = simplified_view(without_glosses(text))
    _last = (text, view)
    return view


def plain(label: str) -> str:
    """A label read from the view, without the joiners that blank a gloss."""
    return label.replace(_JOINER, "")


def clean(text: str) -> str:
    """Text read from the view, whitespace and export residue removed, without the joiners."""
    return plain(clean_text(text))


def gapped(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled to match in the view, where a blanked gloss leaves joiners inside a word
    ("预⁠⁠⁠⁠算"): joiners are allowed after every Chinese character of the pattern (after its ``?`` when it
    has one)."""
    return re.compile(re.sub(r"([\u4e00-\u9fff]\??)", r"\1" + _JOINER + "*", pattern))


def holding(view: str, words: Sequence[str], paragraphs: Sequence[Paragraph]) -> list[Paragraph]:
    """The paragraphs of the view ``view`` in which one of ``words`` occurs whole, in order: those a
    pattern every match of which holds one of the words can match in (the rest need not be scanned; a
    report's prose has ~40 paragraphs, and a pattern without a literal start is tried at each of their
    characters). Where the paragraphs hold a joiner (a blanked gloss), a word may be split by one, as a
    :func:`gapped` pattern allows: every paragraph is kept."""
    if not paragraphs:
        return []
    lo, hi = min(p.start for p in paragraphs), max(p.end for p in paragraphs)
    if view.find(_JOINER, lo, hi) >= 0:
        return list(paragraphs)
    found: list[tuple[int, int]] = []
    for word in words:
        at = view.find(word, lo, hi)
        while at >= 0:
            found.append((at, at + len(word)))
            at = view.find(word, at + 1, hi)
    if not found:
        return []
    found.sort()
    starts = [a for a, _ in found]
    out = []
    for para in paragraphs:
        k = bisect.bisect_left(starts, para.start)
        while k < len(found) and found[k][0] < para.end:
            if found[k][1] <= para.end:
                out.append(para)
                break
            k += 1
    return out
