"""The reference index: MinHash LSH over paragraph shingles plus TF-IDF character n-gram vectors.

``ReuseIndex`` holds reference documents (path, unit, year, text). ``finalize()`` builds, vectorised over
all paragraphs at once (numpy):

- shingles: hashed character 5-grams of each paragraph's meaning with digits masked ("#"), so a
  template sentence with new figures still shares its shingles;
- template masking: shingles found in the paragraphs of at least ``max(3, 20 %)`` of the units are
  template words (headings, "存在的问题" boilerplate) and are dropped before MinHash, so template
  paragraphs never make two reports look related;
- MinHash signatures (``NUM_PERM`` multiply-shift permutations) and their LSH bands (Jaccard threshold
  ``LSH_THRESHOLD``; bands and rows as datasketch's ``MinHashLSH`` chooses them). A document that is not
  in the index is queried through a datasketch ``MinHashLSH`` over the same signatures; the index's own
  documents (a batch comparing with itself) get all their candidates at once from a sparse self-join
  of the bands, which finds exactly the pairs the LSH query would. Never all pairs of paragraphs;
- per paragraph, the units that share its digit-masked text (for template detection, RU505);
- per document, a TF-IDF vector of hashed character 2-3-grams of the text with its figures
  (sublinear tf, smoothed idf: :class:`SublinearTfidf`, scikit-learn's formula) to rank candidates
  (figures tell a copy from the same template filled in with new figures).

``save``/``load`` persist everything with a format version; a mismatch raises ``IndexVersionError``.
"""

from __future__ import annotations

import os
import pickle
import re
import threading
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from auditor.document import Document
from auditor.errors import AuditorError
from auditor.heap import trim_heap
from auditor.reuse.material import DocumentSketch, reuse_material
from auditor.reuse.text import passages

if TYPE_CHECKING:  # imported where used: a batch worker never needs them (0.5 s of imports)
    from datasketch import MinHashLSH
    from scipy import sparse


def _scipy_sparse():
    """``scipy.sparse``, imported on first use (:func:`auditor.runner.startup.import_scipy_sparse`)."""
    from auditor.runner.startup import import_scipy_sparse

    return import_scipy_sparse()


INDEX_VERSION = 3  # 3: the TF-IDF weights are SublinearTfidf (no scikit-learn object)
NUM_PERM = 64
LSH_THRESHOLD = 0.5
LSH_BANDS = (14, 4)  # (bands, rows) datasketch's MinHashLSH chooses for LSH_THRESHOLD and NUM_PERM (tested)
SHINGLE = 5
TEMPLATE_UNITS_MIN = 3
TEMPLATE_UNITS_SHARE = 0.2
MIN_SHINGLES = 4
NGRAM_FEATURES = 1 << 20  # hashed character 2-3-gram space of the TF-IDF vectors
_FULL_COSINE_MAX = 50  # batches up to this size rank every document by TF-IDF cosine
_CHUNK = 1 << 21  # shingles per signature chunk (bounds the temporary arrays)
# threads computing an index's signatures (a batch builds its index with the cores its workers left)
_SIGNATURE_THREADS = min(2, os.cpu_count() or 1)
_DIGITS_RE = re.compile(r"\d+(?:\.\d+)?")
_MASK32 = np.uint64(0xFFFFFFFF)
_ROLL = np.uint64(1000003)
_SHIFT32 = np.uint64(32)
_EMPTY = np.zeros(0, dtype=np.uint64)


class IndexVersionError(AuditorError):
    """The index file was written by another version of the format."""


def masked_key(key: str) -> str:
    """A paragraph's meaning with every figure replaced by "#" (years too)."""
    return _DIGITS_RE.sub("#", key)


def key_hash(key: str) -> int:
    """A stable hash (crc32, independent of the process) of a digit-masked paragraph key."""
    return zlib.crc32(masked_key(key).encode("utf-8"))


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)


def shingle_table(texts: Sequence[str], k: int = SHINGLE) -> tuple[np.ndarray, np.ndarray]:
    """The distinct hashed character k-grams of every text, computed at once: ``(text ids, hashes)``,
    sorted by text id, then hash (a polynomial rolling hash mod 2^32; texts shorter than k have none)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    codes = _codes("".join(texts))
    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64), _EMPTY
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        h = (h * _ROLL + codes[j:j + n]) & _MASK32
    ids = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[:n]
    starts = np.cumsum(lengths) - lengths
    inside = (np.arange(n, dtype=np.int64) - starts[ids]) <= lengths[ids] - k  # the window ends in its text
    combined = _distinct((ids[inside].astype(np.uint64) << _SHIFT32) | h[inside])
    return (combined >> _SHIFT32).astype(np.int64), combined & _MASK32


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Whether each value is in ``sorted_set`` (sorted, distinct): a lookup of each value's low bits in
    a table of the set's low bits (about one value in 64 passes where it is not in the set), then a binary
    search for the values that pass, a block of values at a time (a large batch's shingles are millions).
    At 400 reports, 770,000 shingles against 800 template ones: 35 ms searching them all, ~10 ms so."""
    out = np.zeros(len(values), dtype=bool)
    if len(sorted_set) == 0:
        return out
    bits = int(min(24, max(12, np.ceil(np.log2(64 * len(sorted_set))))))
    table = np.zeros(1 << bits, dtype=bool)
    table[sorted_set & sorted_set.dtype.type((1 << bits) - 1)] = True
    low = values.dtype.type((1 << bits) - 1)
    for first in range(0, len(values), _BLOCK):
        block = values[first:first + _BLOCK]
        maybe = np.flatnonzero(np.take(table, block & low))
        if not len(maybe):
            continue
        candidates = block[maybe]
        at = np.searchsorted(sorted_set, candidates)
        np.minimum(at, len(sorted_set) - 1, out=at)
        out[first + maybe] = sorted_set[at] == candidates
    return out


