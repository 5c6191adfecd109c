"""LSA and the dense similarity path, against numpy's exact SVD, scikit-learn's TruncatedSVD and
brute-force cosines."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp

import newsim


def random_csr(n, m, density=0.1, seed=0):
    X = sp.random(n, m, density=density, random_state=seed, format="csr")
    X.sort_indices()
    return X


def brute_cosine(A, B):
    na = np.linalg.norm(A, axis=1)
    nb = np.linalg.norm(B, axis=1)
    na[na == 0] = 1
    nb[nb == 0] = 1
    return (A / na[:, None]) @ (B / nb[:, None]).T


# ---- LSA ----

@pytest.mark.parametrize("shape", [(60, 90), (90, 60)])
def test_components_orthonormal_and_close_to_the_exact_svd(shape):
    X = random_csr(*shape, density=0.2, seed=1)
    lsa = newsim.LSA(8, random_state=0)
    U = lsa.fit_transform(X)
    V = lsa.components_
    assert V.shape == (8, shape[1]) and U.shape == (shape[0], 8)
    np.testing.assert_allclose(V @ V.T, np.eye(8), atol=1e-10)
    u, s, vt = np.linalg.svd(X.toarray(), full_matrices=False)
    np.testing.assert_allclose(lsa.singular_values_, s[:8], rtol=2e-2)
    exact = np.linalg.norm(X.toarray() - (u[:, :8] * s[:8]) @ vt[:8])
    ours = np.linalg.norm(X.toarray() - U @ V)
    assert ours <= exact * 1.01
    # Largest |value| of each component is positive; transform is X·Vᵀ.
    assert (V[np.arange(8), np.abs(V).argmax(axis=1)] > 0).all()
    np.testing.assert_allclose(lsa.transform(X), X @ V.T, atol=1e-12)
    np.testing.assert_allclose(lsa.inverse_transform(U), U @ V)


def test_exact_when_oversampling_covers_the_matrix():
    X = random_csr(40, 25, density=0.3, seed=2)
    lsa = newsim.LSA(5, n_oversamples=100).fit(X)
    s = np.linalg.svd(X.toarray(), compute_uv=False)
    np.testing.assert_allclose(lsa.singular_values_, s[:5], rtol=1e-10)


def test_explained_variance_like_scikit_learn():
    TruncatedSVD = pytest.importorskip("sklearn.decomposition").TruncatedSVD
    X = random_csr(300, 200, density=0.05, seed=3)
    ours = newsim.LSA(20, random_state=0).fit(X)
    theirs = TruncatedSVD(20, algorithm="randomized", n_iter=5, random_state=0).fit(X)
    assert ours.n_features_in_ == 200
    np.testing.assert_allclose(ours.explained_variance_ratio_.sum(),
                               theirs.explained_variance_ratio_.sum(), rtol=0.01)
    np.testing.assert_allclose(ours.singular_values_, theirs.singular_values_, rtol=0.02)
    # explained_variance_ is the variance of the transformed columns, as sklearn defines it.
    U = ours.transform(X)
    np.testing.assert_allclose(ours.explained_variance_, U.var(axis=0), rtol=1e-8)
    total = X.toarray().var(axis=0).sum()
    np.testing.assert_allclose(ours.explained_variance_ratio_, U.var(axis=0) / total, rtol=1e-8)


def test_results_do_not_depend_on_threads():
    X = random_csr(500, 400, density=0.05, seed=4)
    a = newsim.LSA(15, n_jobs=1).fit(X)
    b = newsim.LSA(15, n_jobs=2).fit(X)
    assert np.array_equal(a.components_, b.components_)
    assert np.array_equal(a.singular_values_, b.singular_values_)
    assert np.array_equal(a.transform(X), b.transform(X))


def test_dense_input_and_empty_rows():
    X = random_csr(30, 20, density=0.3, seed=5).toarray()
    X[4] = 0
    lsa = newsim.LSA(3)
    U = lsa.fit_transform(X)
    assert np.isfinite(U).all()
    assert (U[4] == 0).all()
    assert (lsa.transform(np.zeros((2, 20))) == 0).all()


def test_bad_input():
    X = random_csr(10, 20, density=0.3, seed=6)
    with pytest.raises(ValueError, match="n_components=10"):
        newsim.LSA(10).fit(X)
    with pytest.raises(ValueError, match="n_components=20"):
        newsim.LSA(20).fit(X.T.tocsr())
    with pytest.raises(ValueError, match="empty"):
        newsim.LSA(2).fit(sp.csr_matrix((0, 20)))
    with pytest.raises(ValueError):
        newsim.LSA(2).fit(sp.csr_matrix((5, 20)))  # no terms at all
    with pytest.raises(ValueError):
        newsim.LSA(0).fit(X)
    with pytest.raises(newsim.NotFittedError):
        newsim.LSA(2).transform(X)
    lsa = newsim.LSA(2).fit(X)
    with pytest.raises(ValueError, match="columns"):
        lsa.transform(random_csr(3, 7))


def test_empty_corpus():
    for X in (sp.csr_matrix((0, 0)), sp.csr_matrix((0, 5)), np.zeros((0, 4))):
        with pytest.raises(ValueError, match="empty"):
            newsim.LSA(2).fit(X)


def test_params_repr_and_pickle():
    lsa = newsim.LSA(4, n_iter=3, random_state=7)
    assert repr(lsa) == "LSA(n_components=4, n_iter=3, random_state=7)"
    assert lsa.set_params(n_oversamples=5).get_params()["n_oversamples"] == 5
    X = random_csr(40, 30, density=0.2, seed=8)
    lsa.fit(X)
    back = pickle.loads(pickle.dumps(lsa))
    assert back.get_params() == lsa.get_params()
    assert np.array_equal(back.components_, lsa.components_)
    assert np.array_equal(back.transform(X), lsa.transform(X))
    unfitted = pickle.loads(pickle.dumps(newsim.LSA(3)))
    assert unfitted.n_components == 3 and not hasattr(unfitted, "components_")


def test_save_load_and_corrupt_arrays(tmp_path):
    X = random_csr(40, 30, density=0.2, seed=9)
    lsa = newsim.LSA(4, random_state=3).fit(X)
    path = tmp_path / "model.json"
    lsa.save(path)
    assert (tmp_path / "model.json.bin").exists()
    back = newsim.LSA.load(path)
    assert back.random_state == 3 and back.n_components == 4
    assert np.array_equal(back.components_, lsa.components_)
    assert np.array_equal(back.explained_variance_ratio_, lsa.explained_variance_ratio_)
    np.testing.assert_array_equal(back.transform(X), lsa.transform(X))

    binary = (tmp_path / "model.json.bin").read_bytes()
    flipped = bytearray(binary)
    flipped[-5] ^= 0x10
    (tmp_path / "model.json.bin").write_bytes(bytes(flipped))
    with pytest.raises(newsim.ModelFormatError, match="model.json.bin"):
        newsim.LSA.load(path)
    (tmp_path / "model.json.bin").write_bytes(binary[:-16])
    with pytest.raises(ValueError, match="model.json.bin"):
        newsim.LSA.load(path)
    newsim.LSA(3).fit(X).save(tmp_path / "other.json")
    (tmp_path / "model.json.bin").write_bytes((tmp_path / "other.json.bin").read_bytes())
    with pytest.raises(newsim.ModelFormatError):
        newsim.LSA.load(path)


# ---- dense top_k / similarity_join ----

def dense_rows(n, d, seed):
    rng = np.random.default_rng(seed)
    A = rng.integers(-3, 4, size=(n, d)).astype(float)
    A[::7] = 0  # zero rows
    A[5::11] = A[4::11][: len(A[5::11])]  # duplicates: exact ties
    return A


def check_top_k(idx, sc, S, k, exclude_self):
    for i in range(S.shape[0]):
        row = S[i]
        cand = [j for j in np.flatnonzero(np.abs(row) > 1e-12) if not (exclude_self and j == i)]
        ref = sorted(cand, key=lambda j: (-row[j], j))[:k]
        m = len(ref)
        assert (idx[i, m:] == -1).all() and (sc[i, m:] == 0).all()
        np.testing.assert_allclose(sc[i, :m], row[ref], atol=1e-12)
        np.testing.assert_allclose(sc[i, :m], row[idx[i, :m]], atol=1e-12)
        if m:
            kth = row[ref[-1]]
            assert {j for j in ref if row[j] > kth + 1e-9} <= set(idx[i, :m].tolist())


@pytest.mark.parametrize("exclude_self", [True, False])
def test_dense_top_k_matches_brute_force(exclude_self):
    A = dense_rows(300, 8, 1)
    idx, sc = newsim.top_k(A, 6, exclude_self=exclude_self)
    S = brute_cosine(A, A)
    check_top_k(idx, sc, S, 6, exclude_self)
    B = dense_rows(650, 8, 2)
    idx, sc = newsim.top_k(A, 4, B)
    check_top_k(idx, sc, brute_cosine(A, B), 4, False)
    idx, sc = newsim.top_k(A, 4, B, metric="dot")
    check_top_k(idx, sc, A @ B.T, 4, False)


def test_dense_top_k_exact_ties_and_same_as_sparse():
    A = np.array([[1.0, 1], [2, 2], [1, 1], [4, 4], [0, 0], [1, 0]])
    idx, sc = newsim.top_k(A, 3)
    assert idx[0].tolist() == [1, 2, 3]
    assert idx[4].tolist() == [-1, -1, -1] and (sc[4] == 0).all()
    sidx, ssc = newsim.top_k(sp.csr_matrix(A), 3)
    assert np.array_equal(idx, sidx)
    np.testing.assert_allclose(sc, ssc, atol=1e-15)


def test_dense_threads_identical_and_graph():
    A = np.random.default_rng(3).normal(size=(900, 40))
    a = newsim.top_k(A, 10, n_jobs=1)
    b = newsim.top_k(A, 10, n_jobs=2)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    g = newsim.knn_graph(A, 3)
    assert g.shape == (900, 900) and g.nnz == 900 * 3
    p = newsim.similarity_join(A, 0.3, n_jobs=1)
    q = newsim.similarity_join(A, 0.3, n_jobs=2)
    assert (p != q).nnz == 0 and np.array_equal(p.indices, q.indices)


def test_dense_join_matches_brute_force():
    A = dense_rows(200, 6, 4)
    B = dense_rows(500, 6, 5)
    for Y, S, upper in ((None, brute_cosine(A, A), True), (B, brute_cosine(A, B), False)):
        m = newsim.similarity_join(A, 0.6, Y)
        got = m.toarray()
        want = np.where(S >= 0.6, S, 0)
        if upper:
            want = np.triu(want, 1)
        close = np.abs(S - 0.6) < 1e-9
        np.testing.assert_allclose(np.where(close, 0, got), np.where(close, 0, want), atol=1e-12)


def test_dense_bad_input():
    with pytest.raises(ValueError, match="NaN"):
        newsim.top_k(np.array([[1.0, np.nan], [1, 1]]), 1)
    with pytest.raises(ValueError):
        newsim.top_k(np.ones((3, 2)), 1, np.ones((3, 4)))
    with pytest.raises(ValueError):
        newsim.similarity_join(np.ones((3, 2)), 0.0)


def test_lsa_then_dense_neighbours():
    X = random_csr(200, 150, density=0.05, seed=10)
    U = newsim.LSA(10).fit_transform(X)
    idx, sc = newsim.top_k(U, 5)
    check_top_k(idx, sc, brute_cosine(U, U), 5, True)
