"""Registry import and geocoding as use cases, on SpatiaLite and PostGIS."""

import csv

import geopandas as gpd
import pytest
import sqlalchemy as sa
from shapely.geometry import LineString, Point, box

from gridwatch.db.models import AuditLog, Enterprise
from gridwatch.errors import InvalidInputError
from gridwatch.registry import make_uscc
from gridwatch.services.admin import replace_gazetteer, upsert_admin_units
from gridwatch.services.enterprises import export_records, import_registry
from gridwatch.services.geocoding import geocode_enterprises, place_manually
from tests.actors import SYSTEM

TOWN = "440604011"
COMM = "440604011001"


def code(n: int) -> str:
    return make_uscc(f"MA{n:06d}")


@pytest.fixture
def district(ctx):
    outline = box(113.00, 22.95, 113.10, 23.05)
    wgs = "EPSG:4326"
    upsert_admin_units(
        ctx,
        SYSTEM,
        gpd.GeoDataFrame(
            {"code": ["440604"], "name": ["禅城区"]}, geometry=[outline], crs=wgs
        ),
        "district",
        "test",
    )
    upsert_admin_units(
        ctx,
        SYSTEM,
        gpd.GeoDataFrame(
            {"code": [TOWN], "name": ["张槎街道"], "parent_code": ["440604"]},
            geometry=[outline],
            crs=wgs,
        ),
        "town",
        "test",
    )
    upsert_admin_units(
        ctx,
        SYSTEM,
        gpd.GeoDataFrame(
            {
                "code": [COMM],
                "name": ["大富社区居委会"],
                "short_name": ["大富社区"],
                "kind": ["community"],
                "parent_code": [TOWN],
            },
            geometry=[outline],
            crs=wgs,
        ),
        "community",
        "test",
    )
    road = LineString([(113.02, 23.0), (113.08, 23.0)])
    points = gpd.GeoDataFrame(
        {
            "addr_id": ["1", "2"],
            "town_code": [TOWN] * 2,
            "community_code": [COMM] * 2,
            "road_name": ["张槎路"] * 2,
            "door_no": [1, 3],
            "door_suffix": ["", ""],
            "place_name": ["", ""],
            "standard_address": [
                "广东省佛山市禅城区张槎街道大富社区张槎路1号",
                "广东省佛山市禅城区张槎街道大富社区张槎路3号",
            ],
        },
        geometry=[Point(113.0201, 23.0001), Point(113.0203, 23.0001)],
        crs=wgs,
    )
    roads = gpd.GeoDataFrame(
        {
            "road_id": ["r1"],
            "name": ["张槎路"],
            "town_code": [TOWN],
            "door_from": [1],
            "door_to": [99],
        },
        geometry=[road],
        crs=wgs,
    )
    replace_gazetteer(ctx, SYSTEM, roads, points)
    return ctx


def write_csv(path, rows, encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "统一社会信用代码",
                "企业名称",
                "地址",
                "行业",
                "风险等级",
                "经度",
                "纬度",
                "坐标系",
            ]
        )
        w.writerows(rows)
    return path