def _template_shingles(hashes: np.ndarray, ids: np.ndarray, units: np.ndarray, min_units: int) -> np.ndarray:
    """The distinct shingle hashes (< 2^32) of ``hashes`` that the paragraphs of at least ``min_units``
    distinct units hold (``units``: the unit of each paragraph id), sorted. The hashes are taken a range
    of values at a time (``_PARTITION`` shingles or so), each range as one uint64 a (shingle, unit) pair
    sorted and made distinct in place: a large batch's shingles are tens of millions."""
    parts = max(1, -(-len(hashes) // _PARTITION))
    sizes = np.zeros(parts, dtype=np.int64)
    for first in range(0, len(hashes), _BLOCK):
        sizes += np.bincount(_partition_of(hashes[first:first + _BLOCK], parts), minlength=parts)
    found = []
    for part in range(parts):
        pairs = np.empty(int(sizes[part]), dtype=np.uint64)
        n = 0
        for first in range(0, len(hashes), _BLOCK):
            block = hashes[first:first + _BLOCK]
            inside = _partition_of(block, parts) == part
            taken = block[inside].astype(np.uint64)
            taken <<= np.uint64(20)
            taken |= units[ids[first:first + _BLOCK][inside]]
            pairs[n:n + len(taken)] = taken
            n += len(taken)
        found.append(_held_by_enough_units(pairs, min_units))
        del pairs
    return np.concatenate(found) if found else np.zeros(0, dtype=np.uint64)


def _kept_in_place(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``values[keep]`` as the front of ``values`` (moved there a block at a time: no copy of the whole)."""
    n = 0
    for first in range(0, len(values), _BLOCK):
        kept = values[first:first + _BLOCK][keep[first:first + _BLOCK]]
        values[n:n + len(kept)] = kept
        n += len(kept)
    return values[:n]


def _partition_of(hashes: np.ndarray, parts: int) -> np.ndarray:
    """The value range (0 .. parts - 1) of each 32-bit hash: ranges of equal width, in order."""
    if parts == 1:
        return np.zeros(len(hashes), dtype=np.int64)
    return ((hashes.astype(np.uint64) * np.uint64(parts)) >> _SHIFT32).astype(np.int64)


def _held_by_enough_units(pairs: np.ndarray, min_units: int) -> np.ndarray:
    """The distinct shingles (sorted) of ``pairs`` ((shingle << 20) | unit, uint64; sorted and changed in
    place) that at least ``min_units`` distinct units hold."""
    pairs.sort()
    n, previous = 0, None  # (shingle, unit) pairs kept once each, moved to the front: writes never pass reads
    for first in range(0, len(pairs), _BLOCK):
        block = pairs[first:first + _BLOCK]
        new = np.ones(len(block), dtype=bool)
        np.not_equal(block[1:], block[:-1], out=new[1:])
        if previous is not None and block[0] == previous:
            new[0] = False
        previous = block[-1].copy()
        kept = block[new]
        pairs[n:n + len(kept)] = kept
        n += len(kept)
    shingles = pairs[:n]
    shingles >>= np.uint64(20)
    # sorted: a shingle held by min_units units is one whose value is also min_units - 1 places on
    found = []
    reach = max(1, min_units) - 1
    for first in range(0, max(0, n - reach), _BLOCK):
        block = shingles[first:min(first + _BLOCK, n - reach)]
        found.append(block[block == shingles[first + reach:first + reach + len(block)]])
    return _distinct(np.concatenate(found)) if found else np.zeros(0, dtype=np.uint64)


_PARTITION = 1 << 22  # shingles counted at a time by _template_shingles (32 MB of pairs)
_BLOCK = 1 << 20  # values per block of the blockwise array operations


def _shared_keys(key_hashes: np.ndarray, units: np.ndarray) -> dict[int, tuple[int, ...]]:
    """Digit-masked paragraph key hash → the units (more than one) whose paragraphs have that key."""
    pairs = _distinct((key_hashes.astype(np.uint64) << np.uint64(20)) | units)
    keys, unit_ids = pairs >> np.uint64(20), pairs & np.uint64((1 << 20) - 1)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, dtype=np.int64)
    ends = np.r_[starts[1:], len(keys)]
    return {int(keys[a]): tuple(unit_ids[a:b].tolist()) for a, b in zip(starts, ends) if b - a > 1}


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sort and compare: faster than np.unique's hash path on large arrays)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def shingles(text: str, k: int = SHINGLE) -> np.ndarray:
    """Distinct hashed character k-grams of ``text`` as uint64 (see :func:`shingle_table`)."""
    return shingle_table([text], k)[1]


_rng = np.random.RandomState(20240611)
# multiply-shift hashing: h(x) = ((a·x + b) mod 2^64) >> 32 with a odd; values < 2^32
_A = (_rng.randint(1, 1 << 62, size=NUM_PERM, dtype=np.int64).astype(np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.randint(0, 1 << 62, size=NUM_PERM, dtype=np.int64).astype(np.uint64)


def signature_table(ids: np.ndarray, hashes: np.ndarray, threads: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures of the groups of ``hashes`` that share an id (``ids`` sorted):
    ``(group ids, signatures)``, the signatures a (groups, NUM_PERM) uint32 array. With ``threads`` > 1
    the chunks of groups are computed in that many threads (numpy's loops run without the GIL); each
    signature is computed alone, so the table is the same."""
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, NUM_PERM), dtype=np.uint32)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    out = np.empty((len(starts), NUM_PERM), dtype=np.uint32)
    bounds = np.r_[starts, len(hashes)]
    size = min(_CHUNK, -(-len(hashes) // max(1, threads)))  # a chunk per thread at least
    chunks = []
    first = 0
    while first < len(starts):  # chunks of whole groups, about ``size`` shingles each
        last = max(first + 1, int(np.searchsorted(bounds, bounds[first] + size, side="right")) - 1)
        last = min(last, len(starts))
        chunks.append((first, last))
        first = last

    def fill(chunk: tuple[int, int]) -> None:
        first, last = chunk
        lo, hi = bounds[first], bounds[last]
        part, offsets = hashes[lo:hi], starts[first:last] - lo
        permuted = np.empty(hi - lo, dtype=np.uint64)  # one temporary, each permutation computed in it
        for j in range(NUM_PERM):
            np.multiply(part, _A[j], out=permuted, casting="unsafe")
            permuted += _B[j]
            permuted >>= _SHIFT32
            out[first:last, j] = np.minimum.reduceat(permuted, offsets)

    if threads > 1 and len(chunks) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(fill, chunks))
    else:
        for chunk in chunks:
            fill(chunk)
    return ids[starts], out


def signature(hashed: np.ndarray) -> np.ndarray:
    """MinHash signature of one set of hashed shingles (see :func:`signature_table`)."""
    return signature_table(np.zeros(len(hashed), dtype=np.int64), np.sort(hashed))[1][0]


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_NGRAM_SHIFT = np.uint64(64 - NGRAM_FEATURES.bit_length() + 1)
_B21 = np.uint64(21)


def ngram_row(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The hashed character 2- and 3-grams of ``text`` and their counts: (features int32, counts in the
    smallest type that holds them exactly: uint8, uint16, else float32). A batch keeps every report's
    counts until its index is built: one byte a count instead of four, most of the time."""
    c = _codes(text) + np.uint64(1)  # code points < 2^21, never 0: bigrams < 2^42 <= trigrams
    grams = np.concatenate([(c[:-1] << _B21) | c[1:], (((c[:-2] << _B21) | c[1:-1]) << _B21) | c[2:]])
    features, n = np.unique((grams * _GOLDEN) >> _NGRAM_SHIFT, return_counts=True)
    top = int(n.max()) if len(n) else 0
    counts_type = np.uint8 if top <= 0xFF else np.uint16 if top <= 0xFFFF else np.float32
    return features.astype(np.int32), n.astype(counts_type)


def ngram_counts(rows: Sequence[tuple[np.ndarray, np.ndarray]]) -> sparse.csr_matrix:
    """The (documents, NGRAM_FEATURES) count matrix of :func:`ngram_row` results."""
    sparse = _scipy_sparse()

    indptr = np.r_[0, np.cumsum([len(features) for features, _ in rows])]
    data = np.concatenate([c for _, c in rows]).astype(np.float32, copy=False) if rows else np.zeros(0, np.float32)
    return sparse.csr_matrix((data,
                              np.concatenate([f for f, _ in rows]) if rows else np.zeros(0, np.int32), indptr),
                             shape=(len(rows), NGRAM_FEATURES))


def _take_ngram_counts(sketches: list[DocumentSketch | None]) -> sparse.csr_matrix:
    """:func:`ngram_counts` of the sketches, each sketch's n-grams let go once copied (the sketch is
    replaced by one without them) and their memory given back as it goes: a large batch never holds
    its sketches' n-grams and the count matrix at once."""
    sparse = _scipy_sparse()

    sizes = np.fromiter((len(s.ngram_features) for s in sketches), dtype=np.int64, count=len(sketches))
    indptr = np.r_[0, np.cumsum(sizes)]
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    data = np.empty(int(indptr[-1]), dtype=np.float32)
    for i, sketch in enumerate(sketches):
        indices[indptr[i]:indptr[i + 1]] = sketch.ngram_features
        data[indptr[i]:indptr[i + 1]] = sketch.ngram_counts
        sketches[i] = DocumentSketch(sketch.key_hashes, sketch.shingle_ids, sketch.shingle_hashes,
                                     _NO_NGRAMS, _NO_COUNTS)
        if (i + 1) % _TRIM_EVERY == 0:
            trim_heap()
    trim_heap()
    return sparse.csr_matrix((data, indices, indptr), shape=(len(sketches), NGRAM_FEATURES))


def _take_shingles(sketches: list[DocumentSketch | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sketches' paragraph key hashes (uint32), shingle paragraph ids (int32, numbered across the
    documents in order) and shingle hashes (uint32), concatenated; each sketch is let go once copied
    (``sketches`` is left all None) and the memory given back as it goes."""
    n_keys = sum(len(s.key_hashes) for s in sketches)
    n_shingles = sum(len(s.shingle_hashes) for s in sketches)
    key_hashes = np.empty(n_keys, dtype=np.uint32)
    ids = np.empty(n_shingles, dtype=np.int32)  # a batch's shingles are its largest arrays: 32 bits
    hashes = np.empty(n_shingles, dtype=np.uint32)
    paragraph = shingle = 0
    for i, sketch in enumerate(sketches):
        k, n = len(sketch.key_hashes), len(sketch.shingle_hashes)
        key_hashes[paragraph:paragraph + k] = sketch.key_hashes
        np.add(sketch.shingle_ids, paragraph, out=ids[shingle:shingle + n], casting="unsafe")
        hashes[shingle:shingle + n] = sketch.shingle_hashes
        paragraph, shingle = paragraph + k, shingle + n
        sketches[i] = None
        if (i + 1) % _TRIM_EVERY == 0:
            trim_heap()
    trim_heap()
    return key_hashes, ids, hashes


_TRIM_EVERY = 1024  # sketches copied between two returns of freed memory (heap.trim_heap)


class SublinearTfidf:
    """TF-IDF weights with sublinear term frequency, smoothed idf and L2-normalised rows: what
    scikit-learn's ``TfidfTransformer(sublinear_tf=True)`` computes (``tests/test_reuse_compiled.py``
    compares the two), without importing scikit-learn (a second of CPU in every batch)."""

    def __init__(self) -> None:
        self.idf_: np.ndarray | None = None

    def fit_transform(self, counts: sparse.csr_matrix, copy: bool = True) -> sparse.csr_matrix:
        """Learn the idf of ``counts`` and return its weights (in place with ``copy=False``)."""
        n_docs = counts.shape[0] + 1  # smoothing: one more document containing every term once
        df = np.zeros(counts.shape[1], dtype=np.int64)
        for first in range(0, len(counts.indices), _BLOCK):  # bincount copies its input as int64
            df += np.bincount(counts.indices[first:first + _BLOCK], minlength=counts.shape[1])
        df = df.astype(counts.dtype) + 1
        self.idf_ = np.log(np.full_like(df, n_docs) / df) + counts.dtype.type(1)
        return self.transform(counts, copy=copy)

    def transform(self, counts: sparse.csr_matrix, copy: bool = True) -> sparse.csr_matrix:
        """The weights of ``counts`` (a CSR matrix; changed in place with ``copy=False`` when it is float).
        Rows are weighted a block at a time: the float64 temporaries stay small in a large batch."""
        dtype = counts.dtype if counts.dtype in (np.float32, np.float64) else np.float64
        out = counts.astype(dtype, copy=copy)
        data, indptr = out.data, out.indptr
        for first in range(0, out.shape[0], _TFIDF_BLOCK):
            last = min(first + _TFIDF_BLOCK, out.shape[0])
            block = data[indptr[first]:indptr[last]]
            if not len(block):
                continue
            np.log(block, out=block)
            block += dtype.type(1)
            block *= self.idf_[out.indices[indptr[first]:indptr[last]]]
            starts = indptr[first:last] - indptr[first]
            lengths = np.diff(indptr[first:last + 1])
            nonempty = lengths > 0
            squares = (block * block).astype(np.float64)
            norms = np.sqrt(np.add.reduceat(squares, starts[nonempty]))
            np.divide(block, np.repeat(norms, lengths[nonempty]), out=block, casting="same_kind")
        return out


_TFIDF_BLOCK = 256  # documents weighted at a time
_VOTE_ROWS = 1 << 11  # paragraphs whose neighbour documents are counted at a time (own_votes)


def _ones(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """``matrix`` (counts, none zero) with every stored count set to 1, in place: which pairs occur."""
    matrix.data = np.ones(len(matrix.data), dtype=np.int32)
    return matrix
_NO_NGRAMS = np.zeros(0, dtype=np.int32)
_NO_COUNTS = np.zeros(0, dtype=np.float32)


def _ranked(voted: np.ndarray, voted_counts: np.ndarray, cosine: dict[int, float],
            k: int) -> list[tuple[int, float]]:
    """The first ``k`` of the voted documents and those of ``cosine`` (asked for, none voted) by votes
    plus cosine, then document id; a document without a vote needs a cosine of 0.5. On arrays: a
    document of a large batch is voted by hundreds of others."""
    cos_ids = np.fromiter(cosine.keys(), dtype=np.int64, count=len(cosine))
    ids = _distinct(np.concatenate((voted, cos_ids)))
    counts = np.zeros(len(ids), dtype=np.int64)
    counts[np.searchsorted(ids, voted)] = voted_counts
    cosines = np.zeros(len(ids), dtype=np.float64)
    cosines[np.searchsorted(ids, cos_ids)] = np.fromiter(cosine.values(), dtype=np.float64, count=len(cosine))
    return _best_ranked(ids, counts, cosines, k)


def _best_ranked(ids: np.ndarray, counts: np.ndarray, cosines: np.ndarray, k: int) -> list[tuple[int, float]]:
    """:func:`_ranked` on aligned arrays: the distinct document ids, their votes (int64) and cosines
    (float64, 0 where none was computed)."""
    keep = (counts > 0) | (cosines >= 0.5)
    ids, scores = ids[keep], counts[keep] + cosines[keep]
    first = np.lexsort((ids, -scores))[:k]
    return [(int(i), float(score)) for i, score in zip(ids[first], scores[first])]


# Voted pairs from which ReuseIndex.compute_pair_cosines uses threads. It computes every pair, the lazy
# queries only those they ask for (earlier years), but on two cores the threads win from a few thousand:
# at 400 reports (22,000 pairs) the search took 0.34 s lazily, 0.22 s with the threads first.
_PARALLEL_PAIRS = 5_000

_DENSE = threading.local()  # one reused dense query vector per thread (NGRAM_FEATURES floats)


def _row_products(matrix: sparse.csr_matrix, rows: np.ndarray, dense: np.ndarray) -> np.ndarray:
    """``matrix[rows] @ dense``, a block of rows at a time: a report voted for by thousands of others
    (a widely shared paragraph) would copy all their rows at once (tens of MB). Each row's product is
    computed as by the whole product."""
    if len(rows) <= _PRODUCT_ROWS:
        return matrix[rows] @ dense
    return np.concatenate([matrix[rows[first:first + _PRODUCT_ROWS]] @ dense
                           for first in range(0, len(rows), _PRODUCT_ROWS)])


# Documents whose pairs ReuseIndex.compute_pair_cosines computes together (_pair_products): each voted
# row is copied once for them all, not once per document. At 3,200 reports (733,000 voted pairs, 2
# threads) the cosines took 3.9 s of CPU a document at a time, 3.1 s with 16 together, 2.4 s with 32,
# 2.3 s with 64 and 2.7 s with 128 (their partners' union grows); the threads' temporaries peaked at
# ~22 MB a document at a time, ~44 MB with 32 (the column tables and blocks), ~69 MB with 64.
_PAIR_OWNERS = 32
_COLUMNS = threading.local()  # per thread: a TF-IDF column's place among a block's columns (-1: none)


def _pair_products(matrix: sparse.csr_matrix, owner: np.ndarray, partner: np.ndarray) -> np.ndarray:
    """``matrix[partner[i]] · matrix[owner[i]]`` for each pair ``i``, bit for bit as :func:`_row_products`
    computes it (the partner row's nonzeros summed in their order, in float32): the owners' vectors are
    one dense block over only the columns they use, and each partner row is copied once for every owner
    that asks for it, ``_PRODUCT_ROWS`` rows at a time. A partner's nonzero in a column no owner uses
    adds a zero product, which changes no sum: it is left out."""
    sparse = _scipy_sparse()

    table = getattr(_COLUMNS, "table", None)
    if table is None or len(table) < matrix.shape[1]:
        table = _COLUMNS.table = np.full(matrix.shape[1], -1, dtype=np.int32)
    owners, owner_at = np.unique(owner, return_inverse=True)
    partners, partner_at = np.unique(partner, return_inverse=True)
    own = matrix[owners]
    columns = _distinct(own.indices)
    table[columns] = np.arange(len(columns), dtype=np.int32)
    try:
        block = np.zeros((len(columns), len(owners)), dtype=np.float32)
        block[table[own.indices], np.repeat(np.arange(len(owners)), np.diff(own.indptr))] = own.data
        del own
        products = np.empty((len(partners), len(owners)), dtype=np.float32)
        for first in range(0, len(partners), _PRODUCT_ROWS):
            rows = matrix[partners[first:first + _PRODUCT_ROWS]]
            at = table[rows.indices]
            kept = at >= 0
            indptr = np.r_[np.int32(0), np.cumsum(kept, dtype=np.int32)][rows.indptr]
            products[first:first + rows.shape[0]] = sparse.csr_matrix(
                (rows.data[kept], at[kept], indptr), shape=(rows.shape[0], len(columns))) @ block
    finally:
        table[columns] = -1
    return products[partner_at, owner_at]


# Rows of the TF-IDF matrix copied at a time by _row_products and _pair_products. The copies are the
# search's largest temporaries, made in compute_pair_cosines' threads, and the C heap keeps their
# high-water mark: at 3,200 reports the batch's process grew by ~60 MB during the cosines with 256 rows,
# ~31 MB with 64, in the same time (2.8-3.1 s against 3.0-3.3 s, one document at a time); 32 rows saved
# 4 MB more for ~10% more time, 16 rows cost ~50%.
_PRODUCT_ROWS = 64


def _dense(vec) -> np.ndarray:
    """A copy of the one-row sparse ``vec`` as a dense vector (the same values ``toarray`` gives),
    written into a buffer kept for the thread: a query does not allocate (nor clear) 4 MB. Valid until
    the thread's next call."""
    out = getattr(_DENSE, "vector", None)
    if out is None:
        out = _DENSE.vector = np.zeros(NGRAM_FEATURES, dtype=np.float32)
    else:
        out[_DENSE.written] = 0  # the last vector's entries: the rest of the buffer is zero already
    row = vec.tocsr()
    row.sum_duplicates()
    out[row.indices] = row.data
    _DENSE.written = row.indices
    return out


def document_sketch(doc: Document) -> DocumentSketch:
    """The :class:`DocumentSketch` of ``doc`` (kept in its ReuseMaterial)."""
    material = reuse_material(doc)
    if material.sketch is None:
        keys = [masked_key(p.key) for p in passages(doc) if not p.is_heading]
        ids, hashes = shingle_table(keys)
        features, counts = ngram_row(_document_text(doc))
        material.sketch = DocumentSketch(
            np.array([zlib.crc32(k.encode("utf-8")) for k in keys], dtype=np.uint32),
            ids.astype(np.int32), hashes.astype(np.uint32), features, counts)
    return material.sketch


def _datasketch():
    import datasketch

    return datasketch


def _document_text(doc: Document) -> str:
    return " ".join(p.key for p in passages(doc))


@dataclass(slots=True)
class IndexedDocument:
    path: str
    unit: str | None
    year: int | None
    text: str


class ReuseIndex:
    """Reference documents with their paragraph LSH and document TF-IDF vectors."""

    def __init__(self, *, num_perm: int = NUM_PERM, threshold: float = LSH_THRESHOLD) -> None:
        self.version = INDEX_VERSION
        self.num_perm = num_perm
        self.threshold = threshold
        self.documents: list[IndexedDocument] = []
        self.paragraph_doc: list[int] = []  # paragraph id → document id
        self.template_shingles: np.ndarray = np.zeros(0, dtype=np.uint64)
        self.shared: dict[int, tuple[int, ...]] = {}  # masked key hash → unit ids
        self.unit_ids: dict[str, int] = {}
        self.signature_ids: np.ndarray = np.zeros(0, dtype=np.int64)  # paragraph ids with a signature
        self.signatures: np.ndarray = np.zeros((0, num_perm), dtype=np.uint32)
        self.lsh: MinHashLSH | None = None  # built on demand (queries from outside the index, save)
        self.transformer = None
        self.matrix = None
        self._docs_cache: dict[int, Document] = {}
        self._own_votes: sparse.csr_matrix | None = None  # the self-join, on demand (not persisted)
        self._self_join = False  # built in this process: its own documents are queried by the self-join
        self.searchable = True  # False once release_search() dropped what queries read

    # ------------------------------------------------------------------ building
    def add(self, doc: Document) -> int:
        self.documents.append(IndexedDocument(doc.path, doc.meta.unit, doc.meta.year, doc.text))
        self._docs_cache[len(self.documents) - 1] = doc
        return len(self.documents) - 1

    def unit_id(self, unit: str | None, doc_id: int) -> int:
        from auditor.reuse.units import unit_key

        key = unit_key(unit) or f"#doc{doc_id}"
        return self.unit_ids.setdefault(key, len(self.unit_ids))

    def finalize(self, release_sketches: bool = False) -> ReuseIndex:
        """Mask template shingles, compute the signatures and the TF-IDF vectors (call once, after ``add``).
        ``release_sketches``: the documents' sketches are let go as soon as they are read (they are
        computed again if asked for), so that they and the index's arrays are not all held at once."""
        sketches: list[DocumentSketch | None] = [document_sketch(self.document(i)) for i in range(len(self.documents))]
        if release_sketches:
            for i in range(len(self.documents)):
                reuse_material(self.document(i)).sketch = None
        # the TF-IDF vectors first: the documents' n-gram counts (most of a sketch) go once they are copied
        self.transformer = SublinearTfidf()
        if sketches:
            counts = _take_ngram_counts(sketches)
            self.matrix = self.transformer.fit_transform(counts, copy=False)  # counts is ours: no copy
            del counts
            trim_heap()  # the weighting's temporaries
        else:
            self.matrix = None
        n_paragraphs = [len(s.key_hashes) for s in sketches]
        units = np.repeat(np.array([self.unit_id(d.unit, i) for i, d in enumerate(self.documents)], dtype=np.uint64),
                          n_paragraphs)
        self.paragraph_doc = np.repeat(np.arange(len(sketches)), n_paragraphs).tolist()
        key_hashes, ids, hashes = _take_shingles(sketches)
        offset = len(key_hashes)
        # template shingles: present in the paragraphs of many units
        n_units = max(1, len(self.unit_ids))
        min_units = max(TEMPLATE_UNITS_MIN, int(np.ceil(TEMPLATE_UNITS_SHARE * n_units)))
        if len(hashes) and n_units >= min_units:
            self.template_shingles = _template_shingles(hashes, ids, units, min_units)
            trim_heap()
        self.shared = _shared_keys(key_hashes, units)
        # the paragraphs' shingles that are not template words, of paragraphs with enough of them: the
        # arrays are filtered in place, a block at a time (they are a large batch's largest)
        keep = (~_member(hashes, self.template_shingles.astype(np.uint32)) if len(self.template_shingles)
                else np.ones(len(hashes), dtype=bool))  # the hashes are below 2^32
        per_paragraph = np.zeros(offset, dtype=np.int64)
        for first in range(0, len(ids), _BLOCK):
            per_paragraph += np.bincount(ids[first:first + _BLOCK][keep[first:first + _BLOCK]], minlength=offset)
        enough = per_paragraph >= MIN_SHINGLES
        for first in range(0, len(ids), _BLOCK):
            keep[first:first + _BLOCK] &= enough[ids[first:first + _BLOCK]]
        ids, hashes = _kept_in_place(ids, keep), _kept_in_place(hashes, keep)
        del keep, enough, per_paragraph
        trim_heap()
        signature_ids, self.signatures = signature_table(ids, hashes, threads=_SIGNATURE_THREADS)
        del ids, hashes
        self.signature_ids = signature_ids.astype(np.int64)
        trim_heap()
        self.lsh = None
        self._own_votes = None
        self._self_join = True
        return self

    def _bands(self) -> tuple[int, int]:
        """(bands, rows per band), as datasketch's MinHashLSH chooses them for the threshold."""
        if self.lsh is None and (self.threshold, self.num_perm) == (LSH_THRESHOLD, NUM_PERM):
            return LSH_BANDS
        lsh = self.lsh or _datasketch().MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
        return lsh.b, lsh.r

    def _query_lsh(self) -> MinHashLSH:
        """The datasketch LSH over the signatures (built once, on demand)."""
        if self.lsh is None:
            datasketch = _datasketch()
            lsh = datasketch.MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
            with lsh.insertion_session() as session:
                for pid, values in zip(self.signature_ids.tolist(), self.signatures):
                    session.insert(pid, datasketch.LeanMinHash(seed=1, hashvalues=values, scheme="affine32"),
                                   check_duplication=False)
            self.lsh = lsh
        return self.lsh

    def own_votes(self) -> sparse.csr_matrix:
        """For every pair of indexed documents (d, e): how many paragraphs of d share an LSH band with
        some paragraph of e (the self-join of the bands: what querying the LSH with each of d's
        signatures would find)."""
        if self._own_votes is not None:
            return self._own_votes
        sparse = _scipy_sparse()

        n_docs = len(self.documents)
        rows = len(self.signature_ids)
        if rows == 0:
            self._own_votes = sparse.csr_matrix((n_docs, n_docs), dtype=np.int32)
            return self._own_votes
        bands, width = self._bands()
        buckets = np.empty((rows, bands), dtype=np.int64)
        offset = 0
        for b in range(bands):
            band = np.ascontiguousarray(self.signatures[:, b * width:(b + 1) * width])
            keys = band.view(np.dtype((np.void, band.dtype.itemsize * width))).ravel()
            _, inverse = np.unique(keys, return_inverse=True)
            buckets[:, b] = inverse.ravel() + offset
            offset += int(inverse.max()) + 1
        one = np.ones(rows * bands, dtype=np.int32)
        in_bucket = sparse.csr_matrix((one, (np.repeat(np.arange(rows), bands), buckets.ravel())),
                                      shape=(rows, offset))
        doc_of = np.asarray(self.paragraph_doc, dtype=np.int64)[self.signature_ids]  # nondecreasing
        of_doc = sparse.csr_matrix((np.ones(rows, dtype=np.int32), (np.arange(rows), doc_of)),
                                   shape=(rows, n_docs))
        bucket_docs = _ones((in_bucket.T @ of_doc).tocsr())
        del of_doc
        # paragraphs a block of whole documents at a time: each paragraph's neighbour documents are many
        # in a large batch (a paragraph shared by a tenth of its units), and all of them at once would
        # not fit; a block gives its documents' rows of the votes, stacked at the end (not summed)
        firsts = _distinct(np.searchsorted(doc_of, doc_of[::_VOTE_ROWS], side="left"))
        bounds = np.r_[firsts, rows]
        doc_bounds = np.r_[0, doc_of[firsts[1:]], n_docs]  # block j gives the rows of these documents
        pieces = []
        for j in range(len(firsts)):
            first, last, lo, hi = int(bounds[j]), int(bounds[j + 1]), int(doc_bounds[j]), int(doc_bounds[j + 1])
            neighbour_docs = _ones((in_bucket[first:last] @ bucket_docs).tocsr())
            own = sparse.csr_matrix((np.ones(last - first, dtype=np.int32), doc_of[first:last] - lo,
                                     np.arange(last - first + 1)), shape=(last - first, hi - lo))
            pieces.append((own.T @ neighbour_docs).tocsr())
            del neighbour_docs, own
        del in_bucket, bucket_docs, buckets
        votes = sparse.vstack(pieces, format="csr", dtype=np.int32)
        del pieces
        votes.sort_indices()
        self._own_votes = votes
        trim_heap()  # the blocks' temporaries
        return self._own_votes

    # ------------------------------------------------------------------ querying
    def document(self, doc_id: int) -> Document:
        """The indexed document rebuilt as a Document (cached)."""
        doc = self._docs_cache.get(doc_id)
        if doc is None:
            from auditor.readers.text import build_document

            rec = self.documents[doc_id]
            doc = build_document(rec.text, rec.path, "txt")
            self._docs_cache[doc_id] = doc
        return doc

    def query(self, doc: Document, *, k: int = 5, exclude: set[str] | None = None,
              max_year: int | None = None) -> list[tuple[int, float]]:
        """Up to ``k`` indexed documents most likely to share passages with ``doc``: (doc id, score).

        Score: paragraphs of ``doc`` with an LSH neighbour in the document, plus the TF-IDF cosine."""
        if not self.searchable:
            raise RuntimeError("ReuseIndex.release_search() was called: the index is not searchable")
        if self.matrix is None and self.documents:
            raise RuntimeError("ReuseIndex.finalize() has not been called")
        exclude = exclude or set()
        own = self._own_id(doc)
        if own is not None:
            votes = self.own_votes()
            first, last = votes.indptr[own], votes.indptr[own + 1]
            vote_ids, vote_counts = votes.indices[first:last].astype(np.int64), votes.data[first:last]
            vec = None  # its TF-IDF row, taken only where a cosine is computed (mostly they are computed already)
        else:
            outside = self._outside_votes(doc)
            vote_ids = np.fromiter(outside.keys(), dtype=np.int64, count=len(outside))
            vote_counts = np.fromiter(outside.values(), dtype=np.int64, count=len(outside))
            vec = self.transformer.transform(ngram_counts([ngram_row(_document_text(doc))])).astype(np.float32)
        wanted = self._wanted(vote_ids, doc, exclude, max_year)
        voted, voted_counts = vote_ids[wanted], vote_counts[wanted]  # the voted documents asked for
        cosine: dict[int, float] = {}
        if self.matrix is not None and self.matrix.shape[0]:
            if own is not None and len(self.documents) > _FULL_COSINE_MAX:
                # a large batch querying itself: rank only the documents that share a paragraph (the
                # LSH votes); the full product over every document dominates the cost otherwise
                if len(voted) < 2 or bool((voted[1:] > voted[:-1]).all()):  # the self-join's row: sorted, distinct
                    # every document ranked is a voted one: _ranked's merge with the cosines' ids is not needed
                    sims = self._own_cosines(own, vec, voted)
                    cosines = np.zeros(len(voted), dtype=np.float64)
                    top = np.argsort(-sims, kind="stable")[: k * 2]
                    cosines[top] = sims[top]
                    return _best_ranked(voted, voted_counts.astype(np.int64), cosines, k)
                pool = np.sort(voted)
                sims = self._own_cosines(own, vec, pool)
            else:
                every = np.arange(self.matrix.shape[0], dtype=np.int64)
                pool = every[self._wanted(every, doc, exclude, max_year)]
                if vec is None:
                    vec = self.matrix[own]
                sims = _row_products(self.matrix, pool, _dense(vec)) if len(pool) else None
            if len(pool):
                for j in np.argsort(-sims, kind="stable")[: k * 2]:
                    cosine[int(pool[j])] = float(sims[j])
        return _ranked(voted, voted_counts, cosine, k)

    def _own_cosines(self, own: int, vec, pool: np.ndarray) -> np.ndarray:
        """The TF-IDF cosines of the indexed document ``own`` with the documents ``pool`` (sorted, among
        those it shares a paragraph with). Each pair is computed once: the self-join is symmetric (d
        shares a paragraph with e as e does with d), so a cosine is kept at both of its places in the
        self-join's sparse layout, and the second document of a pair finds it there. ``vec``: ``own``'s
        TF-IDF row, or None to take it from the matrix if a cosine is still to be computed."""
        votes = self.own_votes()
        cosines, mirror = self._pair_cosines(votes)
        start = votes.indptr[own]
        at = start + np.searchsorted(votes.indices[start:votes.indptr[own + 1]], pool)
        found = cosines[at]
        missing = np.isnan(found)
        if missing.any():
            if vec is None:
                vec = self.matrix[own]
            computed = _row_products(self.matrix, pool[missing], _dense(vec)).astype(np.float32, copy=False)
            cosines[at[missing]] = computed
            cosines[mirror[at[missing]]] = computed
            found[missing] = computed
        return found

    def compute_pair_cosines(self, jobs: int = 1) -> None:
        """Compute every voted pair's TF-IDF cosine now, in ``jobs`` threads (a batch with many voted
        pairs: scipy's sparse products run without the GIL), so that the queries of a batch comparing
        with itself only read them: the search before the cross phase is otherwise serial, and its
        pairs grow faster than the batch. A pair (d, e), d < e, is e's row times d's vector, as when d
        asks first (the batch's order), for ``_PAIR_OWNERS`` documents d at a time (:func:`_pair_products`).
        Threads, not processes: nothing is copied."""
        if not self._self_join or self.matrix is None or jobs < 2:
            return
        votes = self.own_votes()
        cosines, mirror = self._pair_cosines(votes)
        rows = np.repeat(np.arange(votes.shape[0], dtype=np.int32), np.diff(votes.indptr))
        upper = np.flatnonzero((votes.indices > rows) & np.isnan(cosines)).astype(np.int32)  # each pair once
        if len(upper) < _PARALLEL_PAIRS:
            return
        owners = rows[upper]
        del rows
        # tasks of whole rows and about equal numbers of pairs, several per thread (rows differ in cost)
        cuts = np.searchsorted(owners, _distinct(owners[:: max(1, len(upper) // (8 * jobs))]), side="left")
        tasks = [(int(a), int(b)) for a, b in zip(cuts, np.r_[cuts[1:], len(upper)]) if b > a]
        from concurrent.futures import ThreadPoolExecutor

        def compute(task: tuple[int, int]) -> None:
            first, last = task
            places, owner = upper[first:last], owners[first:last]
            starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            for a, b in zip(starts[::_PAIR_OWNERS], np.r_[starts[_PAIR_OWNERS::_PAIR_OWNERS], len(owner)]):
                at = places[a:b]
                values = _pair_products(self.matrix, owner[a:b], votes.indices[at])
                cosines[at] = values  # the places of two tasks never meet: each pair is in one task
                cosines[mirror[at]] = values

        try:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                list(pool.map(compute, tasks))
        except MemoryError:  # what is not computed yet is computed by the queries, one at a time
            pass
        trim_heap()  # the threads' row copies and blocks

    def _pair_cosines(self, votes: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """The cosines of the voted pairs, in the self-join's layout (NaN until computed), and for each
        place the place of the same pair the other way round."""
        kept = getattr(self, "_cosine_cache", None)
        if kept is None or kept[0] is not votes:
            sparse = _scipy_sparse()

            # each place's number, transposed: the self-join is symmetric, so the transpose has its layout
            # and row e's entry for d holds the place of (d, e) (32-bit throughout: a large batch's pairs
            # are millions)
            places = sparse.csr_matrix((np.arange(votes.nnz, dtype=np.int32), votes.indices, votes.indptr),
                                       shape=votes.shape)
            transposed = places.T.tocsr()
            transposed.sort_indices()
            mirror = transposed.data
            del places, transposed
            kept = self._cosine_cache = (votes, np.full(votes.nnz, np.nan, dtype=np.float32), mirror)
        return kept[1], kept[2]

    def _wanted(self, ids: np.ndarray, doc: Document, exclude: set[str], max_year: int | None) -> np.ndarray:
        """Which of the documents ``ids`` a query asks for: not ``doc``'s path nor in ``exclude``, and of
        ``max_year`` or earlier (a document without a year always): a mask, computed on arrays."""
        if getattr(self, "_years", None) is None or len(self._years) != len(self.documents):
            self._years = np.array([d.year if d.year is not None else -1 for d in self.documents], dtype=np.int64)
            self._ids_by_path: dict[str, list[int]] = {}
            for i, d in enumerate(self.documents):
                self._ids_by_path.setdefault(d.path, []).append(i)
        keep = np.ones(len(ids), dtype=bool)
        if max_year is not None:
            years = self._years[ids]
            keep &= (years < 0) | (years <= max_year)
        barred = [i for path in {*exclude, doc.path} for i in self._ids_by_path.get(path, ())]
        if len(barred) <= 4:  # mostly the document itself: a comparison each costs less than np.isin
            for i in barred:
                keep &= ids != i
        else:
            keep &= ~np.isin(ids, np.asarray(barred, dtype=np.int64))
        return keep

    def _outside_votes(self, doc: Document) -> Counter[int]:
        """Per indexed document: the paragraphs of ``doc`` (not in the index) with an LSH neighbour there."""
        keys = [masked_key(p.key) for p in passages(doc) if not p.is_heading]
        ids, hashes = shingle_table(keys)
        if len(self.template_shingles):
            keep = ~_member(hashes, self.template_shingles)
            ids, hashes = ids[keep], hashes[keep]
        enough = np.bincount(ids, minlength=len(keys)) >= MIN_SHINGLES
        _, sigs = signature_table(ids[enough[ids]], hashes[enough[ids]])
        lsh = self._query_lsh()
        votes: Counter[int] = Counter()
        for values in sigs:
            votes.update({int(self.paragraph_doc[pid]) for pid in lsh.query(
                _datasketch().LeanMinHash(seed=1, hashvalues=values, scheme="affine32"))})
        return votes

    def _own_id(self, doc: Document) -> int | None:
        """The id of ``doc`` when it is itself one of the indexed documents (the same text)."""
        if not self._self_join:
            return None
        if not hasattr(self, "_path_ids"):
            self._path_ids = {d.path: i for i, d in enumerate(self.documents)}
        i = self._path_ids.get(doc.path)
        return i if i is not None and self.documents[i].text == doc.text else None

    def release_search(self) -> None:
        """Drop what only :meth:`query` reads (TF-IDF vectors, signatures, LSH, self-join): a batch's
        cross phase asks every document's candidates first, then keeps only what the rules read (the
        units sharing a paragraph, :meth:`sharing_unit_names`). A released index is not queried again."""
        self.matrix = self.transformer = self.lsh = self._own_votes = None
        self._cosine_cache = None
        self.signature_ids = np.zeros(0, dtype=np.int64)
        self.signatures = np.zeros((0, self.num_perm), dtype=np.uint32)
        self.template_shingles = _EMPTY
        self.paragraph_doc = []
        self.searchable = False

    def unit_name(self, uid: int) -> str:
        """The folded unit name of a unit id ("" if unknown)."""
        names = self.__dict__.get("_unit_names")
        if names is None or len(names) != len(self.unit_ids):
            names = self._unit_names = {i: n for n, i in self.unit_ids.items()}
        return names.get(uid, "")

    def sharing_unit_names(self, key: str) -> frozenset[str]:
        """The folded names of the units whose paragraphs have the same digit-masked text as ``key``
        (built once per masked text)."""
        return self.sharing_unit_names_of(key_hash(key))

    def sharing_unit_names_of(self, masked: int) -> frozenset[str]:
        """:meth:`sharing_unit_names` of a paragraph given by its :func:`key_hash`."""
        names = self.__dict__.get("_sharing_names")
        if names is None:
            names = self._sharing_names = {}
        hit = names.get(masked)
        if hit is None:
            hit = names[masked] = frozenset(n for n in (self.unit_name(u) for u in self.shared.get(masked, ())) if n)
        return hit

    def sharing_units(self, key: str) -> tuple[int, ...]:
        """Unit ids of indexed paragraphs with the same digit-masked text as ``key``."""
        return self.shared.get(key_hash(key), ())

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        if not self.searchable:
            raise RuntimeError("ReuseIndex.release_search() was called: nothing to save")
        state = {"version": self.version, "num_perm": self.num_perm, "threshold": self.threshold,
                 "documents": [(d.path, d.unit, d.year, d.text) for d in self.documents],
                 "paragraph_doc": self.paragraph_doc, "template_shingles": self.template_shingles,
                 "shared": self.shared, "unit_ids": self.unit_ids, "signature_ids": self.signature_ids,
                 "signatures": self.signatures, "lsh": self._query_lsh(), "transformer": self.transformer,
                 "matrix": self.matrix}
        with open(path, "wb") as handle:
            pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: str | Path) -> ReuseIndex:
        try:
            with open(path, "rb") as handle:
                state = pickle.load(handle)  # noqa: S301 - an index file the user built with `auditor index build`
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            raise AuditorError(f"无法读取参考索引 {path}：{exc}", code="index-unreadable") from exc
        if not isinstance(state, dict) or state.get("version") != INDEX_VERSION:
            found = state.get("version") if isinstance(state, dict) else None
            raise IndexVersionError(f"参考索引 {path} 的格式版本为 {found}，本程序需要 {INDEX_VERSION}，请重新建立索引",
                                    code="index-version")
        index = cls(num_perm=state["num_perm"], threshold=state["threshold"])
        index.documents = [IndexedDocument(*d) for d in state["documents"]]
        for name in ("paragraph_doc", "template_shingles", "shared", "unit_ids", "signature_ids", "signatures", "lsh",
                     "transformer", "matrix"):
            setattr(index, name, state[name])
        return index

    @classmethod
    def build(cls, documents: list[Document], release_sketches: bool = False) -> ReuseIndex:
        index = cls()
        for doc in documents:
            index.add(doc)
        return index.finalize(release_sketches)
