"""Similarity: top_k, knn_graph, similarity_join, pairwise, explain, key_terms, SimilarityIndex.

Every result is compared with a brute-force reference: the dense cosine matrix from numpy.
"""

from __future__ import annotations

import pickle
import threading
import time
import _thread

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import newsim


def dense_cosine(X, Y=None) -> np.ndarray:
    """All cosines, through a full product (scipy's for sparse input, numpy's for dense)."""
    if sp.issparse(X) and (Y is None or sp.issparse(Y)):
        def unit(M):
            M = sp.csr_matrix(M, dtype=float)
            n = np.sqrt(np.asarray(M.multiply(M).sum(axis=1)).ravel())
            n[n == 0] = 1
            return sp.diags(1 / n) @ M
        A = unit(X)
        return (A @ (A if Y is None else unit(Y)).T).toarray()
    A = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    B = A if Y is None else (Y.toarray() if sp.issparse(Y) else np.asarray(Y, dtype=float))
    na = np.linalg.norm(A, axis=1)
    nb = np.linalg.norm(B, axis=1)
    na[na == 0] = 1
    nb[nb == 0] = 1
    return (A / na[:, None]) @ (B / nb[:, None]).T


def assert_top_k_matches(idx, sc, S, k, exclude_self, tol=1e-9):
    """Same neighbour sets and scores as the reference, up to ties within tol at the k-th."""
    n = S.shape[0]
    k = max(1, min(k, S.shape[1] - (1 if exclude_self else 0)))  # clamped to the candidates
    assert idx.shape == sc.shape == (n, k)
    assert idx.dtype == np.int64 and sc.dtype == np.float64
    for i in range(n):
        row = S[i].copy()
        cand = [j for j in np.flatnonzero(np.abs(row) > 1e-13) if not (exclude_self and j == i)]
        ref = sorted(cand, key=lambda j: (-row[j], j))[:k]
        m = len(ref)
        got = idx[i, :m]
        assert (idx[i, m:] == -1).all() and (sc[i, m:] == 0).all(), f"row {i} padding"
        assert (got >= 0).all(), f"row {i}: {idx[i]} vs {ref}"
        np.testing.assert_allclose(sc[i, :m], row[ref], rtol=0, atol=tol, err_msg=f"row {i}")
        np.testing.assert_allclose(sc[i, :m], row[got], rtol=0, atol=tol, err_msg=f"row {i}")
        if m:
            kth = row[ref[-1]]
            must = {j for j in ref if row[j] > kth + tol}
            assert must <= set(got.tolist()), f"row {i}: {got} vs {ref}"
        # Descending, and exact ties by the smaller index.
        for a in range(m - 1):
            assert sc[i, a] > sc[i, a + 1] or (sc[i, a] == sc[i, a + 1] and got[a] < got[a + 1])


def assert_join_matches(J, S, threshold, upper, tol=1e-9):
    ref = np.where(S >= threshold, S, 0.0)
    if upper:
        ref = np.triu(ref, 1)
    border = np.abs(S - threshold) <= tol
    got = J.toarray()
    assert J.shape == S.shape
    mismatch = (got != 0) != (ref != 0)
    assert not (mismatch & ~border).any(), np.argwhere(mismatch & ~border)[:5]
    both = (got != 0) & (ref != 0)
    np.testing.assert_allclose(got[both], ref[both], rtol=0, atol=tol)


def random_matrix(rng, n, v, density, special=True):
    X = sp.random(n, v, density=density, random_state=rng, format="lil")
    X.data = np.array([[round(x * 4) / 4 + 0.25 for x in row] for row in X.data], dtype=object)
    if special and n > 8:
        X[2] = 0  # empty row
        X[4] = X[3]  # duplicate rows
        X[5] = X[3] * 3  # a multiple: cosine 1
    return sp.csr_matrix(X, dtype=float)


CASES = [(0, 60, 20, 0.15), (1, 200, 50, 0.05), (2, 9, 4, 0.5), (3, 150, 300, 0.02)]


