"""The examples in the docstrings run and print what they say."""

import doctest
import importlib

import pytest

import newsim
import newsim._base
import newsim.article_similarity
import newsim.articles
import newsim.evaluation
import newsim.plots
import newsim.report
import newsim.similarity
import newsim.stories
import newsim.text

# The package's near_duplicates function hides the module of the same name.
near_duplicates_module = importlib.import_module("newsim.near_duplicates")


@pytest.mark.parametrize("module", [newsim, newsim.text, newsim._base, newsim.similarity,
                                    newsim.articles, near_duplicates_module, newsim.stories,
                                    newsim.evaluation, newsim.plots, newsim.report,
                                    newsim.article_similarity])
def test_docstring_examples(module):
    globs = {name: getattr(newsim, name) for name in newsim.__all__}
    result = doctest.testmod(module, extraglobs=globs, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    if module is newsim.text:
        assert result.attempted >= 8
    if module in (near_duplicates_module, newsim.stories, newsim.evaluation):
        assert result.attempted >= 3


def test_every_public_function_has_an_example():
    import inspect

    missing = []
    for name in newsim.__all__:
        obj = getattr(newsim, name)
        if not (inspect.isfunction(obj) or inspect.isbuiltin(obj)):
            continue
        if ">>>" not in (inspect.getdoc(obj) or ""):
            missing.append(name)
    assert missing == []
