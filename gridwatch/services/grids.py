"""Grid versions: build a draft, activate, read, split/merge with undo, check."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models import Grid, GridEdit, GridVersion
from gridwatch.db.queries import bulk_insert, read_frame, wkb
from gridwatch.errors import ConflictError, InvalidInputError, NotFoundError
from gridwatch.frames import reproject_to_wgs84
from gridwatch.grids.codes import within_mask
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.admin import read_admin_units
from gridwatch.services.audit import record
from gridwatch.services.context import Context
from gridwatch.services.grid_workload import gridded_enterprises, unplaced_count
from gridwatch.services.scope import grid_clause

GRID_COLUMNS = ("code", "parent_code", "workload", "n_enterprises", "area_m2")


def _grid_columns() -> list:
    """The stored grid attributes (:data:`GRID_COLUMNS`) and the geometry as WKB."""
    return [getattr(Grid, c) for c in GRID_COLUMNS] + [wkb(Grid.geom)]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def store_version(
    session: Session,
    grids: gpd.GeoDataFrame,
    method: str,
    params: dict,
    label: str | None = None,
) -> int:
    """Store ``grids`` (WGS-84) as a new draft version; return its id."""
    grids = reproject_to_wgs84(grids, "grids")
    version = GridVersion(
        label=label or f"{method} {_now():%Y-%m-%d %H:%M}",
        status="draft",
        method=method,
        params=params,
        created_by=session.info.get("actor"),
    )
    session.add(version)
    session.flush()
    rows = pd.DataFrame(
        {c: grids[c].values if c in grids.columns else 0 for c in GRID_COLUMNS}
    )
    rows["version_id"] = version.id
    rows["geom"] = grids.geometry.values
    bulk_insert(session.connection(), "grids", rows)
    return version.id


def activate_session(session: Session, version_id: int) -> None:
    version = session.get(GridVersion, version_id)
    if version is None:
        raise NotFoundError(
            f"There is no grid version {version_id}; see 'gridwatch grids versions'."
        )
    if version.status == "active":
        return
    n = session.scalar(
        sa.select(sa.func.count())
        .select_from(Grid)
        .where(Grid.version_id == version_id)
    )
    if not n:
        raise ConflictError(f"Grid version {version_id} has no grids; build it first.")
    for other in session.scalars(
        sa.select(GridVersion).where(GridVersion.status == "active")
    ):
        other.status = "retired"
    version.status = "active"
    version.activated_at = _now()


def _require_editor(actor: Actor, town: str | None, what: str) -> None:
    """Admins edit any grids; a street office only a version confined to its street."""
    require_role(actor, "street_office", "admin", action=what)
    if actor.role == "street_office" and town != actor.scope_code:
        from gridwatch.errors import PermissionDeniedError

        raise PermissionDeniedError(
            f"{what} is limited to your own street ({actor.scope_code}); this "
            f"touches {town or 'the whole district'}.",
            details={"scope": actor.scope_code, "town": town},
        )


def _version_town(session: Session, version_id: int) -> str | None:
    version = session.get(GridVersion, version_id)
    return (version.params or {}).get("town") if version is not None else None


def activate_version(ctx: Context, actor: Actor, version_id: int) -> None:
    """Make ``version_id`` the active version (the old one is retired, kept)."""
    with ctx.transaction(actor) as s:
        _require_editor(actor, _version_town(s, version_id), "Activating grids")
        activate_session(s, version_id)


def active_version_id(conn) -> int | None:
    return conn.execute(
        sa.select(GridVersion.id).where(GridVersion.status == "active")
    ).scalar()


def resolve_version(
    ctx: Context, version_id: int | None, prefer: str = "active"
) -> int:
    """The given version, or the active one (``prefer='draft'``: the newest draft)."""
    with ctx.engine.connect() as conn:
        if version_id is not None:
            if (
                conn.execute(
                    sa.select(GridVersion.id).where(GridVersion.id == version_id)
                ).scalar()
                is None
            ):
                raise NotFoundError(
                    f"There is no grid version {version_id}; "
                    "see 'gridwatch grids versions'."
                )
            return version_id
        if prefer == "draft":
            vid = conn.execute(
                sa.select(GridVersion.id)
                .where(GridVersion.status == "draft")
                .order_by(GridVersion.id.desc())
            ).scalar()
            if vid is None:
                raise NotFoundError(
                    "There is no draft grid version; build one with "
                    "'gridwatch grids build'."
                )
            return vid
        vid = active_version_id(conn)
        if vid is None:
            raise NotFoundError(
                "No grid version is active; build grids and run "
                "'gridwatch grids activate VERSION'."
            )
        return vid


def version_grids(conn, version_id: int, where=None) -> gpd.GeoDataFrame:
    """Every grid of ``version_id`` (internal: whole-version work such as building,
    checking and assigning; what a user sees goes through :func:`read_grids`)."""
    stmt = sa.select(*_grid_columns()).where(Grid.version_id == version_id)
    if where is not None:
        stmt = stmt.where(where)
    return read_frame(conn, stmt.order_by(Grid.code))


def read_grids(
    ctx: Context, actor: Actor, version_id: int | None = None
) -> gpd.GeoDataFrame:
    """The grids of a version (default the active one) in the actor's scope, in
    EPSG:4326, ordered by code; columns :data:`GRID_COLUMNS` and geometry."""
    vid = resolve_version(ctx, version_id)
    with ctx.engine.connect() as conn:
        return version_grids(conn, vid, grid_clause(actor))


def list_versions(ctx: Context, actor: Actor) -> list[dict]:
    """Every grid version with its grid count (metadata: any signed-in role)."""
    require_role(actor, "warden", "street_office", "bureau", "admin",
                 action="Listing grid versions")
    with ctx.engine.connect() as conn:
        counts = dict(
            conn.execute(
                sa.select(Grid.version_id, sa.func.count()).group_by(Grid.version_id)
            ).all()
        )
        rows = conn.execute(
            sa.select(
                GridVersion.id,
                GridVersion.label,
                GridVersion.status,
                GridVersion.method,
                GridVersion.created_at,
                GridVersion.activated_at,
            ).order_by(GridVersion.id)
        ).all()
    return [
        {
            "version": r.id,
            "label": r.label,
            "status": r.status,
            "method": r.method,
            "grids": counts.get(r.id, 0),
            "created_at": r.created_at,
            "activated_at": r.activated_at,
        }
        for r in rows
    ]


WITHIN_LEVELS = ("community", "town", "district")


def parents_for(ctx: Context, within: str, town: str | None) -> gpd.GeoDataFrame:
    """The units grids are built in: communities, towns (when no communities are
    drawn) or the district itself (when neither is), optionally one town's."""
    if within not in WITHIN_LEVELS:
        raise InvalidInputError(
            f"Grids are built within community, town or district units, not "
            f"{within!r}."
        )
    if within == "district" and town:
        raise InvalidInputError(
            "A rebuild of one town works within its communities or the town "
            "itself, not within the district.",
            details={"hint": "--within town"},
        )
    units = read_admin_units(ctx, within)
    if town:
        units = units[within_mask(units["code"], town)]
        if units.empty:
            raise NotFoundError(
                f"No {within} lies in town {town}; see "
                "'gridwatch boundaries list --level town'."
            )
    units = units[units.geometry.notna()]
    if units.empty:
        lower = WITHIN_LEVELS[WITHIN_LEVELS.index(within) + 1:]
        raise InvalidInputError(
            f"No {within} boundaries are loaded; import them"
            + (f", or build the grids within {' or '.join(lower)} units" if lower
               else "")
            + ".",
            details={"hint": f"gridwatch boundaries import FILE --level {within}"
                     + (f" (or --within {lower[0]})" if lower else "")},
        )
    return units


