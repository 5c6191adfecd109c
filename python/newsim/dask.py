"""Beyond one machine: newsim on a Dask.distributed cluster.

Articles are read in partitions (one per file) by the workers and stay there; every function
here runs on the current ``distributed.Client`` and returns what the single-machine function
of the same name returns, with the same values (the tests compare them):

===========================  ==========================================================
``read_articles(paths)``     one partition per file; errors name file and line
``clean``                    repetition statistics per partition, merged, then cleaning
``from_bag`` / ``from_dataframe``  articles from a dask Bag or DataFrame
``fit_vectorizer``           per-partition statistics, merged: one vocabulary, global df
``transform``                per partition: a matrix in row blocks (:class:`RowBlocks`)
``top_k``                    exact: every pair of blocks, per-block lists merged
``similarity_join``          every pair of blocks at or above the threshold
``near_duplicates``          MinHash per partition, LSH band buckets exchanged, checked
``cluster_stories``          candidate pairs per time block on the workers, the
                             agglomeration on the client
===========================  ==========================================================

A worker that dies mid-run is replaced and its lost work redone by Dask (partitions are
read again from their files); when that fails too, the call raises ``RuntimeError`` saying
so, and never returns partial results. Example (a cluster of two worker processes)::

    from distributed import Client, LocalCluster
    import newsim, newsim.dask

    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster):
        articles = newsim.dask.read_articles("archive/part-*.jsonl.gz", errors="report")
        cleaned = newsim.dask.clean(articles).corpus          # still on the workers
        vectorizer = newsim.dask.fit_vectorizer(newsim.TfidfVectorizer(), cleaned)
        X = newsim.dask.transform(vectorizer, cleaned)        # RowBlocks on the workers
        idx, scores = newsim.dask.top_k(X, k=10)              # numpy arrays, as top_k's
        dups = newsim.dask.near_duplicates(articles, threshold=0.8)
        stories = newsim.dask.cluster_stories(cleaned)

Articles are compared by their cleaned text, as the single-machine functions compare a
Corpus: :func:`clean` cleans them with the repetition statistics of all partitions merged
(``newsim.clean_statistics``), and the functions that compare texts clean articles that are
not cleaned yet the same way (clean once with :func:`clean` to do it once). Texts are taken as
they are.
"""

from __future__ import annotations

import glob as _glob
import hashlib
import heapq
import numbers
import os
import warnings
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import scipy.sparse as sp

from newsim import _core
from newsim.articles import (_FIELDS, Article, Corpus, _field_names, _from_frame,
                             _from_records, read_articles as _read)

__all__ = ["Articles", "RowBlocks", "read_articles", "from_bag", "from_dataframe", "clean",
           "fit_vectorizer", "transform", "fit_transform", "top_k", "similarity_join",
           "near_duplicates", "cluster_stories"]


# -- the cluster -------------------------------------------------------------------------------

def _client() -> Any:
    try:
        from distributed import get_client
    except ImportError:  # pragma: no cover - tests skip without distributed
        raise ImportError("newsim.dask needs Dask.distributed (Debian: python3-distributed)") \
            from None
    try:
        return get_client()
    except ValueError:
        raise ValueError("newsim.dask needs a running distributed.Client; start one first, "
                         "e.g. Client(LocalCluster())") from None


def _gather(client: Any, futures: Any, what: str, cancel: Sequence[Any] = ()) -> Any:
    """Results of futures; a worker lost for good (Dask's retries spent) becomes a
    RuntimeError naming the call, so that nothing partial is ever returned. On any error the
    futures (and ``cancel``) are cancelled: no work is left running for a failed call."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    try:
        return client.gather(futures)
    except BaseException as e:
        flat = [f for f in _flatten(futures) if hasattr(f, "key")] + list(cancel)
        client.cancel(flat)
        if isinstance(e, KilledWorker):
            raise RuntimeError(f"newsim.dask.{what}: a worker died while running "
                               f"{e.args[0]!r} and Dask's retries are spent; no result was "
                               "returned") from e
        if isinstance(e, CancelledError):
            raise RuntimeError(f"newsim.dask.{what}: work was lost on the cluster (a worker "
                               "died or the client lost its connection); no result was "
                               "returned") from e
        raise


def _flatten(x: Any) -> List[Any]:
    if isinstance(x, (list, tuple)):
        return [y for item in x for y in _flatten(item)]
    return [x]


def _submit(client: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    return client.submit(fn, *args, pure=False, **kwargs)


# -- articles ---------------------------------------------------------------------------------

class Articles:
    """Articles in partitions on the cluster: ``partitions`` are futures of
    :class:`newsim.Corpus` (or of lists of texts), ``lengths`` their sizes, in order. What the
    reader left out is here as in a Corpus: ``skipped``, ``issues`` ((file, line, message)),
    ``bad_dates`` and ``first_bad_date``. ``cleaned`` as :attr:`Corpus.cleaned`.
    ``compute()`` brings everything to the client as one Corpus (or list of texts)."""

    def __init__(self, partitions: Sequence[Any], lengths: Sequence[int], *,
                 cleaned: bool = False, texts: bool = False, skipped: int = 0,
                 issues: Sequence[Tuple[str, int, str]] = (), bad_dates: int = 0,
                 first_bad_date: str = "") -> None:
        if len(partitions) != len(lengths):
            raise ValueError(f"{len(partitions)} partitions and {len(lengths)} lengths")
        self.partitions = list(partitions)
        self.lengths = [int(n) for n in lengths]
        self.cleaned = cleaned
        self.texts = texts
        self.skipped = skipped
        self.issues = list(issues)
        self.bad_dates = bad_dates
        self.first_bad_date = first_bad_date

    @property
    def npartitions(self) -> int:
        return len(self.partitions)

    @property
    def offsets(self) -> List[int]:
        """The position of each partition's first article."""
        return [0] + np.cumsum(self.lengths).tolist()[:-1] if self.lengths else []

    def __len__(self) -> int:
        return sum(self.lengths)

    def compute(self) -> Any:
        """All articles on the client: a Corpus (ValueError for an id seen in an earlier
        partition), or a list of texts."""
        parts = _gather(_client(), self.partitions, "Articles.compute")
        if self.texts:
            return [t for p in parts for t in p]
        out = Corpus(cleaned=self.cleaned)
        for p in parts:
            for a in p:
                out.append(a)
        out.skipped, out.issues = self.skipped, list(self.issues)
        out.bad_dates, out.first_bad_date = self.bad_dates, self.first_bad_date
        return out

    def ids(self) -> List[str]:
        """The ids, in order (positions as text for texts)."""
        if self.texts:
            return [str(i) for i in range(len(self))]
        return self.column("id")

    def column(self, name: str) -> List[str]:
        """One field of every article, in order ("id", "title", "text", "source", "date",
        "url"), brought to the client."""
        if self.texts:
            raise ValueError("texts have no fields")
        if name not in _FIELDS:
            raise ValueError(f"unknown article field {name!r}; fields are {list(_FIELDS)}")
        client = _client()
        parts = _gather(client, [_submit(client, _column, p, name) for p in self.partitions],
                        "Articles.column")
        return [v for p in parts for v in p]

    def to_texts(self) -> "Articles":
        """The texts of the articles as they are (``Corpus.texts``), left on the workers."""
        if self.texts:
            return self
        client = _client()
        return Articles([_submit(client, _texts_of, p) for p in self.partitions], self.lengths,
                        texts=True)

    def __repr__(self) -> str:
        what = "texts" if self.texts else "articles"
        state = ", cleaned" if self.cleaned else ""
        return f"Articles({len(self)} {what} in {self.npartitions} partitions{state})"


def _column(part: Any, name: str) -> List[str]:
    return part._core.column(name)


def _texts_of(part: Corpus) -> List[str]:
    return part.texts


def _summary(corpus: Corpus) -> Tuple[int, int, list, int, str]:
    return (len(corpus), corpus.skipped, list(corpus.issues), corpus.bad_dates,
            corpus.first_bad_date)


def _read_partition(path: str, fields: Optional[Dict[str, str]], errors: str,
                    max_line_bytes: int, cleaned: bool) -> Corpus:
    with warnings.catch_warnings():  # the bad-date warning is given on the client
        warnings.simplefilter("ignore")
        corpus = _read(path, fields=fields, errors=errors, max_line_bytes=max_line_bytes)
    corpus.cleaned = cleaned
    return corpus


def _paths(paths: Union[str, os.PathLike, Iterable[Any]]) -> List[str]:
    if isinstance(paths, (str, os.PathLike)):
        text = os.fspath(paths)
        if any(c in text for c in "*?["):
            found = sorted(_glob.glob(text))
            if not found:
                raise _core.NewsimIOError(f"{text}: no file matches")
            return found
        return [text]
    out = [os.fspath(p) for p in paths]
    if not out:
        raise ValueError("no paths given")
    return out


def _collect(client: Any, futures: List[Any], errors: str, *, cleaned: bool = False,
             what: str = "read_articles") -> Articles:
    """Articles from futures of corpora: waits for them (a reader's error is raised here,
    naming file and line) and sums up what they skipped."""
    summaries = _gather(client, [_submit(client, _summary, f) for f in futures], what, futures)
    issues: List[Tuple[str, int, str]] = []
    bad, first_bad = 0, ""
    for n, skipped, part_issues, part_bad, part_first in summaries:
        issues.extend(tuple(i) for i in part_issues)
        if part_bad and errors == "raise":
            warnings.warn(f"{part_bad} article(s) kept without their date, which is not ISO "
                          f"8601 (the text is in meta['date_raw']); the first: {part_first}",
                          stacklevel=3)
        first_bad = first_bad or part_first
        bad += part_bad
    return Articles(futures, [s[0] for s in summaries], cleaned=cleaned,
                    skipped=sum(s[1] for s in summaries), issues=issues, bad_dates=bad,
                    first_bad_date=first_bad)


