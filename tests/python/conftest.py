"""Shared fixtures for newsim's Python tests.

Corpora live outside the repository, at ``<repo>/../shared/corpora`` (gzip JSON lines, see
the README there); tests that need them skip with a clear reason when they are absent.
The five sample articles live in ``<repo>/data/seeds`` (falling back to
``<repo>/../shared/seeds``).

Helpers are handed out as session-scoped fixtures (rather than imported from this module)
so that the tests work under any pytest import mode and inside hypothesis tests.
"""

from __future__ import annotations

import gzip
import json
import signal
from pathlib import Path
from typing import Callable, Dict, List

import numpy as np
import pytest
import scipy.sparse as sp

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPORA_DIR = REPO_ROOT.parent / "shared" / "corpora"
SEED_DIRS = (REPO_ROOT / "data" / "seeds", REPO_ROOT.parent / "shared" / "seeds")

_corpus_cache: Dict[str, List[dict]] = {}


@pytest.fixture(scope="session", autouse=True)
def sigint_raises_keyboard_interrupt():
    """The Ctrl-C tests simulate SIGINT with ``_thread.interrupt_main``, which does nothing
    while SIGINT is ignored, as it is in a process a shell without job control started in the
    background (``pytest ... &`` in a script): give SIGINT Python's handler for the session."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _load_corpus(name: str) -> List[dict]:
    """Read ``<name>.jsonl.gz`` once per session; skip the test when it is absent."""
    if name not in _corpus_cache:
        path = CORPORA_DIR / f"{name}.jsonl.gz"
        if not path.is_file():
            pytest.skip(f"corpus {path} not found (corpora live in <repo>/../shared/corpora)")
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            _corpus_cache[name] = [json.loads(line) for line in fh if line.strip()]
    return _corpus_cache[name]


def _texts(name: str) -> List[str]:
    return [rec.get("text") or "" for rec in _load_corpus(name)]


@pytest.fixture(scope="session")
def corpora_dir() -> Path:
    return CORPORA_DIR


@pytest.fixture(scope="session")
def bbc_records() -> List[dict]:
    """BBC News: 2,225 records with id, label, title, text."""
    return _load_corpus("bbc")


@pytest.fixture(scope="session")
def bbc_texts() -> List[str]:
    return _texts("bbc")


@pytest.fixture(scope="session")
def reuters_texts() -> List[str]:
    """Reuters-21578: 21,578 bodies, 2,535 of them empty (kept, on purpose)."""
    return _texts("reuters21578")


@pytest.fixture(scope="session")
def newsgroups_texts() -> List[str]:
    """20 Newsgroups: 18,846 raw Usenet posts (~36 MB)."""
    return _texts("20newsgroups")


@pytest.fixture(scope="session")
def seed_texts() -> List[str]:
    """The five scraped sample articles, boilerplate and all."""
    for d in SEED_DIRS:
        files = sorted(d.glob("*.txt")) if d.is_dir() else []
        if files:
            return [f.read_bytes().decode("utf-8") for f in files]
    pytest.skip(f"seed articles not found in any of {[str(d) for d in SEED_DIRS]}")


@pytest.fixture(scope="session")
def corpus_texts(request) -> Callable[[str], List[str]]:
    """Return a loader ``name -> list of texts`` for bbc/reuters21578/20newsgroups/seeds."""

    def load(name: str) -> List[str]:
        if name == "seeds":
            return request.getfixturevalue("seed_texts")
        return _texts(name)

    return load


# ---------------------------------------------------------------------------------------
# Comparison helpers
# ---------------------------------------------------------------------------------------


def _canonical(m) -> sp.csr_matrix:
    """A CSR copy with explicit zeros dropped and indices sorted (values unchanged)."""
    c = sp.csr_matrix(m, copy=True)
    c.sum_duplicates()
    c.eliminate_zeros()
    c.sort_indices()
    return c


def assert_csr_equal(ours, ref, atol: float = 0.0, *, check_dtype: bool = True) -> None:
    """Assert two sparse matrices are equal entry by entry.

    ``ours`` must be a ``scipy.sparse.csr_matrix``. Shapes must match; the sparsity
    patterns must match once explicit zeros are dropped on both sides (scikit-learn's
    HashingVectorizer keeps explicit zeros where colliding signs cancel); every entry
    must agree within ``atol`` (``atol=0`` demands exact equality).
    """
    assert isinstance(ours, sp.csr_matrix), f"expected scipy.sparse.csr_matrix, got {type(ours)!r}"
    assert ours.shape == ref.shape, f"shape {ours.shape} != reference {ref.shape}"
    if check_dtype:
        assert ours.dtype == ref.dtype, f"dtype {ours.dtype} != reference {ref.dtype}"
    a, b = _canonical(ours), _canonical(ref)
    if a.nnz != b.nnz or not (
        np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    ):
        rows_a = np.diff(a.indptr)
        rows_b = np.diff(b.indptr)
        bad = np.flatnonzero(rows_a != rows_b)
        if bad.size == 0:  # same counts per row but different columns
            bad = np.array(
                [
                    i
                    for i in range(a.shape[0])
                    if not np.array_equal(
                        a.indices[a.indptr[i] : a.indptr[i + 1]],
                        b.indices[b.indptr[i] : b.indptr[i + 1]],
                    )
                ]
            )
        first = int(bad[0]) if bad.size else -1
        detail = ""
        if first >= 0:
            ca = set(a.indices[a.indptr[first] : a.indptr[first + 1]].tolist())
            cb = set(b.indices[b.indptr[first] : b.indptr[first + 1]].tolist())
            detail = (
                f"; first differing row {first}: only ours {sorted(ca - cb)[:10]}, "
                f"only reference {sorted(cb - ca)[:10]}"
            )
        raise AssertionError(
            f"sparsity pattern differs: nnz {a.nnz} vs reference {b.nnz}, "
            f"{bad.size} row(s) differ{detail}"
        )
    if a.nnz:
        diff = np.abs(a.data.astype(np.float64) - b.data.astype(np.float64))
        worst = int(np.argmax(diff))
        if diff[worst] > atol:
            row = int(np.searchsorted(a.indptr, worst, side="right") - 1)
            raise AssertionError(
                f"max |ours - ref| = {diff[worst]:.3e} > atol {atol:.1e} at "
                f"({row}, {a.indices[worst]}): {a.data[worst]!r} vs {b.data[worst]!r}"
            )
    # Belt and braces: the dense-equivalent difference, computed by scipy.
    if ours.shape[0] and ours.shape[1]:
        d = abs(ours.astype(np.float64) - ref.astype(np.float64))
        assert (d.max() if d.nnz else 0.0) <= atol


def assert_vocab_equal(ours, ref) -> None:
    """Assert two fitted vectorizers have the same vocabulary_ and feature names."""
    vo, vr = dict(ours.vocabulary_), dict(ref.vocabulary_)
    if vo != vr:
        ko, kr = set(vo), set(vr)
        only_o, only_r = sorted(ko - kr), sorted(kr - ko)
        moved = sorted(t for t in ko & kr if vo[t] != vr[t])
        raise AssertionError(
            f"vocabulary_ differs: {len(vo)} vs {len(vr)} terms; "
            f"only ours ({len(only_o)}): {only_o[:15]!r}; "
            f"only reference ({len(only_r)}): {only_r[:15]!r}; "
            f"different index ({len(moved)}): "
            f"{[(t, vo[t], vr[t]) for t in moved[:10]]!r}"
        )
    fo, fr = ours.get_feature_names_out(), ref.get_feature_names_out()
    assert isinstance(fo, np.ndarray), f"get_feature_names_out returned {type(fo)!r}"
    assert fo.dtype == object, f"get_feature_names_out dtype {fo.dtype}, expected object"
    assert fo.shape == fr.shape, f"{fo.shape} feature names vs reference {fr.shape}"
    assert list(fo) == list(fr), "get_feature_names_out order differs"


@pytest.fixture(name="assert_csr_equal", scope="session")
def _assert_csr_equal_fixture():
    return assert_csr_equal


@pytest.fixture(name="assert_vocab_equal", scope="session")
def _assert_vocab_equal_fixture():
    return assert_vocab_equal
