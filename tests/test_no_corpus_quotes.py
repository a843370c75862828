"""No test, fixture or source literal quotes the seed or real reports.

Fixtures are written in our own words: tests may READ ../shared/seeds and ../shared/real at run
time, but must not carry their sentences, unit names or figures as string literals. This test
finds every run of at least RUN_CHARS characters that a literal in tests/ or auditor/ (a Python
string constant, docstrings included, a comment, or the whole text of any other text file) shares
with a corpus file, and fails on the distinctive ones.

Comparison: both sides NFKC-normalised (full- and half-width punctuation agree), whitespace and
the table bar "|" removed, figures of neighbouring cells kept one space apart. The corpora are
indexed both that way and with their cells run together, so a quote cannot hide behind another
table flattening or line breaks.

A shared run is distinctive when one of its RUN_CHARS-grams is held by fewer than GENRE_FILES
corpus files and has at least OWN_CHARS characters of its own, i.e. characters that are not
- inside a phrase of tests/corpus_generic_phrases.txt (the genre's standard names: report titles,
  headings, form columns, budget lines, the kinds of unit; see that file),
- a year, a heading ordinal or punctuation (GENERIC_TOKENS),
- a figure of at most SHORT_FIGURE significant digits, or part of a figure the run cuts off.
So a form header made of standard column names passes; a sentence, a place or unit name, or a
figure of the corpora (say "1296.47" or "3,702,118.25", if a corpus file held them) is a quote.

tests/corpus_quotes_pending.txt lists the quotes known in files this branch may not edit; each must
still be present (remove the line when the file is fixed) and no other quote is allowed.

Run as a script (`.venv/bin/python tests/test_no_corpus_quotes.py [--all]`) to list the quotes
(with --all, the generic shared runs too) and the corpus files that hold them.
"""
from __future__ import annotations

import ast
import functools
import io
import re
import sys
import tokenize
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS_DIRS = (SHARED / "seeds", SHARED / "real")
ALLOW_LIST = Path(__file__).resolve().parent / "corpus_generic_phrases.txt"
PENDING = Path(__file__).resolve().parent / "corpus_quotes_pending.txt"

# A shared run this long is examined; shorter ones are everyday phrases.
RUN_CHARS = 10
# A gram held by this many different corpus files is the genre's common wording.
GENRE_FILES = 4
# A gram needs this many characters of its own to be a quote: a run of standard header words may
# touch a word of ours ("…任务。绩效指标一级指标…").
OWN_CHARS = 3
# Figures with at most this many significant digits recur by chance ("10", "100%", "9.60", "2.75",
# "1,200,000.00"); longer ones are a report's own.
SHORT_FIGURE = 3
SCANNED_DIRS = ("tests", "auditor")
# The hand-annotated gold set records the seed's own spans and row labels by design: it is an
# annotation of a seed, not a fixture, and cannot be written in other words. The allow-list and
# the list of pending quotes hold corpus wording by their nature.
EXEMPT = ("tests/gold/claims_*.jsonl", "tests/corpus_generic_phrases.txt", "tests/corpus_quotes_pending.txt")
BINARY_SUFFIXES = {".docx", ".xlsx", ".xls", ".pdf", ".pyc", ".png", ".jpg", ".zip", ".gz",
                   ".pkl", ".bin", ".npy", ".doc", ".db", ".sqlite"}
# Always generic: a year ("2023年", "2024年度"), a heading ordinal ("一、", "(三)", "2、", "指标1:"),
# punctuation and ellipses.
GENERIC_TOKENS = re.compile(r"20\d\d年度?|[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)"
                            r"|(?<![\d.])\d{1,2}(?:、|\.(?!\d))|指标\d{1,2}:|[,。:;、“”()\[\] ]|\.{2,}|…+")
FIGURE = re.compile(r"(?<![\d.,])\d+(?:,\d{3})*(?:\.\d+)?%?")


