"""Geocoding providers behind one interface; online ones are off by default.

:class:`GazetteerProvider` is the offline default. :class:`AmapProvider` (高德
web-service API, GCJ-02 results) and :class:`TiandituProvider` (天地图, CGCS2000)
call an HTTP API with a key the bureau supplies; they are built only when the
configuration names them, and their coordinates are converted to WGS-84 here,
once. Tests run them against a fake server on 127.0.0.1, never the internet.
Only the standard library's urllib is used: no new dependency for two GETs.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

from gridwatch.crs import Datum, to_wgs84
from gridwatch.errors import GeocodeError, InvalidInputError
from gridwatch.geocode.gazetteer import Gazetteer
from gridwatch.geocode.match import geocode
from gridwatch.geocode.result import GeocodeResult

__all__ = [
    "AmapProvider",
    "GazetteerProvider",
    "Provider",
    "TiandituProvider",
    "make_provider",
]

#: Amap ``level`` → (precision, reliability). Online results are not checked
#: against the gazetteer, so they rank below an exact local door plate.
AMAP_LEVELS = {
    "门牌号": ("door", 7),
    "单元号": ("door", 7),
    "兴趣点": ("door", 6),
    "道路": ("road", 5),
    "道路交叉路口": ("road", 5),
    "村庄": ("community", 4),
    "热点商圈": ("community", 3),
    "乡镇": ("town", 3),
    "区县": ("district", 2),
}
TIANDITU_LEVELS = {
    "门址": ("door", 7),
    "兴趣点": ("door", 6),
    "地名地址": ("door", 6),
    "道路": ("road", 5),
    "村庄": ("community", 4),
    "乡镇": ("town", 3),
    "区县": ("district", 2),
}


class Provider(Protocol):
    """Anything that turns one address into a :class:`GeocodeResult`."""

    name: str

    def geocode(self, address: str) -> GeocodeResult: ...


class GazetteerProvider:
    """The offline default: :func:`gridwatch.geocode.geocode` on a gazetteer."""

    name = "gazetteer"

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer

    def geocode(self, address: str) -> GeocodeResult:
        """Match ``address`` against the local gazetteer."""
        return geocode(address, self.gazetteer)


class _HttpProvider:
    name = "http"
    datum = Datum.WGS84
    default_url = ""

    def __init__(self, key: str, base_url: str | None = None, timeout_s: float = 5.0):
        if not key:
            raise InvalidInputError(
                f"The {self.name} provider needs an API key; set it "
                "in the configuration or use the offline gazetteer."
            )
        self.key = key
        self.base_url = base_url or self.default_url
        self.timeout_s = timeout_s

    def _get(self, params: dict) -> dict:
        url = f"{self.base_url}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GeocodeError(
                f"The {self.name} geocoder cannot be reached ({exc}); "
                "check the network or use the offline gazetteer."
            ) from None
        except (ValueError, UnicodeDecodeError):
            raise GeocodeError(
                f"The {self.name} geocoder sent a reply that is not "
                "JSON; check the service URL."
            ) from None

    def _result(self, lng, lat, precision, rel, matched) -> GeocodeResult:
        w_lng, w_lat = to_wgs84(float(lng), float(lat), self.datum)
        return GeocodeResult(
            w_lng,
            w_lat,
            precision,
            rel,
            matched,
            None,
            None,
            None,
            (f"provider:{self.name}",),
        )


def _none(name: str) -> GeocodeResult:
    return GeocodeResult(
        None, None, "none", 1, "", None, None, None, (f"provider:{name}",)
    )


class AmapProvider(_HttpProvider):
    """高德 web-service geocoding (``/v3/geocode/geo``); results in GCJ-02."""

    name = "amap"
    datum = Datum.GCJ02
    default_url = "https://restapi.amap.com/v3/geocode/geo"

    def __init__(
        self,
        key: str,
        base_url: str | None = None,
        timeout_s: float = 5.0,
        city: str | None = None,
    ):
        super().__init__(key, base_url, timeout_s)
        self.city = city

    def geocode(self, address: str) -> GeocodeResult:
        """Ask Amap; convert its GCJ-02 point to WGS-84."""
        params = {"key": self.key, "address": address, "output": "JSON"}
        if self.city:
            params["city"] = self.city
        data = self._get(params)
        if str(data.get("status")) != "1":
            raise GeocodeError(
                f"The amap geocoder refused the request "
                f"({data.get('info', 'no reason given')}); check the key."
            )
        hits = data.get("geocodes") or []
        if not hits or not hits[0].get("location"):
            return _none(self.name)
        hit = hits[0]
        lng, lat = str(hit["location"]).split(",")
        precision, rel = AMAP_LEVELS.get(hit.get("level", ""), ("none", 1))
        if precision == "none":
            return _none(self.name)
        return self._result(lng, lat, precision, rel, hit.get("formatted_address", ""))


class TiandituProvider(_HttpProvider):
    """天地图 geocoder (``/geocoder?ds=…&tk=…``); results in CGCS2000."""

    name = "tianditu"
    datum = Datum.CGCS2000
    default_url = "https://api.tianditu.gov.cn/geocoder"

    def geocode(self, address: str) -> GeocodeResult:
        """Ask Tianditu; CGCS2000 is taken as WGS-84 (centimetres apart)."""
        data = self._get(
            {"ds": json.dumps({"keyWord": address}, ensure_ascii=False), "tk": self.key}
        )
        if str(data.get("status")) != "0":
            raise GeocodeError(
                f"The tianditu geocoder refused the request "
                f"({data.get('msg', 'no reason given')}); check the key."
            )
        loc = data.get("location") or {}
        if "lon" not in loc or "lat" not in loc:
            return _none(self.name)
        precision, rel = TIANDITU_LEVELS.get(loc.get("level", ""), ("none", 1))
        if precision == "none":
            return _none(self.name)
        return self._result(
            loc["lon"], loc["lat"], precision, rel, loc.get("keyWord", address)
        )


def make_provider(
    name: str,
    *,
    gazetteer: Gazetteer | None = None,
    key: str | None = None,
    base_url: str | None = None,
    **options,
) -> Provider:
    """Build a provider by name: ``gazetteer`` (default), ``amap`` or ``tianditu``.

    Raises
    ------
    InvalidInputError
        Unknown name, or missing gazetteer/key.
    """
    if name == "gazetteer":
        if gazetteer is None:
            raise InvalidInputError(
                "No gazetteer loaded; run `gridwatch gazetteer import` first."
            )
        return GazetteerProvider(gazetteer)
    if name == "amap":
        return AmapProvider(key or "", base_url, **options)
    if name == "tianditu":
        return TiandituProvider(key or "", base_url, **options)
    raise InvalidInputError(
        f"Unknown geocoder {name!r}; use gazetteer, amap or tianditu."
    )
