"""The examples in the docstrings run and print what they say."""

import doctest

import pytest

import newsim
import newsim._base
import newsim.articles
import newsim.similarity
import newsim.text


@pytest.mark.parametrize("module", [newsim, newsim.text, newsim._base, newsim.similarity,
                                    newsim.articles])
def test_docstring_examples(module):
    globs = {name: getattr(newsim, name) for name in newsim.__all__}
    result = doctest.testmod(module, extraglobs=globs, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    if module is newsim.text:
        assert result.attempted >= 8
