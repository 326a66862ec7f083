"""A standard-address gazetteer (标准地址库) for the demo district.

Named roads (real Foshan arterials placed illustratively, plus generated local
roads), each cut per town, with door numbers growing along the line (odd on the
left, even on the right) and door-plate points a few metres off the road line.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from shapely.geometry import LineString

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.demo import names
from gridwatch.frames import require_columns, require_wgs84

#: Arterials as polylines in (u, v) fractions of the district's metric bounds;
#: the 季华 corridor is split, east to west, into 季华一路…季华六路 and 季华西路.
_ARTERIALS = {
    "季华": [(1.0, 0.50), (0.62, 0.52), (0.30, 0.50), (0.0, 0.46)],
    "佛山大道": [(0.62, 1.0), (0.60, 0.50), (0.63, 0.0)],
    "汾江路": [(0.85, 1.0), (0.82, 0.60), (0.80, 0.35)],
    "岭南大道": [(0.72, 0.95), (0.71, 0.30)],
    "张槎路": [(0.52, 0.90), (0.40, 0.80), (0.30, 0.65)],
    "南庄大道": [(0.48, 0.32), (0.25, 0.35), (0.05, 0.42)],
    "绿景路": [(0.97, 0.44), (0.64, 0.41)],
    "魁奇路": [(1.0, 0.61), (0.60, 0.63), (0.32, 0.60)],
    "文华路": [(0.77, 0.88), (0.76, 0.33)],
    "江湾路": [(0.92, 0.80), (0.64, 0.76)],
    "南海大道": [(0.89, 0.98), (0.88, 0.68)],
    "影荫路": [(0.80, 0.95), (0.58, 0.91)],
}
_JIHUA_SECTIONS = (
    "季华一路",
    "季华二路",
    "季华三路",
    "季华四路",
    "季华五路",
    "季华六路",
    "季华西路",
)
SUFFIX_SHARES = {"之一": 0.04, "之二": 0.01}


def _arterial_lines(bounds) -> list[tuple[str, LineString]]:
    """The arterials as metric LineStrings, the 季华 corridor cut into its sections."""
    xmin, ymin, xmax, ymax = bounds
    out = []
    for name, uv in _ARTERIALS.items():
        xy = [(xmin + u * (xmax - xmin), ymin + v * (ymax - ymin)) for u, v in uv]
        line = LineString(xy)
        if name != "季华":
            out.append((name, line))
            continue
        cuts = np.linspace(0, line.length, len(_JIHUA_SECTIONS) + 1)
        for sec, a, b in zip(_JIHUA_SECTIONS, cuts[:-1], cuts[1:], strict=True):
            out.append((sec, shapely.ops.substring(line, a, b)))
    return out


def _longest(geom):
    parts = [
        g
        for g in shapely.get_parts(shapely.line_merge(geom))
        if g.geom_type == "LineString"
    ]
    return max(parts, key=lambda g: g.length) if parts else None


def _major_roads(towns_m: gpd.GeoDataFrame, rng) -> list[dict]:
    """Arterials cut per town; numbering continues from one town's piece to the next."""
    rows = []
    district = shapely.union_all(towns_m.geometry.to_numpy())
    arterials = _arterial_lines(district.bounds)
    spacing = {name: rng.uniform(15, 35) for name, _line in arterials}
    for name, line in arterials:
        pieces = []
        for code, town in zip(towns_m["code"], towns_m.geometry, strict=True):
            seg = _longest(shapely.intersection(line, town))
            if seg is not None and seg.length >= 200:
                # keep the arterial's direction so numbers keep growing along it
                a, b = (
                    line.project(seg.interpolate(0)),
                    line.project(seg.interpolate(1, normalized=True)),
                )
                if b < a:
                    seg = seg.reverse()
                pieces.append((min(a, b), code, seg))
        for _key, code, seg in sorted(pieces, key=lambda p: p[0]):
            rows.append(
                {
                    "name": name,
                    "town_code": code,
                    "line": seg,
                    "is_major": True,
                    "spacing": spacing[name],
                }
            )
    return rows


