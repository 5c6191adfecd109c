"""Wire copies: near-duplicate articles by MinHash/LSH over word shingles, checked exactly.

::

    >>> import newsim
    >>> texts = ["Russia warns NATO over missile defence plans in Europe today",
    ...          "Russia warns NATO over missile defence plans in Europe today.",
    ...          "A different story about the weather"]
    >>> r = newsim.near_duplicates(texts, threshold=0.8)
    >>> r.groups
    [[0, 1]]
    >>> r.pairs[["a", "b", "jaccard", "relation"]].to_dict("records")
    [{'a': 0, 'b': 1, 'jaccard': 1.0, 'relation': 'copy'}]
"""

from __future__ import annotations

import numbers
import threading
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from newsim import _core
from newsim._inputs import texts_ids_times
from newsim._base import _n_jobs

_DEFAULT_PATTERN = r"(?u)\b\w\w+\b"
_COLUMNS = ["a", "b", "jaccard", "containment", "cosine", "relation", "container"]


def _unit(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value <= 1:
        raise ValueError(f"{name} must be a number in (0, 1]; got {value!r}")
    return float(value)


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an int >= 1; got {value!r}")
    return int(value)


def _seed(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"seed must be an int >= 0; got {value!r}")
    return int(value)


def _frame(pairs: Dict[str, Any], ids: Optional[List[str]]) -> Any:
    import pandas as pd

    df = pd.DataFrame({c: pairs[c] for c in _COLUMNS})
    if ids is not None and len(df):
        df.insert(2, "id_a", [ids[i] if i >= 0 else None for i in df["a"]])
        df.insert(3, "id_b", [ids[i] for i in df["b"]])
    elif ids is not None:
        df.insert(2, "id_a", pd.Series([], dtype=object))
        df.insert(3, "id_b", pd.Series([], dtype=object))
    return df


class NearDuplicateResult:
    """Near-duplicate pairs and groups of a collection.

    Found by shared passages (the default of :func:`near_duplicates`), ``pairs``, ``groups``
    and ``canonical`` are those of :class:`newsim.TextReuseResult` (its ``origins``); an article
    may be in two groups. Found by Jaccard (a threshold given):

    ``pairs``: a DataFrame, one row per pair (a < b, input positions) with their Jaccard index,
    containment (share of the smaller article inside the other) and cosine, all on word
    shingles, the relation (``copy``, ``contains`` or ``update``) and, for ``contains``, the
    position of the container; ``id_a``/``id_b`` when the input was a Corpus.
    ``groups``: connected components of the pairs (lists of positions); ``canonical``: one
    position per group (the earliest dated article, else the longest).
    """

    def __init__(self, pairs: Any, groups: List[List[int]], canonical: List[int],
                 candidates: int, n: int, ids: Optional[List[str]]) -> None:
        self.pairs = pairs
        self.groups = groups
        self.canonical = canonical
        self.candidates = candidates
        self.n = n
        self.ids = ids

    def group_labels(self) -> np.ndarray:
        """Per input position, its group number (the first, if in two), or -1 when it has no
        near-duplicate."""
        labels = np.full(self.n, -1, dtype=np.int64)
        for g in range(len(self.groups) - 1, -1, -1):  # in two groups: the first
            labels[self.groups[g]] = g
        return labels

    def to_pandas(self) -> Any:
        """The groups as a DataFrame: group, position, id (for a Corpus), canonical (bool)."""
        import pandas as pd

        rows = []
        for g, (members, canon) in enumerate(zip(self.groups, self.canonical)):
            for m in members:
                row = {"group": g, "position": m, "canonical": m == canon}
                if self.ids is not None:
                    row["id"] = self.ids[m]
                rows.append(row)
        cols = ["group", "position"] + (["id"] if self.ids is not None else []) + ["canonical"]
        return pd.DataFrame(rows, columns=cols)

    def _repr_html_(self) -> str:
        import html

        relations = ", ".join(f"{n} {r}" for r, n in self.pairs["relation"].value_counts().items())
        more = f" (first {min(len(self.pairs), 20)} shown)" if len(self.pairs) > 20 else ""
        return (f"<p><b>{html.escape(repr(self))}</b>"
                f"{': ' + html.escape(relations) if relations else ''}</p>"
                f"<p>pairs (<code>.pairs</code>){more}</p>"
                + self.pairs.head(20).to_html(index=False))

    def __repr__(self) -> str:
        return (f"NearDuplicateResult({len(self.pairs)} pairs, {len(self.groups)} groups, "
                f"{self.n} articles)")


class NearDuplicateIndex:
    """Near-duplicate search that grows batch by batch: ``add`` returns the pairs each new batch
    forms with itself and with everything added before; ``query`` checks one outside text.

    Parameters are those of :func:`near_duplicates`. The index holds each article's shingle set
    (8 bytes a shingle) and signature (4 bytes per permutation). It is safe to share between
    threads (``add`` takes a writer lock, the rest a reader lock).

    >>> ix = NearDuplicateIndex(threshold=0.8)
    >>> ix.add(["the same wire story about missile defence in europe"]).empty
    True
    >>> ix.add(["the same wire story about missile defence in europe"])[["a", "b"]].values.tolist()
    [[0, 1]]
    """

    def __init__(self, threshold: float = 0.8, *, shingle_size: int = 5, num_perm: int = 128,
                 bands: Optional[int] = None, copy_threshold: float = 0.9,
                 containment_threshold: float = 0.9, seed: int = 1, lowercase: bool = True,
                 strip_accents: Optional[str] = None, token_pattern: str = _DEFAULT_PATTERN,
                 decode_error: str = "strict", n_jobs: Optional[int] = None,
                 max_pairs: Optional[int] = 10_000_000) -> None:
        self.threshold = _unit(threshold, "threshold")
        self.shingle_size = _positive_int(shingle_size, "shingle_size")
        self.num_perm = _positive_int(num_perm, "num_perm")
        self.bands = 0 if bands is None else _positive_int(bands, "bands")
        self.copy_threshold = _unit(copy_threshold, "copy_threshold")
        self.containment_threshold = _unit(containment_threshold, "containment_threshold")
        self.seed = _seed(seed)
        if max_pairs is not None and (isinstance(max_pairs, bool) or
                                      not isinstance(max_pairs, numbers.Integral) or
                                      max_pairs < 0):
            raise ValueError(f"max_pairs must be an int >= 0 or None; got {max_pairs!r}")
        self.max_pairs = None if max_pairs is None else int(max_pairs)
        self._core = _core._NearDuplicateIndex(
            self.shingle_size, self.num_perm, self.threshold, self.bands, self.copy_threshold,
            self.containment_threshold, self.seed, bool(lowercase), strip_accents, token_pattern,
            decode_error, _n_jobs(n_jobs), -1 if max_pairs is None else int(max_pairs))
        self._ids: Optional[List[str]] = []
        # Held around each core call and its ids, so that the ids always match the core's
        # positions when threads share the index.
        self._ids_lock = threading.Lock()

    @property
    def banding(self) -> Tuple[int, int]:
        """(bands, rows per band) of the LSH."""
        return tuple(self._core.banding)

    def __len__(self) -> int:
        return len(self._core)

    def add(self, data: Any, dates: Optional[Sequence[Any]] = None) -> Any:
        """Adds a Corpus or texts (numbered on from ``len(self)``) and returns the new pairs as
        a DataFrame (see :class:`NearDuplicateResult`). Dates (or a Corpus's own) choose the
        canonical article of a group."""
        texts, ids, times, _ = texts_ids_times(data, dates, documents=False)
        with self._ids_lock:
            pairs = self._core.add(texts, times)
            if self._ids is not None and ids is not None:
                self._ids.extend(ids)
            else:
                self._ids = None
            return _frame(pairs, self._ids)

    def query(self, text: str) -> Any:
        """Pairs between ``text`` (a = -1) and the indexed articles (b), without adding it."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        with self._ids_lock:
            return _frame(self._core.query(text), self._ids)

    def result(self) -> NearDuplicateResult:
        """Every pair found so far, with groups and canonical articles."""
        with self._ids_lock:
            pairs, groups, canonical, candidates = self._core.result()
            ids = None if self._ids is None else list(self._ids)
            n = len(self._core)
        return NearDuplicateResult(_frame(pairs, ids), [list(g) for g in groups],
                                   list(canonical), int(candidates), n, ids)

    def signature(self, i: int) -> np.ndarray:
        """The MinHash signature (uint32, num_perm values) of article i."""
        return self._core.signature(i)

    def shingle_set(self, i: int) -> np.ndarray:
        """The sorted, distinct shingle hashes (uint64) of article i."""
        return self._core.shingle_set(i)

    def __repr__(self) -> str:
        return (f"NearDuplicateIndex(threshold={self.threshold}, shingle_size={self.shingle_size},"
                f" num_perm={self.num_perm}, banding={self.banding}, articles={len(self)})")


def near_duplicates(data: Any, threshold: Optional[float] = None, *,
                    dates: Optional[Sequence[Any]] = None, shingle_size: int = 5,
                    num_perm: int = 128, bands: Optional[int] = None,
                    copy_threshold: float = 0.9, containment_threshold: float = 0.9,
                    seed: int = 1, n_jobs: Optional[int] = None,
                    max_pairs: Optional[int] = 10_000_000) -> NearDuplicateResult:
    """Near-duplicate pairs and groups of a Corpus or a list of texts.

    By default (``threshold=None``) copies are found by the passages they share, as
    :func:`newsim.text_reuse` finds them with its defaults, so edited copies, cuts and quoted
    excerpts are found too: ``pairs`` has text reuse's columns (relation ``copy``, ``trimmed``,
    ``rewrite``, ``excerpt`` or ``template``, origin, coverage of each, ...), ``groups`` are
    origins with what was derived from them (origin first; they do not chain) and
    ``canonical`` their origins. The MinHash options below do not apply then.

    With a ``threshold``, the Jaccard method: articles are sets of word shingles
    (``shingle_size`` consecutive lowercased words); two are near-duplicates when the Jaccard
    index of their sets is at least ``threshold``. Candidates come from MinHash signatures
    (``num_perm`` values) split into LSH bands, chosen so that a pair at the threshold is a
    candidate with probability >= 0.999; every candidate is then checked exactly, so no
    reported pair falls below the threshold. Articles without words are
    never near-duplicates. A Corpus is compared on its texts as they are (clean it first to
    leave page furniture out); its dates, or ``dates`` (one per article, as in
    :func:`cluster_stories`), choose each group's canonical article.

    Relations: ``copy`` (Jaccard >= copy_threshold); ``contains`` (a cut or excerpt: the
    smaller article's shingles lie in the other at least ``containment_threshold``, and the
    larger adds more than twice as many shingles as the smaller has of its own); ``update``
    (otherwise: the same text, edited on both sides).

    Copies: an article whose shingle set equals an earlier one's (the same text, up to case and
    punctuation) is paired only with the first article of that set (Jaccard 1, ``copy``); its
    other pairs are those of that first article, and the group holds them all. So n copies
    give n - 1 pairs, not n (n - 1) / 2, and 10,000 identical texts take well under a second.
    ``max_pairs`` bounds the candidate pairs checked (None: no bound); past it ValueError is
    raised and nothing is kept.

    >>> r = near_duplicates(["we said it before and say it again", "x y z",
    ...                      "We said it before, and say it again!"], threshold=0.9)
    >>> r.groups, r.canonical
    ([[0, 2]], [0])
    """
    # The Jaccard options are checked whichever method runs.
    if threshold is not None:
        _unit(threshold, "threshold")
    for value, name in ((shingle_size, "shingle_size"), (num_perm, "num_perm")):
        _positive_int(value, name)
    if bands is not None and not 1 <= _positive_int(bands, "bands") <= num_perm:
        raise ValueError(f"bands must be in [1, num_perm]; got {bands!r}")
    _unit(copy_threshold, "copy_threshold")
    _unit(containment_threshold, "containment_threshold")
    _seed(seed)
    if threshold is None:
        from newsim.text_reuse import text_reuse

        r = text_reuse(data, dates=dates, n_jobs=n_jobs, max_pairs=max_pairs)
        return NearDuplicateResult(r.pairs, r.groups, r.origins, r.candidates, r.n, r.ids)
    index = NearDuplicateIndex(threshold, shingle_size=shingle_size, num_perm=num_perm,
                               bands=bands, copy_threshold=copy_threshold,
                               containment_threshold=containment_threshold, seed=seed,
                               n_jobs=n_jobs, max_pairs=max_pairs)
    index.add(data, dates)
    return index.result()


def shingles(text: str, shingle_size: int = 5) -> np.ndarray:
    """The sorted, distinct shingle hashes (uint64, XXH3) of a text's lowercased words.

    >>> len(shingles("one two three four five six", shingle_size=5))
    2
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    return _core._shingles(text, _positive_int(shingle_size, "shingle_size"), True, None,
                           _DEFAULT_PATTERN, "strict")


