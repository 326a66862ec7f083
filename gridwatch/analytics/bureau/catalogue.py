"""The one function behind each figure, by key, and how the assessment reads them.

:data:`FIGURES` maps every figure key the dashboard, the assessment and the
annual report use to the single function that counts it. The keys are those of
:data:`gridwatch.report.ANNUAL_FIGURES` (the report's contract), of
:data:`gridwatch.analytics.assessment.SOURCES` (the assessment's contract) and a
few the dashboard adds (:data:`EXTRA`). :data:`ASSESSMENT_SOURCES` says, for
each assessment source, which figure it reads and against which target, so an
assessment figure is always a dashboard figure (or that figure against its
target), never a second count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gridwatch.analytics.assessment.sources import MANUAL, SOURCES, Measured
from gridwatch.analytics.bureau import accidents as acc
from gridwatch.analytics.bureau import enforcement as enf
from gridwatch.analytics.bureau import foundations as fnd
from gridwatch.analytics.bureau import work
from gridwatch.analytics.bureau.period import Period
from gridwatch.analytics.bureau.records import Records
from gridwatch.analytics.bureau.tally import Tally

__all__ = [
    "ASSESSMENT_SOURCES",
    "EXTRA",
    "FIGURES",
    "TARGETED",
    "FigureInfo",
    "figure_target",
    "source_measured",
    "tally",
]

FigureFunction = Callable[[Records, Period], Tally]

#: key → the function that counts it.
FIGURES: dict[str, FigureFunction] = {
    # report figures (gridwatch.report.ANNUAL_FIGURES)
    "units_inspected": work.units_inspected,
    "inspections": work.inspections,
    "hazards_found": work.hazards_found,
    "hazards_rectified": work.hazards_rectified,
    "rectification_rate": work.rectification_rate,
    "major_hazards": work.major_hazards,
    "listed_hazards": work.listed_hazards,
    "listed_hazards_closed": work.listed_hazards_closed,
    "penalties": enf.penalties,
    "fines": enf.fines,
    "fine_amount": enf.fine_amount,
    "campaigns": enf.campaigns,
    "enterprises": work.enterprises,
    "enterprises_new": work.enterprises_new,
    "grids": work.grids,
    "wardens": work.wardens,
    "coverage_rate": work.coverage_rate,
    "self_report_rate": enf.self_report_rate,
    "standardisation_self_assessed": fnd.standardisation_self_assessed,
    "standardisation_reviewed": fnd.standardisation_reviewed,
    "declarations": fnd.declarations,
    "safety_officers_trained": fnd.safety_officers_trained,
    "accidents": acc.accidents,
    "accident_deaths": acc.accident_deaths,
    "accidents_serious": acc.accidents_serious,
    # assessment sources that are not report figures
    "inspected_rate": work.inspected_rate,
    "rectification_on_time_rate": work.rectification_on_time_rate,
    "overdue_major_hazards": work.overdue_major_hazards,
    "listed_hazards_closed_rate": work.listed_hazards_closed_rate,
    "campaign_completion": enf.campaign_completion,
    "declaration_rate": fnd.declaration_rate,
    "ordinary_accidents": acc.ordinary_accidents,
    # dashboard series
    "hazards_overdue": work.hazards_overdue,
    "hazards_rectified_in_period": work.hazards_rectified_in_period,
    "hazards_closed": work.hazards_closed,
}


@dataclass(frozen=True)
class FigureInfo:
    """Label, unit (家, 项, %, 元) and comparison of a figure outside the report."""

    label: str
    unit: str
    compare: str = "relative"


#: Figures the dashboard shows that the report's catalogue does not have.
EXTRA: dict[str, FigureInfo] = {
    "inspected_rate": FigureInfo("大检查覆盖率", "%", "points"),
    "rectification_on_time_rate": FigureInfo("隐患按期整改率", "%", "points"),
    "overdue_major_hazards": FigureInfo("逾期未整改重大隐患", "项"),
    "listed_hazards_closed_rate": FigureInfo("挂牌督办隐患销号率", "%", "points"),
    "campaign_completion": FigureInfo("专项整治任务完成率", "%", "points"),
    "declaration_rate": FigureInfo("职业病危害申报率", "%", "points"),
    "ordinary_accidents": FigureInfo("一般生产安全事故", "起"),
    "hazards_overdue": FigureInfo("逾期未整改隐患", "项"),
    "hazards_rectified_in_period": FigureInfo("期内整改隐患", "项"),
    "hazards_closed": FigureInfo("销号隐患", "项"),
}

#: Figures measured against the bureau's annual target (key → target indicator).
TARGETED: dict[str, str] = {
    "standardisation_self_assessed": "standardisation_self_assessed",
    "standardisation_reviewed": "standardisation_reviewed",
    "safety_officers_trained": "safety_officers_trained",
}

#: Assessment source → (figure key, target indicator or None). A source with a
#: target is the figure's numerator over the town's target.
ASSESSMENT_SOURCES: dict[str, tuple[str, str | None]] = {
    "coverage_rate": ("coverage_rate", None),
    "inspected_rate": ("inspected_rate", None),
    "rectification_on_time_rate": ("rectification_on_time_rate", None),
    "overdue_major_hazards": ("overdue_major_hazards", None),
    "listed_hazards_closed_rate": ("listed_hazards_closed_rate", None),
    "self_report_rate": ("self_report_rate", None),
    "campaign_completion": ("campaign_completion", None),
    # the seed's 117 %: self-assessments completed against the target
    "standardisation_vs_target": (
        "standardisation_self_assessed",
        "standardisation_self_assessed",
    ),
    "standardisation_reviewed_vs_target": (
        "standardisation_reviewed",
        "standardisation_reviewed",
    ),
    "declaration_rate": ("declaration_rate", None),
    "declaration_vs_target": ("declarations", "declarations"),
    "safety_officers_trained_vs_target": (
        "safety_officers_trained",
        "safety_officers_trained",
    ),
    "ordinary_accidents": ("ordinary_accidents", None),
    "accident_deaths": ("accident_deaths", None),
}
_missing = set(SOURCES) - set(ASSESSMENT_SOURCES) - {MANUAL}
if _missing:  # pragma: no cover - a source added without its figure
    raise RuntimeError(f"assessment sources without a figure: {sorted(_missing)}")


def tally(rec: Records, key: str, p: Period) -> Tally:
    """The :class:`Tally` of figure ``key`` over ``p`` (computed once per records).

    Raises
    ------
    KeyError
        An unknown key, naming it.
    """
    if key not in FIGURES:
        raise KeyError(f"unknown figure {key!r}; known: {', '.join(sorted(FIGURES))}")
    return rec.memo(("tally", key, p.start, p.end), lambda: FIGURES[key](rec, p))


def figure_target(
    rec: Records, key: str, p: Period, town: str | None = None
) -> tuple[float | None, str]:
    """(target, note) of a figure for the scope or one town.

    The bureau's annual target for :data:`TARGETED` figures; for
    ``declarations`` the enterprises required to declare (its denominator);
    None for every other figure.
    """
    if key in TARGETED:
        return fnd.target(rec, TARGETED[key], p.year, town)
    if key == "declarations":
        return tally(rec, key, p).parts(town)[1], ""
    return None, ""


def source_measured(rec: Records, source: str, p: Period, town: str) -> Measured:
    """One town's figure for an assessment source, with its parts.

    ``ref`` is ``"<figure key>"``: the drill-down lists that figure's items.
    """
    key, indicator = ASSESSMENT_SOURCES[source]
    t = tally(rec, key, p)
    if indicator is None:
        return t.measured(town, ref=key)
    num, _ = t.parts(town)
    goal, _ = fnd.target(rec, indicator, p.year, town)
    if num is None:
        return Measured(None, note=t.note, ref=key)
    if not goal:
        return Measured(None, num, 0.0, note="未设定年度目标", ref=key)
    return Measured(num / goal, num, goal, ref=key)
