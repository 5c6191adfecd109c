"""Stories: cluster_stories, StoryClusterer and StoryFeatures.

Average and single link are compared with scipy's hierarchical clustering on the dense cosine
distance matrix; incremental clustering with the one-call result; quality on ECB+ with B-cubed
against a scikit-learn TF-IDF + scipy average-link baseline.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.base import BaseEstimator

import newsim
from newsim import _core
from newsim.similarity import _parts


class RowsVectorizer(BaseEstimator):
    """A vectorizer for tests: text "i" becomes row i of a fixed matrix."""

    def __init__(self, X=None):
        self.X = X

    def fit(self, texts, y=None):
        return self

    def transform(self, texts):
        return sp.csr_matrix(self.X)[[int(t) for t in texts]]

    def get_feature_names_out(self, input_features=None):
        return np.array([f"t{j}" for j in range(self.X.shape[1])], dtype=object)


def features_for(X) -> newsim.StoryFeatures:
    """StoryFeatures whose rows are X's (scaled to unit length), no entity weighting."""
    texts = [str(i) for i in range(X.shape[0])]
    return newsim.StoryFeatures(entity_weight=1.0, vectorizer=RowsVectorizer(X)).fit(texts)


def row_texts(n: int):
    return [str(i) for i in range(n)]


