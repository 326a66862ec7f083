"""Enterprise registry (一企一档): import with idempotent upsert, export, list, show.

The upsert itself (plan → apply, never replace by empty) is in
:mod:`gridwatch.services.enterprise_upsert`, the import pipeline in
:mod:`gridwatch.services.registry_import` (re-exported here). Reads filter by the actor's scope in
SQL (:mod:`gridwatch.services.scope`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models import Enterprise, EnterpriseGrid
from gridwatch.db.queries import effective_on, read_frame, wkb
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context
from gridwatch.services.enterprise_upsert import (
    DATA_FIELDS,
    DEFAULTS,
    PROFILE_FIELDS,
    apply_plan,
    now_utc,
    plan_upsert,
)
from gridwatch.services.registry_import import import_registry
from gridwatch.services.scope import enterprise_clause
from gridwatch.vocab import RISK_LEVELS, SECTORS

__all__ = [
    "DATA_FIELDS",
    "DEFAULTS",
    "PROFILE_FIELDS",
    "EnterpriseFilter",
    "count_enterprises",
    "enterprise_detail",
    "export_records",
    "import_registry",
    "read_enterprises",
    "units_resolver",
    "upsert_enterprises",
]


def upsert_enterprises(session: Session, records) -> dict[str, int]:
    """Insert or update enterprise records keyed on ``uscc``, auditing each change.

    Records have the keys of :data:`gridwatch.registry.validate.RECORD_FIELDS`
    (lng/lat already WGS-84). Returns counts inserted/updated/unchanged.
    """
    conn = session.connection()
    now = now_utc()
    plan = plan_upsert(conn, records, session.info.get("actor", "system"), now)
    return apply_plan(conn, plan, now)


#: Keyword filters of :func:`read_enterprises` (and the list command).
FILTERS = ("town", "community", "grid", "risk", "sector", "precision", "flagged")


def _today():
    from gridwatch.timeutil import today

    return today()


def _grid_now(day) -> sa.ScalarSelect:
    """The grid each enterprise is assigned to on ``day`` (smallest code if two)."""
    eg = sa.orm.aliased(EnterpriseGrid)
    return (
        sa.select(sa.func.min(eg.grid_code))
        .where(eg.enterprise_id == Enterprise.id, effective_on(eg, day))
        .scalar_subquery()
    )


def units_resolver(ctx: Context):
    """The loaded towns and communities as a
    :class:`gridwatch.registry.UnitResolver` (names, short names and codes)."""
    from gridwatch.registry import UnitResolver
    from gridwatch.services.admin import read_admin_units

    levels = {}
    for level in ("town", "community"):
        frame = read_admin_units(ctx, level)
        levels[level] = list(
            frame[["code", "name", "short_name", "parent_code"]].itertuples(
                index=False, name=None
            )
        )
    return UnitResolver.from_units(levels["town"], levels["community"])


def _unit_code(ctx: Context, text: str, level: str) -> str:
    found = units_resolver(ctx)
    hit = found.town(text) if level == "town" else found.community(text)
    if hit.code is None:
        raise InvalidInputError(
            f"No {'town or street' if level == 'town' else 'village or community'} "
            f"{text!r} is loaded; give the code or name of a loaded one.",
            details={"reason": hit.reason},
        )
    return hit.code


def _filter_clauses(ctx: Context, filters: dict[str, Any], day) -> list:
    """SQL conditions for the keyword filters (values checked, names resolved)."""
    from gridwatch.registry.fields import parse_risk, parse_sector
    from gridwatch.vocab import PRECISIONS

    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise TypeError(f"unknown enterprise filters {sorted(unknown)}; use {FILTERS}")
    e, out = Enterprise, []
    try:
        if filters.get("risk") is not None:
            out.append(e.risk_level == parse_risk(filters["risk"]))
        if filters.get("sector") is not None:
            out.append(e.sector == parse_sector(filters["sector"]))
    except ValueError as exc:
        raise InvalidInputError(f"Filter: {exc}.") from None
    precision = filters.get("precision")
    if precision is not None:
        if precision not in PRECISIONS:
            raise InvalidInputError(
                f"Precision {precision!r} is unknown; use one of {', '.join(PRECISIONS)}."
            )
        out.append(e.precision == precision)
    if filters.get("town") is not None:
        code = _unit_code(ctx, filters["town"], "town")
        # placed in the town, or not placed yet and declared there (所属镇街)
        out.append(
            sa.or_(
                e.town_code == code,
                sa.and_(e.town_code.is_(None), e.town_hint_code == code),
            )
        )
    if filters.get("community") is not None:
        code = _unit_code(ctx, filters["community"], "community")
        out.append(
            sa.or_(
                e.community_code == code,
                sa.and_(e.community_code.is_(None), e.community_hint_code == code),
            )
        )
    if filters.get("grid") is not None:
        eg = sa.orm.aliased(EnterpriseGrid)
        out.append(
            e.id.in_(
                sa.select(eg.enterprise_id).where(
                    effective_on(eg, day), eg.grid_code == str(filters["grid"]).strip()
                )
            )
        )
    if filters.get("flagged"):
        out.append(e.registry_flags.isnot(None))
    return out


@dataclass(frozen=True)
class EnterpriseFilter:
    """What to read of the enterprises in scope (all fields optional).

    ``bbox`` is ``(minx, miny, maxx, maxy)`` in WGS-84 degrees (enterprises without
    a location never match it); ``risk`` and ``sector`` are lists of
    :data:`gridwatch.vocab.RISK_LEVELS` / ``SECTORS`` codes; ``grid`` a grid code
    (the enterprises assigned to it on ``day``, default today).
    """

    codes: tuple[str, ...] | None = None
    bbox: tuple[float, float, float, float] | None = None
    risk: tuple[str, ...] | None = None
    sector: tuple[str, ...] | None = None
    grid: str | None = None
    day: dt.date | None = None

    def __post_init__(self) -> None:
        if self.bbox is not None:
            minx, miny, maxx, maxy = self.bbox
            if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
                raise InvalidInputError(
                    "bbox must be minx,miny,maxx,maxy in degrees with min < max.",
                    details={"field": "bbox", "value": list(self.bbox)},
                )
        for name, vocab in (("risk", RISK_LEVELS), ("sector", SECTORS)):
            bad = sorted(set(getattr(self, name) or ()) - set(vocab))
            if bad:
                raise InvalidInputError(
                    f"Unknown {name} {', '.join(bad)}; use {', '.join(vocab)}.",
                    details={"field": name},
                )


def _bbox_clause(conn, bbox) -> sa.ColumnElement[bool]:
    """Index-backed bounding-box test on either backend."""
    minx, miny, maxx, maxy = bbox
    if conn.dialect.name == "postgresql":
        env = sa.func.ST_MakeEnvelope(minx, miny, maxx, maxy, 4326)
        return Enterprise.geom.op("&&")(env)
    # SpatiaLite: query its R-tree (idx_<table>_<column>) for candidate rows, then
    # the exact test on the point's coordinates
    rtree = sa.table(
        "idx_enterprises_geom",
        sa.column("pkid"),
        sa.column("xmin"),
        sa.column("xmax"),
        sa.column("ymin"),
        sa.column("ymax"),
    )
    candidates = sa.select(rtree.c.pkid).where(
        rtree.c.xmax >= minx,
        rtree.c.xmin <= maxx,
        rtree.c.ymax >= miny,
        rtree.c.ymin <= maxy,
    )
    return sa.and_(
        Enterprise.id.in_(candidates),
        sa.func.ST_X(Enterprise.geom).between(minx, maxx),
        sa.func.ST_Y(Enterprise.geom).between(miny, maxy),
    )


def _where(conn, f: EnterpriseFilter) -> list:
    """SQL conditions of an :class:`EnterpriseFilter` (the scope is added apart)."""
    clauses = []
    if f.codes is not None:
        clauses.append(Enterprise.uscc.in_(f.codes))
    if f.bbox is not None:
        clauses.append(_bbox_clause(conn, f.bbox))
    if f.risk:
        clauses.append(Enterprise.risk_level.in_(f.risk))
    if f.sector:
        clauses.append(Enterprise.sector.in_(f.sector))
    if f.grid:
        eg = sa.orm.aliased(EnterpriseGrid)
        clauses.append(
            Enterprise.id.in_(
                sa.select(eg.enterprise_id).where(
                    eg.grid_code == f.grid, effective_on(eg, f.day or _today())
                )
            )
        )
    return clauses


_COLUMNS = (
    "id",
    "uscc",
    "name",
    "address",
    "sector",
    "industry_code",
    "risk_level",
    "is_three_in_one",
    "has_hazchem",
    "employees",
    "registered_on",
    "legal_representative",
    "principal",
    "safety_officer",
    "contact_phone",
    "source_datum",
    "precision",
    "reliability",
    "geocode_matched",
    "geocode_flags",
    "town_code",
    "community_code",
    "town_hint",
    "town_hint_code",
    "community_hint",
    "community_hint_code",
    "registry_flags",
    "extra_attrs",
)


def _statement(ctx, conn, actor: Actor, codes, where, filters, columns):
    day = (where.day if where is not None and where.day else None) or _today()
    f = where or EnterpriseFilter()
    if codes is not None:
        f = replace(f, codes=tuple(codes))
    return sa.select(*columns).where(
        enterprise_clause(actor, day),
        *_filter_clauses(ctx, filters, day),
        *_where(conn, f),
    ), day


def read_enterprises(
    ctx: Context,
    actor: Actor,
    codes: list[str] | None = None,
    *,
    where: EnterpriseFilter | None = None,
    limit: int | None = None,
    offset: int = 0,
    **filters,
) -> gpd.GeoDataFrame:
    """The enterprises in the actor's scope as a GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    codes : list of str, optional
        Only these credit codes.
    where : EnterpriseFilter, optional
        Bounding box, risk/sector lists and grid (the API's filters).
    limit, offset : int, optional
        Paging; pages are ordered by id so they are stable. Unpaged reads are
        ordered by credit code.
    **filters
        ``town`` / ``community`` (code or name of a loaded unit: placed there, or
        not placed yet and declared there in 所属镇街/所属村居), ``grid`` (assigned
        today), ``risk`` (red… or 红…), ``sector`` (code, label or GB/T 4754),
        ``precision`` (vocab.PRECISIONS), ``flagged`` (registry flags set).

    Returns
    -------
    GeoDataFrame
        Columns ``_COLUMNS`` plus ``grid_code`` (today's grid or None), geometry.

    Raises
    ------
    InvalidInputError
        A filter value that is not in its vocabulary or names no loaded unit.
    """
    with ctx.engine.connect() as conn:
        day = (where.day if where is not None and where.day else None) or _today()
        cols = [getattr(Enterprise, c) for c in _COLUMNS]
        cols += [_grid_now(day).label("grid_code"), wkb(Enterprise.geom)]
        stmt, _ = _statement(ctx, conn, actor, codes, where, filters, cols)
        if limit is not None:
            stmt = stmt.order_by(Enterprise.id).limit(limit).offset(offset)
        else:
            stmt = stmt.order_by(Enterprise.uscc)
        frame = read_frame(conn, stmt)
    for col in ("is_three_in_one", "has_hazchem"):
        frame[col] = frame[col].astype(bool)
    return frame


def count_enterprises(
    ctx: Context, actor: Actor, where: EnterpriseFilter | None = None, **filters
) -> int:
    """How many enterprises :func:`read_enterprises` would return unpaged."""
    with ctx.engine.connect() as conn:
        stmt, _ = _statement(
            ctx, conn, actor, None, where, filters, [sa.func.count(Enterprise.id)]
        )
        return int(conn.execute(stmt).scalar_one())


def _none(v):
    if v is None:
        return None
    try:
        return None if pd.isna(v) else v
    except (TypeError, ValueError):  # dicts and lists
        return v


def export_records(ctx: Context, actor: Actor, **filters) -> list[dict]:
    """Records in the registry's field names, WGS-84 coordinates, for the writers
    (the enterprises in the actor's scope, optionally filtered as for
    :func:`read_enterprises`)."""
    from gridwatch.registry import RECORD_FIELDS

    frame = read_enterprises(ctx, actor, **filters)
    out = []
    for row in frame.to_dict("records"):
        g = row.pop("geometry")
        rec = {f: _none(row.get(f)) for f in RECORD_FIELDS}
        rec.update(
            is_three_in_one=bool(row["is_three_in_one"]),
            has_hazchem=bool(row["has_hazchem"]),
            employees=None
            if _none(row["employees"]) is None
            else int(row["employees"]),
            lng=g.x if g is not None else None,
            lat=g.y if g is not None else None,
        )
        out.append(rec)
    return out


def enterprise_detail(ctx: Context, actor: Actor, uscc: str) -> dict:
    """One enterprise's file: every stored field, extra columns, hints and flags,
    its point (WGS-84) and today's grid and warden.

    Raises
    ------
    NotFoundError
        No enterprise with that credit code in the actor's area.
    """
    from gridwatch.registry.uscc import normalise_uscc
    from gridwatch.services.assignment import responsible_on
    from gridwatch.vocab import REGISTRY_FLAGS

    code = normalise_uscc(uscc)
    frame = read_enterprises(ctx, actor, codes=[code])
    if frame.empty:
        raise NotFoundError(f"No enterprise in your area has credit code {uscc}.")
    row = frame.iloc[0].to_dict()
    g = row.pop("geometry")
    out = {k: _none(v) for k, v in row.items() if k != "id"}
    out["employees"] = None if out["employees"] is None else int(out["employees"])
    out["lng"], out["lat"] = (g.x, g.y) if g is not None else (None, None)
    out["extra_attrs"] = out.get("extra_attrs") or {}
    flags = [f for f in (out.get("registry_flags") or "").split(",") if f]
    out["registry_flags"] = [
        {"code": f, "label": REGISTRY_FLAGS.get(f, f)} for f in flags
    ]
    out["responsible"] = responsible_on(ctx, actor, code, _today())
    return out
