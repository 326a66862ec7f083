"""The demo build's steps, each through the use case a bureau's data would take.

Each step takes ``tx``, a :class:`~gridwatch.services.demo.pipeline.SharedTransaction`
context whose ``transaction()`` is the build's one open transaction, so the
context-level use cases (``upsert_admin_units``, ``replace_gazetteer``,
``add_user``) run unchanged, with their own checks and audit entries, inside it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models import Base, Enterprise, User, Warden
from gridwatch.db.queries import bulk_insert, read_frame, wkb
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context

#: where the demo's boundaries come from (recorded on every admin unit)
SOURCE = "demo (gridwatch/data/geodata/README.md)"
#: demo accounts that get a password printed; the other wardens get theirs from an
#: admin ('gridwatch users set-password'), as a real office would hand them out
LOGIN_ROLES = ("admin", "bureau", "street_office")
SAMPLE_WARDENS_PER_STREET = 1
GRIDS_PER_COMMUNITY = 4


def wipe(conn) -> None:
    """Empty every table (the demo replaces the whole database)."""
    for table in reversed(Base.metadata.sorted_tables):
        conn.execute(sa.delete(table))


def load_boundaries(tx: Context, actor: Actor, d) -> dict[str, dict]:
    """District, towns and communities through ``upsert_admin_units``."""
    from gridwatch.services.admin import upsert_admin_units

    return {
        level: upsert_admin_units(tx, actor, frame, level, SOURCE)
        for level, frame in (
            ("district", d.district),
            ("town", d.towns),
            ("community", d.communities),
        )
    }


def load_gazetteer(tx: Context, actor: Actor, d) -> dict[str, int]:
    """The generated standard-address gazetteer through ``replace_gazetteer``."""
    from gridwatch.services.admin import replace_gazetteer

    return replace_gazetteer(tx, actor, d.roads, d.address_points, source=SOURCE)


def create_accounts(tx: Context, actor: Actor, conn, d) -> list[dict]:
    """Accounts: those that get a password through ``add_user``; the password-less
    wardens in bulk. Returns the logins shown once (role, username, password).

    Why the bulk path: ``add_user`` always sets a usable password, hashed with
    scrypt (about 0.35 s each on the 2-core test machine), so the ~200 wardens of
    the 9,000-enterprise demo would add over a minute; the wardens who get no
    password are given the unusable hash an account without a password has.
    """
    from gridwatch.services.users import UNUSABLE, add_user

    users, wardens = d.users, d.wardens
    sample = set(
        wardens.sort_values("username")
        .groupby("street_code")["username"]
        .head(SAMPLE_WARDENS_PER_STREET)
    )
    logins = users["role"].isin(LOGIN_ROLES) | users["username"].isin(sample)
    shown = []
    for u in users[logins].itertuples(index=False):
        add_user(
            tx,
            actor,
            u.username,
            u.full_name,
            u.role,
            u.scope_code,
            u.password,
            must_change=False,  # demo logins are printed for a tour, not handed out
        )
        shown.append(
            {
                "username": u.username,
                "role": u.role,
                "scope": u.scope_code,
                "password": u.password,
            }
        )
    _bulk_accounts(conn, users[~logins], UNUSABLE)
    _warden_details(conn, wardens)
    return shown


def _bulk_accounts(conn, users: pd.DataFrame, unusable: str) -> None:
    """Password-less accounts (and their warden rows) in two inserts."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    bulk_insert(
        conn,
        "users",
        pd.DataFrame(
            {
                "username": users["username"].to_numpy(),
                "full_name": users["full_name"].to_numpy(),
                "role": users["role"].to_numpy(),
                "scope_code": users["scope_code"].to_numpy(),
                "is_active": True,
                "password_hash": unusable,
                "created_at": now,
            }
        ),
    )
    ids = dict(conn.execute(sa.select(User.username, User.id)).all())
    wardens = users[users["role"] == "warden"]
    bulk_insert(
        conn,
        "wardens",
        pd.DataFrame(
            {
                "user_id": wardens["username"].map(ids).to_numpy(),
                "street_code": wardens["scope_code"].astype(str).to_numpy(),
            }
        ),
    )


