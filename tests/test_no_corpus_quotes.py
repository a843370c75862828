"""No test, fixture or source literal quotes the seed or real reports.

The project's fixtures are written in our own words: tests may READ ../shared/seeds and
../shared/real at run time, but must not carry their sentences, unit names or figures as
string literals. This test finds every run of at least RUN_CHARS consecutive characters that a
literal in tests/ or auditor/ shares with a corpus file, and fails on the distinctive ones.

Both sides are compared after NFKC normalisation (full-width and half-width punctuation agree)
with whitespace and the table bar "|" removed, so a quote cannot hide behind a different
table flattening or line breaks.

A shared run is generic, and allowed, when every RUN_CHARS-gram of it either occurs in at
least GENRE_FILES different corpus files (the wording of the genre: section headings, budget
table headers, the names of 三公 expenses), or lies inside an occurrence of a phrase listed in
tests/corpus_generic_phrases.txt (generic names that happen to be rare in our small corpora,
e.g. a table header that only a few files flatten). Anything else, a sentence, a unit or place
name, a figure, is a quote.

Run as a script (`.venv/bin/python tests/test_no_corpus_quotes.py`) to list every shared run,
generic ones included, with the corpus files that hold it.
"""
from __future__ import annotations

import ast
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS_DIRS = (SHARED / "seeds", SHARED / "real")
ALLOW_LIST = Path(__file__).resolve().parent / "corpus_generic_phrases.txt"

# A shared run this long is examined (shorter runs are everyday phrases).
RUN_CHARS = 10
# A RUN_CHARS-gram found in this many different corpus files is the genre's common wording.
GENRE_FILES = 4
# A gram with fewer characters than this outside the generic phrases is generic: a run of
# header words may touch a neighbouring word of our own ("…指标。绩效指标一级指标…").
OWN_CHARS = 3
# Where literals are looked for: Python string literals (docstrings included) and the whole
# text of every non-Python text file.
SCANNED_DIRS = ("tests", "auditor")
# The hand-annotated gold set records the seed's own spans and row labels by design: it is
# an annotation of the seed, not a fixture, and cannot be written in other words.
EXEMPT = ("tests/gold/claims_*.jsonl", "tests/corpus_generic_phrases.txt")
BINARY_SUFFIXES = {".docx", ".xlsx", ".xls", ".pdf", ".pyc", ".png", ".jpg", ".zip", ".gz",
                   ".pkl", ".bin", ".npy", ".doc", ".db", ".sqlite"}


def normalise(text: str, *, glued: bool = False) -> str:
    """NFKC, without whitespace and table bars. Figures in neighbouring cells stay apart (one space)
    unless ``glued``. The corpora are indexed in both forms, so a literal that runs a table's cells
    together matches a corpus table that keeps them apart, and the other way round."""
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


def corpus_grams() -> dict[str, frozenset[str]]:
    """Every RUN_CHARS-gram of the corpora, with the corpus files that hold it."""
    grams: dict[str, set[str]] = {}
    for directory in CORPUS_DIRS:
        for path in sorted(directory.glob("*.txt")):
            raw = path.read_text(encoding="utf-8", errors="replace")
            name = f"{directory.name}/{path.name}"
            for text in (normalise(raw), normalise(raw, glued=True)):
                for i in range(len(text) - RUN_CHARS + 1):
                    grams.setdefault(text[i:i + RUN_CHARS], set()).add(name)
    return {gram: frozenset(files) for gram, files in grams.items()}


# Always generic besides the listed phrases: a year ("2023年", "2024年度"), a heading ordinal
# ("一、", "(三)", "2、", "指标1:"), punctuation, and a figure of at most SHORT_FIGURE significant
# digits ("10", "100%", "9.60", "1,200,000.00", "2.75"): such figures recur by chance in any two
# reports; a longer one ("1296.47", "4,614,453.11") is a report's own and counts as a quote.
GENERIC_TOKENS = re.compile(r"20\d\d年度?|[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|(?<![\d.])\d{1,2}(?:、|\.(?!\d))"
                            r"|指标\d{1,2}:|[,。:;、“”()\[\] ]|\.{2,}|…+")
