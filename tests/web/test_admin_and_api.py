"""Admin pages (accounts, bulk import with its one-time download) and the API
(tokens, GeoJSON filters and paging, scope in SQL)."""

from __future__ import annotations

import csv
import io

import openpyxl

from gridwatch.services import users as user_svc
from gridwatch.services.tokens import create_token, revoke_token
from gridwatch.services.user_import import import_users
from tests.actors import SYSTEM
from tests.web.conftest import csrf_token
from tests.web.world import TOWN_X


def _post(client, url, data, page=None):
    data = {**data, "csrf_token": csrf_token(client, page or url)}
    return client.post(url, data=data)


def test_admin_add_user_refuses_a_town_not_loaded(signed_in):
    admin = signed_in("admin")
    r = _post(
        admin,
        "/admin/users/new",
        {
            "username": "w_nowhere",
            "full_name": "无镇",
            "role": "warden",
            "scope_code": "440604999",
        },
    )
    assert r.status_code == 200 and "secret" not in r.get_data(as_text=True)
    assert "w_nowhere" not in {
        u["username"]
        for u in user_svc.list_users(admin.application.extensions["gridwatch"], SYSTEM)
    }


def test_add_user_service_refuses_unloaded_town(world):
    import pytest

    from gridwatch.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="not a loaded town"):
        user_svc.add_user(world.ctx, SYSTEM, "w_x", "某", "warden", "440604999")


def test_admin_edits_role_and_scope_and_deactivates(signed_in, world):
    user_svc.add_user(
        world.ctx, SYSTEM, "edit_me", "改角色", "bureau", password="x" * 12
    )
    admin = signed_in("admin")
    page = "/admin/users/edit_me"
    r = _post(
        admin, page, {"full_name": "改角色", "role": "warden", "scope_code": TOWN_X}
    )
    assert r.status_code == 302
    u = user_svc.get_user(world.ctx, SYSTEM, "edit_me")
    assert (u["role"], u["scope_code"]) == ("warden", TOWN_X)
    actor = user_svc.actor_of(user_svc.authenticate(world.ctx, "edit_me", "x" * 12))
    assert actor.warden_id is not None  # a warden record was made
    r = _post(admin, "/admin/users/edit_me/deactivate", {}, page)
    assert r.status_code == 302
    assert not user_svc.get_user(world.ctx, SYSTEM, "edit_me")["is_active"]
    with world.ctx.engine.connect() as conn:
        import sqlalchemy as sa

        who = conn.execute(
            sa.text(
                "SELECT actor FROM audit_log WHERE entity = 'users' AND entity_key = "
                "'edit_me' AND action = 'update' ORDER BY id DESC"
            )
        ).scalar()
    assert who == "gw_admin"  # the web change is audited as the acting user


def test_admin_reset_password_shows_it_once(signed_in, world):
    user_svc.add_user(
        world.ctx,
        SYSTEM,
        "forgetful",
        "忘密码",
        "bureau",
        password="x" * 12,
        must_change=False,
    )
    admin = signed_in("admin")
    r = _post(
        admin, "/admin/users/forgetful/reset-password", {}, "/admin/users/forgetful"
    )
    pw = r.get_data(as_text=True).split('<code class="secret">')[1].split("</code>")[0]
    assert user_svc.authenticate(world.ctx, "forgetful", pw)["must_change_password"]


def _users_csv(tmp_path, encoding="gbk"):
    path = tmp_path / "users.csv"
    rows = [
        ["用户名", "姓名", "角色", "所属镇街", "手机"],
        ["imp_w1", "张三", "网格员", "张槎街道", "13800138000"],
        ["imp_s1", "李四", "街道(镇)安监办", TOWN_X, ""],
        ["imp_b1", "王五", "区安监局", "", "13900139000"],
        ["imp_w1", "重复", "网格员", TOWN_X, ""],
        ["imp_bad", "赵六", "厨师", TOWN_X, ""],
        ["imp_w2", "钱七", "网格员", "不存在街道", ""],
        ["imp_w3", "孙八", "网格员", "", ""],
        ["imp_w4", "周九", "网格员", TOWN_X, "12345"],
        ["", "", "", "", ""],
    ]
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_import_users_every_row_created_or_rejected(world, tmp_path):
    result = import_users(world.ctx, SYSTEM, _users_csv(tmp_path))
    assert result.rows == 8 and result.blank == 1 and result.balanced
    assert [r["username"] for r in result.created] == ["imp_w1", "imp_s1", "imp_b1"]
    reasons = {r["row"]: r["reason"] for r in result.rejected}
    assert "already exists" in reasons[5] and "角色" in reasons[6]
    assert "not a loaded town" in reasons[7] and "town/street" in reasons[8]
    assert "mobile" in reasons[9]
    assert "手机" in result.created[2]["note"]
    w1 = user_svc.authenticate(world.ctx, "imp_w1", result.created[0]["password"])
    assert w1["scope_code"] == TOWN_X and w1["must_change_password"]


