"""The reassignment proposal: its inputs (the street's grids, wardens, current
rows, where the enterprises fall), the plan the balancer makes, and the figures
shown before anything is written (:mod:`gridwatch.services.reassign`)."""

from __future__ import annotations

import hashlib
import json

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models import Enterprise, EnterpriseGrid, GridWarden, User, Warden
from gridwatch.db.queries import read_frame, wkb
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.assignment import previous_enterprise_wardens
from gridwatch.services.context import Context
from gridwatch.services.grids import version_grids


def street_wardens(conn, street: str) -> gpd.GeoDataFrame:
    """Active wardens of ``street``: id, username, full_name, street_code, base."""
    stmt = (
        sa.select(
            Warden.id,
            User.username,
            User.full_name,
            Warden.street_code,
            wkb(Warden.base),
        )
        .join(User, User.id == Warden.user_id)
        .where(User.is_active.is_(True), Warden.street_code == street)
        .order_by(User.username)
    )
    return read_frame(conn, stmt)


def street_grids(conn, vid: int, street: str) -> gpd.GeoDataFrame:
    grids = version_grids(conn, vid)
    grids = grids[grids["code"].str.startswith(street)].reset_index(drop=True)
    if grids.empty:
        raise NotFoundError(f"Grid version {vid} has no grid in street {street}.")
    return grids


def open_rows(conn, vid: int, street: str) -> pd.DataFrame:
    """Open responsible rows of version ``vid`` in the street."""
    gw = GridWarden
    rows = conn.execute(
        sa.select(gw.id, gw.grid_code, gw.warden_id, gw.is_override).where(
            gw.version_id == vid,
            gw.role == "responsible",
            gw.valid_to.is_(None),
            gw.grid_code.startswith(street, autoescape=True),
        )
    ).all()
    return pd.DataFrame(rows, columns=["id", "key", "warden_id", "is_override"])


def located(ctx: Context, conn, vid: int, street: str) -> pd.Series:
    """uscc → grid code of the street's enterprises under ``vid``, as the
    assignment will write it: points located in memory, except enterprises whose
    open row was set by hand (kept where they are, as assign_session does)."""
    from gridwatch.services.assignment import locate_enterprises

    located = locate_enterprises(ctx, conn, vid, "memory")[1]
    located = located[located["grid_code"].notna()]
    eg = EnterpriseGrid
    manual = conn.execute(
        sa.select(Enterprise.uscc, eg.version_id, eg.grid_code)
        .join(eg, eg.enterprise_id == Enterprise.id)
        .where(eg.valid_to.is_(None), eg.is_manual.is_(True))
    ).all()
    by_hand = {r.uscc: (r.version_id, r.grid_code) for r in manual}
    out = {
        u: c for u, c in zip(located["uscc"], located["grid_code"]) if u not in by_hand
    }
    out.update({u: c for u, (v, c) in by_hand.items() if v == vid})
    s = pd.Series(out, dtype=object)
    return s[s.str.startswith(street)] if len(s) else s


def check_pins(pins: dict | None, grids, wardens) -> dict[str, str]:
    pins = {str(k): str(v) for k, v in (pins or {}).items() if v}
    codes, users = set(grids["code"]), set(wardens["username"])
    for code, user in pins.items():
        if code not in codes:
            raise InvalidInputError(f"Grid {code} is not one of this street's grids.")
        if user not in users:
            raise InvalidInputError(
                f"{user} is not an active warden of this street; choose one of the "
                "listed wardens."
            )
    return pins


def proposal(ctx, conn, vid, street, pins, today, seed=0):
    """The inputs and the plan ``assign_wardens_session`` would make."""
    grids = street_grids(conn, vid, street)
    wardens = street_wardens(conn, street)
    pins = check_pins(pins, grids, wardens)
    if wardens.empty:  # shown as every grid unstaffed; confirming is refused
        plan = pd.DataFrame(
            {"grid_code": grids["code"], "warden": None, "is_override": False}
        )
        return grids, wardens, plan, located(ctx, conn, vid, street), pins
    by_id = dict(zip(wardens["id"], wardens["username"]))
    ids = {u: i for i, u in by_id.items()}
    this = open_rows(conn, vid, street)
    # pinned grids: their open rows close and an override opens (as set_override)
    this = this[~this["key"].isin(pins)]
    this = pd.concat(
        [
            this,
            pd.DataFrame(
                {
                    "id": -1,
                    "key": list(pins),
                    "warden_id": [ids[u] for u in pins.values()],
                    "is_override": True,
                }
            ),
        ],
        ignore_index=True,
    )
    new_eg = located(ctx, conn, vid, street)
    old_ew = previous_enterprise_wardens(conn, street)
    plan = _session_plan(ctx, grids, wardens, this, by_id, old_ew, new_eg, seed)
    return grids, wardens, plan, new_eg, pins


