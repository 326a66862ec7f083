"""Settings: declared once, with default and help; read from GRIDWATCH_* and TOML.

Each setting is one :class:`Setting`; :func:`load_settings` reads the optional TOML
file named by ``GRIDWATCH_CONFIG`` and then the environment (environment wins), and
checks every value at startup (datasette ``app.py`` SETTINGS, pygeoapi ``config.py``).
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from gridwatch.crs import METRIC_CRS
from gridwatch.defaults import DUE_DAYS, HAZARD_WEIGHTS, RISK_WEIGHTS
from gridwatch.errors import ConfigError
from gridwatch.vocab import HAZARD_LEVELS, RISK_LEVELS


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    secret: bool = False


def _bool(v: str | bool) -> bool:
    if isinstance(v, bool):  # a TOML boolean
        return v
    s = str(v).strip().lower()
    if s in {"1", "true", "yes", "on"}:
        return True
    if s in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{v!r} is not a yes/no value; use true or false")


def _pairs(v: str | Mapping, example: str) -> list[tuple[str, Any]]:
    """'a=1,b=2' (environment) or a TOML table → [(key, value), …]."""
    if isinstance(v, Mapping):
        return [(str(k).strip(), x) for k, x in v.items()]
    if not isinstance(v, str):
        raise TypeError(f"{v!r} is not a list of name=number pairs such as {example}")
    out = []
    for part in v.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(
                f"{part.strip()!r} is not name=number; write pairs such as {example}"
            )
        k, x = part.split("=", 1)
        out.append((k.strip(), x.strip()))
    return out


def _number(key: str, x: Any) -> float:
    """A finite number (TOML booleans are not numbers)."""
    if isinstance(x, bool):
        raise TypeError(f"{key}={x!r} is not a number")
    try:
        out = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{key}={x!r} is not a number") from None
    if not math.isfinite(out):
        raise ValueError(f"{key}={x!r} is not a finite number")
    return out


def _per_level(levels: tuple[str, ...], what: str, example: str, number):
    """A parser of one value per level of a closed vocabulary: every level given,
    no other name, each value checked by ``number(key, raw)``."""

    def parse(v: str | Mapping) -> dict[str, float]:
        out: dict[str, Any] = {}
        for k, x in _pairs(v, example):
            if k not in levels:
                raise ValueError(
                    f"{k!r} is not a {what}; use {', '.join(levels)}, e.g. {example}"
                )
            if k in out:
                raise ValueError(f"{k} is given twice; give it once, e.g. {example}")
            out[k] = number(k, x)
        missing = [lv for lv in levels if lv not in out]
        if missing:
            raise ValueError(
                f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no "
                f"value; give one for each of {', '.join(levels)}, e.g. {example}"
            )
        return {lv: out[lv] for lv in levels}

    return parse


def _weight(key: str, x: Any) -> float:
    out = _number(key, x)
    if out < 0:
        raise ValueError(f"{key}={x} is negative; a weight is 0 or more")
    return out


def _days(key: str, x: Any) -> int:
    out = _number(key, x)
    if out <= 0 or out != int(out):
        raise ValueError(f"{key}={x} is not a whole number of days of at least 1")
    return int(out)


def _some_positive(parse):
    def check(v):
        out = parse(v)
        if not any(w > 0 for w in out.values()):
            raise ValueError("every weight is 0; at least one must be above 0")
        return out

    return check


_risk_weights = _some_positive(
    _per_level(
        tuple(RISK_LEVELS), "risk level", "red=4,orange=3,yellow=2,blue=1", _weight
    )
)
_hazard_weights = _some_positive(
    _per_level(tuple(HAZARD_LEVELS), "hazard level", "ordinary=1,major=5", _weight)
)
_due_days = _per_level(
    tuple(RISK_LEVELS), "risk level", "red=30,orange=90,yellow=182,blue=365", _days
)


@lru_cache(maxsize=8)
def _metric_crs(v: str) -> str:
    """A projected CRS in metres with an EPSG code → ``"EPSG:<code>"``."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    text = str(v).strip()
    text = f"EPSG:{text}" if text.isdigit() else text
    hint = "such as EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E)"
    try:
        crs = CRS.from_user_input(text)
    except CRSError:
        raise ValueError(
            f"{v!r} is not a coordinate reference system known to PROJ; give an EPSG "
            f"code {hint}"
        ) from None
    if not crs.is_projected:
        raise ValueError(
            f"{v!r} ({crs.name}) is not projected (its unit is the degree); areas "
            f"and distances need a projected CRS in metres {hint}"
        )
    units = {a.unit_name for a in crs.axis_info} - {"metre"}
    if units:
        raise ValueError(
            f"{v!r} ({crs.name}) measures in {', '.join(sorted(units))}, not metres; "
            f"use a CRS in metres {hint}"
        )
    code = crs.to_epsg()
    if code is None:
        raise ValueError(
            f"{v!r} has no EPSG code, which the PostGIS path needs "
            f"(ST_Transform); use an EPSG code {hint}"
        )
    return f"EPSG:{code}"


