"""One article similarity: the preset newsim uses wherever it compares articles.

Each article becomes four unit vectors over one news vocabulary (:class:`NewsVectorizer`:
BM25 weights of Snowball stems and names, spelling variants folded, news filler out, title
and lead weighted): its terms, its names alone, its title alone, and its LSA coordinates
(:class:`LSA`). The similarity of two articles is

    base  = weighted mean of cos(terms), cos(names), cos(title), max(0, cos(latent))
    score = sqrt(base) * time_factor

The names (title) weight applies when both articles have names (a title: given, or read off
the text: the Subject of a mail/Usenet header, else a short first line), so identical articles
score 1; time_factor is 1 unless both dates are known, then
``time_floor + (1 - time_floor) * exp(-|days apart| / time_scale_days)``.
Scores are in [0, 1]. The square root is monotone: it spreads the scores (cosines of term
vectors crowd near 0) without changing any ranking. The weights were chosen on the
development data of ``bench/quality.py``.

>>> import newsim
>>> sim = newsim.ArticleSimilarity().fit(
...     ["Russia warns NATO over missile defence in Poland",
...      "NATO missile defense plan in Poland angers Russia",
...      "Floods hit the north of England after heavy rain"])
>>> idx, scores = sim.top_k(k=1)
>>> idx[:, 0].tolist()          # the floods share nothing with the others: padded with -1
[1, 0, -1]
>>> sim.explain(0, 1)["components"].component.tolist()
['terms', 'names', 'title', 'latent']
"""

from __future__ import annotations

import numbers
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from newsim import _core
from newsim._base import Estimator, _n_jobs, _options_of
from newsim._inputs import texts_ids_times

__all__ = ["ArticleSimilarity"]

_DAY = 86400.0


def _weight(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0; got {value!r}")
    return float(value)


SEARCH_DEFAULTS = {"cells": 0, "probes": 16, "candidates": 64, "time_neighbors": 1024, "seed": 0}


def _search_options(search: Any) -> Optional[Dict[str, int]]:
    """top_k's ``search`` argument as the core's keywords, or None for the exact search."""
    if search is False or search is None:
        return None
    if search is True:
        return dict(SEARCH_DEFAULTS)
    if not isinstance(search, dict):
        raise TypeError(f"search must be a bool or a dict; got {type(search).__name__}")
    unknown = set(search) - set(SEARCH_DEFAULTS)
    if unknown:
        raise ValueError(f"unknown search options {sorted(unknown)}; known: "
                         f"{sorted(SEARCH_DEFAULTS)}")
    out = dict(SEARCH_DEFAULTS, **search)
    for name, value in out.items():
        low = 0 if name in ("cells", "seed", "time_neighbors") else 1
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"search option {name} must be an int >= {low}; got {value!r}")
    return {name: int(value) for name, value in out.items()}


