"""Changing hazards: record one, and move it through the machine by action name.

Each use case is one transaction: the hazard row is read (locked on PostGIS), the
machine of :mod:`gridwatch.supervision` decides (``perform``), the row takes the
new state and one ``hazard_events`` row is added; the audit log records both as
the acting user. Refusals are the machine's one sentence (PermissionDeniedError,
ConflictError, InvalidInputError); a hazard outside the actor's scope is
NotFoundError, so ids outside it look absent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch import vocab
from gridwatch.db.hazard_rows import event_values, hazard_from_row, hazard_values
from gridwatch.db.models import Hazard, HazardEvent, Inspection
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context
from gridwatch.services.photos import attach_photos, prepare_photos, store_files
from gridwatch.services.scope import enterprise_ids_clause
from gridwatch.services.supervision.common import (
    acting_role,
    choices,
    enterprise_in_scope,
    parse_date,
    the_day,
)
from gridwatch.services.supervision.hazard_list import show_hazard
from gridwatch.supervision import (
    RULES,
    STATES,
    Transition,
    action_for,
    default_deadline,
    discover,
    perform,
)
from gridwatch.supervision.rules import precheck


def deadline_days(settings) -> dict[str, int]:
    """The configured default deadline days by level, as whole days."""
    return {k: int(v) for k, v in settings.hazard_deadline_days.items()}


def may_set_deadline(role: str, level: str) -> bool:
    """Whether ``role`` may give a hazard of ``level`` its deadline at discovery."""
    own = {"enterprise"} if level == "ordinary" else set()
    return role in RULES["start_rectification"].roles_for(level) | own


def store_new_hazard(
    session: Session,
    t: Transition,
    *,
    enterprise_id: int,
    category: str,
    description: str | None,
    recorded_by: str,
    source: str,
    inspection_id: int | None = None,
    self_report_id: int | None = None,
    external_ref: str | None = None,
    attach=None,
) -> Hazard:
    """Insert the hazard of a ``discover`` transition and its event; return the row.

    The one way every path (inspections, self-reports, tip-offs, the demo's
    single records) stores a new hazard, so its first event is always the
    machine's ``discover``. ``attach(hazard_id)``, when given, stores the
    discovery's photos once the row has its id and returns their keys (photo ids
    as text), which the event then lists.
    """
    h = t.hazard
    row = Hazard(
        enterprise_id=enterprise_id,
        inspection_id=inspection_id,
        level=h.level,
        category=category,
        description=description,
        found_on=h.found_on,
        source=source,
        self_report_id=self_report_id,
        external_ref=external_ref,
        **hazard_values(h),
    )
    session.add(row)
    session.flush()
    event = dataclasses.replace(t.event, hazard_id=row.id)
    if attach is not None:
        event = dataclasses.replace(event, photos=event.photos + tuple(attach(row.id)))
    session.add(HazardEvent(**event_values(event, recorded_by)))
    return row


def _inspection(session: Session, actor: Actor, inspection_id: int, ent_id: int):
    ins = session.execute(
        sa.select(Inspection).where(
            Inspection.id == inspection_id,
            enterprise_ids_clause(actor, Inspection.enterprise_id),
        )
    ).scalar()
    if ins is None or ins.enterprise_id != ent_id:
        raise NotFoundError(
            f"There is no inspection {inspection_id} of this enterprise in your area."
        )
    return ins


def create_hazard(
    ctx: Context,
    actor: Actor,
    *,
    level: str,
    category: str,
    description: str,
    enterprise_id: int | None = None,
    uscc: str | None = None,
    inspection_id: int | None = None,
    found_on: dt.date | None = None,
    deadline: dt.date | str | None = None,
    order_rectification: bool = True,
    photos: Sequence[str] = (),
    uploads: Sequence = (),
) -> dict:
    """Record a hazard found by the actor (排查): ``discover`` in the machine.

    Parameters
    ----------
    level, category : str
        ``vocab.HAZARD_LEVELS`` / ``vocab.HAZARD_CATEGORIES`` codes.
    description : str
        What is wrong (required).
    enterprise_id or uscc
        The enterprise (in the actor's scope).
    inspection_id : int, optional
        The inspection it was found on (of that enterprise); its date is the
        default ``found_on`` and a ``pass`` result becomes ``hazards_found``.
    found_on : date, optional
        Default: the inspection's date, else today.
    deadline : date or ``YYYY-MM-DD``, optional
        Rectification deadline; with ``order_rectification`` and none given, the
        configured default (``hazard_deadline_days``) when the actor's role may
        set one for this level (a warden may not for a major hazard: it stays
        ``found`` until the street office or bureau orders it).
    photos : sequence of str
        Photo keys already stored.
    uploads : sequence of :class:`gridwatch.services.photos.Upload`
        Photos to store with it (at most 6; listed on the discovery event).

    Returns
    -------
    dict
        :func:`~gridwatch.services.supervision.hazard_list.show_hazard` of the new
        hazard.
    """
    role = acting_role(actor, action="Recording a hazard")
    choices(level, vocab.HAZARD_LEVELS, "hazard level")
    choices(category, vocab.HAZARD_CATEGORIES, "hazard category")
    if not isinstance(description, str) or not description.strip():
        raise InvalidInputError(
            "A hazard needs a description of what is wrong.",
            details={"field": "description"},
        )
    deadline = parse_date(deadline, "deadline")
    clean = prepare_photos(ctx.settings, uploads) if uploads else []
    store_files(ctx.settings, clean)
    with ctx.transaction(actor) as s:
        conn = s.connection()
        ent = enterprise_in_scope(conn, actor, enterprise_id=enterprise_id, uscc=uscc)
        ins = _inspection(s, actor, inspection_id, ent.id) if inspection_id else None
        found = the_day(found_on or (ins.inspected_on if ins else None))
        if deadline is None and order_rectification and may_set_deadline(role, level):
            deadline = default_deadline(level, found, deadline_days(ctx.settings))
        t = discover(
            hazard_id=None,
            level=level,
            found_on=found,
            actor=actor.username,
            role=role,
            in_scope=True,
            deadline=deadline,
            note=description,
            photos=photos,
        )
        row = store_new_hazard(
            s,
            t,
            enterprise_id=ent.id,
            category=category,
            description=description.strip(),
            recorded_by=actor.username,
            source="inspection",
            inspection_id=inspection_id,
            attach=(lambda hid: [str(i) for i in attach_photos(
                s, actor, clean, enterprise_id=ent.id, hazard_id=hid)])
            if clean else None,
        )  # fmt: skip
        if ins is not None and ins.result == "pass":
            ins.result = "hazards_found"
        new_id = row.id
    return show_hazard(ctx, actor, new_id, on=max(found, the_day(None)))


def _clean_uploads(ctx: Context, hazard_id: int, uploads) -> list:
    """Check and store the photo files of a hazard step before its transaction
    (the photo store's order: a refused upload stores nothing)."""
    if not uploads:
        return []
    from gridwatch.db.models import Photo

    with ctx.engine.connect() as conn:
        have = conn.execute(
            sa.select(sa.func.count()).where(Photo.hazard_id == hazard_id)
        ).scalar_one()
    clean = prepare_photos(ctx.settings, uploads, already=int(have))
    store_files(ctx.settings, clean)
    return clean


def _arguments(action: str, hazard, day, kw: dict, settings) -> dict:
    """The keyword arguments of ``action`` from the service's parameters."""
    deadline = parse_date(kw.get("deadline"), "deadline")
    note, photos = kw.get("note"), tuple(kw.get("photos") or ())
    if action == "start_rectification":
        if deadline is None:
            deadline = default_deadline(hazard.level, day, deadline_days(settings))
        return {"deadline": deadline, "note": note, "photos": photos}
    if action in ("record_rectification", "rectify_on_spot"):
        return {"note": note, "photos": photos}
    if action == "reinspect":
        passed = kw.get("passed")
        if passed is None:
            raise InvalidInputError(
                "A re-inspection needs its result: passed or failed.",
                details={"field": "passed"},
            )
        return {"passed": bool(passed), "note": note, "photos": photos,
                "deadline": deadline}  # fmt: skip
    if action == "extend_deadline":
        if deadline is None:
            raise InvalidInputError(
                "A deadline extension needs the new deadline.",
                details={"field": "deadline"},
            )
        return {"deadline": deadline, "note": note}
    if action == "list_hazard":
        if deadline is None:
            raise InvalidInputError(
                "A listing needs its deadline.", details={"field": "deadline"}
            )
        return {
            "deadline": deadline,
            "supervising_body": kw.get("supervising_body"),
            "responsible_person": kw.get("responsible_person"),
            "note": note,
        }
    return {"note": note}  # delist


def _resolve(action: str, hazard) -> tuple[str, bool | None]:
    """An action name, or a target state turned into its action (and the
    re-inspection result a state implies)."""
    if action in STATES:
        target = action
        action = action_for(hazard, target)
        return action, (target == "closed") if action == "reinspect" else None
    if action not in RULES or action == "discover":
        names = ", ".join(list(RULES)[1:])
        raise InvalidInputError(
            f"Unknown hazard action {action!r}; use one of {names}, or a state "
            f"({', '.join(STATES)}).",
            details={"field": "action"},
        )
    return action, None


def transition_hazard(
    ctx: Context,
    actor: Actor,
    hazard_id: int,
    action: str,
    *,
    note: str | None = None,
    photos: Sequence[str] = (),
    deadline: dt.date | str | None = None,
    passed: bool | None = None,
    supervising_body: str | None = None,
    responsible_person: str | None = None,
    on: dt.date | None = None,
    uploads: Sequence = (),
) -> dict:
    """Make one transition of a hazard, by action name or target state.

    Parameters
    ----------
    hazard_id : int
        A hazard in the actor's scope.
    action : str
        A ``vocab.HAZARD_ACTIONS`` code other than ``discover``
        (``start_rectification``, ``record_rectification``, ``reinspect``,
        ``extend_deadline``, ``list_hazard``, ``delist``, ``rectify_on_spot``), or
        a target state (``rectifying``, ``rectified``, ``closed``): from
        ``rectified``, ``closed`` is a passed and ``rectifying`` a failed
        re-inspection.
    note, photos, deadline, passed, supervising_body, responsible_person
        What the action needs (see
        :data:`~gridwatch.services.supervision.hazard_list.ACTION_FIELDS`);
        ``start_rectification`` without a deadline takes the configured default.
    on : date, optional
        The day it happened (default today; not in the future, not before the
        hazard's latest event).
    uploads : sequence of :class:`gridwatch.services.photos.Upload`
        Photos taken now (a rectification, a re-inspection): checked first
        (nothing is stored for a refused one), stored by the photo store, linked
        to the hazard (at most 6 per hazard in all) and listed on the event as
        their photo ids (text) after ``photos``.

    Returns
    -------
    dict
        :func:`~gridwatch.services.supervision.hazard_list.show_hazard` after it.

    Raises
    ------
    NotFoundError
        No such hazard in the actor's scope.
    PermissionDeniedError, ConflictError, InvalidInputError
        The machine's refusal, one sentence (e.g. "Hazard 12 is closed; it cannot
        be rectified again.").
    """
    role = acting_role(actor, action="A hazard's rectification, re-inspection or "
                       "listing")  # fmt: skip
    day = the_day(on)
    kw = {
        "note": note,
        "photos": photos,
        "deadline": deadline,
        "passed": passed,
        "supervising_body": supervising_body,
        "responsible_person": responsible_person,
    }
    clean = _clean_uploads(ctx, hazard_id, uploads)
    with ctx.transaction(actor) as s:
        row = s.execute(
            sa.select(Hazard)
            .where(
                Hazard.id == hazard_id,
                enterprise_ids_clause(actor, Hazard.enterprise_id, day),
            )
            .with_for_update()
        ).scalar()
        if row is None:
            raise NotFoundError(f"There is no hazard {hazard_id} in your area.")
        hazard = hazard_from_row(row)
        name, implied = _resolve(action, hazard)
        if implied is not None:
            kw["passed"] = implied
        # role, scope, state and date first: their refusal says more than a
        # missing argument would
        precheck(name, hazard, role, True, day)
        if clean:
            ids = attach_photos(s, actor, clean, enterprise_id=row.enterprise_id,
                                hazard_id=row.id)  # fmt: skip
            kw["photos"] = tuple(kw["photos"] or ()) + tuple(str(i) for i in ids)
        args = _arguments(name, hazard, day, kw, ctx.settings)
        t = perform(
            hazard, name, actor=actor.username, role=role, in_scope=True, on=day,
            **args,
        )  # fmt: skip
        for key, value in hazard_values(t.hazard).items():
            setattr(row, key, value)
        s.add(HazardEvent(**event_values(t.event, actor.username)))
    return show_hazard(ctx, actor, hazard_id, on=the_day(None))


def extend_deadline(
    ctx: Context, actor: Actor, hazard_id: int, *, deadline, reason: str, on=None
) -> dict:
    """Extend a hazard's deadline once, with a reason (the street office; the
    bureau for a listed hazard). See :func:`transition_hazard`."""
    return transition_hazard(
        ctx, actor, hazard_id, "extend_deadline", deadline=deadline, note=reason,
        on=on,
    )  # fmt: skip


def list_hazard(
    ctx: Context,
    actor: Actor,
    hazard_id: int,
    *,
    supervising_body: str,
    responsible_person: str,
    deadline,
    note: str | None = None,
    on=None,
) -> dict:
    """Put a major hazard under listed supervision (挂牌督办; the bureau)."""
    return transition_hazard(
        ctx,
        actor,
        hazard_id,
        "list_hazard",
        supervising_body=supervising_body,
        responsible_person=responsible_person,
        deadline=deadline,
        note=note,
        on=on,
    )


def delist_hazard(
    ctx: Context, actor: Actor, hazard_id: int, *, note: str | None = None, on=None
) -> dict:
    """Delist a closed listed hazard (摘牌; the bureau)."""
    return transition_hazard(ctx, actor, hazard_id, "delist", note=note, on=on)
