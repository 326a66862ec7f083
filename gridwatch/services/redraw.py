"""A street office redraws its grids: build a draft as a job, compare it with the
active version, edit it (split, merge, undo: :mod:`gridwatch.services.grids`),
then activate it together with the wardens' reassignment
(:mod:`gridwatch.services.reassign`).

Who: a street office for its own street (a draft it builds belongs to its
street, ``params.town``); admins and the command line name the street.
"""

from __future__ import annotations

import numbers

import geopandas as gpd
import sqlalchemy as sa
from shapely.geometry import mapping

from gridwatch.crs import METRIC_CRS
from gridwatch.db.models import AdminUnit, Grid, GridEdit, GridVersion
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context
from gridwatch.services.grids import active_version_id, version_grids
from gridwatch.services.reassign_inputs import street_of_actor

METHODS = ("balanced", "square", "hex")
#: Cell sides accepted for square/hex grids, metres: below 100 m a street holds
#: tens of thousands of cells (a grid per building), above 5 km one cell holds a
#: whole community.
CELL_RANGE_M = (100.0, 5000.0)
#: Grids per community accepted (a typo such as 2000 should not run).
MAX_GRIDS_PER_UNIT = 200


def _number(value, what: str, *, low: float, high: float | None = None) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"The {what} must be a number, not {value!r}."
        ) from None
    if not (x >= low and (high is None or x <= high)):  # NaN fails too
        upto = f" and at most {high:g}" if high is not None else ""
        raise InvalidInputError(
            f"The {what} must be at least {low:g}{upto}, not {x:g}."
        )
    return x


def _community(conn, street: str, code) -> str | None:
    if code in (None, ""):
        return None
    code = str(code)
    found = conn.execute(
        sa.select(AdminUnit.code).where(
            AdminUnit.code == code,
            AdminUnit.level == "community",
            AdminUnit.parent_code == street,
            AdminUnit.geom.isnot(None),
        )
    ).scalar()
    if found is None:
        raise InvalidInputError(
            f"{code} is not a community of street {street} with a boundary; "
            "choose one of the listed communities."
        )
    return code


def check_build(ctx: Context, actor: Actor, params: dict) -> dict:
    """Check a redraw's parameters (the ``grids.build`` job's check).

    ``params``: ``street`` (admins; a street office's own by default),
    ``community`` (12 digits, or empty for the whole street), ``method``
    (balanced/square/hex), and exactly one of ``target_workload`` (balanced,
    >= 1 risk-weighted enterprise), ``grids_per_unit`` (balanced, 1..200 per
    community) or ``cell_size_m`` (square/hex, 100..5000 m); ``seed``.
    """
    street = street_of_actor(actor, params.get("street"), "Redrawing grids")
    method = params.get("method") or "balanced"
    if method not in METHODS:
        raise InvalidInputError(
            f"Unknown grid method {method!r}; use {', '.join(METHODS)}."
        )
    sizes = {
        k: params.get(k)
        for k in ("target_workload", "grids_per_unit", "cell_size_m")
        if params.get(k) not in (None, "")
    }
    wanted = (
        ("cell_size_m",)
        if method != "balanced"
        else (
            "target_workload",
            "grids_per_unit",
        )
    )
    if len(sizes) != 1 or next(iter(sizes)) not in wanted:
        need = (
            "a cell size in metres"
            if method != "balanced"
            else "either a target workload or a number of grids per community"
        )
        raise InvalidInputError(f"A {method} redraw takes {need}, and only that.")
    key, value = next(iter(sizes.items()))
    if key == "cell_size_m":
        value = _number(
            value, "cell size (m)", low=CELL_RANGE_M[0], high=CELL_RANGE_M[1]
        )
    elif key == "target_workload":
        value = _number(value, "target workload", low=1.0)
    else:
        value = _number(
            value, "number of grids per community", low=1, high=MAX_GRIDS_PER_UNIT
        )
        if value != int(value):
            raise InvalidInputError("The number of grids per community must be whole.")
        value = int(value)
    seed = params.get("seed", 0)
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise InvalidInputError(f"The seed must be a whole number >= 0, not {seed!r}.")
    with ctx.engine.connect() as conn:
        community = _community(conn, street, params.get("community"))
    return {
        "street": street,
        "community": community,
        "method": method,
        key: value,
        "seed": int(seed),
    }