@pytest.mark.parametrize("seed,n,v,density", CASES)
@pytest.mark.parametrize("k", [1, 3, 10, 500])
def test_top_k_matches_brute_force(seed, n, v, density, k):
    X = random_matrix(np.random.default_rng(seed), n, v, density)
    idx, sc = newsim.top_k(X, k=k)
    assert_top_k_matches(idx, sc, dense_cosine(X), k, exclude_self=True)
    idx, sc = newsim.top_k(X, k=k, exclude_self=False)
    assert_top_k_matches(idx, sc, dense_cosine(X), k, exclude_self=False)


@pytest.mark.parametrize("seed", [0, 1])
def test_top_k_with_y(seed):
    rng = np.random.default_rng(seed)
    X = random_matrix(rng, 70, 30, 0.1)
    Y = random_matrix(rng, 110, 30, 0.1)
    idx, sc = newsim.top_k(X, k=6, Y=Y)
    assert_top_k_matches(idx, sc, dense_cosine(X, Y), 6, exclude_self=False)
    # exclude_self means nothing against another matrix
    idx2, _ = newsim.top_k(X, k=6, Y=Y, exclude_self=False)
    assert (idx2 == idx).all()


def test_top_k_dot_metric_on_raw_weights():
    rng = np.random.default_rng(5)
    X = random_matrix(rng, 40, 15, 0.3)
    S = X.toarray() @ X.toarray().T
    idx, sc = newsim.top_k(X, k=4, metric="dot")
    assert_top_k_matches(idx, sc, S, 4, exclude_self=True)


def test_results_do_not_depend_on_threads():
    X = random_matrix(np.random.default_rng(9), 900, 80, 0.08)
    base = newsim.top_k(X, k=8, n_jobs=1)
    for jobs in (2, 3, -1, None):
        idx, sc = newsim.top_k(X, k=8, n_jobs=jobs)
        assert np.array_equal(idx, base[0]) and np.array_equal(sc, base[1])  # bit-identical
    J1 = newsim.similarity_join(X, 0.3, n_jobs=1)
    J2 = newsim.similarity_join(X, 0.3, n_jobs=2)
    assert (J1 != J2).nnz == 0 and np.array_equal(J1.data, J2.data)


def test_knn_graph_holds_the_top_k():
    X = random_matrix(np.random.default_rng(4), 50, 12, 0.2)
    idx, sc = newsim.top_k(X, k=3)
    G = newsim.knn_graph(X, k=3)
    assert isinstance(G, sp.csr_matrix) and G.shape == (50, 50)
    for i in range(50):
        keep = idx[i] >= 0
        row = G.getrow(i)
        assert sorted(row.indices.tolist()) == sorted(idx[i][keep].tolist())
        for j, s in zip(idx[i][keep], sc[i][keep]):
            assert G[i, j] == s
    Y = random_matrix(np.random.default_rng(5), 20, 12, 0.3)
    assert newsim.knn_graph(X, k=2, Y=Y).shape == (50, 20)


@pytest.mark.parametrize("seed,n,v,density", CASES)
@pytest.mark.parametrize("threshold", [0.2, 0.5, 1.0])
def test_similarity_join_matches_brute_force(seed, n, v, density, threshold):
    X = random_matrix(np.random.default_rng(seed), n, v, density)
    J = newsim.similarity_join(X, threshold)
    assert isinstance(J, sp.csr_matrix) and J.has_sorted_indices
    assert_join_matches(J, dense_cosine(X), threshold, upper=True)


def test_similarity_join_with_y_and_as_frame():
    rng = np.random.default_rng(12)
    X = random_matrix(rng, 40, 10, 0.3)
    Y = random_matrix(rng, 25, 10, 0.3)
    J = newsim.similarity_join(X, 0.4, Y=Y)
    assert_join_matches(J, dense_cosine(X, Y), 0.4, upper=False)
    F = newsim.similarity_join(X, 0.4, Y=Y, as_frame=True)
    assert list(F.columns) == ["i", "j", "score"]
    assert len(F) == J.nnz
    for i, j, s in F.itertuples(index=False):
        assert J[i, j] == s
    assert list(F.itertuples(index=False)) == sorted(F.itertuples(index=False),
                                                     key=lambda r: (r.i, r.j))


@pytest.fixture(scope="module")
def bbc_matrix(bbc_texts):
    return newsim.TfidfVectorizer().fit_transform(bbc_texts)


