"""One tip-off for staff (its events, the allowed triage, nearby enterprises) and
its triage: convert to a hazard at an enterprise, refer, or dismiss.

The machine is :mod:`gridwatch.supervision.tipoffs`; a conversion records the
hazard with the hazard machine's ``discover`` (source ``tipoff``, by the acting
inspector) in the same transaction, so either both are stored or neither.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import sqlalchemy as sa

from gridwatch import vocab
from gridwatch.crs import METRIC_CRS
from gridwatch.db.models import Enterprise, EnterpriseGrid, Tipoff, TipoffEvent
from gridwatch.db.queries import effective_on, read_frame, wkb
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_clause
from gridwatch.services.supervision.common import (
    ACTING_ROLES,
    acting_role,
    choices,
    enterprise_in_scope,
    parse_date,
    the_day,
)
from gridwatch.services.supervision.hazard_acts import (
    deadline_days,
    may_set_deadline,
    store_new_hazard,
)
from gridwatch.services.supervision.tipoffs import (
    READERS,
    tipoff_clause,
    tipoff_detail,
)
from gridwatch.supervision import (
    Tipoff as DomainTipoff,
)
from gridwatch.supervision import (
    convert_to_hazard,
    default_deadline,
    discover,
    dismiss,
    refer,
    tipoff_actions,
)

NEARBY = 30


def _domain(row) -> DomainTipoff:
    return DomainTipoff(
        id=row.id,
        received_on=row.received_on,
        state=row.status,
        handled_on=row.handled_on,
        hazard_id=row.hazard_id,
        referred_to=row.referred_to,
        reason=row.dismissal_reason,
    )


def _nearby(conn, actor: Actor, item: dict, on: dt.date) -> list[dict]:
    """Enterprises of the tip-off's grid in the actor's scope, nearest first."""
    if not item["grid_code"]:
        return []
    ents = read_frame(
        conn,
        sa.select(
            Enterprise.id, Enterprise.uscc, Enterprise.name, Enterprise.address,
            wkb(Enterprise.geom),
        )
        .join(EnterpriseGrid, EnterpriseGrid.enterprise_id == Enterprise.id)
        .where(
            EnterpriseGrid.grid_code == item["grid_code"],
            effective_on(EnterpriseGrid, on),
            enterprise_clause(actor, on),
        ),
    )  # fmt: skip
    if ents.empty:
        return []
    dist = np.full(len(ents), np.nan)
    if item["lng"] is not None:
        import geopandas as gpd

        here = gpd.GeoSeries.from_xy([item["lng"]], [item["lat"]], crs="EPSG:4326")
        located = ents.geometry.notna()
        dist[located.to_numpy()] = (
            ents.loc[located].geometry.to_crs(METRIC_CRS)
            .distance(here.to_crs(METRIC_CRS).iloc[0]).to_numpy()
        )  # fmt: skip
    ents["distance_m"] = np.round(dist, 1)
    ents = ents.sort_values(["distance_m", "uscc"], na_position="last").head(NEARBY)
    return [
        {"id": int(r.id), "uscc": r.uscc, "name": r.name, "address": r.address,
         "distance_m": None if np.isnan(r.distance_m) else float(r.distance_m)}
        for r in ents.itertuples()
    ]  # fmt: skip


def show_tipoff(
    ctx: Context,
    actor: Actor,
    tipoff_id: int,
    *,
    on: dt.date | None = None,
    with_nearby: bool = True,
) -> dict:
    """One tip-off in the actor's scope.

    Returns
    -------
    dict
        The list item of :func:`~gridwatch.services.supervision.tipoffs.list_tipoffs`
        plus ``events`` (``action``/``action_label``, ``from_state``,
        ``to_state``, ``actor``, ``role``, ``acted_on``, ``note``, ``photos``,
        ``extra``), ``actions`` (what the actor may do now: ``action`` and
        ``label``; ``convert_to_hazard`` needs ``enterprise_id``, ``category``,
        optional ``level``, ``description``, ``deadline``; ``refer`` needs
        ``department`` (examples ``vocab.REFERRAL_DEPARTMENTS``); ``dismiss``
        needs ``reason``) and ``nearby``: up to 30 enterprises of its grid in the
        actor's scope, nearest first (``id``, ``uscc``, ``name``, ``address``,
        ``distance_m``); an empty list with ``with_nearby=False``.
    """
    require_role(actor, *READERS, action="Reading tip-offs")
    on = the_day(on)
    with ctx.engine.connect() as conn:
        item = tipoff_detail(conn, ctx, actor, tipoff_id, on)
        row = conn.execute(
            sa.select(Tipoff.__table__).where(Tipoff.id == tipoff_id)
        ).first()
        state = _domain(row)
        item["nearby"] = _nearby(conn, actor, item, on) if with_nearby else []
    allowed = (
        tipoff_actions(state, actor.role, True, on)
        if actor.role in ACTING_ROLES
        else ()
    )
    item["actions"] = [{"action": a, "label": vocab.TIPOFF_ACTIONS[a]} for a in allowed]
    return item


def _convert(s, ctx, actor, role, row, state, day, kw):
    """Record the hazard, then the tip-off's conversion (one transaction)."""
    conn = s.connection()
    ent = enterprise_in_scope(
        conn, actor, enterprise_id=kw.get("enterprise_id"), uscc=kw.get("uscc"),
        day=day,
    )  # fmt: skip
    level = kw.get("level") or "ordinary"
    choices(level, vocab.HAZARD_LEVELS, "hazard level")
    if not kw.get("category"):
        raise InvalidInputError(
            "Converting a tip-off needs the hazard's category.",
            details={"field": "category"},
        )
    choices(kw["category"], vocab.HAZARD_CATEGORIES, "hazard category")
    deadline = parse_date(kw.get("deadline"), "deadline")
    if deadline is None and may_set_deadline(role, level):
        deadline = default_deadline(level, day, deadline_days(ctx.settings))
    description = (kw.get("description") or row.description).strip()
    t = discover(hazard_id=None, level=level, found_on=day, actor=actor.username,
                 role=role, in_scope=True, deadline=deadline, note=description,
                 photos=row.photos or ())  # fmt: skip
    hazard = store_new_hazard(
        s, t, enterprise_id=ent.id, category=kw["category"],
        description=description, recorded_by=actor.username, source="tipoff",
    )  # fmt: skip
    row.enterprise_id = ent.id
    row.hazard_id = hazard.id
    return convert_to_hazard(
        state, actor=actor.username, role=role, in_scope=True, on=day,
        uscc=ent.uscc, hazard_id=hazard.id, note=kw.get("note"),
    )  # fmt: skip


