"""Text around an address that is not the address, and door lists.

Registry cells hold more than the address: a postcode in front
(``528000 佛山市…``), a phone number or contact person after it
(``电话：0757-83084971``, ``联系人：陈先生``), a label (``注册地址：``), an e-mail,
a self-assigned number (``自编3号``, which is not a door plate). A leading
postcode is the worst: read as a door number it stops every later match. These
are removed before the punctuation that delimits them is (``normalize``
removes punctuation and would glue ``35号 0757`` into one number).

Several doors (``51、53号``, ``51-53号``, ``51至53号``, ``51/53号``) are cut to the
first door; the others are returned so the matcher can try them and say so.
A dash followed by a smaller number or one of the other parity (``12-1号``,
``12-3号``) is an annex (之一, 之三), not a list.

All patterns run on NFKC text (full-width colons, parentheses and digits are
already ASCII).
"""

from __future__ import annotations

import re

__all__ = ["split_doors", "strip_contact"]

_CN = r"\u3400-\u9fff"
_LABELLED_PHONE = re.compile(
    r"(?:联系|办公|固定|移动)?(?:电话|手机|座机|固话|传真|TEL|PHONE|FAX|MOBILE)"
    r"(?:号码|号)?\s*[:]?\s*\+?[\d\s()\-/转]{6,}\d",
    re.IGNORECASE,
)
_POSTCODE_LABEL = re.compile(
    r"(?:邮编|邮政编码|邮码|POSTCODE|ZIP)\s*[:]?\s*\d{6}", re.IGNORECASE
)
# a 2-4 character name, optionally with a title, ended by punctuation, a digit,
# a phone label or the end ("联系人：陈先生 13800138000")
_CONTACT = re.compile(
    rf"(?:联系人|负责人|法人)\s*[:]?\s*[{_CN}]{{1,4}}?"
    r"(?:先生|女士|小姐|经理|总)?(?=$|[\s,;，；、()]|\d|电话|手机|TEL)",
    re.IGNORECASE,
)
_EMAIL = re.compile(
    r"(?:E-?MAIL|邮箱)?\s*[:]?\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE | re.ASCII
)
_MOBILE = re.compile(
    r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}"
    r"(?![\d号栋座幢室层楼])"
)
_LANDLINE = re.compile(
    r"(?<!\d)(?:\(0\d{2,3}\)\s*|0\d{2,3}[-\s]|0\d{2,3}(?=\d{8}))"
    r"\d{7,8}(?:[-转]\d{1,5})?(?![\d号栋座幢室层楼])"
)
_UNIT_AFTER = r"(?![\d号栋座幢室层楼房铺])"
_POSTCODE_EDGE = re.compile(
    rf"^[\s(]*\d{{6}}[\s)]*{_UNIT_AFTER}|(?<!\d)\(?\d{{6}}\)?\s*$"
)
_POSTCODE_PAREN = re.compile(r"\(\s*\d{6}\s*\)|(?<=\s)\d{6}(?=\s)")
_LABEL = re.compile(
    r"^\s*(?:注册|经营|生产|办公|实际|通讯|通信|联系|详细)?"
    r"(?:地址|住所|场所|地点)\s*[:]\s*"
)
# 自编3号, 自编号:12, (自编5号): the owner's own numbering, not a door plate
_SELF_NUMBERED = re.compile(
    r"\(?自编(?:号)?\s*[:]?\s*[A-Z]?\d+[A-Z]?"
    r"(?:号|栋|座|室|铺|房|幢)?\)?"
)
_PATTERNS = (
    _LABELLED_PHONE,
    _POSTCODE_LABEL,
    _CONTACT,
    _EMAIL,
    _MOBILE,
    _LANDLINE,
    _POSTCODE_PAREN,
    _SELF_NUMBERED,
)


def strip_contact(text: str) -> tuple[str, bool]:
    """Remove phone numbers, postcodes, e-mails, contacts, labels, 自编 numbers.

    Returns the text and whether anything was removed. Repeated until nothing
    changes, so the result is a fixed point (normalising stays idempotent).

    >>> strip_contact("528000 佛山市禅城区玫瑰直街35号 电话:0757-83084971")
    ('佛山市禅城区玫瑰直街35号', True)
    >>> strip_contact("季华五路12号")
    ('季华五路12号', False)
    """
    original = text
    for _ in range(8):
        before = text
        for rx in _PATTERNS:
            text = rx.sub(" ", text)
        text = _LABEL.sub("", text)
        text = _POSTCODE_EDGE.sub("", text.strip()) if text.strip() else ""
        if text == before:
            break
    return text, text != original


_SEP_LIST = r"\s*(?:、|,|，|/|及|和|与|;|&|\+)\s*"
_SEP_RANGE = r"\s*(-|~|〜|至|到)\s*"
# the numbers must follow a name (路, 街, 园 …), not a building or room number
_AFTER_NAME = rf"(?<=[{_CN}A-Za-z])(?<![栋座幢楼层室号房铺])"
_DOOR_LIST = re.compile(
    rf"{_AFTER_NAME}(\d{{1,5}})号?(?:{_SEP_LIST}\d{{1,5}}号?)*"
    rf"{_SEP_LIST}\d{{1,5}}号"
)
_DOOR_RANGE = re.compile(rf"{_AFTER_NAME}(\d{{1,5}})号?{_SEP_RANGE}(\d{{1,5}})号")
_NUMBER = re.compile(r"\d+")


def split_doors(text: str) -> tuple[str, tuple[int, ...]]:
    """Cut a list or range of doors to its first door; return the others.

    >>> split_doors("卫国南路51、53号")
    ('卫国南路51号', (53,))
    >>> split_doors("卫国南路51至53号")
    ('卫国南路51号', (53,))
    >>> split_doors("兴业路12-1号")      # an annex, 12号之一
    ('兴业路12-1号', ())
    """
    others: list[int] = []

    def one(m: re.Match) -> str:
        numbers = [int(n) for n in _NUMBER.findall(m.group())]
        others.extend(numbers[1:])
        return f"{numbers[0]}号"

    def span(m: re.Match) -> str:
        first, sep, last = int(m.group(1)), m.group(2), int(m.group(3))
        # 12-1号 and 12-3号 are annexes of 12 (之一, 之三), left to the normaliser;
        # 51-53号 (same side of the street, upwards) and 51至53号 are doors
        if last <= first or (sep == "-" and (last - first) % 2):
            return m.group()
        others.append(last)
        return f"{first}号"

    text = _DOOR_LIST.sub(one, text)
    text = _DOOR_RANGE.sub(span, text)
    return text, tuple(others)
