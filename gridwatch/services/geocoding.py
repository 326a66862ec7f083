"""Geocode stored enterprises against the stored gazetteer; place one by hand."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models import AdminUnit, Enterprise
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.admin import district_outline, read_admin_units, read_gazetteer
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_clause
from gridwatch.timeutil import utcnow


def load_gazetteer(ctx: Context):
    """Build the in-memory geocoding index from the database."""
    from gridwatch.geocode import Gazetteer

    roads, points = read_gazetteer(ctx)
    towns = read_admin_units(ctx, "town")
    communities = read_admin_units(ctx, "community")
    if towns.empty:
        raise InvalidInputError(
            "No towns are loaded, so addresses cannot be placed; "
            "import boundaries (gridwatch boundaries import) first."
        )
    return Gazetteer.build(
        points,
        roads if len(roads) else None,
        towns,
        communities,
        district=district_outline(ctx),
    )


#: offline results this coarse are retried online when an online geocoder is set
_WEAK = {"none", "district", "town"}


def online_provider(settings):
    """The configured online geocoder, or None (the default: offline only)."""
    if settings.online_geocoder == "none":
        return None
    from gridwatch.geocode.providers import make_provider

    return make_provider(
        settings.online_geocoder,
        key=settings.online_geocoder_key,
        base_url=settings.online_geocoder_url,
    )


def _online_fallback(results: pd.DataFrame, provider) -> int:
    """Replace weak offline results by better online ones, in place; return count."""
    from gridwatch.vocab import PRECISIONS

    rank = {p: i for i, p in enumerate(PRECISIONS)}
    used = 0
    for i in results.index[results["precision"].isin(_WEAK)]:
        address = results.at[i, "address"]
        if not address:
            continue
        r = provider.geocode(address)
        if (
            r.precision in _WEAK
            or rank[r.precision] >= rank[results.at[i, "precision"]]
        ):
            continue
        results.loc[i, ["lng", "lat", "precision", "reliability", "matched"]] = [
            r.lng,
            r.lat,
            r.precision,
            r.reliability,
            f"{provider.name}: {r.matched}",
        ]
        results.at[i, "flags"] = ",".join(
            filter(None, [results.at[i, "flags"], f"online_{provider.name}"])
        )
        used += 1
    return used


def _candidates(conn, mode: str):
    """(all rows considered, rows to geocode) under the re-geocoding policy."""
    from gridwatch.geocode.policy import should_regeocode

    rows = conn.execute(
        sa.select(
            Enterprise.id, Enterprise.uscc, Enterprise.address, Enterprise.precision
        )
    ).all()
    return rows, [r for r in rows if should_regeocode(r.precision, mode)]


def _write_results(session: Session, todo, results: pd.DataFrame, mode: str) -> int:
    """Store geocoding ``results`` (one row per ``todo`` row) and one audit row."""
    from gridwatch.services.audit import record

    now = utcnow()
    params = []
    for r, res in zip(todo, results.itertuples(index=False)):
        has_point = res.precision != "none" and pd.notna(res.lng)
        params.append(
            {
                "b_id": r.id,
                "v_wkb": shapely.to_wkb(shapely.Point(res.lng, res.lat))
                if has_point
                else None,
                "v_precision": res.precision,
                "v_reliability": int(res.reliability or 0),
                "v_matched": (res.matched or "")[:300] or None,
                "v_flags": res.flags or None,
                "v_town": res.town_code or None,
                "v_community": res.community_code or None,
                "v_updated_at": now,
                "v_source_datum": "wgs84" if has_point else None,
            }
        )
    tbl = Enterprise.__table__
    stmt = (
        tbl.update()
        .where(tbl.c.id == sa.bindparam("b_id"))
        .values(
            geom=sa.func.ST_GeomFromWKB(
                sa.bindparam("v_wkb", type_=sa.LargeBinary), 4326
            ),
            precision=sa.bindparam("v_precision"),
            reliability=sa.bindparam("v_reliability"),
            geocode_matched=sa.bindparam("v_matched"),
            geocode_flags=sa.bindparam("v_flags"),
            town_code=sa.bindparam("v_town"),
            community_code=sa.bindparam("v_community"),
            updated_at=sa.bindparam("v_updated_at"),
            source_datum=sa.bindparam("v_source_datum"),
        )
    )
    if params:
        session.connection().execute(stmt, params)
    record(session, "geocode", "enterprises", None, None,
           {"mode": mode, "count": len(params)})
    return len(params)


def _counts(rows, results: pd.DataFrame | None, written: int, online: int) -> dict:
    if results is None or results.empty:
        return {"considered": len(rows), "geocoded": 0, "by_precision": {},
                "flagged": 0, "online": 0}
    by_precision = results["precision"].value_counts().to_dict()
    return {
        "considered": len(rows),
        "geocoded": written,
        "by_precision": {k: int(v) for k, v in by_precision.items()},
        "flagged": int((results["flags"].fillna("") != "").sum()),
        "online": online,
    }


def geocode_session(session: Session, gazetteer, mode: str = "missing") -> dict:
    """Geocode enterprises offline inside ``session``'s transaction (the demo's
    one-transaction build); return counts per precision."""
    from gridwatch.geocode import geocode_many

    rows, todo = _candidates(session.connection(), mode)
    if not todo:
        return _counts(rows, None, 0, 0)
    results = geocode_many([r.address or "" for r in todo], gazetteer)
    return _counts(rows, results, _write_results(session, todo, results, mode), 0)


def geocode_enterprises(ctx: Context, actor: Actor, mode: str = "missing") -> dict:
    """Geocode stored enterprises (``mode`` missing|all) against the gazetteer.

    The addresses are read, geocoded offline and, when an online geocoder is
    configured, the weak results retried online, all before the write transaction
    opens: no HTTP call ever holds a database transaction (or a SQLite write lock).
    A row changed meanwhile is simply overwritten by its fresh result.
    """
    from gridwatch.geocode import geocode_many

    require_role(actor, "admin", action="Batch geocoding")
    gazetteer = load_gazetteer(ctx)
    provider = online_provider(ctx.settings)
    with ctx.engine.connect() as conn:
        rows, todo = _candidates(conn, mode)
    if not todo:
        return _counts(rows, None, 0, 0)
    results = geocode_many([r.address or "" for r in todo], gazetteer)
    online = _online_fallback(results, provider) if provider is not None else 0
    with ctx.transaction(actor) as s:
        written = _write_results(s, todo, results, mode)
    return _counts(rows, results, written, online)


def fill_admin_codes(conn, communities: gpd.GeoDataFrame | None = None) -> int:
    """Town/community codes for placed enterprises that have none (e.g. supplied
    coordinates), from the community polygon each lies in; return how many."""
    from gridwatch.db.queries import read_frame, wkb

    if communities is None:
        communities = read_frame(
            conn,
            sa.select(AdminUnit.code, AdminUnit.parent_code, wkb(AdminUnit.geom)).where(
                AdminUnit.level == "community", AdminUnit.geom.isnot(None)
            ),
        )
    ents = read_frame(
        conn,
        sa.select(Enterprise.id, wkb(Enterprise.geom)).where(
            Enterprise.geom.isnot(None), Enterprise.community_code.is_(None)
        ),
    )
    if ents.empty or communities.empty:
        return 0
    # covers, not within: a point on a community's edge lies in it (the rule of
    # registry import, manual placement and assignment); on an edge two
    # communities share, the smaller code wins, as in assignment
    hit = (
        gpd.sjoin(
            ents,
            communities[["code", "parent_code", "geometry"]],
            predicate="covered_by",
            how="inner",
        )
        .sort_values(["id", "code"])
        .drop_duplicates("id")
    )
    if hit.empty:
        return 0
    tbl = Enterprise.__table__
    conn.execute(
        tbl.update()
        .where(tbl.c.id == sa.bindparam("b_id"))
        .values(community_code=sa.bindparam("v_c"), town_code=sa.bindparam("v_t")),
        [
            {"b_id": int(r.id), "v_c": r.code, "v_t": r.parent_code}
            for r in hit.itertuples()
        ],
    )
    return len(hit)


def place_manually(
    ctx: Context, actor: Actor, uscc: str, lng: float, lat: float, datum: str
) -> dict:
    """A person puts an enterprise on the map; later batch geocodes keep it.

    Wardens may move enterprises of their grids, street offices those of their
    street, admins any; the old and new position go to the audit log.
    """
    require_role(actor, "warden", "street_office", "admin", action="Moving an enterprise")
    from geoalchemy2.shape import from_shape

    from gridwatch.crs import to_wgs84

    w_lng, w_lat = to_wgs84(lng, lat, datum)
    outline = district_outline(ctx)
    if outline is not None and not outline.covers(shapely.Point(w_lng, w_lat)):
        raise InvalidInputError(
            f"({lng}, {lat}) in {datum} lies outside the district; "
            "check the datum and the order longitude, latitude."
        )
    with ctx.transaction(actor) as s:
        ent = s.scalar(
            sa.select(Enterprise).where(
                Enterprise.uscc == uscc, enterprise_clause(actor)
            )
        )
        if ent is None:
            raise NotFoundError(f"No enterprise in your area has credit code {uscc}.")
        ent.geom = from_shape(shapely.Point(w_lng, w_lat), srid=4326)
        ent.precision = "manual"
        ent.reliability = 10
        ent.source_datum = str(datum)
        ent.source_lng, ent.source_lat = float(lng), float(lat)
        ent.geocode_flags = None
        ent.town_code = ent.community_code = None
        s.flush()
        fill_admin_codes(s.connection())
    return {"uscc": uscc, "lng": w_lng, "lat": w_lat, "precision": "manual"}
