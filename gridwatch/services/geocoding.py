"""Geocode stored enterprises against the stored gazetteer; place one by hand.

Every batch run reports first what the gazetteer covers (door plates and roads
per town, and the precision to expect where it has none), and counts the
enterprises a person must check (``needs_review``: placed no better than their
village, unreliable, or contradicting the registry's own town/village columns).
The registry's 所属镇街 / 所属村居 hints (``Enterprise.town_hint[_code]`` and
``community_hint[_code]``, stored by the registry import where the model has
them) and the enterprise name go to the matcher with each address.
"""

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
from gridwatch.services.audit import entry, record, record_rows
from gridwatch.services.context import Context
from gridwatch.services.enterprise_upsert import check_hints
from gridwatch.services.scope import enterprise_clause
from gridwatch.timeutil import utcnow


def load_gazetteer(ctx: Context):
    """Build the in-memory geocoding index from the database.

    Former unit names come from gridwatch's table plus the file named by the
    ``former_names`` setting, if any.
    """
    from gridwatch.geocode import Gazetteer
    from gridwatch.geocode.former import read_former_names

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
        former_names=read_former_names(getattr(ctx.settings, "former_names", None)),
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
    from gridwatch.geocode.checks import needs_review
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
        flags = [f for f in results.at[i, "flags"].split(",") if f != "needs_review"]
        flags = [f for f in flags if f] + [f"online_{provider.name}"]
        if needs_review(r.precision, r.reliability, flags):
            flags.append("needs_review")
        results.at[i, "flags"] = ",".join(flags)
        used += 1
    return used


#: Registry hint columns, best first (the code the import resolved, else the text).
#: Read only where the model has them, so this module does not depend on the
#: registry schema's revision.
HINT_FIELDS = {
    "town": ("town_hint_code", "town_hint"),
    "community": ("community_hint_code", "community_hint"),
}


def _hint_columns() -> list:
    names = [f for fields in HINT_FIELDS.values() for f in fields]
    return [getattr(Enterprise, f) for f in names if hasattr(Enterprise, f)]


def _candidates(conn, mode: str):
    """(all rows considered, rows to geocode) under the re-geocoding policy."""
    from gridwatch.geocode.policy import should_regeocode

    rows = conn.execute(
        sa.select(
            Enterprise.id,
            Enterprise.uscc,
            Enterprise.name,
            Enterprise.address,
            Enterprise.precision,
            *_hint_columns(),
        )
    ).all()
    return rows, [r for r in rows if should_regeocode(r.precision, mode)]


def _hint(row, level: str) -> str | None:
    for field in HINT_FIELDS[level]:
        value = getattr(row, field, None)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _geocode_rows(todo, gazetteer) -> pd.DataFrame:
    """geocode_many over candidate rows: address, name, registry hints."""
    from gridwatch.geocode import geocode_many

    return geocode_many(
        [r.address or "" for r in todo],
        gazetteer,
        hints=[r.name for r in todo],
        hint_towns=[_hint(r, "town") for r in todo],
        hint_communities=[_hint(r, "community") for r in todo],
    )


def _fit_flags(flags: str | None, limit: int = 200) -> str | None:
    """Flags that fit the column, needs_review kept first when they do not."""
    if not flags or len(flags) <= limit:
        return flags or None
    items = flags.split(",")
    if "needs_review" in items:
        items = ["needs_review"] + [f for f in items if f != "needs_review"]
    out = []
    for f in items:
        if len(",".join([*out, f])) > limit:
            break
        out.append(f)
    return ",".join(out)


def _write_results(session: Session, todo, results: pd.DataFrame, mode: str) -> int:
    """Store geocoding ``results`` (one row per ``todo`` row) and one audit row."""
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
                "v_flags": _fit_flags(res.flags),
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
        # the registry's 所属镇街/所属村居 flags follow the new points
        acting = session.info["acting"]  # the transaction's Actor (services.context)
        check_hints(session.connection(), acting.audit_name, [r.uscc for r in todo])
    record(
        session,
        "geocode",
        "enterprises",
        None,
        None,
        {"mode": mode, "count": len(params)},
    )
    return len(params)


#: Enterprises needing review listed in a run's result (all are counted).
REVIEW_LISTED = 1000


