"""Planted spatial structure for the demo year: hazard hotspots, neglected grids.

The analytics (Gi* hotspots, coverage gaps) must find something real in the demo,
so the activity generator plants it, and these frames say where (ground truth).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from shapely.geometry import Point

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.grids.codes import within_mask

#: (label, town code prefix of grid_code, rule on the enterprise rows)
HOTSPOT_GROUPS = (
    (
        "南庄陶瓷卫浴集聚区",
        "440604100",
        lambda e: e["sector"].isin(["ceramics", "sanitary_ware"]),
    ),
    ("张槎三合一作坊集中区", "440604011", lambda e: e["is_three_in_one"].astype(bool)),
    (
        "石湾家具金属加工片区",
        "440604010",
        lambda e: e["sector"].isin(
            [
                "furniture",
                "al_mg_machining",
                "metal_products",
                "nonferrous_metals",
                "hazchem",
            ]
        ),
    ),
    (
        "祖庙老城区商铺片区",
        "440604012",
        lambda e: e["sector"].isin(["retail", "hospitality"]),
    ),
)
HOTSPOT_RADIUS_M = 700.0


def pick_hotspots(
    ents: pd.DataFrame,
    xy: np.ndarray,
    rng: np.random.Generator,
    radius_m: float = HOTSPOT_RADIUS_M,
) -> gpd.GeoDataFrame:
    """Centre each hotspot on the densest spot of its sector group (metric ``xy``)."""
    has_xy = np.isfinite(xy).all(axis=1)
    grid = ents["grid_code"].astype(str).fillna("")
    centres, rows = [], []
    for label, town, rule in HOTSPOT_GROUPS:
        member = rule(ents).to_numpy() & has_xy
        in_town = member & within_mask(grid, town)
        cand = np.flatnonzero(in_town if in_town.sum() >= 5 else member)
        if cand.size < 5:
            continue
        tree = cKDTree(xy[cand])
        probe = cand if cand.size <= 3000 else rng.choice(cand, 3000, replace=False)
        counts = tree.query_ball_point(xy[probe], r=radius_m, return_length=True)
        order = np.argsort(-counts, kind="stable")
        for j in order:
            c = xy[probe[j]]
            if all(np.hypot(*(c - p)) > 2.5 * radius_m for p in centres):
                centres.append(c)
                rows.append(
                    {
                        "label": label,
                        "town_code": town,
                        "radius_m": radius_m,
                        "x": c[0],
                        "y": c[1],
                    }
                )
                break
    frame = pd.DataFrame(rows, columns=["label", "town_code", "radius_m", "x", "y"])
    geom = gpd.GeoSeries(
        [
            Point(x, y).buffer(radius_m, 32)
            for x, y in zip(frame["x"], frame["y"], strict=True)
        ],
        crs=METRIC_CRS,
    )
    out = gpd.GeoDataFrame(
        frame.drop(columns=["x", "y"]), geometry=geom, crs=METRIC_CRS
    )
    out.insert(0, "hotspot_id", np.arange(1, len(out) + 1))
    return out.to_crs(WGS84)


def hotspot_mask(xy: np.ndarray, hotspots: gpd.GeoDataFrame) -> np.ndarray:
    """True for metric points within a hotspot's radius of its centre."""
    out = np.zeros(len(xy), bool)
    if hotspots.empty:
        return out
    centres = hotspots.to_crs(METRIC_CRS).geometry.centroid
    for c, r in zip(centres, hotspots["radius_m"], strict=True):
        out |= np.hypot(xy[:, 0] - c.x, xy[:, 1] - c.y) <= r
    return out


def pick_neglected(
    ents: pd.DataFrame, in_hotspot: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """A few wardens who rarely inspect; their grids are the under-inspected ones."""
    wardens = ents.loc[~in_hotspot, "warden_username"].dropna().unique()
    wardens = np.sort(wardens.astype(str))
    if wardens.size < 10:  # "a few among many": too few wardens to single any out
        return pd.DataFrame(
            {"grid_code": pd.Series(dtype=str), "warden_username": pd.Series(dtype=str)}
        )
    k = max(1, round(0.02 * wardens.size))
    chosen = rng.choice(wardens, size=min(k, wardens.size), replace=False)
    grids = ents.loc[
        ents["warden_username"].isin(chosen), ["grid_code", "warden_username"]
    ].drop_duplicates()
    return grids.sort_values("grid_code").reset_index(drop=True)
