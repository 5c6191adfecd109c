"""Matrix files and vectorize_files: corpora streamed from files to vectors on disk."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
import scipy.sparse as sp

import newsim


def test_matrix_files_round_trip_and_map_from_disk(tmp_path):
    rng = np.random.default_rng(0)
    X = sp.random(40, 25, density=0.2, format="csr", random_state=rng)
    path = tmp_path / "x.json"
    newsim.save_matrix(X, path)
    Y = newsim.load_matrix(path)
    for a in (Y.data, Y.indices):  # read-only maps of the files, not copies (scipy may copy
        assert not a.flags.owndata and not a.flags.writeable  # indptr to its index type)
    assert (Y != X).nnz == 0 and Y.shape == X.shape
    assert (newsim.load_matrix(path, mmap=False) != X).nnz == 0
    newsim.save_matrix(np.array([[0.0, 2.0], [0.0, 0.0]]), path)  # dense in, rows kept
    assert newsim.load_matrix(path).toarray().tolist() == [[0.0, 2.0], [0.0, 0.0]]
    newsim.save_matrix(sp.csr_matrix((0, 3)), path)
    assert newsim.load_matrix(path).shape == (0, 3)


def test_corrupt_matrix_files_name_the_file(tmp_path):
    path = tmp_path / "bad.json"
    newsim.save_matrix(sp.csr_matrix(np.eye(4)), path)
    with open(f"{path}.indices", "r+b") as f:
        f.write(np.array([7], dtype="<i4").tobytes())  # column 7 of 4
    with pytest.raises(newsim.ModelFormatError, match=r"bad\.json.*row 0 has column 7 >= cols"):
        newsim.load_matrix(path)
    (tmp_path / "bad.json.data").write_bytes(b"\0" * 3)
    with pytest.raises(newsim.ModelFormatError, match="holds 3 bytes"):
        newsim.load_matrix(path)
    with pytest.raises(newsim.NewsimIOError):
        newsim.load_matrix(tmp_path / "missing.json")


@pytest.fixture(scope="module")
def reuters_files(tmp_path_factory, bbc_records):
    """Three gzip JSON-lines files of BBC articles (with titles), one malformed line."""
    folder = tmp_path_factory.mktemp("files")
    paths = []
    for k in range(3):
        path = folder / f"part-{k}.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8") as f:
            for r in bbc_records[k * 300:(k + 1) * 300]:
                f.write(json.dumps({"id": r["id"], "title": r["title"], "text": r["text"]}) + "\n")
            if k == 1:
                f.write("{not json\n")
        paths.append(path)
    return paths


@pytest.mark.parametrize("chunk_articles", [64, 100000])
@pytest.mark.parametrize("clean", [True, False])
def test_vectorize_files_equals_fitting_everything_at_once(tmp_path, reuters_files,
                                                           chunk_articles, clean):
    corpus = newsim.Corpus()
    for p in reuters_files:
        for a in newsim.read_articles(p, errors="skip"):
            corpus.append(a)
    expected_vectorizer = newsim.TfidfVectorizer(sublinear_tf=True)
    docs = corpus.documents() if clean else newsim.Corpus(corpus, cleaned=True).documents()
    expected = expected_vectorizer.fit_transform(docs)
    r = newsim.vectorize_files(reuters_files, tmp_path / "x.json",
                               newsim.TfidfVectorizer(sublinear_tf=True),
                               chunk_articles=chunk_articles, clean=clean, errors="report")
    assert r.ids == corpus.ids and r.skipped == 1
    assert r.issues[0][0] == str(reuters_files[1]) and r.issues[0][1] == 301
    assert r.vectorizer.get_feature_names_out().tolist() == \
        expected_vectorizer.get_feature_names_out().tolist()
    assert r.matrix.shape == expected.shape
    assert abs(r.matrix - expected).max() == 0
    assert (r.vectorizer.transform(docs[:5]) != expected[:5]).nnz == 0


def test_vectorize_files_errors(tmp_path, reuters_files):
    with pytest.raises(ValueError, match=r"part-1\.jsonl\.gz, line 301: not valid JSON"):
        newsim.vectorize_files(reuters_files, tmp_path / "x.json")
    with pytest.raises(ValueError, match="chunk_articles must be at least 1"):
        newsim.vectorize_files(reuters_files[:1], tmp_path / "x.json", chunk_articles=0)
    with pytest.raises(ValueError, match="CountVectorizer or TfidfVectorizer"):
        newsim.vectorize_files(reuters_files[:1], tmp_path / "x.json", newsim.NewsVectorizer())
    with pytest.raises(ValueError, match="without one"):
        newsim.vectorize_files(reuters_files[:1], tmp_path / "x.json",
                               newsim.CountVectorizer(vocabulary=["nato"]))
    assert not (tmp_path / "x.json").exists()