def test_import_registry_counts_add_up_and_rejects_are_written(district, tmp_path):
    f = write_csv(
        tmp_path / "r.csv",
        [
            [
                code(1),
                "佛山市禅城区甲陶瓷有限公司",
                "张槎街道张槎路1号",
                "陶瓷",
                "红",
                "",
                "",
                "",
            ],
            [
                code(2),
                "<img src=x onerror=alert(1)>😀",
                "张槎路3号",
                "家具",
                "蓝",
                "",
                "",
                "",
            ],
            ["91440604MA00000000", "坏代码厂", "张槎路3号", "家具", "蓝", "", "", ""],
            [code(3), "乙厂", "张槎路5号", "陶瓷", "紫", "", "", ""],
            [code(4), "丙厂", "", "陶瓷", "黄", "113.05", "23.01", "gcj02"],
            [code(5), "丁厂", "", "陶瓷", "黄", "120.0", "30.0", "wgs84"],
            [code(1), "重复厂", "张槎路1号", "陶瓷", "红", "", "", ""],
            ["", "", "", "", "", "", "", ""],
        ],
        encoding="gb18030",
    )
    rejects = tmp_path / "rejects.csv"
    s = import_registry(district, SYSTEM, f, rejects_path=rejects)
    assert s.rows == 8 and s.valid == 3 and s.rejected == 4 and s.blank == 1
    assert s.rows == s.valid + s.rejected + s.blank
    assert s.inserted == 3
    text = rejects.read_text("utf-8-sig")
    for row in ("4", "5", "7", "8"):
        assert f"\n{row}," in text
    with district.engine.connect() as conn:
        names = dict(conn.execute(sa.select(Enterprise.uscc, Enterprise.name)).all())
        prec = dict(
            conn.execute(sa.select(Enterprise.uscc, Enterprise.precision)).all()
        )
    assert names[code(2)] == "<img src=x onerror=alert(1)>😀"
    assert prec[code(4)] == "supplied"
    with district.engine.connect() as conn:
        comm = conn.execute(sa.select(Enterprise.community_code, Enterprise.town_code)
                            .where(Enterprise.uscc == code(4))).one()
    assert tuple(comm) == (COMM, TOWN)  # supplied points get their community too


def test_import_registry_is_idempotent_and_audits_old_values(district, tmp_path):
    rows = [[code(1), "甲厂", "张槎路1号", "陶瓷", "红", "", "", ""]]
    import_registry(district, SYSTEM, write_csv(tmp_path / "a.csv", rows))
    again = import_registry(district, SYSTEM, write_csv(tmp_path / "b.csv", rows))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    rows[0][4] = "橙"
    changed = import_registry(district, SYSTEM, write_csv(tmp_path / "c.csv", rows))
    assert changed.updated == 1
    with district.engine.connect() as conn:
        audit = conn.execute(
            sa.select(AuditLog.action, AuditLog.old, AuditLog.new)
            .where(AuditLog.entity == "enterprises")
            .order_by(AuditLog.id)
        ).all()
        n = conn.execute(sa.select(sa.func.count()).select_from(Enterprise)).scalar()
    assert n == 1
    assert [a.action for a in audit] == ["insert", "update"]
    assert audit[1].old == {"risk_level": "red"} and audit[1].new == {
        "risk_level": "orange"
    }


def test_dry_run_writes_nothing(district, tmp_path):
    f = write_csv(
        tmp_path / "a.csv", [[code(1), "甲厂", "张槎路1号", "陶瓷", "红", "", "", ""]]
    )
    s = import_registry(district, SYSTEM, f, dry_run=True)
    # a dry run says what would happen (it used to print 0 new, 0 updated)
    assert (s.valid, s.inserted, s.updated, s.unchanged) == (1, 1, 0, 0)
    with district.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(Enterprise)).scalar()
            == 0
        )
        audited = sa.select(sa.func.count()).where(AuditLog.entity == "enterprises")
        assert conn.execute(audited).scalar() == 0


def test_dry_run_counts_updates_and_unchanged(district, tmp_path):
    rows = [
        [code(1), "甲厂", "张槎路1号", "陶瓷", "红", "", "", ""],
        [code(2), "乙厂", "张槎路3号", "陶瓷", "红", "", "", ""],
    ]
    import_registry(district, SYSTEM, write_csv(tmp_path / "a.csv", rows))
    rows[0][4] = "蓝"
    rows.append([code(3), "丙厂", "张槎路5号", "家具", "黄", "", "", ""])
    f = write_csv(tmp_path / "b.csv", rows)
    s = import_registry(district, SYSTEM, f, dry_run=True)
    assert (s.inserted, s.updated, s.unchanged) == (1, 1, 1)
    real = import_registry(district, SYSTEM, f)
    assert (real.inserted, real.updated, real.unchanged) == (1, 1, 1)


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02binary\xff" * 100, "统一社会信用代码,企业名称\n".encode()],
)
def test_bad_files_are_one_sentence(district, tmp_path, content):
    f = tmp_path / "bad.csv"
    f.write_bytes(content)
    with pytest.raises(InvalidInputError) as exc:
        import_registry(district, SYSTEM, f)
    assert exc.value.user_msg.count(".") >= 1 and "\n" not in exc.value.user_msg