def _counts(
    rows,
    todo,
    results: pd.DataFrame | None,
    written: int,
    online: int,
    coverage: dict | None = None,
) -> dict:
    out = {
        "considered": len(rows),
        "geocoded": written,
        "by_precision": {},
        "flagged": 0,
        "needs_review": 0,
        "hint_conflicts": 0,
        "review": [],
        "online": online,
        "coverage": coverage,
    }
    if results is None or results.empty:
        return out
    flags = results["flags"].fillna("")
    out["by_precision"] = {
        k: int(v) for k, v in results["precision"].value_counts().to_dict().items()
    }
    out["flagged"] = int((flags != "").sum())
    review = flags.str.contains("needs_review").to_numpy()
    out["needs_review"] = int(review.sum())
    out["hint_conflicts"] = int(flags.str.contains("hint_conflict").sum())
    out["review"] = [
        {
            "uscc": r.uscc,
            "name": r.name,
            "address": res.address,
            "precision": res.precision,
            "reliability": int(res.reliability),
            "flags": res.flags,
        }
        for r, res, k in zip(todo, results.itertuples(index=False), review)
        if k
    ][:REVIEW_LISTED]
    return out


def geocode_session(session: Session, gazetteer, mode: str = "missing") -> dict:
    """Geocode enterprises offline inside ``session``'s transaction (the demo's
    one-transaction build); return counts per precision."""
    from gridwatch.geocode.coverage import gazetteer_coverage

    coverage = gazetteer_coverage(gazetteer)
    rows, todo = _candidates(session.connection(), mode)
    if not todo:
        return _counts(rows, todo, None, 0, 0, coverage)
    results = _geocode_rows(todo, gazetteer)
    written = _write_results(session, todo, results, mode)
    return _counts(rows, todo, results, written, 0, coverage)


def geocode_enterprises(ctx: Context, actor: Actor, mode: str = "missing") -> dict:
    """Geocode stored enterprises (``mode`` missing|all) against the gazetteer.

    The addresses are read, geocoded offline and, when an online geocoder is
    configured, the weak results retried online, all before the write transaction
    opens: no HTTP call ever holds a database transaction (or a SQLite write lock).
    A row changed meanwhile is simply overwritten by its fresh result.

    Returns
    -------
    dict
        ``considered``, ``geocoded``, ``by_precision``, ``flagged``,
        ``needs_review`` (for a person: village level or coarser, unreliable or
        contradictory), ``hint_conflicts`` (placements outside the registry's
        own town/village), ``review`` (the first :data:`REVIEW_LISTED` of
        those: uscc, name, address, precision, reliability, flags),
        ``online``, and ``coverage``
        (:func:`gridwatch.geocode.coverage.gazetteer_coverage`: door plates and
        roads per town, the precision to expect, a ``message``).
    """
    from gridwatch.geocode.coverage import gazetteer_coverage

    require_role(actor, "admin", action="Batch geocoding")
    gazetteer = load_gazetteer(ctx)
    coverage = gazetteer_coverage(gazetteer)
    provider = online_provider(ctx.settings)
    with ctx.engine.connect() as conn:
        rows, todo = _candidates(conn, mode)
    if not todo:
        return _counts(rows, todo, None, 0, 0, coverage)
    results = _geocode_rows(todo, gazetteer)
    online = _online_fallback(results, provider) if provider is not None else 0
    with ctx.transaction(actor) as s:
        written = _write_results(s, todo, results, mode)
    return _counts(rows, todo, results, written, online, coverage)


def describe_gazetteer(ctx: Context, actor: Actor) -> dict:
    """What the stored gazetteer covers per town: door plates, roads, villages
    and the precision to expect (:func:`gridwatch.geocode.coverage.gazetteer_coverage`).
    """
    from gridwatch.geocode.coverage import gazetteer_coverage

    require_role(
        actor, "admin", "street_office", "warden", action="Reading the gazetteer"
    )
    return gazetteer_coverage(load_gazetteer(ctx))


def former_names_in_force(ctx: Context, actor: Actor) -> list[dict]:
    """Rows of the former-names table in force: gridwatch's own plus the file
    named by the ``former_names`` setting (columns ``FORMER_COLUMNS``)."""
    from gridwatch.geocode.former import read_former_names

    require_role(
        actor, "admin", "street_office", "warden", action="Reading the former names"
    )
    table = read_former_names(getattr(ctx.settings, "former_names", None))
    return table.to_dict("records")


#: Placements too coarse to say which community a point is in: the point stands for
#: a whole town or the district (its representative point), so its community code
#: would be a guess; the geocoder records the town it did find.
_TOO_COARSE_FOR_CODES = ("town", "district", "none")


