"""Write registry-style test addresses, independently of gridwatch's own writer.

The truth of each address (door plate, point, town, village) comes from the demo
gazetteer's door plates (``gridwatch.demo.build_gazetteer``, seed 20131, 75,000
plates), the same gazetteer the benchmark geocodes against. The *writing* is
this script's own: it does not use ``gridwatch/demo/addresses.py`` (the demo
registry's variant generator) or anything in ``gridwatch/geocode``, so the
benchmark is not scored on the spellings the geocoder was built around.

Kinds, as registries from issues 13 and 15 write them (one CSV row each):

reference        a plain full address (prefix, town, village, road, door)
old_name         a former unit: 佛山市石湾区, 佛山市城区, 南海市南庄镇, 南海县南庄镇
contact          postcode, phone, fax, contact person, e-mail, "注册地址：" label
road_digits      numbers in road names written with digits (季华1路), doors in
                 Chinese numerals (八十八号)
several_doors    51、53号 / 51-53号 / 51至53号 / 51/53号 / 51号、53号
lookalike        radicals that look like the ideograph (⻄ for 西, ⼯ for 工)
park             village + named park and door, no road (吉利村江湾工业城12号)
village_only     village and a landmark word, no door (truth: the plate, but
                 door level is impossible)
missing_town     road and door only; half carry the registry's 所属镇街 column
wrong_town       names a town the plate is not in (a clerk's slip); where that
                 town has a plate with the same road and door, the text is itself
                 another real address (column ``undetectable``: no reader of the
                 text alone can place it right)
building_noise   building, floor, room, shop, 自编 numbers after the door
traditional      traditional characters and full-width digits

    python tests/data/addresses/make_independent.py            # seed 7, 660 rows
    python tests/data/addresses/make_independent.py --seed 8 --out heldout.csv

``independent.csv`` (seed 7) was used while fixing the geocoder;
``heldout.csv`` (seed 8) was written after, and is reported apart.
"""

from __future__ import annotations

import argparse
import csv
import sys
import unicodedata
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from gridwatch.demo import DEFAULT_SEED, build_admin, build_gazetteer

PER_KIND = 55
TOWN = {
    "440604010": "石湾镇街道",
    "440604011": "张槎街道",
    "440604012": "祖庙街道",
    "440604100": "南庄镇",
}
#: How clerks write each town (full, short, old 镇 forms).
TOWN_FORMS = {
    "440604010": ["石湾镇街道", "石湾街道", "石湾镇", "石湾"],
    "440604011": ["张槎街道", "张槎街道办事处", "张槎", "张槎镇"],
    "440604012": ["祖庙街道", "祖庙街道办", "祖庙"],
    "440604100": ["南庄镇", "南庄"],
}
PREFIXES = [
    "广东省佛山市禅城区",
    "佛山市禅城区",
    "佛山禅城区",
    "禅城区",
    "广东佛山禅城",
    "佛山市",
    "",
]
#: Former units whose area the plate's town lies in (see the README beside this).
OLD_PREFIX = {
    "440604010": ["佛山市石湾区", "石湾区", "广东省佛山市石湾区"],
    "440604011": ["佛山市石湾区", "石湾区"],
    "440604012": ["佛山市城区", "佛山城区", "广东省佛山市城区"],
    "440604100": ["南海市", "广东省南海市", "佛山市南海市", "南海县"],
}
#: CJK Radicals Supplement characters, written by hand from their Unicode names
#: (checked below to be radicals): simplified forms as input methods emit them.
SUPPLEMENT = {
    "西": "\u2ec4",
    "长": "\u2ed3",
    "门": "\u2ed4",
    "车": "\u2ecb",
    "马": "\u2ee2",
    "页": "\u2eda",
    "见": "\u2ec5",
    "贝": "\u2ec9",
    "风": "\u2edb",
    "飞": "\u2edc",
    "龙": "\u2ef0",
    "黄": "\u2ee9",
    "齐": "\u2eec",
    "鱼": "\u2ee5",
    "青": "\u2ed8",
}
NUM = "零一二三四五六七八九"


def kangxi_lookalikes() -> dict[str, str]:
    """Ideograph → Kangxi radical that looks like it (from Python's unicodedata)."""
    out = {}
    for cp in range(0x2F00, 0x2FD6):
        target = unicodedata.normalize("NFKC", chr(cp))
        out.setdefault(target, chr(cp))
    return out


