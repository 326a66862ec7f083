"""Who may use each endpoint of the app: the route × role walk's declarations.

EVERY endpoint in ``app.url_map`` needs an entry in :data:`RULES` (the walk fails
naming any endpoint without one), so a new page or API endpoint cannot ship
without saying who may see it. An entry is a :class:`Rule`:

- ``allow``: the personas (tests/web/world.py) that may use the endpoint;
- ``cases``: how to fill its URL parameters, as :class:`Case` objects; a case
  may narrow ``allow`` for one URL, e.g. an enterprise of grid A is for
  warden_a, office_x, bureau and admin only, and every other persona must get
  403 or 404 for it (never 200 with that enterprise);
- ``methods``: the methods the walk sends. Unsafe methods are sent only as the
  personas *not* allowed (they must be refused before anything changes);
  allowed ones are exercised by the functional tests.

The walk then expects: signed out → 302 to the sign-in page (pages) or 401 (API);
a persona not allowed → 403 or 404; a persona allowed → 2xx/3xx, and the body
holds none of the markers of grids the persona may not see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.web.world import EVERYONE, SIGNED_IN, World


@dataclass(frozen=True)
class Case:
    values: dict = field(default_factory=dict)
    allow: frozenset[str] | None = None  # None: the rule's allow
    query: str = ""
    #: JSON body sent with unsafe methods (a valid one, so that a refusal comes
    #: from the scope or role check, not from the body's validation)
    json: dict | None = None


@dataclass(frozen=True)
class Rule:
    allow: frozenset[str]
    cases: Callable[[World], list[Case]] | None = None
    methods: tuple[str, ...] = ("GET",)


def _s(*names: str) -> frozenset[str]:
    return frozenset(names)


def _user_cases(w: World) -> list[Case]:
    return [Case({"username": w.username("warden_a")})]


def _token_cases(w: World) -> list[Case]:
    return [Case({"token_id": 1})]


def _enterprise_query(w: World) -> list[Case]:
    return [
        Case(),
        Case(query="bbox=113.0,23.0,113.06,23.02&limit=50"),
        Case(query=f"grid={w.grid_codes['B']}"),
        Case(query=f"grid={w.grid_codes['C']}&risk=red"),
    ]


def _per_grid(ids: dict[str, int], key: str, readers: dict[str, frozenset]):
    """One case per grid A/B/C: ``{key: ids[grid]}``, allowed to ``readers[grid]``."""
    return [Case({key: ids[g]}, allow=readers[g]) for g in ("A", "B", "C")]


#: who may read the rows of each grid, by role kind
WARDENS_OF = {"A": _s("warden_a"), "B": _s("warden_b"), "C": _s()}
OFFICES_OF = {"A": _s("office_x"), "B": _s("office_x"), "C": _s("office_y")}
READERS_OF = {g: WARDENS_OF[g] | OFFICES_OF[g] | _s("bureau", "admin") for g in "ABC"}
RECORDERS_OF = {g: WARDENS_OF[g] | OFFICES_OF[g] for g in "ABC"}
NEW_INSPECTION = {"inspected_on": "2026-01-05", "kind": "patrol", "result": "pass"}


def _hazard_steps(w: World) -> list[Case]:
    """The step each grid's hazard allows now (a rectifying one: record the
    rectification); the walk POSTs only as the others, who must be refused."""
    return [
        Case(
            {"hazard_id": w.hazards[g], "step": "record_rectification"},
            allow=WARDENS_OF[g],
        )
        for g in "ABC"
    ]


def _tipoff_ids(w: World) -> dict[str, int]:
    return {g: w.tipoffs[g]["id"] for g in "ABC"}


def _tipoff_photos(w: World) -> list[Case]:
    return [
        Case(
            {"tipoff_id": w.tipoffs[g]["id"], "key": w.tipoffs[g]["photo"]},
            allow=WARDENS_OF[g],
        )
        for g in "ABC"
    ]


def _first(w: World) -> dict[str, int]:
    return {g: w.enterprises[g][0] for g in "ABC"}


def _warden_grid_query(w: World) -> list[Case]:
    return [
        Case(),
        Case(query=f"grid={w.grid_codes['A']}", allow=_s("warden_a")),
        Case(query=f"grid={w.grid_codes['B']}&risk=red", allow=_s("warden_b")),
        Case(query="risk=blue&sector=ceramics&page=2"),
    ]


def _street_query(w: World) -> list[Case]:
    return [
        Case(),
        Case(query=f"grid={w.grid_codes['A']}", allow=_s("office_x")),
        Case(query=f"grid={w.grid_codes['C']}&page=2", allow=_s("office_y")),
        Case(query="warden=gw_warden_b"),
    ]


def _new_inspection_cases(w: World) -> list[Case]:
    return [
        Case(
            {"enterprise_id": w.enterprises[g][0]},
            allow=RECORDERS_OF[g],
            json=NEW_INSPECTION,
        )
        for g in "ABC"
    ]


ADMIN = _s("admin")
OFFICES = _s("office_x", "office_y")


def _draft(w: World) -> list[Case]:
    return [
        Case({"version_id": w.street["draft"]}, allow=_s("office_x")),
        Case({"version_id": w.street["active"]}),
    ]


def _job(allow: frozenset[str]):
    return lambda w: [Case({"job_id": w.street["job"]}, allow=allow)]


def _plan_page(w: World) -> list[Case]:
    return [Case({"plan_id": w.street["plan"]}, allow=_s("office_x"))]


def _plan_day(allow: frozenset[str]):
    def cases(w: World) -> list[Case]:
        q = f"warden={w.street['warden']}&day={w.street['day']}"
        return [Case({"plan_id": w.street["plan"]}, allow=allow, query=q)]

    return cases


def _reassign(w: World) -> list[Case]:
    return [
        Case(query=f"version={w.street['draft']}", allow=_s("office_x")),
        Case(query=f"version={w.street['active']}"),
    ]


PUBLIC_STATIC = [Case({"filename": "css/gridwatch.css"})]
BUREAU = _s("bureau")
DASHBOARD = _s("bureau", "office_x", "office_y")


def _year(w: World) -> int:
    import datetime as dt

    return dt.date.today().year


def _dash_tables(w: World) -> list[Case]:
    return [
        Case({"key": "coverage_by_town"}),
        Case({"key": "accidents"}, query="period=" + str(_year(w))),
    ]


def _uscc_of_grid_c() -> str:
    from tests.web.world import _code

    return _code(20)


def _town_cases(w: World) -> list[Case]:
    from tests.web.world import TOWN_X

    return [Case({"code": TOWN_X})]


def _items_cases(w: World) -> list[Case]:
    from tests.web.world import TOWN_Y

    return [
        Case({"code": TOWN_Y, "indicator": "inspected"}),
        Case({"code": TOWN_Y, "indicator": "ordinary_accidents"}),
    ]


PUBLIC_STATIC = [
    Case({"filename": "css/gridwatch.css"}),
    Case({"filename": "vendor/echarts/echarts.min.js"}),
    Case({"filename": "js/dashboard.js"}),
]

RULES: dict[str, Rule] = {
    # auth: public pages and the account pages of every signed-in user
    "auth.index": Rule(EVERYONE),
    "auth.sign_in": Rule(EVERYONE),
    "auth.sign_out": Rule(EVERYONE, methods=("POST",)),
    "auth.language": Rule(EVERYONE, methods=("POST",)),
    "auth.change_password": Rule(SIGNED_IN),
    "auth.account": Rule(SIGNED_IN),
    "auth.new_token": Rule(SIGNED_IN, methods=("POST",)),
    "auth.revoke": Rule(SIGNED_IN, _token_cases, methods=("POST",)),
    # role homes
    "warden.home": Rule(_s("warden_a", "warden_b")),
    "street.home": Rule(_s("office_x", "office_y")),
    "bureau.home": Rule(_s("bureau")),
    # warden pages (enterprises and inspections of grid A are warden_a's, ...)
    "warden.todo": Rule(_s("warden_a", "warden_b"), _warden_grid_query),
    "warden.grids": Rule(_s("warden_a", "warden_b")),
    "warden.grids_data": Rule(_s("warden_a", "warden_b")),
    "warden.enterprise": Rule(
        _s("warden_a", "warden_b"),
        lambda w: _per_grid(_first(w), "enterprise_id", WARDENS_OF),
    ),
    "warden.record_inspection": Rule(
        _s("warden_a", "warden_b"),
        lambda w: _per_grid(_first(w), "enterprise_id", WARDENS_OF),
        methods=("GET", "POST"),
    ),
    "warden.location": Rule(
        _s("warden_a", "warden_b"),
        lambda w: _per_grid(_first(w), "enterprise_id", WARDENS_OF),
        methods=("GET", "POST"),
    ),
    "warden.inspection": Rule(
        _s("warden_a", "warden_b"),
        lambda w: _per_grid(w.inspections, "inspection_id", WARDENS_OF),
    ),
    "warden.report_hazard": Rule(
        _s("warden_a", "warden_b"),
        lambda w: _per_grid(w.inspections, "inspection_id", WARDENS_OF),
        methods=("GET", "POST"),
    ),
    "photos.photo": Rule(
        SIGNED_IN, lambda w: _per_grid(w.photos, "photo_id", READERS_OF)
    ),
    # street office and bureau pages
    "street.overview": Rule(_s("office_x", "office_y"), _street_query),
    "street.enterprise": Rule(
        _s("office_x", "office_y"),
        lambda w: _per_grid(_first(w), "enterprise_id", OFFICES_OF),
    ),
    "bureau.coverage": Rule(
        _s("bureau"),
        lambda w: [Case(), Case(query="start=2025-01-01&end=2025-12-31")],
    ),
    "bureau.hotspots": Rule(_s("bureau")),
    "bureau.hotspots_data": Rule(_s("bureau")),
    # street office: redraw, reassignment, patrol plans; the warden's route
    "street.grids": Rule(OFFICES, methods=("GET", "POST")),
    "street.job": Rule(OFFICES, _job(_s("office_x"))),
    "street.grids_version": Rule(OFFICES, _draft),
    "street.grids_split": Rule(OFFICES, _draft, methods=("POST",)),
    "street.grids_merge": Rule(OFFICES, _draft, methods=("POST",)),
    "street.grids_undo": Rule(OFFICES, _draft, methods=("POST",)),
    "street.reassign": Rule(OFFICES, _reassign),
    "street.reassign_confirm": Rule(OFFICES, methods=("POST",)),
    "street.patrol": Rule(OFFICES, methods=("GET", "POST")),
    "street.patrol_plan": Rule(OFFICES, _plan_page),
    "street.patrol_day": Rule(OFFICES, _plan_day(_s("office_x"))),
    "street.patrol_sheet": Rule(OFFICES, _plan_day(_s("office_x"))),
    "warden.route": Rule(_s("warden_a", "warden_b")),
    # issue 10: the warden's hazards and tip-off queue, the public tip-off page
    "warden.hazards": Rule(
        _s("warden_a", "warden_b"), lambda w: [Case(), Case(query="overdue=1")]
    ),
    "warden.hazard": Rule(
        _s("warden_a", "warden_b"),
        lambda w: _per_grid(w.hazards, "hazard_id", WARDENS_OF),
    ),
    "warden.hazard_step": Rule(
        _s("warden_a", "warden_b"), _hazard_steps, methods=("GET", "POST")
    ),
    "warden.tipoffs": Rule(
        _s("warden_a", "warden_b"), lambda w: [Case(), Case(query="tab=all")]
    ),
    "warden.tipoff": Rule(
        _s("warden_a", "warden_b"),
        lambda w: _per_grid(_tipoff_ids(w), "tipoff_id", WARDENS_OF),
        methods=("GET", "POST"),
    ),
    "warden.tipoff_photo": Rule(_s("warden_a", "warden_b"), _tipoff_photos),
    "public.tipoff": Rule(EVERYONE, methods=("GET",)),
    "public.receipt": Rule(EVERYONE),
    # admin
    "admin.users": Rule(ADMIN),
    "admin.add_user": Rule(ADMIN, methods=("GET", "POST")),
    "admin.user": Rule(ADMIN, _user_cases, methods=("GET", "POST")),
    "admin.deactivate": Rule(ADMIN, _user_cases, methods=("POST",)),
    "admin.reactivate": Rule(ADMIN, _user_cases, methods=("POST",)),
    "admin.reset_password": Rule(ADMIN, _user_cases, methods=("POST",)),
    "admin.new_token": Rule(ADMIN, _user_cases, methods=("POST",)),
    "admin.revoke_token": Rule(ADMIN, _token_cases, methods=("POST",)),
    "admin.import_users_page": Rule(ADMIN, methods=("GET", "POST")),
    # a key that was never issued: 404 for the admin too, refused for the rest
    "admin.import_download": Rule(
        ADMIN, lambda w: [Case({"key": "never-issued"}, allow=frozenset())]
    ),
    # the bureau's dashboard (street offices: their own street), assessment, records
    "dash.index": Rule(
        DASHBOARD,
        lambda w: [
            Case(),
            Case(query=f"period={_year(w)}-Q1"),
        ],
    ),
    "dash.table": Rule(DASHBOARD, _dash_tables),
    "dash.report": Rule(BUREAU, lambda w: [Case({"year": _year(w), "kind": "xlsx"})]),
    "assess.index": Rule(BUREAU),
    "assess.ranking_xlsx": Rule(BUREAU),
    "assess.town": Rule(BUREAU, _town_cases),
    "assess.items": Rule(BUREAU, _items_cases),
    "assess.items_xlsx": Rule(BUREAU, _items_cases),
    "assess.manual": Rule(BUREAU, methods=("GET", "POST")),
    "assess.scheme": Rule(_s("bureau", "admin"), methods=("GET", "POST")),
    "bureau.accidents": Rule(BUREAU, methods=("GET", "POST")),
    "bureau.targets": Rule(BUREAU, methods=("GET", "POST")),
    "bureau.safety": Rule(BUREAU, methods=("GET", "POST")),
    "bureau.safety_enterprise": Rule(
        BUREAU,
        lambda w: [Case(), Case(query="uscc=" + _uscc_of_grid_c())],
        methods=("GET", "POST"),
    ),
    "api_dashboard.series": Rule(DASHBOARD),
    "api_dashboard.towns": Rule(
        DASHBOARD, lambda w: [Case(), Case(query="figure=self_report_rate")]
    ),
    "api_dashboard.hotspots": Rule(
        DASHBOARD, lambda w: [Case(), Case(query="measure=rate_per_inspected")]
    ),
    # API
    "api.grids": Rule(SIGNED_IN),
    "api.enterprises": Rule(SIGNED_IN, _enterprise_query),
    "api_account.me": Rule(SIGNED_IN),
    "api_account.tokens": Rule(SIGNED_IN),
    "api_account.new_token": Rule(SIGNED_IN, methods=("POST",)),
    "api_account.delete_token": Rule(SIGNED_IN, _token_cases, methods=("DELETE",)),
    "api_fieldwork.inspections": Rule(
        SIGNED_IN, lambda w: _per_grid(_first(w), "enterprise_id", READERS_OF)
    ),
    "api_fieldwork.new_inspection": Rule(
        SIGNED_IN, _new_inspection_cases, methods=("POST",)
    ),
    "api_fieldwork.hazards": Rule(
        SIGNED_IN,
        lambda w: [
            Case(),
            Case(query="open=true&level=ordinary&limit=10"),
            *[
                Case(query=f"enterprise_id={w.enterprises[g][0]}", allow=READERS_OF[g])
                for g in "ABC"
            ],
        ],
    ),
    "api_coverage.grids": Rule(
        _s("office_x", "office_y", "bureau", "admin"),
        lambda w: [
            Case(query="town=440604011", allow=_s("office_x", "bureau", "admin")),
            Case(
                query="town=440604003&start=2025-01-01",
                allow=_s("office_y", "bureau", "admin"),
            ),
        ],
    ),
    "api_coverage.towns": Rule(_s("bureau", "admin")),
    "api_public.health_check": Rule(EVERYONE),
    "api_street.job": Rule(
        _s("office_x", "office_y", "admin"), _job(_s("office_x", "admin"))
    ),
    "api_street.compare": Rule(
        _s("office_x", "office_y", "admin"),
        lambda w: [
            Case({"version_id": w.street["draft"]}, allow=_s("office_x", "admin")),
            Case({"version_id": w.street["active"]}),
        ],
    ),
    "api_patrol.route": Rule(
        SIGNED_IN, _plan_day(_s("office_x", "warden_a", "bureau", "admin"))
    ),
    "api-docs.openapi_json": Rule(EVERYONE),
    # static files
    "static": Rule(EVERYONE, lambda w: PUBLIC_STATIC),
    "maps_static.static": Rule(
        EVERYONE, lambda w: [Case({"filename": "vendor/leaflet/leaflet.js"})]
    ),
}


# issue 10: the street office's and the bureau's supervision pages
def _hazards_of(w: World) -> list[Case]:
    return _per_grid(w.hazards, "hazard_id", OFFICES_OF)


def _tipoffs_of(w: World) -> list[Case]:
    return _per_grid(w.supervision["tipoffs"], "tipoff_id", OFFICES_OF)


def _campaign(w: World) -> list[Case]:
    return [Case({"campaign_id": w.supervision["campaign"]})]


SUPERVISION_RULES: dict[str, Rule] = {
    "street.hazards": Rule(
        OFFICES,
        lambda w: [Case(), Case(query="status=rectifying&level=ordinary&overdue=no")],
    ),
    "street.hazard": Rule(OFFICES, _hazards_of, methods=("GET", "POST")),
    "street.tipoffs": Rule(OFFICES),
    "street.tipoff": Rule(OFFICES, _tipoffs_of, methods=("GET", "POST")),
    "street.penalties": Rule(OFFICES, methods=("GET", "POST")),
    "street.penalty_totals": Rule(OFFICES),
    "street.penalty_import": Rule(OFFICES, methods=("GET", "POST")),
    "street.import_rejects": Rule(
        OFFICES,
        lambda w: [Case({"import_id": w.supervision["import_x"]}, _s("office_x"))],
    ),
    "street.self_reports": Rule(OFFICES),
    "street.self_report_import": Rule(OFFICES, methods=("GET", "POST")),
    "street.campaigns": Rule(OFFICES),
    "street.campaign": Rule(OFFICES, _campaign),
    "street.campaign_xlsx": Rule(OFFICES, _campaign),
    "bureau.listed": Rule(BUREAU, lambda w: [Case(), Case(query="all=1")]),
    "bureau.majors": Rule(BUREAU),
    "bureau.overdue_majors": Rule(BUREAU),
    "bureau.hazard": Rule(
        BUREAU,
        lambda w: [Case({"hazard_id": w.hazards[g]}) for g in "ABC"],
        methods=("GET", "POST"),
    ),
    "bureau.campaigns": Rule(BUREAU, methods=("GET", "POST")),
    "bureau.campaign": Rule(BUREAU, _campaign),
    "bureau.campaign_xlsx": Rule(BUREAU, _campaign),
}
RULES.update(SUPERVISION_RULES)