def minhash(shingle_set: Any, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """The MinHash signature (uint32) of a set of 64-bit shingle hashes.

    >>> a = minhash(shingles("one two three four five six seven"))
    >>> b = minhash(shingles("one two three four five six seven"))
    >>> estimate_jaccard(a, b)
    1.0
    """
    values = np.asarray(shingle_set)
    if values.size == 0:
        values = values.astype(np.uint64)
    if values.ndim != 1 or not np.issubdtype(values.dtype, np.integer):
        raise TypeError(f"shingle_set must be a 1-D array of integers; got dtype {values.dtype} "
                        f"and shape {values.shape}")
    if np.issubdtype(values.dtype, np.signedinteger) and (values < 0).any():
        raise ValueError("shingle_set must not hold negative values")
    return _core._minhash(values.astype(np.uint64), _positive_int(num_perm, "num_perm"),
                          int(seed))


def estimate_jaccard(a: Any, b: Any) -> float:
    """Share of equal positions of two signatures: the MinHash estimate of their Jaccard index,
    with standard error sqrt(J(1-J)/num_perm).

    >>> estimate_jaccard([1, 2, 3, 4], [1, 2, 0, 0])
    0.5
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError(f"signatures must be 1-D and of one length; got {a.shape} and {b.shape}")
    return float(np.mean(a == b))


def lsh_probability(jaccard: float, bands: int, rows: int) -> float:
    """Probability that a pair of Jaccard index ``jaccard`` becomes an LSH candidate:
    1 - (1 - J^rows)^bands.

    >>> round(lsh_probability(0.8, 25, 5), 4)
    1.0
    """
    if isinstance(jaccard, bool) or not isinstance(jaccard, numbers.Real) or \
            not 0 <= jaccard <= 1:
        raise ValueError(f"jaccard must be a number in [0, 1]; got {jaccard!r}")
    return float(_core._lsh_probability(float(jaccard), _positive_int(bands, "bands"),
                                        _positive_int(rows, "rows")))
