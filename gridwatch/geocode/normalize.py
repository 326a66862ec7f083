"""Address normalising: one canonical spelling before parsing and matching.

Registry addresses are typed by hand, copied from licences and spreadsheets, and
arrive with full-width digits, traditional characters, Chinese numerals in door
numbers, spaces and punctuation, "村委会"-style suffixes and a dozen ways to
write "No. 12, annex 1" (12号之一 / 12-1号 / 12之1号 / 12号附1). This module turns
them into one spelling so that the gazetteer lookups are plain dict hits.

The same function normalises the gazetteer's own names, so whichever spelling is
chosen as canonical both sides agree: numbers inside road names become Chinese
numerals (同济1路 → 同济一路, 2马路 → 二马路, 第1工业区 → 第一工业区), door numbers
become Arabic digits (一百二十三号 → 123号).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from gridwatch.geocode.lookalike import fold_lookalikes
from gridwatch.geocode.noise import split_doors, strip_contact

__all__ = [
    "Normalised",
    "cn_numeral_to_int",
    "int_to_cn",
    "normalise_address",
    "normalise_parts",
    "to_simplified",
]

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_SUFFIX_CN = "零一二三四五六七八九十"


def cn_numeral_to_int(text: str) -> int:
    """Chinese numeral → int: "一百二十三" → 123, "一二三" → 123, "十二" → 12.

    Raises
    ------
    ValueError
        If ``text`` holds anything but Chinese digits and 十/百/千.

    Examples
    --------
    >>> cn_numeral_to_int("一百零五"), cn_numeral_to_int("二〇八"), cn_numeral_to_int("十")
    (105, 208, 10)
    """
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if not any(c in _UNITS for c in text):  # read digit by digit: 一二三 = 123
        return int("".join(str(_DIGITS[c]) for c in text))
    total, digit = 0, None
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        else:
            total += (1 if digit is None else digit) * _UNITS[c]
            digit = None
    return total + (digit or 0)


def int_to_cn(n: int) -> str:
    """0-9999 in Chinese numerals as names write them: 12 → 十二, 105 → 一百零五.

    >>> int_to_cn(1), int_to_cn(10), int_to_cn(21), int_to_cn(110), int_to_cn(2008)
    ('一', '十', '二十一', '一百一十', '二千零八')
    """
    if not 0 <= n <= 9999:
        raise ValueError(f"{n} is outside 0-9999")
    if n < 10:
        return _SUFFIX_CN[n]
    if n < 20:  # 十二, not 一十二
        return "十" + (_SUFFIX_CN[n - 10] if n > 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            out += ("零" if zero and out else "") + _SUFFIX_CN[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


_int_to_cn_suffix = int_to_cn  # door suffixes 之一 … 之九十九


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Characters OpenCC's TSCharacters table changes (for a cheap pre-check).

    A set, not a regex character class: ``re`` scans a 2,700-character class
    member by member (~15 µs an address), ``isdisjoint`` hashes (~1 µs).
    """
    from importlib import resources

    table = resources.files("opencc").joinpath("dictionary/TSCharacters.txt")
    chars = set()
    for line in table.read_text("utf-8").splitlines():
        trad, _, simp = line.partition("\t")
        if len(trad) == 1 and simp.split(" ")[0] != trad:
            chars.add(trad)
    return frozenset(chars)


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC t2s), skipped when nothing to do.

    OpenCC's pure-Python converter costs ~100 µs a string; most addresses are
    already simplified, so a set lookup decides first.

    >>> to_simplified("廣東省佛山市禪城區")
    '广东省佛山市禅城区'
    """
    if _traditional_chars().isdisjoint(text):
        return text
    return _converter().convert(text)


_CN_NUM = "零〇一二两三四五六七八九十百千"
# A Chinese numeral in front of 号/栋/座/幢/室/层/楼/弄/巷 is a number; 之X is a suffix.
_CN_BEFORE_UNIT = re.compile(rf"(?<![{_CN_NUM}])([{_CN_NUM}]+)(?=号|栋|座|幢|室|层|楼)")
_SPACE_PUNCT = re.compile(
    r"[\s,，。、;；:：'\"“”‘’()（）\[\]【】{}<>《》|/\\·•*?!_~`^=+…]+"
)
# 12-1号, 12之1号, 12号之1, 12号附1, 12号-1 → 12号之一
_DOOR_DASH = re.compile(r"(\d+)(?:-|之|附)(\d{1,2})号")
_DOOR_AFTER = re.compile(r"(\d+)号(?:-|之|附)(\d{1,2})(?![\d号栋座幢室层楼])")
_DOOR_CN_BEFORE = re.compile(r"(\d+)之([一二三四五六七八九十]+)号")
_HASH = re.compile(r"(\d+)#")
_DASH = re.compile(r"-+")
# digits inside a road or place name (同济1路, 2马路, 东1路, 第1工业区) → Chinese,
# the way the names are registered; not after a building/door unit (88号1路)
_ROAD_SUFFIX = r"(?:大马路|马路|大道|大街|横街|直街|横路|支路|路|街|巷|坊|弄|号路)"
_ROAD_DIGITS = re.compile(
    rf"(?<![\dA-Z号栋座幢楼层室房铺])(\d{{1,3}})"
    rf"(?={_ROAD_SUFFIX})(?!路口)"
)
_ORDINAL = re.compile(r"(?<=第)(\d{1,3})(?![\d号栋座幢楼层室房铺])")
# pre-checks: a character class scans far faster than an alternation of words
_HAS_ROAD_DIGITS = re.compile(r"\d[大马路街巷坊弄号横直支]|第\d")
# cheap pre-checks before the noise patterns run (most addresses need neither)
_NOISE_DIGITS = re.compile(r"\d{6}|1[3-9]\d[\s-]\d{4}|\(0\d|0\d{2,3}[\s-]\d")
_NOISE_WORDS = (
    "@",
    "电话",
    "手机",
    "传真",
    "联系",
    "负责",
    "法人",
    "邮",
    "地址",
    "住所",
    "场所",
    "地点",
    "自编",
    "TEL",
    "Tel",
    "tel",
    "FAX",
    "Fax",
    "fax",
    "PHONE",
    "Phone",
    "phone",
    "MOBILE",
    "Mobile",
    "mobile",
)
_NOISE_FIRST = frozenset(w[0] for w in _NOISE_WORDS)
_LIST_CHARS = frozenset("、,/及和与;&+-~〜至到")
_MAY_LIST_DOORS = re.compile(r"\d\s*(?:号\s*)?[、,/及和与;&+\-~〜至到]\s*\d")
_HAS_CN_NUM = re.compile(r"[零〇一二两三四五六七八九十百千](?=号|栋|座|幢|室|层|楼)")
# "…村民委员会" / "…村委会" / "…社区居委会" → short names used in addresses
_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("村村民委员会", "村"),
    ("村民委员会", "村"),
    ("村村委会", "村"),
    ("村委会", "村"),
    ("村委", "村"),
)


def _cn_before_unit(m: re.Match) -> str:
    return str(cn_numeral_to_int(m.group(1)))


def _road_digits(m: re.Match) -> str:
    return int_to_cn(int(m.group(1)))


@dataclass(frozen=True, slots=True)
class Normalised:
    """A normalised address and what normalising found on the way.

    ``other_doors``: the doors after the first of a list or range (51、53号 →
    text ``51号``, other_doors ``(53,)``); ``had_noise``: a postcode, phone
    number, contact, label or 自编 number was removed.
    """

    text: str
    other_doors: tuple[int, ...] = ()
    had_noise: bool = False


@lru_cache(maxsize=65536)
def normalise_parts(text: str) -> Normalised:
    """:func:`normalise_address` plus the doors and noise it removed.

    >>> normalise_parts("528000 佛山市禅城区卫国南路51、53号 电话：0757-83084971")
    Normalised(text='佛山市禅城区卫国南路51号', other_doors=(53,), had_noise=True)
    """
    if not isinstance(text, str) or not text:
        return Normalised("")
    out = fold_lookalikes(unicodedata.normalize("NFKC", text))
    out = to_simplified(out)
    noise, others = False, ()
    if _NOISE_DIGITS.search(out) or (
        not _NOISE_FIRST.isdisjoint(out) and any(w in out for w in _NOISE_WORDS)
    ):
        out, noise = strip_contact(out)
    if not _LIST_CHARS.isdisjoint(out) and _MAY_LIST_DOORS.search(out):
        out, others = split_doors(out)
    return Normalised(_canonical(out), others, noise)


@lru_cache(maxsize=65536)
def normalise_address(text: str) -> str:
    """Return the canonical spelling of a Chinese address.

    Full-width → half-width (NFKC), look-alike radicals → ideographs
    (:mod:`gridwatch.geocode.lookalike`), traditional → simplified, postcodes,
    phone numbers and contacts removed, a list of doors cut to the first,
    Chinese numerals before 号/栋/室/… → digits, digits inside road names →
    Chinese numerals, door-number annexes (12-1号, 12号之1, 12#) → ``12号之一``,
    村委会/居委会 suffixes → 村/社区, spaces and punctuation removed, Latin
    letters upper-cased.

    Parameters
    ----------
    text : str
        A raw address; None or non-strings are treated as "".

    Returns
    -------
    str
        The normalised address ("" for an empty one).

    Examples
    --------
    >>> normalise_address("廣東省佛山市 南莊鎮吉利村委會 季華西路一百二十三號之一")
    '广东省佛山市南庄镇吉利村季华西路123号之一'
    >>> normalise_address("张槎街道（海口村）兴业路１２－３号")
    '张槎街道海口村兴业路12号之三'
    >>> normalise_address("石湾镇街道同济1路88号")
    '石湾镇街道同济一路88号'
    """
    return normalise_parts(text).text


def _canonical(out: str) -> str:
    """The spelling steps after noise and door lists are gone."""
    out = _SPACE_PUNCT.sub("", out).upper()
    if "#" in out:
        out = _HASH.sub(r"\1号", out)
    if _HAS_CN_NUM.search(out):
        out = _CN_BEFORE_UNIT.sub(_cn_before_unit, out)
    if _HAS_ROAD_DIGITS.search(out):
        out = _ORDINAL.sub(_road_digits, _ROAD_DIGITS.sub(_road_digits, out))
    if "-" in out or "之" in out or "附" in out:
        out = _DOOR_DASH.sub(lambda m: f"{m[1]}号之{_int_to_cn_suffix(int(m[2]))}", out)
        out = _DOOR_AFTER.sub(
            lambda m: f"{m[1]}号之{_int_to_cn_suffix(int(m[2]))}", out
        )
        out = _DOOR_CN_BEFORE.sub(r"\1号之\2", out)
        out = _DASH.sub("", out)
    if "委" in out:
        for long, short in _SUFFIXES:
            if long in out:
                out = out.replace(long, short)
    if not out.isascii():  # removing a space can leave a mark to compose: R + ̧
        out = unicodedata.normalize("NFKC", out)
    return out
