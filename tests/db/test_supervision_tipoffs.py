"""Public tip-offs: routing (a point on a shared grid edge), scope, triage, limits."""

import datetime as dt
import re

import pytest
import shapely
import sqlalchemy as sa

from gridwatch.assign.points import assign_points, build_index
from gridwatch.db.models import GridWarden, Hazard, Tipoff
from gridwatch.db.queries import effective_on
from gridwatch.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from gridwatch.services.grids import read_grids
from gridwatch.services.supervision import (
    PUBLIC,
    list_hazards,
    list_tipoffs,
    show_tipoff,
    submit_tipoff,
    supervision_todo,
    triage_tipoff,
)
from gridwatch.services.supervision.tipoffs import receipt_code
from tests.actors import SYSTEM
from tests.db.supervision_world import build_world

NOW = dt.datetime(2026, 3, 2, 2, 30)  # 10:30 in Foshan
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def world(ctx):
    return build_world(ctx)


def _responsible(ctx, grid: str, day: dt.date) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(
            sa.select(GridWarden.warden_id).where(
                GridWarden.grid_code == grid, GridWarden.role == "responsible",
                effective_on(GridWarden, day))).scalar_one()  # fmt: skip


def _shared_edge_vertex(ctx, world):
    """A vertex two grids share (and only two), whose wardens differ."""
    grids = read_grids(ctx, SYSTEM)
    index = build_index(grids)
    for a in grids.itertuples():
        for b in grids.itertuples():
            if a.code >= b.code or not a.geometry.touches(b.geometry):
                continue
            shared = set(map(tuple, shapely.get_coordinates(a.geometry.boundary)))
            other = set(map(tuple, shapely.get_coordinates(b.geometry.boundary)))
            for x, y in sorted(shared & other):
                res = assign_points(index, [x], [y])
                if res.n_covering[0] != 2:
                    continue
                wa = _responsible(ctx, a.code, DAY)
                wb = _responsible(ctx, b.code, DAY)
                if wa != wb:
                    return (x, y), a.code, b.code
    pytest.skip("no shared vertex between grids of two wardens")


def test_a_tipoff_on_a_shared_grid_edge_goes_to_the_smaller_codes_warden(world):
    ctx = world.ctx
    (x, y), small, large = _shared_edge_vertex(ctx, world)
    assert small < large
    out = submit_tipoff(ctx, description="厂房后门堆放大量纸箱堵塞消防通道", lng=x,
                        lat=y, contact_name="陈先生", contact_phone="139 0000 0000",
                        client_address="203.0.113.7", now=NOW)  # fmt: skip
    receipt = out.pop("receipt")
    assert out == {"accepted": True, "received_on": "2026-03-02"}
    with ctx.engine.connect() as conn:
        row = conn.execute(sa.select(Tipoff.__table__)).one()
    # the sender's tracking code: the staff see the same one on the tip-off
    assert re.fullmatch(r"JB[0-9A-HJKMNP-TV-Z]{10}", receipt)
    assert receipt == receipt_code(ctx, row.id) != receipt_code(ctx, row.id + 1)
    assert (row.routed_by, row.grid_code, row.town_code) == ("point", small, small[:9])
    right = _responsible(ctx, small, DAY)
    assert row.warden_id == right
    assert row.client_hash and "203.0.113.7" not in row.client_hash
    owner = next(w for w in world.wardens if w.warden_id == right)
    other = next(
        w for w in world.wardens if w.warden_id == _responsible(ctx, large, DAY)
    )
    seen = list_tipoffs(ctx, owner, on=DAY)
    assert [i["id"] for i in seen.items] == [row.id]
    item = seen.items[0]
    assert item["receipt"] == receipt
    assert (
        item["contact_phone"] == "139 0000 0000"
        and item["warden_username"] == owner.username
    )
    assert list_tipoffs(ctx, other, on=DAY).total == 0
    with pytest.raises(NotFoundError):
        show_tipoff(ctx, other, row.id, on=DAY)
    assert list_tipoffs(ctx, world.office, on=DAY).total == 1
    # the warden converts it into a hazard at an enterprise of that grid
    shown = show_tipoff(ctx, owner, row.id, on=DAY)
    assert [a["action"] for a in shown["actions"]] == [
        "convert_to_hazard", "refer", "dismiss"]  # fmt: skip
    assert shown["nearby"], "the grid's enterprises are offered"
    target = shown["nearby"][0]
    done = triage_tipoff(
        ctx,
        owner,
        row.id,
        "convert_to_hazard",
        enterprise_id=target["id"],
        category="fire",
        on=DAY,
    )
    assert done["status"] == "converted" and done["hazard_id"]
    assert done["events"][0]["action"] == "convert_to_hazard"
    hz = list_hazards(ctx, owner, source="tipoff", on=DAY).items
    assert [h["id"] for h in hz] == [done["hazard_id"]]
    assert hz[0]["status"] == "rectifying" and hz[0]["enterprise_id"] == target["id"]
    with pytest.raises(ConflictError):
        triage_tipoff(ctx, owner, row.id, "dismiss", reason="重复", on=DAY)


