"""The files a bureau brings when it onboards 南海区 (440605), written the way
they arrive: a registry XLSX as a clerk exports it, a standard-address gazetteer
(标准地址库) export covering one town, and an accounts sheet.

Coordinates are placed inside the *illustrative* town polygons the onboarding
drew (``towns``: code → WGS-84 polygon), so each enterprise's coordinates agree
with the town its row names; they are written as a phone map app gives them
(GCJ-02) or as the gazetteer's survey gives them (CGCS2000).
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import shapely

from gridwatch.crs import from_wgs84
from gridwatch.registry import make_uscc

GUICHENG, SHISHAN, DALI, LISHUI = "440605011", "440605124", "440605125", "440605126"
XIQIAO, DANZAO = "440605122", "440605123"

HEADER = [
    "序号",
    "统一社会信用代码",
    "企业名称",
    "经营地址",
    "所属镇街",
    "所属村居",
    "行业类别",
    "风险等级",
    "涉危化品",
    "法定代表人",
    "主要负责人",
    "安全负责人",
    "联系电话",
    "经度",
    "纬度",
    "坐标系",
    "从业人数",
    "消防验收",
    "企业规模",
    "备注",
]
#: what every registry row holds beyond the standard columns (kept as extra_attrs)
EXTRA = ("消防验收", "企业规模", "备注")
#: 门牌 per road of the gazetteer (桂城街道 only)
ROADS = {"南桂东路": range(1, 31), "海八路": range(2, 42, 2)}
#: GB/T 4754-2017 spellings a clerk writes in 行业类别 (大类 name, 门类+大类, 小类)
INDUSTRIES = ("非金属矿物制品业", "C30", "3071", "金属制品业", "C33 金属制品业", "21")
#: 千灯湖, 桂城街道 as Amap gives it (GCJ-02): the real place, which the
#: illustrative town polygons (drawn evenly, not surveyed) put in another town
QIANDENGHU_GCJ = (113.1560, 23.0450)


def code(n: int) -> str:
    """A valid credit code (GB 32100 and GB 11714 check characters)."""
    return make_uscc(f"MA5{n:05d}")


def inside(poly, k: int = 0, step: float = 0.0015):
    """The k-th point inside the polygon of a walk over a lattice of ``step``
    degrees around its representative point (WGS-84 lng, lat)."""
    p, core = poly.representative_point(), poly.buffer(-0.002)
    found = -1
    for i in range(4000):
        q = shapely.Point(p.x + step * ((i % 15) - 7), p.y + step * (i // 15 - 7))
        if core.contains(q):
            found += 1
            if found == k:
                return q.x, q.y
    raise AssertionError("no point inside the polygon")


def _gcj(poly, k):
    lng, lat = from_wgs84(*inside(poly, k), "gcj02")
    return round(float(lng), 6), round(float(lat), 6)


def registry_rows(towns: dict) -> list[dict]:
    """The clerk's rows (header → value), in sheet order; keys not in HEADER are
    test annotations: ``_expect`` is what the import must do with the row."""
    sh, dl, dz = (_gcj(towns[c], 3) for c in (SHISHAN, DALI, DANZAO))
    people = {"法定代表人": "陈国强", "主要负责人": "陈国强", "安全负责人": "梁志华"}
    return [
        # door plates of the gazetteer's one town; 所属镇街 merged over two rows
        {
            "统一社会信用代码": code(1),
            "企业名称": "佛山市南海区桂城恒丰陶瓷有限公司",
            "经营地址": "广东省佛山市南海区桂城街道南桂东路8号",
            "所属镇街": "桂城街道",
            "行业类别": "非金属矿物制品业",
            "风险等级": "红",
            "涉危化品": "否",
            **people,
            "联系电话": 13802911234,
            "从业人数": 86,
            "消防验收": "已验收",
            "企业规模": "规上",
            "备注": "重点监管",
            "_expect": "door",
        },
        {
            "统一社会信用代码": code(2),
            "企业名称": "佛山市南海区海八五金制品厂",
            "经营地址": "南海区桂城街道海八路12号",
            "所属镇街": None,  # merged above
            "行业类别": "C33",
            "风险等级": "橙",
            "法定代表人": "黎美玲",
            "联系电话": "0757-86281234",
            "消防验收": "未验收",
            "企业规模": "规下",
            "_expect": "door",
        },
        # the address names no town: the 所属镇街 column does
        {
            "统一社会信用代码": code(3),
            "企业名称": "佛山市南海区桂城卫浴洁具厂",
            "经营地址": "海八路20号",
            "所属镇街": "桂城",
            "行业类别": "3072",
            "风险等级": "黄",
            "安全负责人": "何志明",
            "消防验收": "已验收",
            "_expect": "door",
        },
        # coordinates from a phone map app (GCJ-02), said so in 坐标系
        {
            "统一社会信用代码": code(4),
            "企业名称": "佛山市南海区狮山铝型材有限公司",
            "经营地址": "南海区狮山镇兴业北路3号",
            "所属镇街": "狮山镇",
            "行业类别": "C30 非金属矿物制品业",
            "风险等级": "橙",
            "经度": sh[0],
            "纬度": sh[1],
            "坐标系": "高德",
            "从业人数": 240,
            "企业规模": "规上",
            "_expect": "supplied",
        },
        {
            "统一社会信用代码": code(5),
            "企业名称": "佛山市南海区大沥铝材加工厂",
            "经营地址": "南海区大沥镇沥东路9号",
            "所属镇街": "大沥镇",
            "行业类别": "金属制品业",
            "风险等级": "蓝",
            "经度": dl[0],
            "纬度": dl[1],
            "坐标系": "GCJ-02",
            "备注": "铝镁粉尘",
            "_expect": "supplied",
        },
        # only the community is known, and no community is loaded (towns only):
        # town level, 和顺社区 an unknown hint, no grid
        {
            "统一社会信用代码": code(6),
            "企业名称": "佛山市南海区里水和顺家具厂",
            "经营地址": "南海区里水镇和顺社区鹤峰路18号",
            "所属镇街": "里水镇",
            "所属村居": "和顺社区",
            "行业类别": "21",
            "风险等级": "黄",
            "_expect": "town",
        },
        # towns the gazetteer does not cover: town level, no grid, no warden
        {
            "统一社会信用代码": code(7),
            "企业名称": "佛山市南海区狮山罗村塑料厂",
            "经营地址": "南海区狮山镇罗村工业大道5号",
            "所属镇街": "狮山镇",
            "行业类别": "29",
            "风险等级": "黄",
            "_expect": "town",
        },
        {
            "统一社会信用代码": code(8),
            "企业名称": "佛山市南海区西樵纺织印染厂",
            "经营地址": "南海区西樵镇樵金路66号",
            "所属镇街": "西樵镇",
            "行业类别": "纺织业",
            "风险等级": "橙",
            "_expect": "town",
        },
        # a 危险化学品 sector with 涉危化品=否: stored and flagged
        {
            "统一社会信用代码": code(9),
            "企业名称": "佛山市南海区丹灶化工贸易有限公司",
            "经营地址": "南海区丹灶镇金沙大道1号",
            "所属镇街": "丹灶镇",
            "行业类别": "危险化学品",
            "风险等级": "红",
            "涉危化品": "否",
            "经度": dz[0],
            "纬度": dz[1],
            "坐标系": "gcj02",
            "_expect": "supplied",
        },
        # coordinates with an empty 坐标系: which datum they are in is unknown
        {
            "统一社会信用代码": code(10),
            "企业名称": "佛山市南海区九江酒厂",
            "经营地址": "南海区九江镇沙口路2号",
            "所属镇街": "九江镇",
            "行业类别": "15",
            "风险等级": "蓝",
            "经度": dl[0] + 0.01,
            "纬度": dl[1],
            "_expect": "rejected",
        },
        # a credit code Excel turned into a number (its last digits are lost)
        {
            "统一社会信用代码": 9.14406054318073e17,
            "企业名称": "佛山市南海区数值代码厂",
            "经营地址": "南海区桂城街道南桂东路3号",
            "行业类别": "30",
            "风险等级": "蓝",
            "_expect": "rejected",
        },
        # a credit code with a wrong check character
        {
            "统一社会信用代码": code(12)[:-1] + ("0" if code(12)[-1] != "0" else "1"),
            "企业名称": "佛山市南海区错码五金厂",
            "经营地址": "南海区桂城街道海八路4号",
            "行业类别": "33",
            "风险等级": "蓝",
            "_expect": "rejected",
        },
        # a point from a phone map at the real 千灯湖: the sketch of the towns puts
        # it outside 桂城街道, so the row's 所属镇街 disagrees with it: flagged
        {
            "统一社会信用代码": code(13),
            "企业名称": "佛山市南海区千灯湖物业服务有限公司",
            "经营地址": "南海区桂城街道千灯湖一路1号",
            "所属镇街": "桂城街道",
            "行业类别": "其他",
            "风险等级": "蓝",
            "经度": QIANDENGHU_GCJ[0],
            "纬度": QIANDENGHU_GCJ[1],
            "坐标系": "高德",
            "_expect": "supplied",
        },
        *_door_rows(),
        {"_expect": "blank"},
        {"序号": "合计", "企业名称": "共29家", "从业人数": 326, "_expect": "totals"},
    ]


def _door_rows(n: int = 16) -> list[dict]:
    """Small firms of 桂城街道 at the gazetteer's door plates, every risk level."""
    risks = ("红", "橙", "黄", "蓝")
    return [
        {
            "统一社会信用代码": code(20 + i),
            "企业名称": f"佛山市南海区桂城第{i + 1}五金厂",
            "经营地址": f"南海区桂城街道南桂东路{10 + i}号",
            "所属镇街": "桂城街道",
            "行业类别": INDUSTRIES[i % len(INDUSTRIES)],
            "风险等级": risks[i % 4],
            "联系电话": f"1380291{i:04d}",
            "消防验收": "已验收" if i % 2 else "未验收",
            "_expect": "door",
        }
        for i in range(n)
    ]