def run_build(ctx: Context, actor: Actor, params: dict, progress) -> dict:
    """The ``grids.build`` job: a draft version for the street or one community."""
    from gridwatch.services.grids import build_version

    progress(0.05, "读取边界和企业")
    out = build_version(
        ctx,
        actor,
        params["method"],
        target_workload=params.get("target_workload"),
        grids_per_unit=params.get("grids_per_unit"),
        cell_size_m=params.get("cell_size_m"),
        within="community",
        town=params["street"],
        community=params.get("community"),
        seed=params.get("seed", 0),
    )
    progress(0.95, "草稿已保存")
    report = out.get("report") or {}
    return {
        "version": out["version"],
        "street": params["street"],
        "community": params.get("community"),
        "grids_rebuilt": out["rebuilt"],
        "grids_kept": out["kept_from_active"],
        "issues": len(report.get("issues", [])),
        "notes": report.get("notes", [])[:20],
    }


def street_communities(ctx: Context, actor: Actor, street: str | None = None):
    """(code, name) of the street's communities that have a boundary."""
    street = street_of_actor(actor, street, "Redrawing grids")
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(AdminUnit.code, AdminUnit.name)
            .where(
                AdminUnit.level == "community",
                AdminUnit.parent_code == street,
                AdminUnit.geom.isnot(None),
            )
            .order_by(AdminUnit.code)
        ).all()
    return [(r.code, r.name) for r in rows]


def street_versions(ctx: Context, actor: Actor, street: str | None = None) -> dict:
    """The active version and the street's own drafts and retired versions, newest
    first: id, label, status, method, community, created_at, created_by, and the
    number of the street's grids in it."""
    street = street_of_actor(actor, street, "Redrawing grids")
    with ctx.engine.connect() as conn:
        active = active_version_id(conn)
        counts = dict(
            conn.execute(
                sa.select(Grid.version_id, sa.func.count())
                .where(Grid.code.startswith(street, autoescape=True))
                .group_by(Grid.version_id)
            ).all()
        )
        rows = conn.execute(
            sa.select(
                GridVersion.id,
                GridVersion.label,
                GridVersion.status,
                GridVersion.method,
                GridVersion.params,
                GridVersion.created_at,
                GridVersion.created_by,
            ).order_by(GridVersion.id.desc())
        ).all()
    out = []
    for v in rows:
        params = v.params or {}
        if v.id != active and params.get("town") != street:
            continue
        out.append(
            {
                "version": v.id,
                "label": v.label,
                "status": v.status,
                "method": v.method,
                "community": params.get("community"),
                "created_at": v.created_at,
                "created_by": v.created_by,
                "grids": int(counts.get(v.id, 0)),
            }
        )
    return {"street": street, "active": active, "versions": out}


def _version_row(conn, vid: int) -> GridVersion:
    from sqlalchemy.orm import Session

    with Session(bind=conn) as s:
        v = s.get(GridVersion, vid)
        if v is None:
            raise NotFoundError(f"There is no grid version {vid}.")
        s.expunge(v)
        return v


def _features(grids: gpd.GeoDataFrame, extra: dict) -> list[dict]:
    """GeoJSON features (coordinates to 6 decimals, ~0.1 m) with grid figures."""
    import shapely

    geoms = shapely.set_precision(grids.geometry.to_numpy(), 1e-6)
    out = []
    for row, geom in zip(grids.itertuples(), geoms):
        props = {
            "code": row.code,
            "parent_code": row.parent_code,
            "workload": round(float(row.workload or 0.0), 1),
            "n_enterprises": int(row.n_enterprises or 0),
            "area_km2": round(float(row.area_m2 or 0.0) / 1e6, 3),
        }
        props.update({k: v[row.Index] for k, v in extra.items()})
        out.append(
            {
                "type": "Feature",
                "id": row.code,
                "geometry": mapping(geom),
                "properties": props,
            }
        )
    return out


def _compactness(grids: gpd.GeoDataFrame):
    from gridwatch.grids.quality import polsby_popper

    if grids.empty:
        return []
    return [
        round(float(x), 3) for x in polsby_popper(grids.geometry.to_crs(METRIC_CRS))
    ]