def same_partition(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def scipy_labels(X, threshold, method):
    """Flat clusters of scipy's linkage on cosine distances, cut at 1 - threshold."""
    X = sp.csr_matrix(X, dtype=float)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    U = sp.diags(1 / norms) @ X
    D = np.clip(1 - (U @ U.T).toarray(), 0, 2)
    np.fill_diagonal(D, 0)
    Z = linkage(squareform(D, checks=False), method=method)
    return fcluster(Z, t=1 - threshold, criterion="distance")


def random_nonnegative(rng, n, v, density):
    X = sp.random(n, v, density=density, random_state=rng, format="csr")
    # A few shared "topics", so that there is structure to find.
    topics = sp.random(6, v, density=0.05, random_state=rng, format="csr")
    which = rng.integers(0, 6, size=n)
    X = X + sp.csr_matrix(topics[which].multiply(rng.uniform(0.5, 3, size=(n, 1))))
    return sp.csr_matrix(X)


@pytest.fixture(scope="module")
def ecb(corpora_dir):
    path = corpora_dir / "ecbplus_dev.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"corpus {path} not found (corpora live in <repo>/../shared/corpora)")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh if line.strip()]
    return dict(texts=[r["text"] for r in recs], story=[r["story"] for r in recs],
                topic=[r["topic"] for r in recs], ids=[r["id"] for r in recs])


@pytest.fixture(scope="module")
def ecb_default(ecb):
    return newsim.cluster_stories(ecb["texts"])


# ---------------------------------------------------------------------------------------
# Parity with scipy
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threshold", [0.15, 0.3, 0.5])
def test_average_link_equals_scipy_on_random_data(seed, threshold):
    rng = np.random.default_rng(seed)
    X = random_nonnegative(rng, int(rng.integers(20, 90)), 60, 0.08)
    f = features_for(X)
    r = newsim.cluster_stories(row_texts(X.shape[0]), threshold=threshold, features=f,
                               min_similarity=1e-9, key_terms=0)
    ref = scipy_labels(X, threshold, "average")
    assert same_partition(r.labels, ref), (r.labels.tolist(), ref.tolist())
    assert 1 < len(set(ref)) < X.shape[0]  # neither trivial
    # Labels number stories by their first article.
    first_seen = list(dict.fromkeys(r.labels.tolist()))
    assert first_seen == list(range(len(first_seen)))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threshold", [0.5, 0.7])
def test_single_link_without_cohesion_equals_scipy(seed, threshold):
    rng = np.random.default_rng(50 + seed)
    X = random_nonnegative(rng, int(rng.integers(20, 90)), 60, 0.08)
    f = features_for(X)
    r = newsim.cluster_stories(row_texts(X.shape[0]), threshold=threshold, linkage="single",
                               cohesion=0.0, features=f, min_similarity=1e-9, key_terms=0)
    ref = scipy_labels(X, threshold, "single")
    assert same_partition(r.labels, ref), (r.labels.tolist(), ref.tolist())
    assert 1 < len(set(ref)) < X.shape[0]


def test_average_link_equals_scipy_on_real_articles(ecb):
    # Three ECB+ topics (six stories), on the library's own features.
    keep = [i for i, t in enumerate(ecb["topic"]) if t in set(sorted(set(ecb["topic"]))[:3])]
    texts = [ecb["texts"][i] for i in keep]
    f = newsim.StoryFeatures().fit(texts)
    X = f.transform(texts)
    for threshold in (0.1, 0.2, 0.35):
        r = newsim.cluster_stories(texts, threshold=threshold, features=f, min_similarity=1e-9)
        ref = scipy_labels(X, threshold, "average")
        assert same_partition(r.labels, ref), threshold
    single = newsim.cluster_stories(texts, threshold=0.3, linkage="single", cohesion=0,
                                    features=f, min_similarity=1e-9)
    assert same_partition(single.labels, scipy_labels(X, 0.3, "single"))


def chain_features():
    # cos(A, B) = cos(B, C) = 0.5, cos(A, C) = 0; D far from everything.
    X = np.array([[1, 0, 0, 0], [1, np.sqrt(2), 1, 0], [0, 0, 1, 0], [0, 0, 0, 1]], float)
    return features_for(sp.csr_matrix(X))


def test_single_link_cohesion_refuses_chains():
    f = chain_features()
    texts = row_texts(4)
    chained = newsim.cluster_stories(texts, threshold=0.4, linkage="single", cohesion=0.0,
                                     features=f)
    assert chained.labels.tolist() == [0, 0, 0, 1]
    # The chain's mean pairwise cosine is (0.5 + 0.5 + 0) / 3 = 1/3.
    refused = newsim.cluster_stories(texts, threshold=0.4, linkage="single", cohesion=0.34,
                                     features=f)
    assert sorted(np.bincount(refused.labels).tolist()) == [1, 1, 2]
    assert refused.labels[3] not in refused.labels[:3]
    allowed = newsim.cluster_stories(texts, threshold=0.4, linkage="single", cohesion=0.33,
                                     features=f)
    assert allowed.labels.tolist() == [0, 0, 0, 1]
    # Average link: (0 + 0.5) / 2 = 0.25 between {A, B} and C.
    avg = newsim.cluster_stories(texts, threshold=0.4, features=f)
    assert sorted(np.bincount(avg.labels).tolist()) == [1, 1, 2]
    assert newsim.cluster_stories(texts, threshold=0.25, features=f,
                                  min_similarity=0.01).labels.tolist() == [0, 0, 0, 1]


def test_min_similarity_drops_weak_pairs():
    # Two clusters joined by weak pairs only: with min_similarity above them the clusters
    # cannot merge even at a low threshold.
    X = np.array([[1, 0.1], [1, 0.12], [0.1, 1], [0.12, 1]], float)
    f = features_for(sp.csr_matrix(X))
    texts = row_texts(4)
    assert newsim.cluster_stories(texts, threshold=0.05, features=f,
                                  min_similarity=1e-9).n_stories == 1
    assert newsim.cluster_stories(texts, threshold=0.25, features=f,
                                  min_similarity=0.25).labels.tolist() == [0, 0, 1, 1]


# ---------------------------------------------------------------------------------------
# Time windows
# ---------------------------------------------------------------------------------------


SUMMIT = ["Leaders meet at the NATO summit in Brussels to discuss missile defence plans",
          "NATO summit in Brussels: leaders discuss missile defence plans",
          "At the NATO summit in Brussels leaders discussed missile defence plans"]


def test_time_window_keeps_events_a_year_apart():
    texts = SUMMIT + SUMMIT
    dates = ["2020-06-01", "2020-06-02", "2020-06-02T12:00", "2021-06-01", "2021-06-03",
             "2021-06-02"]
    # No window (0): one story. The default window (7 days) keeps the years apart.
    together = newsim.cluster_stories(texts, dates=dates, time_window=0)
    assert together.n_stories == 1
    assert newsim.cluster_stories(texts, dates=dates).labels.tolist() == [0, 0, 0, 1, 1, 1]
    for window in ("30D", 30, 30.0, dt.timedelta(days=30), pd.Timedelta("30D")):
        apart = newsim.cluster_stories(texts, dates=dates, time_window=window)
        assert apart.labels.tolist() == [0, 0, 0, 1, 1, 1], window
    # A window of 0 is no window.
    assert newsim.cluster_stories(texts, dates=dates, time_window=0).n_stories == 1
    # No dates: no limit.
    assert newsim.cluster_stories(texts, time_window="30D").n_stories == 1


def test_time_window_boundary_and_undated_articles():
    texts = SUMMIT[:2]
    base = pd.Timestamp("2020-01-01T00:00:00Z")
    at = [base, base + pd.Timedelta(days=30)]
    assert newsim.cluster_stories(texts, dates=at, time_window="30D").n_stories == 1
    over = [base, base + pd.Timedelta(days=30, seconds=1)]
    assert newsim.cluster_stories(texts, dates=over, time_window="30D").n_stories == 2
    # An undated article is not limited by the window.
    assert newsim.cluster_stories(texts, dates=[base, None], time_window="1D").n_stories == 1
    assert newsim.cluster_stories(texts, dates=[None, ""], time_window="1D").n_stories == 1


def test_seed_articles_are_one_storyline(seed_texts):
    corpus = newsim.read_articles(str(newsim_seeds_dir()))
    assert len(corpus) == 5
    r = newsim.cluster_stories(corpus)
    assert r.labels.tolist() == [0] * 5
    assert r.stories["size"].tolist() == [5]
    assert list(r.to_pandas().columns) == ["position", "id", "story"]
    assert r.to_pandas()["id"].tolist() == corpus.ids
    # The same from the raw texts, dates=None.
    assert newsim.cluster_stories(seed_texts, dates=None).labels.tolist() == [0] * 5
    # Spread over two years, a 90-day window splits them by year.
    dates = ["2010-10-18", "2010-10-19", "2011-11-20", "2011-11-23", "2011-11-25"]
    split = newsim.cluster_stories(corpus, dates=dates, time_window="90D")
    assert split.labels.tolist() == [0, 0, 1, 1, 1]
    table = split.stories.set_index("story")
    assert table.loc[0, "first_date"] == pd.Timestamp("2010-10-18", tz="UTC")
    assert table.loc[1, "last_date"] == pd.Timestamp("2011-11-25", tz="UTC")
    # Without a window the dates change nothing; the default window (7 days) splits them.
    assert newsim.cluster_stories(corpus, dates=dates, time_window=0).labels.tolist() == [0] * 5
    assert newsim.cluster_stories(corpus, dates=dates).labels.tolist() == [0, 0, 1, 1, 1]


def newsim_seeds_dir():
    from pathlib import Path

    d = Path(__file__).resolve().parents[2] / "data" / "seeds"
    if not d.is_dir():
        pytest.skip(f"{d} not found")
    return d


# ---------------------------------------------------------------------------------------
# Incremental clustering, threads
# ---------------------------------------------------------------------------------------


def test_clusterer_batches_equal_one_call_on_ecb(ecb):
    texts = ecb["texts"]
    f = newsim.StoryFeatures().fit(texts)
    one = newsim.cluster_stories(texts, features=f)
    c = newsim.StoryClusterer(features=f)
    cuts = [0, 1, 40, 41, 200, 390, len(texts)]
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        labels = c.add(texts[lo:hi])
        assert len(labels) == hi == len(c)
        np.testing.assert_array_equal(labels, c.labels_)
        # At every step: the partition cluster_stories finds on the articles so far.
        so_far = newsim.cluster_stories(texts[:hi], features=f, key_terms=0)
        assert same_partition(labels, so_far.labels), hi
    assert same_partition(c.labels_, one.labels)
    assert newsim.adjusted_rand_index(c.labels_, one.labels) == 1.0
    assert c.stories()["size"].sort_values().tolist() == \
        one.stories["size"].sort_values().tolist()


def test_clusterer_batches_with_dates_and_window_equal_one_call(ecb):
    texts = ecb["texts"]
    rng = np.random.default_rng(0)
    dates = [None if rng.random() < 0.2 else
             f"2020-{rng.integers(1, 13):02d}-{rng.integers(1, 28):02d}" for _ in texts]
    f = newsim.StoryFeatures().fit(texts)
    one = newsim.cluster_stories(texts, dates=dates, time_window="20D", features=f)
    plain = newsim.cluster_stories(texts, features=f)
    assert one.n_stories > plain.n_stories + 50  # the window matters here
    c = newsim.StoryClusterer(time_window="20D", features=f)
    for lo in range(0, len(texts), 124):
        labels = c.add(texts[lo:lo + 124], dates=dates[lo:lo + 124])
    assert same_partition(labels, one.labels)
    pd.testing.assert_series_equal(
        c.stories().sort_values("story")["first_date"].reset_index(drop=True),
        one.stories.sort_values("story")["first_date"].reset_index(drop=True))


def test_empty_clusterer():
    c = newsim.StoryClusterer()
    assert len(c) == 0 and c.labels_.tolist() == []
    # Like NearDuplicateIndex().result(), an empty clusterer has an empty story table.
    table = c.stories()
    assert isinstance(table, pd.DataFrame) and table.empty
    assert {"story", "size", "members", "key_terms"} <= set(table.columns)


def expected_ids(old_labels, partition, next_id):
    """The documented id rule: each cluster takes the earlier story it shares most articles
    with (largest overlap first, ties by the smaller old id); the rest get new ids in order of
    their first article."""
    n_old = len(old_labels)
    clusters = {}
    for i, p in enumerate(partition):
        clusters.setdefault(p, []).append(i)
    claims = []
    for p, members in clusters.items():
        counts = {}
        for i in members:
            if i < n_old:
                counts[old_labels[i]] = counts.get(old_labels[i], 0) + 1
        for old, k in counts.items():
            claims.append((-k, old, min(members), p))
    claims.sort()
    id_of, taken = {}, set()
    for _, old, _, p in claims:
        if p in id_of or old in taken:
            continue
        id_of[p] = old
        taken.add(old)
    out = []
    for p in partition:
        if p not in id_of:
            id_of[p] = next_id
            next_id += 1
        out.append(id_of[p])
    return out, next_id


def test_story_ids_follow_the_overlap_rule_on_ecb(ecb):
    texts = ecb["texts"]
    rng = np.random.default_rng(4)
    order = rng.permutation(len(texts))
    texts = [texts[i] for i in order]
    f = newsim.StoryFeatures().fit(texts)
    c = newsim.StoryClusterer(features=f)
    old, next_id = [], 0
    for lo, hi in zip(range(0, 496, 100), list(range(100, 496, 100)) + [496]):
        labels = c.add(texts[lo:hi]).tolist()
        ref, next_id = expected_ids(old, labels, next_id)
        assert labels == ref, lo
        old = labels


def test_story_ids_stable_when_stories_grow():
    rain = ["Floods hit the north of England after heavy rain",
            "Heavy rain brings floods to the north of England"]
    nato = ["Russia warns NATO over missile shield in Poland",
            "NATO missile shield in Poland angers Russia"]
    quake = ["Earthquake shakes Tokyo buildings, no tsunami warning",
             "Tokyo earthquake shakes buildings; tsunami warning not issued"]
    f = newsim.StoryFeatures().fit(rain + nato + quake + [rain[0] + " again", nato[1] + " today"])
    c = newsim.StoryClusterer(features=f)
    assert c.add([nato[0], rain[0], nato[1]]).tolist() == [0, 1, 0]
    assert c.add([rain[1], quake[0]]).tolist() == [0, 1, 0, 1, 2]
    assert c.add([quake[1], rain[0] + " again", nato[1] + " today"]).tolist() == \
        [0, 1, 0, 1, 2, 2, 1, 0]
    stories = c.stories().set_index("story")
    assert stories.loc[0, "members"] == [0, 2, 7]
    assert stories.loc[2, "members"] == [4, 5]


def test_clusterer_shared_by_threads(ecb):
    # Issue 20: adds from 4 threads crashed. Now they run one at a time, readers wait, and the
    # result is the one-call partition of the articles in the order they were added.
    import threading

    texts = ecb["texts"]
    f = newsim.StoryFeatures().fit(texts)
    c = newsim.StoryClusterer(features=f, n_jobs=1)
    batches = [list(range(k, min(k + 31, len(texts)))) for k in range(0, len(texts), 31)]
    landed = {}
    errors = []

    def work(mine):
        try:
            for b in mine:
                labels = c.add([texts[i] for i in batches[b]])
                landed[b] = len(labels) - len(batches[b])
                assert len(c.labels_) >= len(labels)
                c.stories()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(range(t, len(batches), 4),))
               for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(c) == len(texts)
    order = [None] * len(texts)
    for b, start in landed.items():
        for k, i in enumerate(batches[b]):
            order[start + k] = i
    assert sorted(order) == list(range(len(texts)))
    one = newsim.cluster_stories([texts[i] for i in order], features=f, key_terms=0)
    assert same_partition(c.labels_, one.labels)


