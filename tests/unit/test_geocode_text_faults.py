"""Issue 15's address faults, kind by kind, at the normaliser (no gazetteer).

Each kind has its example as a value test and a table or a property test for
the rest of the kind: numerals in road names, contact text, door lists,
look-alike characters.
"""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridwatch.geocode.lookalike import fold_lookalikes, lookalike_table
from gridwatch.geocode.normalize import (
    cn_numeral_to_int,
    int_to_cn,
    normalise_address,
    normalise_parts,
)
from gridwatch.geocode.parse import parse_address

# ---------------------------------------------------------------- numerals


def test_normalise_address_digit_in_road_name_issue_example():
    assert normalise_address("佛山市禅城区石湾镇街道同济1路88号") == (
        "佛山市禅城区石湾镇街道同济一路88号"
    )


@pytest.mark.parametrize(
    ("typed", "registered"),
    [
        ("同济1路88号", "同济一路88号"),
        ("2马路5号", "二马路5号"),
        ("东1路3号", "东一路3号"),
        ("12路7号", "十二路7号"),
        ("永安路3巷2号", "永安路三巷2号"),
        ("第1工业区8号", "第一工业区8号"),
        ("科技园3号路5号", "科技园三号路5号"),
        ("季华20路1号", "季华二十路1号"),
        ("新村105街6号", "新村一百零五街6号"),
        ("同济１路８８号", "同济一路88号"),
        ("南二环2大道9号", "南二环二大道9号"),
    ],
)
def test_normalise_address_numbers_in_road_names_both_ways(typed, registered):
    assert normalise_address(typed) == normalise_address(registered)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("季华五路12号3栋201室", "季华五路12号3栋201室"),  # building/room digits stay
        ("永安路20路口往东50米", "永安路20路口往东50米"),  # a crossing, not 二十路
        ("B3路5号", "B3路5号"),
    ],
)  # a letter-number road code
def test_normalise_address_digits_that_are_not_road_numbers(text, expected):
    assert normalise_address(text) == expected


@given(
    n=st.integers(1, 999),
    door=st.integers(1, 9999),
    stem=st.sampled_from(["同济", "季华", "东", "兴业", "澜石", "工业"]),
    suffix=st.sampled_from(["路", "马路", "街", "巷", "大道", "横街", "直街", "坊"]),
)
def test_normalise_address_road_number_digits_equal_chinese(n, door, stem, suffix):
    digits = normalise_address(f"{stem}{n}{suffix}{door}号")
    chinese = normalise_address(f"{stem}{int_to_cn(n)}{suffix}{door}号")
    assert digits == chinese == f"{stem}{int_to_cn(n)}{suffix}{door}号"
    p = parse_address(digits)
    assert (p.road, p.door_no) == (f"{stem}{int_to_cn(n)}{suffix}", door)


@given(st.integers(0, 9999))
def test_int_to_cn_round_trips(n):
    assert cn_numeral_to_int(int_to_cn(n)) == n


# ---------------------------------------------------------------- contact text


def test_normalise_address_postcode_and_phone_issue_example():
    parts = normalise_parts("528000 佛山市禅城区玫瑰直街35号 电话：0757-83084971")
    assert parts.text == "佛山市禅城区玫瑰直街35号" and parts.had_noise


@pytest.mark.parametrize(
    "decorated",
    [
        "528000佛山市禅城区玫瑰直街35号",
        "佛山市禅城区玫瑰直街35号（528000）",
        "佛山市禅城区玫瑰直街35号 邮编：528000",
        "佛山市禅城区玫瑰直街35号 13800138000",
        "佛山市禅城区玫瑰直街35号 联系电话 0757 8308 4971",
        "佛山市禅城区玫瑰直街35号 TEL:(0757)83084971",
        "佛山市禅城区玫瑰直街35号 075783084971",
        "佛山市禅城区玫瑰直街35号 联系人：陈先生 手机13800138000",
        "注册地址：佛山市禅城区玫瑰直街35号",
        "佛山市禅城区玫瑰直街35号 邮箱 abc@163.com",
        "佛山市禅城区玫瑰直街35号 +86 138 0013 8000",
        "佛山市禅城区玫瑰直街35号 传真0757-83084972",
    ],
)
def test_normalise_address_contact_text_removed(decorated):
    assert normalise_address(decorated) == "佛山市禅城区玫瑰直街35号"


def test_normalise_address_self_numbered_door_is_not_a_door():
    # 自编12号 is the owner's numbering: the road is known, the door is not
    assert parse_address("季华五路自编12号").door_no is None
    assert parse_address("季华五路12号自编3号").door_no == 12


_PHONES = st.one_of(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.from_regex(r"0757-[2-8][0-9]{7}", fullmatch=True),
    st.from_regex(r"\(020\)[2-8][0-9]{7}", fullmatch=True),
)


