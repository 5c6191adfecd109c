"""newsim.dask on a real Dask.distributed cluster (two worker processes on 127.0.0.1, started
here and closed at the end): every function gives what the single-machine function gives on
the same input, malformed partitions fail or are counted as the reader does, and a worker
that dies mid-run is retried or reported, never leaving a partial result."""

from __future__ import annotations

import doctest
import gzip
import json
import logging
import os
import re
import signal
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
import scipy.sparse as sp

import newsim

# scripts/setup.sh installs python3-dask and python3-distributed.
import dask
import distributed
import dask.bag as db
import dask.dataframe as dd

import newsim.dask as nd

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
REUTERS = CORPORA / "reuters21578.jsonl.gz"

# Debian's distributed 2022.12 warns on tornado 6.2 when it makes its event loop current, and
# on scipy 1.10 when it registers its serializers of sparse matrices (at the first one).
pytestmark = pytest.mark.filterwarnings(
    "ignore:make_current is deprecated:DeprecationWarning",
    "ignore:There is no current event loop:DeprecationWarning",
    "ignore:Please use `\\w+` from the `scipy.sparse` namespace:DeprecationWarning")


@pytest.fixture(scope="module")
def client():
    # One death of a worker running a task is retried; a second one fails the task (the
    # default allows three, which makes the failure test slow).
    # The scheduler's HTTP server gets a port of its own: on the default one (8787, taken when
    # another cluster runs) distributed falls back to another port but leaks a socket.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
            dashboard_address=f"127.0.0.1:{port}", silence_logs=logging.CRITICAL)
        c = distributed.Client(cluster)
        try:
            yield c
        finally:
            c.close()
            cluster.close()


def _records(n: int):
    if not REUTERS.is_file():
        pytest.skip(f"corpus {REUTERS} not found (corpora live in <repo>/../shared/corpora)")
    out = []
    with gzip.open(REUTERS, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            out.append({"id": str(r["id"]), "title": r.get("title") or "",
                        "text": r.get("text") or "", "date": r.get("date") or ""})
            if len(out) == n:
                break
    return out


@pytest.fixture(scope="module")
def reuters():
    """1,500 Reuters articles (dated; with identical and near-identical bodies)."""
    return _records(1500)


def _write(path: Path, records, bad_lines=()) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for k, r in enumerate(records):
            if k in bad_lines:
                f.write("{not json\n")
            f.write(json.dumps(r) + "\n")


@pytest.fixture(scope="module")
def files(reuters, tmp_path_factory):
    """The articles in three partition files of unequal size, and in one whole file."""
    folder = tmp_path_factory.mktemp("parts")
    cuts = [0, 300, 1100, len(reuters)]
    paths = []
    for k in range(3):
        paths.append(folder / f"part-{k}.jsonl")
        _write(paths[-1], reuters[cuts[k]:cuts[k + 1]])
    whole = folder / "whole.jsonl"
    _write(whole, reuters)
    return paths, whole


@pytest.fixture(scope="module")
def texts(reuters):
    return [r["text"] for r in reuters]


@pytest.fixture(scope="module")
def text_bag(client, texts):
    return nd.from_bag(db.from_sequence(texts, npartitions=3))


def _same_csr(a, b) -> None:
    a, b = sp.csr_matrix(a), sp.csr_matrix(b)
    assert a.shape == b.shape
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)  # bit for bit


# -- reading --------------------------------------------------------------------------------------

def test_read_articles_gives_the_single_reader_articles(client, files):
    paths, whole = files
    articles = nd.read_articles(paths)
    single = newsim.read_articles(whole)
    assert articles.npartitions == 3 and articles.lengths == [300, 800, 400]
    assert articles.ids() == single.ids
    pdt.assert_frame_equal(articles.compute().to_pandas(), single.to_pandas())
    glob_read = nd.read_articles(str(paths[0].parent / "part-*.jsonl"))
    assert glob_read.ids() == single.ids
    assert "3 partitions" in repr(articles)


def test_a_malformed_partition_raises_naming_its_file_and_line(client, reuters, tmp_path):
    good, bad = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    _write(good, reuters[:20])
    _write(bad, reuters[20:40], bad_lines=(5,))  # line 6 of b.jsonl
    with pytest.raises(ValueError, match=re.escape(f"{bad}, line 6: not valid JSON")):
        nd.read_articles([good, bad])
    with pytest.raises(ValueError, match=re.escape(f"{bad}, line 6")):
        newsim.read_articles(bad)  # the same words as the single-machine reader


