"""What a patrol plan reads from the database, each as one frame (scope in SQL).

Every read takes the street's scope clause (:func:`street_clause`): the same
``WHERE`` a street office's own reads use (:mod:`gridwatch.services.scope`).
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.db.models import (
    Enterprise,
    EnterpriseGrid,
    Grid,
    GridWarden,
    Hazard,
    Inspection,
    User,
    Warden,
)
from gridwatch.db.queries import effective_on, read_frame, wkb
from gridwatch.services.actor import Actor
from gridwatch.services.scope import enterprise_clause

#: Hazard statuses that need no re-inspection (vocab.HAZARD_STATUSES; the legacy
#: "closed" is the same word).
CLOSED_HAZARD_STATUSES = ("closed",)


def street_clause(street: str, day: dt.date):
    """``WHERE`` on Enterprise: the street's enterprises on ``day``, as the street
    office itself sees them."""
    office = Actor(f"street:{street}", "street_office", scope_code=street)
    return enterprise_clause(office, day)


def enterprises(conn, street: str, day: dt.date) -> gpd.GeoDataFrame:
    """The street's enterprises with their responsible warden on ``day``.

    Columns: ``enterprise_id`` (enterprises.id), ``uscc``, ``name``, ``risk_level``,
    ``registered_on``, ``grid_code`` (None: in no grid), ``warden`` (wardens.id,
    None: no warden), ``last_inspected_on`` (latest inspection on or before
    ``day``, None if never); Point geometry (WGS-84; None when unplaced).
    """
    eg = sa.orm.aliased(EnterpriseGrid)
    gw = sa.orm.aliased(GridWarden)
    last = (
        sa.select(
            Inspection.enterprise_id, sa.func.max(Inspection.inspected_on).label("d")
        )
        .where(Inspection.inspected_on <= day)
        .group_by(Inspection.enterprise_id)
        .subquery()
    )
    stmt = (
        sa.select(
            Enterprise.id.label("enterprise_id"),
            Enterprise.uscc,
            Enterprise.name,
            Enterprise.risk_level,
            Enterprise.registered_on,
            eg.grid_code,
            gw.warden_id.label("warden"),
            last.c.d.label("last_inspected_on"),
            wkb(Enterprise.geom),
        )
        .outerjoin(
            eg, sa.and_(eg.enterprise_id == Enterprise.id, effective_on(eg, day))
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
        .outerjoin(last, last.c.enterprise_id == Enterprise.id)
        .where(street_clause(street, day))
        .order_by(Enterprise.id, gw.valid_from.desc())
    )
    frame = read_frame(conn, stmt)
    frame = frame.drop_duplicates("enterprise_id").reset_index(drop=True)
    frame["warden"] = pd.Series(
        [None if pd.isna(w) else int(w) for w in frame["warden"]],
        index=frame.index,
        dtype=object,
    )
    return frame


def open_hazards(conn, street: str, day: dt.date) -> pd.DataFrame:
    """Hazards of the street's enterprises still open: ``hazard_id``,
    ``enterprise_id``, ``deadline`` (rectification deadline, None if none set),
    ``status``. The one place the plan reads hazards (their lifecycle is being
    reworked: adapt here)."""
    ids = sa.select(Enterprise.id).where(street_clause(street, day))
    rows = conn.execute(
        sa.select(
            Hazard.id, Hazard.enterprise_id, Hazard.deadline, Hazard.status
        ).where(
            Hazard.enterprise_id.in_(ids),
            Hazard.status.notin_(CLOSED_HAZARD_STATUSES),
        )
    ).all()
    return pd.DataFrame(
        rows, columns=["hazard_id", "enterprise_id", "deadline", "status"]
    )


def running_campaigns(conn, street: str, window) -> tuple[pd.DataFrame | None, list]:
    """Special campaigns (专项整治) running in ``window`` with their target
    enterprises, as :func:`gridwatch.patrol.schedule.due_visits` takes them;
    ``(None, [])`` while the database has no campaigns table.

    Reads ``campaigns`` (``id, name, starts_on, ends_on``) and
    ``campaign_targets`` (``campaign_id, enterprise_id``) when both exist with
    those columns; a campaigns table of another shape is not guessed at: the
    plan then says campaigns were not read (second item: warnings).
    """
    insp = sa.inspect(conn)
    if not insp.has_table("campaigns"):
        return None, []
    cols = {c["name"] for c in insp.get_columns("campaigns")}
    tcols = (
        {c["name"] for c in insp.get_columns("campaign_targets")}
        if insp.has_table("campaign_targets")
        else set()
    )
    if (
        not {"id", "name", "starts_on", "ends_on"} <= cols
        or not {
            "campaign_id",
            "enterprise_id",
        }
        <= tcols
    ):
        return None, [
            (
                "Campaigns were not read: the campaigns tables do not have the "
                "columns the plan knows (id, name, starts_on, ends_on; campaign_id, "
                "enterprise_id)."
            )
        ]
    meta = sa.MetaData()
    c = sa.Table("campaigns", meta, autoload_with=conn)
    t = sa.Table("campaign_targets", meta, autoload_with=conn)
    ids = sa.select(Enterprise.id).where(street_clause(street, window.start))
    rows = conn.execute(
        sa.select(c.c.id, c.c.name, c.c.starts_on, c.c.ends_on, t.c.enterprise_id)
        .join(t, t.c.campaign_id == c.c.id)
        .where(
            c.c.starts_on <= window.end,
            c.c.ends_on >= window.start,
            t.c.enterprise_id.in_(ids),
        )
    ).all()
    frame = pd.DataFrame(
        rows, columns=["campaign_id", "name", "starts_on", "ends_on", "enterprise_id"]
    )
    return frame, []


def street_wardens(conn, street: str) -> pd.DataFrame:
    """Active wardens of the street: ``warden`` (wardens.id), ``username``,
    ``full_name``, ``phone``, ``has_base``."""
    rows = conn.execute(
        sa.select(
            Warden.id,
            User.username,
            User.full_name,
            Warden.phone,
            Warden.base.isnot(None),
        )
        .join(User, User.id == Warden.user_id)
        .where(User.is_active.is_(True), Warden.street_code == street)
        .order_by(User.username)
    ).all()
    return pd.DataFrame(
        rows, columns=["warden", "username", "full_name", "phone", "has_base"]
    )


def bases(conn, wardens: list[int], day: dt.date) -> gpd.GeoDataFrame:
    """Each warden's base (WGS-84): the recorded ``wardens.base``, else the
    centroid of the grids they hold on ``day`` (computed in the metric CRS).
    Columns ``warden``, ``base_source`` ("recorded" | "grids"); wardens with
    neither get no row."""
    if not wardens:
        return gpd.GeoDataFrame(
            {"warden": [], "base_source": []}, geometry=[], crs=WGS84
        )
    recorded = read_frame(
        conn,
        sa.select(Warden.id.label("warden"), wkb(Warden.base)).where(
            Warden.id.in_(wardens), Warden.base.isnot(None)
        ),
    )
    recorded["base_source"] = "recorded"
    rest = [w for w in wardens if w not in set(recorded["warden"])]
    grids = read_frame(
        conn,
        sa.select(GridWarden.warden_id.label("warden"), wkb(Grid.geom))
        .join(
            Grid,
            sa.and_(
                Grid.version_id == GridWarden.version_id,
                Grid.code == GridWarden.grid_code,
            ),
        )
        .where(
            GridWarden.warden_id.in_(rest or [-1]),
            GridWarden.role == "responsible",
            effective_on(GridWarden, day),
        ),
    )
    parts = [recorded[["warden", "base_source", "geometry"]]]
    if len(grids):
        union = grids.to_crs(METRIC_CRS).dissolve("warden")
        centroids = gpd.GeoDataFrame(
            {"warden": union.index.astype(int), "base_source": "grids"},
            geometry=union.geometry.centroid.to_numpy(),
            crs=METRIC_CRS,
        ).to_crs(WGS84)
        parts.append(centroids)
    out = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)


def wardens_holding_grids(conn, wardens: list[int], day: dt.date) -> set[int]:
    """Which of ``wardens`` are responsible for at least one grid on ``day``."""
    if not wardens:
        return set()
    return set(
        conn.execute(
            sa.select(GridWarden.warden_id)
            .where(
                GridWarden.warden_id.in_([int(w) for w in wardens]),
                GridWarden.role == "responsible",
                effective_on(GridWarden, day),
            )
            .distinct()
        ).scalars()
    )
