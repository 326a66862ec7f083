"""Column headers of registry files: the many spellings of each field.

Registries come from licence systems, inspection tablets and hand-made
spreadsheets; the same column is called 统一社会信用代码, 信用代码, USCC or
credit_code. Headers are compared after NFKC, lower-casing and dropping spaces,
underscores and any bracketed note, so "经度（WGS84）" and "Longitude " both work.
"""

from __future__ import annotations

import re
import unicodedata

from gridwatch.errors import InvalidInputError

#: field → accepted header spellings (compared after :func:`header_key`).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "uscc",
             "credit_code", "creditcode", "unified_social_credit_code"),
    "name": ("企业名称", "单位名称", "名称", "企业(单位)名称", "生产经营单位名称",
             "name", "enterprise_name", "company", "company_name"),
    "address": ("地址", "详细地址", "经营地址", "注册地址", "生产经营地址", "企业地址",
                "住所", "address", "addr"),
    "sector": ("行业", "行业类别", "所属行业", "行业分类", "行业类型", "sector",
               "industry"),
    "risk_level": ("风险等级", "风险分级", "风险级别", "安全风险等级", "risk",
                   "risk_level"),
    "lng": ("经度", "lng", "lon", "long", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "datum": ("坐标系", "坐标系统", "datum", "crs", "coordinate_system"),
    "employees": ("从业人数", "员工人数", "从业人员", "从业人员数", "职工人数", "employees",
                  "staff", "headcount"),
    "is_three_in_one": ("三合一", "是否三合一", "三合一场所", "is_three_in_one",
                        "three_in_one"),
    "has_hazchem": ("危化品", "涉危化品", "是否涉危化品", "涉及危化品", "has_hazchem",
                    "hazchem"),
    "registered_on": ("成立日期", "登记日期", "注册日期", "成立时间", "registered_on",
                      "registration_date", "founded"),
    "precision": ("定位精度", "precision"),
    "source_datum": ("原始坐标系", "source_datum"),
    # the people every registry names (一企一档: 法定代表人, 主要负责人, 安全负责人)
    "legal_representative": ("法定代表人", "法人代表", "法定代表人姓名", "法人",
                             "企业法人", "legal_representative", "legal_person"),
    "principal": ("主要负责人", "企业负责人", "负责人", "principal",
                  "person_in_charge"),
    "safety_officer": ("安全负责人", "安全主任", "安全管理负责人", "安全管理人员",
                       "分管安全负责人", "安全员", "safety_officer"),
    "contact_phone": ("联系电话", "电话", "联系方式", "电话号码", "contact_phone",
                      "phone", "tel", "telephone"),
    # where the registry says the enterprise is (hints for the geocoder)
    "town_hint": ("所属镇街", "镇街", "所属镇街道", "所属街道", "所属镇", "所在镇街",
                  "镇/街道", "镇街道", "街道", "town", "town_hint"),
    "community_hint": ("所属村居", "村居", "所属社区", "所属村", "所属村委会",
                       "所在村居", "村/社区", "村社区", "社区", "村", "community",
                       "community_hint"),
    # GB/T 4754-2017 industry code or name (国民经济行业分类)
    "industry_code": ("国民经济行业代码", "国民经济行业分类", "国民经济行业分类代码",
                      "行业代码", "国标行业代码", "国民经济行业", "industry_code",
                      "gbt4754"),
}
#: Headers of a column of row numbers (序号 1, 2, 3 … that a clerk's sheet
#: numbers its rows with): not enterprise data, so not kept. Kept, a re-sorted or
#: re-numbered export would "update" every enterprise, and 序号 would show in each
#: enterprise's file as if it meant something.
ROW_NUMBER_HEADERS = ("序号", "行号", "序", "no", "no.", "row_no", "row_number")
#: Chinese header written on export, per field (the reader's first alias).
EXPORT_HEADERS: dict[str, str] = {f: a[0] for f, a in HEADER_ALIASES.items()}
REQUIRED = ("uscc", "name")

_BRACKETED = re.compile(r"[(（\[【].*?[)）\]】]")
_DROP = re.compile(r"[\s_\-*:：]+")


def header_key(text: object) -> str:
    """Comparable form of a header cell: "经度（WGS84）" → "经度"."""
    if text is None:
        return ""
    key = unicodedata.normalize("NFKC", str(text)).lower().strip()
    key = _BRACKETED.sub("", key) or key
    return _DROP.sub("", key)


_LOOKUP = {header_key(a): f for f, aliases in HEADER_ALIASES.items() for a in aliases}


def recognise_headers(cells, header_map: dict[str, str] | None = None):
    """Map header cells to fields.

    Parameters
    ----------
    cells : sequence
        The header row as read.
    header_map : dict, optional
        Extra ``{header as in the file: field}`` entries; they win over the
        built-in spellings. Fields are the keys of :data:`HEADER_ALIASES`.

    Returns
    -------
    columns : dict[int, str]
        Column index → field, for the recognised columns.
    unknown : list[str]
        Header cells that match no field (reported, their values ignored).

    Raises
    ------
    InvalidInputError
        If ``header_map`` names an unknown field, two columns map to one field,
        or a required field (credit code, name) has no column.

    Examples
    --------
    >>> recognise_headers(["信用代码", "单位名称", "经度（WGS84）", "备注"])
    ({0: 'uscc', 1: 'name', 2: 'lng'}, ['备注'])
    """
    extra = {}
    for raw, field in (header_map or {}).items():
        if field not in HEADER_ALIASES:
            raise InvalidInputError(
                f"Header mapping {raw!r} → {field!r}: unknown field; use one of "
                f"{', '.join(HEADER_ALIASES)}.")
        extra[header_key(raw)] = field
    columns, unknown, seen = {}, [], {}
    for i, cell in enumerate(cells):
        key = header_key(cell)
        field = extra.get(key) or _LOOKUP.get(key)
        if field is None:
            if key:
                unknown.append(str(cell).strip())
            continue
        if field in seen:
            raise InvalidInputError(
                f"Columns {seen[field]!r} and {str(cell).strip()!r} both hold {field}; "
                "delete one or rename it.")
        seen[field] = str(cell).strip()
        columns[i] = field
    missing = [f for f in REQUIRED if f not in seen]
    if missing:
        names = ", ".join(f"{EXPORT_HEADERS[f]} ({f})" for f in missing)
        raise InvalidInputError(
            f"The file has no column for {names}; rename the header or pass a "
            "header mapping.")
    return columns, unknown


def is_row_number_header(text: object) -> bool:
    """True for a header of a row-number column (:data:`ROW_NUMBER_HEADERS`).

    >>> is_row_number_header("序号"), is_row_number_header("企业序号")
    (True, False)
    """
    return header_key(text) in _ROW_NUMBER_KEYS


_ROW_NUMBER_KEYS = {header_key(h) for h in ROW_NUMBER_HEADERS}


def looks_like_header(cells, header_map: dict[str, str] | None = None) -> bool:
    """True when at least two cells are known headers (skips title rows)."""
    extra = {header_key(k) for k in header_map or ()}
    return sum(header_key(c) in _LOOKUP or header_key(c) in extra for c in cells) >= 2
