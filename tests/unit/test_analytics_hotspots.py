"""Hazard aggregation, Gi* against esda called directly, and emerging hot spots."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from gridwatch.analytics import (
    aggregate_hazards,
    cell_weights,
    emerging_hotspots,
    getis_ord,
    hazard_points,
    monthly_getis_ord,
)
from gridwatch.errors import CRSMismatchError, InvalidInputError

X0, Y0, STEP = 113.0, 22.95, 0.005  # about 500 m cells in Chancheng


def _lattice(n=6, sizes=None):
    cells = []
    for j in range(n):
        for i in range(n):
            s = STEP if sizes is None else sizes[j * n + i]
            cells.append((f"g{j}{i}", box(X0 + i * STEP, Y0 + j * STEP,
                                          X0 + i * STEP + s, Y0 + j * STEP + s)))
    return gpd.GeoDataFrame(cells, columns=["code", "geometry"], crs="EPSG:4326")


def _enterprises(grids):
    c = grids.geometry.representative_point()
    return gpd.GeoDataFrame({"uscc": [f"E{k}" for k in range(len(grids))],
                             "grid_code": grids["code"].to_numpy()},
                            geometry=c.to_numpy(), crs="EPSG:4326")


def _hazards(spec):
    """spec: {uscc: (ordinary, major)}."""
    rows = [(u, "ordinary") for u, (o, _) in spec.items() for _ in range(o)]
    rows += [(u, "major") for u, (_, m) in spec.items() for _ in range(m)]
    return pd.DataFrame(rows, columns=["uscc", "level"])


GRIDS = _lattice()
ENTS = _enterprises(GRIDS)
# a hot corner: the four cells g00, g01, g10, g11 carry many hazards
HOT = {"E0": (8, 2), "E1": (9, 1), "E6": (7, 2), "E7": (10, 1), "E20": (1, 0)}


def test_aggregate_hazards_uses_grids_when_many_and_even():
    cells = aggregate_hazards(_hazards(HOT), ENTS, GRIDS)
    assert cells.attrs["unit"] == "grid" and len(cells) == 36
    row = cells.set_index("cell_id").loc["g00"]
    assert row["n_hazards"] == 10 and row["n_major"] == 2
    assert row["weight"] == 8 * 1 + 2 * 5
    assert cells["weight"].sum() == sum(o + 5 * m for o, m in HOT.values())


def test_aggregate_hazards_applies_configured_weights():
    cells = aggregate_hazards(_hazards(HOT), ENTS, GRIDS,
                              weights={"ordinary": 1, "major": 10})
    assert cells.set_index("cell_id").loc["g00", "weight"] == 8 + 20


def test_aggregate_hazards_switches_to_h3_for_few_grids():
    grids = _lattice(3)
    cells = aggregate_hazards(_hazards({"E0": (2, 0)}), _enterprises(grids), grids)
    assert cells.attrs["unit"] == "h3"
    assert "网格仅 9 个" in cells.attrs["unit_reason"]
    assert cells["n_enterprises"].sum() == 9 and cells["weight"].sum() == 2


def test_aggregate_hazards_switches_to_h3_for_uneven_grids():
    sizes = [STEP] * 36
    sizes[:6] = [STEP / 10] * 6  # ten times narrower, a hundred times smaller
    grids = _lattice(sizes=sizes)
    cells = aggregate_hazards(_hazards(HOT), _enterprises(grids), grids)
    assert cells.attrs["unit"] == "h3"


def test_aggregate_hazards_h3_resolution_forces_h3():
    cells = aggregate_hazards(_hazards(HOT), ENTS, GRIDS, h3_resolution=9)
    assert cells.attrs["unit"] == "h3" and cells.attrs["h3_resolution"] == 9
    assert cells.crs == "EPSG:4326"


def test_aggregate_hazards_rejects_unweighted_level():
    hz = pd.DataFrame({"uscc": ["E0"], "level": ["catastrophic"]})
    with pytest.raises(InvalidInputError, match="catastrophic"):
        aggregate_hazards(hz, ENTS, GRIDS)


def test_aggregate_hazards_rejects_crs_mismatch():
    with pytest.raises(CRSMismatchError):
        aggregate_hazards(_hazards(HOT), ENTS, GRIDS.to_crs("EPSG:4547"))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # esda's own notices
def test_getis_ord_matches_esda_called_directly():
    from esda import G_Local
    from esda import fdr as esda_fdr

    cells = aggregate_hazards(_hazards(HOT), ENTS, GRIDS)
    # continuous values (no ties), higher towards one corner
    rng = np.random.default_rng(5)
    ij = np.array([[int(c[1]), int(c[2])] for c in cells["cell_id"]])
    cells["weight"] = rng.gamma(2.0, 1.0, len(cells)) + 0.8 * (10 - ij.sum(1))
    got = getis_ord(cells, permutations=999, seed=7)
    w = cell_weights(cells)
    ref = G_Local(cells["weight"].to_numpy(float), w, transform="B",
                  permutations=999, star=True, seed=7, n_jobs=1)
    np.testing.assert_allclose(got["gi_z"], ref.Zs)
    np.testing.assert_allclose(got["p_sim_esda"], ref.p_sim)
    # where the observed Gi* ties no permutation, our p is esda's p
    obs, sims = ref.Gs[:, None], ref.rGs
    untied = ~np.isclose(sims, obs, rtol=1e-9, atol=0).any(axis=1)
    assert untied.sum() >= 30
    np.testing.assert_allclose(got["p_sim"][untied], ref.p_sim[untied])
    p = got["p_sim"].to_numpy()
    sig95 = p <= esda_fdr(p, 0.05)
    assert sig95.any()
    assert ((got["confidence"] >= 95).to_numpy() == sig95).all()


def test_getis_ord_zero_cell_among_zeros_is_not_a_cold_spot():
    # esda's folded p_sim calls such a cell significant; ties must not count
    cells = getis_ord(aggregate_hazards(_hazards(HOT), ENTS, GRIDS), seed=1)
    far = cells.set_index("cell_id").loc["g55"]
    assert far["p_sim"] > 0.1 and far["label"] == "not_significant"


def test_getis_ord_labels_the_hot_corner_hot():
    cells = getis_ord(aggregate_hazards(_hazards(HOT), ENTS, GRIDS), seed=1)
    labels = cells.set_index("cell_id")["label"]
    assert labels["g00"].startswith("hot")
    assert labels["g55"] == "not_significant"


def test_getis_ord_fdr_never_adds_significance():
    cells = aggregate_hazards(_hazards(HOT), ENTS, GRIDS)
    with_fdr = getis_ord(cells, seed=3, fdr=True)
    raw = getis_ord(cells, seed=3, fdr=False)
    assert (with_fdr["confidence"] <= raw["confidence"]).all()
    assert (raw["confidence"] > 0).sum() >= (with_fdr["confidence"] > 0).sum()


def test_getis_ord_constant_values_are_not_significant():
    cells = aggregate_hazards(_hazards({}), ENTS, GRIDS)
    out = getis_ord(cells)
    assert (out["label"] == "not_significant").all()


def test_cell_weights_h3_links_ring_neighbours():
    cells = aggregate_hazards(_hazards(HOT), ENTS, GRIDS, h3_resolution=8)
    w = cell_weights(cells)
    assert w.n == len(cells) and not w.islands


def test_hazard_points_places_hazards_with_weights():
    pts = hazard_points(_hazards({"E0": (1, 1)}), ENTS)
    assert sorted(pts["weight"]) == [1.0, 5.0]
    assert pts.geometry.iloc[0].equals(ENTS.geometry.iloc[0])


def test_monthly_getis_ord_has_every_cell_every_month():
    hz = _hazards(HOT)
    hz["found_on"] = np.where(np.arange(len(hz)) % 2 == 0, "2024-01-15", "2024-02-10")
    whole, monthly = monthly_getis_ord(hz, ENTS, GRIDS, permutations=99)
    assert len(monthly) == 36 * 2
    assert set(monthly["month"].astype(str)) == {"2024-01", "2024-02"}
    assert whole.attrs["unit"] == "grid"


def _series(cell, labels, zs):
    return pd.DataFrame({"cell_id": cell, "month": range(len(labels)), "gi_z": zs,
                         "label": labels})


H, N = "hot_95", "not_significant"


@pytest.mark.parametrize("labels, zs, expected", [
    ([N, N, N, H], [0.1, 0.3, 0.2, 3.0], "new"),
    ([H] * 6, [2.1, 2.5, 2.9, 3.3, 3.8, 4.2], "intensifying"),
    ([H] * 6, [4.2, 3.8, 3.3, 2.9, 2.5, 2.1], "diminishing"),
    ([H] * 6, [3.0, 2.5, 3.1, 2.6, 3.0, 2.7], "persistent"),
    ([H, N, H, N, N, H], [3, 0, 3, 0, 0, 3], "sporadic"),
    ([H] * 10 + [N], [3.0] * 10 + [0.5], "historical"),
    ([N, N, N], [0.0, 0.5, -0.2], "none"),
])
def test_emerging_hotspots_rules(labels, zs, expected):
    out = emerging_hotspots(_series("c", labels, zs))
    assert out.loc["c", "trend"] == expected


def test_emerging_hotspots_missing_month_counts_as_not_hot():
    m = pd.concat([_series("a", [H, H, H], [3, 3, 3]),
                   _series("b", [H, H], [3, 3])])  # b has no row in month 2
    out = emerging_hotspots(m)
    assert out.loc["a", "trend"] == "persistent"
    # hot 2 of 3 months and not in the last: under 90 %, so no pattern
    assert out.loc["b", "n_hot_months"] == 2 and out.loc["b", "trend"] == "none"


def test_emerging_hotspots_names_missing_column():
    with pytest.raises(InvalidInputError, match="gi_z"):
        emerging_hotspots(pd.DataFrame({"cell_id": [], "month": [], "label": []}))


def test_hazard_points_drops_unlocated():
    ents = ENTS.copy()
    ents.loc[0, "geometry"] = None
    pts = hazard_points(_hazards({"E0": (1, 0), "E1": (1, 0)}), ents)
    assert list(pts["uscc"]) == ["E1"]
    assert isinstance(pts.geometry.iloc[0], Point)


# --- rates: hazards per inspected enterprise / per inspection, EB-smoothed ----


def _district(n_ent, n_haz, inspected=lambda code: True, visits=1):
    """Enterprises spread inside each grid; ``n_haz(code)`` ordinary hazards."""
    rows, hz, ins = [], [], []
    for code, geom in zip(GRIDS["code"], GRIDS.geometry):
        n, h = n_ent(code), n_haz(code)
        minx, miny = geom.bounds[:2]
        for k in range(n):
            u = f"{code}-{k}"
            rows.append((u, code, Point(minx + STEP * (k % 7 + 0.5) / 7,
                                        miny + STEP * (k // 7 % 7 + 0.5) / 7)))
            if inspected(code):
                ins += [(u, f"2026-03-{v + 1:02d}") for v in range(visits)]
        hz += [(f"{code}-{j % n}", "ordinary") for j in range(h)]
    ents = gpd.GeoDataFrame(rows, columns=["uscc", "grid_code", "geometry"],
                            crs="EPSG:4326")
    return (ents, pd.DataFrame(hz, columns=["uscc", "level"]),
            pd.DataFrame(ins, columns=["uscc", "inspected_on"]))


def _diag(code):
    return int(code[1]) + int(code[2])


PARK = ["g00", "g01", "g10", "g11"]
SPARSE = ["g33", "g34", "g43", "g44"]


def test_rate_dense_park_is_hot_by_count_but_not_by_rate():
    # the park has 40 enterprises a cell, elsewhere 6; all at about 0.5 hazards each
    ents, hz, ins = _district(lambda c: 40 if c in PARK else 6,
                              lambda c: 20 if c in PARK else 2 + _diag(c) % 3)
    by_count = getis_ord(aggregate_hazards(hz, ents, GRIDS), seed=1)
    assert by_count.set_index("cell_id").loc[PARK, "label"].str.startswith("hot").all()
    cells = aggregate_hazards(hz, ents, GRIDS, measure="rate_per_inspected",
                              inspections=ins)
    by_rate = getis_ord(cells, seed=1).set_index("cell_id")
    assert cells.attrs["value_col"] == "rate_smoothed"
    assert "每家受检企业" in by_rate.attrs["measure_label"]
    assert (by_rate.loc[PARK, "raw_rate"] == 0.5).all()
    assert not by_rate["label"].str.startswith("hot").any()


def test_rate_sparse_cells_do_not_swing_with_smoothing():
    # four neighbouring cells with ONE enterprise each and 3 hazards: raw rate 3,
    # six times the district's, on the evidence of four enterprises
    ents, hz, ins = _district(lambda c: 1 if c in SPARSE else 8,
                              lambda c: 3 if c in SPARSE else 3 + _diag(c) % 3)
    raw = aggregate_hazards(hz, ents, GRIDS, measure="rate_per_inspected",
                            inspections=ins, smoothing="none")
    raw_gi = getis_ord(raw, seed=1).set_index("cell_id")
    assert raw_gi.loc[SPARSE, "label"].str.startswith("hot").all()
    eb = aggregate_hazards(hz, ents, GRIDS, measure="rate_per_inspected",
                           inspections=ins)
    eb_gi = getis_ord(eb, seed=1).set_index("cell_id")
    mean = eb["events"].sum() / eb["exposure"].sum()
    shrunk = eb_gi.loc[SPARSE, "rate_smoothed"] - mean
    assert (shrunk.abs() < 0.1 * (3 - mean)).all()
    assert not eb_gi["label"].str.startswith("hot").any()
    # the well-observed cells barely move
    big = eb_gi.drop(SPARSE)
    assert ((big["rate_smoothed"] - big["raw_rate"]).abs() < 0.15).all()


def test_rate_smoothing_matches_esda_called_directly():
    from esda.smoothing import Empirical_Bayes

    ents, hz, ins = _district(lambda c: 1 if c in SPARSE else 8,
                              lambda c: 3 if c in SPARSE else 3 + _diag(c) % 3)
    eb = aggregate_hazards(hz, ents, GRIDS, measure="rate_per_inspected",
                           inspections=ins)
    ref = Empirical_Bayes(eb["events"].to_numpy(), eb["exposure"].to_numpy()).r
    np.testing.assert_allclose(eb["rate_smoothed"], ref.ravel())


def test_rate_cells_without_inspection_are_no_data_not_tested():
    ents, hz, ins = _district(lambda c: 6, lambda c: 2 + _diag(c) % 3,
                              inspected=lambda c: c not in ("g55", "g54"))
    cells = aggregate_hazards(hz, ents, GRIDS, measure="rate_per_inspected",
                              inspections=ins)
    out = getis_ord(cells, seed=1).set_index("cell_id")
    assert not out.loc["g55", "has_exposure"]
    assert np.isnan(out.loc["g55", "rate_smoothed"])
    assert out.loc["g55", "label"] == "no_data" and np.isnan(out.loc["g55", "gi_z"])
    assert (out.drop(["g55", "g54"])["label"] != "no_data").all()
    assert out.attrs["n_tested"] == 34
    # their hazards are not counted against anyone's rate
    assert cells.attrs["n_hazards_uninspected"] == int(
        hz["uscc"].str.startswith(("g55", "g54")).sum())


def test_rate_per_inspection_divides_by_inspections():
    ents, hz, ins = _district(lambda c: 4, lambda c: 4, visits=2)
    cells = aggregate_hazards(hz, ents, GRIDS, measure="rate_per_inspection",
                              inspections=ins).set_index("cell_id")
    row = cells.loc["g00"]
    assert row["n_inspected"] == 4 and row["n_inspections"] == 8
    assert row["raw_rate"] == 0.5 and row["exposure"] == 8


def test_rate_period_bounds_the_inspections():
    ents, hz, ins = _district(lambda c: 4, lambda c: 2, visits=3)  # 1st-3rd March
    cells = aggregate_hazards(hz, ents, GRIDS, measure="rate_per_inspection",
                              inspections=ins, period=("2026-03-02", "2026-03-31"))
    assert (cells["n_inspections"] == 8).all()


def test_rate_measure_needs_inspections():
    with pytest.raises(InvalidInputError, match="inspections"):
        aggregate_hazards(_hazards(HOT), ENTS, GRIDS, measure="rate_per_inspected")


def test_rate_unknown_measure_is_refused():
    with pytest.raises(ValueError, match="measure"):
        aggregate_hazards(_hazards(HOT), ENTS, GRIDS, measure="rate")


def test_smooth_rates_negative_variance_shrinks_to_the_mean():
    from gridwatch.analytics.rates import smooth_rates

    # rates no more variable than chance: esda's factor leaves [0, 1] here
    r, note = smooth_rates([5, 5, 6], [10, 10, 10])
    np.testing.assert_allclose(r, 16 / 30)
    assert note


def test_rate_spatial_smoothing_runs_with_weights():
    ents, hz, ins = _district(lambda c: 1 if c in SPARSE else 8,
                              lambda c: 3 if c in SPARSE else 3 + _diag(c) % 3,
                              inspected=lambda c: c != "g00")
    cells = aggregate_hazards(hz, ents, GRIDS, measure="rate_per_inspected",
                              inspections=ins, smoothing="spatial")
    assert cells.attrs["smoothing"] == "spatial"
    assert cells["rate_smoothed"].notna().sum() == 35


def test_monthly_getis_ord_with_rates_keeps_every_cell():
    ents, hz, ins = _district(lambda c: 6, lambda c: 2 + _diag(c) % 3)
    hz["found_on"] = np.where(np.arange(len(hz)) % 2 == 0, "2026-03-15", "2026-04-10")
    ins2 = pd.concat([ins, ins.assign(inspected_on="2026-04-02")], ignore_index=True)
    whole, monthly = monthly_getis_ord(hz, ents, GRIDS, permutations=99,
                                       measure="rate_per_inspected", inspections=ins2)
    assert len(monthly) == 36 * 2 and "rate_smoothed" in monthly
    assert whole.attrs["measure"] == "rate_per_inspected"
    emerging_hotspots(monthly)  # the trend step takes the rate frame as it is


def test_rate_measure_on_h3_cells():
    ents, hz, ins = _district(lambda c: 6, lambda c: 2 + _diag(c) % 3,
                              inspected=lambda c: c != "g00")
    cells = aggregate_hazards(hz, ents, GRIDS, h3_resolution=8,
                              measure="rate_per_inspected", inspections=ins,
                              smoothing="spatial")
    assert cells.attrs["unit"] == "h3"
    assert cells["n_inspected"].sum() == 35 * 6
    out = getis_ord(cells, permutations=99)
    assert set(out.loc[~out["has_exposure"], "label"]) <= {"no_data"}


def test_rates_docstring_examples_hold():
    import doctest

    from gridwatch.analytics import rates

    assert doctest.testmod(rates).failed == 0
