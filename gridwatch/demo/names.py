"""Word lists and small text helpers for realistic demo names (Foshan flavoured).

Nothing here is random by itself: the generators draw from these lists with their
own seeded ``numpy.random.Generator``.
"""

from __future__ import annotations

#: Surnames, most common in Foshan/Guangdong first (weights roughly follow them).
SURNAMES = (
    "陈",
    "梁",
    "黄",
    "李",
    "何",
    "罗",
    "冯",
    "林",
    "张",
    "吴",
    "麦",
    "区",
    "潘",
    "关",
    "霍",
    "谭",
    "邓",
    "杨",
    "刘",
    "郭",
    "周",
    "叶",
    "钟",
    "招",
    "卢",
    "苏",
    "简",
    "蔡",
    "曾",
    "胡",
)
SURNAME_WEIGHTS = (
    14,
    9,
    9,
    8,
    6,
    5,
    4,
    4,
    4,
    4,
    3,
    3,
    3,
    3,
    2,
    2,
    2,
    3,
    3,
    2,
    2,
    2,
    2,
    1,
    2,
    2,
    1,
    2,
    1,
    1,
)
GIVEN_CHARS = (
    "伟",
    "强",
    "志",
    "明",
    "华",
    "文",
    "建",
    "国",
    "永",
    "俊",
    "杰",
    "锦",
    "嘉",
    "健",
    "浩",
    "家",
    "振",
    "冠",
    "耀",
    "宇",
    "丽",
    "敏",
    "静",
    "燕",
    "玲",
    "婷",
    "雪",
    "慧",
    "秀",
    "芳",
    "淑",
    "颖",
    "惠",
    "洁",
    "红",
    "霞",
    "海",
    "波",
    "荣",
    "辉",
    "坚",
    "润",
    "泽",
    "昌",
    "达",
    "宏",
    "锋",
    "彬",
)

#: Trade-name (字号) syllables for enterprise names.
TRADE_CHARS = (
    "鸿",
    "利",
    "兴",
    "达",
    "华",
    "盛",
    "顺",
    "祥",
    "泰",
    "丰",
    "源",
    "信",
    "诚",
    "宏",
    "恒",
    "佳",
    "美",
    "金",
    "宝",
    "万",
    "福",
    "安",
    "新",
    "康",
    "锦",
    "荣",
    "昌",
    "隆",
    "骏",
    "展",
    "嘉",
    "博",
    "德",
    "汇",
    "联",
    "力",
    "创",
    "科",
    "卓",
    "威",
    "凯",
    "越",
    "辉",
    "耀",
    "航",
    "通",
    "雅",
    "豪",
    "星",
    "伟",
    "益",
    "众",
    "志",
    "晟",
    "铭",
    "润",
    "浩",
    "天",
    "瑞",
    "东",
)

#: Sector → (industry words, business-unit words for 个体户, org forms for companies).
SECTOR_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ceramics": (
        ("陶瓷", "建陶", "瓷砖", "陶瓷原料", "釉料"),
        ("陶瓷经营部", "瓷砖店"),
    ),
    "sanitary_ware": (
        ("卫浴", "洁具", "卫浴科技", "水暖卫浴"),
        ("卫浴经营部", "洁具店"),
    ),
    "furniture": (("家具", "家居", "木业", "办公家具"), ("家具厂", "木器加工场")),
    "nonferrous_metals": (
        ("有色金属", "铜材", "金属材料", "铝业"),
        ("金属回收站", "铜材经营部"),
    ),
    "al_mg_machining": (
        ("铝制品", "镁合金制品", "五金制品", "精密机械"),
        ("五金加工店", "铝材加工部"),
    ),
    "metal_products": (
        ("金属制品", "不锈钢制品", "五金", "钢结构"),
        ("五金厂", "不锈钢加工店"),
    ),
    "hazchem": (("化工", "化工原料", "气体", "涂料"), ("化工经营部", "油漆店")),
    "fireworks": (("烟花爆竹", "烟花爆竹贸易"), ("烟花爆竹零售点", "烟花爆竹店")),
    "liquid_ammonia": (("冷藏", "冷冻食品", "冷链物流"), ("冻品经营部", "冷库")),
    "warehouse": (("仓储", "物流", "供应链", "货运"), ("仓储部", "货运部")),
    "textile": (
        ("纺织", "针织", "制衣", "布业", "服装"),
        ("针织厂", "制衣厂", "织布厂"),
    ),
    "plastics": (("塑料", "塑胶制品", "新材料"), ("塑料加工厂", "胶袋厂")),
    "printing": (("印刷", "包装", "彩印"), ("印刷店", "纸品加工部")),
    "food": (("食品", "粮油", "饮料"), ("食品加工场", "烧腊店")),
    "machinery": (("机械", "机电设备", "自动化设备"), ("机械维修部", "机电经营部")),
    "electronics": (("电子", "电器", "照明", "光电"), ("电器维修部", "灯饰店")),
    "building_materials": (("建材", "装饰材料", "石材"), ("建材经营部", "石材店")),
    "retail": (
        ("贸易", "商贸", "百货", "实业"),
        ("商行", "便利店", "士多店", "经营部"),
    ),
    "hospitality": (
        ("餐饮管理", "酒店管理", "饮食"),
        ("餐厅", "茶餐厅", "大排档", "旅馆"),
    ),
    "other": (("实业", "科技", "投资", "服务"), ("经营部", "服务部")),
}
COMPANY_FORMS = (
    "有限公司",
    "有限公司",
    "有限公司",
    "有限公司",
    "股份有限公司",
    "厂",
    "制品厂",
    "有限责任公司",
)

