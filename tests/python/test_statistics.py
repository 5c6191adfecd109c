"""Vocabulary statistics fitted on shards merge into exactly the statistics of the whole."""

import pickle

import numpy as np
import pytest

import newsim


def _shards(docs, k):
    step = (len(docs) + k - 1) // k
    return [docs[i:i + step] for i in range(0, len(docs), step)]


@pytest.mark.parametrize("params", [
    {},
    {"min_df": 2, "max_df": 0.9, "ngram_range": (1, 2)},
    {"max_features": 2000, "sublinear_tf": True, "stop_words": "english"},
    {"analyzer": "char_wb", "ngram_range": (2, 4), "binary": True},
])
def test_sharded_fit_equals_whole_fit(bbc_texts, params):
    docs = bbc_texts[:600]
    whole = newsim.TfidfVectorizer(**params).fit(docs)
    v = newsim.TfidfVectorizer(**params)
    parts = [v.statistics(s) for s in _shards(docs, 4)]
    merged = parts[0]
    for p in parts[1:]:
        merged.merge(pickle.loads(pickle.dumps(p)))  # as if shipped from another process
    assert merged.n_documents == len(docs)
    assert merged.same_statistics(newsim.TfidfVectorizer(**params).statistics(docs))
    v.fit_statistics(merged)
    assert v.vocabulary_ == whole.vocabulary_
    assert np.array_equal(v.idf_, whole.idf_)
    a, b = v.transform(docs), whole.transform(docs)
    assert (a != b).nnz == 0


def test_statistics_counts_and_json(bbc_texts):
    v = newsim.CountVectorizer()
    stats = v.statistics(["nato nato summit", "nato", ""])
    assert stats.n_documents == 3
    assert len(stats) == 2
    assert stats.document_frequency("nato") == 2
    assert stats.term_frequency("nato") == 3
    assert stats.document_frequency("absent") == 0
    back = newsim.VocabularyStats.from_json(stats.to_json())
    assert back.same_statistics(stats)
    assert "2 terms, 3 documents" in repr(stats)
    with pytest.raises(newsim.ModelFormatError):
        newsim.VocabularyStats.from_json('{"format": "newsim.vectorizer", "version": 1}')


def test_fit_statistics_rejects_fixed_vocabulary():
    v = newsim.CountVectorizer(vocabulary=["a"])
    with pytest.raises(ValueError, match="fixed vocabulary"):
        v.fit_statistics(newsim.VocabularyStats())
