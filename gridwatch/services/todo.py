"""The warden's to-do list (待办): their enterprises, most urgent first.

Built on :func:`gridwatch.services.warden.enterprise_statuses` (one SQL read of
the actor's scope, the maps' inspection status, open hazards), so the to-do and
the "my grids" map agree on every enterprise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import pandas as pd
import sqlalchemy as sa

from gridwatch import vocab
from gridwatch.db.models import Enterprise, Grid, GridVersion
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.geojson import plain, records
from gridwatch.services.scope import grid_clause
from gridwatch.services.supervision.worklists import enterprise_flags
from gridwatch.services.warden import enterprise_statuses, label_columns
from gridwatch.timeutil import today

#: The urgencies, most urgent first, and their labels (one table: the pages
#: show ``vocab.TODO_URGENCIES`` through ``label()``).
URGENCY: dict[str, str] = vocab.TODO_URGENCIES
_RISK_RANK = {r: i for i, r in enumerate(vocab.RISK_LEVELS)}  # red first
MAX_PER_PAGE = 200


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
    (WGS-84 or None), ``campaigns`` (running campaigns it still falls short in:
    ``campaign_id``, ``name``, ``ends_on``, ``still_needed``) and
    ``missing_report_month`` (the latest month already due with no self-report,
    or None).

    ``total``: items over all pages; ``counts``: enterprises per urgency (with
    the filters, before paging); ``pages``: number of pages; ``grids``: the
    codes of the grids in the actor's scope on ``on`` (active version), for the
    grid filter.
    """

    items: list[dict]
    total: int
    page: int
    per_page: int
    pages: int
    counts: dict[str, int]
    on: dt.date
    grids: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """JSON-safe dict of every field (dates as ISO text, missing as null)."""
        return plain(asdict(self))


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
        _check_grid(conn, actor, on, grid)

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


def _check_grid(conn, actor: Actor, on: dt.date, grid: str) -> None:
    """NotFoundError unless ``grid`` is a grid of the actor's scope on ``on``."""
    found = conn.execute(
        sa.select(Grid.code).where(Grid.code == grid, grid_clause(actor, on)).limit(1)
    ).scalar()
    if found is None:
        raise NotFoundError(f"There is no grid {grid} in your area.")


def _scope_grids(conn, actor: Actor, on: dt.date) -> list[str]:
    """Codes of the active version's grids in the actor's scope on ``on``."""
    active = sa.select(GridVersion.id).where(GridVersion.status == "active")
    return list(
        conn.execute(
            sa.select(Grid.code)
            .where(
                Grid.version_id.in_(active.scalar_subquery()), grid_clause(actor, on)
            )
            .order_by(Grid.code)
        ).scalars()
    )


def _ordinal(day) -> float:
    """A date as a sortable number; missing dates sort last."""
    if day is None or pd.isna(day):
        return float("inf")
    return float(day.toordinal())


def _urgency(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``urgency`` and sort most urgent first (rules in :func:`todo`)."""
    late = frame["status"].isin(["overdue", "never"])
    urgency = pd.Series("on_time", index=frame.index)
    urgency[frame["missing_report_month"].notna()] = "no_report"
    urgency[frame["campaigns"].map(bool)] = "campaign"
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
    if row["campaigns"]:
        out.append("campaign")
    if row["missing_report_month"]:
        out.append("no_report")
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
    (earliest deadline first), then targets of a running special campaign still
    short of its target, then enterprises whose latest due monthly self-report is
    missing (:func:`gridwatch.services.supervision.worklists.enterprise_flags`);
    ties by risk (red first) and credit code. With
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
        grids = _scope_grids(conn, actor, on)
    flags = enterprise_flags(ctx, actor, on=on, grid=grid)
    ents["campaigns"] = (
        ents["id"]
        .map(flags["campaigns"])
        .map(lambda v: v if isinstance(v, list) else [])
    )
    ents["missing_report_month"] = ents["id"].map(flags["missing_report_month"])
    ranked = _urgency(label_columns(ents))
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
        grids=grids,
    )