def _stem(short_name: str) -> str:
    for suffix in ("社区", "村"):
        if short_name.endswith(suffix) and len(short_name) - len(suffix) >= 2:
            return short_name[: -len(suffix)]
    return short_name


def _local_roads(town, code, core, comm_stems, used, rng, n) -> list[dict]:
    """``n`` generated local roads in one town, names unique within the town."""
    rows = []
    b = town.bounds
    grid_angle = rng.uniform(-0.2, 0.2)
    tries = 0
    while len(rows) < n and tries < 20 * n:
        tries += 1
        urban = rng.random() < 0.55
        if urban:
            c = rng.normal(core, 0.22 * np.sqrt(town.area))
        else:
            c = np.array([rng.uniform(b[0], b[2]), rng.uniform(b[1], b[3])])
        if not shapely.contains_xy(town, c[0], c[1]):
            continue
        ang = grid_angle + (np.pi / 2) * rng.integers(0, 2) + rng.normal(0, 0.08)
        length = rng.uniform(300, 1500) if urban else rng.uniform(500, 2600)
        d = np.array([np.cos(ang), np.sin(ang)])
        nrm = np.array([-d[1], d[0]])
        pts = [
            c - d * length / 2,
            c + nrm * rng.normal(0, 0.05 * length),
            c + d * length / 2,
        ]
        seg = _longest(shapely.intersection(LineString(pts), town))
        if seg is None or seg.length < 150:
            continue
        name = _road_name(rng, comm_stems, used)
        rows.append(
            {
                "name": name,
                "town_code": code,
                "line": seg,
                "is_major": False,
                "spacing": rng.uniform(10, 20) if urban else rng.uniform(18, 40),
            }
        )
    return rows


def _road_name(rng, comm_stems: list[str], used: set[str]) -> str:
    """A new road name for this town: community or generic stem + suffix."""
    for _ in range(30):
        pool = comm_stems if (comm_stems and rng.random() < 0.45) else names.ROAD_STEMS
        name = (
            pool[rng.integers(len(pool))]
            + names.ROAD_SUFFIXES[rng.integers(len(names.ROAD_SUFFIXES))]
        )
        if name not in used:
            used.add(name)
            return name
    k = len(used) + 1
    while True:
        pool = names.ROAD_STEMS
        name = f"{pool[rng.integers(len(pool))]}{names.chinese_number(k % 99 + 1)}巷"
        if name not in used:
            used.add(name)
            return name
        k += 1


