"""Demo enterprise registry (一企一档): names, credit codes, sectors, risk, addresses.

Sectors cluster as in Chancheng: ceramics and sanitary ware in 南庄 and 石湾,
textile (针织) in 张槎, retail and hospitality in 祖庙; each community also gets a
specialty sector. Over 90% of units are small or micro; most are blue/yellow risk.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from gridwatch.crs import from_wgs84
from gridwatch.demo import names
from gridwatch.demo.addresses import messy_addresses
from gridwatch.demo.codes import make_usccs
from gridwatch.frames import require_columns, require_wgs84

SECTOR_MIX = {  # district-wide shares of units by sector (sum 1)
    "retail": 0.24,
    "hospitality": 0.10,
    "textile": 0.08,
    "ceramics": 0.06,
    "sanitary_ware": 0.03,
    "furniture": 0.05,
    "metal_products": 0.07,
    "al_mg_machining": 0.03,
    "nonferrous_metals": 0.02,
    "machinery": 0.06,
    "plastics": 0.04,
    "electronics": 0.04,
    "printing": 0.03,
    "food": 0.03,
    "building_materials": 0.04,
    "warehouse": 0.03,
    "hazchem": 0.012,
    "fireworks": 0.005,
    "liquid_ammonia": 0.005,
    "other": 0.028,
}
_INDUSTRY = (
    "ceramics",
    "sanitary_ware",
    "furniture",
    "metal_products",
    "al_mg_machining",
    "nonferrous_metals",
    "machinery",
    "plastics",
    "printing",
    "warehouse",
)
TOWN_BOOST = {  # multipliers on SECTOR_MIX per town
    "440604012": {
        "retail": 2.2,
        "hospitality": 2.5,
        "electronics": 1.3,
        **{s: 0.35 for s in _INDUSTRY},
        "ceramics": 0.15,
        "textile": 0.4,
    },
    "440604010": {
        "ceramics": 2.5,
        "sanitary_ware": 2.5,
        "building_materials": 1.5,
        "retail": 1.1,
    },
    "440604011": {
        "textile": 4.5,
        "metal_products": 1.3,
        "plastics": 1.3,
        "ceramics": 0.6,
        "retail": 0.8,
    },
    "440604100": {
        "ceramics": 4.0,
        "sanitary_ware": 2.5,
        "building_materials": 2.0,
        "warehouse": 1.6,
        "furniture": 1.5,
        "retail": 0.6,
        "hospitality": 0.5,
    },
}
SPECIALTIES = {  # community specialty sectors per town (boosted x4 where drawn)
    "440604012": ("retail", "hospitality", "electronics", "printing"),
    "440604010": ("ceramics", "sanitary_ware", "building_materials", "retail"),
    "440604011": (
        "textile",
        "textile",
        "metal_products",
        "plastics",
        "al_mg_machining",
    ),
    "440604100": (
        "ceramics",
        "ceramics",
        "sanitary_ware",
        "furniture",
        "warehouse",
        "nonferrous_metals",
    ),
}
RISK_ORDER = ("blue", "yellow", "orange", "red")
RISK_PROBS = {  # (blue, yellow, orange, red) by sector; default for the rest
    "default": (0.56, 0.34, 0.09, 0.01),
    "retail": (0.78, 0.20, 0.02, 0.0),
    "hospitality": (0.66, 0.29, 0.05, 0.0),
    "hazchem": (0.0, 0.20, 0.45, 0.35),
    "fireworks": (0.0, 0.30, 0.50, 0.20),
    "liquid_ammonia": (0.0, 0.30, 0.45, 0.25),
    "ceramics": (0.30, 0.45, 0.20, 0.05),
    "al_mg_machining": (0.20, 0.45, 0.27, 0.08),
    "furniture": (0.30, 0.45, 0.20, 0.05),
    "nonferrous_metals": (0.30, 0.42, 0.22, 0.06),
    "warehouse": (0.40, 0.40, 0.17, 0.03),
}
INDIVIDUAL_SHARE = {
    "retail": 0.72,
    "hospitality": 0.66,
    "fireworks": 0.8,
    "hazchem": 0.05,
    "liquid_ammonia": 0.1,
    "default": 0.28,
}
HAZCHEM_SHARE = {
    "hazchem": 1.0,
    "fireworks": 1.0,
    "liquid_ammonia": 1.0,
    "ceramics": 0.15,
    "printing": 0.25,
    "furniture": 0.2,
    "metal_products": 0.08,
    "al_mg_machining": 0.1,
    "default": 0.02,
}
THREE_IN_ONE_SHARE = {
    "textile": 0.09,
    "furniture": 0.06,
    "retail": 0.03,
    "plastics": 0.05,
    "metal_products": 0.04,
    "default": 0.015,
}
DATUM_SHARES = {"gcj02": 0.15, "bd09": 0.05, "wgs84": 0.03}


def _lookup(table: dict, sectors: np.ndarray) -> np.ndarray:
    return np.array([table.get(s, table["default"]) for s in sectors], dtype=float)


def _sector_probs(communities: pd.DataFrame, rng) -> np.ndarray:
    """(n_communities, n_sectors) probabilities: town mix x community specialty."""
    keys = list(SECTOR_MIX)
    base = np.array(list(SECTOR_MIX.values()))
    out = np.empty((len(communities), len(keys)))
    for i, (town, kind) in enumerate(
        zip(communities["parent_code"], communities["kind"], strict=True)
    ):
        w = base * np.array([TOWN_BOOST.get(town, {}).get(k, 1.0) for k in keys])
        spec = SPECIALTIES.get(town, ())
        if spec and rng.random() < (0.8 if kind == "village" else 0.5):
            w[keys.index(spec[rng.integers(len(spec))])] *= 4.0
        out[i] = w / w.sum()
    return out


def _pick_rows(probs: np.ndarray, rng) -> np.ndarray:
    """One categorical draw per row of ``probs`` (vectorised inverse CDF)."""
    cdf = probs.cumsum(axis=1)
    r = rng.random(len(probs))[:, None] * cdf[:, -1:]
    return (r > cdf).sum(axis=1)


def _names(sectors, individual, town_codes, rng) -> np.ndarray:
    """Registered names: 佛山市禅城区+字号+行业词+有限公司; 个体户 shop names."""
    n = len(sectors)
    trade = rng.choice(np.array(names.TRADE_CHARS), size=(n, 3))
    same = trade[:, 1] == trade[:, 0]
    trade[same, 1] = np.where(trade[same, 2] == trade[same, 0], "兴", trade[same, 2])
    town_short = {
        "440604010": "石湾",
        "440604011": "张槎",
        "440604012": "祖庙",
        "440604100": "南庄",
    }
    u = rng.random((n, 4))
    out = []
    for i in range(n):
        industry, units = names.SECTOR_WORDS[sectors[i]]
        tn = "".join(trade[i, :2]) if u[i, 3] < 0.85 else "".join(trade[i])
        if individual[i]:
            head = "佛山市禅城区" if u[i, 0] < 0.7 else "禅城区"
            place = town_short.get(town_codes[i], "") if u[i, 1] < 0.4 else ""
            out.append(f"{head}{place}{tn}{units[int(u[i, 2] * len(units))]}")
        else:
            head = "佛山市禅城区" if u[i, 0] < 0.6 else "佛山市"
            form = names.COMPANY_FORMS[int(u[i, 1] * len(names.COMPANY_FORMS))]
            word = industry[int(u[i, 2] * len(industry))]
            if form.endswith("厂") and word.endswith(("贸易", "商贸", "物流", "管理")):
                form = "有限公司"
            out.append(f"{head}{tn}{word}{form}")
    return np.asarray(out, dtype=object)


def _unique_names(names_: np.ndarray, rng) -> np.ndarray:
    """Registries hold each name once: insert another 字号 character into repeats."""
    s = pd.Series(names_)
    for _ in range(20):
        dup = s.duplicated().to_numpy()
        if not dup.any():
            break
        extra = rng.choice(np.array(names.TRADE_CHARS), size=int(dup.sum()))
        s[dup] = [
            t.replace("禅城区", "禅城区" + c, 1)
            if "禅城区" in t
            else t.replace("佛山市", "佛山市" + c, 1)
            for t, c in zip(s[dup], extra, strict=True)
        ]
    return s.to_numpy()


def _attributes(sectors: np.ndarray, town_codes: np.ndarray, rng) -> dict:
    """Legal form, employees, flags and risk level, vectorised over enterprises."""
    n = len(sectors)
    individual = rng.random(n) < _lookup(INDIVIDUAL_SHARE, sectors)
    big = np.isin(sectors, ["ceramics", "sanitary_ware"])
    mu = 2.3 + 0.9 * big - 0.6 * np.isin(sectors, ["retail", "hospitality"])
    employees = np.where(
        individual,
        1 + np.minimum(rng.geometric(0.35, n), 19),
        np.maximum(2, np.exp(rng.normal(mu, 1.0)).astype(int)),
    )
    employees = np.minimum(employees, 6000)
    has_hazchem = rng.random(n) < _lookup(HAZCHEM_SHARE, sectors)
    p3 = _lookup(THREE_IN_ONE_SHARE, sectors) * np.where(employees < 20, 1.5, 0.5)
    p3 *= np.where(town_codes == "440604011", 2.5, 1.0)  # 张槎's workshop villages
    is_three = rng.random(n) < np.minimum(p3, 0.6)
    probs = np.array([RISK_PROBS.get(s, RISK_PROBS["default"]) for s in sectors])
    level = _pick_rows(probs, rng)
    bump = (
        (is_three & (rng.random(n) < 0.5))
        | (employees >= 300) & (rng.random(n) < 0.3)
        | (
            has_hazchem
            & ~np.isin(sectors, ["hazchem", "fireworks", "liquid_ammonia"])
            & (rng.random(n) < 0.25)
        )
    )
    level = np.minimum(level + bump, 3)
    level = np.where(is_three, np.maximum(level, 1), level)
    return {
        "individual": individual,
        "employees": employees.astype(int),
        "has_hazchem": has_hazchem,
        "is_three_in_one": is_three,
        "risk_level": np.asarray(RISK_ORDER)[level],
    }


def _coordinates(true_lng: np.ndarray, true_lat: np.ndarray, rng) -> tuple:
    """Supplied coordinates: ~15% GCJ-02, ~5% BD-09, ~3% WGS-84, a few metres off."""
    n = true_lng.size
    u = rng.random(n)
    cut = np.cumsum(list(DATUM_SHARES.values()))
    datum = np.select([u < cut[0], u < cut[1], u < cut[2]], list(DATUM_SHARES), "")
    noise = rng.normal(0, 4.0, (n, 2))  # metres
    lng0 = true_lng + noise[:, 0] / (111_320 * np.cos(np.radians(true_lat)))
    lat0 = true_lat + noise[:, 1] / 110_574
    lng, lat = np.full(n, np.nan), np.full(n, np.nan)
    for d in DATUM_SHARES:
        m = datum == d
        if m.any():
            lng[m], lat[m] = from_wgs84(lng0[m], lat0[m], d)
    datum_col = np.where(datum == "", None, datum).astype(object)
    return lng, lat, datum_col


def build_enterprises(
    n: int,
    gazetteer,
    towns: gpd.GeoDataFrame,
    communities: gpd.GeoDataFrame,
    seed: int = 20131,
    *,
    as_of: date = date(2024, 12, 31),
) -> pd.DataFrame:
    """Build ``n`` registry records with messy addresses and their ground truth.

    Parameters
    ----------
    n : int
        Number of enterprises (tested up to 100,000).
    gazetteer : geopandas.GeoDataFrame or tuple
        The address points from :func:`build_gazetteer` (or its ``(roads,
        address_points)`` tuple). WGS-84; columns addr_id, town_code,
        community_code, community_name, road_id, road_name, door_no, door_suffix,
        place_name, geometry.
    towns : geopandas.GeoDataFrame
        WGS-84; columns code, name.
    communities : geopandas.GeoDataFrame
        WGS-84; columns code, name (official), kind, parent_code.
    seed : int
        Same seed and inputs give identical frames.
    as_of : datetime.date
        Latest registration date.

    Returns
    -------
    pandas.DataFrame
        One row per enterprise: uscc, name, address, sector, risk_level,
        is_three_in_one, has_hazchem, is_individual, employees, registered_on,
        lng, lat, datum (supplied coordinates in their declared datum, else
        NaN/None), and ground truth: true_addr_id (nullable Int64; missing when
        the text is not a gazetteer address), true_lng, true_lat (WGS-84),
        true_town_code, true_community_code, names_town, names_community,
        address_variant, has_typo.

    Raises
    ------
    TypeError, ValueError
        If an input is not a frame, lacks a column, or ``n`` < 1.
    gridwatch.errors.CRSMismatchError
        If the gazetteer is not in WGS-84.

    Examples
    --------
    >>> from gridwatch.demo import build_admin, build_gazetteer
    >>> _, towns, comms = build_admin(seed=1)
    >>> _, points = build_gazetteer(towns, comms, seed=1, n_points=3000)
    >>> ents = build_enterprises(50, points, towns, comms, seed=1)
    >>> len(ents), ents["uscc"].str.len().eq(18).all()
    (50, np.True_)
    """
    points = gazetteer[1] if isinstance(gazetteer, tuple) else gazetteer
    require_columns(
        points,
        [
            "addr_id",
            "town_code",
            "community_code",
            "community_name",
            "road_id",
            "road_name",
            "door_no",
            "door_suffix",
            "place_name",
            "geometry",
        ],
        "gazetteer",
    )
    require_wgs84(points, "gazetteer")
    require_columns(towns, ["code", "name"], "towns")
    require_columns(communities, ["code", "name", "kind", "parent_code"], "communities")
    if int(n) < 1:
        raise ValueError(f"n must be positive, got {n}")
    rng = np.random.default_rng(seed)
    points = points.reset_index(drop=True)
    comms = communities.sort_values("code").reset_index(drop=True)
    town_w = points["town_code"].map({"440604012": 1.1, "440604011": 1.0}).fillna(0.95)
    w = np.where(points["place_name"] != "", 5.0, 1.0) * town_w.to_numpy()
    chosen = points.iloc[rng.choice(len(points), size=int(n), p=w / w.sum())]
    chosen = chosen.reset_index(drop=True)
    ci = pd.Index(comms["code"]).get_indexer(chosen["community_code"])
    if (ci < 0).any():
        raise ValueError("gazetteer has community codes missing from communities")
    sector_keys = np.asarray(list(SECTOR_MIX))
    sectors = sector_keys[_pick_rows(_sector_probs(comms, rng)[ci], rng)]
    town_codes = chosen["town_code"].to_numpy()
    attrs = _attributes(sectors, town_codes, rng)
    ent_names = _unique_names(
        _names(sectors, attrs["individual"], town_codes, rng), rng
    )
    usccs = make_usccs(rng, np.where(attrs["individual"], "2", "1"))
    age_days = np.minimum(rng.exponential(7 * 365.25, n), 30 * 365.25).astype(int)
    registered = pd.Timestamp(as_of) - pd.to_timedelta(age_days, unit="D")
    official = dict(
        zip(comms["code"], zip(comms["name"], comms["kind"], strict=True), strict=True)
    )
    road_max = points.groupby("road_id")["door_no"].max().to_dict()
    text = messy_addresses(chosen, official, road_max, rng)
    true_lng = chosen.geometry.x.to_numpy()
    true_lat = chosen.geometry.y.to_numpy()
    lng, lat, datum = _coordinates(true_lng, true_lat, rng)
    true_addr = pd.array(chosen["addr_id"].to_numpy(), dtype="Int64")
    true_addr[~text["in_gazetteer"].to_numpy()] = pd.NA
    return pd.DataFrame(
        {
            "uscc": usccs,
            "name": ent_names.astype(str),
            "address": text["address"],
            "sector": sectors,
            "risk_level": attrs["risk_level"],
            "is_three_in_one": attrs["is_three_in_one"],
            "has_hazchem": attrs["has_hazchem"],
            "is_individual": attrs["individual"],
            "employees": attrs["employees"],
            "registered_on": registered.date,
            "lng": lng,
            "lat": lat,
            "datum": pd.Series(datum, dtype=object),
            "true_addr_id": true_addr,
            "true_lng": true_lng,
            "true_lat": true_lat,
            "true_town_code": town_codes,
            "true_community_code": chosen["community_code"],
            "names_town": text["names_town"],
            "names_community": text["names_community"],
            "address_variant": text["variant"],
            "has_typo": text["has_typo"],
        }
    )
