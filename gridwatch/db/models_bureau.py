"""Models of the bureau's own records: accidents, enterprise safety foundations,
annual targets and the responsibility assessment (责任制考核).

Kept beside :mod:`gridwatch.db.models` (which imports this module at its end, so
the tables are on the one ``Base.metadata`` that Alembic and the tests compare
against).

- ``accidents`` (生产安全事故): recorded by the bureau; the grade as recorded,
  the Decree No. 493 grade derived from the casualties on read (never stored, so
  it cannot disagree with them);
- ``standardisation_records`` (安全生产标准化): one row per step an enterprise
  took (self-assessed, reviewed, or lapsed: ``none``), so every year's count
  survives the next step;
- ``hazard_declarations`` (职业病危害申报): one row per enterprise and year,
  declared (with the date) or required but missing;
- ``safety_officers`` (安全主任): one row per officer and training date;
- ``annual_targets``: the bureau's target per indicator, year and unit (the
  district or one town/street);
- ``assessment_schemes``: every saved version of the assessment scheme, with the
  day it is in force from;
- ``assessment_manual``: the figures of manual indicators, per period and town,
  each with its note.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
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


class Accident(Base):
    """生产安全事故: where, when, casualties and loss, and the grade recorded.

    ``enterprise_id`` or ``geom`` (WGS-84, converted once from ``source_datum``)
    places it; ``town_code`` is the enterprise's town or the town containing the
    point, fixed when recorded. ``grade`` is a ``vocab.ACCIDENT_GRADES`` key.
    """

    __tablename__ = "accidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date, index=True)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id"), index=True
    )
    place: Mapped[str] = mapped_column(String(300))
    geom: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=SRID, spatial_index=False), nullable=True
    )
    source_datum: Mapped[str | None] = mapped_column(String(16))
    town_code: Mapped[str] = mapped_column(String(12), index=True)
    grade: Mapped[str] = mapped_column(String(24))
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    serious_injuries: Mapped[int] = mapped_column(Integer, default=0)
    direct_loss_yuan: Mapped[float] = mapped_column(Float, default=0.0)
    description: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class StandardisationRecord(Base):
    """安全生产标准化: a step of one enterprise (vocab.STANDARDISATION_STATUSES)."""

    __tablename__ = "standardisation_records"
    __table_args__ = (UniqueConstraint("enterprise_id", "status", "done_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(16))
    done_on: Mapped[dt.date] = mapped_column(Date, index=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class HazardDeclaration(Base):
    """职业病危害申报 of one enterprise for one year: declared or missing."""

    __tablename__ = "hazard_declarations"
    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(16))  # declared|missing
    declared_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class SafetyOfficer(Base):
    """安全主任 of an enterprise and the day they were trained (None: not yet)."""

    __tablename__ = "safety_officers"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    trained_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class AnnualTarget(Base):
    """The bureau's target for one indicator, year and unit (district or town)."""

    __tablename__ = "annual_targets"
    __table_args__ = (UniqueConstraint("year", "indicator", "unit_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    indicator: Mapped[str] = mapped_column(String(40))
    unit_code: Mapped[str] = mapped_column(String(12))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class AssessmentSchemeVersion(Base):
    """One saved version of the assessment scheme (TOML or YAML text)."""

    __tablename__ = "assessment_schemes"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(8))
    digest: Mapped[str] = mapped_column(String(12))
    in_force_from: Mapped[dt.date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class AssessmentManualFigure(Base):
    """The figure of a manual indicator for one town and period, with its note."""

    __tablename__ = "assessment_manual"
    __table_args__ = (
        UniqueConstraint("period_start", "period_end", "town_code", "indicator"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    town_code: Mapped[str] = mapped_column(String(12), index=True)
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
