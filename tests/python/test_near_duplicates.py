"""Near-duplicates: shingles, MinHash, LSH banding, NearDuplicateIndex and near_duplicates.

MinHash estimates are checked against exact Jaccard indexes (binomial error bounds), LSH
candidate rates against 1 - (1 - J^r)^b, and the Reuters-21578 result against an exact
all-pairs Jaccard computed with a sparse product of the shingle sets.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import stats
from scipy.sparse.csgraph import connected_components

import newsim
from newsim import _core

TOKEN = re.compile(r"(?u)\b\w\w+\b")


def words_of(text: str):
    return TOKEN.findall(text.lower())


def exact(sa: np.ndarray, sb: np.ndarray):
    """(jaccard, containment, cosine) of two shingle sets, as the library defines them."""
    inter = float(np.intersect1d(sa, sb, assume_unique=True).size)
    na, nb = float(sa.size), float(sb.size)
    return inter / (na + nb - inter), inter / min(na, nb), inter / np.sqrt(na * nb)


def binomial_interval(p: float, n: int, tail: float = 1e-6):
    """Counts outside [lo, hi] have probability < 2 * tail under Binomial(n, p)."""
    return stats.binom.ppf(tail, n, p), stats.binom.isf(tail, n, p)


def random_text(rng, n_words: int, vocab_size: int = 20000) -> list:
    """Words 'w<k>' drawn from a large vocabulary, so that repeated 5-grams are rare."""
    return [f"w{k}" for k in rng.integers(0, vocab_size, size=n_words)]


def pairs_set(df) -> set:
    return set(zip(df["a"].tolist(), df["b"].tolist()))


# ---------------------------------------------------------------------------------------
# Shingles and signatures
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8])
def test_shingles_count_distinct_word_ngrams(k, seed_texts):
    texts = list(seed_texts) + [
        "Russia warns NATO. Russia warns NATO. Russia warns NATO again!",
        "one two",                       # fewer words than k: a single shingle
        "a b c ! ? 1",                   # no words of two or more characters
        "",
        "Café crème, déjà vu: naïve façade café crème",
    ]
    for text in texts:
        got = newsim.shingles(text, k)
        assert got.dtype == np.uint64
        assert np.all(np.diff(got.astype(np.float64)) >= 0) and len(np.unique(got)) == len(got)
        w = words_of(text)
        if not w:
            expected = 0
        elif len(w) < k:
            expected = 1
        else:
            expected = len({tuple(w[i:i + k]) for i in range(len(w) - k + 1)})
        assert len(got) == expected, (text[:60], k)


def test_shingles_ignore_case_and_punctuation_only():
    a = newsim.shingles("Russia warns NATO over missile defence plans in Europe", 3)
    b = newsim.shingles("RUSSIA warns nato, over missile-defence plans in Europe!", 3)
    c = newsim.shingles("Russia warns NATO over missile defence plans in Asia", 3)
    np.testing.assert_array_equal(a, b)
    assert len(np.intersect1d(a, c)) == len(a) - 1
    # Word order matters for k >= 2, not for k = 1.
    assert not np.array_equal(newsim.shingles("alpha beta gamma", 2),
                              newsim.shingles("gamma beta alpha", 2))
    np.testing.assert_array_equal(newsim.shingles("alpha beta gamma", 1),
                                  newsim.shingles("gamma beta alpha", 1))


def test_minhash_set_properties():
    rng = np.random.default_rng(0)
    a = np.unique(rng.integers(0, 2**64, size=300, dtype=np.uint64))
    b = np.unique(rng.integers(0, 2**64, size=200, dtype=np.uint64))
    sa, sb = newsim.minhash(a, 64), newsim.minhash(b, 64)
    assert sa.dtype == np.uint32 and sa.shape == (64,)
    # The signature of a union is the element-wise minimum of the signatures.
    np.testing.assert_array_equal(newsim.minhash(np.union1d(a, b), 64), np.minimum(sa, sb))
    # Order and repetition do not matter.
    np.testing.assert_array_equal(newsim.minhash(np.concatenate([a[::-1], a[:50]]), 64), sa)
    # Deterministic for a seed, different for another; a prefix of a longer signature.
    np.testing.assert_array_equal(newsim.minhash(a, 64, seed=1), sa)
    assert (newsim.minhash(a, 64, seed=2) != sa).mean() > 0.9
    np.testing.assert_array_equal(newsim.minhash(a, 128)[:64], sa)
    # The empty set: every value at its maximum; never equal to a real signature's values.
    np.testing.assert_array_equal(newsim.minhash(np.array([], dtype=np.uint64), 16),
                                  np.full(16, 0xFFFFFFFF, dtype=np.uint32))
    assert newsim.estimate_jaccard(sa, sa) == 1.0


def test_minhash_estimates_within_binomial_error_of_exact_jaccard():
    """Synthetic sets with exact Jaccard c / (c + a + b): individually within the binomial
    1e-6 tails, unbiased on average, and with the variance J(1-J)/num_perm."""
    rng = np.random.default_rng(42)
    num_perm = 128
    errors, variances = [], []
    for t in range(400):
        universe = np.unique(rng.integers(0, 2**64, size=900, dtype=np.uint64))
        rng.shuffle(universe)
        c = int(rng.integers(1, 300))
        only_a = int(rng.integers(0, 300))
        only_b = int(rng.integers(0, 300))
        common = universe[:c]
        a = np.concatenate([common, universe[c:c + only_a]])
        b = np.concatenate([common, universe[c + only_a:c + only_a + only_b]])
        j = c / (c + only_a + only_b)
        seed = int(rng.integers(0, 1000))
        est = newsim.estimate_jaccard(newsim.minhash(a, num_perm, seed),
                                      newsim.minhash(b, num_perm, seed))
        lo, hi = binomial_interval(j, num_perm)
        assert lo <= est * num_perm <= hi, f"pair {t}: J={j:.3f}, estimate {est:.3f}"
        errors.append(est - j)
        variances.append(j * (1 - j) / num_perm)
    errors = np.array(errors)
    variances = np.array(variances)
    se_mean = np.sqrt(variances.sum()) / len(errors)
    assert abs(errors.mean()) <= 4 * se_mean, (errors.mean(), se_mean)
    # Independent permutations: the squared errors average to the binomial variance.
    ratio = (errors ** 2).sum() / variances.sum()
    assert 0.75 <= ratio <= 1.3, ratio


def test_minhash_estimates_on_real_text_pairs(seed_texts):
    """Articles against edited copies of themselves: the index's signatures estimate the exact
    Jaccard of the index's shingle sets."""
    rng = np.random.default_rng(9)
    texts = []
    for text in seed_texts:
        w = words_of(text)
        texts.append(" ".join(w))
        for rate in (0.01, 0.03, 0.08, 0.2):
            edited = [x if rng.random() > rate else "edit" + str(rng.integers(1e6)) for x in w]
            cut = int(len(edited) * rng.uniform(0.0, 0.3))
            texts.append(" ".join(edited[cut:]))
    num_perm = 256
    ix = newsim.NearDuplicateIndex(0.5, num_perm=num_perm, seed=3)
    ix.add(texts)
    errors, variances = [], []
    n = len(texts)
    for i in range(n):
        np.testing.assert_array_equal(ix.shingle_set(i), newsim.shingles(texts[i], 5))
        np.testing.assert_array_equal(ix.signature(i),
                                      newsim.minhash(ix.shingle_set(i), num_perm, 3))
    checked = 0
    for i in range(n):
        for k in range(i + 1, n):
            j = exact(ix.shingle_set(i), ix.shingle_set(k))[0]
            est = newsim.estimate_jaccard(ix.signature(i), ix.signature(k))
            lo, hi = binomial_interval(j, num_perm)
            assert lo <= est * num_perm <= hi, (i, k, j, est)
            if 0 < j < 1:
                errors.append(est - j)
                variances.append(j * (1 - j) / num_perm)
                checked += 1
    assert checked >= 20  # the edits give a spread of Jaccard values in (0, 1)
    errors = np.array(errors)
    se_mean = np.sqrt(np.sum(variances)) / len(errors)
    assert abs(errors.mean()) <= 4 * se_mean