def test_top_k_and_join_on_bbc_articles(bbc_matrix):
    X = bbc_matrix
    S = dense_cosine(X)
    idx, sc = newsim.top_k(X, k=10)
    assert_top_k_matches(idx, sc, S, 10, exclude_self=True)
    assert_join_matches(newsim.similarity_join(X, 0.5), S, 0.5, upper=True)
    # Queries against a subset: Y given.
    idx, sc = newsim.top_k(X[:300], k=5, Y=X[1000:])
    assert_top_k_matches(idx, sc, S[:300, 1000:], 5, exclude_self=False)


def test_inputs_in_other_forms_are_converted():
    X = random_matrix(np.random.default_rng(3), 30, 10, 0.3)
    ref = newsim.top_k(X, k=3)
    S = dense_cosine(X)
    rows = np.arange(X.shape[0])[:, None]
    others = np.sort(S - 2 * np.eye(len(S)), axis=1)[:, ::-1]  # each row's cosines, self last
    untied = (np.abs(np.diff(others[:, :4], axis=1)) > 1e-9).all(axis=1)
    assert untied.sum() > 20
    for form in (X.tocsc(), X.tocoo(), X.toarray(), X.toarray().tolist(), X.astype(np.float32),
                 sp.csr_array(X) if hasattr(sp, "csr_array") else X):
        idx, sc = newsim.top_k(form, k=3)
        # The same scores; the same neighbours, but for exact ties (dense input goes through
        # the dense kernel, whose rounding may order two equal cosines the other way).
        np.testing.assert_allclose(sc, ref[1], atol=1e-6)
        np.testing.assert_allclose(S[rows, idx], sc, atol=1e-6)
        assert np.array_equal(idx[untied], ref[0][untied])
    # A CSR matrix with unsorted and repeated columns is summed first, as scipy would.
    messy = sp.csr_matrix((np.array([1.0, 2.0, 1.0, 3.0]), np.array([2, 0, 2, 1]),
                           np.array([0, 3, 4])), shape=(2, 3))
    assert not messy.has_canonical_format
    S = dense_cosine(messy)
    _, sc = newsim.top_k(messy, k=1)
    assert sc[0, 0] == pytest.approx(S[0, 1], abs=1e-12)
    assert messy.indices.tolist() == [2, 0, 2, 1]  # the caller's matrix is left alone
    # A single vector is one row.
    idx, _ = newsim.top_k(X[0].toarray().ravel(), k=2, Y=X)
    assert idx[0, 0] == 0


def test_bad_input_is_a_clear_error():
    X = random_matrix(np.random.default_rng(1), 10, 5, 0.5)
    with pytest.raises(ValueError, match="columns"):
        newsim.top_k(X, Y=sp.random(3, 6, density=0.5, format="csr"))
    with pytest.raises(ValueError, match="columns"):
        newsim.similarity_join(X, 0.5, Y=sp.random(3, 6, density=0.5, format="csr"))
    for k in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="k must be"):
            newsim.top_k(X, k=k)
    for bad in (np.nan, np.inf, -np.inf):
        Z = X.copy()
        Z.data[3] = bad
        row = int(np.searchsorted(Z.indptr, 3, side="right") - 1)
        with pytest.raises(ValueError, match=f"X row {row}, column {Z.indices[3]}: value is"):
            newsim.top_k(Z)
        with pytest.raises(ValueError, match="Y row"):
            newsim.top_k(X, Y=Z)
    for t in (0, -0.5, np.nan, np.inf):
        with pytest.raises(ValueError, match="threshold"):
            newsim.similarity_join(X, t)
    with pytest.raises(TypeError):
        newsim.similarity_join(X, "0.5")
    with pytest.raises(ValueError, match="metric"):
        newsim.top_k(X, metric="euclidean")
    with pytest.raises(ValueError, match="2-D"):
        newsim.top_k(np.zeros((2, 2, 2)))
    with pytest.raises(TypeError):
        newsim.top_k([["a", "b"]])
    with pytest.raises(TypeError):
        newsim.top_k(np.array([[1 + 1j, 0]]))
    with pytest.raises(ValueError, match="n_jobs"):
        newsim.top_k(X, n_jobs=0)


