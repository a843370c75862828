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

from collections.abc import Container
from dataclasses import dataclass, field

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


_BITS = 21  # a code point fits in 21 bits: three of them in one uint64
_MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F)


def gram_table(keys: list[str]) -> tuple:
    """The distinct character ``NGRAM``-grams of each key (the sets ``_grams`` makes), as arrays:
    ``(key number, high, low, hash)``, one row per distinct (key, gram). A gram is encoded exactly:
    its six code points (+1; 0 pads a key shorter than six characters, which is its own one gram) in
    two uint64 of three 21-bit fields; ``hash`` mixes the two for sorting and searching (equal
    grams have equal hashes; a match is always confirmed on ``high`` and ``low``). The rows come
    sorted by ``hash`` (rows of one hash in no particular order)."""
    import numpy as np

    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    codes = np.frombuffer("".join(keys).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    codes += np.uint64(1)
    codes = np.concatenate([codes, np.zeros(NGRAM, dtype=np.uint64)])
    starts = np.cumsum(lengths) - lengths
    windows = np.maximum(lengths - NGRAM + 1, 1)  # a short key: one window, the key itself
    key_of = np.repeat(np.arange(len(keys), dtype=np.int64), windows)
    at = np.repeat(starts - np.cumsum(windows) + windows, windows) + np.arange(int(windows.sum()), dtype=np.int64)
    cols = [codes[at + j] for j in range(NGRAM)]
    if (lengths < NGRAM).any():  # a short key's window ends with the key: the code points after it are 0
        rows = np.flatnonzero(lengths[key_of] < NGRAM)
        width = lengths[key_of[rows]]
        for j in range(NGRAM):
            cols[j][rows[width <= j]] = 0
    shift = np.uint64(_BITS)
    high = cols[0] << shift
    high |= cols[1]
    high <<= shift
    high |= cols[2]
    low = cols[3] << shift
    low |= cols[4]
    low <<= shift
    low |= cols[5]
    mixed = _mixed(high, low)
    # the distinct rows: sorted by one hash of (key, gram), not by the three columns (half the time);
    # equal rows have equal hashes, so each run of one hash holds one row unless two rows collide,
    # and then the three columns are sorted instead. Every reader counts the rows (bincount,
    # searchsorted): none depends on their order for its result
    salted = mixed ^ (key_of.astype(np.uint64) * np.uint64(_MIX[1]))
    order = np.argsort(salted)
    key_of, high, low, mixed, salted = key_of[order], high[order], low[order], mixed[order], salted[order]
    if len(key_of):
        same_row = (key_of[1:] == key_of[:-1]) & (high[1:] == high[:-1]) & (low[1:] == low[:-1])
        if ((salted[1:] == salted[:-1]) & ~same_row).any():  # two rows with one hash
            order = np.lexsort((low, high, key_of))
            key_of, high, low, mixed = key_of[order], high[order], low[order], mixed[order]
            same_row = (key_of[1:] == key_of[:-1]) & (high[1:] == high[:-1]) & (low[1:] == low[:-1])
        first = np.concatenate(([True], ~same_row))
        key_of, high, low, mixed = key_of[first], high[first], low[first], mixed[first]
        # then by gram hash: a query's hashes, in order, are searched ~3 times faster
        # (``SourceIndex.best_many``), and a SourceIndex's own sort finds them in order
        order = np.argsort(mixed)
        key_of, high, low, mixed = key_of[order], high[order], low[order], mixed[order]
    return key_of, high, low, mixed


def _mixed(high, low):
    """The hash of encoded grams (equal grams, equal hashes)."""
    import numpy as np

    return high * np.uint64(_MIX[0]) ^ ((low * np.uint64(_MIX[1])) >> np.uint64(7)) ^ low


def passage_grams(doc: Document) -> tuple:
    """The :func:`gram_table` of the passages' keys (kept in its ReuseMaterial: a report is aligned
    with several references)."""
    material = reuse_material(doc)
    if material.grams is None:
        material.grams = gram_table([p.key for p in passages(doc)])
    return material.grams


# Whether a paragraph already aligned with a reference is looked up instead of aligned again (see
# ``SourceIndex.aligned``); off, every paragraph is aligned one by one (the tests compare both ways).
SHARE_ALIGNMENTS = True


class SourceIndex:
    """The reference document's paragraphs, indexed by character n-gram (built once per reference):
    the (gram, paragraph) rows of :func:`gram_table`, sorted by the grams' hash, searched with numpy.

    ``aligned`` remembers, per paragraph text aligned with this reference, where it aligned (relative
    to the paragraph's start) or that it did not: near-identical submissions (a copy with a line
    changed, the same report filed twice) hold the same paragraphs and share their references, so each
    paragraph is aligned once per reference, and the other copies take the result shifted to their
    own offsets. The alignment of a paragraph depends only on its text and the reference's, so the
    pairs are the same as aligning each copy on its own."""

    def __init__(self, source: Document) -> None:
        import numpy as np

        self.doc = source
        self.passages = passages(source)
        self.exact: dict[str, int] = {}  # a paragraph's key → the first paragraph with exactly that key
        for i, p in enumerate(self.passages):
            self.exact.setdefault(p.key, i)
        # (paragraph text, key) → (reference paragraph, this_start, this_end, source_start, source_end
        # relative to the paragraphs' starts, matched, ratio), or None: no counterpart
        self.aligned: dict[tuple[str, str], tuple | None] = {}
        self.reused = 0  # paragraphs taken from ``aligned`` (a measure, for tests and benchmarks)
        # the grams are not kept on the source Document: a batch's cross phase aligns with every
        # document in turn, and they would all stay in memory (``SourceIndex``es are cached instead)
        cached = reuse_material(source).grams
        # the rows sorted by hash, as gram_table gives them
        self._para, self._high, self._low, self._mixed = (
            cached if cached is not None else gram_table([p.key for p in self.passages]))
        # each distinct hash once, with where its run of rows starts and how long it is: a query is
        # then one binary search (not one for each end of the run)
        first = np.empty(len(self._mixed), dtype=bool)
        first[:1] = True
        np.not_equal(self._mixed[1:], self._mixed[:-1], out=first[1:])
        self._run_start = np.flatnonzero(first)
        self._run_hash = self._mixed[self._run_start]
        self._run_length = np.diff(self._run_start, append=len(self._mixed))

    def best_many(self, grams: tuple, wanted: list[int]) -> dict[int, tuple[int, float] | None]:
        """:meth:`best` for the keys numbered ``wanted`` of a :func:`gram_table` (``grams``), at once."""
        import numpy as np

        key_of, high, low, mixed = grams
        out: dict[int, tuple[int, float] | None] = dict.fromkeys(wanted)
        if not wanted or not len(self._mixed):
            return out
        n_keys = int(key_of.max()) + 1 if len(key_of) else 0
        if len(wanted) == n_keys:  # every key (wanted holds distinct key numbers): every row
            q_key, q_high, q_low, q_mixed = key_of, high, low, mixed
        else:
            asked = np.zeros(n_keys, dtype=bool)
            asked[np.asarray(wanted, dtype=np.int64)] = True
            rows = np.flatnonzero(asked[key_of])
            q_key, q_high, q_low, q_mixed = key_of[rows], high[rows], low[rows], mixed[rows]
        run = np.searchsorted(self._run_hash, q_mixed)
        run[run == len(self._run_hash)] = 0  # past the last hash: no run (the hash compared below differs)
        found = self._run_hash[run] == q_mixed
        left = self._run_start[run]
        counts = np.where(found, self._run_length[run], 0)
        total = int(counts.sum())
        sizes = np.bincount(q_key, minlength=n_keys)
        if total == 0:
            return out
        query = np.repeat(np.arange(len(q_mixed)), counts)
        at = np.repeat(left - (np.cumsum(counts) - counts), counts) + np.arange(total)
        same = (self._high[at] == q_high[query]) & (self._low[at] == q_low[query])  # a hash is never trusted alone
        n_paras = len(self.passages)
        votes = np.bincount(q_key[query[same]] * n_paras + self._para[at[same]],
                            minlength=(int(q_key.max()) + 1) * n_paras if len(q_key) else 0)
        votes = votes.reshape(-1, n_paras) if n_paras else votes.reshape(-1, 1)
        asked_votes = votes[np.asarray(wanted, dtype=np.int64)]
        # the most shared n-grams, the earliest paragraph among equals
        most, first = asked_votes.max(axis=1).tolist(), asked_votes.argmax(axis=1).tolist()
        for k, shared, paragraph in zip(wanted, most, first):
            if shared == 0:
                continue
            share = shared / max(1, int(sizes[k]))
            out[k] = (paragraph, share) if share >= MIN_SEED_SHARE else None
        return out

    def best(self, key: str, grams: tuple | None = None) -> tuple[int, float] | None:
        """The paragraph sharing the most n-grams with ``key`` (a paragraph with the same key first)."""
        same = self.exact.get(key)
        if same is not None:
            return same, 1.0
        return self.best_many(gram_table([key]) if grams is None else grams, [0])[0]


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


def align(doc: Document, source: Document | SourceIndex, only: Container[int] | None = None) -> list[AlignedPair]:
    """Every paragraph of ``doc`` that has a counterpart in ``source``, in the report's order; with
    ``only``, only the paragraphs numbered in it (their ``Passage.index``)."""
    index = source if isinstance(source, SourceIndex) else SourceIndex(source)
    out = []
    known = index.aligned if SHARE_ALIGNMENTS else None
    mine = passages(doc)
    memo_keys = _memo_keys(doc, mine) if known is not None else None
    # the seeds of the paragraphs neither aligned before nor present verbatim, found at once
    searched = index.best_many(passage_grams(doc), [
        k for k, p in enumerate(mine)
        if (only is None or k in only) and (known is None or memo_keys[k] not in known) and p.key not in index.exact])
    for k, p in enumerate(mine):
        if only is not None and k not in only:
            continue
        if known is not None:
            memo_key = memo_keys[k]
            if memo_key in known:
                index.reused += 1
                found = known[memo_key]
                if found is not None:
                    q, ts, te, ss, se, matched, ratio = found
                    out.append(AlignedPair(p, q, p.start + ts, p.start + te, q.start + ss, q.start + se,
                                           matched, ratio))
                continue
        same = index.exact.get(p.key)
        hit = (same, 1.0) if same is not None else searched[k]
        pair = align_pair(doc, p, index.doc, index.passages[hit[0]]) if hit is not None else None
        if known is not None:
            known[memo_key] = None if pair is None else (
                pair.source, pair.this_start - p.start, pair.this_end - p.start, pair.source_start - pair.source.start,
                pair.source_end - pair.source.start, pair.matched, pair.ratio)
        if pair is not None:
            out.append(pair)
    return out


def _memo_keys(doc: Document, mine: list[Passage]) -> list[tuple[str, str]]:
    """Each passage's (text, key), under which ``SourceIndex.aligned`` remembers its alignment (kept in
    the ReuseMaterial with the passages: a report is aligned with each of its candidates)."""
    material = reuse_material(doc)
    if material.memo_keys is None:
        text = doc.text
        material.memo_keys = [(text[p.start:p.end], p.key) for p in mine]
    return material.memo_keys


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
