"""Every route × every persona: refused or answered, never another scope's data.

The walk enumerates ``app.url_map``, so a route added later is walked too, and
fails until its blueprint's author declares it in tests/web/access.py.
"""

from __future__ import annotations

import pytest

from tests.web.access import RULES, Case
from tests.web.conftest import session_client
from tests.web.world import EVERYONE

SAFE = {"GET", "HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def walk_app(app):
    # the walk checks the role guards; CSRF has its own tests (test_auth.py), and
    # with it on an unsafe request would stop at 400 before reaching the guard
    app.config["WTF_CSRF_ENABLED"] = False
    yield app
    app.config["WTF_CSRF_ENABLED"] = True


def _endpoints(app) -> dict[str, object]:
    return {rule.endpoint: rule for rule in app.url_map.iter_rules()}


def test_route_walk_every_endpoint_is_declared(app):
    missing = sorted(set(_endpoints(app)) - set(RULES))
    assert not missing, (
        f"endpoints without an access declaration in tests/web/access.py: {missing}"
    )


def test_route_walk_declarations_name_real_endpoints(app):
    stale = sorted(set(RULES) - set(_endpoints(app)))
    assert not stale, f"declared endpoints that no longer exist: {stale}"


def _check(response, persona, allowed, url, world):
    status, where = response.status_code, response.headers.get("Location", "")
    label = f"{persona} {url} -> {status} {where}"
    if allowed:
        assert status < 400, label
        assert "/login" not in where or persona == "anon", label
        body = response.get_data(as_text=True) if response.is_sequence else ""
        for marker in world.foreign_markers(persona):
            assert marker not in body, f"{label}: leaks {marker!r}"
    elif persona == "anon":
        if url.startswith("/api/"):
            assert status == 401, label
        else:
            assert status == 302 and "/login" in where, label
    else:
        assert status in (403, 404), label


def _walk(app, world, endpoint: str):
    rule = _endpoints(app)[endpoint]
    decl = RULES[endpoint]
    cases = decl.cases(world) if decl.cases else [Case()]
    checked = 0
    for case in cases:
        allow = decl.allow if case.allow is None else case.allow
        with app.test_request_context():
            from flask import url_for

            url = url_for(endpoint, **case.values)
        if case.query:
            url += "?" + case.query
        for method in decl.methods:
            assert method in rule.methods, f"{endpoint} has no {method}"
            for persona in sorted(EVERYONE):
                allowed = persona in allow
                if allowed and method not in SAFE:
                    continue  # would change data: the functional tests do this
                client = session_client(app, world.users.get(persona))
                body = (
                    {} if case.json is None or method in SAFE else {"json": case.json}
                )
                response = client.open(url, method=method, **body)
                _check(response, persona, allowed, url, world)
                checked += 1
    return checked


def test_route_walk_every_route_as_every_persona(walk_app, world):
    checked = sum(_walk(walk_app, world, ep) for ep in sorted(RULES))
    assert checked > 200  # the walk ran: endpoints × personas × cases


@pytest.mark.parametrize(
    ("persona", "grid", "visible"),
    [
        ("warden_a", "A", True),
        ("warden_a", "B", False),
        ("warden_b", "A", False),
        ("office_x", "B", True),
        ("office_y", "A", False),
        ("office_x", "C", False),
        ("bureau", "C", True),
    ],
)
def test_api_enterprises_grid_filter_never_crosses_scope(
    app, world, signed_in, persona, grid, visible
):
    client = signed_in(persona)
    r = client.get(f"/api/v1/enterprises?grid={world.grid_codes[grid]}")
    assert r.status_code == 200
    ids = {f["id"] for f in r.get_json()["features"]}
    assert (ids == set(world.enterprises[grid])) if visible else not ids
