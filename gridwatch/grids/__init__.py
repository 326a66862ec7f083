"""Supervision grids (网格): boundaries in, build (balanced/square/hex), code, check,
split and merge. Pure domain code: GeoDataFrames and plain values in and out.

The usual entry points::

    from gridwatch.grids import build_grids, check_grids, read_boundaries
    communities, notes = read_boundaries("villages.shp", "community")
    grids, report = build_grids(communities, enterprises, target_workload=120,
                                weights=settings.risk_weights)
    quality = check_grids(grids, communities, enterprises, settings.risk_weights)
"""

from gridwatch.grids.boundaries import check_children_within, read_boundaries
from gridwatch.grids.build import BuildReport, GridIssue, build_grids
from gridwatch.grids.codes import assign_codes, grid_code, reading_order
from gridwatch.grids.edit import merge_grids, split_grid
from gridwatch.grids.partition import PartitionResult, partition_graph
from gridwatch.grids.quality import QualityReport, check_grids, grid_metrics

__all__ = [
    "BuildReport",
    "GridIssue",
    "PartitionResult",
    "QualityReport",
    "assign_codes",
    "build_grids",
    "check_children_within",
    "check_grids",
    "grid_code",
    "grid_metrics",
    "merge_grids",
    "partition_graph",
    "read_boundaries",
    "reading_order",
    "split_grid",
]