def test_ten_thousand_identical_texts_are_fast():
    # Issue 20: this built all 50 M pairs and ran out of memory.
    import time

    text = "The same wire story, printed again and again by every paper in the land."
    start = time.perf_counter()
    r = newsim.cluster_stories([text] * 10000 + SUMMIT, key_terms=3)
    assert time.perf_counter() - start < 5
    assert r.labels.tolist() == [0] * 10000 + [1, 1, 1]
    assert r.stories["size"].tolist() == [10000, 3]
    assert r.stories["cohesion"].iloc[0] == 1.0


def test_copies_count_in_the_average():
    # Three copies of A against one B: the link of {A, A, A} to C is A's, and copies weigh as
    # articles (the mean over all article pairs), as if each copy were clustered separately.
    X = np.array([[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0.2]], float)
    f = features_for(sp.csr_matrix(X))
    for threshold in (0.3, 0.5, 0.7):
        r = newsim.cluster_stories(row_texts(5), threshold=threshold, features=f,
                                   min_similarity=1e-9, key_terms=0)
        assert same_partition(r.labels, scipy_labels(X, threshold, "average")), threshold


def test_same_labels_for_any_thread_count(ecb):
    r1 = newsim.cluster_stories(ecb["texts"], n_jobs=1)
    r2 = newsim.cluster_stories(ecb["texts"], n_jobs=2)
    np.testing.assert_array_equal(r1.labels, r2.labels)
    pd.testing.assert_frame_equal(r1.stories, r2.stories)
    s1 = newsim.cluster_stories(ecb["texts"], linkage="single", n_jobs=1)
    s2 = newsim.cluster_stories(ecb["texts"], linkage="single", n_jobs=2)
    np.testing.assert_array_equal(s1.labels, s2.labels)


