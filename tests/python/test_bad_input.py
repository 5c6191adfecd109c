"""Bad input gets a clear error naming the document or file; never a crash, never silent loss.

Where scikit-learn defines the behaviour (empty corpora, min_df/max_df conflicts, a single
string instead of a list, bytes decoding) newsim must match it; where newsim is stricter
(non-string documents, callables) it raises the documented exception.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from sklearn.feature_extraction import text as sk

import newsim

CLASSES = ["CountVectorizer", "TfidfVectorizer", "HashingVectorizer"]
FITTED_CLASSES = ["CountVectorizer", "TfidfVectorizer"]
GOOD = ["the first document about markets", "a second document about music", "third one"]


def _word(n) -> str:
    """A regex matching the number n on its own (not as part of a larger number)."""
    return rf"(?<![0-9]){n}(?![0-9])"


# --------------------------------------------------------------------------------------
# The exception hierarchy
# --------------------------------------------------------------------------------------


def test_exception_hierarchy():
    assert issubclass(newsim.NewsimError, Exception)
    assert issubclass(newsim.DecodeError, newsim.NewsimError)
    assert issubclass(newsim.DecodeError, ValueError)
    assert issubclass(newsim.ModelFormatError, newsim.NewsimError)
    assert issubclass(newsim.ModelFormatError, ValueError)
    assert issubclass(newsim.NotFittedError, newsim.NewsimError)
    assert issubclass(newsim.NotFittedError, ValueError)
    assert issubclass(newsim.NotFittedError, AttributeError)


# --------------------------------------------------------------------------------------
# Invalid UTF-8
# --------------------------------------------------------------------------------------

PREFIX = b"0123456789 abcdef"  # 17 bytes, so the bad byte sits at offset 17
INVALID = [
    pytest.param(b"\xff", id="ff"),
    pytest.param(b"\x80 continuation", id="lone-continuation"),
    pytest.param(b"\xc3( two", id="bad-second-byte"),
    pytest.param(b"\xc0\xaf overlong", id="overlong"),
    pytest.param(b"\xed\xa0\x80 surrogate", id="surrogate"),
    pytest.param(b"\xf4\x90\x80\x80 too big", id="above-10ffff"),
    pytest.param(b"\xe2\x82", id="truncated-at-end"),
]


@pytest.mark.parametrize("bad", INVALID)
@pytest.mark.parametrize("cls", CLASSES)
def test_invalid_utf8_strict(cls, bad):
    doc = PREFIX + bad
    with pytest.raises(UnicodeDecodeError) as py:
        doc.decode("utf-8")
    assert py.value.start == 17
    docs = [b"good bytes document", "a str document", b"another fine one", doc, b"more"]
    vec = getattr(newsim, cls)()
    with pytest.raises(newsim.DecodeError) as info:
        vec.fit_transform(docs)
    msg = str(info.value)
    assert re.search(_word(3), msg), f"document index 3 missing from {msg!r}"
    assert re.search(_word(17), msg), f"byte offset 17 missing from {msg!r}"
    # scikit-learn raises too (UnicodeDecodeError is a ValueError as well).
    with pytest.raises(ValueError):
        getattr(sk, cls)().fit_transform(docs)


@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_invalid_utf8_strict_in_transform(cls):
    vec = getattr(newsim, cls)().fit(GOOD)
    with pytest.raises(newsim.DecodeError) as info:
        vec.transform([b"fine", b"also fine", PREFIX + b"\xfe"])
    msg = str(info.value)
    assert re.search(_word(2), msg) and re.search(_word(17), msg), msg


@pytest.mark.parametrize("decode_error", ["replace", "ignore"])
@pytest.mark.parametrize(
    "params", [{}, dict(analyzer="char", ngram_range=(1, 2)), dict(analyzer="char_wb")],
    ids=["word", "char", "char_wb"],
)  # fmt: skip
def test_invalid_utf8_lenient(decode_error, params, assert_vocab_equal, assert_csr_equal):
    docs = [PREFIX + b.values[0] + b" tail words" for b in INVALID]
    docs += [b"caf\xc3\xa9 na\xefve \xe6\x9d\xb1\xe4\xba\xac", b"split\xffword", b"ab\xe2\x82cd"]
    ref = sk.CountVectorizer(decode_error=decode_error, **params)
    ours = newsim.CountVectorizer(decode_error=decode_error, **params)
    X_ref = ref.fit_transform(docs)
    X_ours = ours.fit_transform(docs)
    assert_vocab_equal(ours, ref)
    assert_csr_equal(X_ours, X_ref, 0)


def test_valid_bytes_equal_str(assert_csr_equal):
    docs = ["Crème brûlée, 東京, ΟΔΟΣ and straße", "plain ascii text", ""]
    X_str = newsim.TfidfVectorizer().fit_transform(docs)
    X_bytes = newsim.TfidfVectorizer().fit_transform([d.encode("utf-8") for d in docs])
    assert_csr_equal(X_bytes, X_str, 0)


def test_other_encoding(assert_vocab_equal, assert_csr_equal):
    docs = ["Crème brûlée à la façade", "naïve señor"]
    raw = [d.encode("latin-1") for d in docs]
    ref = sk.CountVectorizer(encoding="latin-1")
    ours = newsim.CountVectorizer(encoding="latin-1")
    X_ref, X_ours = ref.fit_transform(raw), ours.fit_transform(raw)
    assert_vocab_equal(ours, ref)
    assert_csr_equal(X_ours, X_ref, 0)


# --------------------------------------------------------------------------------------
# NUL bytes, empty documents, empty corpora
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{}, dict(analyzer="char", ngram_range=(1, 3)), dict(analyzer="char_wb", ngram_range=(2, 3)),
     dict(token_pattern=r"\S+")],
    ids=["word", "char", "char_wb", "nonspace"],
)  # fmt: skip
def test_nul_characters(params, assert_vocab_equal, assert_csr_equal):
    docs = ["foo\x00bar baz\x00\x00qux", "\x00", "\x00\x00lead and trail\x00", "a\x00b\x00cc"]
    ref = sk.CountVectorizer(**params)
    ours = newsim.CountVectorizer(**params)
    X_ref = ref.fit_transform(docs)
    X_ours = ours.fit_transform(docs)
    assert_vocab_equal(ours, ref)
    assert_csr_equal(X_ours, X_ref, 0)
    assert ours.build_analyzer()(docs[0]) == ref.build_analyzer()(docs[0])
    X_b = newsim.CountVectorizer(**params).fit_transform([d.encode() for d in docs])
    assert_csr_equal(X_b, X_ref, 0)


@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_empty_documents(cls, assert_vocab_equal, assert_csr_equal):
    docs = ["", "hello world", "", "   ", "world news", ""]
    ref = getattr(sk, cls)()
    ours = getattr(newsim, cls)()
    X_ref, X_ours = ref.fit_transform(docs), ours.fit_transform(docs)
    assert_vocab_equal(ours, ref)
    assert_csr_equal(X_ours, X_ref, 1e-12)
    assert X_ours[0].nnz == 0 and X_ours[3].nnz == 0
    X_t = ours.transform(["", "no known terms here"])
    assert X_t.shape == (2, len(ref.vocabulary_)) and X_t.nnz == 0


@pytest.mark.parametrize(
    "docs",
    [["", "", ""], ["a b c", "x"], ["the and of", "is was"]],
    ids=["all-empty", "only-short-tokens", "only-stop-words"],
)
@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_nothing_to_learn(cls, docs):
    params = dict(stop_words="english")
    with pytest.raises(ValueError) as ref:
        getattr(sk, cls)(**params).fit(docs)
    with pytest.raises(ValueError) as ours:
        getattr(newsim, cls)(**params).fit(docs)
    assert str(ours.value) == str(ref.value)
    assert "empty vocabulary" in str(ours.value)


@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_empty_corpus(cls):
    with pytest.raises(ValueError) as ref:
        getattr(sk, cls)().fit_transform([])
    for make_empty in (list, tuple, lambda: iter([])):
        with pytest.raises(ValueError) as ours:
            getattr(newsim, cls)().fit_transform(make_empty())
        assert str(ours.value) == str(ref.value)


def test_empty_corpus_hashing():
    # scikit-learn 1.2 fails here with a bare StopIteration; newsim may return an empty
    # matrix or raise ValueError, but nothing else.
    for make_empty in (list, tuple, lambda: iter([])):
        try:
            X = newsim.HashingVectorizer(n_features=16).transform(make_empty())
        except ValueError:
            continue
        assert X.shape == (0, 16)


@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_transform_empty_list(cls):
    # scikit-learn: CountVectorizer gives a 0-row matrix, TfidfVectorizer raises ValueError.
    # newsim may give the 0-row matrix for both.
    ours = getattr(newsim, cls)().fit(GOOD)
    try:
        X_ours = ours.transform([])
    except ValueError:
        assert cls == "TfidfVectorizer", "CountVectorizer.transform([]) must give a 0-row matrix"
    else:
        assert X_ours.shape == (0, len(ours.vocabulary_))


# --------------------------------------------------------------------------------------
# Wrong kinds of documents
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", [42, None, 3.5, ["nested"], object()], ids=["int", "None", "float", "list", "object"]
)
@pytest.mark.parametrize("cls", CLASSES)
def test_non_string_document(cls, bad):
    docs = ["alpha beta", "gamma delta", "epsilon zeta", "eta theta", "iota kappa", bad, "x y"]
    with pytest.raises(TypeError) as info:
        getattr(newsim, cls)().fit_transform(docs)
    assert re.search(_word(5), str(info.value)), f"document index 5 missing: {info.value}"


@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_non_string_document_in_transform(cls):
    vec = getattr(newsim, cls)().fit(GOOD)
    with pytest.raises(TypeError) as info:
        vec.transform(["fine", "fine", "fine", "fine", 12345])
    assert re.search(_word(4), str(info.value)), str(info.value)


SINGLE_STR = "Iterable over raw text documents expected, string object received."


@pytest.mark.parametrize("cls", CLASSES)
def test_single_string(cls):
    vec = getattr(newsim, cls)()
    with pytest.raises(ValueError, match=re.escape(SINGLE_STR)):
        vec.fit_transform("one document, not a list")
    with pytest.raises(ValueError, match=re.escape(SINGLE_STR)):
        vec.fit("one document, not a list")
    vec = getattr(newsim, cls)().fit(GOOD)
    with pytest.raises(ValueError, match=re.escape(SINGLE_STR)):
        vec.transform("one document, not a list")


# --------------------------------------------------------------------------------------
# Very large documents
# --------------------------------------------------------------------------------------


def test_100mb_document():
    n_terms = 100_000
    base = " ".join([f"word{i}" for i in range(n_terms)]) + " "
    reps = -(-100_000_000 // len(base))
    big = base * reps
    assert len(big) >= 100_000_000
    ref_small = sk.CountVectorizer().fit([base])
    small = newsim.CountVectorizer().fit([base])
    assert len(small.vocabulary_) == len(ref_small.vocabulary_) == n_terms
    vec = newsim.CountVectorizer()
    X = vec.fit_transform([big, "word7 tail"])
    del big
    assert len(vec.vocabulary_) == n_terms + 1
    assert X.shape == (2, n_terms + 1)
    assert X[0].nnz == n_terms
    assert X[0].sum() == n_terms * reps
    assert X[0].max() == reps
    assert X[1, vec.vocabulary_["word7"]] == 1
    assert set(vec.vocabulary_) == set(ref_small.vocabulary_) | {"tail"}


def test_large_non_ascii_document(assert_vocab_equal, assert_csr_equal):
    doc = "Crème brûlée ΟΔΟΣ 東京都 naïve 𐐀𐐨 straße\u00a0end " * 100_000  # ~4.5 MB
    docs = [doc, doc[:1000]]
    ref = sk.CountVectorizer(strip_accents="unicode")
    ours = newsim.CountVectorizer(strip_accents="unicode")
    X_ref, X_ours = ref.fit_transform(docs), ours.fit_transform(docs)
    assert_vocab_equal(ours, ref)
    assert_csr_equal(X_ours, X_ref, 0)


# --------------------------------------------------------------------------------------
# pruning errors, invalid parameters
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params,message",
    [
        (dict(min_df=3, max_df=1), "max_df corresponds to < documents than min_df"),
        (dict(min_df=0.9, max_df=0.2), "max_df corresponds to < documents than min_df"),
        (dict(min_df=3), "After pruning, no terms remain. Try a lower min_df or a higher max_df."),
        (dict(min_df=0.9), "After pruning, no terms remain. Try a lower min_df or a higher max_df."),
    ],
)
@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_pruning_errors(cls, params, message):
    docs = ["apple banana", "cherry banana", "durian elder"]
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(sk, cls)(**params).fit(docs)
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(newsim, cls)(**params).fit(docs)


INVALID_PARAMS = [
    ("CountVectorizer", dict(min_df=-1), "min_df"),
    ("CountVectorizer", dict(min_df=1.5), "min_df"),
    ("CountVectorizer", dict(max_df=1.5), "max_df"),
    ("CountVectorizer", dict(max_df=-0.5), "max_df"),
    ("CountVectorizer", dict(max_features=0), "max_features"),
    ("CountVectorizer", dict(ngram_range=(2, 1)), "ngram_range"),
    ("CountVectorizer", dict(analyzer="foo"), "analyzer"),
    ("CountVectorizer", dict(strip_accents="foo"), "strip_accents"),
    ("CountVectorizer", dict(decode_error="bogus"), "decode_error"),
    ("CountVectorizer", dict(stop_words="klingon"), "stop_words"),
    ("CountVectorizer", dict(n_jobs=0), "n_jobs"),
    ("CountVectorizer", dict(vocabulary=[]), "vocabulary"),
    ("CountVectorizer", dict(vocabulary=["dup", "dup"]), "dup"),
    ("CountVectorizer", dict(vocabulary={"a": 0, "b": 2}), "ocabulary"),
    ("TfidfVectorizer", dict(norm="l3"), "norm"),
    ("TfidfVectorizer", dict(min_df=-1), "min_df"),
    ("TfidfVectorizer", dict(max_df=1.5), "max_df"),
    ("TfidfVectorizer", dict(ngram_range=(2, 1)), "ngram_range"),
    ("TfidfVectorizer", dict(analyzer="foo"), "analyzer"),
    ("TfidfVectorizer", dict(decode_error="bogus"), "decode_error"),
    ("TfidfVectorizer", dict(n_jobs=0), "n_jobs"),
    ("HashingVectorizer", dict(norm="l3"), "norm"),
    ("HashingVectorizer", dict(n_features=0), "n_features"),
    ("HashingVectorizer", dict(ngram_range=(2, 1)), "ngram_range"),
    ("HashingVectorizer", dict(analyzer="foo"), "analyzer"),
    ("HashingVectorizer", dict(decode_error="bogus"), "decode_error"),
    ("HashingVectorizer", dict(n_jobs=0), "n_jobs"),
    ("NewsVectorizer", dict(n_jobs=0), "n_jobs"),
]


@pytest.mark.parametrize("n_jobs", [0, 1.5, True])
def test_article_similarity_checks_n_jobs_as_the_vectorizers(n_jobs):
    sim = newsim.ArticleSimilarity(n_jobs=n_jobs)
    with pytest.raises(ValueError, match="n_jobs"):
        sim.fit(GOOD)


@pytest.mark.parametrize(
    "cls,params,name", INVALID_PARAMS, ids=[f"{c}-{p}" for c, p, _ in INVALID_PARAMS]
)
def test_invalid_params_raise_at_fit(cls, params, name):
    vec = getattr(newsim, cls)(**params)  # scikit-learn validates in fit, not __init__
    for key, value in params.items():
        assert vec.get_params()[key] is value or vec.get_params()[key] == value
    with pytest.raises(ValueError) as info:
        vec.fit_transform(GOOD)
    assert name in str(info.value), f"{name!r} not named in {str(info.value)!r}"
    if "n_jobs" not in params:  # scikit-learn agrees these are invalid
        with pytest.raises(ValueError):
            getattr(sk, cls)(**params).fit_transform(GOOD)


# --------------------------------------------------------------------------------------
# Not fitted
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_not_fitted(cls):
    vec = getattr(newsim, cls)()
    with pytest.raises(newsim.NotFittedError):
        vec.transform(GOOD)
    with pytest.raises(newsim.NotFittedError):
        vec.get_feature_names_out()
    with pytest.raises(AttributeError):
        vec.vocabulary_
    assert not hasattr(vec, "vocabulary_")
    if cls == "TfidfVectorizer":
        assert not hasattr(vec, "idf_")
    with pytest.raises(ValueError):  # NotFittedError is a ValueError too
        vec.transform(GOOD)


# --------------------------------------------------------------------------------------
# Corrupt model files
# --------------------------------------------------------------------------------------


@pytest.fixture()
def saved_model(tmp_path):
    vec = newsim.TfidfVectorizer(ngram_range=(1, 2)).fit(GOOD)
    path = tmp_path / "model.json"
    vec.save(path)
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return path, data


def _find_key(node, wanted):
    """The (container, key) of the first dict entry whose key is in ``wanted``."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in wanted:
                return node, k
        for v in node.values():
            found = _find_key(v, wanted)
            if found:
                return found
    elif isinstance(node, list):
        for v in node:
            found = _find_key(v, wanted)
            if found:
                return found
    return None


