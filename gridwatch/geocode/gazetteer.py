"""The standard-address gazetteer (标准地址库) as an in-memory index.

:meth:`Gazetteer.build` turns the four frames (door-plate points, road segments
with door-number ranges, town and village/community polygons) into plain dicts
and numpy arrays, so matching an address is a handful of dict lookups. Fallback
points are ``representative_point()`` of each polygon: a centroid can fall
outside a crescent-shaped village or a town with a hole, a representative point
never does.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.frames import reproject_to_wgs84, require_geoframe
from gridwatch.geocode.former import FormerNames
from gridwatch.geocode.indexing import (
    RoadSegment,
    admin_lookup,
    index_points,
    index_roads,
    packaged_former,
    prefix_names,
    rep_point,
    town_aliases,
    variant_aliases,
)
from gridwatch.geocode.normalize import normalise_address
from gridwatch.geocode.parse import Lexicon

__all__ = ["Gazetteer", "RoadSegment", "town_aliases"]

POINT_COLUMNS = (
    "addr_id",
    "town_code",
    "community_code",
    "road_name",
    "door_no",
    "door_suffix",
    "place_name",
    "standard_address",
)
ROAD_COLUMNS = ("road_id", "name", "town_code", "door_from", "door_to")
TOWN_COLUMNS = ("code", "name")
COMMUNITY_COLUMNS = ("code", "name", "short_name", "parent_code")




@lru_cache(maxsize=4)
def _transformer(source: str, target: str) -> Transformer:
    """pyproj transformers cost ~0.2 s to build; build each pair once."""
    return Transformer.from_crs(source, target, always_xy=True)


@dataclass
class Gazetteer:
    """Index of a district's standard addresses; build it with :meth:`build`."""

    lexicon: Lexicon
    lng: np.ndarray
    lat: np.ndarray
    addr_id: list[str]
    point_town: list[str]
    point_community: list[str]
    standard_address: list[str]
    by_town_road_door: dict[tuple, int]
    by_road_door: dict[tuple, list[int]]
    by_place_door: dict[tuple, list[int]]
    by_place: dict[str, list[int]]
    by_road_community: dict[tuple[str, str], list[int]]
    by_town_road: dict[tuple[str, str], list[int]]
    plates_by_side: dict[tuple, tuple[list[int], list[int]]]
    segments: dict[str, list[RoadSegment]]
    roads_in_town: dict[str, list[str]]
    road_names: list[str]
    town_names: dict[str, str]
    town_codes_by_alias: dict[str, list[str]]
    town_point: dict[str, tuple[float, float]]
    community_names: dict[str, str]
    community_town: dict[str, str]
    community_codes_by_name: dict[str, list[str]]
    community_point: dict[str, tuple[float, float]]
    district_point: tuple[float, float]
    district_names: frozenset[str]
    city_names: frozenset[str]
    communities: gpd.GeoDataFrame = field(repr=False)
    former: FormerNames = field(repr=False)
    #: aliases that are a former name or a suffix variant (石湾区, 张槎镇, 澜石村)
    variant_aliases: frozenset[str] = field(repr=False)
    to_metric: Transformer = field(repr=False)
    to_lonlat: Transformer = field(repr=False)
    _pools: dict = field(default_factory=dict, repr=False)
    _tree: shapely.STRtree | None = field(default=None, repr=False)
    _codes: list = field(default_factory=list, repr=False)

    @classmethod
    def build(
        cls,
        address_points: gpd.GeoDataFrame,
        roads: gpd.GeoDataFrame | None,
        towns: gpd.GeoDataFrame,
        communities: gpd.GeoDataFrame,
        district=None,
        district_name: str | None = None,
        former_names=None,
    ) -> Gazetteer:
        """Index the gazetteer frames for :func:`gridwatch.geocode.geocode`.

        Parameters
        ----------
        address_points : GeoDataFrame
            Door plates (Point), columns addr_id, town_code, community_code,
            road_name, door_no, door_suffix, place_name, standard_address; any CRS.
        roads : GeoDataFrame or None
            Road segments (LineString), columns road_id, name, town_code,
            door_from, door_to; one row per road and town.
        towns, communities : GeoDataFrame
            Polygons with code, name (communities also short_name, parent_code).
        district : shapely geometry, optional
            The district outline in WGS-84; default the union of the towns.
        district_name : str, optional
            E.g. "禅城区"; default read from the standard addresses' prefix.
            Addresses naming another district are not placed.
        former_names : DataFrame, optional
            Former unit names (:func:`gridwatch.geocode.former.read_former_names`;
            default the packaged table): an address naming a former district
            whose area is now this district's (石湾区, 南海市南庄镇) is placed.

        Returns
        -------
        Gazetteer

        Raises
        ------
        InvalidInputError
            If a frame is not a GeoDataFrame, lacks a column or has no CRS.
        """
        require_geoframe(address_points, POINT_COLUMNS, "address_points")
        require_geoframe(towns, TOWN_COLUMNS + ("geometry",), "towns")
        require_geoframe(communities, COMMUNITY_COLUMNS + ("geometry",), "communities")
        if roads is None:
            roads = gpd.GeoDataFrame(
                {c: [] for c in ROAD_COLUMNS}, geometry=[], crs=WGS84
            )
        require_geoframe(roads, ROAD_COLUMNS, "roads")
        pts = reproject_to_wgs84(address_points, "address_points")
        towns = reproject_to_wgs84(towns, "towns")
        communities = reproject_to_wgs84(communities, "communities")
        roads = reproject_to_wgs84(roads, "roads")
        lex = Lexicon()
        parts = admin_lookup(towns, communities, lex)
        to_metric, to_lonlat = (
            _transformer(WGS84, METRIC_CRS),
            _transformer(METRIC_CRS, WGS84),
        )
        point_parts = index_points(pts, lex)
        segments, roads_in_town = index_roads(roads, to_metric, lex)
        for name in point_parts.pop("roads"):
            lex.add(name, "road", name)
        names = sorted(set(segments) | {k[1] for k in point_parts["by_town_road_door"]})
        for town, rds in point_parts.pop("roads_in_town").items():
            roads_in_town[town] = sorted(set(roads_in_town.get(town, [])) | rds)
        outline = (
            district
            if district is not None
            else shapely.union_all(towns.geometry.values)
        )
        d_names, c_names = prefix_names(pts["standard_address"], lex)
        if district_name:
            name = normalise_address(district_name)
            forms = {name, name[:-1]} if len(name) > 2 else {name}
            d_names = d_names | forms
            for f in forms:
                lex.add(f, "district", name)
        former = FormerNames.build(
            packaged_former() if former_names is None else former_names,
            d_names,
            parts["town_codes_by_alias"],
            parts["community_codes_by_name"],
        )
        for old in former.districts:  # 石湾区 is a former district, not 石湾 + 区
            lex.add(old, "district", old)
        variants = variant_aliases(parts, former, lex)
        lex.compile()  # once, here, not inside the first timed geocode
        return cls(
            lexicon=lex,
            segments=segments,
            roads_in_town=roads_in_town,
            road_names=names,
            district_point=rep_point(outline),
            district_names=d_names,
            city_names=c_names,
            communities=communities[["code", "geometry"]].reset_index(drop=True),
            former=former,
            variant_aliases=variants,
            to_metric=to_metric,
            to_lonlat=to_lonlat,
            **parts,
            **point_parts,
        )

    def roads_near(self, towns) -> list[str]:
        """Road names of ``towns`` (all roads when empty), cached per town set."""
        key = tuple(sorted(towns))
        pool = self._pools.get(key)
        if pool is None:
            pool = sorted({r for t in key for r in self.roads_in_town.get(t, ())})
            pool = self._pools[key] = pool or self.road_names
        return pool

    def community_at(self, lng: float, lat: float) -> str | None:
        """Code of the community polygon containing a WGS-84 point, if any."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.communities.geometry.values)
            self._codes = self.communities["code"].astype(str).tolist()
        idx = self._tree.query(shapely.Point(lng, lat), predicate="intersects")
        return self._codes[int(idx.min())] if len(idx) else None

    def metric_to_lonlat(self, x, y):
        """EPSG:4547 metres → WGS-84 (scalars or arrays)."""
        return self.to_lonlat.transform(x, y)

    def interpolate_plates(self, town: str, road: str, door: int):
        """(lng, lat) between the nearest same-side plates around ``door``, or None."""
        side = self.plates_by_side.get((town, road, door % 2))
        if side is None:
            return None
        doors, idx = side
        k = bisect.bisect_left(doors, door)
        if k == 0 or k == len(doors):
            return None
        d0, d1, i0, i1 = doors[k - 1], doors[k], idx[k - 1], idx[k]
        if d1 - d0 > 40:  # plates too far apart: the road's own range is better
            return None
        f = (door - d0) / (d1 - d0)
        return (
            self.lng[i0] + f * (self.lng[i1] - self.lng[i0]),
            self.lat[i0] + f * (self.lat[i1] - self.lat[i0]),
            i0,
        )