def _door_candidates(roads: pd.DataFrame, lines: np.ndarray, rng) -> pd.DataFrame:
    """Every door-plate position on every road: number, side, metric x/y."""
    lengths = shapely.length(lines)
    per_side = np.maximum(
        ((lengths - 10) // roads["spacing"].to_numpy()).astype(int) + 1, 1
    )
    road_idx = np.repeat(np.arange(len(roads)), 2 * per_side)
    # k runs 0..n-1 on each side; side 0 = left (odd), 1 = right (even)
    starts = np.repeat(np.cumsum(2 * per_side) - 2 * per_side, 2 * per_side)
    j = np.arange(road_idx.size) - starts
    n_r = per_side[road_idx]
    side = (j >= n_r).astype(int)
    k = j - side * n_r
    s = roads["spacing"].to_numpy()[road_idx]
    t = np.minimum(
        5 + k * s + rng.uniform(-0.25, 0.25, k.size) * s, lengths[road_idx] - 1
    )
    t = np.maximum(t, 0.5)
    g = lines[road_idx]
    p0 = shapely.line_interpolate_point(g, t - 0.5)
    p1 = shapely.line_interpolate_point(g, t + 0.5)
    x0, y0 = shapely.get_x(p0), shapely.get_y(p0)
    dx, dy = shapely.get_x(p1) - x0, shapely.get_y(p1) - y0
    norm = np.hypot(dx, dy)
    norm[norm == 0] = 1
    off = rng.uniform(6, 15, k.size) * np.where(side == 0, 1.0, -1.0)  # left = +normal
    x = (x0 + dx / 2) - dy / norm * off
    y = (y0 + dy / 2) + dx / norm * off
    door = roads["door_base"].to_numpy()[road_idx] + 2 * k + 1 + side
    return pd.DataFrame(
        {"road_idx": road_idx, "door_no": door, "side": side, "t": t, "x": x, "y": y}
    )


def _per_side(lengths: np.ndarray, spacing: np.ndarray) -> np.ndarray:
    return np.maximum(((lengths - 10) // spacing).astype(int) + 1, 1)


def _road_table(towns_m, communities_m, n_points, rng) -> pd.DataFrame:
    """Arterials plus enough local roads to hold ~1.4x the wanted door plates."""
    rows = _major_roads(towns_m, rng)
    used = {
        c: {r["name"] for r in rows if r["town_code"] == c} for c in towns_m["code"]
    }
    weights = {
        "440604012": 0.30,
        "440604010": 0.27,
        "440604011": 0.22,
        "440604100": 0.21,
    }
    stems = {
        c: sorted({_stem(s) for s in g["short_name"]})
        for c, g in communities_m.groupby("parent_code")
    }
    cores = {
        c: np.array(t.centroid.coords[0])
        for c, t in zip(towns_m["code"], towns_m.geometry, strict=True)
    }
    urban_members = communities_m.loc[communities_m["kind"] == "community"]
    for c, g in urban_members.groupby("parent_code"):
        cores[c] = np.array(
            shapely.centroid(shapely.union_all(g.geometry.to_numpy())).coords[0]
        )
    need = 1.4 * n_points
    capacity = 0
    while capacity < need:
        batch = max(20, int((need - capacity) / 85))
        for code, town in zip(towns_m["code"], towns_m.geometry, strict=True):
            k = max(1, round(batch * weights.get(code, 0.25)))
            rows += _local_roads(
                town, code, cores[code], stems.get(code, []), used[code], rng, k
            )
        lengths = shapely.length(np.array([r["line"] for r in rows]))
        capacity = 2 * _per_side(lengths, np.array([r["spacing"] for r in rows])).sum()
    roads = pd.DataFrame(rows)
    per_side = _per_side(
        shapely.length(roads["line"].to_numpy()), roads["spacing"].to_numpy()
    )
    # numbering continues along an arterial from one town's piece to the next
    roads["door_base"] = (
        pd.Series(2 * per_side)
        .groupby(roads["name"].where(roads["is_major"], roads.index.astype(str)))
        .cumsum()
        - 2 * per_side
    ).to_numpy()
    roads["door_from"] = roads["door_base"] + 1
    roads["door_to"] = roads["door_base"] + 2 * per_side
    return roads


def _place_names(points: pd.DataFrame, stems: dict[str, str], rng) -> np.ndarray:
    """Named places (工业园, 大厦 …) covering runs of door numbers on one road side."""
    place = np.full(len(points), "", dtype=object)
    n_places = max(1, len(points) // 450)
    anchors = rng.choice(len(points), size=n_places, replace=False)
    by_road = {r: idx for r, idx in points.groupby("road_idx").indices.items()}
    used: set[tuple[str, str]] = set()
    door = points["door_no"].to_numpy()
    for a in anchors:
        town = points["town_code"].iat[a]
        urban = town == "440604012" or rng.random() < 0.25
        kinds = names.URBAN_PLACES if urban else names.INDUSTRIAL_PLACES
        kind = kinds[rng.integers(len(kinds))]
        stem = stems[points["community_code"].iat[a]]
        if rng.random() < 0.5:
            stem = names.ROAD_STEMS[rng.integers(len(names.ROAD_STEMS))]
        name = stem + kind
        if (town, name) in used:
            continue
        used.add((town, name))
        idx = by_road[points["road_idx"].iat[a]]
        width = 0 if kind == "大厦" else 2 * int(rng.integers(3, 16))
        sel = idx[
            (np.abs(door[idx] - door[a]) <= width)
            & (door[idx] % 2 == door[a] % 2)
            & (place[idx] == "")
        ]
        place[sel] = name
    return place


def _suffix_points(base: pd.DataFrame, n_suffix: int, rng) -> pd.DataFrame:
    """之一/之二 plates: copies of occupied doors, a few metres further along/in."""
    shares = np.array(list(SUFFIX_SHARES.values()))
    pick = base.iloc[
        rng.choice(len(base), size=min(len(base), int(1.3 * n_suffix)), replace=False)
    ].copy()
    pick["door_suffix"] = rng.choice(
        list(SUFFIX_SHARES), size=len(pick), p=shares / shares.sum()
    )
    ang = rng.uniform(0, 2 * np.pi, len(pick))
    dist = rng.uniform(3, 5, len(pick))
    pick["x"] = pick["x"] + dist * np.cos(ang)
    pick["y"] = pick["y"] + dist * np.sin(ang)
    return pick


def _join_communities(points: pd.DataFrame, communities_m) -> np.ndarray:
    """Index of the community each metric x/y lies in, -1 when none (vectorised)."""
    tree = shapely.STRtree(communities_m.geometry.to_numpy())
    pts = shapely.points(points["x"].to_numpy(), points["y"].to_numpy())
    hit_pt, hit_poly = tree.query(pts, predicate="within")
    out = np.full(len(points), -1)
    out[hit_pt] = hit_poly
    return out


def build_gazetteer(
    towns: gpd.GeoDataFrame,
    communities: gpd.GeoDataFrame,
    seed: int = 20131,
    n_points: int = 75_000,
):
    """Build named roads and door-plate address points for the demo district.

    Parameters
    ----------
    towns : geopandas.GeoDataFrame
        WGS-84; columns code, name, geometry (as from :func:`build_admin`).
    communities : geopandas.GeoDataFrame
        WGS-84; columns code, short_name, kind, parent_code, geometry.
    seed : int
        Same seed and inputs give identical frames.
    n_points : int
        Number of address points wanted (exactly this many are returned).

    Returns
    -------
    roads : geopandas.GeoDataFrame
        WGS-84; road_id (int), name, town_code, door_from, door_to, is_major,
        geometry (LineString). Names are unique within a town.
    address_points : geopandas.GeoDataFrame
        WGS-84; addr_id (int), town_code, town_name, community_code,
        community_name (short name), road_id, road_name, door_no, door_suffix,
        place_name, standard_address, geometry (Point).

    Raises
    ------
    TypeError, ValueError
        If a frame is not a DataFrame, lacks a column, or ``n_points`` < 1.
    gridwatch.errors.CRSMismatchError
        If a frame is not in WGS-84.

    Examples
    --------
    >>> from gridwatch.demo import build_admin
    >>> _, towns, communities = build_admin(seed=1)
    >>> roads, points = build_gazetteer(towns, communities, seed=1, n_points=2000)
    >>> prefix = points["standard_address"].str.startswith("广东省佛山市禅城区")
    >>> len(points), prefix.all()
    (2000, np.True_)
    """
    require_columns(towns, ["code", "name", "geometry"], "towns")
    require_columns(
        communities,
        ["code", "short_name", "kind", "parent_code", "geometry"],
        "communities",
    )
    require_wgs84(towns, "towns")
    require_wgs84(communities, "communities")
    if int(n_points) < 1:
        raise ValueError(f"n_points must be positive, got {n_points}")
    rng = np.random.default_rng(seed)
    towns_m = towns.to_crs(METRIC_CRS).sort_values("code").reset_index(drop=True)
    comms_m = communities.to_crs(METRIC_CRS).sort_values("code").reset_index(drop=True)
    roads = _road_table(towns_m, comms_m, n_points, rng)
    lines = roads["line"].to_numpy()
    cand = _door_candidates(roads, lines, rng)
    cand["town_code"] = roads["town_code"].to_numpy()[cand["road_idx"]]
    comm = _join_communities(cand, comms_m)
    ok = comm >= 0
    ok[ok] = (
        comms_m["parent_code"].to_numpy()[comm[ok]] == cand["town_code"].to_numpy()[ok]
    )
    cand["comm_idx"] = comm
    cand = cand.loc[ok].reset_index(drop=True)
    n_suffix = round(n_points * sum(SUFFIX_SHARES.values()))
    n_base = n_points - n_suffix
    if len(cand) < n_base:
        raise ValueError(f"only {len(cand)} door positions for {n_base} points")
    base = cand.iloc[np.sort(rng.choice(len(cand), size=n_base, replace=False))]
    base = base.assign(door_suffix="")
    extra = _suffix_points(base, n_suffix, rng)
    extra_comm = _join_communities(extra, comms_m)
    extra = extra.loc[extra_comm == extra["comm_idx"].to_numpy()]
    extra = extra.drop_duplicates(["road_idx", "door_no", "door_suffix"]).iloc[
        :n_suffix
    ]
    points = pd.concat([base, extra], ignore_index=True)
    if len(points) < n_points:  # rare: too few suffix copies stayed in their community
        rest = cand.drop(index=base.index, errors="ignore").assign(door_suffix="")
        points = pd.concat(
            [points, rest.iloc[: n_points - len(points)]], ignore_index=True
        )
    return _finish(roads, points, towns_m, comms_m, rng)


def _finish(roads, points, towns_m, comms_m, rng):
    """Assemble the two output frames in WGS-84 with ids, names and addresses."""
    roads = roads.reset_index(drop=True)
    roads["road_id"] = np.arange(1, len(roads) + 1)
    road_frame = gpd.GeoDataFrame(
        roads[["road_id", "name", "town_code", "door_from", "door_to", "is_major"]],
        geometry=list(roads["line"]),
        crs=METRIC_CRS,
    ).to_crs(WGS84)
    road_frame[["door_from", "door_to"]] = road_frame[["door_from", "door_to"]].astype(
        int
    )
    ci = points["comm_idx"].to_numpy()
    town_names = dict(zip(towns_m["code"], towns_m["name"], strict=True))
    pts = pd.DataFrame(
        {
            "town_code": points["town_code"].to_numpy(),
            "community_code": comms_m["code"].to_numpy()[ci],
            "community_name": comms_m["short_name"].to_numpy()[ci],
            "road_idx": points["road_idx"].to_numpy(),
            "road_id": roads["road_id"].to_numpy()[points["road_idx"]],
            "road_name": roads["name"].to_numpy()[points["road_idx"]],
            "door_no": points["door_no"].to_numpy().astype(int),
            "door_suffix": points["door_suffix"].to_numpy(),
            "x": points["x"].to_numpy(),
            "y": points["y"].to_numpy(),
        }
    )
    pts["town_name"] = pts["town_code"].map(town_names)
    pts = pts.sort_values(
        ["town_code", "road_id", "door_no", "door_suffix"], kind="stable"
    ).reset_index(drop=True)
    stems = dict(
        zip(comms_m["code"], (_stem(s) for s in comms_m["short_name"]), strict=True)
    )
    pts["place_name"] = _place_names(pts, stems, rng)
    pts["addr_id"] = np.arange(1, len(pts) + 1)
    pts["standard_address"] = [
        f"广东省佛山市禅城区{t}{c}{r}{d}号{s}{p}"
        for t, c, r, d, s, p in zip(
            pts["town_name"],
            pts["community_name"],
            pts["road_name"],
            pts["door_no"],
            pts["door_suffix"],
            pts["place_name"],
            strict=True,
        )
    ]
    cols = [
        "addr_id",
        "town_code",
        "town_name",
        "community_code",
        "community_name",
        "road_id",
        "road_name",
        "door_no",
        "door_suffix",
        "place_name",
        "standard_address",
    ]
    geom = gpd.GeoSeries.from_xy(pts["x"], pts["y"], crs=METRIC_CRS).to_crs(WGS84)
    return road_frame, gpd.GeoDataFrame(pts[cols], geometry=geom.to_numpy(), crs=WGS84)
