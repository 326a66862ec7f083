"""First pages of the street office and the bureau: coverage, overdue, hotspots.

Built on :func:`gridwatch.services.maps.load_map_data` (the maps' own loader,
scope-filtered in SQL) and the maps' analytics
(:func:`~gridwatch.services.maps.coverage_figures`, ``coverage_by``,
``overdue_list``), so a grid's figures here are the coverage map's figures for
the same grid and period.

One deliberate difference: ``open_hazards`` counts every hazard open now
(:mod:`gridwatch.services.hazard_reads`), whenever it was found; the maps count
only open hazards *found in the period*, which leaves out the oldest and worst.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from gridwatch import vocab
from gridwatch.analytics.coverage import STATUS_LABELS, coverage_by, overdue_list
from gridwatch.db.models import Enterprise, GridWarden, Hazard, User, Warden
from gridwatch.db.queries import effective_on
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.grids.codes import town_of
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.geojson import feature_collection, plain, records
from gridwatch.services.hazard_reads import OPEN_STATUSES
from gridwatch.services.maps import MapData, coverage_figures, load_map_data
from gridwatch.services.scope import enterprise_ids_clause

COVERAGE_COLUMNS = [
    "n",
    "on_time",
    "share_on_time",
    "never",
    "share_never",
    "overdue",
    "due_soon",
]


def _open_hazards_by_uscc(ctx: Context, actor: Actor, on: dt.date) -> pd.Series:
    """Open hazards per credit code in the actor's scope (int Series by uscc).

    Counted in SQL (a street's open hazards are thousands of rows that only
    their number per enterprise is needed from); "open" is
    :data:`gridwatch.services.hazard_reads.OPEN_STATUSES`, as in
    :func:`~gridwatch.services.hazard_reads.read_hazards` (``on`` only dates
    deadlines there, and no deadline enters a count).
    """
    del on  # the count of open hazards does not depend on the day
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(Enterprise.uscc, sa.func.count())
            .select_from(Hazard)
            .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
            .where(
                enterprise_ids_clause(actor, Hazard.enterprise_id),
                Hazard.status.in_(OPEN_STATUSES),
                Enterprise.uscc.is_not(None),
            )
            .group_by(Enterprise.uscc)
        ).all()
    return pd.Series(
        [n for _, n in rows], index=[u for u, _ in rows], dtype="int64"
    ).rename("open_hazards")


def _grid_wardens(ctx: Context, version: int, codes: list[str], on: dt.date):
    """code → (username, full name) of the responsible warden on ``on``."""
    gw = GridWarden
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(gw.grid_code, User.username, User.full_name)
            .join(Warden, Warden.id == gw.warden_id)
            .join(User, User.id == Warden.user_id)
            .where(
                gw.version_id == version,
                gw.role == "responsible",
                effective_on(gw, on),
                gw.grid_code.in_(codes or [""]),
            )
        ).all()
    return {r.grid_code: (r.username, r.full_name) for r in rows}


def _per_grid(status: pd.DataFrame, counts: pd.Series, codes: pd.Series) -> pd.Series:
    per = status["uscc"].map(counts).fillna(0).groupby(status["grid_code"]).sum()
    return codes.map(per).fillna(0).astype(int)


def _totals(status: pd.DataFrame) -> dict:
    """The :func:`coverage_by` row of the whole frame as plain numbers."""
    row = coverage_by(status).iloc[0]
    return {
        c: (None if pd.isna(row[c]) else float(row[c]))
        if c.startswith("share_")
        else int(row[c])
        for c in COVERAGE_COLUMNS
    }


@dataclass
class StreetOverview:
    """A street's grids, coverage and overdue enterprises (frames in EPSG:4326).

    ``grids``: ``code``, ``parent_code``, ``warden`` (full name, "" when none),
    ``warden_username``, :data:`COVERAGE_COLUMNS` (counts of enterprises; shares
    0-1, NaN for an empty grid), ``open_hazards``, geometry.

    ``overdue``: enterprises past due at ``end``, most days overdue first:
    ``id``, ``uscc``, ``name``, ``sector``/``sector_label``, ``risk_level``, ``grid_code`` (None: in no grid), ``warden``,
    ``warden_username``, ``status``/``status_label`` (overdue or never),
    ``last_inspected_on``, ``due_on``, ``days_overdue`` (days).

    ``by_warden``: one row per responsible warden (``warden_username`` "" for
    grids without one): ``warden``, ``grids`` (count), ``grid_codes`` (list),
    :data:`COVERAGE_COLUMNS` summed over their grids (shares recomputed),
    ``max_days_overdue``.

    ``totals``: the street's :func:`coverage_by` row as a dict.
    """

    town_code: str
    town_name: str
    version: int
    start: dt.date
    end: dt.date
    grids: gpd.GeoDataFrame
    overdue: pd.DataFrame
    by_warden: pd.DataFrame
    totals: dict

    def geojson(self) -> dict:
        return feature_collection(self.grids)

    def overdue_page(
        self, *, grid: str | None = None, warden: str | None = None, page=1, per=50
    ) -> dict:
        """One page of :attr:`overdue`, optionally of one grid or one warden.

        ``warden`` is a username, or ``""`` for grids without a warden.
        Returns ``items`` (row dicts), ``total``, ``page``, ``pages``, ``per``.
        Raises NotFoundError for a grid that is not one of the street's.
        """
        rows = self.overdue
        if grid:
            if grid not in set(self.grids["code"]):
                raise NotFoundError(f"There is no grid {grid} in {self.town_name}.")
            rows = rows[rows["grid_code"] == grid]
        if warden is not None:
            rows = rows[rows["warden_username"].fillna("") == warden]
        page, per = max(int(page), 1), max(min(int(per), 500), 1)
        total = len(rows)
        return {
            "items": records(rows.iloc[(page - 1) * per : page * per]),
            "total": total,
            "page": page,
            "pages": max(1, -(-total // per)),
            "per": per,
        }

    def to_json(self) -> dict:
        """JSON-safe: the fields, ``grids`` as GeoJSON, the tables as row lists."""
        return plain(
            {
                "town_code": self.town_code,
                "town_name": self.town_name,
                "version": self.version,
                "start": self.start,
                "end": self.end,
                "totals": self.totals,
                "grids": self.geojson(),
                "overdue": records(self.overdue),
                "by_warden": records(self.by_warden),
            }
        )


def _street_town(actor: Actor, town: str | None) -> str:
    require_role(
        actor, "street_office", "bureau", "admin", action="The street overview"
    )
    if actor.role == "street_office":
        if town and town != actor.scope_code:
            raise NotFoundError(f"There is no town/street {town} in your area.")
        return actor.scope_code
    if not town:
        raise InvalidInputError(
            "Choose a town or street (a 9-digit code) for the street overview."
        )
    return town


def _by_warden(grids: pd.DataFrame, overdue: pd.DataFrame) -> pd.DataFrame:
    keys = grids["warden_username"].fillna("")
    agg = grids.groupby(keys).agg(
        warden=("warden", "first"),
        grids=("code", "size"),
        grid_codes=("code", list),
        **{c: (c, "sum") for c in COVERAGE_COLUMNS if not c.startswith("share_")},
    )
    n = agg["n"].where(agg["n"] > 0)
    agg["share_on_time"] = agg["on_time"] / n
    agg["share_never"] = agg["never"] / n
    worst = overdue.groupby(overdue["warden_username"].fillna(""))["days_overdue"].max()
    agg["max_days_overdue"] = agg.index.map(worst).fillna(0).astype(int)
    agg.index.name = "warden_username"
    return (
        agg.reset_index()
        .sort_values(["overdue", "warden_username"], ascending=[False, True])
        .reset_index(drop=True)
    )


def street_overview(
    ctx: Context,
    actor: Actor,
    town: str | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> StreetOverview:
    """The street's grids with coverage and warden, and its overdue enterprises.

    Parameters
    ----------
    town : str, optional
        9-digit town/street code. A street office sees only its own (default);
        bureau and admin must name one.
    start, end : date, optional
        The period (default the 365 days ending today, as the maps).

    Raises
    ------
    PermissionDeniedError
        A warden.
    NotFoundError
        Another street's code for a street office; a town that is not loaded.
    InvalidInputError
        A district role without ``town``.
    """
    town = _street_town(actor, town)
    # figures only: no points; open hazards are counted below, whenever found
    data = load_map_data(ctx, actor, start, end, town=town, points=False, hazards=False)
    grids, status = coverage_figures(ctx, data)
    wardens = _grid_wardens(ctx, data.version, grids["code"].tolist(), data.end)
    grids["warden_username"] = grids["code"].map(lambda c: wardens.get(c, ("", ""))[0])
    grids["open_hazards"] = _per_grid(
        status, _open_hazards_by_uscc(ctx, actor, data.end), grids["code"]
    )
    late = overdue_list(status, data.enterprises)
    late["id"] = late["uscc"].map(data.enterprises.set_index("uscc")["id"])
    late["warden"] = late["grid_code"].map(lambda c: wardens.get(c, ("", ""))[1])
    late["warden_username"] = late["grid_code"].map(
        lambda c: wardens.get(c, ("", ""))[0]
    )
    late["status_label"] = late["status"].map(STATUS_LABELS)
    late["sector_label"] = late["sector"].map(vocab.SECTORS)
    names = data.towns.set_index("code")["name"] if len(data.towns) else {}
    cols = [
        "code",
        "parent_code",
        "warden",
        "warden_username",
        *COVERAGE_COLUMNS,
        "open_hazards",
        "geometry",
    ]
    return StreetOverview(
        town_code=town,
        town_name=str(names.get(town, town)),
        version=data.version,
        start=data.start,
        end=data.end,
        grids=grids[cols],
        overdue=late[
            [
                "id",
                "uscc",
                "name",
                "sector",
                "sector_label",
                "risk_level",
                "grid_code",
                "warden",
                "warden_username",
                "status",
                "status_label",
                "last_inspected_on",
                "due_on",
                "days_overdue",
            ]
        ],
        by_warden=_by_warden(grids, late),
        totals=_totals(status),
    )


@dataclass
class BureauCoverage:
    """Coverage by town/street for the bureau.

    ``table``: one row per town (``code``, ``name``, :data:`COVERAGE_COLUMNS`,
    ``open_hazards``), then ``code`` "" (``name`` 未入格未定位: enterprises in no
    grid and without a town) when there are any, then the district total
    (``code`` "district", ``name`` 全区). An enterprise counts for the town of its
    grid (so a town's row is the sum of its grids on the coverage map), or for
    its own ``town_code`` when it is in no grid.

    ``towns``: the town polygons (``code``, ``name``, ``is_illustrative``) with the
    same columns, for the choropleth.
    """

    version: int
    start: dt.date
    end: dt.date
    table: pd.DataFrame
    towns: gpd.GeoDataFrame

    def geojson(self) -> dict:
        return feature_collection(self.towns)

    def to_json(self) -> dict:
        """JSON-safe: the period, ``table`` as rows and ``towns`` as GeoJSON."""
        return plain(
            {
                "version": self.version,
                "start": self.start,
                "end": self.end,
                "table": records(self.table),
                "towns": self.geojson(),
            }
        )


def _require_bureau(actor: Actor, action: str) -> None:
    require_role(actor, "bureau", "admin", action=action)


def bureau_coverage(
    ctx: Context,
    actor: Actor,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> BureauCoverage:
    """Coverage of every town/street of the district (table and map).

    Raises
    ------
    PermissionDeniedError
        Wardens and street offices (their pages show their own area).
    """
    _require_bureau(actor, "The district coverage table")
    data = load_map_data(ctx, actor, start, end, points=False, hazards=False)
    _grids, status = coverage_figures(ctx, data)
    town = status["grid_code"].map(lambda g: town_of(g) if isinstance(g, str) else None)
    status = status.assign(town_code=town.fillna(status["town_code"]))
    open_h = _open_hazards_by_uscc(ctx, actor, data.end)
    by_town = coverage_by(status, "town_code")
    per_town = (
        status["uscc"]
        .map(open_h)
        .fillna(0)
        .groupby(status["town_code"].fillna(""))
        .sum()
    )
    names = dict(zip(data.towns["code"], data.towns["name"]))
    table = by_town.reset_index().rename(columns={"town_code": "code"})
    table["name"] = table["code"].map(names).fillna("未入格未定位")
    table["open_hazards"] = table["code"].map(per_town).fillna(0).astype(int)
    total = coverage_by(status).reset_index(drop=True)
    total["code"], total["name"] = "district", "全区"
    total["open_hazards"] = int(per_town.sum())
    table = pd.concat(
        [table[table["code"] != ""], table[table["code"] == ""], total],
        ignore_index=True,
    )[["code", "name", *COVERAGE_COLUMNS, "open_hazards"]]
    towns = data.towns[["code", "name", "is_illustrative", "geometry"]].merge(
        table.drop(columns="name"), on="code", how="left"
    )
    for c in ("n", "on_time", "never", "overdue", "due_soon", "open_hazards"):
        towns[c] = towns[c].fillna(0).astype(int)
    return BureauCoverage(data.version, data.start, data.end, table, towns)


@dataclass
class HotspotView:
    """What the hotspot map shows: ``cells`` (GeoDataFrame, EPSG:4326: ``cell_id``,
    hazard counts and weights, ``gi_z``, ``p_sim``, ``label``) and ``trend``
    (``cell_id``, emerging-hotspot category, see
    :func:`gridwatch.analytics.emerging_hotspots`); ``data`` is the loaded
    :class:`~gridwatch.services.maps.MapData` for
    :func:`gridwatch.services.maps.build_map`."""

    start: dt.date
    end: dt.date
    n_hazards: int
    cells: gpd.GeoDataFrame
    trend: pd.DataFrame
    data: MapData

    def to_json(self) -> dict:
        """JSON-safe: the period, ``cells`` as GeoJSON (with the trend joined on
        ``cell_id`` when it has one row per cell) and the ``towns`` shown
        (``code``, ``name``; outlines for the map)."""
        cells = self.cells
        if "cell_id" in self.trend and not self.trend["cell_id"].duplicated().any():
            cells = cells.merge(self.trend, on="cell_id", how="left")
        cells = cells.assign(cell_id=cells["cell_id"].astype(str))
        towns = self.data.towns[["code", "name", "geometry"]]
        return plain(
            {
                "start": self.start,
                "end": self.end,
                "n_hazards": self.n_hazards,
                "cells": feature_collection(cells),
                "towns": feature_collection(towns),
            }
        )


def bureau_hotspots(
    ctx: Context,
    actor: Actor,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    town: str | None = None,
) -> HotspotView:
    """Hazard hotspots (Getis-Ord Gi* per month, emerging-hotspot trend), read-only.

    Raises
    ------
    PermissionDeniedError
        Wardens and street offices.
    InvalidInputError
        No hazard was found in the period.
    """
    from gridwatch.services.maps import hotspot_frames

    _require_bureau(actor, "The hotspot map")
    data = load_map_data(ctx, actor, start, end, town=town)
    cells, _monthly, trend = hotspot_frames(ctx, data)
    return HotspotView(data.start, data.end, len(data.hazards), cells, trend, data)


def hotspot_map(ctx: Context, view: HotspotView):
    """The folium hotspot map of a :class:`HotspotView`, drawn by the maps' own
    builder with the frames already computed (as ``build_map`` does)."""
    from gridwatch import maps

    return maps.hotspot_map(
        view.cells,
        view.trend,
        tiles=ctx.settings.tiles,
        towns=view.data.towns,
        communities=view.data.communities,
        subtitle=f"{view.start} 至 {view.end}",
    )