def compare_versions(ctx: Context, actor: Actor, version_id: int) -> dict:
    """A version's grids beside the active version's, for the street's map.

    Returns
    -------
    dict
        ``version`` (id, status, label, community, editable), ``draft`` and
        ``active`` (GeoJSON FeatureCollections of the street's grids, WGS-84;
        properties: code, parent_code, workload, n_enterprises, area_km2,
        compactness (Polsby-Popper), ``changed`` (draft only: not identical to
        an active grid)); ``check`` (the quality report of the version's part in
        the street: overall, parents, problems, is_ok); ``edits`` (undoable
        split/merge, newest first).
    """
    from gridwatch.services.actor import require_role
    from gridwatch.services.grids import check_version

    require_role(actor, "street_office", "admin", action="Comparing grid versions")
    street = actor.scope_code if actor.role == "street_office" else None
    with ctx.engine.connect() as conn:
        v = _version_row(conn, version_id)
        street = street or (v.params or {}).get("town")  # admins: the version's
        if (
            actor.role == "street_office"
            and v.status != "active"
            and ((v.params or {}).get("town") != street)
        ):
            raise NotFoundError(
                f"Grid version {version_id} is not a redraw of your street."
            )
        where = Grid.code.startswith(street, autoescape=True) if street else None
        draft = version_grids(conn, version_id, where).reset_index(drop=True)
        active_id = active_version_id(conn)
        active = (
            version_grids(conn, active_id, where).reset_index(drop=True)
            if active_id is not None
            else draft.iloc[0:0]
        )
        edits = _edits(conn, version_id) if v.status == "draft" else []
    same = dict(zip(active["code"], active.geometry))
    changed = [
        not (c in same and same[c].equals(g))
        for c, g in zip(draft["code"], draft.geometry)
    ]
    _vid, report = check_version(ctx, actor, version_id)
    rep = report.to_dict()
    return {
        "version": {
            "id": v.id,
            "status": v.status,
            "label": v.label,
            "community": (v.params or {}).get("community"),
            "editable": v.status == "draft",
        },
        "active_version": active_id,
        "draft": {
            "type": "FeatureCollection",
            "features": _features(
                draft, {"compactness": _compactness(draft), "changed": changed}
            ),
        },
        "active": {
            "type": "FeatureCollection",
            "features": _features(active, {"compactness": _compactness(active)}),
        },
        "check": {
            "is_ok": rep["is_ok"],
            # tiling, balance and the district outline, each with its problems
            # (balance may list one line per grid: the first 20 and the count)
            "tiling_ok": rep.get("tiling_ok", rep["is_ok"]),
            "balance_ok": rep.get("balance_ok", True),
            "outline_ok": rep.get("outline_ok", True),
            "problems": rep["problems"],
            "balance_problems": rep.get("balance_problems", [])[:20],
            "n_balance_problems": len(rep.get("balance_problems", [])),
            "outline_problems": rep.get("outline_problems", []),
            "warnings": rep.get("warnings", [])[:20],
            "overall": rep["overall"],
            "parents": rep["parents"],
        },
        "edits": edits,
    }


def _edits(conn, vid: int) -> list[dict]:
    rows = conn.execute(
        sa.select(
            GridEdit.id,
            GridEdit.op,
            GridEdit.removed,
            GridEdit.added,
            GridEdit.created_at,
            GridEdit.created_by,
        )
        .where(GridEdit.version_id == vid, GridEdit.undone_at.is_(None))
        .order_by(GridEdit.id.desc())
    ).all()
    return [
        {
            "id": r.id,
            "op": r.op,
            "removed": sorted(r.removed or {}),
            "added": list((r.added or {}).get("codes", [])),
            "created_at": r.created_at,
            "created_by": r.created_by,
        }
        for r in rows
    ]


def redraw_home(ctx: Context, actor: Actor) -> dict:
    """What the street's redraw page shows: its communities, its versions
    (:func:`street_versions`) and its latest build jobs."""
    from gridwatch.services.jobs import list_jobs

    out = street_versions(ctx, actor)
    out["communities"] = street_communities(ctx, actor, out["street"])
    out["jobs"] = list_jobs(ctx, actor, kind="grids.build", limit=5)
    return out
