"""Saved models are versioned JSON; load(save(m)) behaves exactly like m.

Pickling goes through the same state, so a pickled, a saved-and-loaded and the original
model must agree on everything. Corrupt files are covered in test_bad_input.py.
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import newsim

DOCS = [
    "Markets rallied as the central bank held rates.",
    "The band's new album tops the charts again.",
    "Rates rise; markets fall. The bank is blamed.",
    'Quotes "inside" and back\\slashes, tabs\there, and a NUL\x00 too.',
    "Crème brûlée, naïve café, ΟΔΟΣ, 東京都, straße, 𐐀𐐨 astral.",
    "",
]

CONFIGS = [
    ("CountVectorizer", dict()),
    ("CountVectorizer", dict(ngram_range=(1, 2), min_df=1, max_df=0.9, binary=True,
                             stop_words="english", dtype=np.int32)),
    ("CountVectorizer", dict(token_pattern=r"\S+", lowercase=False)),
    ("CountVectorizer", dict(vocabulary=["bank", "album", "zzz"], strip_accents="unicode")),
    ("CountVectorizer", dict(stop_words=["the", "and"], max_features=10)),
    ("TfidfVectorizer", dict()),
    ("TfidfVectorizer", dict(sublinear_tf=True, smooth_idf=False, norm="l1",
                             analyzer="char_wb", ngram_range=(2, 4), dtype=np.float32)),
    ("TfidfVectorizer", dict(use_idf=False, norm=None, strip_accents="ascii")),
    ("TfidfVectorizer", dict(vocabulary={"rates": 1, "bank": 0, "café": 2}, n_jobs=1)),
    ("HashingVectorizer", dict()),
    ("HashingVectorizer", dict(n_features=2**8, alternate_sign=False, norm="l1",
                               analyzer="char", ngram_range=(1, 3))),
]  # fmt: skip
IDS = [f"{c}-{i}" for i, (c, _) in enumerate(CONFIGS)]


def _fit(cls, params):
    vec = getattr(newsim, cls)(**params)
    if cls != "HashingVectorizer":
        vec.fit(DOCS)
    return vec


def _same_matrix(a, b):
    assert a.shape == b.shape and a.dtype == b.dtype
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)


def _deep_equal(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and np.array_equal(a, b)
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return (
            type(a) is type(b) and len(a) == len(b) and all(map(_deep_equal, a, b))
        )
    return bool(a == b)


def _assert_same_model(a, b, cls):
    assert type(a) is type(b)
    if cls != "HashingVectorizer":
        assert a.vocabulary_ == b.vocabulary_
        assert a.fixed_vocabulary_ == b.fixed_vocabulary_
        assert list(a.get_feature_names_out()) == list(b.get_feature_names_out())
    if cls == "TfidfVectorizer" and a.get_params()["use_idf"]:
        assert a.idf_.dtype == b.idf_.dtype
        assert np.array_equal(a.idf_, b.idf_)  # bit for bit: JSON must round-trip doubles
    _same_matrix(a.transform(DOCS), b.transform(DOCS))
    probe = ["an unseen document about markets and bands", "Crème ΟΔΟΣ"]
    _same_matrix(a.transform(probe), b.transform(probe))
    # Last, so that a failure here does not hide the checks above.
    pa, pb = a.get_params(), b.get_params()
    assert pa.keys() == pb.keys()
    changed = [
        f"{name}: {pa[name]!r} became {pb[name]!r}"
        for name in pa
        if not (type(pa[name]) is type(pb[name]) and pa[name] == pb[name])
    ]
    assert not changed, "parameters changed: " + "; ".join(changed)


@pytest.mark.parametrize("cls,params", CONFIGS, ids=IDS)
def test_save_load_roundtrip(cls, params, tmp_path):
    vec = _fit(cls, params)
    path = tmp_path / "model.json"
    vec.save(path)
    assert path.is_file()
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    assert isinstance(data, dict)
    assert "format" in data and "version" in data
    loaded = getattr(newsim, cls).load(path)
    _assert_same_model(vec, loaded, cls)
    loaded_str = getattr(newsim, cls).load(str(path))
    _assert_same_model(vec, loaded_str, cls)


@pytest.mark.parametrize("cls,params", CONFIGS, ids=IDS)
def test_save_is_stable(cls, params, tmp_path):
    vec = _fit(cls, params)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    vec.save(first)
    getattr(newsim, cls).load(first).save(second)
    assert json.loads(first.read_text("utf-8")) == json.loads(second.read_text("utf-8"))


@pytest.mark.parametrize("cls,params", CONFIGS, ids=IDS)
def test_pickle_and_load_agree(cls, params, tmp_path):
    vec = _fit(cls, params)
    path = tmp_path / "model.json"
    vec.save(path)
    loaded = getattr(newsim, cls).load(path)
    pickled = pickle.loads(pickle.dumps(vec))
    _assert_same_model(loaded, pickled, cls)
    # Pickling goes through the same state as save(): equal models, equal states.
    assert _deep_equal(vec.__getstate__(), loaded.__getstate__())
    assert _deep_equal(pickled.__getstate__(), loaded.__getstate__())


def test_loaded_model_keeps_working(tmp_path):
    vec = newsim.TfidfVectorizer(ngram_range=(1, 2)).fit(DOCS)
    path = tmp_path / "m.json"
    vec.save(path)
    loaded = newsim.TfidfVectorizer.load(path)
    # A loaded model is an ordinary estimator: refit, set_params, save again.
    loaded.set_params(ngram_range=(1, 1)).fit(DOCS[:3])
    assert len(loaded.vocabulary_) < len(vec.vocabulary_)
    loaded.save(path)
    again = newsim.TfidfVectorizer.load(path)
    assert again.get_params()["ngram_range"] == (1, 1)
    assert again.vocabulary_ == loaded.vocabulary_


def test_unicode_terms_survive(tmp_path):
    docs = ["naïve café ΟΔΟΣ 東京都 straße 𐐀𐐨 emoji👍word \"quoted\" back\\slash"]
    vec = newsim.CountVectorizer(token_pattern=r"\S+", lowercase=False).fit(docs)
    path = tmp_path / "unicode.json"
    vec.save(path)
    loaded = newsim.CountVectorizer.load(path)
    assert loaded.vocabulary_ == vec.vocabulary_
    assert "𐐀𐐨" in loaded.vocabulary_ and '"quoted"' in loaded.vocabulary_


def test_large_model_roundtrip(bbc_texts, tmp_path):
    vec = newsim.TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(bbc_texts)
    path = tmp_path / "bbc.json"
    vec.save(path)
    loaded = newsim.TfidfVectorizer.load(path)
    assert loaded.vocabulary_ == vec.vocabulary_
    assert np.array_equal(loaded.idf_, vec.idf_)
    _same_matrix(loaded.transform(bbc_texts[:200]), vec.transform(bbc_texts[:200]))


@pytest.mark.parametrize("cls", ["CountVectorizer", "TfidfVectorizer"])
def test_module_level_load(cls, tmp_path):
    vec = getattr(newsim, cls)(ngram_range=(1, 2)).fit(DOCS)
    path = tmp_path / "m.json"
    vec.save(path)
    loaded = newsim.load(path)
    assert type(loaded) is type(vec)
    _assert_same_model(vec, loaded, cls)


def test_load_wrong_class(tmp_path):
    path = tmp_path / "count.json"
    newsim.CountVectorizer().fit(DOCS).save(path)
    with pytest.raises(newsim.ModelFormatError):
        newsim.TfidfVectorizer.load(path)


def test_load_reads_every_model_kind(tmp_path):
    """newsim.load tells the model apart by its format: vectorizers, LSA and the preset."""
    texts = ["NATO and Russia talk about missile defence in Brussels",
             "Russia warns NATO over the missile shield", "Floods in the north of England",
             "Heavy rain brings floods to England"]
    models = {"news.json": newsim.NewsVectorizer().fit(texts),
              "lsa.json": newsim.LSA(n_components=2).fit(newsim.TfidfVectorizer().fit_transform(texts)),
              "sim.json": newsim.ArticleSimilarity(n_components=2).fit(texts)}
    for name, model in models.items():
        model.save(tmp_path / name)
        back = newsim.load(tmp_path / name)
        assert type(back) is type(model), name
    assert newsim.load(tmp_path / "sim.json").score(texts[:1], texts[1:2]) == pytest.approx(
        models["sim.json"].score(texts[:1], texts[1:2]))
    stats = tmp_path / "stats.json"
    stats.write_text(newsim.TfidfVectorizer().statistics(texts).to_json())
    with pytest.raises(newsim.ModelFormatError, match="newsim.vocabulary_stats model, which load"):
        newsim.load(stats)
