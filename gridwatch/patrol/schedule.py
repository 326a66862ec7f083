"""Due visits: which enterprise must be inspected by when, and why.

Three rules make a visit due (安全风险分级管控: the higher the risk level, the more
often an enterprise is inspected; 安全生产事故隐患排查治理暂行规定 (former SAWS Order
No. 16, 2007): a hazard is rectified by a deadline and then re-inspected, 复查):

* **interval** — every enterprise is due its risk level's interval (``due_days``,
  the service reads ``GRIDWATCH_DUE_DAYS``) after its last inspection, else after
  its registration date; one never inspected and with no registration date is due
  at once (on the window's first day);
* **hazard re-inspection** — an open hazard (status not closed) whose rectification
  deadline is on or before the window's last day makes a visit due on that
  deadline, unless the enterprise was inspected on or after the deadline (that
  inspection was the re-inspection; a failed one sets a new deadline upstream);
  a hazard without a deadline makes nothing due by itself;
* **campaign** — a special campaign (专项整治) running during the window makes each
  target enterprise not yet inspected since the campaign started due by the
  campaign's last day, and not before its first day.

Visits are merged the way an inspection really works: one visit satisfies every
rule due by its date (it resets the interval, re-inspects every hazard whose
deadline has come, and counts for every campaign already running). So the walk
for one enterprise is: take the earliest due date ``d``; the visit happens no
earlier than ``max(d, window start)``; the interval restarts from that day; the
next due date is the earliest remaining one; stop after the window's last day.
A visit due after the window is not listed (not due in this window).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from gridwatch.errors import InvalidInputError
from gridwatch.frames import require_columns
from gridwatch.patrol.window import PlanWindow
from gridwatch.vocab import RISK_LEVELS

__all__ = ["DUE_COLUMNS", "due_visits", "risk_rank", "validate_due_days"]

#: Columns of :func:`due_visits`' result, in order.
DUE_COLUMNS = [
    "visit_id",
    "enterprise_id",
    "visit_no",
    "risk_level",
    "due_on",
    "earliest_on",
    "days_overdue",
    "reasons",
    "reason_text",
    "hazard_ids",
    "campaign_ids",
    "last_inspected_on",
    "interval_days",
]
_RISK_ZH = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}


def risk_rank(level: str) -> int:
    """0 for red (highest) … 3 for blue, in :data:`gridwatch.vocab.RISK_LEVELS` order.

    >>> [risk_rank(r) for r in ("red", "blue")]
    [0, 3]
    """
    return list(RISK_LEVELS).index(level)


def validate_due_days(due_days: Mapping[str, float]) -> dict[str, int]:
    """Check the interval per risk level: known levels, whole days >= 1.

    Raises
    ------
    InvalidInputError
        An unknown risk level, a missing level, or an interval that is not a
        whole number of days of at least 1.

    >>> validate_due_days({"red": 30, "orange": 90, "yellow": 182.0, "blue": 365})
    {'red': 30, 'orange': 90, 'yellow': 182, 'blue': 365}
    """
    out = {}
    for level, days in dict(due_days).items():
        if level not in RISK_LEVELS:
            raise InvalidInputError(
                f"The due intervals name an unknown risk level {level!r}; use "
                f"{', '.join(RISK_LEVELS)}."
            )
        if not isinstance(days, (int, float)) or days != int(days) or days < 1:
            raise InvalidInputError(
                f"The due interval for {level} must be a whole number of days, at "
                f"least 1, not {days!r}."
            )
        out[level] = int(days)
    missing = [r for r in RISK_LEVELS if r not in out]
    if missing:
        raise InvalidInputError(
            f"The due intervals lack risk level(s) {', '.join(missing)}; give a "
            "number of days for each of red, orange, yellow, blue."
        )
    return out


def _dates(frame: pd.DataFrame, column: str, name: str) -> np.ndarray:
    """A date column as datetime64[D] (NaT where missing), or one sentence."""
    raw = frame[column]
    values = pd.to_datetime(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any():
        raise InvalidInputError(
            f"{name}.{column} holds {raw[bad].iloc[0]!r}, which is not a date; "
            "write dates as 2026-12-01."
        )
    return values.to_numpy("datetime64[D]")


def _check_enterprises(enterprises: pd.DataFrame, due_days: dict) -> None:
    require_columns(
        enterprises, ["enterprise_id", "risk_level", "last_inspected_on"], "enterprises"
    )
    ids = enterprises["enterprise_id"]
    if ids.isna().any():
        raise InvalidInputError("An enterprise has no enterprise_id; give every one.")
    dup = ids[ids.duplicated()]
    if len(dup):
        raise InvalidInputError(
            f"Enterprise {dup.iloc[0]!r} is listed twice; give each enterprise once."
        )
    risk = enterprises["risk_level"]
    bad = ~risk.isin(list(due_days))
    if bad.any():
        row = enterprises[bad].iloc[0]
        raise InvalidInputError(
            f"Enterprise {row['enterprise_id']!r} has unknown risk level "
            f"{row['risk_level']!r}; use one of {', '.join(due_days)}."
        )


def _interval_rows(ent: pd.DataFrame, first: np.ndarray, window: PlanWindow):
    """Visits of enterprises with only the interval rule (vectorised)."""
    start, end = np.datetime64(window.start, "D"), np.datetime64(window.end, "D")
    interval = ent["interval_days"].to_numpy(np.int64)
    due = first <= end
    eff = np.maximum(first, start)
    n = np.where(due, 1 + (end - eff).astype(np.int64) // interval, 0)
    idx = np.repeat(np.arange(len(ent)), n)
    k = np.arange(len(idx)) - np.repeat(np.cumsum(n) - n, n)  # 0-based visit number
    due_on = np.where(k == 0, first[idx], eff[idx] + k * interval[idx])
    out = ent.iloc[idx].reset_index(drop=True)
    out["visit_no"] = k + 1
    out["due_on"] = due_on
    out["hazard_ids"] = [()] * len(out)
    out["campaign_ids"] = [()] * len(out)
    out["earliest_on"] = np.datetime64("NaT", "D")
    never = out["is_never"].to_numpy() & (k == 0)
    out["reasons"] = [("never_inspected",) if v else ("interval",) for v in never]
    return out


def _walk(first, interval, never, hazards, campaigns, window: PlanWindow):
    """The due visits of one enterprise with hazards or campaigns (see module doc)."""
    start, end = window.start, window.end
    hz = sorted(hazards)  # (deadline, hazard_id)
    cp = sorted(campaigns)  # (starts_on, ends_on, campaign_id)
    next_int, prev, visits = first, None, []
    while True:
        cands = [next_int] + [h[0] for h in hz] + [c[1] for c in cp]
        d = min(cands)
        if d > end:
            return visits
        eff = max(d, start, prev + dt.timedelta(days=1) if prev else start)
        reasons = []
        if next_int <= d:
            reasons.append("never_inspected" if never and not visits else "interval")
        done_h = [h for h in hz if h[0] <= d]
        done_c = [c for c in cp if c[0] <= d]
        reasons += [f"hazard:{h[1]}" for h in done_h]
        reasons += [f"campaign:{c[2]}" for c in done_c]
        earliest = max((c[0] for c in done_c), default=None)
        visits.append(
            (
                d,
                earliest,
                tuple(reasons),
                tuple(h[1] for h in done_h),
                tuple(c[2] for c in done_c),
            )
        )
        hz = [h for h in hz if h[0] > d]
        cp = [c for c in cp if c[0] > d]
        next_int, prev = eff + dt.timedelta(days=int(interval)), eff


def _events(hazards, campaigns, ent, window: PlanWindow, closed_statuses):
    """Per enterprise_id: open hazards' (deadline, id) and campaigns' periods."""
    last = dict(zip(ent["enterprise_id"], ent["last_d"].to_numpy("datetime64[D]")))
    h_ev: dict = {}
    if hazards is not None and len(hazards):
        require_columns(
            hazards, ["hazard_id", "enterprise_id", "deadline", "status"], "hazards"
        )
        dl = _dates(hazards, "deadline", "hazards")
        end = np.datetime64(window.end, "D")
        keep = (~hazards["status"].isin(list(closed_statuses))).to_numpy().copy()
        keep &= ~np.isnat(dl) & (dl <= end)
        keep &= hazards["enterprise_id"].isin(last).to_numpy()
        for hid, eid, d in zip(
            hazards["hazard_id"][keep], hazards["enterprise_id"][keep], dl[keep]
        ):
            lst = last[eid]
            if np.isnat(lst) or lst < d:
                h_ev.setdefault(eid, []).append((d.astype(dt.date), hid))
    c_ev: dict = {}
    if campaigns is not None and len(campaigns):
        require_columns(
            campaigns,
            ["campaign_id", "name", "starts_on", "ends_on", "enterprise_id"],
            "campaigns",
        )
        s = _dates(campaigns, "starts_on", "campaigns")
        e = _dates(campaigns, "ends_on", "campaigns")
        if (np.isnat(s) | np.isnat(e)).any() or (e < s).any():
            raise InvalidInputError(
                "A campaign has a missing period or ends before it starts; give "
                "starts_on <= ends_on for every campaign."
            )
        run = (s <= np.datetime64(window.end, "D")) & (
            e >= np.datetime64(window.start, "D")
        )
        run &= campaigns["enterprise_id"].isin(last).to_numpy()
        for cid, eid, a, b in zip(
            campaigns["campaign_id"][run],
            campaigns["enterprise_id"][run],
            s[run],
            e[run],
        ):
            lst = last[eid]
            if np.isnat(lst) or lst < a:
                c_ev.setdefault(eid, []).append(
                    (a.astype(dt.date), b.astype(dt.date), cid)
                )
    return h_ev, c_ev


def _reason_text(row, hazard_deadline: dict, campaign_info: dict) -> str:
    """Chinese text of a visit's reasons, e.g. "周期检查(红色,每30天)；隐患#7复查"."""
    parts = []
    for code in row.reasons:
        kind, _, ref = code.partition(":")
        if kind == "interval":
            last = row.last_inspected_on
            since = f"，上次{last}" if last is not None and not pd.isna(last) else ""
            parts.append(
                f"周期检查({_RISK_ZH.get(row.risk_level, row.risk_level)}，"
                f"每{row.interval_days}天{since})"
            )
        elif kind == "never_inspected":
            parts.append("从未检查")
        elif kind == "hazard":
            hid = next(h for h in row.hazard_ids if str(h) == ref)
            parts.append(f"隐患#{hid}复查(整改期限{hazard_deadline[hid]})")
        else:
            cid = next(c for c in row.campaign_ids if str(c) == ref)
            name, a, b = campaign_info[cid]
            parts.append(f"专项整治「{name}」({a}至{b})")
    return "；".join(parts)