@pytest.mark.parametrize("errors", ["skip", "report"])
def test_skip_and_report_count_what_the_single_reader_counts(client, reuters, tmp_path, errors):
    paths = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    _write(paths[0], reuters[:30], bad_lines=(0, 7))
    _write(paths[1], reuters[30:60], bad_lines=(29,))
    articles = nd.read_articles(paths, errors=errors)
    singles = [newsim.read_articles(p, errors=errors) for p in paths]
    assert articles.skipped == 3 == sum(s.skipped for s in singles)
    assert articles.issues == [i for s in singles for i in s.issues]
    assert len(articles.issues) == (3 if errors == "report" else 0)
    assert articles.ids() == [i for s in singles for i in s.ids]


def test_bad_dates_warn_once_per_file_as_the_reader_does(client, tmp_path):
    path = tmp_path / "a.jsonl"
    _write(path, [{"id": "a", "text": "x", "date": "31-MAR-1987 605:12"}])
    with pytest.warns(UserWarning, match="1 article\\(s\\) kept without their date"):
        articles = nd.read_articles([path])
    assert articles.bad_dates == 1


def test_from_bag_reads_records_as_read_articles_does(client):
    records = [{"id": "a", "text": "NATO met Russia.", "source": "x", "extra": 1},
               {"text": "An article without an id."}, "A plain string.",
               newsim.Article(id="z", text="An Article.", title="T", meta={"k": "v"})]
    articles = nd.from_bag(db.from_sequence(records, npartitions=3))
    single = newsim.read_articles(records[:3] + [{"id": "z", "text": "An Article.",
                                                  "title": "T", "k": "v"}])
    pdt.assert_frame_equal(articles.compute().to_pandas(), single.to_pandas())
    assert articles.ids() == ["a", "1", "2", "z"]  # positions in the whole bag
    with pytest.raises(ValueError, match="input, item 3: no 'text' field"):
        nd.from_bag(db.from_sequence(records[:3] + [{"body": "x"}], npartitions=2))
    skipped = nd.from_bag(db.from_sequence(records[:3] + [{"body": "x"}], npartitions=2),
                          errors="report")
    assert skipped.skipped == 1 and skipped.issues[0][:2] == ("input", 3)


def test_from_dataframe_reads_rows_as_from_pandas_does(client):
    frame = pd.DataFrame({"text": ["a b", "c d", "e f", "g h"], "source": list("wxyz")},
                         index=[10, 11, 12, 13])
    articles = nd.from_dataframe(dd.from_pandas(frame, npartitions=2))
    pdt.assert_frame_equal(articles.compute().to_pandas(),
                           newsim.Corpus.from_pandas(frame).to_pandas())
    with pytest.raises(ValueError, match="no text column 'body'"):
        nd.from_dataframe(dd.from_pandas(frame, npartitions=2), fields={"text": "body"})


# -- term vectors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda: newsim.TfidfVectorizer(),
    lambda: newsim.TfidfVectorizer(min_df=2, max_df=0.5, ngram_range=(1, 2), sublinear_tf=True),
    lambda: newsim.CountVectorizer(stop_words="english", max_features=500),
])
def test_fit_vectorizer_gives_the_model_fit_gives(client, text_bag, texts, make):
    v = nd.fit_vectorizer(make(), text_bag)
    single = make().fit(texts)
    assert v.vocabulary_ == single.vocabulary_
    if hasattr(single, "idf_"):
        assert np.array_equal(v.idf_, single.idf_)
    X = nd.transform(v, text_bag)
    assert X.shape == (len(texts), len(single.vocabulary_))
    _same_csr(X.compute(), single.transform(texts))


def test_cleaned_articles_vectorize_with_their_titles(client, files):
    paths, whole = files
    articles = nd.read_articles(paths, cleaned=True)
    single = newsim.read_articles(whole)
    single.cleaned = True
    X = nd.fit_transform(newsim.TfidfVectorizer(title_weight=2), articles)
    _same_csr(X.compute(), newsim.TfidfVectorizer(title_weight=2).fit_transform(single))


def _pages(n: int, seed: int):
    """Scraped pages: site furniture repeated across articles (a partition alone sees too
    few repeats of some lines to call them furniture), with titles and sources."""
    rng = np.random.default_rng(seed)
    furniture = ["Sign up for our newsletter", "Share this article", "Most read",
                 "Advertisement", "Copyright 2024 The Daily"]
    out = []
    for i in range(n):
        lines = [furniture[k] for k in range(5) if rng.random() < 0.3]
        lines += [f"Title number {i}", f"Body sentence {i} about talks between the "
                  f"ministers, officials said on day {i % 7}.", "More text follows here."]
        rng.shuffle(lines[:-2])
        out.append({"id": f"p{i}", "text": "\n\n".join(lines),
                    "source": ["daily", "weekly"][i % 2], "date": f"2024-01-{1 + i % 28:02d}"})
    return out


