"""Articles in, junk out: the article model, readers and audited boilerplate cleaning.

    >>> corpus = read_articles([{"id": "a", "title": "Talks", "text": "NATO met Russia."},
    ...                         "A second article, read from a plain string."])
    >>> len(corpus), corpus["a"].title, corpus[1].id
    (2, 'Talks', '1')
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional,
                    Sequence, Tuple, Union)

from newsim import _core
from newsim._base import _n_jobs

__all__ = ["Article", "Corpus", "CleanResult", "read_articles", "iter_articles", "clean",
           "clean_statistics"]

_FIELDS = ("id", "title", "text", "source", "date", "url")
_ERRORS = ("raise", "skip", "report")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".json.gz")


@dataclass(frozen=True)
class Article:
    """One news article. ``date`` is ISO 8601 text (naive or with an offset); ``meta`` holds
    anything else (JSON-compatible values)."""

    id: str
    text: str = ""
    title: str = ""
    source: str = ""
    date: str = ""
    url: str = ""
    meta: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in _FIELDS:
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"Article.{name} must be a str, not {type(getattr(self, name)).__name__}")
        if not self.id:
            raise ValueError("an article needs a non-empty id")
        if not isinstance(self.meta, Mapping):
            raise TypeError("Article.meta must be a mapping")

    @property
    def datetime(self) -> Any:
        """The date as a ``datetime.datetime`` (aware when it has an offset), or None."""
        if not self.date:
            return None
        import datetime as dt

        y, mo, d, h, mi, s, us, _, offset = _core._parse_date(self.date)
        tz = None if offset is None else dt.timezone(dt.timedelta(minutes=offset))
        return dt.datetime(y, mo, d, h, mi, s, us, tzinfo=tz)

    def _to_core(self) -> Any:
        try:
            meta = json.dumps(dict(self.meta), ensure_ascii=False)
        except TypeError as e:
            raise TypeError(f"article {self.id!r}: meta must be JSON-compatible ({e})") from None
        return _core._Article(self.id, self.title, self.text, self.source, self.date, self.url,
                              meta)

    @classmethod
    def _from_core(cls, a: Any) -> "Article":
        return cls(id=a.id, text=a.text, title=a.title, source=a.source, date=a.date, url=a.url,
                   meta=json.loads(a.meta))


class Corpus:
    """An ordered collection of articles with unique ids.

    ``corpus[i]`` (an int), ``corpus[id]`` (a str) and ``corpus.get(id)`` give an Article;
    ``corpus[a:b]`` and ``corpus.filter(pred)`` give a Corpus. ``len``, iteration, ``in`` (ids),
    ``to_pandas()`` and ``Corpus.from_pandas(df)`` work as expected. ``skipped`` and ``issues``
    tell what a reader left out and why; ``bad_dates`` counts the articles a reader kept without
    their malformed date (the text is in ``meta["date_raw"]``), ``first_bad_date`` says where the
    first one was.
    """

    def __init__(self, articles: Iterable[Union[Article, Mapping[str, Any]]] = (), *,
                 cleaned: bool = False) -> None:
        self._core = _core._Corpus()
        self.cleaned = cleaned
        self.skipped = 0
        self.issues: List[Tuple[str, int, str]] = []
        self.bad_dates = 0
        self.first_bad_date = ""
        for a in articles:
            self.append(a)

    @classmethod
    def _wrap(cls, core: Any, cleaned: bool = False) -> "Corpus":
        c = cls.__new__(cls)
        c._core = core
        c.cleaned = cleaned
        c.skipped = 0
        c.issues = []
        c.bad_dates = 0
        c.first_bad_date = ""
        return c

    def append(self, article: Union[Article, Mapping[str, Any]]) -> None:
        """Adds an article (or a dict with its fields); ValueError for a duplicate id."""
        if isinstance(article, Article):
            self._core.add(article._to_core())
            return
        one = _from_records([article], _field_names(None), "raise", "input", first=len(self))
        self._core.add(one._core.at(0))
        if one.bad_dates:
            self.bad_dates += 1
            self.first_bad_date = self.first_bad_date or one.first_bad_date

    def __len__(self) -> int:
        return len(self._core)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step > 0:
                return Corpus._wrap(self._core.slice(start, max(start, stop), step), self.cleaned)
            return Corpus._wrap(self._core.take(list(range(start, stop, step))), self.cleaned)
        if isinstance(key, str):
            return Article._from_core(self._core.by_id(key))
        if isinstance(key, bool) or not hasattr(key, "__index__"):
            raise TypeError(f"corpus indices are ints, slices or id strings, not {type(key).__name__}")
        i = key.__index__()
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise _core.IndexOutOfRangeError(f"article {key} of a corpus of {n}")
        return Article._from_core(self._core.at(i))

    def get(self, article_id: str, default: Any = None) -> Any:
        i = self._core.find(article_id)
        return default if i < 0 else Article._from_core(self._core.at(i))

    def position(self, article_id: str) -> int:
        """The position of an id; KeyError when absent."""
        i = self._core.find(article_id)
        if i < 0:
            raise _core.KeyNotFoundError(f"no article with id {article_id!r}")
        return i

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self._core.find(article_id) >= 0

    def __iter__(self) -> Iterator[Article]:
        for i in range(len(self)):
            yield Article._from_core(self._core.at(i))

    def filter(self, keep: Callable[[Article], bool]) -> "Corpus":
        """The articles for which keep(article) is true, in order."""
        return Corpus._wrap(self._core.take([i for i, a in enumerate(self) if keep(a)]),
                            self.cleaned)

    @property
    def ids(self) -> List[str]:
        return self._core.column("id")

    @property
    def texts(self) -> List[str]:
        return self._core.texts()

    @property
    def titles(self) -> List[str]:
        return self._core.column("title")

    def documents(self, title_weight: int = 1) -> List[str]:
        """The texts to vectorize: the title repeated ``title_weight`` times, then the text
        (cleaned first, unless this corpus came from ``clean``)."""
        if isinstance(title_weight, bool) or not isinstance(title_weight, int):
            raise ValueError(f"title_weight must be an int >= 0; got {title_weight!r}")
        return _core._documents(self._core, title_weight, not self.cleaned)

    def to_pandas(self) -> Any:
        """A DataFrame with columns id, title, text, source, date, url, meta (dicts)."""
        import pandas as pd

        cols = {name: self._core.column(name) for name in _FIELDS}
        cols["meta"] = [json.loads(m) for m in self._core.column("meta")]
        return pd.DataFrame(cols)

    @classmethod
    def from_pandas(cls, frame: Any, *, fields: Optional[Mapping[str, str]] = None,
                    errors: str = "raise") -> "Corpus":
        """A corpus from a DataFrame: columns named as the Article fields (or mapped by
        ``fields``, e.g. ``{"text": "body"}``); other columns go to meta. Without an id column
        the row labels are the ids."""
        return _from_frame(frame, _field_names(fields), errors)

    def __repr__(self) -> str:
        state = ", cleaned" if self.cleaned else ""
        return f"Corpus({len(self)} articles{state})"

    def __getstate__(self) -> Dict[str, Any]:
        return {"articles": self._core, "cleaned": self.cleaned, "skipped": self.skipped,
                "issues": self.issues, "bad_dates": self.bad_dates,
                "first_bad_date": self.first_bad_date}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self._core = state["articles"]
        self.cleaned = state["cleaned"]
        self.skipped = state["skipped"]
        self.issues = state["issues"]
        self.bad_dates = state.get("bad_dates", 0)
        self.first_bad_date = state.get("first_bad_date", "")


def _field_names(fields: Optional[Mapping[str, str]]) -> Dict[str, str]:
    names = {f: f for f in _FIELDS}
    for k, v in (fields or {}).items():
        if k not in names:
            raise ValueError(f"unknown article field {k!r}; fields are {list(_FIELDS)}")
        names[k] = v
    return names


def _missing(v: Any) -> bool:
    """None, NaN, pandas' NaT and NA."""
    if v is None:
        return True
    if isinstance(v, float):
        return v != v
    try:
        import pandas as pd

        return v is pd.NaT or v is pd.NA
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False


