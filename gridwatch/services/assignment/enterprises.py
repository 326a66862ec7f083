"""Use case: enterprise → grid, as effective-dated ``enterprise_grid`` rows.

Rows hold on ``valid_from <= day < valid_to`` (:mod:`gridwatch.assign.dating`);
re-running on unchanged data writes nothing; open manual rows (``is_manual``) win.
The point-in-grid rule is :mod:`gridwatch.assign.points` (or its SQL twin); what the
geocode's precision allows is :mod:`gridwatch.assign.precision`: town- and
district-level enterprises get no grid and are listed, with their town, for the
street office to place by hand; community-level ones get a grid flagged
``is_imprecise``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models import Enterprise, EnterpriseGrid
from gridwatch.db.queries import bulk_insert, read_frame, wkb
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.grids.codes import town_of
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.assignment.common import close_rows, history, unit_names
from gridwatch.services.audit import record
from gridwatch.services.context import Context
from gridwatch.services.grids import version_grids
from gridwatch.timeutil import today as _today

#: columns of :func:`locate_enterprises`' result, in order
LOCATED_COLUMNS = [
    "uscc",
    "grid_code",
    "status",
    "n_covering",
    "nearest_code",
    "distance_m",
    "precision",
]


def grid_index(ctx: Context, version_id: int, grids):
    """The point index of a grid version, cached on disk per version + fingerprint +
    metric CRS (the index stores its segments projected to ``settings.metric_crs``).
    """
    from gridwatch.assign.points import GridIndex, build_index, grids_fingerprint

    metric_crs = ctx.settings.metric_crs
    fp = grids_fingerprint(grids["code"].to_numpy(), grids.geometry.to_numpy())
    crs_key = re.sub(r"[^0-9A-Za-z]", "", metric_crs).lower()
    cache = (
        Path(ctx.settings.data_dir)
        / "cache"
        / f"grid-index-v{version_id}-{fp[:16]}-{crs_key}.npz"
    )
    if cache.exists():
        try:
            return GridIndex.from_bytes(
                cache.read_bytes(), expected_fingerprint=fp, metric_crs=metric_crs
            )
        except InvalidInputError:
            cache.unlink(missing_ok=True)
    index = build_index(grids, metric_crs=metric_crs)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_bytes(index.to_bytes())
        tmp.replace(cache)
    except OSError:
        pass  # a cache is an optimisation; a read-only data dir still works
    return index


def locate_enterprises(ctx: Context, conn, version_id: int, path: str = "memory"):
    """Grid of every enterprise under ``version_id``, by either path, and what the
    geocode's precision lets us say about it.

    ``memory``: the cached in-process index (any backend). ``sql``: PostGIS
    ``ST_Covers`` with its GiST index. Both apply the same rule (see
    :mod:`gridwatch.assign.points`). Returns ``(enterprises, located)``:
    enterprises (``id, uscc, name, precision, town_code``, geometry) and one row per
    enterprise with :data:`LOCATED_COLUMNS`, then ``placement``, ``is_imprecise``,
    ``covering_code`` (:func:`gridwatch.assign.precision.apply_precision`) and
    ``enterprise_id``; ``status`` is inside, outside, unplaced or no_location.
    """
    from gridwatch.assign.precision import apply_precision

    ents = read_frame(
        conn,
        sa.select(
            Enterprise.id,
            Enterprise.uscc,
            Enterprise.name,
            Enterprise.precision,
            Enterprise.town_code,
            wkb(Enterprise.geom),
        ).order_by(Enterprise.id),
    )
    if path == "sql":
        result = _locate_sql(conn, version_id, ents, ctx.settings.metric_crs)
    elif path == "memory":
        from gridwatch.assign.points import assign_enterprises

        grids = version_grids(conn, version_id)
        if grids.empty:
            raise NotFoundError(f"Grid version {version_id} has no grids.")
        result = assign_enterprises(ents, grid_index(ctx, version_id, grids))
    else:
        raise InvalidInputError(f"Unknown assignment path {path!r}; use memory or sql.")
    result = apply_precision(result)
    result["enterprise_id"] = ents["id"].to_numpy()
    return ents, result


def _locate_sql(conn, version_id: int, ents, metric_crs: str) -> pd.DataFrame:
    from gridwatch.assign.sql import covers_join_sql, nearest_grid_sql
    from gridwatch.crs import epsg_code

    if conn.dialect.name != "postgresql":
        raise InvalidInputError(
            "The SQL assignment path needs PostGIS; on SpatiaLite "
            "use the default in-memory path."
        )
    vf = "g.version_id = :version"
    args = {"version": version_id}
    # the covering grid and how many grids cover the point, from one join
    joined = conn.execute(
        sa.text(
            covers_join_sql("enterprises", "grids", version_filter=vf, with_count=True)
        ),
        args,
    ).all()
    covered = {r.id: r.code for r in joined}
    n_cover = {r.id: r.n_covering for r in joined}
    near_sql = nearest_grid_sql(
        "enterprises", "grids", version_filter=vf, metric_srid=epsg_code(metric_crs)
    )
    near = {r.id: (r.code, r.distance_m) for r in conn.execute(sa.text(near_sql), args)}
    rows = []
    for eid, uscc, prec in zip(ents["id"], ents["uscc"], ents["precision"]):
        if eid in covered:
            rows.append((uscc, covered[eid], "inside", n_cover[eid], None, 0.0, prec))
        elif eid in near:
            code, dist = near[eid]
            rows.append((uscc, None, "outside", 0, code, float(dist), prec))
        else:
            rows.append((uscc, None, "no_location", 0, None, float("nan"), prec))
    return pd.DataFrame(rows, columns=LOCATED_COLUMNS).astype(
        {"grid_code": object, "nearest_code": object}
    )


def _value(version_id, grid_code, is_imprecise) -> str:
    """The compared value of an enterprise_grid row: a change of grid, version or
    certainty closes the row and opens a new one (so history says how sure it was)."""
    return f"{version_id}:{grid_code}:{int(bool(is_imprecise))}"


def _grid_history(conn) -> pd.DataFrame:
    eg = EnterpriseGrid
    hist = history(
        conn,
        eg,
        eg.enterprise_id,
        [eg.version_id, eg.grid_code, eg.is_manual, eg.is_imprecise],
        [],
    )
    hist["value"] = [
        _value(v, c, i)
        for v, c, i in zip(hist["version_id"], hist["grid_code"], hist["is_imprecise"])
    ]
    return hist


def _open_rows(conn, to_open: pd.DataFrame) -> None:
    if not len(to_open):
        return
    parts = to_open["value"].str.split(":", n=2, expand=True)
    bulk_insert(
        conn,
        "enterprise_grid",
        pd.DataFrame(
            {
                "enterprise_id": to_open["key"].astype(int).to_numpy(),
                "version_id": parts[0].astype(int).to_numpy(),
                "grid_code": parts[1].to_numpy(),
                "valid_from": list(to_open["valid_from"]),
                "valid_to": None,
                "is_manual": False,
                "is_imprecise": (parts[2] == "1").to_numpy(),
            }
        ),
    )


def assign_session(
    session: Session,
    ctx: Context,
    version_id: int,
    today: dt.date | None = None,
    path: str = "memory",
) -> dict:
    """Assign every enterprise placed precisely enough to a grid of ``version_id``
    inside ``session``'s transaction; report the rest (see :func:`_report`)."""
    from gridwatch.assign.dating import diff_assignments

    today = today or _today()
    conn = session.connection()
    ents, located = locate_enterprises(ctx, conn, version_id, path)
    hist = _grid_history(conn)
    manual = set(hist[hist["valid_to"].isna() & hist["is_manual"].astype(bool)]["key"])
    assigned = located[located["grid_code"].notna()]
    new = pd.Series(
        [
            _value(version_id, c, i)
            for c, i in zip(assigned["grid_code"], assigned["is_imprecise"])
        ],
        index=assigned["enterprise_id"].to_numpy(),
        dtype=object,
    )
    new = new[~new.index.isin(manual)]
    auto_hist = hist[~hist["key"].isin(manual)]
    to_close, to_open = diff_assignments(
        auto_hist[["key", "value", "valid_from", "valid_to"]], new, today
    )
    closing = auto_hist["key"].isin(to_close) & auto_hist["valid_to"].isna()
    n_closed = close_rows(conn, EnterpriseGrid, auto_hist[closing]["id"], today)
    _open_rows(conn, to_open)
    if n_closed or len(to_open):
        record(
            session,
            "assign",
            "enterprise_grid",
            str(version_id),
            None,
            {"opened": len(to_open), "closed": n_closed},
        )
    counts = {"manual_kept": len(manual), "opened": len(to_open), "closed": n_closed}
    return _report(conn, version_id, path, ents, located, counts)


