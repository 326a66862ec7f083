"""Settings: declared once, with default and help; read from GRIDWATCH_* and TOML.

Each setting is one :class:`Setting`; :func:`load_settings` reads the optional TOML
file named by ``GRIDWATCH_CONFIG`` and then the environment (environment wins), and
checks every value at startup (datasette ``app.py`` SETTINGS, pygeoapi ``config.py``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridwatch import config_values as cv
from gridwatch.config_values import yes_no as _bool
from gridwatch.crs import METRIC_CRS
from gridwatch.vocab import HAZARD_LEVELS
from gridwatch.defaults import DUE_DAYS, HAZARD_WEIGHTS, RISK_WEIGHTS
from gridwatch.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    secret: bool = False


def _rate(v: str) -> str:
    """A rate-limit string ('10 per 5 minutes', '5/minute'), checked by ``limits``."""
    from limits import parse_many

    try:
        parse_many(v)
    except ValueError:
        raise ValueError(
            f"{v!r} is not a rate such as '10 per 5 minutes' or '5/minute'"
        ) from None
    return v


def _count(v: str) -> int:
    n = int(v)
    if n < 0:
        raise ValueError(f"expected 0 or more, got {v!r}")
    return n


def _positive(v: str) -> float:
    x = float(v)
    if not x > 0:
        raise ValueError(f"expected a positive number, got {v!r}")
    return x


def _at_least_one(v: str) -> int:
    """A whole number of at least 1 (days, bytes, pixels)."""
    try:
        out = int(str(v).replace("_", ""))
    except ValueError:
        raise ValueError(f"expected a whole number, got {v!r}") from None
    if out < 1:
        raise ValueError(f"expected a whole number of at least 1, got {v!r}")
    return out


def _default_data_dir() -> str:
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(xdg) / "gridwatch")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        None,
        "Folder for the embedded database, maps and exports "
        "(default: $XDG_DATA_HOME/gridwatch).",
        cv.folder,
    ),
    Setting(
        "database_url",
        None,
        "SQLAlchemy URL. Default: a SpatiaLite file "
        "<data_dir>/gridwatch.sqlite. Production: postgresql+psycopg://user:pw@host/db",
        cv.database_url,
        secret=True,
    ),
    Setting(
        "spatialite_library",
        None,
        "Path or name of mod_spatialite (found automatically when unset).",
        cv.library,
    ),
    Setting(
        "secret_key",
        None,
        "Flask secret key for sessions and CSRF, 16 characters or more "
        "(generated into <data_dir>/secret_key when unset).",
        cv.secret_key,
        secret=True,
    ),
    Setting(
        "risk_weights",
        dict(RISK_WEIGHTS),
        "Workload weight of an enterprise per risk level (red, orange, yellow, "
        "blue; each 0 or more).",
        cv.risk_weights,
    ),
    Setting(
        "hazard_weights",
        dict(HAZARD_WEIGHTS),
        "Severity weight of a hazard in hotspot analysis (ordinary, major).",
        cv.hazard_weights,
    ),
    Setting(
        "due_days",
        dict(DUE_DAYS),
        "Inspection due interval in whole days per risk level (red, orange, "
        "yellow, blue).",
        cv.due_days,
    ),
    Setting(
        "metric_crs",
        METRIC_CRS,
        "Projected CRS in metres (an EPSG code) for areas and distances; the "
        "default, CGCS2000 / 3-degree Gauss-Kruger CM 114E, fits 112.5-115.5E: "
        "elsewhere use the zone of your district (EPSG:4534-4554).",
        cv.metric_crs,
    ),
    Setting(
        "online_geocoder",
        "none",
        "Online fallback for addresses the offline "
        "gazetteer cannot place below town level: none (default), amap or tianditu.",
        cv.choice(*cv.ONLINE_GEOCODERS),
    ),
    Setting(
        "online_geocoder_key", None, "API key of the online geocoder.", str, secret=True
    ),
    Setting(
        "online_geocoder_url",
        None,
        "Base URL of the online geocoder (a local "
        "proxy or mirror; default the provider's public address).",
        cv.http_url,
    ),
    Setting(
        "former_names",
        None,
        "CSV of former names of towns, districts and villages (old_name, level, "
        "new_name, …) added to gridwatch's own table, so old registry addresses "
        "still place (see gridwatch/data/former_names.csv).",
        str,
    ),
    Setting(
        "tiles",
        "none",
        "Map base tiles: none, osm, amap, or a URL template with {z}/{x}/{y}.",
        cv.tiles,
    ),
    Setting(
        "language",
        "zh_CN",
        "Default UI language: zh_CN or en.",
        cv.choice(*cv.LANGUAGES),
    ),
    Setting(
        "secure_cookies",
        False,
        "Mark the web app's cookies Secure (sent over HTTPS only); set true when "
        "the app is served behind TLS.",
        _bool,
    ),
    Setting(
        "signin_limit",
        "10 per 5 minutes",
        "Sign-in attempts allowed per client address and per username "
        "(a limits string such as '10 per 5 minutes'); then HTTP 429.",
        _rate,
    ),
    Setting(
        "proxy_hops",
        0,
        "How many reverse proxies (TLS terminators) stand in front of the web app; "
        "their X-Forwarded-For/-Proto headers are then trusted for the client "
        "address and scheme (0: none, the default).",
        _count,
    ),
    Setting(
        "max_upload_mb",
        20.0,
        "Largest request body the web app accepts, in MB (uploads); larger: 413.",
        _positive,
    ),
    Setting(
        "checkin_max_m",
        200.0,
        "Metres between an inspection's check-in and the enterprise beyond which "
        "the check-in is flagged as far (the phone's reported accuracy is added).",
        _positive,
    ),
    Setting(
        "hazard_deadline_days",
        {"ordinary": 30, "major": 90},  # = supervision.DEFAULT_DEADLINE_DAYS
        "Default rectification deadline per hazard level, in days after the "
        "hazard is found (a local default, not a national rule).",
        cv.per_level(
            tuple(HAZARD_LEVELS), "hazard level", "ordinary=30,major=90", cv.whole_days
        ),
    ),
    Setting(
        "hazard_due_soon_days",
        14,
        "Days before a rectification deadline from which an open hazard is "
        "listed in the warden's to-do.",
        _at_least_one,
    ),
    Setting(
        "photo_max_bytes",
        20_000_000,
        "Largest photo upload accepted, in bytes.",
        _at_least_one,
    ),
    Setting(
        "photo_max_pixels",
        50_000_000,
        "Largest photo accepted in pixels (width x height), read from the header "
        "before decoding: the decompression-bomb guard.",
        _at_least_one,
    ),
    Setting(
        "photo_max_edge_px",
        2560,
        "Longest edge of a stored photo in pixels; larger photos are scaled down.",
        _at_least_one,
    ),
    Setting(
        "tipoff_escalation_days",
        3,  # = supervision.DEFAULT_ESCALATION_DAYS
        "Days a public tip-off may stay untriaged before it is escalated to the "
        "street office.",
        _count,
    ),
    Setting(
        "tipoff_daily_limit",
        5,
        "Public tip-offs accepted per client address in 24 hours (then refused "
        "with HTTP 429).",
        _count,
    ),
    Setting(
        "self_report_due_day",
        10,
        "Day of the following month by which a monthly self-inspection report "
        "(自查自报) is due (1-28).",
        cv.day_of_month,
    ),
    Setting("progress", True, "Show progress bars on a terminal.", _bool),
    Setting(
        "job_worker",
        "thread",
        "Who runs long jobs (grid builds, patrol plans): thread (a thread in each "
        "web worker process) or off (only 'gridwatch jobs work' runs them).",
        cv.choice("thread", "off"),
    ),
    Setting(
        "holidays_file",
        None,
        "CSV of local days off and make-up working days for patrol plans "
        "(date,is_workday,name; on top of the official holidays and 调休).",
        str,
    ),
    Setting(
        "patrol_visits_per_day",
        8,
        "Visits a warden makes per working day when a patrol plan names none.",
        _at_least_one,
    ),
    Setting(
        "geodata_dir",
        None,
        "Folder with the demo district's source files (default: the copy shipped "
        "in the package, gridwatch/data/geodata).",
        cv.existing_folder,
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def data_path(self) -> Path:
        return Path(self.values["data_dir"])

    def resolved_database_url(self) -> str:
        if self.values.get("database_url"):
            return self.values["database_url"]
        return f"sqlite:///{self.data_path / 'gridwatch.sqlite'}"

    def masked(self) -> dict[str, Any]:
        out = {}
        for s in SETTINGS:
            v = self.values.get(s.name)
            if s.secret and v:
                v = _mask(str(v))
            out[s.name] = v
        return out

    def replace(self, **changes: Any) -> Settings:
        return Settings({**self.values, **changes})


def _mask(v: str) -> str:
    if "://" in v and "@" in v:  # URL with credentials: hide the password only
        scheme, rest = v.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        user = cred.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    if v.startswith("sqlite"):
        return v
    return "***"


def _read_toml(cfg_path: str) -> dict[str, Any]:
    """The ``[gridwatch]`` table of the file named by ``GRIDWATCH_CONFIG``."""
    try:
        with open(cfg_path, "rb") as fh:
            raw = tomllib.load(fh).get("gridwatch", {})
    except FileNotFoundError:
        raise ConfigError(
            f"GRIDWATCH_CONFIG names {cfg_path}, which does not "
            "exist; create it or unset the variable."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{cfg_path} is not valid TOML ({exc}); fix the file."
        ) from None
    unknown = set(raw) - set(_BY_NAME)
    if unknown:
        raise ConfigError(
            f"{cfg_path} has unknown settings {sorted(unknown)}; "
            f"known: {sorted(_BY_NAME)}."
        )
    return raw


def _parsed(s: Setting, v: Any, where: str) -> Any:
    """One setting's value, parsed and checked; defaults, environment strings and
    TOML values (numbers, tables, booleans) all go through the same check, so a bad
    value fails at startup whatever its source."""
    try:
        if v is not None and s.parse is str and not isinstance(v, str):
            raise ValueError(f"the {type(v).__name__} value is not text; quote it")
        return s.parse(v) if v is not None and s.parse is not str else v
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"GRIDWATCH_{s.name.upper()}{where}: {exc}.") from None


def load_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Read TOML (``GRIDWATCH_CONFIG``) then ``GRIDWATCH_*`` variables; check all.

    Raises
    ------
    ConfigError
        One sentence naming the variable (and the file, for a TOML value) and what
        is wrong with its value.
    """
    env = os.environ if environ is None else environ
    cfg_path = env.get("GRIDWATCH_CONFIG")
    raw: dict[str, Any] = _read_toml(cfg_path) if cfg_path else {}
    from_file = set(raw)
    for s in SETTINGS:
        key = "GRIDWATCH_" + s.name.upper()
        if key in env and env[key] != "":
            raw[s.name] = env[key]
            from_file.discard(s.name)
    raw.update({k: v for k, v in overrides.items() if v is not None})
    values: dict[str, Any] = {}
    for s in SETTINGS:
        where = f" ({s.name} in {cfg_path})" if s.name in from_file else ""
        values[s.name] = _parsed(s, raw.get(s.name, s.default), where)
    if not values["data_dir"]:
        values["data_dir"] = _default_data_dir()
    if values["online_geocoder"] != "none" and not values["online_geocoder_key"]:
        raise ConfigError(
            f"GRIDWATCH_ONLINE_GEOCODER is {values['online_geocoder']} "
            "but GRIDWATCH_ONLINE_GEOCODER_KEY is unset; set the key or "
            "turn the online geocoder off."
        )
    if values["former_names"] and not Path(values["former_names"]).is_file():
        raise ConfigError(
            f"GRIDWATCH_FORMER_NAMES names {values['former_names']}, which is not a "
            "file; fix the path or unset the variable."
        )
    if values["holidays_file"] and not Path(values["holidays_file"]).is_file():
        raise ConfigError(
            f"GRIDWATCH_HOLIDAYS_FILE names {values['holidays_file']}, which is not "
            "a file; fix the path or unset the variable."
        )
    return Settings(values)
