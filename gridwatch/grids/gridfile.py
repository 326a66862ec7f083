"""Grids a street office already drew in the city's system, read from a file.

:func:`read_grids_file` turns a polygon file into the canonical grid frame
(``code``, ``parent_code``, geometry) and refuses what cannot be stored: codes
that are not 15 digits or do not extend their unit's code (CJ/T 349-2010 and the
DB11 practice build a grid code from its unit's code plus a sequence), codes that
appear twice, units that are not loaded. Tiling, balance and the outline are not
refused here: the grids are stored as a draft and :func:`check_grids` reports
them, exactly as for a built version.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.errors import InvalidInputError
from gridwatch.grids.boundaries import read_polygons
from gridwatch.grids.boundary_fields import clean_codes, pick_field
from gridwatch.grids.codes import assign_codes, community_of, level_of, unit_prefix


def _unit_of(code: str, units: set[str]) -> str | None:
    """The loaded unit a grid code extends: community, town (+000) or district."""
    for n, pad in ((12, ""), (9, "000"), (6, "000000")):
        unit = code[:n]
        if unit in units and code[n:12] == pad:
            return unit
    return None


def read_grids_file(path, units: set[str], *, parent_field: str | None = None,
                    code_field: str | None = None, crs: str | None = None,
                    layer: str | None = None, where=None, near=None,
                    metric_crs: str = METRIC_CRS) -> tuple[gpd.GeoDataFrame, list]:
    """Existing grid polygons as the canonical grid frame.

    Parameters
    ----------
    path : str or Path
        Any boundary file (GeoJSON, Shapefile, GeoPackage).
    units : set of str
        Codes of the loaded units grids may lie in (communities, towns, district).
    parent_field : str, optional
        Field holding each grid's unit code; default: the unit the grid code
        extends.
    code_field : str, optional
        Field holding the 15-digit grid codes; default: codes are assigned by
        :func:`gridwatch.grids.codes.assign_codes` within each unit.
    crs, layer, where, near, metric_crs
        As in :func:`gridwatch.grids.read_boundaries`.

    Returns
    -------
    (GeoDataFrame, list[str])
        ``code``, ``parent_code``, geometry (EPSG:4326), sorted by code; notes.

    Raises
    ------
    InvalidInputError
        Neither field given or found, an unknown unit, a code that is not 15
        digits or does not extend its unit's code, a code given twice.
    """
    frame, notes = read_polygons(path, crs, layer, where=where, near=near,
                                 metric_crs=metric_crs, label_field=code_field)
    name = Path(path).name
    code_col = pick_field(frame, code_field, (), "grid code")
    parent_col = pick_field(frame, parent_field, (), "unit code")
    if code_col is None and parent_col is None:
        raise InvalidInputError(
            f"Name the field of {name} that holds the grid codes, or the one that "
            "holds each grid's unit code (or both).",
            details={"hint": "--code-field / --parent-field",
                     "fields": [c for c in frame.columns if c != "geometry"]})
    codes = clean_codes(frame[code_col]) if code_col else None
    if parent_col is not None:
        parents = clean_codes(frame[parent_col])
    else:
        parents = codes.map(lambda c: _unit_of(c, units) or community_of(c))
    unknown = sorted(set(parents) - set(units))
    if unknown:
        raise InvalidInputError(
            f"{len(unknown)} grid unit(s) of {name} are not loaded (e.g. "
            f"{unknown[0]!r}); import those boundaries first or check the field.",
            details={"unknown": unknown[:20]})
    if codes is None:
        codes = _assigned(frame, parents, metric_crs)
        notes.append("grid codes assigned west→east, north→south within each unit")
    _check_codes(codes, parents, name)
    out = gpd.GeoDataFrame({"code": codes.to_numpy(), "parent_code":
                            parents.to_numpy()},
                           geometry=frame.geometry.to_numpy(), crs=WGS84)
    notes.insert(0, f"fields used: code ← {code_col or '(assigned)'}, unit ← "
                 f"{parent_col or '(from the code)'}")
    return out.sort_values("code").reset_index(drop=True), notes


def _assigned(frame, parents: pd.Series, metric_crs: str) -> pd.Series:
    metric = frame.to_crs(metric_crs).geometry.to_numpy()
    out = pd.Series("", index=frame.index, dtype=object)
    for unit, idx in parents.groupby(parents).groups.items():
        pos = frame.index.get_indexer(idx)
        area = float(sum(g.area for g in metric[pos]))
        out.iloc[pos] = assign_codes(metric[pos], unit, area)
    return out


def _check_codes(codes: pd.Series, parents: pd.Series, name: str) -> None:
    bad = [(c, p) for c, p in zip(codes, parents)
           if not (level_of(c) == "grid" and c.isdigit()
                   and community_of(c) == unit_prefix(p))]
    if bad:
        c, p = bad[0]
        raise InvalidInputError(
            f"{len(bad)} grid code(s) of {name} do not extend their unit's code "
            f"(e.g. {c!r} in unit {p}, which should start with {unit_prefix(p)} "
            "and end in a 3-digit sequence); fix the codes or leave them out to "
            "have them assigned.",
            details={"bad": [b[0] for b in bad[:20]]})
    dup = codes[codes.duplicated()]
    if len(dup):
        raise InvalidInputError(
            f"Grid code {dup.iloc[0]} appears {int((codes == dup.iloc[0]).sum())} "
            f"times in {name}; every grid needs its own code.",
            details={"duplicates": sorted(set(dup))[:20]})

