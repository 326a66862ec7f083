"""The demo's campaigns and public tip-offs, made through the services themselves.

After the build's transaction (these use cases read and write through their own
transactions): three of the seed report's campaigns (``create_campaign`` as the
bureau: one finished last year, two running now), and about one tip-off per 150
enterprises over the last 60 days (``submit_tipoff``, the public entry, from
points near enterprises, some picked on a GCJ-02 base map, some given only as an
address), most triaged by whoever they were routed to (``triage_tipoff``) a few
days after receipt; the newest sixth and one old one (escalated) are left new. The shares are
the generator's choices, not figures from the report.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import sqlalchemy as sa

from gridwatch.crs import from_wgs84
from gridwatch.db.models import Enterprise, Tipoff, User, Warden
from gridwatch.db.queries import read_frame, wkb
from gridwatch.errors import NotFoundError
from gridwatch.services.context import Context
from gridwatch.services.supervision import (
    actor_for_user,
    create_campaign,
    submit_tipoff,
    triage_tipoff,
)

CAMPAIGN_PLAN = (  # (preset, days from today to start, length in days, kinds)
    ("furniture", -330, 90, ()),
    ("three_in_one", -45, 90, ()),
    ("hazchem", -20, 90, ("inspection", "spot_check")),
)
TEXTS = (
    "厂房后门堆放大量纸箱,堵塞消防通道",
    "夜间有人在仓库内违规动火焊接",
    "小作坊楼上住人,楼下生产,疑似三合一",
    "车间粉尘很大,工人没戴口罩",
    "门店私拉电线给电动车充电",
    "液化气瓶放在楼道里",
    "工厂排气管经常冒黑烟并有刺鼻气味",
    "叉车司机好像没有驾驶证",
)
DEPARTMENTS = ("消防救援大队", "市场监督管理局", "生态环境分局", "城市管理和综合执法局")


def _campaigns(ctx: Context, bureau, today: dt.date) -> list[int]:
    out = []
    for preset, offset, length, kinds in CAMPAIGN_PLAN:
        start = today + dt.timedelta(days=offset)
        c = create_campaign(ctx, bureau, preset=preset, start=start,
                            end=start + dt.timedelta(days=length),
                            inspection_kinds=kinds)  # fmt: skip
        out.append(c["id"])
    return out


def _acting_for(ctx: Context, conn, tip) -> object:
    """The account a tip-off is triaged by: its warden, else its street office,
    else the bureau."""
    if tip.warden_id is not None:
        name = conn.execute(sa.select(User.username).join(
            Warden, Warden.user_id == User.id).where(
            Warden.id == tip.warden_id)).scalar()  # fmt: skip
    elif tip.town_code:
        name = conn.execute(
            sa.select(User.username).where(
                User.role == "street_office", User.scope_code == tip.town_code
            )
        ).scalar()
    else:
        name = None
    if name is None:
        name = conn.execute(
            sa.select(User.username)
            .where(User.role == "bureau")
            .order_by(User.username)
        ).scalar()
    return actor_for_user(ctx, name)


def _submit(ctx: Context, ents, n: int, today: dt.date, rng, gazetteer) -> list:
    """File ``n`` tip-offs; return the credit code each was filed about."""
    pick = rng.choice(len(ents), n, replace=n > len(ents))
    about = []
    for k, i in enumerate(pick):
        e = ents.iloc[int(i)]
        when = dt.datetime.combine(
            today - dt.timedelta(days=int(rng.integers(0, 60))), dt.time(1)
        ) + dt.timedelta(minutes=int(rng.integers(0, 600)))
        text = TEXTS[int(rng.integers(0, len(TEXTS)))]
        kw = {"description": text, "now": when, "client_address": f"198.51.100.{k % 250}",
              "gazetteer": gazetteer}  # fmt: skip
        u = rng.random()
        if u < 0.1 and e["address"]:
            kw["address"] = e["address"]
        else:
            # a spot within ~60 m of the enterprise, as a phone map would give it
            lng = e.geometry.x + rng.normal(0, 0.0004)
            lat = e.geometry.y + rng.normal(0, 0.0004)
            if u < 0.4:  # picked on an Amap (GCJ-02) base map
                lng, lat = from_wgs84(lng, lat, "gcj02")
                kw["datum"] = "gcj02"
            kw["lng"], kw["lat"] = float(lng), float(lat)
        if rng.random() < 0.5:
            kw["contact_phone"] = f"139{int(rng.integers(10**7, 10**8)):08d}"
        submit_tipoff(ctx, **kw)
        about.append(e["uscc"])
    return about


def _triage(ctx: Context, today: dt.date, rng, about: list) -> dict:
    done = {"converted": 0, "referred": 0, "dismissed": 0, "new": 0}
    with ctx.engine.connect() as conn:
        tips = conn.execute(sa.select(Tipoff.__table__).order_by(Tipoff.id)).all()
        actors = {t.id: _acting_for(ctx, conn, t) for t in tips}
    # the newest sixth waits for triage, and so does one old one (escalated)
    order = sorted(range(len(tips)), key=lambda i: (tips[i].received_on, i))
    waiting = set(order[-max(1, len(tips) // 6) :])
    old = [i for i in order if (today - tips[i].received_on).days > 10]
    waiting |= set(old[:1])
    handled = 0
    for i, (t, uscc) in enumerate(zip(tips, about, strict=True)):
        if i in waiting:
            done["new"] += 1
            continue
        on = min(today, t.received_on + dt.timedelta(days=int(rng.integers(1, 4))))
        actor = actors[t.id]
        # the first three handled take each outcome once, so even a small demo
        # shows every way a tip-off ends; the rest are drawn (half converted)
        u = (0.0, 0.6, 0.9)[handled] if handled < 3 else rng.random()
        handled += 1
        if u < 0.5 and _convert(ctx, actor, t.id, uscc, on):
            done["converted"] += 1
        elif u < 0.8:
            triage_tipoff(
                ctx,
                actor,
                t.id,
                "refer",
                on=on,
                department=DEPARTMENTS[int(rng.integers(0, 4))],
            )
            done["referred"] += 1
        else:
            triage_tipoff(
                ctx, actor, t.id, "dismiss", on=on, reason="现场核实未发现所述问题"
            )
            done["dismissed"] += 1
    return done


def _convert(ctx: Context, actor, tipoff_id: int, uscc: str, on) -> bool:
    """Convert into a hazard at the enterprise it was about, if that enterprise is
    in the triaging account's scope (a spot near a grid's edge may not be)."""
    try:
        triage_tipoff(ctx, actor, tipoff_id, "convert_to_hazard", uscc=uscc,
                      category="fire", on=on)  # fmt: skip
    except NotFoundError:
        return False
    return True


def add_campaigns_and_tipoffs(ctx: Context, *, today: dt.date, seed: int) -> dict:
    """Campaigns and tip-offs through the services (module docstring)."""
    rng = np.random.default_rng(seed + 13)
    with ctx.engine.connect() as conn:
        bureau = conn.execute(sa.select(User.username).where(
            User.role == "bureau").order_by(User.username)).scalar()  # fmt: skip
        ents = read_frame(conn, sa.select(Enterprise.uscc, Enterprise.address,
                                          wkb(Enterprise.geom)).where(
            Enterprise.geom.is_not(None)).order_by(Enterprise.id))  # fmt: skip
    campaigns = _campaigns(ctx, actor_for_user(ctx, bureau), today)
    cache: dict = {}

    def gazetteer():
        if "g" not in cache:
            from gridwatch.services.geocoding import load_gazetteer

            cache["g"] = load_gazetteer(ctx)
        return cache["g"]

    n = max(6, len(ents) // 150)
    about = _submit(ctx, ents, n, today, rng, gazetteer)
    return {"campaigns": len(campaigns), "tipoffs": n,
            **_triage(ctx, today, rng, about)}  # fmt: skip
