"""Frame-level reads and writes: WKB ↔ shapely happens here and nowhere else.

``bulk_insert`` writes many rows in one statement per batch (SQLAlchemy's
insertmanyvalues on PostGIS, executemany on SpatiaLite), with geometry passed as
WKB to ``ST_GeomFromWKB(…, 4326)``, which both backends provide. ``read_frame``
returns a GeoDataFrame in EPSG:4326.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gridwatch.db.models import SRID, Base

GEOMETRY_COLUMNS = {"geom", "base"}


def table(name: str) -> sa.Table:
    return Base.metadata.tables[name]


def _geom_cols(tbl: sa.Table) -> list[str]:
    return [c.name for c in tbl.columns if c.name in GEOMETRY_COLUMNS]


def _wkb(values: Sequence[Any]) -> list[bytes | None]:
    arr = np.asarray(values, dtype=object)
    out: list[bytes | None] = [None] * len(arr)
    mask = np.array(
        [
            v is not None
            and not (isinstance(v, float) and np.isnan(v))
            and not getattr(v, "is_empty", False)
            for v in arr
        ],
        dtype=bool,
    )
    if mask.any():
        wkbs = shapely.to_wkb(arr[mask].tolist(), output_dimension=2)
        for i, w in zip(np.flatnonzero(mask), wkbs):
            out[i] = bytes(w)
    return out


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and np.isnan(v):
        return None
    if v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date() if v == v.normalize() else v.to_pydatetime()
    return v


def bulk_insert(
    conn: Connection,
    table_name: str,
    rows: pd.DataFrame | Iterable[dict],
    batch: int = 5000,
) -> int:
    """Insert rows (a frame or dicts; geometry columns hold shapely objects)."""
    tbl = table(table_name)
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty:
        return 0
    known = {c.name for c in tbl.columns}
    unknown = set(frame.columns) - known
    if unknown:
        raise ValueError(f"{table_name} has no columns {sorted(unknown)}")
    geoms = [c for c in _geom_cols(tbl) if c in frame.columns]
    plain_cols = [c for c in frame.columns if c not in geoms]
    values: dict[str, Any] = {c: sa.bindparam(c) for c in plain_cols}
    for g in geoms:
        values[g] = sa.func.ST_GeomFromWKB(
            sa.bindparam(f"{g}__wkb", type_=sa.LargeBinary), SRID
        )
    stmt = sa.insert(tbl).values(values)
    columns = {c: [_plain(v) for v in frame[c].tolist()] for c in plain_cols}
    for g in geoms:
        columns[f"{g}__wkb"] = _wkb(frame[g].tolist())
    keys = list(columns)
    n = len(frame)
    for start in range(0, n, batch):
        chunk = [
            {k: columns[k][i] for k in keys}
            for i in range(start, min(n, start + batch))
        ]
        conn.execute(stmt, chunk)
    return n


def rows_frame(rows: Iterable[Sequence[Any]], columns: list[str]) -> pd.DataFrame:
    """Result rows as a DataFrame, built from plain tuples.

    pandas probes every element of a list with ``hasattr`` (dataclass and
    namedtuple checks); a SQLAlchemy ``Row`` answers a missing attribute by
    building an exception, about 20 µs a row: 4 s for the 70,000-enterprise
    demo's 213,000 inspections, against 0.5 s from tuples.

    A NULL in a text column is ``None``, as under pandas 2. pandas 3 infers its
    ``str`` dtype for a column of text and NULLs and turns the NULLs into NaN, a
    truthy float: ``row.registry_flags or ""`` then gave NaN and ``enterprises
    list`` failed with AttributeError on a registry where some rows were flagged.
    """
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    for col in frame.columns[frame.dtypes == "str"] if len(frame) else ():
        values = frame[col]
        if values.isna().any():
            frame[col] = values.astype(object).where(values.notna(), None)
    return frame


def fetch_tuples(
    conn: Connection, stmt: Any, params: dict | None = None
) -> tuple[list[tuple], list[str]]:
    """(rows as plain tuples, column names) of ``stmt``, the values SQLAlchemy
    would give (its result processors applied, e.g. SQLite's ISO text to
    ``datetime.date``) without building a ``Row`` per row.

    Why not ``result.fetchall()``: the ``Row`` objects cost about 3 µs a row on
    top of the driver's own fetch; a street's 22,000 enterprises and their
    inspection summary spent ~150 ms CPU of a 700 ms overview there. The
    processors are applied column by column from the statement's column types
    (what SQLAlchemy itself looks up); a statement whose selected columns do not
    line up with the cursor's (a ``text()`` without ``.columns()``, an ORM entity)
    takes the ordinary path.
    """
    result = conn.execute(stmt, params or {})
    keys = list(result.keys())
    cursor = result.cursor
    columns = list(getattr(stmt, "selected_columns", ()))
    if cursor is None or len(columns) != len(keys) or not cursor.description:
        return [tuple(r) for r in result.fetchall()], keys
    dialect = conn.dialect
    procs = [
        c.type.dialect_impl(dialect).result_processor(dialect, d[1])
        for c, d in zip(columns, cursor.description, strict=True)
    ]
    rows = cursor.fetchall()
    result.close()
    if any(procs) and rows:
        cols = [
            [p(v) for v in col] if p else col
            for p, col in zip(procs, zip(*rows, strict=True), strict=True)
        ]
        rows = list(zip(*cols, strict=True))
    return rows, keys


def read_frame(
    conn: Connection,
    stmt: sa.Select | str,
    geom: str = "geom",
    params: dict | None = None,
) -> gpd.GeoDataFrame:
    """Run ``stmt``; its ``geom`` column must be selected as WKB (see :func:`wkb`)."""
    rows, keys = fetch_tuples(
        conn, sa.text(stmt) if isinstance(stmt, str) else stmt, params
    )
    frame = rows_frame(rows, keys)
    if geom in frame.columns:
        raw = [bytes(v) if v is not None else None for v in frame[geom].tolist()]
        geometry = shapely.from_wkb(raw) if raw else []
        frame = frame.drop(columns=[geom])
        return gpd.GeoDataFrame(
            frame, geometry=gpd.GeoSeries(geometry, index=frame.index), crs="EPSG:4326"
        )
    return gpd.GeoDataFrame(
        frame,
        geometry=gpd.GeoSeries([None] * len(frame), index=frame.index),
        crs="EPSG:4326",
    )


def wkb(column: sa.ColumnElement, label: str = "geom") -> sa.ColumnElement:
    """Select a geometry column as plain WKB on either backend."""
    return sa.func.ST_AsBinary(column, type_=sa.LargeBinary).label(label)


def effective_on(model: Any, day: Any) -> sa.ColumnElement[bool]:
    """``valid_from <= day < valid_to`` (open-ended when ``valid_to`` is NULL).

    The one definition of "this dated row holds on ``day``" for every dated table
    (enterprise→grid, grid→warden): ``valid_from`` inclusive, ``valid_to``
    exclusive. ``day`` may be a date or a SQL expression (e.g. an inspection's
    date, to credit work to whoever was responsible on the day it was done).
    """
    return sa.and_(
        model.valid_from <= day,
        sa.or_(model.valid_to.is_(None), model.valid_to > day),
    )


def code_under(column: Any, prefix: str) -> sa.ColumnElement[bool]:
    """``column`` is an admin/grid code that extends ``prefix`` (a street's grids,
    a town's enterprise placements), in a form a B-tree index answers.

    ``LIKE 'prefix%'`` alone is never an index search on SQLite (its LIKE is
    case-insensitive and ``autoescape`` adds an ESCAPE clause) nor on PostgreSQL
    under a non-C collation, so every street-office query scanned the whole
    district's rows. Codes are digit strings (``gridwatch.grids.codes``), so
    ``prefix <= code < prefix+1`` (last digit raised; ``'9'`` becomes ``':'``, the
    next character) is the same set and a range search; the ``LIKE`` is kept
    after it so a non-digit prefix still means exactly "starts with".
    """
    like = column.startswith(prefix, autoescape=True)
    if not prefix or not prefix.isascii() or not prefix.isdigit():
        return like
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return sa.and_(column >= prefix, column < upper, like)


def reset_sequence(conn: Connection, table_name: str, column: str = "id") -> None:
    """Move a PostgreSQL serial sequence past the largest id (after rows were
    inserted with explicit ids); SQLite's INTEGER PRIMARY KEY needs nothing."""
    if conn.dialect.name != "postgresql":
        return
    tbl = table(table_name)
    col = tbl.c[column]
    seq = sa.func.pg_get_serial_sequence(table_name, column)
    top = sa.select(sa.func.coalesce(sa.func.max(col), 1)).scalar_subquery()
    conn.execute(sa.select(sa.func.setval(seq, sa.func.greatest(top, 1))))


def _days_between(conn: Connection, later, earlier) -> sa.ColumnElement:
    """``later - earlier`` in whole days, on either backend."""
    if conn.dialect.name == "postgresql":
        return later - earlier  # date - date is an integer number of days
    # SQLite stores dates as ISO text: julianday() makes them day numbers
    return sa.func.julianday(later) - sa.func.julianday(earlier)


def _epoch_days(conn: Connection, day) -> sa.ColumnElement:
    """A date as days since 1970-01-01 (a number: no date parsing per row)."""
    if conn.dialect.name == "postgresql":
        return day - sa.cast(sa.literal("1970-01-01"), sa.Date)
    return sa.func.julianday(day) - 2440587.5  # julianday('1970-01-01')


def inspection_summary(
    conn: Connection, enterprise_ids: sa.ColumnElement, start, end
) -> pd.DataFrame:
    """Per enterprise, the inspection facts the coverage status needs, in SQL.

    The columns of :func:`gridwatch.analytics.coverage.inspection_summary` (with
    ``enterprise_id`` instead of ``uscc``, dates as day numbers since
    1970-01-01, NaN for none), aggregated in the database so a street's ~50,000
    inspection rows stay there: per enterprise in ``enterprise_ids`` (a subquery
    of ids) and for inspections dated up to ``end``: ``last_on``, ``anchor_on``
    (latest on or before ``start``), ``first_after`` (first after ``start``),
    ``max_gap_after`` (longest gap in days between consecutive inspections after
    ``start``; a window function pairs each with the one before),
    ``n_in_period`` (dated ``start`` to ``end``). The index
    ``ix_inspections_enterprise_day`` answers it without reading the table.
    """
    from gridwatch.db.models import Inspection

    ins = Inspection
    prev = sa.func.lag(ins.inspected_on).over(
        partition_by=ins.enterprise_id, order_by=ins.inspected_on
    )
    w = (
        sa.select(
            ins.enterprise_id.label("eid"),
            ins.inspected_on.label("d"),
            prev.label("prev"),
        )
        .where(ins.enterprise_id.in_(enterprise_ids), ins.inspected_on <= end)
        .subquery()
    )
    after = w.c.d > start
    gap = _days_between(conn, w.c.d, w.c.prev)
    stmt = sa.select(
        w.c.eid,
        _epoch_days(conn, sa.func.max(w.c.d)),
        _epoch_days(conn, sa.func.max(sa.case((w.c.d <= start, w.c.d)))),
        _epoch_days(conn, sa.func.min(sa.case((after, w.c.d)))),
        sa.func.max(sa.case((sa.and_(after, w.c.prev > start), gap))),
        sa.func.sum(sa.case((w.c.d >= start, 1), else_=0)),
    ).group_by(w.c.eid)
    cols = ["last_on", "anchor_on", "first_after", "max_gap_after"]
    rows, _ = fetch_tuples(conn, stmt)
    frame = rows_frame(rows, ["enterprise_id", *cols, "n_in_period"])
    frame[cols] = frame[cols].astype(float)
    frame["n_in_period"] = frame["n_in_period"].fillna(0).astype(int)
    return frame
