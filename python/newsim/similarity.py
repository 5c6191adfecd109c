"""Which articles are alike, how alike, and why.

Exact top-k neighbours, threshold joins, pairwise matrices, explanations and key terms over
term vectors (any scipy sparse matrix, numpy array, or the output of a newsim vectorizer).
The work runs in C++ on all cores with the GIL released; Ctrl-C stops it; results do not
depend on ``n_jobs``.

Scores are cosine similarities (``metric="cosine"``, rows of zeros score 0) or plain dot
products (``metric="dot"``, for rows that are already normalised).
"""

from __future__ import annotations

import numbers
from typing import Any, Dict, Hashable, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import scipy.sparse as sp

from newsim import _core
from newsim._base import _n_jobs, _to_csr

__all__ = ["top_k", "knn_graph", "similarity_join", "pairwise", "explain", "key_terms",
           "SimilarityIndex"]

_INT32_MAX = np.iinfo(np.int32).max
_INT64_MAX = np.iinfo(np.int64).max


def as_csr(X: Any, name: str = "X") -> sp.csr_matrix:
    """X as a canonical float64 CSR matrix (sorted, unique columns); copies only when needed.

    Accepts any scipy sparse matrix or array, a 2-D numpy array or nested lists, and a 1-D
    vector (one row). Raises ValueError for NaN or infinite values and other shapes.
    """
    if isinstance(X, (sp.spmatrix, getattr(sp, "sparray", sp.spmatrix))):
        try:
            m = sp.csr_matrix(X)  # a no-copy view for csr_matrix input
            # A decreasing or out-of-range indptr made scipy's own routines fail with
            # "vector::_M_default_append"; check it (and the column indices) first. O(nnz).
            m.check_format(full_check=True)
        except ValueError as e:
            raise ValueError(f"{name} is not a valid CSR matrix: {e}") from None
    else:
        a = np.asarray(X)
        if a.dtype == object:
            raise TypeError(f"{name} must be a sparse matrix or a numeric array, not {type(X).__name__}")
        if a.ndim == 1:
            a = a.reshape(1, -1)
        if a.ndim != 2:
            raise ValueError(f"{name} must be 2-D; got an array of shape {a.shape}")
        m = sp.csr_matrix(a)
    if m.dtype != np.float64:
        if not (np.issubdtype(m.dtype, np.number) or m.dtype == np.bool_) or np.iscomplexobj(m.data):
            raise TypeError(f"{name} must hold real numbers; got dtype {m.dtype}")
        m = m.astype(np.float64)
    if m.shape[0] > _INT32_MAX or m.shape[1] > _INT32_MAX:
        raise ValueError(f"{name} has more than 2^31-1 rows or columns")
    if not m.has_canonical_format:
        m = m.copy()
        m.sum_duplicates()  # sorts the columns and adds up repeated ones
    return m


def _dense_pair(X: Any, Y: Any) -> Optional[Tuple[np.ndarray, Optional[np.ndarray]]]:
    """(X, Y) as C-ordered float64 arrays when both are dense 2-D numpy arrays (Y may be
    None), for the dense path; None otherwise."""
    def dense(a: Any) -> bool:
        return (isinstance(a, np.ndarray) and a.ndim == 2
                and (np.issubdtype(a.dtype, np.number) or a.dtype == np.bool_)
                and not np.iscomplexobj(a))
    if not dense(X) or not (Y is None or dense(Y)):
        return None
    return (np.ascontiguousarray(X, dtype=np.float64),
            None if Y is None else np.ascontiguousarray(Y, dtype=np.float64))


def _parts(m: sp.csr_matrix) -> Tuple[Any, Any, Any, Tuple[int, int]]:
    return (m.data, m.indices, m.indptr, m.shape)


def _metric(metric: str) -> str:
    if metric not in ("cosine", "dot"):
        raise ValueError(f"metric must be 'cosine' or 'dot'; got {metric!r}")
    return metric


_METHODS = ("auto", "all_pairs", "pruned", "approximate")


def _method(method: str) -> str:
    if method not in _METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, _METHODS))}; got {method!r}")
    return method


