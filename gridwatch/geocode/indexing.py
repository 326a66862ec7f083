"""Building the gazetteer's lookup tables from its frames (see :class:`Gazetteer`).

Door plates, roads, towns and villages become dicts keyed on normalised names;
names are added to the :class:`~gridwatch.geocode.parse.Lexicon` as they go.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer

from gridwatch.geocode.former import FormerNames
from gridwatch.geocode.normalize import normalise_address
from gridwatch.geocode.parse import Lexicon, parse_address

__all__ = [
    "RoadSegment",
    "admin_lookup",
    "index_points",
    "index_roads",
    "packaged_former",
    "prefix_names",
    "rep_point",
    "town_aliases",
    "variant_aliases",
]


@dataclass(frozen=True, slots=True)
class RoadSegment:
    """One road's run through one town, in the metric CRS (EPSG:4547)."""

    road_id: str
    name: str
    town_code: str
    door_from: int
    door_to: int
    xy: np.ndarray  # (n, 2) vertices, metres
    cumlen: np.ndarray  # cumulative length at each vertex, metres

    def locate(self, door: int, side_offset_m: float = 12.0) -> tuple[float, float]:
        """Metric x, y of ``door`` by linear interpolation along the line.

        Doors grow along the line, odd numbers on the left, even on the right
        (the usual Chinese door-plate rule, GB/T 17693-style numbering); the
        point is moved ``side_offset_m`` off the centre line to that side.
        """
        span = self.door_to - self.door_from
        t = 0.5 if span <= 0 else (door - self.door_from) / span
        dist = min(max(t, 0.0), 1.0) * self.cumlen[-1]
        i = int(np.searchsorted(self.cumlen, dist, side="right")) - 1
        i = min(max(i, 0), len(self.xy) - 2)
        seg = self.cumlen[i + 1] - self.cumlen[i]
        f = 0.0 if seg == 0 else (dist - self.cumlen[i]) / seg
        (x0, y0), (x1, y1) = self.xy[i], self.xy[i + 1]
        x, y = x0 + f * (x1 - x0), y0 + f * (y1 - y0)
        if seg > 0 and side_offset_m:
            nx, ny = -(y1 - y0) / seg, (x1 - x0) / seg  # unit normal, to the left
            sign = 1.0 if door % 2 else -1.0
            x, y = x + sign * side_offset_m * nx, y + sign * side_offset_m * ny
        return float(x), float(y)

    def covers(self, door: int) -> bool:
        """True when ``door`` lies in this segment's door-number range."""
        lo, hi = sorted((self.door_from, self.door_to))
        return lo <= door <= hi


def town_aliases(name: str) -> list[str]:
    """Spellings people use for a town: 石湾镇街道 → 石湾街道, 石湾镇, 石湾.

    >>> town_aliases("张槎街道")
    ['张槎街道', '张槎']
    """
    out = [name]
    for suffix in ("镇街道", "街道办事处", "街道办", "街道", "镇", "乡"):
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            if suffix == "镇街道":
                out += [base + "街道", base + "镇"]
            if len(base) >= 2:
                out.append(base)
            break
    return out


def rep_point(geom) -> tuple[float, float]:
    """A point inside the polygon (a centroid can fall outside a crescent)."""
    p = geom.representative_point()
    return float(p.x), float(p.y)


@lru_cache(maxsize=1)
def packaged_former():
    from gridwatch.geocode.former import read_former_names

    return read_former_names()


#: Village/community suffixes people swap (村改居: 澜石村 became 澜石社区). Town
#: suffixes are not swapped: the bare stem is already an alias (张槎镇 reads as
#: 张槎 + 镇), and a made-up 祖庙镇 would swallow the 镇 of 祖庙镇安坊.
_TOWN_SWAPS = ()
_COMMUNITY_SWAPS = (("社区", "村"), ("村", "社区"))


def _swapped(name: str, swaps) -> list[str]:
    return [
        name[: -len(a)] + b
        for a, b in swaps
        if name.endswith(a) and len(name) - len(a) >= 2
    ]


def variant_aliases(parts: dict, former: FormerNames, lex: Lexicon) -> frozenset:
    """Add former names and suffix variants that name exactly one unit; return them.

    A variant already used by another unit (both 大石镇 and 大石街道 exist) is
    not added: it could mean either.
    """
    added = set()
    for index, kind, swaps, former_map in (
        (parts["town_codes_by_alias"], "town", _TOWN_SWAPS, former.town_aliases),
        (
            parts["community_codes_by_name"],
            "community",
            _COMMUNITY_SWAPS,
            former.community_aliases,
        ),
    ):
        extra: dict[str, set[str]] = defaultdict(set)
        for name, codes in list(index.items()):
            for variant in _swapped(name, swaps):
                extra[variant].update(codes)
        for old, new in former_map.items():
            extra[old].update(index.get(new, ()))
        for name, codes in extra.items():
            if name in index or len(codes) != 1:
                continue
            index[name] = sorted(codes)
            lex.add(name, kind, name)
            added.add(name)
    return frozenset(added)


