"""How sure an enterprise's grid is, from how precisely it was placed.

A geocode's precision (``gridwatch.vocab.PRECISIONS``, the levels of GB/T 39609-2020's
address structure: administrative area → street/road → door) decides what the point
can say about the grid:

========================  ============  ===============================================
precision                 placement     assignment
========================  ============  ===============================================
manual, supplied, door,   ``definite``  the covering grid, a confident answer
road
community                 ``imprecise`` the covering grid, flagged: the point is the
                                        community's representative point, so the
                                        community (and its street office) is right but
                                        which of its grids is a guess
town, district            ``unplaced``  no grid: "in town X, grid unknown", listed for
                                        the street office to place by hand
none                      ``no_location`` no grid: nothing to place
========================  ============  ===============================================

Why community level is assigned and not held back like town level: grids nest in
communities (CJ/T 349-2010), so a community-level point already names the right
street office and the right handful of wardens; holding it back would take a fifth of a
badly geocoded registry out of supervision altogether. Why town level is held back: a
town has hundreds of grids, and a town's representative point put every such
enterprise in one arbitrary grid and on one warden, a confident wrong answer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridwatch.errors import InvalidInputError
from gridwatch.vocab import PRECISIONS

DEFINITE, IMPRECISE, UNPLACED, NO_LOCATION = (
    "definite",
    "imprecise",
    "unplaced",
    "no_location",
)

#: precision → placement (every key of ``gridwatch.vocab.PRECISIONS``)
PLACEMENT: dict[str, str] = {
    "manual": DEFINITE,
    "supplied": DEFINITE,
    "door": DEFINITE,
    "road": DEFINITE,
    "community": IMPRECISE,
    "town": UNPLACED,
    "district": UNPLACED,
    "none": NO_LOCATION,
}


def placement(precision: str | None) -> str:
    """What a point of this precision can say about the grid.

    >>> placement("door"), placement("community"), placement("town"), placement(None)
    ('definite', 'imprecise', 'unplaced', 'no_location')
    """
    key = "none" if precision is None or pd.isna(precision) else str(precision)
    try:
        return PLACEMENT[key]
    except KeyError:
        raise InvalidInputError(
            f"Unknown geocode precision {precision!r}; use one of "
            f"{', '.join(PRECISIONS)}."
        ) from None


def apply_precision(located: pd.DataFrame) -> pd.DataFrame:
    """Hold back the grids that the points' precision cannot support.

    Parameters
    ----------
    located : DataFrame
        Output of :func:`gridwatch.assign.points.assign_enterprises` (or the SQL
        path): ``grid_code``, ``status`` (inside/outside/no_location),
        ``nearest_code``, ``distance_m``, ``precision``.

    Returns
    -------
    DataFrame
        A copy with ``placement`` (see the module table) and ``is_imprecise``
        added; town- and district-level rows get ``status="unplaced"`` and no
        grid or nearest grid (``covering_code`` keeps the grid their point fell in,
        for naming the town), rows of precision ``none`` become ``no_location``.

    Raises
    ------
    InvalidInputError
        A precision outside ``gridwatch.vocab.PRECISIONS``.

    Examples
    --------
    >>> r = pd.DataFrame({"grid_code": ["g1", "g2", "g3"],
    ...     "status": ["inside"] * 3, "nearest_code": [None] * 3,
    ...     "distance_m": [0.0] * 3, "precision": ["door", "community", "town"]})
    >>> out = apply_precision(r)
    >>> out["grid_code"].tolist(), out["status"].tolist(), out["is_imprecise"].tolist()
    (['g1', 'g2', None], ['inside', 'inside', 'unplaced'], [False, True, False])
    """
    missing = {"grid_code", "status", "precision"} - set(located.columns)
    if missing:
        raise InvalidInputError(
            f"The located frame lacks {', '.join(sorted(missing))}; pass the output "
            "of assign_enterprises."
        )
    out = located.copy()
    kind = np.array([placement(p) for p in out["precision"]], dtype=object)
    out["placement"] = kind
    out["covering_code"] = out["grid_code"].astype(object)
    held = (kind == UNPLACED) | (kind == NO_LOCATION)
    for col in ("grid_code", "nearest_code"):
        if col in out:  # object columns keep None (pandas 3 would write NaN)
            out[col] = out[col].astype(object).where(~held, None)
    if "distance_m" in out:
        out.loc[held, "distance_m"] = np.nan
    has_point = out["status"] != "no_location"
    out.loc[(kind == UNPLACED) & has_point, "status"] = "unplaced"
    out.loc[kind == NO_LOCATION, "status"] = "no_location"
    out.loc[(kind == UNPLACED) & ~has_point, "placement"] = NO_LOCATION
    out["is_imprecise"] = (kind == IMPRECISE) & out["grid_code"].notna()
    return out