def test_manual_placement_survives_geocode_all(district, tmp_path):
    f = write_csv(
        tmp_path / "a.csv",
        [
            [code(1), "甲厂", "张槎街道大富社区张槎路1号", "陶瓷", "红", "", "", ""],
            [code(2), "乙厂", "张槎街道大富社区张槎路3号", "陶瓷", "红", "", "", ""],
        ],
    )
    import_registry(district, SYSTEM, f)
    r = geocode_enterprises(district, SYSTEM, "missing")
    assert r["geocoded"] == 2 and r["by_precision"].get("door") == 2
    place_manually(district, SYSTEM, code(1), 113.09, 23.04, "wgs84")
    geocode_enterprises(district, SYSTEM, "all")
    with district.engine.connect() as conn:
        rows = {
            r.uscc: r
            for r in conn.execute(
                sa.select(
                    Enterprise.uscc,
                    Enterprise.precision,
                    sa.func.ST_X(Enterprise.geom).label("x"),
                )
            )
        }
    assert rows[code(1)].precision == "manual" and abs(rows[code(1)].x - 113.09) < 1e-9
    assert rows[code(2)].precision == "door"


def test_export_roundtrip_reimports_unchanged(district, tmp_path):
    from gridwatch.registry import write_registry

    f = write_csv(
        tmp_path / "a.csv",
        [[code(1), "甲厂", "张槎路1号", "陶瓷", "红", "113.05", "23.01", "bd09"]],
    )
    import_registry(district, SYSTEM, f)
    for fmt in ("csv", "xlsx", "geojson"):
        out = tmp_path / f"export.{fmt}"
        write_registry(export_records(district, SYSTEM), out, fmt)
        s = import_registry(district, SYSTEM, out)
        assert (s.valid, s.unchanged, s.rejected) == (1, 1, 0), fmt


def test_online_fallback_places_what_the_gazetteer_cannot(district, tmp_path):
    """An Amap-style fake on 127.0.0.1 (never the internet); GCJ-02 converted once."""
    import json as _json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from gridwatch.crs import from_wgs84
    from gridwatch.services.context import Context

    true_lng, true_lat = 113.055, 23.033
    g_lng, g_lat = from_wgs84(true_lng, true_lat, "gcj02")
    asked = []

    class Fake(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            body = _json.dumps(
                {
                    "status": "1",
                    "geocodes": [
                        {
                            "location": f"{g_lng:.7f},{g_lat:.7f}",
                            "level": "门牌号",
                            "formatted_address": "某地",
                        }
                    ],
                }
            ).encode()
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Fake)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        f = write_csv(
            tmp_path / "a.csv",
            [
                [
                    code(1),
                    "甲厂",
                    "张槎街道大富社区张槎路1号",
                    "陶瓷",
                    "红",
                    "",
                    "",
                    "",
                ],
                [code(2), "乙厂", "张槎街道某某工业区无名巷", "陶瓷", "红", "", "", ""],
            ],
        )
        import_registry(district, SYSTEM, f)
        online = Context(
            district.settings.replace(
                online_geocoder="amap",
                online_geocoder_key="k",
                online_geocoder_url=f"http://127.0.0.1:{httpd.server_port}/v3/geocode/geo",
            ),
            district.engine,
        )
        r = geocode_enterprises(online, SYSTEM, "missing")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert r["online"] == 1 and len(asked) == 1  # the door-plate match was not sent
    with district.engine.connect() as conn:
        row = conn.execute(
            sa.select(
                sa.func.ST_X(Enterprise.geom),
                sa.func.ST_Y(Enterprise.geom),
                Enterprise.geocode_flags,
            ).where(Enterprise.uscc == code(2))
        ).one()
    assert abs(row[0] - true_lng) < 1e-6 and abs(row[1] - true_lat) < 1e-6
    assert "online_amap" in row[2]
