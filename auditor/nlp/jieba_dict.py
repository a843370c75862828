"""jieba's prefix dictionary read on demand, so that one small file does not load all of it.

jieba keeps its whole dictionary in the dict ``Tokenizer.FREQ``: every word and every prefix of a
word (~500,000 entries, a prefix that is not a word has frequency 0), and ``Tokenizer.total``, the sum
of the frequencies. Loading it from jieba's marshal cache costs 0.6-1 s on every start, while one
small report looks up a few hundred distinct strings.

:class:`LazyFreq` stands in for ``FREQ``: it answers jieba's reads (``in``, ``[]``, ``.get``) from an
SQLite index of the same table (``jieba_freq.sqlite`` in the cache folder, built once from the loaded
dictionary) and remembers each answer; jieba's writes (``add_word``, e.g. for the domain user
dictionary) go to the same in-memory overlay. The entries and the total are the dictionary's own,
so the segmentation is exactly that of the full dictionary. The tokenizer reading it
(:func:`_lazy_tokenizer_class`) runs jieba's two dictionary loops with the remembered answers read
from a plain dict first: jieba's own would call this mapping's Python methods ~40 times a phrase.

The index is keyed on jieba's version and its dictionary file (size, mtime): a stale index is
rebuilt. A missing, corrupt or unwritable index means jieba's normal full load, never an error; a
lookup that fails halfway (the file damaged while in use) loads the full dictionary and goes on.
Builders write a temporary file and ``os.replace`` it, so concurrent builders and readers do not
clash (a reader keeps the file it opened).

SQLite was measured against a marshal file sharded by first character, read by offset: a 3,000-character
report reads 412 distinct strings, 7-11 ms from SQLite (its import included) against 40-60 ms for the
shards (the 121 first characters hold ~54,000 entries); a whole 80,000-character report 25-35 ms
against 60-80 ms.

A process that segments a lot, or forks workers that do for long (a batch's fork server: the
workers share its pages), is better off with the full dictionary: :func:`use_full_dictionary` makes
:func:`make_tokenizer` load it. A batch's own process forks its first workers on the lazy table
(:func:`auditor.runner.worker.prepare_to_fork_workers`): they segment short phrases only, ~8,000
distinct words in 200 or 800 files of a varied batch, read in ~0.03 s, while the whole load is on
the batch's critical path (before any worker starts). The whole dictionary is read from a word
file of the cache folder (``jieba_words.bin``, :func:`write_words`, written by the first whole
load): ~0.2 s against ~0.6 s for jieba's marshal cache.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterator, MutableMapping
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

__all__ = ["INDEX_NAME", "WORDS_NAME", "FULL_AFTER_READS", "LazyFreq", "make_tokenizer", "use_full_dictionary",
           "lazy_wanted", "dictionary_key", "build_index", "open_index", "read_words", "write_words"]

INDEX_NAME = "jieba_freq.sqlite"
_FORMAT = "1"
_LAZY = True


def use_full_dictionary(full: bool = True) -> None:
    """Make :func:`make_tokenizer` load jieba's whole dictionary (``full``) or read it lazily."""
    global _LAZY
    _LAZY = not full


def lazy_wanted() -> bool:
    return _LAZY


def _jieba():
    from auditor.runner.startup import import_jieba

    return import_jieba()


def dictionary_key() -> dict[str, str]:
    """What the index was built from: jieba's version and its dictionary file's size and mtime."""
    jieba = _jieba()
    path = os.path.join(os.path.dirname(os.path.abspath(jieba.__file__)), "dict.txt")
    stat = os.stat(path)
    return {"format": _FORMAT, "jieba": str(jieba.__version__), "dict_path": path,
            "dict_size": str(stat.st_size), "dict_mtime_ns": str(stat.st_mtime_ns)}


