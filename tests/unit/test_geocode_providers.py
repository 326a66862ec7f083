"""Online providers against a fake HTTP server on 127.0.0.1 (never the internet)."""

import json
import threading
import typing
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from gridwatch.crs import from_wgs84
from gridwatch.errors import GeocodeError, InvalidInputError
from gridwatch.geocode.providers import AmapProvider, TiandituProvider, make_provider

TRUE_LNG, TRUE_LAT = 113.0123, 23.0234


class FakeApi(BaseHTTPRequestHandler):
    replies: typing.ClassVar[dict] = {}
    seen: typing.ClassVar[list] = []

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        FakeApi.seen.append((url.path, query))
        body = FakeApi.replies.get(url.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        data = body(query) if callable(body) else body
        raw = data if isinstance(data, bytes) else json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = HTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    FakeApi.replies, FakeApi.seen = {}, []
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def _amap_reply(query):
    if query.get("key") != "k1":
        return {"status": "0", "info": "INVALID_USER_KEY"}
    g_lng, g_lat = from_wgs84(TRUE_LNG, TRUE_LAT, "gcj02")
    return {"status": "1", "geocodes": [{"location": f"{g_lng:.6f},{g_lat:.6f}",
                                         "level": "门牌号", "formatted_address": query["address"]}]}


def test_amap_provider_converts_gcj02_to_wgs84(server):
    FakeApi.replies["/v3/geocode/geo"] = _amap_reply
    r = AmapProvider("k1", f"{server}/v3/geocode/geo", city="佛山").geocode("季华西路11号")
    assert r.precision == "door" and r.reliability == 7
    assert abs(r.lng - TRUE_LNG) < 2e-6 and abs(r.lat - TRUE_LAT) < 2e-6
    assert FakeApi.seen[0][1]["city"] == "佛山" and "provider:amap" in r.flags


def test_amap_provider_bad_key_raises(server):
    FakeApi.replies["/v3/geocode/geo"] = _amap_reply
    with pytest.raises(GeocodeError, match="INVALID_USER_KEY"):
        AmapProvider("wrong", f"{server}/v3/geocode/geo").geocode("季华西路11号")


def test_amap_provider_no_hit_is_none(server):
    FakeApi.replies["/v3/geocode/geo"] = {"status": "1", "geocodes": []}
    assert AmapProvider("k1", f"{server}/v3/geocode/geo").geocode("x").precision == "none"


def test_amap_provider_not_json(server):
    FakeApi.replies["/v3/geocode/geo"] = b"<html>gateway</html>"
    with pytest.raises(GeocodeError, match="not JSON"):
        AmapProvider("k1", f"{server}/v3/geocode/geo").geocode("x")


def test_tianditu_provider_cgcs2000_kept(server):
    FakeApi.replies["/geocoder"] = lambda q: {
        "status": "0", "msg": "ok",
        "location": {"lon": TRUE_LNG, "lat": TRUE_LAT, "level": "道路",
                     "keyWord": json.loads(q["ds"])["keyWord"]}}
    r = TiandituProvider("t1", f"{server}/geocoder").geocode("季华西路")
    assert (r.lng, r.lat, r.precision, r.matched) == (TRUE_LNG, TRUE_LAT, "road", "季华西路")
    assert FakeApi.seen[0][1]["tk"] == "t1"


def test_provider_unreachable_raises_geocode_error():
    # port 9 on localhost: nothing listens, the connection is refused at once
    with pytest.raises(GeocodeError, match="cannot be reached"):
        TiandituProvider("t1", "http://127.0.0.1:9/geocoder", timeout_s=1).geocode("x")


def test_make_provider_needs_key_and_known_name():
    with pytest.raises(InvalidInputError, match="API key"):
        make_provider("amap")
    with pytest.raises(InvalidInputError, match="Unknown geocoder"):
        make_provider("google", key="x")
    with pytest.raises(InvalidInputError, match="gazetteer import"):
        make_provider("gazetteer")
