"""The warden's phone pages: my grids (我的网格) and the to-do list (待办).

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
from gridwatch.analytics.coverage import STATUS_LABELS, enterprise_status, grid_coverage
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
from gridwatch.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from gridwatch.fieldwork.checkin import IMPRECISE_PRECISIONS
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.geojson import feature_collection, records
from gridwatch.services.hazard_reads import read_hazards
from gridwatch.services.scope import enterprise_clause
from gridwatch.timeutil import today

#: To-do groups, most urgent first.
URGENCY: dict[str, str] = {
    "overdue": "逾期未检查",
    "due_soon": "即将到期",
    "hazard_due": "隐患整改临近期限",
    "on_time": "按期",
}
_RISK_RANK = {r: i for i, r in enumerate(vocab.RISK_LEVELS)}  # red first
MAX_PER_PAGE = 200


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
    ents = read_frame(conn, cols)
    insp = pd.DataFrame(
        conn.execute(
            sa.select(Inspection.enterprise_id, Inspection.inspected_on).where(
                Inspection.enterprise_id.in_(ids), Inspection.inspected_on <= on
            )
        ).all(),
        columns=["id", "inspected_on"],
    )
    insp["uscc"] = insp["id"].map(pd.Series(ents["uscc"].values, index=ents["id"]))
    start, end = status_period(on)
    status = enterprise_status(ents, insp, start, end, settings.due_days)
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
    out["is_imprecise"] = (
        out["precision"].isin(IMPRECISE_PRECISIONS) | out.geometry.isna()
    )
    out = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    out.attrs.update(period_start=start, period_end=end)
    return out


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
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
        enterprises=_labelled(ents),
        counts=counts,
    )


@dataclass
class TodoPage:
    """One page of the to-do list.

    ``items``: dicts, most urgent first, with ``urgency`` (a key of
    :data:`URGENCY`), ``urgency_label``, ``reasons`` (every urgency that applies,
    e.g. ``["overdue", "hazard_due"]``), ``id``, ``uscc``, ``name``, ``address``,
    ``sector``/``sector_label``, ``risk_level``/``risk_label``, ``grid_code``,
    ``status``/``status_label``, ``last_inspected_on``, ``due_on`` (dates or
    None), ``days_overdue`` (int days), ``open_hazards``,
    ``next_hazard_deadline``, ``days_to_hazard_deadline`` (days, negative when
    past), ``precision``/``precision_label``, ``is_imprecise``, ``lng``/``lat``
    (WGS-84 or None).

    ``total``: items over all pages; ``counts``: enterprises per urgency (with
    the filters, before paging); ``pages``: number of pages.
    """

    items: list[dict]
    total: int
    page: int
    per_page: int
    pages: int
    counts: dict[str, int]
    on: dt.date


def _as_list(value, options: dict[str, str], what: str) -> list[str] | None:
    if value is None or value == "" or value == []:
        return None
    values = [value] if isinstance(value, str) else list(value)
    bad = [v for v in values if v not in options]
    if bad:
        raise InvalidInputError(
            f"Unknown {what} {bad[0]!r}; use one of {', '.join(options)}."
        )
    return values


def _filters(conn, actor: Actor, on: dt.date, grid, risk, sector):
    """The ``where(eg)`` callable for :func:`enterprise_statuses`, checked."""
    risks = _as_list(risk, vocab.RISK_LEVELS, "risk level")
    sectors = _as_list(sector, vocab.SECTORS, "sector")
    if grid:
        known = _scope_grid_codes(conn, actor, on)
        if known is not None and grid not in known:
            raise NotFoundError(f"There is no grid {grid} in your area.")

    def where(eg):
        conds = []
        if grid:
            conds.append(eg.grid_code == grid)
        if risks:
            conds.append(Enterprise.risk_level.in_(risks))
        if sectors:
            conds.append(Enterprise.sector.in_(sectors))
        return sa.and_(sa.true(), *conds)

    return where


def _scope_grid_codes(conn, actor: Actor, on: dt.date) -> set[str] | None:
    """Grid codes a warden holds on ``on``; None for other roles (any grid of the
    scope: the enterprise clause already limits the rows)."""
    if actor.role != "warden":
        return None
    from gridwatch.services.scope import warden_grid_codes

    return set(conn.execute(warden_grid_codes(actor, on)).scalars())


def _ordinal(day) -> float:
    """A date as a sortable number; missing dates sort last."""
    if day is None or pd.isna(day):
        return float("inf")
    return float(day.toordinal())


def _urgency(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``urgency`` and sort most urgent first (rules in :func:`todo`)."""
    late = frame["status"].isin(["overdue", "never"])
    urgency = pd.Series("on_time", index=frame.index)
    urgency[frame["hazard_due"].astype(bool)] = "hazard_due"
    urgency[frame["status"] == "due_soon"] = "due_soon"
    urgency[late] = "overdue"
    # within a group: most days overdue / earliest due date / earliest deadline
    key = frame["due_on"].map(_ordinal)
    key[late] = -frame.loc[late, "days_overdue"].astype(float)
    by_deadline = urgency == "hazard_due"
    key[by_deadline] = frame.loc[by_deadline, "next_hazard_deadline"].map(_ordinal)
    out = frame.assign(
        urgency=urgency,
        _rank=urgency.map({k: i for i, k in enumerate(URGENCY)}),
        _key=key,
        _risk=frame["risk_level"].map(_RISK_RANK).fillna(9),
    )
    return out.sort_values(["_rank", "_key", "_risk", "uscc"]).reset_index(drop=True)


