"""What the supervision services share: acting roles, scope, paging, plain output.

Who acts. The machine of :mod:`gridwatch.supervision` names a person and a role
(``warden``, ``street_office``, ``bureau``, or ``enterprise`` for its own
self-reports) in every event. An administrator and the command line's ``system``
actor make no supervision act: :func:`acting_role` refuses them with one sentence;
the CLI acts as a named account (``--as USERNAME``, :func:`actor_for_user`).
Reads are open to every staff role within its scope (``admin`` and ``system``:
the district).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models import Enterprise, User, Warden
from gridwatch.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_clause
from gridwatch.timeutil import today

#: Roles that make supervision acts (``vocab.ACTOR_ROLES`` minus admin/enterprise).
ACTING_ROLES = ("warden", "street_office", "bureau")
MAX_PER_PAGE = 200


def acting_role(actor: Actor, *, action: str) -> str:
    """The actor's role for a supervision act, or PermissionDeniedError.

    ``system`` (the command line) and ``admin`` make no supervision act: the
    audit trail and the event must name the inspector who did it.
    """
    if actor.role in ACTING_ROLES:
        return actor.role
    raise PermissionDeniedError(
        f"{action} must be done by a named warden, street office or bureau account, "
        f"not by a {actor.role} account.",
        details={"role": actor.role, "hint": "gridwatch … --as USERNAME"},
    )


def actor_for_user(ctx: Context, username: str) -> Actor:
    """The :class:`Actor` of an active account (the CLI's ``--as USERNAME``).

    Raises
    ------
    NotFoundError
        No such account, or it is deactivated.
    PermissionDeniedError
        A warden account without its warden record.
    """
    with ctx.engine.connect() as conn:
        row = conn.execute(
            sa.select(User.id, User.username, User.role, User.scope_code, Warden.id)
            .outerjoin(Warden, Warden.user_id == User.id)
            .where(User.username == username, User.is_active.is_(True))
        ).first()
    if row is None:
        raise NotFoundError(
            f"There is no active account called {username}.",
            details={"hint": "gridwatch users list"},
        )
    try:
        return Actor(row[1], row[2], row[3], user_id=row[0], warden_id=row[4])
    except ValueError:
        raise PermissionDeniedError(
            f"The account {username} has no town/street or warden record; set its "
            "role and scope again."
        ) from None


def the_day(on: dt.date | None) -> dt.date:
    """``on`` or today (Asia/Shanghai); a day in the future is refused."""
    if on is None:
        return today()
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise InvalidInputError(f"{on!r} is not a date; write it as YYYY-MM-DD.")
    if on > today():
        raise InvalidInputError(
            f"The date {on} is in the future; record what has happened.",
            details={"field": "on"},
        )
    return on


def parse_date(value: Any, what: str) -> dt.date | None:
    """A date from a date, ``YYYY-MM-DD`` text or None; one sentence otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInputError(
            f"The {what} {value!r} is not a date; write it as YYYY-MM-DD.",
            details={"field": what.replace(" ", "_")},
        ) from None


def enterprise_in_scope(
    conn,
    actor: Actor,
    *,
    enterprise_id: int | None = None,
    uscc: str | None = None,
    day: dt.date | None = None,
):
    """The enterprise row (id, uscc, name, town_code) if in the actor's scope on
    ``day``; NotFoundError otherwise (out of scope looks absent)."""
    where = [enterprise_clause(actor, day)]
    if enterprise_id is not None:
        where.append(Enterprise.id == enterprise_id)
        what = f"enterprise {enterprise_id}"
    else:
        where.append(Enterprise.uscc == uscc)
        what = f"an enterprise with credit code {uscc}"
    row = conn.execute(
        sa.select(
            Enterprise.id, Enterprise.uscc, Enterprise.name, Enterprise.town_code
        ).where(*where)
    ).first()
    if row is None:
        raise NotFoundError(f"There is no {what} in your area.")
    return row


def page_args(page: Any, per_page: Any) -> tuple[int, int]:
    """Checked 1-based page and page size (at most :data:`MAX_PER_PAGE`)."""
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise InvalidInputError("page and per_page must be whole numbers.") from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInputError(
            f"page must be 1 or more and per_page between 1 and {MAX_PER_PAGE}."
        )
    return page, per_page


def choices(value, options, what: str) -> list[str] | None:
    """None, or a list of codes each in ``options`` (one sentence otherwise)."""
    if value is None or value == "" or value == []:
        return None
    values = [value] if isinstance(value, str) else list(value)
    bad = [v for v in values if v not in options]
    if bad:
        raise InvalidInputError(
            f"Unknown {what} {bad[0]!r}; use one of {', '.join(options)}.",
            details={"field": what.replace(" ", "_")},
        )
    return values


def plain(value: Any) -> Any:
    """JSON-safe: dates as ISO text, NaN/NaT as None, numpy scalars as Python."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    return value


@dataclasses.dataclass
class Page:
    """One page of a list: ``items`` (dicts), ``total`` over all pages, ``page``,
    ``per_page``, ``pages`` and the day ``on`` the list was judged."""

    items: list[dict]
    total: int
    page: int
    per_page: int
    on: dt.date

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_json(self) -> dict:
        """JSON-safe dict (dates as ISO text, missing as null)."""
        return plain({**dataclasses.asdict(self), "pages": self.pages})


def username_of(session: Session, warden_id: int | None) -> str | None:
    """The username of a warden (None when unknown)."""
    if warden_id is None:
        return None
    return session.scalar(
        sa.select(User.username)
        .join(Warden, Warden.user_id == User.id)
        .where(Warden.id == warden_id)
    )