def read_articles(paths: Union[str, os.PathLike, Iterable[Any]], *,
                  fields: Optional[Dict[str, str]] = None, errors: str = "raise",
                  max_line_bytes: int = 64 << 20, cleaned: bool = False) -> Articles:
    """Reads files of articles on the workers, one partition per file, as
    :func:`newsim.read_articles` reads each (JSON lines, CSV or a folder of .txt; ``fields``,
    ``errors`` and ``max_line_bytes`` as there). ``paths``: a list, one path, or a glob
    pattern (``"archive/part-*.jsonl.gz"``, sorted by name).

    Waits for the reads: under ``errors="raise"`` the first malformed line raises the
    single-machine reader's error, naming file and line; "skip" and "report" count and list
    what was left out in the result's ``skipped`` and ``issues``. ``cleaned=True`` says the
    articles were cleaned before they were saved (``newsim.clean``), as
    ``Corpus(cleaned=True)`` does: they are compared as they are.

    >>> import gzip, json, os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> for k in range(2):
    ...     with gzip.open(os.path.join(folder, f"part-{k}.jsonl.gz"), "wt") as f:
    ...         _ = f.write(json.dumps({"id": f"a{k}", "text": "NATO and Russia met."}) + "\\n")
    ...         _ = f.write("{not json\\n")
    >>> articles = read_articles(os.path.join(folder, "part-*.jsonl.gz"), errors="skip")
    >>> articles.lengths, articles.skipped, articles.ids()
    ([1, 1], 2, ['a0', 'a1'])
    """
    from newsim.articles import _ERRORS, _max_line_bytes

    if errors not in _ERRORS:
        raise ValueError(f"errors must be one of {_ERRORS}; got {errors!r}")
    _field_names(fields)
    _max_line_bytes(max_line_bytes)
    client = _client()
    futures = [_submit(client, _read_partition, p, dict(fields) if fields else None, errors,
                       max_line_bytes, bool(cleaned)) for p in _paths(paths)]
    return _collect(client, futures, errors, cleaned=bool(cleaned))


def _records_partition(records: Iterable[Any], offset: int, names: Dict[str, str],
                       errors: str, cleaned: bool) -> Corpus:
    """Records (dicts, Articles or str) as the single-machine reader takes an iterable of
    them, numbered (and given default ids) from ``offset``, their position in the whole."""
    out = [{**{names[f]: getattr(r, f) for f in _FIELDS}, "meta": dict(r.meta)}
           if isinstance(r, Article) else r for r in records]
    corpus = _from_records(out, names, errors, "input", first=offset)
    corpus.cleaned = cleaned
    return corpus


def _length(part: Any) -> int:
    return len(part)


def _as_list(part: Any) -> list:
    return part if isinstance(part, list) else list(part)


def from_bag(bag: Any, *, fields: Optional[Dict[str, str]] = None, errors: str = "raise",
             cleaned: bool = False) -> Articles:
    """Articles from a dask Bag of dicts, :class:`newsim.Article` objects or texts, one
    partition per bag partition, as :func:`newsim.read_articles` reads an iterable of them
    (a record without an id gets its position in the whole bag; errors name it as
    ``input, item N``). A bag of texts stays texts (``Articles.texts``), as the
    single-machine functions take a list of texts. ``cleaned`` as in :func:`read_articles`.

    >>> import dask.bag as db
    >>> bag = db.from_sequence([{"id": "a", "text": "NATO met."}, {"text": "Russia met."}],
    ...                        npartitions=2)
    >>> from_bag(bag).ids()
    ['a', '1']
    """
    client = _client()
    names = _field_names(fields)
    parts = client.compute([_delayed_list(d) for d in bag.to_delayed()])
    lengths = _gather(client, [_submit(client, _length, p) for p in parts], "from_bag", parts)
    first = next((k for k, n in enumerate(lengths) if n), None)
    if first is not None:
        sample = _gather(client, _submit(client, _first_item, parts[first]), "from_bag")
        if isinstance(sample, str):
            return Articles(parts, lengths, texts=True)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int).tolist()
    futures = [_submit(client, _records_partition, p, o, names, errors, bool(cleaned))
               for p, o in zip(parts, offsets)]
    return _collect(client, futures, errors, cleaned=bool(cleaned), what="from_bag")


def _delayed_list(d: Any) -> Any:
    import dask

    return dask.delayed(_as_list)(d)


def _first_item(part: list) -> Any:
    return part[0]


def _frame_partition(frame: Any, offset: int, names: Dict[str, str], errors: str,
                     cleaned: bool) -> Corpus:
    corpus = _from_frame(frame, names, errors, first=offset)
    corpus.cleaned = cleaned
    return corpus


def from_dataframe(frame: Any, *, fields: Optional[Dict[str, str]] = None,
                   errors: str = "raise", cleaned: bool = False) -> Articles:
    """Articles from a dask DataFrame, one partition per DataFrame partition, as
    :meth:`newsim.Corpus.from_pandas` reads a pandas one (columns named as the Article fields
    or mapped by ``fields``; without an id column the row labels are the ids; errors name the
    row's position in the whole). ``cleaned`` as in :func:`read_articles`.

    >>> import dask.dataframe as dd, pandas as pd
    >>> df = dd.from_pandas(pd.DataFrame({"id": ["a", "b"], "text": ["x y", "y z"]}),
    ...                     npartitions=2)
    >>> from_dataframe(df).lengths
    [1, 1]
    """
    client = _client()
    names = _field_names(fields)
    parts = client.compute(frame.to_delayed())
    lengths = _gather(client, [_submit(client, _length, p) for p in parts], "from_dataframe",
                      parts)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int).tolist()
    futures = [_submit(client, _frame_partition, p, o, names, errors, bool(cleaned))
               for p, o in zip(parts, offsets)]
    return _collect(client, futures, errors, cleaned=bool(cleaned), what="from_dataframe")


def _articles(data: Any) -> Articles:
    if isinstance(data, Articles):
        return data
    try:
        import dask.bag as db

        if isinstance(data, db.Bag):
            return from_bag(data)
    except ImportError:  # pragma: no cover
        pass
    raise TypeError("expected newsim.dask.Articles (read_articles, from_bag, from_dataframe) "
                    f"or a dask Bag, not {type(data).__name__}")


def _cleaned(data: Articles) -> Articles:
    """What the single-machine functions compare: texts as they are, articles cleaned (here
    with the repetition statistics of all partitions, as :func:`clean` does)."""
    return data if data.texts or data.cleaned else clean(data, audit=False).corpus


def _clean_statistics(part: Corpus, n_jobs: Optional[int]) -> Any:
    from newsim.articles import clean_statistics

    return clean_statistics(part, n_jobs=n_jobs)


def _merge_clean_statistics(*stats: Any) -> Any:
    out = stats[0]
    for s in stats[1:]:
        out = out.merge(s)  # a new sum; neither side changes
    return out


def _clean_partition(part: Corpus, statistics: Any, options: Dict[str, Any]) -> Any:
    from newsim.articles import clean as _clean

    return _clean(part, statistics=statistics, **options)


def _clean_corpus(result: Any) -> Corpus:
    return result.corpus


def _clean_report(result: Any) -> Tuple[Any, bytes, np.ndarray]:
    return result.audit, result._codes, result._starts


def clean(data: Any, *, keep_captions: bool = False, keep_subheads: bool = False,
          min_repeats: int = 2, min_repeats_sentence: int = 3, n_jobs: Optional[int] = None,
          audit: bool = True) -> Any:
    """:func:`newsim.clean` over articles spread on the cluster, with the same result: each
    partition counts how often its lines repeat (``newsim.clean_statistics``), the counts are
    merged, and each partition is cleaned where it lies with the merged counts of all
    (``clean(part, statistics=merged)``), which is what cleaning the whole corpus gives.

    Returns a :class:`newsim.CleanResult` whose ``corpus`` is the cleaned :class:`Articles`
    (left on the workers) and whose ``audit`` and ``labels`` are brought to the client, as
    the single-machine ones (``audit=False`` leaves them out: None and empty).

    >>> import dask.bag as db
    >>> page = "Sign up for our newsletter\\n\\n{}\\n\\nNATO and Russia met on Monday."
    >>> articles = from_bag(db.from_sequence([page.format(t) for t in ("Talks", "Summit")],
    ...                                      npartitions=2))
    >>> r = clean(articles)
    >>> r.corpus, r.audit.label.tolist()
    (Articles(2 articles in 2 partitions, cleaned), ['boilerplate', 'boilerplate'])
    >>> r.corpus.compute().texts == newsim.clean([page.format(t) for t in ("Talks", "Summit")]
    ...                                          ).corpus.texts
    True
    """
    from newsim.articles import CleanResult
    from newsim.text import _n_jobs

    _n_jobs(n_jobs)
    data = _articles(data)
    client = _client()
    if data.texts:  # read as articles, ids their positions, as newsim.clean reads texts
        names = _field_names(None)
        data = Articles([_submit(client, _records_partition, p, o, names, "raise", False)
                         for p, o in zip(data.partitions, data.offsets)], data.lengths)
    options = dict(keep_captions=keep_captions, keep_subheads=keep_subheads,
                   min_repeats=min_repeats, min_repeats_sentence=min_repeats_sentence,
                   n_jobs=n_jobs)
    stats = [_submit(client, _clean_statistics, p, n_jobs) for p in data.partitions]
    merged = _tree(client, stats, _merge_clean_statistics)
    results = [_submit(client, _clean_partition, p, merged, options) for p in data.partitions]
    corpora = [_submit(client, _clean_corpus, r) for r in results]
    if audit:
        reports = _gather(client, [_submit(client, _clean_report, r) for r in results],
                          "clean", corpora)
    else:
        _gather(client, [_submit(client, _length, c) for c in corpora], "clean", corpora)
        reports = []
    cleaned = Articles(corpora, data.lengths, cleaned=True)
    if not audit:
        return CleanResult(cleaned, None, b"", np.zeros(1, dtype=np.int64))
    import pandas as pd

    frame = pd.concat([r[0] for r in reports], ignore_index=True)
    codes = b"".join(r[1] for r in reports)
    starts, at = [np.zeros(1, dtype=reports[0][2].dtype)], 0
    for _, c, st in reports:
        starts.append(st[1:] + at)
        at += len(c)
    return CleanResult(cleaned, frame, codes, np.concatenate(starts))


