"""Texts, ids and times from what users pass to the structure functions (internal)."""

from __future__ import annotations

import datetime as _dt
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np


def _seconds(value: Any, where: str) -> float:
    """Seconds since 1970-01-01 UTC (naive values are taken as UTC; a number is already such
    seconds); NaN for a missing one."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or (
            isinstance(value, str) and not value.strip()):
        return float("nan")
    if isinstance(value, bool):
        raise ValueError(f"{where}: {value!r} is not a date")
    if isinstance(value, (int, float, np.integer, np.floating)):
        if not np.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not a date")
        return float(value)
    import pandas as pd

    if value is pd.NaT:
        return float("nan")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{where}: cannot read {value!r} as a date ({e})") from None
    if ts is pd.NaT:
        return float("nan")
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts.value / 1e9


def _article_seconds(article: Any) -> float:
    d = article.datetime
    if d is None:
        return float("nan")
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.timezone.utc)
    return d.timestamp()


def texts_ids_times(data: Any, dates: Optional[Sequence[Any]], *, documents: bool
                    ) -> Tuple[List[str], Optional[List[str]], Optional[np.ndarray], Any]:
    """(texts, ids or None, seconds or None, corpus or None) for a Corpus, an iterable of str,
    or a pandas Series. ``documents``: a corpus gives its cleaned documents with titles
    (as the vectorizers see it) rather than its texts as they are."""
    from newsim.articles import Corpus

    corpus = None
    ids: Optional[List[str]] = None
    if isinstance(data, Corpus):
        corpus = data
        texts = data.documents() if documents else data.texts
        ids = data.ids
    elif isinstance(data, str):
        raise TypeError("expected a Corpus or an iterable of texts, not a single str")
    else:
        texts = list(data)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"document {i} is a {type(t).__name__}, not a str")
    times: Optional[np.ndarray] = None
    if dates is not None:
        if isinstance(dates, str):
            raise TypeError("dates must be a sequence with one date per article")
        dates = list(dates)
        if len(dates) != len(texts):
            raise ValueError(f"dates has {len(dates)} entries for {len(texts)} articles")
        times = np.array([_seconds(d, f"dates[{i}]") for i, d in enumerate(dates)], dtype=float)
    elif corpus is not None:
        t = np.array([_article_seconds(a) for a in corpus], dtype=float)
        times = None if np.isnan(t).all() else t
    return texts, ids, times, corpus


def to_datetimes(seconds: np.ndarray) -> Any:
    """UTC pandas timestamps (NaT for NaN)."""
    import pandas as pd

    return pd.to_datetime(seconds, unit="s", utc=True)


def window_seconds(window: Any) -> float:
    """A time window as seconds: a number of days, a timedelta, or a pandas offset string such
    as "7D"; None or 0 for no window."""
    if window is None:
        return 0.0
    if isinstance(window, bool):
        raise TypeError("time_window must be days, a timedelta or a string such as '7D'")
    if isinstance(window, (int, float, np.integer, np.floating)):
        if not np.isfinite(window) or window < 0:
            raise ValueError(f"time_window must be a finite number of days >= 0; got {window!r}")
        return float(window) * 86400.0
    import pandas as pd

    try:
        td = pd.Timedelta(window)
    except (ValueError, TypeError) as e:
        raise ValueError(f"time_window: cannot read {window!r} as a duration ({e})") from None
    if td < pd.Timedelta(0):
        raise ValueError(f"time_window must not be negative; got {window!r}")
    return td.total_seconds()