def _positive_or_none(name: str, value: Optional[int], limit: int) -> int:
    """`value` checked as a positive int of at most `limit`; None becomes 0 (the default)."""
    if value is None:
        return 0
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral)
            or not 0 < value <= limit):
        raise ValueError(f"{name} must be a positive int or None; got {value!r}")
    return int(value)


#: Default bound of ``similarity_join`` (C++ ``kDefaultMaxPairs``).
MAX_PAIRS = 10_000_000


def _max_pairs(max_pairs: Any) -> int:
    if max_pairs is None:
        return -1
    if isinstance(max_pairs, bool) or not isinstance(max_pairs, numbers.Integral) or max_pairs < 0:
        raise ValueError(f"max_pairs must be an int >= 0 or None; got {max_pairs!r}")
    return int(max_pairs)


def _k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k <= 0:
        raise ValueError(f"k must be a positive int; got {k!r}")
    if k > _INT32_MAX:
        raise ValueError(f"k is too large: {k}")
    return int(k)


def _sparse_top_k(X: Any, Y: Any, k: Any, exclude_self: bool, metric: str, n_jobs: Any,
                  graph: bool, method: str, candidates: Any, postings: Any) -> Any:
    x = as_csr(X, "X")
    y = None if Y is None else as_csr(Y, "Y")
    return _core._top_k(_parts(x), None if y is None else _parts(y), _k(k), bool(exclude_self),
                        _metric(metric), _n_jobs(n_jobs), graph, _method(method),
                        _positive_or_none("candidates", candidates, _INT32_MAX),
                        _positive_or_none("postings", postings, _INT64_MAX))


def top_k(X: Any, k: int = 10, Y: Any = None, *, exclude_self: bool = True,
          metric: str = "cosine", n_jobs: Optional[int] = None, as_frame: bool = False,
          method: str = "auto", candidates: Optional[int] = None,
          postings: Optional[int] = None) -> Any:
    """The k most similar rows of Y (of X when Y is None) for every row of X.

    Returns ``(indices, scores)``, two arrays of shape (n_rows(X), k): int64 row numbers of Y
    and float64 scores, by descending score, ties broken by the smaller index. Only rows with
    a non-zero score count as neighbours; a row with fewer than k of them is padded with index
    -1 and score 0. ``exclude_self`` (only when Y is None) leaves row i out of its own list.

    Exact, on ``n_jobs`` threads (None: all cores), without an n×n matrix, by one of two
    ``method`` values with identical results: ``"all_pairs"`` computes every product of two rows
    sharing a term, in blocks; ``"pruned"`` (cosine on non-negative rows, such as TF-IDF; else
    all_pairs) reads each row's terms rarest first and stops before the commonest ones' long
    postings once a score bound shows they cannot change its list, then scores the rows it met
    exactly. ``"auto"`` (default) prunes from 300,000 rows of Y, where it was measured faster
    (bench/README). ``"approximate"`` cuts pruned's search short: each row reads at most
    ``postings`` (default 20,000) entries of the index, its rarest terms first, and scores
    exactly only the ``candidates`` (default 4·k) rows with the best partial scores; its cost
    per row stays bounded as the archive grows, and bench/scale.py measures its recall. When X
    (and Y) are dense 2-D numpy arrays (LSA coordinates, embeddings) the scores come from
    blocked matrix products instead, with the same rules. Extra memory: about 12 bytes per
    non-zero of Y, 72 bytes per row of Y and thread, 16·k bytes per row and thread when Y is
    None, and for pruned and approximate 128 bytes per row of Y (its norms by term rarity).

    ``as_frame=True`` returns a pandas DataFrame instead, one row per neighbour (padding left
    out) with columns i (row of X), rank (0 for the nearest), j (row of Y) and score.

    >>> import numpy as np
    >>> idx, sc = top_k(np.array([[1.0, 0], [1, 1], [0, 1]]), k=1)
    >>> idx.ravel().tolist()
    [1, 0, 1]
    >>> top_k(np.array([[1.0, 0], [1, 1], [0, 1]]), k=2, as_frame=True)["j"].tolist()
    [1, 0, 2, 1]
    """
    dense = _dense_pair(X, Y)
    if dense is not None:  # dense rows (LSA coordinates, embeddings): blocked GEMM
        idx, scores = _core._dense_top_k(dense[0], dense[1], _k(k), bool(exclude_self),
                                         _metric(metric), _n_jobs(n_jobs), False)
    else:
        idx, scores = _sparse_top_k(X, Y, k, exclude_self, metric, n_jobs, False, method,
                                    candidates, postings)
    if not as_frame:
        return idx, scores
    import pandas as pd

    rows, ranks = np.nonzero(idx >= 0)
    return pd.DataFrame({"i": rows.astype(np.int64), "rank": ranks.astype(np.int64),
                         "j": idx[rows, ranks].astype(np.int64), "score": scores[rows, ranks]})


