"""Hardening (issue 20): numbers beyond double's range in JSON, lines without end, k and pair
counts that would not fit in memory, identical texts by the thousand. Each test failed before
the fix it names (see docs/bad-input.md)."""

from __future__ import annotations

import gzip
import json
import os
import re

import numpy as np
import pytest
import scipy.sparse as sp

import newsim
from newsim import _core, cli

GOOD = '{"id": "%s", "text": "NATO and Russia discuss missile defence in Brussels on Friday."}\n'


# ---------------------------------------------------------------------------------------
# JSON numbers beyond double's range (nlohmann's out_of_range)
# ---------------------------------------------------------------------------------------


@pytest.fixture
def overflow_jsonl(tmp_path):
    path = tmp_path / "overflow.jsonl"
    path.write_text(GOOD % "a" + '{"id": "b", "text": "t", "score": 1e400}\n' + GOOD % "c")
    return path


def test_jsonl_number_overflow_raises_naming_file_and_line(overflow_jsonl):
    with pytest.raises(ValueError, match=r"overflow\.jsonl, line 2: not valid JSON"):
        newsim.read_articles(overflow_jsonl)
    with pytest.raises(ValueError, match="line 2"):
        list(newsim.iter_articles(overflow_jsonl))


@pytest.mark.parametrize("errors", ["skip", "report"])
def test_jsonl_number_overflow_is_skipped_and_counted(overflow_jsonl, errors):
    corpus = newsim.read_articles(overflow_jsonl, errors=errors)
    assert corpus.ids == ["a", "c"]
    assert corpus.skipped == 1
    if errors == "report":
        assert [(line, "JSON" in msg) for _, line, msg in corpus.issues] == [(2, True)]
    with pytest.warns(UserWarning, match="line 2") if errors == "report" else _nothing():
        assert [a.id for a in newsim.iter_articles(overflow_jsonl, errors=errors)] == ["a", "c"]


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("where", ["idf", "python"])
def test_model_file_number_overflow_is_model_format_error(tmp_path, where):
    path = tmp_path / "model.json"
    newsim.TfidfVectorizer().fit(["nato summit", "summit talks"]).save(path)
    text = path.read_text()
    if where == "idf":
        text = re.sub(r'"idf": ?\[', '"idf": [1e400, ', text, count=1)
    else:
        text = re.sub(r'"python": ?\{', '"python": {"x": 1e400, ', text, count=1)
    assert "1e400" in text
    path.write_text(text)
    with pytest.raises(newsim.ModelFormatError, match=re.escape(str(path))):
        newsim.load(path)


def test_news_and_lsa_model_files_with_number_overflow(tmp_path):
    path = tmp_path / "news.json"
    newsim.NewsVectorizer().fit(["NATO summit in Brussels", "Summit talks end"]).save(path)
    path.write_text(path.read_text().replace('"version":', '"x":-1e999,"version":', 1))
    with pytest.raises(newsim.ModelFormatError, match="news.json"):
        newsim.NewsVectorizer.load(path)
    lsa_path = tmp_path / "lsa.json"
    lsa_path.write_text('{"format": "newsim.lsa", "version": 1, "fitted": 1e400}')
    with pytest.raises(newsim.ModelFormatError, match="lsa.json"):
        newsim.LSA.load(lsa_path)
    lsa_path.write_text('{"format": "newsim.lsa", "version": 1, "fitted": 7}')
    with pytest.raises(newsim.ModelFormatError, match="lsa.json"):
        newsim.LSA.load(lsa_path)


def _run_cli(*argv):
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_cli_number_overflow_is_one_line_not_a_traceback(overflow_jsonl):
    code, out, err = _run_cli("analyze", str(overflow_jsonl))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsim: error: "), err
    assert "overflow.jsonl, line 2" in lines[0]
    code, out, err = _run_cli("analyze", str(overflow_jsonl), "--errors", "skip",
                              "--format", "json")
    assert code == 0, err
    assert "1 malformed input line(s) skipped" in err
    assert [a["id"] for a in json.loads(out)["articles"]] == ["a", "c"]


