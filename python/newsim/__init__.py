"""newsim: term vectors and similarity of news articles, with a C++ core.

The vectorizers take scikit-learn's parameters and give scikit-learn's numbers, many times
faster::

    >>> import newsim
    >>> X = newsim.TfidfVectorizer().fit_transform(["NATO and Russia", "Russia talks"])
    >>> X.shape
    (2, 4)
"""

try:
    from newsim import _core  # noqa: F401
except ImportError as e:  # the source folder alone has no compiled module
    raise ImportError(
        f"newsim's compiled core does not import ({e}). Install the package (pip install . "
        "or make install) or put a build folder first on the path: make build, then "
        "PYTHONPATH=build/python") from e

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
from newsim.article_similarity import ArticleSimilarity
from newsim.articles import (
    Article,
    CleanResult,
    Corpus,
    clean,
    clean_statistics,
    iter_articles,
    read_articles,
)
from newsim.evaluation import BCubed, adjusted_rand_index, b_cubed
from newsim.lsa import LSA
from newsim.near_duplicates import (
    NearDuplicateIndex,
    NearDuplicateResult,
    estimate_jaccard,
    lsh_probability,
    minhash,
    near_duplicates,
    shingles,
)
from newsim.news import NewsVectorizer
from newsim.plots import SharedTerms, highlight_shared, plot_similarity, plot_stories
from newsim.similarity import (
    SimilarityIndex,
    explain,
    key_terms,
    knn_graph,
    pairwise,
    similarity_join,
    top_k,
)
from newsim.stories import (
    StoryClusterer,
    StoryFeatures,
    StoryResult,
    cluster_stories,
)
from newsim.streaming import VectorizedFiles, load_matrix, save_matrix, vectorize_files
from newsim.text import CountVectorizer, HashingVectorizer, TfidfTransformer, TfidfVectorizer, load
from newsim.text_reuse import SharedPassages, TextReuseResult, shared_passages, text_reuse

ENGLISH_STOP_WORDS = frozenset(english_stop_words())

__all__ = [
    "ArticleSimilarity",
    "adjusted_rand_index",
    "Article",
    "b_cubed",
    "BCubed",
    "clean",
    "CleanResult",
    "clean_statistics",
    "cluster_stories",
    "Corpus",
    "CountVectorizer",
    "DecodeError",
    "english_stop_words",
    "ENGLISH_STOP_WORDS",
    "estimate_jaccard",
    "explain",
    "HashingVectorizer",
    "highlight_shared",
    "IndexOutOfRangeError",
    "InvalidArgumentError",
    "iter_articles",
    "key_terms",
    "KeyNotFoundError",
    "knn_graph",
    "load",
    "load_matrix",
    "LSA",
    "lsh_probability",
    "minhash",
    "ModelFormatError",
    "murmurhash3_32",
    "near_duplicates",
    "NearDuplicateIndex",
    "NearDuplicateResult",
    "NewsimError",
    "NewsVectorizer",
    "NewsimIOError",
    "NotFittedError",
    "pairwise",
    "plot_similarity",
    "plot_stories",
    "read_articles",
    "save_matrix",
    "SharedPassages",
    "shared_passages",
    "SharedTerms",
    "shingles",
    "similarity_join",
    "SimilarityIndex",
    "StoryClusterer",
    "StoryFeatures",
    "StoryResult",
    "text_reuse",
    "TextReuseResult",
    "TfidfTransformer",
    "TfidfVectorizer",
    "top_k",
    "vectorize_files",
    "VectorizedFiles",
    "VocabularyStats",
    "__version__",
]
