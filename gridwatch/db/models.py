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
    # (enterprise, date): the coverage status reads each enterprise's dates in
    # order (db.queries.inspection_summary); the index alone answers it
    __table_args__ = (
        Index("ix_inspections_enterprise_day", "enterprise_id", "inspected_on"),
    )
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
    """隐患: its current state only; every transition is a :class:`HazardEvent` row.

    ``status`` holds the state of the machine in :mod:`gridwatch.supervision`
    (``vocab.HAZARD_STATUSES``: found / rectifying / rectified / closed); overdue is
    derived from ``deadline`` and the day, never stored. ``is_listed`` is "under
    listed supervision now" (listed and not delisted); the listing's details stay
    after delisting. ``source`` says how it was found (``vocab.HAZARD_SOURCES``).
    """

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
    source: Mapped[str] = mapped_column(
        String(16), default="inspection", server_default="inspection"
    )
    is_extended: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    last_event_on: Mapped[dt.date | None] = mapped_column(Date)
    listed_on: Mapped[dt.date | None] = mapped_column(Date)
    supervising_body: Mapped[str | None] = mapped_column(String(100))
    listing_deadline: Mapped[dt.date | None] = mapped_column(Date)
    responsible_person: Mapped[str | None] = mapped_column(String(100))
    delisted_on: Mapped[dt.date | None] = mapped_column(Date)
    self_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("self_reports.id"), index=True
    )
    # the reporting system's own number of a self-reported hazard (re-imports)
    external_ref: Mapped[str | None] = mapped_column(String(64))


class HazardEvent(Base):
    """One transition of a hazard (who, role, when, from, to, note, photos).

    ``actor`` is a username, or for the enterprise's own acts (自查自报) its credit
    code; ``recorded_by`` is the account that stored the row (the clerk who imported
    a self-report). ``extra`` holds the rest of the domain event: ``level`` (on
    discover) and ``listing`` (on list_hazard).
    """

    __tablename__ = "hazard_events"
    __table_args__ = (Index("ix_hazard_events_hazard", "hazard_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"))
    action: Mapped[str] = mapped_column(String(24))  # vocab.HAZARD_ACTIONS
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # vocab.ACTOR_ROLES
    acted_on: Mapped[dt.date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    photos: Mapped[list[Any]] = mapped_column(JSON, default=list)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class Penalty(Base):
    """行政处罚 / 经济处罚: one decision (its number is unique)."""

    __tablename__ = "penalties"
    __table_args__ = (Index("uq_penalties_decision_no", "decision_no", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    decided_on: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # vocab.PENALTY_KINDS
    amount_yuan: Mapped[float] = mapped_column(Float, default=0.0)
    decision_no: Mapped[str | None] = mapped_column(String(64))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"))
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_imports.id"))


class SelfReport(Base):
    """自查自报: one monthly self-inspection report per enterprise.

    ``submitted_on`` None records that the reporting system listed the enterprise
    as not having submitted (the month's non-reporters are derived, see
    :mod:`gridwatch.supervision.selfreports`).
    """

    __tablename__ = "self_reports"
    __table_args__ = (UniqueConstraint("enterprise_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    n_hazards: Mapped[int] = mapped_column(Integer, default=0)
    reporter: Mapped[str | None] = mapped_column(String(100))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_imports.id"))


class SupervisionImport(Base):
    """One spreadsheet import (self-reports or penalties): what came in and what
    became of every row (``rejects``: row, field, value, reason)."""

    __tablename__ = "supervision_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # self_reports|penalties
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    imported_by: Mapped[str] = mapped_column(String(64))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rejects: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Tipoff(Base):
    """群众举报 / 随手拍: a public report, routed to a grid and its warden.

    ``geom`` is WGS-84 (converted once from ``source_datum``). Routing: ``routed_by``
    ``point`` (the grid covering the point, the smallest code on a shared edge,
    and its responsible warden that day), ``address`` (the same from a geocoded
    door/road address) or ``street`` (an address placed only to a community or
    town: the street office, no warden). Contact details are personal data,
    shown only to staff whose scope covers the tip-off. ``client_hash`` is an
    HMAC of the sender's network address (rate limiting, never the address).
    """

    __tablename__ = "tipoffs"
    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    geom: Mapped[Any] = mapped_column(_point(), nullable=True)
    source_datum: Mapped[str | None] = mapped_column(String(16))
    location_precision: Mapped[str | None] = mapped_column(String(16))
    routed_by: Mapped[str] = mapped_column(String(16))  # point|address|street|none
    town_code: Mapped[str | None] = mapped_column(String(12), index=True)
    grid_code: Mapped[str | None] = mapped_column(String(15), index=True)
    warden_id: Mapped[int | None] = mapped_column(ForeignKey("wardens.id"), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    photos: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True)  # TIPOFF_STATUSES
    handled_on: Mapped[dt.date | None] = mapped_column(Date)
    handled_by: Mapped[str | None] = mapped_column(String(64))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"))
    referred_to: Mapped[str | None] = mapped_column(String(100))
    dismissal_reason: Mapped[str | None] = mapped_column(Text)
    client_hash: Mapped[str | None] = mapped_column(String(64), index=True)


class TipoffEvent(Base):
    """One triage step of a tip-off (``extra``: uscc, hazard_id, department)."""

    __tablename__ = "tipoff_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    tipoff_id: Mapped[int] = mapped_column(ForeignKey("tipoffs.id"), index=True)
    action: Mapped[str] = mapped_column(String(24))  # vocab.TIPOFF_ACTIONS
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    acted_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    photos: Mapped[list[Any]] = mapped_column(JSON, default=list)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class Campaign(Base):
    """专项整治: ``spec`` is :meth:`gridwatch.supervision.CampaignSpec.to_dict`; the
    targets are fixed in :class:`CampaignTarget` when the campaign is created."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    preset: Mapped[str | None] = mapped_column(String(32))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    min_inspections: Mapped[int] = mapped_column(Integer, default=1)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    targets_fixed_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class CampaignTarget(Base):
    """An enterprise a campaign targets (``selector``: the 1-based selector it
    matched first, 0 when the campaign has none)."""

    __tablename__ = "campaign_targets"
    __table_args__ = (UniqueConstraint("campaign_id", "enterprise_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    selector: Mapped[int] = mapped_column(Integer, default=0)


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


# jobs and patrol plans live in their own module, on the same metadata
from gridwatch.db import models_street  # noqa: E402,F401