# ---------------------------------------------------------------------------------------
# Quality on ECB+
# ---------------------------------------------------------------------------------------


def test_ecb_b_cubed_meets_target_and_beats_tfidf_baseline(ecb, ecb_default):
    truth = ecb["story"]
    ours = newsim.b_cubed(truth, ecb_default.labels)
    assert ours.f1 >= 0.93, ours
    from sklearn.feature_extraction.text import TfidfVectorizer

    X = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(ecb["texts"])
    D = np.clip(1 - (X @ X.T).toarray(), 0, 2)
    np.fill_diagonal(D, 0)
    Z = linkage(squareform(D, checks=False), method="average")
    baseline = max(newsim.b_cubed(truth, fcluster(Z, t=t, criterion="distance")).f1
                   for t in np.arange(0.5, 0.951, 0.01))
    assert 0.8 < baseline < ours.f1, (baseline, ours.f1)


def test_ecb_keeps_the_two_events_of_a_topic_apart(ecb, ecb_default):
    # Every topic holds two events; most topics must come out with at least two stories.
    labels = ecb_default.labels
    topics = {}
    for t, lab in zip(ecb["topic"], labels):
        topics.setdefault(t, set()).add(int(lab))
    split = sum(len(s) >= 2 for s in topics.values())
    assert split >= 0.8 * len(topics), (split, len(topics))