FIGURE = re.compile(r"(?<![\d.,])\d+(?:,\d{3})*(?:\.\d+)?%?")
SHORT_FIGURE = 3


def _short_figure(figure: str) -> bool:
    return len(re.sub(r"\D", "", figure).strip("0")) <= SHORT_FIGURE


def generic_phrases() -> list[str]:
    lines = ALLOW_LIST.read_text(encoding="utf-8").splitlines()
    return [normalise(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def literals(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of each literal: Python string constants, or a text file's whole text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        yield 1, text
        return
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def shared_runs(text: str, grams: dict[str, frozenset[str]], phrases: list[str]) -> Iterator[tuple[str, frozenset[str], bool]]:
    """Maximal runs of `text` made of corpus grams: (run, corpus files, distinctive)."""
    norm = normalise(text)
    covered = [False] * len(norm)  # generic wording: listed phrases, GENERIC_TOKENS, short figures
    spans = [m.span() for phrase in phrases for m in re.finditer(re.escape(phrase), norm)]
    spans += [m.span() for m in GENERIC_TOKENS.finditer(norm)]
    spans += [m.span() for m in FIGURE.finditer(norm) if _short_figure(m.group())]
    for start, end in spans:
        covered[start:end] = [True] * (end - start)
    figure_at: list[tuple[int, int] | None] = [None] * len(norm)  # the figure each character belongs to
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

        def own(p: int) -> bool:
            # our own character: not generic, and not part of a figure the run cuts (a shared "99." of
            # "99.18" against "99.12" shares no figure)
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
            continue
        for line, text in pieces:
            for run, files, distinctive in shared_runs(text, grams, phrases):
                found.append(SharedRun(str(path.relative_to(ROOT)), line, run, tuple(sorted(files)), distinctive))
    return found


def _corpora_present() -> bool:
    return all(d.is_dir() and any(d.glob("*.txt")) for d in CORPUS_DIRS)


def test_no_literal_quotes_the_corpora() -> None:
    if not _corpora_present():
        pytest.skip(f"corpora not found at {SHARED}/seeds and {SHARED}/real: nothing to compare against")
    quotes = [r for r in scan() if r.distinctive]
    assert not quotes, "literals quoting the corpora (write fixtures in our own words):\n" + "\n".join(
        f"{r.path}:{r.line}: {r.run!r} (also in {', '.join(r.corpus_files[:3])})" for r in quotes)


def test_detector_flags_a_quote_and_passes_genre_wording() -> None:
    """The detector itself: a sentence lifted from a corpus file is distinctive; the allow-listed
    wording is not; our own invented sentence shares nothing."""
    if not _corpora_present():
        pytest.skip(f"corpora not found at {SHARED}/seeds and {SHARED}/real: nothing to compare against")
    grams, phrases = corpus_grams(), generic_phrases()
    # A sentence-length slice from the middle of a real file, taken at run time (not embedded).
    sample = next(p for p in sorted((SHARED / "real").glob("*.txt")) if len(normalise(p.read_text(encoding="utf-8"))) > 400)
    lifted = normalise(sample.read_text(encoding="utf-8"))[200:230]
    runs = list(shared_runs("前言" + lifted + "后记", grams, phrases))
    assert runs and any(distinctive for _, _, distinctive in runs)
    assert all(not d for _, _, d in shared_runs("".join(phrases[:3]), grams, phrases))
    assert not list(shared_runs("青禾县档案馆本年度修缮库房两处，完成数字化扫描一万一千页。", grams, phrases))


if __name__ == "__main__":
    show_all = "--all" in sys.argv
    for r in scan():
        if show_all or r.distinctive:
            mark = "QUOTE" if r.distinctive else "generic"
            print(f"{mark}\t{r.path}:{r.line}\t{len(r.run)}\t{r.run}\t{','.join(r.corpus_files[:3])}"
                  f"{'…' if len(r.corpus_files) > 3 else ''}({len(r.corpus_files)})")
