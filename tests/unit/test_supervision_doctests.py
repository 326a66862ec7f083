"""The examples in the supervision docstrings run (they are the API's first docs)."""

import doctest
import importlib
import pkgutil

import pytest

from gridwatch import supervision

MODULES = sorted(m.name for m in pkgutil.iter_modules(supervision.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"gridwatch.supervision.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
