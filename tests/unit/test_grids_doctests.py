"""The examples in the grids modules' docstrings run as tests."""

import doctest
import importlib

import pytest

MODULES = [
    "gridwatch.grids.balance",
    "gridwatch.grids.boundaries",
    "gridwatch.grids.boundary_fields",
    "gridwatch.grids.codes",
    "gridwatch.grids.dbftext",
    "gridwatch.grids.divisions",
    "gridwatch.grids.illustrative",
    "gridwatch.grids.outline",
    "gridwatch.grids.plausible",
    "gridwatch.grids.quality",
    "gridwatch.grids.workload",
    "gridwatch.maps.hotspots",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
