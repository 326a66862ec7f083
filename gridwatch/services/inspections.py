"""Record inspections (检查/抽查/巡查) with a check-in, report hazards, move a pin.

Who may: wardens (enterprises of their grids) and street offices (their street);
``system`` (command line) too. Every enterprise is looked up through the actor's
scope, so an id outside it is :class:`~gridwatch.errors.NotFoundError` (404),
never a hint that it exists.

Credit: an inspection counts for the grid and the responsible warden on *its
date* (the dated enterprise→grid and grid→warden rows valid that day,
:func:`gridwatch.db.queries.effective_on`), not for whoever holds the grid when a
report is run; :func:`credit_rows` is that join, used by the file and reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from gridwatch import vocab
from gridwatch.db.models import (
    Enterprise,
    EnterpriseGrid,
    GridWarden,
    Inspection,
    User,
    Warden,
)
from gridwatch.db.queries import effective_on, rows_frame, wkb
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.fieldwork.checkin import CheckIn, Position, assess_checkin
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.photos import (
    Upload,
    attach_photos,
    prepare_photos,
    store_files,
)
from gridwatch.services.scope import enterprise_clause, enterprise_ids_clause
from gridwatch.services.supervision.hazard_acts import (
    may_set_deadline,
    store_new_hazard,
)
from gridwatch.supervision import discover
from gridwatch.timeutil import today, utcnow

#: Longest notes / hazard description accepted, in characters.
TEXT_MAX = 2000

_RECORDERS = ("warden", "street_office")


def parse_day(value, what: str) -> dt.date:
    """A date or ``YYYY-MM-DD`` text, or one sentence saying what is wrong."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInputError(
            f"The {what} {value!r} is not a date; use YYYY-MM-DD."
        ) from None


def _choice(value, options: dict[str, str], what: str) -> str:
    if value not in options:
        known = ", ".join(f"{k} ({v})" for k, v in options.items())
        raise InvalidInputError(f"Unknown {what} {value!r}; use one of {known}.")
    return value


def _text(value, what: str, *, required: bool = False) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidInputError(f"The {what} must be text.")
    text = (value or "").strip()
    if required and not text:
        raise InvalidInputError(f"The {what} is empty; describe what was found.")
    if len(text) > TEXT_MAX:
        raise InvalidInputError(
            f"The {what} has {len(text)} characters; at most {TEXT_MAX} are kept, "
            "so shorten it."
        )
    return text or None


def credit_rows(conn, where: sa.ColumnElement[bool]) -> pd.DataFrame:
    """Who each inspection counts for: grid and responsible warden on its date.

    Parameters
    ----------
    where : SQL clause on ``Inspection`` (the caller's scope and choice).

    Returns
    -------
    DataFrame
        One row per inspection: ``inspection_id``, ``version`` and ``grid_code``
        (None when the enterprise was in no grid that day), ``warden_id``,
        ``warden`` (username) and ``warden_name`` (None when the grid had no
        responsible warden that day).
    """
    eg, gw = aliased(EnterpriseGrid), aliased(GridWarden)
    day = Inspection.inspected_on
    stmt = (
        sa.select(
            Inspection.id.label("inspection_id"),
            eg.version_id.label("version"),
            eg.grid_code,
            gw.warden_id,
            User.username.label("warden"),
            User.full_name.label("warden_name"),
        )
        .outerjoin(
            eg,
            sa.and_(
                eg.enterprise_id == Inspection.enterprise_id, effective_on(eg, day)
            ),
        )
        .outerjoin(
            gw,
            sa.and_(
                gw.version_id == eg.version_id,
                gw.grid_code == eg.grid_code,
                gw.role == "responsible",
                effective_on(gw, day),
            ),
        )
        .outerjoin(Warden, Warden.id == gw.warden_id)
        .outerjoin(User, User.id == Warden.user_id)
        .where(where)
        .order_by(Inspection.id, eg.valid_from.desc(), gw.valid_from.desc())
    )
    rows = conn.execute(stmt).all()
    frame = rows_frame(rows, list(stmt.selected_columns.keys()))
    return frame.drop_duplicates("inspection_id").reset_index(drop=True)


