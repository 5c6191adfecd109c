"""Latent semantic analysis: newsim's truncated SVD, a drop-in for scikit-learn's TruncatedSVD.

The work runs in C++ (randomized SVD on the CSR buffers, all cores, GIL released); results do
not depend on ``n_jobs``. ``LSA(200).fit_transform(X)`` gives dense document coordinates whose
cosines ``newsim.top_k`` searches exactly.
"""

from __future__ import annotations

import numbers
import os
from typing import Any, Dict, Optional, Union

import numpy as np

from newsim import _core
from newsim._base import Estimator, _n_jobs, _options_of
from newsim.similarity import as_csr

__all__ = ["LSA"]

_FITTED = ("components_", "singular_values_", "explained_variance_", "explained_variance_ratio_",
           "n_features_in_")


def _seed(random_state: Any) -> int:
    if random_state is None:
        return 0
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(np.iinfo(np.int64).max))
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral) \
            or random_state < 0 or random_state >= 2**64:
        raise ValueError(f"random_state must be None, an int in [0, 2**64) or a numpy random "
                         f"generator; got {random_state!r}")
    return int(random_state)


def _int(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an int >= {low}; got {value!r}")
    if value > np.iinfo(np.int32).max:
        raise ValueError(f"{name} is too large: {value}")
    return int(value)


class LSA(Estimator):
    """Truncated SVD of a term matrix (no centring), with scikit-learn's TruncatedSVD API.

    Parameters keep scikit-learn's names and meanings (``algorithm="randomized"``): the
    ``n_components`` largest singular triplets by ``n_iter`` power iterations on
    ``n_components + n_oversamples`` random vectors. ``random_state`` is None (seed 0, so
    results are reproducible), an int, or a numpy RandomState / Generator that draws the seed.

    Fitted attributes: ``components_`` (n_components × n_features), ``singular_values_``,
    ``explained_variance_``, ``explained_variance_ratio_`` (as scikit-learn computes them) and
    ``n_features_in_``. Each component's largest absolute value is positive.

    >>> import numpy as np, scipy.sparse as sp
    >>> X = sp.random(50, 30, density=0.3, random_state=0, format="csr")
    >>> lsa = LSA(n_components=5).fit(X)
    >>> lsa.transform(X).shape, lsa.components_.shape
    ((50, 5), (5, 30))
    """

    def __init__(self, n_components: int = 100, *, n_iter: int = 5, n_oversamples: int = 10,
                 random_state: Any = None, n_jobs: Optional[int] = None) -> None:
        self.n_components = n_components
        self.n_iter = n_iter
        self.n_oversamples = n_oversamples
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _new_core(self) -> Any:
        return _core.Lsa(_int(self.n_components, "n_components", 1),
                         _int(self.n_iter, "n_iter", 0),
                         _int(self.n_oversamples, "n_oversamples", 0),
                         _seed(self.random_state), _n_jobs(self.n_jobs))

    def fit(self, X: Any, y: Any = None) -> "LSA":
        """Fits on X (documents × terms: any scipy sparse matrix or 2-D array)."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Fits on X and returns its coordinates U·diag(s), shape (n_documents, n_components).

        Raises ValueError when n_components is not below both dimensions of X, or X is empty.
        """
        x = as_csr(X, "X")
        core = self._new_core()
        U = core.fit_transform((x.data, x.indices, x.indptr, x.shape))
        self._set_fitted(core)
        return U

    def _set_fitted(self, core: Any) -> None:
        self._core_ = core
        self.components_ = core.components
        self.singular_values_ = core.singular_values
        self.explained_variance_ = core.explained_variance
        self.explained_variance_ratio_ = core.explained_variance_ratio
        self.n_features_in_ = int(core.n_features)

    def _fitted(self) -> Any:
        core = self.__dict__.get("_core_")
        if core is None:
            raise _core.NotFittedError(f"This {type(self).__name__} instance is not fitted yet: "
                                       "call fit() first")
        return core

    def transform(self, X: Any) -> np.ndarray:
        """X·components_ᵀ: the coordinates of new documents (rows with no terms give zeros)."""
        core = self._fitted()
        x = as_csr(X, "X")
        return core.transform((x.data, x.indices, x.indptr, x.shape))

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Back to term space: X·components_, shape (n_documents, n_features)."""
        self._fitted()
        a = np.asarray(X, dtype=np.float64)
        if a.ndim != 2 or a.shape[1] != self.components_.shape[0]:
            raise ValueError(f"X must have shape (n, {self.components_.shape[0]}); "
                             f"got {a.shape}")
        return a @ self.components_

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns: lsa0, lsa1, ..."""
        self._fitted()
        return np.asarray([f"lsa{i}" for i in range(self.components_.shape[0])], dtype=object)

    # ---- persistence ----

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Writes ``path`` (versioned JSON) and, when fitted, ``path + ".bin"`` (the arrays,
        little-endian float64); ``LSA.load`` (Python) or ``Lsa::load`` (C++) reads them."""
        core = self.__dict__.get("_core_") or self._new_core()
        core.save(os.fspath(path))

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "LSA":
        """Reads a model written by ``save``; ValueError (ModelFormatError) naming the file when
        the JSON or its arrays are corrupt or do not match."""
        return cls._from_core(_core.Lsa.load(os.fspath(path)))

    @classmethod
    def _from_core(cls, core: Any, params: Optional[Dict[str, Any]] = None) -> "LSA":
        if params is None:
            o = _options_of(core)
            params = {"n_components": o["n_components"], "n_iter": o["n_iter"],
                      "n_oversamples": o["n_oversamples"], "random_state": o["random_state"],
                      "n_jobs": None if o["n_jobs"] == 0 else o["n_jobs"]}
        self = cls(**params)
        if core.is_fitted:
            self._set_fitted(core)
        return self

    def __getstate__(self) -> Dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k != "_core_" and k not in _FITTED}
        core = self.__dict__.get("_core_")
        if core is not None:
            state["_model_json"] = core.to_json()
            state["_model_arrays"] = core.arrays_to_bytes()
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        state = dict(state)
        text = state.pop("_model_json", None)
        arrays = state.pop("_model_arrays", None)
        self.__dict__.update(state)
        if text is not None:
            self._set_fitted(_core.Lsa.from_json(text, arrays, "<pickle>"))