class _Index:
    """A read-only SQLite table word -> frequency; reopened in a forked child (a connection must
    not cross a fork)."""

    def __init__(self, path: str, total: int) -> None:
        self.path = path
        self.total = total
        self._lock = threading.Lock()
        self._pid = -1
        self._connection = None
        _OPEN_INDEXES.add(self)

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()  # another thread may have held it at the fork
        self._pid = -1
        self._connection = None

    def _connect(self):
        import sqlite3

        uri = "file:" + _uri_path(self.path) + "?mode=ro&immutable=1"
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    def lookup(self, word: str) -> int | None:
        with self._lock:
            if self._pid != os.getpid():
                self._connection = self._connect()
                self._pid = os.getpid()
            row = self._connection.execute("SELECT n FROM freq WHERE w = ?", (word,)).fetchone()
        return None if row is None else row[0]

    def items(self) -> Iterator[tuple[str, int]]:
        connection = self._connect()
        try:
            yield from connection.execute("SELECT w, n FROM freq")
        finally:
            connection.close()


_OPEN_INDEXES: weakref.WeakSet[_Index] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for index in list(_OPEN_INDEXES):
        index._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _uri_path(path: str) -> str:
    from urllib.parse import quote

    return quote(os.path.abspath(path))


def open_index(path: str, key: dict[str, str]) -> _Index | None:
    """The index at ``path`` when it is whole and was built from ``key``'s dictionary, else None."""
    import sqlite3

    if not os.path.isfile(path):
        return None
    try:
        index = _Index(path, 0)
        connection = index._connect()
        try:
            meta = dict(connection.execute("SELECT k, v FROM meta"))
            if any(meta.get(k) != v for k, v in key.items()):
                return None
            page_size = connection.execute("PRAGMA page_size").fetchone()[0]
            page_count = connection.execute("PRAGMA page_count").fetchone()[0]
            if page_size * page_count != os.path.getsize(path):  # cut short
                return None
            for word, freq in _probes(meta):
                row = connection.execute("SELECT n FROM freq WHERE w = ?", (word,)).fetchone()
                if row is None or row[0] != freq:
                    return None
            index.total = int(meta["total"])
        finally:
            connection.close()
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError):
        return None
    return index


def _probes(meta: dict[str, str]) -> list[tuple[str, int]]:
    out = []
    for name in ("probe_first", "probe_middle", "probe_last"):
        word, _, freq = meta[name].rpartition("\t")
        out.append((word, int(freq)))
    return out


_TEMP_PREFIX = ".jieba_freq-"


def _remove_abandoned_builds(folder: str, older_than_s: float = 3600.0) -> None:
    """Temporary files of builds that were killed midway (a worker past its time limit)."""
    import time

    try:
        names = [n for n in os.listdir(folder) if n.startswith(_TEMP_PREFIX) and n.endswith(".tmp")]
        for name in names:
            temporary = os.path.join(folder, name)
            if time.time() - os.path.getmtime(temporary) > older_than_s:
                os.unlink(temporary)
    except OSError:
        pass


def _write_atomically(path: str, write: Callable[[str], None],
                      errors: tuple[type[BaseException], ...] = (OSError,)) -> bool:
    """``write(temporary)`` through :func:`auditor.files.atomic_write` (a temporary file named for
    :func:`_remove_abandoned_builds`, renamed onto ``path``). False, and nothing left behind, when the
    folder cannot be written or ``write`` raises one of ``errors``."""
    from pathlib import Path

    from auditor.files import atomic_write

    folder = os.path.dirname(os.path.abspath(path))
    _remove_abandoned_builds(folder)
    try:
        atomic_write(Path(os.path.abspath(path)), lambda temporary: write(str(temporary)), prefix=_TEMP_PREFIX)
    except errors:
        return False
    return True


