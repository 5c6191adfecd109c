"""Articles, corpora and readers: newsim.Article, Corpus, read_articles, iter_articles.

Every input kind the readers take (a folder of .txt files, JSON lines plain and gzip, CSV
plain and gzip, a DataFrame, an iterable of dicts or strings) is read, then broken in the
ways real files break: invalid UTF-8, a JSON line cut in half, a line that is not an
object, a missing text field, a bad date, duplicate ids, a truncated .gz, a CSV without
its text column, an empty folder, a missing file. For each, all three ``errors`` modes are
checked: "raise" names the file and the 1-based line, "skip" counts, "report" also lists
(file, line, message); nothing may be dropped without being counted. A bad date is the
exception (reader.hpp): with skip/report the article is kept, its date emptied and the
text moved to meta "date_raw" (report lists it, it is not counted as skipped).

Vectorizers taking a Corpus (title repeated ``title_weight`` times, then the cleaned text)
are checked at the end, as are the real corpora (skipped when absent).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import pickle
import warnings
from pathlib import Path
from typing import Any, Iterable, List, Union

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import newsim
from newsim import Article, Corpus, iter_articles, read_articles

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_DIRS = (REPO_ROOT / "data" / "seeds", REPO_ROOT.parent / "shared" / "seeds")
ERRORS = ("raise", "skip", "report")

Line = Union[bytes, str, dict]


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def _line_bytes(line: Line) -> bytes:
    if isinstance(line, dict):
        return json.dumps(line, ensure_ascii=False).encode("utf-8")
    if isinstance(line, str):
        return line.encode("utf-8")
    return line


def write_jsonl(path: Path, lines: Iterable[Line], *, gz: bool = False,
                trailing_newline: bool = True) -> Path:
    """Writes lines (dicts as JSON, str/bytes as they are) joined by '\\n'."""
    data = b"\n".join(_line_bytes(x) for x in lines)
    if trailing_newline:
        data += b"\n"
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def records(n: int = 5) -> List[dict]:
    return [{"id": f"r{i}", "title": f"Title {i}", "text": f"Body number {i}. " * (i + 1),
             "source": "Wire" if i % 2 else "", "date": f"2024-05-{i % 28 + 1:02d}T10:00:00Z",
             "url": f"https://example.org/{i}"} for i in range(n)]


def as_tuples(articles: Iterable[Article]) -> list:
    return [(a.id, a.title, a.text, a.source, a.date, a.url, dict(a.meta)) for a in articles]


def small_corpus(n: int = 10) -> Corpus:
    return Corpus([Article(id=f"a{i}", text=f"text {i}", title=f"T{i}", meta={"i": i})
                   for i in range(n)])


@pytest.fixture(scope="module")
def seed_dir(seed_texts) -> Path:
    """The folder of the five sample articles (the seed_texts fixture skips when absent)."""
    for d in SEED_DIRS:
        files = sorted(d.glob("*.txt")) if d.is_dir() else []
        if files and [f.read_bytes().decode("utf-8") for f in files] == seed_texts:
            return d
    pytest.skip("seed article folder not found")


def corpus_path(corpora_dir: Path, name: str) -> Path:
    path = corpora_dir / f"{name}.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"corpus {path} not found (corpora live in <repo>/../shared/corpora)")
    return path


# A JSONL file with one of each kind of malformed line, and blank lines in between, so that
# line numbers are physical, 1-based lines of the file.
BROKEN_LINES: List[Line] = [
    {"id": "a", "text": "first"},                                    # 1
    b"",                                                             # 2 blank
    {"id": "b", "text": "bad date", "date": "2024-13-01"},           # 3 bad date
    b"   \t ",                                                       # 4 blank (whitespace)
    b'{"id": "c", "text": "caf\xff au lait"}',                      # 5 invalid UTF-8
    b'{"id": "d", "text": "cut in ha',                               # 6 JSON cut in half
    b"[1, 2, 3]",                                                    # 7 not an object
    {"id": "e", "title": "no text"},                                 # 8 no text field
    {"id": "a", "text": "duplicate of line 1"},                      # 9 duplicate id
    {"id": "f", "text": "fine", "extra": [1, {"k": None}]},          # 10 good
    {"id": "g", "text": {"nested": True}},                           # 11 text of wrong type
    b'"just a string"',                                              # 12 not an object
    {"id": "h", "text": "last, fine"},                               # 13 good
]
BROKEN_BAD = {3: "2024-13-01", 5: "UTF-8", 6: "JSON", 7: "object", 8: "'text'",
              9: "duplicate", 11: "'text'", 12: "object"}
KEPT_LINES = {3}  # a bad date: the article is kept (date emptied, text in meta "date_raw")
SKIPPED_LINES = set(BROKEN_BAD) - KEPT_LINES


# ---------------------------------------------------------------------------------------
# Article
# ---------------------------------------------------------------------------------------


def test_article_defaults_and_fields():
    a = Article(id="x", text="Body.", title="T", source="AP", date="2024-05-01",
                url="https://e.org", meta={"k": [1, 2]})
    assert (a.id, a.text, a.title, a.source, a.date, a.url) == (
        "x", "Body.", "T", "AP", "2024-05-01", "https://e.org")
    assert a.meta == {"k": [1, 2]}
    b = Article(id="y")
    assert (b.text, b.title, b.source, b.date, b.url, b.meta) == ("", "", "", "", "", {})
    assert Article(id="y") == b and Article(id="z") != b


def test_article_is_immutable():
    a = Article(id="x", text="t")
    with pytest.raises(AttributeError):
        a.id = "y"  # type: ignore[misc]


@pytest.mark.parametrize("kwargs, error", [
    (dict(id=""), ValueError),
    (dict(id=1), TypeError),
    (dict(id=None), TypeError),
    (dict(id="a", text=None), TypeError),
    (dict(id="a", text=b"bytes"), TypeError),
    (dict(id="a", title=3), TypeError),
    (dict(id="a", source=["x"]), TypeError),
    (dict(id="a", date=20240501), TypeError),
    (dict(id="a", url=None), TypeError),
    (dict(id="a", meta=[1, 2]), TypeError),
    (dict(id="a", meta="{}"), TypeError),
])
def test_article_validation(kwargs, error):
    with pytest.raises(error):
        Article(**kwargs)


def test_article_meta_must_be_json_compatible_in_a_corpus():
    with pytest.raises(TypeError, match="JSON"):
        Corpus([Article(id="a", meta={"x": object()})])


def test_article_pickles():
    a = Article(id="x", text="t", title="T", date="2024-05-01T10:00:00+02:00", meta={"k": 1})
    assert pickle.loads(pickle.dumps(a)) == a


@pytest.mark.parametrize("text, expected", [
    ("2024-05-01", dt.datetime(2024, 5, 1)),
    ("2024-05-01T10:00:00", dt.datetime(2024, 5, 1, 10, 0, 0)),
    ("2024-05-01T10:00", dt.datetime(2024, 5, 1, 10, 0)),
    ("2024-05-01 23:59:59", dt.datetime(2024, 5, 1, 23, 59, 59)),
    ("2024-05-01T10:00:00.1", dt.datetime(2024, 5, 1, 10, 0, 0, 100000)),
    ("2024-05-01T10:00:00.250", dt.datetime(2024, 5, 1, 10, 0, 0, 250000)),
    ("2024-05-01T10:00:00.123456", dt.datetime(2024, 5, 1, 10, 0, 0, 123456)),
    ("2024-05-01T10:00:00Z", dt.datetime(2024, 5, 1, 10, tzinfo=dt.timezone.utc)),
    ("2024-05-01T10:00:00+00:00", dt.datetime(2024, 5, 1, 10, tzinfo=dt.timezone.utc)),
    ("2024-05-01 10:00:00.250+02:00",
     dt.datetime(2024, 5, 1, 10, 0, 0, 250000, tzinfo=dt.timezone(dt.timedelta(hours=2)))),
    ("2024-05-01T10:00:00.123456-05:30",
     dt.datetime(2024, 5, 1, 10, 0, 0, 123456,
                 tzinfo=dt.timezone(-dt.timedelta(hours=5, minutes=30)))),
    ("2024-02-29", dt.datetime(2024, 2, 29)),
])
def test_article_datetime(text, expected):
    got = Article(id="x", date=text).datetime
    assert isinstance(got, dt.datetime)
    assert got == expected
    assert got.tzinfo == expected.tzinfo
    if expected.tzinfo is not None:
        assert got.utcoffset() == expected.utcoffset()
    if not text.endswith("Z"):
        assert got == dt.datetime.fromisoformat(text)


def test_article_datetime_absent():
    assert Article(id="x").datetime is None


@pytest.mark.parametrize("text", [
    "yesterday", "2024-13-01", "2024-02-30", "2023-02-29", "2024-05-01T25:00:00",
    "2024-05-01T10:60:00", "2024-5-1", "2024-05-01T10:00:00+2", "01/05/2024",
    "31-MAR-1987 605:12:19.12", "2024-05-01T10:00:00 garbage",
])
def test_bad_dates_are_rejected(text):
    with pytest.raises(ValueError, match="ISO 8601"):
        Article(id="x", date=text).datetime
    with pytest.raises(ValueError, match="ISO 8601"):
        Corpus([Article(id="x", date=text)])
    with pytest.warns(UserWarning, match="ISO 8601"):  # a reader keeps the article instead
        c = read_articles([{"id": "x", "text": "t", "date": text}])
    assert c["x"].date == "" and c["x"].meta["date_raw"] == text and c.bad_dates == 1


# ---------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------


def test_corpus_len_index_and_id_lookup():
    c = small_corpus()
    assert len(c) == 10
    assert c[0].id == "a0" and c[9].id == "a9"
    assert c[-1].id == "a9" and c[-10].id == "a0"
    assert c[np.int64(3)].id == "a3"
    assert c["a3"] == Article(id="a3", text="text 3", title="T3", meta={"i": 3})
    assert c.get("a4").text == "text 4"
    assert c.get("nope") is None and c.get("nope", 7) == 7
    assert c.position("a5") == 5
    assert len(Corpus()) == 0 and list(Corpus()) == []


def test_corpus_index_errors():
    c = small_corpus()
    with pytest.raises(IndexError):
        c[10]
    with pytest.raises(newsim.IndexOutOfRangeError):
        c[100]
    with pytest.raises(KeyError):
        c["nope"]
    with pytest.raises(newsim.KeyNotFoundError):
        c.position("nope")
    for bad in (1.5, None, True, b"a0", ("a0",)):
        with pytest.raises(TypeError):
            c[bad]


@pytest.mark.parametrize("i", [-11, -12, -1000])
def test_corpus_negative_index_out_of_range_is_an_index_error(i):
    c = small_corpus()
    with pytest.raises(IndexError):
        c[i]


def test_corpus_contains():
    c = small_corpus()
    assert "a3" in c and "a9" in c
    assert "a10" not in c and "" not in c
    assert 3 not in c and None not in c


def test_corpus_iteration_order_and_columns():
    arts = [Article(id=i, text=f"text of {i}", title=f"title {i}") for i in ("z", "b", "m", "a")]
    c = Corpus(arts)
    assert list(c) == arts
    assert c.ids == ["z", "b", "m", "a"]
    assert c.texts == ["text of z", "text of b", "text of m", "text of a"]
    assert c.titles == ["title z", "title b", "title m", "title a"]
    assert [a.id for a in c] == c.ids  # and iterating twice gives the same
    assert [a.id for a in c] == c.ids


def test_corpus_from_dicts_and_append():
    c = Corpus([{"id": "x", "text": "one", "title": "T", "lang": "en"}])
    c.append({"id": "y", "text": "two"})
    c.append(Article(id="z", text="three"))
    assert c.ids == ["x", "y", "z"]
    assert c["x"].meta == {"lang": "en"}
    assert c["x"].title == "T"


@pytest.mark.parametrize("build", [
    lambda: Corpus([Article(id="x", text="a"), Article(id="x", text="b")]),
    lambda: Corpus([{"id": "x", "text": "a"}, {"id": "x", "text": "b"}]),
    lambda: small_corpus().append(Article(id="a3", text="again")),
])
def test_corpus_duplicate_id_is_a_value_error(build):
    with pytest.raises(ValueError, match="duplicate"):
        build()


def test_corpus_failed_append_leaves_it_unchanged():
    c = small_corpus(3)
    with pytest.raises(ValueError):
        c.append(Article(id="a1", text="dup"))
    assert c.ids == ["a0", "a1", "a2"] and c["a1"].text == "text 1"


@pytest.mark.parametrize("s", [
    slice(None), slice(2, 5), slice(None, None, 2), slice(1, None, 3), slice(-3, None),
    slice(None, -3), slice(5, 2), slice(100, 200), slice(-100, 3), slice(None, None, -1),
    slice(8, 2, -2), slice(None, None, -3), slice(2, 8, -1), slice(-1, -11, -1),
    slice(3, None, -1), slice(None, 3, -2), slice(0, 0),
])
def test_corpus_slicing(s):
    c = small_corpus()
    got = c[s]
    assert isinstance(got, Corpus)
    assert got.ids == [f"a{i}" for i in list(range(10))[s]]
    assert [a.meta["i"] for a in got] == list(range(10))[s]
    # a slice is a corpus in its own right: id lookup works on it
    for a in got:
        assert got[a.id] == a


def test_corpus_zero_step_slice():
    with pytest.raises(ValueError):
        small_corpus()[::0]


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 12), data=st.data())
def test_corpus_slicing_matches_list_slicing(n, data):
    c = small_corpus(n)
    s = data.draw(st.slices(max(n, 1)))
    assert c[s].ids == c.ids[s]


def test_corpus_filter():
    c = small_corpus()
    kept = c.filter(lambda a: a.meta["i"] % 3 == 0)
    assert isinstance(kept, Corpus)
    assert kept.ids == ["a0", "a3", "a6", "a9"]
    assert kept["a6"].text == "text 6"
    assert len(c.filter(lambda a: False)) == 0
    assert c.filter(lambda a: True).ids == c.ids
    assert len(c) == 10  # the original is untouched


def test_corpus_repr():
    assert repr(small_corpus(3)) == "Corpus(3 articles)"


def test_corpus_to_pandas():
    c = Corpus([Article(id="x", text="one", title="T", source="AP", date="2024-05-01",
                        url="u", meta={"k": 1}),
                Article(id="y", text="two")])
    df = c.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["id", "title", "text", "source", "date", "url", "meta"]
    assert df["id"].tolist() == ["x", "y"]
    assert df["text"].tolist() == ["one", "two"]
    assert df["source"].tolist() == ["AP", ""]
    assert df["meta"].tolist() == [{"k": 1}, {}]
    assert len(Corpus().to_pandas()) == 0


def test_corpus_pandas_round_trip():
    c = Corpus([Article(id="x", text="one", title="T", source="AP", date="2024-05-01T10:00Z",
                        url="u", meta={"k": 1, "tags": ["a", "b"]}),
                Article(id="y", text="two"),
                Article(id="z", text="three", meta={"lang": "en"})])
    back = Corpus.from_pandas(c.to_pandas())
    assert as_tuples(back) == as_tuples(c)


def test_corpus_from_pandas_plain_columns():
    df = pd.DataFrame({"id": ["x", "y"], "title": ["T", ""], "text": ["one", "two"],
                       "lang": ["en", "fr"]})
    c = Corpus.from_pandas(df)
    assert as_tuples(c) == [("x", "T", "one", "", "", "", {"lang": "en"}),
                            ("y", "", "two", "", "", "", {"lang": "fr"})]


def test_corpus_pickle_round_trip(tmp_path):
    c = read_articles(write_jsonl(tmp_path / "a.jsonl", BROKEN_LINES), errors="report")
    back = pickle.loads(pickle.dumps(c))
    assert isinstance(back, Corpus)
    assert as_tuples(back) == as_tuples(c)
    assert back.skipped == c.skipped == len(SKIPPED_LINES)
    assert back.issues == c.issues and len(back.issues) == len(BROKEN_BAD)
    assert back["f"].meta == {"extra": [1, {"k": None}]}
    back.append(Article(id="new", text="t"))  # still a working corpus
    with pytest.raises(ValueError):
        back.append(Article(id="a", text="dup"))


# ---------------------------------------------------------------------------------------
# Readers: every input kind
# ---------------------------------------------------------------------------------------


def test_read_folder_of_seeds_detects_titles(seed_dir):
    files = sorted(seed_dir.glob("*.txt"))
    c = read_articles(seed_dir)
    assert c.ids == [f.stem for f in files]
    assert c.skipped == 0 and c.issues == []
    gold_path = seed_dir / "gold.json"
    gold = json.loads(gold_path.read_text("utf-8"))["articles"] if gold_path.exists() else {}
    for a, f in zip(c, files):
        assert a.text == f.read_text("utf-8"), "the text is left as it is"
        assert a.title, f"no title detected for {f.name}"
        lines = a.text.split("\n")
        assert a.title in [x.strip() for x in lines] or any(
            x.strip().startswith(a.title) for x in lines)
        if f.name in gold:
            # the title is the gold title line (a trailing credit such as " - AFP" may go)
            assert lines[gold[f.name]["title"] - 1].strip().startswith(a.title), f.name
    plain = read_articles(seed_dir, detect_titles=False)
    assert plain.titles == [""] * len(files)
    assert plain.texts == c.texts


def test_read_folder(tmp_path):
    d = tmp_path / "news"
    d.mkdir()
    (d / "b.txt").write_text("Talks stall\n\nNATO and Russia did not agree on the shield, "
                             "officials said on Monday.\n", encoding="utf-8")
    (d / "a.txt").write_text("Second story\n\nMinisters met in Brussels on Tuesday and "
                             "agreed on a new budget for the year.\n", encoding="utf-8")
    (d / "notes.md").write_text("not an article")
    (d / "sub").mkdir()
    (d / "sub" / "c.txt").write_text("nested files are not read")
    c = read_articles(d)
    assert c.ids == ["a", "b"]  # sorted by name; other extensions and subfolders ignored
    assert c.titles == ["Second story", "Talks stall"]
    assert c["b"].text.startswith("Talks stall\n\nNATO")
    assert read_articles(str(d)).ids == ["a", "b"]  # str path as well as Path


def test_read_empty_folder(tmp_path):
    for e in ERRORS:
        c = read_articles(tmp_path, errors=e)
        assert isinstance(c, Corpus) and len(c) == 0
        assert c.skipped == 0 and c.issues == []
    (tmp_path / "readme.md").write_text("no .txt here")
    assert len(read_articles(tmp_path)) == 0


def test_read_jsonl(tmp_path):
    recs = records()
    p = write_jsonl(tmp_path / "a.jsonl", recs)
    c = read_articles(p)
    assert as_tuples(c) == [(r["id"], r["title"], r["text"], r["source"], r["date"], r["url"], {})
                            for r in recs]
    assert c.skipped == 0 and c.issues == []
    assert c[0].datetime == dt.datetime(2024, 5, 1, 10, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("name", ["a.jsonl.gz", "a.ndjson.gz", "a.json.gz"])
def test_read_jsonl_gz(tmp_path, name):
    recs = records(50)
    c = read_articles(write_jsonl(tmp_path / name, recs, gz=True))
    assert c.ids == [r["id"] for r in recs]
    assert c.texts == [r["text"] for r in recs]


def test_read_jsonl_custom_fields_and_meta(tmp_path):
    lines = [{"doc": "d1", "headline": "H1", "body": "B1", "outlet": "AP",
              "when": "2024-05-01T10:00:00+02:00", "link": "https://e.org/1",
              "id": "not the id", "title": "not the title", "tags": ["x", "y"],
              "n": 3, "nested": {"a": None, "b": [1.5]}},
             {"doc": 42, "headline": 1.5, "body": 7}]
    fields = {"id": "doc", "title": "headline", "text": "body", "source": "outlet",
              "date": "when", "url": "link"}
    for gz in (False, True):
        p = write_jsonl(tmp_path / ("f.jsonl.gz" if gz else "f.jsonl"), lines, gz=gz)
        c = read_articles(p, fields=fields)
        a = c["d1"]
        assert (a.title, a.text, a.source, a.date, a.url) == (
            "H1", "B1", "AP", "2024-05-01T10:00:00+02:00", "https://e.org/1")
        assert a.meta == {"id": "not the id", "title": "not the title", "tags": ["x", "y"],
                          "n": 3, "nested": {"a": None, "b": [1.5]}}
        # numbers are read as JSON writes them
        b = c["42"]
        assert (b.title, b.text, b.meta) == ("1.5", "7", {})
        assert as_tuples(iter_articles(p, fields=fields)) == as_tuples(c)


def test_read_jsonl_partial_fields_mapping(tmp_path):
    p = write_jsonl(tmp_path / "f.jsonl", [{"id": "x", "body": "B", "title": "T", "text": "t"}])
    a = read_articles(p, fields={"text": "body"})["x"]
    assert (a.text, a.title, a.meta) == ("B", "T", {"text": "t"})


def test_read_jsonl_unknown_field_name(tmp_path):
    p = write_jsonl(tmp_path / "f.jsonl", records(1))
    with pytest.raises(ValueError, match="body"):
        read_articles(p, fields={"body": "text"})
    with pytest.raises(ValueError, match="body"):
        list(iter_articles(p, fields={"body": "text"}))


def test_read_jsonl_missing_and_null_ids_get_the_line_number(tmp_path):
    p = write_jsonl(tmp_path / "f.jsonl", [
        b"", {"text": "no id"}, b"", {"id": None, "text": "null id"}, {"id": "", "text": "empty"},
        {"id": 7, "text": "int id"}])
    c = read_articles(p)
    assert c.ids == ["2", "4", "5", "7"]
    assert c.texts == ["no id", "null id", "empty", "int id"]


def test_read_jsonl_crlf_no_trailing_newline_and_empty_file(tmp_path):
    p = tmp_path / "crlf.jsonl"
    p.write_bytes(b'{"id":"a","text":"x"}\r\n\r\n{"id":"b","text":"y\\r"}')
    c = read_articles(p)
    assert c.ids == ["a", "b"] and c.texts == ["x", "y\r"]
    (tmp_path / "e.jsonl").write_bytes(b"")
    assert len(read_articles(tmp_path / "e.jsonl")) == 0
    (tmp_path / "blank.jsonl").write_bytes(b"\n\n  \n")
    c = read_articles(tmp_path / "blank.jsonl")
    assert len(c) == 0 and c.skipped == 0
    (tmp_path / "e.jsonl.gz").write_bytes(gzip.compress(b""))
    assert len(read_articles(tmp_path / "e.jsonl.gz")) == 0


def test_read_jsonl_long_lines_and_chunk_boundaries(tmp_path):
    """Lines longer than any read buffer, and many lines crossing buffer boundaries."""
    rng = np.random.default_rng(0)
    recs = []
    for i in range(400):
        n = int(rng.integers(0, 9000)) if i != 200 else 400_000
        recs.append({"id": f"x{i}", "text": "é€𝄞a\n\"\\" * (n // 7) + str(i)})
    for gz in (False, True):
        p = write_jsonl(tmp_path / ("l.jsonl.gz" if gz else "l.jsonl"), recs, gz=gz)
        c = read_articles(p)
        assert c.ids == [r["id"] for r in recs]
        assert c.texts == [r["text"] for r in recs]
        assert [a.text for a in iter_articles(p)] == c.texts


def test_read_multi_member_gzip(tmp_path):
    a, b = records(4)[:2], records(4)[2:]
    data = (gzip.compress("".join(json.dumps(r) + "\n" for r in a).encode())
            + gzip.compress("".join(json.dumps(r) + "\n" for r in b).encode()))
    p = tmp_path / "m.jsonl.gz"
    p.write_bytes(data)
    assert read_articles(p).ids == ["r0", "r1", "r2", "r3"]


def test_format_guess_and_override(tmp_path):
    p = write_jsonl(tmp_path / "data.txt", records(2))
    with pytest.raises(ValueError, match="format"):
        read_articles(p)
    assert read_articles(p, format="jsonl").ids == ["r0", "r1"]
    assert read_articles(write_jsonl(tmp_path / "x.ndjson", records(2))).ids == ["r0", "r1"]
    with pytest.raises(ValueError, match="format"):
        read_articles(p, format="xml")
    with pytest.raises(newsim.NewsimIOError):
        read_articles(p, format="folder")
    csv = tmp_path / "data.tsv"
    csv.write_text("id,text\n1,x\n")
    assert read_articles(csv, format="csv").texts == ["x"]


def test_read_csv(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text('id,title,text,date,extra\n'
                 '1,Hello,Body one,2024-01-02,x\n'
                 '2,World,"Body, two\nwith a newline",,y\n', encoding="utf-8")
    c = read_articles(p)
    assert as_tuples(c) == [("1", "Hello", "Body one", "", "2024-01-02", "", {"extra": "x"}),
                            ("2", "World", "Body, two\nwith a newline", "", "", "",
                             {"extra": "y"})]
    assert c.skipped == 0 and c.issues == []
    gz = tmp_path / "a.csv.gz"
    gz.write_bytes(gzip.compress(p.read_bytes()))
    assert as_tuples(read_articles(gz)) == as_tuples(c)


def test_read_csv_custom_fields_and_no_id_column(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("headline,body,lang\nH1,B1,en\nH2,B2,fr\n", encoding="utf-8")
    c = read_articles(p, fields={"title": "headline", "text": "body"})
    assert c.ids == ["0", "1"]
    assert c.titles == ["H1", "H2"] and c.texts == ["B1", "B2"]
    assert [a.meta for a in c] == [{"lang": "en"}, {"lang": "fr"}]


def test_read_dataframe_with_id_column():
    df = pd.DataFrame({"id": ["a", "b"], "title": ["T1", "T2"], "text": ["x", "y"],
                       "lang": ["en", None], "score": [1.5, np.nan]})
    c = read_articles(df)
    assert as_tuples(c) == [("a", "T1", "x", "", "", "", {"lang": "en", "score": 1.5}),
                            ("b", "T2", "y", "", "", "", {})]


def test_read_dataframe_without_id_column():
    assert read_articles(pd.DataFrame({"text": ["x", "y"]}, index=["p", "q"])).ids == ["p", "q"]
    assert read_articles(pd.DataFrame({"text": ["x", "y", "z"]})).ids == ["0", "1", "2"]
    assert read_articles(pd.DataFrame({"text": ["x"]}, index=[17])).ids == ["17"]


def test_read_dataframe_fields_and_missing_text_column():
    df = pd.DataFrame({"body": ["x", "y"], "head": ["A", "B"]})
    with pytest.raises(ValueError, match="text"):
        read_articles(df)
    c = read_articles(df, fields={"text": "body", "title": "head"})
    assert c.texts == ["x", "y"] and c.titles == ["A", "B"]
    assert Corpus.from_pandas(df, fields={"text": "body"})[0].meta == {"head": "A"}


def test_read_dataframe_with_timestamps():
    df = pd.DataFrame({"id": ["a"], "text": ["x"],
                       "date": [pd.Timestamp("2024-01-01 10:00", tz="UTC")]})
    a = read_articles(df)["a"]
    assert a.datetime == dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone.utc)


def test_read_dataframe_with_a_missing_timestamp():
    """A datetime column with NaT (pandas' missing date) means 'no date'."""
    df = pd.DataFrame({"id": ["a", "b"], "text": ["x", "y"],
                       "date": [pd.Timestamp("2024-01-01 10:00"), pd.NaT]})
    c = read_articles(df)
    assert c["a"].datetime == dt.datetime(2024, 1, 1, 10)
    assert c["b"].date == ""


def test_read_dataframe_errors_modes():
    df = pd.DataFrame({"id": ["a", "a", "b"], "text": ["x", "y", "z"],
                       "title": ["T", "", ["not", "a", "string"]]})
    with pytest.raises(ValueError, match="row 1.*duplicate"):
        read_articles(df)
    c = read_articles(df, errors="skip")
    assert c.ids == ["a"] and c.skipped == 2 and c.issues == []
    c = read_articles(df, errors="report")
    assert c.ids == ["a"] and c.skipped == 2
    assert [(w, n) for w, n, _ in c.issues] == [("DataFrame", 1), ("DataFrame", 2)]
    assert "duplicate" in c.issues[0][2] and "'title'" in c.issues[1][2]


def test_read_iterable_of_dicts_and_strings():
    c = read_articles([{"id": "k", "text": "one", "title": "T", "extra": 1}, "plain string"])
    assert as_tuples(c) == [("k", "T", "one", "", "", "", {"extra": 1}),
                            ("1", "", "plain string", "", "", "", {})]
    # a one-pass generator; ids default to positions
    gen = (x for x in [{"text": "a"}, "b", {"text": "c", "id": None}])
    assert read_articles(gen).ids == ["0", "1", "2"]
    assert read_articles(["x", "y"]).texts == ["x", "y"]
    assert len(read_articles([])) == 0
    assert read_articles(iter([{"body": "x"}]), fields={"text": "body"}).texts == ["x"]


def test_read_iterable_errors_modes():
    items: List[Any] = [{"text": "x"}, {"title": "no text"}, 5, {"text": "y", "url": [1]},
                        {"id": "0", "text": "dup"}, "fine"]
    with pytest.raises(ValueError, match="item 1"):
        read_articles(items)
    with pytest.raises(TypeError):
        read_articles([5])
    c = read_articles(items, errors="skip")
    assert c.ids == ["0", "5"] and c.skipped == 4 and c.issues == []
    c = read_articles(items, errors="report")
    assert c.ids == ["0", "5"] and c.skipped == 4
    assert [n for _, n, _ in c.issues] == [1, 2, 3, 4]
    assert "text" in c.issues[0][2] and "int" in c.issues[1][2]
    assert "'url'" in c.issues[2][2] and "duplicate" in c.issues[3][2]


@pytest.mark.parametrize("source", [b"bytes", {"text": "a dict"}, 42])
def test_read_articles_rejects_other_sources(source):
    with pytest.raises(TypeError):
        read_articles(source)


@pytest.mark.parametrize("bad", ["ignore", "Raise", "", None])
def test_read_articles_rejects_unknown_errors_mode(tmp_path, bad):
    p = write_jsonl(tmp_path / "a.jsonl", records(1))
    for source in (p, tmp_path, ["x"], pd.DataFrame({"text": ["x"]}), tmp_path / "missing.jsonl"):
        with pytest.raises(ValueError, match="errors"):
            read_articles(source, errors=bad)
    with pytest.raises(ValueError, match="errors"):
        next(iter_articles(p, errors=bad))


# ---------------------------------------------------------------------------------------
# Broken inputs
# ---------------------------------------------------------------------------------------


def test_broken_jsonl_raise_names_file_and_first_bad_line(tmp_path):
    p = write_jsonl(tmp_path / "broken.jsonl", BROKEN_LINES)
    with pytest.raises(newsim.InvalidArgumentError) as e:
        read_articles(p)
    assert isinstance(e.value, ValueError)  # line 3, a bad date, does not stop the read
    assert str(p) in str(e.value) and "line 5" in str(e.value) and "UTF-8" in str(e.value)


def test_broken_jsonl_skip_counts_everything(tmp_path):
    p = write_jsonl(tmp_path / "broken.jsonl", BROKEN_LINES)
    c = read_articles(p, errors="skip")
    assert c.ids == ["a", "b", "f", "h"]
    assert c["a"].text == "first"  # the first of two duplicates is kept
    assert (c["b"].date, c["b"].meta) == ("", {"date_raw": "2024-13-01"})
    assert c.skipped == len(SKIPPED_LINES)
    assert c.issues == []
    non_blank = sum(1 for x in BROKEN_LINES if _line_bytes(x).strip())
    assert len(c) + c.skipped == non_blank, "every non-blank line is read or counted"


def test_broken_jsonl_report_lists_file_line_message(tmp_path):
    for gz in (False, True):
        p = write_jsonl(tmp_path / ("broken.jsonl.gz" if gz else "broken.jsonl"), BROKEN_LINES,
                        gz=gz)
        c = read_articles(p, errors="report")
        assert c.ids == ["a", "b", "f", "h"]
        assert c.skipped == len(SKIPPED_LINES)
        assert [line for _, line, _ in c.issues] == sorted(BROKEN_BAD)
        for (file, line, message) in c.issues:
            assert file == str(p)
            assert isinstance(line, int) and isinstance(message, str)
            assert BROKEN_BAD[line] in message, (line, message)


@pytest.mark.parametrize("bad, needle", [
    (b'{"id": "x", "text": "caf\xc3\x28"}', "UTF-8"),           # invalid continuation
    (b'{"id": "x", "text": "\xed\xa0\x80"}', "UTF-8"),           # encoded surrogate
    (b'{"id": "x", "text": "\xc0\xaf"}', "UTF-8"),               # overlong
    (b'{"id": "x", "text": "\xff"}', "UTF-8"),
    (b'{"id": "x", "te', "JSON"),                                 # cut in half
    (b'{"id": "x", "text": "abc"', "JSON"),                       # cut before the brace
    (b'{"id": "x", "text": "abc"} trailing', "JSON"),
    (b'{"id": "x", "text": "\\ud800"}', "JSON"),                  # lone surrogate escape
    (b"[1, 2]", "object"), (b"42", "object"), (b'"text"', "object"), (b"null", "object"),
    (b'{"id": "x"}', "'text'"),
    (b'{"id": "x", "text": ["a"]}', "'text'"),
    (b'{"id": "x", "text": "t", "title": {"a": 1}}', "'title'"),
    (b'{"id": "a", "text": "t"}', "duplicate"),
])
@pytest.mark.parametrize("gz", [False, True])
def test_one_bad_line_in_every_mode(tmp_path, bad, needle, gz):
    lines = [{"id": "a", "text": "one"}, b"", bad, {"id": "b", "text": "two"}]
    p = write_jsonl(tmp_path / ("f.jsonl.gz" if gz else "f.jsonl"), lines, gz=gz)
    with pytest.raises(ValueError) as e:
        read_articles(p)
    message = str(e.value)
    assert str(p) in message and "line 3" in message and needle in message
    c = read_articles(p, errors="skip")
    assert c.ids == ["a", "b"] and c.skipped == 1 and c.issues == []
    c = read_articles(p, errors="report")
    assert c.ids == ["a", "b"] and c.skipped == 1
    assert len(c.issues) == 1
    file, line, msg = c.issues[0]
    assert (file, line) == (str(p), 3) and needle in msg


@pytest.mark.parametrize("date", ["2024-02-30", "tomorrow", "2024-05-01T10:00:00+2", "1"])
@pytest.mark.parametrize("gz", [False, True])
def test_bad_date_line_in_every_mode(tmp_path, date, gz):
    """In every mode the article is kept, its date emptied and the text moved to meta
    "date_raw", counted in bad_dates; raise warns once naming file and line, report lists it;
    nothing is skipped."""
    lines = [{"id": "a", "text": "one"}, b"", {"id": "x", "text": "t", "date": date, "k": 1},
             {"id": "b", "text": "two"}]
    p = write_jsonl(tmp_path / ("f.jsonl.gz" if gz else "f.jsonl"), lines, gz=gz)
    with pytest.warns(UserWarning) as caught:
        c = read_articles(p)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "1 article(s) kept" in message and str(p) in message and "line 3" in message
    assert date in message
    assert c.bad_dates == 1 and c.issues == []
    for errors in ("raise", "skip", "report"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            c = read_articles(p, errors=errors)
        assert c.ids == ["a", "x", "b"] and c.skipped == 0 and c.bad_dates == 1
        assert (c["x"].date, c["x"].meta) == ("", {"k": 1, "date_raw": date})
        if errors != "report":
            assert c.issues == []
        else:
            assert len(c.issues) == 1 and c.issues[0][:2] == (str(p), 3)
            assert date in c.issues[0][2] and "kept" in c.issues[0][2]
        assert as_tuples(iter_articles(p, errors="skip")) == as_tuples(c)


def test_iter_articles_report_does_not_call_a_kept_article_skipped(tmp_path):
    p = write_jsonl(tmp_path / "d.jsonl", [{"id": "x", "text": "t", "date": "tomorrow"}])
    with pytest.warns(UserWarning, match="line 1") as caught:
        got = list(iter_articles(p, errors="report"))
    assert [a.id for a in got] == ["x"]
    message = str(caught[0].message)
    assert "kept" in message
    assert "(skipped)" not in message, f"the article was kept, yet: {message!r}"


@pytest.mark.parametrize("reader", ["jsonl", "csv", "iterable", "DataFrame"])
@pytest.mark.parametrize("errors", ["raise", "skip", "report"])
def test_bad_date_policy_is_the_same_for_every_reader(tmp_path, reader, errors):
    """Whatever the input kind, a bad date is handled as the JSON-lines reader does."""
    recs = [{"id": "a", "text": "one"}, {"id": "x", "text": "t", "date": "tomorrow"}]
    if reader == "jsonl":
        source: Any = write_jsonl(tmp_path / "d.jsonl", recs)
    elif reader == "csv":
        source = tmp_path / "d.csv"
        source.write_text("id,text,date\na,one,\nx,t,tomorrow\n", encoding="utf-8")
    elif reader == "iterable":
        source = recs
    else:
        source = pd.DataFrame({"id": ["a", "x"], "text": ["one", "t"], "date": ["", "tomorrow"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        c = read_articles(source, errors=errors)
    assert c.ids == ["a", "x"], f"{reader}: the article with a bad date was not kept"
    assert c["x"].date == "" and c["x"].meta.get("date_raw") == "tomorrow"
    assert c.skipped == 0 and c.bad_dates == 1 and "tomorrow" in c.first_bad_date
    assert len(caught) == (errors == "raise")
    assert len(c.issues) == (errors == "report")


def test_invalid_utf8_error_gives_the_byte_offset(tmp_path):
    head = b'{"id": "x", "text": "caf'
    p = write_jsonl(tmp_path / "u.jsonl", [{"id": "a", "text": "ok"}, head + b'\xe9"}'])
    with pytest.raises(ValueError, match=rf"line 2: invalid UTF-8 at byte {len(head)}\b"):
        read_articles(p)


def test_json_line_cut_in_half_at_end_of_file(tmp_path):
    """The file was cut mid-line: no newline after the broken last line."""
    lines = [{"id": "a", "text": "one"}, {"id": "b", "text": "two"}, b'{"id": "c", "text": "th']
    p = write_jsonl(tmp_path / "cut.jsonl", lines, trailing_newline=False)
    with pytest.raises(ValueError, match="line 3"):
        read_articles(p)
    c = read_articles(p, errors="report")
    assert c.ids == ["a", "b"] and c.skipped == 1 and c.issues[0][:2] == (str(p), 3)
    assert "JSON" in c.issues[0][2]


def test_missing_custom_text_field_is_named(tmp_path):
    p = write_jsonl(tmp_path / "f.jsonl", [{"id": "a", "text": "not the body"}])
    with pytest.raises(ValueError, match="'body'"):
        read_articles(p, fields={"text": "body"})
    c = read_articles(p, fields={"text": "body"}, errors="report")
    assert len(c) == 0 and c.skipped == 1 and "'body'" in c.issues[0][2]


@pytest.mark.parametrize("errors", ERRORS)
def test_truncated_gzip(tmp_path, errors):
    recs = [{"id": f"r{i}", "text": f"article {i} " * 50} for i in range(2000)]
    whole = gzip.compress("".join(json.dumps(r) + "\n" for r in recs).encode())
    p = tmp_path / "t.jsonl.gz"
    p.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(newsim.NewsimIOError) as e:
        read_articles(p, errors=errors)
    assert isinstance(e.value, OSError)
    assert str(p) in str(e.value) and "truncated" in str(e.value)
    # streaming yields every complete line before the error, and they are the file's lines
    got: List[Article] = []
    with pytest.raises(newsim.NewsimIOError):
        for a in iter_articles(p, errors=errors):
            got.append(a)
    assert 0 < len(got) < len(recs)
    assert [a.id for a in got] == [r["id"] for r in recs[: len(got)]]
    assert [a.text for a in got] == [r["text"] for r in recs[: len(got)]]


@pytest.mark.parametrize("content", [b'{"id": "a", "text": "plain, not gzip"}\n', b"", b"\x1f"])
def test_gz_name_that_is_not_gzip(tmp_path, content):
    p = tmp_path / "plain.jsonl.gz"
    p.write_bytes(content)
    with pytest.raises(newsim.NewsimIOError, match="gzip"):
        read_articles(p, errors="skip")
    with pytest.raises(newsim.NewsimIOError, match="gzip"):
        next(iter_articles(p))


def test_gzip_cut_inside_the_header(tmp_path):
    p = tmp_path / "h.jsonl.gz"
    p.write_bytes(gzip.compress(b'{"id": "a", "text": "x"}\n')[:5])
    with pytest.raises(newsim.NewsimIOError, match="h.jsonl.gz"):
        read_articles(p)


@pytest.mark.parametrize("errors", ERRORS)
def test_csv_missing_text_column(tmp_path, errors):
    p = tmp_path / "nt.csv"
    p.write_text("id,title,body\n1,a,b\n", encoding="utf-8")
    with pytest.raises(ValueError) as e:
        read_articles(p, errors=errors)
    assert str(p) in str(e.value) and "'text'" in str(e.value)
    assert read_articles(p, fields={"text": "body"}).texts == ["b"]


def test_csv_duplicate_ids(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("id,text,date\n1,ok,\n2,hmm,2024-01-01\n1,dup,2024-01-01\n2,again,\n"
                 "5,good,2024-01-01\n", encoding="utf-8")
    with pytest.raises(ValueError) as e:
        read_articles(p)
    assert str(p) in str(e.value) and "line 4" in str(e.value) and "duplicate" in str(e.value)
    c = read_articles(p, errors="skip")
    assert c.ids == ["1", "2", "5"] and c.skipped == 2 and c.issues == []
    assert c["1"].text == "ok"
    c = read_articles(p, errors="report")
    assert c.ids == ["1", "2", "5"] and c.skipped == 2
    assert [(f, n) for f, n, _ in c.issues] == [(str(p), 4), (str(p), 5)]
    assert all("duplicate" in m for _, _, m in c.issues)


@pytest.mark.parametrize("header, wide_row", [("id,text", "2,a,b,c"), ("id,text,date", "2,a,,c"),
                                              ("id,text", "2,a,b")])
def test_csv_row_with_too_many_fields(tmp_path, header, wide_row):
    p = tmp_path / "wide.csv"
    pad = "," * (header.count(",") - 1)  # the good rows have as many fields as the header
    p.write_text(f"{header}\n1,ok{pad}\n{wide_row}\n3,fine{pad}\n", encoding="utf-8")
    with pytest.raises(ValueError) as e:
        read_articles(p)
    assert str(p) in str(e.value) and "line 3" in str(e.value)
    c = read_articles(p, errors="skip")
    assert c.ids == ["1", "3"] and c.skipped == 1
    c = read_articles(p, errors="report")
    assert c.ids == ["1", "3"] and c.skipped == 1 and len(c.issues) == 1
    assert c.issues[0][:2] == (str(p), 3), f"expected (file, 3), got {c.issues[0]}"


def test_csv_row_with_a_missing_column(tmp_path):
    """A row with fewer fields than the header is malformed, as one with more is."""
    p = tmp_path / "short.csv"
    p.write_text("id,title,text\n1,Only a title\n2,T,body\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        read_articles(p)
    c = read_articles(p, errors="report")
    assert c.ids == ["2"] and c.skipped == 1 and c.issues[0][:2] == (str(p), 2)


def test_csv_line_numbers_with_blank_lines_and_multiline_fields(tmp_path):
    p = tmp_path / "lines.csv"
    p.write_text('id,text\n'              # 1
                 '\n'                       # 2 blank
                 '1,"two\nlines"\n'         # 3-4
                 '1,duplicate\n',           # 5
                 encoding="utf-8")
    c = read_articles(p, errors="report")
    assert c.ids == ["1"] and c.skipped == 1
    assert c.issues[0][:2] == (str(p), 5), f"expected line 5, got {c.issues[0]}"
    with pytest.raises(ValueError, match="line 5"):
        read_articles(p)


def test_csv_invalid_utf8_raise(tmp_path):
    p = tmp_path / "u.csv"
    p.write_bytes(b"id,text\n1,ok\n2,caf\xff\n3,fine\n")
    with pytest.raises(ValueError) as e:
        read_articles(p)
    assert str(p) in str(e.value) and "UTF-8" in str(e.value)
    assert "line 3" in str(e.value), f"no line number in {str(e.value)!r}"


@pytest.mark.parametrize("errors", ["skip", "report"])
def test_csv_invalid_utf8_skip_and_report(tmp_path, errors):
    p = tmp_path / "u.csv"
    p.write_bytes(b"id,text\n1,ok\n2,caf\xff\n3,fine\n")
    c = read_articles(p, errors=errors)
    assert c.ids == ["1", "3"] and c.skipped == 1
    if errors == "report":
        assert c.issues[0][:2] == (str(p), 3) and "UTF-8" in c.issues[0][2]


@pytest.mark.parametrize("errors", ERRORS)
def test_folder_with_invalid_utf8_file(tmp_path, errors):
    d = tmp_path / "f"
    d.mkdir()
    (d / "a.txt").write_bytes(b"Bad \xc3\x28 bytes\n\nA body sentence that is long enough.\n")
    (d / "b.txt").write_text("Title B\n\nThe body of b is here, and it is a sentence.\n",
                             encoding="utf-8")
    if errors == "raise":
        with pytest.raises(ValueError) as e:
            read_articles(d, errors=errors)
        assert "a.txt" in str(e.value) and "UTF-8" in str(e.value) and "byte 4" in str(e.value)
        return
    c = read_articles(d, errors=errors)
    assert c.ids == ["b"] and c.titles == ["Title B"] and c.skipped == 1
    if errors == "skip":
        assert c.issues == []
    else:
        assert len(c.issues) == 1
        file, line, message = c.issues[0]
        assert file == str(d / "a.txt") and "UTF-8" in message and "byte 4" in message
        assert isinstance(line, int)


@pytest.mark.parametrize("errors", ERRORS)
@pytest.mark.parametrize("name", ["missing.jsonl", "missing.jsonl.gz", "missing.csv",
                                  "missing.csv.gz", "missing_folder", "missing.txt"])
def test_missing_file_or_folder(tmp_path, name, errors):
    p = tmp_path / name
    with pytest.raises(newsim.NewsimIOError) as e:
        read_articles(p, errors=errors)
    assert isinstance(e.value, OSError) and isinstance(e.value, newsim.NewsimError)
    assert name in str(e.value)
    with pytest.raises(newsim.NewsimIOError, match=name):
        next(iter_articles(p, errors=errors))


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "folder"])
def test_missing_path_with_explicit_format(tmp_path, fmt):
    with pytest.raises(newsim.NewsimIOError):
        read_articles(tmp_path / "nope", format=fmt)


def test_folder_is_not_a_jsonl_file(tmp_path):
    with pytest.raises(newsim.NewsimIOError, match="folder"):
        next(iter_articles(tmp_path))
    with pytest.raises(newsim.NewsimIOError, match="folder"):
        read_articles(tmp_path, format="jsonl")


# ---------------------------------------------------------------------------------------
# iter_articles: streaming
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_iter_articles_yields_what_read_articles_reads(tmp_path, gz):
    lines: List[Line] = []
    for i, r in enumerate(records(300)):
        r["extra"] = {"n": i}
        lines.append(r)
        if i % 7 == 0:
            lines.append(b"")
    p = write_jsonl(tmp_path / ("s.jsonl.gz" if gz else "s.jsonl"), lines, gz=gz)
    it = iter_articles(p)
    assert iter(it) is it and not isinstance(it, (list, Corpus))
    streamed = list(it)
    assert all(isinstance(a, Article) for a in streamed)
    assert as_tuples(streamed) == as_tuples(read_articles(p))
    assert streamed[5].meta == {"extra": {"n": 5}}


def test_iter_articles_is_lazy(tmp_path):
    """Articles before a broken line arrive before the error does."""
    p = write_jsonl(tmp_path / "lazy.jsonl", [{"id": "a", "text": "1"}, {"id": "b", "text": "2"},
                                              b"{broken", {"id": "c", "text": "3"}])
    it = iter_articles(p)
    assert next(it).id == "a"
    assert next(it).id == "b"
    with pytest.raises(ValueError, match="line 3"):
        next(it)
    # abandoning a stream half way is fine
    it2 = iter_articles(p, errors="skip")
    assert next(it2).id == "a"
    it2.close()


def test_iter_articles_skip_is_silent(tmp_path):
    p = write_jsonl(tmp_path / "broken.jsonl", BROKEN_LINES)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = [a.id for a in iter_articles(p, errors="skip")]
    assert caught == []
    assert got[0] == "a" and "f" in got and got[-1] == "h"


def test_iter_articles_report_warns_for_each_bad_line(tmp_path):
    p = write_jsonl(tmp_path / "broken.jsonl", BROKEN_LINES)
    with pytest.warns(UserWarning) as caught:
        got = [a for a in iter_articles(p, errors="report")]
    messages = [str(w.message) for w in caught]
    bad_lines = sorted(n for n in BROKEN_BAD if BROKEN_BAD[n] != "duplicate")
    for n in bad_lines:
        hits = [m for m in messages if f"line {n}:" in m]
        assert len(hits) == 1, (n, messages)
        assert str(p) in hits[0] and BROKEN_BAD[n] in hits[0]
        if n in SKIPPED_LINES:
            assert "skipped" in hits[0]
    assert all(w.filename == __file__ for w in caught), "warnings point at the caller"
    # every non-blank line is yielded or warned about as skipped: nothing vanishes
    non_blank = sum(1 for x in BROKEN_LINES if _line_bytes(x).strip())
    warned_skipped = [n for n in bad_lines if n in SKIPPED_LINES]
    assert len(got) + len(warned_skipped) == non_blank
    assert [a.id for a in got][:2] == ["a", "b"]
    assert {"a", "b", "f", "h"} <= {a.id for a in got}
    assert got[1].meta == {"date_raw": "2024-13-01"}


def test_iter_articles_report_warns_as_lines_are_met(tmp_path):
    p = write_jsonl(tmp_path / "w.jsonl", [{"id": "a", "text": "1"}, b"[]",
                                           {"id": "b", "text": "2"}, b"{", {"id": "c", "text": "3"}])
    it = iter_articles(p, errors="report")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert next(it).id == "a"
        assert caught == []
        assert next(it).id == "b"
        assert len(caught) == 1 and "line 2:" in str(caught[0].message)
        assert next(it).id == "c"
        assert len(caught) == 2 and "line 4:" in str(caught[1].message)
        assert list(it) == []


def test_iter_articles_raise_stops_at_first_bad_line(tmp_path):
    p = write_jsonl(tmp_path / "broken.jsonl", BROKEN_LINES)
    got = []
    with pytest.raises(ValueError) as e:
        for a in iter_articles(p):
            got.append(a.id)
    assert got == ["a", "b"]  # b's bad date is repaired, not an error
    assert str(p) in str(e.value) and "line 5" in str(e.value)


def test_iter_articles_with_str_path_and_custom_fields(tmp_path):
    p = write_jsonl(tmp_path / "c.jsonl.gz", [{"key": "k1", "body": "B", "head": "H", "x": 1}],
                    gz=True)
    (a,) = list(iter_articles(str(p), fields={"id": "key", "text": "body", "title": "head"}))
    assert (a.id, a.text, a.title, a.meta) == ("k1", "B", "H", {"x": 1})


# ---------------------------------------------------------------------------------------
# Vectorizers taking a corpus
# ---------------------------------------------------------------------------------------


def _title_corpus() -> Corpus:
    return Corpus([
        Article(id="a", title="Zebra crossing",
                text="The cat sat on the mat near the road today, officials said."),
        Article(id="b", title="",
                text="A dog barked at the zebra in the zoo yesterday, keepers said."),
        Article(id="c", title="Budget talks",
                text="Ministers met in Brussels on Tuesday and agreed on a budget."),
    ])


@pytest.mark.parametrize("weight", [0, 1, 2, 3, 5])
def test_count_vectorizer_title_weight(weight):
    c = _title_corpus()
    v = newsim.CountVectorizer(title_weight=weight)
    X = v.fit_transform(c).toarray()
    voc = v.vocabulary_
    assert X.shape[0] == 3
    # title terms: weight times from the title, plus their count in the text
    assert X[0, voc["zebra"]] == weight
    assert X[2, voc["budget"]] == weight + 1
    if weight:
        assert X[0, voc["crossing"]] == weight and X[2, voc["talks"]] == weight
    else:
        assert "crossing" not in voc and "talks" not in voc
    # untitled articles and text terms do not move
    assert X[1, voc["zebra"]] == 1
    assert X[0, voc["cat"]] == 1 and X[2, voc["brussels"]] == 1


def test_tfidf_vectorizer_title_weight_documents(assert_csr_equal):
    c = _title_corpus()
    for weight in (0, 1, 3):
        docs = c.documents(title_weight=weight)
        titled = [(a.title + "\n") * weight + a.text if a.title else a.text for a in c]
        assert docs == titled  # these texts have nothing to clean
        X = newsim.TfidfVectorizer(title_weight=weight).fit_transform(c)
        assert_csr_equal(X, newsim.TfidfVectorizer().fit_transform(titled))
    X1 = newsim.TfidfVectorizer(title_weight=1).fit_transform(c)
    X3 = newsim.TfidfVectorizer(title_weight=3).fit_transform(c)
    assert (X1 != X3).nnz > 0, "title_weight changes the weights"
    assert newsim.TfidfVectorizer().title_weight == 1


def test_vectorizer_cleans_corpus_text():
    raw = ("Breaking News\n\nTalks stall\n\nNATO and Russia did not agree on the shield, "
           "officials said on Monday.\n\nRead more")
    c = Corpus([Article(id="x", text=raw)])
    assert c.documents(title_weight=2) == [
        "Talks stall\nTalks stall\nNATO and Russia did not agree on the shield, officials said "
        "on Monday."]
    v = newsim.CountVectorizer(title_weight=2)
    X = v.fit_transform(c).toarray()
    assert "breaking" not in v.vocabulary_ and "read" not in v.vocabulary_
    assert X[0, v.vocabulary_["talks"]] == 2 and X[0, v.vocabulary_["nato"]] == 1
    # a list of the same raw string is vectorized as it is
    v2 = newsim.CountVectorizer().fit([raw])
    assert "breaking" in v2.vocabulary_


def test_vectorizer_transform_takes_a_corpus():
    c = _title_corpus()
    v = newsim.TfidfVectorizer(title_weight=2).fit(c)
    X = v.transform(c[1:])
    assert X.shape == (2, len(v.vocabulary_))
    H = newsim.HashingVectorizer(title_weight=2, n_features=2 ** 10).fit_transform(c)
    assert H.shape == (3, 2 ** 10)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2", None])
def test_bad_title_weight(bad):
    with pytest.raises(ValueError, match="title_weight"):
        newsim.CountVectorizer(title_weight=bad).fit_transform(_title_corpus())


# ---------------------------------------------------------------------------------------
# Real corpora (skipped when absent)
# ---------------------------------------------------------------------------------------


def test_read_bbc(corpora_dir, bbc_records):
    p = corpus_path(corpora_dir, "bbc")
    c = read_articles(p)
    assert len(c) == len(bbc_records) == 2225 and c.skipped == 0
    assert c.ids == [str(r["id"]) for r in bbc_records]
    assert c.titles == [r.get("title") or "" for r in bbc_records]
    assert c.texts == [r.get("text") or "" for r in bbc_records]
    assert [a.meta for a in c[:50]] == [{"label": r["label"]} for r in bbc_records[:50]]
    assert as_tuples(iter_articles(p)) == as_tuples(c)


def test_read_reuters_with_its_one_bad_date(corpora_dir, reuters_texts):
    """Reuters-21578 holds one malformed date (line 17192, '31-MAR-1987 605:12:19.12'):
    kept without its date, with one warning by default (and listed under report)."""
    p = corpus_path(corpora_dir, "reuters21578")
    with pytest.warns(UserWarning, match="line 17192"):
        c = read_articles(p)
    assert len(c) == 21578 and c.bad_dates == 1
    c = read_articles(p, errors="report")
    assert len(c) == 21578 and c.skipped == 0
    assert len(c.issues) == 1 and c.issues[0][:2] == (str(p), 17192)
    assert "31-MAR-1987" in c.issues[0][2]
    assert c.texts == reuters_texts
    assert c[17191].date == "" and c[17191].meta["date_raw"] == "31-MAR-1987 605:12:19.12"
    assert c[0].datetime == dt.datetime(1987, 2, 26, 15, 1, 1)
    assert set(c[0].meta) == {"dateline", "places", "split", "topics"}
    with pytest.warns(UserWarning, match="line 17192"):
        n = sum(1 for _ in iter_articles(p, errors="report"))
    assert n == 21578
