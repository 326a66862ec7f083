"""Rectification deadlines: defaults by level, the one extension, overdue derived.

Rules (calendar days; a deadline is the last day on which rectification is on time):

* **Default deadline.** ``found_on + days[level]``, with gridwatch's defaults
  ordinary 30 and major 90 days (:data:`DEFAULT_DEADLINE_DAYS`). These are settings,
  not a rule of SAWS Order No. 16 (2007), which leaves the time limit to the order
  to rectify or the major-hazard plan (治理方案); services pass the configured days.
* **Overdue.** A hazard is overdue on day ``on`` when it is not yet rectified
  (``found`` with a deadline, or ``rectifying``) and ``on > deadline``: the deadline
  day itself is not overdue, the next day is. ``days_overdue = on - deadline`` in
  days (1 on the day after the deadline), 0 when not overdue. A ``rectified`` hazard
  is never overdue while it awaits re-inspection; a failed re-inspection sets a new
  deadline and the clock starts again.
* **Extension** (:func:`extend_deadline`, 延期). Once in a hazard's life, by the
  street office (the bureau for a listed hazard), on or before the deadline, with a
  reason and a later deadline: a gridwatch rule, not a regulation's.
* **Rectified on time.** A hazard whose rectification was recorded after its
  deadline in force then (the extended one, if extended) was *rectified late*: it is
  no longer overdue, but :func:`rectified_on_time` says False, so assessments can
  count on-time rectification (按期整改) apart from rectification.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from gridwatch.errors import InvalidInputError
from gridwatch.frames import require_columns
from gridwatch.supervision._common import check_date, later_than, require_text
from gridwatch.supervision.records import (
    LEVELS,
    RECTIFYING,
    STATES,
    UNRECTIFIED_STATES,
    Hazard,
    Transition,
    make_transition,
)
from gridwatch.supervision.rules import precheck
from gridwatch.vocab import LEGACY_HAZARD_STATUSES

#: gridwatch's default days from discovery to deadline, by hazard level.
DEFAULT_DEADLINE_DAYS: Mapping[str, int] = MappingProxyType(
    {"ordinary": 30, "major": 90}
)


def deadline_days(days: Mapping[str, int] | None = None) -> dict[str, int]:
    """Check a days-by-level mapping (None gives the defaults) and return a copy.

    Raises
    ------
    InvalidInputError
        A level is missing or unknown, or a value is not a whole number of days > 0.

    >>> deadline_days({"ordinary": 15, "major": 60})
    {'ordinary': 15, 'major': 60}
    """
    days = dict(DEFAULT_DEADLINE_DAYS if days is None else days)
    if set(days) != set(LEVELS):
        raise InvalidInputError(
            f"Deadline days must be given for exactly {', '.join(LEVELS)}; got "
            f"{', '.join(sorted(days)) or 'none'}."
        )
    for level, n in days.items():
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n <= 0:
            raise InvalidInputError(
                f"Deadline days for {level} hazards must be a whole number above 0, "
                f"got {n!r}."
            )
    return {k: int(v) for k, v in days.items()}


def default_deadline(
    level: str, start: dt.date, days: Mapping[str, int] | None = None
) -> dt.date:
    """The default deadline of a hazard of ``level`` ordered on ``start``.

    Parameters
    ----------
    level : str
        ``ordinary`` or ``major``.
    start : date
        Discovery date, or the date rectification is ordered.
    days : mapping, optional
        Days by level (the configured setting); defaults to ordinary 30, major 90.

    >>> default_deadline("major", dt.date(2024, 1, 31))
    datetime.date(2024, 4, 30)
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    return check_date(start, "start") + dt.timedelta(days=deadline_days(days)[level])


def days_left(deadline: dt.date, on: dt.date) -> int:
    """Days from ``on`` to ``deadline``: 0 on the deadline day, negative after it."""
    return (check_date(deadline, "deadline") - check_date(on, "on")).days


def is_overdue(hazard: Hazard, on: dt.date) -> bool:
    """True when ``hazard`` is unrectified and ``on`` is after its deadline.

    >>> h = Hazard(1, "ordinary", "rectifying", dt.date(2024, 1, 1),
    ...            deadline=dt.date(2024, 1, 31))
    >>> is_overdue(h, dt.date(2024, 1, 31)), is_overdue(h, dt.date(2024, 2, 1))
    (False, True)
    """
    check_date(on, "on")
    return (
        hazard.state in UNRECTIFIED_STATES
        and hazard.deadline is not None
        and on > hazard.deadline
    )


