"""Score each town/street against a scheme: points, veto, rank and grade.

Rules of :func:`score`, in order:

1. **Figures.** Each indicator reads its unit's figure under its ``source`` key
   (a manual indicator under its own ``key``). Rates and achievement against
   target are fractions (0.953, 1.17); the rule sees them in percent. A rate above
   1 is refused (it was most likely given in percent).
2. **Points.** The indicator's rule gives points in ``[0, weight]``, rounded half
   up to 2 decimals; the total is the sum of the rounded points, so the printed
   table adds up. No figure at all: 0 points, status ``missing``. Nothing to
   measure (``denominator == 0``): full marks or 0 by ``if_not_applicable``.
3. **Veto** (一票否决). An accident in the unit's area, within ``period`` if one is
   given, whose grade (the worse of the recorded and the Decree No. 493 grade:
   :attr:`Accident.effective_grade`) is at least the scheme's ``min_grade`` fails
   the unit whatever its points; the reason names each such accident.
4. **Rank.** Units not vetoed first, by total (descending); equal totals share a
   rank and the next rank skips (1, 2, 2, 4: "competition ranking", as league
   tables do). Vetoed units follow, ranked among themselves the same way and
   marked ``is_vetoed``.
5. **Grade** (等次): the first of the scheme's grades whose ``min_score`` the
   total reaches; vetoed units (and totals below every grade) get
   ``failed_grade`` (不合格).

Re-scoring a past period under a changed scheme is calling :func:`score` again
with the new scheme and that period's figures; nothing is stored here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from gridwatch.analytics.assessment.accidents import Accident, grade_rank
from gridwatch.analytics.assessment.scheme import Indicator, Scheme
from gridwatch.analytics.assessment.sources import MANUAL, Measured
from gridwatch.analytics.figures import format_number, format_value, round_half_up
from gridwatch.errors import InvalidInputError
from gridwatch.vocab import ACCIDENT_GRADES

__all__ = ["Assessment", "IndicatorScore", "UnitScore", "VetoHit", "score"]

Status = Literal["scored", "not_applicable", "missing"]


@dataclass(frozen=True)
class IndicatorScore:
    """One indicator's points for one unit, with the figure behind them.

    Attributes
    ----------
    key, name : str
    weight : float
    points : float
        Rounded half up to 2 decimals.
    status : {"scored", "not_applicable", "missing"}
    value : float or None
        The figure in the rule's units (percent for rates: 95.3).
    measured : Measured or None
        What the services handed in (numerator, denominator, note, ref).
    explanation : str
        Chinese: the figure, the rule and the points.
    """

    key: str
    name: str
    weight: float
    points: float
    status: Status
    value: float | None
    measured: Measured | None
    explanation: str


@dataclass(frozen=True)
class VetoHit:
    """An accident that triggers the veto, with the reason in Chinese."""

    accident: Accident
    grade: str
    reason: str


@dataclass(frozen=True)
class UnitScore:
    """A town/street's result.

    Attributes
    ----------
    unit : str
        The unit's code (town code).
    name : str
    total : float
        Sum of the indicators' rounded points.
    indicators : tuple of IndicatorScore
        In scheme order.
    rank : int
        1 is best; vetoed units rank after all others.
    is_tied : bool
        Another unit shares this rank.
    vetoes : tuple of VetoHit
        Empty unless vetoed.
    grade : str or None
        The 等次 (None when the scheme defines no grades and no veto applies).
    """

    unit: str
    name: str
    total: float
    indicators: tuple[IndicatorScore, ...]
    rank: int
    is_tied: bool
    vetoes: tuple[VetoHit, ...]
    grade: str | None

    @property
    def is_vetoed(self) -> bool:
        """True when a veto applies (一票否决)."""
        return bool(self.vetoes)

    @property
    def veto_reason(self) -> str:
        """The reasons of every veto, joined (empty when not vetoed)."""
        return "；".join(v.reason for v in self.vetoes)

    def indicator(self, key: str) -> IndicatorScore:
        """This unit's score on the indicator ``key``."""
        for s in self.indicators:
            if s.key == key:
                return s
        raise KeyError(f"no indicator {key!r} in the result for {self.unit}")