def _grid_snapshot(session: Session, version_id: int, codes: list[str]) -> dict:
    rows = (
        session.connection()
        .execute(
            sa.select(*_grid_columns()).where(
                Grid.version_id == version_id, Grid.code.in_(codes)
            )
        )
        .all()
    )
    return {
        r.code: {
            "parent_code": r.parent_code,
            "workload": r.workload,
            "n_enterprises": r.n_enterprises,
            "area_m2": r.area_m2,
            "wkb": bytes(r.geom).hex(),
        }
        for r in rows
    }


def replace_grids(
    session: Session,
    version_id: int,
    op: str,
    removed_codes: list[str],
    added: gpd.GeoDataFrame,
) -> int:
    """Swap grids in a draft version and remember the edit so it can be undone."""
    version = session.get(GridVersion, version_id)
    if version is None or version.status != "draft":
        raise ConflictError(
            f"Grid version {version_id} is not a draft; only drafts can "
            "be edited (build a new version to change an active one)."
        )
    snapshot = _grid_snapshot(session, version_id, removed_codes)
    conn = session.connection()
    conn.execute(
        sa.delete(Grid).where(
            Grid.version_id == version_id, Grid.code.in_(removed_codes)
        )
    )
    rows = pd.DataFrame(
        {c: added[c].values if c in added.columns else 0 for c in GRID_COLUMNS}
    )
    rows["version_id"] = version_id
    rows["geom"] = reproject_to_wgs84(added, "added grids").geometry.values
    bulk_insert(conn, "grids", rows)
    edit = GridEdit(
        version_id=version_id,
        op=op,
        removed=snapshot,
        added={"codes": list(map(str, added["code"]))},
        created_by=session.info.get("actor"),
    )
    session.add(edit)
    session.flush()
    return edit.id


