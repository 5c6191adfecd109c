"""Text reuse: which articles share passages, where, and how one was made from the other.

Words are runs of word characters, lowercased; a word holding a digit is a figure. Candidates
come from winnowed fingerprints of ``seed_words``-word runs in an inverted index, so any
passage of ``seed_words + window - 1`` words two articles share makes them candidates, however
long the rest (a quote inside a long article, a cut copy); a fingerprint held by more than
``max_postings`` distinct texts (boilerplate, or a story copied thousands of times) links
each of them only to the first text that has it. Each candidate is aligned: runs of
equal words are seeded and extended, and runs in the same order with at most ``max_gap``
words between them form one passage (an edited word, a switched spelling, a changed figure
stay inside it). Two texts share passages when one has at least ``min_passage_words`` equal
words; their other passages need half as many.

Relations (``a_coverage``/``b_coverage``: share of each text inside shared passages):

- ``template``: the same frame with other figures or names (at least 2, and at least
  ``template_changed`` of the figures and capitalised words at aligned places differ); not
  reuse, no origin;
- ``copy``: both covered at least ``copy_coverage``;
- ``trimmed``: one covered at least ``trimmed_coverage`` (a cut of the other, its origin);
- ``rewrite``: both covered at least ``rewrite_coverage``, by two passages or more or by one
  that covers at least ``excerpt_coverage`` of each (an edited copy);
- ``excerpt``: otherwise (a passage quoted inside a different text).

The origin is the earlier article when both are dated; else the longer for ``trimmed``, the
one the passages cover more for ``excerpt``, otherwise the first. A group is an origin and the
texts derived from it: two articles that each quote a third are in its group, and their own
pair names it as ``via`` instead of an origin, so groups do not chain.

>>> quote = ("the minister said the missile shield would cost far more than planned and "
...          "that talks would resume in brussels next week after the summit")
>>> r = shared_passages("Intro text here. " + quote + ". Other words.", "Quote: " + quote)
>>> r.passages[["a_begin", "a_end", "b_begin", "b_end", "matched"]].values.tolist()
[[17, 153, 7, 143, 24]]
"""

from __future__ import annotations

import numbers
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from newsim import _core
from newsim._inputs import texts_ids_times
from newsim._base import _n_jobs

_PAIR_COLUMNS = ["a", "b", "relation", "origin", "via", "a_coverage", "b_coverage", "longest",
                 "matched", "passages"]
_PASSAGE_COLUMNS = ["a_begin", "a_end", "b_begin", "b_end", "a_words", "b_words", "matched"]


