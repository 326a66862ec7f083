"""Production shape: `gridwatch db upgrade`, then gunicorn with 2 workers on a
fresh PostGIS database; an account signs in over HTTP and reaches its page.

Needs GRIDWATCH_TEST_POSTGIS_URL (skips without it; fails under
GRIDWATCH_REQUIRE_POSTGIS=1, like the other PostGIS tests).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import _postgis_base_url

pytestmark = [pytest.mark.slow, pytest.mark.postgis]


@pytest.fixture
def fresh_postgis():
    base = _postgis_base_url()
    name = f"gw_gunicorn_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base).set(database=name)
    with sa.create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n"
            ),
            {"n": name},
        )
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gridwatch(env, *args) -> str:
    r = subprocess.run(
        [sys.executable, "-m", "gridwatch", *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


def _token(session, base, path) -> str:
    page = session.get(base + path, timeout=10).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_gunicorn_two_workers_on_postgis_sign_in(fresh_postgis, tmp_path):
    env = {
        **os.environ,
        "GRIDWATCH_DATABASE_URL": fresh_postgis,
        "GRIDWATCH_DATA_DIR": str(tmp_path),
        "GRIDWATCH_PROGRESS": "0",
        "PYTHONPATH": os.getcwd(),
    }
    _gridwatch(env, "db", "upgrade")
    out = _gridwatch(
        env, "users", "add", "gun_bureau", "--name", "区局测试", "--role", "bureau"
    )
    password = out.strip().rsplit(" ", 1)[-1]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gridwatch.web:create_app()",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(base + "/api/v1/health", timeout=10).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert server.poll() is None, server.stdout.read()
            assert time.monotonic() < deadline, "gunicorn did not answer in 90 s"
            time.sleep(0.5)
        assert requests.get(base + "/api/v1/health").json()["database"] == "postgis"
        s = requests.Session()
        r = s.post(
            base + "/login",
            data={
                "username": "gun_bureau",
                "password": password,
                "csrf_token": _token(s, base, "/login"),
            },
            timeout=10,
        )
        assert r.url.endswith("/account/password")  # admin-made: change it first
        r = s.post(
            base + "/account/password",
            data={
                "current": password,
                "new": "gunicorn pass 1",
                "confirm": "gunicorn pass 1",
                "csrf_token": _token(s, base, "/account/password"),
            },
            timeout=10,
        )
        assert r.status_code == 200 and r.url.endswith("/b/")
        assert "区局测试" in r.text and "全区概况" in r.text
        # the session cookie works whichever worker answers
        assert all(s.get(base + "/b/", timeout=10).ok for _ in range(6))
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]
    assert log.count("Booting worker") >= 2, log
