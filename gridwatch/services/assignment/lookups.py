"""Reads of the assignment: who is responsible for an enterprise on a day, the
wardens with their grids and workload, the enterprises waiting to be placed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models import (
    Enterprise,
    EnterpriseGrid,
    Grid,
    GridWarden,
    User,
    Warden,
)
from gridwatch.db.queries import effective_on
from gridwatch.errors import NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.assignment.common import unit_names
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_clause
from gridwatch.timeutil import today as _today


def enterprise_grids_on(conn, version_id: int, on: dt.date) -> pd.Series:
    """uscc → grid code under ``version_id`` on ``on``."""
    rows = conn.execute(
        sa.select(Enterprise.uscc, EnterpriseGrid.grid_code)
        .join(Enterprise, Enterprise.id == EnterpriseGrid.enterprise_id)
        .where(
            EnterpriseGrid.version_id == version_id,
            effective_on(EnterpriseGrid, on),
        )
    ).all()
    return pd.Series({r.uscc: r.grid_code for r in rows}, dtype=object)


def enterprise_wardens_on(conn, on: dt.date) -> pd.Series:
    """uscc → username of the responsible warden on ``on``."""
    eg, gw = EnterpriseGrid, GridWarden
    rows = conn.execute(
        sa.select(Enterprise.uscc, User.username)
        .join(eg, eg.enterprise_id == Enterprise.id)
        .join(
            gw,
            sa.and_(
                gw.version_id == eg.version_id,
                gw.grid_code == eg.grid_code,
                gw.role == "responsible",
            ),
        )
        .join(Warden, Warden.id == gw.warden_id)
        .join(User, User.id == Warden.user_id)
        .where(effective_on(eg, on), effective_on(gw, on))
    ).all()
    return pd.Series({r.uscc: r.username for r in rows}, dtype=object)


def responsible_on(ctx: Context, actor: Actor, uscc: str, on: dt.date) -> dict:
    """Who was responsible for enterprise ``uscc`` on ``on``, and how sure that is.

    Returns
    -------
    dict
        ``uscc, date, placement, version, grid_code, warden, warden_name,
        deputies, precision, town_code, town_name, registered_town`` (the
        registry's 所属镇街 ``{code, name}`` when the point lies in another town,
        so the grid and warden are in doubt; else None). ``placement``:

        - ``definite``: in ``grid_code`` on that day, a confident answer;
        - ``imprecise``: in ``grid_code``, but placed only at community level, so
          the grid within the community is a guess;
        - ``unplaced``: in no grid, located only to town (``town_code``) or
          district level: "in town X, grid unknown" until the street office places
          it by hand;
        - ``no_location``: in no grid, not located at all;
        - ``unassigned``: located, but in no grid on that day (outside every grid,
          or not yet assigned then).

        ``precision``, ``town_code`` are today's (the enterprise's current
        record); grid, warden and deputies are those of ``on``.

    Raises
    ------
    NotFoundError
        No enterprise with that credit code in the actor's area.
    """
    from gridwatch.assign.precision import DEFINITE, IMPRECISE, UNPLACED, placement

    eg = EnterpriseGrid
    with ctx.engine.connect() as conn:
        ent = conn.execute(
            sa.select(
                Enterprise.id,
                Enterprise.precision,
                Enterprise.town_code,
                Enterprise.town_hint_code,
            ).where(Enterprise.uscc == uscc, enterprise_clause(actor))
        ).first()
        if ent is None:
            raise NotFoundError(f"No enterprise in your area has credit code {uscc}.")
        grid = conn.execute(
            sa.select(eg.version_id, eg.grid_code, eg.is_imprecise).where(
                eg.enterprise_id == ent.id, effective_on(eg, on)
            )
        ).first()
        staff = _grid_staff(conn, grid, on) if grid is not None else []
        kind = placement(ent.precision)
        town = ent.town_code if kind != UNPLACED or ent.precision == "town" else None
        # the registry names another town than the point's (a hint mismatch,
        # flagged by the import): the grid below is where the point is, not
        # necessarily where the enterprise is
        other = ent.town_hint_code if ent.town_hint_code != ent.town_code else None
        other = other if ent.town_code and grid is not None else None
        names = unit_names(conn, [town, other])
    if grid is not None:
        kind = IMPRECISE if grid.is_imprecise else DEFINITE
    elif kind in (DEFINITE, IMPRECISE):
        kind = "unassigned"
    warden = next((r for r in staff if r.role == "responsible"), None)
    return {
        "uscc": uscc,
        "date": on.isoformat(),
        "placement": kind,
        "version": grid.version_id if grid else None,
        "grid_code": grid.grid_code if grid else None,
        "warden": warden.username if warden else None,
        "warden_name": warden.full_name if warden else None,
        "deputies": [r.username for r in staff if r.role == "deputy"],
        "precision": ent.precision,
        "town_code": town,
        "town_name": names.get(town),
        "registered_town": {"code": other, "name": names.get(other)} if other else None,
    }


def _grid_staff(conn, grid, on: dt.date) -> list:
    """(username, full_name, role) of the wardens of a grid on ``on``."""
    gw = GridWarden
    return conn.execute(
        sa.select(User.username, User.full_name, gw.role)
        .join(Warden, Warden.user_id == User.id)
        .join(gw, gw.warden_id == Warden.id)
        .where(
            gw.version_id == grid.version_id,
            gw.grid_code == grid.grid_code,
            effective_on(gw, on),
        )
        .order_by(User.username)
    ).all()


def list_unplaced(ctx: Context, actor: Actor, street: str | None = None) -> list[dict]:
    """Enterprises located only to town or district level, which assignment gives
    no grid: for the street office to place by hand (a person putting the point on
    the map makes it ``manual``, and the next assignment gives it a grid).

    A street office sees its own town's; ``street`` narrows the list for the
    district roles. Returns ``uscc, name, address, precision, town_code,
    town_name`` sorted by town and credit code (``town_code`` None for
    district-level ones: their town is unknown).
    """
    require_role(
        actor, "street_office", "bureau", "admin", action="Listing unplaced enterprises"
    )
    stmt = sa.select(
        Enterprise.uscc,
        Enterprise.name,
        Enterprise.address,
        Enterprise.precision,
        Enterprise.town_code,
    ).where(Enterprise.precision.in_(["town", "district"]), enterprise_clause(actor))
    if street:
        stmt = stmt.where(Enterprise.town_code == street)
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt).all()
        names = unit_names(conn, [r.town_code for r in rows])
    out = []
    for r in rows:
        town = r.town_code if r.precision == "town" else None
        out.append(
            {
                "uscc": r.uscc,
                "name": r.name,
                "address": r.address,
                "precision": r.precision,
                "town_code": town,
                "town_name": names.get(town),
            }
        )
    return sorted(out, key=lambda d: (d["town_code"] or "~", d["uscc"]))


def list_wardens(
    ctx: Context,
    actor: Actor,
    street: str | None = None,
    on: dt.date | None = None,
) -> list[dict]:
    """The active wardens with their grids and workload in the active version.

    Workload is the risk-weighted count (settings ``risk_weights``) of the
    enterprises in the warden's responsible grids on ``on`` (default today); the
    ratio is over the mean of the warden's street. Street offices see their own
    street. Returns, sorted by street and username: ``username, full_name,
    street_code, phone, grids`` (responsible grid codes), ``deputy_of``,
    ``enterprises``, ``imprecise`` (of them, placed only at community level),
    ``workload``, ``workload_over_street_mean`` (None when the street has no
    workload).
    """
    from gridwatch.services.assignment.common import street_scope
    from gridwatch.services.grids import resolve_version

    if actor.role == "street_office":
        street = street_scope(actor, street, "Listing wardens")
    require_role(actor, "street_office", "bureau", "admin", action="Listing wardens")
    on = on or _today()
    try:
        vid = resolve_version(ctx, None)
    except NotFoundError:  # no active grids yet: wardens without grids
        vid = None
    with ctx.engine.connect() as conn:
        wardens = _active_wardens(conn, street)
        held = _held_grids(conn, vid, on)
        per_grid = _grid_loads(conn, vid, on, ctx.settings.risk_weights)
    return _warden_rows(wardens, held, per_grid)


def _active_wardens(conn, street: str | None) -> pd.DataFrame:
    stmt = (
        sa.select(
            Warden.id,
            User.username,
            User.full_name,
            Warden.street_code,
            Warden.phone,
        )
        .join(User, User.id == Warden.user_id)
        .where(User.is_active.is_(True))
        .order_by(Warden.street_code, User.username)
    )
    if street:
        stmt = stmt.where(Warden.street_code == street)
    cols = ["id", "username", "full_name", "street_code", "phone"]
    return pd.DataFrame(conn.execute(stmt).all(), columns=cols)


def _held_grids(conn, vid: int | None, on: dt.date) -> pd.DataFrame:
    """warden_id, grid_code, role of the grid_warden rows valid on ``on``."""
    cols = ["warden_id", "grid_code", "role"]
    if vid is None:
        return pd.DataFrame(columns=cols)
    gw = GridWarden
    rows = conn.execute(
        sa.select(gw.warden_id, gw.grid_code, gw.role).where(
            gw.version_id == vid, effective_on(gw, on)
        )
    ).all()
    return pd.DataFrame(rows, columns=cols)


def _grid_loads(conn, vid: int | None, on: dt.date, weights) -> pd.DataFrame:
    """Per grid of ``vid``: enterprises, imprecise ones and risk-weighted workload."""
    cols = ["enterprises", "imprecise", "workload"]
    if vid is None:
        return pd.DataFrame(columns=cols)
    eg = EnterpriseGrid
    rows = pd.DataFrame(
        conn.execute(
            sa.select(eg.grid_code, eg.is_imprecise, Enterprise.risk_level)
            .join(Enterprise, Enterprise.id == eg.enterprise_id)
            .join(
                Grid,
                sa.and_(Grid.version_id == eg.version_id, Grid.code == eg.grid_code),
            )
            .where(eg.version_id == vid, effective_on(eg, on))
        ).all(),
        columns=["grid_code", "is_imprecise", "risk_level"],
    )
    lowest = min(weights.values())
    rows["w"] = rows["risk_level"].map(weights).fillna(lowest).astype(float)
    rows["is_imprecise"] = rows["is_imprecise"].astype(bool)
    return rows.groupby("grid_code").agg(
        enterprises=("w", "size"),
        imprecise=("is_imprecise", "sum"),
        workload=("w", "sum"),
    )


def _warden_rows(wardens: pd.DataFrame, held: pd.DataFrame, per_grid) -> list[dict]:
    out = []
    for w in wardens.itertuples():
        mine = held[held["warden_id"] == w.id]
        grids = sorted(mine.loc[mine["role"] == "responsible", "grid_code"])
        load = per_grid.reindex(grids)
        out.append(
            {
                "username": w.username,
                "full_name": w.full_name,
                "street_code": w.street_code,
                "phone": w.phone,
                "grids": grids,
                "deputy_of": sorted(mine.loc[mine["role"] == "deputy", "grid_code"]),
                "enterprises": int(load["enterprises"].fillna(0).sum()),
                "imprecise": int(load["imprecise"].fillna(0).sum()),
                "workload": round(float(load["workload"].fillna(0).sum()), 2),
            }
        )
    frame = pd.DataFrame(out, columns=["street_code", "workload"])
    mean = frame.groupby("street_code")["workload"].transform("mean") if out else []
    for row, m in zip(out, mean):
        row["workload_over_street_mean"] = round(row["workload"] / m, 3) if m else None
    return out
