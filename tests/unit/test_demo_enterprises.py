"""Tests for gridwatch.demo.enterprises: registry records and messy addresses."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
import shapely
from pandas.testing import assert_frame_equal

from gridwatch.crs import to_wgs84
from gridwatch.demo import build_admin, build_enterprises, build_gazetteer
from gridwatch.demo.addresses import TOWN_SPELLINGS
from gridwatch.registry.uscc import is_valid_uscc

SEED = 11
N = 6000
FULLWIDTH_DIGITS = "".join(chr(0xFF10 + i) for i in range(10))
TRAD_MARKERS = "廣東禪區鎮號莊灣廟閘華門業發寶"


@lru_cache(maxsize=1)
def _base():
    _, towns, communities = build_admin(seed=SEED)
    _, points = build_gazetteer(towns, communities, seed=SEED, n_points=15_000)
    return towns, communities, points


@pytest.fixture(scope="module")
def ents():
    towns, communities, points = _base()
    return build_enterprises(N, points, towns, communities, seed=SEED)


def _share(mask) -> float:
    return float(np.mean(mask))


def test_build_enterprises_uscc_valid_and_unique(ents):
    assert len(ents) == N
    assert ents["uscc"].is_unique
    assert all(is_valid_uscc(c) for c in ents["uscc"])
    assert ents["uscc"].str[2:8].eq("440604").all()
    assert (ents["uscc"].str[1] == np.where(ents["is_individual"], "2", "1")).all()


def test_build_enterprises_names_unique_and_realistic(ents):
    assert ents["name"].is_unique
    company = ents.loc[~ents["is_individual"], "name"]
    assert company.str.startswith(("佛山市禅城区", "佛山市")).all()
    assert company.str.endswith(("公司", "厂")).all()
    assert ents.loc[ents["is_individual"], "name"].str.contains("禅城区").all()


def test_build_enterprises_address_variant_shares(ents):
    v = ents["address_variant"].value_counts(normalize=True)
    assert 0.035 < v["bad_door"] + v["landmark"] < 0.07
    assert 0.01 < v["community_only"] < 0.035
    addr = ents["address"]
    assert 0.01 < _share(addr.str.contains(f"[{TRAD_MARKERS}]")) < 0.04
    assert 0.02 < _share(addr.str.contains(f"[{FULLWIDTH_DIGITS}]")) < 0.1
    assert 0.02 < _share(addr.str.contains("[一二三四五六七八九十百千]+号")) < 0.12
    assert 0.08 < _share(addr.str.contains("栋|座|室|首层|楼|厂房|号铺")) < 0.25
    assert 0.01 < _share(addr.str.contains("之一|之二|-[12]号")) < 0.08
    assert 0.03 < _share(addr.str.contains(r" |，|、|,|－")) < 0.09
    assert 0.015 < _share(ents["has_typo"]) < 0.05
    assert 0.15 < _share(addr.str.startswith("广东省佛山市禅城区")) < 0.3
    assert 0.1 < _share(~addr.str.contains("佛山|禅城")) < 0.3
    assert _share(addr.str.contains("村委会|居委会|村民委员会")) > 0.03
    assert addr.str.contains("村委会旁|居委会旁|村委会对面").any()


def test_build_enterprises_ground_truth_addr_only_for_gazetteer_text(ents):
    in_gaz = ents["address_variant"] == "normal"
    assert ents.loc[in_gaz, "true_addr_id"].notna().all()
    assert ents.loc[~in_gaz, "true_addr_id"].isna().all()
    _, _, points = _base()
    row = points.set_index("addr_id").loc[ents.loc[in_gaz, "true_addr_id"].astype(int)]
    plain = ~ents.loc[in_gaz, "has_typo"].to_numpy()
    text = ents.loc[in_gaz, "address"].to_numpy()
    road = row["road_name"].to_numpy()
    hits = [r in t for r, t, p in zip(road, text, plain, strict=True) if p]
    assert np.mean(hits) > 0.95  # the rest are in traditional characters


def test_build_enterprises_flags_match_text(ents):
    simplified = ~ents["address"].str.contains(f"[{TRAD_MARKERS}]")
    e = ents.loc[simplified & ~ents["has_typo"]]
    spellings = {c: s for c, s in TOWN_SPELLINGS.items()}
    named = np.array(
        [
            any(s in a for s in spellings[t])
            for a, t in zip(e["address"], e["true_town_code"], strict=True)
        ]
    )
    assert (named[e["names_town"].to_numpy()]).all()
    assert 0.45 < _share(ents["names_town"]) < 0.65
    assert 0.38 < _share(ents["names_community"]) < 0.5
    only = e.loc[e["address_variant"] == "community_only"]
    assert only["names_community"].all()
    assert not only["address"].str.contains(r"\d+号").any()


def test_build_enterprises_true_points_inside_true_community(ents):
    _, communities, _ = _base()
    comm = communities.set_index("code")
    pts = shapely.points(ents["true_lng"].to_numpy(), ents["true_lat"].to_numpy())
    polys = comm.geometry.loc[ents["true_community_code"]].to_numpy()
    assert shapely.within(pts, polys).all()
    parent = comm["parent_code"].loc[ents["true_community_code"]].to_numpy()
    assert (parent == ents["true_town_code"].to_numpy()).all()


def test_build_enterprises_supplied_coordinates_by_datum(ents):
    share = ents["datum"].value_counts(normalize=False) / len(ents)
    assert 0.12 < share["gcj02"] < 0.18 and 0.03 < share["bd09"] < 0.07
    assert 0.015 < share["wgs84"] < 0.045
    assert ents.loc[ents["datum"].isna(), ["lng", "lat"]].isna().all().all()
    for datum, group in ents.loc[ents["datum"].notna()].groupby("datum"):
        lng, lat = to_wgs84(group["lng"].to_numpy(), group["lat"].to_numpy(), datum)
        dx = (lng - group["true_lng"]) * 111_320 * np.cos(np.radians(lat))
        dy = (lat - group["true_lat"]) * 110_574
        err = np.hypot(dx, dy)
        assert np.median(err) < 10 and err.max() < 40, datum
        if datum != "wgs84":  # the declared datum really is shifted
            raw = np.hypot(
                (group["lng"] - group["true_lng"]) * 102_000,
                (group["lat"] - group["true_lat"]) * 110_574,
            )
            assert raw.median() > 300


def test_build_enterprises_sectors_cluster_by_town(ents):
    mix = pd.crosstab(ents["true_town_code"], ents["sector"], normalize="index")
    ceramics = mix["ceramics"] + mix["sanitary_ware"]
    assert ceramics["440604100"] > 3 * ceramics["440604012"]
    assert ceramics["440604010"] > 2 * ceramics["440604012"]
    assert mix["textile"]["440604011"] > 2.5 * mix["textile"].drop("440604011").max()
    shops = mix["retail"] + mix["hospitality"]
    assert shops.idxmax() == "440604012"


def test_build_enterprises_risk_size_and_flags(ents):
    risk = ents["risk_level"].value_counts(normalize=True)
    assert risk["red"] < 0.05 and risk["blue"] + risk["yellow"] > 0.75
    danger = ents.loc[ents["sector"].isin(["hazchem", "fireworks"]), "risk_level"]
    assert danger.isin(["red", "orange"]).mean() > 0.6
    assert (ents["employees"] < 100).mean() > 0.9 and ents["employees"].min() >= 1
    assert ents["employees"].max() > 200  # heavy tail
    assert ents.loc[ents["sector"] == "hazchem", "has_hazchem"].all()
    assert 0.01 < ents["is_three_in_one"].mean() < 0.08
    three = ents.groupby("true_town_code")["is_three_in_one"].mean()
    assert three.idxmax() == "440604011"
    assert (ents.loc[ents["is_three_in_one"], "risk_level"] != "blue").all()


def test_build_enterprises_deterministic(ents):
    towns, communities, points = _base()
    again = build_enterprises(N, points, towns, communities, seed=SEED)
    assert_frame_equal(ents, again)
    other = build_enterprises(N, points, towns, communities, seed=SEED + 1)
    assert not other["uscc"].equals(ents["uscc"])


def test_build_enterprises_rejects_bad_n():
    towns, communities, points = _base()
    with pytest.raises(ValueError, match="positive"):
        build_enterprises(0, points, towns, communities)


@pytest.mark.slow
def test_build_enterprises_100k_codes_and_names_stay_unique():
    """Beyond the district's 70,000 units the name and code spaces still hold."""
    _, towns, communities = build_admin(seed=SEED)
    _, points = build_gazetteer(towns, communities, seed=SEED)
    big = build_enterprises(100_000, points, towns, communities, seed=SEED)
    assert len(big) == 100_000
    assert big["uscc"].is_unique and big["name"].is_unique
