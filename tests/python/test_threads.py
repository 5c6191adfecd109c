"""Objects shared between Python threads (the bindings let the GIL go during batch work): no
crash, and every result is one that some order of the calls gives."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import scipy.sparse as sp

import newsim


def _run(workers):
    """Runs the callables on threads at once; re-raises the first error of any."""
    errors = []
    start = threading.Barrier(len(workers))

    def wrap(fn):
        def run():
            try:
                start.wait()
                fn()
            except BaseException as e:  # noqa: BLE001 - handed to the main thread
                errors.append(e)
        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _variant(i: int) -> str:
    return " ".join(f"changed{i}" if w == i % 100 else f"base{w}" for w in range(100))


def test_near_duplicate_index_add_from_8_threads():
    # Segfaulted in 5 of 5 runs before the index took a lock.
    ix = newsim.NearDuplicateIndex(0.7, n_jobs=2)
    reported = []

    def adder(t):
        def run():
            for r in range(15):
                batch = [_variant(t * 15 + r + i) if i % 2 else f"story {t} {r} {i} " * 20
                         for i in range(30)]
                reported.append(len(ix.add(batch)))
                ix.query(_variant(t))
                len(ix)
                ix._core.candidates
        return run

    def reader():
        for _ in range(30):
            ix.result()
            if len(ix):
                ix.signature(len(ix) - 1)
                ix.shingle_set(0)

    _run([adder(t) for t in range(8)] + [reader])
    assert len(ix) == 8 * 15 * 30
    r = ix.result()
    assert len(r.pairs) == sum(reported)
    # Every variant of the 100-word text is one group, whatever order the batches came in.
    sets = [ix.shingle_set(i) for i in range(len(ix))]
    variants = [i for i in range(len(ix)) if len(sets[i]) == 96]
    labels = r.group_labels()
    assert len(set(labels[variants])) == 1 and labels[variants[0]] >= 0


@pytest.mark.parametrize("make", [
    lambda: newsim.TfidfVectorizer(),
    lambda: newsim.CountVectorizer(ngram_range=(1, 2)),
    lambda: newsim.NewsVectorizer(),
], ids=["tfidf", "count", "news"])
def test_vectorizer_fit_while_other_threads_transform(make):
    # fit builds a new model and swaps it in whole: a transform sees the old or the new one.
    old_docs = [f"nato summit in brussels number {i} talks" for i in range(300)]
    new_docs = [f"storm closes airport runway {i} flights resume" for i in range(300)]
    v = make().fit(old_docs)
    probe = old_docs[:20] + new_docs[:20]
    before = v.transform(probe)
    after_model = make().fit(new_docs)
    after = after_model.transform(probe)
    seen = []

    def fitter():
        for _ in range(5):
            v.fit(old_docs)
            v.fit(new_docs)

    def transformer():
        for _ in range(10):
            X = v.transform(probe)
            seen.append(X)

    _run([fitter] + [transformer] * 4)
    for X in seen:
        same_old = X.shape == before.shape and (X != before).nnz == 0
        same_new = X.shape == after.shape and (X != after).nnz == 0
        assert same_old or same_new


def test_hashing_vectorizer_and_lsa_shared():
    docs = [f"nato summit in brussels number {i} talks on missile defence" for i in range(200)]
    h = newsim.HashingVectorizer(n_features=2**12)
    want = h.transform(docs)
    X = newsim.TfidfVectorizer().fit_transform(docs)
    lsa = newsim.LSA(n_components=5, random_state=0).fit(X)
    Z = lsa.transform(X)
    results = []

    def hashing():
        for _ in range(10):
            results.append(("h", h.transform(docs)))

    def latent():
        for _ in range(5):
            lsa.fit(X)
            results.append(("z", lsa.transform(X)))

    _run([hashing, hashing, latent, latent])
    for kind, got in results:
        if kind == "h":
            assert (got != want).nnz == 0
        else:
            np.testing.assert_allclose(np.abs(got), np.abs(Z), atol=1e-8)


def test_similarity_calls_share_their_inputs():
    rng = np.random.default_rng(0)
    X = sp.random(300, 50, density=0.2, format="csr", random_state=rng)
    want_idx, _ = newsim.top_k(X, k=5)
    want_join = newsim.similarity_join(X, 0.3)
    out = []

    def work():
        for _ in range(5):
            out.append((newsim.top_k(X, k=5)[0], newsim.similarity_join(X, 0.3)))

    _run([work] * 4)
    for idx, join in out:
        np.testing.assert_array_equal(idx, want_idx)
        assert (join != want_join).nnz == 0
