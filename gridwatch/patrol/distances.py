"""Distances between a warden's base and the day's stops, in metres.

A *distance function* takes the point ids (the base first) and their WGS-84
longitudes/latitudes and returns an ``(n, n)`` matrix of metres, ``[i, j]`` from
point ``i`` to point ``j`` (it may be asymmetric: one-way streets). Two kinds:

* :func:`straight_line_m` — the default: points projected with pyproj to the
  metric CRS (:data:`gridwatch.crs.METRIC_CRS`, CGCS2000 / Gauss-Kruger CM 114E)
  and the Euclidean distance between them; a lower bound of the road distance.
* :class:`MatrixTable` — road distances computed elsewhere and saved to a file:
  a CSV (:func:`read_matrix_csv`), an OSRM ``/table`` response
  (:func:`parse_osrm_table`) or a Valhalla ``/sources_to_targets`` response
  (:func:`parse_valhalla_matrix`). Nothing here calls the network.

Any other callable with the same signature can be passed to the route solver.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.errors import InvalidInputError

__all__ = [
    "DistanceFn",
    "MatrixTable",
    "parse_osrm_table",
    "parse_valhalla_matrix",
    "read_matrix_csv",
    "straight_line_m",
]

DistanceFn = Callable[[Sequence, np.ndarray], np.ndarray]

_LONG_HEADERS = {
    "from_id": "from_id",
    "from": "from_id",
    "起点": "from_id",
    "to_id": "to_id",
    "to": "to_id",
    "终点": "to_id",
    "distance_m": "distance_m",
    "distance": "distance_m",
    "距离": "distance_m",
    "距离米": "distance_m",
    "距离(米)": "distance_m",
}


@lru_cache(maxsize=8)
def _transformer(crs: str):
    """WGS-84 → ``crs``; cached because building one costs tens of milliseconds."""
    from pyproj import Transformer

    return Transformer.from_crs(WGS84, crs, always_xy=True)


def straight_line_m(ids: Sequence, lnglat: np.ndarray, crs: str = METRIC_CRS):
    """Straight-line distances in metres between WGS-84 points, in ``crs``.

    Parameters
    ----------
    ids : sequence
        Point ids (unused; part of the distance-function signature).
    lnglat : numpy.ndarray
        ``(n, 2)`` WGS-84 longitudes and latitudes.
    crs : str
        Projected CRS whose units are metres.

    Returns
    -------
    numpy.ndarray
        ``(n, n)`` float metres, symmetric, zero diagonal.

    Examples
    --------
    >>> m = straight_line_m(["a", "b"], np.array([[113.10, 23.0], [113.11, 23.0]]))
    >>> round(float(m[0, 1]))
    1025
    """
    pts = np.asarray(lnglat, dtype=float).reshape(-1, 2)
    if not np.isfinite(pts).all():
        raise InvalidInputError("A stop has no coordinates; route located stops only.")
    x, y = _transformer(crs).transform(pts[:, 0], pts[:, 1])
    xy = np.column_stack([x, y])
    return np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))


@dataclass(frozen=True)
class MatrixTable:
    """A saved distance table, usable as a distance function.

    Attributes
    ----------
    ids : tuple of str
        Point ids, in the order of ``metres``' rows and columns (compared as
        text, so enterprise id 17 matches "17").
    metres : numpy.ndarray
        ``(n, n)`` metres; NaN where the source found no route.
    source : str
        Where the table came from (file name and format), for messages.
    """

    ids: tuple
    metres: np.ndarray
    source: str = "distance table"

    def __call__(self, ids: Sequence, lnglat: np.ndarray | None = None) -> np.ndarray:
        """The sub-matrix for ``ids`` (``lnglat`` is ignored).

        Raises
        ------
        InvalidInputError
            An id missing from the table, or a pair it has no route for.
        """
        pos = {k: i for i, k in enumerate(self.ids)}
        keys = [str(i) for i in ids]
        missing = [k for k in keys if k not in pos]
        if missing:
            raise InvalidInputError(
                f"The {self.source} has no row for point {missing[0]!r}; compute the "
                "table again with every stop and the base."
            )
        idx = np.array([pos[k] for k in keys], dtype=int)
        sub = self.metres[np.ix_(idx, idx)]
        bad = np.argwhere(~np.isfinite(sub))
        if len(bad):
            a, b = bad[0]
            raise InvalidInputError(
                f"The {self.source} has no route from {keys[a]!r} to {keys[b]!r}; "
                "check both locations or use straight-line distances."
            )
        return sub


def _load_text(source) -> tuple[str, str]:
    """(text, name) of a path or a file object."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise InvalidInputError(f"Distance file {path} does not exist.")
        data = path.read_bytes()
        try:
            return data.decode("utf-8-sig"), path.name
        except UnicodeDecodeError:
            return data.decode("gb18030"), path.name
    text = source.read()
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    return text, str(getattr(source, "name", "file"))


