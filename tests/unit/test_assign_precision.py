"""What a geocode's precision lets assignment say (gridwatch.assign.precision)."""

import numpy as np
import pandas as pd
import pytest

from gridwatch.assign.precision import PLACEMENT, apply_precision, placement
from gridwatch.errors import InvalidInputError
from gridwatch.vocab import PRECISIONS


def test_placement_covers_every_precision_of_the_vocabulary():
    assert set(PLACEMENT) == set(PRECISIONS)


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        ("manual", "definite"),
        ("supplied", "definite"),
        ("door", "definite"),
        ("road", "definite"),
        ("community", "imprecise"),
        ("town", "unplaced"),
        ("district", "unplaced"),
        ("none", "no_location"),
        (None, "no_location"),
    ],
)
def test_placement_by_precision(precision, expected):
    assert placement(precision) == expected


def test_placement_refuses_an_unknown_precision():
    with pytest.raises(InvalidInputError, match="'street'"):
        placement("street")


def _located(precisions, status=None):
    n = len(precisions)
    return pd.DataFrame(
        {
            "uscc": [f"u{i}" for i in range(n)],
            "grid_code": pd.Series(
                [f"44060401100100{i}" for i in range(n)], dtype=object
            ),
            "status": status or ["inside"] * n,
            "nearest_code": pd.Series([None] * n, dtype=object),
            "distance_m": [0.0] * n,
            "precision": precisions,
        }
    )


def test_apply_precision_holds_back_town_and_district_level_grids():
    out = apply_precision(_located(["door", "community", "town", "district"]))
    assert out["grid_code"].tolist() == [
        "440604011001000",
        "440604011001001",
        None,
        None,
    ]
    assert out["status"].tolist() == ["inside", "inside", "unplaced", "unplaced"]
    assert out["placement"].tolist() == [
        "definite",
        "imprecise",
        "unplaced",
        "unplaced",
    ]
    assert out["is_imprecise"].tolist() == [False, True, False, False]
    # the grid the coarse point fell in is kept apart, to name its town
    assert out["covering_code"].tolist()[2] == "440604011001002"


def test_apply_precision_town_level_outside_every_grid_is_unplaced_not_outside():
    located = _located(["town"], status=["outside"])
    located["grid_code"] = pd.Series([None], dtype=object)
    located["nearest_code"] = pd.Series(["440604011001009"], dtype=object)
    located["distance_m"] = [120.0]
    out = apply_precision(located)
    assert out.loc[0, "status"] == "unplaced" and out.loc[0, "nearest_code"] is None
    assert np.isnan(out.loc[0, "distance_m"])


def test_apply_precision_precision_none_is_no_location_even_with_a_point():
    out = apply_precision(_located(["none"]))
    assert out.loc[0, "status"] == "no_location" and out.loc[0, "grid_code"] is None


def test_apply_precision_leaves_its_input_alone():
    located = _located(["town"])
    apply_precision(located)
    assert located.loc[0, "grid_code"] == "440604011001000"