def test_estimate_jaccard_checks_shapes():
    with pytest.raises(ValueError, match="one length"):
        newsim.estimate_jaccard(np.zeros(4, np.uint32), np.zeros(3, np.uint32))
    with pytest.raises(ValueError):
        newsim.estimate_jaccard([], [])
    assert newsim.estimate_jaccard([1, 2, 3, 4], [1, 2, 0, 0]) == 0.5


# ---------------------------------------------------------------------------------------
# LSH banding
# ---------------------------------------------------------------------------------------


def test_lsh_probability_formula():
    for j in (0.0, 0.1, 0.35, 0.5, 0.8, 0.95, 1.0):
        for bands, rows in ((1, 1), (25, 5), (16, 8), (128, 1), (3, 40)):
            ref = 1 - (1 - j ** rows) ** bands
            assert newsim.lsh_probability(j, bands, rows) == pytest.approx(ref, abs=1e-12)
    assert newsim.lsh_probability(0.0, 25, 5) == 0.0
    assert newsim.lsh_probability(1.0, 25, 5) == 1.0
    with pytest.raises(ValueError, match="bands"):
        newsim.lsh_probability(0.5, 0, 4)
    with pytest.raises(ValueError, match="rows"):
        newsim.lsh_probability(0.5, 4, 0)


@pytest.mark.parametrize("jaccard", [-0.1, 1.5, float("nan")])
def test_lsh_probability_rejects_jaccard_outside_unit_interval(jaccard):
    # A Jaccard index lies in [0, 1]; outside it the formula gives no probability
    # (1.5 with 2 bands of 2 rows gives -0.5625).
    with pytest.raises(ValueError, match="jaccard"):
        newsim.lsh_probability(jaccard, 2, 2)


