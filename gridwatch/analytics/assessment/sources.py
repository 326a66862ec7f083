"""The named figures an assessment indicator may take its data from.

This list is the contract between the scheme the bureau edits and the services
that compute the figures: a scheme may name only these sources (or ``manual``),
and the services compute each one per town/street (one function each, shared
with the dashboard and the annual report) and hand them to
:func:`gridwatch.analytics.assessment.score` as :class:`Measured` values keyed by
the source's key.

Kinds of value:

* ``rate``: a fraction 0-1 (numerator / denominator). Scheme thresholds for it are
  written in percent (95 means 95 %).
* ``of_target``: achievement against the bureau's annual target, a fraction
  (1.17 for 117 %); thresholds in percent too.
* ``count``: a number of items (hazards, accidents); thresholds in items.
* ``manual``: entered by hand, in the indicator's own ``unit``, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["MANUAL", "SOURCES", "DataSource", "Measured"]

SourceKind = Literal["rate", "of_target", "count", "manual"]
#: The source key of figures entered by hand (looked up by indicator key).
MANUAL = "manual"


@dataclass(frozen=True)
class DataSource:
    """A named figure a service computes per town/street for a period.

    Attributes
    ----------
    key : str
    name : str
        Chinese name.
    kind : {"rate", "of_target", "count", "manual"}
    higher_is_better : bool or None
        Direction; None for manual (the indicator's thresholds decide).
    definition : str
        Numerator / denominator or what is counted, precisely enough to compute.
    unit : str
        The unit of a count (项, 起, 人); rates and targets are in %.
    """

    key: str
    name: str
    kind: SourceKind
    higher_is_better: bool | None
    definition: str
    unit: str = ""

    @property
    def in_percent(self) -> bool:
        """True when values are fractions and scheme thresholds are percent."""
        return self.kind in ("rate", "of_target")


_SOURCES = (
    DataSource(
        "coverage_rate",
        "检查覆盖率",
        "rate",
        True,
        "Enterprises whose inspection interval was kept over the period "
        "(gridwatch.analytics.coverage is_on_time) / enterprises registered in the "
        "town at the end of the period.",
    ),
    DataSource(
        "inspected_rate",
        "大检查覆盖率（期内检查企业占比）",
        "rate",
        True,
        "Enterprises inspected at least once in the period (inspected_in_period) / "
        "enterprises registered in the town (the seed's 全覆盖).",
    ),
    DataSource(
        "rectification_on_time_rate",
        "隐患按期整改率",
        "rate",
        True,
        "Hazards whose rectification deadline fell in the period and that were "
        "rectified on or before it / hazards whose deadline fell in the period.",
    ),
    DataSource(
        "overdue_major_hazards",
        "逾期未整改重大隐患",
        "count",
        False,
        "Major hazards (重大事故隐患) open at the end of the period whose deadline "
        "has passed.",
        "项",
    ),
    DataSource(
        "listed_hazards_closed_rate",
        "挂牌督办隐患销号率",
        "rate",
        True,
        "Listed (挂牌督办) hazards closed (销号) by the end of the period / listed "
        "hazards whose deadline fell in the period.",
    ),
    DataSource(
        "self_report_rate",
        "企业隐患自查自报率",
        "rate",
        True,
        "Monthly self-inspection reports submitted / reports due (legal-person "
        "enterprises × months of the period).",
    ),
    DataSource(
        "campaign_completion",
        "专项整治任务完成率",
        "rate",
        True,
        "Enterprises inspected in the period's special campaigns / enterprises in "
        "the campaigns' target lists.",
    ),
    DataSource(
        "standardisation_vs_target",
        "安全生产标准化完成任务量",
        "of_target",
        True,
        "Enterprises with a standardisation self-assessment or review completed in "
        "the period / the town's annual target (the seed's 117 %).",
    ),
    DataSource(
        "standardisation_reviewed_vs_target",
        "安全生产标准化评审完成任务量",
        "of_target",
        True,
        "Enterprises whose standardisation was reviewed in the period / the "
        "town's annual review target (the seed's 108.1 %).",
    ),
    DataSource(
        "declaration_rate",
        "职业病危害申报率",
        "rate",
        True,
        "Enterprises required to declare occupational hazards that declared for "
        "the year / enterprises required to (the seed's 1,868 of 1,961).",
    ),
    DataSource(
        "declaration_vs_target",
        "职业病危害申报完成任务量",
        "of_target",
        True,
        "Enterprises that declared for the year / the town's annual target.",
    ),
    DataSource(
        "safety_officers_trained_vs_target",
        "安全主任培训完成任务量",
        "of_target",
        True,
        "Safety officers (安全主任) trained in the period / the town's annual "
        "target (the seed's 4,471 of 4,300).",
    ),
    DataSource(
        "ordinary_accidents",
        "一般生产安全事故起数",
        "count",
        False,
        "Accidents of grade 一般 in the town in the period (Decree No. 493).",
        "起",
    ),
    DataSource(
        "accident_deaths",
        "生产安全事故死亡人数",
        "count",
        False,
        "Deaths in production-safety accidents in the town in the period.",
        "人",
    ),
    DataSource(
        MANUAL,
        "手工录入",
        "manual",
        None,
        "Entered by hand per town with a note (meetings held, drills, ...); "
        "looked up under the indicator's own key.",
    ),
)
#: Every source a scheme may name, by key.
SOURCES: dict[str, DataSource] = {s.key: s for s in _SOURCES}


@dataclass(frozen=True)
class Measured:
    """One town's figure for one source, with what lies behind it.

    Attributes
    ----------
    value : float or None
        The figure: a fraction for rates and targets, a count, or a manual
        number. None when it cannot be computed (see ``denominator``).
    numerator, denominator : float or None
        For rates and targets; ``denominator == 0`` with ``value`` None means
        "not applicable" (no hazard was due, no target was set).
    note : str
        Who entered a manual figure and on what evidence; any caveat.
    ref : str or None
        An opaque reference the services use to list the enterprises or hazards
        behind the figure (drill-down); carried through unchanged.
    """

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    note: str = ""
    ref: str | None = None

    @classmethod
    def ratio(
        cls,
        numerator: float,
        denominator: float,
        *,
        note: str = "",
        ref: str | None = None,
    ) -> Measured:
        """numerator / denominator; ``value`` None when the denominator is 0.

        >>> Measured.ratio(19, 20).value, Measured.ratio(0, 0).value
        (0.95, None)
        """
        if numerator < 0 or denominator < 0:
            raise ValueError(
                f"ratio needs non-negative parts, got {numerator}/{denominator}"
            )
        value = numerator / denominator if denominator else None
        return cls(value, numerator, denominator, note, ref)

    @property
    def is_not_applicable(self) -> bool:
        """True when there was nothing to measure (denominator 0)."""
        return self.value is None and self.denominator == 0
