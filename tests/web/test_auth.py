"""Sign-in, CSRF, throttling across workers, forced password change, deactivation,
escaping, headers and the error shapes."""

from __future__ import annotations

import io
import os
import stat

import pytest

from gridwatch.errors import DatabaseError
from gridwatch.services import users as user_svc
from tests.actors import SYSTEM
from tests.web.conftest import csrf_token, make_settings, session_client
from tests.web.world import PASSWORD, XSS


def _sign_in(client, username, password=PASSWORD, **kw):
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        **kw,
    )


def test_sign_in_goes_to_the_role_home(app):
    client = app.test_client()
    r = _sign_in(client, "gw_warden_a")
    assert r.status_code == 302 and r.headers["Location"] == "/w/"
    page = client.get("/w/").get_data(as_text=True)
    assert "warden_a姓名" in page and "440604011001001" in page


def test_sign_in_wrong_password_is_refused(app):
    client = app.test_client()
    r = _sign_in(client, "gw_warden_a", "wrong password!")
    assert r.status_code == 401
    assert client.get("/w/").status_code == 302


def test_sign_in_without_csrf_token_is_refused(app):
    client = app.test_client()
    r = client.post("/login", data={"username": "gw_admin", "password": PASSWORD})
    assert r.status_code == 400 and "csrf_failed" in r.get_data(as_text=True)
    r = client.post(
        "/login",
        data={"username": "gw_admin", "password": PASSWORD},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "csrf_failed"


def test_sign_in_next_never_leaves_the_site(app):
    client = app.test_client()
    token = csrf_token(client)
    r = client.post(
        "/login",
        data={
            "username": "gw_bureau",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert r.headers["Location"] == "/b/"


def test_api_session_post_needs_csrf_token(app, signed_in):
    client = signed_in("bureau")
    r = client.post("/api/v1/me/tokens", json={"name": "script"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "csrf_failed"
    token = csrf_token(client, "/account")
    r = client.post(
        "/api/v1/me/tokens", json={"name": "script"}, headers={"X-CSRFToken": token}
    )
    assert r.status_code == 201 and r.get_json()["token"].startswith("gw_")


def test_signin_limit_holds_across_two_app_instances(world, tmp_path):
    """Two apps with their own engines on one database file: two workers."""
    import shutil

    from gridwatch.services.context import open_context
    from gridwatch.web import create_app

    shutil.copy(
        world.ctx.settings.data_path / "gridwatch.sqlite", tmp_path / "gridwatch.sqlite"
    )
    settings = make_settings(tmp_path, signin_limit="3 per minute")
    apps = [create_app(settings, open_context(settings)) for _ in range(2)]
    statuses = []
    for i in range(4):  # alternate workers; one client address
        client = apps[i % 2].test_client()
        statuses.append(_sign_in(client, "gw_office_y", "wrong password!").status_code)
    assert statuses == [401, 401, 401, 429]
    # the per-username limit holds for another address too
    other = apps[1].test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    r = _sign_in(other, "gw_office_y", PASSWORD)
    assert r.status_code == 429 and "Retry-After" in r.headers
    # another account from another address is not affected
    third = apps[0].test_client()
    third.environ_base["REMOTE_ADDR"] = "10.9.9.8"
    assert _sign_in(third, "gw_office_x", PASSWORD).status_code == 302


def test_admin_created_user_must_change_password_first(app, signed_in):
    admin = signed_in("admin")
    token = csrf_token(admin, "/admin/users/new")
    r = admin.post(
        "/admin/users/new",
        data={
            "username": "new_warden",
            "full_name": "新网格员",
            "role": "warden",
            "scope_code": "440604011",
            "csrf_token": token,
        },
    )
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    password = page.split('<code class="secret">')[1].split("</code>")[0]
    user = app.test_client()
    assert _sign_in(user, "new_warden", password).headers["Location"] == "/w/"
    assert user.get("/w/").headers["Location"] == "/account/password"
    r = user.get("/api/v1/me")
    assert r.status_code == 403
    token = csrf_token(user, "/account/password")
    r = user.post(
        "/account/password",
        data={
            "current": password,
            "new": "a new long pass",
            "confirm": "a new long pass",
            "csrf_token": token,
        },
    )
    assert r.status_code == 302 and r.headers["Location"] == "/w/"
    assert user.get("/w/").status_code == 200
    assert user.get("/api/v1/me").get_json()["username"] == "new_warden"


def test_password_reset_ends_sessions_and_forces_change(app, world):
    user_svc.add_user(
        world.ctx,
        SYSTEM,
        "reset_me",
        "重置",
        "bureau",
        password=PASSWORD,
        must_change=False,
    )
    client = app.test_client()
    _sign_in(client, "reset_me")
    assert client.get("/b/").status_code == 200
    new = user_svc.set_password(world.ctx, SYSTEM, "reset_me")
    assert client.get("/b/").headers["Location"].startswith("/login")
    _sign_in(client, "reset_me", new)
    assert client.get("/b/").headers["Location"] == "/account/password"


def test_deactivated_user_is_signed_out_and_cannot_sign_in(app, world):
    user_svc.add_user(
        world.ctx,
        SYSTEM,
        "leaver",
        "离职",
        "bureau",
        password=PASSWORD,
        must_change=False,
    )
    client = app.test_client()
    _sign_in(client, "leaver")
    assert client.get("/b/").status_code == 200
    user_svc.set_active(world.ctx, SYSTEM, "leaver", False)
    assert client.get("/b/").headers["Location"].startswith("/login")
    assert _sign_in(app.test_client(), "leaver").status_code == 401


def test_hostile_user_text_is_escaped(app, world, signed_in):
    user_svc.add_user(world.ctx, SYSTEM, "hostile", XSS, "bureau", password=PASSWORD)
    page = signed_in("admin").get("/admin/").get_data(as_text=True)
    assert XSS not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_security_headers_and_cookie_flags(app):
    client = app.test_client()
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/api/v1/health").headers["Content-Security-Policy"] == csp


def test_secure_cookies_setting(world, tmp_path):
    from gridwatch.web import create_app

    settings = make_settings(tmp_path, secure_cookies="true")
    r = create_app(settings, world.ctx).test_client().get("/login")
    assert "Secure" in r.headers["Set-Cookie"]


def test_secret_key_is_generated_once_private(world, tmp_path):
    from gridwatch.web import create_app

    settings = make_settings(tmp_path)
    first = create_app(settings, world.ctx).config["SECRET_KEY"]
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert create_app(settings, world.ctx).config["SECRET_KEY"] == first


def test_errors_as_json_or_html_by_accept(app):
    client = app.test_client()
    r = client.get("/no/such/page")
    assert r.status_code == 404 and r.mimetype == "text/html"
    r = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert set(r.get_json()["error"]) == {"code", "message", "details"}
    r = client.get("/api/v1/nothing-here")
    assert r.get_json()["error"]["code"] == "not_found"
    r = client.put("/login")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]


def test_unexpected_error_is_a_generic_500(world, tmp_path, caplog):
    from gridwatch.web import create_app

    app = create_app(make_settings(tmp_path), world.ctx)

    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", "boom", boom)
    r = app.test_client().get("/boom", headers={"Accept": "application/json"})
    assert r.status_code == 500
    assert r.get_json()["error"]["code"] == "internal_error"
    assert "secret internals" not in r.get_data(as_text=True)
    assert "secret internals" in caplog.text


def test_upload_over_the_limit_is_413(world, tmp_path):
    from gridwatch.web import create_app

    app = create_app(make_settings(tmp_path, max_upload_mb="0.001"), world.ctx)
    client = session_client(app, world.users["admin"])
    r = client.post(
        "/admin/users/import",
        data={"file": (io.BytesIO(b"x" * 5000), "a.csv")},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"


def test_app_refuses_an_unmigrated_database(tmp_path):
    from gridwatch.web import create_app

    with pytest.raises(DatabaseError, match="gridwatch db upgrade"):
        create_app(make_settings(tmp_path))


def test_language_switch_signed_out_and_kept_on_the_account(app, world):
    client = app.test_client()
    token = csrf_token(client)
    r = client.post(
        "/language", data={"lang": "en", "next": "/login", "csrf_token": token}
    )
    assert r.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page
    _sign_in(client, "gw_office_x")
    client.post(
        "/language", data={"lang": "en", "csrf_token": csrf_token(client, "/s/")}
    )
    fresh = app.test_client()
    _sign_in(fresh, "gw_office_x")
    assert 'lang="en"' in fresh.get("/s/").get_data(as_text=True)
    assert 'lang="zh-CN"' in app.test_client().get("/login").get_data(as_text=True)


def test_proxy_hops_trusts_forwarded_client_address(world, tmp_path):
    import shutil

    from gridwatch.services.context import open_context
    from gridwatch.web import create_app

    shutil.copy(
        world.ctx.settings.data_path / "gridwatch.sqlite", tmp_path / "gridwatch.sqlite"
    )
    settings = make_settings(tmp_path, signin_limit="2 per minute", proxy_hops="1")
    app = create_app(settings, open_context(settings))
    statuses = []
    for i, who in enumerate(["gw_admin", "gw_bureau", "gw_office_x"]):
        client = app.test_client()  # same proxy, same phone behind it
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
        statuses.append(_sign_in(client, who, "wrong password!").status_code)
    other = app.test_client()
    other.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.8"
    assert statuses == [401, 401, 429]
    assert _sign_in(other, "gw_office_y", PASSWORD).status_code == 302
