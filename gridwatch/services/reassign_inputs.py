"""What a reassignment needs besides the proposal: the street acted on,
and the carrying over of other streets' wardens to a newly activated version."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import shapely
import sqlalchemy as sa

from gridwatch.db.models import GridWarden
from gridwatch.db.queries import bulk_insert
from gridwatch.errors import InvalidInputError, PermissionDeniedError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.grids import version_grids


def street_of_actor(actor: Actor, street: str | None, what: str) -> str:
    """The street acted on: a street office's own (another is refused); admins
    and the command line name one."""
    require_role(actor, "street_office", "admin", action=what)
    if actor.role == "street_office":
        if street not in (None, actor.scope_code):
            raise PermissionDeniedError(
                f"{what} is limited to your own street ({actor.scope_code}), "
                f"not {street}.",
                details={"scope": actor.scope_code, "street": street},
            )
        return actor.scope_code
    if not street:
        raise InvalidInputError(
            f"{what} works on one street at a time; name its 9-digit code.",
            details={"hint": "--street CODE"},
        )
    return street


def carry_over_wardens(conn, vid: int, street: str, today: dt.date) -> dict:
    """Move other streets' open grid → warden rows to version ``vid`` where their
    grid is the same in ``vid`` (same code, equal polygon): the old row closes on
    ``today``, an identical one opens in ``vid``. Rows whose grid changed or is
    gone stay as they are (that street reassigns its own). Returns
    ``{"rows": moved, "left": not moved}``."""
    gw = GridWarden
    rows = pd.DataFrame(
        conn.execute(
            sa.select(
                gw.id,
                gw.version_id,
                gw.grid_code,
                gw.warden_id,
                gw.role,
                gw.is_override,
            ).where(
                gw.valid_to.is_(None),
                gw.version_id != vid,
                sa.not_(gw.grid_code.startswith(street, autoescape=True)),
            )
        ).all(),
        columns=["id", "version_id", "grid_code", "warden_id", "role", "is_override"],
    )
    if rows.empty:
        return {"rows": 0, "left": 0}
    new = version_grids(conn, vid)
    new_geom = dict(zip(new["code"], new.geometry))
    same = []
    for old_vid, part in rows.groupby("version_id"):
        old = version_grids(conn, int(old_vid), _codes_clause(part["grid_code"]))
        old_geom = dict(zip(old["code"], old.geometry))
        for r in part.itertuples():
            a, b = new_geom.get(r.grid_code), old_geom.get(r.grid_code)
            if a is not None and b is not None and shapely.equals(a, b):
                same.append(r)
    moved = pd.DataFrame(same, columns=["Index", *rows.columns])
    ids = moved["id"].astype(int).tolist()
    for start in range(0, len(ids), 900):
        conn.execute(
            sa.update(gw)
            .where(gw.id.in_(ids[start : start + 900]))
            .values(valid_to=today)
        )
    bulk_insert(
        conn,
        "grid_warden",
        pd.DataFrame(
            {
                "version_id": vid,
                "grid_code": moved["grid_code"].to_numpy(),
                "warden_id": moved["warden_id"].astype(int).to_numpy(),
                "role": moved["role"].to_numpy(),
                "valid_from": today,
                "valid_to": None,
                "is_override": moved["is_override"].astype(bool).to_numpy(),
            }
        ),
    )
    return {"rows": len(ids), "left": len(rows) - len(ids)}


def _codes_clause(codes):
    from gridwatch.db.models import Grid

    return Grid.code.in_(sorted(set(codes)))
