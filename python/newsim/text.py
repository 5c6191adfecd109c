"""scikit-learn compatible vectorizers backed by newsim's C++ core.

``CountVectorizer``, ``TfidfVectorizer`` and ``HashingVectorizer`` take scikit-learn's
parameters with scikit-learn's meanings and give the same vocabulary and the same numbers;
they run on all cores (``n_jobs``) with results that do not depend on the thread count.
"""

from __future__ import annotations

import json
import numbers
import os
import unicodedata
from collections.abc import Mapping
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

import numpy as np
import scipy.sparse as sp

from newsim import _core
from newsim._base import Estimator, from_python_section

__all__ = ["CountVectorizer", "TfidfVectorizer", "HashingVectorizer", "load"]

DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_DTYPES = {"float64", "float32", "int64", "int32"}
_MODEL_FORMAT = "newsim.vectorizer"
_HASHING_FORMAT = "newsim.hashing_vectorizer"


def _dtype_name(dtype: Any) -> str:
    name = np.dtype(dtype).name
    if name not in _DTYPES:
        raise ValueError(f"dtype must be one of {sorted(_DTYPES)}; got {name}")
    return name


def _n_jobs(n_jobs: Optional[int]) -> int:
    if n_jobs is None:
        return 0
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None, a positive int or a negative int; got {n_jobs!r}")
    return int(n_jobs)


def _to_csr(parts: Tuple[Any, Any, Any, Tuple[int, int]]) -> sp.csr_matrix:
    data, indices, indptr, shape = parts
    return sp.csr_matrix((data, indices, indptr), shape=shape, copy=False)