def cn(n: int) -> str:
    """1-999 in Chinese numerals (door numbers as some clerks type them)."""
    if n < 10:
        return NUM[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else NUM[tens]) + "十" + (NUM[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return NUM[hundreds] + "百"
    tail = cn(rest) if rest >= 10 else "零" + NUM[rest]
    if 10 <= rest < 20:
        tail = "一" + tail
    return NUM[hundreds] + "百" + tail


def door_text(row) -> str:
    return f"{row.door_no}号{row.door_suffix}"


def phone(rng) -> str:
    if rng.random() < 0.5:
        return f"1{rng.choice(list('3578'))}{rng.integers(100000000, 999999999)}"
    return f"0757-8{rng.integers(1000000, 9999999)}"


class Writer:
    """One method per kind; each returns (address, registry town column)."""

    def __init__(self, rng, comms):
        self.rng = rng
        self.official = dict(zip(comms["code"], comms["name"], strict=True))
        self.kangxi = kangxi_lookalikes()

    def pick(self, items):
        return items[int(self.rng.integers(len(items)))]

    def town(self, code):
        return self.pick(TOWN_FORMS[code])

    def village(self, row):
        return self.pick(
            [row.community_name, row.community_name, self.official[row.community_code]]
        )

    def reference(self, row):
        return (
            (
                f"{self.pick(PREFIXES[:4])}{TOWN[row.town_code]}{row.community_name}"
                f"{row.road_name}{door_text(row)}"
            ),
            "",
        )

    def old_name(self, row):
        old = self.pick(OLD_PREFIX[row.town_code])
        town = (
            self.town(row.town_code)
            if row.town_code == "440604100" or self.rng.random() < 0.5
            else ""
        )
        return f"{old}{town}{row.road_name}{door_text(row)}", ""

    def contact(self, row):
        core = (
            f"{self.pick(PREFIXES)}{self.town(row.town_code)}{row.road_name}"
            f"{door_text(row)}"
        )
        before = self.pick(
            ["528000 ", "528000", "邮编528000 ", "注册地址：", "地址: ", ""]
        )
        after = self.pick(
            [
                f" 电话：{phone(self.rng)}",
                f"（邮编：5280{self.rng.integers(0, 9)}0）",
                f" 联系人：{self.pick('陈李黄梁何')}先生 {phone(self.rng)}",
                f"，TEL:{phone(self.rng)}",
                f" 传真 {phone(self.rng)}",
                f" 联系电话{phone(self.rng)} 邮箱 fs{self.rng.integers(100, 999)}@163.com",
                f"；手机：{phone(self.rng)}",
            ]
        )
        return before + core + after, ""

    def road_digits(self, row):
        road = row.road_name
        for k, ch in enumerate(NUM[1:], start=1):
            road = road.replace(f"{ch}路", f"{k}路").replace(f"{ch}街", f"{k}街")
        door = (
            f"{cn(row.door_no)}号{row.door_suffix}"
            if self.rng.random() < 0.3
            else door_text(row)
        )
        return f"{self.pick(PREFIXES)}{self.town(row.town_code)}{road}{door}", ""

    def several_doors(self, row):
        a, b = row.door_no, row.door_no + 2
        doors = self.pick(
            [
                f"{a}、{b}号",
                f"{a}-{b}号",
                f"{a}至{b}号",
                f"{a}/{b}号",
                f"{a}号、{b}号",
                f"{a}，{b}号",
                f"{a}～{b}号",
            ]
        )
        return (
            f"{self.pick(PREFIXES)}{self.town(row.town_code)}{row.road_name}{doors}",
            "",
        )

    def lookalike(self, row):
        text = f"{self.town(row.town_code)}{row.community_name}{row.road_name}{door_text(row)}"
        table = {**self.kangxi, **SUPPLEMENT}
        spots = [i for i, ch in enumerate(text) if ch in table]
        for i in self.rng.permutation(spots)[: max(1, len(spots) // 2)]:
            text = text[:i] + table[text[i]] + text[i + 1 :]
        return self.pick(PREFIXES[:3]) + text, ""

    def park(self, row):
        return (
            (
                f"{self.pick(PREFIXES)}{self.town(row.town_code)}{self.village(row)}"
                f"{row.place_name}{row.door_no}号"
            ),
            "",
        )

    def village_only(self, row):
        return (
            (
                f"{self.pick(PREFIXES)}{self.town(row.town_code)}"
                f"{self.official[row.community_code].replace('居民委员会', '居委会')}"
                f"{self.pick(['旁', '附近', '对面', '内', ''])}"
            ),
            "",
        )

    def missing_town(self, row):
        hint = TOWN[row.town_code] if self.rng.random() < 0.5 else ""
        return (
            f"{self.pick(['佛山市禅城区', '禅城区', ''])}{row.road_name}{door_text(row)}",
            hint,
        )

    def wrong_town(self, row):
        other = self.pick([c for c in TOWN if c != row.town_code])
        self.named_town = other
        return (
            (f"{self.pick(PREFIXES)}{self.town(other)}{row.road_name}{door_text(row)}"),
            "",
        )

    def building_noise(self, row):
        tail = self.pick(
            [
                f"{self.rng.integers(1, 9)}座{self.rng.integers(2, 20)}0{self.rng.integers(1, 9)}室",
                "首层",
                "一楼",
                "二层",
                f"{self.rng.integers(1, 30)}号铺",
                f"（自编{self.rng.integers(1, 20)}号）",
                f"{self.pick('ABCD')}栋",
                f"厂房{self.pick('ABCD')}",
                f"{self.pick('ABCD')}区{self.rng.integers(1, 9)}栋",
                f"之{self.pick('一二')}二楼",
                "地下室",
            ]
        )
        return (
            (
                f"{self.pick(PREFIXES)}{self.town(row.town_code)}{row.road_name}"
                f"{door_text(row)}{tail}"
            ),
            "",
        )

    def traditional(self, row):
        from opencc import OpenCC

        text = f"{self.pick(PREFIXES[:3])}{TOWN[row.town_code]}{row.road_name}"
        door = "".join(chr(0xFF10 + int(c)) for c in str(row.door_no)) + "號"
        return OpenCC("s2t").convert(text) + door + row.door_suffix, ""


KINDS = [
    "reference",
    "old_name",
    "contact",
    "road_digits",
    "several_doors",
    "lookalike",
    "park",
    "village_only",
    "missing_town",
    "wrong_town",
    "building_noise",
    "traditional",
]
DOOR_IMPOSSIBLE = {"village_only"}


def eligible(points, kind, writer):
    """Rows of the gazetteer a kind can be written from."""
    plain = points["door_suffix"] == ""
    if kind == "road_digits":
        return points[points["road_name"].str.contains(r"[一二三四五六七八九][路街]$")]
    if kind == "several_doors":
        return points[plain]
    if kind == "park":
        return points[points["place_name"] != ""]
    if kind == "lookalike":
        table = {**writer.kangxi, **SUPPLEMENT}
        has = points["road_name"].map(lambda s: any(c in table for c in s))
        return points[has]
    return points


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="independent.csv")
    args = ap.parse_args(argv)
    for ch in SUPPLEMENT.values():
        assert "CJK RADICAL" in unicodedata.name(ch), (ch, unicodedata.name(ch))
    _, towns, comms = build_admin(seed=DEFAULT_SEED)
    _, points = build_gazetteer(towns, comms, seed=DEFAULT_SEED)
    rng = np.random.default_rng(args.seed)
    writer = Writer(rng, comms)
    plates = set(
        zip(
            points["town_code"],
            points["road_name"],
            points["door_no"],
            points["door_suffix"],
            strict=True,
        )
    )
    rows = []
    for kind in KINDS:
        pool = eligible(points, kind, writer)
        for i in rng.choice(len(pool), size=PER_KIND, replace=False):
            row = pool.iloc[int(i)]
            writer.named_town = row.town_code
            address, hint = getattr(writer, kind)(row)
            other_plate = (
                writer.named_town,
                row.road_name,
                row.door_no,
                row.door_suffix,
            )
            rows.append(
                {
                    "id": f"{kind}-{len(rows) + 1:04d}",
                    "kind": kind,
                    "address": address,
                    "registry_town": hint,
                    "door_level_possible": kind not in DOOR_IMPOSSIBLE,
                    "true_addr_id": int(row.addr_id),
                    "true_lng": round(row.geometry.x, 7),
                    "true_lat": round(row.geometry.y, 7),
                    "true_town_code": row.town_code,
                    "true_community_code": row.community_code,
                    "undetectable": writer.named_town != row.town_code
                    and other_plate in plates,
                }
            )
    out = HERE / args.out
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} addresses to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