def _documents(part: Any, title_weight: int = 1) -> List[str]:
    """What the vectorizers see of a partition: a cleaned Corpus's documents, or texts."""
    if isinstance(part, Corpus):
        return part.documents(title_weight=title_weight)
    return _as_list(part)


# -- term vectors -----------------------------------------------------------------------------

class RowBlocks:
    """A matrix in row blocks on the cluster: ``blocks`` are futures of scipy CSR matrices
    with ``n_cols`` columns, ``lengths`` their rows, in order. ``compute()`` stacks them on
    the client (the single-machine function's matrix)."""

    def __init__(self, blocks: Sequence[Any], lengths: Sequence[int], n_cols: int) -> None:
        self.blocks = list(blocks)
        self.lengths = [int(n) for n in lengths]
        self.n_cols = int(n_cols)

    @classmethod
    def from_matrix(cls, X: Any, npartitions: int) -> "RowBlocks":
        """A matrix on the client split into ``npartitions`` row blocks, scattered to the
        workers (scattered data has no recipe: a worker dying loses it)."""
        from newsim.similarity import as_csr

        X = as_csr(X)
        client = _client()
        cuts = np.linspace(0, X.shape[0], max(1, int(npartitions)) + 1).astype(int)
        parts = [X[a:b] for a, b in zip(cuts[:-1], cuts[1:])]
        return cls(client.scatter(parts), [p.shape[0] for p in parts], X.shape[1])

    @property
    def shape(self) -> Tuple[int, int]:
        return (sum(self.lengths), self.n_cols)

    @property
    def offsets(self) -> List[int]:
        return np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(int).tolist() \
            if self.lengths else []

    def compute(self) -> sp.csr_matrix:
        parts = _gather(_client(), self.blocks, "RowBlocks.compute")
        return sp.csr_matrix(sp.vstack(parts, format="csr")) if parts else \
            sp.csr_matrix((0, self.n_cols))

    def __repr__(self) -> str:
        n, v = self.shape
        return f"RowBlocks({n} x {v} in {len(self.blocks)} blocks)"


def _statistics(vectorizer: Any, part: Any) -> Any:
    return vectorizer.statistics(part if isinstance(part, Corpus) else _as_list(part))


def _merge_statistics(*stats: Any) -> Any:
    out = _core.VocabularyStats()
    for s in stats:
        out.merge(s)
    return out


def _tree(client: Any, futures: List[Any], fn: Any, width: int = 8) -> Any:
    """One future of fn applied to all, by rounds of at most ``width`` (order kept)."""
    while len(futures) > 1:
        futures = [_submit(client, fn, *futures[i:i + width])
                   for i in range(0, len(futures), width)]
    return futures[0]


def fit_vectorizer(vectorizer: Any, data: Any) -> Any:
    """Fits a ``CountVectorizer`` or ``TfidfVectorizer`` on articles spread over the cluster:
    each partition's document and term frequencies (``statistics``) are computed where it
    lies and merged, and ``fit_statistics`` of the whole gives the model ``fit`` gives on all
    documents (one vocabulary, global document frequencies, idf and min_df/max_df pruning).
    Returns the vectorizer, fitted. ``HashingVectorizer`` learns nothing and is returned as
    it is. ``NewsVectorizer`` has no mergeable statistics: fit it on one machine (or a sample),
    then :func:`transform` distributes.

    >>> import dask.bag as db
    >>> texts = from_bag(db.from_sequence(["nato summit", "russia nato", "floods"],
    ...                                   npartitions=2))
    >>> fit_vectorizer(newsim.TfidfVectorizer(), texts).get_feature_names_out().tolist()
    ['floods', 'nato', 'russia', 'summit']
    """
    from newsim.text import HashingVectorizer

    if isinstance(vectorizer, HashingVectorizer):
        return vectorizer.fit()
    if not hasattr(vectorizer, "fit_statistics"):
        raise TypeError(f"{type(vectorizer).__name__} cannot be fitted in pieces (it has no "
                        "statistics/fit_statistics); fit it on one machine, then use "
                        "newsim.dask.transform")
    data = _cleaned(_articles(data))
    client = _client()
    stats = [_submit(client, _statistics, vectorizer, p) for p in data.partitions]
    merged = _gather(client, _tree(client, stats, _merge_statistics), "fit_vectorizer")
    return vectorizer.fit_statistics(merged)


def _transform(vectorizer: Any, part: Any) -> sp.csr_matrix:
    from newsim.news import NewsVectorizer

    if isinstance(vectorizer, NewsVectorizer):
        if isinstance(part, Corpus):
            return vectorizer.transform(part.texts, titles=part.titles)
        return vectorizer.transform(_as_list(part))
    return sp.csr_matrix(vectorizer.transform(part if isinstance(part, Corpus)
                                              else _as_list(part)))


def transform(vectorizer: Any, data: Any) -> RowBlocks:
    """The document-term matrix of the articles, computed partition by partition where they
    lie, as ``vectorizer.transform`` computes it (any fitted newsim vectorizer): a
    :class:`RowBlocks` whose blocks stay on the workers.

    >>> import dask.bag as db
    >>> texts = from_bag(db.from_sequence(["nato summit", "russia nato"], npartitions=2))
    >>> X = transform(fit_vectorizer(newsim.CountVectorizer(), texts), texts)
    >>> X.shape, X.compute().toarray().tolist()
    ((2, 3), [[1, 0, 1], [1, 1, 0]])
    """
    from newsim.news import NewsVectorizer

    data = _articles(data)
    if not isinstance(vectorizer, NewsVectorizer):
        data = _cleaned(data)
    client = _client()
    # The model goes to every worker once (it can be large), not with each task.
    model = client.scatter(vectorizer, broadcast=True, hash=False)
    blocks = [_submit(client, _transform, model, p) for p in data.partitions]
    shapes = _gather(client, [_submit(client, _shape, b) for b in blocks], "transform")
    n_cols = shapes[0][1] if shapes else 0
    return RowBlocks(blocks, [s[0] for s in shapes], n_cols)


def _shape(m: Any) -> Tuple[int, int]:
    return tuple(m.shape)


def fit_transform(vectorizer: Any, data: Any) -> RowBlocks:
    """:func:`fit_vectorizer`, then :func:`transform` (two passes over the partitions)."""
    data = _articles(data)
    return transform(fit_vectorizer(vectorizer, data), data)


# -- neighbours ---------------------------------------------------------------------------------

def _block_top_k(x: Any, y: Any, k: int, exclude_self: bool, metric: str, offset: int,
                 n_jobs: Optional[int]) -> Tuple[np.ndarray, np.ndarray]:
    from newsim.similarity import as_csr, top_k as _top_k

    idx, scores = _top_k(as_csr(x), k, Y=None if y is None else as_csr(y),
                         exclude_self=exclude_self, metric=metric, n_jobs=n_jobs)
    idx = np.where(idx >= 0, idx + offset, -1)
    return idx, scores