def choose_bands_reference(threshold, num_perm, bands):
    if bands > 0:
        return bands, max(1, num_perm // bands)
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        b = num_perm // rows
        if 1 - (1 - threshold ** rows) ** b >= 0.999:
            best = (b, rows)
    return best


def test_choose_bands_matches_reference():
    for num_perm in (1, 7, 64, 128, 200, 256):
        for threshold in (0.05, 0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0):
            got = tuple(_core._choose_bands(threshold, num_perm, 0))
            assert got == choose_bands_reference(threshold, num_perm, 0), (threshold, num_perm)
            b, r = got
            assert b * r <= num_perm
            if r > 1 or threshold >= 0.999:
                assert newsim.lsh_probability(threshold, b, r) >= 0.999
        for bands in (1, 3, num_perm):
            assert tuple(_core._choose_bands(0.8, num_perm, bands)) == \
                choose_bands_reference(0.8, num_perm, bands)
    assert tuple(_core._choose_bands(0.8, 128, 0)) == (25, 5)
    assert newsim.NearDuplicateIndex(0.8).banding == (25, 5)
    assert newsim.NearDuplicateIndex(0.6, num_perm=64, bands=8).banding == (8, 8)
    assert newsim.NearDuplicateIndex(0.9, num_perm=200).banding == \
        choose_bands_reference(0.9, 200, 0)


def synthetic_pair_texts(n_pairs: int, jaccard: float, union: int, tag: str):
    """Pairs of texts whose 1-word shingle sets have exact Jaccard round(J*U)/U; each pair's
    words are its own, so different pairs share nothing."""
    c = int(round(jaccard * union))
    rest = union - c
    texts = []
    for p in range(n_pairs):
        w = [f"{tag}p{p}x{k}" for k in range(union)]
        a = w[:c] + w[c:c + rest // 2]
        b = w[:c] + w[c + rest // 2:]
        texts += [" ".join(a), " ".join(b)]
    return texts, c / union


@pytest.mark.parametrize("bands,rows,jaccards", [
    (32, 4, (0.3, 0.4, 0.5)),
    (16, 8, (0.6, 0.7, 0.8)),
    (8, 16, (0.8, 0.9)),
])
def test_lsh_candidate_rate_matches_theory(bands, rows, jaccards):
    """The share of pairs of Jaccard J that become candidates is 1 - (1 - J^r)^b, within
    binomial error. With a threshold below J every candidate is verified and reported, and
    pairs of different pairs (Jaccard 0) never are."""
    n_pairs, union = 400, 60
    for jaccard in jaccards:
        tag = f"b{bands}j{int(round(jaccard * 100))}"  # word characters only
        texts, j = synthetic_pair_texts(n_pairs, jaccard, union, tag=tag)
        ix = newsim.NearDuplicateIndex(0.05, shingle_size=1, num_perm=bands * rows,
                                       bands=bands, seed=7)
        assert ix.banding == (bands, rows)
        pairs = ix.add(texts)
        assert (pairs["b"] - pairs["a"] == 1).all() and (pairs["a"] % 2 == 0).all()
        assert (pairs["jaccard"] == j).all()
        found = len(pairs)
        assert ix.result().candidates >= found
        p = newsim.lsh_probability(j, bands, rows)
        assert 0.05 < p < 0.97  # informative: neither always nor never a candidate
        lo, hi = binomial_interval(p, n_pairs)
        assert lo <= found <= hi, f"J={j}: {found}/{n_pairs} candidates, expected {p:.3f}"


def test_default_banding_finds_pairs_at_the_threshold():
    texts, j = synthetic_pair_texts(500, 0.8, 50, tag="thr")
    assert j == 0.8
    ix = newsim.NearDuplicateIndex(0.8, shingle_size=1)
    b, r = ix.banding
    p = newsim.lsh_probability(0.8, b, r)
    assert p >= 0.999
    found = len(ix.add(texts))
    assert found >= stats.binom.ppf(1e-6, 500, p)
    # Just below the threshold: candidates, but never reported.
    below, jb = synthetic_pair_texts(200, 0.78, 50, tag="below")
    assert jb < 0.8
    assert ix.add(below).empty


# ---------------------------------------------------------------------------------------
# Relations, groups, canonical articles
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def article():
    return random_text(np.random.default_rng(1), 400)


def test_copy_relation_for_identical_and_near_identical_text(article):
    text = " ".join(article)
    shouted = text.upper().replace(" w", ", W")
    one_word = article.copy()
    one_word[200] = "changed"
    r = newsim.near_duplicates([text, "unrelated words " * 3, shouted, " ".join(one_word)], 0.8)
    assert r.groups == [[0, 2, 3]]
    df = r.pairs
    assert list(df.columns) == ["a", "b", "jaccard", "containment", "cosine", "relation",
                                "container"]
    # 2 is a copy of 0 (the same shingle set): paired with 0 only; its pair with 3 is 0's.
    assert pairs_set(df) == {(0, 2), (0, 3)}
    assert (df["relation"] == "copy").all() and (df["container"] == -1).all()
    row = df[(df["a"] == 0) & (df["b"] == 2)].iloc[0]
    assert row["jaccard"] == row["containment"] == row["cosine"] == 1.0
    row = df[(df["a"] == 0) & (df["b"] == 3)].iloc[0]
    assert row["jaccard"] == pytest.approx(391 / 401, rel=1e-15)  # 5 shingles of 396 changed


@pytest.mark.parametrize("excerpt_first", [False, True])
def test_contains_relation_points_at_the_container(article, excerpt_first):
    full = " ".join(article)
    excerpt = " ".join(article[:360])  # the last 10% cut
    texts = [excerpt, full] if excerpt_first else [full, excerpt]
    r = newsim.near_duplicates(texts, threshold=0.5)
    assert len(r.pairs) == 1
    row = r.pairs.iloc[0]
    assert row["relation"] == "contains"
    assert row["container"] == (1 if excerpt_first else 0)
    assert row["containment"] == 1.0
    assert row["jaccard"] == pytest.approx(356 / 396, rel=1e-15)
    assert row["cosine"] == pytest.approx(356 / np.sqrt(356 * 396), rel=1e-15)
    # Raising the copy threshold to or below the Jaccard turns it into a copy.
    r = newsim.near_duplicates(texts, threshold=0.5, copy_threshold=0.85)
    assert r.pairs.iloc[0]["relation"] == "copy" and r.pairs.iloc[0]["container"] == -1
    # Raising the containment threshold above 1 is impossible; at 1.0 it still contains.
    r = newsim.near_duplicates(texts, threshold=0.5, containment_threshold=1.0)
    assert r.pairs.iloc[0]["relation"] == "contains"


@pytest.mark.parametrize("only_small,only_large,relation", [
    (5, 20, "contains"),
    (5, 11, "contains"),
    (5, 10, "update"),    # the larger adds exactly twice what the smaller has of its own
    (0, 1, "contains"),   # an exact excerpt, one word shorter, below the copy threshold
    (8, 9, "update"),
])
def test_contains_needs_the_larger_to_add_twice_what_the_smaller_has_of_its_own(
        only_small, only_large, relation):
    common = [f"common{k}" for k in range(90)]
    small = common + [f"small{k}" for k in range(only_small)]
    large = common + [f"large{k}" for k in range(only_large)]
    copy_threshold = 0.9 if only_small + only_large > 10 else 0.99
    for texts, container in (([" ".join(small), " ".join(large)], 1),
                             ([" ".join(large), " ".join(small)], 0)):
        r = newsim.near_duplicates(texts, threshold=0.5, shingle_size=1,
                                   copy_threshold=copy_threshold)
        row = r.pairs.iloc[0]
        assert row["jaccard"] == pytest.approx(90 / (90 + only_small + only_large), rel=1e-15)
        assert row["jaccard"] < copy_threshold
        assert row["containment"] == pytest.approx(90 / (90 + only_small), rel=1e-15)
        assert row["containment"] >= 0.9
        assert row["relation"] == relation
        assert row["container"] == (container if relation == "contains" else -1)


def test_update_relation_for_an_edited_text(article):
    edited = article.copy()
    for i in range(0, 400, 40):
        edited[i] = "rewritten"
    edited += ["new", "closing", "paragraph", "words", "here", "and", "more"]
    texts = [" ".join(article), " ".join(edited)]
    r = newsim.near_duplicates(texts, threshold=0.5)
    assert len(r.pairs) == 1
    row = r.pairs.iloc[0]
    ix = newsim.NearDuplicateIndex(0.5)
    ix.add(texts)
    j, c, cos = exact(ix.shingle_set(0), ix.shingle_set(1))
    assert row["relation"] == "update" and row["container"] == -1
    assert (row["jaccard"], row["containment"], row["cosine"]) == pytest.approx((j, c, cos),
                                                                                rel=1e-15)
    assert 0.5 <= j < 0.9 and c < 0.9


def test_groups_are_connected_components(article):
    """A~B and B~C put A, B, C in one group although A and C are below the threshold."""
    base = article[:300]
    texts = [" ".join(base[0:200]), "filler text " * 4, " ".join(base[50:250]),
             " ".join(base[100:300])]
    r = newsim.near_duplicates(texts, threshold=0.5)
    assert pairs_set(r.pairs) == {(0, 2), (2, 3)}
    assert r.groups == [[0, 2, 3]]
    assert r.group_labels().tolist() == [0, -1, 0, 0]
    assert len(r.canonical) == 1 and r.canonical[0] in (0, 2, 3)
    table = r.to_pandas()
    assert list(table.columns) == ["group", "position", "canonical"]
    assert table["position"].tolist() == [0, 2, 3]
    assert table["canonical"].sum() == 1


def test_canonical_is_earliest_by_date_else_longest(article):
    long_text = " ".join(article)
    texts = [" ".join(article[:370]), long_text, " ".join(article[:385]), long_text]
    # Without dates: the longest (most words); ties by position.
    r = newsim.near_duplicates(texts, threshold=0.5)
    assert r.groups == [[0, 1, 2, 3]]
    assert r.canonical == [1]
    # With dates: the earliest, whatever its length.
    dates = ["2021-03-02", "2021-03-04", "2021-03-01T23:00:00", "2021-03-03"]
    assert newsim.near_duplicates(texts, threshold=0.5, dates=dates).canonical == [2]
    # Dated articles come before undated ones; equal dates fall back to length.
    dates = [None, "2022-01-01", "2022-01-01", None]
    assert newsim.near_duplicates(texts, threshold=0.5, dates=dates).canonical == [1]
    dates = [pd.Timestamp("2020-05-05", tz="Europe/Berlin"), None, None, None]
    assert newsim.near_duplicates(texts, threshold=0.5, dates=dates).canonical == [0]
    # numpy datetime64, datetime.date and pandas Series are dates too.
    dates = np.array(["2020-01-03", "2020-01-01", "2020-01-02", "NaT"], dtype="datetime64[D]")
    assert newsim.near_duplicates(texts, threshold=0.5, dates=dates).canonical == [1]
    dates = [dt.date(2020, 1, 3), dt.date(2020, 1, 4), None, dt.date(2019, 12, 31)]
    assert newsim.near_duplicates(texts, threshold=0.5,
                                  dates=pd.Series(dates)).canonical == [3]
    # Time zones are honoured: 01:00 in Berlin is before 00:30 UTC.
    dates = [None, "2020-01-01T00:30:00Z", "2020-01-01T01:00:00+01:00", None]
    assert newsim.near_duplicates(texts, threshold=0.5, dates=dates).canonical == [2]


def test_threshold_one_reports_exact_copies_only(article):
    text = " ".join(article)
    texts = [text, text[:-1], text.upper(), " ".join(article[:399])]
    r = newsim.near_duplicates(texts, threshold=1.0)
    assert newsim.NearDuplicateIndex(1.0).banding == (1, 128)
    assert pairs_set(r.pairs) == {(0, 2)}
    assert r.pairs["jaccard"].tolist() == [1.0]


def test_empty_and_wordless_texts_are_never_paired():
    texts = ["", "   ", "", "! ? .", "a b c", "", "   "]
    r = newsim.near_duplicates(texts, threshold=0.1)
    assert r.pairs.empty and r.groups == [] and r.canonical == []
    assert (r.group_labels() == -1).all() and len(r.group_labels()) == len(texts)
    ix = newsim.NearDuplicateIndex(0.1)
    ix.add(texts)
    assert ix.query("").empty and ix.query("   ").empty
    assert ix.result().candidates == 0


def test_corpus_input_gives_ids_and_uses_its_dates(article):
    text = " ".join(article)
    corpus = newsim.Corpus([
        {"id": "late", "text": text, "date": "2020-02-02"},
        {"id": "other", "text": "nothing to see here at all today", "date": "2020-01-01"},
        {"id": "early", "text": text + " extra words at the end", "date": "2020-01-15"},
    ])
    r = newsim.near_duplicates(corpus, 0.8)
    assert list(r.pairs.columns) == ["a", "b", "id_a", "id_b", "jaccard", "containment",
                                     "cosine", "relation", "container"]
    assert r.pairs[["a", "b", "id_a", "id_b"]].values.tolist() == [[0, 2, "late", "early"]]
    assert r.canonical == [2]  # the Corpus's own dates
    assert r.to_pandas()["id"].tolist() == ["late", "early"]
    assert newsim.near_duplicates(corpus, 0.8, dates=["2019-01-01", None, None]).canonical == [0]
    # By passages (the default): the same pair, the earlier dated as origin.
    r = newsim.near_duplicates(corpus)
    assert r.pairs[["a", "b", "id_a", "id_b", "origin"]].values.tolist() == [
        [0, 2, "late", "early", 2]]
    assert r.canonical == [2] and r.groups == [[2, 0]]


# ---------------------------------------------------------------------------------------
# Incremental index, query, threads
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def variant_corpus():
    """80 base articles and 320 copies, cuts and edits of them, shuffled."""
    rng = np.random.default_rng(5)
    texts = []
    for _ in range(80):
        w = random_text(rng, int(rng.integers(30, 300)), vocab_size=3000)
        texts.append(" ".join(w))
        for _ in range(4):
            kind = rng.integers(0, 3)
            v = list(w)
            if kind == 0:
                v = v[: int(len(v) * rng.uniform(0.85, 1.0))]
            elif kind == 1:
                for i in rng.choice(len(v), size=max(1, len(v) // 30), replace=False):
                    v[i] = "edited"
            else:
                v = v + random_text(rng, int(rng.integers(1, 15)), vocab_size=3000)
            texts.append(" ".join(v))
    order = rng.permutation(len(texts))
    return [texts[i] for i in order]


def assert_same_result(x, y):
    pd.testing.assert_frame_equal(x.pairs, y.pairs)
    assert x.groups == y.groups
    assert x.canonical == y.canonical
    assert x.candidates == y.candidates


def test_index_batches_equal_one_call(variant_corpus):
    texts = variant_corpus
    one = newsim.near_duplicates(texts, threshold=0.7)
    assert len(one.pairs) > 200 and len(one.groups) > 40  # the variants are found
    ix = newsim.NearDuplicateIndex(0.7)
    added = []
    cuts = [0, 1, 8, 70, 71, 250, len(texts)]
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        new = ix.add(texts[lo:hi])
        assert len(ix) == hi
        assert ((new["b"] >= lo) & (new["b"] < hi)).all()
        assert (new["a"] < new["b"]).all()
        added.append(new)
    batches = pd.concat(added, ignore_index=True)
    pd.testing.assert_frame_equal(batches.sort_values(["a", "b"]).reset_index(drop=True),
                                  one.pairs)
    assert_same_result(ix.result(), one)


def test_query_finds_pairs_without_adding(variant_corpus):
    texts = variant_corpus
    ix = newsim.NearDuplicateIndex(0.7)
    ix.add(texts[:300])
    before = ix.result()
    for q in texts[300:340]:
        got = ix.query(q)
        assert len(ix) == 300
        # The same pairs as when the text is added, with a = -1 for the query.
        other = newsim.NearDuplicateIndex(0.7)
        other.add(texts[:300])
        ref = other.add([q])
        assert (got["a"] == -1).all()
        # add() pairs a copy only with the first of its copies; query() names every indexed
        # article that passes, copies too, each with its exact Jaccard.
        qs = newsim.shingles(q)
        exact = {}
        for j in range(300):
            sj = ix.shingle_set(j)
            inter = len(np.intersect1d(qs, sj))
            if inter / (len(qs) + len(sj) - inter) >= 0.7:
                exact[j] = inter / (len(qs) + len(sj) - inter)
        assert sorted(got["b"].tolist()) == sorted(exact)
        np.testing.assert_allclose(got["jaccard"], [exact[b] for b in got["b"]], rtol=1e-12)
        assert set(ref["a"].tolist()) <= set(exact)
        got = got[got["b"].isin(ref["a"])]
        ref = ref.set_index("a").loc[got["b"].tolist()]
        np.testing.assert_array_equal(got["jaccard"].to_numpy(), ref["jaccard"].to_numpy())
        np.testing.assert_array_equal(got["relation"].to_numpy(), ref["relation"].to_numpy())
        # container: the indexed article, or -1 for the query itself.
        expected = [b if (rel == "contains" and c == b) else -1
                    for b, rel, c in zip(got["b"], ref["relation"], ref["container"])]
        assert got["container"].tolist() == expected
    assert_same_result(ix.result(), before)
    # A text already indexed finds itself.
    got = ix.query(texts[17])
    assert 17 in got["b"].tolist()
    assert got.set_index("b").loc[17, "jaccard"] == 1.0


def test_same_result_for_any_thread_count(variant_corpus, reuters_texts):
    texts = reuters_texts[:4000] + variant_corpus
    r1 = newsim.near_duplicates(texts, threshold=0.6, n_jobs=1)
    r2 = newsim.near_duplicates(texts, threshold=0.6, n_jobs=2)
    assert len(r1.pairs) > 300
    assert_same_result(r1, r2)
    ix1 = newsim.NearDuplicateIndex(0.6, n_jobs=1)
    ix2 = newsim.NearDuplicateIndex(0.6, n_jobs=2)
    for i in (0, 130, 999, 4000, len(texts) - 1):
        if i == 0:
            ix1.add(texts)
            ix2.add(texts)
        np.testing.assert_array_equal(ix1.signature(i), ix2.signature(i))
        np.testing.assert_array_equal(ix1.shingle_set(i), ix2.shingle_set(i))


# ---------------------------------------------------------------------------------------
# Reuters-21578 against an exact all-pairs reference
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reuters(reuters_texts, corpora_dir):
    import gzip
    import json

    with gzip.open(corpora_dir / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as fh:
        raw = [json.loads(line).get("date") for line in fh if line.strip()]
    # A few dates in the corpus are malformed ('31-MAR-1987 605:12:19.12'): left missing.
    dates = []
    for d in raw:
        try:
            dates.append(pd.Timestamp(d).tz_localize("UTC"))
        except ValueError:
            dates.append(None)
    assert sum(d is None for d in dates) < 10
    texts = reuters_texts
    assert len(dates) == len(texts)
    ix = newsim.NearDuplicateIndex(0.8)
    ix.add(texts, dates=dates)
    result = ix.result()
    sets = [ix.shingle_set(i) for i in range(len(texts))]
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    allh = np.concatenate(sets)
    _, cols = np.unique(allh, return_inverse=True)
    rows = np.repeat(np.arange(len(texts)), sizes)
    B = sp.csr_matrix((np.ones(len(allh), dtype=np.int32), (rows, cols)),
                      shape=(len(texts), int(cols.max()) + 1))
    inter = sp.triu(B @ B.T, k=1).tocoo()
    j = inter.data / (sizes[inter.row] + sizes[inter.col] - inter.data)
    keep = j >= 0.8
    exact_pairs = {(int(a), int(b)): float(x) for a, b, x in
                   zip(inter.row[keep], inter.col[keep], j[keep])}
    inter = inter.tocsr()
    # Copies (the same shingle set) are paired with their first only: the pairs to expect.
    first = {}
    rep = [first.setdefault(s.tobytes(), i) if len(s) else i for i, s in enumerate(sets)]
    expected = {p: x for p, x in exact_pairs.items() if rep[p[0]] == p[0] and rep[p[1]] == p[1]}
    expected.update({(rep[i], i): 1.0 for i in range(len(texts)) if rep[i] != i})
    return dict(texts=texts, dates=dates, ix=ix, result=result, sizes=sizes,
                exact=exact_pairs, expected=expected, rep=rep, inter=inter)


def test_reuters_identical_bodies_share_a_group(reuters):
    texts, r = reuters["texts"], reuters["result"]
    by_body = {}
    for i, t in enumerate(texts):
        if t.strip():
            by_body.setdefault(t.strip(), []).append(i)
    same = [g for g in by_body.values() if len(g) > 1]
    assert len(same) == 260 and sum(map(len, same)) == 522  # as the corpus README says
    labels = r.group_labels()
    for g in same:
        assert labels[g[0]] >= 0, g
        assert (labels[g] == labels[g[0]]).all(), (g, labels[g])


def test_reuters_empty_bodies_never_paired(reuters):
    texts, r = reuters["texts"], reuters["result"]
    empty = {i for i, t in enumerate(texts) if not t.strip()}
    assert len(empty) == 2535
    in_pairs = set(r.pairs["a"]) | set(r.pairs["b"])
    assert not (empty & in_pairs)
    assert not (empty & {m for g in r.groups for m in g})
    # Generally: no article without shingles in any pair.
    assert (reuters["sizes"][list(in_pairs)] > 0).all()


def test_reuters_recall_and_precision_against_exact_jaccard(reuters):
    r, ref = reuters["result"], reuters["expected"]
    got = {(int(a), int(b)): float(j) for a, b, j in
           zip(r.pairs["a"], r.pairs["b"], r.pairs["jaccard"])}
    assert len(ref) > 400
    assert set(ref) <= set(reuters["exact"])
    # Copies collapse: fewer pairs than the exact relation, the same groups (below).
    assert sum(i != f for i, f in enumerate(reuters["rep"])) > 200
    # Precision: every reported pair is a true pair, with its exact Jaccard.
    assert set(got) <= set(ref), sorted(set(got) - set(ref))[:5]
    for pair, j in got.items():
        assert j == pytest.approx(ref[pair], rel=1e-12) and j >= 0.8, pair
    recall = len(set(got) & set(ref)) / len(ref)
    assert recall >= 0.99, f"recall {recall:.4f}; missed {sorted(set(ref) - set(got))[:5]}"
    assert r.candidates >= len(got)


def test_reuters_pair_measures_and_relations(reuters):
    r, inter, sizes = reuters["result"], reuters["inter"], reuters["sizes"]
    df = r.pairs
    assert (df["a"] < df["b"]).all()
    assert df[["a", "b"]].equals(df[["a", "b"]].sort_values(["a", "b"]))
    i = np.asarray(inter[df["a"].to_numpy(), df["b"].to_numpy()]).ravel().astype(float)
    na, nb = sizes[df["a"]].astype(float), sizes[df["b"]].astype(float)
    np.testing.assert_allclose(df["containment"], i / np.minimum(na, nb), rtol=1e-12)
    np.testing.assert_allclose(df["cosine"], i / np.sqrt(na * nb), rtol=1e-12)
    # copy: Jaccard >= 0.9; contains: containment >= 0.9 and the larger adds more than twice
    # as many shingles as the smaller has of its own; update: the rest.
    copy = df["jaccard"] >= 0.9
    added = np.maximum(na, nb) - i
    own = np.minimum(na, nb) - i
    contains = ~copy & (df["containment"] >= 0.9) & (added > 2 * own)
    assert contains.sum() > 5 and (~copy & ~contains).sum() > 5  # all three occur
    assert (df["relation"][copy] == "copy").all()
    assert (df["relation"][contains] == "contains").all()
    assert (df["relation"][~copy & ~contains] == "update").all()
    assert (df["container"][~contains] == -1).all()
    larger = np.where(nb > na, df["b"], df["a"])
    assert (df["container"][contains].to_numpy() == larger[contains.to_numpy()]).all()


def test_reuters_groups_and_canonical(reuters):
    r, texts, dates = reuters["result"], reuters["texts"], reuters["dates"]
    n = len(texts)
    df = r.pairs
    g = sp.coo_matrix((np.ones(len(df)), (df["a"], df["b"])), shape=(n, n))
    _, comp = connected_components(g, directed=False)
    members = {}
    for i in sorted(set(df["a"]) | set(df["b"])):
        members.setdefault(comp[i], []).append(i)
    ref_groups = sorted(members.values())
    assert r.groups == ref_groups
    # Canonical: earliest date, then most words, then first position.
    far = pd.Timestamp.max.tz_localize("UTC")
    secs = [far if d is None else d for d in dates]  # undated after dated
    nwords = {i: len(words_of(texts[i])) for grp in r.groups for i in grp}
    for grp, canon in zip(r.groups, r.canonical):
        assert canon == min(grp, key=lambda i: (secs[i], -nwords[i], i)), grp
    # The grouped articles alone, without dates: the same groups, and the longest member.
    sub = sorted(set(df["a"]) | set(df["b"]))
    pos = {v: k for k, v in enumerate(sub)}
    s = newsim.near_duplicates([texts[i] for i in sub], threshold=0.8)
    assert s.groups == [[pos[i] for i in grp] for grp in r.groups]
    for grp, canon in zip(s.groups, s.canonical):
        assert canon == min(grp, key=lambda i: (-nwords[sub[i]], i)), grp


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


def test_bad_texts_raise():
    with pytest.raises(TypeError, match="single str"):
        newsim.near_duplicates("one text, not a list")
    with pytest.raises(TypeError, match="document 1 is a bytes"):
        newsim.near_duplicates(["fine", b"bytes"])
    with pytest.raises(TypeError, match="document 2 is a NoneType"):
        newsim.near_duplicates(["fine", "fine", None])
    with pytest.raises(TypeError, match="document 0 is a int"):
        newsim.NearDuplicateIndex().add([5])
    with pytest.raises(TypeError, match="text must be a str"):
        newsim.NearDuplicateIndex().query(b"bytes")
    with pytest.raises(TypeError, match="text must be a str"):
        newsim.shingles(None)
    r = newsim.near_duplicates([])
    assert r.pairs.empty and r.groups == [] and r.n == 0


@pytest.mark.parametrize("kwargs,match", [
    (dict(threshold=0), "threshold"),
    (dict(threshold=1.01), "threshold"),
    (dict(threshold=float("nan")), "threshold"),
    (dict(threshold=True), "threshold"),
    (dict(threshold="0.8"), "threshold"),
    (dict(num_perm=0), "num_perm"),
    (dict(num_perm=2.5), "num_perm"),
    (dict(shingle_size=0), "shingle_size"),
    (dict(bands=0), "bands"),
    (dict(bands=129), "bands"),
    (dict(copy_threshold=0), "copy_threshold"),
    (dict(containment_threshold=1.5), "containment_threshold"),
    (dict(seed=-1), "seed"),
])
def test_bad_parameters_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        newsim.near_duplicates(["some words here", "some words here"], **kwargs)


def test_bad_dates_raise():
    texts = ["alpha beta gamma delta", "alpha beta gamma delta"]
    with pytest.raises(ValueError, match="dates has 1 entries for 2 articles"):
        newsim.near_duplicates(texts, dates=["2020-01-01"])
    with pytest.raises(ValueError, match=r"dates\[1\]: cannot read 'yesterday-ish'"):
        newsim.near_duplicates(texts, dates=["2020-01-01", "yesterday-ish"])
    with pytest.raises(TypeError, match="one date per article"):
        newsim.near_duplicates(texts, dates="2020-01-01")
    ix = newsim.NearDuplicateIndex()
    with pytest.raises(ValueError, match="dates has 3 entries"):
        ix.add(texts, dates=[None, None, None])
    assert len(ix) == 0  # nothing added on an error
    # Missing dates are fine: None, NaN, NaT, "".
    r = newsim.near_duplicates(texts, dates=[None, float("nan")])
    assert r.canonical == [0]
    r = newsim.near_duplicates(texts, dates=[pd.NaT, ""])
    assert r.canonical == [0]


def test_signature_and_shingle_set_index_errors():
    ix = newsim.NearDuplicateIndex()
    ix.add(["one two three four five six"])
    for i in (1, -1, 10):
        with pytest.raises(IndexError, match="outside"):
            ix.signature(i)
        with pytest.raises(IndexError, match="outside"):
            ix.shingle_set(i)
    with pytest.raises(ValueError, match="num_perm"):
        newsim.minhash([1, 2, 3], 0)


def test_minhash_rejects_non_integer_shingles():
    # Shingle hashes are 64-bit integers; a float array would be truncated without a word
    # (1.5 -> 1) and give the signature of another set.
    with pytest.raises((TypeError, ValueError)):
        newsim.minhash(np.array([1.5, 2.25]), 8)


def test_query_on_a_corpus_index_names_the_indexed_article():
    corpus = newsim.Corpus([
        {"id": "x1", "text": "alpha beta gamma delta epsilon zeta eta theta"},
        {"id": "x2", "text": "other words entirely for this one here now"},
    ])
    ix = newsim.NearDuplicateIndex(0.5)
    assert ix.add(corpus).empty
    got = ix.query("Alpha beta gamma delta epsilon zeta eta theta iota")
    assert got[["a", "b", "id_a", "id_b"]].values.tolist() == [[-1, 0, None, "x1"]]
    row = got.iloc[0]
    assert row["jaccard"] == 0.8 and row["containment"] == 1.0
    # The query is the larger: it contains the indexed article, and -1 names it.
    assert row["relation"] == "contains" and row["container"] == -1
    got = ix.query("alpha beta gamma delta epsilon zeta")
    assert got.iloc[0]["relation"] == "contains" and got.iloc[0]["container"] == 0
    assert ix.query("nothing like it at all in the index").empty
