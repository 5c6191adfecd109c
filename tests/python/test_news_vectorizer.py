"""NewsVectorizer: news analysis, BM25/TF-IDF numbers against numpy, persistence, errors."""

import glob
import os
import pickle

import numpy as np
import pytest

import newsim
from newsim import NewsVectorizer, _core

SEEDS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "..", "data", "seeds",
                                      "*.txt")))


def keys(text, title=None, **params):
    return [t[0] for t in NewsVectorizer(**params).analyze(text, title)]


def test_exported():
    assert "NewsVectorizer" in newsim.__all__
    assert newsim.NewsVectorizer is NewsVectorizer


@pytest.mark.parametrize("british,american", [
    ("defence", "defense"), ("offence", "offense"), ("licence", "license"),
    ("organise", "organize"), ("organisation", "organization"), ("organised", "organized"),
    ("colour", "color"), ("honour", "honor"), ("labour", "labor"), ("favourite", "favorite"),
    ("centre", "center"), ("theatre", "theater"), ("metres", "meters"),
    ("programme", "program"), ("catalogue", "catalog"), ("travelled", "traveled"),
    ("co-operate", "cooperate"), ("co-operation", "cooperation"),
    ("anti-missile", "antimissile"), ("criticised", "criticized"),
])
def test_spelling_variants_fold_to_one_term(british, american):
    assert keys(british) == keys(american)
    assert len(keys(british)) == 1


@pytest.mark.parametrize("word", ["promise", "exercise", "crises", "hour", "controlled",
                                  "advise", "enterprise", "premises", "missile"])
def test_unrelated_words_untouched(word):
    assert _core.fold_spelling(word) == word


def test_stemming_english_and_german():
    assert keys("missiles") == keys("missile") == ["missil"]
    assert keys("missiles", language="none") == ["missiles"]
    de = dict(language="german", stop_words=["und"])
    assert keys("Verhandlungen", **de) == keys("Verhandlung", **de)
    assert "english" in _core.stemmer_languages() and "russian" in _core.stemmer_languages()


def test_unknown_language_lists_valid_ones():
    with pytest.raises(ValueError, match="klingon") as e:
        NewsVectorizer(language="klingon").fit(["text"])
    assert "english" in str(e.value) and "porter" in str(e.value)


def test_news_stop_words_are_not_terms():
    k = keys("Lavrov said on Friday that talks were announced today, officials told reporters.")
    for w in ("said", "sai", "friday", "today", "told", "announc"):
        assert w not in k
    assert "talk" in k


def test_name_variants_meet_and_distinct_names_stay_apart():
    for a, b in [("Sergei Lavrov", "Sergey Lavrov"), ("Gaddafi", "Qaddafi"),
                 ("Kadhafi", "Gadhafi"), ("Aleksandr", "Alexander"), ("Mohammed", "Muhammad")]:
        assert _core.name_key(a) == _core.name_key(b), (a, b)
    for a, b in [("Obama", "Osama"), ("Putin", "Patin"), ("Paris", "Parks"), ("Iran", "Iraq"),
                 ("Kenya", "Ghana"), ("Merkel", "Markel")]:
        assert _core.name_key(a) != _core.name_key(b), (a, b)
    v = NewsVectorizer()
    X = v.fit_transform(["Foreign Minister Sergei Lavrov met Muammar Gaddafi in Tripoli.",
                         "Sergey Lavrov criticized Qaddafi over Libya.",
                         "Only weather here."])
    j = v.vocabulary_["@" + _core.name_key("Sergei Lavrov")]
    assert v.term_kinds_[j] == "name"
    assert X[0, j] > 0 and X[1, j] > 0 and X[2, j] == 0
    assert v.get_feature_names_out()[j] in ("Sergei Lavrov", "Sergey Lavrov")
    g = v.vocabulary_["@" + _core.name_key("Gaddafi")]
    assert X[0, g] > 0 and X[1, g] > 0
    # "President Medvedev" and "Dmitry Medvedev" meet on the last word.
    a = {t[0] for t in v.analyze("President Medvedev spoke.") if t[1] == "name"}
    b = {t[0] for t in v.analyze("Dmitry Medvedev spoke.") if t[1] == "name"}
    assert "@" + _core.name_key("Medvedev") in a & b


