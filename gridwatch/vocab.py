"""Controlled vocabularies: codes used in data and code, with their Chinese labels.

One place for every list that input is validated against (registry import, forms,
API) and that the UI translates. Keys are stable English codes; values are zh-CN.
"""

from __future__ import annotations

RISK_LEVELS: dict[str, str] = {  # 风险等级 红/橙/黄/蓝 (重大/较大/一般/低)
    "red": "红(重大风险)",
    "orange": "橙(较大风险)",
    "yellow": "黄(一般风险)",
    "blue": "蓝(低风险)",
}
#: Chinese spellings accepted on import for each risk level.
RISK_ALIASES: dict[str, str] = {
    "红": "red",
    "红色": "red",
    "重大": "red",
    "重大风险": "red",
    "a": "red",
    "橙": "orange",
    "橙色": "orange",
    "较大": "orange",
    "较大风险": "orange",
    "b": "orange",
    "黄": "yellow",
    "黄色": "yellow",
    "一般": "yellow",
    "一般风险": "yellow",
    "c": "yellow",
    "蓝": "blue",
    "蓝色": "blue",
    "低": "blue",
    "低风险": "blue",
    "d": "blue",
}

SECTORS: dict[str, str] = {
    "ceramics": "陶瓷",
    "sanitary_ware": "卫浴洁具",
    "furniture": "家具",
    "nonferrous_metals": "有色金属",
    "al_mg_machining": "铝镁制品机加工",
    "metal_products": "金属制品",
    "hazchem": "危险化学品",
    "fireworks": "烟花爆竹经营",
    "liquid_ammonia": "涉氨制冷",
    "warehouse": "仓储物流",
    "textile": "纺织服装",
    "plastics": "塑料制品",
    "printing": "印刷包装",
    "food": "食品加工",
    "machinery": "机械设备",
    "electronics": "电子电器",
    "building_materials": "建材",
    "retail": "商贸零售",
    "hospitality": "餐饮住宿",
    "other": "其他",
}

INSPECTION_KINDS: dict[str, str] = {  # the "三查"
    "inspection": "检查",
    "spot_check": "抽查",
    "patrol": "巡查",
}

INSPECTION_RESULTS: dict[str, str] = {
    "pass": "合格",
    "hazards_found": "发现隐患",
    "ordered_to_stop": "责令停产停业",
}

#: Check-in of an inspection recorded on a phone (gridwatch.checkin). Only
#: ``far`` is flagged for review; the others say why nothing could be verified.
CHECKIN_STATUSES: dict[str, str] = {
    "verified": "已核验(在企业附近)",
    "far": "距企业过远(待核查)",
    "coarse": "手机定位精度不足,无法核验",
    "site_imprecise": "企业位置仅到镇街/村社区,无法核验",
    "not_same_day": "补录(定位非检查当日),无法核验",
    "unverified": "未获取定位,未核验",
}

HAZARD_LEVELS: dict[str, str] = {"ordinary": "一般隐患", "major": "重大隐患"}

HAZARD_STATUSES: dict[str, str] = {  # 整改 · 复查 · 销号
    "open": "未整改",
    "rectified": "已整改待复查",
    "closed": "已销号",
    "overdue": "逾期未整改",
}

HAZARD_CATEGORIES: dict[str, str] = {
    "fire": "消防安全",
    "electrical": "电气安全",
    "machinery": "机械防护",
    "hazchem_storage": "危化品储存",
    "dust": "粉尘防爆",
    "confined_space": "有限空间",
    "occupational": "职业危害",
    "three_in_one": "三合一场所",
    "management": "安全管理",
    "special_equipment": "特种设备",
}

PENALTY_KINDS: dict[str, str] = {
    "warning": "警告",
    "fine": "罚款",
    "suspension": "责令停产停业整顿",
    "confiscation": "没收违法所得",
}

ROLES: dict[str, str] = {
    "warden": "网格员",
    "street_office": "街道(镇)安监办",
    "bureau": "区安监局",
    "admin": "系统管理员",
}

PRECISIONS: dict[str, str] = {  # geocode precision, best first
    "manual": "人工标注",
    "supplied": "登记坐标",
    "door": "门牌",
    "road": "道路",
    "community": "社区/村",
    "town": "镇街",
    "district": "区",
    "none": "未定位",
}

ADMIN_LEVELS: dict[str, str] = {
    "district": "区",
    "town": "镇/街道",
    "community": "村/社区",
}
