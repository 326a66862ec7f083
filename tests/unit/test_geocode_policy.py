import pytest

from gridwatch.errors import InvalidInputError
from gridwatch.geocode.policy import should_regeocode
from gridwatch.vocab import PRECISIONS


@pytest.mark.parametrize("mode", ["missing", "all"])
@pytest.mark.parametrize("precision", ["manual", "supplied"])
def test_should_regeocode_never_overwrites_manual_or_supplied(precision, mode):
    assert should_regeocode(precision, mode) is False


@pytest.mark.parametrize("precision", [None, "", "none"])
def test_should_regeocode_missing_places_unlocated(precision):
    assert should_regeocode(precision, "missing") is True


@pytest.mark.parametrize("precision", ["door", "road", "community", "town", "district"])
def test_should_regeocode_missing_leaves_located(precision):
    assert should_regeocode(precision, "missing") is False


def test_should_regeocode_all_redoes_address_based():
    redo = {p for p in PRECISIONS if should_regeocode(p, "all")}
    assert redo == {"door", "road", "community", "town", "district", "none"}


def test_should_regeocode_bad_mode_and_precision():
    with pytest.raises(InvalidInputError, match="missing or all"):
        should_regeocode("door", "everything")
    with pytest.raises(InvalidInputError, match="Unknown precision"):
        should_regeocode("gps", "all")
