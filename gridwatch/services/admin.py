"""Administrative units (district / town / community) and the address gazetteer."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
from geoalchemy2.shape import from_shape, to_shape

from gridwatch.db.models import AdminUnit, GazetteerPoint, GazetteerRoad
from gridwatch.db.queries import bulk_insert, read_frame, wkb
from gridwatch.errors import InvalidInputError
from gridwatch.frames import require_wgs84
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.audit import record
from gridwatch.services.context import Context

LEVELS = ("district", "town", "community")


def _same_geom(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return shapely.equals_exact(a, b, tolerance=1e-9)


def upsert_admin_units(
    ctx: Context,
    actor: Actor,
    units: gpd.GeoDataFrame,
    level: str,
    source: str,
    *,
    dry_run: bool = False,
) -> dict:
    """Insert or update units keyed on ``code``; unchanged rows are left alone.

    Required columns: code, name, geometry (EPSG:4326; None for a unit known by
    name and code only); optional parent_code, short_name, kind, is_illustrative.

    Returns
    -------
    dict
        Counts ``inserted``/``updated``/``unchanged`` and the codes of each
        (``codes``: {"inserted": [...], ...}). With ``dry_run`` the same counts
        are worked out and nothing is written.
    """
    require_role(actor, "admin", action="Loading boundaries")
    if level not in LEVELS:
        raise InvalidInputError(
            f"Level {level!r} is unknown; use district, town or community."
        )
    require_wgs84(units, "Administrative units", "reproject them before storing")
    codes: dict[str, list[str]] = {"inserted": [], "updated": [], "unchanged": []}
    with ctx.transaction(actor) as s:
        existing = {
            u.code: u
            for u in s.scalars(
                sa.select(AdminUnit).where(AdminUnit.code.in_(list(units["code"])))
            )
        }
        for row in units.itertuples(index=False):
            attrs = _unit_attrs(row, level, source)
            unit = existing.get(row.code)
            if unit is None:
                codes["inserted"].append(row.code)
                if not dry_run:
                    s.add(AdminUnit(code=row.code, geom=_geom(row.geometry), **attrs))
                continue
            changed = _changes(unit, attrs, row.geometry)
            codes["updated" if changed else "unchanged"].append(row.code)
            if changed and not dry_run:
                for k, v in changed.items():
                    setattr(unit, k, v)
    return {**{k: len(v) for k, v in codes.items()}, "codes": codes}


def _unit_attrs(row, level: str, source: str) -> dict:
    return {
        "name": row.name,
        "short_name": getattr(row, "short_name", None),
        "level": level,
        "kind": getattr(row, "kind", None),
        "parent_code": getattr(row, "parent_code", None),
        "is_illustrative": bool(getattr(row, "is_illustrative", False)),
        "source": source,
    }


def _geom(geom):
    return None if geom is None else from_shape(geom, srid=4326)


def _changes(unit: AdminUnit, attrs: dict, geom) -> dict:
    """The attributes of ``unit`` that differ from ``attrs``/``geom`` (source aside)."""
    out = {k: v for k, v in attrs.items()
           if k != "source" and getattr(unit, k) != v}
    old_geom = to_shape(unit.geom) if unit.geom is not None else None
    if not _same_geom(old_geom, geom):
        out["geom"] = _geom(geom)
    if out:
        out["source"] = attrs["source"]
    return out


def read_admin_units(
    ctx: Context,
    level: str | None = None,
    parent_code: str | None = None,
    codes: list[str] | None = None,
) -> gpd.GeoDataFrame:
    stmt = sa.select(
        AdminUnit.code,
        AdminUnit.name,
        AdminUnit.short_name,
        AdminUnit.level,
        AdminUnit.kind,
        AdminUnit.parent_code,
        AdminUnit.is_illustrative,
        wkb(AdminUnit.geom),
    ).order_by(AdminUnit.code)
    if level:
        stmt = stmt.where(AdminUnit.level == level)
    if parent_code:
        stmt = stmt.where(AdminUnit.parent_code == parent_code)
    if codes is not None:
        stmt = stmt.where(AdminUnit.code.in_(codes))
    with ctx.engine.connect() as conn:
        frame = read_frame(conn, stmt)
    frame["is_illustrative"] = frame["is_illustrative"].astype(bool)
    return frame


def replace_gazetteer(
    ctx: Context,
    actor: Actor,
    roads: gpd.GeoDataFrame | None,
    points: gpd.GeoDataFrame,
    source: str = "",
) -> dict[str, int]:
    """Replace the whole gazetteer in one transaction (a gazetteer is a snapshot)."""
    require_role(actor, "admin", action="Replacing the address gazetteer")
    point_cols = [
        "addr_id",
        "town_code",
        "community_code",
        "road_name",
        "door_no",
        "door_suffix",
        "place_name",
        "standard_address",
    ]
    pts = pd.DataFrame(
        {c: points[c] if c in points.columns else None for c in point_cols}
    )
    pts["addr_id"] = pts["addr_id"].astype(str)
    pts["geom"] = points.geometry.values
    road_rows = None
    if roads is not None and len(roads):
        road_cols = ["road_id", "name", "town_code", "door_from", "door_to"]
        road_rows = pd.DataFrame(
            {c: roads[c] if c in roads.columns else None for c in road_cols}
        )
        road_rows["road_id"] = road_rows["road_id"].astype(str)
        road_rows["geom"] = roads.geometry.values
    with ctx.transaction(actor) as s:
        conn = s.connection()
        conn.execute(sa.delete(GazetteerPoint.__table__))
        conn.execute(sa.delete(GazetteerRoad.__table__))
        n_points = bulk_insert(conn, "gazetteer_points", pts)
        n_roads = (
            bulk_insert(conn, "gazetteer_roads", road_rows)
            if road_rows is not None
            else 0
        )
        record(
            s,
            "replace",
            "gazetteer",
            None,
            None,
            {"points": n_points, "roads": n_roads, "source": source},
        )
    return {"points": n_points, "roads": n_roads}


def read_gazetteer(ctx: Context) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    with ctx.engine.connect() as conn:
        points = read_frame(
            conn,
            sa.select(
                GazetteerPoint.addr_id,
                GazetteerPoint.town_code,
                GazetteerPoint.community_code,
                GazetteerPoint.road_name,
                GazetteerPoint.door_no,
                GazetteerPoint.door_suffix,
                GazetteerPoint.place_name,
                GazetteerPoint.standard_address,
                wkb(GazetteerPoint.geom),
            ),
        )
        roads = read_frame(
            conn,
            sa.select(
                GazetteerRoad.road_id,
                GazetteerRoad.name,
                GazetteerRoad.town_code,
                GazetteerRoad.door_from,
                GazetteerRoad.door_to,
                wkb(GazetteerRoad.geom),
            ),
        )
    for col in ("door_suffix", "place_name"):
        points[col] = points[col].fillna("")
    return roads, points


def district_outline(ctx: Context):
    """The district's WGS-84 outline (a shapely geometry) or None if not loaded."""
    with ctx.engine.connect() as conn:
        frame = read_frame(
            conn,
            sa.select(AdminUnit.code, wkb(AdminUnit.geom)).where(
                AdminUnit.level == "district"
            ),
        )
    if frame.empty:
        return None
    return shapely.union_all(frame.geometry.values)