def test_clean_gives_what_cleaning_the_whole_corpus_gives(client):
    pages = _pages(60, 0)
    articles = nd.from_bag(db.from_sequence(pages, npartitions=6))
    whole = newsim.read_articles(pages)
    got, want = nd.clean(articles), newsim.clean(whole)
    pdt.assert_frame_equal(got.audit, want.audit)
    assert got.labels == want.labels
    assert got.corpus.cleaned and got.corpus.lengths == articles.lengths
    pdt.assert_frame_equal(got.corpus.compute().to_pandas(), want.corpus.to_pandas())
    # Cleaning each partition on its own counts fewer repeats: not the same.
    alone = [t for k in range(6) for t in newsim.clean(whole[k * 10:(k + 1) * 10]).corpus.texts]
    assert alone != want.corpus.texts
    assert nd.clean(articles, audit=False).audit is None


def test_articles_not_cleaned_are_cleaned_over_all_partitions(client):
    pages = _pages(60, 1)
    articles = nd.from_bag(db.from_sequence(pages, npartitions=6))
    whole = newsim.read_articles(pages)
    X = nd.fit_transform(newsim.TfidfVectorizer(title_weight=2), articles)
    _same_csr(X.compute(), newsim.TfidfVectorizer(title_weight=2).fit_transform(whole))
    _same_stories(nd.cluster_stories(articles, threshold=0.3),
                  newsim.cluster_stories(whole, threshold=0.3))


def test_news_and_hashing_vectorizers_transform_per_partition(client, text_bag, texts):
    news = newsim.NewsVectorizer().fit(texts)
    _same_csr(nd.transform(news, text_bag).compute(), news.transform(texts))
    with pytest.raises(TypeError, match="cannot be fitted in pieces"):
        nd.fit_vectorizer(newsim.NewsVectorizer(), text_bag)
    hashing = nd.fit_vectorizer(newsim.HashingVectorizer(n_features=2 ** 12), text_bag)
    _same_csr(nd.transform(hashing, text_bag).compute(), hashing.transform(texts))


# -- neighbours -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tfidf(client, text_bag, texts):
    v = nd.fit_vectorizer(newsim.TfidfVectorizer(), text_bag)
    return nd.transform(v, text_bag), v.transform(texts)


@pytest.mark.parametrize("k, exclude_self", [(10, True), (3, False), (1, True)])
def test_top_k_equals_the_single_machine_top_k(client, tfidf, k, exclude_self):
    X, single = tfidf
    idx, scores = nd.top_k(X, k, exclude_self=exclude_self)
    want_idx, want_scores = newsim.top_k(single, k, exclude_self=exclude_self)
    assert np.array_equal(idx, want_idx)
    assert np.array_equal(scores, want_scores)


def _tied_matrix(seed: int, n: int) -> sp.csr_matrix:
    """Rows drawn from a few patterns (and a few empty rows): many exact ties."""
    rng = np.random.default_rng(seed)
    patterns = sp.random(6, 40, density=0.2, random_state=seed, format="csr")
    patterns.data = np.round(patterns.data * 4) + 1
    X = patterns[rng.integers(0, 6, n)]
    X = sp.vstack([X, sp.csr_matrix((3, 40))]).tocsr()
    return X[rng.permutation(X.shape[0])]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_top_k_breaks_ties_as_the_core_does(client, seed):
    X = _tied_matrix(seed, 57)
    Y = _tied_matrix(seed + 10, 23)
    for blocks in (1, 4, 9):
        B = nd.RowBlocks.from_matrix(X, blocks)
        for k in (1, 5, 100):  # 100: more than the rows, clamped as the core clamps
            got = nd.top_k(B, k)
            want = newsim.top_k(X, k)
            assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
        got = nd.top_k(B, 4, Y=nd.RowBlocks.from_matrix(Y, 3), metric="dot")
        want = newsim.top_k(X, 4, Y=Y, metric="dot")
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def test_top_k_checks_its_arguments(client, tfidf):
    X, _ = tfidf
    with pytest.raises(ValueError, match="k must be a positive int"):
        nd.top_k(X, 0)
    with pytest.raises(TypeError, match="RowBlocks"):
        nd.top_k(tfidf[1], 3)
    with pytest.raises(ValueError, match="columns"):
        nd.top_k(X, 3, Y=nd.RowBlocks.from_matrix(sp.random(4, 7, format="csr"), 2))