def _merge_top_k(k: int, *parts: Tuple[np.ndarray, np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
    """The k best of several neighbour lists per row, in the core's order: higher score
    first, then the smaller index; padding (-1, 0) last."""
    idx = np.concatenate([p[0] for p in parts], axis=1)
    scores = np.concatenate([p[1] for p in parts], axis=1)
    pad = idx < 0
    order = np.lexsort((idx, -scores, pad), axis=1)[:, :k]
    idx = np.take_along_axis(idx, order, axis=1)
    scores = np.take_along_axis(scores, order, axis=1)
    n = idx.shape[0]
    if idx.shape[1] < k:  # fewer candidates than k in all blocks together
        idx = np.hstack([idx, np.full((n, k - idx.shape[1]), -1, dtype=idx.dtype)])
        scores = np.hstack([scores, np.zeros((n, k - scores.shape[1]))])
    pad = idx < 0
    scores[pad] = 0.0
    return np.ascontiguousarray(idx), np.ascontiguousarray(scores)


def top_k(X: RowBlocks, k: int = 10, Y: Optional[RowBlocks] = None, *,
          exclude_self: bool = True, metric: str = "cosine",
          n_jobs: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
    """:func:`newsim.top_k` over row blocks on the cluster: every block of X against every
    block of Y (of X when Y is None) on the workers, each block's k best per row merged in
    the core's order (higher score, then the smaller row), so the result is the
    single-machine one to the bit: ``(indices, scores)`` of shape (n_rows(X), k), padded
    with -1 and 0, k clamped as there. ``n_jobs``: threads per task.

    >>> import dask.bag as db
    >>> texts = from_bag(db.from_sequence(["nato summit", "nato summit talks", "floods"],
    ...                                   npartitions=2))
    >>> X = fit_transform(newsim.TfidfVectorizer(), texts)
    >>> top_k(X, k=1)[0].ravel().tolist()
    [1, 0, -1]
    """
    from newsim.similarity import _k, _metric

    k = _k(k)
    _metric(metric)
    if not isinstance(X, RowBlocks) or (Y is not None and not isinstance(Y, RowBlocks)):
        raise TypeError("top_k takes RowBlocks (newsim.dask.transform)")
    if Y is not None and Y.n_cols != X.n_cols:
        raise ValueError(f"X has {X.n_cols} columns and Y has {Y.n_cols}: both must come "
                         "from the same vectorizer")
    client = _client()
    target = X if Y is None else Y
    n_y = sum(target.lengths)
    candidates = n_y - 1 if Y is None and exclude_self else n_y
    k_eff = max(1, min(k, candidates))
    merged = []
    for i, xi in enumerate(X.blocks):
        parts = []
        for j, (yj, off) in enumerate(zip(target.blocks, target.offsets)):
            same = Y is None and i == j
            parts.append(_submit(client, _block_top_k, xi, None if same else yj, k_eff,
                                 bool(exclude_self) if same else False, metric, off, n_jobs))
        merged.append(_submit(client, _merge_top_k, k_eff, *parts))
    results = _gather(client, merged, "top_k")
    if not results:
        return np.empty((0, k_eff), dtype=np.int64), np.empty((0, k_eff))
    return (np.ascontiguousarray(np.vstack([r[0] for r in results])),
            np.ascontiguousarray(np.vstack([r[1] for r in results])))


def _block_join(x: Any, y: Any, threshold: float, metric: str, max_pairs: Optional[int],
                n_jobs: Optional[int]) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    from newsim.similarity import as_csr, similarity_join as _join

    m = _join(as_csr(x), threshold, None if y is None else as_csr(y), metric=metric,
              n_jobs=n_jobs, max_pairs=max_pairs).tocoo()
    return m.row.astype(np.int64), m.col.astype(np.int64), m.data


def similarity_join(X: RowBlocks, threshold: float = 0.5, Y: Optional[RowBlocks] = None, *,
                    metric: str = "cosine", as_frame: bool = False,
                    max_pairs: Optional[int] = 10_000_000, n_jobs: Optional[int] = None) -> Any:
    """:func:`newsim.similarity_join` over row blocks: every pair of blocks (without Y, the
    blocks on and above the diagonal) joined on the workers, the pairs assembled on the
    client into the single-machine result (a CSR matrix, or a DataFrame with ``as_frame``).
    ``max_pairs`` bounds the pairs kept, as there; a single block past it raises its own
    count.

    >>> import dask.bag as db
    >>> texts = from_bag(db.from_sequence(["nato summit", "nato summit talks", "floods"],
    ...                                   npartitions=2))
    >>> X = fit_transform(newsim.TfidfVectorizer(), texts)
    >>> similarity_join(X, 0.5, as_frame=True)[["i", "j"]].values.tolist()
    [[0, 1]]
    """
    from newsim.similarity import _max_pairs, _metric

    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold must be a number; got {threshold!r}")
    if not threshold > 0 or not np.isfinite(threshold):
        raise ValueError(f"threshold must be a finite number > 0; got {threshold!r}")
    _metric(metric)
    bound = _max_pairs(max_pairs)
    if Y is not None and Y.n_cols != X.n_cols:
        raise ValueError(f"X has {X.n_cols} columns and Y has {Y.n_cols}: both must come "
                         "from the same vectorizer")
    client = _client()
    target = X if Y is None else Y
    tasks, where = [], []
    for i, (xi, xo) in enumerate(zip(X.blocks, X.offsets)):
        for j, (yj, yo) in enumerate(zip(target.blocks, target.offsets)):
            if Y is None and j < i:
                continue
            same = Y is None and i == j
            tasks.append(_submit(client, _block_join, xi, None if same else yj,
                                 float(threshold), metric, max_pairs, n_jobs))
            where.append((xo, yo))
    parts = _gather(client, tasks, "similarity_join")
    total = sum(len(p[0]) for p in parts)
    if bound >= 0 and total > bound:
        raise ValueError(f"similarity_join: the threshold {threshold:g} gives {total} pairs, "
                         f"more than max_pairs = {bound}; raise the threshold, or raise "
                         "max_pairs (None: no bound) if the memory (about 24 bytes a pair) is "
                         "there")
    rows = np.concatenate([p[0] + o[0] for p, o in zip(parts, where)] or [np.empty(0, np.int64)])
    cols = np.concatenate([p[1] + o[1] for p, o in zip(parts, where)] or [np.empty(0, np.int64)])
    data = np.concatenate([p[2] for p in parts] or [np.empty(0)])
    order = np.lexsort((cols, rows))
    rows, cols, data = rows[order], cols[order], data[order]
    n, m = X.shape[0], target.shape[0]
    if as_frame:
        import pandas as pd

        return pd.DataFrame({"i": rows, "j": cols, "score": data})
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return sp.csr_matrix((data, cols.astype(np.int32), indptr), shape=(n, m))


# -- near-duplicates ------------------------------------------------------------------------------

_PATTERN = r"(?u)\b\w\w+\b"


def _sketch(part: Any, offset: int, shingle_size: int, num_perm: int, seed: int,
            dates: Optional[np.ndarray]) -> Dict[str, Any]:
    """Per document of a partition: its shingle set, MinHash signature and time, as the
    core's NearDuplicateIndex.add computes them."""
    texts = part.texts if isinstance(part, Corpus) else _as_list(part)
    sets = [_core._shingles(t, shingle_size, True, None, _PATTERN, "strict") for t in texts]
    sigs = np.empty((len(texts), num_perm), dtype=np.uint32)
    for i, s in enumerate(sets):
        sigs[i] = _core._minhash(s, num_perm, seed)
    if dates is not None:
        times = np.asarray(dates, dtype=float)
    elif isinstance(part, Corpus):
        times = np.asarray(part._core.seconds(), dtype=float)
    else:
        times = np.full(len(texts), np.nan)
    digests = [hashlib.blake2b(s.tobytes(), digest_size=20).digest() for s in sets]
    return {"offset": offset, "sets": sets, "sigs": sigs, "times": times, "digests": digests,
            "empty": np.array([len(s) == 0 for s in sets], dtype=bool)}


def _mix(columns: np.ndarray) -> np.ndarray:
    """A 64-bit hash per row of a uint32 matrix (only to spread rows over partitions)."""
    h = np.full(columns.shape[0], 0x9E3779B97F4A7C15, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in range(columns.shape[1]):
            h ^= columns[:, c].astype(np.uint64)
            h *= np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(31)
    return h


def _split_signatures(sk: Dict[str, Any], n_out: int) -> List[Tuple[np.ndarray, np.ndarray, list]]:
    keep = np.flatnonzero(~sk["empty"])
    where = (_mix(sk["sigs"][keep]) % np.uint64(n_out)).astype(np.int64)
    out = []
    for q in range(n_out):
        rows = keep[where == q]
        out.append((rows + sk["offset"], sk["sigs"][rows], [sk["digests"][r] for r in rows]))
    return out


def _rows_key(m: np.ndarray) -> np.ndarray:
    """Rows of a 2-D array as one opaque value each, for exact grouping."""
    m = np.ascontiguousarray(m)
    return m.view(np.dtype((np.void, m.dtype.itemsize * m.shape[1]))).ravel()


def _copies(*pieces: Tuple[np.ndarray, np.ndarray, list]) -> Tuple[np.ndarray, np.ndarray]:
    """(copy, first) positions: a document whose shingle set equals the set of the first
    document with its signature (the core's copy rule)."""
    pos = np.concatenate([p[0] for p in pieces]).astype(np.int64)
    if not len(pos):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    sigs = np.concatenate([p[1] for p in pieces])
    digests = [d for p in pieces for d in p[2]]
    _, group = np.unique(_rows_key(sigs), return_inverse=True)
    order = np.lexsort((pos, group))
    copies, firsts = [], []
    start = 0
    while start < len(order):
        end = start
        while end < len(order) and group[order[end]] == group[order[start]]:
            end += 1
        first = order[start]
        for r in order[start + 1:end]:
            if digests[r] == digests[first]:
                copies.append(pos[r])
                firsts.append(pos[first])
        start = end
    return np.asarray(copies, dtype=np.int64), np.asarray(firsts, dtype=np.int64)


def _split_bands(sk: Dict[str, Any], bands: int, rows: int, n_out: int,
                 copies: np.ndarray) -> List[Tuple[np.ndarray, np.ndarray]]:
    """Per target partition: (position, band and band values) of the documents that enter
    the LSH buckets (words, and no copy)."""
    pos = np.arange(len(sk["empty"])) + sk["offset"]
    keep = ~sk["empty"] & ~np.isin(pos, copies)
    pos = pos[keep]
    sigs = sk["sigs"][keep]
    out_pos: List[List[np.ndarray]] = [[] for _ in range(n_out)]
    out_key: List[List[np.ndarray]] = [[] for _ in range(n_out)]
    for t in range(bands):
        key = np.empty((len(pos), rows + 1), dtype=np.uint32)
        key[:, 0] = t
        key[:, 1:] = sigs[:, t * rows:(t + 1) * rows]
        where = (_mix(key) % np.uint64(n_out)).astype(np.int64)
        for q in range(n_out):
            sel = where == q
            out_pos[q].append(pos[sel])
            out_key[q].append(key[sel])
    return [(np.concatenate(out_pos[q]) if out_pos[q] else np.empty(0, np.int64),
             np.concatenate(out_key[q]) if out_key[q] else np.empty((0, rows + 1), np.uint32))
            for q in range(n_out)]


def _too_many(n: int, max_pairs: int) -> ValueError:
    return ValueError(f"near-duplicates: the documents form more than max_pairs = {max_pairs} "
                      f"candidate pairs (at least {n}; identical texts count once); raise the "
                      "threshold, or max_pairs (None: no bound) if the memory (about 70 bytes "
                      "a pair) is there")


def _bucket_pairs(max_pairs: int, *pieces: Tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Distinct (a, b) pairs, a < b, of documents sharing a band bucket."""
    pos = np.concatenate([p[0] for p in pieces]).astype(np.int64)
    if not len(pos):
        return np.empty((0, 2), np.int64)
    keys = np.concatenate([p[1] for p in pieces])
    _, group = np.unique(_rows_key(keys), return_inverse=True)
    order = np.lexsort((pos, group))
    g, p = group[order], pos[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[starts, len(g)])
    pairs = []
    for s, n in zip(starts[sizes > 1], sizes[sizes > 1]):
        if max_pairs >= 0 and n * (n - 1) // 2 > max_pairs:
            raise _too_many(n * (n - 1) // 2, max_pairs)
        members = p[s:s + n]
        a, b = np.triu_indices(n, 1)
        pairs.append(np.stack([members[a], members[b]], axis=1))
    if not pairs:
        return np.empty((0, 2), np.int64)
    out = np.unique(np.concatenate(pairs), axis=0)
    if max_pairs >= 0 and len(out) > max_pairs:
        raise _too_many(len(out), max_pairs)
    return out


def _verify(pairs: np.ndarray, sk_a: Dict[str, Any], sk_b: Dict[str, Any], threshold: float,
            copy_threshold: float, containment_threshold: float) -> Dict[str, np.ndarray]:
    """The core's exact check of candidate pairs (a in sk_a, b in sk_b)."""
    keep, out = [], {k: [] for k in ("jaccard", "containment", "cosine", "relation",
                                     "container")}
    for a, b in pairs:
        sa = sk_a["sets"][a - sk_a["offset"]]
        sb = sk_b["sets"][b - sk_b["offset"]]
        inter = float(len(np.intersect1d(sa, sb, assume_unique=True)))
        na, nb = float(len(sa)), float(len(sb))
        jaccard = inter / (na + nb - inter)
        if jaccard < threshold:
            continue
        containment = inter / min(na, nb)
        container = -1
        if jaccard >= copy_threshold:
            relation = 0
        elif containment >= containment_threshold and \
                max(na, nb) - inter > 2 * (min(na, nb) - inter):
            relation = 1
            container = int(b) if nb > na else int(a)
        else:
            relation = 2
        keep.append((a, b))
        out["jaccard"].append(jaccard)
        out["containment"].append(containment)
        out["cosine"].append(inter / np.sqrt(na * nb))
        out["relation"].append(relation)
        out["container"].append(container)
    res = {k: np.asarray(v, dtype=np.float64 if k in ("jaccard", "containment", "cosine")
                         else np.int64) for k, v in out.items()}
    kept = np.asarray(keep, dtype=np.int64).reshape(-1, 2)
    res["a"], res["b"] = kept[:, 0], kept[:, 1]
    return res


def _word_counts(part: Any, local: np.ndarray) -> np.ndarray:
    texts = part.texts if isinstance(part, Corpus) else _as_list(part)
    words = _core.Analyzer(analyzer="word", lowercase=True, strip_accents=None,
                           token_pattern=_PATTERN, stop_words=None, ngram_range=(1, 1),
                           decode_error="strict")
    return np.array([len(words.analyze(texts[i])) for i in local], dtype=np.int64)


def _sketch_times(sk: Dict[str, Any], local: np.ndarray) -> np.ndarray:
    return sk["times"][local]


def _partition_of(positions: np.ndarray, offsets: Sequence[int]) -> np.ndarray:
    return np.searchsorted(np.asarray(offsets), positions, side="right") - 1


def _dates_parts(data: Articles, dates: Optional[Sequence[Any]]) -> List[Optional[np.ndarray]]:
    if dates is None:
        return [None] * data.npartitions
    from newsim._inputs import _seconds

    if isinstance(dates, str):
        raise TypeError("dates must be a sequence with one date per article")
    dates = list(dates)
    if len(dates) != len(data):
        raise ValueError(f"dates has {len(dates)} entries for {len(data)} articles")
    times = np.array([_seconds(d, f"dates[{i}]") for i, d in enumerate(dates)], dtype=float)
    return [times[o:o + n] for o, n in zip(data.offsets, data.lengths)]


def _exchange(client: Any, split: List[Any], n_out: int) -> List[List[Any]]:
    """Piece q of every split, per q: what partition q receives in a shuffle."""
    import operator

    return [[client.submit(operator.getitem, s, q) for s in split] for q in range(n_out)]


def near_duplicates(data: Any, threshold: Optional[float] = None, *,
                    dates: Optional[Sequence[Any]] = None, shingle_size: int = 5,
                    num_perm: int = 128, bands: Optional[int] = None,
                    copy_threshold: float = 0.9, containment_threshold: float = 0.9,
                    seed: int = 1, max_pairs: Optional[int] = 10_000_000) -> Any:
    """:func:`newsim.near_duplicates` by Jaccard (``threshold`` given) over articles spread
    on the cluster, with the same pairs, groups, canonical articles and candidate count.

    Each partition computes its documents' shingle sets and MinHash signatures where it lies.
    Documents with the same signature are sent to one partition (by a hash of it), where
    copies (the same shingle set as the first document with that signature) are found; the
    other documents' LSH band values are sent to partitions by band bucket, where documents
    sharing a bucket become candidates; each candidate is checked exactly against the two
    sets, on the workers. Groups and canonical articles are found on the client from the
    pairs. Sets are compared by a 160-bit digest when finding copies, band buckets by their
    values (the core hashes them to 64 bits: equal results unless those hashes collide).
    The passage method (``threshold=None``) is not distributed.

    >>> import dask.bag as db
    >>> texts = from_bag(db.from_sequence(
    ...     ["we said it before and say it again", "x y z",
    ...      "We said it before, and say it again!"], npartitions=2))
    >>> r = near_duplicates(texts, threshold=0.9)
    >>> r.groups, r.canonical
    ([[0, 2]], [0])
    """
    from newsim.near_duplicates import (NearDuplicateResult, _frame, _positive_int, _seed,
                                        _unit)

    if threshold is None:
        raise ValueError("newsim.dask.near_duplicates finds near-duplicates by the Jaccard "
                         "index of shingles: give a threshold (the passage method of "
                         "text_reuse runs on one machine)")
    threshold = _unit(threshold, "threshold")
    shingle_size = _positive_int(shingle_size, "shingle_size")
    num_perm = _positive_int(num_perm, "num_perm")
    if bands is not None and not 1 <= _positive_int(bands, "bands") <= num_perm:
        raise ValueError(f"bands must be in [1, num_perm]; got {bands!r}")
    copy_threshold = _unit(copy_threshold, "copy_threshold")
    containment_threshold = _unit(containment_threshold, "containment_threshold")
    seed = _seed(seed)
    if max_pairs is not None and (isinstance(max_pairs, bool) or
                                  not isinstance(max_pairs, numbers.Integral) or max_pairs < 0):
        raise ValueError(f"max_pairs must be an int >= 0 or None; got {max_pairs!r}")
    bound = -1 if max_pairs is None else int(max_pairs)
    data = _articles(data)
    client = _client()
    n_bands, n_rows = _core._choose_bands(threshold, num_perm, bands or 0)
    n_out = max(1, data.npartitions)
    offsets = data.offsets
    sketches = [_submit(client, _sketch, p, o, shingle_size, num_perm, seed, d)
                for p, o, d in zip(data.partitions, offsets, _dates_parts(data, dates))]
    # 1. Copies, by signature.
    split = [_submit(client, _split_signatures, s, n_out) for s in sketches]
    copy_parts = [_submit(client, _copies, *pieces) for pieces in _exchange(client, split, n_out)]
    copy_results = _gather(client, copy_parts, "near_duplicates")
    copies = np.concatenate([c[0] for c in copy_results]) if copy_results else np.empty(0, int)
    firsts = np.concatenate([c[1] for c in copy_results]) if copy_results else np.empty(0, int)
    # 2. Candidates, by band bucket.
    split = [_submit(client, _split_bands, s, n_bands, n_rows, n_out, copies) for s in sketches]
    bucket_parts = [_submit(client, _bucket_pairs, bound, *pieces)
                    for pieces in _exchange(client, split, n_out)]
    found = _gather(client, bucket_parts, "near_duplicates")
    cand = np.unique(np.concatenate(found), axis=0) if found else np.empty((0, 2), np.int64)
    candidates = len(cand) + len(copies)
    if bound >= 0 and candidates > bound:
        raise _too_many(candidates, bound)
    # 3. The exact check, per pair of partitions.
    checks = np.concatenate([cand, np.stack([firsts, copies], axis=1).astype(np.int64)])
    pa = _partition_of(checks[:, 0], offsets)
    pb = _partition_of(checks[:, 1], offsets)
    tasks = []
    for u, v in sorted(set(zip(pa.tolist(), pb.tolist()))):
        sel = checks[(pa == u) & (pb == v)]
        tasks.append(_submit(client, _verify, sel, sketches[u], sketches[v], threshold,
                             copy_threshold, containment_threshold))
    checked = _gather(client, tasks, "near_duplicates")
    cols = ("a", "b", "jaccard", "containment", "cosine", "relation", "container")
    pairs = {c: np.concatenate([r[c] for r in checked]) if checked else
             np.empty(0, np.float64 if c in ("jaccard", "containment", "cosine") else np.int64)
             for c in cols}
    order = np.lexsort((pairs["b"], pairs["a"]))
    pairs = {c: v[order] for c, v in pairs.items()}
    pairs["relation"] = [("copy", "contains", "update")[r] for r in pairs["relation"]]
    # 4. Groups and canonical articles.
    n = len(data)
    groups = _components(n, pairs["a"], pairs["b"])
    canonical = _canonical(client, groups, sketches, data, offsets)
    ids = None if data.texts else data.ids()
    return NearDuplicateResult(_frame(pairs, ids), groups, canonical, int(candidates), n, ids)


def _components(n: int, a: np.ndarray, b: np.ndarray) -> List[List[int]]:
    """Connected components of two or more members, each sorted, by their first member."""
    from scipy.sparse.csgraph import connected_components

    if not len(a):
        return []
    g = sp.coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, label = connected_components(g, directed=False)
    touched = np.unique(np.concatenate([a, b]))
    by_label: Dict[int, List[int]] = {}
    for m in touched.tolist():
        by_label.setdefault(int(label[m]), []).append(m)
    return sorted((sorted(g) for g in by_label.values() if len(g) > 1), key=lambda g: g[0])


def _canonical(client: Any, groups: List[List[int]], sketches: List[Any], data: Articles,
               offsets: Sequence[int]) -> List[int]:
    """Per group: the earliest dated member, else the one with most words, else the first."""
    if not groups:
        return []
    members = np.unique(np.concatenate([np.asarray(g) for g in groups]))
    part = _partition_of(members, offsets)
    times, words = {}, {}
    jobs = []
    for p in np.unique(part).tolist():
        local = members[part == p] - offsets[p]
        jobs.append((members[part == p],
                     _submit(client, _sketch_times, sketches[p], local),
                     _submit(client, _word_counts, data.partitions[p], local)))
    got = _gather(client, [(t, w) for _, t, w in jobs], "near_duplicates")
    for (m, _, _), (t, w) in zip(jobs, got):
        times.update(zip(m.tolist(), t.tolist()))
        words.update(zip(m.tolist(), w.tolist()))

    def key(x: int) -> Tuple[int, float, int, int]:
        t = times[x]
        dated = t == t
        return (0 if dated else 1, t if dated else 0.0, -words[x], x)

    return [min(g, key=key) for g in groups]


# -- stories ----------------------------------------------------------------------------------

def _story_statistics(part: Any, entity_weight: float) -> Tuple[Any, Any]:
    from newsim.text import CountVectorizer, TfidfVectorizer

    docs = _documents(part)
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2),
                            n_jobs=1).statistics(docs)
    caps = CountVectorizer(lowercase=False, n_jobs=1).statistics(docs) \
        if entity_weight != 1 else None
    return tfidf, caps


def _merge_pairs(*pairs: Tuple[Any, Any]) -> Tuple[Any, Any]:
    return (_merge_statistics(*[p[0] for p in pairs]),
            None if pairs[0][1] is None else _merge_statistics(*[p[1] for p in pairs]))


def _entities(caps: Any) -> List[str]:
    """The core's name rule: words written capitalised (a first letter of category Lu) in
    more than half of their occurrences."""
    import json
    import unicodedata

    state = json.loads(caps.to_json())
    lower = _core.Analyzer()
    seen: Dict[str, List[int]] = {}
    for term, tf in zip(state["terms"], state["tf"]):
        c = seen.setdefault(lower.preprocess(term), [0, 0])
        c[1] += tf
        if term and unicodedata.category(term[0]) == "Lu":
            c[0] += tf
    return sorted(w for w, (up, total) in seen.items() if 2 * up > total)


def _fit_story_features(client: Any, data: Articles, entity_weight: float) -> Tuple[Any, Any]:
    """StoryFeatures fitted on all partitions, from merged statistics (the vectorizer, names
    and column weights the core's StoryFeatures.fit gives), on the client and as a future."""
    stats = [_submit(client, _story_statistics, p, entity_weight) for p in data.partitions]
    merged = _tree(client, stats, _merge_pairs)
    future = _submit(client, _features_from_statistics, merged, entity_weight)
    return _gather(client, future, "cluster_stories"), future


def _features_from_statistics(stats: Tuple[Any, Any], entity_weight: float) -> Any:
    from newsim.stories import StoryFeatures
    from newsim.text import TfidfVectorizer

    tfidf_stats, caps = stats
    n = tfidf_stats.n_documents
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2),
                                 min_df=2 if n >= 3 else 1, n_jobs=1)
    vectorizer.fit_statistics(tfidf_stats)
    entities = _entities(caps) if caps is not None else []
    names = vectorizer.get_feature_names_out()
    weights = np.ones(len(names))
    if entities:
        known = set(entities)
        for j, term in enumerate(names):
            if any(w in known for w in str(term).split(" ")):
                weights[j] = entity_weight
    features = StoryFeatures(entity_weight=entity_weight)
    features.vectorizer_ = vectorizer
    features.entities_ = set(entities)
    features.weights_ = weights
    return features


def _story_rows(features: Any, part: Any) -> sp.csr_matrix:
    """The core's StoryFeatures.transform: weighted columns, rows scaled to unit length (the
    squares summed in column order, as the core does)."""
    X = sp.csr_matrix(features.vectorizer_.transform(_documents(part)), dtype=np.float64)
    X.data = X.data * features.weights_[X.indices]
    norms = np.sqrt(_row_sums(X.data * X.data, X.indptr))
    lengths = np.diff(X.indptr)
    scale = np.repeat(norms, lengths)
    nz = scale > 0
    X.data[nz] = X.data[nz] / scale[nz]
    return X


def _row_sums(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per row, its values added one after the other from the first, as a C++ loop adds
    them (numpy's sums are pairwise): rows of like length padded with zeros and accumulated
    along the row, which is sequential."""
    lengths = np.diff(indptr)
    out = np.zeros(len(lengths))
    order = np.argsort(lengths, kind="stable")
    for lo in range(0, len(order), 1024):
        rows = order[lo:lo + 1024]
        width = int(lengths[rows].max()) if len(rows) else 0
        if width == 0:
            continue
        pad = np.zeros((len(rows), width))
        for k, r in enumerate(rows.tolist()):
            pad[k, :lengths[r]] = values[indptr[r]:indptr[r + 1]]
        out[rows] = np.add.accumulate(pad, axis=1)[:, -1]
    return out


def _row_digests(X: sp.csr_matrix, times: np.ndarray, window: float) -> List[Optional[bytes]]:
    """Per row, a digest of its columns, values and (under a window) time, or None for a row
    of zeros: rows with equal digests are one node (the core's identical-row rule)."""
    out: List[Optional[bytes]] = []
    bits = times.astype(np.float64).view(np.uint64).copy()
    bits[np.isnan(times)] = np.uint64(0x7FF8000000000000)
    for r in range(X.shape[0]):
        a, b = X.indptr[r], X.indptr[r + 1]
        if a == b:
            out.append(None)
            continue
        h = hashlib.blake2b(digest_size=20)
        h.update(np.ascontiguousarray(X.indices[a:b], dtype=np.int32).tobytes())
        h.update(np.ascontiguousarray(X.data[a:b]).tobytes())
        if window > 0:
            h.update(bits[r].tobytes())
        out.append(h.digest())
    return out


def _part_times(part: Any, dates: Optional[np.ndarray]) -> np.ndarray:
    if dates is not None:
        return np.asarray(dates, dtype=float)
    if isinstance(part, Corpus):
        return np.asarray(part._core.seconds(), dtype=float)
    return np.full(len(part), np.nan)


_Nodes = Tuple[np.ndarray, sp.csr_matrix, np.ndarray]  # node ids, their rows, their times


def _split_nodes(X: sp.csr_matrix, times: np.ndarray, local: np.ndarray, block: np.ndarray,
                 nodes: np.ndarray, n_out: int) -> List[_Nodes]:
    """The rows and times of the node representatives in this partition, by time block."""
    out = []
    for q in range(n_out):
        sel = local[block == q]
        out.append((nodes[block == q], X[sel], times[sel]))
    return out


def _time_block(*pieces: _Nodes) -> _Nodes:
    nodes = np.concatenate([p[0] for p in pieces]).astype(np.int64)
    X = sp.csr_matrix(sp.vstack([p[1] for p in pieces], format="csr"))
    times = np.concatenate([p[2] for p in pieces])
    order = np.argsort(nodes, kind="stable")
    return nodes[order], X[order], times[order]


def _block_pairs(a: _Nodes, b: Optional[_Nodes], floor: float, window: float, m: int,
                 n_jobs: Optional[int]) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of nodes (one from a, one from b; within a when b is None) scoring at least the
    floor and dated within the window, each kept only if it is among the m best partners of
    one of its nodes here (it cannot be among their best overall otherwise)."""
    from newsim.similarity import similarity_join as _join

    na, xa, ta = a
    nb, xb, tb = a if b is None else b
    m_join = _join(xa, floor, None if b is None else xb, max_pairs=None, n_jobs=n_jobs).tocoo()
    i, j, s = na[m_join.row], nb[m_join.col], m_join.data
    if window > 0 and len(s):
        ti, tj = ta[m_join.row], tb[m_join.col]
        ok = ~(np.abs(ti - tj) > window)  # NaN (undated) compares false: kept
        i, j, s = i[ok], j[ok], s[ok]
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    keep = _kept(lo, hi, s, m)
    return lo[keep], hi[keep], s[keep]


def _kept(a: np.ndarray, b: np.ndarray, score: np.ndarray, m: int) -> np.ndarray:
    """Mask of the pairs (a, b) that one of their two nodes keeps among its m best partners
    (higher score, then the smaller node), as the core keeps them."""
    n = len(a)
    keep = np.zeros(2 * n, dtype=bool)
    if not n:
        return keep[:0]
    node, other = np.concatenate([a, b]), np.concatenate([b, a])
    s = np.concatenate([score, score])
    order = np.lexsort((other, -s, node))
    sn = node[order]
    starts = np.r_[0, np.flatnonzero(sn[1:] != sn[:-1]) + 1]
    rank = np.arange(len(sn)) - np.repeat(starts, np.diff(np.r_[starts, len(sn)]))
    keep[order[rank < m]] = True
    return keep[:n] | keep[n:]


def _agglomerate(n: int, pi: np.ndarray, pj: np.ndarray, ps: np.ndarray, weight: np.ndarray,
                 threshold: float, cohesion: float, average: bool) -> np.ndarray:
    """The core's agglomeration (stories.cpp, ``agglomerate``), step for step: the same
    merges in the same order with the same floating-point sums. Returns each node's root."""
    size = weight.astype(np.int64).tolist()
    internal = [w * (w - 1) / 2 for w in (float(x) for x in size)]
    version = [0] * n
    parent = list(range(n))
    links: List[Dict[int, List[float]]] = [dict() for _ in range(n)]
    heap: List[Tuple[float, int, int, int, int]] = []
    for i, j, s in zip(pi.tolist(), pj.tolist(), ps.tolist()):
        link = [s * float(size[i]) * float(size[j]), s]
        links[i][j] = link
        links[j][i] = list(link)
    for i, j in zip(pi.tolist(), pj.tolist()):
        link = links[i][j]
        score = link[0] / (float(size[i]) * float(size[j])) if average else link[1]
        heap.append((-score, i, j, 0, 0))
    heapq.heapify(heap)
    while heap:
        neg, a, b, va, vb = heapq.heappop(heap)
        if parent[a] != a or parent[b] != b or version[a] != va or version[b] != vb:
            continue
        if -neg < threshold:
            break
        between = links[a][b]
        merged_internal = internal[a] + internal[b] + between[0]
        merged_size = float(size[a] + size[b])
        if not average and merged_internal / (merged_size * (merged_size - 1) / 2) < cohesion:
            continue
        la, lb = links[a], links[b]
        del la[b]
        del lb[a]
        if len(la) < len(lb):
            la, lb = lb, la
        for other, l in lb.items():
            into = la.get(other)
            if into is None:
                la[other] = [0.0 + l[0], max(0.0, l[1])]
            else:
                into[0] = into[0] + l[0]
                into[1] = max(into[1], l[1])
        links[a] = la
        links[b] = {}
        parent[b] = a
        size[a] += size[b]
        internal[a] = merged_internal
        version[a] += 1
        for other, l in la.items():
            lo_ = links[other]
            lo_.pop(b, None)
            lo_[a] = list(l)  # a copy, as the core's maps hold values
            x, y = (a, other) if a < other else (other, a)
            score = l[0] / (float(size[x]) * float(size[y])) if average else l[1]
            heapq.heappush(heap, (-score, x, y, version[x], version[y]))
    root = np.empty(n, dtype=np.int64)
    for i in range(n):
        r = i
        while parent[r] != r:
            r = parent[r]
        root[i] = r
    return root


def _rows_of(X: sp.csr_matrix, items: List[Tuple[int, np.ndarray]]
             ) -> List[Tuple[int, sp.csr_matrix]]:
    return [(k, X[local]) for k, local in items]


def _mean_terms(X: sp.csr_matrix, rows: np.ndarray, top: int) -> List[Tuple[int, float]]:
    """The core's key-terms rule (detail::KeyTermsAccumulator): each column's values added in
    the order of the rows, over their number; the ``top`` largest, ties by column. Here per
    story, in the story's own columns (the core's accumulator spans all columns, once)."""
    starts, ends = X.indptr[rows], X.indptr[rows + 1]
    take = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)]) if len(rows) else \
        np.empty(0, np.int64)
    cols, values = X.indices[take], X.data[take]
    present, slot = np.unique(cols, return_inverse=True)
    sums = np.zeros(len(present))
    np.add.at(sums, slot, values)  # unbuffered: one value after the other, in order
    weights = sums / float(len(rows))
    keep = weights != 0
    present, weights = present[keep], weights[keep]
    order = np.lexsort((present, -weights))[:top]
    return [(int(c), float(w)) for c, w in zip(present[order], weights[order])]


def _key_terms_local(X: sp.csr_matrix, stories: List[Tuple[int, np.ndarray]],
                     top: int) -> List[Tuple[int, list]]:
    X = sp.csr_matrix(X)
    return [(s, _mean_terms(X, local, top)) for s, local in stories]


def _titles_at(part: Any, local: np.ndarray) -> List[str]:
    if isinstance(part, Corpus):
        titles = part.titles
        return [titles[i] for i in local]
    texts = _documents(part)
    return [texts[i].strip().split("\n", 1)[0][:80] for i in local]


def cluster_stories(data: Any, dates: Optional[Sequence[Any]] = None, *,
                    threshold: float = 0.2, linkage: str = "average", cohesion: float = 0.1,
                    min_similarity: Optional[float] = None, time_window: Any = None,
                    key_terms: int = 10, max_neighbors: int = _core._STORY_MAX_NEIGHBORS,
                    entity_weight: float = 2.0, n_jobs: Optional[int] = None) -> Any:
    """:func:`newsim.cluster_stories` (default story features) over articles spread on the
    cluster, with the same labels and story table.

    The features are fitted from merged per-partition statistics and computed where the
    articles lie. Identical rows (and times, under a window) become one node, as in the core.
    The nodes' rows are sent to time blocks at least a window wide (undated ones to a block of
    their own); each time block is joined with itself and the next, the undated block with
    all, on the workers; each node's ``max_neighbors`` best partners are kept; then the
    core's agglomeration runs on the client over the kept pairs (re-done step for step in
    Python, with the same floating-point sums), and the story table (representatives,
    cohesion, key terms) is built from the same sums. Without a window, or without dates,
    every pair of blocks is joined. Articles are compared by their cleaned text, so a
    Corpus-like input must be cleaned (see the module's note); texts are taken as they are.
    Other features (``features=``: another vectorizer, or the article similarity preset) are
    not distributed. ``n_jobs``: threads of each join task (None: all cores of its worker).

    >>> import dask.bag as db
    >>> texts = from_bag(db.from_sequence(
    ...     ["Russia warns NATO over missile shield", "NATO missile shield angers Russia",
    ...      "Floods hit England"], npartitions=2))
    >>> r = cluster_stories(texts)
    >>> r.labels.tolist(), r.stories["size"].tolist()
    ([0, 0, 1], [2, 1])
    """
    from newsim.stories import (StoryResult, _key_term_names, _max_neighbors, _story_table,
                                _threshold, _window)

    threshold = _threshold(threshold, "threshold")
    cohesion = _threshold(cohesion, "cohesion", low_open=False)
    floor_given = 0.0 if min_similarity is None else _threshold(min_similarity,
                                                                "min_similarity")
    if floor_given > threshold:
        raise ValueError(f"min_similarity must be in [0, threshold]; got {min_similarity!r}")
    if linkage not in ("average", "single"):
        raise ValueError(f"linkage must be 'average' or 'single'; got {linkage!r}")
    m = _max_neighbors(max_neighbors)
    if isinstance(key_terms, bool) or not isinstance(key_terms, numbers.Integral) or \
            key_terms < 0:
        raise ValueError(f"key_terms must be an int >= 0; got {key_terms!r}")
    window = _window(time_window)
    floor = floor_given if floor_given > 0 else threshold / 2
    given = _articles(data)
    data = _cleaned(given)  # compared by their cleaned text; titles and times as given
    if not len(data):
        raise ValueError("no articles to cluster")
    client = _client()
    features, features_future = _fit_story_features(client, data, float(entity_weight))
    blocks = [_submit(client, _story_rows, features_future, p) for p in data.partitions]
    date_parts = _dates_parts(data, dates)
    time_futures = [_submit(client, _part_times, p, d)
                    for p, d in zip(given.partitions, date_parts)]
    digest_futures = [_submit(client, _row_digests, b, t, window)
                      for b, t in zip(blocks, time_futures)]
    got = _gather(client, [time_futures, digest_futures], "cluster_stories")
    times = np.concatenate(got[0]) if got[0] else np.empty(0)
    digests = [d for part in got[1] for d in part]
    n = len(digests)
    if dates is None and data.texts:
        times = np.full(n, np.nan)
    # 1. Nodes: identical rows (and times, under a window); rows of zeros stay apart.
    node_of = np.empty(n, dtype=np.int64)
    first_of: Dict[bytes, int] = {}
    reps: List[int] = []
    for i, d in enumerate(digests):
        if d is not None and d in first_of:
            node_of[i] = first_of[d]
            continue
        node_of[i] = len(reps)
        if d is not None:
            first_of[d] = len(reps)
        reps.append(i)
    reps_arr = np.asarray(reps, dtype=np.int64)
    weight = np.bincount(node_of, minlength=len(reps)).astype(np.int64)
    nonzero = np.array([digests[r] is not None for r in reps], dtype=bool)
    node_times = times[reps_arr]
    # 2. Time blocks of node representatives (undated: the last block).
    searched = np.flatnonzero(nonzero)
    dated = searched[~np.isnan(node_times[searched])] if window > 0 else np.empty(0, np.int64)
    undated = np.setdiff1d(searched, dated)
    block_of = np.full(len(reps), -1, dtype=np.int64)
    n_dated_blocks = 0
    if len(dated):
        order = dated[np.argsort(node_times[dated], kind="stable")]
        target = max(1, data.npartitions)
        per = max(1, -(-len(order) // target))
        start = 0
        while start < len(order):
            end = min(len(order), start + per)
            # A block spans at least a window, so that pairs only meet in a block or the next.
            while end < len(order) and node_times[order[end]] - node_times[order[start]] < window:
                end += 1
            while end < len(order) and node_times[order[end]] == node_times[order[end - 1]]:
                end += 1
            block_of[order[start:end]] = n_dated_blocks
            n_dated_blocks += 1
            start = end
    if len(undated):
        if window > 0:
            block_of[undated] = n_dated_blocks
        else:  # no window: blocks by position
            chunks = np.array_split(undated, max(1, data.npartitions))
            for c in chunks:
                if len(c):
                    block_of[c] = n_dated_blocks
                    n_dated_blocks += 1
    n_blocks = n_dated_blocks + (1 if len(undated) and window > 0 else 0)
    part_of = _partition_of(reps_arr, data.offsets)
    split = []
    for p in range(data.npartitions):
        sel = np.flatnonzero((part_of == p) & (block_of >= 0))
        split.append(_submit(client, _split_nodes, blocks[p], time_futures[p],
                             reps_arr[sel] - data.offsets[p], block_of[sel], sel,
                             max(1, n_blocks)))
    time_blocks = [_submit(client, _time_block, *pieces)
                   for pieces in _exchange(client, split, max(1, n_blocks))][:n_blocks]
    tasks = []
    for b in range(n_blocks):
        is_undated = window > 0 and len(undated) and b == n_blocks - 1
        tasks.append(_submit(client, _block_pairs, time_blocks[b], None, floor, window, m,
                             n_jobs))
        if window > 0 and not is_undated:
            if b + 1 < n_dated_blocks:
                tasks.append(_submit(client, _block_pairs, time_blocks[b], time_blocks[b + 1],
                                     floor, window, m, n_jobs))
        else:
            others = range(n_blocks) if is_undated else range(b + 1, n_blocks)
            for c in others:
                if c != b:
                    tasks.append(_submit(client, _block_pairs, time_blocks[b], time_blocks[c],
                                         floor, window, m, n_jobs))
    found = _gather(client, tasks, "cluster_stories")
    pi = np.concatenate([f[0] for f in found]) if found else np.empty(0, np.int64)
    pj = np.concatenate([f[1] for f in found]) if found else np.empty(0, np.int64)
    ps = np.concatenate([f[2] for f in found]) if found else np.empty(0)
    # 3. Each node's m best partners; a pair stays when either side keeps it.
    keep = _kept(pi, pj, ps, m)
    pi, pj, ps = pi[keep], pj[keep], ps[keep]
    order = np.lexsort((pj, pi))
    pi, pj, ps = pi[order], pj[order], ps[order]
    root = _agglomerate(len(reps), pi, pj, ps, weight, threshold, cohesion,
                        linkage == "average")
    article_root = root[node_of]
    ids_of: Dict[int, int] = {}
    labels = np.empty(n, dtype=np.int64)
    for i, r in enumerate(article_root.tolist()):
        labels[i] = ids_of.setdefault(r, len(ids_of))
    # 4. The story table, as StoryClusterer.stories computes it.
    stories = _stories(client, labels, node_of, reps_arr, weight, pi, pj, ps, times, blocks,
                       data, key_terms)
    ids = None if data.texts else data.ids()
    reps_wanted = sorted({s["representative"] for s in stories})
    titles = _Picked(n, _picked_titles(client, given, reps_wanted))
    table = _story_table(stories, _key_term_names(stories, features), ids, titles)
    return StoryResult(labels, table, features, ids)


class _Picked:
    """A few titles by position, read like the list of all of them."""

    def __init__(self, n: int, values: Dict[int, str]) -> None:
        self.n, self.values = n, values

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> str:
        return self.values[i]


def _picked_titles(client: Any, data: Articles, positions: List[int]) -> Dict[int, str]:
    pos = np.asarray(positions, dtype=np.int64)
    part = _partition_of(pos, data.offsets)
    jobs = [(pos[part == p], _submit(client, _titles_at, data.partitions[p],
                                     pos[part == p] - data.offsets[p]))
            for p in np.unique(part).tolist()]
    got = _gather(client, [f for _, f in jobs], "cluster_stories")
    out: Dict[int, str] = {}
    for (ps, _), titles in zip(jobs, got):
        out.update(zip(ps.tolist(), titles))
    return out


def _stories(client: Any, labels: np.ndarray, node_of: np.ndarray, reps: np.ndarray,
             weight: np.ndarray, pi: np.ndarray, pj: np.ndarray, ps: np.ndarray,
             times: np.ndarray, blocks: List[Any], data: Articles,
             top: int) -> List[Dict[str, Any]]:
    """StoryClusterer::stories: members, first and last time, representative (the member
    most similar in sum to the others), cohesion and key terms, with the core's sums."""
    ids = np.unique(labels)
    slot = {int(s): k for k, s in enumerate(ids.tolist())}
    members: List[List[int]] = [[] for _ in ids]
    for i, s in enumerate(labels.tolist()):
        members[slot[s]].append(i)
    n_nodes = len(reps)
    node_label = labels[reps]
    within = [float(w) - 1 for w in weight.tolist()]
    internal = [0.0] * len(ids)
    for v in range(n_nodes):
        w = float(weight[v])
        internal[slot[int(node_label[v])]] += w * (w - 1) / 2
    wl = weight.tolist()
    for i, j, s in zip(pi.tolist(), pj.tolist(), ps.tolist()):
        li = int(node_label[i])
        if li != int(node_label[j]):
            continue
        within[i] += s * float(wl[j])
        within[j] += s * float(wl[i])
        internal[slot[li]] += s * float(wl[i] * wl[j])
    out = []
    for k, s in enumerate(ids.tolist()):
        mem = members[k]
        rep = mem[0]
        for i in mem:
            if within[node_of[i]] > within[node_of[rep]]:
                rep = i
        size = float(len(mem))
        t = times[mem]
        known = t[~np.isnan(t)]
        out.append({"story": int(s), "members": mem, "representative": rep,
                    "cohesion": 1.0 if len(mem) < 2 else internal[k] / (size * (size - 1) / 2),
                    "first_time": float(known.min()) if len(known) else np.nan,
                    "last_time": float(known.max()) if len(known) else np.nan,
                    "key_terms": []})
    if top != 0:
        _key_terms(client, out, blocks, data, top)
    return out


def _key_terms(client: Any, stories: List[Dict[str, Any]], blocks: List[Any], data: Articles,
               top: int) -> None:
    """Key terms of each story's mean row, its rows summed in member order: on the worker of
    a story that lies in one partition, on the client (its rows fetched) otherwise."""
    offsets = data.offsets
    local: Dict[int, List[Tuple[int, np.ndarray]]] = {}
    pieces: Dict[int, List[Tuple[int, np.ndarray]]] = {}
    for k, st in enumerate(stories):
        pos = np.asarray(st["members"], dtype=np.int64)
        part = _partition_of(pos, offsets)
        if part[0] == part[-1]:
            local.setdefault(int(part[0]), []).append((k, pos - offsets[int(part[0])]))
        else:
            for p in np.unique(part).tolist():
                pieces.setdefault(p, []).append((k, pos[part == p] - offsets[p]))
    jobs = [_submit(client, _key_terms_local, blocks[p], items, top) for p, items in local.items()]
    fetch = [_submit(client, _rows_of, blocks[p], items) for p, items in sorted(pieces.items())]
    got = _gather(client, [jobs, fetch], "cluster_stories")
    for results in got[0]:
        for k, terms in results:
            stories[k]["key_terms"] = terms
    rows: Dict[int, List[sp.csr_matrix]] = {}
    for part_rows in got[1]:  # partitions in order: each story's rows in member order
        for k, r in part_rows:
            rows.setdefault(k, []).append(r)
    for k, parts in rows.items():
        X = sp.csr_matrix(sp.vstack(parts, format="csr"))
        stories[k]["key_terms"] = _mean_terms(X, np.arange(X.shape[0]), top)