def _warden_details(conn, wardens: pd.DataFrame) -> None:
    """Every warden's phone (no use case sets it: the registry of staff is the
    street office's, outside gridwatch)."""
    ids = dict(conn.execute(sa.select(User.username, User.id)).all())
    tbl = Warden.__table__
    conn.execute(
        tbl.update()
        .where(tbl.c.user_id == sa.bindparam("b_user"))
        .values(phone=sa.bindparam("v_phone")),
        [
            {"b_user": ids[u], "v_phone": str(p)}
            for u, p in zip(wardens["username"], wardens["phone"])
        ],
    )


def _registry_rows(enterprises: pd.DataFrame):
    """The generated registry as raw rows, as read from a file, for the validator."""
    from gridwatch.services.enterprises import DATA_FIELDS

    cols = ["uscc", *DATA_FIELDS, "lng", "lat", "datum"]
    for i, rec in enumerate(enterprises[cols].itertuples(index=False), start=2):
        raw = {
            k: v
            for k, v in zip(cols, rec)
            if v is not None and not (isinstance(v, float) and pd.isna(v))
        }
        yield i, raw


def import_registry(session, d) -> dict:
    """The registry rows through the import validator and ``upsert_enterprises``."""
    from gridwatch.registry.validate import ImportSummary, validate_rows
    from gridwatch.services.enterprises import upsert_enterprises

    imp = ImportSummary()
    outline = d.district.geometry.iloc[0]
    rows = validate_rows(_registry_rows(d.enterprises), imp, outline)
    upsert_enterprises(session, [r for _n, r, _rej in rows if r])
    out = imp.to_dict()
    out["rejects"] = [
        {"row": r.row, "field": r.field, "value": r.value, "reason": r.reason}
        for r in imp.rejects[:20]
    ]
    return out


def geocode(session, d) -> dict:
    """Offline geocoding against the generated gazetteer; town/community codes."""
    from gridwatch.geocode import Gazetteer
    from gridwatch.services.geocoding import fill_admin_codes, geocode_session

    gaz = Gazetteer.build(
        d.address_points,
        d.roads,
        d.towns,
        d.communities,
        district=d.district.geometry.iloc[0],
    )
    out = geocode_session(session, gaz, "missing")
    fill_admin_codes(session.connection(), session.info["acting"], d.communities)
    return out


def balanced_grids(session, ctx: Context, d, seed: int) -> dict:
    """About :data:`GRIDS_PER_COMMUNITY` balanced grids per community, activated."""
    from gridwatch.grids import build_grids
    from gridwatch.services.grids import activate_session, store_version

    conn = session.connection()
    ents = read_frame(
        conn,
        sa.select(Enterprise.uscc, Enterprise.risk_level, wkb(Enterprise.geom)).where(
            Enterprise.geom.isnot(None)
        ),
    )
    weights = ctx.settings.risk_weights
    total = float(ents["risk_level"].map(weights).fillna(1.0).sum())
    target = total / (GRIDS_PER_COMMUNITY * len(d.communities))
    grids, report = build_grids(
        d.communities,
        ents,
        method="balanced",
        target_workload=target,
        weights=weights,
        seed=seed,
        metric_crs=ctx.settings.metric_crs,
    )
    params = {"target_workload": round(target, 2), "within": "community"}
    vid = store_version(
        session,
        grids,
        "balanced",
        {**params, "weights": weights},
        label="示范区网格 demo grids",
    )
    activate_session(session, vid)
    return {
        "version": vid,
        "count": len(grids),
        "target_workload": params["target_workload"],
        "outside_tolerance": len(report.issues),
    }


def assign(session, ctx: Context, vid: int, on: dt.date, seed: int):
    """Enterprise → grid and grid → warden from ``on``; (assign, wardens) summaries."""
    from gridwatch.services.assignment import assign_session, assign_wardens_session

    result = assign_session(session, ctx, vid, on)
    short = {
        k: (len(v) if isinstance(v, list) else v)
        for k, v in result.items()
        if k != "imprecise_list"
    }
    return short, assign_wardens_session(session, ctx, vid, None, on, seed=seed)