def triage_tipoff(
    ctx: Context,
    actor: Actor,
    tipoff_id: int,
    action: str,
    *,
    enterprise_id: int | None = None,
    uscc: str | None = None,
    category: str | None = None,
    level: str | None = None,
    description: str | None = None,
    deadline=None,
    department: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    on: dt.date | None = None,
) -> dict:
    """Triage a new tip-off: ``convert_to_hazard``, ``refer`` or ``dismiss``.

    ``convert_to_hazard`` records a hazard at the enterprise (in the actor's
    scope; ``category`` required, ``level`` default ordinary, ``description``
    default the tip-off's text, ``deadline`` default as for a new hazard);
    ``refer`` needs ``department`` (free text) and is dated ``on``; ``dismiss``
    needs ``reason``. Returns :func:`show_tipoff` after it (without ``nearby``).

    Raises
    ------
    NotFoundError
        No such tip-off (or enterprise) in the actor's scope.
    PermissionDeniedError, ConflictError, InvalidInputError
        The machine's one sentence (already triaged, a missing department, ...).
    """
    role = acting_role(actor, action="Triaging a tip-off")
    choices(action, vocab.TIPOFF_ACTIONS, "tip-off action")
    day = the_day(on)
    with ctx.transaction(actor) as s:
        row = s.execute(
            sa.select(Tipoff)
            .where(Tipoff.id == tipoff_id, tipoff_clause(actor, day))
            .with_for_update()
        ).scalar()
        if row is None:
            raise NotFoundError(f"There is no tip-off {tipoff_id} in your area.")
        state = _domain(row)
        if action == "convert_to_hazard":
            t = _convert(s, ctx, actor, role, row, state, day, {
                "enterprise_id": enterprise_id, "uscc": uscc, "level": level,
                "category": category, "description": description,
                "deadline": deadline, "note": note,
            })  # fmt: skip
        elif action == "refer":
            t = refer(state, actor=actor.username, role=role, in_scope=True,
                      on=day, department=department, note=note)  # fmt: skip
        else:
            t = dismiss(state, actor=actor.username, role=role, in_scope=True,
                        on=day, reason=reason)  # fmt: skip
        new = t.tipoff
        row.status, row.handled_on, row.handled_by = new.state, day, actor.username
        row.referred_to = new.referred_to
        row.dismissal_reason = new.reason
        e = t.event
        s.add(TipoffEvent(
            tipoff_id=row.id, action=e.action, from_state=e.from_state,
            to_state=e.to_state, actor=e.actor, role=e.role, acted_on=e.on,
            note=e.note, photos=list(e.photos),
            extra={k: v for k, v in (("uscc", e.uscc), ("hazard_id", e.hazard_id),
                                     ("department", e.department)) if v},
        ))  # fmt: skip
    return show_tipoff(ctx, actor, tipoff_id, with_nearby=False)
