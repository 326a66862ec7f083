"""Row parts beyond the core fields: sector/industry, contact people, town and
community hints, extra columns, value mappings and totals rows.

Each ``read_*`` function fills its keys of the record ``rec`` from the raw row
and reports through ``bad(field, value, reason)`` (rejects the row) or
``note(field, value, reason)`` (the row is stored; a person should know).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from gridwatch.registry import fields as F
from gridwatch.registry.industry import match_industry
from gridwatch.registry.uscc import EXCEL_DIGITS
from gridwatch.vocab import TOTAL_ROW_ALIASES

__all__ = [
    "CONTACT_FIELDS",
    "apply_value_map",
    "read_contacts",
    "read_extras",
    "read_hints",
    "read_sector",
    "repeats_header",
    "totals_word",
]

#: The people and phone every registry names (一企一档), stored as fields.
CONTACT_FIELDS = (
    "legal_representative",
    "principal",
    "safety_officer",
    "contact_phone",
)
PERSON_LIMIT = 100
PHONE_LIMIT = 64
HINT_LIMIT = 100
EXTRA_LIMIT = 1000
#: Extra columns kept per row at most (a sheet with 10,000 columns is a mistake).
EXTRA_COLUMNS_LIMIT = 200


def _key(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def apply_value_map(raw: dict, value_map: dict[str, dict[str, str]]) -> dict:
    """A copy of ``raw`` with mapped values replaced (``--map-values`` style).

    ``value_map`` is ``{field or extra header: {old: new}}``; cells are compared
    after NFKC and trimming, so 非金属矿物 matches " 非金属矿物 ".

    >>> apply_value_map({"sector": "瓷砖厂"}, {"sector": {"瓷砖厂": "陶瓷"}})
    {'sector': '陶瓷'}
    """
    out = dict(raw)
    extra = dict(raw.get("_extra", {}))
    for column, mapping in value_map.items():
        target = out if column in out else extra if column in extra else None
        if target is None:
            continue
        new = mapping.get(_key(target[column]))
        if new is not None:
            target[column] = new
    if extra:
        out["_extra"] = extra
    return out


def read_sector(raw: dict, rec: dict, bad, note) -> None:
    """``sector`` and ``industry_code`` from the 行业 and 国民经济行业代码 cells.

    The sector cell may be a supervision sector or GB/T 4754-2017; a separate
    industry-code column gives the code, and the sector when the sector cell is
    empty.
    """
    sector_cell, industry_cell = raw.get("sector"), raw.get("industry_code")
    gb_from_sector = None
    if sector_cell is not None and _key(sector_cell):
        try:
            match = F.parse_sector_cell(sector_cell)
        except ValueError as exc:
            bad("sector", sector_cell, str(exc))
        else:
            rec["sector"], gb_from_sector = match.sector, match.industry_code
            if match.note:
                note("sector", sector_cell, match.note)
    if industry_cell is not None and _key(industry_cell):
        try:
            gb = match_industry(industry_cell)
            if gb is None:
                raise ValueError(
                    f"{industry_cell!r} is not a GB/T 4754-2017 industry; give its code "
                    "(e.g. 30 or C3071) or its name (e.g. 非金属矿物制品业)"
                )
        except ValueError as exc:
            bad("industry_code", industry_cell, str(exc))
            return
        rec["industry_code"] = gb.code
        if gb.note:
            note("industry_code", industry_cell, gb.note)
        if rec["sector"] is None and sector_cell is None:
            rec["sector"] = gb.sector
        elif gb_from_sector and not (
            gb.code.startswith(gb_from_sector) or gb_from_sector.startswith(gb.code)
        ):
            note(
                "industry_code",
                industry_cell,
                f"行业 says GB/T 4754 {gb_from_sector} but 行业代码 says {gb.code}; "
                "the sector was taken from 行业",
            )
    elif gb_from_sector:
        rec["industry_code"] = gb_from_sector


def _text(value: object) -> str:
    """A cell as text: numbers without a spurious .0, dates as ISO, 是/否."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, dt.datetime):
        return (
            value.date().isoformat()
            if value.time() == dt.time()
            else value.isoformat(sep=" ")
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _long_number(value: object) -> bool:
    """A spreadsheet number with more digits than Excel keeps."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and abs(float(value)) >= 10**EXCEL_DIGITS
    )


_DIGITS_NOTE = (
    f"was stored as a number of more than {EXCEL_DIGITS} digits; Excel "
    "keeps only 15, so the last ones are probably wrong: format the column "
    "as text and type it again"
)


def read_contacts(raw: dict, rec: dict, bad, note) -> None:
    """法定代表人, 主要负责人, 安全负责人 and 联系电话 as text."""
    for name in CONTACT_FIELDS:
        value = raw.get(name)
        if value is None:
            continue
        limit = PHONE_LIMIT if name == "contact_phone" else PERSON_LIMIT
        try:
            rec[name] = F.clean_text(_text(value), limit) or None
        except ValueError as exc:
            bad(name, value, f"{name} {exc}")
            continue
        if (
            name == "contact_phone"
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        ):
            text = rec[name] or ""
            if not (len(text) == 11 and text.startswith("1")):  # not a mobile number
                note(
                    name,
                    text,
                    "联系电话 was stored as a number, so a leading 0 (the "
                    "area code's) may be lost; format the column as text",
                )
        elif _long_number(value):
            note(name, value, f"{name} {_DIGITS_NOTE}")


def read_hints(raw: dict, rec: dict, bad, note, units) -> None:
    """所属镇街 / 所属村居 as written, and their codes when they name loaded units."""
    town_code = None
    for name, level in (("town_hint", "town"), ("community_hint", "community")):
        value = raw.get(name)
        if value is None:
            continue
        try:
            text = F.clean_text(_text(value), HINT_LIMIT)
        except ValueError as exc:
            bad(name, value, f"{name} {exc}")
            continue
        rec[name] = text or None
        if not text or not units:
            continue
        found = (
            units.town(text) if level == "town" else units.community(text, town_code)
        )
        rec[f"{name}_code"] = found.code
        if level == "town":
            town_code = found.code
        if found.code is None:
            note(name, text, found.reason)


def read_extras(raw: dict, rec: dict, bad, note) -> None:
    """Columns gridwatch has no field for, kept as ``{header: text}``."""
    extra = raw.get("_extra")
    if not extra:
        return
    if len(extra) > EXTRA_COLUMNS_LIMIT:
        bad(
            "extra_attrs",
            f"{len(extra)} columns",
            f"the row has {len(extra)} columns gridwatch has no field for; at most "
            f"{EXTRA_COLUMNS_LIMIT} are kept: delete the empty or unused ones",
        )
        return
    out = {}
    for header, value in extra.items():
        try:
            out[header] = F.clean_text(_text(value), EXTRA_LIMIT)
        except ValueError as exc:
            bad(header, value, f"{header} {exc}")
            continue
        if _long_number(value):
            note(header, value, f"{header} {_DIGITS_NOTE}")
    rec["extra_attrs"] = {k: v for k, v in out.items() if v} or None


# a cell that is only a totals word of gridwatch.vocab (longest first: "subtotal"
# before "total"), perhaps after a short scope ("全区", "本页") and before a count
# ("合计：54家"); "合计路1号" is an address, not a totals cell
_WORDS = sorted(
    (re.escape(w.replace(" ", "")) for w in TOTAL_ROW_ALIASES), key=len, reverse=True
)
_TOTAL = re.compile(
    r"^(?:\w{0,6}?)(" + "|".join(_WORDS) + r")[:：]?(?:\d+(?:\.\d+)?[家户个人条项]?)?$",
    re.IGNORECASE,
)


def totals_word(raw: dict) -> str | None:
    """The totals word (合计, 总计, 小计, 共计) of a totals row, else None.

    A totals row has no credit code (or the word stands in the credit-code
    column) and a cell that is the word, perhaps with a scope before it and a
    count after it ("合计", "全区合计", "合计：54家").

    >>> totals_word({"uscc": "合计", "employees": 350})
    '合计'
    >>> totals_word({"name": "合计五金厂", "uscc": "91350100M000100Y43"}) is None
    True
    """
    code = raw.get("uscc")
    if isinstance(code, str) and len(code) >= 15:  # fast path: a code-like cell
        return None
    if code is not None and not _TOTAL.match(re.sub(r"\s+", "", _key(code))):
        return None
    values = [v for k, v in raw.items() if not k.startswith("_")]
    values += list(raw.get("_extra", {}).values())
    if raw.get("_row_label") is not None:
        values.append(raw["_row_label"])
    for v in values:
        if isinstance(v, str):
            m = _TOTAL.match(re.sub(r"\s+", "", _key(v)))
            if m:
                return m.group(1)
    return None


def repeats_header(raw: dict) -> bool:
    """True for a row that repeats the header (tables pasted one under another):
    two or more of its cells are known header spellings.

    >>> repeats_header({"uscc": "统一社会信用代码", "name": "企业名称"})
    True
    """
    from gridwatch.registry.headers import looks_like_header

    code = raw.get("uscc")
    if isinstance(code, str) and len(code) >= 15:  # fast path: a code-like cell
        return False
    cells = [v for k, v in raw.items() if not k.startswith("_") and isinstance(v, str)]
    return len(cells) >= 2 and looks_like_header(cells)
