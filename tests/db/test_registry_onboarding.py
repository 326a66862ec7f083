"""Importing a real bureau's registry into the database, on SpatiaLite and PostGIS:
contacts, extra columns, GB/T 4754 sectors, hints, totals, flags, dry runs; a file
never blanks what is stored; list/show read the actor's scope."""

import openpyxl
import pytest
import sqlalchemy as sa
from shapely.geometry import box

from gridwatch.crs import from_wgs84
from gridwatch.db.models import Enterprise
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.registry import write_registry
from gridwatch.services.actor import Actor
from gridwatch.services.enterprises import (
    enterprise_detail,
    export_records,
    import_registry,
    read_enterprises,
)
from tests.actors import SYSTEM
from tests.db.conftest import COMMS, TOWN, make_code

HEADER = [
    "序号",
    "统一社会信用代码",
    "企业名称",
    "地址",
    "行业类别",
    "风险等级",
    "涉危化品",
    "法定代表人",
    "主要负责人",
    "安全主任",
    "联系电话",
    "所属镇街",
    "所属村居",
    "经度",
    "纬度",
    "坐标系",
    "消防验收",
    "备注",
]


#: a point in the west community, given as 高德 (GCJ-02) coordinates
GCJ = from_wgs84(113.012, 23.012, "gcj02")


def _row(**cells):
    """A sheet row from header → value (unnamed cells empty)."""
    unknown = set(cells) - set(HEADER)
    assert not unknown, unknown
    return [cells.get(h) for h in HEADER]


def _rows():
    return [
        _row(
            序号=1,
            统一社会信用代码=make_code(501),
            企业名称="甲陶瓷厂",
            地址="张槎路1号",
            行业类别="建筑陶瓷制品制造",
            风险等级="红",
            涉危化品="否",
            法定代表人="张三",
            主要负责人="李四",
            安全主任="王五",
            联系电话="0757-83084971",
            所属镇街="张槎街道",
            所属村居="甲社区",
            经度=113.01,
            纬度=23.01,
            坐标系="wgs84",
            消防验收="已验收",
            备注="重点",
        ),
        # 危险化学品 with 涉危化品=否; 所属村居 says 甲社区 but the point is in 乙村
        _row(
            序号=2,
            统一社会信用代码=make_code(502),
            企业名称="乙化工",
            地址="张槎路2号",
            行业类别="26",
            风险等级="橙",
            涉危化品="否",
            法定代表人="赵六",
            所属镇街="张槎",
            所属村居="甲社区",
            经度=113.03,
            纬度=23.01,
            坐标系="wgs84",
        ),
        _row(
            序号=3,
            统一社会信用代码=make_code(503),
            企业名称="丙家具",
            地址="张槎路3号",
            行业类别="C21 家具制造业",
            风险等级="黄",
            涉危化品="否",
            消防验收="未验收",
        ),
        _row(
            序号=4,
            统一社会信用代码=make_code(504),
            企业名称="丁五金",
            地址="张槎路4号",
            行业类别="33",
            风险等级="蓝",
            所属镇街="张槎街道",
            经度=GCJ[0],
            纬度=GCJ[1],
            坐标系="高德",
        ),
        _row(序号="合计"),
    ]


def _xlsx(path, rows, header=HEADER):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


class _Row:
    def __init__(self, mapping):
        self.__dict__.update(mapping)


def _stored(ctx, uscc):
    cols = [c for c in Enterprise.__table__.columns if c.name != "geom"]
    with ctx.engine.connect() as conn:
        row = conn.execute(sa.select(*cols).where(Enterprise.uscc == uscc)).one()
    return _Row(row._mapping)


def _count(ctx):
    with ctx.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(Enterprise)).scalar()


