"""What a figure counts: the subject phrase of a numeric mention.

"召开常委会会议8次" -> "常委会会议", "满意率94.3%" -> "满意率",
"206件提案全部按时办结" -> "提案办结" (nothing useful on the left, so the right context).

The phrase is read from the left context back to the nearest clause break (，。；：、 line
or cell break) or the previous number, tokenised with jieba (a domain user dictionary in
``auditor/data/jieba_user_dict.txt``), stripped of verbs and fillers
(``auditor/data/subjects_fillers.txt``) and folded through the synonym table
``auditor/data/indicator_synonyms.tsv`` (canonical<TAB>synonym).
"""

from __future__ import annotations

import gc
import logging
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.extract.numbers import NumberMention, last_number_end

if TYPE_CHECKING:
    import jieba

__all__ = ["subject_for", "normalise_subject"]

_DATA = Path(__file__).resolve().parent.parent / "data"

# Clause breaks for the left context.  The enumeration comma 、 is handled separately.
_BREAKS = frozenset("，,。；;：:！？!?\n\t\r（(）)【】[]《》")
_MAX_LEFT = 40
_MAX_RIGHT = 16
_NUMERIC = re.compile(r"[0-9０-９%％℅‰]")
_NUMERIC_CHARS = frozenset("0123456789０１２３４５６７８９%％℅‰")  # the characters _NUMERIC matches
_LEFT_STOPS = _BREAKS | _NUMERIC_CHARS
_RIGHT_STOPS = _LEFT_STOPS | {"、"}
_LEFT_STOP_RE = re.compile("[" + re.escape("".join(sorted(_LEFT_STOPS))) + "]")  # searched in reversed text
_PUNCT = re.compile(r"[\s\u3000“”‘’\"'「」『』·•…—\-~～、，。；：:;,.!?！？()（）\[\]【】<>《》=≥≤≧≦＞＜+＋*×]")

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _get_tokenizer() -> jieba.Tokenizer:
    """A private jieba tokenizer with the domain dictionary, built once and silently."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                from auditor.nlp.jieba_dict import lazy_wanted
                from auditor.runner.startup import import_jieba

                import_jieba().setLogLevel(logging.WARNING)
                logging.getLogger("jieba").setLevel(logging.WARNING)
                tok = _new_tokenizer(_jieba_cache_folder(), lazy=lazy_wanted())
                if isinstance(tok.FREQ, dict):
                    # jieba's whole dictionary is a few hundred thousand long-lived objects; move
                    # them out of the cyclic GC's way so later allocations do not rescan them.
                    gc.collect()
                    gc.freeze()
                _tokenizer = tok
    return _tokenizer


def swap_tokenizer(tokenizer: jieba.Tokenizer | None) -> jieba.Tokenizer | None:
    """Make ``tokenizer`` this process's (None: one is built on first use); return the one it had."""
    global _tokenizer
    with _lock:
        had, _tokenizer = _tokenizer, tokenizer
    return had


def tokenizer_is_whole(tokenizer: jieba.Tokenizer) -> bool:
    """Whether ``tokenizer`` holds jieba's whole dictionary (not the lazy table)."""
    return isinstance(tokenizer.FREQ, dict)


def _new_tokenizer(cache_folder: str | None, lazy: bool) -> jieba.Tokenizer:
    """jieba's dictionary, read lazily from an index in the cache folder (one file) or loaded whole
    (a batch's fork server): the same segmentation either way; then the domain words."""
    from auditor.nlp.jieba_dict import make_tokenizer

    tok = make_tokenizer(cache_folder, lazy=lazy)
    tok.load_userdict(str(_DATA / "jieba_user_dict.txt"))
    for canonical, synonym in _synonym_pairs():
        tok.add_word(canonical, 1000)
        tok.add_word(synonym, 1000)
    return tok


def _jieba_cache_folder() -> str | None:
    """``$XDG_CACHE_HOME/auditor`` (else ``~/.cache/auditor``) when it can be written, else None
    (jieba then uses the system's temporary folder)."""
    import os

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "auditor")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def _load_lines(name: str) -> list[str]:
    out = []
    for raw in (_DATA / name).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].rstrip("\n")
        if line.strip():
            out.append(line.strip())
    return out


