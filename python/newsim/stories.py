"""Stories: articles about the same real-world event, found by agglomerative clustering.

The defaults were chosen on the ECB+ development set (see bench/stories.py), where each topic
holds two similar but different events: TF-IDF of words and word pairs (sublinear counts,
English stop words left out, terms in at least two articles), with names weighted double, and
average-link clustering that merges while the mean cosine between two clusters is >= 0.2.

>>> import newsim
>>> texts = ["Russia warns NATO over missile shield in Poland",
...          "NATO missile shield in Poland angers Russia",
...          "Floods hit the north of England after heavy rain",
...          "Heavy rain brings floods to the north of England"]
>>> newsim.cluster_stories(texts).labels.tolist()
[0, 0, 1, 1]
"""

from __future__ import annotations

import numbers
import threading
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import scipy.sparse as sp

from newsim import _core
from newsim._inputs import texts_ids_times, to_datetimes, window_seconds
from newsim.similarity import _parts, as_csr
from newsim._base import _n_jobs, _to_csr
from newsim.text import CountVectorizer, TfidfVectorizer


class StoryFeatures:
    """The term vectors stories are clustered on: TF-IDF of words and word pairs, with the
    terms of names (words written capitalised in most of their occurrences in the fitted
    corpus) weighted ``entity_weight`` times, rows scaled to unit length.

    ``vectorizer`` replaces the TF-IDF settings (any newsim or scikit-learn vectorizer).

    >>> f = StoryFeatures().fit(["Obama meets Putin in Moscow", "Putin and Obama talk in Moscow",
    ...                          "rain in the north"])
    >>> sorted(f.entities_)[:3]
    ['moscow', 'obama', 'putin']
    """

    def __init__(self, entity_weight: float = 2.0, vectorizer: Any = None,
                 n_jobs: Optional[int] = None) -> None:
        if isinstance(entity_weight, bool) or not isinstance(entity_weight, numbers.Real) or \
                not entity_weight > 0:
            raise ValueError(f"entity_weight must be a number > 0; got {entity_weight!r}")
        self.entity_weight = float(entity_weight)
        self.vectorizer = vectorizer
        self.n_jobs = n_jobs

    def fit(self, texts: Sequence[str]) -> "StoryFeatures":
        self._fit(list(texts), transform=False)
        return self

    def _fit(self, texts: List[str], transform: bool) -> Any:
        """Fits; returns the weighted matrix of `texts` when asked (one pass over them)."""
        if self.vectorizer is None:
            # The default features live in the C++ core (StoryFeatures in stories.hpp).
            core = _core._StoryFeatures(self.entity_weight, _n_jobs(self.n_jobs))
            X = _to_csr(core.fit_transform(texts))
            self._adopt(core, len(texts))
            return X if transform else None
        from sklearn.base import clone

        self.__dict__.pop("_core", None)
        self.vectorizer_ = clone(self.vectorizer)
        raw = self.vectorizer_.fit_transform(texts) if transform else None
        if not transform:
            self.vectorizer_.fit(texts)
        self.entities_ = self._names(texts) if self.entity_weight != 1 else set()
        names = self.vectorizer_.get_feature_names_out()
        weights = np.ones(len(names))
        for j, term in enumerate(names):
            if any(w in self.entities_ for w in str(term).split(" ")):
                weights[j] = self.entity_weight
        self.weights_ = weights
        return None if raw is None else self._weighted(raw)

    def _core_features(self) -> Any:
        """The core object of the default features (fitted, or new for an add to fit), or None
        when the features are another vectorizer's or were unpickled."""
        if self.vectorizer is not None:
            return None
        if hasattr(self, "weights_"):
            return self.__dict__.get("_core")
        return _core._StoryFeatures(self.entity_weight, _n_jobs(self.n_jobs))

    def _adopt(self, core: Any, n_texts: int) -> None:
        """Takes the state of core features fitted on n_texts texts."""
        if hasattr(self, "weights_"):
            return
        self._core = core
        self.vectorizer_ = TfidfVectorizer(sublinear_tf=True, stop_words="english",
                                           ngram_range=(1, 2), min_df=2 if n_texts >= 3 else 1,
                                           n_jobs=self.n_jobs)
        self.vectorizer_._set_fitted(core.vectorizer)
        self.entities_ = set(core.entities())
        self.weights_ = core.weights()

    def _names(self, texts: List[str]) -> set:
        """The rule of the C++ StoryFeatures, for another vectorizer: words written capitalised
        in more than half of their occurrences."""
        counter = CountVectorizer(lowercase=False, n_jobs=self.n_jobs)
        try:
            counts = counter.fit_transform(texts)
        except ValueError:  # no words at all
            return set()
        totals = np.asarray(counts.sum(axis=0)).ravel()
        capitalised: Dict[str, float] = {}
        overall: Dict[str, float] = {}
        for term, j in counter.vocabulary_.items():
            key = term.lower()
            overall[key] = overall.get(key, 0.0) + totals[j]
            if term[:1].isupper():
                capitalised[key] = capitalised.get(key, 0.0) + totals[j]
        return {t for t, n in overall.items() if capitalised.get(t, 0.0) > n / 2}

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if not hasattr(self, "weights_"):
            raise _core.NotFittedError("StoryFeatures is not fitted yet; call fit first")
        core = self.__dict__.get("_core")
        if core is not None:
            return _to_csr(core.transform(list(texts)))
        return self._weighted(self.vectorizer_.transform(list(texts)))

    def _weighted(self, raw: Any) -> sp.csr_matrix:
        X = as_csr(raw).copy()
        X.data *= self.weights_[X.indices]
        lengths = np.diff(X.indptr)
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        X.data /= np.repeat(norms, lengths)
        return X

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._fit(list(texts), transform=True)

    def get_feature_names_out(self) -> np.ndarray:
        return np.asarray(self.vectorizer_.get_feature_names_out(), dtype=object)

    def _feature_names(self, columns: List[int]) -> List[str]:
        """The terms of some columns, without listing the whole vocabulary (millions of word
        pairs in a large archive) when the vectorizer is newsim's."""
        core = getattr(self.vectorizer_, "_core", None)
        if core is not None and hasattr(core, "feature_names_at"):
            return core.feature_names_at(columns)
        return [str(t) for t in self.get_feature_names_out()[np.asarray(columns, dtype=np.int64)]]

    def __getstate__(self) -> Dict[str, Any]:
        # The core object does not pickle; vectorizer_ and weights_ give the same vectors.
        return {k: v for k, v in self.__dict__.items() if k != "_core"}

    def __repr__(self) -> str:
        return f"StoryFeatures(entity_weight={self.entity_weight}, vectorizer={self.vectorizer!r})"