def _bump(version):
    if isinstance(version, bool):
        raise TypeError(version)
    if isinstance(version, int):
        return version + 1000
    if isinstance(version, float):
        return version + 1000.0
    if isinstance(version, str):
        head, sep, tail = version.partition(".")
        return f"{int(head) + 1000}{sep}{tail}"
    raise TypeError(f"unexpected version {version!r}")


def _write(path, data):
    path.write_text(json.dumps(data), encoding="utf-8")


def _expect_format_error(path, cls=newsim.TfidfVectorizer):
    with pytest.raises(newsim.ModelFormatError) as info:
        cls.load(path)
    assert isinstance(info.value, ValueError)
    assert path.name in str(info.value), f"file name missing from {str(info.value)!r}"
    return str(info.value)


def test_model_truncated(saved_model):
    path, _ = saved_model
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    _expect_format_error(path)


@pytest.mark.parametrize("content", [b"", b"\x00\xff\xfe garbage", b"[1, 2, 3]", b"null", b"{}"],
                         ids=["empty", "binary", "array", "null", "empty-object"])  # fmt: skip
def test_model_not_a_model(tmp_path, content):
    path = tmp_path / "junk.json"
    path.write_bytes(content)
    _expect_format_error(path)


def test_model_wrong_format_name(saved_model):
    path, data = saved_model
    assert "format" in data
    data["format"] = "definitely-not-newsim"
    _write(path, data)
    _expect_format_error(path)


