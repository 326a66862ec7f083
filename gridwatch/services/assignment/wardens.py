"""Use case: grid → warden, as effective-dated ``grid_warden`` rows.

Balanced, contiguous territories per street (:mod:`gridwatch.assign.wardens`);
manual overrides always win; after a redraw each warden keeps the ground they know
(affinity from the enterprises they looked after), and the result reports the churn:
the share of enterprises whose warden changed.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models import Enterprise, EnterpriseGrid, GridWarden, User, Warden
from gridwatch.db.queries import bulk_insert, read_frame, wkb
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.grids.codes import is_within, within_mask
from gridwatch.services.actor import Actor
from gridwatch.services.assignment.common import close_rows, history, street_scope
from gridwatch.services.assignment.lookups import enterprise_grids_on
from gridwatch.services.audit import record
from gridwatch.services.context import Context
from gridwatch.services.grids import version_grids
from gridwatch.services.scope import code_within
from gridwatch.timeutil import today as _today


def _wardens_frame(conn, street: str | None) -> gpd.GeoDataFrame:
    stmt = (
        sa.select(
            Warden.id,
            User.username,
            User.full_name,
            Warden.street_code,
            wkb(Warden.base),
        )
        .join(User, User.id == Warden.user_id)
        .where(User.is_active.is_(True))
    )
    if street:
        stmt = stmt.where(Warden.street_code == street)
    return read_frame(conn, stmt)


def previous_enterprise_wardens(conn, street: str | None = None) -> pd.Series:
    """uscc → username of each enterprise's warden as things stand before a run.

    The warden is the one currently holding (open ``grid_warden`` row) the grid of
    the enterprise's latest ``enterprise_grid`` row among grids that have one.
    Right after a redraw, the new version's grids have no warden yet, so this is
    the old version's answer, whether the redraw happened today or months ago (a
    date-based "yesterday" gives nothing when everything happened on one day).
    """
    eg, gw = EnterpriseGrid, GridWarden
    stmt = (
        sa.select(Enterprise.uscc, User.username, eg.valid_from, eg.id)
        .join(eg, eg.enterprise_id == Enterprise.id)
        .join(
            gw,
            sa.and_(
                gw.version_id == eg.version_id,
                gw.grid_code == eg.grid_code,
                gw.role == "responsible",
                gw.valid_to.is_(None),
            ),
        )
        .join(Warden, Warden.id == gw.warden_id)
        .join(User, User.id == Warden.user_id)
    )
    if street:
        stmt = stmt.where(code_within(gw.grid_code, street))
    rows = pd.DataFrame(
        conn.execute(stmt).all(), columns=["uscc", "username", "valid_from", "id"]
    )
    latest = rows.sort_values(["valid_from", "id"]).drop_duplicates("uscc", keep="last")
    return pd.Series(
        latest["username"].to_numpy(), index=latest["uscc"].to_numpy(), dtype=object
    )


def _inputs(conn, version_id: int, street: str | None):
    """(grids of the version in the street, active wardens of the street)."""
    grids = version_grids(conn, version_id)
    if street:
        grids = grids[within_mask(grids["code"], street)]
        if grids.empty:
            raise NotFoundError(
                f"No grid of version {version_id} lies in street {street}."
            )
    wardens = _wardens_frame(conn, street)
    if wardens.empty:
        raise InvalidInputError(
            "No active wardens are registered"
            + (f" for street {street}" if street else "")
            + "; add them as users with the warden role.",
            details={"hint": "gridwatch users add --role warden"},
        )
    return grids, wardens


def _responsible_rows(conn) -> pd.DataFrame:
    gw = GridWarden
    return history(
        conn,
        gw,
        gw.grid_code,
        [gw.version_id, gw.warden_id, gw.is_override, gw.role],
        [gw.role == "responsible"],
    )


def _plan(grids, wardens, this, by_id, old_ew, new_eg, seed, metric_crs):
    """The balanced plan (``grid_code, warden, is_override``) and the overrides."""
    from gridwatch.assign.wardens import balance_wardens, redraw_affinity

    codes = set(grids["code"])
    overrides = {
        r.key: by_id[r.warden_id]
        for r in this.itertuples()
        if r.is_override and r.warden_id in by_id and r.key in codes
    }
    affinity = redraw_affinity(old_ew, new_eg) if len(old_ew) else None
    has_base = wardens.geometry.notna().any()
    w_in = wardens if has_base else pd.DataFrame(wardens.drop(columns="geometry"))
    plan = balance_wardens(
        grids,
        w_in,
        overrides=overrides or None,
        seed=seed,
        affinity=affinity,
        metric_crs=metric_crs,
    )
    return _keep_current_if_as_good(plan, this, by_id, wardens, grids), overrides


def _write(conn, plan, this, open_rows, by_id, version_id, street, today):
    """Close and open ``grid_warden`` rows so ``plan`` holds from ``today``;
    return (rows opened, rows closed)."""
    from gridwatch.assign.dating import diff_assignments

    ids = {u: i for i, u in by_id.items()}
    auto = plan[~plan["is_override"] & plan["warden"].notna()]
    current = this[~this["is_override"].astype(bool)]
    hist_now = pd.DataFrame(
        {
            "key": current["key"],
            "value": current["warden_id"].map(by_id),
            "valid_from": current["valid_from"],
            "valid_to": None,
        }
    )
    new = pd.Series(auto["warden"].to_numpy(), index=auto["grid_code"].to_numpy())
    to_close, to_open = diff_assignments(hist_now, new, today)
    close_ids = list(current[current["key"].isin(to_close)]["id"])
    # rows of other versions end when this version's wardens take over
    other = open_rows[open_rows["version_id"] != version_id]
    if street is not None:
        other = other[within_mask(other["key"], street)]
    close_ids += list(other["id"])
    n_closed = close_rows(conn, GridWarden, close_ids, today)
    _end_stale_deputies(conn, version_id, street, today)
    if len(to_open):
        bulk_insert(
            conn,
            "grid_warden",
            pd.DataFrame(
                {
                    "version_id": version_id,
                    "grid_code": to_open["key"].to_numpy(),
                    "warden_id": [ids[w] for w in to_open["value"]],
                    "role": "responsible",
                    "valid_from": list(to_open["valid_from"]),
                    "valid_to": None,
                    "is_override": False,
                }
            ),
        )
    return len(to_open), n_closed


def _end_stale_deputies(conn, version_id: int, street: str | None, today) -> None:
    """Deputies of grids of other versions end with them."""
    stale = sa.update(GridWarden).where(
        GridWarden.role == "deputy",
        GridWarden.version_id != version_id,
        GridWarden.valid_to.is_(None),
    )
    if street:
        stale = stale.where(code_within(GridWarden.grid_code, street))
    conn.execute(stale.values(valid_to=today))


def assign_wardens_session(
    session: Session,
    ctx: Context,
    version_id: int,
    street: str | None = None,
    today: dt.date | None = None,
    seed: int = 0,
) -> dict:
    """Give each grid of ``version_id`` a responsible warden inside ``session``'s
    transaction, keeping overrides and keeping wardens on the ground they know."""
    today = today or _today()
    conn = session.connection()
    grids, wardens = _inputs(conn, version_id, street)
    rows = _responsible_rows(conn)
    open_rows = rows[rows["valid_to"].isna()]
    this = open_rows[open_rows["version_id"] == version_id]
    by_id = dict(zip(wardens["id"], wardens["username"]))
    old_ew = previous_enterprise_wardens(conn, street)
    new_eg = enterprise_grids_on(conn, version_id, today)
    plan, overrides = _plan(
        grids, wardens, this, by_id, old_ew, new_eg, seed, ctx.settings.metric_crs
    )
    opened, closed = _write(
        conn, plan, this, open_rows, by_id, version_id, street, today
    )
    record(
        session,
        "assign",
        "grid_warden",
        str(version_id),
        None,
        {"opened": opened, "closed": closed},
    )
    new_ew = new_eg.map(dict(zip(plan["grid_code"], plan["warden"]))).dropna()
    return {
        "version": version_id,
        "grids": len(grids),
        "wardens": len(wardens),
        "overrides_kept": len(overrides),
        "rows_opened": opened,
        "rows_closed": closed,
        "unstaffed_grids": plan[plan["warden"].isna()]["grid_code"].tolist(),
        **_churn_report(old_ew, new_ew),
        **_balance_report(plan, grids),
    }


def _churn_report(old_ew: pd.Series, new_ew: pd.Series) -> dict:
    """``churn`` (share of enterprises whose warden changed, 0..1): of the
    ``churn_compared`` enterprises that had a warden before and have one now,
    ``churn_changed`` got another; None only when none had a warden before (a
    first assignment)."""
    from gridwatch.assign.wardens import churn

    common = old_ew.index.intersection(new_ew.index)
    changed = int((old_ew[common] != new_ew[common]).sum())
    return {
        "churn": round(float(churn(old_ew[common], new_ew[common])), 4)
        if len(common)
        else None,
        "churn_compared": len(common),
        "churn_changed": changed,
    }


def _balance_report(plan: pd.DataFrame, grids: pd.DataFrame) -> dict:
    ratio = _load_ratio(plan, grids)
    return {
        "workload_max_over_mean": round(float(ratio.max()), 3) if len(ratio) else None,
        "workload_min_over_mean": round(float(ratio.min()), 3) if len(ratio) else None,
    }


def _load_ratio(plan: pd.DataFrame, grids: pd.DataFrame) -> pd.Series:
    """Each warden's workload over the mean of their street (empty if no wardens)."""
    from gridwatch.assign.wardens import workload_summary

    summ = workload_summary(plan, grids)
    if summ.empty:
        return pd.Series(dtype=float)
    return summ["workload"] / summ.groupby("street")["workload"].transform("mean")


