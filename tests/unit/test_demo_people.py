"""Tests for gridwatch.demo.people: users and grid wardens."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from gridwatch.demo import build_admin, build_people
from gridwatch.errors import InvalidInputError
from gridwatch.vocab import ROLES

TOWNS = pd.DataFrame(
    {
        "code": ["440604010", "440604011", "440604012", "440604100"],
        "name": ["石湾镇街道", "张槎街道", "祖庙街道", "南庄镇"],
    }
)


@pytest.fixture(scope="module")
def people():
    return build_people(TOWNS, seed=3)


def test_build_people_default_warden_count_and_pilot_weight(people):
    _, wardens = people
    assert len(wardens) == 196  # 147 communities x 4 grids / 3 grids per warden
    per_comm = wardens["street_code"].value_counts() / pd.Series(
        {"440604010": 39, "440604011": 25, "440604012": 60, "440604100": 23}
    )
    assert per_comm["440604011"] > 1.3 * per_comm.drop("440604011").max()


def test_build_people_counts_from_communities_frame():
    _, _, communities = build_admin(seed=1)
    _, wardens = build_people(TOWNS, seed=1, communities=communities)
    assert len(wardens) == 196


def test_build_people_usernames_phones_names(people):
    users, wardens = people
    assert users["username"].is_unique
    assert users["username"].map(str.isascii).all()
    assert wardens["username"].str.fullmatch(r"(zm|sw|zc|nz)_warden_\d{3}").all()
    assert (
        wardens.loc[wardens["street_code"] == "440604011", "username"]
        .str.startswith("zc_")
        .all()
    )
    assert (
        users["phone"].str.fullmatch(r"1[3-9]\d{9}").all() and users["phone"].is_unique
    )
    assert (
        users["full_name"]
        .map(lambda s: bool(re.fullmatch(r"[\u4e00-\u9fff]{2,5}", s)))
        .all()
    )


def test_build_people_roles_and_scopes(people):
    users, wardens = people
    assert set(users["role"]) == set(ROLES)
    counts = users["role"].value_counts()
    assert counts["admin"] == 1 and counts["bureau"] == 2
    assert counts["street_office"] == 4 and counts["warden"] == len(wardens)
    office = users.loc[users["role"] == "street_office"]
    assert sorted(office["scope_code"]) == sorted(TOWNS["code"])
    top = users.loc[users["role"].isin(["admin", "bureau"]), "scope_code"]
    assert top.map(lambda v: v is None).all()
    w = users.loc[users["role"] == "warden"].set_index("username")["scope_code"]
    assert (w.loc[wardens["username"]].to_numpy() == wardens["street_code"]).all()


def test_build_people_passwords_random_not_seeded(people):
    users, wardens = people
    again_users, again_wardens = build_people(TOWNS, seed=3)
    assert_frame_equal(wardens, again_wardens)
    assert_frame_equal(
        users.drop(columns="password"), again_users.drop(columns="password")
    )
    assert (users["password"] != again_users["password"]).all()
    assert users["password"].is_unique and users["password"].str.len().ge(12).all()


def test_build_people_explicit_count_and_validation():
    _, wardens = build_people(TOWNS, seed=1, n_wardens=40)
    assert len(wardens) == 40 and wardens["street_code"].nunique() == 4
    with pytest.raises(ValueError, match="n_wardens"):
        build_people(TOWNS, seed=1, n_wardens=2)
    with pytest.raises(InvalidInputError, match="code"):
        build_people(TOWNS.drop(columns="code"), seed=1)
