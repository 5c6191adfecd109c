"""newsim's vectorizers follow scikit-learn's estimator conventions.

get_params/set_params/clone, Pipeline and model selection, repr, pickling, the types of
what comes back. Parameters keep scikit-learn's names, defaults and meanings; the one
addition is n_jobs.
"""

from __future__ import annotations

import copy
import inspect
import numbers
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction import text as sk
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils.validation import check_is_fitted

import newsim

CLASSES = ["CountVectorizer", "TfidfVectorizer", "HashingVectorizer"]
FITTED_CLASSES = ["CountVectorizer", "TfidfVectorizer"]
DOCS = [
    "Markets rallied as the central bank held rates.",
    "The band's new album tops the charts again.",
    "Rates rise; markets fall. The bank is blamed.",
    "Album review: the band returns with a loud record.",
    "Crème brûlée and naïve café owners in Zürich.",
]

NON_DEFAULT = {
    "CountVectorizer": dict(ngram_range=(1, 2), min_df=1, max_df=0.95, binary=True,
                            stop_words="english", strip_accents="unicode", lowercase=False,
                            max_features=100, token_pattern=r"(?u)\b\w+\b", dtype=np.int32,
                            n_jobs=1),
    "TfidfVectorizer": dict(ngram_range=(1, 3), min_df=1, max_df=1.0, norm="l1", use_idf=True,
                            smooth_idf=False, sublinear_tf=True, analyzer="char_wb",
                            strip_accents="ascii", dtype=np.float32, n_jobs=2),
    "HashingVectorizer": dict(n_features=2**12, alternate_sign=False, norm=None, binary=True,
                              analyzer="char", ngram_range=(2, 3), dtype=np.float32, n_jobs=1),
}  # fmt: skip


# --------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
def test_params_match_sklearn(cls):
    ours = getattr(newsim, cls)().get_params()
    ref = getattr(sk, cls)().get_params()
    # newsim's own: n_jobs, and title_weight (used only when given a Corpus).
    assert set(ours) == set(ref) | {"n_jobs", "title_weight"}
    for name, value in ref.items():
        assert ours[name] == value, f"default of {name}: {ours[name]!r} != sklearn {value!r}"
    assert ours["n_jobs"] is None
    assert ours["title_weight"] == 1


@pytest.mark.parametrize("cls", CLASSES)
def test_constructor_is_keyword_only(cls):
    sig = inspect.signature(getattr(newsim, cls))
    for p in sig.parameters.values():
        assert p.kind is inspect.Parameter.KEYWORD_ONLY, p
    with pytest.raises(TypeError):
        getattr(newsim, cls)("content")


@pytest.mark.parametrize("cls", CLASSES)
def test_get_set_params_roundtrip(cls):
    params = NON_DEFAULT[cls]
    vec = getattr(newsim, cls)(**params)
    got = vec.get_params()
    for k, v in params.items():
        assert got[k] is v or got[k] == v, k
    other = getattr(newsim, cls)()
    assert other.set_params(**params) is other
    assert other.get_params() == got
    with pytest.raises(ValueError):
        other.set_params(no_such_parameter=1)


@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_set_params_then_refit(cls):
    vec = getattr(newsim, cls)().fit(DOCS)
    n1 = len(vec.vocabulary_)
    vec.set_params(ngram_range=(1, 2))
    vec.fit(DOCS)
    assert len(vec.vocabulary_) > n1
    ref = getattr(sk, cls)(ngram_range=(1, 2)).fit(DOCS)
    assert vec.vocabulary_ == ref.vocabulary_


@pytest.mark.parametrize("cls", CLASSES)
def test_clone(cls):
    vec = getattr(newsim, cls)(**NON_DEFAULT[cls])
    vec.fit(DOCS)
    twin = clone(vec)
    assert type(twin) is type(vec)
    assert twin is not vec
    assert twin.get_params() == vec.get_params()
    if cls != "HashingVectorizer":
        assert not hasattr(twin, "vocabulary_")
        with pytest.raises(newsim.NotFittedError):
            twin.transform(DOCS)


# --------------------------------------------------------------------------------------
# Pipelines and model selection
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bbc_subset(bbc_records):
    rng = np.random.default_rng(42)
    idx = rng.choice(len(bbc_records), size=600, replace=False)
    texts = [bbc_records[i]["text"] for i in idx]
    labels = np.array([bbc_records[i]["label"] for i in idx])
    return texts, labels