def _number(value, where: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"{where}: {value!r} is not a distance in metres."
        ) from None
    if out < 0:
        raise InvalidInputError(f"{where}: the distance {out} is negative.")
    return out


def read_matrix_csv(source) -> MatrixTable:
    """Read road distances from a CSV, long or square.

    Parameters
    ----------
    source : str, pathlib.Path or file object
        Long form: header ``from_id,to_id,distance_m`` (or 起点,终点,距离米), one
        pair per line; pairs not given are unknown (an error only if a route
        needs them; the diagonal is 0). Square form: a header of ids after one
        empty or ``id`` cell, then one row per id: its id, then metres to each.
        An empty cell is an unknown pair.

    Returns
    -------
    MatrixTable

    Raises
    ------
    InvalidInputError
        An empty file, a value that is not a non-negative number (naming the
        line), a square table whose rows and columns differ.

    Examples
    --------
    >>> t = read_matrix_csv(io.StringIO("from_id,to_id,distance_m\\nb,A1,1200\\n"))
    >>> t.ids, t.metres
    (('b', 'A1'), array([[   0., 1200.],
           [  nan,    0.]]))
    """
    text, name = _load_text(source)
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise InvalidInputError(f"{name} has no distances; add a header and rows.")
    keys = [
        _LONG_HEADERS.get(unicodedata.normalize("NFKC", h).strip().lower())
        for h in rows[0]
    ]
    if {"from_id", "to_id", "distance_m"} <= set(keys):
        col = {k: keys.index(k) for k in ("from_id", "to_id", "distance_m")}
        pairs = [
            (
                r[col["from_id"]].strip(),
                r[col["to_id"]].strip(),
                _number(r[col["distance_m"]], f"{name} line {i}"),
            )
            for i, r in enumerate(rows[1:], start=2)
        ]
        ids = tuple(dict.fromkeys([p[0] for p in pairs] + [p[1] for p in pairs]))
        pos = {k: i for i, k in enumerate(ids)}
        m = np.full((len(ids), len(ids)), np.nan)
        np.fill_diagonal(m, 0.0)
        for a, b, v in pairs:
            m[pos[a], pos[b]] = v
        return MatrixTable(ids, m, f"distance table ({name})")
    ids = tuple(c.strip() for c in rows[0][1:])
    body = rows[1:]
    if [r[0].strip() for r in body] != list(ids):
        raise InvalidInputError(
            f"{name}: the row ids differ from the column ids; a square table lists "
            "the same ids, in the same order, across and down."
        )
    m = np.array(
        [
            [
                np.nan if not c.strip() else _number(c, f"{name} line {i}")
                for c in r[1 : len(ids) + 1]
            ]
            for i, r in enumerate(body, start=2)
        ]
    )
    return MatrixTable(ids, m, f"distance table ({name})")


def _json(source) -> tuple[dict, str]:
    if isinstance(source, dict):
        return source, "response"
    text, name = _load_text(source)
    try:
        return json.loads(text), name
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{name} is not JSON ({exc.msg}, line {exc.lineno})."
        ) from None