def write_registry(path: Path, towns: dict) -> list[dict]:
    """The registry as a clerk exports it: a merged title row above the header,
    a merged 所属镇街 over rows 3-4, numbers typed as numbers."""
    rows = registry_rows(towns)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业台账"
    ws.append(["南海区安全生产重点企业台账（2026年3月导出）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    n = 0
    for row in rows:
        if row["_expect"] in ("blank", "totals"):
            ws.append([row.get(h) for h in HEADER])
            continue
        n += 1
        ws.append([n if h == "序号" else row.get(h) for h in HEADER])
    col = HEADER.index("所属镇街") + 1
    ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    wb.save(path)
    return rows


def write_gazetteer(path: Path, guicheng) -> int:
    """A 标准地址库 export for 桂城街道 only, GBK, as the city's address office
    writes it (地址编码, 所属镇街, 街路巷名称, 门楼牌号, 标准地址, 经度, 纬度, 坐标系);
    CGCS2000 coordinates. Returns the number of door plates."""
    rows, k = [], 0
    for road, doors in ROADS.items():
        for door in doors:
            lng, lat = inside(guicheng, k, step=0.003)
            k += 1
            rows.append(
                [
                    f"4406050110{k:06d}",
                    "桂城街道",
                    road,
                    f"{door}号",
                    f"广东省佛山市南海区桂城街道{road}{door}号",
                    f"{lng:.6f}",
                    f"{lat:.6f}",
                    "CGCS2000",
                ]
            )
    with path.open("w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "地址编码",
                "所属镇街",
                "街路巷名称",
                "门楼牌号",
                "标准地址",
                "经度",
                "纬度",
                "坐标系",
            ]
        )
        w.writerows(rows)
    return len(rows)


USERS = [
    ["用户名", "姓名", "角色", "所属镇街", "手机"],
    ["gc_zhang", "张伟", "网格员", "桂城街道", "13800000001"],
    ["gc_li", "李娜", "网格员", "440605011", "13800000002"],
    ["ss_wang", "王磊", "网格员", "狮山镇", "13800000003"],
    ["dl_liu", "刘洋", "网格员", "大沥镇", "13800000004"],
    ["dz_chen", "陈静", "网格员", "丹灶镇", "13800000005"],
    ["ls_huang", "黄敏", "网格员", "里水镇", "13800000006"],
    ["xq_zhao", "赵军", "网格员", "西樵镇", "13800000007"],
    ["jj_zhou", "周丽", "网格员", "九江镇", "13800000008"],
    ["ss_office", "吴刚", "镇安监办", "狮山镇", ""],
    ["bureau_nh", "郑洁", "区安监局", "", ""],
    # 松岗镇 is not a town of 南海区: refused, not created with no grids
    ["sg_sun", "孙涛", "网格员", "松岗镇", "13800000009"],
    ["gc_bad", "冯强", "网格员", "桂城街道", "12345"],
]


def write_users(path: Path) -> None:
    wb = openpyxl.Workbook()
    for row in USERS:
        wb.active.append(row)
    wb.save(path)