def _counts(texts):
    rows = []
    for t in texts:
        c = {}
        for w in t.split():
            c[w] = c.get(w, 0) + 1
        rows.append(c)
    return rows


def test_bm25_matches_numpy_reference():
    texts = ["missile shield talks missile", "shield budget talks", "weather report sunny",
             "missile missile missile launch", ""]
    v = NewsVectorizer(names=False, lead_weight=1.0, language="none", norm=None)
    X = v.fit_transform(texts).toarray()
    rows = _counts(texts)
    terms = list(v.get_vocabulary_keys())
    tf = np.array([[r.get(t, 0) for t in terms] for r in rows], dtype=float)
    n = len(texts)
    df = (tf > 0).sum(axis=0)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    dl = tf.sum(axis=1, keepdims=True)
    avgdl = dl.mean()
    want = idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * dl / avgdl))
    np.testing.assert_allclose(X, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(v.idf_, idf, rtol=1e-15)
    # l2 (default) is the same rows scaled to unit length; the empty document stays zero.
    Y = NewsVectorizer(names=False, lead_weight=1.0, language="none").fit_transform(texts).toarray()
    norms = np.linalg.norm(want, axis=1, keepdims=True)
    np.testing.assert_allclose(Y, np.divide(want, norms, out=np.zeros_like(want),
                                            where=norms > 0), rtol=1e-12)
    assert not np.isnan(Y).any() and not Y[4].any()


def test_tfidf_matches_numpy_reference():
    texts = ["missile shield talks missile", "shield budget talks", "weather report"]
    v = NewsVectorizer(names=False, lead_weight=1.0, language="none", scheme="tfidf",
                       sublinear_tf=True, norm=None)
    X = v.fit_transform(texts).toarray()
    terms = list(v.get_vocabulary_keys())
    tf = np.array([[r.get(t, 0) for t in terms] for r in _counts(texts)], dtype=float)
    df = (tf > 0).sum(axis=0)
    idf = np.log((1 + 3) / (1 + df)) + 1
    sub = np.where(tf > 0, 1 + np.log(np.maximum(tf, 1)), 0)
    np.testing.assert_allclose(X, sub * idf, rtol=1e-12)


def test_pivoted_normalisation_matches_reference():
    texts = ["missile shield talks missile summit", "shield budget", "weather report sunny weather"]
    raw = NewsVectorizer(names=False, norm=None).fit_transform(texts).toarray()
    v = NewsVectorizer(names=False, norm="pivoted", slope=0.3)
    X = v.fit_transform(texts).toarray()
    length = np.linalg.norm(raw, axis=1, keepdims=True)
    pivot = length.mean()
    np.testing.assert_allclose(X, raw / (0.7 * pivot + 0.3 * length), rtol=1e-12)
    np.testing.assert_allclose(v.transform(texts).toarray(), X, rtol=0, atol=0)


def test_title_and_lead_weighting():
    v = NewsVectorizer(names=False, lead_words=2)
    count = {t[0]: t[2] for t in v.analyze("weather report missile", title="missile talks")}
    assert count["missil"] == 2.0 + 1.0  # title weight 2, outside the lead 1
    assert count["weather"] == 1.5  # in the lead
    v.fit(["missile talks", "weather report"], titles=["", "missile"])
    X = v.transform(["weather missile"], titles=["missile"])
    Y = v.transform(["weather missile"])
    j = v.vocabulary_["missil"]
    assert X[0, j] > Y[0, j]


def test_thread_count_does_not_change_results():
    rng = np.random.default_rng(0)
    words = np.array(["Missile", "defence", "talks", "Russia", "NATO", "budget", "Sergei",
                      "Lavrov", "said", "shield", "Paris", "organisation", "weather."])
    texts = [" ".join(rng.choice(words, 60)) for _ in range(300)]
    titles = [" ".join(rng.choice(words, 5)) for _ in range(300)]
    a = NewsVectorizer(n_jobs=1, norm="pivoted")
    b = NewsVectorizer(n_jobs=2, norm="pivoted")
    A = a.fit_transform(texts, titles=titles)
    B = b.fit_transform(texts, titles=titles)
    assert (A != B).nnz == 0
    assert list(a.get_feature_names_out()) == list(b.get_feature_names_out())
    assert (a.transform(texts) != b.transform(texts)).nnz == 0


def test_save_load_and_pickle_round_trip(tmp_path):
    texts = ["Sergei Lavrov met NATO in Brussels.", "Missile defence plans discussed."]
    v = NewsVectorizer(min_df=1, k1=1.5, stop_words=["plans"], n_jobs=2)
    X = v.fit_transform(texts, titles=["NATO talks", ""])
    path = tmp_path / "news.json"
    v.save(path)
    w = NewsVectorizer.load(path)
    assert w.get_params() == v.get_params()
    assert (w.transform(texts) != v.transform(texts)).nnz == 0
    assert list(w.get_feature_names_out()) == list(v.get_feature_names_out())
    p = pickle.loads(pickle.dumps(v))
    assert (p.transform(texts, titles=["NATO talks", ""]) != X).nnz == 0
    assert p.vocabulary_ == v.vocabulary_
    np.testing.assert_array_equal(p.idf_, v.idf_)
    unfitted = pickle.loads(pickle.dumps(NewsVectorizer(scheme="tfidf")))
    assert unfitted.scheme == "tfidf"
    path.write_text(path.read_text()[:50])
    with pytest.raises(newsim.ModelFormatError, match="news.json"):
        NewsVectorizer.load(path)


def test_estimator_conventions():
    v = NewsVectorizer(k1=2.0, norm="pivoted")
    assert repr(v) == "NewsVectorizer(k1=2.0, norm='pivoted')"
    assert v.get_params()["k1"] == 2.0
    assert v.set_params(b=0.5).b == 0.5
    with pytest.raises(ValueError):
        v.set_params(nope=1)
    sklearn_base = pytest.importorskip("sklearn.base")
    c = sklearn_base.clone(v)
    assert c.get_params() == v.get_params()


def test_bad_input():
    v = NewsVectorizer()
    with pytest.raises(newsim.NotFittedError):
        v.transform(["x"])
    with pytest.raises(ValueError, match="empty corpus"):
        v.fit([])
    with pytest.raises(ValueError, match="empty vocabulary"):
        v.fit(["said the", "on Friday"])
    with pytest.raises(newsim.DecodeError, match="document 1"):
        v.fit([b"fine text", b"bad \xff bytes"])
    with pytest.raises(ValueError, match="string object"):
        v.fit("one string")
    with pytest.raises(ValueError, match="titles"):
        v.fit(["a text", "another"], titles=["one"])
    for bad in (dict(scheme="okapi"), dict(norm="l1"), dict(b=2.0), dict(title_weight=0),
                dict(stop_words="french"), dict(min_df=True)):
        with pytest.raises(ValueError):
            NewsVectorizer(**bad).fit(["missile talks"])
    X = v.fit_transform(["missile talks", "said", "missile shield"])
    assert X[1].nnz == 0 and np.isfinite(X.data).all()
    assert v.transform(["unknown words", ""]).nnz == 0


@pytest.mark.skipif(len(SEEDS) != 5, reason="sample articles missing")
def test_seed_articles():
    texts = []
    for p in SEEDS:
        with open(p, encoding="utf-8") as f:
            texts.append(f.read())
    v = NewsVectorizer().fit(texts)
    vocab = v.vocabulary_
    names = v.get_feature_names_out()
    assert "said" not in vocab and "friday" not in vocab
    assert "said" not in set(names) and "friday" not in {n.lower() for n in names}
    (defense,) = keys("defense")
    assert keys("defence") == [defense] and defense in vocab
    X = v.transform(texts)
    assert all(X[i, vocab[defense]] > 0 for i in (0, 2, 3, 4))  # defense x3, defence x1
    assert names[vocab["missil"]] in ("missile", "missiles")
    assert names[vocab["@" + _core.name_key("Rasmussen")]] == "Rasmussen"
    kinds = v.term_kinds_
    assert set(kinds) == {"word", "name"}
