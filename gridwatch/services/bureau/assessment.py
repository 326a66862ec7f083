"""The responsibility assessment (责任制考核) of the towns/streets.

* **Scheme versions.** Every save of the scheme (TOML or YAML text, checked by
  :func:`gridwatch.analytics.assessment.scheme_from_text`, every problem one
  sentence) is a new numbered version with the day it is in force from; nothing
  is overwritten and each save is in the audit log. The scheme *in force* for a
  period is the latest version in force on the period's last day; without any
  saved version, the shipped default (``gridwatch/data/assessment_scheme.toml``).
  A past period can be scored with the scheme in force then or with any other
  version (the new one), side by side.
* **Figures.** Each indicator's figure is the dashboard's figure of the same
  period and town (:data:`gridwatch.analytics.bureau.ASSESSMENT_SOURCES`), never
  a second count; manual indicators take the figure entered for the town and
  period with its note.
* **Veto.** The accidents of the period in each town (their worse grade).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources

import sqlalchemy as sa

from gridwatch.analytics.assessment import (
    MANUAL,
    Assessment,
    Measured,
    Scheme,
    default_scheme,
    scheme_from_text,
    score,
)
from gridwatch.analytics.bureau import Period, source_measured
from gridwatch.analytics.bureau.accidents import accidents_by_town
from gridwatch.db.models import AdminUnit
from gridwatch.db.models_bureau import AssessmentManualFigure, AssessmentSchemeVersion
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.bureau.figures import FigureSet, figure_set
from gridwatch.services.context import Context

__all__ = [
    "AssessmentResult",
    "SchemeVersion",
    "assess",
    "assess_figures",
    "list_scheme_versions",
    "manual_figures",
    "save_scheme",
    "scheme_for",
    "set_manual_figure",
]

SCHEME_ROLES = ("bureau", "admin")


@dataclass(frozen=True)
class SchemeVersion:
    """A stored version of the scheme (``version`` None: the shipped default)."""

    version: int | None
    name: str
    in_force_from: dt.date | None
    digest: str
    text: str
    format: str
    created_by: str | None = None
    created_at: dt.datetime | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        if self.version is None:
            return "默认方案（随系统提供）"
        return f"第{self.version}版（{self.in_force_from}起施行）"

    def scheme(self) -> Scheme:
        return scheme_from_text(self.text, self.format)


def _default_version() -> SchemeVersion:
    text = (
        resources.files("gridwatch.data")
        .joinpath("assessment_scheme.toml")
        .read_text("utf-8")
    )
    s = default_scheme()
    return SchemeVersion(None, s.name, None, s.digest, text, "toml")


def _version(row: AssessmentSchemeVersion) -> SchemeVersion:
    return SchemeVersion(
        row.version,
        row.name,
        row.in_force_from,
        row.digest,
        row.text,
        row.format,
        row.created_by,
        row.created_at,
        row.note,
    )


def list_scheme_versions(ctx: Context, actor: Actor) -> list[SchemeVersion]:
    """Every stored version, newest first (the default last)."""
    require_role(actor, "bureau", "admin", action="Reading the assessment scheme")
    with ctx.transaction(actor) as s:
        rows = s.scalars(
            sa.select(AssessmentSchemeVersion).order_by(
                AssessmentSchemeVersion.version.desc()
            )
        ).all()
        return [_version(r) for r in rows] + [_default_version()]


def scheme_for(
    ctx: Context, actor: Actor, on: dt.date | None = None, version: int | None = None
) -> SchemeVersion:
    """The version numbered ``version``, or the one in force on ``on`` (default:
    the latest saved), or the shipped default when none applies.

    Raises
    ------
    NotFoundError
        An unknown version number.
    """
    require_role(actor, "bureau", "admin", action="Reading the assessment scheme")
    v = AssessmentSchemeVersion
    with ctx.transaction(actor) as s:
        if version is not None:
            row = s.scalars(sa.select(v).where(v.version == int(version))).first()
            if row is None:
                raise NotFoundError(
                    f"There is no version {version} of the assessment scheme."
                )
            return _version(row)
        stmt = sa.select(v).order_by(v.in_force_from.desc(), v.version.desc())
        if on is not None:
            stmt = stmt.where(v.in_force_from <= on)
        row = s.scalars(stmt.limit(1)).first()
        return _version(row) if row is not None else _default_version()


def save_scheme(
    ctx: Context,
    actor: Actor,
    text: str,
    *,
    fmt: str = "toml",
    in_force_from: dt.date,
    note: str | None = None,
) -> SchemeVersion:
    """Check the scheme text and store it as the next version.

    Raises
    ------
    InvalidInputError
        The scheme's first problem in one sentence; all of them in
        ``details["errors"]``.
    """
    require_role(actor, *SCHEME_ROLES, action="Changing the assessment scheme")
    if not isinstance(in_force_from, dt.date):
        raise InvalidInputError(
            "Give the day the scheme is in force from.",
            details={"field": "in_force_from"},
        )
    scheme = scheme_from_text(text, fmt)  # raises with every problem
    with ctx.transaction(actor) as s:
        last = s.execute(
            sa.select(sa.func.max(AssessmentSchemeVersion.version))
        ).scalar()
        row = AssessmentSchemeVersion(
            version=(last or 0) + 1,
            name=scheme.name,
            text=text,
            format=fmt.lower(),
            digest=scheme.digest,
            in_force_from=in_force_from,
            note=(note or "").strip() or None,
            created_by=actor.audit_name,
        )
        s.add(row)
        s.flush()
        return _version(row)


def set_manual_figure(
    ctx: Context,
    actor: Actor,
    period: Period,
    town_code: str,
    indicator: str,
    value,
    note: str,
    *,
    scheme_version: int | None = None,
) -> dict:
    """Enter (or correct) a manual indicator's figure for a town and period.

    Filed under the calendar period (a year to date under its whole year), so
    the figure holds as the running year goes on.

    The indicator must be a manual one of the scheme in force for the period
    (or of ``scheme_version``); the note (evidence: minutes, drill records) is
    required.

    Raises
    ------
    InvalidInputError
        Not a manual indicator, a figure that is not a number ≥ 0, no note.
    """
    require_role(actor, "bureau", action="Entering assessment figures")
    sv = scheme_for(ctx, actor, period.end, scheme_version)
    number, note = _check_manual(sv, indicator, value, note)
    m = AssessmentManualFigure
    with ctx.transaction(actor) as s:
        _check_town(s, town_code)
        row = s.scalars(
            sa.select(m).where(
                m.period_start == period.start,
                m.period_end == period.calendar_end,
                m.town_code == town_code,
                m.indicator == indicator,
            )
        ).first()
        if row is None:
            row = m(
                period_start=period.start,
                period_end=period.calendar_end,
                town_code=town_code,
                indicator=indicator,
                value=number,
                note=note,
                entered_by=actor.audit_name,
            )
            s.add(row)
        row.value, row.note, row.entered_by = number, note, actor.audit_name
    return {
        "town_code": town_code,
        "indicator": indicator,
        "value": number,
        "note": note,
    }


def _check_manual(sv: SchemeVersion, indicator: str, value, note) -> tuple[float, str]:
    """(figure, note) of a manual entry, or the sentence saying what is wrong."""
    manual = {i.key: i for i in sv.scheme().indicators if i.source == MANUAL}
    if indicator not in manual:
        raise InvalidInputError(
            f"{indicator!r} is not a manual indicator of the scheme in force; "
            f"use one of {', '.join(manual) or '(none)'}.",
            details={"field": "indicator"},
        )
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not 0 <= number < float("inf"):
        raise InvalidInputError(
            f"The figure of {manual[indicator].name} must be a number of 0 or more, "
            f"got {value!r}.",
            details={"field": "value"},
        )
    note = (note or "").strip()
    if not note:
        raise InvalidInputError(
            "A figure entered by hand needs a note saying where it comes from.",
            details={"field": "note"},
        )
    return number, note


def _check_town(s, town_code: str) -> None:
    known = s.execute(
        sa.select(AdminUnit.code).where(
            AdminUnit.code == town_code, AdminUnit.level == "town"
        )
    ).scalar()
    if known is None:
        raise NotFoundError(
            f"{town_code} is not a loaded town/street.", details={"field": "town_code"}
        )


def manual_figures(
    ctx: Context, actor: Actor, period: Period
) -> dict[str, dict[str, Measured]]:
    """``{town: {indicator: Measured(value, note=…)}}`` entered for the period."""
    require_role(actor, "bureau", action="Reading assessment figures")
    m = AssessmentManualFigure
    out: dict[str, dict[str, Measured]] = {}
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(m.town_code, m.indicator, m.value, m.note, m.entered_by).where(
                m.period_start == period.start, m.period_end == period.calendar_end
            )
        ).all()
    for r in rows:
        out.setdefault(r.town_code, {})[r.indicator] = Measured(
            float(r.value), note=f"{r.note}（{r.entered_by}录入）"
        )
    return out


@dataclass
class AssessmentResult:
    """A scored period: the assessment, the scheme version, the figures used."""

    assessment: Assessment
    version: SchemeVersion
    figures: FigureSet
    unplaced_accidents: list[str]


def assess_figures(
    fs: FigureSet, scheme: Scheme, manual: dict[str, dict[str, Measured]]
) -> tuple[Assessment, list[str]]:
    """Score the towns of ``fs`` with ``scheme`` (pure given the figure set).

    Returns the assessment and the accidents that lie in no assessed town
    (reported, never silently dropped from a veto).
    """
    rec, p = fs.records, fs.period
    towns = fs.town_names()
    figures = {}
    for town in towns:
        figs = {}
        for ind in scheme.indicators:
            if ind.source == MANUAL:
                got = manual.get(town, {}).get(ind.key)
                if got is not None:
                    figs[ind.key] = got
            else:
                figs[ind.source] = source_measured(rec, ind.source, p, town)
        figures[town] = figs
    by_town = accidents_by_town(rec, p)
    lost = [a.label for t, items in by_town.items() if t not in towns for a in items]
    accidents = {t: a for t, a in by_town.items() if t in towns}
    result = score(
        scheme, figures, accidents, unit_names=towns, period=(p.start, p.end)
    )
    return result, lost


def assess(
    ctx: Context,
    actor: Actor,
    period: Period,
    *,
    scheme_version: int | None = None,
    figures: FigureSet | None = None,
    today: dt.date | None = None,
) -> AssessmentResult:
    """Score every town/street for ``period`` with the scheme in force (or the
    version given).

    Raises
    ------
    PermissionDeniedError
        Anyone but the bureau.
    NotFoundError
        An unknown scheme version.
    """
    require_role(actor, "bureau", action="Scoring the responsibility assessment")
    sv = scheme_for(ctx, actor, period.end, scheme_version)
    fs = figures or figure_set(ctx, actor, period, today=today)
    manual = manual_figures(ctx, actor, period)
    result, lost = assess_figures(fs, sv.scheme(), manual)
    return AssessmentResult(result, sv, fs, lost)
