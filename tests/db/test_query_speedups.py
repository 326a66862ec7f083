"""The read helpers behind the web pages' speed keep their answers.

``code_under`` (a code prefix as an index range) selects exactly what
``startswith`` selects, including a prefix ending in 9 (its upper bound is the
character after '9') and codes of other lengths; on SQLite the plan is an index
search, not a scan. ``fetch_tuples`` gives the values ``Row`` objects give
(dates parsed on SQLite, NULLs kept).
"""

import datetime as dt

import sqlalchemy as sa

from gridwatch.db.models import Grid, GridVersion
from gridwatch.db.queries import code_under, fetch_tuples, read_frame, rows_frame

CODES = [
    "440604011000001",
    "440604011001001",
    "440604019000001",
    "440604019999999",
    "440604020000001",
    "44060401",
    "440604011",
    "440605011000001",
]


def _grids(ctx):
    square = "POLYGON((113 23, 113.01 23, 113.01 23.01, 113 23.01, 113 23))"
    with ctx.engine.begin() as conn:
        vid = conn.execute(
            sa.insert(GridVersion)
            .values(label="t", method="manual", created_at=dt.datetime(2026, 1, 1))
            .returning(GridVersion.id)
        ).scalar_one()
        for i, code in enumerate(CODES):
            conn.execute(
                sa.insert(Grid).values(
                    version_id=vid,
                    code=code,
                    parent_code=code[:12],
                    geom=sa.func.ST_GeomFromText(square, 4326),
                    area_m2=float(i),
                )
            )


def test_code_under_selects_what_startswith_selects(ctx):
    _grids(ctx)
    with ctx.engine.connect() as conn:
        for prefix in [
            "440604011",
            "440604019",
            "4406040",
            "440604",
            "9",
            "440604011001",
        ]:
            got = set(
                conn.execute(
                    sa.select(Grid.code).where(code_under(Grid.code, prefix))
                ).scalars()
            )
            want = {c for c in CODES if c.startswith(prefix)}
            assert got == want, prefix
        # a non-digit prefix keeps plain LIKE semantics (escaped)
        assert not conn.execute(
            sa.select(Grid.code).where(code_under(Grid.code, "4406%"))
        ).all()


def test_code_under_is_an_index_search_on_sqlite(ctx):
    if ctx.engine.dialect.name != "sqlite":
        return
    stmt = sa.select(Grid.id).where(code_under(Grid.code, "440604011"))
    with ctx.engine.connect() as conn:
        sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " ".join(
            str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)
        )
    assert "ix_grids_code (code>" in plan, plan


def test_fetch_tuples_gives_row_values(ctx):
    _grids(ctx)
    stmt = (
        sa.select(
            Grid.code, Grid.area_m2, GridVersion.created_at, sa.null().label("blank")
        )
        .join(GridVersion, GridVersion.id == Grid.version_id)
        .order_by(Grid.code)
    )
    with ctx.engine.connect() as conn:
        rows, keys = fetch_tuples(conn, stmt)
        want = [tuple(r) for r in conn.execute(stmt).all()]
        frame = read_frame(conn, stmt)
    assert keys == ["code", "area_m2", "created_at", "blank"]
    assert rows == want
    assert isinstance(rows[0][2], dt.datetime)
    assert frame.drop(columns="geometry").equals(rows_frame(want, keys))