def undo_edit(ctx: Context, actor: Actor, version_id: int | None = None) -> dict:
    """Undo the latest split/merge of the draft version."""
    vid = resolve_version(ctx, version_id, prefer="draft")
    with ctx.transaction(actor) as s:
        _require_editor(actor, _version_town(s, vid), "Editing grids")
        edit = s.scalar(
            sa.select(GridEdit)
            .where(GridEdit.version_id == vid, GridEdit.undone_at.is_(None))
            .order_by(GridEdit.id.desc())
        )
        if edit is None:
            raise ConflictError(f"Draft version {vid} has no edit left to undo.")
        conn = s.connection()
        conn.execute(
            sa.delete(Grid).where(
                Grid.version_id == vid, Grid.code.in_(edit.added["codes"])
            )
        )
        restored = pd.DataFrame(
            [
                {
                    "code": code,
                    "parent_code": v["parent_code"],
                    "workload": v["workload"],
                    "n_enterprises": v["n_enterprises"],
                    "area_m2": v["area_m2"],
                    "version_id": vid,
                    "geom": shapely.from_wkb(bytes.fromhex(v["wkb"])),
                }
                for code, v in edit.removed.items()
            ]
        )
        bulk_insert(conn, "grids", restored)
        edit.undone_at = _now()
        record(
            s,
            "undo",
            "grid_edits",
            str(edit.id),
            None,
            {"op": edit.op, "restored": list(edit.removed)},
        )
        return {
            "version": vid,
            "undone": edit.op,
            "restored": sorted(edit.removed),
            "removed": edit.added["codes"],
        }


def _build_area(town, community, within) -> tuple[str | None, str | None]:
    """(town the version belongs to, code prefix rebuilt) of a build."""
    if community is None:
        return town, town
    from gridwatch.grids.codes import town_of

    community = str(community)
    if len(community) != 12 or not community.isdigit() or within != "community":
        raise InvalidInputError(
            "A one-community rebuild takes a 12-digit community code and is "
            f"built within communities, not {community!r} within {within}."
        )
    if town is not None and town_of(community) != town:
        raise InvalidInputError(f"Community {community} does not lie in town {town}.")
    return town_of(community), community


