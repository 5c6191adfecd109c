"""scikit-learn compatible vectorizers backed by newsim's C++ core.

``CountVectorizer``, ``TfidfVectorizer`` and ``HashingVectorizer`` take scikit-learn's
parameters with scikit-learn's meanings and give the same vocabulary and the same numbers;
they run on all cores (``n_jobs``) with results that do not depend on the thread count.
"""

from __future__ import annotations

import json
import numbers
import os
import re
import unicodedata
import warnings
from collections.abc import Mapping
from functools import partial
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Tuple, Union

import numpy as np
import scipy.sparse as sp

from newsim import _core
from newsim._base import (Estimator, _iterable, _n_jobs, _options_of, _to_csr,
                          from_python_section, read_model)
from newsim.articles import Corpus

__all__ = ["CountVectorizer", "TfidfVectorizer", "TfidfTransformer", "HashingVectorizer", "load"]

DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_DTYPES = {"float64", "float32", "int64", "int32"}
_MODEL_FORMAT = "newsim.vectorizer"
_HASHING_FORMAT = "newsim.hashing_vectorizer"


def _dtype_name(dtype: Any) -> str:
    name = np.dtype(dtype).name
    if name not in _DTYPES:
        raise ValueError(f"dtype must be one of {sorted(_DTYPES)}; got {name}")
    return name


class _CoreAnalyzer:
    """The C++ analyzer, picklable: it is rebuilt from its options."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self._analyzer = _core.Analyzer(**options)

    def analyze(self, doc: Any) -> List[str]:
        return self._analyzer.analyze(doc)

    def preprocess(self, doc: Any) -> str:
        return self._analyzer.preprocess(doc)

    def spans(self, doc: str) -> Tuple[List[Tuple[int, int]], List[Tuple[str, int, int]]]:
        return self._analyzer.spans(doc)

    def __getstate__(self) -> Dict[str, Any]:
        return self.options

    def __setstate__(self, options: Dict[str, Any]) -> None:
        self.__init__(**options)


def _analyze(doc: Any, decode: Callable, analyze: Callable,
             preprocess: Optional[Callable] = None) -> List[Any]:
    """One document's terms: decode, preprocess when given, then analyze (picklable)."""
    doc = decode(doc)
    if preprocess is not None:
        doc = preprocess(doc)
    return analyze(doc)


def _word_terms(doc: Any, tokenize: Callable, stop_words: Optional[FrozenSet[str]],
                ngram_range: Tuple[int, int]) -> List[str]:
    """scikit-learn's word analysis of a preprocessed document with a Python tokenizer: stop
    words out, then the n-grams of min_n..max_n tokens, shortest first, each by position."""
    tokens = tokenize(doc)
    if stop_words is not None:
        tokens = [t for t in tokens if t not in stop_words]
    min_n, max_n = ngram_range
    if max_n == 1:
        return list(tokens)
    terms = list(tokens) if min_n == 1 else []
    for n in range(max(min_n, 2), min(max_n, len(tokens)) + 1):
        terms.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return terms


def _lower_then(doc: str, accent_function: Callable[[str], str], lowercase: bool) -> str:
    """scikit-learn's default preprocessing with a callable ``strip_accents``."""
    return accent_function(doc.lower() if lowercase else doc)


def _joined_terms(terms: Iterable[Any], index: int) -> str:
    """Terms as the core's 'terms' analyzer reads them: each followed by a NUL."""
    terms = terms if isinstance(terms, list) else list(terms)
    if not terms:
        return ""
    try:
        joined = "\0".join(terms)
    except TypeError:
        bad = next(t for t in terms if not isinstance(t, str))
        raise TypeError(f"document {index}: the analyzer gave a term of type "
                        f"{type(bad).__name__} ({bad!r}); newsim's terms are str") from None
    if joined.count("\0") != len(terms) - 1:
        bad = next(t for t in terms if "\0" in t)
        raise ValueError(f"document {index}: the term {bad!r} holds a NUL character, which "
                         "newsim's terms cannot hold")
    return joined + "\0"