def knn_graph(X: Any, k: int = 10, Y: Any = None, *, exclude_self: bool = True,
              metric: str = "cosine", n_jobs: Optional[int] = None, method: str = "auto",
              candidates: Optional[int] = None, postings: Optional[int] = None) -> sp.csr_matrix:
    """The k-nearest-neighbour graph: a CSR matrix (n_rows(X), n_rows(Y)) whose row i holds the
    scores of row i's neighbours (as ``top_k``, with its ``method``, ``candidates`` and
    ``postings``; padding left out) at their columns.

    >>> knn_graph([[1, 0], [1, 0.1], [0, 1]], k=1).toarray().round(3)
    array([[0.   , 0.995, 0.   ],
           [0.995, 0.   , 0.   ],
           [0.   , 0.1  , 0.   ]])
    """
    dense = _dense_pair(X, Y)
    if dense is not None:
        return _to_csr(_core._dense_top_k(dense[0], dense[1], _k(k), bool(exclude_self),
                                          _metric(metric), _n_jobs(n_jobs), True))
    return _to_csr(_sparse_top_k(X, Y, k, exclude_self, metric, n_jobs, True, method, candidates,
                                 postings))


def similarity_join(X: Any, threshold: float = 0.5, Y: Any = None, *, metric: str = "cosine",
                    n_jobs: Optional[int] = None, as_frame: bool = False,
                    max_pairs: Optional[int] = MAX_PAIRS) -> Any:
    """Every pair scoring at least ``threshold`` (> 0).

    With Y, a CSR matrix (n_rows(X), n_rows(Y)) of the scores of all such pairs; without Y,
    pairs of X with itself, only i < j (the strict upper triangle). ``as_frame=True`` returns a
    pandas DataFrame with columns i, j, score instead, ordered by i then j.

    At most ``max_pairs`` pairs (10 million by default, about 120 MB; None: no bound): a
    threshold that gives more raises ValueError saying how many pairs it gives, without holding
    them (past the bound, pairs are only counted).

    >>> X = [[1, 0], [1, 0.1], [0, 1]]
    >>> similarity_join(X, 0.9, as_frame=True).round(3).to_dict("records")
    [{'i': 0, 'j': 1, 'score': 0.995}]
    """
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold must be a number; got {threshold!r}")
    dense = _dense_pair(X, Y)
    if dense is not None:
        m = _to_csr(_core._dense_similarity_join(dense[0], dense[1], float(threshold),
                                                 _metric(metric), _n_jobs(n_jobs),
                                                 _max_pairs(max_pairs)))
    else:
        x = as_csr(X, "X")
        y = None if Y is None else as_csr(Y, "Y")
        m = _to_csr(_core._similarity_join(_parts(x), None if y is None else _parts(y),
                                           float(threshold), _metric(metric), _n_jobs(n_jobs),
                                           _max_pairs(max_pairs)))
    if not as_frame:
        return m
    import pandas as pd

    coo = m.tocoo()
    return pd.DataFrame({"i": coo.row.astype(np.int64), "j": coo.col.astype(np.int64),
                         "score": coo.data})