@settings(max_examples=60)
@given(
    door=st.integers(1, 999),
    phone=_PHONES,
    label=st.sampled_from(["", "电话：", "联系电话", "手机 ", "Tel:", "传真:"]),
    postcode=st.sampled_from(["", "528000 ", "528031", "(528200)"]),
)
def test_normalise_address_contact_property(door, phone, label, postcode):
    clean = f"佛山市禅城区季华五路{door}号"
    assert normalise_address(f"{postcode}{clean} {label}{phone}") == clean


# ---------------------------------------------------------------- several doors


@pytest.mark.parametrize(
    "text",
    [
        "卫国南路51、53号",
        "卫国南路51,53号",
        "卫国南路51-53号",
        "卫国南路51至53号",
        "卫国南路51/53号",
        "卫国南路51号、53号",
        "卫国南路51～53号",
        "卫国南路51—53号",
        "卫国南路５１、５３号",
    ],
)
def test_normalise_parts_several_doors_first_door(text):
    parts = normalise_parts(text)
    assert (parts.text, parts.other_doors) == ("卫国南路51号", (53,))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("兴业路12-1号", "兴业路12号之一"),
        ("兴业路12-3号", "兴业路12号之三"),
        ("兴业路12号-1", "兴业路12号之一"),
    ],
)
def test_normalise_parts_dash_annex_is_not_a_list(text, expected):
    parts = normalise_parts(text)
    assert (parts.text, parts.other_doors) == (expected, ())


@given(
    first=st.integers(1, 4000),
    steps=st.lists(st.integers(1, 20), min_size=1, max_size=3),
    sep=st.sampled_from(["、", ",", "/", "和", "及"]),
)
def test_normalise_parts_door_list_property(first, steps, sep):
    doors = [first]
    for s in steps:
        doors.append(doors[-1] + 2 * s)
    parts = normalise_parts("卫国南路" + sep.join(map(str, doors)) + "号")
    assert parts.text == f"卫国南路{first}号" and parts.other_doors == tuple(doors[1:])


# ---------------------------------------------------------------- look-alikes


def test_normalise_address_radical_lookalike_issue_example():
    assert normalise_address("石湾镇街道奇槎社区朝阳⻄路8号之一") == (
        "石湾镇街道奇槎社区朝阳西路8号之一"
    )


# CJK Unified Ideographs, Extension A and Extensions B-H (by code point: the
# table is Unicode 15, Python's unicodedata may be older and not name them)
_UNIFIED = [
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EBEF),
    (0x30000, 0x323AF),
]


def _is_unified(ch: str) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in _UNIFIED)


# Blocks whose characters look like ideographs: CJK Radicals Supplement,
# Kangxi Radicals, CJK Strokes, CJK Compatibility Ideographs (and Supplement).
_BLOCKS = [
    (0x2E80, 0x2EFF),
    (0x2F00, 0x2FDF),
    (0x31C0, 0x31EF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
]
_ASSIGNED = [
    chr(cp)
    for lo, hi in _BLOCKS
    for cp in range(lo, hi + 1)
    if unicodedata.name(chr(cp), "")
]


def test_normalise_address_folds_every_lookalike_in_the_blocks():
    """Every assigned character of the blocks becomes a unified ideograph,
    except those the UCD lists as having no equivalent (U+2E80, 16 strokes) and
    the twelve unified ideographs that live in the compatibility block
    (U+FA0E, U+FA0F, U+FA11 …: Unified_Ideograph=Yes, nothing to fold)."""
    table = lookalike_table()
    unfolded = []
    for ch in _ASSIGNED:
        out = normalise_address(ch)
        if len(out) == 1 and _is_unified(out):
            continue
        assert ord(ch) not in table
        assert not unicodedata.decomposition(ch)
        unfolded.append(ch)
    assert len(_ASSIGNED) > 700 and len(unfolded) < 40
    assert normalise_address("\u2ec4") == "西" and normalise_address("\u2f00") == "一"


_VARIANTS: dict[str, list[str]] = {}
for _ch in _ASSIGNED:
    _out = fold_lookalikes(unicodedata.normalize("NFKC", _ch))
    if len(_out) == 1 and _is_unified(_out):
        _VARIANTS.setdefault(_out, []).append(_ch)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(sorted(_VARIANTS)), min_size=1, max_size=4), st.data())
def test_normalise_address_lookalike_road_names_property(ideographs, data):
    """A road name typed with any look-alike of its characters normalises the
    same as the name itself (ideographs kept as they are by OpenCC)."""
    name = "".join(ideographs) + "路"
    typed = "".join(data.draw(st.sampled_from([c, *_VARIANTS[c]])) for c in ideographs)
    assert normalise_address(typed + "路8号") == normalise_address(name + "8号")


def test_normalise_address_katakana_dash():
    assert normalise_address("同济ー路12ー1号") == "同济一路12号之一"
