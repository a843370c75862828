"""The reference index: MinHash LSH over paragraph shingles plus TF-IDF character n-gram vectors.

``ReuseIndex`` holds reference documents (path, unit, year, text). ``finalize()`` builds:

- shingles: hashed character 5-grams of each paragraph's meaning with digits masked ("#"), so a
  template sentence with new figures still shares its shingles;
- template masking: shingles found in the paragraphs of at least ``max(3, 20 %)`` of the units are
  template words (headings, "存在的问题" boilerplate) and are dropped before MinHash, so template
  paragraphs never make two reports look related;
- MinHash signatures (numpy, affine hashing, ``NUM_PERM`` permutations) inserted into a datasketch
  ``MinHashLSH`` (Jaccard threshold ``LSH_THRESHOLD``): candidate paragraphs come from LSH buckets,
  never from comparing all pairs;
- per paragraph, the units that share its digit-masked text (for template detection, RU505);
- per document, a TF-IDF vector of character 2-3-grams of the text with its figures (scikit-learn) to
  rank candidates (figures tell a copy from the same template filled in with new figures).

``save``/``load`` persist everything with a format version; a mismatch raises ``IndexVersionError``.
"""

from __future__ import annotations

import pickle
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from auditor.document import Document
from auditor.errors import AuditorError
from auditor.reuse.text import passages

INDEX_VERSION = 1
NUM_PERM = 64
LSH_THRESHOLD = 0.5
SHINGLE = 5
TEMPLATE_UNITS_MIN = 3
TEMPLATE_UNITS_SHARE = 0.2
MIN_SHINGLES = 4
_FULL_COSINE_MAX = 50  # batches up to this size rank every document by TF-IDF cosine
_DIGITS_RE = re.compile(r"\d+(?:\.\d+)?")
_MASK32 = np.uint64(0xFFFFFFFF)
_PRIME = np.uint64((1 << 61) - 1)


class IndexVersionError(AuditorError):
    """The index file was written by another version of the format."""


def masked_key(key: str) -> str:
    """A paragraph's meaning with every figure replaced by "#" (years too)."""
    return _DIGITS_RE.sub("#", key)


def key_hash(key: str) -> int:
    """A stable hash (crc32, independent of the process) of a digit-masked paragraph key."""
    return zlib.crc32(masked_key(key).encode("utf-8"))