class _TextMixin(Estimator):
    """Reading documents and building the analyzer, shared by the three vectorizers."""

    def _check_common_params(self) -> None:
        """Python's own settings here (callables, input); the rest is checked by the core."""
        for name in ("preprocessor", "tokenizer"):
            value = getattr(self, name)
            if value is not None and not callable(value):
                raise ValueError(f"{name} must be None or a callable; got {value!r}")
        if self.input not in ("content", "filename", "file"):
            raise ValueError(f"input must be 'content', 'filename' or 'file'; got {self.input!r}")
        if not callable(self.analyzer) and self.analyzer not in ("word", "char", "char_wb"):
            raise ValueError("analyzer must be 'word', 'char', 'char_wb' or a callable; got "
                             f"{self.analyzer!r}")
        ngram = self.ngram_range
        if (not isinstance(ngram, tuple) or len(ngram) != 2
                or not all(isinstance(n, numbers.Integral) for n in ngram)):
            raise ValueError(f"ngram_range must be a tuple (min_n, max_n); got {ngram!r}")
        strip = None if callable(self.strip_accents) else self.strip_accents
        if strip is not None and not isinstance(strip, str):
            raise ValueError("strip_accents must be None, 'unicode', 'ascii' or a callable; got "
                             f"{strip!r}")
        stop = self.stop_words if isinstance(self.stop_words, str) else None
        _core._check_analysis("word", strip, stop, (int(ngram[0]), int(ngram[1])),
                              str(self.decode_error))

    def _overrides(self, method: str) -> bool:
        return getattr(type(self), method) is not getattr(_TextMixin, method)

    def _mode(self) -> str:
        """Where analysis runs: "core" (all in C++), "text" (Python decodes and preprocesses,
        C++ tokenizes and counts) or "terms" (Python makes the terms, C++ counts them)."""
        if callable(self.analyzer) or self._overrides("build_analyzer"):
            return "terms"
        if self.analyzer == "word" and (self.tokenizer is not None
                                        or self._overrides("build_tokenizer")):
            return "terms"
        if (self.preprocessor is not None or callable(self.strip_accents)
                or self._overrides("build_preprocessor") or self._overrides("decode")):
            return "text"
        return "core"

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

    def _analysis_kwargs(self, mode: str = "core") -> Dict[str, Any]:
        """The core analyzer's options; in "text" mode the text comes preprocessed, in
        "terms" mode it is the terms."""
        if mode == "terms":
            return dict(analyzer="terms", lowercase=False, strip_accents=None,
                        token_pattern=DEFAULT_TOKEN_PATTERN, stop_words=None,
                        ngram_range=(1, 1), decode_error=self.decode_error)
        stop = self.stop_words if self.analyzer == "word" else None
        if stop is not None and not isinstance(stop, str):
            stop = list(stop)
        return dict(
            analyzer=self.analyzer,
            lowercase=bool(self.lowercase) and mode == "core",
            strip_accents=self.strip_accents if mode == "core" else None,
            token_pattern=self._resolve_names(self.token_pattern) if self.token_pattern is not None
            else DEFAULT_TOKEN_PATTERN,
            stop_words=stop,
            ngram_range=tuple(int(n) for n in self.ngram_range),
            decode_error=self.decode_error,
        )

    def _warn_for_unused_params(self) -> None:
        """scikit-learn's warnings for parameters that another one overrides."""
        def warn(name: str, reason: str) -> None:
            warnings.warn(f"The parameter '{name}' will not be used since {reason}", UserWarning)

        if self.tokenizer is not None and self.token_pattern is not None:
            warn("token_pattern", "'tokenizer' is not None'")
        if self.preprocessor is not None and callable(self.analyzer):
            warn("preprocessor", "'analyzer' is callable'")
        if self.ngram_range not in (None, (1, 1)) and callable(self.analyzer):
            warn("ngram_range", "'analyzer' is callable'")
        if callable(self.analyzer) or self.analyzer != "word":
            if self.stop_words is not None:
                warn("stop_words", "'analyzer' != 'word'")
            if self.token_pattern not in (None, DEFAULT_TOKEN_PATTERN):
                warn("token_pattern", "'analyzer' != 'word'")
            if self.tokenizer is not None:
                warn("tokenizer", "'analyzer' != 'word'")

    def _prepared(self, raw_documents: Iterable[Any]) -> Union[list, Iterable[Any]]:
        """The documents as the core takes them in this vectorizer's mode. A newsim Corpus gives
        each article's title (``title_weight`` times) and text."""
        _iterable(raw_documents)
        self._check_stop_words_once()
        mode = self._mode()
        if isinstance(raw_documents, Corpus):
            raw_documents = raw_documents.documents(title_weight=getattr(self, "title_weight", 1))
            if mode == "core":
                return raw_documents
        if mode == "core":
            return self._documents(raw_documents)
        if mode == "text":
            decode, preprocess = self.decode, self.build_preprocessor()
            return [preprocess(decode(doc)) for doc in raw_documents]
        analyze = self.build_analyzer()
        return [_joined_terms(analyze(doc), i) for i, doc in enumerate(raw_documents)]

    def _read(self, doc: Any) -> Any:
        """The document's content, read from its file for input 'filename' or 'file'."""
        if self.input == "filename":
            with open(doc, "rb") as f:
                return f.read()
        if self.input == "file":
            return doc.read()
        return doc

    def _documents(self, raw_documents: Iterable[Any]) -> Union[list, Iterable[Any]]:
        """str/bytes items for the core: read from files, and decoded here unless UTF-8 (the
        core decodes that, with decode_error)."""
        utf8 = self.encoding.lower().replace("_", "-") in ("utf-8", "utf8")
        if self.input == "content" and utf8:
            return raw_documents
        docs = []
        for i, doc in enumerate(raw_documents):
            doc = self._read(doc)
            if isinstance(doc, bytes) and not utf8:
                doc = doc.decode(self.encoding, self.decode_error)
            elif not isinstance(doc, (str, bytes)):
                raise TypeError(f"document {i} is of type {type(doc).__name__}; expected str or bytes")
            docs.append(doc)
        return docs

    def decode(self, doc: Any) -> Any:
        """The document as text: read from its file (input 'filename' or 'file') and bytes
        decoded with ``encoding`` and ``decode_error``, as scikit-learn's ``decode`` does."""
        doc = self._read(doc)
        if isinstance(doc, bytes):
            doc = doc.decode(self.encoding, self.decode_error)
        if isinstance(doc, float) and doc != doc:
            raise ValueError("np.nan is an invalid document, expected byte or unicode string.")
        return doc

    def get_stop_words(self) -> Optional[FrozenSet[str]]:
        """The stop words: None, the built-in English list for 'english', or the given ones."""
        stop = self.stop_words
        if stop is None:
            return None
        if isinstance(stop, str):
            if stop != "english":
                raise ValueError(f"not a built-in stop list: {stop}")
            from newsim import ENGLISH_STOP_WORDS

            return ENGLISH_STOP_WORDS
        return frozenset(stop)

    def _check_stop_words_consistency(self, stop_words: Optional[FrozenSet[str]],
                                      preprocess: Callable, tokenize: Callable) -> Any:
        """Warns once per stop list when preprocessing and tokenizing a stop word gives tokens
        that are not stop words (which then stay in the documents). True when consistent,
        False when not, None when this list was checked before, "error" when the check
        failed (e.g. a preprocessor that takes other objects than text)."""
        if id(self.stop_words) == self.__dict__.get("_stop_words_id"):
            return None
        try:
            inconsistent = set()
            for word in stop_words or ():
                inconsistent.update(t for t in tokenize(preprocess(word)) if t not in stop_words)
        except Exception:
            self._stop_words_id = id(self.stop_words)
            return "error"
        self._stop_words_id = id(self.stop_words)
        if inconsistent:
            warnings.warn("Your stop_words may be inconsistent with your preprocessing. "
                          f"Tokenizing the stop words generated tokens {sorted(inconsistent)!r} "
                          "not in stop_words.", UserWarning)
        return not inconsistent

    def _check_stop_words_once(self) -> None:
        """The consistency check of a word analyzer's stop words (cached per stop list)."""
        if self.analyzer == "word" and not callable(self.analyzer) and self.stop_words is not None:
            self._check_stop_words_consistency(self.get_stop_words(), self.build_preprocessor(),
                                               self.build_tokenizer())

    def build_preprocessor(self) -> Callable[[str], str]:
        """The preprocessor: ``preprocessor`` when given, else lowercasing and accent
        stripping as scikit-learn's (picklable)."""
        self._check_common_params()
        if self.preprocessor is not None:
            return self.preprocessor
        if callable(self.strip_accents):
            return partial(_lower_then, accent_function=self.strip_accents,
                           lowercase=bool(self.lowercase))
        return _CoreAnalyzer(lowercase=bool(self.lowercase),
                             strip_accents=self.strip_accents).preprocess

    def build_tokenizer(self) -> Callable[[str], List[str]]:
        """The tokenizer: ``tokenizer`` when given, else the ``findall`` of token_pattern."""
        self._check_common_params()
        if self.tokenizer is not None:
            return self.tokenizer
        pattern = re.compile(self.token_pattern if self.token_pattern is not None
                             else DEFAULT_TOKEN_PATTERN)
        if pattern.groups > 1:
            raise ValueError("More than 1 capturing group in token pattern. Only a single "
                             "group should be captured.")
        return pattern.findall

    def build_analyzer(self) -> Callable[[Any], List[str]]:
        """A callable that returns the terms of one document, as scikit-learn's does
        (picklable when the callables it holds are).

        >>> CountVectorizer(ngram_range=(1, 2)).build_analyzer()("Missile defence")
        ['missile', 'defence', 'missile defence']
        """
        self._check_common_params()
        if callable(self.analyzer):
            return partial(_analyze, decode=self.decode, analyze=self.analyzer)
        if self.analyzer == "word" and (self.tokenizer is not None
                                        or self._overrides("build_tokenizer")):
            stop_words = self.get_stop_words()
            preprocess, tokenize = self.build_preprocessor(), self.build_tokenizer()
            self._check_stop_words_consistency(stop_words, preprocess, tokenize)
            return partial(_analyze, decode=self.decode, preprocess=preprocess,
                           analyze=partial(_word_terms, tokenize=tokenize, stop_words=stop_words,
                                           ngram_range=tuple(self.ngram_range)))
        mode = self._mode()
        self._check_stop_words_once()
        core = _CoreAnalyzer(**self._analysis_kwargs("text" if mode != "core" else "core"))
        preprocess = self.build_preprocessor() if mode != "core" else None
        return partial(_analyze, decode=self.decode, preprocess=preprocess, analyze=core.analyze)

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
        C++ reads too. Not for a vectorizer with callables (their code is not data): pickle
        it instead."""
        held = [n for n in ("preprocessor", "tokenizer", "analyzer", "strip_accents")
                if callable(getattr(self, n))]
        if held or self._mode() != "core":
            raise ValueError(
                f"a vectorizer with a callable {' and '.join(held) or 'method override'} cannot "
                "be saved as JSON (code is not data); pickle it instead")
        return _core._with_python_section(self._model_core().to_json(),
                                          json.dumps(self._python_params(), ensure_ascii=False))

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
        """The terms of ``vocabulary`` by column, read once per vocabulary object (it may be
        an iterator)."""
        vocabulary = self.vocabulary
        if vocabulary is None:
            return None
        cached = self.__dict__.get("_vocabulary_terms")
        if cached is not None and cached[0] is vocabulary:
            return cached[1]
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
        self._vocabulary_terms = (self.vocabulary, terms)
        return terms

    @staticmethod
    def _check_df(name: str, value: Any) -> None:
        """scikit-learn's error for a min_df / max_df that is not a number (the core checks
        the range)."""
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"The '{name}' parameter must be a float in the range [0.0, 1.0] or "
                             f"an int in the range [1, inf). Got {value!r} instead.")

    def _weighting_kwargs(self) -> Dict[str, Any]:
        return dict(use_idf=False, smooth_idf=True, sublinear_tf=False, norm=None)

    def _out_dtype(self) -> str:
        return _dtype_name(self.dtype)

    def _make_core(self) -> Any:
        self._check_common_params()
        self._check_df("max_df", self.max_df)
        self._check_df("min_df", self.min_df)
        mf = self.max_features
        if mf is not None and (isinstance(mf, bool) or not isinstance(mf, numbers.Integral)):
            raise ValueError("The 'max_features' parameter must be an int in the range [1, inf) "
                             f"or None. Got {mf!r} instead.")
        _dtype_name(self.dtype)
        min_df = int(self.min_df) if isinstance(self.min_df, numbers.Integral) else float(self.min_df)
        max_df = int(self.max_df) if isinstance(self.max_df, numbers.Integral) else float(self.max_df)
        return _core.Vectorizer(
            **self._analysis_kwargs(self._mode()), min_df=min_df, max_df=max_df,
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
        if name == "fixed_vocabulary_":
            return self.__dict__.get("vocabulary") is not None
        core = self.__dict__.get("_core")
        if name == "vocabulary_" and (core is not None or self.__dict__.get("vocabulary") is not None):
            value = self._vocabulary_core().vocabulary_dict()
            object.__setattr__(self, name, value)
            return value
        if core is not None and name == "stop_words_":
            value = set(core.pruned_terms())
        else:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        # Assigning vocabulary_ (as scikit-learn allows) changes the model: transform counts
        # the given terms, in the given columns; the idf, if any, must have one value per term.
        if name == "vocabulary_" and self.__dict__.get("_core") is not None:
            self._replace_vocabulary(value)
        object.__setattr__(self, name, value)

    def _replace_vocabulary(self, vocabulary: Any) -> None:
        if not isinstance(vocabulary, Mapping):
            raise TypeError("vocabulary_ must be a mapping of term to column")
        old = self.__dict__["_core"]
        saved = self.vocabulary
        try:
            object.__setattr__(self, "vocabulary", dict(vocabulary))
            core = self._make_core()
        finally:
            object.__setattr__(self, "vocabulary", saved)
        if old.is_fitted and self._weighting_kwargs()["use_idf"]:
            core.set_idf(old.idf())
        self._set_fitted(core)
        self.fixed_vocabulary_ = old.fixed_vocabulary

    def _start_fit(self, raw_documents: Iterable[Any]) -> None:
        """scikit-learn's checks and warnings at the start of a fit."""
        _iterable(raw_documents)
        self._check_common_params()
        self._warn_for_unused_params()
        terms = self._fixed_vocabulary()
        if terms is not None and self.lowercase:
            if any(any(map(str.isupper, t)) for t in terms if isinstance(t, str)):
                warnings.warn("Upper case characters found in vocabulary while 'lowercase' is "
                              "True. These entries will not be matched with any documents",
                              UserWarning)

    def fit(self, raw_documents: Iterable[Any], y: Any = None) -> "CountVectorizer":
        """Learns the vocabulary (and idf) of the documents; returns self."""
        self._start_fit(raw_documents)
        core = self._make_core()
        core.fit(self._prepared(raw_documents))
        self._set_fitted(core)
        return self

    def fit_transform(self, raw_documents: Iterable[Any], y: Any = None) -> sp.csr_matrix:
        """Learns the vocabulary and returns the document-term matrix, in one pass."""
        self._start_fit(raw_documents)
        core = self._make_core()
        X = _to_csr(core.fit_transform(self._prepared(raw_documents), self._out_dtype()))
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
        return self._make_core().statistics(self._prepared(raw_documents))

    def fit_statistics(self, stats: "_core.VocabularyStats") -> "CountVectorizer":
        """Fits the vocabulary (and idf) from merged shard statistics; returns self."""
        if self.vocabulary is not None:
            raise ValueError("fit_statistics needs a vectorizer without a fixed vocabulary")
        core = self._make_core()
        core.fit_statistics(stats)
        self._set_fitted(core)
        return self

    def _vocabulary_core(self) -> Any:
        """The fitted core, or one holding the fixed vocabulary (then not fitted for idf)."""
        core = self.__dict__.get("_core")
        if core is None:
            if self.vocabulary is None:
                raise _core.NotFittedError(self._not_fitted_message)
            core = self._make_core()
            self._set_fitted(core)
        return core

    _not_fitted_message = "Vocabulary not fitted or provided"

    def transform(self, raw_documents: Iterable[Any]) -> sp.csr_matrix:
        """Document-term matrix over the fitted vocabulary; unknown terms are ignored."""
        _iterable(raw_documents)
        core = self._vocabulary_core()
        if self._weighting_kwargs()["use_idf"] and not core.is_fitted:
            raise _core.NotFittedError(self._not_fitted_message)
        return _to_csr(core.transform(self._prepared(raw_documents), self._out_dtype()))

    def inverse_transform(self, X: Any) -> List[np.ndarray]:
        """The terms of each row of a document-term matrix that are not zero."""
        names = self.get_feature_names_out()
        if sp.issparse(X):
            X = sp.csr_matrix(X)
            X.sort_indices()
            return [names[X.indices[a:b][X.data[a:b] != 0]]
                    for a, b in zip(X.indptr[:-1], X.indptr[1:])]
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"expected a 2-D matrix; got {X.ndim} dimension(s)")
        return [names[np.flatnonzero(row)] for row in X]

    def _sort_features(self, X: sp.csr_matrix, vocabulary: Dict[str, int]) -> sp.csr_matrix:
        """Columns of X in term order; renumbers ``vocabulary`` in place (scikit-learn's)."""
        remap = np.empty(len(vocabulary), dtype=X.indices.dtype)
        for new, term in enumerate(sorted(vocabulary)):
            remap[vocabulary[term]] = new
            vocabulary[term] = new
        X.indices = remap.take(X.indices, mode="clip")
        return X

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The terms, by column, as an object array of str."""
        return np.asarray(self._vocabulary_core().feature_names(), dtype=object)

    def _model_core(self) -> Any:
        return getattr(self, "_core", None) or self._make_core()

    def __getstate__(self) -> Dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("_core", "vocabulary_", "stop_words_", "_idf", "_stop_words_id",
                              "_vocabulary_terms")}
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
        return dict(use_idf=bool(self.use_idf), smooth_idf=bool(self.smooth_idf),
                    sublinear_tf=bool(self.sublinear_tf), norm=self.norm)

    def _out_dtype(self) -> str:
        name = _dtype_name(self.dtype)
        if name in ("float64", "float32"):
            return name
        warnings.warn(f"Only (<class 'numpy.float64'>, <class 'numpy.float32'>) 'dtype' should "
                      f"be used. {name} 'dtype' will be converted to np.float64.", UserWarning)
        return "float64"

    def _set_fitted(self, core: Any) -> None:
        super()._set_fitted(core)
        self.__dict__.pop("_idf", None)
        self._tfidf_params = dict(norm=self.norm, use_idf=bool(self.use_idf),
                                  smooth_idf=bool(self.smooth_idf),
                                  sublinear_tf=bool(self.sublinear_tf))

    @property
    def idf_(self) -> np.ndarray:
        """idf of each term (use_idf); can be set, with one value per term of the vocabulary."""
        idf = self.__dict__.get("_idf")
        if idf is None:
            core = self.__dict__.get("_core")
            if core is None or not core.is_fitted:
                raise _core.NotFittedError(
                    f"{type(self).__name__} is not fitted yet. Call 'fit' with appropriate "
                    "arguments before using this attribute.")
            dtype = _dtype_name(self.dtype)
            idf = core.idf().astype(dtype if dtype in ("float32", "float64") else "float64",
                                    copy=False)
            self.__dict__["_idf"] = idf
        return idf

    @idf_.setter
    def idf_(self, value: Any) -> None:
        if not self.use_idf:
            raise ValueError("`idf_` cannot be set when `user_idf=False`.")
        self._vocabulary_core().set_idf(np.asarray(value, dtype=np.float64))
        self.__dict__.pop("_idf", None)

    @property
    def _tfidf(self) -> "TfidfTransformer":
        """The weighting of the last fit as a TfidfTransformer (scikit-learn's attribute)."""
        params = self.__dict__.get("_tfidf_params")
        if params is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute '_tfidf'")
        transformer = TfidfTransformer(**params)
        core = self.__dict__["_core"]
        if params["use_idf"] and core.is_fitted:
            transformer.idf_ = self.idf_
        return transformer


class TfidfTransformer(Estimator):
    """A count matrix to TF-IDF, with scikit-learn's ``TfidfTransformer`` parameters and numbers
    (the idf is the formula ``TfidfVectorizer`` uses).

    >>> X = TfidfTransformer().fit_transform([[3, 0], [1, 1]])
    >>> np.round(X.toarray(), 4)
    array([[1.    , 0.    ],
           [0.5797, 0.8148]])
    """

    def __init__(self, *, norm: Optional[str] = "l2", use_idf: bool = True,
                 smooth_idf: bool = True, sublinear_tf: bool = False) -> None:
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf

    @staticmethod
    def _matrix(X: Any, copy: bool) -> sp.csr_matrix:
        """X as a CSR matrix of float32 or float64 (its own type when it is one of them)."""
        if isinstance(X, (str, bytes)):
            raise ValueError("expected a 2-D count matrix; got a string")
        if not sp.issparse(X):
            X = np.asarray(X)
            if X.ndim != 2:
                raise ValueError(f"expected a 2-D count matrix; got {X.ndim} dimension(s). "
                                 "Reshape your data with array.reshape(1, -1) for one document.")
        if np.iscomplexobj(X):
            raise ValueError("Complex data not supported: expected a count matrix")
        if X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"Found array with {X.shape[0]} sample(s) and {X.shape[1]} "
                             f"feature(s) (shape={X.shape}) while a minimum of 1 is required.")
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        X = sp.csr_matrix(X, dtype=dtype, copy=copy)
        if X.data.size and not np.isfinite(X.data).all():
            raise ValueError("the count matrix holds NaN or infinity")
        return X

    def fit(self, X: Any, y: Any = None) -> "TfidfTransformer":
        """Learns the idf of the columns of a count matrix (documents by terms)."""
        if self.norm not in (None, "l1", "l2"):
            raise ValueError(f"norm must be None, 'l1' or 'l2'; got {self.norm!r}")
        X = self._matrix(X, copy=False)
        self.n_features_in_ = X.shape[1]
        if self.use_idf:
            df = np.bincount(X.indices, minlength=X.shape[1])
            if not self.smooth_idf and (df == 0).any():
                warnings.warn("divide by zero: a column without documents gets an infinite idf "
                              "(smooth_idf=False)", RuntimeWarning)
            idf = _core.idf_from_df(df.astype(np.int64), X.shape[0], bool(self.smooth_idf))
            self._idf = idf.astype(X.dtype, copy=False)
        return self

    @property
    def idf_(self) -> np.ndarray:
        """idf of each column (use_idf); can be set."""
        idf = self.__dict__.get("_idf")
        if idf is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute 'idf_'")
        return idf

    @idf_.setter
    def idf_(self, value: Any) -> None:
        value = np.asarray(value, dtype=np.float64)
        if value.ndim != 1:
            raise ValueError(f"idf_ must be 1-D; got {value.ndim} dimension(s)")
        self._idf = value
        self.n_features_in_ = value.shape[0]

    def transform(self, X: Any, copy: bool = True) -> sp.csr_matrix:
        """TF-IDF of a count matrix: sublinear tf when asked, times idf, rows normalised."""
        X = self._matrix(X, copy=copy)
        if self.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1
        if self.use_idf:
            idf = self.__dict__.get("_idf")
            if idf is None:
                raise _core.NotFittedError("idf vector is not fitted")
            if X.shape[1] != idf.shape[0]:
                raise ValueError(f"X has {X.shape[1]} features, but TfidfTransformer is "
                                 f"expecting {idf.shape[0]} features as input.")
            X.data *= idf.take(X.indices)
        if self.norm is not None:
            values = np.abs(X.data) if self.norm == "l1" else X.data * X.data
            lengths = np.diff(X.indptr)
            rows = lengths > 0
            norms = np.zeros(X.shape[0], dtype=X.dtype)
            if values.size:
                norms[rows] = np.add.reduceat(values, X.indptr[:-1][rows])
            if self.norm == "l2":
                np.sqrt(norms, norms)
            norms[norms == 0] = 1  # rows of zeros stay zero
            X.data /= np.repeat(norms, lengths)
        return X

    def fit_transform(self, X: Any, y: Any = None) -> sp.csr_matrix:
        """fit, then transform."""
        return self.fit(X).transform(X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The names of the output columns: the input's (``x0``, ``x1``, ... when not given)."""
        n = self.__dict__.get("n_features_in_")
        if n is None:
            raise _core.NotFittedError("This TfidfTransformer instance is not fitted yet.")
        if input_features is None:
            return np.asarray([f"x{i}" for i in range(n)], dtype=object)
        names = np.asarray(input_features, dtype=object)
        if names.shape != (n,):
            raise ValueError(f"input_features should have length equal to number of features "
                             f"({n}), got {len(names)}")
        return names


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
            **self._analysis_kwargs(self._mode()), n_features=int(nf), binary=bool(self.binary),
            norm=self.norm, alternate_sign=bool(self.alternate_sign), n_jobs=_n_jobs(self.n_jobs))

    def fit(self, X: Any = None, y: Any = None) -> "HashingVectorizer":
        """Checks the parameters; nothing is learned."""
        _iterable(X)
        self._warn_for_unused_params()
        self._make_core()
        return self

    def partial_fit(self, X: Any = None, y: Any = None) -> "HashingVectorizer":
        """Checks the parameters; nothing is learned (for out-of-core pipelines)."""
        self._make_core()
        return self

    def transform(self, X: Iterable[Any]) -> sp.csr_matrix:
        """Hashed document-term matrix (n_documents, n_features)."""
        _iterable(X)
        core = self._make_core()
        return _to_csr(core.transform(self._prepared(X), _dtype_name(self.dtype)))

    def fit_transform(self, X: Iterable[Any], y: Any = None) -> sp.csr_matrix:
        """fit, then transform."""
        return self.fit(X).transform(X)


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


