"""One demo year of supervision: inspections, hazards, penalties, self-reports.

Scaled from the bureau's report year (49,718 units inspected, 28,699 hazards, 432
penalties, 153 fines totalling 2.1962 million yuan, 9 major hazards listed) to the
number of enterprises given. Visits follow risk-based due intervals (red monthly,
orange quarterly, yellow half-yearly, blue yearly) with misses; hotspots and a few
neglected wardens are planted so the analytics have something real to find.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.defaults import DUE_DAYS
from gridwatch.demo.hotspots import hotspot_mask, pick_hotspots, pick_neglected
from gridwatch.demo.people import BUREAU_USERS, TOWN_PREFIX, office_username
from gridwatch.frames import require_columns
from gridwatch.grids.codes import town_of

REPORT = {
    "units_inspected": 49_718,
    "hazards": 28_699,
    "penalties": 432,
    "fines": 153,
    "fines_yuan": 2_196_200.0,
    "listed_major": 9,
}
COMPLIANCE = {"red": 0.92, "orange": 0.82, "yellow": 0.66, "blue": 0.56}
NEGLECT_FACTOR = 0.25  # a neglected warden keeps a quarter of due visits
VISIT_SPACING = 0.9  # visits planned at 0.9 x the due interval
HOTSPOT_HAZARD_FACTOR = 4.0
SECTOR_HAZARD_FACTOR = {
    "ceramics": 1.5,
    "sanitary_ware": 1.3,
    "furniture": 1.5,
    "al_mg_machining": 1.6,
    "nonferrous_metals": 1.3,
    "metal_products": 1.2,
    "hazchem": 1.8,
    "fireworks": 1.6,
    "liquid_ammonia": 1.7,
    "warehouse": 1.3,
    "textile": 1.3,
    "plastics": 1.2,
    "printing": 1.2,
    "retail": 0.6,
    "hospitality": 0.8,
}
RISK_HAZARD_FACTOR = {"blue": 0.7, "yellow": 1.0, "orange": 1.4, "red": 1.8}
CATEGORIES = (
    "fire",
    "electrical",
    "machinery",
    "hazchem_storage",
    "dust",
    "confined_space",
    "occupational",
    "three_in_one",
    "management",
    "special_equipment",
)
_GENERIC = (0.28, 0.22, 0.12, 0.02, 0.02, 0.02, 0.04, 0.0, 0.22, 0.06)
CATEGORY_MIX = {  # weights in CATEGORIES order
    "ceramics": (0.12, 0.12, 0.14, 0.02, 0.20, 0.03, 0.25, 0.0, 0.08, 0.04),
    "sanitary_ware": (0.12, 0.12, 0.14, 0.02, 0.15, 0.03, 0.28, 0.0, 0.10, 0.04),
    "furniture": (0.25, 0.12, 0.12, 0.05, 0.22, 0.0, 0.14, 0.0, 0.08, 0.02),
    "al_mg_machining": (0.12, 0.12, 0.18, 0.02, 0.35, 0.0, 0.06, 0.0, 0.10, 0.05),
    "hazchem": (0.18, 0.10, 0.05, 0.45, 0.0, 0.05, 0.04, 0.0, 0.10, 0.03),
    "fireworks": (0.35, 0.10, 0.0, 0.40, 0.0, 0.0, 0.0, 0.0, 0.15, 0.0),
    "liquid_ammonia": (0.10, 0.10, 0.08, 0.35, 0.0, 0.12, 0.05, 0.0, 0.10, 0.10),
    "warehouse": (0.45, 0.18, 0.05, 0.05, 0.0, 0.02, 0.0, 0.0, 0.20, 0.05),
    "textile": (0.35, 0.20, 0.12, 0.0, 0.05, 0.0, 0.08, 0.0, 0.18, 0.02),
    "retail": (0.45, 0.25, 0.0, 0.03, 0.0, 0.0, 0.0, 0.0, 0.27, 0.0),
    "hospitality": (0.40, 0.25, 0.02, 0.08, 0.0, 0.02, 0.0, 0.0, 0.20, 0.03),
}
PENALTY_MIX = {"fine": 153 / 432, "warning": 0.40, "suspension": 0.15}
PENALTY_MIX["confiscation"] = 1.0 - sum(PENALTY_MIX.values())


def _days(d) -> np.datetime64:
    return np.datetime64(pd.Timestamp(d).date(), "D")


def _as_dates(values: np.ndarray) -> np.ndarray:
    """datetime64[D] (NaT allowed) → object array of ``datetime.date`` / None."""
    out = np.asarray(values, dtype="datetime64[D]").astype(object)
    out[pd.isna(values)] = None
    return out


def _metric_xy(ents: pd.DataFrame) -> np.ndarray:
    geom = gpd.GeoSeries(
        ents["geometry"].to_numpy(), crs=getattr(ents, "crs", None) or WGS84
    )
    if not geom.crs.equals(WGS84):
        geom = geom.to_crs(WGS84)
    geom = geom.to_crs(METRIC_CRS)
    empty = geom.isna().to_numpy() | geom.is_empty.to_numpy()
    xy = np.full((len(geom), 2), np.nan)
    ok = ~empty
    xy[ok, 0], xy[ok, 1] = geom[ok].x.to_numpy(), geom[ok].y.to_numpy()
    return xy


def _visits(ents, neglected: np.ndarray, start, end, rng, due_days) -> pd.DataFrame:
    """Due visits by risk interval, each kept with the warden's compliance."""
    risk = ents["risk_level"].to_numpy()
    longest = max(due_days.values())
    interval = np.array([due_days.get(r, longest) for r in risk])
    comp = np.array([COMPLIANCE.get(r, 0.56) for r in risk])
    comp = np.where(neglected, comp * NEGLECT_FACTOR, comp)
    comp = np.where(ents["warden_username"].isna().to_numpy(), comp * 0.7, comp)
    span = int((end - start).astype(int)) + 1
    # a diligent warden visits a little before each due date (every ~0.9 interval),
    # so a kept schedule stays on time and only a missed visit opens a late gap
    step = np.maximum((interval * VISIT_SPACING).astype(int), 1)
    phase = (rng.random(len(ents)) * step).astype(int)
    n_slots = np.maximum((span - 1 - phase) // step + 1, 0)
    idx = np.repeat(np.arange(len(ents)), n_slots)
    k = np.arange(idx.size) - np.repeat(np.cumsum(n_slots) - n_slots, n_slots)
    keep = rng.random(idx.size) < comp[idx]
    idx, k = idx[keep], k[keep]
    jitter = np.rint(rng.normal(0, 0.03, idx.size) * interval[idx]).astype(int)
    day = np.clip(phase[idx] + k * step[idx] + jitter, 0, span - 1)
    kind = np.where(rng.random(idx.size) < 0.68, "inspection", "patrol")
    # bureau and street-office spot checks (抽查) on ~5% of units, any risk level
    spot = np.flatnonzero(rng.random(len(ents)) < 0.05)
    idx = np.concatenate([idx, spot])
    day = np.concatenate([day, rng.integers(0, span, spot.size)])
    kind = np.concatenate([kind, np.full(spot.size, "spot_check")])
    return pd.DataFrame({"ent": idx, "day": day, "kind": kind})


def _inspectors(ents, visits, rng) -> np.ndarray:
    """The enterprise's warden mostly; else its street office or the bureau."""
    warden = ents["warden_username"].to_numpy(dtype=object)[visits["ent"]]
    town = (
        ents["grid_code"]
        .astype(object)
        .map(lambda g: town_of(g) if isinstance(g, str) else None)
        .map(lambda t: t if t in TOWN_PREFIX else None)
    )
    office_of = town.map(
        lambda t: office_username(t) if isinstance(t, str) else None
    ).to_numpy(object)
    office = office_of[visits["ent"]]
    bureau = np.asarray(BUREAU_USERS, dtype=object)[
        rng.integers(0, len(BUREAU_USERS), len(visits))
    ]
    office = np.where(pd.notna(office), office, bureau)  # no grid yet: the bureau
    u = rng.random(len(visits))
    spot = visits["kind"].to_numpy() == "spot_check"
    has_w = pd.notna(warden)
    return np.where(
        spot,
        np.where(u < 0.5, office, bureau),
        np.where(has_w & (u < 0.88), warden, np.where(u < 0.95, office, bureau)),
    )


def _hazard_counts(ents, visits, in_hot, neglected, rng) -> np.ndarray:
    """Hazards found per visit: Poisson, calibrated to the report's hazards/unit."""
    e = visits["ent"].to_numpy()
    mu = np.array([SECTOR_HAZARD_FACTOR.get(s, 1.0) for s in ents["sector"]])[e]
    mu *= np.array([RISK_HAZARD_FACTOR.get(r, 1.0) for r in ents["risk_level"]])[e]
    mu *= np.where(ents["is_three_in_one"].to_numpy(bool)[e], 1.6, 1.0)
    mu *= np.where(in_hot[e], HOTSPOT_HAZARD_FACTOR, 1.0)
    mu *= np.where(neglected[e], 1.4, 1.0)
    mu *= np.where(visits["kind"].to_numpy() == "patrol", 0.6, 1.0)
    units = np.unique(e).size
    target = REPORT["hazards"] / REPORT["units_inspected"] * units
    mu *= target / max(mu.sum(), 1e-9)
    return rng.poisson(mu)


def _categories(sectors: np.ndarray, is_three: np.ndarray, rng) -> np.ndarray:
    """Hazard category by the enterprise's sector (三合一 → three_in_one)."""
    if len(sectors) == 0:
        return np.asarray([], dtype=object)
    keys = sorted(set(sectors))
    probs = np.array([CATEGORY_MIX.get(s, _GENERIC) for s in keys], float)
    probs /= probs.sum(axis=1, keepdims=True)
    row = np.searchsorted(np.asarray(keys), sectors)
    cdf = probs.cumsum(axis=1)[row]
    pick = (rng.random(len(sectors))[:, None] * cdf[:, -1:] > cdf).sum(axis=1)
    out = np.asarray(CATEGORIES)[np.minimum(pick, len(CATEGORIES) - 1)]
    return np.where(is_three & (rng.random(len(sectors)) < 0.4), "three_in_one", out)


def _lifecycle(
    found: np.ndarray, major: np.ndarray, slow: np.ndarray, as_of: np.datetime64, rng
) -> dict:
    """Deadline, rectification and closure dates and the status on ``as_of``."""
    n = found.size
    allowed = np.where(major, rng.integers(60, 121, n), rng.integers(7, 31, n))
    deadline = found + allowed.astype("timedelta64[D]")
    delay = rng.gamma(2.0, 0.3 * allowed) * np.where(slow, 1.6, 1.0)
    delay *= np.where(rng.random(n) < 0.08, 5.0, 1.0)  # the stubborn few
    rectified = found + np.maximum(np.rint(delay), 1).astype(int).astype(
        "timedelta64[D]"
    )
    closed = rectified + rng.integers(3, 21, n).astype("timedelta64[D]")
    not_rect = rectified > as_of
    not_closed = ~not_rect & (closed > as_of)
    status = np.where(
        not_rect,
        np.where(deadline < as_of, "overdue", "open"),
        np.where(not_closed, "rectified", "closed"),
    )
    nat = np.datetime64("NaT", "D")
    rectified = np.where(not_rect, nat, rectified)
    closed = np.where(not_rect | not_closed, nat, closed)
    return {
        "deadline": deadline,
        "rectified_on": rectified,
        "closed_on": closed,
        "status": status,
    }


def _hazards(ents, visits, counts, in_hot, neglected, as_of, rng) -> pd.DataFrame:
    """One row per hazard found in an inspection."""
    rows = np.repeat(np.arange(len(visits)), counts)
    e = visits["ent"].to_numpy()[rows]
    risk = ents["risk_level"].to_numpy()[e]
    p_major = (
        0.0004
        * np.where(in_hot[e], 4.0, 1.0)
        * np.where((risk == "red") | ents["has_hazchem"].to_numpy(bool)[e], 3.0, 1.0)
    )
    major = rng.random(rows.size) < p_major
    if rows.size >= 300 and not major.any():
        major[int(np.argmax(p_major))] = True  # a demo year always has one
    found = visits["date"].to_numpy()[rows]
    life = _lifecycle(found, major, in_hot[e] | neglected[e], as_of, rng)
    n_listed = min(
        int(major.sum()),
        max(
            int(major.any()),
            round(REPORT["listed_major"] * rows.size / REPORT["hazards"]),
        ),
    )
    listed = np.zeros(rows.size, bool)
    if n_listed:
        listed[rng.choice(np.flatnonzero(major), n_listed, replace=False)] = True
    return pd.DataFrame(
        {
            "uscc": ents["uscc"].to_numpy()[e],
            "inspection_id": visits["inspection_id"].to_numpy()[rows].astype(object),
            "level": np.where(major, "major", "ordinary"),
            "category": _categories(
                ents["sector"].to_numpy()[e],
                ents["is_three_in_one"].to_numpy(bool)[e],
                rng,
            ),
            "found_on": found,
            **life,
            "is_listed": listed,
            "_ent": e,
            "_visit": rows,
            "_result_stop": np.zeros(rows.size, bool),
        }
    )


def _self_reports(ents, start, end, as_of, rng) -> pd.DataFrame:
    """Monthly 自查自报 rows of legal persons (uscc type 1), missed ones too."""
    legal = np.flatnonzero(ents["uscc"].str[1].to_numpy() == "1")
    months = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")
    diligence = np.where(
        rng.random(legal.size) < 0.12, 0.05, rng.beta(8, 1.5, legal.size)
    )
    e = np.repeat(legal, len(months))
    m = np.tile(np.arange(len(months)), legal.size)
    first_next = np.array([(p + 1).start_time.date() for p in months], "datetime64[D]")
    # due by the 10th of the next month; most file in the last days of the month
    submitted = first_next[m] + rng.integers(-10, 9, e.size).astype("timedelta64[D]")
    ok = (rng.random(e.size) < np.repeat(diligence, len(months))) & (submitted <= as_of)
    n_h = np.where(
        ok,
        rng.poisson(
            0.015 * np.where(ents["risk_level"].to_numpy()[e] == "blue", 0.6, 1.2)
        ),
        0,
    )
    return pd.DataFrame(
        {
            "uscc": ents["uscc"].to_numpy()[e],
            "month": np.asarray([str(p) for p in months])[m],
            "submitted_on": np.where(ok, submitted, np.datetime64("NaT", "D")),
            "n_hazards": n_h.astype(int),
            "_ent": e,
        }
    )


def _penalties(hazards: pd.DataFrame, end: np.datetime64, rng) -> pd.DataFrame:
    """Penalties on the worst hazards, fines summing to the report's yuan per fine."""
    insp = hazards.loc[hazards["inspection_id"].notna()]
    n = min(len(insp), round(REPORT["penalties"] * len(insp) / REPORT["hazards"]))
    cols = ["uscc", "decided_on", "kind", "amount_yuan"]
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    w = (
        1.0
        + 20.0 * (insp["level"] == "major")
        + 5.0 * (insp["status"] == "overdue")
        + 4.0 * insp["_result_stop"]
    ).to_numpy(float)
    pick = insp.iloc[np.sort(rng.choice(len(insp), n, replace=False, p=w / w.sum()))]
    kind = rng.choice(list(PENALTY_MIX), size=n, p=list(PENALTY_MIX.values()))
    amount = np.where(kind == "fine", rng.lognormal(np.log(9000), 0.9, n), 0.0)
    fines = kind == "fine"
    if fines.any():
        target = REPORT["fines_yuan"] / REPORT["fines"] * fines.sum()
        amount[fines] = np.maximum(
            np.round(amount[fines] * target / amount[fines].sum(), -2), 1000.0
        )
    amount = np.where(
        kind == "confiscation", np.round(rng.uniform(2000, 30000, n), -2), amount
    )
    decided = pick["found_on"].to_numpy() + rng.integers(10, 46, n).astype(
        "timedelta64[D]"
    )
    return pd.DataFrame(
        {
            "uscc": pick["uscc"].to_numpy(),
            "decided_on": np.minimum(decided, end),
            "kind": kind,
            "amount_yuan": amount.astype(float),
        }
    )


def _self_hazards(ents, reports, as_of, rng) -> pd.DataFrame:
    """Hazards enterprises reported themselves (no inspection), ordinary level."""
    r = np.repeat(np.arange(len(reports)), reports["n_hazards"].to_numpy())
    e = reports["_ent"].to_numpy()[r]
    found = reports["submitted_on"].to_numpy()[r].astype("datetime64[D]")
    life = _lifecycle(found, np.zeros(r.size, bool), np.zeros(r.size, bool), as_of, rng)
    return pd.DataFrame(
        {
            "uscc": ents["uscc"].to_numpy()[e],
            "inspection_id": np.full(r.size, None),
            "level": "ordinary",
            "category": _categories(
                ents["sector"].to_numpy()[e],
                ents["is_three_in_one"].to_numpy(bool)[e],
                rng,
            ),
            "found_on": found,
            **life,
            "is_listed": False,
            "_ent": e,
            "_result_stop": False,
        }
    )


def build_activity(
    enterprises: pd.DataFrame,
    start,
    end,
    seed: int = 20131,
    *,
    as_of=None,
    due_days: Mapping[str, float] = DUE_DAYS,
) -> dict[str, pd.DataFrame]:
    """Generate one supervision year for the given enterprises.

    Parameters
    ----------
    enterprises : pandas.DataFrame or geopandas.GeoDataFrame
        Columns uscc, risk_level, sector, is_three_in_one, has_hazchem,
        geometry (WGS-84 Point, or None when not located), grid_code and
        warden_username (None where no warden is assigned).
    start, end : datetime.date or str
        First and last day of the year simulated.
    seed : int
        Same seed and inputs give identical frames.
    as_of : datetime.date, optional
        Day on which hazard statuses are taken (default ``end``).
    due_days : mapping, optional
        Inspection due interval in days per risk level (settings ``due_days``;
        default :data:`gridwatch.defaults.DUE_DAYS`); a level it lacks gets the
        longest interval.

    Returns
    -------
    dict of str to DataFrame
        ``inspections`` (inspection_id, uscc, kind, inspected_on, inspector,
        result), ``hazards`` (hazard_id, uscc, inspection_id or None, level,
        category, found_on, deadline, rectified_on, closed_on, status,
        is_listed), ``penalties`` (penalty_id, uscc, decided_on, kind,
        amount_yuan), ``self_reports`` (uscc, month, submitted_on, n_hazards);
        ground truth: ``hotspots`` (GeoDataFrame, WGS-84 circles: hotspot_id,
        label, town_code, radius_m, n_enterprises) and ``under_inspected``
        (grid_code, warden_username of the neglected grids). Dates are
        ``datetime.date`` (None where missing).

    Raises
    ------
    TypeError, ValueError
        If ``enterprises`` lacks a column or ``end`` is before ``start``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> ents = gpd.GeoDataFrame({"uscc": ["91440604MA4UXXXX0A"], "risk_level": ["red"],
    ...     "sector": ["hazchem"], "is_three_in_one": [False], "has_hazchem": [True],
    ...     "grid_code": ["440604011001001"], "warden_username": ["zc_warden_001"]},
    ...     geometry=gpd.points_from_xy([113.05], [23.02]), crs="EPSG:4326")
    >>> act = build_activity(ents, "2024-01-01", "2024-12-31", seed=1)
    >>> 8 <= len(act["inspections"]) <= 16
    True
    """
    require_columns(
        enterprises,
        [
            "uscc",
            "risk_level",
            "sector",
            "is_three_in_one",
            "has_hazchem",
            "geometry",
            "grid_code",
            "warden_username",
        ],
        "enterprises",
    )
    start_d, end_d = _days(start), _days(end)
    as_of_d = _days(as_of) if as_of is not None else end_d
    if end_d < start_d:
        raise ValueError(f"end {end} is before start {start}")
    rng = np.random.default_rng(seed)
    ents = enterprises.reset_index(drop=True)
    xy = _metric_xy(ents)
    hotspots = pick_hotspots(ents, xy, rng)
    in_hot = hotspot_mask(xy, hotspots)
    hotspots["n_enterprises"] = [
        int(hotspot_mask(xy, hotspots.iloc[[i]]).sum()) for i in range(len(hotspots))
    ]
    under = pick_neglected(ents, in_hot, rng)
    neglected = ents["grid_code"].isin(under["grid_code"]).to_numpy()
    visits = _visits(ents, neglected, start_d, end_d, rng, due_days)
    visits["date"] = start_d + visits["day"].to_numpy().astype("timedelta64[D]")
    visits = visits.sort_values(["date", "ent"], kind="stable").reset_index(drop=True)
    visits["inspection_id"] = np.arange(1, len(visits) + 1)
    counts = _hazard_counts(ents, visits, in_hot, neglected, rng)
    hz = _hazards(ents, visits, counts, in_hot, neglected, as_of_d, rng)
    stop = np.zeros(len(visits), bool)
    stop[hz.loc[hz["level"] == "major", "_visit"].to_numpy()] = True
    stop |= (counts >= 4) & (rng.random(len(visits)) < 0.15)
    hz["_result_stop"] = stop[hz["_visit"].to_numpy()]
    inspections = pd.DataFrame(
        {
            "inspection_id": visits["inspection_id"],
            "uscc": ents["uscc"].to_numpy()[visits["ent"]],
            "kind": visits["kind"],
            "inspected_on": _as_dates(visits["date"].to_numpy()),
            "inspector": _inspectors(ents, visits, rng),
            "result": np.where(
                stop, "ordered_to_stop", np.where(counts > 0, "hazards_found", "pass")
            ),
        }
    )
    reports = _self_reports(ents, start_d, end_d, as_of_d, rng)
    hazards = pd.concat(
        [hz.drop(columns="_visit"), _self_hazards(ents, reports, as_of_d, rng)],
        ignore_index=True,
    )
    hazards = hazards.sort_values(["found_on", "_ent"], kind="stable").reset_index(
        drop=True
    )
    penalties = _penalties(hazards, end_d, rng)
    hazards.insert(0, "hazard_id", np.arange(1, len(hazards) + 1))
    for col in ("found_on", "deadline", "rectified_on", "closed_on"):
        hazards[col] = _as_dates(hazards[col].to_numpy())
    hazards = hazards.drop(columns=["_ent", "_result_stop"])
    hazards["inspection_id"] = pd.array(hazards["inspection_id"], dtype="Int64")
    penalties = penalties.sort_values("decided_on", kind="stable").reset_index(
        drop=True
    )
    penalties.insert(0, "penalty_id", np.arange(1, len(penalties) + 1))
    penalties["decided_on"] = _as_dates(penalties["decided_on"].to_numpy())
    reports = reports.drop(columns="_ent")
    reports["submitted_on"] = _as_dates(reports["submitted_on"].to_numpy())
    return {
        "inspections": inspections,
        "hazards": hazards,
        "penalties": penalties,
        "self_reports": reports,
        "hotspots": hotspots,
        "under_inspected": under,
    }
