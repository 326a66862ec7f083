"""Reassign a street's wardens after a redraw: see the proposal, then confirm it.

:func:`preview_wardens` computes what :func:`confirm_wardens` would write — the
grid → warden proposal, each warden's workload before and after, and the churn
(the share of enterprises whose warden changes) — and **writes nothing**
(read-only connections only; a test checks every table is unchanged).

The proposal is the one :func:`gridwatch.services.assignment.assign_wardens_session`
makes (balanced territories, manual choices kept, each warden kept on the
enterprises they know): the preview feeds the same balancer the same inputs.
:func:`confirm_wardens` then, in one transaction:

1. writes the manual choices made on the preview page (``pins``) as override rows;
2. for a draft version: activates it, assigns the enterprises to its grids
   (:func:`~gridwatch.services.assignment.assign_session`, as ``gridwatch assign``
   does) and carries the other streets' wardens over to the new version's
   identical grids (same code, same polygon), so nothing changes for them;
3. runs ``assign_wardens_session`` for the street;
4. reads back the street's grid → warden rows and compares them with the
   proposal that was shown (its ``digest``): if anything differs (someone changed
   grids, wardens or enterprises meanwhile) the transaction is rolled back and a
   :class:`~gridwatch.errors.ConflictError` asks to look again. So what is
   written is exactly what was seen.

Dated rows: every change closes rows on ``today`` and opens rows from ``today``
(:mod:`gridwatch.assign.dating`).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models import (
    GridVersion,
    GridWarden,
)
from gridwatch.errors import ConflictError, NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.grids import resolve_version
from gridwatch.services.reassign_inputs import street_of_actor
from gridwatch.services.reassign_plan import (
    check_pins,
    digest_of,
    open_rows,
    proposal,
    proposal_report,
    street_grids,
    street_wardens,
)
from gridwatch.timeutil import today as _today


def _version_status(conn, vid: int) -> str:
    return conn.execute(
        sa.select(GridVersion.status).where(GridVersion.id == vid)
    ).scalar_one()


def preview_wardens(
    ctx: Context,
    actor: Actor,
    version_id: int | None = None,
    *,
    street: str | None = None,
    pins: dict | None = None,
    today: dt.date | None = None,
) -> dict:
    """What confirming would write for one street — writing nothing.

    Parameters
    ----------
    version_id : int, optional
        A draft (the redraw about to be activated) or the active version
        (default).
    street : str, optional
        9-digit street code; a street office's own (the default for it); other
        roles must name one.
    pins : dict, optional
        Manual choices made on the page: grid code → warden username.

    Returns
    -------
    dict
        ``version, version_status, street``; ``grids`` (per grid: code, parent,
        workload, n_enterprises, ``current`` warden — holding most of its
        enterprises now —, ``proposed``, ``is_override``, ``is_pinned``);
        ``wardens`` (per warden: grids, enterprises and workload before and
        after, enterprises changing); ``churn`` (0..1, of ``churn_compared``
        enterprises with a warden now and after, ``churn_changed`` change; None
        when none has one now); ``unstaffed_grids``; workload max/min over the
        mean; ``pins``; ``digest`` (to pass to :func:`confirm_wardens`).

    Raises
    ------
    NotFoundError, InvalidInputError, PermissionDeniedError
        Unknown version or no grid in the street; no active warden; a pin on an
        unknown grid or warden; another street.
    """
    street = street_of_actor(actor, street, "Reassigning wardens")
    today = today or _today()
    vid = resolve_version(ctx, version_id)
    with ctx.engine.connect() as conn:
        status = _version_status(conn, vid)
        if status == "retired":
            raise ConflictError(
                f"Grid version {vid} is retired; reassign on the active version or "
                "a new draft."
            )
        if status == "draft":
            _check_draft_street(conn, vid, street)
        grids, wardens, plan, new_eg, pins = proposal(
            ctx, conn, vid, street, pins, today
        )
        return proposal_report(
            conn, ctx, vid, status, grids, wardens, plan, new_eg, pins, street
        )


def _write_pins(session: Session, vid: int, pins: dict, wardens, today) -> None:
    ids = dict(zip(wardens["username"], wardens["id"]))
    for code, user in pins.items():
        for row in session.scalars(
            sa.select(GridWarden).where(
                GridWarden.version_id == vid,
                GridWarden.grid_code == code,
                GridWarden.role == "responsible",
                GridWarden.valid_to.is_(None),
            )
        ):
            if row.warden_id == ids[user] and row.is_override:
                break
            row.valid_to = today
        else:
            session.add(
                GridWarden(
                    version_id=vid,
                    grid_code=code,
                    warden_id=int(ids[user]),
                    role="responsible",
                    valid_from=today,
                    is_override=True,
                )
            )
    session.flush()


def confirm_wardens(
    ctx: Context,
    actor: Actor,
    version_id: int | None,
    digest: str,
    *,
    street: str | None = None,
    pins: dict | None = None,
    today: dt.date | None = None,
) -> dict:
    """Write what :func:`preview_wardens` showed (same ``digest``), activating a
    draft first (module docstring). Returns the written preview plus
    ``activated`` (bool), ``assignment`` (enterprise → grid counts) and
    ``carried_over`` (other streets' rows moved to the new version).

    Raises
    ------
    ConflictError
        The proposal no longer matches ``digest`` (nothing is written), or the
        version is retired.
    """
    from gridwatch.services.assignment import assign_session, assign_wardens_session
    from gridwatch.services.grids import activate_session
    from gridwatch.services.reassign_inputs import carry_over_wardens

    street = street_of_actor(actor, street, "Reassigning wardens")
    require_role(actor, "street_office", "admin", action="Reassigning wardens")
    today = today or _today()
    vid = resolve_version(ctx, version_id)
    with ctx.transaction(actor) as s:
        conn = s.connection()
        status = _version_status(conn, vid)
        if status == "retired":
            raise ConflictError(f"Grid version {vid} is retired.")
        wardens = street_wardens(conn, street)
        pins = check_pins(pins, street_grids(conn, vid, street), wardens)
        out: dict = {"activated": status == "draft"}
        if status == "draft":
            _check_draft_street(conn, vid, street)
            activate_session(s, vid)
        out["assignment"] = _counts(assign_session(s, ctx, vid, today))
        out["carried_over"] = carry_over_wardens(conn, vid, street, today)
        _write_pins(s, vid, pins, wardens, today)
        assign_wardens_session(s, ctx, vid, street, today)
        written = open_rows(conn, vid, street)
        names = dict(zip(wardens["id"], wardens["username"]))
        grids = street_grids(conn, vid, street)
        mapping = dict.fromkeys(grids["code"])
        mapping.update(
            {k: names.get(w) for k, w in zip(written["key"], written["warden_id"])}
        )
        if digest_of(vid, mapping) != digest:
            raise ConflictError(
                "The assignment changed since you looked at it (grids, wardens or "
                "enterprises were changed meanwhile); nothing was written, look at "
                "the proposal again.",
                details={"version": vid},
            )
        out.update({"version": vid, "street": street, "digest": digest})
        out["mapping"] = mapping
        return out


def _check_draft_street(conn, vid: int, street: str) -> None:
    """A draft is reassigned only by the street it was built for (another's looks
    absent, as everywhere)."""
    params = conn.execute(
        sa.select(GridVersion.params).where(GridVersion.id == vid)
    ).scalar_one()
    if (params or {}).get("town") != street:
        raise NotFoundError(
            f"Grid version {vid} is not a redraw of street {street}; a street "
            "activates only its own redraw.",
            details={"version": vid},
        )


def _counts(report: dict) -> dict:
    keys = ("assigned", "rows_opened", "rows_closed", "manual_kept")
    return {k: report.get(k) for k in keys if k in report}
