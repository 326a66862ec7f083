"""Parse a Chinese address into province … room.

Two passes. Known names first: a :class:`Lexicon` built from the gazetteer (town,
village/community, road and place names with their common short forms) is
compiled into one trie-shaped regular expression, so a single C-level scan finds
every known name, longest first ("南庄村" is a village, "南庄" alone is the town,
"南庄大道" a road). Unknown stretches then fall back to suffix rules (…镇, …街道,
…村, …社区, …路/街/大道). Suffix rules alone cannot be trusted: "石湾镇街道" is
one subdistrict, and a text like "吉利工业园5号" has no road at all.

Why not JioNLP's ``parse_location``: it stops at the village, has no road or door
number, and places "南庄镇吉利村吉利工业园5号" in Henan (see bench/geocode.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gridwatch.geocode.normalize import normalise_address, normalise_parts

__all__ = ["Lexicon", "ParsedAddress", "parse_address", "trie_regex"]


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """The parts of one address; "" (or None for ``door_no``) when absent.

    ``town``, ``community`` and ``road`` hold the canonical gazetteer name when
    a lexicon recognised them (``town_known`` … say so), else the text as typed.
    ``other_doors`` are the further doors of a list (51、53号: door_no 51,
    other_doors (53,)); ``had_noise`` says a postcode, phone or contact was
    removed. ``door_alternatives`` are shorter readings of a door number glued
    to a building number.
    """

    normalised: str
    province: str = ""
    city: str = ""
    district: str = ""
    town: str = ""
    community: str = ""
    road: str = ""
    door_no: int | None = None
    door_suffix: str = ""
    door_alternatives: tuple[int, ...] = ()
    other_doors: tuple[int, ...] = ()
    had_noise: bool = False
    place: str = ""
    building: str = ""
    room: str = ""
    town_known: bool = False
    community_known: bool = False
    road_known: bool = False


def trie_regex(words) -> str:
    """One regular expression matching any of ``words``, longest first.

    Python's ``re`` tries alternatives one by one; a prefix tree turns a
    thousand names into a pattern it scans in one pass.

    >>> re.findall(trie_regex(["南庄", "南庄村", "南海"]), "南庄村南海")
    ['南庄村', '南海']
    """
    trie: dict = {}
    for w in words:
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node) -> str:
        end = "" in node
        branches = [
            re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch != ""
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return build(trie)


@dataclass
class Lexicon:
    """Known names: ``names[text] = (kind, canonical)``.

    kind is one of ``province city district town community road place``.
    """

    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    _pattern: re.Pattern | None = None

    def add(self, text: str, kind: str, canonical: str) -> None:
        """Register ``text`` (normalised) as a spelling of ``canonical``."""
        text = normalise_address(text)
        if len(text) >= 2 and text not in self.names:
            self.names[text] = (kind, canonical)
            self._pattern = None

    def compile(self) -> re.Pattern:
        """The compiled name pattern (built once, on first use)."""
        if self._pattern is None:
            self._pattern = re.compile(trie_regex(self.names) or "(?!)")
        return self._pattern

    def scan(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, kind, canonical) of every known name, left to right."""
        names = self.names
        return [
            (m.start(), m.end(), *names[m.group()])
            for m in self.compile().finditer(text)
            if m.group()
        ]

    def match_prefix(self, text: str) -> tuple[int, str, str] | None:
        """(end, kind, canonical) of a known name at the start of ``text``."""
        m = (self._pattern or self.compile()).match(text)
        if m is None:
            return None
        name = m.group()
        return (len(name), *self.names[name]) if name else None


# Prefix names never contain these (else "南庄镇新市横街" would start with a "市").
_NOT_IN_NAME = r"[^省市区县旗镇乡村路街巷道号\d]"
_PROVINCE = re.compile(
    rf"^(?:{_NOT_IN_NAME}{{2,3}}?省|内蒙古自治区|广西壮族自治区|西藏自治区"
    r"|宁夏回族自治区|新疆维吾尔自治区|北京市|天津市|上海市|重庆市)"
)
_CITY = re.compile(
    rf"^(?:{_NOT_IN_NAME}{{2,4}}?市|{_NOT_IN_NAME}{{2,8}}?自治州"
    rf"|{_NOT_IN_NAME}{{2,4}}?地区|{_NOT_IN_NAME}{{2,4}}?盟)"
)
_NOT_DISTRICT = (
    "工业区",
    "园区",
    "开发区",
    "小区",
    "社区",
    "街区",
    "景区",
    "片区",
    "商业区",
    "厂区",
    "校区",
    "营区",
    "新区",
)
_DISTRICT = re.compile(rf"^{_NOT_IN_NAME}{{1,4}}?(?:区|县|旗)")
_DOOR = re.compile(r"(\d+)号(?![铺楼房])(之[一二三四五六七八九十]+)?")
# a door number written without 号 ("永安路20"), possibly glued to what follows
# (not "170米": "莲花路口往东170米" is a distance, not a door)
_BARE = re.compile(r"(\d+)(?!\d*(?:号(?![铺楼房])|米|m))(之[一二三四五六七八九十]+)?")
_GLUE = frozenset("栋座幢楼室层号")
_BUILDING = re.compile(r"(\d+|[A-Z])(?:栋|座|幢|号楼)")
_ROOM = re.compile(r"(\d+)(?:室|房)|(\d+)(?:层|楼)")
_TOWN = re.compile(r"^(.{2,3}?镇街道|.{2,4}?街道|.{2,4}?镇|.{2,4}?乡)")
_COMMUNITY = re.compile(r"^(.{2,5}?(?:社区|村))")
_ROAD_END = re.compile(r"([^\d]{1,12}?(?:大道|大马路|大街|路|街|巷|道|弄|里|坊))$")