def normalise(text: str, *, glued: bool = False) -> str:
    """NFKC, without whitespace and table bars; figures in neighbouring cells one space apart,
    or run together when ``glued``."""
    text = unicodedata.normalize("NFKC", text)
    if not glued:
        text = re.sub(r"(?<=[\d%.])[\s|]+(?=[\d.])", "\ue000", text)
    return re.sub(r"[\s|]+", "", text).replace("\ue000", " ")


@dataclass(frozen=True)
class SharedRun:
    path: str
    line: int
    run: str
    corpus_files: tuple[str, ...]
    distinctive: bool


def corpora_present() -> bool:
    return all(d.is_dir() and any(d.glob("*.txt")) for d in CORPUS_DIRS)


@functools.lru_cache(maxsize=1)
def corpus_grams() -> dict[str, frozenset[str]]:
    """Every RUN_CHARS-gram of the corpora (both forms), with the corpus files that hold it."""
    grams: dict[str, set[str]] = {}
    for directory in CORPUS_DIRS:
        for path in sorted(directory.glob("*.txt")):
            raw = path.read_text(encoding="utf-8", errors="replace")
            name = f"{directory.name}/{path.name}"
            for text in (normalise(raw), normalise(raw, glued=True)):
                for i in range(len(text) - RUN_CHARS + 1):
                    grams.setdefault(text[i:i + RUN_CHARS], set()).add(name)
    return {gram: frozenset(files) for gram, files in grams.items()}


