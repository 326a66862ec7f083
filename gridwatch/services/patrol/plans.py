"""Make (or regenerate) a street's patrol plan and store it.

The rules are :mod:`gridwatch.patrol`'s (due dates, capacity, overflow, day
grouping, routes); this use case reads the street's data, runs that pipeline and
stores the result: one ``patrol_plans`` row per street and window (start, days),
``patrol_days`` for every warden working day, ``patrol_stops`` in route order,
``patrol_unplanned`` for every due visit that did not fit, with its reason.

Regenerating the same window replaces the plan's days, stops and unplanned rows
in one transaction (the plan keeps its id, ``revision`` goes up, the audit log
gets the old and new figures). Plans of other windows are left alone; where two
plans cover a day, a warden's day view reads the one regenerated last.

Choices made here:

* responsibility is read on the day the plan is made (``today``): an
  enterprise's visits go to the warden responsible for its grid then; after a
  reassignment, regenerate;
* the wardens planned are the street's active wardens who hold grids; one who
  holds none is left out and named in ``warnings`` (named explicitly, with
  ``wardens=``, it is an error);
* the holiday file is ``holidays`` or else the ``GRIDWATCH_HOLIDAYS_FILE``
  setting (on top of the official arrangement: :mod:`gridwatch.patrol.calendar`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pandas as pd

from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context
from gridwatch.services.patrol import inputs
from gridwatch.services.patrol.store import store_plan
from gridwatch.services.reassign_inputs import street_of_actor
from gridwatch.timeutil import today as _today

Progress = Callable[[float, str | None], None]


def _calendar(ctx: Context, holidays):
    from gridwatch.patrol import make_calendar, read_holiday_file

    source = holidays if holidays is not None else ctx.settings.holidays_file
    if source is None or (isinstance(source, str) and not source.strip()):
        return make_calendar(), None
    frame = source if isinstance(source, pd.DataFrame) else read_holiday_file(source)
    name = None if isinstance(source, pd.DataFrame) else str(source)
    return make_calendar(frame), {"file": name, "rows": len(frame)}


def _visits_per_day(ctx: Context, value) -> int:
    value = ctx.settings.patrol_visits_per_day if value is None else value
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(
            f"Visits per day must be a whole number, not {value!r}."
        )
    if value < 1:
        raise InvalidInputError(
            f"Visits per day must be at least 1, not {value}: a day of zero "
            "capacity plans nothing (give days off in the holiday file)."
        )
    return value


def _wardens(conn, street: str, ents, named, day):
    """(wardens planned, who was left out and why, a sentence per one left out).

    Planned: the street's active wardens whose grids (held on ``day``) hold
    enterprises. Left out: ``no_grid`` (holds no grid) and ``no_enterprises``
    (holds grids with no enterprise in them)."""
    staff = inputs.street_wardens(conn, street)
    with_grids = inputs.wardens_holding_grids(conn, list(staff["warden"]), day)
    busy = set(ents["warden"].dropna())
    if named:
        unknown = sorted(set(named) - set(staff["username"]))
        if unknown:
            raise NotFoundError(
                f"{unknown[0]} is not an active warden of street {street}."
            )
        staff = staff[staff["username"].isin(named)]
        idle = staff[~staff["warden"].isin(busy)]
        if len(idle):
            raise InvalidInputError(
                f"Warden {idle['username'].iloc[0]} has no grids or enterprises to "
                "visit; assign grids to them first, or leave them out of the plan."
            )
    idle = staff[~staff["warden"].isin(busy)]
    left_out = {
        "no_grid": sorted(idle[~idle["warden"].isin(with_grids)]["username"]),
        "no_enterprises": sorted(idle[idle["warden"].isin(with_grids)]["username"]),
    }
    warnings = [
        f"Warden {u} holds no grid and is not planned." for u in left_out["no_grid"]
    ]
    warnings += [
        f"Warden {u}'s grids hold no enterprise; not planned."
        for u in left_out["no_enterprises"]
    ]
    staff = staff[staff["warden"].isin(busy)].reset_index(drop=True)
    if staff.empty:
        raise InvalidInputError(
            f"No warden of street {street} holds a grid with enterprises; assign "
            "grids to the wardens before planning patrols.",
            details={"hint": "gridwatch wardens assign --street " + street},
        )
    return staff, left_out, warnings


def compute_plan(
    ctx: Context,
    street: str,
    window,
    *,
    visits_per_day: int,
    holidays=None,
    named=None,
    progress: Progress | None = None,
):
    """Read the street and run the patrol pipeline; (frames, facts) to store."""
    from gridwatch.patrol import due_visits, plan_visits, route_plan

    report = progress or (lambda share, text=None: None)
    calendar, holiday_info = _calendar(ctx, holidays)
    t0 = time.perf_counter()
    report(0.05, "读取企业、检查记录和隐患")
    with ctx.engine.connect() as conn:
        ents = inputs.enterprises(conn, street, window.today)
        hazards = inputs.open_hazards(conn, street, window.today)
        campaigns, warnings = inputs.running_campaigns(conn, street, window)
        staff, left_out, idle = _wardens(conn, street, ents, named, window.today)
        bases = inputs.bases(conn, list(staff["warden"]), window.today)
    # enterprises of wardens not planned (left out by name) are nobody's here
    ents.loc[~ents["warden"].isin(set(staff["warden"])), "warden"] = None
    report(0.2, "计算到期巡查")
    due = due_visits(
        ents,
        window,
        ctx.settings.due_days,
        hazards=hazards,
        campaigns=campaigns,
        closed_statuses=inputs.CLOSED_HAZARD_STATUSES,
    )
    report(0.3, "排入网格员工作日")
    plan = plan_visits(
        due,
        ents,
        staff[["warden"]],
        window,
        calendar,
        visits_per_day=visits_per_day,
    )

    def routed(done, total):
        report(0.35 + 0.55 * done / max(total, 1), f"排路线 {done}/{total}")

    itin = route_plan(plan.planned, ents, bases, progress=routed)
    facts = {
        "holidays": holiday_info,
        "warnings": idle + warnings + list(plan.warnings),
        # for pages: who was left out (codes, translated there) and other notes
        "left_out": left_out,
        "notes": warnings + list(plan.warnings),
        "seconds": round(time.perf_counter() - t0, 2),
        "due_reasons": _reason_counts(due),
    }
    return ents, staff, bases, due, plan, itin, facts


def _reason_counts(due) -> dict:
    if not len(due):
        return {}
    kinds = due["reasons"].explode().astype(str).str.split(":").str[0]
    return {k: int(v) for k, v in kinds.value_counts().items()}


def plan_patrols(
    ctx: Context,
    actor: Actor,
    street: str | None = None,
    start=None,
    days: int = 7,
    *,
    visits_per_day: int | None = None,
    holidays=None,
    wardens: list[str] | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> dict:
    """Plan a street's patrols for ``days`` days from ``start`` and store the plan.

    Parameters
    ----------
    street : str, optional
        9-digit street code (a street office's own by default).
    start : date or str, optional
        First day (default: today); never before today.
    days : int
        Calendar days, 1..366.
    visits_per_day : int, optional
        Each warden's visits per working day (default ``GRIDWATCH_PATROL_VISITS_PER_DAY``).
    holidays : path or DataFrame, optional
        Holiday file (default ``GRIDWATCH_HOLIDAYS_FILE``).
    wardens : list of str, optional
        Plan only these wardens (usernames); each must hold grids.
    progress : callable, optional
        ``progress(share 0..1, text)``.

    Returns
    -------
    dict
        :func:`gridwatch.services.patrol.store.store_plan`'s summary: ``plan``
        (id), ``revision``, ``replaced``, window, counts of due / planned /
        late / unplanned visits (with reasons), per-warden figures, routes and
        kilometres, ``warnings``.

    Raises
    ------
    InvalidInputError
        One sentence each: ``days`` < 1 or > 366, a start before today or not a
        date, visits per day < 1, a year whose holidays are unknown, a holiday
        file that cannot be read, a named warden without grids, no warden
        holding grids.
    PermissionDeniedError
        Another street than a street office's own; a role that may not plan.
    """
    from gridwatch.patrol import make_window

    street = street_of_actor(actor, street, "Planning patrols")
    today = today or _today()
    window = make_window(start or today, days, today=today)
    k = _visits_per_day(ctx, visits_per_day)
    frames = compute_plan(
        ctx,
        street,
        window,
        visits_per_day=k,
        holidays=holidays,
        named=wardens,
        progress=progress,
    )
    if progress:
        progress(0.92, "保存计划")
    return store_plan(ctx, actor, street, window, k, frames)


# --- the patrol.plan job -------------------------------------------------------


def check_plan_job(ctx: Context, actor: Actor, params: dict) -> dict:
    """Check a plan request before it is queued (same sentences as the plan)."""
    from gridwatch.patrol import make_window

    street = street_of_actor(actor, params.get("street"), "Planning patrols")
    today = _today()
    days = params.get("days")
    window = make_window(params.get("start") or today, days, today=today)
    k = _visits_per_day(ctx, params.get("visits_per_day"))
    return {
        "street": street,
        "start": window.start.isoformat(),
        "days": window.days,
        "visits_per_day": k,
    }


def run_plan_job(ctx: Context, actor: Actor, params: dict, progress) -> dict:
    """The ``patrol.plan`` job."""
    out = plan_patrols(
        ctx,
        actor,
        params["street"],
        params["start"],
        params["days"],
        visits_per_day=params["visits_per_day"],
        progress=progress,
    )
    return {
        k: out[k]
        for k in ("plan", "revision", "replaced", "window", "counts", "warnings")
    }
