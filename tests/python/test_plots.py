"""Notebook helpers: heatmap, story timeline, shared terms highlighted, tables and HTML."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import newsim

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

TEXTS = ["Russia warns NATO over missile shield in Poland",
         "NATO missile shield in Poland angers Russia",
         "Floods hit the north of England after heavy rain",
         "Heavy rain brings floods to the north of England"]


def ticks(labels):
    return [t.get_text() for t in labels]


# -- plot_similarity -------------------------------------------------------------------------

def test_heatmap_of_sparse_vectors_shows_their_cosines_labelled_by_title():
    X = newsim.TfidfVectorizer().fit_transform(TEXTS)
    titles = ["a" * 60, "b", "c", "d"]
    fig = newsim.plot_similarity(X, labels=titles, max_label=20)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    shown = np.asarray(ax.images[0].get_array())
    np.testing.assert_allclose(shown, newsim.pairwise(X).to_numpy())
    assert ticks(ax.get_yticklabels()) == ["a" * 19 + "\u2026", "b", "c", "d"]
    assert ticks(ax.get_xticklabels()) == ticks(ax.get_yticklabels())
    assert len(ax.texts) == 16  # every cell annotated
    assert ax.images[0].get_clim()[1] == pytest.approx(shown[~np.eye(4, dtype=bool)].max())


def test_heatmap_of_a_dataframe_uses_its_labels_and_draws_into_a_given_axes():
    S = pd.DataFrame([[1.0, 0.2, 0.1], [0.3, 0.9, 0.0]], index=["x", "y"],
                     columns=["p", "q", "r"])
    fig = Figure()
    ax = fig.add_subplot()
    assert newsim.plot_similarity(S, ax=ax, annotate=False) is fig
    assert np.asarray(ax.images[0].get_array()).shape == (2, 3)
    assert ticks(ax.get_yticklabels()) == ["x", "y"]
    assert ticks(ax.get_xticklabels()) == ["p", "q", "r"]
    assert not ax.texts


def test_heatmap_of_an_index_and_of_a_corpus_are_labelled_by_titles():
    corpus = newsim.read_articles([{"id": str(i), "title": f"T{i}", "text": t}
                                   for i, t in enumerate(TEXTS)])
    X = newsim.TfidfVectorizer().fit_transform(corpus)
    fig = newsim.plot_similarity(X, labels=corpus)
    assert ticks(fig.axes[0].get_yticklabels()) == ["T0", "T1", "T2", "T3"]
    index = newsim.SimilarityIndex().fit(TEXTS, ids=list("abcd"), titles=["w", "x", "y", "z"])
    fig = newsim.plot_similarity(index)
    assert ticks(fig.axes[0].get_xticklabels()) == ["w", "x", "y", "z"]


def test_heatmap_refuses_too_many_rows_and_wrong_labels():
    X = newsim.TfidfVectorizer().fit_transform(TEXTS * 30)
    with pytest.raises(ValueError, match="unreadable"):
        newsim.plot_similarity(X)
    with pytest.raises(ValueError, match="3 labels for 4 rows"):
        newsim.plot_similarity(np.eye(4), labels=["a", "b", "c"])
    with pytest.raises(ValueError, match="2-D"):
        newsim.plot_similarity(np.ones(3))


# -- plot_stories ----------------------------------------------------------------------------

def test_story_timeline_without_dates_puts_members_at_their_positions():
    r = newsim.cluster_stories(TEXTS)
    fig = newsim.plot_stories(r)
    ax = fig.axes[0]
    labels = ticks(ax.get_yticklabels())
    assert labels == [f"{t} ({s})" for t, s in zip(r.stories.title, r.stories["size"])]
    xs = [sorted(c.get_offsets()[:, 0].tolist()) for c in ax.collections
          if c.get_offsets().shape[0] and not hasattr(c, "get_segments")]
    assert xs == [sorted(m) for m in r.stories.members]
    assert ax.get_xlabel() == "article position"


def test_story_timeline_puts_members_at_their_dates_and_shows_the_top_stories():
    dates = ["2024-01-01", "2024-01-03", "2024-02-01T12:00:00Z", None]
    r = newsim.cluster_stories(TEXTS, dates=dates)
    fig = newsim.plot_stories(r.stories, dates=dates, top=1)
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 1
    first = r.stories.iloc[0]
    points = [c for c in ax.collections if not hasattr(c, "get_segments")][0]
    want = mdates.date2num(pd.to_datetime([dates[m] for m in first.members if dates[m]],
                                          utc=True).tz_convert(None).to_numpy())
    np.testing.assert_allclose(sorted(points.get_offsets()[:, 0]), sorted(want))
    assert ax.get_xlabel() == "date (UTC)"


def test_story_timeline_from_first_and_last_dates_and_of_no_stories():
    r = newsim.cluster_stories(TEXTS, dates=["2024-01-01", "2024-01-05", "2024-01-02",
                                             "2024-01-02"])
    ax = newsim.plot_stories(r).axes[0]
    points = [c for c in ax.collections if not hasattr(c, "get_segments")]
    for c, (_, row) in zip(points, r.stories.iterrows()):
        want = mdates.date2num(pd.to_datetime([row.first_date, row.last_date], utc=True)
                               .tz_convert(None).to_numpy())
        np.testing.assert_allclose(sorted(c.get_offsets()[:, 0]), sorted(want))
    empty = newsim.plot_stories(r.stories.iloc[:0])
    assert [t.get_text() for t in empty.axes[0].texts] == ["no stories"]
    with pytest.raises(TypeError):
        newsim.plot_stories([1, 2])
    with pytest.raises(ValueError, match="top"):
        newsim.plot_stories(r, top=0)


# -- highlight_shared ------------------------------------------------------------------------

def marked_terms(html_text):
    return [m.lower() for m in re.findall(r"<mark[^>]*>(.*?)</mark>", html_text)]


def test_highlighted_terms_are_exactly_the_shared_terms_of_explain():
    a = "Russia warns NATO over the missile shield. Russia says more."
    b = "NATO and Russia: missile talks stall in Brussels."
    s = newsim.highlight_shared(a, b)
    v = newsim.TfidfVectorizer(stop_words="english")
    e = newsim.explain(v.fit_transform([a, b]), 0, 1, feature_names=v, top=None)
    shared = e[e.kind == "shared"]
    assert s.terms == shared.term.tolist()
    assert set(s.terms) == {"russia", "nato", "missile"}
    assert s.similarity == pytest.approx(e.attrs["similarity"])
    assert [w.lower() for w in s.marked(0)] == ["russia", "nato", "missile", "russia"]
    assert [w.lower() for w in s.marked(1)] == ["nato", "russia", "missile"]
    html_text = s._repr_html_()
    assert sorted(marked_terms(html_text)) == sorted(m.lower() for m in s.marked(0) + s.marked(1))
    assert s.to_pandas().term.tolist() == s.terms


def test_highlight_escapes_html_and_keeps_the_text():
    a = "<script>alert('x')</script> missile & shield"
    b = "missile <b>shield</b>"
    html_text = newsim.highlight_shared(a, b, terms=["missile", "shield"])._repr_html_()
    assert "<script>" not in html_text and "<b>" not in html_text
    assert "&lt;script&gt;" in html_text and "&amp;" in html_text
    assert marked_terms(html_text) == ["missile", "shield", "missile", "shield"]


def test_highlight_with_a_fitted_vectorizer_ngrams_and_articles():
    v = newsim.TfidfVectorizer(ngram_range=(1, 2), stop_words="english").fit(TEXTS)
    s = newsim.highlight_shared(TEXTS[0], TEXTS[1], vectorizer=v, top=2)
    assert len(s.terms) == 2
    marked = {w.lower() for w in s.marked(0)}
    assert marked == {w for t in s.terms for w in t.split(" ")}
    # A bigram marks each of its words; stop words in between do not break it.
    s = newsim.highlight_shared("the missile of the shield", "missile shield",
                                terms=["missile shield"], vectorizer=v)
    assert s.marked(0) == ["missile", "shield"]
    unfitted = newsim.TfidfVectorizer()
    newsim.highlight_shared("aa bb cc", "bb cc dd", vectorizer=unfitted)
    assert not hasattr(unfitted, "vocabulary_")  # a copy was fitted
    art = newsim.Article(id="x", title="Missile talks", text="Russia & NATO")
    s = newsim.highlight_shared(art, "NATO missile plan")
    assert set(s.terms) == {"missile", "nato"} and "Missile talks" in s._repr_html_()
    with pytest.raises(TypeError):
        newsim.highlight_shared(1, "x")


def test_highlight_marks_exactly_what_the_analyzer_counted():
    """Accents, case and custom patterns: the marks are the analyzer's own words."""
    v = newsim.TfidfVectorizer(strip_accents="unicode", token_pattern=r"(?u)\b\w+\b")
    s = newsim.highlight_shared("La DÉFENSE d'İstanbul", "la defense of istanbul", vectorizer=v)
    assert set(s.terms) >= {"defense", "istanbul", "la"}
    assert s.marked(0) == ["La", "DÉFENSE", "İstanbul"]
    assert [v.build_preprocessor()(w) for w in s.marked(0)] == ["la", "defense", "istanbul"]
    with pytest.raises(ValueError, match="own word analysis"):
        newsim.highlight_shared("alpha beta", "beta gamma", vectorizer=newsim.TfidfVectorizer(
            preprocessor=str.upper))


