"""Analytics on frames: inspection coverage and hazard hotspots (pure, no I/O)."""

from gridwatch.analytics.coverage import (
    COVERAGE_LEVELS,
    STATUSES,
    count_open_hazards,
    coverage_by,
    enterprise_points,
    enterprise_status,
    grid_coverage,
    overdue_list,
)
from gridwatch.analytics.hotspots import (
    aggregate_hazards,
    cell_weights,
    getis_ord,
    hazard_points,
    monthly_getis_ord,
)
from gridwatch.analytics.trends import emerging_hotspots

__all__ = [
    "COVERAGE_LEVELS",
    "STATUSES",
    "aggregate_hazards",
    "cell_weights",
    "count_open_hazards",
    "coverage_by",
    "emerging_hotspots",
    "enterprise_points",
    "enterprise_status",
    "getis_ord",
    "grid_coverage",
    "hazard_points",
    "monthly_getis_ord",
    "overdue_list",
]
