"""Value types of the settings: each parses one raw value and checks it.

A parser takes what the environment (a string) or the TOML file (a string, number,
boolean or table) gives and returns the clean value, or raises ``ValueError`` /
``TypeError`` with the reason as a sentence fragment; :func:`gridwatch.config.
load_settings` adds the variable's name (``GRIDWATCH_X: reason.``). Secret values
are never echoed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from gridwatch.vocab import HAZARD_LEVELS, RISK_LEVELS

#: the named tile sources (gridwatch.maps.base.TILE_PRESETS, plus "none")
TILE_NAMES = ("none", "osm", "amap")
ONLINE_GEOCODERS = ("none", "amap", "tianditu")
LANGUAGES = ("zh_CN", "en")


def yes_no(v: str | bool) -> bool:
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


def per_level(levels: tuple[str, ...], what: str, example: str, number):
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


def weight(key: str, x: Any) -> float:
    out = _number(key, x)
    if out < 0:
        raise ValueError(f"{key}={x} is negative; a weight is 0 or more")
    return out


def whole_days(key: str, x: Any) -> int:
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


risk_weights = _some_positive(
    per_level(
        tuple(RISK_LEVELS), "risk level", "red=4,orange=3,yellow=2,blue=1", weight
    )
)
hazard_weights = _some_positive(
    per_level(tuple(HAZARD_LEVELS), "hazard level", "ordinary=1,major=5", weight)
)
due_days = per_level(
    tuple(RISK_LEVELS), "risk level", "red=30,orange=90,yellow=182,blue=365", whole_days
)


def day_of_month(v: str | int) -> int:
    """A day that every month has (1-28)."""
    out = _number("day", v)
    if out != int(out) or not 1 <= out <= 28:
        raise ValueError(f"{v!r} is not a day from 1 to 28 (every month has it)")
    return int(out)


@lru_cache(maxsize=8)
def metric_crs(v: str) -> str:
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


def choice(*allowed: str):
    def parse(v: str) -> str:
        s = str(v).strip()
        if s not in allowed:
            names = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
            raise ValueError(f"{v!r} is unknown; use {names}")
        return s

    return parse


def tiles(v: str) -> str:
    s = str(v).strip()
    if s.lower() in TILE_NAMES:
        return s.lower()
    if all(f"{{{c}}}" in s for c in "zxy"):
        return s
    raise ValueError(
        f"{v!r} is not a tile source; use none, osm, amap, or a URL template "
        "with {z}, {x} and {y}"
    )


def http_url(v: str) -> str:
    s = str(v).strip()
    if not s.startswith(("http://", "https://")) or "://" == s[-3:]:
        raise ValueError(f"{v!r} is not an http:// or https:// address")
    return s


def database_url(v: str) -> str:
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


def folder(v: str) -> str:
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


def existing_folder(v: str) -> str:
    s = folder(v)
    if not Path(s).is_dir():
        raise ValueError(f"{s} does not exist; name an existing folder or unset it")
    return s


def library(v: str) -> str:
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


def secret_key(v: str) -> str:
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
