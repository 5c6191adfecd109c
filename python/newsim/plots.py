"""Notebook helpers: a similarity heatmap, a story timeline and shared terms highlighted.

The plotting functions return a ``matplotlib.figure.Figure`` (made without pyplot, so nothing
is shown twice and no figure is left open: the notebook shows the one a cell returns) or draw
into the ``ax`` they are given. matplotlib is imported on first use only.

    >>> shared = highlight_shared("Russia warns NATO over missile defence.",
    ...                           "NATO and Russia: missile defence talks stall.")
    >>> shared.terms
    ['defence', 'missile', 'nato', 'russia']
    >>> "<mark" in shared._repr_html_()
    True
"""

from __future__ import annotations

import html
import numbers
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import scipy.sparse as sp

__all__ = ["plot_similarity", "plot_stories", "highlight_shared", "SharedTerms"]


def _shorten(label: Any, width: int) -> str:
    """A one-line label of at most ``width`` characters (an ellipsis marks a cut)."""
    s = " ".join(str(label).split())
    if width > 0 and len(s) > width:
        return s[:max(width - 1, 1)].rstrip() + "\u2026"
    return s


def _new_axes(ax: Any, size: Tuple[float, float]) -> Tuple[Any, Any]:
    """(figure, axes): ``ax``'s own, or a new pyplot-free Figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _labels_of(labels: Any) -> Optional[List[str]]:
    """Labels as strings; a Corpus gives its titles (its ids where a title is empty)."""
    if labels is None:
        return None
    from newsim.articles import Corpus

    if isinstance(labels, Corpus):
        return [t or i for t, i in zip(labels.titles, labels.ids)]
    if isinstance(labels, str):
        raise TypeError("labels must be a sequence of labels (or a Corpus), not a str")
    return [str(x) for x in labels]


def plot_similarity(data: Any, labels: Any = None, *, ax: Any = None, metric: str = "cosine",
                    max_label: int = 40, annotate: Optional[bool] = None,
                    vmax: Optional[float] = None, cmap: str = "viridis",
                    max_rows: int = 100) -> Any:
    """A heatmap of the similarities between articles, labelled by (shortened) titles.

    ``data`` is one of: a sparse matrix of term vectors (rows are articles; the scores are
    ``newsim.pairwise(X, metric=metric)``); a DataFrame of scores, as ``pairwise`` gives,
    labelled by its index and columns; a dense array of scores; a fitted ``SimilarityIndex``
    (labelled by its titles or ids). ``labels`` (a list, or a Corpus for its titles) labels
    the rows, and the columns too when the matrix is square. Labels longer than
    ``max_label`` characters are cut. Cells show their value when ``annotate`` (default: at
    most 12 x 12 cells). The colour scale runs from 0 to ``vmax`` (default: the largest score
    off the diagonal, so that self-similarity does not wash the rest out). More than
    ``max_rows`` rows or columns raise ValueError: pick the articles first (``X[rows]``).

    Returns the matplotlib Figure (the one of ``ax`` when given).

    >>> import newsim
    >>> X = newsim.TfidfVectorizer().fit_transform(["NATO and Russia", "Russia talks",
    ...                                             "Football results"])
    >>> fig = plot_similarity(X, labels=["a", "b", "c"])
    >>> fig.axes[0].images[0].get_array().shape
    (3, 3)
    """
    import pandas as pd

    from newsim.similarity import SimilarityIndex, pairwise

    row_labels: Optional[List[str]] = None
    col_labels: Optional[List[str]] = None
    if isinstance(data, SimilarityIndex):
        n = len(data)
        _check_rows(n, n, max_rows)
        frame = data.pairwise()
        S = frame.to_numpy(dtype=float)
        names = data.titles_ if data.titles_ is not None else data.ids_
        row_labels = col_labels = [str(x) for x in names]
    elif isinstance(data, pd.DataFrame):
        _check_rows(data.shape[0], data.shape[1], max_rows)
        S = data.to_numpy(dtype=float)
        row_labels = [str(x) for x in data.index]
        col_labels = [str(x) for x in data.columns]
    elif sp.issparse(data):
        _check_rows(data.shape[0], data.shape[0], max_rows)
        S = pairwise(data, metric=metric).to_numpy(dtype=float)
    else:
        S = np.asarray(data, dtype=float)
        if S.ndim != 2:
            raise ValueError(f"expected a 2-D matrix of scores; got shape {S.shape}")
        _check_rows(S.shape[0], S.shape[1], max_rows)
    n, m = S.shape
    given = _labels_of(labels)
    if given is not None:
        if len(given) != n:
            raise ValueError(f"{len(given)} labels for {n} rows")
        row_labels = given
        if n == m:
            col_labels = given
    if row_labels is None:
        row_labels = [str(i) for i in range(n)]
    if col_labels is None:
        col_labels = [str(j) for j in range(m)]

    if vmax is None:
        off = S.copy()
        if n == m:
            np.fill_diagonal(off, np.nan)
        finite = off[np.isfinite(off)]
        vmax = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    xnames = [_shorten(x, max_label) for x in col_labels]
    ynames = [_shorten(x, max_label) for x in row_labels]
    cell = 0.6 if max(n, m) <= 12 else max(0.15, 7.0 / max(n, m))
    longest_x = max((len(x) for x in xnames), default=1)
    longest_y = max((len(y) for y in ynames), default=1)
    size = (min(0.075 * longest_y + cell * m + 2.0, 20.0),
            min(0.055 * longest_x + cell * n + 1.0, 20.0))
    fig, ax = _new_axes(ax, size)
    image = ax.imshow(S, cmap=cmap, vmin=0.0, vmax=vmax, aspect="auto",
                      interpolation="nearest")
    fig.colorbar(image, ax=ax, label=f"{metric} similarity", shrink=0.8)
    ax.set_xticks(range(m), xnames, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(n), ynames)
    if annotate is None:
        annotate = n <= 12 and m <= 12
    if annotate:
        for i in range(n):
            for j in range(m):
                light = S[i, j] < 0.6 * vmax
                ax.text(j, i, f"{S[i, j]:.2f}", ha="center", va="center", fontsize=8,
                        color="white" if light else "black")
    return fig


def _check_rows(n: int, m: int, max_rows: int) -> None:
    if max(n, m) > max_rows:
        raise ValueError(f"a heatmap of {n} x {m} articles is unreadable (max_rows={max_rows}); "
                         "pick the articles to show first, e.g. X[rows] or frame.iloc[rows]")


def plot_stories(stories: Any, *, dates: Optional[Sequence[Any]] = None, top: int = 20,
                 ax: Any = None, max_label: int = 50) -> Any:
    """A timeline of stories, one row per story (the largest at the top).

    ``stories`` is a ``StoryResult`` or its ``stories`` table (columns story, size, title,
    first_date, last_date, members). With ``dates`` (one per article: ISO text, datetimes or
    timestamps; None where unknown) every member is a dot at its date; otherwise each story
    is a bar from its first to its last date; when the stories have no dates at all, the x
    axis is the articles' positions in the collection and every member a dot. Rows are
    labelled "title (size)"; ``top`` stories are shown.

    Returns the matplotlib Figure (the one of ``ax`` when given).

    >>> import newsim
    >>> r = newsim.cluster_stories(["Russia warns NATO over missile shield in Poland",
    ...                             "NATO missile shield in Poland angers Russia",
    ...                             "Floods hit the north of England after heavy rain",
    ...                             "Heavy rain brings floods to the north of England"])
    >>> fig = plot_stories(r)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['Russia warns NATO over missile shield in Poland (2)', 'Floods hit the north of England after heavy rain (2)']
    """
    import pandas as pd

    from newsim.stories import StoryResult

    table = stories.stories if isinstance(stories, StoryResult) else stories
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected a StoryResult or its stories DataFrame, not "
                        f"{type(stories).__name__}")
    missing = {"size", "title", "members"} - set(table.columns)
    if missing:
        raise ValueError(f"the story table lacks columns {sorted(missing)}")
    if isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 1:
        raise ValueError(f"top must be an int >= 1; got {top!r}")
    rows = table.head(int(top))
    k = len(rows)
    fig, ax = _new_axes(ax, (10.0, 0.35 * max(k, 1) + 1.5))
    if k == 0:
        ax.text(0.5, 0.5, "no stories", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig

    sizes = rows["size"].to_numpy(dtype=float)
    area = 15.0 + 60.0 * sizes / sizes.max()
    member_times = None
    if dates is not None:
        member_times = pd.to_datetime(pd.Series(list(dates), dtype=object), utc=True,
                                      errors="coerce")
    has_span = ("first_date" in rows.columns and "last_date" in rows.columns
                and rows["first_date"].notna().any())
    import matplotlib.dates as mdates

    for y, (_, row) in enumerate(rows.iterrows()):
        members = [int(m) for m in row["members"]]
        colour = f"C{y % 10}"
        if member_times is not None:
            bad = [m for m in members if m >= len(member_times)]
            if bad:
                raise ValueError(f"{len(member_times)} dates, but story {row.get('story', y)} "
                                 f"has article {bad[0]}")
            when = member_times.iloc[members].dropna()
            x = mdates.date2num(when.dt.tz_convert(None).to_numpy())
        elif has_span:
            ends = pd.to_datetime(pd.Series([row["first_date"], row["last_date"]]), utc=True)
            x = mdates.date2num(ends.dropna().dt.tz_convert(None).to_numpy())
        else:
            x = np.asarray(members, dtype=float)
        if len(x):
            ax.hlines(y, x.min(), x.max(), color=colour, linewidth=2, alpha=0.5)
            ax.scatter(x, np.full(len(x), y), s=area[y] if has_span and member_times is None
                       else 18, color=colour, zorder=3)
    labels = [f"{_shorten(t, max_label)} ({int(s)})" for t, s in zip(rows["title"], sizes)]
    ax.set_yticks(range(k), labels)
    ax.set_ylim(k - 0.5, -0.5)
    if member_times is not None or has_span:
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_xlabel("date (UTC)")
    else:
        ax.set_xlabel("article position")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"{k} largest of {len(table)} stories" if len(table) > k else
                 f"{k} stories")
    return fig


class SharedTerms:
    """Two texts with the terms they share marked; shown as HTML in a notebook.

    ``terms``: the shared terms (by descending contribution when they come from
    ``explain``); ``explanation``: the rows of ``newsim.explain`` for them (None when the
    terms were given); ``similarity``: the score of the pair (None when the terms were
    given); ``spans``: for each text, the (start, end, term) of every marked word.
    ``to_pandas()`` gives the explanation (or the terms), ``_repr_html_()`` the display.
    """

    def __init__(self, texts: Tuple[str, str], titles: Tuple[str, str], terms: List[str],
                 spans: Tuple[List[Tuple[int, int, str]], List[Tuple[int, int, str]]],
                 explanation: Any = None, similarity: Optional[float] = None) -> None:
        self.texts = texts
        self.titles = titles
        self.terms = terms
        self.spans = spans
        self.explanation = explanation
        self.similarity = similarity
        self.passages: Any = None  # the SharedPassages, when passages were marked

    def marked(self, side: int = 0) -> List[str]:
        """The marked words of text 0 or 1, as they are written there.

        >>> highlight_shared("Russia talks", "talks in Moscow").marked(0)
        ['talks']
        """
        text = self.texts[side]
        return [text[a:b] for a, b, _ in self.spans[side]]

    def to_pandas(self) -> Any:
        """The explanation of the shared terms, or a one-column frame of the given terms."""
        import pandas as pd

        if self.explanation is not None:
            return self.explanation
        return pd.DataFrame({"term": self.terms})

    def _weights(self) -> Dict[str, float]:
        if self.explanation is None or not len(self.explanation):
            return {t: 1.0 for t in self.terms}
        c = self.explanation.set_index("term")["contribution"].astype(float)
        top = float(c.max()) or 1.0
        return {str(t): float(v) / top for t, v in c.items()}

    def _side_html(self, side: int) -> str:
        text = self.texts[side]
        weights = self._weights()
        out: List[str] = []
        at = 0
        for a, b, term in self.spans[side]:
            out.append(html.escape(text[at:a]))
            alpha = 0.25 + 0.75 * weights.get(term, 1.0)
            out.append(f'<mark title="{html.escape(term)}" style="background: rgba(255, 196, 0, '
                       f'{alpha:.2f}); padding: 0 1px">{html.escape(text[a:b])}</mark>')
            at = b
        out.append(html.escape(text[at:]))
        body = "".join(out).replace("\n", "<br>\n")
        title = self.titles[side]
        head = f"<h4 style='margin: 0 0 .4em 0'>{html.escape(title)}</h4>" if title else ""
        return (f"<div style='flex: 1; min-width: 0; padding: .5em; border: 1px solid #ddd; "
                f"max-height: 32em; overflow: auto'>{head}{body}</div>")

    def _repr_html_(self) -> str:
        score = "" if self.similarity is None else f"similarity {self.similarity:.3f}; "
        terms = ", ".join(html.escape(t) for t in self.terms)
        if self.passages is not None:
            terms = (f"covering {self.passages.a_coverage:.0%} and {self.passages.b_coverage:.0%}"
                     f" of the texts")
        kind = "passages" if self.passages is not None else "terms"
        return (f"<div><p>{score}{len(self.terms)} shared {kind}: {terms}</p>"
                f"<div style='display: flex; gap: 1em'>{self._side_html(0)}"
                f"{self._side_html(1)}</div></div>")

    def __repr__(self) -> str:
        score = "" if self.similarity is None else f"similarity={self.similarity:.3f}, "
        shown = self.terms[:8] + (["..."] if len(self.terms) > 8 else [])
        return f"SharedTerms({score}terms={shown})"


def _text_and_title(x: Any, name: str) -> Tuple[str, str, str]:
    """(text shown, title shown, document vectorized) of a str or an Article."""
    from newsim.articles import Article

    if isinstance(x, Article):
        doc = f"{x.title}\n{x.text}" if x.title else x.text
        return x.text, x.title, doc
    if not isinstance(x, str):
        raise TypeError(f"{name} must be a str or an Article, not {type(x).__name__}")
    return x, "", x


def _is_fitted(vectorizer: Any) -> bool:
    try:
        vectorizer.get_feature_names_out()
    except Exception:  # noqa: BLE001 - any vectorizer says "not fitted" its own way
        return False
    return True


def highlight_shared(text_a: Any, text_b: Any, terms: Optional[Sequence[str]] = None, *,
                     vectorizer: Any = None, top: Optional[int] = None,
                     max_chars: Optional[int] = None, passages: bool = False) -> SharedTerms:
    """Two articles side by side with the terms they share marked (``<mark>``), as HTML.

    ``text_a`` and ``text_b`` are strings or Articles (shown under their titles; the title
    counts as text). The terms are ``terms`` when given, else the shared terms of
    ``newsim.explain`` (the ``top`` strongest, default all) on the vectors of
    ``vectorizer``: a fitted vectorizer transforms the two texts, an unfitted one (default a
    ``TfidfVectorizer(stop_words="english")``) is fitted on a copy on the two of them. The
    marks are darker for terms that add more to the similarity. Words are found by the
    vectorizer's own analyzer (``Analyzer.spans``), so what is marked is what was counted; a
    term of several words (n-grams) marks each word of every run of them. ``max_chars`` cuts each text shown.
    Everything else is HTML-escaped.

    With ``passages=True`` the passages the texts share (:func:`newsim.shared_passages` on the
    texts shown) are marked instead of terms, named "passage 1", "passage 2", ... in the order
    of the first text; the result's ``passages`` holds them.

    >>> s = highlight_shared("Talks <b>stall</b> on missile defence", "Missile talks resume",
    ...                      terms=["missile", "talks"])
    >>> s.marked(0), s.marked(1)
    (['Talks', 'missile'], ['Missile', 'talks'])
    >>> "&lt;b&gt;stall&lt;/b&gt;" in s._repr_html_()
    True
    """
    from newsim.similarity import explain
    from newsim.text import TfidfVectorizer

    shown_a, title_a, doc_a = _text_and_title(text_a, "text_a")
    shown_b, title_b, doc_b = _text_and_title(text_b, "text_b")
    if max_chars is not None:
        if isinstance(max_chars, bool) or not isinstance(max_chars, numbers.Integral) or \
                max_chars < 1:
            raise ValueError(f"max_chars must be an int >= 1; got {max_chars!r}")
        shown_a, shown_b = (s if len(s) <= max_chars else s[:max_chars].rstrip() + " \u2026"
                            for s in (shown_a, shown_b))
    if passages:
        if terms is not None or vectorizer is not None:
            raise ValueError("passages=True marks shared passages: give no terms or vectorizer")
        from newsim.text_reuse import shared_passages

        sp = shared_passages(shown_a, shown_b)
        names = [f"passage {i + 1}" for i in range(len(sp))]
        p = sp.passages
        side_a = list(zip(p["a_begin"].tolist(), p["a_end"].tolist(), names))
        side_b = sorted(zip(p["b_begin"].tolist(), p["b_end"].tolist(), names))
        result = SharedTerms((shown_a, shown_b), (title_a, title_b), names,
                             (_no_overlap(side_a), _no_overlap(side_b)))
        result.passages = sp
        return result
    v = vectorizer if vectorizer is not None else TfidfVectorizer(stop_words="english")
    if getattr(v, "analyzer", "word") != "word":
        raise ValueError("highlighting needs a word analyzer (analyzer='word')")
    explanation = None
    similarity = None
    if terms is None:
        if _is_fitted(v):
            X = v.transform([doc_a, doc_b])
        else:
            if vectorizer is not None:  # fit a copy: the caller's vectorizer stays unfitted
                v = type(v)(**v.get_params())
            X = v.fit_transform([doc_a, doc_b])
        e = explain(X, 0, 1, feature_names=v, top=top)
        explanation = e[e["kind"] == "shared"].reset_index(drop=True)
        explanation.attrs = dict(e.attrs)
        similarity = float(e.attrs["similarity"])
        chosen = [str(t) for t in explanation["term"]]
    else:
        if isinstance(terms, str):
            raise TypeError("terms must be a list of terms, not a str")
        chosen = [str(t) for t in terms]
    if terms is not None and vectorizer is None:
        # Given terms without a vectorizer are matched as written (stop words too).
        longest = max((len(t.split(" ")) for t in chosen), default=1)
        v = TfidfVectorizer(ngram_range=(1, longest))
    spans = (_find(shown_a, chosen, v), _find(shown_b, chosen, v))
    return SharedTerms((shown_a, shown_b), (title_a, title_b), chosen, spans, explanation,
                       similarity)


def _no_overlap(spans: List[Tuple[int, int, str]]) -> List[Tuple[int, int, str]]:
    """Spans by start, each cut where an earlier one reaches."""
    out: List[Tuple[int, int, str]] = []
    for a, b, name in sorted(spans):
        a = max(a, out[-1][1]) if out else a
        if a < b:
            out.append((a, b, name))
    return out


def _find(text: str, terms: List[str], vectorizer: Any) -> List[Tuple[int, int, str]]:
    """(start, end, term) of each word of ``text`` that is, or is part of, one of the terms, as
    the vectorizer's own analyzer found them (``Analyzer.spans``)."""
    from newsim import _core

    if getattr(vectorizer, "_mode", lambda: None)() != "core":
        raise ValueError("highlighting needs newsim's own word analysis: a CountVectorizer or "
                         "TfidfVectorizer without a callable preprocessor, tokenizer or analyzer")
    words, occurrences = _core.Analyzer(**vectorizer._analysis_kwargs("core")).spans(text)
    wanted = set(terms)
    marks: Dict[int, str] = {}
    for term, first, n in occurrences:
        if term in wanted:
            for k in range(first, first + n):
                # A word keeps the longest term it belongs to.
                if k not in marks or len(marks[k]) < len(term):
                    marks[k] = term
    return [(words[k][0], words[k][1], marks[k]) for k in sorted(marks)]