@dataclass(frozen=True)
class Assessment:
    """The result of :func:`score`: every unit, best rank first."""

    scheme: Scheme
    units: tuple[UnitScore, ...]
    period: tuple[dt.date, dt.date] | None = None

    def unit(self, code: str) -> UnitScore:
        """The result of the unit ``code``."""
        for u in self.units:
            if u.unit == code:
                return u
        raise KeyError(f"no unit {code!r} in this assessment")

    def ranking_rows(self) -> list[dict]:
        """One plain dict per unit for tables: 排名, 单位, 总分, each indicator, ...

        Keys are Chinese column headers; indicator columns carry the indicator's
        name and weight (``检查覆盖率（15分）``).
        """
        rows = []
        for u in self.units:
            row = {"排名": u.rank, "单位": u.name, "总分": u.total}
            for s in u.indicators:
                row[f"{s.name}（{format_number(s.weight, 2)}分）"] = s.points
            row["等次"] = u.grade or ""
            row["一票否决"] = u.veto_reason or "否"
            rows.append(row)
        return rows


def _measured(raw, where: str) -> Measured | None:
    if raw is None or isinstance(raw, Measured):
        return raw
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise InvalidInputError(f"{where} must be a number or Measured, got {raw!r}.")
    return Measured(float(raw))


def _score_indicator(ind: Indicator, raw, unit: str) -> IndicatorScore:
    where = f"The figure {ind.source if ind.source != MANUAL else ind.key} of {unit}"
    m = _measured(raw, where)
    src = ind.data_source
    if m is not None and m.value is not None:
        v = m.value
        if not math.isfinite(v) or v < 0:
            raise InvalidInputError(f"{where} is {v!r}; give a non-negative number.")
        if src.kind == "rate" and v > 1 + 1e-9:
            raise InvalidInputError(
                f"{where} is {v:g}, above 1; give rates as fractions (0.95, not 95)."
            )
        x = v * 100 if src.in_percent else v
        pts = round_half_up(ind.rule.points(x, ind.weight), 2)
        # rates are fractions shown as percent; counts and manual figures are
        # already in the indicator's unit (a manual "%" figure is typed as 95)
        shown = (
            format_value(v, "%", 1)
            if src.in_percent
            else (format_number(v, 2) + ind.unit)
        )
        text = f"{ind.name}{shown}（{ind.rule_text}），得{format_number(pts, 2)}分"
        return IndicatorScore(ind.key, ind.name, ind.weight, pts, "scored", x, m, text)
    if m is not None and m.is_not_applicable:
        pts = ind.weight if ind.if_not_applicable == "full" else 0.0
        text = f"{ind.name}：本期无考核对象，按规则得{format_number(pts, 2)}分"
        return IndicatorScore(
            ind.key, ind.name, ind.weight, pts, "not_applicable", None, m, text
        )
    text = f"{ind.name}：无数据，得0分"
    return IndicatorScore(ind.key, ind.name, ind.weight, 0.0, "missing", None, m, text)


def _vetoes(scheme: Scheme, accidents: Sequence[Accident], period) -> list[VetoHit]:
    veto = scheme.veto
    if not veto.enabled:
        return []
    hits = []
    for acc in accidents:
        if not isinstance(acc, Accident):
            raise TypeError(f"accidents must be Accident records, got {acc!r}")
        if period and not period[0] <= acc.occurred_on <= period[1]:
            continue
        grade = acc.effective_grade
        if grade_rank(grade) < grade_rank(veto.min_grade):
            continue
        reason = f"{acc.label}，{veto.text}"
        if acc.is_grade_inconsistent:
            reason += (
                f"（记录为{ACCIDENT_GRADES[acc.grade]}，按伤亡和损失应为"
                f"{ACCIDENT_GRADES[acc.computed_grade]}）"
            )
        hits.append(VetoHit(acc, grade, reason))
    return hits