# ---------------------------------------------------------------------------------------
# The story table
# ---------------------------------------------------------------------------------------


def check_table(r, n):
    t = r.stories
    assert r.n_stories == len(t) == len(set(r.labels.tolist()))
    assert sorted(m for ms in t["members"] for m in ms) == list(range(n))
    assert t["size"].tolist() == sorted(t["size"].tolist(), reverse=True)
    for _, row in t.iterrows():
        members = row["members"]
        assert row["size"] == len(members)
        assert members == sorted(members)
        assert (r.labels[members] == row["story"]).all()
        assert row["representative"] in members
        assert 0 <= row["cohesion"] <= 1 + 1e-12
        if len(members) == 1:
            assert row["cohesion"] == 1.0
        assert all(isinstance(k, str) and k for k in row["key_terms"])
    return t


def test_story_table_on_ecb(ecb, ecb_default):
    t = check_table(ecb_default, len(ecb["texts"]))
    assert list(t.columns) == ["story", "size", "representative", "title", "first_date",
                               "last_date", "key_terms", "cohesion", "members"]
    assert t["first_date"].isna().all() and t["last_date"].isna().all()
    assert (t["key_terms"].map(len) <= 10).all()
    assert (t[t["size"] > 1]["key_terms"].map(len) == 10).all()
    # Cohesion is the mean cosine of member pairs, on the fitted features.
    X = ecb_default.features.transform(ecb["texts"])
    for _, row in t[t["size"] > 1].head(8).iterrows():
        m = row["members"]
        S = (X[m] @ X[m].T).toarray()
        pairs = S[np.triu_indices(len(m), 1)]
        floor = 0.2 / 2  # pairs below min_similarity count as 0
        expected = np.where(pairs >= floor, pairs, 0).mean()
        assert row["cohesion"] == pytest.approx(expected, rel=1e-9)
        # The representative is the member most similar, in sum, to the others.
        sums = np.where(S >= floor, S, 0).sum(axis=1) - np.diag(S) * (np.diag(S) >= floor)
        assert sums[m.index(row["representative"])] == pytest.approx(sums.max(), rel=1e-12)
    # key_terms=3 gives three.
    r3 = newsim.cluster_stories(ecb["texts"][:60], key_terms=3)
    assert (r3.stories["key_terms"].map(len) <= 3).all()


