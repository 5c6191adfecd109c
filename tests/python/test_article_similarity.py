"""ArticleSimilarity from Python: fit on texts and on a Corpus, top_k and join against brute
force from score() over every pair, explain, key_terms, parameters, persistence and errors;
on the sample articles, news filler never surfaces and spelling variants share one feature."""

from __future__ import annotations

import datetime as dt
import math
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import newsim
from newsim import ArticleSimilarity, NewsVectorizer

SEEDS = Path(__file__).resolve().parents[2] / "data" / "seeds"

DAY = 86400

TEXTS = [
    "NATO missile defence talks\n\nNATO leaders offered Russia cooperation on a missile "
    "defence shield for Europe. Moscow said it would study the missile proposal.",
    "Russia warns NATO that the missile defense plan in Poland threatens its security; the "
    "Kremlin wants guarantees about the interceptors.",
    "Medvedev and NATO discuss missile shield\n\nPresident Medvedev met NATO officials to "
    "discuss the missile shield and European missile defence.",
    "Poland signs a deal to host American missile interceptors; Russia calls the missile "
    "defence base a threat and NATO tries to calm Moscow.",
    "Floods hit northern England\n\nHeavy rain caused floods across northern England. Rivers "
    "burst their banks in York and homes were flooded.",
    "Flood warnings remain in York as the river Ouse rises after days of heavy rain; residents "
    "left flooded homes.",
    "Insurers count the cost of floods\n\nFloods damaged homes across northern England after "
    "heavy rain flooded thousands of properties.",
    "Manchester United beat City in the derby\n\nThe striker scored twice at Old Trafford in "
    "the second half of the derby.",
    "Manchester City lost the derby to United; the manager blamed the defence for the goals "
    "conceded at Old Trafford.",
    "The United striker who scored twice in the derby was named player of the month in the "
    "Premier League.",
    "Bank of England raises interest rates\n\nThe Bank of England raised interest rates to "
    "fight inflation; mortgage costs climb.",
    "Inflation rose again, putting pressure on the Bank of England to raise interest rates.",
    "Lenders raised mortgage rates after the Bank of England increased interest rates as "
    "inflation persists.",
    "The and of, said on Monday.",
]
TOPICS = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, -1]
T0 = 1.6e9
DATES = [T0, T0 + DAY, None, T0 + 2 * DAY, T0 + 30 * DAY, T0 + 31 * DAY, None,
         T0 + 60 * DAY, T0 + 61 * DAY, T0 + 62 * DAY, T0 + 90 * DAY, None, T0 + 92 * DAY, T0]
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}


@pytest.fixture(scope="module")
def sim():
    return ArticleSimilarity(n_jobs=1).fit(TEXTS, dates=DATES)


@pytest.fixture(scope="module")
def seeds():
    return newsim.read_articles(str(SEEDS))


@pytest.fixture(scope="module")
def seed_sim(seeds):
    return ArticleSimilarity(n_jobs=1).fit(seeds)


def all_pairs(sim, texts, dates=None, titles=None):
    """score(i, j) for every pair of texts, through score() on aligned lists."""
    n = len(texts)
    ia, ib = np.repeat(np.arange(n), n), np.tile(np.arange(n), n)

    def take(v, idx):
        return None if v is None else [v[i] for i in idx]

    s = sim.score(take(texts, ia), take(texts, ib), dates_a=take(dates, ia),
                  dates_b=take(dates, ib), titles_a=take(titles, ia), titles_b=take(titles, ib))
    return np.asarray(s).reshape(n, n)


def brute_top_k(scores, k, exclude_self):
    idx = np.full((scores.shape[0], k), -1)
    val = np.zeros((scores.shape[0], k))
    for i, row in enumerate(scores):
        cand = [(-row[j], j) for j in range(len(row))
                if row[j] > 0 and not (exclude_self and j == i)]
        cand.sort()
        for p, (s, j) in enumerate(cand[:k]):
            idx[i, p], val[i, p] = j, -s
    return idx, val


