"""Corpora bigger than memory: sparse matrices on disk, and files to vectors in chunks.

A matrix file is a small JSON header and three raw little-endian arrays beside it (indptr
int64, indices int32, data float64; the layout is in ``cpp/include/newsim/csr_file.hpp``),
which C++ reads with ``newsim::load_csr`` and Python maps into memory without reading it:

>>> import os, tempfile, scipy.sparse as sp
>>> path = os.path.join(tempfile.mkdtemp(), "x.json")
>>> save_matrix(sp.csr_matrix([[0.0, 1.5], [2.0, 0.0]]), path)
>>> load_matrix(path).toarray().tolist()
[[0.0, 1.5], [2.0, 0.0]]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import scipy.sparse as sp

from newsim import _core
from newsim._base import _n_jobs

__all__ = ["save_matrix", "load_matrix", "vectorize_files", "VectorizedFiles"]

PathLike = Union[str, os.PathLike]


def save_matrix(X: Any, path: PathLike) -> None:
    """Writes a sparse (or dense) matrix as float64 CSR to ``path`` and the three array files
    beside it (``path + ".indptr"``, ``".indices"``, ``".data"``); the header is written last.

    >>> import os, tempfile
    >>> save_matrix([[0.0, 1.0]], os.path.join(tempfile.mkdtemp(), "x.json"))
    """
    from newsim.similarity import as_csr

    m = as_csr(X)
    _core._save_csr((m.data, m.indices, m.indptr, m.shape), os.fspath(path))


def load_matrix(path: PathLike, *, mmap: bool = True) -> sp.csr_matrix:
    """The matrix of a file written by ``save_matrix`` or C++ (``CsrFileWriter``), checked by
    the core first (sizes, indptr, column order: ModelFormatError naming the file). With
    ``mmap`` (default) its arrays are read-only memory maps, read from disk as they are used
    (scipy may copy indptr, the smallest, to its index type).

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "x.json")
    >>> save_matrix([[0.0, 1.0], [3.0, 0.0]], path)
    >>> load_matrix(path).nnz
    2
    """
    rows, cols, nnz, indptr, indices, data = _core._check_csr_file(os.fspath(path))

    def array(file: str, dtype: str, n: int) -> np.ndarray:
        if n == 0:
            return np.zeros(0, dtype=dtype)
        if mmap:
            return np.memmap(file, dtype=dtype, mode="r", shape=(n,))
        return np.fromfile(file, dtype=dtype, count=n)

    return sp.csr_matrix((array(data, "<f8", nnz), array(indices, "<i4", nnz),
                          array(indptr, "<i8", rows + 1)), shape=(rows, cols), copy=False)


@dataclass
class VectorizedFiles:
    """What ``vectorize_files`` gives: the fitted ``vectorizer``, the ``matrix`` (memory-mapped
    from ``path``), the ``ids`` of its rows, and the malformed lines it ``skipped`` (listed in
    ``issues`` as (file, line, message) under errors="report")."""

    vectorizer: Any
    matrix: sp.csr_matrix
    ids: List[str]
    path: str
    skipped: int = 0
    issues: List[Tuple[str, int, str]] = field(default_factory=list)


def vectorize_files(paths: Union[PathLike, Sequence[PathLike]], out: PathLike, vectorizer: Any = None,
                    *, chunk_articles: int = 20000, clean: bool = True, title_weight: int = 1,
                    fields: Optional[Mapping[str, str]] = None, errors: str = "raise",
                    max_line_bytes: int = 64 << 20, n_jobs: Optional[int] = None
                    ) -> VectorizedFiles:
    """Fits ``vectorizer`` (default ``TfidfVectorizer()``; a CountVectorizer or
    TfidfVectorizer without callables) on the articles of JSON-lines files and writes their
    vectors to the matrix file ``out``, holding ``chunk_articles`` articles at a time. Cleaning
    counts repeated lines over all files first; the texts are as ``Corpus.documents``
    makes them. The result equals ``vectorizer.fit_transform(corpus.documents())`` on all
    articles at once (a repeated id keeps its first article; the rest follow ``errors``).

    >>> import gzip, json, os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with gzip.open(os.path.join(folder, "a.jsonl.gz"), "wt") as f:
    ...     for i, t in enumerate(["NATO summit", "Russia talks", "NATO and Russia"]):
    ...         _ = f.write(json.dumps({"id": f"n{i}", "text": t}) + "\\n")
    >>> r = vectorize_files(os.path.join(folder, "a.jsonl.gz"), os.path.join(folder, "x.json"))
    >>> r.matrix.shape, r.ids
    ((3, 5), ['n0', 'n1', 'n2'])
    """
    from newsim.articles import _ERRORS, _core_fields, _field_names, _max_line_bytes
    from newsim.text import CountVectorizer, TfidfVectorizer

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    if errors not in _ERRORS:
        raise ValueError(f"errors must be one of {_ERRORS}; got {errors!r}")
    for name, value in (("chunk_articles", chunk_articles), ("title_weight", title_weight)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an int; got {value!r}")
    v = vectorizer if vectorizer is not None else TfidfVectorizer()
    if not isinstance(v, CountVectorizer) or v._mode() != "core":
        raise ValueError("vectorize_files takes a CountVectorizer or TfidfVectorizer without "
                         "a callable preprocessor, tokenizer or analyzer")
    core = v._make_core()
    rows, skipped, issues, ids = _core._vectorize_files(
        paths, core, os.fspath(out), max(chunk_articles, 0), bool(clean), title_weight,
        _core_fields(_field_names(fields)), errors, _max_line_bytes(max_line_bytes),
        _n_jobs(n_jobs))
    v._set_fitted(core)
    return VectorizedFiles(v, load_matrix(out), ids, os.fspath(out), skipped,
                           [tuple(i) for i in issues])