class ArticleSimilarity(Estimator):
    """The article similarity preset (see the module docstring).

    Parameters: ``terms`` (a :class:`NewsVectorizer`, default ``NewsVectorizer()``),
    ``n_components`` (latent dimensions, fewer for a small corpus; 0: no latent part),
    ``n_iter``, ``random_state``, the component weights, ``time_scale_days`` and
    ``time_floor``, ``n_jobs``.
    """

    def __init__(self, terms: Any = None, *, n_components: int = 100, n_iter: int = 5,
                 random_state: int = 0, terms_weight: float = 0.4, names_weight: float = 0.1,
                 title_weight: float = 0.15, latent_weight: float = 0.35,
                 time_scale_days: float = 7.0, time_floor: float = 0.5,
                 n_jobs: Optional[int] = None) -> None:
        self.terms = terms
        self.n_components = n_components
        self.n_iter = n_iter
        self.random_state = random_state
        self.terms_weight = terms_weight
        self.names_weight = names_weight
        self.title_weight = title_weight
        self.latent_weight = latent_weight
        self.time_scale_days = time_scale_days
        self.time_floor = time_floor
        self.n_jobs = n_jobs

    # -- construction ---------------------------------------------------------------------
    def _make_core(self) -> Any:
        from newsim.news import NewsVectorizer

        terms = self.terms if self.terms is not None else NewsVectorizer()
        if not isinstance(terms, NewsVectorizer):
            raise TypeError(f"terms must be a NewsVectorizer; got {type(terms).__name__}")
        for name in ("n_components", "n_iter", "random_state"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
                raise ValueError(f"{name} must be an int >= 0; got {v!r}")
        scale = _weight("time_scale_days", self.time_scale_days)
        if scale == 0:
            raise ValueError("time_scale_days must be > 0")
        return _core._ArticleSimilarity(
            terms._make_core(), int(self.n_components), int(self.n_iter), int(self.random_state),
            _weight("terms_weight", self.terms_weight), _weight("names_weight", self.names_weight),
            _weight("title_weight", self.title_weight),
            _weight("latent_weight", self.latent_weight), scale * _DAY,
            _weight("time_floor", self.time_floor), _n_jobs(self.n_jobs))

    @staticmethod
    def _inputs(data: Any, dates: Optional[Sequence[Any]], titles: Optional[Sequence[str]]
                ) -> Tuple[Any, Optional[List[str]], Optional[np.ndarray],
                           Optional[List[str]]]:
        """(texts, titles or None, seconds or None, ids or None). A Corpus is cleaned first and
        gives its own titles and dates."""
        from newsim.articles import Corpus, clean

        if isinstance(data, Corpus):
            c = data if data.cleaned else clean(data).corpus
            texts, ids, times, _ = texts_ids_times(c, dates, documents=False)
            if titles is None:
                titles = c.titles
            return texts, list(titles), times, ids
        texts, ids, times, _ = texts_ids_times(data, dates, documents=False)
        if titles is not None:
            titles = [t if isinstance(t, str) else "" for t in titles]
        return texts, titles, times, ids

    # -- fitting --------------------------------------------------------------------------
    def fit(self, texts_or_corpus: Any, dates: Optional[Sequence[Any]] = None,
            titles: Optional[Sequence[str]] = None) -> "ArticleSimilarity":
        """Fits the vocabulary, idf and LSA on the articles and keeps their vectors.

        ``texts_or_corpus``: a :class:`Corpus` (cleaned first; its titles and dates are used)
        or texts. ``dates``: one per article (ISO 8601 text, datetime, seconds; None where
        unknown). ``titles``: one per text; without them each title is read off its text.
        """
        texts, titles, times, ids = self._inputs(texts_or_corpus, dates, titles)
        if not texts:
            raise ValueError("no articles to fit")
        core = self._make_core()
        core.fit(texts, titles, times)
        self._core = core
        self.ids_ = ids
        self.n_articles_ = len(texts)
        return self

    def _fitted(self) -> Any:
        core = getattr(self, "_core", None)
        if core is None:
            raise _core.NotFittedError("ArticleSimilarity is not fitted yet; call fit first")
        return core

    def transform(self, texts_or_corpus: Any, dates: Optional[Sequence[Any]] = None,
                  titles: Optional[Sequence[str]] = None) -> Any:
        """The articles' vectors over the fitted model (an opaque object for score/top_k;
        ``.terms`` and ``.latent`` give them as arrays)."""
        texts, titles, times, _ = self._inputs(texts_or_corpus, dates, titles)
        return self._fitted().transform(texts, titles, times)

    # -- similarity -----------------------------------------------------------------------
    def score(self, texts_a: Any, texts_b: Any, *, dates_a: Optional[Sequence[Any]] = None,
              dates_b: Optional[Sequence[Any]] = None, titles_a: Optional[Sequence[str]] = None,
              titles_b: Optional[Sequence[str]] = None) -> np.ndarray:
        """The similarity of each aligned pair (texts_a[i], texts_b[i]): one number per pair,
        in [0, 1]."""
        core = self._fitted()
        a = self.transform(texts_a, dates_a, titles_a)
        b = self.transform(texts_b, dates_b, titles_b)
        if len(a) != len(b):
            raise ValueError(f"score needs as many articles on each side; got {len(a)} and "
                             f"{len(b)}")
        return core.score(a, b)

    def top_k(self, queries: Any = None, k: int = 10, *, dates: Optional[Sequence[Any]] = None,
              titles: Optional[Sequence[str]] = None, search: Union[bool, Dict[str, int]] = False
              ) -> Tuple[np.ndarray, np.ndarray]:
        """The k nearest fitted articles of each query text (of each fitted article, itself
        left out, when ``queries`` is None), as ``(indices, scores)`` arrays of shape
        (queries, k), best first. Rows with fewer than k neighbours of non-zero score are padded
        with index -1 and score 0.

        Exact by default: every pair is scored, so the work grows with the square of the
        archive. ``search=True`` (or a dict of ``cells``, ``probes``, ``candidates``, ``seed``)
        searches instead, for large archives: articles are grouped in cells by k-means of their
        latent vectors (default 2·√n cells); each query takes, from the ``probes`` (16) cells
        nearest its own and, when dated, the ``time_neighbors`` (1,024) dated articles nearest in
        time on each side, twice ``candidates`` (64) by latent cosine × time factor, keeps
        ``candidates`` of them by a sketch of the terms cosine, and keeps the k best of those
        by the full score. Scores are exact; a neighbour can be missed
        (recall against the exact search is printed by ``bench/scale.py``). Needs the latent
        part; queries with no terms get no neighbours."""
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k <= 0:
            raise ValueError(f"k must be a positive int; got {k!r}")
        options = _search_options(search)
        core = self._fitted()
        q = None if queries is None else self.transform(queries, dates, titles)
        if options is None:
            return core.top_k(q, int(k))
        return core.top_k_search(q, int(k), **options)

    def join(self, threshold: float = 0.5) -> Any:
        """Every pair i < j of fitted articles scoring at least ``threshold``, as a
        scipy.sparse CSR matrix (upper triangle)."""
        import scipy.sparse as sp

        data, indices, indptr, shape = self._fitted().join(float(threshold))
        return sp.csr_matrix((data, indices, indptr), shape=shape)

    def _row(self, i: Any) -> int:
        n = self.n_articles_
        if getattr(self, "ids_", None) is not None and isinstance(i, str):
            try:
                return self.ids_.index(i)
            except ValueError:
                raise KeyError(f"no article with id {i!r}") from None
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            raise TypeError(f"an article is a position (int) or an id; got {i!r}")
        if not -n <= i < n:
            raise IndexError(f"article {i} out of range for {n} articles")
        return int(i) % n

    def explain(self, i: Any, j: Any, top: int = 10) -> Dict[str, Any]:
        """Why fitted articles i and j are alike: ``score``, ``time_factor``, ``components``
        (a DataFrame: component, weight, similarity, contribution; contributions sum to the
        base score), ``shared_terms`` and ``shared_names`` (term, contribution, share),
        ``latent_terms`` (the terms that carry the latent cosine, with their part of it) and
        the strongest terms each has that the other lacks."""
        import pandas as pd

        core = self._fitted()
        d = core.explain(None, self._row(i), None, self._row(j), int(top))
        names = np.asarray(core.feature_names(), dtype=object)

        def frame(c: Dict[str, np.ndarray], cols: Sequence[str]) -> Any:
            f = pd.DataFrame({"term": names[c["term"]] if len(c["term"]) else [],
                              **{k: c[k] for k in cols}})
            return f

        return {
            "score": d["score"],
            "base": d["base"],
            "time_factor": d["time_factor"],
            "components": pd.DataFrame(d["components"],
                                       columns=["component", "weight", "similarity",
                                                "contribution"]),
            "shared_terms": frame(d["shared"], ["contribution", "share"]),
            "shared_names": frame(d["names"], ["contribution", "share"]),
            "latent_terms": frame(d["latent_terms"], ["contribution", "share"]),
            "only_a": frame(d["only_a"], ["weight_a"]),
            "only_b": frame(d["only_b"], ["weight_b"]),
        }

    def key_terms(self, rows: Any, top: int = 10) -> List[Tuple[str, float]]:
        """The ``top`` terms of a fitted article (or of the mean of several), readable labels
        with their weights."""
        core = self._fitted()
        rows = [self._row(r) for r in (rows if isinstance(rows, (list, tuple, np.ndarray))
                                       else [rows])]
        names = core.feature_names()
        return [(names[t], w) for t, w in core.key_terms(rows, int(top), True)]

    def explain_pairs(self, i: Any, j: Any, top: int = 10, *,
                      distinct: bool = True) -> Dict[str, np.ndarray]:
        """The shared terms of many pairs of fitted articles ``(i[p], j[p])`` in one call, as
        flat arrays: ``offsets`` (n_pairs + 1), ``term`` (column ids into
        ``get_feature_names_out()``) and ``share``; the terms of pair p are
        ``term[offsets[p]:offsets[p + 1]]``, strongest first. ``distinct`` (default) leaves
        out terms a reader would see twice (as :meth:`key_terms` does); without it each pair is
        exactly ``explain(i[p], j[p], top)["shared_terms"]``."""
        a, b = self._rows(i), self._rows(j)
        if len(a) != len(b):
            raise ValueError(f"i has {len(a)} articles and j has {len(b)}; give one j per i")
        return self._fitted().explain_pairs(a, b, int(top), bool(distinct))

    def key_terms_rows(self, rows: Any, top: int = 10, *,
                       distinct: bool = True) -> Dict[str, np.ndarray]:
        """The key terms of each given fitted article on its own, in one call, as flat arrays
        ``offsets``, ``term``, ``weight`` (as :meth:`explain_pairs`); each row's list is
        ``key_terms(row, top)``."""
        return self._fitted().key_terms_rows(self._rows(rows), int(top), bool(distinct))

    def _rows(self, rows: Any) -> List[int]:
        r = np.asarray(rows)
        if r.dtype.kind in "iu":
            n = self.n_articles_
            r = r.astype(np.int64).ravel()
            if r.size and (r.min() < -n or r.max() >= n):
                bad = r[(r < -n) | (r >= n)][0]
                raise IndexError(f"article {bad} out of range for {n} articles")
            return (r % n if n else r).tolist()
        return [self._row(x) for x in (rows if isinstance(rows, (list, tuple, np.ndarray))
                                       else [rows])]

    def get_feature_names_out(self) -> np.ndarray:
        return np.asarray(self._fitted().feature_names(), dtype=object)

    @property
    def lsa_(self) -> Any:
        """The fitted latent model (``newsim.LSA`` attributes: components_, ...), or None."""
        from newsim.lsa import LSA

        core = self._fitted()
        return LSA._from_core(core.lsa) if core.has_latent else None

    # -- persistence ----------------------------------------------------------------------
    def save(self, path: Union[str, os.PathLike]) -> None:
        """Writes the model and the fitted articles' vectors: ``path`` (versioned JSON) and
        ``path + ".bin"`` (arrays)."""
        self._fitted().save(os.fspath(path))

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "ArticleSimilarity":
        core = _core._ArticleSimilarity.load(os.fspath(path))
        return cls._from_core(core)

    @classmethod
    def _from_core(cls, core: Any) -> "ArticleSimilarity":
        from newsim.news import NewsVectorizer, _params_from_options

        o = _options_of(core)
        terms = NewsVectorizer(**_params_from_options(_options_of(core.vectorizer), NewsVectorizer))
        self = cls(terms,
                   n_components=o["n_components"], n_iter=o["n_iter"],
                   random_state=o["random_state"], terms_weight=o["terms_weight"],
                   names_weight=o["names_weight"], title_weight=o["title_weight"],
                   latent_weight=o["latent_weight"], time_scale_days=o["time_scale"] / _DAY,
                   time_floor=o["time_floor"])
        self._core = core
        self.ids_ = None
        self.n_articles_ = len(core.fitted) if core.is_fitted else 0
        return self

    def __getstate__(self) -> Dict[str, Any]:
        state = {"params": self.get_params()}
        core = getattr(self, "_core", None)
        if core is not None:
            state["model"] = (core.to_json(), core.arrays_to_bytes())
            state["ids"] = self.ids_
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__init__(**state["params"])  # type: ignore[misc]
        if "model" in state:
            json_text, arrays = state["model"]
            fitted = type(self)._from_core(
                _core._ArticleSimilarity.from_json(json_text, arrays, "<pickle>"))
            self._core = fitted._core
            self.n_articles_ = fitted.n_articles_
            self.ids_ = state["ids"]

    def __repr__(self) -> str:
        fitted = f", {self.n_articles_} articles" if getattr(self, "_core", None) else ""
        return (f"ArticleSimilarity(weights: terms={self.terms_weight}, names={self.names_weight},"
                f" title={self.title_weight}, latent={self.latent_weight}; "
                f"n_components={self.n_components}{fitted})")