def _square(values, ids, name, what) -> np.ndarray:
    m = np.array([[np.nan if v is None else float(v) for v in row] for row in values])
    if m.shape != (len(ids), len(ids)):
        raise InvalidInputError(
            f"{name}: the {what} is {m.shape[0]}×{m.shape[1] if m.ndim == 2 else 0} "
            f"but {len(ids)} point ids were given; request it with the base and "
            "every stop as both sources and destinations, in the ids' order."
        )
    return m


def parse_osrm_table(source, ids: Sequence) -> MatrixTable:
    """Read an OSRM ``/table`` response saved to a file (or already parsed).

    Parameters
    ----------
    source : str, pathlib.Path, file object or dict
        The JSON response of ``/table/v1/{profile}/{coordinates}?annotations=distance``
        (``distances`` in metres; ``null`` where no route was found), asked with
        every point as source and destination.
    ids : sequence
        The point ids, in the order of the request's coordinates.

    Returns
    -------
    MatrixTable

    Raises
    ------
    InvalidInputError
        A response that is not ``"code": "Ok"``, has no ``distances`` (asked
        without ``annotations=distance``), or whose size differs from ``ids``.

    Examples
    --------
    >>> r = {"code": "Ok", "distances": [[0, 950.2], [1010.7, 0]]}
    >>> parse_osrm_table(r, ["base", 7])(["base", 7])[0, 1]
    np.float64(950.2)
    """
    data, name = _json(source)
    if data.get("code") != "Ok":
        raise InvalidInputError(
            f"{name} is an OSRM error ({data.get('code')}: {data.get('message')}); "
            "request the table again."
        )
    if "distances" not in data:
        raise InvalidInputError(
            f"{name} has durations but no distances; request the table with "
            "annotations=distance."
        )
    keys = tuple(str(i) for i in ids)
    return MatrixTable(
        keys,
        _square(data["distances"], keys, name, "OSRM table"),
        f"OSRM table ({name})",
    )


def parse_valhalla_matrix(source, ids: Sequence) -> MatrixTable:
    """Read a Valhalla ``/sources_to_targets`` response saved to a file.

    Parameters
    ----------
    source : str, pathlib.Path, file object or dict
        The JSON response, asked with every point as source and target. Both
        forms are read: the verbose one (``sources_to_targets`` is a list of rows
        of ``{"distance", "time", "from_index", "to_index"}``) and the concise one
        (``sources_to_targets`` is ``{"distances": [[...]], "durations": ...}``).
        Distances are in ``units`` (kilometres by default, or ``mi``); ``null``
        is no route.
    ids : sequence
        The point ids, in the order of the request's locations.

    Returns
    -------
    MatrixTable

    Raises
    ------
    InvalidInputError
        No ``sources_to_targets``, unknown units, or a size that differs from
        ``ids``.

    Examples
    --------
    >>> r = {"units": "kilometers", "sources_to_targets": [
    ...     [{"distance": 0.0, "from_index": 0, "to_index": 0},
    ...      {"distance": 1.25, "from_index": 0, "to_index": 1}],
    ...     [{"distance": 1.3, "from_index": 1, "to_index": 0},
    ...      {"distance": 0.0, "from_index": 1, "to_index": 1}]]}
    >>> parse_valhalla_matrix(r, ["base", "A"])(["base", "A"])[0, 1]
    np.float64(1250.0)
    """
    data, name = _json(source)
    body = data.get("sources_to_targets")
    if body is None:
        raise InvalidInputError(
            f"{name} is not a Valhalla matrix response (no sources_to_targets)."
        )
    units = str(data.get("units", "kilometers")).lower()
    scale = {"kilometers": 1000.0, "km": 1000.0, "miles": 1609.344, "mi": 1609.344}
    if units not in scale:
        raise InvalidInputError(f"{name}: unknown distance units {units!r}.")
    keys = tuple(str(i) for i in ids)
    if isinstance(body, dict):
        values = body.get("distances")
    else:
        values = [[cell.get("distance") for cell in row] for row in body]
    if values is None:
        raise InvalidInputError(f"{name} has no distances in sources_to_targets.")
    m = _square(values, keys, name, "Valhalla matrix") * scale[units]
    return MatrixTable(keys, m, f"Valhalla matrix ({name})")
