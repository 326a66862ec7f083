"""Geocode stored enterprises against the stored gazetteer; place one by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models import Enterprise
from gridwatch.db.queries import bulk_insert
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.admin import district_outline, read_admin_units, read_gazetteer
from gridwatch.services.context import Context


def load_gazetteer(ctx: Context):
    """Build the in-memory geocoding index from the database."""
    from gridwatch.geocode import Gazetteer

    roads, points = read_gazetteer(ctx)
    towns = read_admin_units(ctx, "town")
    communities = read_admin_units(ctx, "community")
    if towns.empty:
        raise InvalidInputError("No towns are loaded, so addresses cannot be placed; "
                                "import boundaries (gridwatch boundaries import) first.")
    return Gazetteer.build(points, roads if len(roads) else None, towns, communities,
                           district=district_outline(ctx))


def geocode_session(session: Session, gazetteer, mode: str = "missing") -> dict:
    """Geocode enterprises in ``session``'s transaction; return counts per precision."""
    from gridwatch.geocode import geocode_many
    from gridwatch.geocode.policy import should_regeocode

    conn = session.connection()
    rows = conn.execute(sa.select(Enterprise.id, Enterprise.uscc, Enterprise.address,
                                  Enterprise.precision)).all()
    todo = [r for r in rows if should_regeocode(r.precision, mode)]
    if not todo:
        return {"considered": len(rows), "geocoded": 0, "by_precision": {}, "flagged": 0}
    results = geocode_many([r.address or "" for r in todo], gazetteer)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    params = []
    for r, res in zip(todo, results.itertuples(index=False)):
        has_point = res.precision != "none" and pd.notna(res.lng)
        params.append({
            "b_id": r.id,
            "v_wkb": shapely.to_wkb(shapely.Point(res.lng, res.lat)) if has_point else None,
            "v_precision": res.precision, "v_reliability": int(res.reliability or 0),
            "v_matched": (res.matched or "")[:300] or None,
            "v_flags": res.flags or None, "v_town": res.town_code or None,
            "v_community": res.community_code or None, "v_updated_at": now,
            "v_source_datum": "wgs84" if has_point else None,
        })
    tbl = Enterprise.__table__
    stmt = tbl.update().where(tbl.c.id == sa.bindparam("b_id")).values(
        geom=sa.func.ST_GeomFromWKB(sa.bindparam("v_wkb", type_=sa.LargeBinary), 4326),
        precision=sa.bindparam("v_precision"), reliability=sa.bindparam("v_reliability"),
        geocode_matched=sa.bindparam("v_matched"), geocode_flags=sa.bindparam("v_flags"),
        town_code=sa.bindparam("v_town"), community_code=sa.bindparam("v_community"),
        updated_at=sa.bindparam("v_updated_at"),
        source_datum=sa.bindparam("v_source_datum"))
    conn.execute(stmt, params)
    bulk_insert(conn, "audit_log", [{
        "at": now, "actor": session.info.get("actor", "system"), "action": "geocode",
        "entity": "enterprises", "entity_key": None, "old": None,
        "new": {"mode": mode, "count": len(params)}}])
    by_precision = results["precision"].value_counts().to_dict()
    flagged = int((results["flags"].fillna("") != "").sum())
    return {"considered": len(rows), "geocoded": len(params),
            "by_precision": {k: int(v) for k, v in by_precision.items()},
            "flagged": flagged}


def geocode_enterprises(ctx: Context, mode: str = "missing", actor: str = "cli") -> dict:
    gazetteer = load_gazetteer(ctx)
    with ctx.transaction(actor) as s:
        return geocode_session(s, gazetteer, mode)


def fill_admin_codes(session: Session) -> None:
    """Set town/community codes of placed enterprises from the boundaries they lie in."""
    conn = session.connection()
    from gridwatch.db.models import AdminUnit

    for level, column in (("town", "town_code"), ("community", "community_code")):
        sub = (sa.select(AdminUnit.code)
               .where(AdminUnit.level == level,
                      sa.func.ST_Covers(AdminUnit.geom, Enterprise.geom))
               .limit(1).scalar_subquery())
        conn.execute(sa.update(Enterprise).where(
            Enterprise.geom.isnot(None), getattr(Enterprise, column).is_(None))
            .values({column: sub}))


def place_manually(ctx: Context, uscc: str, lng: float, lat: float, datum: str,
                   actor: str) -> dict:
    """A person puts an enterprise on the map; later batch geocodes keep it."""
    from geoalchemy2.shape import from_shape

    from gridwatch.crs import to_wgs84

    w_lng, w_lat = to_wgs84(lng, lat, datum)
    outline = district_outline(ctx)
    if outline is not None and not outline.covers(shapely.Point(w_lng, w_lat)):
        raise InvalidInputError(f"({lng}, {lat}) in {datum} lies outside the district; "
                                "check the datum and the order longitude, latitude.")
    with ctx.transaction(actor) as s:
        ent = s.scalar(sa.select(Enterprise).where(Enterprise.uscc == uscc))
        if ent is None:
            raise NotFoundError(f"No enterprise has credit code {uscc}.")
        ent.geom = from_shape(shapely.Point(w_lng, w_lat), srid=4326)
        ent.precision = "manual"
        ent.reliability = 10
        ent.source_datum = str(datum)
        ent.source_lng, ent.source_lat = float(lng), float(lat)
        ent.geocode_flags = None
    return {"uscc": uscc, "lng": w_lng, "lat": w_lat, "precision": "manual"}
