"""News-aware term vectors: ``NewsVectorizer``.

Beside the scikit-learn-exact vectorizers, ``NewsVectorizer`` weighs terms the way news
needs: English and news stop words (said, told, Friday, ...) removed, British and American
spellings folded (defence/defense), Snowball stemming, names as terms whose spelling
variants meet (Sergei/Sergey Lavrov, Gaddafi/Qaddafi), title and lead words weighted up,
and BM25 (default) or TF-IDF with l2 or pivoted length normalisation. The rules live in
C++ (``cpp/include/newsim/news_analyzer.hpp`` and ``news_vectorizer.hpp``).
"""

from __future__ import annotations

import json
import numbers
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import scipy.sparse as sp

from newsim import _core
from newsim._base import Estimator, _iterable, _n_jobs, from_python_section, read_model

__all__ = ["NewsVectorizer"]

_FORMAT = "newsim.news_vectorizer"


def _params_from_options(o: Dict[str, Any], cls: type) -> Dict[str, Any]:
    """NewsVectorizer parameters from the options of a model written by C++."""
    def bound(b: Dict[str, Any]) -> Union[int, float]:
        return b["fraction"] if "fraction" in b else b["count"]

    params = {k: o[k] for k in (
        "language", "fold_spelling", "stop_words", "names", "title_weight", "lead_weight",
        "lead_words", "decode_error", "scheme", "k1", "b", "sublinear_tf", "norm", "slope")}
    params.update(min_df=bound(o["min_df"]), max_df=bound(o["max_df"]),
                  n_jobs=o["n_jobs"] or None)
    return params


def _df(name: str, value: Any) -> Union[int, float]:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be an int (documents) or a float in [0.0, 1.0]; "
                         f"got {value!r}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def _texts(raw_documents: Any, what: str) -> Any:
    _iterable(raw_documents, what)
    return raw_documents if isinstance(raw_documents, (list, tuple)) else list(raw_documents)