def test_import_users_xlsx_through_the_web_with_one_time_download(signed_in, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["用户名", "姓名", "角色", "所属镇街", "手机"])
    ws.append(["xl_w1", "吴一", "网格员", TOWN_X, 13700137000])
    ws.append(["xl_bad", "", "网格员", TOWN_X, None])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    admin = signed_in("admin")
    token = csrf_token(admin, "/admin/users/import")
    r = admin.post(
        "/admin/users/import", data={"file": (buf, "名单.xlsx"), "csrf_token": token}
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "xl_w1" in page and "姓名" in page
    link = page.split('href="/admin/users/import/')[1].split('"')[0]
    got = admin.get(f"/admin/users/import/{link}")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][1] == "xl_w1" and len(rows[1][5]) >= 10
    assert admin.get(f"/admin/users/import/{link}").status_code == 404  # once


def test_import_users_cli_json_and_exit_code(world, tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from gridwatch.cli import main

    path = tmp_path / "u.csv"
    path.write_text(
        "用户名,姓名,角色,所属镇街\ncli_w1,陈,网格员,440604011\n,,坏,\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(world.ctx.settings.data_path))
    r = CliRunner().invoke(main, ["users", "import", str(path), "--json"])
    assert r.exit_code == 3, r.output
    data = json.loads(r.output)
    assert data["created"][0]["username"] == "cli_w1" and len(data["rejected"]) == 1
    r = CliRunner().invoke(main, ["users", "deactivate", "cli_w1"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["users", "list", "--json"])
    listed = {u["username"]: u for u in json.loads(r.output)}
    assert listed["cli_w1"]["is_active"] is False


def test_api_token_auth_and_revocation(app, world):
    tok = create_token(world.ctx, SYSTEM, "gw_warden_b", "script")
    client = app.test_client()
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tok['token']}"})
    assert r.status_code == 200 and r.get_json()["username"] == "gw_warden_b"
    assert r.get_json()["via_token"] is True
    # a token does not open the pages, only the API
    assert (
        client.get(
            "/w/", headers={"Authorization": f"Bearer {tok['token']}"}
        ).status_code
        == 302
    )
    bad = tok["token"][:-2] + "xx"
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    revoke_token(world.ctx, SYSTEM, tok["id"])
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tok['token']}"})
    assert r.status_code == 401


def test_api_token_stored_hashed(world):
    import sqlalchemy as sa

    tok = create_token(world.ctx, SYSTEM, "gw_bureau", "hash check")
    with world.ctx.engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT token_hash FROM api_tokens WHERE id = :i"), {"i": tok["id"]}
        ).scalar()
    assert tok["token"] not in stored and len(stored) == 64


def test_api_token_post_needs_no_csrf(app, world):
    tok = create_token(world.ctx, SYSTEM, "gw_office_y", "script")
    r = app.test_client().post(
        "/api/v1/me/tokens",
        json={"name": "second"},
        headers={"Authorization": f"Bearer {tok['token']}"},
    )
    assert r.status_code == 201


def test_api_others_token_cannot_be_revoked(app, world, signed_in):
    tok = create_token(world.ctx, SYSTEM, "gw_warden_a", "mine")
    client = signed_in("warden_b")
    token = csrf_token(client, "/account")
    r = client.delete(f"/api/v1/me/tokens/{tok['id']}", headers={"X-CSRFToken": token})
    assert r.status_code == 404


def test_api_enterprises_bbox_paging_and_filters(signed_in, world):
    client = signed_in("bureau")
    everything = client.get("/api/v1/enterprises").get_json()
    assert everything["numberMatched"] == 9
    r = client.get("/api/v1/enterprises?bbox=113.0,23.0,113.02,23.02").get_json()
    assert {f["id"] for f in r["features"]} == set(world.enterprises["A"])
    page1 = client.get("/api/v1/enterprises?limit=4").get_json()
    page3 = client.get("/api/v1/enterprises?limit=4&offset=8").get_json()
    assert page1["numberReturned"] == 4 and page3["numberReturned"] == 1
    assert (
        page1["links"][0]["rel"] == "next" and "offset=4" in page1["links"][0]["href"]
    )
    red = client.get("/api/v1/enterprises?risk=red&risk=blue").get_json()
    assert {f["properties"]["risk_level"] for f in red["features"]} == {"red", "blue"}
    assert red["features"][0]["properties"]["risk_label"].startswith(("红", "蓝"))
    r = client.get("/api/v1/enterprises?bbox=1,2,3")
    assert r.status_code == 422 and "bbox" in str(r.get_json()["error"]["details"])
    r = client.get("/api/v1/enterprises?sector=nonsense")
    assert r.status_code == 422


def test_api_enterprises_bbox_respects_scope(signed_in, world):
    r = signed_in("warden_b").get("/api/v1/enterprises?bbox=113.0,23.0,113.06,23.02")
    assert {f["id"] for f in r.get_json()["features"]} == set(world.enterprises["B"])


def test_api_grids_scope(signed_in, world):
    codes = {
        f["properties"]["code"]
        for f in signed_in("office_y").get("/api/v1/grids").get_json()["features"]
    }
    assert codes == {world.grid_codes["C"]}


def test_admin_user_list_search_and_pages(signed_in):
    page = signed_in("admin").get("/admin/?q=warden_a").get_data(as_text=True)
    assert "gw_warden_a" in page and "gw_warden_b" not in page
    page = signed_in("admin").get("/admin/?q=100%25").get_data(as_text=True)
    assert "gw_" not in page  # % is a character to find, not a wildcard
    page = signed_in("admin").get("/admin/?role=street_office").get_data(as_text=True)
    assert "gw_office_x" in page and "祖庙街道" in page and "gw_bureau" not in page
