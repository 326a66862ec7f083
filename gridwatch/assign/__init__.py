"""Assignment: enterprises → grids → wardens, stable across redraws, effective-dated.

* :mod:`~gridwatch.assign.points` — enterprise → grid (covers, smallest-code tie rule),
  with a per-version cached index (:mod:`~gridwatch.assign.index`; its parts in
  ``pip``, ``raster``, ``nearest``, ``store``); :mod:`~gridwatch.assign.sql` — the
  same rule as PostGIS SQL; :mod:`~gridwatch.assign.areas` — the same rule for any
  coded areas (an enterprise's community and town).
* :mod:`~gridwatch.assign.precision` — what a geocode's precision lets assignment
  say (definite, imprecise, unplaced).
* :mod:`~gridwatch.assign.wardens` — grid → warden (balanced, contiguous, overrides
  win), and churn-minimal matching after a redraw.
* :mod:`~gridwatch.assign.dating` — effective-dated rows: what to close and open, and
  "who was responsible on date D".
"""

from gridwatch.assign.areas import assign_points_to_areas
from gridwatch.assign.dating import diff_assignments, value_on, values_on
from gridwatch.assign.points import (
    AssignResult,
    GridIndex,
    assign_enterprises,
    assign_points,
    build_index,
    nearest_grids,
)
from gridwatch.assign.precision import apply_precision, placement
from gridwatch.assign.sql import (
    covers_count_sql,
    covers_join_sql,
    grid_index_ddl,
    nearest_grid_sql,
)
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
    "apply_precision",
    "assign_enterprises",
    "assign_points",
    "assign_points_to_areas",
    "balance_wardens",
    "build_index",
    "churn",
    "covers_count_sql",
    "covers_join_sql",
    "diff_assignments",
    "grid_index_ddl",
    "match_redraw",
    "match_redraw_brute_force",
    "nearest_grid_sql",
    "nearest_grids",
    "placement",
    "redraw_affinity",
    "value_on",
    "values_on",
    "workload_summary",
]
