"""scikit-learn's own vectorizer tests, run against newsim's classes (issue 17).

The module is loaded from scikit-learn's installed test_text.py with its vectorizer
names pointed at newsim; its test functions are re-exported here so pytest collects
them (parametrize marks and fixtures travel with the functions). All of them run; none is
excluded.
"""

import importlib.util
import os
import sys

import pytest

sklearn = pytest.importorskip("sklearn", reason="scikit-learn is not installed")

import newsim  # noqa: E402

_PATH = os.path.join(os.path.dirname(sklearn.__file__), "feature_extraction", "tests", "test_text.py")
if not os.path.exists(_PATH):
    pytest.skip("scikit-learn's test_text.py is not installed", allow_module_level=True)

_NAMES = ("CountVectorizer", "TfidfVectorizer", "HashingVectorizer", "TfidfTransformer")
_spec = importlib.util.spec_from_file_location("_sklearn_test_text", _PATH)
_mod = importlib.util.module_from_spec(_spec)
# The names are swapped in scikit-learn's module while the test file is executed, so its
# `from sklearn.feature_extraction.text import ...` and the parametrize lists built at import
# time hold newsim's classes; scikit-learn's own are put back afterwards.
import sklearn.feature_extraction.text as _sk_text  # noqa: E402

_saved = {n: getattr(_sk_text, n) for n in _NAMES}
try:
    for _name in _NAMES:
        if hasattr(newsim, _name):
            setattr(_sk_text, _name, getattr(newsim, _name))
    # Registered, so that pickle finds the functions the tests define.
    sys.modules[_spec.name] = _mod
    _spec.loader.exec_module(_mod)
finally:
    for _name, _cls in _saved.items():
        setattr(_sk_text, _name, _cls)

for _name in dir(_mod):
    if _name.startswith("test_") and callable(getattr(_mod, _name)):
        # Warnings are not errors here, as in scikit-learn's own runs (some of its tests
        # emit warnings they do not catch); the tests check the ones that matter.
        globals()[_name] = pytest.mark.filterwarnings("default")(getattr(_mod, _name))


def test_the_suite_runs_newsim_classes():
    for name in _NAMES:
        assert getattr(_mod, name) is getattr(newsim, name)
        assert getattr(_sk_text, name) is _saved[name]  # scikit-learn's own are back