class NewsVectorizer(Estimator):
    """News-aware BM25 / TF-IDF vectors with names as terms.

    Parameters keep the names of the C++ options (``NewsVectorizerOptions``):
    ``language`` (a libstemmer language, or ``""``/``"none"``), ``fold_spelling``,
    ``stop_words`` (``"news"``: English + news lists, ``"english"``, ``None`` or a list),
    ``names``, ``title_weight``, ``lead_weight``, ``lead_words``, ``decode_error``,
    ``scheme`` (``"bm25"`` or ``"tfidf"``), ``k1``, ``b``, ``sublinear_tf``, ``norm``
    (``"l2"``, ``"pivoted"`` or None), ``slope``, ``min_df``, ``max_df`` and ``n_jobs``
    (None: all cores; results do not depend on it).

    >>> v = NewsVectorizer()
    >>> X = v.fit_transform(["Sergei Lavrov said the defence talks went well.",
    ...                      "Sergey Lavrov criticised the missile defense plans."])
    >>> X.shape[0]
    2
    >>> labels = list(v.get_feature_names_out())
    >>> "Sergei Lavrov" in labels, "said" in labels
    (True, False)
    >>> v.vocabulary_["defens"] == v.vocabulary_.get("defence", v.vocabulary_["defens"])
    True
    """

    def __init__(self, *, language: str = "english", fold_spelling: bool = True,
                 stop_words: Union[str, Sequence[str], None] = "news", names: bool = True,
                 title_weight: float = 2.0, lead_weight: float = 1.5, lead_words: int = 50,
                 decode_error: str = "strict", scheme: str = "bm25", k1: float = 1.2,
                 b: float = 0.75, sublinear_tf: bool = False, norm: Optional[str] = "l2",
                 slope: float = 0.25, min_df: Union[int, float] = 1,
                 max_df: Union[int, float] = 1.0, n_jobs: Optional[int] = None) -> None:
        self.language = language
        self.fold_spelling = fold_spelling
        self.stop_words = stop_words
        self.names = names
        self.title_weight = title_weight
        self.lead_weight = lead_weight
        self.lead_words = lead_words
        self.decode_error = decode_error
        self.scheme = scheme
        self.k1 = k1
        self.b = b
        self.sublinear_tf = sublinear_tf
        self.norm = norm
        self.slope = slope
        self.min_df = min_df
        self.max_df = max_df
        self.n_jobs = n_jobs

    # -- core -----------------------------------------------------------------------------

    def _make_core(self) -> Any:
        stop = self.stop_words
        if stop is not None and not isinstance(stop, str):
            stop = list(stop)
        lead_words = self.lead_words
        if isinstance(lead_words, bool) or not isinstance(lead_words, numbers.Integral):
            raise ValueError(f"lead_words must be an int >= 0; got {lead_words!r}")
        return _core.NewsVectorizer(
            language=str(self.language), fold_spelling=bool(self.fold_spelling),
            stop_words=stop, names=bool(self.names), title_weight=float(self.title_weight),
            lead_weight=float(self.lead_weight), lead_words=int(lead_words),
            decode_error=self.decode_error, scheme=self.scheme, k1=float(self.k1),
            b=float(self.b), sublinear_tf=bool(self.sublinear_tf), norm=self.norm,
            slope=float(self.slope), min_df=_df("min_df", self.min_df),
            max_df=_df("max_df", self.max_df), n_jobs=_n_jobs(self.n_jobs))

    def _set_fitted(self, core: Any) -> None:
        self._core = core
        self.vocabulary_: Dict[str, int] = core.vocabulary_dict()
        self.idf_: np.ndarray = core.idf()
        self.term_kinds_: np.ndarray = np.asarray(core.term_kinds(), dtype=object)

    def _fitted_core(self) -> Any:
        core = self.__dict__.get("_core")
        if core is None:
            raise _core.NotFittedError(
                "This NewsVectorizer instance is not fitted yet. Call 'fit' with appropriate "
                "arguments before using this estimator.")
        return core

    @staticmethod
    def _to_csr(parts: Tuple[Any, Any, Any, Tuple[int, int]]) -> sp.csr_matrix:
        data, indices, indptr, shape = parts
        return sp.csr_matrix((data, indices, indptr), shape=shape, copy=False)

    # -- fitting --------------------------------------------------------------------------

    def fit(self, raw_documents: Iterable[Union[str, bytes]], y: Any = None, *,
            titles: Optional[Iterable[Union[str, bytes]]] = None) -> "NewsVectorizer":
        """Learns the vocabulary (words and names), idf and mean document length.

        ``titles``, when given, has one title per document (``""`` for none)."""
        core = self._make_core()
        texts = _texts(raw_documents, "documents")
        core.fit(texts, None if titles is None else _texts(titles, "titles"))
        self._set_fitted(core)
        return self

    def fit_transform(self, raw_documents: Iterable[Union[str, bytes]], y: Any = None, *,
                      titles: Optional[Iterable[Union[str, bytes]]] = None) -> sp.csr_matrix:
        """fit, then the document-term matrix of the same documents (one analysis pass)."""
        core = self._make_core()
        texts = _texts(raw_documents, "documents")
        X = self._to_csr(core.fit_transform(texts, None if titles is None
                                            else _texts(titles, "titles")))
        self._set_fitted(core)
        return X

    def transform(self, raw_documents: Iterable[Union[str, bytes]],
                  titles: Optional[Iterable[Union[str, bytes]]] = None) -> sp.csr_matrix:
        """Document-term matrix (n_documents, n_terms) over the fitted vocabulary. For title
        vectors, pass the titles as ``titles`` and empty texts."""
        core = self._fitted_core()
        texts = _texts(raw_documents, "documents")
        return self._to_csr(core.transform(texts, None if titles is None
                                           else _texts(titles, "titles")))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """A readable label per column: the most frequent surface form in the fitted corpus
        ("missiles" rather than the stem "missil"; "Sergei Lavrov" for a name)."""
        return np.asarray(self._fitted_core().feature_names(), dtype=object)

    def get_vocabulary_keys(self) -> np.ndarray:
        """The term keys by column (stems; name keys start with "@")."""
        return np.asarray(self._fitted_core().vocabulary_keys(), dtype=object)

    def analyze(self, text: Union[str, bytes], title: Union[str, bytes, None] = None
                ) -> List[Tuple[str, str, float, str]]:
        """The terms of one document: (key, kind, weighted count, surface), sorted by key.

        >>> [t[0] for t in NewsVectorizer().analyze("Defence talks, officials said.")]
        ['defens', 'offici', 'talk']
        """
        core = self.__dict__.get("_core") or self._make_core()
        return core.analyze(text, title)

    # -- persistence ----------------------------------------------------------------------

    def _python_params(self) -> Dict[str, Any]:
        params = self.get_params()
        if params["stop_words"] is not None and not isinstance(params["stop_words"], str):
            params["stop_words"] = list(params["stop_words"])
        return {"class": type(self).__name__, "params": params}

    def to_json(self) -> str:
        """The model (parameters, and the fitted state) as versioned JSON, which C++ reads."""
        core = self.__dict__.get("_core") or self._make_core()
        return _core._with_python_section(core.to_json(),
                                          json.dumps(self._python_params(), ensure_ascii=False))

    @classmethod
    def from_json(cls, text: str, origin: str = "<string>") -> "NewsVectorizer":
        """Reads ``to_json`` output (or a model saved by C++); raises ModelFormatError."""
        core = _core.NewsVectorizer.from_json(text, origin)  # checks everything C++ checks
        _, python = read_model(text, origin)
        est = from_python_section(origin, python, core, _params_from_options, None, cls)
        if core.is_fitted:
            est._set_fitted(core)
        return est

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Writes the model as JSON; ``NewsVectorizer.load`` or C++ ``NewsVectorizer::load``
        reads it back."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_json())

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "NewsVectorizer":
        """Reads a model file written by ``save`` (or by C++)."""
        path = os.fspath(path)
        with open(path, "rb") as f:
            raw = f.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise _core.ModelFormatError(
                f"model file {path!r} is not valid UTF-8 ({e}); it may be corrupt") from None
        return cls.from_json(text, f"file {path!r}")

    def __getstate__(self) -> Dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("_core", "vocabulary_", "idf_", "term_kinds_")}
        core = self.__dict__.get("_core")
        state["_model_json"] = core.to_json() if core is not None else None
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        model = state.pop("_model_json", None)
        self.__dict__.update(state)
        if model is not None:
            self._set_fitted(_core.NewsVectorizer.from_json(model, "<pickle>"))
