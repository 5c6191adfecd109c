"""newsim: term vectors and similarity of news articles, with a C++ core.

The vectorizers take scikit-learn's parameters and give scikit-learn's numbers, many times
faster::

    >>> import newsim
    >>> X = newsim.TfidfVectorizer().fit_transform(["NATO and Russia", "Russia talks"])
    >>> X.shape
    (2, 4)
"""

from newsim._core import (
    DecodeError,
    IndexOutOfRangeError,
    InvalidArgumentError,
    KeyNotFoundError,
    ModelFormatError,
    NewsimError,
    NewsimIOError,
    NotFittedError,
    VocabularyStats,
    __version__,
    english_stop_words,
    murmurhash3_32,
)
from newsim.articles import Article, CleanResult, Corpus, clean, iter_articles, read_articles
from newsim.similarity import (
    SimilarityIndex,
    explain,
    key_terms,
    knn_graph,
    pairwise,
    similarity_join,
    top_k,
)
from newsim.text import CountVectorizer, HashingVectorizer, TfidfVectorizer, load

ENGLISH_STOP_WORDS = frozenset(english_stop_words())

__all__ = [
    "Article",
    "CleanResult",
    "Corpus",
    "CountVectorizer",
    "DecodeError",
    "ENGLISH_STOP_WORDS",
    "HashingVectorizer",
    "IndexOutOfRangeError",
    "InvalidArgumentError",
    "KeyNotFoundError",
    "ModelFormatError",
    "NewsimError",
    "NewsimIOError",
    "NotFittedError",
    "SimilarityIndex",
    "TfidfVectorizer",
    "VocabularyStats",
    "__version__",
    "clean",
    "english_stop_words",
    "explain",
    "key_terms",
    "iter_articles",
    "knn_graph",
    "load",
    "murmurhash3_32",
    "pairwise",
    "read_articles",
    "similarity_join",
    "top_k",
]
