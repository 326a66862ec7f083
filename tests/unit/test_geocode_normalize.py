import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridwatch.geocode.normalize import (
    cn_numeral_to_int,
    normalise_address,
    to_simplified,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105),
    ("一百二十三", 123), ("两千零一十", 2010), ("一二三", 123), ("二〇八", 208)])
def test_cn_numeral_to_int_values(text, expected):
    assert cn_numeral_to_int(text) == expected


def test_cn_numeral_to_int_rejects_other_text():
    with pytest.raises(ValueError):
        cn_numeral_to_int("十A")


def test_normalise_address_full_width_to_half_width():
    assert normalise_address("季华西路１２３号Ａ座") == "季华西路123号A座"


def test_normalise_address_chinese_numerals_in_door_numbers():
    assert normalise_address("季华西路一百二十三号三栋二〇一室") == "季华西路123号3栋201室"


def test_normalise_address_keeps_numerals_in_road_names():
    assert normalise_address("澜石二路十号") == "澜石二路10号"


@pytest.mark.parametrize("text", ["兴业路12号之一", "兴业路12-1号", "兴业路12之1号",
                                  "兴业路12号之1", "兴业路12号-1", "兴业路十二号之一",
                                  "兴业路12之一号"])
def test_normalise_address_door_suffix_spellings(text):
    assert normalise_address(text) == "兴业路12号之一"


def test_normalise_address_hash_for_hao():
    assert normalise_address("兴业路12#") == "兴业路12号"


@pytest.mark.parametrize(("text", "expected"), [
    ("吉利村村民委员会", "吉利村"), ("吉利村委会", "吉利村"), ("吉利村村委会", "吉利村"),
    ("澜石社区居委会", "澜石社区"), ("澜石社区居民委员会", "澜石社区")])
def test_normalise_address_committee_suffixes(text, expected):
    assert normalise_address(text) == expected


def test_normalise_address_traditional_characters():
    assert normalise_address("廣東省佛山市禪城區南莊鎮") == "广东省佛山市禅城区南庄镇"


def test_normalise_address_spaces_and_punctuation():
    assert normalise_address(" 南庄镇，吉利村（吉利工业园）、 5号。") == "南庄镇吉利村吉利工业园5号"


@pytest.mark.parametrize("value", [None, "", 12.5])
def test_normalise_address_empty_or_not_text(value):
    assert normalise_address(value) == ""


def test_to_simplified_leaves_simplified_text_alone():
    assert to_simplified("南庄镇吉利村") == "南庄镇吉利村"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_normalise_address_is_idempotent(text):
    once = normalise_address(text)
    assert normalise_address(once) == once