def due_visits(
    enterprises: pd.DataFrame,
    window: PlanWindow,
    due_days: Mapping[str, float],
    *,
    hazards: pd.DataFrame | None = None,
    campaigns: pd.DataFrame | None = None,
    closed_statuses: tuple[str, ...] = ("closed",),
) -> pd.DataFrame:
    """List the visits due in ``window``, one row per visit, most urgent first.

    Parameters
    ----------
    enterprises : pandas.DataFrame
        One row per enterprise. Required: ``enterprise_id`` (unique, hashable),
        ``risk_level`` (a key of ``due_days``: red/orange/yellow/blue),
        ``last_inspected_on`` (date of the last inspection, None/NaT if never).
        Optional: ``registered_on`` (date; the interval counts from it when
        there was no inspection). Other columns are ignored.
    window : PlanWindow
        From :func:`gridwatch.patrol.window.make_window`.
    due_days : mapping of str to int
        Interval in calendar days per risk level (``GRIDWATCH_DUE_DAYS``, e.g.
        red 30, orange 90, yellow 182, blue 365).
    hazards : pandas.DataFrame, optional
        ``hazard_id``, ``enterprise_id``, ``deadline`` (rectification deadline,
        date or None), ``status`` (vocab.HAZARD_STATUSES key). Rows of
        enterprises not in ``enterprises`` are ignored.
    campaigns : pandas.DataFrame, optional
        One row per (campaign, target enterprise): ``campaign_id``, ``name``,
        ``starts_on``, ``ends_on`` (dates, both included), ``enterprise_id``.
    closed_statuses : tuple of str
        Hazard statuses that need no re-inspection.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DUE_COLUMNS`: ``visit_id`` ("<enterprise_id>#<visit_no>"),
        ``enterprise_id``, ``visit_no`` (1, 2, … within the window),
        ``risk_level``, ``due_on`` (date), ``earliest_on`` (date a campaign visit
        counts from, else None), ``days_overdue`` (whole days the visit is
        already late on the window's first day, 0 if not yet due),
        ``reasons`` (tuple of codes: "interval", "never_inspected",
        "hazard:<id>", "campaign:<id>"), ``reason_text`` (Chinese),
        ``hazard_ids``, ``campaign_ids`` (tuples), ``last_inspected_on``,
        ``interval_days``. Sorted by due date, then risk (red first), then id.

    Raises
    ------
    InvalidInputError
        A missing column, a duplicate or missing enterprise id, an unknown risk
        level (in ``due_days`` or an enterprise), a bad interval, a value that
        is not a date, or a campaign that ends before it starts.

    Examples
    --------
    >>> from gridwatch.patrol.window import make_window
    >>> w = make_window("2026-12-01", 31, today="2026-12-01")
    >>> ents = pd.DataFrame({"enterprise_id": ["A", "B"], "risk_level": ["red", "blue"],
    ...     "last_inspected_on": [dt.date(2026, 11, 20), dt.date(2026, 6, 1)]})
    >>> days = {"red": 30, "orange": 90, "yellow": 182, "blue": 365}
    >>> due_visits(ents, w, days)[["visit_id", "due_on", "days_overdue"]]
      visit_id      due_on  days_overdue
    0      A#1  2026-12-20             0
    """
    days = validate_due_days(due_days)
    _check_enterprises(enterprises, days)
    ent = enterprises[["enterprise_id", "risk_level"]].reset_index(drop=True).copy()
    ent["interval_days"] = ent["risk_level"].map(days).astype(np.int64)
    last = _dates(enterprises, "last_inspected_on", "enterprises")
    reg = (
        _dates(enterprises, "registered_on", "enterprises")
        if "registered_on" in enterprises
        else np.full(len(ent), np.datetime64("NaT"), "datetime64[D]")
    )
    base = np.where(np.isnat(last), reg, last)
    ent["last_d"] = last
    ent["is_never"] = np.isnat(base)
    start = np.datetime64(window.start, "D")
    first = np.where(
        np.isnat(base), start, base + ent["interval_days"].to_numpy(np.int64)
    )
    h_ev, c_ev = _events(hazards, campaigns, ent, window, closed_statuses)
    special = ent["enterprise_id"].isin(set(h_ev) | set(c_ev)).to_numpy()
    parts = [_interval_rows(ent[~special], first[~special], window)]
    parts.append(_walked_rows(ent[special], first[special], h_ev, c_ev, window))
    parts = [p for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return _finish(
        out,
        last_of=dict(zip(ent["enterprise_id"], last)),
        window=window,
        hazards=hazards,
        campaigns=campaigns,
    )


def _walked_rows(ent, first, h_ev, c_ev, window) -> pd.DataFrame:
    rows = []
    for rec, f in zip(ent.itertuples(index=False), first):
        eid = rec.enterprise_id
        visits = _walk(
            f.astype(dt.date),
            rec.interval_days,
            rec.is_never,
            h_ev.get(eid, []),
            c_ev.get(eid, []),
            window,
        )
        for k, (d, earliest, reasons, hids, cids) in enumerate(visits, start=1):
            rows.append(
                {
                    "enterprise_id": eid,
                    "risk_level": rec.risk_level,
                    "interval_days": rec.interval_days,
                    "visit_no": k,
                    "due_on": np.datetime64(d, "D"),
                    "earliest_on": np.datetime64(earliest, "D")
                    if earliest
                    else np.datetime64("NaT", "D"),
                    "reasons": reasons,
                    "hazard_ids": hids,
                    "campaign_ids": cids,
                }
            )
    return pd.DataFrame(rows)


def _as_date_objects(values: np.ndarray) -> list:
    return [None if np.isnat(v) else v.astype(dt.date) for v in values]


def _finish(out, *, last_of, window, hazards, campaigns) -> pd.DataFrame:
    """Fill the derived columns, sort, and return :data:`DUE_COLUMNS`."""
    if not len(out):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DUE_COLUMNS})
    due = out["due_on"].to_numpy("datetime64[D]")
    start = np.datetime64(window.start, "D")
    out["days_overdue"] = np.maximum((start - due).astype(np.int64), 0)
    out["_rank"] = out["risk_level"].map(risk_rank)
    out = out.sort_values(
        ["due_on", "_rank", "enterprise_id", "visit_no"],
        kind="stable",
        ignore_index=True,
    )
    out["due_on"] = _as_date_objects(out["due_on"].to_numpy("datetime64[D]"))
    out["earliest_on"] = _as_date_objects(out["earliest_on"].to_numpy("datetime64[D]"))
    out["last_inspected_on"] = _as_date_objects(
        np.array([last_of[e] for e in out["enterprise_id"]], "datetime64[D]")
    )
    out["visit_id"] = [
        f"{e}#{k}" for e, k in zip(out["enterprise_id"], out["visit_no"])
    ]
    hz_dl = {}
    if hazards is not None and len(hazards):
        hz_dl = dict(
            zip(
                hazards["hazard_id"],
                _as_date_objects(_dates(hazards, "deadline", "hazards")),
            )
        )
    cp = {}
    if campaigns is not None and len(campaigns):
        cp = {
            c: (n, pd.Timestamp(a).date(), pd.Timestamp(b).date())
            for c, n, a, b in zip(
                campaigns["campaign_id"],
                campaigns["name"],
                campaigns["starts_on"],
                campaigns["ends_on"],
            )
        }
    out["reason_text"] = [_reason_text(r, hz_dl, cp) for r in out.itertuples()]
    out["visit_no"] = out["visit_no"].astype(np.int64)
    out["interval_days"] = out["interval_days"].astype(np.int64)
    return out[DUE_COLUMNS]
