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

from gridwatch.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    secret: bool = False


def _bool(v: str) -> bool:
    s = str(v).strip().lower()
    if s in {"1", "true", "yes", "on"}:
        return True
    if s in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {v!r}")


def _weights(v: str | dict) -> dict[str, float]:
    """Parse 'red=4,orange=3,yellow=2,blue=1' (or a TOML table) into floats."""
    if isinstance(v, dict):
        items = v.items()
    else:
        items = (p.split("=", 1) for p in str(v).split(",") if p.strip())
    out = {k.strip(): float(x) for k, x in items}
    if not out or any(w < 0 for w in out.values()):
        raise ValueError("weights must be non-negative numbers, e.g. red=4,blue=1")
    return out


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


def _default_data_dir() -> str:
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(xdg) / "gridwatch")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        None,
        "Folder for the embedded database, maps and exports "
        "(default: $XDG_DATA_HOME/gridwatch).",
        str,
    ),
    Setting(
        "database_url",
        None,
        "SQLAlchemy URL. Default: a SpatiaLite file "
        "<data_dir>/gridwatch.sqlite. Production: postgresql+psycopg://user:pw@host/db",
        str,
        secret=True,
    ),
    Setting(
        "spatialite_library",
        None,
        "Path or name of mod_spatialite (found automatically when unset).",
        str,
    ),
    Setting(
        "secret_key",
        None,
        "Flask secret key for sessions and CSRF "
        "(generated into <data_dir>/secret_key when unset).",
        str,
        secret=True,
    ),
    Setting(
        "risk_weights",
        {"red": 4.0, "orange": 3.0, "yellow": 2.0, "blue": 1.0},
        "Workload weight of an enterprise per risk level.",
        _weights,
    ),
    Setting(
        "hazard_weights",
        {"ordinary": 1.0, "major": 5.0},
        "Severity weight of a hazard in hotspot analysis.",
        _weights,
    ),
    Setting(
        "due_days",
        {"red": 30, "orange": 90, "yellow": 182, "blue": 365},
        "Inspection due interval in days per risk level.",
        _weights,
    ),
    Setting(
        "metric_crs",
        "EPSG:4547",
        "Projected CRS for areas and distances "
        "(CGCS2000 / 3-degree Gauss-Kruger CM 114E).",
        str,
    ),
    Setting(
        "online_geocoder",
        "none",
        "Online fallback for addresses the offline "
        "gazetteer cannot place below town level: none (default), amap or tianditu.",
        str,
    ),
    Setting(
        "online_geocoder_key", None, "API key of the online geocoder.", str, secret=True
    ),
    Setting(
        "online_geocoder_url",
        None,
        "Base URL of the online geocoder (a local "
        "proxy or mirror; default the provider's public address).",
        str,
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
        str,
    ),
    Setting("language", "zh_CN", "Default UI language: zh_CN or en.", str),
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
    Setting("progress", True, "Show progress bars on a terminal.", _bool),
    Setting(
        "job_worker",
        "thread",
        "Who runs long jobs (grid builds, patrol plans): thread (a thread in each "
        "web worker process) or off (only 'gridwatch jobs work' runs them).",
        str,
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
        _count,
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


def load_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Read TOML (``GRIDWATCH_CONFIG``) then ``GRIDWATCH_*`` variables; check all."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    cfg_path = env.get("GRIDWATCH_CONFIG")
    if cfg_path:
        try:
            with open(cfg_path, "rb") as fh:
                raw.update(tomllib.load(fh).get("gridwatch", {}))
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
    for s in SETTINGS:
        key = "GRIDWATCH_" + s.name.upper()
        if key in env and env[key] != "":
            raw[s.name] = env[key]
    raw.update({k: v for k, v in overrides.items() if v is not None})
    values: dict[str, Any] = {}
    for s in SETTINGS:
        v = raw.get(s.name, s.default)
        if (
            v is not None
            and isinstance(v, str)
            and s.parse is not str
            or (isinstance(v, dict) and s.parse is _weights)
        ):
            try:
                v = s.parse(v)
            except ValueError as exc:
                raise ConfigError(f"GRIDWATCH_{s.name.upper()}: {exc}.") from None
        values[s.name] = v
    if not values["data_dir"]:
        values["data_dir"] = _default_data_dir()
    if values["online_geocoder"] not in {"none", "amap", "tianditu"}:
        raise ConfigError("GRIDWATCH_ONLINE_GEOCODER must be none, amap or tianditu.")
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
    if values["language"] not in {"zh_CN", "en"}:
        raise ConfigError("GRIDWATCH_LANGUAGE must be zh_CN or en.")
    if values["job_worker"] not in {"thread", "off"}:
        raise ConfigError("GRIDWATCH_JOB_WORKER must be thread or off.")
    if not values["patrol_visits_per_day"]:
        raise ConfigError("GRIDWATCH_PATROL_VISITS_PER_DAY must be at least 1.")
    return Settings(values)