_JSON_TYPES = (str, int, float, bool, list, tuple, dict)


def _from_frame(frame: Any, names: Mapping[str, str], errors: str, first: int = 0) -> Corpus:
    """A DataFrame's rows as a corpus (rows numbered from ``first``); without an id column
    the row labels are the ids."""
    if names["text"] not in frame.columns:
        raise ValueError(f"the DataFrame has no text column {names['text']!r} "
                         f"(columns: {list(frame.columns)})")
    records = frame.to_dict("records")
    if names["id"] not in frame.columns:
        for r, label in zip(records, frame.index):
            r[names["id"]] = str(label)
    return _from_records(records, names, errors, "DataFrame", row_word="row", first=first)


def _record_json(record: Any, names: Mapping[str, str]) -> str:
    """A dict or str record as the JSON object the core reads (``_core._read_records`` applies
    the record rules). Python's values that JSON lacks are converted here: missing values
    (None, NaN, NaT, NA) become null, dates their ISO text, numpy scalars numbers, and other
    values outside the article fields their ``str``. TypeError for a record that is neither
    a dict nor a str, or a field value with no JSON form."""
    if isinstance(record, str):
        return json.dumps({names["text"]: record}, ensure_ascii=False)
    if not isinstance(record, Mapping):
        raise TypeError(f"expected a dict or a str, not {type(record).__name__}")
    fields = set(names.values())
    out = {}
    for key, v in record.items():
        if _missing(v):
            v = None
        elif hasattr(v, "isoformat") and not isinstance(v, str):
            v = v.isoformat()
        elif hasattr(v, "item") and not isinstance(v, _JSON_TYPES):  # a numpy scalar
            v = v.item()
        if key in fields and v is not None and not isinstance(v, _JSON_TYPES):
            raise TypeError(f"field {key!r} must be a string or a number, not {type(v).__name__}")
        out[str(key)] = v
    try:
        return json.dumps(out, ensure_ascii=False, default=str)
    except ValueError as e:  # a container that holds itself
        raise TypeError(f"not JSON-compatible ({e})") from None


