"""Grid codes in the Beijing DB11 style: 12-digit village code + 3-digit sequence.

Ordering rule (west→east, north→south), applied within each parent:

1. Take each grid's representative point (``point_on_surface``, always inside the
   grid, unlike a centroid) in the metric CRS.
2. Let ``h = sqrt(parent area / number of grids)``, the side of an average grid.
   Rows are formed from the north: the northernmost point not yet numbered opens
   a row, which takes every remaining point less than ``h / 2`` south of it.
3. Number row by row from the north; within a row, from west to east (by x).

Rows rather than a plain sort by y keep side-by-side grids numbered left to right
even when their points differ by some metres in latitude; opening each row at a
point (not at fixed band lines) means two grids level with each other are never
split between rows by a band line passing between them.

A town code (9 digits, used when grids are built within towns) is padded with
``000`` to 12 digits, a district code (6 digits, grids built within the district)
with ``000000``, so every grid code has 15 characters and extends its parent's.
"""

from __future__ import annotations

import numpy as np
import shapely

from gridwatch.errors import InvalidInputError

#: Largest sequence number a 3-digit code allows.
MAX_SEQUENCE = 999


def unit_prefix(parent_code: str) -> str:
    """The 12-digit prefix of grid codes under ``parent_code``.

    A 9-digit town code is padded with ``000`` and a 6-digit district code with
    ``000000`` (grids built straight within a town or district when no lower
    units exist), so every grid code extends its parent's code.

    >>> unit_prefix("440604011001"), unit_prefix("440604011"), unit_prefix("440604")
    ('440604011001', '440604011000', '440604000000')
    """
    code = str(parent_code).strip()
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise InvalidInputError(
            f"Parent code {parent_code!r} is not a 6-digit district, 9-digit town or "
            "12-digit village code; fix the boundary's code field.")
    return code.ljust(12, "0")


#: Lengths of the NBS statistical division codes (国家统计局统计用区划代码) at each
#: level, and of a grid code (12-digit unit prefix + 3-digit sequence).
CODE_LENGTHS: dict[str, int] = {"district": 6, "town": 9, "community": 12, "grid": 15}


def town_of(code: str) -> str:
    """The 9-digit town/street code a community or grid code lies in.

    >>> town_of("440604011001007"), town_of("440604011001")
    ('440604011', '440604011')
    """
    return str(code)[: CODE_LENGTHS["town"]]


def community_of(code: str) -> str:
    """The 12-digit unit prefix of a grid code (its community, or town + ``000``).

    >>> community_of("440604011001007")
    '440604011001'
    """
    return str(code)[: CODE_LENGTHS["community"]]


def district_of(code: str) -> str:
    """The 6-digit district (county) code of any longer code (GB/T 2260).

    >>> district_of("440604011001")
    '440604'
    """
    return str(code)[: CODE_LENGTHS["district"]]


def city_of(code: str) -> str:
    """The GB/T 2260 prefecture (地级市) code of a district or longer code: its
    first 4 digits and ``00``.

    >>> city_of("440604"), city_of("440604011")
    ('440600', '440600')
    """
    return str(code)[:4] + "00"


def level_of(code: str) -> str | None:
    """The level a code's length names (``district``, ``town``, ``community``,
    ``grid``), or None for any other length.

    >>> level_of("440604"), level_of("440604011001007"), level_of("4406")
    ('district', 'grid', None)
    """
    n = len(str(code))
    return next((lvl for lvl, size in CODE_LENGTHS.items() if size == n), None)


def parent_of(code: str) -> str | None:
    """The code one level up: a grid's unit prefix, a community's town, a town's
    district; None for a district (or a code of no known length).

    >>> parent_of("440604011001007"), parent_of("440604011001"), parent_of("440604")
    ('440604011001', '440604011', None)
    """
    lengths = list(CODE_LENGTHS.values())
    n = len(str(code))
    if n not in lengths or lengths.index(n) == 0:
        return None
    return str(code)[: lengths[lengths.index(n) - 1]]