def _spread(plan: pd.DataFrame, grids: pd.DataFrame) -> float:
    ratio = _load_ratio(plan, grids)
    return float(ratio.max() - ratio.min()) if len(ratio) else 0.0


def _keep_current_if_as_good(plan, this, by_id, wardens, grids) -> pd.DataFrame:
    """Keep the wardens' current grids when the new plan is no better balanced.

    The balancer is a heuristic; re-running it on unchanged data must not move
    wardens around for nothing (and must write nothing).
    """
    if this.empty:
        return plan
    current = dict(zip(this["key"], this["warden_id"].map(by_id)))
    streets = dict(zip(wardens["username"], wardens["street_code"]))
    if set(current) != set(plan["grid_code"]) or any(
        w is None or not is_within(code, streets.get(w, ""))
        for code, w in current.items()
    ):
        return plan
    kept = plan.assign(
        warden=[
            current[c] if not o else w
            for c, w, o in zip(plan["grid_code"], plan["warden"], plan["is_override"])
        ]
    )
    if _spread(kept, grids) <= _spread(plan, grids) + 0.05:
        return kept
    return plan


def assign_wardens(
    ctx: Context,
    actor: Actor,
    street: str | None = None,
    version_id: int | None = None,
    today: dt.date | None = None,
) -> dict:
    """Give each grid of a version (one street's, or all) a responsible warden.

    Returns
    -------
    dict
        ``version, grids, wardens, overrides_kept, rows_opened, rows_closed,
        unstaffed_grids, churn, churn_compared, workload_max_over_mean,
        workload_min_over_mean`` (see :func:`_churn_report`).
    """
    from gridwatch.services.grids import resolve_version

    street = street_scope(actor, street, "Assigning wardens")
    vid = resolve_version(ctx, version_id)
    with ctx.transaction(actor) as s:
        return assign_wardens_session(s, ctx, vid, street, today)