def _from_records(records: Iterable[Any], names: Mapping[str, str], errors: str, where: str,
                  row_word: str = "item", first: int = 0) -> Corpus:
    """Records (dicts or strings) as a corpus, numbered (and given default ids) from
    ``first``; the core applies the record rules and ``errors``."""
    if errors not in _ERRORS:
        raise ValueError(f"errors must be one of {_ERRORS}; got {errors!r}")
    items = []
    for n, record in enumerate(records, first):
        try:
            items.append((n, str(n), _record_json(record, names), None))
        except TypeError as e:
            if errors == "raise":  # after any earlier malformed record, which comes first
                _core._read_records(items, _core_fields(names), errors, where, row_word)
                raise TypeError(f"{where}, {row_word} {n}: {e}") from None
            items.append((n, str(n), None, str(e)))
    return _read_result(_core._read_records(items, _core_fields(names), errors, where, row_word))


def _read_result(read: Tuple[Any, int, list, int, str]) -> Corpus:
    core, skipped, issues, bad_dates, first_bad_date = read
    corpus = Corpus._wrap(core)
    corpus.skipped = skipped
    corpus.issues = [tuple(i) for i in issues]
    corpus.bad_dates, corpus.first_bad_date = bad_dates, first_bad_date
    return corpus


def _warn_bad_dates(read: Any, errors: str) -> None:
    """One warning for the bad dates a read repaired, under errors="raise" (with "report" each
    is listed in the issues; "skip" is silent)."""
    if read.bad_dates and errors == "raise":
        import warnings

        warnings.warn(f"{read.bad_dates} article(s) kept without their date, which is not ISO "
                      f"8601 (the text is in meta['date_raw']); the first: {read.first_bad_date}",
                      stacklevel=3)