def test_pipeline_cross_val_score(bbc_subset):
    texts, labels = bbc_subset
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    ours = make_pipeline(newsim.TfidfVectorizer(sublinear_tf=True, min_df=2), ComplementNB())
    ref = make_pipeline(sk.TfidfVectorizer(sublinear_tf=True, min_df=2), ComplementNB())
    s_ours = cross_val_score(ours, texts, labels, cv=cv)
    s_ref = cross_val_score(ref, texts, labels, cv=cv)
    assert s_ours.mean() > 0.9
    np.testing.assert_allclose(s_ours, s_ref, rtol=0, atol=1e-12)


def test_grid_search_over_newsim_param(bbc_subset):
    texts, labels = bbc_subset
    grid = {"vec__min_df": [1, 3], "vec__ngram_range": [(1, 1), (1, 2)]}
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)

    def search(vec):
        pipe = Pipeline([("vec", vec), ("clf", ComplementNB())])
        return GridSearchCV(pipe, grid, cv=cv).fit(texts, labels)

    ours = search(newsim.TfidfVectorizer(n_jobs=1))
    ref = search(sk.TfidfVectorizer())
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], atol=1e-12
    )
    assert ours.best_params_ == ref.best_params_
    assert isinstance(ours.best_estimator_.named_steps["vec"], newsim.TfidfVectorizer)
    pred = ours.predict(texts[:20])
    assert pred.shape == (20,)


def test_hashing_in_pipeline(bbc_subset):
    texts, labels = bbc_subset
    pipe = make_pipeline(newsim.HashingVectorizer(alternate_sign=False, n_features=2**16),
                         ComplementNB())  # fmt: skip
    pipe.fit(texts[:400], labels[:400])
    assert pipe.score(texts[400:], labels[400:]) > 0.85


@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_check_is_fitted(cls):
    vec = getattr(newsim, cls)()
    with pytest.raises(Exception):
        check_is_fitted(vec)
    vec.fit(DOCS)
    check_is_fitted(vec)


# --------------------------------------------------------------------------------------
# repr, pickling, copying
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
def test_repr(cls):
    assert repr(getattr(newsim, cls)()).startswith(f"{cls}(")
    r = repr(getattr(newsim, cls)(ngram_range=(1, 2), n_jobs=3))
    assert r.startswith(f"{cls}(") and r.endswith(")")
    assert "ngram_range=(1, 2)" in r
    assert "n_jobs=3" in r
    vec = getattr(newsim, cls)(**NON_DEFAULT[cls])
    if cls != "HashingVectorizer":
        vec.fit(DOCS)
    assert repr(vec).startswith(f"{cls}(")