class _TextMixin(Estimator):
    """Reading documents and building the analyzer, shared by the three vectorizers."""

    def _check_common_params(self) -> None:
        for name in ("preprocessor", "tokenizer"):
            if getattr(self, name) is not None:
                raise ValueError(
                    f"{name}: callables are not supported by newsim (its analysis runs in C++); "
                    "use token_pattern, stop_words, lowercase and strip_accents instead"
                )
        if callable(self.analyzer):
            raise ValueError("a callable analyzer is not supported by newsim; "
                             "use 'word', 'char' or 'char_wb'")
        if self.input not in ("content", "filename", "file"):
            raise ValueError(f"input must be 'content', 'filename' or 'file'; got {self.input!r}")
        if self.decode_error not in ("strict", "replace", "ignore"):
            raise ValueError(
                f"decode_error must be 'strict', 'replace' or 'ignore'; got {self.decode_error!r}")
        if self.analyzer not in ("word", "char", "char_wb"):
            raise ValueError(f"analyzer must be 'word', 'char' or 'char_wb'; got {self.analyzer!r}")
        if self.strip_accents not in (None, "unicode", "ascii"):
            raise ValueError(
                f"strip_accents must be None, 'unicode' or 'ascii'; got {self.strip_accents!r}")
        ngram = self.ngram_range
        if (not isinstance(ngram, tuple) or len(ngram) != 2
                or not all(isinstance(n, numbers.Integral) for n in ngram)):
            raise ValueError(f"ngram_range must be a tuple (min_n, max_n); got {ngram!r}")
        if ngram[0] > ngram[1]:
            raise ValueError(
                f"Invalid value for ngram_range={ngram} lower boundary larger than the upper "
                "boundary.")
        if isinstance(self.stop_words, str) and self.stop_words != "english":
            raise ValueError(f"stop_words: not a built-in stop list: {self.stop_words!r} "
                             "(the built-in list is 'english')")

    @staticmethod
    def _resolve_names(pattern: str) -> str:
        """Python's ``\\N{name}`` escapes, which PCRE2 lacks, as ``\\x{hex}``."""
        if "\\N{" not in pattern:
            return pattern
        out, i = [], 0
        while i < len(pattern):
            if pattern[i] == "\\" and pattern.startswith("N{", i + 1):
                end = pattern.find("}", i + 3)
                if end < 0:
                    raise ValueError(f"token_pattern: missing }} after \\N{{ at position {i}")
                name = pattern[i + 3:end]
                try:
                    out.append("\\x{%x}" % ord(unicodedata.lookup(name)))
                except KeyError:
                    raise ValueError(
                        f"token_pattern: undefined character name {name!r} at position {i}") from None
                i = end + 1
            elif pattern[i] == "\\":
                out.append(pattern[i:i + 2])
                i += 2
            else:
                out.append(pattern[i])
                i += 1
        return "".join(out)

    def _analysis_kwargs(self) -> Dict[str, Any]:
        stop = self.stop_words if self.analyzer == "word" else None
        if stop is not None and not isinstance(stop, str):
            stop = list(stop)
        return dict(
            analyzer=self.analyzer,
            lowercase=bool(self.lowercase),
            strip_accents=self.strip_accents,
            token_pattern=self._resolve_names(self.token_pattern) if self.token_pattern is not None
            else DEFAULT_TOKEN_PATTERN,
            stop_words=stop,
            ngram_range=tuple(int(n) for n in self.ngram_range),
            decode_error=self.decode_error,
        )

    def _documents(self, raw_documents: Iterable[Any]) -> Union[list, Iterable[Any]]:
        """str/bytes items for the core, read from files or decoded here when asked."""
        if isinstance(raw_documents, (str, bytes)):
            raise ValueError(
                "Iterable over raw text documents expected, string object received.")
        from newsim.articles import Corpus

        if isinstance(raw_documents, Corpus):
            return raw_documents.documents(title_weight=getattr(self, "title_weight", 1))
        utf8 = self.encoding.lower().replace("_", "-") in ("utf-8", "utf8")
        if self.input == "content" and utf8:
            return raw_documents
        docs = []
        for i, doc in enumerate(raw_documents):
            if self.input == "filename":
                with open(doc, "rb") as f:
                    doc = f.read()
            elif self.input == "file":
                doc = doc.read()
            if isinstance(doc, bytes) and not utf8:
                doc = doc.decode(self.encoding, self.decode_error)
            elif not isinstance(doc, (str, bytes)):
                raise TypeError(f"document {i} is of type {type(doc).__name__}; expected str or bytes")
            docs.append(doc)
        return docs

    def build_analyzer(self) -> Callable[[Union[str, bytes]], List[str]]:
        """A callable that returns the terms of one document, as scikit-learn's does.

        >>> CountVectorizer(ngram_range=(1, 2)).build_analyzer()("Missile defence")
        ['missile', 'defence', 'missile defence']
        """
        self._check_common_params()
        analyzer = _core.Analyzer(**self._analysis_kwargs())
        return analyzer.analyze

    def build_preprocessor(self) -> Callable[[Union[str, bytes]], str]:
        """A callable that decodes, lowercases and strips accents, as scikit-learn's does."""
        self._check_common_params()
        analyzer = _core.Analyzer(**self._analysis_kwargs())
        return analyzer.preprocess


    # -- persistence ------------------------------------------------------------------------

    def _python_params(self) -> Dict[str, Any]:
        """The constructor parameters as JSON values, so that load() gives them back as given."""
        params = self.get_params()
        params["dtype"] = _dtype_name(self.dtype)
        params["ngram_range"] = list(self.ngram_range)
        vocabulary = getattr(self, "vocabulary", None)
        if isinstance(vocabulary, set):
            params["vocabulary"] = {"__set__": sorted(vocabulary)}
        elif isinstance(vocabulary, Mapping):
            params["vocabulary"] = {"__mapping__": [[t, int(i)] for t, i in vocabulary.items()]}
        elif vocabulary is not None:
            params["vocabulary"] = list(vocabulary)
        if self.stop_words is not None and not isinstance(self.stop_words, str):
            params["stop_words"] = list(self.stop_words)
        return {"class": type(self).__name__, "params": params}

    def _model_core(self) -> Any:
        return self._make_core()

    def to_json(self) -> str:
        """The model (parameters, and vocabulary and idf once fitted) as versioned JSON, which
        C++ reads too."""
        model = json.loads(self._model_core().to_json())
        model["python"] = self._python_params()
        return json.dumps(model, ensure_ascii=False)

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Writes the model to a JSON file; ``load`` (Python) or ``Vectorizer::load`` (C++)
        reads it back."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_json())

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "_TextMixin":
        """Reads a model file written by ``save`` (or by C++).

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> TfidfVectorizer().fit(["nato missile talks"]).save(path)
    >>> load(path).get_feature_names_out().tolist()
    ['missile', 'nato', 'talks']
    """
        model = load(path)
        if not isinstance(model, cls):
            raise _core.ModelFormatError(
                f"model file {os.fspath(path)!r} holds a {type(model).__name__}, not a {cls.__name__}")
        return model