def test_similarity_join_equals_the_single_machine_join(client, tfidf):
    X, single = tfidf
    _same_csr(nd.similarity_join(X, 0.3), newsim.similarity_join(single, 0.3))
    pdt.assert_frame_equal(nd.similarity_join(X, 0.6, as_frame=True),
                           newsim.similarity_join(single, 0.6, as_frame=True))
    Y = nd.RowBlocks.from_matrix(single[:200], 2)
    _same_csr(nd.similarity_join(X, 0.4, Y=Y), newsim.similarity_join(single, 0.4, Y=single[:200]))
    with pytest.raises(ValueError, match="more than max_pairs = 10"):
        nd.similarity_join(X, 0.3, max_pairs=10)


# -- near-duplicates ------------------------------------------------------------------------------

def _same_near_duplicates(got, want) -> None:
    pdt.assert_frame_equal(got.pairs, want.pairs)
    assert got.groups == want.groups
    assert got.canonical == want.canonical
    assert got.candidates == want.candidates
    assert got.n == want.n and got.ids == want.ids


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_near_duplicates_equal_the_single_machine_ones(client, text_bag, texts, threshold):
    got = nd.near_duplicates(text_bag, threshold)
    want = newsim.near_duplicates(texts, threshold)
    assert len(want.pairs) > 20 and len(want.groups) > 10  # copies and near-copies are there
    _same_near_duplicates(got, want)


def test_near_duplicates_of_articles_keep_ids_and_dates(client, files):
    paths, whole = files
    got = nd.near_duplicates(nd.read_articles(paths), 0.6, num_perm=64)
    want = newsim.near_duplicates(newsim.read_articles(whole), 0.6, num_perm=64)
    assert "id_a" in got.pairs.columns
    _same_near_duplicates(got, want)


def test_near_duplicates_of_random_rewrites(client):
    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(300)]
    base = [" ".join(rng.choice(words, 60)) for _ in range(40)]
    docs = []
    for _ in range(400):  # edits, cuts, exact copies, empty texts
        b = base[rng.integers(0, 40)].split()
        kind = rng.integers(0, 4)
        if kind == 0:
            b[rng.integers(0, 60)] = "edited"
        elif kind == 1:
            b = b[:rng.integers(5, 60)]
        elif kind == 2 and rng.random() < 0.2:
            b = []
        docs.append(" ".join(b))
    dates = [None if rng.random() < 0.3 else float(rng.integers(0, 10**6)) for _ in docs]
    bag = nd.from_bag(db.from_sequence(docs, npartitions=5))
    for threshold in (0.3, 0.7, 1.0):
        _same_near_duplicates(nd.near_duplicates(bag, threshold, dates=dates, shingle_size=3),
                              newsim.near_duplicates(docs, threshold, dates=dates,
                                                     shingle_size=3))
    with pytest.raises(ValueError, match="more than max_pairs = 5"):
        nd.near_duplicates(bag, 0.3, max_pairs=5)
    with pytest.raises(ValueError, match="give a threshold"):
        nd.near_duplicates(bag)


# -- stories --------------------------------------------------------------------------------------

def _same_stories(got, want) -> None:
    assert np.array_equal(got.labels, want.labels)
    pdt.assert_frame_equal(got.stories, want.stories)
    assert got.ids == want.ids
    assert list(got.features.get_feature_names_out()) == \
        list(want.features.get_feature_names_out())
    assert np.array_equal(got.features.weights_, want.features.weights_)


@pytest.mark.parametrize("options", [
    {},                                          # a 7-day window over dated articles
    {"time_window": 0},                          # every pair of blocks
    {"linkage": "single", "time_window": 2},
    {"max_neighbors": 3, "threshold": 0.3},      # partners pruned per node
])
def test_cluster_stories_equal_the_single_machine_stories(client, reuters, options):
    texts = [r["text"] for r in reuters[:900]]
    dates = [r["date"] or None for r in reuters[:900]]
    bag = nd.from_bag(db.from_sequence(texts, npartitions=4))
    got = nd.cluster_stories(bag, dates=dates, **options)
    want = newsim.cluster_stories(texts, dates=dates, **options)
    assert (want.stories["size"] > 1).sum() > 20
    _same_stories(got, want)