def _options(seed_words: int, window: int, align_words: int, max_gap: int,
             min_passage_words: int, max_postings: int, copy_coverage: float,
             trimmed_coverage: float, rewrite_coverage: float, excerpt_coverage: float,
             template_changed: float) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for name, value, low in (("seed_words", seed_words, 1), ("window", window, 1),
                             ("align_words", align_words, 1), ("max_gap", max_gap, 0),
                             ("min_passage_words", min_passage_words, 1),
                             ("max_postings", max_postings, 2)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"{name} must be an int >= {low}; got {value!r}")
        out[name] = int(value)
    for name, value in (("copy_coverage", copy_coverage), ("trimmed_coverage", trimmed_coverage),
                        ("rewrite_coverage", rewrite_coverage),
                        ("excerpt_coverage", excerpt_coverage),
                        ("template_changed", template_changed)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
            raise ValueError(f"{name} must be a number in [0, 1]; got {value!r}")
        out[name] = float(value)
    return out


class SharedPassages:
    """The passages two texts share: ``passages``, a DataFrame with one row per passage (spans
    ``[a_begin, a_end)`` in the first text and ``[b_begin, b_end)`` in the second, in
    characters; words on each side and how many are equal; the passage ``text`` as it reads in
    the first), and the measures ``a_coverage``, ``b_coverage`` (share of each text's words
    inside passages), ``longest`` and ``matched`` (equal words of the longest passage and of
    all), ``a_words``, ``b_words``."""

    def __init__(self, a: str, b: str, result: Dict[str, Any]) -> None:
        import pandas as pd

        p = result["passages"]
        self.passages = pd.DataFrame({c: p[c] for c in _PASSAGE_COLUMNS})
        self.passages["text"] = [a[s:e] for s, e in zip(p["a_begin"], p["a_end"])]
        m = result["measures"]
        self.a_words = int(m["a_words"])
        self.b_words = int(m["b_words"])
        self.a_coverage = float(m["a_coverage"])
        self.b_coverage = float(m["b_coverage"])
        self.longest = int(m["longest"])
        self.matched = int(m["matched"])

    def __len__(self) -> int:
        return len(self.passages)

    def __repr__(self) -> str:
        return (f"SharedPassages({len(self)} passages, a_coverage={self.a_coverage:.3f}, "
                f"b_coverage={self.b_coverage:.3f}, longest={self.longest})")


def shared_passages(a: str, b: str, *, seed_words: int = 5, window: int = 8,
                    align_words: int = 4, max_gap: int = 12, min_passage_words: int = 15
                    ) -> SharedPassages:
    """The passages texts ``a`` and ``b`` share, as character spans in both (see the module
    documentation for how they are found), with the share of each text they cover.

    >>> words = " ".join(f"w{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(20))
    >>> p = shared_passages("Before. " + words, words + " after")
    >>> p.passages[["a_begin", "b_begin", "matched"]].values.tolist(), p.b_coverage
    ([[8, 0, 20]], 0.9523809523809523)
    """
    for name, t in (("a", a), ("b", b)):
        if not isinstance(t, str):
            raise TypeError(f"{name} must be a str, not {type(t).__name__}")
    opts = _options(seed_words, window, align_words, max_gap, min_passage_words, 100, 0.9,
                    0.95, 0.4, 0.5, 0.3)
    return SharedPassages(a, b, _core._shared_passages(a, b, **opts))


class TextReuseResult:
    """Text reuse in a collection.

    ``pairs``: a DataFrame, one row per pair of articles that share passages (a < b, input
    positions; ``id_a``/``id_b`` for a Corpus) with the relation, the origin (a position, -1
    for ``template`` and for pairs that share passages ``via`` a third article), the coverage of
    each, the longest passage and all equal words, and the number of passages.
    ``groups``: per origin (``origins``), the origin first and then the articles derived from
    it; an article derived from two origins is in both groups.
    ``passages`` (when asked for): one row per shared passage, its pair (row of ``pairs``),
    ``a``, ``b`` and its character spans in both texts, and its equal words; else None.
    """

    def __init__(self, pairs: Any, origins: List[int], groups: List[List[int]],
                 candidates: int, n: int, ids: Optional[List[str]]) -> None:
        self.passages: Any = None
        self.pairs = pairs
        self.origins = origins
        self.groups = groups
        self.candidates = candidates
        self.n = n
        self.ids = ids

    def derived(self, i: int) -> List[int]:
        """The articles derived from article ``i`` (empty when it is no origin)."""
        pos = int(np.searchsorted(self.origins, i))
        if pos < len(self.origins) and self.origins[pos] == i:
            return self.groups[pos][1:]
        return []

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {r}" for r, n in self.pairs["relation"].value_counts().items())
        return (f"TextReuseResult({len(self.pairs)} pairs{': ' + counts if counts else ''}; "
                f"{len(self.groups)} groups, {self.n} articles)")


def text_reuse(data: Any, *, dates: Optional[Sequence[Any]] = None, seed_words: int = 5,
               window: int = 8, align_words: int = 4, max_gap: int = 12,
               min_passage_words: int = 15, max_postings: int = 100,
               copy_coverage: float = 0.9, trimmed_coverage: float = 0.95,
               rewrite_coverage: float = 0.4, excerpt_coverage: float = 0.5,
               template_changed: float = 0.3,
               n_jobs: Optional[int] = None, max_pairs: Optional[int] = 10_000_000,
               passages: bool = False) -> TextReuseResult:
    """Pairs of articles that share passages, their relation and origin, and groups, for a
    Corpus (its texts as they are; its dates) or a list of texts (``dates``: one per text).

    Articles with the same words are aligned once: each later one is a ``copy`` of the first
    (the earliest dated), so n identical texts give n - 1 pairs. Articles without words are
    never paired. ``max_pairs`` bounds the candidate pairs (None: no bound); past it ValueError
    is raised. Results do not depend on ``n_jobs``. With ``passages=True`` the result's
    ``passages`` holds every pair's shared passages (see :class:`TextReuseResult`).

    >>> base = " ".join(f"word{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(60))
    >>> r = text_reuse([base, base[:len(base) // 2], "something else entirely"])
    >>> r.pairs[["a", "b", "relation", "origin"]].values.tolist()
    [[0, 1, 'trimmed', 0]]
    """
    opts = _options(seed_words, window, align_words, max_gap, min_passage_words, max_postings,
                    copy_coverage, trimmed_coverage, rewrite_coverage, excerpt_coverage,
                    template_changed)
    if max_pairs is not None and (isinstance(max_pairs, bool) or
                                  not isinstance(max_pairs, numbers.Integral) or max_pairs < 0):
        raise ValueError(f"max_pairs must be an int >= 0 or None; got {max_pairs!r}")
    texts, ids, times, _ = texts_ids_times(data, dates, documents=False)
    n = len(texts)
    pairs, origins, groups, candidates, spans = _core._text_reuse(
        texts, times, n_jobs=_n_jobs(n_jobs), max_pairs=-1 if max_pairs is None else max_pairs,
        passages=bool(passages), **opts)
    import pandas as pd

    df = pd.DataFrame({c: pairs.pop(c) for c in _PAIR_COLUMNS}, copy=False)  # no copies
    if ids is not None:
        by_row = np.asarray(ids, dtype=object)
        df.insert(2, "id_a", by_row[df["a"].to_numpy()])
        df.insert(3, "id_b", by_row[df["b"].to_numpy()])
    result = TextReuseResult(df, [int(o) for o in origins], [list(map(int, g)) for g in groups],
                             int(candidates), n, ids)
    if passages:
        a = df["a"].to_numpy(np.int64)
        b = df["b"].to_numpy(np.int64)
        p = spans  # from the alignments that classified the pairs
        pair = np.repeat(np.arange(len(df), dtype=np.int64), np.diff(p["offsets"]))
        result.passages = pd.DataFrame({
            "pair": pair, "a": a[pair], "b": b[pair], "a_begin": p["a_begin"],
            "a_end": p["a_end"], "b_begin": p["b_begin"], "b_end": p["b_end"],
            "matched": p["matched"]})
    return result
