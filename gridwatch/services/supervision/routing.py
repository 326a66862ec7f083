"""Where a public tip-off goes: its grid, that grid's warden that day, or a street.

A point goes to the grid of the active version that covers it, by the SAME rule as
enterprise → grid assignment (:func:`gridwatch.assign.points.assign_points`:
``ST_Covers`` semantics, a point on a shared edge to the smallest code), and to
that grid's responsible warden on the day it was received (the dated
``grid_warden`` rows, :func:`gridwatch.db.queries.effective_on`). An address is
placed by the offline geocoder: at door or road precision it is routed as a
point; placed only to a community or town it goes to that street office (no
warden can be named from so rough a place); not placed, or outside every grid, it
is left to the bureau (``routed_by`` ``none``). Nothing is ever refused for its
place: a report is stored whatever its routing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from gridwatch.db.models import GridWarden
from gridwatch.db.queries import effective_on
from gridwatch.grids.codes import town_of
from gridwatch.services.context import Context

#: Geocoder precisions precise enough to name a grid and a warden.
PRECISE = ("manual", "supplied", "door", "road")
#: Placed to an area: the street office decides.
AREA = ("community", "town")


@dataclass(frozen=True)
class Route:
    """Where a tip-off goes (``routed_by``: point / address / street / none)."""

    routed_by: str
    town_code: str | None = None
    grid_code: str | None = None
    warden_id: int | None = None
    lng: float | None = None
    lat: float | None = None
    precision: str | None = None


#: (database URL, version id, its activation time) → the point index of that
#: grid version. An active version's grids are never edited (splits and merges
#: work on drafts); the activation time tells a rebuilt database's version 1 from
#: the last one.
_INDEXES: dict[tuple, object] = {}


def _index(ctx: Context, conn, vid: int):
    from gridwatch.db.models import GridVersion
    from gridwatch.services.assignment import grid_index
    from gridwatch.services.grids import version_grids

    stamp = conn.execute(
        sa.select(GridVersion.activated_at, GridVersion.created_at).where(
            GridVersion.id == vid
        )
    ).first()
    key = (ctx.engine.url.render_as_string(hide_password=True), vid, tuple(stamp))
    if key not in _INDEXES:
        grids = version_grids(conn, vid)
        if grids.empty:
            return None
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        _INDEXES[key] = grid_index(ctx, vid, grids)
    return _INDEXES[key]


def grid_of_point(ctx: Context, conn, lng: float, lat: float) -> str | None:
    """The active version's grid covering a WGS-84 point (smallest code on an
    edge), or None outside every grid."""
    from gridwatch.assign.points import assign_points
    from gridwatch.services.grids import active_version_id

    vid = active_version_id(conn)
    index = None if vid is None else _index(ctx, conn, vid)
    if index is None:
        return None
    result = assign_points(index, [lng], [lat])
    return result.grid_code[0] if result.status[0] == "inside" else None


def warden_on(conn, grid_code: str, day: dt.date) -> int | None:
    """The responsible warden of ``grid_code`` on ``day`` (None if none)."""
    return conn.execute(
        sa.select(GridWarden.warden_id)
        .where(
            GridWarden.grid_code == grid_code,
            GridWarden.role == "responsible",
            effective_on(GridWarden, day),
        )
        .order_by(GridWarden.id.desc())
        .limit(1)
    ).scalar()


def _by_point(ctx, conn, lng, lat, day, routed_by, precision) -> Route:
    grid = grid_of_point(ctx, conn, lng, lat)
    if grid is None:
        return Route("none", lng=lng, lat=lat, precision=precision)
    return Route(
        routed_by,
        town_code=town_of(grid),
        grid_code=grid,
        warden_id=warden_on(conn, grid, day),
        lng=lng,
        lat=lat,
        precision=precision,
    )


def route(
    ctx: Context, conn, *, lng, lat, address: str | None, day: dt.date, gazetteer
) -> Route:
    """Route a tip-off by its WGS-84 point, else by its address (module docstring).

    ``gazetteer`` is a callable returning the geocoding index (loaded only when
    an address must be placed).
    """
    if lng is not None and lat is not None:
        return _by_point(ctx, conn, lng, lat, day, "point", "point")
    if not address:
        return Route("none")
    from gridwatch.geocode import geocode

    found = geocode(address, gazetteer())
    if found.precision in PRECISE and found.lng is not None:
        return _by_point(
            ctx, conn, found.lng, found.lat, day, "address", found.precision
        )
    if found.precision in AREA and found.town_code:
        return Route("street", town_code=found.town_code, precision=found.precision)
    return Route("none", precision=found.precision)