def shingles(text: str, k: int = SHINGLE) -> np.ndarray:
    """Distinct hashed character k-grams of ``text`` as uint64 (a polynomial rolling hash, mod 2^32)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        h = (h * np.uint64(1000003) + codes[j:j + n]) & _MASK32
    return np.unique(h)


_rng = np.random.RandomState(20240611)
_A = _rng.randint(1, 1 << 31, size=NUM_PERM).astype(np.uint64)
_B = _rng.randint(0, 1 << 31, size=NUM_PERM).astype(np.uint64)


def signature(hashed: np.ndarray) -> np.ndarray:
    """MinHash signature of a set of hashed shingles (affine permutations, values < 2^32)."""
    values = ((hashed[None, :] * _A[:, None] + _B[:, None]) % _PRIME) & _MASK32
    return values.min(axis=1)


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
        self.lsh: MinHashLSH | None = None
        self.vectorizer = None
        self.matrix = None
        self._docs_cache: dict[int, Document] = {}
        # a batch queries the index with its own documents: their paragraph signatures and TF-IDF rows
        # are computed once, at finalize (not persisted)
        self._own_signatures: dict[int, list[LeanMinHash]] = {}

    # ------------------------------------------------------------------ building
    def add(self, doc: Document) -> int:
        self.documents.append(IndexedDocument(doc.path, doc.meta.unit, doc.meta.year, doc.text))
        self._docs_cache[len(self.documents) - 1] = doc
        return len(self.documents) - 1

    def unit_id(self, unit: str | None, doc_id: int) -> int:
        from auditor.reuse.references import unit_key

        key = unit_key(unit) or f"#doc{doc_id}"
        return self.unit_ids.setdefault(key, len(self.unit_ids))

    def finalize(self) -> ReuseIndex:
        """Mask template shingles, build the LSH and the TF-IDF vectors (call once, after ``add``)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        para_keys: list[str] = []
        para_units: list[int] = []
        self.paragraph_doc = []
        for doc_id in range(len(self.documents)):
            doc = self.document(doc_id)
            uid = self.unit_id(doc.meta.unit, doc_id)
            for p in passages(doc):
                if p.is_heading:
                    continue
                para_keys.append(masked_key(p.key))
                para_units.append(uid)
                self.paragraph_doc.append(doc_id)
        sh = [shingles(k) for k in para_keys]
        # template shingles: present in the paragraphs of many units
        n_units = max(1, len(self.unit_ids))
        min_units = max(TEMPLATE_UNITS_MIN, int(np.ceil(TEMPLATE_UNITS_SHARE * n_units)))
        if sh and n_units >= min_units:
            pairs = np.unique(np.concatenate([(s << np.uint64(20)) | np.uint64(u) for s, u in zip(sh, para_units)]))
            uniq, counts = np.unique(pairs >> np.uint64(20), return_counts=True)
            self.template_shingles = uniq[counts >= min_units]
        shared: dict[int, set[int]] = defaultdict(set)
        for key, uid in zip(para_keys, para_units):
            shared[zlib.crc32(key.encode("utf-8"))].add(uid)
        self.shared = {h: tuple(sorted(u)) for h, u in shared.items() if len(u) > 1}
        self.lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
        self._own_signatures = {i: [] for i in range(len(self.documents))}
        with self.lsh.insertion_session() as session:
            for pid, s in enumerate(sh):
                s = self._unmasked(s)
                if len(s) >= MIN_SHINGLES:
                    minhash = LeanMinHash(seed=1, hashvalues=signature(s), scheme="affine32")
                    session.insert(pid, minhash, check_duplication=False)
                    self._own_signatures[self.paragraph_doc[pid]].append(minhash)
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), min_df=1, sublinear_tf=True,
                                          dtype=np.float32)
        texts = [" ".join(p.key for p in passages(self.document(i))) for i in range(len(self.documents))]
        self.matrix = self.vectorizer.fit_transform(texts) if texts else None
        return self

    def _unmasked(self, s: np.ndarray) -> np.ndarray:
        if len(self.template_shingles) == 0:
            return s
        return s[~np.isin(s, self.template_shingles, assume_unique=True)]

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
        if self.lsh is None:
            raise RuntimeError("ReuseIndex.finalize() has not been called")
        exclude = exclude or set()
        own = self._own_id(doc)
        votes: Counter[int] = Counter()
        if own is not None:
            minhashes = self._own_signatures.get(own, [])
        else:
            minhashes = []
            for p in passages(doc):
                if p.is_heading:
                    continue
                s = self._unmasked(shingles(masked_key(p.key)))
                if len(s) >= MIN_SHINGLES:
                    minhashes.append(LeanMinHash(seed=1, hashvalues=signature(s), scheme="affine32"))
        for minhash in minhashes:
            votes.update({self.paragraph_doc[pid] for pid in self.lsh.query(minhash)})
        cosine: dict[int, float] = {}
        if self.matrix is not None and self.matrix.shape[0]:
            vec = (self.matrix[own] if own is not None
                   else self.vectorizer.transform([" ".join(p.key for p in passages(doc))]))
            if own is not None and len(self.documents) > _FULL_COSINE_MAX:
                # a large batch querying itself: rank only the documents that share a paragraph (the
                # LSH votes); the full product over every document dominates the cost otherwise
                pool = np.array(sorted(votes), dtype=np.int64)
            else:
                pool = np.arange(self.matrix.shape[0])
            if len(pool):
                sims = (self.matrix[pool] @ vec.T).toarray().ravel()
                for j in np.argsort(-sims)[: k * 2]:
                    cosine[int(pool[j])] = float(sims[j])
        out = []
        for doc_id in set(votes) | set(cosine):
            rec = self.documents[doc_id]
            if rec.path in exclude or rec.path == doc.path:
                continue
            if max_year is not None and rec.year is not None and rec.year > max_year:
                continue
            if votes.get(doc_id, 0) == 0 and cosine.get(doc_id, 0.0) < 0.5:
                continue
            out.append((doc_id, votes.get(doc_id, 0) + cosine.get(doc_id, 0.0)))
        out.sort(key=lambda t: -t[1])
        return out[:k]

    def _own_id(self, doc: Document) -> int | None:
        """The id of ``doc`` when it is itself one of the indexed documents (the same text)."""
        if not self._own_signatures:
            return None
        if not hasattr(self, "_path_ids"):
            self._path_ids = {d.path: i for i, d in enumerate(self.documents)}
        i = self._path_ids.get(doc.path)
        return i if i is not None and self.documents[i].text == doc.text else None

    def unit_name(self, uid: int) -> str:
        """The folded unit name of a unit id ("" if unknown)."""
        names = self.__dict__.get("_unit_names")
        if names is None or len(names) != len(self.unit_ids):
            names = self._unit_names = {i: n for n, i in self.unit_ids.items()}
        return names.get(uid, "")

    def sharing_units(self, key: str) -> tuple[int, ...]:
        """Unit ids of indexed paragraphs with the same digit-masked text as ``key``."""
        return self.shared.get(key_hash(key), ())

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        state = {"version": self.version, "num_perm": self.num_perm, "threshold": self.threshold,
                 "documents": [(d.path, d.unit, d.year, d.text) for d in self.documents],
                 "paragraph_doc": self.paragraph_doc, "template_shingles": self.template_shingles,
                 "shared": self.shared, "unit_ids": self.unit_ids, "lsh": self.lsh,
                 "vectorizer": self.vectorizer, "matrix": self.matrix}
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
        for name in ("paragraph_doc", "template_shingles", "shared", "unit_ids", "lsh", "vectorizer", "matrix"):
            setattr(index, name, state[name])
        return index

    @classmethod
    def build(cls, documents: list[Document]) -> ReuseIndex:
        index = cls()
        for doc in documents:
            index.add(doc)
        return index.finalize()