# -- tables and HTML of results --------------------------------------------------------------

def test_top_k_as_frame_lists_the_neighbours_without_padding():
    X = np.array([[1.0, 0, 0], [1, 1, 0], [0, 0, 1]])
    idx, sc = newsim.top_k(X, k=2)
    f = newsim.top_k(X, k=2, as_frame=True)
    assert list(f.columns) == ["i", "rank", "j", "score"]
    want = [(i, r, int(idx[i, r]), sc[i, r]) for i in range(3) for r in range(2)
            if idx[i, r] >= 0]
    assert list(f.itertuples(index=False, name=None)) == want
    assert 2 not in f.i.tolist()  # row 2 has no neighbour at all


def test_results_show_as_html_and_as_tables():
    corpus = newsim.read_articles([{"id": f"n{i}", "text": t} for i, t in enumerate(TEXTS * 2)])
    r = newsim.clean(["Breaking News\n\nTalks stall\n\nNATO and Russia did not agree on the "
                      "shield, officials said."])
    assert r.to_pandas() is r.audit
    assert "CleanResult(1 articles" in r._repr_html_() and "boilerplate" in r._repr_html_()
    d = newsim.near_duplicates(corpus)
    assert "4 copy" in d._repr_html_() and "<table" in d._repr_html_()
    assert d.to_pandas().groupby("group").size().tolist() == [2, 2, 2, 2]
    s = newsim.cluster_stories(corpus)
    html_text = s._repr_html_()
    assert "StoryResult(8 articles, 2 stories)" in html_text
    assert html_text.count("<tr") == 1 + s.n_stories  # the header and one row a story


def test_highlight_passages_marks_the_shared_passages_in_both_texts():
    quote = ("the minister said the missile shield would cost far more than planned and that "
             "talks would resume in brussels next week after the summit")
    a = "Intro <b>here</b>. " + quote + ". Then other words follow."
    b = "Quote: " + quote.upper() + "! Nothing else."
    s = newsim.highlight_shared(a, b, passages=True)
    assert s.terms == ["passage 1"]
    assert s.marked(0) == [quote] and s.marked(1) == [quote.upper()]
    assert s.passages.longest == 24
    page = s._repr_html_()
    assert "1 shared passages" in page and "&lt;b&gt;here&lt;/b&gt;" in page
    none = newsim.highlight_shared("short text", "other text", passages=True)
    assert none.terms == [] and none.marked(0) == []
    with pytest.raises(ValueError, match="passages=True"):
        newsim.highlight_shared(a, b, terms=["minister"], passages=True)
