"""Parity with scikit-learn on real corpora.

newsim promises scikit-learn's numbers for the sklearn-compatible settings: the same
vocabulary_, the same feature names, idf_ and every matrix entry within 1e-12 (float64),
exact integer counts. Every newsim estimator here runs with n_jobs=2 so the parallel path
is the one under test; test_thread_count_does_not_change_results checks it against the
serial one.

Runtime: scikit-learn needs a few seconds per fit on 20 Newsgroups (~36 MB), so that corpus
gets four settings and the slow char_wb analyzer runs on an evenly spaced subset.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction import text as sk

import newsim

N_JOBS = 2
ATOL = 1e-12

TFIDF_SETTINGS = {
    "defaults": {},
    "sublinear_english": dict(sublinear_tf=True, stop_words="english"),
    "bigrams_pruned": dict(ngram_range=(1, 2), min_df=2, max_df=0.9),
    "char_wb_2_4": dict(analyzer="char_wb", ngram_range=(2, 4)),
    "binary_l1": dict(binary=True, norm="l1"),
    "no_smooth_idf": dict(smooth_idf=False),
    "strip_unicode": dict(strip_accents="unicode"),
    "strip_ascii": dict(strip_accents="ascii"),
    "max_features_5000": dict(max_features=5000),
}

# 20 Newsgroups is big: four settings only.
NEWSGROUPS_SETTINGS = ("defaults", "sublinear_english", "strip_unicode", "char_wb_2_4")

# char_wb produces ~2 million n-grams per MB of text; keep its input to a few MB.
CHAR_WB_SUBSET = {"bbc": 2, "reuters21578": 4, "20newsgroups": None, "seeds": 1}


def _subset(name, texts, setting):
    if setting != "char_wb_2_4":
        return texts
    if name == "20newsgroups":
        step = max(1, len(texts) // 3000)
        return texts[::step][:3000]
    return texts[:: CHAR_WB_SUBSET[name]]


def _tfidf_cases():
    for name in ("seeds", "bbc", "reuters21578"):
        for setting in TFIDF_SETTINGS:
            yield pytest.param(name, setting, id=f"{name}-{setting}")
    for setting in NEWSGROUPS_SETTINGS:
        yield pytest.param("20newsgroups", setting, id=f"20newsgroups-{setting}")


def _max_features_diagnosis(texts, params, ours, ref):
    """Explain a max_features mismatch: are all differing terms tied at the cut-off?

    scikit-learn picks the max_features most frequent terms with numpy's *unstable*
    argsort, so which of several terms tied at the cut-off survive depends on numpy's
    introsort.
    """
    base = {k: v for k, v in params.items() if k != "max_features"}
    full = sk.CountVectorizer(**{k: v for k, v in base.items() if k in _COUNT_KEYS})
    counts = full.fit_transform(texts)
    tfs = np.asarray(counts.sum(axis=0)).ravel()
    tf_of = {t: tfs[i] for t, i in full.vocabulary_.items()}
    cutoff = np.sort(tfs)[::-1][params["max_features"] - 1]
    diff = set(ours.vocabulary_) ^ set(ref.vocabulary_)
    tied = all(tf_of.get(t) == cutoff for t in diff)
    n_tied = int((tfs == cutoff).sum())
    return (
        f"\n{len(diff)} terms differ; cut-off frequency {cutoff}, {n_tied} terms tied at it; "
        f"all differing terms tied at the cut-off: {tied}"
    )


_COUNT_KEYS = {
    "input", "encoding", "decode_error", "strip_accents", "lowercase", "preprocessor",
    "tokenizer", "stop_words", "token_pattern", "ngram_range", "analyzer", "max_df",
    "min_df", "max_features", "vocabulary", "binary", "dtype",
}  # fmt: skip


def _check_tfidf(ours, ref, X_ours, X_ref, assert_vocab_equal, assert_csr_equal, atol=ATOL):
    assert_vocab_equal(ours, ref)
    assert isinstance(ours.idf_, np.ndarray)
    assert ours.idf_.shape == ref.idf_.shape
    np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=0, atol=atol)
    assert_csr_equal(X_ours, X_ref, atol)


@pytest.mark.parametrize("name,setting", list(_tfidf_cases()))
def test_tfidf_parity(name, setting, corpus_texts, assert_vocab_equal, assert_csr_equal):
    texts = _subset(name, corpus_texts(name), setting)
    params = TFIDF_SETTINGS[setting]
    ref = sk.TfidfVectorizer(**params)
    X_ref = ref.fit_transform(texts)
    ours = newsim.TfidfVectorizer(n_jobs=N_JOBS, **params)
    X_ours = ours.fit_transform(texts)
    try:
        assert_vocab_equal(ours, ref)
    except AssertionError as exc:
        if "max_features" in params:
            raise AssertionError(
                str(exc) + _max_features_diagnosis(texts, params, ours, ref)
            ) from None
        raise
    assert ours.stop_words_ == ref.stop_words_
    assert not ours.fixed_vocabulary_
    _check_tfidf(ours, ref, X_ours, X_ref, assert_vocab_equal, assert_csr_equal)


COUNT_SETTINGS = {
    "defaults": {},
    "english": dict(stop_words="english"),
    "bigrams_pruned": dict(ngram_range=(1, 2), min_df=2, max_df=0.9),
    "binary": dict(binary=True),
    "strip_ascii_no_lower": dict(strip_accents="ascii", lowercase=False),
    "char_1_3": dict(analyzer="char", ngram_range=(1, 3)),
    "int_df_bounds": dict(min_df=3, max_df=500),
}


@pytest.mark.parametrize("setting", list(COUNT_SETTINGS))
@pytest.mark.parametrize("name", ["seeds", "bbc", "reuters21578"])
def test_count_parity(name, setting, corpus_texts, assert_vocab_equal, assert_csr_equal):
    texts = corpus_texts(name)
    if name == "reuters21578" and setting in ("char_1_3", "bigrams_pruned"):
        texts = texts[:: 4 if setting == "char_1_3" else 2]
    params = COUNT_SETTINGS[setting]
    ref = sk.CountVectorizer(**params)
    X_ref = ref.fit_transform(texts)
    ours = newsim.CountVectorizer(n_jobs=N_JOBS, **params)
    X_ours = ours.fit_transform(texts)
    assert_vocab_equal(ours, ref)
    assert ours.stop_words_ == ref.stop_words_
    assert X_ours.dtype == np.int64
    assert_csr_equal(X_ours, X_ref, 0)


def test_count_parity_20newsgroups(newsgroups_texts, assert_vocab_equal, assert_csr_equal):
    ref = sk.CountVectorizer(min_df=2)
    X_ref = ref.fit_transform(newsgroups_texts)
    ours = newsim.CountVectorizer(min_df=2, n_jobs=N_JOBS)
    X_ours = ours.fit_transform(newsgroups_texts)
    assert_vocab_equal(ours, ref)
    assert ours.stop_words_ == ref.stop_words_
    assert_csr_equal(X_ours, X_ref, 0)


HASHING_SETTINGS = {
    "defaults": {},
    "1024_signed_nonorm": dict(n_features=2**10, alternate_sign=True, norm=None),
    "1024_unsigned_nonorm": dict(n_features=2**10, alternate_sign=False, norm=None),
    "1024_unsigned_l1_binary": dict(n_features=2**10, alternate_sign=False, norm="l1", binary=True),
    "char_wb_3_5": dict(analyzer="char_wb", ngram_range=(3, 5), n_features=2**18),
}


@pytest.mark.parametrize("setting", list(HASHING_SETTINGS))
@pytest.mark.parametrize("name", ["seeds", "bbc", "reuters21578"])
def test_hashing_parity(name, setting, corpus_texts, assert_csr_equal):
    texts = corpus_texts(name)
    if setting == "char_wb_3_5" and name != "seeds":
        texts = texts[:: CHAR_WB_SUBSET[name] * 2]
    params = HASHING_SETTINGS[setting]
    X_ref = sk.HashingVectorizer(**params).transform(texts)
    ours = newsim.HashingVectorizer(n_jobs=N_JOBS, **params)
    X_ours = ours.fit_transform(texts)
    assert_csr_equal(X_ours, X_ref, ATOL)
    # Stateless: transform works without fit, and gives the same thing.
    X_again = newsim.HashingVectorizer(n_jobs=N_JOBS, **params).transform(texts)
    assert_csr_equal(X_again, X_ref, ATOL)


def test_hashing_parity_20newsgroups(newsgroups_texts, assert_csr_equal):
    params = dict(n_features=2**10, alternate_sign=True, norm=None)
    X_ref = sk.HashingVectorizer(**params).transform(newsgroups_texts)
    X_ours = newsim.HashingVectorizer(n_jobs=N_JOBS, **params).transform(newsgroups_texts)
    assert_csr_equal(X_ours, X_ref, ATOL)


# --------------------------------------------------------------------------------------
# Thread count, fit/transform split, dtype
# --------------------------------------------------------------------------------------


def _assert_bit_identical(a, b):
    assert isinstance(a, sp.csr_matrix) and isinstance(b, sp.csr_matrix)
    assert a.shape == b.shape and a.dtype == b.dtype
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)


@pytest.mark.parametrize(
    "params",
    [{}, dict(ngram_range=(1, 2), min_df=2, max_df=0.9, sublinear_tf=True),
     dict(analyzer="char_wb", ngram_range=(2, 4)), dict(max_features=5000)],
    ids=["defaults", "bigrams", "char_wb", "max_features"],
)  # fmt: skip
def test_thread_count_does_not_change_results(params, bbc_texts):
    texts = bbc_texts[::2] if params.get("analyzer") == "char_wb" else bbc_texts
    results = []
    for n_jobs in (1, 2, None):
        v = newsim.TfidfVectorizer(n_jobs=n_jobs, **params)
        X = v.fit_transform(texts)
        results.append((v, X))
    (v1, X1) = results[0]
    for v, X in results[1:]:
        assert v.vocabulary_ == v1.vocabulary_
        assert np.array_equal(v.idf_, v1.idf_)
        _assert_bit_identical(X, X1)
        _assert_bit_identical(v.transform(texts[:300]), v1.transform(texts[:300]))


def test_thread_count_hashing_and_count(bbc_texts):
    c1 = newsim.CountVectorizer(n_jobs=1).fit_transform(bbc_texts)
    c2 = newsim.CountVectorizer(n_jobs=2).fit_transform(bbc_texts)
    _assert_bit_identical(c1, c2)
    h1 = newsim.HashingVectorizer(n_jobs=1).transform(bbc_texts)
    h2 = newsim.HashingVectorizer(n_jobs=2).transform(bbc_texts)
    _assert_bit_identical(h1, h2)


def test_fit_then_transform_equals_fit_transform(bbc_texts):
    v = newsim.TfidfVectorizer(n_jobs=N_JOBS)
    X_ft = v.fit_transform(bbc_texts)
    X_t = v.transform(bbc_texts)
    assert abs(X_ft - X_t).max() <= ATOL
    X_t2 = newsim.TfidfVectorizer(n_jobs=N_JOBS).fit(bbc_texts).transform(bbc_texts)
    assert abs(X_ft - X_t2).max() <= ATOL


@pytest.mark.parametrize("cls", ["TfidfVectorizer", "CountVectorizer"])
def test_fit_bbc_transform_reuters(cls, bbc_texts, reuters_texts, assert_vocab_equal,
                                   assert_csr_equal):  # fmt: skip
    ref = getattr(sk, cls)().fit(bbc_texts)
    ours = getattr(newsim, cls)(n_jobs=N_JOBS).fit(bbc_texts)
    assert_vocab_equal(ours, ref)
    X_ref = ref.transform(reuters_texts)
    X_ours = ours.transform(reuters_texts)
    assert_csr_equal(X_ours, X_ref, ATOL if cls == "TfidfVectorizer" else 0)


def test_float32_dtype(bbc_texts, assert_vocab_equal, assert_csr_equal):
    ref = sk.TfidfVectorizer(dtype=np.float32)
    X_ref = ref.fit_transform(bbc_texts)
    ours = newsim.TfidfVectorizer(dtype=np.float32, n_jobs=N_JOBS)
    X_ours = ours.fit_transform(bbc_texts)
    assert X_ours.dtype == np.float32
    assert_vocab_equal(ours, ref)
    np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=1e-6, atol=1e-6)
    assert_csr_equal(X_ours, X_ref, 1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_count_dtype(dtype, seed_texts, assert_csr_equal):
    X_ref = sk.CountVectorizer(dtype=dtype).fit_transform(seed_texts)
    X_ours = newsim.CountVectorizer(dtype=dtype).fit_transform(seed_texts)
    assert_csr_equal(X_ours, X_ref, 0)


# --------------------------------------------------------------------------------------
# Fixed vocabularies, token patterns, stop words
# --------------------------------------------------------------------------------------

FIXED_TERMS = ["government", "said", "year", "zzz-not-a-token", "music", "film",
               "unseen", "mobile", "economy", "labour", "blair", "the"]  # fmt: skip


@pytest.mark.parametrize("kind", ["list", "dict", "set", "tuple"])
@pytest.mark.parametrize("cls", ["TfidfVectorizer", "CountVectorizer"])
def test_fixed_vocabulary(kind, cls, bbc_texts, assert_vocab_equal, assert_csr_equal):
    if kind == "dict":
        rng = np.random.default_rng(0)
        order = rng.permutation(len(FIXED_TERMS))
        vocab = {t: int(i) for t, i in zip(FIXED_TERMS, order)}
    else:
        vocab = {"list": list, "set": set, "tuple": tuple}[kind](FIXED_TERMS)
    ref = getattr(sk, cls)(vocabulary=vocab)
    X_ref = ref.fit_transform(bbc_texts)
    ours = getattr(newsim, cls)(vocabulary=vocab, n_jobs=N_JOBS)
    X_ours = ours.fit_transform(bbc_texts)
    assert ours.fixed_vocabulary_
    assert_vocab_equal(ours, ref)
    if cls == "TfidfVectorizer":
        np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=0, atol=ATOL)
    assert_csr_equal(X_ours, X_ref, ATOL if cls == "TfidfVectorizer" else 0)


def test_fixed_vocabulary_bigrams(bbc_texts, assert_vocab_equal, assert_csr_equal):
    vocab = ["prime minister", "the", "said the", "chancellor gordon", "gordon brown"]
    ref = sk.TfidfVectorizer(vocabulary=vocab, ngram_range=(1, 2))
    ours = newsim.TfidfVectorizer(vocabulary=vocab, ngram_range=(1, 2), n_jobs=N_JOBS)
    X_ref = ref.fit_transform(bbc_texts)
    X_ours = ours.fit_transform(bbc_texts)
    assert_vocab_equal(ours, ref)
    assert_csr_equal(X_ours, X_ref, ATOL)


def test_count_fixed_vocabulary_transform_without_fit(seed_texts, assert_csr_equal):
    # scikit-learn lets CountVectorizer transform straight away when given a vocabulary.
    X_ref = sk.CountVectorizer(vocabulary=FIXED_TERMS).transform(seed_texts)
    X_ours = newsim.CountVectorizer(vocabulary=FIXED_TERMS).transform(seed_texts)
    assert_csr_equal(X_ours, X_ref, 0)


PATTERNS = [r"(?u)\b\w+\b", r"\b[a-z]+\b", r"(\w+)ing\b", r"\b\w\w+\b", r"[A-Z][a-z]+", r"\d+"]


@pytest.mark.parametrize(
    "pattern,lowercase",
    # Lowercased text has no capitals for [A-Z][a-z]+ to find (an empty vocabulary).
    [(p, lc) for p in PATTERNS for lc in (True, False) if lc is False or "A-Z" not in p],
)
def test_token_pattern(pattern, lowercase, bbc_texts, assert_vocab_equal, assert_csr_equal):
    texts = bbc_texts[:800]
    ref = sk.CountVectorizer(token_pattern=pattern, lowercase=lowercase)
    X_ref = ref.fit_transform(texts)
    ours = newsim.CountVectorizer(token_pattern=pattern, lowercase=lowercase, n_jobs=N_JOBS)
    X_ours = ours.fit_transform(texts)
    assert_vocab_equal(ours, ref)
    assert_csr_equal(X_ours, X_ref, 0)
    analyze_ref = ref.build_analyzer()
    analyze_ours = ours.build_analyzer()
    for doc in texts[:20]:
        assert analyze_ours(doc) == analyze_ref(doc)


def test_user_stop_words(bbc_texts, assert_vocab_equal, assert_csr_equal):
    stop = ["the", "and", "of", "said", "mr", "to", "in", "is", "was", "it", "for"]
    ref = sk.TfidfVectorizer(stop_words=stop, ngram_range=(1, 2), min_df=2)
    X_ref = ref.fit_transform(bbc_texts)
    ours = newsim.TfidfVectorizer(stop_words=stop, ngram_range=(1, 2), min_df=2, n_jobs=N_JOBS)
    X_ours = ours.fit_transform(bbc_texts)
    assert not set(stop) & set(ours.vocabulary_)
    _check_tfidf(ours, ref, X_ours, X_ref, assert_vocab_equal, assert_csr_equal)


def test_english_stop_words_list_matches_sklearn():
    ours = newsim.CountVectorizer(stop_words="english").build_analyzer()
    ref = sk.CountVectorizer(stop_words="english").build_analyzer()
    text = " ".join(sorted(sk.ENGLISH_STOP_WORDS)) + " newsroom editor wire"
    assert ours(text) == ref(text) == ["newsroom", "editor", "wire"]


# --------------------------------------------------------------------------------------
# build_analyzer on hand-picked strings
# --------------------------------------------------------------------------------------

SAMPLES = [
    "",
    "   ",
    "a",
    "The quick brown fox — jumps over the lazy dog's back, 3 times (again)!",
    "Crème brûlée at the Café Ñandú; naïve façade, coöperate, Ångström",
    "ΣΊΣΥΦΟΣ ΟΔΟΣ Σ ΣΑΣ. ὈΔΥΣΣΕΎΣ",
    "İstanbul DİYARBAKIR ıi straße STRASSE ﬁnance ﬂoor ² x² ½ Ⅻ",
    "東京都 北京市 서울 ﾃｽﾄ Ｆｕｌｌｗｉｄｔｈ １２３",
    "tab\there\nnew\r\nline\x0bvt\x0cff\x1cfs\x1drs\x85nel\u00a0nbsp\u2028ls\u2029ps\u3000ideo",
    "zero\u200bwidth soft\u00adhyphen word\u2060joiner nul\x00byte",
    "snake_case __dunder__ x_1 _ __ 123_456 3.14 1,000,000 e-mail u.s.a.",
    "e\u0301e\u0301 combining a\u0308 o\u0338 q\u0323\u0307 \u0301lead",
    "emoji 👍🏽 👨‍👩‍👧 flags 🇬🇧 text",
    "Arabic العربية Hebrew עִבְרִית Devanagari हिन्दी Thai ภาษาไทย",
    "ǅemal ǈ ǋ ﬀ ﬃ ŉ ǰ ΐ ẞ",
]

ANALYZER_CONFIGS = [
    dict(),
    dict(lowercase=False),
    dict(strip_accents="unicode"),
    dict(strip_accents="ascii", lowercase=False),
    dict(ngram_range=(1, 3)),
    dict(stop_words="english", ngram_range=(2, 2)),
    dict(analyzer="char", ngram_range=(1, 3)),
    dict(analyzer="char", ngram_range=(2, 2), lowercase=False, strip_accents="unicode"),
    dict(analyzer="char_wb", ngram_range=(1, 4)),
    dict(analyzer="char_wb", ngram_range=(3, 5), strip_accents="ascii"),
    dict(token_pattern=r"(?u)\b\w+\b"),
    dict(token_pattern=r"\S+"),
]


@pytest.mark.parametrize("config", ANALYZER_CONFIGS, ids=lambda c: repr(c))
@pytest.mark.parametrize("cls", ["CountVectorizer", "TfidfVectorizer", "HashingVectorizer"])
def test_build_analyzer(cls, config):
    ours = getattr(newsim, cls)(**config).build_analyzer()
    ref = getattr(sk, cls)(**config).build_analyzer()
    for s in SAMPLES:
        got, want = ours(s), ref(s)
        assert isinstance(got, list), type(got)
        assert got == want, f"{s!r}: {got!r} != {want!r}"


def test_build_analyzer_on_corpus(seed_texts):
    for config in ANALYZER_CONFIGS:
        ours = newsim.CountVectorizer(**config).build_analyzer()
        ref = sk.CountVectorizer(**config).build_analyzer()
        for doc in seed_texts:
            assert ours(doc) == ref(doc), config


def test_feature_names_are_terms(seed_texts):
    v = newsim.CountVectorizer(ngram_range=(1, 2)).fit(seed_texts)
    names = v.get_feature_names_out()
    assert all(type(n) is str for n in names)
    assert [names[i] for i in sorted(v.vocabulary_.values())] == sorted(v.vocabulary_)
    assert all(re.fullmatch(r"\S+( \S+)?", n) for n in names)


# --------------------------------------------------------------------------------------
# token_pattern is a Python regular expression: its syntax and semantics must carry over
# --------------------------------------------------------------------------------------

REGEX_TEXTS = [
    "Don’t stop: it's 3.14 o'clock\nend",
    "naïve café\tΟΔΟΣ 東京 x_y İstanbul ıi",
    "line one\nline two\n",
    "aaa bbb aaa",
    "tab\x0bvt x\x1cy",
    "ab12 34cd 5e6",
    "end\n",
]
PYTHON_PATTERNS = [
    r"[\w\u2019']+", r"\w+\u2019\w+", r"\N{LATIN SMALL LETTER E WITH ACUTE}\w*",
    r"\U0001F600|\w+", r"(?P<w>\w)(?P=w)", r"(?#comment)\w\w+", r"\w+\Z", r"\A\w+",
    r"(?x) \w \w+  # verbose", r"(?s)e.d", r"(?a)\w+", r"(?m)^\w+$", r"(?m)\w+$", r"\w+$",
    r"(\w)\1", r"(?<=\s)\w+", r"(?<!\w)\w\w+", r"\w+(?=\s)", r"[\b]|\w+", r"\x41|\w+",
    r"\101|\w+", r"(?>\w+)", r"\w++", r"\w{2,3}", r"\w{,2}", r"[[:alpha:]]+", r"\w+(?i:X)",
    r"(?i)\w+", r"[^\W\d]+", r"[a\-z]+", r"\b\w+\b(?!')", r"(a)|b", r".", r"\W+",
    r"(?i)[a-z]+", r"(?i)i\w+",
]  # fmt: skip


@pytest.mark.parametrize("pattern", PYTHON_PATTERNS)
def test_python_regex_syntax(pattern):
    with warnings.catch_warnings():
        # Python warns that "[[" may one day start a nested set; today it is a literal "[".
        warnings.simplefilter("ignore", FutureWarning)
        ref = sk.CountVectorizer(token_pattern=pattern, lowercase=False).build_analyzer()
    ours = newsim.CountVectorizer(token_pattern=pattern, lowercase=False).build_analyzer()
    for text in REGEX_TEXTS:
        if pattern.startswith("(?i)"):
            # Documented difference (README): Python's (?i) also equates the Turkish İ and ı
            # with i; PCRE2's Unicode case folding does not. Everything else must agree.
            text = text.replace("\u0130", " ").replace("\u0131", " ")
        assert ours(text) == ref(text), f"{text!r}"


def test_documented_turkish_i_difference():
    """README: under (?i), Python matches İ and ı with [a-z]; newsim (PCRE2) does not."""
    ref = sk.CountVectorizer(token_pattern=r"(?i)[a-z]+", lowercase=False).build_analyzer()
    ours = newsim.CountVectorizer(token_pattern=r"(?i)[a-z]+", lowercase=False).build_analyzer()
    assert ref("x\u0130y \u0131") == ["x\u0130y", "\u0131"]
    assert ours("x\u0130y \u0131") == ["x", "y"]


# --------------------------------------------------------------------------------------
# input="filename" and input="file"
# --------------------------------------------------------------------------------------


@pytest.fixture()
def article_files(tmp_path, seed_texts):
    paths = []
    for i, text in enumerate(seed_texts + ["", "Crème brûlée ΟΔΟΣ\r\nwindows line end"]):
        p = tmp_path / f"article_{i}.txt"
        p.write_bytes(text.encode("utf-8"))
        paths.append(p)
    return paths


@pytest.mark.parametrize("input_kind", ["filename", "file-binary", "file-text"])
def test_input_files(input_kind, article_files, assert_vocab_equal, assert_csr_equal):
    def docs():
        if input_kind == "filename":
            return [str(p) for p in article_files]
        mode = "rb" if input_kind == "file-binary" else "r"
        kw = {} if mode == "rb" else {"encoding": "utf-8", "newline": ""}
        return [open(p, mode, **kw) for p in article_files]

    param = "filename" if input_kind == "filename" else "file"
    ref = sk.TfidfVectorizer(input=param)
    ours = newsim.TfidfVectorizer(input=param)
    handles_ref, handles_ours = docs(), docs()
    try:
        X_ref = ref.fit_transform(handles_ref)
        X_ours = ours.fit_transform(handles_ours)
    finally:
        for h in handles_ref + handles_ours:
            if hasattr(h, "close"):
                h.close()
    assert_vocab_equal(ours, ref)
    assert_csr_equal(X_ours, X_ref, ATOL)


# --------------------------------------------------------------------------------------
# max_features ties: numpy's argsort order, reproduced in C++
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_numpy_argsort_order_is_reproduced(seed):
    """scikit-learn picks max_features among tied frequencies with numpy's unstable argsort."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5000))
    values = (-rng.zipf(1.5, size=n).clip(max=50)).astype(np.int64)  # many ties
    assert newsim._core._numpy_argsort(values.tolist()) == np.argsort(values).tolist()


def test_numpy_argsort_on_sorted_and_reversed_input():
    for values in (np.arange(3000), np.arange(3000)[::-1], np.zeros(3000, dtype=np.int64),
                   np.tile([3, 1, 2], 1000)):
        values = values.astype(np.int64)
        assert newsim._core._numpy_argsort(values.tolist()) == np.argsort(values).tolist()