def read_articles(source: Any, *, format: Optional[str] = None,
                  fields: Optional[Mapping[str, str]] = None, errors: str = "raise",
                  detect_titles: bool = True, max_line_bytes: int = 64 << 20) -> Corpus:
    """Reads articles from ``source``:

    - a folder of ``.txt`` files (id = file name without .txt; titles detected as cleaning
      detects them, the text left as it is);
    - a JSON-lines file, plain or ``.gz`` (one object per line; ``fields`` maps article
      fields to other names, e.g. ``{"text": "body"}``; other keys go to ``meta``);
    - a CSV file (``.csv`` or ``.csv.gz``; columns as for JSON lines);
    - a pandas DataFrame, or an iterable of dicts or of strings (ids are then positions).

    ``format`` ("folder", "jsonl", "csv") overrides the guess from the name. ``errors``:
    "raise" stops at the first malformed line or record (the error names file and line),
    "skip" leaves it out and counts it in ``corpus.skipped``, "report" also lists it in
    ``corpus.issues`` as (file, line, message). Nothing is dropped without being counted.
    A date that is not ISO 8601 never loses the article, whatever ``errors`` says: it is kept
    with an empty date and the text in ``meta["date_raw"]``, counted in ``corpus.bad_dates``;
    under "raise" one warning says how many there were, "report" lists each in the issues.
    A JSON line longer than ``max_line_bytes`` (64 MiB; after gzip decompression) is malformed,
    and no more than that is ever held for one line.

    >>> corpus = read_articles([{"id": "a", "title": "Talks", "text": "NATO and Russia met."}])
    >>> corpus[0].title, len(corpus)
    ('Talks', 1)
    """
    if errors not in _ERRORS:
        raise ValueError(f"errors must be one of {_ERRORS}; got {errors!r}")
    names = _field_names(fields)
    try:
        import pandas as pd

        if isinstance(source, pd.DataFrame):
            corpus = Corpus.from_pandas(source, fields=fields, errors=errors)
            _warn_bad_dates(corpus, errors)
            return corpus
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        kind = format or _guess_format(path)
        if kind == "folder":
            corpus = _read_result(_core._read_folder(str(path), errors, bool(detect_titles)))
        elif kind == "jsonl":
            corpus = _read_result(_core._read_jsonl(
                str(path), _core_fields(names), errors, True, _max_line_bytes(max_line_bytes)))
        elif kind == "csv":
            corpus = _read_result(_core._read_csv(str(path), _core_fields(names), errors,
                                                  _max_line_bytes(max_line_bytes)))
        else:
            raise ValueError(f"format must be 'folder', 'jsonl' or 'csv'; got {kind!r}")
        _warn_bad_dates(corpus, errors)
        return corpus
    if isinstance(source, (bytes, Mapping)):
        raise TypeError("read_articles takes a path, a DataFrame or an iterable of dicts/strings")
    corpus = _from_records(source, names, errors, "input")
    _warn_bad_dates(corpus, errors)
    return corpus


def _max_line_bytes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"max_line_bytes must be an int >= 1; got {value!r}")
    return value


def _guess_format(path: Path) -> str:
    if path.is_dir():
        return "folder"
    name = path.name.lower()
    if name.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if not path.exists():
        raise _core.NewsimIOError(f"{path}: no such file or folder")
    raise ValueError(f"{path}: cannot tell the format from the name; pass format='jsonl' or 'csv'")


def _core_fields(names: Mapping[str, str]) -> Dict[str, str]:
    return dict(names)