def pairwise(X: Any, Y: Any = None, *, labels: Optional[Sequence[Any]] = None,
             y_labels: Optional[Sequence[Any]] = None, metric: str = "cosine") -> Any:
    """Dense matrix of scores between the rows of X and of Y (X when Y is None), as a pandas
    DataFrame labelled by ``labels`` / ``y_labels`` (default: row numbers). For small sets:
    it holds n_rows(X)·n_rows(Y) numbers.

    >>> pairwise([[1, 0], [1, 1]], labels=["a", "b"]).round(3)
           a      b
    a  1.000  0.707
    b  0.707  1.000
    """
    import pandas as pd

    x = as_csr(X, "X")
    y = None if Y is None else as_csr(Y, "Y")
    S = _core._pairwise(_parts(x), None if y is None else _parts(y), _metric(metric))
    rows = _labels(labels, S.shape[0], "labels")
    if y_labels is None and Y is None:
        cols = rows
    else:
        cols = _labels(y_labels, S.shape[1], "y_labels")
    return pd.DataFrame(S, index=rows, columns=cols)


def _labels(labels: Optional[Sequence[Any]], n: int, name: str) -> List[Any]:
    if labels is None:
        return list(range(n))
    out = list(labels)
    if len(out) != n:
        raise ValueError(f"{name} has {len(out)} entries for {n} rows")
    return out


def _feature_names(feature_names: Any) -> Optional[np.ndarray]:
    if feature_names is None:
        return None
    if hasattr(feature_names, "get_feature_names_out"):
        return np.asarray(feature_names.get_feature_names_out(), dtype=object)
    return np.asarray(list(feature_names), dtype=object)


def _row(X: sp.csr_matrix, i: Any, name: str) -> int:
    if isinstance(i, bool) or not isinstance(i, numbers.Integral):
        raise TypeError(f"{name} must be a row number; got {i!r}")
    n = X.shape[0]
    if not -n <= i < n:
        raise _core.IndexOutOfRangeError(f"{name} {i} is outside a matrix of {n} rows")
    return int(i) % n


def explain(X: Any, i: int, j: int, *, Y: Any = None, feature_names: Any = None,
            top: int = 10, metric: str = "cosine") -> Any:
    """Why row i of X and row j of Y (of X when Y is None) are alike, as a pandas DataFrame.

    One line per term, with columns ``kind`` ("shared": in both, by descending contribution;
    "only_a" / "only_b": the strongest terms one has and the other lacks, by descending
    weight), ``term`` (a name when ``feature_names`` — a list or a fitted vectorizer — is
    given, else the column), ``weight_a``, ``weight_b`` (weights after the metric's
    normalisation), ``contribution`` (weight_a·weight_b) and ``share`` (contribution /
    similarity). At most ``top`` terms of each kind (None: all). ``frame.attrs["similarity"]``
    holds the score, which equals the sum of all shared contributions.

    >>> v = TfidfVectorizer()
    >>> X = v.fit_transform(["nato missile talks", "nato missile shield", "floods"])
    >>> explain(X, 0, 1, feature_names=v).query("kind == 'shared'").term.tolist()
    ['missile', 'nato']
    """
    import pandas as pd

    x = as_csr(X, "X")
    y = x if Y is None else as_csr(Y, "Y")
    n_top = -1 if top is None else int(top)
    if n_top < -1:
        raise ValueError(f"top must be >= 0 or None; got {top!r}")
    score, shared, only_a, only_b = _core._explain(_parts(x), _row(x, i, "i"), _parts(y),
                                                   _row(y, j, "j"), n_top, _metric(metric))
    names = _feature_names(feature_names)
    frames = []
    for kind, part in (("shared", shared), ("only_a", only_a), ("only_b", only_b)):
        f = pd.DataFrame(part)
        f.insert(0, "kind", kind)
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out["term"] = out["term"].astype(np.int64)
    if names is not None:
        if len(names) != x.shape[1]:
            raise ValueError(f"feature_names has {len(names)} names for {x.shape[1]} columns")
        out["term"] = names[out["term"].to_numpy()]
    out.attrs["similarity"] = float(score)
    return out