def test_registry_with_contacts_extras_sectors_hints_and_totals(
    small_district, tmp_path
):
    ctx = small_district
    s = import_registry(ctx, SYSTEM, _xlsx(tmp_path / "r.xlsx", _rows()))
    assert (s.rows, s.valid, s.rejected, s.blank, s.totals) == (5, 4, 0, 0, 1)
    assert s.balanced and s.inserted == 4
    a = _stored(ctx, make_code(501))
    assert (a.sector, a.industry_code, a.risk_level) == ("ceramics", "3071", "red")
    assert (a.legal_representative, a.principal, a.safety_officer, a.contact_phone) == (
        "张三",
        "李四",
        "王五",
        "0757-83084971",
    )
    assert (a.town_hint, a.town_hint_code, a.community_hint, a.community_hint_code) == (
        "张槎街道",
        TOWN,
        "甲社区",
        COMMS[0],
    )
    assert a.extra_attrs == {"消防验收": "已验收", "备注": "重点"}
    assert a.registry_flags is None
    b = _stored(ctx, make_code(502))
    # 危险化学品 with 涉危化品=否, and 所属村居 says 甲社区 but the point lies in 乙村
    assert set(b.registry_flags.split(",")) == {
        "hazchem_without_hazchem",
        "community_hint_mismatch",
    }
    assert s.flagged == 1
    reasons = {(n.row, n.field) for n in s.notes}
    assert {(3, "has_hazchem"), (3, "community_hint"), (6, "")} <= reasons
    assert _stored(ctx, make_code(503)).sector == "furniture"
    d = _stored(ctx, make_code(504))  # GCJ-02 converted once, its datum recorded
    assert (d.sector, d.industry_code, d.source_datum) == (
        "metal_products",
        "33",
        "gcj02",
    )
    with ctx.engine.connect() as conn:
        x, y = conn.execute(
            sa.select(
                sa.func.ST_X(Enterprise.geom), sa.func.ST_Y(Enterprise.geom)
            ).where(Enterprise.uscc == make_code(504))
        ).one()
    assert abs(x - 113.012) < 1e-6 and abs(y - 23.012) < 1e-6


def test_extra_columns_round_trip_through_export(small_district, tmp_path):
    ctx = small_district
    import_registry(ctx, SYSTEM, _xlsx(tmp_path / "r.xlsx", _rows()))
    for fmt in ("csv", "xlsx", "geojson"):
        out = tmp_path / f"e.{fmt}"
        write_registry(export_records(ctx, SYSTEM), out, fmt)
        again = import_registry(ctx, SYSTEM, out)
        assert (again.rejected, again.updated, again.inserted) == (0, 0, 0), fmt
        assert again.unchanged == again.valid == _count(ctx)
    assert _stored(ctx, make_code(501)).extra_attrs["消防验收"] == "已验收"
    with ctx.engine.connect() as conn:  # no extras: SQL NULL, not a JSON null
        n = conn.execute(
            sa.text("SELECT count(*) FROM enterprises WHERE extra_attrs IS NULL")
        )
    # small_district's enterprises and the rows whose only other column is 序号
    # (row numbers, not kept)
    assert n.scalar() == 63


def test_an_emptier_file_never_blanks_stored_values(small_district, tmp_path):
    ctx = small_district
    import_registry(ctx, SYSTEM, _xlsx(tmp_path / "r.xlsx", _rows()))
    before = _stored(ctx, make_code(501))
    sparse = [
        [None, make_code(501), "甲陶瓷厂", "张槎路1号"] + [None] * (len(HEADER) - 4)
    ]
    s = import_registry(ctx, SYSTEM, _xlsx(tmp_path / "s.xlsx", sparse))
    assert (s.valid, s.updated, s.unchanged) == (1, 0, 1)
    after = _stored(ctx, make_code(501))
    for col in (
        "principal",
        "contact_phone",
        "town_hint",
        "town_hint_code",
        "industry_code",
        "extra_attrs",
        "risk_level",
        "sector",
    ):
        assert getattr(after, col) == getattr(before, col), col


@pytest.mark.parametrize(
    "rows",
    [
        [],  # header only
        [["合计"] + [None] * (len(HEADER) - 1)],  # totals only
        [
            [None, "123", "坏厂", "张槎路9号"] + [None] * (len(HEADER) - 4)
        ],  # all rejected
    ],
    ids=["header-only", "totals-only", "all-rejected"],
)
def test_empty_or_rejected_files_change_nothing(small_district, tmp_path, rows):
    ctx = small_district
    n = _count(ctx)
    path = _xlsx(tmp_path / "x.xlsx", rows)
    if rows and rows[0][1] == "123":
        s = import_registry(ctx, SYSTEM, path)
        assert (s.valid, s.rejected, s.inserted + s.updated) == (0, 1, 0)
    else:
        with pytest.raises(InvalidInputError, match="nothing"):
            import_registry(ctx, SYSTEM, path)
    assert _count(ctx) == n


def test_unwritable_rejects_path_stores_nothing(small_district, tmp_path):
    ctx = small_district
    n = _count(ctx)
    with pytest.raises(InvalidInputError, match="does not exist"):
        import_registry(
            ctx,
            SYSTEM,
            _xlsx(tmp_path / "r.xlsx", _rows()),
            rejects_path=tmp_path / "no" / "such" / "r.csv",
        )
    assert _count(ctx) == n