def generic_phrases() -> list[str]:
    lines = ALLOW_LIST.read_text(encoding="utf-8").splitlines()
    return [normalise(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def pending_quotes() -> set[tuple[str, str]]:
    """(path, run) of the quotes listed as known, in files this branch may not edit."""
    out = set()
    for line in PENDING.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            path, run = line.split("\t", 1)
            out.add((path, run))
    return out


@functools.lru_cache(maxsize=4)
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Every occurrence of every phrase, overlapping ones too (the longest at each position)."""
    alternatives = "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    return re.compile(f"(?=({alternatives}))")


def _short_figure(figure: str) -> bool:
    return len(re.sub(r"\D", "", figure).strip("0")) <= SHORT_FIGURE


def shared_runs(text: str, grams: dict[str, frozenset[str]], phrases: list[str]) -> Iterator[tuple[str, frozenset[str], bool]]:
    """Maximal runs of ``text`` (normalised) made of corpus grams: (run, corpus files, distinctive)."""
    norm = normalise(text)
    covered = [False] * len(norm)  # generic: listed phrases, GENERIC_TOKENS, short figures
    spans = [(m.start(), m.start() + len(m.group(1))) for m in _phrase_pattern(tuple(phrases)).finditer(norm)]
    spans += [m.span() for m in GENERIC_TOKENS.finditer(norm)]
    spans += [m.span() for m in FIGURE.finditer(norm) if _short_figure(m.group())]
    for start, end in spans:
        covered[start:end] = [True] * (end - start)
    figure_at: list[tuple[int, int] | None] = [None] * len(norm)
    for m in FIGURE.finditer(norm):
        figure_at[m.start():m.end()] = [m.span()] * (m.end() - m.start())
    i = 0
    while i <= len(norm) - RUN_CHARS:
        if norm[i:i + RUN_CHARS] not in grams:
            i += 1
            continue
        j = i
        while j <= len(norm) - RUN_CHARS and norm[j:j + RUN_CHARS] in grams:
            j += 1
        end = j + RUN_CHARS - 1  # the run is norm[i:end]

        def own(p: int, i: int = i, end: int = end) -> bool:
            # not generic, and not part of a figure the run cuts ("99." of 99.18 against 99.12)
            fig = figure_at[p]
            return not covered[p] and (fig is None or (i <= fig[0] and fig[1] <= end))

        files: set[str] = set()
        distinctive = False
        for k in range(i, j):
            holders = grams[norm[k:k + RUN_CHARS]]
            files |= holders
            if len(holders) < GENRE_FILES and sum(own(p) for p in range(k, k + RUN_CHARS)) >= OWN_CHARS:
                distinctive = True
        yield norm[i:end], frozenset(files), distinctive
        i = end


def literals(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of each literal: Python string constants and comments, or a text file's whole text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        yield 1, text
        return
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string


def scanned_files() -> Iterator[Path]:
    for directory in SCANNED_DIRS:
        for path in sorted((ROOT / directory).rglob("*")):
            rel = path.relative_to(ROOT)
            if (not path.is_file() or path.suffix.lower() in BINARY_SUFFIXES or "__pycache__" in rel.parts
                    or any(rel.match(pattern) for pattern in EXEMPT)):
                continue
            yield path


def scan() -> list[SharedRun]:
    grams, phrases = corpus_grams(), generic_phrases()
    found = []
    for path in scanned_files():
        try:
            pieces = list(literals(path))
        except (UnicodeDecodeError, SyntaxError):
            continue  # not text, or not Python we can parse: nothing a fixture would hold
        for line, text in pieces:
            for run, files, distinctive in shared_runs(text, grams, phrases):
                found.append(SharedRun(path.relative_to(ROOT).as_posix(), line, run, tuple(sorted(files)), distinctive))
    return found


def _require_corpora() -> None:
    if not corpora_present():
        pytest.skip(f"corpora not found at {SHARED}/seeds and {SHARED}/real: nothing to compare against")


def test_no_literal_quotes_the_corpora() -> None:
    _require_corpora()
    quotes = [r for r in scan() if r.distinctive]
    pending = pending_quotes()
    new = [r for r in quotes if (r.path, r.run) not in pending]
    assert not new, "literals quoting the corpora (write them in our own words):\n" + "\n".join(
        f"{r.path}:{r.line}: {r.run!r} (also in {', '.join(r.corpus_files[:3])})" for r in new)
    gone = pending - {(r.path, r.run) for r in quotes}
    assert not gone, f"fixed, remove from {PENDING.name}: {sorted(gone)}"


def test_allow_list_holds_names_not_sentences_or_figures() -> None:
    for phrase in generic_phrases():
        assert len(phrase) <= 18 and not re.search(r"\d", phrase.replace("100%", "")), phrase
        assert not re.search(r"[。;!?]", phrase), phrase


def test_detector_flags_a_lifted_sentence_and_passes_genre_wording() -> None:
    """The detector itself, on text taken from the corpora at run time (nothing embedded): a
    stretch of a real report, re-flattened with other spaces, bars and full-width punctuation, is
    a quote; standard phrases run together are not; our own sentence shares nothing."""
    _require_corpora()
    grams, phrases = corpus_grams(), generic_phrases()
    lifted = None
    for path in sorted((SHARED / "real").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        # a line of prose of its own: long, and no gram of it in another corpus file
        for line in text.splitlines():
            norm = normalise(line)
            if len(norm) >= 30 and "|" not in line and all(
                    len(grams[norm[k:k + RUN_CHARS]]) == 1 for k in range(len(norm) - RUN_CHARS + 1)):
                lifted = line
                break
        if lifted:
            break
    assert lifted, "no line of prose found in the real corpus"
    disguised = " | ".join(lifted[i:i + 7] for i in range(0, len(lifted), 7)).replace(",", "，")
    assert any(d for _, _, d in shared_runs("前言：" + disguised + "。后记", grams, phrases))
    assert not any(d for _, _, d in shared_runs("".join(phrases[:40]), grams, phrases))
    assert not list(shared_runs("青禾县档案馆本年度修缮库房两处，完成数字化扫描一万一千页。", grams, phrases))


if __name__ == "__main__":
    show_all = "--all" in sys.argv
    for r in scan():
        if show_all or r.distinctive:
            mark = "QUOTE" if r.distinctive else "generic"
            print(f"{mark}\t{r.path}:{r.line}\t{len(r.run)}\t{r.run}\t{','.join(r.corpus_files[:3])}"
                  f"{'…' if len(r.corpus_files) > 3 else ''}({len(r.corpus_files)})")
