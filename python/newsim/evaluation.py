"""Measuring a clustering against reference labels: B-cubed and the adjusted Rand index.

>>> from newsim import b_cubed, adjusted_rand_index
>>> b_cubed(["x", "x", "y", "y"], [0, 0, 0, 1])
BCubed(precision=0.6666666666666666, recall=0.75, f1=0.7058823529411765)
>>> adjusted_rand_index(["x", "x", "y", "y"], [5, 5, 7, 7])
1.0
"""

from __future__ import annotations

from typing import Any, NamedTuple, Tuple

import numpy as np

from newsim import _core


class BCubed(NamedTuple):
    precision: float
    recall: float
    f1: float


def _factorize(labels: list, name: str) -> np.ndarray:
    codes: dict = {}
    try:
        return np.fromiter((codes.setdefault(x, len(codes)) for x in labels), dtype=np.int64,
                           count=len(labels))
    except TypeError:
        raise TypeError(f"{name} labels must be hashable") from None


def _codes(truth: Any, predicted: Any) -> Tuple[np.ndarray, np.ndarray]:
    t = list(truth)
    p = list(predicted)
    if len(t) != len(p):
        raise ValueError(f"the label sequences differ in length: {len(t)} and {len(p)}")
    if not t:
        raise ValueError("no labels to compare")
    return _factorize(t, "truth"), _factorize(p, "predicted")


def b_cubed(truth: Any, predicted: Any) -> BCubed:
    """B-cubed precision, recall and F1 of a clustering (labels of any hashable kind): per item,
    the share of its cluster that shares its true label, and the share of its true class that
    shares its cluster, averaged over items.

    >>> b_cubed(["x", "x", "y"], [1, 1, 1]).recall
    1.0
    """
    return BCubed(*_core._b_cubed(*_codes(truth, predicted)))


def adjusted_rand_index(truth: Any, predicted: Any) -> float:
    """The adjusted Rand index of two labelings, as scikit-learn's adjusted_rand_score.

    >>> round(adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]), 6)
    -0.5
    """
    return float(_core._adjusted_rand_index(*_codes(truth, predicted)))
