import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridwatch.geocode.parse import Lexicon, parse_address, trie_regex


def test_parse_address_full_address():
    p = parse_address("广东省佛山市禅城区南庄镇吉利村季华西路123号之一3栋201室")
    assert (p.province, p.city, p.district, p.town, p.community, p.road) == (
        "广东省", "佛山市", "禅城区", "南庄镇", "吉利村", "季华西路")
    assert (p.door_no, p.door_suffix, p.building, p.room) == (123, "之一", "3栋", "201室")


def test_parse_address_place_without_road():
    p = parse_address("南庄镇吉利村吉利工业园5号")
    assert (p.community, p.road, p.place, p.door_no) == ("吉利村", "", "吉利工业园", 5)


def test_parse_address_town_named_zhen_jiedao():
    assert parse_address("石湾镇街道澜石社区澜石二路1号").town == "石湾镇街道"


def test_parse_address_industrial_zone_is_not_a_district():
    p = parse_address("张槎工业区8号")
    assert p.district == "" and p.place == "张槎工业区"


def _lexicon():
    lex = Lexicon()
    lex.add("南庄镇", "town", "南庄镇")
    lex.add("南庄", "town", "南庄")
    lex.add("南庄村", "community", "南庄村")
    lex.add("南庄大道", "road", "南庄大道")
    lex.add("禅城", "district", "禅城区")
    return lex


def test_parse_address_lexicon_longest_name_wins():
    p = parse_address("南庄南庄村南庄大道8号", _lexicon())
    assert (p.town, p.community, p.road, p.door_no) == ("南庄", "南庄村", "南庄大道", 8)
    assert p.town_known and p.community_known and p.road_known


def test_parse_address_lexicon_bare_district_prefix():
    assert parse_address("禅城南庄大道8号", _lexicon()).district == "禅城区"


def test_parse_address_unknown_road_kept_as_text():
    p = parse_address("南庄镇兴旺路8号", _lexicon())
    assert p.road == "兴旺路" and not p.road_known


@pytest.mark.parametrize("text", ["", "🏭", "<b>x</b>"])
def test_parse_address_no_parts(text):
    p = parse_address(text)
    assert p.door_no is None and p.town == "" and p.road == ""


def test_trie_regex_prefers_longest():
    import re
    assert re.findall(trie_regex(["季华", "季华西路", "季华路"]), "季华西路季华路") == [
        "季华西路", "季华路"]


@given(st.text(alphabet="广东省佛山市禅城区南庄镇吉利村季华西路一二三十百号之栋室0123456789-# ",
               max_size=40))
def test_parse_address_never_fails_and_keeps_digits_sane(text):
    p = parse_address(text, _lexicon())
    assert p.door_no is None or p.door_no >= 0
    assert all(a < (p.door_no or 0) for a in p.door_alternatives)