def _threshold(value: Any, name: str, low_open: bool = True) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and (
        (0 < value <= 1) if low_open else (0 <= value <= 1))
    if not ok:
        raise ValueError(f"{name} must be a number in {'(0' if low_open else '[0'}, 1]; "
                         f"got {value!r}")
    return float(value)


def _window(time_window: Any) -> float:
    """Seconds: the default window (7 days) for None, 0 for no window."""
    return _core._STORY_TIME_WINDOW if time_window is None else window_seconds(time_window)


def _max_neighbors(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"max_neighbors must be an int >= 1; got {value!r}")
    return int(value)


class StoryClusterer:
    """Stories built up batch by batch, with stable story ids.

    Each :meth:`add` compares the new articles with each other and with the earlier ones (those
    dated within the time window, when dated), updates each article's best partners and
    clusters everything again. An article's best partners do not depend on the order articles
    came in, so after any sequence of batches the stories are those that
    :func:`cluster_stories` finds on all the articles (with the same features). A story keeps
    its id while it keeps most of its articles; new stories get new ids. The features are fitted
    on the first batch unless ``features`` is given already fitted.

    Parameters are those of :func:`cluster_stories`. One clusterer may be shared between
    threads: adds run one at a time, and reading labels or stories waits for an add to finish.

    >>> c = StoryClusterer()
    >>> c.add(["Russia warns NATO over missile shield", "NATO missile shield angers Russia",
    ...        "Floods hit England after heavy rain", "Heavy rain brings floods to England"]
    ...       ).tolist()
    [0, 0, 1, 1]
    >>> c.add(["More heavy rain and floods in England", "NATO and Russia: missile shield talks"]
    ...       ).tolist()
    [0, 0, 1, 1, 1, 0]
    """

    def __init__(self, threshold: float = 0.2, *, linkage: str = "average",
                 cohesion: float = 0.1, min_similarity: Optional[float] = None,
                 time_window: Any = None, features: Optional[StoryFeatures] = None,
                 key_terms: int = 10, max_neighbors: int = _core._STORY_MAX_NEIGHBORS,
                 n_jobs: Optional[int] = None) -> None:
        self.threshold = _threshold(threshold, "threshold")
        self.cohesion = _threshold(cohesion, "cohesion", low_open=False)
        self.min_similarity = 0.0 if min_similarity is None else _threshold(
            min_similarity, "min_similarity")
        if linkage not in ("average", "single"):
            raise ValueError(f"linkage must be 'average' or 'single'; got {linkage!r}")
        self.linkage = linkage
        self.time_window = time_window
        self.max_neighbors = _max_neighbors(max_neighbors)
        if isinstance(key_terms, bool) or not isinstance(key_terms, numbers.Integral) or \
                key_terms < 0:
            raise ValueError(f"key_terms must be an int >= 0; got {key_terms!r}")
        self.key_terms = int(key_terms)
        self.features = features if features is not None else StoryFeatures(n_jobs=n_jobs)
        self._core = _core._StoryClusterer(linkage, self.threshold, self.cohesion,
                                           self.min_similarity, _window(time_window),
                                           self.max_neighbors, _n_jobs(n_jobs))
        self._ids: Optional[List[str]] = []
        self._titles: List[str] = []
        self._times: List[float] = []
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._core)

    def add(self, data: Any, dates: Optional[Sequence[Any]] = None) -> np.ndarray:
        """Adds a Corpus or texts (with dates, or a Corpus's own); returns the story id of every
        article so far."""
        from newsim.articles import Corpus

        # One add at a time: the features are fitted once, and the titles and ids stay in the
        # order of the rows (the core has its own lock for callers in C++).
        with self._lock:
            core = self.features._core_features()
            # With the default features a corpus's documents are made in the core.
            texts, ids, times, corpus = texts_ids_times(
                data, dates, documents=core is None or not isinstance(data, Corpus))
            if not len(texts):
                if len(self) == 0:
                    raise ValueError("no articles to cluster")
                return self.labels_
            if core is not None:  # texts to stories in the core, the matrix never in Python
                if corpus is not None:
                    labels = self._core.add_corpus(core, corpus._core, 1, not corpus.cleaned,
                                                   times)
                else:
                    labels = self._core.add_texts(core, texts, times)
                self.features._adopt(core, len(texts))
            else:
                if hasattr(self.features, "weights_"):
                    X = self.features.transform(texts)
                else:
                    X = self.features.fit_transform(texts)
                labels = self._core.add(_parts(X), times)
            if self._ids is not None and ids is not None:
                self._ids.extend(ids)
            else:
                self._ids = None
            self._titles.extend(corpus.titles if corpus is not None else
                                [t.strip().split("\n", 1)[0][:80] for t in texts])
            self._times.extend(times.tolist() if times is not None else
                               [float("nan")] * len(texts))
            return labels

    @property
    def labels_(self) -> np.ndarray:
        """Story id of every article added."""
        return self._core.labels

    def stories(self) -> Any:
        """The story table (see :class:`StoryResult`); empty before the first add."""
        with self._lock:
            if len(self) == 0:
                return _story_table([], np.array([], dtype=object), self._ids, self._titles)
            stories = self._core.stories(self.key_terms)
            return _story_table(stories, _key_term_names(stories, self.features), self._ids,
                                self._titles)

    def __repr__(self) -> str:
        return (f"StoryClusterer(threshold={self.threshold}, linkage={self.linkage!r}, "
                f"articles={len(self)})")