def _unplaced(conn, ents, located) -> list[dict]:
    """Enterprises located only to town or district level, with their town.

    A town-level point names its town (the geocoder's code, else the town of the
    grid it fell in); a district-level point names none, whatever codes were filled
    from its position.
    """
    rows = located[located["status"] == "unplaced"]
    names = dict(zip(ents["uscc"], ents["name"]))
    own_town = dict(zip(ents["uscc"], ents["town_code"]))
    town = [
        (own_town.get(u) or (town_of(c) if isinstance(c, str) else None))
        if p == "town"
        else None
        for u, c, p in zip(rows["uscc"], rows["covering_code"], rows["precision"])
    ]
    town_names = unit_names(conn, town)
    return [
        {
            "uscc": u,
            "name": names.get(u),
            "precision": p,
            "town_code": t,
            "town_name": town_names.get(t),
        }
        for u, p, t in zip(rows["uscc"], rows["precision"], town)
    ]


def _report(conn, version_id, path, ents, located, counts) -> dict:
    """The assignment's summary: counts, and every enterprise not confidently in a
    grid with what a person needs to act on it."""
    names = dict(zip(ents["uscc"], ents["name"]))
    status = located["status"]
    imprecise = located[located["is_imprecise"]]
    return {
        "version": version_id,
        "path": path,
        "enterprises": len(located),
        "assigned": int(located["grid_code"].notna().sum()),
        "imprecise": len(imprecise),
        "manual_kept": counts["manual_kept"],
        "rows_opened": counts["opened"],
        "rows_closed": counts["closed"],
        "on_edge": int((located["n_covering"] > 1).sum()),
        "outside": [
            {
                "uscc": r.uscc,
                "name": names.get(r.uscc),
                "nearest_grid": r.nearest_code,
                "distance_m": round(float(r.distance_m), 1),
            }
            for r in located[status == "outside"].itertuples()
        ],
        "unplaced": _unplaced(conn, ents, located),
        "imprecise_list": [
            {"uscc": r.uscc, "name": names.get(r.uscc), "grid_code": r.grid_code}
            for r in imprecise.itertuples()
        ],
        "no_location": [
            {"uscc": r.uscc, "name": names.get(r.uscc), "precision": r.precision}
            for r in located[status == "no_location"].itertuples()
        ],
    }


def assign_enterprises_to_grids(
    ctx: Context,
    actor: Actor,
    version_id: int | None = None,
    today: dt.date | None = None,
    path: str = "memory",
) -> dict:
    """Assign every enterprise of the district to a grid of a version, as far as
    its location's precision allows.

    Returns
    -------
    dict
        ``version, path, enterprises, assigned`` (rows with a grid, imprecise
        included), ``imprecise`` (community-level: grid flagged as a guess),
        ``manual_kept, rows_opened, rows_closed, on_edge``; lists ``outside``
        (located but in no grid: nearest grid and distance), ``unplaced``
        (placed only at town or district level: town code and name, no grid),
        ``imprecise_list`` and ``no_location``. Every enterprise is in
        ``assigned`` or one of ``outside``, ``unplaced``, ``no_location``.
    """
    from gridwatch.services.grids import resolve_version

    require_role(actor, "admin", action="Assigning enterprises to grids")
    vid = resolve_version(ctx, version_id)
    with ctx.transaction(actor) as s:
        return assign_session(s, ctx, vid, today, path)
