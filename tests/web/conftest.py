"""Web fixtures: one app on a temp SpatiaLite database per test module.

``world`` builds the two-street district of :mod:`tests.web.world` once per
module (the services own their transactions, so tests that change accounts use
their own usernames); ``app`` is ``create_app`` on it with CSRF on (as in
production) and a sign-in limit high enough for a module's worth of sign-ins;
``signed_in(persona)`` returns a test client with that persona's session.
"""

from __future__ import annotations

import dataclasses
import re
import shutil

import pytest

from gridwatch.config import load_settings
from tests.web.world import build_world


def make_settings(folder, **extra) -> object:
    env = {
        "GRIDWATCH_DATA_DIR": str(folder),
        "GRIDWATCH_PROGRESS": "0",
        "GRIDWATCH_SIGNIN_LIMIT": "1000 per minute",
        # jobs queued by a test stay queued unless the test runs a worker
        "GRIDWATCH_JOB_WORKER": "off",
    }
    env.update({f"GRIDWATCH_{k.upper()}": str(v) for k, v in extra.items()})
    return load_settings(environ=env)


@pytest.fixture(scope="session")
def world_template(tmp_path_factory):
    """The district built once per test process; modules get copies of its file."""
    from gridwatch.services.context import open_context

    folder = tmp_path_factory.mktemp("web-template")
    ctx = open_context(make_settings(folder))
    world = build_world(ctx)
    ctx.close()
    world.ctx = None
    return folder, world


@pytest.fixture(scope="module")
def world(world_template, tmp_path_factory):
    """A private copy of the district for one test module."""
    from gridwatch.services.context import open_context

    source, template = world_template
    folder = tmp_path_factory.mktemp("web")
    shutil.copy(source / "gridwatch.sqlite", folder / "gridwatch.sqlite")
    if (source / "photos").is_dir():  # the world's inspection and hazard photos
        shutil.copytree(source / "photos", folder / "photos")
    ctx = open_context(make_settings(folder))
    yield dataclasses.replace(template, ctx=ctx)
    ctx.close()


@pytest.fixture(scope="module")
def app(world):
    from gridwatch.web import create_app

    application = create_app(world.ctx.settings, world.ctx)
    application.config["TESTING"] = True
    return application


def session_client(app, user: dict | None):
    """A test client signed in as ``user`` (a session dict) without a password
    round-trip (sign-in itself is tested in test_auth.py)."""
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as sess:
            sess["_user_id"] = f"{user['id']}:{user['session_key']}"
            sess["_fresh"] = True
    return client


@pytest.fixture(scope="module")
def signed_in(app, world):
    def make(persona: str):
        return session_client(app, world.users.get(persona))

    return make


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    page = client.get(path).get_data(as_text=True)
    m = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page
    ) or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m, f"no CSRF token on {path}"
    return m.group(1)