def test_rejects_file_failing_after_storing_keeps_the_summary(
    small_district, tmp_path, monkeypatch
):
    from gridwatch import registry

    def full_disk(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(registry, "write_rejects", full_disk)
    s = import_registry(
        small_district,
        SYSTEM,
        _xlsx(tmp_path / "r.xlsx", _rows()),
        rejects_path=tmp_path / "r.csv",
    )
    assert s.inserted == 4 and "No space left" in s.output_error


def test_point_on_the_district_outline_is_imported(small_district, tmp_path):
    # the small district is box(113, 23, 113.04, 23.02): a point on its east edge
    rows = [
        [None, make_code(510), "边界厂", "边界路1号"]
        + [None] * 9
        + [113.04, 23.01, "wgs84", None, None]
    ]
    s = import_registry(small_district, SYSTEM, _xlsx(tmp_path / "e.xlsx", rows))
    assert s.inserted == 1 and s.rejected == 0
    assert box(113, 23, 113.04, 23.02).covers(
        __import__("shapely").Point(113.04, 23.01)
    )


def test_value_map_names_a_missing_column(small_district, tmp_path):
    with pytest.raises(InvalidInputError, match="行业代码"):
        import_registry(
            small_district,
            SYSTEM,
            _xlsx(tmp_path / "r.xlsx", _rows()),
            value_map={"行业代码": {"a": "b"}},
        )


def test_value_map_by_header_as_in_the_file(small_district, tmp_path):
    rows = _rows()[:1]
    rows[0][4] = "瓷片厂"
    s = import_registry(
        small_district,
        SYSTEM,
        _xlsx(tmp_path / "r.xlsx", rows),
        value_map={"行业类别": {"瓷片厂": "陶瓷"}},
        dry_run=True,
    )
    assert (s.valid, s.rejected, s.inserted) == (1, 0, 1)


def test_list_filters(small_district, tmp_path):
    ctx = small_district
    import_registry(ctx, SYSTEM, _xlsx(tmp_path / "r.xlsx", _rows()))
    got = read_enterprises(ctx, SYSTEM, risk="橙", sector="化学原料和化学制品制造业")
    assert list(got["uscc"]) == [make_code(502)]
    assert len(read_enterprises(ctx, SYSTEM, sector="ceramics")) == 61  # 60 + 甲
    assert list(read_enterprises(ctx, SYSTEM, flagged=True)["uscc"]) == [make_code(502)]
    # not placed, but declared in 张槎 (所属镇街): listed under its town by name
    in_town = set(read_enterprises(ctx, SYSTEM, town="张槎")["uscc"])
    assert make_code(503) not in in_town  # no hint, no point
    assert make_code(501) in in_town
    assert len(read_enterprises(ctx, SYSTEM, precision="none")) == 2
    with pytest.raises(InvalidInputError):
        read_enterprises(ctx, SYSTEM, town="石湾")
    with pytest.raises(InvalidInputError):
        read_enterprises(ctx, SYSTEM, risk="紫")


def test_show_returns_the_whole_file_within_scope(small_district, tmp_path):
    ctx = small_district
    import_registry(ctx, SYSTEM, _xlsx(tmp_path / "r.xlsx", _rows()))
    d = enterprise_detail(ctx, SYSTEM, make_code(501).lower())
    assert d["extra_attrs"]["备注"] == "重点" and d["principal"] == "李四"
    assert d["industry_code"] == "3071" and d["registry_flags"] == []
    other = Actor("so", "street_office", scope_code="440604999")
    with pytest.raises(NotFoundError):
        enterprise_detail(ctx, other, make_code(501))
    assert read_enterprises(ctx, other).empty


def test_points_on_community_edges_get_codes_by_the_covers_rule(
    small_district, tmp_path
):
    # communities: west box(113.00-113.02), east box(113.02-113.04); district edge 113.04
    rows = [
        [None, make_code(520), "共边厂", "边界路1号"]
        + [None] * 9
        + [113.02, 23.01, "wgs84", None, None],
        [None, make_code(521), "外边厂", "边界路2号"]
        + [None] * 9
        + [113.04, 23.01, "wgs84", None, None],
    ]
    s = import_registry(small_district, SYSTEM, _xlsx(tmp_path / "e.xlsx", rows))
    assert s.inserted == 2
    assert _stored(small_district, make_code(520)).community_code == COMMS[0]
    assert _stored(small_district, make_code(521)).community_code == COMMS[1]


def test_rejects_file_may_not_overwrite_the_registry(small_district, tmp_path):
    f = _xlsx(tmp_path / "r.xlsx", _rows())
    with pytest.raises(InvalidInputError, match="overwrite"):
        import_registry(small_district, SYSTEM, f, rejects_path=f)
    assert openpyxl.load_workbook(f).active["C2"].value == "甲陶瓷厂"