def key_terms(X: Any, rows: Union[int, Iterable[int]], *, feature_names: Any = None,
              top: int = 10) -> Any:
    """The ``top`` highest-weighted terms of one row, or of the mean of several rows (their
    centroid), as a pandas DataFrame with columns term, weight by descending weight.

    >>> v = TfidfVectorizer()
    >>> X = v.fit_transform(["nato missile talks", "nato summit", "floods"])
    >>> key_terms(X, 0, feature_names=v, top=2).term.tolist()
    ['missile', 'talks']
    """
    import pandas as pd

    x = as_csr(X, "X")
    if isinstance(rows, numbers.Integral) and not isinstance(rows, bool):
        picked = [_row(x, rows, "row")]
    else:
        picked = [_row(x, r, "row") for r in rows]
    n_top = -1 if top is None else int(top)
    terms, weights = _core._key_terms(_parts(x), picked, n_top)
    names = _feature_names(feature_names)
    col = terms.astype(np.int64) if names is None else names[terms]
    return pd.DataFrame({"term": col, "weight": weights})


class SimilarityIndex:
    """Articles, their vectors and the vectorizer that made them: ask what is alike.

    >>> index = SimilarityIndex().fit(["NATO and Russia talk", "Russia warns NATO",
    ...                                "Football results"], ids=["a", "b", "c"])
    >>> index.most_similar("a", k=1)["id"].tolist()
    ['b']

    ``most_similar(query)`` takes an article id of the index (the article itself is left
    out), a piece of text (a str that is not an id), or a vector (a row of the index's
    vectorizer's output). Ids default to row numbers.

    Without a vectorizer, ``fit`` uses the article similarity preset
    (:class:`ArticleSimilarity`, kept in ``similarity_``): scores, neighbours, joins and
    pairwise matrices are its scores, and ``matrix_`` holds its terms vectors (so ``explain``
    and ``key_terms`` show its terms). With a vectorizer, scores are cosines of its vectors.
    """

    def __init__(self, vectorizer: Any = None, *, metric: str = "cosine",
                 n_jobs: Optional[int] = None) -> None:
        self.vectorizer = vectorizer
        self.metric = metric
        self.n_jobs = n_jobs

    def fit(self, texts: Iterable[str], ids: Optional[Sequence[Hashable]] = None,
            titles: Optional[Sequence[str]] = None) -> "SimilarityIndex":
        """Fits the article similarity preset (or the vectorizer given) on the texts and
        indexes their vectors."""
        texts = list(texts)
        if self.vectorizer is None:
            from newsim.article_similarity import ArticleSimilarity

            if titles is not None and len(titles) != len(texts):
                raise ValueError(f"{len(titles)} titles for {len(texts)} articles")
            sim = ArticleSimilarity(n_jobs=self.n_jobs).fit(texts, titles=titles)
            data, indices, indptr, shape = sim._core.fitted.terms
            self._set(sp.csr_matrix((data, indices, indptr), shape=shape), ids, titles)
            self.similarity_ = sim
            return self
        self.__dict__.pop("similarity_", None)
        return self._set(self.vectorizer.fit_transform(texts), ids, titles)

    @classmethod
    def from_matrix(cls, matrix: Any, vectorizer: Any = None, *,
                    ids: Optional[Sequence[Hashable]] = None,
                    titles: Optional[Sequence[str]] = None, metric: str = "cosine",
                    n_jobs: Optional[int] = None) -> "SimilarityIndex":
        """An index over vectors made earlier (by ``vectorizer``, needed for text queries)."""
        return cls(vectorizer, metric=metric, n_jobs=n_jobs)._set(matrix, ids, titles)

    def _set(self, matrix: Any, ids: Optional[Sequence[Hashable]],
             titles: Optional[Sequence[str]]) -> "SimilarityIndex":
        _metric(self.metric)
        self.matrix_ = as_csr(matrix, "matrix")
        self.__dict__.pop("_searcher_", None)
        n = self.matrix_.shape[0]
        self.ids_ = list(range(n)) if ids is None else list(ids)
        if len(self.ids_) != n:
            raise ValueError(f"{len(self.ids_)} ids for {n} articles")
        self._row_of: Dict[Hashable, int] = {}
        for r, a in enumerate(self.ids_):
            if a in self._row_of:
                raise ValueError(f"duplicate id {a!r} (rows {self._row_of[a]} and {r})")
            self._row_of[a] = r
        names = self._names()
        if names is not None and len(names) != self.matrix_.shape[1]:
            raise ValueError(f"the vectorizer has {len(names)} terms and the matrix "
                             f"{self.matrix_.shape[1]} columns: the matrix must come from it")
        self.titles_ = None if titles is None else list(titles)
        if self.titles_ is not None and len(self.titles_) != n:
            raise ValueError(f"{len(self.titles_)} titles for {n} articles")
        return self

    def __len__(self) -> int:
        return self._fitted().shape[0]

    def __repr__(self) -> str:
        if not hasattr(self, "matrix_"):
            return f"SimilarityIndex(vectorizer={self.vectorizer!r}, unfitted)"
        n, v = self.matrix_.shape
        return f"SimilarityIndex({n} articles, {v} terms, metric={self.metric!r})"

    def _fitted(self) -> sp.csr_matrix:
        if not hasattr(self, "matrix_"):
            raise _core.NotFittedError("SimilarityIndex is empty: call fit() or from_matrix()")
        return self.matrix_

    def row(self, article_id: Hashable) -> int:
        """The row of an article id; KeyError when the index has no such id."""
        self._fitted()
        try:
            return self._row_of[article_id]
        except (KeyError, TypeError):
            raise _core.KeyNotFoundError(f"no article with id {article_id!r}") from None

    def _is_id(self, query: Any) -> bool:
        try:
            return query in self._row_of
        except TypeError:  # unhashable: a vector
            return False

    def _query_vector(self, query: Any) -> Tuple[sp.csr_matrix, Optional[int]]:
        M = self._fitted()
        if self._is_id(query):
            r = self._row_of[query]
            return M[r], r
        if isinstance(query, str):
            if self.vectorizer is None:
                raise ValueError("text queries need the vectorizer that made the matrix")
            return as_csr(self.vectorizer.transform([query]), "query"), None
        if isinstance(query, (bytes, numbers.Number)):
            raise _core.KeyNotFoundError(f"no article with id {query!r}")
        return as_csr(query, "query"), None

    def most_similar(self, query: Any, k: int = 5) -> Any:
        """The k articles most like ``query`` (an id, a text or a vector), as a pandas
        DataFrame with columns id, title (when titles were given), score and row."""
        import pandas as pd

        M = self._fitted()
        sim = self.__dict__.get("similarity_")
        if sim is not None and (self._is_id(query) or isinstance(query, str)):
            return self._preset_similar(sim, query, _k(k))
        q, own = self._query_vector(query)
        if q.shape[1] != M.shape[1]:
            raise ValueError(f"the query has {q.shape[1]} columns and the index {M.shape[1]}")
        k = _k(k)
        idx, sc = self._searcher().top_k(_parts(q), k + (own is not None), _n_jobs(self.n_jobs))
        found = [(int(r), float(s)) for r, s in zip(idx[0], sc[0]) if r >= 0 and r != own][:k]
        rows = [r for r, _ in found]
        scores = [s for _, s in found]
        out = {"id": [self.ids_[r] for r in rows]}
        if self.titles_ is not None:
            out["title"] = [self.titles_[r] for r in rows]
        out["score"] = scores
        out["row"] = rows
        return pd.DataFrame(out)

    def _preset_similar(self, sim: Any, query: Any, k: int) -> Any:
        import pandas as pd

        if self._is_id(query):
            own: Optional[int] = self._row_of[query]
            q = sim._core.fitted.select([own])
        else:
            own = None
            q = sim.transform([query])
        idx, sc = sim._core.top_k(q, k + (own is not None))
        found = [(int(r), float(s)) for r, s in zip(idx[0], sc[0]) if r >= 0 and r != own][:k]
        out = {"id": [self.ids_[r] for r, _ in found]}
        if self.titles_ is not None:
            out["title"] = [self.titles_[r] for r, _ in found]
        out["score"] = [s for _, s in found]
        out["row"] = [r for r, _ in found]
        return pd.DataFrame(out)

    def explain(self, a: Hashable, b: Hashable, top: int = 10) -> Any:
        """Why articles a and b (ids) are alike: see ``newsim.explain`` (on the terms vectors).
        With the preset, ``attrs["score"]`` is its score and ``attrs["components"]`` the part
        of each component (see ``ArticleSimilarity.explain``)."""
        frame = explain(self._fitted(), self.row(a), self.row(b), top=top, metric=self.metric,
                        feature_names=self._names())
        sim = self.__dict__.get("similarity_")
        if sim is not None:
            why = sim.explain(self.row(a), self.row(b), top=top)
            frame.attrs["score"] = why["score"]
            frame.attrs["components"] = why["components"]
        return frame

    def key_terms(self, articles: Any, top: int = 10) -> Any:
        """Key terms of one article id or of the centroid of several: see ``newsim.key_terms``."""
        if self._is_id(articles):
            rows: Any = self.row(articles)
        else:
            rows = [self.row(a) for a in articles]
        return key_terms(self._fitted(), rows, top=top, feature_names=self._names())

    def top_k(self, k: int = 10) -> Tuple[np.ndarray, np.ndarray]:
        """Every article's k nearest others: ``newsim.top_k`` on the index (rows, not ids)."""
        sim = self.__dict__.get("similarity_")
        if sim is not None:
            return sim.top_k(k=_k(k))
        return top_k(self._fitted(), k, metric=self.metric, n_jobs=self.n_jobs)

    def join(self, threshold: float = 0.5) -> Any:
        """Pairs of articles scoring at least ``threshold``, as a DataFrame with the ids of
        both sides (id_a, id_b) and the score, ordered by row."""
        sim = self.__dict__.get("similarity_")
        if sim is not None:
            import pandas as pd

            m = sim.join(threshold).tocoo()
            order = np.lexsort((m.col, m.row))
            f = pd.DataFrame({"i": m.row[order].astype(np.int64),
                              "j": m.col[order].astype(np.int64), "score": m.data[order]})
        else:
            f = similarity_join(self._fitted(), threshold, metric=self.metric,
                                n_jobs=self.n_jobs, as_frame=True)
        f.insert(0, "id_a", [self.ids_[i] for i in f["i"]])
        f.insert(1, "id_b", [self.ids_[j] for j in f["j"]])
        return f.drop(columns=["i", "j"])

    def pairwise(self, articles: Optional[Sequence[Hashable]] = None) -> Any:
        """Dense score matrix of some articles (ids; default all), labelled by id."""
        M = self._fitted()
        chosen = list(self.ids_) if articles is None else list(articles)
        rows = [self.row(a) for a in chosen]
        sim = self.__dict__.get("similarity_")
        if sim is None:
            return pairwise(M[rows], labels=chosen, metric=self.metric)
        import pandas as pd

        f = sim._core.fitted
        n = len(rows)
        left = f.select([r for r in rows for _ in range(n)])
        right = f.select(rows * n)
        S = sim._core.score(left, right).reshape(n, n)
        np.fill_diagonal(S, [1.0 if M[r].nnz else 0.0 for r in rows])
        return pd.DataFrame(S, index=chosen, columns=chosen)

    def _searcher(self) -> Any:
        # The inverted index of the matrix, built on first use and dropped when pickling.
        s = self.__dict__.get("_searcher_")
        if s is None:
            s = self._searcher_ = _core._NeighborIndex(_parts(self._fitted()), self.metric)
        return s

    def __getstate__(self) -> Dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_searcher_"}

    def _names(self) -> Optional[np.ndarray]:
        sim = self.__dict__.get("similarity_")
        if sim is not None:
            return sim.get_feature_names_out()
        if self.vectorizer is None or not hasattr(self.vectorizer, "get_feature_names_out"):
            return None
        try:
            return _feature_names(self.vectorizer)
        except (AttributeError, ValueError):  # not fitted (HashingVectorizer has no names)
            return None