def test_refer_and_dismiss_need_their_text_and_escalation_follows_the_setting(world):
    ctx = world.ctx
    ent_point = _enterprise_point(ctx, world)
    for i in range(3):
        submit_tipoff(ctx, description=f"举报{i}", lng=ent_point[0], lat=ent_point[1],
                      now=NOW)  # fmt: skip
    tips = list_tipoffs(ctx, world.office, on=DAY).items
    a, b, c = (t["id"] for t in tips)
    with pytest.raises(InvalidInputError):
        triage_tipoff(ctx, world.office, a, "refer", department=" ", on=DAY)
    out = triage_tipoff(
        ctx, world.office, a, "refer", department="消防救援大队", on=DAY
    )
    assert (out["status"], out["referred_to"]) == ("referred", "消防救援大队")
    with pytest.raises(InvalidInputError):
        triage_tipoff(ctx, world.office, b, "dismiss", reason="", on=DAY)
    out = triage_tipoff(
        ctx, world.office, b, "dismiss", reason="非安全生产问题", on=DAY
    )
    assert out["dismissal_reason"] == "非安全生产问题"
    # received 2 March, 3 days: not escalated on the 5th, escalated on the 6th
    late = list_tipoffs(ctx, world.office, escalated=True, on=dt.date(2026, 3, 5))
    assert late.total == 0
    late = list_tipoffs(ctx, world.office, escalated=True, on=dt.date(2026, 3, 6))
    assert [t["id"] for t in late.items] == [c] and late.items[0]["is_escalated"]
    todo = supervision_todo(ctx, world.office, on=dt.date(2026, 3, 6))
    assert todo["counts"]["escalated_tipoffs"] == 1
    with pytest.raises(PermissionDeniedError):
        triage_tipoff(ctx, SYSTEM, c, "dismiss", reason="x")
    with pytest.raises(PermissionDeniedError):
        list_tipoffs(ctx, PUBLIC)


def _enterprise_point(ctx, world):
    from gridwatch.services.enterprises import read_enterprises

    ents = read_enterprises(ctx, SYSTEM)
    p = ents.geometry.dropna().iloc[0]
    return p.x, p.y


def test_public_entry_checks_input_limits_per_address_and_stores_nothing_else(world):
    ctx = world.ctx
    x, y = _enterprise_point(ctx, world)
    for bad in (
        {"description": " ", "lng": x, "lat": y},
        {"description": "无位置"},
        {"description": "x", "lng": "abc", "lat": y},
        {"description": "x", "lng": x, "lat": 123.0},
        {"description": "x" * 2001, "lng": x, "lat": y},
        {"description": "x", "lng": x, "lat": y, "contact_phone": "call me"},
    ):
        with pytest.raises(InvalidInputError):
            submit_tipoff(ctx, now=NOW, **bad)
    limit = ctx.settings.tipoff_daily_limit
    for _ in range(limit):
        submit_tipoff(ctx, description="重复举报", lng=x, lat=y, client_address="1.2.3.4",
                      now=NOW)  # fmt: skip
    with pytest.raises(RateLimitedError):
        submit_tipoff(ctx, description="再来", lng=x, lat=y, client_address="1.2.3.4",
                      now=NOW)  # fmt: skip
    # another address, or the next day, is accepted
    submit_tipoff(ctx, description="另一人", lng=x, lat=y, client_address="5.6.7.8",
                  now=NOW)  # fmt: skip
    submit_tipoff(ctx, description="次日", lng=x, lat=y, client_address="1.2.3.4",
                  now=NOW + dt.timedelta(days=1, minutes=1))  # fmt: skip
    with ctx.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(Tipoff)).scalar()
            == limit + 2
        )
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(Hazard)).scalar() == 0
        )