def _reasons(row) -> list[str]:
    out = []
    if row["status"] in ("overdue", "never"):
        out.append("overdue")
    if row["status"] == "due_soon":
        out.append("due_soon")
    if row["hazard_due"]:
        out.append("hazard_due")
    return out


def _page_args(page, per_page) -> tuple[int, int]:
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise InvalidInputError("page and per_page must be whole numbers.") from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInputError(
            f"page must be 1 or more and per_page between 1 and {MAX_PER_PAGE}."
        )
    return page, per_page


def todo(
    ctx: Context,
    actor: Actor,
    *,
    grid: str | None = None,
    risk: str | list[str] | None = None,
    sector: str | list[str] | None = None,
    page: int = 1,
    per_page: int = 50,
    include_on_time: bool = False,
    on: dt.date | None = None,
) -> TodoPage:
    """The actor's enterprises ordered by urgency (待办).

    Order: overdue (status ``overdue`` or ``never``, most days overdue first),
    then due soon (earliest due date first), then open hazards whose
    rectification deadline is within setting ``hazard_due_soon_days`` days or past
    (earliest deadline first); ties by risk (red first) and credit code. With
    ``include_on_time`` the rest follow by due date, so the list holds every
    enterprise of the scope.

    Parameters
    ----------
    grid : str, optional
        One of the actor's grids (others: NotFoundError).
    risk, sector : str or list of str, optional
        ``vocab.RISK_LEVELS`` / ``vocab.SECTORS`` keys.
    page, per_page : int
        1-based page; at most :data:`MAX_PER_PAGE` per page. A page past the end
        is empty.

    Raises
    ------
    PermissionDeniedError
        Bureau and admin (a district-wide to-do is the overdue report's job).
    NotFoundError
        ``grid`` is not in the actor's scope.
    InvalidInputError
        Unknown risk or sector, bad paging.
    """
    require_role(actor, "warden", "street_office", action="The to-do list")
    page, per_page = _page_args(page, per_page)
    on = on or today()
    with ctx.engine.connect() as conn:
        where = _filters(conn, actor, on, grid, risk, sector)
        ents = enterprise_statuses(conn, ctx.settings, actor, on, where)
    ranked = _urgency(_labelled(ents))
    counts = {k: int((ranked["urgency"] == k).sum()) for k in URGENCY}
    if not include_on_time:
        ranked = ranked[ranked["urgency"] != "on_time"]
    total = len(ranked)
    chunk = ranked.iloc[(page - 1) * per_page : page * per_page]
    items = []
    for rec, geom in zip(records(chunk), chunk.geometry):
        rec = {k: v for k, v in rec.items() if not k.startswith("_")}
        rec["urgency_label"] = URGENCY[rec["urgency"]]
        rec["reasons"] = _reasons(rec)
        rec["lng"] = geom.x if geom is not None else None
        rec["lat"] = geom.y if geom is not None else None
        items.append(rec)
    return TodoPage(
        items=items,
        total=total,
        page=page,
        per_page=per_page,
        pages=max(1, -(-total // per_page)),
        counts=counts,
        on=on,
    )