def test_model_newer_version(saved_model):
    path, data = saved_model
    assert "version" in data
    data["version"] = _bump(data["version"])
    _write(path, data)
    msg = _expect_format_error(path)
    assert "version" in msg.lower()


def test_model_missing_version(saved_model):
    path, data = saved_model
    del data["version"]
    _write(path, data)
    _expect_format_error(path)


def test_model_wrong_idf_length(saved_model):
    path, data = saved_model
    found = _find_key(data, {"idf", "idf_"})
    assert found, f"no idf array in the saved model; top-level keys {sorted(data)}"
    node, key = found
    assert isinstance(node[key], list) and len(node[key]) > 1
    node[key] = node[key][:-1]
    _write(path, data)
    _expect_format_error(path)


def test_model_bad_vocabulary_index(saved_model):
    path, data = saved_model
    found = _find_key(data, {"vocabulary_", "vocabulary", "terms"})
    assert found, f"no vocabulary in the saved model; top-level keys {sorted(data)}"
    node, key = found
    vocab = node[key]
    if isinstance(vocab, dict):
        first = next(iter(vocab))
        vocab[first] = 10**9
    elif isinstance(vocab, list):
        vocab.append(vocab[0])  # a duplicate term
    else:
        pytest.fail(f"unexpected vocabulary representation {type(vocab)}")
    _write(path, data)
    _expect_format_error(path)


