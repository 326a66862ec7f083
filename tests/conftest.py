"""Shared fixtures: settings on a temp data dir, and engines on both backends.

``engine`` is parametrised over SpatiaLite (a temp file) and PostGIS
(``GRIDWATCH_TEST_POSTGIS_URL``). Without that URL the PostGIS case skips; with
``GRIDWATCH_REQUIRE_POSTGIS=1`` (CI) it fails instead. Each test gets a migrated
database emptied after it (the services own their transactions, so rolling back a
test-wide transaction would not see their commits).
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from gridwatch.config import load_settings


@pytest.fixture
def settings(tmp_path):
    return load_settings(environ={"GRIDWATCH_DATA_DIR": str(tmp_path / "data"),
                                  "GRIDWATCH_PROGRESS": "0"})


def _postgis_base_url() -> str | None:
    url = os.environ.get("GRIDWATCH_TEST_POSTGIS_URL")
    if not url:
        if os.environ.get("GRIDWATCH_REQUIRE_POSTGIS") == "1":
            pytest.fail("GRIDWATCH_REQUIRE_POSTGIS=1 but GRIDWATCH_TEST_POSTGIS_URL is unset")
        pytest.skip("PostGIS not configured (set GRIDWATCH_TEST_POSTGIS_URL)")
    return url


@pytest.fixture(scope="session")
def postgis_database():
    """A fresh database in the throwaway cluster for this test worker."""
    base = _postgis_base_url()
    name = f"gw_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    with sa.create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name})
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=["spatialite", "postgis"])
def backend_settings(request, tmp_path):
    """Settings pointing at an empty database of each backend."""
    env = {"GRIDWATCH_DATA_DIR": str(tmp_path / "data"), "GRIDWATCH_PROGRESS": "0"}
    if request.param == "postgis":
        url = request.getfixturevalue("postgis_database")
        env["GRIDWATCH_DATABASE_URL"] = url
        _wipe_postgis(url)
    return load_settings(environ=env)


def _wipe_postgis(url: str) -> None:
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        tables = [r[0] for r in conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'spatial_ref_sys'"))]
        for t in tables:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{t}" CASCADE'))
    eng.dispose()


@pytest.fixture
def ctx(backend_settings):
    """A migrated gridwatch database (context) on each backend."""
    from gridwatch.services.context import open_context

    context = open_context(backend_settings)
    yield context
    context.close()


@pytest.fixture
def engine(ctx):
    return ctx.engine
