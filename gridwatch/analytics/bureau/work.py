"""Figures of the year's inspection work: coverage, inspections, hazards, grids.

Each public function takes the :class:`~gridwatch.analytics.bureau.records.Records`
and a :class:`~gridwatch.analytics.bureau.period.Period` and returns the
:class:`~gridwatch.analytics.bureau.tally.Tally` of one figure. The rules:

* **Coverage** (units inspected, the 大检查 share, the on-time share) comes from
  :func:`gridwatch.analytics.coverage.enterprise_status` over the period, once:
  an enterprise is *inspected* with at least one inspection dated in the
  period, and *on time* when it kept its risk-based interval throughout
  (rules in :mod:`gridwatch.analytics.coverage`). Enterprises registered after
  the period's end are left out.
* **Hazards** are placed in the period by the date of the step counted: found
  (``found_on``), rectified (``rectified_on``), closed (``closed_on``),
  listed (``listed_on``; where no listing date is kept, ``found_on``).
  *Open* at a day: found on or before it and not rectified by then. *Overdue*
  at a day: open with a deadline before it (the listing deadline for a listed
  hazard when one is set).
* **Rectified on time**: of the hazards whose deadline fell in the period,
  those rectified on or before it (SAWS Order No. 16: rectification within the
  time limit).
* **Grids and wardens** at the period's end: the grids of the version active
  that day; the wardens responsible for at least one grid that day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridwatch.analytics.bureau._rows import (
    month_of,
    on_or_before,
    tally_rows,
    town_of,
    ts,
    within,
)
from gridwatch.analytics.bureau.period import Period
from gridwatch.analytics.bureau.records import Records
from gridwatch.analytics.bureau.tally import Tally
from gridwatch.analytics.coverage import enterprise_status
from gridwatch.grids.codes import town_of as town_of_code

__all__ = [
    "coverage_rate",
    "enterprises",
    "enterprises_new",
    "grids",
    "hazards_closed",
    "hazards_found",
    "hazards_overdue",
    "hazards_rectified",
    "hazards_rectified_in_period",
    "inspected_rate",
    "inspections",
    "listed_hazards",
    "listed_hazards_closed",
    "listed_hazards_closed_rate",
    "major_hazards",
    "overdue_major_hazards",
    "rectification_on_time_rate",
    "rectification_rate",
    "units_inspected",
    "wardens",
]


def _status(rec: Records, p: Period) -> pd.DataFrame:
    """Coverage status of every enterprise over ``p`` (computed once per period)."""

    def make():
        ents = rec.enterprises
        status = enterprise_status(
            ents[["uscc", "risk_level", "registered_on"]].assign(
                town_code=ents["town_code"].fillna("")
            ),
            rec.inspections[["uscc", "inspected_on"]],
            p.start,
            p.end,
            rec.due_days,
        )
        names = ents.set_index("uscc")
        status["enterprise_id"] = status["uscc"].map(names["enterprise_id"])
        status["name"] = status["uscc"].map(names["name"])
        return status

    return rec.memo(("status", p.start, p.end), make)


def _coverage_rows(rec: Records, p: Period, flag: str, as_rate: bool):
    st = _status(rec, p)
    if not as_rate:
        st = st[st[flag]]
    return tally_rows(
        st,
        st["town_code"],
        st[flag].astype(float),
        1.0 if as_rate else np.nan,
        enterprise_id=st["enterprise_id"],
        uscc=st["uscc"],
        name=st["name"],
        risk_level=st["risk_level"],
        last_inspected_on=st["last_inspected_on"],
        n_inspections=st["n_inspections"],
        status=st["status"],
    )


def units_inspected(rec: Records, p: Period) -> Tally:
    """Enterprises with at least one inspection in the period (the seed's 49,718)."""
    return Tally(
        "units_inspected", _coverage_rows(rec, p, "inspected_in_period", False)
    )


def inspected_rate(rec: Records, p: Period) -> Tally:
    """units_inspected / enterprises registered by the period's end (全覆盖)."""
    rows = _coverage_rows(rec, p, "inspected_in_period", True)
    return Tally("inspected_rate", rows, "rate")


def coverage_rate(rec: Records, p: Period) -> Tally:
    """Enterprises that kept their risk-based interval / enterprises."""
    return Tally("coverage_rate", _coverage_rows(rec, p, "is_on_time", True), "rate")


def inspections(rec: Records, p: Period) -> Tally:
    """Inspections, spot checks and patrols dated in the period."""
    ins = rec.inspections[within(rec.inspections["inspected_on"], p).to_numpy()]
    rows = tally_rows(
        ins,
        town_of(ins, rec.town_of()),
        1.0,
        month=month_of(ins["inspected_on"]).to_numpy(),
        enterprise_id=ins["enterprise_id"],
        inspected_on=ins["inspected_on"],
        kind=ins["kind"],
    )
    return Tally("inspections", rows)


def _enterprise_rows(ents: pd.DataFrame) -> dict:
    return {
        "enterprise_id": ents["enterprise_id"],
        "uscc": ents["uscc"],
        "name": ents["name"],
        "entered_on": ents["entered_on"],
    }


def enterprises(rec: Records, p: Period) -> Tally:
    """Enterprises in gridwatch's registry (一企一档) at the period's end."""
    ents = rec.enterprises
    ents = ents[on_or_before(ents["entered_on"], p.end).to_numpy()]
    rows = tally_rows(ents, ents["town_code"], 1.0, **_enterprise_rows(ents))
    return Tally("enterprises", rows)


def enterprises_new(rec: Records, p: Period) -> Tally:
    """Enterprises that entered the registry during the period (新增录入)."""
    ents = rec.enterprises
    ents = ents[within(ents["entered_on"], p).to_numpy()]
    month = month_of(ents["entered_on"]).to_numpy()
    rows = tally_rows(
        ents, ents["town_code"], 1.0, month=month, **_enterprise_rows(ents)
    )
    return Tally("enterprises_new", rows)


# --- hazards ---------------------------------------------------------------


def _hazard_detail(hz: pd.DataFrame) -> dict:
    return {
        "hazard_id": hz["hazard_id"],
        "enterprise_id": hz["enterprise_id"],
        "level": hz["level"],
        "category": hz["category"],
        "found_on": hz["found_on"],
        "deadline": hz["deadline"],
        "rectified_on": hz["rectified_on"],
        "closed_on": hz["closed_on"],
        "description": hz["description"],
    }


def _found(rec: Records, p: Period) -> pd.DataFrame:
    hz = rec.hazards
    return hz[within(hz["found_on"], p).to_numpy()]


def _hazard_tally(key, rec, hz, num, den=np.nan, month=None, kind="count") -> Tally:
    rows = tally_rows(
        hz,
        town_of(hz, rec.town_of()),
        num,
        den,
        month=month_of(hz["found_on"]).to_numpy() if month is None else month,
        **_hazard_detail(hz),
    )
    return Tally(key, rows, kind)


def hazards_found(rec: Records, p: Period) -> Tally:
    """Hazards found in the period (by month found)."""
    return _hazard_tally("hazards_found", rec, _found(rec, p), 1.0)


def hazards_rectified(rec: Records, p: Period) -> Tally:
    """Hazards found in the period and rectified by its end."""
    hz = _found(rec, p)
    hz = hz[on_or_before(hz["rectified_on"], p.end).to_numpy()]
    return _hazard_tally("hazards_rectified", rec, hz, 1.0)


def rectification_rate(rec: Records, p: Period) -> Tally:
    """hazards_rectified / hazards_found (the same hazards)."""
    hz = _found(rec, p)
    done = on_or_before(hz["rectified_on"], p.end).astype(float).to_numpy()
    return _hazard_tally("rectification_rate", rec, hz, done, 1.0, kind="rate")


def major_hazards(rec: Records, p: Period) -> Tally:
    """Major hazards (重大事故隐患) found in the period."""
    hz = _found(rec, p)
    return _hazard_tally(
        "major_hazards", rec, hz[(hz["level"] == "major").to_numpy()], 1.0
    )


def _by_step(rec: Records, p: Period, column: str) -> pd.DataFrame:
    hz = rec.hazards
    return hz[within(hz[column], p).to_numpy()]


def hazards_rectified_in_period(rec: Records, p: Period) -> Tally:
    """Hazards rectified in the period, whenever found (by month rectified)."""
    hz = _by_step(rec, p, "rectified_on")
    month = month_of(hz["rectified_on"]).to_numpy()
    return _hazard_tally("hazards_rectified_in_period", rec, hz, 1.0, month=month)


def hazards_closed(rec: Records, p: Period) -> Tally:
    """Hazards closed (销号) in the period, whenever found (by month closed)."""
    hz = _by_step(rec, p, "closed_on")
    month = month_of(hz["closed_on"]).to_numpy()
    return _hazard_tally("hazards_closed", rec, hz, 1.0, month=month)


def _deadline(hz: pd.DataFrame) -> pd.Series:
    """The deadline that binds: the listing deadline of a listed hazard if set."""
    listing = ts(hz["listing_deadline"])
    own = ts(hz["deadline"])
    use = hz["is_listed"].fillna(False).astype(bool).to_numpy() & listing.notna()
    return own.where(~use, listing)


def _overdue_at(hz: pd.DataFrame, day) -> np.ndarray:
    day = pd.Timestamp(day)
    found = ts(hz["found_on"]) <= day
    rect = ts(hz["rectified_on"])
    still_open = rect.isna() | (rect > day)
    deadline = _deadline(hz)
    return (found & still_open & deadline.notna() & (deadline < day)).to_numpy()


def hazards_overdue(rec: Records, p: Period) -> Tally:
    """Hazards open at the period's end whose deadline had passed (a stock)."""
    hz = rec.hazards
    hz = hz[_overdue_at(hz, p.end)]
    return _hazard_tally("hazards_overdue", rec, hz, 1.0, month="")


def overdue_major_hazards(rec: Records, p: Period) -> Tally:
    """Major hazards overdue at the period's end (assessment source)."""
    hz = rec.hazards
    hz = hz[_overdue_at(hz, p.end) & (hz["level"] == "major").to_numpy()]
    return _hazard_tally("overdue_major_hazards", rec, hz, 1.0, month="")


def rectification_on_time_rate(rec: Records, p: Period) -> Tally:
    """Of the hazards whose deadline fell in the period, the share rectified by it."""
    hz = rec.hazards
    deadline = _deadline(hz)
    due = (deadline >= pd.Timestamp(p.start)) & (deadline <= pd.Timestamp(p.end))
    hz, deadline = hz[due.to_numpy()], deadline[due]
    rect = ts(hz["rectified_on"])
    ok = (rect.notna() & (rect <= deadline)).astype(float).to_numpy()
    month = deadline.dt.strftime("%Y-%m").to_numpy()
    return _hazard_tally(
        "rectification_on_time_rate", rec, hz, ok, 1.0, month=month, kind="rate"
    )


def _listed_on(hz: pd.DataFrame) -> pd.Series:
    """The listing date; ``found_on`` where no listing date is kept."""
    listed = ts(hz["listed_on"])
    return listed.where(listed.notna(), ts(hz["found_on"]))


def _listed(rec: Records, p: Period) -> pd.DataFrame:
    hz = rec.hazards
    listed_on = _listed_on(hz)
    flag = hz["is_listed"].fillna(False).astype(bool) | ts(hz["listed_on"]).notna()
    keep = (
        flag & (listed_on >= pd.Timestamp(p.start)) & (listed_on <= pd.Timestamp(p.end))
    )
    return hz[keep.to_numpy()]


def listed_hazards(rec: Records, p: Period) -> Tally:
    """Hazards put under listed supervision (挂牌督办) in the period."""
    hz = _listed(rec, p)
    month = month_of(_listed_on(hz)).to_numpy()
    return _hazard_tally("listed_hazards", rec, hz, 1.0, month=month)


def listed_hazards_closed(rec: Records, p: Period) -> Tally:
    """Of listed_hazards, those closed (销号) by the period's end."""
    hz = _listed(rec, p)
    hz = hz[on_or_before(hz["closed_on"], p.end).to_numpy()]
    month = month_of(_listed_on(hz)).to_numpy()
    return _hazard_tally("listed_hazards_closed", rec, hz, 1.0, month=month)


def listed_hazards_closed_rate(rec: Records, p: Period) -> Tally:
    """Listed hazards closed by the period's end / listed hazards whose deadline
    fell in the period (assessment source)."""
    hz = rec.hazards
    flag = hz["is_listed"].fillna(False).astype(bool) | ts(hz["listed_on"]).notna()
    deadline = _deadline(hz)
    due = flag & (deadline >= pd.Timestamp(p.start)) & (deadline <= pd.Timestamp(p.end))
    hz = hz[due.to_numpy()]
    closed = on_or_before(hz["closed_on"], p.end).astype(float).to_numpy()
    return _hazard_tally(
        "listed_hazards_closed_rate", rec, hz, closed, 1.0, month="", kind="rate"
    )


# --- grids and wardens -------------------------------------------------------


def grids(rec: Records, p: Period) -> Tally:
    """Grids of the version active at the period's end."""
    g = rec.grids
    act, ret = ts(g["activated_on"]), ts(g["retired_on"])
    end = pd.Timestamp(p.end)
    live = (act <= end) & (ret.isna() | (ret > end))
    g = g[live.to_numpy()]
    if len(g):  # the latest activated version in force that day
        latest = ts(g["activated_on"]).max()
        g = g[(ts(g["activated_on"]) == latest).to_numpy()]
    towns = [town_of_code(c) for c in g["code"]]
    rows = tally_rows(g, np.asarray(towns, dtype=object), 1.0, grid_code=g["code"])
    return Tally("grids", rows)


def _distinct_wardens(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Wardens counted once per group (one with grids in two towns is one)."""
    if not by:
        return pd.DataFrame(
            {"num": [float(rows["warden_id"].nunique())], "den": [np.nan]}
        )
    out = rows.groupby(by, dropna=False)["warden_id"].nunique().astype(float)
    return pd.DataFrame({"num": out, "den": np.nan})


def wardens(rec: Records, p: Period) -> Tally:
    """Wardens responsible for at least one grid on the period's end."""
    gw = rec.grid_wardens
    end = pd.Timestamp(p.end)
    frm, to = ts(gw["valid_from"]), ts(gw["valid_to"])
    gw = gw[((frm <= end) & (to.isna() | (to > end))).to_numpy()]
    gw = gw.drop_duplicates(["grid_code", "warden_id"])
    towns = np.asarray([town_of_code(c) for c in gw["grid_code"]], dtype=object)
    rows = tally_rows(
        gw, towns, 1.0, warden_id=gw["warden_id"], grid_code=gw["grid_code"]
    )
    return Tally("wardens", rows, aggregate=_distinct_wardens)