def test_empty_matrices():
    E = sp.csr_matrix((0, 5))
    idx, sc = newsim.top_k(E, k=3)
    assert idx.shape == sc.shape == (0, 1)  # k clamped to the candidates (none), at least 1
    X = random_matrix(np.random.default_rng(2), 4, 5, 0.5, special=False)
    idx, sc = newsim.top_k(X, k=2, Y=E)
    assert (idx == -1).all() and (sc == 0).all()
    assert newsim.similarity_join(E, 0.5).shape == (0, 0)
    assert newsim.similarity_join(X, 0.5, Y=E).shape == (4, 0)
    assert newsim.knn_graph(E, k=2).shape == (0, 0)
    Z = sp.csr_matrix((3, 5))  # rows of zeros have no neighbours
    idx, _ = newsim.top_k(Z, k=2)
    assert (idx == -1).all()
    assert newsim.pairwise(E).shape == (0, 0)


def test_ctrl_c_interrupts_a_long_top_k():
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.random((40000, 100)) < 0.5, dtype=float)  # ~4e10 products
    timer = threading.Timer(0.3, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            newsim.top_k(X, k=5, n_jobs=2)
    finally:
        timer.cancel()
    # Uninterrupted, the call runs for tens of seconds; stopped, it ends soon after the signal.
    assert time.perf_counter() - start < 10


def test_pairwise_is_labelled_dense_cosine():
    X = random_matrix(np.random.default_rng(8), 6, 5, 0.5)
    P = newsim.pairwise(X, labels=list("abcdef"))
    assert isinstance(P, pd.DataFrame)
    assert list(P.index) == list("abcdef") and list(P.columns) == list("abcdef")
    np.testing.assert_allclose(P.to_numpy(), dense_cosine(X), atol=1e-12)
    Y = X[:2]
    P2 = newsim.pairwise(X, Y, y_labels=["y0", "y1"])
    assert P2.shape == (6, 2) and list(P2.columns) == ["y0", "y1"]
    with pytest.raises(ValueError, match="labels"):
        newsim.pairwise(X, labels=["a"])


def test_explain_adds_up_and_names_terms(bbc_texts):
    v = newsim.TfidfVectorizer()
    X = v.fit_transform(bbc_texts[:200])
    idx, sc = newsim.top_k(X, k=1)
    i, j = 0, int(idx[0, 0])
    E = newsim.explain(X, i, j, feature_names=v, top=None)
    assert list(E.columns) == ["kind", "term", "weight_a", "weight_b", "contribution", "share"]
    assert E.attrs["similarity"] == sc[0, 0]  # the same sum, to the bit
    shared = E[E.kind == "shared"]
    a, b = X[i].toarray().ravel(), X[j].toarray().ravel()
    assert len(shared) == np.count_nonzero((a != 0) & (b != 0))
    assert shared.contribution.sum() == pytest.approx(sc[0, 0], abs=1e-12)
    assert shared.share.sum() == pytest.approx(1.0, abs=1e-12)
    assert list(shared.contribution) == sorted(shared.contribution, reverse=True)
    names = v.get_feature_names_out()
    top_term = names[np.argmax(a * b)]
    assert shared.term.iloc[0] == top_term
    only_a = E[E.kind == "only_a"]
    assert len(only_a) == np.count_nonzero((a != 0) & (b == 0))
    assert (only_a.weight_b == 0).all() and (only_a.contribution == 0).all()
    assert only_a.term.iloc[0] == names[np.argmax(np.where(b == 0, a, -1))]
    E3 = newsim.explain(X, i, j, top=3)
    assert (E3.kind.value_counts() <= 3).all()
    assert E3.term.dtype == np.int64
    with pytest.raises(IndexError):
        newsim.explain(X, 0, 10**6)
    with pytest.raises(ValueError, match="feature_names"):
        newsim.explain(X, 0, 1, feature_names=["x"])


def test_key_terms_of_a_row_and_a_centroid():
    X = sp.csr_matrix(np.array([[0.1, 0.5, 0, 0.3], [0.3, 0.1, 0, 0.3], [0, 0, 0, 0]]))
    K = newsim.key_terms(X, 0, top=2, feature_names=["a", "b", "c", "d"])
    assert K.term.tolist() == ["b", "d"] and K.weight.tolist() == [0.5, 0.3]
    C = newsim.key_terms(X, [0, 1], top=None)
    assert C.term.tolist() == [1, 3, 0]  # 0.3 and 0.3 tie: the smaller column first
    np.testing.assert_allclose(C.weight, [0.3, 0.3, 0.2])
    assert newsim.key_terms(X, 2).empty
    with pytest.raises(IndexError):
        newsim.key_terms(X, 7)
    with pytest.raises(ValueError):
        newsim.key_terms(X, [])


@pytest.fixture(scope="module")
def seed_index(seed_texts):
    texts = list(seed_texts)
    return newsim.SimilarityIndex().fit(texts, ids=[f"a{i}" for i in range(len(texts))],
                                        titles=[t.strip().splitlines()[0][:40] for t in texts])


def test_similarity_index_queries(seed_index, seed_texts):
    index = seed_index
    n = len(seed_texts)
    assert len(index) == n and "articles" in repr(index)
    # Scores are the ArticleSimilarity preset's: brute force from its score() on the texts.
    texts = list(seed_texts)
    titles = index.titles_
    S = np.array([index.similarity_.score([texts[i]] * n, texts, titles_a=[titles[i]] * n,
                                          titles_b=titles) for i in range(n)])
    C = dense_cosine(index.matrix_)
    r = index.most_similar("a0", k=3)
    assert list(r.columns) == ["id", "title", "score", "row"]
    assert "a0" not in r.id.tolist()
    others = sorted(range(1, n), key=lambda j: (-S[0, j], j))[:3]
    assert r.row.tolist() == others
    np.testing.assert_allclose(r.score, S[0, others], atol=1e-12)
    # A text query: the article's own text finds the article first.
    t = index.most_similar(seed_texts[2], k=2)
    # (its title is read off the text, not the one given at fit: close to, not exactly, 1)
    assert t.id.iloc[0] == "a2" and t.score.iloc[0] > 0.99
    # A vector query.
    v = index.most_similar(index.matrix_[1], k=1)
    assert v.id.iloc[0] == "a1"
    with pytest.raises(KeyError):
        index.most_similar(12345)
    with pytest.raises(KeyError):
        index.row("nope")
    with pytest.raises(ValueError, match="columns"):
        index.most_similar(np.ones(3))
    E = index.explain("a0", "a1")
    assert E.attrs["similarity"] == pytest.approx(C[0, 1], abs=1e-12)
    assert E.attrs["score"] == pytest.approx(S[0, 1], abs=1e-12)
    assert E.attrs["components"].contribution.sum() > 0
    assert index.key_terms("a0", top=3).shape == (3, 2)
    assert index.key_terms(["a0", "a1"], top=3).shape == (3, 2)
    P = index.pairwise(["a0", "a3"])
    assert P.loc["a0", "a3"] == pytest.approx(S[0, 3], abs=1e-12)
    pairs = index.join(0.05)
    assert list(pairs.columns) == ["id_a", "id_b", "score"]
    want = {(f"a{i}", f"a{j}") for i in range(n) for j in range(i + 1, n) if S[i, j] >= 0.05}
    assert set(zip(pairs.id_a, pairs.id_b)) == want
    idx, sc = index.top_k(2)
    assert idx.shape == (n, 2)
    np.testing.assert_allclose(sc[:, 0], [max(S[i, j] for j in range(n) if j != i)
                                          for i in range(n)], atol=1e-12)


def test_similarity_index_pickles_and_checks_its_input(seed_index):
    again = pickle.loads(pickle.dumps(seed_index))
    pd.testing.assert_frame_equal(again.most_similar("a1"), seed_index.most_similar("a1"))
    pd.testing.assert_frame_equal(again.most_similar("missile defence"),
                                  seed_index.most_similar("missile defence"))
    with pytest.raises(ValueError, match="duplicate id"):
        newsim.SimilarityIndex().fit(["xx yy", "yy zz"], ids=["a", "a"])
    with pytest.raises(ValueError, match="titles"):
        newsim.SimilarityIndex().fit(["xx yy", "yy zz"], titles=["one"])
    with pytest.raises(newsim.NotFittedError):
        newsim.SimilarityIndex().most_similar("text")
    plain = newsim.SimilarityIndex.from_matrix(seed_index.matrix_)
    assert plain.most_similar(0, k=1).id.iloc[0] == seed_index.most_similar("a0", k=1).row.iloc[0]
    with pytest.raises(ValueError, match="vectorizer"):
        plain.most_similar("a text query")
    other = newsim.TfidfVectorizer().fit(["some other words entirely"])
    with pytest.raises(ValueError, match="must come from it"):
        newsim.SimilarityIndex.from_matrix(seed_index.matrix_, other)


def test_similarity_index_with_a_scikit_learn_vectorizer(seed_texts):
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    index = newsim.SimilarityIndex(sklearn_text.TfidfVectorizer()).fit(seed_texts)
    ours = newsim.SimilarityIndex(newsim.TfidfVectorizer()).fit(seed_texts)
    pd.testing.assert_frame_equal(index.most_similar(0), ours.most_similar(0), atol=1e-12)
    assert index.key_terms(0).term.tolist() == ours.key_terms(0).term.tolist()


# -- top_k's methods ------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 10])
def test_pruned_top_k_is_all_pairs_bit_for_bit(bbc_matrix, k):
    want = newsim.top_k(bbc_matrix, k=k, method="all_pairs")
    got = newsim.top_k(bbc_matrix, k=k, method="pruned")
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    # Y given, and the graph.
    want = newsim.top_k(bbc_matrix[:200], k=k, Y=bbc_matrix[100:], method="all_pairs")
    got = newsim.top_k(bbc_matrix[:200], k=k, Y=bbc_matrix[100:], method="pruned")
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    g = newsim.knn_graph(bbc_matrix, k=k, method="pruned")
    assert (g != newsim.knn_graph(bbc_matrix, k=k, method="all_pairs")).nnz == 0


def test_pruned_top_k_on_random_rows_with_ties_and_empty_rows():
    rng = np.random.default_rng(5)
    X = random_matrix(rng, 300, 60, 0.1).tolil()
    X[7] = X[3]
    X[9] = 0
    X = X.tocsr()
    S = dense_cosine(X)
    for k in (1, 4, 400):
        idx, sc = newsim.top_k(X, k=k, method="pruned")
        assert_top_k_matches(idx, sc, S, k, exclude_self=True)
        want = newsim.top_k(X, k=k, method="all_pairs")
        assert np.array_equal(idx, want[0]) and np.array_equal(sc, want[1])


def test_approximate_top_k_recall_and_exact_scores(bbc_matrix):
    idx, sc = newsim.top_k(bbc_matrix, k=10, method="all_pairs")
    got, gs = newsim.top_k(bbc_matrix, k=10, method="approximate")
    found = (idx[:, :, None] == got[:, None, :]).any(axis=2) & (idx >= 0)
    recall = found.sum() / (idx >= 0).sum()
    assert 0.9 < recall <= 1
    S = dense_cosine(bbc_matrix)
    rows = np.arange(len(got))[:, None]
    real = got >= 0
    np.testing.assert_allclose(gs[real], S[np.broadcast_to(rows, got.shape)[real], got[real]],
                               atol=1e-12)
    fewer, _ = newsim.top_k(bbc_matrix, k=10, method="approximate", candidates=10)
    found_fewer = (idx[:, :, None] == fewer[:, None, :]).any(axis=2) & (idx >= 0)
    assert found_fewer.sum() <= found.sum()
    one_term, _ = newsim.top_k(bbc_matrix, k=10, method="approximate", postings=1)
    found_one = (idx[:, :, None] == one_term[:, None, :]).any(axis=2) & (idx >= 0)
    assert found_one.sum() < found.sum()
    every = newsim.top_k(bbc_matrix, k=10, method="approximate", candidates=2**30,
                         postings=2**40)
    assert np.array_equal(every[0], idx) and np.array_equal(every[1], sc)


def test_top_k_method_arguments_are_checked(bbc_matrix):
    with pytest.raises(ValueError, match="method must be"):
        newsim.top_k(bbc_matrix, method="fast")
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="candidates"):
            newsim.top_k(bbc_matrix, method="approximate", candidates=bad)
        with pytest.raises(ValueError, match="postings"):
            newsim.knn_graph(bbc_matrix, method="approximate", postings=bad)
