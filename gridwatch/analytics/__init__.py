"""Analytics on frames: coverage, hotspots (counts and rates), report figures.

Pure, no I/O. The responsibility assessment is :mod:`gridwatch.analytics.assessment`;
the report arithmetic (year-on-year, percent of target) :mod:`.figures`.
"""

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
from gridwatch.analytics.rates import MEASURE_LABELS, MEASURES, smooth_rates
from gridwatch.analytics.trends import emerging_hotspots

__all__ = [
    "COVERAGE_LEVELS",
    "MEASURES",
    "MEASURE_LABELS",
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
    "smooth_rates",
]