def _credit_dict(row) -> dict | None:
    if row is None or row["grid_code"] is None:
        return None
    return {
        "version": int(row["version"]),
        "grid_code": row["grid_code"],
        "warden": row["warden"],
        "warden_name": row["warden_name"],
    }


def checkin_dict(c: CheckIn) -> dict:
    """A check-in as plain data: the CheckIn fields, ``label`` and ``is_flagged``."""
    return {
        "status": c.status,
        "label": vocab.CHECKIN_STATUSES[c.status],
        "is_flagged": c.is_flagged,
        "lng": c.lng,
        "lat": c.lat,
        "datum": c.datum,
        "accuracy_m": c.accuracy_m,
        "distance_m": c.distance_m,
        "threshold_m": c.threshold_m,
        "at": c.at,
    }


def _enterprise_for_record(conn, actor: Actor, enterprise_id: int):
    row = conn.execute(
        sa.select(
            Enterprise.id,
            Enterprise.uscc,
            Enterprise.name,
            Enterprise.registered_on,
            Enterprise.precision,
            wkb(Enterprise.geom),
        ).where(Enterprise.id == enterprise_id, enterprise_clause(actor))
    ).first()
    if row is None:
        raise NotFoundError(f"There is no enterprise {enterprise_id} in your area.")
    return row


def _check_date(day: dt.date, ent) -> None:
    now = today()
    if day > now:
        raise InvalidInputError(
            f"The inspection date {day} is in the future (today is {now}); "
            "record it on the day it happens."
        )
    if ent.registered_on is not None and day < ent.registered_on:
        raise InvalidInputError(
            f"The inspection date {day} is before {ent.name} was registered "
            f"({ent.registered_on}); check the date."
        )


def record_inspection(
    ctx: Context,
    actor: Actor,
    enterprise_id: int,
    *,
    inspected_on,
    kind: str,
    result: str,
    notes: str | None = None,
    position: Position | None = None,
    photos: Sequence[Upload] = (),
) -> dict:
    """Record one inspection, spot check or patrol with its check-in and photos.

    Parameters
    ----------
    enterprise_id : int
        ``enterprises.id``, in the actor's scope.
    inspected_on : date or ``YYYY-MM-DD``
        Not in the future (district today) and not before the enterprise's
        ``registered_on`` when that is known.
    kind : str
        ``vocab.INSPECTION_KINDS`` (inspection 检查 / spot_check 抽查 / patrol 巡查).
    result : str
        ``vocab.INSPECTION_RESULTS``.
    notes : str, optional
        Up to :data:`TEXT_MAX` characters (user text: escape it when shown).
    position : Position or None
        The phone's position (:func:`gridwatch.fieldwork.checkin.parse_position`
        builds it from the form); None → check-in ``unverified``, the record is
        still kept.
    photos : sequence of Upload
        Up to 6 (:data:`gridwatch.services.photos.MAX_PHOTOS`).

    Returns
    -------
    dict
        ``id``, ``enterprise_id``, ``uscc``, ``inspected_on`` (date), ``kind``,
        ``result``, ``checkin`` (:func:`checkin_dict`: ``status`` in
        ``vocab.CHECKIN_STATUSES``, ``distance_m`` in metres, ``is_flagged``),
        ``credited`` (``version``, ``grid_code``, ``warden``, ``warden_name`` on
        the inspection's date, or None when it was in no grid), ``photo_ids``.

    Raises
    ------
    PermissionDeniedError
        Bureau and admin accounts (they do not record inspections here).
    NotFoundError
        The enterprise is not in the actor's scope.
    InvalidInputError
        One sentence: bad date, kind, result, notes, position or photo.
    """
    require_role(actor, *_RECORDERS, action="Recording an inspection")
    day = parse_day(inspected_on, "inspection date")
    _choice(kind, vocab.INSPECTION_KINDS, "inspection kind")
    _choice(result, vocab.INSPECTION_RESULTS, "inspection result")
    notes = _text(notes, "notes")
    with ctx.engine.connect() as conn:
        ent = _enterprise_for_record(conn, actor, enterprise_id)
    _check_date(day, ent)
    site = shapely.from_wkb(bytes(ent.geom)) if ent.geom is not None else None
    checkin = assess_checkin(
        position,
        site,
        ent.precision,
        day,
        max_m=float(ctx.settings.checkin_max_m),
        now=utcnow(),
        metric_crs=ctx.settings.metric_crs,
    )
    clean = prepare_photos(ctx.settings, photos)
    store_files(ctx.settings, clean)
    with ctx.transaction(actor) as s:
        row = Inspection(
            enterprise_id=ent.id,
            kind=kind,
            inspected_on=day,
            inspector_id=actor.user_id,
            result=result,
            notes=notes,
            checkin_status=checkin.status,
            checkin_lng=checkin.lng,
            checkin_lat=checkin.lat,
            checkin_datum=checkin.datum,
            checkin_accuracy_m=checkin.accuracy_m,
            checkin_distance_m=checkin.distance_m,
            checkin_at=checkin.at,
        )
        s.add(row)
        s.flush()
        photo_ids = attach_photos(
            s, actor, clean, enterprise_id=ent.id, inspection_id=row.id
        )
        credit = credit_rows(s.connection(), Inspection.id == row.id)
    return {
        "id": row.id,
        "enterprise_id": ent.id,
        "uscc": ent.uscc,
        "inspected_on": day,
        "kind": kind,
        "result": result,
        "checkin": checkin_dict(checkin),
        "credited": _credit_dict(credit.iloc[0] if len(credit) else None),
        "photo_ids": photo_ids,
    }


