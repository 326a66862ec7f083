"""The examples in gridwatch.patrol's docstrings run and give what they show."""

import doctest
import importlib

import pytest

MODULES = [
    "calendar",
    "distances",
    "navigation",
    "plan",
    "progress",
    "routes",
    "schedule",
    "window",
]


@pytest.mark.parametrize("name", MODULES)
def test_patrol_docstring_examples(name):
    module = importlib.import_module(f"gridwatch.patrol.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