def _session_plan(ctx, grids, wardens, this, by_id, old_ew, new_eg, seed):
    """The plan ``assign_wardens_session`` makes from these inputs: its own
    planning step, so what is previewed is what the session writes
    (:func:`~gridwatch.services.reassign.confirm_wardens` checks the written
    rows against this plan's digest)."""
    from gridwatch.services.assignment.wardens import _plan

    metric = ctx.settings.metric_crs
    return _plan(grids, wardens, this, by_id, old_ew, new_eg, seed, metric)[0]


def digest_of(vid: int, mapping: dict[str, str | None]) -> str:
    """A short fingerprint of a grid → warden mapping of one version."""
    text = json.dumps([vid, sorted(mapping.items())], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def weights_of(conn, ctx, usccs) -> pd.Series:
    rows = (
        conn.execute(
            sa.select(Enterprise.uscc, Enterprise.risk_level).where(
                Enterprise.uscc.in_(list(usccs))
            )
        ).all()
        if len(usccs)
        else []
    )
    w = ctx.settings.risk_weights
    return pd.Series({r.uscc: float(w.get(r.risk_level, 1.0)) for r in rows})


def proposal_report(conn, ctx, vid, status, grids, wardens, plan, new_eg, pins, street):
    """The preview's figures (see :func:`preview_wardens`)."""
    now_ew = previous_enterprise_wardens(conn, street)
    new_ew = new_eg.map(dict(zip(plan["grid_code"], plan["warden"]))).dropna()
    weight = weights_of(conn, ctx, set(now_ew.index) | set(new_ew.index))
    common = now_ew.index.intersection(new_ew.index)
    changed = common[(now_ew[common] != new_ew[common]).to_numpy()]
    names = dict(zip(wardens["username"], wardens["full_name"]))
    per_warden = []
    for user in wardens["username"]:
        before = now_ew[now_ew == user].index
        after = new_ew[new_ew == user].index
        per_warden.append(
            {
                "warden": user,
                "name": names.get(user),
                "grids_after": int((plan["warden"] == user).sum()),
                "enterprises_before": len(before),
                "enterprises_after": len(after),
                "workload_before": round(float(weight.reindex(before).sum()), 1),
                "workload_after": round(float(weight.reindex(after).sum()), 1),
                "enterprises_changing": int(
                    len(after.intersection(changed)) + len(before.intersection(changed))
                ),
            }
        )
    loads = [w["workload_after"] for w in per_warden if w["grids_after"]]
    mean = sum(loads) / len(loads) if loads else 0.0
    current_of = grid_current_warden(now_ew, new_eg)
    proposed = dict(zip(plan["grid_code"], plan["warden"]))
    override = dict(zip(plan["grid_code"], plan["is_override"]))
    rows = [
        {
            "grid_code": r.code,
            "parent_code": r.parent_code,
            "workload": round(float(r.workload), 1),
            "n_enterprises": int(r.n_enterprises),
            "current": current_of.get(r.code),
            "proposed": proposed.get(r.code),
            "is_override": bool(override.get(r.code, False)),
            "is_pinned": r.code in pins,
        }
        for r in grids.itertuples()
    ]
    mapping = {r["grid_code"]: r["proposed"] for r in rows}
    return {
        "version": vid,
        "version_status": status,
        "street": street,
        "grids": rows,
        "wardens": per_warden,
        "churn": round(len(changed) / len(common), 4) if len(common) else None,
        "churn_changed": len(changed),
        "churn_compared": len(common),
        "unstaffed_grids": [c for c, w in mapping.items() if w is None],
        "workload_max_over_mean": round(max(loads) / mean, 3) if mean else None,
        "workload_min_over_mean": round(min(loads) / mean, 3) if mean else None,
        "pins": pins,
        "has_wardens": not wardens.empty,
        "digest": digest_of(vid, mapping),
    }


def grid_current_warden(now_ew: pd.Series, new_eg: pd.Series) -> dict:
    """Per new grid: the warden who now holds most of its enterprises."""
    both = pd.DataFrame({"grid": new_eg, "warden": now_ew.reindex(new_eg.index)})
    both = both.dropna()
    if both.empty:
        return {}
    top = both.groupby(["grid", "warden"]).size().reset_index(name="n")
    top = top.sort_values(["grid", "n", "warden"], ascending=[True, False, True])
    return dict(zip(top.drop_duplicates("grid")["grid"], top["warden"]))
