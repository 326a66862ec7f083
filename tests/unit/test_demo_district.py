"""Tests for gridwatch.demo.generate_district and DemoDistrict.summary."""

from __future__ import annotations

import pytest
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal

from gridwatch.demo import DemoDistrict, generate_district


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate_district(n_enterprises=300, seed=2, n_address_points=6000)


def test_generate_district_summary_counts(district):
    s = district.summary()
    assert s["district"] == 1 and s["towns"] == 4 and s["communities"] == 147
    assert s["villages"] == 53
    assert s["address_points"] == 6000 and s["enterprises"] == 300
    assert s["wardens"] == 196 and s["users"] == 196 + 7
    assert s["roads"] == len(district.roads) > 50
    assert 0 < s["enterprises_with_coordinates"] < 300
    assert 0.85 * 300 < s["enterprises_in_gazetteer"] < 300


def test_generate_district_frames_link_up(district):
    d = district
    assert set(d.communities["parent_code"]) == set(d.towns["code"])
    assert set(d.address_points["community_code"]) <= set(d.communities["code"])
    assert set(d.roads["town_code"]) == set(d.towns["code"])
    assert set(d.enterprises["true_addr_id"].dropna()) <= set(
        d.address_points["addr_id"]
    )
    assert set(d.wardens["street_code"]) == set(d.towns["code"])


def test_generate_district_deterministic_but_passwords(district):
    again = generate_district(n_enterprises=300, seed=2, n_address_points=6000)
    for name in ("district", "towns", "communities", "roads", "address_points"):
        assert_geodataframe_equal(getattr(district, name), getattr(again, name))
    assert_frame_equal(district.enterprises, again.enterprises)
    assert_frame_equal(district.wardens, again.wardens)
    assert (district.users["password"] != again.users["password"]).all()


@pytest.mark.slow
def test_generate_district_defaults_are_the_documented_demo():
    """``gridwatch demo`` without options: 9,000 enterprises (the report's newly
    registered), a 75,000-plate gazetteer, every real town and community."""
    s = generate_district().summary()
    assert s["enterprises"] == 9000 and s["address_points"] == 75_000
    assert s["towns"] == 4 and s["communities"] == 147
    assert 0.85 * 9000 < s["enterprises_in_gazetteer"] < 9000
