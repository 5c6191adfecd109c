"""Texts, ids and times from what users pass to the structure functions (internal)."""

from __future__ import annotations

import datetime as _dt
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
# Python's datetime range (years 1 to 9999, UTC) as seconds since 1970: what results can show.
_MIN_SECONDS = (_dt.datetime.min.replace(tzinfo=_dt.timezone.utc) - _EPOCH).total_seconds()
_MAX_SECONDS = (_dt.datetime.max.replace(tzinfo=_dt.timezone.utc) - _EPOCH).total_seconds()
# pandas' nanosecond timestamps: 1677-09-21 to 2262-04-11.
_PD_MIN_SECONDS = -9223372036.0
_PD_MAX_SECONDS = 9223372036.0


def _in_range(seconds: float, where: str, value: Any) -> float:
    if not _MIN_SECONDS <= seconds <= _MAX_SECONDS:
        raise ValueError(f"{where}: {value!r} is outside the years 1 to 9999 in UTC")
    return seconds


def _seconds(value: Any, where: str) -> float:
    """Seconds since 1970-01-01 UTC (naive values are taken as UTC; a number is already such
    seconds); NaN for a missing one. Text, and dates as their ISO text, are read by the
    core (``parse_date_text``: ISO 8601 or forms such as "May 1, 2024", any year from 1 to 9999)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or (
            isinstance(value, str) and not value.strip()):
        return float("nan")
    if isinstance(value, bool):
        raise ValueError(f"{where}: {value!r} is not a date")
    if isinstance(value, (int, float, np.integer, np.floating)):
        if not np.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not a date")
        return _in_range(float(value), where, value)
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return float("nan")
        value = str(value)
    elif not isinstance(value, str):
        if value.__class__.__name__ == "NaTType":  # pandas' NaT
            return float("nan")
        if not hasattr(value, "isoformat"):
            raise ValueError(f"{where}: cannot read {value!r} as a date")
        value = value.isoformat()
    from newsim import _core

    try:
        return _core._date_seconds(value)
    except ValueError as e:
        raise ValueError(f"{where}: {e}") from None


def texts_ids_times(data: Any, dates: Optional[Sequence[Any]], *, documents: bool
                    ) -> Tuple[Any, Optional[List[str]], Optional[np.ndarray], Any]:
    """(texts, ids or None, seconds or None, corpus or None) for a Corpus, an iterable of str,
    or a pandas Series. ``documents``: a corpus gives its cleaned documents with titles
    (as the vectorizers see it) rather than its texts as they are. Without ``documents`` a
    corpus's texts come as its core object, a sized sequence that the core reads in place (no
    Python str is made per article)."""
    from newsim.articles import Corpus

    corpus = None
    ids: Optional[List[str]] = None
    if isinstance(data, Corpus):
        corpus = data
        texts = data.documents() if documents else data._core
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
        t = np.asarray(corpus._core.seconds(), dtype=float)
        times = None if np.isnan(t).all() else t
    return texts, ids, times, corpus


def to_datetimes(seconds: np.ndarray) -> Any:
    """UTC pandas timestamps (NaT for NaN). Dates outside pandas' range (1677 to 2262, e.g. the
    year 204 of an archive) come as an object Index of aware ``datetime.datetime`` instead."""
    import pandas as pd

    seconds = np.asarray(seconds, dtype=float)
    known = seconds[~np.isnan(seconds)]
    if not len(known) or (known.min() >= _PD_MIN_SECONDS and known.max() <= _PD_MAX_SECONDS):
        return pd.to_datetime(seconds, unit="s", utc=True)
    return pd.Index([pd.NaT if np.isnan(s) else _EPOCH + _dt.timedelta(seconds=float(s))
                     for s in seconds], dtype=object)


def window_seconds(window: Any) -> float:
    """A time window as seconds: a number of days, a timedelta, or a pandas offset string such
    as "7D"; None or 0 for no window. A window longer than the years 1 to 9999 (1e308 days)
    is that span: every pair of dates is within it."""
    if window is None:
        return 0.0
    if isinstance(window, bool):
        raise TypeError("time_window must be days, a timedelta or a string such as '7D'")
    if isinstance(window, (int, float, np.integer, np.floating)):
        if not np.isfinite(window) or window < 0:
            raise ValueError(f"time_window must be a finite number of days >= 0; got {window!r}")
        return min(float(window) * 86400.0, _MAX_SECONDS - _MIN_SECONDS)
    if isinstance(window, _dt.timedelta):  # pandas' Timedelta too
        seconds = window.total_seconds()
    else:
        import pandas as pd

        try:
            seconds = pd.Timedelta(window).total_seconds()
        except OverflowError:
            raise ValueError(
                f"time_window: {window!r} is longer than pandas' durations (about 292 years); "
                "give it as a number of days instead") from None
        except (ValueError, TypeError) as e:
            raise ValueError(f"time_window: cannot read {window!r} as a duration ({e})") from None
    if seconds != seconds:  # NaT
        raise ValueError(f"time_window: {window!r} is not a duration")
    if seconds < 0:
        raise ValueError(f"time_window must not be negative; got {window!r}")
    return min(seconds, _MAX_SECONDS - _MIN_SECONDS)
