"""Links that open the phone's own map app at a stop, by coordinates.

Each app expects its own datum; the stored WGS-84 point is converted exactly once,
here, through :func:`gridwatch.crs.from_wgs84`:

* ``geo:`` URI (RFC 5870; Android's map-app chooser, many iOS apps): **WGS-84**,
  as the RFC defines. Chinese apps that take a ``geo:`` intent may read it as
  GCJ-02 and land a few hundred metres off; the app-specific links are exact;
* Amap (高德) ``amapuri://route/plan/`` (Android; iOS uses ``iosamap://path``
  with the same parameters): **GCJ-02** coordinates, with ``dev=0`` telling the
  app they are already GCJ-02 (``dev=1`` would shift them again);
* Baidu (百度) ``baidumap://map/direction``: **BD-09** coordinates, declared by
  ``coord_type=bd09ll``.

URI parameters follow the apps' published URI API pages (lbs.amap.com "URI API",
lbsyun.baidu.com "URI API"); names are percent-encoded.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from gridwatch.crs import Datum, from_wgs84

__all__ = ["navigation_links"]


def _fmt(x: float) -> str:
    return f"{x:.6f}"


def navigation_links(lng: float, lat: float, name: str = "") -> dict[str, str]:
    """``geo``, ``amap``, ``amap_ios`` and ``baidu`` links to a WGS-84 point.

    >>> links = navigation_links(113.1, 23.0, "甲厂")
    >>> links["geo"]
    'geo:23.000000,113.100000?q=23.000000,113.100000(%E7%94%B2%E5%8E%82)'
    >>> "dev=0" in links["amap"] and "coord_type=bd09ll" in links["baidu"]
    True
    """
    name = (name or "").strip()
    g_lng, g_lat = from_wgs84(lng, lat, Datum.GCJ02)
    b_lng, b_lat = from_wgs84(lng, lat, Datum.BD09)
    label = f"({quote(name)})" if name else ""
    amap = {
        "sourceApplication": "gridwatch",
        "dlat": _fmt(g_lat),
        "dlon": _fmt(g_lng),
        "dname": name,
        "dev": "0",
        "t": "0",
    }
    baidu = {
        "destination": f"latlng:{_fmt(b_lat)},{_fmt(b_lng)}|name:{name}",
        "coord_type": "bd09ll",
        "mode": "driving",
        "src": "gridwatch",
    }
    return {
        "geo": f"geo:{_fmt(lat)},{_fmt(lng)}?q={_fmt(lat)},{_fmt(lng)}{label}",
        "amap": "amapuri://route/plan/?" + urlencode(amap, quote_via=quote),
        "amap_ios": "iosamap://path?" + urlencode(amap, quote_via=quote),
        # Baidu's examples keep "latlng:lat,lng|name:…" readable
        "baidu": "baidumap://map/direction?"
        + urlencode(baidu, quote_via=lambda v, *_: quote(v, safe=":,|")),
    }
