"""Messy registry address text, written the ways enterprise registries hold it.

From a true door plate, build the text a clerk typed: with or without the province/
city/district prefix, town and community; 之一 as "-1"; building and room suffixes;
full-width or Chinese-numeral door numbers; 村委会 spellings; one-character typos;
stray spaces and punctuation; a few traditional characters. A share is not in the
gazetteer at all (a door number past the road's end, "某某村委会旁") or names only
the village. Every choice is drawn from the caller's seeded generator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridwatch.demo import names

#: Target shares of the address variants (the rest is a normal door address).
SHARES = {"bad_door": 0.03, "landmark": 0.02, "community_only": 0.02}
P_TOWN, P_COMMUNITY = 0.55, 0.40
P_TYPO, P_PUNCT, P_TRAD, P_BUILDING = 0.03, 0.05, 0.02, 0.15
PREFIXES = (
    "广东省佛山市禅城区",
    "佛山市禅城区",
    "禅城区",
    "佛山市",
    "广东省佛山市",
    "佛山禅城",
    "广东佛山禅城区",
    "",
)
PREFIX_WEIGHTS = (0.20, 0.30, 0.14, 0.08, 0.05, 0.04, 0.02, 0.17)
TOWN_SPELLINGS = {
    "440604010": ("石湾镇街道", "石湾镇街道", "石湾街道", "石湾镇", "石湾"),
    "440604011": ("张槎街道", "张槎街道", "张槎街道", "张槎"),
    "440604012": ("祖庙街道", "祖庙街道", "祖庙街道", "祖庙"),
    "440604100": ("南庄镇", "南庄镇", "南庄镇", "南庄"),
}
#: Characters clerks confuse (homophones or near shapes), for one-character typos.
CONFUSABLE = {
    "华": "花",
    "兴": "星",
    "利": "力",
    "安": "按",
    "平": "坪",
    "园": "圆",
    "景": "井",
    "江": "冮",
    "沙": "砂",
    "石": "实",
    "南": "兰",
    "东": "冬",
    "福": "富",
    "宁": "宇",
    "文": "闻",
    "新": "心",
    "槎": "查",
    "庄": "装",
    "湾": "弯",
    "季": "计",
    "岗": "冈",
    "涌": "冲",
    "塘": "唐",
    "龙": "隆",
    "村": "材",
    "明": "名",
    "祥": "详",
    "锦": "景",
    "富": "福",
    "金": "今",
}
_PUNCT = (" ", "  ", "，", "、", ",", "－")
_SIDES = ("旁", "对面", "附近", "后面", "斜对面")
_DIRS = "东南西北"


def _community_spelling(short: str, official: str, kind: str, r: float) -> str:
    """吉利村 / 吉利村委会 / 吉利村民委员会; 澜石社区 / 澜石社区居委会 / 澜石居委会."""
    if r < 0.6:
        return short
    if r < 0.8:
        return official
    if kind == "village":
        return short + "委会" if short.endswith("村") else short + "村委会"
    return short.removesuffix("社区") + "居委会"


def _typo(text: str, rng: np.random.Generator) -> str:
    """One wrong or missing character, never the last (路/街/村 …)."""
    if len(text) < 3:
        return text
    i = int(rng.integers(0, len(text) - 1))
    ch = text[i]
    if ch in CONFUSABLE and rng.random() < 0.7:
        return text[:i] + CONFUSABLE[ch] + text[i + 1 :]
    return text[:i] + text[i + 1 :]


def _door_text(door: int, suffix: str, r: float) -> str:
    """123号 / １２３号 / 一百二十三号; 之一 sometimes written 123-1号."""
    if suffix and r < 0.3:
        return f"{door}-{'一二三四'.index(suffix[1]) + 1}号"
    if r < 0.82:
        core = f"{door}号"
    elif r < 0.90:
        core = names.fullwidth(str(door)) + "号"
    elif r < 0.96 and door < 10000:
        core = names.chinese_number(door) + "号"
    else:
        core = f"{door}"
    return core + suffix


def _building(rng: np.random.Generator) -> str:
    """A building/room suffix: 3栋201室, A座1203, 首层, 厂房5 …"""
    k = int(rng.integers(0, 6))
    if k == 0:
        return f"{rng.integers(1, 12)}栋{rng.integers(1, 8)}0{rng.integers(1, 9)}室"
    if k == 1:
        return (
            f"{'ABCD'[rng.integers(0, 4)]}座{rng.integers(2, 25)}0{rng.integers(1, 9)}"
        )
    if k == 2:
        return ("首层", "一楼", "二楼", "之一首层")[rng.integers(0, 4)]
    if k == 3:
        return f"厂房{rng.integers(1, 20)}"
    if k == 4:
        return f"{'ABCD'[rng.integers(0, 4)]}栋{rng.integers(1, 6)}楼"
    return f"{rng.integers(1, 30)}号铺"


def messy_addresses(
    points: pd.DataFrame,
    official_names: dict[str, tuple[str, str]],
    road_max_door: dict[int, int],
    rng: np.random.Generator,
):
    """Registry text for each true address point, with its ground-truth flags.

    ``points`` has the gazetteer columns (town_code, community_code, community_name,
    road_id, road_name, door_no, door_suffix, place_name); ``official_names`` maps a
    community code to (official name, kind). Returns a DataFrame with address,
    variant (normal/bad_door/landmark/community_only), in_gazetteer, names_town,
    names_community.
    """
    n = len(points)
    u = rng.random((n, 12))
    cut = np.cumsum(list(SHARES.values()))
    variant = np.select(
        [u[:, 0] < cut[0], u[:, 0] < cut[1], u[:, 0] < cut[2]], list(SHARES), "normal"
    )
    prefix = np.asarray(PREFIXES, dtype=object)[
        rng.choice(
            len(PREFIXES), size=n, p=np.array(PREFIX_WEIGHTS) / sum(PREFIX_WEIGHTS)
        )
    ]
    names_town = u[:, 1] < P_TOWN
    names_comm = (u[:, 2] < P_COMMUNITY) | np.isin(
        variant, ["landmark", "community_only"]
    )
    out, typo_any, typo = [], u[:, 5] < P_TYPO, np.zeros(n, bool)
    cols = zip(
        points["town_code"],
        points["community_code"],
        points["community_name"],
        points["road_id"],
        points["road_name"],
        points["door_no"],
        points["door_suffix"],
        points["place_name"],
        strict=True,
    )
    for i, (tc, cc, cname, rid, road, door, sfx, place) in enumerate(cols):
        spell = TOWN_SPELLINGS.get(tc, ("",))
        town = spell[int(u[i, 3] * len(spell))] if names_town[i] else ""
        official, kind = official_names[cc]
        comm = (
            _community_spelling(cname, official, kind, u[i, 4]) if names_comm[i] else ""
        )
        v = variant[i]
        if typo_any[i] and comm and u[i, 6] < 0.4:
            comm, typo[i] = _typo(comm, rng), True
        elif typo_any[i] and v in ("normal", "bad_door"):
            road, typo[i] = _typo(road, rng), True
        if v == "community_only":
            body = ""
        elif v == "landmark":
            if u[i, 7] < 0.6:
                base = (
                    comm
                    if "委" in comm
                    else (cname + ("委会" if kind == "village" else "居委会"))
                )
                comm = ""
                body = base + _SIDES[int(u[i, 8] * len(_SIDES))]
            else:
                body = (
                    f"{road}{'路口' if u[i, 8] < 0.5 else '口'}往"
                    f"{_DIRS[int(u[i, 9] * 4)]}{10 * int(5 + u[i, 10] * 25)}米"
                )
        else:
            if v == "bad_door":
                door = road_max_door[rid] + 2 * int(25 + u[i, 8] * 200)
                sfx = ""
            body = road + _door_text(int(door), sfx, u[i, 9])
            if place and u[i, 10] < 0.6:
                body += place
            if u[i, 11] < P_BUILDING:
                body += _building(rng)
        parts = [prefix[i], town, comm, body]
        if rng.random() < P_PUNCT:
            j = int(rng.integers(1, 4))
            parts[j] = _PUNCT[int(rng.integers(0, len(_PUNCT)))] + parts[j]
            if rng.random() < 0.3:
                parts[3] += ("。", "（）", "；")[int(rng.integers(0, 3))]
        out.append(
            "".join(parts).strip() or (cname + ("委会" if kind == "village" else ""))
        )
    text = np.asarray(out, dtype=object)
    trad = rng.random(n) < P_TRAD
    if trad.any():
        text[trad] = _to_traditional(list(text[trad]))
    return pd.DataFrame(
        {
            "address": text.astype(str),
            "variant": variant,
            "in_gazetteer": variant == "normal",
            "names_town": names_town,
            "names_community": names_comm,
            "has_typo": typo,
        }
    )


def _to_traditional(texts: list[str]) -> list[str]:
    """Simplified → traditional characters (some registries were typed so)."""
    from opencc import OpenCC

    cc = OpenCC("s2t")
    return [cc.convert(t) for t in texts]
