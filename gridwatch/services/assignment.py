"""Enterprise → grid and grid → warden assignment as effective-dated rows.

Rows hold on ``valid_from <= day < valid_to`` (``gridwatch.assign.dating``); re-running
on unchanged data writes nothing; manual rows (``is_manual`` / ``is_override``) win.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models import Enterprise, EnterpriseGrid, GridWarden, User, Warden
from gridwatch.db.queries import bulk_insert, effective_on, read_frame, wkb
from gridwatch.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from gridwatch.grids.codes import town_of
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.audit import record
from gridwatch.services.context import Context
from gridwatch.services.grids import version_grids
from gridwatch.services.scope import enterprise_clause
from gridwatch.timeutil import today as _today


def grid_index(ctx: Context, version_id: int, grids: gpd.GeoDataFrame):
    """The point index of a grid version, cached on disk per version + fingerprint."""
    from gridwatch.assign.points import GridIndex, build_index, grids_fingerprint

    fp = grids_fingerprint(grids["code"].to_numpy(), grids.geometry.to_numpy())
    cache = (
        Path(ctx.settings.data_dir)
        / "cache"
        / f"grid-index-v{version_id}-{fp[:16]}.npz"
    )
    if cache.exists():
        try:
            return GridIndex.from_bytes(cache.read_bytes(), expected_fingerprint=fp)
        except InvalidInputError:
            cache.unlink(missing_ok=True)
    index = build_index(grids)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_bytes(index.to_bytes())
        tmp.replace(cache)
    except OSError:
        pass  # a cache is an optimisation; a read-only data dir still works
    return index


def _history(conn, model, key_col, value_cols, where) -> pd.DataFrame:
    rows = conn.execute(
        sa.select(
            model.id,
            key_col.label("key"),
            *value_cols,
            model.valid_from,
            model.valid_to,
        ).where(*where)
    ).all()
    return pd.DataFrame(
        rows,
        columns=["id", "key", *[c.key for c in value_cols], "valid_from", "valid_to"],
    )


def locate_enterprises(ctx: Context, conn, version_id: int, path: str = "memory"):
    """Grid of every enterprise under ``version_id``, by either path.

    ``memory``: the cached in-process index (any backend). ``sql``: PostGIS
    ``ST_Covers`` with its GiST index. Both apply the same rule (see
    :mod:`gridwatch.assign.points`) and return the same frame: uscc, grid_code,
    status, n_covering, nearest_code, distance_m, precision, enterprise_id.
    """
    ents = read_frame(
        conn,
        sa.select(
            Enterprise.id,
            Enterprise.uscc,
            Enterprise.name,
            Enterprise.precision,
            wkb(Enterprise.geom),
        ).order_by(Enterprise.id),
    )
    if path == "sql":
        result = _locate_sql(conn, version_id, ents)
    elif path == "memory":
        from gridwatch.assign.points import assign_enterprises

        grids = version_grids(conn, version_id)
        if grids.empty:
            raise NotFoundError(f"Grid version {version_id} has no grids.")
        result = assign_enterprises(ents, grid_index(ctx, version_id, grids))
    else:
        raise InvalidInputError(f"Unknown assignment path {path!r}; use memory or sql.")
    result["enterprise_id"] = ents["id"].to_numpy()
    return ents, result


def _locate_sql(conn, version_id: int, ents) -> pd.DataFrame:
    from gridwatch.assign.sql import covers_join_sql, nearest_grid_sql

    if conn.dialect.name != "postgresql":
        raise InvalidInputError(
            "The SQL assignment path needs PostGIS; on SpatiaLite "
            "use the default in-memory path."
        )
    vf = "g.version_id = :version"
    joined = conn.execute(
        sa.text(
            covers_join_sql("enterprises", "grids", version_filter=vf, with_count=True)
        ),
        {"version": version_id},
    ).all()
    covered = {r.id: r.code for r in joined}
    n_cover = {r.id: r.n_covering for r in joined}
    near = {
        r.id: (r.code, r.distance_m)
        for r in conn.execute(
            sa.text(nearest_grid_sql("enterprises", "grids", version_filter=vf)),
            {"version": version_id},
        )
    }
    rows = []
    for eid, uscc, prec in zip(ents["id"], ents["uscc"], ents["precision"]):
        if eid in covered:
            rows.append((uscc, covered[eid], "inside", n_cover[eid], None, 0.0, prec))
        elif eid in near:
            code, dist = near[eid]
            rows.append((uscc, None, "outside", 0, code, float(dist), prec))
        else:
            rows.append((uscc, None, "no_location", 0, None, float("nan"), prec))
    return pd.DataFrame(
        rows,
        columns=[
            "uscc",
            "grid_code",
            "status",
            "n_covering",
            "nearest_code",
            "distance_m",
            "precision",
        ],
    )


def assign_session(
    session: Session,
    ctx: Context,
    version_id: int,
    today: dt.date | None = None,
    path: str = "memory",
) -> dict:
    """Assign every located enterprise to a grid of ``version_id``; report the rest."""
    from gridwatch.assign.dating import diff_assignments

    today = today or _today()
    conn = session.connection()
    ents, result = locate_enterprises(ctx, conn, version_id, path)
    hist = _history(
        conn,
        EnterpriseGrid,
        EnterpriseGrid.enterprise_id,
        [EnterpriseGrid.version_id, EnterpriseGrid.grid_code, EnterpriseGrid.is_manual],
        [],
    )
    manual = hist[hist["valid_to"].isna() & hist["is_manual"].astype(bool)]
    hist["value"] = hist["version_id"].astype(str) + ":" + hist["grid_code"].astype(str)
    assigned = result[result["grid_code"].notna()]
    new = pd.Series(
        (f"{version_id}:{c}" for c in assigned["grid_code"]),
        index=assigned["enterprise_id"].to_numpy(),
        dtype=object,
    )
    keep_manual = set(manual["key"])
    new = new[~new.index.isin(keep_manual)]
    auto_hist = hist[~hist["key"].isin(keep_manual)]
    to_close, to_open = diff_assignments(
        auto_hist[["key", "value", "valid_from", "valid_to"]], new, today
    )
    if len(to_close):
        ids = auto_hist[auto_hist["key"].isin(to_close) & auto_hist["valid_to"].isna()][
            "id"
        ]
        for start in range(0, len(ids), 900):
            conn.execute(
                sa.update(EnterpriseGrid)
                .where(EnterpriseGrid.id.in_(ids.iloc[start : start + 900].tolist()))
                .values(valid_to=today)
            )
    if len(to_open):
        parts = to_open["value"].str.split(":", n=1, expand=True)
        bulk_insert(
            conn,
            "enterprise_grid",
            pd.DataFrame(
                {
                    "enterprise_id": to_open["key"].astype(int).to_numpy(),
                    "version_id": parts[0].astype(int).to_numpy(),
                    "grid_code": parts[1].to_numpy(),
                    "valid_from": [
                        to_open["valid_from"].iloc[i] for i in range(len(to_open))
                    ],
                    "valid_to": None,
                    "is_manual": False,
                }
            ),
        )
    if len(to_close) or len(to_open):
        record(
            session,
            "assign",
            "enterprise_grid",
            str(version_id),
            None,
            {"opened": len(to_open), "closed": len(to_close)},
        )
    outside = result[(result["status"] == "outside")]
    no_loc = result[(result["status"] == "no_location")]
    names = dict(zip(ents["uscc"], ents["name"]))
    return {
        "version": version_id,
        "path": path,
        "enterprises": len(result),
        "assigned": len(assigned),
        "manual_kept": len(keep_manual),
        "rows_opened": len(to_open),
        "rows_closed": len(to_close),
        "on_edge": int((result["n_covering"] > 1).sum()),
        "outside": [
            {
                "uscc": r.uscc,
                "name": names.get(r.uscc),
                "nearest_grid": r.nearest_code,
                "distance_m": round(float(r.distance_m), 1),
            }
            for r in outside.itertuples()
        ],
        "no_location": [
            {"uscc": r.uscc, "name": names.get(r.uscc), "precision": r.precision}
            for r in no_loc.itertuples()
        ],
    }


def assign_enterprises_to_grids(
    ctx: Context,
    actor: Actor,
    version_id: int | None = None,
    today: dt.date | None = None,
    path: str = "memory",
) -> dict:
    """Assign every located enterprise of the district to a grid of a version."""
    from gridwatch.services.grids import resolve_version

    require_role(actor, "admin", action="Assigning enterprises to grids")
    vid = resolve_version(ctx, version_id)
    with ctx.transaction(actor) as s:
        return assign_session(s, ctx, vid, today, path)


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


def assign_wardens_session(
    session: Session,
    ctx: Context,
    version_id: int,
    street: str | None = None,
    today: dt.date | None = None,
    seed: int = 0,
) -> dict:
    """Give each grid of ``version_id`` a responsible warden, keeping overrides and
    keeping wardens on the ground they know after a redraw."""
    from gridwatch.assign.dating import diff_assignments
    from gridwatch.assign.wardens import (
        balance_wardens,
        churn,
        redraw_affinity,
    )

    today = today or _today()
    conn = session.connection()
    grids = version_grids(conn, version_id)
    if street:
        grids = grids[grids["code"].str.startswith(street)]
        if grids.empty:
            raise NotFoundError(
                f"No grid of version {version_id} lies in street {street}."
            )
    wardens = _wardens_frame(conn, street)
    if wardens.empty:
        raise InvalidInputError(
            "No active wardens are registered"
            + (f" for street {street}" if street else "")
            + "; add them with 'gridwatch users add --role warden'."
        )
    has_base = wardens.geometry.notna().any()
    w_in = wardens if has_base else pd.DataFrame(wardens.drop(columns="geometry"))
    hist = _history(
        conn,
        GridWarden,
        GridWarden.grid_code,
        [
            GridWarden.version_id,
            GridWarden.warden_id,
            GridWarden.is_override,
            GridWarden.role,
        ],
        [GridWarden.role == "responsible"],
    )
    by_id = dict(zip(wardens["id"], wardens["username"]))
    open_rows = hist[hist["valid_to"].isna()]
    this = open_rows[open_rows["version_id"] == version_id]
    overrides = {
        r.key: by_id[r.warden_id]
        for r in this.itertuples()
        if r.is_override and r.warden_id in by_id and r.key in set(grids["code"])
    }
    # who looked after each enterprise until now, and where those enterprises are now
    old_ew = _enterprise_wardens(conn, today - dt.timedelta(days=1))
    new_eg = _enterprise_grids(conn, version_id, today)
    affinity = redraw_affinity(old_ew, new_eg) if len(old_ew) else None
    plan = balance_wardens(
        grids, w_in, overrides=overrides or None, seed=seed, affinity=affinity
    )
    plan = _keep_current_if_as_good(plan, this, by_id, wardens, grids)
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
    if street is None:
        close_ids += list(open_rows[open_rows["version_id"] != version_id]["id"])
    else:
        other = open_rows[
            (open_rows["version_id"] != version_id)
            & open_rows["key"].str.startswith(street)
        ]
        close_ids += list(other["id"])
    for start in range(0, len(close_ids), 900):
        conn.execute(
            sa.update(GridWarden)
            .where(GridWarden.id.in_(close_ids[start : start + 900]))
            .values(valid_to=today)
        )
    # deputies of grids of other versions end with them
    stale = sa.update(GridWarden).where(
        GridWarden.role == "deputy",
        GridWarden.version_id != version_id,
        GridWarden.valid_to.is_(None),
    )
    if street:
        stale = stale.where(GridWarden.grid_code.startswith(street))
    conn.execute(stale.values(valid_to=today))
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
    new_ew = _enterprise_wardens_from_plan(new_eg, plan)
    ratio = _load_ratio(plan, grids)
    record(
        session,
        "assign",
        "grid_warden",
        str(version_id),
        None,
        {"opened": len(to_open), "closed": len(close_ids)},
    )
    common = old_ew.index.intersection(new_ew.index)
    return {
        "version": version_id,
        "grids": len(grids),
        "wardens": len(wardens),
        "overrides_kept": len(overrides),
        "rows_opened": len(to_open),
        "rows_closed": len(close_ids),
        "unstaffed_grids": plan[plan["warden"].isna()]["grid_code"].tolist(),
        "churn": round(float(churn(old_ew[common], new_ew[common])), 4)
        if len(common)
        else None,
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
        w is None or not code.startswith(streets.get(w, "-"))
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


def _enterprise_grids(conn, version_id: int, on: dt.date) -> pd.Series:
    rows = conn.execute(
        sa.select(Enterprise.uscc, EnterpriseGrid.grid_code)
        .join(Enterprise, Enterprise.id == EnterpriseGrid.enterprise_id)
        .where(
            EnterpriseGrid.version_id == version_id,
            effective_on(EnterpriseGrid, on),
        )
    ).all()
    return pd.Series({r.uscc: r.grid_code for r in rows}, dtype=object)


def _enterprise_wardens(conn, on: dt.date) -> pd.Series:
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


def _enterprise_wardens_from_plan(enterprise_grid: pd.Series, plan: pd.DataFrame):
    by_grid = dict(zip(plan["grid_code"], plan["warden"]))
    return enterprise_grid.map(by_grid).dropna()


def _street_of(actor: Actor, street: str | None, what: str) -> str | None:
    """The street a street office acts on (its own; another is refused)."""
    require_role(actor, "street_office", "admin", action=what)
    if actor.role != "street_office":
        return street
    if street not in (None, actor.scope_code):
        raise PermissionDeniedError(
            f"{what} is limited to your own street ({actor.scope_code}), "
            f"not {street}.",
            details={"scope": actor.scope_code, "street": street},
        )
    return actor.scope_code


def assign_wardens(
    ctx: Context,
    actor: Actor,
    street: str | None = None,
    version_id: int | None = None,
    today: dt.date | None = None,
) -> dict:
    """Give each grid of a version (one street's, or all) a responsible warden."""
    from gridwatch.services.grids import resolve_version

    street = _street_of(actor, street, "Assigning wardens")
    vid = resolve_version(ctx, version_id)
    with ctx.transaction(actor) as s:
        return assign_wardens_session(s, ctx, vid, street, today)


def _warden_for_grid(s: Session, username: str, grid_code: str, vid: int) -> Warden:
    """The warden ``username``, checked to serve the street of a grid of ``vid``."""
    warden = s.execute(
        sa.select(Warden)
        .join(User, User.id == Warden.user_id)
        .where(User.username == username)
    ).scalar()
    if warden is None:
        raise NotFoundError(
            f"No warden called {username}; see 'gridwatch users list --role warden'."
        )
    if not grid_code.startswith(warden.street_code):
        raise InvalidInputError(
            f"Warden {username} works for street "
            f"{warden.street_code}, not for grid {grid_code}."
        )
    exists = s.execute(
        sa.text("SELECT 1 FROM grids WHERE version_id = :v AND code = :c"),
        {"v": vid, "c": grid_code},
    ).scalar()
    if not exists:
        raise NotFoundError(f"Grid {grid_code} is not in the active version {vid}.")
    return warden


def set_override(
    ctx: Context,
    actor: Actor,
    grid_code: str,
    username: str,
    today: dt.date | None = None,
) -> None:
    """Make ``username`` the responsible warden of ``grid_code`` (active version) by hand."""
    from gridwatch.services.grids import resolve_version

    _street_of(actor, town_of(grid_code), "Choosing a grid's warden")
    today = today or _today()
    vid = resolve_version(ctx, None)
    with ctx.transaction(actor) as s:
        warden = _warden_for_grid(s, username, grid_code, vid)
        for row in s.scalars(
            sa.select(GridWarden).where(
                GridWarden.version_id == vid,
                GridWarden.grid_code == grid_code,
                GridWarden.role == "responsible",
                GridWarden.valid_to.is_(None),
            )
        ):
            row.valid_to = today
        s.add(
            GridWarden(
                version_id=vid,
                grid_code=grid_code,
                warden_id=warden.id,
                role="responsible",
                valid_from=today,
                is_override=True,
            )
        )


def set_deputy(
    ctx: Context,
    actor: Actor,
    grid_code: str,
    username: str,
    remove: bool = False,
    today: dt.date | None = None,
) -> None:
    """Add (or end) a deputy warden of ``grid_code`` in the active version."""
    from gridwatch.services.grids import resolve_version

    _street_of(actor, town_of(grid_code), "Choosing a grid's deputy")
    today = today or _today()
    vid = resolve_version(ctx, None)
    with ctx.transaction(actor) as s:
        warden = _warden_for_grid(s, username, grid_code, vid)
        current = s.scalars(
            sa.select(GridWarden).where(
                GridWarden.version_id == vid,
                GridWarden.grid_code == grid_code,
                GridWarden.warden_id == warden.id,
                GridWarden.role == "deputy",
                GridWarden.valid_to.is_(None),
            )
        ).all()
        if remove:
            if not current:
                raise NotFoundError(f"{username} is not a deputy of {grid_code}.")
            for row in current:
                row.valid_to = today
        elif not current:
            s.add(
                GridWarden(
                    version_id=vid,
                    grid_code=grid_code,
                    warden_id=warden.id,
                    role="deputy",
                    valid_from=today,
                    is_override=True,
                )
            )


def responsible_on(ctx: Context, actor: Actor, uscc: str, on: dt.date) -> dict | None:
    """Who was responsible for enterprise ``uscc`` on ``on`` (grid and warden)."""
    eg, gw = EnterpriseGrid, GridWarden
    with ctx.engine.connect() as conn:
        if (
            conn.execute(
                sa.select(Enterprise.id).where(
                    Enterprise.uscc == uscc, enterprise_clause(actor)
                )
            ).scalar()
            is None
        ):
            raise NotFoundError(f"No enterprise in your area has credit code {uscc}.")
        grid = conn.execute(
            sa.select(eg.version_id, eg.grid_code)
            .join(Enterprise, Enterprise.id == eg.enterprise_id)
            .where(Enterprise.uscc == uscc, effective_on(eg, on))
        ).first()
        if grid is None:
            return None
        staff = conn.execute(
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
    warden = next((r for r in staff if r.role == "responsible"), None)
    return {
        "uscc": uscc,
        "date": on.isoformat(),
        "version": grid.version_id,
        "grid_code": grid.grid_code,
        "warden": warden.username if warden else None,
        "warden_name": warden.full_name if warden else None,
        "deputies": [r.username for r in staff if r.role == "deputy"],
    }
