"""Enterprise registry (一企一档): import with idempotent upsert, export, list, show.

The upsert itself (plan → apply, never replace by empty) is in
:mod:`gridwatch.services.enterprise_upsert`. Reads filter by the actor's scope in
SQL (:mod:`gridwatch.services.scope`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models import Enterprise, EnterpriseGrid
from gridwatch.db.queries import effective_on, read_frame, wkb
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.enterprise_upsert import (
    DATA_FIELDS,
    DEFAULTS,
    PROFILE_FIELDS,
    apply_plan,
    check_hints,
    now_utc,
    plan_upsert,
)
from gridwatch.services.scope import enterprise_clause

__all__ = [
    "DATA_FIELDS",
    "DEFAULTS",
    "PROFILE_FIELDS",
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


def read_enterprises(
    ctx: Context, actor: Actor, codes: list[str] | None = None, **filters
) -> gpd.GeoDataFrame:
    """The enterprises in the actor's scope as a GeoDataFrame in EPSG:4326, ordered
    by credit code.

    Parameters
    ----------
    codes : list of str, optional
        Only these credit codes.
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
    day = _today()
    cols = [getattr(Enterprise, c) for c in _COLUMNS]
    stmt = (
        sa.select(*cols, _grid_now(day).label("grid_code"), wkb(Enterprise.geom))
        .where(enterprise_clause(actor), *_filter_clauses(ctx, filters, day))
        .order_by(Enterprise.uscc)
    )
    if codes is not None:
        stmt = stmt.where(Enterprise.uscc.in_(codes))
    with ctx.engine.connect() as conn:
        frame = read_frame(conn, stmt)
    for col in ("is_three_in_one", "has_hazchem"):
        frame[col] = frame[col].astype(bool)
    return frame


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


def import_registry(
    ctx: Context,
    actor: Actor,
    path: str | Path,
    *,
    sheet: str | None = None,
    header_map: dict[str, str] | None = None,
    value_map: dict[str, dict[str, str]] | None = None,
    dry_run: bool = False,
    rejects_path: str | Path | None = None,
    default_datum: str | None = None,
    progress=None,
):
    """Read, validate and upsert a registry file; every row is stored or reported.

    Parameters
    ----------
    value_map : dict, optional
        ``{column (header as in the file, or field): {old value: new value}}``
        applied before the cells are read.
    dry_run : bool
        Compute what would be inserted/updated/unchanged and store nothing.
    rejects_path : path, optional
        CSV of rejected rows and notes; checked for writability before the file
        is read, so a bad path stores nothing.

    Returns
    -------
    ImportSummary
        With the inserted/updated/unchanged split (what *would* happen on a dry
        run) and ``output_error`` set if the rejects file could not be written
        after the rows were stored.

    Raises
    ------
    InvalidInputError
        An unwritable rejects path, an unreadable file, a value mapping naming a
        missing column, or a file with no enterprise rows at all.
    """
    require_role(actor, "admin", action="Importing the registry")
    from gridwatch.registry import read_registry
    from gridwatch.spreadsheets import check_writable

    if rejects_path is not None:
        check_writable(rejects_path, "rejects file")
    source = read_registry(path, sheet=sheet, header_map=header_map)
    summary, records = _validate(ctx, source, value_map, default_datum, progress)
    summary.dry_run = dry_run
    if summary.valid + summary.rejected == 0:
        raise InvalidInputError(
            f"{Path(path).name} has no enterprise rows ({summary.blank} blank, "
            f"{summary.totals} totals rows); nothing was imported."
        )
    _store(ctx, actor, records, summary, dry_run)
    if not summary.balanced:  # every row is stored or reported: never silently lost
        raise RuntimeError(f"import accounting is off: {summary.to_dict()}")
    if rejects_path is not None:
        _write_report(summary, rejects_path)
    return summary


def _validate(ctx, source, value_map, default_datum, progress):
    from gridwatch.registry import RowRules, validate_rows
    from gridwatch.registry.summary import ImportSummary
    from gridwatch.services.admin import district_outline

    rules = RowRules(
        default_datum,
        units_resolver(ctx),
        source.resolve_value_map(value_map) if value_map else {},
    )
    summary = ImportSummary(extra_columns=source.unknown_headers)
    rows = iter(source)
    if progress is not None:
        rows = progress(rows)
    records = {
        n: rec
        for n, rec, _rej in validate_rows(
            rows, summary, district_outline(ctx), rules=rules
        )
        if rec
    }
    return summary, records


def _store(ctx: Context, actor: Actor, records: dict, summary, dry_run: bool) -> None:
    """Plan (and unless ``dry_run`` apply) the upsert; fill the summary's counts."""
    from gridwatch.registry.summary import Note
    from gridwatch.services.geocoding import fill_admin_codes

    if not records:  # all rejected: nothing to plan, nothing replaced
        return
    now = now_utc()
    if dry_run:
        with ctx.engine.connect() as conn:
            plan = plan_upsert(conn, records.values(), actor.audit_name, now)
        counts = plan.counts
    else:
        with ctx.transaction(actor) as s:
            conn = s.connection()
            counts = apply_plan(
                conn, plan_upsert(conn, records.values(), actor.audit_name, now), now
            )
            fill_admin_codes(conn)
            misses = check_hints(conn, [r["uscc"] for r in records.values()])
            summary.flagged = _count_flagged(
                conn, [r["uscc"] for r in records.values()]
            )
        row_of = {rec["uscc"]: n for n, rec in records.items()}
        for uscc, found in misses.items():
            for level, hint, placed in found:
                field = f"{level}_hint"
                summary.notes.append(
                    Note(
                        row_of[uscc],
                        field,
                        records[row_of[uscc]][field] or hint,
                        f"{'所属镇街' if level == 'town' else '所属村居'} names {hint} but the "
                        f"point lies in {placed}: stored and flagged for a person to check",
                    )
                )
    summary.inserted = counts["inserted"]
    summary.updated = counts["updated"]
    summary.unchanged = counts["unchanged"]


def _count_flagged(conn, usccs: list[str]) -> int:
    n = 0
    for start in range(0, len(usccs), 900):
        n += conn.execute(
            sa.select(sa.func.count())
            .select_from(Enterprise)
            .where(
                Enterprise.uscc.in_(usccs[start : start + 900]),
                Enterprise.registry_flags.isnot(None),
            )
        ).scalar()
    return n


def _write_report(summary, rejects_path) -> None:
    """Write the rejects file; a failure now (disk full) must not hide the summary
    of rows already stored, so it is recorded, not raised."""
    from gridwatch.registry import write_rejects

    try:
        write_rejects(summary.rejects, rejects_path, summary.notes)
    except OSError as exc:
        summary.output_error = (
            f"Cannot write the rejects file {rejects_path}: {exc.strerror or exc}; the "
            "rows above were stored, so fix the path and import the file again "
            "(a re-import changes nothing) to get the file."
        )
