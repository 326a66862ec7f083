"""The demo district generator: Chancheng (禅城区, Foshan), deterministic from a seed.

Real district outline, town and community codes and names; illustrative (示意)
town and community polygons; a generated standard-address gazetteer, enterprise
registry with messy addresses and ground truth, users and wardens, and one year of
inspections, hazards, penalties and self-reports. Pure: frames in, frames out.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import geopandas as gpd
import pandas as pd

from gridwatch.demo.activity import build_activity
from gridwatch.demo.admin import build_admin
from gridwatch.demo.enterprises import build_enterprises
from gridwatch.demo.gazetteer import build_gazetteer
from gridwatch.demo.people import build_people, office_username
from gridwatch.demo.sources import geodata_dir

DEFAULT_SEED = 20131

__all__ = [
    "DEFAULT_SEED",
    "DemoDistrict",
    "build_activity",
    "build_admin",
    "build_enterprises",
    "build_gazetteer",
    "build_people",
    "generate_district",
    "geodata_dir",
    "office_username",
]


@dataclass(frozen=True)
class DemoDistrict:
    """Everything :func:`generate_district` builds, as frames (WGS-84 where spatial)."""

    district: gpd.GeoDataFrame
    towns: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    address_points: gpd.GeoDataFrame
    enterprises: pd.DataFrame
    users: pd.DataFrame
    wardens: pd.DataFrame
    seed: int = DEFAULT_SEED

    def summary(self) -> dict[str, int]:
        """Row counts of every frame, plus a few headline figures.

        >>> d = generate_district(n_enterprises=20, seed=1, n_address_points=2000)
        >>> s = d.summary()
        >>> (s["towns"], s["communities"], s["enterprises"], s["address_points"])
        (4, 147, 20, 2000)
        """
        out = {
            f.name: len(getattr(self, f.name)) for f in fields(self) if f.name != "seed"
        }
        e = self.enterprises
        out["enterprises_red"] = int((e["risk_level"] == "red").sum())
        out["enterprises_three_in_one"] = int(e["is_three_in_one"].sum())
        out["enterprises_with_coordinates"] = int(e["datum"].notna().sum())
        out["enterprises_in_gazetteer"] = int(e["true_addr_id"].notna().sum())
        out["villages"] = int((self.communities["kind"] == "village").sum())
        return out


def generate_district(
    n_enterprises: int = 9000,
    seed: int = DEFAULT_SEED,
    *,
    n_address_points: int = 75_000,
    n_wardens: int | None = None,
    geodata=None,
) -> DemoDistrict:
    """Build the whole demo district (without the activity year).

    Parameters
    ----------
    n_enterprises : int
        Enterprises in the registry (the report's 9,000+ newly registered; use
        70,000+ for the whole district).
    seed : int
        One seed for everything; the same seed gives identical frames (except
        the users' random passwords).
    n_address_points : int
        Size of the standard-address gazetteer.
    n_wardens : int, optional
        Passed to :func:`build_people`.
    geodata : str or path-like, optional
        Folder of the real sources (the ``geodata_dir`` setting); default the copy
        shipped in the package.

    Returns
    -------
    DemoDistrict
        district, towns, communities, roads, address_points, enterprises, users,
        wardens. Grids, grid assignment and :func:`build_activity` are run by the
        caller's pipeline (they need grid codes and wardens per grid).

    Examples
    --------
    >>> d = generate_district(n_enterprises=10, seed=1, n_address_points=2000)
    >>> len(d.enterprises), d.towns["is_illustrative"].all()
    (10, np.True_)
    """
    district, towns, communities = build_admin(seed=seed, geodata=geodata)
    roads, points = build_gazetteer(
        towns, communities, seed=seed, n_points=n_address_points
    )
    enterprises = build_enterprises(
        n_enterprises, points, towns, communities, seed=seed
    )
    users, wardens = build_people(
        towns, seed=seed, n_wardens=n_wardens, communities=communities
    )
    return DemoDistrict(
        district=district,
        towns=towns,
        communities=communities,
        roads=roads,
        address_points=points,
        enterprises=enterprises,
        users=users,
        wardens=wardens,
        seed=seed,
    )
