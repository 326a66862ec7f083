"""DB11-style grid codes and their west→east, north→south order."""

import numpy as np
import pytest
from shapely.geometry import box

from gridwatch.errors import InvalidInputError
from gridwatch.grids.codes import assign_codes, grid_code, reading_order, unit_prefix


def test_assign_codes_numbers_west_east_north_south():
    cells = {(c, r): box(c * 100, -r * 100, c * 100 + 100, -r * 100 + 100)
             for r in range(3) for c in range(3)}
    keys = list(cells)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(keys))
    geoms = [cells[keys[i]] for i in order]
    codes = assign_codes(geoms, "440604011001", 90_000.0)
    got = {keys[i]: code for i, code in zip(order, codes)}
    # row 0 is the northernmost; seq = row * 3 + column + 1
    for (c, r), code in got.items():
        assert code == f"440604011001{r * 3 + c + 1:03d}"


def test_assign_codes_starts_at_given_sequence():
    codes = assign_codes([box(0, 0, 1, 1), box(1, 0, 2, 1)], "440604011001", 2.0,
                         start=8)
    assert codes == ["440604011001008", "440604011001009"]


def test_reading_order_keeps_grids_level_with_each_other_in_one_row():
    # y = 49.9 and 50.1 straddle a fixed band line at 50; they still share a row
    xy = np.array([[300, 49.9], [100, 50.1], [200, 0.0]])
    assert reading_order(xy, 25.0).tolist() == [1, 0, 2]


def test_grid_code_pads_town_code_to_twelve_digits():
    assert grid_code("440604011", 1) == "440604011000001"
    assert len(grid_code("440604011001", 999)) == 15


def test_grid_code_rejects_sequence_over_999():
    with pytest.raises(InvalidInputError, match="999"):
        grid_code("440604011001", 1000)


def test_unit_prefix_rejects_malformed_codes():
    with pytest.raises(InvalidInputError, match="not a 6-digit district, 9-digit"):
        unit_prefix("44060401")


def test_is_within_follows_the_prefix_rule_at_every_level():
    from gridwatch.grids.codes import is_within

    grid = "440604011001007"
    for unit in ("440604", "440604011", "440604011001", grid):
        assert is_within(grid, unit)
    assert not is_within(grid, "440604012")  # the next street
    assert not is_within("440604011", "440604011001")  # a town is not in its village
    assert is_within(grid, ("440605", "440604011"))  # any of several
    assert not is_within(grid, ())
    assert not is_within(None, "440604") and not is_within("", "440604")
    assert not is_within(grid, "")  # no unit contains nothing, not everything


def test_within_mask_matches_is_within_and_treats_missing_as_nowhere():
    import pandas as pd

    from gridwatch.grids.codes import within_mask

    codes = pd.Series(["440604011001001", None, float("nan"), "440604012001001"])
    assert within_mask(codes, "440604011").tolist() == [True, False, False, False]
    assert within_mask(codes, ("440604011", "440604012")).tolist() == [
        True,
        False,
        False,
        True,
    ]
    assert within_mask([], "440604").tolist() == []


def test_parent_level_and_city_of_codes():
    from gridwatch.grids.codes import city_of, level_of, parent_of

    assert [level_of(c) for c in ("440604", "440604011", "440604011001")] == [
        "district",
        "town",
        "community",
    ]
    assert level_of("44060401") is None
    assert parent_of("440604011001007") == "440604011001"
    assert parent_of("440604011") == "440604"
    assert parent_of("440604") is None and parent_of("4406041") is None
    assert city_of("440604011") == "440600"