def test_cluster_stories_of_cleaned_articles_and_undated_texts(client, files, texts):
    paths, whole = files
    single = newsim.read_articles(whole)
    single.cleaned = True
    _same_stories(nd.cluster_stories(nd.read_articles(paths, cleaned=True), key_terms=3),
                  newsim.cluster_stories(single, key_terms=3))
    bag = nd.from_bag(db.from_sequence(texts[:400], npartitions=3))  # no dates at all
    _same_stories(nd.cluster_stories(bag), newsim.cluster_stories(texts[:400]))


def test_stories_of_random_texts_with_copies_and_ties(client):
    # Identical texts (one node of several articles, under a window only with one date) and
    # equal scores between copies of a few patterns.
    for seed in range(3):
        rng = np.random.default_rng(seed)
        words = [f"Word{i}" if i % 5 == 0 else f"word{i}" for i in range(60)]
        patterns = [" ".join(rng.choice(words, 12)) for _ in range(8)]
        docs = [patterns[rng.integers(0, 8)] if rng.random() < 0.6 else
                patterns[rng.integers(0, 8)] + " " + " ".join(rng.choice(words, 4))
                for _ in range(160)] + [""] * 3
        dates = [None if rng.random() < 0.2 else float(rng.integers(0, 12)) * 86400
                 for _ in docs]
        bag = nd.from_bag(db.from_sequence(docs, npartitions=3))
        for linkage in ("average", "single"):
            for window in (3, 0):
                options = dict(dates=dates, linkage=linkage, time_window=window,
                               max_neighbors=4)
                _same_stories(nd.cluster_stories(bag, **options),
                              newsim.cluster_stories(docs, **options))


def test_docstring_examples(client):
    result = doctest.testmod(nd, extraglobs={"newsim": newsim},
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 15


# -- workers that die -----------------------------------------------------------------------------
# Last in the file: each leaves the cluster to restart its worker.

def _die_once(marker: str, text: str) -> str:
    if not os.path.exists(marker):
        with open(marker, "w"):
            pass
        os._exit(1)  # the worker process dies in the middle of the partition
    return text


def _die_always(text: str) -> str:
    os._exit(1)


def _wait_for_workers(client, n: int = 2) -> None:
    """Until the cluster is whole again and idle (the nanny restarts a dead worker)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        info = client.scheduler_info()["workers"]
        if len(info) >= n and not any(client.processing().values()):
            return
        time.sleep(0.1)
    raise AssertionError("the cluster did not come back to two idle workers in 60 s")


def test_a_worker_killed_once_is_retried_and_the_result_is_complete(client, texts, tmp_path):
    marker = str(tmp_path / "died")
    bag = db.from_sequence(texts[:600], npartitions=3).map(lambda t, m=marker: _die_once(m, t))
    got = nd.near_duplicates(nd.from_bag(bag), 0.5)
    assert os.path.exists(marker)  # a worker did die
    _same_near_duplicates(got, newsim.near_duplicates(texts[:600], 0.5))
    _wait_for_workers(client)


def test_a_worker_that_keeps_dying_fails_the_call_clearly(client, texts):
    bag = db.from_sequence(texts[:50], npartitions=2).map(_die_always)
    with pytest.raises(RuntimeError, match="a worker died .* no result was returned"):
        nd.from_bag(bag)
    _wait_for_workers(client)


def test_a_worker_killed_mid_top_k_gives_the_whole_result_or_an_error(client, files):
    paths, whole = files
    articles = nd.read_articles(paths, cleaned=True)
    v = nd.fit_vectorizer(newsim.CountVectorizer(ngram_range=(1, 3)), articles)
    X = nd.transform(v, articles)
    single = newsim.read_articles(whole)
    single.cleaned = True
    want = newsim.top_k(v.transform(single), 20)
    pids = client.run(os.getpid)
    outcome = {}

    def run():
        try:
            outcome["result"] = nd.top_k(X, 20, n_jobs=1)
        except Exception as e:  # noqa: BLE001 - the test looks at it
            outcome["error"] = e

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 30
    victim = None
    while victim is None and time.monotonic() < deadline and thread.is_alive():
        busy = [w for w, tasks in client.processing().items() if tasks]
        victim = busy[0] if busy else None
        time.sleep(0.01)
    assert victim is not None, "top_k ended before a worker could be killed"
    os.kill(pids[victim], signal.SIGKILL)
    thread.join(120)
    assert not thread.is_alive()
    if "error" in outcome:
        assert isinstance(outcome["error"], RuntimeError)
        assert "no result was returned" in str(outcome["error"])
    else:
        idx, scores = outcome["result"]
        assert np.array_equal(idx, want[0]) and np.array_equal(scores, want[1])
    _wait_for_workers(client)
