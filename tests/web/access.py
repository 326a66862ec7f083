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


ADMIN = _s("admin")
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
    "api_public.health_check": Rule(EVERYONE),
    "api-docs.openapi_json": Rule(EVERYONE),
    # static files
    "static": Rule(EVERYONE, lambda w: PUBLIC_STATIC),
    "maps_static.static": Rule(
        EVERYONE, lambda w: [Case({"filename": "vendor/leaflet/leaflet.js"})]
    ),
}
