"""The enterprises grids are weighed with: those whose point can name a grid.

A point placed only to town or district level is that unit's representative point
(:mod:`gridwatch.assign.precision`: "unplaced", given no grid by ``assign``).
Counted into grid workloads it made one grid of its town heavy with enterprises no
warden is given, and balanced the grids around a place that is not a place. Build,
split, merge, import, check and list all read their workload from here, so they
agree with what ``assign`` gives each grid.
"""

from __future__ import annotations

import geopandas as gpd
import sqlalchemy as sa

from gridwatch.assign.precision import PLACEMENT, UNPLACED
from gridwatch.db.models import Enterprise
from gridwatch.db.queries import read_frame, wkb

__all__ = ["gridded_enterprises", "unplaced_count"]

#: precisions whose point names no grid (town, district)
COARSE = tuple(p for p, placed in PLACEMENT.items() if placed == UNPLACED)


def gridded_enterprises(conn) -> gpd.GeoDataFrame:
    """Located enterprises whose point can name a grid, as a GeoDataFrame
    (``uscc``, ``risk_level``, Point geometry, EPSG:4326)."""
    return read_frame(
        conn,
        sa.select(Enterprise.uscc, Enterprise.risk_level, wkb(Enterprise.geom)).where(
            Enterprise.geom.isnot(None),
            sa.or_(Enterprise.precision.is_(None), Enterprise.precision.not_in(COARSE)),
        ),
    )


def unplaced_count(conn) -> int:
    """Enterprises located only to town or district level (left out of grids)."""
    stmt = sa.select(sa.func.count(Enterprise.id)).where(
        Enterprise.geom.isnot(None), Enterprise.precision.in_(COARSE)
    )
    return int(conn.execute(stmt).scalar_one())
