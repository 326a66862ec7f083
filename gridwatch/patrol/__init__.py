"""Patrol planning (巡查计划): due schedule, day plans and day routes. Pure domain.

The pipeline a service runs, each step a function of frames:

1. :func:`make_window` (:mod:`.window`) and :func:`make_calendar`
   (:mod:`.calendar`): the window planned and the working days (weekends,
   public holidays and 调休 from ``chinese-calendar``, a holiday file on top);
2. :func:`due_visits` (:mod:`.schedule`): the visits due in the window, with
   reasons (risk interval, hazard re-inspection, campaign);
3. :func:`plan_visits` (:mod:`.plan`): visits spread over each warden's working
   days within a daily capacity; what cannot fit is listed with its reason;
4. :func:`route_plan` / :func:`route_day` (:mod:`.itineraries`, :mod:`.routes`):
   each warden-day ordered into a route from the warden's base and back
   (OR-Tools), on straight-line or saved road distances (:mod:`.distances`).

No Flask, SQLAlchemy or database here; the service reads the tables and
``GRIDWATCH_DUE_DAYS`` and passes frames in.
"""

from gridwatch.patrol.calendar import (
    WorkCalendar,
    library_years,
    make_calendar,
    read_holiday_file,
)
from gridwatch.patrol.distances import (
    MatrixTable,
    parse_osrm_table,
    parse_valhalla_matrix,
    read_matrix_csv,
    straight_line_m,
)
from gridwatch.patrol.itineraries import Itineraries, route_plan
from gridwatch.patrol.plan import NOT_PLANNED, Plan, has_location, plan_visits
from gridwatch.patrol.routes import (
    DEFAULT_OPTIONS,
    Route,
    SolverOptions,
    route_day,
    solve_tour,
)
from gridwatch.patrol.schedule import DUE_COLUMNS, due_visits, validate_due_days
from gridwatch.patrol.window import PlanWindow, make_window

__all__ = [
    "DEFAULT_OPTIONS",
    "DUE_COLUMNS",
    "NOT_PLANNED",
    "Itineraries",
    "MatrixTable",
    "Plan",
    "PlanWindow",
    "Route",
    "SolverOptions",
    "WorkCalendar",
    "due_visits",
    "has_location",
    "library_years",
    "make_calendar",
    "make_window",
    "parse_osrm_table",
    "parse_valhalla_matrix",
    "plan_visits",
    "read_holiday_file",
    "read_matrix_csv",
    "route_day",
    "route_plan",
    "solve_tour",
    "straight_line_m",
    "validate_due_days",
]
