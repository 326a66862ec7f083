"""The web app's services on both backends: rate-limit counters, bbox reads,
tokens and the user import."""

from __future__ import annotations

import time

import pytest

from gridwatch.services.enterprises import (
    EnterpriseFilter,
    count_enterprises,
    read_enterprises,
)
from gridwatch.services.throttle import DatabaseStorage
from gridwatch.services.tokens import create_token, user_for_token
from gridwatch.services.user_import import import_users
from gridwatch.services.users import add_user, authenticate
from tests.actors import SYSTEM
from tests.db.conftest import TOWN


def test_throttle_counts_expires_and_clears(ctx):
    store = DatabaseStorage(engine=ctx.engine)
    assert [store.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert store.get("k") == 3 and store.get_expiry("k") > time.time() + 50
    assert store.incr("short", 1) == 1
    time.sleep(1.1)
    assert store.get("short") == 0 and store.incr("short", 1) == 1  # new window
    store.clear("k")
    assert store.get("k") == 0 and store.check()


def test_throttle_two_engines_share_counters(ctx):
    from gridwatch.db.engine import make_engine

    other = make_engine(
        ctx.settings.resolved_database_url(),
        spatialite_library=ctx.settings.spatialite_library,
    )
    a, b = DatabaseStorage(engine=ctx.engine), DatabaseStorage(engine=other)
    a.incr("shared", 60)
    assert b.incr("shared", 60) == 2 and a.get("shared") == 2
    other.dispose()


def test_read_enterprises_bbox_matches_python(small_district):
    everything = read_enterprises(small_district, SYSTEM)
    bbox = (113.005, 23.002, 113.021, 23.013)
    inside = everything[everything.geometry.notna()].cx[
        bbox[0] : bbox[2], bbox[1] : bbox[3]
    ]
    where = EnterpriseFilter(bbox=bbox)
    got = read_enterprises(small_district, SYSTEM, where=where)
    assert set(got["uscc"]) == set(inside["uscc"]) and len(got) > 0
    assert count_enterprises(small_district, SYSTEM, where) == len(inside)
    paged = read_enterprises(small_district, SYSTEM, where=where, limit=3, offset=0)
    assert len(paged) == min(3, len(inside))


def test_read_enterprises_filters_refuse_unknown_codes(small_district):
    from gridwatch.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="Unknown risk"):
        EnterpriseFilter(risk=("purple",))
    with pytest.raises(InvalidInputError, match="bbox"):
        EnterpriseFilter(bbox=(2, 0, 1, 1))


def test_tokens_and_users_on_both_backends(small_district, tmp_path):
    ctx = small_district
    tok = create_token(ctx, SYSTEM, "zc_warden_000", "t")
    assert user_for_token(ctx, tok["token"])["username"] == "zc_warden_000"
    assert user_for_token(ctx, tok["token"] + "x") is None
    path = tmp_path / "u.csv"
    path.write_text(
        f"账号,姓名,身份,镇街\nimp1,甲,网格员,{TOWN}\nimp2,乙,安监局,\n",
        encoding="utf-8-sig",
    )
    result = import_users(ctx, SYSTEM, path)
    assert [r["username"] for r in result.created] == ["imp1", "imp2"]
    assert authenticate(ctx, "imp1", result.created[0]["password"])["warden_id"]
    with pytest.raises(Exception, match="already exists"):
        add_user(ctx, SYSTEM, "imp1", "x", "bureau")