def build_version(
    ctx: Context,
    actor: Actor,
    method: str = "balanced",
    *,
    target_workload: float | None = None,
    grids_per_unit: int | None = None,
    cell_size_m: float | None = None,
    within: str = "community",
    town: str | None = None,
    seed: int = 0,
    activate: bool = False,
    community: str | None = None,
) -> dict:
    """Build grids into a new draft version (optionally activate it).

    With ``town``, only that town's units are rebuilt; the new version keeps the
    active version's grids everywhere else, so activating it changes one town only.
    With ``community`` (a 12-digit code, built within communities), only that
    community is rebuilt and the version belongs to its town.
    """
    from gridwatch.grids import build_grids

    town, area = _build_area(town, community, within)
    _require_editor(actor, town, "Building grids")
    parents = parents_for(ctx, within, area)
    weights = ctx.settings.risk_weights
    with ctx.engine.connect() as conn:
        ents = gridded_enterprises(conn)
        unplaced = unplaced_count(conn)
        keep = None
        if area:
            active = active_version_id(conn)
            if active is not None:
                old = version_grids(conn, active)
                keep = old[~within_mask(old["code"], area)]
    grids, report = build_grids(
        parents,
        ents,
        method=method,
        target_workload=target_workload,
        grids_per_unit=grids_per_unit,
        cell_size_m=cell_size_m,
        weights=weights,
        seed=seed,
    )
    rebuilt = len(grids)
    if keep is not None and len(keep):
        grids = pd.concat([keep.to_crs(grids.crs), grids], ignore_index=True)
        grids = gpd.GeoDataFrame(grids, geometry="geometry", crs=4326)
    params = {
        "target_workload": target_workload,
        "grids_per_unit": grids_per_unit,
        "cell_size_m": cell_size_m,
        "within": within,
        "town": town,
        "community": community,
        "seed": seed,
        "weights": weights,
    }
    with ctx.transaction(actor) as s:
        vid = store_version(s, grids, method, params)
        if activate:
            activate_session(s, vid)
    out = {
        "version": vid,
        "status": "active" if activate else "draft",
        "method": method,
        "within": within,
        "grids": len(grids),
        "rebuilt": rebuilt,
        "parents": len(parents),
        "illustrative_parents": int(parents["is_illustrative"].sum()),
        "kept_from_active": len(grids) - rebuilt,
        "unplaced_left_out": unplaced,
    }
    out["report"] = report.to_dict() if hasattr(report, "to_dict") else {}
    return out


def _edit_inputs(ctx: Context, version_id: int):
    with ctx.engine.connect() as conn:
        grids = version_grids(conn, version_id)
        ents = gridded_enterprises(conn)
    return grids, ents


def split(
    ctx: Context,
    actor: Actor,
    code: str,
    parts: int = 2,
    version_id: int | None = None,
    seed: int = 0,
) -> dict:
    """Split grid ``code`` of a draft version into ``parts`` balanced grids."""
    from gridwatch.grids import split_grid

    vid = resolve_version(ctx, version_id, prefer="draft")
    with ctx.engine.connect() as conn, Session(bind=conn) as s:
        _require_editor(actor, _version_town(s, vid), "Editing grids")
    grids, ents = _edit_inputs(ctx, vid)
    if code not in set(grids["code"]):
        raise NotFoundError(f"Grid {code} is not in draft version {vid}.")
    new = split_grid(grids, code, parts, ents, ctx.settings.risk_weights, seed)
    added = new[~new["code"].isin(set(grids["code"]) - {code})]
    with ctx.transaction(actor) as s:
        replace_grids(s, vid, "split", [code], added)
    return {"version": vid, "split": code, "into": sorted(added["code"])}


def merge(
    ctx: Context, actor: Actor, codes: list[str], version_id: int | None = None
) -> dict:
    """Merge adjacent grids of a draft version into the one with the smallest code."""
    from gridwatch.grids import merge_grids

    vid = resolve_version(ctx, version_id, prefer="draft")
    with ctx.engine.connect() as conn, Session(bind=conn) as s:
        _require_editor(actor, _version_town(s, vid), "Editing grids")
    grids, ents = _edit_inputs(ctx, vid)
    missing = [c for c in codes if c not in set(grids["code"])]
    if missing:
        raise NotFoundError(f"Grid {missing[0]} is not in draft version {vid}.")
    new = merge_grids(grids, codes, ents, ctx.settings.risk_weights)
    kept = min(codes)
    added = new[new["code"] == kept]
    with ctx.transaction(actor) as s:
        replace_grids(s, vid, "merge", list(codes), added)
    return {"version": vid, "merged": sorted(codes), "into": kept}


def check_version(ctx: Context, actor: Actor, version_id: int | None = None):
    """Quality report of a version; see :func:`gridwatch.services.grid_reports.
    check_version` (kept here for callers of the old place)."""
    from gridwatch.services.grid_reports import check_version as check

    return check(ctx, actor, version_id)