@lru_cache(maxsize=1)
def _synonym_pairs() -> tuple[tuple[str, str], ...]:
    pairs = []
    for line in _load_lines("indicator_synonyms.tsv"):
        parts = line.split("\t")
        if len(parts) == 2 and parts[0].strip() and parts[1].strip():
            pairs.append((parts[0].strip(), parts[1].strip()))
    return tuple(pairs)


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    return {synonym: canonical for canonical, synonym in _synonym_pairs()}


@lru_cache(maxsize=1)
def _fillers() -> frozenset[str]:
    return frozenset(_load_lines("subjects_fillers.txt"))


@lru_cache(maxsize=65536)
def normalise_subject(phrase: str) -> str:
    """Fold synonyms ("人代会" -> "人民代表大会会议", "主任会" -> "主任会议") and drop spacing/quotes."""
    cleaned = _PUNCT.sub("", phrase)
    if not cleaned:
        return ""
    table = _synonyms()
    if cleaned in table:
        return table[cleaned]
    tokens = _get_tokenizer().lcut(cleaned, HMM=False)
    return "".join(table.get(t, t) for t in tokens)


@lru_cache(maxsize=65536)
def _strip(phrase: str) -> str:
    """Tokenise and drop verbs, fillers, numerals and punctuation."""
    phrase = _PUNCT.sub(" ", phrase)
    fillers = _fillers()
    kept = []
    for token in _get_tokenizer().lcut(phrase, HMM=False):
        token = token.strip()
        if not token or token in fillers or _NUMERIC.search(token):
            continue
        kept.append(token)
    return "".join(kept)


def _after_last_stop(text: str, stop: int, end: int) -> int:
    """Just after the last of ``_LEFT_STOPS`` in ``text[stop:end]`` (``stop`` when there is none):
    ``document.span_back(text, end, _LEFT_STOPS, floor=stop)``, as the first stop of the window reversed,
    found by one search instead of one per stop character (48 of them)."""
    last = _LEFT_STOP_RE.search(text[stop:end][::-1]) if end > stop else None
    return stop if last is None else end - last.start()


def _left_context(text: str, mention: NumberMention, floor: int) -> str:
    stop = max(floor, mention.start - _MAX_LEFT)
    i = _after_last_stop(text, stop, mention.start)
    if i > stop and text[i - 1] in _NUMERIC_CHARS:
        # stopped at a number: resume after that mention's unit ("调研6次执法检查4次")
        previous_end = last_number_end(text, max(floor, i - 16), mention.start)
        if previous_end is not None:
            i = max(i, previous_end)
    segment = text[i:mention.start]
    if "、" in segment:
        pieces = [p for p in segment.split("、") if p.strip()]
        if not pieces:
            return ""
        # "参加专题培训、开展入户走访、协助巡查等900多人次": an enumeration of the activities
        # counted together; the list head carries the verb phrase.  Otherwise the last item.
        if pieces[-1].rstrip().endswith("等") and len(pieces) > 1:
            return "、".join(pieces)
        return pieces[-1]
    return segment


def _right_context(text: str, mention: NumberMention) -> str:
    j = mention.end
    stop = min(len(text), mention.end + _MAX_RIGHT)
    while j < stop and text[j] not in _RIGHT_STOPS:
        j += 1
    return text[mention.end:j]


def subject_for(text: str, mention: NumberMention, *, clause_start: int | None = None) -> str:
    """What the figure counts, as a normalised phrase ("" if nothing is said).

    Reads the left context back to the nearest clause break or previous number (never
    before ``clause_start`` when given); when that holds nothing but verbs and fillers,
    reads the right context instead ("206件提案全部按时办结" -> "提案办结").
    """
    floor = 0 if clause_start is None else max(0, clause_start)
    left = _left_context(text, mention, floor)
    if "、" in left:
        head = left.split("、")[0]
        phrase = _strip(head)
    else:
        phrase = _strip(left)
    if not phrase:
        phrase = _strip(_right_context(text, mention))
    return normalise_subject(phrase) if phrase else ""
