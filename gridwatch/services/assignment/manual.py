"""Use cases: a person chooses a grid's responsible warden (override) or deputies.

Both write effective-dated ``grid_warden`` rows marked ``is_override``, which the
automatic assignment (:mod:`gridwatch.services.assignment.wardens`) never moves.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models import Grid, GridWarden, User, Warden
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.grids.codes import town_of
from gridwatch.services.actor import Actor
from gridwatch.services.assignment.common import street_scope
from gridwatch.services.context import Context
from gridwatch.timeutil import today as _today


def _warden_for_grid(s: Session, username: str, grid_code: str, vid: int) -> Warden:
    """The warden ``username``, checked to serve the street of a grid of ``vid``."""
    warden = s.execute(
        sa.select(Warden)
        .join(User, User.id == Warden.user_id)
        .where(User.username == username)
    ).scalar()
    if warden is None:
        raise NotFoundError(
            f"No warden called {username}; list the wardens to pick one.",
            details={"hint": "gridwatch wardens list"},
        )
    if town_of(grid_code) != warden.street_code:
        raise InvalidInputError(
            f"Warden {username} works for street "
            f"{warden.street_code}, not for grid {grid_code}."
        )
    exists = s.execute(
        sa.select(Grid.id).where(Grid.version_id == vid, Grid.code == grid_code)
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
    """Make ``username`` the responsible warden of ``grid_code`` (active version)
    by hand; automatic runs keep it."""
    from gridwatch.services.grids import resolve_version

    street_scope(actor, town_of(grid_code), "Choosing a grid's warden")
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

    street_scope(actor, town_of(grid_code), "Choosing a grid's deputy")
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