def iter_articles(path: Union[str, os.PathLike], *, fields: Optional[Mapping[str, str]] = None,
                  errors: str = "raise", max_line_bytes: int = 64 << 20) -> Iterator[Article]:
    """Streams the articles of a JSON-lines file (plain or .gz) one at a time, in memory
    bounded by ``max_line_bytes`` (a longer line is malformed). Malformed lines follow
    ``errors`` as in ``read_articles``;
    with "report", each skipped line is warned about as it is met.

    >>> import gzip, json, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.jsonl.gz")
    >>> with gzip.open(path, "wt") as f:
    ...     _ = f.write(json.dumps({"id": "a", "text": "NATO and Russia met."}) + "\\n")
    >>> [a.id for a in iter_articles(path)]
    ['a']
    """
    if errors not in _ERRORS:
        raise ValueError(f"errors must be one of {_ERRORS}; got {errors!r}")
    reader = _core._JsonlReader(str(path), _core_fields(_field_names(fields)), errors, True,
                                _max_line_bytes(max_line_bytes))
    reported = 0
    while True:
        a = reader.next()
        if errors == "report":
            issues = reader.issues
            for file, line, message in issues[reported:]:
                import warnings

                kept = "article kept" in message
                warnings.warn(f"{file}, line {line}: {message}" + ("" if kept else " (skipped)"),
                              stacklevel=2)
            reported = len(issues)
        if a is None:
            if errors == "raise" and reader.bad_dates:
                _warn_bad_dates(reader, errors)
            return
        yield Article._from_core(a)


_LABELS = ("blank", "body", "boilerplate", "title", "caption", "credit", "subhead")


class CleanResult:
    """What ``clean`` returns: ``corpus`` (the cleaned articles), ``audit`` (a DataFrame with
    columns article, line, label, rule, evidence, text) and ``labels`` (each article's line
    labels, one name per line of its text as ``text.split("\\n")`` gives them). Unpacks as
    ``corpus, audit, labels = clean(...)``."""

    __slots__ = ("corpus", "audit", "_codes", "_starts", "_labels")

    def __init__(self, corpus: Corpus, audit: Any, codes: bytes, starts: Any) -> None:
        self.corpus = corpus
        self.audit = audit
        self._codes = codes
        self._starts = starts
        self._labels: Optional[List[List[str]]] = None

    @property
    def labels(self) -> List[List[str]]:
        if self._labels is None:  # built on first use: a corpus has many lines
            names = [_LABELS[c] for c in self._codes]
            s = self._starts.tolist()
            self._labels = [names[s[i]:s[i + 1]] for i in range(len(s) - 1)]
        return self._labels

    def __iter__(self) -> Iterator[Any]:
        return iter((self.corpus, self.audit, self.labels))

    def to_pandas(self) -> Any:
        """The audit: one row per line that is not body (article, line, label, rule,
        evidence, text).

        >>> clean(["Breaking News\\n\\nTalks stall\\n\\nNATO and Russia did not agree on the "
        ...        "shield, officials said."]).to_pandas()[["line", "label"]].values.tolist()
        [[1, 'boilerplate'], [3, 'title']]
        """
        return self.audit

    def _repr_html_(self) -> str:
        import html

        counts = self.audit.groupby(["label", "rule"]).size().rename("lines").reset_index()
        return (f"<p><b>{html.escape(repr(self))}</b>: lines taken out, by label and rule</p>"
                + counts.to_html(index=False)
                + "<p>first lines of the audit (<code>.audit</code>)</p>"
                + self.audit.head(10).to_html(index=False))

    def __repr__(self) -> str:
        return f"CleanResult({len(self.corpus)} articles, {len(self.audit)} audit rows)"


def _clean_core(corpus: Corpus, *, keep_captions: bool = False, keep_subheads: bool = False,
                min_repeats: int = 2, min_repeats_sentence: int = 3,
                n_jobs: Optional[int] = None,
                statistics: Optional["_core.CleanStatistics"] = None
                ) -> Tuple[Any, list, list, List[str]]:
    if statistics is not None and not isinstance(statistics, _core.CleanStatistics):
        raise TypeError("statistics must come from newsim.clean_statistics, not "
                        f"{type(statistics).__name__}")
    core, audit, labels = _core._clean(corpus._core, bool(keep_captions), bool(keep_subheads),
                                       int(min_repeats), int(min_repeats_sentence),
                                       _n_jobs(n_jobs), statistics)
    return core, audit, labels, core.column("title")


