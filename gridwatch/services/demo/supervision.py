"""The demo's supervision loop, stored through the state machine and the imports.

What goes which way (the demo writes ~6,000 hazards with ~20,000 events and
~125,000 monthly reports for 9,000 enterprises, so one use case per row would
take minutes):

* hazards — the BULK path: every step of every plan
  (:func:`gridwatch.demo.supervision.plan_hazards`) runs through
  :func:`gridwatch.supervision.perform`, the same machine the services call, with
  ``in_scope`` computed from the stored dated assignments by the rule of
  :func:`gridwatch.services.scope.enterprise_clause` (:func:`scope_flags`); the
  resulting rows and events are inserted in bulk. Any refusal stops the build.
  ``tests/db/test_demo_supervision.py`` replays every stored history;
* self-reports — THROUGH the import service: the city export's rows go through
  :func:`gridwatch.services.supervision.selfreports.import_rows` (every row
  stored or rejected), imported by the bureau's first account;
* penalties — the BULK path with the same check as a form:
  :func:`gridwatch.supervision.validate_penalty` on every record;
* campaigns and tip-offs — THROUGH the services (``create_campaign``,
  ``submit_tipoff``, ``triage_tipoff``), after the build's transaction
  (:func:`add_campaigns_and_tipoffs`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa

from gridwatch.db.hazard_rows import event_values, hazard_values
from gridwatch.db.models import (
    Enterprise,
    EnterpriseGrid,
    GridWarden,
    SelfReport,
    User,
    Warden,
)
from gridwatch.db.queries import bulk_insert, reset_sequence
from gridwatch.demo.supervision import People, plan_hazards, plan_penalties
from gridwatch.grids.codes import town_of
from gridwatch.services.actor import Actor
from gridwatch.services.audit import record
from gridwatch.supervision import perform, validate_penalty


def people_of(conn, ents: pd.DataFrame) -> People:
    """Who acts for each enterprise (``ents``: uscc, grid_code, warden_username)."""
    users = conn.execute(sa.select(User.username, User.role, User.scope_code)).all()
    offices = {u.scope_code: u.username for u in users if u.role == "street_office"}
    town = dict(conn.execute(sa.select(Enterprise.uscc, Enterprise.town_code)).all())
    office = {}
    for uscc, grid in zip(ents["uscc"], ents["grid_code"], strict=True):
        t = town.get(uscc) or (town_of(grid) if isinstance(grid, str) else None)
        if t in offices:
            office[uscc] = offices[t]
    warden = {u: w for u, w in zip(ents["uscc"], ents["warden_username"], strict=True)
              if isinstance(w, str)}  # fmt: skip
    bureau = tuple(sorted(u.username for u in users if u.role == "bureau"))
    return People(warden, office, bureau, {u.username: u.role for u in users})


def _dated(frame: pd.DataFrame, day: str) -> pd.Series:
    """``valid_from <= day < valid_to`` (open-ended): the rule of
    :func:`gridwatch.db.queries.effective_on`, on merged frames."""
    d = pd.to_datetime(frame[day])
    return (pd.to_datetime(frame["valid_from"]) <= d) & (
        frame["valid_to"].isna() | (pd.to_datetime(frame["valid_to"]) > d)
    )


def scope_flags(conn, steps: pd.DataFrame) -> np.ndarray:
    """Whether each step's actor has the enterprise in scope on the step's day.

    ``steps``: ``enterprise_id``, ``uscc``, ``actor``, ``role``, ``on``. The rule
    of :func:`gridwatch.services.scope.enterprise_clause` on the stored dated
    rows: the bureau the district; a street office its town (the enterprise's
    code, or its grid that day); a warden the grids they hold that day; the
    enterprise itself.
    """
    s = steps.reset_index(drop=True).assign(_i=lambda f: np.arange(len(f)))
    ok = np.zeros(len(s), bool)
    ok[(s["role"] == "bureau").to_numpy()] = True
    ok[((s["role"] == "enterprise") & (s["actor"] == s["uscc"])).to_numpy()] = True
    eg = pd.DataFrame(conn.execute(sa.select(
        EnterpriseGrid.enterprise_id, EnterpriseGrid.grid_code,
        EnterpriseGrid.valid_from, EnterpriseGrid.valid_to)).all(),
        columns=["enterprise_id", "grid_code", "valid_from", "valid_to"])  # fmt: skip
    users = pd.DataFrame(conn.execute(sa.select(
        User.username, User.scope_code, Warden.id).outerjoin(
        Warden, Warden.user_id == User.id)).all(),
        columns=["actor", "scope", "warden_id"])  # fmt: skip
    on_grid = s.merge(eg, on="enterprise_id")
    on_grid = on_grid[_dated(on_grid, "on")]
    office = s[s["role"] == "street_office"].merge(users, on="actor")
    town = dict(conn.execute(sa.select(Enterprise.id, Enterprise.town_code)).all())
    own = office["enterprise_id"].map(town) == office["scope"]
    ok[office.loc[own, "_i"].to_numpy()] = True
    og = on_grid[on_grid["role"] == "street_office"].merge(users, on="actor")
    by_grid = [g.startswith(sc) for g, sc in zip(og["grid_code"], og["scope"],
                                                 strict=True)]  # fmt: skip
    ok[og.loc[by_grid, "_i"].to_numpy()] = True
    gw = pd.DataFrame(conn.execute(sa.select(
        GridWarden.grid_code, GridWarden.warden_id, GridWarden.valid_from,
        GridWarden.valid_to)).all(),
        columns=["grid_code", "warden_id", "valid_from", "valid_to"])  # fmt: skip
    wg = on_grid[on_grid["role"] == "warden"].drop(columns=["valid_from", "valid_to"])
    wg = wg.merge(users, on="actor").merge(gw, on=["grid_code", "warden_id"])
    ok[wg.loc[_dated(wg, "on"), "_i"].to_numpy()] = True
    return ok


def run_plans(conn, plans, ent_ids: dict, recorded_by: str):
    """Every plan's steps through ``perform``; returns (hazard rows, event rows).

    Raises the machine's error (a GridwatchError) for a step it refuses: the
    demo must produce only histories the machine allows.
    """
    steps = pd.DataFrame(
        [(i, j, ent_ids[p.uscc], p.uscc, st[1], st[2],
          st[3].get("on") or st[3].get("found_on"))
         for i, p in enumerate(plans) for j, st in enumerate(p.steps)],
        columns=["plan", "step", "enterprise_id", "uscc", "actor", "role", "on"],
    )  # fmt: skip
    flags = dict(zip(zip(steps["plan"], steps["step"], strict=True),
                     scope_flags(conn, steps), strict=True))  # fmt: skip
    hazards, events = [], []
    for i, p in enumerate(plans):
        hazard = None
        for j, (action, actor, role, kw) in enumerate(p.steps):
            if action == "discover":
                kw = {**kw, "hazard_id": p.hazard_id}
            t = perform(hazard, action, actor=actor, role=role,
                        in_scope=flags[(i, j)], **kw)  # fmt: skip
            hazard = t.hazard
            events.append(event_values(t.event, recorded_by))
        hazards.append({
            "id": p.hazard_id, "enterprise_id": ent_ids[p.uscc],
            "inspection_id": p.inspection_id, "level": p.level,
            "category": p.category, "description": p.description,
            "found_on": hazard.found_on, "source": p.source, "_month": p.month,
            **hazard_values(hazard),
        })  # fmt: skip
    return pd.DataFrame(hazards), events


def _import_reports(s, acts: dict, clerk: Actor, today: dt.date):
    """The monthly reports through the self-report import (every row checked)."""
    from gridwatch.services.supervision.selfreports import import_rows

    sr = acts["self_reports"]
    rows = (
        {"uscc": u, "month": m, **({"submitted_on": d} if d is not None else {})}
        for u, m, d in zip(sr["uscc"], sr["month"], sr["submitted_on"], strict=True)
    )
    return import_rows(s, clerk, rows, file_name="demo 自查自报导出", on=today)


def _store_hazards(s, acts, people, names, *, start, today, seed, recorded_by):
    conn = s.connection()
    ent_ids = dict(conn.execute(sa.select(Enterprise.uscc, Enterprise.id)).all())
    plans = plan_hazards(
        acts["hazards"],
        acts["inspections"],
        acts["self_reports"],
        people,
        names,
        start=start,
        today=today,
        seed=seed,
    )
    frame, events = run_plans(conn, plans, ent_ids, recorded_by)
    reports = {
        (e, m): i
        for i, e, m in conn.execute(
            sa.select(SelfReport.id, SelfReport.enterprise_id, SelfReport.month)
        ).all()
    }
    frame["self_report_id"] = [
        reports.get((e, m)) if isinstance(m, str) else None
        for e, m in zip(frame["enterprise_id"], frame.pop("_month"), strict=True)
    ]
    n = bulk_insert(conn, "hazards", frame)
    reset_sequence(conn, "hazards")
    m = bulk_insert(
        conn,
        "hazard_events",
        pd.DataFrame(events).assign(
            recorded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None)
        ),
        batch=10000,
    )
    record(
        s,
        "bulk_insert",
        "hazards",
        None,
        None,
        {"hazards": n, "events": m, "via": "gridwatch.supervision.perform"},
    )
    counts = frame.groupby("self_report_id").size()
    t = SelfReport.__table__
    if len(counts):
        conn.execute(
            t.update()
            .where(t.c.id == sa.bindparam("_id"))
            .values(n_hazards=sa.bindparam("n")),
            [{"_id": int(k), "n": int(v)} for k, v in counts.items()],
        )
    return {"hazards": n, "hazard_events": m,
            "listed": int(frame["listed_on"].notna().sum())}  # fmt: skip


def _store_penalties(s, acts, people, *, start, today, seed) -> int:
    conn = s.connection()
    ent_ids = dict(conn.execute(sa.select(Enterprise.uscc, Enterprise.id)).all())
    plan = plan_penalties(acts["hazards"], acts["inspections"], people, start=start,
                          today=today, seed=seed)  # fmt: skip
    rows = []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for r in plan.to_dict("records"):
        p = validate_penalty(
            decision_no=r["decision_no"], decided_on=r["decided_on"], kind=r["kind"],
            amount_yuan=f"{r['amount_yuan']:.2f}", uscc=r["uscc"],
            inspection_id=r["inspection_id"], hazard_id=r["hazard_id"], today=today,
        )  # fmt: skip
        rows.append(
            {
                **dataclasses.asdict(p),
                "enterprise_id": ent_ids[p.uscc],
                "recorded_by": r["recorded_by"],
                "recorded_at": now,
            }
        )
    frame = pd.DataFrame(rows).drop(columns=["uscc"]) if rows else pd.DataFrame()
    n = bulk_insert(conn, "penalties", frame)
    record(s, "bulk_insert", "penalties", None, None, {"rows": n})
    return n


def store_supervision(s, acts: dict, ents: pd.DataFrame, *, start, today, seed,
                      recorded_by: str) -> dict:  # fmt: skip
    """Reports, hazards (with their histories) and penalties of the demo, in the
    build's session ``s`` (see the module docstring for which way each goes)."""
    conn = s.connection()
    people = people_of(conn, ents)
    names = dict(conn.execute(sa.select(Enterprise.uscc, Enterprise.name)).all())
    clerk_row = conn.execute(
        sa.select(User.username).where(User.role == "bureau").order_by(User.username)
    ).first()
    clerk = Actor(clerk_row[0], "bureau")
    res = _import_reports(s, acts, clerk, today)
    out = {"self_reports": {"rows": res.rows, "stored": res.stored,
                            "rejected": res.rejected}}  # fmt: skip
    out.update(_store_hazards(s, acts, people, names, start=start, today=today,
                              seed=seed, recorded_by=recorded_by))  # fmt: skip
    out["penalties"] = _store_penalties(s, acts, people, start=start, today=today,
                                        seed=seed)  # fmt: skip
    return out
