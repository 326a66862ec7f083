"""Models of the street office's work: background jobs and stored patrol plans.

Kept beside :mod:`gridwatch.db.models` (which imports this module, so the tables
are on the one ``Base.metadata`` Alembic and the tests compare against).

- ``jobs``: long work run off the request thread (grid builds, patrol plans),
  its state in the database so every web worker process sees it
  (:mod:`gridwatch.services.jobs`);
- ``patrol_plans`` → ``patrol_days`` (one per warden working day) →
  ``patrol_stops`` (ordered route stops), and ``patrol_unplanned`` (due visits
  that did not fit, each with its reason): :mod:`gridwatch.services.patrol`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridwatch.db.models import SRID, Base, _now


class Job(Base):
    """A unit of long work: queued → running → done | failed.

    ``actor`` is the username the job runs as (the audit log names it);
    ``actor_data`` the rest of the :class:`~gridwatch.services.actor.Actor`.
    ``progress`` is 0..1; ``heartbeat_at`` is renewed while a worker runs it, so
    a job whose worker died is recognised and failed with the reason.
    """

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True, default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    progress_text: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    actor_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scope_code: Mapped[str | None] = mapped_column(String(12), index=True)
    worker: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class PatrolPlan(Base):
    """巡查计划: one street's plan for a window of days (one per street + window;
    regenerating replaces its days and stops and bumps ``revision``)."""

    __tablename__ = "patrol_plans"
    __table_args__ = (UniqueConstraint("street_code", "starts_on", "days"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    street_code: Mapped[str] = mapped_column(String(12), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date, index=True)
    ends_on: Mapped[dt.date] = mapped_column(Date, index=True)
    days: Mapped[int] = mapped_column(Integer)
    visits_per_day: Mapped[int] = mapped_column(Integer)
    made_on: Mapped[dt.date] = mapped_column(Date)
    grid_version_id: Mapped[int | None] = mapped_column(ForeignKey("grid_versions.id"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    created_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class PatrolDay(Base):
    """One warden's working day in a plan: capacity, the route's base and length."""

    __tablename__ = "patrol_days"
    __table_args__ = (UniqueConstraint("plan_id", "warden_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("patrol_plans.id"), index=True)
    warden_id: Mapped[int] = mapped_column(ForeignKey("wardens.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    capacity: Mapped[int] = mapped_column(Integer)
    n_planned: Mapped[int] = mapped_column(Integer, default=0)
    day_name: Mapped[str | None] = mapped_column(String(40))
    # read per plan, never searched by place: no spatial index
    base: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=SRID, spatial_index=False), nullable=True
    )
    base_source: Mapped[str | None] = mapped_column(String(16))  # recorded|grids
    total_m: Mapped[float | None] = mapped_column(Float)
    return_m: Mapped[float | None] = mapped_column(Float)
    solve_s: Mapped[float | None] = mapped_column(Float)
    route_status: Mapped[str | None] = mapped_column(String(32))
    hit_time_limit: Mapped[bool] = mapped_column(Boolean, default=False)


class PatrolStop(Base):
    """A planned visit, in route order (``seq`` 1…) within its warden-day."""

    __tablename__ = "patrol_stops"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("patrol_plans.id"), index=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("patrol_days.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    visit_no: Mapped[int] = mapped_column(Integer, default=1)
    risk_level: Mapped[str] = mapped_column(String(8))
    due_on: Mapped[dt.date] = mapped_column(Date)
    earliest_on: Mapped[dt.date | None] = mapped_column(Date)
    days_overdue: Mapped[int] = mapped_column(Integer, default=0)
    days_late: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reason_text: Mapped[str | None] = mapped_column(Text)
    leg_m: Mapped[float | None] = mapped_column(Float)
    cum_m: Mapped[float | None] = mapped_column(Float)
    is_dropped: Mapped[bool] = mapped_column(Boolean, default=False)


class PatrolUnplanned(Base):
    """A due visit the plan could not place, with the reason (never dropped)."""

    __tablename__ = "patrol_unplanned"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("patrol_plans.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    warden_id: Mapped[int | None] = mapped_column(ForeignKey("wardens.id"))
    visit_no: Mapped[int] = mapped_column(Integer, default=1)
    risk_level: Mapped[str] = mapped_column(String(8))
    due_on: Mapped[dt.date] = mapped_column(Date)
    days_overdue: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reason_text: Mapped[str | None] = mapped_column(Text)
    not_planned: Mapped[str] = mapped_column(String(32))  # patrol.NOT_PLANNED key