def _grade(scheme: Scheme, total: float, vetoed: bool) -> str | None:
    if vetoed:
        return scheme.failed_grade
    for band in scheme.grades:
        if total >= band.min_score:
            return band.name
    return scheme.failed_grade if scheme.grades else None


def _ranks(totals: list[float]) -> list[int]:
    """Competition ranks (1, 2, 2, 4) of totals already sorted descending."""
    out = []
    for k, t in enumerate(totals):
        out.append(out[-1] if k and t == totals[k - 1] else k + 1)
    return out


def score(
    scheme: Scheme,
    figures_by_unit: Mapping[str, Mapping[str, object]],
    accidents_by_unit: Mapping[str, Sequence[Accident]] | None = None,
    *,
    unit_names: Mapping[str, str] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> Assessment:
    """Score, veto, rank and grade every unit (rules in the module docstring).

    Parameters
    ----------
    scheme : Scheme
        From :func:`parse_scheme`, :func:`load_scheme` or :func:`default_scheme`.
    figures_by_unit : mapping
        ``{unit code: {source key (manual: indicator key): Measured or number}}``.
        Every unit to assess appears here (an empty mapping scores 0 everywhere).
    accidents_by_unit : mapping, optional
        ``{unit code: [Accident, ...]}``: accidents in each unit's area.
    unit_names : mapping, optional
        ``{unit code: Chinese name}``; the code is shown otherwise.
    period : (date, date), optional
        Inclusive; accidents outside it are ignored.

    Returns
    -------
    Assessment
        Units best rank first.

    Raises
    ------
    InvalidInputError
        Accidents for a unit that is not assessed (its veto would be lost), a
        negative figure, a rate given in percent.

    Examples
    --------
    >>> from gridwatch.analytics.assessment import default_scheme
    >>> s = default_scheme()
    >>> r = score(s, {"A": {"coverage_rate": 0.99}, "B": {"coverage_rate": 0.5}})
    >>> [(u.unit, u.rank) for u in r.units]
    [('A', 1), ('B', 2)]
    """
    accidents_by_unit = accidents_by_unit or {}
    unit_names = unit_names or {}
    lost = sorted(set(accidents_by_unit) - set(figures_by_unit))
    if lost:
        raise InvalidInputError(
            f"Accidents were given for unit(s) {', '.join(map(str, lost))} that are "
            "not being assessed; add their figures or move the accidents."
        )
    if period and period[0] > period[1]:
        raise InvalidInputError(
            f"The period starts {period[0]} after it ends {period[1]}; swap the dates."
        )
    drafts = []
    for unit, figs in figures_by_unit.items():
        figs = figs or {}
        scores = tuple(
            _score_indicator(
                ind, figs.get(ind.key if ind.source == MANUAL else ind.source), unit
            )
            for ind in scheme.indicators
        )
        total = round_half_up(sum(s.points for s in scores), 2)
        hits = tuple(_vetoes(scheme, accidents_by_unit.get(unit, ()), period))
        drafts.append((unit, total, scores, hits))
    units: list[UnitScore] = []
    for vetoed in (False, True):
        group = sorted(
            (d for d in drafts if bool(d[3]) == vetoed),
            key=lambda d: (-d[1], str(d[0])),
        )
        totals = [d[1] for d in group]
        offset = len(units)  # vetoed units rank after every other unit
        for rank, (unit, total, scores, hits) in zip(_ranks(totals), group):
            units.append(
                UnitScore(
                    unit,
                    unit_names.get(unit, str(unit)),
                    total,
                    scores,
                    rank + offset,
                    totals.count(total) > 1,
                    hits,
                    _grade(scheme, total, vetoed),
                )
            )
    return Assessment(scheme, tuple(units), period)