class CountVectorizer(_TextMixin):
    """Term counts with scikit-learn's ``CountVectorizer`` parameters and results.

    ``n_jobs`` (None: all cores) sets the threads; the output does not depend on it.
    Given a ``newsim.Corpus`` instead of texts, each document is the article's title repeated
    ``title_weight`` times followed by its cleaned text.

    >>> v = CountVectorizer()
    >>> v.fit_transform(["Missile defence", "missile shield"]).toarray()
    array([[1, 1, 0],
           [0, 1, 1]])
    >>> list(v.get_feature_names_out())
    ['defence', 'missile', 'shield']
    """

    _use_idf_default = False

    def __init__(self, *, input: str = "content", encoding: str = "utf-8",
                 decode_error: str = "strict", strip_accents: Optional[str] = None,
                 lowercase: bool = True, preprocessor: Optional[Callable] = None,
                 tokenizer: Optional[Callable] = None,
                 stop_words: Union[str, List[str], None] = None,
                 token_pattern: str = DEFAULT_TOKEN_PATTERN,
                 ngram_range: Tuple[int, int] = (1, 1), analyzer: str = "word",
                 max_df: Union[float, int] = 1.0, min_df: Union[float, int] = 1,
                 max_features: Optional[int] = None,
                 vocabulary: Union[Mapping, Iterable[str], None] = None, binary: bool = False,
                 dtype: Any = np.int64, n_jobs: Optional[int] = None,
                 title_weight: int = 1) -> None:
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.max_df = max_df
        self.min_df = min_df
        self.max_features = max_features
        self.vocabulary = vocabulary
        self.binary = binary
        self.dtype = dtype
        self.n_jobs = n_jobs
        self.title_weight = title_weight

    # -- parameters -----------------------------------------------------------------------

    def _fixed_vocabulary(self) -> Optional[List[str]]:
        vocabulary = self.vocabulary
        if vocabulary is None:
            return None
        if isinstance(vocabulary, set):
            vocabulary = sorted(vocabulary)
        if isinstance(vocabulary, Mapping):
            indices = set(vocabulary.values())
            if len(indices) != len(vocabulary):
                raise ValueError("Vocabulary contains repeated indices.")
            for i in range(len(vocabulary)):
                if i not in indices:
                    raise ValueError(
                        "Vocabulary of size %d doesn't contain index %d." % (len(vocabulary), i))
            terms = [""] * len(vocabulary)
            for term, i in vocabulary.items():
                terms[i] = term
        else:
            terms, seen = [], set()
            for t in vocabulary:
                if t in seen:
                    raise ValueError("Duplicate term in vocabulary: %r" % t)
                seen.add(t)
                terms.append(t)
        if not terms:
            raise ValueError("empty vocabulary passed to fit")
        return terms

    @staticmethod
    def _check_df(name: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"The '{name}' parameter must be a float in the range [0.0, 1.0] or "
                             f"an int in the range [1, inf). Got {value!r} instead.")
        if isinstance(value, numbers.Integral):
            ok = value >= 0
        else:
            ok = 0.0 <= value <= 1.0
        if not ok:
            raise ValueError(f"The '{name}' parameter must be a float in the range [0.0, 1.0] or "
                             f"an int in the range [1, inf). Got {value!r} instead.")

    def _weighting_kwargs(self) -> Dict[str, Any]:
        return dict(use_idf=False, smooth_idf=True, sublinear_tf=False, norm=None)

    def _make_core(self) -> Any:
        self._check_common_params()
        self._check_df("max_df", self.max_df)
        self._check_df("min_df", self.min_df)
        mf = self.max_features
        if mf is not None and (isinstance(mf, bool) or not isinstance(mf, numbers.Integral)
                               or mf < 1):
            raise ValueError("The 'max_features' parameter must be an int in the range [1, inf) "
                             f"or None. Got {mf!r} instead.")
        _dtype_name(self.dtype)
        min_df = int(self.min_df) if isinstance(self.min_df, numbers.Integral) else float(self.min_df)
        max_df = int(self.max_df) if isinstance(self.max_df, numbers.Integral) else float(self.max_df)
        return _core.Vectorizer(
            **self._analysis_kwargs(), min_df=min_df, max_df=max_df,
            max_features=None if mf is None else int(mf), vocabulary=self._fixed_vocabulary(),
            binary=bool(self.binary), n_jobs=_n_jobs(self.n_jobs), **self._weighting_kwargs())

    # -- fitting ----------------------------------------------------------------------------

    def _set_fitted(self, core: Any) -> None:
        self._core = core
        self.fixed_vocabulary_ = core.fixed_vocabulary
        for cached in ("vocabulary_", "stop_words_"):
            self.__dict__.pop(cached, None)

    def __getattr__(self, name: str) -> Any:
        # vocabulary_ (a dict of ~100k terms) and stop_words_ are built on first use, so that
        # fit_transform does not pay for them.
        core = self.__dict__.get("_core")
        if core is not None and name == "vocabulary_":
            value = core.vocabulary_dict()
        elif core is not None and name == "stop_words_":
            value = set(core.pruned_terms())
        else:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        self.__dict__[name] = value
        return value

    def fit(self, raw_documents: Iterable[Any], y: Any = None) -> "CountVectorizer":
        """Learns the vocabulary (and idf) of the documents; returns self."""
        core = self._make_core()
        core.fit(self._documents(raw_documents))
        self._set_fitted(core)
        return self

    def fit_transform(self, raw_documents: Iterable[Any], y: Any = None) -> sp.csr_matrix:
        """Learns the vocabulary and returns the document-term matrix, in one pass."""
        core = self._make_core()
        X = _to_csr(core.fit_transform(self._documents(raw_documents), _dtype_name(self.dtype)))
        self._set_fitted(core)
        return X

    def statistics(self, raw_documents: Iterable[Any]) -> "_core.VocabularyStats":
        """Document and term frequencies of one shard of a corpus, for fitting in pieces.

        Shards' statistics merge (``a.merge(b)``), pickle, and ``fit_statistics`` of the merged
        whole gives exactly the model ``fit`` gives on all documents:

        >>> v = TfidfVectorizer()
        >>> stats = v.statistics(["nato summit"])
        >>> stats.merge(v.statistics(["russia nato"]))
        >>> v.fit_statistics(stats).get_feature_names_out().tolist()
        ['nato', 'russia', 'summit']
        """
        return self._make_core().statistics(self._documents(raw_documents))

    def fit_statistics(self, stats: "_core.VocabularyStats") -> "CountVectorizer":
        """Fits the vocabulary (and idf) from merged shard statistics; returns self."""
        if self.vocabulary is not None:
            raise ValueError("fit_statistics needs a vectorizer without a fixed vocabulary")
        core = self._make_core()
        core.fit_statistics(stats)
        self._set_fitted(core)
        return self

    def _fitted_core(self) -> Any:
        core = getattr(self, "_core", None)
        if core is None:
            if self.vocabulary is not None and not self._weighting_kwargs()["use_idf"]:
                core = self._make_core()
                self._set_fitted(core)
                return core
            raise _core.NotFittedError(self._not_fitted_message)
        return core

    _not_fitted_message = "Vocabulary not fitted or provided"

    def transform(self, raw_documents: Iterable[Any]) -> sp.csr_matrix:
        """Document-term matrix over the fitted vocabulary; unknown terms are ignored."""
        core = self._fitted_core()
        return _to_csr(core.transform(self._documents(raw_documents), _dtype_name(self.dtype)))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The terms, by column, as an object array of str."""
        return np.asarray(self._fitted_core().feature_names(), dtype=object)

    def _model_core(self) -> Any:
        return getattr(self, "_core", None) or self._make_core()

    def __getstate__(self) -> Dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("_core", "vocabulary_", "stop_words_")}
        core = self.__dict__.get("_core")
        state["_model_json"] = core.to_json() if core is not None else None
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        model = state.pop("_model_json", None)
        self.__dict__.update(state)
        if model is not None:
            self._set_fitted(_core.Vectorizer.from_json(model, "<pickle>"))


class TfidfVectorizer(CountVectorizer):
    """TF-IDF vectors with scikit-learn's ``TfidfVectorizer`` parameters and results.

    >>> v = TfidfVectorizer()
    >>> X = v.fit_transform(["Russia and NATO", "NATO summit"])
    >>> round(float(X[1, v.vocabulary_["nato"]]), 4)
    0.5797
    """

    _not_fitted_message = "The TF-IDF vectorizer is not fitted"

    def __init__(self, *, input: str = "content", encoding: str = "utf-8",
                 decode_error: str = "strict", strip_accents: Optional[str] = None,
                 lowercase: bool = True, preprocessor: Optional[Callable] = None,
                 tokenizer: Optional[Callable] = None, analyzer: str = "word",
                 stop_words: Union[str, List[str], None] = None,
                 token_pattern: str = DEFAULT_TOKEN_PATTERN,
                 ngram_range: Tuple[int, int] = (1, 1), max_df: Union[float, int] = 1.0,
                 min_df: Union[float, int] = 1, max_features: Optional[int] = None,
                 vocabulary: Union[Mapping, Iterable[str], None] = None, binary: bool = False,
                 dtype: Any = np.float64, norm: Optional[str] = "l2", use_idf: bool = True,
                 smooth_idf: bool = True, sublinear_tf: bool = False,
                 n_jobs: Optional[int] = None, title_weight: int = 1) -> None:
        super().__init__(input=input, encoding=encoding, decode_error=decode_error,
                         strip_accents=strip_accents, lowercase=lowercase,
                         preprocessor=preprocessor, tokenizer=tokenizer, stop_words=stop_words,
                         token_pattern=token_pattern, ngram_range=ngram_range, analyzer=analyzer,
                         max_df=max_df, min_df=min_df, max_features=max_features,
                         vocabulary=vocabulary, binary=binary, dtype=dtype, n_jobs=n_jobs,
                         title_weight=title_weight)
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf

    def _weighting_kwargs(self) -> Dict[str, Any]:
        if self.norm not in (None, "l1", "l2"):
            raise ValueError(f"norm must be None, 'l1' or 'l2'; got {self.norm!r}")
        if _dtype_name(self.dtype) not in ("float64", "float32"):
            raise ValueError(f"TfidfVectorizer's dtype must be float64 or float32; got {self.dtype}")
        return dict(use_idf=bool(self.use_idf), smooth_idf=bool(self.smooth_idf),
                    sublinear_tf=bool(self.sublinear_tf), norm=self.norm)

    def _set_fitted(self, core: Any) -> None:
        super()._set_fitted(core)
        if self.use_idf and core.is_fitted:
            self.idf_ = core.idf().astype(_dtype_name(self.dtype), copy=False)


class HashingVectorizer(_TextMixin):
    """Hashed term vectors with scikit-learn's ``HashingVectorizer`` parameters and numbers.

    Stateless: ``fit`` only checks the parameters.

    >>> X = HashingVectorizer(n_features=16).transform(["missile defence"])
    >>> X.shape
    (1, 16)
    """

    def __init__(self, *, input: str = "content", encoding: str = "utf-8",
                 decode_error: str = "strict", strip_accents: Optional[str] = None,
                 lowercase: bool = True, preprocessor: Optional[Callable] = None,
                 tokenizer: Optional[Callable] = None,
                 stop_words: Union[str, List[str], None] = None,
                 token_pattern: str = DEFAULT_TOKEN_PATTERN,
                 ngram_range: Tuple[int, int] = (1, 1), analyzer: str = "word",
                 n_features: int = 2 ** 20, binary: bool = False, norm: Optional[str] = "l2",
                 alternate_sign: bool = True, dtype: Any = np.float64,
                 n_jobs: Optional[int] = None, title_weight: int = 1) -> None:
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.n_features = n_features
        self.binary = binary
        self.norm = norm
        self.alternate_sign = alternate_sign
        self.dtype = dtype
        self.n_jobs = n_jobs
        self.title_weight = title_weight

    def _make_core(self) -> Any:
        self._check_common_params()
        if self.norm not in (None, "l1", "l2"):
            raise ValueError(f"norm must be None, 'l1' or 'l2'; got {self.norm!r}")
        nf = self.n_features
        if isinstance(nf, bool) or not isinstance(nf, numbers.Integral) or not 1 <= nf <= 2**31 - 1:
            raise ValueError("The 'n_features' parameter must be an int in the range "
                             f"[1, 2147483647]. Got {nf!r} instead.")
        _dtype_name(self.dtype)
        return _core.HashingVectorizer(
            **self._analysis_kwargs(), n_features=int(nf), binary=bool(self.binary),
            norm=self.norm, alternate_sign=bool(self.alternate_sign), n_jobs=_n_jobs(self.n_jobs))

    def fit(self, X: Any = None, y: Any = None) -> "HashingVectorizer":
        """Checks the parameters; nothing is learned."""
        if isinstance(X, (str, bytes)):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        self._make_core()
        return self

    def transform(self, X: Iterable[Any]) -> sp.csr_matrix:
        """Hashed document-term matrix (n_documents, n_features)."""
        core = self._make_core()
        return _to_csr(core.transform(self._documents(X), _dtype_name(self.dtype)))

    def fit_transform(self, X: Iterable[Any], y: Any = None) -> sp.csr_matrix:
        """Same as transform."""
        return self.transform(X)


def _restore_params(params: Dict[str, Any]) -> Dict[str, Any]:
    """Inverse of ``_TextMixin._python_params``."""
    params = dict(params)
    params["dtype"] = np.dtype(params["dtype"]).type
    params["ngram_range"] = tuple(params["ngram_range"])
    vocabulary = params.get("vocabulary")
    if isinstance(vocabulary, dict) and "__set__" in vocabulary:
        params["vocabulary"] = set(vocabulary["__set__"])
    elif isinstance(vocabulary, dict) and "__mapping__" in vocabulary:
        params["vocabulary"] = {t: i for t, i in vocabulary["__mapping__"]}
    return params


def load(path: Union[str, os.PathLike]) -> "_TextMixin":
    """Reads a vectorizer saved with ``save`` (by Python or C++).

    Raises ``ModelFormatError`` (a ValueError) when the file is corrupt, not a newsim model, or
    of a newer format version, and OSError when it cannot be read.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> CountVectorizer().fit(["nato summit"]).save(path)
    >>> load(path).get_feature_names_out().tolist()
    ['nato', 'summit']
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
        model = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:  # RecursionError: deep nesting
        raise _core.ModelFormatError(
            f"model file {path!r} is not valid JSON ({e}); it may be truncated or corrupt") from None
    fmt = model.get("format") if isinstance(model, dict) else None
    origin = f"file {path!r}"
    if fmt == _HASHING_FORMAT:
        core = _core.HashingVectorizer.from_json(text, origin)  # checks it as C++ does
        return from_python_section(origin, model, core, _hashing_params,
                                   {"HashingVectorizer": HashingVectorizer}, HashingVectorizer,
                                   _restore_params)
    if fmt != _MODEL_FORMAT:
        raise _core.ModelFormatError(f"model file {path!r} is not a newsim vectorizer model")
    core = _core.Vectorizer.from_json(text, origin)
    est = from_python_section(
        origin, model, core, _vectorizer_params,
        {"CountVectorizer": CountVectorizer, "TfidfVectorizer": TfidfVectorizer},
        TfidfVectorizer if any(model["options"].get(k) for k in ("use_idf", "norm", "sublinear_tf"))
        else CountVectorizer, _restore_params)
    if core.is_fitted:
        est._set_fitted(core)
    return est