def _choice(*allowed: str):
    def parse(v: str) -> str:
        s = str(v).strip()
        if s not in allowed:
            names = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
            raise ValueError(f"{v!r} is unknown; use {names}")
        return s

    return parse


def _tiles(v: str) -> str:
    s = str(v).strip()
    if s.lower() in TILE_NAMES:
        return s.lower()
    if all(f"{{{c}}}" in s for c in "zxy"):
        return s
    raise ValueError(
        f"{v!r} is not a tile source; use none, osm, amap, or a URL template "
        "with {z}, {x} and {y}"
    )


def _http_url(v: str) -> str:
    s = str(v).strip()
    if not s.startswith(("http://", "https://")) or "://" == s[-3:]:
        raise ValueError(f"{v!r} is not an http:// or https:// address")
    return s


def _database_url(v: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    s = str(v).strip()
    try:
        backend = make_url(s).get_backend_name()
    except ArgumentError:
        raise ValueError(
            "the URL is not valid; use sqlite:///path/to/file.sqlite or "
            "postgresql+psycopg://user:password@host:5432/dbname"
        ) from None
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(
            f"backend {backend!r} is not supported; use sqlite:///… (SpatiaLite) or "
            "postgresql+psycopg://… (PostGIS)"
        )
    return s


def _folder(v: str) -> str:
    """A folder: absent (created on first use) or a directory, never a file."""
    s = str(v).strip()
    if not s:
        raise ValueError("the path is empty; name a folder")
    path = Path(s)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{s} is a file, not a folder; name a folder")
    above = next((p for p in path.parents if p.exists()), None)
    if above is not None and not above.is_dir():
        raise ValueError(f"{s} lies inside the file {above}; name a folder")
    return s


def _existing_folder(v: str) -> str:
    s = _folder(v)
    if not Path(s).is_dir():
        raise ValueError(f"{s} does not exist; name an existing folder or unset it")
    return s


def _library(v: str) -> str:
    """A library name (searched) or a path (which must exist)."""
    s = str(v).strip()
    if "/" in s and not Path(s).exists():
        raise ValueError(
            f"{s} does not exist; apt-get install libsqlite3-mod-spatialite, or name "
            "the mod_spatialite library's path"
        )
    return s


#: shorter keys can be guessed offline from a signed session cookie
MIN_SECRET_KEY = 16


def _secret_key(v: str) -> str:
    """A session/CSRF signing key: text of at least :data:`MIN_SECRET_KEY` chars
    (never echoed in messages)."""
    if not isinstance(v, str):
        raise TypeError(f"the {type(v).__name__} value is not text; quote it")
    if len(v) < MIN_SECRET_KEY:
        raise ValueError(
            f"the key is shorter than {MIN_SECRET_KEY} characters and could be "
            'guessed; use a long random one, e.g. from python -c "import secrets; '
            'print(secrets.token_hex(32))", or unset it to have one generated'
        )
    return v


def _default_data_dir() -> str:
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(xdg) / "gridwatch")


