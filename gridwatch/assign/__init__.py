"""Assignment: enterprises → grids → wardens, stable across redraws, effective-dated.

* :mod:`~gridwatch.assign.points` — enterprise → grid (covers, smallest-code tie rule),
  with a per-version cached index (:mod:`~gridwatch.assign.index`; its parts in
  ``pip``, ``raster``, ``nearest``, ``store``); :mod:`~gridwatch.assign.sql` — the
  same rule as PostGIS SQL.
* :mod:`~gridwatch.assign.wardens` — grid → warden (balanced, contiguous, overrides
  win), and churn-minimal matching after a redraw.
* :mod:`~gridwatch.assign.dating` — effective-dated rows: what to close and open, and
  "who was responsible on date D".
"""

from gridwatch.assign.dating import diff_assignments, value_on, values_on
from gridwatch.assign.points import (
    AssignResult,
    GridIndex,
    assign_enterprises,
    assign_points,
    build_index,
    nearest_grids,
)
from gridwatch.assign.sql import covers_join_sql, grid_index_ddl, nearest_grid_sql
from gridwatch.assign.wardens import (
    balance_wardens,
    churn,
    match_redraw,
    match_redraw_brute_force,
    redraw_affinity,
    workload_summary,
)

__all__ = [
    "AssignResult",
    "GridIndex",
    "assign_enterprises",
    "assign_points",
    "balance_wardens",
    "build_index",
    "churn",
    "covers_join_sql",
    "diff_assignments",
    "grid_index_ddl",
    "match_redraw",
    "match_redraw_brute_force",
    "nearest_grid_sql",
    "nearest_grids",
    "redraw_affinity",
    "value_on",
    "values_on",
    "workload_summary",
]
