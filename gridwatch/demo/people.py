"""Demo users and grid wardens (网格员).

About one warden per three grids, with ~4 grids per community; 张槎街道, the pilot
street for grid supervision, gets proportionally more. Names and phones come from
the seed; passwords never do (they come from :mod:`secrets`).
"""

from __future__ import annotations

import secrets

import numpy as np
import pandas as pd

from gridwatch.demo import names
from gridwatch.frames import require_columns

#: Username prefix per town (pinyin initials): 祖庙 zm, 石湾 sw, 张槎 zc, 南庄 nz.
TOWN_PREFIX = {
    "440604012": "zm",
    "440604010": "sw",
    "440604011": "zc",
    "440604100": "nz",
}
PILOT_TOWN = "440604011"  # 张槎街道 piloted 网格化监管
PILOT_FACTOR = 1.5
GRIDS_PER_COMMUNITY = 4
GRIDS_PER_WARDEN = 3
BUREAU_USERS = ("bureau_01", "bureau_02")
#: Mobile prefixes of the three carriers (1[3-9]x), for valid-looking numbers.
MOBILE_PREFIXES = (
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "182",
    "183",
    "187",
    "188",
    "130",
    "131",
    "132",
    "155",
    "156",
    "185",
    "186",
    "133",
    "153",
    "180",
    "181",
    "189",
    "177",
    "173",
    "199",
    "166",
    "198",
)


def office_username(town_code: str) -> str:
    """Username of a town's street-office user, e.g. ``zc_office``."""
    return f"{TOWN_PREFIX.get(town_code, 't' + town_code[-3:])}_office"


def _full_names(rng: np.random.Generator, n: int) -> list[str]:
    w = np.array(names.SURNAME_WEIGHTS, float)
    sur = rng.choice(np.array(names.SURNAMES), size=n, p=w / w.sum())
    given = rng.choice(np.array(names.GIVEN_CHARS), size=(n, 2))
    two = rng.random(n) < 0.8
    return [
        s + g[0] + (g[1] if t else "") for s, g, t in zip(sur, given, two, strict=True)
    ]


def _phones(rng: np.random.Generator, n: int) -> list[str]:
    seen: set[str] = set()
    out = []
    while len(out) < n:
        p = MOBILE_PREFIXES[rng.integers(len(MOBILE_PREFIXES))] + "".join(
            map(str, rng.integers(0, 10, 8))
        )
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _warden_counts(
    towns: pd.DataFrame, n_communities: dict[str, int], n_wardens: int | None
) -> dict[str, int]:
    """Wardens per town: by its communities' grids, the pilot street weighted up."""
    weight = {
        c: n_communities.get(c, 1) * (PILOT_FACTOR if c == PILOT_TOWN else 1.0)
        for c in towns["code"]
    }
    if n_wardens is None:
        n_wardens = round(
            sum(n_communities.get(c, 1) for c in towns["code"])
            * GRIDS_PER_COMMUNITY
            / GRIDS_PER_WARDEN
        )
    total = sum(weight.values())
    raw = {c: n_wardens * w / total for c, w in weight.items()}
    counts = {c: max(1, int(np.floor(v))) for c, v in raw.items()}
    for c in sorted(raw, key=lambda c: raw[c] - np.floor(raw[c]), reverse=True):
        if sum(counts.values()) >= n_wardens:
            break
        counts[c] += 1
    return counts


def build_people(
    towns: pd.DataFrame,
    seed: int = 20131,
    n_wardens: int | None = None,
    communities: pd.DataFrame | None = None,
):
    """Build the demo users (all roles) and the grid wardens.

    Parameters
    ----------
    towns : pandas.DataFrame
        Columns code, name (the 4 towns/streets).
    seed : int
        Seed for names and phones; the same seed gives the same people.
        Passwords are NOT seeded: each call draws fresh ones from :mod:`secrets`.
    n_wardens : int, optional
        Total wardens; default = communities x 4 grids / 3 grids per warden (196
        for Chancheng), shared out by communities with the pilot street 张槎
        weighted x1.5.
    communities : pandas.DataFrame, optional
        Columns code, parent_code; used to count communities per town (default:
        Chancheng's real counts 39/25/60/23).

    Returns
    -------
    users : pandas.DataFrame
        username, full_name, role (vocab.ROLES key), scope_code (town code for
        street_office and warden, None for bureau and admin), phone, password
        (plain text, random; hash it and show it once).
    wardens : pandas.DataFrame
        username, full_name, phone, street_code (town code).

    Examples
    --------
    >>> towns = pd.DataFrame({"code": ["440604011"], "name": ["张槎街道"]})
    >>> users, wardens = build_people(towns, seed=1, n_wardens=3)
    >>> list(wardens["username"])
    ['zc_warden_001', 'zc_warden_002', 'zc_warden_003']
    >>> sorted(users["role"].unique())
    ['admin', 'bureau', 'street_office', 'warden']
    """
    require_columns(towns, ["code", "name"], "towns")
    if n_wardens is not None and int(n_wardens) < len(towns):
        raise ValueError(f"n_wardens={n_wardens} is fewer than the {len(towns)} towns")
    if communities is not None:
        require_columns(communities, ["code", "parent_code"], "communities")
        n_comm = communities.groupby("parent_code").size().to_dict()
    else:
        n_comm = {"440604010": 39, "440604011": 25, "440604012": 60, "440604100": 23}
    rng = np.random.default_rng(seed)
    counts = _warden_counts(towns, n_comm, n_wardens)
    codes = sorted(counts)
    street = [c for c in codes for _ in range(counts[c])]
    usernames = [
        f"{TOWN_PREFIX.get(c, 't' + c[-3:])}_warden_{k + 1:03d}"
        for c in codes
        for k in range(counts[c])
    ]
    n_people = len(usernames) + len(codes) + len(BUREAU_USERS) + 1
    full = _full_names(rng, n_people)
    phones = _phones(rng, n_people)
    wardens = pd.DataFrame(
        {
            "username": usernames,
            "full_name": full[: len(usernames)],
            "phone": phones[: len(usernames)],
            "street_code": street,
        }
    )
    rows = [("admin", "系统管理员", "admin", None)]
    rows += [(b, None, "bureau", None) for b in BUREAU_USERS]
    rows += [(office_username(c), None, "street_office", c) for c in codes]
    rows += [
        (u, f, "warden", c)
        for u, f, c in zip(usernames, wardens["full_name"], street, strict=True)
    ]
    k = len(usernames)
    users = pd.DataFrame(
        {
            "username": [r[0] for r in rows],
            "full_name": [r[1] or full[k + i] for i, r in enumerate(rows)],
            "role": [r[2] for r in rows],
            "scope_code": pd.Series([r[3] for r in rows], dtype=object),
            "phone": phones[k : k + len(codes) + len(BUREAU_USERS) + 1]
            + list(wardens["phone"]),
        }
    )
    users["password"] = [secrets.token_urlsafe(12) for _ in range(len(users))]
    return users, wardens