def test_model_missing_file(tmp_path):
    with pytest.raises(OSError):
        newsim.TfidfVectorizer.load(tmp_path / "does-not-exist.json")
    with pytest.raises(FileNotFoundError):
        newsim.CountVectorizer.load(str(tmp_path / "does-not-exist.json"))


def test_model_save_to_missing_directory(tmp_path):
    vec = newsim.CountVectorizer().fit(GOOD)
    with pytest.raises(OSError):
        vec.save(tmp_path / "no" / "such" / "dir" / "model.json")


def test_transform_output_is_finite():
    X = newsim.TfidfVectorizer(sublinear_tf=True).fit_transform(GOOD + ["", " "])
    assert np.isfinite(X.data).all()


def test_missing_input_file(tmp_path):
    present = tmp_path / "present.txt"
    present.write_text("some words here", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    with pytest.raises(OSError) as info:
        newsim.CountVectorizer(input="filename").fit([str(present), str(missing)])
    assert "missing.txt" in str(info.value)


def test_invalid_utf8_in_input_file(tmp_path):
    paths = []
    for i, raw in enumerate([b"fine words", b"more fine words", PREFIX + b"\xff rest"]):
        p = tmp_path / f"doc{i}.txt"
        p.write_bytes(raw)
        paths.append(str(p))
    with pytest.raises(newsim.DecodeError) as info:
        newsim.CountVectorizer(input="filename").fit(paths)
    msg = str(info.value)
    assert re.search(_word(2), msg) or "doc2.txt" in msg, msg
    assert re.search(_word(17), msg), msg
    vec = newsim.CountVectorizer(input="filename", decode_error="replace").fit(paths)
    ref = sk.CountVectorizer(input="filename", decode_error="replace").fit(paths)
    assert vec.vocabulary_ == ref.vocabulary_