def clean_statistics(corpus: Any, n_jobs: Optional[int] = None) -> "_core.CleanStatistics":
    """How often each line repeats across a corpus, or one shard of it: what ``clean`` counts
    before it labels lines (articles with each line, corpus-wide and per source).

    Shards' statistics merge (``a.merge(b)`` returns the sum and changes neither) and pickle;
    ``clean(shard, statistics=merged)``, with the statistics of every shard merged (this one's
    included), cleans the shard exactly as cleaning the whole corpus at once would. No option
    of ``clean`` changes what is counted. ``len()`` is the number of articles counted.

    >>> corpus = read_articles(["Sign up for our newsletter\\n\\nTalks stall\\n\\nNATO met."] * 2
    ...                        + ["Sign up for our newsletter\\n\\nRain ahead\\n\\nIt rains."])
    >>> stats = clean_statistics(corpus[:2]).merge(clean_statistics(corpus[2:]))
    >>> len(stats)
    3
    >>> clean(corpus[2:], statistics=stats).corpus.texts == clean(corpus).corpus[2:].texts
    True
    """
    if not isinstance(corpus, Corpus):
        corpus = read_articles(corpus)
    return _core._clean_statistics(corpus._core, _n_jobs(n_jobs))


def clean(corpus: Any, *, keep_captions: bool = False, keep_subheads: bool = False,
          min_repeats: int = 2, min_repeats_sentence: int = 3,
          n_jobs: Optional[int] = None,
          statistics: Optional["_core.CleanStatistics"] = None) -> CleanResult:
    """Removes page furniture from every article and says why.

    Lines are labelled body, boilerplate, title, caption, credit or subhead; datelines
    ("SEOUL —") are split off the first paragraph. The cleaned text keeps the body (and
    captions / subheads when asked); the title, a credit found in the title or in a credit
    line (as ``source``, when the article had none) and the dateline, captions, subheads and
    credits (in ``meta``) are kept. A line shaped like a sentence is removed only before the
    title or after the last paragraph (when a furniture phrase comes with words that talk to
    the reader), or when it repeats in ``min_repeats_sentence`` articles of its source
    (without sources: in a tenth of the corpus and at least 10 articles); other lines need a
    furniture phrase, icon names, or ``min_repeats`` articles (and 1% of the source's). The
    audit lists every line that is not body, with the rule and its evidence.

    ``statistics`` (from ``clean_statistics``, merged over every shard of a larger corpus,
    this one included) replaces the corpus's own repetition counts, so that shards cleaned
    apart give what cleaning them together gives; statistics that lack this corpus's articles
    raise ValueError.

    >>> r = clean(read_articles(["Breaking News\\n\\nTalks stall\\n\\nNATO and Russia did not "
    ...                          "agree on the shield, officials said on Monday.\\n\\nRead more"]))
    >>> r.corpus[0].title, r.corpus[0].text
    ('Talks stall', 'NATO and Russia did not agree on the shield, officials said on Monday.')
    >>> r.audit.label.tolist()
    ['boilerplate', 'title', 'boilerplate']
    """
    import pandas as pd

    if not isinstance(corpus, Corpus):
        corpus = read_articles(corpus)
    core, audit, labels, _ = _clean_core(corpus, keep_captions=keep_captions,
                                         keep_subheads=keep_subheads, min_repeats=min_repeats,
                                         min_repeats_sentence=min_repeats_sentence, n_jobs=n_jobs,
                                         statistics=statistics)
    ids = corpus.ids
    frame = pd.DataFrame(audit, columns=["article", "line", "label", "rule", "evidence", "text"])
    frame["article"] = [ids[i] for i in frame["article"]] if len(frame) else frame["article"]
    return CleanResult(Corpus._wrap(core, cleaned=True), frame, *labels)