def assert_top_k_matches(got, want, tol=1e-12):
    gi, gs = got
    wi, ws = want
    assert gi.shape == wi.shape and gs.shape == ws.shape
    np.testing.assert_allclose(gs, ws, rtol=0, atol=tol)
    for i in range(wi.shape[0]):
        for p in range(wi.shape[1]):
            tied = np.abs(ws[i] - ws[i, p]) < tol
            if tied.sum() > 1 and wi[i, p] != -1:
                assert set(gi[i][tied]) == set(wi[i][tied]), (i, p)
            else:
                assert gi[i, p] == wi[i, p], (i, p, gi[i], wi[i])


# -- fit -------------------------------------------------------------------------------------

def test_exported():
    assert "ArticleSimilarity" in newsim.__all__
    assert newsim.ArticleSimilarity is ArticleSimilarity


def test_fit_texts_returns_self_and_counts(sim):
    assert sim.n_articles_ == len(TEXTS)
    assert sim.ids_ is None
    assert sim.lsa_ is not None
    assert 1 <= sim.lsa_.components_.shape[0] < len(TEXTS)


def test_fit_corpus_uses_its_titles(seeds, seed_sim):
    assert seed_sim.n_articles_ == len(seeds) == 5
    assert seed_sim.ids_ == seeds.ids
    # The corpus's titles are used: fitting the cleaned texts with those titles agrees.
    c = newsim.clean(seeds).corpus
    by_texts = ArticleSimilarity(n_jobs=1).fit(c.texts, titles=c.titles)
    a, b = seed_sim.top_k(k=4), by_texts.top_k(k=4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_allclose(a[1], b[1], rtol=0, atol=1e-12)
    # An article can be named by its id.
    assert seed_sim.explain(seeds.ids[0], seeds.ids[4])["score"] == pytest.approx(
        seed_sim.explain(0, 4)["score"], abs=1e-15)
    with pytest.raises(KeyError):
        seed_sim.explain("no-such-id", 0)


def test_fit_with_titles_and_dates():
    titles = ["Missile talks"] * 4 + [""] * (len(TEXTS) - 4)
    s = ArticleSimilarity(n_jobs=1).fit(TEXTS, dates=DATES, titles=titles)
    scores = all_pairs(s, TEXTS, DATES, titles)
    assert_top_k_matches(s.top_k(k=5), brute_top_k(scores, 5, True))
    # Same titles: the title component applies and is 1.
    comp = s.explain(1, 3)["components"].set_index("component")
    assert comp.loc["title", "weight"] > 0
    assert comp.loc["title", "similarity"] == pytest.approx(1.0)
    comp = s.explain(1, 4)["components"].set_index("component")
    assert comp.loc["title", "weight"] == 0
    # datetime dates work as seconds do.
    as_dt = [None if d is None else dt.datetime.fromtimestamp(d, dt.timezone.utc) for d in DATES]
    s2 = ArticleSimilarity(n_jobs=1).fit(TEXTS, dates=as_dt, titles=titles)
    np.testing.assert_array_equal(s2.top_k(k=5)[1], s.top_k(k=5)[1])


# -- score / top_k / join ----------------------------------------------------------------------

def test_score_one_number_per_pair_in_unit_range(sim):
    s = sim.score(TEXTS[:4], TEXTS[4:8])
    assert isinstance(s, np.ndarray) and s.shape == (4,)
    scores = all_pairs(sim, TEXTS, DATES)
    assert np.all(np.isfinite(scores))
    assert scores.min() >= 0 and scores.max() <= 1 + 1e-12
    np.testing.assert_allclose(scores, scores.T, rtol=0, atol=1e-12)
    for i, t in enumerate(TOPICS):
        assert scores[i, i] == pytest.approx(1.0 if t >= 0 else 0.0, abs=1e-9)
    # Within a topic beats across topics.
    same = np.equal.outer(TOPICS, TOPICS) & ~np.eye(len(TOPICS), dtype=bool)
    real = np.array(TOPICS) >= 0
    same &= np.outer(real, real)
    other = ~np.equal.outer(TOPICS, TOPICS) & np.outer(real, real)
    assert scores[same].mean() > 3 * scores[other].mean()
    # The article without terms scores 0 with everything.
    assert np.all(scores[-1] == 0) and np.all(scores[:, -1] == 0)


def test_score_lengths_must_match(sim):
    with pytest.raises(ValueError, match="as many"):
        sim.score(TEXTS[:3], TEXTS[:2])


def test_score_time_factor(sim):
    a, b = [TEXTS[0]], [TEXTS[2]]
    none = sim.score(a, b)[0]
    near = sim.score(a, b, dates_a=[T0], dates_b=[T0 + DAY])[0]
    far = sim.score(a, b, dates_a=[T0], dates_b=[T0 + 365 * DAY])[0]
    assert far < near < none
    assert near == pytest.approx(none * (0.5 + 0.5 * math.exp(-1 / 7)), abs=1e-12)
    assert sim.score(a, b, dates_a=[None], dates_b=[T0])[0] == none
    assert sim.score(a, b, dates_a=[T0], dates_b=[T0])[0] == none


def test_top_k_equals_brute_force(sim):
    scores = all_pairs(sim, TEXTS, DATES)
    for k in (1, 3, len(TEXTS) + 3):
        idx, val = sim.top_k(k=k)
        assert idx.shape == val.shape == (len(TEXTS), k)
        assert idx.dtype.kind == "i" and val.dtype == np.float64
        assert not np.any(idx == np.arange(len(TEXTS))[:, None])
        assert_top_k_matches((idx, val), brute_top_k(scores, k, True))
    idx, val = sim.top_k(k=len(TEXTS) + 3)
    assert np.all(idx[:, -4:] == -1) and np.all(val[:, -4:] == 0)
    assert np.all(idx[-1] == -1)  # the article without terms has no neighbour


def test_top_k_search_probing_everything_is_exact(sim):
    scores = all_pairs(sim, TEXTS, DATES)
    everything = {"cells": 3, "probes": 3, "candidates": 50, "time_neighbors": 50}
    assert_top_k_matches(sim.top_k(k=4, search=everything), brute_top_k(scores, 4, True))
    queries = TEXTS[2:6]
    got = sim.top_k(queries, k=3, dates=DATES[2:6], search=everything)
    assert_top_k_matches(got, sim.top_k(queries, k=3, dates=DATES[2:6]))


def test_top_k_search_on_real_articles(bbc_texts):
    # Scores are the pairs' scores; most exact neighbours are found; 1 and 2 threads agree.
    texts = bbc_texts[:1200]
    one = ArticleSimilarity(n_jobs=1).fit(texts)
    exact_i, exact_s = one.top_k(k=5)
    idx, val = one.top_k(k=5, search=True)
    ok = idx >= 0
    assert ok.mean() > 0.95
    rows = np.nonzero(ok)[0]
    np.testing.assert_allclose(val[ok], one.score([texts[i] for i in rows],
                                                  [texts[j] for j in idx[ok]]), atol=1e-12)
    hits = sum(len(set(exact_i[r]) & set(idx[r])) for r in range(len(texts)))
    assert hits / (exact_i >= 0).sum() > 0.8
    two = ArticleSimilarity(n_jobs=2).fit(texts)
    i2, v2 = two.top_k(k=5, search={"probes": 8})
    i1, v1 = one.top_k(k=5, search={"probes": 8})
    assert np.array_equal(i1, i2) and np.array_equal(v1, v2)


@pytest.mark.parametrize("search, error", [
    ({"probes": 0}, ValueError), ({"cells": -1}, ValueError), ({"candidates": 1.5}, ValueError),
    ({"beam": 3}, ValueError), ("yes", TypeError)])
def test_top_k_search_bad_options(sim, search, error):
    with pytest.raises(error):
        sim.top_k(k=3, search=search)


def test_top_k_search_needs_the_latent_part():
    flat = ArticleSimilarity(n_components=0).fit(TEXTS)
    with pytest.raises(ValueError, match="latent"):
        flat.top_k(k=3, search=True)


def test_top_k_with_queries_equals_brute_force(sim):
    queries = ["Russia criticised NATO missile interceptors in Poland.",
               "Heavy rain and floods in York.",
               "xylophone quasar zebra",
               TEXTS[7]]
    qdates = [T0 + DAY, None, None, DATES[7]]
    n = len(TEXTS)
    want = np.array([sim.score([q] * n, TEXTS, dates_a=[d] * n, dates_b=DATES)
                     for q, d in zip(queries, qdates)])
    for k in (1, 4, n + 2):
        got = sim.top_k(queries, k=k, dates=qdates)
        assert_top_k_matches(got, brute_top_k(want, k, False))
    idx, val = sim.top_k(queries, k=1, dates=qdates)
    assert idx[3, 0] == 7 and val[3, 0] == pytest.approx(1.0)
    assert idx[2, 0] == -1 and val[2, 0] == 0


def test_join_equals_brute_force(sim):
    scores = all_pairs(sim, TEXTS, DATES)
    n = len(TEXTS)
    for threshold in (0.1, 0.3, 0.5):
        m = sim.join(threshold)
        assert sp.isspmatrix_csr(m) and m.shape == (n, n)
        coo = m.tocoo()
        got = {(int(i), int(j)): v for i, j, v in zip(coo.row, coo.col, coo.data)}
        want = {(i, j): scores[i, j] for i in range(n) for j in range(i + 1, n)
                if scores[i, j] >= threshold}
        assert set(got) == set(want), threshold
        for key, v in got.items():
            assert v == pytest.approx(want[key], abs=1e-12)
    assert len(sim.join(0.1).data) > 5


def test_thread_count_does_not_change_results():
    texts = [f"{TEXTS[i % 13]} {TEXTS[(i * 7) % 13][: 40 + i % 50]}" for i in range(150)]
    a = ArticleSimilarity(n_jobs=1).fit(texts)
    b = ArticleSimilarity(n_jobs=2).fit(texts)
    ia, sa = a.top_k(k=5)
    ib, sb = b.top_k(k=5)
    np.testing.assert_array_equal(ia, ib)
    np.testing.assert_array_equal(sa, sb)
    ja, jb = a.join(0.3), b.join(0.3)
    np.testing.assert_array_equal(ja.indptr, jb.indptr)
    np.testing.assert_array_equal(ja.indices, jb.indices)
    np.testing.assert_array_equal(ja.data, jb.data)


# -- explain / key_terms ---------------------------------------------------------------------

def test_explain(sim):
    idx, val = sim.top_k(k=3)
    for i in range(len(TEXTS) - 1):
        for p in range(3):
            j = int(idx[i, p])
            if j < 0:
                continue
            e = sim.explain(i, j, top=-1)
            comp = e["components"]
            assert isinstance(comp, pd.DataFrame)
            assert list(comp.columns) == ["component", "weight", "similarity", "contribution"]
            assert list(comp["component"]) == ["terms", "names", "title", "latent"]
            assert comp["contribution"].sum() == pytest.approx(e["base"], abs=1e-14)
            assert comp["weight"].sum() == pytest.approx(1.0)
            assert e["score"] == pytest.approx(val[i, p], abs=1e-12)
            assert e["score"] == pytest.approx(math.sqrt(e["base"]) * e["time_factor"], abs=1e-12)
            shared = e["shared_terms"]
            assert list(shared.columns) == ["term", "contribution", "share"]
            terms_cos = comp.set_index("component").loc["terms", "similarity"]
            assert shared["contribution"].sum() == pytest.approx(terms_cos, abs=1e-12)
            latent = comp.set_index("component").loc["latent", "similarity"]
            if latent > 0:
                assert e["latent_terms"]["contribution"].sum() == pytest.approx(latent, abs=1e-9)
    e = sim.explain(4, 5)
    assert {"York", "rain"} <= set(e["shared_terms"]["term"])
    assert set(e) >= {"score", "base", "time_factor", "components", "shared_terms",
                      "shared_names", "latent_terms", "only_a", "only_b"}
    assert e["time_factor"] == pytest.approx(0.5 + 0.5 * math.exp(-1 / 7))
    assert sim.explain(0, 2)["time_factor"] == 1.0  # article 2 has no date
    assert sim.explain(-1, 0)["score"] == 0  # negative positions count from the end
    with pytest.raises(IndexError):
        sim.explain(0, len(TEXTS))
    with pytest.raises(TypeError):
        sim.explain(0.5, 1)


def test_key_terms(sim):
    kt = sim.key_terms(4, top=5)
    assert len(kt) == 5
    assert all(isinstance(t, str) and w > 0 for t, w in kt)
    assert [w for _, w in kt] == sorted((w for _, w in kt), reverse=True)
    assert {"York", "flood", "floods", "rain"} & {t for t, _ in kt}
    mean = dict(sim.key_terms([4, 5, 6], top=50))
    assert "rain" in mean or "York" in mean
    assert sim.key_terms(len(TEXTS) - 1) == []


def test_explain_pairs_agrees_with_explain_of_each_pair(sim):
    n = len(TEXTS)
    i = np.arange(n)
    j = (i * 3 + 1) % n
    flat = sim.explain_pairs(i, j, top=4, distinct=False)
    assert flat["offsets"].shape == (n + 1,) and flat["offsets"][0] == 0
    names = sim.get_feature_names_out()
    shared = 0
    for p in range(n):
        part = slice(flat["offsets"][p], flat["offsets"][p + 1])
        one = sim.explain(int(i[p]), int(j[p]), top=4)["shared_terms"]
        assert list(names[flat["term"][part]]) == one.term.tolist()
        assert flat["share"][part].tolist() == one.share.tolist()
        shared += len(one)
    assert shared >= 10  # the comparison is not vacuous
    with pytest.raises(ValueError, match="one j per i"):
        sim.explain_pairs([0, 1], [2])
    with pytest.raises(IndexError):
        sim.explain_pairs([0], [n])
    empty = sim.explain_pairs([], [])
    assert empty["offsets"].tolist() == [0] and len(empty["term"]) == 0


def test_key_terms_rows_agree_with_key_terms_of_each_row(sim):
    n = len(TEXTS)
    flat = sim.key_terms_rows(np.arange(n), top=5, distinct=False)
    core = sim._fitted()
    for r in range(n):
        part = slice(flat["offsets"][r], flat["offsets"][r + 1])
        want = core.key_terms([r], 5)
        assert flat["term"][part].tolist() == [t for t, _ in want]
        assert flat["weight"][part].tolist() == [w for _, w in want]
    assert flat["offsets"][-1] > 3 * n
    last = slice(flat["offsets"][n - 1], flat["offsets"][n])
    assert len(flat["term"][last]) == 0  # the stop-word article has no terms


# -- the sample articles -------------------------------------------------------------------------

def test_seeds_filler_never_surfaces(seed_sim):
    n = seed_sim.n_articles_
    seen = set()
    for i in range(n):
        terms = {t.lower() for t, _ in seed_sim.key_terms(i, top=200)}
        seen |= terms
        assert "said" not in terms and not terms & WEEKDAYS, (i, terms & (WEEKDAYS | {"said"}))
    assert len(seen) > 50  # the check saw real vocabulary
    for i in range(n):
        for j in range(i + 1, n):
            e = seed_sim.explain(i, j, top=-1)
            for frame in ("shared_terms", "shared_names", "latent_terms"):
                terms = {str(t).lower() for t in e[frame]["term"]}
                assert "said" not in terms and not terms & WEEKDAYS, (i, j, frame)
    names = {str(t).lower() for t in seed_sim.get_feature_names_out()}
    assert "said" not in names and not names & WEEKDAYS


def test_seeds_defence_and_defense_are_one_feature(seeds, seed_sim):
    texts = " ".join(seeds.texts).lower()
    assert "defence" in texts and "defense" in texts  # both spellings occur
    names = [str(t).lower() for t in seed_sim.get_feature_names_out()]
    assert sum(n in ("defence", "defense") for n in names) == 1
    a = seed_sim.transform(["missile defence"]).terms
    b = seed_sim.transform(["missile defense"]).terms
    np.testing.assert_array_equal(a[1], b[1])  # the same columns
    assert len(a[1]) == 2
    same = seed_sim.score(["missile defence"], ["missile defence"])[0]
    assert same > 0.9
    assert seed_sim.score(["missile defence"], ["missile defense"])[0] == same


# -- parameters, persistence, errors ---------------------------------------------------------------

def test_params_and_repr():
    s = ArticleSimilarity(title_weight=0.3, n_components=20)
    p = s.get_params()
    assert p["title_weight"] == 0.3 and p["n_components"] == 20 and p["terms"] is None
    assert set(p) == {"terms", "n_components", "n_iter", "random_state", "terms_weight",
                      "names_weight", "title_weight", "latent_weight", "time_scale_days",
                      "time_floor", "n_jobs"}
    assert s.set_params(latent_weight=0.0, time_floor=1.0) is s
    assert s.latent_weight == 0.0 and s.time_floor == 1.0
    with pytest.raises(ValueError, match="nonsense"):
        s.set_params(nonsense=1)
    r = repr(s)
    assert r.startswith("ArticleSimilarity(") and "title=0.3" in r and "latent=0.0" in r
    assert "articles" not in r
    s.fit(TEXTS)
    assert f"{len(TEXTS)} articles" in repr(s)
    assert not s.lsa_  # latent_weight 0: no latent part
    # A clone made from get_params fits the same model.
    again = ArticleSimilarity(**s.get_params()).fit(TEXTS)
    np.testing.assert_array_equal(again.top_k(k=3)[1], s.top_k(k=3)[1])


def test_custom_vectorizer_is_used():
    s = ArticleSimilarity(NewsVectorizer(fold_spelling=False), n_jobs=1).fit(TEXTS)
    names = set(s.get_feature_names_out())
    assert "defence" in {n.lower() for n in names} and "defense" in {n.lower() for n in names}


def test_save_load_round_trip(sim, tmp_path):
    path = tmp_path / "sim.json"
    sim.save(path)
    assert path.is_file() and Path(str(path) + ".bin").is_file()
    loaded = ArticleSimilarity.load(path)
    assert isinstance(loaded, ArticleSimilarity)
    assert loaded.get_params()["title_weight"] == sim.title_weight
    for k in (2, 6):
        a, b = sim.top_k(k=k), loaded.top_k(k=k)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(sim.score(TEXTS[:5], TEXTS[5:10]),
                                  loaded.score(TEXTS[:5], TEXTS[5:10]))
    assert loaded.explain(0, 2)["score"] == sim.explain(0, 2)["score"]
    # A damaged binary part is a ModelFormatError (a ValueError) naming the file.
    bin_path = Path(str(path) + ".bin")
    data = bin_path.read_bytes()
    bin_path.write_bytes(data[: len(data) // 2])
    with pytest.raises(newsim.ModelFormatError, match="sim.json"):
        ArticleSimilarity.load(path)
    bin_path.write_bytes(b"XX" + data[2:])
    with pytest.raises(ValueError, match="sim.json"):
        ArticleSimilarity.load(path)


def test_pickle_round_trip(sim, seeds, seed_sim):
    for model in (sim, seed_sim):
        back = pickle.loads(pickle.dumps(model))
        assert back.get_params() == model.get_params()
        assert back.n_articles_ == model.n_articles_ and back.ids_ == model.ids_
        a, b = model.top_k(k=3), back.top_k(k=3)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    back = pickle.loads(pickle.dumps(seed_sim))
    assert back.explain(seeds.ids[1], seeds.ids[3])["score"] == seed_sim.explain(1, 3)["score"]
    unfitted = pickle.loads(pickle.dumps(ArticleSimilarity(title_weight=0.2)))
    assert unfitted.title_weight == 0.2
    with pytest.raises(newsim.NotFittedError):
        unfitted.top_k()


@pytest.mark.parametrize("call", [
    lambda s: s.top_k(),
    lambda s: s.score(["a"], ["b"]),
    lambda s: s.join(0.5),
    lambda s: s.explain(0, 1),
    lambda s: s.key_terms(0),
    lambda s: s.transform(["a"]),
    lambda s: s.get_feature_names_out(),
    lambda s: s.save("never-written.json"),
])
def test_not_fitted(call):
    with pytest.raises(newsim.NotFittedError):
        call(ArticleSimilarity())
    assert not Path("never-written.json").exists()


@pytest.mark.parametrize("params,error", [
    ({"terms_weight": -0.1}, ValueError),
    ({"names_weight": "0.1"}, ValueError),
    ({"title_weight": float("nan")}, ValueError),
    ({"latent_weight": -1}, ValueError),
    ({"terms_weight": 0, "names_weight": 0, "title_weight": 0, "latent_weight": 0}, ValueError),
    ({"time_floor": 1.5}, ValueError),
    ({"time_floor": -0.5}, ValueError),
    ({"time_scale_days": 0}, ValueError),
    ({"n_components": -1}, ValueError),
    ({"n_components": 2.5}, ValueError),
    ({"n_iter": -1}, ValueError),
    ({"terms": "english"}, TypeError),
])
def test_bad_parameters(params, error):
    with pytest.raises(error):
        ArticleSimilarity(**params).fit(TEXTS)


def test_bad_inputs(sim):
    with pytest.raises(ValueError):
        ArticleSimilarity().fit([])
    with pytest.raises(TypeError):
        ArticleSimilarity().fit("a single string")
    with pytest.raises(ValueError, match="dates"):
        ArticleSimilarity().fit(TEXTS, dates=DATES[:-1])
    with pytest.raises(ValueError, match="titles"):
        ArticleSimilarity().fit(TEXTS, titles=["x"])
    for k in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            sim.top_k(k=k)
    for threshold in (0, 1.5):
        with pytest.raises(ValueError):
            sim.join(threshold)


@pytest.mark.parametrize("text,title", [
    ("From: a@b.c\nSubject: Re: Re: Shuttle launch delayed\n\nThe launch slipped.",
     "Shuttle launch delayed"),
    ("Floods hit York\n\nHeavy rain fell.", "Floods hit York"),
    ("One single line and nothing more.", ""),
    ("Rendez-vous à Paris, voilà\nLa suite.", "Rendez-vous à Paris, voilà"),
])
def test_derived_title(text, title):
    assert newsim._core.derived_title(text) == title


def test_distinct_lists_leave_out_what_a_reader_would_see_twice(seeds, seed_sim):
    """distinct: no label twice ignoring case, and no word of a name listed earlier; what is left
    out is only such a repeat (the kept terms are the full list's first non-repeats)."""
    names = seed_sim.get_feature_names_out()
    n = seed_sim.n_articles_
    rows = np.arange(n)
    for flat, full, col in [
            (seed_sim.key_terms_rows(rows, 12), seed_sim.key_terms_rows(rows, -1, distinct=False),
             "weight"),
            (seed_sim.explain_pairs(rows, (rows + 1) % n, 12),
             seed_sim.explain_pairs(rows, (rows + 1) % n, -1, distinct=False), "share")]:
        dropped = 0
        for p in range(n):
            kept = [str(names[t]) for t in flat["term"][flat["offsets"][p]:flat["offsets"][p + 1]]]
            every = [str(names[t]) for t in full["term"][full["offsets"][p]:full["offsets"][p + 1]]]
            want, seen = [], set()
            for label in every:
                if len(want) == 12:
                    break
                if label.casefold() in seen:
                    dropped += 1
                    continue
                seen.add(label.casefold())
                seen.update(label.casefold().split())
                want.append(label)
            assert kept == want
        assert dropped > 0  # the seeds have names whose words are also terms
    assert seed_sim.key_terms(0, top=8) == [
        (str(names[t]), w) for t, w in zip(
            *[seed_sim.key_terms_rows([0], 8)[k] for k in ("term", "weight")])]