def test_story_table_with_dates_and_corpus():
    texts = SUMMIT + ["Floods hit the north of England after heavy rain",
                      "Heavy rain brings floods to the north of England"]
    corpus = newsim.Corpus([{"id": f"doc{i}", "text": t, "title": t[:20]}
                            for i, t in enumerate(texts)])
    dates = ["2020-06-03", "2020-06-01", None, "2020-07-01T10:00:00+02:00", "2020-06-30"]
    r = newsim.cluster_stories(corpus, dates=dates)
    t = check_table(r, 5)
    assert list(t.columns) == ["story", "size", "representative", "representative_id",
                               "title", "first_date", "last_date", "key_terms", "cohesion",
                               "members"]
    assert r.labels.tolist() == [0, 0, 0, 1, 1]
    t = t.set_index("story")
    assert t.loc[0, "first_date"] == pd.Timestamp("2020-06-01", tz="UTC")
    assert t.loc[0, "last_date"] == pd.Timestamp("2020-06-03", tz="UTC")
    assert t.loc[1, "first_date"] == pd.Timestamp("2020-06-30", tz="UTC")
    assert t.loc[1, "last_date"] == pd.Timestamp("2020-07-01T08:00", tz="UTC")
    assert str(t.loc[0, "first_date"].tz) == "UTC"
    for s in (0, 1):
        rep = t.loc[s, "representative"]
        assert t.loc[s, "representative_id"] == f"doc{rep}"
        assert t.loc[s, "title"] == texts[rep][:20]
    assert any("nato" in k or "summit" in k for k in t.loc[0, "key_terms"])
    assert any("flood" in k or "rain" in k for k in t.loc[1, "key_terms"])
    assert r.to_pandas()["id"].tolist() == [f"doc{i}" for i in range(5)]


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


