"""ORM models (SQLAlchemy 2 typed) for SpatiaLite and PostGIS.

All geometry is stored in WGS-84 (SRID 4326). Polygon columns are typed GEOMETRY so a
multi-part administrative unit stays one row; points are POINT. Models never commit;
services own transactions.
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
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

SRID = 4326


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _area() -> Geometry:
    return Geometry("GEOMETRY", srid=SRID, spatial_index=True)


def _point() -> Geometry:
    return Geometry("POINT", srid=SRID, spatial_index=True)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}


class AdminUnit(Base):
    """区 / 镇街 / 村社区, with official codes; geometry official or illustrative."""

    __tablename__ = "admin_units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(
        String(16), index=True
    )  # district|town|community
    kind: Mapped[str | None] = mapped_column(String(16))  # community|village
    parent_code: Mapped[str | None] = mapped_column(String(12), index=True)
    is_illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(200))
    geom: Mapped[Any] = mapped_column(_area(), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=_now, onupdate=_now
    )


class GridVersion(Base):
    """One drawing of the grids; exactly one version is active at a time."""

    __tablename__ = "grid_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(
        String(16), default="draft"
    )  # draft|active|retired
    method: Mapped[str] = mapped_column(String(16))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    created_by: Mapped[str | None] = mapped_column(String(64))
    activated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    grids: Mapped[list[Grid]] = relationship(back_populates="version")


class Grid(Base):
    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("version_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("grid_versions.id"), index=True)
    code: Mapped[str] = mapped_column(String(15), index=True)
    parent_code: Mapped[str] = mapped_column(String(12), index=True)
    workload: Mapped[float] = mapped_column(Float, default=0.0)
    n_enterprises: Mapped[int] = mapped_column(Integer, default=0)
    area_m2: Mapped[float] = mapped_column(Float, default=0.0)
    geom: Mapped[Any] = mapped_column(_area())
    version: Mapped[GridVersion] = relationship(back_populates="grids")


class GridEdit(Base):
    """A split or merge on a draft version, kept so it can be undone."""

    __tablename__ = "grid_edits"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("grid_versions.id"), index=True)
    op: Mapped[str] = mapped_column(String(16))  # split|merge
    removed: Mapped[dict[str, Any]] = mapped_column(JSON)  # code -> {wkb hex, attrs}
    added: Mapped[dict[str, Any]] = mapped_column(JSON)  # list of codes
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    created_by: Mapped[str | None] = mapped_column(String(64))
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    full_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16), index=True)  # vocab.ROLES
    scope_code: Mapped[str | None] = mapped_column(String(12))  # town for office/warden
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    # set when an admin creates the account or resets its password: the web app
    # lets the user do nothing but choose a new one (bulk loads such as the demo
    # leave it false through the server default)
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class ApiToken(Base):
    """A personal API token: only the SHA-256 of its secret is stored.

    The token a script sends is ``gw_<prefix>_<secret>``; ``prefix`` finds the row,
    the hash of the whole token is compared in constant time.
    """

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    created_by: Mapped[str] = mapped_column(String(64))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RateLimit(Base):
    """A fixed-window rate-limit counter shared by every web worker (sign-in
    throttling; see :mod:`gridwatch.services.throttle`). ``expires_at`` is in
    seconds since the epoch."""

    __tablename__ = "rate_limits"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class Warden(Base):
    """网格员: a user of role warden, attached to one street office."""

    __tablename__ = "wardens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    street_code: Mapped[str] = mapped_column(String(12), index=True)
    base: Mapped[Any] = mapped_column(_point(), nullable=True)
    user: Mapped[User] = relationship()


class Enterprise(Base):
    """一企一档: one record per enterprise, keyed on the unified social credit code."""

    __tablename__ = "enterprises"
    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    sector: Mapped[str] = mapped_column(String(32), index=True)
    risk_level: Mapped[str] = mapped_column(String(8), index=True)
    is_three_in_one: Mapped[bool] = mapped_column(Boolean, default=False)
    has_hazchem: Mapped[bool] = mapped_column(Boolean, default=False)
    employees: Mapped[int | None] = mapped_column(Integer)
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    geom: Mapped[Any] = mapped_column(_point(), nullable=True)
    # where the point came from: the datum and raw values as supplied, converted once
    source_datum: Mapped[str | None] = mapped_column(String(16))
    source_lng: Mapped[float | None] = mapped_column(Float)
    source_lat: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[str] = mapped_column(String(16), default="none", index=True)
    reliability: Mapped[int | None] = mapped_column(Integer)
    geocode_matched: Mapped[str | None] = mapped_column(String(300))
    geocode_flags: Mapped[str | None] = mapped_column(String(200))
    town_code: Mapped[str | None] = mapped_column(String(12), index=True)
    community_code: Mapped[str | None] = mapped_column(String(12), index=True)
    # GB/T 4754-2017 code the registry gave (门类 letter or 2-4 digits)
    industry_code: Mapped[str | None] = mapped_column(String(8))
    # the people every registry names (一企一档)
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    principal: Mapped[str | None] = mapped_column(String(100))
    safety_officer: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(64))
    # where the registry says it is (所属镇街 / 所属村居) as written, and the loaded
    # unit's code when the text names one: hints for the geocoder, checked against
    # the placed point (town_code / community_code)
    town_hint: Mapped[str | None] = mapped_column(String(100))
    town_hint_code: Mapped[str | None] = mapped_column(String(12), index=True)
    community_hint: Mapped[str | None] = mapped_column(String(100))
    community_hint_code: Mapped[str | None] = mapped_column(String(12), index=True)
    # every other registry column, {header as in the file: text}
    extra_attrs: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # comma-separated vocab.REGISTRY_FLAGS codes for a person to check
    registry_flags: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=_now, onupdate=_now
    )


class EnterpriseGrid(Base):
    """Effective-dated enterprise → grid rows: valid_from inclusive, valid_to exclusive."""

    __tablename__ = "enterprise_grid"
    __table_args__ = (Index("ix_enterprise_grid_open", "enterprise_id", "valid_to"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("grid_versions.id"))
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    is_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    # the enterprise was placed only at community level: the community is right, the
    # grid within it a guess (gridwatch.assign.precision)
    is_imprecise: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class GridWarden(Base):
    """Effective-dated grid → warden rows (responsible or deputy)."""

    __tablename__ = "grid_warden"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("grid_versions.id"), index=True)
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    warden_id: Mapped[int] = mapped_column(ForeignKey("wardens.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="responsible")  # |deputy
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    is_override: Mapped[bool] = mapped_column(Boolean, default=False)


class Inspection(Base):
    """检查 / 抽查 / 巡查 of one enterprise on one day."""

    __tablename__ = "inspections"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    inspected_on: Mapped[dt.date] = mapped_column(Date, index=True)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    result: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    # check-in: the phone's position when the record was made, stored in WGS-84
    # with the datum it came in; NULL status = recorded without the phone page
    # (demo, imports). Statuses: gridwatch.vocab.CHECKIN_STATUSES.
    checkin_status: Mapped[str | None] = mapped_column(String(16), index=True)
    checkin_lng: Mapped[float | None] = mapped_column(Float)
    checkin_lat: Mapped[float | None] = mapped_column(Float)
    checkin_datum: Mapped[str | None] = mapped_column(String(16))
    checkin_accuracy_m: Mapped[float | None] = mapped_column(Float)
    checkin_distance_m: Mapped[float | None] = mapped_column(Float)
    checkin_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Hazard(Base):
    """隐患: found, rectified (整改), re-inspected and closed (销号)."""

    __tablename__ = "hazards"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    level: Mapped[str] = mapped_column(String(16))  # ordinary|major
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    found_on: Mapped[dt.date] = mapped_column(Date, index=True)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    rectified_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    is_listed: Mapped[bool] = mapped_column(Boolean, default=False)  # 挂牌督办


class Penalty(Base):
    """行政处罚 / 经济处罚."""

    __tablename__ = "penalties"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    amount_yuan: Mapped[float] = mapped_column(Float, default=0.0)
    decision_no: Mapped[str | None] = mapped_column(String(64))


class SelfReport(Base):
    """自查自报: one monthly self-inspection report per enterprise."""

    __tablename__ = "self_reports"
    __table_args__ = (UniqueConstraint("enterprise_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    n_hazards: Mapped[int] = mapped_column(Integer, default=0)


class Photo(Base):
    """A photo attached to an inspection or a hazard (later: a hazard event).

    The file lives once under ``<data dir>/photos/<sha256[:2]>/<sha256>.<ext>``
    (content-addressed, so two uploads of the same picture share it); each row is
    one attachment. ``enterprise_id`` is kept on the row so that who may see the
    photo is one scope clause, whatever it is attached to.
    """

    __tablename__ = "photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str | None] = mapped_column(String(200))
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspections.id"), index=True
    )
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class GazetteerRoad(Base):
    """标准地址库: a road segment within one town with its door-number range."""

    __tablename__ = "gazetteer_roads"
    id: Mapped[int] = mapped_column(primary_key=True)
    road_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    town_code: Mapped[str | None] = mapped_column(String(12))
    door_from: Mapped[int | None] = mapped_column(Integer)
    door_to: Mapped[int | None] = mapped_column(Integer)
    # no spatial index: the geocoder reads the gazetteer into memory; an R-tree here
    # would only slow the loading of 70,000+ door plates
    geom: Mapped[Any] = mapped_column(
        Geometry("LINESTRING", srid=SRID, spatial_index=False)
    )


class GazetteerPoint(Base):
    """标准地址库: one door-plate address point."""

    __tablename__ = "gazetteer_points"
    id: Mapped[int] = mapped_column(primary_key=True)
    addr_id: Mapped[str] = mapped_column(String(32), unique=True)
    town_code: Mapped[str | None] = mapped_column(String(12))
    community_code: Mapped[str | None] = mapped_column(String(12))
    road_name: Mapped[str | None] = mapped_column(String(100))
    door_no: Mapped[int | None] = mapped_column(Integer)
    door_suffix: Mapped[str | None] = mapped_column(String(16))
    place_name: Mapped[str | None] = mapped_column(String(100))
    standard_address: Mapped[str] = mapped_column(String(300))
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=SRID, spatial_index=False))


class AuditLog(Base):
    """Every change: who, when, what (old and new values)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))  # insert|update|delete|bulk_*|...
    entity: Mapped[str] = mapped_column(String(32), index=True)
    entity_key: Mapped[str | None] = mapped_column(String(64), index=True)
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)


# the bureau's records live in their own module; imported here so that its tables
# are on Base.metadata wherever the models are (Alembic, tests, the demo's wipe)
from gridwatch.db import models_bureau  # noqa: F401