def admin_lookup(towns, communities, lex: Lexicon) -> dict:
    """Town and village names, aliases and fallback points, by code."""
    town_names, by_alias, town_point = {}, defaultdict(list), {}
    for code, name, geom in zip(
        towns["code"].astype(str), towns["name"], towns.geometry
    ):
        town_names[code] = name
        town_point[code] = rep_point(geom)
        for alias in town_aliases(normalise_address(name)):
            by_alias[alias].append(code)
            lex.add(alias, "town", alias)
    c_names, c_town, c_by_name, c_point = {}, {}, defaultdict(list), {}
    for row in communities.itertuples(index=False):
        code = str(row.code)
        c_names[code] = row.short_name or row.name
        c_town[code] = str(row.parent_code)
        c_point[code] = rep_point(row.geometry)
        for alias in {normalise_address(row.name), normalise_address(row.short_name)}:
            if alias and code not in c_by_name[alias]:
                c_by_name[alias].append(code)
                lex.add(alias, "community", alias)
    return {
        "town_names": town_names,
        "town_codes_by_alias": dict(by_alias),
        "town_point": town_point,
        "community_names": c_names,
        "community_town": c_town,
        "community_codes_by_name": dict(c_by_name),
        "community_point": c_point,
    }


def index_points(pts, lex: Lexicon) -> dict:
    """Door-plate lookups: by (town, road, door, suffix), road, place, side."""
    road = [normalise_address(r) for r in pts["road_name"].fillna("").astype(str)]
    place = [normalise_address(p) for p in pts["place_name"].fillna("").astype(str)]
    suffix = pts["door_suffix"].fillna("").astype(str).tolist()
    door = pd_int(pts["door_no"])
    town = pts["town_code"].astype(str).tolist()
    by_trd, by_rd, by_pd = {}, defaultdict(list), defaultdict(list)
    by_place, sides, roads_in_town = (
        defaultdict(list),
        defaultdict(list),
        defaultdict(set),
    )
    by_rc, by_tr = defaultdict(list), defaultdict(list)
    comm = pts["community_code"].astype(str).tolist()
    for i, (t, c, r, d, s, p) in enumerate(zip(town, comm, road, door, suffix, place)):
        if r:
            roads_in_town[t].add(r)
            by_rc[(r, c)].append((d or 0, i))
            by_tr[(t, r)].append((d or 0, i))
        if d is not None:
            if r:
                by_trd.setdefault((t, r, d, s), i)
                by_rd[(r, d, s)].append(i)
                if not s:
                    sides[(t, r, d % 2)].append((d, i))
            if p:
                by_pd[(p, d, s)].append(i)
        if p:
            by_place[p].append(i)
            lex.add(p, "place", p)
    plates = {
        k: ([d for d, _ in sorted(v)], [i for _, i in sorted(v)])
        for k, v in sides.items()
    }
    geom = pts.geometry.values
    return {
        "lng": shapely.get_x(geom),
        "lat": shapely.get_y(geom),
        "addr_id": pts["addr_id"].astype(str).tolist(),
        "point_town": town,
        "point_community": comm,
        "standard_address": pts["standard_address"].astype(str).tolist(),
        "by_town_road_door": by_trd,
        "by_road_door": dict(by_rd),
        "by_place_door": dict(by_pd),
        "by_place": dict(by_place),
        "by_road_community": {k: [i for _, i in sorted(v)] for k, v in by_rc.items()},
        "by_town_road": {k: [i for _, i in sorted(v)] for k, v in by_tr.items()},
        "plates_by_side": plates,
        "roads": {r for r in road if r},
        "roads_in_town": roads_in_town,
    }


def pd_int(series) -> list[int | None]:
    """Door numbers as ints (None where missing or not a number)."""
    out = []
    for v in series.tolist():
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            out.append(None)
    return out


def index_roads(roads, to_metric: Transformer, lex: Lexicon):
    """Road segments (metric) by normalised name, and road names per town."""
    segments, in_town = defaultdict(list), defaultdict(set)
    for row in roads.itertuples(index=False):
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        if geom.geom_type == "MultiLineString":
            geom = shapely.line_merge(geom)
            if geom.geom_type == "MultiLineString":  # disjoint pieces: keep the longest
                geom = max(geom.geoms, key=lambda g: g.length)
        lng, lat = np.asarray(geom.coords).T[:2]
        x, y = to_metric.transform(lng, lat)
        xy = np.column_stack([x, y])
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
        name = normalise_address(str(row.name))
        seg = RoadSegment(
            str(row.road_id),
            name,
            str(row.town_code),
            int(row.door_from),
            int(row.door_to),
            xy,
            cum,
        )
        segments[name].append(seg)
        in_town[seg.town_code].add(name)
        lex.add(name, "road", name)
    return dict(segments), {t: sorted(v) for t, v in in_town.items()}


def prefix_names(standard_addresses, lex: Lexicon):
    """District and city names (with bare forms) from the standard addresses."""
    districts, cities = set(), set()
    for text in standard_addresses.dropna().astype(str).head(50):
        p = parse_address(text)
        for value, bucket, kind in (
            (p.district, districts, "district"),
            (p.city, cities, "city"),
            (p.province, None, "province"),
        ):
            if not value:
                continue
            forms = {value, value[:-1]} if len(value) > 2 else {value}
            if bucket is not None:
                bucket.update(forms)
            for f in forms:
                lex.add(f, kind, value)
    return frozenset(districts), frozenset(cities)
