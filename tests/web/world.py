"""A small two-street district for the web tests, with one persona per role.

Streets X (440604011, grids A and B) and Y (440604003, grid C); each grid holds
three enterprises whose names carry a marker (甲/乙/丙), so a test can tell from
a response body alone whose data it holds. Personas and what they may see:

==========  ===================  =================
persona     role (scope)         sees grids
==========  ===================  =================
warden_a    warden (X)           A
warden_b    warden (X)           B
office_x    street_office (X)    A, B
office_y    street_office (Y)    C
bureau      bureau               A, B, C
admin       admin                A, B, C
==========  ===================  =================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
from shapely.geometry import box

from gridwatch.registry.uscc import make_uscc
from gridwatch.services.admin import upsert_admin_units
from gridwatch.services.assignment import (
    assign_enterprises_to_grids,
    set_override,
)
from gridwatch.services.enterprises import upsert_enterprises
from gridwatch.services.geocoding import fill_admin_codes
from gridwatch.services.grids import activate_session, store_version
from gridwatch.services.users import add_user, authenticate
from tests.actors import SYSTEM

PASSWORD = "correct horse battery"
TOWN_X, TOWN_Y = "440604011", "440604003"
GRIDS = {
    "A": ("440604011001001", "440604011001", box(113.00, 23.00, 113.02, 23.02)),
    "B": ("440604011002001", "440604011002", box(113.02, 23.00, 113.04, 23.02)),
    "C": ("440604003001001", "440604003001", box(113.04, 23.00, 113.06, 23.02)),
}
MARK = {"A": "甲网格企业", "B": "乙网格企业", "C": "丙网格企业"}
XSS = "<img src=x onerror=alert(1)>"
PERSONAS = {
    "warden_a": ("warden", TOWN_X, "A"),
    "warden_b": ("warden", TOWN_X, "B"),
    "office_x": ("street_office", TOWN_X, "AB"),
    "office_y": ("street_office", TOWN_Y, "C"),
    "bureau": ("bureau", None, "ABC"),
    "admin": ("admin", None, "ABC"),
}
SIGNED_IN = frozenset(PERSONAS)
EVERYONE = SIGNED_IN | {"anon"}
WGS = "EPSG:4326"


def _code(n: int) -> str:
    """A valid credit code (both check characters, GB 32100 and GB 11714)."""
    return make_uscc(f"MA{n:06d}")


@dataclass
class World:
    ctx: object
    users: dict[str, dict] = field(default_factory=dict)  # persona -> session dict
    enterprises: dict[str, list[int]] = field(default_factory=dict)  # grid -> ids
    grid_codes: dict[str, str] = field(default_factory=dict)
    # one inspection (with a photo) and one hazard (with a photo) per grid, on the
    # grid's first enterprise; their texts carry the grid's marker
    inspections: dict[str, int] = field(default_factory=dict)
    hazards: dict[str, int] = field(default_factory=dict)
    photos: dict[str, int] = field(default_factory=dict)
    street: dict = field(default_factory=dict)  # street office rows (street_world)

    def username(self, persona: str) -> str:
        return f"gw_{persona}"

    def sees(self, persona: str) -> str:
        return PERSONAS[persona][2] if persona in PERSONAS else ""

    def foreign_markers(self, persona: str) -> list[str]:
        """Strings that must never reach ``persona`` (other grids' names, codes)."""
        hidden = [g for g in GRIDS if g not in self.sees(persona)]
        return [MARK[g] for g in hidden] + [GRIDS[g][0] for g in hidden]


def _units(ctx) -> None:
    def frame(codes, names, geoms, parents=None):
        data = {"code": codes, "name": names}
        if parents:
            data["parent_code"] = parents
        return gpd.GeoDataFrame(data, geometry=geoms, crs=WGS)

    whole = box(113.00, 23.00, 113.06, 23.02)
    upsert_admin_units(
        ctx, SYSTEM, frame(["440604"], ["禅城区"], [whole]), "district", "t"
    )
    upsert_admin_units(
        ctx,
        SYSTEM,
        frame(
            [TOWN_X, TOWN_Y],
            ["张槎街道", "祖庙街道"],
            [box(113.00, 23.00, 113.04, 23.02), GRIDS["C"][2]],
            ["440604", "440604"],
        ),
        "town",
        "t",
    )
    upsert_admin_units(
        ctx,
        SYSTEM,
        frame(
            [g[1] for g in GRIDS.values()],
            ["甲社区", "乙村", "丙社区"],
            [g[2] for g in GRIDS.values()],
            [TOWN_X, TOWN_X, TOWN_Y],
        ),
        "community",
        "t",
    )


def _enterprises(ctx) -> None:
    records = []
    for k, (letter, (_code_, _parent, geom)) in enumerate(GRIDS.items()):
        x0, y0, _x1, _y1 = geom.bounds
        for i in range(3):
            name = f"{MARK[letter]}{i}" if (letter, i) != ("A", 2) else XSS
            records.append(
                {
                    "uscc": _code(k * 10 + i),
                    "name": name,
                    "address": f"测试路{k * 10 + i}号",
                    "sector": "ceramics",
                    "risk_level": ["red", "yellow", "blue"][i],
                    "lng": x0 + 0.005 + i * 0.004,
                    "lat": y0 + 0.005 + i * 0.004,
                    "source_datum": "wgs84",
                    "precision": "supplied",
                }
            )
    with ctx.transaction(SYSTEM) as s:
        upsert_enterprises(s, records)
        # each enterprise's town and community from its point, as an import does
        fill_admin_codes(s.connection(), SYSTEM)


def _accidents(ctx, day: dt.date) -> None:
    """One accident in each grid, its place named with the grid's marker (the
    bureau's dashboard lists accidents: a street office must see only its own)."""
    from gridwatch.services.bureau.accidents import record_accident

    for letter, (_code, _parent, geom) in GRIDS.items():
        x, y = geom.centroid.x, geom.centroid.y
        record_accident(
            ctx,
            SYSTEM,
            occurred_on=day,
            place=f"{MARK[letter]}事故",
            lng=x,
            lat=y,
            deaths=1,
            today=day,
        )


def build_world(ctx) -> World:
    """Fill an empty database with the district above; return its facts."""
    _units(ctx)
    _enterprises(ctx)
    grids = gpd.GeoDataFrame(
        {
            "code": [g[0] for g in GRIDS.values()],
            "parent_code": [g[1] for g in GRIDS.values()],
        },
        geometry=[g[2] for g in GRIDS.values()],
        crs=WGS,
    )
    with ctx.transaction(SYSTEM) as s:
        vid = store_version(s, grids, "manual", {}, label="test grids")
        activate_session(s, vid)
    day = dt.date.today() - dt.timedelta(days=1)
    assign_enterprises_to_grids(ctx, SYSTEM, today=day)
    world = World(ctx=ctx, grid_codes={k: v[0] for k, v in GRIDS.items()})
    for persona, (role, scope, _sees) in PERSONAS.items():
        add_user(
            ctx,
            SYSTEM,
            world.username(persona),
            f"{persona}姓名",
            role,
            scope,
            password=PASSWORD,
            must_change=False,
        )
        world.users[persona] = authenticate(ctx, world.username(persona), PASSWORD)
    _accidents(ctx, day)
    set_override(ctx, SYSTEM, GRIDS["A"][0], "gw_warden_a", today=day)
    set_override(ctx, SYSTEM, GRIDS["B"][0], "gw_warden_b", today=day)
    import sqlalchemy as sa

    with ctx.engine.connect() as conn:
        for letter in GRIDS:
            world.enterprises[letter] = list(
                conn.execute(
                    sa.text(
                        "SELECT enterprise_id FROM enterprise_grid WHERE grid_code = :g "
                        "ORDER BY enterprise_id"
                    ),
                    {"g": GRIDS[letter][0]},
                ).scalars()
            )
    _fieldwork(ctx, world, day)
    from tests.web.street_world import add_street_rows

    world.street = add_street_rows(ctx, world)
    return world


def _fieldwork(ctx, world: World, day: dt.date) -> None:
    """An inspection and a hazard, each with a photo, in every grid."""
    from gridwatch.services.inspections import record_inspection, report_hazard
    from gridwatch.services.photos import Upload
    from tests.db.warden_helpers import jpeg_bytes

    for k, letter in enumerate(GRIDS):
        eid = world.enterprises[letter][0]
        done = record_inspection(
            ctx,
            SYSTEM,
            eid,
            inspected_on=day,
            kind="patrol",
            result="hazards_found",
            notes=f"{MARK[letter]}的检查记录",
            photos=[Upload("site.jpg", jpeg_bytes(color=(40 * k, 90, 160)))],
        )
        hazard = report_hazard(
            ctx,
            SYSTEM,
            done["id"],
            level="ordinary",
            category="fire",
            description=f"{MARK[letter]}的消防隐患",
            photos=[Upload("hazard.jpg", jpeg_bytes(color=(200, 40 * k, 60)))],
        )
        world.inspections[letter] = done["id"]
        world.hazards[letter] = hazard["id"]
        world.photos[letter] = done["photo_ids"][0]