def default_deadline(settings, level: str, found_on: dt.date) -> dt.date:
    """``found_on`` + setting ``hazard_deadline_days[level]`` days.

    The days are a local default, not a national rule: SAWS Order No. 16 (2007)
    has ordinary hazards removed at once and major ones on a governance plan
    with a time limit the authority sets (art. 15).
    """
    return found_on + dt.timedelta(days=int(settings.hazard_deadline_days[level]))


def report_hazard(
    ctx: Context,
    actor: Actor,
    inspection_id: int,
    *,
    level: str,
    category: str,
    description: str,
    deadline=None,
    photos: Sequence[Upload] = (),
) -> dict:
    """Report a hazard found on an inspection: its ``discover`` in the machine of
    :mod:`gridwatch.supervision` (the rest of its loop:
    :func:`gridwatch.services.supervision.transition_hazard`).

    Parameters
    ----------
    inspection_id : int
        The inspection it was found on (its enterprise must be in scope); the
        hazard's ``found_on`` is the inspection's date.
    level : str
        ``vocab.HAZARD_LEVELS``: ordinary 一般 / major 重大 (SAWS Order No. 16).
    category : str
        ``vocab.HAZARD_CATEGORIES``.
    description : str
        Required, up to :data:`TEXT_MAX` characters.
    deadline : date, ``YYYY-MM-DD`` or None
        Rectification deadline; None → :func:`default_deadline`, except for a
        major hazard a warden reports: it stays ``found`` with no deadline until
        the street office or bureau orders its rectification (a deadline given
        for it is refused in one sentence).
    photos : sequence of Upload
        Up to 6.

    Returns
    -------
    dict
        ``id``, ``enterprise_id``, ``inspection_id``, ``level``, ``category``,
        ``found_on``, ``deadline``, ``deadline_is_default``, ``status``
        (``rectifying``, or ``found`` without a deadline),
        ``inspection_result`` (an inspection recorded as ``pass`` becomes
        ``hazards_found``), ``photo_ids``.

    Raises
    ------
    PermissionDeniedError, NotFoundError, InvalidInputError
        As :func:`record_inspection`.
    """
    require_role(actor, *_RECORDERS, action="Reporting a hazard")
    _choice(level, vocab.HAZARD_LEVELS, "hazard level")
    _choice(category, vocab.HAZARD_CATEGORIES, "hazard category")
    description = _text(description, "hazard description", required=True)
    with ctx.engine.connect() as conn:
        insp = conn.execute(
            sa.select(Inspection.enterprise_id, Inspection.inspected_on).where(
                Inspection.id == inspection_id,
                enterprise_ids_clause(actor, Inspection.enterprise_id),
            )
        ).first()
    if insp is None:
        raise NotFoundError(f"There is no inspection {inspection_id} in your area.")
    found = insp.inspected_on
    is_default = deadline is None or (
        isinstance(deadline, str) and not deadline.strip()
    )
    due = (
        default_deadline(ctx.settings, level, found)
        if is_default
        else parse_day(deadline, "rectification deadline")
    )
    if due < found:
        raise InvalidInputError(
            f"The rectification deadline {due} is before the hazard was found "
            f"({found}); choose a later date."
        )
    clean = prepare_photos(ctx.settings, photos)
    store_files(ctx.settings, clean)
    with ctx.transaction(actor) as s:
        # the hazard enters the machine of gridwatch.supervision: discover by
        # the inspector; a warden's major hazard waits (found) for the street
        # office or bureau to set its deadline (SAWS Order No. 16)
        role = actor.role if actor.role != "system" else "street_office"
        if is_default and not may_set_deadline(role, level):
            due = None
        t = discover(hazard_id=None, level=level, found_on=found,
                     actor=actor.username, role=role, in_scope=True, deadline=due,
                     note=description)  # fmt: skip
        ids: list[int] = []

        def attach(hazard_id: int) -> list[str]:
            ids.extend(attach_photos(s, actor, clean, enterprise_id=insp.enterprise_id,
                                     hazard_id=hazard_id))  # fmt: skip
            return [str(i) for i in ids]

        hazard = store_new_hazard(
            s, t, enterprise_id=insp.enterprise_id, category=category,
            description=description, recorded_by=actor.username,
            source="inspection", inspection_id=inspection_id, attach=attach,
        )  # fmt: skip
        inspection = s.get(Inspection, inspection_id)
        if inspection.result == "pass":  # a hazard was found: it did not pass
            inspection.result = "hazards_found"
    return {
        "id": hazard.id,
        "enterprise_id": insp.enterprise_id,
        "inspection_id": inspection_id,
        "level": level,
        "category": category,
        "found_on": found,
        "deadline": due,
        "deadline_is_default": is_default,
        "status": t.hazard.state,
        "inspection_result": inspection.result,
        "photo_ids": ids,
    }


