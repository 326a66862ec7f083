"""The warden's phone pages: my grids (我的网格) and the status read shared with the
to-do list (:mod:`gridwatch.services.todo`).

Every read is limited in SQL to the actor's scope
(:func:`gridwatch.services.scope.enterprise_clause`): a warden's request reads
the rows of the warden's own grids and nothing else, and the counts shown are
counts of the same query.

Inspection status is :func:`gridwatch.analytics.coverage.enterprise_status`
with the maps' period (the 365 days ending on the day asked, see
:func:`status_period`) and the setting ``due_days``, so a colour here equals the
colour of the same enterprise on the coverage map.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from gridwatch import vocab
from gridwatch.analytics.coverage import (
    STATUS_LABELS,
    enterprise_status_from_summary,
    grid_coverage,
)
from gridwatch.db.models import (
    Enterprise,
    EnterpriseGrid,
    Grid,
    GridWarden,
    Hazard,
    User,
    Warden,
)
from gridwatch.db.queries import effective_on, inspection_summary, read_frame, wkb
from gridwatch.errors import PermissionDeniedError
from gridwatch.fieldwork.checkin import IMPRECISE_PRECISIONS
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.geojson import feature_collection, plain
from gridwatch.services.hazard_reads import read_hazards
from gridwatch.services.scope import enterprise_clause
from gridwatch.timeutil import today

#: To-do groups, most urgent first.


def status_period(on: dt.date) -> tuple[dt.date, dt.date]:
    """The maps' default period ending on ``on``: ``(on - 364 days, on)``.

    The same rule as :func:`gridwatch.services.maps.load_map_data` with no
    dates given, so statuses (which depend on the period only through
    ``never``'s days overdue) match the coverage map's.
    """
    from gridwatch.services.maps import _period  # the maps' one definition

    return _period(None, on)


def require_warden(actor: Actor, action: str) -> None:
    """Refuse anyone but a warden (the pages of "my grids" need a warden's grids)."""
    require_role(actor, "warden", action=action)
    if actor.role != "warden":
        raise PermissionDeniedError(
            f"{action} needs a warden account; a {actor.role} account has no grids "
            "of its own.",
            details={"role": actor.role},
        )


def _enterprise_select(actor: Actor, on: dt.date, where=None):
    """(columns select, ids select) of the enterprises in scope on ``on``."""
    eg = aliased(EnterpriseGrid)
    join = sa.and_(eg.enterprise_id == Enterprise.id, effective_on(eg, on))
    cond = enterprise_clause(actor, on)
    if where is not None:
        cond = sa.and_(cond, where(eg))
    cols = sa.select(
        Enterprise.id,
        Enterprise.uscc,
        Enterprise.name,
        Enterprise.address,
        Enterprise.sector,
        Enterprise.risk_level,
        Enterprise.registered_on,
        Enterprise.precision,
        Enterprise.town_code,
        Enterprise.community_code,
        eg.grid_code,
        wkb(Enterprise.geom),
    )
    cols = cols.outerjoin(eg, join).where(cond).order_by(Enterprise.uscc)
    ids = sa.select(Enterprise.id).outerjoin(eg, join).where(cond)
    return cols, ids


def _flag(values: pd.Series) -> pd.Series:
    """True/False with missing as False (nullable or object booleans in)."""
    return values.astype("boolean").fillna(False).astype(bool)


def _hazard_summary(conn, ids, on: dt.date, soon_days: int) -> pd.DataFrame:
    """Per enterprise id: ``open_hazards``, ``next_hazard_deadline``,
    ``days_to_hazard_deadline`` (Int64), ``hazard_due`` (open hazard whose
    deadline is within ``soon_days`` or past)."""
    hz = read_hazards(conn, Hazard.enterprise_id.in_(ids), on, open_only=True)
    cols = ["open_hazards", "next_hazard_deadline", "days_to_hazard_deadline"]
    if hz.empty:
        return pd.DataFrame(
            columns=[*cols, "hazard_due"], index=pd.Index([], name="id")
        )
    g = hz.groupby("enterprise_id")
    out = pd.DataFrame(
        {
            "open_hazards": g.size(),
            "next_hazard_deadline": g["deadline"].min(),
            "days_to_hazard_deadline": g["days_to_deadline"].min(),
        }
    )
    out.index.name = "id"
    out["hazard_due"] = _flag(out["days_to_hazard_deadline"] <= soon_days)
    return out


def enterprise_statuses(
    conn, settings, actor: Actor, on: dt.date, where=None
) -> gpd.GeoDataFrame:
    """The enterprises in the actor's scope with their inspection status and open
    hazards, read in SQL for the scope only.

    Parameters
    ----------
    where : callable, optional
        ``where(eg)`` → extra SQL clause, ``eg`` being the enterprise→grid alias
        valid on ``on`` (filters by grid, risk, sector).

    Returns
    -------
    GeoDataFrame (EPSG:4326)
        One row per enterprise, ordered by credit code: ``id``, ``uscc``,
        ``name``, ``address``, ``sector``, ``risk_level``, ``registered_on``,
        ``precision``, ``is_imprecise``, ``town_code``, ``community_code``,
        ``grid_code`` (on ``on``; None when in no grid), the
        :func:`~gridwatch.analytics.coverage.enterprise_status` columns
        ``status``, ``last_inspected_on``, ``due_on``, ``days_overdue``,
        ``is_on_time``, and ``open_hazards`` (int), ``next_hazard_deadline``,
        ``days_to_hazard_deadline`` (Int64, negative when past),
        ``hazard_due`` (bool). Enterprises registered after ``on`` are left out
        (they have no status yet).
    """
    cols, ids = _enterprise_select(actor, on, where)
    located = read_frame(conn, cols)
    # pandas work on a plain frame (GeoDataFrame operations cost ~1 ms each);
    # the points are put back at the end
    points = pd.Series(located.geometry.values, index=located["id"].values)
    ents = pd.DataFrame(located.drop(columns="geometry"))
    start, end = status_period(on)
    # per enterprise, the few inspection facts the status needs, aggregated in SQL
    summary = inspection_summary(conn, ids, start, end)
    uscc = pd.Series(ents["uscc"].values, index=ents["id"].values)
    summary.insert(0, "uscc", summary.pop("enterprise_id").map(uscc))
    status = enterprise_status_from_summary(
        ents, summary.dropna(subset=["uscc"]), start, end, settings.due_days
    )
    keep = [
        "uscc",
        "status",
        "last_inspected_on",
        "due_on",
        "days_overdue",
        "is_on_time",
        "inspected_in_period",
        "n_inspections",
    ]
    out = ents.merge(status[keep], on="uscc", how="inner")
    hz = _hazard_summary(conn, ids, on, int(settings.hazard_due_soon_days))
    out = out.merge(hz, left_on="id", right_index=True, how="left")
    out["open_hazards"] = out["open_hazards"].fillna(0).astype(int)
    out["hazard_due"] = _flag(out["hazard_due"])
    out["days_to_hazard_deadline"] = out["days_to_hazard_deadline"].astype("Int64")
    geometry = out["id"].map(points)
    out["is_imprecise"] = out["precision"].isin(IMPRECISE_PRECISIONS) | geometry.isna()
    out = gpd.GeoDataFrame(out, geometry=geometry.values, crs="EPSG:4326")
    out.attrs.update(period_start=start, period_end=end)
    return out


def label_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the Chinese labels of sector, risk, status and precision."""
    return frame.assign(
        sector_label=frame["sector"].map(vocab.SECTORS).fillna(frame["sector"]),
        risk_label=frame["risk_level"].map(vocab.RISK_LEVELS),
        status_label=frame["status"].map(STATUS_LABELS),
        precision_label=frame["precision"].map(vocab.PRECISIONS),
    )


@dataclass
class MyGrids:
    """What the "my grids" map shows (all frames EPSG:4326).

    ``grids``: the warden's grids on ``on``: ``code``, ``parent_code`` (community),
    ``version_id``, ``role`` (responsible / deputy), ``responsible_warden`` (full
    name), the coverage columns of
    :func:`~gridwatch.analytics.coverage.coverage_by` (``n``, ``on_time``,
    ``share_on_time``, ``never``, ``share_never``, ``overdue``, ``due_soon``) and
    ``open_hazards`` (all currently open), geometry (polygons).

    ``enterprises``: :func:`enterprise_statuses` plus ``sector_label``,
    ``risk_label``, ``status_label``, ``precision_label``; an enterprise with
    ``is_imprecise`` has a town/community point that is not its site: draw it
    apart (or list it), not as a pin.

    ``counts``: enterprises per status (``on_time``, ``due_soon``, ``overdue``,
    ``never``) and ``imprecise``.
    """

    on: dt.date
    period_start: dt.date
    period_end: dt.date
    grids: gpd.GeoDataFrame
    enterprises: gpd.GeoDataFrame
    counts: dict[str, int] = field(default_factory=dict)

    def geojson(self) -> dict:
        """``{"grids": FeatureCollection, "enterprises": FeatureCollection}``."""
        return {
            "grids": feature_collection(self.grids),
            "enterprises": feature_collection(self.enterprises),
        }

    def to_json(self) -> dict:
        """JSON-safe: :meth:`geojson` plus ``on``, the period and ``counts``."""
        return plain(
            {
                "on": self.on,
                "period_start": self.period_start,
                "period_end": self.period_end,
                "counts": self.counts,
                **self.geojson(),
            }
        )


def _warden_grids(conn, actor: Actor, on: dt.date) -> gpd.GeoDataFrame:
    """The grids a warden holds on ``on`` (responsible or deputy) with the
    responsible warden's name."""
    gw, boss = aliased(GridWarden), aliased(GridWarden)
    mine = (
        sa.select(
            Grid.code,
            Grid.parent_code,
            Grid.version_id,
            gw.role,
            User.full_name.label("responsible_warden"),
            wkb(Grid.geom),
        )
        .join(gw, sa.and_(gw.version_id == Grid.version_id, gw.grid_code == Grid.code))
        .outerjoin(
            boss,
            sa.and_(
                boss.version_id == Grid.version_id,
                boss.grid_code == Grid.code,
                boss.role == "responsible",
                effective_on(boss, on),
            ),
        )
        .outerjoin(Warden, Warden.id == boss.warden_id)
        .outerjoin(User, User.id == Warden.user_id)
        .where(gw.warden_id == actor.warden_id, effective_on(gw, on))
        .order_by(Grid.code)
    )
    grids = read_frame(conn, mine)
    # a grid held as responsible and as deputy (an override) is listed once
    grids = grids.sort_values(["code", "role"], ascending=[True, False])
    return grids.drop_duplicates("code").reset_index(drop=True)


def my_grids(ctx: Context, actor: Actor, on: dt.date | None = None) -> MyGrids:
    """The warden's grids with their enterprises and inspection status.

    Raises
    ------
    PermissionDeniedError
        The actor is not a warden.
    """
    require_warden(actor, "Showing my grids")
    on = on or today()
    with ctx.engine.connect() as conn:
        grids = _warden_grids(conn, actor, on)
        ents = enterprise_statuses(conn, ctx.settings, actor, on)
    open_h = pd.Series(ents["open_hazards"].values, index=ents["uscc"])
    grids = grid_coverage(grids, ents, open_h)
    counts = {s: int((ents["status"] == s).sum()) for s in STATUS_LABELS}
    counts["imprecise"] = int(ents["is_imprecise"].sum())
    start, end = status_period(on)
    return MyGrids(
        on=on,
        period_start=start,
        period_end=end,
        grids=grids,
        enterprises=label_columns(ents),
        counts=counts,
    )