def _key_term_names(stories: List[Dict[str, Any]], features: StoryFeatures) -> Dict[int, str]:
    """The term of each column that is a key term of some story."""
    columns = sorted({int(t) for st in stories for t, _ in st["key_terms"]})
    return dict(zip(columns, features._feature_names(columns)))


def _story_table(stories: List[Dict[str, Any]], names: Any, ids: Optional[List[str]],
                 titles: List[str]) -> Any:
    """names[t]: the term of column t (an array or a dict of the key terms' columns)."""
    import pandas as pd

    rows = []
    for s in stories:
        rep = int(s["representative"])
        rows.append({
            "story": int(s["story"]),
            "size": len(s["members"]),
            "representative": rep,
            "representative_id": ids[rep] if ids is not None else None,
            "title": titles[rep] if rep < len(titles) else "",
            "first_date": s["first_time"],
            "last_date": s["last_time"],
            "key_terms": [str(names[t]) for t, _ in s["key_terms"]],
            "cohesion": s["cohesion"],
            "members": [int(m) for m in s["members"]],
        })
    cols = ["story", "size", "representative", "representative_id", "title", "first_date",
            "last_date", "key_terms", "cohesion", "members"]
    df = pd.DataFrame(rows, columns=cols)
    df["first_date"] = to_datetimes(df["first_date"].to_numpy(dtype=float))
    df["last_date"] = to_datetimes(df["last_date"].to_numpy(dtype=float))
    if ids is None:
        df = df.drop(columns="representative_id")
    return df.sort_values(["size", "story"], ascending=[False, True]).reset_index(drop=True)