def test_bad_texts_raise():
    with pytest.raises(TypeError, match="single str"):
        newsim.cluster_stories("one text")
    with pytest.raises(TypeError, match="document 1 is a bytes"):
        newsim.cluster_stories(["fine text", b"bytes text"])
    with pytest.raises(TypeError, match="document 0 is a float"):
        newsim.StoryClusterer().add([float("nan"), "text"])
    with pytest.raises(ValueError):
        newsim.cluster_stories([])
    # Texts without a term that could link two: one story per text (it was "empty
    # vocabulary").
    assert newsim.cluster_stories(["", "  "]).labels.tolist() == [0, 1]
    r = newsim.cluster_stories(["", "!!!"])
    assert r.labels.tolist() == [0, 1] and r.stories["size"].tolist() == [1, 1]
    assert newsim.cluster_stories(["apple", "banana", "cherry"]).labels.tolist() == [0, 1, 2]
    # Empty texts among others: each is a story of its own.
    r = newsim.cluster_stories(SUMMIT + ["", ""])
    assert r.labels.tolist() == [0, 0, 0, 1, 2]


@pytest.mark.parametrize("kwargs,match", [
    (dict(threshold=0), "threshold"),
    (dict(threshold=1.5), "threshold"),
    (dict(threshold=float("nan")), "threshold"),
    (dict(cohesion=-0.1), "cohesion"),
    (dict(cohesion=2), "cohesion"),
    (dict(min_similarity=0.5), "min_similarity"),     # above the threshold
    (dict(min_similarity=0), "min_similarity"),
    (dict(linkage="complete"), "linkage"),
    (dict(time_window=-1), "time_window"),
    (dict(time_window=float("inf")), "time_window"),
    (dict(time_window="soon"), "time_window"),
    (dict(time_window="-3D"), "time_window"),
    (dict(key_terms=-1), "key_terms"),
    (dict(max_neighbors=0), "max_neighbors"),
    (dict(max_neighbors=2.5), "max_neighbors"),
])
def test_bad_parameters_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        newsim.cluster_stories(SUMMIT, **kwargs)


def test_bad_dates_raise():
    with pytest.raises(ValueError, match="dates has 2 entries for 3 articles"):
        newsim.cluster_stories(SUMMIT, dates=["2020-01-01", None])
    with pytest.raises(ValueError, match=r"dates\[2\]: cannot read 'the day after'"):
        newsim.cluster_stories(SUMMIT, dates=[None, None, "the day after"])
    with pytest.raises(TypeError, match="one date per article"):
        newsim.cluster_stories(SUMMIT, dates="2020-01-01")
    with pytest.raises(TypeError, match="time_window"):
        newsim.cluster_stories(SUMMIT, time_window=True)
    c = newsim.StoryClusterer()
    c.add(SUMMIT[:2])
    with pytest.raises(ValueError, match="dates has 1 entries"):
        c.add(SUMMIT[2:] + ["another"], dates=["2020-01-01"])
    assert len(c) == 2 and c.labels_.tolist() == [0, 0]  # nothing added on an error
    with pytest.raises(ValueError, match="entity_weight"):
        newsim.StoryFeatures(entity_weight=0)
    with pytest.raises(ValueError, match="not fitted"):
        newsim.StoryFeatures().transform(["x"])


def test_story_features_weight_names():
    texts = ["Obama meets Putin in Moscow", "Putin and Obama talk in Moscow", "rain in the north",
             "the rain in the north of Moscow"]
    f = newsim.StoryFeatures().fit(texts)
    assert {"obama", "putin", "moscow"} <= f.entities_
    assert "rain" not in f.entities_
    names = list(f.get_feature_names_out())
    w = dict(zip(names, f.weights_))
    assert w["putin"] == 2.0 and w["rain"] == 1.0
    X = f.transform(texts)
    np.testing.assert_allclose(np.asarray(X.multiply(X).sum(axis=1)).ravel(), 1.0, rtol=1e-12)
    plain = newsim.StoryFeatures(entity_weight=1.0).fit(texts)
    assert plain.entities_ == set() and (plain.weights_ == 1).all()