def load(path: Union[str, os.PathLike]) -> Any:
    """Reads any model newsim saves (by Python or C++): a CountVectorizer, TfidfVectorizer,
    HashingVectorizer, NewsVectorizer, LSA or ArticleSimilarity, told apart by the file's
    "format".

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
    except UnicodeDecodeError as e:
        raise _core.ModelFormatError(
            f"model file {path!r} is not valid UTF-8 ({e}); it may be truncated or corrupt"
        ) from None
    origin = f"file {path!r}"
    fmt, python = read_model(text, origin)
    if fmt == _HASHING_FORMAT:
        core = _core.HashingVectorizer.from_json(text, origin)  # checks it as C++ does
        return from_python_section(origin, python, core, _hashing_params,
                                   {"HashingVectorizer": HashingVectorizer}, HashingVectorizer,
                                   _restore_params)
    if fmt == _MODEL_FORMAT:
        core = _core.Vectorizer.from_json(text, origin)
        weighted = any(_options_of(core).get(k) for k in ("use_idf", "norm", "sublinear_tf"))
        est = from_python_section(
            origin, python, core, _vectorizer_params,
            {"CountVectorizer": CountVectorizer, "TfidfVectorizer": TfidfVectorizer},
            TfidfVectorizer if weighted else CountVectorizer, _restore_params)
        if core.is_fitted:
            est._set_fitted(core)
        return est
    from newsim.article_similarity import ArticleSimilarity
    from newsim.lsa import LSA
    from newsim.news import NewsVectorizer

    readers = {"newsim.news_vectorizer": lambda: NewsVectorizer.from_json(text, origin),
               "newsim.lsa": lambda: LSA.load(path),
               "newsim.article_similarity": lambda: ArticleSimilarity.load(path)}
    if fmt not in readers:
        raise _core.ModelFormatError(f"model file {path!r} is a {fmt} model, which load does "
                                     f"not read (it reads {sorted(readers) + [_MODEL_FORMAT, _HASHING_FORMAT]})")
    return readers[fmt]()


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