#: the named tile sources (gridwatch.maps.base.TILE_PRESETS, plus "none")
TILE_NAMES = ("none", "osm", "amap")
ONLINE_GEOCODERS = ("none", "amap", "tianditu")
LANGUAGES = ("zh_CN", "en")

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        None,
        "Folder for the embedded database, maps and exports "
        "(default: $XDG_DATA_HOME/gridwatch).",
        _folder,
    ),
    Setting(
        "database_url",
        None,
        "SQLAlchemy URL. Default: a SpatiaLite file "
        "<data_dir>/gridwatch.sqlite. Production: postgresql+psycopg://user:pw@host/db",
        _database_url,
        secret=True,
    ),
    Setting(
        "spatialite_library",
        None,
        "Path or name of mod_spatialite (found automatically when unset).",
        _library,
    ),
    Setting(
        "secret_key",
        None,
        "Flask secret key for sessions and CSRF, 16 characters or more "
        "(generated into <data_dir>/secret_key when unset).",
        _secret_key,
        secret=True,
    ),
    Setting(
        "risk_weights",
        dict(RISK_WEIGHTS),
        "Workload weight of an enterprise per risk level (red, orange, yellow, "
        "blue; each 0 or more).",
        _risk_weights,
    ),
    Setting(
        "hazard_weights",
        dict(HAZARD_WEIGHTS),
        "Severity weight of a hazard in hotspot analysis (ordinary, major).",
        _hazard_weights,
    ),
    Setting(
        "due_days",
        dict(DUE_DAYS),
        "Inspection due interval in whole days per risk level (red, orange, "
        "yellow, blue).",
        _due_days,
    ),
    Setting(
        "metric_crs",
        METRIC_CRS,
        "Projected CRS in metres (an EPSG code) for areas and distances; the "
        "default, CGCS2000 / 3-degree Gauss-Kruger CM 114E, fits 112.5-115.5E: "
        "elsewhere use the zone of your district (EPSG:4534-4554).",
        _metric_crs,
    ),
    Setting(
        "online_geocoder",
        "none",
        "Online fallback for addresses the offline "
        "gazetteer cannot place below town level: none (default), amap or tianditu.",
        _choice(*ONLINE_GEOCODERS),
    ),
    Setting(
        "online_geocoder_key", None, "API key of the online geocoder.", str, secret=True
    ),
    Setting(
        "online_geocoder_url",
        None,
        "Base URL of the online geocoder (a local "
        "proxy or mirror; default the provider's public address).",
        _http_url,
    ),
    Setting(
        "tiles",
        "none",
        "Map base tiles: none, osm, amap, or a URL template with {z}/{x}/{y}.",
        _tiles,
    ),
    Setting(
        "language", "zh_CN", "Default UI language: zh_CN or en.", _choice(*LANGUAGES)
    ),
    Setting("progress", True, "Show progress bars on a terminal.", _bool),
    Setting(
        "geodata_dir",
        None,
        "Folder with the demo district's source files (default: the copy shipped "
        "in the package, gridwatch/data/geodata).",
        _existing_folder,
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
    from_file = set(raw)
    for s in SETTINGS:
        key = "GRIDWATCH_" + s.name.upper()
        if key in env and env[key] != "":
            raw[s.name] = env[key]
            from_file.discard(s.name)
    raw.update({k: v for k, v in overrides.items() if v is not None})
    values: dict[str, Any] = {}
    for s in SETTINGS:
        v = raw.get(s.name, s.default)
        # defaults, environment strings and TOML values (numbers, tables,
        # booleans) all go through the same check, so a bad value fails at
        # startup whatever its source
        try:
            if v is not None and s.parse is str and not isinstance(v, str):
                raise ValueError(f"the {type(v).__name__} value is not text; quote it")
            if v is not None and s.parse is not str:
                v = s.parse(v)
        except (ValueError, TypeError) as exc:
            where = f" ({s.name} in {cfg_path})" if s.name in from_file else ""
            raise ConfigError(f"GRIDWATCH_{s.name.upper()}{where}: {exc}.") from None
        values[s.name] = v
    if not values["data_dir"]:
        values["data_dir"] = _default_data_dir()
    if values["online_geocoder"] != "none" and not values["online_geocoder_key"]:
        raise ConfigError(
            f"GRIDWATCH_ONLINE_GEOCODER is {values['online_geocoder']} "
            "but GRIDWATCH_ONLINE_GEOCODER_KEY is unset; set the key or "
            "turn the online geocoder off."
        )
    return Settings(values)