# ---------------------------------------------------------------------------------------
# Lines without end
# ---------------------------------------------------------------------------------------


def test_jsonl_line_longer_than_max_line_bytes(tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_text(GOOD % "a" + '{"id": "b", "text": "%s"}\n' % ("x" * 5000) + GOOD % "c")
    with pytest.raises(ValueError, match=r"long\.jsonl, line 2: longer than 1000 bytes"):
        newsim.read_articles(path, max_line_bytes=1000)
    corpus = newsim.read_articles(path, errors="report", max_line_bytes=1000)
    assert corpus.ids == ["a", "c"] and corpus.skipped == 1
    assert corpus.issues[0][1] == 2 and "max_line_bytes" in corpus.issues[0][2]
    assert len(newsim.read_articles(path)) == 3  # 64 MiB by default
    assert [a.id for a in newsim.iter_articles(path, errors="skip", max_line_bytes=1000)] == \
        ["a", "c"]
    with pytest.raises(ValueError, match="max_line_bytes"):
        newsim.read_articles(path, max_line_bytes=0)


def test_jsonl_gzip_bomb_is_skipped_without_holding_it(tmp_path):
    # 200 MB of spaces in one line compress to about 200 KB; it is never held whole.
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write((GOOD % "a").encode())
        chunk = b" " * (1 << 20)
        for _ in range(200):
            f.write(chunk)
        f.write(b"\n" + (GOOD % "b").encode())
    assert path.stat().st_size < 1 << 20
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    corpus = newsim.read_articles(path, errors="skip", max_line_bytes=1 << 20)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert corpus.ids == ["a", "b"] and corpus.skipped == 1
    assert grown_kib < 100 * 1024, f"peak memory grew by {grown_kib} KiB"
    with pytest.raises(ValueError, match="line 2"):
        newsim.read_articles(path, max_line_bytes=1 << 20)


# ---------------------------------------------------------------------------------------
# k and pair counts that would not fit in memory
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def X50():
    rng = np.random.default_rng(3)
    return sp.random(50, 30, density=0.3, format="csr", random_state=rng)


def test_top_k_clamps_k_to_the_candidates(X50):
    idx, scores = newsim.top_k(X50, k=10**8)
    assert idx.shape == scores.shape == (50, 49)
    ref_idx, ref_scores = newsim.top_k(X50, k=49)
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_array_equal(scores, ref_scores)
    assert newsim.top_k(X50, k=10**8, Y=X50[:7])[0].shape == (50, 7)
    assert newsim.knn_graph(X50, k=10**8).shape == (50, 50)
    dense = X50.toarray()
    assert newsim.top_k(dense, k=10**8)[0].shape == (50, 49)
    assert newsim.knn_graph(dense, k=10**8).nnz == newsim.knn_graph(X50, k=49).nnz


def test_similarity_join_max_pairs(X50):
    everything = newsim.similarity_join(X50, 1e-9, max_pairs=None)
    n = everything.nnz
    assert n > 100
    assert newsim.similarity_join(X50, 1e-9, max_pairs=n).nnz == n
    with pytest.raises(ValueError, match=rf"gives {n} pairs, more than max_pairs = 10;.*raise"):
        newsim.similarity_join(X50, 1e-9, max_pairs=10)
    with pytest.raises(ValueError, match=rf"gives {n} pairs"):
        newsim.similarity_join(X50.toarray(), 1e-9, max_pairs=10)
    with pytest.raises(ValueError, match="max_pairs"):
        newsim.similarity_join(X50, 0.5, max_pairs=-1)
    assert newsim.similarity.MAX_PAIRS == 10_000_000


# ---------------------------------------------------------------------------------------
# Identical texts by the thousand
# ---------------------------------------------------------------------------------------


def test_near_duplicates_of_10000_identical_texts():
    text = ("Russia warns NATO over missile defence plans in Europe, saying the shield "
            "upsets the balance of forces on the continent, officials said on Tuesday.")
    r = newsim.near_duplicates([text] * 10_000 + ["something else entirely, and longer"])
    assert len(r.pairs) == 9_999  # each copy paired with the first, not 50 million pairs
    assert (r.pairs["a"] == 0).all() and (r.pairs["relation"] == "copy").all()
    assert r.groups == [list(range(10_000))]
    ix = newsim.NearDuplicateIndex()
    ix.add([text] * 5_000)
    assert len(ix.add([text] * 5_000)) == 5_000
    assert len(ix.query(text)) == 10_000  # query still names every copy


def test_near_duplicates_max_pairs():
    texts = [" ".join(f"w{j}" if j != i else "changed" for j in range(100)) for i in range(40)]
    with pytest.raises(ValueError, match="max_pairs = 50"):
        newsim.near_duplicates(texts, 0.7, max_pairs=50)
    ix = newsim.NearDuplicateIndex(0.7, max_pairs=50)
    with pytest.raises(ValueError, match="nothing was added"):
        ix.add(texts)
    assert len(ix) == 0
    assert len(newsim.near_duplicates(texts, 0.7, max_pairs=None).pairs) == 780


# ---------------------------------------------------------------------------------------
# Silent loss: CSV quotes and headers, long integer ids
# ---------------------------------------------------------------------------------------


def test_csv_unterminated_quote_is_malformed_not_one_article(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('id,text\n1,fine\n2,"opens\n3,never closes\n4,more\n')
    with pytest.raises(ValueError, match=r"line 3: a quoted field opened on line 3 never closes"):
        newsim.read_articles(path)
    corpus = newsim.read_articles(path, errors="report")
    assert corpus.ids == ["1"] and corpus.skipped == 1
    assert "lines 3 to 5" in corpus.issues[0][2]
    # A quoted field over several lines that does close, last in the file, is fine.
    ok = tmp_path / "ok.csv"
    ok.write_text('id,text\n1,plain\n2,"two\nlines"\n')
    assert [a.text for a in newsim.read_articles(ok)] == ["plain", "two\nlines"]


def test_csv_duplicate_header_names_are_an_error(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("id,text,text\n1,first,second\n")
    for errors in ("raise", "skip"):
        with pytest.raises(ValueError, match=r"dup\.csv: the header names \['text'\] more than once"):
            newsim.read_articles(path, errors=errors)


def test_jsonl_integer_ids_beyond_64_bits_stay_exact(tmp_path):
    path = tmp_path / "ids.jsonl"
    path.write_text('{"id": 123456789012345678901234567890, "text": "a"}\n'
                    '{"id": 123456789012345678901234567891, "text": "b"}\n')
    corpus = newsim.read_articles(path)
    assert corpus.ids == ["123456789012345678901234567890", "123456789012345678901234567891"]


# ---------------------------------------------------------------------------------------
# Model files whose python section disagrees with the core model, or cannot be read
# ---------------------------------------------------------------------------------------


def _edit_model(path, edit):
    model = json.loads(path.read_text())
    edit(model)
    path.write_text(json.dumps(model))


def test_model_file_python_section_that_disagrees_with_options(tmp_path):
    # A HashingVectorizer transformed to 7 columns where the C++ model says 32; a
    # TfidfVectorizer's get_params() said l1 / no idf while transform used l2 and idf.
    path = tmp_path / "hashing.json"
    newsim.HashingVectorizer(n_features=32).save(path)
    _edit_model(path, lambda m: m["python"]["params"].update(n_features=7))
    with pytest.raises(newsim.ModelFormatError,
                       match=r"hashing\.json.*python section disagrees.*n_features: 7 in python, "
                             r"32 in options"):
        newsim.load(path)
    path = tmp_path / "tfidf.json"
    newsim.TfidfVectorizer().fit(["nato summit", "summit talks"]).save(path)
    _edit_model(path, lambda m: m["python"]["params"].update(norm="l1", use_idf=False))
    with pytest.raises(newsim.ModelFormatError, match=r"tfidf\.json.*norm: 'l1' in python"):
        newsim.load(path)
    _edit_model(path, lambda m: m["python"].update(class_="x", **{"class": "CountVectorizer"}))
    with pytest.raises(newsim.ModelFormatError, match=r"tfidf\.json"):
        newsim.load(path)
    path = tmp_path / "news.json"
    newsim.NewsVectorizer().fit(["NATO summit in Brussels", "Summit talks end"]).save(path)
    _edit_model(path, lambda m: m["python"]["params"].update(scheme="tfidf"))
    with pytest.raises(newsim.ModelFormatError, match=r"news\.json.*scheme: 'tfidf' in python"):
        newsim.NewsVectorizer.load(path)


@pytest.mark.parametrize("python", [
    [1, 2], {"params": [1]}, {"class": "Pipeline"}, {"class": ["a"]}, {"params": {"bogus": 1}},
    {"params": {"dtype": 5}}, {"params": {"dtype": "float64", "ngram_range": 5}},
    {"params": {"dtype": "float64", "vocabulary": {"__set__": [[1]]}}},
    {"params": {"dtype": "float64", "encoding": "no-such-codec"}},
    {"params": {"dtype": "float64", "encoding": 5}},
])
def test_model_file_unreadable_python_section_is_model_format_error(tmp_path, python):
    # They raised TypeError, AttributeError, KeyError or LookupError.
    path = tmp_path / "model.json"
    newsim.TfidfVectorizer().fit(["nato summit", "summit talks"]).save(path)
    _edit_model(path, lambda m: m.update(python=python))
    with pytest.raises(newsim.ModelFormatError, match=r"model\.json.*python section"):
        newsim.load(path)


def test_model_file_nested_too_deeply_is_model_format_error(tmp_path):
    # json.loads raised RecursionError.
    path = tmp_path / "deep.json"
    newsim.TfidfVectorizer().fit(["nato summit", "summit talks"]).save(path)
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text(re.sub(r'"python": ?\{', '"python": {"deep": %s, ' % deep, path.read_text(), 1))
    with pytest.raises(newsim.ModelFormatError, match=r"deep\.json"):
        newsim.load(path)
    news = tmp_path / "deep-news.json"
    newsim.NewsVectorizer().fit(["NATO summit in Brussels", "Summit talks end"]).save(news)
    news.write_text(re.sub(r'"python": ?\{', '"python": {"deep": %s, ' % deep, news.read_text(), 1))
    with pytest.raises(newsim.ModelFormatError, match=r"deep-news\.json"):
        newsim.NewsVectorizer.load(news)


def test_model_files_written_by_cpp_still_load(tmp_path):
    # Without a python section the parameters come from the options, and agree with them.
    path = tmp_path / "cpp.json"
    for est in [newsim.TfidfVectorizer(stop_words=["a"], ngram_range=(1, 2), max_df=3),
                newsim.TfidfVectorizer(use_idf=False, norm="l1"),
                newsim.CountVectorizer(vocabulary=["nato", "summit"]),
                newsim.HashingVectorizer(n_features=64)]:
        if not isinstance(est, newsim.HashingVectorizer):
            est.fit(["nato summit", "summit talks"])
        est.save(path)
        _edit_model(path, lambda m: m.pop("python"))
        loaded = newsim.load(path)
        assert type(loaded) is type(est)
        assert (loaded.transform(["nato talks"]) != est.transform(["nato talks"])).nnz == 0


@pytest.mark.parametrize("idf", [1e308, 44.7, 0.5, -1.0])
def test_model_file_idf_outside_its_range_is_model_format_error(tmp_path, idf):
    # 1e308 passed (finite, >= 1) and zeroed every row holding the term.
    path = tmp_path / "idf.json"
    newsim.TfidfVectorizer().fit(["nato summit", "summit talks"]).save(path)
    _edit_model(path, lambda m: m["idf"].__setitem__(0, idf))
    with pytest.raises(newsim.ModelFormatError, match=r"idf\.json.*idf\[0\] = "):
        newsim.load(path)
    news = tmp_path / "news-idf.json"
    newsim.NewsVectorizer().fit(["NATO summit in Brussels", "Summit talks end"]).save(news)
    _edit_model(news, lambda m: m["idf"].__setitem__(0, idf))
    if not 0 <= idf <= 44:  # BM25's idf may be below 1, not below 0
        with pytest.raises(newsim.ModelFormatError, match=r"news-idf\.json.*idf\[0\] = "):
            newsim.NewsVectorizer.load(news)


# ---------------------------------------------------------------------------------------
# Unclear errors: dates outside pandas' range, time windows, corrupt CSR arrays
# ---------------------------------------------------------------------------------------

_TEXTS = ["NATO and Russia discuss missile defence in Brussels on Friday.",
          "NATO and Russia discuss missile defence in Brussels on Monday.",
          "The football club won the cup final on Saturday."]


def test_dates_outside_pandas_range_work():
    # dates=["0001-01-01"] gave "Out of bounds nanosecond timestamp"; pandas' timestamps end
    # in 1677 and 2262, Python's dates (and the core's parse_date) run from year 1 to 9999.
    import datetime as dt

    result = newsim.cluster_stories(_TEXTS, dates=["0001-01-01", "0001-01-02", "9999-12-31"])
    firsts = sorted(str(d)[:10] for d in result.stories["first_date"])
    assert firsts == ["0001-01-01", "9999-12-31"]
    result = newsim.cluster_stories(_TEXTS, dates=[dt.datetime(204, 5, 1), dt.date(204, 5, 3),
                                                   "May 1, 2024"])
    assert sorted(d.year for d in result.stories["first_date"]) == [204, 2024]
    assert sorted(d.year for d in result.stories["last_date"]) == [204, 2024]
    with pytest.raises(ValueError, match=r"dates\[0\]: '0001-01-01T00:00\+05:00' is outside"):
        newsim.cluster_stories(_TEXTS, dates=["0001-01-01T00:00+05:00", None, None])
    with pytest.raises(ValueError, match=r"dates\[1\]: 1e\+300 is outside"):
        newsim.cluster_stories(_TEXTS, dates=[None, 1e300, None])


def test_cli_iso_date_before_1677(tmp_path):
    # An ISO date 0204-05-01 stopped newsim analyze with "cannot convert input with unit 's'".
    path = tmp_path / "old.jsonl"
    path.write_text("".join(json.dumps({"id": f"a{i}", "text": t, "date": d}) + "\n" for i, (t, d)
                            in enumerate(zip(_TEXTS, ["0204-05-01", "0204-05-02", "2024-05-01"]))))
    out = tmp_path / "report.json"
    code, _, err = _run_cli("analyze", str(path), "--format", "json", "-o", str(out),
                            "--no-progress")
    assert code == 0, err
    report = json.loads(out.read_text())
    assert sorted(s["first_date"][:10] for s in report["stories"]) == ["0204-05-01", "2024-05-01"]


def test_time_window_too_long_for_pandas_or_for_seconds(tmp_path):
    # --time-window 1e308 was refused in "seconds" (the option is days);
    # time_window='1000000000D' raised OverflowError.
    dates = ["2024-01-01", "2024-01-02", "2024-01-03"]
    huge = newsim.cluster_stories(_TEXTS, dates=dates, time_window=1e308)
    none = newsim.cluster_stories(_TEXTS, dates=dates, time_window=0)
    assert list(huge.labels) == list(none.labels)
    with pytest.raises(ValueError, match=r"time_window: '1000000000D' is longer than pandas'"):
        newsim.cluster_stories(_TEXTS, dates=dates, time_window="1000000000D")
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps({"id": f"a{i}", "text": t, "date": d}) + "\n"
                            for i, (t, d) in enumerate(zip(_TEXTS, dates))))
    code, _, err = _run_cli("analyze", str(path), "--time-window", "1e308", "-o",
                            str(tmp_path / "r.txt"), "--no-progress")
    assert code == 0, err
    with pytest.raises(SystemExit) as exit_:
        _run_cli("analyze", str(path), "--time-window", "nan", "--no-progress")
    assert exit_.value.code == 2


@pytest.mark.parametrize("indptr", [[0, 5, 2, 8], [0, -3, 4, 8], [2, 3, 5, 8]])
def test_corrupt_csr_indptr_is_a_value_error_naming_the_matrix(indptr):
    # A decreasing indptr gave RuntimeError "vector::_M_default_append" (from scipy).
    X = newsim.TfidfVectorizer().fit_transform(["nato summit talks", "summit talks end",
                                                "russia nato"])
    X.indptr = np.array(indptr, dtype=X.indptr.dtype)
    for call in (lambda: newsim.top_k(X, k=2), lambda: newsim.similarity_join(X, 0.1),
                 lambda: newsim.top_k(np.ones((1, 5)), Y=X),
                 lambda: newsim.LSA(n_components=2).fit_transform(X)):
        with pytest.raises(ValueError, match=r"(X|Y) is not a valid CSR matrix"):
            call()


# ---------------------------------------------------------------------------------------
# Ctrl-C in the vectorizers
# ---------------------------------------------------------------------------------------


# Under scripts/sanitize.sh (ASan preloaded) the same code runs several times slower, and
# more so on a loaded machine: there the test checks that Ctrl-C stops the call at all.
STOP_WITHIN = 8.0 if "asan" in os.environ.get("LD_PRELOAD", "") else 1.0


def _interrupt_after(seconds, call):
    """Seconds from the signal to KeyboardInterrupt (None when the call ended first)."""
    import _thread
    import threading
    import time

    timer = threading.Timer(seconds, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    try:
        call()
    except KeyboardInterrupt:
        return time.perf_counter() - start - seconds
    finally:
        timer.cancel()
    return None


def test_ctrl_c_stops_fit_transform_and_pruning():
    # Ctrl-C during TfidfVectorizer(ngram_range=(1, 3)).fit_transform of 56k documents took
    # 7.9 s to stop: the vectorizer polled nothing, pruning millions of terms included.
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(30000)])
    docs = [" ".join(words[rng.integers(0, len(words), 300)]) for _ in range(6000)]
    v = newsim.TfidfVectorizer(ngram_range=(1, 3), n_jobs=2)
    late = _interrupt_after(0.3, lambda: v.fit_transform(docs))
    assert late is not None and late < STOP_WITHIN
    # Pruning alone: fit_statistics of ~3.6 M terms (sorting them takes seconds).
    stats = v.statistics(docs)
    late = _interrupt_after(0.2, lambda: v.fit_statistics(stats))
    assert late is not None and late < STOP_WITHIN


def test_folder_with_a_symlink_loop(tmp_path):
    # A symlink loop gave "RuntimeError: filesystem error" with a traceback, also under
    # --errors report (the fix is in read_folder, cpp/src/reader.cpp).
    (tmp_path / "a.txt").write_text(GOOD % "a")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    with pytest.raises(OSError, match=r"loop\.txt: cannot read"):
        newsim.read_articles(tmp_path)
    corpus = newsim.read_articles(tmp_path, errors="report")
    assert corpus.ids == ["a"] and corpus.skipped == 1
    assert [str(f).endswith("loop.txt") for f, _, _ in corpus.issues] == [True]
    code, _, err = _run_cli("analyze", str(tmp_path), "--no-progress")
    assert code == 1 and "Traceback" not in err and "loop.txt: cannot read" in err
    code, _, err = _run_cli("analyze", str(tmp_path), "--errors", "report", "--no-progress",
                            "-o", str(tmp_path / "r.txt"))
    assert code == 0 and "1 malformed input line(s) skipped" in err
