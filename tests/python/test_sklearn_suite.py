"""scikit-learn's own vectorizer tests, run against newsim's classes (issue 17).

The module is loaded from scikit-learn's installed test_text.py with its vectorizer
names pointed at newsim; its test functions are re-exported here so pytest collects
them (parametrize marks and fixtures travel with the functions). Tests that still
fail are listed in _XFAIL and marked xfail(strict=True), so each fix must remove one.
"""

import importlib.util
import os

import pytest

sklearn = pytest.importorskip("sklearn", reason="scikit-learn is not installed")

import newsim  # noqa: E402

_PATH = os.path.join(os.path.dirname(sklearn.__file__), "feature_extraction", "tests", "test_text.py")
if not os.path.exists(_PATH):
    pytest.skip("scikit-learn's test_text.py is not installed", allow_module_level=True)

_spec = importlib.util.spec_from_file_location("_sklearn_test_text", _PATH)
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
for _name in ("CountVectorizer", "TfidfVectorizer", "HashingVectorizer", "TfidfTransformer"):
    if hasattr(newsim, _name):
        setattr(_mod, _name, getattr(newsim, _name))

# Current failures, each one a known gap of issue 17 (callables, idf_ setter,
# missing methods, warnings and exception types).
_XFAIL = {
    "test_char_ngram_analyzer",
    "test_char_wb_ngram_analyzer",
    "test_countvectorizer_custom_vocabulary",
    "test_countvectorizer_sort_features_64bit_sparse_indices",
    "test_countvectorizer_stop_words",
    "test_countvectorizer_uppercase_in_vocab",
    "test_feature_names",
    "test_hashingvectorizer_nan_in_docs",
    "test_pickling_built_processors",
    "test_pickling_vectorizer",
    "test_stop_words_removal",
    "test_tfidf_vectorizer_setter",
    "test_tfidf_vectorizer_setters",
    "test_tfidf_vectorizer_type",
    "test_tfidfvectorizer_export_idf",
    "test_tfidfvectorizer_invalid_idf_attr",
    "test_unicode_decode_error",
    "test_vectorizer_pipeline_grid_selection",
    "test_vectorizer_stop_words_inconsistent",
    "test_word_ngram_analyzer",
}

for _name in dir(_mod):
    if _name.startswith("test_") and callable(getattr(_mod, _name)):
        _fn = getattr(_mod, _name)
        if _name in _XFAIL:
            # Some parameters of these two already pass, so strictness would fail them.
            _strict = _name not in ("test_pickling_built_processors", "test_tfidf_vectorizer_type")
            _fn = pytest.mark.xfail(strict=_strict, reason="issue 17: not yet sklearn-compatible")(_fn)
        globals()[_name] = _fn