def test_a_gcj02_point_is_converted_once_and_outside_points_go_to_the_bureau(world):
    from gridwatch.crs import from_wgs84

    ctx = world.ctx
    x, y = _enterprise_point(ctx, world)
    gx, gy = from_wgs84(x, y, "gcj02")
    submit_tipoff(ctx, description="高德地图选点", lng=float(gx), lat=float(gy),
                  datum="gcj02", now=NOW)  # fmt: skip
    submit_tipoff(ctx, description="区外", lng=114.5, lat=22.5, now=NOW)
    items = {t["description"]: t for t in list_tipoffs(ctx, world.bureau, on=DAY).items}
    assert abs(items["高德地图选点"]["lng"] - x) < 1e-6
    assert items["高德地图选点"]["routed_by"] == "point"
    assert items["区外"]["routed_by"] == "none" and items["区外"]["town_code"] is None
    assert list_tipoffs(ctx, world.office, on=DAY).total == 1


def test_an_address_placed_only_to_a_community_goes_to_the_street_office(
    world, monkeypatch
):
    import gridwatch.geocode as geocode_pkg

    ctx = world.ctx

    class Placed:  # what the geocoder answers for a village named without a door
        precision, lng, lat, town_code = "community", 113.01, 23.01, "440604011"

    monkeypatch.setattr(geocode_pkg, "geocode", lambda address, gaz: Placed())
    submit_tipoff(ctx, description="某村委会旁小作坊", address="张槎街道甲社区",
                  gazetteer=lambda: None, now=NOW)  # fmt: skip
    t = list_tipoffs(ctx, world.office, on=DAY).items[0]
    assert (t["routed_by"], t["town_code"], t["grid_code"], t["warden_id"]) == (
        "street", "440604011", None, None)  # fmt: skip
    for w in world.wardens:
        assert list_tipoffs(ctx, w, on=DAY).total == 0


def test_a_tipoff_photo_is_stored_and_shown_only_in_scope(world):
    from gridwatch.services.photos import Upload
    from gridwatch.services.supervision import tipoff_photo
    from tests.db.warden_helpers import jpeg_bytes

    ctx = world.ctx
    x, y = _enterprise_point(ctx, world)
    submit_tipoff(ctx, description="随手拍:仓库门口堆放气瓶", lng=x, lat=y, now=NOW,
                  uploads=[Upload("IMG_0001.jpg", jpeg_bytes())])  # fmt: skip
    t = list_tipoffs(ctx, world.office, on=DAY).items[0]
    assert len(t["photos"]) == 1 and t["photos"][0].endswith(".jpg")
    f = tipoff_photo(ctx, world.office, t["id"], t["photos"][0])
    assert f.path.is_file() and f.content_type == "image/jpeg"
    owner = next(w for w in world.wardens if w.warden_id == t["warden_id"])
    other = next(w for w in world.wardens if w.warden_id != t["warden_id"])
    assert tipoff_photo(ctx, owner, t["id"], t["photos"][0]).path == f.path
    with pytest.raises(NotFoundError):
        tipoff_photo(ctx, other, t["id"], t["photos"][0])
    with pytest.raises(NotFoundError):
        tipoff_photo(ctx, world.office, t["id"], "../../secret_key")
    with pytest.raises(InvalidInputError):
        submit_tipoff(ctx, description="坏图", lng=x, lat=y, now=NOW,
                      uploads=[Upload("x.jpg", b"GIF89a not a photo")])  # fmt: skip