def is_within(code: str | None, unit_code: str | tuple[str, ...]) -> bool:
    """Whether ``code`` lies in the unit ``unit_code`` (or in any of a tuple of
    them), the unit itself included.

    The rule is the prefix rule of the codes: GB/T 2260 district codes (6 digits)
    are extended by the NBS statistical division codes (国家统计局统计用区划代码:
    3 digits of town, 3 of village, 12 in all) and grid codes add 3 digits to the
    12 (:func:`unit_prefix`), so every code starts with the code of each unit
    above it. An empty code lies nowhere; an empty unit code contains nothing.

    >>> is_within("440604011001007", "440604011"), is_within("440604012", "440604011")
    (True, False)
    >>> is_within("440604011001", ("440605", "440604")), is_within(None, "440604")
    (True, False)
    """
    units = (unit_code,) if isinstance(unit_code, str) else tuple(unit_code)
    code = "" if code is None else str(code)
    return bool(code) and any(u and code.startswith(str(u)) for u in units)


def within_mask(codes, unit_code: str | tuple[str, ...]) -> np.ndarray:
    """:func:`is_within` over a sequence (a pandas Series, list or array) of codes;
    missing codes lie nowhere. Returns a boolean array of ``len(codes)``.

    >>> within_mask(["440604011001001", None, "440604012001001"], "440604011")
    array([ True, False, False])
    """
    return np.fromiter(
        (is_within(c if isinstance(c, str) else None, unit_code) for c in codes),
        dtype=bool,
        count=len(codes),
    )


def grid_code(parent_code: str, sequence: int) -> str:
    """Code of grid number ``sequence`` (1-based) under ``parent_code``.

    >>> grid_code("440604011001", 7)
    '440604011001007'
    """
    if not 1 <= int(sequence) <= MAX_SEQUENCE:
        raise InvalidInputError(
            f"Grid sequence {sequence} is outside 1-{MAX_SEQUENCE}; a village can "
            f"hold at most {MAX_SEQUENCE} grids, so use a larger target workload.")
    return f"{unit_prefix(parent_code)}{int(sequence):03d}"


def reading_order(xy: np.ndarray, band_m: float) -> np.ndarray:
    """Indices of points in north→south rows, west→east within a row.

    A row opens at the northernmost remaining point and takes the points less
    than ``band_m`` south of it.

    Parameters
    ----------
    xy : float array, shape (n, 2)
        Points in a metric CRS (x east, y north).
    band_m : float
        Row depth in metres (> 0); :func:`assign_codes` uses half a grid side.

    Returns
    -------
    numpy.ndarray
        A permutation of ``range(n)``.

    Examples
    --------
    >>> xy = np.array([[0, 0], [10, 1], [0, 10], [10, 9]], float)
    >>> reading_order(xy, 2.5).tolist()
    [2, 3, 0, 1]
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if len(xy) == 0:
        return np.zeros(0, dtype=np.int64)
    if not band_m > 0:
        raise ValueError(f"band_m must be positive, got {band_m!r}")
    by_y = np.lexsort((xy[:, 0], -xy[:, 1]))  # north first, ties west first
    row = np.empty(len(xy), dtype=np.int64)
    current, top = -1, np.inf
    for i in by_y:
        if xy[i, 1] <= top - band_m:
            current, top = current + 1, xy[i, 1]
        row[i] = current
    return np.lexsort((xy[:, 0], row))


def band_height(parent_area_m2: float, n_grids: int) -> float:
    """Row depth: half the side of an average grid of the parent."""
    return 0.5 * float(np.sqrt(max(parent_area_m2, 1.0) / max(n_grids, 1)))


def assign_codes(geoms_metric, parent_code: str, parent_area_m2: float,
                 start: int = 1) -> list[str]:
    """Codes for grids of one parent in reading order, numbered from ``start``.

    Parameters
    ----------
    geoms_metric : array of shapely geometries
        The parent's grids in a metric CRS.
    parent_code : str
        6-digit district, 9-digit town or 12-digit village code.
    parent_area_m2 : float
        Area of the parent (sets the row band height).
    start : int
        First sequence number.

    Returns
    -------
    list[str]
        One 15-character code per input geometry, in input order.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = [box(10, 0, 20, 10), box(0, 0, 10, 10), box(0, 10, 20, 20)]
    >>> assign_codes(g, "440604011001", 400.0)
    ['440604011001003', '440604011001002', '440604011001001']
    """
    geoms = np.asarray(geoms_metric, dtype=object)
    xy = shapely.get_coordinates(shapely.point_on_surface(geoms))
    order = reading_order(xy, band_height(parent_area_m2, len(geoms)))
    codes = [""] * len(geoms)
    for seq, i in enumerate(order, start=start):
        codes[i] = grid_code(parent_code, seq)
    return codes
