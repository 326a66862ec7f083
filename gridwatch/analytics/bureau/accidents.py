"""Figures of production-safety accidents (生产安全事故) and their grades.

An accident's grade for every figure and for the veto is
:attr:`gridwatch.analytics.assessment.Accident.effective_grade`: the worse of
the grade recorded and the grade Decree No. 493 gives its deaths, serious
injuries and direct loss, so a grade recorded too low can neither hide an
accident from the 较大及以上 count nor lift a veto. Such a record is flagged
(``is_grade_inconsistent``).
"""

from __future__ import annotations

import pandas as pd

from gridwatch.analytics.assessment.accidents import GRADE_ORDER, Accident
from gridwatch.analytics.bureau._rows import month_of, tally_rows, within
from gridwatch.analytics.bureau.period import Period
from gridwatch.analytics.bureau.records import Records
from gridwatch.analytics.bureau.tally import Tally
from gridwatch.vocab import ACCIDENT_GRADES

__all__ = [
    "accident_deaths",
    "accident_records",
    "accidents",
    "accidents_by_town",
    "accidents_serious",
    "grade_table",
    "ordinary_accidents",
]


def accident_records(frame: pd.DataFrame) -> list[Accident]:
    """The :class:`Accident` of each row (columns of ``Records.accidents``)."""
    out = []
    for r in frame.itertuples(index=False):
        out.append(
            Accident(
                occurred_on=r.occurred_on,
                deaths=int(r.deaths or 0),
                serious_injuries=int(r.serious_injuries or 0),
                direct_loss_yuan=float(r.direct_loss_yuan or 0.0),
                grade=r.grade or None,
                ref=str(r.ref or r.accident_id),
                place=str(r.place or ""),
            )
        )
    return out


def _in_period(rec: Records, p: Period) -> pd.DataFrame:
    """The period's accidents with ``effective_grade``, ``computed_grade`` and
    ``is_grade_inconsistent``."""

    def make():
        ac = rec.accidents
        ac = ac[within(ac["occurred_on"], p).to_numpy()].copy()
        recs = accident_records(ac)
        ac["effective_grade"] = [a.effective_grade for a in recs]
        ac["computed_grade"] = [a.computed_grade for a in recs]
        ac["is_grade_inconsistent"] = [a.is_grade_inconsistent for a in recs]
        ac["label"] = [a.label for a in recs]
        return ac

    return rec.memo(("accidents", p.start, p.end), make)


def _accident_tally(key: str, ac: pd.DataFrame, num, kind="count") -> Tally:
    rows = tally_rows(
        ac,
        ac["town_code"],
        num,
        month=month_of(ac["occurred_on"]).to_numpy(),
        accident_id=ac["accident_id"],
        ref=ac["ref"],
        occurred_on=ac["occurred_on"],
        place=ac["place"],
        grade=ac["effective_grade"],
        recorded_grade=ac["grade"],
        deaths=ac["deaths"],
        serious_injuries=ac["serious_injuries"],
        direct_loss_yuan=ac["direct_loss_yuan"],
        is_grade_inconsistent=ac["is_grade_inconsistent"],
    )
    return Tally(key, rows, kind)


def accidents(rec: Records, p: Period) -> Tally:
    """Accidents in the period."""
    return _accident_tally("accidents", _in_period(rec, p), 1.0)


def accident_deaths(rec: Records, p: Period) -> Tally:
    """Deaths in the period's accidents."""
    ac = _in_period(rec, p)
    return _accident_tally("accident_deaths", ac, ac["deaths"].astype(float), "sum")


def _graded(rec, p, grades) -> pd.DataFrame:
    ac = _in_period(rec, p)
    return ac[ac["effective_grade"].isin(grades).to_numpy()]


def accidents_serious(rec: Records, p: Period) -> Tally:
    """Accidents of grade 较大 or worse (the veto's grades)."""
    return _accident_tally("accidents_serious", _graded(rec, p, GRADE_ORDER[1:]), 1.0)


def ordinary_accidents(rec: Records, p: Period) -> Tally:
    """Accidents of grade 一般 (assessment source)."""
    return _accident_tally("ordinary_accidents", _graded(rec, p, GRADE_ORDER[:1]), 1.0)


def grade_table(tally: Tally) -> list[list]:
    """Rows 等级, 起数, 死亡, 重伤, 直接经济损失(yuan) for every grade, from the
    ``accidents`` tally (so the table adds up to the figure)."""
    rows = tally.items()
    out = []
    for grade in GRADE_ORDER:
        part = rows[rows["grade"] == grade]
        out.append(
            [
                ACCIDENT_GRADES[grade],
                len(part),
                int(pd.to_numeric(part["deaths"]).sum()),
                int(pd.to_numeric(part["serious_injuries"]).sum()),
                float(pd.to_numeric(part["direct_loss_yuan"]).sum()),
            ]
        )
    return out


def accidents_by_town(rec: Records, p: Period) -> dict[str, list[Accident]]:
    """``{town code: [Accident, ...]}`` of the period, for the veto."""
    ac = _in_period(rec, p)
    out: dict[str, list[Accident]] = {}
    for town, part in ac.groupby(ac["town_code"].fillna("").astype(str)):
        out[town] = accident_records(part)
    return out
