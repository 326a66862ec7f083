"""Order a warden-day's stops into a route from the warden's base and back.

The route is a travelling-salesman tour solved with OR-Tools routing
(``ortools.constraint_solver.pywrapcp``): one vehicle, the base as depot, the
distance matrix (metres, rounded to whole metres) as arc cost. The search is
bounded twice: by a solution count (``solutions_per_stop`` × stops, so the
same input gives the same route on any machine) and by ``time_limit_s`` (a hard
wall-clock cap; when it cuts the search first, :attr:`Route.hit_time_limit`
says so and the result may differ between runs on machines of different speed,
or of different load). OR-Tools' routing search is single-threaded and uses no
random numbers, so there is no seed to fix.

With a day length budget (``max_length_m``) every stop becomes optional: a
disjunction with a penalty (default: ten times the budget, so a stop is dropped
only when it cannot fit; give higher penalties to overdue or red stops to drop
them last). The problem is then never infeasible; dropped stops are returned
in :attr:`Route.dropped`, never lost. Without a budget every stop is visited.

The defaults (:data:`DEFAULT_OPTIONS`: Christofides first solution, guided
local search, 3 solutions per stop, 0.95 s cap) were chosen on the benchmark's demo
day routes (10-60 stops, against 5-10 s of guided local search while tuning):
Christofides started closest to the reference; a path-cheapest-arc start left
one 60-stop route 2.2% long even after a full second; greedy descent alone was
up to 4-9% long at 60 stops. ``bench/patrol.py`` compares them with 30 s of
guided local search and with PyVRP; see ``bench/results/patrol.json``.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from gridwatch.errors import InvalidInputError
from gridwatch.patrol.distances import DistanceFn, straight_line_m

__all__ = [
    "DEFAULT_OPTIONS",
    "Route",
    "SolverOptions",
    "route_day",
    "solve_tour",
]

_FIRST = routing_enums_pb2.FirstSolutionStrategy
_META = routing_enums_pb2.LocalSearchMetaheuristic
_STATUS = {v: k for k, v in routing_enums_pb2.RoutingSearchStatus.Value.items()}
_FIRST_NAMES = tuple(_FIRST.Value.keys())
_META_NAMES = tuple(_META.Value.keys())


@dataclass(frozen=True)
class SolverOptions:
    """How the route solver searches.

    Attributes
    ----------
    first_solution : str
        OR-Tools ``FirstSolutionStrategy`` name, e.g. "PATH_CHEAPEST_ARC",
        "SAVINGS", "CHRISTOFIDES", "PARALLEL_CHEAPEST_INSERTION".
    metaheuristic : str
        OR-Tools ``LocalSearchMetaheuristic`` name: "GUIDED_LOCAL_SEARCH",
        "GREEDY_DESCENT" (stop at the first local optimum), "SIMULATED_ANNEALING",
        "TABU_SEARCH".
    time_limit_s : float
        Hard cap on one route's search, seconds (> 0).
    solutions_per_stop : float or None
        The search stops after ``max(10, solutions_per_stop × stops)``
        solutions (a count, so the result does not depend on the machine);
        None: only the time limit stops it, and the result then depends on the
        machine's speed.
    """

    first_solution: str = "CHRISTOFIDES"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    # 0.95 s, not 1 s: building the model and reading the route back take a few
    # milliseconds more, and the whole call is meant to stay within a second
    time_limit_s: float = 0.95
    solutions_per_stop: float | None = 3.0

    def solution_limit(self, n_stops: int) -> int | None:
        """Solutions allowed for ``n_stops`` stops (None: no count limit)."""
        if self.solutions_per_stop is None:
            return None
        return max(10, math.ceil(self.solutions_per_stop * n_stops))

    def __post_init__(self):
        if self.first_solution not in _FIRST_NAMES:
            raise InvalidInputError(
                f"Unknown first-solution strategy {self.first_solution!r}; use e.g. "
                "PATH_CHEAPEST_ARC or SAVINGS."
            )
        if self.metaheuristic not in _META_NAMES:
            raise InvalidInputError(
                f"Unknown local-search metaheuristic {self.metaheuristic!r}; use "
                "GUIDED_LOCAL_SEARCH or GREEDY_DESCENT."
            )
        if not self.time_limit_s > 0:
            raise InvalidInputError(
                f"The route time limit must be above 0 s, not {self.time_limit_s}."
            )
        if self.solutions_per_stop is not None and not self.solutions_per_stop > 0:
            raise InvalidInputError(
                "Solutions per stop must be above 0 (or None for time only), not "
                f"{self.solutions_per_stop}."
            )


DEFAULT_OPTIONS = SolverOptions()


@dataclass(frozen=True)
class Route:
    """One warden-day's route: base → stops in order → base.

    Attributes
    ----------
    stops : tuple
        Stop ids in visiting order (the base is not in it).
    legs_m : tuple of float
        Metres of each leg: base → first stop, …, last stop → base
        (``len(stops) + 1`` legs; one 0 m leg when there is no stop).
    total_m : float
        Sum of ``legs_m``.
    dropped : tuple
        Stop ids left out because the length budget could not hold them.
    solve_s : float
        Wall-clock seconds spent in the solver.
    status : str
        OR-Tools ``RoutingSearchStatus`` name ("ROUTING_SUCCESS", …), or
        "TRIVIAL" for 0 or 1 stop.
    hit_time_limit : bool
        True when the time limit, not the solution limit, ended the search.
    """

    stops: tuple
    legs_m: tuple
    total_m: float
    dropped: tuple = ()
    solve_s: float = 0.0
    status: str = "TRIVIAL"
    hit_time_limit: bool = False
    options: SolverOptions = field(default=DEFAULT_OPTIONS, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """Stops in order: ``seq`` (1…), ``stop_id``, ``leg_m`` (from the
        previous point), ``cum_m``; the return leg is the last row (``stop_id``
        None)."""
        ids = [*self.stops, None]
        return pd.DataFrame(
            {
                "seq": np.arange(1, len(ids) + 1),
                "stop_id": pd.Series(ids, dtype=object),
                "leg_m": np.asarray(self.legs_m, float),
                "cum_m": np.cumsum(np.asarray(self.legs_m, float)),
            }
        )


def _check_matrix(matrix_m) -> np.ndarray:
    m = np.asarray(matrix_m, dtype=float)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] < 1:
        raise InvalidInputError(
            f"The distance matrix must be square with the base first, not {m.shape}."
        )
    if not np.isfinite(m).all() or (m < 0).any():
        raise InvalidInputError(
            "The distance matrix has a missing, infinite or negative distance."
        )
    return m


def _parameters(options: SolverOptions, n_stops: int):
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = _FIRST.Value.Value(options.first_solution)
    params.local_search_metaheuristic = _META.Value.Value(options.metaheuristic)
    params.time_limit.FromMilliseconds(max(1, round(options.time_limit_s * 1000)))
    limit = options.solution_limit(n_stops)
    if limit is not None:
        params.solution_limit = limit
    return params


def solve_tour(
    matrix_m,
    *,
    options: SolverOptions = DEFAULT_OPTIONS,
    max_length_m: float | None = None,
    penalties: Sequence[float] | None = None,
) -> tuple[list[int], list[int], str, float, bool]:
    """Solve one tour on a distance matrix whose row and column 0 are the base.

    Parameters
    ----------
    matrix_m : array-like
        ``(n + 1, n + 1)`` metres; index 0 is the base, 1…n the stops.
    options : SolverOptions
    max_length_m : float, optional
        Length budget of the day; stops that do not fit are dropped.
    penalties : sequence of float, optional
        Cost (metres-equivalent) of dropping each stop 1…n; only used with a
        budget. Default: ten times the budget for every stop.

    Returns
    -------
    order : list of int
        Stop indices (1…n) in visiting order.
    dropped : list of int
        Stop indices left out.
    status : str
    solve_s : float
    hit_time_limit : bool

    Raises
    ------
    InvalidInputError
        A matrix that is not square, finite and non-negative; a budget <= 0;
        penalties of the wrong length.

    Examples
    --------
    >>> m = [[0, 5, 9, 5], [5, 0, 5, 9], [9, 5, 0, 5], [5, 9, 5, 0]]
    >>> order, dropped, status, _, _ = solve_tour(m)
    >>> order in ([1, 2, 3], [3, 2, 1]), dropped
    (True, [])
    """
    m = _check_matrix(matrix_m)
    n = m.shape[0] - 1
    if max_length_m is not None and not max_length_m > 0:
        raise InvalidInputError(
            f"The day length budget must be above 0 m, not {max_length_m}."
        )
    if n <= 1 and max_length_m is None:
        return list(range(1, n + 1)), [], "TRIVIAL", 0.0, False
    cost = np.rint(m).astype(np.int64)
    manager = pywrapcp.RoutingIndexManager(n + 1, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    transit = routing.RegisterTransitMatrix(cost.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    if max_length_m is not None:
        budget = int(max_length_m)
        routing.AddDimension(transit, 0, budget, True, "length")
        pen = (
            np.full(n, 10 * budget, float)
            if penalties is None
            else np.asarray(penalties, float)
        )
        if pen.shape != (n,) or not np.isfinite(pen).all() or (pen < 0).any():
            raise InvalidInputError(
                f"Give one non-negative penalty per stop ({n}), not {pen.shape}."
            )
        for node in range(1, n + 1):
            routing.AddDisjunction([manager.NodeToIndex(node)], int(pen[node - 1]))
    t0 = time.perf_counter()
    solution = routing.SolveWithParameters(_parameters(options, n))
    solve_s = time.perf_counter() - t0
    status = _STATUS.get(routing.status(), str(routing.status()))
    if solution is None:
        raise InvalidInputError(
            f"The route solver found no route ({status}); raise the time limit."
        )
    order, index = [], routing.Start(0)
    while True:
        index = solution.Value(routing.NextVar(index))
        if routing.IsEnd(index):
            break
        order.append(manager.IndexToNode(index))
    dropped = sorted(set(range(1, n + 1)) - set(order))
    hit = solve_s >= options.time_limit_s * 0.98
    return order, dropped, status, solve_s, hit


def _legs(m: np.ndarray, order: list[int]) -> tuple:
    path = [0, *order, 0]
    return tuple(float(m[a, b]) for a, b in itertools.pairwise(path))


def route_day(
    base_lnglat: tuple[float, float],
    stop_ids: Sequence,
    stop_lnglat,
    *,
    distance: DistanceFn = straight_line_m,
    base_id="base",
    options: SolverOptions = DEFAULT_OPTIONS,
    max_length_m: float | None = None,
    penalties: Sequence[float] | None = None,
) -> Route:
    """Order one warden-day's stops into a route from the base and back.

    Parameters
    ----------
    base_lnglat : (float, float)
        The warden's base, WGS-84 longitude and latitude (recorded per warden;
        else the caller passes the centroid of their grids).
    stop_ids : sequence
        Unique ids of the stops (enterprise ids).
    stop_lnglat : array-like
        ``(n, 2)`` WGS-84 longitudes and latitudes of the stops.
    distance : callable
        ``distance(ids, lnglat) -> (n+1, n+1) metres`` with the base first
        (:mod:`gridwatch.patrol.distances`); straight-line metres by default.
    base_id : hashable
        The base's id in ``distance``'s table.
    options : SolverOptions
    max_length_m, penalties
        Day length budget and drop penalties (see :func:`solve_tour`).

    Returns
    -------
    Route

    Raises
    ------
    InvalidInputError
        Duplicate stop ids, a stop or base without coordinates, a distance
        table missing a point (see also :func:`solve_tour`).

    Examples
    --------
    >>> r = route_day((113.10, 23.00), ["A", "B"], [[113.11, 23.0], [113.12, 23.0]])
    >>> r.stops, len(r.legs_m), round(r.total_m)
    (('A', 'B'), 3, 4101)
    """
    ids = list(stop_ids)
    if len(set(map(str, ids))) != len(ids):
        raise InvalidInputError("A stop is listed twice in one day; list each once.")
    pts = np.asarray(stop_lnglat, dtype=float).reshape(-1, 2)
    if len(pts) != len(ids):
        raise InvalidInputError(
            f"{len(ids)} stop ids but {len(pts)} coordinates; give one pair per stop."
        )
    base = np.asarray(base_lnglat, dtype=float).reshape(1, 2)
    if not np.isfinite(base).all():
        raise InvalidInputError(
            "The warden's base has no coordinates; record a base or pass the "
            "centroid of their grids."
        )
    m = _check_matrix(distance([base_id, *ids], np.vstack([base, pts])))
    if m.shape != (len(ids) + 1, len(ids) + 1):
        raise InvalidInputError(
            f"The distance function returned a {m.shape} matrix for {len(ids)} stops "
            "and the base."
        )
    order, dropped, status, solve_s, hit = solve_tour(
        m, options=options, max_length_m=max_length_m, penalties=penalties
    )
    legs = _legs(m, order)
    return Route(
        stops=tuple(ids[i - 1] for i in order),
        legs_m=legs,
        total_m=float(sum(legs)),
        dropped=tuple(ids[i - 1] for i in dropped),
        solve_s=solve_s,
        status=status,
        hit_time_limit=hit,
        options=options,
    )