@pytest.mark.parametrize("protocol", [2, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
@pytest.mark.parametrize("cls", CLASSES)
def test_pickle_roundtrip(cls, protocol):
    vec = getattr(newsim, cls)(**NON_DEFAULT[cls])
    vec.fit(DOCS)
    X = vec.transform(DOCS)
    twin = pickle.loads(pickle.dumps(vec, protocol=protocol))
    assert type(twin) is type(vec)
    assert twin.get_params() == vec.get_params()
    Y = twin.transform(DOCS)
    assert Y.dtype == X.dtype
    assert np.array_equal(X.indptr, Y.indptr)
    assert np.array_equal(X.indices, Y.indices)
    assert np.array_equal(X.data, Y.data)
    if cls != "HashingVectorizer":
        assert twin.vocabulary_ == vec.vocabulary_
        assert twin.stop_words_ == vec.stop_words_
        assert twin.fixed_vocabulary_ == vec.fixed_vocabulary_
        assert list(twin.get_feature_names_out()) == list(vec.get_feature_names_out())
    if cls == "TfidfVectorizer":
        assert np.array_equal(twin.idf_, vec.idf_)


@pytest.mark.parametrize("cls", CLASSES)
def test_pickle_unfitted(cls):
    vec = getattr(newsim, cls)(ngram_range=(1, 2))
    twin = pickle.loads(pickle.dumps(vec))
    assert twin.get_params() == vec.get_params()
    if cls != "HashingVectorizer":
        assert not hasattr(twin, "vocabulary_")
    X = twin.fit_transform(DOCS)
    assert X.shape[0] == len(DOCS)


@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_deepcopy(cls):
    vec = getattr(newsim, cls)().fit(DOCS)
    twin = copy.deepcopy(vec)
    assert twin.vocabulary_ == vec.vocabulary_
    twin.fit(["totally different words here"])
    assert twin.vocabulary_ != vec.vocabulary_
    assert vec.transform(DOCS).nnz > 0


# --------------------------------------------------------------------------------------
# What comes back
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
def test_output_types(cls):
    vec = getattr(newsim, cls)()
    X = vec.fit_transform(DOCS)
    assert type(X) is sp.csr_matrix
    assert X.indices.dtype == np.int32
    assert X.indptr.dtype == np.int32
    assert X.dtype == (np.int64 if cls == "CountVectorizer" else np.float64)
    Y = X.copy()
    Y.sum_duplicates()
    assert Y.nnz == X.nnz, "duplicate (row, column) entries in the output"
    assert X.shape[0] == len(DOCS)
    assert vec.transform(DOCS[:2]).shape == (2, X.shape[1])


@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_fitted_attributes(cls):
    vec = getattr(newsim, cls)()
    assert vec.fit(DOCS) is vec
    assert isinstance(vec.vocabulary_, dict)
    for term, index in vec.vocabulary_.items():
        assert type(term) is str
        assert isinstance(index, numbers.Integral)
    assert sorted(vec.vocabulary_.values()) == list(range(len(vec.vocabulary_)))
    assert isinstance(vec.stop_words_, set)
    assert vec.fixed_vocabulary_ is False
    names = vec.get_feature_names_out()
    assert isinstance(names, np.ndarray) and names.dtype == object
    assert names.shape == (len(vec.vocabulary_),)
    assert all(type(n) is str for n in names)
    assert list(names) == list(sk.CountVectorizer().fit(DOCS).get_feature_names_out())
    if cls == "TfidfVectorizer":
        assert isinstance(vec.idf_, np.ndarray)
        assert vec.idf_.dtype == np.float64
        assert vec.idf_.shape == (len(vec.vocabulary_),)


def test_fixed_vocabulary_flag():
    vec = newsim.CountVectorizer(vocabulary=["bank", "album"]).fit(DOCS)
    assert vec.fixed_vocabulary_ is True
    assert vec.vocabulary_ == {"bank": 0, "album": 1}


@pytest.mark.parametrize(
    "make",
    [tuple, lambda d: iter(d), lambda d: (x for x in d), pd.Series,
     lambda d: np.array(d, dtype=object), np.array],
    ids=["tuple", "iterator", "generator", "pandas.Series", "object-array", "str-array"],
)
@pytest.mark.parametrize("cls", CLASSES)
def test_accepts_any_iterable(cls, make):
    X_list = getattr(newsim, cls)().fit_transform(list(DOCS))
    X = getattr(newsim, cls)().fit_transform(make(DOCS))
    assert X.shape == X_list.shape
    assert (X != X_list).nnz == 0


def test_pandas_series_with_index(bbc_records):
    s = pd.Series([r["text"] for r in bbc_records[:50]], index=range(1000, 1050))
    ours = newsim.TfidfVectorizer().fit(s)
    ref = sk.TfidfVectorizer().fit(s)
    assert ours.vocabulary_ == ref.vocabulary_
    assert abs(ours.transform(s) - ref.transform(s)).max() <= 1e-12


def test_fit_accepts_y():
    y = np.arange(len(DOCS))
    X1 = newsim.TfidfVectorizer().fit(DOCS, y).transform(DOCS)
    X2 = newsim.TfidfVectorizer().fit_transform(DOCS, y)
    assert abs(X1 - X2).max() <= 1e-12


# --------------------------------------------------------------------------------------
# Callables, decode, TfidfTransformer (issue 17)
# --------------------------------------------------------------------------------------


def _strip_html(doc):
    return doc.replace("<p>", " ").lower()


def _split_tokens(doc):
    return doc.split()


def _char_and_word(doc):
    return [doc[:3], *doc.lower().split()[:5]]


def _no_accents(doc):
    return doc.replace("é", "e").replace("ü", "u")


CALLABLE_PARAMS = [
    dict(preprocessor=_strip_html),
    dict(preprocessor=_strip_html, analyzer="char_wb", ngram_range=(2, 4)),
    dict(tokenizer=_split_tokens, token_pattern=None, ngram_range=(1, 2), stop_words="english"),
    dict(tokenizer=_split_tokens, token_pattern=None, preprocessor=_strip_html),
    dict(analyzer=_char_and_word),
    dict(strip_accents=_no_accents, ngram_range=(1, 2)),
]


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("params", CALLABLE_PARAMS, ids=range(len(CALLABLE_PARAMS)))
def test_callables_give_scikit_learns_results(cls, params, bbc_subset):
    texts = bbc_subset[0][:200] + ["", "Café <p>Zürich", "naïve é ü"]
    ours, ref = getattr(newsim, cls)(**params), getattr(sk, cls)(**params)
    X, R = ours.fit_transform(texts), ref.fit_transform(texts)
    assert X.shape == R.shape and X.dtype == R.dtype
    assert abs(X - R).max() <= 1e-12  # sparse: HashingVectorizer has 2**20 columns
    if cls != "HashingVectorizer":
        assert ours.vocabulary_ == ref.vocabulary_
        np.testing.assert_allclose(ours.transform(texts[::-1]).toarray(),
                                   ref.transform(texts[::-1]).toarray(), rtol=1e-12)
    assert ours.build_analyzer()(texts[-2]) == ref.build_analyzer()(texts[-2])
    # Module-level callables pickle, and the copy gives the same matrix.
    copy = pickle.loads(pickle.dumps(ours))
    assert (copy.transform(texts) != ours.transform(texts)).nnz == 0


def test_callable_analyzer_terms_that_newsim_cannot_hold():
    with pytest.raises(ValueError, match=r"document 1: the term 'a\\x00b' holds a NUL"):
        newsim.CountVectorizer(analyzer=lambda d: d.split("|")).fit(["x", "a\0b|c"])
    with pytest.raises(TypeError, match="document 0: the analyzer gave a term of type int"):
        newsim.CountVectorizer(analyzer=lambda d: [len(d)]).fit(["x"])
    # Empty terms count, as in scikit-learn.
    v = newsim.CountVectorizer(analyzer=lambda d: d.split(","))
    X = v.fit_transform(["a,,b", ","])
    assert v.get_feature_names_out().tolist() == ["", "a", "b"]
    assert X.toarray().tolist() == [[1, 1, 1], [2, 0, 0]]


def test_callables_are_not_json(tmp_path):
    v = newsim.TfidfVectorizer(tokenizer=_split_tokens, token_pattern=None).fit(DOCS)
    with pytest.raises(ValueError, match="callable tokenizer cannot be saved as JSON"):
        v.save(tmp_path / "m.json")

    class Custom(newsim.CountVectorizer):
        def build_preprocessor(self):
            return lambda doc: doc.upper()

    with pytest.raises(ValueError, match="method override cannot be saved"):
        Custom(lowercase=False).fit(DOCS).to_json()


def test_overridden_build_methods_are_used():
    class Upper(newsim.CountVectorizer):
        def build_preprocessor(self):
            return str.upper

    class Halves(newsim.CountVectorizer):
        def build_analyzer(self):
            return lambda doc: [doc[: len(doc) // 2]]

    # The word analyzer keeps lowercase=True's meaning only in the default preprocessor.
    assert Upper().fit(["Nato talks"]).get_feature_names_out().tolist() == ["NATO", "TALKS"]
    assert Halves().fit(["abcd"]).get_feature_names_out().tolist() == ["ab"]


def test_decode_reads_files_and_rejects_nan(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("Zürich talks".encode("latin-1"))
    v = newsim.CountVectorizer(input="filename", encoding="latin-1")
    assert v.decode(str(path)) == "Zürich talks"
    assert v.fit([str(path)]).get_feature_names_out().tolist() == ["talks", "zürich"]
    for cls in CLASSES:
        with pytest.raises(ValueError, match=r"np\.nan is an invalid document.*\(document 1\)"):
            getattr(newsim, cls)().fit_transform(["a b", float("nan")])
        with pytest.raises(ValueError, match=r"np\.nan is an invalid document"):
            getattr(newsim, cls)(preprocessor=str.lower).fit_transform(["a b", np.nan])


def test_stop_words_and_consistency_warning():
    v = newsim.CountVectorizer(stop_words="english")
    assert v.get_stop_words() is newsim.ENGLISH_STOP_WORDS
    assert newsim.CountVectorizer(stop_words=["a", "b"]).get_stop_words() == {"a", "b"}
    assert newsim.CountVectorizer().get_stop_words() is None
    with pytest.raises(ValueError, match="not a built-in stop list"):
        newsim.CountVectorizer(stop_words="french").get_stop_words()
    v = newsim.CountVectorizer(stop_words=["you've", "you"])
    with pytest.warns(UserWarning, match=r"generated tokens \['ve'\] not in stop_words"):
        v.fit(DOCS)
    v.fit(DOCS)  # once per stop list: no second warning (warnings are errors here)


def test_unused_parameters_and_dtype_warn():
    with pytest.warns(UserWarning, match="'token_pattern' will not be used since 'tokenizer'"):
        newsim.CountVectorizer(tokenizer=str.split).fit(DOCS)
    with pytest.warns(UserWarning, match="'stop_words' will not be used since 'analyzer' != "):
        newsim.HashingVectorizer(analyzer="char", stop_words="english").fit(DOCS)
    with pytest.warns(UserWarning, match="Upper case characters found in vocabulary"):
        newsim.CountVectorizer(vocabulary=["Rates", "bank"]).fit(DOCS)
    with pytest.warns(UserWarning, match="int32 'dtype' will be converted to np.float64"):
        X = newsim.TfidfVectorizer(dtype=np.int32).fit_transform(DOCS)
    assert X.dtype == np.float64


def test_idf_setter_and_tfidf_attribute():
    orig = newsim.TfidfVectorizer().fit(DOCS)
    copy = newsim.TfidfVectorizer(vocabulary=orig.vocabulary_)
    with pytest.raises(newsim.NotFittedError):
        copy.transform(DOCS)
    with pytest.raises(ValueError, match="idf length = 3 must be equal to vocabulary size"):
        copy.idf_ = [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match=r"idf\[0\] = 0.5 is not a valid idf"):
        copy.idf_ = np.full(len(orig.idf_), 0.5)
    copy.idf_ = orig.idf_
    np.testing.assert_array_equal(copy.transform(DOCS).toarray(), orig.transform(DOCS).toarray())
    with pytest.raises(ValueError, match="cannot be set when `user_idf=False`"):
        newsim.TfidfVectorizer(vocabulary=orig.vocabulary_, use_idf=False).idf_ = orig.idf_
    with pytest.raises(newsim.NotFittedError):
        newsim.TfidfVectorizer().idf_ = [1.0]
    t = orig._tfidf
    assert isinstance(t, newsim.TfidfTransformer) and t.norm == "l2"
    np.testing.assert_array_equal(t.idf_, orig.idf_)


def test_inverse_transform_matches_scikit_learn():
    ours, ref = newsim.CountVectorizer().fit(DOCS), sk.CountVectorizer().fit(DOCS)
    X = ours.transform(DOCS)
    for a, b in zip(ours.inverse_transform(X), ref.inverse_transform(X)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(ours.inverse_transform(X.toarray()), ref.inverse_transform(X.toarray())):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("params", [dict(), dict(norm="l1", smooth_idf=False),
                                    dict(sublinear_tf=True, norm=None),
                                    dict(use_idf=False)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_tfidf_transformer_matches_scikit_learn(params, dtype, bbc_subset):
    counts = sk.CountVectorizer().fit_transform(bbc_subset[0]).astype(dtype)
    counts = sp.vstack([sp.csr_matrix((1, counts.shape[1]), dtype=dtype), counts]).tocsr()
    ours, ref = newsim.TfidfTransformer(**params), sk.TfidfTransformer(**params)
    X, R = ours.fit_transform(counts), ref.fit_transform(counts)
    assert X.dtype == R.dtype and X.format == "csr"
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(X.toarray(), R.toarray(), rtol=tol, atol=tol)
    if ours.use_idf:
        np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=tol)
    np.testing.assert_allclose(ours.transform(counts.tocsc()).toarray(), R.toarray(),
                               rtol=tol, atol=tol)


def test_tfidf_transformer_passes_scikit_learns_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(newsim.TfidfTransformer())


def test_hashing_partial_fit_checks_parameters():
    h = newsim.HashingVectorizer(n_features=8)
    assert h.partial_fit(DOCS) is h
    with pytest.raises(ValueError, match="n_features"):
        newsim.HashingVectorizer(n_features=0).partial_fit(DOCS)


@pytest.mark.parametrize("cls", FITTED_CLASSES)
def test_assigning_vocabulary_changes_the_model_as_in_scikit_learn(cls):
    ours, ref = getattr(newsim, cls)().fit(DOCS), getattr(sk, cls)().fit(DOCS)
    terms = sorted(ref.vocabulary_)[::-1]  # same terms, other columns
    new = {t: i for i, t in enumerate(terms)}
    ours.vocabulary_, ref.vocabulary_ = dict(new), dict(new)
    np.testing.assert_allclose(ours.transform(DOCS).toarray(), ref.transform(DOCS).toarray(),
                               rtol=1e-12)
    assert ours.get_feature_names_out().tolist() == terms and not ours.fixed_vocabulary_
    if cls == "TfidfVectorizer":  # the idf stays by column: one value per term
        with pytest.raises(ValueError, match="idf length = 31 must be equal to vocabulary size = 1"):
            ours.vocabulary_ = {"rates": 0}
        assert ours.vocabulary_ == new
    else:
        ours.vocabulary_ = {"rates": 0, "band": 1}
        assert ours.transform(DOCS).toarray().tolist() == [[1, 0], [0, 1], [1, 0], [0, 1], [0, 0]]
