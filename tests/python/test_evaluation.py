"""Evaluation: b_cubed and adjusted_rand_index.

B-cubed is compared with a brute-force per-item reference (each item's cluster and class as
explicit sets); the adjusted Rand index with scikit-learn's adjusted_rand_score.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import newsim

sk_metrics = pytest.importorskip("sklearn.metrics")


def b_cubed_reference(truth, predicted):
    """Per item: share of its cluster with its class, share of its class in its cluster."""
    truth = list(truth)
    predicted = list(predicted)
    n = len(truth)
    precision = recall = 0.0
    for i in range(n):
        cluster = {j for j in range(n) if predicted[j] == predicted[i]}
        klass = {j for j in range(n) if truth[j] == truth[i]}
        both = len(cluster & klass)
        precision += both / len(cluster)
        recall += both / len(klass)
    p, r = precision / n, recall / n
    return p, r, 2 * p * r / (p + r)


def random_labelings(seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(25):
        n = int(rng.integers(1, 60))
        kt = int(rng.integers(1, n + 1))
        kp = int(rng.integers(1, n + 1))
        yield rng.integers(0, kt, size=n), rng.integers(0, kp, size=n)


@pytest.mark.parametrize("seed", range(4))
def test_b_cubed_matches_brute_force(seed):
    for truth, predicted in random_labelings(seed):
        got = newsim.b_cubed(truth, predicted)
        ref = b_cubed_reference(truth, predicted)
        assert isinstance(got, newsim.BCubed)
        np.testing.assert_allclose(tuple(got), ref, rtol=1e-12, atol=0,
                                   err_msg=f"{truth.tolist()} / {predicted.tolist()}")


def test_b_cubed_known_values():
    assert newsim.b_cubed(["x", "x", "y", "y"], [0, 0, 0, 1]) == pytest.approx(
        (2 / 3, 0.75, 2 * (2 / 3) * 0.75 / (2 / 3 + 0.75)), rel=1e-15)
    # Perfect clustering, relabelled.
    assert tuple(newsim.b_cubed([1, 1, 2, 3, 3], ["b", "b", "a", "c", "c"])) == (1.0, 1.0, 1.0)
    # Everything in one cluster: recall 1, precision the mean class share.
    truth = [0, 0, 0, 1, 2, 2]
    p, r, _ = newsim.b_cubed(truth, [7] * 6)
    assert r == 1.0
    assert p == pytest.approx((9 + 1 + 4) / 36, rel=1e-15)
    # Every item alone: precision 1.
    p, r, _ = newsim.b_cubed(truth, range(6))
    assert p == 1.0
    assert r == pytest.approx((3 * (1 / 3) + 1 + 2 * 0.5) / 6, rel=1e-15)


def test_b_cubed_swapping_roles_swaps_precision_and_recall():
    rng = np.random.default_rng(7)
    truth = rng.integers(0, 5, size=200)
    predicted = rng.integers(0, 9, size=200)
    a = newsim.b_cubed(truth, predicted)
    b = newsim.b_cubed(predicted, truth)
    assert a.precision == pytest.approx(b.recall, rel=1e-14)
    assert a.recall == pytest.approx(b.precision, rel=1e-14)
    assert a.f1 == pytest.approx(b.f1, rel=1e-14)


@pytest.mark.parametrize("seed", range(4))
def test_adjusted_rand_index_matches_sklearn(seed):
    for truth, predicted in random_labelings(100 + seed):
        got = newsim.adjusted_rand_index(truth, predicted)
        ref = sk_metrics.adjusted_rand_score(truth, predicted)
        assert isinstance(got, float)
        assert got == pytest.approx(ref, rel=1e-10, abs=1e-12), (truth.tolist(), predicted.tolist())


@pytest.mark.parametrize("truth,predicted", [
    ([0], [0]),
    ([0, 1], [0, 1]),
    ([0, 0], [1, 1]),
    ([0, 0], [0, 1]),
    (list(range(10)), list(range(10))),            # all singletons on both sides
    ([3] * 10, [4] * 10),                          # one cluster on both sides
    (list(range(10)), [0] * 10),                   # singletons against one cluster
    ([0] * 10, list(range(10))),
    ([0, 0, 1, 1], [0, 1, 0, 1]),                  # worse than chance
    ([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]),
], ids=lambda v: str(v)[:20])
def test_adjusted_rand_index_edge_cases(truth, predicted):
    ref = sk_metrics.adjusted_rand_score(truth, predicted)
    assert newsim.adjusted_rand_index(truth, predicted) == pytest.approx(ref, rel=1e-12, abs=1e-15)


def test_adjusted_rand_index_large_random_and_identical():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 50, size=20000)
    noisy = truth.copy()
    flip = rng.random(truth.size) < 0.2
    noisy[flip] = rng.integers(0, 50, size=int(flip.sum()))
    assert newsim.adjusted_rand_index(truth, noisy) == pytest.approx(
        sk_metrics.adjusted_rand_score(truth, noisy), rel=1e-9)
    assert newsim.adjusted_rand_index(truth, truth + 1000) == 1.0
    independent = rng.integers(0, 50, size=20000)
    assert abs(newsim.adjusted_rand_index(truth, independent)) < 0.01


def test_labels_of_any_hashable_type():
    rng = np.random.default_rng(11)
    truth = rng.integers(0, 4, size=40)
    predicted = rng.integers(0, 6, size=40)
    kinds = [
        lambda k: f"story-{k}",
        lambda k: ("t", int(k)),
        lambda k: None if k == 0 else frozenset({int(k)}),
        lambda k: float(k) + 0.5,
        lambda k: "x" if k == 1 else int(k),   # mixed types
    ]
    ref_b = newsim.b_cubed(truth, predicted)
    ref_a = newsim.adjusted_rand_index(truth, predicted)
    for conv in kinds:
        t = [conv(k) for k in truth]
        p = [conv(k) for k in predicted]
        assert newsim.b_cubed(t, p) == pytest.approx(tuple(ref_b), rel=1e-15)
        assert newsim.adjusted_rand_index(t, p) == pytest.approx(ref_a, rel=1e-15)
    # numpy arrays, pandas Series, tuples and generators are sequences of labels too.
    assert newsim.b_cubed(pd.Series(truth), tuple(predicted)) == pytest.approx(tuple(ref_b))
    assert newsim.adjusted_rand_index((x for x in truth), iter(predicted)) == pytest.approx(ref_a)
    assert newsim.b_cubed(np.array([str(x) for x in truth]), predicted) == pytest.approx(
        tuple(ref_b))


def test_bad_labels_raise():
    for f in (newsim.b_cubed, newsim.adjusted_rand_index):
        with pytest.raises(ValueError, match="differ in length: 3 and 2"):
            f([0, 1, 2], [0, 1])
        with pytest.raises(ValueError, match="no labels"):
            f([], [])
        with pytest.raises(TypeError, match="truth labels must be hashable"):
            f([[1], [2]], [1, 2])
        with pytest.raises(TypeError, match="predicted labels must be hashable"):
            f([1, 2], [{}, {}])


def test_f1_is_harmonic_mean():
    rng = np.random.default_rng(5)
    for _ in range(20):
        t = rng.integers(0, 3, size=30)
        p = rng.integers(0, 7, size=30)
        b = newsim.b_cubed(t, p)
        assert b.f1 == pytest.approx(2 * b.precision * b.recall / (b.precision + b.recall),
                                     rel=1e-14)
        assert 0 < b.precision <= 1 and 0 < b.recall <= 1
        assert not math.isnan(b.f1)
