"""Figures of enforcement and the enterprises' own duties: penalties, self-reports,
special campaigns.

* **Penalties** (行政处罚), **fines** (经济处罚) and the **fine amount** are
  :func:`gridwatch.supervision.penalties.penalty_totals` and nothing else: the
  tally keeps the decisions as rows and aggregates them with that function, so
  a town's, a month's and the district's totals follow its one rule (yuan added
  in whole fen).
* **Self-report rate** (自查自报率): for each month of the period, the
  enterprises expected to report (:mod:`gridwatch.supervision.selfreports`:
  legal-person enterprises registered by the month's end), judged on the day
  after the last month's report fell due, or on the records' day if earlier.
  A report not yet due on that day (``pending``) is left out of the
  denominator: it is neither on time nor late yet. Submitted on time or late
  counts as submitted. So a closed period gives the same rate whenever it is
  recomputed, and the running month does not drag the rate down.
* **Campaigns** (专项整治): the campaigns whose period overlaps ours; their
  completion is :func:`gridwatch.supervision.campaigns.enterprise_progress` at
  the period's end (or the campaign's end if earlier): reached targets / targets.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from gridwatch.analytics.bureau._rows import month_of, tally_rows, town_of, within
from gridwatch.analytics.bureau.period import Period
from gridwatch.analytics.bureau.records import Records
from gridwatch.analytics.bureau.tally import Tally, unavailable
from gridwatch.supervision.campaigns import CampaignSpec, enterprise_progress
from gridwatch.supervision.penalties import penalty_totals
from gridwatch.supervision.selfreports import due_date, report_status

__all__ = [
    "campaign_completion",
    "campaigns",
    "fine_amount",
    "fines",
    "penalties",
    "self_report_rate",
]

_TOTAL_COLUMN = {
    "penalties": "penalties",
    "fines": "fines",
    "fine_amount": "fines_yuan",
}


def _penalty_aggregate(column: str):
    """Aggregate decision rows with penalty_totals, reading ``column``."""

    def agg(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
        by = [b for b in by if b != "month"] + (["month"] if "month" in by else [])
        out = penalty_totals(rows, by=tuple(by))
        out = out.rename(columns={column: "num"})
        out["num"] = out["num"].astype(float)
        out["den"] = np.nan
        if by:
            out = out.set_index(by)
        return out[["num", "den"]]

    return agg


def _penalty_tally(key: str, rec: Records, p: Period) -> Tally:
    pen = rec.penalties
    pen = pen[within(pen["decided_on"], p).to_numpy()]
    rows = tally_rows(
        pen,
        town_of(pen, rec.town_of()),
        1.0,
        month=month_of(pen["decided_on"]).to_numpy(),
        penalty_id=pen["penalty_id"],
        enterprise_id=pen["enterprise_id"],
        decided_on=pen["decided_on"],
        kind=pen["kind"],
        amount_yuan=pen["amount_yuan"].astype(float),
        decision_no=pen["decision_no"],
    )
    if key != "penalties":  # the drill-down of fines lists only the fines
        rows = rows[(rows["kind"] == "fine").to_numpy()].reset_index(drop=True)
    kind = "sum" if key == "fine_amount" else "count"
    return Tally(key, rows, kind, aggregate=_penalty_aggregate(_TOTAL_COLUMN[key]))


def penalties(rec: Records, p: Period) -> Tally:
    """Administrative penalty decisions in the period (the seed's 432)."""
    return _penalty_tally("penalties", rec, p)


def fines(rec: Records, p: Period) -> Tally:
    """Decisions with a fine in the period (the seed's 153)."""
    return _penalty_tally("fines", rec, p)


def fine_amount(rec: Records, p: Period) -> Tally:
    """Sum of the fines in yuan (the seed's 2,196,200)."""
    return _penalty_tally("fine_amount", rec, p)


def _judged_on(rec: Records, p: Period) -> dt.date:
    """The day after the last month's report fell due (on the due day itself a
    report is still on time), or the records' day if that is earlier."""
    last_due = due_date(p.months[-1], rec.self_report_due_day)
    return min(last_due + dt.timedelta(days=1), rec.today)


def self_report_rate(rec: Records, p: Period) -> Tally:
    """Monthly self-reports submitted / due (rules in the module docstring)."""
    ents = rec.enterprises
    frame = pd.DataFrame(
        {
            "uscc": ents["uscc"].to_numpy(),
            "registered_on": ents["registered_on"].to_numpy(),
            "town_code": ents["town_code"].fillna("").to_numpy(),
            "enterprise_id": ents["enterprise_id"].to_numpy(),
            "name": ents["name"].to_numpy(),
        }
    )
    on = _judged_on(rec, p)
    parts = []
    for month in p.months:
        st = report_status(
            frame, rec.self_reports, month, on, due_day=rec.self_report_due_day
        )
        st = st[(st["status"] != "pending").to_numpy()]
        parts.append(st.assign(month=month))
    st = pd.concat(parts, ignore_index=True) if parts else frame.iloc[0:0]
    if st.empty:
        st = st.assign(status=pd.Series(dtype=object), month=pd.Series(dtype=object))
    done = st["status"].isin(["reported", "late"]).astype(float)
    rows = tally_rows(
        st,
        st["town_code"],
        done,
        1.0,
        month=st["month"],
        enterprise_id=st["enterprise_id"],
        uscc=st["uscc"],
        name=st["name"],
        status=st["status"],
    )
    return Tally("self_report_rate", rows, "rate")


_NO_CAMPAIGNS = "本库尚无专项整治记录"


def _specs(rec: Records, p: Period) -> list[tuple[int, str, CampaignSpec]]:
    out = []
    for row in rec.campaigns.itertuples(index=False):
        spec = CampaignSpec.from_dict(row.spec)
        if spec.start <= p.end and spec.end >= p.start:
            out.append((row.campaign_id, row.name, spec))
    return out


def campaigns(rec: Records, p: Period) -> Tally:
    """Special campaigns running at some time in the period (district-wide)."""
    if rec.campaigns is None:
        return unavailable("campaigns", _NO_CAMPAIGNS)
    specs = _specs(rec, p)
    frame = pd.DataFrame(
        {
            "campaign_id": [c for c, _, _ in specs],
            "name": [n for _, n, _ in specs],
            "starts_on": [s.start for _, _, s in specs],
            "ends_on": [s.end for _, _, s in specs],
        }
    )
    return Tally("campaigns", tally_rows(frame, "", 1.0, **frame.to_dict("series")))


def campaign_completion(rec: Records, p: Period) -> Tally:
    """Targets of the period's campaigns that reached their inspections / targets."""
    if rec.campaigns is None or rec.campaign_targets is None:
        return unavailable("campaign_completion", _NO_CAMPAIGNS, "rate")
    ents = rec.enterprises.set_index("enterprise_id")
    parts = []
    for cid, name, spec in _specs(rec, p):
        tg = rec.campaign_targets[rec.campaign_targets["campaign_id"] == cid]
        targets = pd.DataFrame(
            {
                "enterprise_id": tg["enterprise_id"].to_numpy(),
                "uscc": tg["enterprise_id"].map(ents["uscc"]).to_numpy(),
            }
        ).dropna(subset=["uscc"])
        each = enterprise_progress(
            targets, rec.inspections, spec, on=min(p.end, spec.end)
        )
        parts.append(each.assign(campaign_id=cid, campaign=name))
    if not parts:
        each = pd.DataFrame(
            columns=[
                "enterprise_id",
                "uscc",
                "inspections",
                "is_reached",
                "campaign_id",
                "campaign",
            ]
        )
    else:
        each = pd.concat(parts, ignore_index=True)
    rows = tally_rows(
        each,
        each["enterprise_id"].map(rec.town_of()).fillna(""),
        each["is_reached"].astype(float),
        1.0,
        campaign=each["campaign"],
        enterprise_id=each["enterprise_id"],
        uscc=each["uscc"],
        inspections=each["inspections"],
    )
    return Tally("campaign_completion", rows, "rate")
