"""Alignment of a report's passages with a reference document (PAN-style offsets on both sides).

1. Seed: every narrative paragraph of the report is matched to the reference paragraph with the same
   key if there is one, else to the one with which it shares the most character n-grams (an inverted
   index over the reference's n-grams: no all-pairs comparison of characters).
2. Extend and refine: the two paragraphs are aligned with rapidfuzz's Indel opcodes; equal blocks of
   at least ``MIN_BLOCK`` characters are clustered (gaps up to ``MAX_GAP``) and the densest cluster
   gives the boundaries on both sides, so a copied sentence inside a rewritten paragraph is cut out
   exactly.
3. Merge: pairs of consecutive paragraphs on both sides become one passage (``merge_pairs``).

Offsets index ``doc.text`` (``this_*``) and ``source.text`` (``source_*``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import chain

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from auditor.document import Document
from auditor.reuse.material import reuse_material
from auditor.reuse.text import Passage, passages

NGRAM = 6
MIN_SEED_SHARE = 0.25  # share of the paragraph's n-grams found in the candidate reference paragraph
MIN_BLOCK = 4
MAX_GAP = 40
MIN_MATCHED_CHARS = 10


@dataclass(slots=True)
class AlignedPair:
    """One paragraph of the report aligned with one paragraph of the reference."""

    this: Passage
    source: Passage
    this_start: int
    this_end: int
    source_start: int
    source_end: int
    matched: int  # characters in equal blocks inside the spans
    ratio: float  # rapidfuzz ratio of the two spans, 0..1


@dataclass(slots=True)
class AlignedPassage:
    """Consecutive aligned pairs: one passage of the report and its counterpart in the reference."""

    source_path: str
    pairs: list[AlignedPair]
    score: float = 0.0  # stale-passage score (0..1) once scored
    stale: bool = False
    features: dict = field(default_factory=dict)
    source_doc: Document | None = None

    @property
    def this_start(self) -> int:
        return self.pairs[0].this_start

    @property
    def this_end(self) -> int:
        return self.pairs[-1].this_end

    @property
    def source_start(self) -> int:
        return self.pairs[0].source_start

    @property
    def source_end(self) -> int:
        return self.pairs[-1].source_end

    def alignment(self, doc: Document, source: Document) -> dict:
        """The shape the HTML reporter renders side by side (texts included for absent documents)."""
        return {"source": self.source_path, "pairs": [
            {"left": {"start": p.this_start, "end": p.this_end, "text": doc.text[p.this_start:p.this_end]},
             "right": {"start": p.source_start, "end": p.source_end,
                       "text": source.text[p.source_start:p.source_end]},
             "score": round(p.ratio, 3)} for p in self.pairs]}


def _grams(text: str, n: int = NGRAM) -> set[str]:
    return {text[i:i + n] for i in range(len(text) - n + 1)} if len(text) >= n else {text}


def passage_grams(doc: Document) -> list[set[str]]:
    """The character n-grams of each passage's key (kept in its ReuseMaterial: a report is aligned
    with several references)."""
    material = reuse_material(doc)
    if material.grams is None:
        material.grams = [_grams(p.key) for p in passages(doc)]
    return material.grams


# Whether a paragraph already aligned with a reference is looked up instead of aligned again (see
# ``SourceIndex.aligned``); off, every paragraph is aligned one by one (the tests compare both ways).
SHARE_ALIGNMENTS = True


class SourceIndex:
    """The reference document's paragraphs, indexed by character n-gram (built once per reference).

    ``aligned`` remembers, per paragraph text aligned with this reference, where it aligned (relative
    to the paragraph's start) or that it did not: near-identical submissions (a copy with a line
    changed, the same report filed twice) hold the same paragraphs and share their references, so each
    paragraph is aligned once per reference, and the other copies take the result shifted to their
    own offsets. The alignment of a paragraph depends only on its text and the reference's, so the
    pairs are the same as aligning each copy on its own."""

    def __init__(self, source: Document) -> None:
        self.doc = source
        self.passages = passages(source)
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.exact: dict[str, int] = {}  # a paragraph's key → the first paragraph with exactly that key
        # (paragraph text, key) → (reference paragraph, this_start, this_end, source_start, source_end
        # relative to the paragraphs' starts, matched, ratio), or None: no counterpart
        self.aligned: dict[tuple[str, str], tuple | None] = {}
        self.reused = 0  # paragraphs taken from ``aligned`` (a measure, for tests and benchmarks)
        # the grams are not kept on the source Document: a batch's cross phase aligns with every
        # document in turn, and they would all stay in memory (``SourceIndex``es are cached instead)
        cached = reuse_material(source).grams
        grams_of = cached if cached is not None else [_grams(p.key) for p in self.passages]
        for i, (p, grams) in enumerate(zip(self.passages, grams_of)):
            self.exact.setdefault(p.key, i)
            for g in grams:
                self.postings[g].append(i)

    def best(self, key: str, grams: set[str] | None = None) -> tuple[int, float] | None:
        """The paragraph sharing the most n-grams with ``key`` (a paragraph with the same key first)."""
        same = self.exact.get(key)
        if same is not None:
            return same, 1.0
        grams = _grams(key) if grams is None else grams
        postings = self.postings
        votes: Counter[int] = Counter(chain.from_iterable(postings[g] for g in grams if g in postings))
        if not votes:
            return None
        # the most shared n-grams, the earliest paragraph among equals (not the first one met while
        # iterating a set of strings, whose order changes with the interpreter's hash seed)
        shared = max(votes.values())
        i = min(j for j, v in votes.items() if v == shared)
        share = shared / max(1, len(grams))
        return (i, share) if share >= MIN_SEED_SHARE else None


def align_pair(doc: Document, p: Passage, source: Document, q: Passage) -> AlignedPair | None:
    """Refine the boundaries of a seeded paragraph pair with rapidfuzz opcodes."""
    a = doc.text[p.start:p.end]
    b = source.text[q.start:q.end]
    blocks = [o for o in Indel.opcodes(a, b) if o.tag == "equal" and o.src_end - o.src_start >= MIN_BLOCK]
    if not blocks:
        return None
    clusters: list[list] = [[blocks[0]]]
    for o in blocks[1:]:
        prev = clusters[-1][-1]
        if o.src_start - prev.src_end <= MAX_GAP and o.dest_start - prev.dest_end <= MAX_GAP:
            clusters[-1].append(o)
        else:
            clusters.append([o])
    best = max(clusters, key=lambda c: sum(o.src_end - o.src_start for o in c))
    matched = sum(o.src_end - o.src_start for o in best)
    if matched < min(MIN_MATCHED_CHARS, len(p.key)):
        return None
    ts, te = best[0].src_start, best[-1].src_end
    ss, se = best[0].dest_start, best[-1].dest_end
    # a span that covers almost the whole paragraph is taken whole (clean PAN boundaries)
    if ts <= 3:
        ts = 0
    if len(a) - te <= 3:
        te = len(a)
    if ss <= 3:
        ss = 0
    if len(b) - se <= 3:
        se = len(b)
    ratio = fuzz.ratio(a[ts:te], b[ss:se]) / 100.0
    return AlignedPair(p, q, p.start + ts, p.start + te, q.start + ss, q.start + se, matched, ratio)


def align(doc: Document, source: Document | SourceIndex) -> list[AlignedPair]:
    """Every paragraph of ``doc`` that has a counterpart in ``source``, in the report's order."""
    index = source if isinstance(source, SourceIndex) else SourceIndex(source)
    out = []
    known = index.aligned if SHARE_ALIGNMENTS else None
    text = doc.text
    for p, grams in zip(passages(doc), passage_grams(doc)):
        if known is not None:
            memo_key = (text[p.start:p.end], p.key)
            if memo_key in known:
                index.reused += 1
                found = known[memo_key]
                if found is not None:
                    q, ts, te, ss, se, matched, ratio = found
                    out.append(AlignedPair(p, q, p.start + ts, p.start + te, q.start + ss, q.start + se,
                                           matched, ratio))
                continue
        hit = index.best(p.key, grams)
        pair = align_pair(doc, p, index.doc, index.passages[hit[0]]) if hit is not None else None
        if known is not None:
            known[memo_key] = None if pair is None else (
                pair.source, pair.this_start - p.start, pair.this_end - p.start, pair.source_start - pair.source.start,
                pair.source_end - pair.source.start, pair.matched, pair.ratio)
        if pair is not None:
            out.append(pair)
    return out


def merge_pairs(source_path: str, pairs: list[AlignedPair]) -> list[AlignedPassage]:
    """Group pairs that are consecutive paragraphs on both sides into passages."""
    out: list[AlignedPassage] = []
    for pair in pairs:
        last = out[-1].pairs[-1] if out else None
        if (last is not None and pair.this.index == last.this.index + 1
                and pair.source.index == last.source.index + 1):
            out[-1].pairs.append(pair)
        else:
            out.append(AlignedPassage(source_path, [pair]))
    return out