_PREFIX_KINDS = ("province", "city", "district")


def _take_prefix(text: str, lexicon: Lexicon | None) -> tuple[str, str, str, str]:
    """Strip province, city and district (known names first) from ``text``."""
    parts = {"province": "", "city": "", "district": ""}
    for kind, rx in (("province", _PROVINCE), ("city", _CITY), ("district", _DISTRICT)):
        if lexicon is not None:  # known spellings, bare ones too: 广东佛山禅城
            hit = lexicon.match_prefix(text)
            if hit is not None and hit[1] == kind:
                parts[kind] = hit[2]
                text = text[hit[0] :]
                continue
            if hit is not None and hit[1] not in _PREFIX_KINDS:
                break  # a town or road comes first: "祖庙新市巷" has no city
        m = rx.match(text)
        if m and not (kind == "district" and m.group().endswith(_NOT_DISTRICT)):
            parts[kind] = m.group()
            text = text[m.end() :]
    return parts["province"], parts["city"], parts["district"], text


def _split_tail(text: str):
    """Split off door number, building and room.

    Returns (head, door, suffix, alternatives, building, room, tail). "永安路20" has a
    bare door number; in "江湾一路1767栋608室" the door and building numbers are
    glued, so the shorter readings (176, 17, 1) are kept as ``alternatives`` for
    the matcher to try against the door plates.
    """
    m = _DOOR.search(text)
    bare = _BARE.search(text)
    alternatives: tuple[int, ...] = ()
    if bare is not None and (m is None or bare.start() < m.start()):
        digits, suffix = bare.group(1), bare.group(2) or ""
        head, tail, door = text[: bare.start()], text[bare.end() :], int(digits)
        if not suffix and tail[:1] and (tail[0] in _GLUE or tail[0].isascii()):
            alternatives = tuple(int(digits[:k]) for k in range(len(digits) - 1, 0, -1))
    elif m is not None:
        head, tail = text[: m.start()], text[m.end() :]
        door, suffix = int(m.group(1)), (m.group(2) or "")
    else:
        head, tail, door, suffix = text, "", None, ""
    building = room = ""
    if tail:
        b = _BUILDING.search(tail)
        building = b.group() if b else ""
        r = _ROOM.search(tail)
        room = r.group() if r else ""
    return head, door, suffix, alternatives, building, room, tail


def _rule_parse(chunk: str, found: dict) -> str:
    """Fill town/community/road of ``found`` from suffix rules; return leftover."""
    for kind, rx in (("town", _TOWN), ("community", _COMMUNITY)):
        if not found[kind]:
            m = rx.match(chunk)
            if m:
                found[kind] = m.group(1)
                chunk = chunk[m.end() :]
    if not found["road"]:
        m = _ROAD_END.search(chunk)
        if m:
            found["road"] = m.group(1)
            chunk = chunk[: m.start()]
    return chunk


def parse_address(text: str, lexicon: Lexicon | None = None) -> ParsedAddress:
    """Split ``text`` into province, city, district, town, community, road, door …

    Parameters
    ----------
    text : str
        A raw or normalised address.
    lexicon : Lexicon, optional
        Known names (``Gazetteer.lexicon``); without it only suffix rules apply.

    Returns
    -------
    ParsedAddress

    Examples
    --------
    >>> p = parse_address("广东省佛山市禅城区南庄镇吉利村季华西路123号之一3栋201室")
    >>> p.district, p.town, p.community, p.road, p.door_no, p.door_suffix, p.room
    ('禅城区', '南庄镇', '吉利村', '季华西路', 123, '之一', '201室')
    """
    parts = normalise_parts(text)
    norm = parts.text
    province, city, district, rest = _take_prefix(norm, lexicon)
    head, door, suffix, alternatives, building, room, tail = _split_tail(rest)
    found = {"town": "", "community": "", "road": "", "place": ""}
    known = {"town": False, "community": False, "road": False}
    leftovers, pos = [], 0
    tokens = lexicon.scan(head) if lexicon is not None and head else []
    for start, end, kind, canonical in tokens:
        if kind in found and not found[kind]:
            found[kind] = canonical
            known[kind] = kind in known
        elif kind == "district" and not district:
            district = canonical
        else:
            # a second town (or village …) name is part of the text around it:
            # 南庄镇南庄街84号 names the town once, then a road 南庄街
            continue
        if start > pos:
            leftovers.append(head[pos:start])
        pos = end
    if pos < len(head):
        leftovers.append(head[pos:])
    rest_text = "".join(_rule_parse(c, found) for c in leftovers)
    if not found["place"] and tail and lexicon is not None:
        # standard addresses put the park after the door: 福贤西路50号汾宁工业区
        places = [c for _, _, kind, c in lexicon.scan(tail) if kind == "place"]
        found["place"] = places[0] if places else ""
    if not found["place"] and rest_text:
        found["place"] = rest_text
    return ParsedAddress(
        normalised=norm,
        province=province,
        city=city,
        district=district,
        town=found["town"],
        community=found["community"],
        road=found["road"],
        door_no=door,
        door_suffix=suffix,
        door_alternatives=alternatives,
        other_doors=parts.other_doors,
        had_noise=parts.had_noise,
        place=found["place"],
        building=building,
        room=room,
        town_known=known["town"],
        community_known=known["community"],
        road_known=known["road"],
    )
