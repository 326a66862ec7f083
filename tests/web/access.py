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
    # API
    "api.grids": Rule(SIGNED_IN),
    "api.enterprises": Rule(SIGNED_IN, _enterprise_query),
    "api_account.me": Rule(SIGNED_IN),
    "api_account.tokens": Rule(SIGNED_IN),
    "api_account.new_token": Rule(SIGNED_IN, methods=("POST",)),
    "api_account.delete_token": Rule(SIGNED_IN, _token_cases, methods=("DELETE",)),
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
