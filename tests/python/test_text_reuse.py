"""Text reuse: shared_passages, text_reuse and near_duplicates' default (passages).

Synthetic texts are built from letter-only words ('tbwc'): a word holding a digit is a figure,
and figures compare equal to each other, so numbered words would align by accident.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

import newsim

WORDS = re.compile(r"\w+")


def letters(i: int) -> str:
    """A number spelt in a-z (0 -> 'a', 26 -> 'ba')."""
    s = ""
    while True:
        s = chr(97 + i % 26) + s
        i //= 26
        if i == 0:
            return s


def word(topic: int, i: int) -> str:
    return "t" + letters(topic) + "w" + letters(i)


def para(topic: int, n: int = 40) -> str:
    return " ".join(word(topic, i) for i in range(n)) + "."


def doc(*topics: int, n: int = 40) -> str:
    return "\n\n".join(para(t, n) for t in topics)


def words_of(text: str) -> list:
    return WORDS.findall(text.lower())


def rows(r, cols=("a", "b", "relation", "origin")) -> list:
    return r.pairs[list(cols)].values.tolist()


ORIGINAL = doc(1, 2, 3, 4)
OTHER = doc(30, 31)
SOY = ("Reporting members of the National Soybean Processors Association crushed {} bushels "
       "of soybeans in the week ended {} compared with {} bushels in the previous week and {} "
       "in the year-ago week, the association said. It said total crushing capacity for "
       "members was {} bushels vs {} last week.")
SOY_A = SOY.format("21,782", "Feb 4", "22,345", "16,568", "25,873", "25,873")
SOY_B = SOY.format("19,416", "April 11", "20,115", "17,160", "25,873", "25,459")


# shared_passages


@pytest.mark.parametrize("lead", ["Intro text here. ", "Café à Straße déjà 😀 naïve — ", "ß😀é " * 7])
def test_shared_passages_finds_an_embedded_quote(lead):
    quote = " ".join(word(5, i) for i in range(27))
    a = lead + para(6, 20) + " " + quote + ". " + para(7, 20)
    b = "Quote: «" + quote + "» " + para(8, 30)
    r = newsim.shared_passages(a, b)
    assert len(r) == 1 and r.passages["text"].tolist() == [quote]
    p = r.passages.iloc[0]
    assert a[p.a_begin:p.a_end] == quote and b[p.b_begin:p.b_end] == quote
    assert (p.a_words, p.b_words, p.matched) == (27, 27, 27)
    assert r.longest == r.matched == 27 and (r.a_words, r.b_words) == (len(words_of(a)), 58)
    assert r.a_coverage == pytest.approx(27 / len(words_of(a)))
    assert r.b_coverage == pytest.approx(27 / 58)
    s = newsim.shared_passages(b, a)  # swapped: spans swap
    assert s.passages[["a_begin", "a_end", "b_begin", "b_end"]].values.tolist() == [
        [p.b_begin, p.b_end, p.a_begin, p.a_end]]
    assert (s.a_coverage, s.b_coverage) == (r.b_coverage, r.a_coverage)


def test_shared_passages_one_edit_stays_one_passage():
    run = [word(9, i) for i in range(60)]
    edited = run[:30] + ["tchanged"] + run[31:]
    a = para(1, 20) + " " + " ".join(run) + " " + para(2, 20)
    b = para(3, 25) + " " + " ".join(edited) + " " + para(4, 10)
    r = newsim.shared_passages(a, b)
    assert len(r) == 1
    p = r.passages.iloc[0]
    assert (p.a_words, p.b_words, p.matched) == (60, 60, 59)
    assert words_of(a[p.a_begin:p.a_end]) == run and words_of(b[p.b_begin:p.b_end]) == edited


def test_shared_passages_needs_one_long_passage():
    short = " ".join(word(9, i) for i in range(12))  # below min_passage_words = 15
    a, b = para(1) + " " + short + " " + para(2), para(3) + " " + short
    assert len(newsim.shared_passages(a, b)) == 0
    assert len(newsim.shared_passages(a, b, min_passage_words=10)) == 1
    # A long passage lets a short one (half as many words) count too.
    long_ = " ".join(word(8, i) for i in range(20))
    r = newsim.shared_passages(a + " " + long_, b + " " + para(4) + " " + long_)
    assert r.passages["matched"].tolist() == [12, 20]


# text_reuse: relations, origins, groups


@pytest.mark.parametrize("relation, texts, origin", [
    ("trimmed", [doc(1, 3), ORIGINAL, OTHER], 1),              # paragraphs 1 and 3 kept
    ("copy", [ORIGINAL, ORIGINAL + " addendum", OTHER], 0),
    ("excerpt", [doc(10, 11, 12, 2, 13, 14), ORIGINAL, OTHER], 1),  # one paragraph quoted
    ("rewrite", [ORIGINAL, doc(20, 2, 3, 4, 21), OTHER], 0),   # new lead, new ending
])
def test_relations(relation, texts, origin):
    r = newsim.text_reuse(texts)
    assert rows(r) == [[0, 1, relation, origin]]
    assert r.groups == [[origin, 1 - origin]] and r.origins == [origin]
    assert r.derived(origin) == [1 - origin] and r.derived(2) == []
    assert r.n == 3 and r.candidates >= 1


def test_template_is_no_reuse():
    r = newsim.text_reuse([SOY_A, OTHER, SOY_B])
    assert rows(r, ("a", "b", "relation", "origin", "via")) == [[0, 2, "template", -1, -1]]
    assert r.groups == [] and r.origins == []
    # The same frame with the same figures and names is a copy.
    assert rows(newsim.text_reuse([SOY_A, SOY_A + " Reuter"]))[0][2] == "copy"


def test_dates_decide_the_origin():
    texts = [doc(1, 3), ORIGINAL, OTHER]
    r = newsim.text_reuse(texts, dates=["2020-01-01", "2020-01-02", None])
    assert rows(r) == [[0, 1, "trimmed", 0]] and r.groups == [[0, 1]]
    r = newsim.text_reuse(texts, dates=["2020-01-03", "2020-01-02", "2020-01-01"])
    assert rows(r) == [[0, 1, "trimmed", 1]]


def test_groups_do_not_chain():
    source = doc(1, 2, 3, n=30)
    a, b = doc(10, 11, 2, 12, n=30), doc(20, 2, 21, 22, n=30)  # each quotes paragraph 2
    r = newsim.text_reuse([a, source, b, doc(40, 41)])
    assert rows(r, ("a", "b", "relation", "origin", "via")) == [
        [0, 1, "excerpt", 1, -1], [0, 2, "excerpt", -1, 1], [1, 2, "excerpt", 1, -1]]
    assert r.groups == [[1, 0, 2]] and r.origins == [1] and r.derived(0) == []


def test_identical_texts_pair_with_the_first():
    wordless = ["", "   ", "... !!! —", "\n\n"]
    texts = wordless[:2] + [ORIGINAL] * 30 + wordless[2:]
    r = newsim.text_reuse(texts)
    assert rows(r) == [[2, i, "copy", 2] for i in range(3, 32)]
    assert (r.pairs[["a_coverage", "b_coverage"]] == 1).all().all()
    assert r.groups == [list(range(2, 32))] and r.origins == [2]
    assert newsim.text_reuse(wordless).pairs.empty


def random_texts(n: int = 200, seed: int = 7) -> list:
    rng = np.random.default_rng(seed)
    vocab = [word(100, i) for i in range(5000)]
    texts = []
    for i in range(n):
        w = list(rng.choice(vocab, size=int(rng.integers(30, 300))))
        for _ in range(int(rng.integers(0, 3)) if i else 0):  # quotes of earlier texts
            src = words_of(texts[int(rng.integers(0, i))])
            k = int(rng.integers(10, 60))
            s = int(rng.integers(0, max(1, len(src) - k)))
            at = int(rng.integers(0, len(w) + 1))
            w[at:at] = src[s:s + k]
        if i and rng.random() < 0.05:
            w = words_of(texts[int(rng.integers(0, i))])  # an exact copy
        texts.append(" ".join(w) + ".")
    return texts


def test_thread_count_does_not_change_the_result():
    texts = random_texts()
    one = newsim.text_reuse(texts, n_jobs=1, passages=True)
    two = newsim.text_reuse(texts, n_jobs=2, passages=True)
    assert len(one.pairs) > 50 and one.pairs["relation"].nunique() >= 3
    pd.testing.assert_frame_equal(one.pairs, two.pairs)
    pd.testing.assert_frame_equal(one.passages, two.passages)
    assert one.groups == two.groups and one.origins == two.origins


def test_corpus_input_gives_ids_and_dates():
    corpus = newsim.Corpus([
        {"id": "cut", "text": doc(1, 3), "date": "2020-01-01"},
        {"id": "full", "text": ORIGINAL, "date": "2020-01-02"},
        {"id": "other", "text": OTHER},
    ])
    r = newsim.text_reuse(corpus)
    assert list(r.pairs.columns) == ["a", "b", "id_a", "id_b", "relation", "origin", "via",
                                     "a_coverage", "b_coverage", "longest", "matched",
                                     "passages"]
    assert rows(r, ("a", "b", "id_a", "id_b", "relation", "origin")) == [
        [0, 1, "cut", "full", "trimmed", 0]]  # the Corpus's own dates
    assert r.ids == ["cut", "full", "other"]
    # The corpus's texts are read in place; as a list of str they give the same pairs.
    as_list = newsim.text_reuse(corpus.texts, dates=[a.date or None for a in corpus],
                                passages=True)
    in_place = newsim.text_reuse(corpus, passages=True)
    pd.testing.assert_frame_equal(in_place.pairs.drop(columns=["id_a", "id_b"]), as_list.pairs)
    pd.testing.assert_frame_equal(in_place.passages, as_list.passages)


def test_passages_slice_to_the_same_words():
    texts = [ORIGINAL, doc(1, 3), ORIGINAL + " addendum", doc(10, 11, 12, 2, 13, 14), OTHER]
    r = newsim.text_reuse(texts, passages=True)
    p = r.passages
    assert list(p.columns) == ["pair", "a", "b", "a_begin", "a_end", "b_begin", "b_end",
                               "matched"]
    assert p["pair"].value_counts().sort_index().tolist() == r.pairs["passages"].tolist()
    assert (p["a"].values == r.pairs["a"].values[p["pair"]]).all()
    assert (p["b"].values == r.pairs["b"].values[p["pair"]]).all()
    assert p.groupby("pair")["matched"].sum().tolist() == r.pairs["matched"].tolist()
    for x in p.itertuples():
        wa = words_of(texts[x.a][x.a_begin:x.a_end])
        assert wa == words_of(texts[x.b][x.b_begin:x.b_end]) and len(wa) == x.matched
    assert newsim.text_reuse(texts).passages is None


# Bad input


@pytest.mark.parametrize("data, match", [(["a text", 3], "document 1 is a int"),
                                         (["a text", None], "document 1"), ("a single text", "single str")])
def test_bad_data_is_a_type_error(data, match):
    with pytest.raises(TypeError, match=match):
        newsim.text_reuse(data)


@pytest.mark.parametrize("option, match", [
    ({"min_passage_words": 0}, "min_passage_words"),
    ({"copy_coverage": 1.5}, "copy_coverage"),
    ({"max_postings": 1}, "max_postings"),
    ({"seed_words": True}, "seed_words"),
    ({"template_changed": -0.1}, "template_changed"),
    ({"max_pairs": -1}, "max_pairs"),
    ({"dates": ["2020-01-01"]}, "dates has 1 entries for 2"),
])
def test_bad_options_are_value_errors(option, match):
    with pytest.raises(ValueError, match=match):
        newsim.text_reuse([ORIGINAL, doc(1, 3)], **option)


def test_max_pairs_bounds_the_candidates():
    texts = [doc(1, 2, 50 + i) for i in range(10)]  # share paragraphs 1 and 2, not identical
    assert len(newsim.text_reuse(texts).pairs) == 45
    with pytest.raises(ValueError, match="max_pairs"):
        newsim.text_reuse(texts, max_pairs=1)


def test_shared_passages_bad_input():
    with pytest.raises(TypeError, match="a must be a str"):
        newsim.shared_passages(1, "x")
    with pytest.raises(TypeError, match="b must be a str"):
        newsim.shared_passages("x", None)
    with pytest.raises(ValueError, match="max_gap"):
        newsim.shared_passages("x", "y", max_gap=-1)


# near_duplicates: passages by default, Jaccard with a threshold


def test_near_duplicates_default_is_text_reuse():
    texts = [ORIGINAL, doc(1, 3), OTHER]
    r = newsim.near_duplicates(texts)
    assert "jaccard" not in r.pairs.columns
    assert rows(r) == [[0, 1, "trimmed", 0]]
    assert r.groups == [[0, 1]] and r.canonical == [0]
    tr = newsim.text_reuse(texts)
    pd.testing.assert_frame_equal(r.pairs, tr.pairs)
    j = newsim.near_duplicates(texts, 0.8)
    assert "jaccard" in j.pairs.columns and j.pairs.empty and j.groups == []


# Reuters-21578


@pytest.fixture(scope="module")
def reuters(corpora_dir):
    path = corpora_dir / "reuters21578.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"corpus {path} not found (corpora live in <repo>/../shared/corpora)")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh if line.strip()]
    texts = [r.get("text") or "" for r in recs]
    return recs, texts, newsim.text_reuse(texts)


def test_reuters_identical_bodies_are_copies_of_the_first(reuters):
    _, texts, r = reuters
    by_body = defaultdict(list)
    for i, t in enumerate(texts):
        if t.strip():
            by_body[t].append(i)
    same = [g for g in by_body.values() if len(g) > 1]
    assert len(same) == 260
    found = {(a, b): (rel, o) for a, b, rel, o in rows(r)}
    for g in same:
        for x in g[1:]:
            assert found.get((g[0], x)) == ("copy", g[0]), (g, x)


def test_reuters_empty_bodies_never_paired(reuters):
    _, texts, r = reuters
    empty = {i for i, t in enumerate(texts) if not words_of(t)}
    assert len(empty) >= 2535
    assert not empty & (set(r.pairs["a"]) | set(r.pairs["b"]))
    assert not empty & {m for g in r.groups for m in g}


def test_reuters_soybean_crush_reports_are_a_template(reuters):
    recs, _, r = reuters
    soy = [i for i, x in enumerate(recs)
           if (x.get("title") or "").startswith("U.S. WEEKLY SOYBEAN CRUSH")]
    assert len(soy) == 2
    pair = r.pairs[(r.pairs["a"] == soy[0]) & (r.pairs["b"] == soy[1])]
    assert pair[["relation", "origin"]].values.tolist() == [["template", -1]]


def test_pairs_frame_outlives_the_result_and_holds_plain_columns():
    """The pairs' columns view one array taken from the core: it must live as long as the
    frame, whatever happens to the result, and every column reads as its own dtype."""
    import gc

    texts = [ORIGINAL, doc(1, 2, 3), OTHER, doc(1, 2, 3, 4, 5), doc(2, 3)]
    want = rows(newsim.text_reuse(texts), ("a", "b", "relation", "origin", "via", "longest"))
    r = newsim.text_reuse(texts)
    pairs = r.pairs
    del r
    gc.collect()
    newsim.text_reuse([doc(40, 41), doc(40, 41)])  # memory reused meanwhile
    assert len(want) >= 4
    assert pairs[["a", "b", "relation", "origin", "via", "longest"]].values.tolist() == want
    assert {c: str(t) for c, t in pairs.dtypes.items()} == {
        "a": "int64", "b": "int64", "relation": "object", "origin": "int64", "via": "int64",
        "a_coverage": "float64", "b_coverage": "float64", "longest": "int32",
        "matched": "int32", "passages": "int32"}
    assert set(pairs["relation"]) <= {"copy", "trimmed", "rewrite", "excerpt", "template"}
    assert ((pairs["a_coverage"] > 0) & (pairs["a_coverage"] <= 1)).all()