def build_index(path: str, freq: dict[str, int], total: int, key: dict[str, str]) -> bool:
    """Write the index of ``freq`` (jieba's dictionary, nothing added) to ``path`` atomically
    (:func:`_write_atomically`). False (and nothing left behind) when the folder cannot be written."""
    import sqlite3

    def write(temporary: str) -> None:
        words = sorted(freq)
        middle = words[len(words) // 2]
        meta = dict(key, total=str(total), count=str(len(words)),
                    probe_first=f"{words[0]}\t{freq[words[0]]}", probe_middle=f"{middle}\t{freq[middle]}",
                    probe_last=f"{words[-1]}\t{freq[words[-1]]}")
        connection = sqlite3.connect(temporary)
        try:
            connection.execute("PRAGMA journal_mode=OFF")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
            connection.execute("CREATE TABLE freq (w TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            connection.executemany("INSERT INTO freq VALUES (?, ?)", ((w, freq[w]) for w in words))
            connection.commit()
        finally:
            connection.close()

    return _write_atomically(path, write, (sqlite3.Error, OSError, IndexError))


_ABSENT = None  # FREQ's values are ints: None marks a word the dictionary does not hold
_UNREAD = object()


# Distinct words read from the index after which the whole dictionary is loaded instead: a long run
# (many files in one process) then segments at the plain dict's speed. ~10 us a read: 60,000 reads
# cost about what the full load does (0.6-1 s), so a run never pays more than twice the better choice.
FULL_AFTER_READS = 60_000


class LazyFreq(MutableMapping):
    """jieba's ``Tokenizer.FREQ`` read from an :class:`_Index` on demand; writes stay in memory.

    ``load_full`` returns jieba's whole ``(FREQ, total)``. It replaces the index when a read fails
    (the file damaged while in use) and after ``full_after`` distinct reads (None: never); the
    tokenizer (when given) then gets the plain dict, with this overlay's writes applied, as its
    ``FREQ``."""

    def __init__(self, index: _Index, load_full: Callable[[], tuple[dict[str, int], int]],
                 tokenizer: jieba.Tokenizer | None = None, full_after: int | None = None) -> None:
        self._known: dict[str, int | None] = {}  # answers read so far, and every write
        self._written: dict[str, int | None] = {}  # jieba's writes (None: deleted), in order
        self._index = index
        self._lookup: Callable[[str], int | None] = index.lookup
        self._load_full = load_full
        self._full: dict[str, int] | None = None
        self._reads_left = full_after
        self._switch_lock = threading.Lock()
        self._tokenizer = weakref.ref(tokenizer) if tokenizer is not None else None

    @property
    def is_full(self) -> bool:
        """True once the whole dictionary has replaced the index."""
        return self._full is not None

    def _value(self, word: str) -> int | None:
        value = self._known.get(word, _UNREAD)
        if value is not _UNREAD:
            return value
        try:
            value = self._lookup(word)
        except Exception:  # noqa: BLE001 - the index broke while in use: the full dictionary takes over
            value = self._switch_to_full().get(word)
        self._known[word] = value
        if self._reads_left is not None:
            self._reads_left -= 1
            if self._reads_left <= 0:  # a long run: the whole dictionary is cheaper from now on
                self._reads_left = None
                self._switch_to_full()
        return value

    def value(self, word: str) -> int | None:
        """``word``'s frequency, None when the dictionary does not hold it (one call where jieba asks
        ``in`` then ``[]``)."""
        return self._value(word)

    def _switch_to_full(self) -> dict[str, int]:
        with self._switch_lock:
            if self._full is None:
                full, total = self._load_full()
                for word, value in list(self._written.items()):
                    if value is _ABSENT:
                        full.pop(word, None)
                    else:
                        full[word] = value
                self._full = full
                self._lookup = full.get
                tokenizer = self._tokenizer() if self._tokenizer is not None else None
                if tokenizer is not None:
                    tokenizer.total += total - self._index.total  # 0 unless the index was wrong
                    if tokenizer.FREQ is self:
                        tokenizer.FREQ = full
            return self._full

    def __contains__(self, word: object) -> bool:
        return self._value(word) is not _ABSENT  # type: ignore[arg-type]

    def __getitem__(self, word: str) -> int:
        value = self._value(word)
        if value is _ABSENT:
            raise KeyError(word)
        return value

    def get(self, word: str, default=None):
        value = self._value(word)
        return default if value is _ABSENT else value

    def __setitem__(self, word: str, freq: int) -> None:
        self._known[word] = freq
        self._written[word] = freq
        if self._full is not None:
            self._full[word] = freq

    def __delitem__(self, word: str) -> None:
        if word not in self:
            raise KeyError(word)
        self._known[word] = _ABSENT
        self._written[word] = _ABSENT
        if self._full is not None:
            self._full.pop(word, None)

    def materialise(self) -> dict[str, int]:
        """Every entry, as the full ``FREQ`` dict would hold it (reads the whole index)."""
        if self._full is not None:
            return dict(self._full)
        try:
            base = dict(self._index.items())
        except Exception:  # noqa: BLE001 - a damaged index: jieba's own load
            base = dict(self._load_full()[0])
        for word, value in self._written.items():
            if value is _ABSENT:
                base.pop(word, None)
            else:
                base[word] = value
        return base

    def __iter__(self) -> Iterator[str]:
        return iter(self.materialise())

    def __len__(self) -> int:
        return len(self.materialise())

    def __repr__(self) -> str:
        return f"<LazyFreq {self._index.path} ({len(self._known)} read or written)>"


# --- the whole dictionary, loaded quickly --------------------------------------------------------
#
# jieba's own cache is the marshalled ``(FREQ, total)``: 0.55-0.6 s to load ~500,000 entries. The same
# entries kept as one block of words (UTF-8, one a line) and one array of frequencies load in ~0.15 s
# (a split and a ``dict(zip(...))``): a batch's fork server, a first run (no index yet) and a lazy table
# that has read ``FULL_AFTER_READS`` words load it.

WORDS_NAME = "jieba_words.bin"


def write_words(path: str, freq: dict[str, int], total: int, key: dict[str, str]) -> bool:
    """Write ``freq`` (jieba's dictionary, nothing added) and ``total`` to ``path`` atomically, in
    ``FREQ``'s order. False (and nothing left behind) when it cannot: the folder is not writable, or
    a word holds a line break (none of jieba's do)."""
    import json
    import sys
    from array import array

    if any("\n" in word for word in freq):
        return False
    words = "\n".join(freq).encode("utf-8")
    counts = array("q", freq.values())
    header = json.dumps(dict(key, total=total, count=len(freq), words_bytes=len(words),
                             byteorder=sys.byteorder, itemsize=counts.itemsize), ensure_ascii=True)

    def write(temporary: str) -> None:
        with open(temporary, "wb") as out:
            out.write(header.encode("ascii") + b"\n")
            out.write(words)
            out.write(counts.tobytes())

    return _write_atomically(path, write)


def read_words(path: str, key: dict[str, str]) -> tuple[dict[str, int], int] | None:
    """``(FREQ, total)`` from a file of :func:`write_words` built from ``key``'s dictionary; None when
    it is missing, stale, cut short or damaged."""
    import json
    import sys
    from array import array

    try:
        with open(path, "rb") as handle:
            data = handle.read()
        end = data.index(b"\n")
        header = json.loads(data[:end].decode("ascii"))
        if any(header.get(k) != v for k, v in key.items()):
            return None
        counts = array("q")
        if header["byteorder"] != sys.byteorder or header["itemsize"] != counts.itemsize:
            return None
        count, words_bytes = int(header["count"]), int(header["words_bytes"])
        start = end + 1
        if len(data) != start + words_bytes + count * counts.itemsize:
            return None
        words = data[start:start + words_bytes].decode("utf-8").split("\n")
        counts.frombytes(data[start + words_bytes:])
        del data
        if len(words) != count or len(counts) != count:
            return None
        freq = dict(zip(words, counts))
        if len(freq) != count:
            return None
        return freq, int(header["total"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return None


def _full_tokenizer(cache_folder: str | None) -> jieba.Tokenizer:
    """jieba's whole dictionary: from the word file in ``cache_folder`` when it is valid, else jieba's
    own load (its marshal cache, in the same folder), which then writes the word file."""
    tokenizer = _jieba().Tokenizer()
    tokenizer.tmp_dir = cache_folder  # jieba's own marshal cache of the parsed dictionary
    if not cache_folder:
        tokenizer.initialize()
        return tokenizer
    path = os.path.join(cache_folder, WORDS_NAME)
    try:
        key = dictionary_key()
    except OSError:
        tokenizer.initialize()
        return tokenizer
    loaded = read_words(path, key)
    if loaded is not None:
        tokenizer.FREQ, tokenizer.total = loaded
        tokenizer.initialized = True
        return tokenizer
    tokenizer.initialize()
    if os.access(cache_folder, os.W_OK):
        write_words(path, tokenizer.FREQ, tokenizer.total, key)
    return tokenizer


@lru_cache(maxsize=1)
def _lazy_tokenizer_class() -> type:
    """jieba's Tokenizer with its two dictionary loops (``get_DAG``, ``calc``) reading a :class:`LazyFreq`
    through its memo of answers (a plain dict) first: jieba's own loops ask the mapping ``in``, ``[]``
    and ``.get``, three calls of Python methods a fragment, ~40 a phrase. The same code as jieba's
    (0.42), the same DAG and route; once the table has switched to the whole dictionary, jieba's own."""
    from math import log

    class LazyTokenizer(_jieba().Tokenizer):
        def get_DAG(self, sentence: str) -> dict[int, list[int]]:
            freq = self.FREQ
            if type(freq) is not LazyFreq:
                return super().get_DAG(sentence)
            self.check_initialized()
            known, value = freq._known.get, freq.value
            dag = {}
            n = len(sentence)
            for k in range(n):
                ends = []
                i = k
                frag = sentence[k]
                while i < n:
                    count = known(frag, _UNREAD)
                    if count is _UNREAD:
                        count = value(frag)
                    if count is _ABSENT:
                        break
                    if count:
                        ends.append(i)
                    i += 1
                    frag = sentence[k:i + 1]
                if not ends:
                    ends.append(k)
                dag[k] = ends
            return dag

        def calc(self, sentence: str, DAG: dict[int, list[int]], route: dict) -> None:  # noqa: N803 - jieba's name
            freq = self.FREQ
            if type(freq) is not LazyFreq:
                return super().calc(sentence, DAG, route)
            known, value = freq._known.get, freq.value
            n = len(sentence)
            route[n] = (0, 0)
            logtotal = log(self.total)
            for idx in range(n - 1, -1, -1):
                best = None  # jieba's max() over the same tuples: the first of the largest
                for x in DAG[idx]:
                    word = sentence[idx:x + 1]
                    count = known(word, _UNREAD)
                    if count is _UNREAD:
                        count = value(word)
                    candidate = (log(count or 1) - logtotal + route[x + 1][0], x)
                    if best is None or candidate > best:
                        best = candidate
                route[idx] = best
            return None

    return LazyTokenizer


_AUTO = object()


def make_tokenizer(cache_folder: str | None, *, lazy: bool | None = None,
                   full_after: int | None | object = _AUTO) -> jieba.Tokenizer:
    """An initialised jieba Tokenizer on jieba's default dictionary (nothing added yet).

    ``lazy`` (default: :func:`lazy_wanted`) reads the dictionary through :class:`LazyFreq` when
    ``cache_folder`` holds a valid index, and otherwise loads it whole and, when the folder can be
    written, builds the index for the next runs. ``full_after`` (default: ``FULL_AFTER_READS``;
    None: never) distinct reads make the lazy table load the whole dictionary."""
    lazy = lazy_wanted() if lazy is None else lazy
    if full_after is _AUTO:
        full_after = FULL_AFTER_READS
    if not lazy or not cache_folder:
        return _full_tokenizer(cache_folder)
    path = os.path.join(cache_folder, INDEX_NAME)
    try:
        key = dictionary_key()
    except OSError:
        return _full_tokenizer(cache_folder)
    index = open_index(path, key)
    if index is None:
        tokenizer = _full_tokenizer(cache_folder)
        if os.access(cache_folder, os.W_OK):
            build_index(path, tokenizer.FREQ, tokenizer.total, key)
        return tokenizer
    tokenizer = _lazy_tokenizer_class()()
    tokenizer.tmp_dir = cache_folder

    def load_full() -> tuple[dict[str, int], int]:
        full = _full_tokenizer(cache_folder)
        return full.FREQ, full.total

    tokenizer.FREQ = LazyFreq(index, load_full, tokenizer, full_after)  # type: ignore[arg-type]
    tokenizer.total = index.total
    tokenizer.initialized = True
    return tokenizer