def _hashing_params(options: Dict[str, Any], cls: type) -> Dict[str, Any]:
    """HashingVectorizer parameters from the options of a model written by C++."""
    params = {k: options[k] for k in (
        "decode_error", "strip_accents", "lowercase", "token_pattern", "analyzer",
        "n_features", "binary", "norm", "alternate_sign")}
    params.update(stop_words=options["stop_words"] or None,
                  ngram_range=tuple(options["ngram_range"]), n_jobs=options["n_jobs"] or None,
                  dtype=np.float64)
    return params


def _vectorizer_params(options: Dict[str, Any], cls: type) -> Dict[str, Any]:
    """Count/TfidfVectorizer parameters from the options of a model written by C++."""
    def bound(b: Dict[str, Any]) -> Union[int, float]:
        return b["fraction"] if "fraction" in b else b["count"]

    params = dict(
        decode_error=options["decode_error"], strip_accents=options["strip_accents"],
        lowercase=options["lowercase"], stop_words=options["stop_words"] or None,
        token_pattern=options["token_pattern"], ngram_range=tuple(options["ngram_range"]),
        analyzer=options["analyzer"], max_df=bound(options["max_df"]),
        min_df=bound(options["min_df"]), max_features=options["max_features"],
        vocabulary=options["vocabulary"], binary=options["binary"],
        dtype=np.float64 if cls is TfidfVectorizer else np.int64,
        n_jobs=options["n_jobs"] or None)
    if cls is TfidfVectorizer:
        params.update(norm=options["norm"], use_idf=options["use_idf"],
                      smooth_idf=options["smooth_idf"], sublinear_tf=options["sublinear_tf"])
    return params