#: Stems for generated local road names, beyond the community names.
ROAD_STEMS = (
    "兴华",
    "明德",
    "福宁",
    "瑞安",
    "翠园",
    "锦华",
    "宝华",
    "同济",
    "东平",
    "朝安",
    "华远",
    "南海",
    "汾宁",
    "塘岗",
    "石角",
    "雾岗",
    "镇安",
    "祥和",
    "文明",
    "丰收",
    "裕和",
    "新市",
    "永安",
    "康宁",
    "吉祥",
    "平安",
    "安华",
    "和平",
    "青年",
    "新风",
    "城西",
    "城南",
    "工业",
    "兴业",
    "创业",
    "科技",
    "聚龙",
    "龙津",
    "荣华",
    "富华",
    "金华",
    "宝盛",
    "亲仁",
    "升平",
    "建新",
    "太平",
    "环市",
    "江湾",
    "莲花",
    "卫国",
    "人民",
    "跃进",
    "红星",
    "朝阳",
    "紫荆",
    "玫瑰",
    "百合",
    "桂花",
    "凤凰",
    "鸿业",
    "福贤",
    "文庙",
    "同华",
)
ROAD_SUFFIXES = (
    "路",
    "路",
    "路",
    "路",
    "大街",
    "街",
    "巷",
    "一路",
    "二路",
    "三路",
    "东路",
    "西路",
    "南路",
    "北路",
    "大道",
    "横街",
    "直街",
    "坊",
)
INDUSTRIAL_PLACES = ("工业园", "工业区", "工业园", "科技园", "创意园", "工业城")
URBAN_PLACES = ("商业城", "大厦", "广场", "商务中心", "大厦", "商贸城")

_DIGITS = "零一二三四五六七八九"
# full-width forms, U+FF10-FF19, U+FF21-FF24, U+FF0D
_FULLWIDTH = str.maketrans(
    "0123456789ABCD-",
    "".join(chr(0xFF10 + i) for i in range(10)) + "\uff21\uff22\uff23\uff24\uff0d",
)


def chinese_number(n: int) -> str:
    """Write 1-9999 in Chinese numerals the way door plates are spelt.

    >>> [chinese_number(k) for k in (123, 10, 105, 2010)]
    ['一百二十三', '十', '一百零五', '二千零一十']
    """
    if not 0 < n < 10000:
        raise ValueError(f"door number {n} outside 1-9999")
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    out = ""
    zero = False
    for unit, value in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        d = n // value % 10
        if d:
            if zero and out:
                out += "零"
            out += _DIGITS[d] + unit
            zero = False
        elif out:
            zero = True
    return out


def fullwidth(text: str) -> str:
    """ASCII digits (and A-D, '-') → full-width forms, as some registries type them.

    >>> fullwidth("123") == "\uff11\uff12\uff13"
    True
    """
    return text.translate(_FULLWIDTH)
