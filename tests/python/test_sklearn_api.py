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