def fill_admin_codes(
    conn,
    actor: Actor,
    communities: gpd.GeoDataFrame | None = None,
    *,
    usccs: list[str] | None = None,
) -> int:
    """Town/community codes for placed enterprises that have none (e.g. supplied
    coordinates), from the community polygon that covers each, else (a district
    loaded with towns but no communities, or a point no community covers) the
    town polygon; return how many got a code.

    The rule is assignment's (:func:`gridwatch.assign.areas.assign_points_to_areas`):
    covers, so a point on a unit's edge lies in it, and on an edge two units share
    the smaller code wins. Town- and district-level placements are left alone
    (:data:`_TOO_COARSE_FOR_CODES`); a town code the geocoder already set is kept.
    Without the town fallback, a district onboarded with towns only never gave a
    supplied point a town, so its 所属镇街 was never checked against it (issue 13).
    Each enterprise given codes gets an ``update`` audit row (old codes, new
    codes) naming ``actor``. ``usccs`` limits the work to those enterprises (a
    person placing one enterprise must not be recorded as coding the others).
    """
    from gridwatch.db.queries import read_frame, wkb

    if communities is None:
        communities = _units(conn, "community")
    ents = read_frame(
        conn,
        sa.select(
            Enterprise.id, Enterprise.uscc, Enterprise.town_code, wkb(Enterprise.geom)
        ).where(
            Enterprise.geom.isnot(None),
            Enterprise.community_code.is_(None),
            Enterprise.precision.notin_(_TOO_COARSE_FOR_CODES),
            Enterprise.uscc.in_(usccs) if usccs is not None else sa.true(),
        ),
    )
    if ents.empty:
        return 0
    updates = _covering(ents, communities, "v_c", "v_t")
    rest = ents[~ents["id"].isin({u["b_id"] for u in updates})]
    rest = rest[rest["town_code"].isna()]
    if len(rest):
        towns = _units(conn, "town")
        town_updates = _covering(rest, towns, "v_t", None)
        updates += [{**u, "v_c": None} for u in town_updates]
    if not updates:
        return 0
    tbl = Enterprise.__table__
    conn.execute(
        tbl.update()
        .where(tbl.c.id == sa.bindparam("b_id"))
        .values(community_code=sa.bindparam("v_c"), town_code=sa.bindparam("v_t")),
        updates,
    )
    old = dict(
        zip(ents["id"], zip(ents["uscc"], ents["town_code"], strict=True), strict=True)
    )
    record_rows(
        conn,
        (
            entry(
                actor.audit_name,
                "update",
                "enterprises",
                old[u["b_id"]][0],
                {"town_code": old[u["b_id"]][1], "community_code": None},
                {"town_code": u["v_t"], "community_code": u["v_c"]},
            )
            for u in updates
        ),
    )
    return len(updates)


def _units(conn, level: str) -> gpd.GeoDataFrame:
    """Stored units of ``level`` with a polygon: code, parent_code, geometry."""
    from gridwatch.db.queries import read_frame, wkb

    return read_frame(
        conn,
        sa.select(AdminUnit.code, AdminUnit.parent_code, wkb(AdminUnit.geom)).where(
            AdminUnit.level == level, AdminUnit.geom.isnot(None)
        ),
    )


def _covering(ents, units, code_key: str, parent_key: str | None) -> list[dict]:
    """Update rows ``{b_id, code_key: unit code[, parent_key: its parent]}`` for the
    enterprises a unit covers (assignment's covers rule)."""
    from gridwatch.assign.areas import assign_points_to_areas

    if units.empty:
        return []
    areas = units[["code", "parent_code", "geometry"]].reset_index(drop=True)
    hit = assign_points_to_areas(
        ents.reset_index(drop=True), areas, carry=["parent_code"]
    )
    hit = hit.assign(id=ents["id"].to_numpy())[hit["code"].notna().to_numpy()]
    out = []
    for r in hit.itertuples():
        row = {"b_id": int(r.id), code_key: r.code}
        if parent_key:
            row[parent_key] = r.parent_code
        out.append(row)
    return out


def place_manually(
    ctx: Context, actor: Actor, uscc: str, lng: float, lat: float, datum: str
) -> dict:
    """A person puts an enterprise on the map; later batch geocodes keep it.

    Wardens may move enterprises of their grids, street offices those of their
    street, admins any; the old and new position go to the audit log.
    """
    require_role(
        actor, "warden", "street_office", "admin", action="Moving an enterprise"
    )
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
        fill_admin_codes(s.connection(), actor, usccs=[uscc])
        check_hints(s.connection(), actor.audit_name, [uscc])
    return {"uscc": uscc, "lng": w_lng, "lat": w_lat, "precision": "manual"}