class StoryResult:
    """Stories of a collection.

    ``labels``: numpy array, the story id of each input article (ids number stories by their
    first article). ``stories``: a DataFrame, one row per story, largest first: story, size,
    representative (the position of the article most similar to the others), representative_id
    (for a Corpus), title (of the representative), first_date and last_date (UTC; NaT without
    dates), key_terms, cohesion (mean cosine of member pairs) and members (positions).
    """

    def __init__(self, labels: np.ndarray, stories: Any, features: StoryFeatures,
                 ids: Optional[List[str]]) -> None:
        self.labels = labels
        self.stories = stories
        self.features = features
        self.ids = ids

    @property
    def n_stories(self) -> int:
        return len(self.stories)

    def to_pandas(self) -> Any:
        """One row per article: position, id (for a Corpus) and story."""
        import pandas as pd

        df = pd.DataFrame({"position": np.arange(len(self.labels)), "story": self.labels})
        if self.ids is not None:
            df.insert(1, "id", self.ids)
        return df

    def _repr_html_(self) -> str:
        import html

        more = f" (largest {min(self.n_stories, 20)} shown)" if self.n_stories > 20 else ""
        singles = int((self.stories["size"] == 1).sum()) if self.n_stories else 0
        return (f"<p><b>{html.escape(repr(self))}</b>, {singles} of them a single article</p>"
                f"<p>stories (<code>.stories</code>){more}</p>"
                + self.stories.head(20).to_html(index=False))

    def __repr__(self) -> str:
        return f"StoryResult({len(self.labels)} articles, {self.n_stories} stories)"