def map_datum(settings) -> str:
    """The datum of the coordinates a page's map reports: GCJ-02 over Amap-style
    tiles (the layers are shifted to match them), WGS-84 otherwise."""
    from gridwatch.maps.base import resolve_tiles

    return resolve_tiles(settings.tiles)[2].value


def correct_location(
    ctx: Context,
    actor: Actor,
    enterprise_id: int,
    lng: float,
    lat: float,
    datum: str | None = None,
) -> dict:
    """Move an enterprise's pin to where a person put it on the map.

    Thin on purpose: :func:`gridwatch.services.geocoding.place_manually` does the
    work (scope and role checks, conversion to WGS-84 once, precision ``manual``,
    town/community codes); the audit row records the source datum and raw
    coordinates and the old and new WGS-84 points.

    Parameters
    ----------
    lng, lat : float
        The pin's coordinates as the page's map reports them.
    datum : str, optional
        Their datum; default :func:`map_datum` (the datum the page's map shows).

    Returns
    -------
    dict
        ``uscc``, ``lng``, ``lat`` (WGS-84), ``precision`` ("manual").
    """
    from gridwatch.fieldwork.checkin import parse_position
    from gridwatch.services.geocoding import place_manually

    datum = datum or map_datum(ctx.settings)
    # the same number checks as a check-in's (accuracy is not used here)
    point = parse_position(lng, lat, 0, datum)
    if point is None:
        raise InvalidInputError("The new position is empty; put the pin on the map.")
    with ctx.engine.connect() as conn:
        uscc = conn.execute(
            sa.select(Enterprise.uscc).where(
                Enterprise.id == enterprise_id, enterprise_clause(actor)
            )
        ).scalar()
    if uscc is None:
        raise NotFoundError(f"There is no enterprise {enterprise_id} in your area.")
    return place_manually(ctx, actor, uscc, point.lng, point.lat, datum)