def test_default_features_cluster_in_the_core_as_from_their_matrix(ecb):
    # StoryClusterer.add hands default features' texts to the core (add_texts): the same
    # labels as clustering the features' matrix, and the features end up fitted as by fit.
    texts = ecb["texts"][:200]
    clusterer = newsim.StoryClusterer()
    labels = clusterer.add(texts)
    f = clusterer.features
    assert f._core is not None and len(f.get_feature_names_out()) == len(f.weights_)
    reference = newsim.StoryFeatures().fit(texts)
    assert f.entities_ == reference.entities_
    np.testing.assert_array_equal(f.weights_, reference.weights_)
    core = _core._StoryClusterer("average", 0.2, 0.1, 0.0, newsim.stories._window(None),
                                 _core._STORY_MAX_NEIGHBORS, 2)
    np.testing.assert_array_equal(labels, core.add(_parts(reference.transform(texts))))
    # A second batch is transformed with the fitted features, in the core as well.
    more = clusterer.add(ecb["texts"][200:260])
    assert same_partition(more, newsim.cluster_stories(ecb["texts"][:260],
                                                       features=reference).labels)
    # The stored word pairs that min_df dropped are not kept (nothing reads them).
    assert f.vectorizer_.stop_words_ == set()


def test_stories_over_the_article_similarity_preset():
    texts = ["Russia warns NATO over missile shield in Poland",
             "NATO missile shield in Poland angers Russia",
             "Floods hit the north of England after heavy rain",
             "Heavy rain brings floods to the north of England"]
    r = newsim.cluster_stories(texts, features="article")
    assert r.labels.tolist() == [0, 0, 1, 1]
    assert r.stories["size"].tolist() == [2, 2]
    assert any("floods" in t.lower() for t in r.stories.key_terms[1])
    # A high threshold on the preset's scale keeps every article apart.
    assert newsim.cluster_stories(texts, features="article", threshold=1.0).labels.tolist() == \
        [0, 1, 2, 3]


@pytest.mark.parametrize("vectorizer", [None, "sklearn"])
def test_key_terms_are_the_vocabulary_terms_of_their_columns(vectorizer):
    """The story table names key terms without listing the whole vocabulary; the names are
    those of get_feature_names_out, for newsim's vectorizer and for scikit-learn's."""
    from sklearn.feature_extraction.text import TfidfVectorizer as SkTfidf

    texts = ["Putin warns NATO over the missile shield in Europe",
             "NATO missile shield angers Putin, Moscow says",
             "Floods hit northern England after days of rain",
             "Rain and floods across England; rivers burst banks"]
    f = newsim.StoryFeatures(vectorizer=SkTfidf() if vectorizer else None)
    c = newsim.StoryClusterer(0.1, features=f, key_terms=3)
    c.add(texts)
    names = f.get_feature_names_out()
    table = c.stories()
    for st, terms in zip(c._core.stories(3), table["key_terms"]):
        assert terms == [names[t] for t, _ in st["key_terms"]] and len(terms) == 3
    if vectorizer is None:
        core = f.vectorizer_._core
        assert core.feature_names_at([0, len(names) - 1]) == [names[0], names[-1]]
        with pytest.raises(IndexError, match="column .* not in the vocabulary"):
            core.feature_names_at([len(names)])


@pytest.mark.parametrize("cleaned", [False, True])
def test_a_corpus_clusters_as_its_documents(cleaned):
    """A Corpus's documents are made in the core (cleaned first unless the corpus was): the
    stories are those of the same documents given as texts."""
    corpus = newsim.read_articles(str(newsim_seeds_dir()))
    corpus = newsim.clean(corpus).corpus if cleaned else corpus
    extra = newsim.Corpus([{"id": f"x{i}", "title": t[:30], "text": t + " " + t}
                           for i, t in enumerate(SUMMIT)])
    for c in (corpus, extra):
        dates = [None] * len(c)
        a = newsim.StoryClusterer(0.2, key_terms=4)
        b = newsim.StoryClusterer(0.2, key_terms=4)
        got = a.add(c, dates=dates)
        want = b.add(c.documents(), dates=dates)
        assert got.tolist() == want.tolist()
        assert a.stories()["key_terms"].tolist() == b.stories()["key_terms"].tolist()
        assert a.stories()["representative_id"].tolist() == [
            c.ids[r] for r in b.stories()["representative"]]