def cluster_stories(data: Any, dates: Optional[Sequence[Any]] = None, *,
                    threshold: Optional[float] = None, linkage: str = "average", cohesion: float = 0.1,
                    min_similarity: Optional[float] = None, time_window: Any = None,
                    features: Optional[StoryFeatures] = None, key_terms: int = 10,
                    max_neighbors: int = _core._STORY_MAX_NEIGHBORS,
                    n_jobs: Optional[int] = None) -> StoryResult:
    """Groups articles (a Corpus or texts) that tell the same story.

    Articles become TF-IDF vectors (:class:`StoryFeatures`; a Corpus gives its cleaned text
    with its title). Clusters merge, most similar first, while their link is at least
    ``threshold``: with ``linkage="average"`` the mean cosine over all their article pairs, with
    ``"single"`` the best pair, provided the merged cluster's mean pairwise cosine stays at least
    ``cohesion`` (so that chains of pairwise matches do not join different stories). Pairs below
    ``min_similarity`` (default threshold / 2) count as 0, which keeps the work sparse.

    ``features="article"`` (or an unfitted :class:`ArticleSimilarity`) compares articles by
    the article similarity preset instead (threshold default 0.45 on its scale).

    ``time_window`` (days, a timedelta or a string such as ``"7D"``; default 7 days, 0 for
    none), with dates (given, or a Corpus's own), makes articles further apart count as
    unrelated, so that similar but separate events (two summits a year apart) stay apart;
    articles without a date are not limited. It is also what keeps large archives fast: a dated
    article is compared only with the articles dated within the window, so the work grows with
    the archive times the articles per window. ``dates`` holds one date per article: ISO 8601
    text, a datetime, a numpy or pandas timestamp, or a number of seconds since 1970-01-01 UTC
    (naive dates are taken as UTC); None, NaN or "" where unknown.

    Identical texts (and dates, under a window) are clustered as one article counted as many
    times as it occurs. Each article keeps at most ``max_neighbors`` partners (its most similar
    articles at ``min_similarity`` or more); memory stays bounded by that, and the result is
    the classic average-link clustering whenever no article has more partners than that.

    >>> r = cluster_stories(["Russia warns NATO over missile shield",
    ...                      "NATO missile shield angers Russia", "Floods hit England"])
    >>> r.labels.tolist(), r.stories["size"].tolist()
    ([0, 0, 1], [2, 1])
    """
    if isinstance(features, str) and features == "article" or \
            type(features).__name__ == "ArticleSimilarity":
        return _article_stories(data, dates, features, threshold, linkage, cohesion,
                                min_similarity, time_window, key_terms, n_jobs)
    if threshold is None:
        threshold = 0.2
    clusterer = StoryClusterer(threshold, linkage=linkage, cohesion=cohesion,
                               min_similarity=min_similarity, time_window=time_window,
                               features=features, key_terms=key_terms,
                               max_neighbors=max_neighbors, n_jobs=n_jobs)
    labels = clusterer.add(data, dates)
    return StoryResult(labels, clusterer.stories(), clusterer.features, clusterer._ids)


ARTICLE_THRESHOLD = 0.45  # on the ArticleSimilarity scale; chosen on ECB+ dev (bench/quality.py)


def _article_stories(data: Any, dates: Optional[Sequence[Any]], features: Any,
                     threshold: Optional[float], linkage: str, cohesion: float,
                     min_similarity: Optional[float], time_window: Any, key_terms: int,
                     n_jobs: Optional[int]) -> StoryResult:
    """cluster_stories over the ArticleSimilarity preset (clustered in C++)."""
    import pandas as pd

    from newsim.article_similarity import ArticleSimilarity

    sim = ArticleSimilarity(n_jobs=n_jobs) if isinstance(features, str) else features
    th = _threshold(ARTICLE_THRESHOLD if threshold is None else threshold, "threshold")
    floor = 0.0 if min_similarity is None else _threshold(min_similarity, "min_similarity")
    coh = _threshold(cohesion, "cohesion", low_open=False)
    if linkage not in ("average", "single"):
        raise ValueError(f"linkage must be 'average' or 'single'; got {linkage!r}")
    sim.fit(data, dates)
    labels = _core._cluster_article_stories(sim._core, linkage, th, coh, floor,
                                            _window(time_window))
    texts, ids, times, corpus = texts_ids_times(data, dates, documents=False)
    titles = corpus.titles if corpus is not None else \
        [t.strip().split("\n", 1)[0][:80] for t in texts]
    labels = np.asarray(labels)
    names: List[str] = []
    stories = []
    for story in np.unique(labels):
        members = np.flatnonzero(labels == story).tolist()
        t = times[members] if times is not None else np.array([np.nan])
        terms = sim.key_terms(members, key_terms)
        stories.append({"story": int(story), "members": members, "representative": members[0],
                        "first_time": np.nanmin(t) if np.isfinite(t).any() else np.nan,
                        "last_time": np.nanmax(t) if np.isfinite(t).any() else np.nan,
                        "key_terms": [(len(names) + k, w) for k, (_, w) in enumerate(terms)],
                        "cohesion": np.nan})
        names.extend(label for label, _ in terms)
    table = _story_table(stories, np.asarray(names, dtype=object), ids, titles)
    return StoryResult(labels, table, sim, ids)