def days_overdue(hazard: Hazard, on: dt.date) -> int:
    """Days past the deadline on ``on`` (1 the day after it); 0 if not overdue."""
    return (on - hazard.deadline).days if is_overdue(hazard, on) else 0


def rectified_on_time(hazard: Hazard) -> bool | None:
    """Whether the recorded rectification came on or before the deadline in force.

    None while no rectification is recorded (``found``, ``rectifying``). True for a
    hazard rectified on the spot (no deadline was needed). False for one rectified
    after its deadline ("rectified late"), even though it is no longer overdue.

    >>> h = Hazard(1, "ordinary", "rectified", dt.date(2024, 1, 1),
    ...            deadline=dt.date(2024, 1, 31), rectified_on=dt.date(2024, 2, 2))
    >>> rectified_on_time(h)
    False
    """
    if hazard.rectified_on is None:
        return None
    return hazard.deadline is None or hazard.rectified_on <= hazard.deadline


def overdue_flags(hazards: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """Add ``is_overdue`` and ``days_overdue`` to a frame of hazards (a copy).

    The same rule as :func:`is_overdue`, for lists (a warden's to-do, a street
    office's overdue list, the bureau's overdue majors).

    Parameters
    ----------
    hazards : DataFrame
        Columns ``status`` (a ``vocab.HAZARD_STATUSES`` key; the pre-machine codes
        ``open``/``overdue`` of ``vocab.LEGACY_HAZARD_STATUSES`` are read as
        ``rectifying``) and ``deadline`` (dates, NaT/None when unset).
    on : date
        The day to judge.

    Returns
    -------
    DataFrame
        ``hazards`` plus ``is_overdue`` (bool) and ``days_overdue`` (int).

    Raises
    ------
    InvalidInputError
        A column is missing or a status is unknown.
    """
    require_columns(hazards, ["status", "deadline"], "hazards")
    check_date(on, "on")
    status = hazards["status"].map(lambda s: LEGACY_HAZARD_STATUSES.get(s, s))
    unknown = sorted(set(status.dropna()) - set(STATES)) + (
        ["(empty)"] if status.isna().any() else []
    )
    if unknown:
        raise InvalidInputError(
            f"hazards has unknown status value(s): {', '.join(map(str, unknown))}."
        )
    deadline = pd.to_datetime(hazards["deadline"])
    late = (pd.Timestamp(on) - deadline).dt.days
    overdue = status.isin(UNRECTIFIED_STATES) & deadline.notna() & (late > 0)
    out = hazards.copy()
    out["is_overdue"] = overdue.to_numpy(bool)
    out["days_overdue"] = np.where(overdue, late.fillna(0), 0).astype(int)
    return out


def extend_deadline(
    hazard: Hazard,
    *,
    actor: str,
    role: str,
    in_scope: bool,
    on: dt.date,
    deadline: dt.date,
    note: str,
) -> Transition:
    """Extend a rectifying hazard's deadline (延期), once in its life.

    Roles: the street office; for a listed hazard the bureau (its deadline is the
    listing's). Only before the deadline passes (an overdue hazard cannot be
    extended out of being overdue), with a reason (``note``) and a new deadline
    later than the old one.

    Parameters
    ----------
    hazard : Hazard
        Its current state.
    actor, role, in_scope, on
        Username, role, whether the actor's scope covers the hazard, and the date
        (not before the hazard's latest event): as for every transition of
        :mod:`gridwatch.supervision.lifecycle`.
    deadline : date
        The new deadline, later than the current one.
    note : str
        The reason (required).

    Returns
    -------
    Transition
        The hazard after it and the event to store.

    Raises
    ------
    PermissionDeniedError, ConflictError, InvalidInputError
        One sentence: role or scope; state, level or history; blank reason or deadline not later.
    """
    precheck("extend_deadline", hazard, role, in_scope, on)
    check_date(deadline, "deadline")
    text = require_text(note, "note", "A deadline extension needs a reason.")
    later_than(
        deadline,
        hazard.deadline,
        f"The new deadline {deadline} must be "
        f"later than the current one, {hazard.deadline}.",
    )
    changes = {"deadline": deadline, "is_extended": True}
    return make_transition(
        hazard,
        "extend_deadline",
        RECTIFYING,
        actor,
        role,
        on,
        changes,
        note=text,
        deadline=deadline,
    )
